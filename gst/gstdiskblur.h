/* diskblur: lens, tilt-shift, spin, zoom, map- and depth-driven blur with
 * fitted sparse kernel complexes (DISK). Documentation: docs/ELEMENT.md. */
#ifndef __GST_DISK_BLUR_H__
#define __GST_DISK_BLUR_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

#include "disk-effects.h"
#include "disk-fast.h"
#include "disk-preset.h"
#include "gstdiskblur-formats.h"
#include "gstdiskblur-threads.h"

G_BEGIN_DECLS

#define GST_TYPE_DISK_BLUR (gst_disk_blur_get_type ())
G_DECLARE_FINAL_TYPE (GstDiskBlur, gst_disk_blur, GST, DISK_BLUR,
    GstVideoFilter)

#define GST_TYPE_DISK_BLUR_MODE (gst_disk_blur_mode_get_type ())
GType gst_disk_blur_mode_get_type (void);

/* What one frame is processed with: a copy of the properties taken under the
 * object lock, so property changes from other threads never tear a frame. */
typedef struct
{
  DiskEffectParams params;
  gchar *preset_name;
  gchar *location;
  gchar *map_location;
  gchar *angle_map_location;
  guint preset_serial;          /* bumped whenever preset or location change */
  guint map_serial;
  guint angle_map_serial;
  guint n_threads;
  gboolean linear_light;
} GstDiskBlurSettings;

struct _GstDiskBlur
{
  GstVideoFilter parent;

  /* Properties, guarded by the object lock. */
  GstDiskBlurSettings props;

  /* Streaming thread only. */
  GstDiskBlurSettings settings;         /* snapshot for the current buffer */
  DiskPreset *preset;
  guint preset_loaded_serial;
  DiskImage *map;
  guint map_loaded_serial;
  DiskImage *angle_map;
  guint angle_map_loaded_serial;
  gboolean warned_no_map;
  gboolean last_translucent;    /* the last frame had alpha below the
                                 * maximum: the next is not streamed */
  GstDiskBlurPool *pool;
  DiskFastWorkspace **workspace;        /* one per pool thread */
  GstDiskBlurLayout layout;
  DiskImage *work[GST_VIDEO_MAX_PLANES][2];     /* ping-pong layer buffers */
  DiskImage *small[GST_VIDEO_MAX_PLANES][2];    /* the same, reduced size */
  gfloat *radius[GST_VIDEO_MAX_PLANES];         /* per-pixel radius, varying */
  gfloat *angle[GST_VIDEO_MAX_PLANES];          /* per-pixel angle, varying */
  guint8 *uniform_rows[GST_VIDEO_MAX_PLANES];   /* rows of one radius and
                                                 * angle in those maps */
  DiskFastLevels *levels[GST_VIDEO_MAX_PLANES]; /* level plans, varying:
                                                 * kept while the preset,
                                                 * radius and caps stay */
  /* where the kept maps' pixels sit among those levels: filled once per
   * change of maps or levels, read by every layer */
  DiskFastLevelIndex *level_index[GST_VIDEO_MAX_PLANES];
  gboolean maps_indexed;        /* the indexes hold the maps above */
  gdouble levels_angle;         /* the angle property they were made at */
  /* The radius and angle maps above are kept for the next frame while
   * what made them stays: the effect parameters and the map files (not
   * maps that come with a buffer). */
  gboolean maps_kept;
  DiskEffectParams maps_params;
  guint maps_map_serial, maps_angle_map_serial;
};

GST_ELEMENT_REGISTER_DECLARE (diskblur);

G_END_DECLS

#endif /* __GST_DISK_BLUR_H__ */
