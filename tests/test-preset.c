/* Tests of the preset reader and writer (src/disk-preset.c).
 *
 * The reader is checked against hand-written files whose values are known
 * here, the writer by exact (bitwise) round trips, and the validation by a
 * table of damaged files, each of which must fail with a message naming the
 * file, group and key at fault. */
#include "disk-preset.h"

#include <glib/gstdio.h>
#include <float.h>
#include <math.h>
#include <string.h>

/* A small valid preset written by hand: structure 2;3, radii 1;2. Its last
 * line is such that every shorter prefix of the text is invalid. */
static const gchar base_text[] =
    "# a comment\n"
    "[preset]\n"
    "format=1\n"
    "name=test\n"
    "description=Hand-written test preset\n"
    "target=disc\n"
    "structure=2;3\n"
    "radii=1;2\n"
    "command=disk-fit --target disc\n"
    "seed=7\n"
    "\n"
    "[entry 0]\n"
    "radius=1\n"
    "kernel-psnr=40.5\n"
    "layer0-x=0.5;-0.5\n"
    "layer0-y=0;0.25\n"
    "layer0-w=0.5;0.5\n"
    "layer1-x=1;0;-1\n"
    "layer1-y=0;1;0\n"
    "layer1-w=0.25;0.5;0.25\n"
    "\n"
    "[entry 1]\n"
    "radius=2\n"
    "layer0-x=1;-1\n"
    "layer0-y=0;0.5\n"
    "layer0-w=0.5;0.5\n"
    "layer1-x=2;0;-2\n"
    "layer1-y=0;2;0\n"
    "layer1-w=0.125;0.75;0.125";

static gchar *tmp_dir;

static gchar *
tmp_path (const gchar * name)
{
  return g_build_filename (tmp_dir, name, NULL);
}

static gchar *
replace_once (const gchar * text, const gchar * old, const gchar * new_text)
{
  const gchar *at = strstr (text, old);

  g_assert_nonnull (at);
  /* Every anchor used by the tests is unique in the base text. */
  g_assert_null (strstr (at + 1, old));
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, new_text,
      at + strlen (old));
}

/* The invariants every successfully loaded preset must satisfy, checked
 * directly on the structure. */
static void
check_invariants (const DiskPreset * preset)
{
  const DiskBasis *basis = preset->basis;
  guint k, l, i;

  g_assert_nonnull (preset->name);
  g_assert_cmpuint (basis->n_entries, >=, 1);
  for (k = 0; k < basis->n_entries; k++) {
    const DiskComplex *e = basis->entries[k];
    gdouble limit = 8.0 * basis->radii[k] + 8.0;

    g_assert_true (isfinite (basis->radii[k]) && basis->radii[k] > 0.0);
    if (k > 0)
      g_assert_cmpfloat (basis->radii[k], >, basis->radii[k - 1]);
    g_assert_true (disk_complex_same_structure (e, basis->entries[0]));
    g_assert_cmpuint (e->n_layers, >=, 1);
    g_assert_cmpuint (e->n_layers, <=, DISK_MAX_LAYERS);
    /* NAN (unknown), finite, or +inf (exact fit) */
    g_assert_true (preset->kernel_psnr[k] != -INFINITY);
    for (l = 0; l < e->n_layers; l++) {
      const DiskSample *s = disk_complex_layer (e, l);
      gdouble sum = 0.0;

      for (i = 0; i < e->n_samples[l]; i++) {
        g_assert_true (isfinite (s[i].x) && isfinite (s[i].y)
            && isfinite (s[i].w));
        g_assert_cmpfloat (fabs (s[i].x), <=, limit);
        g_assert_cmpfloat (fabs (s[i].y), <=, limit);
        g_assert_cmpfloat (fabs (s[i].w), <=, 64.0);
        sum += s[i].w;
      }
      g_assert_cmpfloat (fabs (sum - 1.0), <=, 1e-3);
    }
  }
}

/* ------------------------------------------------------------------------ */

static void
test_read_hand_written (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskPreset) preset = NULL;
  static const gfloat e0[2][3][3] = {
    {{0.5f, -0.5f}, {0.0f, 0.25f}, {0.5f, 0.5f}},
    {{1, 0, -1}, {0, 1, 0}, {0.25f, 0.5f, 0.25f}},
  };
  static const gfloat e1[2][3][3] = {
    {{1, -1}, {0, 0.5f}, {0.5f, 0.5f}},
    {{2, 0, -2}, {0, 2, 0}, {0.125f, 0.75f, 0.125f}},
  };
  guint l, i;

  preset = disk_preset_load_data (base_text, strlen (base_text),
      "hand.preset", &error);
  g_assert_no_error (error);
  g_assert_nonnull (preset);

  g_assert_cmpstr (preset->name, ==, "test");
  g_assert_cmpstr (preset->description, ==, "Hand-written test preset");
  g_assert_cmpstr (preset->target, ==, "disc");
  g_assert_cmpstr (preset->command, ==, "disk-fit --target disc");
  g_assert_cmpuint (preset->seed, ==, 7);
  g_assert_cmpuint (preset->basis->n_entries, ==, 2);
  g_assert_cmpfloat (preset->basis->radii[0], ==, 1.0);
  g_assert_cmpfloat (preset->basis->radii[1], ==, 2.0);
  g_assert_cmpfloat (preset->kernel_psnr[0], ==, 40.5);
  g_assert_true (isnan (preset->kernel_psnr[1]));

  for (l = 0; l < 2; l++) {
    const DiskSample *s0 = disk_complex_layer (preset->basis->entries[0], l);
    const DiskSample *s1 = disk_complex_layer (preset->basis->entries[1], l);

    g_assert_cmpuint (preset->basis->entries[0]->n_samples[l], ==, l + 2);
    for (i = 0; i < l + 2; i++) {
      g_assert_cmpfloat (s0[i].x, ==, e0[l][0][i]);
      g_assert_cmpfloat (s0[i].y, ==, e0[l][1][i]);
      g_assert_cmpfloat (s0[i].w, ==, e0[l][2][i]);
      g_assert_cmpfloat (s1[i].x, ==, e1[l][0][i]);
      g_assert_cmpfloat (s1[i].y, ==, e1[l][1][i]);
      g_assert_cmpfloat (s1[i].w, ==, e1[l][2][i]);
    }
  }
  check_invariants (preset);
}

/* Unknown keys and groups are ignored (a newer writer may add some); the
 * limits are inclusive. */
static void
test_forward_compatible_and_limits (void)
{
  g_autofree gchar *a = replace_once (base_text, "seed=7\n",
      "seed=7\nfuture-key=whatever\n\n[future group]\nx=1\n");
  g_autofree gchar *b = replace_once (a, "layer0-x=0.5;-0.5",
      "layer0-x=16;-16");
  g_autofree gchar *c = replace_once (b, "layer0-w=0.5;0.5\nlayer1-x=1",
      "layer0-w=64;-63\nlayer1-x=1");
  g_autofree gchar *d = replace_once (c, "seed=7", "seed=18446744073709551615");
  g_autofree gchar *e = replace_once (d, "kernel-psnr=40.5", "kernel-psnr=inf");
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskPreset) preset = NULL;

  preset = disk_preset_load_data (e, strlen (e), "future.preset", &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (disk_complex_layer (preset->basis->entries[0], 0)[0].x,
      ==, 16.0f);
  g_assert_cmpfloat (disk_complex_layer (preset->basis->entries[0], 0)[0].w,
      ==, 64.0f);
  g_assert_cmpuint (preset->seed, ==, G_MAXUINT64);
  g_assert_cmpfloat (preset->kernel_psnr[0], ==, INFINITY);
  check_invariants (preset);
}

/* ------------------------------------------------------------------------ */

/* A random float within [-limit, limit] with a full 24-bit mantissa, so that
 * fewer than 9 digits would not round-trip. */
static gfloat
random_float (GRand * rand, gdouble limit)
{
  return (gfloat) g_rand_double_range (rand, -limit, limit);
}

static DiskPreset *
make_random_preset (guint64 seed)
{
  static const guint n_samples[3] = { 5, 1, 7 };
  static const gdouble radii[3] = { 0.1, 1.0 / 3.0, 24.000000000000004 };
  const gdouble psnr[3] = { 52.123456789012345, NAN, INFINITY };
  g_autoptr (GRand) rand = g_rand_new_with_seed ((guint32) seed);
  DiskComplex *entries[3];
  DiskBasis *basis;
  guint k, l, i;

  for (k = 0; k < 3; k++) {
    entries[k] = disk_complex_new (3, n_samples);
    for (l = 0; l < 3; l++) {
      DiskSample *s = disk_complex_layer (entries[k], l);
      gdouble sum = 0.0;

      for (i = 0; i < n_samples[l]; i++) {
        s[i].x = random_float (rand, 8.0 * radii[k] + 8.0);
        s[i].y = random_float (rand, 8.0 * radii[k] + 8.0);
        s[i].w = random_float (rand, 2.0);
      }
      /* Awkward values that must survive too. */
      s[0].x = -0.0f;
      if (n_samples[l] > 2) {
        s[1].y = 1.4e-45f;      /* the smallest denormal */
        s[2].x = 3.0f * FLT_EPSILON;
      }
      for (i = 0; i + 1 < n_samples[l]; i++)
        sum += s[i].w;
      s[n_samples[l] - 1].w = (gfloat) (1.0 - sum);
    }
  }
  basis = disk_basis_new (3, radii, entries, NULL);
  g_assert_nonnull (basis);
  for (k = 0; k < 3; k++)
    disk_complex_free (entries[k]);

  return disk_preset_new (" leading space; semi=colon",
      "line one\nline two\t# not a comment [x] \\ é ✓",
      "star:n=5,inner=0.45",
      "disk-fit --target 'star:n=5,inner=0.45' --name \"x y\"",
      G_MAXUINT64 - 1, basis, psnr);
}

static void
assert_presets_identical (const DiskPreset * a, const DiskPreset * b)
{
  guint k;

  g_assert_cmpstr (a->name, ==, b->name);
  g_assert_cmpstr (a->description, ==, b->description);
  g_assert_cmpstr (a->target, ==, b->target);
  g_assert_cmpstr (a->command, ==, b->command);
  g_assert_cmpuint (a->seed, ==, b->seed);
  g_assert_cmpuint (a->basis->n_entries, ==, b->basis->n_entries);
  for (k = 0; k < a->basis->n_entries; k++) {
    const DiskComplex *ea = a->basis->entries[k];
    const DiskComplex *eb = b->basis->entries[k];

    g_assert_cmpmem (&a->basis->radii[k], sizeof (gdouble),
        &b->basis->radii[k], sizeof (gdouble));
    if (isnan (a->kernel_psnr[k]))
      g_assert_true (isnan (b->kernel_psnr[k]));
    else
      g_assert_cmpmem (&a->kernel_psnr[k], sizeof (gdouble),
          &b->kernel_psnr[k], sizeof (gdouble));
    g_assert_true (disk_complex_same_structure (ea, eb));
    /* Bitwise: -0.0 stays -0.0 and every mantissa bit survives. */
    g_assert_cmpmem (ea->samples, sizeof (DiskSample) * ea->total,
        eb->samples, sizeof (DiskSample) * eb->total);
  }
}

static void
test_round_trip (void)
{
  g_autofree gchar *path = tmp_path ("round-trip.preset");
  guint64 seed;

  for (seed = 1; seed <= 20; seed++) {
    g_autoptr (DiskPreset) preset = make_random_preset (seed);
    g_autoptr (DiskPreset) loaded = NULL;
    g_autoptr (DiskPreset) from_data = NULL;
    g_autoptr (DiskPreset) copy = NULL;
    g_autoptr (GError) error = NULL;
    g_autofree gchar *data = NULL;
    gsize length = 0;

    g_assert_true (disk_preset_save_file (preset, path, &error));
    g_assert_no_error (error);
    loaded = disk_preset_load_file (path, &error);
    g_assert_no_error (error);
    assert_presets_identical (preset, loaded);

    data = disk_preset_to_data (preset, &length);
    g_assert_cmpuint (length, ==, strlen (data));
    from_data = disk_preset_load_data (data, length, "memory", &error);
    g_assert_no_error (error);
    assert_presets_identical (preset, from_data);

    copy = disk_preset_copy (loaded);
    g_assert_true (copy->basis != loaded->basis);
    assert_presets_identical (preset, copy);
  }
}

/* Floats are written with no more digits than needed, never more than 9. */
static void
test_written_text (void)
{
  g_autoptr (DiskPreset) preset = NULL;
  g_autoptr (GKeyFile) file = g_key_file_new ();
  g_autofree gchar *data = NULL;
  g_autofree gchar *x = NULL;
  g_autofree gchar *radii = NULL;
  gsize length;

  preset = disk_preset_load_data (base_text, strlen (base_text), "hand",
      NULL);
  g_assert_nonnull (preset);
  data = disk_preset_to_data (preset, &length);
  g_assert_true (g_key_file_load_from_data (file, data, length, 0, NULL));
  g_assert_cmpint (g_key_file_get_integer (file, "preset", "format", NULL),
      ==, 1);
  x = g_key_file_get_value (file, "entry 1", "layer1-w", NULL);
  g_assert_cmpstr (x, ==, "0.125;0.75;0.125");
  radii = g_key_file_get_value (file, "preset", "radii", NULL);
  g_assert_cmpstr (radii, ==, "1;2");
  g_assert_false (g_key_file_has_key (file, "entry 1", "kernel-psnr", NULL));
}

/* ------------------------------------------------------------------------ */

typedef struct
{
  const gchar *what;
  const gchar *old;             /* NULL: `new_text` is the whole file */
  const gchar *new_text;
  DiskPresetError code;
  const gchar *expect[3];       /* substrings of the message */
} BadCase;

static const BadCase bad_cases[] = {
  {"empty file", NULL, "", DISK_PRESET_ERROR_PARSE, {"empty"}},
  {"blank file", NULL, " \n\t\n", DISK_PRESET_ERROR_PARSE, {"empty"}},
  {"not a key file", NULL, "hello world\n", DISK_PRESET_ERROR_PARSE,
      {"not a key file"}},
  {"invalid UTF-8", NULL, "[preset]\nname=\xff\xfe\n", DISK_PRESET_ERROR_PARSE,
      {"UTF-8"}},
  {"no preset group", NULL, "[other]\na=1\n", DISK_PRESET_ERROR_MISSING,
      {"[preset]"}},
  {"unknown format", "format=1", "format=2", DISK_PRESET_ERROR_INVALID,
      {"[preset] format:", "version 2"}},
  {"format not a number", "format=1", "format=one", DISK_PRESET_ERROR_PARSE,
      {"[preset] format:"}},
  {"format missing", "format=1\n", "", DISK_PRESET_ERROR_MISSING,
      {"[preset] format:", "missing"}},
  {"name missing", "name=test\n", "", DISK_PRESET_ERROR_MISSING,
      {"[preset] name:", "missing"}},
  {"name empty", "name=test", "name=", DISK_PRESET_ERROR_INVALID,
      {"[preset] name:"}},
  {"structure missing", "structure=2;3\n", "", DISK_PRESET_ERROR_MISSING,
      {"[preset] structure:", "missing"}},
  {"zero samples", "structure=2;3", "structure=2;0",
      DISK_PRESET_ERROR_INVALID, {"[preset] structure:", "layer 1"}},
  {"too many samples", "structure=2;3", "structure=4097;3",
      DISK_PRESET_ERROR_INVALID, {"[preset] structure:", "4097"}},
  {"too many layers", "structure=2;3",
      "structure=1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1", DISK_PRESET_ERROR_INVALID,
      {"[preset] structure:", "found 17"}},
  {"structure not numbers", "structure=2;3", "structure=2;three",
      DISK_PRESET_ERROR_INVALID, {"[preset] structure:", "three"}},
  {"structure does not match counts", "structure=2;3", "structure=2;4",
      DISK_PRESET_ERROR_INVALID,
      {"[entry 0] layer1-x:", "expected 4 values, found 3"}},
  {"radii missing", "radii=1;2\n", "", DISK_PRESET_ERROR_MISSING,
      {"[preset] radii:", "missing"}},
  {"unsorted radii", "radii=1;2", "radii=2;1", DISK_PRESET_ERROR_INVALID,
      {"[preset] radii:", "increase"}},
  {"repeated radius", "radii=1;2", "radii=1;1", DISK_PRESET_ERROR_INVALID,
      {"[preset] radii:", "increase"}},
  {"zero radius", "radii=1;2", "radii=0;2", DISK_PRESET_ERROR_INVALID,
      {"[preset] radii:", "positive"}},
  {"negative radius", "radii=1;2", "radii=-1;2", DISK_PRESET_ERROR_INVALID,
      {"[preset] radii:", "positive"}},
  {"NaN radius", "radii=1;2", "radii=nan;2", DISK_PRESET_ERROR_INVALID,
      {"[preset] radii:", "finite"}},
  {"infinite radius", "radii=1;2", "radii=1;inf", DISK_PRESET_ERROR_INVALID,
      {"[preset] radii:", "finite"}},
  {"overflowing radius", "radii=1;2", "radii=1;1e400",
      DISK_PRESET_ERROR_INVALID, {"[preset] radii:", "finite"}},
  {"radius not a number", "radii=1;2", "radii=1;2x", DISK_PRESET_ERROR_PARSE,
      {"[preset] radii:", "2x"}},
  {"fewer radii than entries", "radii=1;2", "radii=1",
      DISK_PRESET_ERROR_INVALID, {"[entry 1]", "unexpected group"}},
  {"more radii than entries", "radii=1;2", "radii=1;2;3",
      DISK_PRESET_ERROR_MISSING, {"[entry 2]", "missing"}},
  {"entry radius mismatch", "radius=2\n", "radius=2.5\n",
      DISK_PRESET_ERROR_INVALID, {"[entry 1] radius:", "2.5"}},
  {"entry radius missing", "radius=2\n", "", DISK_PRESET_ERROR_MISSING,
      {"[entry 1] radius:", "missing"}},
  {"entry group with leading zero", "[entry 1]", "[entry 01]",
      DISK_PRESET_ERROR_INVALID, {"[entry 01]"}},
  {"NaN kernel PSNR", "kernel-psnr=40.5", "kernel-psnr=nan",
      DISK_PRESET_ERROR_INVALID, {"[entry 0] kernel-psnr:"}},
  {"kernel PSNR not a number", "kernel-psnr=40.5", "kernel-psnr=good",
      DISK_PRESET_ERROR_PARSE, {"[entry 0] kernel-psnr:", "good"}},
  {"one value short", "layer1-x=2;0;-2", "layer1-x=2;0",
      DISK_PRESET_ERROR_INVALID,
      {"[entry 1] layer1-x: expected 3 values, found 2"}},
  {"one value too many", "layer0-y=0;0.5", "layer0-y=0;0.5;1",
      DISK_PRESET_ERROR_INVALID,
      {"[entry 1] layer0-y: expected 2 values, found 3"}},
  {"empty value", "layer1-y=0;1;0", "layer1-y=0;;0",
      DISK_PRESET_ERROR_PARSE, {"[entry 0] layer1-y:", "value 1"}},
  {"layer key missing", "layer1-w=0.25;0.5;0.25\n", "",
      DISK_PRESET_ERROR_MISSING, {"[entry 0] layer1-w:", "missing"}},
  {"NaN offset", "layer0-y=0;0.25", "layer0-y=0;nan",
      DISK_PRESET_ERROR_INVALID, {"[entry 0] layer0-y:", "finite"}},
  {"infinite offset", "layer0-y=0;0.25", "layer0-y=-inf;0",
      DISK_PRESET_ERROR_INVALID, {"[entry 0] layer0-y:", "finite"}},
  {"huge offset", "layer0-x=0.5;-0.5", "layer0-x=0.5;1e30",
      DISK_PRESET_ERROR_INVALID, {"[entry 0] layer0-x:", "value 1"}},
  {"offset just past the limit", "layer0-x=0.5;-0.5", "layer0-x=0.5;-16.001",
      DISK_PRESET_ERROR_INVALID, {"[entry 0] layer0-x:", "16"}},
  {"offset not a number", "layer0-x=0.5;-0.5", "layer0-x=0.5;left",
      DISK_PRESET_ERROR_PARSE, {"[entry 0] layer0-x:", "left"}},
  {"huge weight", "layer0-w=0.5;0.5\nlayer1-x=1",
      "layer0-w=65;-64\nlayer1-x=1", DISK_PRESET_ERROR_INVALID,
      {"[entry 0] layer0-w:", "64"}},
  {"weights do not sum to 1", "layer1-w=0.25;0.5;0.25",
      "layer1-w=0.25;0.5;0.2515", DISK_PRESET_ERROR_INVALID,
      {"[entry 0] layer1-w:", "sum"}},
  {"negative seed", "seed=7", "seed=-1", DISK_PRESET_ERROR_INVALID,
      {"[preset] seed:"}},
  {"seed beyond 64 bits", "seed=7", "seed=18446744073709551616",
      DISK_PRESET_ERROR_INVALID, {"[preset] seed:"}},
  {"fractional seed", "seed=7", "seed=7.5", DISK_PRESET_ERROR_INVALID,
      {"[preset] seed:"}},
  {"duplicate group", "[entry 1]\n", "[entry 0]\nradius=1\n\n[entry 1]\n",
      DISK_PRESET_ERROR_PARSE, {"[entry 0]", "duplicate group"}},
  {"duplicate key", "radii=1;2\n", "radii=1;2\nradii = 1;3\n",
      DISK_PRESET_ERROR_PARSE, {"[preset] radii:", "duplicate key"}},
  {"truncated inside an entry", "layer0-y=0;0.5\nlayer0-w=0.5;0.5\n"
        "layer1-x=2;0;-2\nlayer1-y=0;2;0\nlayer1-w=0.125;0.75;0.125",
      "layer0-y=0;0", DISK_PRESET_ERROR_MISSING,
      {"[entry 1] layer0-w:", "missing"}},
  {"bad escape in a string", "name=test", "name=te\\qst",
      DISK_PRESET_ERROR_PARSE, {"[preset] name:"}},
  /* GLib 2.74 itself warns on this one unless the reader catches it first. */
  {"bad escapes and a trailing backslash", "layer0-x=0.5;-0.5",
      "layer0-x=0.5\\q;-0.5\\", DISK_PRESET_ERROR_PARSE,
      {"[entry 0] layer0-x:", "escape"}},
};

static void
check_bad_error (const GError * error, const BadCase * c,
    const gchar * origin)
{
  guint s;

  g_test_message ("%s: %s", c->what, error != NULL ? error->message : "-");
  g_assert_nonnull (error);
  g_assert_true (error->domain == DISK_PRESET_ERROR);
  g_assert_cmpint (error->code, ==, c->code);
  g_assert_nonnull (strstr (error->message, origin));
  for (s = 0; s < G_N_ELEMENTS (c->expect) && c->expect[s] != NULL; s++)
    if (strstr (error->message, c->expect[s]) == NULL)
      g_error ("%s: message \"%s\" lacks \"%s\"", c->what, error->message,
          c->expect[s]);
}

static void
test_bad_inputs (void)
{
  g_autofree gchar *path = tmp_path ("bokeh.preset");
  guint n;

  for (n = 0; n < G_N_ELEMENTS (bad_cases); n++) {
    const BadCase *c = &bad_cases[n];
    g_autofree gchar *text = c->old != NULL ?
        replace_once (base_text, c->old, c->new_text) : g_strdup (c->new_text);
    g_autoptr (GError) error = NULL;
    g_autoptr (GError) file_error = NULL;
    DiskPreset *preset;

    preset = disk_preset_load_data (text, strlen (text), "bokeh.preset",
        &error);
    g_assert_null (preset);
    check_bad_error (error, c, "bokeh.preset");

    g_assert_true (g_file_set_contents (path, text, -1, NULL));
    preset = disk_preset_load_file (path, &file_error);
    g_assert_null (preset);
    check_bad_error (file_error, c, path);
  }
}

static void
test_binary_junk (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (99);
  guint8 junk[512];
  guint trial, i;

  /* With NUL bytes. */
  for (i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) (i * 37 + 11);
  {
    g_autoptr (GError) error = NULL;
    g_assert_null (disk_preset_load_data ((const gchar *) junk, sizeof junk,
            "junk.bin", &error));
    g_assert_error (error, DISK_PRESET_ERROR, DISK_PRESET_ERROR_PARSE);
    g_assert_nonnull (strstr (error->message, "junk.bin"));
    g_assert_nonnull (strstr (error->message, "NUL"));
  }
  /* Random bytes: always an error naming the origin. */
  for (trial = 0; trial < 200; trial++) {
    g_autoptr (GError) error = NULL;

    for (i = 0; i < sizeof junk; i++)
      junk[i] = (guint8) g_rand_int_range (rand, 1, 256);
    g_assert_null (disk_preset_load_data ((const gchar *) junk,
            g_rand_int_range (rand, 1, sizeof junk), "junk.bin", &error));
    g_assert_nonnull (error);
    g_assert_true (g_str_has_prefix (error->message, "junk.bin"));
  }
}

/* Every proper prefix of the base text is invalid (see its last line), and
 * must be reported as such, never half-loaded. */
static void
test_truncated (void)
{
  gsize full = strlen (base_text), n;

  for (n = 0; n < full - 1; n++) {
    g_autoptr (GError) error = NULL;

    g_assert_null (disk_preset_load_data (base_text, n, "cut.preset",
            &error));
    g_assert_nonnull (error);
    g_assert_true (g_str_has_prefix (error->message, "cut.preset"));
  }
}

/* Seeded random damage to a valid file: the loader must either fail with a
 * message naming the origin or return a preset that meets every invariant.
 * (tests/fuzz/ has the long-running coverage-guided version.) */
static void
test_mutations (void)
{
  static const gchar alphabet[] = "0123456789.-+;=[]# \nexinafl";
  g_autoptr (GRand) rand = g_rand_new_with_seed (2026);
  gsize length = strlen (base_text);
  guint trial, loaded = 0;

  for (trial = 0; trial < 3000; trial++) {
    g_autofree gchar *text = g_malloc (length + 16);
    g_autoptr (GError) error = NULL;
    g_autoptr (DiskPreset) preset = NULL;
    gsize n = length;
    guint edits = g_rand_int_range (rand, 1, 4), e;

    memcpy (text, base_text, length);
    for (e = 0; e < edits; e++) {
      gsize at = g_rand_int_range (rand, 0, n);
      gchar c = alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];

      switch (g_rand_int_range (rand, 0, 3)) {
        case 0:                /* replace */
          text[at] = c;
          break;
        case 1:                /* insert */
          memmove (text + at + 1, text + at, n - at);
          text[at] = c;
          n++;
          break;
        default:               /* delete */
          memmove (text + at, text + at + 1, n - at - 1);
          n--;
          break;
      }
    }
    preset = disk_preset_load_data (text, n, "mutant.preset", &error);
    if (preset != NULL) {
      g_assert_null (error);
      check_invariants (preset);
      loaded++;
    } else {
      g_assert_nonnull (error);
      g_assert_true (g_str_has_prefix (error->message, "mutant.preset"));
    }
  }
  /* Some harmless mutations (comments, digits in the description) load. */
  g_test_message ("%u of 3000 mutants loaded", loaded);
}

/* ------------------------------------------------------------------------ */

static gchar *
read_all (const gchar * path)
{
  gchar *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

static guint
count_entries (const gchar * dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

/* A save that fails leaves the existing file exactly as it was. */
static void
test_failed_save_keeps_old_file (void)
{
  g_autofree gchar *dir = tmp_path ("keep");
  g_autofree gchar *path = g_build_filename (dir, "old.preset", NULL);
  g_autofree gchar *before = NULL;
  g_autofree gchar *after = NULL;
  g_autoptr (DiskPreset) bad = make_random_preset (5);
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, base_text, -1, NULL));

  /* A preset that would not load back (NaN offset) is not written. */
  disk_complex_layer (bad->basis->entries[1], 2)[3].x = NAN;
  g_assert_false (disk_preset_save_file (bad, path, &error));
  g_assert_error (error, DISK_PRESET_ERROR, DISK_PRESET_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "[entry 1] layer2-x"));
  after = read_all (path);
  g_assert_cmpstr (after, ==, base_text);
  g_assert_cmpuint (count_entries (dir), ==, 1);        /* no temp file left */

  /* A failed load does not touch the file either. */
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (path, "[preset]\nformat=9\n", -1, NULL));
  before = read_all (path);
  g_assert_null (disk_preset_load_file (path, &error));
  g_assert_nonnull (error);
  g_free (after);
  after = read_all (path);
  g_assert_cmpstr (after, ==, before);

  /* A successful save replaces the whole file (no stale tail). */
  {
    g_autoptr (DiskPreset) good = make_random_preset (6);
    g_autoptr (DiskPreset) loaded = NULL;
    g_autofree gchar *expected = NULL;

    g_assert_true (g_file_set_contents (path, base_text, -1, NULL));
    g_clear_error (&error);
    g_assert_true (disk_preset_save_file (good, path, &error));
    g_assert_no_error (error);
    expected = disk_preset_to_data (good, NULL);
    g_free (after);
    after = read_all (path);
    g_assert_cmpstr (after, ==, expected);
    loaded = disk_preset_load_file (path, &error);
    g_assert_no_error (error);
    assert_presets_identical (good, loaded);
    g_assert_cmpuint (count_entries (dir), ==, 1);
  }
}

static void
test_save_into_missing_directory (void)
{
  g_autofree gchar *other = tmp_path ("untouched.preset");
  g_autofree gchar *missing = tmp_path ("no-such-dir");
  g_autofree gchar *path = g_build_filename (missing, "x.preset", NULL);
  g_autofree gchar *after = NULL;
  g_autoptr (DiskPreset) preset = make_random_preset (3);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_file_set_contents (other, base_text, -1, NULL));
  g_assert_false (disk_preset_save_file (preset, path, &error));
  g_assert_error (error, DISK_PRESET_ERROR, DISK_PRESET_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  after = read_all (other);
  g_assert_cmpstr (after, ==, base_text);

  /* Nor can a preset replace a directory. */
  g_clear_error (&error);
  g_assert_cmpint (g_mkdir_with_parents (missing, 0755), ==, 0);
  g_assert_false (disk_preset_save_file (preset, missing, &error));
  g_assert_error (error, DISK_PRESET_ERROR, DISK_PRESET_ERROR_IO);
  g_assert_true (g_file_test (missing, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (g_rmdir (missing), ==, 0);
}

static void
test_missing_file (void)
{
  g_autofree gchar *path = tmp_path ("does-not-exist.preset");
  g_autoptr (GError) error = NULL;

  g_assert_null (disk_preset_load_file (path, &error));
  g_assert_error (error, DISK_PRESET_ERROR, DISK_PRESET_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
}

static void
remove_tree (const gchar * path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
    const gchar *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL) {
      g_autofree gchar *child = g_build_filename (path, name, NULL);
      remove_tree (child);
    }
    g_rmdir (path);
  } else {
    g_unlink (path);
  }
}

int
main (int argc, char **argv)
{
  int result;

  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("test-preset-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/preset/read-hand-written", test_read_hand_written);
  g_test_add_func ("/preset/forward-compatible-and-limits",
      test_forward_compatible_and_limits);
  g_test_add_func ("/preset/round-trip", test_round_trip);
  g_test_add_func ("/preset/written-text", test_written_text);
  g_test_add_func ("/preset/bad-inputs", test_bad_inputs);
  g_test_add_func ("/preset/binary-junk", test_binary_junk);
  g_test_add_func ("/preset/truncated", test_truncated);
  g_test_add_func ("/preset/mutations", test_mutations);
  g_test_add_func ("/preset/failed-save-keeps-old-file",
      test_failed_save_keeps_old_file);
  g_test_add_func ("/preset/save-into-missing-directory",
      test_save_into_missing_directory);
  g_test_add_func ("/preset/missing-file", test_missing_file);

  result = g_test_run ();
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  return result;
}
