/* DISK core: fitting complexes to target kernels (disk-fit.h). The numbers
 * behind every default below are in docs/FITTING.md.
 *
 * One run of the optimiser:
 *   forward   K_syn = the complex applied to a delta on the target canvas,
 *             layer by layer with the reference filter itself
 *             (disk_filter_layer_rows), so filter (delta) is K_syn exactly;
 *   loss      on d = (K_syn - K_tgt) / max (K_tgt), so that the numbers mean
 *             the same at every radius:
 *               first half   Charbonnier  sum sqrt (d^2 + eps^2) - eps
 *                            (or L2, sum d^2, if asked for),
 *               second half  the polish   sum d^2 + LF_WEIGHT sum_s d . G_s d
 *             where G_s are Gaussian blurs of 1.41, 2.83 and 5.66 px: the
 *             polish favours the low frequencies of the kernel error, which
 *             are what a filtered photo shows (the error of a photo is the
 *             kernel error times the photo's spectrum, which falls with
 *             frequency). It gains 2-5 dB of image PSNR for about 0.2 dB of
 *             kernel PSNR;
 *   backward  disk_layer_backward () layer by layer (disk-gradient.h);
 *   update    Adam on x / r, y / r (radius-relative offsets) and N w (weights
 *             in units of 1 / N), learning rate warmed up over the first 5 %
 *             of the steps then decayed linearly lr_start -> lr_end; after
 *             every step each layer's weights are shifted to sum to 1.
 *
 * The multi-start keeps the run with the best kernel PSNR; a basis is fitted
 * by continuation from an anchor entry (see disk_fit_basis below).
 */
#include "disk-fit.h"
#include "disk-filter.h"
#include "disk-gradient.h"
#include "disk-metrics.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

/* Defaults (docs/FITTING.md has the measurements). */
#define DEFAULT_STEPS 2000
#define DEFAULT_LR_START 1e-2   /* offsets in units of r, weights of 1 / N */
#define DEFAULT_LR_END 1e-4
/* Charbonnier, in units of the target peak: the multi-start runs with each
 * (docs/FITTING.md, "The Charbonnier epsilon as a start") */
static const gdouble default_epsilons[] = { 1e-3, 1e-2 };
#define DEFAULT_STARTS 3
#define WARMUP_FRACTION 0.05
#define POLISH_FRACTION 0.5     /* the last half of the steps */
#define LF_WEIGHT 10.0
#define LF_SIGMA 1.41           /* px; then 2x and 4x */
#define LF_SCALES 3
#define ADAM_BETA1 0.9
#define ADAM_BETA2 0.999
#define ADAM_EPSILON 1e-12
/* A basis entry warm-started from its neighbour starts close to its optimum:
 * half the steps do (measured: no loss of quality, docs/FITTING.md). */
#define WARM_STEPS_FRACTION 0.5
#define PROGRESS_EVERY 50
/* A warm-started basis entry is fitted together with the complexes
 * interpolated between it and its fitted neighbour at these fractions of the
 * interval, each loss with this weight (see disk_fit_basis). */
static const gdouble companion_t[] = { 0.25, 0.5, 0.75 };
#define COMPANION_WEIGHT 2.0      /* 0.5 -> 2.0 measured in docs/FITTING.md */

void
disk_fit_options_init (DiskFitOptions * options, guint n_layers,
    guint samples_per_layer)
{
  guint l;

  memset (options, 0, sizeof (*options));
  options->n_layers = CLAMP (n_layers, 1, DISK_MAX_LAYERS);
  for (l = 0; l < options->n_layers; l++)
    options->n_samples[l] = samples_per_layer;
  options->steps = DEFAULT_STEPS;
  options->lr_start = DEFAULT_LR_START;
  options->lr_end = DEFAULT_LR_END;
  options->loss = DISK_LOSS_CHARBONNIER;
  memcpy (options->charbonnier_epsilons, default_epsilons,
      sizeof (default_epsilons));
  options->n_epsilons = G_N_ELEMENTS (default_epsilons);
  options->init = DISK_INIT_SPARSE;
  options->starts = DEFAULT_STARTS;
  options->seed = 1;
}

/* The epsilons a cold multi-start sweeps: with L2 loss they play no part. */
static guint
sweep_epsilons (const DiskFitOptions * options)
{
  return options->loss == DISK_LOSS_L2 ? 1 : options->n_epsilons;
}

gboolean
disk_fit_options_valid_epsilons (const DiskFitOptions * options)
{
  guint e;

  g_return_val_if_fail (options != NULL, FALSE);
  if (options->n_epsilons < 1 || options->n_epsilons > DISK_FIT_MAX_EPSILONS)
    return FALSE;
  for (e = 0; e < options->n_epsilons; e++)
    if (!(options->charbonnier_epsilons[e] > 0.0
            && isfinite (options->charbonnier_epsilons[e])))
      return FALSE;
  return TRUE;
}

gchar *
disk_fit_options_epsilons_to_string (const DiskFitOptions * options)
{
  GString *text;
  guint e;

  g_return_val_if_fail (options != NULL, NULL);
  text = g_string_new (NULL);
  for (e = 0; e < MIN (options->n_epsilons, DISK_FIT_MAX_EPSILONS); e++)
    g_string_append_printf (text, "%s%g", e > 0 ? "," : "",
        options->charbonnier_epsilons[e]);
  return g_string_free (text, FALSE);
}

guint
disk_fit_options_runs (const DiskFitOptions * options)
{
  g_return_val_if_fail (options != NULL, 0);

  return MAX (options->starts, 1) * sweep_epsilons (options);
}

const gchar *
disk_init_to_string (DiskInit init)
{
  switch (init) {
    case DISK_INIT_RANDOM:
      return "random";
    case DISK_INIT_RADIAL:
      return "radial";
    case DISK_INIT_SPARSE:
      return "sparse";
  }
  return NULL;
}

gboolean
disk_init_from_string (const gchar * name, DiskInit * init)
{
  guint i;

  if (name == NULL)
    return FALSE;
  for (i = DISK_INIT_RANDOM; i <= DISK_INIT_SPARSE; i++)
    if (strcmp (name, disk_init_to_string (i)) == 0) {
      if (init != NULL)
        *init = i;
      return TRUE;
    }
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* Initialisations: offsets in pixels, weights 1 / N. */

static void
init_circle (DiskSample * s, guint n, gdouble radius, gdouble phase)
{
  guint i;

  for (i = 0; i < n; i++) {
    gdouble a = phase + 2.0 * G_PI * i / n;

    s[i].x = (gfloat) (radius * cos (a));
    s[i].y = (gfloat) (radius * sin (a));
    s[i].w = 1.0f / n;
  }
}

/* Increasing radial: layers first .. L - 1 on circles of radius (k + 1) dr,
 * k counted from `first`, dr such that together they span `span`. With
 * `rand` each circle is turned by a random phase. */
static void
init_radial_layers (DiskComplex * complex, guint first, gdouble span,
    GRand * rand)
{
  guint l, sum = 0;

  for (l = first; l < complex->n_layers; l++)
    sum += l - first + 1;
  for (l = first; l < complex->n_layers; l++) {
    gdouble phase = rand ? g_rand_double_range (rand, 0.0, 2.0 * G_PI) : 0.0;

    init_circle (disk_complex_layer (complex, l), complex->n_samples[l],
        span * (l - first + 1) / sum, phase);
  }
}

/* Offsets uniform in the disc of radius r / L, every layer. */
static void
init_random (DiskComplex * complex, gdouble radius, GRand * rand)
{
  const gdouble reach = radius / complex->n_layers;
  guint l, i;

  for (l = 0; l < complex->n_layers; l++) {
    DiskSample *s = disk_complex_layer (complex, l);

    for (i = 0; i < complex->n_samples[l]; i++) {
      gdouble a = g_rand_double_range (rand, 0.0, 2.0 * G_PI);
      gdouble d = reach * sqrt (g_rand_double (rand));

      s[i].x = (gfloat) (d * cos (a));
      s[i].y = (gfloat) (d * sin (a));
      s[i].w = 1.0f / complex->n_samples[l];
    }
  }
}

/* Sparse sampling: the first layer drawn from the target by rejection
 * sampling (a position is kept with probability K / max K, so the samples
 * follow the kernel's mass); the other layers radial, together spanning the
 * footprint of one first-layer sample, sqrt (S / (N pi)) with S the support's
 * pixel count (pixels above 1e-3 of the peak). */
static void
init_sparse (DiskComplex * complex, const DiskImage * target, gdouble radius,
    GRand * rand)
{
  const guint size = target->width, n = complex->n_samples[0];
  const gdouble centre = (size - 1) / 2.0;
  DiskSample *s = disk_complex_layer (complex, 0);
  gdouble peak = 0.0, support = 0.0;
  guint x, y, i;

  for (y = 0; y < size; y++)
    for (x = 0; x < size; x++)
      peak = MAX (peak, disk_image_pixel (target, x, y)[0]);
  if (!(peak > 0.0) || !isfinite (peak)) {
    init_random (complex, radius, rand);
    return;
  }
  for (y = 0; y < size; y++)
    for (x = 0; x < size; x++)
      if (disk_image_pixel (target, x, y)[0] > 1e-3 * peak)
        support += 1.0;

  for (i = 0; i < n; i++) {
    guint tries;

    /* The peak pixel alone is accepted with probability >= 1 / size^2 per
     * try, so this ends long before the limit. */
    s[i].x = s[i].y = 0.0f;
    for (tries = 0; tries < 1000000; tries++) {
      gdouble u = g_rand_double_range (rand, -0.5, size - 0.5);
      gdouble v = g_rand_double_range (rand, -0.5, size - 0.5);
      guint px = (guint) CLAMP (floor (u + 0.5), 0, size - 1);
      guint py = (guint) CLAMP (floor (v + 0.5), 0, size - 1);

      if (g_rand_double (rand) * peak < disk_image_pixel (target, px, py)[0]) {
        s[i].x = (gfloat) (u - centre);
        s[i].y = (gfloat) (v - centre);
        break;
      }
    }
    s[i].w = 1.0f / n;
  }
  if (complex->n_layers > 1)
    init_radial_layers (complex, 1, sqrt (support / (n * G_PI)), rand);
}

static void
initialise (DiskComplex * complex, DiskInit init, const DiskImage * target,
    gdouble radius, GRand * rand, gboolean jitter)
{
  switch (init) {
    case DISK_INIT_RANDOM:
      init_random (complex, radius, rand);
      break;
    case DISK_INIT_RADIAL:
      init_radial_layers (complex, 0, radius, jitter ? rand : NULL);
      break;
    case DISK_INIT_SPARSE:
      init_sparse (complex, target, radius, rand);
      break;
  }
}

/* ---------------------------------------------------------------------- */
/* One optimisation run. */

typedef struct
{
  const DiskImage *target;
  guint half, size;
  gdouble radius;               /* offsets are optimised as o / radius */
  gdouble inv_peak;             /* 1 / max K_tgt */
  DiskComplex *complex;         /* current parameters, pixels, as filtered */
  DiskComplex *grad;
  DiskImage *act[DISK_MAX_LAYERS + 1];  /* act[l] is the input of layer l */
  DiskImage *g[2];              /* gradients wrt a layer's output / input */
  DiskImage *d, *blurred, *tmp; /* loss scratch */
  gdouble *param, *m, *v;       /* 3 per sample: x / r, y / r, N w */
} Fitter;

static void
fitter_init (Fitter * f, const DiskImage * target, gdouble radius,
    const DiskComplex * structure)
{
  gdouble peak = 0.0;
  guint l, x, y;

  memset (f, 0, sizeof (*f));
  f->target = target;
  f->size = target->width;
  f->half = (f->size - 1) / 2;
  f->radius = MAX (radius, 0.5);
  for (y = 0; y < f->size; y++)
    for (x = 0; x < f->size; x++)
      peak = MAX (peak, disk_image_pixel (target, x, y)[0]);
  f->inv_peak = peak > 0.0 && isfinite (peak) ? 1.0 / peak : 1.0;
  f->complex = disk_complex_copy (structure);
  f->grad = disk_complex_copy (structure);
  for (l = 0; l <= structure->n_layers; l++)
    f->act[l] = disk_image_new (f->size, f->size, 1);
  disk_image_pixel (f->act[0], f->half, f->half)[0] = 1.0f;
  f->g[0] = disk_image_new (f->size, f->size, 1);
  f->g[1] = disk_image_new (f->size, f->size, 1);
  f->d = disk_image_new (f->size, f->size, 1);
  f->blurred = disk_image_new (f->size, f->size, 1);
  f->tmp = disk_image_new (f->size, f->size, 1);
  f->param = g_new0 (gdouble, 3 * structure->total);
  f->m = g_new0 (gdouble, 3 * structure->total);
  f->v = g_new0 (gdouble, 3 * structure->total);
}

static void
fitter_clear (Fitter * f)
{
  guint l;

  for (l = 0; l <= f->complex->n_layers; l++)
    disk_image_free (f->act[l]);
  disk_image_free (f->g[0]);
  disk_image_free (f->g[1]);
  disk_image_free (f->d);
  disk_image_free (f->blurred);
  disk_image_free (f->tmp);
  disk_complex_free (f->complex);
  disk_complex_free (f->grad);
  g_free (f->param);
  g_free (f->m);
  g_free (f->v);
}

static void
params_from_complex (Fitter * f)
{
  const DiskComplex *c = f->complex;
  guint l, i, k = 0;

  for (l = 0; l < c->n_layers; l++)
    for (i = 0; i < c->n_samples[l]; i++, k++) {
      f->param[3 * k] = c->samples[k].x / f->radius;
      f->param[3 * k + 1] = c->samples[k].y / f->radius;
      f->param[3 * k + 2] = (gdouble) c->samples[k].w * c->n_samples[l];
    }
}

/* The projection (each layer's N w sum to N, so its weights sum to 1 and the
 * DC gain is 1), then the float complex that the filter runs. */
static void
complex_from_params (Fitter * f)
{
  DiskComplex *c = f->complex;
  guint l, i;

  for (l = 0; l < c->n_layers; l++) {
    const guint n = c->n_samples[l], first = c->first[l];
    gdouble sum = 0.0, shift;

    for (i = 0; i < n; i++)
      sum += f->param[3 * (first + i) + 2];
    shift = (n - sum) / n;
    for (i = 0; i < n; i++) {
      const guint k = first + i;

      f->param[3 * k + 2] += shift;
      c->samples[k].x = (gfloat) (f->param[3 * k] * f->radius);
      c->samples[k].y = (gfloat) (f->param[3 * k + 1] * f->radius);
      c->samples[k].w = (gfloat) (f->param[3 * k + 2] / n);
    }
  }
  /* Float rounding of the weights can leave a sum 1 +- 1e-7; the reference
   * normalisation puts it back as close to 1 as float allows. */
  disk_complex_normalise_weights (c);
}

/* Rows [lo, hi] of `image` that hold non-zero values; FALSE if none. */
static gboolean
nonzero_row_range (const DiskImage * image, guint * lo, guint * hi)
{
  gboolean found = FALSE;
  guint x, y;

  for (y = 0; y < image->height; y++) {
    const gfloat *row = disk_image_pixel (image, 0, y);

    for (x = 0; x < image->width; x++)
      if (row[x] != 0.0f) {
        if (!found)
          *lo = y;
        *hi = y;
        found = TRUE;
        break;
      }
  }
  return found;
}

/* One layer of the reference filter, run only over the output rows that can
 * receive light. Every other row would read zeros only (the input is zero
 * outside rows [lo, hi], which stay off the edges, so no clamp brings a value
 * in) and is set to 0: the result is exactly disk_filter_layer's. */
static void
forward_layer (const DiskSample * s, guint n, const DiskImage * in,
    DiskImage * out)
{
  const gint height = in->height;
  gint begin = height, end = 0, y;
  guint lo = 0, hi = 0, i;

  if (!nonzero_row_range (in, &lo, &hi) || lo == 0
      || hi + 1 >= (guint) height) {
    disk_filter_layer (s, n, in, out);
    return;
  }
  for (i = 0; i < n; i++) {
    /* As disk-filter.c computes it: rows y + dy and y + dy + 1 are read. */
    gdouble v = fmin (fmax (-(gdouble) s[i].y, -(height + 2.0)),
        height + 2.0);
    gint dy = (gint) floor (v);

    begin = MIN (begin, (gint) lo - dy - 1);
    end = MAX (end, (gint) hi - dy + 1);
  }
  begin = CLAMP (begin, 0, height);
  end = CLAMP (end, begin, height);
  for (y = 0; y < begin; y++)
    memset (disk_image_pixel (out, 0, y), 0, sizeof (gfloat) * in->width);
  for (y = end; y < height; y++)
    memset (disk_image_pixel (out, 0, y), 0, sizeof (gfloat) * in->width);
  disk_filter_layer_rows (s, n, in, out, begin, end);
}

static void
forward (Fitter * f)
{
  const DiskComplex *c = f->complex;
  guint l;

  for (l = 0; l < c->n_layers; l++)
    forward_layer (disk_complex_layer (c, l), c->n_samples[l], f->act[l],
        f->act[l + 1]);
}

/* Separable Gaussian blur of a single-channel canvas into `out`, zero outside
 * the canvas: a symmetric operator. */
static void
blur_canvas (const DiskImage * in, DiskImage * out, DiskImage * tmp,
    gdouble sigma)
{
  const gint size = in->width;
  const gint radius = MIN ((gint) ceil (3.0 * sigma), MIN (size - 1, 63));
  gfloat taps[127];
  gdouble sum = 0.0;
  gint x, y, k;

  for (k = -radius; k <= radius; k++)
    sum += exp (-k * k / (2.0 * sigma * sigma));
  for (k = -radius; k <= radius; k++)
    taps[k + radius] = (gfloat) (exp (-k * k / (2.0 * sigma * sigma)) / sum);

  for (y = 0; y < size; y++) {
    const gfloat *row = disk_image_pixel (in, 0, y);
    gfloat *t = disk_image_pixel (tmp, 0, y);

    for (x = 0; x < size; x++) {
      const gint k0 = MAX (-radius, -x), k1 = MIN (radius, size - 1 - x);
      gfloat acc = 0.0f;

      for (k = k0; k <= k1; k++)
        acc += taps[k + radius] * row[x + k];
      t[x] = acc;
    }
  }
  for (y = 0; y < size; y++) {
    const gint k0 = MAX (-radius, -y), k1 = MIN (radius, size - 1 - y);
    gfloat *o = disk_image_pixel (out, 0, y);

    memset (o, 0, sizeof (gfloat) * size);
    for (k = k0; k <= k1; k++) {
      const gfloat *t = disk_image_pixel (tmp, 0, y + k);
      const gfloat c = taps[k + radius];

      for (x = 0; x < size; x++)
        o[x] += c * t[x];
    }
  }
}

/* The loss of the current K_syn (act[L]) and its gradient wrt K_syn in g[0]. */
static gdouble
loss_and_gradient (Fitter * f, DiskLoss loss, gdouble epsilon,
    gboolean polish)
{
  const DiskImage *k = f->act[f->complex->n_layers];
  const gsize n = (gsize) f->size * f->size;
  const gdouble inv_peak = f->inv_peak;
  gfloat *g = f->g[0]->data, *d = f->d->data;
  gdouble total = 0.0;
  guint s;
  gsize j;

  /* The canvases are unpadded (stride == width): one flat loop. */
  for (j = 0; j < n; j++) {
    const gdouble e = ((gdouble) k->data[j] - f->target->data[j]) * inv_peak;

    d[j] = (gfloat) e;
    if (polish || loss == DISK_LOSS_L2) {
      total += e * e;
      g[j] = (gfloat) (2.0 * e * inv_peak);
    } else {
      const gdouble root = sqrt (e * e + epsilon * epsilon);

      total += root - epsilon;
      g[j] = (gfloat) (e / root * inv_peak);
    }
  }
  if (!polish)
    return total;
  for (s = 0; s < LF_SCALES; s++) {
    const gfloat *b = f->blurred->data;

    blur_canvas (f->d, f->blurred, f->tmp, LF_SIGMA * (1 << s));
    for (j = 0; j < n; j++) {
      total += LF_WEIGHT * d[j] * b[j];
      g[j] += (gfloat) (2.0 * LF_WEIGHT * b[j] * inv_peak);
    }
  }
  return total;
}

static void
backward (Fitter * f)
{
  const DiskComplex *c = f->complex;
  guint l, cur = 0;

  for (l = c->n_layers; l-- > 0;) {
    disk_layer_backward (disk_complex_layer (c, l), c->n_samples[l],
        f->act[l], f->g[cur], l > 0 ? f->g[1 - cur] : NULL,
        disk_complex_layer (f->grad, l));
    cur = 1 - cur;
  }
}

static void
adam_step (Fitter * f, gdouble lr, gdouble b1t, gdouble b2t)
{
  const DiskComplex *c = f->complex;
  guint l, i, j, k = 0;

  for (l = 0; l < c->n_layers; l++)
    for (i = 0; i < c->n_samples[l]; i++, k++) {
      const DiskSample *gs = f->grad->samples + k;
      /* Chain rule into the optimised units: o = r (o / r), w = (N w) / N. */
      const gdouble grad[3] = { gs->x * f->radius, gs->y * f->radius,
        gs->w / c->n_samples[l]
      };

      for (j = 0; j < 3; j++) {
        gdouble *m = f->m + 3 * k + j, *v = f->v + 3 * k + j;

        if (!isfinite (grad[j]))
          continue;
        *m = ADAM_BETA1 * *m + (1.0 - ADAM_BETA1) * grad[j];
        *v = ADAM_BETA2 * *v + (1.0 - ADAM_BETA2) * grad[j] * grad[j];
        f->param[3 * k + j] -= lr * (*m / (1.0 - b1t))
            / (sqrt (*v / (1.0 - b2t)) + ADAM_EPSILON);
      }
    }
}

static gdouble
fitter_psnr (const Fitter * f)
{
  g_autoptr (DiskImage) k = disk_complex_impulse_response (f->complex,
      f->half);

  return disk_kernel_psnr (f->target, k);
}

/* A companion of a basis entry being fitted: the interpolated complex at a
 * radius between the entry and its already fitted neighbour, compared with
 * the target there. disk-basis.h interpolates, per sample,
 *   o (m) = a_fixed * o_fixed + a_new * o_new,   w (m) = b_fixed * w_fixed
 *   + b_new * w_new
 * so its loss reaches the new entry's parameters through a_new and b_new. */
typedef struct
{
  Fitter f;                     /* canvas, target and buffers at radius m */
  const DiskComplex *fixed;
  gdouble a_fixed, a_new, b_fixed, b_new;
} Companion;

static void
companion_set (Companion * c, const DiskComplex * entry)
{
  DiskSample *out = c->f.complex->samples;
  const DiskSample *fx = c->fixed->samples, *nw = entry->samples;
  guint i;

  for (i = 0; i < entry->total; i++) {
    out[i].x = (gfloat) (c->a_fixed * fx[i].x + c->a_new * nw[i].x);
    out[i].y = (gfloat) (c->a_fixed * fx[i].y + c->a_new * nw[i].y);
    out[i].w = (gfloat) (c->b_fixed * fx[i].w + c->b_new * nw[i].w);
  }
}

/* Adds the companion's loss (and its gradient, into f->grad) for the
 * current entry f->complex. */
static gdouble
companion_step (Companion * c, Fitter * f, const DiskFitOptions * options,
    gdouble epsilon, gboolean polish)
{
  DiskSample *g = f->grad->samples;
  const DiskSample *cg;
  gdouble loss;
  guint i;

  companion_set (c, f->complex);
  forward (&c->f);
  loss = loss_and_gradient (&c->f, options->loss, epsilon, polish);
  backward (&c->f);
  cg = c->f.grad->samples;
  for (i = 0; i < f->complex->total; i++) {
    g[i].x += (gfloat) (COMPANION_WEIGHT * c->a_new * cg[i].x);
    g[i].y += (gfloat) (COMPANION_WEIGHT * c->a_new * cg[i].y);
    g[i].w += (gfloat) (COMPANION_WEIGHT * c->b_new * cg[i].w);
  }
  return COMPANION_WEIGHT * loss;
}

/* Optimises f->complex in place for `steps` steps, Charbonnier with
 * `epsilon` where the options' loss is; returns its kernel PSNR. */
static gdouble
run (Fitter * f, const DiskFitOptions * options, gdouble epsilon,
    guint steps, guint entry, guint n_entries, Companion * companions,
    guint n_companions)
{
  const guint warmup = (guint) (WARMUP_FRACTION * steps);
  const guint polish_from = steps - (guint) (POLISH_FRACTION * steps);
  gdouble b1t = 1.0, b2t = 1.0, loss;
  guint step, j;

  params_from_complex (f);
  complex_from_params (f);
  for (step = 0; step < steps; step++) {
    const gdouble t = steps > 1 ? (gdouble) step / (steps - 1) : 1.0;
    gdouble lr = options->lr_start + (options->lr_end - options->lr_start) * t;

    if (step < warmup)
      lr *= (step + 1.0) / (warmup + 1.0);
    forward (f);
    loss = loss_and_gradient (f, options->loss, epsilon, step >= polish_from);
    backward (f);
    for (j = 0; j < n_companions; j++)
      loss += companion_step (&companions[j], f, options, epsilon,
          step >= polish_from);
    b1t *= ADAM_BETA1;
    b2t *= ADAM_BETA2;
    adam_step (f, lr, b1t, b2t);
    complex_from_params (f);

    if (options->progress != NULL
        && (step % PROGRESS_EVERY == 0 || step + 1 == steps))
      options->progress (entry, n_entries, step, steps, loss,
          options->progress_data);
  }
  return fitter_psnr (f);
}

/* The initialisation of start `start` (> 0 or without warm start): the
 * chosen one with seed + start, except that the third start tries the
 * other good one (radial for sparse and the other way round): sparse wins on
 * sharp shapes, radial on smooth ones such as gaussian and ring. */
static DiskInit
start_init (const DiskFitOptions * options, guint start)
{
  if (start == 2 && options->starts >= 3)
    return options->init == DISK_INIT_SPARSE ? DISK_INIT_RADIAL :
        DISK_INIT_SPARSE;
  return options->init;
}

static DiskComplex *
fit_one (const DiskImage * target, gdouble radius,
    const DiskFitOptions * options, const DiskComplex * warm_start,
    guint warm_steps, Companion * companions, guint n_companions,
    guint starts, guint n_epsilons, guint entry, guint n_entries,
    gdouble * kernel_psnr)
{
  g_autoptr (DiskComplex) structure = NULL;
  DiskComplex *best = NULL;
  gdouble best_psnr = -INFINITY;
  guint start, e;

  g_return_val_if_fail (target != NULL && options != NULL, NULL);
  g_return_val_if_fail (disk_fit_options_valid_epsilons (options), NULL);
  g_return_val_if_fail (target->channels == 1, NULL);
  g_return_val_if_fail (target->width == target->height, NULL);
  g_return_val_if_fail (target->width % 2 == 1, NULL);
  g_return_val_if_fail (target->stride == target->width, NULL);
  structure = disk_complex_new (options->n_layers, options->n_samples);
  g_return_val_if_fail (structure != NULL, NULL);
  g_return_val_if_fail (warm_start == NULL
      || disk_complex_same_structure (warm_start, structure), NULL);

  /* Below half a pixel every target is the identity, and so is the fit. */
  if (!(radius >= 0.5)) {
    best = disk_complex_new_identity (options->n_layers, options->n_samples);
    if (kernel_psnr != NULL) {
      g_autoptr (DiskImage) k = disk_complex_impulse_response (best,
          (target->width - 1) / 2);
      *kernel_psnr = disk_kernel_psnr (target, k);
    }
    return best;
  }

  /* every cold start once with each of the first n_epsilons (1 or
   * sweep_epsilons), epsilon by epsilon (ties keep the earlier run); a warm
   * start once, with the first */
  for (e = 0; e < n_epsilons; e++)
    for (start = 0; start < MAX (starts, 1); start++) {
      g_autoptr (GRand) rand = NULL;
      gboolean warm = warm_start != NULL && start == 0;
      guint steps = options->steps;
      Fitter f;
      gdouble psnr;

      if (warm && e > 0)
        continue;
      rand = g_rand_new_with_seed ((guint32) (options->seed + start));
      fitter_init (&f, target, radius, structure);
      if (warm) {
        memcpy (f.complex->samples, warm_start->samples,
            sizeof (DiskSample) * structure->total);
        steps = warm_steps;
      } else {
        initialise (f.complex, start_init (options, start), target, radius,
            rand, start > 0);
      }
      psnr = run (&f, options, options->charbonnier_epsilons[e], steps, entry,
          n_entries, warm ? companions : NULL, warm ? n_companions : 0);
      if (best == NULL || psnr > best_psnr) {
        best_psnr = psnr;
        disk_complex_free (best);
        best = disk_complex_copy (f.complex);
      }
      fitter_clear (&f);
    }
  if (kernel_psnr != NULL)
    *kernel_psnr = best_psnr;
  return best;
}

DiskComplex *
disk_fit_complex (const DiskImage * target_kernel, gdouble radius,
    const DiskFitOptions * options, const DiskComplex * warm_start,
    gdouble * kernel_psnr)
{
  return fit_one (target_kernel, radius, options, warm_start, options->steps,
      NULL, 0, options->starts, sweep_epsilons (options), 0, 1, kernel_psnr);
}

/* The fit canvas at `radius`: the kernel plus room for the light a complex
 * sends a little past it, so that no intermediate image reaches the canvas
 * edge, where clamping would feed it back in (docs/FITTING.md measures it). */
guint
disk_fit_canvas_half_size (gdouble radius)
{
  return MAX (disk_target_half_size (radius),
      (guint) ceil (1.25 * MAX (radius, 0.0)) + 3);
}

/* Companions for the entry at `radius` next to the fitted `fixed` entry at
 * `fixed_radius`: the interpolated radii between them (disk-basis.h). */
static guint
make_companions (Companion * companions, const DiskComplex * fixed,
    gdouble fixed_radius, gdouble radius, const DiskTarget * target,
    const DiskComplex * structure)
{
  const gdouble lo = MIN (radius, fixed_radius), hi = MAX (radius,
      fixed_radius);
  guint j, n = 0;

  for (j = 0; j < G_N_ELEMENTS (companion_t); j++) {
    const gdouble t = companion_t[j], m = lo + t * (hi - lo);
    const gdouble a_lo = (1.0 - t) * m / lo, a_hi = t * m / hi;
    DiskImage *kernel = disk_target_render (target, m, disk_fit_canvas_half_size (m));
    Companion *c = &companions[n];

    if (kernel == NULL)
      continue;
    fitter_init (&c->f, kernel, m, structure);
    c->fixed = fixed;
    if (radius > fixed_radius) {
      c->a_fixed = a_lo;
      c->a_new = a_hi;
      c->b_fixed = 1.0 - t;
      c->b_new = t;
    } else {
      c->a_fixed = a_hi;
      c->a_new = a_lo;
      c->b_fixed = t;
      c->b_new = 1.0 - t;
    }
    n++;
  }
  return n;
}

/* Continuation: the anchor entry, at the radius nearest the geometric middle
 * of the range, is fitted with the multi-start; then the entries above it in
 * increasing order and those below it in decreasing order, each warm-started
 * from its already fitted neighbour scaled to its own radius, so that sample
 * i stays on the same part of the shape across the basis (independent fits
 * interpolate 10-20 dB worse). Each warm-started entry is also fitted for
 * what the runtime will make of it: its loss includes the losses of the
 * complexes interpolated between it and the neighbour (disk-basis.h) at a
 * quarter, half and three quarters of the interval, against the target
 * rendered there. That costs a few tenths of a dB at the entries and gains
 * 1.5-5 dB in between (docs/FITTING.md). The anchor runs with the first
 * Charbonnier epsilon only (a basis of one radius sweeps them, as
 * disk_fit_complex does): the anchor that wins the sweep can continue much
 * worse (motion's chain fell from 63.6 to 19.0 dB image PSNR, FITTING.md). */
DiskBasis *
disk_fit_basis (const DiskTarget * target, const gdouble * radii,
    guint n_radii, const DiskFitOptions * options, gdouble * kernel_psnr,
    GError ** error)
{
  g_autofree DiskComplex **entries = NULL;
  g_autofree guint *order = NULL;
  g_autoptr (DiskComplex) structure = NULL;
  Companion companions[G_N_ELEMENTS (companion_t)];
  DiskBasis *basis;
  gdouble middle;
  guint k, j, c, anchor = 0, n_order = 0, n_companions = 0;

  g_return_val_if_fail (target != NULL && options != NULL, NULL);

  if (n_radii == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "a basis needs at least one radius");
    return NULL;
  }
  for (k = 0; k < n_radii; k++)
    if (!isfinite (radii[k]) || radii[k] <= 0.0 || radii[k] > 4096.0
        || (k > 0 && !(radii[k] > radii[k - 1]))) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
          "basis radius %u (%g) must be in (0, 4096] and larger than the "
          "one before it", k, radii[k]);
      return NULL;
    }
  if (!disk_fit_options_valid_epsilons (options)) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "1 to %u Charbonnier epsilons are allowed, each positive and finite",
        DISK_FIT_MAX_EPSILONS);
    return NULL;
  }
  structure = disk_complex_new (options->n_layers, options->n_samples);
  if (structure == NULL) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
        "invalid structure: %u layers of 1 to %u samples each are allowed",
        DISK_MAX_LAYERS, DISK_MAX_SAMPLES_PER_LAYER);
    return NULL;
  }

  /* Entries below half a pixel are identities: the anchor is the radius
   * nearest the geometric middle of the others. */
  while (anchor + 1 < n_radii && radii[anchor] < 0.5)
    anchor++;
  middle = sqrt (radii[anchor] * radii[n_radii - 1]);
  for (k = anchor + 1; k < n_radii; k++)
    if (fabs (log (radii[k] / middle)) < fabs (log (radii[anchor] / middle)))
      anchor = k;
  order = g_new (guint, n_radii);
  order[n_order++] = anchor;
  for (k = anchor + 1; k < n_radii; k++)
    order[n_order++] = k;
  for (k = anchor; k-- > 0;)
    order[n_order++] = k;

  entries = g_new0 (DiskComplex *, n_radii);
  for (j = 0; j < n_radii; j++) {
    const guint from = order[j] > anchor ? order[j] - 1 : order[j] + 1;
    const gdouble r = radii[order[j]];
    g_autoptr (DiskImage) kernel = NULL;
    g_autoptr (DiskComplex) warm = NULL;

    k = order[j];
    kernel = disk_target_render (target, r, disk_fit_canvas_half_size (r));
    if (kernel == NULL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
          "could not render the target at radius %g", r);
      break;
    }
    if (j > 0 && radii[from] >= 0.5) {
      warm = disk_complex_copy (entries[from]);
      disk_complex_scale (warm, (gfloat) (r / radii[from]));
      n_companions = make_companions (companions, entries[from], radii[from],
          r, target, structure);
    }
    entries[k] = fit_one (kernel, r, options, warm,
        MAX ((guint) (WARM_STEPS_FRACTION * options->steps), 1), companions,
        n_companions, warm != NULL ? 1 : options->starts,
        n_radii == 1 ? sweep_epsilons (options) : 1, j, n_radii,
        kernel_psnr ? kernel_psnr + k : NULL);
    for (c = 0; c < n_companions; c++) {
      disk_image_free ((DiskImage *) companions[c].f.target);
      fitter_clear (&companions[c].f);
    }
    n_companions = 0;
    if (entries[k] == NULL) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
          "fitting the entry at radius %g failed", r);
      break;
    }
  }

  basis = j == n_radii ? disk_basis_new (n_radii, radii, entries, error) : NULL;
  for (k = 0; k < n_radii; k++)
    disk_complex_free (entries[k]);
  return basis;
}
