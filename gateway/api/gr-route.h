/* gr-route.h — how a request finds its upstream, and what it costs
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "api/gr-chat-request.h"

G_BEGIN_DECLS

/* Fills targets (GrRouteTarget*, in the order to try) for a model name,
 * or sets *error (404 model_not_found). */
gboolean gr_route_resolve            (GrServer        *server,
                                      const char      *model,
                                      GPtrArray       *targets,
                                      GrApiError     **error);
/* Feeds provider health (cooldowns) with the end of one attempt. */
void     gr_route_report             (GrServer        *server,
                                      GrRouteTarget   *target,
                                      GrTransferResult result,
                                      int              upstream_status);
/* TRUE when an attempt that ended this way may be retried elsewhere. */
gboolean gr_route_should_fallback    (int              upstream_status,
                                      GrTransferResult result);
gint64   gr_route_cost_micros        (GrServer        *server,
                                      GrRouteTarget   *target,
                                      const GrUsage   *usage);
gint64   gr_route_default_max_tokens (GrServer        *server,
                                      GrRouteTarget   *target);

G_END_DECLS

G_BEGIN_DECLS
/* Appends one OpenAI model object per routable model the key may use. */
void gr_route_list_models (GrServer          *server,
                           const GrKeyRecord *key,
                           JsonBuilder       *builder);
G_END_DECLS
