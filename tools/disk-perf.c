/* disk-perf: frame-rate benchmark of the diskblur filter core, fast path
 * against the reference path in the same invocation (docs/PERFORMANCE.md).
 *
 *   disk-perf --preset presets/bokeh.preset --radius 32 --format rgba \
 *       --threads 2 --runs 7
 *
 * One "frame" is what the element does between unpacking and packing: every
 * work plane of the format, as the element makes them (gstdiskblur-formats.c,
 * an opaque frame: RGBA one 3-channel plane, its alpha not filtered; I420
 * and NV12 Y and a 2-channel quarter plane, U and V side by side) through
 * every layer of the complex, each layer's rows split into one band per
 * thread, the threads meeting between layers. Varying modes also compute
 * the per-pixel radius and angle (disk-effects.h) and their level index
 * every frame, as the element does when the maps change (with every
 * buffer's own map). The picture is a real photo (tests/data) stretched
 * to the frame size.
 *
 * Prints, per path, the median, min and max milliseconds per frame over
 * --runs frames (after one warm-up frame unless --runs 1, which is the
 * setting for `valgrind --tool=callgrind`), and the fast/reference ratio.
 * Exit status 0, or 2 on a bad command line, 1 on an unreadable file. */
#include "disk-effects.h"
#include "disk-fast.h"
#include "disk-filter.h"
#include "disk-image-io.h"
#include "disk-metrics.h"
#include "disk-preset.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PLANES 3

typedef struct
{
  guint n_planes;
  guint sub[MAX_PLANES];        /* subsampling of each plane (1 or 2) */
  DiskImage *work[MAX_PLANES][2];
  gfloat *radius[MAX_PLANES], *angle[MAX_PLANES];
  guint8 *uniform[MAX_PLANES];  /* rows of one radius and angle */
  DiskFastPlan *plan[MAX_PLANES];
  DiskComplex *complex[MAX_PLANES];
  guint reduction[MAX_PLANES];  /* fast uniform path at large radii */
  DiskImage *small[MAX_PLANES][2];
  DiskFastVaryingMethod method;
  DiskFastLevels *levels[MAX_PLANES];   /* varying, per frame */
  DiskFastLevelIndex *index[MAX_PLANES];        /* the maps' level index */
} Frame;

typedef enum
{
  STAGE_MAPS,
  STAGE_LEVEL_INDEX,
  STAGE_DOWN,
  STAGE_LAYER,
  STAGE_ALL_LAYERS,
  STAGE_UP,
} Stage;

typedef struct
{
  Frame *frame;
  const DiskBasis *basis;
  DiskEffectParams params;
  const DiskImage *map;
  guint frame_width, frame_height;
  gboolean fast;
  gboolean one_pass;            /* uniform fast path: all layers at once */
  guint layer, n_layers;
  guint result;                 /* which of work[p][], small[p][] ends up */
  DiskFastWorkspace *workspace[64];     /* one per thread, kept */
  Stage stage;
} Job;

typedef struct
{
  Job *job;
  guint index, n;
} Task;

static void
run_band (Job * job, guint index, guint n)
{
  Frame *f = job->frame;
  guint p;

  for (p = 0; p < f->n_planes; p++) {
    const gboolean reduced = job->fast && f->reduction[p] > 1;
    DiskImage *src = (reduced ? f->small : f->work)[p][job->layer % 2];
    DiskImage *dst = (reduced ? f->small : f->work)[p][(job->layer + 1) % 2];
    guint y0 = (guint) ((guint64) src->height * index / n);
    guint y1 = (guint) ((guint64) src->height * (index + 1) / n);

    if (job->stage == STAGE_MAPS) {
      (job->fast ? disk_fast_effect_fill_rows : disk_effect_fill_rows)
          (&job->params, job->frame_width, job->frame_height, src->width,
          src->height, f->sub[p], f->sub[p], job->map, NULL, f->radius[p],
          f->angle[p], y0, y1);
      /* marked once per frame for the exact layers, as the element does */
      if (job->fast && f->method == DISK_FAST_VARYING_EXACT)
        disk_fast_uniform_rows (f->radius[p], f->angle[p], src->width, y0,
            y1, f->uniform[p]);
    } else if (job->stage == STAGE_LEVEL_INDEX) {
      if (f->index[p] != NULL)
        disk_fast_level_index_fill_rows (f->index[p], f->radius[p],
            f->angle[p], y0, y1);
    } else if (job->stage == STAGE_DOWN) {
      if (reduced)
        disk_fast_downsample_rows (f->work[p][0], f->small[p][0],
            f->reduction[p], y0, y1);
    } else if (job->stage == STAGE_UP) {
      if (reduced) {
        DiskImage *out = f->work[p][job->result];

        y0 = (guint) ((guint64) out->height * index / n);
        y1 = (guint) ((guint64) out->height * (index + 1) / n);
        disk_fast_upsample_rows (f->small[p][job->result], out,
            f->reduction[p], y0, y1);
      }
    } else if (job->stage == STAGE_ALL_LAYERS) {
      /* job->layer is 0: src and dst are images 0 and 1, y0 and y1 split
       * src's rows (reduced or not) */
      if (job->workspace[index] == NULL)
        job->workspace[index] = disk_fast_workspace_new ();
      disk_fast_plan_rows (f->plan[p], src, dst, y0, y1,
          job->workspace[index]);
    } else if (job->params.mode != DISK_EFFECT_UNIFORM && job->fast) {
      if (job->workspace[index] == NULL)
        job->workspace[index] = disk_fast_workspace_new ();
      if (f->levels[p] != NULL)
        disk_fast_levels_layer_rows_indexed (f->levels[p], job->layer,
            f->index[p], src, dst, y0, y1, job->workspace[index]);
      else
        disk_fast_varying_layer_rows_marked (job->basis, job->layer,
            f->radius[p], f->angle[p], f->uniform[p], 1.0 / f->sub[p],
            1.0 / f->sub[p], src, dst, y0, y1);
    } else if (job->params.mode != DISK_EFFECT_UNIFORM) {
      disk_filter_varying_layer_rows_scaled (job->basis, job->layer,
          f->radius[p], f->angle[p], 1.0 / f->sub[p], 1.0 / f->sub[p], src,
          dst, y0, y1);
    } else if (job->fast) {
      disk_fast_layer_rows (disk_fast_plan_layer (f->plan[p], job->layer),
          src, dst, y0, y1);
    } else {
      const DiskComplex *c = f->complex[p];

      disk_filter_layer_rows (disk_complex_layer (c, job->layer),
          c->n_samples[job->layer], src, dst, y0, y1);
    }
  }
}

static gpointer
task_main (gpointer data)
{
  Task *t = data;

  run_band (t->job, t->index, t->n);
  return NULL;
}

/* One stage across n threads: the caller runs band 0. */
static void
run_stage (Job * job, guint n_threads)
{
  GThread *threads[64];
  Task tasks[64];
  guint i;

  for (i = 1; i < n_threads; i++) {
    tasks[i] = (Task) { job, i, n_threads };
    threads[i] = g_thread_new ("perf", task_main, &tasks[i]);
  }
  run_band (job, 0, n_threads);
  for (i = 1; i < n_threads; i++)
    g_thread_join (threads[i]);
}

static void
run_frame (Job * job, guint n_threads, guint n_layers)
{
  Frame *f = job->frame;
  gboolean reduced = FALSE;
  guint p, l;

  /* Per-frame planning, as the element does it. */
  job->n_layers = n_layers;
  job->layer = 0;
  if (job->params.mode == DISK_EFFECT_UNIFORM) {
    for (p = 0; p < f->n_planes; p++) {
      const DiskImage *plane = f->work[p][0];

      g_clear_pointer (&f->complex[p], disk_complex_free);
      g_clear_pointer (&f->plan[p], disk_fast_plan_free);
      f->complex[p] = disk_basis_new_complex (job->basis);
      disk_basis_interpolate (job->basis, job->params.radius,
          job->params.angle, f->complex[p]);
      if (f->sub[p] != 1)
        disk_complex_scale_xy (f->complex[p], 1.0f / f->sub[p],
            1.0f / f->sub[p]);
      if (!job->fast)
        continue;
      f->reduction[p] = disk_fast_reduction (job->params.radius / f->sub[p]);
      if (f->reduction[p] > 1) {
        g_autoptr (DiskComplex) k = disk_complex_copy (f->complex[p]);
        const guint r = f->reduction[p];
        const guint w = disk_fast_reduced_size (plane->width, r);
        const guint h = disk_fast_reduced_size (plane->height, r);

        for (l = 0; l < 2; l++)
          if (f->small[p][l] == NULL || f->small[p][l]->width != w
              || f->small[p][l]->height != h) {
            g_clear_pointer (&f->small[p][l], disk_image_free);
            f->small[p][l] = disk_image_new (w, h, plane->channels);
          }
        disk_complex_scale (k, 1.0f / r);
        f->plan[p] = disk_fast_plan_new (k, w, h);
        reduced = TRUE;
      } else {
        f->plan[p] = disk_fast_plan_new (f->complex[p], plane->width,
            plane->height);
      }
    }
  } else {
    gdouble radius_step, angle_step;
    /* spin and zoom turn the kernel from pixel to pixel (no angle maps
     * here) */
    gboolean angle_varies = job->params.mode == DISK_EFFECT_SPIN
        || job->params.mode == DISK_EFFECT_ZOOM;

    f->method = disk_fast_varying_method (job->params.mode, angle_varies,
        job->params.radius, 1.0, &radius_step, &angle_step);
    job->stage = STAGE_MAPS;
    run_stage (job, n_threads);
    for (p = 0; p < f->n_planes; p++) {
      const DiskImage *plane = f->work[p][0];

      /* each plane's steps in its own pixels, as the element sets them */
      if (f->method == DISK_FAST_VARYING_LEVELS)
        disk_fast_varying_method (job->params.mode, angle_varies,
            job->params.radius, 1.0 / f->sub[p], &radius_step, &angle_step);
      /* kept from frame to frame, as the element keeps them */
      if (job->fast && f->method == DISK_FAST_VARYING_LEVELS
          && disk_fast_levels_reusable (f->levels[p], job->basis,
              1.0 / f->sub[p], 1.0 / f->sub[p], radius_step, angle_step,
              job->params.radius, plane->width, plane->height,
              plane->channels))
        continue;
      g_clear_pointer (&f->index[p], disk_fast_level_index_free);
      g_clear_pointer (&f->levels[p], disk_fast_levels_free);
      if (job->fast && f->method == DISK_FAST_VARYING_LEVELS) {
        f->levels[p] = disk_fast_levels_new (job->basis, 1.0 / f->sub[p],
            1.0 / f->sub[p], radius_step, angle_step, job->params.radius,
            plane->width, plane->height, plane->channels);
        /* binary16 input rows, as the element reads 8-bit video */
        disk_fast_levels_set_rows (f->levels[p], DISK_FAST_ROWS_HALF);
        f->index[p] = disk_fast_level_index_new (f->levels[p], 0,
            plane->height);
      }
    }
    /* the maps are made again each frame here (as for maps that come with
     * each buffer): so is their index */
    job->stage = STAGE_LEVEL_INDEX;
    run_stage (job, n_threads);
  }
  if (reduced) {
    job->stage = STAGE_DOWN;
    run_stage (job, n_threads);
  }
  job->result = n_layers % 2;
  if (job->fast && job->one_pass && job->params.mode == DISK_EFFECT_UNIFORM) {
    job->stage = STAGE_ALL_LAYERS;
    job->result = 1;
    run_stage (job, n_threads);
  } else {
    job->stage = STAGE_LAYER;
    for (l = 0; l < n_layers; l++) {
      job->layer = l;
      run_stage (job, n_threads);
    }
  }
  if (reduced) {
    job->stage = STAGE_UP;
    run_stage (job, n_threads);
  }
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* The photo stretched (nearest) to w x h with `channels` channels. */
static DiskImage *
stretch (const DiskImage * photo, guint w, guint h, guint channels)
{
  DiskImage *out = disk_image_new (w, h, channels);
  guint x, y, c;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      const gfloat *s = disk_image_pixel (photo, x * photo->width / w,
          y * photo->height / h);
      gfloat *o = disk_image_pixel (out, x, y);

      for (c = 0; c < channels; c++)
        o[c] = c < photo->channels ? s[c] : 1.0f;
    }
  return out;
}

static gdouble
time_path (Job * job, guint n_threads, guint n_layers, guint runs,
    gdouble * min_ms, gdouble * max_ms)
{
  g_autofree gdouble *ms = g_new (gdouble, runs);
  guint r;

  if (runs > 1)
    run_frame (job, n_threads, n_layers);       /* warm-up */
  for (r = 0; r < runs; r++) {
    gint64 t0 = g_get_monotonic_time ();

    run_frame (job, n_threads, n_layers);
    ms[r] = (g_get_monotonic_time () - t0) / 1000.0;
  }
  qsort (ms, runs, sizeof (gdouble), compare_doubles);
  *min_ms = ms[0];
  *max_ms = ms[runs - 1];
  return ms[runs / 2];
}

int
main (int argc, char **argv)
{
  g_autofree gchar *preset_path = g_strdup ("presets/bokeh.preset");
  g_autofree gchar *photo_path = g_strdup ("tests/data/coffee.png");
  g_autofree gchar *map_path =
      g_strdup ("tests/data/motorcycle-disparity.png");
  g_autofree gchar *format = g_strdup ("rgba");
  g_autofree gchar *mode = g_strdup ("uniform");
  g_autofree gchar *paths = g_strdup ("both");
  g_auto (GStrv) path_list = NULL;
  static const gchar *const known_paths[] = { "fast", "layers", "ref", NULL };
  guint i;
  gdouble radius = 32.0;
  gint width = 1920, height = 1080, threads = 2, runs = 5, ref_runs = 0;
  GOptionEntry entries[] = {
    {"preset", 0, 0, G_OPTION_ARG_FILENAME, &preset_path, "Preset file",
        "PATH"},
    {"photo", 0, 0, G_OPTION_ARG_FILENAME, &photo_path, "Picture", "PATH"},
    {"map", 0, 0, G_OPTION_ARG_FILENAME, &map_path,
        "Strength/disparity map for map and depth modes", "PATH"},
    {"format", 0, 0, G_OPTION_ARG_STRING, &format, "rgba, i420 or nv12",
        "F"},
    {"mode", 0, 0, G_OPTION_ARG_STRING, &mode,
        "uniform, tilt-shift, spin, zoom, map, depth", "M"},
    {"radius", 0, 0, G_OPTION_ARG_DOUBLE, &radius, "Radius (px)", "R"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Frame width", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Frame height", "H"},
    {"threads", 0, 0, G_OPTION_ARG_INT, &threads, "Threads (1-64)", "N"},
    {"runs", 0, 0, G_OPTION_ARG_INT, &runs, "Timed frames per path", "N"},
    {"ref-runs", 0, 0, G_OPTION_ARG_INT, &ref_runs,
        "Timed frames of the reference path (default: --runs)", "N"},
    {"path", 0, 0, G_OPTION_ARG_STRING, &paths,
        "Comma-separated: fast (as the element), layers (the fast path "
          "layer by layer, whole images between layers), ref; both = fast,ref",
        "P"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- diskblur core frame rate");
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskPreset) preset = NULL;
  g_autoptr (DiskImage) photo = NULL;
  g_autoptr (DiskImage) map = NULL;
  Frame frame = { 0, };
  Job job = { 0, };
  gdouble t_fast = 0.0, t_ref = 0.0, lo, hi;
  guint p, n_layers, chans[MAX_PLANES];

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("disk-perf: %s\n", error->message);
    return 2;
  }
  if (width < 16 || height < 16 || threads < 1 || threads > 64 || runs < 1
      || !(radius >= 0.0)) {
    g_printerr ("disk-perf: --width/--height >= 16, --threads 1-64, "
        "--runs >= 1, --radius >= 0\n");
    return 2;
  }

  disk_effect_params_init (&job.params);
  job.params.radius = radius;
  if (g_str_equal (mode, "uniform"))
    job.params.mode = DISK_EFFECT_UNIFORM;
  else if (g_str_equal (mode, "tilt-shift"))
    job.params.mode = DISK_EFFECT_TILT_SHIFT;
  else if (g_str_equal (mode, "spin"))
    job.params.mode = DISK_EFFECT_SPIN;
  else if (g_str_equal (mode, "zoom"))
    job.params.mode = DISK_EFFECT_ZOOM;
  else if (g_str_equal (mode, "map"))
    job.params.mode = DISK_EFFECT_MAP;
  else if (g_str_equal (mode, "depth"))
    job.params.mode = DISK_EFFECT_DEPTH;
  else {
    g_printerr ("disk-perf: --mode: unknown mode \"%s\"\n", mode);
    return 2;
  }

  /* Until 2026-11-22 rgba was one 4-channel plane and i420 three 1-channel
   * planes, which the element has not run since it filtered alpha apart
   * and put U and V in one plane (docs/PERFORMANCE.md, twenty-first
   * session). */
  if (g_str_equal (format, "rgba")) {
    frame.n_planes = 1;
    chans[0] = 3, frame.sub[0] = 1;
  } else if (g_str_equal (format, "i420") || g_str_equal (format, "nv12")) {
    frame.n_planes = 2;
    chans[0] = 1, chans[1] = 2;
    frame.sub[0] = 1, frame.sub[1] = 2;
  } else {
    g_printerr ("disk-perf: --format: unknown format \"%s\"\n", format);
    return 2;
  }

  preset = disk_preset_load_file (preset_path, &error);
  if (preset == NULL) {
    g_printerr ("disk-perf: %s\n", error->message);
    return 1;
  }
  photo = disk_image_load (photo_path, &error);
  if (photo == NULL) {
    g_printerr ("disk-perf: %s\n", error->message);
    return 1;
  }
  if (disk_effect_mode_uses_map (job.params.mode)) {
    g_autoptr (DiskImage) m = disk_image_load (map_path, &error);

    if (m == NULL) {
      g_printerr ("disk-perf: %s\n", error->message);
      return 1;
    }
    map = disk_image_to_luminance (m);
  }

  for (p = 0; p < frame.n_planes; p++) {
    guint w = (width + frame.sub[p] - 1) / frame.sub[p];
    guint h = (height + frame.sub[p] - 1) / frame.sub[p];

    frame.work[p][0] = stretch (photo, w, h, chans[p]);
    frame.work[p][1] = disk_image_new (w, h, chans[p]);
    frame.radius[p] = g_new (gfloat, (gsize) w * h);
    frame.angle[p] = g_new (gfloat, (gsize) w * h);
    frame.uniform[p] = g_new0 (guint8, h);
  }

  job.frame = &frame;
  job.basis = preset->basis;
  job.map = map;
  job.frame_width = width;
  job.frame_height = height;
  n_layers = preset->basis->entries[0]->n_layers;

  g_print ("disk-perf: %s %s r=%g %s %dx%d threads=%d runs=%d simd=%s\n",
      preset->name, mode, radius, format, width, height, threads, runs,
      disk_fast_simd_name ());
  path_list = g_strsplit (g_str_equal (paths, "both") ? "fast,ref" : paths,
      ",", -1);
  for (i = 0; path_list[i] != NULL; i++)
    if (!g_strv_contains (known_paths, path_list[i])) {
      g_printerr ("disk-perf: --path: unknown path '%s' (fast, layers, "
          "ref, both)\n", path_list[i]);
      return 2;
    }
  if (g_strv_contains ((const gchar * const *) path_list, "layers")) {
    gdouble t;

    job.fast = TRUE;
    job.one_pass = FALSE;
    t = time_path (&job, threads, n_layers, runs, &lo, &hi);
    g_print ("layers: median %.2f ms (min %.2f, max %.2f) = %.1f fps\n",
        t, lo, hi, 1000.0 / t);
  }
  if (g_strv_contains ((const gchar * const *) path_list, "fast")) {
    job.fast = TRUE;
    job.one_pass = TRUE;
    t_fast = time_path (&job, threads, n_layers, runs, &lo, &hi);
    g_print ("fast: median %.2f ms (min %.2f, max %.2f) = %.1f fps\n",
        t_fast, lo, hi, 1000.0 / t_fast);
  }
  if (g_strv_contains ((const gchar * const *) path_list, "ref")) {
    job.fast = FALSE;
    t_ref = time_path (&job, threads, n_layers, ref_runs > 0 ? ref_runs
        : runs, &lo, &hi);
    g_print ("ref:  median %.2f ms (min %.2f, max %.2f) = %.1f fps\n",
        t_ref, lo, hi, 1000.0 / t_ref);
  }
  if (t_fast > 0.0 && t_ref > 0.0)
    g_print ("speed-up: %.2fx\n", t_ref / t_fast);
  for (p = 0; p < frame.n_planes; p++)
    if (frame.levels[p] != NULL)
      g_print ("plane %u: %u level plans (kept from frame to frame)\n", p,
          disk_fast_levels_n_plans (frame.levels[p]));

  for (p = 0; p < frame.n_planes; p++) {
    disk_image_free (frame.work[p][0]);
    disk_image_free (frame.work[p][1]);
    g_free (frame.radius[p]);
    g_free (frame.uniform[p]);
    g_free (frame.angle[p]);
    disk_fast_level_index_free (frame.index[p]);
    disk_fast_levels_free (frame.levels[p]);
    disk_fast_plan_free (frame.plan[p]);
    if (frame.small[p][0] != NULL)
      disk_image_free (frame.small[p][0]);
    if (frame.small[p][1] != NULL)
      disk_image_free (frame.small[p][1]);
    disk_complex_free (frame.complex[p]);
  }
  for (i = 0; i < G_N_ELEMENTS (job.workspace); i++)
    disk_fast_workspace_free (job.workspace[i]);
  return 0;
}
