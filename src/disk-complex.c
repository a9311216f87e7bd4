/* DISK core: the sparse kernel complex (see disk-complex.h for conventions). */
#include "disk-complex.h"

#include <math.h>
#include <string.h>

DiskComplex *
disk_complex_new (guint n_layers, const guint * n_samples)
{
  DiskComplex *complex;
  guint l, total = 0;

  if (n_layers == 0 || n_layers > DISK_MAX_LAYERS)
    return NULL;
  for (l = 0; l < n_layers; l++)
    if (n_samples[l] == 0 || n_samples[l] > DISK_MAX_SAMPLES_PER_LAYER)
      return NULL;

  complex = g_new0 (DiskComplex, 1);
  complex->n_layers = n_layers;
  for (l = 0; l < n_layers; l++) {
    complex->n_samples[l] = n_samples[l];
    complex->first[l] = total;
    total += n_samples[l];
  }
  complex->total = total;
  complex->samples = g_new0 (DiskSample, total);
  return complex;
}

DiskComplex *
disk_complex_new_uniform (guint n_layers, guint samples_per_layer)
{
  guint n_samples[DISK_MAX_LAYERS];
  guint l;

  if (n_layers == 0 || n_layers > DISK_MAX_LAYERS)
    return NULL;
  for (l = 0; l < n_layers; l++)
    n_samples[l] = samples_per_layer;
  return disk_complex_new (n_layers, n_samples);
}

DiskComplex *
disk_complex_new_identity (guint n_layers, const guint * n_samples)
{
  DiskComplex *complex = disk_complex_new (n_layers, n_samples);
  guint l, i;

  if (complex == NULL)
    return NULL;
  for (l = 0; l < n_layers; l++) {
    DiskSample *s = disk_complex_layer (complex, l);
    for (i = 0; i < n_samples[l]; i++)
      s[i].w = 1.0f / n_samples[l];
  }
  return complex;
}

DiskComplex *
disk_complex_copy (const DiskComplex * complex)
{
  DiskComplex *copy = g_memdup2 (complex, sizeof (DiskComplex));

  copy->samples = g_memdup2 (complex->samples,
      sizeof (DiskSample) * complex->total);
  return copy;
}

void
disk_complex_free (DiskComplex * complex)
{
  if (complex == NULL)
    return;
  g_free (complex->samples);
  g_free (complex);
}

gboolean
disk_complex_same_structure (const DiskComplex * a, const DiskComplex * b)
{
  guint l;

  if (a->n_layers != b->n_layers)
    return FALSE;
  for (l = 0; l < a->n_layers; l++)
    if (a->n_samples[l] != b->n_samples[l])
      return FALSE;
  return TRUE;
}

void
disk_complex_scale (DiskComplex * complex, gfloat factor)
{
  guint i;

  for (i = 0; i < complex->total; i++) {
    complex->samples[i].x *= factor;
    complex->samples[i].y *= factor;
  }
}

void
disk_complex_scale_xy (DiskComplex * complex, gfloat scale_x, gfloat scale_y)
{
  guint i;

  for (i = 0; i < complex->total; i++) {
    complex->samples[i].x *= scale_x;
    complex->samples[i].y *= scale_y;
  }
}

void
disk_complex_rotate (DiskComplex * complex, gdouble degrees)
{
  gdouble t = degrees * G_PI / 180.0;
  gdouble c = cos (t), s = sin (t);
  guint i;

  if (degrees == 0.0)
    return;
  for (i = 0; i < complex->total; i++) {
    gdouble x = complex->samples[i].x, y = complex->samples[i].y;
    complex->samples[i].x = (gfloat) (x * c - y * s);
    complex->samples[i].y = (gfloat) (x * s + y * c);
  }
}

void
disk_complex_normalise_weights (DiskComplex * complex)
{
  guint l, i;

  for (l = 0; l < complex->n_layers; l++) {
    DiskSample *s = disk_complex_layer (complex, l);
    guint n = complex->n_samples[l];
    gdouble sum = 0.0, shift;

    for (i = 0; i < n; i++)
      sum += s[i].w;
    shift = (1.0 - sum) / n;
    for (i = 0; i < n; i++)
      s[i].w = (gfloat) (s[i].w + shift);
  }
}

gdouble
disk_complex_reach (const DiskComplex * complex)
{
  gdouble reach = 0.0;
  guint l, i;

  for (l = 0; l < complex->n_layers; l++) {
    const DiskSample *s = disk_complex_layer (complex, l);
    gdouble largest = 0.0;

    for (i = 0; i < complex->n_samples[l]; i++)
      largest = MAX (largest, hypot (s[i].x, s[i].y));
    reach += largest;
  }
  return reach;
}

gchar *
disk_complex_describe_structure (const DiskComplex * complex)
{
  GString *text = g_string_new (NULL);
  guint l = 0;

  while (l < complex->n_layers) {
    guint run = 1;

    while (l + run < complex->n_layers
        && complex->n_samples[l + run] == complex->n_samples[l])
      run++;
    if (text->len > 0)
      g_string_append_c (text, '+');
    if (run > 1)
      g_string_append_printf (text, "%ux%u", complex->n_samples[l], run);
    else
      g_string_append_printf (text, "%u", complex->n_samples[l]);
    l += run;
  }
  return g_string_free (text, FALSE);
}
