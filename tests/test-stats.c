/* test-stats.c — rollups, statistics queries, request logs and pruning over a real store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every event goes in through gr_store_insert_usage, so the rollups under
 * test are the ones the usage writer produces.  main() sets an exotic
 * local time zone: nothing here may depend on it.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core/gr-error.h"
#include "store/gr-store-stats.h"
#include "gr-test-db.h"

#define HOUR_MS (G_GINT64_CONSTANT (3600000))

typedef struct
{
  char    *dir;
  char    *path;
  GrStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("gr-stats-XXXXXX", &error);
  g_assert_no_error (error);
  {
    g_autofree char *file = g_build_filename (f->dir, "gaiarouter.db", NULL);

    f->path = gr_test_db_target (file);
  }
  f->store = gr_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  g_clear_object (&f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* Unix ms of an RFC 3339 time (always with its zone). */
static gint64
t (const char *iso)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
}

static GrUsageEvent *
ev (const char *ts,
    const char *key_id,
    const char *org_id,
    const char *provider,
    const char *model,
    int         status,
    gint64      prompt,
    gint64      completion,
    gint64      cost_micros,
    gint64      latency_ms)
{
  static int serial;
  GrUsageEvent *e = gr_usage_event_new ();

  e->request_id = g_strdup_printf ("req-%04d", ++serial);
  e->ts = t (ts);
  e->key_id = g_strdup (key_id);
  e->org_id = g_strdup (org_id);
  e->provider = g_strdup (provider);
  e->model = g_strdup (model);
  e->endpoint = g_strdup ("chat");
  e->status = status;
  e->prompt_tokens = prompt;
  e->completion_tokens = completion;
  e->cached_tokens = prompt / 10;
  e->cost_micros = cost_micros;
  e->latency_ms = latency_ms;
  return e;
}

static GPtrArray *
batch_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
}

static void
insert (Fixture   *f,
        GPtrArray *events)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (gr_store_insert_usage (f->store, events, &error));
  g_assert_no_error (error);
}

static GrStatsResult *
query (Fixture            *f,
       const GrStatsQuery *q)
{
  g_autoptr(GError) error = NULL;
  GrStatsResult *result = gr_store_stats_query (f->store, q, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static GTimeZone *
zone (const char *name)
{
  g_autoptr(GError) error = NULL;
  GTimeZone *tz = gr_stats_time_zone_new (name, &error);

  g_assert_no_error (error);
  g_assert_nonnull (tz);
  return tz;
}

static const GrStatsBucket *
bucket (GArray *series,
        guint   i)
{
  g_assert_cmpuint (i, <, series->len);
  return &g_array_index (series, GrStatsBucket, i);
}

static void
assert_bucket_start (GArray     *series,
                     guint       i,
                     GTimeZone  *tz,
                     const char *expected)
{
  g_autofree char *text = gr_stats_format_time (bucket (series, i)->start_ms, tz);

  g_assert_cmpstr (text, ==, expected);
}

static const GrStatsGroup *
find_group (const GrStatsResult *result,
            const char          *name)
{
  for (guint i = 0; i < result->groups->len; i++)
    {
      const GrStatsGroup *g = g_ptr_array_index (result->groups, i);

      if (g_str_equal (g->group, name))
        return g;
    }
  return NULL;
}

static gint64
member_int (JsonObject *object,
            const char *name)
{
  g_assert_true (json_object_has_member (object, name));
  return json_object_get_int_member (object, name);
}

/* The known set: three hours of 2026-11-27 UTC with a gap at 11:00. */
static void
insert_known_set (Fixture *f)
{
  g_autoptr(GPtrArray) events = batch_new ();

  g_ptr_array_add (events, ev ("2026-11-27T10:05:00Z", "key-a", "org-1", "openai", "openai/gpt-4o", 200, 1000, 200, 12500, 800));
  g_ptr_array_add (events, ev ("2026-11-27T10:59:59.999Z", "key-a", "org-1", "openai", "openai/gpt-4o", 200, 500, 100, 6250, 1200));
  g_ptr_array_add (events, ev ("2026-11-27T10:30:00Z", "key-b", "org-1", "anthropic", "anthropic/claude-sonnet-4-5", 429, 0, 0, 0, 35));
  g_ptr_array_add (events, ev ("2026-11-27T12:00:00Z", "key-b", "org-1", "anthropic", "anthropic/claude-sonnet-4-5", 200, 3000, 700, 19500, 2500));
  g_ptr_array_add (events, ev ("2026-11-27T12:10:00Z", "key-c", "org-2", "openai", "openai/gpt-4o-mini", 502, 40, 0, 3, 15000));
  g_ptr_array_add (events, ev ("2026-11-27T12:20:00Z", NULL, NULL, NULL, NULL, 401, 0, 0, 0, 2));
  insert (f, events);
}

/* ---- histogram ------------------------------------------------------- */

static void
test_histogram (void)
{
  GrStatsTotals totals = { { 0 } };

  g_assert_cmpuint (gr_stats_latency_bucket (-5), ==, 0);
  g_assert_cmpuint (gr_stats_latency_bucket (0), ==, 0);
  g_assert_cmpuint (gr_stats_latency_bucket (1), ==, 0);
  g_assert_cmpuint (gr_stats_latency_bucket (2), ==, 1);
  g_assert_cmpuint (gr_stats_latency_bucket (9), ==, 8);
  g_assert_cmpuint (gr_stats_latency_bucket (10), ==, 8);
  g_assert_cmpuint (gr_stats_latency_bucket (11), ==, 9);
  g_assert_cmpuint (gr_stats_latency_bucket (600000), ==, 46);
  g_assert_cmpuint (gr_stats_latency_bucket (600001), ==, 47);
  g_assert_cmpuint (gr_stats_latency_bucket (G_MAXINT64), ==, 47);
  g_assert_cmpint (gr_stats_latency_bucket_upper (47), ==, G_MAXINT64);

  /* Strictly increasing, and every latency sits in (upper[i-1], upper[i]]. */
  for (guint i = 1; i < GR_STATS_LATENCY_BUCKETS - 1; i++)
    {
      gint64 lo = gr_stats_latency_bucket_upper (i - 1);
      gint64 hi = gr_stats_latency_bucket_upper (i);

      g_assert_cmpint (lo, <, hi);
      g_assert_cmpuint (gr_stats_latency_bucket (lo + 1), ==, i);
      g_assert_cmpuint (gr_stats_latency_bucket (hi), ==, i);
      /* The documented resolution: at most ×1.34 over any latency. */
      g_assert_cmpfloat ((double) hi / (double) (lo + 1), <=, 1.34);
    }

  g_assert_cmpint (gr_stats_totals_p95_latency_ms (&totals), ==, 0);
  g_assert_cmpint (gr_stats_totals_avg_latency_ms (&totals), ==, 0);
  /* 19 fast and 1 slow: the 19th of 20 is fast; 18 and 2 slow: it is slow. */
  totals.latency_hist[3] = 19;
  totals.latency_hist[30] = 1;
  g_assert_cmpint (gr_stats_totals_p95_latency_ms (&totals), ==, 4);
  totals.latency_hist[3] = 18;
  totals.latency_hist[30] = 2;
  g_assert_cmpint (gr_stats_totals_p95_latency_ms (&totals), ==, 5866);
  totals.latency_hist[47] = 100;
  g_assert_cmpint (gr_stats_totals_p95_latency_ms (&totals), ==, 600000);
}

/* ---- totals and buckets ----------------------------------------------- */

static void
test_totals (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GrStatsResult) result = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GTimeZone) utc = zone (NULL);
  GrStatsQuery q = {
    .start_ms = t ("2026-11-27T10:00:00Z"),
    .end_ms = t ("2026-11-27T14:00:00Z"),
  };
  JsonObject *root, *totals, *b0, *b1;
  JsonArray *series;
  const GrStatsBucket *b;

  insert_known_set (f);
  result = query (f, &q);

  g_assert_cmpint (result->start_ms, ==, q.start_ms);
  g_assert_cmpint (result->end_ms, ==, q.end_ms);
  g_assert_cmpint (result->totals.counts.requests, ==, 6);
  g_assert_cmpint (result->totals.counts.errors, ==, 3);
  g_assert_cmpint (result->totals.counts.prompt_tokens, ==, 4540);
  g_assert_cmpint (result->totals.counts.completion_tokens, ==, 1000);
  g_assert_cmpint (result->totals.counts.cached_tokens, ==, 100 + 50 + 300 + 4);
  g_assert_cmpint (result->totals.counts.cost_micros, ==, 38253);
  g_assert_cmpint (result->totals.counts.latency_ms_sum, ==, 19537);
  g_assert_cmpint (gr_stats_totals_avg_latency_ms (&result->totals), ==, 3256);  /* 3256.17 */
  /* The 6th of 6 latencies (nearest rank of 95 %) is 15000 ms: bucket (13970, 18656]. */
  g_assert_cmpint (gr_stats_totals_p95_latency_ms (&result->totals), ==, 18656);

  g_assert_cmpuint (result->series->len, ==, 4);
  b = bucket (result->series, 0);
  g_assert_cmpint (b->start_ms, ==, t ("2026-11-27T10:00:00Z"));
  g_assert_cmpint (b->counts.requests, ==, 3);
  g_assert_cmpint (b->counts.errors, ==, 1);
  g_assert_cmpint (b->counts.prompt_tokens, ==, 1500);
  g_assert_cmpint (b->counts.completion_tokens, ==, 300);
  g_assert_cmpint (b->counts.cost_micros, ==, 18750);
  g_assert_cmpint (b->counts.latency_ms_sum, ==, 2035);
  b = bucket (result->series, 1);
  g_assert_cmpint (b->start_ms, ==, t ("2026-11-27T11:00:00Z"));
  g_assert_cmpint (b->counts.requests, ==, 0);
  g_assert_cmpint (b->counts.cost_micros, ==, 0);
  b = bucket (result->series, 2);
  g_assert_cmpint (b->counts.requests, ==, 3);
  g_assert_cmpint (b->counts.errors, ==, 2);
  g_assert_cmpint (b->counts.prompt_tokens, ==, 3040);
  g_assert_cmpint (b->counts.completion_tokens, ==, 700);
  g_assert_cmpint (b->counts.cost_micros, ==, 19503);
  b = bucket (result->series, 3);
  g_assert_cmpint (b->start_ms, ==, t ("2026-11-27T13:00:00Z"));
  g_assert_cmpint (b->counts.requests, ==, 0);

  json = gr_stats_result_to_json (result);
  root = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (root, "start"), ==, "2026-11-27T10:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (root, "end"), ==, "2026-11-27T14:00:00Z");
  g_assert_cmpstr (json_object_get_string_member (root, "granularity"), ==, "hour");
  g_assert_cmpstr (json_object_get_string_member (root, "tz"), ==, "UTC");
  g_assert_true (json_object_get_null_member (root, "group_by"));
  g_assert_false (json_object_has_member (root, "groups"));
  totals = json_object_get_object_member (root, "totals");
  g_assert_cmpint (member_int (totals, "requests"), ==, 6);
  g_assert_cmpint (member_int (totals, "errors"), ==, 3);
  g_assert_cmpint (member_int (totals, "total_tokens"), ==, 5540);
  g_assert_cmpint (member_int (totals, "cost_micros"), ==, 38253);
  g_assert_cmpint (member_int (totals, "avg_latency_ms"), ==, 3256);
  g_assert_cmpint (member_int (totals, "p95_latency_ms"), ==, 18656);
  series = json_object_get_array_member (root, "series");
  g_assert_cmpuint (json_array_get_length (series), ==, 4);
  b0 = json_array_get_object_element (series, 0);
  b1 = json_array_get_object_element (series, 1);
  g_assert_cmpstr (json_object_get_string_member (b0, "start"), ==, "2026-11-27T10:00:00Z");
  g_assert_cmpint (member_int (b0, "requests"), ==, 3);
  g_assert_cmpint (member_int (b0, "total_tokens"), ==, 1800);
  g_assert_cmpint (member_int (b0, "avg_latency_ms"), ==, 678);  /* 2035 / 3 */
  g_assert_cmpstr (json_object_get_string_member (b1, "start"), ==, "2026-11-27T11:00:00Z");
  g_assert_cmpint (member_int (b1, "requests"), ==, 0);
  g_assert_cmpint (member_int (b1, "avg_latency_ms"), ==, 0);

  /* A range inside hours is widened to whole hours. */
  q.start_ms = t ("2026-11-27T10:30:00Z");
  q.end_ms = t ("2026-11-27T12:00:00.001Z");
  g_clear_pointer (&result, gr_stats_result_free);
  result = query (f, &q);
  g_assert_cmpint (result->start_ms, ==, t ("2026-11-27T10:00:00Z"));
  g_assert_cmpint (result->end_ms, ==, t ("2026-11-27T13:00:00Z"));
  g_assert_cmpint (result->totals.counts.requests, ==, 6);

  /* Half-open: the hour that starts at end is out. */
  q.start_ms = t ("2026-11-27T10:00:00Z");
  q.end_ms = t ("2026-11-27T12:00:00Z");
  g_clear_pointer (&result, gr_stats_result_free);
  result = query (f, &q);
  g_assert_cmpint (result->totals.counts.requests, ==, 3);
  g_assert_cmpuint (result->series->len, ==, 2);
}

static void
test_rollup_rows (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GrDbStmt *stmt = NULL;
  int rows = 0;

  /* Twice the same set in two transactions: the same rows, doubled. */
  insert_known_set (f);
  insert_known_set (f);

  gr_store_lock (f->store);
  stmt = gr_db_prepare (gr_store_get_db (f->store),
                        "SELECT hour, key_id, org_id, provider, model, requests, "
                        "0, latency_hist FROM usage_hourly ORDER BY hour, key_id;", &error);
  g_assert_no_error (error);
  while (gr_db_stmt_step (stmt, &error) == GR_DB_ROW)
    {
      gsize len = 0;
      const guint8 *blob = gr_db_stmt_column_blob (stmt, 7, &len);

      rows++;
      g_assert_cmpint (gr_db_stmt_column_int64 (stmt, 0) % HOUR_MS, ==, 0);
      g_assert_cmpuint (len, ==, GR_STATS_LATENCY_BUCKETS * 4);
      /* The histogram kept counting across the two transactions. */
      {
        guint64 sum = 0;

        for (int i = 0; i < GR_STATS_LATENCY_BUCKETS; i++)
          sum += (guint64) blob[i * 4] | (guint64) blob[i * 4 + 1] << 8 |
                 (guint64) blob[i * 4 + 2] << 16 | (guint64) blob[i * 4 + 3] << 24;
        g_assert_cmpuint (sum, ==, gr_db_stmt_column_int64 (stmt, 5));
      }
      if (rows == 1)
        {
          g_assert_cmpstr (gr_db_stmt_column_text (stmt, 1), ==, "key-a");
          g_assert_cmpint (gr_db_stmt_column_int64 (stmt, 5), ==, 4);
        }
      if (gr_db_stmt_column_int64 (stmt, 0) == t ("2026-11-27T12:00:00Z") &&
          *gr_db_stmt_column_text (stmt, 1) == '\0')
        {
          /* NULL key, org, provider and model roll up under ''. */
          g_assert_cmpstr (gr_db_stmt_column_text (stmt, 2), ==, "");
          g_assert_cmpstr (gr_db_stmt_column_text (stmt, 4), ==, "");
          g_assert_cmpint (gr_db_stmt_column_int64 (stmt, 5), ==, 2);
        }
    }
  g_assert_no_error (error);
  gr_db_stmt_finalize (stmt);
  gr_store_unlock (f->store);
  /* (10h, a) (10h, b) (12h, '') (12h, b) (12h, c) */
  g_assert_cmpint (rows, ==, 5);
}

/* ---- writers in parallel ---------------------------------------------- */

#define N_THREADS  8
#define N_BATCHES  20
#define BATCH_SIZE 37

typedef struct
{
  GrStore *store;
  int      thread;
} WriterArgs;

static void
parallel_event_values (int     n,
                       gint64 *ts,
                       int    *status,
                       gint64 *prompt,
                       gint64 *cost,
                       gint64 *latency)
{
  *ts = t ("2026-11-27T00:00:00Z") + (n % 5) * HOUR_MS + (n % 3600) * 1000;
  *status = n % 11 == 0 ? 500 : 200;
  *prompt = 10 + n % 97;
  *cost = 1000 + n * 7;
  *latency = 50 + n % 1000;
}

static gpointer
writer_thread (gpointer data)
{
  WriterArgs *args = data;

  for (int b = 0; b < N_BATCHES; b++)
    {
      g_autoptr(GPtrArray) events = batch_new ();
      g_autoptr(GError) error = NULL;

      for (int i = 0; i < BATCH_SIZE; i++)
        {
          int n = (args->thread * N_BATCHES + b) * BATCH_SIZE + i;
          GrUsageEvent *e = gr_usage_event_new ();

          e->request_id = g_strdup_printf ("par-%d", n);
          parallel_event_values (n, &e->ts, &e->status, &e->prompt_tokens,
                                 &e->cost_micros, &e->latency_ms);
          e->completion_tokens = n % 13;
          e->key_id = g_strdup_printf ("key-%d", n % 3);
          e->org_id = g_strdup ("org-1");
          e->provider = g_strdup ("openai");
          e->model = g_strdup (n % 2 ? "openai/gpt-4o" : "openai/gpt-4o-mini");
          g_ptr_array_add (events, e);
        }
      /* The store serialises writers; busy errors would be a bug here. */
      g_assert_true (gr_store_insert_usage (args->store, events, &error));
      g_assert_no_error (error);
    }
  return NULL;
}

static void
test_parallel (Fixture       *f,
               gconstpointer  data)
{
  GThread *threads[N_THREADS];
  WriterArgs args[N_THREADS];
  g_autoptr(GrStatsResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GrStatsQuery q = {
    .start_ms = t ("2026-11-26T00:00:00Z"),
    .end_ms = t ("2026-11-28T00:00:00Z"),
    .granularity = GR_STATS_HOUR,
  };
  gint64 requests = 0, errors = 0, prompt = 0, completion = 0, cost = 0, latency = 0;
  gint64 per_hour[5] = { 0 };

  for (int i = 0; i < N_THREADS; i++)
    {
      args[i].store = f->store;
      args[i].thread = i;
      threads[i] = g_thread_new ("writer", writer_thread, &args[i]);
    }
  for (int i = 0; i < N_THREADS; i++)
    g_thread_join (threads[i]);

  for (int n = 0; n < N_THREADS * N_BATCHES * BATCH_SIZE; n++)
    {
      gint64 ts, p, c, l;
      int status;

      parallel_event_values (n, &ts, &status, &p, &c, &l);
      requests++;
      errors += status >= 400;
      prompt += p;
      completion += n % 13;
      cost += c;
      latency += l;
      per_hour[n % 5]++;
    }

  result = query (f, &q);
  g_assert_cmpint (gr_store_count_usage (f->store, &error), ==, requests);
  g_assert_cmpint (result->totals.counts.requests, ==, requests);
  g_assert_cmpint (result->totals.counts.errors, ==, errors);
  g_assert_cmpint (result->totals.counts.prompt_tokens, ==, prompt);
  g_assert_cmpint (result->totals.counts.completion_tokens, ==, completion);
  g_assert_cmpint (result->totals.counts.cost_micros, ==, cost);
  g_assert_cmpint (result->totals.counts.latency_ms_sum, ==, latency);
  g_assert_cmpuint (result->series->len, ==, 48);
  for (int h = 0; h < 5; h++)
    g_assert_cmpint (bucket (result->series, 24 + h)->counts.requests, ==, per_hour[h]);
  g_assert_cmpint (bucket (result->series, 29)->counts.requests, ==, 0);
}

/* ---- granularity and time zones --------------------------------------- */

static void
test_granularity (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GPtrArray) events = batch_new ();
  g_autoptr(GrStatsResult) hours = NULL;
  g_autoptr(GrStatsResult) days = NULL;
  GrStatsQuery q = {
    .start_ms = t ("2026-11-25T00:00:00Z"),
    .end_ms = t ("2026-11-28T00:00:00Z"),
  };
  gint64 sum = 0;

  g_ptr_array_add (events, ev ("2026-11-25T00:00:00Z", "k", "o", "p", "m", 200, 1, 1, 10, 10));
  g_ptr_array_add (events, ev ("2026-11-25T23:59:59.999Z", "k", "o", "p", "m", 200, 2, 2, 20, 10));
  g_ptr_array_add (events, ev ("2026-11-27T08:00:00Z", "k", "o", "p", "m", 200, 4, 4, 40, 10));
  g_ptr_array_add (events, ev ("2026-11-28T00:00:00Z", "k", "o", "p", "m", 200, 8, 8, 80, 10));
  insert (f, events);

  q.granularity = GR_STATS_HOUR;
  hours = query (f, &q);
  q.granularity = GR_STATS_DAY;
  days = query (f, &q);

  g_assert_cmpuint (hours->series->len, ==, 72);
  g_assert_cmpuint (days->series->len, ==, 3);
  g_assert_cmpint (hours->totals.counts.cost_micros, ==, 70);
  g_assert_cmpint (days->totals.counts.cost_micros, ==, 70);
  g_assert_cmpint (bucket (days->series, 0)->counts.cost_micros, ==, 30);
  g_assert_cmpint (bucket (days->series, 1)->counts.cost_micros, ==, 0);
  g_assert_cmpint (bucket (days->series, 2)->counts.cost_micros, ==, 40);
  g_assert_cmpint (bucket (days->series, 2)->start_ms, ==, t ("2026-11-27T00:00:00Z"));
  for (guint i = 0; i < hours->series->len; i++)
    sum += bucket (hours->series, i)->counts.cost_micros;
  g_assert_cmpint (sum, ==, 70);
  g_assert_cmpint (bucket (hours->series, 23)->counts.cost_micros, ==, 20);

  /* A day range that starts mid-day widens to the whole day. */
  q.start_ms = t ("2026-11-27T15:00:00Z");
  q.end_ms = t ("2026-11-28T00:00:00.001Z");
  g_clear_pointer (&days, gr_stats_result_free);
  days = query (f, &q);
  g_assert_cmpint (days->start_ms, ==, t ("2026-11-27T00:00:00Z"));
  g_assert_cmpint (days->end_ms, ==, t ("2026-11-29T00:00:00Z"));
  g_assert_cmpint (days->totals.counts.cost_micros, ==, 120);
}

static void
test_bad_queries (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GrStatsQuery q = { .start_ms = t ("2026-11-27T00:00:00Z"), .end_ms = t ("2026-11-27T00:00:00Z") };
  GrStatsGranularity granularity;
  GrStatsGroupBy group_by;
  GrLogSort sort;

  g_assert_null (gr_store_stats_query (f->store, &q, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
  g_clear_error (&error);

  /* Two years of hours is too many buckets; of days it is fine. */
  q.end_ms = q.start_ms + 2 * 366 * 24 * HOUR_MS;
  g_assert_null (gr_store_stats_query (f->store, &q, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
  g_clear_error (&error);
  q.granularity = GR_STATS_DAY;
  gr_stats_result_free (query (f, &q));

  g_assert_true (gr_stats_granularity_from_string ("day", &granularity, NULL));
  g_assert_cmpint (granularity, ==, GR_STATS_DAY);
  g_assert_true (gr_stats_granularity_from_string (NULL, &granularity, NULL));
  g_assert_cmpint (granularity, ==, GR_STATS_HOUR);
  g_assert_false (gr_stats_granularity_from_string ("week", &granularity, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (gr_stats_group_by_from_string ("provider", &group_by, NULL));
  g_assert_cmpint (group_by, ==, GR_STATS_GROUP_PROVIDER);
  g_assert_false (gr_stats_group_by_from_string ("status; --", &group_by, &error));
  g_clear_error (&error);
  g_assert_true (gr_log_sort_from_string ("cost_desc", &sort, NULL));
  g_assert_cmpint (sort, ==, GR_LOG_SORT_COST_DESC);
  g_assert_false (gr_log_sort_from_string ("ts desc; DROP TABLE x", &sort, &error));
  g_clear_error (&error);
}

static void
test_zone_names (void)
{
  const char *good[][2] = {
    { NULL, "UTC" }, { "", "UTC" }, { "UTC", "UTC" }, { "Z", "UTC" },
    { "Europe/Paris", "Europe/Paris" }, { "America/Argentina/Buenos_Aires", "America/Argentina/Buenos_Aires" },
    { "+08:00", "+08:00" }, { "+0800", "+08:00" }, { "+08", "+08:00" }, { "-05:30", "-05:30" },
  };
  const char *bad[] = {
    "/etc/passwd", "../../etc/passwd", "Europe/../../etc/passwd", "Europe//Paris", "Europe/Paris/",
    "Foo/Bar", "+15:00", "+08:60", "+8", "+08:00:00", "Europe/Paris\n", "-",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GTimeZone) tz = zone (good[i][0]);

      g_assert_cmpstr (g_time_zone_get_identifier (tz), ==, good[i][1]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GTimeZone) tz = gr_stats_time_zone_new (bad[i], &error);

      g_assert_null (tz);
      g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
    }
}

static void
test_zone_shanghai (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) events = batch_new ();
  g_autoptr(GTimeZone) shanghai = zone ("Asia/Shanghai");
  g_autoptr(GTimeZone) plus8 = zone ("+08:00");
  g_autoptr(GrStatsResult) local = NULL;
  g_autoptr(GrStatsResult) offset = NULL;
  g_autoptr(GrStatsResult) utc = NULL;
  g_autoptr(GrStatsResult) hours = NULL;
  g_autoptr(JsonNode) json = NULL;
  GrStatsQuery q = {
    .start_ms = t ("2026-11-27T00:00:00+08:00"),
    .end_ms = t ("2026-11-29T00:00:00+08:00"),
    .granularity = GR_STATS_DAY,
    .tz = shanghai,
  };
  JsonObject *root;
  JsonObject *b1;

  g_ptr_array_add (events, ev ("2026-11-27T17:30:00Z", "k", "o", "p", "m", 200, 1, 1, 777, 10));
  insert (f, events);

  local = query (f, &q);
  g_assert_cmpuint (local->series->len, ==, 2);
  assert_bucket_start (local->series, 0, shanghai, "2026-11-27T00:00:00+08:00");
  assert_bucket_start (local->series, 1, shanghai, "2026-11-28T00:00:00+08:00");
  g_assert_cmpint (bucket (local->series, 0)->counts.cost_micros, ==, 0);
  g_assert_cmpint (bucket (local->series, 1)->counts.cost_micros, ==, 777);

  q.tz = plus8;
  offset = query (f, &q);
  g_assert_cmpint (bucket (offset->series, 1)->counts.cost_micros, ==, 777);
  json = gr_stats_result_to_json (offset);
  root = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (root, "tz"), ==, "+08:00");
  g_assert_cmpstr (json_object_get_string_member (root, "start"), ==, "2026-11-27T00:00:00+08:00");
  g_assert_cmpstr (json_object_get_string_member (root, "end"), ==, "2026-11-29T00:00:00+08:00");
  b1 = json_array_get_object_element (json_object_get_array_member (root, "series"), 1);
  g_assert_cmpstr (json_object_get_string_member (b1, "start"), ==, "2026-11-28T00:00:00+08:00");
  g_assert_cmpint (member_int (b1, "cost_micros"), ==, 777);

  /* The same event is on the 27th in UTC. */
  q.tz = NULL;
  q.start_ms = t ("2026-11-27T00:00:00Z");
  q.end_ms = t ("2026-11-29T00:00:00Z");
  utc = query (f, &q);
  g_assert_cmpint (bucket (utc->series, 0)->counts.cost_micros, ==, 777);
  g_assert_cmpint (bucket (utc->series, 1)->counts.cost_micros, ==, 0);

  /* Hours are labelled in local time. */
  q.tz = shanghai;
  q.granularity = GR_STATS_HOUR;
  q.start_ms = t ("2026-11-28T00:00:00+08:00");
  q.end_ms = t ("2026-11-28T03:00:00+08:00");
  hours = query (f, &q);
  g_assert_cmpuint (hours->series->len, ==, 3);
  assert_bucket_start (hours->series, 1, shanghai, "2026-11-28T01:00:00+08:00");
  g_assert_cmpint (bucket (hours->series, 1)->counts.cost_micros, ==, 777);
}

static void
test_zone_dst (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) events = batch_new ();
  g_autoptr(GTimeZone) ny = zone ("America/New_York");
  g_autoptr(GrStatsResult) days = NULL;
  g_autoptr(GrStatsResult) hours = NULL;
  g_autoptr(GrStatsResult) spring = NULL;
  GrStatsQuery q = {
    .start_ms = t ("2026-10-31T12:00:00-04:00"),
    .end_ms = t ("2026-11-03T00:00:00-05:00"),
    .granularity = GR_STATS_DAY,
    .tz = ny,
  };

  /* 2026-11-01 in New York runs from 04:00Z to 05:00Z the next day (25 h). */
  g_ptr_array_add (events, ev ("2026-11-01T03:59:00Z", "k", "o", "p", "m", 200, 0, 0, 1, 10));    /* Oct 31, 23:59 EDT */
  g_ptr_array_add (events, ev ("2026-11-01T04:30:00Z", "k", "o", "p", "m", 200, 0, 0, 10, 10));   /* Nov 1, 00:30 EDT */
  g_ptr_array_add (events, ev ("2026-11-01T05:30:00Z", "k", "o", "p", "m", 200, 0, 0, 100, 10));  /* 01:30 EDT */
  g_ptr_array_add (events, ev ("2026-11-01T06:30:00Z", "k", "o", "p", "m", 200, 0, 0, 1000, 10)); /* 01:30 EST */
  g_ptr_array_add (events, ev ("2026-11-02T04:30:00Z", "k", "o", "p", "m", 200, 0, 0, 10000, 10)); /* Nov 1, 23:30 EST */
  g_ptr_array_add (events, ev ("2026-11-02T05:30:00Z", "k", "o", "p", "m", 200, 0, 0, 100000, 10)); /* Nov 2, 00:30 EST */
  insert (f, events);

  days = query (f, &q);
  g_assert_cmpuint (days->series->len, ==, 3);
  assert_bucket_start (days->series, 0, ny, "2026-10-31T00:00:00-04:00");
  assert_bucket_start (days->series, 1, ny, "2026-11-01T00:00:00-04:00");
  assert_bucket_start (days->series, 2, ny, "2026-11-02T00:00:00-05:00");
  g_assert_cmpint (bucket (days->series, 2)->start_ms - bucket (days->series, 1)->start_ms, ==, 25 * HOUR_MS);
  g_assert_cmpint (bucket (days->series, 0)->counts.cost_micros, ==, 1);
  g_assert_cmpint (bucket (days->series, 1)->counts.cost_micros, ==, 11110);
  g_assert_cmpint (bucket (days->series, 2)->counts.cost_micros, ==, 100000);
  g_assert_cmpint (days->end_ms, ==, t ("2026-11-03T00:00:00-05:00"));

  /* The local day in hours: 25 buckets, 01:00 twice with two offsets. */
  q.granularity = GR_STATS_HOUR;
  q.start_ms = t ("2026-11-01T00:00:00-04:00");
  q.end_ms = t ("2026-11-02T00:00:00-05:00");
  hours = query (f, &q);
  g_assert_cmpuint (hours->series->len, ==, 25);
  assert_bucket_start (hours->series, 1, ny, "2026-11-01T01:00:00-04:00");
  assert_bucket_start (hours->series, 2, ny, "2026-11-01T01:00:00-05:00");
  assert_bucket_start (hours->series, 24, ny, "2026-11-01T23:00:00-05:00");
  g_assert_cmpint (bucket (hours->series, 1)->counts.cost_micros, ==, 100);
  g_assert_cmpint (bucket (hours->series, 2)->counts.cost_micros, ==, 1000);
  g_assert_cmpint (hours->totals.counts.cost_micros, ==, 11110);

  /* And the spring day has 23. */
  q.start_ms = t ("2026-03-08T00:00:00-05:00");
  q.end_ms = t ("2026-03-09T00:00:00-04:00");
  spring = query (f, &q);
  g_assert_cmpuint (spring->series->len, ==, 23);
  assert_bucket_start (spring->series, 2, ny, "2026-03-08T03:00:00-04:00");
}

static void
test_zone_half_hour (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) events = batch_new ();
  g_autoptr(GTimeZone) india = zone ("Asia/Kolkata");
  g_autoptr(GrStatsResult) days = NULL;
  g_autoptr(GrStatsResult) hours = NULL;
  GrStatsQuery q = {
    .start_ms = t ("2026-11-27T00:00:00+05:30"),
    .end_ms = t ("2026-11-29T00:00:00+05:30"),
    .granularity = GR_STATS_DAY,
    .tz = india,
  };

  g_ptr_array_add (events, ev ("2026-11-27T18:15:00Z", "k", "o", "p", "m", 200, 0, 0, 1, 10));   /* 23:45 on the 27th */
  g_ptr_array_add (events, ev ("2026-11-27T18:45:00Z", "k", "o", "p", "m", 200, 0, 0, 10, 10));  /* 00:15 on the 28th */
  g_ptr_array_add (events, ev ("2026-11-27T19:00:00Z", "k", "o", "p", "m", 200, 0, 0, 100, 10)); /* 00:30 on the 28th */
  insert (f, events);

  days = query (f, &q);
  g_assert_cmpuint (days->series->len, ==, 2);
  assert_bucket_start (days->series, 1, india, "2026-11-28T00:00:00+05:30");
  /* The documented approximation: the UTC hour 18:00–19:00 starts at
   * 23:30 local, so all of it (00:15 included) counts on the 27th. */
  g_assert_cmpint (bucket (days->series, 0)->counts.cost_micros, ==, 11);
  g_assert_cmpint (bucket (days->series, 1)->counts.cost_micros, ==, 100);

  /* Hours stay exact, labelled at half past. */
  q.granularity = GR_STATS_HOUR;
  q.start_ms = t ("2026-11-27T23:00:00+05:30");
  q.end_ms = t ("2026-11-28T01:00:00+05:30");
  hours = query (f, &q);
  g_assert_cmpuint (hours->series->len, ==, 3);
  assert_bucket_start (hours->series, 0, india, "2026-11-27T22:30:00+05:30");
  assert_bucket_start (hours->series, 1, india, "2026-11-27T23:30:00+05:30");
  g_assert_cmpint (bucket (hours->series, 1)->counts.cost_micros, ==, 11);
  g_assert_cmpint (bucket (hours->series, 2)->counts.cost_micros, ==, 100);
}

/* ---- grouping and filters --------------------------------------------- */

static void
test_group_by (Fixture       *f,
               gconstpointer  data)
{
  GrStatsQuery q = {
    .start_ms = t ("2026-11-27T00:00:00Z"),
    .end_ms = t ("2026-11-28T00:00:00Z"),
    .granularity = GR_STATS_DAY,
  };
  struct { GrStatsGroupBy by; const char *json; guint n; const char *first; gint64 first_requests; } cases[] = {
    { GR_STATS_GROUP_MODEL, "model", 4, "anthropic/claude-sonnet-4-5", 2 },
    { GR_STATS_GROUP_PROVIDER, "provider", 3, "openai", 3 },
    { GR_STATS_GROUP_KEY, "key", 4, "key-b", 2 },  /* ties key-a on requests, costs more */
    { GR_STATS_GROUP_ORG, "org", 3, "org-1", 4 },
  };

  insert_known_set (f);

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GrStatsResult) result = NULL;
      g_autoptr(JsonNode) json = NULL;
      JsonObject *root;
      JsonArray *groups;
      gint64 requests = 0, cost = 0;
      const GrStatsGroup *first;

      q.group_by = cases[c].by;
      result = query (f, &q);
      g_assert_cmpuint (result->groups->len, ==, cases[c].n);
      first = g_ptr_array_index (result->groups, 0);
      g_assert_cmpstr (first->group, ==, cases[c].first);
      g_assert_cmpint (first->totals.counts.requests, ==, cases[c].first_requests);
      for (guint i = 0; i < result->groups->len; i++)
        {
          const GrStatsGroup *g = g_ptr_array_index (result->groups, i);

          if (i > 0)
            g_assert_cmpint (((GrStatsGroup *) g_ptr_array_index (result->groups, i - 1))->totals.counts.requests,
                             >=, g->totals.counts.requests);
          g_assert_cmpuint (g->series->len, ==, result->series->len);
          g_assert_cmpint (bucket (g->series, 0)->counts.requests, ==, g->totals.counts.requests);
          requests += g->totals.counts.requests;
          cost += g->totals.counts.cost_micros;
        }
      g_assert_cmpint (requests, ==, result->totals.counts.requests);
      g_assert_cmpint (cost, ==, result->totals.counts.cost_micros);

      json = gr_stats_result_to_json (result);
      root = json_node_get_object (json);
      g_assert_cmpstr (json_object_get_string_member (root, "group_by"), ==, cases[c].json);
      groups = json_object_get_array_member (root, "groups");
      g_assert_cmpuint (json_array_get_length (groups), ==, cases[c].n);
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (groups, 0), "group"),
                       ==, cases[c].first);
      /* The unattributed request is a group of its own, named null. */
      g_assert_nonnull (find_group (result, ""));
      g_assert_true (json_object_get_null_member (json_array_get_object_element (groups, cases[c].n - 1),
                                                  "group"));
    }

  /* Exact values of one group: gpt-4o. */
  {
    g_autoptr(GrStatsResult) result = NULL;
    const GrStatsGroup *g;

    q.group_by = GR_STATS_GROUP_MODEL;
    q.group_limit = 2;
    result = query (f, &q);
    g_assert_cmpuint (result->groups->len, ==, 2);
    g = find_group (result, "openai/gpt-4o");
    g_assert_nonnull (g);
    g_assert_cmpint (g->totals.counts.requests, ==, 2);
    g_assert_cmpint (g->totals.counts.errors, ==, 0);
    g_assert_cmpint (g->totals.counts.prompt_tokens, ==, 1500);
    g_assert_cmpint (g->totals.counts.cost_micros, ==, 18750);
    g_assert_cmpint (gr_stats_totals_avg_latency_ms (&g->totals), ==, 1000);
    g_assert_cmpint (gr_stats_totals_p95_latency_ms (&g->totals), ==, 1381);
    /* The totals still count every group. */
    g_assert_cmpint (result->totals.counts.requests, ==, 6);
  }
}

static void
test_filters (Fixture       *f,
              gconstpointer  data)
{
  GrStatsQuery q = {
    .start_ms = t ("2026-11-27T00:00:00Z"),
    .end_ms = t ("2026-11-28T00:00:00Z"),
  };
  struct { const char *org, *key, *provider, *model; gint64 requests, cost; } cases[] = {
    { "org-1", NULL, NULL, NULL, 4, 38250 },
    { "org-2", NULL, NULL, NULL, 1, 3 },
    { "org-3", NULL, NULL, NULL, 0, 0 },
    { NULL, "key-b", NULL, NULL, 2, 19500 },
    { "org-1", "key-a", NULL, NULL, 2, 18750 },
    { "org-2", "key-a", NULL, NULL, 0, 0 },
    { NULL, NULL, "openai", NULL, 3, 18753 },
    { NULL, NULL, NULL, "openai/gpt-4o-mini", 1, 3 },
    { "org-1", NULL, "openai", "openai/gpt-4o", 2, 18750 },
    { "' OR 1=1 --", NULL, NULL, NULL, 0, 0 },
  };

  insert_known_set (f);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GrStatsResult) result = NULL;

      q.org_id = cases[c].org;
      q.key_id = cases[c].key;
      q.provider = cases[c].provider;
      q.model = cases[c].model;
      result = query (f, &q);
      g_assert_cmpint (result->totals.counts.requests, ==, cases[c].requests);
      g_assert_cmpint (result->totals.counts.cost_micros, ==, cases[c].cost);
      /* Empty results still have every bucket. */
      g_assert_cmpuint (result->series->len, ==, 24);
    }
}

/* ---- p95 -------------------------------------------------------------- */

static int
compare_int64 (gconstpointer a,
               gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
test_p95 (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261127);
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GrStatsResult) result = NULL;
  GrStatsQuery q = {
    .start_ms = t ("2026-11-27T00:00:00Z"),
    .end_ms = t ("2026-11-28T00:00:00Z"),
    .granularity = GR_STATS_DAY,
  };
  gint64 true_p95, reported;
  guint n = 0;

  /* Ten batches over six hours and two models, so that histograms merge
   * in the upsert and again in the query. */
  for (int b = 0; b < 10; b++)
    {
      g_autoptr(GPtrArray) events = batch_new ();

      for (int i = 0; i < 100; i++)
        {
          g_autofree char *ts = g_strdup_printf ("2026-11-27T%02d:%02d:00Z", (b + i) % 6, i % 60);
          /* Mostly fast, a long tail up to a minute. */
          gint64 latency = g_rand_int_range (rand, 0, 100) < 80
                         ? g_rand_int_range (rand, 100, 2000)
                         : g_rand_int_range (rand, 2000, 60000);

          g_ptr_array_add (events, ev (ts, "k", "o", "p", i % 2 ? "m1" : "m2", 200, 1, 1, 1, latency));
          g_array_append_val (latencies, latency);
        }
      insert (f, events);
    }
  g_array_sort (latencies, compare_int64);
  n = latencies->len;
  true_p95 = g_array_index (latencies, gint64, (n * 95 + 99) / 100 - 1);

  result = query (f, &q);
  reported = gr_stats_totals_p95_latency_ms (&result->totals);
  g_test_message ("true p95 %" G_GINT64_FORMAT " ms, reported %" G_GINT64_FORMAT " ms", true_p95, reported);
  g_assert_cmpint (reported, ==, gr_stats_latency_bucket_upper (gr_stats_latency_bucket (true_p95)));
  g_assert_cmpint (reported, >=, true_p95);
  g_assert_cmpfloat ((double) reported, <=, (double) true_p95 * 1.34);
}

/* ---- dashboard summary ------------------------------------------------ */

static void
test_summary (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) events = batch_new ();
  g_autoptr(GTimeZone) paris = zone ("Europe/Paris");
  g_autoptr(GrStatsSummary) summary = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *root, *today;
  JsonArray *top;
  const char *models[] = { "m1", "m2", "m3", "m4", "m5", "m6" };

  /* Now: 2026-11-15 12:00 in Paris (+01:00). */
  g_ptr_array_add (events, ev ("2026-11-15T00:30:00+01:00", "key-a", "org-1", "p", "m1", 200, 0, 0, 1, 10));       /* today */
  g_ptr_array_add (events, ev ("2026-11-14T23:30:00Z", "key-a", "org-1", "p", "m1", 200, 0, 0, 2, 10));           /* today, in Paris */
  g_ptr_array_add (events, ev ("2026-11-14T12:00:00+01:00", "key-b", "org-1", "p", "m2", 500, 0, 0, 4, 10));       /* yesterday */
  g_ptr_array_add (events, ev ("2026-11-01T00:10:00+01:00", "key-b", "org-1", "p", "m2", 200, 0, 0, 8, 10));       /* this month */
  g_ptr_array_add (events, ev ("2026-10-31T23:50:00+01:00", "key-b", "org-1", "p", "m2", 200, 0, 0, 16, 10));      /* previous month */
  g_ptr_array_add (events, ev ("2026-10-01T00:00:00+02:00", "key-c", "org-2", "p", "m3", 200, 0, 0, 32, 10));      /* previous month, DST */
  g_ptr_array_add (events, ev ("2026-09-30T23:59:00+02:00", "key-c", "org-2", "p", "m3", 200, 0, 0, 64, 10));      /* before */
  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    for (guint j = 0; j <= i; j++)
      g_ptr_array_add (events, ev ("2026-11-10T10:00:00Z", "key-z", "org-3", "p", models[i], 200, 0, 0, 0, 10));
  insert (f, events);

  summary = gr_store_stats_summary (f->store, NULL, NULL, t ("2026-11-15T12:00:00+01:00"), paris, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->today_start_ms, ==, t ("2026-11-15T00:00:00+01:00"));
  g_assert_cmpint (summary->month_start_ms, ==, t ("2026-11-01T00:00:00+01:00"));
  g_assert_cmpint (summary->previous_month_start_ms, ==, t ("2026-10-01T00:00:00+02:00"));
  g_assert_cmpint (summary->today.counts.cost_micros, ==, 3);
  g_assert_cmpint (summary->yesterday.counts.cost_micros, ==, 4);
  g_assert_cmpint (summary->yesterday.counts.errors, ==, 1);
  g_assert_cmpint (summary->this_month.counts.cost_micros, ==, 15);
  g_assert_cmpint (summary->this_month.counts.requests, ==, 4 + 21);
  g_assert_cmpint (summary->previous_month.counts.cost_micros, ==, 48);

  /* This month: m1 3 (cost 3), m2 4 (cost 12), m3..m6 3..6 (cost 0).
   * By requests, ties by cost: m6, m5, m2, m4, m1; m3 is sixth. */
  g_assert_cmpuint (summary->top_models->len, ==, 5);
  {
    const char *expected[] = { "m6", "m5", "m2", "m4", "m1" };
    const gint64 requests[] = { 6, 5, 4, 4, 3 };

    for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
      {
        const GrStatsGroup *g = g_ptr_array_index (summary->top_models, i);

        g_assert_cmpstr (g->group, ==, expected[i]);
        g_assert_cmpint (g->totals.counts.requests, ==, requests[i]);
      }
  }
  g_assert_cmpuint (summary->top_keys->len, ==, 3);
  g_assert_cmpstr (((GrStatsGroup *) g_ptr_array_index (summary->top_keys, 0))->group, ==, "key-z");
  g_assert_cmpint (((GrStatsGroup *) g_ptr_array_index (summary->top_keys, 0))->totals.counts.requests, ==, 21);

  json = gr_stats_summary_to_json (summary);
  root = json_node_get_object (json);
  g_assert_cmpstr (json_object_get_string_member (root, "tz"), ==, "Europe/Paris");
  g_assert_cmpstr (json_object_get_string_member (root, "now"), ==, "2026-11-15T12:00:00+01:00");
  today = json_object_get_object_member (root, "today");
  g_assert_cmpstr (json_object_get_string_member (today, "start"), ==, "2026-11-15T00:00:00+01:00");
  g_assert_cmpstr (json_object_get_string_member (today, "end"), ==, "2026-11-16T00:00:00+01:00");
  g_assert_cmpint (member_int (json_object_get_object_member (today, "totals"), "cost_micros"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (root, "previous_month"), "start"),
                   ==, "2026-10-01T00:00:00+02:00");
  top = json_object_get_array_member (root, "top_models");
  g_assert_cmpuint (json_array_get_length (top), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (top, 0), "group"), ==, "m6");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "top_keys")), ==, 3);

  /* Scoped to one organization. */
  g_clear_pointer (&summary, gr_stats_summary_free);
  summary = gr_store_stats_summary (f->store, "org-1", NULL, t ("2026-11-15T12:00:00+01:00"), paris, &error);
  g_assert_no_error (error);
  g_assert_cmpint (summary->this_month.counts.requests, ==, 4);
  g_assert_cmpint (summary->previous_month.counts.cost_micros, ==, 16);
  g_assert_cmpuint (summary->top_keys->len, ==, 2);
}

/* ---- logs ------------------------------------------------------------- */

static GrLogPage *
logs (Fixture          *f,
      const GrLogQuery *q)
{
  g_autoptr(GError) error = NULL;
  GrLogPage *page = gr_store_list_logs (f->store, q, &error);

  g_assert_no_error (error);
  g_assert_nonnull (page);
  return page;
}

static const GrUsageEvent *
row (GrLogPage *page,
     guint      i)
{
  g_assert_cmpuint (i, <, page->rows->len);
  return g_ptr_array_index (page->rows, i);
}

/* 23 rows a second apart: odd ones streamed, every 5th a 429, every 7th a 500. */
static void
insert_log_rows (Fixture *f)
{
  g_autoptr(GPtrArray) events = batch_new ();

  for (int i = 0; i < 23; i++)
    {
      g_autofree char *ts = g_strdup_printf ("2026-11-27T10:00:%02d.%03dZ", i, i * 7);
      int status = i % 7 == 6 ? 500 : i % 5 == 4 ? 429 : 200;
      GrUsageEvent *e = ev (ts, i % 2 ? "key-a" : "key-b", i < 20 ? "org-1" : "org-2",
                            i % 3 ? "openai" : "anthropic", i % 3 ? "openai/gpt-4o" : "anthropic/claude-100%_x",
                            status, 10 * i, i, 1000 - i * 10 + (i == 11 ? 5000 : 0), 100 + (i * 37) % 23);

      g_free (e->request_id);
      e->request_id = g_strdup_printf ("chatcmpl-%02d", i);
      e->stream = i % 2;
      e->partial = i == 21;
      e->ttfb_ms = i % 2 ? 40 + i : -1;
      e->error_code = status >= 400 ? g_strdup (status == 429 ? "rate_limited" : "upstream_error") : NULL;
      g_ptr_array_add (events, e);
    }
  insert (f, events);
}

static void
test_logs_pagination (Fixture       *f,
                      gconstpointer  data)
{
  GrLogQuery q = { .stream = -1, .page_size = 10 };
  g_autoptr(GrLogPage) page = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *root;

  insert_log_rows (f);

  q.page = 1;
  page = logs (f, &q);
  g_assert_cmpint (page->total, ==, 23);
  g_assert_cmpuint (page->rows->len, ==, 10);
  g_assert_cmpstr (row (page, 0)->request_id, ==, "chatcmpl-22");
  g_assert_cmpstr (row (page, 9)->request_id, ==, "chatcmpl-13");
  g_clear_pointer (&page, gr_log_page_free);

  q.page = 3;
  page = logs (f, &q);
  g_assert_cmpuint (page->rows->len, ==, 3);
  g_assert_cmpstr (row (page, 2)->request_id, ==, "chatcmpl-00");
  g_clear_pointer (&page, gr_log_page_free);

  /* Past the end: no rows, the right total. */
  q.page = 4;
  page = logs (f, &q);
  g_assert_cmpuint (page->rows->len, ==, 0);
  g_assert_cmpint (page->total, ==, 23);
  json = gr_log_page_to_json (page);
  root = json_node_get_object (json);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "data")), ==, 0);
  g_assert_cmpint (member_int (root, "page"), ==, 4);
  g_assert_cmpint (member_int (root, "page_size"), ==, 10);
  g_assert_cmpint (member_int (root, "total"), ==, 23);
  g_clear_pointer (&page, gr_log_page_free);

  q.page = G_MAXUINT;
  page = logs (f, &q);
  g_assert_cmpuint (page->rows->len, ==, 0);
  g_assert_cmpint (page->total, ==, 23);
  g_clear_pointer (&page, gr_log_page_free);

  /* Page size bounds: 1 and 200 are fine, 201 is refused, 0 is the default. */
  q.page = 2;
  q.page_size = 1;
  page = logs (f, &q);
  g_assert_cmpuint (page->rows->len, ==, 1);
  g_assert_cmpstr (row (page, 0)->request_id, ==, "chatcmpl-21");
  g_clear_pointer (&page, gr_log_page_free);
  q.page = 1;
  q.page_size = GR_LOG_PAGE_SIZE_MAX;
  page = logs (f, &q);
  g_assert_cmpuint (page->rows->len, ==, 23);
  g_clear_pointer (&page, gr_log_page_free);
  q.page_size = GR_LOG_PAGE_SIZE_MAX + 1;
  g_assert_null (gr_store_list_logs (f->store, &q, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
  g_clear_error (&error);
  q.page_size = 0;
  q.page = 0;
  page = logs (f, &q);
  g_assert_cmpuint (page->page, ==, 1);
  g_assert_cmpuint (page->page_size, ==, GR_LOG_PAGE_SIZE_DEFAULT);
  g_assert_cmpuint (page->rows->len, ==, 23);
}

static gint64
count_logs (Fixture          *f,
            const GrLogQuery *q)
{
  g_autoptr(GrLogPage) page = logs (f, q);

  g_assert_cmpint (page->total, ==, page->rows->len);
  return page->total;
}

static void
test_logs_filters (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *bad_status[] = { "abc", "6xx", "0xx", "99", "2x", "2000", "4xX ", "x44" };

  insert_log_rows (f);

  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .page_size = 200 }), ==, 23);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = 1, .page_size = 200 }), ==, 11);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = 0, .page_size = 200 }), ==, 12);
  /* 429s: i = 4, 9, 14, 19 (not 500 first); 500s: i = 6, 13, 20. */
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .status = "4xx", .page_size = 200 }), ==, 4);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .status = "429", .page_size = 200 }), ==, 4);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .status = "5XX", .page_size = 200 }), ==, 3);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .status = "2xx", .page_size = 200 }), ==, 16);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .status = "404", .page_size = 200 }), ==, 0);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .org_id = "org-2", .page_size = 200 }), ==, 3);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .key_id = "key-a", .page_size = 200 }), ==, 11);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .provider = "anthropic", .page_size = 200 }), ==, 8);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .model = "openai/gpt-4o", .page_size = 200 }), ==, 15);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = 1, .key_id = "key-a", .org_id = "org-1",
                                                  .status = "2xx", .page_size = 200 }), ==, 7);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .since_ms = t ("2026-11-27T10:00:05Z"),
                                                  .until_ms = t ("2026-11-27T10:00:10.070Z"), .page_size = 200 }), ==, 5);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .since_ms = t ("2026-11-27T10:00:05.035Z"),
                                                  .until_ms = t ("2026-11-27T10:00:10.071Z"), .page_size = 200 }), ==, 6);
  /* q: a substring of the request id or the model, ignoring ASCII case;
   * LIKE's own wildcards are literal. */
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .q = "cmpl-1", .page_size = 200 }), ==, 10);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .q = "GPT-4", .page_size = 200 }), ==, 15);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .q = "100%_x", .page_size = 200 }), ==, 8);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .q = "%", .page_size = 200 }), ==, 8);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .q = "_", .page_size = 200 }), ==, 8);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .q = "cmpl-_1", .page_size = 200 }), ==, 0);

  for (guint i = 0; i < G_N_ELEMENTS (bad_status); i++)
    {
      g_assert_null (gr_store_list_logs (f->store, &(GrLogQuery) { .stream = -1, .status = bad_status[i] }, &error));
      g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
      g_clear_error (&error);
    }
}

static void
test_logs_sort (Fixture       *f,
                gconstpointer  data)
{
  GrLogQuery q = { .stream = -1, .page_size = 200 };
  g_autoptr(GrLogPage) page = NULL;
  g_autoptr(JsonNode) json = NULL;
  JsonObject *first;

  insert_log_rows (f);

  q.sort = GR_LOG_SORT_TS_ASC;
  page = logs (f, &q);
  for (guint i = 1; i < page->rows->len; i++)
    g_assert_cmpint (row (page, i - 1)->ts, <, row (page, i)->ts);
  g_assert_cmpstr (row (page, 0)->request_id, ==, "chatcmpl-00");
  g_clear_pointer (&page, gr_log_page_free);

  q.sort = GR_LOG_SORT_TS_DESC;
  page = logs (f, &q);
  for (guint i = 1; i < page->rows->len; i++)
    g_assert_cmpint (row (page, i - 1)->ts, >, row (page, i)->ts);
  g_clear_pointer (&page, gr_log_page_free);

  q.sort = GR_LOG_SORT_LATENCY_DESC;
  page = logs (f, &q);
  for (guint i = 1; i < page->rows->len; i++)
    g_assert_cmpint (row (page, i - 1)->latency_ms, >=, row (page, i)->latency_ms);
  g_assert_cmpint (row (page, 0)->latency_ms, ==, 122);
  g_clear_pointer (&page, gr_log_page_free);

  q.sort = GR_LOG_SORT_COST_DESC;
  page = logs (f, &q);
  for (guint i = 1; i < page->rows->len; i++)
    g_assert_cmpint (row (page, i - 1)->cost_micros, >=, row (page, i)->cost_micros);
  g_assert_cmpstr (row (page, 0)->request_id, ==, "chatcmpl-11");
  g_assert_cmpstr (row (page, 1)->request_id, ==, "chatcmpl-00");
  g_clear_pointer (&page, gr_log_page_free);

  /* The JSON of one row, all fields. */
  q.sort = GR_LOG_SORT_TS_DESC;
  q.page_size = 2;
  page = logs (f, &q);
  json = gr_log_page_to_json (page);
  first = json_array_get_object_element (json_object_get_array_member (json_node_get_object (json), "data"), 1);
  g_assert_cmpstr (json_object_get_string_member (first, "request_id"), ==, "chatcmpl-21");
  g_assert_cmpstr (json_object_get_string_member (first, "created_at"), ==, "2026-11-27T10:00:21.147Z");
  g_assert_cmpstr (json_object_get_string_member (first, "key_id"), ==, "key-a");
  g_assert_cmpstr (json_object_get_string_member (first, "org_id"), ==, "org-2");
  g_assert_cmpstr (json_object_get_string_member (first, "provider"), ==, "anthropic");
  g_assert_cmpstr (json_object_get_string_member (first, "model"), ==, "anthropic/claude-100%_x");
  g_assert_cmpstr (json_object_get_string_member (first, "endpoint"), ==, "chat");
  g_assert_cmpint (member_int (first, "status"), ==, 200);
  g_assert_cmpint (member_int (first, "prompt_tokens"), ==, 210);
  g_assert_cmpint (member_int (first, "completion_tokens"), ==, 21);
  g_assert_cmpint (member_int (first, "cached_tokens"), ==, 21);
  g_assert_cmpint (member_int (first, "cost_micros"), ==, 790);
  g_assert_cmpint (member_int (first, "latency_ms"), ==, 100 + (21 * 37) % 23);
  g_assert_cmpint (member_int (first, "ttfb_ms"), ==, 61);
  g_assert_true (json_object_get_boolean_member (first, "stream"));
  g_assert_true (json_object_get_boolean_member (first, "partial"));
  g_assert_true (json_object_get_null_member (first, "error_code"));
  first = json_array_get_object_element (json_object_get_array_member (json_node_get_object (json), "data"), 0);
  g_assert_true (json_object_get_null_member (first, "ttfb_ms"));
  g_assert_false (json_object_get_boolean_member (first, "stream"));
}

static void
test_logs_injection (Fixture       *f,
                     gconstpointer  data)
{
  const char *evil = "'; DROP TABLE usage_events; --";
  g_autoptr(GPtrArray) events = batch_new ();
  g_autoptr(GError) error = NULL;
  GrUsageEvent *e;

  insert_log_rows (f);
  e = ev ("2026-11-27T11:00:00Z", "key-a", "org-1", "openai", "m", 200, 1, 1, 1, 1);
  g_free (e->request_id);
  e->request_id = g_strdup_printf ("x%sx", evil);
  g_ptr_array_add (events, e);
  insert (f, events);

  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .q = evil, .page_size = 200 }), ==, 1);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .q = "' OR '1'='1", .page_size = 200 }), ==, 0);
  g_assert_cmpint (count_logs (f, &(GrLogQuery) { .stream = -1, .model = evil, .key_id = evil, .org_id = evil,
                                                  .provider = evil, .page_size = 200 }), ==, 0);
  g_assert_cmpint (gr_store_count_usage (f->store, &error), ==, 24);
  g_assert_no_error (error);
}

/* ---- retention -------------------------------------------------------- */

static char *
stats_json (Fixture    *f,
            GTimeZone  *tz)
{
  GrStatsQuery q = {
    .start_ms = t ("2026-11-01T00:00:00Z"),
    .end_ms = t ("2026-12-01T00:00:00Z"),
    .granularity = GR_STATS_DAY,
    .tz = tz,
    .group_by = GR_STATS_GROUP_MODEL,
  };
  g_autoptr(GrStatsResult) result = query (f, &q);
  g_autoptr(JsonNode) json = gr_stats_result_to_json (result);

  return json_to_string (json, FALSE);
}

static void
test_prune (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GTimeZone) tz = zone ("Asia/Shanghai");
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GrLogPage) page = NULL;
  gint64 old_rows = 12345;

  /* 12345 old rows (three chunks) and the known set, newer. */
  for (gint64 i = 0; i < old_rows; i += 1000)
    {
      g_autoptr(GPtrArray) events = batch_new ();

      for (gint64 j = i; j < MIN (i + 1000, old_rows); j++)
        {
          GrUsageEvent *e = gr_usage_event_new ();

          e->request_id = g_strdup_printf ("old-%" G_GINT64_FORMAT, j);
          e->ts = t ("2026-11-02T00:00:00Z") + j * 60000;
          e->model = g_strdup (j % 2 ? "a" : "b");
          e->status = j % 9 == 0 ? 503 : 200;
          e->prompt_tokens = j % 100;
          e->cost_micros = j;
          e->latency_ms = j % 5000;
          g_ptr_array_add (events, e);
        }
      insert (f, events);
    }
  insert_known_set (f);
  g_assert_cmpint (gr_store_count_usage (f->store, NULL), ==, old_rows + 6);

  before = stats_json (f, tz);
  g_assert_cmpint (gr_store_prune_usage (f->store, t ("2026-11-27T00:00:00Z"), &error), ==, old_rows);
  g_assert_no_error (error);
  g_assert_cmpint (gr_store_count_usage (f->store, NULL), ==, 6);
  after = stats_json (f, tz);
  g_assert_cmpstr (after, ==, before);
  g_assert_nonnull (strstr (after, "\"requests\":12351"));

  page = logs (f, &(GrLogQuery) { .stream = -1 });
  g_assert_cmpint (page->total, ==, 6);

  /* Nothing more to prune. */
  g_assert_cmpint (gr_store_prune_usage (f->store, t ("2026-11-27T00:00:00Z"), &error), ==, 0);
  g_assert_no_error (error);
}

int
main (int    argc,
      char **argv)
{
  /* A local zone at +12:45/+13:45: any use of it instead of UTC or the
   * query's zone shows up as wrong buckets. */
  g_setenv ("TZ", "Pacific/Chatham", TRUE);

  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

  g_test_add_func ("/gaiarouter/stats/histogram", test_histogram);
  g_test_add_func ("/gaiarouter/stats/zone-names", test_zone_names);
#define ADD(path, fn) g_test_add ("/gaiarouter/stats/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("totals", test_totals);
  ADD ("rollup-rows", test_rollup_rows);
  ADD ("parallel", test_parallel);
  ADD ("granularity", test_granularity);
  ADD ("bad-queries", test_bad_queries);
  ADD ("zone/shanghai", test_zone_shanghai);
  ADD ("zone/dst", test_zone_dst);
  ADD ("zone/half-hour", test_zone_half_hour);
  ADD ("group-by", test_group_by);
  ADD ("filters", test_filters);
  ADD ("p95", test_p95);
  ADD ("summary", test_summary);
  ADD ("logs/pagination", test_logs_pagination);
  ADD ("logs/filters", test_logs_filters);
  ADD ("logs/sort", test_logs_sort);
  ADD ("logs/injection", test_logs_injection);
  ADD ("prune", test_prune);
#undef ADD

  return g_test_run ();
}
