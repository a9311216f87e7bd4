/* libFuzzer harness for the preset reader (src/disk-preset.c).
 *
 * Built and run by tests/fuzz/run-fuzz.sh, not by meson. For every input the
 * loader must either fail with an error naming the origin, or return a preset
 * that meets every documented rule and survives a write/read round trip
 * bit for bit. Anything else aborts, which libFuzzer reports as a crash. */
#include "disk-preset.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ORIGIN "fuzz.preset"

static void
check (gboolean condition, const gchar * what)
{
  if (!condition) {
    g_printerr ("fuzz-preset: invariant violated: %s\n", what);
    abort ();
  }
}

static void
check_preset (const DiskPreset * preset)
{
  const DiskBasis *basis = preset->basis;
  guint k, l, i;

  check (preset->name != NULL && preset->name[0] != '\0', "name");
  check (basis->n_entries >= 1, "entries");
  for (k = 0; k < basis->n_entries; k++) {
    const DiskComplex *e = basis->entries[k];
    const gdouble limit = 8.0 * basis->radii[k] + 8.0;

    check (isfinite (basis->radii[k]) && basis->radii[k] > 0.0, "radius");
    check (k == 0 || basis->radii[k] > basis->radii[k - 1], "radii order");
    check (disk_complex_same_structure (e, basis->entries[0]), "structure");
    check (e->n_layers >= 1 && e->n_layers <= DISK_MAX_LAYERS, "layers");
    check (preset->kernel_psnr[k] != -INFINITY, "kernel psnr");
    for (l = 0; l < e->n_layers; l++) {
      const DiskSample *s = disk_complex_layer (e, l);
      gdouble sum = 0.0;

      check (e->n_samples[l] >= 1
          && e->n_samples[l] <= DISK_MAX_SAMPLES_PER_LAYER, "samples");
      for (i = 0; i < e->n_samples[l]; i++) {
        check (isfinite (s[i].x) && isfinite (s[i].y) && isfinite (s[i].w),
            "finite sample");
        check (fabs (s[i].x) <= limit && fabs (s[i].y) <= limit, "offset");
        check (fabs (s[i].w) <= 64.0, "weight");
        sum += s[i].w;
      }
      check (fabs (sum - 1.0) <= 1e-3, "weight sum");
    }
  }
}

static void
check_same (const DiskPreset * a, const DiskPreset * b)
{
  guint k;

  check (g_strcmp0 (a->name, b->name) == 0, "round trip name");
  check (g_strcmp0 (a->description, b->description) == 0,
      "round trip description");
  check (g_strcmp0 (a->target, b->target) == 0, "round trip target");
  check (g_strcmp0 (a->command, b->command) == 0, "round trip command");
  check (a->seed == b->seed, "round trip seed");
  check (a->basis->n_entries == b->basis->n_entries, "round trip entries");
  for (k = 0; k < a->basis->n_entries; k++) {
    const DiskComplex *ea = a->basis->entries[k];
    const DiskComplex *eb = b->basis->entries[k];

    check (memcmp (&a->basis->radii[k], &b->basis->radii[k],
            sizeof (gdouble)) == 0, "round trip radius");
    check ((isnan (a->kernel_psnr[k]) && isnan (b->kernel_psnr[k]))
        || a->kernel_psnr[k] == b->kernel_psnr[k], "round trip psnr");
    check (disk_complex_same_structure (ea, eb), "round trip structure");
    check (memcmp (ea->samples, eb->samples,
            sizeof (DiskSample) * ea->total) == 0, "round trip samples");
  }
}

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t * data, size_t size);

/* A GLib warning or critical (a g_return_if_fail tripping in the core, a
 * GError set twice) is a bug too. abort () rather than GLib's own fatal
 * handling, which raises SIGTRAP: libFuzzer saves the input on SIGABRT. */
static GLogWriterOutput
abort_on_warning (GLogLevelFlags level, const GLogField * fields,
    gsize n_fields, gpointer user_data)
{
  g_log_writer_standard_streams (level, fields, n_fields, user_data);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
  return G_LOG_WRITER_HANDLED;
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void) argc;
  (void) argv;
  g_log_set_writer_func (abort_on_warning, NULL, NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t * data, size_t size)
{
  GError *error = NULL;
  DiskPreset *preset;

  preset = disk_preset_load_data ((const gchar *) data, size, ORIGIN, &error);
  if (preset == NULL) {
    check (error != NULL, "failure without an error");
    check (error->domain == DISK_PRESET_ERROR, "error domain");
    check (g_str_has_prefix (error->message, ORIGIN), "error names origin");
    check (g_utf8_validate (error->message, -1, NULL), "error is UTF-8");
    g_error_free (error);
  } else {
    DiskPreset *again;
    gchar *text;
    gsize length = 0;

    check (error == NULL, "success with an error");
    check_preset (preset);
    text = disk_preset_to_data (preset, &length);
    again = disk_preset_load_data (text, length, ORIGIN, &error);
    if (again == NULL)
      g_printerr ("fuzz-preset: written preset does not load: %s\n",
          error->message);
    check (again != NULL, "round trip load");
    check_same (preset, again);
    disk_preset_free (again);
    g_free (text);
    disk_preset_free (preset);
  }
  return 0;
}
