/* Parallel tempering baseline (Schuster, Trettner, Kobbelt, "High-Performance
 * Image Filters via Sparse Approximations", HPG 2020) over the very model DISK
 * fits: a DiskComplex (L layers of N bilinear samples).
 *
 * `candidates` replicas sit on a geometric ladder of temperatures; each one
 * proposes random mutations (move one sample's offset by a Gaussian step, or
 * move weight between two samples of a layer so every layer keeps summing to
 * 1), accepted by the Metropolis rule at its temperature; after every round
 * neighbouring replicas swap states with the replica-exchange probability.
 * Step sizes adapt to an acceptance rate of 20-40 %. The energy is the squared
 * error of the impulse response against the target.
 *
 * Cost: a proposal changes one layer only, so the new impulse response is
 * K + R_l * delta, R_l being the convolution of the other layers (kept per
 * block of iterations on one layer) and delta the 8 bilinear taps that moved.
 * The energy change is summed over the region that changed only. The model is
 * evaluated in free space on a canvas twice the target's size (offsets are
 * limited so no light leaves it); the returned kernel PSNR is measured with
 * the reference filter, exactly as DISK's. */
#ifndef __BENCH_TEMPERING_H__
#define __BENCH_TEMPERING_H__

#include "disk-complex.h"
#include "disk-fit.h"
#include "disk-image.h"

G_BEGIN_DECLS

typedef struct
{
  guint candidates;             /* replicas (the paper's comparison: 10) */
  guint iterations;             /* proposals per replica (paper: 10,000) */
  guint block;                  /* proposals on one layer between swaps */
  DiskInit init;                /* the initialisation DISK uses */
  guint64 seed;
  gdouble t_cold, t_hot;        /* ladder ends, relative to the first energy */
} BenchTemperingOptions;

typedef struct
{
  guint64 proposals;            /* total over all replicas */
  gdouble psnr;                 /* best so far, from the free-space energy */
} BenchTracePoint;

void bench_tempering_options_init (BenchTemperingOptions * options);

/* Fits `n_layers` x `n_samples` to `target` (square, odd, normalised) for
 * blur radius `radius`. `warm_start` (may be NULL) replaces the
 * initialisation. `trace` (may be NULL) receives BenchTracePoint values. */
DiskComplex *bench_tempering_fit (const DiskImage * target, gdouble radius,
    guint n_layers, guint n_samples, const BenchTemperingOptions * options,
    const DiskComplex * warm_start, gdouble * kernel_psnr, GArray * trace);

G_END_DECLS

#endif /* __BENCH_TEMPERING_H__ */
