/* gr-key-cache.c — API keys in memory, looked up by hash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Authenticating must not touch SQLite on the request path: every key is
 * kept here by its HMAC, and the table is swapped whole on reload, so the
 * moment an admin change reloads it, a revoked key stops working.
 */
#include "config.h"

#include "auth/gr-key-cache.h"
#include "auth/gr-keys.h"

struct _GrKeyCache
{
  GrStore    *store;
  char       *secret;
  GRWLock     lock;
  GHashTable *by_hash;  /* hex hash → GrKeyRecord */
  GHmac      *hmac;     /* keyed with the installation secret, copied per lookup */
};

static GHashTable *
build_table (GPtrArray *keys)
{
  GHashTable *table = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                             (GDestroyNotify) gr_key_record_free);

  for (guint i = 0; i < keys->len; i++)
    {
      GrKeyRecord *r = g_ptr_array_index (keys, i);

      g_hash_table_replace (table, r->hash, r);
    }
  /* The table owns the records now. */
  g_ptr_array_set_free_func (keys, NULL);
  return table;
}

gboolean
gr_key_cache_reload (GrKeyCache  *cache,
                     GError     **error)
{
  g_autoptr(GPtrArray) keys = gr_store_load_keys (cache->store, error);
  GHashTable *old;

  if (keys == NULL)
    return FALSE;

  g_rw_lock_writer_lock (&cache->lock);
  old = cache->by_hash;
  cache->by_hash = build_table (keys);
  g_rw_lock_writer_unlock (&cache->lock);

  g_clear_pointer (&old, g_hash_table_unref);
  return TRUE;
}

GrKeyCache *
gr_key_cache_new (GrStore  *store,
                  GError  **error)
{
  GrKeyCache *cache = g_new0 (GrKeyCache, 1);

  cache->store = g_object_ref (store);
  cache->secret = g_strdup (gr_store_get_secret (store));
  cache->hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) cache->secret, strlen (cache->secret));
  g_rw_lock_init (&cache->lock);
  if (!gr_key_cache_reload (cache, error))
    {
      gr_key_cache_free (cache);
      return NULL;
    }
  return cache;
}

/* Same as gr_key_hash(), without keying a new HMAC for every request. */
static char *
hmac_hex (GrKeyCache *cache,
          const char *secret)
{
  GHmac *hmac = g_hmac_copy (cache->hmac);
  char *hex;

  g_hmac_update (hmac, (const guchar *) secret, strlen (secret));
  hex = g_strdup (g_hmac_get_string (hmac));
  g_hmac_unref (hmac);
  return hex;
}

GrKeyRecord *
gr_key_cache_lookup (GrKeyCache *cache,
                     const char *secret)
{
  g_autofree char *hash = NULL;
  GrKeyRecord *found;
  GrKeyRecord *copy = NULL;

  if (secret == NULL || !g_str_has_prefix (secret, "gr-") || strlen (secret) > 256)
    return NULL;

  hash = hmac_hex (cache, secret);
  g_rw_lock_reader_lock (&cache->lock);
  found = g_hash_table_lookup (cache->by_hash, hash);
  /* The hash table already matched; the constant-time compare keeps the
   * final equality check free of early exits. */
  if (found != NULL && gr_key_equal_constant_time (found->hash, hash))
    copy = gr_key_record_ref (found);
  g_rw_lock_reader_unlock (&cache->lock);
  return copy;
}

guint
gr_key_cache_size (GrKeyCache *cache)
{
  guint n;

  g_rw_lock_reader_lock (&cache->lock);
  n = g_hash_table_size (cache->by_hash);
  g_rw_lock_reader_unlock (&cache->lock);
  return n;
}

void
gr_key_cache_free (GrKeyCache *cache)
{
  if (cache == NULL)
    return;
  g_clear_pointer (&cache->by_hash, g_hash_table_unref);
  g_rw_lock_clear (&cache->lock);
  g_clear_pointer (&cache->hmac, g_hmac_unref);
  if (cache->secret != NULL)
    explicit_bzero (cache->secret, strlen (cache->secret));
  g_free (cache->secret);
  g_object_unref (cache->store);
  g_free (cache);
}
