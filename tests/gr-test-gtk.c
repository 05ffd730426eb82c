/* gr-test-gtk.c — logging for the app tests under Xvfb
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "gr-test-gtk.h"

#define FOCUS_WARNING "did not receive a focus-out event"

static gboolean
is_focus_warning (const char *domain,
                  const char *message)
{
  return g_strcmp0 (domain, "Gtk") == 0 && message != NULL && strstr (message, FOCUS_WARNING) != NULL;
}

static GLogWriterOutput
test_log_writer (GLogLevelFlags   level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  const char *domain = NULL, *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length != -1)
        continue;
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  if (is_focus_warning (domain, message))
    {
      g_test_message ("ignored: %s-WARNING: %s", domain, message);
      return G_LOG_WRITER_HANDLED;
    }
  return g_log_writer_default (level, fields, n_fields, user_data);
}

static gboolean
fatal_log_cb (const char    *log_domain,
              GLogLevelFlags log_level,
              const char    *message,
              gpointer       user_data)
{
  return !is_focus_warning (log_domain, message);
}

void
gr_test_gtk_init_logging (void)
{
  g_test_log_set_fatal_handler (fatal_log_cb, NULL);
  g_log_set_writer_func (test_log_writer, NULL, NULL);
}
