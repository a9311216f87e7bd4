/* DISK core: target kernels. The families and their formulas are fixed in
 * disk-target.h; this file parses specs and renders them.
 *
 * Coverage families are rendered as the fraction of a pixel's 16x16 sample
 * points (at offsets (i + 0.5) / 16 - 0.5, i = 0..15) that fall inside the
 * shape. Supersampling every pixel costs 256 inside tests per pixel, so each
 * pixel is first classified with an exact geometric bound: when the pixel's
 * centre is further than sqrt(2)/2 from the shape's boundary, all its sample
 * points are on the same side and the answer is 0 or 1 without sampling. Only
 * pixels the boundary may cross are sampled. The bounds are conservative, so
 * the result is exactly that of sampling every pixel.
 */
#include "disk-target.h"
#include "disk-image-io.h"

#include <math.h>
#include <string.h>

#define SUPERSAMPLE 16
/* Every sample point of a pixel lies within this distance of its centre
 * (sqrt (2) / 2 = 0.70711 rounded up, so float rounding cannot matter). */
#define PIXEL_REACH 0.7072

#define MIN_SIDES 3
#define MAX_SIDES 64

/* The heart curve (u^2 + v^2 - 1)^3 - u^2 v^3 = 0, scaled and shifted so that
 * it spans x in [-r, r] (see disk-target.h). */
#define HEART_SCALE 1.139
#define HEART_SHIFT 0.11825

#define DEG (G_PI / 180.0)

/* ------------------------------------------------------------ spec syntax */

enum
{
  KEY_N = 1 << 0,
  KEY_INNER = 1 << 1,
  KEY_ROTATION = 1 << 2,
  KEY_ASPECT = 1 << 3,
};

typedef struct
{
  const gchar *name;
  DiskTargetFamily family;
  guint keys;                   /* the keys this family accepts */
  const gchar *key_list;        /* the same, for error messages */
} FamilyInfo;

static const FamilyInfo families[] = {
  {"disc", DISK_TARGET_DISC, 0, "none"},
  {"gaussian", DISK_TARGET_GAUSSIAN, 0, "none"},
  {"ring", DISK_TARGET_RING, KEY_INNER, "inner"},
  {"polygon", DISK_TARGET_POLYGON, KEY_N | KEY_ROTATION, "n, rotation"},
  {"star", DISK_TARGET_STAR, KEY_N | KEY_INNER | KEY_ROTATION,
      "n, inner, rotation"},
  {"heart", DISK_TARGET_HEART, KEY_ROTATION, "rotation"},
  {"line", DISK_TARGET_LINE, KEY_ROTATION, "rotation"},
  {"ellipse", DISK_TARGET_ELLIPSE, KEY_ASPECT | KEY_ROTATION,
      "aspect, rotation"},
  {"image", DISK_TARGET_IMAGE, 0, "none"},
};

#define FAMILY_NAMES \
  "disc, gaussian, ring, polygon, star, heart, line, ellipse, image:PATH"

static const FamilyInfo *
family_info (DiskTargetFamily family)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (families); i++)
    if (families[i].family == family)
      return &families[i];
  return NULL;
}

static gboolean
parse_double (const gchar * value, gdouble * out)
{
  gchar *end = NULL;

  /* strtod would skip leading blanks; a spec has none. */
  if (*value == '\0' || g_ascii_isspace (*value))
    return FALSE;
  *out = g_ascii_strtod (value, &end);
  return end != value && *end == '\0';
}

/* Sets one parameter from "key=value"; `seen` collects the keys given. */
static gboolean
parse_parameter (DiskTarget * target, const FamilyInfo * info,
    const gchar * spec, const gchar * item, guint * seen, GError ** error)
{
  const gchar *eq = strchr (item, '=');
  g_autofree gchar *key = NULL;
  const gchar *value;
  guint key_bit;
  gdouble number;

  if (*item == '\0') {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "Target “%s”: empty parameter (a stray “:” or “,”)", spec);
    return FALSE;
  }
  if (eq == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "Target “%s”: parameter “%s” is not key=value", spec, item);
    return FALSE;
  }
  key = g_strndup (item, eq - item);
  value = eq + 1;

  if (g_str_equal (key, "n"))
    key_bit = KEY_N;
  else if (g_str_equal (key, "inner"))
    key_bit = KEY_INNER;
  else if (g_str_equal (key, "rotation"))
    key_bit = KEY_ROTATION;
  else if (g_str_equal (key, "aspect"))
    key_bit = KEY_ASPECT;
  else
    key_bit = 0;
  if ((key_bit & info->keys) == 0) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "Target “%s”: unknown key “%s” for %s (its keys: %s)", spec, key,
        info->name, info->key_list);
    return FALSE;
  }
  if (*seen & key_bit) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "Target “%s”: key “%s” is given twice", spec, key);
    return FALSE;
  }
  *seen |= key_bit;

  if (key_bit == KEY_N) {
    guint64 n;

    if (!g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &n, NULL)) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "Target “%s”: “%s” is not a whole number (n must be %d to %d)",
          spec, item, MIN_SIDES, MAX_SIDES);
      return FALSE;
    }
    if (n < MIN_SIDES || n > MAX_SIDES) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "Target “%s”: “%s” is out of range (n must be %d to %d)", spec,
          item, MIN_SIDES, MAX_SIDES);
      return FALSE;
    }
    target->n = n;
    return TRUE;
  }

  if (!parse_double (value, &number) || !isfinite (number)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "Target “%s”: “%s” is not a finite number", spec, item);
    return FALSE;
  }
  switch (key_bit) {
    case KEY_INNER:
      if (!(number > 0.0 && number < 1.0)) {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
            "Target “%s”: “%s” is out of range (inner must be strictly "
            "between 0 and 1)", spec, item);
        return FALSE;
      }
      target->inner = number;
      break;
    case KEY_ASPECT:
      if (!(number > 0.0 && number <= 1.0)) {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
            "Target “%s”: “%s” is out of range (aspect must be above 0 "
            "and at most 1)", spec, item);
        return FALSE;
      }
      target->aspect = number;
      break;
    default:
      /* + 0.0 turns -0 into 0, so that the canonical spec has no "-0". */
      target->rotation = number + 0.0;
      break;
  }
  return TRUE;
}

static gboolean
load_image (DiskTarget * target, const gchar * spec, GError ** error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (DiskImage) image = NULL;
  gfloat max = 0.0f;
  guint x, y;

  if (*target->path == '\0') {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "Target “%s”: no file after “image:”", spec);
    return FALSE;
  }
  image = disk_image_load (target->path, &local_error);
  if (image == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "Target “%s”: %s", spec, local_error->message);
    return FALSE;
  }
  target->image = disk_image_to_luminance (image);
  for (y = 0; y < target->image->height; y++)
    for (x = 0; x < target->image->width; x++)
      max = MAX (max, disk_image_pixel (target->image, x, y)[0]);
  if (!(max > 0.0f)) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "Target “%s”: the image “%s” is all black, so it has no weight "
        "anywhere", spec, target->path);
    return FALSE;
  }
  return TRUE;
}

DiskTarget *
disk_target_parse (const gchar * spec, GError ** error)
{
  g_autoptr (DiskTarget) target = NULL;
  g_autofree gchar *name = NULL;
  const FamilyInfo *info = NULL;
  const gchar *colon;
  guint i, seen = 0;

  g_return_val_if_fail (spec != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  colon = strchr (spec, ':');
  name = colon ? g_strndup (spec, colon - spec) : g_strdup (spec);
  for (i = 0; i < G_N_ELEMENTS (families); i++)
    if (g_str_equal (name, families[i].name))
      info = &families[i];
  if (info == NULL) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "Target “%s”: unknown family “%s” (known: " FAMILY_NAMES ")", spec,
        name);
    return NULL;
  }

  target = g_new0 (DiskTarget, 1);
  target->family = info->family;
  switch (info->family) {
    case DISK_TARGET_RING:
      target->inner = 0.6;
      break;
    case DISK_TARGET_POLYGON:
      target->n = 6;
      break;
    case DISK_TARGET_STAR:
      target->n = 5;
      target->inner = 0.45;
      break;
    case DISK_TARGET_ELLIPSE:
      target->aspect = 0.5;
      break;
    default:
      break;
  }

  if (info->family == DISK_TARGET_IMAGE) {
    /* Everything after "image:" is the path, commas and all. */
    target->path = g_strdup (colon ? colon + 1 : "");
    if (!load_image (target, spec, error))
      return NULL;
  } else if (colon != NULL) {
    g_auto (GStrv) items = g_strsplit (colon + 1, ",", -1);

    if (items[0] == NULL) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "Target “%s”: empty parameter (a stray “:” or “,”)", spec);
      return NULL;
    }
    for (i = 0; items[i] != NULL; i++)
      if (!parse_parameter (target, info, spec, items[i], &seen, error))
        return NULL;
  }
  return g_steal_pointer (&target);
}

DiskTarget *
disk_target_copy (const DiskTarget * target)
{
  DiskTarget *copy;

  g_return_val_if_fail (target != NULL, NULL);

  copy = g_new (DiskTarget, 1);
  *copy = *target;
  copy->path = g_strdup (target->path);
  copy->image = target->image ? disk_image_copy (target->image) : NULL;
  return copy;
}

void
disk_target_free (DiskTarget * target)
{
  if (target == NULL)
    return;
  g_free (target->path);
  disk_image_free (target->image);
  g_free (target);
}

/* The shortest decimal text that reads back as exactly `value`. Precision
 * starts at the number of integer digits so that %g does not switch to an
 * exponent ("1.8e+02" for 180). */
static void
format_number (gchar * buffer, gdouble value)
{
  gint precision = 1;

  if (fabs (value) >= 1.0)
    precision = (gint) MIN (17.0, floor (log10 (fabs (value))) + 1.0);
  for (; precision <= 17; precision++) {
    gchar format[8];

    g_snprintf (format, sizeof format, "%%.%dg", precision);
    g_ascii_formatd (buffer, G_ASCII_DTOSTR_BUF_SIZE, format, value);
    if (g_ascii_strtod (buffer, NULL) == value)
      return;
  }
}

gchar *
disk_target_to_string (const DiskTarget * target)
{
  gchar a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
  const FamilyInfo *info;

  g_return_val_if_fail (target != NULL, NULL);
  info = family_info (target->family);
  g_return_val_if_fail (info != NULL, NULL);

  switch (target->family) {
    case DISK_TARGET_RING:
      format_number (a, target->inner);
      return g_strdup_printf ("ring:inner=%s", a);
    case DISK_TARGET_POLYGON:
      format_number (a, target->rotation);
      return g_strdup_printf ("polygon:n=%u,rotation=%s", target->n, a);
    case DISK_TARGET_STAR:
      format_number (a, target->inner);
      format_number (b, target->rotation);
      return g_strdup_printf ("star:n=%u,inner=%s,rotation=%s", target->n, a,
          b);
    case DISK_TARGET_HEART:
    case DISK_TARGET_LINE:
      format_number (a, target->rotation);
      return g_strdup_printf ("%s:rotation=%s", info->name, a);
    case DISK_TARGET_ELLIPSE:
      format_number (a, target->aspect);
      format_number (b, target->rotation);
      return g_strdup_printf ("ellipse:aspect=%s,rotation=%s", a, b);
    case DISK_TARGET_IMAGE:
      return g_strdup_printf ("image:%s", target->path ? target->path : "");
    default:
      return g_strdup (info->name);
  }
}

guint
disk_target_half_size (gdouble radius)
{
  /* Keeps the result a canvas disk_target_render () accepts, whatever the
   * input (NaN and negative radii give the smallest canvas). */
  if (!(radius > 0.0))
    radius = 0.0;
  radius = MIN (radius, 1 << 16);
  return (guint) ceil (radius) + 2;
}

/* ----------------------------------------------------------- the shapes */

typedef enum
{
  PIXEL_OUTSIDE,
  PIXEL_INSIDE,
  PIXEL_BOUNDARY,
} PixelClass;

/* A coverage shape at one radius, everything precomputed. Points are kernel
 * coordinates: pixels relative to the canvas centre, y down. */
typedef struct
{
  DiskTargetFamily family;
  gdouble r;
  gdouble inner_r;              /* ring: inner radius in pixels */
  gdouble cos_t, sin_t;         /* rotation */
  gdouble aspect;
  /* Polygon and star: vertices in order of increasing angle, and for edge k
   * (vertex k to k + 1) the outward unit normal and offset: the inside of
   * the edge is nx x + ny y <= d. */
  guint n_edges;
  gdouble vx[2 * MAX_SIDES + 1], vy[2 * MAX_SIDES + 1];
  gdouble nx[2 * MAX_SIDES], ny[2 * MAX_SIDES], d[2 * MAX_SIDES];
  gdouble first_angle;          /* star: angle of vertex 0, radians */
  gdouble inscribed;            /* star: the disc of this radius is inside */
} Shape;

/* Undoes the rotation: the shape is drawn at its rotation, so a point is
 * inside when the point turned back by it is inside the unrotated shape. */
static inline void
unrotate (const Shape * shape, gdouble x, gdouble y, gdouble * ux,
    gdouble * uy)
{
  *ux = shape->cos_t * x + shape->sin_t * y;
  *uy = -shape->sin_t * x + shape->cos_t * y;
}

static void
shape_init (Shape * shape, const DiskTarget * target, gdouble radius)
{
  /* Reduced exactly, so that any finite rotation keeps the angles below
   * small (and the star's sector index in range). */
  const gdouble rotation = fmod (target->rotation, 360.0);
  guint k, n_vertices;

  memset (shape, 0, sizeof *shape);
  shape->family = target->family;
  shape->r = radius;
  shape->inner_r = target->inner * radius;
  shape->cos_t = cos (rotation * DEG);
  shape->sin_t = sin (rotation * DEG);
  shape->aspect = target->aspect;

  if (target->family != DISK_TARGET_POLYGON
      && target->family != DISK_TARGET_STAR)
    return;

  /* Vertex k at angle -90 + rotation + k * 360 / (number of vertices),
   * on radius r (polygon, even star vertices) or inner * r (odd ones). */
  n_vertices = target->family == DISK_TARGET_STAR ? 2 * target->n : target->n;
  shape->n_edges = n_vertices;
  shape->first_angle = (-90.0 + rotation) * DEG;
  for (k = 0; k <= n_vertices; k++) {
    gdouble a = (-90.0 + rotation + k * 360.0 / n_vertices) * DEG;
    gdouble rho = (target->family == DISK_TARGET_STAR && (k & 1))
        ? target->inner * radius : radius;

    shape->vx[k] = rho * cos (a);
    shape->vy[k] = rho * sin (a);
  }
  shape->inscribed = G_MAXDOUBLE;
  for (k = 0; k < n_vertices; k++) {
    gdouble ex = shape->vx[k + 1] - shape->vx[k];
    gdouble ey = shape->vy[k + 1] - shape->vy[k];
    gdouble len = hypot (ex, ey);

    /* Angles increase from x towards y, so (ey, -ex) points away from the
     * centre. */
    shape->nx[k] = ey / len;
    shape->ny[k] = -ex / len;
    shape->d[k] = shape->nx[k] * shape->vx[k] + shape->ny[k] * shape->vy[k];
    shape->inscribed = MIN (shape->inscribed, shape->d[k]);
  }
}

static inline gdouble
heart_function (gdouble u, gdouble v)
{
  gdouble s = u * u + v * v - 1.0;

  return s * s * s - u * u * v * v * v;
}

static inline gboolean
shape_contains (const Shape * shape, gdouble x, gdouble y)
{
  gdouble ux, uy, d2;

  switch (shape->family) {
    case DISK_TARGET_DISC:
      return x * x + y * y <= shape->r * shape->r;
    case DISK_TARGET_RING:
      d2 = x * x + y * y;
      return d2 <= shape->r * shape->r
          && d2 >= shape->inner_r * shape->inner_r;
    case DISK_TARGET_POLYGON:{
      guint k;

      for (k = 0; k < shape->n_edges; k++)
        if (shape->nx[k] * x + shape->ny[k] * y > shape->d[k])
          return FALSE;
      return TRUE;
    }
    case DISK_TARGET_STAR:{
      /* The star is star-shaped around its centre: a point is inside when
       * it is inside the triangle (centre, vertex k, vertex k + 1) of the
       * angular sector it lies in. */
      gdouble t = (atan2 (y, x) - shape->first_angle)
          * shape->n_edges / (2.0 * G_PI);
      gint k = (gint) floor (t) % (gint) shape->n_edges;

      if (k < 0)
        k += shape->n_edges;
      return shape->nx[k] * x + shape->ny[k] * y <= shape->d[k];
    }
    case DISK_TARGET_HEART:
      unrotate (shape, x, y, &ux, &uy);
      return heart_function (HEART_SCALE * ux / shape->r,
          -HEART_SCALE * uy / shape->r + HEART_SHIFT) <= 0.0;
    case DISK_TARGET_LINE:
      unrotate (shape, x, y, &ux, &uy);
      return fabs (ux) <= shape->r && fabs (uy) <= 0.5;
    case DISK_TARGET_ELLIPSE:{
      gdouble a, b;

      unrotate (shape, x, y, &ux, &uy);
      a = ux / shape->r;
      b = uy / (shape->aspect * shape->r);
      return a * a + b * b <= 1.0;
    }
    default:
      g_return_val_if_reached (FALSE);
  }
}

/* Distance from (x, y) to the segment from vertex k to vertex k + 1. */
static gdouble
segment_distance (const Shape * shape, guint k, gdouble x, gdouble y)
{
  gdouble ex = shape->vx[k + 1] - shape->vx[k];
  gdouble ey = shape->vy[k + 1] - shape->vy[k];
  gdouble px = x - shape->vx[k], py = y - shape->vy[k];
  gdouble t = (px * ex + py * ey) / (ex * ex + ey * ey);

  t = CLAMP (t, 0.0, 1.0);
  return hypot (px - t * ex, py - t * ey);
}

/* [lo, hi] squared, as an interval. */
static inline void
interval_square (gdouble lo, gdouble hi, gdouble * out_lo, gdouble * out_hi)
{
  if (lo >= 0.0) {
    *out_lo = lo * lo;
    *out_hi = hi * hi;
  } else if (hi <= 0.0) {
    *out_lo = hi * hi;
    *out_hi = lo * lo;
  } else {
    *out_lo = 0.0;
    *out_hi = MAX (lo * lo, hi * hi);
  }
}

/* The heart function has no simple distance, so its range over the pixel is
 * bounded by interval arithmetic over the pixel's bounding box (after the
 * rotation is undone): if even the largest value is <= 0 every sample point
 * is inside, if the smallest is > 0 none is. */
static PixelClass
heart_classify (const Shape * shape, gdouble x, gdouble y)
{
  const gdouble k = HEART_SCALE / shape->r;
  gdouble cx, cy, half, u0, u1, v0, v1, a0, a1, b0, b1, s0, s1, c0, c1;
  gdouble p[4], pmin, pmax, fmin, fmax;
  guint i;

  unrotate (shape, x, y, &cx, &cy);
  half = 0.5 * (fabs (shape->cos_t) + fabs (shape->sin_t));
  u0 = k * (cx - half);
  u1 = k * (cx + half);
  v0 = -k * (cy + half) + HEART_SHIFT;
  v1 = -k * (cy - half) + HEART_SHIFT;
  interval_square (u0, u1, &a0, &a1);
  interval_square (v0, v1, &b0, &b1);
  s0 = a0 + b0 - 1.0;
  s1 = a1 + b1 - 1.0;
  c0 = v0 * v0 * v0;
  c1 = v1 * v1 * v1;
  p[0] = a0 * c0;
  p[1] = a0 * c1;
  p[2] = a1 * c0;
  p[3] = a1 * c1;
  pmin = pmax = p[0];
  for (i = 1; i < 4; i++) {
    pmin = MIN (pmin, p[i]);
    pmax = MAX (pmax, p[i]);
  }
  fmin = s0 * s0 * s0 - pmax;
  fmax = s1 * s1 * s1 - pmin;
  if (fmax <= 0.0)
    return PIXEL_INSIDE;
  if (fmin > 0.0)
    return PIXEL_OUTSIDE;
  return PIXEL_BOUNDARY;
}

/* From a signed distance `s` of the pixel centre (negative inside, exact)
 * or a lower bound of the distance (positive, outside). */
static inline PixelClass
classify_distance (gdouble s)
{
  if (s <= -PIXEL_REACH)
    return PIXEL_INSIDE;
  if (s > PIXEL_REACH)
    return PIXEL_OUTSIDE;
  return PIXEL_BOUNDARY;
}

static PixelClass
shape_classify (const Shape * shape, gdouble x, gdouble y)
{
  gdouble d = hypot (x, y), ux, uy, s;
  guint k;

  switch (shape->family) {
    case DISK_TARGET_DISC:
      return classify_distance (d - shape->r);
    case DISK_TARGET_RING:
      return classify_distance (MAX (d - shape->r, shape->inner_r - d));
    case DISK_TARGET_POLYGON:
      /* Convex: the largest edge-line distance is the exact signed distance
       * inside and a lower bound of the distance outside. */
      s = -G_MAXDOUBLE;
      for (k = 0; k < shape->n_edges; k++)
        s = MAX (s, shape->nx[k] * x + shape->ny[k] * y - shape->d[k]);
      return classify_distance (s);
    case DISK_TARGET_STAR:
      if (d - PIXEL_REACH > shape->r)
        return PIXEL_OUTSIDE;
      if (d + PIXEL_REACH < shape->inscribed)
        return PIXEL_INSIDE;
      s = G_MAXDOUBLE;
      for (k = 0; k < shape->n_edges; k++)
        s = MIN (s, segment_distance (shape, k, x, y));
      if (s <= PIXEL_REACH)
        return PIXEL_BOUNDARY;
      return shape_contains (shape, x, y) ? PIXEL_INSIDE : PIXEL_OUTSIDE;
    case DISK_TARGET_HEART:
      return heart_classify (shape, x, y);
    case DISK_TARGET_LINE:
      unrotate (shape, x, y, &ux, &uy);
      return classify_distance (MAX (fabs (ux) - shape->r,
              fabs (uy) - 0.5));
    case DISK_TARGET_ELLIPSE:
      /* In coordinates scaled to make the ellipse the unit circle, the
       * pixel's sample points stay within PIXEL_REACH / (aspect r) of its
       * centre (aspect <= 1 makes that the larger scale). */
      unrotate (shape, x, y, &ux, &uy);
      s = hypot (ux / shape->r, uy / (shape->aspect * shape->r));
      {
        gdouble reach = PIXEL_REACH / (shape->aspect * shape->r);

        if (s + reach <= 1.0)
          return PIXEL_INSIDE;
        if (s - reach > 1.0)
          return PIXEL_OUTSIDE;
        return PIXEL_BOUNDARY;
      }
    default:
      g_return_val_if_reached (PIXEL_BOUNDARY);
  }
}

/* Unnormalised coverage (0..1 per pixel) of a shape. */
static void
render_coverage (const Shape * shape, DiskImage * canvas, guint half)
{
  gdouble offsets[SUPERSAMPLE];
  guint X, Y, i, j;

  for (i = 0; i < SUPERSAMPLE; i++)
    offsets[i] = (i + 0.5) / SUPERSAMPLE - 0.5;

  for (Y = 0; Y < canvas->height; Y++) {
    gfloat *row = disk_image_pixel (canvas, 0, Y);
    gdouble y = (gdouble) Y - half;

    for (X = 0; X < canvas->width; X++) {
      gdouble x = (gdouble) X - half;
      guint count = 0;

      switch (shape_classify (shape, x, y)) {
        case PIXEL_INSIDE:
          row[X] = 1.0f;
          break;
        case PIXEL_OUTSIDE:
          row[X] = 0.0f;
          break;
        default:
          for (j = 0; j < SUPERSAMPLE; j++)
            for (i = 0; i < SUPERSAMPLE; i++)
              count += shape_contains (shape, x + offsets[i], y + offsets[j]);
          row[X] = (gfloat) count / (SUPERSAMPLE * SUPERSAMPLE);
          break;
      }
    }
  }
}

static void
render_gaussian (gdouble radius, DiskImage * canvas, guint half)
{
  const gdouble sigma = radius / 3.0;
  guint X, Y;

  for (Y = 0; Y < canvas->height; Y++) {
    gfloat *row = disk_image_pixel (canvas, 0, Y);
    gdouble y = (gdouble) Y - half;

    for (X = 0; X < canvas->width; X++) {
      gdouble x = (gdouble) X - half;
      gdouble d2 = x * x + y * y;

      row[X] = d2 > radius * radius ? 0.0f
          : (gfloat) exp (-d2 / (2.0 * sigma * sigma));
    }
  }
}

/* Overlap length of [a0, a1] and [b0, b1]. */
static inline gdouble
overlap (gdouble a0, gdouble a1, gdouble b0, gdouble b1)
{
  return MAX (0.0, MIN (a1, b1) - MAX (a0, b0));
}

/* The source pixels an output pixel overlaps along one axis: output pixel o
 * covers [o - half - 0.5, o - half + 0.5] in kernel coordinates, source
 * pixel i covers [(i - n / 2) s, (i + 1 - n / 2) s]. */
static void
source_range (guint o, guint half, guint n, gdouble s, guint * first,
    guint * last)
{
  gdouble lo = ((gdouble) o - half - 0.5) / s + n / 2.0;
  gdouble hi = ((gdouble) o - half + 0.5) / s + n / 2.0;

  lo = CLAMP (floor (lo), 0.0, n - 1.0);
  hi = CLAMP (floor (hi), 0.0, n - 1.0);
  *first = (guint) lo;
  *last = (guint) hi;
}

static inline gdouble
axis_weight (guint o, guint half, guint i, guint n, gdouble s)
{
  return overlap ((gdouble) o - half - 0.5, (gdouble) o - half + 0.5,
      (i - n / 2.0) * s, (i + 1 - n / 2.0) * s);
}

/* Area (box filter) resampling: each output pixel is the integral of the
 * piecewise constant source image, scaled by s and centred, over the pixel.
 * The filter is separable: rows first, then columns. */
static void
render_image (const DiskImage * source, gdouble radius, DiskImage * canvas,
    guint half)
{
  const guint w = source->width, h = source->height, size = canvas->width;
  const gdouble s = radius / (MAX (w, h) / 2.0);
  g_autofree gdouble *rows = g_new0 (gdouble, (gsize) h * size);
  guint X, Y, i, j, first, last;

  for (X = 0; X < size; X++) {
    source_range (X, half, w, s, &first, &last);
    for (i = first; i <= last; i++) {
      gdouble wx = axis_weight (X, half, i, w, s);

      if (wx <= 0.0)
        continue;
      for (j = 0; j < h; j++)
        rows[(gsize) j * size + X] += wx * disk_image_pixel (source, i, j)[0];
    }
  }
  for (Y = 0; Y < size; Y++) {
    gfloat *out = disk_image_pixel (canvas, 0, Y);

    source_range (Y, half, h, s, &first, &last);
    for (X = 0; X < size; X++)
      out[X] = 0.0f;
    for (j = first; j <= last; j++) {
      gdouble wy = axis_weight (Y, half, j, h, s);

      if (wy <= 0.0)
        continue;
      for (X = 0; X < size; X++)
        out[X] += (gfloat) (wy * rows[(gsize) j * size + X]);
    }
  }
}

/* Scales the canvas to sum 1; a canvas with nothing on it becomes the
 * identity (a shape clipped away entirely, or thinner than the sampling). */
static void
normalise (DiskImage * canvas, guint half)
{
  gdouble sum = 0.0;
  guint X, Y;

  for (Y = 0; Y < canvas->height; Y++)
    for (X = 0; X < canvas->width; X++)
      sum += disk_image_pixel (canvas, X, Y)[0];
  if (!(sum > 0.0) || !isfinite (sum)) {
    disk_image_fill (canvas, 0.0f);
    disk_image_pixel (canvas, half, half)[0] = 1.0f;
    return;
  }
  for (Y = 0; Y < canvas->height; Y++)
    for (X = 0; X < canvas->width; X++)
      disk_image_pixel (canvas, X, Y)[0] =
          (gfloat) (disk_image_pixel (canvas, X, Y)[0] / sum);
}

DiskImage *
disk_target_render (const DiskTarget * target, gdouble radius,
    guint half_size)
{
  DiskImage *canvas;

  g_return_val_if_fail (target != NULL, NULL);
  g_return_val_if_fail (isfinite (radius) && radius >= 0.0, NULL);
  g_return_val_if_fail (half_size < (1u << 20), NULL);
  g_return_val_if_fail (target->family != DISK_TARGET_IMAGE
      || target->image != NULL, NULL);
  g_return_val_if_fail ((target->family != DISK_TARGET_POLYGON
          && target->family != DISK_TARGET_STAR)
      || (target->n >= MIN_SIDES && target->n <= MAX_SIDES), NULL);
  g_return_val_if_fail (target->family != DISK_TARGET_ELLIPSE
      || target->aspect > 0.0, NULL);

  canvas = disk_image_new (2 * half_size + 1, 2 * half_size + 1, 1);
  if (radius < 0.5) {
    disk_image_pixel (canvas, half_size, half_size)[0] = 1.0f;
    return canvas;
  }

  switch (target->family) {
    case DISK_TARGET_GAUSSIAN:
      render_gaussian (radius, canvas, half_size);
      break;
    case DISK_TARGET_IMAGE:
      render_image (target->image, radius, canvas, half_size);
      break;
    default:{
      Shape shape;

      shape_init (&shape, target, radius);
      render_coverage (&shape, canvas, half_size);
      break;
    }
  }
  normalise (canvas, half_size);
  return canvas;
}
