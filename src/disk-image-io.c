/* DISK core: image file input and output.
 *
 * PNG goes through libpng so that 16-bit files keep their precision (gdk-pixbuf
 * would cut them to 8 bits); the file type is decided by the PNG signature, not
 * by the file name. Everything else goes through gdk-pixbuf. Files are read
 * into memory first, so a file that changes while it is read cannot confuse
 * the decoders, and libpng's errors come back through setjmp into a GError:
 * a corrupt or truncated file is an error, never a crash.
 *
 * Errors: G_FILE_ERROR when the file cannot be read or written (from GLib,
 * whose messages name the file), G_IO_ERROR_INVALID_DATA when its contents
 * cannot be decoded, G_IO_ERROR_INVALID_ARGUMENT for an image that cannot be
 * saved as asked. Every message names the file.
 */
#include "disk-image-io.h"

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <png.h>
#include <math.h>
#include <string.h>

/* Larger images are refused before anything is allocated for them: a corrupt
 * header must not be able to ask for gigabytes. 2^27 pixels (134 Mpx) is far
 * beyond any photograph this project filters. */
#define MAX_PIXELS (G_GUINT64_CONSTANT (1) << 27)

/* ---------------------------------------------------------------- reading */

/* Everything the libpng callbacks and the setjmp handler touch lives here, in
 * the caller's frame, so nothing is a local variable of the function that
 * calls setjmp (those are indeterminate after a longjmp). */
typedef struct
{
  const guint8 *data;
  gsize length;
  gsize position;
  gchar message[256];           /* libpng's error text */
  png_structp png;
  png_infop info;
  png_bytep pixels;             /* decoded rows, 8 or 16 bit, big-endian */
  png_bytep *rows;
  png_uint_32 width;
  png_uint_32 height;
  guint channels;
  guint bit_depth;
  gboolean too_large;
} PngReader;

static void
png_error_cb (png_structp png, png_const_charp message)
{
  gchar *buffer = png_get_error_ptr (png);

  g_strlcpy (buffer, message, 256);
  png_longjmp (png, 1);
}

static void
png_warning_cb (png_structp png, png_const_charp message)
{
  (void) png;
  g_debug ("libpng warning: %s", message);
}

static void
png_read_cb (png_structp png, png_bytep out, png_size_t count)
{
  PngReader *reader = png_get_io_ptr (png);

  if (count > reader->length - reader->position)
    png_error (png, "the file is truncated (unexpected end of data)");
  memcpy (out, reader->data + reader->position, count);
  reader->position += count;
}

/* Decodes into reader->pixels; returns FALSE with reader->message set. */
static gboolean
png_decode (PngReader * reader)
{
  png_structp png = reader->png;
  png_infop info = reader->info;
  int color_type;
  png_uint_32 y;
  gsize row_bytes;

  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_set_read_fn (png, reader, png_read_cb);
  png_set_user_limits (png, 1u << 20, 1u << 20);
  png_read_info (png, info);

  reader->width = png_get_image_width (png, info);
  reader->height = png_get_image_height (png, info);
  if ((guint64) reader->width * reader->height > MAX_PIXELS) {
    reader->too_large = TRUE;
    return FALSE;
  }

  /* Normalise to 8 or 16 bits per channel, 1 to 4 channels: palettes
   * become RGB, a tRNS chunk becomes an alpha channel, low-bit gray is
   * widened to 8 bits. No gamma is applied: values stay as stored. */
  color_type = png_get_color_type (png, info);
  if (color_type == PNG_COLOR_TYPE_PALETTE)
    png_set_palette_to_rgb (png);
  if (color_type == PNG_COLOR_TYPE_GRAY && png_get_bit_depth (png, info) < 8)
    png_set_expand_gray_1_2_4_to_8 (png);
  if (png_get_valid (png, info, PNG_INFO_tRNS))
    png_set_tRNS_to_alpha (png);
  png_set_interlace_handling (png);
  png_read_update_info (png, info);

  reader->channels = png_get_channels (png, info);
  reader->bit_depth = png_get_bit_depth (png, info);
  if (reader->channels < 1 || reader->channels > 4
      || (reader->bit_depth != 8 && reader->bit_depth != 16))
    png_error (png, "unsupported pixel layout");

  row_bytes = png_get_rowbytes (png, info);
  if (row_bytes < (gsize) reader->width * reader->channels
      * (reader->bit_depth / 8))
    png_error (png, "inconsistent row size");
  reader->pixels = g_try_malloc ((gsize) row_bytes * reader->height);
  reader->rows = g_try_new (png_bytep, reader->height);
  if (reader->pixels == NULL || reader->rows == NULL) {
    reader->too_large = TRUE;
    return FALSE;
  }
  for (y = 0; y < reader->height; y++)
    reader->rows[y] = reader->pixels + (gsize) y * row_bytes;
  png_read_image (png, reader->rows);
  png_read_end (png, NULL);
  return TRUE;
}

static DiskImage *
load_png (const gchar * path, const guint8 * data, gsize length,
    GError ** error)
{
  PngReader reader = { 0 };
  DiskImage *image = NULL;

  reader.data = data;
  reader.length = length;
  reader.png = png_create_read_struct (PNG_LIBPNG_VER_STRING, reader.message,
      png_error_cb, png_warning_cb);
  if (reader.png == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "Cannot read PNG “%s”: libpng could not be initialised", path);
    return NULL;
  }
  reader.info = png_create_info_struct (reader.png);
  if (reader.info == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "Cannot read PNG “%s”: libpng could not be initialised", path);
  } else if (!png_decode (&reader)) {
    if (reader.too_large)
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "Cannot read PNG “%s”: the image (%u x %u) is too large", path,
          (guint) reader.width, (guint) reader.height);
    else
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "Cannot read PNG “%s”: %s", path, reader.message);
  } else {
    const gfloat scale = reader.bit_depth == 16 ? 1.0f / 65535 : 1.0f / 255;
    const gsize n = (gsize) reader.width * reader.channels;
    guint y;
    gsize i;

    image = disk_image_new (reader.width, reader.height, reader.channels);
    for (y = 0; y < reader.height; y++) {
      const png_bytep in = reader.rows[y];
      gfloat *out = disk_image_pixel (image, 0, y);

      if (reader.bit_depth == 16)
        for (i = 0; i < n; i++)
          out[i] = ((in[2 * i] << 8) | in[2 * i + 1]) * scale;
      else
        for (i = 0; i < n; i++)
          out[i] = in[i] * scale;
    }
  }
  png_destroy_read_struct (&reader.png, reader.info ? &reader.info : NULL,
      NULL);
  g_free (reader.rows);
  g_free (reader.pixels);
  return image;
}

static DiskImage *
load_pixbuf (const gchar * path, const guint8 * data, gsize length,
    GError ** error)
{
  g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GdkPixbuf) oriented = NULL;
  GdkPixbuf *pixbuf;
  DiskImage *image;
  const guint8 *pixels;
  guint width, height, channels, x, y, c;
  gint rowstride;

  if (!gdk_pixbuf_loader_write (loader, data, length, &local_error))
    /* A loader must be closed even after a failed write (but only once). */
    gdk_pixbuf_loader_close (loader, NULL);
  else
    gdk_pixbuf_loader_close (loader, &local_error);
  if (local_error != NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "Cannot read image “%s”: %s", path, local_error->message);
    return NULL;
  }
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "Cannot read image “%s”: no image in the file", path);
    return NULL;
  }
  /* Photographs carry their orientation in EXIF; show them as a viewer does. */
  oriented = gdk_pixbuf_apply_embedded_orientation (pixbuf);
  if (oriented == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "Cannot read image “%s”: could not apply its orientation", path);
    return NULL;
  }
  if (gdk_pixbuf_get_colorspace (oriented) != GDK_COLORSPACE_RGB
      || gdk_pixbuf_get_bits_per_sample (oriented) != 8
      || gdk_pixbuf_get_n_channels (oriented) < 3
      || gdk_pixbuf_get_n_channels (oriented) > 4) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "Cannot read image “%s”: unsupported pixel layout", path);
    return NULL;
  }
  width = gdk_pixbuf_get_width (oriented);
  height = gdk_pixbuf_get_height (oriented);
  if (width == 0 || height == 0
      || (guint64) width * height > MAX_PIXELS) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "Cannot read image “%s”: unsupported size %u x %u", path, width,
        height);
    return NULL;
  }
  channels = gdk_pixbuf_get_n_channels (oriented);
  rowstride = gdk_pixbuf_get_rowstride (oriented);
  pixels = gdk_pixbuf_read_pixels (oriented);

  image = disk_image_new (width, height, channels);
  for (y = 0; y < height; y++) {
    const guint8 *in = pixels + (gsize) y * rowstride;
    gfloat *out = disk_image_pixel (image, 0, y);

    for (x = 0; x < width; x++)
      for (c = 0; c < channels; c++)
        out[x * channels + c] = in[x * channels + c] / 255.0f;
  }
  return image;
}

DiskImage *
disk_image_load (const gchar * path, GError ** error)
{
  static const guint8 png_signature[8] =
      { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  g_autofree gchar *contents = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  if (length == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "Cannot read image “%s”: the file is empty", path);
    return NULL;
  }
  if (length >= sizeof png_signature
      && memcmp (contents, png_signature, sizeof png_signature) == 0)
    return load_png (path, (const guint8 *) contents, length, error);
  return load_pixbuf (path, (const guint8 *) contents, length, error);
}

/* ------------------------------------------------------------ conversions */

DiskImage *
disk_image_to_luminance (const DiskImage * image)
{
  DiskImage *out;
  guint x, y;

  g_return_val_if_fail (image != NULL, NULL);

  out = disk_image_new (image->width, image->height, 1);
  for (y = 0; y < image->height; y++) {
    const gfloat *in = disk_image_pixel (image, 0, y);
    gfloat *o = disk_image_pixel (out, 0, y);

    for (x = 0; x < image->width; x++) {
      const gfloat *p = in + (gsize) x * image->channels;

      /* Gray (with or without alpha) is already luminance. */
      if (image->channels < 3)
        o[x] = p[0];
      else
        o[x] = 0.2126f * p[0] + 0.7152f * p[1] + 0.0722f * p[2];
    }
  }
  return out;
}

DiskImage *
disk_image_to_rgb (const DiskImage * image)
{
  DiskImage *out;
  guint x, y;

  g_return_val_if_fail (image != NULL, NULL);

  out = disk_image_new (image->width, image->height, 3);
  for (y = 0; y < image->height; y++) {
    const gfloat *in = disk_image_pixel (image, 0, y);
    gfloat *o = disk_image_pixel (out, 0, y);

    for (x = 0; x < image->width; x++) {
      const gfloat *p = in + (gsize) x * image->channels;

      if (image->channels < 3) {
        o[3 * x] = o[3 * x + 1] = o[3 * x + 2] = p[0];
      } else {
        o[3 * x] = p[0];
        o[3 * x + 1] = p[1];
        o[3 * x + 2] = p[2];
      }
    }
  }
  return out;
}

/* ---------------------------------------------------------------- writing */

typedef struct
{
  GByteArray *bytes;
  gchar message[256];
  png_structp png;
  png_infop info;
  guint8 *row;
} PngWriter;

static void
png_write_cb (png_structp png, png_bytep data, png_size_t length)
{
  PngWriter *writer = png_get_io_ptr (png);

  g_byte_array_append (writer->bytes, data, length);
}

static void
png_flush_cb (png_structp png)
{
  (void) png;
}

/* Quantises [0, 1] to 0..max, rounding to nearest; NaN becomes 0. In
 * double: a float product would round wrongly near the half levels. */
static inline guint
quantise (gfloat value, guint max)
{
  if (!(value > 0.0f))
    return 0;
  if (value >= 1.0f)
    return max;
  return (guint) ((gdouble) value * max + 0.5);
}

static gboolean
png_encode (PngWriter * writer, const DiskImage * image, guint bits)
{
  static const int color_types[4] = { PNG_COLOR_TYPE_GRAY,
    PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGBA
  };
  png_structp png = writer->png;
  png_infop info = writer->info;
  const gsize n = (gsize) image->width * image->channels;
  guint y;
  gsize i;

  if (setjmp (png_jmpbuf (png)))
    return FALSE;

  png_set_write_fn (png, writer, png_write_cb, png_flush_cb);
  png_set_IHDR (png, info, image->width, image->height, bits,
      color_types[image->channels - 1], PNG_INTERLACE_NONE,
      PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (y = 0; y < image->height; y++) {
    const gfloat *in = disk_image_pixel (image, 0, y);
    guint8 *row = writer->row;

    if (bits == 16) {
      for (i = 0; i < n; i++) {
        guint v = quantise (in[i], 65535);

        row[2 * i] = v >> 8;
        row[2 * i + 1] = v & 0xff;
      }
    } else {
      for (i = 0; i < n; i++)
        row[i] = quantise (in[i], 255);
    }
    png_write_row (png, row);
  }
  png_write_end (png, info);
  return TRUE;
}

gboolean
disk_image_save_png (const DiskImage * image, const gchar * path, guint bits,
    GError ** error)
{
  PngWriter writer = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (image != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (bits != 8 && bits != 16) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "Cannot save PNG “%s”: %u bits per channel asked, only 8 or 16 "
        "are possible", path, bits);
    return FALSE;
  }
  if (image->channels < 1 || image->channels > 4) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "Cannot save PNG “%s”: %u channels, only 1 to 4 are possible",
        path, image->channels);
    return FALSE;
  }

  /* The whole file is encoded in memory and then written by
   * g_file_set_contents (), which writes a temporary file next to the
   * target and renames it over it: a reader never sees half a file, and
   * a failed save leaves the old file (or nothing) in place. */
  writer.bytes = g_byte_array_new ();
  writer.row = g_malloc ((gsize) image->width * image->channels * (bits / 8));
  writer.png = png_create_write_struct (PNG_LIBPNG_VER_STRING, writer.message,
      png_error_cb, png_warning_cb);
  if (writer.png != NULL)
    writer.info = png_create_info_struct (writer.png);
  if (writer.png == NULL || writer.info == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "Cannot save PNG “%s”: libpng could not be initialised", path);
  } else if (!png_encode (&writer, image, bits)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "Cannot save PNG “%s”: %s", path, writer.message);
  } else {
    ok = g_file_set_contents (path, (const gchar *) writer.bytes->data,
        writer.bytes->len, error);
  }
  if (writer.png != NULL)
    png_destroy_write_struct (&writer.png,
        writer.info ? &writer.info : NULL);
  g_byte_array_unref (writer.bytes);
  g_free (writer.row);
  return ok;
}
