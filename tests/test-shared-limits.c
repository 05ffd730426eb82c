/* test-shared-limits.c — limits held by two gateways through one database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two GrSharedLimits, each with its own connection and calculator, stand
 * for two gateways.  They run against a real SQLite file, and against a
 * real PostgreSQL database when GR_TEST_PG_URL is set (scripts/test).
 */
#include "config.h"

#include <glib/gstdio.h>

#include "limits/gr-shared-limits.h"
#include "store/gr-store.h"
#include "gr-test-db.h"

typedef struct
{
  char           *dir;
  char           *target;
  GrStore        *store;
  GrLimits       *calc[2];
  GrSharedLimits *gateway[2];
  GMainContext   *context;
} Fixture;

typedef struct
{
  guint                 answered;
  guint                 admitted;
  guint                 refused;
  guint                 failed;
  GrLimitKind           refused_kind;
  GPtrArray            *reservations;
} Answers;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  gboolean postgresql = GPOINTER_TO_INT (data);
  g_autoptr(GError) error = NULL;

  if (postgresql)
    {
      /* Dropped when the program exits. */
      f->target = gr_test_db_new_pg ();
      if (f->target == NULL)
        return;
    }
  else
    {
      f->dir = g_dir_make_tmp ("gr-shared-limits-XXXXXX", &error);
      g_assert_no_error (error);
      f->target = g_build_filename (f->dir, "gaiarouter.db", NULL);
    }
  /* The store makes the tables. */
  f->store = gr_store_open (f->target, &error);
  g_assert_no_error (error);
  f->context = g_main_context_new ();
  for (guint i = 0; i < 2; i++)
    {
      f->calc[i] = gr_limits_new (NULL, NULL);
      f->gateway[i] = gr_shared_limits_new (f->target, f->calc[i], &error);
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  for (guint i = 0; i < 2; i++)
    {
      g_clear_pointer (&f->gateway[i], gr_shared_limits_free);
      g_clear_pointer (&f->calc[i], gr_limits_unref);
    }
  g_clear_object (&f->store);
  g_clear_pointer (&f->context, g_main_context_unref);
  if (f->dir != NULL)
    {
      g_autofree char *wal = g_strconcat (f->target, "-wal", NULL);
      g_autofree char *shm = g_strconcat (f->target, "-shm", NULL);

      g_unlink (wal);
      g_unlink (shm);
      g_unlink (f->target);
      g_rmdir (f->dir);
    }
  g_free (f->target);
  g_free (f->dir);
}

/* gr_test_db_new_pg() skipped the case already. */
static gboolean
skip_without_db (Fixture *f)
{
  return f->target == NULL;
}

static void
answer_cb (GrSharedReservation  *reservation,
           const GrLimitRefusal *refusal,
           const GError         *error,
           gpointer              user_data)
{
  Answers *a = user_data;

  a->answered++;
  if (reservation != NULL)
    {
      a->admitted++;
      g_ptr_array_add (a->reservations, reservation);
    }
  else if (refusal != NULL)
    {
      a->refused++;
      a->refused_kind = refusal->kind;
      g_assert_nonnull (refusal->message);
    }
  else
    {
      g_assert_nonnull (error);
      g_test_message ("admission failed: %s", error->message);
      a->failed++;
    }
}

static void
wait_answers (Fixture *f,
              Answers *a,
              guint    n)
{
  while (a->answered < n)
    g_main_context_iteration (f->context, TRUE);
}

/* Twenty requests at once, ten through each gateway, against an rpm of
 * seven: exactly seven pass, whichever gateway they reach. */
static void
test_rpm_across_gateways (Fixture       *f,
                          gconstpointer  data)
{
  GrLimitSet key_limits, org_limits;
  Answers a = { 0 };

  if (skip_without_db (f))
    return;
  gr_limit_set_init_unlimited (&key_limits);
  gr_limit_set_init_unlimited (&org_limits);
  key_limits.rpm = 7;
  a.reservations = g_ptr_array_new ();
  for (guint i = 0; i < 20; i++)
    gr_shared_limits_admit_async (f->gateway[i % 2], "key_1", &key_limits, "org_1", &org_limits,
                                  10, 0, f->context, answer_cb, &a);
  wait_answers (f, &a, 20);
  g_assert_cmpuint (a.failed, ==, 0);
  g_assert_cmpuint (a.admitted, ==, 7);
  g_assert_cmpuint (a.refused, ==, 13);
  g_assert_cmpint (a.refused_kind, ==, GR_LIMIT_KIND_RPM);
  for (guint i = 0; i < a.reservations->len; i++)
    gr_shared_limits_settle (f->gateway[i % 2], g_ptr_array_index (a.reservations, i), 1, 0);
  g_ptr_array_unref (a.reservations);
}

/* Reservations of one gateway count on the other, and settlement there
 * replaces them with what was used. */
static void
test_budget_reservations (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GrLimitSet key_limits, org_limits;
  GrLimitUsage usage;
  Answers a = { 0 };

  if (skip_without_db (f))
    return;
  gr_limit_set_init_unlimited (&key_limits);
  gr_limit_set_init_unlimited (&org_limits);
  org_limits.monthly_budget_micros = 1000;
  a.reservations = g_ptr_array_new ();

  /* 600 reserved through gateway 0; 600 more do not fit on gateway 1. */
  gr_shared_limits_admit_async (f->gateway[0], "key_2", &key_limits, "org_2", &org_limits,
                                0, 600, f->context, answer_cb, &a);
  wait_answers (f, &a, 1);
  g_assert_cmpuint (a.admitted, ==, 1);
  gr_shared_limits_admit_async (f->gateway[1], "key_3", &key_limits, "org_2", &org_limits,
                                0, 600, f->context, answer_cb, &a);
  wait_answers (f, &a, 2);
  g_assert_cmpuint (a.refused, ==, 1);
  g_assert_cmpint (a.refused_kind, ==, GR_LIMIT_KIND_MONTHLY_BUDGET);

  /* It cost 100: now 600 fit through gateway 1. */
  gr_shared_limits_settle (f->gateway[0], g_ptr_array_index (a.reservations, 0), 0, 100);
  g_assert_true (gr_shared_limits_refresh (f->gateway[0], NULL, "org_2", &error));
  g_assert_no_error (error);
  g_assert_true (gr_limits_get_usage (f->calc[0], GR_LIMIT_SCOPE_ORG, "org_2", &usage));
  g_assert_cmpint (usage.cost_this_month_micros, ==, 100);
  g_assert_cmpint (usage.reserved_cost_micros, ==, 0);

  gr_shared_limits_admit_async (f->gateway[1], "key_3", &key_limits, "org_2", &org_limits,
                                0, 600, f->context, answer_cb, &a);
  wait_answers (f, &a, 3);
  g_assert_cmpuint (a.admitted, ==, 2);
  g_assert_true (gr_shared_limits_refresh (f->gateway[0], "key_3", "org_2", &error));
  g_assert_true (gr_limits_get_usage (f->calc[0], GR_LIMIT_SCOPE_ORG, "org_2", &usage));
  g_assert_cmpint (usage.reserved_cost_micros, ==, 600);
  g_assert_cmpint (usage.requests_today, ==, 2);
  gr_shared_limits_settle (f->gateway[1], g_ptr_array_index (a.reservations, 1), 0, 0);
  g_ptr_array_unref (a.reservations);
}

static void
test_applies (void)
{
  GrLimitSet none, some;

  gr_limit_set_init_unlimited (&none);
  gr_limit_set_init_unlimited (&some);
  some.tokens_per_day = 0;
  g_assert_false (gr_shared_limits_applies (&none, &none));
  g_assert_false (gr_shared_limits_applies (NULL, NULL));
  g_assert_true (gr_shared_limits_applies (&none, &some));
  g_assert_true (gr_shared_limits_applies (&some, NULL));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/shared-limits/applies", test_applies);
  g_test_add ("/gaiarouter/shared-limits/sqlite/rpm", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_rpm_across_gateways, fixture_teardown);
  g_test_add ("/gaiarouter/shared-limits/sqlite/budget", Fixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_budget_reservations, fixture_teardown);
  g_test_add ("/gaiarouter/shared-limits/postgresql/rpm", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_rpm_across_gateways, fixture_teardown);
  g_test_add ("/gaiarouter/shared-limits/postgresql/budget", Fixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_budget_reservations, fixture_teardown);
  return g_test_run ();
}
