/* DISK core: fitting complexes to target kernels by gradient descent.
 *
 * Forward model: the reference filter (disk-filter.h) applied to a delta on the
 * fitting canvas (disk_fit_canvas_half_size ()), so K_syn is exactly what the
 * runtime filter does to a point light. Backward: the analytic gradients of
 * disk-gradient.h. The loss works on d = (K_syn - K_tgt) / max (K_tgt):
 *   first half of the steps   Charbonnier  sum sqrt (d^2 + eps^2) - eps
 *                             (eps relative to the target's peak), or L2;
 *   second half (the polish)  sum d^2 plus a term on Gaussian-blurred d that
 *                             favours the low frequencies of the kernel
 *                             error, which are what a filtered photo shows.
 * Optimiser: Adam on radius-relative offsets (o / r) and weights in units of
 * 1 / N; the learning rate warms up over the first 5 % of the steps, then
 * decays linearly from lr_start to lr_end. After every step each layer's
 * weights are shifted to sum to 1, so the DC gain stays exactly 1.
 *
 * Initialisations:
 *   random   offsets uniform in a disc of radius r / L per layer, weights 1 / N
 *   radial   (increasing radial) layer l on a circle of radius (l + 1) * dr,
 *            dr chosen so that the composite spans r; weights 1 / N
 *   sparse   (sparse sampling) the first layer drawn by rejection sampling from
 *            the target's support, the others as in radial
 * Multi-start: `starts` runs with seeds seed, seed + 1, ...; from the third
 * start on, the radial initialisation is tried too; all of them once with
 * each Charbonnier epsilon (the loss's knee: where one wins, the other often
 * loses); the best kernel PSNR of all the runs wins. A basis of several
 * radii runs its anchor with the first epsilon only (see disk-fit.c).
 * Basis fitting by continuation: the radius nearest the geometric middle of
 * the range is fitted first with the full multi-start; the fit then moves
 * outward both ways, each entry warm-started from its neighbour scaled to its
 * radius (half the steps), and scored together with the complexes that
 * interpolation gives between it and that neighbour, so that sample i means
 * the same part of the shape across the basis and radii in between stay good.
 * Measurements behind every default: docs/FITTING.md.
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

/* Charbonnier epsilons a multi-start may sweep. */
#define DISK_FIT_MAX_EPSILONS 4

struct _DiskFitOptions
{
  guint n_layers;
  guint n_samples[DISK_MAX_LAYERS];
  guint steps;                  /* per start and per basis entry */
  gdouble lr_start;
  gdouble lr_end;
  DiskLoss loss;
  /* Charbonnier epsilons, relative to the target's peak: the multi-start
   * runs its starts once with each (with L2 loss, once) */
  gdouble charbonnier_epsilons[DISK_FIT_MAX_EPSILONS];
  guint n_epsilons;
  DiskInit init;
  guint starts;                 /* multi-start: keep the best of this many
                                 * (for each epsilon) */
  guint64 seed;
  DiskFitProgressFunc progress;
  gpointer progress_data;
};

/* Defaults: the given structure, 2000 steps, Charbonnier then polish, sparse
 * init, 3 starts with each of the epsilons 1e-3 and 1e-2 (6 runs), seed 1,
 * learning rate 1e-2 -> 1e-4. */
void disk_fit_options_init (DiskFitOptions * options, guint n_layers,
    guint samples_per_layer);

/* TRUE where n_epsilons is 1 to DISK_FIT_MAX_EPSILONS and each of them is
 * positive and finite (the fits refuse other options). */
gboolean disk_fit_options_valid_epsilons (const DiskFitOptions * options);

/* The epsilons as "0.001,0.01" (%g each, comma-separated: what disk-fit's
 * --epsilon takes). Free with g_free. */
gchar *disk_fit_options_epsilons_to_string (const DiskFitOptions * options);

/* The runs a single-kernel fit without warm start makes: starts times the
 * epsilons (one with L2 loss). Each runs `steps` steps. */
guint disk_fit_options_runs (const DiskFitOptions * options);

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

/* Half-size of the square canvas a kernel of `radius` is fitted and measured
 * on: room for the target and for light a complex sends a little beyond it
 * (max (disk_target_half_size (r), ceil (1.25 r) + 3)), so no clamp at the
 * canvas edge feeds light back. */
guint disk_fit_canvas_half_size (gdouble radius);

const gchar *disk_init_to_string (DiskInit init);
gboolean disk_init_from_string (const gchar * name, DiskInit * init);

G_END_DECLS

#endif /* __DISK_FIT_H__ */
