/* diskblur: built-in presets from the plugin's GResource. */
#include "gstdiskblur-presets.h"
#include "diskblur-presets.h"

#include <gio/gio.h>
#include <string.h>

#define SUFFIX ".preset"

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const gchar * const *) a, *(const gchar * const *) b);
}

gchar **
gst_disk_blur_preset_names (void)
{
  GResource *resource = diskblur_presets_get_resource ();
  g_auto (GStrv) children = NULL;
  GPtrArray *names = g_ptr_array_new ();
  guint i;

  if (resource != NULL)
    children = g_resource_enumerate_children (resource,
        GST_DISK_BLUR_PRESET_PREFIX, G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  for (i = 0; children != NULL && children[i] != NULL; i++)
    if (g_str_has_suffix (children[i], SUFFIX))
      g_ptr_array_add (names, g_strndup (children[i],
              strlen (children[i]) - strlen (SUFFIX)));
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (names, FALSE);
}

gchar *
gst_disk_blur_preset_names_joined (void)
{
  g_auto (GStrv) names = gst_disk_blur_preset_names ();

  if (names[0] == NULL)
    return g_strdup ("(none: the plugin was built without presets)");
  return g_strjoinv (", ", names);
}

gboolean
gst_disk_blur_preset_exists (const gchar * name)
{
  g_auto (GStrv) names = gst_disk_blur_preset_names ();

  return name != NULL && g_strv_contains ((const gchar * const *) names, name);
}

DiskPreset *
gst_disk_blur_preset_load_builtin (const gchar * name, GError ** error)
{
  g_autofree gchar *path = NULL;
  g_autofree gchar *origin = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gsize size;
  const gchar *data;

  if (!gst_disk_blur_preset_exists (name)) {
    g_autofree gchar *valid = gst_disk_blur_preset_names_joined ();

    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
        "unknown preset \"%s\"; the built-in presets are: %s",
        name ? name : "(null)", valid);
    return NULL;
  }
  path = g_strconcat (GST_DISK_BLUR_PRESET_PREFIX, name, SUFFIX, NULL);
  bytes = g_resource_lookup_data (diskblur_presets_get_resource (), path,
      G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return NULL;
  data = g_bytes_get_data (bytes, &size);
  origin = g_strconcat ("built-in preset resource://", path, NULL);
  return disk_preset_load_data (data, size, origin, error);
}
