/* DISK core: dense convolution, the ground truth a complex approximates.
 *
 *   out(p) = sum_d K(d) * in(p - d)       (clamp to edge)
 *
 * with K a (2h + 1)^2 single-channel kernel canvas centred at (h, h), in the
 * orientation of disk-complex.h (the image of a point light is K as drawn).
 * Cost is (2h + 1)^2 reads per pixel and channel: for references and tools,
 * not for video.
 */
#ifndef __DISK_DENSE_H__
#define __DISK_DENSE_H__

#include "disk-image.h"

G_BEGIN_DECLS

void disk_convolve_dense (const DiskImage * kernel, const DiskImage * in,
    DiskImage * out);

/* A copy of `image` grown by `border` pixels on every side, the new pixels
 * repeating the nearest edge pixel: filtering the grown image and cropping
 * gives, at every pixel, the result of a filter on an infinite clamp-to-edge
 * plane, whatever the filter's own border handling. */
DiskImage *disk_image_extend (const DiskImage * image, guint border);
/* The inverse: drops `border` pixels on every side. */
DiskImage *disk_image_crop (const DiskImage * image, guint border);

G_END_DECLS

#endif /* __DISK_DENSE_H__ */
