/* Contact sheets of a preset: target | fitted | error, one row per radius.
 * Shared by disk-fit --plot and disk-preset-report. */
#include "disk-plot.h"

#include "disk-filter.h"
#include "disk-image-io.h"

#include <math.h>

/* Plot cells are at least this many pixels so small kernels stay visible. */
#define PLOT_MIN_CELL 96

static void
put_rgb (DiskImage * plot, guint x, guint y, gfloat r, gfloat g, gfloat b)
{
  gfloat *p = disk_image_pixel (plot, x, y);

  p[0] = r;
  p[1] = g;
  p[2] = b;
}

/* Draws the centre `side` x `side` pixels of `panel` (single channel, values
 * already in 0..1) zoomed by `zoom` (nearest neighbour) and centred in the
 * cell whose top-left is (cx, cy). `tint` colours it. */
static void
draw_panel (DiskImage * plot, const DiskImage * panel, guint side, guint zoom,
    guint cx, guint cy, guint cell, const gfloat tint[3])
{
  const guint first = (panel->width - side) / 2;
  const guint size = side * zoom;
  const guint x0 = cx + (cell - size) / 2, y0 = cy + (cell - size) / 2;
  guint x, y;

  for (y = 0; y < size; y++)
    for (x = 0; x < size; x++) {
      gfloat v = *disk_image_pixel (panel, first + x / zoom, first + y / zoom);

      v = CLAMP (v, 0.0f, 1.0f);
      put_rgb (plot, x0 + x, y0 + y, tint[0] * v, tint[1] * v, tint[2] * v);
    }
}

/* One row per radius: target | fitted impulse response | |error| x amp.
 * The fitted kernel at each radius is the basis interpolated there, so rows
 * may show radii between basis entries too.
 * Target and fit share a scale (the target's peak maps to white); the error
 * is amplified by a power of two per row, reported in `report`. Panels show
 * the target's extent plus a quarter of the radius, all zoomed to about the
 * same size; the error figures cover the whole canvas. */
gboolean
disk_plot_write (const DiskPreset * preset, const DiskTarget * target,
    const gdouble * radii, guint n_radii, const gchar * path,
    GString * report, GError ** error)
{
  static const gfloat gray[3] = { 1.0f, 1.0f, 1.0f };
  static const gfloat orange[3] = { 1.0f, 0.6f, 0.1f };
  const DiskBasis *basis = preset->basis;
  g_autofree guint *shown = g_new (guint, n_radii);
  g_autoptr (DiskImage) plot = NULL;
  guint cell = PLOT_MIN_CELL, k, x, y;

  for (k = 0; k < n_radii; k++) {
    shown[k] = disk_target_half_size (radii[k])
        + (guint) ceil (0.25 * MIN (radii[k], 4096.0));
    cell = MAX (cell, 2 * shown[k] + 1);
  }

  plot = disk_image_new (3 * cell, n_radii * cell, 3);
  for (y = 0; y < plot->height; y++)
    for (x = 0; x < plot->width; x++)
      put_rgb (plot, x, y, 0.12f, 0.12f, 0.16f);

  g_string_append_printf (report, "plot: %s, one row per radius (top: %g px), "
      "columns: target | fitted impulse response | |error| amplified\n",
      path, radii[0]);

  for (k = 0; k < n_radii; k++) {
    /* The canvas holds all the light the complex can move, so that no
     * clamp at its edge folds light back in. */
    g_autoptr (DiskComplex) complex = disk_basis_new_complex (basis);
    gdouble reach;
    guint half, side, shown_side, zoom;
    g_autoptr (DiskImage) tgt = NULL;
    g_autoptr (DiskImage) fit = NULL;
    g_autoptr (DiskImage) err = NULL;
    gdouble peak = 0.0, max_err = 0.0, amp = 1.0;
    guint i;

    disk_basis_interpolate (basis, radii[k], 0.0, complex);
    reach = MIN (disk_complex_reach (complex), 4096.0);
    half = MAX (shown[k], (guint) ceil (reach) + 2);
    side = 2 * half + 1;
    shown_side = 2 * shown[k] + 1;
    zoom = MAX (1, cell / shown_side);
    tgt = disk_target_render (target, radii[k], half);
    fit = disk_complex_impulse_response (complex, half);
    err = disk_image_new (side, side, 1);

    for (i = 0; i < side * side; i++) {
      peak = MAX (peak, tgt->data[i]);
      max_err = MAX (max_err, fabs (fit->data[i] - tgt->data[i]));
    }
    if (peak <= 0.0)
      peak = 1.0;
    /* Brightest error between half and full white, up to x1024. */
    while (amp < 1024.0 && amp * max_err / peak < 0.5)
      amp *= 2.0;
    for (i = 0; i < side * side; i++) {
      err->data[i] = (gfloat) (fabs (fit->data[i] - tgt->data[i]) / peak
          * amp);
      tgt->data[i] = (gfloat) (tgt->data[i] / peak);
      fit->data[i] = (gfloat) (fit->data[i] / peak);
    }
    draw_panel (plot, tgt, shown_side, zoom, 0, k * cell, cell, gray);
    draw_panel (plot, fit, shown_side, zoom, cell, k * cell, cell, gray);
    draw_panel (plot, err, shown_side, zoom, 2 * cell, k * cell, cell, orange);
    g_string_append_printf (report, "  row %u, radius %g px: error x%g "
        "(largest |error| %.2f%% of the target's peak)\n", k + 1,
        radii[k], amp, 100.0 * max_err / peak);
  }
  return disk_image_save_png (plot, path, 8, error);
}
