/* disk-blur: applies a DISK preset to an image file with the core's
 * reference filter (the exact function the fitter optimised).
 *
 *   disk-blur --preset bokeh.preset --radius 16 in.png out.png
 *   disk-blur --preset bokeh.preset --radius 16 --radius-map depth.png \
 *       [--angle-map angles.png] in.png out.png
 *
 * With maps the blur varies per pixel exactly as the diskblur element's
 * "map" mode does (disk-effects.h): radius = --radius * map value (clamped
 * to 0..1), angle = --angle + 360 * angle-map value. Maps of another size
 * than the image are stretched over it (bilinear).
 *
 * Exit status: 0 success, 1 a file could not be read or written, 2 bad
 * command line. The output is written atomically (temporary file + rename). */
#include "tool-args.h"
#include "disk-effects.h"
#include "disk-filter.h"
#include "disk-image-io.h"
#include "disk-preset.h"

#include <math.h>
#include <stdlib.h>

#define PROGRAM "disk-blur"
#define EXIT_USAGE TOOL_EXIT_USAGE
#define DEFAULT_RADIUS 8.0
#define MAX_RADIUS 100000.0

/* A map as one channel (luminance of a colour map), values 0..1. */
static DiskImage *
load_map (const gchar * option, const gchar * path, GError ** error)
{
  g_autoptr (DiskImage) image = NULL;
  g_autoptr (GError) local = NULL;

  image = disk_image_load (path, &local);
  if (image == NULL) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", option,
        local->message);
    return NULL;
  }
  if (image->channels == 1)
    return g_steal_pointer (&image);
  return disk_image_to_luminance (image);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *preset_path = NULL;
  g_autofree gchar *radius_text = NULL;
  g_autofree gchar *angle_text = NULL;
  g_autofree gchar *radius_map_path = NULL;
  g_autofree gchar *angle_map_path = NULL;
  g_autofree gchar *bits_text = NULL;
  g_auto (GStrv) files = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (DiskPreset) preset = NULL;
  g_autoptr (DiskImage) image = NULL;
  g_autoptr (DiskImage) radius_map = NULL;
  g_autoptr (DiskImage) angle_map = NULL;
  gdouble radius = DEFAULT_RADIUS, angle = 0.0;
  guint bits = 8;
  const GOptionEntry entries[] = {
    {"preset", 'p', 0, G_OPTION_ARG_FILENAME, &preset_path,
        "Preset file made by disk-fit (required)", "FILE"},
    {"radius", 'r', 0, G_OPTION_ARG_STRING, &radius_text,
          "Blur radius in pixels (kernel half-extent; with --radius-map, the "
          "radius where the map is 1; default 8)", "PX"},
    {"angle", 'a', 0, G_OPTION_ARG_STRING, &angle_text,
          "Kernel rotation in degrees, positive = clockwise on screen "
          "(default 0)", "DEG"},
    {"radius-map", 0, 0, G_OPTION_ARG_FILENAME, &radius_map_path,
          "Image whose value 0..1 (luminance) scales the radius per pixel",
        "FILE"},
    {"angle-map", 0, 0, G_OPTION_ARG_FILENAME, &angle_map_path,
          "Image whose value 0..1 adds 0..360 degrees of rotation per pixel",
        "FILE"},
    {"bits", 0, 0, G_OPTION_ARG_STRING, &bits_text,
        "Bits per channel of the output PNG, 8 or 16 (default 8)", "N"},
    {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL,
        NULL},
    G_OPTION_ENTRY_NULL
  };

  context = g_option_context_new ("IN OUT.png - blur an image with a DISK "
      "preset");
  g_option_context_set_summary (context,
      "Applies a preset (a basis of sparse kernel complexes) to IN with the "
      "reference\nfilter and writes OUT as PNG. Sizes are in pixels. The "
      "complex for a radius is\ninterpolated between the preset's entries "
      "(docs/PRESET-FORMAT.md).");
  g_option_context_set_description (context,
      "Examples:\n"
      "  disk-blur --preset bokeh.preset --radius 16 in.png out.png\n"
      "  disk-blur --preset bokeh.preset --radius 16 --radius-map depth.png "
      "in.png out.png\n\n"
      "Exit status: 0 success, 1 a file could not be read or written, 2 bad "
      "command line.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return tool_usage_error (PROGRAM, NULL, "%s", error->message);

  if (preset_path == NULL)
    return tool_usage_error (PROGRAM, "--preset", "a preset file is required");
  if (files == NULL || g_strv_length (files) != 2)
    return tool_usage_error (PROGRAM,
        NULL, "expected an input image and an output PNG "
        "(%u file arguments given)", files != NULL ? g_strv_length (files) : 0);
  if (radius_text != NULL && (!tool_parse_number (radius_text, &radius)
          || radius < 0.0 || radius > MAX_RADIUS))
    return tool_usage_error (PROGRAM,
        "--radius", "'%s' is not a number of pixels from 0 "
        "to %g", radius_text, MAX_RADIUS);
  if (angle_text != NULL && !tool_parse_number (angle_text, &angle))
    return tool_usage_error (PROGRAM,
        "--angle", "'%s' is not a number of degrees",
        angle_text);
  if (bits_text != NULL) {
    if (g_strcmp0 (bits_text, "8") == 0)
      bits = 8;
    else if (g_strcmp0 (bits_text, "16") == 0)
      bits = 16;
    else
      return tool_usage_error (PROGRAM,
          "--bits", "'%s' is not 8 or 16", bits_text);
  }

  preset = disk_preset_load_file (preset_path, &error);
  if (preset == NULL) {
    g_printerr ("%s: %s\n", PROGRAM, error->message);
    return EXIT_FAILURE;
  }
  image = disk_image_load (files[0], &error);
  if (image == NULL) {
    g_printerr ("%s: %s\n", PROGRAM, error->message);
    return EXIT_FAILURE;
  }
  if (radius_map_path != NULL)
    radius_map = load_map ("--radius-map", radius_map_path, &error);
  if (error == NULL && angle_map_path != NULL)
    angle_map = load_map ("--angle-map", angle_map_path, &error);
  if (error != NULL) {
    g_printerr ("%s: %s\n", PROGRAM, error->message);
    return EXIT_FAILURE;
  }

  if (radius_map == NULL && angle_map == NULL) {
    g_autoptr (DiskComplex) complex = disk_basis_new_complex (preset->basis);

    disk_basis_interpolate (preset->basis, radius, angle, complex);
    disk_filter_uniform (complex, image, image);
  } else {
    const gsize n = (gsize) image->width * image->height;
    g_autofree gfloat *radii = g_new (gfloat, n);
    g_autofree gfloat *angles = g_new (gfloat, n);
    g_autoptr (DiskImage) full = NULL;
    DiskEffectParams params;

    /* Only an angle map: the radius is the same everywhere. */
    if (radius_map == NULL) {
      full = disk_image_new (1, 1, 1);
      full->data[0] = 1.0f;
    }
    disk_effect_params_init (&params);
    params.mode = DISK_EFFECT_MAP;
    params.radius = radius;
    params.angle = angle;
    disk_effect_fill_rows (&params, image->width, image->height, image->width,
        image->height, 1, 1, radius_map != NULL ? radius_map : full,
        angle_map, radii, angles, 0, image->height);
    disk_filter_varying (preset->basis, radii, angles, image, image);
  }

  if (!disk_image_save_png (image, files[1], bits, &error)) {
    g_printerr ("%s: %s\n", PROGRAM, error->message);
    return EXIT_FAILURE;
  }
  g_print ("%s: wrote %s (%ux%u, preset %s, radius %g px%s%s)\n", PROGRAM,
      files[1], image->width, image->height, preset->name, radius,
      radius_map != NULL ? ", radius map" : "",
      angle_map != NULL ? ", angle map" : "");
  return EXIT_SUCCESS;
}
