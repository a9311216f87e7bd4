/* diskblur: strength and angle maps, from image files or from a custom meta
 * attached to a buffer.
 *
 * The meta is a GstCustomMeta (GStreamer 1.20+) registered under the name
 * GST_DISK_BLUR_MAP_META_NAME when the plugin loads. Its structure holds
 *
 *   "strength"        GstBuffer  the strength (map mode) or disparity (depth
 *                                mode) map, row-major, top row first
 *   "width"           gint       map width in pixels, > 0
 *   "height"          gint       map height in pixels, > 0
 *   "format"          gchararray "GRAY8" (0..255 = 0..1), "GRAY16_LE"
 *                                (0..65535 = 0..1) or "GRAY32F" (32-bit IEEE
 *                                float, little-endian, used as is)
 *   "stride"          gint       optional: bytes from one row to the next,
 *                                default width * bytes per pixel
 *   "angle", "angle-width", "angle-height", "angle-format", "angle-stride"
 *                                optional: the angle map, same rules
 *                                (0..1 = 0..360 degrees)
 *
 * Maps of any size cover the whole frame and are scaled bilinearly
 * (disk-effects.h).
 *
 * The same structure (named GST_DISK_BLUR_MAP_META_NAME) is also accepted as
 * the parameter of a GstVideoRegionOfInterestMeta whose type is
 * GST_DISK_BLUR_MAP_META_NAME (its rectangle is not used): Python (GI) code
 * cannot fill a custom meta's structure with GStreamer 1.22 and PyGObject
 * 3.42, which copy it on access, but can build a structure and hand it to
 * GstVideoRegionOfInterestMeta.add_param(). A custom meta wins over it. */
#ifndef __GST_DISK_BLUR_MAPS_H__
#define __GST_DISK_BLUR_MAPS_H__

#include <gst/gst.h>

#include "disk-image.h"

G_BEGIN_DECLS

#define GST_DISK_BLUR_MAP_META_NAME "DiskBlurMapMeta"

/* Largest map side accepted from a meta (a guard against absurd sizes). */
#define GST_DISK_BLUR_MAP_MAX_SIDE 32768

typedef enum
{
  GST_DISK_BLUR_MAP_META_ABSENT,
  GST_DISK_BLUR_MAP_META_VALID,
  GST_DISK_BLUR_MAP_META_MALFORMED,
} GstDiskBlurMapMetaResult;

/* Registers the meta name; called once by plugin_init. */
void gst_disk_blur_map_meta_register (void);

/* Reads the meta on `buffer`. VALID: *strength (and *angle, or NULL) are new
 * single-channel images. MALFORMED: *problem says what is wrong (g_free it). */
GstDiskBlurMapMetaResult gst_disk_blur_map_meta_read (GstBuffer * buffer,
    DiskImage ** strength, DiskImage ** angle, gchar ** problem);

/* Loads a map file (8- or 16-bit, any format disk_image_load reads) as one
 * channel: gray as is, colour files by their Rec. 709 luma, alpha ignored.
 * Errors name the file. */
DiskImage *gst_disk_blur_map_load (const gchar * path, GError ** error);

G_END_DECLS

#endif /* __GST_DISK_BLUR_MAPS_H__ */
