/* Tests of the diskblur element through GstHarness (GLib GTest, TAP).
 *
 * References are computed here, independently of the element's code:
 *  - per format, frames are written and read with GStreamer's own component
 *    layout macros, and each component is filtered on its own with the core's
 *    reference filter (disk-filter.h) — premultiplied by alpha where there is
 *    one, with the kernel scaled for subsampled planes — then rounded;
 *  - per mode, each pixel's radius and angle come from the formulas of
 *    docs/ELEMENT.md evaluated here, and a dense per-pixel gather with the
 *    true kernel (a disc rendered here, or a line of 512 points) gives the
 *    "ground truth" the sparse complex approximates.
 * Environment: GST_PLUGIN_PATH (the build's gst/), DISK_TEST_DATA (photos),
 * DISK_PRESETS_DIR (presets/, the built-in preset files). */
#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gst/check/gstharness.h>
#include <gst/controller/gstdirectcontrolbinding.h>
#include <gst/controller/gstinterpolationcontrolsource.h>
#include <gst/video/video.h>

#include <math.h>
#include <string.h>

#include "disk-fast.h"
#include "disk-filter.h"
#include "disk-image-io.h"
#include "disk-metrics.h"
#include "disk-preset.h"

#define META_NAME "DiskBlurMapMeta"

static gchar *tmp_dir;
static DiskPreset *bokeh;       /* the built-in preset, read from its file */
static DiskPreset *shift;       /* one sample at (+3, -2) at radius 4 */
static DiskPreset *line;        /* an exact line of 64 points, length 2 r */
static gchar *shift_path, *line_path;
static DiskImage *astronaut;    /* 96 x 96 RGB photo */

/* ------------------------------------------------------------------------ */
/* Helpers: presets, frames, harness */

static gchar *
data_path (const gchar * name)
{
  const gchar *dir = g_getenv ("DISK_TEST_DATA");

  g_assert_nonnull (dir);
  return g_build_filename (dir, name, NULL);
}

static DiskImage *
load_photo (const gchar * name)
{
  g_autofree gchar *path = data_path (name);
  g_autoptr (GError) error = NULL;
  DiskImage *image = disk_image_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (image);
  return image;
}

/* Saves a one-structure preset whose entries are `entries` at `radii`. */
static gchar *
save_preset (const gchar * name, guint n_entries, const gdouble * radii,
    DiskComplex ** entries)
{
  g_autoptr (GError) error = NULL;
  g_autofree gchar *file = g_strconcat (name, ".preset", NULL);
  gchar *path = g_build_filename (tmp_dir, file, NULL);
  DiskBasis *basis = disk_basis_new (n_entries, radii, entries, &error);
  g_autoptr (DiskPreset) preset = NULL;

  g_assert_no_error (error);
  preset = disk_preset_new (name, "test preset", "disc", "test-element",
      1, basis, NULL);
  g_assert_true (disk_preset_save_file (preset, path, &error));
  g_assert_no_error (error);
  return path;
}

static DiskPreset *
load_preset (const gchar * path)
{
  g_autoptr (GError) error = NULL;
  DiskPreset *preset = disk_preset_load_file (path, &error);

  g_assert_no_error (error);
  return preset;
}

static void
make_test_presets (void)
{
  const guint one = 1, two[2] = { 8, 8 };
  const gdouble shift_radius[1] = { 4.0 };
  const gdouble line_radii[2] = { 1.0, 64.0 };
  g_autoptr (DiskComplex) s = disk_complex_new (1, &one);
  DiskComplex *l[2];
  guint k, i;

  s->samples[0].x = 3.0f;
  s->samples[0].y = -2.0f;
  s->samples[0].w = 1.0f;
  shift_path = save_preset ("shift", 1, shift_radius, &s);
  shift = load_preset (shift_path);

  /* 8 x 8 = 64 points evenly spaced on [-r, r] along x: layer 0 the coarse
   * comb (step 2r/8), layer 1 the fine one (step 2r/64). The same shape at
   * both radii, so interpolation is exact at every radius. */
  for (k = 0; k < 2; k++) {
    gdouble r = line_radii[k];

    l[k] = disk_complex_new (2, two);
    for (i = 0; i < 8; i++) {
      DiskSample *a = disk_complex_layer (l[k], 0) + i;
      DiskSample *b = disk_complex_layer (l[k], 1) + i;

      a->x = (gfloat) ((i - 3.5) * 2.0 * r / 8.0);
      b->x = (gfloat) ((i - 3.5) * 2.0 * r / 64.0);
      a->y = b->y = 0.0f;
      a->w = b->w = 1.0f / 8.0f;
    }
  }
  line_path = save_preset ("line", 2, line_radii, l);
  line = load_preset (line_path);
  disk_complex_free (l[0]);
  disk_complex_free (l[1]);
}

static guint
comp_max (const GstVideoFrame * f, guint c)
{
  return GST_VIDEO_FRAME_COMP_DEPTH (f, c) > 8 ? 65535 : 255;
}

static guint8 *
comp_ptr (const GstVideoFrame * f, guint c, guint x, guint y)
{
  return (guint8 *) GST_VIDEO_FRAME_COMP_DATA (f, c)
      + (gsize) y * GST_VIDEO_FRAME_COMP_STRIDE (f, c)
      + (gsize) x * GST_VIDEO_FRAME_COMP_PSTRIDE (f, c);
}

static guint
read_comp (const GstVideoFrame * f, guint c, guint x, guint y)
{
  const guint8 *p = comp_ptr (f, c, x, y);

  return comp_max (f, c) > 255 ? GST_READ_UINT16_LE (p) : p[0];
}

static void
write_comp (GstVideoFrame * f, guint c, guint x, guint y, guint v)
{
  guint8 *p = comp_ptr (f, c, x, y);

  if (comp_max (f, c) > 255)
    GST_WRITE_UINT16_LE (p, v);
  else
    p[0] = v;
}

static GstVideoInfo
video_info (GstVideoFormat format, guint width, guint height)
{
  GstVideoInfo info;

  g_assert_true (gst_video_info_set_format (&info, format, width, height));
  GST_VIDEO_INFO_FPS_N (&info) = 30;
  GST_VIDEO_INFO_FPS_D (&info) = 1;
  return info;
}

/* An empty frame buffer; with `pad` > 0 every plane's stride is `pad` bytes
 * larger than GStreamer's default, described by a GstVideoMeta. */
static GstBuffer *
new_frame (const GstVideoInfo * info, guint pad)
{
  GstVideoInfo padded = *info;
  GstBuffer *buffer;
  gsize offset = 0;
  guint p;

  if (pad == 0)
    return gst_buffer_new_and_alloc (GST_VIDEO_INFO_SIZE (info));
  for (p = 0; p < GST_VIDEO_INFO_N_PLANES (info); p++) {
    gint comp[GST_VIDEO_MAX_COMPONENTS];
    guint rows;

    gst_video_format_info_component (info->finfo, p, comp);
    rows = GST_VIDEO_INFO_COMP_HEIGHT (info, comp[0]);
    padded.stride[p] = info->stride[p] + pad;
    padded.offset[p] = offset;
    offset += (gsize) padded.stride[p] * rows;
  }
  buffer = gst_buffer_new_and_alloc (offset + 64);
  gst_buffer_memset (buffer, 0, 0x5a, offset + 64);
  gst_buffer_add_video_meta_full (buffer, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_INFO_FORMAT (info), GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), GST_VIDEO_INFO_N_PLANES (info),
      padded.offset, padded.stride);
  return buffer;
}

static gboolean
is_alpha (const GstVideoInfo * info, guint c)
{
  return GST_VIDEO_INFO_HAS_ALPHA (info) && c == GST_VIDEO_COMP_A;
}

/* The test picture: photo channels for colour components, and for alpha a
 * pattern with fully transparent, partial and opaque regions. */
static gfloat
picture (const GstVideoInfo * info, guint c, guint x, guint y)
{
  if (is_alpha (info, c)) {
    gdouble a = 0.5 + 0.8 * sin (x * 0.45) * cos (y * 0.3);
    return (gfloat) CLAMP (a, 0.0, 1.0);
  }
  return disk_image_pixel (astronaut, (x * 2 + c) % astronaut->width,
      (y * 2 + 3 * c) % astronaut->height)[c % 3];
}

/* Fills every component with the picture, quantised. */
static GstBuffer *
make_picture_frame (const GstVideoInfo * info, guint pad)
{
  GstBuffer *buffer = new_frame (info, pad);
  GstVideoFrame f;
  guint c, x, y;

  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_WRITE));
  for (c = 0; c < GST_VIDEO_INFO_N_COMPONENTS (info); c++) {
    guint max = comp_max (&f, c);

    for (y = 0; y < (guint) GST_VIDEO_FRAME_COMP_HEIGHT (&f, c); y++)
      for (x = 0; x < (guint) GST_VIDEO_FRAME_COMP_WIDTH (&f, c); x++)
        write_comp (&f, c, x, y,
            (guint) lround (picture (info, c, x, y) * max));
  }
  gst_video_frame_unmap (&f);
  return buffer;
}

/* A component as a float image in [0, 1]. */
static DiskImage *
frame_comp (const GstVideoInfo * info, GstBuffer * buffer, guint c)
{
  GstVideoFrame f;
  DiskImage *image;
  guint x, y;

  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_READ));
  image = disk_image_new (GST_VIDEO_FRAME_COMP_WIDTH (&f, c),
      GST_VIDEO_FRAME_COMP_HEIGHT (&f, c), 1);
  for (y = 0; y < image->height; y++)
    for (x = 0; x < image->width; x++)
      disk_image_pixel (image, x, y)[0] =
          (gfloat) read_comp (&f, c, x, y) / comp_max (&f, c);
  gst_video_frame_unmap (&f);
  return image;
}

/* The enum value of a mode nick ("tilt-shift" ...). */
static gint
mode_value (const gchar * nick)
{
  GType type = g_type_from_name ("GstDiskBlurMode");
  g_autoptr (GEnumClass) klass = NULL;
  GEnumValue *value;

  g_assert_true (type != 0);
  klass = g_type_class_ref (type);
  value = g_enum_get_value_by_nick (klass, nick);
  g_assert_nonnull (value);
  return value->value;
}

static GstHarness *
harness_new (const GstVideoInfo * info, const gchar * first_property, ...)
{
  GstHarness *h = gst_harness_new ("diskblur");
  va_list args;

  g_assert_nonnull (h);
  va_start (args, first_property);
  if (first_property != NULL)
    g_object_set_valist (G_OBJECT (h->element), first_property, args);
  va_end (args);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (info));
  return h;
}

/* Runs one frame through a new element with the given properties. */
static GstBuffer *
run_one (const GstVideoInfo * info, GstBuffer * in, const gchar * first, ...)
{
  GstHarness *h = gst_harness_new ("diskblur");
  GstBuffer *out;
  va_list args;

  va_start (args, first);
  if (first != NULL)
    g_object_set_valist (G_OBJECT (h->element), first, args);
  va_end (args);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (info));
  out = gst_harness_push_and_pull (h, in);
  g_assert_nonnull (out);
  gst_harness_teardown (h);
  return out;
}

/* ------------------------------------------------------------------------ */
/* Reference: the core filter, component by component */

static DiskComplex *
uniform_complex (const DiskPreset * preset, gdouble radius, gdouble angle,
    guint sub_x, guint sub_y)
{
  DiskComplex *c = disk_basis_new_complex (preset->basis);
  guint i;

  disk_basis_interpolate (preset->basis, radius, angle, c);
  for (i = 0; i < c->total; i++) {
    c->samples[i].x /= (gfloat) sub_x;
    c->samples[i].y /= (gfloat) sub_y;
  }
  return c;
}

static DiskImage *
filter_uniform (const DiskComplex * c, const DiskImage * in)
{
  DiskImage *out = disk_image_new (in->width, in->height, in->channels);

  disk_filter_uniform (c, in, out);
  return out;
}

/* The expected value (0..max) of every pixel of component c: premultiplied
 * by alpha when the format has one, filtered, divided back, rounded. */
static DiskImage *
expected_comp (const GstVideoInfo * info, GstBuffer * in, guint c,
    const DiskPreset * preset, gdouble radius, gdouble angle)
{
  const GstVideoFormatInfo *finfo = info->finfo;
  guint sub_x = 1u << GST_VIDEO_FORMAT_INFO_W_SUB (finfo, c);
  guint sub_y = 1u << GST_VIDEO_FORMAT_INFO_H_SUB (finfo, c);
  guint max = GST_VIDEO_FORMAT_INFO_DEPTH (finfo, c) > 8 ? 65535 : 255;
  g_autoptr (DiskComplex) k = uniform_complex (preset, radius, angle, sub_x,
      sub_y);
  g_autoptr (DiskImage) v = frame_comp (info, in, c);
  DiskImage *result;
  guint x, y;

  if (GST_VIDEO_INFO_HAS_ALPHA (info) && c != GST_VIDEO_COMP_A) {
    g_autoptr (DiskImage) a = frame_comp (info, in, GST_VIDEO_COMP_A);
    g_autoptr (DiskImage) fa = NULL;

    for (y = 0; y < v->height; y++)
      for (x = 0; x < v->width; x++)
        disk_image_pixel (v, x, y)[0] *= disk_image_pixel (a, x, y)[0];
    fa = filter_uniform (k, a);
    result = filter_uniform (k, v);
    for (y = 0; y < v->height; y++)
      for (x = 0; x < v->width; x++) {
        gfloat *r = disk_image_pixel (result, x, y);
        gfloat al = disk_image_pixel (fa, x, y)[0];
        r[0] = al > 0.0f ? r[0] / al : 0.0f;
      }
  } else {
    result = filter_uniform (k, v);
  }
  for (y = 0; y < v->height; y++)
    for (x = 0; x < v->width; x++) {
      gfloat *r = disk_image_pixel (result, x, y);
      r[0] = (gfloat) floor (CLAMP (r[0], 0.0f, 1.0f) * max + 0.5);
    }
  return result;
}

/* Max |output - expected| over every component, in LSB of that component. */
static guint
max_error_uniform (const GstVideoInfo * info, GstBuffer * in, GstBuffer * out,
    const DiskPreset * preset, gdouble radius, gdouble angle)
{
  GstVideoFrame f;
  guint c, x, y, worst = 0;

  g_assert_true (gst_video_frame_map (&f, info, out, GST_MAP_READ));
  for (c = 0; c < GST_VIDEO_INFO_N_COMPONENTS (info); c++) {
    g_autoptr (DiskImage) e = expected_comp (info, in, c, preset, radius,
        angle);

    for (y = 0; y < e->height; y++)
      for (x = 0; x < e->width; x++) {
        gint d = (gint) read_comp (&f, c, x, y)
            - (gint) disk_image_pixel (e, x, y)[0];
        worst = MAX (worst, (guint) ABS (d));
      }
  }
  gst_video_frame_unmap (&f);
  return worst;
}

static const GstVideoFormat all_formats[] = {
  GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_BGRA, GST_VIDEO_FORMAT_ARGB,
  GST_VIDEO_FORMAT_ABGR, GST_VIDEO_FORMAT_RGBx, GST_VIDEO_FORMAT_BGRx,
  GST_VIDEO_FORMAT_xRGB, GST_VIDEO_FORMAT_xBGR, GST_VIDEO_FORMAT_RGB,
  GST_VIDEO_FORMAT_BGR, GST_VIDEO_FORMAT_AYUV, GST_VIDEO_FORMAT_I420,
  GST_VIDEO_FORMAT_YV12, GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_NV21,
  GST_VIDEO_FORMAT_Y42B, GST_VIDEO_FORMAT_Y444, GST_VIDEO_FORMAT_GRAY8,
  GST_VIDEO_FORMAT_GRAY16_LE, GST_VIDEO_FORMAT_RGBA64_LE,
};

/* ------------------------------------------------------------------------ */
/* Tests: formats, caps, reference */

/* Every format negotiates as itself and matches the core reference within
 * 1 LSB, the kernel rotated and scaled for subsampled planes. */
static void
test_formats_match_reference (void)
{
  guint i;

  for (i = 0; i < G_N_ELEMENTS (all_formats); i++) {
    GstVideoInfo info = video_info (all_formats[i], 29, 19);
    g_autoptr (GstCaps) caps = gst_video_info_to_caps (&info);
    g_autoptr (GstCaps) negotiated = NULL;
    GstHarness *h = harness_new (&info, "radius", 3.5, "angle", 30.0, NULL);
    GstBuffer *in = make_picture_frame (&info, 0);
    GstBuffer *out = gst_harness_push_and_pull (h, gst_buffer_ref (in));
    guint worst;

    g_assert_nonnull (out);
    negotiated = gst_pad_get_current_caps (h->sinkpad);
    g_assert_true (gst_caps_is_equal (negotiated, caps));
    g_assert_cmpuint (gst_buffer_get_size (out), ==, GST_VIDEO_INFO_SIZE (&info));
    worst = max_error_uniform (&info, in, out, bokeh, 3.5, 30.0);
    g_test_message ("%s: max error %u LSB",
        gst_video_format_to_string (all_formats[i]), worst);
    g_assert_cmpuint (worst, <=, 1);
    gst_buffer_unref (in);
    gst_buffer_unref (out);
    gst_harness_teardown (h);
  }
}

static void
test_caps_refused (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_UYVY, 8, 8);
  GstHarness *h = harness_new (&info, NULL);
  GstBuffer *in = gst_buffer_new_and_alloc (GST_VIDEO_INFO_SIZE (&info));

  g_assert_cmpint (gst_harness_push (h, in), ==, GST_FLOW_NOT_NEGOTIATED);
  gst_harness_teardown (h);
}

/* Tiny and odd sizes, and strides padded through a GstVideoMeta. */
static void
test_frame_sizes_and_strides (void)
{
  static const GstVideoFormat formats[] = {
    GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_RGB, GST_VIDEO_FORMAT_I420,
    GST_VIDEO_FORMAT_NV12, GST_VIDEO_FORMAT_Y42B, GST_VIDEO_FORMAT_GRAY8,
    GST_VIDEO_FORMAT_RGBA64_LE,
  };
  static const guint sizes[][2] = {
    {1, 1}, {2, 2}, {3, 5}, {7, 3}, {17, 9}, {33, 7}, {5, 31},
  };
  guint i, j, pad;

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    for (j = 0; j < G_N_ELEMENTS (sizes); j++)
      for (pad = 0; pad <= 16; pad += 16) {
        GstVideoInfo info = video_info (formats[i], sizes[j][0], sizes[j][1]);
        GstBuffer *in = make_picture_frame (&info, pad);
        GstBuffer *out = run_one (&info, gst_buffer_ref (in), "radius", 2.5,
            "n-threads", 3, NULL);
        guint worst = max_error_uniform (&info, in, out, bokeh, 2.5, 0.0);

        if (worst > 1)
          g_test_message ("%s %ux%u pad %u: max error %u",
              gst_video_format_to_string (formats[i]), sizes[j][0],
              sizes[j][1], pad, worst);
        g_assert_cmpuint (worst, <=, 1);
        gst_buffer_unref (in);
        gst_buffer_unref (out);
      }
}

/* A constant frame stays exactly constant, in every mode (the complex's
 * weights sum to 1 and clamp to edge adds nothing). */
static void
test_flat_frame (void)
{
  static const GstVideoFormat formats[] = {
    GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV12,
    GST_VIDEO_FORMAT_GRAY16_LE,
  };
  static const gchar *modes[] = { "uniform", "tilt-shift", "spin", "zoom" };
  guint i, m;

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    for (m = 0; m < G_N_ELEMENTS (modes); m++) {
      GstVideoInfo info = video_info (formats[i], 21, 13);
      GstBuffer *in = new_frame (&info, 0);
      GstBuffer *out;
      GstVideoFrame f;
      guint c, x, y;

      g_assert_true (gst_video_frame_map (&f, &info, in, GST_MAP_WRITE));
      for (c = 0; c < GST_VIDEO_INFO_N_COMPONENTS (&info); c++)
        for (y = 0; y < (guint) GST_VIDEO_FRAME_COMP_HEIGHT (&f, c); y++)
          for (x = 0; x < (guint) GST_VIDEO_FRAME_COMP_WIDTH (&f, c); x++)
            write_comp (&f, c, x, y, comp_max (&f, c) * (c + 2) / 7);
      gst_video_frame_unmap (&f);

      out = run_one (&info, gst_buffer_ref (in), "radius", 6.0, "mode",
          mode_value (modes[m]), NULL);
      g_assert_true (gst_video_frame_map (&f, &info, out, GST_MAP_READ));
      for (c = 0; c < GST_VIDEO_INFO_N_COMPONENTS (&info); c++)
        for (y = 0; y < (guint) GST_VIDEO_FRAME_COMP_HEIGHT (&f, c); y++)
          for (x = 0; x < (guint) GST_VIDEO_FRAME_COMP_WIDTH (&f, c); x++)
            g_assert_cmpuint (read_comp (&f, c, x, y), ==,
                comp_max (&f, c) * (c + 2) / 7);
      gst_video_frame_unmap (&f);
      gst_buffer_unref (in);
      gst_buffer_unref (out);
    }
}

/* ------------------------------------------------------------------------ */
/* The mode formulas, written here from docs/ELEMENT.md */

typedef struct
{
  const gchar *mode;
  const gchar *location;        /* preset file, NULL = built-in bokeh */
  gdouble radius, angle;
  gdouble cx, cy;
  gdouble focus_angle, focus_width, focus_falloff;
  gdouble focus_depth, depth_range;
  const gchar *map_path, *angle_map_path;
  DiskImage *map, *angle_map;   /* the same files, loaded here */
} Effect;

static void
effect_init (Effect * e, const gchar * mode, gdouble radius)
{
  memset (e, 0, sizeof (*e));
  e->mode = mode;
  e->radius = radius;
  e->cx = e->cy = 0.5;
  e->focus_width = 0.2;
  e->focus_falloff = 0.3;
  e->focus_depth = 0.5;
  e->depth_range = 0.5;
}

static void
effect_clear (Effect * e)
{
  g_clear_pointer (&e->map, disk_image_free);
  g_clear_pointer (&e->angle_map, disk_image_free);
}

/* Bilinear read, clamp to edge, of a one-channel image at (u, v). */
static gdouble
bilinear (const DiskImage * im, gdouble u, gdouble v, guint c)
{
  gdouble fu = floor (u), fv = floor (v), ax = u - fu, ay = v - fv;
  gint x0 = (gint) fu, y0 = (gint) fv;
  gint xa = CLAMP (x0, 0, (gint) im->width - 1);
  gint xb = CLAMP (x0 + 1, 0, (gint) im->width - 1);
  gint ya = CLAMP (y0, 0, (gint) im->height - 1);
  gint yb = CLAMP (y0 + 1, 0, (gint) im->height - 1);

  return (1 - ay) * ((1 - ax) * disk_image_pixel (im, xa, ya)[c]
      + ax * disk_image_pixel (im, xb, ya)[c])
      + ay * ((1 - ax) * disk_image_pixel (im, xa, yb)[c]
      + ax * disk_image_pixel (im, xb, yb)[c]);
}

/* A map covering a W x H frame, read at frame position (X, Y). */
static gdouble
map_at (const DiskImage * map, guint w, guint h, gdouble X, gdouble Y)
{
  return bilinear (map, X * map->width / w - 0.5, Y * map->height / h - 0.5,
      0);
}

/* R and A at frame position (X, Y) = pixel centre (x + 0.5, y + 0.5). */
static void
effect_at (const Effect * e, guint w, guint h, gdouble X, gdouble Y,
    gdouble * radius, gdouble * angle)
{
  gdouble cx = e->cx * w, cy = e->cy * h;
  gdouble r = e->radius, a = e->angle;

  if (g_str_equal (e->mode, "tilt-shift")) {
    gdouble t = e->focus_angle * G_PI / 180.0;
    gdouble d = fabs ((Y - cy) * cos (t) - (X - cx) * sin (t)) / h;
    r *= CLAMP ((d - e->focus_width / 2) / e->focus_falloff, 0.0, 1.0);
  } else if (g_str_equal (e->mode, "spin") || g_str_equal (e->mode, "zoom")) {
    gdouble far = 0.0;
    gdouble corners[4][2] = { {0, 0}, {w, 0}, {0, h}, {w, h} };
    guint k;

    for (k = 0; k < 4; k++)
      far = MAX (far, hypot (corners[k][0] - cx, corners[k][1] - cy));
    r *= hypot (X - cx, Y - cy) / far;
    a += atan2 (Y - cy, X - cx) * 180.0 / G_PI
        + (g_str_equal (e->mode, "spin") ? 90.0 : 0.0);
  } else if (g_str_equal (e->mode, "map") || g_str_equal (e->mode, "depth")) {
    gdouble m = CLAMP (map_at (e->map, w, h, X, Y), 0.0, 1.0);

    if (g_str_equal (e->mode, "map"))
      r *= m;
    else
      r *= CLAMP (fabs (m - e->focus_depth) / e->depth_range, 0.0, 1.0);
    if (e->angle_map)
      a += 360.0 * map_at (e->angle_map, w, h, X, Y);
  }
  *radius = r;
  *angle = a;
}

static void
effect_maps (const Effect * e, guint w, guint h, gfloat ** radius,
    gfloat ** angle)
{
  guint x, y;

  *radius = g_new (gfloat, (gsize) w * h);
  *angle = g_new (gfloat, (gsize) w * h);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gdouble r, a;

      effect_at (e, w, h, x + 0.5, y + 0.5, &r, &a);
      (*radius)[(gsize) y * w + x] = (gfloat) r;
      (*angle)[(gsize) y * w + x] = (gfloat) a;
    }
}

static GstBuffer *
run_effect (const Effect * e, const GstVideoInfo * info, GstBuffer * in,
    guint n_threads)
{
  return run_one (info, in, "location", e->location, "mode",
      mode_value (e->mode), "radius", e->radius, "angle", e->angle,
      "center-x", e->cx, "center-y", e->cy, "focus-angle", e->focus_angle,
      "focus-width", e->focus_width, "focus-falloff", e->focus_falloff,
      "focus-depth", e->focus_depth, "depth-range", e->depth_range,
      "map-location", e->map_path, "angle-map-location", e->angle_map_path,
      "n-threads", n_threads, NULL);
}

/* ------------------------------------------------------------------------ */
/* Dense per-pixel references */

/* Area of the pixel square centred at (px, py) inside the circle of radius
 * r at the origin (16 x 16 supersampling on the boundary). */
static gdouble
disc_coverage (gdouble px, gdouble py, gdouble r)
{
  gdouble nx = MAX (fabs (px) - 0.5, 0.0), ny = MAX (fabs (py) - 0.5, 0.0);
  gdouble fx = fabs (px) + 0.5, fy = fabs (py) + 0.5;
  guint i, j, in = 0;

  if (fx * fx + fy * fy <= r * r)
    return 1.0;
  if (nx * nx + ny * ny >= r * r)
    return 0.0;
  for (j = 0; j < 16; j++)
    for (i = 0; i < 16; i++) {
      gdouble sx = px - 0.5 + (i + 0.5) / 16, sy = py - 0.5 + (j + 0.5) / 16;
      in += sx * sx + sy * sy <= r * r;
    }
  return in / 256.0;
}

/* out(p) = sum_d K_p(d) in(p - d): the disc of the pixel's own radius. */
static void
dense_disc_pixel (const DiskImage * in, gint x, gint y, gdouble r, gfloat * out)
{
  gdouble acc[4] = { 0 }, sum = 0.0;
  gint h = (gint) ceil (r + 0.5), dx, dy;
  guint c;

  if (r < 0.5) {
    for (c = 0; c < in->channels; c++)
      out[c] = disk_image_pixel (in, x, y)[c];
    return;
  }
  for (dy = -h; dy <= h; dy++)
    for (dx = -h; dx <= h; dx++) {
      gdouble k = disc_coverage (dx, dy, r);
      const gfloat *p;

      if (k == 0.0)
        continue;
      p = disk_image_pixel (in, CLAMP (x - dx, 0, (gint) in->width - 1),
          CLAMP (y - dy, 0, (gint) in->height - 1));
      for (c = 0; c < in->channels; c++)
        acc[c] += k * p[c];
      sum += k;
    }
  for (c = 0; c < in->channels; c++)
    out[c] = (gfloat) (acc[c] / sum);
}

/* The line of half-length r along angle a (degrees): 512 points, each read
 * bilinearly — the antialiased segment the line preset approximates. */
static void
dense_line_pixel (const DiskImage * in, gint x, gint y, gdouble r, gdouble a,
    gfloat * out)
{
  const guint n = 512;
  gdouble ux = cos (a * G_PI / 180.0), uy = sin (a * G_PI / 180.0);
  gdouble acc[4] = { 0 };
  guint k, c;

  for (k = 0; k < n; k++) {
    gdouble s = -r + (k + 0.5) * 2.0 * r / n;

    for (c = 0; c < in->channels; c++)
      acc[c] += bilinear (in, x - s * ux, y - s * uy, c);
  }
  for (c = 0; c < in->channels; c++)
    out[c] = (gfloat) (acc[c] / n);
}

static DiskImage *
dense_reference (const Effect * e, const DiskImage * in, gboolean is_line)
{
  DiskImage *out = disk_image_new (in->width, in->height, in->channels);
  guint x, y;

  for (y = 0; y < in->height; y++)
    for (x = 0; x < in->width; x++) {
      gdouble r, a;

      effect_at (e, in->width, in->height, x + 0.5, y + 0.5, &r, &a);
      if (is_line)
        dense_line_pixel (in, x, y, r, a, disk_image_pixel (out, x, y));
      else
        dense_disc_pixel (in, x, y, r, disk_image_pixel (out, x, y));
    }
  return out;
}

/* RGB frames from and to 3-channel float images (8 bits). */
static GstBuffer *
rgb_frame (const DiskImage * image, GstVideoInfo * info)
{
  GstBuffer *buffer;
  GstVideoFrame f;
  guint x, y, c;

  *info = video_info (GST_VIDEO_FORMAT_RGB, image->width, image->height);
  buffer = new_frame (info, 0);
  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_WRITE));
  for (y = 0; y < image->height; y++)
    for (x = 0; x < image->width; x++)
      for (c = 0; c < 3; c++)
        write_comp (&f, c, x, y,
            (guint) lround (CLAMP (disk_image_pixel (image, x, y)[c], 0, 1)
                * 255));
  gst_video_frame_unmap (&f);
  return buffer;
}

static DiskImage *
rgb_image (const GstVideoInfo * info, GstBuffer * buffer)
{
  DiskImage *image = disk_image_new (GST_VIDEO_INFO_WIDTH (info),
      GST_VIDEO_INFO_HEIGHT (info), 3);
  GstVideoFrame f;
  guint x, y, c;

  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_READ));
  for (y = 0; y < image->height; y++)
    for (x = 0; x < image->width; x++)
      for (c = 0; c < 3; c++)
        disk_image_pixel (image, x, y)[c] = read_comp (&f, c, x, y) / 255.0f;
  gst_video_frame_unmap (&f);
  return image;
}

/* Runs the element on `photo` and returns its PSNR against the dense
 * reference of `e`, and (if `wrong` is given) against the dense reference
 * of the wrong model `wrong`, which must be clearly worse. */
static gdouble
dense_check (const Effect * e, const Effect * wrong, const DiskImage * photo,
    gboolean is_line, gdouble floor_db, gdouble margin_db)
{
  GstVideoInfo info;
  GstBuffer *in = rgb_frame (photo, &info);
  g_autoptr (DiskImage) quantised = rgb_image (&info, in);
  GstBuffer *out = run_effect (e, &info, in, 0);
  g_autoptr (DiskImage) result = rgb_image (&info, out);
  g_autoptr (DiskImage) dense = dense_reference (e, quantised, is_line);
  gdouble psnr = disk_image_psnr (result, dense, 1.0);
  gdouble unblurred = disk_image_psnr (quantised, dense, 1.0);

  g_test_message ("%s: PSNR vs dense %.2f dB (unfiltered input: %.2f dB)",
      e->mode, psnr, unblurred);
  g_assert_cmpfloat (psnr, >=, floor_db);
  g_assert_cmpfloat (psnr, >=, unblurred + margin_db);
  if (wrong != NULL) {
    g_autoptr (DiskImage) other = dense_reference (wrong, quantised, is_line);
    gdouble psnr_wrong = disk_image_psnr (result, other, 1.0);

    g_test_message ("%s: PSNR vs the wrong model %.2f dB", e->mode,
        psnr_wrong);
    g_assert_cmpfloat (psnr, >=, psnr_wrong + margin_db);
  }
  gst_buffer_unref (out);
  return psnr;
}

/* A test map saved as PNG (bits 8 or 16) and loaded back as the element
 * will read it. */
static gchar *
save_map (const gchar * name, guint w, guint h, guint bits,
    gdouble (*func) (gdouble u, gdouble v), DiskImage ** loaded)
{
  g_autoptr (DiskImage) map = disk_image_new (w, h, 1);
  g_autoptr (GError) error = NULL;
  gchar *path = g_build_filename (tmp_dir, name, NULL);
  guint x, y;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++)
      disk_image_pixel (map, x, y)[0] =
          (gfloat) func ((x + 0.5) / w, (y + 0.5) / h);
  g_assert_true (disk_image_save_png (map, path, bits, &error));
  g_assert_no_error (error);
  if (loaded != NULL) {
    *loaded = disk_image_load (path, &error);
    g_assert_no_error (error);
    g_assert_cmpuint ((*loaded)->channels, ==, 1);
  }
  return path;
}

static gdouble
strength_pattern (gdouble u, gdouble v)
{
  return CLAMP (0.15 + 0.9 * hypot (u - 0.3, v - 0.6), 0.0, 1.0);
}

static gdouble
angle_pattern (gdouble u, gdouble v)
{
  return 0.5 + 0.3 * sin (5.0 * u) * cos (3.0 * v);
}

static gdouble
zero_pattern (gdouble u, gdouble v)
{
  (void) u;
  (void) v;
  return 0.0;
}

/* Measured with the temporary bokeh preset (disk-fit 24x4, radii 1..32,
 * seed 1; two fits of it gave the first and second numbers) and the exact
 * line preset of this file: uniform bokeh 52.7 / 54.9 dB, uniform line at
 * 30 degrees 48.1, tilt-shift 49.1 / 48.7, spin 50.9, zoom 52.1, map 52.3,
 * depth 43.6 / 42.2 (unfiltered input 19.6 .. 26.4 dB; the wrong models
 * 23.4 .. 30.4 dB). Floors sit about 4-5 dB below for the fitted bokeh
 * preset (a refit moves it) and 2 dB below for the exact line. */
static void
test_dense_uniform (void)
{
  Effect e, wrong;

  effect_init (&e, "uniform", 5.0);
  dense_check (&e, NULL, astronaut, FALSE, 46.0, 3.0);

  /* The angle turns the kernel clockwise on screen: a line at +30 degrees
   * matches, the mirror image at -30 does not. */
  effect_init (&e, "uniform", 6.0);
  e.location = line_path;
  e.angle = 30.0;
  wrong = e;
  wrong.angle = -30.0;
  dense_check (&e, &wrong, astronaut, TRUE, 46.0, 3.0);
}

static void
test_dense_tilt_shift (void)
{
  Effect e, wrong;

  effect_init (&e, "tilt-shift", 6.0);
  e.cy = 0.45;
  e.focus_angle = 20.0;
  e.focus_width = 0.2;
  e.focus_falloff = 0.3;
  wrong = e;
  wrong.focus_angle = -20.0;
  dense_check (&e, &wrong, astronaut, FALSE, 44.0, 3.0);
}

static void
test_dense_spin_zoom (void)
{
  Effect spin, zoom;

  effect_init (&spin, "spin", 6.0);
  spin.location = line_path;
  spin.cx = 0.4;
  spin.cy = 0.55;
  zoom = spin;
  zoom.mode = "zoom";
  dense_check (&spin, &zoom, astronaut, TRUE, 48.0, 3.0);
  dense_check (&zoom, &spin, astronaut, TRUE, 49.0, 3.0);
}

static void
test_dense_map (void)
{
  Effect e, wrong;

  effect_init (&e, "map", 6.0);
  e.location = line_path;
  e.angle = 10.0;
  /* Maps smaller than the frame: scaled up bilinearly. */
  e.map_path = save_map ("strength.png", 48, 40, 16, strength_pattern, &e.map);
  e.angle_map_path = save_map ("angle.png", 24, 24, 8, angle_pattern,
      &e.angle_map);
  wrong = e;
  wrong.angle_map = NULL;       /* the model without the angle map */
  dense_check (&e, &wrong, astronaut, TRUE, 49.0, 3.0);
  g_free ((gchar *) e.map_path);
  g_free ((gchar *) e.angle_map_path);
  effect_clear (&e);
}

static void
test_dense_depth (void)
{
  g_autoptr (DiskImage) photo = load_photo ("motorcycle.png");
  g_autofree gchar *disparity = data_path ("motorcycle-disparity.png");
  g_autoptr (GError) error = NULL;
  Effect e, wrong;

  effect_init (&e, "depth", 5.0);
  e.map_path = disparity;
  e.map = disk_image_load (disparity, &error);
  g_assert_no_error (error);
  e.focus_depth = 0.6;
  e.depth_range = 0.3;
  wrong = e;
  wrong.focus_depth = 0.1;
  dense_check (&e, &wrong, photo, FALSE, 38.0, 3.0);
  effect_clear (&e);
}

/* ------------------------------------------------------------------------ */
/* Impulse: the image of a point light is the kernel as drawn */

static GstBuffer *
impulse_frame (GstVideoInfo * info, guint size)
{
  GstBuffer *buffer;
  GstVideoFrame f;

  *info = video_info (GST_VIDEO_FORMAT_GRAY16_LE, size, size);
  buffer = new_frame (info, 0);
  gst_buffer_memset (buffer, 0, 0, gst_buffer_get_size (buffer));
  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_WRITE));
  write_comp (&f, 0, size / 2, size / 2, 65535);
  gst_video_frame_unmap (&f);
  return buffer;
}

static void
test_impulse (void)
{
  const guint size = 41, c = size / 2;
  GstVideoInfo info;
  GstBuffer *in = impulse_frame (&info, size);
  GstBuffer *out;
  g_autoptr (DiskImage) got = NULL;
  g_autoptr (DiskImage) kernel = NULL;
  g_autoptr (DiskComplex) complex = NULL;
  gdouble sum = 0.0;
  guint x, y;

  /* The shift preset: all the light goes to (+3, -2), i.e. right and UP. */
  out = run_one (&info, gst_buffer_ref (in), "location", shift_path,
      "radius", 4.0, NULL);
  got = frame_comp (&info, out, 0);
  for (y = 0; y < size; y++)
    for (x = 0; x < size; x++)
      g_assert_cmpfloat (disk_image_pixel (got, x, y)[0], ==,
          (x == c + 3 && y == c - 2) ? 1.0f : 0.0f);
  gst_buffer_unref (out);
  g_clear_pointer (&got, disk_image_free);

  /* Rotated by +90 degrees (clockwise on screen): (3, -2) -> (2, 3). */
  out = run_one (&info, gst_buffer_ref (in), "location", shift_path,
      "radius", 4.0, "angle", 90.0, NULL);
  got = frame_comp (&info, out, 0);
  g_assert_cmpfloat (disk_image_pixel (got, c + 2, c + 3)[0], >, 0.999f);
  gst_buffer_unref (out);
  g_clear_pointer (&got, disk_image_free);

  /* The built-in preset: its impulse response, within one 16-bit LSB. */
  out = run_one (&info, gst_buffer_ref (in), "radius", 6.0, NULL);
  got = frame_comp (&info, out, 0);
  complex = uniform_complex (bokeh, 6.0, 0.0, 1, 1);
  kernel = disk_complex_impulse_response (complex, c);
  for (y = 0; y < size; y++)
    for (x = 0; x < size; x++) {
      gfloat k = CLAMP (disk_image_pixel (kernel, x, y)[0], 0.0f, 1.0f);
      g_assert_cmpfloat (fabs (disk_image_pixel (got, x, y)[0] - k), <=,
          1.0 / 65535 + 1e-6);
      sum += disk_image_pixel (got, x, y)[0];
    }
  g_assert_cmpfloat (fabs (sum - 1.0), <, 0.01);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
}

/* ------------------------------------------------------------------------ */
/* Subsampled YUV against RGBA on the same picture */

static void
rgb_to_yuv (const gfloat * rgb, gdouble * yuv)
{
  /* BT.601 full range: the element does not care which matrix; any affine
   * map commutes with a filter whose weights sum to 1. */
  gdouble y = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];

  yuv[0] = y;
  yuv[1] = 0.5 + 0.564 * (rgb[2] - y);
  yuv[2] = 0.5 + 0.713 * (rgb[0] - y);
}

/* Component c (0 Y, 1 U, 2 V) of `rgb` averaged over sub_x x sub_y boxes. */
static DiskImage *
yuv_plane (const DiskImage * rgb, guint c, guint sub_x, guint sub_y)
{
  guint w = (rgb->width + sub_x - 1) / sub_x;
  guint h = (rgb->height + sub_y - 1) / sub_y;
  DiskImage *plane = disk_image_new (w, h, 1);
  guint x, y, i, j;

  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gdouble acc = 0.0, yuv[3];
      guint n = 0;

      for (j = 0; j < sub_y; j++)
        for (i = 0; i < sub_x; i++) {
          guint px = MIN (x * sub_x + i, rgb->width - 1);
          guint py = MIN (y * sub_y + j, rgb->height - 1);

          rgb_to_yuv (disk_image_pixel (rgb, px, py), yuv);
          acc += yuv[c];
          n++;
        }
      disk_image_pixel (plane, x, y)[0] = (gfloat) (acc / n);
    }
  return plane;
}

static GstBuffer *
yuv_frame (const DiskImage * rgb, GstVideoFormat format, GstVideoInfo * info)
{
  GstBuffer *buffer;
  GstVideoFrame f;
  guint c, x, y;

  *info = video_info (format, rgb->width, rgb->height);
  buffer = new_frame (info, 0);
  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_WRITE));
  for (c = 0; c < 3; c++) {
    g_autoptr (DiskImage) plane = yuv_plane (rgb, c,
        1u << GST_VIDEO_FORMAT_INFO_W_SUB (info->finfo, c),
        1u << GST_VIDEO_FORMAT_INFO_H_SUB (info->finfo, c));

    for (y = 0; y < plane->height; y++)
      for (x = 0; x < plane->width; x++)
        write_comp (&f, c, x, y,
            (guint) lround (disk_image_pixel (plane, x, y)[0] * 255));
  }
  gst_video_frame_unmap (&f);
  return buffer;
}

static GstBuffer *
rgba_frame (const DiskImage * rgb, GstVideoInfo * info)
{
  GstBuffer *buffer;
  GstVideoFrame f;
  guint c, x, y;

  *info = video_info (GST_VIDEO_FORMAT_RGBA, rgb->width, rgb->height);
  buffer = new_frame (info, 0);
  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_WRITE));
  for (y = 0; y < rgb->height; y++)
    for (x = 0; x < rgb->width; x++) {
      for (c = 0; c < 3; c++)
        write_comp (&f, c, x, y,
            (guint) lround (disk_image_pixel (rgb, x, y)[c] * 255));
      write_comp (&f, 3, x, y, 255);
    }
  gst_video_frame_unmap (&f);
  return buffer;
}

/* The YUV format's output, plane by plane, against the RGBA output of the
 * same picture converted and subsampled the same way. Also checks that a
 * chroma plane filtered with the unscaled kernel would be clearly worse. */
static void
check_yuv_against_rgba (GstVideoFormat format, const Effect * e,
    gdouble floor_y, gdouble floor_uv)
{
  GstVideoInfo rgba_info, yuv_info;
  GstBuffer *rgba_in = rgba_frame (astronaut, &rgba_info);
  GstBuffer *rgba_out = run_effect (e, &rgba_info, rgba_in, 0);
  g_autoptr (DiskImage) blurred = rgb_image (&rgba_info, rgba_out);
  GstBuffer *yuv_in = yuv_frame (astronaut, format, &yuv_info);
  GstBuffer *yuv_out = run_effect (e, &yuv_info, gst_buffer_ref (yuv_in), 0);
  guint c;

  for (c = 0; c < 3; c++) {
    guint sx = 1u << GST_VIDEO_FORMAT_INFO_W_SUB (yuv_info.finfo, c);
    guint sy = 1u << GST_VIDEO_FORMAT_INFO_H_SUB (yuv_info.finfo, c);
    g_autoptr (DiskImage) expected = yuv_plane (blurred, c, sx, sy);
    g_autoptr (DiskImage) got = frame_comp (&yuv_info, yuv_out, c);
    gdouble psnr = disk_image_psnr (got, expected, 1.0);

    g_test_message ("%s %s/%s plane %u: PSNR vs RGBA %.2f dB",
        gst_video_format_to_string (format), e->mode,
        e->location ? "line" : "bokeh", c, psnr);
    g_assert_cmpfloat (psnr, >=, c == 0 ? floor_y : floor_uv);

    if (c > 0 && g_str_equal (e->mode, "uniform")) {
      /* What an unscaled chroma kernel (twice too wide) would give. */
      g_autoptr (DiskImage) chroma_in = frame_comp (&yuv_info, yuv_in, c);
      g_autoptr (DiskComplex) k = uniform_complex (e->location ? line : bokeh,
          e->radius, e->angle, 1, 1);
      g_autoptr (DiskImage) wrong = filter_uniform (k, chroma_in);
      gdouble psnr_wrong = disk_image_psnr (wrong, expected, 1.0);

      g_test_message ("  unscaled chroma kernel would give %.2f dB",
          psnr_wrong);
      g_assert_cmpfloat (psnr, >=, psnr_wrong + 3.0);
    }
  }
  gst_buffer_unref (rgba_out);
  gst_buffer_unref (yuv_in);
  gst_buffer_unref (yuv_out);
}

static void
test_yuv_against_rgba (void)
{
  Effect e;

  effect_init (&e, "uniform", 6.0);
  check_yuv_against_rgba (GST_VIDEO_FORMAT_I420, &e, 52.0, 48.0);
  check_yuv_against_rgba (GST_VIDEO_FORMAT_NV12, &e, 52.0, 48.0);
  check_yuv_against_rgba (GST_VIDEO_FORMAT_Y42B, &e, 52.0, 48.0);
  /* An anisotropic kernel, rotated: the chroma scale must come after the
   * rotation. */
  e.location = line_path;
  e.angle = 35.0;
  check_yuv_against_rgba (GST_VIDEO_FORMAT_I420, &e, 52.0, 48.0);
  check_yuv_against_rgba (GST_VIDEO_FORMAT_Y42B, &e, 52.0, 48.0);
  /* A spatially varying mode: chroma pixels find their radius at their own
   * position in the frame. */
  effect_init (&e, "tilt-shift", 6.0);
  e.focus_angle = 30.0;
  check_yuv_against_rgba (GST_VIDEO_FORMAT_I420, &e, 52.0, 48.0);
  check_yuv_against_rgba (GST_VIDEO_FORMAT_NV12, &e, 52.0, 48.0);
  effect_init (&e, "zoom", 6.0);
  e.location = line_path;
  check_yuv_against_rgba (GST_VIDEO_FORMAT_I420, &e, 52.0, 48.0);
}

/* NV12 and I420 hold the same planes: their outputs must be identical. */
static void
test_nv12_equals_i420 (void)
{
  GstVideoInfo i420, nv12;
  GstBuffer *a = yuv_frame (astronaut, GST_VIDEO_FORMAT_I420, &i420);
  GstBuffer *b = yuv_frame (astronaut, GST_VIDEO_FORMAT_NV12, &nv12);
  GstBuffer *oa = run_one (&i420, a, "radius", 5.0, "mode",
      mode_value ("spin"), NULL);
  GstBuffer *ob = run_one (&nv12, b, "radius", 5.0, "mode",
      mode_value ("spin"), NULL);
  guint c;

  for (c = 0; c < 3; c++) {
    g_autoptr (DiskImage) pa = frame_comp (&i420, oa, c);
    g_autoptr (DiskImage) pb = frame_comp (&nv12, ob, c);

    g_assert_cmpfloat (disk_mse (pa, pb), ==, 0.0);
  }
  gst_buffer_unref (oa);
  gst_buffer_unref (ob);
}

/* ------------------------------------------------------------------------ */
/* Spatially varying modes against the core's varying reference */

/* What the core computes for a varying mode, as the element runs it: the
 * exact varying filter (disk-filter.h, itself checked against dense
 * convolution in test-filter.c) for tilt-shift, and for the modes the
 * element runs by level blending (disk-fast.h) that method with the same
 * steps and the radius property as the largest radius; test-fast.c holds
 * level blending to the dense per-pixel ground truth on photos. */
static void
varying_expected (const DiskBasis * basis, const gchar * mode,
    gboolean angle_map, gdouble max_radius, const gfloat * radius,
    const gfloat * angle, const DiskImage * in, DiskImage * out)
{
  static const struct
  {
    const gchar *name;
    DiskEffectMode mode;
  } modes[] = {
    {"tilt-shift", DISK_EFFECT_TILT_SHIFT}, {"spin", DISK_EFFECT_SPIN},
    {"zoom", DISK_EFFECT_ZOOM}, {"map", DISK_EFFECT_MAP},
    {"depth", DISK_EFFECT_DEPTH},
  };
  DiskEffectMode m = DISK_EFFECT_UNIFORM;
  gboolean angle_varies;
  gdouble rs, as;
  guint i, l;

  for (i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_str_equal (mode, modes[i].name))
      m = modes[i].mode;
  g_assert_cmpint (m, !=, DISK_EFFECT_UNIFORM);
  angle_varies = m == DISK_EFFECT_SPIN || m == DISK_EFFECT_ZOOM || angle_map;
  if (disk_fast_varying_method (m, angle_varies, max_radius, 1.0, &rs, &as)
      == DISK_FAST_VARYING_LEVELS) {
    g_autoptr (DiskFastLevels) levels = disk_fast_levels_new (basis, 1.0,
        1.0, rs, as, max_radius, in->width, in->height, in->channels);
    g_autoptr (DiskImage) a = disk_image_copy (in);
    g_autoptr (DiskImage) b = disk_image_new (in->width, in->height,
        in->channels);
    guint y;

    for (l = 0; l < basis->entries[0]->n_layers; l++) {
      DiskImage *swap;

      disk_fast_levels_layer_rows (levels, l, radius, angle, a, b, 0,
          in->height, NULL);
      swap = a;
      a = b;
      b = swap;
    }
    for (y = 0; y < in->height; y++)
      memcpy (disk_image_pixel (out, 0, y), disk_image_pixel (a, 0, y),
          sizeof (gfloat) * in->width * in->channels);
  } else {
    disk_filter_varying (basis, radius, angle, in, out);
  }
}

/* Every component of a full-resolution format, premultiplied where there is
 * alpha, through varying_expected with this test's radius and angle maps. */
static guint
max_error_varying (const GstVideoInfo * info, GstBuffer * in, GstBuffer * out,
    const DiskPreset * preset, const gchar * mode, gboolean angle_map,
    gdouble max_radius, const gfloat * radius, const gfloat * angle)
{
  const guint n = GST_VIDEO_INFO_N_COMPONENTS (info);
  guint w = GST_VIDEO_INFO_WIDTH (info), h = GST_VIDEO_INFO_HEIGHT (info);
  gboolean alpha = GST_VIDEO_INFO_HAS_ALPHA (info);
  g_autoptr (DiskImage) a = alpha ? frame_comp (info, in, GST_VIDEO_COMP_A)
      : NULL;
  g_autoptr (DiskImage) fa = NULL;
  GstVideoFrame f;
  guint c, x, y, worst = 0;

  if (alpha) {
    fa = disk_image_new (w, h, 1);
    varying_expected (preset->basis, mode, angle_map, max_radius, radius,
        angle, a, fa);
  }
  g_assert_true (gst_video_frame_map (&f, info, out, GST_MAP_READ));
  for (c = 0; c < n; c++) {
    g_autoptr (DiskImage) v = frame_comp (info, in, c);
    g_autoptr (DiskImage) r = disk_image_new (w, h, 1);
    guint max = comp_max (&f, c);

    if (alpha && c != GST_VIDEO_COMP_A)
      for (y = 0; y < h; y++)
        for (x = 0; x < w; x++)
          disk_image_pixel (v, x, y)[0] *= disk_image_pixel (a, x, y)[0];
    varying_expected (preset->basis, mode, angle_map, max_radius, radius,
        angle, v, r);
    for (y = 0; y < h; y++)
      for (x = 0; x < w; x++) {
        gdouble e = disk_image_pixel (r, x, y)[0];
        gint d;

        if (alpha && c != GST_VIDEO_COMP_A) {
          gdouble al = disk_image_pixel (fa, x, y)[0];

          /* Where alpha rounds to 0 the colour is invisible and, divided by
           * an alpha near 0, amplifies any float rounding (one such pixel,
           * alpha 0.0003, moved by 5 LSB when the sums were reordered). */
          if (al * comp_max (&f, GST_VIDEO_COMP_A) < 0.5)
            continue;
          e = al > 0.0 ? e / al : 0.0;
        }
        e = floor (CLAMP (e, 0.0, 1.0) * max + 0.5);
        d = (gint) read_comp (&f, c, x, y) - (gint) e;
        worst = MAX (worst, (guint) ABS (d));
      }
  }
  gst_video_frame_unmap (&f);
  return worst;
}

static void
test_varying_match_reference (void)
{
  static const GstVideoFormat formats[] = {
    GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_Y444, GST_VIDEO_FORMAT_GRAY16_LE,
    GST_VIDEO_FORMAT_BGR,
  };
  static const gchar *modes[] = { "tilt-shift", "spin", "zoom", "map",
    "depth"
  };
  guint i, m;

  for (m = 0; m < G_N_ELEMENTS (modes); m++)
    for (i = 0; i < G_N_ELEMENTS (formats); i++) {
      GstVideoInfo info = video_info (formats[i], 37, 23);
      GstBuffer *in = make_picture_frame (&info, 0);
      g_autofree gfloat *radius = NULL;
      g_autofree gfloat *angle = NULL;
      GstBuffer *out;
      Effect e;
      guint worst;

      effect_init (&e, modes[m], 4.5);
      e.angle = 15.0;
      e.focus_angle = -25.0;
      e.cx = 0.3;
      if (g_str_equal (modes[m], "map") || g_str_equal (modes[m], "depth")) {
        e.map_path = save_map ("vary-strength.png", 19, 12, 16,
            strength_pattern, &e.map);
        e.angle_map_path = save_map ("vary-angle.png", 37, 23, 8,
            angle_pattern, &e.angle_map);
      }
      effect_maps (&e, 37, 23, &radius, &angle);
      out = run_effect (&e, &info, gst_buffer_ref (in), 2);
      worst = max_error_varying (&info, in, out, bokeh, modes[m],
          e.angle_map != NULL, e.radius, radius, angle);
      g_test_message ("%s %s: max error %u LSB", modes[m],
          gst_video_format_to_string (formats[i]), worst);
      g_assert_cmpuint (worst, <=, 1);
      g_free ((gchar *) e.map_path);
      g_free ((gchar *) e.angle_map_path);
      effect_clear (&e);
      gst_buffer_unref (in);
      gst_buffer_unref (out);
    }
}

/* ------------------------------------------------------------------------ */
/* The per-buffer map meta */

static gboolean same_bytes (GstBuffer * a, GstBuffer * b);

static GstBuffer *
map_buffer (guint w, guint h, const gchar * format, guint stride,
    gdouble (*func) (gdouble u, gdouble v), DiskImage ** values)
{
  guint bpp = g_str_equal (format, "GRAY8") ? 1
      : g_str_equal (format, "GRAY16_LE") ? 2 : 4;
  GstBuffer *buffer = gst_buffer_new_and_alloc ((gsize) stride * h);
  GstMapInfo m;
  guint x, y;

  if (values)
    *values = disk_image_new (w, h, 1);
  g_assert_true (gst_buffer_map (buffer, &m, GST_MAP_WRITE));
  memset (m.data, 0, m.size);
  for (y = 0; y < h; y++)
    for (x = 0; x < w; x++) {
      gdouble v = func ((x + 0.5) / w, (y + 0.5) / h);
      guint8 *p = m.data + (gsize) y * stride + x * bpp;
      gfloat stored;

      if (bpp == 1) {
        p[0] = (guint8) lround (v * 255);
        stored = p[0] / 255.0f;
      } else if (bpp == 2) {
        GST_WRITE_UINT16_LE (p, (guint16) lround (v * 65535));
        stored = GST_READ_UINT16_LE (p) / 65535.0f;
      } else {
        GST_WRITE_FLOAT_LE (p, (gfloat) v);
        stored = (gfloat) v;
      }
      if (values)
        disk_image_pixel (*values, x, y)[0] = stored;
    }
  gst_buffer_unmap (buffer, &m);
  return buffer;
}

/* Sets the fields of one map ("" or "angle-" prefix) on the buffer's meta,
 * adding the meta if needed, exactly as an application would. */
static void
attach_map (GstBuffer * frame, const gchar * prefix, GstBuffer * map,
    gint w, gint h, const gchar * format)
{
  GstCustomMeta *meta = gst_buffer_get_custom_meta (frame, META_NAME);
  g_autofree gchar *fw = g_strconcat (prefix, "width", NULL);
  g_autofree gchar *fh = g_strconcat (prefix, "height", NULL);
  g_autofree gchar *ff = g_strconcat (prefix, "format", NULL);
  GstStructure *s;

  if (meta == NULL)
    meta = gst_buffer_add_custom_meta (frame, META_NAME);
  g_assert_nonnull (meta);
  s = gst_custom_meta_get_structure (meta);
  gst_structure_set (s, prefix[0] ? "angle" : "strength", GST_TYPE_BUFFER,
      map, fw, G_TYPE_INT, w, fh, G_TYPE_INT, h, ff, G_TYPE_STRING, format,
      NULL);
}

static void
test_meta_honoured (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGBA, 40, 30);
  g_autoptr (DiskImage) values = NULL;
  g_autoptr (DiskImage) angles = NULL;
  g_autofree gchar *zero_path = save_map ("zero.png", 8, 8, 8, zero_pattern,
      NULL);
  g_autofree gfloat *radius = g_new (gfloat, 40 * 30);
  g_autofree gfloat *angle = g_new (gfloat, 40 * 30);
  GstBuffer *in, *out, *map;
  guint x, y, worst;

  /* Full-size GRAY8 map; map-location says "no blur" but the meta wins. */
  in = make_picture_frame (&info, 0);
  map = map_buffer (40, 30, "GRAY8", 40, strength_pattern, &values);
  attach_map (in, "", map, 40, 30, "GRAY8");
  gst_buffer_unref (map);
  out = run_one (&info, gst_buffer_ref (in), "mode", mode_value ("map"),
      "radius", 5.0, "map-location", zero_path, NULL);
  for (y = 0; y < 30; y++)
    for (x = 0; x < 40; x++) {
      radius[y * 40 + x] = (gfloat) (5.0 * disk_image_pixel (values, x, y)[0]);
      angle[y * 40 + x] = 0.0f;
    }
  worst = max_error_varying (&info, in, out, bokeh, "map", FALSE, 5.0,
      radius, NULL);
  g_assert_cmpuint (worst, <=, 1);
  /* The meta travels on downstream. */
  g_assert_nonnull (gst_buffer_get_custom_meta (out, META_NAME));
  gst_buffer_unref (in);
  gst_buffer_unref (out);

  /* Smaller maps: a 20 x 15 GRAY16_LE strength map and a 10 x 8 GRAY32F
   * angle map with the line preset, both scaled up bilinearly. */
  in = make_picture_frame (&info, 0);
  g_clear_pointer (&values, disk_image_free);
  map = map_buffer (20, 15, "GRAY16_LE", 40, strength_pattern, &values);
  attach_map (in, "", map, 20, 15, "GRAY16_LE");
  gst_buffer_unref (map);
  map = map_buffer (10, 8, "GRAY32F", 40, angle_pattern, &angles);
  attach_map (in, "angle-", map, 10, 8, "GRAY32F");
  gst_buffer_unref (map);
  out = run_one (&info, gst_buffer_ref (in), "mode", mode_value ("map"),
      "radius", 5.0, "location", line_path, NULL);
  for (y = 0; y < 30; y++)
    for (x = 0; x < 40; x++) {
      radius[y * 40 + x] = (gfloat) (5.0 * CLAMP (map_at (values, 40, 30,
                  x + 0.5, y + 0.5), 0.0, 1.0));
      angle[y * 40 + x] = (gfloat) (360.0 * map_at (angles, 40, 30, x + 0.5,
              y + 0.5));
    }
  worst = max_error_varying (&info, in, out, line, "map", TRUE, 5.0, radius,
      angle);
  g_assert_cmpuint (worst, <=, 1);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
}

/* The Python route (docs/ELEMENT.md): the same structure as the parameter
 * of a region-of-interest meta of type DiskBlurMapMeta. */
static void
test_meta_roi_carrier (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGB, 30, 20);
  g_autoptr (DiskImage) values = NULL;
  g_autofree gfloat *radius = g_new (gfloat, 30 * 20);
  GstBuffer *in = make_picture_frame (&info, 0);
  GstBuffer *map = map_buffer (15, 10, "GRAY8", 15, strength_pattern,
      &values);
  GstVideoRegionOfInterestMeta *roi;
  GstStructure *s;
  GstBuffer *out;
  guint x, y;

  roi = gst_buffer_add_video_region_of_interest_meta (in, META_NAME, 0, 0,
      30, 20);
  s = gst_structure_new (META_NAME, "strength", GST_TYPE_BUFFER, map,
      "width", G_TYPE_INT, 15, "height", G_TYPE_INT, 10, "format",
      G_TYPE_STRING, "GRAY8", NULL);
  gst_video_region_of_interest_meta_add_param (roi, s);
  gst_buffer_unref (map);
  out = run_one (&info, gst_buffer_ref (in), "mode", mode_value ("map"),
      "radius", 4.0, NULL);
  for (y = 0; y < 20; y++)
    for (x = 0; x < 30; x++)
      radius[y * 30 + x] = (gfloat) (4.0 * CLAMP (map_at (values, 30, 20,
                  x + 0.5, y + 0.5), 0.0, 1.0));
  g_assert_cmpuint (max_error_varying (&info, in, out, bokeh, "map", FALSE,
          4.0, radius, NULL), <=, 1);
  g_assert_false (same_bytes (in, out));
  gst_buffer_unref (in);
  gst_buffer_unref (out);
}

static guint malformed_warnings;
static GMutex log_lock;

static void
count_warnings (GstDebugCategory * category, GstDebugLevel level,
    const gchar * file, const gchar * function, gint line, GObject * object,
    GstDebugMessage * message, gpointer user_data)
{
  (void) file;
  (void) function;
  (void) line;
  (void) object;
  (void) user_data;
  if (level == GST_LEVEL_WARNING
      && g_str_equal (gst_debug_category_get_name (category), "diskblur")
      && strstr (gst_debug_message_get (message), "malformed") != NULL) {
    g_mutex_lock (&log_lock);
    malformed_warnings++;
    g_mutex_unlock (&log_lock);
  }
}

typedef enum
{
  BAD_WIDTH,                    /* width larger than the buffer holds */
  BAD_FORMAT,                   /* unknown format */
  BAD_NOT_BUFFER,               /* "strength" is a string */
  BAD_NEGATIVE,                 /* negative height */
  BAD_STRIDE,                   /* stride smaller than a row */
  BAD_ANGLE,                    /* valid strength, angle map missing fields */
  BAD_NO_FORMAT,                /* format field missing */
  BAD_ROI_NO_PARAM,             /* ROI meta of the type, no structure */
  N_BAD,
} Bad;

static void
attach_bad (GstBuffer * frame, Bad bad)
{
  GstCustomMeta *meta;
  GstStructure *s;
  GstBuffer *map;

  if (bad == BAD_ROI_NO_PARAM) {
    gst_buffer_add_video_region_of_interest_meta (frame, META_NAME, 0, 0, 8,
        8);
    return;
  }
  meta = gst_buffer_add_custom_meta (frame, META_NAME);
  s = gst_custom_meta_get_structure (meta);
  map = map_buffer (10, 10, "GRAY8", 10, strength_pattern, NULL);

  gst_structure_set (s, "strength", GST_TYPE_BUFFER, map, "width",
      G_TYPE_INT, 10, "height", G_TYPE_INT, 10, "format", G_TYPE_STRING,
      "GRAY8", NULL);
  switch (bad) {
    case BAD_WIDTH:
      gst_structure_set (s, "width", G_TYPE_INT, 11, NULL);
      break;
    case BAD_FORMAT:
      gst_structure_set (s, "format", G_TYPE_STRING, "RGB", NULL);
      break;
    case BAD_NOT_BUFFER:
      gst_structure_set (s, "strength", G_TYPE_STRING, "oops", NULL);
      break;
    case BAD_NEGATIVE:
      gst_structure_set (s, "height", G_TYPE_INT, -10, NULL);
      break;
    case BAD_STRIDE:
      gst_structure_set (s, "stride", G_TYPE_INT, 5, NULL);
      break;
    case BAD_ANGLE:
      gst_structure_set (s, "angle", GST_TYPE_BUFFER, map, NULL);
      break;
    case BAD_NO_FORMAT:
      gst_structure_remove_field (s, "format");
      break;
    case BAD_ROI_NO_PARAM:
    case N_BAD:
      g_assert_not_reached ();
  }
  gst_buffer_unref (map);
}

/* A malformed meta is ignored with a warning: the frame is processed with
 * the properties (here map-location), as if the meta were not there. */
static void
test_meta_malformed (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGB, 24, 20);
  g_autofree gchar *map_path = save_map ("malformed-fallback.png", 24, 20, 8,
      strength_pattern, NULL);
  GstBuffer *plain = make_picture_frame (&info, 0);
  GstBuffer *expected = run_one (&info, gst_buffer_ref (plain), "mode",
      mode_value ("map"), "radius", 4.0, "map-location", map_path, NULL);
  g_autoptr (DiskImage) want = rgb_image (&info, expected);
  g_autoptr (DiskImage) original = rgb_image (&info, plain);
  guint bad;

  /* The fallback really blurs, so "ignored" is distinguishable. */
  g_assert_cmpfloat (disk_mse (want, original), >, 1e-5);

  gst_debug_set_threshold_for_name ("diskblur", GST_LEVEL_WARNING);
  gst_debug_add_log_function (count_warnings, NULL, NULL);
  for (bad = 0; bad < N_BAD; bad++) {
    GstBuffer *in = gst_buffer_copy_deep (plain);
    GstBuffer *out;
    g_autoptr (DiskImage) got = NULL;
    guint before;

    attach_bad (in, bad);
    g_mutex_lock (&log_lock);
    before = malformed_warnings;
    g_mutex_unlock (&log_lock);
    out = run_one (&info, in, "mode", mode_value ("map"), "radius", 4.0,
        "map-location", map_path, NULL);
    got = rgb_image (&info, out);
    g_assert_cmpfloat (disk_mse (got, want), ==, 0.0);
    g_mutex_lock (&log_lock);
    g_assert_cmpuint (malformed_warnings, >, before);
    g_mutex_unlock (&log_lock);
    gst_buffer_unref (out);
  }
  gst_debug_remove_log_function (count_warnings);
  gst_buffer_unref (plain);
  gst_buffer_unref (expected);
}

/* ------------------------------------------------------------------------ */
/* Threads, streaming, passthrough */

static gboolean
same_bytes (GstBuffer * a, GstBuffer * b)
{
  GstMapInfo ma, mb;
  gboolean same;

  g_assert_true (gst_buffer_map (a, &ma, GST_MAP_READ));
  g_assert_true (gst_buffer_map (b, &mb, GST_MAP_READ));
  same = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return same;
}

/* Every component of every pixel equal (row padding, which no one writes,
 * left out). */
static gboolean
same_pixels (const GstVideoInfo * info, GstBuffer * a, GstBuffer * b)
{
  GstVideoFrame fa, fb;
  gboolean same = TRUE;
  guint c, x, y;

  g_assert_true (gst_video_frame_map (&fa, info, a, GST_MAP_READ));
  g_assert_true (gst_video_frame_map (&fb, info, b, GST_MAP_READ));
  for (c = 0; c < GST_VIDEO_INFO_N_COMPONENTS (info); c++)
    for (y = 0; y < (guint) GST_VIDEO_INFO_COMP_HEIGHT (info, c); y++)
      for (x = 0; x < (guint) GST_VIDEO_INFO_COMP_WIDTH (info, c); x++)
        same = same && read_comp (&fa, c, x, y) == read_comp (&fb, c, x, y);
  gst_video_frame_unmap (&fa);
  gst_video_frame_unmap (&fb);
  return same;
}

static void
test_threads_bit_identical (void)
{
  static const GstVideoFormat formats[] = {
    GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_I420, GST_VIDEO_FORMAT_NV21,
  };
  /* Radius 70 runs the uniform layers at reduced resolution and map mode
   * quantises radii (docs/PERFORMANCE.md): approximations, still the same
   * bits for any thread count. */
  static const struct
  {
    const gchar *mode;
    gdouble radius;
  } cases[] = {
    {"uniform", 5.0}, {"tilt-shift", 5.0}, {"spin", 5.0}, {"uniform", 70.0},
    {"map", 6.0},
  };
  g_autofree gchar *map_path = save_map ("threads-map.png", 19, 12, 16,
      strength_pattern, NULL);
  guint i, m;

  for (i = 0; i < G_N_ELEMENTS (formats); i++)
    for (m = 0; m < G_N_ELEMENTS (cases); m++) {
      GstVideoInfo info = video_info (formats[i], 57, 31);
      GstBuffer *in = make_picture_frame (&info, 0);
      GstBuffer *one = run_one (&info, gst_buffer_ref (in), "n-threads", 1,
          "radius", cases[m].radius, "mode", mode_value (cases[m].mode),
          "map-location", map_path, NULL);
      GstBuffer *four = run_one (&info, gst_buffer_ref (in), "n-threads", 4,
          "radius", cases[m].radius, "mode", mode_value (cases[m].mode),
          "map-location", map_path, NULL);

      g_test_message ("%s radius %g, %s", cases[m].mode, cases[m].radius,
          gst_video_format_to_string (formats[i]));
      g_assert_true (same_pixels (&info, one, four));
      g_assert_false (same_pixels (&info, one, in));
      gst_buffer_unref (in);
      gst_buffer_unref (one);
      gst_buffer_unref (four);
    }
}

/* Properties hammered from other threads while frames flow: every output
 * must be exactly the output of one consistent setting, never a mix. */
static void
test_property_stress (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGBA, 32, 24);
  GstBuffer *in = make_picture_frame (&info, 0);
  GstBuffer *ref2 = run_one (&info, gst_buffer_ref (in), "radius", 2.0, NULL);
  GstBuffer *ref3 = run_one (&info, gst_buffer_ref (in), "radius", 3.0, NULL);
  GstHarness *h = harness_new (&info, "radius", 2.0, NULL);
  GstHarnessThread *threads[5];
  GValue v = G_VALUE_INIT;
  guint i, n2 = 0, n3 = 0;

  g_value_init (&v, G_TYPE_DOUBLE);
  g_value_set_double (&v, 3.0);
  threads[0] = gst_harness_stress_property_start_full (h, "radius", &v, 50);
  g_value_set_double (&v, 2.0);
  threads[1] = gst_harness_stress_property_start_full (h, "radius", &v, 70);
  g_value_unset (&v);
  g_value_init (&v, G_TYPE_UINT);
  g_value_set_uint (&v, 3);
  threads[2] = gst_harness_stress_property_start_full (h, "n-threads", &v,
      200);
  g_value_unset (&v);
  g_value_init (&v, G_TYPE_STRING);
  g_value_set_string (&v, "bokeh");
  threads[3] = gst_harness_stress_property_start_full (h, "preset", &v, 300);
  g_value_unset (&v);
  g_value_init (&v, G_TYPE_DOUBLE);
  g_value_set_double (&v, 0.7);
  /* center-y does not affect uniform mode: must not change the output. */
  threads[4] = gst_harness_stress_property_start_full (h, "center-y", &v, 30);
  g_value_unset (&v);

  for (i = 0; i < 80; i++) {
    GstBuffer *out = gst_harness_push_and_pull (h, gst_buffer_ref (in));

    g_assert_nonnull (out);
    if (same_bytes (out, ref2))
      n2++;
    else if (same_bytes (out, ref3))
      n3++;
    else
      g_assert_not_reached ();
    gst_buffer_unref (out);
  }
  g_test_message ("stress: %u frames at radius 2, %u at radius 3", n2, n3);
  for (i = 0; i < G_N_ELEMENTS (threads); i++)
    gst_harness_stress_thread_stop (threads[i]);
  gst_harness_teardown (h);
  gst_buffer_unref (in);
  gst_buffer_unref (ref2);
  gst_buffer_unref (ref3);
}

/* radius is controllable: a control source sets it per buffer from the
 * stream time (0 at 0 s: passthrough; 3 at 1 s). */
static void
test_controller (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGB, 24, 16);
  GstBuffer *in = make_picture_frame (&info, 0);
  GstBuffer *ref = run_one (&info, gst_buffer_ref (in), "radius", 3.0, NULL);
  GstHarness *h = harness_new (&info, "radius", 8.0, NULL);
  GstControlSource *cs = gst_interpolation_control_source_new ();
  GstTimedValueControlSource *tv = GST_TIMED_VALUE_CONTROL_SOURCE (cs);
  GstBuffer *frame, *out;

  g_object_set (cs, "mode", GST_INTERPOLATION_MODE_NONE, NULL);
  gst_timed_value_control_source_set (tv, 0, 0.0);
  gst_timed_value_control_source_set (tv, GST_SECOND, 3.0);
  g_assert_true (gst_object_add_control_binding (GST_OBJECT (h->element),
          gst_direct_control_binding_new_absolute (GST_OBJECT (h->element),
              "radius", cs)));

  frame = gst_buffer_copy (in);
  GST_BUFFER_PTS (frame) = 0;
  out = gst_harness_push_and_pull (h, frame);
  g_assert_true (out == frame);         /* radius 0: passthrough */
  gst_buffer_unref (out);

  frame = gst_buffer_copy (in);
  GST_BUFFER_PTS (frame) = GST_SECOND;
  out = gst_harness_push_and_pull (h, frame);
  g_assert_true (same_bytes (out, ref));
  gst_buffer_unref (out);

  gst_object_unref (cs);
  gst_harness_teardown (h);
  gst_buffer_unref (in);
  gst_buffer_unref (ref);
}

/* Varying modes keep their level plans and their radius and angle maps
 * from frame to frame while what made them stays, and make new ones when
 * anything changes: the preset, the radius, the mode, the map file, a map
 * that comes with the buffer. Every frame of one element is, byte for
 * byte, what a fresh element makes of it. */
static void
test_varying_state_kept_between_frames (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGBA, 40, 24);
  GstBuffer *in = make_picture_frame (&info, 0);
  g_autofree gchar *disparity = data_path ("motorcycle-disparity.png");
  g_autofree gchar *pattern = save_map ("kept-strength.png", 16, 12, 8,
      strength_pattern, NULL);
  GstHarness *h = harness_new (&info, NULL);
  struct
  {
    const gchar *mode, *preset;
    gdouble radius;
    gboolean pattern_file, meta;
  } frames[] = {
    /* mode, preset, radius, the pattern map file (else the disparity),
     * a map with the buffer */
    {"spin", "bokeh", 6.0, FALSE, FALSE},
    {"spin", "bokeh", 6.0, FALSE, FALSE},       /* kept */
    {"spin", "bokeh", 4.0, FALSE, FALSE},       /* radius */
    {"spin", "hexagon", 4.0, FALSE, FALSE},     /* preset */
    {"zoom", "hexagon", 4.0, FALSE, FALSE},
    {"spin", "hexagon", 4.0, FALSE, FALSE},
    {"spin", "hexagon", 6.0, FALSE, FALSE},     /* past the old largest */
    {"map", "hexagon", 5.0, FALSE, FALSE},      /* exact angles */
    {"map", "hexagon", 5.0, FALSE, FALSE},
    {"map", "hexagon", 5.0, TRUE, FALSE},       /* another file */
    {"map", "hexagon", 5.0, TRUE, FALSE},
    {"map", "hexagon", 5.0, TRUE, TRUE},        /* a map with the buffer */
    {"map", "hexagon", 5.0, TRUE, FALSE},
    {"depth", "hexagon", 5.0, TRUE, FALSE},
    {"uniform", "hexagon", 5.0, TRUE, FALSE},
    {"depth", "hexagon", 5.0, TRUE, FALSE},
    {"spin", "hexagon", 5.0, TRUE, FALSE},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (frames); i++) {
    const gchar *map = frames[i].pattern_file ? pattern : disparity;
    GstBuffer *frame = gst_buffer_copy (in), *ref, *out;

    if (frames[i].meta) {
      GstBuffer *m = map_buffer (10, 6, "GRAY8", 10, angle_pattern, NULL);

      attach_map (frame, "", m, 10, 6, "GRAY8");
      gst_buffer_unref (m);
    }
    /* only what changes: setting a file or preset again reloads it */
    if (i == 0 || !g_str_equal (frames[i].preset, frames[i - 1].preset))
      g_object_set (h->element, "preset", frames[i].preset, NULL);
    if (i == 0 || frames[i].pattern_file != frames[i - 1].pattern_file)
      g_object_set (h->element, "map-location", map, NULL);
    g_object_set (h->element, "mode", mode_value (frames[i].mode), "radius",
        frames[i].radius, NULL);
    ref = run_one (&info, gst_buffer_ref (frame), "map-location", map,
        "mode", mode_value (frames[i].mode), "preset", frames[i].preset,
        "radius", frames[i].radius, NULL);
    out = gst_harness_push_and_pull (h, frame);
    if (!same_bytes (out, ref))
      g_error ("frame %u (%s, %s, radius %g%s%s) differs from a fresh "
          "element's", i, frames[i].mode, frames[i].preset, frames[i].radius,
          frames[i].pattern_file ? ", pattern file" : "",
          frames[i].meta ? ", map meta" : "");
    gst_buffer_unref (out);
    gst_buffer_unref (ref);
  }
  gst_harness_teardown (h);
  gst_buffer_unref (in);
}

/* radius 0: the input buffer itself goes out, no copy; and back again. */
static void
test_passthrough (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_I420, 16, 16);
  GstHarness *h = harness_new (&info, "radius", 0.0, NULL);
  GstBuffer *in = make_picture_frame (&info, 0);
  GstBuffer *out = gst_harness_push_and_pull (h, gst_buffer_ref (in));

  g_assert_true (out == in);
  gst_buffer_unref (out);
  g_object_set (h->element, "radius", 3.0, NULL);
  out = gst_harness_push_and_pull (h, gst_buffer_ref (in));
  g_assert_true (out != in);
  g_assert_false (same_bytes (out, in));
  gst_buffer_unref (out);
  g_object_set (h->element, "radius", 0.0, "mode", mode_value ("zoom"), NULL);
  out = gst_harness_push_and_pull (h, gst_buffer_ref (in));
  g_assert_true (out == in);
  gst_buffer_unref (out);
  gst_buffer_unref (in);
  gst_harness_teardown (h);
}

/* ------------------------------------------------------------------------ */
/* Alpha, linear light, 16 bits */

/* Opaque red next to fully transparent green: premultiplied blurring leaves
 * no green (and no darkening) anywhere alpha is not zero. */
static void
test_alpha_no_fringe (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGBA, 32, 16);
  GstBuffer *in = new_frame (&info, 0);
  GstBuffer *out;
  GstVideoFrame f;
  guint x, y, partial = 0;

  g_assert_true (gst_video_frame_map (&f, &info, in, GST_MAP_WRITE));
  for (y = 0; y < 16; y++)
    for (x = 0; x < 32; x++) {
      gboolean left = x < 16;

      write_comp (&f, 0, x, y, left ? 255 : 0);
      write_comp (&f, 1, x, y, left ? 0 : 255);
      write_comp (&f, 2, x, y, 0);
      write_comp (&f, 3, x, y, left ? 255 : 0);
    }
  gst_video_frame_unmap (&f);
  out = run_one (&info, in, "radius", 5.0, NULL);
  g_assert_true (gst_video_frame_map (&f, &info, out, GST_MAP_READ));
  for (y = 0; y < 16; y++)
    for (x = 0; x < 32; x++) {
      guint a = read_comp (&f, 3, x, y);

      if (a == 0)
        continue;
      partial += a < 255;
      g_assert_cmpuint (read_comp (&f, 0, x, y), >=, 254);
      g_assert_cmpuint (read_comp (&f, 1, x, y), <=, 1);
      g_assert_cmpuint (read_comp (&f, 2, x, y), ==, 0);
    }
  g_assert_cmpuint (partial, >, 0);     /* the edge really was blurred */
  gst_video_frame_unmap (&f);
  gst_buffer_unref (out);
}

/* Sets component c of pixel (x, y). */
static void
set_comp (const GstVideoInfo * info, GstBuffer * buffer, guint c, guint x,
    guint y, guint v)
{
  GstVideoFrame f;

  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_WRITE));
  write_comp (&f, c, x, y, v);
  gst_video_frame_unmap (&f);
}

/* The picture with every alpha at the maximum. */
static GstBuffer *
make_opaque_frame (const GstVideoInfo * info)
{
  GstBuffer *buffer = make_picture_frame (info, 0);
  GstVideoFrame f;
  guint x, y;

  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_WRITE));
  for (y = 0; y < (guint) GST_VIDEO_INFO_HEIGHT (info); y++)
    for (x = 0; x < (guint) GST_VIDEO_INFO_WIDTH (info); x++)
      write_comp (&f, GST_VIDEO_COMP_A, x, y, comp_max (&f, GST_VIDEO_COMP_A));
  gst_video_frame_unmap (&f);
  return buffer;
}

/* Pixels of `buffer` whose alpha is below the maximum. */
static guint
count_translucent (const GstVideoInfo * info, GstBuffer * buffer)
{
  GstVideoFrame f;
  guint x, y, below = 0;

  g_assert_true (gst_video_frame_map (&f, info, buffer, GST_MAP_READ));
  for (y = 0; y < (guint) GST_VIDEO_INFO_HEIGHT (info); y++)
    for (x = 0; x < (guint) GST_VIDEO_INFO_WIDTH (info); x++)
      below += read_comp (&f, GST_VIDEO_COMP_A, x, y)
          < comp_max (&f, GST_VIDEO_COMP_A);
  gst_video_frame_unmap (&f);
  return below;
}

/* An opaque frame (the element then filters colour only, alpha staying
 * the maximum): within 1 LSB of the reference that filters all four
 * components, and alpha exactly the maximum everywhere. */
static void
test_opaque_alpha (void)
{
  static const GstVideoFormat formats[] = {
    GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_ARGB, GST_VIDEO_FORMAT_ABGR,
    GST_VIDEO_FORMAT_AYUV, GST_VIDEO_FORMAT_RGBA64_LE,
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    GstVideoInfo info = video_info (formats[i], 37, 23);
    GstBuffer *in = make_opaque_frame (&info);
    GstBuffer *out = run_one (&info, gst_buffer_ref (in), "radius", 4.5,
        "angle", 20.0, "n-threads", 3, NULL);
    GstVideoFrame f;
    guint worst, x, y;

    worst = max_error_uniform (&info, in, out, bokeh, 4.5, 20.0);
    g_test_message ("opaque %s: max error %u LSB",
        gst_video_format_to_string (formats[i]), worst);
    g_assert_cmpuint (worst, <=, 1);
    g_assert_true (gst_video_frame_map (&f, &info, out, GST_MAP_READ));
    for (y = 0; y < (guint) GST_VIDEO_INFO_HEIGHT (&info); y++)
      for (x = 0; x < (guint) GST_VIDEO_INFO_WIDTH (&info); x++)
        g_assert_cmpuint (read_comp (&f, GST_VIDEO_COMP_A, x, y), ==,
            comp_max (&f, GST_VIDEO_COMP_A));
    gst_video_frame_unmap (&f);
    g_assert_false (same_pixels (&info, in, out));
    gst_buffer_unref (in);
    gst_buffer_unref (out);
  }
}

/* One translucent pixel in an otherwise opaque frame, in the first or the
 * last thread's rows: alpha must still be filtered (the pixel's
 * neighbourhood loses opacity, as in the reference, within 1 LSB), whichever
 * thread saw that pixel. */
static void
test_one_translucent_pixel (void)
{
  static const struct
  {
    GstVideoFormat format;
    guint x, y, alpha;
  } cases[] = {
    {GST_VIDEO_FORMAT_RGBA, 30, 21, 0},
    {GST_VIDEO_FORMAT_BGRA, 2, 1, 128},
    {GST_VIDEO_FORMAT_AYUV, 17, 20, 0},
    {GST_VIDEO_FORMAT_RGBA64_LE, 31, 22, 1000},
  };
  guint i;

  for (i = 0; i < G_N_ELEMENTS (cases); i++) {
    GstVideoInfo info = video_info (cases[i].format, 33, 23);
    GstBuffer *in = make_opaque_frame (&info);
    GstBuffer *out;
    guint worst;

    set_comp (&info, in, GST_VIDEO_COMP_A, cases[i].x, cases[i].y,
        cases[i].alpha);
    out = run_one (&info, gst_buffer_ref (in), "radius", 3.0,
        "n-threads", 4, NULL);
    worst = max_error_uniform (&info, in, out, bokeh, 3.0, 0.0);
    g_test_message ("%s, alpha %u at (%u, %u): max error %u LSB",
        gst_video_format_to_string (cases[i].format), cases[i].alpha,
        cases[i].x, cases[i].y, worst);
    g_assert_cmpuint (worst, <=, 1);
    /* The blur spread the translucency over more than the one pixel. */
    g_assert_cmpuint (count_translucent (&info, out), >, 1);
    gst_buffer_unref (in);
    gst_buffer_unref (out);
  }
}

/* Frames whose opacity changes from one to the next through one element:
 * opaque frames go through unpack, layers and pack in one pass, which
 * assumes opacity from the frame before; a translucent frame after an
 * opaque one must run again in stages and filter alpha, and an opaque one
 * after a translucent one runs in stages. Every frame within 1 LSB of the
 * reference, the opaque ones with alpha at the maximum. */
static void
test_alpha_changes_between_frames (void)
{
  static const GstVideoFormat formats[] = {
    GST_VIDEO_FORMAT_RGBA, GST_VIDEO_FORMAT_AYUV, GST_VIDEO_FORMAT_RGBA64_LE,
  };
  static const gboolean translucent[] = { FALSE, TRUE, FALSE, FALSE, TRUE,
    TRUE, FALSE
  };
  guint i, k;

  for (i = 0; i < G_N_ELEMENTS (formats); i++) {
    GstVideoInfo info = video_info (formats[i], 41, 29);
    GstHarness *h = gst_harness_new ("diskblur");

    g_object_set (h->element, "radius", 5.0, "n-threads", 2, NULL);
    gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
    for (k = 0; k < G_N_ELEMENTS (translucent); k++) {
      GstBuffer *in = make_opaque_frame (&info);
      GstBuffer *out;
      guint worst, below;

      if (translucent[k])       /* in the second thread's rows */
        set_comp (&info, in, GST_VIDEO_COMP_A, 7 + k, 20, 90 * k);
      out = gst_harness_push_and_pull (h, gst_buffer_ref (in));
      g_assert_nonnull (out);
      worst = max_error_uniform (&info, in, out, bokeh, 5.0, 0.0);
      below = count_translucent (&info, out);
      g_test_message ("%s frame %u (%s): max error %u LSB, %u pixels below "
          "the maximum alpha", gst_video_format_to_string (formats[i]), k,
          translucent[k] ? "translucent" : "opaque", worst, below);
      g_assert_cmpuint (worst, <=, 1);
      if (translucent[k])
        g_assert_cmpuint (below, >, 1);
      else
        g_assert_cmpuint (below, ==, 0);
      gst_buffer_unref (in);
      gst_buffer_unref (out);
    }
    gst_harness_teardown (h);
  }
}

static gdouble
srgb_decode (gdouble v)
{
  return v <= 0.04045 ? v / 12.92 : pow ((v + 0.055) / 1.055, 2.4);
}

static gdouble
srgb_encode (gdouble v)
{
  return v <= 0.0031308 ? v * 12.92 : 1.055 * pow (v, 1.0 / 2.4) - 0.055;
}

static void
test_linear_light (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_BGRx, 40, 30);
  GstBuffer *in = make_picture_frame (&info, 0);
  GstBuffer *out = run_one (&info, gst_buffer_ref (in), "radius", 4.0,
      "linear-light", TRUE, NULL);
  GstBuffer *plain = run_one (&info, gst_buffer_ref (in), "radius", 4.0,
      NULL);
  g_autoptr (DiskComplex) k = uniform_complex (bokeh, 4.0, 0.0, 1, 1);
  GstVideoFrame f;
  guint c, x, y, worst = 0;

  g_assert_true (gst_video_frame_map (&f, &info, out, GST_MAP_READ));
  for (c = 0; c < 3; c++) {
    g_autoptr (DiskImage) v = frame_comp (&info, in, c);
    g_autoptr (DiskImage) r = NULL;

    for (y = 0; y < 30; y++)
      for (x = 0; x < 40; x++) {
        gfloat *p = disk_image_pixel (v, x, y);
        p[0] = (gfloat) srgb_decode (p[0]);
      }
    r = filter_uniform (k, v);
    for (y = 0; y < 30; y++)
      for (x = 0; x < 40; x++) {
        gdouble e = srgb_encode (CLAMP (disk_image_pixel (r, x, y)[0], 0, 1));
        gint d = (gint) read_comp (&f, c, x, y)
            - (gint) floor (CLAMP (e, 0, 1) * 255 + 0.5);
        worst = MAX (worst, (guint) ABS (d));
      }
  }
  gst_video_frame_unmap (&f);
  g_assert_cmpuint (worst, <=, 1);
  g_assert_false (same_bytes (out, plain));
  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_buffer_unref (plain);
}

/* 16-bit formats keep their precision: fine steps survive. */
static void
test_sixteen_bits (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_GRAY16_LE, 33, 9);
  GstBuffer *in = new_frame (&info, 0);
  GstBuffer *out;
  GstVideoFrame f;
  guint x, y, fine = 0;

  g_assert_true (gst_video_frame_map (&f, &info, in, GST_MAP_WRITE));
  for (y = 0; y < 9; y++)
    for (x = 0; x < 33; x++)
      write_comp (&f, 0, x, y, 20000 + 13 * x + 5 * y + (x % 3));
  gst_video_frame_unmap (&f);
  out = run_one (&info, gst_buffer_ref (in), "radius", 2.0, NULL);
  g_assert_cmpuint (max_error_uniform (&info, in, out, bokeh, 2.0, 0.0), <=,
      1);
  g_assert_true (gst_video_frame_map (&f, &info, out, GST_MAP_READ));
  for (y = 0; y < 9; y++)
    for (x = 0; x < 33; x++)
      fine += read_comp (&f, 0, x, y) % 257 != 0;
  gst_video_frame_unmap (&f);
  g_assert_cmpuint (fine, >, 33 * 9 / 2);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
}

/* ------------------------------------------------------------------------ */
/* Bad input */

/* Pushes one frame; expects GST_FLOW_ERROR and an error message on the bus
 * whose text contains every string of `needles`. */
static void
expect_error (GstHarness * h, const gchar * const *needles)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGB, 16, 12);
  g_autoptr (GstBus) bus = gst_bus_new ();
  g_autoptr (GstMessage) msg = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree gchar *debug = NULL;

  GstCaps *current = gst_pad_get_current_caps (h->srcpad);

  gst_element_set_bus (h->element, bus);
  if (current == NULL)
    gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  else
    gst_caps_unref (current);
  g_assert_cmpint (gst_harness_push (h, make_picture_frame (&info, 0)), ==,
      GST_FLOW_ERROR);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  g_assert_nonnull (msg);
  gst_message_parse_error (msg, &error, &debug);
  g_test_message ("error: %s", error->message);
  for (; *needles; needles++)
    g_assert_nonnull (strstr (error->message, *needles));
  gst_element_set_bus (h->element, NULL);
}

static GstHarness *
bare_harness (const gchar * first, ...)
{
  GstHarness *h = gst_harness_new ("diskblur");
  va_list args;

  va_start (args, first);
  g_object_set_valist (G_OBJECT (h->element), first, args);
  va_end (args);
  return h;
}

static void
test_bad_input (void)
{
  g_autofree gchar *garbage = g_build_filename (tmp_dir, "garbage.preset",
      NULL);
  g_autofree gchar *garbage_png = g_build_filename (tmp_dir, "garbage.png",
      NULL);
  g_autofree gchar *missing = g_build_filename (tmp_dir, "missing.png", NULL);
  g_autofree gchar *valid_map = save_map ("valid.png", 8, 8, 8,
      strength_pattern, NULL);
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGB, 16, 12);
  GstHarness *h;
  gdouble radius;

  g_assert_true (g_file_set_contents (garbage, "[preset]\nformat=1\n"
          "name=x\nstructure=2;2\nradii=1\n", -1, NULL));
  g_assert_true (g_file_set_contents (garbage_png, "not a PNG", -1, NULL));

  /* Unknown preset name: the error lists the valid names. */
  h = bare_harness ("preset", "no-such-preset", NULL);
  expect_error (h, (const gchar *[]) {"no-such-preset", "bokeh", NULL});
  gst_harness_teardown (h);

  /* Invalid and missing preset files, named. */
  h = bare_harness ("location", garbage, NULL);
  expect_error (h, (const gchar *[]) {garbage, NULL});
  gst_harness_teardown (h);
  h = bare_harness ("location", missing, NULL);
  expect_error (h, (const gchar *[]) {missing, NULL});
  gst_harness_teardown (h);

  /* Invalid and missing map files, named. */
  h = bare_harness ("mode", mode_value ("map"), "map-location", garbage_png,
      NULL);
  expect_error (h, (const gchar *[]) {garbage_png, "map-location", NULL});
  gst_harness_teardown (h);
  h = bare_harness ("mode", mode_value ("depth"), "map-location", missing,
      NULL);
  expect_error (h, (const gchar *[]) {missing, NULL});
  gst_harness_teardown (h);
  h = bare_harness ("mode", mode_value ("map"), "map-location", valid_map,
      "angle-map-location", missing, NULL);
  expect_error (h, (const gchar *[]) {missing, "angle-map-location", NULL});
  gst_harness_teardown (h);

  /* A bad file set while streaming fails the next frame. */
  h = bare_harness ("radius", 2.0, NULL);
  gst_harness_set_src_caps (h, gst_video_info_to_caps (&info));
  gst_buffer_unref (gst_harness_push_and_pull (h,
          make_picture_frame (&info, 0)));
  g_object_set (h->element, "location", garbage, NULL);
  expect_error (h, (const gchar *[]) {garbage, NULL});
  gst_harness_teardown (h);

  /* Out-of-range property values are refused by their specs. */
  h = bare_harness ("radius", 2.0, NULL);
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING,
      "*out of range*radius*");
  g_object_set (h->element, "radius", 300.0, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING,
      "*out of range*depth-range*");
  g_object_set (h->element, "depth-range", 0.0, NULL);
  g_test_assert_expected_messages ();
  g_test_expect_message ("GLib-GObject", G_LOG_LEVEL_WARNING,
      "*out of range*n-threads*");
  g_object_set (h->element, "n-threads", 100000, NULL);
  g_test_assert_expected_messages ();
  g_object_get (h->element, "radius", &radius, NULL);
  g_assert_cmpfloat (radius, ==, 2.0);
  gst_harness_teardown (h);
}

/* Map mode with no map at all: frames pass unblurred (with a warning). */
static void
test_map_mode_without_map (void)
{
  GstVideoInfo info = video_info (GST_VIDEO_FORMAT_RGB, 16, 12);
  GstBuffer *in = make_picture_frame (&info, 0);
  GstBuffer *out = run_one (&info, gst_buffer_ref (in), "mode",
      mode_value ("map"), "radius", 4.0, NULL);

  g_assert_true (same_bytes (in, out));
  gst_buffer_unref (in);
  gst_buffer_unref (out);
}

int
main (int argc, char **argv)
{
  g_autofree gchar *bokeh_path = NULL;
  g_autoptr (GError) error = NULL;
  GstElement *probe;
  int result;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  /* Loads the plugin (registers the mode enum and the meta) or fails. */
  probe = gst_element_factory_make ("diskblur", NULL);
  g_assert_nonnull (probe);
  gst_object_unref (probe);
  g_assert_nonnull (gst_meta_get_info (META_NAME));

  tmp_dir = g_dir_make_tmp ("test-element-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_nonnull (g_getenv ("DISK_PRESETS_DIR"));
  bokeh_path = g_build_filename (g_getenv ("DISK_PRESETS_DIR"),
      "bokeh.preset", NULL);
  bokeh = load_preset (bokeh_path);
  make_test_presets ();
  astronaut = load_photo ("astronaut.png");
  g_assert_cmpuint (astronaut->channels, ==, 3);

  g_test_add_func ("/element/formats-match-reference",
      test_formats_match_reference);
  g_test_add_func ("/element/caps-refused", test_caps_refused);
  g_test_add_func ("/element/frame-sizes-and-strides",
      test_frame_sizes_and_strides);
  g_test_add_func ("/element/flat-frame", test_flat_frame);
  g_test_add_func ("/element/impulse", test_impulse);
  g_test_add_func ("/element/yuv-against-rgba", test_yuv_against_rgba);
  g_test_add_func ("/element/nv12-equals-i420", test_nv12_equals_i420);
  g_test_add_func ("/element/varying-match-reference",
      test_varying_match_reference);
  g_test_add_func ("/element/dense/uniform", test_dense_uniform);
  g_test_add_func ("/element/dense/tilt-shift", test_dense_tilt_shift);
  g_test_add_func ("/element/dense/spin-zoom", test_dense_spin_zoom);
  g_test_add_func ("/element/dense/map", test_dense_map);
  g_test_add_func ("/element/dense/depth", test_dense_depth);
  g_test_add_func ("/element/meta/honoured", test_meta_honoured);
  g_test_add_func ("/element/meta/roi-carrier", test_meta_roi_carrier);
  g_test_add_func ("/element/meta/malformed", test_meta_malformed);
  g_test_add_func ("/element/controller", test_controller);
  g_test_add_func ("/element/threads-bit-identical",
      test_threads_bit_identical);
  g_test_add_func ("/element/property-stress", test_property_stress);
  g_test_add_func ("/element/passthrough", test_passthrough);
  g_test_add_func ("/element/varying-state-kept-between-frames",
      test_varying_state_kept_between_frames);
  g_test_add_func ("/element/alpha-no-fringe", test_alpha_no_fringe);
  g_test_add_func ("/element/opaque-alpha", test_opaque_alpha);
  g_test_add_func ("/element/alpha-changes-between-frames",
      test_alpha_changes_between_frames);
  g_test_add_func ("/element/one-translucent-pixel",
      test_one_translucent_pixel);
  g_test_add_func ("/element/linear-light", test_linear_light);
  g_test_add_func ("/element/sixteen-bits", test_sixteen_bits);
  g_test_add_func ("/element/bad-input", test_bad_input);
  g_test_add_func ("/element/map-mode-without-map",
      test_map_mode_without_map);
  result = g_test_run ();

  disk_preset_free (bokeh);
  disk_preset_free (shift);
  disk_preset_free (line);
  disk_image_free (astronaut);
  g_unlink (shift_path);
  g_unlink (line_path);
  g_free (shift_path);
  g_free (line_path);
  {
    GDir *dir = g_dir_open (tmp_dir, 0, NULL);
    const gchar *name;

    while (dir && (name = g_dir_read_name (dir)) != NULL) {
      g_autofree gchar *p = g_build_filename (tmp_dir, name, NULL);
      g_unlink (p);
    }
    if (dir)
      g_dir_close (dir);
    g_rmdir (tmp_dir);
  }
  g_free (tmp_dir);
  gst_deinit ();
  return result;
}
