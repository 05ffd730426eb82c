/* gr-change-watcher.h — notices what other gateways changed in a shared database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Several gateways on one PostgreSQL database each keep keys, providers
 * and the model registry in memory.  Triggers in the database count every
 * change to those tables (gr_store_get_change_generations()); a watcher
 * thread reads the counts every interval and calls back for each area that
 * moved, so an admin change made through one gateway reaches the others
 * within one interval.
 */
#pragma once

#include "store/gr-store.h"

G_BEGIN_DECLS

typedef struct _GrChangeWatcher GrChangeWatcher;

/* Called on the watcher's thread.  Returns FALSE (having logged why) when
 * the change could not be taken in yet: it is tried again next time. */
typedef gboolean (*GrChangeFunc) (GrChangeArea area,
                                  gpointer     user_data);

/* baseline: the counts read before what is in memory was loaded, so that
 * nothing changed meanwhile goes unnoticed. */
GrChangeWatcher *gr_change_watcher_new  (GrStore         *store,
                                         guint            interval_ms,
                                         const gint64    *baseline,
                                         GrChangeFunc     func,
                                         gpointer         user_data);
/* Stops the thread (waiting for a callback in progress) and frees. */
void             gr_change_watcher_free (GrChangeWatcher *watcher);

G_END_DECLS
