/* disk-element-rate: the diskblur element's time per frame in two or more
 * video formats, their frames alternated in one process, so that the
 * machine's slow minutes weigh on every format alike (docs/PERFORMANCE.md;
 * issue 6's I420 rate against RGBA).
 *
 *   disk-element-rate --plugin build/gst/libgstdiskblur.so --mode depth \
 *       --map tests/data/motorcycle-disparity.png --frames 40
 *
 * One element per format, in a GstHarness: the same input frame (from
 * videotestsrc, pattern smpte) pushed again and again, each push timed
 * until its output frame is back (the element's own threads at work).
 * After --warmup frames of each, --frames rounds of one frame of each
 * format in turn. Prints, per format, the median and the fastest frame in
 * milliseconds, and each format's rate against the first's: median against
 * median, fastest against fastest, and the median over the rounds of the
 * round's ratio (the steadiest on a noisy machine: both frames of a round
 * meet the same minute). Exit status 0, 2 on a bad command
 * line, 1 when the plugin or the element cannot be had. */
#include "tool-args.h"

#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>

#include <stdlib.h>
#include <string.h>

static const gchar *program = "disk-element-rate";

typedef struct
{
  const gchar *format;
  GstHarness *element;
  GstBus *bus;                  /* the element's errors */
  GstBuffer *input;
  gdouble *ms;                  /* one per timed frame */
  gdouble *ratio;               /* the first format's frame over this one's,
                                 * round by round */
} Lane;

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  const gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return (x > y) - (x < y);
}

static gdouble
median (gdouble * v, guint n)
{
  qsort (v, n, sizeof (gdouble), compare_doubles);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* One frame of `caps` from videotestsrc. */
static GstBuffer *
test_frame (const gchar * caps, GError ** error)
{
  g_autofree gchar *line = g_strdup_printf
      ("videotestsrc pattern=smpte num-buffers=1 ! %s ! appsink name=sink",
      caps);
  g_autoptr (GstElement) pipeline = gst_parse_launch (line, error);
  GstElement *sink;
  GstSample *sample = NULL;
  GstBuffer *buffer = NULL;

  if (pipeline == NULL)
    return NULL;
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_signal_emit_by_name (sink, "pull-sample", &sample);
  if (sample != NULL) {
    buffer = gst_buffer_ref (gst_sample_get_buffer (sample));
    gst_sample_unref (sample);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  if (buffer == NULL)
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
        "videotestsrc gave no frame of %s", caps);
  return buffer;
}

/* Pushes the lane's frame once; the milliseconds until its output. */
static gdouble
push_one (Lane * lane)
{
  const gint64 start = g_get_monotonic_time ();
  GstBuffer *out;

  if (gst_harness_push (lane->element, gst_buffer_ref (lane->input))
      != GST_FLOW_OK)
    return -1.0;
  out = gst_harness_pull (lane->element);
  if (out == NULL)
    return -1.0;
  gst_buffer_unref (out);
  return (g_get_monotonic_time () - start) / 1000.0;
}

int
main (int argc, char **argv)
{
  g_autofree gchar *plugin_path = NULL, *mode = NULL, *map = NULL;
  g_autofree gchar *preset = NULL, *formats = NULL, *properties = NULL;
  gdouble radius = 32.0;
  gint frames = 40, warmup = 3, width = 1920, height = 1080;
  GOptionEntry entries[] = {
    {"plugin", 0, 0, G_OPTION_ARG_FILENAME, &plugin_path,
        "The plugin file to load (else the registry's diskblur)", "FILE"},
    {"mode", 0, 0, G_OPTION_ARG_STRING, &mode, "The element's mode", "MODE"},
    {"preset", 0, 0, G_OPTION_ARG_STRING, &preset, "The element's preset",
        "NAME"},
    {"map", 0, 0, G_OPTION_ARG_FILENAME, &map, "The element's map-location",
        "FILE"},
    {"radius", 0, 0, G_OPTION_ARG_DOUBLE, &radius,
        "The element's radius (pixels; 32)", "R"},
    {"properties", 0, 0, G_OPTION_ARG_STRING, &properties,
        "More element properties, as gst-launch-1.0 takes them", "TEXT"},
    {"formats", 0, 0, G_OPTION_ARG_STRING, &formats,
        "Comma-separated video formats, the first the baseline (RGBA,I420)",
        "LIST"},
    {"width", 0, 0, G_OPTION_ARG_INT, &width, "Frame width (1920)", "W"},
    {"height", 0, 0, G_OPTION_ARG_INT, &height, "Frame height (1080)", "H"},
    {"frames", 0, 0, G_OPTION_ARG_INT, &frames,
        "Timed frames of each format (40)", "N"},
    {"warmup", 0, 0, G_OPTION_ARG_INT, &warmup,
        "Untimed frames of each format first (3)", "N"},
    {NULL}
  };
  g_autoptr (GOptionContext) context =
      g_option_context_new ("- the diskblur element's time per frame by format");
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) names = NULL;
  g_autofree gchar *element_line = NULL;
  Lane *lanes;
  guint n, i;
  gint f;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_add_group (context, gst_init_get_option_group ());
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return tool_usage_error (program, NULL, "%s", error->message);
  if (argc > 1)
    return tool_usage_error (program, NULL, "unexpected argument '%s'",
        argv[1]);
  if (frames < 1 || frames > 100000)
    return tool_usage_error (program, "--frames", "must be 1 to 100000");
  if (warmup < 0 || warmup > 1000)
    return tool_usage_error (program, "--warmup", "must be 0 to 1000");
  if (width < 16 || height < 16 || width > 16384 || height > 16384)
    return tool_usage_error (program, "--width/--height",
        "must be 16 to 16384");
  if (!(radius >= 0.0 && radius <= 1000.0))
    return tool_usage_error (program, "--radius", "must be 0 to 1000");

  if (plugin_path != NULL) {
    GstPlugin *plugin = gst_plugin_load_file (plugin_path, &error);

    if (plugin == NULL) {
      g_printerr ("%s: %s: %s\n", program, plugin_path, error->message);
      return 1;
    }
    gst_object_unref (plugin);
  }

  {
    GString *line = g_string_new ("diskblur");

    g_string_append_printf (line, " radius=%g", radius);
    if (mode != NULL)
      g_string_append_printf (line, " mode=%s", mode);
    if (preset != NULL)
      g_string_append_printf (line, " preset=%s", preset);
    if (map != NULL)
      g_string_append_printf (line, " map-location=\"%s\"", map);
    if (properties != NULL)
      g_string_append_printf (line, " %s", properties);
    element_line = g_string_free (line, FALSE);
  }

  names = g_strsplit (formats != NULL ? formats : "RGBA,I420", ",", -1);
  n = g_strv_length (names);
  if (n == 0)
    return tool_usage_error (program, "--formats", "no format given");
  for (i = 0; i < n; i++)
    if (gst_video_format_from_string (names[i]) == GST_VIDEO_FORMAT_UNKNOWN)
      return tool_usage_error (program, "--formats",
          "'%s' is not a video format", names[i]);
  {
    /* gst_harness_new_parse aborts on a line it cannot make: made once
     * here first, for an error that names the property or element */
    GstElement *element = gst_parse_bin_from_description (element_line,
        FALSE, &error);

    if (element == NULL) {
      g_printerr ("%s: %s: %s\n", program, element_line, error->message);
      return 1;
    }
    gst_object_unref (element);
  }
  lanes = g_new0 (Lane, n);
  for (i = 0; i < n; i++) {
    g_autofree gchar *caps = g_strdup_printf
        ("video/x-raw,format=%s,width=%d,height=%d,framerate=30/1",
        names[i], width, height);

    lanes[i].format = names[i];
    lanes[i].element = gst_harness_new_parse (element_line);
    lanes[i].bus = gst_bus_new ();
    gst_element_set_bus (lanes[i].element->element, lanes[i].bus);
    gst_harness_set_caps_str (lanes[i].element, caps, caps);
    lanes[i].input = test_frame (caps, &error);
    if (lanes[i].input == NULL) {
      g_printerr ("%s: %s\n", program, error->message);
      return 1;
    }
    lanes[i].ms = g_new (gdouble, frames);
    lanes[i].ratio = g_new (gdouble, frames);
  }

  g_print ("%s, %dx%d, %d frames of each format, alternated\n", element_line,
      width, height, frames);
  for (f = -warmup; f < frames; f++)
    for (i = 0; i < n; i++) {
      const gdouble ms = push_one (&lanes[i]);

      if (ms < 0.0) {
        GstMessage *m = gst_bus_pop_filtered (lanes[i].bus,
            GST_MESSAGE_ERROR);

        if (m != NULL) {
          g_autoptr (GError) e = NULL;
          g_autofree gchar *debug = NULL;

          gst_message_parse_error (m, &e, &debug);
          g_printerr ("%s: %s: %s (%s)\n", program, lanes[i].format,
              e->message, debug != NULL ? debug : "");
          gst_message_unref (m);
        } else
          g_printerr ("%s: %s: the element gave no frame\n", program,
              lanes[i].format);
        return 1;
      }
      if (f >= 0) {
        lanes[i].ms[f] = ms;
        lanes[i].ratio[f] = lanes[0].ms[f] / ms;
      }
    }

  {
    gdouble base_median = 0.0, base_min = 0.0;

    for (i = 0; i < n; i++) {
      const gdouble m = median (lanes[i].ms, frames), lo = lanes[i].ms[0];

      if (i == 0) {
        base_median = m;
        base_min = lo;
      }
      g_print ("%-6s median %7.2f ms, fastest %7.2f ms; rate against %s: "
          "%.2fx (medians), %.2fx (fastest), %.2fx (median of the rounds)\n",
          lanes[i].format, m, lo, lanes[0].format, base_median / m,
          base_min / lo, median (lanes[i].ratio, frames));
    }
  }

  for (i = 0; i < n; i++) {
    gst_buffer_unref (lanes[i].input);
    gst_harness_teardown (lanes[i].element);
    gst_object_unref (lanes[i].bus);
    g_free (lanes[i].ms);
    g_free (lanes[i].ratio);
  }
  g_free (lanes);
  return 0;
}
