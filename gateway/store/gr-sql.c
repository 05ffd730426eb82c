/* gr-sql.c — small helpers shared by the store's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/gr-error.h"
#include "store/gr-sql.h"

GrDbStmt *
gr_sql_prepare (GrDb        *db,
                const char  *sql,
                GError     **error)
{
  return gr_db_prepare (db, sql, error);
}

gboolean
gr_sql_step_done (GrDbStmt  *stmt,
                  GError   **error)
{
  GrDbStep rc = gr_db_stmt_step (stmt, error);

  gr_db_stmt_finalize (stmt);
  if (rc == GR_DB_ROW)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_STORE, "database: a statement returned rows unexpectedly");
      return FALSE;
    }
  return rc == GR_DB_DONE;
}

void
gr_sql_bind_text (GrDbStmt   *stmt,
                  int         idx,
                  const char *value)
{
  gr_db_stmt_bind_text (stmt, idx, value);
}

void
gr_sql_bind_limit (GrDbStmt *stmt,
                   int       idx,
                   gint64    value)
{
  if (value >= 0)
    gr_db_stmt_bind_int64 (stmt, idx, value);
  else
    gr_db_stmt_bind_null (stmt, idx);
}

char *
gr_sql_column_dup (GrDbStmt *stmt,
                   int       col)
{
  return g_strdup (gr_db_stmt_column_text (stmt, col));
}

gint64
gr_sql_column_limit (GrDbStmt *stmt,
                     int       col)
{
  if (gr_db_stmt_column_is_null (stmt, col))
    return -1;
  return gr_db_stmt_column_int64 (stmt, col);
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
