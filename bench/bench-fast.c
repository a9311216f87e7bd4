/* DISK through the fast path, as the element runs it (see bench-fast.h). */
#include "bench-fast.h"

#include "disk-fast.h"

#include <string.h>

#define MAX_THREADS 16

typedef enum
{
  STAGE_DOWN,
  STAGE_LEVEL_INDEX,
  STAGE_LAYER,
  STAGE_UP,
} Stage;

typedef struct
{
  Stage stage;
  /* Uniform */
  const DiskFastPlan *plan;
  guint reduction;
  /* Varying */
  const DiskBasis *basis;
  const gfloat *radius, *angle;
  DiskFastLevels *levels;       /* NULL: exact */
  DiskFastLevelIndex *index;    /* with levels: the maps' index */
  const guint8 *uniform;        /* exact: rows of one radius and angle */
  guint layer;
  const DiskImage *src;
  DiskImage *dst;
} Job;

typedef struct
{
  const Job *job;
  guint index, n;
} Band;

static void
run_band (const Job * j, guint index, guint n)
{
  /* Bands of the image the stage writes. */
  const guint h = j->dst->height;
  const guint y0 = (guint) ((guint64) h * index / n);
  const guint y1 = (guint) ((guint64) h * (index + 1) / n);

  switch (j->stage) {
    case STAGE_DOWN:
      disk_fast_downsample_rows (j->src, j->dst, j->reduction, y0, y1);
      break;
    case STAGE_LEVEL_INDEX:
      disk_fast_level_index_fill_rows (j->index, j->radius, j->angle, y0,
          y1);
      break;
    case STAGE_UP:
      disk_fast_upsample_rows (j->src, j->dst, j->reduction, y0, y1);
      break;
    case STAGE_LAYER:
      if (j->plan)
        disk_fast_layer_rows (disk_fast_plan_layer (j->plan, j->layer),
            j->src, j->dst, y0, y1);
      else if (j->levels)
        disk_fast_levels_layer_rows_indexed (j->levels, j->layer, j->index,
            j->src, j->dst, y0, y1, NULL);
      else
        disk_fast_varying_layer_rows_marked (j->basis, j->layer, j->radius,
            j->angle, j->uniform, 1.0, 1.0, j->src, j->dst, y0, y1);
      break;
  }
}

static gpointer
band_main (gpointer data)
{
  Band *b = data;

  run_band (b->job, b->index, b->n);
  return NULL;
}

/* One stage across n threads; the caller runs band 0. */
static void
run_stage (const Job * job, guint n)
{
  GThread *threads[MAX_THREADS];
  Band bands[MAX_THREADS];
  guint i;

  n = CLAMP (n, 1, MAX_THREADS);
  for (i = 1; i < n; i++) {
    bands[i] = (Band) { job, i, n };
    threads[i] = g_thread_new ("bench-fast", band_main, &bands[i]);
  }
  run_band (job, 0, n);
  for (i = 1; i < n; i++)
    g_thread_join (threads[i]);
}

/* The layers, ping-ponging between a and b (a holds the input); returns
 * the one holding the result. */
static DiskImage *
run_layers (Job * job, guint n_layers, DiskImage * a, DiskImage * b,
    guint n_threads)
{
  guint l;

  job->stage = STAGE_LAYER;
  for (l = 0; l < n_layers; l++) {
    DiskImage *swap;

    job->layer = l;
    job->src = a;
    job->dst = b;
    run_stage (job, n_threads);
    swap = a;
    a = b;
    b = swap;
  }
  return a;
}

/* Scratch images kept from one call to the next, as the element keeps its
 * buffers from frame to frame: a fresh 25 MB allocation per frame would time
 * the kernel's page faults. The benchmark calls from one thread. */
static DiskImage *scratch[3];

static DiskImage *
get_scratch (guint index, guint width, guint height, guint channels)
{
  DiskImage *s = scratch[index];

  if (s == NULL || s->width != width || s->height != height
      || s->channels != channels) {
    g_clear_pointer (&scratch[index], disk_image_free);
    scratch[index] = disk_image_new (width, height, channels);
  }
  return scratch[index];
}

void
bench_fast_release (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (scratch); i++)
    g_clear_pointer (&scratch[i], disk_image_free);
}

static void
copy_image (const DiskImage * from, DiskImage * to)
{
  memcpy (to->data, from->data, sizeof (gfloat) * from->width * from->height
      * from->channels);
}

guint
bench_fast_uniform (const DiskComplex * complex, gdouble radius,
    const DiskImage * in, DiskImage * out, guint n_threads)
{
  const guint f = disk_fast_reduction (radius);
  g_autoptr (DiskFastPlan) plan = NULL;
  DiskImage *a, *b, *res;
  Job job = { 0, };

  g_return_val_if_fail (disk_image_same_shape (in, out), 1);
  job.reduction = f;
  if (f > 1) {
    g_autoptr (DiskComplex) k = disk_complex_copy (complex);
    const guint w = disk_fast_reduced_size (in->width, f);
    const guint h = disk_fast_reduced_size (in->height, f);

    disk_complex_scale (k, 1.0f / f);
    plan = disk_fast_plan_new (k, w, h);
    a = get_scratch (1, w, h, in->channels);
    b = get_scratch (2, w, h, in->channels);
    job.plan = plan;
    job.stage = STAGE_DOWN;
    job.src = in;
    job.dst = a;
    run_stage (&job, n_threads);
    res = run_layers (&job, complex->n_layers, a, b, n_threads);
    job.stage = STAGE_UP;
    job.src = res;
    job.dst = out;
    run_stage (&job, n_threads);
    return f;
  }
  /* Full resolution: the first layer reads `in` directly, the others
   * ping-pong between `out` and one scratch image, ending in `out`. */
  plan = disk_fast_plan_new (complex, in->width, in->height);
  job.plan = plan;
  b = get_scratch (0, in->width, in->height, in->channels);
  {
    guint l, n = complex->n_layers;
    /* Layer l writes out when (n - 1 - l) is even, so the last is out. */
    job.stage = STAGE_LAYER;
    for (l = 0; l < n; l++) {
      DiskImage *dst = (n - 1 - l) % 2 == 0 ? out : b;

      job.layer = l;
      job.src = l == 0 ? in : ((n - l) % 2 == 0 ? out : b);
      job.dst = dst;
      run_stage (&job, n_threads);
    }
    if (n == 0)
      copy_image (in, out);
  }
  return 1;
}

gchar *
bench_fast_describe (DiskEffectMode mode, gboolean angle_varies,
    gdouble max_radius)
{
  gdouble rs, as;

  if (disk_fast_varying_method (mode, angle_varies, max_radius, 1.0, &rs,
          &as) != DISK_FAST_VARYING_LEVELS)
    return g_strdup ("exact up to float rounding");
  if (as > 0.0)
    return g_strdup_printf ("BLENDED LEVELS, radius every %g px, angle "
        "levels %g px apart at the taps, as the element runs this mode", rs,
        as);
  return g_strdup_printf ("BLENDED LEVELS, radius every %g px, exact "
      "angle, as the element runs this mode", rs);
}

void
bench_fast_varying (const DiskBasis * basis, DiskEffectMode mode,
    const gfloat * radius, const gfloat * angle, const DiskImage * in,
    DiskImage * out, guint n_threads)
{
  const guint n = basis->entries[0]->n_layers;
  DiskImage *b;
  Job job = { 0, };
  g_autofree guint8 *uniform = NULL;
  guint l;

  g_return_if_fail (disk_image_same_shape (in, out));
  gdouble rs, as;

  job.basis = basis;
  job.radius = radius;
  job.angle = angle;
  gdouble max_radius = 0.0;
  gsize i;

  /* the element knows its radius property; here the largest radius */
  for (i = 0; i < (gsize) in->width * in->height; i++)
    max_radius = MAX (max_radius, radius[i]);
  if (disk_fast_varying_method (mode, angle != NULL, max_radius, 1.0, &rs,
          &as) == DISK_FAST_VARYING_LEVELS) {
    job.levels = disk_fast_levels_new (basis, 1.0, 1.0, rs, as, max_radius,
        in->width, in->height, in->channels);
    /* the maps' index, once for every layer, as the element makes it */
    job.index = disk_fast_level_index_new (job.levels, 0, in->height);
    job.stage = STAGE_LEVEL_INDEX;
    job.dst = out;
    run_stage (&job, n_threads);
  } else {
    /* the rows of one radius and angle, once for every layer, as the
     * element marks them */
    uniform = g_new (guint8, in->height);
    disk_fast_uniform_rows (radius, angle, in->width, 0, in->height,
        uniform);
    job.uniform = uniform;
  }
  b = get_scratch (0, in->width, in->height, in->channels);
  job.stage = STAGE_LAYER;
  for (l = 0; l < n; l++) {
    job.layer = l;
    job.src = l == 0 ? in : ((n - l) % 2 == 0 ? out : b);
    job.dst = (n - 1 - l) % 2 == 0 ? out : b;
    run_stage (&job, n_threads);
  }
  if (n == 0)
    copy_image (in, out);
  disk_fast_level_index_free (job.index);
  disk_fast_levels_free (job.levels);
}
