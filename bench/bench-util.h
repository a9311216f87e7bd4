/* Benchmark helpers: timing, frames, padding, PSNR on a pixel subset.
 * Benchmark code only; nothing here is shipped in the plugin. */
#ifndef __BENCH_UTIL_H__
#define __BENCH_UTIL_H__

#include "disk-image.h"

G_BEGIN_DECLS

typedef void (*BenchFunc) (gpointer data);

/* Runs `func` `runs` times and returns the median wall time in milliseconds. */
gdouble bench_time_ms (BenchFunc func, gpointer data, guint runs);

/* Monotonic seconds, for fit times and logging. */
gdouble bench_now (void);

/* Median of `n` values (sorts a copy). */
gdouble bench_median (const gdouble * values, guint n);

/* Scales `image` to exactly width x height by bilinear interpolation after
 * cropping it to the target aspect ratio around its centre ("cover"). */
DiskImage *bench_image_cover (const DiskImage * image, guint width,
    guint height);

/* A copy of `image` with `pad` replicated edge pixels on every side: reading
 * the padded image at (x + pad, y + pad) is reading `image` at (x, y) with
 * clamp to edge, for |offsets| <= pad. */
DiskImage *bench_image_pad (const DiskImage * image, guint pad);

/* A width x height crop whose top-left corner is (x0, y0). */
DiskImage *bench_image_crop (const DiskImage * image, guint x0, guint y0,
    guint width, guint height);

/* PSNR (peak 1) of `a` against `b` over the pixels where mask[p] != 0, every
 * channel; `mask` may be NULL for all pixels. */
gdouble bench_psnr_masked (const DiskImage * a, const DiskImage * b,
    const guint8 * mask);

/* Smallest n >= size whose only prime factors are 2, 3, 5 and 7 (sizes FFTW
 * handles fastest). */
guint bench_fft_size (guint size);

/* Writes `text` to `path` through a temporary file renamed into place. */
gboolean bench_write_file (const gchar * path, const gchar * text,
    GError ** error);

G_END_DECLS

#endif /* __BENCH_UTIL_H__ */
