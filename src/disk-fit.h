/* DISK core: fitting complexes to target kernels by gradient descent.
 *
 * Forward model: the reference filter (disk-filter.h) applied to a delta on the
 * target canvas, K_syn = disk_complex_impulse_response (). Backward: the
 * analytic gradients of disk-gradient.h. Loss over the canvas:
 *   Charbonnier  sum_p sqrt((K_syn - K_tgt)^2 + eps^2) - eps
 *   L2           sum_p (K_syn - K_tgt)^2
 * (both scaled by a constant that keeps Adam's steps meaningful; see .c).
 * Optimiser: Adam, learning rate decayed linearly from lr_start to lr_end over
 * the steps. Offsets are optimised radius-relative (o / r), so the learning
 * rates mean the same at every radius. After every step each layer's weights
 * are shifted to sum to 1, so the DC gain stays exactly 1.
 *
 * Initialisations:
 *   random   offsets uniform in the disc of radius r / L per layer, weights 1 / N
 *   radial   (increasing radial) layer l on a circle of radius (l + 1) * dr,
 *            dr = r / (sum of 1..L) so the composite spans r; weights 1 / N
 *   sparse   (sparse sampling) the first layer drawn by rejection sampling from
 *            the target's support, the others as in radial with the remaining span
 * Multi-start: `starts` independent runs (seeds seed, seed + 1, ..., and for
 * starts >= 3 also the other initialisations); the best kernel PSNR is kept.
 * Basis fitting by continuation: the entries are fitted from the largest
 * radius down (or as ordered), each warm-started from its neighbour scaled to
 * its radius, so sample i means the same part of the shape across the basis.
 */
#ifndef __DISK_FIT_H__
#define __DISK_FIT_H__

#include "disk-complex.h"
#include "disk-basis.h"
#include "disk-target.h"

G_BEGIN_DECLS

typedef enum
{
  DISK_INIT_RANDOM,
  DISK_INIT_RADIAL,
  DISK_INIT_SPARSE,
} DiskInit;

typedef enum
{
  DISK_LOSS_CHARBONNIER,
  DISK_LOSS_L2,
} DiskLoss;

/* Called now and then during a fit; `entry` counts basis entries (0 for a
 * single kernel). Must not be slow. */
typedef void (*DiskFitProgressFunc) (guint entry, guint n_entries, guint step,
    guint n_steps, gdouble loss, gpointer user_data);

typedef struct _DiskFitOptions DiskFitOptions;

struct _DiskFitOptions
{
  guint n_layers;
  guint n_samples[DISK_MAX_LAYERS];
  guint steps;                  /* per start and per basis entry */
  gdouble lr_start;
  gdouble lr_end;
  DiskLoss loss;
  gdouble charbonnier_epsilon;
  DiskInit init;
  guint starts;                 /* multi-start: keep the best of this many */
  guint64 seed;
  DiskFitProgressFunc progress;
  gpointer progress_data;
};

/* Defaults: the given structure, 1000 steps, Charbonnier, sparse init, 1 start,
 * seed 1 and the learning rates documented in disk-fit.c. */
void disk_fit_options_init (DiskFitOptions * options, guint n_layers,
    guint samples_per_layer);

/* Fits one complex to the rendered, normalised `target_kernel` (a square
 * single-channel canvas, centre at its middle) for blur radius `radius`.
 * `warm_start` (may be NULL) replaces the initialisation. Returns the fitted
 * complex, offsets in pixels; `kernel_psnr` (may be NULL) receives its quality. */
DiskComplex *disk_fit_complex (const DiskImage * target_kernel, gdouble radius,
    const DiskFitOptions * options, const DiskComplex * warm_start,
    gdouble * kernel_psnr);

/* Fits a basis at `radii` (strictly increasing) by continuation.
 * `kernel_psnr` (n_radii values, may be NULL) receives each entry's quality. */
DiskBasis *disk_fit_basis (const DiskTarget * target, const gdouble * radii,
    guint n_radii, const DiskFitOptions * options, gdouble * kernel_psnr,
    GError ** error);

const gchar *disk_init_to_string (DiskInit init);
gboolean disk_init_from_string (const gchar * name, DiskInit * init);

G_END_DECLS

#endif /* __DISK_FIT_H__ */
