/* gr-test-db.c — which database a store test runs on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "store/gr-db.h"
#include "gr-test-db.h"

static GPtrArray *created;   /* names of the databases to drop at exit */
static GMutex created_lock;

gboolean
gr_test_db_is_pg (void)
{
  return g_strcmp0 (g_getenv ("GR_TEST_DB"), "pg") == 0;
}

/* The server's URL with another database name: the path of
 * postgresql://[auth@host]/DBNAME[?params]. */
static char *
url_with_dbname (const char *url,
                 const char *dbname)
{
  const char *authority = strstr (url, "://");
  const char *path, *query;

  g_assert_nonnull (authority);
  authority += 3;
  path = strpbrk (authority, "/?");
  if (path == NULL)
    return g_strconcat (url, "/", dbname, NULL);
  query = strchr (path, '?');
  return g_strdup_printf ("%.*s/%s%s", (int) (path - url), url, dbname, query ? query : "");
}

static void
drop_created (void)
{
  const char *url = g_getenv ("GR_TEST_PG_URL");
  GrDb *db;

  if (created == NULL || url == NULL)
    return;
  db = gr_db_open (url, GR_DB_OPEN_DEFAULT, NULL);
  for (guint i = 0; db != NULL && i < created->len; i++)
    {
      g_autofree char *sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE);",
                                              (char *) created->pdata[i]);
      g_autoptr(GError) error = NULL;

      if (!gr_db_exec (db, sql, &error))
        g_printerr ("# could not drop %s: %s\n", (char *) created->pdata[i], error->message);
    }
  gr_db_close (db);
  g_clear_pointer (&created, g_ptr_array_unref);
}

char *
gr_test_db_new_pg (void)
{
  const char *url = g_getenv ("GR_TEST_PG_URL");
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *sql = NULL;
  GrDb *db;

  if (url == NULL || *url == '\0')
    {
      g_test_skip ("GR_TEST_DB=pg without GR_TEST_PG_URL: run scripts/test, which starts a "
                   "PostgreSQL server for the postgresql suite");
      return NULL;
    }
  name = g_strdup_printf ("gr_test_%08x%08x", g_random_int (), g_random_int ());
  db = gr_db_open (url, GR_DB_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf ("CREATE DATABASE %s;", name);
  gr_db_exec (db, sql, &error);
  g_assert_no_error (error);
  gr_db_close (db);

  g_mutex_lock (&created_lock);
  if (created == NULL)
    {
      created = g_ptr_array_new_with_free_func (g_free);
      atexit (drop_created);
    }
  g_ptr_array_add (created, g_strdup (name));
  g_mutex_unlock (&created_lock);
  return url_with_dbname (url, name);
}

char *
gr_test_db_target (const char *sqlite_path)
{
  if (!gr_test_db_is_pg ())
    return g_strdup (sqlite_path);
  return gr_test_db_new_pg ();
}

gboolean
gr_test_db_skip_unless_sqlite (const char *why)
{
  if (!gr_test_db_is_pg ())
    return FALSE;
  g_test_skip (why);
  return TRUE;
}

static void
skip_unavailable (void)
{
  g_test_skip ("GR_TEST_DB=pg without GR_TEST_PG_URL: run scripts/test, which starts a "
               "PostgreSQL server for the postgresql suite");
}

gboolean
gr_test_db_skip_all (void)
{
  const char *url = g_getenv ("GR_TEST_PG_URL");

  if (!gr_test_db_is_pg () || (url != NULL && *url != '\0'))
    return FALSE;
  g_test_add_func ("/gaiarouter/postgresql-unavailable", skip_unavailable);
  return TRUE;
}
