/* gr-store-stats.c — usage rollups, statistics queries, request logs, pruning
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Raw usage events are kept for a retention period only; what lasts is
 * usage_hourly, one row per UTC hour and (key, org, provider, model),
 * written in the same transaction as the raw events so that the two never
 * disagree.  Hours are UTC because local days are a matter of display:
 * a query turns UTC hours into the local hours or days of the zone it is
 * asked for.
 *
 * How local days are cut.  A DAY bucket sums the UTC hours whose start
 * falls in [local midnight, next local midnight).  In zones with whole-hour
 * offsets this is exact, DST days of 23 and 25 hours included, because
 * every local midnight is a UTC hour boundary.  In zones with a
 * non-whole-hour offset (+05:30, +05:45, -03:30, …) local midnight falls
 * inside a UTC hour, which goes entirely to the day its start belongs to:
 * up to 59 minutes of traffic around midnight are counted on the
 * neighbouring day.  Hourly rollups cannot do better once the raw events
 * are pruned, and a rule that depends on whether they still exist would
 * make old and new days disagree.  HOUR buckets are always exact: they are
 * the UTC hours, labelled in local time (05:30+05:30 in India).
 *
 * Latency percentiles.  Each rollup row carries a histogram of fixed,
 * log-spaced buckets, so histograms of any set of rows merge by adding
 * counts and p95 survives the pruning of raw rows.  A percentile is
 * reported as the upper bound of the bucket it falls in.
 */
#include "config.h"

#include <string.h>

#include "core/gr-error.h"
#include "store/gr-sql.h"
#include "store/gr-store-private.h"
#include "store/gr-store-stats.h"

#define HOUR_MS      G_GINT64_CONSTANT (3600000)
#define PRUNE_CHUNK  5000
/* 9999-12-31T23:59:59Z: GDateTime's limit. */
#define MAX_TIME_MS  G_GINT64_CONSTANT (253402300799000)

/* Upper bounds (inclusive, ms) of the latency buckets: round(600000^(i/46))
 * made strictly increasing, so 1 ms steps at the bottom and a ratio of
 * about 1.335 from 10 ms up.  The 48th bucket, past 10 min, has no bound.
 * Never change these values: stored histograms are counts per index. */
static const gint64 latency_upper[GR_STATS_LATENCY_BUCKETS - 1] = {
  1, 2, 3, 4, 5, 6, 7, 8,
  10, 14, 18, 24, 32, 43, 57, 77,
  102, 137, 182, 244, 325, 434, 580, 775,
  1034, 1381, 1845, 2463, 3290, 4393, 5866, 7834,
  10461, 13970, 18656, 24913, 33268, 44427, 59327, 79226,
  105798, 141283, 188670, 251951, 336455, 449303, 600000,
};

#define HIST_BLOB_SIZE (GR_STATS_LATENCY_BUCKETS * 4)

/* ---- small helpers ---------------------------------------------------- */

static gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  if (a % b != 0 && (a < 0) != (b < 0))
    q--;
  return q;
}

static gint64
hour_floor (gint64 ms)
{
  return floor_div (ms, HOUR_MS) * HOUR_MS;
}

/* The advisory lock key of the usage rollups (PostgreSQL; see
 * gr_store_stats_add_locked): "GaRa" + 3. */
#define ROLLUP_LOCK  G_GINT64_CONSTANT (0x4761526103)

static const char *
column_text (GrDbStmt *stmt,
             int       col)
{
  const char *text = gr_db_stmt_column_text (stmt, col);

  return text ? text : "";
}

/* Statements whose filters depend on the query: each filter that is set
 * appends its fragment with the next parameter number and records its
 * value, and the values are bound in that order.  No gaps in the
 * numbers (PostgreSQL must know every parameter's type). */
typedef struct
{
  GString *sql;
  GArray  *values;   /* of SqlValue */
} SqlBuilder;

typedef struct
{
  const char *text;  /* NULL for an integer */
  gint64      number;
} SqlValue;

static int
builder_param (SqlBuilder *b,
               const char *text,
               gint64      number)
{
  SqlValue v = { text, number };

  g_array_append_val (b->values, v);
  return (int) b->values->len;
}

/* Appends fragment with each "?#" numbered as parameter n. */
static void
builder_append (SqlBuilder *b,
                const char *fragment,
                int         n)
{
  for (const char *p = fragment; *p; p++)
    {
      if (p[0] == '?' && p[1] == '#')
        {
          g_string_append_printf (b->sql, "?%d", n);
          p++;
        }
      else
        g_string_append_c (b->sql, *p);
    }
}

static void
builder_text_filter (SqlBuilder *b,
                     const char *fragment,
                     const char *value)
{
  builder_append (b, fragment, builder_param (b, value, 0));
}

static void
builder_int_filter (SqlBuilder *b,
                    const char *fragment,
                    gint64      value)
{
  builder_append (b, fragment, builder_param (b, NULL, value));
}

static void
builder_bind (SqlBuilder *b,
              GrDbStmt   *stmt)
{
  for (guint i = 0; i < b->values->len; i++)
    {
      const SqlValue *v = &g_array_index (b->values, SqlValue, i);

      if (v->text != NULL)
        gr_db_stmt_bind_text (stmt, i + 1, v->text);
      else
        gr_db_stmt_bind_int64 (stmt, i + 1, v->number);
    }
}

static void
builder_init (SqlBuilder *b,
              const char *start)
{
  b->sql = g_string_new (start);
  b->values = g_array_new (FALSE, FALSE, sizeof (SqlValue));
}

static void
builder_clear (SqlBuilder *b)
{
  g_string_free (b->sql, TRUE);
  g_array_unref (b->values);
}

static void
counts_add (GrStatsCounts       *dst,
            const GrStatsCounts *src)
{
  dst->requests += src->requests;
  dst->errors += src->errors;
  dst->prompt_tokens += src->prompt_tokens;
  dst->completion_tokens += src->completion_tokens;
  dst->cached_tokens += src->cached_tokens;
  dst->cost_micros += src->cost_micros;
  dst->latency_ms_sum += src->latency_ms_sum;
}

/* ---- latency histogram ------------------------------------------------ */

guint
gr_stats_latency_bucket (gint64 latency_ms)
{
  guint lo = 0, hi = G_N_ELEMENTS (latency_upper);

  /* The first bound >= latency_ms; past the last one, the overflow bucket. */
  while (lo < hi)
    {
      guint mid = (lo + hi) / 2;

      if (latency_upper[mid] < latency_ms)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

gint64
gr_stats_latency_bucket_upper (guint bucket)
{
  g_return_val_if_fail (bucket < GR_STATS_LATENCY_BUCKETS, G_MAXINT64);

  if (bucket >= G_N_ELEMENTS (latency_upper))
    return G_MAXINT64;
  return latency_upper[bucket];
}

/* Adds the counts of a stored histogram.  A blob of another length (none
 * is written today) contributes the buckets both know. */
static void
hist_add_blob (guint64    *hist,
               const void *blob,
               gsize       len)
{
  const guint8 *bytes = blob;

  if (blob == NULL)
    return;
  for (int i = 0; i < GR_STATS_LATENCY_BUCKETS && (gsize) (i + 1) * 4 <= len; i++)
    {
      guint32 le;

      memcpy (&le, bytes + i * 4, 4);
      hist[i] += GUINT32_FROM_LE (le);
    }
}

static void
hist_to_blob (const guint64 *hist,
              guint8         blob[HIST_BLOB_SIZE])
{
  for (int i = 0; i < GR_STATS_LATENCY_BUCKETS; i++)
    {
      /* More than 4 billion requests in one hour and one row would be a
       * broken clock, not traffic: saturate rather than wrap. */
      guint32 le = GUINT32_TO_LE ((guint32) MIN (hist[i], G_MAXUINT32));

      memcpy (blob + i * 4, &le, 4);
    }
}

gint64
gr_stats_totals_avg_latency_ms (const GrStatsTotals *totals)
{
  g_return_val_if_fail (totals != NULL, 0);

  if (totals->counts.requests <= 0)
    return 0;
  return (totals->counts.latency_ms_sum + totals->counts.requests / 2) / totals->counts.requests;
}

gint64
gr_stats_totals_p95_latency_ms (const GrStatsTotals *totals)
{
  guint64 n = 0, rank, cumulative = 0;
  int i;

  g_return_val_if_fail (totals != NULL, 0);

  for (i = 0; i < GR_STATS_LATENCY_BUCKETS; i++)
    n += totals->latency_hist[i];
  if (n == 0)
    return 0;

  /* Nearest rank: the ceil(0.95 n)-th smallest latency.  Falling off
   * the loop means the overflow bucket, reported at its lower bound. */
  rank = (n * 95 + 99) / 100;
  for (i = 0; i < GR_STATS_LATENCY_BUCKETS - 1; i++)
    {
      cumulative += totals->latency_hist[i];
      if (cumulative >= rank)
        break;
    }
  return latency_upper[MIN (i, (int) G_N_ELEMENTS (latency_upper) - 1)];
}

/* ---- names, zones and times ------------------------------------------- */

static const char * const granularity_names[] = { "hour", "day" };
static const char * const group_by_names[] = { NULL, "model", "provider", "key", "org" };
static const char * const sort_names[] = { "ts_desc", "ts_asc", "latency_desc", "cost_desc" };

gboolean
gr_stats_granularity_from_string (const char          *name,
                                  GrStatsGranularity  *out,
                                  GError             **error)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (name == NULL || *name == '\0')
    {
      *out = GR_STATS_HOUR;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (granularity_names); i++)
    if (g_str_equal (name, granularity_names[i]))
      {
        *out = (GrStatsGranularity) i;
        return TRUE;
      }
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
               "granularity must be \"hour\" or \"day\"");
  return FALSE;
}

gboolean
gr_stats_group_by_from_string (const char      *name,
                               GrStatsGroupBy  *out,
                               GError         **error)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (name == NULL || *name == '\0' || g_str_equal (name, "none"))
    {
      *out = GR_STATS_GROUP_NONE;
      return TRUE;
    }
  for (guint i = 1; i < G_N_ELEMENTS (group_by_names); i++)
    if (g_str_equal (name, group_by_names[i]))
      {
        *out = (GrStatsGroupBy) i;
        return TRUE;
      }
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
               "group_by must be one of model, provider, key, org");
  return FALSE;
}

const char *
gr_stats_granularity_to_string (GrStatsGranularity granularity)
{
  g_return_val_if_fail ((guint) granularity < G_N_ELEMENTS (granularity_names), NULL);
  return granularity_names[granularity];
}

const char *
gr_stats_group_by_to_string (GrStatsGroupBy group_by)
{
  g_return_val_if_fail ((guint) group_by < G_N_ELEMENTS (group_by_names), NULL);
  return group_by_names[group_by];
}

gboolean
gr_log_sort_from_string (const char  *name,
                         GrLogSort   *out,
                         GError     **error)
{
  g_return_val_if_fail (out != NULL, FALSE);

  if (name == NULL || *name == '\0')
    {
      *out = GR_LOG_SORT_TS_DESC;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (sort_names); i++)
    if (g_str_equal (name, sort_names[i]))
      {
        *out = (GrLogSort) i;
        return TRUE;
      }
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
               "sort must be one of ts_desc, ts_asc, latency_desc, cost_desc");
  return FALSE;
}

static gboolean
parse_offset (const char *name,
              char      **normalized)
{
  const char *p = name + 1;
  int hours, minutes = 0;

  if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
    return FALSE;
  hours = (p[0] - '0') * 10 + (p[1] - '0');
  p += 2;
  if (*p == ':')
    p++;
  if (*p != '\0')
    {
      if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]) || p[2] != '\0')
        return FALSE;
      minutes = (p[0] - '0') * 10 + (p[1] - '0');
    }
  if (hours > 14 || minutes > 59 || (hours == 14 && minutes > 0))
    return FALSE;
  *normalized = g_strdup_printf ("%c%02d:%02d", name[0], hours, minutes);
  return TRUE;
}

/* Region/City names of the tz database: letters, digits, '_', '-', '+'
 * and '/' between non-empty parts.  No dots and no leading slash, so
 * nothing but a zone file under the zoneinfo directory can be opened. */
static gboolean
is_zone_name (const char *name)
{
  gsize len = strlen (name);

  if (len == 0 || len > 64 || !g_ascii_isalpha (name[0]) || name[len - 1] == '/')
    return FALSE;
  for (const char *p = name; *p; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '_' || *p == '-' || *p == '+')
        continue;
      if (*p == '/' && p[1] != '/')
        continue;
      return FALSE;
    }
  return TRUE;
}

GTimeZone *
gr_stats_time_zone_new (const char  *name,
                        GError     **error)
{
  g_autofree char *offset = NULL;
  GTimeZone *tz = NULL;

  if (name == NULL || *name == '\0' || g_str_equal (name, "UTC") || g_str_equal (name, "Z"))
    return g_time_zone_new_utc ();

  if (name[0] == '+' || name[0] == '-')
    {
      if (parse_offset (name, &offset))
        tz = g_time_zone_new_identifier (offset);
    }
  else if (is_zone_name (name))
    tz = g_time_zone_new_identifier (name);

  if (tz == NULL)
    g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                 "unknown time zone \"%s\" (an IANA name such as Europe/Paris, or an offset such as +08:00)",
                 name);
  return tz;
}

static GDateTime *
date_time_from_ms (gint64     ms,
                   GTimeZone *tz)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (floor_div (ms, 1000));

  if (utc == NULL)
    return NULL;
  return g_date_time_to_timezone (utc, tz);
}

char *
gr_stats_format_time (gint64     ms,
                      GTimeZone *tz)
{
  g_autoptr(GTimeZone) utc = NULL;
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *base = NULL;
  GString *out;
  gint64 frac = ms - floor_div (ms, 1000) * 1000;
  GTimeSpan offset;
  gint64 offset_min;

  if (tz == NULL)
    tz = utc = g_time_zone_new_utc ();
  dt = date_time_from_ms (ms, tz);
  if (dt == NULL)
    return NULL;

  base = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  out = g_string_new (base);
  if (frac != 0)
    g_string_append_printf (out, ".%03d", (int) frac);
  offset = g_date_time_get_utc_offset (dt);
  offset_min = offset / G_TIME_SPAN_MINUTE;
  if (offset_min == 0)
    g_string_append_c (out, 'Z');
  else
    g_string_append_printf (out, "%c%02d:%02d", offset_min < 0 ? '-' : '+',
                            (int) (ABS (offset_min) / 60), (int) (ABS (offset_min) % 60));
  return g_string_free (out, FALSE);
}

static gboolean
local_date_of (gint64     ms,
               GTimeZone *tz,
               GDate     *date)
{
  g_autoptr(GDateTime) dt = date_time_from_ms (ms, tz);

  if (dt == NULL)
    return FALSE;
  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (dt),
                  g_date_time_get_month (dt), g_date_time_get_year (dt));
  return TRUE;
}

/* Unix ms of the first instant of a local date.  Where midnight does not
 * exist (DST starting at 00:00) GLib moves it to the transition, which is
 * the day's first instant all the same. */
static gboolean
local_midnight (const GDate *date,
                GTimeZone   *tz,
                gint64      *ms)
{
  g_autoptr(GDateTime) dt = NULL;

  if (!g_date_valid (date))
    return FALSE;
  dt = g_date_time_new (tz, g_date_get_year (date), g_date_get_month (date),
                        g_date_get_day (date), 0, 0, 0);
  if (dt == NULL)
    return FALSE;
  *ms = g_date_time_to_unix (dt) * 1000;
  return TRUE;
}

/* ---- rollups ---------------------------------------------------------- */

typedef struct
{
  gint64         hour;
  const char    *key_id;    /* borrowed from the events; "" for none */
  const char    *org_id;
  const char    *provider;
  const char    *model;
  GrStatsCounts  counts;
  guint64        hist[GR_STATS_LATENCY_BUCKETS];
} RollupCell;

static guint
rollup_cell_hash (gconstpointer p)
{
  const RollupCell *c = p;
  guint h = g_int64_hash (&c->hour);

  h = h * 31 + g_str_hash (c->key_id);
  h = h * 31 + g_str_hash (c->org_id);
  h = h * 31 + g_str_hash (c->provider);
  return h * 31 + g_str_hash (c->model);
}

static gboolean
rollup_cell_equal (gconstpointer a,
                   gconstpointer b)
{
  const RollupCell *x = a, *y = b;

  return x->hour == y->hour &&
         g_str_equal (x->key_id, y->key_id) &&
         g_str_equal (x->org_id, y->org_id) &&
         g_str_equal (x->provider, y->provider) &&
         g_str_equal (x->model, y->model);
}

static gboolean
rollup_write_cell (GrDbStmt      *select,
                   GrDbStmt      *upsert,
                   RollupCell    *c,
                   GError       **error)
{
  guint8 blob[HIST_BLOB_SIZE];
  GrDbStep rc;

  /* The histogram cannot be added up in SQL, so the stored one is read
   * and merged here; the caller's transaction and the store lock make
   * the read-modify-write safe. */
  gr_db_stmt_bind_int64 (select, 1, c->hour);
  gr_db_stmt_bind_text (select, 2, c->key_id);
  gr_db_stmt_bind_text (select, 3, c->org_id);
  gr_db_stmt_bind_text (select, 4, c->provider);
  gr_db_stmt_bind_text (select, 5, c->model);
  rc = gr_db_stmt_step (select, error);
  if (rc == GR_DB_ROW)
    {
      gsize len = 0;
      gconstpointer stored = gr_db_stmt_column_blob (select, 0, &len);

      hist_add_blob (c->hist, stored, len);
    }
  gr_db_stmt_reset (select);
  if (rc == GR_DB_ERROR)
    return FALSE;

  hist_to_blob (c->hist, blob);
  gr_db_stmt_bind_int64 (upsert, 1, c->hour);
  gr_db_stmt_bind_text (upsert, 2, c->key_id);
  gr_db_stmt_bind_text (upsert, 3, c->org_id);
  gr_db_stmt_bind_text (upsert, 4, c->provider);
  gr_db_stmt_bind_text (upsert, 5, c->model);
  gr_db_stmt_bind_int64 (upsert, 6, c->counts.requests);
  gr_db_stmt_bind_int64 (upsert, 7, c->counts.errors);
  gr_db_stmt_bind_int64 (upsert, 8, c->counts.prompt_tokens);
  gr_db_stmt_bind_int64 (upsert, 9, c->counts.completion_tokens);
  gr_db_stmt_bind_int64 (upsert, 10, c->counts.cached_tokens);
  gr_db_stmt_bind_int64 (upsert, 11, c->counts.cost_micros);
  gr_db_stmt_bind_int64 (upsert, 12, c->counts.latency_ms_sum);
  gr_db_stmt_bind_blob (upsert, 13, blob, sizeof blob);
  rc = gr_db_stmt_step (upsert, error);
  gr_db_stmt_reset (upsert);
  return rc == GR_DB_DONE;
}

gboolean
gr_store_stats_add_locked (GrStore    *store,
                           GPtrArray  *events,
                           GError    **error)
{
  GrDb *db;
  g_autoptr(GHashTable) cells = NULL;
  GrDbStmt *select = NULL;
  GrDbStmt *upsert = NULL;
  GHashTableIter iter;
  gpointer key;
  gboolean ok = TRUE;

  g_return_val_if_fail (GR_IS_STORE (store), FALSE);
  g_return_val_if_fail (events != NULL, FALSE);

  if (events->len == 0)
    return TRUE;
  db = gr_store_get_db (store);

  /* A batch is mostly a few keys and models in one or two hours: summing
   * it in memory first turns hundreds of events into a few upserts. */
  cells = g_hash_table_new_full (rollup_cell_hash, rollup_cell_equal, g_free, NULL);
  for (guint i = 0; i < events->len; i++)
    {
      const GrUsageEvent *e = g_ptr_array_index (events, i);
      RollupCell probe = {
        .hour = hour_floor (e->ts),
        .key_id = e->key_id ? e->key_id : "",
        .org_id = e->org_id ? e->org_id : "",
        .provider = e->provider ? e->provider : "",
        .model = e->model ? e->model : "",
      };
      RollupCell *c = g_hash_table_lookup (cells, &probe);

      if (c == NULL)
        {
          c = g_memdup2 (&probe, sizeof probe);
          g_hash_table_add (cells, c);
        }
      c->counts.requests++;
      c->counts.errors += e->status >= 400 ? 1 : 0;
      c->counts.prompt_tokens += e->prompt_tokens;
      c->counts.completion_tokens += e->completion_tokens;
      c->counts.cached_tokens += e->cached_tokens;
      c->counts.cost_micros += e->cost_micros;
      c->counts.latency_ms_sum += MAX (e->latency_ms, 0);
      c->hist[gr_stats_latency_bucket (e->latency_ms)]++;
    }

  /* Several gateways on one PostgreSQL database write rollups at once:
   * their read-merge-write of the histograms takes turns. */
  if (!gr_store_lock_transaction (store, ROLLUP_LOCK, error))
    return FALSE;
  select = gr_sql_prepare (db,
                           "SELECT latency_hist FROM usage_hourly "
                           "WHERE hour = ? AND key_id = ? AND org_id = ? AND provider = ? AND model = ?;",
                           error);
  if (select != NULL)
    upsert = gr_sql_prepare (db,
                             "INSERT INTO usage_hourly (hour, key_id, org_id, provider, model, "
                             "requests, errors, prompt_tokens, completion_tokens, cached_tokens, "
                             "cost_micros, latency_ms_sum, latency_hist) "
                             "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
                             "ON CONFLICT (hour, key_id, org_id, provider, model) DO UPDATE SET "
                             "requests = usage_hourly.requests + excluded.requests, "
                             "errors = usage_hourly.errors + excluded.errors, "
                             "prompt_tokens = usage_hourly.prompt_tokens + excluded.prompt_tokens, "
                             "completion_tokens = usage_hourly.completion_tokens + excluded.completion_tokens, "
                             "cached_tokens = usage_hourly.cached_tokens + excluded.cached_tokens, "
                             "cost_micros = usage_hourly.cost_micros + excluded.cost_micros, "
                             "latency_ms_sum = usage_hourly.latency_ms_sum + excluded.latency_ms_sum, "
                             "latency_hist = excluded.latency_hist;",
                             error);
  if (select == NULL || upsert == NULL)
    ok = FALSE;

  g_hash_table_iter_init (&iter, cells);
  while (ok && g_hash_table_iter_next (&iter, &key, NULL))
    ok = rollup_write_cell (select, upsert, key, error);

  gr_db_stmt_finalize (select);
  gr_db_stmt_finalize (upsert);
  return ok;
}

/* ---- queries ---------------------------------------------------------- */

typedef struct
{
  guint         idx;
  GrStatsCounts counts;
} SparseBucket;

typedef struct
{
  GrStatsGroup *group;
  GArray       *sparse;   /* SparseBucket by increasing idx */
} GroupAcc;

static void
group_free (GrStatsGroup *group)
{
  if (group == NULL)
    return;
  g_free (group->group);
  g_clear_pointer (&group->series, g_array_unref);
  g_free (group);
}

static void
group_acc_free (GroupAcc *acc)
{
  group_free (acc->group);
  g_array_unref (acc->sparse);
  g_free (acc);
}

void
gr_stats_result_free (GrStatsResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->tz, g_time_zone_unref);
  g_clear_pointer (&result->series, g_array_unref);
  g_clear_pointer (&result->groups, g_ptr_array_unref);
  g_free (result);
}

/* Fills starts with the bucket boundaries: n + 1 instants, the last one
 * the end of the widened range. */
static gboolean
compute_buckets (const GrStatsQuery *q,
                 GTimeZone          *tz,
                 GArray             *starts,
                 GError            **error)
{
  if (q->granularity == GR_STATS_HOUR)
    {
      gint64 start = hour_floor (q->start_ms);
      gint64 end = hour_floor (q->end_ms - 1) + HOUR_MS;

      if ((end - start) / HOUR_MS > GR_STATS_MAX_BUCKETS)
        goto too_many;
      for (gint64 t = start; t <= end; t += HOUR_MS)
        g_array_append_val (starts, t);
      return TRUE;
    }
  else
    {
      GDate date;
      gint64 t;

      if (!local_date_of (q->start_ms, tz, &date) || !local_midnight (&date, tz, &t))
        goto out_of_range;
      while (t > q->start_ms)
        {
          g_date_subtract_days (&date, 1);
          if (!local_midnight (&date, tz, &t))
            goto out_of_range;
        }
      g_array_append_val (starts, t);
      while (t < q->end_ms)
        {
          gint64 next;

          if (starts->len > GR_STATS_MAX_BUCKETS)
            goto too_many;
          g_date_add_days (&date, 1);
          if (!local_midnight (&date, tz, &next) || next <= t)
            goto out_of_range;
          t = next;
          g_array_append_val (starts, t);
        }
      return TRUE;
    }

too_many:
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
               "the range holds more than %d buckets; use a coarser granularity",
               GR_STATS_MAX_BUCKETS);
  return FALSE;

out_of_range:
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "the range is out of the calendar");
  return FALSE;
}

static GArray *
dense_series (GArray *starts)
{
  GArray *series = g_array_sized_new (FALSE, TRUE, sizeof (GrStatsBucket), starts->len - 1);

  g_array_set_size (series, starts->len - 1);
  for (guint i = 0; i + 1 < starts->len; i++)
    g_array_index (series, GrStatsBucket, i).start_ms = g_array_index (starts, gint64, i);
  return series;
}

static int
compare_group_accs (gconstpointer a,
                    gconstpointer b)
{
  const GrStatsGroup *x = (*(GroupAcc * const *) a)->group;
  const GrStatsGroup *y = (*(GroupAcc * const *) b)->group;

  if (x->totals.counts.requests != y->totals.counts.requests)
    return x->totals.counts.requests > y->totals.counts.requests ? -1 : 1;
  if (x->totals.counts.cost_micros != y->totals.counts.cost_micros)
    return x->totals.counts.cost_micros > y->totals.counts.cost_micros ? -1 : 1;
  return strcmp (x->group, y->group);
}

static gboolean
query_locked (GrStore             *store,
              const GrStatsQuery  *q,
              GArray              *starts,
              GrStatsResult       *result,
              GHashTable          *groups,
              GPtrArray           *accs,
              GError             **error)
{
  GrDb *db = gr_store_get_db (store);
  SqlBuilder b;
  GrDbStmt *stmt;
  guint idx = 0;
  guint n = starts->len - 1;
  GrDbStep rc;

  /* Only constant fragments go into the SQL; the values are bound. */
  builder_init (&b, "SELECT hour, key_id, org_id, provider, model, requests, errors, "
                    "prompt_tokens, completion_tokens, cached_tokens, cost_micros, "
                    "latency_ms_sum, latency_hist FROM usage_hourly WHERE 1 = 1");
  builder_int_filter (&b, " AND hour >= ?#", g_array_index (starts, gint64, 0));
  builder_int_filter (&b, " AND hour < ?#", g_array_index (starts, gint64, n));
  if (q->org_id != NULL)
    builder_text_filter (&b, " AND org_id = ?#", q->org_id);
  if (q->key_id != NULL)
    builder_text_filter (&b, " AND key_id = ?#", q->key_id);
  if (q->provider != NULL)
    builder_text_filter (&b, " AND provider = ?#", q->provider);
  if (q->model != NULL)
    builder_text_filter (&b, " AND model = ?#", q->model);
  g_string_append (b.sql, " ORDER BY hour;");

  stmt = gr_sql_prepare (db, b.sql->str, error);
  if (stmt != NULL)
    builder_bind (&b, stmt);
  builder_clear (&b);
  if (stmt == NULL)
    return FALSE;

  while ((rc = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
    {
      gint64 hour = gr_db_stmt_column_int64 (stmt, 0);
      GrStatsCounts counts = {
        .requests = gr_db_stmt_column_int64 (stmt, 5),
        .errors = gr_db_stmt_column_int64 (stmt, 6),
        .prompt_tokens = gr_db_stmt_column_int64 (stmt, 7),
        .completion_tokens = gr_db_stmt_column_int64 (stmt, 8),
        .cached_tokens = gr_db_stmt_column_int64 (stmt, 9),
        .cost_micros = gr_db_stmt_column_int64 (stmt, 10),
        .latency_ms_sum = gr_db_stmt_column_int64 (stmt, 11),
      };
      gsize blob_len = 0;
      gconstpointer blob = gr_db_stmt_column_blob (stmt, 12, &blob_len);

      /* Rows come by increasing hour, so the bucket only moves forward. */
      while (idx + 1 < n && hour >= g_array_index (starts, gint64, idx + 1))
        idx++;

      counts_add (&result->totals.counts, &counts);
      hist_add_blob (result->totals.latency_hist, blob, blob_len);
      counts_add (&g_array_index (result->series, GrStatsBucket, idx).counts, &counts);

      if (groups != NULL)
        {
          /* Columns 4, 3, 1, 2 are model, provider, key and org. */
          static const int group_column[] = { 0, 4, 3, 1, 2 };
          const char *name = column_text (stmt, group_column[q->group_by]);
          GroupAcc *acc = g_hash_table_lookup (groups, name);
          SparseBucket *last;

          if (acc == NULL)
            {
              acc = g_new0 (GroupAcc, 1);
              acc->group = g_new0 (GrStatsGroup, 1);
              acc->group->group = g_strdup (name);
              acc->sparse = g_array_new (FALSE, TRUE, sizeof (SparseBucket));
              g_hash_table_insert (groups, acc->group->group, acc);
              g_ptr_array_add (accs, acc);
            }
          counts_add (&acc->group->totals.counts, &counts);
          hist_add_blob (acc->group->totals.latency_hist, blob, blob_len);

          last = acc->sparse->len > 0
               ? &g_array_index (acc->sparse, SparseBucket, acc->sparse->len - 1) : NULL;
          if (last == NULL || last->idx != idx)
            {
              SparseBucket fresh = { .idx = idx };

              g_array_append_val (acc->sparse, fresh);
              last = &g_array_index (acc->sparse, SparseBucket, acc->sparse->len - 1);
            }
          counts_add (&last->counts, &counts);
        }
    }
  gr_db_stmt_finalize (stmt);
  return rc == GR_DB_DONE;
}

GrStatsResult *
gr_store_stats_query (GrStore             *store,
                      const GrStatsQuery  *q,
                      GError             **error)
{
  g_autoptr(GrStatsResult) result = NULL;
  g_autoptr(GArray) starts = NULL;
  g_autoptr(GHashTable) groups = NULL;
  g_autoptr(GPtrArray) accs = NULL;
  gboolean ok;

  g_return_val_if_fail (GR_IS_STORE (store), NULL);
  g_return_val_if_fail (q != NULL, NULL);
  g_return_val_if_fail ((guint) q->granularity < G_N_ELEMENTS (granularity_names), NULL);
  g_return_val_if_fail ((guint) q->group_by < G_N_ELEMENTS (group_by_names), NULL);

  if (q->start_ms < 0 || q->end_ms > MAX_TIME_MS || q->end_ms <= q->start_ms)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "the range must have start before end, both after 1970");
      return NULL;
    }

  result = g_new0 (GrStatsResult, 1);
  result->granularity = q->granularity;
  result->group_by = q->group_by;
  result->tz = q->tz ? g_time_zone_ref (q->tz) : g_time_zone_new_utc ();
  result->groups = g_ptr_array_new_with_free_func ((GDestroyNotify) group_free);

  starts = g_array_new (FALSE, FALSE, sizeof (gint64));
  if (!compute_buckets (q, result->tz, starts, error))
    return NULL;
  result->start_ms = g_array_index (starts, gint64, 0);
  result->end_ms = g_array_index (starts, gint64, starts->len - 1);
  result->series = dense_series (starts);

  /* The table finds a group by name; the array owns the accumulators. */
  if (q->group_by != GR_STATS_GROUP_NONE)
    {
      groups = g_hash_table_new (g_str_hash, g_str_equal);
      accs = g_ptr_array_new_with_free_func ((GDestroyNotify) group_acc_free);
    }

  gr_store_lock (store);
  ok = query_locked (store, q, starts, result, groups, accs, error);
  gr_store_unlock (store);
  if (!ok)
    return NULL;

  if (accs != NULL)
    {
      guint keep;

      g_clear_pointer (&groups, g_hash_table_unref);
      g_ptr_array_sort (accs, compare_group_accs);
      keep = q->group_limit > 0 ? MIN (q->group_limit, accs->len) : accs->len;
      for (guint i = 0; i < keep; i++)
        {
          GroupAcc *acc = g_ptr_array_index (accs, i);

          acc->group->series = dense_series (starts);
          for (guint j = 0; j < acc->sparse->len; j++)
            {
              const SparseBucket *b = &g_array_index (acc->sparse, SparseBucket, j);

              counts_add (&g_array_index (acc->group->series, GrStatsBucket, b->idx).counts,
                          &b->counts);
            }
          g_ptr_array_add (result->groups, g_steal_pointer (&acc->group));
        }
    }

  return g_steal_pointer (&result);
}

/* ---- JSON ------------------------------------------------------------- */

static void
add_time_member (JsonBuilder *builder,
                 const char  *name,
                 gint64       ms,
                 GTimeZone   *tz)
{
  g_autofree char *text = gr_stats_format_time (ms, tz);

  /* Only a corrupt row has a time outside the years 1..9999. */
  json_builder_set_member_name (builder, name);
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
}

static void
add_int_member (JsonBuilder *builder,
                const char  *name,
                gint64       value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

static void
add_string_or_null_member (JsonBuilder *builder,
                           const char  *name,
                           const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_counts_members (JsonBuilder         *builder,
                    const GrStatsCounts *c)
{
  add_int_member (builder, "requests", c->requests);
  add_int_member (builder, "errors", c->errors);
  add_int_member (builder, "prompt_tokens", c->prompt_tokens);
  add_int_member (builder, "completion_tokens", c->completion_tokens);
  add_int_member (builder, "cached_tokens", c->cached_tokens);
  add_int_member (builder, "total_tokens", c->prompt_tokens + c->completion_tokens);
  add_int_member (builder, "cost_micros", c->cost_micros);
}

static void
add_totals (JsonBuilder         *builder,
            const GrStatsTotals *totals)
{
  json_builder_begin_object (builder);
  add_counts_members (builder, &totals->counts);
  add_int_member (builder, "avg_latency_ms", gr_stats_totals_avg_latency_ms (totals));
  add_int_member (builder, "p95_latency_ms", gr_stats_totals_p95_latency_ms (totals));
  json_builder_end_object (builder);
}

JsonNode *
gr_stats_totals_to_json (const GrStatsTotals *totals)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (totals != NULL, NULL);

  add_totals (builder, totals);
  return json_builder_get_root (builder);
}

static void
add_series (JsonBuilder *builder,
            GArray      *series,
            GTimeZone   *tz)
{
  json_builder_begin_array (builder);
  for (guint i = 0; i < series->len; i++)
    {
      const GrStatsBucket *b = &g_array_index (series, GrStatsBucket, i);
      GrStatsTotals t = { .counts = b->counts };

      json_builder_begin_object (builder);
      add_time_member (builder, "start", b->start_ms, tz);
      add_counts_members (builder, &b->counts);
      add_int_member (builder, "avg_latency_ms", gr_stats_totals_avg_latency_ms (&t));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* Events without a key, org, provider or model are rolled up under "";
 * the API shows that as null. */
static void
add_group_name (JsonBuilder  *builder,
                const char   *group)
{
  add_string_or_null_member (builder, "group", group && *group ? group : NULL);
}

JsonNode *
gr_stats_result_to_json (const GrStatsResult *result)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (result != NULL, NULL);

  json_builder_begin_object (builder);
  add_time_member (builder, "start", result->start_ms, result->tz);
  add_time_member (builder, "end", result->end_ms, result->tz);
  json_builder_set_member_name (builder, "granularity");
  json_builder_add_string_value (builder, gr_stats_granularity_to_string (result->granularity));
  json_builder_set_member_name (builder, "tz");
  json_builder_add_string_value (builder, g_time_zone_get_identifier (result->tz));
  add_string_or_null_member (builder, "group_by", gr_stats_group_by_to_string (result->group_by));
  json_builder_set_member_name (builder, "totals");
  add_totals (builder, &result->totals);
  json_builder_set_member_name (builder, "series");
  add_series (builder, result->series, result->tz);
  if (result->group_by != GR_STATS_GROUP_NONE)
    {
      json_builder_set_member_name (builder, "groups");
      json_builder_begin_array (builder);
      for (guint i = 0; i < result->groups->len; i++)
        {
          const GrStatsGroup *g = g_ptr_array_index (result->groups, i);

          json_builder_begin_object (builder);
          add_group_name (builder, g->group);
          json_builder_set_member_name (builder, "totals");
          add_totals (builder, &g->totals);
          json_builder_set_member_name (builder, "series");
          add_series (builder, g->series, result->tz);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- dashboard summary ------------------------------------------------ */

void
gr_stats_summary_free (GrStatsSummary *summary)
{
  if (summary == NULL)
    return;
  g_clear_pointer (&summary->tz, g_time_zone_unref);
  g_clear_pointer (&summary->top_models, g_ptr_array_unref);
  g_clear_pointer (&summary->top_keys, g_ptr_array_unref);
  g_free (summary);
}

static gboolean
summary_totals (GrStore        *store,
                const char     *org_id,
                const char     *key_id,
                GTimeZone      *tz,
                gint64          start_ms,
                gint64          end_ms,
                GrStatsGroupBy  group_by,
                GrStatsTotals  *totals,
                GPtrArray     **top,
                GError        **error)
{
  GrStatsQuery q = {
    .start_ms = start_ms,
    .end_ms = end_ms,
    .granularity = GR_STATS_DAY,
    .tz = tz,
    .org_id = org_id,
    .key_id = key_id,
    .group_by = group_by,
    .group_limit = 5,
  };
  g_autoptr(GrStatsResult) result = gr_store_stats_query (store, &q, error);

  if (result == NULL)
    return FALSE;
  if (totals != NULL)
    *totals = result->totals;
  if (top != NULL)
    *top = g_steal_pointer (&result->groups);
  return TRUE;
}

GrStatsSummary *
gr_store_stats_summary (GrStore     *store,
                        const char  *org_id,
                        const char  *key_id,
                        gint64       now_ms,
                        GTimeZone   *tz,
                        GError     **error)
{
  g_autoptr(GrStatsSummary) s = NULL;
  GDate today, day, month, next_month, previous_month;

  g_return_val_if_fail (GR_IS_STORE (store), NULL);

  s = g_new0 (GrStatsSummary, 1);
  s->tz = tz ? g_time_zone_ref (tz) : g_time_zone_new_utc ();
  s->now_ms = now_ms;

  if (now_ms < 0 || now_ms > MAX_TIME_MS || !local_date_of (now_ms, s->tz, &today))
    goto out_of_range;

  /* Local calendar days and months, so that "today" starts at the
   * user's midnight and DST days keep their 23 or 25 hours. */
  day = today;
  if (!local_midnight (&day, s->tz, &s->today_start_ms))
    goto out_of_range;
  g_date_add_days (&day, 1);
  if (!local_midnight (&day, s->tz, &s->tomorrow_start_ms))
    goto out_of_range;
  day = today;
  g_date_subtract_days (&day, 1);
  if (!local_midnight (&day, s->tz, &s->yesterday_start_ms))
    goto out_of_range;

  g_date_clear (&month, 1);
  g_date_set_dmy (&month, 1, g_date_get_month (&today), g_date_get_year (&today));
  next_month = month;
  g_date_add_months (&next_month, 1);
  previous_month = month;
  g_date_subtract_months (&previous_month, 1);
  if (!local_midnight (&month, s->tz, &s->month_start_ms) ||
      !local_midnight (&next_month, s->tz, &s->next_month_start_ms) ||
      !local_midnight (&previous_month, s->tz, &s->previous_month_start_ms))
    goto out_of_range;

  if (!summary_totals (store, org_id, key_id, s->tz, s->today_start_ms, s->tomorrow_start_ms,
                       GR_STATS_GROUP_NONE, &s->today, NULL, error) ||
      !summary_totals (store, org_id, key_id, s->tz, s->yesterday_start_ms, s->today_start_ms,
                       GR_STATS_GROUP_NONE, &s->yesterday, NULL, error) ||
      !summary_totals (store, org_id, key_id, s->tz, s->previous_month_start_ms, s->month_start_ms,
                       GR_STATS_GROUP_NONE, &s->previous_month, NULL, error) ||
      !summary_totals (store, org_id, key_id, s->tz, s->month_start_ms, s->next_month_start_ms,
                       GR_STATS_GROUP_MODEL, &s->this_month, &s->top_models, error) ||
      !summary_totals (store, org_id, key_id, s->tz, s->month_start_ms, s->next_month_start_ms,
                       GR_STATS_GROUP_KEY, NULL, &s->top_keys, error))
    return NULL;

  return g_steal_pointer (&s);

out_of_range:
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "the time is out of the calendar");
  return NULL;
}

static void
add_period (JsonBuilder         *builder,
            const char          *name,
            gint64               start_ms,
            gint64               end_ms,
            GTimeZone           *tz,
            const GrStatsTotals *totals)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  add_time_member (builder, "start", start_ms, tz);
  add_time_member (builder, "end", end_ms, tz);
  json_builder_set_member_name (builder, "totals");
  add_totals (builder, totals);
  json_builder_end_object (builder);
}

static void
add_top (JsonBuilder *builder,
         const char  *name,
         GPtrArray   *groups)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < groups->len; i++)
    {
      const GrStatsGroup *g = g_ptr_array_index (groups, i);

      json_builder_begin_object (builder);
      add_group_name (builder, g->group);
      json_builder_set_member_name (builder, "totals");
      add_totals (builder, &g->totals);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

JsonNode *
gr_stats_summary_to_json (const GrStatsSummary *s)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (s != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "tz");
  json_builder_add_string_value (builder, g_time_zone_get_identifier (s->tz));
  add_time_member (builder, "now", s->now_ms, s->tz);
  add_period (builder, "today", s->today_start_ms, s->tomorrow_start_ms, s->tz, &s->today);
  add_period (builder, "yesterday", s->yesterday_start_ms, s->today_start_ms, s->tz, &s->yesterday);
  add_period (builder, "this_month", s->month_start_ms, s->next_month_start_ms, s->tz, &s->this_month);
  add_period (builder, "previous_month", s->previous_month_start_ms, s->month_start_ms, s->tz,
              &s->previous_month);
  add_top (builder, "top_models", s->top_models);
  add_top (builder, "top_keys", s->top_keys);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- request logs ----------------------------------------------------- */

void
gr_log_page_free (GrLogPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->rows, g_ptr_array_unref);
  g_free (page);
}

/* "2xx" → [200, 299]; "404" → [404, 404]. */
static gboolean
parse_status (const char  *status,
              int         *lo,
              int         *hi,
              GError     **error)
{
  if (strlen (status) == 3 && status[0] >= '1' && status[0] <= '5')
    {
      if (g_ascii_tolower (status[1]) == 'x' && g_ascii_tolower (status[2]) == 'x')
        {
          *lo = (status[0] - '0') * 100;
          *hi = *lo + 99;
          return TRUE;
        }
      if (g_ascii_isdigit (status[1]) && g_ascii_isdigit (status[2]))
        {
          *lo = *hi = (int) g_ascii_strtoll (status, NULL, 10);
          return TRUE;
        }
    }
  g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
               "status must be a class such as 4xx or a code such as 429");
  return FALSE;
}

/* LIKE pattern matching text anywhere, with its own % and _ literal. */
static char *
like_pattern (const char *text)
{
  GString *out = g_string_new ("%");

  for (const char *p = text; *p; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '%');
  return g_string_free (out, FALSE);
}

static void
append_log_where (SqlBuilder       *b,
                  const GrLogQuery *q,
                  int               status_lo,
                  int               status_hi,
                  const char       *pattern)
{
  /* Constant fragments only: every value is a bound parameter. */
  g_string_append (b->sql, " WHERE 1 = 1");
  if (q->org_id != NULL)
    builder_text_filter (b, " AND org_id = ?#", q->org_id);
  if (q->key_id != NULL)
    builder_text_filter (b, " AND key_id = ?#", q->key_id);
  if (q->provider != NULL)
    builder_text_filter (b, " AND provider = ?#", q->provider);
  if (q->model != NULL)
    builder_text_filter (b, " AND model = ?#", q->model);
  if (q->status != NULL && *q->status != '\0')
    {
      builder_int_filter (b, " AND status >= ?#", status_lo);
      builder_int_filter (b, " AND status <= ?#", status_hi);
    }
  if (q->stream >= 0)
    builder_int_filter (b, " AND stream = ?#", q->stream > 0 ? 1 : 0);
  if (q->since_ms != 0)
    builder_int_filter (b, " AND ts >= ?#", q->since_ms);
  if (q->until_ms != 0)
    builder_int_filter (b, " AND ts < ?#", q->until_ms);
  if (pattern != NULL)
    builder_text_filter (b, " AND (LOWER(request_id) LIKE LOWER(?#) ESCAPE '\\'"
                         " OR LOWER(model) LIKE LOWER(?#) ESCAPE '\\')",
                         pattern);
}

static gboolean
list_logs_locked (GrDb              *db,
                  const GrLogQuery  *q,
                  int                status_lo,
                  int                status_hi,
                  const char        *pattern,
                  GrLogPage         *page,
                  GError           **error)
{
  /* The sort comes from this list, never from the caller's text. */
  static const char * const order_by[] = {
    [GR_LOG_SORT_TS_DESC] = " ORDER BY ts DESC, id DESC",
    [GR_LOG_SORT_TS_ASC] = " ORDER BY ts ASC, id ASC",
    [GR_LOG_SORT_LATENCY_DESC] = " ORDER BY latency_ms DESC, id DESC",
    [GR_LOG_SORT_COST_DESC] = " ORDER BY cost_micros DESC, id DESC",
  };
  SqlBuilder count_sql, rows_sql;
  GrDbStmt *stmt;
  GrDbStep rc;

  builder_init (&count_sql, "SELECT COUNT(*) FROM usage_events");
  append_log_where (&count_sql, q, status_lo, status_hi, pattern);
  stmt = gr_sql_prepare (db, count_sql.sql->str, error);
  if (stmt != NULL)
    builder_bind (&count_sql, stmt);
  builder_clear (&count_sql);
  if (stmt == NULL)
    return FALSE;
  rc = gr_db_stmt_step (stmt, error);
  if (rc == GR_DB_ROW)
    page->total = gr_db_stmt_column_int64 (stmt, 0);
  gr_db_stmt_finalize (stmt);
  if (rc != GR_DB_ROW)
    return FALSE;

  builder_init (&rows_sql, "SELECT " GR_STORE_USAGE_COLUMNS " FROM usage_events");
  append_log_where (&rows_sql, q, status_lo, status_hi, pattern);
  g_string_append (rows_sql.sql, order_by[q->sort]);
  builder_int_filter (&rows_sql, " LIMIT ?#", page->page_size);
  builder_int_filter (&rows_sql, " OFFSET ?#;", (gint64) (page->page - 1) * page->page_size);
  stmt = gr_sql_prepare (db, rows_sql.sql->str, error);
  if (stmt != NULL)
    builder_bind (&rows_sql, stmt);
  builder_clear (&rows_sql);
  if (stmt == NULL)
    return FALSE;
  while ((rc = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
    g_ptr_array_add (page->rows, gr_store_usage_event_from_row (stmt));
  gr_db_stmt_finalize (stmt);
  return rc == GR_DB_DONE;
}

GrLogPage *
gr_store_list_logs (GrStore           *store,
                    const GrLogQuery  *q,
                    GError           **error)
{
  g_autoptr(GrLogPage) page = NULL;
  g_autofree char *pattern = NULL;
  int status_lo = 0, status_hi = 0;
  gboolean ok;

  g_return_val_if_fail (GR_IS_STORE (store), NULL);
  g_return_val_if_fail (q != NULL, NULL);

  if ((guint) q->sort >= G_N_ELEMENTS (sort_names))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID, "unknown sort");
      return NULL;
    }
  if (q->page_size > GR_LOG_PAGE_SIZE_MAX)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_INVALID,
                   "page_size must be between 1 and %d", GR_LOG_PAGE_SIZE_MAX);
      return NULL;
    }
  if (q->status != NULL && *q->status != '\0' && !parse_status (q->status, &status_lo, &status_hi, error))
    return NULL;
  if (q->q != NULL && *q->q != '\0')
    pattern = like_pattern (q->q);

  page = g_new0 (GrLogPage, 1);
  page->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_usage_event_free);
  page->page = q->page > 0 ? q->page : 1;
  page->page_size = q->page_size > 0 ? q->page_size : GR_LOG_PAGE_SIZE_DEFAULT;

  gr_store_lock (store);
  ok = list_logs_locked (gr_store_get_db (store), q, status_lo, status_hi, pattern, page, error);
  gr_store_unlock (store);

  return ok ? g_steal_pointer (&page) : NULL;
}

JsonNode *
gr_log_page_to_json (const GrLogPage *page)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (page != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_array (builder);
  for (guint i = 0; i < page->rows->len; i++)
    {
      const GrUsageEvent *e = g_ptr_array_index (page->rows, i);

      json_builder_begin_object (builder);
      add_string_or_null_member (builder, "request_id", e->request_id);
      add_time_member (builder, "created_at", e->ts, NULL);
      add_string_or_null_member (builder, "key_id", e->key_id);
      add_string_or_null_member (builder, "org_id", e->org_id);
      add_string_or_null_member (builder, "provider", e->provider);
      add_string_or_null_member (builder, "model", e->model);
      add_string_or_null_member (builder, "endpoint", e->endpoint);
      add_int_member (builder, "status", e->status);
      add_int_member (builder, "prompt_tokens", e->prompt_tokens);
      add_int_member (builder, "completion_tokens", e->completion_tokens);
      add_int_member (builder, "cached_tokens", e->cached_tokens);
      add_int_member (builder, "cost_micros", e->cost_micros);
      add_int_member (builder, "latency_ms", e->latency_ms);
      json_builder_set_member_name (builder, "ttfb_ms");
      if (e->ttfb_ms >= 0)
        json_builder_add_int_value (builder, e->ttfb_ms);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "stream");
      json_builder_add_boolean_value (builder, e->stream);
      json_builder_set_member_name (builder, "partial");
      json_builder_add_boolean_value (builder, e->partial);
      add_string_or_null_member (builder, "error_code", e->error_code);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  add_int_member (builder, "page", page->page);
  add_int_member (builder, "page_size", page->page_size);
  add_int_member (builder, "total", page->total);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- retention -------------------------------------------------------- */

gint64
gr_store_prune_usage (GrStore  *store,
                      gint64    before_ms,
                      GError  **error)
{
  gint64 total = 0;

  g_return_val_if_fail (GR_IS_STORE (store), -1);

  for (;;)
    {
      GrDb *db;
      GrDbStmt *stmt;
      gboolean ok;
      gint64 deleted = 0;

      /* One chunk per transaction and per hold of the lock: the usage
       * writer gets its turn between chunks. */
      gr_store_lock (store);
      db = gr_store_get_db (store);
      ok = gr_db_begin (db, error);
      if (ok)
        {
          stmt = gr_sql_prepare (db,
                                 "DELETE FROM usage_events WHERE id IN "
                                 "(SELECT id FROM usage_events WHERE ts < ?1 ORDER BY ts LIMIT ?2);",
                                 error);
          ok = stmt != NULL;
          if (ok)
            {
              gr_db_stmt_bind_int64 (stmt, 1, before_ms);
              gr_db_stmt_bind_int64 (stmt, 2, PRUNE_CHUNK);
              ok = gr_sql_step_done (stmt, error);
              if (ok)
                deleted = gr_db_changes (db);
            }
          if (ok)
            ok = gr_db_commit (db, error);
          if (!ok)
            gr_db_rollback (db);
        }
      gr_store_unlock (store);

      if (!ok)
        return -1;
      total += deleted;
      if (deleted < PRUNE_CHUNK)
        return total;
    }
}
