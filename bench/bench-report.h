/* Benchmark results: one row per (case, method, configuration), written as
 * CSV (for bench/plot.py) and as the markdown tables of docs/BENCHMARKS.md. */
#ifndef __BENCH_REPORT_H__
#define __BENCH_REPORT_H__

#include "disk-image.h"

G_BEGIN_DECLS

typedef struct
{
  gchar *section;               /* "single", "varying", "peers", "steps" */
  gchar *kernel;                /* case: "disc r16", "tilt-shift R16" */
  gchar *method;                /* "dense", "FFT", "low-rank", "DISK", ... */
  gchar *config;                /* "24x4", "rank 2", "-" */
  gdouble samples;              /* reads per pixel, NAN if not meaningful */
  gdouble kernel_psnr;          /* dB, NAN if n/a */
  gdouble image_psnr;           /* dB against dense, NAN if n/a */
  gdouble ms;                   /* per frame, NAN if not run */
  gdouble ms_2t;                /* per frame with 2 threads, NAN if n/a */
  gdouble ms_ref;               /* DISK's reference filter, NAN if n/a */
  gdouble speedup;              /* dense ms / ms */
  gdouble fit_s;                /* seconds, NAN if n/a */
  gdouble steps;                /* optimisation steps / proposals, NAN */
  gchar *note;                  /* how it was measured, may be NULL */
} BenchResult;

BenchResult *bench_result_new (const gchar * section, const gchar * kernel,
    const gchar * method, const gchar * config);
void bench_result_free (BenchResult * r);

gchar *bench_results_csv (GPtrArray * results);

/* Formats a number for a table: "-" for NaN, "inf" for infinity. */
gchar *bench_fmt (gdouble v, guint decimals);

/* A picture grid: rows x cols cells of equal size (RGB, [0, 1]), with a
 * 2-pixel white gutter; cells may be NULL (left black). */
DiskImage *bench_grid (DiskImage ** cells, guint rows, guint cols);

G_END_DECLS

#endif /* __BENCH_REPORT_H__ */
