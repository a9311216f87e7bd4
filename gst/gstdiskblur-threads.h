/* diskblur: a small pool of worker threads that run one task per thread and
 * return when all are done (the barrier between filter layers). */
#ifndef __GST_DISK_BLUR_THREADS_H__
#define __GST_DISK_BLUR_THREADS_H__

#include <glib.h>

G_BEGIN_DECLS

typedef struct _GstDiskBlurPool GstDiskBlurPool;

/* Runs task `index` of `n_tasks`. */
typedef void (*GstDiskBlurTaskFunc) (gpointer data, guint index,
    guint n_tasks);

/* A pool of `n_threads` (>= 1) tasks per run: the calling thread runs task 0
 * and n_threads - 1 workers run the others. Returns NULL with `error` set if
 * a thread cannot be created. */
GstDiskBlurPool *gst_disk_blur_pool_new (guint n_threads, GError ** error);
guint gst_disk_blur_pool_get_n_threads (const GstDiskBlurPool * pool);
/* Calls func (data, i, n) for every i < n = the pool's thread count, in
 * parallel, and returns once every call has returned. Not reentrant: one
 * caller at a time. */
void gst_disk_blur_pool_run (GstDiskBlurPool * pool, GstDiskBlurTaskFunc func,
    gpointer data);
void gst_disk_blur_pool_free (GstDiskBlurPool * pool);

/* The rows [*begin, *end) of `height` that task `index` of `n_tasks` owns:
 * contiguous, in order, sizes differing by at most one. */
static inline void
gst_disk_blur_split_rows (guint height, guint index, guint n_tasks,
    guint * begin, guint * end)
{
  *begin = (guint) ((guint64) height * index / n_tasks);
  *end = (guint) ((guint64) height * (index + 1) / n_tasks);
}

G_END_DECLS

#endif /* __GST_DISK_BLUR_THREADS_H__ */
