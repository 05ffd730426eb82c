/* gr-store-stats.h — usage rollups, statistics queries, request logs, pruning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

#include "store/gr-store.h"

G_BEGIN_DECLS

/* Latency histogram of the rollups: 47 bucket upper bounds from 1 ms to
 * 10 min (about ×1.34 apart) plus one overflow bucket for anything
 * slower.  Stored in usage_hourly.latency_hist as 48 little-endian
 * uint32 counts. */
#define GR_STATS_LATENCY_BUCKETS 48

/* The largest number of buckets one query may ask for (a leap year of
 * hours); longer ranges must use a coarser granularity. */
#define GR_STATS_MAX_BUCKETS 8784

typedef enum
{
  GR_STATS_HOUR,
  GR_STATS_DAY,
} GrStatsGranularity;

typedef enum
{
  GR_STATS_GROUP_NONE,
  GR_STATS_GROUP_MODEL,
  GR_STATS_GROUP_PROVIDER,
  GR_STATS_GROUP_KEY,
  GR_STATS_GROUP_ORG,
} GrStatsGroupBy;

/* Parsing of the API's query parameters.  Each returns FALSE (with
 * GR_ERROR_INVALID) for an unknown name; NULL or "" gives the default
 * (hour, none). */
gboolean    gr_stats_granularity_from_string (const char          *name,
                                              GrStatsGranularity  *out,
                                              GError             **error);
gboolean    gr_stats_group_by_from_string    (const char          *name,
                                              GrStatsGroupBy      *out,
                                              GError             **error);
const char *gr_stats_granularity_to_string   (GrStatsGranularity   granularity);
/* NULL for GR_STATS_GROUP_NONE. */
const char *gr_stats_group_by_to_string      (GrStatsGroupBy       group_by);

/* A time zone from an IANA name ("Europe/Paris"), a UTC offset ("+08:00",
 * "-0530", "+08") or NULL / "" / "UTC" / "Z" for UTC.  Names are checked
 * before GLib sees them, because GLib would also open any file path it is
 * given. */
GTimeZone  *gr_stats_time_zone_new           (const char          *name,
                                              GError             **error);
/* RFC 3339 in zone tz ("2026-11-28T00:00:00+08:00"; "Z" at offset zero),
 * with milliseconds only when ms is not a whole second; NULL outside the
 * years 1..9999.  tz NULL = UTC. */
char       *gr_stats_format_time             (gint64               ms,
                                              GTimeZone           *tz);

/* Called by gr_store_insert_usage with the store lock held, inside the
 * transaction that writes the raw events: adds each event to its UTC
 * hour bucket of usage_hourly. */
gboolean    gr_store_stats_add_locked        (GrStore             *store,
                                              GPtrArray           *events,
                                              GError             **error);

typedef struct
{
  gint64 requests;
  gint64 errors;             /* status >= 400 */
  gint64 prompt_tokens;
  gint64 completion_tokens;
  gint64 cached_tokens;
  gint64 cost_micros;
  gint64 latency_ms_sum;
} GrStatsCounts;

typedef struct
{
  gint64        start_ms;    /* Unix ms of the bucket start */
  GrStatsCounts counts;
} GrStatsBucket;

typedef struct
{
  GrStatsCounts counts;
  guint64       latency_hist[GR_STATS_LATENCY_BUCKETS];
} GrStatsTotals;

/* Rounded to the nearest ms; 0 without requests. */
gint64      gr_stats_totals_avg_latency_ms   (const GrStatsTotals *totals);
/* The upper bound of the histogram bucket where the cumulative count
 * reaches 95 % (nearest rank): never below the true p95, at most ×1.34
 * above it; 600000 means 10 min or more.  0 without requests. */
gint64      gr_stats_totals_p95_latency_ms   (const GrStatsTotals *totals);
/* The histogram bucket of a latency, and a bucket's upper bound
 * (G_MAXINT64 for the overflow bucket). */
guint       gr_stats_latency_bucket          (gint64               latency_ms);
gint64      gr_stats_latency_bucket_upper    (guint                bucket);

typedef struct
{
  gint64              start_ms;      /* half-open [start_ms, end_ms) */
  gint64              end_ms;
  GrStatsGranularity  granularity;
  GTimeZone          *tz;            /* borrowed; NULL = UTC */
  const char         *org_id;        /* filters, borrowed; NULL = any */
  const char         *key_id;
  const char         *provider;
  const char         *model;
  GrStatsGroupBy      group_by;
  guint               group_limit;   /* keep the first N groups; 0 = all */
} GrStatsQuery;

typedef struct
{
  char          *group;      /* the model, provider, key or org id; "" = none */
  GrStatsTotals  totals;
  GArray        *series;     /* GrStatsBucket, same buckets as the result's */
} GrStatsGroup;

typedef struct
{
  gint64              start_ms;  /* the range widened to whole buckets */
  gint64              end_ms;
  GrStatsGranularity  granularity;
  GrStatsGroupBy      group_by;
  GTimeZone          *tz;
  GrStatsTotals       totals;
  GArray             *series;    /* GrStatsBucket, every bucket, zeros included */
  GPtrArray          *groups;    /* GrStatsGroup, by requests desc; empty without group_by */
} GrStatsResult;

void           gr_stats_result_free     (GrStatsResult      *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrStatsResult, gr_stats_result_free)

/* Statistics from the hourly rollups.  Buckets are UTC hours (HOUR) or
 * local days of tz (DAY); see gr-store-stats.c for how days are cut. */
GrStatsResult *gr_store_stats_query     (GrStore            *store,
                                         const GrStatsQuery *query,
                                         GError            **error);
JsonNode      *gr_stats_result_to_json  (const GrStatsResult *result);
/* {"requests", "errors", "prompt_tokens", "completion_tokens",
 *  "cached_tokens", "total_tokens", "cost_micros", "avg_latency_ms",
 *  "p95_latency_ms"} */
JsonNode      *gr_stats_totals_to_json  (const GrStatsTotals *totals);

/* The dashboard: totals of today, yesterday, this month and the previous
 * month (local to tz, at now_ms), and the top 5 models and keys of this
 * month by requests. */
typedef struct
{
  GTimeZone     *tz;
  gint64         now_ms;
  gint64         today_start_ms;
  gint64         yesterday_start_ms;
  gint64         tomorrow_start_ms;
  gint64         month_start_ms;
  gint64         previous_month_start_ms;
  gint64         next_month_start_ms;
  GrStatsTotals  today;
  GrStatsTotals  yesterday;
  GrStatsTotals  this_month;
  GrStatsTotals  previous_month;
  GPtrArray     *top_models;  /* GrStatsGroup, series by local day of this month */
  GPtrArray     *top_keys;
} GrStatsSummary;

void            gr_stats_summary_free    (GrStatsSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrStatsSummary, gr_stats_summary_free)

GrStatsSummary *gr_store_stats_summary   (GrStore        *store,
                                          const char     *org_id,
                                          const char     *key_id,
                                          gint64          now_ms,
                                          GTimeZone      *tz,
                                          GError        **error);
JsonNode       *gr_stats_summary_to_json (const GrStatsSummary *summary);

/* Request logs: the raw usage events, newest first by default. */
typedef enum
{
  GR_LOG_SORT_TS_DESC,
  GR_LOG_SORT_TS_ASC,
  GR_LOG_SORT_LATENCY_DESC,
  GR_LOG_SORT_COST_DESC,
} GrLogSort;

/* "ts_desc" (or NULL / ""), "ts_asc", "latency_desc", "cost_desc". */
gboolean    gr_log_sort_from_string (const char  *name,
                                     GrLogSort   *out,
                                     GError     **error);

/* Zeros mean no filter, newest first, first page of 50, except stream:
 * set it to -1 for streamed and non-streamed rows alike. */
typedef struct
{
  const char *org_id;     /* filters, borrowed; NULL = any */
  const char *key_id;
  const char *provider;
  const char *model;
  const char *status;     /* "2xx", "4xx", "5xx" (any "Nxx") or "404"; NULL = any */
  int         stream;     /* -1 = any, 0 = not streamed, 1 = streamed */
  gint64      since_ms;   /* ts >= since_ms; 0 = no bound */
  gint64      until_ms;   /* ts < until_ms; 0 = no bound */
  const char *q;          /* substring of request_id or model (case-insensitive ASCII) */
  guint       page;       /* 1-based; 0 = 1 */
  guint       page_size;  /* 1..GR_LOG_PAGE_SIZE_MAX; 0 = GR_LOG_PAGE_SIZE_DEFAULT */
  GrLogSort   sort;
} GrLogQuery;

#define GR_LOG_PAGE_SIZE_DEFAULT 50
#define GR_LOG_PAGE_SIZE_MAX     200

typedef struct
{
  GPtrArray *rows;        /* GrUsageEvent */
  gint64     total;       /* rows matching the filters, all pages */
  guint      page;
  guint      page_size;
} GrLogPage;

void        gr_log_page_free    (GrLogPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrLogPage, gr_log_page_free)

/* GR_ERROR_INVALID for a bad status, page or page size. */
GrLogPage  *gr_store_list_logs  (GrStore           *store,
                                 const GrLogQuery  *query,
                                 GError           **error);
/* {"data": [...], "page", "page_size", "total"} */
JsonNode   *gr_log_page_to_json (const GrLogPage   *page);

/* Deletes raw usage events with ts < before_ms, 5000 rows per
 * transaction so the usage writer is never held up for long.  The hourly
 * rollups stay.  Returns the number of rows deleted, -1 on error (rows
 * deleted by earlier chunks stay deleted). */
gint64      gr_store_prune_usage (GrStore  *store,
                                  gint64    before_ms,
                                  GError  **error);

G_END_DECLS
