/* gr-store-migrate.h — copying an installation from SQLite to PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Rows copied, per table, in copy order. */
typedef struct
{
  const char *table;
  gint64      rows;
} GrStoreMigrateCount;

/* Copies every table of the SQLite database source ("sqlite:PATH" or a
 * path; brought to the current schema first) into target, which must be
 * empty (GR_ERROR_CONFLICT otherwise): settings with the installation
 * secret (so existing API keys keep working), organizations, api_keys,
 * providers, the registry tables, usage_events (ids kept) and
 * usage_hourly.  All in one transaction on the target: on error nothing
 * is written.  On success returns the counts (free with g_array_unref). */
GArray *gr_store_migrate (const char  *source,
                          const char  *target,
                          GError     **error);

G_END_DECLS
