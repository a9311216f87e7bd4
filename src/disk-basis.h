/* DISK core: a basis of complexes over blur radius, and kernel-space
 * interpolation between them.
 *
 * Entry k is a complex fitted for radius p_k (pixels); radii are strictly
 * increasing and every entry has the same structure. For a radius r the
 * interpolated complex is, with offsets made radius-relative,
 *
 *   p_k <= r <= p_{k+1},  t = (r - p_k) / (p_{k+1} - p_k):
 *     o_i(r) = (1 - t) * (r / p_k) * o_{k,i} + t * (r / p_{k+1}) * o_{k+1,i}
 *     w_i(r) = (1 - t) * w_{k,i} + t * w_{k+1,i}
 *   r < p_1:   o_i(r) = (r / p_1) * o_{1,i},  w_i(r) = w_{1,i}   (scaled nearest)
 *   r > p_M:   o_i(r) = (r / p_M) * o_{M,i},  w_i(r) = w_{M,i}
 *
 * At r = p_k this is entry k exactly (t = 0 and r / p_k = 1 in floating point).
 * An optional angle (degrees) then rotates the offsets (see disk-complex.h).
 */
#ifndef __DISK_BASIS_H__
#define __DISK_BASIS_H__

#include "disk-complex.h"

G_BEGIN_DECLS

typedef struct _DiskBasis DiskBasis;

struct _DiskBasis
{
  guint n_entries;
  gdouble *radii;               /* n_entries, strictly increasing, > 0 */
  DiskComplex **entries;        /* n_entries, offsets in pixels at radii[k] */
};

/* Takes ownership of nothing: copies radii and entries. Returns NULL and sets
 * `error` (G_IO_ERROR_INVALID_DATA) when the radii are not strictly increasing
 * and positive or the structures differ. */
DiskBasis *disk_basis_new (guint n_entries, const gdouble * radii,
    DiskComplex * const *entries, GError ** error);
DiskBasis *disk_basis_copy (const DiskBasis * basis);
void disk_basis_free (DiskBasis * basis);

/* Writes into `out` (same structure as the entries) the complex for `radius`
 * (pixels, >= 0) rotated by `degrees`. */
void disk_basis_interpolate (const DiskBasis * basis, gdouble radius,
    gdouble degrees, DiskComplex * out);

/* The same for one layer only: writes its n_samples[layer] samples to `out`. */
void disk_basis_interpolate_layer (const DiskBasis * basis, gdouble radius,
    gdouble degrees, guint layer, DiskSample * out);

/* A new complex with the basis structure, for use with disk_basis_interpolate. */
DiskComplex *disk_basis_new_complex (const DiskBasis * basis);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskBasis, disk_basis_free)

G_END_DECLS

#endif /* __DISK_BASIS_H__ */
