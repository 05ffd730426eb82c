/* test-config.c — configuration parsing
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/gr-config.h"
#include "core/gr-error.h"

static void
test_defaults (void)
{
  g_autoptr(GrConfig) config = NULL;
  GrProviderConfig *p;

  g_setenv ("OPENAI_API_KEY", "sk-from-env", TRUE);
  g_unsetenv ("ANTHROPIC_API_KEY");
  config = gr_config_new_default ();
  g_assert_cmpstr (config->listen_host, ==, "127.0.0.1");
  g_assert_cmpuint (config->listen_port, ==, 8080);
  g_assert_true (g_str_has_suffix (config->database, "gaiarouter/gaiarouter.db"));

  p = gr_config_find_provider (config, "openai");
  g_assert_nonnull (p);
  g_assert_cmpstr (p->base_url, ==, "https://api.openai.com/v1");
  g_assert_cmpstr (p->api_key, ==, "sk-from-env");
  p = gr_config_find_provider (config, "anthropic");
  g_assert_cmpstr (p->base_url, ==, "https://api.anthropic.com");
  g_assert_null (p->api_key);
  g_assert_cmpint (p->kind, ==, GR_PROVIDER_KIND_ANTHROPIC);
  p = gr_config_find_provider (config, "google");
  g_assert_cmpint (p->kind, ==, GR_PROVIDER_KIND_GEMINI);
  g_assert_cmpstr (p->base_url, ==, "https://generativelanguage.googleapis.com");
  g_assert_cmpstr (gr_config_find_provider (config, "openrouter")->base_url, ==, "https://openrouter.ai/api/v1");
  g_assert_cmpstr (gr_config_find_provider (config, "ollama")->base_url, ==, "http://127.0.0.1:11434/v1");
}

static void
test_file (void)
{
  const char *ini =
    "[gateway]\n"
    "listen=0.0.0.0:9090\n"
    "database=/var/lib/gaiarouter/gaiarouter.db\n"
    "max_body_kib=64\n"
    "shutdown_grace_seconds=3\n"
    "\n"
    "[provider:openai]\n"
    "kind=openai\n"
    "base_url=https://api.openai.com/v1/\n"
    "api_key_env=GR_TEST_KEY\n"
    "proxy=http://proxy.lan:3128\n"
    "connect_timeout_seconds=2\n"
    "\n"
    "[provider:lmstudio]\n"
    "kind=openai-compatible\n"
    "base_url=http://127.0.0.1:1234/v1\n"
    "api_key=lm-key\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GrConfig) config = NULL;
  GrProviderConfig *p;

  g_setenv ("GR_TEST_KEY", "sk-test", TRUE);
  config = gr_config_load_data (ini, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (config->listen_host, ==, "0.0.0.0");
  g_assert_cmpuint (config->listen_port, ==, 9090);
  g_assert_cmpstr (config->database, ==, "/var/lib/gaiarouter/gaiarouter.db");
  g_assert_cmpuint (config->max_body_bytes, ==, 64 * 1024);
  g_assert_cmpint (config->shutdown_grace_ms, ==, 3000);

  p = gr_config_find_provider (config, "openai");
  g_assert_cmpstr (p->base_url, ==, "https://api.openai.com/v1");
  g_assert_cmpstr (p->api_key, ==, "sk-test");
  g_assert_cmpstr (p->proxy, ==, "http://proxy.lan:3128");
  g_assert_cmpint (p->connect_timeout_ms, ==, 2000);

  p = gr_config_find_provider (config, "lmstudio");
  g_assert_cmpint (p->kind, ==, GR_PROVIDER_KIND_OPENAI_COMPATIBLE);
  g_assert_cmpstr (p->api_key, ==, "lm-key");
  /* Defaults that the file did not mention stay. */
  g_assert_nonnull (gr_config_find_provider (config, "anthropic"));
}

static void
test_errors (void)
{
  static const char *bad[] = {
    "[gateway]\nlisten=nonsense\n",
    "[gateway]\nlisten=1.2.3.4:99999\n",
    "[gateway]\nmax_body_kib=-5\n",
    "[provider:x]\nkind=banana\n",
    "[provider:x]\nbase_url=ftp://example.com\n",
    "[provider:bad name]\nkind=openai\n",
    "[mystery]\nkey=value\n",
    "not a key file",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GrConfig) config = gr_config_load_data (bad[i], -1, &error);

      g_assert_null (config);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
    }
}

static void
test_listen (void)
{
  g_autofree char *host = NULL;
  guint16 port = 0;
  g_autoptr(GError) error = NULL;

  g_assert_true (gr_config_parse_listen ("[::1]:8081", &host, &port, &error));
  g_assert_cmpstr (host, ==, "::1");
  g_assert_cmpuint (port, ==, 8081);
  g_clear_pointer (&host, g_free);
  g_assert_true (gr_config_parse_listen (":0", &host, &port, &error));
  g_assert_cmpstr (host, ==, "127.0.0.1");
  g_assert_cmpuint (port, ==, 0);
  g_clear_pointer (&host, g_free);
  g_assert_true (gr_config_parse_listen ("9000", &host, &port, &error));
  g_assert_cmpuint (port, ==, 9000);
  g_clear_pointer (&host, g_free);
  g_assert_false (gr_config_parse_listen ("[::1]8080", &host, &port, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_CONFIG);
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (gr_config_load_file ("/nonexistent/gaiarouter.ini", &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_CONFIG);
  g_assert_nonnull (strstr (error->message, "/nonexistent/gaiarouter.ini"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/config/defaults", test_defaults);
  g_test_add_func ("/gaiarouter/config/file", test_file);
  g_test_add_func ("/gaiarouter/config/errors", test_errors);
  g_test_add_func ("/gaiarouter/config/listen", test_listen);
  g_test_add_func ("/gaiarouter/config/missing-file", test_missing_file);

  return g_test_run ();
}
