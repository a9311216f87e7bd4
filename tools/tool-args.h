/* Command-line helpers shared by the tools: one way to report a bad argument
 * and one way to read a number. */
#ifndef __TOOL_ARGS_H__
#define __TOOL_ARGS_H__

#include <glib.h>

G_BEGIN_DECLS

/* Exit status for a bad command line. */
#define TOOL_EXIT_USAGE 2

/* Prints "PROGRAM: OPTION: message" (or "PROGRAM: message" when `option` is
 * NULL) and a hint to --help; returns TOOL_EXIT_USAGE. */
int tool_usage_error (const gchar * program, const gchar * option,
    const gchar * format, ...) G_GNUC_PRINTF (3, 4);

/* A finite number in C syntax whatever the locale, surrounding spaces
 * allowed, nothing else. */
gboolean tool_parse_number (const gchar * text, gdouble * out);

G_END_DECLS

#endif /* __TOOL_ARGS_H__ */
