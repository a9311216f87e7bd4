/* DISK core: the fast filter that video runs, planned once per frame and run
 * row band by row band (any thread may run any band).
 *
 * A uniform layer out(p) = sum_i w_i * bilinear(in, p - o_i) is the same
 * linear map as a sum over *integer* shifts: every bilinear tap is four
 * integer taps (its bilinear weights times w_i), and taps landing on the same
 * shift are merged. Planning does that once per layer and frame; running adds
 * each output block of floats up in registers over all integer taps (SIMD,
 * chosen for the CPU at run time) instead of sweeping whole rows per tap.
 * Pixels whose reads would cross an edge take a per-pixel clamped path with
 * the same taps, so edge handling is exactly the reference's clamp to edge.
 *
 * The result equals disk_filter_layer_rows (disk-filter.h) up to float
 * rounding (the sums are taken in another order): tests/test-fast.c checks
 * it against the reference within 1e-5 of full scale.
 *
 * A pixel's value depends only on the plan, the input and its position,
 * never on the band it is computed in: results are the same for any split
 * across threads.
 *
 * Environment, for benchmarks, comparisons and tests only:
 * DISK_FAST_SIMD=generic or avx2 caps the SIMD kernel (the test suite runs
 * test-fast under each); DISK_FAST_EXACT=1 turns the approximations
 * (level-blended varying layers, reduced resolution) off;
 * DISK_FAST_REDUCTION=N forces a reduction factor;
 * DISK_FAST_LEVEL_STEPS=R,A sets the level steps (the plane's pixels);
 * DISK_FAST_STREAM_ROWS=N sets the rows per step of disk_fast_plan_rows;
 * DISK_FAST_PIXEL=0 runs the levels' lone pixels through the span kernel
 * instead of their own (disk-fast-pixel.c).
 */
#ifndef __DISK_FAST_H__
#define __DISK_FAST_H__

#include "disk-image.h"
#include "disk-complex.h"
#include "disk-basis.h"
#include "disk-effects.h"

G_BEGIN_DECLS

typedef struct _DiskFastLayer DiskFastLayer;
typedef struct _DiskFastPlan DiskFastPlan;
typedef struct _DiskFastWorkspace DiskFastWorkspace;

/* One uniform layer resolved into merged integer taps for images of
 * width x height (the size only bounds the shifts, as the reference does). */
DiskFastLayer *disk_fast_layer_new (const DiskSample * samples,
    guint n_samples, guint width, guint height);
void disk_fast_layer_free (DiskFastLayer * layer);
/* How many integer taps the layer runs (at most 4 * n_samples). */
guint disk_fast_layer_n_taps (const DiskFastLayer * layer);

/* Rows y_begin <= y < y_end of out = layer (in). `in` and `out` must have the
 * plan's size, the same channel count, and differ. */
void disk_fast_layer_rows (const DiskFastLayer * layer, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end);

/* Every layer of a uniform complex, for images of width x height. */
DiskFastPlan *disk_fast_plan_new (const DiskComplex * complex, guint width,
    guint height);
void disk_fast_plan_free (DiskFastPlan * plan);
guint disk_fast_plan_n_layers (const DiskFastPlan * plan);
const DiskFastLayer *disk_fast_plan_layer (const DiskFastPlan * plan,
    guint layer);

/* Rows y_begin <= y < y_end of out = every layer of the plan applied to `in`,
 * in one pass: the layers in between live in windows of a few rows, each row
 * computed once per call, instead of in whole images (less memory traffic:
 * at 1080p the whole-image passes of small radii are bound by memory
 * bandwidth). The same bits as the layers run one by one with
 * disk_fast_layer_rows. Bands split across threads each compute the rows of
 * the layers in between that they read (the layers' reach past the band) and
 * need no barrier between layers. `in` and `out` differ; `in` is read over
 * the band widened by the complex's reach.
 *
 * `workspace` (one per thread, or NULL) keeps the windows' memory from call
 * to call; it grows to the largest call's need. */
void disk_fast_plan_rows (const DiskFastPlan * plan, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end,
    DiskFastWorkspace * workspace);

/* How disk_fast_plan_stream holds the rows between layers (the input
 * rows and every layer's output but the last):
 *
 * DISK_FAST_ROWS_FLOAT: in float; the bits of disk_fast_plan_rows.
 * DISK_FAST_ROWS_HALF: in IEEE binary16 where the CPU converts it in
 *   hardware (x86 F16C with the AVX2 or AVX-512 kernels), else in float.
 *   Every value held is rounded to nearest with a relative error of at
 *   most 2^-11 (values below 2^-14 in magnitude: an absolute error of at
 *   most 2^-25); the sums stay in float. Half the bytes per tap read: the
 *   kernels are bound by their loads (docs/PERFORMANCE.md, sixth pass).
 *   For 8-bit video the output stays well within one step of 1/255 of the
 *   float path's (tests/test-fast.c bounds the difference from the
 *   weights; tests/test-element.c holds the element's 8-bit formats to
 *   1 LSB of the reference); not for deeper formats.
 *   DISK_FAST_HALF=0 in the environment turns it off (comparisons). */
typedef enum
{
  DISK_FAST_ROWS_FLOAT,
  DISK_FAST_ROWS_HALF,
} DiskFastRows;

/* TRUE if DISK_FAST_ROWS_HALF holds rows in binary16 on this CPU (else it
 * is DISK_FAST_ROWS_FLOAT). */
gboolean disk_fast_half_rows_supported (void);

/* Where disk_fast_plan_stream takes its input rows and leaves its output
 * rows: `read` writes input rows y_begin <= y < y_end (row y's width x
 * channels floats at rows + (y - y_begin) * stride floats; `stride` may
 * be larger, and the floats in between are not the callback's); `write`
 * takes output rows y_begin <= y < y_end from `rows` likewise. `rows`: how the rows between
 * layers are held (0, DISK_FAST_ROWS_FLOAT, unless set). */
typedef struct
{
  void (*read) (gpointer data, gfloat * rows, gsize stride, guint y_begin,
      guint y_end);
  void (*write) (gpointer data, const gfloat * rows, gsize stride,
      guint y_begin, guint y_end);
  gpointer data;
  DiskFastRows rows;
} DiskFastStream;

/* disk_fast_plan_rows with the input and output in windows of a few rows
 * too, for a caller that converts pixels on the way in and out (a video
 * frame's bytes): each row is converted while it is in the caches instead
 * of through two whole float images. Images of `channels` channels, the
 * plan's size. Each call reads every input row its band needs (the band
 * widened by the complex's reach, clamped to the image) exactly once, in
 * order, in pieces of a few rows, and writes rows y_begin .. y_end - 1
 * exactly once, in order; with DISK_FAST_ROWS_FLOAT the output has the
 * bits of disk_fast_plan_rows. */
void disk_fast_plan_stream (const DiskFastPlan * plan,
    const DiskFastStream * stream, guint channels, guint y_begin,
    guint y_end, DiskFastWorkspace * workspace);
DiskFastWorkspace *disk_fast_workspace_new (void);
void disk_fast_workspace_free (DiskFastWorkspace * workspace);

/* The whole complex through the fast path (one thread): the counterpart of
 * disk_filter_uniform. `in` and `out` may be the same image. */
void disk_fast_filter_uniform (const DiskComplex * complex,
    const DiskImage * in, DiskImage * out);

/* Rows of one spatially varying layer: the counterpart of
 * disk_filter_varying_layer_rows_scaled (same arguments, same result up to
 * float rounding). Every run of at least DISK_FAST_MIN_RUN pixels of a row
 * sharing exactly the same radius and angle (a whole row of a horizontal
 * tilt-shift, the sharp band, a flat region of a map) is planned once as
 * integer taps and runs the uniform kernel; other pixels gather their own
 * interpolated samples one by one, in float. No parameter is quantised:
 * this is the reference's filter, reorganised. */
#define DISK_FAST_MIN_RUN 16
void disk_fast_varying_layer_rows (const DiskBasis * basis, guint layer,
    const gfloat * radius, const gfloat * angle, gdouble scale_x,
    gdouble scale_y, const DiskImage * in, DiskImage * out, guint y_begin,
    guint y_end);
/* Whether each row y_begin <= y < y_end of the maps (`width` pixels a row)
 * holds one radius and one angle throughout: uniform[y] 1 or 0. Each call
 * of disk_fast_varying_layer_rows scans its rows for this; with the maps
 * kept for every layer of a frame, and often frame after frame, it is
 * worked out once (on 1080p tilt-shift the scans were a tenth of the
 * frame). */
void disk_fast_uniform_rows (const gfloat * radius, const gfloat * angle,
    guint width, guint y_begin, guint y_end, guint8 * uniform);
/* disk_fast_varying_layer_rows with the maps' rows marked by
 * disk_fast_uniform_rows (NULL: scanned): the same values, bit for bit. A
 * mark 0 is always safe (the row's runs are found as they come); a mark 1
 * on a row that is not uniform is not. */
void disk_fast_varying_layer_rows_marked (const DiskBasis * basis,
    guint layer, const gfloat * radius, const gfloat * angle,
    const guint8 * uniform, gdouble scale_x, gdouble scale_y,
    const DiskImage * in, DiskImage * out, guint y_begin, guint y_end);

/* disk_effect_fill_rows with the same values, bit for bit, computed faster:
 * tilt-shift takes the sine and cosine of its focus angle once per call
 * instead of once per pixel, spin and zoom the farthest corner, map and
 * depth read their maps with each row's terms taken once; uniform is
 * disk_effect_fill_rows itself. */
void disk_fast_effect_fill_rows (const DiskEffectParams * params,
    guint frame_width, guint frame_height, guint plane_width,
    guint plane_height, guint sub_x, guint sub_y, const DiskImage * strength,
    const DiskImage * angle_map, gfloat * radius, gfloat * angle,
    guint y_begin, guint y_end);

/* Reduced resolution for large radii. A blur of radius r leaves no detail
 * finer than a fraction of r, so the layers can run on the picture reduced
 * by `factor` in x and y (a factor x factor box average), with the offsets
 * divided by `factor`, and the result be scaled back up (bilinear): factor^2
 * less work. This is an approximation, used only where it stays within
 * 0.3 dB image PSNR of the full-resolution reference (docs/PERFORMANCE.md
 * has the measurements; tests/test-fast.c asserts it on photos).
 *
 * The factor for a kernel whose radius is `radius` pixels of the plane it
 * runs on (1: full resolution). */
#define DISK_FAST_REDUCE_RADIUS 64.0
guint disk_fast_reduction (gdouble radius);
/* The reduced size of `size` pixels: ceil (size / factor). */
guint disk_fast_reduced_size (guint size, guint factor);
/* Rows y_begin <= y < y_end of `small` (reduced_size of `in`'s) = the mean of
 * each factor x factor block of `in` (blocks cut by the far edges average
 * the pixels they have). */
void disk_fast_downsample_rows (const DiskImage * in, DiskImage * small,
    guint factor, guint y_begin, guint y_end);
/* Rows y_begin <= y < y_end of `out` = `small` read bilinearly (clamp to
 * edge) at ((x + 0.5) / factor - 0.5, (y + 0.5) / factor - 0.5): the pixel
 * centres of the two grids aligned. */
void disk_fast_upsample_rows (const DiskImage * small, DiskImage * out,
    guint factor, guint y_begin, guint y_end);

/* How far (in level steps) a pixel of a level run may lie outside its
 * levels' cell (see below). Measured on the /fast/levels-psnr frames
 * (docs/PERFORMANCE.md, tenth pass): radius slack costs quality (0.5 step:
 * 0.2 dB on the map frame), angle slack does not (0.5-1 step: spin and
 * zoom within 0.2 dB of the reference, closer than without it). */
#define DISK_FAST_RADIUS_SLACK 0.25
#define DISK_FAST_ANGLE_SLACK 0.5

/* A level of radius DISK_FAST_SNAP_FROM plane pixels or more reads its
 * samples (U_level below) with each coordinate (in the plane's pixels,
 * relative to the output pixel) that lies within DISK_FAST_SNAP pixels of
 * an integer moved onto it: such a sample reads one or two pixels instead
 * of interpolating between two or four, so the levels read less (bokeh at
 * radius 32: 117 -> 92 reads a pixel in its first layer). Measured against
 * the dense ground truth (docs/PERFORMANCE.md, tenth pass): map, depth,
 * spin and zoom at radii 8-32 lose nothing (spin and zoom gain 0.1-0.3 dB);
 * 0.2 px cost spin 0.5 dB; below 8 px the thin lines of spin and zoom
 * lost up to 4 dB (a tenth of a pixel is much of a short line). */
#define DISK_FAST_SNAP 0.15
#define DISK_FAST_SNAP_FROM 8.0

/* Spatially varying layers as blends of uniform layers at levels.
 *
 * Radius levels sit every `radius_step` frame pixels (k * radius_step,
 * k = 0, 1, ...). With angle_step > 0, each radius level also has angle
 * levels, as many as make the farthest taps (about the level's radius out)
 * move at most angle_step pixels from one angle level to the next, dividing
 * the turn evenly; with angle_step 0 angles are taken exactly (for frames of
 * one angle). A pixel of radius r and angle a then gets
 *
 *   out(p) = sum over the (up to 4) levels around (r, a) of
 *            w_level(r, a) * U_level(in)(p),
 *
 * w_level the bilinear weights of (r, a) between two neighbouring radius
 * levels (and at each, two neighbouring angle levels) and U_level the
 * uniform layer interpolated from the basis at that level (the plane's
 * scale applied, from DISK_FAST_SNAP_FROM the samples' coordinates
 * snapped: DISK_FAST_SNAP). This is linear in the kernel, so it is exact at the
 * levels and between them blends two neighbouring kernels instead of
 * interpolating their taps; every pixel runs the uniform SIMD kernel 2
 * (4 with angle levels) times, in runs of pixels that share their levels,
 * with a few plans per frame instead of a gather per pixel; the levels of
 * a run are summed in one pass over their reads. The levels are those of
 * the cell around (r, a) or, where a run's levels serve the pixel as well,
 * a neighbouring cell's: (r, a) then lies at most DISK_FAST_RADIUS_SLACK
 * radius steps (DISK_FAST_ANGLE_SLACK angle steps) outside the levels'
 * cell and the weights extrapolate linearly (they still sum to 1 and
 * place the pixel at r and a), which makes runs twice as long.
 * An approximation: docs/PERFORMANCE.md measures it, tests/test-fast.c
 * holds it within 0.3 dB image PSNR of the reference against the dense
 * ground truth.
 *
 * One DiskFastLevels serves every layer of one plane (plans are made on
 * first use and kept); any number of threads may run disjoint rows through
 * it at once, with the same result as one thread. The plans depend on the
 * arguments of disk_fast_levels_new only, not on the per-pixel radii and
 * angles, so frame after frame can reuse it (disk_fast_levels_reusable):
 * spin and zoom make tens of thousands of plans per frame. */
typedef struct _DiskFastLevels DiskFastLevels;

/* For planes of width x height pixels and `channels` (1-4) channels.
 * Radii above `max_radius` (frame pixels, < 65536) are taken as
 * max_radius. */
DiskFastLevels *disk_fast_levels_new (const DiskBasis * basis,
    gdouble scale_x, gdouble scale_y, gdouble radius_step,
    gdouble angle_step, gdouble max_radius, guint width, guint height,
    guint channels);
void disk_fast_levels_free (DiskFastLevels * levels);
/* TRUE if `levels` was made with these arguments (the basis compared by
 * address: drop the levels when the basis is freed), so that it can serve
 * another frame. With exact angles (angle_step 0) it also holds the plans
 * of every angle met, so keep it only while the frames' angle stays. */
gboolean disk_fast_levels_reusable (const DiskFastLevels * levels,
    const DiskBasis * basis, gdouble scale_x, gdouble scale_y,
    gdouble radius_step, gdouble angle_step, gdouble max_radius,
    guint width, guint height, guint channels);
/* Rows y_begin <= y < y_end of layer `layer`: `radius` and `angle` (may be
 * NULL: 0 degrees) per pixel as for disk_fast_varying_layer_rows.
 * `workspace` (one per thread, or NULL) keeps the scratch memory from call
 * to call (a padded copy of the rows the band reads). */
void disk_fast_levels_layer_rows (DiskFastLevels * levels, guint layer,
    const gfloat * radius, const gfloat * angle, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end,
    DiskFastWorkspace * workspace);
/* Where the pixels of a frame sit among the levels of a DiskFastLevels
 * (which levels, with which weights, in which runs): the radius and angle
 * maps are the same for every layer of a frame, and often frame after frame
 * (spin, zoom, a map file), so this is worked out once for them and used by
 * every layer (disk_fast_levels_layer_rows works it out for its rows on
 * each call). Covers rows y_begin <= y < y_end of the plane of `levels`,
 * and serves only that DiskFastLevels, which must outlive it. */
typedef struct _DiskFastLevelIndex DiskFastLevelIndex;

DiskFastLevelIndex *disk_fast_level_index_new (const DiskFastLevels * levels,
    guint y_begin, guint y_end);
void disk_fast_level_index_free (DiskFastLevelIndex * index);
/* Indexes rows y_begin <= y < y_end of the maps (`radius` and `angle` as
 * for disk_fast_levels_layer_rows, whole planes): threads may fill
 * disjoint rows at once. With angle levels rows 2 i and 2 i + 1 are
 * segmented together (docs/NUMERICS.md), so a call may read the maps' row
 * just outside its rows. Fill again whenever the maps change. */
void disk_fast_level_index_fill_rows (DiskFastLevelIndex * index,
    const gfloat * radius, const gfloat * angle, guint y_begin, guint y_end);
/* TRUE if `index` was made for `levels` and covers these rows. */
gboolean disk_fast_level_index_serves (const DiskFastLevelIndex * index,
    const DiskFastLevels * levels, guint y_begin, guint y_end);
/* disk_fast_levels_layer_rows with the maps' index (filled for these
 * rows): the same values, bit for bit. */
void disk_fast_levels_layer_rows_indexed (DiskFastLevels * levels,
    guint layer, const DiskFastLevelIndex * index, const DiskImage * in,
    DiskImage * out, guint y_begin, guint y_end,
    DiskFastWorkspace * workspace);
/* How the copy of the input rows each call of disk_fast_levels_layer_rows
 * reads from is held (DiskFastRows; by default DISK_FAST_ROWS_FLOAT):
 * with DISK_FAST_ROWS_HALF in binary16 where supported, every input value
 * rounded as described there, the sums and the output in float. */
void disk_fast_levels_set_rows (DiskFastLevels * levels, DiskFastRows rows);
/* Uniform layers planned so far, over all layers (for benchmarks). */
guint disk_fast_levels_n_plans (DiskFastLevels * levels);
/* How many angle levels radius level k has (1 with exact angles): level j
 * sits at 360 j / n degrees. For tests that rebuild the blend. */
guint disk_fast_levels_n_angles (const DiskFastLevels * levels, guint k);

typedef enum
{
  DISK_FAST_VARYING_EXACT,      /* disk_fast_varying_layer_rows */
  DISK_FAST_VARYING_LEVELS,     /* disk_fast_levels_layer_rows */
} DiskFastVaryingMethod;

/* How the varying layers of `mode` run, and the level steps (frame pixels,
 * as disk_fast_levels_new takes them) for DISK_FAST_VARYING_LEVELS.
 * `angle_varies`: angles differ from pixel to pixel (spin, zoom, an angle
 * map); `max_radius`: the largest radius of the frame (pixels); `scale`:
 * the plane's larger scale (1 for full resolution, 0.5 for 4:2:0 chroma).
 * The steps are set in the plane's own pixels, where the level blend's
 * error lies (a tap moves that far between levels): a 4:2:0 chroma plane
 * takes levels twice as far apart in the frame as its luma, the same
 * distance in its own pixels, and so half the runs. Angle levels multiply with the radius (their number per
 * radius level grows with it), and so would the plans a frame can make and
 * hold: where one layer could need more than DISK_FAST_MAX_LEVEL_PLANS
 * (radius above about 36 px at the default steps) the exact path runs
 * instead, slower but within bounded memory and exact. DISK_FAST_EXACT=1
 * chooses EXACT. */
#define DISK_FAST_MAX_LEVEL_PLANS 16384
DiskFastVaryingMethod disk_fast_varying_method (DiskEffectMode mode,
    gboolean angle_varies, gdouble max_radius, gdouble scale,
    gdouble * radius_step, gdouble * angle_step);

/* Which SIMD kernel runs on this CPU ("avx512f", "avx2" or "generic"), for
 * benchmarks and reports. */
const gchar *disk_fast_simd_name (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskFastLayer, disk_fast_layer_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskFastPlan, disk_fast_plan_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskFastWorkspace, disk_fast_workspace_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskFastLevels, disk_fast_levels_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskFastLevelIndex, disk_fast_level_index_free)

G_END_DECLS

#endif /* __DISK_FAST_H__ */
