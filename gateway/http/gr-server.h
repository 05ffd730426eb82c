/* gr-server.h — one gateway event loop: SoupServer, curl multi, routes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <libsoup/soup.h>

#include "auth/gr-key-cache.h"
#include "core/gr-config.h"
#include "core/gr-error.h"
#include "limits/gr-limits.h"
#include "limits/gr-shared-limits.h"
#include "stats/gr-metrics.h"  /* METRICS */
#include "stats/gr-usage-writer.h"
#include "store/gr-store.h"
#include "router/gr-registry.h"
#include "router/gr-router.h"
#include "upstream/gr-curl-loop.h"

G_BEGIN_DECLS

/* State shared by every event loop of one gateway (thread-safe parts). */
typedef struct
{
  GrConfig      *config;
  GrStore       *store;
  GrUsageWriter *usage;
  GrKeyCache    *keys;
  GrRegistry    *registry;
  GrRouter      *router;
  GrLimits      *limits;
  GrSharedLimits *shared_limits;  /* several gateways on one database, else NULL */
  char         **provider_names;  /* enabled providers, for routing */
  gint64         started_at_us;
  /* ADMIN-API (providers and models): what the admin API replaced (a
   * GrProviderConfig, the config's providers array, provider_names) and
   * requests in flight on any loop may still point at, freed when the
   * gateway stops.  Each element is a GPtrArray holding one retired
   * object and its free function (see gr-api-providers.c). */
  GPtrArray     *retired_providers;
  GrMetrics     *metrics;  /* METRICS: counters for GET /metrics (thread-safe) */
} GrShared;

typedef struct _GrServer GrServer;

/* Lives on, and must only be used from, the thread whose thread-default
 * context is current when it is created. */
struct _GrServer
{
  GrShared     *shared;
  GMainContext *context;
  SoupServer   *soup;
  GrCurlLoop   *curl;
  GHashTable   *requests;  /* in-flight requests: pointer → GDestroyNotify-able cancel */
  gboolean      draining;
  guint16       port;
  GPtrArray    *routes;         /* paths given to gr_server_add_handler, for docs checks */
  guint         read_timeout_s; /* to read a whole request */
  GSource      *read_sweep;     /* closes connections past their read deadline */
  GHashTable   *conns;          /* GSocket → GrConnClock of its connection (gr-server.c) */
  GHashTable   *finish_watches; /* SoupServerMessage → GrFinishWatch */
};

GrServer *gr_server_new     (GrShared    *shared);
/* Binds and listens; port 0 picks a free port (see ->port). */
gboolean  gr_server_listen  (GrServer    *server,
                             const char  *host,
                             guint16      port,
                             GError     **error);
/* Refuses new requests from now on; in-flight requests go on. */
void      gr_server_drain   (GrServer    *server);
/* While draining, answers 503 gateway_shutting_down and returns TRUE. */
gboolean  gr_server_refuse_if_draining (GrServer          *server,
                                        SoupServerMessage *msg);
guint     gr_server_get_in_flight (GrServer *server);
/* Cancels every in-flight request (end of the grace period). */
void      gr_server_cancel_all (GrServer *server);
void      gr_server_free    (GrServer    *server);

/* Like a handler on the message's "finished" signal, but through the
 * server's "request-finished" and "request-aborted" (emitted right after
 * it, connected once): no closure to create and destroy per request.  The
 * watch is the caller's memory and must stay valid until unwatched. */
typedef struct
{
  void     (*func) (SoupServerMessage *msg,
                    gpointer           data);
  gpointer   data;
} GrFinishWatch;

void      gr_server_watch_finished   (GrServer          *server,
                                      SoupServerMessage *msg,
                                      GrFinishWatch     *watch);
void      gr_server_unwatch_finished (GrServer          *server,
                                      SoupServerMessage *msg);

/* In-flight bookkeeping used by the handlers. */
typedef void (*GrCancelFunc) (gpointer request);
void      gr_server_track   (GrServer    *server,
                             gpointer     request,
                             GrCancelFunc cancel);
void      gr_server_untrack (GrServer    *server,
                             gpointer     request);

/* soup_server_add_handler, remembering the path (see gr_server_get_routes). */
void      gr_server_add_handler (GrServer          *server,
                                 const char        *path,
                                 SoupServerCallback callback);
/* Every path a handler was registered for, in registration order. */
GPtrArray *gr_server_get_routes (GrServer         *server);

/* TRUE (and a 413 error) when the request body is over the limit. */
gboolean  gr_http_body_too_large (GrServer          *server,
                                  SoupServerMessage *msg,
                                  GrApiError       **error);

/* Route handlers, one file each in api/. */
void gr_api_health_register (GrServer *server);
void gr_api_models_register (GrServer *server);
void gr_api_chat_register   (GrServer *server);
void gr_api_messages_register (GrServer *server);
/* ADMIN-API (providers and models) */
void gr_api_providers_register (GrServer *server);
void gr_api_registry_register  (GrServer *server);
/* Rebuilds the providers from the configuration file's and what the store
 * holds now (another gateway on the same database may have changed
 * them).  Removing a stored override of a provider of the configuration
 * file takes effect at the next start. */
gboolean gr_api_providers_refresh (GrShared *shared,
                                   GError  **error);
void gr_api_metrics_register   (GrServer *server);  /* METRICS */

G_END_DECLS
