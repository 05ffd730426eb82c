/* gr-router.c — route selection: names to targets, health, retries
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "router/gr-router.h"

/* ------------------------------------------------------------------ */
/* Outcomes and targets                                                */
/* ------------------------------------------------------------------ */

const char *
gr_route_outcome_to_string (GrRouteOutcome outcome)
{
  switch (outcome)
    {
    case GR_ROUTE_OUTCOME_OK:
      return "ok";
    case GR_ROUTE_OUTCOME_RATE_LIMITED:
      return "rate_limited";
    case GR_ROUTE_OUTCOME_SERVER_ERROR:
      return "server_error";
    case GR_ROUTE_OUTCOME_TIMEOUT:
      return "timeout";
    case GR_ROUTE_OUTCOME_CONNECT_ERROR:
      return "connect_error";
    default:
      return "unknown";
    }
}

GrRouteOutcome
gr_route_outcome_from_status (int status)
{
  if (status == 429)
    return GR_ROUTE_OUTCOME_RATE_LIMITED;
  if (status == 408 || status == 504)
    return GR_ROUTE_OUTCOME_TIMEOUT;
  if (status >= 500)
    return GR_ROUTE_OUTCOME_SERVER_ERROR;
  /* The provider answered sensibly; a bad request is the client's. */
  return GR_ROUTE_OUTCOME_OK;
}

static GrRouteTarget *
gr_route_target_new (const char  *provider,
                     const char  *upstream_model,
                     GrModelInfo *model)
{
  GrRouteTarget *target = g_new0 (GrRouteTarget, 1);

  target->provider = g_strdup (provider);
  target->upstream_model = g_strdup (upstream_model);
  target->model = model != NULL ? gr_model_info_ref (model) : NULL;
  return target;
}

void
gr_route_target_free (GrRouteTarget *target)
{
  if (target == NULL)
    return;
  g_free (target->provider);
  g_free (target->upstream_model);
  g_clear_pointer (&target->model, gr_model_info_unref);
  g_free (target);
}

void
gr_provider_health_free (GrProviderHealth *health)
{
  if (health == NULL)
    return;
  g_free (health->provider);
  g_free (health);
}

void
gr_router_policy_init_default (GrRouterPolicy *policy)
{
  g_return_if_fail (policy != NULL);

  policy->failure_threshold = 3;
  policy->window_ms = 60 * 1000;
  policy->cooldown_ms = 30 * 1000;
}

/* ------------------------------------------------------------------ */
/* GrRouter                                                            */
/* ------------------------------------------------------------------ */

typedef struct
{
  GArray *failures;        /* gint64 times (ms) within the window, oldest first */
  gint64  cooldown_until;  /* ms; cooling while now < cooldown_until */
  guint   cooldowns_total;
} ProviderState;

struct _GrRouter
{
  gatomicrefcount   ref_count;
  GrRouterClockFunc now_ms;
  gpointer          clock_data;

  GMutex            mutex;  /* guards everything below */
  GrRouterPolicy    policy;
  GRand            *rand;
  GHashTable       *states;  /* provider name → ProviderState* */
};

static void
provider_state_free (ProviderState *state)
{
  g_array_unref (state->failures);
  g_free (state);
}

static gint64
monotonic_now_ms (gpointer user_data)
{
  return g_get_monotonic_time () / 1000;
}

static void
sanitize_policy (GrRouterPolicy *policy)
{
  policy->failure_threshold = MAX (policy->failure_threshold, 1);
  policy->window_ms = MAX (policy->window_ms, 0);
  policy->cooldown_ms = MAX (policy->cooldown_ms, 0);
}

GrRouter *
gr_router_new_full (const GrRouterPolicy *policy,
                    GrRouterClockFunc     now_ms,
                    gpointer              clock_data,
                    GRand                *rand)
{
  GrRouter *router = g_new0 (GrRouter, 1);

  g_atomic_ref_count_init (&router->ref_count);
  router->now_ms = now_ms != NULL ? now_ms : monotonic_now_ms;
  router->clock_data = clock_data;
  g_mutex_init (&router->mutex);
  if (policy != NULL)
    router->policy = *policy;
  else
    gr_router_policy_init_default (&router->policy);
  sanitize_policy (&router->policy);
  router->rand = rand != NULL ? rand : g_rand_new ();
  router->states = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) provider_state_free);
  return router;
}

GrRouter *
gr_router_new (void)
{
  return gr_router_new_full (NULL, NULL, NULL, NULL);
}

GrRouter *
gr_router_ref (GrRouter *router)
{
  g_return_val_if_fail (router != NULL, NULL);
  g_atomic_ref_count_inc (&router->ref_count);
  return router;
}

void
gr_router_unref (GrRouter *router)
{
  if (router == NULL || !g_atomic_ref_count_dec (&router->ref_count))
    return;
  g_hash_table_unref (router->states);
  g_rand_free (router->rand);
  g_mutex_clear (&router->mutex);
  g_free (router);
}

void
gr_router_set_policy (GrRouter             *router,
                      const GrRouterPolicy *policy)
{
  g_return_if_fail (router != NULL);
  g_return_if_fail (policy != NULL);

  g_mutex_lock (&router->mutex);
  router->policy = *policy;
  sanitize_policy (&router->policy);
  g_mutex_unlock (&router->mutex);
}

void
gr_router_get_policy (GrRouter       *router,
                      GrRouterPolicy *policy)
{
  g_return_if_fail (router != NULL);
  g_return_if_fail (policy != NULL);

  g_mutex_lock (&router->mutex);
  *policy = router->policy;
  g_mutex_unlock (&router->mutex);
}

/* ------------------------------------------------------------------ */
/* Health (all called with the mutex held)                             */
/* ------------------------------------------------------------------ */

static gboolean
state_is_cooling (const ProviderState *state,
                  gint64               now)
{
  return state != NULL && now < state->cooldown_until;
}

static void
state_prune (ProviderState *state,
             gint64         now,
             gint64         window_ms)
{
  guint keep_from = 0;

  while (keep_from < state->failures->len
         && g_array_index (state->failures, gint64, keep_from) <= now - window_ms)
    keep_from++;
  if (keep_from > 0)
    g_array_remove_range (state->failures, 0, keep_from);
}

static ProviderState *
router_ensure_state (GrRouter   *router,
                     const char *provider)
{
  ProviderState *state = g_hash_table_lookup (router->states, provider);

  if (state == NULL)
    {
      state = g_new0 (ProviderState, 1);
      state->failures = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (router->states, g_strdup (provider), state);
    }
  return state;
}

static void
router_record_failure (GrRouter       *router,
                       const char     *provider,
                       GrRouteOutcome  outcome,
                       gint64          now)
{
  ProviderState *state = router_ensure_state (router, provider);
  guint needed = router->policy.failure_threshold;

  state_prune (state, now, router->policy.window_ms);
  g_array_append_val (state->failures, now);

  /* A provider that merely asks us to slow down is not broken: however the
   * threshold is set, one 429 on its own never takes it out of rotation. */
  if (outcome == GR_ROUTE_OUTCOME_RATE_LIMITED)
    needed = MAX (needed, 2);
  /* Failures during a cooldown (the provider was tried because every
   * target was cooling) stay counted: if it still fails once it is back,
   * it goes straight into the next cooldown. */
  if (state->failures->len < needed || state_is_cooling (state, now))
    return;

  state->cooldown_until = now + router->policy.cooldown_ms;
  state->cooldowns_total++;
  /* Counting starts afresh when the provider comes back. */
  g_array_set_size (state->failures, 0);
}

void
gr_router_report (GrRouter       *router,
                  const char     *provider,
                  GrRouteOutcome  outcome)
{
  gint64 now;

  g_return_if_fail (router != NULL);
  g_return_if_fail (provider != NULL);

  now = router->now_ms (router->clock_data);
  g_mutex_lock (&router->mutex);
  if (outcome == GR_ROUTE_OUTCOME_OK)
    {
      ProviderState *state = g_hash_table_lookup (router->states, provider);

      /* A success proves the provider works, even during a cooldown
       * (when every target was cooling and it was tried anyway). */
      if (state != NULL)
        {
          g_array_set_size (state->failures, 0);
          state->cooldown_until = 0;
        }
    }
  else
    router_record_failure (router, provider, outcome, now);
  g_mutex_unlock (&router->mutex);
}

gboolean
gr_router_is_available (GrRouter   *router,
                        const char *provider)
{
  gboolean cooling;
  gint64 now;

  g_return_val_if_fail (router != NULL, FALSE);
  g_return_val_if_fail (provider != NULL, FALSE);

  now = router->now_ms (router->clock_data);
  g_mutex_lock (&router->mutex);
  cooling = state_is_cooling (g_hash_table_lookup (router->states, provider), now);
  g_mutex_unlock (&router->mutex);
  return !cooling;
}

static guint
state_count_recent (const ProviderState *state,
                    gint64               now,
                    gint64               window_ms)
{
  guint count = 0;

  for (guint i = 0; i < state->failures->len; i++)
    if (g_array_index (state->failures, gint64, i) > now - window_ms)
      count++;
  return count;
}

static int
compare_health (gconstpointer a,
                gconstpointer b)
{
  const GrProviderHealth *ha = *(const GrProviderHealth * const *) a;
  const GrProviderHealth *hb = *(const GrProviderHealth * const *) b;

  return strcmp (ha->provider, hb->provider);
}

GPtrArray *
gr_router_get_cooldowns (GrRouter *router)
{
  GPtrArray *list;
  GHashTableIter iter;
  gpointer key, value;
  gint64 now;

  g_return_val_if_fail (router != NULL, NULL);

  list = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_provider_health_free);
  now = router->now_ms (router->clock_data);
  g_mutex_lock (&router->mutex);
  g_hash_table_iter_init (&iter, router->states);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const ProviderState *state = value;
      GrProviderHealth *health = g_new0 (GrProviderHealth, 1);

      health->provider = g_strdup (key);
      health->cooling_down = state_is_cooling (state, now);
      health->cooldown_remaining_ms = health->cooling_down ? state->cooldown_until - now : 0;
      health->recent_failures = state_count_recent (state, now, router->policy.window_ms);
      health->cooldowns_total = state->cooldowns_total;
      g_ptr_array_add (list, health);
    }
  g_mutex_unlock (&router->mutex);
  g_ptr_array_sort (list, compare_health);
  return list;
}

/* ------------------------------------------------------------------ */
/* Resolution                                                          */
/* ------------------------------------------------------------------ */

static gboolean
is_configured (const char * const *provider_names,
               const char         *provider)
{
  return g_strv_contains (provider_names, provider);
}

/* One model name (not a route alias) → a target, or NULL. */
static GrRouteTarget *
resolve_model_name (GrRegistry         *registry,
                    const char         *name,
                    const char * const *provider_names)
{
  g_autoptr(GrModelInfo) model = NULL;
  const char *slash = strchr (name, '/');

  if (slash != NULL && slash != name && slash[1] != '\0')
    {
      g_autofree char *prefix = g_strndup (name, slash - name);

      if (is_configured (provider_names, prefix))
        {
          model = gr_registry_lookup (registry, name);
          if (model != NULL && is_configured (provider_names, model->provider))
            return gr_route_target_new (model->provider, model->upstream, model);
          /* Any model of a configured provider is routable, listed or not;
           * the upstream name is everything after the first '/'. */
          return gr_route_target_new (prefix, slash + 1, NULL);
        }
    }

  model = gr_registry_find_model (registry, name);
  if (model != NULL && is_configured (provider_names, model->provider))
    return gr_route_target_new (model->provider, model->upstream, model);
  return NULL;
}

/* Weighted draw without replacement: the first target is picked with
 * probability weight / total, the next among the rest, and so on, so the
 * fallback order still follows the weights.  Called with the mutex held
 * (GRand is not thread-safe). */
static void
order_weighted (GRand              *rand,
                const GrRouteAlias *alias,
                const char        **order)
{
  g_autofree gboolean *used = g_new0 (gboolean, alias->n_targets);
  guint64 total = 0;

  for (guint i = 0; i < alias->n_targets; i++)
    total += alias->targets[i].weight;

  for (guint k = 0; k < alias->n_targets; k++)
    {
      /* Weights and target counts are bounded in gr-registry.c, so the
       * total fits the 32-bit range of g_rand_int_range(). */
      guint64 pick = (guint64) g_rand_int_range (rand, 0, (gint32) total);
      guint i;

      for (i = 0; i < alias->n_targets; i++)
        {
          if (used[i])
            continue;
          if (pick < alias->targets[i].weight)
            break;
          pick -= alias->targets[i].weight;
        }
      g_assert (i < alias->n_targets);
      used[i] = TRUE;
      total -= alias->targets[i].weight;
      order[k] = alias->targets[i].model;
    }
}

static void
add_alias_targets (GrRouter           *router,
                   GrRegistry         *registry,
                   const GrRouteAlias *alias,
                   const char * const *provider_names,
                   GPtrArray          *targets)
{
  g_autofree const char **order = g_new0 (const char *, alias->n_targets);

  if (alias->strategy == GR_ALIAS_STRATEGY_WEIGHTED)
    {
      g_mutex_lock (&router->mutex);
      order_weighted (router->rand, alias, order);
      g_mutex_unlock (&router->mutex);
    }
  else
    {
      for (guint i = 0; i < alias->n_targets; i++)
        order[i] = alias->targets[i].model;
    }

  /* Targets of unconfigured providers are skipped: an alias shipped with
   * the registry may name providers this gateway does not have. */
  for (guint i = 0; i < alias->n_targets; i++)
    {
      GrRouteTarget *target = resolve_model_name (registry, order[i], provider_names);

      if (target != NULL)
        g_ptr_array_add (targets, target);
    }
}

/* Stable partition: available providers first, cooling ones after. */
static void
order_by_health (GrRouter  *router,
                 GPtrArray *targets)
{
  g_autoptr(GPtrArray) cooling = g_ptr_array_new ();
  gint64 now = router->now_ms (router->clock_data);
  guint kept = 0;

  g_mutex_lock (&router->mutex);
  for (guint i = 0; i < targets->len; i++)
    {
      GrRouteTarget *target = g_ptr_array_index (targets, i);

      target->cooling_down =
        state_is_cooling (g_hash_table_lookup (router->states, target->provider), now);
    }
  g_mutex_unlock (&router->mutex);

  for (guint i = 0; i < targets->len; i++)
    {
      GrRouteTarget *target = g_ptr_array_index (targets, i);

      if (target->cooling_down)
        g_ptr_array_add (cooling, target);
      else
        targets->pdata[kept++] = target;
    }
  for (guint i = 0; i < cooling->len; i++)
    targets->pdata[kept++] = g_ptr_array_index (cooling, i);
}

gboolean
gr_router_resolve (GrRouter            *router,
                   GrRegistry          *registry,
                   const char          *model_name,
                   const char * const  *provider_names,
                   GPtrArray          **targets_out,
                   GError             **error)
{
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GrRouteAlias) alias = NULL;
  GrRouteTarget *target;

  g_return_val_if_fail (router != NULL, FALSE);
  g_return_val_if_fail (registry != NULL, FALSE);
  g_return_val_if_fail (model_name != NULL, FALSE);
  g_return_val_if_fail (provider_names != NULL, FALSE);
  g_return_val_if_fail (targets_out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  targets = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_route_target_free);
  alias = gr_registry_lookup_route (registry, model_name);
  if (alias != NULL)
    add_alias_targets (router, registry, alias, provider_names, targets);
  else if ((target = resolve_model_name (registry, model_name, provider_names)) != NULL)
    g_ptr_array_add (targets, target);

  if (targets->len == 0)
    {
      if (alias != NULL)
        g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND,
                     "The alias '%s' has no model on a configured provider", model_name);
      else
        g_set_error (error, GR_ERROR, GR_ERROR_NOT_FOUND,
                     "The model '%s' does not exist", model_name);
      return FALSE;
    }

  order_by_health (router, targets);
  *targets_out = g_steal_pointer (&targets);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Retry policy                                                        */
/* ------------------------------------------------------------------ */

gboolean
gr_router_should_fallback (int            status_or_0,
                           GrRouteOutcome outcome)
{
  if (status_or_0 != 0)
    return status_or_0 == 408 || status_or_0 == 429 || status_or_0 >= 500;
  return outcome != GR_ROUTE_OUTCOME_OK;
}

gint64
gr_router_backoff_ms (guint attempt,
                      int   retry_after_s)
{
  guint shift;
  gint64 step;

  if (retry_after_s > 0)
    return MIN ((gint64) retry_after_s * 1000, GR_ROUTER_RETRY_AFTER_MAX_MS);

  /* Past 2^16 the step is long capped; the bound keeps the shift defined. */
  shift = MIN (MAX (attempt, 1) - 1, 16);
  step = MIN ((gint64) GR_ROUTER_BACKOFF_BASE_MS << shift, GR_ROUTER_BACKOFF_MAX_MS);
  /* g_random_* is the thread-safe global generator. */
  return step / 2 + g_random_int_range (0, (gint32) (step / 2) + 1);
}
