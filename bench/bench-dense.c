/* Dense baselines (see bench-dense.h). Written to be fast enough to be a fair
 * baseline: the inner loops run over contiguous rows so the compiler can
 * vectorise them, and zero taps are skipped. */
#include "bench-dense.h"
#include "bench-util.h"

#include <fftw3.h>
#include <math.h>
#include <string.h>

guint
bench_kernel_taps (const DiskImage * kernel)
{
  guint x, y, n = 0;

  for (y = 0; y < kernel->height; y++)
    for (x = 0; x < kernel->width; x++)
      n += disk_image_pixel (kernel, x, y)[0] != 0.0f;
  return n;
}

void
bench_dense_rows (const DiskImage * kernel, const DiskImage * padded,
    guint pad, DiskImage * out, guint y_begin, guint y_end)
{
  const guint h = (kernel->width - 1) / 2;
  const guint ch = out->channels;
  const gsize n = (gsize) out->width * ch;
  guint y, kx, ky;
  gsize i;

  g_return_if_fail (pad >= h);
  for (y = y_begin; y < y_end; y++) {
    gfloat *o = disk_image_pixel (out, 0, y);

    memset (o, 0, sizeof (gfloat) * n);
    for (ky = 0; ky < kernel->height; ky++) {
      /* in(x - kx + h, y - ky + h) = padded(x - kx + h + pad, ...) */
      const gfloat *row = disk_image_pixel (padded, 0, y + h + pad - ky);
      const gfloat *k = disk_image_pixel (kernel, 0, ky);

      for (kx = 0; kx < kernel->width; kx++) {
        const gfloat w = k[kx];
        const gfloat *s = row + (gsize) (h + pad - kx) * ch;

        if (w == 0.0f)
          continue;
        for (i = 0; i < n; i++)
          o[i] += w * s[i];
      }
    }
  }
}

void
bench_dense (const DiskImage * kernel, const DiskImage * in, DiskImage * out)
{
  const guint h = (kernel->width - 1) / 2;
  g_autoptr (DiskImage) padded = bench_image_pad (in, h);

  bench_dense_rows (kernel, padded, h, out, 0, out->height);
}

/* ---------------------------------------------------------------------- */

struct _BenchFft
{
  guint width, height, h;       /* frame, kernel half size */
  guint nw, nh;                 /* transform size */
  gfloat *real;
  fftwf_complex *spectrum, *kernel;
  fftwf_plan forward, backward;
};

/* The padded frame (pad h, replicated) has size (W + 2h) x (H + 2h); a
 * circular convolution of at least that size leaves output pixel (x, y) at
 * (x + 2h, y + 2h) untouched by wrap-around (see bench-dense.h). */
BenchFft *
bench_fft_new (const DiskImage * kernel, guint width, guint height)
{
  BenchFft *f = g_new0 (BenchFft, 1);
  guint x, y;

  f->width = width;
  f->height = height;
  f->h = (kernel->width - 1) / 2;
  f->nw = bench_fft_size (width + 2 * f->h);
  f->nh = bench_fft_size (height + 2 * f->h);
  f->real = fftwf_alloc_real ((gsize) f->nw * f->nh);
  f->spectrum = fftwf_alloc_complex ((gsize) (f->nw / 2 + 1) * f->nh);
  f->kernel = fftwf_alloc_complex ((gsize) (f->nw / 2 + 1) * f->nh);
  /* FFTW_MEASURE overwrites the arrays while planning: plan first. */
  f->forward = fftwf_plan_dft_r2c_2d (f->nh, f->nw, f->real, f->spectrum,
      FFTW_MEASURE);
  f->backward = fftwf_plan_dft_c2r_2d (f->nh, f->nw, f->spectrum, f->real,
      FFTW_MEASURE);

  memset (f->real, 0, sizeof (gfloat) * f->nw * f->nh);
  for (y = 0; y < kernel->height; y++)
    for (x = 0; x < kernel->width; x++)
      f->real[(gsize) y * f->nw + x] = disk_image_pixel (kernel, x, y)[0];
  fftwf_execute_dft_r2c (f->forward, f->real, f->kernel);
  return f;
}

void
bench_fft_apply (BenchFft * f, const DiskImage * in, DiskImage * out)
{
  const guint ch = in->channels, h = f->h, nwc = f->nw / 2 + 1;
  const gfloat scale = 1.0f / ((gfloat) f->nw * f->nh);
  guint c, x, y;
  gsize i;

  g_return_if_fail (in->width == f->width && in->height == f->height);
  for (c = 0; c < ch; c++) {
    memset (f->real, 0, sizeof (gfloat) * f->nw * f->nh);
    for (y = 0; y < f->height + 2 * h; y++) {
      gint sy = CLAMP ((gint) y - (gint) h, 0, (gint) f->height - 1);
      const gfloat *src = disk_image_pixel (in, 0, sy);
      gfloat *dst = f->real + (gsize) y * f->nw;

      for (x = 0; x < f->width + 2 * h; x++) {
        gint sx = CLAMP ((gint) x - (gint) h, 0, (gint) f->width - 1);
        dst[x] = src[sx * ch + c];
      }
    }
    fftwf_execute_dft_r2c (f->forward, f->real, f->spectrum);
    for (i = 0; i < (gsize) nwc * f->nh; i++) {
      gfloat ar = f->spectrum[i][0], ai = f->spectrum[i][1];
      gfloat br = f->kernel[i][0], bi = f->kernel[i][1];
      f->spectrum[i][0] = (ar * br - ai * bi) * scale;
      f->spectrum[i][1] = (ar * bi + ai * br) * scale;
    }
    fftwf_execute_dft_c2r (f->backward, f->spectrum, f->real);
    for (y = 0; y < f->height; y++) {
      const gfloat *src = f->real + (gsize) (y + 2 * h) * f->nw + 2 * h;
      gfloat *dst = disk_image_pixel (out, 0, y);
      for (x = 0; x < f->width; x++)
        dst[x * ch + c] = src[x];
    }
  }
}

void
bench_fft_free (BenchFft * f)
{
  if (f == NULL)
    return;
  fftwf_destroy_plan (f->forward);
  fftwf_destroy_plan (f->backward);
  fftwf_free (f->real);
  fftwf_free (f->spectrum);
  fftwf_free (f->kernel);
  g_free (f);
}

/* ---------------------------------------------------------------------- */

/* The gather of one output pixel with kernel K (half size h) from `padded`
 * (padded by `pad` >= h). */
static inline void
gather (const DiskImage * kernel, const DiskImage * padded, guint pad,
    guint x, guint y, gfloat * o)
{
  const guint h = (kernel->width - 1) / 2, ch = padded->channels;
  gdouble acc[4] = { 0, 0, 0, 0 };
  guint kx, ky, c;

  for (ky = 0; ky < kernel->height; ky++) {
    const gfloat *k = disk_image_pixel (kernel, 0, ky);
    const gfloat *row = disk_image_pixel (padded, x + h + pad - (kernel->width
            - 1), y + h + pad - ky);

    /* row[(width - 1 - kx) * ch] is padded (x + h + pad - kx, .) */
    for (kx = 0; kx < kernel->width; kx++) {
      const gfloat w = k[kx];
      const gfloat *s;

      if (w == 0.0f)
        continue;
      s = row + (gsize) (kernel->width - 1 - kx) * ch;
      for (c = 0; c < ch; c++)
        acc[c] += w * s[c];
    }
  }
  for (c = 0; c < ch; c++)
    o[c] = (gfloat) acc[c];
}

#define CACHE_LIMIT_BYTES ((gsize) 1 << 30)

/* GLib 2.74's g_int64_hash keeps only the low 32 bits: mix both halves. */
static guint
key_hash (gconstpointer key)
{
  guint64 k = *(const guint64 *) key;

  k ^= k >> 33;
  k *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  k ^= k >> 33;
  return (guint) k;
}

guint
bench_dense_varying (const DiskTarget * target, const gfloat * radius,
    const gfloat * angle, gdouble radius_step, const guint8 * mask,
    const DiskImage * in, DiskImage * out)
{
  g_autoptr (GHashTable) cache = g_hash_table_new_full (key_hash,
      g_int64_equal, g_free, (GDestroyNotify) disk_image_free);
  g_autoptr (DiskTarget) rotated = disk_target_copy (target);
  g_autoptr (DiskImage) padded = NULL;
  gdouble max_radius = 0.0;
  gsize cached_bytes = 0;
  guint pad, x, y, rendered = 0;
  gsize p, n = (gsize) in->width * in->height;

  for (p = 0; p < n; p++)
    max_radius = MAX (max_radius, radius[p]);
  pad = disk_target_half_size (max_radius);
  padded = bench_image_pad (in, pad);
  disk_image_fill (out, 0.0f);

  for (y = 0; y < in->height; y++)
    for (x = 0; x < in->width; x++) {
      gint64 key;
      gfloat r, a;
      DiskImage *kernel;

      p = (gsize) y * in->width + x;
      if (mask && !mask[p])
        continue;
      r = radius[p];
      if (radius_step > 0.0)
        r = (gfloat) (radius_step * round (r / radius_step));
      a = angle ? angle[p] : 0.0f;
      if (r < 0.5f)
        a = 0.0f;               /* the identity at every angle */
      {
        guint32 rb, ab;
        memcpy (&rb, &r, 4);
        memcpy (&ab, &a, 4);
        key = ((gint64) rb << 32) | ab;
      }
      kernel = g_hash_table_lookup (cache, &key);
      if (kernel == NULL) {
        guint half = disk_target_half_size (r);

        rotated->rotation = target->rotation + a;
        kernel = disk_target_render (rotated, r, half);
        rendered++;
        if (cached_bytes > CACHE_LIMIT_BYTES) {
          g_hash_table_remove_all (cache);
          cached_bytes = 0;
        }
        cached_bytes += sizeof (gfloat) * kernel->width * kernel->height;
        g_hash_table_insert (cache, g_memdup2 (&key, sizeof key), kernel);
      }
      gather (kernel, padded, pad, x, y, disk_image_pixel (out, x, y));
    }
  return rendered;
}

/* ---------------------------------------------------------------------- */

struct _BenchDenseTable
{
  gdouble step;
  guint n;                      /* radii */
  guint n_angles;
  gdouble angle_period;
  guint pad;
  DiskImage **kernels;          /* [radius * n_angles + angle] */
  guint *taps;                  /* non-zero taps of each kernel */
};

BenchDenseTable *
bench_dense_table_new (const DiskTarget * target, gdouble max_radius,
    gdouble step, guint n_angles, gdouble angle_period)
{
  BenchDenseTable *t = g_new0 (BenchDenseTable, 1);
  g_autoptr (DiskTarget) rotated = disk_target_copy (target);
  guint i, a;

  t->step = step;
  t->n = (guint) ceil (max_radius / step) + 1;
  t->n_angles = MAX (n_angles, 1);
  t->angle_period = angle_period;
  t->pad = disk_target_half_size (max_radius + step);
  t->kernels = g_new0 (DiskImage *, (gsize) t->n * t->n_angles);
  t->taps = g_new0 (guint, (gsize) t->n * t->n_angles);
  for (i = 0; i < t->n; i++)
    for (a = 0; a < t->n_angles; a++) {
      gdouble r = i * step;
      guint k = i * t->n_angles + a;

      rotated->rotation = target->rotation + a * angle_period / t->n_angles;
      t->kernels[k] = disk_target_render (rotated, r,
          disk_target_half_size (r));
      t->taps[k] = bench_kernel_taps (t->kernels[k]);
    }
  return t;
}

void
bench_dense_table_free (BenchDenseTable * t)
{
  guint i;

  if (t == NULL)
    return;
  for (i = 0; i < t->n * t->n_angles; i++)
    disk_image_free (t->kernels[i]);
  g_free (t->kernels);
  g_free (t->taps);
  g_free (t);
}

guint
bench_dense_table_pad (const BenchDenseTable * t)
{
  return t->pad;
}

guint64
bench_dense_table_rows (const BenchDenseTable * t, const gfloat * radius,
    const gfloat * angle, const DiskImage * padded, DiskImage * out,
    guint y_begin, guint y_end)
{
  guint64 taps = 0;
  guint x, y;

  for (y = y_begin; y < y_end; y++)
    for (x = 0; x < out->width; x++) {
      const gsize p = (gsize) y * out->width + x;
      guint i = MIN ((guint) lround (MAX (radius[p], 0.0f) / t->step),
          t->n - 1);
      guint a = 0, k;

      if (angle && t->n_angles > 1) {
        gdouble m = fmod (angle[p], t->angle_period);
        if (m < 0.0)
          m += t->angle_period;
        a = (guint) lround (m / (t->angle_period / t->n_angles)) % t->n_angles;
      }
      k = i * t->n_angles + a;
      gather (t->kernels[k], padded, t->pad, x, y,
          disk_image_pixel (out, x, y));
      taps += t->taps[k];
    }
  return taps;
}
