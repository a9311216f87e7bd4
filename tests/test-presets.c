/* Tests of the shipped preset library (every .preset file in presets/).
 *
 * Every preset must be listed in tests/preset-floors.ini with a kernel PSNR
 * floor at each basis radius and each midpoint; a regeneration that makes any
 * of them worse fails here. The kernel PSNR is measured afresh from the file
 * (interpolated complex against the target rendered at that radius), not read
 * from what the file claims. */
#include "disk-preset.h"
#include "disk-quality.h"
#include "disk-target.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

/* The library as the issue asks for it. */
#define LIBRARY_MAX_BYTES (1024 * 1024)
#define MIN_TOP_RADIUS 64.0

static const gchar *const expected_looks[] = {
  "bokeh", "hexagon", "octagon", "ring", "star", "heart", "gaussian",
  "motion", "anamorphic",
};

static gchar *
presets_dir (void)
{
  const gchar *dir = g_getenv ("DISK_PRESETS_DIR");

  g_assert_nonnull (dir);
  return g_strdup (dir);
}

static GKeyFile *
load_floors (void)
{
  const gchar *path = g_getenv ("DISK_PRESET_FLOORS");
  GKeyFile *floors = g_key_file_new ();
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (path);
  g_key_file_load_from_file (floors, path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  return floors;
}

static DiskPreset *
load_preset (const gchar * name)
{
  g_autofree gchar *dir = presets_dir ();
  g_autofree gchar *file = g_strdup_printf ("%s.preset", name);
  g_autofree gchar *path = g_build_filename (dir, file, NULL);
  g_autoptr (GError) error = NULL;
  DiskPreset *preset = disk_preset_load_file (path, &error);

  g_assert_no_error (error);
  return preset;
}

/* The library holds every look in both variants, with floors for each, and
 * nothing without floors. */
static void
test_library_complete (void)
{
  g_autofree gchar *dir = presets_dir ();
  g_autoptr (GKeyFile) floors = load_floors ();
  g_autoptr (GDir) listing = g_dir_open (dir, 0, NULL);
  const gchar *entry;
  gsize total = 0;
  guint i, n_files = 0;

  g_assert_nonnull (listing);
  while ((entry = g_dir_read_name (listing)) != NULL) {
    g_autofree gchar *path = g_build_filename (dir, entry, NULL);
    g_autofree gchar *name = NULL;
    GStatBuf st;

    if (!g_str_has_suffix (entry, ".preset"))
      continue;
    n_files++;
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    total += st.st_size;
    name = g_strndup (entry, strlen (entry) - strlen (".preset"));
    if (!g_key_file_has_group (floors, name))
      g_error ("%s has no floors in tests/preset-floors.ini", entry);
  }
  g_assert_cmpuint (total, <, LIBRARY_MAX_BYTES);

  for (i = 0; i < G_N_ELEMENTS (expected_looks); i++) {
    g_autofree gchar *fast = g_strdup_printf ("%s-fast", expected_looks[i]);
    g_autoptr (DiskPreset) a = load_preset (expected_looks[i]);
    g_autoptr (DiskPreset) b = load_preset (fast);
    g_autofree gchar *sa = disk_complex_describe_structure (a->basis->entries
        [0]);
    g_autofree gchar *sb = disk_complex_describe_structure (b->basis->entries
        [0]);

    g_assert_cmpstr (sa, ==, "24x4");
    g_assert_cmpstr (sb, ==, "12x4");
    g_assert_cmpfloat (a->basis->radii[0], <=, 1.0);
    g_assert_cmpfloat (a->basis->radii[a->basis->n_entries - 1], >=,
        MIN_TOP_RADIUS);
    g_assert_cmpfloat (b->basis->radii[b->basis->n_entries - 1], >=,
        MIN_TOP_RADIUS);
  }
  g_assert_cmpuint (n_files, ==, 2 * G_N_ELEMENTS (expected_looks));
}

/* Each file says how it was made: a disk-fit command naming its own seed. */
static void
test_reproducible_record (gconstpointer data)
{
  const gchar *name = data;
  g_autoptr (DiskPreset) preset = load_preset (name);
  g_autofree gchar *seed = NULL;
  g_autofree gchar *output = g_strdup_printf ("-o '%s.preset'", name);
  g_autofree gchar *output_plain = g_strdup_printf ("-o %s.preset", name);

  g_assert_cmpstr (preset->name, ==, name);
  g_assert_nonnull (preset->command);
  g_assert_true (g_str_has_prefix (preset->command, "disk-fit "));
  seed = g_strdup_printf ("--seed %" G_GUINT64_FORMAT, preset->seed);
  g_assert_nonnull (strstr (preset->command, seed));
  g_assert_true (strstr (preset->command, output) != NULL
      || strstr (preset->command, output_plain) != NULL);
  g_assert_nonnull (preset->target);
}

static void
test_floors (gconstpointer data)
{
  const gchar *name = data;
  g_autoptr (GKeyFile) floors = load_floors ();
  g_autoptr (DiskPreset) preset = load_preset (name);
  g_autoptr (DiskTarget) target = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gdouble *basis_floor = NULL;
  g_autofree gdouble *mid_floor = NULL;
  const DiskBasis *basis = preset->basis;
  gsize n_basis = 0, n_mid = 0;
  guint k;

  target = disk_target_parse (preset->target, &error);
  g_assert_no_error (error);
  basis_floor = g_key_file_get_double_list (floors, name, "basis", &n_basis,
      &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_basis, ==, basis->n_entries);
  if (basis->n_entries > 1) {
    mid_floor = g_key_file_get_double_list (floors, name, "midpoint", &n_mid,
        &error);
    g_assert_no_error (error);
    g_assert_cmpuint (n_mid, ==, basis->n_entries - 1);
  }

  for (k = 0; k < basis->n_entries; k++) {
    const gdouble r = basis->radii[k];
    gdouble at = disk_basis_kernel_psnr (basis, target, r);

    if (!(at >= basis_floor[k]))
      g_error ("%s: kernel PSNR %.2f dB at radius %g px is under its floor "
          "%.1f dB", name, at, r, basis_floor[k]);
    if (k + 1 < basis->n_entries) {
      const gdouble mid = 0.5 * (r + basis->radii[k + 1]);
      gdouble at_mid = disk_basis_kernel_psnr (basis, target, mid);

      if (!(at_mid >= mid_floor[k]))
        g_error ("%s: kernel PSNR %.2f dB at midpoint %g px is under its "
            "floor %.1f dB", name, at_mid, mid, mid_floor[k]);
    }
  }
}

int
main (int argc, char **argv)
{
  guint i;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/presets/library-complete", test_library_complete);
  for (i = 0; i < G_N_ELEMENTS (expected_looks); i++) {
    gchar *fast = g_strdup_printf ("%s-fast", expected_looks[i]);
    gchar *path;

    path = g_strdup_printf ("/presets/%s/record", expected_looks[i]);
    g_test_add_data_func (path, expected_looks[i], test_reproducible_record);
    g_free (path);
    path = g_strdup_printf ("/presets/%s/record", fast);
    g_test_add_data_func_full (path, g_strdup (fast),
        test_reproducible_record, g_free);
    g_free (path);
    path = g_strdup_printf ("/presets/%s/floors", expected_looks[i]);
    g_test_add_data_func (path, expected_looks[i], test_floors);
    g_free (path);
    path = g_strdup_printf ("/presets/%s/floors", fast);
    g_test_add_data_func_full (path, fast, test_floors, g_free);
    g_free (path);
  }
  return g_test_run ();
}
