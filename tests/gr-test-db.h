/* gr-test-db.h — which database a store test runs on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * By default a test uses the SQLite file it names.  Registered in the
 * postgresql suite (GR_TEST_DB=pg), the same test runs on a database of
 * its own, created on the server of GR_TEST_PG_URL (scripts/test starts
 * a throwaway cluster) and dropped when the test program exits.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when the tests run against PostgreSQL. */
gboolean gr_test_db_is_pg     (void);
/* sqlite_path, or the URL of a fresh PostgreSQL database.  NULL (after
 * g_test_skip) when GR_TEST_DB=pg but no server was given: a developer's
 * quick run outside scripts/test. */
char    *gr_test_db_target    (const char *sqlite_path);
/* A fresh empty PostgreSQL database's URL, or NULL after g_test_skip. */
char    *gr_test_db_new_pg    (void);
/* For a case that only means something on SQLite (file modes, a file
 * moved away, another process's lock): skips it on PostgreSQL. */
gboolean gr_test_db_skip_unless_sqlite (const char *why);

/* Call in main() after g_test_init: when PostgreSQL is asked for but not
 * given, registers one skipped case and returns TRUE (then return
 * g_test_run () without adding the others). */
gboolean gr_test_db_skip_all  (void);

G_END_DECLS
