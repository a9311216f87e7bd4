/* diskblur: map files and the per-buffer map meta (see gstdiskblur-maps.h). */
#include "gstdiskblur-maps.h"
#include "disk-image-io.h"

#include <gst/video/video.h>

#include <math.h>

void
gst_disk_blur_map_meta_register (void)
{
  /* No tags: the map does not depend on the pixel format or memory, so
   * converters and scalers upstream may pass it on unchanged (a map covers
   * the whole frame whatever its size). */
  static const gchar *tags[] = { NULL };

  if (gst_meta_get_info (GST_DISK_BLUR_MAP_META_NAME) == NULL)
    gst_meta_register_custom (GST_DISK_BLUR_MAP_META_NAME, tags, NULL, NULL,
        NULL);
}

/* One map from the fields "<prefix>", "<prefix>width", ... of `s`. */
static DiskImage *
read_map (const GstStructure * s, const gchar * buffer_field,
    const gchar * prefix, gchar ** problem)
{
  g_autofree gchar *fw = g_strconcat (prefix, "width", NULL);
  g_autofree gchar *fh = g_strconcat (prefix, "height", NULL);
  g_autofree gchar *ff = g_strconcat (prefix, "format", NULL);
  g_autofree gchar *fs = g_strconcat (prefix, "stride", NULL);
  const GValue *value;
  const gchar *format;
  GstBuffer *buffer;
  GstMapInfo info;
  gint width, height, stride, bpp;
  DiskImage *map;
  gint x, y;

  value = gst_structure_get_value (s, buffer_field);
  if (value == NULL || !GST_VALUE_HOLDS_BUFFER (value)
      || gst_value_get_buffer (value) == NULL) {
    *problem = g_strdup_printf ("field \"%s\" is not a GstBuffer",
        buffer_field);
    return NULL;
  }
  buffer = gst_value_get_buffer (value);
  if (!gst_structure_get_int (s, fw, &width)
      || !gst_structure_get_int (s, fh, &height)) {
    *problem = g_strdup_printf ("fields \"%s\" and \"%s\" must be integers",
        fw, fh);
    return NULL;
  }
  if (width <= 0 || height <= 0 || width > GST_DISK_BLUR_MAP_MAX_SIDE
      || height > GST_DISK_BLUR_MAP_MAX_SIDE) {
    *problem = g_strdup_printf ("map size %dx%d (fields \"%s\", \"%s\") is "
        "not in 1..%d", width, height, fw, fh, GST_DISK_BLUR_MAP_MAX_SIDE);
    return NULL;
  }
  format = gst_structure_get_string (s, ff);
  if (g_strcmp0 (format, "GRAY8") == 0)
    bpp = 1;
  else if (g_strcmp0 (format, "GRAY16_LE") == 0)
    bpp = 2;
  else if (g_strcmp0 (format, "GRAY32F") == 0)
    bpp = 4;
  else {
    *problem = g_strdup_printf ("field \"%s\" (%s) is not GRAY8, GRAY16_LE "
        "or GRAY32F", ff, format ? format : "missing or not a string");
    return NULL;
  }
  stride = width * bpp;
  if (gst_structure_has_field (s, fs)
      && (!gst_structure_get_int (s, fs, &stride) || stride < width * bpp)) {
    *problem = g_strdup_printf ("field \"%s\" must be an integer >= %d", fs,
        width * bpp);
    return NULL;
  }
  if (gst_buffer_get_size (buffer)
      < (gsize) stride * (height - 1) + (gsize) width * bpp) {
    *problem = g_strdup_printf ("buffer \"%s\" holds %" G_GSIZE_FORMAT
        " bytes, a %dx%d %s map with stride %d needs %" G_GSIZE_FORMAT,
        buffer_field, gst_buffer_get_size (buffer), width, height, format,
        stride, (gsize) stride * (height - 1) + (gsize) width * bpp);
    return NULL;
  }
  if (!gst_buffer_map (buffer, &info, GST_MAP_READ)) {
    *problem = g_strdup_printf ("buffer \"%s\" cannot be mapped",
        buffer_field);
    return NULL;
  }

  map = disk_image_new (width, height, 1);
  for (y = 0; y < height; y++) {
    const guint8 *row = info.data + (gsize) y * stride;
    gfloat *out = disk_image_pixel (map, 0, y);

    for (x = 0; x < width; x++) {
      gfloat v;

      if (bpp == 1)
        v = row[x] / 255.0f;
      else if (bpp == 2)
        v = GST_READ_UINT16_LE (row + 2 * x) / 65535.0f;
      else
        v = GST_READ_FLOAT_LE (row + 4 * x);
      /* Keep NaN and infinities out of the radius and angle maps. */
      out[x] = isfinite (v) ? v : 0.0f;
    }
  }
  gst_buffer_unmap (buffer, &info);
  return map;
}

/* The structure holding the maps, from the custom meta or else from a
 * region-of-interest meta of type GST_DISK_BLUR_MAP_META_NAME. The second
 * carrier exists for Python: PyGObject hands out a copy of a custom meta's
 * structure (transfer none), so Python code cannot fill one, while a ROI
 * meta's parameter structure is passed in (transfer full) and works. */
static GstDiskBlurMapMetaResult
find_structure (GstBuffer * buffer, const GstStructure ** structure,
    gchar ** problem)
{
  const GQuark type = g_quark_from_static_string (GST_DISK_BLUR_MAP_META_NAME);
  GstCustomMeta *custom;
  gpointer state = NULL;
  GstMeta *meta;

  custom = gst_buffer_get_custom_meta (buffer, GST_DISK_BLUR_MAP_META_NAME);
  if (custom != NULL) {
    *structure = gst_custom_meta_get_structure (custom);
    return GST_DISK_BLUR_MAP_META_VALID;
  }
  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE)) != NULL) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;

    if (roi->roi_type != type)
      continue;
    *structure = gst_video_region_of_interest_meta_get_param (roi,
        GST_DISK_BLUR_MAP_META_NAME);
    if (*structure == NULL) {
      *problem = g_strdup ("region-of-interest meta of type "
          GST_DISK_BLUR_MAP_META_NAME " has no parameter structure named "
          GST_DISK_BLUR_MAP_META_NAME);
      return GST_DISK_BLUR_MAP_META_MALFORMED;
    }
    return GST_DISK_BLUR_MAP_META_VALID;
  }
  return GST_DISK_BLUR_MAP_META_ABSENT;
}

GstDiskBlurMapMetaResult
gst_disk_blur_map_meta_read (GstBuffer * buffer, DiskImage ** strength,
    DiskImage ** angle, gchar ** problem)
{
  const GstStructure *s = NULL;
  GstDiskBlurMapMetaResult found;

  *strength = *angle = NULL;
  *problem = NULL;
  found = find_structure (buffer, &s, problem);
  if (found != GST_DISK_BLUR_MAP_META_VALID)
    return found;

  *strength = read_map (s, "strength", "", problem);
  if (*strength == NULL)
    return GST_DISK_BLUR_MAP_META_MALFORMED;
  if (gst_structure_has_field (s, "angle")) {
    *angle = read_map (s, "angle", "angle-", problem);
    if (*angle == NULL) {
      g_clear_pointer (strength, disk_image_free);
      return GST_DISK_BLUR_MAP_META_MALFORMED;
    }
  }
  return GST_DISK_BLUR_MAP_META_VALID;
}

DiskImage *
gst_disk_blur_map_load (const gchar * path, GError ** error)
{
  g_autoptr (DiskImage) image = disk_image_load (path, error);
  DiskImage *map;
  guint x, y;

  if (image == NULL)
    return NULL;
  if (image->channels >= 3)
    return disk_image_to_luminance (image);

  /* Gray, or gray + alpha: the gray channel. */
  map = disk_image_new (image->width, image->height, 1);
  for (y = 0; y < image->height; y++)
    for (x = 0; x < image->width; x++)
      disk_image_pixel (map, x, y)[0] = disk_image_pixel (image, x, y)[0];
  return map;
}
