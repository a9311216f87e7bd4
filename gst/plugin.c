/* diskblur: plugin entry point. */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstdiskblur.h"
#include "gstdiskblur-maps.h"

static gboolean
plugin_init (GstPlugin * plugin)
{
  /* Registered here too, not only with the element class, so applications
   * can attach the meta as soon as the plugin is loaded. */
  gst_disk_blur_map_meta_register ();
  return GST_ELEMENT_REGISTER (diskblur, plugin);
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, diskblur,
    "Blur with fitted sparse kernel complexes (DISK)", plugin_init,
    PACKAGE_VERSION, "LGPL", "gst-diskblur", "gst-diskblur")
