/* DISK core: reading and writing image files (PNG through libpng, keeping 16
 * bits; every other format gdk-pixbuf knows, such as JPEG, through gdk-pixbuf).
 *
 * Values are floats in [0, 1]. Loading keeps the file's channels (1 gray,
 * 2 gray + alpha, 3 RGB, 4 RGBA; formats read by gdk-pixbuf give 3 or 4)
 * unless a conversion is asked for. Saving writes PNG, 8 or 16 bits,
 * atomically (a temporary file renamed into place).
 *
 * The PNG decoder is chosen by the file's signature, not its name. Errors
 * name the file. Domains: G_FILE_ERROR when the file cannot be read or
 * written; G_IO_ERROR with G_IO_ERROR_INVALID_DATA when it cannot be decoded
 * (corrupt, truncated, empty, unknown format) or G_IO_ERROR_INVALID_ARGUMENT
 * for a save that cannot be done (bits not 8 or 16).
 */
#ifndef __DISK_IMAGE_IO_H__
#define __DISK_IMAGE_IO_H__

#include "disk-image.h"

G_BEGIN_DECLS

DiskImage *disk_image_load (const gchar * path, GError ** error);
/* Rec. 709 luma of the (non-linear) values, alpha ignored: 1 channel. */
DiskImage *disk_image_to_luminance (const DiskImage * image);
/* Drops alpha and expands gray: 3 channels. */
DiskImage *disk_image_to_rgb (const DiskImage * image);
/* 1, 2, 3 or 4 channels; values clamped to [0, 1]; bits 8 or 16. */
gboolean disk_image_save_png (const DiskImage * image, const gchar * path,
    guint bits, GError ** error);

G_END_DECLS

#endif /* __DISK_IMAGE_IO_H__ */
