/* gaiarouterd.c — the headless gateway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

#include "core/gr-gateway.h"
#include "store/gr-db.h"
#include "store/gr-store-migrate.h"
#include "core/gr-log.h"

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static GrConfig *
load_config (const char  *config_path,
             const char  *listen,
             const char  *db,
             GError     **error)
{
  g_autoptr(GrConfig) config = NULL;

  if (config_path != NULL)
    config = gr_config_load_file (config_path, error);
  else
    config = gr_config_new_default ();
  if (config == NULL)
    return NULL;

  if (listen != NULL)
    {
      g_free (config->listen_host);
      config->listen_host = NULL;
      if (!gr_config_parse_listen (listen, &config->listen_host, &config->listen_port, error))
        return NULL;
    }
  if (db != NULL)
    {
      g_free (config->database);
      config->database = g_strdup (db);
    }
  return g_steal_pointer (&config);
}

/* --migrate-from: copies, prints what it copied, and the exit status. */
static int
migrate (const char *source,
         const char *target)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) counts = NULL;
  g_autofree char *shown = gr_db_target_display (target);
  gint64 start = g_get_monotonic_time ();

  if (!gr_db_target_is_postgresql (target))
    {
      g_printerr ("gaiarouterd: --migrate-from copies into PostgreSQL: "
                  "give the target with --db postgresql://… (or database = in the configuration)\n");
      return 2;
    }
  g_print ("Copying %s into %s…\n", source, shown);
  counts = gr_store_migrate (source, target, &error);
  if (counts == NULL)
    {
      g_printerr ("gaiarouterd: migration failed, nothing was written: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < counts->len; i++)
    {
      const GrStoreMigrateCount *c = &g_array_index (counts, GrStoreMigrateCount, i);

      g_print ("  %-18s %" G_GINT64_FORMAT " rows\n", c->table, c->rows);
    }
  g_print ("Done in %.1f s.  Start gaiarouterd with --db %s; existing API keys keep working.\n",
           (g_get_monotonic_time () - start) / 1e6, shown);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *listen = NULL;
  g_autofree char *db = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *migrate_from = NULL;
  gboolean version = FALSE;
  int threads = -1;
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen, "Address to listen on (default 127.0.0.1:8080)", "HOST:PORT" },
    { "db", 'd', 0, G_OPTION_ARG_FILENAME, &db,
      "SQLite file (default in the XDG data directory) or postgresql://user@host/dbname", "PATH|URL" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &config_path, "Configuration file (GKeyFile)", "FILE" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &threads, "Event loops sharing the port (default: one per CPU)", "N" },
    { "migrate-from", 0, 0, G_OPTION_ARG_FILENAME, &migrate_from,
      "Copy a SQLite installation into the empty PostgreSQL database of --db, then exit", "sqlite:PATH" },
    { "version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrGateway) gateway = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autofree char *url = NULL;
  g_autofree char *key_path = NULL;
  g_autofree char *new_key = NULL;
  GrConfig *config;

  setlocale (LC_ALL, "");

  context = g_option_context_new ("— GaiaRouter AI gateway");
  g_option_context_set_summary (context,
    "Serves an OpenAI-compatible API (/v1/chat/completions, /v1/models) and routes\n"
    "each request to OpenAI, Anthropic, Gemini, OpenRouter or a local server.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("gaiarouterd: %s\n", error->message);
      return 2;
    }
  if (version)
    {
      g_print ("gaiarouterd %s\n", PACKAGE_VERSION);
      return 0;
    }

  config = load_config (config_path, listen, db, &error);
  if (config == NULL)
    {
      g_printerr ("gaiarouterd: %s\n", error->message);
      return 2;
    }

  if (migrate_from != NULL)
    {
      int status = migrate (migrate_from, config->database);

      gr_config_free (config);
      return status;
    }

  if (threads >= 0)
    config->threads = threads;
  /* Text or JSON lines, each naming its request (GR_REQUEST_ID). */
  g_log_set_writer_func (gr_log_writer, GINT_TO_POINTER (config->log_json), NULL);
  gateway = gr_gateway_new (config);
  if (!gr_gateway_start (gateway, &error))
    {
      g_printerr ("gaiarouterd: %s\n", error->message);
      return 1;
    }

  url = gr_gateway_dup_url (gateway);
  key_path = gr_gateway_dup_admin_key_path (gateway);
  new_key = gr_gateway_dup_new_admin_key (gateway);
  g_print ("GaiaRouter %s listening on %s\n", PACKAGE_VERSION, url);
  {
    g_autofree char *shown = gr_db_target_display (config->database);

    g_print ("Database: %s\n", shown);
  }
  if (new_key != NULL)
    {
      g_print ("Created the admin key (shown once): %s\n", new_key);
      g_print ("It was written to %s (mode 0600).\n", key_path);
    }
  else
    g_print ("Admin key: see %s (written on first start)\n", key_path);
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_unix_signal_add (SIGINT, quit_cb, loop);
  g_unix_signal_add (SIGTERM, quit_cb, loop);
  g_main_loop_run (loop);

  g_print ("Stopping: letting in-flight requests finish…\n");
  fflush (stdout);
  gr_gateway_stop (gateway);
  g_print ("Stopped.\n");
  return 0;
}
