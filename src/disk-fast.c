/* DISK core: running the fast filter (see disk-fast.h for what and why):
 * rows of a layer, whole plans, bands streamed through all layers.
 *
 * Layout of the work: for one output row, every integer tap i reads the input
 * row y + dy_i shifted by dx_i pixels. Where no tap's read crosses the left or
 * right edge (the interior span), the row is a flat array of floats and the
 * output is sum_i w_i * src_i[j]: a block of floats is summed in vector
 * registers over all taps and stored once (the kernels: disk-fast-span.c).
 * The pixels near the edges run the same kernel on clamped copies of the
 * input row pieces they read.
 *
 * Elsewhere: planning, disk-fast-plan.c; exact varying layers,
 * disk-fast-varying.c; level-blended ones, disk-fast-levels.c; per-pixel
 * parameters, disk-fast-maps.c; reduced resolution, disk-fast-resample.c. */
#include "disk-fast.h"
#include "disk-edge.h"
#include "disk-fast-private.h"
#include "disk-fast-span.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void
disk_fast_scratch_init (Scratch * s, guint n_taps)
{
  s->src = g_new (gconstpointer, MAX (n_taps, 1));
  s->seg = NULL;
  s->seg_size = 0;
}

void
disk_fast_scratch_clear (Scratch * s)
{
  g_free (s->src);
  g_free (s->seg);
}

/* Rows of a plane as the row functions read and write them: a whole image
 * or a window of its rows (the image's height for clamping, but data for
 * some of its rows only), of floats or, between the layers of a stream
 * with DISK_FAST_ROWS_HALF, of binary16 values. A window holds the rows
 * from `first` on (passed with it), or with `ring` > 0 is a ring of `ring`
 * rows, row y in slot y mod ring: a window that moves down the image then
 * never moves its rows. A window may also hold `pad` columns on either
 * side of each row, copies of its first and last pixel (clamp to edge,
 * rows_fill_padding): a layer that reaches no further sideways then reads
 * every row as a whole, with no edge columns of its own. */
typedef struct
{
  gint width, height;
  guint channels;
  gsize stride;                 /* values from one row to the next */
  gsize bytes;                  /* of one value: 4 (float) or 2 (binary16) */
  guint ring;
  gint pad;                     /* columns x < 0 and x >= width held */
  gpointer data;
} Rows;

static inline Rows
rows_of_image (const DiskImage * image)
{
  Rows r = { image->width, image->height, image->channels, image->stride,
    sizeof (gfloat), 0, 0, image->data
  };

  return r;
}

/* Pixel (x, y) of `r`, whose data starts at row `first` (unless a ring);
 * -pad <= x < width + pad. */
static inline gpointer
rows_pixel (const Rows * r, gint first, gint x, gint y)
{
  const gsize slot = r->ring > 0 ? (guint) y % r->ring : (gsize) (y - first);

  return (guint8 *) r->data + (slot * r->stride
      + (gsize) (r->pad + x) * r->channels) * r->bytes;
}

/* `n` copies of the `size` bytes at `src` to `dst`: the copies double
 * with each memcpy (a few calls, not one per pixel). */
static void
repeat_bytes (guint8 * dst, const guint8 * src, gsize size, gsize n)
{
  gsize done;

  if (n == 0)
    return;
  memcpy (dst, src, size);
  for (done = 1; done < n; done *= 2)
    memcpy (dst + done * size, dst, MIN (done, n - done) * size);
}

/* The padding columns of row y, if any: its first and last pixel
 * repeated. */
static void
rows_fill_padding (const Rows * r, gint first, gint y)
{
  const gsize pixel_bytes = r->channels * r->bytes;

  repeat_bytes (rows_pixel (r, first, -r->pad, y),
      rows_pixel (r, first, 0, y), pixel_bytes, (gsize) r->pad);
  repeat_bytes (rows_pixel (r, first, r->width, y),
      rows_pixel (r, first, r->width - 1, y), pixel_bytes, (gsize) r->pad);
}

/* The kernels that read rows of `r`'s values. */
static inline SpanFunc
rows_span_func (const Rows * r)
{
  return r->bytes == sizeof (gfloat) ? disk_fast_span_kernel ()->func
      : disk_fast_span_kernel ()->half_func;
}

/* Input columns c0 <= c < c0 + len of `row` (pixels of `pixel_bytes`),
 * each clamped into the row, to `dst`: the repeated edge pixels on either
 * side, a plain copy between. */
static void
copy_clamped (gpointer dst, gconstpointer row, gint c0, gsize len,
    gint width, gsize pixel_bytes)
{
  const gint c1 = c0 + (gint) len;
  const gint mid0 = CLAMP (c0, 0, width), mid1 = CLAMP (c1, mid0, width);
  const guint8 *last = (const guint8 *) row + (gsize) (width - 1) * pixel_bytes;
  guint8 *d = dst;
  gint c;

  for (c = c0; c < MIN (mid0, c1); c++, d += pixel_bytes)
    memcpy (d, row, pixel_bytes);
  if (mid1 > mid0) {
    memcpy (d, (const guint8 *) row + (gsize) mid0 * pixel_bytes,
        (gsize) (mid1 - mid0) * pixel_bytes);
    d += (gsize) (mid1 - mid0) * pixel_bytes;
  }
  for (c = MAX (mid1, c0); c < c1; c++, d += pixel_bytes)
    memcpy (d, last, pixel_bytes);
}

/* Pixels x_begin <= x < x_end of row y whose reads may cross an edge: the
 * input row pieces they read are copied with their columns clamped (once per
 * distinct input row; taps are sorted by row), then the same kernel as the
 * interior runs on the copies. */
static void
edge_span (const DiskFastLayer * layer, const DiskImage * in, gfloat * o,
    guint y, gint x_begin, gint x_end, Scratch * s)
{
  const gint width = in->width, height = in->height;
  const guint ch = in->channels;
  const gint c0 = x_begin + layer->dx_min;
  const gsize len = (gsize) (x_end - 1 + layer->dx_max - c0 + 1);
  gsize need = 0;
  gfloat *seg = NULL;
  gint last_dy = 0;
  guint i, k, rows = 0;

  if (x_begin >= x_end || layer->n == 0) {
    for (gint x = x_begin; x < x_end; x++)
      for (k = 0; k < ch; k++)
        o[(gsize) x * ch + k] = 0.0f;
    return;
  }
  for (i = 0; i < layer->n; i++)
    if (i == 0 || layer->dy[i] != layer->dy[i - 1])
      rows++;
  need = rows * len * ch;
  if (need > s->seg_size) {
    g_free (s->seg);
    s->seg = g_new (gfloat, need);
    s->seg_size = need;
  }
  for (i = 0; i < layer->n; i++) {
    if (i == 0 || layer->dy[i] != last_dy) {
      const gfloat *row = disk_image_pixel (in, 0,
          disk_edge_clamp ((gint) y + layer->dy[i], height));

      seg = seg == NULL ? s->seg : seg + len * ch;
      copy_clamped (seg, row, c0, len, width, sizeof (gfloat) * ch);
      last_dy = layer->dy[i];
    }
    s->src[i] = seg + (gsize) (x_begin + layer->dx[i] - c0) * ch;
  }
  disk_fast_span_kernel ()->func (o + (gsize) x_begin * ch, s->src, layer->w,
      layer->n, (gsize) (x_end - x_begin) * ch);
}

/* Where each tap of output pixel (x, y) reads, for an x whose reads all fall
 * inside the row: taps are sorted by row, so the row is found once per
 * distinct dy. */
static inline void
set_read_pointers (const DiskFastLayer * layer, const Rows * in, gint first,
    guint y, gint x, gconstpointer * src)
{
  const gsize tap_bytes = in->channels * in->bytes;
  const guint8 *row = NULL;
  gint last_dy = 0;
  guint i;

  for (i = 0; i < layer->n; i++) {
    if (row == NULL || layer->dy[i] != last_dy) {
      last_dy = layer->dy[i];
      row = rows_pixel (in, first, x, disk_edge_clamp ((gint) y + last_dy,
              in->height));
    }
    src[i] = row + (gssize) layer->dx[i] * (gssize) tap_bytes;
  }
}

/* Pixels x_begin <= x < x_end of row y with the layer's taps. */
void
disk_fast_row_span (const DiskFastLayer * layer, const DiskImage * in,
    gfloat * o, guint y, gint x_begin, gint x_end, Scratch * s)
{
  const gint width = in->width;
  const guint ch = in->channels;
  /* Interior: every tap reads inside the row for lo <= x < hi. */
  const gint lo = CLAMP (-layer->dx_min, x_begin, x_end);
  const gint hi = CLAMP (width - layer->dx_max, lo, x_end);

  if (lo < hi) {
    const Rows rows = rows_of_image (in);

    set_read_pointers (layer, &rows, 0, y, lo, s->src);
    disk_fast_span_kernel ()->func (o + (gsize) lo * ch, s->src, layer->w,
        layer->n, (gsize) (hi - lo) * ch);
  }
  edge_span (layer, in, o, y, x_begin, lo, s);
  edge_span (layer, in, o, y, hi, x_end, s);
}

/* Rows the layer reads above (up) and below (down) the row it writes. */
static void
layer_reach (const DiskFastLayer * layer, gint * up, gint * down)
{
  guint i;

  *up = *down = 0;
  for (i = 0; i < layer->n; i++) {
    *up = MAX (*up, -layer->dy[i]);
    *down = MAX (*down, layer->dy[i]);
  }
}

/* Rows y_begin <= y < y_end of out = layer (in), where `in` holds the rows
 * from in_first on, padded as far as the layer reaches sideways, and `out`
 * the rows from out_first on. Every column is then read the same way: a
 * row's floats are summed by the row-pair kernel where it pairs rows and
 * covers them, by the one-row kernel in the pair's order elsewhere, so a
 * row's bits depend on its absolute index and the row length only, not on
 * bands, steps or threads. The sums are in float whatever the rows hold;
 * into binary16 output rows each is rounded as it is stored. */
static void
layer_rows_window (const DiskFastLayer * layer, const Rows * in,
    gint in_first, const Rows * out, gint out_first, guint y_begin,
    guint y_end)
{
  const gint height = in->height;
  const gsize len = (gsize) in->width * in->channels;
  const gsize tap_bytes = in->channels * in->bytes;
  const SpanKernel *kernel = disk_fast_span_kernel ();
  const gboolean half_out = out->bytes != sizeof (gfloat);
  const SpanFunc func = rows_span_func (in);
  const Span2Func func2 = in->bytes == sizeof (gfloat) ?
      kernel->func2 : kernel->half_func2;
  g_autofree const guint8 **row_at = NULL;
  gint up, down;
  Scratch s;
  guint y, i;

  g_assert (in->pad >= MAX (-layer->dx_min, layer->dx_max));
  /* binary16 output rows come from binary16 input rows only */
  g_assert (!half_out || in->bytes != sizeof (gfloat));
  if (y_begin == y_end)
    return;

  layer_reach (layer, &up, &down);
  /* input row y + r of the pair or row starting at y: row_at[r + up] */
  row_at = g_new (const guint8 *, up + down + 2);
  disk_fast_scratch_init (&s, MAX (layer->n, layer->pn));
  for (y = y_begin; y < y_end;) {
    /* Two rows at once from an even row where the band has both, then
     * what the pair kernel leaves, row by row. */
    const guint rows = y % 2 == 0 && y + 1 < y_end && layer->pn > 0 ? 2 : 1;
    gpointer o[2];
    gsize done = 0;
    guint k;
    gint r;

    for (k = 0; k < rows; k++)
      o[k] = rows_pixel (out, out_first, 0, y + k);
    if (rows == 2) {
      for (r = -up; r <= down + 1; r++)
        row_at[r + up] = rows_pixel (in, in_first, 0,
            disk_edge_clamp ((gint) y + r, height));
      for (i = 0; i < layer->pn; i++)
        s.src[i] = row_at[layer->pr[i] + up]
            + (gssize) layer->pdx[i] * (gssize) tap_bytes;
      done = half_out ? kernel->half_out_func2 (o[0], o[1], s.src,
          layer->pw0, layer->pw1, layer->pn_both, layer->pn_first,
          layer->pn_second, len) : func2 (o[0], o[1], s.src, layer->pw0,
          layer->pw1, layer->pn_both, layer->pn_first, layer->pn_second, len);
    }
    for (k = 0; k < rows; k++) {
      if (done < len) {
        const guint parity = (y + k) % 2;

        for (r = -up; r <= down; r++)
          row_at[r + up] = rows_pixel (in, in_first, 0,
              disk_edge_clamp ((gint) (y + k) + r, height));
        for (i = 0; i < layer->n; i++)
          s.src[i] = row_at[layer->sdy[parity][i] + up]
              + ((gssize) layer->sdx[parity][i] * (gssize) in->channels
              + (gssize) done) * (gssize) in->bytes;
        if (half_out)
          kernel->half_out_func ((guint16 *) o[k] + done, s.src,
              layer->sw[parity], layer->n, len - done);
        else
          func ((gfloat *) o[k] + done, s.src, layer->sw[parity], layer->n,
              len - done);
      }
      rows_fill_padding (out, out_first, y + k);
    }
    y += rows;
  }
  disk_fast_scratch_clear (&s);
}

/* Padding, in pixels, for rows of `pixel_bytes` read by a layer reaching
 * `reach` columns sideways: rounded up so that pixel 0 of a row keeps the
 * 64-byte alignment of the row's start, where the kernels store. */
static gint
row_padding (gint reach, gsize pixel_bytes)
{
  gsize unit, g = 64;

  /* the fewest pixels that make a multiple of 64 bytes */
  while (pixel_bytes % g != 0)
    g /= 2;
  unit = 64 / g;
  return (gint) (((gsize) reach + unit - 1) / unit * unit);
}

/* Values from one row to the next of rows of `width` pixels and `pad` on
 * either side: a multiple of 64 bytes. */
static gsize
row_stride (gint width, gint pad, guint channels, gsize bytes)
{
  return ((gsize) (width + 2 * pad) * channels * bytes + 63) / 64 * 64
      / bytes;
}

/* Rows y_begin <= y < y_end of the image into the float ring `w`, with
 * their padding. */
static void
copy_image_rows (const DiskImage * image, const Rows * w, gint y_begin,
    gint y_end)
{
  gint y;

  for (y = y_begin; y < y_end; y++) {
    memcpy (rows_pixel (w, 0, 0, y), disk_image_pixel (image, 0, y),
        sizeof (gfloat) * image->width * image->channels);
    rows_fill_padding (w, 0, y);
  }
}

/* Output rows each step of disk_fast_plan_rows adds to the last layer:
 * small enough that the windows of the layers in between stay in the
 * caches, large enough that the rows a window keeps from one step to the
 * next (the next layer's reach) are a small part of it. Measured in
 * docs/PERFORMANCE.md; DISK_FAST_STREAM_ROWS overrides it. */
#define STREAM_ROWS 8

static guint
stream_rows (void)
{
  static gint rows = 0;
  gint r = g_atomic_int_get (&rows);

  if (r == 0) {
    const gchar *env = g_getenv ("DISK_FAST_STREAM_ROWS");

    r = env != NULL ? CLAMP (atoi (env), 2, 4096) : STREAM_ROWS;
    g_atomic_int_set (&rows, r);
  }
  return r;
}

/* Memory that a thread's calls keep from one frame to the next, in
 * blocks by use (disk-fast-private.h): fresh memory in every call costs
 * page faults in every frame. */
struct _DiskFastWorkspace
{
  gpointer block[DISK_FAST_WORKSPACE_BLOCKS];
  gsize bytes[DISK_FAST_WORKSPACE_BLOCKS];
};

DiskFastWorkspace *
disk_fast_workspace_new (void)
{
  return g_new0 (DiskFastWorkspace, 1);
}

void
disk_fast_workspace_free (DiskFastWorkspace * workspace)
{
  guint i;

  if (workspace == NULL)
    return;
  for (i = 0; i < DISK_FAST_WORKSPACE_BLOCKS; i++)
    g_free (workspace->block[i]);
  g_free (workspace);
}

gpointer
disk_fast_workspace_block (DiskFastWorkspace * workspace, guint block,
    gsize bytes)
{
  g_assert (block < DISK_FAST_WORKSPACE_BLOCKS);
  if (workspace->bytes[block] < bytes) {
    g_free (workspace->block[block]);
    workspace->block[block] = g_malloc (bytes);
    workspace->bytes[block] = bytes;
  }
  return workspace->block[block];
}

/* Input rows y_begin <= y < y_end of a stream into the float ring `w`, in
 * order, in pieces that do not wrap around. */
static void
read_float_rows (const DiskFastStream * stream, const Rows * w, gint y_begin,
    gint y_end)
{
  gint y, y1;

  for (y = y_begin; y < y_end; y = y1) {
    y1 = MIN (y_end, y + (gint) (w->ring - (guint) y % w->ring));
    stream->read (stream->data, rows_pixel (w, 0, 0, y), w->stride, y, y1);
  }
  for (y = y_begin; y < y_end; y++)
    rows_fill_padding (w, 0, y);
}

/* Input rows y_begin <= y < y_end of a stream into the binary16 ring `w`,
 * through `staging` (`step` float rows), in order, a step at a time. */
static void
read_half_rows (const DiskFastStream * stream, gfloat * staging, gint step,
    const Rows * w, gint y_begin, gint y_end)
{
  const gsize row_len = (gsize) w->width * w->channels;
  gint y, k;

  for (y = y_begin; y < y_end; y += step) {
    const gint y1 = MIN (y_end, y + step);

    stream->read (stream->data, staging, row_len, y, y1);
    for (k = y; k < y1; k++) {
      disk_fast_span_kernel ()->to_half (rows_pixel (w, 0, 0, k),
          staging + (gsize) (k - y) * row_len, row_len);
      rows_fill_padding (w, 0, k);
    }
  }
}

gboolean
disk_fast_half_rows_supported (void)
{
  return disk_fast_span_kernel ()->half_func != NULL;
}

/* The pass of disk_fast_plan_rows and disk_fast_plan_stream. Window i is
 * the input of layer i, window n the output. Windows 0 to n - 1 are
 * padded rings that slide down the band: window 0 is filled from the image
 * `in` or by stream->read. Window n is the image `out`, or with a stream
 * a window of one step that stream->write empties. With binary16 rows (a
 * stream's choice), windows 0 to n - 1 hold binary16: the input rows are
 * read into `staging` a step at a time and rounded into window 0. */
static void
plan_pass (const DiskFastPlan * plan, const DiskImage * in, DiskImage * out,
    const DiskFastStream * stream, guint channels, guint y_begin,
    guint y_end, DiskFastWorkspace * workspace)
{
  const gint n = plan->n_layers;
  const gint width = plan->layers[0]->width;
  const gint height = plan->layers[0]->height;
  const gint step = stream_rows ();
  /* the sliding windows: 0 .. n - 1, and n with a stream */
  const gint slide1 = stream != NULL ? n : n - 1;
  gint up[DISK_MAX_LAYERS], down[DISK_MAX_LAYERS];
  gint need0[DISK_MAX_LAYERS + 1], need1[DISK_MAX_LAYERS + 1];
  gint first[DISK_MAX_LAYERS + 1], done[DISK_MAX_LAYERS + 1];
  gint until[DISK_MAX_LAYERS + 1], capacity[DISK_MAX_LAYERS + 1];
  gint pad[DISK_MAX_LAYERS + 1];
  gsize stride[DISK_MAX_LAYERS + 1];
  Rows window[DISK_MAX_LAYERS + 1];
  g_autoptr (DiskFastWorkspace) own = NULL;
  const gboolean half = stream != NULL && stream->rows == DISK_FAST_ROWS_HALF
      && disk_fast_half_rows_supported ();
  const gsize row_len = (gsize) width * channels;
  guint8 *data;
  gfloat *staging = NULL;
  gsize total = 0;
  gint i, l, reach = 0;

  /* The rows of each window the band needs, output first. */
  for (l = 0; l < n; l++)
    layer_reach (plan->layers[l], &up[l], &down[l]);
  need0[n] = y_begin;
  need1[n] = y_end;
  for (i = n - 1; i >= 0; i--) {
    need0[i] = MAX (0, need0[i + 1] - up[i]);
    need1[i] = MIN (height, need1[i + 1] + down[i]);
  }
  /* A window (a ring) holds what its layer still reads plus the rows of
   * one step (and of the roundings to even rows below), at most the rows
   * the band needs; the output window one step, emptied after each. */
  for (i = n - 1; i >= 0; i--) {
    reach += up[i] + down[i];
    capacity[i] = MIN (need1[i] - need0[i], step + reach + 2 * (n - i));
  }
  capacity[n] = MIN (need1[n] - need0[n], step);
  /* The windows layers read are padded as far as the layer reaches
   * sideways. */
  for (i = 0; i <= n; i++) {
    const gsize bytes = half && i < n ? sizeof (guint16) : sizeof (gfloat);

    pad[i] = i < n ? row_padding (MAX (-plan->layers[i]->dx_min,
            plan->layers[i]->dx_max), bytes * channels) : 0;
    stride[i] = row_stride (width, pad[i], channels, bytes);
  }
  for (i = 0; i <= slide1; i++)
    total += (gsize) capacity[i] * stride[i]
        * (half && i < n ? sizeof (guint16) : sizeof (gfloat));
  if (half)
    total += (gsize) step * row_len * sizeof (gfloat);
  /* One block for all windows, kept by the workspace from call to call:
   * fresh memory every call costs page faults in every frame. Every
   * window starts on a 64-byte boundary (a cache line). */
  total += (gsize) (n + 2) * 64;
  if (workspace == NULL)
    workspace = own = disk_fast_workspace_new ();
  data = disk_fast_workspace_block (workspace, DISK_FAST_BLOCK_WINDOWS,
      total);
  for (i = 0; i <= n; i++) {
    if (i > slide1) {
      window[i] = rows_of_image (out);
      capacity[i] = height;
      continue;
    }
    data = (guint8 *) (((guintptr) data + 63) & ~(guintptr) 63);
    window[i].width = width;
    window[i].height = height;
    window[i].channels = channels;
    window[i].stride = stride[i];
    window[i].bytes = half && i < n ? sizeof (guint16) : sizeof (gfloat);
    window[i].ring = i < n ? capacity[i] : 0;
    window[i].pad = pad[i];
    window[i].data = data;
    data += (gsize) capacity[i] * stride[i] * window[i].bytes;
  }
  if (half)
    staging = (gfloat *) (((guintptr) data + 63) & ~(guintptr) 63);
  for (i = 0; i <= n; i++)
    first[i] = done[i] = need0[i];
  /* without a stream, the output is the whole image */
  if (stream == NULL)
    first[n] = 0;

  while (done[n] < (gint) y_end) {
    /* This step's last rows, output first: each window as far as the
     * next layer reads, rounded to an even row: the row-pair kernel pairs
     * rows from even rows on, and a step that ended on an odd row would
     * leave two rows unpaired in every step after it. */
    until[n] = MIN ((gint) y_end, (done[n] + step) & ~1);
    for (i = n - 1; i >= 0; i--)
      until[i] = MAX (done[i], MIN (need1[i],
              (until[i + 1] + down[i] + 1) & ~1));
    if (stream != NULL)
      first[n] = done[n];       /* the output window was emptied */

    for (i = 0; i <= n; i++) {
      if (until[i] == done[i])
        continue;
      if (i < n) {
        /* The rows the next layer still reads and this step's: in the
         * ring at once. */
        first[i] = MAX (first[i], MAX (0, done[i + 1] - up[i]));
        g_assert (until[i] - first[i] <= capacity[i]);
      }
      if (i == 0 && stream == NULL)
        copy_image_rows (in, &window[0], done[0], until[0]);
      else if (i == 0 && !half)
        read_float_rows (stream, &window[0], done[0], until[0]);
      else if (i == 0)
        read_half_rows (stream, staging, step, &window[0], done[0],
            until[0]);
      else
        layer_rows_window (plan->layers[i - 1], &window[i - 1], first[i - 1],
            &window[i], first[i], done[i], until[i]);
      done[i] = until[i];
    }
    if (stream != NULL)
      stream->write (stream->data, (const gfloat *) window[n].data,
          window[n].stride, first[n], done[n]);
  }
}

void
disk_fast_plan_rows (const DiskFastPlan * plan, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end, DiskFastWorkspace * workspace)
{
  g_return_if_fail (disk_image_same_shape (in, out));
  g_return_if_fail (in != out);
  g_return_if_fail (plan->n_layers >= 1);
  g_return_if_fail (in->width == plan->layers[0]->width
      && in->height == plan->layers[0]->height);
  g_return_if_fail (y_begin <= y_end && y_end <= in->height);
  if (y_begin == y_end)
    return;

  plan_pass (plan, in, out, NULL, in->channels, y_begin, y_end, workspace);
}

void
disk_fast_layer_rows (const DiskFastLayer * layer, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end)
{
  /* a pass of one layer: its input rows go through a padded window */
  const DiskFastPlan one = { 1, {(DiskFastLayer *) layer} };

  g_return_if_fail (disk_image_same_shape (in, out));
  g_return_if_fail (in != out);
  g_return_if_fail (in->width == layer->width && in->height == layer->height);
  g_return_if_fail (y_begin <= y_end && y_end <= in->height);
  if (y_begin == y_end)
    return;

  plan_pass (&one, in, out, NULL, in->channels, y_begin, y_end, NULL);
}

void
disk_fast_plan_stream (const DiskFastPlan * plan,
    const DiskFastStream * stream, guint channels, guint y_begin,
    guint y_end, DiskFastWorkspace * workspace)
{
  g_return_if_fail (plan->n_layers >= 1);
  g_return_if_fail (stream != NULL && stream->read != NULL
      && stream->write != NULL);
  g_return_if_fail (channels >= 1 && channels <= 4);
  g_return_if_fail (y_begin <= y_end
      && y_end <= plan->layers[0]->height);
  if (y_begin == y_end)
    return;

  plan_pass (plan, NULL, NULL, stream, channels, y_begin, y_end, workspace);
}

void
disk_fast_filter_uniform (const DiskComplex * complex, const DiskImage * in,
    DiskImage * out)
{
  g_autoptr (DiskFastPlan) plan = disk_fast_plan_new (complex, in->width,
      in->height);
  g_autoptr (DiskImage) a = disk_image_copy (in);
  g_autoptr (DiskImage) b = disk_image_new (in->width, in->height,
      in->channels);
  guint l;

  g_return_if_fail (disk_image_same_shape (in, out));

  for (l = 0; l < plan->n_layers; l++) {
    DiskImage *swap;

    disk_fast_layer_rows (plan->layers[l], a, b, 0, in->height);
    swap = a;
    a = b;
    b = swap;
  }
  for (l = 0; l < in->height; l++)
    memcpy (disk_image_pixel (out, 0, l), disk_image_pixel (a, 0, l),
        sizeof (gfloat) * in->width * in->channels);
}
