/* Low-rank baseline (see bench-lowrank.h). */
#include "bench-lowrank.h"
#include "bench-util.h"

#include <gio/gio.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

/* Factors of one kernel on a (2h + 1)^2 canvas: col[k][ky] = s_k u_k[ky],
 * row[k][kx] = v_k[kx]; taps outside [lo, hi] are zero in every rank. */
typedef struct
{
  guint rank, size;
  gfloat *col[BENCH_LOW_RANK_MAX];
  gfloat *row[BENCH_LOW_RANK_MAX];
  guint col_lo, col_hi, row_lo, row_hi;
} Factors;

static gboolean
factors_init (Factors * f, const DiskImage * kernel, guint rank,
    GError ** error)
{
  const guint m = kernel->width;
  g_autofree gdouble *a = g_new (gdouble, (gsize) m * m);
  g_autofree gdouble *s = g_new (gdouble, m);
  g_autofree gdouble *u = g_new (gdouble, (gsize) m * m);
  g_autofree gdouble *vt = g_new (gdouble, (gsize) m * m);
  g_autofree gdouble *superb = g_new (gdouble, m);
  lapack_int info;
  guint k, i, x, y;

  memset (f, 0, sizeof (*f));
  f->rank = MIN (rank, BENCH_LOW_RANK_MAX);
  f->size = m;
  for (y = 0; y < m; y++)
    for (x = 0; x < m; x++)
      a[(gsize) y * m + x] = disk_image_pixel (kernel, x, y)[0];
  info = LAPACKE_dgesvd (LAPACK_ROW_MAJOR, 'A', 'A', m, m, a, m, s, u, m, vt,
      m, superb);
  if (info != 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
        "LAPACKE_dgesvd failed on a %ux%u kernel (info %d)", m, m, (int) info);
    return FALSE;
  }
  f->col_lo = f->row_lo = m;
  for (k = 0; k < f->rank; k++) {
    f->col[k] = g_new0 (gfloat, m);
    f->row[k] = g_new0 (gfloat, m);
    for (i = 0; i < m; i++) {
      f->col[k][i] = (gfloat) (s[k] * u[(gsize) i * m + k]);
      f->row[k][i] = (gfloat) vt[(gsize) k * m + i];
    }
  }
  /* The non-zero extent, from the kernel itself (SVD vectors carry rounding
   * noise where the kernel is exactly zero). */
  for (y = 0; y < m; y++)
    for (x = 0; x < m; x++)
      if (disk_image_pixel (kernel, x, y)[0] != 0.0f) {
        f->col_lo = MIN (f->col_lo, y);
        f->col_hi = MAX (f->col_hi, y);
        f->row_lo = MIN (f->row_lo, x);
        f->row_hi = MAX (f->row_hi, x);
      }
  if (f->col_lo > f->col_hi) {
    f->col_lo = f->row_lo = f->col_hi = f->row_hi = (m - 1) / 2;
  }
  for (k = 0; k < f->rank; k++)
    for (i = 0; i < m; i++) {
      if (i < f->col_lo || i > f->col_hi)
        f->col[k][i] = 0.0f;
      if (i < f->row_lo || i > f->row_hi)
        f->row[k][i] = 0.0f;
    }
  return TRUE;
}

static void
factors_clear (Factors * f)
{
  guint k;

  for (k = 0; k < f->rank; k++) {
    g_free (f->col[k]);
    g_free (f->row[k]);
  }
}

struct _BenchLowRank
{
  Factors f;
};

BenchLowRank *
bench_low_rank_new (const DiskImage * kernel, guint rank, GError ** error)
{
  BenchLowRank *lr = g_new0 (BenchLowRank, 1);

  if (!factors_init (&lr->f, kernel, rank, error)) {
    g_free (lr);
    return NULL;
  }
  return lr;
}

void
bench_low_rank_free (BenchLowRank * lr)
{
  if (lr == NULL)
    return;
  factors_clear (&lr->f);
  g_free (lr);
}

DiskImage *
bench_low_rank_kernel (const BenchLowRank * lr)
{
  const Factors *f = &lr->f;
  DiskImage *k = disk_image_new (f->size, f->size, 1);
  guint r, x, y;

  for (y = 0; y < f->size; y++)
    for (x = 0; x < f->size; x++) {
      gdouble v = 0.0;
      for (r = 0; r < f->rank; r++)
        v += (gdouble) f->col[r][y] * f->row[r][x];
      disk_image_pixel (k, x, y)[0] = (gfloat) v;
    }
  return k;
}

guint
bench_low_rank_taps (const BenchLowRank * lr)
{
  const Factors *f = &lr->f;

  return f->rank * ((f->col_hi - f->col_lo + 1) + (f->row_hi - f->row_lo + 1));
}

void
bench_low_rank_apply_rows (const BenchLowRank * lr, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end)
{
  const Factors *f = &lr->f;
  const guint h = (f->size - 1) / 2, ch = in->channels, w = in->width;
  const gsize n = (gsize) w * ch;
  g_autofree gfloat *tmp = g_new (gfloat, n);
  g_autofree gfloat *buf = g_new (gfloat, (gsize) (w + 2 * h) * ch);
  guint k, y, kx, ky, x, c;
  gsize i;

  for (y = y_begin; y < y_end; y++) {
    gfloat *o = disk_image_pixel (out, 0, y);

    memset (o, 0, sizeof (gfloat) * n);
    for (k = 0; k < f->rank; k++) {
      /* Vertical: tmp(x) = sum_ky col[ky] in(x, y - ky + h). */
      memset (tmp, 0, sizeof (gfloat) * n);
      for (ky = f->col_lo; ky <= f->col_hi; ky++) {
        const gfloat wv = f->col[k][ky];
        gint sy = CLAMP ((gint) y - (gint) ky + (gint) h, 0,
            (gint) in->height - 1);
        const gfloat *s = disk_image_pixel (in, 0, sy);

        for (i = 0; i < n; i++)
          tmp[i] += wv * s[i];
      }
      /* Horizontal: o(x) += sum_kx row[kx] tmp(x - kx + h), through a row
       * padded by h replicated pixels: buf[(x + h)] = tmp(clamp (x)). */
      for (x = 0; x < w + 2 * h; x++) {
        gint sx = CLAMP ((gint) x - (gint) h, 0, (gint) w - 1);
        for (c = 0; c < ch; c++)
          buf[(gsize) x * ch + c] = tmp[(gsize) sx * ch + c];
      }
      for (kx = f->row_lo; kx <= f->row_hi; kx++) {
        const gfloat wh = f->row[k][kx];
        const gfloat *s = buf + (gsize) (2 * h - kx) * ch;

        for (i = 0; i < n; i++)
          o[i] += wh * s[i];
      }
    }
  }
}

void
bench_low_rank_apply (const BenchLowRank * lr, const DiskImage * in,
    DiskImage * out)
{
  bench_low_rank_apply_rows (lr, in, out, 0, in->height);
}

/* ---------------------------------------------------------------------- */

struct _BenchLowRankBasis
{
  guint n_radii;                /* including the identity at radius 0 */
  gdouble *radii;
  guint n_angles;
  gdouble angle_period;
  guint rank, size, h;
  Factors *entries;             /* [radius * n_angles + angle] */
};

BenchLowRankBasis *
bench_low_rank_basis_new (const DiskTarget * target, const gdouble * radii,
    guint n_radii, guint n_angles, gdouble angle_period, guint rank,
    GError ** error)
{
  g_autoptr (DiskTarget) rotated = disk_target_copy (target);
  BenchLowRankBasis *b = g_new0 (BenchLowRankBasis, 1);
  guint j, a, k;

  b->n_radii = n_radii + 1;
  b->radii = g_new0 (gdouble, b->n_radii);
  memcpy (b->radii + 1, radii, sizeof (gdouble) * n_radii);
  b->n_angles = MAX (n_angles, 1);
  b->angle_period = angle_period;
  b->rank = MIN (rank, BENCH_LOW_RANK_MAX);
  b->h = disk_target_half_size (radii[n_radii - 1]);
  b->size = 2 * b->h + 1;
  b->entries = g_new0 (Factors, (gsize) b->n_radii * b->n_angles);

  for (j = 0; j < b->n_radii; j++)
    for (a = 0; a < b->n_angles; a++) {
      Factors *f = b->entries + j * b->n_angles + a;
      g_autoptr (DiskImage) kernel = NULL;

      rotated->rotation = target->rotation + a * angle_period / b->n_angles;
      kernel = disk_target_render (rotated, b->radii[j], b->h);
      if (!factors_init (f, kernel, b->rank, error)) {
        bench_low_rank_basis_free (b);
        return NULL;
      }
      /* Sign-align with the previous radius: flip u_k and v_k together
       * (their product, the kernel, is unchanged). */
      if (j > 0) {
        const Factors *prev = b->entries + (j - 1) * b->n_angles + a;
        for (k = 0; k < b->rank; k++) {
          gdouble dot = 0.0;
          guint i;
          for (i = 0; i < b->size; i++)
            dot += (gdouble) f->col[k][i] * prev->col[k][i]
                + (gdouble) f->row[k][i] * prev->row[k][i];
          if (dot < 0.0)
            for (i = 0; i < b->size; i++) {
              f->col[k][i] = -f->col[k][i];
              f->row[k][i] = -f->row[k][i];
            }
        }
      }
    }
  return b;
}

void
bench_low_rank_basis_free (BenchLowRankBasis * b)
{
  guint i;

  if (b == NULL)
    return;
  for (i = 0; i < b->n_radii * b->n_angles; i++)
    factors_clear (b->entries + i);
  g_free (b->entries);
  g_free (b->radii);
  g_free (b);
}

typedef struct
{
  const Factors *a, *b;
  gfloat t;
  guint lo_c, hi_c, lo_r, hi_r;
} PixelFactors;

static void
locate (const BenchLowRankBasis * b, gdouble radius, gdouble angle,
    PixelFactors * pf)
{
  guint j = 0, ai = 0;
  gdouble t = 0.0;

  if (radius >= b->radii[b->n_radii - 1]) {
    j = b->n_radii - 2;
    t = 1.0;
  } else if (radius > 0.0) {
    while (b->radii[j + 1] < radius)
      j++;
    t = (radius - b->radii[j]) / (b->radii[j + 1] - b->radii[j]);
  }
  if (b->n_angles > 1) {
    gdouble step = b->angle_period / b->n_angles;
    gdouble m = fmod (angle, b->angle_period);
    if (m < 0.0)
      m += b->angle_period;
    ai = (guint) lround (m / step) % b->n_angles;
  }
  pf->a = b->entries + j * b->n_angles + ai;
  pf->b = b->entries + (j + 1) * b->n_angles + ai;
  pf->t = (gfloat) t;
  pf->lo_c = MIN (pf->a->col_lo, pf->b->col_lo);
  pf->hi_c = MAX (pf->a->col_hi, pf->b->col_hi);
  pf->lo_r = MIN (pf->a->row_lo, pf->b->row_lo);
  pf->hi_r = MAX (pf->a->row_hi, pf->b->row_hi);
}

guint64
bench_low_rank_basis_apply_rows (const BenchLowRankBasis * b,
    const gfloat * radius, const gfloat * angle, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end)
{
  const guint h = b->h, ch = in->channels, w = in->width;
  g_autofree PixelFactors *pf = g_new (PixelFactors, (gsize) w
      * (y_end - y_begin));
  g_autofree gfloat *tmp = g_new0 (gfloat, (gsize) (w + 2 * h) * ch
      * (y_end - y_begin));
  guint64 taps = 0;
  guint k, x, y, i, c;

  /* Vertical passes need the parameters of the band rows only; horizontal
   * passes read vertical results of the same row. */
  for (y = y_begin; y < y_end; y++)
    for (x = 0; x < w; x++) {
      gsize p = (gsize) y * w + x;
      locate (b, radius[p], angle ? angle[p] : 0.0,
          pf + (gsize) (y - y_begin) * w + x);
    }
  for (y = y_begin; y < y_end; y++)
    memset (disk_image_pixel (out, 0, y), 0, sizeof (gfloat) * w * ch);

  for (k = 0; k < b->rank; k++) {
    /* Vertical pass into tmp, a row padded by h replicated pixels. */
    for (y = y_begin; y < y_end; y++) {
      gfloat *trow = tmp + (gsize) (y - y_begin) * (w + 2 * h) * ch;

      for (x = 0; x < w; x++) {
        const PixelFactors *f = pf + (gsize) (y - y_begin) * w + x;
        const gfloat *ca = f->a->col[k], *cb = f->b->col[k];
        const gfloat t = f->t;
        gfloat acc[4] = { 0, 0, 0, 0 };

        for (i = f->lo_c; i <= f->hi_c; i++) {
          const gfloat wv = (1.0f - t) * ca[i] + t * cb[i];
          gint sy = CLAMP ((gint) (y + h) - (gint) i, 0, (gint) in->height - 1);
          const gfloat *s = disk_image_pixel (in, x, sy);
          for (c = 0; c < ch; c++)
            acc[c] += wv * s[c];
        }
        taps += f->hi_c - f->lo_c + 1;
        for (c = 0; c < ch; c++)
          trow[(gsize) (x + h) * ch + c] = acc[c];
      }
      for (x = 0; x < h; x++)
        for (c = 0; c < ch; c++) {
          trow[(gsize) x * ch + c] = trow[(gsize) h * ch + c];
          trow[(gsize) (w + h + x) * ch + c] = trow[(gsize) (w + h - 1) * ch
              + c];
        }
    }
    /* Horizontal pass: out(x) += sum_kx row[kx] tmp(x - kx + h). */
    for (y = y_begin; y < y_end; y++) {
      const gfloat *trow = tmp + (gsize) (y - y_begin) * (w + 2 * h) * ch;
      gfloat *o = disk_image_pixel (out, 0, y);

      for (x = 0; x < w; x++) {
        const PixelFactors *f = pf + (gsize) (y - y_begin) * w + x;
        const gfloat *ra = f->a->row[k], *rb = f->b->row[k];
        const gfloat t = f->t;
        gfloat acc[4] = { 0, 0, 0, 0 };

        for (i = f->lo_r; i <= f->hi_r; i++) {
          const gfloat wh = (1.0f - t) * ra[i] + t * rb[i];
          const gfloat *s = trow + (gsize) (x + 2 * h - i) * ch;
          for (c = 0; c < ch; c++)
            acc[c] += wh * s[c];
        }
        taps += f->hi_r - f->lo_r + 1;
        for (c = 0; c < ch; c++)
          o[(gsize) x * ch + c] += acc[c];
      }
    }
  }
  return taps;
}
