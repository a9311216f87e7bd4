/* DISK core, internal: clamp-to-edge arithmetic shared by the reference
 * filter (disk-filter.c) and the fast path (disk-fast*.c), so that both read
 * exactly the same pixels. Not installed; not part of the public API. */
#ifndef __DISK_EDGE_H__
#define __DISK_EDGE_H__

#include <glib.h>
#include <math.h>

/* The nearest valid index of a row or column of `size` pixels. */
static inline gint
disk_edge_clamp (gint i, gint size)
{
  return i < 0 ? 0 : (i >= size ? size - 1 : i);
}

/* Beyond one image size past an edge every read is the edge pixel, so a read
 * position can be limited there before it is turned into an integer: huge or
 * non-finite offsets then cost nothing and cannot overflow. u limited to
 * [-limit, limit], NaN going to -limit; compares, not fmin and fmax (library
 * calls in ISO C mode), as this runs for every sample of every pixel the fast
 * path gathers. */
static inline gdouble
disk_edge_limit_to (gdouble u, gdouble limit)
{
  if (!(u >= -limit))
    return -limit;
  return u > limit ? limit : u;
}

/* The same for a row or column of `size` pixels: limit size + 2. */
static inline gdouble
disk_edge_limit (gdouble u, guint size)
{
  return disk_edge_limit_to (u, (gdouble) size + 2.0);
}

#endif /* __DISK_EDGE_H__ */
