/* gr-sql.h — small helpers shared by the store's files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "store/gr-db.h"

G_BEGIN_DECLS

/* Prepares sql, or returns NULL with the error set. */
GrDbStmt     *gr_sql_prepare        (GrDb         *db,
                                     const char   *sql,
                                     GError      **error);
/* Steps a statement that returns no rows and finalizes it. */
gboolean      gr_sql_step_done      (GrDbStmt     *stmt,
                                     GError      **error);
void          gr_sql_bind_text      (GrDbStmt     *stmt,
                                     int           idx,
                                     const char   *value);  /* NULL → NULL */
/* A limit: -1 (unlimited) is stored as NULL. */
void          gr_sql_bind_limit     (GrDbStmt     *stmt,
                                     int           idx,
                                     gint64        value);
char         *gr_sql_column_dup     (GrDbStmt     *stmt,
                                     int           col);
gint64        gr_sql_column_limit   (GrDbStmt     *stmt,
                                     int           col);
/* Comma-separated list column ↔ string vector. */
char        **gr_sql_split_list     (const char   *value);
gint64        gr_sql_now_ms         (void);
/* q for a LIKE … ESCAPE '\' pattern: %, _ and \ taken literally.  NULL
 * for an empty or missing q. */
char         *gr_sql_like_escape    (const char   *q);

G_END_DECLS
