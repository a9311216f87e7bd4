/* diskblur: the built-in presets, compiled into the plugin as a GResource
 * (presets/meson.build) under GST_DISK_BLUR_PRESET_PREFIX, one
 * "<name>.preset" file each. */
#ifndef __GST_DISK_BLUR_PRESETS_H__
#define __GST_DISK_BLUR_PRESETS_H__

#include <glib.h>

#include "disk-preset.h"

G_BEGIN_DECLS

#define GST_DISK_BLUR_PRESET_PREFIX "/org/diskblur/presets/"

/* The built-in names, sorted; g_strfreev it. */
gchar **gst_disk_blur_preset_names (void);
/* "a, b, c": for messages. */
gchar *gst_disk_blur_preset_names_joined (void);
gboolean gst_disk_blur_preset_exists (const gchar * name);
/* Loads a built-in preset; an unknown name is a G_IO_ERROR_NOT_FOUND error
 * listing the valid names. */
DiskPreset *gst_disk_blur_preset_load_builtin (const gchar * name,
    GError ** error);

G_END_DECLS

#endif /* __GST_DISK_BLUR_PRESETS_H__ */
