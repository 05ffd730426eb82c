/* gr-key-cache.h — API keys in memory, looked up by hash
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "store/gr-store.h"

G_BEGIN_DECLS

typedef struct _GrKeyCache GrKeyCache;

/* Loads every key of the store.  Thread-safe for lookups from several
 * gateway threads while an admin change reloads it. */
GrKeyCache  *gr_key_cache_new     (GrStore     *store,
                                   GError     **error);
gboolean     gr_key_cache_reload  (GrKeyCache  *cache,
                                   GError     **error);
/* The record of a secret key, or NULL when unknown (a reference: drop it with gr_key_record_free). */
GrKeyRecord *gr_key_cache_lookup  (GrKeyCache  *cache,
                                   const char  *secret);
guint        gr_key_cache_size    (GrKeyCache  *cache);
void         gr_key_cache_free    (GrKeyCache  *cache);

G_END_DECLS
