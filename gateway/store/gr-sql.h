/* gr-sql.h — small SQLite helpers shared by the store's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

/* Sets *error from the connection's last error (GR_ERROR_STORE_BUSY for
 * a locked database, GR_ERROR_CONFLICT for a constraint) and returns FALSE. */
gboolean      gr_sql_error          (sqlite3      *db,
                                     int           rc,
                                     GError      **error);
gboolean      gr_sql_exec           (sqlite3      *db,
                                     const char   *sql,
                                     GError      **error);
sqlite3_stmt *gr_sql_prepare        (sqlite3      *db,
                                     const char   *sql,
                                     GError      **error);
/* Steps a statement that returns no rows and finalizes it. */
gboolean      gr_sql_step_done      (sqlite3      *db,
                                     sqlite3_stmt *stmt,
                                     GError      **error);
void          gr_sql_bind_text      (sqlite3_stmt *stmt,
                                     int           idx,
                                     const char   *value);  /* NULL → NULL */
/* A limit: -1 (unlimited) is stored as NULL. */
void          gr_sql_bind_limit     (sqlite3_stmt *stmt,
                                     int           idx,
                                     gint64        value);
char         *gr_sql_column_dup     (sqlite3_stmt *stmt,
                                     int           col);
gint64        gr_sql_column_limit   (sqlite3_stmt *stmt,
                                     int           col);
/* Comma-separated list column ↔ string vector. */
char        **gr_sql_split_list     (const char   *value);
gint64        gr_sql_now_ms         (void);
/* q for a LIKE … ESCAPE '\' pattern: %, _ and \ taken literally.  NULL
 * for an empty or missing q. */
char         *gr_sql_like_escape    (const char   *q);

G_END_DECLS
