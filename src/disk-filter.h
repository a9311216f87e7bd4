/* DISK core: the reference filter (float, any channel count, clamp to edge).
 *
 * One layer:   out(p) = sum_i w_i * bilinear(in, p - o_i)
 * The bilinear read at (u, v) uses the four pixels around it, each integer
 * coordinate clamped into the image independently (clamp to edge).
 *
 * This is the exact forward model used for fitting (disk-fit.h): applied to a
 * delta it gives the fitted K_syn to float precision. Faster paths elsewhere
 * are checked against it.
 */
#ifndef __DISK_FILTER_H__
#define __DISK_FILTER_H__

#include "disk-image.h"
#include "disk-complex.h"
#include "disk-basis.h"

G_BEGIN_DECLS

/* The bilinear read of channel `c` at continuous position (u, v). */
gfloat disk_image_sample_bilinear (const DiskImage * image, gdouble u,
    gdouble v, guint c);

/* One sparse layer. `in` and `out` have the same shape and must differ. */
void disk_filter_layer (const DiskSample * samples, guint n_samples,
    const DiskImage * in, DiskImage * out);

/* Rows y_begin <= y < y_end of the same: the building block for callers that
 * split a frame across threads (rows are independent within a layer). */
void disk_filter_layer_rows (const DiskSample * samples, guint n_samples,
    const DiskImage * in, DiskImage * out, guint y_begin, guint y_end);

/* Rows of one spatially varying layer (see disk_filter_varying). */
void disk_filter_varying_layer_rows (const DiskBasis * basis, guint layer,
    const gfloat * radius, const gfloat * angle, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end);

/* The same for a plane sampled more sparsely than the frame the radii and
 * angles refer to (the chroma of subsampled video): each pixel's interpolated,
 * rotated offsets are then multiplied by (scale_x, scale_y), e.g. (0.5, 0.5)
 * for I420 chroma, (0.5, 1) for Y42B. With (1, 1) this is exactly
 * disk_filter_varying_layer_rows. */
void disk_filter_varying_layer_rows_scaled (const DiskBasis * basis,
    guint layer, const gfloat * radius, const gfloat * angle, gdouble scale_x,
    gdouble scale_y, const DiskImage * in, DiskImage * out, guint y_begin,
    guint y_end);

/* The whole complex. `in` and `out` have the same shape; they may be the same
 * image (a scratch copy is made). */
void disk_filter_uniform (const DiskComplex * complex, const DiskImage * in,
    DiskImage * out);

/* Spatially varying: every output pixel p gathers, in every layer, with its own
 * complex disk_basis_interpolate (basis, radius[p], angle[p]). `radius` holds
 * width * height values in pixels (row-major, no padding); `angle` holds
 * degrees or is NULL for no rotation. `in` and `out` may be the same image. */
void disk_filter_varying (const DiskBasis * basis, const gfloat * radius,
    const gfloat * angle, const DiskImage * in, DiskImage * out);

/* The impulse response: the complex applied to a delta at the centre of a
 * (2 * half_size + 1)^2 single-channel canvas. */
DiskImage *disk_complex_impulse_response (const DiskComplex * complex,
    guint half_size);

G_END_DECLS

#endif /* __DISK_FILTER_H__ */
