/* disk-fit: fits a DISK preset (a basis of sparse kernel complexes over blur
 * radius) to a target kernel shape and writes it as a preset file.
 *
 *   disk-fit --target disc --radii 1,2,3,4,6,8,12,16,24,32 --samples 24 \
 *       --layers 4 -o bokeh.preset
 *
 * Exit status: 0 on success, 2 for a bad command line (the message names the
 * option), 1 when the fit or writing a file fails (no file is left half
 * written: presets and plots are written to a temporary file and renamed). */
#include "tool-args.h"
#include "disk-filter.h"
#include "disk-fit.h"
#include "disk-image-io.h"
#include "disk-preset.h"
#include "disk-target.h"
#include "disk-plot.h"
#include "disk-quality.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGRAM "disk-fit"
#define EXIT_USAGE TOOL_EXIT_USAGE
#define DEFAULT_TARGET "disc"
#define DEFAULT_RADII "1,2,3,4,6,8,12,16,24,32"
#define DEFAULT_SAMPLES 24
#define DEFAULT_LAYERS 4

typedef struct
{
  gchar *target;
  gchar *radii;
  gchar *samples;
  gchar *layers;
  gchar *steps;
  gchar *seed;
  gchar *init;
  gchar *starts;
  gchar *loss;
  gchar *epsilon;
  gchar *name;
  gchar *description;
  gchar *output;
  gchar *plot;
  gboolean quiet;
} Args;

static void
args_clear (Args * args)
{
  g_free (args->target);
  g_free (args->radii);
  g_free (args->samples);
  g_free (args->layers);
  g_free (args->steps);
  g_free (args->seed);
  g_free (args->init);
  g_free (args->starts);
  g_free (args->loss);
  g_free (args->epsilon);
  g_free (args->name);
  g_free (args->description);
  g_free (args->output);
  g_free (args->plot);
}

/* ------------------------------------------------------------------------ */
/* Argument parsing                                                          */

static gboolean
parse_uint (const gchar * text, guint64 min, guint64 max, guint64 * out)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));

  return g_ascii_string_to_unsigned (copy, 10, min, max, out, NULL);
}

/* "1,2,3.5": positive, finite, strictly increasing pixel radii. */
static gboolean
parse_radii (const gchar * text, GArray * radii, GError ** error)
{
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  guint i;

  for (i = 0; items[i] != NULL; i++) {
    gdouble r;

    if (!tool_parse_number (items[i], &r) || r <= 0.0) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "'%s' is not a positive number of pixels (in '%s')",
          g_strstrip (items[i]), text);
      return FALSE;
    }
    if (radii->len > 0 && !(r > g_array_index (radii, gdouble,
                radii->len - 1))) {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
          "radii must increase strictly: %g follows %g (in '%s')", r,
          g_array_index (radii, gdouble, radii->len - 1), text);
      return FALSE;
    }
    g_array_append_val (radii, r);
  }
  if (radii->len == 0 || radii->len > DISK_PRESET_MAX_ENTRIES) {
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
        "expected 1 to %d comma-separated radii, found %u",
        DISK_PRESET_MAX_ENTRIES, radii->len);
    return FALSE;
  }
  return TRUE;
}

/* --samples N or --samples N0,N1,...; --layers L. Fills options->n_layers
 * and n_samples. Returns the usage exit status or 0. */
static int
parse_structure (const Args * args, DiskFitOptions * options)
{
  g_auto (GStrv) items = NULL;
  guint64 layers = DEFAULT_LAYERS, value;
  guint n, l;

  if (args->layers != NULL && !parse_uint (args->layers, 1, DISK_MAX_LAYERS,
          &layers))
    return tool_usage_error (PROGRAM,
        "--layers", "'%s' is not a whole number from 1 to %d",
        args->layers, DISK_MAX_LAYERS);

  if (args->samples == NULL) {
    for (l = 0; l < layers; l++)
      options->n_samples[l] = DEFAULT_SAMPLES;
    options->n_layers = (guint) layers;
    return 0;
  }

  items = g_strsplit (args->samples, ",", -1);
  n = g_strv_length (items);
  if (n > 1 && args->layers == NULL)
    layers = n;
  if (n == 0 || (n > 1 && n != layers) || layers > DISK_MAX_LAYERS)
    return tool_usage_error (PROGRAM,
        "--samples", "give one count for every layer or a "
        "single count for all (%u given, %u layers)", n, (guint) layers);
  for (l = 0; l < layers; l++) {
    const gchar *item = items[n > 1 ? l : 0];

    if (!parse_uint (item, 1, DISK_MAX_SAMPLES_PER_LAYER, &value))
      return tool_usage_error (PROGRAM,
          "--samples", "'%s' is not a whole number from 1 "
          "to %d", item, DISK_MAX_SAMPLES_PER_LAYER);
    options->n_samples[l] = (guint) value;
  }
  options->n_layers = (guint) layers;
  return 0;
}

/* Returns the usage exit status, or 0 with `options` filled. */
static int
parse_fit_options (const Args * args, DiskFitOptions * options)
{
  guint64 value;
  int status;

  if (args->steps != NULL) {
    if (!parse_uint (args->steps, 1, 10000000, &value))
      return tool_usage_error (PROGRAM,
          "--steps", "'%s' is not a whole number from 1 to "
          "10000000", args->steps);
    options->steps = (guint) value;
  }
  if (args->seed != NULL) {
    if (!parse_uint (args->seed, 0, G_MAXUINT64, &options->seed))
      return tool_usage_error (PROGRAM,
          "--seed", "'%s' is not a non-negative whole number",
          args->seed);
  }
  if (args->starts != NULL) {
    if (!parse_uint (args->starts, 1, 1000, &value))
      return tool_usage_error (PROGRAM,
          "--starts", "'%s' is not a whole number from 1 to "
          "1000", args->starts);
    options->starts = (guint) value;
  }
  if (args->init != NULL && !disk_init_from_string (args->init,
          &options->init))
    return tool_usage_error (PROGRAM,
        "--init", "'%s' is not one of random, radial, sparse",
        args->init);
  if (args->loss != NULL) {
    if (g_ascii_strcasecmp (args->loss, "charbonnier") == 0)
      options->loss = DISK_LOSS_CHARBONNIER;
    else if (g_ascii_strcasecmp (args->loss, "l2") == 0)
      options->loss = DISK_LOSS_L2;
    else
      return tool_usage_error (PROGRAM,
          "--loss", "'%s' is not one of charbonnier, l2",
          args->loss);
  }
  if (args->epsilon != NULL) {
    g_auto (GStrv) parts = g_strsplit (args->epsilon, ",", -1);
    guint e;

    /* the core's rule decides what is allowed */
    options->n_epsilons = g_strv_length (parts);
    for (e = 0; parts[e] != NULL; e++)
      if (e >= DISK_FIT_MAX_EPSILONS
          || !tool_parse_number (parts[e], &options->charbonnier_epsilons[e]))
        break;
    if (parts[e] != NULL || !disk_fit_options_valid_epsilons (options))
      return tool_usage_error (PROGRAM, "--epsilon",
          "'%s': give 1 to %u positive numbers, separated by commas",
          args->epsilon, DISK_FIT_MAX_EPSILONS);
  }
  status = parse_structure (args, options);
  return status;
}

/* The command line as it could be typed again: program name "disk-fit" (not
 * the path it was run from) and each argument shell-quoted when it needs it. */
/* Presets store offsets to OFFSET_STEP pixels and weights to WEIGHT_STEP:
 * far below what the fit resolves (a 5e-5 px offset error moves a radius-1
 * kernel by about 5e-5 of its peak) and the text stays short, since the writer
 * prints the shortest text that reads back exactly. Each layer's rounding
 * residual goes to its largest weight, so weights still sum to 1 (all are
 * multiples of WEIGHT_STEP, so the residual is one too). */
#define OFFSET_STEP 1e-4
#define WEIGHT_STEP 1e-6

static gfloat
round_to (gdouble value, gdouble step)
{
  return (gfloat) (round (value / step) * step);
}

static void
round_basis (DiskBasis * basis)
{
  guint k, l, i;

  for (k = 0; k < basis->n_entries; k++) {
    DiskComplex *c = basis->entries[k];

    for (l = 0; l < c->n_layers; l++) {
      DiskSample *s = disk_complex_layer (c, l);
      gdouble sum = 0.0;
      guint largest = 0;

      for (i = 0; i < c->n_samples[l]; i++) {
        s[i].x = round_to (s[i].x, OFFSET_STEP);
        s[i].y = round_to (s[i].y, OFFSET_STEP);
        s[i].w = round_to (s[i].w, WEIGHT_STEP);
        sum += round (s[i].w / WEIGHT_STEP);
        if (fabs (s[i].w) > fabs (s[largest].w))
          largest = i;
      }
      /* in units of WEIGHT_STEP: the sum must be 1 / WEIGHT_STEP */
      s[largest].w = round_to (s[largest].w + (1.0 / WEIGHT_STEP - sum) *
          WEIGHT_STEP, WEIGHT_STEP);
    }
  }
}

static gchar *
format_command (gint argc, gchar ** argv)
{
  GString *command = g_string_new (PROGRAM);
  gint i;

  for (i = 1; i < argc; i++) {
    const gchar *arg = argv[i];
    gboolean plain = arg[0] != '\0';
    const gchar *p;

    for (p = arg; *p != '\0' && plain; p++)
      plain = g_ascii_isalnum (*p) || strchr ("-_./:=,+@%", *p) != NULL;
    g_string_append_c (command, ' ');
    if (plain) {
      g_string_append (command, arg);
    } else {
      g_autofree gchar *quoted = g_shell_quote (arg);
      g_string_append (command, quoted);
    }
  }
  /* A preset is UTF-8 text; a file name in another encoding is kept
   * readable rather than refused. */
  if (!g_utf8_validate (command->str, command->len, NULL)) {
    gchar *valid = g_utf8_make_valid (command->str, command->len);
    g_string_free (command, TRUE);
    return valid;
  }
  return g_string_free (command, FALSE);
}

/* The preset name when --name is not given: the output file's base name
 * without its extension. */
static gchar *
default_name (const gchar * output)
{
  g_autofree gchar *base = g_path_get_basename (output);
  g_autofree gchar *display = g_filename_display_name (base);
  gchar *dot = strrchr (display, '.');

  if (dot != NULL && dot != display)
    *dot = '\0';
  return g_strdup (display);
}

/* Fails early (before a long fit) when `path` cannot be created because its
 * directory does not exist. */
static gboolean
check_writable_location (const gchar * path, GError ** error)
{
  g_autofree gchar *dir = g_path_get_dirname (path);

  if (g_file_test (path, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
        "cannot write %s: it is a directory", path);
    return FALSE;
  }
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR)) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
        "cannot write %s: directory %s does not exist", path, dir);
    return FALSE;
  }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* Progress                                                                  */

typedef struct
{
  gboolean tty;
  gboolean drawn;               /* a bar is on the terminal line */
} Progress;

static void
on_progress (guint entry, guint n_entries, guint step, guint n_steps,
    gdouble loss, gpointer user_data)
{
  Progress *progress = user_data;

  if (progress->tty) {
    const guint width = 30;
    gdouble done = (entry + (step + 1.0) / MAX (n_steps, 1)) /
        MAX (n_entries, 1);
    guint filled = (guint) (CLAMP (done, 0.0, 1.0) * width);
    gchar bar[31];

    memset (bar, '#', filled);
    memset (bar + filled, '.', width - filled);
    bar[width] = '\0';
    g_printerr ("\r[%s] %3.0f%%  entry %u/%u  step %u/%u  loss %.3e ", bar,
        100.0 * CLAMP (done, 0.0, 1.0), entry + 1, n_entries, step + 1,
        n_steps, loss);
    progress->drawn = TRUE;
  } else if (step == 0 || step + 1 == n_steps) {
    /* Logs get the start and end of every entry's fit, not a bar. */
    g_printerr ("%s: entry %u/%u step %u/%u loss %.6g\n", PROGRAM, entry + 1,
        n_entries, step + 1, n_steps, loss);
  }
}

static void
progress_finish (Progress * progress)
{
  if (progress->drawn)
    g_printerr ("\r%*s\r", 79, "");
  progress->drawn = FALSE;
}

/* ------------------------------------------------------------------------ */

static gchar *
option_help (const gchar * format, ...) G_GNUC_PRINTF (1, 2);

static gchar *
option_help (const gchar * format, ...)
{
  va_list args;
  gchar *text;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  return text;
}

int
main (int argc, char **argv)
{
  Args args = { 0 };
  DiskFitOptions defaults, options;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskTarget) target = NULL;
  g_autoptr (GArray) radii = g_array_new (FALSE, FALSE, sizeof (gdouble));
  g_autoptr (GPtrArray) help = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (DiskPreset) preset = NULL;
  g_autoptr (GString) report = g_string_new (NULL);
  g_autofree gdouble *psnr = NULL;
  g_autofree gchar *command = format_command (argc, argv);
  g_autofree gchar *structure = NULL;
  g_autofree gchar *target_text = NULL;
  g_autofree gchar *default_epsilons = NULL;
  g_auto (GStrv) args_copy = NULL;
  Progress progress = { 0 };
  DiskBasis *basis;
  int status;
  guint k;

  disk_fit_options_init (&defaults, DEFAULT_LAYERS, DEFAULT_SAMPLES);
  default_epsilons = disk_fit_options_epsilons_to_string (&defaults);

  /* Option descriptions that show the defaults (some come from the core). */
#define HELP(...) (g_ptr_array_add (help, option_help (__VA_ARGS__)), \
    (const gchar *) help->pdata[help->len - 1])
  {
    const GOptionEntry entries[] = {
      {"target", 't', 0, G_OPTION_ARG_STRING, &args.target,
          HELP ("Target kernel shape (default %s): disc, gaussian, "
              "ring:inner=0.6, polygon:n=6, star:n=5,inner=0.45, heart, line, "
              "ellipse:aspect=0.5, image:FILE; families take rotation=DEG",
              DEFAULT_TARGET), "SPEC"},
      {"radii", 'r', 0, G_OPTION_ARG_STRING, &args.radii,
          HELP ("Blur radii in pixels (kernel half-extent), comma-separated, "
              "strictly increasing (default %s)", DEFAULT_RADII), "LIST"},
      {"samples", 'n', 0, G_OPTION_ARG_STRING, &args.samples,
          HELP ("Samples per layer, or one count per layer as N0,N1,... "
              "(default %d)", DEFAULT_SAMPLES), "N"},
      {"layers", 'l', 0, G_OPTION_ARG_STRING, &args.layers,
          HELP ("Layers in each complex, 1 to %d (default %d)",
              DISK_MAX_LAYERS, DEFAULT_LAYERS), "L"},
      {"steps", 's', 0, G_OPTION_ARG_STRING, &args.steps,
          HELP ("Adam steps per radius and per start (default %u)",
              defaults.steps), "N"},
      {"seed", 0, 0, G_OPTION_ARG_STRING, &args.seed,
          HELP ("Random seed, recorded in the preset (default %"
              G_GUINT64_FORMAT ")", defaults.seed), "N"},
      {"init", 0, 0, G_OPTION_ARG_STRING, &args.init,
          HELP ("Initialisation: random, radial or sparse (default %s)",
              disk_init_to_string (defaults.init)), "NAME"},
      {"starts", 0, 0, G_OPTION_ARG_STRING, &args.starts,
          HELP ("Independent starts per radius, best kept (default %u)",
              defaults.starts), "N"},
      {"loss", 0, 0, G_OPTION_ARG_STRING, &args.loss,
          HELP ("Loss: charbonnier or l2 (default %s)",
              defaults.loss == DISK_LOSS_L2 ? "l2" : "charbonnier"), "NAME"},
      {"epsilon", 0, 0, G_OPTION_ARG_STRING, &args.epsilon,
          HELP ("Charbonnier epsilons, relative to the target's peak: every "
              "start runs once with each (default %s)", default_epsilons),
          "E[,E...]"},
      {"name", 0, 0, G_OPTION_ARG_STRING, &args.name,
          "Preset name (default: the output file name without its "
          "extension)", "NAME"},
      {"description", 0, 0, G_OPTION_ARG_STRING, &args.description,
          "Preset description (default: target, structure and radii)",
          "TEXT"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &args.output,
          "Preset file to write (required)", "FILE"},
      {"plot", 0, 0, G_OPTION_ARG_FILENAME, &args.plot,
          "Also write a PNG: per radius, target | fit | |error|", "FILE.png"},
      {"quiet", 'q', 0, G_OPTION_ARG_NONE, &args.quiet,
          "No progress and no summary table", NULL},
      G_OPTION_ENTRY_NULL
    };

    context = g_option_context_new ("- fit a DISK preset to a kernel shape");
    g_option_context_set_summary (context,
        "Fits, for every radius, a sparse kernel complex (LAYERS layers of "
        "SAMPLES samples,\nbilinear reads) whose impulse response matches the "
        "target kernel, and writes\nthe basis as a preset file "
        "(docs/PRESET-FORMAT.md). All sizes are in pixels:\na radius is the "
        "kernel's half-extent. The radius nearest the geometric middle\nis "
        "fitted first, then the others outward, each warm-started from its\n"
        "fitted neighbour.");
    g_option_context_set_description (context,
        "Example:\n  disk-fit --target disc --radii 1,2,3,4,6,8,12,16,24,32 "
        "--samples 24 --layers 4 -o bokeh.preset\n\n"
        "The preset records this command, the seed and each entry's kernel "
        "PSNR (dB).\nExit status: 0 success, 1 fit or write failure, 2 bad "
        "command line.");
    g_option_context_add_main_entries (context, entries, NULL);

    /* Parse a copy: argv itself is recorded in the preset. _strv frees the
     * strings it consumes. */
    args_copy = g_strdupv (argv);
    if (!g_option_context_parse_strv (context, &args_copy, &error)) {
      status = tool_usage_error (PROGRAM, NULL, "%s", error->message);
      goto out;
    }
    if (g_strv_length (args_copy) > 1) {
      status = tool_usage_error (PROGRAM,
          NULL, "unexpected argument '%s'", args_copy[1]);
      goto out;
    }
  }
#undef HELP

  if (args.output == NULL) {
    status = tool_usage_error (PROGRAM,
        "--output", "the preset file to write is required");
    goto out;
  }
  if (args.name != NULL && args.name[0] == '\0') {
    status = tool_usage_error (PROGRAM, "--name", "the name must not be empty");
    goto out;
  }
  options = defaults;
  status = parse_fit_options (&args, &options);
  if (status != 0)
    goto out;
  if (!parse_radii (args.radii != NULL ? args.radii : DEFAULT_RADII, radii,
          &error)) {
    status = tool_usage_error (PROGRAM, "--radii", "%s", error->message);
    goto out;
  }
  target = disk_target_parse (args.target != NULL ? args.target :
      DEFAULT_TARGET, &error);
  if (target == NULL) {
    status = tool_usage_error (PROGRAM, "--target", "%s", error->message);
    goto out;
  }
  if (!check_writable_location (args.output, &error)
      || (args.plot != NULL && !check_writable_location (args.plot, &error))) {
    g_printerr ("%s: %s\n", PROGRAM, error->message);
    status = EXIT_FAILURE;
    goto out;
  }

  progress.tty = isatty (fileno (stderr));
  if (!args.quiet) {
    options.progress = on_progress;
    options.progress_data = &progress;
  }
  psnr = g_new (gdouble, radii->len);
  basis = disk_fit_basis (target, (const gdouble *) radii->data, radii->len,
      &options, psnr, &error);
  progress_finish (&progress);
  if (basis == NULL) {
    g_printerr ("%s: the fit failed: %s\n", PROGRAM, error->message);
    status = EXIT_FAILURE;
    goto out;
  }

  /* Store what is measured: round to the stored precision first, then
   * measure every entry as the file will give it back. */
  round_basis (basis);
  for (k = 0; k < basis->n_entries; k++)
    psnr[k] = disk_basis_kernel_psnr (basis, target, basis->radii[k]);

  structure = disk_complex_describe_structure (basis->entries[0]);
  target_text = disk_target_to_string (target);
  {
    g_autofree gchar *name = args.name != NULL ? g_strdup (args.name) :
        default_name (args.output);
    g_autofree gchar *description = args.description != NULL ?
        g_strdup (args.description) :
        g_strdup_printf ("DISK fit of %s, %s, radii %s px", target_text,
        structure, args.radii != NULL ? args.radii : DEFAULT_RADII);

    preset = disk_preset_new (name, description, target_text, command,
        options.seed, basis, psnr);
  }
  if (!disk_preset_save_file (preset, args.output, &error)) {
    g_printerr ("%s: %s\n", PROGRAM, error->message);
    status = EXIT_FAILURE;
    goto out;
  }
  if (args.plot != NULL && !disk_plot_write (preset, target,
          preset->basis->radii, preset->basis->n_entries, args.plot, report,
          &error)) {
    g_printerr ("%s: %s\n", PROGRAM, error->message);
    status = EXIT_FAILURE;
    goto out;
  }

  if (!args.quiet) {
    g_print ("%s: wrote %s (%s, target %s, seed %" G_GUINT64_FORMAT ")\n",
        PROGRAM, args.output, structure, target_text, options.seed);
    g_print ("%12s  %16s\n", "radius (px)", "kernel PSNR (dB)");
    for (k = 0; k < basis->n_entries; k++)
      g_print ("%12g  %16.2f\n", basis->radii[k], psnr[k]);
    g_print ("%s", report->str);
  }
  status = EXIT_SUCCESS;

out:
  args_clear (&args);
  return status;
}
