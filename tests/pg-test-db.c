/* pg-test-db.c — a throwaway PostgreSQL database for one test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "store/gr-db.h"
#include "pg-test-db.h"

/* base with its database (the path after the host part) replaced. */
static char *
url_with_database (const char *base,
                   const char *name)
{
  const char *host = strstr (base, "://") + 3;
  const char *path = strpbrk (host, "/?");
  const char *query;

  if (path == NULL)
    return g_strdup_printf ("%s/%s", base, name);
  query = strchr (path, '?');
  return g_strdup_printf ("%.*s/%s%s", (int) (path - base), base, name, query ? query : "");
}

static void
admin_exec (const char *sql)
{
  g_autoptr(GError) error = NULL;
  GrDb *db = gr_db_open (g_getenv ("GR_TEST_PG_URL"), GR_DB_OPEN_DEFAULT, &error);

  g_assert_no_error (error);
  g_assert_true (gr_db_exec (db, sql, &error));
  g_assert_no_error (error);
  gr_db_close (db);
}

char *
gr_pg_test_db_create (char **name)
{
  const char *base = g_getenv ("GR_TEST_PG_URL");
  g_autofree char *sql = NULL;

  *name = NULL;
  if (base == NULL || *base == '\0')
    return NULL;
  g_assert_true (gr_db_target_is_postgresql (base));
  *name = g_strdup_printf ("gr_test_%08x%08x", g_random_int (), g_random_int ());
  sql = g_strdup_printf ("CREATE DATABASE %s;", *name);
  admin_exec (sql);
  return url_with_database (base, *name);
}

void
gr_pg_test_db_drop (const char *name)
{
  g_autofree char *sql = g_strdup_printf ("DROP DATABASE IF EXISTS %s WITH (FORCE);", name);

  admin_exec (sql);
}
