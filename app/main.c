/* main.c — entry point of the gaiarouter desktop application
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "core/gr-log.h"
#include "gr-application.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GrApplication) app = NULL;
  const char *localedir = g_getenv ("GAIAROUTER_LOCALEDIR");

  setlocale (LC_ALL, "");
  /* GAIAROUTER_LOCALEDIR (an uninstalled build) is bound before GTK starts:
   * g_dgettext() decides on its first call whether to translate at all. */
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  /* The embedded gateway's log lines name their request, as the
   * daemon's do. */
  g_log_set_writer_func (gr_log_writer, GINT_TO_POINTER (FALSE), NULL);
  app = gr_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
