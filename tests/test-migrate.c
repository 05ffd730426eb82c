/* test-migrate.c — gaiarouterd --migrate-from: a SQLite installation into PostgreSQL
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Runs the real daemon (GR_GAIAROUTERD) against a SQLite file filled
 * through the store's API and a fresh database on the test server
 * (GR_TEST_PG_URL), then reads the copy back through the store.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "auth/gr-key-cache.h"
#include "core/gr-error.h"
#include "store/gr-store.h"
#include "store/gr-store-migrate.h"
#include "store/gr-store-providers.h"
#include "store/gr-store-registry.h"
#include "store/gr-store-stats.h"
#include "gr-test-db.h"

#define HOUR_MS (G_GINT64_CONSTANT (3600000))

typedef struct
{
  char *dir;
  char *sqlite_path;
  char *admin_secret;
  char *key_secret;
  char *key_id;
} Source;

static int
run_daemon (const char  *source,
            const char  *target,
            char       **out,
            char       **err)
{
  const char *daemon = g_getenv ("GR_GAIAROUTERD");
  g_autoptr(GError) error = NULL;
  g_autofree char *db_arg = g_strconcat ("--db=", target, NULL);
  g_autofree char *from_arg = g_strconcat ("--migrate-from=", source, NULL);
  const char *argv[] = { daemon, db_arg, from_arg, NULL };
  int status = -1;

  g_assert_nonnull (daemon);
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status, &error);
  g_assert_no_error (error);
  g_test_message ("gaiarouterd %s: %s%s", from_arg, *out, *err);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static GrUsageEvent *
event (int         n,
       gint64      ts,
       const char *key_id,
       const char *org_id)
{
  GrUsageEvent *e = gr_usage_event_new ();

  e->request_id = g_strdup_printf ("req_%d", n);
  e->ts = ts;
  e->key_id = g_strdup (key_id);
  e->org_id = g_strdup (org_id);
  e->provider = g_strdup ("openai");
  e->model = g_strdup (n % 2 ? "gpt-4o" : "gpt-4o-mini");
  e->endpoint = g_strdup ("/v1/chat/completions");
  e->status = n % 5 ? 200 : 502;
  e->prompt_tokens = n;
  e->completion_tokens = 2 * n;
  e->cost_micros = 100 * n;
  e->latency_ms = 10 * n;
  e->ttfb_ms = n % 3 ? 5 : -1;
  e->stream = n % 2;
  e->error_code = e->status >= 400 ? g_strdup ("upstream_error") : NULL;
  return e;
}

/* An installation with something in every table. */
static void
source_fill (Source *s)
{
  static const char * const chat[] = { "chat", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStore) store = NULL;
  g_autoptr(GrOrgRecord) org = NULL;
  g_autoptr(GrKeyRecord) key = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
  GrProviderConfig *p;
  GrKeySpec spec = { 0 };
  GrLimitSet limits;
  gint64 t0 = G_GINT64_CONSTANT (1795000000000);

  s->dir = g_dir_make_tmp ("gr-migrate-XXXXXX", &error);
  g_assert_no_error (error);
  s->sqlite_path = g_build_filename (s->dir, "gaiarouter.db", NULL);
  store = gr_store_open (s->sqlite_path, &error);
  g_assert_no_error (error);
  s->admin_secret = gr_store_bootstrap (store, &error);
  g_assert_no_error (error);

  gr_limit_set_init_unlimited (&limits);
  limits.monthly_budget_micros = 9000000;
  org = gr_store_create_org (store, "Acme", "rockets", NULL, &limits, &error);
  g_assert_no_error (error);
  spec.org_id = org->id;
  spec.name = "ci";
  spec.permissions = chat;
  gr_limit_set_init_unlimited (&spec.limits);
  spec.limits.rpm = 30;
  key = gr_store_create_key (store, &spec, &s->key_secret, &error);
  g_assert_no_error (error);
  s->key_id = g_strdup (key->id);

  p = gr_provider_config_new ("local", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, "http://127.0.0.1:9/v1");
  p->from_store = TRUE;
  p->api_key = g_strdup ("sk-local-secret");
  p->http_referer = g_strdup ("https://example.org");
  gr_store_create_provider (store, p, &error);
  g_assert_no_error (error);
  gr_provider_config_free (p);

  gr_store_put_registry_model (store, "local/a", "{\"id\":\"local/a\"}", &error);
  gr_store_put_registry_model (store, "local/b", "{\"id\":\"local/b\"}", &error);
  gr_store_put_registry_alias (store, "fast", "{\"targets\":[\"local/a\"]}", &error);
  gr_store_put_registry_model (store, "local/a", NULL, &error);
  g_assert_no_error (error);

  for (int i = 1; i <= 250; i++)
    g_ptr_array_add (events, event (i, t0 + i * 60000, i % 4 ? s->key_id : NULL, org->id));
  g_assert_true (gr_store_insert_usage (store, events, &error));
  g_assert_no_error (error);
}

static void
source_clear (Source *s)
{
  g_autofree char *wal = g_strconcat (s->sqlite_path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (s->sqlite_path, "-shm", NULL);

  g_unlink (s->sqlite_path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (s->dir);
  g_free (s->dir);
  g_free (s->sqlite_path);
  g_free (s->admin_secret);
  g_free (s->key_secret);
  g_free (s->key_id);
}

static GrStatsResult *
stats_of (GrStore *store)
{
  g_autoptr(GError) error = NULL;
  GrStatsQuery q = {
    .start_ms = G_GINT64_CONSTANT (1795000000000) - 24 * HOUR_MS,
    .end_ms = G_GINT64_CONSTANT (1795000000000) + 24 * HOUR_MS,
    .granularity = GR_STATS_HOUR,
    .group_by = GR_STATS_GROUP_MODEL,
  };
  GrStatsResult *result = gr_store_stats_query (store, &q, &error);

  g_assert_no_error (error);
  return result;
}

static void
test_migrate_from_sqlite (void)
{
  g_autofree char *target = gr_test_db_new_pg ();
  g_autofree char *source_arg = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStore) from = NULL;
  g_autoptr(GrStore) to = NULL;
  g_autoptr(GrStatsResult) before = NULL;
  g_autoptr(GrStatsResult) after = NULL;
  g_autoptr(GPtrArray) usage_from = NULL;
  g_autoptr(GPtrArray) usage_to = NULL;
  g_autoptr(GPtrArray) providers = NULL;
  g_autoptr(GHashTable) models = NULL;
  g_autoptr(GrKeyRecord) found = NULL;
  g_autoptr(GPtrArray) more = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
  GrKeyCache *cache;
  Source s = { 0 };

  if (target == NULL)
    return;
  source_fill (&s);
  source_arg = g_strconcat ("sqlite:", s.sqlite_path, NULL);

  g_assert_cmpint (run_daemon (source_arg, target, &out, &err), ==, 0);
  g_assert_nonnull (strstr (out, "usage_events       250 rows"));
  g_assert_nonnull (strstr (out, "api_keys           2 rows"));
  g_assert_nonnull (strstr (out, "organizations      2 rows"));
  g_assert_nonnull (strstr (out, "registry_models    2 rows"));

  from = gr_store_open (s.sqlite_path, &error);
  g_assert_no_error (error);
  to = gr_store_open (target, &error);
  g_assert_no_error (error);

  /* The installation secret came along: the old keys verify. */
  g_assert_cmpstr (gr_store_get_secret (to), ==, gr_store_get_secret (from));
  cache = gr_key_cache_new (to, &error);
  g_assert_no_error (error);
  found = gr_key_cache_lookup (cache, s.key_secret);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->id, ==, s.key_id);
  g_assert_cmpint (found->limits.rpm, ==, 30);
  g_assert_cmpint (found->org_limits.monthly_budget_micros, ==, 9000000);
  g_clear_pointer (&found, gr_key_record_free);
  found = gr_key_cache_lookup (cache, s.admin_secret);
  g_assert_nonnull (found);
  g_assert_true (gr_key_record_has_permission (found, "admin"));
  gr_key_cache_free (cache);

  providers = gr_store_list_providers (to, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (providers->len, ==, 1);
  g_assert_cmpstr (((GrStoredProvider *) providers->pdata[0])->config->api_key, ==, "sk-local-secret");
  g_assert_cmpstr (((GrStoredProvider *) providers->pdata[0])->config->http_referer, ==, "https://example.org");
  models = gr_store_load_registry_models (to, &error);
  g_assert_no_error (error);
  g_assert_true (g_hash_table_contains (models, "local/a"));
  g_assert_null (g_hash_table_lookup (models, "local/a"));

  /* Raw events and rollups agree row for row. */
  usage_from = gr_store_list_usage (from, 1000, &error);
  usage_to = gr_store_list_usage (to, 1000, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (usage_to->len, ==, usage_from->len);
  for (guint i = 0; i < usage_to->len; i++)
    {
      GrUsageEvent *a = usage_from->pdata[i], *b = usage_to->pdata[i];

      g_assert_cmpstr (a->request_id, ==, b->request_id);
      g_assert_cmpstr (a->key_id, ==, b->key_id);
      g_assert_cmpstr (a->error_code, ==, b->error_code);
      g_assert_cmpint (a->ttfb_ms, ==, b->ttfb_ms);
      g_assert_cmpint (a->cost_micros, ==, b->cost_micros);
      g_assert_cmpint (a->stream, ==, b->stream);
    }
  before = stats_of (from);
  after = stats_of (to);
  g_assert_cmpint (after->totals.counts.requests, ==, 250);
  g_assert_cmpmem (&after->totals, sizeof after->totals, &before->totals, sizeof before->totals);
  g_assert_cmpuint (after->groups->len, ==, 2);

  /* New events get ids after the copied ones. */
  g_ptr_array_add (more, event (999, G_GINT64_CONSTANT (1795000000000), s.key_id, NULL));
  g_assert_true (gr_store_insert_usage (to, more, &error));
  g_assert_no_error (error);
  g_clear_pointer (&usage_to, g_ptr_array_unref);
  usage_to = gr_store_list_usage (to, 1, &error);
  g_assert_cmpstr (((GrUsageEvent *) usage_to->pdata[0])->request_id, ==, "req_999");
  g_clear_object (&to);

  /* A second run finds the target in use and writes nothing. */
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_daemon (source_arg, target, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "not empty"));

  source_clear (&s);
}

static void
test_migrate_refusals (void)
{
  g_autofree char *target = gr_test_db_new_pg ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) counts = NULL;

  if (target == NULL)
    return;
  /* A missing source is an error, not an empty installation. */
  g_assert_cmpint (run_daemon ("sqlite:/nonexistent/gaiarouter.db", target, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "no SQLite database"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* The target must be PostgreSQL. */
  g_assert_cmpint (run_daemon ("sqlite:/tmp/a.db", "/tmp/b.db", &out, &err), ==, 2);
  counts = gr_store_migrate (target, target, &error);
  g_assert_null (counts);
  g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

  g_test_add_func ("/gaiarouter/migrate/from-sqlite", test_migrate_from_sqlite);
  g_test_add_func ("/gaiarouter/migrate/refusals", test_migrate_refusals);
  return g_test_run ();
}
