/* gr-route.c — how a request finds its upstream, and what it costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "api/gr-route.h"
#include "http/gr-authn.h"

gboolean
gr_route_resolve (GrServer    *server,
                  const char  *model,
                  GPtrArray   *targets,
                  GrApiError **error)
{
  const char *slash = strchr (model, '/');
  g_autofree char *prefix = NULL;
  GrProviderConfig *provider;
  GrRouteTarget *target;

  /* "provider/anything": the rest goes to the provider unchanged. */
  if (slash != NULL && slash[1] != '\0')
    {
      prefix = g_strndup (model, slash - model);
      provider = gr_config_find_provider (server->shared->config, prefix);
      if (provider != NULL && provider->enabled)
        {
          target = g_new0 (GrRouteTarget, 1);
          target->provider = provider;
          target->upstream_model = g_strdup (slash + 1);
          g_ptr_array_add (targets, target);
          return TRUE;
        }
    }

  *error = gr_api_error_new (404, "invalid_request_error", "model_not_found", "model",
                             "The model `%s` does not exist: use “provider/model” with a configured "
                             "provider, or an alias.", model);
  return FALSE;
}

void
gr_route_report (GrServer        *server,
                 GrRouteTarget   *target,
                 GrTransferResult result,
                 int              upstream_status)
{
}

gboolean
gr_route_should_fallback (int              upstream_status,
                          GrTransferResult result)
{
  if (result == GR_TRANSFER_TIMEOUT || result == GR_TRANSFER_CONNECT_FAILED)
    return TRUE;
  return upstream_status == 429 || upstream_status >= 500;
}

gint64
gr_route_cost_micros (GrServer      *server,
                      GrRouteTarget *target,
                      const GrUsage *usage)
{
  return usage->upstream_cost_micros > 0 ? usage->upstream_cost_micros : 0;
}

gint64
gr_route_default_max_tokens (GrServer      *server,
                             GrRouteTarget *target)
{
  return 0;
}

static void
add_model (JsonBuilder *b,
           const char  *id,
           const char  *owner,
           gint64       created)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "model");
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, created);
  json_builder_set_member_name (b, "owned_by");
  json_builder_add_string_value (b, owner);
  json_builder_set_member_name (b, "provider");
  json_builder_add_string_value (b, owner);
  json_builder_end_object (b);
}

void
gr_route_list_models (GrServer          *server,
                      const GrKeyRecord *key,
                      JsonBuilder       *builder)
{
  GrConfig *config = server->shared->config;

  for (guint i = 0; i < config->providers->len; i++)
    {
      GrProviderConfig *p = g_ptr_array_index (config->providers, i);
      g_autofree char *id = g_strdup_printf ("%s/*", p->name);

      if (p->enabled && gr_authn_model_allowed (key, id))
        add_model (builder, id, p->name, 0);
    }
}
