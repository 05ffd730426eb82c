/* gr-sql.c — small SQLite helpers shared by the store's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/gr-error.h"
#include "store/gr-sql.h"

gboolean
gr_sql_error (sqlite3  *db,
              int       rc,
              GError  **error)
{
  int primary = rc & 0xff;
  int code = (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ? GR_ERROR_STORE_BUSY
           : (primary == SQLITE_CONSTRAINT) ? GR_ERROR_CONFLICT : GR_ERROR_STORE;

  g_set_error (error, GR_ERROR, code, "database: %s", db ? sqlite3_errmsg (db) : sqlite3_errstr (rc));
  return FALSE;
}

gboolean
gr_sql_exec (sqlite3    *db,
             const char *sql,
             GError    **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &msg);

  if (rc != SQLITE_OK)
    {
      int primary = rc & 0xff;

      g_set_error (error, GR_ERROR,
                   (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) ? GR_ERROR_STORE_BUSY : GR_ERROR_STORE,
                   "database: %s", msg ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

sqlite3_stmt *
gr_sql_prepare (sqlite3    *db,
                const char *sql,
                GError    **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);

  if (rc != SQLITE_OK)
    {
      gr_sql_error (db, rc, error);
      return NULL;
    }
  return stmt;
}

gboolean
gr_sql_step_done (sqlite3      *db,
                  sqlite3_stmt *stmt,
                  GError      **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return gr_sql_error (db, rc, error);
  return TRUE;
}

void
gr_sql_bind_text (sqlite3_stmt *stmt,
                  int           idx,
                  const char   *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, idx, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, idx);
}

void
gr_sql_bind_limit (sqlite3_stmt *stmt,
                   int           idx,
                   gint64        value)
{
  if (value >= 0)
    sqlite3_bind_int64 (stmt, idx, value);
  else
    sqlite3_bind_null (stmt, idx);
}

char *
gr_sql_column_dup (sqlite3_stmt *stmt,
                   int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text ? g_strdup ((const char *) text) : NULL;
}

gint64
gr_sql_column_limit (sqlite3_stmt *stmt,
                     int           col)
{
  if (sqlite3_column_type (stmt, col) == SQLITE_NULL)
    return -1;
  return sqlite3_column_int64 (stmt, col);
}

char **
gr_sql_split_list (const char *value)
{
  if (value == NULL || *value == '\0')
    return g_new0 (char *, 1);
  return g_strsplit (value, ",", -1);
}

gint64
gr_sql_now_ms (void)
{
  return g_get_real_time () / 1000;
}

char *
gr_sql_like_escape (const char *q)
{
  GString *s;

  if (q == NULL || *q == '\0')
    return NULL;
  /* LIKE treats % and _ as wildcards; a search for them means them. */
  s = g_string_new (NULL);
  for (const char *p = q; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  return g_string_free (s, FALSE);
}
