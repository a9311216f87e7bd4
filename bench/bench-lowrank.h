/* Low-rank baseline (McGraw 2015, "Fast Bokeh Effects Using Low-Rank Linear
 * Filters"): the SVD of the kernel, K ~ sum_{k < rank} s_k u_k v_k^T, run as
 * `rank` pairs of 1D passes (vertical with s_k u_k, then horizontal with v_k),
 * clamp to edge. The SVD is LAPACK's dgesvd (LAPACKE), not a hand-written one.
 *
 * Spatially varying: a basis of SVDs of the target rendered at radii
 * 0 (the identity), p_1 < ... < p_M on one common canvas, and optionally at
 * n_angles rotations; each pixel interpolates the rank-r factors linearly
 * between the two basis radii around its radius (singular vectors sign-aligned
 * from one radius to the next so that interpolation is meaningful) and takes
 * the nearest basis angle (SVD factors of rotated kernels do not interpolate).
 * Each pass uses every pixel's own factors: the vertical pass at p with p's
 * factors, the horizontal pass at p with p's factors over the vertical
 * results of its neighbours, as a separable spatially varying filter does. */
#ifndef __BENCH_LOWRANK_H__
#define __BENCH_LOWRANK_H__

#include "disk-image.h"
#include "disk-target.h"

G_BEGIN_DECLS

#define BENCH_LOW_RANK_MAX 4

typedef struct _BenchLowRank BenchLowRank;

/* NULL and `error` set if LAPACK fails. */
BenchLowRank *bench_low_rank_new (const DiskImage * kernel, guint rank,
    GError ** error);
void bench_low_rank_free (BenchLowRank * lr);
/* The rank-r kernel sum_k s_k u_k v_k^T, on the kernel's canvas. */
DiskImage *bench_low_rank_kernel (const BenchLowRank * lr);
/* 1D taps read per pixel: sum over ranks of both passes' non-zero extents. */
guint bench_low_rank_taps (const BenchLowRank * lr);
/* Output rows y_begin..y_end (each pass only touches those rows of `out`). */
void bench_low_rank_apply_rows (const BenchLowRank * lr, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end);
void bench_low_rank_apply (const BenchLowRank * lr, const DiskImage * in,
    DiskImage * out);

typedef struct _BenchLowRankBasis BenchLowRankBasis;

/* `n_angles` >= 1 rotations evenly over [0, angle_period) degrees (1: none).
 * The target's own rotation is kept and the basis angle added to it. */
BenchLowRankBasis *bench_low_rank_basis_new (const DiskTarget * target,
    const gdouble * radii, guint n_radii, guint n_angles,
    gdouble angle_period, guint rank, GError ** error);
void bench_low_rank_basis_free (BenchLowRankBasis * basis);
/* Rows y_begin..y_end of the spatially varying filter; `angle` may be NULL.
 * Returns the 1D taps read (to report samples per pixel). */
guint64 bench_low_rank_basis_apply_rows (const BenchLowRankBasis * basis,
    const gfloat * radius, const gfloat * angle, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end);

G_END_DECLS

#endif /* __BENCH_LOWRANK_H__ */
