/* DISK core: the float image container. */
#include "disk-image.h"

#include <string.h>

DiskImage *
disk_image_new (guint width, guint height, guint channels)
{
  DiskImage *image;

  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (channels > 0 && channels <= 4, NULL);

  image = g_new0 (DiskImage, 1);
  image->width = width;
  image->height = height;
  image->channels = channels;
  image->stride = (gsize) width * channels;
  image->data = g_new0 (gfloat, image->stride * height);
  return image;
}

DiskImage *
disk_image_copy (const DiskImage * image)
{
  DiskImage *copy = disk_image_new (image->width, image->height,
      image->channels);
  guint y;

  for (y = 0; y < image->height; y++)
    memcpy (disk_image_pixel (copy, 0, y), disk_image_pixel (image, 0, y),
        sizeof (gfloat) * image->width * image->channels);
  return copy;
}

void
disk_image_free (DiskImage * image)
{
  if (image == NULL)
    return;
  g_free (image->data);
  g_free (image);
}

void
disk_image_fill (DiskImage * image, gfloat value)
{
  guint x, y;

  for (y = 0; y < image->height; y++) {
    gfloat *row = disk_image_pixel (image, 0, y);
    for (x = 0; x < image->width * image->channels; x++)
      row[x] = value;
  }
}

gboolean
disk_image_same_shape (const DiskImage * a, const DiskImage * b)
{
  return a->width == b->width && a->height == b->height
      && a->channels == b->channels;
}
