/* DISK core: reduced resolution for large radii (see disk-fast.h): the
 * factor, a box average down and a Catmull-Rom cubic back up. */
#include "disk-fast.h"

#include <math.h>
#include <stdlib.h>

static inline gint
clamp_index (gint i, gint size)
{
  return i < 0 ? 0 : (i >= size ? size - 1 : i);
}

guint
disk_fast_reduction (gdouble radius)
{
  const gchar *force = g_getenv ("DISK_FAST_REDUCTION");

  /* Measured (docs/PERFORMANCE.md, tests/test-fast.c): halving costs 0.2 dB
   * of image PSNR at radius 64 and less above, 0.3-0.6 dB at 48 and 1.6 dB
   * at 32; a third costs 0.2 dB only from radius 96. */
  if (force != NULL)
    return CLAMP (atoi (force), 1, 8);
  if (g_getenv ("DISK_FAST_EXACT") != NULL)
    return 1;
  return radius >= DISK_FAST_REDUCE_RADIUS ? 2 : 1;
}

guint
disk_fast_reduced_size (guint size, guint factor)
{
  return (size + factor - 1) / factor;
}

void
disk_fast_downsample_rows (const DiskImage * in, DiskImage * small,
    guint factor, guint y_begin, guint y_end)
{
  const guint ch = in->channels;
  guint x, y, i, j, c;

  g_return_if_fail (factor >= 1 && small->channels == ch);
  g_return_if_fail (small->width == disk_fast_reduced_size (in->width, factor)
      && small->height == disk_fast_reduced_size (in->height, factor));
  g_return_if_fail (y_begin <= y_end && y_end <= small->height);

  for (y = y_begin; y < y_end; y++) {
    const guint j0 = y * factor, j1 = MIN (in->height, j0 + factor);
    gfloat *o = disk_image_pixel (small, 0, y);

    for (x = 0; x < small->width; x++) {
      const guint i0 = x * factor, i1 = MIN (in->width, i0 + factor);
      const gfloat scale = 1.0f / ((i1 - i0) * (j1 - j0));
      gfloat acc[4] = { 0.0f, 0.0f, 0.0f, 0.0f };

      for (j = j0; j < j1; j++) {
        const gfloat *row = disk_image_pixel (in, 0, j);

        for (i = i0; i < i1; i++)
          for (c = 0; c < ch; c++)
            acc[c] += row[(gsize) i * ch + c];
      }
      for (c = 0; c < ch; c++)
        o[(gsize) x * ch + c] = acc[c] * scale;
    }
  }
}

/* Where full-resolution coordinate i falls on the reduced grid: the four
 * reduced samples around it (clamped) and their Catmull-Rom weights. An
 * interpolating cubic rather than bilinear: bilinear would add a blur of
 * variance factor^2 / 6 pixels^2 on top of the kernel, four times what the
 * box average adds, and cost several dB against the reference. */
static void
up_coord (guint i, guint factor, guint small_size, guint * idx, gfloat * w)
{
  gdouble u = (i + 0.5) / factor - 0.5;
  gdouble f = floor (u);
  gdouble t = u - f, t2 = t * t, t3 = t2 * t;
  gint i0 = (gint) f, k;

  for (k = 0; k < 4; k++)
    idx[k] = clamp_index (i0 - 1 + k, small_size);
  w[0] = (gfloat) (0.5 * (-t3 + 2.0 * t2 - t));
  w[1] = (gfloat) (0.5 * (3.0 * t3 - 5.0 * t2 + 2.0));
  w[2] = (gfloat) (0.5 * (-3.0 * t3 + 4.0 * t2 + t));
  w[3] = (gfloat) (0.5 * (t3 - t2));
}

void
disk_fast_upsample_rows (const DiskImage * small, DiskImage * out,
    guint factor, guint y_begin, guint y_end)
{
  const guint ch = out->channels;
  const gsize small_row = (gsize) small->width * ch;
  g_autofree guint *xi = g_new (guint, 4 * (gsize) out->width);
  g_autofree gfloat *xw = g_new (gfloat, 4 * (gsize) out->width);
  g_autofree gfloat *column = g_new (gfloat, small_row);
  guint x, y, c, k;
  gsize j;

  g_return_if_fail (factor >= 1 && small->channels == ch);
  g_return_if_fail (small->width == disk_fast_reduced_size (out->width,
          factor) && small->height == disk_fast_reduced_size (out->height,
          factor));
  g_return_if_fail (y_begin <= y_end && y_end <= out->height);

  for (x = 0; x < out->width; x++)
    up_coord (x, factor, small->width, xi + 4 * x, xw + 4 * x);
  for (y = y_begin; y < y_end; y++) {
    guint yi[4];
    gfloat yw[4];
    const gfloat *r[4];
    gfloat *o = disk_image_pixel (out, 0, y);

    /* Vertical first, on the short rows; then horizontal. */
    up_coord (y, factor, small->height, yi, yw);
    for (k = 0; k < 4; k++)
      r[k] = disk_image_pixel (small, 0, yi[k]);
    for (j = 0; j < small_row; j++)
      column[j] = yw[0] * r[0][j] + yw[1] * r[1][j] + yw[2] * r[2][j]
          + yw[3] * r[3][j];
    for (x = 0; x < out->width; x++) {
      const guint *i4 = xi + 4 * x;
      const gfloat *w4 = xw + 4 * x;

      for (c = 0; c < ch; c++)
        o[(gsize) x * ch + c] = w4[0] * column[(gsize) i4[0] * ch + c]
            + w4[1] * column[(gsize) i4[1] * ch + c]
            + w4[2] * column[(gsize) i4[2] * ch + c]
            + w4[3] * column[(gsize) i4[3] * ch + c];
    }
  }
}
