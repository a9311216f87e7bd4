/* DISK core: presets, a named basis with the record of how it was made.
 *
 * A preset file is a GKeyFile text file (see docs/PRESET-FORMAT.md):
 *
 *   [preset]
 *   format=1
 *   name=bokeh
 *   description=Circular lens bokeh
 *   target=disc
 *   structure=24;24;24;24          samples per layer
 *   radii=1;2;3;4;6;8              pixels, strictly increasing
 *   command=disk-fit --target disc ...
 *   seed=1
 *
 *   [entry 0]                      one group per radius, in order
 *   radius=1
 *   kernel-psnr=52.1               measured fit quality (dB)
 *   layer0-x=...;...               N_0 offsets (pixels at this radius)
 *   layer0-y=...
 *   layer0-w=...
 *   layer1-x=...  (and so on for every layer)
 *
 * Loading validates everything: counts, finite numbers, strictly increasing
 * positive radii, |offset| <= 8 * radius + 8 pixels, |weight| <= 64, each
 * layer's weights summing to 1 within 1e-3; kernel-psnr absent (unknown,
 * NAN) or a number (inf for an exact fit). Errors name the file, group and
 * key. Unknown keys are ignored. Floats are written with just enough digits
 * to read back bit-identical. Saving first re-reads the text it is about to
 * write (an invalid preset is refused), then writes a temporary file and
 * renames it into place, so a reader never sees a half-written preset.
 */
#ifndef __DISK_PRESET_H__
#define __DISK_PRESET_H__

#include "disk-basis.h"

G_BEGIN_DECLS

/* Most radii (basis entries) a preset may hold. */
#define DISK_PRESET_MAX_ENTRIES 1024

#define DISK_PRESET_ERROR (disk_preset_error_quark ())
GQuark disk_preset_error_quark (void);

typedef enum
{
  DISK_PRESET_ERROR_PARSE,      /* not a key file, or a value of the wrong type */
  DISK_PRESET_ERROR_MISSING,    /* a required group or key is absent */
  DISK_PRESET_ERROR_INVALID,    /* a value is out of range or inconsistent */
  DISK_PRESET_ERROR_IO,         /* could not read or write the file */
} DiskPresetError;

typedef struct _DiskPreset DiskPreset;

struct _DiskPreset
{
  gchar *name;
  gchar *description;
  gchar *target;                /* target spec, disk-target.h syntax */
  gchar *command;               /* exact command that made the file */
  guint64 seed;
  DiskBasis *basis;
  gdouble *kernel_psnr;         /* basis->n_entries values, NAN if unknown */
};

/* Takes ownership of `basis`. Strings are copied; kernel_psnr may be NULL. */
DiskPreset *disk_preset_new (const gchar * name, const gchar * description,
    const gchar * target, const gchar * command, guint64 seed,
    DiskBasis * basis, const gdouble * kernel_psnr);
/* A deep copy. */
DiskPreset *disk_preset_copy (const DiskPreset * preset);
void disk_preset_free (DiskPreset * preset);

DiskPreset *disk_preset_load_file (const gchar * path, GError ** error);
/* `origin` names the data in error messages (a file name or resource path).
 * `data` need not be NUL-terminated; any bytes are safe to pass. */
DiskPreset *disk_preset_load_data (const gchar * data, gsize length,
    const gchar * origin, GError ** error);

gchar *disk_preset_to_data (const DiskPreset * preset, gsize * length);
gboolean disk_preset_save_file (const DiskPreset * preset, const gchar * path,
    GError ** error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DiskPreset, disk_preset_free)

G_END_DECLS

#endif /* __DISK_PRESET_H__ */
