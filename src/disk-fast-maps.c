/* DISK core: the per-pixel radius and angle of an effect, row by row
 * (disk_fast_effect_fill_rows, disk-fast.h). */
#include "disk-fast.h"
#include "disk-edge.h"

#include <math.h>

/* A map read along one frame row: what disk_effect_sample_map computes,
 * with the row's terms taken once (same double expressions, same bits). */
typedef struct
{
  const DiskImage *map;
  gdouble ay;
  const gfloat *ra, *rb;        /* map rows above and below */
} MapRow;

static void
map_row_init (MapRow * mr, const DiskImage * map, guint frame_height,
    gdouble y)
{
  gdouble v = y * map->height / frame_height - 0.5;
  gdouble fv;
  gint y0;

  v = disk_edge_limit (v, map->height);
  fv = floor (v);
  mr->map = map;
  mr->ay = v - fv;
  y0 = (gint) fv;
  mr->ra = disk_image_pixel (map, 0, disk_edge_clamp (y0, map->height));
  mr->rb = disk_image_pixel (map, 0, disk_edge_clamp (y0 + 1, map->height));
}

static inline gdouble
map_row_sample (const MapRow * mr, guint frame_width, gdouble x)
{
  const DiskImage *map = mr->map;
  const guint ch = map->channels;
  gdouble u = x * map->width / frame_width - 0.5;
  gdouble fu, ax;
  gint x0, xa, xb;

  u = disk_edge_limit (u, map->width);
  fu = floor (u);
  ax = u - fu;
  x0 = (gint) fu;
  xa = disk_edge_clamp (x0, map->width);
  xb = disk_edge_clamp (x0 + 1, map->width);
  return (gfloat) ((1.0 - mr->ay) * ((1.0 - ax) * (gdouble) mr->ra[xa * ch]
          + ax * (gdouble) mr->ra[xb * ch])
      + mr->ay * ((1.0 - ax) * (gdouble) mr->rb[xa * ch]
          + ax * (gdouble) mr->rb[xb * ch]));
}

/* fmin (fmax (v, 0.0), 1.0) without the library calls, to the bit: NaN
 * and -0 give +0 as fmax (v, +0) does. */
static inline gdouble
clamp01 (gdouble v)
{
  return v > 0.0 ? (v < 1.0 ? v : 1.0) : 0.0;
}

/* Map and depth rows: the formulas of disk_effect_eval term for term. */
static void
fill_rows_map (const DiskEffectParams * params, guint frame_width,
    guint frame_height, guint plane_width, guint sub_x, guint sub_y,
    const DiskImage * strength, const DiskImage * angle_map, gfloat * radius,
    gfloat * angle, guint y_begin, guint y_end)
{
  guint i, j;

  for (j = y_begin; j < y_end; j++) {
    const gdouble y = (j + 0.5) * sub_y;
    MapRow ms, ma;

    map_row_init (&ms, strength, frame_height, y);
    if (angle_map != NULL)
      map_row_init (&ma, angle_map, frame_height, y);
    for (i = 0; i < plane_width; i++) {
      const gsize p = (gsize) j * plane_width + i;
      const gdouble x = (i + 0.5) * sub_x;
      gdouble r = params->radius, a = params->angle;
      gdouble m = clamp01 (map_row_sample (&ms, frame_width, x));

      if (params->mode == DISK_EFFECT_MAP)
        r *= m;
      else
        r *= clamp01 (fabs (m - params->focus_depth) / params->depth_range);
      if (angle_map != NULL)
        a += 360.0 * map_row_sample (&ma, frame_width, x);
      radius[p] = (gfloat) r;
      angle[p] = (gfloat) a;
    }
  }
}

/* Spin and zoom rows: the farthest corner once, not per pixel. */
static void
fill_rows_spin_zoom (const DiskEffectParams * params, guint frame_width,
    guint frame_height, guint plane_width, guint sub_x, guint sub_y,
    gfloat * radius, gfloat * angle, guint y_begin, guint y_end)
{
  const gdouble cx = params->center_x * frame_width;
  const gdouble cy = params->center_y * frame_height;
  const gdouble far = hypot (fmax (fabs (cx), fabs (frame_width - cx)),
      fmax (fabs (cy), fabs (frame_height - cy)));
  guint i, j;

  for (j = y_begin; j < y_end; j++) {
    const gdouble y = (j + 0.5) * sub_y;

    for (i = 0; i < plane_width; i++) {
      const gsize p = (gsize) j * plane_width + i;
      const gdouble x = (i + 0.5) * sub_x;
      gdouble dx = x - cx, dy = y - cy;
      gdouble r = params->radius, a = params->angle;

      r *= far > 0.0 ? hypot (dx, dy) / far : 0.0;
      a += atan2 (dy, dx) * 180.0 / G_PI;
      if (params->mode == DISK_EFFECT_SPIN)
        a += 90.0;
      radius[p] = (gfloat) r;
      angle[p] = (gfloat) a;
    }
  }
}

void
disk_fast_effect_fill_rows (const DiskEffectParams * params,
    guint frame_width, guint frame_height, guint plane_width,
    guint plane_height, guint sub_x, guint sub_y, const DiskImage * strength,
    const DiskImage * angle_map, gfloat * radius, gfloat * angle,
    guint y_begin, guint y_end)
{
  /* The expressions of disk_effect_eval, term for term, so that the values
   * are the same doubles before the same rounding to float. */
  const gdouble cx = params->center_x * frame_width;
  const gdouble cy = params->center_y * frame_height;
  const gdouble fa = params->focus_angle * G_PI / 180.0;
  const gdouble sin_fa = sin (fa), cos_fa = cos (fa);
  guint i, j;

  g_return_if_fail (y_begin <= y_end && y_end <= plane_height);
  switch (params->mode) {
    case DISK_EFFECT_TILT_SHIFT:
      break;
    case DISK_EFFECT_MAP:
    case DISK_EFFECT_DEPTH:
      g_return_if_fail (strength != NULL);
      fill_rows_map (params, frame_width, frame_height, plane_width, sub_x,
          sub_y, strength, angle_map, radius, angle, y_begin, y_end);
      return;
    case DISK_EFFECT_SPIN:
    case DISK_EFFECT_ZOOM:
      fill_rows_spin_zoom (params, frame_width, frame_height, plane_width,
          sub_x, sub_y, radius, angle, y_begin, y_end);
      return;
    default:
      disk_effect_fill_rows (params, frame_width, frame_height, plane_width,
          plane_height, sub_x, sub_y, strength, angle_map, radius, angle,
          y_begin, y_end);
      return;
  }

  for (j = y_begin; j < y_end; j++) {
    const gdouble y = (j + 0.5) * sub_y;

    /* A horizontal band (sin 0): -(x - cx) * 0 is a zero, which adds
     * nothing to a non-zero term and only a sign to a zero one that fabs
     * drops, so every pixel of the row gets the first pixel's bits. */
    for (i = 0; i < (sin_fa == 0.0 ? MIN (plane_width, 1) : plane_width);
        i++) {
      const gsize p = (gsize) j * plane_width + i;
      const gdouble x = (i + 0.5) * sub_x;
      gdouble d = fabs (-(x - cx) * sin_fa + (y - cy) * cos_fa)
          / frame_height;
      gdouble over = d - params->focus_width / 2.0;
      gdouble r = params->radius;

      if (params->focus_falloff > 0.0)
        r *= fmin (fmax (over / params->focus_falloff, 0.0), 1.0);
      else
        r *= over > 0.0 ? 1.0 : 0.0;
      radius[p] = (gfloat) r;
      angle[p] = (gfloat) params->angle;
    }
    if (sin_fa == 0.0)
      for (i = 1; i < plane_width; i++) {
        radius[(gsize) j * plane_width + i] = radius[(gsize) j * plane_width];
        angle[(gsize) j * plane_width + i] = angle[(gsize) j * plane_width];
      }
  }
}

