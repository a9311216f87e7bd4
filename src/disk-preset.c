/* DISK core: preset files (format in disk-preset.h and docs/PRESET-FORMAT.md).
 *
 * Loading is written for hostile input: the data may come from anywhere, so
 * every value is checked before anything is built, every error names the
 * origin, group and key, and a failed load never returns a partial preset.
 * Saving serialises to memory, re-reads that text through the same validation
 * (so a file that was written can always be read back) and only then replaces
 * the file atomically. */
#include "disk-preset.h"

#include <float.h>
#include <math.h>
#include <string.h>

#define FORMAT_VERSION 1
/* DISK_PRESET_MAX_ENTRIES: a basis of more radii than that is certainly not
 * a real preset; the limit keeps a corrupted radii list from asking for
 * absurd work. */
#define MAX_ENTRIES DISK_PRESET_MAX_ENTRIES
#define MAX_WEIGHT 64.0
#define WEIGHT_SUM_TOLERANCE 1e-3

#define PRESET_GROUP "preset"

G_DEFINE_QUARK (disk-preset-error-quark, disk_preset_error)

DiskPreset *
disk_preset_new (const gchar * name, const gchar * description,
    const gchar * target, const gchar * command, guint64 seed,
    DiskBasis * basis, const gdouble * kernel_psnr)
{
  DiskPreset *preset;
  guint k;

  g_return_val_if_fail (basis != NULL, NULL);

  preset = g_new0 (DiskPreset, 1);
  preset->name = g_strdup (name);
  preset->description = g_strdup (description);
  preset->target = g_strdup (target);
  preset->command = g_strdup (command);
  preset->seed = seed;
  preset->basis = basis;
  preset->kernel_psnr = g_new (gdouble, basis->n_entries);
  for (k = 0; k < basis->n_entries; k++)
    preset->kernel_psnr[k] = kernel_psnr != NULL ? kernel_psnr[k] : NAN;
  return preset;
}

DiskPreset *
disk_preset_copy (const DiskPreset * preset)
{
  g_return_val_if_fail (preset != NULL, NULL);

  return disk_preset_new (preset->name, preset->description, preset->target,
      preset->command, preset->seed, disk_basis_copy (preset->basis),
      preset->kernel_psnr);
}

void
disk_preset_free (DiskPreset * preset)
{
  if (preset == NULL)
    return;
  g_free (preset->name);
  g_free (preset->description);
  g_free (preset->target);
  g_free (preset->command);
  disk_basis_free (preset->basis);
  g_free (preset->kernel_psnr);
  g_free (preset);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

/* "origin: [group] key: detail" -- the one shape of every load error. */
static void G_GNUC_PRINTF (6, 7)
set_key_error (GError ** error, DiskPresetError code, const gchar * origin,
    const gchar * group, const gchar * key, const gchar * format, ...)
{
  g_autofree gchar *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  if (key != NULL)
    g_set_error (error, DISK_PRESET_ERROR, code, "%s: [%s] %s: %s", origin,
        group, key, detail);
  else if (group != NULL)
    g_set_error (error, DISK_PRESET_ERROR, code, "%s: [%s]: %s", origin,
        group, detail);
  else
    g_set_error (error, DISK_PRESET_ERROR, code, "%s: %s", origin, detail);
}

/* ------------------------------------------------------------------------ */
/* Checks GKeyFile does not make                                             */

/* Only the escapes GKeyFile defines. Checked here because GLib 2.74 sets its
 * GError twice (a GLib warning, fatal under G_DEBUG=fatal-warnings) for a
 * value holding an invalid escape and a backslash at its end. */
static gboolean
check_escapes (const gchar * value, const gchar * end)
{
  const gchar *p;

  for (p = value; p < end; p++) {
    if (*p != '\\')
      continue;
    if (p + 1 >= end || strchr ("sntr\\;", p[1]) == NULL || p[1] == '\0')
      return FALSE;
    p++;
  }
  return TRUE;
}

/* GKeyFile silently merges repeated groups and lets a repeated key win over
 * the first, so a file with two [entry 3] groups would load as a mixture of
 * both. Such files are errors here; this scan finds them, with a line number,
 * before GKeyFile sees the text. It also refuses binary data outright so that
 * the messages stay readable. */
static gboolean
check_text (const gchar * data, gsize length, const gchar * origin,
    GError ** error)
{
  g_autoptr (GHashTable) groups = NULL;
  g_autoptr (GHashTable) keys = NULL;
  g_autofree gchar *group = NULL;
  const gchar *end = data + length;
  const gchar *line = data;
  const gchar *bad = NULL;
  guint line_number = 0;
  gsize i;

  for (i = 0; i < length; i++)
    if (!g_ascii_isspace (data[i]))
      break;
  if (i == length) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, NULL, NULL,
        "the file is empty");
    return FALSE;
  }
  if (memchr (data, '\0', length) != NULL) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, NULL, NULL,
        "contains a NUL byte at offset %" G_GSIZE_FORMAT
        ": binary data, not a preset", (gsize) ((const gchar *)
            memchr (data, '\0', length) - data));
    return FALSE;
  }
  if (!g_utf8_validate_len (data, length, &bad)) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, NULL, NULL,
        "invalid UTF-8 at offset %" G_GSIZE_FORMAT ": not a preset text file",
        (gsize) (bad - data));
    return FALSE;
  }

  groups = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  while (line < end) {
    const gchar *next = memchr (line, '\n', end - line);
    const gchar *stop = next != NULL ? next : end;
    const gchar *p = line;

    line_number++;
    while (p < stop && g_ascii_isspace (*p))
      p++;

    if (p < stop && *p == '[') {
      const gchar *close = memchr (p, ']', stop - p);

      /* Malformed headers are left to GKeyFile, which reports them. */
      if (close != NULL) {
        g_free (group);
        group = g_strndup (p + 1, close - p - 1);
        if (g_hash_table_contains (groups, group)) {
          g_set_error (error, DISK_PRESET_ERROR, DISK_PRESET_ERROR_PARSE,
              "%s:%u: [%s]: duplicate group", origin, line_number, group);
          return FALSE;
        }
        g_hash_table_add (groups, g_strdup (group));
        g_hash_table_remove_all (keys);
      }
    } else if (p < stop && *p != '#' && group != NULL) {
      const gchar *equals = memchr (p, '=', stop - p);

      if (equals != NULL) {
        const gchar *key_end = equals;
        g_autofree gchar *key = NULL;

        while (key_end > p && g_ascii_isspace (key_end[-1]))
          key_end--;
        key = g_strndup (p, key_end - p);
        if (g_hash_table_contains (keys, key)) {
          g_set_error (error, DISK_PRESET_ERROR, DISK_PRESET_ERROR_PARSE,
              "%s:%u: [%s] %s: duplicate key", origin, line_number, group,
              key);
          return FALSE;
        }
        if (!check_escapes (equals + 1, stop)) {
          g_set_error (error, DISK_PRESET_ERROR, DISK_PRESET_ERROR_PARSE,
              "%s:%u: [%s] %s: invalid escape sequence (a backslash must be "
              "followed by one of s n t r \\ ;)", origin, line_number, group,
              key);
          return FALSE;
        }
        g_hash_table_add (keys, g_steal_pointer (&key));
      }
    }
    line = next != NULL ? next + 1 : end;
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Typed reads                                                               */

static gchar *
get_string (GKeyFile * file, const gchar * origin, const gchar * group,
    const gchar * key, gboolean required, GError ** error)
{
  g_autoptr (GError) local = NULL;
  gchar *value;

  if (!g_key_file_has_key (file, group, key, NULL)) {
    if (required)
      set_key_error (error, DISK_PRESET_ERROR_MISSING, origin, group, key,
          "required key is missing");
    return NULL;
  }
  /* GKeyFile can return a value and set an error (bad escapes): the error
   * wins. */
  value = g_key_file_get_string (file, group, key, &local);
  if (local != NULL) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, group, key, "%s",
        local->message);
    g_clear_pointer (&value, g_free);
  }
  return value;
}

static gboolean
parse_unsigned (const gchar * text, guint64 max, guint64 * out)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));

  return g_ascii_string_to_unsigned (copy, 10, 0, max, out, NULL);
}

/* Parses a whole (trimmed) string as a double; hex floats, "nan" and "inf"
 * parse too and are rejected by the callers' range checks. */
static gboolean
parse_double (const gchar * text, gdouble * out)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));
  gchar *end = NULL;

  if (copy[0] == '\0')
    return FALSE;
  *out = g_ascii_strtod (copy, &end);
  return end != copy && *end == '\0';
}

/* A ';'-separated list of numbers, `n` (0: any number, at least one). */
static gdouble *
get_number_list (GKeyFile * file, const gchar * origin, const gchar * group,
    const gchar * key, gsize expected, gsize * n_values, GError ** error)
{
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) items = NULL;
  g_autofree gdouble *values = NULL;
  gsize n = 0, i;

  if (!g_key_file_has_key (file, group, key, NULL)) {
    set_key_error (error, DISK_PRESET_ERROR_MISSING, origin, group, key,
        "required key is missing");
    return NULL;
  }
  items = g_key_file_get_string_list (file, group, key, &n, &local);
  if (local != NULL) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, group, key, "%s",
        local->message);
    return NULL;
  }
  if (expected > 0 && n != expected) {
    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, group, key,
        "expected %" G_GSIZE_FORMAT " values, found %" G_GSIZE_FORMAT,
        expected, n);
    return NULL;
  }
  if (n == 0) {
    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, group, key,
        "expected a list of numbers, found none");
    return NULL;
  }

  values = g_new (gdouble, n);
  for (i = 0; i < n; i++) {
    if (!parse_double (items[i], &values[i])) {
      set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, group, key,
          "value %" G_GSIZE_FORMAT " (\"%.40s\") is not a number", i,
          items[i]);
      return NULL;
    }
    if (!isfinite (values[i])) {
      set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, group, key,
          "value %" G_GSIZE_FORMAT " (\"%.40s\") is not a finite number", i,
          g_strstrip (items[i]));
      return NULL;
    }
  }
  *n_values = n;
  return g_steal_pointer (&values);
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                   */

static gboolean
read_structure (GKeyFile * file, const gchar * origin, guint * n_layers,
    guint * n_samples, GError ** error)
{
  g_autoptr (GError) local = NULL;
  g_auto (GStrv) items = NULL;
  gsize n = 0, l;

  if (!g_key_file_has_key (file, PRESET_GROUP, "structure", NULL)) {
    set_key_error (error, DISK_PRESET_ERROR_MISSING, origin, PRESET_GROUP,
        "structure", "required key is missing");
    return FALSE;
  }
  items = g_key_file_get_string_list (file, PRESET_GROUP, "structure", &n,
      &local);
  if (local != NULL) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, PRESET_GROUP,
        "structure", "%s", local->message);
    return FALSE;
  }
  if (n < 1 || n > DISK_MAX_LAYERS) {
    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, PRESET_GROUP,
        "structure", "expected 1 to %d layers, found %" G_GSIZE_FORMAT,
        DISK_MAX_LAYERS, n);
    return FALSE;
  }
  for (l = 0; l < n; l++) {
    guint64 count;

    if (!parse_unsigned (items[l], G_MAXUINT64, &count)
        || count < 1 || count > DISK_MAX_SAMPLES_PER_LAYER) {
      set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, PRESET_GROUP,
          "structure", "layer %" G_GSIZE_FORMAT " has \"%.40s\" samples; "
          "expected an integer from 1 to %d", l, g_strstrip (items[l]),
          DISK_MAX_SAMPLES_PER_LAYER);
      return FALSE;
    }
    n_samples[l] = (guint) count;
  }
  *n_layers = (guint) n;
  return TRUE;
}

static gdouble *
read_radii (GKeyFile * file, const gchar * origin, gsize * n_radii,
    GError ** error)
{
  g_autofree gdouble *radii = NULL;
  gsize n = 0, k;

  radii = get_number_list (file, origin, PRESET_GROUP, "radii", 0, &n, error);
  if (radii == NULL)
    return NULL;
  if (n > MAX_ENTRIES) {
    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, PRESET_GROUP,
        "radii", "%" G_GSIZE_FORMAT " radii; at most %d are supported", n,
        MAX_ENTRIES);
    return NULL;
  }
  for (k = 0; k < n; k++) {
    if (!(radii[k] > 0.0)) {
      set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, PRESET_GROUP,
          "radii", "radius %" G_GSIZE_FORMAT " (%g) is not positive", k,
          radii[k]);
      return NULL;
    }
    if (k > 0 && !(radii[k] > radii[k - 1])) {
      set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, PRESET_GROUP,
          "radii", "radii must increase strictly: radius %" G_GSIZE_FORMAT
          " (%g) follows %g", k, radii[k], radii[k - 1]);
      return NULL;
    }
  }
  *n_radii = n;
  return g_steal_pointer (&radii);
}

/* Reads kernel-psnr: absent means unknown (NAN). +inf is accepted because it
 * is what disk_kernel_psnr() reports for an exact fit. */
static gboolean
read_kernel_psnr (GKeyFile * file, const gchar * origin, const gchar * group,
    gdouble * psnr, GError ** error)
{
  g_autofree gchar *text = NULL;
  g_autoptr (GError) local = NULL;

  *psnr = NAN;
  if (!g_key_file_has_key (file, group, "kernel-psnr", NULL))
    return TRUE;
  text = get_string (file, origin, group, "kernel-psnr", TRUE, error);
  if (text == NULL)
    return FALSE;
  if (!parse_double (text, psnr)) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, group,
        "kernel-psnr", "\"%.40s\" is not a number", text);
    return FALSE;
  }
  if (isnan (*psnr) || *psnr == -INFINITY) {
    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, group,
        "kernel-psnr", "\"%.40s\" is not a finite number (omit the key when "
        "the quality is unknown)", g_strstrip (text));
    return FALSE;
  }
  return TRUE;
}

/* Fills one layer of `entry` from layerL-x/y/w of `group`. */
static gboolean
read_layer (GKeyFile * file, const gchar * origin, const gchar * group,
    guint layer, gdouble radius, DiskComplex * entry, GError ** error)
{
  const gdouble offset_limit = 8.0 * radius + 8.0;
  const guint n = entry->n_samples[layer];
  DiskSample *samples = disk_complex_layer (entry, layer);
  static const gchar axes[3] = { 'x', 'y', 'w' };
  gdouble sum = 0.0;
  guint a, i;

  for (a = 0; a < 3; a++) {
    g_autofree gchar *key = g_strdup_printf ("layer%u-%c", layer, axes[a]);
    g_autofree gdouble *values = NULL;
    gsize count = 0;

    values = get_number_list (file, origin, group, key, n, &count, error);
    if (values == NULL)
      return FALSE;
    for (i = 0; i < n; i++) {
      const gdouble limit = a < 2 ? offset_limit : MAX_WEIGHT;

      /* The FLT_MAX test matters only for absurd radii, where the offset
       * limit itself no longer fits a float. */
      if (fabs (values[i]) > limit || fabs (values[i]) > FLT_MAX) {
        set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, group, key,
            "value %u (%g) is outside [-%g, %g]%s", i, values[i], limit,
            limit, a < 2 ? " (offsets are limited to 8 * radius + 8 px)" :
            " (weights are limited to 64 in magnitude)");
        return FALSE;
      }
      if (a == 0)
        samples[i].x = (gfloat) values[i];
      else if (a == 1)
        samples[i].y = (gfloat) values[i];
      else
        samples[i].w = (gfloat) values[i];
    }
  }

  for (i = 0; i < n; i++)
    sum += samples[i].w;
  if (!(fabs (sum - 1.0) <= WEIGHT_SUM_TOLERANCE)) {
    g_autofree gchar *key = g_strdup_printf ("layer%u-w", layer);

    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, group, key,
        "weights sum to %.9g, expected 1 (within %g)", sum,
        WEIGHT_SUM_TOLERANCE);
    return FALSE;
  }
  return TRUE;
}

static DiskComplex *
read_entry (GKeyFile * file, const gchar * origin, guint k, gdouble radius,
    guint n_layers, const guint * n_samples, gdouble * psnr, GError ** error)
{
  g_autofree gchar *group = g_strdup_printf ("entry %u", k);
  g_autofree gchar *text = NULL;
  g_autoptr (DiskComplex) entry = NULL;
  gdouble value;
  guint l;

  if (!g_key_file_has_group (file, group)) {
    set_key_error (error, DISK_PRESET_ERROR_MISSING, origin, group, NULL,
        "required group is missing (one [entry K] group per radius)");
    return NULL;
  }
  text = get_string (file, origin, group, "radius", TRUE, error);
  if (text == NULL)
    return NULL;
  if (!parse_double (text, &value)) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, group, "radius",
        "\"%.40s\" is not a number", text);
    return NULL;
  }
  if (value != radius) {
    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, group, "radius",
        "%.17g does not match radius %u of [" PRESET_GROUP "] radii (%.17g)",
        value, k, radius);
    return NULL;
  }
  if (!read_kernel_psnr (file, origin, group, psnr, error))
    return NULL;

  entry = disk_complex_new (n_layers, n_samples);
  g_assert (entry != NULL);     /* the structure was checked by the caller */
  for (l = 0; l < n_layers; l++)
    if (!read_layer (file, origin, group, l, radius, entry, error))
      return NULL;
  return g_steal_pointer (&entry);
}

/* Groups named like entries but with no radius ("entry 7" with 6 radii,
 * "entry 03") are almost certainly a damaged file, not a future extension. */
static gboolean
check_entry_groups (GKeyFile * file, const gchar * origin, gsize n_entries,
    GError ** error)
{
  g_auto (GStrv) groups = g_key_file_get_groups (file, NULL);
  guint g;

  for (g = 0; groups[g] != NULL; g++) {
    guint64 k;

    if (!g_str_has_prefix (groups[g], "entry"))
      continue;
    if (!g_str_has_prefix (groups[g], "entry ")
        || !g_ascii_string_to_unsigned (groups[g] + 6, 10, 0, G_MAXUINT64,
            &k, NULL) || k >= n_entries
        || (groups[g][6] == '0' && groups[g][7] != '\0')) {
      set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, groups[g],
          NULL, "unexpected group: entries are [entry 0] to [entry %"
          G_GSIZE_FORMAT "], one per radius", n_entries - 1);
      return FALSE;
    }
  }
  return TRUE;
}

static DiskPreset *
load_key_file (GKeyFile * file, const gchar * origin, GError ** error)
{
  g_autofree gchar *format = NULL;
  g_autofree gchar *name = NULL;
  g_autofree gchar *description = NULL;
  g_autofree gchar *target = NULL;
  g_autofree gchar *command = NULL;
  g_autofree gchar *seed_text = NULL;
  g_autofree gdouble *radii = NULL;
  g_autofree gdouble *psnr = NULL;
  g_autofree DiskComplex **entries = NULL;
  guint n_samples[DISK_MAX_LAYERS];
  guint n_layers = 0;
  guint64 version, seed = 0;
  gsize n_entries = 0, k;
  DiskBasis *basis;
  GError *local = NULL;

  if (!g_key_file_has_group (file, PRESET_GROUP)) {
    set_key_error (error, DISK_PRESET_ERROR_MISSING, origin, PRESET_GROUP,
        NULL, "required group is missing: not a DISK preset");
    return NULL;
  }

  format = get_string (file, origin, PRESET_GROUP, "format", TRUE, error);
  if (format == NULL)
    return NULL;
  if (!parse_unsigned (format, G_MAXUINT64, &version)) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, PRESET_GROUP,
        "format", "\"%.40s\" is not a format version number", format);
    return NULL;
  }
  if (version != FORMAT_VERSION) {
    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, PRESET_GROUP,
        "format", "unsupported format version %" G_GUINT64_FORMAT
        " (this reader knows version %d)", version, FORMAT_VERSION);
    return NULL;
  }

  name = get_string (file, origin, PRESET_GROUP, "name", TRUE, error);
  if (name == NULL)
    return NULL;
  if (name[0] == '\0') {
    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, PRESET_GROUP,
        "name", "the name is empty");
    return NULL;
  }
  /* Optional metadata: absent is NULL; present but unreadable is an error. */
  description = get_string (file, origin, PRESET_GROUP, "description", FALSE,
      &local);
  if (local == NULL)
    target = get_string (file, origin, PRESET_GROUP, "target", FALSE, &local);
  if (local == NULL)
    command = get_string (file, origin, PRESET_GROUP, "command", FALSE,
        &local);
  if (local == NULL)
    seed_text = get_string (file, origin, PRESET_GROUP, "seed", FALSE,
        &local);
  if (local != NULL) {
    g_propagate_error (error, local);
    return NULL;
  }
  if (seed_text != NULL && !parse_unsigned (seed_text, G_MAXUINT64, &seed)) {
    set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, PRESET_GROUP,
        "seed", "\"%.40s\" is not a non-negative integer below 2^64",
        seed_text);
    return NULL;
  }

  if (!read_structure (file, origin, &n_layers, n_samples, error))
    return NULL;
  radii = read_radii (file, origin, &n_entries, error);
  if (radii == NULL)
    return NULL;
  if (!check_entry_groups (file, origin, n_entries, error))
    return NULL;

  psnr = g_new (gdouble, n_entries);
  entries = g_new0 (DiskComplex *, n_entries);
  for (k = 0; k < n_entries; k++) {
    entries[k] = read_entry (file, origin, k, radii[k], n_layers, n_samples,
        &psnr[k], error);
    if (entries[k] == NULL)
      break;
  }

  basis = NULL;
  if (k == n_entries) {
    basis = disk_basis_new (n_entries, radii, entries, &local);
    /* Every condition disk_basis_new checks was checked above. */
    if (basis == NULL) {
      set_key_error (error, DISK_PRESET_ERROR_INVALID, origin, PRESET_GROUP,
          "radii", "%s", local->message);
      g_clear_error (&local);
    }
  }
  for (k = 0; k < n_entries; k++)
    disk_complex_free (entries[k]);
  if (basis == NULL)
    return NULL;

  return disk_preset_new (name, description, target, command, seed, basis,
      psnr);
}

DiskPreset *
disk_preset_load_data (const gchar * data, gsize length, const gchar * origin,
    GError ** error)
{
  g_autoptr (GKeyFile) file = NULL;
  g_autoptr (GError) local = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (origin == NULL)
    origin = "(preset data)";
  if (!check_text (data != NULL ? data : "", length, origin, error))
    return NULL;

  file = g_key_file_new ();
  if (!g_key_file_load_from_data (file, data, length, G_KEY_FILE_NONE,
          &local)) {
    set_key_error (error, DISK_PRESET_ERROR_PARSE, origin, NULL, NULL,
        "not a key file: %s", local->message);
    return NULL;
  }
  return load_key_file (file, origin, error);
}

DiskPreset *
disk_preset_load_file (const gchar * path, GError ** error)
{
  g_autofree gchar *data = NULL;
  g_autoptr (GError) local = NULL;
  gsize length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_get_contents (path, &data, &length, &local)) {
    set_key_error (error, DISK_PRESET_ERROR_IO, path, NULL, NULL,
        "cannot read the preset: %s", local->message);
    return NULL;
  }
  return disk_preset_load_data (data, length, path, error);
}

/* ------------------------------------------------------------------------ */
/* Saving                                                                    */

/* The shortest decimal that reads back as exactly `value` (at most 9
 * significant digits, which always suffice for a float). */
static void
append_float (GString * text, gfloat value)
{
  static const gchar *const formats[] = { "%.6g", "%.7g", "%.8g", "%.9g" };
  gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];
  guint f;

  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    gfloat back;

    g_ascii_formatd (buffer, sizeof buffer, formats[f], value);
    back = (gfloat) g_ascii_strtod (buffer, NULL);
    if (memcmp (&back, &value, sizeof value) == 0)
      break;
  }
  g_string_append (text, buffer);
}

/* The same for a double (at most 17 digits). */
static void
append_double (GString * text, gdouble value)
{
  static const gchar *const formats[] = { "%.15g", "%.16g", "%.17g" };
  gchar buffer[G_ASCII_DTOSTR_BUF_SIZE];
  guint f;

  for (f = 0; f < G_N_ELEMENTS (formats); f++) {
    gdouble back;

    g_ascii_formatd (buffer, sizeof buffer, formats[f], value);
    back = g_ascii_strtod (buffer, NULL);
    if (memcmp (&back, &value, sizeof value) == 0)
      break;
  }
  g_string_append (text, buffer);
}

static void
set_double (GKeyFile * file, const gchar * group, const gchar * key,
    gdouble value)
{
  g_autoptr (GString) text = g_string_new (NULL);

  append_double (text, value);
  g_key_file_set_value (file, group, key, text->str);
}

gchar *
disk_preset_to_data (const DiskPreset * preset, gsize * length)
{
  g_autoptr (GKeyFile) file = NULL;
  const DiskBasis *basis;
  const DiskComplex *first;
  GString *text;
  guint k, l, i;

  g_return_val_if_fail (preset != NULL && preset->basis != NULL, NULL);

  basis = preset->basis;
  first = basis->entries[0];
  file = g_key_file_new ();

  g_key_file_set_integer (file, PRESET_GROUP, "format", FORMAT_VERSION);
  g_key_file_set_comment (file, PRESET_GROUP, NULL,
      " DISK preset: a basis of sparse kernel complexes over blur radius.\n"
      " Offsets are in pixels at each entry's radius, \"where the light\n"
      " goes\" (x right, y down). Format: docs/PRESET-FORMAT.md", NULL);
  if (preset->name != NULL)
    g_key_file_set_string (file, PRESET_GROUP, "name", preset->name);
  if (preset->description != NULL)
    g_key_file_set_string (file, PRESET_GROUP, "description",
        preset->description);
  if (preset->target != NULL)
    g_key_file_set_string (file, PRESET_GROUP, "target", preset->target);

  text = g_string_new (NULL);
  for (l = 0; l < first->n_layers; l++)
    g_string_append_printf (text, "%s%u", l > 0 ? ";" : "",
        first->n_samples[l]);
  g_key_file_set_value (file, PRESET_GROUP, "structure", text->str);

  g_string_truncate (text, 0);
  for (k = 0; k < basis->n_entries; k++) {
    if (k > 0)
      g_string_append_c (text, ';');
    append_double (text, basis->radii[k]);
  }
  g_key_file_set_value (file, PRESET_GROUP, "radii", text->str);

  if (preset->command != NULL)
    g_key_file_set_string (file, PRESET_GROUP, "command", preset->command);
  g_key_file_set_uint64 (file, PRESET_GROUP, "seed", preset->seed);

  for (k = 0; k < basis->n_entries; k++) {
    g_autofree gchar *group = g_strdup_printf ("entry %u", k);
    const DiskComplex *entry = basis->entries[k];

    set_double (file, group, "radius", basis->radii[k]);
    /* Unknown quality is written as no key at all (see read_kernel_psnr). */
    if (preset->kernel_psnr != NULL && !isnan (preset->kernel_psnr[k]))
      set_double (file, group, "kernel-psnr", preset->kernel_psnr[k]);

    for (l = 0; l < entry->n_layers; l++) {
      const DiskSample *s = disk_complex_layer (entry, l);
      static const gchar axes[3] = { 'x', 'y', 'w' };
      guint a;

      for (a = 0; a < 3; a++) {
        g_autofree gchar *key = g_strdup_printf ("layer%u-%c", l, axes[a]);

        g_string_truncate (text, 0);
        for (i = 0; i < entry->n_samples[l]; i++) {
          if (i > 0)
            g_string_append_c (text, ';');
          append_float (text, a == 0 ? s[i].x : a == 1 ? s[i].y : s[i].w);
        }
        g_key_file_set_value (file, group, key, text->str);
      }
    }
  }
  g_string_free (text, TRUE);

  return g_key_file_to_data (file, length, NULL);
}

gboolean
disk_preset_save_file (const DiskPreset * preset, const gchar * path,
    GError ** error)
{
  g_autofree gchar *data = NULL;
  g_autoptr (DiskPreset) check = NULL;
  g_autoptr (GError) local = NULL;
  gsize length = 0;

  g_return_val_if_fail (preset != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  data = disk_preset_to_data (preset, &length);
  /* Never write a file that would not load: read the text back first. */
  check = disk_preset_load_data (data, length, path, &local);
  if (check == NULL) {
    g_set_error (error, DISK_PRESET_ERROR, local->code,
        "%s (the preset was not saved)", local->message);
    return FALSE;
  }
  /* g_file_set_contents writes a temporary file in the same directory and
   * renames it over `path`: on failure the old file is left as it was. */
  g_clear_error (&local);
  if (!g_file_set_contents (path, data, length, &local)) {
    set_key_error (error, DISK_PRESET_ERROR_IO, path, NULL, NULL,
        "cannot write the preset: %s", local->message);
    return FALSE;
  }
  return TRUE;
}
