/* DISK core: analytic gradients of the reference filter (formulas in
 * disk-gradient.h).
 *
 * The forward layer (disk-filter.c) reads, for sample i and output pixel p,
 * the four pixels around p - o_i with bilinear weights that are the same for
 * every p: with (u, v) = -o_i, (dx, dy) = floor (u, v), (ax, ay) = the
 * fractional parts,
 *
 *   B(p) = a + ax (b - a) + ay (c - a) + ax ay (d - b - c + a)
 *
 * where a, b, c, d are the clamped pixels at p + (dx, dy), + (dx + 1, dy),
 * + (dx, dy + 1), + (dx + 1, dy + 1). Everything a sample's parameters need
 * is then four sums over p of g(p) times a, b - a, c - a and d - b - c + a:
 *
 *   dL/dw  = A + ax Bx + ay Cy + ax ay D
 *   dL/dax = w (Bx + ay D),   dL/dx = -dL/dax   (u = -x)
 *   dL/day = w (Cy + ax D),   dL/dy = -dL/day
 *
 * The differences are taken pixel by pixel, so a smooth image does not lose
 * the offset gradient to cancellation between two large sums, and where a
 * clamp makes two neighbours the same pixel the difference is exactly 0, as
 * disk-gradient.h promises. The input gradient is the adjoint: each output
 * gradient is scattered back to the four pixels it was read from, with the
 * same clamped indices as the forward pass.
 */
#include "disk-gradient.h"
#include "disk-filter.h"

#include <math.h>
#include <string.h>

static inline gint
clamp_index (gint i, gint size)
{
  return i < 0 ? 0 : (i >= size ? size - 1 : i);
}

/* The read position of a sample exactly as disk-filter.c computes it,
 * including its limit one image size past the edge. `moves` is FALSE where the
 * limit (or a non-finite offset) pins the position, so its derivative is 0. */
static inline gdouble
read_position (gfloat offset, guint size, gboolean * moves)
{
  const gdouble limit = (gdouble) size + 2.0;
  gdouble u = -(gdouble) offset;

  *moves = u > -limit && u < limit;
  return fmin (fmax (u, -limit), limit);
}

/* The sums of one sample over every output pixel, in double. */
typedef struct
{
  gdouble a, bx, cy, d;
} SampleSums;

/* Four floats at a time: GCC and Clang vector extensions, which compile to
 * SSE on x86-64 and NEON on ARM, and to plain code elsewhere. The fit spends
 * most of its time in the two loops below. */
typedef gfloat v4sf __attribute__ ((vector_size (16)));

static inline v4sf
load4 (const gfloat * p)
{
  v4sf v;

  memcpy (&v, p, sizeof (v));
  return v;
}

static inline void
store4 (gfloat * p, v4sf v)
{
  memcpy (p, &v, sizeof (v));
}

static inline gfloat
hsum4 (v4sf v)
{
  return (v[0] + v[1]) + (v[2] + v[3]);
}

/* The bounding box of the non-zero values of a single-channel image; FALSE
 * when it is all zero. A sum or scatter outside it only adds zeros. */
typedef struct
{
  gint x0, x1, y0, y1;          /* inclusive */
} Box;

static gboolean
nonzero_box (const DiskImage * image, Box * box)
{
  gboolean found = FALSE;
  gint x, y;

  box->x0 = box->y0 = G_MAXINT;
  box->x1 = box->y1 = -1;
  for (y = 0; y < (gint) image->height; y++) {
    const gfloat *row = disk_image_pixel (image, 0, y);
    gint first = -1, last = -1;

    for (x = 0; x < (gint) image->width; x++)
      if (row[x] != 0.0f) {
        if (first < 0)
          first = x;
        last = x;
      }
    if (first >= 0) {
      found = TRUE;
      box->y0 = MIN (box->y0, y);
      box->y1 = y;
      box->x0 = MIN (box->x0, first);
      box->x1 = MAX (box->x1, last);
    }
  }
  return found;
}

/* The output coordinates p whose reads at p + d and p + d + 1 (clamped) can
 * touch [lo, hi] of the input: if [lo, hi] stays off the edges a clamp never
 * lands in it, so p + d or p + d + 1 must be in it. Result is [*a, *b). */
static void
reach_range (gint lo, gint hi, gint d, gint size, gint * a, gint * b)
{
  if (lo > 0 && hi < size - 1) {
    *a = CLAMP (lo - d - 1, 0, size);
    *b = CLAMP (hi - d + 1, *a, size);
  } else {
    *a = 0;
    *b = size;
  }
}

/* One channel: the sums over output pixels p in the rectangle where both
 * g(p) and the four pixels read for p can be non-zero, and the scatter over
 * the rectangle where g(p) is non-zero. Columns where neither read is clamped
 * (0 <= x + dx, x + dx + 1 <= width - 1) run four at a time. */
static void
sample_sums_1 (const DiskImage * in, const DiskImage * grad_out,
    const Box * in_box, const Box * g_box, gint dx, gint dy,
    gboolean want_sums, DiskImage * grad_in, gfloat w00, gfloat w10,
    gfloat w01, gfloat w11, SampleSums * sums)
{
  const gint width = in->width, height = in->height;
  const gint inner_lo = CLAMP (-dx, 0, width);
  const gint inner_hi = CLAMP (width - 1 - dx, inner_lo, width);
  gint sx0, sx1, sy0, sy1, x, y;

  /* Sums: g non-zero and the reads reach the input's box. */
  reach_range (in_box->x0, in_box->x1, dx, width, &sx0, &sx1);
  reach_range (in_box->y0, in_box->y1, dy, height, &sy0, &sy1);
  sx0 = MAX (sx0, g_box->x0);
  sx1 = MIN (sx1, g_box->x1 + 1);
  sy0 = MAX (sy0, g_box->y0);
  sy1 = MIN (sy1, g_box->y1 + 1);

  for (y = sy0; want_sums && y < sy1 && sx0 < sx1; y++) {
    const gfloat *ra = disk_image_pixel (in, 0, clamp_index (y + dy, height));
    const gfloat *rb = disk_image_pixel (in, 0,
        clamp_index (y + dy + 1, height));
    const gfloat *g = disk_image_pixel (grad_out, 0, y);
    const gint v0 = CLAMP (inner_lo, sx0, sx1), v1 = CLAMP (inner_hi, v0, sx1);
    const gint vend = v0 + (v1 - v0) / 4 * 4;
    v4sf va = { 0 }, vbx = { 0 }, vcy = { 0 }, vd = { 0 };
    gfloat sa, sbx, scy, sd;

    for (x = v0; x < vend; x += 4) {
      const v4sf gx = load4 (g + x);
      const v4sf pa = load4 (ra + x + dx), pb = load4 (ra + x + dx + 1);
      const v4sf pc = load4 (rb + x + dx), pd = load4 (rb + x + dx + 1);

      va += gx * pa;
      vbx += gx * (pb - pa);
      vcy += gx * (pc - pa);
      vd += gx * (pd - pb - pc + pa);
    }
    sa = hsum4 (va);
    sbx = hsum4 (vbx);
    scy = hsum4 (vcy);
    sd = hsum4 (vd);
    /* The rest: clamped columns and the vector loop's tail. */
    for (x = sx0; x < sx1; x++) {
      gint xa, xb;
      gfloat gx, pa, pb, pc, pd;

      if (x == v0 && vend > v0)
        x = vend;
      if (x >= sx1)
        break;
      xa = clamp_index (x + dx, width);
      xb = clamp_index (x + dx + 1, width);
      gx = g[x];
      pa = ra[xa];
      pb = ra[xb];
      pc = rb[xa];
      pd = rb[xb];
      sa += gx * pa;
      sbx += gx * (pb - pa);
      scy += gx * (pc - pa);
      sd += gx * (pd - pb - pc + pa);
    }
    sums->a += sa;
    sums->bx += sbx;
    sums->cy += scy;
    sums->d += sd;
  }

  if (grad_in == NULL)
    return;
  for (y = g_box->y0; y <= g_box->y1; y++) {
    gfloat *ga = disk_image_pixel (grad_in, 0, clamp_index (y + dy, height));
    gfloat *gb = disk_image_pixel (grad_in, 0,
        clamp_index (y + dy + 1, height));
    const gfloat *g = disk_image_pixel (grad_out, 0, y);
    const gint v0 = CLAMP (inner_lo, g_box->x0, g_box->x1 + 1);
    const gint v1 = CLAMP (inner_hi, v0, g_box->x1 + 1);
    const gint vend = v0 + (v1 - v0) / 4 * 4;
    const v4sf c00 = { w00, w00, w00, w00 }, c10 = { w10, w10, w10, w10 };
    const v4sf c01 = { w01, w01, w01, w01 }, c11 = { w11, w11, w11, w11 };

    /* Unclamped: four separate passes, so that no pass reads what it wrote
     * (ga[x + dx + 1] of one x is ga[x + dx] of the next). */
    for (x = v0; x < vend; x += 4)
      store4 (ga + x + dx, load4 (ga + x + dx) + c00 * load4 (g + x));
    for (x = v0; x < vend; x += 4)
      store4 (ga + x + dx + 1, load4 (ga + x + dx + 1) + c10 * load4 (g + x));
    for (x = v0; x < vend; x += 4)
      store4 (gb + x + dx, load4 (gb + x + dx) + c01 * load4 (g + x));
    for (x = v0; x < vend; x += 4)
      store4 (gb + x + dx + 1, load4 (gb + x + dx + 1) + c11 * load4 (g + x));
    for (x = g_box->x0; x <= g_box->x1; x++) {
      gint xa, xb;
      gfloat gx;

      if (x == v0 && vend > v0)
        x = vend;
      if (x > g_box->x1)
        break;
      xa = clamp_index (x + dx, width);
      xb = clamp_index (x + dx + 1, width);
      gx = g[x];
      ga[xa] += w00 * gx;
      ga[xb] += w10 * gx;
      gb[xa] += w01 * gx;
      gb[xb] += w11 * gx;
    }
  }
}

/* Any channel count: the same, with the channels of a pixel summed. */
static void
sample_sums_n (const DiskImage * in, const DiskImage * grad_out,
    const gboolean * in_rows, const gboolean * grad_rows, gint dx,
    gint dy, gboolean want_sums, DiskImage * grad_in, gfloat w00, gfloat w10,
    gfloat w01, gfloat w11, SampleSums * sums)
{
  const gint width = in->width, height = in->height;
  const guint channels = in->channels;
  gint x, y;
  guint c;

  for (y = 0; y < height; y++) {
    const gint ya = clamp_index (y + dy, height);
    const gint yb = clamp_index (y + dy + 1, height);
    const gfloat *ra = disk_image_pixel (in, 0, ya);
    const gfloat *rb = disk_image_pixel (in, 0, yb);
    const gfloat *g = disk_image_pixel (grad_out, 0, y);
    gfloat *ga = grad_in ? disk_image_pixel (grad_in, 0, ya) : NULL;
    gfloat *gb = grad_in ? disk_image_pixel (grad_in, 0, yb) : NULL;
    const gboolean row_sums = want_sums && (in_rows[ya] || in_rows[yb]);
    gfloat sa = 0.0f, sbx = 0.0f, scy = 0.0f, sd = 0.0f;

    if (!grad_rows[y])
      continue;
    for (x = 0; x < width; x++) {
      const guint xa = clamp_index (x + dx, width) * channels;
      const guint xb = clamp_index (x + dx + 1, width) * channels;

      for (c = 0; c < channels; c++) {
        const gfloat gx = g[x * channels + c];

        if (row_sums) {
          const gfloat pa = ra[xa + c], pb = ra[xb + c];
          const gfloat pc = rb[xa + c], pd = rb[xb + c];

          sa += gx * pa;
          sbx += gx * (pb - pa);
          scy += gx * (pc - pa);
          sd += gx * (pd - pb - pc + pa);
        }
        if (ga != NULL) {
          ga[xa + c] += w00 * gx;
          ga[xb + c] += w10 * gx;
          gb[xa + c] += w01 * gx;
          gb[xb + c] += w11 * gx;
        }
      }
    }
    sums->a += sa;
    sums->bx += sbx;
    sums->cy += scy;
    sums->d += sd;
  }
}

/* Which rows hold a non-zero value: a row of zeros adds nothing to a sum or
 * a scatter, and in a fit most rows of the early layers are zero. */
static gboolean *
nonzero_rows (const DiskImage * image)
{
  gboolean *rows = g_new0 (gboolean, image->height);
  guint x, y;

  for (y = 0; y < image->height; y++) {
    const gfloat *row = disk_image_pixel (image, 0, y);
    for (x = 0; x < image->width * image->channels && !rows[y]; x++)
      rows[y] = row[x] != 0.0f;
  }
  return rows;
}

void
disk_layer_backward (const DiskSample * samples, guint n_samples,
    const DiskImage * in, const DiskImage * grad_out, DiskImage * grad_in,
    DiskSample * grad_samples)
{
  g_autofree gboolean *in_rows = NULL;
  g_autofree gboolean *grad_rows = NULL;
  Box in_box, g_box;
  gboolean in_any = TRUE, g_any = TRUE;
  guint i, y;

  g_return_if_fail (disk_image_same_shape (in, grad_out));
  g_return_if_fail (grad_in == NULL || disk_image_same_shape (in, grad_in));
  g_return_if_fail (grad_in != in && grad_in != grad_out);

  if (grad_in != NULL)
    for (y = 0; y < in->height; y++)
      memset (disk_image_pixel (grad_in, 0, y), 0,
          sizeof (gfloat) * in->width * in->channels);
  if (in->channels == 1) {
    in_any = nonzero_box (in, &in_box);
    g_any = nonzero_box (grad_out, &g_box);
  } else {
    in_rows = nonzero_rows (in);
    grad_rows = nonzero_rows (grad_out);
  }

  for (i = 0; i < n_samples; i++) {
    gboolean moves_x, moves_y;
    const gdouble u = read_position (samples[i].x, in->width, &moves_x);
    const gdouble v = read_position (samples[i].y, in->height, &moves_y);
    const gdouble fu = floor (u), fv = floor (v);
    const gdouble ax = u - fu, ay = v - fv;
    const gdouble w = samples[i].w;
    /* The forward pass's weights, rounded to float as it rounds them. */
    const gfloat w00 = (gfloat) (w * (1.0 - ax) * (1.0 - ay));
    const gfloat w10 = (gfloat) (w * ax * (1.0 - ay));
    const gfloat w01 = (gfloat) (w * (1.0 - ax) * ay);
    const gfloat w11 = (gfloat) (w * ax * ay);
    SampleSums sums = { 0.0, 0.0, 0.0, 0.0 };

    if (in->channels == 1) {
      if (g_any)
        sample_sums_1 (in, grad_out, &in_box, &g_box, (gint) fu, (gint) fv,
            grad_samples != NULL && in_any, grad_in, w00, w10, w01, w11,
            &sums);
    } else {
      sample_sums_n (in, grad_out, in_rows, grad_rows, (gint) fu, (gint) fv,
          grad_samples != NULL, grad_in, w00, w10, w01, w11, &sums);
    }

    if (grad_samples != NULL) {
      grad_samples[i].w = (gfloat) (sums.a + ax * sums.bx + ay * sums.cy
          + ax * ay * sums.d);
      grad_samples[i].x = moves_x ? (gfloat) (-w * (sums.bx + ay * sums.d))
          : 0.0f;
      grad_samples[i].y = moves_y ? (gfloat) (-w * (sums.cy + ax * sums.d))
          : 0.0f;
    }
  }
}

void
disk_complex_backward (const DiskComplex * complex, const DiskImage * in,
    const DiskImage * grad_out, DiskImage * grad_in, DiskComplex * grad_complex)
{
  const guint n_layers = complex->n_layers;
  DiskImage *forward[DISK_MAX_LAYERS];
  g_autoptr (DiskImage) g = NULL;
  g_autoptr (DiskImage) g_prev = NULL;
  guint l;

  g_return_if_fail (disk_image_same_shape (in, grad_out));
  g_return_if_fail (grad_in == NULL || disk_image_same_shape (in, grad_in));
  g_return_if_fail (grad_complex == NULL
      || disk_complex_same_structure (complex, grad_complex));

  /* forward[l] is the input of layer l. */
  forward[0] = disk_image_copy (in);
  for (l = 1; l < n_layers; l++) {
    forward[l] = disk_image_new (in->width, in->height, in->channels);
    disk_filter_layer (disk_complex_layer (complex, l - 1),
        complex->n_samples[l - 1], forward[l - 1], forward[l]);
  }

  g = disk_image_copy (grad_out);
  g_prev = disk_image_new (in->width, in->height, in->channels);
  for (l = n_layers; l-- > 0;) {
    DiskImage *target_in = l > 0 ? g_prev : grad_in;
    DiskImage *swap;

    disk_layer_backward (disk_complex_layer (complex, l),
        complex->n_samples[l], forward[l], g, target_in,
        grad_complex ? disk_complex_layer (grad_complex, l) : NULL);
    swap = g;
    g = g_prev;
    g_prev = swap;
  }

  for (l = 0; l < n_layers; l++)
    disk_image_free (forward[l]);
}
