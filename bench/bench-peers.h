/* Peers a user would pick instead of DISK, run on the same frames in the same
 * invocation: GStreamer's gaussianblur (gst-plugins-bad, AYUV) through
 * gst-launch-1.0, and FFmpeg's gblur, varblur and dblur through ffmpeg, when
 * those programs are installed. Frames go through raw files in a scratch
 * directory, so nothing but the filter differs between a timed run and its
 * baseline run (the same pipeline with a pass-through in place of the
 * filter); the per-frame time is the difference divided by the frame count. */
#ifndef __BENCH_PEERS_H__
#define __BENCH_PEERS_H__

#include "disk-image.h"

G_BEGIN_DECLS

gboolean bench_peer_gst_available (const gchar * element);
gboolean bench_peer_ffmpeg_available (const gchar * filter);

/* 8-bit conversions. AYUV/Y uses BT.601 limited range as GStreamer's
 * default colorimetry for SD-style YUV: Y = 16 + 219 * luma. */
guint8 *bench_rgb_to_ayuv (const DiskImage * rgb);
/* The Y plane of AYUV bytes as a 1-channel image, values (Y - 16) / 219. */
DiskImage *bench_ayuv_luma (const guint8 * ayuv, guint width, guint height);
/* RGB as planar gbrp bytes (FFmpeg's order: G, B, R planes) and back. */
guint8 *bench_rgb_to_gbrp (const DiskImage * rgb);
DiskImage *bench_gbrp_to_rgb (const guint8 * gbrp, guint width, guint height);
/* A 1-channel image in [0, 1] as gray8 bytes. */
guint8 *bench_gray8 (const DiskImage * gray);

/* Runs `element_desc` (e.g. "gaussianblur sigma=5") on one AYUV frame and
 * returns the output frame, or NULL with `error` set. */
guint8 *bench_peer_gst_run (const gchar * scratch, const gchar * element_desc,
    const guint8 * ayuv, guint width, guint height, GError ** error);
/* Milliseconds per frame of `element_desc` on `frames` copies of the frame
 * (median of `runs`), the pass-through pipeline's time subtracted. */
gdouble bench_peer_gst_time (const gchar * scratch, const gchar * element_desc,
    const guint8 * ayuv, guint width, guint height, guint frames, guint runs,
    GError ** error);

/* FFmpeg: `graph` is a -filter_complex graph reading [0] (gbrp frame) and,
 * when `second` is not NULL, [1] (a gray8 frame of the same size) and writing
 * [out]. The filters run with one thread. */
guint8 *bench_peer_ffmpeg_run (const gchar * scratch, const gchar * graph,
    const guint8 * gbrp, const guint8 * second, guint width, guint height,
    GError ** error);
gdouble bench_peer_ffmpeg_time (const gchar * scratch, const gchar * graph,
    const gchar * null_graph, const guint8 * gbrp, const guint8 * second,
    guint width, guint height, guint frames, guint runs, GError ** error);

/* The running rate of a pipeline, without its start: the same timed
 * pipeline pushing n_short and n_long frames (n_long > n_short), per frame
 * = (t(long) - t(short)) / (n_long - n_short), median of `runs`, the
 * launches interleaved. *start_ms (may be NULL): what its first n_short
 * frames cost beyond that rate and beyond the baseline pipeline pushing
 * n_short frames (plans made on the first frame, maps, caps), median.
 * `plugin_path` (may be NULL) is put in GST_PLUGIN_PATH. */
gdouble bench_peer_gst_pipeline_steady_ms (const gchar * timed_short,
    const gchar * timed_long, const gchar * baseline_short, guint n_short,
    guint n_long, guint runs, const gchar * plugin_path, gdouble * start_ms,
    GError ** error);

G_END_DECLS

#endif /* __BENCH_PEERS_H__ */
