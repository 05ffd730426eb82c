/* test-limits.c — admission, reservations, windows and restart of the usage limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>

#include "limits/gr-limits.h"
#include "store/gr-store-limits.h"
#include "gr-test-db.h"

/* A wall clock the tests move by hand.  Threads only read it while no
 * test moves it (thread creation orders the accesses). */
typedef struct
{
  gint64 now;
} FakeClock;

static gint64
fake_now (gpointer user_data)
{
  return ((FakeClock *) user_data)->now;
}

/* Independent of the code under test: GDateTime does the calendar. */
static gint64
utc_ms (int y, int mo, int d, int h, int mi, int s)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (y, mo, d, h, mi, s);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * 1000;
}

static GrLimitSet
unlimited (void)
{
  GrLimitSet set;

  gr_limit_set_init_unlimited (&set);
  return set;
}

typedef struct
{
  FakeClock  clock;
  GrLimits  *limits;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->clock.now = utc_ms (2026, 11, 17, 10, 0, 0);
  f->limits = gr_limits_new (fake_now, &f->clock);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_pointer (&f->limits, gr_limits_unref);
}

/* ---- calendar ---------------------------------------------------------- */

static void
test_calendar (void)
{
  struct { int y, mo, d, h, mi, s; } cases[] = {
    { 2026, 11, 17, 10, 0, 0 },
    { 2026, 12, 31, 23, 59, 59 },
    { 2027, 1, 1, 0, 0, 0 },
    { 2024, 2, 29, 12, 0, 0 },
    { 2100, 2, 28, 23, 0, 0 },
    { 2000, 3, 1, 0, 0, 1 },
    { 1970, 1, 1, 0, 0, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 t = utc_ms (cases[i].y, cases[i].mo, cases[i].d, cases[i].h, cases[i].mi, cases[i].s) + 123;
      int ny = cases[i].mo == 12 ? cases[i].y + 1 : cases[i].y;
      int nm = cases[i].mo == 12 ? 1 : cases[i].mo + 1;

      g_assert_cmpint (gr_limits_day_start_ms (t), ==, utc_ms (cases[i].y, cases[i].mo, cases[i].d, 0, 0, 0));
      g_assert_cmpint (gr_limits_month_start_ms (t), ==, utc_ms (cases[i].y, cases[i].mo, 1, 0, 0, 0));
      g_assert_cmpint (gr_limits_next_month_ms (t), ==, utc_ms (ny, nm, 1, 0, 0, 0));
    }
}

/* ---- each limit kind ---------------------------------------------------- */

static void
test_rpm_key (Fixture       *f,
              gconstpointer  data)
{
  GrLimitSet key = unlimited ();
  gint64 t0 = f->clock.now;
  g_auto(GrLimitRefusal) refusal = { 0 };
  g_autoptr(GrApiError) api = NULL;
  GrLimitReservation *r;

  key.rpm = 3;
  for (int i = 0; i < 3; i++)
    {
      f->clock.now = t0 + i * 10000;
      r = gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 10, 10, &refusal);
      g_assert_nonnull (r);
      gr_limits_settle (f->limits, r, 10, 10);
    }

  /* Window holds t0, t0+10 s, t0+20 s: the oldest leaves at t0+60 s. */
  f->clock.now = t0 + 30000;
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 10, 10, &refusal));
  g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_KEY);
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_RPM);
  g_assert_true (gr_limit_kind_is_rate (refusal.kind));
  g_assert_cmpint (refusal.limit, ==, 3);
  g_assert_cmpint (refusal.used, ==, 3);
  g_assert_cmpint (refusal.retry_after, ==, 30);
  g_assert_cmpint (refusal.resets_at_ms, ==, t0 + 60000);
  g_assert_cmpstr (refusal.message, ==,
                   "This API key's rate limit of 3 requests per minute is reached; retry in 30 s.");

  api = gr_limit_refusal_to_api_error (&refusal);
  g_assert_cmpint (api->status, ==, 429);
  g_assert_cmpstr (api->type, ==, "rate_limit_error");
  g_assert_cmpstr (api->code, ==, "rate_limit_exceeded");
  g_assert_cmpint (api->retry_after, ==, 30);

  /* Rounded up, never 0. */
  f->clock.now = t0 + 59500;
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 10, 10, &refusal));
  g_assert_cmpint (refusal.retry_after, ==, 1);
  f->clock.now = t0 + 59999;
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 10, 10, &refusal));
  g_assert_cmpint (refusal.retry_after, ==, 1);

  /* The oldest has left; the next blocker is t0+10 s. */
  f->clock.now = t0 + 60000;
  r = gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 10, 10, &refusal);
  g_assert_nonnull (r);
  gr_limits_release (f->limits, r);
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 10, 10, &refusal));
  g_assert_cmpint (refusal.retry_after, ==, 10);

  /* A limit lowered below what the window holds: the window now holds
   * t0+10 s, t0+20 s and t0+60 s, and the request that must leave for one
   * more to fit is the (n - limit)-th oldest. */
  key.rpm = 2;
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 10, 10, &refusal));
  g_assert_cmpint (refusal.retry_after, ==, 20);
  key.rpm = 1;
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 10, 10, &refusal));
  g_assert_cmpint (refusal.retry_after, ==, 60);
  key.rpm = 3;

  /* Another key of the same organization is not affected. */
  r = gr_limits_admit (f->limits, "key-b", &key, "org-a", NULL, 10, 10, &refusal);
  g_assert_nonnull (r);
  gr_limits_release (f->limits, r);
}

static void
test_rpm_org (Fixture       *f,
              gconstpointer  data)
{
  GrLimitSet org = unlimited ();
  g_auto(GrLimitRefusal) refusal = { 0 };
  GrLimitReservation *held[2];
  GrLimitUsage usage;

  org.rpm = 2;
  held[0] = gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 1, 1, &refusal);
  held[1] = gr_limits_admit (f->limits, "key-b", NULL, "org-a", &org, 1, 1, &refusal);
  g_assert_nonnull (held[0]);
  g_assert_nonnull (held[1]);
  g_assert_null (refusal.message);

  f->clock.now += 15000;
  g_assert_null (gr_limits_admit (f->limits, "key-c", NULL, "org-a", &org, 1, 1, &refusal));
  g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_ORG);
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_RPM);
  g_assert_cmpint (refusal.retry_after, ==, 45);
  g_assert_cmpstr (refusal.message, ==,
                   "The organization's rate limit of 2 requests per minute is reached; retry in 45 s.");

  /* A refused request counts toward nothing. */
  g_assert_false (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_KEY, "key-c", &usage) &&
                  usage.requests_today > 0);
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_ORG, "org-a", &usage));
  g_assert_cmpint (usage.requests_last_minute, ==, 2);
  g_assert_cmpint (usage.requests_today, ==, 2);
  g_assert_cmpuint (usage.outstanding, ==, 2);

  gr_limits_settle (f->limits, held[0], 1, 1);
  gr_limits_settle (f->limits, held[1], 1, 1);
}

static void
test_requests_per_day (Fixture       *f,
                       gconstpointer  data)
{
  GrLimitSet org = unlimited ();
  g_auto(GrLimitRefusal) refusal = { 0 };
  g_autoptr(GrApiError) api = NULL;
  GrLimitReservation *r;

  org.requests_per_day = 2;
  for (int i = 0; i < 2; i++)
    {
      r = gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 5, 5, &refusal);
      g_assert_nonnull (r);
      /* Released requests still count toward the request limits. */
      gr_limits_release (f->limits, r);
      f->clock.now += 120000;
    }

  f->clock.now = utc_ms (2026, 11, 17, 20, 47, 59) + 1;
  g_assert_null (gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 5, 5, &refusal));
  g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_ORG);
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_REQUESTS_PER_DAY);
  g_assert_true (gr_limit_kind_is_rate (refusal.kind));
  /* 3 h 12 min 0.999 s to midnight, rounded up. */
  g_assert_cmpint (refusal.retry_after, ==, 3 * 3600 + 12 * 60 + 1);
  g_assert_cmpint (refusal.resets_at_ms, ==, utc_ms (2026, 11, 18, 0, 0, 0));
  g_assert_cmpstr (refusal.message, ==,
                   "The organization's daily limit of 2 requests is reached; it resets at 00:00 UTC (in 3 h 12 min).");
  api = gr_limit_refusal_to_api_error (&refusal);
  g_assert_cmpstr (api->code, ==, "rate_limit_exceeded");
  g_assert_cmpint (api->retry_after, ==, refusal.retry_after);

  f->clock.now = utc_ms (2026, 11, 18, 0, 0, 0);
  r = gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 5, 5, &refusal);
  g_assert_nonnull (r);
  gr_limits_settle (f->limits, r, 5, 5);
}

static void
test_tokens_per_day (Fixture       *f,
                     gconstpointer  data)
{
  GrLimitSet key = unlimited ();
  g_auto(GrLimitRefusal) refusal = { 0 };
  g_autoptr(GrApiError) api = NULL;
  GrLimitReservation *a, *b, *c;
  GrLimitUsage usage;

  key.tokens_per_day = 1000;
  a = gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 400, 0, &refusal);
  b = gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 400, 0, &refusal);
  g_assert_nonnull (a);
  g_assert_nonnull (b);

  /* 800 reserved, 200 left: an estimate of 400 does not fit, 200 does. */
  f->clock.now = utc_ms (2026, 11, 17, 23, 0, 0);
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 400, 0, &refusal));
  g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_KEY);
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_TOKENS_PER_DAY);
  g_assert_false (gr_limit_kind_is_rate (refusal.kind));
  g_assert_cmpint (refusal.used, ==, 0);
  g_assert_cmpint (refusal.reserved, ==, 800);
  g_assert_cmpint (refusal.requested, ==, 400);
  g_assert_cmpint (refusal.retry_after, ==, 3600);
  g_assert_cmpstr (refusal.message, ==,
                   "This request (about 400 tokens with its maximum output) would exceed this API key's "
                   "daily limit of 1,000 tokens (200 left); it resets at 00:00 UTC (in 1 h 0 min).");
  api = gr_limit_refusal_to_api_error (&refusal);
  g_assert_cmpint (api->status, ==, 429);
  g_assert_cmpstr (api->type, ==, "insufficient_quota");
  g_assert_cmpstr (api->code, ==, "usage_limit_exceeded");
  g_assert_cmpint (api->retry_after, ==, 3600);

  c = gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 200, 0, &refusal);
  g_assert_nonnull (c);
  /* Exactly full: even an estimate of 0 is refused now. */
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 0, 0, &refusal));
  g_assert_cmpstr (refusal.message, ==,
                   "This API key's daily limit of 1,000 tokens is used up; it resets at 00:00 UTC (in 1 h 0 min).");

  /* Settling for less gives room back; for more takes it. */
  gr_limits_settle (f->limits, a, 100, 0);
  gr_limits_settle (f->limits, b, 450, 0);
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_KEY, "key-a", &usage));
  g_assert_cmpint (usage.tokens_today, ==, 550);
  g_assert_cmpint (usage.reserved_tokens, ==, 200);
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 251, 0, &refusal));
  a = gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 250, 0, &refusal);
  g_assert_nonnull (a);
  gr_limits_release (f->limits, a);
  gr_limits_release (f->limits, c);
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_KEY, "key-a", &usage));
  g_assert_cmpint (usage.tokens_today, ==, 550);
  g_assert_cmpint (usage.reserved_tokens, ==, 0);
  g_assert_cmpuint (usage.outstanding, ==, 0);
  g_assert_cmpint (usage.requests_today, ==, 4);

  /* An estimate larger than the whole limit can never pass: no Retry-After. */
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 5000, 0, &refusal));
  g_assert_cmpint (refusal.retry_after, ==, 0);
  g_assert_cmpstr (refusal.message, ==,
                   "This request (about 5,000 tokens with its maximum output) is larger than this API "
                   "key's daily limit of 1,000 tokens.");
}

static void
test_monthly_budget (Fixture       *f,
                     gconstpointer  data)
{
  GrLimitSet org = unlimited ();
  g_auto(GrLimitRefusal) refusal = { 0 };
  g_autoptr(GrApiError) api = NULL;
  GrLimitReservation *r;
  GrLimitUsage usage;

  org.monthly_budget_micros = 50000000;  /* $50 */
  r = gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 100, 30000000, &refusal);
  g_assert_nonnull (r);
  g_assert_cmpint (gr_limit_reservation_get_estimated_cost (r), ==, 30000000);
  g_assert_cmpint (gr_limit_reservation_get_estimated_tokens (r), ==, 100);

  g_assert_null (gr_limits_admit (f->limits, "key-b", NULL, "org-a", &org, 100, 20001500, &refusal));
  g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_ORG);
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_MONTHLY_BUDGET);
  g_assert_cmpint (refusal.retry_after, ==, 0);
  g_assert_cmpint (refusal.resets_at_ms, ==, utc_ms (2026, 12, 1, 0, 0, 0));
  g_assert_cmpstr (refusal.message, ==,
                   "This request (estimated at $20.0015) would exceed the organization's monthly budget "
                   "of $50.00 ($20.00 left); it resets on 2026-12-01.");

  /* The real cost was higher than estimated: over budget now. */
  gr_limits_settle (f->limits, r, 100, 50000001);
  g_assert_null (gr_limits_admit (f->limits, "key-b", NULL, "org-a", &org, 0, 0, &refusal));
  g_assert_cmpstr (refusal.message, ==,
                   "The organization's monthly budget of $50.00 is used up; it resets on 2026-12-01.");
  api = gr_limit_refusal_to_api_error (&refusal);
  g_assert_cmpstr (api->type, ==, "insufficient_quota");
  g_assert_cmpint (api->retry_after, ==, 0);

  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_ORG, "org-a", &usage));
  g_assert_cmpint (usage.cost_this_month_micros, ==, 50000001);
  g_assert_cmpint (usage.reserved_cost_micros, ==, 0);
  g_assert_cmpint (usage.month_resets_at_ms, ==, utc_ms (2026, 12, 1, 0, 0, 0));
  g_assert_cmpint (usage.day_resets_at_ms, ==, utc_ms (2026, 11, 18, 0, 0, 0));
  /* The key's own counters saw the same request. */
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_KEY, "key-a", &usage));
  g_assert_cmpint (usage.cost_this_month_micros, ==, 50000001);
  g_assert_cmpint (usage.tokens_today, ==, 100);

  /* Key budgets work the same, reported with the key's scope. */
  org.monthly_budget_micros = GR_LIMIT_UNLIMITED;
  {
    GrLimitSet key = unlimited ();

    key.monthly_budget_micros = 1500;
    g_assert_null (gr_limits_admit (f->limits, "key-c", &key, "org-a", &org, 0, 1501, &refusal));
    g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_KEY);
    g_assert_cmpstr (refusal.message, ==,
                     "This request (estimated at $0.001501) costs more than this API key's monthly budget of $0.0015.");
  }
}

/* The longest-lasting failure is reported, the key's before the org's. */
static void
test_order (Fixture       *f,
            gconstpointer  data)
{
  GrLimitSet key = unlimited (), org = unlimited ();
  g_auto(GrLimitRefusal) refusal = { 0 };
  GrLimitReservation *r;

  key.rpm = 1;
  org.rpm = 1;
  key.monthly_budget_micros = 100;
  org.monthly_budget_micros = 100;
  r = gr_limits_admit (f->limits, "key-a", &key, "org-a", &org, 0, 100, &refusal);
  g_assert_nonnull (r);
  gr_limits_settle (f->limits, r, 0, 100);

  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", &org, 0, 1, &refusal));
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_MONTHLY_BUDGET);
  g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_KEY);

  key.monthly_budget_micros = GR_LIMIT_UNLIMITED;
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", &org, 0, 1, &refusal));
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_MONTHLY_BUDGET);
  g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_ORG);

  org.monthly_budget_micros = GR_LIMIT_UNLIMITED;
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", &org, 0, 1, &refusal));
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_RPM);
  g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_KEY);
}

static void
test_unlimited_and_zero (Fixture       *f,
                         gconstpointer  data)
{
  GrLimitSet none = unlimited (), zero = unlimited ();
  g_auto(GrLimitRefusal) refusal = { 0 };
  struct { GrLimitKind kind; const char *message; } zeros[] = {
    { GR_LIMIT_KIND_RPM, "The organization's rate limit is 0, which allows no requests." },
    { GR_LIMIT_KIND_REQUESTS_PER_DAY, "The organization's daily request limit is 0, which allows no requests." },
    { GR_LIMIT_KIND_TOKENS_PER_DAY, "The organization's daily token limit is 0, which allows no requests." },
    { GR_LIMIT_KIND_MONTHLY_BUDGET, "The organization's monthly budget is $0.00, which allows no requests." },
  };

  /* Unlimited: -1, any negative, or no set at all. */
  none.rpm = -7;
  for (int i = 0; i < 5000; i++)
    {
      GrLimitReservation *r = gr_limits_admit (f->limits, "key-a", &none, "org-a", NULL,
                                               G_MAXINT64 / 2, G_MAXINT64 / 2, &refusal);

      g_assert_nonnull (r);
      gr_limits_settle (f->limits, r, G_MAXINT64 / 2, G_MAXINT64 / 2);
    }
  {
    GrLimitUsage usage;

    /* Saturated, not wrapped. */
    g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_KEY, "key-a", &usage));
    g_assert_cmpint (usage.tokens_today, ==, G_MAXINT64);
    g_assert_cmpint (usage.cost_this_month_micros, ==, G_MAXINT64);
    g_assert_cmpint (usage.requests_last_minute, ==, 5000);
  }

  /* 0 allows nothing, even a request estimated at nothing. */
  for (guint i = 0; i < G_N_ELEMENTS (zeros); i++)
    {
      zero = unlimited ();
      switch (zeros[i].kind)
        {
        case GR_LIMIT_KIND_RPM: zero.rpm = 0; break;
        case GR_LIMIT_KIND_REQUESTS_PER_DAY: zero.requests_per_day = 0; break;
        case GR_LIMIT_KIND_TOKENS_PER_DAY: zero.tokens_per_day = 0; break;
        case GR_LIMIT_KIND_MONTHLY_BUDGET: zero.monthly_budget_micros = 0; break;
        default: g_assert_not_reached ();
        }
      g_assert_null (gr_limits_admit (f->limits, "key-z", NULL, "org-z", &zero, 0, 0, &refusal));
      g_assert_cmpint (refusal.kind, ==, zeros[i].kind);
      g_assert_cmpint (refusal.scope, ==, GR_LIMIT_SCOPE_ORG);
      g_assert_cmpint (refusal.retry_after, ==, 0);
      g_assert_cmpstr (refusal.message, ==, zeros[i].message);
      g_assert_cmpstr (gr_limit_kind_to_string (refusal.kind), !=, "unknown");
    }

  /* No ids at all: nothing to limit. */
  gr_limits_release (f->limits, gr_limits_admit (f->limits, NULL, &zero, NULL, &zero, 1, 1, NULL));
}

/* ---- windows ---------------------------------------------------------------- */

static void
test_daily_reset (Fixture       *f,
                  gconstpointer  data)
{
  GrLimitSet key = unlimited ();
  g_auto(GrLimitRefusal) refusal = { 0 };
  GrLimitReservation *late, *r;
  GrLimitUsage usage;

  key.tokens_per_day = 1000;
  f->clock.now = utc_ms (2026, 11, 17, 23, 59, 30);
  r = gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 600, 0, &refusal);
  gr_limits_settle (f->limits, r, 600, 0);
  late = gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 400, 0, &refusal);
  g_assert_nonnull (late);

  f->clock.now = utc_ms (2026, 11, 17, 23, 59, 59) + 999;
  g_assert_null (gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 1, 0, &refusal));
  g_assert_cmpint (refusal.retry_after, ==, 1);

  f->clock.now = utc_ms (2026, 11, 18, 0, 0, 0);
  r = gr_limits_admit (f->limits, "key-a", &key, "org-a", NULL, 1000, 0, &refusal);
  g_assert_nonnull (r);
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_KEY, "key-a", &usage));
  g_assert_cmpint (usage.tokens_today, ==, 0);
  g_assert_cmpint (usage.reserved_tokens, ==, 1000);
  g_assert_cmpint (usage.requests_today, ==, 1);
  /* The minute window is not a calendar window: it spans midnight. */
  g_assert_cmpint (usage.requests_last_minute, ==, 3);
  g_assert_cmpuint (usage.outstanding, ==, 2);

  /* Yesterday's request belongs to yesterday, whenever it ends. */
  gr_limits_settle (f->limits, late, 900, 0);
  gr_limits_settle (f->limits, r, 10, 0);
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_KEY, "key-a", &usage));
  g_assert_cmpint (usage.tokens_today, ==, 10);
  g_assert_cmpint (usage.reserved_tokens, ==, 0);
  g_assert_cmpuint (usage.outstanding, ==, 0);
}

static void
test_monthly_reset (Fixture       *f,
                    gconstpointer  data)
{
  GrLimitSet org = unlimited ();
  g_auto(GrLimitRefusal) refusal = { 0 };
  GrLimitReservation *r, *pending;
  GrLimitUsage usage;

  org.monthly_budget_micros = 1000000;
  org.requests_per_day = 3;
  org.tokens_per_day = 100;

  /* Mid-month days roll, the month does not. */
  f->clock.now = utc_ms (2026, 12, 30, 12, 0, 0);
  r = gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 50, 600000, &refusal);
  gr_limits_settle (f->limits, r, 50, 600000);
  f->clock.now = utc_ms (2026, 12, 31, 23, 59, 59);
  r = gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 50, 300000, &refusal);
  g_assert_nonnull (r);
  gr_limits_settle (f->limits, r, 50, 300000);
  pending = gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 50, 100000, &refusal);
  g_assert_nonnull (pending);
  g_assert_null (gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 0, 1, &refusal));
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_MONTHLY_BUDGET);
  g_assert_cmpstr (refusal.message, ==,
                   "The organization's monthly budget of $1.00 is used up; it resets on 2027-01-01.");

  f->clock.now = utc_ms (2027, 1, 1, 0, 0, 0);
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_ORG, "org-a", &usage));
  g_assert_cmpint (usage.cost_this_month_micros, ==, 0);
  g_assert_cmpint (usage.reserved_cost_micros, ==, 0);
  g_assert_cmpint (usage.requests_today, ==, 0);
  g_assert_cmpint (usage.tokens_today, ==, 0);
  g_assert_cmpint (usage.month_resets_at_ms, ==, utc_ms (2027, 2, 1, 0, 0, 0));
  g_assert_cmpint (usage.day_resets_at_ms, ==, utc_ms (2027, 1, 2, 0, 0, 0));

  r = gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 100, 1000000, &refusal);
  g_assert_nonnull (r);
  /* December's request settles into December, not January. */
  gr_limits_settle (f->limits, pending, 50, 100000);
  gr_limits_settle (f->limits, r, 100, 1000000);
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_ORG, "org-a", &usage));
  g_assert_cmpint (usage.cost_this_month_micros, ==, 1000000);
  g_assert_cmpint (usage.tokens_today, ==, 100);
  g_assert_null (gr_limits_admit (f->limits, "key-a", NULL, "org-a", &org, 0, 0, &refusal));
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_MONTHLY_BUDGET);
  g_assert_cmpstr (refusal.message, ==,
                   "The organization's monthly budget of $1.00 is used up; it resets on 2027-02-01.");

  /* A clock that steps back does not reopen December. */
  f->clock.now = utc_ms (2026, 12, 31, 23, 0, 0);
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_ORG, "org-a", &usage));
  g_assert_cmpint (usage.cost_this_month_micros, ==, 1000000);
}

/* ---- concurrency -------------------------------------------------------------- */

#define N_THREADS 8
#define PER_THREAD 1000

typedef struct
{
  GrLimits   *limits;
  GrLimitSet  key;
  GrLimitSet  org;
  gboolean    settle_at_once;
  guint       thread;
  GPtrArray  *held;       /* reservations kept for later */
  gint64      admitted;
  gint64      actual_cost;
  gint64      actual_tokens;
} Worker;

static gpointer
worker_run (gpointer data)
{
  Worker *w = data;
  char key_id[16];

  /* Two keys per thread's pair, one organization for all. */
  g_snprintf (key_id, sizeof key_id, "key-%u", w->thread % 4);
  for (int i = 0; i < PER_THREAD; i++)
    {
      GrLimitRefusal refusal = { 0 };
      GrLimitReservation *r = gr_limits_admit (w->limits, key_id, &w->key, "org-par", &w->org,
                                               10, 1000, &refusal);

      if (r == NULL)
        {
          g_assert_nonnull (refusal.message);
          gr_limit_refusal_clear (&refusal);
          continue;
        }
      w->admitted++;
      g_ptr_array_add (w->held, r);
      /* Keep a few requests in flight, as a busy gateway thread does. */
      if (w->settle_at_once && w->held->len == 4)
        {
          gr_limits_settle (w->limits, g_ptr_array_steal_index (w->held, 0), 10, 1000);
          w->actual_tokens += 10;
          w->actual_cost += 1000;
        }
    }
  while (w->settle_at_once && w->held->len > 0)
    {
      gr_limits_settle (w->limits, g_ptr_array_steal_index (w->held, 0), 10, 1000);
      w->actual_tokens += 10;
      w->actual_cost += 1000;
    }
  return NULL;
}

static gint64
run_workers (Fixture    *f,
             Worker     *workers,
             gboolean    settle_at_once,
             GrLimitSet  key,
             GrLimitSet  org)
{
  GThread *threads[N_THREADS];
  gint64 admitted = 0;

  for (guint t = 0; t < N_THREADS; t++)
    {
      workers[t] = (Worker) { f->limits, key, org, settle_at_once, t,
                              g_ptr_array_new (), 0, 0, 0 };
      threads[t] = g_thread_new ("admit", worker_run, &workers[t]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    {
      g_thread_join (threads[t]);
      admitted += workers[t].admitted;
    }
  return admitted;
}

static gpointer
settler_run (gpointer data)
{
  Worker *w = data;

  /* Actual usage differs from the estimate, up and down. */
  for (guint i = 0; i < w->held->len; i++)
    {
      gint64 tokens = 5 + (i % 11);
      gint64 cost = 500 + (gint64) (i % 7) * 250;

      gr_limits_settle (w->limits, g_ptr_array_index (w->held, i), tokens, cost);
      w->actual_tokens += tokens;
      w->actual_cost += cost;
    }
  g_ptr_array_set_size (w->held, 0);
  return NULL;
}

static void
test_parallel_budget (Fixture       *f,
                      gconstpointer  data)
{
  GrLimitSet key = unlimited (), org = unlimited ();
  Worker workers[N_THREADS];
  GThread *threads[N_THREADS];
  gint64 cost = 0, tokens = 0, key_cost = 0;
  GrLimitUsage usage;

  /* Exactly 1234 estimates of $0.001 fit. */
  org.monthly_budget_micros = 1234 * 1000 + 999;
  g_assert_cmpint (run_workers (f, workers, FALSE, key, org), ==, 1234);

  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_ORG, "org-par", &usage));
  g_assert_cmpint (usage.reserved_cost_micros, ==, 1234 * 1000);
  g_assert_cmpint (usage.reserved_tokens, ==, 1234 * 10);
  g_assert_cmpuint (usage.outstanding, ==, 1234);
  g_assert_cmpint (usage.requests_today, ==, 1234);
  g_assert_cmpint (usage.cost_this_month_micros, ==, 0);

  /* Settled in parallel too. */
  for (guint t = 0; t < N_THREADS; t++)
    threads[t] = g_thread_new ("settle", settler_run, &workers[t]);
  for (guint t = 0; t < N_THREADS; t++)
    {
      g_thread_join (threads[t]);
      cost += workers[t].actual_cost;
      tokens += workers[t].actual_tokens;
      g_ptr_array_unref (workers[t].held);
    }
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_ORG, "org-par", &usage));
  g_assert_cmpint (usage.cost_this_month_micros, ==, cost);
  g_assert_cmpint (usage.tokens_today, ==, tokens);
  g_assert_cmpint (usage.reserved_cost_micros, ==, 0);
  g_assert_cmpint (usage.reserved_tokens, ==, 0);
  g_assert_cmpuint (usage.outstanding, ==, 0);

  /* The keys' counters add up to the organization's. */
  for (guint k = 0; k < 4; k++)
    {
      g_autofree char *id = g_strdup_printf ("key-%u", k);

      if (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_KEY, id, &usage))
        key_cost += usage.cost_this_month_micros;
    }
  g_assert_cmpint (key_cost, ==, cost);
}

static void
test_parallel_settle_at_once (Fixture       *f,
                              gconstpointer  data)
{
  GrLimitSet key = unlimited (), org = unlimited ();
  Worker workers[N_THREADS];
  GrLimitUsage usage;

  /* Admissions and settlements racing, up to 4 in flight per thread: the
   * budget still allows exactly 777. */
  org.tokens_per_day = 7770;
  g_assert_cmpint (run_workers (f, workers, TRUE, key, org), ==, 777);
  for (guint t = 0; t < N_THREADS; t++)
    g_ptr_array_unref (workers[t].held);
  g_assert_true (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_ORG, "org-par", &usage));
  g_assert_cmpint (usage.tokens_today, ==, 7770);
  g_assert_cmpint (usage.cost_this_month_micros, ==, 777000);
  g_assert_cmpint (usage.reserved_tokens, ==, 0);
}

static void
test_parallel_rpm (Fixture       *f,
                   gconstpointer  data)
{
  GrLimitSet key = unlimited (), org = unlimited ();
  Worker workers[N_THREADS];
  gint64 admitted = 0;

  /* Per key: keys 0..3 each used by two threads; rpm 100 per key, 300 for
   * the organization: 3 keys' worth gets in. */
  key.rpm = 100;
  org.rpm = 300;
  g_assert_cmpint (run_workers (f, workers, TRUE, key, org), ==, 300);
  for (guint k = 0; k < 4; k++)
    {
      g_autofree char *id = g_strdup_printf ("key-%u", k);
      GrLimitUsage usage;

      if (gr_limits_get_usage (f->limits, GR_LIMIT_SCOPE_KEY, id, &usage))
        {
          g_assert_cmpint (usage.requests_last_minute, <=, 100);
          admitted += usage.requests_last_minute;
        }
    }
  g_assert_cmpint (admitted, ==, 300);
  for (guint t = 0; t < N_THREADS; t++)
    g_ptr_array_unref (workers[t].held);
}

/* ---- restart --------------------------------------------------------------------- */

static GrUsageEvent *
event (const char *key_id,
       const char *org_id,
       gint64      ts,
       gint64      prompt,
       gint64      completion,
       gint64      cost,
       int         status,
       const char *provider,
       const char *error_code)
{
  static int seq;
  GrUsageEvent *e = gr_usage_event_new ();

  e->request_id = g_strdup_printf ("req-%d", ++seq);
  e->ts = ts;
  e->key_id = g_strdup (key_id);
  e->org_id = g_strdup (org_id);
  e->provider = g_strdup (provider);
  e->model = g_strdup ("gpt-4o");
  e->endpoint = g_strdup ("chat");
  e->status = status;
  e->prompt_tokens = prompt;
  e->completion_tokens = completion;
  e->cost_micros = cost;
  e->error_code = g_strdup (error_code);
  return e;
}

static void
test_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gr-limits-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GrStore) store = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
  g_autoptr(GrLimits) limits = NULL;
  g_auto(GrLimitRefusal) refusal = { 0 };
  FakeClock clock = { utc_ms (2026, 11, 17, 10, 0, 0) };
  gint64 now = clock.now;
  GrLimitSet key = unlimited ();
  GrLimitUsage usage;
  GrLimitReservation *r;

  g_assert_no_error (error);
  {
    g_autofree char *file = g_build_filename (dir, "gaiarouter.db", NULL);

    path = gr_test_db_target (file);
  }
  store = gr_store_open (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  /* Today, in the last minute. */
  g_ptr_array_add (events, event ("key-a", "org-a", now - 50000, 100, 20, 1000, 200, "openai", NULL));
  g_ptr_array_add (events, event ("key-a", "org-a", now - 10000, 7, 3, 500, 200, "openai", NULL));
  /* Today, earlier; a failed upstream call still counts (admitted). */
  g_ptr_array_add (events, event ("key-a", "org-a", utc_ms (2026, 11, 17, 0, 0, 0), 1000, 0, 20000, 200, "anthropic", NULL));
  g_ptr_array_add (events, event ("key-b", "org-a", now - 3600000, 0, 0, 0, 502, "openai", "upstream_error"));
  /* An upstream's own code that spells like a gateway one: admitted. */
  g_ptr_array_add (events, event ("key-b", "org-a", now - 3600000, 40, 0, 40, 400, "openai", "invalid_value"));
  /* Earlier this month. */
  g_ptr_array_add (events, event ("key-a", "org-a", utc_ms (2026, 11, 16, 23, 59, 59) + 999, 5000, 5000, 300000, 200, "openai", NULL));
  g_ptr_array_add (events, event ("key-c", "org-b", utc_ms (2026, 11, 1, 0, 0, 0), 1, 1, 7, 200, "openai", NULL));
  /* Last month: nothing. */
  g_ptr_array_add (events, event ("key-a", "org-a", utc_ms (2026, 10, 31, 23, 59, 59) + 999, 9999, 9999, 999999, 200, "openai", NULL));
  /* Refused before admission: nothing. */
  g_ptr_array_add (events, event ("key-a", "org-a", now - 5000, 0, 0, 0, 429, NULL, "rate_limit_exceeded"));
  g_ptr_array_add (events, event ("key-a", "org-a", now - 5000, 0, 0, 0, 429, "openai", "usage_limit_exceeded"));
  g_ptr_array_add (events, event ("key-a", "org-a", now - 4000, 0, 0, 0, 404, NULL, "model_not_found"));
  g_ptr_array_add (events, event (NULL, NULL, now - 4000, 0, 0, 0, 401, NULL, "invalid_api_key"));
  /* Tomorrow (a clock that was ahead): this month's cost, not today's. */
  g_ptr_array_add (events, event ("key-a", "org-a", utc_ms (2026, 11, 18, 0, 0, 0), 1, 1, 1, 200, "openai", NULL));
  g_assert_true (gr_store_insert_usage (store, events, &error));
  g_assert_no_error (error);

  limits = gr_limits_new (fake_now, &clock);
  g_assert_true (gr_limits_load_from_usage (limits, store, &error));
  g_assert_no_error (error);

  g_assert_true (gr_limits_get_usage (limits, GR_LIMIT_SCOPE_KEY, "key-a", &usage));
  g_assert_cmpint (usage.requests_last_minute, ==, 2);
  g_assert_cmpint (usage.requests_today, ==, 3);
  g_assert_cmpint (usage.tokens_today, ==, 120 + 10 + 1000);
  g_assert_cmpint (usage.cost_this_month_micros, ==, 1000 + 500 + 20000 + 300000 + 1);
  g_assert_cmpint (usage.reserved_tokens, ==, 0);

  g_assert_true (gr_limits_get_usage (limits, GR_LIMIT_SCOPE_KEY, "key-b", &usage));
  g_assert_cmpint (usage.requests_last_minute, ==, 0);
  g_assert_cmpint (usage.requests_today, ==, 2);
  g_assert_cmpint (usage.tokens_today, ==, 40);
  g_assert_cmpint (usage.cost_this_month_micros, ==, 40);

  g_assert_true (gr_limits_get_usage (limits, GR_LIMIT_SCOPE_ORG, "org-a", &usage));
  g_assert_cmpint (usage.requests_last_minute, ==, 2);
  g_assert_cmpint (usage.requests_today, ==, 5);
  g_assert_cmpint (usage.tokens_today, ==, 1170);
  g_assert_cmpint (usage.cost_this_month_micros, ==, 321541);

  g_assert_true (gr_limits_get_usage (limits, GR_LIMIT_SCOPE_ORG, "org-b", &usage));
  g_assert_cmpint (usage.requests_today, ==, 0);
  g_assert_cmpint (usage.cost_this_month_micros, ==, 7);
  g_assert_false (gr_limits_get_usage (limits, GR_LIMIT_SCOPE_KEY, "key-nobody", &usage));

  /* The rebuilt minute window limits like the one before the restart. */
  key.rpm = 2;
  g_assert_null (gr_limits_admit (limits, "key-a", &key, "org-a", NULL, 1, 1, &refusal));
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_RPM);
  g_assert_cmpint (refusal.retry_after, ==, 10);
  clock.now += 10000;
  r = gr_limits_admit (limits, "key-a", &key, "org-a", NULL, 1, 1, &refusal);
  g_assert_nonnull (r);
  gr_limits_settle (limits, r, 1, 1);

  /* Loading again replaces the totals instead of adding to them. */
  g_assert_true (gr_limits_load_from_usage (limits, store, &error));
  g_assert_no_error (error);
  g_assert_true (gr_limits_get_usage (limits, GR_LIMIT_SCOPE_ORG, "org-a", &usage));
  g_assert_cmpint (usage.requests_today, ==, 5);
  g_assert_cmpint (usage.requests_last_minute, ==, 1);

  g_clear_object (&store);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    const char *name;

    while (d != NULL && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *file = g_build_filename (dir, name, NULL);

        g_unlink (file);
      }
  }
  g_rmdir (dir);
}

static void
test_restart_missing_db (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gr-limits-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "gaiarouter.db", NULL);
  g_autofree char *moved = g_build_filename (dir, "moved.db", NULL);
  g_autoptr(GrStore) store = NULL;
  g_autoptr(GrLimits) limits = gr_limits_new (NULL, NULL);

  if (gr_test_db_skip_unless_sqlite ("the SQLite file moved away"))
    {
      g_rmdir (dir);
      return;
    }
  store = gr_store_open (path, &error);
  g_assert_no_error (error);
  /* The store's file has gone away under it: the error is reported. */
  g_assert_cmpint (g_rename (path, moved), ==, 0);
  g_assert_false (gr_limits_load_from_usage (limits, store, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_STORE);
  g_clear_object (&store);
  g_unlink (moved);
  g_unlink (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (dir);
}

/* ---- estimation --------------------------------------------------------------------- */

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_estimate (void)
{
  struct { const char *json; gint64 default_output; gint64 expected; } cases[] = {
    /* 8 chars → 2, + 4 per message, + default output. */
    { "{\"messages\":[{\"role\":\"user\",\"content\":\"12345678\"}]}", 100, 2 + 4 + 100 },
    /* 9 chars round up to 3; code points, not bytes ("é" is one). */
    { "{\"messages\":[{\"role\":\"user\",\"content\":\"12345678\u00e9\"}]}", 0, 3 + 4 },
    /* max_tokens, and max_completion_tokens before it. */
    { "{\"messages\":[],\"max_tokens\":50}", 100, 50 },
    { "{\"messages\":[],\"max_tokens\":50,\"max_completion_tokens\":70}", 100, 70 },
    /* Parts: text counted, an image flat. */
    { "{\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"abcd\"},"
      "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}}]}]}",
      0, 1 + 4 + 765 },
    /* Tool calls and tools count by their text. */
    { "{\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c\",\"function\":"
      "{\"name\":\"f\",\"arguments\":\"{}\"}}]}],\"tools\":[{\"type\":\"x\"}]}",
      0, /* "id"+"c"+"function"+"name"+"f"+"arguments"+"{}" = 2+1+8+4+1+9+2 = 27; "type"+"x" = 5 → 32 → 8 */ 8 + 4 },
    /* n multiplies the output; absurd values are capped. */
    { "{\"messages\":[],\"max_tokens\":10,\"n\":3}", 0, 30 },
    { "{\"messages\":[],\"max_tokens\":1e300,\"n\":1000}", 0, GR_LIMITS_MAX_OUTPUT_ESTIMATE * 128 },
    { "{\"messages\":[],\"max_tokens\":-5}", 100, 0 },
    { "{\"messages\":[],\"max_tokens\":\"lots\"}", 100, 100 },
    { "{}", G_MAXINT64, GR_LIMITS_MAX_OUTPUT_ESTIMATE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      JsonObject *request = parse_object (cases[i].json);

      g_test_message ("case %u: %s", i, cases[i].json);
      g_assert_cmpint (gr_limits_estimate_tokens (request, cases[i].default_output), ==, cases[i].expected);
      json_object_unref (request);
    }
  g_assert_cmpint (gr_limits_estimate_tokens (NULL, 42), ==, 42);
}

/* Two gateways sharing one set of counters, as a database would hold
 * them: each loads the shared copy before it admits or settles and writes
 * it back after. */
typedef struct
{
  GrLimitCounters key;
  GrLimitCounters org;
} SharedCopy;

static void
load_shared (GrLimits   *limits,
             SharedCopy *copy)
{
  gr_limits_put_counters (limits, GR_LIMIT_SCOPE_KEY, "k", &copy->key);
  gr_limits_put_counters (limits, GR_LIMIT_SCOPE_ORG, "o", &copy->org);
}

static void
store_shared (GrLimits   *limits,
              SharedCopy *copy)
{
  gr_limit_counters_clear (&copy->key);
  gr_limit_counters_clear (&copy->org);
  gr_limits_get_counters (limits, GR_LIMIT_SCOPE_KEY, "k", &copy->key);
  gr_limits_get_counters (limits, GR_LIMIT_SCOPE_ORG, "o", &copy->org);
}

static GrLimitReservation *
admit_shared (GrLimits         *limits,
              SharedCopy       *copy,
              const GrLimitSet *key_limits,
              gint64            tokens,
              GrLimitRefusal   *refusal)
{
  GrLimitReservation *r;

  load_shared (limits, copy);
  r = gr_limits_admit (limits, "k", key_limits, "o", NULL, tokens, 0, refusal);
  store_shared (limits, copy);
  return r;
}

static void
test_shared_counters (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GrLimits) other = gr_limits_new (fake_now, &f->clock);
  GrLimitSet key_limits = unlimited ();
  SharedCopy copy = { { 0 }, { 0 } };
  GrLimitReservation *a1, *a2, *b1;
  g_auto(GrLimitRefusal) refusal = { 0 };
  GrLimitUsage usage;

  key_limits.rpm = 3;
  key_limits.tokens_per_day = 1000;
  a1 = admit_shared (f->limits, &copy, &key_limits, 300, NULL);
  f->clock.now += 1000;
  a2 = admit_shared (f->limits, &copy, &key_limits, 300, NULL);
  f->clock.now += 1000;
  b1 = admit_shared (other, &copy, &key_limits, 300, NULL);
  g_assert_nonnull (a1);
  g_assert_nonnull (a2);
  g_assert_nonnull (b1);
  g_assert_cmpuint (copy.key.recent_ms->len, ==, 3);
  g_assert_cmpint (copy.key.reserved_tokens, ==, 900);

  /* The fourth request is over the rpm held by both together, whichever
   * gateway it reaches. */
  g_assert_null (admit_shared (other, &copy, &key_limits, 1, &refusal));
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_RPM);
  g_assert_cmpint (refusal.retry_after, ==, 58);

  /* A settles its first request; B sees the settled tokens. */
  load_shared (f->limits, &copy);
  gr_limits_settle (f->limits, a1, 50, 0);
  store_shared (f->limits, &copy);
  g_assert_cmpint (copy.key.tokens_day, ==, 50);
  g_assert_cmpint (copy.key.reserved_tokens, ==, 600);
  load_shared (other, &copy);
  g_assert_true (gr_limits_get_usage (other, GR_LIMIT_SCOPE_KEY, "k", &usage));
  g_assert_cmpint (usage.tokens_today, ==, 50);
  g_assert_cmpint (usage.reserved_tokens, ==, 600);
  g_assert_cmpint (usage.requests_today, ==, 3);
  g_assert_cmpint (usage.outstanding, ==, 1);  /* only b1 was admitted here */

  /* 600 reserved + 50 used + 400 > 1000 tokens a day. */
  f->clock.now += 60 * 1000;
  gr_limit_refusal_clear (&refusal);
  g_assert_null (admit_shared (other, &copy, &key_limits, 400, &refusal));
  g_assert_cmpint (refusal.kind, ==, GR_LIMIT_KIND_TOKENS_PER_DAY);
  g_assert_cmpint (refusal.used, ==, 50);
  g_assert_cmpint (refusal.reserved, ==, 600);

  load_shared (f->limits, &copy);
  gr_limits_settle (f->limits, a2, 0, 0);
  store_shared (f->limits, &copy);
  load_shared (other, &copy);
  gr_limits_settle (other, b1, 100, 0);
  store_shared (other, &copy);
  g_assert_cmpint (copy.key.tokens_day, ==, 150);
  g_assert_cmpint (copy.key.reserved_tokens, ==, 0);
  g_assert_cmpuint (copy.key.recent_ms->len, ==, 0);  /* a minute has passed */

  /* The next day, yesterday's shared totals count for nothing. */
  f->clock.now = utc_ms (2026, 11, 18, 0, 0, 1);
  load_shared (other, &copy);
  g_assert_true (gr_limits_get_usage (other, GR_LIMIT_SCOPE_KEY, "k", &usage));
  g_assert_cmpint (usage.tokens_today, ==, 0);
  g_assert_cmpint (usage.requests_today, ==, 0);

  gr_limit_counters_clear (&copy.key);
  gr_limit_counters_clear (&copy.org);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

#define ADD(path, func) \
  g_test_add ("/gaiarouter/limits/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  g_test_add_func ("/gaiarouter/limits/calendar", test_calendar);
  ADD ("rpm-key", test_rpm_key);
  ADD ("rpm-org", test_rpm_org);
  ADD ("requests-per-day", test_requests_per_day);
  ADD ("tokens-per-day", test_tokens_per_day);
  ADD ("monthly-budget", test_monthly_budget);
  ADD ("order", test_order);
  ADD ("unlimited-and-zero", test_unlimited_and_zero);
  ADD ("daily-reset", test_daily_reset);
  ADD ("monthly-reset", test_monthly_reset);
  ADD ("parallel-budget", test_parallel_budget);
  ADD ("parallel-settle-at-once", test_parallel_settle_at_once);
  ADD ("parallel-rpm", test_parallel_rpm);
  ADD ("shared-counters", test_shared_counters);
  g_test_add_func ("/gaiarouter/limits/restart", test_restart);
  g_test_add_func ("/gaiarouter/limits/restart-missing-db", test_restart_missing_db);
  g_test_add_func ("/gaiarouter/limits/estimate", test_estimate);

#undef ADD

  return g_test_run ();
}
