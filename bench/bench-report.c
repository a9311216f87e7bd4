/* Benchmark results (see bench-report.h). */
#include "bench-report.h"

#include <math.h>
#include <string.h>

BenchResult *
bench_result_new (const gchar * section, const gchar * kernel,
    const gchar * method, const gchar * config)
{
  BenchResult *r = g_new0 (BenchResult, 1);

  r->section = g_strdup (section);
  r->kernel = g_strdup (kernel);
  r->method = g_strdup (method);
  r->config = g_strdup (config);
  r->samples = r->kernel_psnr = r->image_psnr = NAN;
  r->ms = r->speedup = r->fit_s = r->steps = NAN;
  r->ms_2t = r->ms_ref = NAN;
  return r;
}

void
bench_result_free (BenchResult * r)
{
  if (r == NULL)
    return;
  g_free (r->section);
  g_free (r->kernel);
  g_free (r->method);
  g_free (r->config);
  g_free (r->note);
  g_free (r);
}

gchar *
bench_fmt (gdouble v, guint decimals)
{
  if (isnan (v))
    return g_strdup ("-");
  if (isinf (v))
    return g_strdup (v > 0 ? "inf" : "-inf");
  return g_strdup_printf ("%.*f", decimals, v);
}

static void
csv_field (GString * s, const gchar * text)
{
  const gchar *p;

  g_string_append_c (s, '"');
  for (p = text ? text : ""; *p; p++) {
    if (*p == '"')
      g_string_append_c (s, '"');
    g_string_append_c (s, *p);
  }
  g_string_append_c (s, '"');
}

static void
csv_number (GString * s, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (s, ',');
  if (!isnan (v))
    g_string_append (s, g_ascii_dtostr (buf, sizeof buf, v));
}

gchar *
bench_results_csv (GPtrArray * results)
{
  GString *s = g_string_new ("section,case,method,config,samples,"
      "kernel_psnr,image_psnr,ms,speedup,fit_s,steps,ms_2threads,"
      "ms_reference,note\n");
  guint i;

  for (i = 0; i < results->len; i++) {
    const BenchResult *r = g_ptr_array_index (results, i);

    csv_field (s, r->section);
    g_string_append_c (s, ',');
    csv_field (s, r->kernel);
    g_string_append_c (s, ',');
    csv_field (s, r->method);
    g_string_append_c (s, ',');
    csv_field (s, r->config);
    csv_number (s, r->samples);
    csv_number (s, r->kernel_psnr);
    csv_number (s, r->image_psnr);
    csv_number (s, r->ms);
    csv_number (s, r->speedup);
    csv_number (s, r->fit_s);
    csv_number (s, r->steps);
    csv_number (s, r->ms_2t);
    csv_number (s, r->ms_ref);
    g_string_append_c (s, ',');
    csv_field (s, r->note);
    g_string_append_c (s, '\n');
  }
  return g_string_free (s, FALSE);
}

DiskImage *
bench_grid (DiskImage ** cells, guint rows, guint cols)
{
  const guint gutter = 2;
  guint cw = 0, chh = 0, r, c, x, y, k;
  DiskImage *grid;

  for (k = 0; k < rows * cols; k++)
    if (cells[k]) {
      cw = MAX (cw, cells[k]->width);
      chh = MAX (chh, cells[k]->height);
    }
  grid = disk_image_new (cols * (cw + gutter) + gutter,
      rows * (chh + gutter) + gutter, 3);
  disk_image_fill (grid, 1.0f);
  for (r = 0; r < rows; r++)
    for (c = 0; c < cols; c++) {
      const DiskImage *cell = cells[r * cols + c];
      guint ox = gutter + c * (cw + gutter), oy = gutter + r * (chh + gutter);

      for (y = 0; y < chh; y++)
        for (x = 0; x < cw; x++) {
          gfloat *o = disk_image_pixel (grid, ox + x, oy + y);
          if (cell && x < cell->width && y < cell->height) {
            const gfloat *p = disk_image_pixel (cell, x, y);
            for (k = 0; k < 3; k++)
              o[k] = p[cell->channels == 1 ? 0 : k];
          } else {
            o[0] = o[1] = o[2] = 0.0f;
          }
        }
    }
  return grid;
}
