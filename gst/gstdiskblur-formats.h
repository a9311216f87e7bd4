/* diskblur: the video formats the element accepts, and unpacking a frame into
 * float DiskImage planes and packing it back, each format in its own layout.
 *
 * The colour components of one size and depth share one work image, in
 * component order (R, G, B for RGB formats whatever their byte order; Y, U,
 * V for YUV), whichever memory planes hold them: packed RGB and Y444 are
 * one 3-channel image, I420 and NV12 alike a Y image and a 2-channel UV
 * image. (The varying layers cost per run of pixels, and a run of two or
 * three channels costs little more than one of one.) Alpha, where
 * there is one, gets a 1-channel work plane of its own, after the others:
 * the element filters it like any plane, except when every alpha of the
 * frame is the maximum, when it need not be filtered at all (the layers'
 * weights sum to 1, so it would stay 1) and 3 channels are filtered instead
 * of 4. Values are scaled to [0, 1] (8 and 16 bits alike) and packed back
 * rounded to nearest and clamped. With alpha the colour channels are
 * premultiplied while unpacking and divided back while packing, so
 * transparent pixels do not bleed their (meaningless) colour into their
 * neighbours. In linear-light mode the R, G, B values of RGB formats are
 * sRGB-decoded before the premultiplication and encoded after. */
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

/* One work plane: one float image the layers run on. */
struct _GstDiskBlurPlane
{
  guint n_comps;                /* channels of the work image */
  guint comps[GST_VIDEO_MAX_COMPONENTS];        /* their component indices */
  gint alpha_plane;             /* the work plane holding this plane's
                                 * alpha, or -1 */
  gboolean alpha_only;          /* this plane is another plane's alpha:
                                 * unpacked and packed with that plane */
  guint width, height;          /* in pixels of this plane */
  guint sub_x, sub_y;           /* subsampling factors: 1, 2, ... */
};

struct _GstDiskBlurLayout
{
  guint n_planes;               /* work planes: the colour components
                                 * grouped by size, in order of their first
                                 * component, then the alpha plane if any */
  GstDiskBlurPlane planes[GST_VIDEO_MAX_PLANES];
  gboolean rgb;                 /* components 0..2 are R, G, B */
  gint pad_byte;                /* byte in a 4-byte pixel no component uses
                                 * (RGBx and friends), or -1 */
};

/* Describes `info`'s format; FALSE for a format not in GST_DISK_BLUR_FORMATS. */
gboolean gst_disk_blur_layout_init (GstDiskBlurLayout * layout,
    const GstVideoInfo * info);

/* Rows y_begin <= y < y_end (of the plane) of work plane `plane` into `image`
 * (plane-sized, n_comps channels) and, when the plane has an alpha plane,
 * its alpha into `alpha` (plane-sized, 1 channel; NULL otherwise). Returns
 * TRUE when every alpha of those rows is the maximum, or there is none.
 * Does nothing for an alpha-only plane (its colour plane unpacks it). */
gboolean gst_disk_blur_unpack_rows (const GstDiskBlurLayout * layout,
    guint plane, const GstVideoFrame * frame, gboolean linear_light,
    DiskImage * image, DiskImage * alpha, guint y_begin, guint y_end);
/* The same into rows held anywhere: row y of the plane at
 * rows + (y - y_begin) * stride floats, its alpha likewise (an
 * alpha_stride of 0 puts every row's alpha in one scratch row). */
gboolean gst_disk_blur_unpack_rows_to (const GstDiskBlurLayout * layout,
    guint plane, const GstVideoFrame * frame, gboolean linear_light,
    gfloat * rows, gsize stride, gfloat * alpha_rows, gsize alpha_stride,
    guint y_begin, guint y_end);

/* The reverse: `image` rows (and the filtered `alpha`) into the frame,
 * rounded and clamped. For a plane with alpha, `alpha` NULL means the frame
 * was opaque and its alpha not filtered: colours are taken as they are and
 * alpha written as the maximum. Does nothing for an alpha-only plane. */
void gst_disk_blur_pack_rows (const GstDiskBlurLayout * layout, guint plane,
    const DiskImage * image, const DiskImage * alpha, gboolean linear_light,
    GstVideoFrame * frame, guint y_begin, guint y_end);
/* The same from rows held anywhere (as gst_disk_blur_unpack_rows_to). */
void gst_disk_blur_pack_rows_from (const GstDiskBlurLayout * layout,
    guint plane, const gfloat * rows, gsize stride,
    const gfloat * alpha_rows, gsize alpha_stride, gboolean linear_light,
    GstVideoFrame * frame, guint y_begin, guint y_end);

/* The sRGB transfer function and its inverse (IEC 61966-2-1). */
gfloat gst_disk_blur_srgb_to_linear (gfloat v);
gfloat gst_disk_blur_linear_to_srgb (gfloat v);

G_END_DECLS

#endif /* __GST_DISK_BLUR_FORMATS_H__ */
