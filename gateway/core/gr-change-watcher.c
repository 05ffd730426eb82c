/* gr-change-watcher.c — notices what other gateways changed in a shared database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "core/gr-change-watcher.h"
#include "core/gr-error.h"

struct _GrChangeWatcher
{
  GrStore      *store;
  guint         interval_ms;
  GrChangeFunc  func;
  gpointer      user_data;

  GThread      *thread;
  GMutex        lock;
  GCond         cond;
  gboolean      stopping;

  gint64        seen[GR_CHANGE_N_AREAS];
  gboolean      have_seen;  /* FALSE only if the baseline was unknown */
};

/* One look at the counts; callbacks for what moved since the last look. */
static void
poll_once (GrChangeWatcher *self)
{
  g_autoptr(GError) error = NULL;
  gint64 now[GR_CHANGE_N_AREAS];

  if (!gr_store_get_change_generations (self->store, now, &error))
    {
      /* A database that is away for a moment: try again next time. */
      g_message ("cannot read the change counts of the shared database: %s", error->message);
      return;
    }
  for (guint a = 0; a < GR_CHANGE_N_AREAS; a++)
    {
      if (self->have_seen && now[a] != self->seen[a] &&
          !self->func ((GrChangeArea) a, self->user_data))
        continue;
      self->seen[a] = now[a];
    }
  self->have_seen = TRUE;
}

static gpointer
watch_thread (gpointer data)
{
  GrChangeWatcher *self = data;

  g_mutex_lock (&self->lock);
  while (!self->stopping)
    {
      gint64 deadline = g_get_monotonic_time () + (gint64) self->interval_ms * 1000;

      g_mutex_unlock (&self->lock);
      poll_once (self);
      g_mutex_lock (&self->lock);
      while (!self->stopping && g_cond_wait_until (&self->cond, &self->lock, deadline))
        ;
    }
  g_mutex_unlock (&self->lock);
  return NULL;
}

GrChangeWatcher *
gr_change_watcher_new (GrStore      *store,
                       guint         interval_ms,
                       const gint64 *baseline,
                       GrChangeFunc  func,
                       gpointer      user_data)
{
  GrChangeWatcher *self = g_new0 (GrChangeWatcher, 1);

  g_return_val_if_fail (GR_IS_STORE (store), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  self->store = g_object_ref (store);
  self->interval_ms = MAX (interval_ms, 10);
  self->func = func;
  self->user_data = user_data;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  for (guint a = 0; a < GR_CHANGE_N_AREAS; a++)
    self->seen[a] = baseline[a];
  self->have_seen = TRUE;
  self->thread = g_thread_new ("gr-change-watcher", watch_thread, self);
  return self;
}

void
gr_change_watcher_free (GrChangeWatcher *self)
{
  if (self == NULL)
    return;
  g_mutex_lock (&self->lock);
  self->stopping = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_object_unref (self->store);
  g_free (self);
}
