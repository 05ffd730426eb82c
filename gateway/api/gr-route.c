/* gr-route.c — how a request finds its upstream, and what it costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "api/gr-route.h"
#include "core/gr-error.h"
#include "http/gr-authn.h"

GPtrArray *
gr_route_resolve (GrServer    *server,
                  const char  *model,
                  GrApiError **error)
{
  GrShared *shared = server->shared;
  g_autoptr(GError) local_error = NULL;
  GPtrArray *targets = NULL;

  if (gr_router_resolve (shared->router, shared->registry, model,
                         (const char * const *) g_atomic_pointer_get (&shared->provider_names),
                         &targets, &local_error))
    return targets;

  *error = gr_api_error_new (404, "invalid_request_error", "model_not_found", "model",
                             "The model `%s` does not exist: use “provider/model” with a configured "
                             "provider (%s), a model from /v1/models, or an alias.", model,
                             local_error ? local_error->message : "none");
  return NULL;
}

GrProviderConfig *
gr_route_get_provider (GrServer      *server,
                       GrRouteTarget *target)
{
  return gr_config_find_provider (server->shared->config, target->provider);
}

static GrRouteOutcome
outcome_for (GrTransferResult result,
             int              upstream_status)
{
  switch (result)
    {
    case GR_TRANSFER_TIMEOUT:
      return GR_ROUTE_OUTCOME_TIMEOUT;
    case GR_TRANSFER_CONNECT_FAILED:
      return GR_ROUTE_OUTCOME_CONNECT_ERROR;
    case GR_TRANSFER_FAILED:
    case GR_TRANSFER_TOO_LARGE:
      return GR_ROUTE_OUTCOME_SERVER_ERROR;
    case GR_TRANSFER_OK:
    default:
      return gr_route_outcome_from_status (upstream_status);
    }
}

void
gr_route_report (GrServer        *server,
                 GrRouteTarget   *target,
                 GrTransferResult result,
                 int              upstream_status)
{
  /* Transfer failures are logged by the curl loop; error answers here. */
  if (result == GR_TRANSFER_OK && upstream_status >= 400)
    g_message ("provider %s answered HTTP %d", target->provider, upstream_status);
  gr_router_report (server->shared->router, target->provider,
                    outcome_for (result, upstream_status));
}

gboolean
gr_route_should_fallback (int              upstream_status,
                          GrTransferResult result)
{
  return gr_router_should_fallback (result == GR_TRANSFER_OK ? upstream_status : 0,
                                    outcome_for (result, upstream_status));
}

gint64
gr_route_cost_micros (GrServer      *server,
                      GrRouteTarget *target,
                      const GrUsage *usage)
{
  if (target == NULL)
    return 0;
  /* gr_model_info_cost_micros prefers an upstream-reported cost and
   * prices an unknown model at 0. */
  return gr_model_info_cost_micros (target->model, usage);
}

gint64
gr_route_default_max_tokens (GrServer      *server,
                             GrRouteTarget *target)
{
  return target->model != NULL ? target->model->max_output_tokens : 0;
}

static void
add_alias_model (JsonBuilder  *builder,
                 GrRouteAlias *a)
{
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, a->name);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "model");
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, 0);
  json_builder_set_member_name (builder, "owned_by");
  json_builder_add_string_value (builder, "gaiarouter");
  json_builder_set_member_name (builder, "alias_targets");
  json_builder_begin_array (builder);
  for (guint t = 0; t < a->n_targets; t++)
    json_builder_add_string_value (builder, a->targets[t].model);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

JsonNode *
gr_route_describe_model (GrServer          *server,
                         const GrKeyRecord *key,
                         const char        *id)
{
  GrShared *shared = server->shared;
  g_autoptr(GrModelInfo) m = NULL;
  g_autoptr(GrRouteAlias) a = NULL;

  if (!gr_authn_model_allowed (key, id))
    return NULL;
  a = gr_registry_lookup_route (shared->registry, id);
  if (a != NULL)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();

      add_alias_model (b, a);
      return json_builder_get_root (b);
    }
  m = gr_registry_find_model (shared->registry, id);
  if (m == NULL ||
      !g_strv_contains ((const char * const *) g_atomic_pointer_get (&shared->provider_names), m->provider))
    return NULL;
  return gr_model_info_to_json (m);
}

void
gr_route_list_models (GrServer          *server,
                      const GrKeyRecord *key,
                      JsonBuilder       *builder)
{
  GrShared *shared = server->shared;
  g_autoptr(GPtrArray) models = gr_registry_list (shared->registry);
  g_autoptr(GPtrArray) routes = gr_registry_list_routes (shared->registry);

  for (guint i = 0; i < models->len; i++)
    {
      GrModelInfo *m = g_ptr_array_index (models, i);
      g_autoptr(JsonNode) node = NULL;

      if (!g_strv_contains ((const char * const *) g_atomic_pointer_get (&shared->provider_names), m->provider) ||
          !gr_authn_model_allowed (key, m->id))
        continue;
      node = gr_model_info_to_json (m);
      json_builder_add_value (builder, g_steal_pointer (&node));
    }

  /* Aliases are routable names too. */
  for (guint i = 0; i < routes->len; i++)
    {
      GrRouteAlias *a = g_ptr_array_index (routes, i);

      if (!gr_authn_model_allowed (key, a->name))
        continue;
      add_alias_model (builder, a);
    }
}
