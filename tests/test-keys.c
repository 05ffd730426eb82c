/* test-keys.c — key generation, hashing and the key cache over a real store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "auth/gr-key-cache.h"
#include "auth/gr-keys.h"
#include "core/gr-error.h"
#include "gr-test-db.h"

static void
test_generate (void)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 1000; i++)
    {
      char *key = gr_key_generate ();

      g_assert_true (g_str_has_prefix (key, "gr-"));
      g_assert_cmpuint (strlen (key), ==, GR_KEY_LENGTH);
      for (const char *p = key + 3; *p; p++)
        g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
      g_assert_false (g_hash_table_contains (seen, key));
      g_hash_table_add (seen, key);
    }
}

static void
test_hash (void)
{
  g_autofree char *a = gr_key_hash ("secret-one", "gr-abc");
  g_autofree char *b = gr_key_hash ("secret-one", "gr-abc");
  g_autofree char *c = gr_key_hash ("secret-two", "gr-abc");
  g_autofree char *d = gr_key_hash ("secret-one", "gr-abd");
  /* HMAC-SHA-256("key", "The quick brown fox jumps over the lazy dog"), RFC 4231 style vector. */
  g_autofree char *known = gr_key_hash ("key", "The quick brown fox jumps over the lazy dog");

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpstr (a, !=, d);
  g_assert_cmpuint (strlen (a), ==, 64);
  g_assert_cmpstr (known, ==, "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8");
}

static void
test_constant_time_equal (void)
{
  g_assert_true (gr_key_equal_constant_time ("abc", "abc"));
  g_assert_false (gr_key_equal_constant_time ("abc", "abd"));
  g_assert_false (gr_key_equal_constant_time ("abc", "ab"));
  g_assert_false (gr_key_equal_constant_time ("", "a"));
  g_assert_true (gr_key_equal_constant_time ("", ""));
}

static void
test_display_prefix (void)
{
  g_autofree char *prefix = gr_key_display_prefix ("gr-AbCdEfGhIjKlMn");

  g_assert_cmpstr (prefix, ==, "gr-AbCdEfGh");
}

static void
test_store_and_cache (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gr-keys-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "sub", "gaiarouter.db", NULL);
  g_autoptr(GrStore) store = NULL;
  g_autofree char *admin = NULL;
  g_autofree char *again = NULL;
  g_autofree char *org = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GrKeyRecord) created = NULL;
  g_autoptr(GrKeyRecord) found = NULL;
  GrKeyCache *cache;
  static const char *chat[] = { "chat", NULL };
  GrKeySpec spec = { 0 };
  GStatBuf st;

  g_assert_no_error (error);
  if (gr_test_db_is_pg ())
    {
      g_free (path);
      path = gr_test_db_new_pg ();
    }
  store = gr_store_open (path, &error);
  g_assert_no_error (error);
  if (!gr_test_db_is_pg ())
    {
      g_assert_cmpint (g_stat (path, &st), ==, 0);
      g_assert_cmpint (st.st_mode & 0777, ==, 0600);
    }
  g_assert_cmpint (gr_store_get_schema_version (store), >=, 1);

  admin = gr_store_bootstrap (store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (admin);
  /* Bootstrap happens once. */
  again = gr_store_bootstrap (store, &error);
  g_assert_no_error (error);
  g_assert_null (again);

  org = gr_store_default_org_id (store, &error);
  g_assert_no_error (error);
  spec.org_id = org;
  spec.name = "ci";
  spec.permissions = chat;
  gr_limit_set_init_unlimited (&spec.limits);
  created = gr_store_create_key (store, &spec, &secret, &error);
  g_assert_no_error (error);

  cache = gr_key_cache_new (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (gr_key_cache_size (cache), ==, 2);

  found = gr_key_cache_lookup (cache, admin);
  g_assert_nonnull (found);
  g_assert_true (gr_key_record_has_permission (found, "stats:read"));
  g_clear_pointer (&found, gr_key_record_free);

  found = gr_key_cache_lookup (cache, secret);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->id, ==, created->id);
  g_assert_true (gr_key_record_has_permission (found, "chat"));
  g_assert_false (gr_key_record_has_permission (found, "admin"));
  /* The secret itself is nowhere in the record. */
  g_assert_cmpstr (found->hash, !=, secret);
  g_assert_true (g_str_has_prefix (secret, found->prefix));

  g_assert_null (gr_key_cache_lookup (cache, "gr-not-a-key"));
  g_assert_null (gr_key_cache_lookup (cache, "sk-other"));
  g_assert_null (gr_key_cache_lookup (cache, NULL));

  gr_key_cache_free (cache);

  /* Reopening keeps the installation secret, so keys still verify. */
  g_clear_object (&store);
  store = gr_store_open (path, &error);
  g_assert_no_error (error);
  cache = gr_key_cache_new (store, &error);
  g_clear_pointer (&found, gr_key_record_free);
  found = gr_key_cache_lookup (cache, secret);
  g_assert_nonnull (found);
  gr_key_cache_free (cache);
}

static void
test_store_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStore) store = NULL;

  if (gr_test_db_skip_unless_sqlite ("a SQLite path that cannot be created"))
    return;
  store = gr_store_open ("/proc/nonexistent/x.db", &error);

  g_assert_null (store);
  g_assert_error (error, GR_ERROR, GR_ERROR_STORE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

  g_test_add_func ("/gaiarouter/keys/generate", test_generate);
  g_test_add_func ("/gaiarouter/keys/hash", test_hash);
  g_test_add_func ("/gaiarouter/keys/constant-time-equal", test_constant_time_equal);
  g_test_add_func ("/gaiarouter/keys/display-prefix", test_display_prefix);
  g_test_add_func ("/gaiarouter/keys/store-and-cache", test_store_and_cache);
  g_test_add_func ("/gaiarouter/keys/store-errors", test_store_errors);

  return g_test_run ();
}
