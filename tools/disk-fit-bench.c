/* disk-fit-bench: measures the fitter (docs/FITTING.md has its output).
 *
 * For each target: fits one complex at --radius (median time over --repeat
 * runs), reports its kernel PSNR, "true": the PSNR of its response on an
 * unbounded canvas seen on the fit canvas (differs when the canvas used was
 * smaller or clamping at its edge mattered), the light it sends outside the
 * canvas used, its DC gain (sum of the response minus 1), and the image PSNR
 * of every --image filtered with the complex against a dense convolution
 * with the target (written here, independent of the core's filter). With
 * --basis it also fits a basis by continuation and reports each entry and the
 * interpolated complex midway between neighbouring radii.
 */
#include "disk-filter.h"
#include "disk-fit.h"
#include "disk-image-io.h"
#include "disk-metrics.h"
#include "disk-target.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static gdouble radius = 16.0;
static gchar *structure = NULL;
static gchar **targets = NULL;
static gchar **images = NULL;
static gchar *basis_radii = NULL;
static gint repeat = 1;
static gint steps = -1;
static gint starts = -1;
static gint64 seed = 1;
static gchar *init_name = NULL;
static gboolean l2 = FALSE;
static gboolean target_canvas = FALSE;

static GOptionEntry entries[] = {
  {"radius", 'r', 0, G_OPTION_ARG_DOUBLE, &radius, "Radius (16)", "PX"},
  {"structure", 's', 0, G_OPTION_ARG_STRING, &structure,
      "Samples x layers (24x4)", "NxL"},
  {"target", 't', 0, G_OPTION_ARG_STRING_ARRAY, &targets,
      "Target spec, repeatable (disc, polygon:n=6, star, heart)", "SPEC"},
  {"image", 'i', 0, G_OPTION_ARG_FILENAME_ARRAY, &images,
      "Photo for image PSNR, repeatable", "FILE"},
  {"basis", 'b', 0, G_OPTION_ARG_STRING, &basis_radii,
      "Also fit a basis at these comma-separated radii", "R,R,..."},
  {"repeat", 'n', 0, G_OPTION_ARG_INT, &repeat,
      "Fit each target this many times, report the median time", "N"},
  {"steps", 0, 0, G_OPTION_ARG_INT, &steps, "Steps (default)", "N"},
  {"starts", 0, 0, G_OPTION_ARG_INT, &starts, "Starts (default)", "N"},
  {"seed", 0, 0, G_OPTION_ARG_INT64, &seed, "Seed (1)", "N"},
  {"init", 0, 0, G_OPTION_ARG_STRING, &init_name,
      "random, radial or sparse (default)", "NAME"},
  {"l2", 0, 0, G_OPTION_ARG_NONE, &l2, "L2 loss instead of Charbonnier",
      NULL},
  {"target-canvas", 0, 0, G_OPTION_ARG_NONE, &target_canvas,
      "Fit on disk_target_half_size's canvas instead of the fit canvas",
      NULL},
  {NULL}
};

/* The fit canvas of disk_fit_basis (disk-fit.c). */
static guint
fit_half_size (gdouble r)
{
  return MAX (disk_target_half_size (r), (guint) ceil (1.25 * r) + 3);
}

static DiskImage *
pad_image (const DiskImage * in, guint m)
{
  DiskImage *out = disk_image_new (in->width + 2 * m, in->height + 2 * m,
      in->channels);
  guint x, y;

  for (y = 0; y < out->height; y++)
    for (x = 0; x < out->width; x++) {
      gint sx = CLAMP ((gint) x - (gint) m, 0, (gint) in->width - 1);
      gint sy = CLAMP ((gint) y - (gint) m, 0, (gint) in->height - 1);

      memcpy (disk_image_pixel (out, x, y), disk_image_pixel (in, sx, sy),
          sizeof (gfloat) * in->channels);
    }
  return out;
}

static DiskImage *
crop_image (const DiskImage * in, guint m)
{
  DiskImage *out = disk_image_new (in->width - 2 * m, in->height - 2 * m,
      in->channels);
  guint y;

  for (y = 0; y < out->height; y++)
    memcpy (disk_image_pixel (out, 0, y), disk_image_pixel (in, m, y + m),
        sizeof (gfloat) * out->width * out->channels);
  return out;
}

/* out(p) = sum_q K(q) in(p - q): the image of a point light is K as drawn. */
static DiskImage *
dense_filter (const DiskImage * in, const DiskImage * kernel)
{
  const gint h = (kernel->width - 1) / 2, w = in->width, ht = in->height;
  const guint ch = in->channels;
  g_autofree gdouble *acc = g_new0 (gdouble, (gsize) w * ht * ch);
  DiskImage *out = disk_image_new (w, ht, ch);
  gint qx, qy, x, y;
  guint c;

  for (qy = -h; qy <= h; qy++)
    for (qx = -h; qx <= h; qx++) {
      const gdouble k = disk_image_pixel (kernel, qx + h, qy + h)[0];

      if (k == 0.0)
        continue;
      for (y = 0; y < ht; y++) {
        const gfloat *src = disk_image_pixel (in, 0, CLAMP (y - qy, 0,
                ht - 1));
        gdouble *dst = acc + (gsize) y * w * ch;

        for (x = 0; x < w; x++) {
          const gint sx = CLAMP (x - qx, 0, w - 1);

          for (c = 0; c < ch; c++)
            dst[x * ch + c] += k * src[sx * ch + c];
        }
      }
    }
  for (y = 0; y < ht; y++)
    for (x = 0; x < w * (gint) ch; x++)
      disk_image_pixel (out, 0, y)[x] = (gfloat) acc[(gsize) y * w * ch + x];
  return out;
}

static gdouble
image_psnr (const DiskImage * photo, const DiskImage * kernel,
    const DiskComplex * complex, gdouble r)
{
  const guint m = (guint) ceil (2.0 * r) + 8;
  g_autoptr (DiskImage) padded = pad_image (photo, m);
  g_autoptr (DiskImage) dense = dense_filter (padded, kernel);
  g_autoptr (DiskImage) sparse = disk_image_new (padded->width,
      padded->height, padded->channels);
  g_autoptr (DiskImage) a = NULL;
  g_autoptr (DiskImage) b = NULL;

  disk_filter_uniform (complex, padded, sparse);
  a = crop_image (dense, m);
  b = crop_image (sparse, m);
  return disk_image_psnr (a, b, 1.0);
}

static int
compare_doubles (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;
  return x < y ? -1 : x > y;
}

static void
bench_target (const gchar * spec, const DiskFitOptions * options,
    DiskImage ** photos, guint n_photos)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskTarget) target = disk_target_parse (spec, &error);
  g_autoptr (DiskImage) kernel = NULL;
  g_autoptr (DiskImage) big = NULL;
  g_autoptr (DiskImage) cropped = NULL;
  g_autoptr (DiskImage) fit_kernel = NULL;
  g_autoptr (DiskComplex) complex = NULL;
  g_autofree gdouble *times = NULL;
  gdouble psnr = 0.0, outside = 0.0, dc = 0.0;
  guint half, fit_half, big_half, x, y, k;

  if (target == NULL) {
    g_printerr ("%s\n", error->message);
    exit (1);
  }
  half = target_canvas ? disk_target_half_size (radius) : fit_half_size
      (radius);
  kernel = disk_target_render (target, radius, half);
  times = g_new (gdouble, repeat);
  for (k = 0; k < (guint) repeat; k++) {
    gint64 t0 = g_get_monotonic_time ();

    disk_complex_free (complex);
    complex = disk_fit_complex (kernel, radius, options, NULL, &psnr);
    times[k] = (g_get_monotonic_time () - t0) / 1e6;
  }
  qsort (times, repeat, sizeof (gdouble), compare_doubles);

  /* The true impulse response, on a canvas three times larger than the fit
   * canvas; "true" compares it with the target on the fit canvas (equal to
   * "kernel" unless the canvas used was smaller or clamping mattered). */
  fit_half = fit_half_size (radius);
  big_half = 3 * fit_half + 1;
  big = disk_complex_impulse_response (complex, big_half);
  fit_kernel = disk_target_render (target, radius, fit_half);
  cropped = disk_image_new (fit_kernel->width, fit_kernel->height, 1);
  for (y = 0; y < big->height; y++)
    for (x = 0; x < big->width; x++) {
      const gint dx = abs ((gint) x - (gint) big_half);
      const gint dy = abs ((gint) y - (gint) big_half);
      const gdouble v = disk_image_pixel (big, x, y)[0];

      dc += v;
      if (dx <= (gint) fit_half && dy <= (gint) fit_half)
        disk_image_pixel (cropped, x - (big_half - fit_half),
            y - (big_half - fit_half))[0] = (gfloat) v;
      if (dx > (gint) half || dy > (gint) half)
        outside += fabs (v);
    }

  printf ("%-14s r=%-4g kernel %6.2f dB (true %6.2f dB)  time %.2f s "
      "(median of %d)  outside %.1e  dc-1 %+.1e", spec, radius, psnr,
      disk_kernel_psnr (fit_kernel, cropped), times[(repeat - 1) / 2],
      repeat, outside, dc - 1.0);
  for (k = 0; k < n_photos; k++)
    printf ("  image%u %.2f dB", k, image_psnr (photos[k], kernel, complex,
            radius));
  printf ("\n");
  fflush (stdout);
}

static void
bench_basis (const gchar * spec, const DiskFitOptions * options)
{
  g_autoptr (DiskTarget) target = disk_target_parse (spec, NULL);
  g_auto (GStrv) parts = g_strsplit (basis_radii, ",", -1);
  const guint n = g_strv_length (parts);
  g_autofree gdouble *radii = g_new (gdouble, n);
  g_autofree gdouble *psnr = g_new (gdouble, n);
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskBasis) basis = NULL;
  g_autoptr (DiskComplex) c = NULL;
  gint64 t0;
  guint k;

  for (k = 0; k < n; k++)
    radii[k] = g_ascii_strtod (parts[k], NULL);
  t0 = g_get_monotonic_time ();
  basis = disk_fit_basis (target, radii, n, options, psnr, &error);
  if (basis == NULL) {
    g_printerr ("%s\n", error->message);
    exit (1);
  }
  printf ("basis %s: %u radii in %.2f s\n", spec, n,
      (g_get_monotonic_time () - t0) / 1e6);
  c = disk_basis_new_complex (basis);
  for (k = 0; k < n; k++) {
    printf ("  r=%-6g entry %6.2f dB", radii[k], psnr[k]);
    if (k + 1 < n) {
      const gdouble mid = 0.5 * (radii[k] + radii[k + 1]);
      const guint half = fit_half_size (mid);
      g_autoptr (DiskImage) kt = disk_target_render (target, mid, half);
      g_autoptr (DiskImage) ks = NULL;

      disk_basis_interpolate (basis, mid, 0.0, c);
      ks = disk_complex_impulse_response (c, half);
      printf ("   interpolated r=%-6g %6.2f dB", mid, disk_kernel_psnr (kt,
              ks));
    }
    printf ("\n");
  }
}

int
main (int argc, char **argv)
{
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- measure the DISK fitter");
  g_autoptr (GError) error = NULL;
  g_autofree DiskImage **photos = NULL;
  static gchar *default_targets[] = { (gchar *) "disc",
    (gchar *) "polygon:n=6", (gchar *) "star", (gchar *) "heart", NULL
  };
  DiskFitOptions options;
  guint n_samples = 24, n_layers = 4, n_photos = 0, k;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s\n", error->message);
    return 2;
  }
  if (structure != NULL
      && sscanf (structure, "%ux%u", &n_samples, &n_layers) != 2) {
    g_printerr ("--structure: expected NxL, got '%s'\n", structure);
    return 2;
  }
  disk_fit_options_init (&options, n_layers, n_samples);
  options.seed = seed;
  if (steps >= 0)
    options.steps = steps;
  if (starts >= 0)
    options.starts = starts;
  if (l2)
    options.loss = DISK_LOSS_L2;
  if (init_name != NULL && !disk_init_from_string (init_name, &options.init)) {
    g_printerr ("--init: unknown initialisation '%s'\n", init_name);
    return 2;
  }
  repeat = MAX (repeat, 1);
  if (targets == NULL)
    targets = g_strdupv (default_targets);

  photos = g_new0 (DiskImage *, images ? g_strv_length (images) + 1 : 1);
  for (k = 0; images != NULL && images[k] != NULL; k++) {
    DiskImage *im = disk_image_load (images[k], &error);

    if (im == NULL) {
      g_printerr ("%s\n", error->message);
      return 1;
    }
    photos[n_photos++] = disk_image_to_rgb (im);
    disk_image_free (im);
    printf ("image%u = %s (%ux%u)\n", k, images[k], photos[k]->width,
        photos[k]->height);
  }

  printf ("structure %ux%u, steps %u, starts %u, init %s, seed %"
      G_GUINT64_FORMAT "\n", n_samples, n_layers, options.steps,
      options.starts, disk_init_to_string (options.init), options.seed);
  for (k = 0; targets[k] != NULL; k++) {
    if (basis_radii != NULL)
      bench_basis (targets[k], &options);
    else
      bench_target (targets[k], &options, photos, n_photos);
  }
  for (k = 0; k < n_photos; k++)
    disk_image_free (photos[k]);
  return 0;
}
