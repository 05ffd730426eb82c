/* test-router.c — route selection, cooldowns and retry policy
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "router/gr-router.h"

static const char * const all_providers[] = {
  "openai", "anthropic", "google", "openrouter", "ollama", NULL
};

typedef struct
{
  gint64      now;  /* the fake clock, ms */
  GrRegistry *registry;
  GrRouter   *router;
} Fixture;

static gint64
fake_now (gpointer user_data)
{
  Fixture *f = user_data;

  return f->now;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *path = g_getenv ("GR_MODELS_JSON");
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (path);
  f->now = 1000000;
  f->registry = gr_registry_new ();
  gr_registry_load_file (f->registry, path, &error);
  g_assert_no_error (error);
  f->router = gr_router_new_full (NULL, fake_now, f, g_rand_new_with_seed (42));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->router, gr_router_unref);
  g_clear_pointer (&f->registry, gr_registry_unref);
}

static GPtrArray *
resolve_ok (Fixture            *f,
            const char         *name,
            const char * const *providers)
{
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (gr_router_resolve (f->router, f->registry, name, providers, &targets, &error));
  g_assert_no_error (error);
  g_assert_nonnull (targets);
  g_assert_cmpuint (targets->len, >, 0);
  return g_steal_pointer (&targets);
}

static void
assert_target (GPtrArray  *targets,
               guint       index,
               const char *provider,
               const char *upstream,
               const char *registry_id)
{
  GrRouteTarget *t = g_ptr_array_index (targets, index);

  g_assert_cmpstr (t->provider, ==, provider);
  g_assert_cmpstr (t->upstream_model, ==, upstream);
  if (registry_id == NULL)
    g_assert_null (t->model);
  else
    g_assert_cmpstr (t->model->id, ==, registry_id);
}

static void
assert_not_found (Fixture            *f,
                  const char         *name,
                  const char * const *providers)
{
  GPtrArray *targets = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (gr_router_resolve (f->router, f->registry, name, providers, &targets, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_NOT_FOUND);
  g_assert_null (targets);
}

/* ------------------------------------------------------------------ */
/* Resolution                                                          */
/* ------------------------------------------------------------------ */

static void
test_alias_fallback (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) targets = resolve_ok (f, "smart", all_providers);

  g_assert_cmpuint (targets->len, ==, 2);
  assert_target (targets, 0, "anthropic", "claude-sonnet-4-5-20250929",
                 "anthropic/claude-sonnet-4-5");
  assert_target (targets, 1, "openai", "gpt-4o", "openai/gpt-4o");
}

static void
test_alias_unconfigured (Fixture *f, gconstpointer data)
{
  const char * const only_openai[] = { "openai", NULL };
  const char * const only_ollama[] = { "ollama", NULL };
  g_autoptr(GPtrArray) targets = resolve_ok (f, "smart", only_openai);

  /* The Anthropic target is skipped, not an error. */
  g_assert_cmpuint (targets->len, ==, 1);
  assert_target (targets, 0, "openai", "gpt-4o", "openai/gpt-4o");
  assert_not_found (f, "smart", only_ollama);
}

static guint
count_first (Fixture    *f,
             const char *alias,
             const char *provider,
             guint       draws)
{
  guint hits = 0;

  for (guint i = 0; i < draws; i++)
    {
      g_autoptr(GPtrArray) targets = resolve_ok (f, alias, all_providers);
      GrRouteTarget *first = g_ptr_array_index (targets, 0);

      g_assert_cmpuint (targets->len, ==, 2);
      if (g_str_equal (first->provider, provider))
        hits++;
    }
  return hits;
}

static void
test_weighted_distribution (Fixture *f, gconstpointer data)
{
  /* fast = gpt-4o-mini ×3, gemini-2.5-flash ×1: 75 % first.  One standard
   * deviation over 10 000 draws is 43, so ±250 fails only if broken. */
  guint hits = count_first (f, "fast", "openai", 10000);

  g_test_message ("openai first in %u of 10000", hits);
  g_assert_cmpuint (hits, >, 7250);
  g_assert_cmpuint (hits, <, 7750);
}

static void
test_weighted_three (Fixture *f, gconstpointer data)
{
  const char *targets[] = { "openai/gpt-4o", "google/gemini-2.5-pro", "anthropic/claude-haiku-4-5", NULL };
  const guint weights[] = { 1, 1, 2 };
  guint first[3] = { 0, 0, 0 };

  g_assert_true (gr_registry_set_alias (f->registry, "mix", GR_ALIAS_STRATEGY_WEIGHTED,
                                        targets, weights, NULL));
  for (guint i = 0; i < 10000; i++)
    {
      g_autoptr(GPtrArray) got = resolve_ok (f, "mix", all_providers);
      const char *provider = ((GrRouteTarget *) got->pdata[0])->provider;

      /* Every target appears once, whatever the order. */
      g_assert_cmpuint (got->len, ==, 3);
      first[g_str_equal (provider, "openai") ? 0 : g_str_equal (provider, "google") ? 1 : 2]++;
    }
  g_test_message ("first: %u %u %u", first[0], first[1], first[2]);
  g_assert_cmpuint (first[0], >, 2250);
  g_assert_cmpuint (first[0], <, 2750);
  g_assert_cmpuint (first[1], >, 2250);
  g_assert_cmpuint (first[1], <, 2750);
  g_assert_cmpuint (first[2], >, 4750);
  g_assert_cmpuint (first[2], <, 5250);
}

static void
test_weighted_deterministic (Fixture *f, gconstpointer data)
{
  g_autoptr(GrRouter) twin = gr_router_new_full (NULL, fake_now, f, g_rand_new_with_seed (42));

  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GPtrArray) a = resolve_ok (f, "fast", all_providers);
      g_autoptr(GPtrArray) b = NULL;

      g_assert_true (gr_router_resolve (twin, f->registry, "fast", all_providers, &b, NULL));
      g_assert_cmpstr (((GrRouteTarget *) a->pdata[0])->provider, ==,
                       ((GrRouteTarget *) b->pdata[0])->provider);
    }
}

static void
test_provider_rest (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) listed = resolve_ok (f, "openrouter/meta-llama/llama-3.3-70b-instruct",
                                            all_providers);
  g_autoptr(GPtrArray) unlisted = resolve_ok (f, "openrouter/qwen/qwen3-coder:free", all_providers);
  g_autoptr(GPtrArray) local = resolve_ok (f, "ollama/llama3.1:8b", all_providers);
  g_autoptr(GPtrArray) by_id = resolve_ok (f, "anthropic/claude-sonnet-4-5", all_providers);
  g_autoptr(GPtrArray) raw = resolve_ok (f, "anthropic/claude-sonnet-4-5-20250929", all_providers);

  assert_target (listed, 0, "openrouter", "meta-llama/llama-3.3-70b-instruct",
                 "openrouter/meta-llama/llama-3.3-70b-instruct");
  /* Everything after the first '/' goes upstream unchanged. */
  assert_target (unlisted, 0, "openrouter", "qwen/qwen3-coder:free", NULL);
  assert_target (local, 0, "ollama", "llama3.1:8b", NULL);
  /* The registry's upstream name wins for a listed id. */
  assert_target (by_id, 0, "anthropic", "claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5");
  assert_target (raw, 0, "anthropic", "claude-sonnet-4-5-20250929", NULL);
  g_assert_cmpuint (listed->len, ==, 1);
}

static void
test_provider_rest_edges (Fixture *f, gconstpointer data)
{
  const char * const no_google[] = { "openai", "anthropic", NULL };

  assert_not_found (f, "mistral/mistral-large", all_providers);
  assert_not_found (f, "google/gemini-2.5-flash", no_google);
  assert_not_found (f, "openai/", all_providers);
  assert_not_found (f, "/gpt-4o", all_providers);
  assert_not_found (f, "", all_providers);
  /* Case-sensitive: "OpenAI" is not a configured provider. */
  assert_not_found (f, "OpenAI/gpt-4o", all_providers);
}

static void
test_model_alias (Fixture *f, gconstpointer data)
{
  const char * const only_openai[] = { "openai", NULL };
  g_autoptr(GPtrArray) gpt = resolve_ok (f, "gpt-4o", all_providers);
  g_autoptr(GPtrArray) claude = resolve_ok (f, "claude-haiku-4-5", all_providers);
  g_autoptr(GPtrArray) llama = resolve_ok (f, "llama-3.3-70b", all_providers);

  assert_target (gpt, 0, "openai", "gpt-4o", "openai/gpt-4o");
  assert_target (claude, 0, "anthropic", "claude-haiku-4-5-20251001", "anthropic/claude-haiku-4-5");
  assert_target (llama, 0, "openrouter", "meta-llama/llama-3.3-70b-instruct",
                 "openrouter/meta-llama/llama-3.3-70b-instruct");
  assert_not_found (f, "claude-haiku-4-5", only_openai);
}

static void
test_unknown_model (Fixture *f, gconstpointer data)
{
  assert_not_found (f, "no-such-model", all_providers);
  assert_not_found (f, "GPT-4o", all_providers);
}

/* ------------------------------------------------------------------ */
/* Health                                                              */
/* ------------------------------------------------------------------ */

static void
fail (Fixture        *f,
      const char     *provider,
      GrRouteOutcome  outcome,
      guint           times)
{
  for (guint i = 0; i < times; i++)
    gr_router_report (f->router, provider, outcome);
}

static void
test_cooldown_and_recovery (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) health = NULL;
  GrProviderHealth *h;

  fail (f, "anthropic", GR_ROUTE_OUTCOME_SERVER_ERROR, 2);
  g_assert_true (gr_router_is_available (f->router, "anthropic"));
  f->now += 1000;
  gr_router_report (f->router, "anthropic", GR_ROUTE_OUTCOME_TIMEOUT);
  g_assert_false (gr_router_is_available (f->router, "anthropic"));
  g_assert_true (gr_router_is_available (f->router, "openai"));

  /* Cooling targets go last but stay in the list. */
  {
    g_autoptr(GPtrArray) targets = resolve_ok (f, "smart", all_providers);

    g_assert_cmpuint (targets->len, ==, 2);
    assert_target (targets, 0, "openai", "gpt-4o", "openai/gpt-4o");
    assert_target (targets, 1, "anthropic", "claude-sonnet-4-5-20250929",
                   "anthropic/claude-sonnet-4-5");
    g_assert_false (((GrRouteTarget *) targets->pdata[0])->cooling_down);
    g_assert_true (((GrRouteTarget *) targets->pdata[1])->cooling_down);
  }

  f->now += 10000;
  health = gr_router_get_cooldowns (f->router);
  g_assert_cmpuint (health->len, ==, 1);
  h = g_ptr_array_index (health, 0);
  g_assert_cmpstr (h->provider, ==, "anthropic");
  g_assert_true (h->cooling_down);
  g_assert_cmpint (h->cooldown_remaining_ms, ==, 20000);
  g_assert_cmpuint (h->cooldowns_total, ==, 1);

  /* Back by itself after 30 s, not a millisecond before. */
  f->now += 19999;
  g_assert_false (gr_router_is_available (f->router, "anthropic"));
  f->now += 1;
  g_assert_true (gr_router_is_available (f->router, "anthropic"));
  {
    g_autoptr(GPtrArray) targets = resolve_ok (f, "smart", all_providers);

    assert_target (targets, 0, "anthropic", "claude-sonnet-4-5-20250929",
                   "anthropic/claude-sonnet-4-5");
  }
  /* It needs N fresh failures to cool down again. */
  fail (f, "anthropic", GR_ROUTE_OUTCOME_SERVER_ERROR, 2);
  g_assert_true (gr_router_is_available (f->router, "anthropic"));
}

static void
test_failures_outside_window (Fixture *f, gconstpointer data)
{
  gr_router_report (f->router, "google", GR_ROUTE_OUTCOME_CONNECT_ERROR);
  f->now += 30000;
  gr_router_report (f->router, "google", GR_ROUTE_OUTCOME_CONNECT_ERROR);
  f->now += 30000;  /* the first failure is now 60 s old: out of the window */
  gr_router_report (f->router, "google", GR_ROUTE_OUTCOME_CONNECT_ERROR);
  g_assert_true (gr_router_is_available (f->router, "google"));
  f->now += 1;
  gr_router_report (f->router, "google", GR_ROUTE_OUTCOME_CONNECT_ERROR);
  g_assert_false (gr_router_is_available (f->router, "google"));
}

static void
test_ok_resets (Fixture *f, gconstpointer data)
{
  fail (f, "openai", GR_ROUTE_OUTCOME_SERVER_ERROR, 2);
  gr_router_report (f->router, "openai", GR_ROUTE_OUTCOME_OK);
  fail (f, "openai", GR_ROUTE_OUTCOME_SERVER_ERROR, 2);
  g_assert_true (gr_router_is_available (f->router, "openai"));
  gr_router_report (f->router, "openai", GR_ROUTE_OUTCOME_SERVER_ERROR);
  g_assert_false (gr_router_is_available (f->router, "openai"));
  /* A success during the cooldown (tried because all were cooling). */
  gr_router_report (f->router, "openai", GR_ROUTE_OUTCOME_OK);
  g_assert_true (gr_router_is_available (f->router, "openai"));
}

static void
test_single_429 (Fixture *f, gconstpointer data)
{
  GrRouterPolicy strict = { 1, 60000, 30000 };

  /* Default policy: 429s count toward the threshold of 3 like any failure. */
  fail (f, "openai", GR_ROUTE_OUTCOME_RATE_LIMITED, 2);
  g_assert_true (gr_router_is_available (f->router, "openai"));
  gr_router_report (f->router, "openai", GR_ROUTE_OUTCOME_RATE_LIMITED);
  g_assert_false (gr_router_is_available (f->router, "openai"));

  /* Even with a threshold of one, a lone 429 never cools a provider. */
  gr_router_set_policy (f->router, &strict);
  gr_router_report (f->router, "google", GR_ROUTE_OUTCOME_RATE_LIMITED);
  g_assert_true (gr_router_is_available (f->router, "google"));
  gr_router_report (f->router, "google", GR_ROUTE_OUTCOME_RATE_LIMITED);
  g_assert_false (gr_router_is_available (f->router, "google"));
  gr_router_report (f->router, "anthropic", GR_ROUTE_OUTCOME_SERVER_ERROR);
  g_assert_false (gr_router_is_available (f->router, "anthropic"));
}

static void
test_all_cooling (Fixture *f, gconstpointer data)
{
  g_autoptr(GPtrArray) targets = NULL;

  fail (f, "anthropic", GR_ROUTE_OUTCOME_SERVER_ERROR, 3);
  fail (f, "openai", GR_ROUTE_OUTCOME_SERVER_ERROR, 3);
  targets = resolve_ok (f, "smart", all_providers);
  /* Still tried, in the alias order. */
  g_assert_cmpuint (targets->len, ==, 2);
  assert_target (targets, 0, "anthropic", "claude-sonnet-4-5-20250929",
                 "anthropic/claude-sonnet-4-5");
  assert_target (targets, 1, "openai", "gpt-4o", "openai/gpt-4o");
}

static void
test_policy (Fixture *f, gconstpointer data)
{
  GrRouterPolicy policy = { 5, 1000, 500 };
  GrRouterPolicy got;

  gr_router_set_policy (f->router, &policy);
  gr_router_get_policy (f->router, &got);
  g_assert_cmpuint (got.failure_threshold, ==, 5);
  fail (f, "openai", GR_ROUTE_OUTCOME_SERVER_ERROR, 4);
  g_assert_true (gr_router_is_available (f->router, "openai"));
  gr_router_report (f->router, "openai", GR_ROUTE_OUTCOME_SERVER_ERROR);
  g_assert_false (gr_router_is_available (f->router, "openai"));
  f->now += 500;
  g_assert_true (gr_router_is_available (f->router, "openai"));
}

/* ------------------------------------------------------------------ */
/* Retry policy                                                        */
/* ------------------------------------------------------------------ */

static void
test_should_fallback (void)
{
  const struct { int status; GrRouteOutcome outcome; gboolean expected; } cases[] = {
    { 429, GR_ROUTE_OUTCOME_RATE_LIMITED, TRUE },
    { 500, GR_ROUTE_OUTCOME_SERVER_ERROR, TRUE },
    { 502, GR_ROUTE_OUTCOME_SERVER_ERROR, TRUE },
    { 503, GR_ROUTE_OUTCOME_SERVER_ERROR, TRUE },
    { 529, GR_ROUTE_OUTCOME_SERVER_ERROR, TRUE },
    { 504, GR_ROUTE_OUTCOME_TIMEOUT, TRUE },
    { 408, GR_ROUTE_OUTCOME_TIMEOUT, TRUE },
    { 0, GR_ROUTE_OUTCOME_TIMEOUT, TRUE },
    { 0, GR_ROUTE_OUTCOME_CONNECT_ERROR, TRUE },
    { 0, GR_ROUTE_OUTCOME_SERVER_ERROR, TRUE },
    { 0, GR_ROUTE_OUTCOME_OK, FALSE },
    { 200, GR_ROUTE_OUTCOME_OK, FALSE },
    { 400, GR_ROUTE_OUTCOME_OK, FALSE },
    { 404, GR_ROUTE_OUTCOME_OK, FALSE },
    { 413, GR_ROUTE_OUTCOME_OK, FALSE },
    { 422, GR_ROUTE_OUTCOME_OK, FALSE },
    /* The status decides over a mismatched outcome. */
    { 400, GR_ROUTE_OUTCOME_SERVER_ERROR, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("case %u: %d %s", i, cases[i].status,
                      gr_route_outcome_to_string (cases[i].outcome));
      g_assert_cmpint (gr_router_should_fallback (cases[i].status, cases[i].outcome), ==,
                       cases[i].expected);
    }
}

static void
test_outcome_from_status (void)
{
  g_assert_cmpint (gr_route_outcome_from_status (200), ==, GR_ROUTE_OUTCOME_OK);
  g_assert_cmpint (gr_route_outcome_from_status (400), ==, GR_ROUTE_OUTCOME_OK);
  g_assert_cmpint (gr_route_outcome_from_status (429), ==, GR_ROUTE_OUTCOME_RATE_LIMITED);
  g_assert_cmpint (gr_route_outcome_from_status (408), ==, GR_ROUTE_OUTCOME_TIMEOUT);
  g_assert_cmpint (gr_route_outcome_from_status (504), ==, GR_ROUTE_OUTCOME_TIMEOUT);
  g_assert_cmpint (gr_route_outcome_from_status (503), ==, GR_ROUTE_OUTCOME_SERVER_ERROR);
  g_assert_cmpint (gr_route_outcome_from_status (529), ==, GR_ROUTE_OUTCOME_SERVER_ERROR);
}

static void
assert_backoff_within (guint  attempt,
                       gint64 low,
                       gint64 high)
{
  gint64 seen_min = G_MAXINT64, seen_max = 0;

  for (guint i = 0; i < 2000; i++)
    {
      gint64 delay = gr_router_backoff_ms (attempt, 0);

      seen_min = MIN (seen_min, delay);
      seen_max = MAX (seen_max, delay);
    }
  g_assert_cmpint (seen_min, >=, low);
  g_assert_cmpint (seen_max, <=, high);
  /* Jitter: 2000 draws never all land on one value. */
  g_assert_cmpint (seen_max, >, seen_min);
}

static void
test_backoff (void)
{
  assert_backoff_within (0, 125, 250);
  assert_backoff_within (1, 125, 250);
  assert_backoff_within (2, 250, 500);
  assert_backoff_within (3, 500, 1000);
  assert_backoff_within (6, 4000, 8000);
  assert_backoff_within (7, 4000, 8000);
  assert_backoff_within (G_MAXUINT, 4000, 8000);

  g_assert_cmpint (gr_router_backoff_ms (1, 3), ==, 3000);
  g_assert_cmpint (gr_router_backoff_ms (5, 10), ==, 10000);
  g_assert_cmpint (gr_router_backoff_ms (1, 120), ==, GR_ROUTER_RETRY_AFTER_MAX_MS);
  g_assert_cmpint (gr_router_backoff_ms (1, G_MAXINT), ==, GR_ROUTER_RETRY_AFTER_MAX_MS);
  /* A negative or zero Retry-After is no Retry-After. */
  g_assert_cmpint (gr_router_backoff_ms (1, -4), <=, 250);
}

/* ------------------------------------------------------------------ */
/* Shared by gateway threads                                           */
/* ------------------------------------------------------------------ */

static gpointer
hammer_thread (gpointer data)
{
  Fixture *f = data;
  const char *providers[] = { "openai", "anthropic", "google" };

  for (guint i = 0; i < 5000; i++)
    {
      g_autoptr(GPtrArray) targets = NULL;

      gr_router_report (f->router, providers[i % 3],
                        i % 4 ? GR_ROUTE_OUTCOME_SERVER_ERROR : GR_ROUTE_OUTCOME_OK);
      g_assert_true (gr_router_resolve (f->router, f->registry, "fast", all_providers,
                                        &targets, NULL));
      g_assert_cmpuint (targets->len, ==, 2);
    }
  return NULL;
}

static void
test_threads (Fixture *f, gconstpointer data)
{
  GThread *threads[4];

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("hammer", hammer_thread, f);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

#define ADD(path, func) \
  g_test_add ("/gaiarouter/router/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  ADD ("alias-fallback", test_alias_fallback);
  ADD ("alias-unconfigured", test_alias_unconfigured);
  ADD ("weighted-distribution", test_weighted_distribution);
  ADD ("weighted-three", test_weighted_three);
  ADD ("weighted-deterministic", test_weighted_deterministic);
  ADD ("provider-rest", test_provider_rest);
  ADD ("provider-rest-edges", test_provider_rest_edges);
  ADD ("model-alias", test_model_alias);
  ADD ("unknown-model", test_unknown_model);
  ADD ("cooldown-and-recovery", test_cooldown_and_recovery);
  ADD ("failures-outside-window", test_failures_outside_window);
  ADD ("ok-resets", test_ok_resets);
  ADD ("single-429", test_single_429);
  ADD ("all-cooling", test_all_cooling);
  ADD ("policy", test_policy);
  ADD ("threads", test_threads);
  g_test_add_func ("/gaiarouter/router/should-fallback", test_should_fallback);
  g_test_add_func ("/gaiarouter/router/outcome-from-status", test_outcome_from_status);
  g_test_add_func ("/gaiarouter/router/backoff", test_backoff);

  return g_test_run ();
}
