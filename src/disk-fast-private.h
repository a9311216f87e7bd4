/* DISK core, internal: the pieces of the fast path (disk-fast*.c) that the
 * level-blended varying layers (disk-fast-levels.c) run as well. Not
 * installed; not part of the public API. */
#ifndef __DISK_FAST_PRIVATE_H__
#define __DISK_FAST_PRIVATE_H__

#include "disk-fast.h"

G_BEGIN_DECLS

struct _DiskFastPlan
{
  guint n_layers;
  DiskFastLayer *layers[DISK_MAX_LAYERS];
};

struct _DiskFastLayer
{
  guint n;                      /* integer taps */
  gint *dx, *dy;
  gfloat *w;
  gint dx_min, dx_max;
  guint width, height;
  /* Sorted plans: the taps of two output rows y, y + 1 (y even) merged:
   * entry i reads input row y + pr[i], column dx + pdx[i], with weight
   * pw0[i] for row y and pw1[i] for row y + 1. The first pn_both entries
   * feed both rows, the next pn_first row y only, the last pn_second row
   * y + 1 only (disk-fast-plan.c: plan_row_pairs). And each row's taps alone in
   * the order its pair sums them (row y: sdy[0], sdx[0], sw[0]; row y + 1:
   * index 1; n each), for its interior when it is not paired. NULL, 0 for
   * unsorted plans. */
  guint pn, pn_both, pn_first, pn_second;
  gint *pr, *pdx;
  gfloat *pw0, *pw1;
  gint *sdy[2], *sdx[2];
  gfloat *sw[2];
};

/* disk_fast_layer_new for the runs of a varying layer: without the plans
 * of the row-pair kernel, which runs do not use, and with the taps sorted
 * or not (any order is as exact; sorted rows only help long spans, and
 * level plans, made by the thousand for runs of a few pixels, skip it). */
DiskFastLayer *disk_fast_layer_new_for_runs (const DiskSample * samples,
    guint n_samples, guint width, guint height, gboolean sorted);

/* o[j] = sum_i w[i] * base[off[i] + j] for 0 <= j < len, with the SIMD
 * kernel of this CPU (the same sums as the row functions). */
void disk_fast_span_offsets (gfloat * o, const gfloat * base,
    const gssize * off, const gfloat * w, guint n, gsize len);

/* o0[j] = sum_i w0[i] * base[off[i] + j] and o1 likewise with w1, for
 * 0 <= j < len, each read loaded once for both. */
void disk_fast_span2_offsets (gfloat * o0, gfloat * o1, const gfloat * base,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n,
    gsize len);

/* The same two, reading binary16 values; and dst[j] = src[j] rounded to
 * binary16 (to nearest even) for 0 <= j < n. Only where
 * disk_fast_half_rows_supported (). */
void disk_fast_span_offsets_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w, guint n, gsize len);
void disk_fast_span2_offsets_half (gfloat * o0, gfloat * o1,
    const guint16 * base, const gssize * off, const gfloat * w0,
    const gfloat * w1, guint n, gsize len);
void disk_fast_to_half (guint16 * dst, const gfloat * src, gsize n);

/* The two sums of disk_fast_span2_offsets(_half), A and B, blended as they
 * are stored: o[j] = (acc ? o[j] : 0) + pa[j / ch] * A[j] + pb[j / ch] *
 * B[j] for 0 <= j < len, pa and pb weights per pixel of the span (ch 1-4
 * channels). The reads come in three segments: the first n_both feed both
 * sums, the next n_first A alone, the last n_second B alone (their w1, or
 * w0, is not read): a multiply-add less for each read one level has alone.
 * pa NULL stands for 1 - pb: o[j] = (acc ? o[j] : 0) + A[j] + pb[j / ch]
 * (B[j] - A[j]), the linear blend of two levels with no weights to write.
 * pa and pb are read up to 16 floats past pixel len / ch: leave room. Only
 * where disk_fast_span2_blend_supported (half): AVX-512 (BW, VL) at
 * present; elsewhere the sums and a blend loop. */
gboolean disk_fast_span2_blend_supported (gboolean half);
void disk_fast_span2_blend (gfloat * o, const gfloat * base,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n_both,
    guint n_first, guint n_second, gsize len, const gfloat * pa,
    const gfloat * pb, guint ch, gboolean acc);
void disk_fast_span2_blend_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n_both,
    guint n_first, guint n_second, gsize len, const gfloat * pa,
    const gfloat * pb, guint ch, gboolean acc);

/* One pixel of ch = 1 to 4 channels between two levels
 * (disk-fast-pixel.c): o[c] = sum_i (w0[i] + t d[i]) base[off[i] + c] for
 * 0 <= c < ch, d = w1 - w0. n is a multiple of DISK_FAST_PIXEL_READS (pad
 * with offset 0 and weights 0); each read loads 4 binary16 values at
 * base + off[i], 4 - ch past the pixel: leave DISK_FAST_PIXEL_SLACK values
 * of room. Only
 * where disk_fast_pixel_blend_supported (): AVX-512 with F16C, and
 * DISK_FAST_PIXEL is not 0. */
#define DISK_FAST_PIXEL_READS 16
/* Values a lone pixel's reads may load past its last channel. */
#define DISK_FAST_PIXEL_SLACK 3
gboolean disk_fast_pixel_blend_supported (void);
void disk_fast_pixel_blend_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w0, const gfloat * d, guint n,
    gfloat t, guint ch);
/* The same for a pixel of ch = 1 or 2 channels, its reads gathered in n
 * windows of 4 binary16 values: o[c] = sum over q < n and p < 4 with
 * p % ch == c of (w0[4 q + p] + t d[4 q + p]) base[off[q] + p]. n is a
 * multiple of DISK_FAST_PIXEL_WINDOWS (pad with offset 0 and weights 0);
 * each window loads 4 values at base + off[q] (DISK_FAST_PIXEL_SLACK past
 * a read of the pixel's at most). Where disk_fast_pixel_blend_supported
 * (). */
#define DISK_FAST_PIXEL_WINDOWS 8
void disk_fast_pixel_blend_windows_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w0, const gfloat * d, guint n,
    gfloat t, guint ch);

/* With angle levels, a run's four levels in one pass (disk-fast-quad.c):
 * o[j] = (1 - t) ((1 - s0) A0[j] + s0 A1[j]) + t ((1 - s1) A2[j] + s1
 * A3[j]) for 0 <= j < len, where Ac[j] = sum_i w[4 i + c] * base[off[i] +
 * j] (the weights of the n reads interleaved, four per read) and t, s0 and
 * s1 are per pixel of the run (t[j / ch], ch 1-4 channels), read up to 16
 * floats past pixel len / ch: leave room. Only where
 * disk_fast_span4_blend_supported (half): AVX-512 (BW, VL). */
gboolean disk_fast_span4_blend_supported (gboolean half);
void disk_fast_span4_blend (gfloat * o, const gfloat * base,
    const gssize * off, const gfloat * w, guint n, gsize len,
    const gfloat * t, const gfloat * s0, const gfloat * s1, guint ch);
void disk_fast_span4_blend_half (gfloat * o, const guint16 * base,
    const gssize * off, const gfloat * w, guint n, gsize len,
    const gfloat * t, const gfloat * s0, const gfloat * s1, guint ch);
/* Whether this CPU has the same for two rows of 1 channel at once
 * (binary16; disk-fast-span.h's blend4_pair_half_func, which
 * disk-fast-levels.c calls): rows 0 and 1 of the output at o and o +
 * ostride, of the band at base and base + stride, of the weights at t, s0,
 * s1 and + wstride; the same values as two calls of
 * disk_fast_span4_blend_half. */
gboolean disk_fast_span4_blend_pair_supported (void);

/* The kernels behind them (disk-fast-quad.c) and the lane table they and
 * the two-level blends spread per-pixel weights with: for a vector from
 * float j of a span of ch-channel pixels, lane l holds pixel j / ch +
 * disk_fast_spread_lanes[ch][j % ch][l]. Filled by disk-fast-span.c's kernel
 * choice before any of them runs. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
void disk_fast_span4_blend_avx512 (gfloat * restrict o,
    const gfloat * restrict base, const gssize * restrict off,
    const gfloat * restrict w, guint n, gsize len, const gfloat * restrict t,
    const gfloat * restrict s0, const gfloat * restrict s1, guint ch);
void disk_fast_span4_blend_half_avx512 (gfloat * restrict o,
    const guint16 * restrict base, const gssize * restrict off,
    const gfloat * restrict w, guint n, gsize len, const gfloat * restrict t,
    const gfloat * restrict s0, const gfloat * restrict s1, guint ch);
void disk_fast_span4_blend_pair_half_avx512 (gfloat * restrict o,
    gsize ostride, const guint16 * restrict base, gsize stride,
    const gssize * restrict off, const gfloat * restrict w, guint n,
    gsize len, const gfloat * restrict t, const gfloat * restrict s0,
    const gfloat * restrict s1, gsize wstride);
#endif
extern gint32 disk_fast_spread_lanes[5][4][16];

/* j / ch for ch 1-4, as a division by a constant: these run for every
 * vector a blending kernel stores, where a division by the variable ch
 * took a tenth of a short run's time. */
static inline gsize
disk_fast_div_ch (gsize j, guint ch)
{
  switch (ch) {
    case 1:
      return j;
    case 2:
      return j >> 1;
    case 3:
      return j / 3;
    default:
      return j >> 2;
  }
}

/* Four floats in one vector (GCC vector extensions; an RGBA pixel), and the
 * same with 4-byte alignment for unaligned loads and stores. */
typedef gfloat v4f __attribute__ ((vector_size (16)));
typedef gfloat v4f_u __attribute__ ((vector_size (16), aligned (4)));

/* Per-call scratch of the row functions. */
typedef struct
{
  gconstpointer *src;           /* one read pointer per tap */
  gfloat *seg;                  /* clamped copies of input row pieces */
  gsize seg_size;
} Scratch;

void disk_fast_scratch_init (Scratch * s, guint n_taps);
void disk_fast_scratch_clear (Scratch * s);

/* Pixels x_begin <= x < x_end of row y of `o` (a whole output row) with the
 * layer's taps, clamp to edge. */
void disk_fast_row_span (const DiskFastLayer * layer, const DiskImage * in,
    gfloat * o, guint y, gint x_begin, gint x_end, Scratch * s);

/* The blocks of a DiskFastWorkspace, one per use (a block is grown, never
 * shrunk, and holds nothing from one call to the next). */
enum
{
  DISK_FAST_BLOCK_WINDOWS,      /* disk_fast_plan_rows: the layer windows */
  DISK_FAST_BLOCK_LEVELS_BAND,  /* disk-fast-levels.c: the padded band */
  DISK_FAST_BLOCK_LEVELS_ROW,   /* disk-fast-levels.c: per-row scratch */
  DISK_FAST_WORKSPACE_BLOCKS
};

/* At least `bytes` of the workspace's block `block` (contents undefined). */
gpointer disk_fast_workspace_block (DiskFastWorkspace * workspace,
    guint block, gsize bytes);

/* Interpolating a basis layer for pixel after pixel: the formulas of
 * disk-basis.h, with the same double expressions as disk-basis.c (so the
 * same samples), but the cosine and sine of the angle are kept from one
 * pixel to the next while the angle does not change. */
typedef struct
{
  const DiskBasis *basis;
  guint layer, n;
  gfloat sx, sy;                /* plane scale (subsampled chroma) */
  gdouble degrees, c, s;        /* cached rotation */
} Interp;

void disk_fast_interp_init (Interp * ip, const DiskBasis * basis,
    guint layer, gfloat sx, gfloat sy);
void disk_fast_interp_samples (Interp * ip, gdouble radius, gdouble degrees,
    DiskSample * out);

G_END_DECLS

#endif /* __DISK_FAST_PRIVATE_H__ */
