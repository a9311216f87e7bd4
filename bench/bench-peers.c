/* Peers run through their command-line programs (see bench-peers.h). */
#include "bench-peers.h"
#include "bench-util.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static gboolean
run_command_env (gchar ** argv, gchar ** envp, GError ** error)
{
  g_autofree gchar *err = NULL;
  gint status = 0;

  if (!g_spawn_sync (NULL, argv, envp, G_SPAWN_SEARCH_PATH
          | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL)) {
    g_autofree gchar *cmd = g_strjoinv (" ", argv);
    g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
        "command failed: %s: %s", cmd, err ? g_strstrip (err) : "");
    return FALSE;
  }
  return TRUE;
}

static gboolean
run_command (gchar ** argv, GError ** error)
{
  return run_command_env (argv, NULL, error);
}

gboolean
bench_peer_gst_available (const gchar * element)
{
  g_autofree gchar *launch = g_find_program_in_path ("gst-launch-1.0");
  g_autofree gchar *inspect = g_find_program_in_path ("gst-inspect-1.0");
  gchar *argv[] = { (gchar *) "gst-inspect-1.0", (gchar *) "--exists",
    (gchar *) element, NULL
  };

  if (launch == NULL || inspect == NULL)
    return FALSE;
  return run_command (argv, NULL);
}

gboolean
bench_peer_ffmpeg_available (const gchar * filter)
{
  g_autofree gchar *ffmpeg = g_find_program_in_path ("ffmpeg");
  g_autofree gchar *out = NULL;
  gchar *argv[] = { (gchar *) "ffmpeg", (gchar *) "-hide_banner",
    (gchar *) "-filters", NULL
  };
  g_autofree gchar *needle = g_strdup_printf (" %s ", filter);

  if (ffmpeg == NULL)
    return FALSE;
  if (!g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH
          | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, NULL))
    return FALSE;
  return out != NULL && strstr (out, needle) != NULL;
}

static inline guint8
to_byte (gdouble v)
{
  return (guint8) CLAMP (lround (v), 0, 255);
}

guint8 *
bench_rgb_to_ayuv (const DiskImage * rgb)
{
  guint8 *out = g_new (guint8, (gsize) rgb->width * rgb->height * 4);
  guint x, y;

  for (y = 0; y < rgb->height; y++)
    for (x = 0; x < rgb->width; x++) {
      const gfloat *p = disk_image_pixel (rgb, x, y);
      gdouble r = CLAMP (p[0], 0, 1), g = CLAMP (p[1], 0, 1);
      gdouble b = CLAMP (p[2], 0, 1);
      gdouble luma = 0.299 * r + 0.587 * g + 0.114 * b;
      guint8 *o = out + ((gsize) y * rgb->width + x) * 4;

      o[0] = 255;
      o[1] = to_byte (16 + 219 * luma);
      o[2] = to_byte (128 + 224 * (b - luma) / 1.772);
      o[3] = to_byte (128 + 224 * (r - luma) / 1.402);
    }
  return out;
}

DiskImage *
bench_ayuv_luma (const guint8 * ayuv, guint width, guint height)
{
  DiskImage *out = disk_image_new (width, height, 1);
  guint x, y;

  for (y = 0; y < height; y++)
    for (x = 0; x < width; x++)
      disk_image_pixel (out, x, y)[0] =
          (ayuv[((gsize) y * width + x) * 4 + 1] - 16) / 219.0f;
  return out;
}

guint8 *
bench_rgb_to_gbrp (const DiskImage * rgb)
{
  const gsize plane = (gsize) rgb->width * rgb->height;
  guint8 *out = g_new (guint8, plane * 3);
  static const guint order[3] = { 1, 2, 0 };   /* G, B, R */
  guint x, y, k;

  for (k = 0; k < 3; k++)
    for (y = 0; y < rgb->height; y++)
      for (x = 0; x < rgb->width; x++)
        out[k * plane + (gsize) y * rgb->width + x] =
            to_byte (255.0 * disk_image_pixel (rgb, x, y)[order[k]]);
  return out;
}

DiskImage *
bench_gbrp_to_rgb (const guint8 * gbrp, guint width, guint height)
{
  const gsize plane = (gsize) width * height;
  DiskImage *out = disk_image_new (width, height, 3);
  static const guint order[3] = { 1, 2, 0 };
  guint x, y, k;

  for (k = 0; k < 3; k++)
    for (y = 0; y < height; y++)
      for (x = 0; x < width; x++)
        disk_image_pixel (out, x, y)[order[k]] =
            gbrp[k * plane + (gsize) y * width + x] / 255.0f;
  return out;
}

guint8 *
bench_gray8 (const DiskImage * gray)
{
  guint8 *out = g_new (guint8, (gsize) gray->width * gray->height);
  guint x, y;

  for (y = 0; y < gray->height; y++)
    for (x = 0; x < gray->width; x++)
      out[(gsize) y * gray->width + x] =
          to_byte (255.0 * disk_image_pixel (gray, x, y)[0]);
  return out;
}

/* Writes `frames` copies of `data` to `path`. */
static gboolean
write_frames (const gchar * path, const guint8 * data, gsize size,
    guint frames, GError ** error)
{
  g_autofree guint8 *all = g_malloc (size * frames);
  guint i;

  for (i = 0; i < frames; i++)
    memcpy (all + i * size, data, size);
  return g_file_set_contents (path, (const gchar *) all, size * frames, error);
}

static guint8 *
read_frame (const gchar * path, gsize size, GError ** error)
{
  gchar *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;
  if (length < size) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
        "%s: expected a frame of %" G_GSIZE_FORMAT " bytes, got %"
        G_GSIZE_FORMAT, path, size, length);
    g_free (data);
    return NULL;
  }
  return (guint8 *) data;
}

static gchar **
gst_argv (const gchar * input, const gchar * element_desc, const gchar * sink,
    guint width, guint height)
{
  g_autofree gchar *line = g_strdup_printf ("filesrc location=%s "
      "blocksize=%u ! rawvideoparse width=%u height=%u format=ayuv "
      "framerate=25/1 ! %s ! %s", input, width * height * 4, width, height,
      element_desc, sink);
  g_autofree gchar *cmd = g_strdup_printf ("gst-launch-1.0 -q %s", line);

  return g_strsplit (cmd, " ", -1);
}

guint8 *
bench_peer_gst_run (const gchar * scratch, const gchar * element_desc,
    const guint8 * ayuv, guint width, guint height, GError ** error)
{
  const gsize size = (gsize) width * height * 4;
  g_autofree gchar *in = g_build_filename (scratch, "gst-in.ayuv", NULL);
  g_autofree gchar *out = g_build_filename (scratch, "gst-out.ayuv", NULL);
  g_autofree gchar *sink = g_strdup_printf ("filesink location=%s", out);
  g_auto (GStrv) argv = NULL;

  if (!write_frames (in, ayuv, size, 1, error))
    return NULL;
  argv = gst_argv (in, element_desc, sink, width, height);
  if (!run_command (argv, error))
    return NULL;
  return read_frame (out, size, error);
}

static gdouble
time_argv (gchar ** argv, GError ** error)
{
  gint64 start = g_get_monotonic_time ();

  if (!run_command (argv, error))
    return NAN;
  return (g_get_monotonic_time () - start) / 1000.0;
}

/* Median over runs of (timed - baseline), interleaving the two so that a
 * load change on the machine affects both alike. */
static gdouble
time_pair (gchar ** timed, gchar ** baseline, guint frames, guint runs,
    GError ** error)
{
  g_autofree gdouble *diff = g_new (gdouble, MAX (runs, 1));
  guint i;

  for (i = 0; i < MAX (runs, 1); i++) {
    gdouble a = time_argv (timed, error);
    gdouble b;

    if (isnan (a))
      return NAN;
    b = time_argv (baseline, error);
    if (isnan (b))
      return NAN;
    diff[i] = (a - b) / frames;
  }
  return bench_median (diff, MAX (runs, 1));
}

gdouble
bench_peer_gst_time (const gchar * scratch, const gchar * element_desc,
    const guint8 * ayuv, guint width, guint height, guint frames, guint runs,
    GError ** error)
{
  const gsize size = (gsize) width * height * 4;
  g_autofree gchar *in = g_build_filename (scratch, "gst-time.ayuv", NULL);
  g_auto (GStrv) timed = NULL;
  g_auto (GStrv) baseline = NULL;
  gdouble ms;

  if (!write_frames (in, ayuv, size, frames, error))
    return NAN;
  timed = gst_argv (in, element_desc, "fakesink", width, height);
  baseline = gst_argv (in, "identity", "fakesink", width, height);
  ms = time_pair (timed, baseline, frames, runs, error);
  g_unlink (in);
  return ms;
}

static gchar **
ffmpeg_argv (const gchar * input, const gchar * second, const gchar * graph,
    const gchar * output, guint width, guint height)
{
  GPtrArray *a = g_ptr_array_new ();
  g_autofree gchar *size = g_strdup_printf ("%ux%u", width, height);

#define ADD(s) g_ptr_array_add (a, g_strdup (s))
  ADD ("ffmpeg");
  ADD ("-v");
  ADD ("error");
  ADD ("-nostdin");
  ADD ("-threads");
  ADD ("1");
  ADD ("-filter_threads");
  ADD ("1");
  ADD ("-filter_complex_threads");
  ADD ("1");
  ADD ("-f");
  ADD ("rawvideo");
  ADD ("-pix_fmt");
  ADD ("gbrp");
  ADD ("-s");
  ADD (size);
  ADD ("-i");
  ADD (input);
  if (second) {
    ADD ("-f");
    ADD ("rawvideo");
    ADD ("-pix_fmt");
    ADD ("gray");
    ADD ("-s");
    ADD (size);
    ADD ("-i");
    ADD (second);
  }
  ADD ("-filter_complex");
  ADD (graph);
  ADD ("-map");
  ADD ("[out]");
  ADD ("-f");
  if (output) {
    ADD ("rawvideo");
    ADD ("-pix_fmt");
    ADD ("gbrp");
    ADD ("-y");
    ADD (output);
  } else {
    ADD ("null");
    ADD ("-");
  }
#undef ADD
  g_ptr_array_add (a, NULL);
  return (gchar **) g_ptr_array_free (a, FALSE);
}

guint8 *
bench_peer_ffmpeg_run (const gchar * scratch, const gchar * graph,
    const guint8 * gbrp, const guint8 * second, guint width, guint height,
    GError ** error)
{
  const gsize size = (gsize) width * height * 3;
  g_autofree gchar *in = g_build_filename (scratch, "ff-in.gbrp", NULL);
  g_autofree gchar *in2 = g_build_filename (scratch, "ff-in2.gray", NULL);
  g_autofree gchar *out = g_build_filename (scratch, "ff-out.gbrp", NULL);
  g_auto (GStrv) argv = NULL;

  if (!write_frames (in, gbrp, size, 1, error))
    return NULL;
  if (second && !write_frames (in2, second, (gsize) width * height, 1, error))
    return NULL;
  argv = ffmpeg_argv (in, second ? in2 : NULL, graph, out, width, height);
  if (!run_command (argv, error))
    return NULL;
  return read_frame (out, size, error);
}

gdouble
bench_peer_ffmpeg_time (const gchar * scratch, const gchar * graph,
    const gchar * null_graph, const guint8 * gbrp, const guint8 * second,
    guint width, guint height, guint frames, guint runs, GError ** error)
{
  const gsize size = (gsize) width * height * 3;
  g_autofree gchar *in = g_build_filename (scratch, "ff-time.gbrp", NULL);
  g_autofree gchar *in2 = g_build_filename (scratch, "ff-time2.gray", NULL);
  g_auto (GStrv) timed = NULL;
  g_auto (GStrv) baseline = NULL;
  gdouble ms;

  if (!write_frames (in, gbrp, size, frames, error))
    return NAN;
  if (second && !write_frames (in2, second, (gsize) width * height, frames,
          error))
    return NAN;
  timed = ffmpeg_argv (in, second ? in2 : NULL, graph, NULL, width, height);
  baseline = ffmpeg_argv (in, second ? in2 : NULL, null_graph, NULL, width,
      height);
  ms = time_pair (timed, baseline, frames, runs, error);
  g_unlink (in);
  g_unlink (in2);
  return ms;
}

gdouble
bench_peer_gst_pipeline_steady_ms (const gchar * timed_short,
    const gchar * timed_long, const gchar * baseline_short, guint n_short,
    guint n_long, guint runs, const gchar * plugin_path, gdouble * start_ms,
    GError ** error)
{
  g_auto (GStrv) envp = g_get_environ ();
  const gchar *lines[3] = { timed_short, timed_long, baseline_short };
  GStrv argv[3] = { NULL, NULL, NULL };
  g_autofree gdouble *per_frame = g_new (gdouble, MAX (runs, 1));
  g_autofree gdouble *start = g_new (gdouble, MAX (runs, 1));
  gdouble result = NAN;
  guint i, k;

  g_return_val_if_fail (n_long > n_short, NAN);
  if (plugin_path)
    envp = g_environ_setenv (envp, "GST_PLUGIN_PATH", plugin_path, TRUE);
  for (k = 0; k < 3; k++) {
    g_autofree gchar *line = g_strdup_printf ("gst-launch-1.0 -q %s",
        lines[k]);

    if (!g_shell_parse_argv (line, NULL, &argv[k], error))
      goto out;
  }
  for (i = 0; i < MAX (runs, 1); i++) {
    gdouble ms[3];

    for (k = 0; k < 3; k++) {
      const gint64 t0 = g_get_monotonic_time ();

      if (!run_command_env (argv[k], envp, error))
        goto out;
      ms[k] = (g_get_monotonic_time () - t0) / 1000.0;
    }
    per_frame[i] = (ms[1] - ms[0]) / (n_long - n_short);
    start[i] = ms[0] - ms[2] - n_short * per_frame[i];
  }
  result = bench_median (per_frame, MAX (runs, 1));
  if (start_ms)
    *start_ms = bench_median (start, MAX (runs, 1));
out:
  for (k = 0; k < 3; k++)
    g_strfreev (argv[k]);
  return result;
}
