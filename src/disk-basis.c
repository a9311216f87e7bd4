/* DISK core: basis of complexes over radius and kernel-space interpolation.
 * The formulas are in disk-basis.h. */
#include "disk-basis.h"

#include <gio/gio.h>
#include <math.h>

DiskBasis *
disk_basis_new (guint n_entries, const gdouble * radii,
    DiskComplex * const *entries, GError ** error)
{
  DiskBasis *basis;
  guint k;

  if (n_entries == 0) {
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
        "a basis needs at least one entry");
    return NULL;
  }
  for (k = 0; k < n_entries; k++) {
    if (!isfinite (radii[k]) || radii[k] <= 0.0) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "basis radius %u (%g) is not a positive number", k, radii[k]);
      return NULL;
    }
    if (k > 0 && !(radii[k] > radii[k - 1])) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "basis radii must increase strictly: radius %u (%g) follows %g",
          k, radii[k], radii[k - 1]);
      return NULL;
    }
    if (!disk_complex_same_structure (entries[0], entries[k])) {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
          "basis entry %u does not have the structure of entry 0", k);
      return NULL;
    }
  }

  basis = g_new0 (DiskBasis, 1);
  basis->n_entries = n_entries;
  basis->radii = g_memdup2 (radii, sizeof (gdouble) * n_entries);
  basis->entries = g_new0 (DiskComplex *, n_entries);
  for (k = 0; k < n_entries; k++)
    basis->entries[k] = disk_complex_copy (entries[k]);
  return basis;
}

DiskBasis *
disk_basis_copy (const DiskBasis * basis)
{
  return disk_basis_new (basis->n_entries, basis->radii, basis->entries, NULL);
}

void
disk_basis_free (DiskBasis * basis)
{
  guint k;

  if (basis == NULL)
    return;
  for (k = 0; k < basis->n_entries; k++)
    disk_complex_free (basis->entries[k]);
  g_free (basis->entries);
  g_free (basis->radii);
  g_free (basis);
}

DiskComplex *
disk_basis_new_complex (const DiskBasis * basis)
{
  return disk_complex_copy (basis->entries[0]);
}

/* Finds the two entries around `radius` and their blend (see disk-basis.h). */
static void
locate (const DiskBasis * basis, gdouble radius, guint * ka, guint * kb,
    gdouble * t, gdouble * scale_a, gdouble * scale_b)
{
  const guint last = basis->n_entries - 1;
  guint k;

  if (radius <= basis->radii[0] || radius >= basis->radii[last]) {
    k = radius <= basis->radii[0] ? 0 : last;
    *ka = *kb = k;
    *t = 0.0;
    *scale_a = *scale_b = radius / basis->radii[k];
    return;
  }
  k = 0;
  while (basis->radii[k + 1] < radius)
    k++;
  *ka = k;
  *kb = k + 1;
  *t = (radius - basis->radii[k]) / (basis->radii[k + 1] - basis->radii[k]);
  *scale_a = radius / basis->radii[k];
  *scale_b = radius / basis->radii[k + 1];
}

static void
blend (const DiskSample * a, const DiskSample * b, guint n, gdouble t,
    gdouble scale_a, gdouble scale_b, gdouble degrees, DiskSample * out)
{
  gdouble c = 1.0, s = 0.0;
  guint i;

  if (degrees != 0.0) {
    c = cos (degrees * G_PI / 180.0);
    s = sin (degrees * G_PI / 180.0);
  }
  for (i = 0; i < n; i++) {
    gdouble x = (1.0 - t) * scale_a * a[i].x + t * scale_b * b[i].x;
    gdouble y = (1.0 - t) * scale_a * a[i].y + t * scale_b * b[i].y;

    out[i].x = (gfloat) (x * c - y * s);
    out[i].y = (gfloat) (x * s + y * c);
    out[i].w = (gfloat) ((1.0 - t) * a[i].w + t * b[i].w);
  }
}

void
disk_basis_interpolate_layer (const DiskBasis * basis, gdouble radius,
    gdouble degrees, guint layer, DiskSample * out)
{
  const DiskComplex *first = basis->entries[0];
  gdouble t, scale_a, scale_b;
  guint ka, kb;

  g_return_if_fail (layer < first->n_layers);

  locate (basis, MAX (radius, 0.0), &ka, &kb, &t, &scale_a, &scale_b);
  blend (disk_complex_layer (basis->entries[ka], layer),
      disk_complex_layer (basis->entries[kb], layer), first->n_samples[layer],
      t, scale_a, scale_b, degrees, out);
}

void
disk_basis_interpolate (const DiskBasis * basis, gdouble radius,
    gdouble degrees, DiskComplex * out)
{
  gdouble t, scale_a, scale_b;
  guint ka, kb;

  g_return_if_fail (disk_complex_same_structure (basis->entries[0], out));

  locate (basis, MAX (radius, 0.0), &ka, &kb, &t, &scale_a, &scale_b);
  blend (basis->entries[ka]->samples, basis->entries[kb]->samples, out->total,
      t, scale_a, scale_b, degrees, out->samples);
}
