/* Command-line helpers shared by the tools (see tool-args.h). */
#include "tool-args.h"

#include <math.h>
#include <stdarg.h>

int
tool_usage_error (const gchar * program, const gchar * option,
    const gchar * format, ...)
{
  g_autofree gchar *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  if (option != NULL)
    g_printerr ("%s: %s: %s\n", program, option, message);
  else
    g_printerr ("%s: %s\n", program, message);
  g_printerr ("Try '%s --help' for the options.\n", program);
  return TOOL_EXIT_USAGE;
}

gboolean
tool_parse_number (const gchar * text, gdouble * out)
{
  g_autofree gchar *copy = g_strstrip (g_strdup (text));
  gchar *end = NULL;

  if (copy[0] == '\0')
    return FALSE;
  *out = g_ascii_strtod (copy, &end);
  return *end == '\0' && isfinite (*out);
}
