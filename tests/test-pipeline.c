/* End-to-end: real gst-launch-1.0 pipelines that decode a photo, blur it
 * with diskblur and encode it again; the decoded result is compared with the
 * core's reference filter applied to the same photo.
 * Environment: GST_LAUNCH (the gst-launch-1.0 program), GST_PLUGIN_PATH,
 * DISK_TEST_DATA, DISK_PRESETS_DIR. */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>

#include "disk-filter.h"
#include "disk-image-io.h"
#include "disk-metrics.h"
#include "disk-preset.h"

static gchar *tmp_dir;

static gchar *
env_path (const gchar * variable, const gchar * name)
{
  const gchar *dir = g_getenv (variable);

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

/* Runs gst-launch-1.0 with `pipeline` (whitespace-separated arguments);
 * asserts it exits 0. */
static void
launch (const gchar * pipeline)
{
  const gchar *program = g_getenv ("GST_LAUNCH");
  g_autofree gchar *command = NULL;
  g_autofree gchar *out = NULL;
  g_autofree gchar *err = NULL;
  g_auto (GStrv) argv = NULL;
  g_autoptr (GError) error = NULL;
  gint status;

  g_assert_nonnull (program);
  command = g_strdup_printf ("'%s' -q %s", program, pipeline);
  g_test_message ("%s", command);
  g_assert_true (g_shell_parse_argv (command, NULL, &argv, &error));
  g_assert_true (g_spawn_sync (NULL, argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
          &out, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_test_message ("gst-launch-1.0 failed:\n%s\n%s", out, err);
  g_assert_no_error (error);
}

/* The photo blurred by the core reference with the built-in bokeh preset,
 * rounded to 8 bits like the pipeline output. */
static DiskImage *
reference (const DiskImage * photo, gdouble radius)
{
  g_autofree gchar *path = env_path ("DISK_PRESETS_DIR", "bokeh.preset");
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskPreset) preset = disk_preset_load_file (path, &error);
  g_autoptr (DiskComplex) complex = NULL;
  DiskImage *out;
  guint x, y, c;

  g_assert_no_error (error);
  complex = disk_basis_new_complex (preset->basis);
  disk_basis_interpolate (preset->basis, radius, 0.0, complex);
  out = disk_image_new (photo->width, photo->height, photo->channels);
  disk_filter_uniform (complex, photo, out);
  for (y = 0; y < out->height; y++)
    for (x = 0; x < out->width; x++)
      for (c = 0; c < out->channels; c++) {
        gfloat *p = disk_image_pixel (out, x, y) + c;
        *p = (gfloat) (floor (CLAMP (*p, 0.0f, 1.0f) * 255 + 0.5) / 255);
      }
  return out;
}

static gfloat
max_abs_diff (const DiskImage * a, const DiskImage * b)
{
  gfloat worst = 0.0f;
  guint x, y, c;

  g_assert_true (disk_image_same_shape (a, b));
  for (y = 0; y < a->height; y++)
    for (x = 0; x < a->width; x++)
      for (c = 0; c < a->channels; c++)
        worst = MAX (worst, fabsf (disk_image_pixel (a, x, y)[c]
                - disk_image_pixel (b, x, y)[c]));
  return worst;
}

/* PNG in, PNG out: RGB all the way, so the result is the reference filter
 * to within one 8-bit step. */
static void
test_png_pipeline (void)
{
  g_autofree gchar *input = env_path ("DISK_TEST_DATA", "astronaut.png");
  g_autofree gchar *output = g_build_filename (tmp_dir, "blurred.png", NULL);
  g_autofree gchar *pipeline = g_strdup_printf ("filesrc location=%s ! "
      "pngdec ! videoconvert ! diskblur radius=4 ! videoconvert ! pngenc ! "
      "filesink location=%s", input, output);
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskImage) photo = disk_image_load (input, &error);
  g_autoptr (DiskImage) result = NULL;
  g_autoptr (DiskImage) expected = NULL;
  gdouble psnr_input;

  g_assert_no_error (error);
  launch (pipeline);
  result = disk_image_load (output, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->channels, ==, photo->channels);
  expected = reference (photo, 4.0);
  g_assert_cmpfloat (max_abs_diff (result, expected), <=, 1.0f / 255 + 1e-6);
  psnr_input = disk_image_psnr (result, photo, 1.0);
  g_test_message ("PNG: output vs input %.2f dB (blurred), vs reference "
      "%.2f dB", psnr_input, disk_image_psnr (result, expected, 1.0));
  g_assert_cmpfloat (psnr_input, <, 30.0);
  g_unlink (output);
}

/* JPEG in, JPEG out: I420 through the element, lossy at both ends, so only
 * close to the reference (measured 44.6 dB at quality 95). */
static void
test_jpeg_pipeline (void)
{
  g_autofree gchar *input = env_path ("DISK_TEST_DATA", "demo-astronaut.jpg");
  g_autofree gchar *output = g_build_filename (tmp_dir, "blurred.jpg", NULL);
  g_autofree gchar *pipeline = g_strdup_printf ("filesrc location=%s ! "
      "jpegdec ! video/x-raw,format=I420 ! diskblur radius=5 ! "
      "jpegenc quality=95 ! filesink location=%s", input, output);
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskImage) photo = disk_image_load (input, &error);
  g_autoptr (DiskImage) result = NULL;
  g_autoptr (DiskImage) expected = NULL;
  gdouble psnr, psnr_input;

  g_assert_no_error (error);
  launch (pipeline);
  result = disk_image_load (output, &error);
  g_assert_no_error (error);
  expected = reference (photo, 5.0);
  psnr = disk_image_psnr (result, expected, 1.0);
  psnr_input = disk_image_psnr (result, photo, 1.0);
  g_test_message ("JPEG: output vs reference %.2f dB, vs input %.2f dB",
      psnr, psnr_input);
  g_assert_cmpfloat (psnr, >=, 40.0);
  g_assert_cmpfloat (psnr, >=, psnr_input + 10.0);
  g_unlink (output);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-pipeline-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/pipeline/png", test_png_pipeline);
  g_test_add_func ("/pipeline/jpeg", test_jpeg_pipeline);
  result = g_test_run ();

  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return result;
}
