/* Tests of the fast filter path (disk-fast.h) against the reference filter
 * (disk-filter.h, itself tested against dense convolution in test-filter.c).
 *
 * The fast path is an exact reorganisation (integer taps, blocking, SIMD,
 * edge copies), so it must agree with the reference to float rounding on any
 * complex: offsets far outside the image, negative weights, taps that merge,
 * 1 to 4 channels, images narrower than the kernel. And a pixel must not
 * depend on how rows are split into bands.
 *
 * The approximations (reduced resolution at large radii, level-blended
 * varying layers in map, depth, spin and zoom modes) are held to the rule
 * of docs/PERFORMANCE.md: on real photos, image PSNR against the dense
 * ground truth within 0.3 dB of the reference path's, both computed here,
 * at radii where they engage. */
#include "disk-fast.h"
#include "disk-fast-private.h"
#include "disk-filter.h"
#include "disk-basis.h"
#include "disk-dense.h"
#include "disk-image-io.h"
#include "disk-metrics.h"
#include "disk-preset.h"
#include "disk-target.h"

#include <math.h>
#include <string.h>

static DiskImage *
random_image (GRand * rand, guint w, guint h, guint channels)
{
  DiskImage *im = disk_image_new (w, h, channels);
  guint x, y, c;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      for (c = 0; c < channels; c++)
        disk_image_pixel (im, x, y)[c] = (gfloat) g_rand_double (rand);
  return im;
}

/* A complex with offsets up to `reach` pixels (some exactly integer, some
 * duplicated so that taps merge) and weights summing to 1, a few negative. */
static DiskComplex *
random_complex (GRand * rand, guint layers, guint samples, gdouble reach)
{
  DiskComplex *c = disk_complex_new_uniform (layers, samples);
  guint i;

  for (i = 0; i < c->total; i++) {
    DiskSample *s = &c->samples[i];

    s->x = (gfloat) g_rand_double_range (rand, -reach, reach);
    s->y = (gfloat) g_rand_double_range (rand, -reach, reach);
    s->w = (gfloat) g_rand_double_range (rand, -0.2, 1.0);
    if (i % 5 == 1)
      s->x = roundf (s->x);
    if (i % 7 == 3 && i > 0)
      *s = c->samples[i - 1];
  }
  disk_complex_normalise_weights (c);
  return c;
}

static gdouble
max_abs_diff (const DiskImage * a, const DiskImage * b)
{
  gdouble worst = 0.0;
  guint x, y, c;

  g_assert_true (disk_image_same_shape (a, b));
  for (y = 0; y < a->height; y++)
    for (x = 0; x < a->width; x++)
      for (c = 0; c < a->channels; c++)
        worst = MAX (worst, fabs (disk_image_pixel (a, x, y)[c]
                - disk_image_pixel (b, x, y)[c]));
  return worst;
}

/* Uniform complexes of every kind on images of many shapes. */
static void
test_uniform_matches_reference (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  static const guint sizes[][2] = {
    {1, 1}, {2, 7}, {7, 2}, {17, 5}, {67, 41}, {200, 9}, {131, 33},
  };
  static const gdouble reaches[] = { 0.0, 0.7, 3.5, 12.0, 40.0, 1e6 };
  guint s, r, ch;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (r = 0; r < G_N_ELEMENTS (reaches); r++)
      for (ch = 1; ch <= 4; ch++) {
        g_autoptr (DiskImage) in = random_image (rand, sizes[s][0],
            sizes[s][1], ch);
        g_autoptr (DiskImage) want = disk_image_new (in->width, in->height,
            ch);
        g_autoptr (DiskImage) got = disk_image_new (in->width, in->height,
            ch);
        g_autoptr (DiskComplex) c = random_complex (rand, 3, 1 + (r * 7 + ch)
            % 24, reaches[r]);
        gdouble d;

        disk_filter_uniform (c, in, want);
        disk_fast_filter_uniform (c, in, got);
        d = max_abs_diff (want, got);
        if (d > 1e-5)
          g_test_message ("%ux%u x%u reach %g: max diff %g", in->width,
              in->height, ch, reaches[r], d);
        g_assert_cmpfloat (d, <=, 1e-5);
      }
}

/* A single tap at an integer offset is an exact shift: no rounding at all,
 * whatever the SIMD kernel (checks the sign convention independently). */
static void
test_integer_shift_exact (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  g_autoptr (DiskImage) in = random_image (rand, 150, 20, 3);
  g_autoptr (DiskImage) out = disk_image_new (150, 20, 3);
  DiskSample sample = { 3.0f, -2.0f, 1.0f };
  g_autoptr (DiskFastLayer) layer = disk_fast_layer_new (&sample, 1, 150, 20);
  guint x, y, c;

  g_assert_cmpuint (disk_fast_layer_n_taps (layer), ==, 1);
  disk_fast_layer_rows (layer, in, out, 0, 20);
  for (y = 0; y < 20; y++)
    for (x = 0; x < 150; x++)
      for (c = 0; c < 3; c++) {
        /* light moves by (+3, -2): out(p) = in(p - (3, -2)), clamped */
        gint sx = CLAMP ((gint) x - 3, 0, 149), sy = CLAMP ((gint) y + 2, 0,
            19);
        g_assert_cmpfloat (disk_image_pixel (out, x, y)[c], ==,
            disk_image_pixel (in, sx, sy)[c]);
      }
}

/* Bilinear taps that share integer positions merge: 24 samples all within
 * the same pixel square make at most 4 integer taps. */
static void
test_taps_merge (void)
{
  DiskSample s[24];
  g_autoptr (DiskFastLayer) layer = NULL;
  guint i;

  for (i = 0; i < 24; i++)
    s[i] = (DiskSample) { 0.1f + 0.03f * i, -0.2f - 0.01f * i, 1.0f / 24 };
  layer = disk_fast_layer_new (s, 24, 64, 64);
  g_assert_cmpuint (disk_fast_layer_n_taps (layer), <=, 4);
}

/* Rows split into bands of any size give the same bits. */
static void
test_bands_bit_identical (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (3);
  g_autoptr (DiskImage) in = random_image (rand, 97, 61, 4);
  g_autoptr (DiskImage) whole = disk_image_new (97, 61, 4);
  g_autoptr (DiskImage) bands = disk_image_new (97, 61, 4);
  g_autoptr (DiskComplex) c = random_complex (rand, 1, 24, 9.0);
  g_autoptr (DiskFastLayer) layer = disk_fast_layer_new (c->samples, 24, 97,
      61);
  guint y = 0, step = 1;

  disk_fast_layer_rows (layer, in, whole, 0, 61);
  while (y < 61) {
    guint end = MIN (61, y + step);

    disk_fast_layer_rows (layer, in, bands, y, end);
    y = end;
    step = step * 2 + 1;
  }
  g_assert_cmpint (memcmp (whole->data, bands->data,
          sizeof (gfloat) * whole->stride * whole->height), ==, 0);
}

/* The cases of the one-pass tests: windows that slide many times (tall
 * images, small reach), windows as tall as the image (reach past the
 * image), one layer, many layers; each with the layers run one by one over
 * whole images (`want`) and four splits of the rows into bands (`cuts`: 0,
 * then each band's end), including bands of one row. `workspace` is kept
 * across every case, as a thread's would be. */
typedef void (*OnePassCheck) (const DiskFastPlan * plan, const DiskImage * in,
    const DiskImage * want, const guint cuts[4], DiskFastWorkspace * workspace,
    gboolean use_workspace);

static void
for_each_one_pass_case (guint32 seed, OnePassCheck check)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  static const guint sizes[][2] = { {97, 300}, {33, 7}, {5, 211}, {64, 64} };
  static const guint layer_counts[] = { 1, 2, 4, 6 };
  static const gdouble reaches[] = { 0.0, 2.5, 9.0, 40.0 };
  g_autoptr (DiskFastWorkspace) workspace = disk_fast_workspace_new ();
  guint s, l, r, k;

  for (s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (l = 0; l < G_N_ELEMENTS (layer_counts); l++)
      for (r = 0; r < G_N_ELEMENTS (reaches); r++) {
        const guint w = sizes[s][0], h = sizes[s][1], ch = 1 + (s + r) % 4;
        g_autoptr (DiskImage) in = random_image (rand, w, h, ch);
        g_autoptr (DiskImage) want = disk_image_new (w, h, ch);
        g_autoptr (DiskComplex) c = random_complex (rand, layer_counts[l],
            1 + (s * 5 + r * 3 + l) % 24, reaches[r]);
        g_autoptr (DiskFastPlan) plan = disk_fast_plan_new (c, w, h);
        const guint cuts[][4] = {
          {0, h, h, h}, {0, h / 3, h / 2 + 1, h}, {0, 1, 2, h},
          {0, h - 1, h - 1, h},
        };

        disk_fast_filter_uniform (c, in, want);
        for (k = 0; k < G_N_ELEMENTS (cuts); k++) {
          g_test_message ("%ux%u x%u, %u layers, reach %g, cut %u", w, h, ch,
              layer_counts[l], reaches[r], k);
          check (plan, in, want, cuts[k], workspace, k % 2);
        }
      }
}

static void
check_plan_rows (const DiskFastPlan * plan, const DiskImage * in,
    const DiskImage * want, const guint cuts[4], DiskFastWorkspace * workspace,
    gboolean use_workspace)
{
  const guint h = in->height;
  g_autoptr (DiskImage) got = disk_image_new (in->width, h, in->channels);
  guint b;

  disk_image_fill (got, NAN);
  for (b = 0; b < 3; b++)
    disk_fast_plan_rows (plan, in, got, MIN (cuts[b], h), MIN (cuts[b + 1],
            h), use_workspace ? workspace : NULL);
  g_assert_cmpint (memcmp (want->data, got->data,
          sizeof (gfloat) * want->stride * h), ==, 0);
}

/* All layers in one pass (disk_fast_plan_rows, windows between layers) give
 * the bits of the layers run one by one over whole images, for any split of
 * the rows into bands. */
static void
test_plan_rows_identical (void)
{
  for_each_one_pass_case (23, check_plan_rows);
}

/* A DiskFastStream over whole images, checking the order of its calls.
 * It reads and writes `row_len` values per row, however far apart the
 * pass's rows are (`stride`). */
typedef struct
{
  const DiskImage *in;          /* NULL: read NaN */
  DiskImage *out;               /* NULL: discard */
  gint next_read, next_write;   /* -1: nothing yet */
  gboolean in_order;
  gsize row_len;
} StreamCheck;

static void
check_read (gpointer data, gfloat * rows, gsize stride, guint y0, guint y1)
{
  StreamCheck *c = data;
  guint y, i;

  c->in_order &= y0 < y1 && (c->next_read < 0 || (gint) y0 == c->next_read);
  c->next_read = y1;
  g_assert_cmpuint (stride, >=, c->row_len);
  for (y = y0; y < y1; y++)
    for (i = 0; i < c->row_len; i++)
      rows[(y - y0) * stride + i] = c->in != NULL ?
          disk_image_pixel (c->in, 0, y)[i] : NAN;
}

static void
check_write (gpointer data, const gfloat * rows, gsize stride, guint y0,
    guint y1)
{
  StreamCheck *c = data;
  guint y;

  c->in_order &= y0 < y1 && (gint) y0 == c->next_write;
  c->next_write = y1;
  if (c->out != NULL)
    for (y = y0; y < y1; y++)
      memcpy (disk_image_pixel (c->out, 0, y), rows + (y - y0) * stride,
          sizeof (gfloat) * c->row_len);
}

/* The output of disk_fast_plan_stream with rows held as `rows`, for the
 * three bands of `cuts`: each band's input rows read once and in order, its
 * output rows written once and in order. Before each band the workspace's
 * windows are filled with NaN by another call, so that a row the pass
 * failed to read would show in the output. */
static DiskImage *
stream_bands (const DiskFastPlan * plan, const DiskImage * in,
    const guint cuts[4], DiskFastWorkspace * workspace, DiskFastRows rows)
{
  const guint h = in->height, ch = in->channels;
  DiskImage *got = disk_image_new (in->width, h, ch);
  guint b;

  disk_image_fill (got, NAN);
  for (b = 0; b < 3; b++) {
    const guint y0 = MIN (cuts[b], h), y1 = MIN (cuts[b + 1], h);
    StreamCheck poison = { NULL, NULL, -1, 0, TRUE, in->width * ch };
    StreamCheck check = { in, got, -1, y0, TRUE, in->width * ch };
    DiskFastStream nan_stream = { check_read, check_write, &poison, rows };
    DiskFastStream stream = { check_read, check_write, &check, rows };

    disk_fast_plan_stream (plan, &nan_stream, ch, 0, h, workspace);
    disk_fast_plan_stream (plan, &stream, ch, y0, y1, workspace);
    g_assert_true (check.in_order);
    /* every output row of the band, and its own input rows */
    g_assert_cmpint (check.next_write, ==, (gint) (y1 > y0 ? y1 : y0));
    if (y1 > y0)
      g_assert_cmpint (check.next_read, >=, (gint) y1);
  }
  return got;
}

static void
check_plan_stream (const DiskFastPlan * plan, const DiskImage * in,
    const DiskImage * want, const guint cuts[4], DiskFastWorkspace * workspace,
    gboolean use_workspace)
{
  g_autoptr (DiskImage) got = NULL;

  (void) use_workspace;         /* the poisoning needs it every time */
  got = stream_bands (plan, in, cuts, workspace, DISK_FAST_ROWS_FLOAT);
  g_assert_cmpint (memcmp (want->data, got->data,
          sizeof (gfloat) * want->stride * in->height), ==, 0);
}

/* disk_fast_plan_stream: the bits of the layers run one by one, each
 * band's input rows read once and in order, its output rows written once
 * and in order. */
static void
test_plan_stream_identical (void)
{
  for_each_one_pass_case (29, check_plan_stream);
}

/* How far the output of disk_fast_plan_stream with binary16 rows may be
 * from the float path's, from what disk-fast.h promises: every value held
 * between layers (the input and each layer's output but the last) is
 * rounded with a relative error of at most 2^-11 (2^-25 absolute below
 * 2^-14), and an error e in the input of layer l reaches the output at most
 * e * A_l * ... * A_{n-1}, A_l the sum of |w| over layer l's integer taps.
 * `stages` are the float path's values at each of those points. The sums
 * themselves are in float in the same order in both paths: their rounding
 * on slightly different values is allowed for by the last term. */
static gdouble
half_rows_bound (const DiskFastPlan * plan, DiskImage ** stages)
{
  const guint n = disk_fast_plan_n_layers (plan);
  gdouble gain[DISK_MAX_LAYERS + 1], bound = 0.0, largest = 0.0;
  guint l, i, j;

  gain[n] = 1.0;
  for (l = n; l-- > 0;) {
    const DiskFastLayer *layer = disk_fast_plan_layer (plan, l);
    gdouble a = 0.0;

    for (i = 0; i < layer->n; i++)
      a += fabs (layer->w[i]);
    gain[l] = gain[l + 1] * a;
  }
  for (l = 0; l < n; l++) {
    gdouble m = 0.0;

    for (j = 0; j < stages[l]->stride * stages[l]->height; j++)
      m = MAX (m, fabs (stages[l]->data[j]));
    /* the stage's own values, grown by the errors before it */
    m = m * (1.0 + 1e-2) + bound;
    largest = MAX (largest, m * gain[l]);
    bound += (ldexp (m, -11) + ldexp (1.0, -25)) * gain[l];
  }
  return bound + 32 * n * ldexp (largest, -24);
}

static guint half_cases_differing;

/* As check_plan_stream, with binary16 rows: within half_rows_bound of the
 * float path (or its bits where the CPU has no binary16 kernels). */
static void
check_plan_stream_half (const DiskFastPlan * plan, const DiskImage * in,
    const DiskImage * want, const guint cuts[4],
    DiskFastWorkspace * workspace, gboolean use_workspace)
{
  const guint n = disk_fast_plan_n_layers (plan), h = in->height;
  const guint ch = in->channels;
  g_autoptr (DiskImage) got = NULL;
  DiskImage *stages[DISK_MAX_LAYERS];
  gdouble bound, diff;
  guint l;

  (void) use_workspace;
  got = stream_bands (plan, in, cuts, workspace, DISK_FAST_ROWS_HALF);
  if (!disk_fast_half_rows_supported ()) {
    g_assert_cmpint (memcmp (want->data, got->data,
            sizeof (gfloat) * want->stride * h), ==, 0);
    return;
  }
  stages[0] = disk_image_copy (in);
  for (l = 1; l < n; l++) {
    stages[l] = disk_image_new (in->width, h, ch);
    disk_fast_layer_rows (disk_fast_plan_layer (plan, l - 1), stages[l - 1],
        stages[l], 0, h);
  }
  bound = half_rows_bound (plan, stages);
  diff = max_abs_diff (want, got);
  g_test_message ("binary16 rows: %.3g from float, bound %.3g", diff, bound);
  g_assert_cmpfloat (diff, <=, bound);
  half_cases_differing += diff > 0.0;
  for (l = 0; l < n; l++)
    disk_image_free (stages[l]);
}

/* disk_fast_plan_stream with binary16 rows between layers: every band's
 * rows read and written once and in order as with floats, and the output
 * within the rounding bound of the float path. Where the CPU converts
 * binary16, the rows must actually be held in it (outputs differ). */
static void
test_plan_stream_half (void)
{
  half_cases_differing = 0;
  for_each_one_pass_case (31, check_plan_stream_half);
  if (disk_fast_half_rows_supported ())
    g_assert_cmpuint (half_cases_differing, >, 0);
}

/* A basis of three random complexes of one structure. */
static DiskBasis *
random_basis (GRand * rand, gdouble reach)
{
  const gdouble radii[] = { 2.0, 5.0, 9.0 };
  DiskComplex *entries[3];
  DiskBasis *basis;
  guint k;

  for (k = 0; k < 3; k++)
    entries[k] = random_complex (rand, 2, 12, reach * radii[k] / 9.0);
  basis = disk_basis_new (3, radii, entries, NULL);
  for (k = 0; k < 3; k++)
    disk_complex_free (entries[k]);
  return basis;
}

/* Varying layers: parameters constant along long runs (fast runs), others
 * changing every pixel (per-pixel gather), with and without angles and at
 * chroma scales, against the reference's per-pixel gather; and with the
 * rows of one radius and angle marked beforehand
 * (disk_fast_uniform_rows), the same bits as without. */
static void
test_varying_matches_reference (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (17);
  g_autoptr (DiskBasis) basis = random_basis (rand, 9.0);
  const guint w = 83, h = 29;
  g_autofree gfloat *radius = g_new (gfloat, w * h);
  g_autofree gfloat *angle = g_new (gfloat, w * h);
  static const gdouble scales[][2] = { {1.0, 1.0}, {0.5, 0.5}, {0.5, 1.0} };
  guint x, y, ch, s, use_angle;

  /* Rows 0-9: one radius per row; 10-19: runs of 20 with a changing angle
   * (row 10 one radius); 20-28: every pixel its own radius and angle. */
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gsize p = (gsize) y * w + x;

      if (y < 10) {
        radius[p] = 0.9f * y;
        angle[p] = 30.0f;
      } else if (y < 20) {
        /* row 10: one radius, the angle changing */
        radius[p] = y == 10 ? 3.0f : 3.0f + (x / 20);
        angle[p] = 10.0f * (x / 20);
      } else {
        radius[p] = (gfloat) g_rand_double_range (rand, 0.0, 11.0);
        angle[p] = (gfloat) g_rand_double_range (rand, -180.0, 180.0);
      }
    }

  for (ch = 1; ch <= 4; ch++)
    for (s = 0; s < G_N_ELEMENTS (scales); s++)
      for (use_angle = 0; use_angle < 2; use_angle++) {
        g_autoptr (DiskImage) in = random_image (rand, w, h, ch);
        g_autoptr (DiskImage) want = disk_image_new (w, h, ch);
        g_autoptr (DiskImage) got = disk_image_new (w, h, ch);
        g_autoptr (DiskImage) marked = disk_image_new (w, h, ch);
        guint8 uniform[29];
        guint l;

        for (l = 0; l < 2; l++) {
          disk_filter_varying_layer_rows_scaled (basis, l, radius,
              use_angle ? angle : NULL, scales[s][0], scales[s][1], in, want,
              0, h);
          /* in three bands, as threads would */
          disk_fast_varying_layer_rows (basis, l, radius,
              use_angle ? angle : NULL, scales[s][0], scales[s][1], in, got,
              0, 7);
          disk_fast_varying_layer_rows (basis, l, radius,
              use_angle ? angle : NULL, scales[s][0], scales[s][1], in, got,
              7, 20);
          disk_fast_varying_layer_rows (basis, l, radius,
              use_angle ? angle : NULL, scales[s][0], scales[s][1], in, got,
              20, h);
          g_assert_cmpfloat (max_abs_diff (want, got), <=, 1e-5);
          /* the rows marked once: the same bits */
          disk_fast_uniform_rows (radius, use_angle ? angle : NULL, w, 0, 12,
              uniform);
          disk_fast_uniform_rows (radius, use_angle ? angle : NULL, w, 12, h,
              uniform);
          for (y = 0; y < h; y++)
            g_assert_cmpuint (uniform[y], ==, y < 10 || (y == 10
                    && !use_angle));
          disk_fast_varying_layer_rows_marked (basis, l, radius,
              use_angle ? angle : NULL, uniform, scales[s][0], scales[s][1],
              in, marked, 0, 13);
          disk_fast_varying_layer_rows_marked (basis, l, radius,
              use_angle ? angle : NULL, uniform, scales[s][0], scales[s][1],
              in, marked, 13, h);
          g_assert_cmpint (memcmp (got->data, marked->data,
                  sizeof (gfloat) * got->stride * h), ==, 0);
        }
      }
}

/* disk_fast_effect_fill_rows gives disk_effect_fill_rows' bits. */
static void
test_fill_identical (void)
{
  static const gdouble angles[] = { 0.0, 10.0, -37.5, 90.0 };
  static const gdouble falloffs[] = { 0.0, 0.3 };
  const guint w = 45, h = 31;
  guint a, f, sub;

  for (a = 0; a < G_N_ELEMENTS (angles); a++)
    for (f = 0; f < G_N_ELEMENTS (falloffs); f++)
      for (sub = 1; sub <= 2; sub++) {
        const guint pw = (w + sub - 1) / sub, ph = (h + sub - 1) / sub;
        g_autofree gfloat *r0 = g_new (gfloat, pw * ph);
        g_autofree gfloat *a0 = g_new (gfloat, pw * ph);
        g_autofree gfloat *r1 = g_new (gfloat, pw * ph);
        g_autofree gfloat *a1 = g_new (gfloat, pw * ph);
        DiskEffectParams params;

        disk_effect_params_init (&params);
        params.mode = DISK_EFFECT_TILT_SHIFT;
        params.radius = 7.5;
        params.angle = 12.0;
        params.focus_angle = angles[a];
        params.focus_falloff = falloffs[f];
        params.center_y = 0.4;
        disk_effect_fill_rows (&params, w, h, pw, ph, sub, sub, NULL, NULL,
            r0, a0, 0, ph);
        disk_fast_effect_fill_rows (&params, w, h, pw, ph, sub, sub, NULL,
            NULL, r1, a1, 0, 3);
        disk_fast_effect_fill_rows (&params, w, h, pw, ph, sub, sub, NULL,
            NULL, r1, a1, 3, ph);
        g_assert_cmpint (memcmp (r0, r1, sizeof (gfloat) * pw * ph), ==, 0);
        g_assert_cmpint (memcmp (a0, a1, sizeof (gfloat) * pw * ph), ==, 0);
      }
}

/* The same for spin, zoom, map and depth: maps smaller and larger than the
 * frame, with an angle map, with NaN and out-of-range values. */
static void
test_fill_identical_modes (void)
{
  static const DiskEffectMode modes[] = { DISK_EFFECT_SPIN, DISK_EFFECT_ZOOM,
    DISK_EFFECT_MAP, DISK_EFFECT_DEPTH
  };
  static const guint map_sizes[][2] = { {7, 5}, {45, 31}, {90, 40} };
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  const guint w = 45, h = 31;
  guint m, k, sub;

  for (m = 0; m < G_N_ELEMENTS (modes); m++)
    for (k = 0; k < G_N_ELEMENTS (map_sizes); k++)
      for (sub = 1; sub <= 2; sub++) {
        const guint pw = (w + sub - 1) / sub, ph = (h + sub - 1) / sub;
        g_autoptr (DiskImage) strength = random_image (rand, map_sizes[k][0],
            map_sizes[k][1], 1);
        g_autoptr (DiskImage) angles = random_image (rand, map_sizes[k][0],
            map_sizes[k][1], 1);
        g_autofree gfloat *r0 = g_new (gfloat, pw * ph);
        g_autofree gfloat *a0 = g_new (gfloat, pw * ph);
        g_autofree gfloat *r1 = g_new (gfloat, pw * ph);
        g_autofree gfloat *a1 = g_new (gfloat, pw * ph);
        DiskEffectParams params;

        /* out of [0, 1] and not a number: clamped, NaN read as 0 */
        disk_image_pixel (strength, 0, 0)[0] = NAN;
        disk_image_pixel (strength, 1, 0)[0] = 1.7f;
        disk_image_pixel (strength, 2, 0)[0] = -0.4f;
        disk_effect_params_init (&params);
        params.mode = modes[m];
        params.radius = 7.5;
        params.angle = 12.0;
        params.center_x = 0.3;
        params.center_y = 0.6;
        params.focus_depth = 0.35;
        params.depth_range = 0.4;
        disk_effect_fill_rows (&params, w, h, pw, ph, sub, sub, strength,
            k == 1 ? angles : NULL, r0, a0, 0, ph);
        disk_fast_effect_fill_rows (&params, w, h, pw, ph, sub, sub, strength,
            k == 1 ? angles : NULL, r1, a1, 0, 5);
        disk_fast_effect_fill_rows (&params, w, h, pw, ph, sub, sub, strength,
            k == 1 ? angles : NULL, r1, a1, 5, ph);
        g_assert_cmpint (memcmp (r0, r1, sizeof (gfloat) * pw * ph), ==, 0);
        g_assert_cmpint (memcmp (a0, a1, sizeof (gfloat) * pw * ph), ==, 0);
      }
}

/* The box average then the cubic: a linear ramp comes back exactly away
 * from the edges (both filters reproduce linear functions), and a flat
 * image stays flat everywhere. */
static void
test_resample_linear (void)
{
  const guint w = 41, h = 23, f = 2;
  g_autoptr (DiskImage) in = disk_image_new (w, h, 2);
  g_autoptr (DiskImage) small = disk_image_new (disk_fast_reduced_size (w,
          f), disk_fast_reduced_size (h, f), 2);
  g_autoptr (DiskImage) out = disk_image_new (w, h, 2);
  guint x, y;

  g_assert_cmpuint (small->width, ==, 21);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      disk_image_pixel (in, x, y)[0] = 0.01f * x - 0.02f * y;
      disk_image_pixel (in, x, y)[1] = 0.25f;
    }
  disk_fast_downsample_rows (in, small, f, 0, small->height);
  disk_fast_upsample_rows (small, out, f, 0, h);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      if (x >= 4 && x + 5 < w && y >= 4 && y + 5 < h)
        g_assert_cmpfloat (fabs (disk_image_pixel (out, x, y)[0]
                - disk_image_pixel (in, x, y)[0]), <, 1e-5);
      g_assert_cmpfloat (fabs (disk_image_pixel (out, x, y)[1] - 0.25f), <,
          1e-6);
    }
}

static DiskPreset *
load_bokeh (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = g_build_filename (g_getenv ("DISK_TEST_DATA"),
      "..", "..", "presets", "bokeh.preset", NULL);
  DiskPreset *preset = disk_preset_load_file (path, &error);

  g_assert_no_error (error);
  return preset;
}

static DiskImage *
load_photo (const gchar * name)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = g_build_filename (g_getenv ("DISK_TEST_DATA"),
      name, NULL);
  g_autoptr (DiskImage) image = disk_image_load (path, &error);

  g_assert_no_error (error);
  return disk_image_to_rgb (image);
}

/* The reduced path as the element runs it: box down, the complex scaled to
 * the reduced grid, cubic up. */
static DiskImage *
filter_reduced (const DiskComplex * complex, const DiskImage * in, guint f)
{
  g_autoptr (DiskComplex) k = disk_complex_copy (complex);
  g_autoptr (DiskImage) small = disk_image_new (disk_fast_reduced_size
      (in->width, f), disk_fast_reduced_size (in->height, f), in->channels);
  g_autoptr (DiskImage) blurred = disk_image_new (small->width,
      small->height, small->channels);
  DiskImage *out = disk_image_new (in->width, in->height, in->channels);

  disk_complex_scale (k, 1.0f / f);
  disk_fast_downsample_rows (in, small, f, 0, small->height);
  disk_fast_filter_uniform (k, small, blurred);
  disk_fast_upsample_rows (blurred, out, f, 0, out->height);
  return out;
}

/* A fast path's output for the edge-extended photo `grown`, `c` being the
 * complex at `radius`. */
typedef DiskImage *(*GrownFilter) (const DiskComplex * c,
    const DiskImage * grown, gdouble radius);

/* The image PSNR against the dense disc of radius `radius` on photo
 * `name` (edge-extended by the kernel's reach, as disk-quality.h
 * measures) of the reference path (p_ref) and of `filter` (p_fast), and
 * of each against the other (p_between). */
static void
psnr_against_dense (const DiskBasis * basis, const gchar * name,
    gdouble radius, GrownFilter filter, gdouble * p_ref, gdouble * p_fast,
    gdouble * p_between)
{
  g_autoptr (DiskTarget) disc = disk_target_parse ("disc", NULL);
  g_autoptr (DiskImage) photo = load_photo (name);
  g_autoptr (DiskComplex) c = disk_basis_new_complex (basis);
  g_autoptr (DiskImage) kernel = disk_target_render (disc, radius,
      disk_target_half_size (radius));
  g_autoptr (DiskImage) dense = disk_image_new (photo->width, photo->height,
      3);
  g_autoptr (DiskImage) grown = NULL, ref = NULL, fast = NULL;
  g_autoptr (DiskImage) ref_c = NULL, fast_c = NULL;
  guint border;

  disk_basis_interpolate (basis, radius, 0.0, c);
  border = (guint) ceil (disk_complex_reach (c)) + 2;
  disk_convolve_dense (kernel, photo, dense);
  grown = disk_image_extend (photo, border);
  ref = disk_image_new (grown->width, grown->height, 3);
  disk_filter_uniform (c, grown, ref);
  fast = filter (c, grown, radius);
  ref_c = disk_image_crop (ref, border);
  fast_c = disk_image_crop (fast, border);
  *p_ref = disk_image_psnr (dense, ref_c, 1.0);
  *p_fast = disk_image_psnr (dense, fast_c, 1.0);
  *p_between = disk_image_psnr (ref_c, fast_c, 1.0);
}

/* As the element chooses the factor: by the radius. */
static DiskImage *
filter_reduced_by_radius (const DiskComplex * c, const DiskImage * grown,
    gdouble radius)
{
  return filter_reduced (c, grown, disk_fast_reduction (radius));
}

/* Reduced resolution where the element engages it: within 0.3 dB of the
 * full-resolution reference, both against the dense disc. */
static void
test_reduced_psnr (void)
{
  g_autoptr (DiskPreset) preset = load_bokeh ();
  static const gchar *photos[] = { "coffee.png", "astronaut.png" };
  static const gdouble radii[] = { DISK_FAST_REDUCE_RADIUS, 80.0 };
  guint i, k;

  g_assert_cmpuint (disk_fast_reduction (DISK_FAST_REDUCE_RADIUS - 1), ==, 1);
  for (i = 0; i < G_N_ELEMENTS (photos); i++)
    for (k = 0; k < G_N_ELEMENTS (radii); k++) {
      gdouble p_ref, p_fast, p_between;

      g_assert_cmpuint (disk_fast_reduction (radii[k]), >, 1);
      psnr_against_dense (preset->basis, photos[i], radii[k],
          filter_reduced_by_radius, &p_ref, &p_fast, &p_between);
      g_test_message ("%s r=%g: reference %.2f dB, reduced x%u %.2f dB",
          photos[i], radii[k], p_ref, disk_fast_reduction (radii[k]),
          p_fast);
      g_assert_cmpfloat (p_fast, >=, p_ref - 0.3);
    }
}

/* The stream pass with binary16 rows, as the element runs it for 8-bit
 * video. */
static DiskImage *
filter_half_rows (const DiskComplex * c, const DiskImage * grown,
    gdouble radius)
{
  g_autoptr (DiskFastPlan) plan = disk_fast_plan_new (c, grown->width,
      grown->height);
  DiskImage *out = disk_image_new (grown->width, grown->height, 3);
  StreamCheck check = { grown, out, -1, 0, TRUE,
    grown->width * grown->channels
  };
  DiskFastStream stream = { check_read, check_write, &check,
    DISK_FAST_ROWS_HALF
  };

  (void) radius;
  disk_fast_plan_stream (plan, &stream, 3, 0, grown->height, NULL);
  return out;
}

/* Binary16 rows on photos at radius 8 and 32: image PSNR against the dense
 * disc within 0.3 dB of the reference path's. */
static void
test_stream_half_psnr (void)
{
  g_autoptr (DiskPreset) preset = load_bokeh ();
  static const gchar *photos[] = { "coffee.png", "astronaut.png" };
  static const gdouble radii[] = { 8.0, 32.0 };
  guint i, k;

  for (i = 0; i < G_N_ELEMENTS (photos); i++)
    for (k = 0; k < G_N_ELEMENTS (radii); k++) {
      gdouble p_ref, p_half, p_between;

      psnr_against_dense (preset->basis, photos[i], radii[k],
          filter_half_rows, &p_ref, &p_half, &p_between);
      g_test_message ("%s r=%g: reference %.3f dB, binary16 rows %.3f dB, "
          "%.1f dB from each other", photos[i], radii[k], p_ref, p_half,
          p_between);
      g_assert_cmpfloat (p_half, >=, p_ref - 0.3);
    }
}

/* Disc coverage of pixel (dx, dy) for radius r, 4 x 4 supersampled. */
static gdouble
disc_coverage (gint dx, gint dy, gdouble r)
{
  guint i, j, n = 0;

  for (j = 0; j < 4; j++)
    for (i = 0; i < 4; i++) {
      gdouble x = dx - 0.375 + 0.25 * i, y = dy - 0.375 + 0.25 * j;

      n += x * x + y * y <= r * r;
    }
  return n / 16.0;
}

/* The dense per-pixel reference of a varying disc blur: every pixel the
 * normalised disc of its own radius. */
static DiskImage *
dense_varying (const DiskImage * in, const gfloat * radius)
{
  DiskImage *out = disk_image_new (in->width, in->height, in->channels);
  guint x, y, c;

  for (y = 0; y < in->height; y++)
    for (x = 0; x < in->width; x++) {
      const gdouble r = radius[y * in->width + x];
      const gint h = (gint) ceil (r + 0.5);
      gdouble acc[4] = { 0 }, sum = 0.0;
      gint dx, dy;

      for (dy = -h; dy <= h; dy++)
        for (dx = -h; dx <= h; dx++) {
          gdouble k = r < 0.5 ? (dx == 0 && dy == 0) : disc_coverage (dx, dy,
              r);
          const gfloat *p;

          if (k == 0.0)
            continue;
          p = disk_image_pixel (in, CLAMP ((gint) x - dx, 0,
                  (gint) in->width - 1), CLAMP ((gint) y - dy, 0,
                  (gint) in->height - 1));
          for (c = 0; c < in->channels; c++)
            acc[c] += k * p[c];
          sum += k;
        }
      for (c = 0; c < in->channels; c++)
        disk_image_pixel (out, x, y)[c] = (gfloat) (acc[c] / sum);
    }
  return out;
}

/* Every layer of the basis through the exact varying reference filter
 * (levels NULL) or through level blending, on a plane at `scale` of the
 * frame that the radii refer to. */
static DiskImage *
run_layers_scaled (const DiskBasis * basis, const gfloat * radius,
    const gfloat * angle, gdouble scale, const DiskImage * in,
    DiskFastLevels * levels)
{
  DiskImage *a = disk_image_copy (in);
  g_autoptr (DiskImage) b = disk_image_new (in->width, in->height,
      in->channels);
  g_autoptr (DiskFastWorkspace) workspace = disk_fast_workspace_new ();
  guint l;

  for (l = 0; l < basis->entries[0]->n_layers; l++) {
    DiskImage *swap;

    if (levels != NULL)
      disk_fast_levels_layer_rows (levels, l, radius, angle, a, b, 0,
          in->height, workspace);
    else
      disk_filter_varying_layer_rows_scaled (basis, l, radius, angle, scale,
          scale, a, b, 0, in->height);
    swap = a;
    a = b;
    b = swap;
  }
  return a;
}

static DiskImage *
run_layers (const DiskBasis * basis, const gfloat * radius,
    const gfloat * angle, const DiskImage * in, DiskFastLevels * levels)
{
  return run_layers_scaled (basis, radius, angle, 1.0, in, levels);
}

/* Bilinear read, clamp to edge, for the dense line reference. */
static gdouble
read_bilinear (const DiskImage * in, gdouble u, gdouble v, guint c)
{
  const gint w = in->width, h = in->height;
  gdouble fu = floor (u), fv = floor (v), ax = u - fu, ay = v - fv;
  gint x0 = (gint) fu, y0 = (gint) fv;
  gint xa = CLAMP (x0, 0, w - 1), xb = CLAMP (x0 + 1, 0, w - 1);
  gint ya = CLAMP (y0, 0, h - 1), yb = CLAMP (y0 + 1, 0, h - 1);

  return (1 - ay) * ((1 - ax) * disk_image_pixel (in, xa, ya)[c]
      + ax * disk_image_pixel (in, xb, ya)[c])
      + ay * ((1 - ax) * disk_image_pixel (in, xa, yb)[c]
      + ax * disk_image_pixel (in, xb, yb)[c]);
}

/* The dense per-pixel reference of a varying motion blur: every pixel the
 * average of 512 bilinear reads along the segment of half-length r turned
 * by its angle (the antialiased line the motion preset approximates). */
static DiskImage *
dense_varying_line (const DiskImage * in, const gfloat * radius,
    const gfloat * angle)
{
  DiskImage *out = disk_image_new (in->width, in->height, in->channels);
  const guint n = 512;
  guint x, y, c, k;

  for (y = 0; y < in->height; y++)
    for (x = 0; x < in->width; x++) {
      const gsize p = (gsize) y * in->width + x;
      const gdouble r = radius[p], a = angle[p] * G_PI / 180.0;
      gdouble acc[4] = { 0 };

      for (k = 0; k < n; k++) {
        const gdouble s = -r + (k + 0.5) * 2.0 * r / n;

        for (c = 0; c < in->channels; c++)
          acc[c] += read_bilinear (in, x - s * cos (a), y - s * sin (a), c);
      }
      for (c = 0; c < in->channels; c++)
        disk_image_pixel (out, x, y)[c] = (gfloat) (acc[c] / n);
    }
  return out;
}

static DiskPreset *
load_preset (const gchar * name)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *file = g_strconcat (name, ".preset", NULL);
  g_autofree gchar *path = g_build_filename (g_getenv ("DISK_TEST_DATA"),
      "..", "..", "presets", file, NULL);
  DiskPreset *preset = disk_preset_load_file (path, &error);

  g_assert_no_error (error);
  return preset;
}

typedef struct
{
  DiskFastLevels *levels;
  const gfloat *radius, *angle;
  const DiskImage *in;
  DiskImage *out;
  guint y0, y1;
  DiskFastWorkspace *workspace;
} BandJob;

/* Rows y0 .. y1 - 1 of a level index filled in another thread. */
typedef struct
{
  DiskFastLevelIndex *index;
  const gfloat *radius, *angle;
  guint y0, y1;
} IndexJob;

static gpointer
fill_index_job (gpointer data)
{
  IndexJob *j = data;

  disk_fast_level_index_fill_rows (j->index, j->radius, j->angle, j->y0,
      j->y1);
  return NULL;
}

static gpointer
run_band_job (gpointer data)
{
  BandJob *j = data;

  disk_fast_levels_layer_rows (j->levels, 0, j->radius, j->angle, j->in,
      j->out, j->y0, j->y1, j->workspace);
  return NULL;
}

/* The test disparity map, as luminance. */
static DiskImage *
load_disparity (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *path = g_build_filename (g_getenv ("DISK_TEST_DATA"),
      "motorcycle-disparity.png", NULL);
  g_autoptr (DiskImage) rgb = disk_image_load (path, &error);

  g_assert_no_error (error);
  return disk_image_to_luminance (rgb);
}

/* The per-pixel radius and angle (frame pixels, degrees) of `mode` at
 * `radius` on a plane of w x h pixels subsampled by `sub` in both
 * directions, `map` the disparity of map and depth: the settings the level
 * tests share. */
static void
fill_varying_maps (DiskEffectMode mode, gdouble radius, const DiskImage * map,
    guint w, guint h, guint sub, gfloat * radii, gfloat * angles)
{
  DiskEffectParams params;

  disk_effect_params_init (&params);
  params.mode = mode;
  params.radius = radius;
  params.focus_depth = 0.8;
  params.center_x = 0.4;
  params.center_y = 0.55;
  disk_effect_fill_rows (&params, sub * w, sub * h, w, h, sub, sub, map, NULL,
      radii, angles, 0, h);
}

/* Level blending (the element's method for map, depth, spin and zoom) on
 * real photos against the dense per-pixel ground truth: within 0.3 dB of
 * the exact reference path, every mode. Also: two threads sharing one
 * DiskFastLevels over two bands give the bits of one call. */
static void
test_levels_psnr (void)
{
  g_autoptr (DiskImage) map = load_disparity ();
  g_autoptr (DiskImage) motorcycle = load_photo ("motorcycle.png");
  g_autoptr (DiskImage) coffee = load_photo ("demo-coffee.jpg");
  g_autoptr (DiskPreset) bokeh = load_bokeh ();
  g_autoptr (DiskPreset) motion = load_preset ("motion");
  static const struct
  {
    DiskEffectMode mode;
    gdouble radius;
  } cases[] = {
    {DISK_EFFECT_MAP, 10.0}, {DISK_EFFECT_DEPTH, 16.0},
    {DISK_EFFECT_SPIN, 24.0}, {DISK_EFFECT_ZOOM, 24.0},
    /* the largest radius the element is measured at (levels snapped) and
     * the finer levels of spin and zoom at small radii */
    {DISK_EFFECT_DEPTH, 32.0}, {DISK_EFFECT_SPIN, 4.0},
    {DISK_EFFECT_ZOOM, 4.0},
  };
  guint m;

  for (m = 0; m < G_N_ELEMENTS (cases); m++) {
    const gboolean line = cases[m].mode == DISK_EFFECT_SPIN
        || cases[m].mode == DISK_EFFECT_ZOOM;
    const DiskImage *photo = line ? coffee : motorcycle;
    const DiskBasis *basis = (line ? motion : bokeh)->basis;
    const guint w = photo->width, h = photo->height;
    g_autofree gfloat *radius = g_new (gfloat, w * h);
    g_autofree gfloat *angle = g_new (gfloat, w * h);
    gdouble rs, as, p_ref, p_fast;
    g_autoptr (DiskImage) dense = NULL, ref = NULL, fast = NULL;
    g_autoptr (DiskImage) one = disk_image_new (w, h, 3);
    g_autoptr (DiskImage) two = disk_image_new (w, h, 3);
    g_autoptr (DiskFastLevels) shared = NULL;
    g_autoptr (DiskFastLevels) levels = NULL;
    g_autoptr (DiskFastLevels) fresh = NULL;
    g_autoptr (DiskFastWorkspace) ws0 = disk_fast_workspace_new ();
    g_autoptr (DiskFastWorkspace) ws1 = disk_fast_workspace_new ();
    BandJob jobs[2];
    GThread *thread;

    fill_varying_maps (cases[m].mode, cases[m].radius, map, w, h, 1, radius,
        angle);
    g_assert_cmpint (disk_fast_varying_method (cases[m].mode, line,
            cases[m].radius, 1.0, &rs, &as), ==, DISK_FAST_VARYING_LEVELS);
    g_assert_cmpfloat (rs, >, 0.0);
    if (line)
      g_assert_cmpfloat (as, >, 0.0);
    else
      g_assert_cmpfloat (as, ==, 0.0);
    dense = line ? dense_varying_line (photo, radius, angle)
        : dense_varying (photo, radius);
    ref = run_layers (basis, radius, angle, photo, NULL);
    levels = disk_fast_levels_new (basis, 1.0, 1.0, rs, as, cases[m].radius,
        w, h, 3);
    fast = run_layers (basis, radius, angle, photo, levels);
    p_ref = disk_image_psnr (dense, ref, 1.0);
    p_fast = disk_image_psnr (dense, fast, 1.0);
    g_test_message ("mode %d r=%g steps %g px, %g px: reference %.2f dB, "
        "levels %.2f dB (%.1f dB from the reference)", cases[m].mode,
        cases[m].radius, rs, as, p_ref, p_fast, disk_image_psnr (ref, fast,
            1.0));
    g_assert_cmpfloat (p_fast, >=, p_ref - 0.3);
    /* it really is another method, or this would test nothing */
    g_assert_cmpfloat (disk_mse (ref, fast), >, 0.0);
    /* and as the element runs them for 8-bit video: rows in binary16 (and
     * the lone-pixel kernel) where this CPU has them */
    if (disk_fast_half_rows_supported ()) {
      g_autoptr (DiskFastLevels) half = disk_fast_levels_new (basis, 1.0,
          1.0, rs, as, cases[m].radius, w, h, 3);
      g_autoptr (DiskImage) fast_half = NULL;
      gdouble p_half;

      disk_fast_levels_set_rows (half, DISK_FAST_ROWS_HALF);
      fast_half = run_layers (basis, radius, angle, photo, half);
      p_half = disk_image_psnr (dense, fast_half, 1.0);
      g_test_message ("  binary16 rows: %.2f dB", p_half);
      g_assert_cmpfloat (p_half, >=, p_ref - 0.3);
    }

    /* two threads, two bands, one shared set of plans, each thread with a
     * workspace that a whole-frame call (another layer) has filled first */
    fresh = disk_fast_levels_new (basis, 1.0, 1.0, rs, as, cases[m].radius,
        w, h, 3);
    disk_fast_levels_layer_rows (fresh, 0, radius, angle, photo, one, 0, h,
        NULL);
    shared = disk_fast_levels_new (basis, 1.0, 1.0, rs, as, cases[m].radius,
        w, h, 3);
    disk_fast_levels_layer_rows (shared, 1, radius, angle, photo, two, 0, h,
        ws0);
    disk_fast_levels_layer_rows (shared, 1, radius, angle, photo, two, 0, h,
        ws1);
    jobs[0] = (BandJob) { shared, radius, angle, photo, two, 0, h / 3, ws0 };
    jobs[1] = (BandJob) { shared, radius, angle, photo, two, h / 3, h, ws1 };
    thread = g_thread_new ("band", run_band_job, &jobs[1]);
    run_band_job (&jobs[0]);
    g_thread_join (thread);
    g_assert_cmpint (memcmp (one->data, two->data,
            sizeof (gfloat) * one->stride * h), ==, 0);

    /* The maps' level index, made once for every layer: filled by two
     * threads in two bands, read in two others, layer 0 comes out as the
     * calls above made it, bit for bit; so does an index of the lower rows
     * only. */
    {
      g_autoptr (DiskFastLevelIndex) index = disk_fast_level_index_new
          (shared, 0, h);
      g_autoptr (DiskFastLevelIndex) lower = disk_fast_level_index_new
          (shared, h / 3, h);
      g_autoptr (DiskImage) three = disk_image_new (w, h, 3);
      g_autoptr (DiskImage) four = disk_image_new (w, h, 3);
      IndexJob ij = { index, radius, angle, h / 2, h };
      const gsize row = sizeof (gfloat) * one->stride;

      thread = g_thread_new ("index", fill_index_job, &ij);
      disk_fast_level_index_fill_rows (index, radius, angle, 0, h / 2);
      g_thread_join (thread);
      g_assert_true (disk_fast_level_index_serves (index, shared, 0, h));
      g_assert_false (disk_fast_level_index_serves (index, fresh, 0, h));
      g_assert_false (disk_fast_level_index_serves (lower, shared, 0, h));
      disk_fast_levels_layer_rows_indexed (shared, 0, index, photo, three, 0,
          h / 4, ws0);
      disk_fast_levels_layer_rows_indexed (shared, 0, index, photo, three,
          h / 4, h, ws1);
      g_assert_cmpint (memcmp (two->data, three->data, row * h), ==, 0);
      disk_fast_level_index_fill_rows (lower, radius, angle, h / 3, h);
      disk_fast_levels_layer_rows_indexed (shared, 0, lower, photo, four,
          h / 3, h, ws0);
      g_assert_cmpint (memcmp (disk_image_pixel (two, 0, h / 3),
              disk_image_pixel (four, 0, h / 3), row * (h - h / 3)), ==, 0);
    }
  }
}

/* `in` at half its size, each pixel the mean of a 2 x 2 block: 4:2:0
 * chroma. */
static DiskImage *
half_size (const DiskImage * in)
{
  DiskImage *out = disk_image_new (in->width / 2, in->height / 2,
      in->channels);
  guint x, y, c;

  for (y = 0; y < out->height; y++)
    for (x = 0; x < out->width; x++)
      for (c = 0; c < in->channels; c++)
        disk_image_pixel (out, x, y)[c] = 0.25f
            * (disk_image_pixel (in, 2 * x, 2 * y)[c]
            + disk_image_pixel (in, 2 * x + 1, 2 * y)[c]
            + disk_image_pixel (in, 2 * x, 2 * y + 1)[c]
            + disk_image_pixel (in, 2 * x + 1, 2 * y + 1)[c]);
  return out;
}

/* Level blending on a 4:2:0 chroma plane, with the steps the element gives
 * it (twice the luma's in the frame, the same in the plane's pixels):
 * within 0.3 dB of the exact scaled reference against the dense ground
 * truth at the plane's resolution (radii and line lengths halved), as the
 * full-resolution planes are (/fast/levels-psnr). */
static void
test_levels_chroma_psnr (void)
{
  g_autoptr (DiskImage) map = load_disparity ();
  g_autoptr (DiskImage) motorcycle_full = load_photo ("motorcycle.png");
  g_autoptr (DiskImage) coffee_full = load_photo ("demo-coffee.jpg");
  g_autoptr (DiskImage) motorcycle = half_size (motorcycle_full);
  g_autoptr (DiskImage) coffee = half_size (coffee_full);
  g_autoptr (DiskPreset) bokeh = load_bokeh ();
  g_autoptr (DiskPreset) motion = load_preset ("motion");
  static const struct
  {
    DiskEffectMode mode;
    gdouble radius;             /* frame pixels */
  } cases[] = {
    {DISK_EFFECT_MAP, 10.0}, {DISK_EFFECT_DEPTH, 32.0},
    {DISK_EFFECT_SPIN, 32.0}, {DISK_EFFECT_ZOOM, 32.0},
    /* chroma radius below SMALL_ANGLE_RADIUS: the finer angle levels */
    {DISK_EFFECT_SPIN, 16.0},
  };
  guint m, i;

  for (m = 0; m < G_N_ELEMENTS (cases); m++) {
    const gboolean line = cases[m].mode == DISK_EFFECT_SPIN
        || cases[m].mode == DISK_EFFECT_ZOOM;
    const DiskImage *plane = line ? coffee : motorcycle;
    const DiskBasis *basis = (line ? motion : bokeh)->basis;
    const guint w = plane->width, h = plane->height;
    g_autofree gfloat *radius = g_new (gfloat, w * h);
    g_autofree gfloat *angle = g_new (gfloat, w * h);
    g_autofree gfloat *plane_radius = g_new (gfloat, w * h);
    gdouble rs, as, luma_rs, luma_as, p_ref, p_fast;
    g_autoptr (DiskImage) dense = NULL, ref = NULL, fast = NULL;
    g_autoptr (DiskFastLevels) levels = NULL;

    /* radii in frame pixels at the chroma pixels' centres */
    fill_varying_maps (cases[m].mode, cases[m].radius, map, w, h, 2, radius,
        angle);
    for (i = 0; i < w * h; i++)
      plane_radius[i] = 0.5f * radius[i];
    g_assert_cmpint (disk_fast_varying_method (cases[m].mode, line,
            cases[m].radius, 0.5, &rs, &as), ==, DISK_FAST_VARYING_LEVELS);
    g_assert_cmpint (disk_fast_varying_method (cases[m].mode, line,
            cases[m].radius, 1.0, &luma_rs, &luma_as), ==,
        DISK_FAST_VARYING_LEVELS);
    /* the plane's steps: twice the luma's in the frame, or the finer
     * small-radius steps (then the luma's) */
    g_assert_true (rs == 2.0 * luma_rs || (line && cases[m].radius < 24.0
            && rs == luma_rs));
    g_assert_cmpfloat (as, ==, line ? rs : 0.0);
    dense = line ? dense_varying_line (plane, plane_radius, angle)
        : dense_varying (plane, plane_radius);
    ref = run_layers_scaled (basis, radius, angle, 0.5, plane, NULL);
    levels = disk_fast_levels_new (basis, 0.5, 0.5, rs, as, cases[m].radius,
        w, h, 3);
    disk_fast_levels_set_rows (levels, DISK_FAST_ROWS_HALF);
    fast = run_layers_scaled (basis, radius, angle, 0.5, plane, levels);
    p_ref = disk_image_psnr (dense, ref, 1.0);
    p_fast = disk_image_psnr (dense, fast, 1.0);
    g_test_message ("chroma: mode %d r=%g steps %g px, %g px (frame): "
        "reference %.2f dB, levels %.2f dB (%.1f dB from the reference)",
        cases[m].mode, cases[m].radius, rs, as, p_ref, p_fast,
        disk_image_psnr (ref, fast, 1.0));
    g_assert_cmpfloat (p_fast, >=, p_ref - 0.3);
    g_assert_cmpfloat (disk_mse (ref, fast), >, 0.0);
  }
}

/* The method: exact for tilt-shift; level blending for map and depth at
 * any radius (plans grow with the radius alone) and for spin and zoom while
 * the angle levels' plans stay within DISK_FAST_MAX_LEVEL_PLANS per layer
 * (counted here independently: sum over radius levels k = 1, 2, ... up to
 * the level above the largest radius of ceil (2 pi k), at 0.5 px steps). */
static void
test_levels_method (void)
{
  gdouble rs, as, r, plans;
  guint k;

  g_assert_cmpint (disk_fast_varying_method (DISK_EFFECT_TILT_SHIFT, FALSE,
          32, 1.0, &rs, &as), ==, DISK_FAST_VARYING_EXACT);
  g_assert_cmpint (disk_fast_varying_method (DISK_EFFECT_MAP, FALSE, 256, 1.0,
          &rs, &as), ==, DISK_FAST_VARYING_LEVELS);
  g_assert_cmpfloat (as, ==, 0.0);
  for (r = 4; r <= 64; r += 4) {
    gboolean levels;

    for (plans = 1, k = 1; k <= (guint) floor (r / 0.5) + 1; k++)
      plans += ceil (2 * G_PI * k);
    levels = disk_fast_varying_method (DISK_EFFECT_SPIN, TRUE, r, 1.0, &rs,
        &as)
        == DISK_FAST_VARYING_LEVELS;
    g_assert_cmpint (levels, ==, plans <= DISK_FAST_MAX_LEVEL_PLANS);
    g_assert_cmpint (levels, ==, disk_fast_varying_method (DISK_EFFECT_ZOOM,
            TRUE, r, 1.0, &rs, &as) == DISK_FAST_VARYING_LEVELS);
    /* the benchmark's and issue's radius 32 runs on levels */
    if (r <= 32)
      g_assert_true (levels);
    if (r >= 40)
      g_assert_false (levels);
  }
}

/* Level blending takes any radius and angle: NaN radii as 0, negative as 0,
 * above the largest radius (infinite too) as the largest; non-finite angles
 * as 0. The output stays finite and equals that of the cleaned inputs. */
static void
test_levels_bad_parameters (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  g_autoptr (DiskBasis) basis = random_basis (rand, 6.0);
  g_autoptr (DiskImage) in = random_image (rand, 30, 20, 3);
  const guint n = 30 * 20;
  g_autofree gfloat *radius = g_new (gfloat, n);
  g_autofree gfloat *angle = g_new (gfloat, n);
  g_autofree gfloat *clean_r = g_new (gfloat, n);
  g_autofree gfloat *clean_a = g_new (gfloat, n);
  static const gfloat bad_r[] = { NAN, INFINITY, -INFINITY, -5.0f, 1e30f };
  static const gfloat bad_a[] = { NAN, INFINITY, -INFINITY };
  const gdouble max_radius = 7.0;
  guint i, k, m;

  for (i = 0; i < n; i++) {
    radius[i] = clean_r[i] = (gfloat) g_rand_double_range (rand, 0.0, 7.0);
    angle[i] = clean_a[i] = (gfloat) g_rand_double_range (rand, -400, 400);
  }
  for (k = 0; k < G_N_ELEMENTS (bad_r); k++) {
    i = g_rand_int_range (rand, 0, n);
    radius[i] = bad_r[k];
    clean_r[i] = isnan (bad_r[k]) || bad_r[k] < 0 ? 0.0f : max_radius;
  }
  for (k = 0; k < G_N_ELEMENTS (bad_a); k++) {
    i = g_rand_int_range (rand, 0, n);
    angle[i] = bad_a[k];
    clean_a[i] = 0.0f;
  }
  for (m = 0; m < 2; m++) {     /* exact angles, then angle levels */
    g_autoptr (DiskFastLevels) levels = disk_fast_levels_new (basis, 1.0,
        1.0, 0.5, m ? 0.5 : 0.0, max_radius, 30, 20, 3);
    g_autoptr (DiskFastLevels) clean = disk_fast_levels_new (basis, 1.0,
        1.0, 0.5, m ? 0.5 : 0.0, max_radius, 30, 20, 3);
    g_autoptr (DiskImage) out = disk_image_new (30, 20, 3);
    g_autoptr (DiskImage) expect = disk_image_new (30, 20, 3);

    for (k = 0; k < basis->entries[0]->n_layers; k++) {
      /* in exact-angle mode a non-finite angle is its own level plan: the
       * clean run uses the same angles except those, set to 0 */
      disk_fast_levels_layer_rows (levels, k, radius, m ? angle : clean_a,
          in, out, 0, 20, NULL);
      disk_fast_levels_layer_rows (clean, k, clean_r, clean_a, in, expect, 0,
          20, NULL);
      for (i = 0; i < n * 3; i++)
        g_assert_true (isfinite (out->data[(i / 90) * out->stride + i % 90]));
      g_assert_cmpfloat (disk_image_psnr (expect, out, 1.0), >, 100.0);
    }
  }
}

/* The uniform layer `layer` at radius level k and angle `degrees`, from
 * DISK_FAST_SNAP_FROM px its samples' coordinates within DISK_FAST_SNAP of
 * an integer moved onto it (disk-fast.h), run over the whole of `in`: made
 * once per test case (`cache`, keyed by k and the angle level j). */
static const DiskImage *
level_layer (GHashTable * cache, const DiskBasis * basis, guint layer,
    const DiskImage * in, gdouble step, guint k, guint j, gdouble degrees)
{
  const guint64 key = ((guint64) k << 32) | j;
  DiskImage *u = g_hash_table_lookup (cache, &key);

  if (u == NULL) {
    const guint n = basis->entries[0]->n_samples[layer];
    g_autofree DiskSample *samples = g_new (DiskSample, n);
    DiskFastLayer *plan;
    guint i;

    disk_basis_interpolate_layer (basis, k * step, degrees, layer, samples);
    for (i = 0; i < n && k * step >= DISK_FAST_SNAP_FROM; i++) {
      if (fabs (samples[i].x - round (samples[i].x)) < DISK_FAST_SNAP)
        samples[i].x = (gfloat) round (samples[i].x);
      if (fabs (samples[i].y - round (samples[i].y)) < DISK_FAST_SNAP)
        samples[i].y = (gfloat) round (samples[i].y);
    }
    plan = disk_fast_layer_new (samples, n, in->width, in->height);
    u = disk_image_new (in->width, in->height, in->channels);
    disk_fast_layer_rows (plan, in, u, 0, in->height);
    disk_fast_layer_free (plan);
    g_hash_table_insert (cache, g_memdup2 (&key, sizeof key), u);
  }
  return u;
}

/* The angle level below `degrees` among n (level j at 360 j / n), and the
 * weight of the one above, in double. */
static guint
angle_level (guint n, gdouble degrees, gdouble * s)
{
  gdouble a = fmod (degrees, 360.0), v;
  guint j;

  if (a < 0.0)
    a += 360.0;
  v = a * n / 360.0;
  j = (guint) floor (v);
  *s = v - j;
  if (j >= n) {
    j = 0;
    *s = 0.0;
  }
  return j;
}

/* Row pairs (disk-fast-levels.c): with angle levels, rows 2 i and 2 i + 1
 * share a run where their pixels share its levels, and where a plane has
 * 1 channel and binary16 rows the pair kernel runs such a run for both
 * rows at once. Each row must come out bit for bit as the one-row kernel
 * makes it over the same runs (DISK_FAST_PAIR_KERNEL=0), whichever rows a
 * call holds (bands that split pairs, a band of one row) and however the
 * index was filled (in one call, or in bands that split pairs). */
static void
test_levels_row_pairs (void)
{
  g_autoptr (DiskPreset) bokeh = load_bokeh ();
  const DiskBasis *basis = bokeh->basis;
  const guint w = 203, h = 31, n_layers = basis->entries[0]->n_layers;
  static const guint bands[] = { 0, 5, 6, 18, 31 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (43);
  g_autofree gfloat *radius = g_new (gfloat, w * h);
  g_autofree gfloat *angle = g_new (gfloat, w * h);
  g_autoptr (DiskImage) in = random_image (rand, w, h, 1);
  g_autoptr (DiskImage) want = disk_image_new (w, h, 1);
  g_autoptr (DiskImage) whole = disk_image_new (w, h, 1);
  g_autoptr (DiskImage) banded = disk_image_new (w, h, 1);
  g_autoptr (DiskFastLevels) levels = disk_fast_levels_new (basis, 1.0, 1.0,
      0.5, 0.5, 12.0, w, h, 1);
  g_autoptr (DiskFastLevelIndex) index = NULL;
  g_autoptr (DiskFastLevelIndex) split = NULL;
  const gsize bytes = sizeof (gfloat) * in->stride * h;
  guint x, y, l, b;

  /* spin about a point off the frame's centre: radius grows with the
   * distance, the angle turns round it (rows part where they cross) */
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      const gdouble dx = x - 71.5, dy = y - 12.25;

      radius[y * w + x] = (gfloat) MIN (12.0, 0.1 * hypot (dx, dy));
      angle[y * w + x] = (gfloat) (atan2 (dy, dx) * 180.0 / G_PI + 90.0);
    }
  disk_fast_levels_set_rows (levels, DISK_FAST_ROWS_HALF);
  index = disk_fast_level_index_new (levels, 0, h);
  disk_fast_level_index_fill_rows (index, radius, angle, 0, h);
  split = disk_fast_level_index_new (levels, 0, h);
  disk_fast_level_index_fill_rows (split, radius, angle, 0, 7);
  disk_fast_level_index_fill_rows (split, radius, angle, 7, 20);
  disk_fast_level_index_fill_rows (split, radius, angle, 20, h);
  if (!disk_fast_span4_blend_pair_supported ())
    g_test_message ("no pair kernel on this CPU: the one-row kernel both "
        "times");
  for (l = 0; l < n_layers; l++) {
    g_setenv ("DISK_FAST_PAIR_KERNEL", "0", TRUE);
    disk_fast_levels_layer_rows_indexed (levels, l, index, in, want, 0, h,
        NULL);
    g_unsetenv ("DISK_FAST_PAIR_KERNEL");
    disk_fast_levels_layer_rows_indexed (levels, l, index, in, whole, 0, h,
        NULL);
    g_assert_cmpint (memcmp (want->data, whole->data, bytes), ==, 0);
    for (b = 0; b + 1 < G_N_ELEMENTS (bands); b++)
      disk_fast_levels_layer_rows_indexed (levels, l, split, in, banded,
          bands[b], bands[b + 1], NULL);
    g_assert_cmpint (memcmp (want->data, banded->data, bytes), ==, 0);
  }
}

/* Level-blended layers reading their input rows in binary16
 * (disk_fast_levels_set_rows): every input value is rounded with a
 * relative error of at most 2^-11, and an output pixel blends levels
 * (weights summing to 1, their magnitudes to at most 1 + 2 slack per
 * blended dimension) whose taps' |weights| sum to at most A, the largest
 * sum of |w| over the layer's basis entries (interpolation between entries
 * does not exceed it); so the output moves by at most 2^-11 * max |in| * A
 * times the level weights' magnitudes from the float path's, plus the
 * float sums' rounding on slightly different values. Radius levels alone and with
 * angle levels, 1 to 4 channels; where the CPU has no binary16 kernels the
 * bits must be the float path's. */
static void
test_levels_half (void)
{
  g_autoptr (DiskPreset) bokeh = load_bokeh ();
  const DiskBasis *basis = bokeh->basis;
  const guint w = 173, h = 29, n_layers = basis->entries[0]->n_layers;
  const gdouble step = 0.5, max_radius = 12.0;
  g_autoptr (GRand) rand = g_rand_new_with_seed (41);
  g_autofree gfloat *radius = g_new (gfloat, w * h);
  g_autofree gfloat *angle = g_new (gfloat, w * h);
  guint with_angle_levels, ch, l, i, e, differing = 0;

  for (with_angle_levels = 0; with_angle_levels < 2; with_angle_levels++) {
    const gdouble angle_step = with_angle_levels ? 0.5 : 0.0;

    for (i = 0; i < w * h; i++) {
      /* runs of a few dozen pixels with a radius each, and lone pixels
       * (disk_fast_pixel_blend_half) */
      if (i % 37 == 0 || i % 37 >= 34)
        radius[i] = (gfloat) g_rand_double_range (rand, 0.0, max_radius);
      else
        radius[i] = radius[i - 1];
      angle[i] = with_angle_levels ? (gfloat) (i % w) * 2.0f : 20.0f;
    }
    for (ch = 1; ch <= 4; ch++) {
      g_autoptr (DiskImage) in = random_image (rand, w, h, ch);
      g_autoptr (DiskImage) want = disk_image_new (w, h, ch);
      g_autoptr (DiskImage) got = disk_image_new (w, h, ch);
      g_autoptr (DiskFastLevels) levels = disk_fast_levels_new (basis, 1.0,
          1.0, step, angle_step, max_radius, w, h, ch);
      g_autoptr (DiskFastLevels) half = disk_fast_levels_new (basis, 1.0,
          1.0, step, angle_step, max_radius, w, h, ch);

      disk_fast_levels_set_rows (half, DISK_FAST_ROWS_HALF);
      for (l = 0; l < n_layers; l++) {
        gdouble a = 0.0, in_max = 0.0, bound, diff;

        for (e = 0; e < basis->n_entries; e++) {
          const DiskComplex *c = basis->entries[e];
          const DiskSample *sm = disk_complex_layer (c, l);
          gdouble sum = 0.0;

          for (i = 0; i < c->n_samples[l]; i++)
            sum += fabs (sm[i].w);
          a = MAX (a, sum);
        }
        for (i = 0; i < in->stride * h; i++)
          in_max = MAX (in_max, fabs (in->data[i]));
        disk_fast_levels_layer_rows (levels, l, radius, angle, in, want, 0,
            h, NULL);
        disk_fast_levels_layer_rows (half, l, radius, angle, in, got, 0, h,
            NULL);
        if (!disk_fast_half_rows_supported ()) {
          g_assert_cmpint (memcmp (want->data, got->data,
                  sizeof (gfloat) * want->stride * h), ==, 0);
          continue;
        }
        /* the levels' weights sum to 1, their magnitudes to at most
         * (1 + 2 slack) per blended dimension (extrapolating runs) */
        a *= 1.0 + 2.0 * DISK_FAST_RADIUS_SLACK;
        if (with_angle_levels)
          a *= 1.0 + 2.0 * DISK_FAST_ANGLE_SLACK;
        bound = (ldexp (in_max, -11) + ldexp (1.0, -25)) * a * 1.001
            + 64 * ldexp (in_max * a, -24);
        diff = max_abs_diff (want, got);
        g_test_message ("angle levels %u, %u channels, layer %u: %.3g from "
            "float, bound %.3g", with_angle_levels, ch, l, diff, bound);
        g_assert_cmpfloat (diff, <=, bound);
        differing += diff > 0.0;
      }
    }
  }
  if (disk_fast_half_rows_supported ())
    g_assert_cmpuint (differing, >, 0);
}

/* Level blending against its definition (disk-fast.h): each pixel the
 * bilinear blend of the uniform layers U at two neighbouring radius levels
 * k, k + 1 (k + t = radius / step) and, with angle levels, at each of them
 * two neighbouring angle levels (360 j / n_k degrees), the weights placing
 * the pixel at its radius and angle: the levels of its cell or of one
 * within the slack (DISK_FAST_RADIUS_SLACK, DISK_FAST_ANGLE_SLACK), the
 * blend then extrapolating; every U run over the whole image (level_layer,
 * its samples snapped from DISK_FAST_SNAP_FROM). Exact angles (one angle)
 * and angle levels (angles of every turn, negative too); radii in runs of
 * every length, with plateaus at levels (t = 0) and single pixels; 1 to 4
 * channels (3 and 4 have vector blends of their own). */
static void
test_levels_definition (void)
{
  g_autoptr (DiskPreset) bokeh = load_bokeh ();
  const DiskBasis *basis = bokeh->basis;
  const guint w = 61, h = 19, n_layers = basis->entries[0]->n_layers;
  /* levels from 0 to 12 px: snapped from DISK_FAST_SNAP_FROM on */
  const gdouble step = 0.5, max_radius = 12.0;
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  g_autofree gfloat *radius = g_new (gfloat, w * h);
  g_autofree gfloat *angle = g_new (gfloat, w * h);
  /* the largest radius level k a pixel's blend starts from */
  const gint last = (gint) floor (max_radius / step);
  guint with_angle_levels, ch, i, l, x, y, side, c;

  for (with_angle_levels = 0; with_angle_levels < 2; with_angle_levels++) {
    const gdouble angle_step = with_angle_levels ? 0.5 : 0.0;
    guint extrapolated = 0;

    for (y = 0; y < h; y++) {
      gfloat r = 0.0f, a = 15.0f;

      for (x = 0; x < w; x++) {
        const gint32 pick = g_rand_int_range (rand, 0, 10);

        /* mostly runs: keep, a new value, a level exactly */
        if (pick >= 7) {
          r = (gfloat) g_rand_double_range (rand, 0.0, max_radius);
          if (with_angle_levels && y % 2 == 0)
            a = (gfloat) g_rand_double_range (rand, -400.0, 760.0);
        } else if (pick == 6) {
          r = (gfloat) (step * g_rand_int_range (rand, 0, 25));
        }
        /* with angle levels, odd rows turn a few degrees a pixel (about
         * half an angle level at the largest radius), through 0 up or
         * down */
        if (with_angle_levels && y % 2 == 1) {
          const gfloat turn = y % 4 == 1 ? 1.0f : -1.0f;

          a = x == 0 ? 30.0f - 60.0f * turn : a + turn *
              (gfloat) g_rand_double_range (rand, -1.0, 4.0);
        }
        radius[y * w + x] = r;
        angle[y * w + x] = a;
      }
    }
    for (ch = 1; ch <= 4; ch++) {
      g_autoptr (DiskImage) in = random_image (rand, w, h, ch);
      g_autoptr (DiskImage) out = disk_image_new (w, h, ch);
      g_autoptr (DiskFastLevels) levels = disk_fast_levels_new (basis, 1.0,
          1.0, step, angle_step, max_radius, w, h, ch);
      gdouble worst = 0.0;

      for (l = 0; l < n_layers; l++) {
        g_autoptr (GHashTable) cache = g_hash_table_new_full (g_int64_hash,
            g_int64_equal, g_free, (GDestroyNotify) disk_image_free);

        disk_fast_levels_layer_rows (levels, l, radius, angle, in, out, 0,
            h, NULL);
        for (i = 0; i < w * h; i++) {
          const gdouble v = radius[i] / step;
          const gint kf = (gint) floor (v);
          gdouble best = G_MAXDOUBLE;
          gboolean best_outside = FALSE;
          gint k;

          /* every choice of levels the slack allows: k and, at k and
           * k + 1, an angle level j, each within the slack of the cell */
          for (k = MAX (kf - 1, 0); k <= MIN (kf + 1, last); k++) {
            const gdouble t = v - k;
            guint n[2], jf[2], pick;
            gdouble sf[2] = { 0.0, 0.0 };

            if (t < -DISK_FAST_RADIUS_SLACK || t > 1.0 + DISK_FAST_RADIUS_SLACK)
              continue;
            for (side = 0; side < 2; side++) {
              n[side] = disk_fast_levels_n_angles (levels, k + side);
              jf[side] = 0;
              if (with_angle_levels)
                jf[side] = angle_level (n[side], angle[i], &sf[side]);
              else
                g_assert_cmpuint (n[side], ==, 1);
            }
            for (pick = 0; pick < 9; pick++) {
              /* angle level shifts -1, 0, +1 at k and at k + 1 */
              const gint shift[2] = { (gint) (pick % 3) - 1,
                (gint) (pick / 3) - 1
              };
              gdouble want[4] = { 0 }, diff = 0.0;
              gboolean ok = TRUE, outside = t < 0.0 || t > 1.0;

              for (side = 0; side < 2 && ok; side++) {
                const gdouble wr = side ? t : 1.0 - t;
                const gdouble s = n[side] == 1 ? 0.0 : sf[side] - shift[side];
                const guint j = (jf[side] + n[side] + shift[side]) % n[side];
                guint e;

                if ((n[side] == 1 && shift[side] != 0)
                    || s < -DISK_FAST_ANGLE_SLACK
                    || s > 1.0 + DISK_FAST_ANGLE_SLACK) {
                  ok = FALSE;
                  break;
                }
                outside |= s < 0.0 || s > 1.0;
                for (e = 0; e < 2; e++) {
                  const guint je = (j + e) % n[side];
                  const gdouble we = wr * (e ? s : 1.0 - s);
                  const DiskImage *u;

                  if (we == 0.0)
                    continue;
                  u = level_layer (cache, basis, l, in, step, k + side, je,
                      with_angle_levels ? 360.0 * je / n[side] : angle[i]);
                  for (c = 0; c < ch; c++)
                    want[c] += we * u->data[i * ch + c];
                }
              }
              if (!ok)
                continue;
              for (c = 0; c < ch; c++)
                diff = MAX (diff, fabs (out->data[i * ch + c] - want[c]));
              if (diff < best) {
                best = diff;
                best_outside = outside;
              }
            }
          }
          worst = MAX (worst, best);
          extrapolated += best_outside && best < 1e-5;
        }
      }
      g_test_message ("%s, %u channels: largest difference %.3g",
          with_angle_levels ? "angle levels" : "exact angle", ch, worst);
      g_assert_cmpfloat (worst, <, 1e-5);
    }
    /* the slack was used: some pixels match only levels outside whose
     * cell they lie */
    g_test_message ("%s: %u pixel layers extrapolated",
        with_angle_levels ? "angle levels" : "exact angle", extrapolated);
    g_assert_cmpuint (extrapolated, >, 0);
  }
}

/* A binary16 value (IEEE 754 half precision) decoded bit by bit: the
 * reference for the binary16 kernels, independent of F16C. */
static gdouble
half_to_double (guint16 h)
{
  const gint sign = h >> 15 ? -1 : 1, e = (h >> 10) & 0x1f;
  const gint m = h & 0x3ff;

  if (e == 0)
    return sign * ldexp (m, -24);
  g_assert (e != 0x1f);         /* the test makes no infinities */
  return sign * ldexp (1024 + m, e - 25);
}

/* The blending kernel (disk_fast_span2_blend(_half)) on one span, for
 * pixels of 1 to 4 channels, storing, accumulating and with pa NULL (a + pb
 * (b - a)), the reads all shared
 * or cut at random into their three segments (shared, A's alone, B's
 * alone: the other sum's weight there must not count): within float
 * rounding of the blend in double, nothing written past the span. */
static void
check_span2_blend (gboolean half, const gfloat * base, const guint16 * hbase,
    const gdouble * values, const gssize * off, const gfloat * w0,
    const gfloat * w1, guint n, gsize len, gdouble scale, GRand * rand)
{
  const gsize max_px = len + 16;        /* the kernel's room past the span */
  g_autofree gfloat *pa = g_new (gfloat, max_px);
  g_autofree gfloat *pb = g_new (gfloat, max_px);
  g_autofree gfloat *o = g_new (gfloat, len + 1);
  g_autofree gfloat *before = g_new (gfloat, len + 1);
  guint ch, acc, n_both = n, n_first = 0;
  gsize j;

  for (j = 0; j < max_px; j++) {
    pa[j] = (gfloat) g_rand_double (rand);
    pb[j] = (gfloat) g_rand_double (rand);
  }
  for (ch = 1; ch <= 4; ch++)
    for (acc = 0; acc < 3; acc++) {     /* storing, adding, pa NULL */
      if (ch > 1) {             /* the first channel count: all shared */
        n_both = g_rand_int_range (rand, 0, n + 1);
        n_first = g_rand_int_range (rand, 0, n - n_both + 1);
      }
      for (j = 0; j <= len; j++)
        before[j] = o[j] = (gfloat) g_rand_double_range (rand, -1, 1);
      if (half)
        disk_fast_span2_blend_half (o, hbase, off, w0, w1, n_both, n_first,
            n - n_both - n_first, len, acc == 2 ? NULL : pa, pb, ch,
            acc == 1);
      else
        disk_fast_span2_blend (o, base, off, w0, w1, n_both, n_first,
            n - n_both - n_first, len, acc == 2 ? NULL : pa, pb, ch,
            acc == 1);
      for (j = 0; j < len; j++) {
        gdouble a = 0.0, b = 0.0, want;
        guint t;

        for (t = 0; t < n; t++) {
          if (t < n_both + n_first)
            a += (gdouble) w0[t] * values[off[t] + (gssize) j];
          if (t < n_both || t >= n_both + n_first)
            b += (gdouble) w1[t] * values[off[t] + (gssize) j];
        }
        want = acc == 2 ? a + pb[j / ch] * (b - a)
            : (acc ? before[j] : 0.0) + pa[j / ch] * a + pb[j / ch] * b;
        if (fabs (o[j] - want) > 2e-6 * (scale + 1.0))
          g_error ("blend, %s, %u channels, %s, %u taps (%u shared, %u "
              "first), length %" G_GSIZE_FORMAT ", float %" G_GSIZE_FORMAT
              ": %.9g, in double %.9g", half ? "binary16" : "float", ch,
              acc == 2 ? "a + t (b - a)" : acc ? "adding" : "storing", n,
              n_both, n_first, len, j, o[j], want);
      }
      g_assert_cmpfloat (o[len], ==, before[len]);
    }
}

/* The four-level kernel (disk_fast_span4_blend(_half)) on one span with
 * the reads `off`, fresh weights (zeros among them: a level without a tap
 * at a union entry) and fresh per-pixel t, s0, s1 (0 and 1 among them),
 * for pixels of 1 to 4 channels: within float rounding of the blend in
 * double, nothing written past the span. */
static void
check_span4_blend (gboolean half, const gfloat * base, const guint16 * hbase,
    const gdouble * values, const gssize * off, guint n, gsize len,
    GRand * rand)
{
  const gsize max_px = len + 16;        /* the kernel's room past the span */
  g_autofree gfloat *w = g_new (gfloat, 4 * (gsize) MAX (n, 1));
  g_autofree gfloat *t = g_new (gfloat, max_px);
  g_autofree gfloat *s0 = g_new (gfloat, max_px);
  g_autofree gfloat *s1 = g_new (gfloat, max_px);
  g_autofree gfloat *o = g_new (gfloat, len + 1);
  gdouble scale = 0.0;
  guint ch, i;
  gsize j;

  for (i = 0; i < 4 * n; i++) {
    w[i] = i % 7 == 2 ? 0.0f : (gfloat) g_rand_double_range (rand, -1, 1);
    scale += fabs (w[i]);
  }
  for (j = 0; j < max_px; j++) {
    t[j] = j % 9 == 4 ? 0.0f : (gfloat) g_rand_double (rand);
    s0[j] = j % 11 == 5 ? 1.0f : (gfloat) g_rand_double (rand);
    s1[j] = (gfloat) g_rand_double (rand);
  }
  for (ch = 1; ch <= 4; ch++) {
    for (j = 0; j <= len; j++)
      o[j] = -12345.0f;
    if (half)
      disk_fast_span4_blend_half (o, hbase, off, w, n, len, t, s0, s1, ch);
    else
      disk_fast_span4_blend (o, base, off, w, n, len, t, s0, s1, ch);
    for (j = 0; j < len; j++) {
      const gsize p = j / ch;
      const gdouble weight[4] = {
        (1.0 - t[p]) * (1.0 - s0[p]), (1.0 - t[p]) * s0[p],
        t[p] * (1.0 - s1[p]), t[p] * s1[p]
      };
      gdouble want = 0.0;
      guint c;

      for (i = 0; i < n; i++)
        for (c = 0; c < 4; c++)
          want += weight[c] * w[4 * i + c] * values[off[i] + (gssize) j];
      if (fabs (o[j] - want) > 2e-6 * (scale + 1.0))
        g_error ("four levels, %s, %u channels, %u taps, length %"
            G_GSIZE_FORMAT ", float %" G_GSIZE_FORMAT ": %.9g, in double "
            "%.9g", half ? "binary16" : "float", ch, n, len, j, o[j], want);
    }
    g_assert_cmpfloat (o[len], ==, -12345.0f);
  }
}

/* The lone-pixel kernel (disk_fast_pixel_blend_half) at the reads `off`
 * padded to a multiple of DISK_FAST_PIXEL_READS (offset 0, weights 0),
 * for 3 and 4 channels and blends t from -0.25 to 1.25 (extrapolating
 * runs): within float rounding of the blend in double, nothing written
 * past the pixel's channels. */
static void
check_pixel_blend (const guint16 * hbase, const gdouble * values,
    const gssize * off, const gfloat * w0, const gfloat * w1, guint n,
    gdouble scale, GRand * rand)
{
  const guint np = (n + DISK_FAST_PIXEL_READS - 1) / DISK_FAST_PIXEL_READS
      * DISK_FAST_PIXEL_READS;
  g_autofree gssize *poff = g_new0 (gssize, MAX (np, 1));
  g_autofree gfloat *pw0 = g_new0 (gfloat, MAX (np, 1));
  g_autofree gfloat *d = g_new0 (gfloat, MAX (np, 1));
  guint ch, i, c, k;

  for (i = 0; i < n; i++) {
    poff[i] = off[i];
    pw0[i] = w0[i];
    d[i] = w1[i] - w0[i];
  }
  for (ch = 3; ch <= 4; ch++)
    for (k = 0; k < 4; k++) {
      const gfloat t = k == 0 ? 0.0f : (gfloat) g_rand_double_range (rand,
          -0.25, 1.25);
      gfloat o[5] = { -12345.0f, -12345.0f, -12345.0f, -12345.0f, -12345.0f };

      disk_fast_pixel_blend_half (o, hbase, poff, pw0, d, np, t, ch);
      for (c = 0; c < ch; c++) {
        gdouble want = 0.0;

        for (i = 0; i < n; i++)
          want += ((gdouble) w0[i] + t * ((gdouble) w1[i] - w0[i]))
              * values[off[i] + (gssize) c];
        if (fabs (o[c] - want) > 4e-6 * (scale + 1.0))
          g_error ("lone pixel, %u channels, %u taps, t %g, channel %u: "
              "%.9g, in double %.9g", ch, n, t, c, o[c], want);
      }
      for (c = ch; c < 5; c++)
        g_assert_cmpfloat (o[c], ==, -12345.0f);
    }
}

/* The two-sum kernel of level pairs (disk_fast_span2_offsets and, where
 * the CPU has binary16 kernels, disk_fast_span2_offsets_half; and their
 * blending variants, check_span2_blend, the four-level kernel,
 * check_span4_blend, and the lone-pixel kernel, check_pixel_blend, where
 * the CPU has them) against sums
 * in double, for every length from 0 to past four blocks and tap counts odd
 * and even (short spans pair the taps): each sum within float rounding of
 * its weights' magnitude, nothing written past the span. Run under each
 * SIMD kernel by meson (the DISK_FAST_SIMD variants of this test). */
static void
test_span2_offsets (void)
{
  static const guint tap_counts[] = { 1, 2, 3, 8, 51, 120 };
  g_autoptr (GRand) rand = g_rand_new_with_seed (17);
  const gsize margin = 400, max_len = 300;
  const gsize size = max_len + 2 * margin;
  g_autofree gfloat *buf = g_new (gfloat, size);
  g_autofree guint16 *hbuf = g_new (guint16, size);
  g_autofree gdouble *values = g_new (gdouble, size);
  g_autofree gfloat *o0 = g_new (gfloat, max_len + 1);
  g_autofree gfloat *o1 = g_new (gfloat, max_len + 1);
  gsize i, len;
  guint c, half;

  g_test_message ("SIMD kernel: %s", disk_fast_simd_name ());
  for (i = 0; i < size; i++)
    buf[i] = (gfloat) g_rand_double (rand);
  if (disk_fast_half_rows_supported ())
    disk_fast_to_half (hbuf, buf, size);
  else
    g_test_message ("no binary16 kernels on this CPU: float only");
  for (half = 0; half < (disk_fast_half_rows_supported ()? 2u : 1u); half++) {
    for (i = 0; i < size; i++)
      values[i] = half ? half_to_double (hbuf[i]) : buf[i];
    for (c = 0; c < G_N_ELEMENTS (tap_counts); c++) {
      const guint n = tap_counts[c];
      g_autofree gssize *off = g_new (gssize, n);
      g_autofree gfloat *w0 = g_new (gfloat, n);
      g_autofree gfloat *w1 = g_new (gfloat, n);
      gdouble scale0 = 0.0, scale1 = 0.0;
      guint t;

      for (t = 0; t < n; t++) {
        off[t] = g_rand_int_range (rand, -(gint) margin, (gint) margin);
        /* zeros too: a level without a tap at a union entry */
        w0[t] = t % 5 == 1 ? 0.0f : (gfloat) g_rand_double_range (rand, -1,
            1);
        w1[t] = t % 7 == 3 ? 0.0f : (gfloat) g_rand_double_range (rand, -1,
            1);
        scale0 += fabs (w0[t]);
        scale1 += fabs (w1[t]);
      }
      for (len = 0; len <= max_len; len++) {
        gsize j;

        o0[len] = o1[len] = -12345.0f;  /* must stay */
        if (half)
          disk_fast_span2_offsets_half (o0, o1, hbuf + margin, off, w0, w1,
              n, len);
        else
          disk_fast_span2_offsets (o0, o1, buf + margin, off, w0, w1, n,
              len);
        for (j = 0; j < len; j++) {
          gdouble s0 = 0.0, s1 = 0.0;

          for (t = 0; t < n; t++) {
            const gdouble x = values[margin + off[t] + (gssize) j];

            s0 += (gdouble) w0[t] * x;
            s1 += (gdouble) w1[t] * x;
          }
          if (fabs (o0[j] - s0) > 1e-6 * scale0
              || fabs (o1[j] - s1) > 1e-6 * scale1)
            g_error ("%s, %u taps, length %" G_GSIZE_FORMAT ", float %"
                G_GSIZE_FORMAT ": %.9g %.9g, in double %.9g %.9g",
                half ? "binary16" : "float", n, len, j, o0[j], o1[j], s0,
                s1);
        }
        g_assert_cmpfloat (o0[len], ==, -12345.0f);
        g_assert_cmpfloat (o1[len], ==, -12345.0f);
        if (disk_fast_span2_blend_supported (half))
          check_span2_blend (half, buf + margin, hbuf + margin,
              values + margin, off, w0, w1, n, len, scale0 + scale1, rand);
        if (disk_fast_span4_blend_supported (half))
          check_span4_blend (half, buf + margin, hbuf + margin,
              values + margin, off, n, len, rand);
      }
      if (half && disk_fast_pixel_blend_supported ())
        check_pixel_blend (hbuf + margin, values + margin, off, w0, w1, n,
            scale0 + scale1, rand);
    }
  }
  if (!disk_fast_span2_blend_supported (FALSE))
    g_test_message ("no blending kernel on this CPU (%s)",
        disk_fast_simd_name ());
  if (!disk_fast_pixel_blend_supported ())
    g_test_message ("no lone-pixel kernel on this CPU (%s)",
        disk_fast_simd_name ());
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_message ("SIMD kernel: %s", disk_fast_simd_name ());
  g_test_add_func ("/fast/uniform-matches-reference",
      test_uniform_matches_reference);
  g_test_add_func ("/fast/integer-shift-exact", test_integer_shift_exact);
  g_test_add_func ("/fast/taps-merge", test_taps_merge);
  g_test_add_func ("/fast/bands-bit-identical", test_bands_bit_identical);
  g_test_add_func ("/fast/plan-rows-identical", test_plan_rows_identical);
  g_test_add_func ("/fast/plan-stream-half", test_plan_stream_half);
  g_test_add_func ("/fast/plan-stream-identical",
      test_plan_stream_identical);
  g_test_add_func ("/fast/varying-matches-reference",
      test_varying_matches_reference);
  g_test_add_func ("/fast/fill-identical", test_fill_identical);
  g_test_add_func ("/fast/fill-identical-modes", test_fill_identical_modes);
  g_test_add_func ("/fast/resample-linear", test_resample_linear);
  g_test_add_func ("/fast/reduced-psnr", test_reduced_psnr);
  g_test_add_func ("/fast/stream-half-psnr", test_stream_half_psnr);
  g_test_add_func ("/fast/span2-offsets", test_span2_offsets);
  g_test_add_func ("/fast/levels-definition", test_levels_definition);
  g_test_add_func ("/fast/levels-half", test_levels_half);
  g_test_add_func ("/fast/levels-row-pairs", test_levels_row_pairs);
  g_test_add_func ("/fast/levels-psnr", test_levels_psnr);
  g_test_add_func ("/fast/levels-chroma-psnr", test_levels_chroma_psnr);
  g_test_add_func ("/fast/levels-bad-parameters", test_levels_bad_parameters);
  g_test_add_func ("/fast/levels-method", test_levels_method);
  return g_test_run ();
}
