/* DISK core: per-pixel blur radius and kernel angle for the spatially varying
 * effects (the formulas the diskblur element applies, fixed here so that a
 * result can be checked against a dense per-pixel reference).
 *
 * Frame coordinates: the frame spans [0, W] x [0, H]; pixel (i, j) of a plane
 * subsampled by (sx, sy) (1 for full-resolution planes, 2 for the chroma of
 * I420) has its centre at X = (i + 0.5) sx, Y = (j + 0.5) sy. Radii are in
 * frame (full-resolution) pixels, angles in degrees (disk-complex.h
 * convention: positive turns +x towards +y, clockwise on screen).
 *
 * Every mode computes a radius R(X, Y) and an angle A(X, Y); `radius` and
 * `angle` below are the parameters of the same names.
 *
 *   uniform     R = radius,  A = angle.
 *   tilt-shift  d = distance of (X, Y) from the line through
 *               C = (center_x W, center_y H) with direction
 *               (cos focus_angle, sin focus_angle), divided by H
 *               (focus_angle 0 = a horizontal band in focus):
 *                 d = |-(X - Cx) sin fa + (Y - Cy) cos fa| / H
 *               R = radius * clamp ((d - focus_width / 2) / focus_falloff, 0, 1)
 *               (focus_falloff 0: a hard step, R = radius where d > focus_width / 2)
 *               A = angle.
 *   spin        D = (X - Cx, Y - Cy); rho = |D| / the distance from C to the
 *               farthest frame corner ((0,0), (W,0), (0,H), (W,H));
 *               R = radius * rho;  A = atan2 (Dy, Dx) + 90 + angle
 *               (the kernel's x axis turned tangential).
 *   zoom        as spin with A = atan2 (Dy, Dx) + angle (radial).
 *   map         m = strength map at (X, Y), clamped to [0, 1];
 *               R = radius * m;  A = angle + 360 a, a = angle map at (X, Y)
 *               (0..1 = 0..360 degrees), or A = angle with no angle map.
 *   depth       m = the map (disparity: near = bright) at (X, Y), in [0, 1];
 *               R = radius * clamp (|m - focus_depth| / depth_range, 0, 1);
 *               A as in map mode.
 *
 * Maps: a single-channel DiskImage of any size covering the whole frame,
 * sampled bilinearly (clamp to edge) at map position
 *   u = X * map_width / W - 0.5,  v = Y * map_height / H - 0.5,
 * so a map of the frame's size is read exactly at its pixels and a smaller
 * one is scaled up bilinearly.
 */
#ifndef __DISK_EFFECTS_H__
#define __DISK_EFFECTS_H__

#include "disk-image.h"

G_BEGIN_DECLS

typedef enum
{
  DISK_EFFECT_UNIFORM,
  DISK_EFFECT_TILT_SHIFT,
  DISK_EFFECT_SPIN,
  DISK_EFFECT_ZOOM,
  DISK_EFFECT_MAP,
  DISK_EFFECT_DEPTH,
} DiskEffectMode;

typedef struct _DiskEffectParams DiskEffectParams;

struct _DiskEffectParams
{
  DiskEffectMode mode;
  gdouble radius;               /* pixels (frame resolution) */
  gdouble angle;                /* degrees */
  gdouble center_x;             /* fraction of the width */
  gdouble center_y;             /* fraction of the height */
  gdouble focus_angle;          /* degrees */
  gdouble focus_width;          /* fraction of the height */
  gdouble focus_falloff;        /* fraction of the height, >= 0 */
  gdouble focus_depth;          /* map value in focus, 0..1 */
  gdouble depth_range;          /* map distance to full blur, > 0 */
};

/* Defaults: uniform, radius 8, angle 0, centre (0.5, 0.5), focus angle 0,
 * focus width 0.2, focus falloff 0.3, focus depth 0.5, depth range 0.5. */
void disk_effect_params_init (DiskEffectParams * params);

/* Every field equal (NaN never is): the same radius and angle maps. */
gboolean disk_effect_params_equal (const DiskEffectParams * a,
    const DiskEffectParams * b);

/* Whether the mode reads a map (map and depth). */
gboolean disk_effect_mode_uses_map (DiskEffectMode mode);

/* The map read at frame position (X, Y) of a W x H frame (see above). */
gdouble disk_effect_sample_map (const DiskImage * map, guint frame_width,
    guint frame_height, gdouble x, gdouble y);

/* R and A (see above) at frame position (X, Y). `strength` must be given in
 * map and depth modes and is ignored otherwise; `angle_map` may be NULL. */
void disk_effect_eval (const DiskEffectParams * params, guint frame_width,
    guint frame_height, const DiskImage * strength, const DiskImage * angle_map,
    gdouble x, gdouble y, gdouble * radius, gdouble * angle);

/* Rows y_begin <= j < y_end of a plane of plane_width x plane_height pixels
 * subsampled by (sub_x, sub_y): radius[j * plane_width + i] and
 * angle[j * plane_width + i] receive R and A at the pixel's centre (frame
 * pixels and degrees). */
void disk_effect_fill_rows (const DiskEffectParams * params,
    guint frame_width, guint frame_height, guint plane_width,
    guint plane_height, guint sub_x, guint sub_y, const DiskImage * strength,
    const DiskImage * angle_map, gfloat * radius, gfloat * angle,
    guint y_begin, guint y_end);

G_END_DECLS

#endif /* __DISK_EFFECTS_H__ */
