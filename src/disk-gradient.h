/* DISK core: analytic gradients of the reference filter (disk-filter.h).
 *
 * Public so that a complex can sit inside a learning pipeline: given dL/d(out)
 * for out = complex(in), return dL/d(in), and dL/d(x, y, w) of every sample.
 *
 * For one layer out(p) = sum_i w_i B(in, p - o_i), with B the bilinear read:
 *   dL/dw_i     = sum_p g(p) . B(in, p - o_i)
 *   dL/do_i     = - sum_p g(p) . grad B(in, p - o_i)       (grad wrt the read position)
 *   dL/d in     = sum_i w_i B^T(g)(. + o_i)                 (the adjoint: a scatter)
 * where g = dL/d(out). grad B is the derivative of the bilinear interpolant
 * inside its cell; where a clamp makes two neighbours the same pixel it is 0.
 */
#ifndef __DISK_GRADIENT_H__
#define __DISK_GRADIENT_H__

#include "disk-image.h"
#include "disk-complex.h"

G_BEGIN_DECLS

/* One layer. `grad_in` (same shape as `in`, may be NULL) is overwritten with
 * dL/d(in). `grad_samples` (n_samples, may be NULL) is overwritten: its x, y, w
 * fields hold dL/dx, dL/dy, dL/dw. */
void disk_layer_backward (const DiskSample * samples, guint n_samples,
    const DiskImage * in, const DiskImage * grad_out, DiskImage * grad_in,
    DiskSample * grad_samples);

/* The whole complex; the forward intermediates are recomputed internally.
 * `grad_complex` (same structure as `complex`, may be NULL) is overwritten with
 * the parameter gradients; `grad_in` (may be NULL) with dL/d(in). */
void disk_complex_backward (const DiskComplex * complex, const DiskImage * in,
    const DiskImage * grad_out, DiskImage * grad_in, DiskComplex * grad_complex);

G_END_DECLS

#endif /* __DISK_GRADIENT_H__ */
