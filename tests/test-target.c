/* Tests of target kernels: parsing, canonical specs and rendering.
 *
 * Independent references, computed here and never through the code under
 * test: areas and widths from geometry (pi r^2, (3 sqrt 3 / 2) r^2, ...),
 * exact 0 and maximum weights from pixel corners, the Gaussian formula,
 * symmetries, and a brute-force renderer written here (16x16 samples in every
 * pixel, inside tests written from the formulas in disk-target.h, polygons by
 * an even-odd crossing test) that the fast renderer must match. */
#include "disk-target.h"
#include "disk-image-io.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static gchar *tmp_dir;

static DiskTarget *
parse_ok (const gchar * spec)
{
  g_autoptr (GError) error = NULL;
  DiskTarget *target = disk_target_parse (spec, &error);

  g_assert_no_error (error);
  g_assert_nonnull (target);
  return target;
}

static DiskImage *
render_spec (const gchar * spec, gdouble radius, guint half)
{
  g_autoptr (DiskTarget) target = parse_ok (spec);

  return disk_target_render (target, radius, half);
}

/* Weight at kernel coordinates (x, y) relative to the centre. */
static inline gdouble
K (const DiskImage * k, gint x, gint y)
{
  gint half = k->width / 2;

  if (abs (x) > half || abs (y) > half)
    return 0.0;
  return disk_image_pixel (k, x + half, y + half)[0];
}

static gdouble
kernel_sum (const DiskImage * k)
{
  gdouble sum = 0.0;
  guint x, y;

  for (y = 0; y < k->height; y++)
    for (x = 0; x < k->width; x++)
      sum += disk_image_pixel (k, x, y)[0];
  return sum;
}

static gdouble
kernel_max (const DiskImage * k)
{
  gdouble max = 0.0;
  guint x, y;

  for (y = 0; y < k->height; y++)
    for (x = 0; x < k->width; x++)
      max = MAX (max, disk_image_pixel (k, x, y)[0]);
  return max;
}

/* Sum of a row (or column) in coverage units (full pixel = 1). */
static gdouble
row_coverage (const DiskImage * k, gint y, gboolean column)
{
  gint half = k->width / 2, i;
  gdouble sum = 0.0;

  for (i = -half; i <= half; i++)
    sum += column ? K (k, y, i) : K (k, i, y);
  return sum / kernel_max (k);
}

static void
assert_close (gdouble got, gdouble expected, gdouble rel, const gchar * what)
{
  g_test_message ("%s: %.5f, expected %.5f (%.3f%%)", what, got, expected,
      100.0 * (got - expected) / expected);
  if (!(fabs (got - expected) <= rel * fabs (expected)))
    g_error ("%s: got %.6f, expected %.6f within %.2f%%", what, got,
        expected, 100 * rel);
}

/* Largest |a - b| over the canvas, relative to max(a). */
static gdouble
max_difference (const DiskImage * a, const DiskImage * b)
{
  gdouble d = 0.0;
  guint x, y;

  g_assert_true (disk_image_same_shape (a, b));
  for (y = 0; y < a->height; y++)
    for (x = 0; x < a->width; x++)
      d = MAX (d, fabs (disk_image_pixel (a, x, y)[0]
              - disk_image_pixel (b, x, y)[0]));
  return d / kernel_max (a);
}

/* Largest |K(x, y) - K(-x, y)| relative to the maximum. */
static gdouble
mirror_difference (const DiskImage * k)
{
  gint half = k->width / 2, x, y;
  gdouble d = 0.0;

  for (y = -half; y <= half; y++)
    for (x = -half; x <= half; x++)
      d = MAX (d, fabs (K (k, x, y) - K (k, -x, y)));
  return d / kernel_max (k);
}

/* One boundary sample of 256 may differ where float rounding decides. */
#define SAMPLE_TOLERANCE (1.01 / 256)

/* ------------------------------------------------- a brute-force renderer */

typedef struct
{
  const gchar *family;
  gdouble r, rotation, inner, aspect;
  guint n;
} RefShape;

/* Rotation by +theta (x, y) -> (x cos - y sin, x sin + y cos); a shape drawn
 * rotated contains p when the unrotated shape contains p turned by -theta. */
static void
turn_back (const RefShape * s, gdouble x, gdouble y, gdouble * ux,
    gdouble * uy)
{
  gdouble t = -s->rotation * G_PI / 180.0;

  *ux = x * cos (t) - y * sin (t);
  *uy = x * sin (t) + y * cos (t);
}

static gboolean
even_odd_inside (const gdouble * vx, const gdouble * vy, guint n, gdouble x,
    gdouble y)
{
  gboolean inside = FALSE;
  guint i, j;

  for (i = 0, j = n - 1; i < n; j = i++)
    if ((vy[i] > y) != (vy[j] > y)
        && x < (vx[j] - vx[i]) * (y - vy[i]) / (vy[j] - vy[i]) + vx[i])
      inside = !inside;
  return inside;
}

static gboolean
ref_inside (const RefShape * s, gdouble x, gdouble y)
{
  gdouble ux, uy, r = s->r;

  if (g_str_equal (s->family, "disc"))
    return x * x + y * y <= r * r;
  if (g_str_equal (s->family, "ring"))
    return x * x + y * y <= r * r
        && x * x + y * y >= (s->inner * r) * (s->inner * r);
  if (g_str_equal (s->family, "polygon") || g_str_equal (s->family, "star")) {
    gboolean star = g_str_equal (s->family, "star");
    guint nv = star ? 2 * s->n : s->n, k;
    gdouble vx[128], vy[128];

    for (k = 0; k < nv; k++) {
      gdouble a = (-90.0 + s->rotation + k * 360.0 / nv) * G_PI / 180.0;
      gdouble rho = (star && k % 2 == 1) ? s->inner * r : r;

      vx[k] = rho * cos (a);
      vy[k] = rho * sin (a);
    }
    return even_odd_inside (vx, vy, nv, x, y);
  }
  turn_back (s, x, y, &ux, &uy);
  if (g_str_equal (s->family, "heart")) {
    gdouble u = 1.139 * ux / r, v = -1.139 * uy / r + 0.11825;

    return pow (u * u + v * v - 1.0, 3.0) - u * u * v * v * v <= 0.0;
  }
  if (g_str_equal (s->family, "line"))
    return ux >= -r && ux <= r && uy >= -0.5 && uy <= 0.5;
  if (g_str_equal (s->family, "ellipse"))
    return (ux / r) * (ux / r) + (uy / (s->aspect * r)) * (uy / (s->aspect
            * r)) <= 1.0;
  g_assert_not_reached ();
}

static DiskImage *
ref_render (const RefShape * s, guint half)
{
  DiskImage *k = disk_image_new (2 * half + 1, 2 * half + 1, 1);
  gdouble sum = 0.0;
  guint X, Y, i, j;

  for (Y = 0; Y <= 2 * half; Y++)
    for (X = 0; X <= 2 * half; X++) {
      guint count = 0;

      for (j = 0; j < 16; j++)
        for (i = 0; i < 16; i++)
          count += ref_inside (s, (gdouble) X - half + (i + 0.5) / 16 - 0.5,
              (gdouble) Y - half + (j + 0.5) / 16 - 0.5);
      disk_image_pixel (k, X, Y)[0] = count;
      sum += count;
    }
  for (Y = 0; Y <= 2 * half; Y++)
    for (X = 0; X <= 2 * half; X++)
      disk_image_pixel (k, X, Y)[0] /= sum;
  return k;
}

static void
test_matches_brute_force (void)
{
  static const RefShape shapes[] = {
    {"disc", 7.3, 0, 0, 0, 0},
    {"disc", 12, 0, 0, 0, 0},
    {"ring", 9.6, 0, 0.6, 0, 0},
    {"polygon", 7.3, 0, 0, 0, 6},
    {"polygon", 11.2, 17, 0, 0, 5},
    {"polygon", 9, -40, 0, 0, 3},
    {"star", 10.4, 0, 0.45, 0, 5},
    {"star", 13, 23, 0.3, 0, 4},
    {"star", 12, 5, 0.8, 0, 12},
    {"heart", 10.5, 0, 0, 0, 0},
    {"heart", 12, 33, 0, 0, 0},
    {"line", 6.5, 0, 0, 0, 0},
    {"line", 9.2, 31, 0, 0, 0},
    {"ellipse", 9.7, 0, 0, 0.5, 0},
    {"ellipse", 11, 60, 0, 0.3, 0},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (shapes); i++) {
    const RefShape *s = &shapes[i];
    g_autofree gchar *spec = NULL;
    g_autoptr (DiskImage) got = NULL;
    g_autoptr (DiskImage) ref = NULL;
    guint half = (guint) ceil (s->r) + 2;
    gdouble d;

    if (g_str_equal (s->family, "disc"))
      spec = g_strdup ("disc");
    else if (g_str_equal (s->family, "ring"))
      spec = g_strdup_printf ("ring:inner=%g", s->inner);
    else if (g_str_equal (s->family, "polygon"))
      spec = g_strdup_printf ("polygon:n=%u,rotation=%g", s->n, s->rotation);
    else if (g_str_equal (s->family, "star"))
      spec = g_strdup_printf ("star:n=%u,inner=%g,rotation=%g", s->n,
          s->inner, s->rotation);
    else if (g_str_equal (s->family, "ellipse"))
      spec = g_strdup_printf ("ellipse:aspect=%g,rotation=%g", s->aspect,
          s->rotation);
    else
      spec = g_strdup_printf ("%s:rotation=%g", s->family, s->rotation);

    got = render_spec (spec, s->r, half);
    ref = ref_render (s, half);
    d = max_difference (ref, got);
    g_test_message ("%s r=%g: max difference %.2e of the maximum", spec,
        s->r, d);
    if (d > SAMPLE_TOLERANCE)
      g_error ("%s at r=%g differs from the brute-force reference by %g",
          spec, s->r, d);
  }
}

/* ------------------------------------------------------------- families */

static void
test_disc (void)
{
  static const gdouble radii[] = { 3, 5.5, 10, 20.25, 64 };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (radii); i++) {
    const gdouble r = radii[i];
    const guint half = disk_target_half_size (r);
    g_autoptr (DiskTarget) target = parse_ok ("disc");
    g_autoptr (DiskImage) k = NULL;
    gint64 start = g_get_monotonic_time ();
    gdouble m;
    gint x, y;

    k = disk_target_render (target, r, half);
    g_test_message ("disc r=%g on %ux%u rendered in %.2f ms", r, k->width,
        k->height, (g_get_monotonic_time () - start) / 1000.0);
    m = kernel_max (k);
    assert_close (1.0 / m, G_PI * r * r, 0.005, "disc coverage sum");
    g_assert_cmpfloat (fabs (kernel_sum (k) - 1.0), <, 1e-6);

    for (y = -(gint) half; y <= (gint) half; y++)
      for (x = -(gint) half; x <= (gint) half; x++) {
        gdouble fx = abs (x) + 0.5, fy = abs (y) + 0.5;
        gdouble nx = MAX (abs (x) - 0.5, 0.0), ny = MAX (abs (y) - 0.5, 0.0);

        /* Every corner inside: the whole pixel is (the disc is convex). */
        if (fx * fx + fy * fy <= r * r)
          g_assert_cmpfloat (K (k, x, y), ==, m);
        /* The nearest point of the pixel is outside: nothing. */
        if (nx * nx + ny * ny > r * r)
          g_assert_cmpfloat (K (k, x, y), ==, 0.0);
      }
  }
}

static void
test_gaussian (void)
{
  const gdouble r = 6.4, sigma = r / 3.0;
  const guint half = 10;
  g_autoptr (DiskImage) k = render_spec ("gaussian", r, half);
  gdouble z = 0.0;
  gint x, y;

  for (y = -(gint) half; y <= (gint) half; y++)
    for (x = -(gint) half; x <= (gint) half; x++)
      if (x * x + y * y <= r * r)
        z += exp (-(x * x + y * y) / (2 * sigma * sigma));
  for (y = -(gint) half; y <= (gint) half; y++)
    for (x = -(gint) half; x <= (gint) half; x++) {
      gdouble expected = x * x + y * y <= r * r
          ? exp (-(x * x + y * y) / (2 * sigma * sigma)) / z : 0.0;

      g_assert_cmpfloat (fabs (K (k, x, y) - expected), <=,
          1e-6 * expected + 1e-9);
    }
  /* The formula at a few pixels, relative to the centre. */
  g_assert_cmpfloat (fabs (K (k, 3, 0) / K (k, 0, 0)
          - exp (-9 / (2 * sigma * sigma))), <, 1e-5);
  g_assert_cmpfloat (fabs (K (k, -2, 4) / K (k, 0, 0)
          - exp (-20 / (2 * sigma * sigma))), <, 1e-5);
  g_assert_cmpfloat (K (k, 6, 3), ==, 0.0);     /* d = 6.7 > r */
  g_assert_cmpfloat (K (k, 6, 2), >, 0.0);      /* d = 6.32 <= r */
}

static void
test_polygon (void)
{
  const gdouble r = 20.0;
  const guint half = disk_target_half_size (r);
  g_autoptr (DiskImage) hex = render_spec ("polygon:n=6", r, half);
  g_autoptr (DiskImage) flat = render_spec ("polygon:n=6,rotation=30", r,
      half);

  assert_close (1.0 / kernel_max (hex), 1.5 * sqrt (3.0) * r * r, 0.005,
      "hexagon area");
  /* Vertex 0 points up: the column through the centre spans 2r, the centre
   * row spans the distance between two vertical edges, 2 r cos 30. Rotating
   * by 30 degrees swaps them. */
  assert_close (row_coverage (hex, 0, TRUE), 2 * r, 0.02, "hexagon column");
  assert_close (row_coverage (hex, 0, FALSE), 2 * r * cos (G_PI / 6), 0.02,
      "hexagon row");
  assert_close (row_coverage (flat, 0, FALSE), 2 * r, 0.02,
      "flat hexagon row");
  assert_close (row_coverage (flat, 0, TRUE), 2 * r * cos (G_PI / 6), 0.02,
      "flat hexagon column");
  g_assert_cmpfloat (K (hex, 0, -19), >, 0.5 * kernel_max (hex));
  g_assert_cmpfloat (K (hex, 19, 0), ==, 0.0);
}

/* n-fold rotational symmetry (against the target rendered at rotation +
 * 360 / n) and mirror symmetry about the vertical axis. */
static void
check_symmetries (const gchar * family, guint n, const gchar * extra,
    gdouble r)
{
  const guint half = disk_target_half_size (r);
  gchar step[G_ASCII_DTOSTR_BUF_SIZE];
  g_autofree gchar *spec0 = NULL;
  g_autofree gchar *spec1 = NULL;
  g_autoptr (DiskImage) k0 = NULL;
  g_autoptr (DiskImage) k1 = NULL;
  gdouble d;

  g_ascii_dtostr (step, sizeof step, 360.0 / n);
  spec0 = g_strdup_printf ("%s:n=%u%s", family, n, extra);
  spec1 = g_strdup_printf ("%s:n=%u%s,rotation=%s", family, n, extra, step);
  k0 = render_spec (spec0, r, half);
  k1 = render_spec (spec1, r, half);
  d = max_difference (k0, k1);
  g_test_message ("%s vs %s: %.2e", spec0, spec1, d);
  g_assert_cmpfloat (d, <=, SAMPLE_TOLERANCE);
  d = mirror_difference (k0);
  g_test_message ("%s mirror: %.2e", spec0, d);
  g_assert_cmpfloat (d, <=, SAMPLE_TOLERANCE);
  /* and not trivially: rotating by half a step changes the shape */
  {
    gchar half_step[G_ASCII_DTOSTR_BUF_SIZE];
    g_autofree gchar *spec2 = NULL;
    g_autoptr (DiskImage) k2 = NULL;

    g_ascii_dtostr (half_step, sizeof half_step, 180.0 / n);
    spec2 = g_strdup_printf ("%s:n=%u%s,rotation=%s", family, n, extra,
        half_step);
    k2 = render_spec (spec2, r, half);
    g_assert_cmpfloat (max_difference (k0, k2), >, 0.2);
  }
}

static void
test_symmetries (void)
{
  check_symmetries ("polygon", 6, "", 20);
  check_symmetries ("polygon", 5, "", 17.5);
  check_symmetries ("polygon", 7, "", 15);
  check_symmetries ("star", 5, "", 20);
  check_symmetries ("star", 5, ",inner=0.3", 14.3);
  check_symmetries ("star", 4, ",inner=0.5", 16);
  check_symmetries ("star", 6, ",inner=0.6", 22);
}

static void
test_star (void)
{
  static const struct
  {
    guint n;
    gdouble inner;
  } stars[] = { {5, 0.45}, {4, 0.3}, {8, 0.7} };
  const gdouble r = 24.0;
  guint i;

  for (i = 0; i < G_N_ELEMENTS (stars); i++) {
    g_autofree gchar *spec = g_strdup_printf ("star:n=%u,inner=%g",
        stars[i].n, stars[i].inner);
    g_autoptr (DiskImage) k = render_spec (spec, r, disk_target_half_size (r));
    /* 2n triangles (centre, outer vertex, inner vertex) of angle pi / n. */
    gdouble area = stars[i].n * r * r * stars[i].inner * sin (G_PI /
        stars[i].n);

    assert_close (1.0 / kernel_max (k), area, 0.01, spec);
  }
  /* The first point is up: the column above the centre reaches -r, the one
   * below only the inner radius. */
  {
    g_autoptr (DiskImage) k = render_spec ("star:n=5,inner=0.45", r, 26);
    g_assert_cmpfloat (K (k, 0, -23), >, 0.0);
    g_assert_cmpfloat (K (k, 0, 16), ==, 0.0);
  }
}

static void
test_heart (void)
{
  const gdouble r = 20.0;
  const gint half = disk_target_half_size (r);
  g_autoptr (DiskImage) k = render_spec ("heart", r, half);
  g_autoptr (DiskImage) k90 = render_spec ("heart:rotation=90", r, half);
  gdouble widest = -1.0, d;
  gint widest_y = 0, top = G_MAXINT, bottom = G_MININT, x, y, left =
      G_MAXINT, right = G_MININT, count;

  d = mirror_difference (k);
  g_test_message ("heart mirror: %.2e", d);
  g_assert_cmpfloat (d, <=, SAMPLE_TOLERANCE);

  for (y = -half; y <= half; y++) {
    gdouble w = row_coverage (k, y, FALSE);

    if (w > widest) {
      widest = w;
      widest_y = y;
    }
    for (x = -half; x <= half; x++)
      if (K (k, x, y) > 0.0) {
        top = MIN (top, y);
        bottom = MAX (bottom, y);
        left = MIN (left, x);
        right = MAX (right, x);
      }
  }
  g_test_message ("heart r=20: rows %d..%d, columns %d..%d, widest row %d",
      top, bottom, left, right, widest_y);
  /* Lobes up: the widest row is in the upper half (y < 0). */
  g_assert_cmpint (widest_y, <, 0);
  /* The lowest row is the point: narrow, at about +0.98 r. */
  g_assert_cmpint (bottom, >=, 18);
  g_assert_cmpint (bottom, <=, 21);
  g_assert_cmpfloat (row_coverage (k, bottom, FALSE), <, 1.0);
  count = 0;
  for (x = -half; x <= half; x++)
    count += K (k, x, bottom) > 0.0;
  g_assert_cmpint (count, <=, 4);
  /* The top row holds the two lobes with the cleft between them. */
  g_assert_cmpint (top, <=, -18);
  g_assert_cmpfloat (K (k, 0, top), ==, 0.0);
  /* (the cusp itself is at y = (0.11825 - 1) r / 1.139 = -15.5) */
  g_assert_cmpfloat (K (k, 0, -17), ==, 0.0);
  g_assert_cmpfloat (K (k, 0, -15), >, 0.0);
  /* Spans x in [-r, r]. */
  g_assert_cmpint (right, >=, 19);
  g_assert_cmpint (right, <=, 21);
  g_assert_cmpint (left, ==, -right);

  /* +90 degrees turns clockwise on screen: lobes to the right (+x).
   * K90(x, y) = K(R(-90)(x, y)) = K(y, -x). */
  for (y = -half; y <= half; y++)
    for (x = -half; x <= half; x++)
      g_assert_cmpfloat (fabs (K (k90, x, y) - K (k, y, -x)), <=,
          SAMPLE_TOLERANCE * kernel_max (k) + 1e-9);
  g_assert_cmpfloat (row_coverage (k90, 10, TRUE), >,
      row_coverage (k90, -10, TRUE));
}

static void
test_line (void)
{
  const guint half = 7;
  g_autoptr (DiskImage) h = render_spec ("line", 5.0, half);
  g_autoptr (DiskImage) v = render_spec ("line:rotation=90", 5.0, half);
  g_autoptr (DiskImage) slant = render_spec ("line:rotation=30", 10.0, 12);
  gdouble m = kernel_max (h);
  gint x, y, nonzero = 0, t;

  for (y = -(gint) half; y <= (gint) half; y++)
    for (x = -(gint) half; x <= (gint) half; x++) {
      if (K (h, x, y) > 0.0)
        nonzero++;
      if (y != 0 || abs (x) > 5)
        g_assert_cmpfloat (K (h, x, y), ==, 0.0);
      else if (abs (x) <= 4)
        g_assert_cmpfloat (K (h, x, y), ==, m);
      else
        g_assert_cmpfloat (fabs (K (h, x, y) - 0.5 * m), <=, m / 32);
      /* rotation 90 is the same line, vertical */
      g_assert_cmpfloat (fabs (K (v, y, x) - K (h, x, y)), <=, 1e-7);
    }
  g_assert_cmpint (nonzero, ==, 2 * 5 + 1);
  g_assert_cmpfloat (fabs (kernel_sum (h) - 1.0), <, 1e-6);

  /* +30 degrees: the line runs along (cos 30, sin 30), down to the right. */
  m = kernel_max (slant);
  for (t = -9; t <= 9; t++) {
    gint ax = (gint) lrint (t * cos (G_PI / 6)), ay =
        (gint) lrint (t * sin (G_PI / 6));

    g_assert_cmpfloat (K (slant, ax, ay), >, 0.3 * m);
    if (abs (t) >= 3)
      g_assert_cmpfloat (K (slant, ax, -ay), ==, 0.0);
  }
  /* Second moments: along the line that of a uniform segment of length 2r,
   * (2r)^2 / 12 (plus a pixel's 1/12); across it, about a pixel's. */
  {
    const gdouble dx = cos (G_PI / 6), dy = sin (G_PI / 6);
    gdouble along = 0.0, across = 0.0;

    for (y = -12; y <= 12; y++)
      for (x = -12; x <= 12; x++) {
        gdouble a = x * dx + y * dy, c = -x * dy + y * dx;

        along += K (slant, x, y) * a * a;
        across += K (slant, x, y) * c * c;
      }
    assert_close (along, 400.0 / 12 + 1.0 / 12, 0.02, "line variance along");
    g_assert_cmpfloat (across, <, 0.3);
  }
}

static void
test_ellipse (void)
{
  const gdouble r = 20.0;
  const guint half = disk_target_half_size (r);
  g_autoptr (DiskImage) k = render_spec ("ellipse", r, half);
  g_autoptr (DiskImage) k90 = render_spec ("ellipse:aspect=0.5,rotation=90",
      r, half);
  g_autoptr (DiskImage) thin = render_spec ("ellipse:aspect=0.25", r, half);

  assert_close (1.0 / kernel_max (k), G_PI * r * r * 0.5, 0.005,
      "ellipse area");
  assert_close (1.0 / kernel_max (thin), G_PI * r * r * 0.25, 0.005,
      "thin ellipse area");
  /* Semi-axes r along x and aspect * r along y; rotation 90 swaps them. */
  assert_close (row_coverage (k, 0, FALSE), 2 * r, 0.02, "ellipse row");
  assert_close (row_coverage (k, 0, TRUE), 2 * r * 0.5, 0.02,
      "ellipse column");
  assert_close (row_coverage (k90, 0, TRUE), 2 * r, 0.02, "ellipse90 column");
  assert_close (row_coverage (k90, 0, FALSE), 2 * r * 0.5, 0.02,
      "ellipse90 row");
}

static void
test_ring (void)
{
  const gdouble r = 24.0;
  g_autoptr (DiskImage) k = render_spec ("ring", r, disk_target_half_size (r));
  g_autoptr (DiskImage) k3 = render_spec ("ring:inner=0.3", r,
      disk_target_half_size (r));

  assert_close (1.0 / kernel_max (k), G_PI * r * r * (1 - 0.36), 0.01,
      "ring area");
  assert_close (1.0 / kernel_max (k3), G_PI * r * r * (1 - 0.09), 0.01,
      "ring inner=0.3 area");
  g_assert_cmpfloat (K (k, 0, 0), ==, 0.0);
  g_assert_cmpfloat (K (k, 0, 13), ==, 0.0);     /* 13 < 0.6 r - 0.71 */
  g_assert_cmpfloat (K (k, 0, 14), >, 0.0);      /* crosses 0.6 r = 14.4 */
  g_assert_cmpfloat (K (k, 19, 0), ==, kernel_max (k));
}

/* --------------------------------------------- normalisation, identity */

static const gchar *all_specs[] = {
  "disc", "gaussian", "ring", "ring:inner=0.9", "polygon", "polygon:n=3",
  "polygon:n=64,rotation=7", "star", "star:n=3,inner=0.1", "heart",
  "heart:rotation=200", "line", "line:rotation=45", "ellipse",
  "ellipse:aspect=1", "ellipse:aspect=0.05,rotation=-30",
};

static void
test_sums_and_identity (void)
{
  static const gdouble radii[] = { 0.5, 0.7, 1.0, 2.7, 9.0, 30.0 };
  guint i, j;

  for (i = 0; i < G_N_ELEMENTS (all_specs); i++) {
    g_autoptr (DiskTarget) target = parse_ok (all_specs[i]);

    for (j = 0; j < G_N_ELEMENTS (radii); j++) {
      g_autoptr (DiskImage) k = disk_target_render (target, radii[j],
          disk_target_half_size (radii[j]));
      /* also on a canvas too small for it: clipped, still normalised */
      g_autoptr (DiskImage) clipped = disk_target_render (target, radii[j],
          1);
      guint x, y;

      g_assert_cmpuint (k->width, ==,
          2 * disk_target_half_size (radii[j]) + 1);
      g_assert_cmpuint (k->channels, ==, 1);
      if (fabs (kernel_sum (k) - 1.0) > 1e-6
          || fabs (kernel_sum (clipped) - 1.0) > 1e-6)
        g_error ("%s at r=%g sums to %.9f (clipped %.9f)", all_specs[i],
            radii[j], kernel_sum (k), kernel_sum (clipped));
      for (y = 0; y < k->height; y++)
        for (x = 0; x < k->width; x++)
          g_assert_cmpfloat (disk_image_pixel (k, x, y)[0], >=, 0.0f);
      /* the centre carries weight for every one of these shapes but the
       * ring, whose hole is there */
      if (!g_str_has_prefix (all_specs[i], "ring") && radii[j] >= 2.7)
        g_assert_cmpfloat (K (k, 0, 0), >, 0.0);
    }

    /* Below r = 0.5: the identity. */
    for (j = 0; j < 3; j++) {
      const gdouble tiny[3] = { 0.0, 0.2, 0.4999 };
      g_autoptr (DiskImage) k = disk_target_render (target, tiny[j], 3);
      gint x, y;

      for (y = -3; y <= 3; y++)
        for (x = -3; x <= 3; x++)
          g_assert_cmpfloat (K (k, x, y), ==, (x == 0 && y == 0) ? 1.0 : 0.0);
    }
  }
}

/* Rotations are angles: any finite value works, whole turns change nothing. */
static void
test_large_rotations (void)
{
  static const gchar *pairs[][2] = {
    {"star:n=5,rotation=1e300", NULL},
    {"heart:rotation=-1e20", NULL},
    {"polygon:n=5,rotation=360", "polygon:n=5"},
    {"heart:rotation=-270", "heart:rotation=90"},
    {"star:n=5,rotation=7230", "star:n=5,rotation=30"},
    {"ellipse:rotation=-3600.5", "ellipse:rotation=-0.5"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (pairs); i++) {
    g_autoptr (DiskImage) a = render_spec (pairs[i][0], 11.0, 13);

    g_assert_cmpfloat (fabs (kernel_sum (a) - 1.0), <, 1e-6);
    if (pairs[i][1] != NULL) {
      g_autoptr (DiskImage) b = render_spec (pairs[i][1], 11.0, 13);

      g_assert_cmpfloat (max_difference (a, b), <=, SAMPLE_TOLERANCE);
    }
  }
}

/* A canvas smaller than the shape clips it: a disc of radius 10 on a 9x9
 * canvas covers every pixel fully, so the kernel is uniform. */
static void
test_clipping (void)
{
  g_autoptr (DiskImage) k = render_spec ("disc", 10.0, 4);
  guint x, y;

  g_assert_cmpuint (k->width, ==, 9);
  for (y = 0; y < 9; y++)
    for (x = 0; x < 9; x++)
      g_assert_cmpfloat (fabs (disk_image_pixel (k, x, y)[0] - 1.0 / 81), <,
          1e-7);
}

static void
test_half_size (void)
{
  g_assert_cmpuint (disk_target_half_size (0.0), ==, 2);
  g_assert_cmpuint (disk_target_half_size (0.5), ==, 3);
  g_assert_cmpuint (disk_target_half_size (1.0), ==, 3);
  g_assert_cmpuint (disk_target_half_size (5.0), ==, 7);
  g_assert_cmpuint (disk_target_half_size (5.01), ==, 8);
  g_assert_cmpuint (disk_target_half_size (64.0), ==, 66);
}

/* ------------------------------------------------------------- parsing */

static void
test_parse_defaults_and_round_trip (void)
{
  static const struct
  {
    const gchar *spec, *canonical;
  } cases[] = {
    {"disc", "disc"},
    {"gaussian", "gaussian"},
    {"ring", "ring:inner=0.6"},
    {"ring:inner=0.25", "ring:inner=0.25"},
    {"polygon", "polygon:n=6,rotation=0"},
    {"polygon:n=6", "polygon:n=6,rotation=0"},
    {"polygon:n=6,rotation=15", "polygon:n=6,rotation=15"},
    {"polygon:rotation=-0", "polygon:n=6,rotation=0"},
    {"polygon:rotation=1e-3,n=8", "polygon:n=8,rotation=0.001"},
    {"star", "star:n=5,inner=0.45,rotation=0"},
    {"star:n=5,inner=0.45", "star:n=5,inner=0.45,rotation=0"},
    {"star:inner=0.1,n=64,rotation=-12.5",
        "star:n=64,inner=0.1,rotation=-12.5"},
    {"heart", "heart:rotation=0"},
    {"heart:rotation=180", "heart:rotation=180"},
    {"line:rotation=30", "line:rotation=30"},
    {"line", "line:rotation=0"},
    {"ellipse", "ellipse:aspect=0.5,rotation=0"},
    {"ellipse:aspect=0.5,rotation=10", "ellipse:aspect=0.5,rotation=10"},
    {"ellipse:aspect=1", "ellipse:aspect=1,rotation=0"},
    {"polygon:rotation=0.1", "polygon:n=6,rotation=0.1"},
    {"polygon:rotation=0.30000000000000004",
        "polygon:n=6,rotation=0.30000000000000004"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (DiskTarget) t = parse_ok (cases[i].spec);
    g_autofree gchar *s = disk_target_to_string (t);
    g_autoptr (DiskTarget) t2 = parse_ok (s);
    g_autofree gchar *s2 = disk_target_to_string (t2);

    g_assert_cmpstr (s, ==, cases[i].canonical);
    g_assert_cmpstr (s2, ==, s);
    g_assert_cmpint (t2->family, ==, t->family);
    g_assert_cmpuint (t2->n, ==, t->n);
    g_assert_cmpfloat (t2->inner, ==, t->inner);
    g_assert_cmpfloat (t2->rotation, ==, t->rotation);
    g_assert_cmpfloat (t2->aspect, ==, t->aspect);
  }

  /* Defaults as documented. */
  {
    g_autoptr (DiskTarget) p = parse_ok ("polygon");
    g_autoptr (DiskTarget) s = parse_ok ("star");
    g_autoptr (DiskTarget) r = parse_ok ("ring");
    g_autoptr (DiskTarget) e = parse_ok ("ellipse");
    g_autoptr (DiskTarget) h = parse_ok ("heart:rotation=12.5");

    g_assert_cmpint (p->family, ==, DISK_TARGET_POLYGON);
    g_assert_cmpuint (p->n, ==, 6);
    g_assert_cmpfloat (p->rotation, ==, 0.0);
    g_assert_cmpint (s->family, ==, DISK_TARGET_STAR);
    g_assert_cmpuint (s->n, ==, 5);
    g_assert_cmpfloat (s->inner, ==, 0.45);
    g_assert_cmpfloat (r->inner, ==, 0.6);
    g_assert_cmpfloat (e->aspect, ==, 0.5);
    g_assert_cmpint (h->family, ==, DISK_TARGET_HEART);
    g_assert_cmpfloat (h->rotation, ==, 12.5);
  }

  /* Random rotations and ratios survive the round trip exactly. */
  {
    g_autoptr (GRand) rand = g_rand_new_with_seed (11);

    for (i = 0; i < 200; i++) {
      gchar a[G_ASCII_DTOSTR_BUF_SIZE], b[G_ASCII_DTOSTR_BUF_SIZE];
      g_autofree gchar *spec = NULL;
      g_autofree gchar *s = NULL;
      g_autoptr (DiskTarget) t = NULL;
      g_autoptr (DiskTarget) t2 = NULL;

      g_ascii_dtostr (a, sizeof a, g_rand_double_range (rand, 0.001, 0.999));
      g_ascii_dtostr (b, sizeof b, g_rand_double_range (rand, -720, 720));
      spec = g_strdup_printf ("star:n=%d,inner=%s,rotation=%s",
          g_rand_int_range (rand, 3, 65), a, b);
      t = parse_ok (spec);
      s = disk_target_to_string (t);
      t2 = parse_ok (s);
      g_assert_cmpuint (t2->n, ==, t->n);
      g_assert_cmpfloat (t2->inner, ==, t->inner);
      g_assert_cmpfloat (t2->rotation, ==, t->rotation);
      g_assert_cmpfloat (t->inner, ==, g_ascii_strtod (a, NULL));
      g_assert_cmpfloat (t->rotation, ==, g_ascii_strtod (b, NULL));
    }
  }
}

static void
test_parse_errors (void)
{
  static const struct
  {
    const gchar *spec, *named;
  } cases[] = {
    {"hexagon", "hexagon"},
    {"Disc", "Disc"},
    {"", "“”"},
    {":n=6", "“”"},
    {"polygon:n=2", "n=2"},
    {"polygon:n=65", "n=65"},
    {"polygon:n=0", "n=0"},
    {"polygon:n=-6", "n=-6"},
    {"polygon:n=6.5", "n=6.5"},
    {"polygon:n=abc", "n=abc"},
    {"polygon:n=", "n="},
    {"polygon:n6", "n6"},
    {"polygon:sides=6", "sides"},
    {"polygon:n=6,n=7", "“n”"},
    {"polygon:n=6,", "empty"},
    {"polygon:n=6,,rotation=1", "empty"},
    {"disc:", "empty"},
    {"disc:rotation=10", "rotation"},
    {"gaussian:sigma=2", "sigma"},
    {"ring:n=5", "“n”"},
    {"ring:inner=1", "inner=1"},
    {"ring:inner=0", "inner=0"},
    {"ring:inner=-0.2", "inner=-0.2"},
    {"star:inner=1.5", "inner=1.5"},
    {"star:inner=x", "inner=x"},
    {"star:n=5,inner=0.45,aspect=0.5", "aspect"},
    {"ellipse:aspect=0", "aspect=0"},
    {"ellipse:aspect=1.5", "aspect=1.5"},
    {"ellipse:aspect=nan", "aspect=nan"},
    {"line:rotation=nan", "rotation=nan"},
    {"line:rotation=inf", "rotation=inf"},
    {"line:rotation=1e999", "rotation=1e999"},
    {"line:rotation=", "rotation="},
    {"line:rotation= 5", "rotation= 5"},
    {"heart:rotation=10x", "rotation=10x"},
    {"heart:rotation=10=20", "rotation=10=20"},
    {"heart:inner=0.5", "inner"},
    {"image:", "image:"},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autoptr (GError) error = NULL;
    DiskTarget *t = disk_target_parse (cases[i].spec, &error);

    g_assert_null (t);
    g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
    g_test_message ("%s -> %s", cases[i].spec, error->message);
    if (strstr (error->message, cases[i].named) == NULL)
      g_error ("error for “%s” does not name “%s”: %s", cases[i].spec,
          cases[i].named, error->message);
  }
}

/* ---------------------------------------------------------- image target */

/* A 5 x 7 upright L: a bar down the left (x = 0..1), a foot along the
 * bottom (y = 5..6); the foot's tip (4, 5) is pure red, so its weight is the
 * red luma 0.2126, the rest white. */
static gdouble
l_shape (gint x, gint y)
{
  if (x < 0 || x >= 5 || y < 0 || y >= 7)
    return 0.0;
  if (x == 4 && y == 5)
    return 0.2126;
  return (x <= 1 || y >= 5) ? 1.0 : 0.0;
}

static gchar *
write_l_shape (void)
{
  g_autoptr (DiskImage) image = disk_image_new (5, 7, 3);
  g_autoptr (GError) error = NULL;
  gchar *path = g_build_filename (tmp_dir, "L, shape.png", NULL);
  gint x, y;

  for (y = 0; y < 7; y++)
    for (x = 0; x < 5; x++) {
      gfloat *p = disk_image_pixel (image, x, y);
      gfloat v = l_shape (x, y) > 0.5 ? 1.0f : 0.0f;

      p[0] = p[1] = p[2] = v;
      if (x == 4 && y == 5) {
        p[0] = 1.0f;
        p[1] = p[2] = 0.0f;
      }
    }
  g_assert_true (disk_image_save_png (image, path, 8, &error));
  g_assert_no_error (error);
  return path;
}

/* Area resampling by brute force: the image of width 5, height 7 is scaled
 * by s = r / 3.5 and centred; each output pixel averages 50 x 50 point
 * samples of the (nearest-pixel) scaled image. */
static DiskImage *
ref_image_kernel (gdouble r, guint half)
{
  const gdouble s = r / 3.5;
  DiskImage *k = disk_image_new (2 * half + 1, 2 * half + 1, 1);
  gdouble sum = 0.0;
  guint X, Y, i, j;

  for (Y = 0; Y <= 2 * half; Y++)
    for (X = 0; X <= 2 * half; X++) {
      gdouble acc = 0.0;

      for (j = 0; j < 50; j++)
        for (i = 0; i < 50; i++) {
          gdouble x = (gdouble) X - half + (i + 0.5) / 50 - 0.5;
          gdouble y = (gdouble) Y - half + (j + 0.5) / 50 - 0.5;

          acc += l_shape ((gint) floor (x / s + 2.5),
              (gint) floor (y / s + 3.5));
        }
      disk_image_pixel (k, X, Y)[0] = acc;
      sum += acc;
    }
  for (Y = 0; Y <= 2 * half; Y++)
    for (X = 0; X <= 2 * half; X++)
      disk_image_pixel (k, X, Y)[0] /= sum;
  return k;
}

static void
test_image_target (void)
{
  g_autofree gchar *path = write_l_shape ();
  g_autofree gchar *spec = g_strconcat ("image:", path, NULL);
  g_autoptr (DiskTarget) target = parse_ok (spec);
  g_autoptr (DiskTarget) copy = NULL;
  g_autofree gchar *canonical = disk_target_to_string (target);
  gdouble total = 0.0;
  gint x, y;

  /* Everything after "image:" is the path, the comma included. */
  g_assert_cmpint (target->family, ==, DISK_TARGET_IMAGE);
  g_assert_cmpstr (target->path, ==, path);
  g_assert_cmpstr (canonical, ==, spec);

  /* At its natural radius (half the larger side, 3.5) the image lands pixel
   * for pixel, upright (foot at the bottom, bar on the left) and centred:
   * image pixel (i, j) at kernel (i - 2, j - 3). */
  for (y = 0; y < 7; y++)
    for (x = 0; x < 5; x++)
      total += l_shape (x, y);
  {
    g_autoptr (DiskImage) k = disk_target_render (target, 3.5, 6);

    for (y = -6; y <= 6; y++)
      for (x = -6; x <= 6; x++)
        if (fabs (K (k, x, y) - l_shape (x + 2, y + 3) / total) > 1e-6)
          g_error ("image target at (%d, %d): %g, expected %g", x, y,
              K (k, x, y), l_shape (x + 2, y + 3) / total);
    g_assert_cmpfloat (K (k, -2, 3), >, 0.0);   /* the corner of the L */
    g_assert_cmpfloat (K (k, 2, -3), ==, 0.0);  /* the empty corner */
  }

  /* Scaled up and down, against the brute-force area average. */
  {
    static const gdouble radii[] = { 7.0, 10.3, 2.0, 1.2 };
    guint i;

    for (i = 0; i < G_N_ELEMENTS (radii); i++) {
      guint half = disk_target_half_size (radii[i]);
      g_autoptr (DiskImage) k = disk_target_render (target, radii[i], half);
      g_autoptr (DiskImage) ref = ref_image_kernel (radii[i], half);
      gdouble d = max_difference (ref, k);

      g_test_message ("image r=%g: max difference %.2e", radii[i], d);
      g_assert_cmpfloat (d, <, 0.03);
      g_assert_cmpfloat (fabs (kernel_sum (k) - 1.0), <, 1e-6);
    }
  }

  /* A copy is independent and renders the same. */
  copy = disk_target_copy (target);
  g_clear_pointer (&target, disk_target_free);
  {
    g_autoptr (DiskImage) k = disk_target_render (copy, 3.5, 6);

    g_assert_cmpfloat (fabs (K (k, -2, 3) - 1.0 / total), <, 1e-6);
  }
  g_unlink (path);
}

static void
test_image_target_errors (void)
{
  g_autofree gchar *black = g_build_filename (tmp_dir, "black.png", NULL);
  g_autofree gchar *missing = g_build_filename (tmp_dir, "missing.png", NULL);
  g_autofree gchar *junk = g_build_filename (tmp_dir, "junk.png", NULL);
  g_autoptr (DiskImage) image = disk_image_new (4, 3, 3);
  const gchar *paths[3] = { black, missing, junk };
  guint i;

  g_assert_true (disk_image_save_png (image, black, 8, NULL));
  g_assert_true (g_file_set_contents (junk, "not an image at all", -1, NULL));
  for (i = 0; i < 3; i++) {
    g_autofree gchar *spec = g_strconcat ("image:", paths[i], NULL);
    g_autoptr (GError) error = NULL;

    g_assert_null (disk_target_parse (spec, &error));
    g_assert_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE);
    g_test_message ("%s", error->message);
    g_assert_nonnull (strstr (error->message, paths[i]));
  }
  g_unlink (black);
  g_unlink (junk);
}

/* ----------------------------------------------------------------- copy */

static void
test_copy (void)
{
  g_autoptr (DiskTarget) t = parse_ok ("star:n=7,inner=0.3,rotation=11");
  g_autoptr (DiskTarget) c = disk_target_copy (t);
  g_autoptr (DiskImage) a = disk_target_render (t, 9.0, 11);
  g_autoptr (DiskImage) b = disk_target_render (c, 9.0, 11);
  g_autofree gchar *sa = disk_target_to_string (t);
  g_autofree gchar *sb = disk_target_to_string (c);

  g_assert_cmpstr (sa, ==, sb);
  g_assert_cmpfloat (max_difference (a, b), ==, 0.0);
}

/* Not a test of speed (no timing is asserted): the render times at the
 * largest radius the presets use, for the log. */
static void
test_render_time_log (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (all_specs); i++) {
    g_autoptr (DiskTarget) t = parse_ok (all_specs[i]);
    gint64 start = g_get_monotonic_time ();
    g_autoptr (DiskImage) k = disk_target_render (t, 64.0, 66);

    g_test_message ("%s r=64 133x133: %.2f ms", all_specs[i],
        (g_get_monotonic_time () - start) / 1000.0);
    g_assert_cmpfloat (fabs (kernel_sum (k) - 1.0), <, 1e-6);
  }
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("disk-test-target-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/target/matches-brute-force", test_matches_brute_force);
  g_test_add_func ("/target/disc", test_disc);
  g_test_add_func ("/target/gaussian", test_gaussian);
  g_test_add_func ("/target/polygon", test_polygon);
  g_test_add_func ("/target/symmetries", test_symmetries);
  g_test_add_func ("/target/star", test_star);
  g_test_add_func ("/target/heart", test_heart);
  g_test_add_func ("/target/line", test_line);
  g_test_add_func ("/target/ellipse", test_ellipse);
  g_test_add_func ("/target/ring", test_ring);
  g_test_add_func ("/target/sums-and-identity", test_sums_and_identity);
  g_test_add_func ("/target/large-rotations", test_large_rotations);
  g_test_add_func ("/target/clipping", test_clipping);
  g_test_add_func ("/target/half-size", test_half_size);
  g_test_add_func ("/target/parse-round-trip",
      test_parse_defaults_and_round_trip);
  g_test_add_func ("/target/parse-errors", test_parse_errors);
  g_test_add_func ("/target/image", test_image_target);
  g_test_add_func ("/target/image-errors", test_image_target_errors);
  g_test_add_func ("/target/copy", test_copy);
  g_test_add_func ("/target/render-time-log", test_render_time_log);

  result = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return result;
}
