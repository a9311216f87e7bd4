/* DISK core: a float image, the one pixel container the core works on.
 *
 * Conventions used by the whole core (stated once, here and in docs/NUMERICS.md):
 *  - Pixel (x, y) has its centre at integer coordinates; x grows to the right,
 *    y grows downwards (image order, row 0 at the top).
 *  - Channels are interleaved; `stride` counts floats, not bytes.
 *  - Reads outside the image clamp to the nearest edge pixel (clamp to edge).
 */
#ifndef __DISK_IMAGE_H__
#define __DISK_IMAGE_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct _DiskImage DiskImage;

struct _DiskImage
{
  guint width;
  guint height;
  guint channels;
  gsize stride;                 /* floats from one row to the next, >= width * channels */
  gfloat *data;
};

DiskImage *disk_image_new (guint width, guint height, guint channels);
DiskImage *disk_image_copy (const DiskImage * image);
void disk_image_free (DiskImage * image);
void disk_image_fill (DiskImage * image, gfloat value);
gboolean disk_image_same_shape (const DiskImage * a, const DiskImage * b);

static inline gfloat *
disk_image_pixel (const DiskImage * image, guint x, guint y)
{
  return image->data + (gsize) y * image->stride + (gsize) x * image->channels;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskImage, disk_image_free)

G_END_DECLS

#endif /* __DISK_IMAGE_H__ */
