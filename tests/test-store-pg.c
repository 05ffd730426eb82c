/* test-store-pg.c — the store over each backend, and what only PostgreSQL has
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The store cases run on SQLite in the gateway suite and on a real
 * PostgreSQL server in the postgresql suite (GR_TEST_DB=pg, see
 * gr-test-db.h): organizations, keys, providers, the registry, usage and
 * its statistics, the limit snapshot, pruning.  The GrDb cases check the
 * placeholder rewriting, the hiding of passwords, and how PostgreSQL's
 * errors map onto GR_ERROR codes.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "core/gr-error.h"
#include "store/gr-db.h"
#include "store/gr-store.h"
#include "store/gr-store-limits.h"
#include "store/gr-store-providers.h"
#include "store/gr-store-registry.h"
#include "store/gr-store-stats.h"
#include "gr-test-db.h"

#define HOUR_MS (G_GINT64_CONSTANT (3600000))

typedef struct
{
  char    *dir;
  char    *target;
  GrStore *store;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("gr-store-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "gaiarouter.db", NULL);
  f->target = gr_test_db_target (path);
  if (f->target == NULL)
    return;
  f->store = gr_store_open (f->target, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  g_clear_object (&f->store);
  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->target);
}

#define SKIP_WITHOUT_STORE(f) if ((f)->store == NULL) return

static gint64
t (const char *iso)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt) * 1000;
}

/* ---- GrDb without a server ------------------------------------------- */

static void
test_placeholders (void)
{
  struct { const char *in, *out; int n; } cases[] = {
    { "SELECT ?", "SELECT $1", 1 },
    { "VALUES (?, ?, ?)", "VALUES ($1, $2, $3)", 3 },
    { "a = ?2 AND b = ?1 OR c = ?2", "a = $2 AND b = $1 OR c = $2", 2 },
    { "x = ?3, y = ?", "x = $3, y = $4", 4 },
    { "'?' || ? || 'it''s ?'", "'?' || $1 || 'it''s ?'", 1 },
    { "\"we?ird\" = ? -- a ? comment\n AND ?", "\"we?ird\" = $1 -- a ? comment\n AND $2", 2 },
    { "/* ? */ ?12", "/* ? */ $12", 12 },
    { "LIKE ?1 ESCAPE '\\'", "LIKE $1 ESCAPE '\\'", 1 },
    { "no parameters", "no parameters", 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      int n = -1;
      g_autofree char *out = gr_db_rewrite_placeholders (cases[i].in, &n);

      g_assert_cmpstr (out, ==, cases[i].out);
      g_assert_cmpint (n, ==, cases[i].n);
    }
}

static void
test_display_hides_password (void)
{
  struct { const char *in, *out; } cases[] = {
    { "postgresql://gr:s3cret@db.example:5432/gaiarouter",
      "postgresql://gr:***@db.example:5432/gaiarouter" },
    { "postgres://gr@db/gaiarouter?sslmode=require&password=s3cret&x=1",
      "postgres://gr@db/gaiarouter?sslmode=require&password=***&x=1" },
    { "postgresql:///gaiarouter?host=/run/postgresql", "postgresql:///gaiarouter?host=/run/postgresql" },
    { "/var/lib/gaiarouter/gaiarouter.db", "/var/lib/gaiarouter/gaiarouter.db" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *out = gr_db_target_display (cases[i].in);

      g_assert_cmpstr (out, ==, cases[i].out);
    }
  g_assert_true (gr_db_target_is_postgresql ("postgres://x/y"));
  g_assert_true (gr_db_target_is_postgresql ("postgresql:///y"));
  g_assert_false (gr_db_target_is_postgresql ("sqlite:/tmp/x.db"));
}

/* ---- the store on either backend ------------------------------------- */

static void
test_open_again (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStore) again = NULL;

  SKIP_WITHOUT_STORE (f);
  g_assert_cmpint (gr_store_get_schema_version (f->store), ==, 3);
  g_assert_cmpint (strlen (gr_store_get_secret (f->store)), ==, 64);
  g_assert_cmpint (gr_store_get_dialect (f->store), ==,
                   gr_test_db_is_pg () ? GR_DB_POSTGRESQL : GR_DB_SQLITE);
  /* A second open migrates nothing and finds the same secret. */
  again = gr_store_open (f->target, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gr_store_get_secret (again), ==, gr_store_get_secret (f->store));
}

static void
test_orgs_and_keys (Fixture       *f,
                    gconstpointer  data)
{
  static const char * const scopes[] = { "chat", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GrOrgRecord) acme = NULL;
  g_autoptr(GrOrgRecord) beta = NULL;
  g_autoptr(GrOrgRecord) updated = NULL;
  g_autoptr(GrKeyRecord) key = NULL;
  g_autoptr(GrKeyRecord) rotated = NULL;
  g_autoptr(GrKeyRecord) patched = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *secret2 = NULL;
  g_autofree char *admin = NULL;
  GrListQuery q = { .page = 1, .page_size = 10 };
  GrLimitSet limits;
  GrOrgPatch org_patch = { 0 };
  GrKeyPatch key_patch = { 0 };
  GrKeySpec spec = { 0 };
  gint64 total = -1;

  SKIP_WITHOUT_STORE (f);
  admin = gr_store_bootstrap (f->store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (admin);

  gr_limit_set_init_unlimited (&limits);
  limits.rpm = 60;
  acme = gr_store_create_org (f->store, "Acme_Corp", "rockets", NULL, &limits, &error);
  g_assert_no_error (error);
  g_assert_cmpint (acme->limits.rpm, ==, 60);
  g_assert_cmpint (acme->limits.tokens_per_day, ==, -1);
  beta = gr_store_create_org (f->store, "beta", NULL, "disabled", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (gr_store_create_org (f->store, "beta", NULL, NULL, NULL, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_CONFLICT);
  g_clear_error (&error);

  /* Search is case-blind and takes % and _ literally; sort by name is
   * case-blind too. */
  q.q = "acme_";
  list = gr_store_list_orgs (f->store, &q, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpint (total, ==, 1);
  g_assert_cmpstr (((GrOrgRecord *) list->pdata[0])->name, ==, "Acme_Corp");
  g_clear_pointer (&list, g_ptr_array_unref);
  q.q = "%";
  list = gr_store_list_orgs (f->store, &q, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpint (total, ==, 0);
  g_clear_pointer (&list, g_ptr_array_unref);
  q.q = NULL;
  q.sort = "name";
  list = gr_store_list_orgs (f->store, &q, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpint (total, ==, 3);
  g_assert_cmpstr (((GrOrgRecord *) list->pdata[0])->name, ==, "Acme_Corp");
  g_assert_cmpstr (((GrOrgRecord *) list->pdata[1])->name, ==, "beta");
  g_assert_cmpstr (((GrOrgRecord *) list->pdata[2])->name, ==, "Default");
  g_clear_pointer (&list, g_ptr_array_unref);
  q.status = "disabled";
  list = gr_store_list_orgs (f->store, &q, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpint (total, ==, 1);
  g_clear_pointer (&list, g_ptr_array_unref);
  q.status = NULL;

  org_patch.description = "new";
  org_patch.limits_set = GR_LIMIT_RPM | GR_LIMIT_TOKENS_PER_DAY;
  org_patch.limits.rpm = -1;
  org_patch.limits.tokens_per_day = 1000;
  updated = gr_store_update_org (f->store, acme->id, &org_patch, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (updated->description, ==, "new");
  g_assert_cmpint (updated->limits.rpm, ==, -1);
  g_assert_cmpint (updated->limits.tokens_per_day, ==, 1000);
  g_assert_null (gr_store_update_org (f->store, "org_missing", &org_patch, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Keys. */
  spec.org_id = acme->id;
  spec.name = "ci";
  spec.permissions = scopes;
  spec.expires_at = G_GINT64_CONSTANT (4102444800000);
  gr_limit_set_init_unlimited (&spec.limits);
  spec.limits.monthly_budget_micros = 5000000;
  key = gr_store_create_key (f->store, &spec, &secret, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (key->org_id, ==, acme->id);
  g_assert_cmpint (key->expires_at, ==, spec.expires_at);
  g_assert_cmpint (key->limits.monthly_budget_micros, ==, 5000000);
  g_assert_cmpint (key->org_limits.tokens_per_day, ==, 1000);
  g_assert_cmpstr (key->permissions[0], ==, "chat");
  spec.org_id = "org_missing";
  g_assert_null (gr_store_create_key (f->store, &spec, &secret2, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_NOT_FOUND);
  g_clear_error (&error);

  key_patch.set_expires_at = TRUE;
  key_patch.expires_at = 0;
  key_patch.status = "disabled";
  patched = gr_store_update_key (f->store, key->id, &key_patch, &error);
  g_assert_no_error (error);
  g_assert_cmpint (patched->expires_at, ==, 0);
  g_assert_cmpstr (patched->status, ==, "disabled");

  rotated = gr_store_rotate_key (f->store, key->id, &secret2, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rotated->hash, !=, key->hash);

  {
    g_autoptr(GHashTable) touched = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
    gint64 *ms = g_new (gint64, 1);

    *ms = 1234;
    g_hash_table_insert (touched, key->id, ms);
    g_assert_true (gr_store_touch_keys (f->store, touched, &error));
    g_assert_no_error (error);
  }

  q.org_id = acme->id;
  q.sort = "-last_used_at";
  list = gr_store_list_keys (f->store, &q, &total, &error);
  g_assert_no_error (error);
  g_assert_cmpint (total, ==, 1);
  g_assert_cmpint (((GrKeyRecord *) list->pdata[0])->last_used_at, ==, 1234);
  g_clear_pointer (&list, g_ptr_array_unref);

  loaded = gr_store_load_keys (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (loaded->len, ==, 2);

  /* An organization with keys goes only with force, and its keys too. */
  g_assert_false (gr_store_delete_org (f->store, acme->id, FALSE, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_true (gr_store_delete_org (f->store, acme->id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_null (gr_store_get_key (f->store, key->id, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (gr_store_delete_key (f->store, key->id, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_NOT_FOUND);
}

static void
test_providers_and_registry (Fixture       *f,
                             gconstpointer  data)
{
  static const char * const fields[] = { "base_url", "enabled", NULL };
  g_autoptr(GError) error = NULL;
  GrProviderConfig *p = gr_provider_config_new ("local", GR_PROVIDER_KIND_OPENAI_COMPATIBLE,
                                                "http://127.0.0.1:1/v1");
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GHashTable) models = NULL;
  g_autoptr(GHashTable) aliases = NULL;
  GrStoredProvider *s;

  if (f->store == NULL)
    {
      gr_provider_config_free (p);
      return;
    }
  p->from_store = TRUE;
  p->api_key = g_strdup ("sk-local");
  g_assert_true (gr_store_create_provider (f->store, p, &error));
  g_assert_no_error (error);
  g_assert_false (gr_store_create_provider (f->store, p, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_CONFLICT);
  g_clear_error (&error);

  g_free (p->base_url);
  p->base_url = g_strdup ("http://127.0.0.1:2/v1");
  p->enabled = FALSE;
  g_assert_true (gr_store_update_provider (f->store, p, fields, &error));
  g_assert_no_error (error);
  list = gr_store_list_providers (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 1);
  s = list->pdata[0];
  g_assert_cmpstr (s->config->base_url, ==, "http://127.0.0.1:2/v1");
  g_assert_cmpstr (s->config->api_key, ==, "sk-local");
  g_assert_false (s->config->enabled);
  g_assert_true (s->config->from_store);
  g_assert_true (gr_store_delete_provider (f->store, "local", &error));
  g_assert_no_error (error);
  g_assert_false (gr_store_delete_provider (f->store, "local", &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_NOT_FOUND);
  g_clear_error (&error);
  gr_provider_config_free (p);

  /* Registry rows: written again, a row keeps one entry with the last
   * value; NULL JSON is a deletion marker. */
  g_assert_true (gr_store_put_registry_model (f->store, "m1", "{\"id\":\"m1\"}", &error));
  g_assert_true (gr_store_put_registry_model (f->store, "m2", "{\"id\":\"m2\"}", &error));
  g_assert_true (gr_store_put_registry_model (f->store, "m1", NULL, &error));
  g_assert_true (gr_store_put_registry_alias (f->store, "fast", "{\"targets\":[\"m2\"]}", &error));
  g_assert_no_error (error);
  models = gr_store_load_registry_models (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (models), ==, 2);
  g_assert_true (g_hash_table_contains (models, "m1"));
  g_assert_null (g_hash_table_lookup (models, "m1"));
  g_assert_cmpstr (g_hash_table_lookup (models, "m2"), ==, "{\"id\":\"m2\"}");
  aliases = gr_store_load_registry_aliases (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (aliases, "fast"), ==, "{\"targets\":[\"m2\"]}");
}

static GrUsageEvent *
event (gint64      ts,
       const char *key_id,
       const char *model,
       int         status,
       gint64      cost,
       const char *error_code)
{
  GrUsageEvent *e = gr_usage_event_new ();
  static int serial;

  e->request_id = g_strdup_printf ("req_%d", ++serial);
  e->ts = ts;
  e->key_id = g_strdup (key_id);
  e->org_id = g_strdup ("org_a");
  e->provider = g_strdup ("openai");
  e->model = g_strdup (model);
  e->endpoint = g_strdup ("/v1/chat/completions");
  e->status = status;
  e->prompt_tokens = 10;
  e->completion_tokens = 5;
  e->cost_micros = cost;
  e->latency_ms = 120;
  e->ttfb_ms = status < 400 ? 40 : -1;
  e->stream = status == 200;
  e->error_code = g_strdup (error_code);
  return e;
}

static void
test_usage_stats_limits_prune (Fixture       *f,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
  g_autoptr(GrStatsResult) result = NULL;
  g_autoptr(GrLogPage) page = NULL;
  g_autoptr(GrStoreLimitSnapshot) snapshot = NULL;
  g_autoptr(GTimeZone) tz = NULL;
  g_autoptr(GPtrArray) recent = NULL;
  GrStatsQuery sq = { 0 };
  GrLogQuery lq = { .stream = -1 };
  GrStoreLimitWindows w = { 0 };
  gint64 base = t ("2026-03-09T22:30:00Z");

  SKIP_WITHOUT_STORE (f);
  g_ptr_array_add (events, event (base, "key_a", "gpt-4o", 200, 1000, NULL));
  g_ptr_array_add (events, event (base + 60000, "key_a", "gpt-4o", 500, 0, "upstream_error"));
  g_ptr_array_add (events, event (base + HOUR_MS, "key_b", "gpt-4o-mini", 200, 300, NULL));
  g_ptr_array_add (events, event (base + 2 * HOUR_MS, "key_b", "gpt-4o-mini", 429, 0,
                                  "rate_limit_exceeded"));
  g_assert_true (gr_store_insert_usage (f->store, events, &error));
  g_assert_no_error (error);
  /* The same batch again: rollups add up (histograms included). */
  g_assert_true (gr_store_insert_usage (f->store, events, &error));
  g_assert_no_error (error);
  g_assert_cmpint (gr_store_count_usage (f->store, &error), ==, 8);

  recent = gr_store_list_usage (f->store, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recent->len, ==, 3);
  g_assert_cmpint (((GrUsageEvent *) recent->pdata[0])->status, ==, 429);
  g_assert_cmpint (((GrUsageEvent *) recent->pdata[0])->ttfb_ms, ==, -1);

  /* Days in Asia/Kathmandu (+05:45): 22:30Z is already the 10th there. */
  tz = gr_stats_time_zone_new ("Asia/Kathmandu", &error);
  g_assert_no_error (error);
  sq.start_ms = t ("2026-03-09T00:00:00+05:45");
  sq.end_ms = t ("2026-03-11T00:00:00+05:45");
  sq.granularity = GR_STATS_DAY;
  sq.tz = tz;
  sq.group_by = GR_STATS_GROUP_MODEL;
  result = gr_store_stats_query (f->store, &sq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->totals.counts.requests, ==, 8);
  g_assert_cmpint (result->totals.counts.errors, ==, 4);
  g_assert_cmpint (result->totals.counts.cost_micros, ==, 2600);
  g_assert_cmpint (gr_stats_totals_p95_latency_ms (&result->totals), ==,
                   gr_stats_latency_bucket_upper (gr_stats_latency_bucket (120)));
  g_assert_cmpuint (result->series->len, ==, 2);
  g_assert_cmpint (g_array_index (result->series, GrStatsBucket, 0).counts.requests, ==, 0);
  g_assert_cmpint (g_array_index (result->series, GrStatsBucket, 1).counts.requests, ==, 8);
  g_assert_cmpuint (result->groups->len, ==, 2);
  g_clear_pointer (&result, gr_stats_result_free);

  sq.granularity = GR_STATS_HOUR;
  sq.tz = NULL;
  sq.start_ms = base - 30 * 60000;
  sq.end_ms = base + 3 * HOUR_MS;
  sq.group_by = GR_STATS_GROUP_KEY;
  sq.key_id = "key_b";
  result = gr_store_stats_query (f->store, &sq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->totals.counts.requests, ==, 4);
  g_assert_cmpuint (result->groups->len, ==, 1);
  g_assert_cmpstr (((GrStatsGroup *) result->groups->pdata[0])->group, ==, "key_b");

  lq.status = "5xx";
  lq.q = "4O";
  page = gr_store_list_logs (f->store, &lq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (page->total, ==, 2);
  g_assert_cmpstr (((GrUsageEvent *) page->rows->pdata[0])->error_code, ==, "upstream_error");
  g_clear_pointer (&page, gr_log_page_free);
  lq.status = NULL;
  lq.q = NULL;
  lq.stream = 1;
  lq.key_id = "key_a";
  lq.sort = GR_LOG_SORT_COST_DESC;
  lq.page_size = 1;
  page = gr_store_list_logs (f->store, &lq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (page->total, ==, 2);
  g_assert_cmpuint (page->rows->len, ==, 1);
  g_assert_cmpint (((GrUsageEvent *) page->rows->pdata[0])->cost_micros, ==, 1000);

  /* The limit snapshot leaves out the limiter's own refusals. */
  w.day_start_ms = t ("2026-03-09T00:00:00Z");
  w.day_end_ms = t ("2026-03-11T00:00:00Z");
  w.month_start_ms = t ("2026-03-01T00:00:00Z");
  w.month_end_ms = t ("2026-04-01T00:00:00Z");
  w.recent_after_ms = base + HOUR_MS - 1;
  w.recent_until_ms = base + 3 * HOUR_MS;
  snapshot = gr_store_load_limit_snapshot (f->store, &w, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (snapshot->keys->len, ==, 2);
  for (guint i = 0; i < snapshot->keys->len; i++)
    {
      GrStoreLimitTotals *k = snapshot->keys->pdata[i];

      g_assert_cmpint (k->requests_day, ==, 4 - 2 * g_str_equal (k->id, "key_b"));
      g_assert_cmpint (k->tokens_day, ==, k->requests_day * 15);
      g_assert_cmpint (k->cost_month_micros, ==, g_str_equal (k->id, "key_a") ? 2000 : 600);
    }
  g_assert_cmpuint (snapshot->orgs->len, ==, 1);
  g_assert_cmpint (((GrStoreLimitTotals *) snapshot->orgs->pdata[0])->requests_day, ==, 6);
  g_assert_cmpuint (snapshot->recent->len, ==, 2);

  /* Pruning takes raw events only; the rollups stay. */
  g_assert_cmpint (gr_store_prune_usage (f->store, base + HOUR_MS, &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpint (gr_store_count_usage (f->store, &error), ==, 4);
  g_clear_pointer (&result, gr_stats_result_free);
  sq.key_id = NULL;
  result = gr_store_stats_query (f->store, &sq, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result->totals.counts.requests, ==, 8);
}

/* ---- PostgreSQL only -------------------------------------------------- */

static void
test_pg_error_mapping (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GrDbStmt) stmt = NULL;
  g_autofree char *bad = NULL;
  GrDb *a, *b;

  SKIP_WITHOUT_STORE (f);
  if (!gr_test_db_is_pg ())
    {
      g_test_skip ("PostgreSQL only");
      return;
    }
  a = gr_store_open_connection (f->store, GR_DB_OPEN_DEFAULT, &error);
  g_assert_no_error (error);
  b = gr_store_open_connection (f->store, GR_DB_OPEN_DEFAULT, &error);
  g_assert_no_error (error);

  /* A duplicate key: 23505 → conflict. */
  stmt = gr_db_prepare (a, "INSERT INTO settings (key, value) VALUES (?, ?);", &error);
  gr_db_stmt_bind_text (stmt, 1, "installation_secret");
  gr_db_stmt_bind_text (stmt, 2, "x");
  g_assert_cmpint (gr_db_stmt_step (stmt, &error), ==, GR_DB_ERROR);
  g_assert_error (error, GR_ERROR, GR_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "23505"));
  g_clear_error (&error);
  g_clear_pointer (&stmt, gr_db_stmt_finalize);

  /* Bad SQL → a plain store error. */
  g_assert_false (gr_db_exec (a, "SELEKT 1;", &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_STORE);
  g_clear_error (&error);

  /* A row locked by another connection, past lock_timeout → busy. */
  g_assert_true (gr_db_begin (a, &error));
  g_assert_true (gr_db_exec (a, "UPDATE settings SET value = value WHERE key = 'installation_secret';", &error));
  g_assert_true (gr_db_exec (b, "SET lock_timeout = '200ms';", &error));
  g_assert_false (gr_db_exec (b, "UPDATE settings SET value = value WHERE key = 'installation_secret';", &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_STORE_BUSY);
  g_clear_error (&error);
  gr_db_rollback (a);

  /* Integers, NULLs and blobs round-trip; SUM of BIGINT (NUMERIC) reads
   * as an integer. */
  stmt = gr_db_prepare (b, "SELECT ?1::BIGINT, ?2::TEXT, ?3::BYTEA, SUM(x) FROM "
                           "(VALUES (9007199254740993::BIGINT), (9007199254740993::BIGINT)) v(x);", &error);
  g_assert_no_error (error);
  gr_db_stmt_bind_int64 (stmt, 1, G_MININT64);
  gr_db_stmt_bind_text (stmt, 2, NULL);
  gr_db_stmt_bind_blob (stmt, 3, "a\0b\\", 4);
  g_assert_cmpint (gr_db_stmt_step (stmt, &error), ==, GR_DB_ROW);
  g_assert_cmpint (gr_db_stmt_column_int64 (stmt, 0), ==, G_MININT64);
  g_assert_true (gr_db_stmt_column_is_null (stmt, 1));
  g_assert_null (gr_db_stmt_column_text (stmt, 1));
  {
    gsize len = 0;
    const char *blob = gr_db_stmt_column_blob (stmt, 2, &len);

    g_assert_cmpuint (len, ==, 4);
    g_assert_cmpmem (blob, len, "a\0b\\", 4);
  }
  g_assert_cmpint (gr_db_stmt_column_int64 (stmt, 3), ==, G_GINT64_CONSTANT (18014398509481986));
  g_assert_cmpint (gr_db_stmt_step (stmt, &error), ==, GR_DB_DONE);
  g_clear_pointer (&stmt, gr_db_stmt_finalize);

  gr_db_close (a);
  gr_db_close (b);

  /* A server that is not there: busy (try again later), and the
   * password of the URL is not in the message. */
  bad = g_strdup ("postgresql://gr:hunter2@127.0.0.1:1/none?connect_timeout=2");
  g_assert_null (gr_db_open (bad, GR_DB_OPEN_DEFAULT, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_STORE_BUSY);
  g_assert_null (strstr (error->message, "hunter2"));
  g_assert_nonnull (strstr (error->message, "gr:***@127.0.0.1"));
}

typedef struct
{
  const char *target;
  char       *secret;
} OpenArgs;

static gpointer
open_thread (gpointer data)
{
  OpenArgs *args = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStore) store = gr_store_open (args->target, &error);

  g_assert_no_error (error);
  args->secret = g_strdup (gr_store_get_secret (store));
  g_free (gr_store_bootstrap (store, &error));
  g_assert_no_error (error);
  return NULL;
}

/* Four gateways start at once on one empty database: the migrations and
 * the first start's bootstrap happen once. */
static void
test_pg_concurrent_start (void)
{
  g_autofree char *target = gr_test_db_new_pg ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStore) store = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  OpenArgs args[4] = { 0 };
  GThread *threads[4];

  if (target == NULL)
    return;
  for (int i = 0; i < 4; i++)
    {
      args[i].target = target;
      threads[i] = g_thread_new ("open", open_thread, &args[i]);
    }
  for (int i = 0; i < 4; i++)
    g_thread_join (threads[i]);
  for (int i = 1; i < 4; i++)
    g_assert_cmpstr (args[i].secret, ==, args[0].secret);
  store = gr_store_open (target, &error);
  g_assert_no_error (error);
  keys = gr_store_load_keys (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (keys->len, ==, 1);
  for (int i = 0; i < 4; i++)
    g_free (args[i].secret);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

  g_test_add_func ("/gaiarouter/store-db/placeholders", test_placeholders);
  g_test_add_func ("/gaiarouter/store-db/display-hides-password", test_display_hides_password);
  g_test_add ("/gaiarouter/store-db/open-again", Fixture, NULL,
              fixture_set_up, test_open_again, fixture_tear_down);
  g_test_add ("/gaiarouter/store-db/orgs-and-keys", Fixture, NULL,
              fixture_set_up, test_orgs_and_keys, fixture_tear_down);
  g_test_add ("/gaiarouter/store-db/providers-and-registry", Fixture, NULL,
              fixture_set_up, test_providers_and_registry, fixture_tear_down);
  g_test_add ("/gaiarouter/store-db/usage-stats-limits-prune", Fixture, NULL,
              fixture_set_up, test_usage_stats_limits_prune, fixture_tear_down);
  g_test_add ("/gaiarouter/store-db/pg-error-mapping", Fixture, NULL,
              fixture_set_up, test_pg_error_mapping, fixture_tear_down);
  if (gr_test_db_is_pg ())
    g_test_add_func ("/gaiarouter/store-db/pg-concurrent-start", test_pg_concurrent_start);

  return g_test_run ();
}
