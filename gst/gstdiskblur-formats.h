/* diskblur: the video formats the element accepts, and unpacking a frame into
 * float DiskImage planes and packing it back, each format in its own layout.
 *
 * Every memory plane becomes one image holding that plane's components in
 * component order (R, G, B, A for RGB formats whatever their byte order;
 * Y, U, V, A for YUV): packed RGB is one 3- or 4-channel image, I420 three
 * 1-channel images, NV12 a Y image and a 2-channel UV image. Values are
 * scaled to [0, 1] (8 and 16 bits alike) and packed back rounded to nearest
 * and clamped. With an alpha component the colour channels are premultiplied
 * while unpacking and divided back while packing, so transparent pixels do
 * not bleed their (meaningless) colour into their neighbours. In linear-light
 * mode the R, G, B values of RGB formats are sRGB-decoded before the
 * premultiplication and encoded after. */
#ifndef __GST_DISK_BLUR_FORMATS_H__
#define __GST_DISK_BLUR_FORMATS_H__

#include <gst/video/video.h>

#include "disk-image.h"

G_BEGIN_DECLS

#define GST_DISK_BLUR_FORMATS "{ RGBA, BGRA, ARGB, ABGR, RGBx, BGRx, xRGB, " \
    "xBGR, RGB, BGR, AYUV, I420, YV12, NV12, NV21, Y42B, Y444, GRAY8, " \
    "GRAY16_LE, RGBA64_LE }"

typedef struct _GstDiskBlurPlane GstDiskBlurPlane;
typedef struct _GstDiskBlurLayout GstDiskBlurLayout;

struct _GstDiskBlurPlane
{
  guint n_comps;
  guint comps[GST_VIDEO_MAX_COMPONENTS];        /* component indices */
  gint alpha;                   /* image channel holding alpha, or -1 */
  guint width, height;          /* in pixels of this plane */
  guint sub_x, sub_y;           /* subsampling factors: 1, 2, ... */
};

struct _GstDiskBlurLayout
{
  guint n_planes;
  GstDiskBlurPlane planes[GST_VIDEO_MAX_PLANES];
  gboolean rgb;                 /* components 0..2 are R, G, B */
  gint pad_byte;                /* byte in a 4-byte pixel no component uses
                                 * (RGBx and friends), or -1 */
};

/* Describes `info`'s format; FALSE for a format not in GST_DISK_BLUR_FORMATS. */
gboolean gst_disk_blur_layout_init (GstDiskBlurLayout * layout,
    const GstVideoInfo * info);

/* Rows y_begin <= y < y_end (of the plane) of plane `plane` into `image`
 * (plane-sized, n_comps channels). */
void gst_disk_blur_unpack_rows (const GstDiskBlurLayout * layout,
    guint plane, const GstVideoFrame * frame, gboolean linear_light,
    DiskImage * image, guint y_begin, guint y_end);

/* The reverse: `image` rows into the frame, rounded and clamped. */
void gst_disk_blur_pack_rows (const GstDiskBlurLayout * layout, guint plane,
    const DiskImage * image, gboolean linear_light, GstVideoFrame * frame,
    guint y_begin, guint y_end);

/* The sRGB transfer function and its inverse (IEC 61966-2-1). */
gfloat gst_disk_blur_srgb_to_linear (gfloat v);
gfloat gst_disk_blur_linear_to_srgb (gfloat v);

G_END_DECLS

#endif /* __GST_DISK_BLUR_FORMATS_H__ */
