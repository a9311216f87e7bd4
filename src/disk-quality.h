/* DISK core: how good a basis is at any radius, measured against the target
 * it was fitted to. Used by the preset report, the preset floor tests and the
 * benchmarks, so that every number in the docs means the same thing.
 *
 * Kernel PSNR at radius r: the basis interpolated at r (disk-basis.h), its
 * impulse response on the fitting canvas (disk_fit_canvas_half_size (r))
 * against the target rendered on the same canvas (disk-metrics.h formula).
 *
 * Image PSNR at radius r: a photo filtered by the interpolated complex against
 * the dense convolution of the photo with the true target (disk-dense.h), over
 * every pixel, peak 1. The photo is edge-extended by the complex's reach
 * before the DISK filter and cropped after, so borders are compared under the
 * same clamp-to-edge policy and the number measures the kernel only.
 */
#ifndef __DISK_QUALITY_H__
#define __DISK_QUALITY_H__

#include "disk-basis.h"
#include "disk-image.h"
#include "disk-target.h"

G_BEGIN_DECLS

gdouble disk_basis_kernel_psnr (const DiskBasis * basis,
    const DiskTarget * target, gdouble radius);
gdouble disk_basis_image_psnr (const DiskBasis * basis,
    const DiskTarget * target, gdouble radius, const DiskImage * photo);

G_END_DECLS

#endif /* __DISK_QUALITY_H__ */
