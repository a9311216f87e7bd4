/* Dense baselines: direct convolution (the ground truth), FFT convolution
 * (FFTW3, single precision) and the per-pixel gather of spatially varying
 * ground truth.
 *
 * Every one computes, with clamp to edge and the kernel drawn as the image of
 * a point light (centre (h, h) of a (2h + 1)^2 canvas):
 *
 *   out(x, y) = sum_{kx, ky} K[ky][kx] * in(x - (kx - h), y - (ky - h))
 *
 * which is what a DISK complex whose impulse response is K computes. */
#ifndef __BENCH_DENSE_H__
#define __BENCH_DENSE_H__

#include "disk-image.h"
#include "disk-target.h"

G_BEGIN_DECLS

/* Rows y_begin <= y < y_end of the direct convolution. `padded` is the input
 * padded by `pad` >= h (bench_image_pad); `out` has the unpadded shape. */
void bench_dense_rows (const DiskImage * kernel, const DiskImage * padded,
    guint pad, DiskImage * out, guint y_begin, guint y_end);

/* The whole direct convolution. */
void bench_dense (const DiskImage * kernel, const DiskImage * in,
    DiskImage * out);

/* Number of non-zero taps of a kernel (the samples a dense filter reads). */
guint bench_kernel_taps (const DiskImage * kernel);

/* FFT convolution of frames of one shape with one kernel: plans and the
 * kernel's spectrum are made once (not part of a frame's cost). */
typedef struct _BenchFft BenchFft;

BenchFft *bench_fft_new (const DiskImage * kernel, guint width, guint height);
void bench_fft_apply (BenchFft * fft, const DiskImage * in, DiskImage * out);
void bench_fft_free (BenchFft * fft);

/* Spatially varying ground truth: every output pixel gathers with the true
 * target kernel rendered at its own radius (and `target`'s rotation plus its
 * angle, degrees). Kernels are rendered for each distinct (radius, angle)
 * pair, radii rounded to a multiple of `radius_step` pixels when it is > 0
 * (exact when 0), and cached while the cache stays under a size limit.
 * Only pixels with mask[p] != 0 are computed (others are left 0); `mask` may
 * be NULL. `angle` may be NULL. Returns the number of kernels rendered. */
guint bench_dense_varying (const DiskTarget * target, const gfloat * radius,
    const gfloat * angle, gdouble radius_step, const guint8 * mask,
    const DiskImage * in, DiskImage * out);

/* The same gather with kernels taken from a table quantised to `step` pixels
 * in radius and to `n_angles` angles over [0, angle_period) degrees (1: no
 * rotation): for timing a dense spatially varying filter whose kernels are
 * pre-rendered, on rows y_begin..y_end. The table is built by
 * bench_dense_table_new and excluded from the timing. */
typedef struct _BenchDenseTable BenchDenseTable;

BenchDenseTable *bench_dense_table_new (const DiskTarget * target,
    gdouble max_radius, gdouble step, guint n_angles, gdouble angle_period);
void bench_dense_table_free (BenchDenseTable * table);
/* Reads pixels of `padded` (padded by bench_dense_table_pad ()). Returns the
 * number of taps read (for the samples-per-pixel column). */
guint64 bench_dense_table_rows (const BenchDenseTable * table,
    const gfloat * radius, const gfloat * angle, const DiskImage * padded, DiskImage * out,
    guint y_begin, guint y_end);
guint bench_dense_table_pad (const BenchDenseTable * table);

G_END_DECLS

#endif /* __BENCH_DENSE_H__ */
