/* DISK through the fast path (src/disk-fast.h) the way the diskblur element
 * runs it, for the benchmark: plans made per frame (their cost is part of
 * the time), reduced resolution where disk_fast_reduction () asks for it,
 * the varying method the element uses for the mode
 * (disk_fast_varying_method ()), each layer's rows split into one band per
 * thread, the threads meeting between layers, scratch images reused from
 * call to call. Call from one thread at a time. */
#ifndef __BENCH_FAST_H__
#define __BENCH_FAST_H__

#include "disk-basis.h"
#include "disk-complex.h"
#include "disk-effects.h"
#include "disk-image.h"

G_BEGIN_DECLS

/* out = complex (in) for a blur of `radius` px (it picks the reduction).
 * `in` and `out` have the same shape and differ. Returns the reduction
 * factor used (1: full resolution). */
guint bench_fast_uniform (const DiskComplex * complex, gdouble radius,
    const DiskImage * in, DiskImage * out, guint n_threads);

/* out = the basis applied with per-pixel `radius` and `angle` (may be NULL:
 * angle 0) maps of in's size, by the element's method for `mode`. `in` and `out` have the
 * same shape and differ. */
void bench_fast_varying (const DiskBasis * basis, DiskEffectMode mode,
    const gfloat * radius, const gfloat * angle, const DiskImage * in,
    DiskImage * out, guint n_threads);

/* How the fast path runs `mode` (angle_varies: per-pixel angles are given),
 * for the report. */
gchar *bench_fast_describe (DiskEffectMode mode, gboolean angle_varies,
    gdouble max_radius);

/* Frees the scratch images kept between calls (they are reused while the
 * shape stays the same, as the element reuses its buffers). */
void bench_fast_release (void);

G_END_DECLS

#endif /* __BENCH_FAST_H__ */
