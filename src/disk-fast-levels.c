/* DISK core: spatially varying layers as blends of uniform layers planned at
 * levels of radius and angle (see disk-fast.h for what and why).
 *
 * A row is cut into runs of pixels that share their neighbouring levels;
 * each level of a run is one uniform span of the fast SIMD kernel, and the
 * run's output is the per-pixel weighted sum of those spans. Runs are short
 * (a few to a few dozen pixels), so nothing may cost per run what it costs
 * per row elsewhere: each call first copies the input rows its band reads
 * into a buffer with `border` clamped pixels on every side, so that every
 * read of every tap is in the buffer and a tap is one fixed offset from the
 * output pixel (no edge cases, no pointer set-up per run). Plans are made
 * the first time a level is met, with those offsets, and shared by every
 * thread for the rest of the frame; a plan depends on its level only, so
 * which thread made it cannot change any value. */
#include "disk-fast.h"
#include "disk-fast-private.h"
#include "disk-fast-span.h"

#include <math.h>
#include <string.h>

/* Angle levels per radius level at most: a tap 64 k px out moving 0.1 px. */
#define MAX_ANGLE_LEVELS 4096

/* A level's integer taps and where each reads in the padded band buffer,
 * relative to the output pixel. */
typedef struct
{
  DiskFastLayer *taps;
  gssize *off;
} LevelPlan;

/* Two neighbouring levels fused: radius levels k and k + 1 at one exact
 * angle (map and depth), or angle levels j and j + 1 of one radius level
 * (spin and zoom). The union of their reads, each with both levels'
 * weights (0 where a level has no tap there), so that one load feeds both
 * sums: the two levels' taps are nearly the same pixels (their offsets
 * differ by half a pixel at most), and the kernel waits on loads, not on
 * multiply-adds. */
typedef struct
{
  guint32 angle_bits;           /* exact angles: the angle's float bits */
  guint n;
  /* the reads both levels have first, then the first level's alone, then
   * the second's (0 weights there), each in the order of their offsets:
   * the blending kernel spends one multiply-add on those (at radius 32 a
   * bokeh layer's pairs had 45 % of their reads in one level alone) */
  guint n_both, n_first, n_second;
  gssize *off;
  gfloat *w0, *w1;
  /* For a lone pixel of 3 or 4 channels (disk_fast_pixel_blend_half),
   * where made: off and w0 padded to n_pixel reads (offsets and weights 0)
   * and d = w1 - w0; else NULL. */
  guint n_pixel;
  gfloat *d;
  /* For a lone pixel of 1 or 2 channels
   * (disk_fast_pixel_blend_windows_half), where made: the reads in
   * n_windows windows of 4 values, from window_off[q] on, value p weighing
   * window_w0[4 q + p] + t window_d[4 q + p]; else NULL. */
  guint n_windows;
  gssize *window_off;
  gfloat *window_w0, *window_d;
} PairPlan;

/* With angle levels, a run's four levels fused (level_weight's numbering:
 * (k, a0), (k, a0 + 1), (k + 1, a1), (k + 1, a1 + 1)): the union of their
 * reads in the order of their offsets, each with the four levels' weights
 * (0 where a level has no tap there), for the four-level kernel
 * (disk-fast-quad.c). */
typedef struct
{
  guint n;
  gssize *off;
  gfloat *w;                    /* w[4 i + c]: level c's weight of read i */
} QuadPlan;

/* How many angle levels a1 at radius level k + 1 the quad slots of angle
 * level a0 at k hold, from floor (a0 n_{k+1} / n_k) - 1 on: the angles of
 * cell a0 fall in two or three cells at k + 1 (n_{k+1} <= 2 n_k from
 * k = 1 on), one more either side for float rounding. Others (round the
 * turn, or radius level 0) run as two pairs. */
#define QUAD_WINDOW 4

/* With exact angles, a radius level's plan and the angle it was made for. */
typedef struct
{
  guint32 angle_bits;
  LevelPlan *plan;
} ExactPlan;

struct _DiskFastLevels
{
  const DiskBasis *basis;
  gdouble scale_x, scale_y;
  gdouble radius_step;          /* frame pixels between radius levels */
  gdouble angle_step;           /* pixels a tap moves between angle levels;
                                 * 0: angles exact */
  gdouble max_radius;           /* larger radii are clamped to it */
  guint width, height, channels;
  gint border;                  /* pixels of clamped input around the band:
                                 * the largest of the layers' */
  gint layer_border[DISK_MAX_LAYERS];   /* each layer's reach */
  gsize padded_stride;          /* values per row of the band buffer */
  gboolean half;                /* the band buffer holds binary16 */
  gboolean pixel;               /* lone pixels of exact-angle pairs run
                                 * disk_fast_pixel_blend_half */
  gboolean row_pairs;           /* the index gives two rows one run where
                                 * they share its levels */
  const SpanKernel *kernel;     /* this CPU's kernels, looked up once: a
                                 * frame calls them a million times */
  guint n_radius;               /* radius levels 0 .. n_radius - 1 */
  guint *n_angles;              /* angle levels of each radius level */
  /* Per layer and radius level, made on first use and published with an
   * atomic compare-and-exchange, so lookups take no lock: with angle
   * levels an array of n_angles[k] plans, with exact angles an ExactPlan.
   * Exact angles other than a level's first go to `others` (locked). */
  gpointer *slots[DISK_MAX_LAYERS];
  /* Per layer and radius level k, published like the slots: with exact
   * angles the PairPlan of k and k + 1 at the first angle met, with angle
   * levels an array of n_angles[k] PairPlans of angle levels j, j + 1. */
  gpointer *pair_slots[DISK_MAX_LAYERS];
  /* Per layer and radius level k, with angle levels, published likewise:
   * QUAD_WINDOW QuadPlans for each angle level a0 of k (QUAD_WINDOW). */
  gpointer *quad_slots[DISK_MAX_LAYERS];
  GMutex lock;
  GHashTable *others;           /* guint64 (layer, k, angle bits) -> plan */
};

static void
level_plan_free (gpointer data)
{
  LevelPlan *plan = data;

  if (plan == NULL)
    return;
  disk_fast_layer_free (plan->taps);
  g_free (plan->off);
  g_free (plan);
}

static void
pair_plan_free (gpointer data)
{
  PairPlan *pair = data;

  if (pair == NULL)
    return;
  g_free (pair->off);
  g_free (pair->w0);
  g_free (pair->w1);
  g_free (pair->d);
  g_free (pair->window_off);
  g_free (pair->window_w0);
  g_free (pair->window_d);
  g_free (pair);
}

static void
quad_plan_free (gpointer data)
{
  g_free (data);                /* one block: make_quad_plan */
}

/* How far any tap of a layer at any level can reach, in plane pixels
 * (the layers of a complex reach very different distances: bokeh's from
 * 0.37 to 1.59 radii, motion's from 0.06 to 1.25): offsets scale
 * with the radius (disk-basis.h: interpolation mixes entries scaled to the
 * radius; rotation keeps lengths), so the farthest sample of any entry,
 * relative to its radius, bounds them all; +2 for the bilinear taps. */
static gint
basis_border (const DiskBasis * basis, guint layer, gdouble max_radius,
    gdouble scale, guint width, guint height)
{
  gdouble reach = 0.0;
  guint e, i;

  for (e = 0; e < basis->n_entries; e++) {
    const DiskComplex *c = basis->entries[e];
    const DiskSample *sm = disk_complex_layer (c, layer);

    for (i = 0; i < c->n_samples[layer]; i++)
      reach = MAX (reach, hypot (sm[i].x, sm[i].y) / basis->radii[e]);
  }
  /* reads beyond an image size past the edge are the edge pixel anyway
   * (taps are limited there, disk-edge.h) */
  return (gint) MIN (ceil (reach * max_radius * scale) + 2.0,
      (gdouble) MAX (width, height) + 4.0);
}

DiskFastLevels *
disk_fast_levels_new (const DiskBasis * basis, gdouble scale_x,
    gdouble scale_y, gdouble radius_step, gdouble angle_step,
    gdouble max_radius, guint width, guint height, guint channels)
{
  DiskFastLevels *levels;
  guint l, k;

  g_return_val_if_fail (basis != NULL, NULL);
  g_return_val_if_fail (radius_step > 0.0 && angle_step >= 0.0, NULL);
  g_return_val_if_fail (max_radius >= 0.0 && max_radius < 65536.0, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);
  g_return_val_if_fail (channels >= 1 && channels <= 4, NULL);

  levels = g_new0 (DiskFastLevels, 1);
  levels->basis = basis;
  levels->scale_x = scale_x;
  levels->scale_y = scale_y;
  levels->radius_step = radius_step;
  levels->angle_step = angle_step;
  levels->max_radius = max_radius;
  levels->width = width;
  levels->height = height;
  levels->channels = channels;
  levels->kernel = disk_fast_span_kernel ();
  for (l = 0; l < basis->entries[0]->n_layers; l++) {
    levels->layer_border[l] = basis_border (basis, l, max_radius,
        MAX (fabs (scale_x), fabs (scale_y)), width, height);
    levels->border = MAX (levels->border, levels->layer_border[l]);
  }
  levels->padded_stride = ((gsize) width + 2 * levels->border) * channels;
  /* With angle levels: runs shared by two rows fill the pair kernel's
   * vectors where each row's half-filled them. Whatever the channels, the
   * rows' type or the CPU, so that every path blends the same levels. */
  levels->row_pairs = angle_step > 0.0
      && g_strcmp0 (g_getenv ("DISK_FAST_ROW_PAIRS"), "0") != 0;
  /* the level above the largest radius is read too (with weight 0) */
  levels->n_radius = (guint) floor (max_radius / radius_step) + 2;
  levels->n_angles = g_new (guint, levels->n_radius);
  for (k = 0; k < levels->n_radius; k++) {
    gdouble n = 1.0;

    /* enough that the farthest taps (about the level's radius out) move at
     * most angle_step pixels from one angle level to the next; they divide
     * the turn evenly */
    if (angle_step > 0.0 && k > 0)
      n = ceil (2.0 * G_PI * k * radius_step / angle_step);
    levels->n_angles[k] = (guint) CLAMP (n, 1.0, (gdouble) MAX_ANGLE_LEVELS);
  }
  for (l = 0; l < basis->entries[0]->n_layers; l++) {
    levels->slots[l] = g_new0 (gpointer, levels->n_radius);
    levels->pair_slots[l] = g_new0 (gpointer, levels->n_radius);
    levels->quad_slots[l] = g_new0 (gpointer, levels->n_radius);
  }
  g_mutex_init (&levels->lock);
  levels->others = g_hash_table_new_full (g_int64_hash, g_int64_equal,
      g_free, level_plan_free);
  return levels;
}

/* Calls `func` on every plan made so far. */
static void
foreach_plan (DiskFastLevels * levels, void (*func) (LevelPlan * plan,
        gpointer data), gpointer data)
{
  guint l, k, j;

  for (l = 0; l < DISK_MAX_LAYERS; l++) {
    if (levels->slots[l] == NULL)
      continue;
    for (k = 0; k < levels->n_radius; k++) {
      gpointer slot = levels->slots[l][k];

      if (slot == NULL)
        continue;
      if (levels->angle_step > 0.0) {
        LevelPlan **plans = slot;

        for (j = 0; j < levels->n_angles[k]; j++)
          if (plans[j] != NULL)
            func (plans[j], data);
      } else {
        func (((ExactPlan *) slot)->plan, data);
      }
    }
  }
}

static void
free_plan (LevelPlan * plan, gpointer data)
{
  (void) data;
  level_plan_free (plan);
}

static void
count_plan (LevelPlan * plan, gpointer data)
{
  (void) plan;
  (*(guint *) data)++;
}

void
disk_fast_levels_free (DiskFastLevels * levels)
{
  guint l, k, j;

  if (levels == NULL)
    return;
  foreach_plan (levels, free_plan, NULL);
  for (l = 0; l < DISK_MAX_LAYERS; l++) {
    if (levels->slots[l] == NULL)
      continue;
    for (k = 0; k < levels->n_radius; k++) {
      g_free (levels->slots[l][k]);
      if (levels->angle_step > 0.0 && levels->pair_slots[l][k] != NULL) {
        PairPlan **pairs = levels->pair_slots[l][k];

        for (j = 0; j < levels->n_angles[k]; j++)
          pair_plan_free (pairs[j]);
        g_free (pairs);
      } else {
        pair_plan_free (levels->pair_slots[l][k]);
      }
      if (levels->quad_slots[l][k] != NULL) {
        QuadPlan **quads = levels->quad_slots[l][k];

        for (j = 0; j < levels->n_angles[k] * QUAD_WINDOW; j++)
          quad_plan_free (quads[j]);
        g_free (quads);
      }
    }
    g_free (levels->slots[l]);
    g_free (levels->pair_slots[l]);
    g_free (levels->quad_slots[l]);
  }
  g_hash_table_destroy (levels->others);
  g_mutex_clear (&levels->lock);
  g_free (levels->n_angles);
  g_free (levels);
}

gboolean
disk_fast_levels_reusable (const DiskFastLevels * levels,
    const DiskBasis * basis, gdouble scale_x, gdouble scale_y,
    gdouble radius_step, gdouble angle_step, gdouble max_radius,
    guint width, guint height, guint channels)
{
  return levels != NULL && levels->basis == basis
      && levels->scale_x == scale_x && levels->scale_y == scale_y
      && levels->radius_step == radius_step
      && levels->angle_step == angle_step
      && levels->max_radius == max_radius && levels->width == width
      && levels->height == height && levels->channels == channels;
}

guint
disk_fast_levels_n_angles (const DiskFastLevels * levels, guint k)
{
  g_return_val_if_fail (levels != NULL && k < levels->n_radius, 0);
  return levels->n_angles[k];
}

guint
disk_fast_levels_n_plans (DiskFastLevels * levels)
{
  guint n;

  g_mutex_lock (&levels->lock);
  n = g_hash_table_size (levels->others);
  g_mutex_unlock (&levels->lock);
  foreach_plan (levels, count_plan, &n);
  return n;
}

/* `degrees` in [0, 360), or 0 if not finite: one turn added or taken
 * covers spin and zoom (atan2 plus a quarter turn), fmod the rest. */
static inline gfloat
wrap_degrees (gfloat degrees)
{
  gfloat a = degrees;

  if (!isfinite (a))
    return 0.0f;
  if (a < 0.0f)
    a += 360.0f;
  else if (a >= 360.0f)
    a -= 360.0f;
  if (a < 0.0f || a >= 360.0f) {
    a = (gfloat) fmod ((gdouble) a, 360.0);
    if (a < 0.0f)
      a += 360.0f;
  }
  return a;
}

/* The angle level below `a` (wrapped, wrap_degrees) among n, and the
 * weight of the one above. */
static inline guint32
angle_cell (guint n, gfloat a, gfloat * frac)
{
  gfloat v;
  gint j;

  if (n == 1) {
    *frac = 0.0f;
    return 0;
  }
  v = a * ((gfloat) n / 360.0f);
  j = (gint) v;                 /* v >= 0: truncation is floor */
  *frac = v - (gfloat) j;
  if (j >= (gint) n) {          /* a rounded up to 360 */
    j = 0;
    *frac = 0.0f;
  }
  return (guint32) j;
}

/* Sorts reads (off[i], w[i]) by offset, by insertion: a few
 * dozen per plan, mostly in order already (the taps follow the samples). */
static void
sort_by_offset (gssize * off, gfloat * w, guint n)
{
  guint i, j;

  for (i = 1; i < n; i++) {
    const gssize o = off[i];
    const gfloat v = w[i];

    for (j = i; j > 0 && off[j - 1] > o; j--) {
      off[j] = off[j - 1];
      w[j] = w[j - 1];
    }
    off[j] = o;
    w[j] = v;
  }
}

/* Each coordinate of a level's samples within `snap` pixels of an integer
 * moved onto it (DISK_FAST_SNAP): its bilinear read then takes one or two
 * integer taps instead of two or four. */
static void
snap_samples (DiskSample * samples, guint n, gfloat snap)
{
  guint i;

  for (i = 0; i < n; i++) {
    const gfloat rx = roundf (samples[i].x), ry = roundf (samples[i].y);

    if (fabsf (samples[i].x - rx) < snap)
      samples[i].x = rx;
    if (fabsf (samples[i].y - ry) < snap)
      samples[i].y = ry;
  }
}

static LevelPlan *
make_plan (DiskFastLevels * levels, guint layer, Interp * ip,
    DiskSample * samples, guint k, gdouble degrees)
{
  const gint b = levels->layer_border[layer];
  LevelPlan *plan = g_new (LevelPlan, 1);
  guint i;

  disk_fast_interp_samples (ip, k * levels->radius_step, degrees, samples);
  /* the level's radius in the plane's pixels */
  if (k * levels->radius_step * MAX (fabs (levels->scale_x),
          fabs (levels->scale_y)) >= DISK_FAST_SNAP_FROM)
    snap_samples (samples, ip->n, (gfloat) DISK_FAST_SNAP);
  plan->taps = disk_fast_layer_new_for_runs (samples, ip->n, levels->width,
      levels->height, FALSE);
  plan->off = g_new (gssize, MAX (plan->taps->n, 1));
  for (i = 0; i < plan->taps->n; i++) {
    /* basis_border bounds every tap; this keeps a wrong bound from ever
     * reading outside the buffer (it would only move the read inwards) */
    const gint dx = CLAMP (plan->taps->dx[i], -b, b);
    const gint dy = CLAMP (plan->taps->dy[i], -b, b);

    g_warn_if_fail (dx == plan->taps->dx[i] && dy == plan->taps->dy[i]);
    plan->off[i] = (gssize) dy * (gssize) levels->padded_stride
        + (gssize) dx * levels->channels;
  }
  sort_by_offset (plan->off, plan->taps->w, plan->taps->n);
  /* the offsets replace the shifts: a frame can hold thousands of plans */
  g_clear_pointer (&plan->taps->dx, g_free);
  g_clear_pointer (&plan->taps->dy, g_free);
  return plan;
}

/* Publishes `fresh` in *where unless another thread was first: returns the
 * winner and frees the loser (the two are equal: a plan depends on its
 * level alone). */
static gpointer
publish (gpointer * where, gpointer fresh, GDestroyNotify free_func)
{
  gpointer old = NULL;

  if (g_atomic_pointer_compare_and_exchange_full (where, NULL, fresh, &old))
    return fresh;
  free_func (fresh);
  return old;
}

static void
free_exact_plan (gpointer data)
{
  ExactPlan *e = data;

  level_plan_free (e->plan);
  g_free (e);
}

/* The uniform layer of radius level k at angle level j, or with exact
 * angles at the angle whose float bits are `angle_bits`. */
static const LevelPlan *
level_plan (DiskFastLevels * levels, guint layer, Interp * ip,
    DiskSample * samples, guint k, guint32 angle_bits)
{
  gpointer *slot = &levels->slots[layer][k];
  gpointer got = g_atomic_pointer_get (slot);

  if (levels->angle_step > 0.0) {
    LevelPlan **plans = got, *plan;
    const guint n = levels->n_angles[k];

    if (plans == NULL)
      plans = publish (slot, g_new0 (LevelPlan *, n), g_free);
    plan = g_atomic_pointer_get (&plans[angle_bits]);
    if (plan == NULL)
      plan = publish ((gpointer *) & plans[angle_bits], make_plan (levels,
              layer, ip, samples, k, 360.0 * angle_bits / n),
          level_plan_free);
    return plan;
  } else {
    union
    {
      guint32 bits;
      gfloat f;
    } u = {.bits = angle_bits };
    ExactPlan *e = got;
    LevelPlan *plan;
    guint64 key;

    if (e == NULL) {
      e = g_new (ExactPlan, 1);
      e->angle_bits = angle_bits;
      e->plan = make_plan (levels, layer, ip, samples, k, u.f);
      e = publish (slot, e, free_exact_plan);
    }
    if (e->angle_bits == angle_bits)
      return e->plan;
    /* another angle at this level: rare (one angle per frame is the rule) */
    key = ((guint64) layer << 56) | ((guint64) k << 32) | angle_bits;
    g_mutex_lock (&levels->lock);
    plan = g_hash_table_lookup (levels->others, &key);
    if (plan == NULL) {
      plan = make_plan (levels, layer, ip, samples, k, u.f);
      g_hash_table_insert (levels->others, g_memdup2 (&key, sizeof key),
          plan);
    }
    g_mutex_unlock (&levels->lock);
    return plan;
  }
}

/* The union of the reads of n_plans level plans (each plan's in the order
 * of their offsets: make_plan), merged in one pass into off (the reads, in
 * that order) and w (n_plans weights per read, 0 where a plan has none;
 * zeroed by the caller), both room for every plan's reads. Returns the
 * reads in the union. */
static guint
merge_plans (const LevelPlan * const *plans, guint n_plans, gssize * off,
    gfloat * w)
{
  guint at[4] = { 0, 0, 0, 0 }, n = 0, c;

  g_assert (n_plans <= G_N_ELEMENTS (at));
  for (;;) {
    gboolean any = FALSE;
    gssize next = 0;

    for (c = 0; c < n_plans; c++)
      if (at[c] < plans[c]->taps->n && (!any || plans[c]->off[at[c]] < next)) {
        next = plans[c]->off[at[c]];
        any = TRUE;
      }
    if (!any)
      return n;
    for (c = 0; c < n_plans; c++)
      if (at[c] < plans[c]->taps->n && plans[c]->off[at[c]] == next)
        w[(gsize) n * n_plans + c] = plans[c]->taps->w[at[c]++];
    off[n++] = next;
  }
}

/* A lone pixel's n reads of `ch` (1 or 2) channels, sorted by offset
 * (off, and w the two levels' weights of each), gathered in the fewest
 * windows of 4 values that cover them, left to right: each window from the
 * first read not yet covered, with every read whose channels lie in it
 * (the taps' bilinear reads come in neighbouring pairs, and the two
 * levels' reads lie close: on the depth frame's Y plane a window held 2.3
 * reads). */
static void
make_windows (PairPlan * pair, const gssize * off, const gfloat * w, guint n,
    guint ch)
{
  guint i, q, c;

  pair->n_windows = 0;
  for (i = 0; i < n; pair->n_windows++)
    for (q = i; i < n && off[i] + ch <= off[q] + 4; i++);
  /* padded with windows of weight 0 at offset 0 */
  pair->n_windows = (pair->n_windows + DISK_FAST_PIXEL_WINDOWS - 1)
      / DISK_FAST_PIXEL_WINDOWS * DISK_FAST_PIXEL_WINDOWS;
  pair->window_off = g_new0 (gssize, pair->n_windows);
  pair->window_w0 = g_new0 (gfloat, 4 * (gsize) pair->n_windows);
  pair->window_d = g_new0 (gfloat, 4 * (gsize) pair->n_windows);
  for (i = 0, q = 0; i < n; q++) {
    const gssize start = off[i];

    pair->window_off[q] = start;
    for (; i < n && off[i] + ch <= start + 4; i++)
      for (c = 0; c < ch; c++) {
        const guint lane = 4 * q + (guint) (off[i] - start) + c;

        pair->window_w0[lane] = w[2 * i];
        pair->window_d[lane] = w[2 * i + 1] - w[2 * i];
      }
  }
}

/* The union of a's and b's reads (merge_plans), put in PairPlan's
 * segments; with `pixel`, the lone pixel's weights as well, for pixels of
 * `ch` channels. */
static PairPlan *
make_pair_plan (const LevelPlan * a, const LevelPlan * b, guint32 angle_bits,
    gboolean pixel, guint ch)
{
  const LevelPlan *const plans[2] = { a, b };
  const guint total = MAX (a->taps->n + b->taps->n, 1);
  PairPlan *pair = g_new0 (PairPlan, 1);
  g_autofree gssize *off = g_new (gssize, total);
  g_autofree gfloat *w = g_new0 (gfloat, 2 * (gsize) total);
  const guint n = merge_plans (plans, 2, off, w);
  const gboolean windows = pixel && ch <= 2;
  guint i, k, segment;

  pair->angle_bits = angle_bits;
  pair->n = n;
  if (windows)
    make_windows (pair, off, w, n, ch);
  pixel = pixel && !windows;
  pair->n_pixel = pixel ? (n + DISK_FAST_PIXEL_READS - 1)
      / DISK_FAST_PIXEL_READS * DISK_FAST_PIXEL_READS : 0;
  pair->off = g_new0 (gssize, MAX (MAX (n, pair->n_pixel), 1));
  pair->w0 = g_new0 (gfloat, MAX (MAX (n, pair->n_pixel), 1));
  pair->w1 = g_new (gfloat, MAX (n, 1));
  pair->n_both = pair->n_first = pair->n_second = 0;
  /* segment 0: both weights, 1: w0 alone, 2: w1 alone (or none) */
  for (segment = 0, k = 0; segment < 3; segment++)
    for (i = 0; i < n; i++) {
      const gfloat w0 = w[2 * i], w1 = w[2 * i + 1];

      if ((w0 != 0.0f && w1 != 0.0f ? 0u : w0 != 0.0f ? 1u : 2u) != segment)
        continue;
      pair->off[k] = off[i];
      pair->w0[k] = w0;
      pair->w1[k] = w1;
      k++;
      if (segment == 0)
        pair->n_both++;
      else if (segment == 1)
        pair->n_first++;
      else
        pair->n_second++;
    }
  if (pixel) {
    pair->d = g_new0 (gfloat, pair->n_pixel);
    for (i = 0; i < n; i++)
      pair->d[i] = pair->w1[i] - pair->w0[i];
  }
  return pair;
}

/* Radius levels k and k + 1 fused at the exact angle `angle_bits`, or NULL
 * if the slot holds another angle (rare: one angle per frame is the
 * rule). */
static const PairPlan *
pair_plan (DiskFastLevels * levels, guint layer, Interp * ip,
    DiskSample * samples, guint k, guint32 angle_bits)
{
  gpointer *slot = &levels->pair_slots[layer][k];
  PairPlan *pair = g_atomic_pointer_get (slot);

  if (pair == NULL) {
    const LevelPlan *a = level_plan (levels, layer, ip, samples, k,
        angle_bits);
    const LevelPlan *b = level_plan (levels, layer, ip, samples, k + 1,
        angle_bits);

    pair = publish (slot, make_pair_plan (a, b, angle_bits, levels->pixel,
            levels->channels),
        pair_plan_free);
  }
  return pair->angle_bits == angle_bits ? pair : NULL;
}

/* With angle levels (spin, zoom): angle levels j and j + 1 (round the
 * turn) of radius level k fused. */
static const PairPlan *
angle_pair_plan (DiskFastLevels * levels, guint layer, Interp * ip,
    DiskSample * samples, guint k, guint32 j)
{
  const guint n = levels->n_angles[k];
  gpointer *slot = &levels->pair_slots[layer][k];
  PairPlan **pairs = g_atomic_pointer_get (slot), *pair;

  if (pairs == NULL)
    pairs = publish (slot, g_new0 (PairPlan *, n), g_free);
  pair = g_atomic_pointer_get (&pairs[j]);
  if (pair == NULL) {
    const LevelPlan *a = level_plan (levels, layer, ip, samples, k, j);
    const LevelPlan *b = level_plan (levels, layer, ip, samples, k,
        (j + 1) % n);

    pair = publish ((gpointer *) & pairs[j], make_pair_plan (a, b, j, FALSE, 0),
        pair_plan_free);
  }
  return pair;
}

/* The union of the four levels' reads (merge_plans; once per quad of
 * levels, kept from frame to frame). */
static QuadPlan *
make_quad_plan (const LevelPlan * const plans[4])
{
  guint total = 0, n, c;
  g_autofree gssize *off = NULL;
  g_autofree gfloat *w = NULL;
  QuadPlan *quad;

  for (c = 0; c < 4; c++)
    total += plans[c]->taps->n;
  off = g_new (gssize, MAX (total, 1));
  w = g_new0 (gfloat, 4 * (gsize) MAX (total, 1));
  n = merge_plans (plans, 4, off, w);
  /* One block, the reads right after the struct: a run reads its plan
   * where it reads the reads (a separate struct and arrays missed the
   * cache three times per run), and tens of thousands are kept, so sized
   * to the union (a third of the total). */
  quad = g_malloc (sizeof (QuadPlan) + (gsize) n * (sizeof (gssize)
          + 4 * sizeof (gfloat)));
  quad->n = n;
  quad->off = (gssize *) (quad + 1);
  quad->w = (gfloat *) (quad->off + n);
  memcpy (quad->off, off, (gsize) n * sizeof (gssize));
  memcpy (quad->w, w, (gsize) n * 4 * sizeof (gfloat));
  return quad;
}

/* Runs ahead of its kernel that a quad plan is fetched, and the bytes of
 * it fetched (the struct and its first reads; the hardware's prefetcher
 * follows on from there). */
#define QUAD_AHEAD 2
#define QUAD_PREFETCH_BYTES 1024

static inline void
prefetch_quad (const QuadPlan * quad)
{
  guint b;

  if (quad == NULL)
    return;
  for (b = 0; b < QUAD_PREFETCH_BYTES; b += 64)
    __builtin_prefetch ((const guint8 *) quad + b);
}

/* Where angle level a1 at radius level k + 1 sits in the quad slots of
 * angle level a0 at k (QUAD_WINDOW): 0 to QUAD_WINDOW - 1, or -1 outside
 * them. Worked out once per run in the level index (LevelRun.quad): the
 * division, once per run of every layer, was a fifth of the run loop. */
static gint
quad_window_at (const DiskFastLevels * levels, guint k, guint32 a0,
    guint32 a1)
{
  const guint n0 = levels->n_angles[k], n1 = levels->n_angles[k + 1];
  const gint64 at = (gint64) a1 - ((gint64) a0 * n1 / n0 - 1);

  return at >= 0 && at < QUAD_WINDOW ? (gint) at : -1;
}

/* The four levels of a run at radius level k, angle level a0 there and a1
 * at k + 1, fused, where a1 sits at `at` in a0's window (quad_window_at,
 * 0 or more). */
static const QuadPlan *
quad_plan (DiskFastLevels * levels, guint layer, Interp * ip,
    DiskSample * samples, guint k, guint32 a0, guint32 a1, gint at)
{
  const guint n0 = levels->n_angles[k], n1 = levels->n_angles[k + 1];
  gpointer *slot = &levels->quad_slots[layer][k];
  QuadPlan **quads = g_atomic_pointer_get (slot), *quad;

  if (quads == NULL)
    quads = publish (slot, g_new0 (QuadPlan *, (gsize) n0 * QUAD_WINDOW),
        g_free);
  quad = g_atomic_pointer_get (&quads[a0 * QUAD_WINDOW + at]);
  if (quad == NULL) {
    const LevelPlan *plans[4];

    plans[0] = level_plan (levels, layer, ip, samples, k, a0);
    plans[1] = level_plan (levels, layer, ip, samples, k, (a0 + 1) % n0);
    plans[2] = level_plan (levels, layer, ip, samples, k + 1, a1);
    plans[3] = level_plan (levels, layer, ip, samples, k + 1, (a1 + 1) % n1);
    quad = publish ((gpointer *) & quads[a0 * QUAD_WINDOW + at],
        make_quad_plan (plans), quad_plan_free);
  }
  return quad;
}

/* Where a pixel sits among the levels. */
typedef struct
{
  gint k;                       /* radius level below */
  gfloat t;                     /* weight of the radius level above */
  guint32 a0, a1;               /* angle level below at k and at k + 1, or
                                 * the exact angle's bits */
  gfloat s0, s1;                /* weights of the angle levels above */
  gfloat angle;                 /* with angle levels, wrap_degrees */
} LevelPos;

/* Where each pixel of a row sits among the levels. In float: this runs for
 * every pixel of every layer (in double, with fmod for every negative
 * angle, it was a tenth of a map frame and a fifth of a spin frame). */
static void
level_pos_row (const DiskFastLevels * levels, const gfloat * radius,
    const gfloat * degrees, gint width, LevelPos * pos)
{
  const gfloat inv_step = (gfloat) (1.0 / levels->radius_step);
  const gfloat max_radius = (gfloat) levels->max_radius;
  const gint last = (gint) levels->n_radius - 2;
  gint x;

  for (x = 0; x < width; x++) {
    /* NaN and negative radii are 0 */
    const gfloat r = radius[x] > 0.0f ? MIN (radius[x], max_radius) : 0.0f;
    const gfloat u = r * inv_step;
    /* float rounding may carry u past the last level below max_radius */
    const gint k = MIN ((gint) u, last);
    const gfloat d = degrees != NULL ? degrees[x] : 0.0f;

    pos[x].k = k;
    pos[x].t = MIN (u - (gfloat) k, 1.0f);
    if (levels->angle_step > 0.0) {
      const gfloat a = wrap_degrees (d);

      pos[x].angle = a;
      pos[x].a0 = angle_cell (levels->n_angles[k], a, &pos[x].s0);
      pos[x].a1 = angle_cell (levels->n_angles[k + 1], a, &pos[x].s1);
    } else {
      union
      {
        gfloat f;
        guint32 bits;
      } v = {.f = d };

      pos[x].a0 = pos[x].a1 = v.bits;
      pos[x].s0 = pos[x].s1 = 0.0f;
    }
  }
}

static inline gboolean
same_levels (const LevelPos * a, const LevelPos * b)
{
  return a->k == b->k && a->a0 == b->a0 && a->a1 == b->a1;
}

/* Where angle `a` (wrap_degrees) sits relative to angle level j of n, in
 * angle steps: 0 at level j, 1 at j + 1, in (-n / 2, n / 2] round the
 * turn. */
static inline gfloat
angle_offset (guint n, gfloat a, guint32 j)
{
  gfloat v;

  if (n == 1)
    return 0.0f;
  v = a * ((gfloat) n / 360.0f) - (gfloat) j;
  if (v > 0.5f * (gfloat) n)
    v -= (gfloat) n;
  else if (v <= -0.5f * (gfloat) n)
    v += (gfloat) n;
  return v;
}

/* Runs and their slack (DISK_FAST_RADIUS_SLACK, DISK_FAST_ANGLE_SLACK in
 * disk-fast.h): a run ends where a pixel's radius or angle leaves its
 * levels' cell by more than the slack, not where it crosses a level; the
 * pixels past the cell get weights outside [0, 1], a linear
 * extrapolation from the run's levels. On the spin and zoom frames three
 * level indices (k, a0, a1) cross independently every 20-60 pixels, so
 * their runs averaged 9.9 pixels and a run's fixed costs were half their
 * small layers' time; with the slack and a run's levels chosen for the
 * direction the row moves (start_run) they average 20. */

/* A run's first pixel p: its levels moved one step down the direction in
 * which the row's radius (angle) moves, towards `next`, where p lies
 * within the slack of the level above (below), so that the run has a
 * whole cell plus the slack ahead of it. */
static inline void
start_run (const DiskFastLevels * levels, LevelPos * p, const LevelPos * next)
{
  const gfloat slack = (gfloat) DISK_FAST_RADIUS_SLACK;
  const gfloat angle_slack = (gfloat) DISK_FAST_ANGLE_SLACK;
  const gint last = (gint) levels->n_radius - 2;
  const gfloat du = (gfloat) (next->k - p->k) + next->t - p->t;
  gfloat da;
  guint side;

  if (du > 0.0f && p->t >= 1.0f - slack && p->k < last) {
    p->k++;
    p->t -= 1.0f;
  } else if (du < 0.0f && p->t < slack && p->k > 0) {
    p->k--;
    p->t += 1.0f;
  }
  if (levels->angle_step <= 0.0)
    return;
  da = next->angle - p->angle;
  if (da > 180.0f)
    da -= 360.0f;
  else if (da < -180.0f)
    da += 360.0f;
  for (side = 0; side < 2; side++) {
    const guint n = levels->n_angles[p->k + side];
    gfloat s;
    guint32 j = angle_cell (n, p->angle, &s);

    if (n > 1 && da > 0.0f && s >= 1.0f - angle_slack) {
      j = (j + 1) % n;
      s -= 1.0f;
    } else if (n > 1 && da < 0.0f && s < angle_slack) {
      j = (j + n - 1) % n;
      s += 1.0f;
    }
    if (side == 0) {
      p->a0 = j;
      p->s0 = s;
    } else {
      p->a1 = j;
      p->s1 = s;
    }
  }
}

/* Pixel p's weights relative to the levels of `head` (its run's first
 * pixel), written to p, if it lies within the slack of their cell; else
 * FALSE and p unchanged. */
static inline gboolean
join_run (const DiskFastLevels * levels, const LevelPos * head, LevelPos * p)
{
  const gfloat slack = (gfloat) DISK_FAST_RADIUS_SLACK;
  const gfloat angle_slack = (gfloat) DISK_FAST_ANGLE_SLACK;
  const gfloat t = (gfloat) (p->k - head->k) + p->t;
  gfloat s0 = 0.0f, s1 = 0.0f;

  if (t < -slack || t > 1.0f + slack)
    return FALSE;
  if (levels->angle_step > 0.0) {
    s0 = angle_offset (levels->n_angles[head->k], p->angle, head->a0);
    s1 = angle_offset (levels->n_angles[head->k + 1], p->angle, head->a1);
    if (s0 < -angle_slack || s0 > 1.0f + angle_slack || s1 < -angle_slack
        || s1 > 1.0f + angle_slack)
      return FALSE;
  } else if (p->a0 != head->a0) {
    return FALSE;               /* another exact angle */
  }
  p->k = head->k;
  p->t = t;
  p->a0 = head->a0;
  p->a1 = head->a1;
  p->s0 = s0;
  p->s1 = s1;
  return TRUE;
}

/* The weight of one of a pixel's (up to) four levels: 0: (k, a0),
 * 1: (k, a0 + 1), 2: (k + 1, a1), 3: (k + 1, a1 + 1). */
static inline gfloat
level_weight (const LevelPos * p, guint c)
{
  switch (c) {
    case 0:
      return (1.0f - p->t) * (1.0f - p->s0);
    case 1:
      return (1.0f - p->t) * p->s0;
    case 2:
      return p->t * (1.0f - p->s1);
    default:
      return p->t * p->s1;
  }
}

/* The weights of four 3-channel pixels spread over the lanes of the three
 * vectors that hold them: the blends of opaque RGB(A) rows run four pixels
 * as three vectors (GCC leaves their stride-3 loops scalar). */
static inline __attribute__ ((always_inline)) void
spread3 (gfloat w0, gfloat w1, gfloat w2, gfloat w3, v4f v[3])
{
  const v4f a = { w0, w0, w0, w1 }, b = { w1, w1, w2, w2 };
  const v4f c = { w2, w3, w3, w3 };

  v[0] = a;
  v[1] = b;
  v[2] = c;
}

/* d = w * t (first) or d += w * t, pixel by pixel, `ch` channels each:
 * inlined per channel count so the loops unroll; 4 channels as one
 * vector. */

static inline __attribute__ ((always_inline)) void
blend_ch (gfloat * restrict d, const gfloat * restrict t,
    const gfloat * restrict w, gint n, gboolean first, const guint ch)
{
  gint i;
  guint q;

  if (ch == 4) {
    v4f_u *dv = (v4f_u *) d;
    const v4f_u *tv = (const v4f_u *) t;

    if (first)
      for (i = 0; i < n; i++)
        dv[i] = w[i] * tv[i];
    else
      for (i = 0; i < n; i++)
        dv[i] += w[i] * tv[i];
    return;
  }
  i = 0;
  if (ch == 3) {
    for (; i + 4 <= n; i += 4) {
      v4f wv[3];
      v4f_u *dv = (v4f_u *) (d + 3 * i);
      const v4f_u *tv = (const v4f_u *) (t + 3 * i);

      spread3 (w[i], w[i + 1], w[i + 2], w[i + 3], wv);
      for (q = 0; q < 3; q++)
        dv[q] = first ? wv[q] * tv[q] : dv[q] + wv[q] * tv[q];
    }
  }
  if (first) {
    for (; i < n; i++)
      for (q = 0; q < ch; q++)
        d[i * ch + q] = w[i] * t[i * ch + q];
  } else {
    for (; i < n; i++)
      for (q = 0; q < ch; q++)
        d[i * ch + q] += w[i] * t[i * ch + q];
  }
}

static void
blend (gfloat * d, const gfloat * t, const gfloat * w, gint n,
    gboolean first, guint ch)
{
  switch (ch) {
    case 1:
      blend_ch (d, t, w, n, first, 1);
      break;
    case 2:
      blend_ch (d, t, w, n, first, 2);
      break;
    case 3:
      blend_ch (d, t, w, n, first, 3);
      break;
    default:
      blend_ch (d, t, w, n, first, 4);
      break;
  }
}

/* For a layer reaching b pixels: input rows y0 - b .. y1 - 1 + b
 * (clamped), each at `border` (the largest layer's) values into its row of
 * the buffer and with b copies of its first and last pixel on either side,
 * in binary16. */
static void
pad_band_half (const DiskFastLevels * levels, gint b, const DiskImage * in,
    guint y0, guint y1, guint16 * buf)
{
  const gint ch = levels->channels;
  const gint rows = (gint) (y1 - y0) + 2 * b;
  gint r, i;

  for (r = 0; r < rows; r++) {
    const gfloat *src = disk_image_pixel (in, 0,
        CLAMP ((gint) y0 - b + r, 0, (gint) in->height - 1));
    guint16 *mid = buf + (gsize) r * levels->padded_stride
        + (gsize) levels->border * ch;
    guint16 *last = mid + (gsize) (in->width - 1) * ch;

    disk_fast_to_half (mid, src, (gsize) in->width * ch);
    for (i = 0; i < b; i++) {
      memcpy (mid - (gsize) (i + 1) * ch, mid, sizeof (guint16) * ch);
      memcpy (last + (gsize) (i + 1) * ch, last, sizeof (guint16) * ch);
    }
  }
}

/* As pad_band_half, in float. */
static void
pad_band (const DiskFastLevels * levels, gint b, const DiskImage * in,
    guint y0, guint y1, gfloat * buf)
{
  const gint ch = levels->channels;
  const gint rows = (gint) (y1 - y0) + 2 * b;
  gint r, i, c;

  for (r = 0; r < rows; r++) {
    const gfloat *src = disk_image_pixel (in, 0,
        CLAMP ((gint) y0 - b + r, 0, (gint) in->height - 1));
    const gfloat *last = src + (gsize) (in->width - 1) * ch;
    gfloat *dst = buf + (gsize) r * levels->padded_stride
        + (gsize) (levels->border - b) * ch;

    for (i = 0; i < b; i++)
      for (c = 0; c < ch; c++)
        dst[i * ch + c] = src[c];
    memcpy (dst + (gsize) b * ch, src, sizeof (gfloat) * in->width * ch);
    dst += ((gsize) b + in->width) * ch;
    for (i = 0; i < b; i++)
      for (c = 0; c < ch; c++)
        dst[i * ch + c] = last[c];
  }
}

/* d = (1 - t) a + t b pixel by pixel (t[i] the weight of pixel i's upper level), `ch`
 * channels each: the two blends of the level-by-level loop in one, with
 * the same roundings. Inlined per channel count, as blend_ch. */
static inline __attribute__ ((always_inline)) void
mix (gfloat * restrict d, const gfloat * restrict a,
    const gfloat * restrict b, const gfloat * restrict t, gint n,
    const guint ch)
{
  gint i;
  guint q;

  if (ch == 4) {
    v4f_u *dv = (v4f_u *) d;
    const v4f_u *av = (const v4f_u *) a, *bv = (const v4f_u *) b;

    for (i = 0; i < n; i++)
      dv[i] = (1.0f - t[i]) * av[i] + t[i] * bv[i];
    return;
  }
  i = 0;
  if (ch == 3) {
    for (; i + 4 <= n; i += 4) {
      v4f tv[3];
      v4f_u *dv = (v4f_u *) (d + 3 * i);
      const v4f_u *av = (const v4f_u *) (a + 3 * i);
      const v4f_u *bv = (const v4f_u *) (b + 3 * i);

      spread3 (t[i], t[i + 1], t[i + 2], t[i + 3], tv);
      for (q = 0; q < 3; q++)
        dv[q] = (1.0f - tv[q]) * av[q] + tv[q] * bv[q];
    }
  }
  for (; i < n; i++)
    for (q = 0; q < ch; q++)
      d[i * ch + q] = (1.0f - t[i]) * a[i * ch + q] + t[i] * b[i * ch + q];
}

/* o[at + j] = sum_i w[i] * (band value at centre + at + off[i] + j), for
 * 0 <= j < len: the band in float or binary16 (`centre` in bytes). */
static inline void
span_level (const DiskFastLevels * levels, gfloat * o, const guint8 * centre,
    gsize at, const gssize * off, const gfloat * w, guint n, gsize len)
{
  if (levels->half)
    disk_fast_span_offsets_half (o + at, (const guint16 *) centre + at, off,
        w, n, len);
  else
    disk_fast_span_offsets (o + at, (const gfloat *) centre + at, off, w, n,
        len);
}

/* span_level for two weightings of the same reads at once. */
static inline void
span2_level (const DiskFastLevels * levels, gfloat * o0, gfloat * o1,
    const guint8 * centre, gsize at, const gssize * off, const gfloat * w0,
    const gfloat * w1, guint n, gsize len)
{
  if (levels->half)
    disk_fast_span2_offsets_half (o0 + at, o1 + at,
        (const guint16 *) centre + at, off, w0, w1, n, len);
  else
    disk_fast_span2_offsets (o0 + at, o1 + at, (const gfloat *) centre + at,
        off, w0, w1, n, len);
}

/* ------------------------------------------------------------------------ */
/* The level index of a frame */

/* Pixels x <= i < end of a row that share their levels (LevelPos k, a0,
 * a1); bit c of `used` is set where some pixel of the run gives level c
 * (level_weight's numbering) a weight other than 0. */
typedef struct
{
  gint x, end, k;
  guint32 a0, a1;
  guint8 used;
  guint8 both;                  /* the run of its row pair's both rows */
  gint8 quad;                   /* with angle levels, where a1 sits in the
                                 * quad slots of a0 (quad_window_at), else
                                 * -1 */
} LevelRun;

/* A row's runs, in order. Rows 2 i and 2 i + 1 of the frame may share
 * runs (LevelRun.both, in both lists); a pixel's weights are those of the
 * run it is in. */
typedef struct
{
  LevelRun *runs;
  guint n, size;
  gint partner;                 /* +1: the pair's first row, -1: its
                                 * second, 0: a row alone */
} RowRuns;

/* Whether a run's four levels run in one pass (quad_plan): both radius
 * levels weigh, and a1 is in a0's window. */
static inline gboolean
run_has_quad (const LevelRun * run)
{
  return (run->used & 3) != 0 && (run->used & 12) != 0 && run->quad >= 0;
}

/* The same radius and angle maps serve every layer of a frame, and often
 * frame after frame (spin, zoom, a map file): where their pixels sit among
 * the levels is worked out once, not once per layer (it was a third of the
 * level loop's time, and the runs' scans another third). */
struct _DiskFastLevelIndex
{
  const DiskFastLevels *levels;
  guint y_begin, y_end, width;
  RowRuns *rows;                /* row y at y - y_begin */
  /* per pixel, row y at (y - y_begin) * width: LevelPos t, and with angle
   * levels s0 and s1 (else NULL) */
  gfloat *t, *s0, *s1;
};

DiskFastLevelIndex *
disk_fast_level_index_new (const DiskFastLevels * levels, guint y_begin,
    guint y_end)
{
  DiskFastLevelIndex *index;
  const gsize n = (gsize) (y_end - y_begin) * levels->width;

  g_return_val_if_fail (levels != NULL, NULL);
  g_return_val_if_fail (y_begin <= y_end && y_end <= levels->height, NULL);

  index = g_new0 (DiskFastLevelIndex, 1);
  index->levels = levels;
  index->y_begin = y_begin;
  index->y_end = y_end;
  index->width = levels->width;
  index->rows = g_new0 (RowRuns, y_end - y_begin);
  /* + 16: the blending kernels read a vector's worth past a run's end */
  index->t = g_new0 (gfloat, n + 16);
  if (levels->angle_step > 0.0) {
    index->s0 = g_new0 (gfloat, n + 16);
    index->s1 = g_new0 (gfloat, n + 16);
  }
  return index;
}

void
disk_fast_level_index_free (DiskFastLevelIndex * index)
{
  guint r;

  if (index == NULL)
    return;
  for (r = 0; r < index->y_end - index->y_begin; r++)
    g_free (index->rows[r].runs);
  g_free (index->rows);
  g_free (index->t);
  g_free (index->s0);
  g_free (index->s1);
  g_free (index);
}

gboolean
disk_fast_level_index_serves (const DiskFastLevelIndex * index,
    const DiskFastLevels * levels, guint y_begin, guint y_end)
{
  return index != NULL && index->levels == levels
      && index->y_begin <= y_begin && y_end <= index->y_end;
}

/* Run starting at pos[x] on the levels of `head` (pos[x] moved by
 * start_run): where it ends if each pixel joins it; nothing written. */
static gint
scan_run (const DiskFastLevels * levels, const LevelPos * pos, gint x,
    gint width, LevelPos * head)
{
  gint end = x + 1;

  *head = pos[x];
  if (end < width)
    start_run (levels, head, &pos[end]);
  for (; end < width; end++) {
    LevelPos p = pos[end];

    if (!same_levels (&p, head) && !join_run (levels, head, &p))
      break;
  }
  return end;
}

/* The run of rows a and b both from x (its levels those of a's or b's
 * pixel x, whichever both join): its end, or x where the two part at x. */
static gint
scan_pair_run (const DiskFastLevels * levels, const LevelPos * a,
    const LevelPos * b, gint x, gint width, LevelPos * head)
{
  guint first;

  for (first = 0; first < 2; first++) {
    const LevelPos *own = first == 0 ? a : b;
    gint end;

    *head = own[x];
    if (x + 1 < width)
      start_run (levels, head, &own[x + 1]);
    for (end = x; end < width; end++) {
      LevelPos p = a[end], q = b[end];

      if ((!same_levels (&p, head) && !join_run (levels, head, &p))
          || (!same_levels (&q, head) && !join_run (levels, head, &q)))
        break;
    }
    if (end > x)
      return end;
  }
  return x;
}

/* Pixels x <= i < end of `pos` on the levels of `head`, as a run of
 * `runs` (of the next row too where `both`); returns the levels it uses
 * (LevelRun.used) for those pixels, each pixel's weights written. */
static guint
commit_run (const DiskFastLevels * levels, LevelPos * pos, gint x, gint end,
    const LevelPos * head)
{
  guint used = 0, c;
  gint i;

  for (i = x; i < end; i++) {
    if (!same_levels (&pos[i], head)) {
      gboolean joined = join_run (levels, head, &pos[i]);

      g_assert (joined);
    }
    for (c = 0; c < 4; c++)
      used |= (level_weight (&pos[i], c) != 0.0f) << c;
  }
  return used;
}

static void
add_run (const DiskFastLevels * levels, RowRuns * runs, gint x, gint end,
    const LevelPos * head, guint used, gboolean both)
{
  LevelRun *run;

  if (runs->n == runs->size) {
    runs->size = MAX (2 * runs->size, 16);
    runs->runs = g_renew (LevelRun, runs->runs, runs->size);
  }
  run = &runs->runs[runs->n++];
  run->x = x;
  run->end = end;
  run->k = head->k;
  run->a0 = head->a0;
  run->a1 = head->a1;
  run->used = used;
  run->both = both;
  run->quad = levels->angle_step > 0.0 ?
      quad_window_at (levels, head->k, head->a0, head->a1) : -1;
}

/* One row's runs from pixel x to `until` at most; returns where they
 * end. */
static gint
single_run (const DiskFastLevels * levels, LevelPos * pos, gint x,
    gint until, gint width, RowRuns * runs)
{
  LevelPos head;
  const gint end = MIN (scan_run (levels, pos, x, width, &head), until);

  add_run (levels, runs, x, end, &head, commit_run (levels, pos, x, end, &head),
      FALSE);
  return end;
}

/* Runs shared by two rows must be at least this long: a shorter one
 * would cut the rows' own longer runs for little. */
#define PAIR_RUN_MIN 2

/* Rows a and b (LevelPos of each pixel): runs of both where their pixels
 * share levels, else each row's own. Left to right with a pointer per
 * row; where the rows have parted, the row behind ends its run at the
 * other's pointer if the two could go on together from there. */
static void
pair_runs (const DiskFastLevels * levels, LevelPos * a, LevelPos * b,
    gint width, RowRuns * ra, RowRuns * rb)
{
  gint xa = 0, xb = 0;
  LevelPos head;

  while (xa < width || xb < width) {
    if (xa == xb) {
      const gint end = scan_pair_run (levels, a, b, xa, width, &head);

      if (end - xa >= PAIR_RUN_MIN || end == width) {
        const guint used = commit_run (levels, a, xa, end, &head)
            | commit_run (levels, b, xa, end, &head);

        add_run (levels, ra, xa, end, &head, used, TRUE);
        add_run (levels, rb, xa, end, &head, used, TRUE);
        xa = xb = end;
        continue;
      }
      xa = single_run (levels, a, xa, width, width, ra);
      xb = single_run (levels, b, xb, width, width, rb);
    } else {
      const gboolean a_behind = xa < xb;
      const gint ahead = a_behind ? xb : xa;
      LevelPos *own = a_behind ? a : b;
      gint until = width;

      /* end at the other's pointer if the rows join there */
      if (scan_run (levels, own, a_behind ? xa : xb, width, &head) > ahead
          && scan_pair_run (levels, a, b, ahead, width, &head)
          - ahead >= PAIR_RUN_MIN)
        until = ahead;
      if (a_behind)
        xa = single_run (levels, a, xa, until, width, ra);
      else
        xb = single_run (levels, b, xb, until, width, rb);
    }
  }
}

static void
store_weights (DiskFastLevelIndex * index, guint y, const LevelPos * pos)
{
  const gsize row = (gsize) (y - index->y_begin) * index->width;
  guint i;

  for (i = 0; i < index->width; i++)
    index->t[row + i] = pos[i].t;
  if (index->s0 != NULL)
    for (i = 0; i < index->width; i++) {
      index->s0[row + i] = pos[i].s0;
      index->s1[row + i] = pos[i].s1;
    }
}

void
disk_fast_level_index_fill_rows (DiskFastLevelIndex * index,
    const gfloat * radius, const gfloat * angle, guint y_begin, guint y_end)
{
  const DiskFastLevels *levels;
  const gint width = index->width;
  g_autofree LevelPos *pos = NULL;
  RowRuns scratch = { NULL, 0, 0, 0 };
  guint y;

  g_return_if_fail (index != NULL);
  g_return_if_fail (index->y_begin <= y_begin && y_begin <= y_end
      && y_end <= index->y_end);
  if (y_begin == y_end)
    return;

  levels = index->levels;
  pos = g_new (LevelPos, 2 * (gsize) width);
  for (y = y_begin; y < y_end;) {
    /* rows 2 i and 2 i + 1 of the frame pair up, whichever rows a call
     * or an index holds, so that no row's runs depend on them; a call
     * holding one row of a pair works out the pair's runs and keeps
     * that row's */
    const guint first = y & ~1u;
    guint r;

    if (levels->row_pairs && first + 1 < levels->height) {
      RowRuns *rows[2];

      for (r = 0; r < 2; r++) {
        const guint ry = first + r;

        rows[r] = ry >= y_begin && ry < y_end ?
            &index->rows[ry - index->y_begin] : &scratch;
        rows[r]->n = 0;
        rows[r]->partner = r == 0 ? 1 : -1;
        level_pos_row (levels, radius + (gsize) ry * width,
            angle != NULL ? angle + (gsize) ry * width : NULL, width,
            pos + (gsize) r * width);
      }
      pair_runs (levels, pos, pos + width, width, rows[0], rows[1]);
      for (r = 0; r < 2; r++)
        if (first + r >= y_begin && first + r < y_end)
          store_weights (index, first + r, pos + (gsize) r * width);
      y = first + 2;
    } else {
      RowRuns *runs = &index->rows[y - index->y_begin];
      gint x;

      runs->n = 0;
      runs->partner = 0;
      level_pos_row (levels, radius + (gsize) y * width,
          angle != NULL ? angle + (gsize) y * width : NULL, width, pos);
      for (x = 0; x < width;)
        x = single_run (levels, pos, x, width, width, runs);
      store_weights (index, y, pos);
      y++;
    }
  }
  g_free (scratch.runs);
}

/* The weights of a run's two levels at radius level k + side (side 0 or
 * 1): w of its angle level below, w2 of the one above, for pixels
 * x <= i < end (w[0] for pixel x), as level_weight makes them; `s` is the
 * row's s0 (side 0) or s1, NULL with exact angles. Straight loops: they
 * vectorise. */
static void
side_weights (const gfloat * t, const gfloat * s, gint x, gint end,
    guint side, gfloat * restrict w, gfloat * restrict w2)
{
  gint i;

  for (i = x; i < end; i++) {
    const gfloat r = side == 0 ? 1.0f - t[i] : t[i];
    const gfloat a = s != NULL ? s[i] : 0.0f;

    w[i - x] = r * (1.0f - a);
    w2[i - x] = r * a;
  }
}

/* ------------------------------------------------------------------------ */
/* The layers */

/* The two sums of a pair stored blended: o = (acc ? o : 0) + pa a + pb b,
 * pa and pb per pixel of the span from output pixel at / channels. */
static inline void
span2_blend_level (const DiskFastLevels * levels, gfloat * o,
    const guint8 * centre, gsize at, const PairPlan * pair,
    const gfloat * pa, const gfloat * pb, gboolean acc, gsize len)
{
  if (levels->half)
    levels->kernel->blend2_half_func (o + at, (const guint16 *) centre + at,
        pair->off, pair->w0, pair->w1, pair->n_both, pair->n_first,
        pair->n_second, len, pa, pb, levels->channels, acc);
  else
    levels->kernel->blend2_func (o + at, (const gfloat *) centre + at,
        pair->off, pair->w0, pair->w1, pair->n_both, pair->n_first,
        pair->n_second, len, pa, pb, levels->channels, acc);
}

/* A run's four levels in one pass of the four-level kernel (t, s0, s1:
 * the row's weights, from its first pixel). */
static inline void
span4_blend_level (const DiskFastLevels * levels, gfloat * o,
    const guint8 * centre, gsize at, const QuadPlan * quad, const gfloat * t,
    const gfloat * s0, const gfloat * s1, gsize len)
{
  if (levels->half)
    levels->kernel->blend4_half_func (o + at, (const guint16 *) centre + at,
        quad->off, quad->w, quad->n, len, t, s0, s1, levels->channels);
  else
    levels->kernel->blend4_func (o + at, (const gfloat *) centre + at,
        quad->off, quad->w, quad->n, len, t, s0, s1, levels->channels);
}

/* With exact angles, one run (t: its row's weights of the level above):
 * level k alone where no pixel has weight on k + 1, else both levels in
 * one pass over the reads (PairPlan) and each pixel's (1 - t) a + t b,
 * the sums the level-by-level loop makes (blended by the kernel where
 * `fused`). FALSE (nothing done) for an angle other than the frame's. */
static gboolean
run_exact (DiskFastLevels * levels, guint layer, Interp * ip,
    DiskSample * samples, const LevelRun * run, const gfloat * t,
    const guint8 * centre, gfloat * o, gfloat * tmp, gfloat * tmp2,
    gboolean fused)
{
  const guint ch = levels->channels;
  const gint x = run->x, end = run->end;
  const gsize at = (gsize) x * ch, len = (gsize) (end - x) * ch;
  const PairPlan *pair;

  if (!(run->used & 4)) {
    const LevelPlan *plan = level_plan (levels, layer, ip, samples, run->k,
        run->a0);

    /* weight 1 exactly: the blend would copy */
    span_level (levels, o, centre, at, plan->off, plan->taps->w,
        plan->taps->n, len);
    return TRUE;
  }
  pair = pair_plan (levels, layer, ip, samples, run->k, run->a0);
  if (pair == NULL)
    return FALSE;
  /* a lone pixel: its own weights, four reads or windows a vector (pairs
   * made before the rows turned binary16 have neither) */
  if (levels->pixel && end - x == 1) {
    /* 1 or 2 channels in windows of 4 values, 3 or 4 one read a load */
    if (pair->window_off != NULL) {
      disk_fast_pixel_blend_windows_half (o + at, (const guint16 *) centre
          + at, pair->window_off, pair->window_w0, pair->window_d,
          pair->n_windows, t[x], ch);
      return TRUE;
    }
    if (pair->d != NULL) {
      disk_fast_pixel_blend_half (o + at, (const guint16 *) centre + at,
          pair->off, pair->w0, pair->d, pair->n_pixel, t[x], ch);
      return TRUE;
    }
  }
  if (fused) {
    /* blended as the kernel stores them: a + t (b - a) */
    span2_blend_level (levels, o, centre, at, pair, NULL, t + x, FALSE, len);
    return TRUE;
  }
  span2_level (levels, tmp, tmp2, centre, at, pair->off, pair->w0, pair->w1,
      pair->n, len);
  switch (ch) {
    case 1:
      mix (o + at, tmp + at, tmp2 + at, t + x, end - x, 1);
      break;
    case 2:
      mix (o + at, tmp + at, tmp2 + at, t + x, end - x, 2);
      break;
    case 3:
      mix (o + at, tmp + at, tmp2 + at, t + x, end - x, 3);
      break;
    default:
      mix (o + at, tmp + at, tmp2 + at, t + x, end - x, 4);
      break;
  }
  return TRUE;
}

void
disk_fast_levels_layer_rows_indexed (DiskFastLevels * levels, guint layer,
    const DiskFastLevelIndex * index, const DiskImage * in, DiskImage * out,
    guint y_begin, guint y_end, DiskFastWorkspace * workspace)
{
  const gint width = in->width;
  const guint ch = in->channels;
  g_autoptr (DiskFastWorkspace) own = NULL;
  g_autofree DiskSample *samples = NULL;
  gfloat *tmp, *tmp2, *w, *w2;
  guint8 *band;
  const gsize value_bytes = levels->half ? sizeof (guint16) : sizeof (gfloat);
  gsize tmp_bytes, band_rows;
  gboolean fused, quads, pairs;
  const QuadPlan **row_quads;
  Interp ip;
  guint y;
  gint by;                      /* the layer's reach: rows above and below */

  g_return_if_fail (levels != NULL && layer < levels->basis->entries[0]->
      n_layers);
  g_return_if_fail (disk_fast_level_index_serves (index, levels, y_begin,
          y_end));
  g_return_if_fail (disk_image_same_shape (in, out));
  g_return_if_fail (in != out);
  g_return_if_fail (in->width == levels->width
      && in->height == levels->height && in->channels == levels->channels);
  g_return_if_fail (y_begin <= y_end && y_end <= in->height);
  if (y_begin == y_end)
    return;

  by = levels->layer_border[layer];
  disk_fast_interp_init (&ip, levels->basis, layer, (gfloat) levels->scale_x,
      (gfloat) levels->scale_y);
  samples = g_new (DiskSample, ip.n);
  /* The band and the row scratch come from the workspace: this runs once
   * per layer and frame, and fresh memory would fault in every time. */
  if (workspace == NULL)
    workspace = own = disk_fast_workspace_new ();
  band_rows = (gsize) (y_end - y_begin) + 2 * (gsize) by;
  /* and room for a lone pixel's reads past the band's last value (set,
   * though their lane is dropped) */
  band = disk_fast_workspace_block (workspace, DISK_FAST_BLOCK_LEVELS_BAND,
      value_bytes * (band_rows * levels->padded_stride
          + DISK_FAST_PIXEL_SLACK));
  memset (band + value_bytes * band_rows * levels->padded_stride, 0,
      DISK_FAST_PIXEL_SLACK * value_bytes);
  tmp_bytes = sizeof (gfloat) * (gsize) width * ch;
  /* w and w2 with room for the blending kernel's reads past a run; then a
   * row's quad plans */
  tmp = disk_fast_workspace_block (workspace, DISK_FAST_BLOCK_LEVELS_ROW,
      2 * tmp_bytes + sizeof (gfloat) * (2 * (gsize) width + 32)
      + sizeof (gpointer) * (gsize) width);
  tmp2 = tmp + (gsize) width * ch;      /* the second level of a pair */
  w = tmp2 + (gsize) width * ch;        /* a run's weights of one level */
  w2 = w + width + 16;                  /* and of the pair's second */
  row_quads = (const QuadPlan **) (w2 + width + 16);
  if (levels->half)
    pad_band_half (levels, by, in, y_begin, y_end, (guint16 *) band);
  else
    pad_band (levels, by, in, y_begin, y_end, (gfloat *) band);
  /* level pairs blended as the kernel stores them, where it can */
  fused = disk_fast_span2_blend_supported (levels->half);
  /* and with angle levels, a run's four levels in one pass */
  quads = levels->angle_step > 0.0
      && disk_fast_span4_blend_supported (levels->half);

  /* both rows of a pair's shared runs in one pass */
  pairs = quads && levels->half && ch == 1
      && disk_fast_span4_blend_pair_supported ()
      && g_strcmp0 (g_getenv ("DISK_FAST_PAIR_KERNEL"), "0") != 0;
  for (y = y_begin; y < y_end; y++) {
    const RowRuns *runs = &index->rows[y - index->y_begin];
    /* a pair's shared runs of four levels run in one pass for both rows,
     * from the first row (a row that runs alone takes them itself) */
    const gboolean pair_first = pairs && runs->partner > 0
        && y + 1 < y_end;
    const gboolean pair_second = pairs && runs->partner < 0
        && y > y_begin;
    const gsize row = (gsize) (y - index->y_begin) * width;
    const gfloat *t = index->t + row;
    const gfloat *s0 = index->s0 != NULL ? index->s0 + row : NULL;
    const gfloat *s1 = index->s1 != NULL ? index->s1 + row : NULL;
    /* output pixel (0, y) reads the buffer here, plus a tap's offset */
    const guint8 *centre = band + ((gsize) (y - y_begin + by)
        * levels->padded_stride + (gsize) levels->border * ch) * value_bytes;
    gfloat *o = disk_image_pixel (out, 0, y);
    guint r;

    /* Spin and zoom keep tens of thousands of quad plans, and the runs of
     * a row meet a different one each, mostly out of the caches (the
     * lookup and the plan's first read were a fifth of a frame): looked
     * up for the whole row first, so that their misses overlap, and each
     * plan fetched QUAD_AHEAD runs before its kernel reads it. */
    if (quads)
      for (r = 0; r < runs->n; r++) {
        const LevelRun *run = &runs->runs[r];

        row_quads[r] = run_has_quad (run) && !(pair_second && run->both) ?
            quad_plan (levels, layer, &ip, samples, run->k, run->a0,
            run->a1, run->quad) : NULL;
        if (row_quads[r] != NULL)
          __builtin_prefetch (row_quads[r]);
      }

    for (r = 0; r < runs->n; r++) {
      const LevelRun *run = &runs->runs[r];
      const gint x = run->x, end = run->end;
      const gsize at = (gsize) x * ch, len = (gsize) (end - x) * ch;
      gboolean first = TRUE;
      guint side;

      if (levels->angle_step <= 0.0
          && run_exact (levels, layer, &ip, samples, run, t, centre, o, tmp,
              tmp2, fused))
        continue;
      if (quads && r + QUAD_AHEAD < runs->n)
        prefetch_quad (row_quads[r + QUAD_AHEAD]);
      if (quads && pair_second && run->both && run_has_quad (run))
        continue;               /* run with the first row */
      /* four levels in one pass where both radius levels weigh (the
       * quads' NULL: the row's others) */
      if (quads && row_quads[r] != NULL) {
        if (run->both && pair_first)
          levels->kernel->blend4_pair_half_func (o + at, out->stride,
              (const guint16 *) centre + at, levels->padded_stride,
              row_quads[r]->off, row_quads[r]->w, row_quads[r]->n, len,
              t + x, s0 + x, s1 + x, index->width);
        else
          span4_blend_level (levels, o, centre, at, row_quads[r], t + x,
              s0 + x, s1 + x, len);
        continue;
      }
      /* radius level k, then k + 1: each with its two angle levels
       * (one with exact angles), both in one pass where both weigh */
      for (side = 0; side < 2; side++) {
        const gint k = run->k + side;
        const guint32 j = side == 0 ? run->a0 : run->a1;
        const gboolean used0 = (run->used >> (2 * side)) & 1;
        const gboolean used1 = (run->used >> (2 * side + 1)) & 1;

        side_weights (t, side == 0 ? s0 : s1, x, end, side, w, w2);
        /* (with exact angles used1 is FALSE: no angle level above) */
        if (used0 && used1 && levels->angle_step > 0.0) {
          const PairPlan *pair = angle_pair_plan (levels, layer, &ip,
              samples, k, j);

          if (fused) {
            span2_blend_level (levels, o, centre, at, pair, w, w2, !first,
                len);
            first = FALSE;
            continue;
          }
          span2_level (levels, tmp, tmp2, centre, at, pair->off, pair->w0,
              pair->w1, pair->n, len);
          blend (o + at, tmp + at, w, end - x, first, ch);
          blend (o + at, tmp2 + at, w2, end - x, FALSE, ch);
          first = FALSE;
        } else {
          /* each used level alone; the angle level above round the turn */
          guint c;

          for (c = 0; c < 2; c++) {
            const LevelPlan *plan;

            if (!(c == 0 ? used0 : used1))
              continue;
            plan = level_plan (levels, layer, &ip, samples, k,
                c == 0 ? j : (j + 1) % levels->n_angles[k]);
            span_level (levels, tmp, centre, at, plan->off, plan->taps->w,
                plan->taps->n, len);
            blend (o + at, tmp + at, c == 0 ? w : w2, end - x, first, ch);
            first = FALSE;
          }
        }
      }
    }
  }

}

void
disk_fast_levels_layer_rows (DiskFastLevels * levels, guint layer,
    const gfloat * radius, const gfloat * angle, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end,
    DiskFastWorkspace * workspace)
{
  g_autoptr (DiskFastLevelIndex) index = NULL;

  g_return_if_fail (levels != NULL);
  g_return_if_fail (y_begin <= y_end && y_end <= levels->height);
  index = disk_fast_level_index_new (levels, y_begin, y_end);
  disk_fast_level_index_fill_rows (index, radius, angle, y_begin, y_end);
  disk_fast_levels_layer_rows_indexed (levels, layer, index, in, out,
      y_begin, y_end, workspace);
}

void
disk_fast_levels_set_rows (DiskFastLevels * levels, DiskFastRows rows)
{
  g_return_if_fail (levels != NULL);
  levels->half = rows == DISK_FAST_ROWS_HALF
      && disk_fast_half_rows_supported ();
  levels->pixel = levels->half
      && disk_fast_pixel_blend_supported ();

}

/* Below this largest radius (the plane's pixels) spin and zoom take finer
 * levels. */
#define SMALL_ANGLE_RADIUS 12.0

/* The most plans one layer can make: every angle level of every radius
 * level up to max_radius (as disk_fast_levels_new counts them). */
static gdouble
possible_plans (gdouble max_radius, gdouble radius_step, gdouble angle_step)
{
  const guint n_radius = (guint) floor (max_radius / radius_step) + 2;
  gdouble n = 1.0;
  guint k;

  for (k = 1; k < n_radius; k++)
    n += angle_step > 0.0 ? MIN (ceil (2.0 * G_PI * k * radius_step
            / angle_step), (gdouble) MAX_ANGLE_LEVELS) : 1.0;
  return n;
}

DiskFastVaryingMethod
disk_fast_varying_method (DiskEffectMode mode, gboolean angle_varies,
    gdouble max_radius, gdouble scale, gdouble * radius_step,
    gdouble * angle_step)
{
  const gchar *steps = g_getenv ("DISK_FAST_LEVEL_STEPS");
  gdouble plane_radius_step, plane_angle_step;

  *radius_step = 0.0;
  *angle_step = 0.0;
  /* Tilt-shift rows are runs of one radius already: exact and as fast. */
  if (mode == DISK_EFFECT_UNIFORM || mode == DISK_EFFECT_TILT_SHIFT
      || g_getenv ("DISK_FAST_EXACT") != NULL
      || !(max_radius >= 0.0 && max_radius < 65536.0)
      || !(scale > 0.0 && scale <= 1.0))
    return DISK_FAST_VARYING_EXACT;
  /* The largest steps within the quality gate with margin (levels within
   * 0.3 dB image PSNR of the reference, against the dense ground truth;
   * docs/PERFORMANCE.md), in the plane's pixels. One angle per frame:
   * 0.75 px radius steps, 56 dB or more from the reference at radii 3-32,
   * no measurable loss against dense (1 px lost 0.4 dB). Angle levels:
   * 0.5 px both (0.6 px radius steps already cost spin 0.24 dB) from a
   * largest radius of SMALL_ANGLE_RADIUS plane pixels on, 0.25 px below it
   * (at 0.5 px spin lost 0.54 dB at 8 px, 1.4-1.6 dB at 3-4 px; at 0.25 px
   * 0.06-0.25 dB). */
  plane_radius_step = angle_varies ? (max_radius * scale < SMALL_ANGLE_RADIUS
      ? 0.25 : 0.5) : 0.75;
  plane_angle_step = angle_varies ? plane_radius_step : 0.0;
  if (steps != NULL) {          /* "R,A": for measurements */
    gchar *end = NULL;

    plane_radius_step = g_ascii_strtod (steps, &end);
    if (angle_varies && end != NULL && *end == ',')
      plane_angle_step = g_ascii_strtod (end + 1, NULL);
  }
  *radius_step = plane_radius_step / scale;
  *angle_step = plane_angle_step / scale;
  if (!(*radius_step > 0.0) || !(*angle_step >= 0.0)
      || possible_plans (max_radius, *radius_step, *angle_step)
      > DISK_FAST_MAX_LEVEL_PLANS) {
    *radius_step = 0.0;
    *angle_step = 0.0;
    return DISK_FAST_VARYING_EXACT;
  }
  return DISK_FAST_VARYING_LEVELS;
}
