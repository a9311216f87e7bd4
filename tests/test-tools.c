/* Tests of the command-line programs tools/disk-fit and tools/disk-blur, run
 * as subprocesses (paths in DISK_FIT and DISK_BLUR, set by tests/meson.build).
 *
 * disk-blur's output is compared with a filter written out here from the
 * documented formula (bilinear reads, clamp to edge, offsets "where the light
 * goes", radius and angle maps as in disk-effects.h), not with the core's. */
#include "disk-image-io.h"
#include "disk-preset.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

static const gchar *disk_fit;
static const gchar *disk_blur;
static gchar *tmp_dir;

typedef struct
{
  gint status;                  /* exit status, -1 if killed */
  gchar *out;
  gchar *err;
} Run;

static void
run_clear (Run * run)
{
  g_free (run->out);
  g_free (run->err);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Runs argv (NULL-terminated) and collects its exit status and output. */
static void
run_argv (const gchar * const *argv, Run * run)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *line = g_strjoinv (" ", (gchar **) argv);
  gint wait_status = 0;

  g_test_message ("running: %s", line);
  g_assert_true (g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT,
          NULL, NULL, &run->out, &run->err, &wait_status, &error));
  g_assert_no_error (error);
  run->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  g_test_message ("status %d\nstdout:\n%s\nstderr:\n%s", run->status,
      run->out, run->err);
}

static gchar *
tmp_path (const gchar * name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

/* ------------------------------------------------------------------------ */
/* disk-fit                                                                  */

static void
test_fit_tiny (void)
{
  g_autofree gchar *preset_path = tmp_path ("tiny.preset");
  g_autofree gchar *plot_path = tmp_path ("tiny-plot.png");
  const gchar *argv[] = { disk_fit, "--target", "disc", "--samples", "6",
    "--layers", "2", "--radii", "2,3", "--steps", "50", "--seed", "5",
    "--name", "tiny", "-o", preset_path, "--plot", plot_path, NULL
  };
  g_autofree gchar *expected_command = NULL;
  g_auto (Run) run = { 0 };
  g_autoptr (DiskPreset) preset = NULL;
  g_autoptr (DiskImage) plot = NULL;
  g_autoptr (GError) error = NULL;
  guint k;

  run_argv (argv, &run);
  g_assert_cmpint (run.status, ==, 0);

  preset = disk_preset_load_file (preset_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (preset->name, ==, "tiny");
  g_assert_cmpstr (preset->target, ==, "disc");
  g_assert_cmpuint (preset->seed, ==, 5);
  /* The program name, not the build path; no argument here needs quotes. */
  expected_command = g_strdup_printf ("disk-fit --target disc --samples 6 "
      "--layers 2 --radii 2,3 --steps 50 --seed 5 --name tiny -o %s "
      "--plot %s", preset_path, plot_path);
  g_assert_cmpstr (preset->command, ==, expected_command);
  g_assert_cmpuint (preset->basis->n_entries, ==, 2);
  g_assert_cmpfloat (preset->basis->radii[0], ==, 2.0);
  g_assert_cmpfloat (preset->basis->radii[1], ==, 3.0);
  g_assert_cmpuint (preset->basis->entries[0]->n_layers, ==, 2);
  g_assert_cmpuint (preset->basis->entries[0]->n_samples[0], ==, 6);
  g_assert_cmpuint (preset->basis->entries[0]->n_samples[1], ==, 6);

  /* The summary table shows each entry's recorded kernel PSNR. */
  g_assert_nonnull (strstr (run.out, "kernel PSNR"));
  for (k = 0; k < 2; k++) {
    g_autofree gchar *row = NULL;

    g_assert_true (isfinite (preset->kernel_psnr[k]));
    row = g_strdup_printf ("%g  %16.2f", preset->basis->radii[k],
        preset->kernel_psnr[k]);
    g_assert_nonnull (strstr (run.out, row));
  }
  /* Not a terminal: plain progress lines. */
  g_assert_nonnull (strstr (run.err, "entry 2/2"));
  g_assert_null (strchr (run.err, '\r'));

  /* Plot: 3 columns x 2 rows of square cells; the first target panel's
   * centre is the disc's peak, drawn white. */
  plot = disk_image_load (plot_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (plot->width * 2, ==, plot->height * 3);
  {
    guint cell = plot->width / 3;
    const gfloat *centre = disk_image_pixel (plot, cell / 2, cell / 2);
    const gfloat *corner = disk_image_pixel (plot, 0, 0);

    g_assert_cmpfloat (centre[0], >, 0.9f);
    g_assert_cmpfloat (corner[0], <, 0.5f);
  }
  g_assert_nonnull (strstr (run.out, "error x"));
}

/* Arguments that need quoting are quoted so that the recorded command parses
 * back (as a shell would) into exactly the arguments given. */
static void
test_fit_command_quoting (void)
{
  g_autofree gchar *preset_path = tmp_path ("quoted.preset");
  const gchar *argv[] = { disk_fit, "--target", "polygon:n=6",
    "--samples", "3", "--layers", "1", "--radii", "2", "--steps", "5",
    "--description", "two words; and \"quotes\"", "--name", "it's",
    "--quiet", "-o", preset_path, NULL
  };
  g_auto (Run) run = { 0 };
  g_autoptr (DiskPreset) preset = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) parsed = NULL;
  gint n = 0, i;

  run_argv (argv, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpstr (run.out, ==, "");    /* --quiet */
  preset = disk_preset_load_file (preset_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (preset->name, ==, "it's");
  g_assert_cmpstr (preset->description, ==, "two words; and \"quotes\"");
  g_assert_cmpuint (preset->seed, ==, 1);       /* the documented default */

  g_assert_true (g_shell_parse_argv (preset->command, &n, &parsed, &error));
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, G_N_ELEMENTS (argv) - 1);
  g_assert_cmpstr (parsed[0], ==, "disk-fit");
  for (i = 1; i < n; i++)
    g_assert_cmpstr (parsed[i], ==, argv[i]);
}

typedef struct
{
  const gchar *option;          /* expected in the message */
  const gchar *args[4];
} BadArgs;

static const BadArgs bad_fit_args[] = {
  {"--target", {"--target", "blob"}},
  {"--target", {"--target", "polygon:n=1"}},
  {"--radii", {"--radii", "3,2"}},
  {"--radii", {"--radii", "1,x"}},
  {"--radii", {"--radii", ""}},
  {"--radii", {"--radii", "-1"}},
  {"--radii", {"--radii", "1,nan"}},
  {"--samples", {"--samples", "0"}},
  {"--samples", {"--samples", "6,6,6"}},
  {"--layers", {"--layers", "17"}},
  {"--steps", {"--steps", "-1"}},
  {"--seed", {"--seed", "abc"}},
  {"--init", {"--init", "clever"}},
  {"--loss", {"--loss", "l3"}},
  {"--epsilon", {"--epsilon", "0"}},
  {"--epsilon", {"--epsilon", "0.001,-1"}},
  {"--epsilon", {"--epsilon", "0.001,"}},
  {"--epsilon", {"--epsilon", "inf"}},
  {"--epsilon", {"--epsilon", "1,2,3,4,5"}},
  {"--starts", {"--starts", "0"}},
  {"--name", {"--name", ""}},
  {"--bogus", {"--bogus"}},
};

static void
test_fit_bad_arguments (void)
{
  g_autofree gchar *preset_path = tmp_path ("bad.preset");
  guint c;

  for (c = 0; c < G_N_ELEMENTS (bad_fit_args); c++) {
    const BadArgs *bad = &bad_fit_args[c];
    const gchar *argv[16] = { disk_fit, "--samples", "3", "--layers", "2",
      "--radii", "2", "--steps", "5", "-o", preset_path
    };
    guint n = 11, a;
    g_auto (Run) run = { 0 };

    for (a = 0; a < G_N_ELEMENTS (bad->args) && bad->args[a] != NULL; a++)
      argv[n++] = bad->args[a];
    argv[n] = NULL;
    run_argv (argv, &run);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, bad->option));
    g_assert_false (g_file_test (preset_path, G_FILE_TEST_EXISTS));
  }

  /* No output named at all. */
  {
    const gchar *argv[] = { disk_fit, "--radii", "2", NULL };
    g_auto (Run) run = { 0 };

    run_argv (argv, &run);
    g_assert_cmpint (run.status, ==, 2);
    g_assert_nonnull (strstr (run.err, "--output"));
  }
}

static void
test_fit_unwritable (void)
{
  g_autofree gchar *missing = tmp_path ("no-such-dir");
  g_autofree gchar *preset_path = g_build_filename (missing, "x.preset",
      NULL);
  const gchar *argv[] = { disk_fit, "--samples", "3", "--layers", "1",
    "--radii", "2", "--steps", "5", "-o", preset_path, NULL
  };
  g_auto (Run) run = { 0 };

  run_argv (argv, &run);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_nonnull (strstr (run.err, preset_path));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
}

static void
test_fit_help (void)
{
  const gchar *argv[] = { disk_fit, "--help", NULL };
  g_auto (Run) run = { 0 };

  run_argv (argv, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "pixels"));
  g_assert_nonnull (strstr (run.out, "default 24"));
  g_assert_nonnull (strstr (run.out, "--radii"));
  g_assert_nonnull (strstr (run.out, "--plot"));
}

/* ------------------------------------------------------------------------ */
/* disk-blur                                                                 */

/* Two layers at radius 4, deliberately asymmetric: layer 0 sends half the
 * light 2 px right and half 3 px up; layer 1 sends 0.75 of it 1 px right and
 * 1 px down and keeps 0.25 in place. */
static const gchar blur_preset_text[] =
    "[preset]\n"
    "format=1\n"
    "name=asymmetric\n"
    "structure=2;2\n"
    "radii=4\n"
    "\n"
    "[entry 0]\n"
    "radius=4\n"
    "layer0-x=2;0\n"
    "layer0-y=0;-3\n"
    "layer0-w=0.5;0.5\n"
    "layer1-x=1;0\n"
    "layer1-y=1;0\n"
    "layer1-w=0.75;0.25\n";

static const gfloat blur_offsets[2][2][3] = {
  {{2, 0, 0.5f}, {0, -3, 0.5f}},
  {{1, 1, 0.75f}, {0, 0, 0.25f}},
};

/* The test's own bilinear read with clamp to edge. */
static gdouble
reference_read (const DiskImage * image, gdouble u, gdouble v, guint c)
{
  gdouble fu = floor (u), fv = floor (v), ax = u - fu, ay = v - fv;
  gint x0 = (gint) fu, y0 = (gint) fv;
  gdouble sum = 0.0;
  gint dx, dy;

  for (dy = 0; dy <= 1; dy++)
    for (dx = 0; dx <= 1; dx++) {
      gint x = CLAMP (x0 + dx, 0, (gint) image->width - 1);
      gint y = CLAMP (y0 + dy, 0, (gint) image->height - 1);
      gdouble weight = (dx ? ax : 1.0 - ax) * (dy ? ay : 1.0 - ay);

      sum += weight * disk_image_pixel (image, x, y)[c];
    }
  return sum;
}

/* out(p) = sum over the samples of w * in(p - o(p)), per layer, where the
 * offsets at p are the radius-4 entry scaled by R(p) / 4 and rotated by A(p)
 * degrees (the preset has one entry: below and above it the offsets scale). */
static DiskImage *
reference_blur (const DiskImage * in, const gdouble * radius,
    const gdouble * angle)
{
  DiskImage *a = disk_image_copy (in);
  DiskImage *b = disk_image_copy (in);
  guint l, x, y, c, i;

  for (l = 0; l < 2; l++) {
    for (y = 0; y < in->height; y++)
      for (x = 0; x < in->width; x++) {
        const gsize p = (gsize) y * in->width + x;
        const gdouble s = radius[p] / 4.0, t = angle[p] * G_PI / 180.0;

        for (c = 0; c < in->channels; c++) {
          gdouble sum = 0.0;

          for (i = 0; i < 2; i++) {
            const gfloat *o = blur_offsets[l][i];
            gdouble ox = s * (o[0] * cos (t) - o[1] * sin (t));
            gdouble oy = s * (o[0] * sin (t) + o[1] * cos (t));

            sum += o[2] * reference_read (a, x - ox, y - oy, c);
          }
          disk_image_pixel (b, x, y)[c] = (gfloat) sum;
        }
      }
    {
      DiskImage *swap = a;
      a = b;
      b = swap;
    }
  }
  disk_image_free (b);
  return a;
}

/* The input image: tests/data/astronaut.png, or a generated pattern if the
 * data file is not there. */
static gchar *
input_image (void)
{
  const gchar *data = g_getenv ("DISK_TEST_DATA");
  g_autofree gchar *astronaut = data != NULL ?
      g_build_filename (data, "astronaut.png", NULL) : NULL;
  gchar *generated;
  g_autoptr (DiskImage) image = NULL;
  guint x, y, c;

  if (astronaut != NULL && g_file_test (astronaut, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&astronaut);

  generated = tmp_path ("pattern.png");
  image = disk_image_new (57, 41, 3);
  for (y = 0; y < image->height; y++)
    for (x = 0; x < image->width; x++)
      for (c = 0; c < 3; c++)
        disk_image_pixel (image, x, y)[c] = ((x * 7 + y * 13 + c * 50) % 97)
            / 96.0f;
  g_assert_true (disk_image_save_png (image, generated, 8, NULL));
  return generated;
}

static gchar *
write_blur_preset (void)
{
  gchar *path = tmp_path ("asymmetric.preset");

  g_assert_true (g_file_set_contents (path, blur_preset_text, -1, NULL));
  return path;
}

/* 8-bit output: within half a code value of the reference, plus float slack. */
static void
assert_images_close (const DiskImage * result, const DiskImage * expected)
{
  gdouble worst = 0.0;
  guint x, y, c;

  g_assert_cmpuint (result->width, ==, expected->width);
  g_assert_cmpuint (result->height, ==, expected->height);
  g_assert_cmpuint (result->channels, ==, expected->channels);
  for (y = 0; y < result->height; y++)
    for (x = 0; x < result->width; x++)
      for (c = 0; c < result->channels; c++) {
        gdouble e = CLAMP (disk_image_pixel (expected, x, y)[c], 0.0, 1.0);

        worst = MAX (worst, fabs (disk_image_pixel (result, x, y)[c] - e));
      }
  g_test_message ("largest difference %.3g (half a code value is %.3g)",
      worst, 0.5 / 255);
  g_assert_cmpfloat (worst, <=, 0.5 / 255 + 1e-4);
}

static void
check_uniform_blur (const gchar * radius, const gchar * angle)
{
  g_autofree gchar *input = input_image ();
  g_autofree gchar *preset = write_blur_preset ();
  g_autofree gchar *output = tmp_path ("uniform.png");
  const gchar *argv[] = { disk_blur, "--preset", preset, "--radius", radius,
    "--angle", angle, input, output, NULL
  };
  g_auto (Run) run = { 0 };
  g_autoptr (DiskImage) in = NULL;
  g_autoptr (DiskImage) out = NULL;
  g_autoptr (DiskImage) expected = NULL;
  g_autofree gdouble *radii = NULL;
  g_autofree gdouble *angles = NULL;
  g_autoptr (GError) error = NULL;
  gsize n, p;

  run_argv (argv, &run);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, output));

  in = disk_image_load (input, &error);
  g_assert_no_error (error);
  out = disk_image_load (output, &error);
  g_assert_no_error (error);

  n = (gsize) in->width * in->height;
  radii = g_new (gdouble, n);
  angles = g_new (gdouble, n);
  for (p = 0; p < n; p++) {
    radii[p] = g_ascii_strtod (radius, NULL);
    angles[p] = g_ascii_strtod (angle, NULL);
  }
  expected = reference_blur (in, radii, angles);
  assert_images_close (out, expected);
}

static void
test_blur_uniform (void)
{
  check_uniform_blur ("4", "0");        /* the entry itself */
  check_uniform_blur ("8", "0");        /* offsets doubled */
  check_uniform_blur ("3", "90");       /* scaled and turned clockwise */
}

/* Per-pixel radius = --radius * map, angle = 360 * angle map, with maps of
 * the image's size (read exactly at the pixels). */
static void
test_blur_maps (void)
{
  g_autofree gchar *input = input_image ();
  g_autofree gchar *preset = write_blur_preset ();
  g_autofree gchar *output = tmp_path ("varying.png");
  g_autofree gchar *radius_map_path = tmp_path ("radius-map.png");
  g_autofree gchar *angle_map_path = tmp_path ("angle-map.png");
  g_autoptr (DiskImage) in = NULL;
  g_autoptr (DiskImage) out = NULL;
  g_autoptr (DiskImage) expected = NULL;
  g_autoptr (DiskImage) radius_map = NULL;
  g_autoptr (DiskImage) angle_map = NULL;
  g_autofree gdouble *radii = NULL;
  g_autofree gdouble *angles = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (Run) run = { 0 };
  guint x, y;

  in = disk_image_load (input, &error);
  g_assert_no_error (error);
  radius_map = disk_image_new (in->width, in->height, 1);
  angle_map = disk_image_new (in->width, in->height, 1);
  radii = g_new (gdouble, (gsize) in->width * in->height);
  angles = g_new (gdouble, (gsize) in->width * in->height);
  for (y = 0; y < in->height; y++)
    for (x = 0; x < in->width; x++) {
      /* Whole 8-bit code values, so the saved maps read back exactly. */
      guint rq = (guint) lround (255.0 * x / (in->width - 1));
      guint aq = (guint) lround (255.0 * y / (in->height - 1));
      gsize p = (gsize) y * in->width + x;

      *disk_image_pixel (radius_map, x, y) = rq / 255.0f;
      *disk_image_pixel (angle_map, x, y) = aq / 255.0f;
      radii[p] = 6.0 * (rq / 255.0f);
      angles[p] = 360.0 * (aq / 255.0f);
    }
  g_assert_true (disk_image_save_png (radius_map, radius_map_path, 8, NULL));
  g_assert_true (disk_image_save_png (angle_map, angle_map_path, 8, NULL));

  {
    const gchar *argv[] = { disk_blur, "--preset", preset, "--radius", "6",
      "--radius-map", radius_map_path, "--angle-map", angle_map_path, input,
      output, NULL
    };
    run_argv (argv, &run);
  }
  g_assert_cmpint (run.status, ==, 0);
  out = disk_image_load (output, &error);
  g_assert_no_error (error);
  expected = reference_blur (in, radii, angles);
  assert_images_close (out, expected);

  /* Where the radius map is 0 (the left column) the image is unchanged. */
  for (y = 0; y < in->height; y++)
    g_assert_cmpfloat (fabs (disk_image_pixel (out, 0, y)[0]
            - disk_image_pixel (in, 0, y)[0]), <=, 0.5 / 255 + 1e-4);
}

static void
test_blur_errors (void)
{
  g_autofree gchar *input = input_image ();
  g_autofree gchar *preset = write_blur_preset ();
  g_autofree gchar *output = tmp_path ("never.png");
  g_autofree gchar *missing_preset = tmp_path ("missing.preset");
  g_autofree gchar *missing_image = tmp_path ("missing.png");
  g_autofree gchar *broken = tmp_path ("broken.preset");
  g_autofree gchar *bad_dir_output = tmp_path ("no-dir/out.png");
  struct
  {
    gint status;
    const gchar *expect;
    const gchar *argv[10];
  } cases[] = {
    {1, missing_preset, {"--preset", missing_preset, input, output}},
    {1, "[preset] format", {"--preset", broken, input, output}},
    {1, missing_image, {"--preset", preset, missing_image, output}},
    {1, "--radius-map", {"--preset", preset, "--radius-map", missing_image,
            input, output}},
    {1, bad_dir_output, {"--preset", preset, input, bad_dir_output}},
    {2, "--preset", {input, output}},
    {2, "file arguments", {"--preset", preset, input}},
    {2, "--radius", {"--preset", preset, "--radius", "-1", input, output}},
    {2, "--angle", {"--preset", preset, "--angle", "x", input, output}},
    {2, "--bits", {"--preset", preset, "--bits", "12", input, output}},
  };
  guint c;

  g_assert_true (g_file_set_contents (broken, "[preset]\nformat=7\n", -1,
          NULL));
  for (c = 0; c < G_N_ELEMENTS (cases); c++) {
    const gchar *argv[16] = { disk_blur };
    g_auto (Run) run = { 0 };
    guint n = 1, a;

    for (a = 0; a < G_N_ELEMENTS (cases[c].argv) && cases[c].argv[a]; a++)
      argv[n++] = cases[c].argv[a];
    argv[n] = NULL;
    run_argv (argv, &run);
    g_assert_cmpint (run.status, ==, cases[c].status);
    g_assert_nonnull (strstr (run.err, cases[c].expect));
    g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  }
}

static void
remove_tree (const gchar * path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
    const gchar *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
      g_autofree gchar *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  disk_fit = g_getenv ("DISK_FIT");
  disk_blur = g_getenv ("DISK_BLUR");
  if (disk_fit == NULL || disk_blur == NULL) {
    g_printerr ("test-tools: DISK_FIT and DISK_BLUR must name the programs "
        "(tests/meson.build sets them)\n");
    return 1;
  }
  tmp_dir = g_dir_make_tmp ("test-tools-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/tools/fit/tiny", test_fit_tiny);
  g_test_add_func ("/tools/fit/command-quoting", test_fit_command_quoting);
  g_test_add_func ("/tools/fit/bad-arguments", test_fit_bad_arguments);
  g_test_add_func ("/tools/fit/unwritable", test_fit_unwritable);
  g_test_add_func ("/tools/fit/help", test_fit_help);
  g_test_add_func ("/tools/blur/uniform", test_blur_uniform);
  g_test_add_func ("/tools/blur/maps", test_blur_maps);
  g_test_add_func ("/tools/blur/errors", test_blur_errors);

  result = g_test_run ();
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return result;
}
