/* DISK core: target kernels, the shapes a complex is fitted to.
 *
 * `radius` r is the kernel's half-extent in pixels for every family. A target
 * is rendered on a (2h + 1)^2 single-channel canvas with its centre at (h, h),
 * drawn as the image of a point light (y down: an upright heart has its lobes
 * at the top, rows of smaller y). Every rendered target sums to 1; below
 * r = 0.5 every family is the identity (a single 1 at the centre).
 *
 * Families and parameters (spec syntax "family:key=value,key=value"):
 *   disc                        area coverage of each pixel by the circle of
 *                               radius r (supersampled 16x16 per pixel)
 *   gaussian                    exp(-d^2 / (2 sigma^2)) at pixel centres,
 *                               sigma = r / 3, zero where d > r
 *   ring:inner=0.6              coverage of the annulus inner * r <= d <= r
 *   polygon:n=6,rotation=0      regular n-gon with circumradius r; rotation in
 *                               degrees (disk-complex.h convention); vertex k at
 *                               (r cos a_k, r sin a_k), a_k = -90 + rotation +
 *                               k * 360 / n degrees (vertex 0 points up)
 *   star:n=5,inner=0.45         coverage of the 2n-gon whose vertex k is at radius
 *                               r (k even) or inner * r (k odd) and angle
 *                               -90 + rotation + k * 180 / n: first point up
 *   heart:rotation=0            coverage of the classic heart curve
 *                               (u^2 + v^2 - 1)^3 - u^2 v^3 <= 0 with
 *                               u = 1.139 x / r, v = -1.139 y / r + 0.11825
 *                               (x, y kernel coordinates before rotation): it
 *                               spans x in [-r, r], y in about [-0.98 r, 0.98 r],
 *                               lobes up (towards -y), point down
 *   line:rotation=0             motion blur: coverage of the rectangle
 *                               [-r, r] x [-0.5, 0.5] (a segment of length 2r
 *                               along x, 1 px wide), rotated
 *   ellipse:aspect=0.5,rotation=0  coverage of the ellipse with semi-axes r (x)
 *                               and aspect * r (y), rotated
 *   image:PATH                  luminance of an image file as weights, centred;
 *                               its natural radius is half its larger side and it
 *                               is resampled (area) to the requested radius
 * Coverage-based families supersample each pixel 16x16.
 *
 * Defaults: polygon n=6, star n=5 inner=0.45, ring inner=0.6, ellipse
 * aspect=0.5, rotation 0. Ranges: n 3..64, inner in (0, 1), aspect in (0, 1],
 * rotation any finite number. Fields a family does not use are 0.
 * A canvas smaller than the shape clips it; what is left is still normalised
 * to sum 1 (and if nothing is left, the result is the identity).
 */
#ifndef __DISK_TARGET_H__
#define __DISK_TARGET_H__

#include "disk-image.h"

G_BEGIN_DECLS

typedef enum
{
  DISK_TARGET_DISC,
  DISK_TARGET_GAUSSIAN,
  DISK_TARGET_RING,
  DISK_TARGET_POLYGON,
  DISK_TARGET_STAR,
  DISK_TARGET_HEART,
  DISK_TARGET_LINE,
  DISK_TARGET_ELLIPSE,
  DISK_TARGET_IMAGE,
} DiskTargetFamily;

typedef struct _DiskTarget DiskTarget;

struct _DiskTarget
{
  DiskTargetFamily family;
  guint n;                      /* polygon sides, star points */
  gdouble inner;                /* ring, star: inner radius / r */
  gdouble rotation;             /* degrees */
  gdouble aspect;               /* ellipse: y semi-axis / x semi-axis */
  gchar *path;                  /* image */
  DiskImage *image;             /* image: luminance, 1 channel, loaded by parse */
};

/* Parses "disc", "polygon:n=6", "star:n=5,inner=0.45", "image:path.png", ...
 * Unknown families or keys, and out-of-range values, are errors
 * (G_OPTION_ERROR_BAD_VALUE) naming the offending part. Everything after
 * "image:" is the path (commas included); the file is loaded here, and a
 * file that cannot be read or is all black is an error (same domain). */
DiskTarget *disk_target_parse (const gchar * spec, GError ** error);
DiskTarget *disk_target_copy (const DiskTarget * target);
void disk_target_free (DiskTarget * target);
/* The canonical spec string, parseable by disk_target_parse; g_free it. */
gchar *disk_target_to_string (const DiskTarget * target);

/* Canvas half-size that holds the target at `radius` with a small margin. */
guint disk_target_half_size (gdouble radius);

/* The normalised kernel at `radius` on a (2 * half_size + 1)^2 canvas. */
DiskImage *disk_target_render (const DiskTarget * target, gdouble radius,
    guint half_size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskTarget, disk_target_free)

G_END_DECLS

#endif /* __DISK_TARGET_H__ */
