/* gr-store-limits.h — the usage totals the limits are rebuilt from at start-up
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "store/gr-store.h"

G_BEGIN_DECLS

/* Half-open windows [start, end) in Unix ms. */
typedef struct
{
  gint64 day_start_ms;
  gint64 day_end_ms;
  gint64 month_start_ms;
  gint64 month_end_ms;
  gint64 recent_after_ms;  /* admission times: after this … */
  gint64 recent_until_ms;  /* … up to and including this */
} GrStoreLimitWindows;

/* The totals of one key or organization. */
typedef struct
{
  char   *id;
  gint64  requests_day;
  gint64  tokens_day;         /* prompt + completion */
  gint64  cost_month_micros;
} GrStoreLimitTotals;

/* One admitted request of the recent window. */
typedef struct
{
  char   *key_id;   /* nullable */
  char   *org_id;   /* nullable */
  gint64  ts;
} GrStoreRecentRequest;

typedef struct
{
  GPtrArray *keys;    /* of GrStoreLimitTotals, by key_id */
  GPtrArray *orgs;    /* of GrStoreLimitTotals, by org_id */
  GPtrArray *recent;  /* of GrStoreRecentRequest, oldest first */
} GrStoreLimitSnapshot;

void gr_store_limit_snapshot_free (GrStoreLimitSnapshot *snapshot);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrStoreLimitSnapshot, gr_store_limit_snapshot_free)

/* Error codes of requests the gateway refused before admission; their
 * usage events do not count toward the limits.  The limiter's own codes
 * (rate_limit_exceeded, usage_limit_exceeded) never count; the validation
 * and authentication codes only when the event has no provider, because
 * after admission an upstream's own error code is passed through and may
 * spell the same.  NULL-terminated. */
extern const char * const gr_store_limits_refusal_codes[];
extern const char * const gr_store_limits_unrouted_codes[];

/* Sums usage_events per key and per organization over the windows, through
 * a read-only connection of its own (WAL lets it read while the store's
 * connection writes), so it takes no lock of the store. */
GrStoreLimitSnapshot *gr_store_load_limit_snapshot (GrStore                   *store,
                                                    const GrStoreLimitWindows *windows,
                                                    GError                   **error);

G_END_DECLS
