/* gr-router.h — route selection: names to targets, health, retries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The router turns the model name of a request into an ordered list of
 * targets (provider + upstream model) and remembers which providers have
 * been failing, so that a sick provider is tried last for a while.  It does
 * no I/O: the gateway reports outcomes, and the clock and the random source
 * are injectable for tests.
 *
 * Thread safety: one GrRouter is shared by all gateway threads.  Its
 * mutable state (provider health and the GRand) is guarded by a GMutex held
 * only for short, allocation-light critical sections; the policy is
 * guarded by the same mutex.
 */
#pragma once

#include <glib.h>

#include "router/gr-registry.h"

G_BEGIN_DECLS

typedef enum
{
  GR_ROUTE_OUTCOME_OK,
  GR_ROUTE_OUTCOME_RATE_LIMITED,   /* 429 */
  GR_ROUTE_OUTCOME_SERVER_ERROR,   /* 5xx, overloaded, garbage body */
  GR_ROUTE_OUTCOME_TIMEOUT,        /* connect or first-byte timeout */
  GR_ROUTE_OUTCOME_CONNECT_ERROR,  /* refused, DNS, TLS */
} GrRouteOutcome;

const char     *gr_route_outcome_to_string  (GrRouteOutcome outcome);
/* 2xx and client 4xx → OK (the provider is healthy); 429 → RATE_LIMITED;
 * 408 and 504 → TIMEOUT; other 5xx → SERVER_ERROR. */
GrRouteOutcome  gr_route_outcome_from_status (int status);

/* One place to send a request to. */
typedef struct
{
  char        *provider;        /* configured provider name */
  char        *upstream_model;  /* model name for the upstream */
  GrModelInfo *model;           /* registry entry (a reference), or NULL */
  gboolean     cooling_down;    /* the provider was cooling when resolved */
} GrRouteTarget;

void gr_route_target_free (GrRouteTarget *target);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrRouteTarget, gr_route_target_free)

typedef struct
{
  guint  failure_threshold; /* failures within the window that cool down (3) */
  gint64 window_ms;         /* 60 000 */
  gint64 cooldown_ms;       /* 30 000 */
} GrRouterPolicy;

void gr_router_policy_init_default (GrRouterPolicy *policy);

/* Milliseconds on any monotonic scale. */
typedef gint64 (*GrRouterClockFunc) (gpointer user_data);

typedef struct _GrRouter GrRouter;

/* Default policy, g_get_monotonic_time() and a randomly seeded GRand. */
GrRouter  *gr_router_new      (void);
/* policy NULL = defaults; now_ms NULL = monotonic clock; rand NULL = a
 * randomly seeded GRand, otherwise the router takes ownership of it. */
GrRouter  *gr_router_new_full (const GrRouterPolicy *policy,
                               GrRouterClockFunc     now_ms,
                               gpointer              clock_data,
                               GRand                *rand);
GrRouter  *gr_router_ref      (GrRouter             *router);
void       gr_router_unref    (GrRouter             *router);

void       gr_router_set_policy (GrRouter             *router,
                                 const GrRouterPolicy *policy);
void       gr_router_get_policy (GrRouter             *router,
                                 GrRouterPolicy       *policy);

/* Resolves model_name to targets (GPtrArray of GrRouteTarget*, owning):
 *  a) a route alias → its targets, in order or by weighted draw;
 *  b) "<provider>/<rest>" with a configured provider → that provider with
 *     upstream model <rest> (everything after the first '/'), or the
 *     registry entry's upstream name when the id is in the registry;
 *  c) a model id or alias in the registry whose provider is configured.
 * Targets whose provider is cooling down go last, in their order.  Fails
 * with GR_ERROR_NOT_FOUND (→ 404 model_not_found) when nothing matches. */
gboolean   gr_router_resolve  (GrRouter            *router,
                               GrRegistry          *registry,
                               const char          *model_name,
                               const char * const  *provider_names,
                               GPtrArray          **targets_out,
                               GError             **error);

void       gr_router_report       (GrRouter       *router,
                                   const char     *provider,
                                   GrRouteOutcome  outcome);
gboolean   gr_router_is_available (GrRouter       *router,
                                   const char     *provider);

/* Health of every provider that has reported a failure (for metrics and
 * the UI), sorted by provider name. */
typedef struct
{
  char    *provider;
  gboolean cooling_down;
  gint64   cooldown_remaining_ms;  /* 0 when available */
  guint    recent_failures;        /* within the window */
  guint    cooldowns_total;        /* since the router started */
} GrProviderHealth;

void       gr_provider_health_free (GrProviderHealth *health);
GPtrArray *gr_router_get_cooldowns (GrRouter *router);

/* Whether a failed attempt should move on to the next target: 408, 429
 * and 5xx statuses, timeouts and connection errors do; other 4xx (the
 * client's request is wrong, another provider would refuse it too) and
 * successes do not.  A non-zero status decides; with 0 the outcome does. */
gboolean   gr_router_should_fallback (int            status_or_0,
                                      GrRouteOutcome outcome);

#define GR_ROUTER_BACKOFF_BASE_MS        250
#define GR_ROUTER_BACKOFF_MAX_MS         8000
#define GR_ROUTER_RETRY_AFTER_MAX_MS     10000

/* Delay before retry number attempt (1 = first retry).  Without
 * Retry-After: exponential, base × 2^(attempt-1) capped at
 * GR_ROUTER_BACKOFF_MAX_MS, with "equal jitter" (a uniform draw in the
 * upper half, so the delay is never below half the step).  With
 * retry_after_s > 0 the upstream's wish is honoured up to
 * GR_ROUTER_RETRY_AFTER_MAX_MS; a longer wait is better spent on the next
 * target, which the caller decides. */
gint64     gr_router_backoff_ms (guint attempt,
                                 int   retry_after_s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrRouter, gr_router_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrProviderHealth, gr_provider_health_free)

G_END_DECLS
