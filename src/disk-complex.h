/* DISK core: the sparse kernel complex.
 *
 * A complex is L layers applied one after the other. Layer l holds N_l samples,
 * each an offset (x, y) in pixels, continuous, and a weight w.
 *
 * Orientation (the one place where the sign is decided): offsets are stored in
 * the photographer's convention, as "where the light goes". One layer computes
 *
 *     out(p) = sum_i w_i * in(p - o_i)          (bilinear read, clamp to edge)
 *
 * so a single bright pixel at q lands at q + o_i: the image of a point light is
 * the kernel as drawn, never mirrored. The effective kernel of the complex is
 * the convolution of its layers' sparse kernels.
 *
 * Rotation by an angle theta in degrees uses the standard matrix in image
 * coordinates (x right, y down):  (x, y) -> (x cos t - y sin t, x sin t + y cos t),
 * i.e. the +x axis turns towards +y: positive angles turn clockwise on screen.
 */
#ifndef __DISK_COMPLEX_H__
#define __DISK_COMPLEX_H__

#include <glib.h>

G_BEGIN_DECLS

#define DISK_MAX_LAYERS 16
#define DISK_MAX_SAMPLES_PER_LAYER 4096

typedef struct _DiskSample DiskSample;
typedef struct _DiskComplex DiskComplex;

struct _DiskSample
{
  gfloat x;                     /* offset, pixels, +x right */
  gfloat y;                     /* offset, pixels, +y down */
  gfloat w;                     /* weight */
};

struct _DiskComplex
{
  guint n_layers;
  guint n_samples[DISK_MAX_LAYERS];     /* samples in each layer */
  guint first[DISK_MAX_LAYERS];         /* index of each layer's first sample */
  guint total;                          /* sum of n_samples */
  DiskSample *samples;                  /* all layers, layer 0 first */
};

/* n_layers in 1..DISK_MAX_LAYERS, every n_samples[l] in 1..DISK_MAX_SAMPLES_PER_LAYER.
 * Samples start zeroed. Returns NULL on a structure outside those bounds. */
DiskComplex *disk_complex_new (guint n_layers, const guint * n_samples);
/* Convenience: every layer with the same number of samples ("24x4"). */
DiskComplex *disk_complex_new_uniform (guint n_layers, guint samples_per_layer);
/* A complex of the same structure whose every layer is the identity
 * (all offsets 0, weights 1 / N_l). */
DiskComplex *disk_complex_new_identity (guint n_layers, const guint * n_samples);
DiskComplex *disk_complex_copy (const DiskComplex * complex);
void disk_complex_free (DiskComplex * complex);

static inline DiskSample *
disk_complex_layer (const DiskComplex * complex, guint layer)
{
  return complex->samples + complex->first[layer];
}

gboolean disk_complex_same_structure (const DiskComplex * a, const DiskComplex * b);
/* Multiplies every offset by `factor`. */
void disk_complex_scale (DiskComplex * complex, gfloat factor);
/* Multiplies every offset's x by `scale_x` and y by `scale_y`: the kernel of a
 * plane subsampled relative to the frame (0.5, 0.5 for I420 chroma). */
void disk_complex_scale_xy (DiskComplex * complex, gfloat scale_x,
    gfloat scale_y);
/* Rotates every offset by `degrees` (see the convention above). */
void disk_complex_rotate (DiskComplex * complex, gdouble degrees);
/* Shifts each layer's weights by a common amount so that they sum to exactly 1
 * (up to float rounding): the DC gain of the complex is then 1. */
void disk_complex_normalise_weights (DiskComplex * complex);
/* Upper bound of how far (pixels) light can travel through the whole complex:
 * the sum over layers of the largest |offset| in each layer. */
gdouble disk_complex_reach (const DiskComplex * complex);
/* "24x4" for uniform structures, "24+12+12x2"-like for others; free with g_free. */
gchar *disk_complex_describe_structure (const DiskComplex * complex);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskComplex, disk_complex_free)

G_END_DECLS

#endif /* __DISK_COMPLEX_H__ */
