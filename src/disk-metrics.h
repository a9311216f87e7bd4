/* DISK core: quality metrics.
 *
 * Kernel PSNR = 10 log10 (max(K_tgt)^2 / MSE(K_syn, K_tgt)), MSE over the
 * whole target canvas.
 * Image PSNR  = 10 log10 (peak^2 / MSE(a, b)), MSE over every pixel and channel.
 * Identical inputs give +infinity.
 */
#ifndef __DISK_METRICS_H__
#define __DISK_METRICS_H__

#include "disk-image.h"

G_BEGIN_DECLS

gdouble disk_mse (const DiskImage * a, const DiskImage * b);
gdouble disk_kernel_psnr (const DiskImage * target, const DiskImage * fitted);
gdouble disk_image_psnr (const DiskImage * a, const DiskImage * b, gdouble peak);

G_END_DECLS

#endif /* __DISK_METRICS_H__ */
