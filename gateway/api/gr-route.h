/* gr-route.h — how a request finds its upstream, and what it costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The glue between a request and the router: resolution with the
 * registry and the configured providers, health reports, prices.
 */
#pragma once

#include "http/gr-server.h"
#include "router/gr-router.h"

G_BEGIN_DECLS

/* Targets (GrRouteTarget*, owning, in the order to try) for a model name,
 * or NULL and *error (404 model_not_found). */
GPtrArray        *gr_route_resolve            (GrServer         *server,
                                               const char       *model,
                                               GrApiError      **error);
/* The configuration of a target's provider. */
GrProviderConfig *gr_route_get_provider       (GrServer         *server,
                                               GrRouteTarget    *target);
/* Feeds provider health (cooldowns) with the end of one attempt. */
void              gr_route_report             (GrServer         *server,
                                               GrRouteTarget    *target,
                                               GrTransferResult  result,
                                               int               upstream_status);
/* TRUE when an attempt that ended this way may be retried elsewhere. */
gboolean          gr_route_should_fallback    (int               upstream_status,
                                               GrTransferResult  result);
gint64            gr_route_cost_micros        (GrServer         *server,
                                               GrRouteTarget    *target,
                                               const GrUsage    *usage);
gint64            gr_route_default_max_tokens (GrServer         *server,
                                               GrRouteTarget    *target);
/* The model object of one routable id (registry model or alias) the key
 * may use, or NULL. */
JsonNode         *gr_route_describe_model     (GrServer          *server,
                                               const GrKeyRecord *key,
                                               const char        *id);
/* Appends one OpenAI model object per routable model the key may use. */
void              gr_route_list_models        (GrServer          *server,
                                               const GrKeyRecord *key,
                                               JsonBuilder       *builder);

G_END_DECLS
