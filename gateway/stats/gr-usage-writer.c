/* gr-usage-writer.c — usage events queued off the request path, written in batches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The gateway thread must never wait for SQLite, so it only appends to a
 * queue.  This writer thread takes everything queued, waits a moment for
 * more, and writes the lot in one transaction.  A failed write (locked or
 * read-only database, full disk) keeps the batch in memory and retries with
 * backoff: events are only dropped from memory once committed.
 */
#include "config.h"

#include "stats/gr-usage-writer.h"

#define BATCH_MAX     512
#define LINGER_MS     50
#define RETRY_MAX_MS  5000

struct _GrUsageWriter
{
  GrStore   *store;
  GThread   *thread;
  GMutex     lock;
  GCond      cond;
  GPtrArray *queue;    /* pushed, not yet taken (guarded by lock) */
  guint      in_flight; /* taken, not yet committed (guarded by lock) */
  guint64    written;
  gboolean   stopping;
};

static void
take_batch (GrUsageWriter *writer,
            GPtrArray     *batch)
{
  while (writer->queue->len > 0 && batch->len < BATCH_MAX)
    g_ptr_array_add (batch, g_ptr_array_steal_index (writer->queue, 0));
  writer->in_flight = batch->len;
}

static void
touch_keys (GrUsageWriter *writer,
            GPtrArray     *batch)
{
  g_autoptr(GHashTable) last_used = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint i = 0; i < batch->len; i++)
    {
      GrUsageEvent *e = g_ptr_array_index (batch, i);
      gint64 *ms;

      if (e->key_id == NULL)
        continue;
      ms = g_hash_table_lookup (last_used, e->key_id);
      if (ms == NULL)
        g_hash_table_insert (last_used, e->key_id, g_memdup2 (&e->ts, sizeof e->ts));
      else if (*ms < e->ts)
        *ms = e->ts;
    }
  if (g_hash_table_size (last_used) > 0)
    gr_store_touch_keys (writer->store, last_used, NULL);
}

static gpointer
writer_thread (gpointer data)
{
  GrUsageWriter *writer = data;
  g_autoptr(GPtrArray) batch = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
  guint retry_ms = 100;

  g_mutex_lock (&writer->lock);
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      gboolean ok;

      while (writer->queue->len == 0 && batch->len == 0 && !writer->stopping)
        g_cond_wait (&writer->cond, &writer->lock);
      if (writer->queue->len == 0 && batch->len == 0 && writer->stopping)
        break;

      if (batch->len == 0)
        {
          /* Let a burst gather into one transaction. */
          if (!writer->stopping && writer->queue->len < BATCH_MAX)
            {
              gint64 until = g_get_monotonic_time () + LINGER_MS * 1000;

              g_cond_wait_until (&writer->cond, &writer->lock, until);
            }
          take_batch (writer, batch);
        }
      g_mutex_unlock (&writer->lock);

      ok = gr_store_insert_usage (writer->store, batch, &error);
      if (ok)
        touch_keys (writer, batch);

      g_mutex_lock (&writer->lock);
      if (ok)
        {
          writer->written += batch->len;
          writer->in_flight = 0;
          g_ptr_array_set_size (batch, 0);
          retry_ms = 100;
          g_cond_broadcast (&writer->cond);
        }
      else
        {
          gint64 until = g_get_monotonic_time () + (gint64) retry_ms * 1000;

          /* A busy or locked database is an expected, passing condition:
           * nothing is lost, so this is a message, not a warning. */
          g_message ("usage writer: %s; %u events kept, retrying in %u ms",
                     error->message, batch->len + writer->queue->len, retry_ms);
          retry_ms = MIN (retry_ms * 2, RETRY_MAX_MS);
          /* While stopping, keep trying a few more times only. */
          if (writer->stopping && retry_ms >= RETRY_MAX_MS)
            {
              g_warning ("usage writer: giving up on %u events at shutdown",
                         batch->len + writer->queue->len);
              g_ptr_array_set_size (batch, 0);
              g_ptr_array_set_size (writer->queue, 0);
              writer->in_flight = 0;
              g_cond_broadcast (&writer->cond);
              continue;
            }
          g_cond_wait_until (&writer->cond, &writer->lock, until);
        }
    }
  g_mutex_unlock (&writer->lock);
  return NULL;
}

GrUsageWriter *
gr_usage_writer_new (GrStore *store)
{
  GrUsageWriter *writer = g_new0 (GrUsageWriter, 1);

  writer->store = g_object_ref (store);
  writer->queue = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
  g_mutex_init (&writer->lock);
  g_cond_init (&writer->cond);
  writer->thread = g_thread_new ("gr-usage-writer", writer_thread, writer);
  return writer;
}

void
gr_usage_writer_push (GrUsageWriter *writer,
                      GrUsageEvent  *event)
{
  g_mutex_lock (&writer->lock);
  g_ptr_array_add (writer->queue, event);
  /* Waking the writer for every event would cost a context switch per
   * request: it wakes by itself every LINGER_MS, and early only when a
   * full batch is waiting. */
  if (writer->queue->len == 1 || writer->queue->len >= BATCH_MAX)
    g_cond_signal (&writer->cond);
  g_mutex_unlock (&writer->lock);
}

void
gr_usage_writer_flush (GrUsageWriter *writer)
{
  g_mutex_lock (&writer->lock);
  g_cond_broadcast (&writer->cond);
  while (writer->queue->len > 0 || writer->in_flight > 0)
    g_cond_wait (&writer->cond, &writer->lock);
  g_mutex_unlock (&writer->lock);
}

guint
gr_usage_writer_pending (GrUsageWriter *writer)
{
  guint n;

  g_mutex_lock (&writer->lock);
  n = writer->queue->len + writer->in_flight;
  g_mutex_unlock (&writer->lock);
  return n;
}

guint64
gr_usage_writer_written (GrUsageWriter *writer)
{
  guint64 n;

  g_mutex_lock (&writer->lock);
  n = writer->written;
  g_mutex_unlock (&writer->lock);
  return n;
}

void
gr_usage_writer_free (GrUsageWriter *writer)
{
  if (writer == NULL)
    return;
  g_mutex_lock (&writer->lock);
  writer->stopping = TRUE;
  g_cond_broadcast (&writer->cond);
  g_mutex_unlock (&writer->lock);
  g_thread_join (writer->thread);

  g_ptr_array_unref (writer->queue);
  g_mutex_clear (&writer->lock);
  g_cond_clear (&writer->cond);
  g_object_unref (writer->store);
  g_free (writer);
}
