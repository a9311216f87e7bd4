/* diskblur: unpacking video frames to float planes and back. The layout of
 * every format comes from GStreamer's own format table (component plane,
 * offset, pixel stride, depth, subsampling), so one generic loop serves all
 * of them and no format is converted to another on the way. */
#include "gstdiskblur-formats.h"

#include <math.h>

gfloat
gst_disk_blur_srgb_to_linear (gfloat v)
{
  if (v <= 0.04045f)
    return v / 12.92f;
  return powf ((v + 0.055f) / 1.055f, 2.4f);
}

gfloat
gst_disk_blur_linear_to_srgb (gfloat v)
{
  if (v <= 0.0031308f)
    return v * 12.92f;
  return 1.055f * powf (v, 1.0f / 2.4f) - 0.055f;
}

/* sRGB decoding of every 8-bit code, computed once. */
static const gfloat *
srgb_table_8 (void)
{
  static gfloat table[256];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised)) {
    guint i;

    for (i = 0; i < 256; i++)
      table[i] = gst_disk_blur_srgb_to_linear (i / 255.0f);
    g_once_init_leave (&initialised, 1);
  }
  return table;
}

/* v / 255 for every 8-bit code, computed once: the same values as the
 * division, without a division per component in the unpack loop. */
static const gfloat *
unorm_table_8 (void)
{
  static gfloat table[256];
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised)) {
    guint i;

    for (i = 0; i < 256; i++)
      table[i] = i / 255.0f;
    g_once_init_leave (&initialised, 1);
  }
  return table;
}

gboolean
gst_disk_blur_layout_init (GstDiskBlurLayout * layout,
    const GstVideoInfo * info)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  guint c, p;

  switch (GST_VIDEO_INFO_FORMAT (info)) {
    case GST_VIDEO_FORMAT_RGBA:
    case GST_VIDEO_FORMAT_BGRA:
    case GST_VIDEO_FORMAT_ARGB:
    case GST_VIDEO_FORMAT_ABGR:
    case GST_VIDEO_FORMAT_RGBx:
    case GST_VIDEO_FORMAT_BGRx:
    case GST_VIDEO_FORMAT_xRGB:
    case GST_VIDEO_FORMAT_xBGR:
    case GST_VIDEO_FORMAT_RGB:
    case GST_VIDEO_FORMAT_BGR:
    case GST_VIDEO_FORMAT_AYUV:
    case GST_VIDEO_FORMAT_I420:
    case GST_VIDEO_FORMAT_YV12:
    case GST_VIDEO_FORMAT_NV12:
    case GST_VIDEO_FORMAT_NV21:
    case GST_VIDEO_FORMAT_Y42B:
    case GST_VIDEO_FORMAT_Y444:
    case GST_VIDEO_FORMAT_GRAY8:
    case GST_VIDEO_FORMAT_GRAY16_LE:
    case GST_VIDEO_FORMAT_RGBA64_LE:
      break;
    default:
      return FALSE;
  }

  memset (layout, 0, sizeof (*layout));
  layout->n_planes = GST_VIDEO_INFO_N_PLANES (info);
  layout->rgb = GST_VIDEO_FORMAT_INFO_IS_RGB (finfo);
  layout->pad_byte = -1;
  for (p = 0; p < layout->n_planes; p++)
    layout->planes[p].alpha = -1;

  for (c = 0; c < GST_VIDEO_INFO_N_COMPONENTS (info); c++) {
    GstDiskBlurPlane *plane;

    p = GST_VIDEO_FORMAT_INFO_PLANE (finfo, c);
    plane = &layout->planes[p];
    if (GST_VIDEO_FORMAT_INFO_HAS_ALPHA (finfo) && c == GST_VIDEO_COMP_A)
      plane->alpha = plane->n_comps;
    plane->comps[plane->n_comps++] = c;
    plane->width = GST_VIDEO_INFO_COMP_WIDTH (info, c);
    plane->height = GST_VIDEO_INFO_COMP_HEIGHT (info, c);
    plane->sub_x = 1u << GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
    plane->sub_y = 1u << GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);
  }

  /* RGBx-like: three 8-bit components in a 4-byte pixel. */
  if (layout->n_planes == 1 && GST_VIDEO_INFO_N_COMPONENTS (info) == 3
      && GST_VIDEO_FORMAT_INFO_PSTRIDE (finfo, 0) == 4) {
    guint used = 0, b;

    for (c = 0; c < 3; c++)
      used |= 1u << GST_VIDEO_FORMAT_INFO_POFFSET (finfo, c);
    for (b = 0; b < 4; b++)
      if (!(used & (1u << b)))
        layout->pad_byte = b;
  }
  return TRUE;
}

static inline gboolean
comp_is_16 (const GstVideoFrame * frame, guint c)
{
  return GST_VIDEO_FRAME_COMP_DEPTH (frame, c) > 8;
}

/* Every component of the plane 8-bit with one pixel stride: the common case
 * (packed RGB-like, AYUV, GRAY8, every plane of I420/Y42B/Y444, NV12's UV). */
static gboolean
plane_is_8 (const GstVideoFrame * frame, const GstDiskBlurPlane * pl)
{
  const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, pl->comps[0]);
  guint k;

  for (k = 0; k < pl->n_comps; k++)
    if (comp_is_16 (frame, pl->comps[k])
        || GST_VIDEO_FRAME_COMP_PSTRIDE (frame, pl->comps[k]) != ps)
      return FALSE;
  return TRUE;
}

/* One row of such a plane in a single pass: decode every component through
 * its table and premultiply by alpha (a multiplication by 1 where there is
 * none, which is exact), giving the same floats as the general loops. */
static void
unpack_row_8 (const GstDiskBlurPlane * pl, const GstVideoFrame * frame,
    guint y, const gfloat * srgb, const gfloat * unorm, gfloat * out)
{
  const guint n = pl->n_comps;
  const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, pl->comps[0]);
  const guint8 *src[GST_VIDEO_MAX_COMPONENTS];
  const gfloat *table[GST_VIDEO_MAX_COMPONENTS];
  const guint8 *alpha = NULL;
  guint x, k;

  for (k = 0; k < n; k++) {
    const guint c = pl->comps[k];

    src[k] = GST_VIDEO_FRAME_COMP_DATA (frame, c)
        + (gsize) y * GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
    table[k] = srgb != NULL && (gint) k != pl->alpha ? srgb : unorm;
  }
  if (pl->alpha >= 0)
    alpha = src[pl->alpha];

  for (x = 0; x < pl->width; x++) {
    const gsize at = (gsize) x * ps;
    const gfloat a = alpha != NULL ? unorm[alpha[at]] : 1.0f;
    gfloat *px = out + x * n;

    for (k = 0; k < n; k++)
      px[k] = table[k][src[k][at]] * a;
    if (alpha != NULL)
      px[pl->alpha] = a;
  }
}

void
gst_disk_blur_unpack_rows (const GstDiskBlurLayout * layout, guint plane,
    const GstVideoFrame * frame, gboolean linear_light, DiskImage * image,
    guint y_begin, guint y_end)
{
  const GstDiskBlurPlane *pl = &layout->planes[plane];
  const guint n = pl->n_comps;
  const gboolean linear = linear_light && layout->rgb;
  const gfloat *srgb = linear ? srgb_table_8 () : NULL;
  const gfloat *unorm = unorm_table_8 ();
  guint x, y, k;

  g_return_if_fail (image->width == pl->width && image->height == pl->height);
  g_return_if_fail (image->channels == n);

  for (y = y_begin; y < y_end; y++) {
    gfloat *out = disk_image_pixel (image, 0, y);

    if (plane_is_8 (frame, pl)) {
      unpack_row_8 (pl, frame, y, srgb, unorm, out);
      continue;
    }

    for (k = 0; k < n; k++) {
      const guint c = pl->comps[k];
      const guint8 *src = GST_VIDEO_FRAME_COMP_DATA (frame, c)
          + (gsize) y * GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
      const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);
      const gboolean decode = linear && (gint) k != pl->alpha;

      if (comp_is_16 (frame, c)) {
        for (x = 0; x < pl->width; x++) {
          gfloat v = GST_READ_UINT16_LE (src + (gsize) x * ps) / 65535.0f;
          out[x * n + k] = decode ? gst_disk_blur_srgb_to_linear (v) : v;
        }
      } else {
        const gfloat *table = decode ? srgb : unorm;

        for (x = 0; x < pl->width; x++)
          out[x * n + k] = table[src[(gsize) x * ps]];
      }
    }

    if (pl->alpha >= 0) {
      for (x = 0; x < pl->width; x++) {
        gfloat *px = out + x * n;
        gfloat a = px[pl->alpha];

        for (k = 0; k < n; k++)
          if ((gint) k != pl->alpha)
            px[k] *= a;
      }
    }
  }
}

static inline gfloat
clamp01 (gfloat v)
{
  /* Written so that NaN becomes 0. */
  return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
}

/* One row of an 8-bit plane without sRGB coding in a single pass:
 * un-premultiply, clamp and round every component straight into the frame,
 * the same arithmetic as the general loops below. */
static void
pack_row_8 (const GstDiskBlurPlane * pl, const gfloat * in,
    GstVideoFrame * frame, guint y)
{
  const guint n = pl->n_comps;
  const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, pl->comps[0]);
  guint8 *dst[GST_VIDEO_MAX_COMPONENTS];
  guint x, k;

  for (k = 0; k < n; k++) {
    const guint c = pl->comps[k];

    dst[k] = GST_VIDEO_FRAME_COMP_DATA (frame, c)
        + (gsize) y * GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
  }

  for (x = 0; x < pl->width; x++) {
    const gsize at = (gsize) x * ps;
    const gfloat *px = in + x * n;
    gfloat inverse = 1.0f;

    if (pl->alpha >= 0) {
      const gfloat a = px[pl->alpha];
      inverse = a > 0.0f ? 1.0f / a : 0.0f;
    }
    for (k = 0; k < n; k++)
      dst[k][at] = (guint8) (clamp01 (px[k] * inverse) * 255.0f + 0.5f);
    if (pl->alpha >= 0)
      dst[pl->alpha][at] =
          (guint8) (clamp01 (px[pl->alpha]) * 255.0f + 0.5f);
  }
}

/* Any plane, any depth, sRGB coding or not: un-premultiply and re-encode
 * into `row` (values in [0, 1]), then write each component. */
static void
pack_row_general (const GstDiskBlurPlane * pl, const gfloat * in,
    gboolean linear, gfloat * row, GstVideoFrame * frame, guint y)
{
  const guint n = pl->n_comps;
  guint x, k;

  /* Un-premultiply and re-encode into a row of final values in [0, 1].
   * The common cases (no sRGB coding) get loops of their own: this runs
   * for every component of every frame. */
  if (!linear && pl->alpha < 0) {
    for (x = 0; x < pl->width * n; x++)
      row[x] = clamp01 (in[x]);
  } else if (!linear) {
    for (x = 0; x < pl->width; x++) {
      const gfloat *px = in + x * n;
      gfloat *o = row + x * n;
      const gfloat a = px[pl->alpha];
      const gfloat inverse = a > 0.0f ? 1.0f / a : 0.0f;

      for (k = 0; k < n; k++)
        o[k] = clamp01 (px[k] * inverse);
      o[pl->alpha] = clamp01 (a);
    }
  } else {
    for (x = 0; x < pl->width; x++) {
      const gfloat *px = in + x * n;
      gfloat *o = row + x * n;
      gfloat a = pl->alpha >= 0 ? px[pl->alpha] : 1.0f;

      for (k = 0; k < n; k++) {
        gfloat v = px[k];

        if ((gint) k == pl->alpha) {
          o[k] = clamp01 (v);
          continue;
        }
        if (pl->alpha >= 0)
          v = a > 0.0f ? v / a : 0.0f;
        o[k] = clamp01 (gst_disk_blur_linear_to_srgb (clamp01 (v)));
      }
    }
  }

  for (k = 0; k < n; k++) {
    const guint c = pl->comps[k];
    guint8 *dst = GST_VIDEO_FRAME_COMP_DATA (frame, c)
        + (gsize) y * GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
    const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);

    if (comp_is_16 (frame, c)) {
      for (x = 0; x < pl->width; x++)
        GST_WRITE_UINT16_LE (dst + (gsize) x * ps,
            (guint16) (row[x * n + k] * 65535.0f + 0.5f));
    } else {
      for (x = 0; x < pl->width; x++)
        dst[(gsize) x * ps] = (guint8) (row[x * n + k] * 255.0f + 0.5f);
    }
  }
}

void
gst_disk_blur_pack_rows (const GstDiskBlurLayout * layout, guint plane,
    const DiskImage * image, gboolean linear_light, GstVideoFrame * frame,
    guint y_begin, guint y_end)
{
  const GstDiskBlurPlane *pl = &layout->planes[plane];
  const guint n = pl->n_comps;
  const gboolean linear = linear_light && layout->rgb;
  const gboolean fast = !linear && plane_is_8 (frame, pl);
  g_autofree gfloat *row = fast ? NULL : g_new (gfloat, (gsize) pl->width * n);
  guint x, y;

  g_return_if_fail (image->width == pl->width && image->height == pl->height);
  g_return_if_fail (image->channels == n);

  for (y = y_begin; y < y_end; y++) {
    const gfloat *in = disk_image_pixel (image, 0, y);

    if (fast)
      pack_row_8 (pl, in, frame, y);
    else
      pack_row_general (pl, in, linear, row, frame, y);

    if (layout->pad_byte >= 0) {
      guint8 *dst = GST_VIDEO_FRAME_PLANE_DATA (frame, 0)
          + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);

      for (x = 0; x < pl->width; x++)
        dst[(gsize) x * 4 + layout->pad_byte] = 0xff;
    }
  }
}
