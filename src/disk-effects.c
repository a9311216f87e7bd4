/* DISK core: per-pixel radius and angle of the spatially varying effects.
 * The formulas are in disk-effects.h; this file only evaluates them. */
#include "disk-effects.h"
#include "disk-filter.h"

#include <math.h>

void
disk_effect_params_init (DiskEffectParams * params)
{
  params->mode = DISK_EFFECT_UNIFORM;
  params->radius = 8.0;
  params->angle = 0.0;
  params->center_x = 0.5;
  params->center_y = 0.5;
  params->focus_angle = 0.0;
  params->focus_width = 0.2;
  params->focus_falloff = 0.3;
  params->focus_depth = 0.5;
  params->depth_range = 0.5;
}

gboolean
disk_effect_params_equal (const DiskEffectParams * a,
    const DiskEffectParams * b)
{
  return a->mode == b->mode && a->radius == b->radius
      && a->angle == b->angle && a->center_x == b->center_x
      && a->center_y == b->center_y && a->focus_angle == b->focus_angle
      && a->focus_width == b->focus_width
      && a->focus_falloff == b->focus_falloff
      && a->focus_depth == b->focus_depth
      && a->depth_range == b->depth_range;
}

gboolean
disk_effect_mode_uses_map (DiskEffectMode mode)
{
  return mode == DISK_EFFECT_MAP || mode == DISK_EFFECT_DEPTH;
}

gdouble
disk_effect_sample_map (const DiskImage * map, guint frame_width,
    guint frame_height, gdouble x, gdouble y)
{
  gdouble u = x * map->width / frame_width - 0.5;
  gdouble v = y * map->height / frame_height - 0.5;

  return disk_image_sample_bilinear (map, u, v, 0);
}

static inline gdouble
clamp01 (gdouble v)
{
  /* fmin/fmax also turn a NaN read from a float map into 0. */
  return fmin (fmax (v, 0.0), 1.0);
}

/* The distance from C to the farthest of the four frame corners. */
static gdouble
farthest_corner (gdouble cx, gdouble cy, guint width, guint height)
{
  gdouble dx = fmax (fabs (cx), fabs (width - cx));
  gdouble dy = fmax (fabs (cy), fabs (height - cy));

  return hypot (dx, dy);
}

void
disk_effect_eval (const DiskEffectParams * params, guint frame_width,
    guint frame_height, const DiskImage * strength, const DiskImage * angle_map,
    gdouble x, gdouble y, gdouble * radius, gdouble * angle)
{
  const gdouble cx = params->center_x * frame_width;
  const gdouble cy = params->center_y * frame_height;
  gdouble r = params->radius, a = params->angle;

  switch (params->mode) {
    case DISK_EFFECT_UNIFORM:
      break;
    case DISK_EFFECT_TILT_SHIFT:{
      gdouble fa = params->focus_angle * G_PI / 180.0;
      gdouble d = fabs (-(x - cx) * sin (fa) + (y - cy) * cos (fa))
          / frame_height;
      gdouble over = d - params->focus_width / 2.0;

      if (params->focus_falloff > 0.0)
        r *= clamp01 (over / params->focus_falloff);
      else
        r *= over > 0.0 ? 1.0 : 0.0;
      break;
    }
    case DISK_EFFECT_SPIN:
    case DISK_EFFECT_ZOOM:{
      gdouble dx = x - cx, dy = y - cy;
      gdouble far = farthest_corner (cx, cy, frame_width, frame_height);

      r *= far > 0.0 ? hypot (dx, dy) / far : 0.0;
      a += atan2 (dy, dx) * 180.0 / G_PI;
      if (params->mode == DISK_EFFECT_SPIN)
        a += 90.0;
      break;
    }
    case DISK_EFFECT_MAP:
    case DISK_EFFECT_DEPTH:{
      gdouble m;

      g_return_if_fail (strength != NULL);
      m = clamp01 (disk_effect_sample_map (strength, frame_width,
              frame_height, x, y));
      if (params->mode == DISK_EFFECT_MAP)
        r *= m;
      else
        r *= clamp01 (fabs (m - params->focus_depth) / params->depth_range);
      if (angle_map != NULL)
        a += 360.0 * disk_effect_sample_map (angle_map, frame_width,
            frame_height, x, y);
      break;
    }
  }
  *radius = r;
  *angle = a;
}

void
disk_effect_fill_rows (const DiskEffectParams * params,
    guint frame_width, guint frame_height, guint plane_width,
    guint plane_height, guint sub_x, guint sub_y, const DiskImage * strength,
    const DiskImage * angle_map, gfloat * radius, gfloat * angle,
    guint y_begin, guint y_end)
{
  guint i, j;

  g_return_if_fail (y_begin <= y_end && y_end <= plane_height);

  for (j = y_begin; j < y_end; j++) {
    for (i = 0; i < plane_width; i++) {
      const gsize p = (gsize) j * plane_width + i;
      gdouble r, a;

      disk_effect_eval (params, frame_width, frame_height, strength,
          angle_map, (i + 0.5) * sub_x, (j + 0.5) * sub_y, &r, &a);
      radius[p] = (gfloat) r;
      angle[p] = (gfloat) a;
    }
  }
}
