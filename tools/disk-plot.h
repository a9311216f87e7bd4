/* Contact sheets of a preset: one row per radius, three panels:
 * target | fitted impulse response | |error| amplified (the amplification of
 * every row is appended to `report`, one line a row). Written atomically. */
#ifndef __DISK_PLOT_H__
#define __DISK_PLOT_H__

#include "disk-preset.h"
#include "disk-target.h"

G_BEGIN_DECLS

gboolean disk_plot_write (const DiskPreset * preset, const DiskTarget * target,
    const gdouble * radii, guint n_radii, const gchar * path,
    GString * report, GError ** error);

G_END_DECLS

#endif /* __DISK_PLOT_H__ */
