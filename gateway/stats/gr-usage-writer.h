/* gr-usage-writer.h — usage events queued off the request path, written in batches
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "store/gr-store.h"

G_BEGIN_DECLS

typedef struct _GrUsageWriter GrUsageWriter;

GrUsageWriter *gr_usage_writer_new     (GrStore       *store);
/* Never blocks: the event is queued (ownership taken). */
void           gr_usage_writer_push    (GrUsageWriter *writer,
                                        GrUsageEvent  *event);
/* Waits until every event pushed so far is written (or fails for good). */
void           gr_usage_writer_flush   (GrUsageWriter *writer);
/* Events queued and not yet written. */
guint          gr_usage_writer_pending (GrUsageWriter *writer);
/* Events written since start. */
guint64        gr_usage_writer_written (GrUsageWriter *writer);
/* Flushes, stops the thread, frees. */
void           gr_usage_writer_free    (GrUsageWriter *writer);

G_END_DECLS
