/* diskblur: the row-splitting worker pool (see gstdiskblur-threads.h).
 *
 * Workers sleep on a condition variable until the run counter moves, run
 * their task, and the last one to finish wakes the caller. Which rows a task
 * gets depends only on its index, never on timing, so results do not depend
 * on scheduling. */
#include "gstdiskblur-threads.h"

struct _GstDiskBlurPool
{
  guint n_threads;
  GThread **threads;            /* n_threads - 1 workers */

  GMutex lock;
  GCond wake;                   /* workers wait here for a new run */
  GCond done;                   /* the caller waits here for the end of a run */
  guint64 generation;           /* bumped at every run */
  guint pending;                /* worker tasks of this run not yet finished */
  gboolean quit;
  GstDiskBlurTaskFunc func;
  gpointer data;
};

typedef struct
{
  GstDiskBlurPool *pool;
  guint index;
} Worker;

static gpointer
worker_main (gpointer user_data)
{
  Worker *worker = user_data;
  GstDiskBlurPool *pool = worker->pool;
  const guint index = worker->index;
  guint64 seen = 0;

  g_free (worker);
  g_mutex_lock (&pool->lock);
  for (;;) {
    GstDiskBlurTaskFunc func;
    gpointer data;

    while (!pool->quit && pool->generation == seen)
      g_cond_wait (&pool->wake, &pool->lock);
    if (pool->quit)
      break;
    seen = pool->generation;
    func = pool->func;
    data = pool->data;
    g_mutex_unlock (&pool->lock);

    func (data, index, pool->n_threads);

    g_mutex_lock (&pool->lock);
    if (--pool->pending == 0)
      g_cond_signal (&pool->done);
  }
  g_mutex_unlock (&pool->lock);
  return NULL;
}

GstDiskBlurPool *
gst_disk_blur_pool_new (guint n_threads, GError ** error)
{
  GstDiskBlurPool *pool = g_new0 (GstDiskBlurPool, 1);
  guint i;

  g_return_val_if_fail (n_threads >= 1, NULL);

  pool->n_threads = n_threads;
  pool->threads = g_new0 (GThread *, n_threads);
  g_mutex_init (&pool->lock);
  g_cond_init (&pool->wake);
  g_cond_init (&pool->done);
  for (i = 1; i < n_threads; i++) {
    Worker *worker = g_new (Worker, 1);

    worker->pool = pool;
    worker->index = i;
    pool->threads[i - 1] = g_thread_try_new ("diskblur-worker", worker_main,
        worker, error);
    if (pool->threads[i - 1] == NULL) {
      g_free (worker);
      pool->n_threads = i;      /* only join the threads that exist */
      gst_disk_blur_pool_free (pool);
      return NULL;
    }
  }
  return pool;
}

guint
gst_disk_blur_pool_get_n_threads (const GstDiskBlurPool * pool)
{
  return pool->n_threads;
}

void
gst_disk_blur_pool_run (GstDiskBlurPool * pool, GstDiskBlurTaskFunc func,
    gpointer data)
{
  if (pool->n_threads > 1) {
    g_mutex_lock (&pool->lock);
    pool->func = func;
    pool->data = data;
    pool->pending = pool->n_threads - 1;
    pool->generation++;
    g_cond_broadcast (&pool->wake);
    g_mutex_unlock (&pool->lock);
  }

  func (data, 0, pool->n_threads);

  if (pool->n_threads > 1) {
    g_mutex_lock (&pool->lock);
    while (pool->pending > 0)
      g_cond_wait (&pool->done, &pool->lock);
    g_mutex_unlock (&pool->lock);
  }
}

void
gst_disk_blur_pool_free (GstDiskBlurPool * pool)
{
  guint i;

  if (pool == NULL)
    return;
  g_mutex_lock (&pool->lock);
  pool->quit = TRUE;
  g_cond_broadcast (&pool->wake);
  g_mutex_unlock (&pool->lock);
  for (i = 0; i + 1 < pool->n_threads; i++)
    if (pool->threads[i] != NULL)
      g_thread_join (pool->threads[i]);
  g_free (pool->threads);
  g_mutex_clear (&pool->lock);
  g_cond_clear (&pool->wake);
  g_cond_clear (&pool->done);
  g_free (pool);
}
