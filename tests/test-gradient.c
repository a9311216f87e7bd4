/* Analytic gradients of the filter (disk-gradient.h) against central finite
 * differences of an independent double-precision implementation of the
 * documented layer  out(p) = sum_i w_i * bilinear(in, p - o_i)  with clamp to
 * edge, under a random quadratic loss
 *   L = sum_p c(p) out(p) + 0.5 q(p) out(p)^2,   dL/dout = c + q out.
 * Offsets sit away from integer positions (the bilinear read has kinks
 * there), some far enough out that reads hit the clamped border. */
#include "disk-gradient.h"
#include "disk-filter.h"

#include <math.h>
#include <string.h>

#define REL_TOL 1e-3

typedef struct
{
  guint width, height, channels;
  gdouble *v;
} DImage;

static void dimage_free (DImage * im);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DImage, dimage_free)

static DImage *
dimage_new (guint width, guint height, guint channels)
{
  DImage *im = g_new0 (DImage, 1);

  im->width = width;
  im->height = height;
  im->channels = channels;
  im->v = g_new0 (gdouble, (gsize) width * height * channels);
  return im;
}

static void
dimage_free (DImage * im)
{
  g_free (im->v);
  g_free (im);
}

static inline gdouble *
dpix (const DImage * im, gint x, gint y)
{
  x = CLAMP (x, 0, (gint) im->width - 1);
  y = CLAMP (y, 0, (gint) im->height - 1);
  return im->v + ((gsize) y * im->width + x) * im->channels;
}

/* A straightforward bilinear read with each integer coordinate clamped. */
static gdouble
dbilinear (const DImage * im, gdouble u, gdouble v, guint c)
{
  gdouble fu = floor (u), fv = floor (v);
  gdouble ax = u - fu, ay = v - fv;
  gint x = (gint) fu, y = (gint) fv;

  return (1 - ax) * (1 - ay) * dpix (im, x, y)[c]
      + ax * (1 - ay) * dpix (im, x + 1, y)[c]
      + (1 - ax) * ay * dpix (im, x, y + 1)[c]
      + ax * ay * dpix (im, x + 1, y + 1)[c];
}

/* params: per sample x, y, w (double), layers one after the other. */
static DImage *
dforward (const DImage * in, guint n_layers, const guint * n_samples,
    const gdouble * params)
{
  DImage *a = dimage_new (in->width, in->height, in->channels);
  guint l, i, x, y, c, k = 0;

  memcpy (a->v, in->v, sizeof (gdouble) * in->width * in->height
      * in->channels);
  for (l = 0; l < n_layers; l++) {
    DImage *b = dimage_new (in->width, in->height, in->channels);

    for (y = 0; y < in->height; y++)
      for (x = 0; x < in->width; x++)
        for (c = 0; c < in->channels; c++) {
          gdouble s = 0.0;

          for (i = 0; i < n_samples[l]; i++) {
            const gdouble *p = params + 3 * (k + i);
            s += p[2] * dbilinear (a, x - p[0], y - p[1], c);
          }
          dpix (b, x, y)[c] = s;
        }
    k += n_samples[l];
    dimage_free (a);
    a = b;
  }
  return a;
}

typedef struct
{
  guint n_layers;
  guint n_samples[DISK_MAX_LAYERS];
  guint total;
  gdouble *params;
  DImage *in;
  gdouble *lin, *quad;          /* the loss */
} Problem;

static gdouble
dloss (const Problem * pb)
{
  DImage *out = dforward (pb->in, pb->n_layers, pb->n_samples, pb->params);
  gsize n = (gsize) out->width * out->height * out->channels, j;
  gdouble loss = 0.0;

  for (j = 0; j < n; j++)
    loss += pb->lin[j] * out->v[j] + 0.5 * pb->quad[j] * out->v[j] * out->v[j];
  dimage_free (out);
  return loss;
}

/* A fractional offset at least 0.15 px from any integer. */
static gdouble
random_offset (GRand * rand, gdouble reach)
{
  gdouble o = g_rand_double_range (rand, -reach, reach);
  gdouble f = o - floor (o);

  if (f < 0.15)
    o += 0.15 - f + 0.1 * g_rand_double (rand);
  else if (f > 0.85)
    o -= f - 0.85 + 0.1 * g_rand_double (rand);
  return o;
}

static Problem *
problem_new (GRand * rand, guint width, guint height, guint channels,
    guint n_layers, const guint * n_samples, gdouble reach)
{
  Problem *pb = g_new0 (Problem, 1);
  gsize n = (gsize) width * height * channels, j;
  guint l, i;

  pb->n_layers = n_layers;
  for (l = 0; l < n_layers; l++) {
    pb->n_samples[l] = n_samples[l];
    pb->total += n_samples[l];
  }
  pb->params = g_new (gdouble, 3 * pb->total);
  for (i = 0; i < pb->total; i++) {
    pb->params[3 * i] = random_offset (rand, reach);
    pb->params[3 * i + 1] = random_offset (rand, reach);
    pb->params[3 * i + 2] = g_rand_double_range (rand, -0.3, 0.8);
  }
  pb->in = dimage_new (width, height, channels);
  pb->lin = g_new (gdouble, n);
  pb->quad = g_new (gdouble, n);
  for (j = 0; j < n; j++) {
    pb->in->v[j] = g_rand_double_range (rand, -1.0, 1.0);
    pb->lin[j] = g_rand_double_range (rand, -1.0, 1.0);
    pb->quad[j] = g_rand_double_range (rand, 0.5, 1.5);
  }
  return pb;
}

static void
problem_free (Problem * pb)
{
  g_free (pb->params);
  dimage_free (pb->in);
  g_free (pb->lin);
  g_free (pb->quad);
  g_free (pb);
}

/* The float objects the code under test works on, rounded from the problem;
 * the problem is then rounded the same way so both describe one function. */
static DiskComplex *
problem_complex (Problem * pb)
{
  DiskComplex *complex = disk_complex_new (pb->n_layers, pb->n_samples);
  guint i;

  for (i = 0; i < pb->total; i++) {
    complex->samples[i].x = (gfloat) pb->params[3 * i];
    complex->samples[i].y = (gfloat) pb->params[3 * i + 1];
    complex->samples[i].w = (gfloat) pb->params[3 * i + 2];
    pb->params[3 * i] = complex->samples[i].x;
    pb->params[3 * i + 1] = complex->samples[i].y;
    pb->params[3 * i + 2] = complex->samples[i].w;
  }
  return complex;
}

static DiskImage *
problem_image (Problem * pb)
{
  DiskImage *im = disk_image_new (pb->in->width, pb->in->height,
      pb->in->channels);
  guint x, y, c;

  for (y = 0; y < im->height; y++)
    for (x = 0; x < im->width; x++)
      for (c = 0; c < im->channels; c++) {
        gfloat f = (gfloat) dpix (pb->in, x, y)[c];
        disk_image_pixel (im, x, y)[c] = f;
        dpix (pb->in, x, y)[c] = f;
      }
  return im;
}

/* dL/dout at the complex's (float) output. */
static DiskImage *
problem_grad_out (const Problem * pb, const DiskImage * out)
{
  DiskImage *g = disk_image_new (out->width, out->height, out->channels);
  guint x, y, c;

  for (y = 0; y < out->height; y++)
    for (x = 0; x < out->width; x++)
      for (c = 0; c < out->channels; c++) {
        gsize j = ((gsize) y * out->width + x) * out->channels + c;
        disk_image_pixel (g, x, y)[c] = (gfloat) (pb->lin[j]
            + pb->quad[j] * disk_image_pixel (out, x, y)[c]);
      }
  return g;
}

static gdouble
central_difference (gdouble * value, gdouble h, const Problem * pb)
{
  gdouble saved = *value, plus, minus;

  *value = saved + h;
  plus = dloss (pb);
  *value = saved - h;
  minus = dloss (pb);
  *value = saved;
  return (plus - minus) / (2.0 * h);
}

/* |analytic - numeric| relative to the numeric value, with a floor at a small
 * fraction of the group's largest gradient so components that are nearly 0
 * are judged on the scale of their group. */
static void
check_group (const gchar * what, const gdouble * analytic,
    const gdouble * numeric, guint n)
{
  gdouble largest = 0.0, worst = 0.0;
  guint j, worst_j = 0;

  for (j = 0; j < n; j++)
    largest = MAX (largest, fabs (numeric[j]));
  /* A group whose gradients all vanish would test nothing. */
  g_assert_cmpfloat (largest, >, 1e-3);
  for (j = 0; j < n; j++) {
    gdouble rel = fabs (analytic[j] - numeric[j])
        / MAX (fabs (numeric[j]), 1e-3 * largest);
    if (rel > worst) {
      worst = rel;
      worst_j = j;
    }
  }
  g_test_message ("%s: %u values, largest |dL| %.3g, worst relative error "
      "%.2e (index %u: analytic %.9g numeric %.9g)", what, n, largest, worst,
      worst_j, analytic[worst_j], numeric[worst_j]);
  g_assert_cmpfloat (worst, <, REL_TOL);
}

/* Compares every gradient of one problem, through disk_complex_backward (or
 * disk_layer_backward for a single layer when `single` is set). */
static void
check_problem (Problem * pb, gboolean single)
{
  g_autoptr (DiskComplex) complex = problem_complex (pb);
  g_autoptr (DiskImage) in = problem_image (pb);
  g_autoptr (DiskImage) out = disk_image_new (in->width, in->height,
      in->channels);
  g_autoptr (DiskImage) grad_out = NULL;
  g_autoptr (DiskImage) grad_in = disk_image_new (in->width, in->height,
      in->channels);
  g_autoptr (DiskComplex) grad = disk_complex_copy (complex);
  const gsize n_in = (gsize) in->width * in->height * in->channels;
  g_autofree gdouble *an = g_new (gdouble, MAX (n_in, pb->total));
  g_autofree gdouble *nu = g_new (gdouble, MAX (n_in, pb->total));
  g_autoptr (DImage) dout = NULL;
  guint i, k;
  gsize j;

  /* The double model is the float filter, to float precision. */
  disk_filter_uniform (complex, in, out);
  dout = dforward (pb->in, pb->n_layers, pb->n_samples, pb->params);
  for (j = 0; j < n_in; j++)
    g_assert_cmpfloat (fabs (dout->v[j] - out->data[j]), <, 1e-5);

  grad_out = problem_grad_out (pb, out);
  /* Fill with garbage: the functions must overwrite, not accumulate. */
  disk_image_fill (grad_in, 7.0f);
  for (i = 0; i < grad->total; i++)
    grad->samples[i].x = grad->samples[i].y = grad->samples[i].w = 9.0f;
  if (single) {
    g_assert_cmpuint (complex->n_layers, ==, 1);
    disk_layer_backward (complex->samples, complex->total, in, grad_out,
        grad_in, grad->samples);
  } else {
    disk_complex_backward (complex, in, grad_out, grad_in, grad);
  }

  for (k = 0; k < 3; k++) {
    static const gchar *names[] = { "dL/dx", "dL/dy", "dL/dw" };
    const gdouble h = k < 2 ? 1e-4 : 1e-4;

    for (i = 0; i < pb->total; i++) {
      const DiskSample *s = grad->samples + i;
      an[i] = k == 0 ? s->x : (k == 1 ? s->y : s->w);
      nu[i] = central_difference (pb->params + 3 * i + k, h, pb);
    }
    check_group (names[k], an, nu, pb->total);
  }
  for (j = 0; j < n_in; j++) {
    an[j] = grad_in->data[j];
    nu[j] = central_difference (pb->in->v + j, 1e-3, pb);
  }
  check_group ("dL/din", an, nu, n_in);
}

static void
test_single_layer_multichannel (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  const guint n_samples[] = { 6 };
  Problem *pb = problem_new (rand, 9, 7, 3, 1, n_samples, 5.0);

  check_problem (pb, TRUE);
  problem_free (pb);
}

static void
test_single_layer_gray (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (12);
  const guint n_samples[] = { 7 };
  /* Wide enough that the single-channel path runs its unclamped interior. */
  Problem *pb = problem_new (rand, 23, 9, 1, 1, n_samples, 4.0);

  check_problem (pb, TRUE);
  problem_free (pb);
}

static void
test_complex_gray (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (13);
  const guint n_samples[] = { 5, 3, 4, 2 };
  Problem *pb = problem_new (rand, 17, 13, 1, 4, n_samples, 3.5);

  check_problem (pb, FALSE);
  problem_free (pb);
}

static void
test_complex_multichannel (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (14);
  const guint n_samples[] = { 4, 3, 3 };
  Problem *pb = problem_new (rand, 8, 6, 2, 3, n_samples, 3.0);

  check_problem (pb, FALSE);
  problem_free (pb);
}

static void
test_complex_rgba_clamped (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (15);
  const guint n_samples[] = { 3, 4 };
  /* Offsets up to the image size, so many reads are clamped, and one sample
   * past the filter's own position limit (size + 2) in x and one in y. */
  Problem *pb = problem_new (rand, 9, 8, 4, 2, n_samples, 6.0);

  pb->params[3 * 1 + 0] = -13.3;
  pb->params[3 * 5 + 1] = 10.6;

  check_problem (pb, FALSE);
  problem_free (pb);
}

/* Zeros around the input and around the loss's support, as in a fit (a
 * delta and its spread on a larger canvas): the code may skip what is zero
 * but must give the same gradients. */
static void
test_complex_sparse_support (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (17);
  const guint n_samples[] = { 6, 5, 4 };
  const guint width = 31, height = 27;
  Problem *pb = problem_new (rand, width, height, 1, 3, n_samples, 4.0);
  guint x, y;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++) {
      const gsize j = (gsize) y * width + x;

      if (x < 9 || x > 20 || y < 8 || y > 15)
        pb->in->v[j] = 0.0;
      if (x < 4 || x > 24 || y < 3 || y > 22)
        pb->lin[j] = pb->quad[j] = 0.0;
    }
  check_problem (pb, FALSE);
  problem_free (pb);
}

/* Without grad_in / grad_samples the other output is still right. */
static void
test_optional_outputs (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (16);
  const guint n_samples[] = { 4, 4 };
  Problem *pb = problem_new (rand, 10, 8, 1, 2, n_samples, 3.0);
  g_autoptr (DiskComplex) complex = problem_complex (pb);
  g_autoptr (DiskImage) in = problem_image (pb);
  g_autoptr (DiskImage) out = disk_image_new (10, 8, 1);
  g_autoptr (DiskImage) g = NULL;
  g_autoptr (DiskImage) gi_both = disk_image_new (10, 8, 1);
  g_autoptr (DiskImage) gi_only = disk_image_new (10, 8, 1);
  g_autoptr (DiskComplex) gc_both = disk_complex_copy (complex);
  g_autoptr (DiskComplex) gc_only = disk_complex_copy (complex);
  guint i;

  disk_filter_uniform (complex, in, out);
  g = problem_grad_out (pb, out);
  disk_complex_backward (complex, in, g, gi_both, gc_both);
  disk_complex_backward (complex, in, g, gi_only, NULL);
  disk_complex_backward (complex, in, g, NULL, gc_only);
  g_assert_cmpmem (gi_both->data, 80 * sizeof (gfloat), gi_only->data,
      80 * sizeof (gfloat));
  for (i = 0; i < complex->total; i++) {
    g_assert_cmpfloat (gc_both->samples[i].x, ==, gc_only->samples[i].x);
    g_assert_cmpfloat (gc_both->samples[i].y, ==, gc_only->samples[i].y);
    g_assert_cmpfloat (gc_both->samples[i].w, ==, gc_only->samples[i].w);
  }
  problem_free (pb);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gradient/layer/multichannel",
      test_single_layer_multichannel);
  g_test_add_func ("/gradient/layer/gray", test_single_layer_gray);
  g_test_add_func ("/gradient/complex/gray", test_complex_gray);
  g_test_add_func ("/gradient/complex/multichannel",
      test_complex_multichannel);
  g_test_add_func ("/gradient/complex/rgba-clamped", test_complex_rgba_clamped);
  g_test_add_func ("/gradient/complex/sparse-support",
      test_complex_sparse_support);
  g_test_add_func ("/gradient/optional-outputs", test_optional_outputs);
  return g_test_run ();
}
