/* pg-test-db.h — a throwaway PostgreSQL database for one test
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * scripts/test starts a server and sets GR_TEST_PG_URL to a database on
 * it (say postgresql:///postgres?host=/tmp/…&port=…).  Each test makes
 * its own database there, so tests never see each other's rows.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The URL of a new, empty database (its name in *name), or NULL when
 * GR_TEST_PG_URL is not set: the caller skips then. */
char *gr_pg_test_db_create (char      **name);
void  gr_pg_test_db_drop   (const char *name);

G_END_DECLS
