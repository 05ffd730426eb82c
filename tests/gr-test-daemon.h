/* gr-test-daemon.h — running a real gateway in the integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * gaiarouterd as a child process (GR_GAIAROUTERD), the mock upstream
 * server as one (GR_MOCK_SERVER), and the configuration of an
 * in-process GrGateway on a SQLite file of a test.
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "core/gr-config.h"

G_BEGIN_DECLS

/* A loopback TCP port nothing listens on now. */
guint16      gr_test_free_port            (void);
/* Writes contents to dir/gaiarouter.conf; returns that path. */
char        *gr_test_write_config         (const char *dir,
                                           const char *contents);

/* Runs $GR_GAIAROUTERD --config config_path through launcher (its flags,
 * environment and redirections); NULL launcher: stdout silenced. */
GSubprocess *gr_test_daemon_spawn         (GSubprocessLauncher *launcher,
                                           const char          *config_path);
/* Returns once GET /health on the port answers 200; fails the test
 * after 10 s. */
void         gr_test_daemon_wait_ready    (SoupSession *session,
                                           guint        port);
/* Waits for the daemon to write the bootstrap admin key at path (it
 * listens by then) and returns it. */
char        *gr_test_daemon_read_admin_key (const char *path);
/* Waits for a daemon told to stop and checks it exited 0 (a clean exit:
 * usage flushed, nothing leaked under sanitizers).  With err, the daemon's
 * stderr must be a pipe: its text goes there. */
void         gr_test_daemon_wait_exit_ok  (GSubprocess  *daemon,
                                           char        **err);
/* Sends SIGTERM, then as gr_test_daemon_wait_exit_ok(). */
void         gr_test_daemon_stop          (GSubprocess  *daemon,
                                           char        **err);

/* Starts $GR_MOCK_SERVER on a free port; *port gets that port. */
GSubprocess *gr_test_mock_server_spawn    (char **port);
/* Stops it; NULL is fine. */
void         gr_test_mock_server_stop     (GSubprocess *mock);

/* A default configuration on the SQLite file db_path, on a port the
 * system picks, with one event-loop thread; with mock_url, a provider
 * "mock" on that upstream's /v1, the last of the providers. */
GrConfig    *gr_test_gateway_config       (const char *db_path,
                                           const char *mock_url);

G_END_DECLS
