/* print-routes.c — prints the path prefixes the gateway registers handlers for
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Starts a real gateway (temporary database, a free loopback port, no
 * providers), prints gr_gateway_dup_routes() one per line, stops it and
 * removes the temporary directory.  tests/openapi-check.py compares the
 * output with docs/openapi.yaml.
 */
#include "config.h"

#include <glib/gstdio.h>

#include "core/gr-gateway.h"

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_auto(GStrv) routes = NULL;
  GrGateway *gateway;
  GrConfig *config;
  int status = 0;

  dir = g_dir_make_tmp ("gr-routes-XXXXXX", &error);
  if (dir == NULL)
    {
      g_printerr ("print-routes: %s\n", error->message);
      return 1;
    }

  config = gr_config_new_default ();
  g_free (config->database);
  config->database = g_build_filename (dir, "gaiarouter.db", NULL);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;

  gateway = gr_gateway_new (config);
  if (!gr_gateway_start (gateway, &error))
    {
      g_printerr ("print-routes: cannot start the gateway: %s\n", error->message);
      status = 1;
    }
  else
    {
      routes = gr_gateway_dup_routes (gateway);
      if (routes == NULL || routes[0] == NULL)
        {
          g_printerr ("print-routes: the gateway registered no routes\n");
          status = 1;
        }
      for (guint i = 0; routes != NULL && routes[i] != NULL; i++)
        g_print ("%s\n", routes[i]);
      gr_gateway_stop (gateway);
    }

  g_object_unref (gateway);
  remove_dir (dir);
  return status;
}
