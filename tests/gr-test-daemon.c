/* gr-test-daemon.c — running a real gateway in the integration tests
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <signal.h>

#include "gr-test-daemon.h"

guint16
gr_test_free_port (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (s, any, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

char *
gr_test_write_config (const char *dir,
                      const char *contents)
{
  char *path = g_build_filename (dir, "gaiarouter.conf", NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
  return path;
}

GSubprocess *
gr_test_daemon_spawn (GSubprocessLauncher *launcher,
                      const char          *config_path)
{
  const char *daemon = g_getenv ("GR_GAIAROUTERD");
  g_autoptr(GSubprocessLauncher) silent = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_assert_nonnull (daemon);
  if (launcher == NULL)
    launcher = silent = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  process = g_subprocess_launcher_spawn (launcher, &error, daemon, "--config", config_path, NULL);
  g_assert_no_error (error);
  return process;
}

void
gr_test_daemon_wait_ready (SoupSession *session,
                           guint        port)
{
  g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/health", port);

  for (int i = 0; i < 200; i++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
      g_autoptr(GBytes) answer = soup_session_send_and_read (session, msg, NULL, NULL);

      if (answer != NULL && soup_message_get_status (msg) == 200)
        return;
      g_usleep (50 * 1000);
    }
  g_assert_not_reached ();
}

char *
gr_test_daemon_read_admin_key (const char *path)
{
  char *key = NULL;

  for (int i = 0; i < 200 && !g_file_test (path, G_FILE_TEST_EXISTS); i++)
    g_usleep (50 * 1000);
  /* The file may exist a moment before its contents do. */
  g_usleep (200 * 1000);
  g_assert_true (g_file_get_contents (path, &key, NULL, NULL));
  return g_strstrip (key);
}

void
gr_test_daemon_wait_exit_ok (GSubprocess  *daemon,
                             char        **err)
{
  g_autoptr(GError) error = NULL;

  if (err != NULL)
    g_assert_true (g_subprocess_communicate_utf8 (daemon, NULL, NULL, NULL, err, &error));
  else
    g_assert_true (g_subprocess_wait (daemon, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (daemon));
  g_assert_cmpint (g_subprocess_get_exit_status (daemon), ==, 0);
}

void
gr_test_daemon_stop (GSubprocess  *daemon,
                     char        **err)
{
  g_subprocess_send_signal (daemon, SIGTERM);
  gr_test_daemon_wait_exit_ok (daemon, err);
}

GSubprocess *
gr_test_mock_server_spawn (char **port)
{
  const char *mock_bin = g_getenv ("GR_MOCK_SERVER");
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *mock;

  g_assert_nonnull (mock_bin);
  mock = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, mock_bin, "--port", "0", NULL);
  g_assert_no_error (error);
  /* Its first line is the port it listens on. */
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (mock));
  *port = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_nonnull (*port);
  g_strstrip (*port);
  return mock;
}

void
gr_test_mock_server_stop (GSubprocess *mock)
{
  if (mock == NULL)
    return;
  g_subprocess_send_signal (mock, SIGTERM);
  g_subprocess_wait (mock, NULL, NULL);
  g_object_unref (mock);
}

GrConfig *
gr_test_gateway_config (const char *db_path,
                        const char *mock_url)
{
  GrConfig *config = gr_config_new_default ();

  g_free (config->database);
  config->database = g_strdup (db_path);
  config->listen_port = 0;
  config->threads = 1;
  if (mock_url != NULL)
    {
      g_autofree char *base = g_strconcat (mock_url, "/v1", NULL);

      g_ptr_array_add (config->providers,
                       gr_provider_config_new ("mock", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, base));
    }
  return config;
}
