/* mock-upstream-main.c — the mock upstream as a standalone server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * For tests that are not GLib programs (tests/sdk/run.sh):
 *
 *   mock-upstream-server [--port N] [--fixtures DIR] [--require-attribution]
 *
 * prints the port it listens on (one line, then flushes) and serves until
 * SIGTERM or SIGINT.  See mock-upstream.h for what it answers.
 */
#include "config.h"

#include <glib-unix.h>
#include <stdio.h>

#include "mock-upstream.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int   argc,
      char *argv[])
{
  int port = 0;
  g_autofree char *fixtures = NULL;
  gboolean require_attribution = FALSE;
  GOptionEntry entries[] = {
    { "port", 'p', 0, G_OPTION_ARG_INT, &port, "Port to listen on (0: any free port)", "N" },
    { "fixtures", 'f', 0, G_OPTION_ARG_FILENAME, &fixtures, "Directory of the wire fixtures", "DIR" },
    { "require-attribution", 0, 0, G_OPTION_ARG_NONE, &require_attribution,
      "Reject OpenRouter requests without HTTP-Referer and X-Title", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— mock LLM upstreams on loopback");
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  MockUpstream *mock;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("mock-upstream-server: %s\n", error->message);
      return 2;
    }
  if (port < 0 || port > 65535)
    {
      g_printerr ("mock-upstream-server: invalid port %d\n", port);
      return 2;
    }
  if (fixtures != NULL)
    mock_set_fixture_dir (fixtures);

  mock = mock_upstream_new_full ((guint16) port, &error);
  if (mock == NULL)
    {
      g_printerr ("mock-upstream-server: %s\n", error->message);
      return 1;
    }
  mock_upstream_set_require_attribution (mock, require_attribution);
  g_print ("%u\n", mock_upstream_get_port (mock));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  g_printerr ("mock-upstream-server: %u requests served\n", mock_upstream_get_requests (mock));
  mock_upstream_free (mock);
  return 0;
}
