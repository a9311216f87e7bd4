/* diskblur: unpacking video frames to float planes and back. The layout of
 * every format comes from GStreamer's own format table (component plane,
 * offset, pixel stride, depth, subsampling), so one generic loop serves all
 * of them and no format is converted to another on the way.
 *
 * The common cases get SIMD kernels (below): 8-bit planes whose bytes are
 * the image's floats in order (every plane of I420 and friends, GRAY8, NV12's
 * UV, RGB), and 8-bit 4-byte pixels (RGBA-like, RGBx-like, AYUV). They do the
 * same float arithmetic as the general loops, element for element, so their
 * output is bit-identical to them (tests/test-element.c checks the result
 * against an independent reference). */
#include "gstdiskblur-formats.h"

#include <math.h>
#include <string.h>

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

/* Component c joins work plane `plane`, which takes c's size. */
static void
plane_add_comp (GstDiskBlurPlane * plane, const GstVideoInfo * info, guint c)
{
  const GstVideoFormatInfo *finfo = info->finfo;

  plane->comps[plane->n_comps++] = c;
  plane->width = GST_VIDEO_INFO_COMP_WIDTH (info, c);
  plane->height = GST_VIDEO_INFO_COMP_HEIGHT (info, c);
  plane->sub_x = 1u << GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
  plane->sub_y = 1u << GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);
}

gboolean
gst_disk_blur_layout_init (GstDiskBlurLayout * layout,
    const GstVideoInfo * info)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  const guint n_memory = GST_VIDEO_INFO_N_PLANES (info);
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
  /* Every format above with alpha keeps it beside colour components in one
   * memory plane, so there is room for one more work plane. */
  g_assert (n_memory < GST_VIDEO_MAX_PLANES);
  layout->rgb = GST_VIDEO_FORMAT_INFO_IS_RGB (finfo);
  layout->pad_byte = -1;
  for (p = 0; p < GST_VIDEO_MAX_PLANES; p++)
    layout->planes[p].alpha_plane = -1;

  /* Colour components of one size and depth share a work plane, whichever
   * memory planes hold them (I420's U and V, Y444's Y, U and V): the
   * varying layers pay per run of pixels, and a run of two or three
   * channels costs little more than one of a single channel
   * (docs/PERFORMANCE.md, eleventh pass). Then alpha, a work plane of its
   * own beside the colour plane of its memory plane. */
  for (c = 0; c < GST_VIDEO_INFO_N_COMPONENTS (info); c++) {
    const guint sub_x = 1u << GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
    const guint sub_y = 1u << GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);
    GstDiskBlurPlane *plane = NULL;

    if (GST_VIDEO_FORMAT_INFO_HAS_ALPHA (finfo) && c == GST_VIDEO_COMP_A)
      continue;
    for (p = 0; p < layout->n_planes && plane == NULL; p++)
      if (layout->planes[p].sub_x == sub_x
          && layout->planes[p].sub_y == sub_y
          && GST_VIDEO_FORMAT_INFO_DEPTH (finfo, layout->planes[p].comps[0])
          == GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c))
        plane = &layout->planes[p];
    if (plane == NULL)
      plane = &layout->planes[layout->n_planes++];
    plane_add_comp (plane, info, c);
  }
  if (GST_VIDEO_FORMAT_INFO_HAS_ALPHA (finfo)) {
    const guint a = GST_VIDEO_COMP_A;
    GstDiskBlurPlane *plane;

    for (p = 0; p < layout->n_planes; p++)
      if (GST_VIDEO_FORMAT_INFO_PLANE (finfo, layout->planes[p].comps[0])
          == GST_VIDEO_FORMAT_INFO_PLANE (finfo, a))
        break;
    g_assert (p < layout->n_planes);
    layout->planes[p].alpha_plane = layout->n_planes;
    plane = &layout->planes[layout->n_planes++];
    plane->alpha_only = TRUE;
    plane_add_comp (plane, info, a);
  }

  /* RGBx-like: three 8-bit components in a 4-byte pixel. */
  if (n_memory == 1 && GST_VIDEO_INFO_N_COMPONENTS (info) == 3
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

/* ------------------------------------------------------------------------ */
/* Per-component arithmetic, shared by every path */

static inline gfloat
clamp01 (gfloat v)
{
  /* Written so that NaN becomes 0. */
  return v > 0.0f ? (v < 1.0f ? v : 1.0f) : 0.0f;
}

/* v / 255 as the table holds it (the integer converted, then divided). */
static inline gfloat
unorm8 (guint v)
{
  return v / 255.0f;
}

static inline guint8
quant8 (gfloat v)
{
  return (guint8) (clamp01 (v) * 255.0f + 0.5f);
}

static inline gfloat
inverse_alpha (gfloat a)
{
  return a > 0.0f ? 1.0f / a : 0.0f;
}

/* The shift of byte `offset` of a 4-byte pixel read as a native guint32. */
static inline guint
byte_shift (guint offset)
{
  return G_BYTE_ORDER == G_LITTLE_ENDIAN ? 8 * offset : 24 - 8 * offset;
}

static inline guint32
load32 (const guint8 * p)
{
  guint32 v;

  memcpy (&v, p, 4);
  return v;
}

/* One 4-byte pixel: colour components at shift[0..2], alpha (if `alpha`) at
 * shift[3]; colour premultiplied. Returns the pixel for the opacity test. */
static inline guint32
unpack_px4_one (const guint8 * src, gfloat * colour, gfloat * alpha,
    const guint * shift)
{
  const guint32 v = load32 (src);
  const gfloat a = alpha != NULL ? unorm8 ((v >> shift[3]) & 255) : 1.0f;
  guint k;

  for (k = 0; k < 3; k++)
    colour[k] = unorm8 ((v >> shift[k]) & 255) * a;
  if (alpha != NULL)
    *alpha = a;
  return v;
}

/* The reverse; without `alpha` the byte at shift[3] is 255 (opaque alpha or
 * an RGBx pad byte). */
static inline void
pack_px4_one (const gfloat * colour, const gfloat * alpha, guint8 * dst,
    const guint * shift)
{
  guint32 v;

  if (alpha != NULL) {
    const gfloat inverse = inverse_alpha (*alpha);

    v = (guint32) quant8 (*alpha) << shift[3];
    v |= (guint32) quant8 (colour[0] * inverse) << shift[0];
    v |= (guint32) quant8 (colour[1] * inverse) << shift[1];
    v |= (guint32) quant8 (colour[2] * inverse) << shift[2];
  } else {
    v = (guint32) 255 << shift[3];
    v |= (guint32) quant8 (colour[0]) << shift[0];
    v |= (guint32) quant8 (colour[1]) << shift[1];
    v |= (guint32) quant8 (colour[2]) << shift[2];
  }
  memcpy (dst, &v, 4);
}

/* ------------------------------------------------------------------------ */
/* SIMD kernels: GCC vector extensions of 16 bytes (SSE2 on baseline x86-64,
 * NEON on arm64, emulated elsewhere), plus 32-byte AVX2 versions of the
 * 4-byte-pixel loops chosen at run time. Bytes are handled as guint32 lanes
 * with shifts, and floats rearranged with two-operand shuffles: both compile
 * to plain SSE2 (byte-vector widening and narrowing do not: GCC scalarises
 * them without SSSE3). Measured in docs/PERFORMANCE.md; every element is
 * computed exactly as by the scalar functions above (no contraction into
 * FMA: ISO C mode), and the scalar functions finish each row. */

#if defined(__GNUC__) && defined(__has_builtin)
#if __has_builtin (__builtin_shufflevector) \
    && __has_builtin (__builtin_convertvector)
#define HAVE_VECTORS 1
#endif
#endif

#ifdef HAVE_VECTORS
typedef gfloat v4f __attribute__ ((vector_size (16)));
typedef gfloat v4f_u __attribute__ ((vector_size (16), aligned (4)));
typedef gint32 v4i __attribute__ ((vector_size (16)));
typedef guint32 v4u __attribute__ ((vector_size (16)));
typedef guint32 v4u_u __attribute__ ((vector_size (16), aligned (1)));

#define LOADF(p) (*(const v4f_u *) (p))
#define STOREF(p, v) (*(v4f_u *) (p) = (v))

static inline v4f
vec_unorm8 (v4u v, guint shift)
{
  return __builtin_convertvector ((v4i) ((v >> shift) & 255), v4f) / 255.0f;
}

static inline v4u
vec_quant8 (v4f v)
{
  const v4f one = { 1.0f, 1.0f, 1.0f, 1.0f };
  v4i below = v < one;

  /* clamp01: v < 1 ? v : 1, then 0 unless v > 0 (NaN included). */
  v = (v4f) (((v4i) v & below) | ((v4i) one & ~below));
  v = (v4f) ((v4i) v & (v > 0.0f));
  return (v4u) __builtin_convertvector (v * 255.0f + 0.5f, v4i);
}

/* Rows of a 4x4 matrix to columns. */
#define TRANSPOSE4(a, b, c, d)                                        \
  G_STMT_START {                                                      \
    const v4f t0 = __builtin_shufflevector (a, b, 0, 4, 1, 5);        \
    const v4f t1 = __builtin_shufflevector (a, b, 2, 6, 3, 7);        \
    const v4f t2 = __builtin_shufflevector (c, d, 0, 4, 1, 5);        \
    const v4f t3 = __builtin_shufflevector (c, d, 2, 6, 3, 7);        \
    a = __builtin_shufflevector (t0, t2, 0, 1, 4, 5);                 \
    b = __builtin_shufflevector (t0, t2, 2, 3, 6, 7);                 \
    c = __builtin_shufflevector (t1, t3, 0, 1, 4, 5);                 \
    d = __builtin_shufflevector (t1, t3, 2, 3, 6, 7);                 \
  } G_STMT_END

/* r, g, b of 4 pixels to 12 interleaved floats, and back. */
static inline void
vec_store3 (gfloat * o, v4f r, v4f g, v4f b)
{
  const v4f rg = __builtin_shufflevector (r, g, 0, 4, 1, 5);
  const v4f rg2 = __builtin_shufflevector (r, g, 2, 6, 3, 7);
  const v4f mid = __builtin_shufflevector (rg, rg2, 3, 4, 5, 0);

  STOREF (o, __builtin_shufflevector (rg, b, 0, 1, 4, 2));
  STOREF (o + 4, __builtin_shufflevector (mid, b, 0, 5, 1, 2));
  STOREF (o + 8, __builtin_shufflevector (rg2, b, 6, 2, 3, 7));
}

static inline void
vec_load3 (const gfloat * in, v4f * r, v4f * g, v4f * b)
{
  const v4f i0 = LOADF (in), i1 = LOADF (in + 4), i2 = LOADF (in + 8);
  const v4f tr = __builtin_shufflevector (i0, i1, 0, 3, 6, 0);
  const v4f tg = __builtin_shufflevector (i0, i1, 1, 4, 7, 0);
  const v4f tb = __builtin_shufflevector (i0, i1, 2, 5, 0, 0);

  *r = __builtin_shufflevector (tr, i2, 0, 1, 2, 5);
  *g = __builtin_shufflevector (tg, i2, 0, 1, 2, 6);
  *b = __builtin_shufflevector (tb, i2, 0, 1, 4, 7);
}
#endif

/* out[i] = src[i] / 255 for 0 <= i < n. */
static void
unpack_contig (const guint8 * src, gfloat * out, gsize n)
{
  gsize i = 0;

#ifdef HAVE_VECTORS
  const guint s0 = byte_shift (0), s1 = byte_shift (1);
  const guint s2 = byte_shift (2), s3 = byte_shift (3);

  for (; i + 16 <= n; i += 16) {
    const v4u v = *(const v4u_u *) (src + i);
    v4f a = vec_unorm8 (v, s0), b = vec_unorm8 (v, s1);
    v4f c = vec_unorm8 (v, s2), d = vec_unorm8 (v, s3);

    /* Lane j of a..d holds bytes 4j..4j+3. */
    TRANSPOSE4 (a, b, c, d);
    STOREF (out + i, a);
    STOREF (out + i + 4, b);
    STOREF (out + i + 8, c);
    STOREF (out + i + 12, d);
  }
#endif
  for (; i < n; i++)
    out[i] = unorm8 (src[i]);
}

/* dst[i] = in[i] clamped, scaled and rounded, for 0 <= i < n. */
static void
pack_contig (const gfloat * in, guint8 * dst, gsize n)
{
  gsize i = 0;

#ifdef HAVE_VECTORS
  const guint s0 = byte_shift (0), s1 = byte_shift (1);
  const guint s2 = byte_shift (2), s3 = byte_shift (3);

  for (; i + 16 <= n; i += 16) {
    v4f a = LOADF (in + i), b = LOADF (in + i + 4);
    v4f c = LOADF (in + i + 8), d = LOADF (in + i + 12);

    TRANSPOSE4 (a, b, c, d);
    *(v4u_u *) (dst + i) = vec_quant8 (a) << s0 | vec_quant8 (b) << s1
        | vec_quant8 (c) << s2 | vec_quant8 (d) << s3;
  }
#endif
  for (; i < n; i++)
    dst[i] = quant8 (in[i]);
}

/* 4-byte pixels, 4 or 8 at a time (the loops of unpack_px4 and pack_px4
 * below, which finish the row with the scalar functions): generated for
 * 16-byte vectors and, on x86, for AVX2's 32-byte ones, chosen at run time
 * (`DISK_FAST_SIMD=generic` keeps the 16-byte ones, as for the filter). The
 * AVX2 functions do no FMA contraction either (target "avx2" only). */
#ifdef HAVE_VECTORS
#define PX4_KERNELS(SUF, ATTR, VF, VFU, VI, VU, VUU, W, STORE3, LOAD3)     \
ATTR static inline VF                                                     \
unorm8_##SUF (VU v, guint shift)                                          \
{                                                                         \
  return __builtin_convertvector ((VI) ((v >> shift) & 255), VF) / 255.0f; \
}                                                                         \
                                                                          \
ATTR static inline VU                                                     \
quant8_##SUF (VF v)                                                       \
{                                                                         \
  const VF one = (VF) { 0 } + 1.0f;                                       \
  const VI below = v < one;                                               \
                                                                          \
  v = (VF) (((VI) v & below) | ((VI) one & ~below));                      \
  v = (VF) ((VI) v & (v > 0.0f));                                         \
  return (VU) __builtin_convertvector (v * 255.0f + 0.5f, VI);            \
}                                                                         \
                                                                          \
ATTR static guint                                                         \
unpack_px4_##SUF (const guint8 * src, gfloat * colour, gfloat * alpha,    \
    guint width, const guint * shift, guint32 * all)                      \
{                                                                         \
  VU acc = (VU) { 0 } + *all;                                             \
  guint x = 0, k;                                                         \
                                                                          \
  for (; x + W <= width; x += W) {                                        \
    const VU v = *(const VUU *) (src + 4 * x);                            \
    VF r = unorm8_##SUF (v, shift[0]);                                    \
    VF g = unorm8_##SUF (v, shift[1]);                                    \
    VF b = unorm8_##SUF (v, shift[2]);                                    \
                                                                          \
    if (alpha != NULL) {                                                  \
      const VF a = unorm8_##SUF (v, shift[3]);                            \
                                                                          \
      r *= a;                                                             \
      g *= a;                                                             \
      b *= a;                                                             \
      *(VFU *) (alpha + x) = a;                                           \
      acc &= v;                                                           \
    }                                                                     \
    STORE3 (colour + 3 * x, r, g, b);                                     \
  }                                                                       \
  for (k = 0; k < W; k++)                                                 \
    *all &= acc[k];                                                       \
  return x;                                                               \
}                                                                         \
                                                                          \
ATTR static guint                                                         \
pack_px4_##SUF (const gfloat * colour, const gfloat * alpha, guint8 * dst, \
    guint width, const guint * shift)                                     \
{                                                                         \
  guint x = 0;                                                            \
                                                                          \
  for (; x + W <= width; x += W) {                                        \
    VF r, g, b;                                                           \
    VU v;                                                                 \
                                                                          \
    LOAD3 (colour + 3 * x, &r, &g, &b);                                   \
    if (alpha != NULL) {                                                  \
      const VF a = *(const VFU *) (alpha + x);                            \
      const VF inverse = (VF) ((VI) (1.0f / a) & (a > 0.0f));             \
                                                                          \
      r *= inverse;                                                       \
      g *= inverse;                                                       \
      b *= inverse;                                                       \
      v = quant8_##SUF (a) << shift[3];                                   \
    } else {                                                              \
      v = ((VU) { 0 } + 255) << shift[3];                                 \
    }                                                                     \
    *(VUU *) (dst + 4 * x) = v | quant8_##SUF (r) << shift[0]             \
        | quant8_##SUF (g) << shift[1] | quant8_##SUF (b) << shift[2];    \
  }                                                                       \
  return x;                                                               \
}

PX4_KERNELS (v4, , v4f, v4f_u, v4i, v4u, v4u_u, 4, vec_store3, vec_load3)

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_AVX2_KERNELS 1
typedef gfloat v8f __attribute__ ((vector_size (32)));
typedef gfloat v8f_u __attribute__ ((vector_size (32), aligned (4)));
typedef gint32 v8i __attribute__ ((vector_size (32)));
typedef guint32 v8u __attribute__ ((vector_size (32)));
typedef guint32 v8u_u __attribute__ ((vector_size (32), aligned (1)));

/* vec_store3 and vec_load3 for 8 pixels. */
__attribute__ ((target ("avx2")))
static inline void
vec8_store3 (gfloat * o, v8f r, v8f g, v8f b)
{
  const v8f rg = __builtin_shufflevector (r, g, 0, 8, 1, 9, 2, 10, 3, 11);
  const v8f rg2 = __builtin_shufflevector (r, g, 4, 12, 5, 13, 6, 14, 7, 15);
  const v8f mid = __builtin_shufflevector (rg, rg2, 6, 7, 8, 9, 10, 0, 0, 0);

  *(v8f_u *) o = __builtin_shufflevector (rg, b, 0, 1, 8, 2, 3, 9, 4, 5);
  *(v8f_u *) (o + 8) = __builtin_shufflevector (mid, b, 10, 0, 1, 11, 2, 3,
      12, 4);
  *(v8f_u *) (o + 16) = __builtin_shufflevector (rg2, b, 3, 13, 4, 5, 14, 6,
      7, 15);
}

__attribute__ ((target ("avx2")))
static inline void
vec8_load3 (const gfloat * in, v8f * r, v8f * g, v8f * b)
{
  const v8f i0 = *(const v8f_u *) in;
  const v8f i1 = *(const v8f_u *) (in + 8);
  const v8f i2 = *(const v8f_u *) (in + 16);
  const v8f tr = __builtin_shufflevector (i0, i1, 0, 3, 6, 9, 12, 15, 0, 0);
  const v8f tg = __builtin_shufflevector (i0, i1, 1, 4, 7, 10, 13, 0, 0, 0);
  const v8f tb = __builtin_shufflevector (i0, i1, 2, 5, 8, 11, 14, 0, 0, 0);

  *r = __builtin_shufflevector (tr, i2, 0, 1, 2, 3, 4, 5, 10, 13);
  *g = __builtin_shufflevector (tg, i2, 0, 1, 2, 3, 4, 8, 11, 14);
  *b = __builtin_shufflevector (tb, i2, 0, 1, 2, 3, 4, 9, 12, 15);
}

PX4_KERNELS (v8, __attribute__ ((target ("avx2"))), v8f, v8f_u, v8i, v8u,
    v8u_u, 8, vec8_store3, vec8_load3)
#endif

typedef struct
{
  guint (*unpack) (const guint8 * src, gfloat * colour, gfloat * alpha,
      guint width, const guint * shift, guint32 * all);
  guint (*pack) (const gfloat * colour, const gfloat * alpha, guint8 * dst,
      guint width, const guint * shift);
} Px4Kernels;

static const Px4Kernels *
px4_kernels (void)
{
  static Px4Kernels kernels = { unpack_px4_v4, pack_px4_v4 };
  static gsize initialised = 0;

  if (g_once_init_enter (&initialised)) {
#ifdef HAVE_AVX2_KERNELS
    __builtin_cpu_init ();
    if (__builtin_cpu_supports ("avx2")
        && g_strcmp0 (g_getenv ("DISK_FAST_SIMD"), "generic") != 0) {
      kernels.unpack = unpack_px4_v8;
      kernels.pack = pack_px4_v8;
    }
#endif
    g_once_init_leave (&initialised, 1);
  }
  return &kernels;
}
#endif

/* A row of 4-byte pixels to 3-channel colour (premultiplied when `alpha`)
 * and alpha; TRUE when every alpha is 255 (or there is none). */
static gboolean
unpack_px4 (const guint8 * src, gfloat * colour, gfloat * alpha, guint width,
    const guint * shift)
{
  guint32 all = 0xffffffffu;
  guint x = 0;

#ifdef HAVE_VECTORS
  x = px4_kernels ()->unpack (src, colour, alpha, width, shift, &all);
#endif
  for (; x < width; x++)
    all &= unpack_px4_one (src + 4 * x, colour + 3 * x,
        alpha != NULL ? alpha + x : NULL, shift);
  return alpha == NULL || ((all >> shift[3]) & 255) == 255;
}

static void
pack_px4 (const gfloat * colour, const gfloat * alpha, guint8 * dst,
    guint width, const guint * shift)
{
  guint x = 0;

#ifdef HAVE_VECTORS
  x = px4_kernels ()->pack (colour, alpha, dst, width, shift);
#endif
  for (; x < width; x++)
    pack_px4_one (colour + 3 * x, alpha != NULL ? alpha + x : NULL,
        dst + 4 * x, shift);
}

/* ------------------------------------------------------------------------ */
/* Choosing a path for a plane */

typedef enum
{
  PATH_GENERAL,                 /* any depth, any layout, sRGB coding */
  PATH_BYTES,                   /* 8-bit components, one pixel stride */
  PATH_CONTIG,                  /* 8-bit bytes = the image's floats in order */
  PATH_PX4,                     /* 8-bit 3 colours (+ alpha or pad) in 4 bytes */
  PATH_PLANES,                  /* 8-bit components, each in a memory plane
                                 * of its own (I420's U and V) */
} Path;

typedef struct
{
  Path path;
  gint alpha_comp;              /* component index of alpha, or -1 */
  guint shift[4];               /* PATH_PX4: R, G, B and alpha or pad byte */
} PlanePath;

static inline gboolean
comp_is_16 (const GstVideoFrame * frame, guint c)
{
  return GST_VIDEO_FRAME_COMP_DEPTH (frame, c) > 8;
}

/* `coding`: the colour components are sRGB-coded (linear-light RGB). */
static PlanePath
plane_path (const GstDiskBlurLayout * layout, const GstDiskBlurPlane * pl,
    const GstVideoFrame * frame, gboolean coding)
{
  const guint n = pl->n_comps;
  const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, pl->comps[0]);
  PlanePath path = { PATH_GENERAL, -1, {0, 0, 0, 0} };
  guint comps[GST_VIDEO_MAX_COMPONENTS];
  guint k, n_all = n, used = 0;
  gboolean in_order = TRUE;

  memcpy (comps, pl->comps, n * sizeof (guint));
  if (pl->alpha_plane >= 0) {
    path.alpha_comp = layout->planes[pl->alpha_plane].comps[0];
    comps[n_all++] = path.alpha_comp;
  }
  for (k = 0; k < n_all; k++) {
    const guint offset = GST_VIDEO_FRAME_COMP_POFFSET (frame, comps[k]);

    if (comp_is_16 (frame, comps[k])
        || GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comps[k]) != ps)
      return path;
    in_order = in_order && offset == k;
    if (offset < 4) {
      path.shift[k] = byte_shift (offset);
      used |= 1u << offset;
    }
  }
  if (coding) {
    path.path = PATH_BYTES;
  } else if (ps == 4 && n == 3 && used != 0 && (used & ~0xfu) == 0) {
    path.path = PATH_PX4;
    if (path.alpha_comp < 0)
      for (k = 0; k < 4; k++)
        if (!(used & (1u << k)))
          path.shift[3] = byte_shift (k);
  } else if (path.alpha_comp < 0 && ps == (gint) n && in_order) {
    path.path = PATH_CONTIG;
  } else if (path.alpha_comp < 0 && ps == 1 && n > 1) {
    path.path = PATH_PLANES;
  } else {
    path.path = PATH_BYTES;
  }
  return path;
}

static inline guint8 *
comp_row (const GstVideoFrame * frame, guint c, guint y)
{
  return (guint8 *) GST_VIDEO_FRAME_COMP_DATA (frame, c)
      + (gsize) y * GST_VIDEO_FRAME_COMP_STRIDE (frame, c);
}

/* The start of row y of the memory plane holding component c. */
static inline guint8 *
plane_row (const GstVideoFrame * frame, guint c, guint y)
{
  const guint p = GST_VIDEO_FRAME_COMP_PLANE (frame, c);

  return (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (frame, p)
      + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, p);
}

/* Components each in a memory plane of their own (PATH_PLANES), row y:
 * each converted as a contiguous row into `row` (width floats), then
 * interleaved into the image's pixels; and back. */
static void
unpack_planes (const GstDiskBlurPlane * pl, const GstVideoFrame * frame,
    guint y, gfloat * row, gfloat * out)
{
  const guint n = pl->n_comps;
  guint k, x;

  for (k = 0; k < n; k++) {
    unpack_contig (comp_row (frame, pl->comps[k], y), row, pl->width);
    for (x = 0; x < pl->width; x++)
      out[(gsize) x * n + k] = row[x];
  }
}

static void
pack_planes (const GstDiskBlurPlane * pl, const gfloat * in,
    GstVideoFrame * frame, guint y, gfloat * row)
{
  const guint n = pl->n_comps;
  guint k, x;

  for (k = 0; k < n; k++) {
    for (x = 0; x < pl->width; x++)
      row[x] = in[(gsize) x * n + k];
    pack_contig (row, comp_row (frame, pl->comps[k], y), pl->width);
  }
}

/* ------------------------------------------------------------------------ */
/* Unpacking */

/* One row of an 8-bit plane with one pixel stride, any component order:
 * every component through its table (sRGB or v / 255), premultiplied by
 * alpha (a multiplication by 1 where there is none, which is exact). */
static gboolean
unpack_row_bytes (const GstDiskBlurPlane * pl, gint alpha_comp,
    const GstVideoFrame * frame, guint y, const gfloat * srgb,
    gfloat * out, gfloat * aout)
{
  const guint n = pl->n_comps;
  const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, pl->comps[0]);
  const gfloat *unorm = unorm_table_8 ();
  const guint8 *src[GST_VIDEO_MAX_COMPONENTS];
  const gfloat *table = srgb != NULL ? srgb : unorm;
  const guint8 *alpha = alpha_comp >= 0 ? comp_row (frame, alpha_comp, y)
      : NULL;
  guint all = 255;
  guint x, k;

  for (k = 0; k < n; k++)
    src[k] = comp_row (frame, pl->comps[k], y);

  for (x = 0; x < pl->width; x++) {
    const gsize at = (gsize) x * ps;
    gfloat a = 1.0f;
    gfloat *px = out + x * n;

    if (alpha != NULL) {
      all &= alpha[at];
      a = aout[x] = unorm[alpha[at]];
    }
    for (k = 0; k < n; k++)
      px[k] = table[src[k][at]] * a;
  }
  return all == 255;
}

/* Any plane: component by component, 8 or 16 bits, then premultiplied. */
static gboolean
unpack_row_general (const GstDiskBlurPlane * pl, gint alpha_comp,
    const GstVideoFrame * frame, guint y, const gfloat * srgb,
    gfloat * out, gfloat * aout)
{
  const guint n = pl->n_comps;
  const gfloat *unorm = unorm_table_8 ();
  gboolean opaque = TRUE;
  guint x, k;

  for (k = 0; k < n + (alpha_comp >= 0); k++) {
    const gboolean is_alpha = k == n;
    const guint c = is_alpha ? (guint) alpha_comp : pl->comps[k];
    const guint8 *src = comp_row (frame, c, y);
    const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);
    const guint stride = is_alpha ? 1 : n;
    gfloat *o = is_alpha ? aout : out + k;

    if (comp_is_16 (frame, c)) {
      for (x = 0; x < pl->width; x++) {
        const guint raw = GST_READ_UINT16_LE (src + (gsize) x * ps);
        const gfloat v = raw / 65535.0f;

        opaque = opaque && (!is_alpha || raw == 65535);
        o[x * stride] = srgb != NULL && !is_alpha ?
            gst_disk_blur_srgb_to_linear (v) : v;
      }
    } else {
      const gfloat *table = srgb != NULL && !is_alpha ? srgb : unorm;

      for (x = 0; x < pl->width; x++) {
        const guint raw = src[(gsize) x * ps];

        opaque = opaque && (!is_alpha || raw == 255);
        o[x * stride] = table[raw];
      }
    }
  }

  if (alpha_comp >= 0)
    for (x = 0; x < pl->width; x++)
      for (k = 0; k < n; k++)
        out[x * n + k] *= aout[x];
  return opaque;
}

gboolean
gst_disk_blur_unpack_rows (const GstDiskBlurLayout * layout, guint plane,
    const GstVideoFrame * frame, gboolean linear_light, DiskImage * image,
    DiskImage * alpha, guint y_begin, guint y_end)
{
  const GstDiskBlurPlane *pl = &layout->planes[plane];

  if (pl->alpha_only || y_begin >= y_end)
    return TRUE;
  g_return_val_if_fail (image->width == pl->width
      && image->height == pl->height && image->channels == pl->n_comps,
      TRUE);
  g_return_val_if_fail ((pl->alpha_plane >= 0) == (alpha != NULL), TRUE);
  g_return_val_if_fail (alpha == NULL || (alpha->width == pl->width
          && alpha->height == pl->height && alpha->channels == 1), TRUE);

  return gst_disk_blur_unpack_rows_to (layout, plane, frame, linear_light,
      disk_image_pixel (image, 0, y_begin), image->stride,
      alpha != NULL ? disk_image_pixel (alpha, 0, y_begin) : NULL,
      alpha != NULL ? alpha->stride : 0, y_begin, y_end);
}

gboolean
gst_disk_blur_unpack_rows_to (const GstDiskBlurLayout * layout, guint plane,
    const GstVideoFrame * frame, gboolean linear_light, gfloat * rows,
    gsize stride, gfloat * alpha_rows, gsize alpha_stride, guint y_begin,
    guint y_end)
{
  const GstDiskBlurPlane *pl = &layout->planes[plane];
  const guint n = pl->n_comps;
  const gboolean coding = linear_light && layout->rgb;
  const gfloat *srgb = coding ? srgb_table_8 () : NULL;
  g_autofree gfloat *row = NULL;
  PlanePath path;
  gboolean opaque = TRUE;
  guint y;

  if (pl->alpha_only)
    return TRUE;
  g_return_val_if_fail ((pl->alpha_plane >= 0) == (alpha_rows != NULL), TRUE);

  path = plane_path (layout, pl, frame, coding);
  if (path.path == PATH_PLANES)
    row = g_new (gfloat, pl->width);
  for (y = y_begin; y < y_end; y++) {
    gfloat *out = rows + (gsize) (y - y_begin) * stride;
    gfloat *aout = alpha_rows != NULL ?
        alpha_rows + (gsize) (y - y_begin) * alpha_stride : NULL;

    switch (path.path) {
      case PATH_CONTIG:
        unpack_contig (comp_row (frame, pl->comps[0], y), out,
            (gsize) pl->width * n);
        break;
      case PATH_PLANES:
        unpack_planes (pl, frame, y, row, out);
        break;
      case PATH_PX4:
        opaque &= unpack_px4 (plane_row (frame, pl->comps[0], y), out, aout,
            pl->width, path.shift);
        break;
      case PATH_BYTES:
        opaque &= unpack_row_bytes (pl, path.alpha_comp, frame, y, srgb, out,
            aout);
        break;
      case PATH_GENERAL:
        opaque &= unpack_row_general (pl, path.alpha_comp, frame, y, srgb,
            out, aout);
        break;
    }
  }
  return opaque;
}

/* ------------------------------------------------------------------------ */
/* Packing */

/* One row of an 8-bit plane with one pixel stride, any component order, no
 * sRGB coding: un-premultiply, clamp and round straight into the frame.
 * `has_alpha` without `ain`: opaque, colours as they are, alpha 255. */
static void
pack_row_bytes (const GstDiskBlurPlane * pl, gint alpha_comp,
    const gfloat * in, const gfloat * ain, GstVideoFrame * frame, guint y)
{
  const guint n = pl->n_comps;
  const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, pl->comps[0]);
  guint8 *dst[GST_VIDEO_MAX_COMPONENTS];
  guint8 *adst = alpha_comp >= 0 ? comp_row (frame, alpha_comp, y) : NULL;
  guint x, k;

  for (k = 0; k < n; k++)
    dst[k] = comp_row (frame, pl->comps[k], y);

  for (x = 0; x < pl->width; x++) {
    const gsize at = (gsize) x * ps;
    const gfloat *px = in + x * n;
    gfloat inverse = 1.0f;

    if (ain != NULL) {
      inverse = inverse_alpha (ain[x]);
      adst[at] = quant8 (ain[x]);
    } else if (adst != NULL) {
      adst[at] = 255;
    }
    for (k = 0; k < n; k++)
      dst[k][at] = quant8 (px[k] * inverse);
  }
}

/* Any plane, any depth, sRGB coding or not: un-premultiply and re-encode
 * into `row` and `arow` (values in [0, 1]), then write each component. */
static void
pack_row_general (const GstDiskBlurPlane * pl, gint alpha_comp,
    const gfloat * in, const gfloat * ain, gboolean coding, gfloat * row,
    gfloat * arow, GstVideoFrame * frame, guint y)
{
  const guint n = pl->n_comps;
  guint x, k;

  for (x = 0; x < pl->width; x++) {
    const gfloat *px = in + x * n;
    gfloat *o = row + x * n;
    const gfloat a = ain != NULL ? ain[x] : 1.0f;

    if (!coding) {
      const gfloat inverse = ain != NULL ? inverse_alpha (a) : 1.0f;

      for (k = 0; k < n; k++)
        o[k] = clamp01 (px[k] * inverse);
    } else {
      for (k = 0; k < n; k++) {
        gfloat v = px[k];

        if (ain != NULL)
          v = a > 0.0f ? v / a : 0.0f;
        o[k] = clamp01 (gst_disk_blur_linear_to_srgb (clamp01 (v)));
      }
    }
    arow[x] = clamp01 (a);
  }

  for (k = 0; k < n + (alpha_comp >= 0); k++) {
    const gboolean is_alpha = k == n;
    const guint c = is_alpha ? (guint) alpha_comp : pl->comps[k];
    const gfloat *v = is_alpha ? arow : row + k;
    const guint stride = is_alpha ? 1 : n;
    guint8 *dst = comp_row (frame, c, y);
    const gint ps = GST_VIDEO_FRAME_COMP_PSTRIDE (frame, c);

    if (comp_is_16 (frame, c)) {
      for (x = 0; x < pl->width; x++)
        GST_WRITE_UINT16_LE (dst + (gsize) x * ps,
            (guint16) (v[x * stride] * 65535.0f + 0.5f));
    } else {
      for (x = 0; x < pl->width; x++)
        dst[(gsize) x * ps] = (guint8) (v[x * stride] * 255.0f + 0.5f);
    }
  }
}

void
gst_disk_blur_pack_rows (const GstDiskBlurLayout * layout, guint plane,
    const DiskImage * image, const DiskImage * alpha, gboolean linear_light,
    GstVideoFrame * frame, guint y_begin, guint y_end)
{
  const GstDiskBlurPlane *pl = &layout->planes[plane];

  if (pl->alpha_only || y_begin >= y_end)
    return;
  g_return_if_fail (image->width == pl->width && image->height == pl->height
      && image->channels == pl->n_comps);
  g_return_if_fail (alpha == NULL || (pl->alpha_plane >= 0
          && alpha->width == pl->width && alpha->height == pl->height
          && alpha->channels == 1));

  gst_disk_blur_pack_rows_from (layout, plane, disk_image_pixel (image, 0,
          y_begin), image->stride, alpha != NULL ? disk_image_pixel (alpha, 0,
          y_begin) : NULL, alpha != NULL ? alpha->stride : 0, linear_light,
      frame, y_begin, y_end);
}

void
gst_disk_blur_pack_rows_from (const GstDiskBlurLayout * layout, guint plane,
    const gfloat * rows, gsize stride, const gfloat * alpha_rows,
    gsize alpha_stride, gboolean linear_light, GstVideoFrame * frame,
    guint y_begin, guint y_end)
{
  const GstDiskBlurPlane *pl = &layout->planes[plane];
  const guint n = pl->n_comps;
  const gboolean coding = linear_light && layout->rgb;
  PlanePath path;
  g_autofree gfloat *row = NULL;
  g_autofree gfloat *arow = NULL;
  guint x, y;

  if (pl->alpha_only)
    return;
  g_return_if_fail (alpha_rows == NULL || pl->alpha_plane >= 0);

  path = plane_path (layout, pl, frame, coding);
  if (coding)
    path.path = PATH_GENERAL;
  if (path.path == PATH_GENERAL) {
    row = g_new (gfloat, (gsize) pl->width * n);
    arow = g_new (gfloat, pl->width);
  } else if (path.path == PATH_PLANES) {
    row = g_new (gfloat, pl->width);
  }

  for (y = y_begin; y < y_end; y++) {
    const gfloat *in = rows + (gsize) (y - y_begin) * stride;
    const gfloat *ain = alpha_rows != NULL ?
        alpha_rows + (gsize) (y - y_begin) * alpha_stride : NULL;

    switch (path.path) {
      case PATH_CONTIG:
        pack_contig (in, comp_row (frame, pl->comps[0], y),
            (gsize) pl->width * n);
        break;
      case PATH_PLANES:
        pack_planes (pl, in, frame, y, row);
        break;
      case PATH_PX4:
        /* Writes the pad byte of RGBx-like formats too. */
        pack_px4 (in, ain, plane_row (frame, pl->comps[0], y), pl->width,
            path.shift);
        continue;
      case PATH_BYTES:
        pack_row_bytes (pl, path.alpha_comp, in, ain, frame, y);
        break;
      case PATH_GENERAL:
        pack_row_general (pl, path.alpha_comp, in, ain, coding, row, arow,
            frame, y);
        break;
    }

    if (layout->pad_byte >= 0) {
      guint8 *dst = GST_VIDEO_FRAME_PLANE_DATA (frame, 0)
          + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);

      for (x = 0; x < pl->width; x++)
        dst[(gsize) x * 4 + layout->pad_byte] = 0xff;
    }
  }
}
