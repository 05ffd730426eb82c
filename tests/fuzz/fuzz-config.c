/* fuzz-config.c — the configuration file parser
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a gaiarouter.conf.  gr_config_load_data() either fails with
 * a GError or returns a config whose values respect their documented
 * ranges and whose providers all have a name and a base URL.  Its [model:]
 * and [alias:] sections then go to a registry, as gr-gateway.c does: they
 * apply whole or not at all.
 */
#include "config.h"

#include "core/gr-config.h"
#include "gr-fuzz.h"
#include "router/gr-registry.h"

/* A small registry for [model:] sections to override and [alias:] to name. */
static const char models_json[] =
  "{\"version\":1,\"models\":["
  "{\"id\":\"openai/gpt-4o\",\"provider\":\"openai\",\"upstream\":\"gpt-4o\","
  "\"aliases\":[\"gpt-4o\"],\"context_length\":128000,\"max_output_tokens\":16384,"
  "\"input_per_mtok\":2500000,\"output_per_mtok\":10000000},"
  "{\"id\":\"anthropic/claude-sonnet-4-5\",\"provider\":\"anthropic\",\"upstream\":\"claude-sonnet-4-5\","
  "\"context_length\":200000,\"max_output_tokens\":64000,"
  "\"input_per_mtok\":3000000,\"output_per_mtok\":15000000}]}";

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GrConfig) config = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  gr_fuzz_init ();
  text = gr_fuzz_strndup (data, size);
  config = gr_config_load_data (text, size, &error);
  if (config == NULL)
    {
      if (error == NULL)
        gr_fuzz_fail ("gr_config_load_data failed without an error");
      return 0;
    }
  if (error != NULL)
    gr_fuzz_fail ("gr_config_load_data succeeded but set an error");
  if (config->listen_host == NULL || config->database == NULL || config->providers == NULL)
    gr_fuzz_fail ("the config lacks a listen host, a database or providers");
  if (config->max_body_bytes == 0 || config->shutdown_grace_ms < 0 ||
      config->keepalive_interval_ms <= 0 || config->usage_retention_days <= 0)
    gr_fuzz_fail ("a [gateway] value is out of range");
  for (guint i = 0; i < config->providers->len; i++)
    {
      GrProviderConfig *p = g_ptr_array_index (config->providers, i);

      if (p->name == NULL || *p->name == '\0' || p->base_url == NULL)
        gr_fuzz_fail ("provider %u has no name or base URL", i);
      if (gr_config_find_provider (config, p->name) == NULL)
        gr_fuzz_fail ("provider %s cannot be found by name", p->name);
      if (p->connect_timeout_ms < 0 || p->first_byte_timeout_ms < 0 || p->idle_timeout_ms < 0)
        gr_fuzz_fail ("provider %s has a negative timeout", p->name);
    }

  {
    g_autoptr(GrRegistry) registry = gr_registry_new ();
    g_autoptr(GError) registry_error = NULL;
    guint before;

    if (!gr_registry_load_data (registry, models_json, -1, &registry_error))
      gr_fuzz_fail ("the built-in registry does not load: %s", registry_error->message);
    before = gr_registry_get_n_models (registry);
    if (!gr_registry_apply_keyfile (registry, config->keyfile, &registry_error))
      {
        if (registry_error == NULL)
          gr_fuzz_fail ("gr_registry_apply_keyfile failed without an error");
        if (gr_registry_get_n_models (registry) != before)
          gr_fuzz_fail ("a refused keyfile changed the registry");
      }
    else
      {
        g_autoptr(GPtrArray) models = gr_registry_list (registry);
        g_autoptr(GPtrArray) routes = gr_registry_list_routes (registry);

        if (models->len != gr_registry_get_n_models (registry))
          gr_fuzz_fail ("the registry lists %u models but counts %u",
                        models->len, gr_registry_get_n_models (registry));
        (void) routes;
      }
  }
  return 0;
}
