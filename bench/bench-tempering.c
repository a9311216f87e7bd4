/* Parallel tempering baseline (see bench-tempering.h). */
#include "bench-tempering.h"
#include "disk-filter.h"
#include "disk-metrics.h"

#include <math.h>
#include <string.h>

void
bench_tempering_options_init (BenchTemperingOptions * o)
{
  o->candidates = 10;
  o->iterations = 10000;
  o->block = 25;
  o->init = DISK_INIT_SPARSE;
  o->seed = 1;
  o->t_cold = 1e-7;
  o->t_hot = 1e-2;
}

/* A free-space canvas of side s = 2P + 1, centre (P, P), with the bounding
 * box of its non-zero values. */
typedef struct
{
  gint s;
  gfloat *v;
  gint x0, y0, x1, y1;          /* empty when x0 > x1 */
} Canvas;

typedef struct
{
  gint dx, dy;
  gfloat w;
} Tap;

static void
canvas_init (Canvas * c, gint s)
{
  c->s = s;
  c->v = g_new0 (gfloat, (gsize) s * s);
  c->x0 = c->y0 = s;
  c->x1 = c->y1 = -1;
}

static void
canvas_clear (Canvas * c)
{
  g_free (c->v);
}

/* The 4 bilinear taps of a sample: where a point light at the origin lands
 * (the same weights as disk-filter.c's layer). */
static inline void
sample_taps (const DiskSample * s, gfloat w, Tap * t)
{
  gdouble fx = floor (s->x), fy = floor (s->y);
  gdouble ax = s->x - fx, ay = s->y - fy;

  t[0] = (Tap) { (gint) fx, (gint) fy, (gfloat) (w * (1 - ax) * (1 - ay)) };
  t[1] = (Tap) { (gint) fx + 1, (gint) fy, (gfloat) (w * ax * (1 - ay)) };
  t[2] = (Tap) { (gint) fx, (gint) fy + 1, (gfloat) (w * (1 - ax) * ay) };
  t[3] = (Tap) { (gint) fx + 1, (gint) fy + 1, (gfloat) (w * ax * ay) };
}

/* dst = src * taps (free space, clipped to the canvas); dst is overwritten. */
static void
canvas_convolve (const Canvas * src, const Tap * taps, guint n, Canvas * dst)
{
  const gint s = src->s;
  gint y;
  guint i;

  memset (dst->v, 0, sizeof (gfloat) * s * s);
  dst->x0 = dst->y0 = s;
  dst->x1 = dst->y1 = -1;
  if (src->x0 > src->x1)
    return;
  for (i = 0; i < n; i++) {
    const Tap *t = taps + i;
    gint xa = MAX (src->x0 + t->dx, 0), xb = MIN (src->x1 + t->dx, s - 1);
    gint ya = MAX (src->y0 + t->dy, 0), yb = MIN (src->y1 + t->dy, s - 1);

    if (t->w == 0.0f || xa > xb || ya > yb)
      continue;
    for (y = ya; y <= yb; y++) {
      const gfloat *a = src->v + (gsize) (y - t->dy) * s - t->dx;
      gfloat *b = dst->v + (gsize) y * s;
      gint x;
      for (x = xa; x <= xb; x++)
        b[x] += t->w * a[x];
    }
    dst->x0 = MIN (dst->x0, xa);
    dst->x1 = MAX (dst->x1, xb);
    dst->y0 = MIN (dst->y0, ya);
    dst->y1 = MAX (dst->y1, yb);
  }
}

typedef struct
{
  DiskSample *samples;          /* all layers */
  gfloat *d;                    /* K - T on the canvas */
  gdouble energy;
} State;

typedef struct
{
  const DiskComplex *structure;
  gint p, s;                    /* canvas half size and side */
  gfloat *target;               /* T on the canvas */
  gdouble peak;
  guint n_target;               /* pixels of the target canvas */
  Canvas r, tmp, dk;
  Tap *taps;                    /* scratch, 4 per sample */
  GRand *rand;
} Model;

static void
layer_taps (const Model * m, const DiskSample * samples, guint layer,
    Tap * taps)
{
  const DiskSample *s = samples + m->structure->first[layer];
  guint i;

  for (i = 0; i < m->structure->n_samples[layer]; i++)
    sample_taps (s + i, s[i].w, taps + 4 * i);
}

/* m->r = the convolution of every layer but `skip` (free space). */
static void
build_rest (Model * m, const DiskSample * samples, guint skip)
{
  const DiskComplex *c = m->structure;
  guint l;

  memset (m->r.v, 0, sizeof (gfloat) * m->s * m->s);
  m->r.v[(gsize) m->p * m->s + m->p] = 1.0f;
  m->r.x0 = m->r.x1 = m->r.y0 = m->r.y1 = m->p;
  for (l = 0; l < c->n_layers; l++) {
    Canvas swap;

    if (l == skip)
      continue;
    layer_taps (m, samples, l, m->taps);
    canvas_convolve (&m->r, m->taps, 4 * c->n_samples[l], &m->tmp);
    swap = m->r;
    m->r = m->tmp;
    m->tmp = swap;
  }
}

/* Recomputes a state's K - T and energy exactly, with m->r the rest of
 * `layer`. */
static void
state_refresh (Model * m, State * st, guint layer)
{
  const gsize n = (gsize) m->s * m->s;
  gsize i;
  gdouble e = 0.0;

  layer_taps (m, st->samples, layer, m->taps);
  canvas_convolve (&m->r, m->taps, 4 * m->structure->n_samples[layer],
      &m->tmp);
  for (i = 0; i < n; i++) {
    st->d[i] = m->tmp.v[i] - m->target[i];
    e += (gdouble) st->d[i] * st->d[i];
  }
  st->energy = e;
}

/* Largest |x| or |y| of a layer's samples, plus the bilinear footprint. */
static gdouble
layer_reach (const DiskSample * s, guint n)
{
  gdouble r = 0.0;
  guint i;

  for (i = 0; i < n; i++)
    r = MAX (r, MAX (fabs (s[i].x), fabs (s[i].y)));
  return r + 1.0;
}

static gdouble
gaussian (GRand * rand)
{
  gdouble u = g_rand_double (rand), v = g_rand_double (rand);

  return sqrt (-2.0 * log (1.0 - u)) * cos (2.0 * G_PI * v);
}

/* The energy change of adding m->r * delta (taps) to the state; fills m->dk
 * over its bounding box. */
static gdouble
delta_energy (Model * m, const State * st, const Tap * delta, guint n)
{
  const gint s = m->s;
  gdouble de = 0.0;
  gint x, y, dx0 = G_MAXINT, dx1 = G_MININT, dy0 = G_MAXINT, dy1 = G_MININT;
  guint i;

  for (i = 0; i < n; i++) {
    dx0 = MIN (dx0, delta[i].dx);
    dx1 = MAX (dx1, delta[i].dx);
    dy0 = MIN (dy0, delta[i].dy);
    dy1 = MAX (dy1, delta[i].dy);
  }
  m->dk.x0 = MAX (m->r.x0 + dx0, 0);
  m->dk.x1 = MIN (m->r.x1 + dx1, s - 1);
  m->dk.y0 = MAX (m->r.y0 + dy0, 0);
  m->dk.y1 = MIN (m->r.y1 + dy1, s - 1);
  if (m->dk.x0 > m->dk.x1 || m->dk.y0 > m->dk.y1)
    return 0.0;
  for (y = m->dk.y0; y <= m->dk.y1; y++)
    memset (m->dk.v + (gsize) y * s + m->dk.x0, 0,
        sizeof (gfloat) * (m->dk.x1 - m->dk.x0 + 1));
  for (i = 0; i < n; i++) {
    const Tap *t = delta + i;
    gint xa = MAX (m->r.x0 + t->dx, 0), xb = MIN (m->r.x1 + t->dx, s - 1);
    gint ya = MAX (m->r.y0 + t->dy, 0), yb = MIN (m->r.y1 + t->dy, s - 1);

    if (t->w == 0.0f)
      continue;
    for (y = ya; y <= yb; y++) {
      const gfloat *a = m->r.v + (gsize) (y - t->dy) * s - t->dx;
      gfloat *b = m->dk.v + (gsize) y * s;
      for (x = xa; x <= xb; x++)
        b[x] += t->w * a[x];
    }
  }
  for (y = m->dk.y0; y <= m->dk.y1; y++) {
    const gfloat *k = m->dk.v + (gsize) y * s;
    const gfloat *d = st->d + (gsize) y * s;
    gfloat acc = 0.0f;
    for (x = m->dk.x0; x <= m->dk.x1; x++)
      acc += k[x] * (2.0f * d[x] + k[x]);
    de += acc;
  }
  return de;
}

static void
apply_delta (Model * m, State * st, gdouble de)
{
  const gint s = m->s;
  gint x, y;

  for (y = m->dk.y0; y <= m->dk.y1; y++)
    for (x = m->dk.x0; x <= m->dk.x1; x++)
      st->d[(gsize) y * s + x] += m->dk.v[(gsize) y * s + x];
  st->energy += de;
}

static gdouble
energy_psnr (const Model * m, gdouble energy)
{
  gdouble mse = MAX (energy, 1e-30) / m->n_target;

  return 10.0 * log10 (m->peak * m->peak / mse);
}

DiskComplex *
bench_tempering_fit (const DiskImage * target, gdouble radius,
    guint n_layers, guint n_samples, const BenchTemperingOptions * o,
    const DiskComplex * warm_start, gdouble * kernel_psnr, GArray * trace)
{
  g_autoptr (DiskComplex) start = NULL;
  const guint half = (target->width - 1) / 2;
  const guint n = MAX (o->candidates, 1);
  const guint rounds = MAX (o->iterations / MAX (o->block, 1), 1);
  g_autofree State *states = g_new0 (State, n);
  g_autofree gdouble *temperature = g_new (gdouble, n);
  g_autofree gdouble *step = g_new (gdouble, n);
  g_autofree DiskSample *best = NULL;
  DiskComplex *result;
  gdouble best_energy = INFINITY, reach_limit;
  guint64 proposals = 0;
  Model m;
  guint i, l, round, x, y;

  /* The same initialisation as DISK: its fitter with zero steps. */
  if (warm_start != NULL) {
    start = disk_complex_copy (warm_start);
  } else {
    DiskFitOptions fo;
    disk_fit_options_init (&fo, n_layers, n_samples);
    fo.steps = 0;
    fo.init = o->init;
    fo.seed = o->seed;
    fo.starts = 1;
    fo.n_epsilons = 1;
    start = disk_fit_complex (target, radius, &fo, NULL, NULL);
  }
  if (start == NULL || radius < 0.5) {
    result = start ? disk_complex_copy (start)
        : disk_complex_new_uniform (n_layers, n_samples);
    if (kernel_psnr) {
      g_autoptr (DiskImage) k = disk_complex_impulse_response (result, half);
      *kernel_psnr = disk_kernel_psnr (target, k);
    }
    return result;
  }

  memset (&m, 0, sizeof m);
  m.structure = start;
  m.p = 2 * half + 2;
  m.s = 2 * m.p + 1;
  m.n_target = target->width * target->height;
  m.target = g_new0 (gfloat, (gsize) m.s * m.s);
  for (y = 0; y < target->height; y++)
    for (x = 0; x < target->width; x++) {
      gfloat v = disk_image_pixel (target, x, y)[0];
      m.target[(gsize) (y + m.p - half) * m.s + x + m.p - half] = v;
      m.peak = MAX (m.peak, v);
    }
  canvas_init (&m.r, m.s);
  canvas_init (&m.tmp, m.s);
  canvas_init (&m.dk, m.s);
  m.taps = g_new (Tap, 4 * (gsize) MAX (start->total, 4));
  m.rand = g_rand_new_with_seed ((guint32) (o->seed * 7919 + 17));
  /* No light may leave the free-space canvas. */
  reach_limit = m.p - 1.0;
  {
    gdouble reach = 0.0;
    for (l = 0; l < start->n_layers; l++)
      reach += layer_reach (disk_complex_layer (start, l),
          start->n_samples[l]);
    reach_limit = MAX (reach_limit, reach);
  }

  best = g_memdup2 (start->samples, sizeof (DiskSample) * start->total);
  build_rest (&m, start->samples, 0);
  for (i = 0; i < n; i++) {
    gdouble f = n > 1 ? (gdouble) i / (n - 1) : 0.0;

    states[i].samples = g_memdup2 (start->samples,
        sizeof (DiskSample) * start->total);
    states[i].d = g_new (gfloat, (gsize) m.s * m.s);
    state_refresh (&m, &states[i], 0);
    /* Offsets steps from 0.5 % to 5 % of the radius along the ladder. */
    step[i] = 0.005 * pow (10.0, f);
  }
  best_energy = states[0].energy;
  for (i = 0; i < n; i++) {
    gdouble f = n > 1 ? (gdouble) i / (n - 1) : 0.0;
    temperature[i] = states[0].energy * o->t_cold
        * pow (o->t_hot / o->t_cold, f);
  }

  for (round = 0; round < rounds; round++) {
    for (i = 0; i < n; i++) {
      State *st = states + i;
      guint layer = g_rand_int_range (m.rand, 0, start->n_layers);
      const guint nl = start->n_samples[layer];
      DiskSample *ls = st->samples + start->first[layer];
      gdouble other_reach = 0.0;
      guint accepted = 0, it;

      for (l = 0; l < start->n_layers; l++)
        if (l != layer)
          other_reach += layer_reach (st->samples + start->first[l],
              start->n_samples[l]);
      build_rest (&m, st->samples, layer);
      state_refresh (&m, st, layer);

      for (it = 0; it < o->block; it++) {
        Tap delta[8];
        DiskSample old, moved;
        guint a = g_rand_int_range (m.rand, 0, nl), b = a;
        gboolean offset_move = nl < 2 || g_rand_boolean (m.rand);
        gdouble de, dw = 0.0;

        proposals++;
        if (offset_move) {
          old = ls[a];
          moved = old;
          moved.x += (gfloat) (step[i] * radius * gaussian (m.rand));
          moved.y += (gfloat) (step[i] * radius * gaussian (m.rand));
          ls[a] = moved;
          if (other_reach + layer_reach (ls, nl) > reach_limit) {
            ls[a] = old;
            continue;
          }
          ls[a] = old;
          sample_taps (&old, -old.w, delta);
          sample_taps (&moved, moved.w, delta + 4);
        } else {
          while (b == a)
            b = g_rand_int_range (m.rand, 0, nl);
          dw = step[i] * gaussian (m.rand) / nl;
          sample_taps (ls + a, (gfloat) dw, delta);
          sample_taps (ls + b, (gfloat) - dw, delta + 4);
        }
        de = delta_energy (&m, st, delta, 8);
        if (de <= 0.0 || g_rand_double (m.rand) < exp (-de / temperature[i])) {
          apply_delta (&m, st, de);
          accepted++;
          if (offset_move) {
            ls[a] = moved;
          } else {
            ls[a].w += (gfloat) dw;
            ls[b].w -= (gfloat) dw;
          }
          if (st->energy < best_energy) {
            best_energy = st->energy;
            memcpy (best, st->samples, sizeof (DiskSample) * start->total);
          }
        }
      }
      /* Adapt the step towards 20-40 % acceptance. */
      if (accepted * 5 > o->block * 2)
        step[i] = MIN (step[i] * 1.2, 0.5);
      else if (accepted * 5 < o->block)
        step[i] = MAX (step[i] / 1.2, 1e-5);
    }
    /* Replica exchange between neighbours, alternating even and odd pairs. */
    for (i = round % 2; i + 1 < n; i += 2) {
      gdouble arg = (states[i].energy - states[i + 1].energy)
          * (1.0 / temperature[i] - 1.0 / temperature[i + 1]);
      if (arg >= 0.0 || g_rand_double (m.rand) < exp (arg)) {
        State swap = states[i];
        states[i] = states[i + 1];
        states[i + 1] = swap;
      }
    }
    if (trace) {
      BenchTracePoint pt = { proposals, energy_psnr (&m, best_energy) };
      g_array_append_val (trace, pt);
    }
  }

  result = disk_complex_copy (start);
  memcpy (result->samples, best, sizeof (DiskSample) * start->total);
  disk_complex_normalise_weights (result);
  if (kernel_psnr) {
    g_autoptr (DiskImage) k = disk_complex_impulse_response (result, half);
    *kernel_psnr = disk_kernel_psnr (target, k);
  }

  for (i = 0; i < n; i++) {
    g_free (states[i].samples);
    g_free (states[i].d);
  }
  canvas_clear (&m.r);
  canvas_clear (&m.tmp);
  canvas_clear (&m.dk);
  g_free (m.target);
  g_free (m.taps);
  g_rand_free (m.rand);
  return result;
}
