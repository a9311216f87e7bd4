/* disk-preset-report: measures presets and writes their quality table.
 *
 *   disk-preset-report [--photo PHOTO] [--sheets DIR] [-o README.md] FILE...
 *
 * For every preset file: the kernel PSNR at each basis radius and at the
 * midpoint to the next radius (the interpolated complex against the true
 * target there: what a user gets for radius=13.7), and, for radii >= 8 px when
 * a photo is given, the image PSNR of the photo filtered with the preset
 * against dense convolution with the true target. Definitions in
 * src/disk-quality.h. With --sheets, one contact sheet per preset
 * (target | fitted | error at a few radii). The markdown is written atomically.
 */
#include "disk-image-io.h"
#include "disk-plot.h"
#include "disk-preset.h"
#include "disk-quality.h"
#include "disk-target.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define PROGRAM "disk-preset-report"
/* Image PSNR is reported from this radius up (the quality gate). */
#define IMAGE_PSNR_MIN_RADIUS 8.0
/* Radii shown on a contact sheet, when the basis covers them. */
static const gdouble sheet_radii[] = { 2, 4, 8, 16, 32, 64 };

static gchar *
format_db (gdouble db)
{
  if (isnan (db))
    return g_strdup ("-");
  if (isinf (db))
    return g_strdup ("exact");
  return g_strdup_printf ("%.1f", db);
}

/* Worst values over a preset, for the summary table. */
typedef struct
{
  gdouble worst_basis;          /* kernel PSNR, every basis radius */
  gdouble worst_mid;            /* kernel PSNR, every midpoint */
  gdouble worst_mid_loss;       /* largest basis - midpoint drop, radius >= 8 */
  gdouble worst_pair_loss;      /* the same against the worse of the two
                                 * entries around the midpoint */
  gdouble worst_image;          /* image PSNR, radius >= 8 */
} Summary;

/* Writes "[name] basis=...; midpoint=..." floors: each measured kernel PSNR
 * less `margin` dB, rounded down to 0.1 dB (tests/test-presets.c reads them). */
static void
add_floors (GKeyFile * floors, const gchar * name, const gdouble * at,
    const gdouble * mid, guint n, gdouble margin)
{
  g_autofree gdouble *a = g_new (gdouble, n);
  g_autofree gdouble *b = g_new (gdouble, MAX (n - 1, 1));
  guint k;

  for (k = 0; k < n; k++) {
    /* An exact fit (inf) still gets a finite floor. */
    a[k] = floor (10.0 * (MIN (at[k], 200.0) - margin)) / 10.0;
    if (k + 1 < n)
      b[k] = floor (10.0 * (MIN (mid[k], 200.0) - margin)) / 10.0;
  }
  g_key_file_set_double_list (floors, name, "basis", a, n);
  if (n > 1)
    g_key_file_set_double_list (floors, name, "midpoint", b, n - 1);
}

static gboolean
report_preset (const gchar * path, const DiskImage * photo,
    const gchar * sheets, GKeyFile * floors, gdouble margin, GString * md,
    GString * summary_md, GError ** error)
{
  g_autoptr (DiskPreset) preset = disk_preset_load_file (path, error);
  g_autoptr (DiskTarget) target = NULL;
  g_autofree gchar *structure = NULL;
  g_autofree gchar *base = g_path_get_basename (path);
  const DiskBasis *basis;
  Summary s = { INFINITY, INFINITY, -INFINITY, -INFINITY, INFINITY };
  g_autofree gdouble *measured = NULL;
  g_autofree gdouble *measured_mid = NULL;
  guint k;

  if (preset == NULL)
    return FALSE;
  if (preset->target == NULL) {
    g_set_error (error, DISK_PRESET_ERROR, DISK_PRESET_ERROR_MISSING,
        "%s: [preset] target: no target recorded, nothing to measure against",
        path);
    return FALSE;
  }
  target = disk_target_parse (preset->target, error);
  if (target == NULL) {
    g_prefix_error (error, "%s: [preset] target: ", path);
    return FALSE;
  }
  basis = preset->basis;
  structure = disk_complex_describe_structure (basis->entries[0]);
  measured = g_new (gdouble, basis->n_entries);
  measured_mid = g_new (gdouble, basis->n_entries);

  g_string_append_printf (md, "\n## %s\n\n%s\n\n- file: `%s`, target `%s`, "
      "structure %s, %u basis radii from %g to %g px\n- made by: `%s` "
      "(seed %" G_GUINT64_FORMAT ")\n", preset->name,
      preset->description ? preset->description : "", base, preset->target,
      structure, basis->n_entries, basis->radii[0],
      basis->radii[basis->n_entries - 1],
      preset->command ? preset->command : "(not recorded)", preset->seed);
  if (sheets != NULL)
    g_string_append_printf (md, "- contact sheet: [%s.png](sheets/%s.png)\n",
        preset->name, preset->name);
  g_string_append (md, "\n| radius px | kernel PSNR dB | midpoint px | "
      "midpoint kernel PSNR dB | midpoint - basis dB | image PSNR dB | "
      "midpoint image PSNR dB |\n|---|---|---|---|---|---|---|\n");

  for (k = 0; k < basis->n_entries; k++) {
    const gdouble r = basis->radii[k];
    const gboolean has_mid = k + 1 < basis->n_entries;
    const gdouble mid = has_mid ? 0.5 * (r + basis->radii[k + 1]) : NAN;
    gdouble at = disk_basis_kernel_psnr (basis, target, r);
    gdouble at_mid = has_mid ? disk_basis_kernel_psnr (basis, target, mid) :
        NAN;
    gdouble img = NAN, img_mid = NAN;
    g_autofree gchar *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
    g_autofree gchar *mid_text = NULL;

    if (photo != NULL && r >= IMAGE_PSNR_MIN_RADIUS) {
      img = disk_basis_image_psnr (basis, target, r, photo);
      s.worst_image = MIN (s.worst_image, img);
      if (has_mid) {
        img_mid = disk_basis_image_psnr (basis, target, mid, photo);
        s.worst_image = MIN (s.worst_image, img_mid);
      }
    }
    measured[k] = at;
    measured_mid[k] = at_mid;
    s.worst_basis = MIN (s.worst_basis, at);
    if (has_mid) {
      s.worst_mid = MIN (s.worst_mid, at_mid);
      if (r >= IMAGE_PSNR_MIN_RADIUS && isfinite (at))
        s.worst_mid_loss = MAX (s.worst_mid_loss, at - at_mid);
    }
    a = format_db (at);
    b = format_db (at_mid);
    c = has_mid && isfinite (at) ? g_strdup_printf ("%+.1f", at_mid - at) :
        g_strdup ("-");
    d = format_db (img);
    e = format_db (img_mid);
    mid_text = has_mid ? g_strdup_printf ("%g", mid) : g_strdup ("-");
    g_string_append_printf (md, "| %g | %s | %s | %s | %s | %s | %s |\n", r, a,
        mid_text, b, c, d, e);
  }

  /* A midpoint against the worse of its two entries: what interpolation
   * costs beyond the entries' own fits (a line's whole-pixel lengths fit
   * near-exactly and its fractional ones typically, docs/FITTING.md) */
  for (k = 0; k + 1 < basis->n_entries; k++)
    if (basis->radii[k] >= IMAGE_PSNR_MIN_RADIUS && isfinite (measured[k])
        && isfinite (measured[k + 1]))
      s.worst_pair_loss = MAX (s.worst_pair_loss,
          MIN (measured[k], measured[k + 1]) - measured_mid[k]);

  {
    g_autofree gchar *a = format_db (s.worst_basis);
    g_autofree gchar *b = format_db (s.worst_mid);
    g_autofree gchar *c = isfinite (s.worst_mid_loss) ?
        g_strdup_printf ("%.2f", s.worst_mid_loss) : g_strdup ("-");
    g_autofree gchar *c2 = isfinite (s.worst_pair_loss) ?
        g_strdup_printf ("%.2f", s.worst_pair_loss) : g_strdup ("-");
    g_autofree gchar *d = format_db (s.worst_image);

    g_string_append_printf (summary_md, "| %s | `%s` | %s | %g-%g | %s | %s | "
        "%s | %s | %s |\n", preset->name, preset->target, structure,
        basis->radii[0], basis->radii[basis->n_entries - 1], a, b, c, c2, d);
  }

  if (floors != NULL)
    add_floors (floors, preset->name, measured, measured_mid,
        basis->n_entries, margin);

  if (sheets != NULL) {
    g_autofree gchar *sheet = g_strdup_printf ("%s/%s.png", sheets,
        preset->name);
    g_autoptr (GString) notes = g_string_new (NULL);
    gdouble radii[G_N_ELEMENTS (sheet_radii)];
    guint n = 0, i;

    for (i = 0; i < G_N_ELEMENTS (sheet_radii); i++)
      if (sheet_radii[i] >= basis->radii[0]
          && sheet_radii[i] <= basis->radii[basis->n_entries - 1])
        radii[n++] = sheet_radii[i];
    if (n > 0 && !disk_plot_write (preset, target, radii, n, sheet, notes,
            error))
      return FALSE;
    g_string_append_printf (md, "\nContact sheet rows (radius px: error "
        "amplification):\n\n```\n%s```\n", notes->str);
  }
  return TRUE;
}

/* Box-averages `factor` x `factor` blocks: a smaller photo for the dense
 * reference, whose cost grows with the kernel area. */
static DiskImage *
downscale (const DiskImage * in, guint factor)
{
  DiskImage *out = disk_image_new (MAX (1, in->width / factor),
      MAX (1, in->height / factor), in->channels);
  guint x, y, i, j, c;

  for (y = 0; y < out->height; y++)
    for (x = 0; x < out->width; x++)
      for (c = 0; c < in->channels; c++) {
        gdouble sum = 0.0;
        for (j = 0; j < factor; j++)
          for (i = 0; i < factor; i++)
            sum += disk_image_pixel (in, MIN (x * factor + i, in->width - 1),
                MIN (y * factor + j, in->height - 1))[c];
        disk_image_pixel (out, x, y)[c] = (gfloat) (sum / (factor * factor));
      }
  return out;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *photo_path = NULL;
  g_autofree gchar *sheets = NULL;
  g_autofree gchar *output = NULL;
  g_auto (GStrv) files = NULL;
  gint photo_downscale = 1;
  g_autofree gchar *floors_path = NULL;
  gdouble floor_margin = 1.0;
  g_autoptr (GKeyFile) floors = NULL;
  GOptionEntry entries[] = {
    {"floors", 0, 0, G_OPTION_ARG_FILENAME, &floors_path,
        "Also write kernel-PSNR floors (measured less the margin) to FILE",
        "FILE"},
    {"floor-margin", 0, 0, G_OPTION_ARG_DOUBLE, &floor_margin,
        "Margin under the measured kernel PSNR for --floors, dB (default 1)",
        "DB"},
    {"photo-downscale", 0, 0, G_OPTION_ARG_INT, &photo_downscale,
        "Box-average the photo by this whole factor first (default 1)", "N"},
    {"photo", 'p', 0, G_OPTION_ARG_FILENAME, &photo_path,
        "Photo for the image PSNR column (any image file)", "PHOTO"},
    {"sheets", 's', 0, G_OPTION_ARG_FILENAME, &sheets,
        "Write one contact sheet per preset into DIR", "DIR"},
    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
        "Write the markdown report to FILE (default: standard output)",
        "FILE"},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL,
        "PRESET..."},
    {NULL}
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("PRESET...");
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskImage) photo = NULL;
  g_autoptr (GString) md = g_string_new (NULL);
  g_autoptr (GString) summary = g_string_new (NULL);
  guint i;

  g_option_context_set_summary (context, "Measures DISK presets: kernel PSNR "
      "at every basis radius and midpoint, image PSNR against dense "
      "convolution, contact sheets.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error)) {
    g_printerr ("%s: %s\n", PROGRAM, error->message);
    return 2;
  }
  if (files == NULL || files[0] == NULL) {
    g_printerr ("%s: give at least one preset file\n", PROGRAM);
    return 2;
  }
  if (photo_path != NULL) {
    g_autoptr (DiskImage) loaded = disk_image_load (photo_path, &error);
    if (loaded == NULL) {
      g_printerr ("%s: --photo: %s\n", PROGRAM, error->message);
      return 1;
    }
    if (photo_downscale < 1 || photo_downscale > 64) {
      g_printerr ("%s: --photo-downscale: %d is not from 1 to 64\n", PROGRAM,
          photo_downscale);
      return 2;
    }
    photo = disk_image_to_rgb (loaded);
    if (photo_downscale > 1) {
      DiskImage *small = downscale (photo, photo_downscale);
      disk_image_free (photo);
      photo = small;
    }
  }
  if (sheets != NULL && g_mkdir_with_parents (sheets, 0755) != 0) {
    g_printerr ("%s: --sheets: cannot create %s\n", PROGRAM, sheets);
    return 1;
  }

  if (floors_path != NULL) {
    floors = g_key_file_new ();
    g_key_file_set_comment (floors, NULL, NULL, " Kernel PSNR floors (dB) of "
        "the shipped presets, at every basis radius and every midpoint, for "
        "tests/test-presets.c.\n Written by presets/report.sh "
        "(disk-preset-report --floors): the measured values less a margin. "
        "Regenerate\n only on purpose, when a change of the fitting is meant "
        "to move them.", NULL);
  }

  for (i = 0; files[i] != NULL; i++) {
    g_printerr ("%s: measuring %s\n", PROGRAM, files[i]);
    if (!report_preset (files[i], photo, sheets, floors, floor_margin, md,
            summary, &error)) {
      g_printerr ("%s: %s\n", PROGRAM, error->message);
      return 1;
    }
  }

  {
    g_autoptr (GString) all = g_string_new (NULL);

    g_string_append (all, "# Built-in presets and their measured quality\n\n"
        "Generated by `sh presets/report.sh` (tools/disk-preset-report.c) from "
        "the preset files in this folder; do not edit by hand. Regenerate the "
        "presets with `sh presets/generate.sh`.\n\n"
        "Kernel PSNR: the basis interpolated at that radius against the true "
        "target there, on the fitting canvas; *midpoint* is halfway to the next "
        "basis radius, which is what interpolation delivers between entries. "
        "Image PSNR (radii >= 8 px): ");
    if (photo_path != NULL) {
      g_autofree gchar *photo_base = g_path_get_basename (photo_path);
      g_string_append_printf (all, "`%s` (%ux%u) filtered with the preset "
          "against dense convolution with the true target. ", photo_base,
          photo->width, photo->height);
    } else {
      g_string_append (all, "not measured in this run. ");
    }
    g_string_append (all, "Definitions: src/disk-quality.h.\n\n"
        "| preset | target | structure | radii px | worst kernel PSNR dB | "
        "worst midpoint kernel PSNR dB | largest midpoint loss dB (r >= 8) | "
        "largest loss against the worse neighbouring entry dB (r >= 8) | "
        "worst image PSNR dB (r >= 8) |\n|---|---|---|---|---|---|---|---|---|\n");
    g_string_append (all, summary->str);
    g_string_append (all, md->str);

    if (floors != NULL && !g_key_file_save_to_file (floors, floors_path,
            &error)) {
      g_printerr ("%s: --floors: %s\n", PROGRAM, error->message);
      return 1;
    }
    if (output == NULL) {
      fputs (all->str, stdout);
    } else if (!g_file_set_contents (output, all->str, all->len, &error)) {
      g_printerr ("%s: %s\n", PROGRAM, error->message);
      return 1;
    }
  }
  return 0;
}
