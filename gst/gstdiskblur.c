/* diskblur: a GstVideoFilter that blurs with DISK sparse kernel complexes.
 *
 * Per frame: the properties are snapshotted (before_transform, under the
 * object lock), then every memory plane is unpacked to a float image, the
 * complex's layers run one after another with each layer's rows split across
 * the worker pool (the pool's run is the barrier between layers), and the
 * planes are packed back. Each output pixel is computed by the same code
 * whichever thread runs its row, so the result does not depend on n-threads.
 *
 * SECTION:element-diskblur
 * See docs/ELEMENT.md for the properties, formulas and the map meta.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstdiskblur.h"
#include "gstdiskblur-maps.h"
#include "gstdiskblur-presets.h"
#include "disk-fast.h"
#include "disk-filter.h"

#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_disk_blur_debug);
#define GST_CAT_DEFAULT gst_disk_blur_debug

#define DEFAULT_PRESET "bokeh"
#define DEFAULT_RADIUS 8.0
#define DEFAULT_N_THREADS 0
#define DEFAULT_LINEAR_LIGHT FALSE
#define MAX_RADIUS 256.0
#define MAX_THREADS 256

enum
{
  PROP_0,
  PROP_PRESET,
  PROP_LOCATION,
  PROP_RADIUS,
  PROP_ANGLE,
  PROP_MODE,
  PROP_CENTER_X,
  PROP_CENTER_Y,
  PROP_FOCUS_ANGLE,
  PROP_FOCUS_WIDTH,
  PROP_FOCUS_FALLOFF,
  PROP_FOCUS_DEPTH,
  PROP_DEPTH_RANGE,
  PROP_MAP_LOCATION,
  PROP_ANGLE_MAP_LOCATION,
  PROP_N_THREADS,
  PROP_LINEAR_LIGHT,
};

#define CAPS GST_VIDEO_CAPS_MAKE (GST_DISK_BLUR_FORMATS)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS));

GType
gst_disk_blur_mode_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    {DISK_EFFECT_UNIFORM, "The same kernel everywhere", "uniform"},
    {DISK_EFFECT_TILT_SHIFT, "Sharp band, blur growing away from it",
        "tilt-shift"},
    {DISK_EFFECT_SPIN, "Kernel turned tangentially, growing from the centre "
          "(rotational blur)", "spin"},
    {DISK_EFFECT_ZOOM, "Kernel turned radially, growing from the centre "
          "(zoom blur)", "zoom"},
    {DISK_EFFECT_MAP, "Radius scaled by a strength map", "map"},
    {DISK_EFFECT_DEPTH, "Radius from a disparity map and a focus depth",
        "depth"},
    {0, NULL, NULL},
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstDiskBlurMode", values);
    g_once_init_leave (&type, t);
  }
  return type;
}

#define gst_disk_blur_parent_class parent_class
G_DEFINE_TYPE (GstDiskBlur, gst_disk_blur, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (diskblur, "diskblur", GST_RANK_NONE,
    GST_TYPE_DISK_BLUR);

static void
settings_clear (GstDiskBlurSettings * s)
{
  g_clear_pointer (&s->preset_name, g_free);
  g_clear_pointer (&s->location, g_free);
  g_clear_pointer (&s->map_location, g_free);
  g_clear_pointer (&s->angle_map_location, g_free);
}

static void
settings_copy (GstDiskBlurSettings * dst, const GstDiskBlurSettings * src)
{
  settings_clear (dst);
  *dst = *src;
  dst->preset_name = g_strdup (src->preset_name);
  dst->location = g_strdup (src->location);
  dst->map_location = g_strdup (src->map_location);
  dst->angle_map_location = g_strdup (src->angle_map_location);
}

/* The per-thread memory of the one-pass uniform layers. */
static void
free_workspaces (GstDiskBlur * self)
{
  guint i;

  if (self->workspace == NULL)
    return;
  for (i = 0; self->workspace[i] != NULL; i++)
    disk_fast_workspace_free (self->workspace[i]);
  g_clear_pointer (&self->workspace, g_free);
}

/* The level plans of plane p and the index that was made for them. */
static void
drop_levels (GstDiskBlur * self, guint p)
{
  g_clear_pointer (&self->level_index[p], disk_fast_level_index_free);
  g_clear_pointer (&self->levels[p], disk_fast_levels_free);
}

static void
free_buffers (GstDiskBlur * self)
{
  guint p;

  for (p = 0; p < GST_VIDEO_MAX_PLANES; p++) {
    g_clear_pointer (&self->work[p][0], disk_image_free);
    g_clear_pointer (&self->work[p][1], disk_image_free);
    g_clear_pointer (&self->small[p][0], disk_image_free);
    g_clear_pointer (&self->small[p][1], disk_image_free);
    g_clear_pointer (&self->radius[p], g_free);
    g_clear_pointer (&self->angle[p], g_free);
    g_clear_pointer (&self->uniform_rows[p], g_free);
    drop_levels (self, p);
  }
  self->maps_kept = FALSE;
}

/* ------------------------------------------------------------------------ */
/* Properties */

static void
gst_disk_blur_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstDiskBlur *self = GST_DISK_BLUR (object);
  GstDiskBlurSettings *p = &self->props;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRESET:
      g_free (p->preset_name);
      p->preset_name = g_value_dup_string (value);
      p->preset_serial++;
      break;
    case PROP_LOCATION:
      g_free (p->location);
      p->location = g_value_dup_string (value);
      p->preset_serial++;
      break;
    case PROP_RADIUS:
      p->params.radius = g_value_get_double (value);
      break;
    case PROP_ANGLE:
      p->params.angle = g_value_get_double (value);
      break;
    case PROP_MODE:
      p->params.mode = g_value_get_enum (value);
      break;
    case PROP_CENTER_X:
      p->params.center_x = g_value_get_double (value);
      break;
    case PROP_CENTER_Y:
      p->params.center_y = g_value_get_double (value);
      break;
    case PROP_FOCUS_ANGLE:
      p->params.focus_angle = g_value_get_double (value);
      break;
    case PROP_FOCUS_WIDTH:
      p->params.focus_width = g_value_get_double (value);
      break;
    case PROP_FOCUS_FALLOFF:
      p->params.focus_falloff = g_value_get_double (value);
      break;
    case PROP_FOCUS_DEPTH:
      p->params.focus_depth = g_value_get_double (value);
      break;
    case PROP_DEPTH_RANGE:
      p->params.depth_range = g_value_get_double (value);
      break;
    case PROP_MAP_LOCATION:
      g_free (p->map_location);
      p->map_location = g_value_dup_string (value);
      p->map_serial++;
      break;
    case PROP_ANGLE_MAP_LOCATION:
      g_free (p->angle_map_location);
      p->angle_map_location = g_value_dup_string (value);
      p->angle_map_serial++;
      break;
    case PROP_N_THREADS:
      p->n_threads = g_value_get_uint (value);
      break;
    case PROP_LINEAR_LIGHT:
      p->linear_light = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_disk_blur_get_property (GObject * object, guint prop_id, GValue * value,
    GParamSpec * pspec)
{
  GstDiskBlur *self = GST_DISK_BLUR (object);
  GstDiskBlurSettings *p = &self->props;

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRESET:
      g_value_set_string (value, p->preset_name);
      break;
    case PROP_LOCATION:
      g_value_set_string (value, p->location);
      break;
    case PROP_RADIUS:
      g_value_set_double (value, p->params.radius);
      break;
    case PROP_ANGLE:
      g_value_set_double (value, p->params.angle);
      break;
    case PROP_MODE:
      g_value_set_enum (value, p->params.mode);
      break;
    case PROP_CENTER_X:
      g_value_set_double (value, p->params.center_x);
      break;
    case PROP_CENTER_Y:
      g_value_set_double (value, p->params.center_y);
      break;
    case PROP_FOCUS_ANGLE:
      g_value_set_double (value, p->params.focus_angle);
      break;
    case PROP_FOCUS_WIDTH:
      g_value_set_double (value, p->params.focus_width);
      break;
    case PROP_FOCUS_FALLOFF:
      g_value_set_double (value, p->params.focus_falloff);
      break;
    case PROP_FOCUS_DEPTH:
      g_value_set_double (value, p->params.focus_depth);
      break;
    case PROP_DEPTH_RANGE:
      g_value_set_double (value, p->params.depth_range);
      break;
    case PROP_MAP_LOCATION:
      g_value_set_string (value, p->map_location);
      break;
    case PROP_ANGLE_MAP_LOCATION:
      g_value_set_string (value, p->angle_map_location);
      break;
    case PROP_N_THREADS:
      g_value_set_uint (value, p->n_threads);
      break;
    case PROP_LINEAR_LIGHT:
      g_value_set_boolean (value, p->linear_light);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* ------------------------------------------------------------------------ */
/* Loading presets and maps (streaming thread, at the first frame after a
 * change; errors are posted and fail that frame) */

static gboolean
ensure_preset (GstDiskBlur * self, const GstDiskBlurSettings * s)
{
  g_autoptr (GError) error = NULL;
  DiskPreset *preset;
  guint p;

  if (self->preset != NULL && self->preset_loaded_serial == s->preset_serial)
    return TRUE;

  if (s->location != NULL && s->location[0] != '\0') {
    preset = disk_preset_load_file (s->location, &error);
    if (preset == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not load preset file \"%s\": %s", s->location,
              error->message), ("property location=%s", s->location));
      return FALSE;
    }
  } else {
    preset = gst_disk_blur_preset_load_builtin (s->preset_name, &error);
    if (preset == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
          ("Could not load preset \"%s\": %s", s->preset_name ?
              s->preset_name : "(null)", error->message),
          ("property preset=%s", s->preset_name));
      return FALSE;
    }
  }
  GST_INFO_OBJECT (self, "loaded preset \"%s\" (%u radii, %u layers)",
      preset->name, preset->basis->n_entries,
      preset->basis->entries[0]->n_layers);
  g_clear_pointer (&self->preset, disk_preset_free);
  self->preset = preset;
  self->preset_loaded_serial = s->preset_serial;
  /* the level plans were made from the old basis (an allocation may reuse
   * its address) */
  for (p = 0; p < GST_VIDEO_MAX_PLANES; p++)
    drop_levels (self, p);
  return TRUE;
}

static gboolean
ensure_map (GstDiskBlur * self, const gchar * what, const gchar * path,
    guint serial, DiskImage ** map, guint * loaded_serial)
{
  g_autoptr (GError) error = NULL;

  if (*loaded_serial == serial)
    return TRUE;
  g_clear_pointer (map, disk_image_free);
  if (path != NULL && path[0] != '\0') {
    *map = gst_disk_blur_map_load (path, &error);
    if (*map == NULL) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not load %s file \"%s\": %s", what, path, error->message),
          ("property %s=%s", what, path));
      return FALSE;
    }
    GST_INFO_OBJECT (self, "loaded %s \"%s\" (%ux%u)", what, path,
        (*map)->width, (*map)->height);
  }
  *loaded_serial = serial;
  return TRUE;
}

static gboolean
ensure_pool (GstDiskBlur * self, guint n_threads)
{
  g_autoptr (GError) error = NULL;
  guint i;

  if (n_threads == 0)
    n_threads = MIN (g_get_num_processors (), MAX_THREADS);
  if (self->pool != NULL
      && gst_disk_blur_pool_get_n_threads (self->pool) == n_threads)
    return TRUE;
  free_workspaces (self);
  g_clear_pointer (&self->pool, gst_disk_blur_pool_free);
  self->pool = gst_disk_blur_pool_new (n_threads, &error);
  if (self->pool == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Could not start %u worker threads: %s", n_threads, error->message),
        (NULL));
    return FALSE;
  }
  self->workspace = g_new0 (DiskFastWorkspace *, n_threads + 1);
  for (i = 0; i < n_threads; i++)
    self->workspace[i] = disk_fast_workspace_new ();
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The per-frame job, run in stages across the pool */

typedef enum
{
  STAGE_UNPACK,
  STAGE_MAPS,
  STAGE_LEVEL_INDEX,
  STAGE_DOWN,
  STAGE_LAYER,
  STAGE_ALL_LAYERS,
  STAGE_STREAM,
  STAGE_UP,
  STAGE_PACK,
} Stage;

typedef struct
{
  GstDiskBlur *self;
  Stage stage;
  guint layer;
  const GstVideoFrame *in;
  GstVideoFrame *out;
  const GstDiskBlurSettings *settings;
  const DiskBasis *basis;
  const DiskImage *strength;
  const DiskImage *angle_map;
  gboolean varying;
  DiskFastPlan *plan[GST_VIDEO_MAX_PLANES];     /* uniform: per plane */
  DiskFastLevels *levels[GST_VIDEO_MAX_PLANES]; /* varying, by levels */
  gboolean fill_index[GST_VIDEO_MAX_PLANES];    /* level_index[p] is new */
  guint reduction[GST_VIDEO_MAX_PLANES];        /* 1, or layers run reduced */
  gint translucent;             /* some alpha below the maximum (atomic) */
  gint next_chunk[GST_VIDEO_MAX_PLANES];        /* varying layers: the next
                                                 * chunk of rows (atomic) */
  gboolean skip_alpha;          /* opaque frame: the alpha plane stays 1 */
  guint result;                 /* which of work[p][], small[p][] ends up */
  gint64 stage_us[STAGE_PACK + 1];      /* wall time per stage, for the log */
} Job;

/* Whether filtering an all-ones plane gives ones again, so that an opaque
 * frame's alpha plane need not be filtered: every layer of every radius
 * (hence every interpolated complex) has weights summing to 1 within 1e-4,
 * so the filtered alpha would be within 1e-3 of 1 (less than 1/4 LSB). */
static gboolean
basis_keeps_ones (const DiskBasis * basis)
{
  guint e, l, i;

  for (e = 0; e < basis->n_entries; e++) {
    const DiskComplex *c = basis->entries[e];

    for (l = 0; l < c->n_layers; l++) {
      const DiskSample *s = disk_complex_layer (c, l);
      gdouble sum = 0.0;

      for (i = 0; i < c->n_samples[l]; i++)
        sum += s[i].w;
      if (!(fabs (sum - 1.0) <= 1e-4))
        return FALSE;
    }
  }
  return TRUE;
}

/* A plane's rows going through disk_fast_plan_stream: unpacked from the
 * input frame on the way in, packed into the output frame on the way out,
 * the alpha written as the maximum (an opaque frame is assumed; `opaque`
 * says whether that held for the rows read). */
typedef struct
{
  const GstDiskBlurLayout *layout;
  guint plane;
  const GstVideoFrame *in;
  GstVideoFrame *out;
  gboolean linear_light;
  gfloat *alpha_row;            /* the plane has alpha: one row's scratch */
  gboolean opaque;
} StreamRows;

static void
stream_read (gpointer data, gfloat * rows, gsize stride, guint y_begin,
    guint y_end)
{
  StreamRows *s = data;

  s->opaque &= gst_disk_blur_unpack_rows_to (s->layout, s->plane, s->in,
      s->linear_light, rows, stride, s->alpha_row, 0, y_begin, y_end);
}

static void
stream_write (gpointer data, const gfloat * rows, gsize stride,
    guint y_begin, guint y_end)
{
  StreamRows *s = data;

  gst_disk_blur_pack_rows_from (s->layout, s->plane, rows, stride, NULL, 0,
      s->linear_light, s->out, y_begin, y_end);
}

static gboolean
layout_has_alpha (const GstDiskBlurLayout * layout)
{
  guint p;

  for (p = 0; p < layout->n_planes; p++)
    if (layout->planes[p].alpha_only)
      return TRUE;
  return FALSE;
}

/* Chunks of rows per task in the varying layers: enough to even out the
 * rows' costs, few enough that the rows each chunk copies around it (its
 * taps' reach) stay a small part. */
#define VARYING_CHUNKS_PER_TASK 4

static void
run_task (gpointer data, guint index, guint n_tasks)
{
  Job *job = data;
  GstDiskBlur *self = job->self;
  const GstDiskBlurLayout *layout = &self->layout;
  const gboolean linear = job->settings->linear_light;
  guint p;

  for (p = 0; p < layout->n_planes; p++) {
    const GstDiskBlurPlane *pl = &layout->planes[p];
    guint y0, y1;

    /* No early exit on an empty share: the reduced stages split the
     * reduced plane's rows, which can give this task rows when the full
     * plane's split gives none (tiny frames, many threads). Every row
     * function does nothing on an empty range. */
    gst_disk_blur_split_rows (pl->height, index, n_tasks, &y0, &y1);
    if (pl->alpha_only && job->skip_alpha)
      continue;

    switch (job->stage) {
      case STAGE_UNPACK:
        /* Also unpacks the plane's alpha plane, if any. */
        if (!gst_disk_blur_unpack_rows (layout, p, job->in, linear,
                self->work[p][0], pl->alpha_plane >= 0 ?
                self->work[pl->alpha_plane][0] : NULL, y0, y1))
          g_atomic_int_set (&job->translucent, 1);
        break;
      case STAGE_MAPS:
        disk_fast_effect_fill_rows (&job->settings->params,
            GST_VIDEO_FRAME_WIDTH (job->in), GST_VIDEO_FRAME_HEIGHT (job->in),
            pl->width, pl->height, pl->sub_x, pl->sub_y, job->strength,
            job->angle_map, self->radius[p], self->angle[p], y0, y1);
        /* for the exact layers, once per change of maps, not once per
         * layer (disk-fast.h); level-blended planes have their index, and
         * their marks say "not known" (0: rows scanned), never stale */
        if (job->levels[p] == NULL)
          disk_fast_uniform_rows (self->radius[p], self->angle[p], pl->width,
              y0, y1, self->uniform_rows[p]);
        else
          memset (self->uniform_rows[p] + y0, 0, y1 - y0);
        break;
      case STAGE_LEVEL_INDEX:
        if (job->fill_index[p])
          disk_fast_level_index_fill_rows (self->level_index[p],
              self->radius[p], self->angle[p], y0, y1);
        break;
      case STAGE_DOWN:
      case STAGE_UP:{
        const guint f = job->reduction[p];
        guint s0, s1;

        if (f == 1)
          break;
        if (job->stage == STAGE_DOWN) {
          gst_disk_blur_split_rows (self->small[p][0]->height, index, n_tasks,
              &s0, &s1);
          disk_fast_downsample_rows (self->work[p][0], self->small[p][0], f,
              s0, s1);
        } else {
          disk_fast_upsample_rows (self->small[p][job->result],
              self->work[p][job->result], f, y0, y1);
        }
        break;
      }
      case STAGE_LAYER:{
        const gboolean reduced = job->reduction[p] > 1;
        const DiskImage *src = (reduced ? self->small : self->work)[p]
            [job->layer % 2];
        DiskImage *dst = (reduced ? self->small : self->work)[p]
            [(job->layer + 1) % 2];

        if (job->varying) {
          /* Rows cost what their radii make them cost (an in-focus band
           * is cheap), so equal shares would leave a thread waiting:
           * chunks are handed out as threads come for them. A row's value
           * does not depend on its chunk. */
          const guint n_chunks = n_tasks * VARYING_CHUNKS_PER_TASK;
          guint c;

          while ((c = (guint) g_atomic_int_add (&job->next_chunk[p], 1))
              < n_chunks) {
            gst_disk_blur_split_rows (pl->height, c, n_chunks, &y0, &y1);
            if (job->levels[p] != NULL)
              disk_fast_levels_layer_rows_indexed (job->levels[p],
                  job->layer, self->level_index[p], src, dst, y0, y1,
                  self->workspace[index]);
            else
              disk_fast_varying_layer_rows_marked (job->basis,
                  job->layer, self->radius[p], self->angle[p],
                  self->uniform_rows[p], 1.0 / pl->sub_x, 1.0 / pl->sub_y,
                  src, dst, y0, y1);
          }
        } else {
          if (reduced)
            gst_disk_blur_split_rows (src->height, index, n_tasks, &y0, &y1);
          disk_fast_layer_rows (disk_fast_plan_layer (job->plan[p],
                  job->layer), src, dst, y0, y1);
        }
        break;
      }
      case STAGE_ALL_LAYERS:{
        /* Uniform: every layer in one pass over the task's rows. */
        const gboolean reduced = job->reduction[p] > 1;
        DiskImage **images = reduced ? self->small[p] : self->work[p];

        if (reduced)
          gst_disk_blur_split_rows (images[0]->height, index, n_tasks, &y0,
              &y1);
        disk_fast_plan_rows (job->plan[p], images[0], images[1], y0, y1,
            self->workspace[index]);
        break;
      }
      case STAGE_STREAM:{
        /* Uniform, full size, an opaque frame expected: unpack, every
         * layer and pack in one pass, each row converted while it is in
         * the caches. */
        StreamRows rows = { layout, p, job->in, job->out, linear, NULL,
          TRUE
        };
        /* Rows between layers in binary16 for 8-bit video: within a small
         * part of an 8-bit step (disk-fast.h), half the bytes to read. */
        const DiskFastStream stream = { stream_read, stream_write, &rows,
          GST_VIDEO_FRAME_COMP_DEPTH (job->in, 0) <= 8 ?
              DISK_FAST_ROWS_HALF : DISK_FAST_ROWS_FLOAT
        };

        if (pl->alpha_plane >= 0)
          rows.alpha_row = g_new (gfloat, pl->width);
        disk_fast_plan_stream (job->plan[p], &stream, pl->n_comps, y0, y1,
            self->workspace[index]);
        if (!rows.opaque)
          g_atomic_int_set (&job->translucent, 1);
        g_free (rows.alpha_row);
        break;
      }
      case STAGE_PACK:{
        const gint q = pl->alpha_plane;

        gst_disk_blur_pack_rows (layout, p, self->work[p][job->result],
            q >= 0 && !job->skip_alpha ? self->work[q][job->result] : NULL,
            linear, job->out, y0, y1);
        break;
      }
    }
  }
}

/* Whether the radius and angle maps of the last frame are this frame's:
 * the same effect parameters and map files (their load serials: a file
 * loaded again may be another), and no map with this buffer. The caps
 * did not change since (free_buffers drops them). */
static gboolean
maps_kept (GstDiskBlur * self, const GstDiskBlurSettings * s,
    gboolean maps_from_meta)
{
  if (!self->maps_kept || maps_from_meta
      || !disk_effect_params_equal (&self->maps_params, &s->params))
    return FALSE;
  return !disk_effect_mode_uses_map (s->params.mode)
      || (self->maps_map_serial == self->map_loaded_serial
      && self->maps_angle_map_serial == self->angle_map_loaded_serial);
}

static void
run_stage (Job * job, Stage stage, guint layer)
{
  const gint64 start = g_get_monotonic_time ();

  job->stage = stage;
  job->layer = layer;
  memset (job->next_chunk, 0, sizeof job->next_chunk);
  gst_disk_blur_pool_run (job->self->pool, run_task, job);
  job->stage_us[stage] += g_get_monotonic_time () - start;
}

static GstFlowReturn
gst_disk_blur_transform_frame (GstVideoFilter * filter, GstVideoFrame * in,
    GstVideoFrame * out)
{
  GstDiskBlur *self = GST_DISK_BLUR (filter);
  const GstDiskBlurSettings *s = &self->settings;
  g_autoptr (DiskImage) meta_strength = NULL;
  g_autoptr (DiskImage) meta_angle = NULL;
  Job job = { 0, };
  gboolean reduced = FALSE, maps_from_meta = FALSE;
  guint p, l, n_layers;

  if (!ensure_preset (self, s) || !ensure_pool (self, s->n_threads))
    return GST_FLOW_ERROR;

  job.self = self;
  job.in = in;
  job.out = out;
  job.settings = s;
  job.basis = self->preset->basis;
  job.varying = s->params.mode != DISK_EFFECT_UNIFORM;

  if (disk_effect_mode_uses_map (s->params.mode)) {
    g_autofree gchar *problem = NULL;

    switch (gst_disk_blur_map_meta_read (in->buffer, &meta_strength,
            &meta_angle, &problem)) {
      case GST_DISK_BLUR_MAP_META_VALID:
        job.strength = meta_strength;
        job.angle_map = meta_angle;
        maps_from_meta = TRUE;
        break;
      case GST_DISK_BLUR_MAP_META_MALFORMED:
        GST_WARNING_OBJECT (self, "ignoring a malformed %s on buffer %"
            GST_TIME_FORMAT ": %s", GST_DISK_BLUR_MAP_META_NAME,
            GST_TIME_ARGS (GST_BUFFER_PTS (in->buffer)), problem);
        /* The properties' maps then, as with no meta. */
        G_GNUC_FALLTHROUGH;
      case GST_DISK_BLUR_MAP_META_ABSENT:
        if (!ensure_map (self, "map-location", s->map_location,
                s->map_serial, &self->map, &self->map_loaded_serial)
            || !ensure_map (self, "angle-map-location",
                s->angle_map_location, s->angle_map_serial,
                &self->angle_map, &self->angle_map_loaded_serial))
          return GST_FLOW_ERROR;
        job.strength = self->map;
        job.angle_map = self->angle_map;
        break;
    }
    if (job.strength == NULL) {
      if (!self->warned_no_map)
        GST_WARNING_OBJECT (self, "mode needs a map: set map-location or "
            "attach a %s; frames pass unblurred", GST_DISK_BLUR_MAP_META_NAME);
      self->warned_no_map = TRUE;
      return gst_video_frame_copy (out, in) ? GST_FLOW_OK : GST_FLOW_ERROR;
    }
  }

  n_layers = job.basis->entries[0]->n_layers;
  if (job.varying) {
    gdouble radius_step, angle_step;
    /* spin and zoom turn the kernel from pixel to pixel, so does an angle
     * map */
    const gboolean angle_varies = s->params.mode == DISK_EFFECT_SPIN
        || s->params.mode == DISK_EFFECT_ZOOM || job.angle_map != NULL;

    /* Map, depth, spin and zoom blend uniform layers planned at levels of
     * radius and angle (disk-fast.h); tilt-shift runs exactly. Every radius
     * of these modes is at most the radius property. */
    if (disk_fast_varying_method (s->params.mode, angle_varies,
            s->params.radius, 1.0, &radius_step,
            &angle_step) == DISK_FAST_VARYING_LEVELS)
      for (p = 0; p < self->layout.n_planes; p++) {
        const GstDiskBlurPlane *pl = &self->layout.planes[p];

        /* each plane's steps in its own pixels: a subsampled plane's are
         * larger in the frame (never back to EXACT: fewer plans) */
        disk_fast_varying_method (s->params.mode, angle_varies,
            s->params.radius, 1.0 / MIN (pl->sub_x, pl->sub_y), &radius_step,
            &angle_step);

        /* The plans depend on these alone, not on the maps: kept from
         * frame to frame (spin and zoom make tens of thousands). With
         * exact angles (one angle per frame) they are made for the angle
         * met, and another angle makes more: kept while it stays. */
        if (!disk_fast_levels_reusable (self->levels[p], job.basis,
                1.0 / pl->sub_x, 1.0 / pl->sub_y, radius_step, angle_step,
                s->params.radius, pl->width, pl->height, pl->n_comps)
            || (angle_step == 0.0 && self->levels_angle != s->params.angle)) {
          drop_levels (self, p);
          self->levels[p] = disk_fast_levels_new (job.basis,
              1.0 / pl->sub_x, 1.0 / pl->sub_y, radius_step, angle_step,
              s->params.radius, pl->width, pl->height, pl->n_comps);
        }
        /* binary16 input rows for 8-bit video, as in the stream pass */
        disk_fast_levels_set_rows (self->levels[p],
            GST_VIDEO_FRAME_COMP_DEPTH (in, 0) <= 8 ?
            DISK_FAST_ROWS_HALF : DISK_FAST_ROWS_FLOAT);
        job.levels[p] = self->levels[p];
        self->levels_angle = s->params.angle;
      }
  }
  /* not kept while unused */
  for (p = 0; p < GST_VIDEO_MAX_PLANES; p++)
    if (job.levels[p] == NULL)
      drop_levels (self, p);
  for (p = 0; p < GST_VIDEO_MAX_PLANES; p++)
    job.reduction[p] = 1;
  if (!job.varying) {
    for (p = 0; p < self->layout.n_planes; p++) {
      const GstDiskBlurPlane *pl = &self->layout.planes[p];
      g_autoptr (DiskComplex) c = disk_basis_new_complex (job.basis);

      disk_basis_interpolate (job.basis, s->params.radius, s->params.angle, c);
      /* A subsampled plane sees the same kernel at its own resolution. */
      if (pl->sub_x != 1 || pl->sub_y != 1)
        disk_complex_scale_xy (c, 1.0f / pl->sub_x, 1.0f / pl->sub_y);
      /* Large radii run at reduced resolution where that stays within
       * 0.3 dB of the full-resolution result (disk-fast.h). */
      job.reduction[p] = disk_fast_reduction (MIN (s->params.radius
              / pl->sub_x, s->params.radius / pl->sub_y));
      if (job.reduction[p] > 1) {
        const guint f = job.reduction[p];
        const guint w = disk_fast_reduced_size (pl->width, f);
        const guint h = disk_fast_reduced_size (pl->height, f);

        disk_complex_scale (c, 1.0f / f);
        for (l = 0; l < 2; l++)
          if (self->small[p][l] == NULL || self->small[p][l]->width != w
              || self->small[p][l]->height != h) {
            g_clear_pointer (&self->small[p][l], disk_image_free);
            self->small[p][l] = disk_image_new (w, h, pl->n_comps);
          }
      }
      /* Planned once per frame: integer taps for the fast path. */
      job.plan[p] = disk_fast_plan_new (c, job.reduction[p] > 1 ?
          self->small[p][0]->width : pl->width, job.reduction[p] > 1 ?
          self->small[p][0]->height : pl->height);
      reduced |= job.reduction[p] > 1;
    }
  }

  /* Uniform frames at full size run unpack, layers and pack in one pass
   * when the frame can be expected to be opaque (no alpha, or the last
   * frame was opaque and the alpha would stay 1): the pass packs alpha as
   * the maximum. Should some alpha turn out lower, the frame runs again in
   * stages, filtering alpha. */
  if (!job.varying && !reduced && (!layout_has_alpha (&self->layout)
          || (!self->last_translucent && basis_keeps_ones (job.basis)))) {
    job.skip_alpha = TRUE;
    run_stage (&job, STAGE_STREAM, 0);
    self->last_translucent = g_atomic_int_get (&job.translucent);
    if (!self->last_translucent)
      goto done;
    GST_LOG_OBJECT (self, "translucent frame: running it again in stages");
  }

  run_stage (&job, STAGE_UNPACK, 0);
  self->last_translucent = g_atomic_int_get (&job.translucent);
  job.skip_alpha = !self->last_translucent && basis_keeps_ones (job.basis);
  if (job.varying && !maps_kept (self, s, maps_from_meta)) {
    run_stage (&job, STAGE_MAPS, 0);
    /* kept for the next frame, unless they came with this one */
    self->maps_kept = !maps_from_meta;
    self->maps_params = s->params;
    self->maps_map_serial = self->map_loaded_serial;
    self->maps_angle_map_serial = self->angle_map_loaded_serial;
    /* new maps: their pixels sit elsewhere among the levels */
    self->maps_indexed = FALSE;
  }
  if (job.varying) {
    gboolean fill = FALSE;

    /* Worked out once for every layer of this frame, and kept for the next
     * while the maps and the levels stay. */
    for (p = 0; p < self->layout.n_planes; p++) {
      if (job.levels[p] == NULL
          || (self->level_index[p] != NULL && self->maps_indexed))
        continue;
      if (self->level_index[p] == NULL)
        self->level_index[p] = disk_fast_level_index_new (job.levels[p], 0,
            self->layout.planes[p].height);
      job.fill_index[p] = fill = TRUE;
    }
    if (fill)
      run_stage (&job, STAGE_LEVEL_INDEX, 0);
    self->maps_indexed = TRUE;
  }
  if (reduced)
    run_stage (&job, STAGE_DOWN, 0);
  if (job.varying) {
    for (l = 0; l < n_layers; l++)
      run_stage (&job, STAGE_LAYER, l);
    job.result = n_layers % 2;
  } else {
    /* No barrier between layers, and the layers in between stay in the
     * caches (disk-fast.h). */
    run_stage (&job, STAGE_ALL_LAYERS, 0);
    job.result = 1;
  }
  if (reduced)
    run_stage (&job, STAGE_UP, 0);
  run_stage (&job, STAGE_PACK, 0);

done:
  /* Where a frame's time goes, for profiling (GST_DEBUG=diskblur:6). */
  GST_LOG_OBJECT (self, "stage times (us): stream %" G_GINT64_FORMAT
      ", unpack %" G_GINT64_FORMAT
      ", maps %" G_GINT64_FORMAT ", down %" G_GINT64_FORMAT ", layers %"
      G_GINT64_FORMAT ", up %" G_GINT64_FORMAT ", pack %" G_GINT64_FORMAT,
      job.stage_us[STAGE_STREAM], job.stage_us[STAGE_UNPACK],
      job.stage_us[STAGE_MAPS] + job.stage_us[STAGE_LEVEL_INDEX],
      job.stage_us[STAGE_DOWN], job.stage_us[STAGE_LAYER]
      + job.stage_us[STAGE_ALL_LAYERS], job.stage_us[STAGE_UP],
      job.stage_us[STAGE_PACK]);

  for (p = 0; p < GST_VIDEO_MAX_PLANES; p++)
    disk_fast_plan_free (job.plan[p]);
  return GST_FLOW_OK;
}

/* ------------------------------------------------------------------------ */
/* GstBaseTransform / GstVideoFilter plumbing */

/* Takes the property snapshot for the coming buffer, after the controllers
 * have set this buffer's values, and decides passthrough before the base
 * class allocates an output buffer: radius 0 means no blur in any mode, so
 * the input goes out untouched and uncopied. */
static void
gst_disk_blur_before_transform (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstDiskBlur *self = GST_DISK_BLUR (trans);
  gboolean passthrough;

  /* Controlled properties follow the stream time (a segment in another
   * format, such as appsrc's default bytes, has none). */
  if (trans->segment.format == GST_FORMAT_TIME) {
    GstClockTime stream_time = gst_segment_to_stream_time (&trans->segment,
        GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));

    if (GST_CLOCK_TIME_IS_VALID (stream_time))
      gst_object_sync_values (GST_OBJECT (self), stream_time);
  }

  GST_OBJECT_LOCK (self);
  settings_copy (&self->settings, &self->props);
  GST_OBJECT_UNLOCK (self);

  passthrough = self->settings.params.radius <= 0.0;
  if (passthrough != gst_base_transform_is_passthrough (trans))
    GST_DEBUG_OBJECT (self, "passthrough %s", passthrough ? "on" : "off");
  gst_base_transform_set_passthrough (trans, passthrough);
}

static gboolean
gst_disk_blur_set_info (GstVideoFilter * filter, GstCaps * incaps,
    GstVideoInfo * in_info, GstCaps * outcaps, GstVideoInfo * out_info)
{
  GstDiskBlur *self = GST_DISK_BLUR (filter);
  guint p;

  (void) incaps;
  (void) outcaps;
  (void) out_info;

  if (!gst_disk_blur_layout_init (&self->layout, in_info)) {
    GST_ERROR_OBJECT (self, "unsupported format %s",
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (in_info)));
    return FALSE;
  }
  free_buffers (self);
  for (p = 0; p < self->layout.n_planes; p++) {
    const GstDiskBlurPlane *pl = &self->layout.planes[p];
    gsize n = (gsize) pl->width * pl->height;

    self->work[p][0] = disk_image_new (pl->width, pl->height, pl->n_comps);
    self->work[p][1] = disk_image_new (pl->width, pl->height, pl->n_comps);
    self->radius[p] = g_new (gfloat, n);
    self->angle[p] = g_new (gfloat, n);
    self->uniform_rows[p] = g_new0 (guint8, pl->height);
  }
  GST_DEBUG_OBJECT (self, "configured %s %dx%d, %u planes",
      GST_VIDEO_INFO_NAME (in_info), GST_VIDEO_INFO_WIDTH (in_info),
      GST_VIDEO_INFO_HEIGHT (in_info), self->layout.n_planes);
  return TRUE;
}

static gboolean
gst_disk_blur_stop (GstBaseTransform * trans)
{
  GstDiskBlur *self = GST_DISK_BLUR (trans);

  free_buffers (self);
  free_workspaces (self);
  g_clear_pointer (&self->pool, gst_disk_blur_pool_free);
  /* Files are read again on the next start: they may have changed. */
  g_clear_pointer (&self->preset, disk_preset_free);
  g_clear_pointer (&self->map, disk_image_free);
  g_clear_pointer (&self->angle_map, disk_image_free);
  self->preset_loaded_serial = 0;
  self->map_loaded_serial = 0;
  self->angle_map_loaded_serial = 0;
  self->warned_no_map = FALSE;
  return TRUE;
}

static void
gst_disk_blur_finalize (GObject * object)
{
  GstDiskBlur *self = GST_DISK_BLUR (object);

  gst_disk_blur_stop (GST_BASE_TRANSFORM (self));
  settings_clear (&self->props);
  settings_clear (&self->settings);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_disk_blur_init (GstDiskBlur * self)
{
  GstDiskBlurSettings *p = &self->props;

  disk_effect_params_init (&p->params);
  p->params.radius = DEFAULT_RADIUS;
  p->preset_name = g_strdup (DEFAULT_PRESET);
  p->n_threads = DEFAULT_N_THREADS;
  p->linear_light = DEFAULT_LINEAR_LIGHT;
  /* Loaded serials start at 0, so the first frame loads everything. */
  p->preset_serial = p->map_serial = p->angle_map_serial = 1;
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), TRUE);
}

#define CONTROLLABLE (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS \
    | GST_PARAM_CONTROLLABLE | GST_PARAM_MUTABLE_PLAYING)
#define MUTABLE (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS \
    | GST_PARAM_MUTABLE_PLAYING)

static void
gst_disk_blur_class_init (GstDiskBlurClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  DiskEffectParams defaults;
  g_autofree gchar *preset_blurb = NULL;
  g_autofree gchar *names = NULL;

  GST_DEBUG_CATEGORY_INIT (gst_disk_blur_debug, "diskblur", 0,
      "DISK sparse-kernel blur");
  gst_disk_blur_map_meta_register ();
  disk_effect_params_init (&defaults);

  gobject_class->set_property = gst_disk_blur_set_property;
  gobject_class->get_property = gst_disk_blur_get_property;
  gobject_class->finalize = gst_disk_blur_finalize;

  names = gst_disk_blur_preset_names_joined ();
  preset_blurb = g_strdup_printf ("Built-in kernel preset: %s", names);
  g_object_class_install_property (gobject_class, PROP_PRESET,
      g_param_spec_string ("preset", "Preset", g_intern_string (preset_blurb),
          DEFAULT_PRESET, MUTABLE));
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Preset file",
          "A preset file made by disk-fit; overrides preset when set",
          NULL, MUTABLE));
  g_object_class_install_property (gobject_class, PROP_RADIUS,
      g_param_spec_double ("radius", "Radius",
          "Blur radius in pixels (the maximum radius in the spatially varying "
          "modes); 0 = passthrough", 0.0, MAX_RADIUS, DEFAULT_RADIUS,
          CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_ANGLE,
      g_param_spec_double ("angle", "Angle",
          "Kernel rotation in degrees, clockwise on screen (added to the "
          "per-pixel direction in spin and zoom modes)", -360.0, 360.0,
          defaults.angle, CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_MODE,
      g_param_spec_enum ("mode", "Mode", "How the radius and angle vary over "
          "the frame", GST_TYPE_DISK_BLUR_MODE, DISK_EFFECT_UNIFORM, MUTABLE));
  g_object_class_install_property (gobject_class, PROP_CENTER_X,
      g_param_spec_double ("center-x", "Centre x",
          "Centre of tilt-shift, spin and zoom, as a fraction of the width",
          -1.0, 2.0, defaults.center_x, CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_CENTER_Y,
      g_param_spec_double ("center-y", "Centre y",
          "Centre of tilt-shift, spin and zoom, as a fraction of the height",
          -1.0, 2.0, defaults.center_y, CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_FOCUS_ANGLE,
      g_param_spec_double ("focus-angle", "Focus angle",
          "Tilt-shift: direction of the sharp band in degrees, clockwise "
          "(0 = horizontal)", -360.0, 360.0, defaults.focus_angle,
          CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_FOCUS_WIDTH,
      g_param_spec_double ("focus-width", "Focus width",
          "Tilt-shift: width of the sharp band, as a fraction of the height",
          0.0, 10.0, defaults.focus_width, CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_FOCUS_FALLOFF,
      g_param_spec_double ("focus-falloff", "Focus falloff",
          "Tilt-shift: distance from the band's edge to full blur, as a "
          "fraction of the height (0 = hard edge)", 0.0, 10.0,
          defaults.focus_falloff, CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_FOCUS_DEPTH,
      g_param_spec_double ("focus-depth", "Focus depth",
          "Depth mode: the map value (disparity, 0..1) that is in focus",
          0.0, 1.0, defaults.focus_depth, CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_DEPTH_RANGE,
      g_param_spec_double ("depth-range", "Depth range",
          "Depth mode: map distance from focus-depth to full blur",
          0.001, 1.0, defaults.depth_range, CONTROLLABLE));
  g_object_class_install_property (gobject_class, PROP_MAP_LOCATION,
      g_param_spec_string ("map-location", "Strength map",
          "Grayscale image (8 or 16 bit): blur strength in map mode, "
          "disparity (near = bright) in depth mode; scaled to the frame",
          NULL, MUTABLE));
  g_object_class_install_property (gobject_class, PROP_ANGLE_MAP_LOCATION,
      g_param_spec_string ("angle-map-location", "Angle map",
          "Grayscale image (8 or 16 bit): per-pixel kernel rotation in map "
          "and depth modes, 0..1 = 0..360 degrees", NULL, MUTABLE));
  g_object_class_install_property (gobject_class, PROP_N_THREADS,
      g_param_spec_uint ("n-threads", "Threads",
          "Worker threads (0 = one per core); the output does not depend on "
          "it", 0, MAX_THREADS, DEFAULT_N_THREADS, MUTABLE));
  g_object_class_install_property (gobject_class, PROP_LINEAR_LIGHT,
      g_param_spec_boolean ("linear-light", "Linear light",
          "Filter RGB formats in linear light (sRGB decoded, re-encoded "
          "after), so highlights bloom like a real lens", DEFAULT_LINEAR_LIGHT,
          MUTABLE));

  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  gst_element_class_set_static_metadata (element_class, "DISK blur",
      "Filter/Effect/Video",
      "Lens blur with any kernel shape (bokeh discs, polygons, stars, "
      "hearts, motion lines...) from fitted sparse kernel complexes (DISK): "
      "uniform, tilt-shift, spin (rotational), zoom (radial), map-driven and "
      "depth-driven (rack focus) blur. Alpha is blurred premultiplied, "
      "subsampled chroma with the kernel scaled to its resolution, and a "
      "per-frame strength/angle map can be attached to buffers as a "
      "\"" GST_DISK_BLUR_MAP_META_NAME "\" custom meta",
      "gst-diskblur developers");

  trans_class->before_transform =
      GST_DEBUG_FUNCPTR (gst_disk_blur_before_transform);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_disk_blur_stop);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_disk_blur_set_info);
  filter_class->transform_frame =
      GST_DEBUG_FUNCPTR (gst_disk_blur_transform_frame);

  gst_type_mark_as_plugin_api (GST_TYPE_DISK_BLUR_MODE, 0);
}
