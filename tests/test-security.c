/* test-security.c — admin_loopback_only and the CORS allow-list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real gateway on a real socket.  The "remote peer" cases need a peer
 * address that is not loopback: as root, the test runs itself again in a
 * new network namespace (unshare --net) whose loopback device also holds
 * 192.0.2.10 (TEST-NET-1, a documentation address), so a connection to
 * 192.0.2.10 arrives from 192.0.2.10.  No traffic leaves that namespace.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <unistd.h>

#include "core/gr-gateway.h"
#include "gr-test-daemon.h"

#define REMOTE_ADDRESS "192.0.2.10"

typedef struct
{
  char        *dir;
  GrGateway   *gateway;
  char        *url;
  char        *key;
  SoupSession *session;
} Fixture;

static void
fixture_start (Fixture    *f,
               const char *listen_host,
               gboolean    loopback_only,
               const char *origins)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *db = NULL;
  GrConfig *config;

  f->dir = g_dir_make_tmp ("gr-security-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (f->dir, "gaiarouter.db", NULL);
  config = gr_test_gateway_config (db, NULL);
  g_free (config->listen_host);
  config->listen_host = g_strdup (listen_host);
  config->admin_loopback_only = loopback_only;
  if (origins != NULL)
    config->cors_allowed_origins = g_strsplit (origins, ";", -1);
  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);
  f->url = gr_gateway_dup_url (f->gateway);
  f->key = gr_gateway_dup_new_admin_key (f->gateway);
  g_assert_nonnull (f->key);
  f->session = soup_session_new_with_options ("timeout", 30, NULL);
}

static void
fixture_stop (Fixture *f)
{
  g_clear_object (&f->session);
  gr_gateway_stop (f->gateway);
  g_clear_object (&f->gateway);
  g_free (f->url);
  g_free (f->key);
  g_free (f->dir);
}

/* Sends method url with the admin key (when key) and extra headers
 * ("Name: value" strings); returns the message, body in *body. */
static SoupMessage *
send (Fixture     *f,
      const char  *method,
      const char  *url,
      const char  *key,
      const char **headers,
      char       **body)
{
  SoupMessage *msg = soup_message_new (method, url);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (msg);
  if (key != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  for (guint i = 0; headers != NULL && headers[i] != NULL; i++)
    {
      g_auto(GStrv) kv = g_strsplit (headers[i], ": ", 2);

      soup_message_headers_replace (soup_message_get_request_headers (msg), kv[0], kv[1]);
    }
  reply = soup_session_send_and_read (f->session, msg, NULL, &error);
  g_assert_no_error (error);
  if (body != NULL)
    *body = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
  return msg;
}

static const char *
header (SoupMessage *msg,
        const char  *name)
{
  return soup_message_headers_get_one (soup_message_get_response_headers (msg), name);
}

/* The OpenAI-shaped error body's error.code. */
static char *
error_code (const char *body)
{
  g_autoptr(JsonNode) root = json_from_string (body, NULL);
  JsonObject *error;

  g_assert_nonnull (root);
  error = json_object_get_object_member (json_node_get_object (root), "error");
  g_assert_nonnull (error);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
  return g_strdup (json_object_get_string_member (error, "code"));
}

/* Off by default: no CORS header at all, and a preflight is not answered
 * (the route refuses OPTIONS). */
static void
test_cors_off (void)
{
  Fixture f = { 0 };
  g_autofree char *models = NULL;
  const char *preflight[] = { "Origin: https://app.example", "Access-Control-Request-Method: POST", NULL };
  const char *simple[] = { "Origin: https://app.example", NULL };
  g_autoptr(SoupMessage) a = NULL;
  g_autoptr(SoupMessage) b = NULL;

  fixture_start (&f, "127.0.0.1", FALSE, NULL);
  models = g_strconcat (f.url, "/v1/models", NULL);

  a = send (&f, "GET", models, f.key, simple, NULL);
  g_assert_cmpuint (soup_message_get_status (a), ==, 200);
  g_assert_null (header (a, "Access-Control-Allow-Origin"));

  b = send (&f, "OPTIONS", models, NULL, preflight, NULL);
  g_assert_cmpuint (soup_message_get_status (b), !=, 204);
  g_assert_null (header (b, "Access-Control-Allow-Origin"));
  g_assert_null (header (b, "Access-Control-Allow-Methods"));
  fixture_stop (&f);
}

static void
test_cors_allow_list (void)
{
  Fixture f = { 0 };
  g_autofree char *chat = NULL;
  g_autofree char *models = NULL;
  g_autofree char *body = NULL;
  g_autofree char *code = NULL;
  const char *ok_preflight[] = { "Origin: https://app.example", "Access-Control-Request-Method: POST",
                                 "Access-Control-Request-Headers: authorization, content-type, x-stainless-os", NULL };
  const char *bad_preflight[] = { "Origin: https://evil.example", "Access-Control-Request-Method: POST", NULL };
  const char *ok_simple[] = { "Origin: http://localhost:3000", NULL };
  const char *bad_simple[] = { "Origin: https://evil.example", NULL };
  g_autoptr(SoupMessage) a = NULL;
  g_autoptr(SoupMessage) b = NULL;
  g_autoptr(SoupMessage) c = NULL;
  g_autoptr(SoupMessage) d = NULL;

  fixture_start (&f, "127.0.0.1", FALSE, "https://app.example;http://localhost:3000");
  chat = g_strconcat (f.url, "/v1/chat/completions", NULL);
  models = g_strconcat (f.url, "/v1/models", NULL);

  /* A listed origin's preflight: 204 with the Access-Control-* headers,
   * and no key needed (browsers never send one on a preflight). */
  a = send (&f, "OPTIONS", chat, NULL, ok_preflight, NULL);
  g_assert_cmpuint (soup_message_get_status (a), ==, 204);
  g_assert_cmpstr (header (a, "Access-Control-Allow-Origin"), ==, "https://app.example");
  g_assert_nonnull (strstr (header (a, "Access-Control-Allow-Methods"), "POST"));
  g_assert_nonnull (strstr (header (a, "Access-Control-Allow-Headers"), "authorization"));
  g_assert_nonnull (strstr (header (a, "Access-Control-Allow-Headers"), "x-stainless-os"));
  g_assert_cmpstr (header (a, "Access-Control-Max-Age"), ==, "600");
  g_assert_nonnull (strstr (header (a, "Vary"), "Origin"));
  /* libsoup closes after a 204: the client must be told. */
  g_assert_cmpstr (header (a, "Connection"), ==, "close");

  /* Another origin: 403, OpenAI-shaped, and no CORS header. */
  b = send (&f, "OPTIONS", chat, NULL, bad_preflight, &body);
  g_assert_cmpuint (soup_message_get_status (b), ==, 403);
  g_assert_null (header (b, "Access-Control-Allow-Origin"));
  g_assert_null (header (b, "Access-Control-Allow-Methods"));
  code = error_code (body);
  g_assert_cmpstr (code, ==, "cors_origin_not_allowed");

  /* Real requests: the listed origin is named, the other is not. */
  c = send (&f, "GET", models, f.key, ok_simple, NULL);
  g_assert_cmpuint (soup_message_get_status (c), ==, 200);
  g_assert_cmpstr (header (c, "Access-Control-Allow-Origin"), ==, "http://localhost:3000");
  g_assert_nonnull (strstr (header (c, "Access-Control-Expose-Headers"), "x-request-id"));
  d = send (&f, "GET", models, f.key, bad_simple, NULL);
  g_assert_cmpuint (soup_message_get_status (d), ==, 200);
  g_assert_null (header (d, "Access-Control-Allow-Origin"));
  fixture_stop (&f);
}

static void
test_config_keys (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GrConfig) ok = gr_config_load_data ("[gateway]\nadmin_loopback_only=true\n"
                                                "cors_allowed_origins=https://A.example; http://localhost:3000\n",
                                                -1, &error);
  g_autoptr(GrConfig) bad_origin = NULL;
  g_autoptr(GrConfig) bad_bool = NULL;

  g_assert_no_error (error);
  g_assert_true (ok->admin_loopback_only);
  g_assert_cmpuint (g_strv_length (ok->cors_allowed_origins), ==, 2);
  g_assert_true (gr_config_cors_origin_allowed (ok, "https://a.example"));
  g_assert_false (gr_config_cors_origin_allowed (ok, "https://a.example.evil"));
  g_assert_false (gr_config_cors_origin_allowed (ok, "http://localhost:3001"));

  bad_origin = gr_config_load_data ("[gateway]\ncors_allowed_origins=https://a.example/app\n", -1, &error);
  g_assert_null (bad_origin);
  g_assert_nonnull (strstr (error->message, "cors_allowed_origins"));
  g_clear_error (&error);
  bad_bool = gr_config_load_data ("[gateway]\nadmin_loopback_only=yes please\n", -1, &error);
  g_assert_null (bad_bool);
  g_assert_nonnull (strstr (error->message, "admin_loopback_only"));
}

/* From loopback the admin API still answers (including IPv4 clients of a
 * gateway listening on [::], which arrive as ::ffff:127.0.0.1). */
static void
test_admin_loopback_only_local (void)
{
  Fixture f = { 0 };
  g_autofree char *orgs = NULL;
  g_autoptr(SoupMessage) a = NULL;
  g_autoptr(SoupMessage) b = NULL;

  fixture_start (&f, "::", TRUE, NULL);
  orgs = g_strdup_printf ("http://127.0.0.1:%u/v1/organizations", gr_gateway_get_port (f.gateway));
  a = send (&f, "GET", orgs, f.key, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (a), ==, 200);
  g_free (orgs);
  orgs = g_strdup_printf ("http://[::1]:%u/v1/organizations", gr_gateway_get_port (f.gateway));
  b = send (&f, "GET", orgs, f.key, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (b), ==, 200);
  fixture_stop (&f);
}

/* Runs inside the namespace: the same requests from 192.0.2.10. */
static void
remote_checks (gboolean loopback_only)
{
  Fixture f = { 0 };
  g_autofree char *base = NULL;
  g_autofree char *orgs = NULL;
  g_autofree char *keys = NULL;
  g_autofree char *me = NULL;
  g_autofree char *models = NULL;
  g_autofree char *metrics = NULL;
  g_autofree char *body = NULL;
  g_autofree char *code = NULL;
  g_autoptr(SoupMessage) a = NULL;
  g_autoptr(SoupMessage) b = NULL;
  g_autoptr(SoupMessage) c = NULL;
  g_autoptr(SoupMessage) d = NULL;
  g_autoptr(SoupMessage) e = NULL;

  fixture_start (&f, "0.0.0.0", loopback_only, NULL);
  base = g_strdup_printf ("http://" REMOTE_ADDRESS ":%u", gr_gateway_get_port (f.gateway));
  orgs = g_strconcat (base, "/v1/organizations", NULL);
  keys = g_strconcat (base, "/v1/api-keys", NULL);
  me = g_strconcat (base, "/v1/me", NULL);
  models = g_strconcat (base, "/v1/models", NULL);
  metrics = g_strconcat (base, "/metrics", NULL);

  a = send (&f, "GET", orgs, f.key, NULL, &body);
  if (!loopback_only)
    {
      /* Without the setting, a valid admin key works from anywhere. */
      g_assert_cmpuint (soup_message_get_status (a), ==, 200);
      fixture_stop (&f);
      return;
    }
  g_assert_cmpuint (soup_message_get_status (a), ==, 403);
  code = error_code (body);
  g_assert_cmpstr (code, ==, "admin_loopback_only");
  g_assert_nonnull (strstr (body, "admin_loopback_only"));
  b = send (&f, "POST", keys, f.key, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (b), ==, 403);
  c = send (&f, "GET", metrics, f.key, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (c), ==, 403);
  /* Inference, the model list and a key's own usage stay open. */
  d = send (&f, "GET", models, f.key, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (d), ==, 200);
  e = send (&f, "GET", me, f.key, NULL, NULL);
  g_assert_cmpuint (soup_message_get_status (e), ==, 200);
  fixture_stop (&f);
}

static char *self_path;

static void
test_admin_loopback_only_remote (gconstpointer data)
{
  gboolean loopback_only = GPOINTER_TO_INT (data);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *argv[] = { "unshare", "--net", self_path, "--in-netns",
                         loopback_only ? "on" : "off", NULL };

  g_autofree char *unshare = g_find_program_in_path ("unshare");

  if (g_getenv ("GR_IN_NETNS") != NULL)
    return;
  if (geteuid () != 0 || unshare == NULL)
    {
      g_test_skip ("needs root and unshare(1) to make a network namespace with a non-loopback peer");
      return;
    }
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("in the namespace: %s%s", out, err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* The child run: sets the namespace up, then the checks. */
static int
run_in_netns (const char *mode)
{
  const char *setup[][6] = {
    { "ip", "link", "set", "lo", "up", NULL },
    { "ip", "addr", "add", REMOTE_ADDRESS "/32", "dev", "lo" },
  };

  g_setenv ("GR_IN_NETNS", "1", TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (setup); i++)
    {
      const char *argv[8] = { 0 };
      int status = 0;

      for (guint j = 0; j < 6 && setup[i][j] != NULL; j++)
        argv[j] = setup[i][j];
      if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, &status, NULL) ||
          !g_spawn_check_wait_status (status, NULL))
        {
          g_printerr ("cannot set up the namespace (%s)\n", argv[1]);
          return 1;
        }
    }
  remote_checks (g_str_equal (mode, "on"));
  g_print ("remote checks (admin_loopback_only=%s) passed\n", mode);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  self_path = g_canonicalize_filename (argv[0], NULL);
  if (argc == 3 && g_str_equal (argv[1], "--in-netns"))
    return run_in_netns (argv[2]);

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/gaiarouter/security/config-keys", test_config_keys);
  g_test_add_func ("/gaiarouter/security/cors-off", test_cors_off);
  g_test_add_func ("/gaiarouter/security/cors-allow-list", test_cors_allow_list);
  g_test_add_func ("/gaiarouter/security/admin-loopback-only/local", test_admin_loopback_only_local);
  g_test_add_data_func ("/gaiarouter/security/admin-loopback-only/remote-refused",
                        GINT_TO_POINTER (TRUE), test_admin_loopback_only_remote);
  g_test_add_data_func ("/gaiarouter/security/admin-loopback-only/remote-off",
                        GINT_TO_POINTER (FALSE), test_admin_loopback_only_remote);
  return g_test_run ();
}
