/* Tests of image file input and output.
 *
 * Independent references: PNG files are also built byte by byte by the test
 * itself (chunks, CRC and zlib stream written here, zlib through GIO's
 * GZlibCompressor), so the loader is checked against the format, not just
 * against our own saver; files we save are also decoded by gdk-pixbuf. The
 * expected values after quantisation are computed here from the inputs. */
#include "disk-image-io.h"

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static gchar *tmp_dir;

static gchar *
tmp_path (const gchar * name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* --------------------------------------------- a PNG writer for the tests */

static guint32
crc32_update (guint32 crc, const guint8 * data, gsize length)
{
  gsize i;
  gint k;

  crc = ~crc;
  for (i = 0; i < length; i++) {
    crc ^= data[i];
    for (k = 0; k < 8; k++)
      crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

static void
put_be32 (GByteArray * out, guint32 v)
{
  guint8 b[4] = { v >> 24, v >> 16, v >> 8, v };

  g_byte_array_append (out, b, 4);
}

static void
put_chunk (GByteArray * out, const gchar * type, const guint8 * data,
    gsize length)
{
  guint32 crc;

  put_be32 (out, length);
  g_byte_array_append (out, (const guint8 *) type, 4);
  if (length > 0)
    g_byte_array_append (out, data, length);
  crc = crc32_update (0, (const guint8 *) type, 4);
  crc = crc32_update (crc, data, length);
  put_be32 (out, crc);
}

static GBytes *
zlib_compress (const guint8 * data, gsize length)
{
  g_autoptr (GZlibCompressor) z =
      g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 6);
  g_autoptr (GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) conv =
      g_converter_output_stream_new (mem, G_CONVERTER (z));
  gsize written;

  g_assert_true (g_output_stream_write_all (conv, data, length, &written,
          NULL, NULL));
  g_assert_true (g_output_stream_close (conv, NULL, NULL));
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

/* A complete PNG: `raw` holds the rows, each without its filter byte
 * (filter 0 is added here). */
static GByteArray *
build_png (guint width, guint height, guint bit_depth, guint color_type,
    const guint8 * raw, gsize row_bytes, const guint8 * plte,
    gsize plte_length, const guint8 * trns, gsize trns_length)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', 13, 10, 26, 10 };
  GByteArray *png = g_byte_array_new ();
  g_autoptr (GByteArray) header = g_byte_array_new ();
  g_autoptr (GByteArray) filtered = g_byte_array_new ();
  g_autoptr (GBytes) idat = NULL;
  guint8 tail[5] = { bit_depth, color_type, 0, 0, 0 };
  const guint8 zero = 0;
  guint y;

  g_byte_array_append (png, signature, 8);
  put_be32 (header, width);
  put_be32 (header, height);
  g_byte_array_append (header, tail, 5);
  put_chunk (png, "IHDR", header->data, header->len);
  if (plte)
    put_chunk (png, "PLTE", plte, plte_length);
  if (trns)
    put_chunk (png, "tRNS", trns, trns_length);
  for (y = 0; y < height; y++) {
    g_byte_array_append (filtered, &zero, 1);
    g_byte_array_append (filtered, raw + y * row_bytes, row_bytes);
  }
  idat = zlib_compress (filtered->data, filtered->len);
  put_chunk (png, "IDAT", g_bytes_get_data (idat, NULL),
      g_bytes_get_size (idat));
  put_chunk (png, "IEND", NULL, 0);
  return png;
}

static gchar *
write_file (const gchar * name, const guint8 * data, gsize length)
{
  gchar *path = tmp_path (name);

  g_assert_true (g_file_set_contents (path, (const gchar *) data, length,
          NULL));
  return path;
}

static void
assert_pixel (const DiskImage * image, guint x, guint y, guint c,
    gdouble expected)
{
  gdouble got = disk_image_pixel (image, x, y)[c];

  if (fabs (got - expected) > 1e-7)
    g_error ("pixel (%u, %u) channel %u: got %.9f, expected %.9f", x, y, c,
        got, expected);
}

/* ------------------------------------------------ loading hand-made PNGs */

static void
test_load_16bit_rgb (void)
{
  /* 2 x 2 RGB, 16 bits: values chosen so that 8 bits could not hold them. */
  static const guint16 v[12] = { 0, 1, 257, 1000, 32768, 65535,
    12345, 54321, 256, 65534, 300, 7
  };
  guint8 raw[24];
  guint i;
  g_autoptr (GByteArray) png = NULL;
  g_autofree gchar *path = NULL;
  g_autoptr (DiskImage) image = NULL;
  g_autoptr (GError) error = NULL;

  for (i = 0; i < 12; i++) {
    raw[2 * i] = v[i] >> 8;
    raw[2 * i + 1] = v[i] & 0xff;
  }
  png = build_png (2, 2, 16, 2, raw, 12, NULL, 0, NULL, 0);
  path = write_file ("rgb16.png", png->data, png->len);
  image = disk_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (image->width, ==, 2);
  g_assert_cmpuint (image->height, ==, 2);
  g_assert_cmpuint (image->channels, ==, 3);
  for (i = 0; i < 12; i++)
    assert_pixel (image, (i / 3) % 2, i / 6, i % 3, v[i] / 65535.0);
}

static void
test_load_palette (void)
{
  /* 3 x 1, palette of 3 colours; then the same with a tRNS chunk giving
   * entries 0 and 1 alpha (entry 2 is opaque by default). */
  static const guint8 plte[9] = { 255, 0, 0, 0, 128, 0, 10, 20, 30 };
  static const guint8 trns[2] = { 0, 100 };
  static const guint8 raw[3] = { 2, 0, 1 };
  g_autoptr (GByteArray) png = build_png (3, 1, 8, 3, raw, 3, plte, 9, NULL,
      0);
  g_autoptr (GByteArray) png_alpha = build_png (3, 1, 8, 3, raw, 3, plte, 9,
      trns, 2);
  g_autofree gchar *path = write_file ("palette.png", png->data, png->len);
  g_autofree gchar *path_alpha = write_file ("palette-alpha.png",
      png_alpha->data, png_alpha->len);
  g_autoptr (DiskImage) image = NULL;
  g_autoptr (DiskImage) image_alpha = NULL;
  g_autoptr (GError) error = NULL;
  guint x, c;

  image = disk_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (image->channels, ==, 3);
  image_alpha = disk_image_load (path_alpha, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (image_alpha->channels, ==, 4);
  for (x = 0; x < 3; x++) {
    for (c = 0; c < 3; c++) {
      assert_pixel (image, x, 0, c, plte[3 * raw[x] + c] / 255.0);
      assert_pixel (image_alpha, x, 0, c, plte[3 * raw[x] + c] / 255.0);
    }
    assert_pixel (image_alpha, x, 0, 3,
        (raw[x] < 2 ? trns[raw[x]] : 255) / 255.0);
  }
}

static void
test_load_gray_low_bits_and_alpha (void)
{
  /* 1-bit gray, 10 x 2: bits 1011001110 / 0100110001 (padded rows). */
  static const guint8 raw1[4] = { 0xb3, 0x80, 0x4c, 0x40 };
  static const gchar *bits[2] = { "1011001110", "0100110001" };
  /* 8-bit gray + alpha, 2 x 1. */
  static const guint8 raw_ga[4] = { 17, 250, 200, 3 };
  g_autoptr (GByteArray) png1 = build_png (10, 2, 1, 0, raw1, 2, NULL, 0,
      NULL, 0);
  g_autoptr (GByteArray) png_ga = build_png (2, 1, 8, 4, raw_ga, 4, NULL, 0,
      NULL, 0);
  g_autofree gchar *path1 = write_file ("gray1.png", png1->data, png1->len);
  g_autofree gchar *path_ga = write_file ("gray-alpha.png", png_ga->data,
      png_ga->len);
  g_autoptr (DiskImage) image1 = NULL;
  g_autoptr (DiskImage) image_ga = NULL;
  g_autoptr (GError) error = NULL;
  guint x, y;

  image1 = disk_image_load (path1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (image1->channels, ==, 1);
  g_assert_cmpuint (image1->width, ==, 10);
  for (y = 0; y < 2; y++)
    for (x = 0; x < 10; x++)
      assert_pixel (image1, x, y, 0, bits[y][x] == '1' ? 1.0 : 0.0);

  image_ga = disk_image_load (path_ga, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (image_ga->channels, ==, 2);
  for (x = 0; x < 2; x++) {
    assert_pixel (image_ga, x, 0, 0, raw_ga[2 * x] / 255.0);
    assert_pixel (image_ga, x, 0, 1, raw_ga[2 * x + 1] / 255.0);
  }
}

/* ------------------------------------------------------------ round trips */

/* A test image whose values include exact levels, values between levels,
 * and values outside [0, 1] that must be clamped. */
static DiskImage *
make_test_image (guint width, guint height, guint channels, guint32 seed)
{
  DiskImage *image = disk_image_new (width, height, channels);
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  guint x, y, c;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      for (c = 0; c < channels; c++)
        disk_image_pixel (image, x, y)[c] =
            (gfloat) g_rand_double_range (rand, -0.2, 1.2);
  disk_image_pixel (image, 0, 0)[0] = 0.0f;
  disk_image_pixel (image, 1, 0)[0] = 1.0f;
  disk_image_pixel (image, 2, 0)[0] = 0.5f;
  disk_image_pixel (image, 3, 0)[0] = -3.0f;
  disk_image_pixel (image, 4, 0)[0] = 7.0f;
  return image;
}

static gdouble
expected_level (gfloat value, guint max)
{
  gdouble v = value;

  v = v < 0.0 ? 0.0 : (v > 1.0 ? 1.0 : v);
  return floor (v * max + 0.5) / max;
}

static void
round_trip (guint channels, guint bits)
{
  g_autoptr (DiskImage) image = make_test_image (7, 5, channels,
      channels * 100 + bits);
  g_autofree gchar *name = g_strdup_printf ("rt-%u-%u.png", channels, bits);
  g_autofree gchar *path = tmp_path (name);
  g_autoptr (DiskImage) loaded = NULL;
  g_autoptr (GError) error = NULL;
  const guint max = bits == 16 ? 65535 : 255;
  guint x, y, c;

  g_assert_true (disk_image_save_png (image, path, bits, &error));
  g_assert_no_error (error);
  loaded = disk_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->width, ==, 7);
  g_assert_cmpuint (loaded->height, ==, 5);
  g_assert_cmpuint (loaded->channels, ==, channels);
  for (y = 0; y < 5; y++)
    for (x = 0; x < 7; x++)
      for (c = 0; c < channels; c++)
        assert_pixel (loaded, x, y, c,
            expected_level (disk_image_pixel (image, x, y)[c], max));

  /* An independent decoder agrees (gdk-pixbuf gives 8-bit RGB or RGBA). */
  if (channels == 3 || channels == 4) {
    g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);
    const guint8 *p;
    gint stride;

    g_assert_no_error (error);
    g_assert_cmpint (gdk_pixbuf_get_n_channels (pixbuf), ==, channels);
    p = gdk_pixbuf_read_pixels (pixbuf);
    stride = gdk_pixbuf_get_rowstride (pixbuf);
    for (y = 0; y < 5; y++)
      for (x = 0; x < 7; x++)
        for (c = 0; c < channels; c++) {
          gdouble ours = disk_image_pixel (loaded, x, y)[c];
          gdouble theirs = p[y * stride + x * channels + c] / 255.0;

          /* 16-bit files are cut to 8 bits by gdk-pixbuf. */
          g_assert_cmpfloat (fabs (ours - theirs), <=,
              (bits == 16 ? 1.0 : 0.0) / 255.0 + 1e-7);
        }
  }
}

static void
test_round_trip (void)
{
  guint channels;

  for (channels = 1; channels <= 4; channels++) {
    round_trip (channels, 8);
    round_trip (channels, 16);
  }
}

/* 16 bits really keep 16 bits: levels one 65535th apart survive. */
static void
test_16bit_precision (void)
{
  g_autoptr (DiskImage) image = disk_image_new (256, 1, 1);
  g_autofree gchar *path = tmp_path ("ramp16.png");
  g_autoptr (DiskImage) loaded = NULL;
  g_autoptr (GError) error = NULL;
  guint x;

  for (x = 0; x < 256; x++)
    disk_image_pixel (image, x, 0)[0] = (30000.0f + x) / 65535.0f;
  g_assert_true (disk_image_save_png (image, path, 16, &error));
  loaded = disk_image_load (path, &error);
  g_assert_no_error (error);
  for (x = 0; x < 256; x++)
    assert_pixel (loaded, x, 0, 0, (30000.0 + x) / 65535.0);
}

/* The test photographs load with the documented sizes; the disparity map is
 * 16-bit, normalised to [0, 1], with more than 256 distinct levels. */
static void
test_data_files (void)
{
  const gchar *dir = g_getenv ("DISK_TEST_DATA");
  static const struct
  {
    const gchar *name;
    guint width, height, channels;
  } files[] = {
    {"astronaut.png", 96, 96, 3},
    {"coffee.png", 128, 96, 3},
    {"motorcycle.png", 160, 108, 3},
    {"motorcycle-disparity.png", 160, 108, 1},
  };
  guint i;

  g_assert_nonnull (dir);
  for (i = 0; i < G_N_ELEMENTS (files); i++) {
    g_autofree gchar *path = g_build_filename (dir, files[i].name, NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (DiskImage) image = disk_image_load (path, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (image->width, ==, files[i].width);
    g_assert_cmpuint (image->height, ==, files[i].height);
    g_assert_cmpuint (image->channels, ==, files[i].channels);
    if (files[i].channels == 1) {
      g_autoptr (GHashTable) levels = g_hash_table_new (NULL, NULL);
      gfloat lo = 1.0f, hi = 0.0f;
      guint x, y;

      for (y = 0; y < image->height; y++)
        for (x = 0; x < image->width; x++) {
          gfloat v = disk_image_pixel (image, x, y)[0];

          lo = MIN (lo, v);
          hi = MAX (hi, v);
          g_hash_table_add (levels,
              GUINT_TO_POINTER ((guint) lrint (v * 65535.0)));
        }
      g_assert_cmpfloat (lo, ==, 0.0f);
      g_assert_cmpfloat (hi, ==, 1.0f);
      g_assert_cmpuint (g_hash_table_size (levels), >, 256);
    }
  }
}

/* Formats other than PNG go through gdk-pixbuf: a JPEG it wrote itself. */
static void
test_load_jpeg (void)
{
  g_autoptr (GdkPixbuf) pixbuf =
      gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 16, 8);
  g_autofree gchar *path = tmp_path ("flat.jpg");
  g_autoptr (DiskImage) image = NULL;
  g_autoptr (GError) error = NULL;
  guint x, y;

  gdk_pixbuf_fill (pixbuf, 0xc0804000);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "jpeg", &error, "quality",
          "95", NULL));
  image = disk_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (image->width, ==, 16);
  g_assert_cmpuint (image->height, ==, 8);
  g_assert_cmpuint (image->channels, ==, 3);
  for (y = 0; y < 8; y++)
    for (x = 0; x < 16; x++) {
      g_assert_cmpfloat (fabs (disk_image_pixel (image, x, y)[0] - 0xc0 /
              255.0), <, 4.0 / 255);
      g_assert_cmpfloat (fabs (disk_image_pixel (image, x, y)[1] - 0x80 /
              255.0), <, 4.0 / 255);
      g_assert_cmpfloat (fabs (disk_image_pixel (image, x, y)[2] - 0x40 /
              255.0), <, 4.0 / 255);
    }
}

/* ------------------------------------------------------------- bad files */

static void
assert_load_fails (const gchar * path)
{
  g_autoptr (GError) error = NULL;
  DiskImage *image = disk_image_load (path, &error);

  g_assert_null (image);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  if (strstr (error->message, path) == NULL)
    g_error ("error “%s” does not name the file %s", error->message, path);
}

static void
test_bad_files (void)
{
  g_autoptr (DiskImage) image = make_test_image (40, 30, 3, 7);
  g_autofree gchar *good = tmp_path ("good.png");
  g_autofree gchar *missing = tmp_path ("does-not-exist.png");
  g_autofree gchar *contents = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (42);
  guint8 junk[1000];
  gsize length, cut;
  guint i, refused = 0;

  g_assert_true (disk_image_save_png (image, good, 8, NULL));
  g_assert_true (g_file_get_contents (good, &contents, &length, NULL));

  /* Truncated at many places: inside the signature, the header, the data. */
  for (cut = 1; cut < length; cut += (cut < 64 ? 3 : 97)) {
    g_autofree gchar *path = write_file ("truncated.png",
        (const guint8 *) contents, cut);

    assert_load_fails (path);
  }
  {
    g_autofree gchar *path = write_file ("empty.png", NULL, 0);

    assert_load_fails (path);
  }
  for (i = 0; i < sizeof junk; i++)
    junk[i] = g_rand_int_range (rand, 0, 256);
  {
    g_autofree gchar *path = write_file ("junk.png", junk, sizeof junk);

    assert_load_fails (path);
  }
  /* A PNG signature followed by junk goes to libpng, which must refuse it. */
  memcpy (junk, contents, 8);
  {
    g_autofree gchar *path = write_file ("junk-after-signature.png", junk,
        sizeof junk);

    assert_load_fails (path);
  }
  /* A valid file with its image data corrupted (CRC and zlib errors). */
  {
    g_autofree gchar *copy = g_memdup2 (contents, length);
    g_autofree gchar *path = NULL;

    for (i = length / 2; i < length / 2 + 20; i++)
      copy[i] ^= 0x5a;
    path = write_file ("corrupt.png", (const guint8 *) copy, length);
    assert_load_fails (path);
  }
  /* Headers claiming huge images (valid CRC), with one row of data. */
  {
    static const guint32 sizes[3][2] = { {60000, 60000}, {0x7fff0000, 1},
    {1, 0x7fff0000}
    };

    for (i = 0; i < 3; i++) {
      guint8 raw[1] = { 0 };
      g_autoptr (GByteArray) png = build_png (1, 1, 8, 0, raw, 1, NULL, 0,
          NULL, 0);
      g_autofree gchar *path = NULL;
      guint32 crc;
      guint k;

      /* IHDR: length at 8, type at 12, width at 16, height at 20, CRC of
       * type and data at 29. */
      for (k = 0; k < 4; k++) {
        png->data[16 + k] = sizes[i][0] >> (24 - 8 * k);
        png->data[20 + k] = sizes[i][1] >> (24 - 8 * k);
      }
      crc = crc32_update (0, png->data + 12, 17);
      for (k = 0; k < 4; k++)
        png->data[29 + k] = crc >> (24 - 8 * k);
      path = write_file ("huge.png", png->data, png->len);
      assert_load_fails (path);
    }
  }
  assert_load_fails (missing);

  /* Mutated files with every chunk's CRC repaired, so the damage reaches the
   * decoder: each load gives an image or an error naming the file. */
  for (i = 0; i < 300; i++) {
    g_autofree guint8 *copy = g_memdup2 (contents, length);
    g_autofree gchar *path = NULL;
    g_autoptr (GError) error = NULL;
    g_autoptr (DiskImage) loaded = NULL;
    guint flips = g_rand_int_range (rand, 1, 8), f;
    gsize pos = 8;

    for (f = 0; f < flips; f++)
      copy[g_rand_int_range (rand, 8, length)] ^= 1 << g_rand_int_range (rand,
          0, 8);
    while (pos + 12 <= length) {
      guint32 n = (guint32) copy[pos] << 24 | copy[pos + 1] << 16
          | copy[pos + 2] << 8 | copy[pos + 3];
      guint32 crc;

      if (n > length - pos - 12)
        break;
      crc = crc32_update (0, copy + pos + 4, n + 4);
      copy[pos + 8 + n] = crc >> 24;
      copy[pos + 9 + n] = crc >> 16;
      copy[pos + 10 + n] = crc >> 8;
      copy[pos + 11 + n] = crc;
      pos += n + 12;
    }
    path = write_file ("mutated.png", copy, length);
    loaded = disk_image_load (path, &error);
    g_assert_true ((loaded == NULL) != (error == NULL));
    if (error != NULL)
      g_assert_nonnull (strstr (error->message, path));
    refused += error != NULL;
  }
  g_test_message ("mutated files: %u of 300 refused, the rest loaded",
      refused);
}

/* ---------------------------------------------------------------- saving */

static guint
count_entries (const gchar * dir_path)
{
  g_autoptr (GDir) dir = g_dir_open (dir_path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static void
test_save_missing_directory (void)
{
  g_autoptr (DiskImage) image = make_test_image (4, 4, 3, 1);
  g_autofree gchar *dir = g_build_filename (tmp_dir, "save-test", NULL);
  g_autofree gchar *missing_dir = g_build_filename (dir, "no-such-dir", NULL);
  g_autofree gchar *path = g_build_filename (missing_dir, "out.png", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_false (disk_image_save_png (image, path, 8, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_false (g_file_test (missing_dir, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_entries (dir), ==, 0);
  g_clear_error (&error);

  /* Bits other than 8 or 16: an error, and no file. */
  {
    g_autofree gchar *bad = g_build_filename (dir, "bits.png", NULL);

    g_assert_false (disk_image_save_png (image, bad, 12, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, bad));
    g_assert_cmpuint (count_entries (dir), ==, 0);
  }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_save_replaces_atomically (void)
{
  g_autoptr (DiskImage) big = make_test_image (300, 200, 4, 3);
  g_autoptr (DiskImage) small = make_test_image (5, 3, 1, 4);
  g_autofree gchar *dir = g_build_filename (tmp_dir, "replace-test", NULL);
  g_autofree gchar *path = g_build_filename (dir, "out.png", NULL);
  g_autofree gchar *contents = NULL;
  g_autoptr (DiskImage) loaded = NULL;
  g_autoptr (GError) error = NULL;
  gsize length;
  guint x, y;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_true (disk_image_save_png (big, path, 16, &error));
  g_assert_true (disk_image_save_png (small, path, 8, &error));
  g_assert_no_error (error);

  /* Exactly one file, holding exactly the small image and nothing of the
   * big one: its length is what gdk-pixbuf needs and no more. */
  g_assert_cmpuint (count_entries (dir), ==, 1);
  loaded = disk_image_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->width, ==, 5);
  g_assert_cmpuint (loaded->height, ==, 3);
  g_assert_cmpuint (loaded->channels, ==, 1);
  for (y = 0; y < 3; y++)
    for (x = 0; x < 5; x++)
      assert_pixel (loaded, x, y, 0,
          expected_level (disk_image_pixel (small, x, y)[0], 255));
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, <, 1000);
  /* The file ends with the IEND chunk: nothing of the old file trails. */
  g_assert_cmpint (memcmp (contents + length - 12,
          "\0\0\0\0IEND\xae\x42\x60\x82", 12), ==, 0);

  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ------------------------------------------------------------ conversions */

static void
test_conversions (void)
{
  g_autoptr (DiskImage) rgba = disk_image_new (3, 2, 4);
  g_autoptr (DiskImage) ga = disk_image_new (3, 2, 2);
  g_autoptr (DiskImage) gray = disk_image_new (3, 2, 1);
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  guint x, y, c;

  for (y = 0; y < 2; y++)
    for (x = 0; x < 3; x++) {
      for (c = 0; c < 4; c++)
        disk_image_pixel (rgba, x, y)[c] = g_rand_double (rand);
      for (c = 0; c < 2; c++)
        disk_image_pixel (ga, x, y)[c] = g_rand_double (rand);
      disk_image_pixel (gray, x, y)[0] = g_rand_double (rand);
    }

  {
    g_autoptr (DiskImage) l = disk_image_to_luminance (rgba);
    g_autoptr (DiskImage) lga = disk_image_to_luminance (ga);
    g_autoptr (DiskImage) lg = disk_image_to_luminance (gray);
    g_autoptr (DiskImage) rgb = disk_image_to_rgb (rgba);
    g_autoptr (DiskImage) l3 = disk_image_to_luminance (rgb);
    g_autoptr (DiskImage) grgb = disk_image_to_rgb (ga);

    g_assert_cmpuint (l->channels, ==, 1);
    g_assert_cmpuint (rgb->channels, ==, 3);
    for (y = 0; y < 2; y++)
      for (x = 0; x < 3; x++) {
        const gfloat *p = disk_image_pixel (rgba, x, y);
        gdouble luma = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];

        g_assert_cmpfloat (fabs (disk_image_pixel (l, x, y)[0] - luma), <,
            1e-6);
        g_assert_cmpfloat (fabs (disk_image_pixel (l3, x, y)[0] - luma), <,
            1e-6);
        assert_pixel (lga, x, y, 0, disk_image_pixel (ga, x, y)[0]);
        assert_pixel (lg, x, y, 0, disk_image_pixel (gray, x, y)[0]);
        for (c = 0; c < 3; c++) {
          assert_pixel (rgb, x, y, c, p[c]);
          assert_pixel (grgb, x, y, c, disk_image_pixel (ga, x, y)[0]);
        }
      }
  }
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("disk-test-image-io-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/image-io/load-16bit-rgb", test_load_16bit_rgb);
  g_test_add_func ("/image-io/load-palette", test_load_palette);
  g_test_add_func ("/image-io/load-gray-low-bits-and-alpha",
      test_load_gray_low_bits_and_alpha);
  g_test_add_func ("/image-io/round-trip", test_round_trip);
  g_test_add_func ("/image-io/16bit-precision", test_16bit_precision);
  g_test_add_func ("/image-io/data-files", test_data_files);
  g_test_add_func ("/image-io/load-jpeg", test_load_jpeg);
  g_test_add_func ("/image-io/bad-files", test_bad_files);
  g_test_add_func ("/image-io/save-missing-directory",
      test_save_missing_directory);
  g_test_add_func ("/image-io/save-replaces-atomically",
      test_save_replaces_atomically);
  g_test_add_func ("/image-io/conversions", test_conversions);

  result = g_test_run ();

  /* Remove what the tests left (only files, one level deep). */
  {
    GDir *dir = g_dir_open (tmp_dir, 0, NULL);
    const gchar *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree gchar *path = g_build_filename (tmp_dir, name, NULL);

      g_unlink (path);
    }
    if (dir)
      g_dir_close (dir);
    g_rmdir (tmp_dir);
    g_free (tmp_dir);
  }
  return result;
}
