/* Tests of the reference filter and of kernel-space interpolation.
 *
 * The independent reference: every layer's sparse kernel is splatted into a
 * small dense kernel by the test itself (bilinear weights written out here),
 * the layers' kernels are convolved densely, and the image is convolved
 * directly with the result. Away from the borders (where clamping a multi-pass
 * filter and clamping one dense pass differ) that must equal the filter. */
#include "disk-filter.h"
#include "disk-basis.h"
#include "disk-image-io.h"

#include <math.h>
#include <string.h>

#define CANVAS_HALF 12
#define CANVAS (2 * CANVAS_HALF + 1)

/* Dense kernel: k[(dy + H) * CANVAS + dx + H] = light moved by (dx, dy). */
typedef struct
{
  gdouble k[CANVAS * CANVAS];
} Dense;

static void
dense_splat_layer (const DiskSample * s, guint n, Dense * out)
{
  guint i;

  memset (out, 0, sizeof (Dense));
  for (i = 0; i < n; i++) {
    /* light from q lands at q + o, spread bilinearly over the 4 pixels */
    gdouble fx = floor (s[i].x), fy = floor (s[i].y);
    gdouble ax = s[i].x - fx, ay = s[i].y - fy;
    gint x0 = (gint) fx + CANVAS_HALF, y0 = (gint) fy + CANVAS_HALF;

    g_assert_true (x0 >= 0 && x0 + 1 < CANVAS && y0 >= 0 && y0 + 1 < CANVAS);
    out->k[y0 * CANVAS + x0] += s[i].w * (1 - ax) * (1 - ay);
    out->k[y0 * CANVAS + x0 + 1] += s[i].w * ax * (1 - ay);
    out->k[(y0 + 1) * CANVAS + x0] += s[i].w * (1 - ax) * ay;
    out->k[(y0 + 1) * CANVAS + x0 + 1] += s[i].w * ax * ay;
  }
}

static void
dense_convolve_kernels (const Dense * a, const Dense * b, Dense * out)
{
  gint ax, ay, bx, by;

  memset (out, 0, sizeof (Dense));
  for (ay = -CANVAS_HALF; ay <= CANVAS_HALF; ay++)
    for (ax = -CANVAS_HALF; ax <= CANVAS_HALF; ax++) {
      gdouble va = a->k[(ay + CANVAS_HALF) * CANVAS + ax + CANVAS_HALF];
      if (va == 0.0)
        continue;
      for (by = -CANVAS_HALF; by <= CANVAS_HALF; by++)
        for (bx = -CANVAS_HALF; bx <= CANVAS_HALF; bx++) {
          gint x = ax + bx, y = ay + by;
          if (abs (x) > CANVAS_HALF || abs (y) > CANVAS_HALF)
            continue;
          out->k[(y + CANVAS_HALF) * CANVAS + x + CANVAS_HALF] +=
              va * b->k[(by + CANVAS_HALF) * CANVAS + bx + CANVAS_HALF];
        }
    }
}

static void
dense_of_complex (const DiskComplex * c, Dense * out)
{
  Dense layer, acc;
  guint l;

  dense_splat_layer (disk_complex_layer (c, 0), c->n_samples[0], out);
  for (l = 1; l < c->n_layers; l++) {
    dense_splat_layer (disk_complex_layer (c, l), c->n_samples[l], &layer);
    dense_convolve_kernels (out, &layer, &acc);
    *out = acc;
  }
}

/* out(p) = sum_d K(d) in(p - d), evaluated at one pixel and channel. */
static gdouble
dense_at (const Dense * k, const DiskImage * in, gint x, gint y, guint c)
{
  gdouble sum = 0.0;
  gint dx, dy;

  for (dy = -CANVAS_HALF; dy <= CANVAS_HALF; dy++)
    for (dx = -CANVAS_HALF; dx <= CANVAS_HALF; dx++) {
      gint sx = CLAMP (x - dx, 0, (gint) in->width - 1);
      gint sy = CLAMP (y - dy, 0, (gint) in->height - 1);
      sum += k->k[(dy + CANVAS_HALF) * CANVAS + dx + CANVAS_HALF]
          * disk_image_pixel (in, sx, sy)[c];
    }
  return sum;
}

static DiskImage *
random_image (GRand * rand, guint w, guint h, guint channels)
{
  DiskImage *image = disk_image_new (w, h, channels);
  guint i;

  for (i = 0; i < w * h * channels; i++)
    image->data[i] = (gfloat) g_rand_double (rand);
  return image;
}

/* Offsets within `spread` pixels, never on an integer, weights normalised. */
static DiskComplex *
random_complex (GRand * rand, guint n_layers, guint n, gdouble spread)
{
  DiskComplex *c = disk_complex_new_uniform (n_layers, n);
  guint i;

  for (i = 0; i < c->total; i++) {
    c->samples[i].x = (gfloat) g_rand_double_range (rand, -spread, spread);
    c->samples[i].y = (gfloat) g_rand_double_range (rand, -spread, spread);
    c->samples[i].w = (gfloat) g_rand_double_range (rand, 0.2, 1.0);
  }
  disk_complex_normalise_weights (c);
  return c;
}

static void
test_impulse_lands_where_light_goes (void)
{
  g_autoptr (DiskComplex) c = disk_complex_new_uniform (1, 1);
  g_autoptr (DiskImage) k = NULL;
  const guint h = 6;

  /* One sample moving light by (+3.25, -2.5): right and up on screen. */
  c->samples[0] = (DiskSample) {
  3.25f, -2.5f, 1.0f};
  k = disk_complex_impulse_response (c, h);

  g_assert_cmpfloat_with_epsilon (disk_image_pixel (k, h + 3, h - 3)[0],
      0.75 * 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (disk_image_pixel (k, h + 4, h - 3)[0],
      0.25 * 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (disk_image_pixel (k, h + 3, h - 2)[0],
      0.75 * 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (disk_image_pixel (k, h + 4, h - 2)[0],
      0.25 * 0.5, 1e-7);
  /* nothing anywhere else: in particular not mirrored to (h - 3, h + 3) */
  g_assert_cmpfloat (disk_image_pixel (k, h - 3, h + 3)[0], ==, 0.0f);
  g_assert_cmpfloat (disk_image_pixel (k, h, h)[0], ==, 0.0f);
}

static void
test_uniform_matches_dense (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  guint trial;

  for (trial = 0; trial < 4; trial++) {
    guint channels = 1 + trial;
    g_autoptr (DiskComplex) c = random_complex (rand, 3, 5, 3.0);
    g_autoptr (DiskImage) in = random_image (rand, 41, 37, channels);
    g_autoptr (DiskImage) out = disk_image_new (41, 37, channels);
    Dense k;
    gint x, y, margin = (gint) ceil (disk_complex_reach (c)) + 1;
    guint ch;
    gdouble worst = 0.0;

    dense_of_complex (c, &k);
    disk_filter_uniform (c, in, out);
    for (y = margin; y < 37 - margin; y++)
      for (x = margin; x < 41 - margin; x++)
        for (ch = 0; ch < channels; ch++)
          worst = MAX (worst, fabs (disk_image_pixel (out, x, y)[ch]
                  - dense_at (&k, in, x, y, ch)));
    g_assert_cmpfloat (worst, <, 2e-6);
  }
}

static void
test_impulse_response_is_dense_kernel (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  g_autoptr (DiskComplex) c = random_complex (rand, 4, 6, 2.2);
  g_autoptr (DiskImage) k = disk_complex_impulse_response (c, CANVAS_HALF);
  Dense d;
  gint i;

  dense_of_complex (c, &d);
  for (i = 0; i < CANVAS * CANVAS; i++)
    g_assert_cmpfloat_with_epsilon (k->data[i], d.k[i], 1e-6);
}

static void
test_flat_stays_flat (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (DiskComplex) c = random_complex (rand, 4, 24, 6.0);
  g_autoptr (DiskImage) in = disk_image_new (33, 20, 3);
  g_autoptr (DiskImage) out = disk_image_new (33, 20, 3);
  guint i;

  disk_image_fill (in, 0.625f);
  disk_filter_uniform (c, in, out);
  for (i = 0; i < 33 * 20 * 3; i++)
    g_assert_cmpfloat_with_epsilon (out->data[i], 0.625, 0.625 * 1e-6);
}

static void
test_clamp_to_edge (void)
{
  g_autoptr (DiskComplex) c = disk_complex_new_uniform (1, 1);
  g_autoptr (DiskImage) in = disk_image_new (5, 3, 1);
  g_autoptr (DiskImage) out = disk_image_new (5, 3, 1);
  guint x, y;

  /* Light moving 100 px left: every output pixel reads to its right, past
   * the edge, and so sees the rightmost column of its own row. */
  for (y = 0; y < 3; y++)
    for (x = 0; x < 5; x++)
      disk_image_pixel (in, x, y)[0] = (gfloat) (10 * y + x);
  c->samples[0] = (DiskSample) {
  -100.0f, 0.0f, 1.0f};
  disk_filter_uniform (c, in, out);
  for (y = 0; y < 3; y++)
    for (x = 0; x < 5; x++)
      g_assert_cmpfloat (disk_image_pixel (out, x, y)[0], ==, 10 * y + 4);
}

static void
test_garbage_offsets_stay_finite (void)
{
  g_autoptr (DiskComplex) c = disk_complex_new_uniform (2, 3);
  g_autoptr (DiskImage) in = disk_image_new (4, 4, 1);
  g_autoptr (DiskImage) out = disk_image_new (4, 4, 1);
  guint i;

  disk_image_fill (in, 1.0f);
  c->samples[0] = (DiskSample) {
  NAN, 1.0f, 0.5f};
  c->samples[1] = (DiskSample) {
  1e30f, -INFINITY, 0.25f};
  c->samples[2] = (DiskSample) {
  -3e9f, 2e9f, 0.25f};
  for (i = 3; i < 6; i++)
    c->samples[i] = (DiskSample) {
    0.5f, 0.5f, 1.0f / 3};
  disk_filter_uniform (c, in, out);
  for (i = 0; i < 16; i++)
    g_assert_cmpfloat_with_epsilon (out->data[i], 1.0, 1e-6);
}

static DiskBasis *
random_basis (GRand * rand, guint n, const gdouble * radii)
{
  DiskComplex *entries[8];
  DiskBasis *basis;
  guint k;

  for (k = 0; k < n; k++) {
    entries[k] = random_complex (rand, 2, 4, radii[k] / 2);
  }
  basis = disk_basis_new (n, radii, entries, NULL);
  for (k = 0; k < n; k++)
    disk_complex_free (entries[k]);
  return basis;
}

static void
test_interpolation_formula (void)
{
  static const gdouble radii[] = { 1.0, 2.5, 4.0, 7.0 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  g_autoptr (DiskBasis) basis = random_basis (rand, 4, radii);
  g_autoptr (DiskComplex) out = disk_basis_new_complex (basis);
  guint k, i;

  /* exactly each entry at its radius */
  for (k = 0; k < 4; k++) {
    disk_basis_interpolate (basis, radii[k], 0.0, out);
    g_assert_cmpmem (out->samples, sizeof (DiskSample) * out->total,
        basis->entries[k]->samples, sizeof (DiskSample) * out->total);
  }

  /* between entries: the documented blend, recomputed here */
  disk_basis_interpolate (basis, 3.1, 0.0, out);
  for (i = 0; i < out->total; i++) {
    const DiskSample *a = &basis->entries[1]->samples[i];
    const DiskSample *b = &basis->entries[2]->samples[i];
    gdouble t = (3.1 - 2.5) / 1.5;
    g_assert_cmpfloat_with_epsilon (out->samples[i].x,
        (1 - t) * a->x / 2.5 * 3.1 + t * b->x / 4.0 * 3.1, 1e-5);
    g_assert_cmpfloat_with_epsilon (out->samples[i].y,
        (1 - t) * a->y / 2.5 * 3.1 + t * b->y / 4.0 * 3.1, 1e-5);
    g_assert_cmpfloat_with_epsilon (out->samples[i].w,
        (1 - t) * a->w + t * b->w, 1e-6);
  }

  /* beyond the range: the nearest entry scaled */
  disk_basis_interpolate (basis, 14.0, 0.0, out);
  for (i = 0; i < out->total; i++) {
    g_assert_cmpfloat_with_epsilon (out->samples[i].x,
        2.0 * basis->entries[3]->samples[i].x, 1e-5);
    g_assert_cmpfloat (out->samples[i].w, ==, basis->entries[3]->samples[i].w);
  }
  disk_basis_interpolate (basis, 0.25, 0.0, out);
  for (i = 0; i < out->total; i++)
    g_assert_cmpfloat_with_epsilon (out->samples[i].y,
        0.25 * basis->entries[0]->samples[i].y, 1e-6);

  /* rotation by 90 degrees: +x turns to +y (clockwise on screen) */
  disk_basis_interpolate (basis, 4.0, 90.0, out);
  for (i = 0; i < out->total; i++) {
    g_assert_cmpfloat_with_epsilon (out->samples[i].x,
        -basis->entries[2]->samples[i].y, 1e-5);
    g_assert_cmpfloat_with_epsilon (out->samples[i].y,
        basis->entries[2]->samples[i].x, 1e-5);
  }
}

static void
test_interpolated_dc_gain (void)
{
  static const gdouble radii[] = { 2.0, 3.0, 5.0 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (9);
  g_autoptr (DiskBasis) basis = random_basis (rand, 3, radii);
  g_autoptr (DiskComplex) out = disk_basis_new_complex (basis);
  gdouble r;

  for (r = 0.1; r < 9.0; r += 0.37) {
    guint l, i;

    disk_basis_interpolate (basis, r, 33.0 * r, out);
    for (l = 0; l < out->n_layers; l++) {
      gdouble sum = 0.0;
      for (i = 0; i < out->n_samples[l]; i++)
        sum += disk_complex_layer (out, l)[i].w;
      g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-6);
    }
  }
}

static void
test_varying_constant_map_is_uniform (void)
{
  static const gdouble radii[] = { 1.0, 3.0, 6.0 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (13);
  g_autoptr (DiskBasis) basis = random_basis (rand, 3, radii);
  g_autoptr (DiskComplex) c = disk_basis_new_complex (basis);
  g_autoptr (DiskImage) in = random_image (rand, 23, 19, 3);
  g_autoptr (DiskImage) a = disk_image_new (23, 19, 3);
  g_autoptr (DiskImage) b = disk_image_new (23, 19, 3);
  gfloat radius[23 * 19], angle[23 * 19];
  guint i;

  for (i = 0; i < 23 * 19; i++) {
    radius[i] = 4.2f;
    angle[i] = 30.0f;
  }
  disk_basis_interpolate (basis, 4.2, 30.0, c);
  disk_filter_uniform (c, in, a);
  disk_filter_varying (basis, radius, angle, in, b);
  for (i = 0; i < 23 * 19 * 3; i++)
    g_assert_cmpfloat_with_epsilon (a->data[i], b->data[i], 2e-6);
}

/* Two regions with their own radius: far from the boundary each pixel is the
 * dense convolution with its own region's complex. */
static void
test_varying_matches_dense_per_pixel (void)
{
  static const gdouble radii[] = { 1.0, 2.0, 3.0 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (17);
  g_autoptr (DiskBasis) basis = random_basis (rand, 3, radii);
  g_autoptr (DiskComplex) left = disk_basis_new_complex (basis);
  g_autoptr (DiskComplex) right = disk_basis_new_complex (basis);
  g_autoptr (DiskImage) in = random_image (rand, 60, 24, 2);
  g_autoptr (DiskImage) out = disk_image_new (60, 24, 2);
  gfloat radius[60 * 24];
  Dense kl, kr;
  gint x, y, margin;
  gdouble worst = 0.0;

  for (y = 0; y < 24; y++)
    for (x = 0; x < 60; x++)
      radius[y * 60 + x] = x < 30 ? 1.5f : 2.75f;
  disk_basis_interpolate (basis, 1.5, 0.0, left);
  disk_basis_interpolate (basis, 2.75, 0.0, right);
  dense_of_complex (left, &kl);
  dense_of_complex (right, &kr);
  margin = (gint) ceil (MAX (disk_complex_reach (left),
          disk_complex_reach (right))) + 1;

  disk_filter_varying (basis, radius, NULL, in, out);
  for (y = margin; y < 24 - margin; y++)
    for (x = margin; x < 60 - margin; x++) {
      const Dense *k;
      guint c;

      if (x >= 30 - margin && x < 30 + margin)
        continue;
      k = x < 30 ? &kl : &kr;
      for (c = 0; c < 2; c++)
        worst = MAX (worst, fabs (disk_image_pixel (out, x, y)[c]
                - dense_at (k, in, x, y, c)));
    }
  g_assert_cmpfloat (worst, <, 2e-6);
}

static DiskImage *
load_photo (const gchar * name)
{
  const gchar *dir = g_getenv ("DISK_TEST_DATA");
  g_autofree gchar *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskImage) image = NULL;

  g_assert_nonnull (dir);
  path = g_build_filename (dir, name, NULL);
  image = disk_image_load (path, &error);
  g_assert_no_error (error);
  return disk_image_to_rgb (image);
}

/* A real photo: uniform filtering equals the dense convolution with the
 * complex's own kernel, and the spatially varying filter with a radius that
 * changes across the picture (three bands) equals, inside each band, the
 * dense convolution with that band's interpolated complex. */
static void
test_photo_matches_dense_per_pixel (void)
{
  static const gdouble radii[] = { 1.0, 2.0, 3.0 };
  static const gfloat band_radius[] = { 1.25f, 2.0f, 2.8f };
  g_autoptr (GRand) rand = g_rand_new_with_seed (23);
  g_autoptr (DiskBasis) basis = random_basis (rand, 3, radii);
  g_autoptr (DiskImage) photo = load_photo ("coffee.png");
  g_autoptr (DiskImage) uniform = disk_image_new (photo->width,
      photo->height, 3);
  g_autoptr (DiskImage) varying = disk_image_new (photo->width,
      photo->height, 3);
  g_autofree gfloat *radius = g_new (gfloat, photo->width * photo->height);
  const gint w = photo->width, h = photo->height, band = w / 3;
  Dense k[3];
  gint x, y, b, margin = 0;
  gdouble worst_uniform = 0.0, worst_varying = 0.0;
  guint c;

  for (b = 0; b < 3; b++) {
    g_autoptr (DiskComplex) complex = disk_basis_new_complex (basis);

    disk_basis_interpolate (basis, band_radius[b], 0.0, complex);
    dense_of_complex (complex, &k[b]);
    margin = MAX (margin, (gint) ceil (disk_complex_reach (complex)) + 1);
  }
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      radius[y * w + x] = band_radius[MIN (x / band, 2)];

  {
    g_autoptr (DiskComplex) complex = disk_basis_new_complex (basis);
    disk_basis_interpolate (basis, band_radius[1], 0.0, complex);
    disk_filter_uniform (complex, photo, uniform);
  }
  disk_filter_varying (basis, radius, NULL, photo, varying);

  for (y = margin; y < h - margin; y++)
    for (x = margin; x < w - margin; x++) {
      b = MIN (x / band, 2);
      for (c = 0; c < 3; c++)
        worst_uniform = MAX (worst_uniform,
            fabs (disk_image_pixel (uniform, x, y)[c]
                - dense_at (&k[1], photo, x, y, c)));
      /* inside a band, away from its edges by the reach */
      if (x % band < margin || x % band >= band - margin || x >= 3 * band)
        continue;
      for (c = 0; c < 3; c++)
        worst_varying = MAX (worst_varying,
            fabs (disk_image_pixel (varying, x, y)[c]
                - dense_at (&k[b], photo, x, y, c)));
    }
  g_assert_cmpfloat (worst_uniform, <, 2e-6);
  g_assert_cmpfloat (worst_varying, <, 2e-6);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/filter/impulse-lands-where-light-goes",
      test_impulse_lands_where_light_goes);
  g_test_add_func ("/filter/uniform-matches-dense", test_uniform_matches_dense);
  g_test_add_func ("/filter/impulse-response-is-dense-kernel",
      test_impulse_response_is_dense_kernel);
  g_test_add_func ("/filter/flat-stays-flat", test_flat_stays_flat);
  g_test_add_func ("/filter/clamp-to-edge", test_clamp_to_edge);
  g_test_add_func ("/filter/garbage-offsets-stay-finite",
      test_garbage_offsets_stay_finite);
  g_test_add_func ("/basis/interpolation-formula", test_interpolation_formula);
  g_test_add_func ("/basis/interpolated-dc-gain", test_interpolated_dc_gain);
  g_test_add_func ("/filter/varying-constant-map-is-uniform",
      test_varying_constant_map_is_uniform);
  g_test_add_func ("/filter/varying-matches-dense-per-pixel",
      test_varying_matches_dense_per_pixel);
  g_test_add_func ("/filter/photo-matches-dense-per-pixel",
      test_photo_matches_dense_per_pixel);
  return g_test_run ();
}
