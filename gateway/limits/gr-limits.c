/* gr-limits.c — usage limits of keys and organizations: admission, reservations, settlement
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The semantics are documented in gr-limits.h.  Implementation notes:
 *
 *  - One mutex guards everything.  Each critical section touches two
 *    counters (key and organization) and at most grows one ring buffer, so
 *    a mutex per entity would buy little and cost a lock-ordering rule.
 *  - The clock is read with the mutex held: admissions are then stamped in
 *    the order they are admitted, which keeps every rpm ring sorted.
 *  - Windows roll lazily: each counter remembers which day and month its
 *    totals are for and resets itself when it next sees a later one.
 *  - Money and tokens are gint64 and every sum saturates, so a hostile
 *    max_tokens or a corrupt row cannot wrap a counter negative.
 */
#include "config.h"

#include <string.h>

#include "limits/gr-limits.h"
#include "store/gr-store-limits.h"

#define MINUTE_MS ((gint64) 60 * 1000)
#define DAY_MS    ((gint64) 24 * 60 * 60 * 1000)

/* Tokens for a non-text part: OpenAI's cost of one 1024×1024 image in high
 * detail; audio and files get the same flat guess. */
#define NON_TEXT_PART_TOKENS 765
/* Role and separators of each message, as OpenAI's own rule of thumb. */
#define MESSAGE_OVERHEAD_TOKENS 4
#define MAX_N 128

/* ---- saturating arithmetic and UTC calendar ---------------------------- */

static inline gint64
sat_add (gint64 a,
         gint64 b)
{
  /* Both operands are non-negative everywhere this is used. */
  return a > G_MAXINT64 - b ? G_MAXINT64 : a + b;
}

static inline gint64
sat_mul (gint64 a,
         gint64 b)
{
  return (b != 0 && a > G_MAXINT64 / b) ? G_MAXINT64 : a * b;
}

static inline gint64
floor_div (gint64 a,
           gint64 b)
{
  gint64 q = a / b;

  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms): integer-only, no allocation, so they can run under
 * the mutex, unlike GDateTime. */
static gint64
days_from_civil (gint64 y,
                 int    m,
                 int    d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
civil_from_days (gint64  z,
                 gint64 *y_out,
                 int    *m_out,
                 int    *d_out)
{
  gint64 era, doe, yoe, doy, mp;
  int m;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = z - era * 146097;
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  m = (int) (mp < 10 ? mp + 3 : mp - 9);
  *d_out = (int) (doy - (153 * mp + 2) / 5 + 1);
  *m_out = m;
  *y_out = yoe + era * 400 + (m <= 2);
}

gint64
gr_limits_day_start_ms (gint64 unix_ms)
{
  return floor_div (unix_ms, DAY_MS) * DAY_MS;
}

gint64
gr_limits_month_start_ms (gint64 unix_ms)
{
  gint64 y;
  int m, d;

  civil_from_days (floor_div (unix_ms, DAY_MS), &y, &m, &d);
  return days_from_civil (y, m, 1) * DAY_MS;
}

gint64
gr_limits_next_month_ms (gint64 unix_ms)
{
  gint64 y;
  int m, d;

  civil_from_days (floor_div (unix_ms, DAY_MS), &y, &m, &d);
  if (m == 12)
    return days_from_civil (y + 1, 1, 1) * DAY_MS;
  return days_from_civil (y, m + 1, 1) * DAY_MS;
}

typedef struct
{
  gint64 day_start;
  gint64 day_end;
  gint64 month_start;
  gint64 month_end;
} Windows;

static void
windows_for (gint64   now,
             Windows *w)
{
  w->day_start = gr_limits_day_start_ms (now);
  w->day_end = w->day_start + DAY_MS;
  w->month_start = gr_limits_month_start_ms (now);
  w->month_end = gr_limits_next_month_ms (now);
}

/* ---- counters of one key or organization ------------------------------- */

typedef struct
{
  /* Admission times of the last 60 s, oldest first, in a ring. */
  gint64 *ring;
  guint   ring_cap;
  guint   ring_head;
  guint   ring_len;

  gint64  day_start;         /* the day the day totals are for */
  gint64  requests_day;
  gint64  tokens_day;
  gint64  reserved_tokens;   /* outstanding estimates admitted that day */

  gint64  month_start;       /* the month the month totals are for */
  gint64  cost_month;
  gint64  reserved_cost;     /* outstanding estimates admitted that month */

  guint   outstanding;
} Counters;

static void
counters_free (gpointer data)
{
  Counters *c = data;

  g_free (c->ring);
  g_free (c);
}

static inline gint64
ring_at (const Counters *c,
         guint           i)
{
  return c->ring[(c->ring_head + i) % c->ring_cap];
}

static void
ring_push (Counters *c,
           gint64    ts)
{
  if (c->ring_len == c->ring_cap)
    {
      guint cap = MAX (16, c->ring_cap * 2);
      gint64 *ring = g_new (gint64, cap);

      for (guint i = 0; i < c->ring_len; i++)
        ring[i] = ring_at (c, i);
      g_free (c->ring);
      c->ring = ring;
      c->ring_cap = cap;
      c->ring_head = 0;
    }
  /* Keep the ring sorted even if the wall clock stepped back. */
  if (c->ring_len > 0)
    ts = MAX (ts, ring_at (c, c->ring_len - 1));
  c->ring[(c->ring_head + c->ring_len) % c->ring_cap] = ts;
  c->ring_len++;
}

static void
ring_prune (Counters *c,
            gint64    now)
{
  while (c->ring_len > 0 && ring_at (c, 0) + MINUTE_MS <= now)
    {
      c->ring_head = (c->ring_head + 1) % c->ring_cap;
      c->ring_len--;
    }
  /* Give back the memory of a burst once it has passed. */
  if (c->ring_len == 0 && c->ring_cap > 1024)
    {
      g_clear_pointer (&c->ring, g_free);
      c->ring_cap = 0;
      c->ring_head = 0;
    }
}

/* Brings c to the current windows.  Reservations of a past day or month
 * stop counting: their usage belongs to the window they were admitted in. */
static void
counters_roll (Counters      *c,
               const Windows *w,
               gint64         now)
{
  if (c->day_start < w->day_start)
    {
      c->day_start = w->day_start;
      c->requests_day = 0;
      c->tokens_day = 0;
      c->reserved_tokens = 0;
    }
  if (c->month_start < w->month_start)
    {
      c->month_start = w->month_start;
      c->cost_month = 0;
      c->reserved_cost = 0;
    }
  ring_prune (c, now);
}

/* ---- GrLimits ------------------------------------------------------------ */

struct _GrLimits
{
  gatomicrefcount    ref_count;
  GrLimitsClockFunc  now_ms;
  gpointer           clock_data;

  GMutex             lock;
  Windows            windows;  /* current; only moves forward */
  GHashTable        *keys;     /* id → Counters */
  GHashTable        *orgs;     /* id → Counters */
};

struct _GrLimitReservation
{
  GrLimits *limits;
  Counters *key;          /* nullable; owned by limits->keys */
  Counters *org;          /* nullable; owned by limits->orgs */
  gint64    day_start;    /* the windows it was admitted in */
  gint64    month_start;
  gint64    tokens;
  gint64    cost;
};

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time () / 1000;
}

GrLimits *
gr_limits_new (GrLimitsClockFunc now_ms,
               gpointer          clock_data)
{
  GrLimits *self = g_new0 (GrLimits, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->now_ms = now_ms ? now_ms : real_clock;
  self->clock_data = now_ms ? clock_data : NULL;
  g_mutex_init (&self->lock);
  self->keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, counters_free);
  self->orgs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, counters_free);
  return self;
}

GrLimits *
gr_limits_ref (GrLimits *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
gr_limits_unref (GrLimits *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_hash_table_unref (self->keys);
  g_hash_table_unref (self->orgs);
  g_mutex_clear (&self->lock);
  g_free (self);
}

/* Reads the clock and moves the current windows forward if a day or month
 * boundary has passed.  Returns now. */
static gint64
update_windows_locked (GrLimits *self)
{
  gint64 now = self->now_ms (self->clock_data);

  if (now >= self->windows.day_end)
    windows_for (now, &self->windows);
  return now;
}

static Counters *
lookup_counters_locked (GrLimits     *self,
                        GHashTable   *table,
                        const char   *id,
                        gboolean      create,
                        gint64        now)
{
  Counters *c = g_hash_table_lookup (table, id);

  if (c == NULL && create)
    {
      c = g_new0 (Counters, 1);
      c->day_start = self->windows.day_start;
      c->month_start = self->windows.month_start;
      g_hash_table_insert (table, g_strdup (id), c);
    }
  if (c != NULL)
    counters_roll (c, &self->windows, now);
  return c;
}

/* ---- admission ------------------------------------------------------------ */

static gint64
limit_of (const GrLimitSet *set,
          GrLimitKind       kind)
{
  if (set == NULL)
    return GR_LIMIT_UNLIMITED;
  switch (kind)
    {
    case GR_LIMIT_KIND_RPM: return set->rpm;
    case GR_LIMIT_KIND_REQUESTS_PER_DAY: return set->requests_per_day;
    case GR_LIMIT_KIND_TOKENS_PER_DAY: return set->tokens_per_day;
    case GR_LIMIT_KIND_MONTHLY_BUDGET: return set->monthly_budget_micros;
    default: g_assert_not_reached ();
    }
}

static gint64
seconds_until (gint64 then_ms,
               gint64 now_ms)
{
  gint64 ms = then_ms - now_ms;

  return ms <= 0 ? 1 : MAX (1, (ms + 999) / 1000);
}

/* Checks one limit of one scope; on failure fills the numbers of refusal
 * (the message is written later, outside the mutex). */
static gboolean
check_locked (GrLimits       *self,
              Counters       *c,
              GrLimitScope    scope,
              GrLimitKind     kind,
              gint64          limit,
              gint64          requested,
              gint64          now,
              GrLimitRefusal *refusal)
{
  gint64 used = 0, reserved = 0, in_use, resets_at = 0, retry_after = 0;

  if (limit < 0)
    return TRUE;

  switch (kind)
    {
    case GR_LIMIT_KIND_RPM:
      used = c->ring_len;
      break;
    case GR_LIMIT_KIND_REQUESTS_PER_DAY:
      used = c->requests_day;
      break;
    case GR_LIMIT_KIND_TOKENS_PER_DAY:
      used = c->tokens_day;
      reserved = c->reserved_tokens;
      break;
    case GR_LIMIT_KIND_MONTHLY_BUDGET:
      used = c->cost_month;
      reserved = c->reserved_cost;
      break;
    default:
      g_assert_not_reached ();
    }

  in_use = sat_add (used, reserved);
  if (in_use < limit && requested <= limit - in_use)
    return TRUE;

  /* A zero limit, or a request larger than the whole limit, will never
   * pass: no Retry-After then, retrying cannot help. */
  if (limit > 0 && requested <= limit)
    {
      switch (kind)
        {
        case GR_LIMIT_KIND_RPM:
          /* The one whose leaving lets a request in: with n in the window
           * and room for limit, the (n - limit)-th oldest (0-based). */
          resets_at = ring_at (c, (guint) (c->ring_len - limit)) + MINUTE_MS;
          retry_after = seconds_until (resets_at, now);
          break;
        case GR_LIMIT_KIND_REQUESTS_PER_DAY:
        case GR_LIMIT_KIND_TOKENS_PER_DAY:
          resets_at = self->windows.day_end;
          retry_after = seconds_until (resets_at, now);
          break;
        case GR_LIMIT_KIND_MONTHLY_BUDGET:
          resets_at = self->windows.month_end;
          break;
        default:
          g_assert_not_reached ();
        }
    }

  if (refusal != NULL)
    {
      refusal->scope = scope;
      refusal->kind = kind;
      refusal->limit = limit;
      refusal->used = used;
      refusal->reserved = reserved;
      refusal->requested = requested;
      refusal->retry_after = retry_after;
      refusal->resets_at_ms = resets_at;
    }
  return FALSE;
}

static char *format_refusal (const GrLimitRefusal *refusal);

GrLimitReservation *
gr_limits_admit (GrLimits         *self,
                 const char       *key_id,
                 const GrLimitSet *key_limits,
                 const char       *org_id,
                 const GrLimitSet *org_limits,
                 gint64            estimated_tokens,
                 gint64            estimated_cost_micros,
                 GrLimitRefusal   *refusal)
{
  static const GrLimitKind order[] = {
    GR_LIMIT_KIND_MONTHLY_BUDGET,
    GR_LIMIT_KIND_TOKENS_PER_DAY,
    GR_LIMIT_KIND_REQUESTS_PER_DAY,
    GR_LIMIT_KIND_RPM,
  };
  GrLimitReservation *r;
  GrLimitRefusal found = { 0 };
  gboolean ok = TRUE;
  gint64 now;

  g_return_val_if_fail (self != NULL, NULL);

  /* Allocated before locking, to keep the critical section short. */
  r = g_new0 (GrLimitReservation, 1);
  r->tokens = MAX (estimated_tokens, 0);
  r->cost = MAX (estimated_cost_micros, 0);

  g_mutex_lock (&self->lock);
  now = update_windows_locked (self);
  r->key = key_id ? lookup_counters_locked (self, self->keys, key_id, TRUE, now) : NULL;
  r->org = org_id ? lookup_counters_locked (self, self->orgs, org_id, TRUE, now) : NULL;

  for (guint i = 0; ok && i < G_N_ELEMENTS (order); i++)
    {
      GrLimitKind kind = order[i];
      gint64 requested = kind == GR_LIMIT_KIND_TOKENS_PER_DAY ? r->tokens
                       : kind == GR_LIMIT_KIND_MONTHLY_BUDGET ? r->cost
                       : 1;

      if (r->key != NULL)
        ok = check_locked (self, r->key, GR_LIMIT_SCOPE_KEY, kind,
                           limit_of (key_limits, kind), requested, now, &found);
      if (ok && r->org != NULL)
        ok = check_locked (self, r->org, GR_LIMIT_SCOPE_ORG, kind,
                           limit_of (org_limits, kind), requested, now, &found);
    }

  if (ok)
    {
      Counters *scopes[] = { r->key, r->org };

      for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
        {
          Counters *c = scopes[i];

          if (c == NULL)
            continue;
          ring_push (c, now);
          c->requests_day = sat_add (c->requests_day, 1);
          c->reserved_tokens = sat_add (c->reserved_tokens, r->tokens);
          c->reserved_cost = sat_add (c->reserved_cost, r->cost);
          c->outstanding++;
        }
      r->day_start = self->windows.day_start;
      r->month_start = self->windows.month_start;
    }
  g_mutex_unlock (&self->lock);

  if (!ok)
    {
      g_free (r);
      if (refusal != NULL)
        {
          g_free (refusal->message);
          *refusal = found;
          refusal->message = format_refusal (refusal);
        }
      return NULL;
    }

  r->limits = gr_limits_ref (self);
  return r;
}

/* ---- settlement ------------------------------------------------------------ */

static void
settle_counters_locked (GrLimits                 *self,
                        Counters                 *c,
                        const GrLimitReservation *r,
                        gint64                    tokens,
                        gint64                    cost,
                        gint64                    now)
{
  if (c == NULL)
    return;
  counters_roll (c, &self->windows, now);
  /* A counter's windows only move forward, so a reservation is either of
   * the current window or of a past one that has already been reset. */
  if (r->day_start == c->day_start)
    {
      c->reserved_tokens = MAX (0, c->reserved_tokens - r->tokens);
      c->tokens_day = sat_add (c->tokens_day, tokens);
    }
  if (r->month_start == c->month_start)
    {
      c->reserved_cost = MAX (0, c->reserved_cost - r->cost);
      c->cost_month = sat_add (c->cost_month, cost);
    }
  g_assert (c->outstanding > 0);
  c->outstanding--;
}

void
gr_limits_settle (GrLimits           *self,
                  GrLimitReservation *reservation,
                  gint64              actual_tokens,
                  gint64              actual_cost_micros)
{
  gint64 now;

  g_return_if_fail (self != NULL);
  g_return_if_fail (reservation != NULL);
  g_return_if_fail (reservation->limits == self);

  actual_tokens = MAX (actual_tokens, 0);
  actual_cost_micros = MAX (actual_cost_micros, 0);

  g_mutex_lock (&self->lock);
  now = update_windows_locked (self);
  settle_counters_locked (self, reservation->key, reservation, actual_tokens, actual_cost_micros, now);
  settle_counters_locked (self, reservation->org, reservation, actual_tokens, actual_cost_micros, now);
  g_mutex_unlock (&self->lock);

  g_free (reservation);
  gr_limits_unref (self);
}

void
gr_limits_release (GrLimits           *self,
                   GrLimitReservation *reservation)
{
  gr_limits_settle (self, reservation, 0, 0);
}

gint64
gr_limit_reservation_get_estimated_tokens (const GrLimitReservation *reservation)
{
  g_return_val_if_fail (reservation != NULL, 0);
  return reservation->tokens;
}

gint64
gr_limit_reservation_get_estimated_cost (const GrLimitReservation *reservation)
{
  g_return_val_if_fail (reservation != NULL, 0);
  return reservation->cost;
}

/* ---- usage and restart ------------------------------------------------------ */

gboolean
gr_limits_get_usage (GrLimits     *self,
                     GrLimitScope  scope,
                     const char   *id,
                     GrLimitUsage *out)
{
  Counters *c;
  gint64 now;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  g_mutex_lock (&self->lock);
  now = update_windows_locked (self);
  out->day_resets_at_ms = self->windows.day_end;
  out->month_resets_at_ms = self->windows.month_end;
  c = id == NULL ? NULL
    : lookup_counters_locked (self, scope == GR_LIMIT_SCOPE_KEY ? self->keys : self->orgs,
                              id, FALSE, now);
  if (c != NULL)
    {
      out->requests_last_minute = c->ring_len;
      out->requests_today = c->requests_day;
      out->tokens_today = c->tokens_day;
      out->cost_this_month_micros = c->cost_month;
      out->reserved_tokens = c->reserved_tokens;
      out->reserved_cost_micros = c->reserved_cost;
      out->outstanding = c->outstanding;
    }
  g_mutex_unlock (&self->lock);
  return c != NULL;
}

static void
reset_settled (gpointer key,
               gpointer value,
               gpointer user_data)
{
  Counters *c = value;

  c->ring_head = 0;
  c->ring_len = 0;
  c->requests_day = 0;
  c->tokens_day = 0;
  c->cost_month = 0;
}

/* If a day or month boundary passed while the database was read, the rows
 * are of the previous window and must not count in the new one. */
static void
apply_totals_locked (GrLimits      *self,
                     GHashTable    *table,
                     GPtrArray     *rows,
                     const Windows *queried,
                     gint64         now)
{
  gboolean same_day = self->windows.day_start == queried->day_start;
  gboolean same_month = self->windows.month_start == queried->month_start;

  for (guint i = 0; i < rows->len; i++)
    {
      GrStoreLimitTotals *t = g_ptr_array_index (rows, i);
      Counters *c = lookup_counters_locked (self, table, t->id, TRUE, now);

      if (same_day)
        {
          c->requests_day = sat_add (c->requests_day, MAX (t->requests_day, 0));
          c->tokens_day = sat_add (c->tokens_day, MAX (t->tokens_day, 0));
        }
      if (same_month)
        c->cost_month = sat_add (c->cost_month, MAX (t->cost_month_micros, 0));
    }
}

gboolean
gr_limits_load_from_usage (GrLimits  *self,
                           GrStore   *store,
                           GError   **error)
{
  g_autoptr(GrStoreLimitSnapshot) snapshot = NULL;
  GrStoreLimitWindows w;
  Windows cur;
  gint64 now;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (GR_IS_STORE (store), FALSE);

  g_mutex_lock (&self->lock);
  now = update_windows_locked (self);
  cur = self->windows;
  g_mutex_unlock (&self->lock);

  w.day_start_ms = cur.day_start;
  w.day_end_ms = cur.day_end;
  w.month_start_ms = cur.month_start;
  w.month_end_ms = cur.month_end;
  w.recent_after_ms = now - MINUTE_MS;
  w.recent_until_ms = now;

  /* The database is read without the mutex: admissions go on meanwhile
   * (at start-up there are none yet). */
  snapshot = gr_store_load_limit_snapshot (store, &w, error);
  if (snapshot == NULL)
    return FALSE;

  g_mutex_lock (&self->lock);
  now = update_windows_locked (self);
  g_hash_table_foreach (self->keys, reset_settled, NULL);
  g_hash_table_foreach (self->orgs, reset_settled, NULL);
  apply_totals_locked (self, self->keys, snapshot->keys, &cur, now);
  apply_totals_locked (self, self->orgs, snapshot->orgs, &cur, now);
  for (guint i = 0; i < snapshot->recent->len; i++)
    {
      GrStoreRecentRequest *rr = g_ptr_array_index (snapshot->recent, i);

      if (rr->ts + MINUTE_MS <= now)
        continue;
      if (rr->key_id != NULL)
        ring_push (lookup_counters_locked (self, self->keys, rr->key_id, TRUE, now), rr->ts);
      if (rr->org_id != NULL)
        ring_push (lookup_counters_locked (self, self->orgs, rr->org_id, TRUE, now), rr->ts);
    }
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* ---- counters shared between gateways -------------------------------------- */

void
gr_limit_counters_clear (GrLimitCounters *counters)
{
  g_clear_pointer (&counters->recent_ms, g_array_unref);
  memset (counters, 0, sizeof *counters);
}

void
gr_limits_put_counters (GrLimits              *self,
                        GrLimitScope           scope,
                        const char            *id,
                        const GrLimitCounters *in)
{
  GHashTable *table;
  Counters *c;
  gint64 now;

  g_return_if_fail (self != NULL);
  g_return_if_fail (id != NULL);
  g_return_if_fail (in != NULL);

  table = scope == GR_LIMIT_SCOPE_KEY ? self->keys : self->orgs;
  g_mutex_lock (&self->lock);
  now = update_windows_locked (self);
  c = lookup_counters_locked (self, table, id, TRUE, now);
  c->day_start = self->windows.day_start;
  c->month_start = self->windows.month_start;
  /* Rows of a past window were written before the boundary passed. */
  if (in->day_start_ms == c->day_start)
    {
      c->requests_day = MAX (in->requests_day, 0);
      c->tokens_day = MAX (in->tokens_day, 0);
      c->reserved_tokens = MAX (in->reserved_tokens, 0);
    }
  else
    c->requests_day = c->tokens_day = c->reserved_tokens = 0;
  if (in->month_start_ms == c->month_start)
    {
      c->cost_month = MAX (in->cost_month_micros, 0);
      c->reserved_cost = MAX (in->reserved_cost_micros, 0);
    }
  else
    c->cost_month = c->reserved_cost = 0;
  c->ring_head = 0;
  c->ring_len = 0;
  for (guint i = 0; in->recent_ms != NULL && i < in->recent_ms->len; i++)
    {
      gint64 ts = g_array_index (in->recent_ms, gint64, i);

      if (ts + MINUTE_MS > now)
        ring_push (c, ts);
    }
  g_mutex_unlock (&self->lock);
}

void
gr_limits_get_counters (GrLimits        *self,
                        GrLimitScope     scope,
                        const char      *id,
                        GrLimitCounters *out)
{
  Counters *c;
  gint64 now;

  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL);

  memset (out, 0, sizeof *out);
  out->recent_ms = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_mutex_lock (&self->lock);
  now = update_windows_locked (self);
  out->day_start_ms = self->windows.day_start;
  out->month_start_ms = self->windows.month_start;
  c = id == NULL ? NULL
    : lookup_counters_locked (self, scope == GR_LIMIT_SCOPE_KEY ? self->keys : self->orgs,
                              id, FALSE, now);
  if (c != NULL)
    {
      out->requests_day = c->requests_day;
      out->tokens_day = c->tokens_day;
      out->reserved_tokens = c->reserved_tokens;
      out->cost_month_micros = c->cost_month;
      out->reserved_cost_micros = c->reserved_cost;
      for (guint i = 0; i < c->ring_len; i++)
        {
          gint64 ts = ring_at (c, i);

          g_array_append_val (out->recent_ms, ts);
        }
    }
  g_mutex_unlock (&self->lock);
}

/* ---- messages ------------------------------------------------------------------ */

const char *
gr_limit_scope_to_string (GrLimitScope scope)
{
  return scope == GR_LIMIT_SCOPE_KEY ? "key" : "organization";
}

const char *
gr_limit_kind_to_string (GrLimitKind kind)
{
  switch (kind)
    {
    case GR_LIMIT_KIND_RPM: return "rpm";
    case GR_LIMIT_KIND_REQUESTS_PER_DAY: return "requests_per_day";
    case GR_LIMIT_KIND_TOKENS_PER_DAY: return "tokens_per_day";
    case GR_LIMIT_KIND_MONTHLY_BUDGET: return "monthly_budget_micros";
    default: return "unknown";
    }
}

gboolean
gr_limit_kind_is_rate (GrLimitKind kind)
{
  return kind == GR_LIMIT_KIND_RPM || kind == GR_LIMIT_KIND_REQUESTS_PER_DAY;
}

void
gr_limit_refusal_clear (GrLimitRefusal *refusal)
{
  if (refusal == NULL)
    return;
  g_clear_pointer (&refusal->message, g_free);
}

/* 1234567 → "1,234,567". */
static char *
format_count (gint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GINT64_FORMAT, n);
  GString *out = g_string_new (NULL);
  const char *p = digits;
  gsize len;

  if (*p == '-')
    g_string_append_c (out, *p++);
  len = strlen (p);
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, p[i]);
    }
  return g_string_free (out, FALSE);
}

/* Micro-USD as dollars: whole cents as "$50.00", finer amounts with the
 * digits they need ("$0.0015"); integer arithmetic only. */
static char *
format_usd (gint64 micros)
{
  g_autofree char *whole = format_count (micros / 1000000);
  char frac[8];
  int len;

  g_snprintf (frac, sizeof frac, "%06d", (int) (micros % 1000000));
  for (len = 6; len > 2 && frac[len - 1] == '0'; len--)
    ;
  frac[len] = '\0';
  return g_strdup_printf ("$%s.%s", whole, frac);
}

/* 11520 → "3 h 12 min". */
static char *
format_duration (gint64 seconds)
{
  if (seconds >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT " h %" G_GINT64_FORMAT " min",
                            seconds / 3600, (seconds % 3600) / 60);
  if (seconds >= 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " min", (seconds + 59) / 60);
  return g_strdup_printf ("%" G_GINT64_FORMAT " s", seconds);
}

static char *
format_date (gint64 unix_ms)
{
  gint64 y;
  int m, d;

  civil_from_days (floor_div (unix_ms, DAY_MS), &y, &m, &d);
  return g_strdup_printf ("%04" G_GINT64_FORMAT "-%02d-%02d", y, m, d);
}

static char *
format_refusal (const GrLimitRefusal *f)
{
  gboolean key = f->scope == GR_LIMIT_SCOPE_KEY;
  const char *whose = key ? "This API key's" : "The organization's";
  const char *whose_lc = key ? "this API key's" : "the organization's";
  gboolean money = f->kind == GR_LIMIT_KIND_MONTHLY_BUDGET;
  g_autofree char *limit = money ? format_usd (f->limit) : format_count (f->limit);
  g_autofree char *requested = money ? format_usd (f->requested) : format_count (f->requested);
  g_autofree char *left = NULL;
  g_autofree char *when = NULL;
  g_autofree char *date = NULL;
  gint64 in_use = sat_add (f->used, f->reserved);
  const char *what = NULL;

  switch (f->kind)
    {
    case GR_LIMIT_KIND_RPM: what = "rate limit"; break;
    case GR_LIMIT_KIND_REQUESTS_PER_DAY: what = "daily request limit"; break;
    case GR_LIMIT_KIND_TOKENS_PER_DAY: what = "daily token limit"; break;
    case GR_LIMIT_KIND_MONTHLY_BUDGET: what = "monthly budget"; break;
    default: g_assert_not_reached ();
    }

  if (f->limit == 0)
    return g_strdup_printf ("%s %s is %s, which allows no requests.", whose, what, limit);

  switch (f->kind)
    {
    case GR_LIMIT_KIND_RPM:
      return g_strdup_printf ("%s rate limit of %s requests per minute is reached; retry in %"
                              G_GINT64_FORMAT " s.", whose, limit, f->retry_after);

    case GR_LIMIT_KIND_REQUESTS_PER_DAY:
      when = format_duration (f->retry_after);
      return g_strdup_printf ("%s daily limit of %s requests is reached; it resets at "
                              "00:00 UTC (in %s).", whose, limit, when);

    case GR_LIMIT_KIND_TOKENS_PER_DAY:
      if (f->requested > f->limit)
        return g_strdup_printf ("This request (about %s tokens with its maximum output) is "
                                "larger than %s daily limit of %s tokens.",
                                requested, whose_lc, limit);
      when = format_duration (f->retry_after);
      if (in_use >= f->limit)
        return g_strdup_printf ("%s daily limit of %s tokens is used up; it resets at "
                                "00:00 UTC (in %s).", whose, limit, when);
      left = format_count (f->limit - in_use);
      return g_strdup_printf ("This request (about %s tokens with its maximum output) would "
                              "exceed %s daily limit of %s tokens (%s left); it resets at "
                              "00:00 UTC (in %s).", requested, whose_lc, limit, left, when);

    case GR_LIMIT_KIND_MONTHLY_BUDGET:
      if (f->requested > f->limit)
        return g_strdup_printf ("This request (estimated at %s) costs more than %s monthly "
                                "budget of %s.", requested, whose_lc, limit);
      date = format_date (f->resets_at_ms);
      if (in_use >= f->limit)
        return g_strdup_printf ("%s monthly budget of %s is used up; it resets on %s.",
                                whose, limit, date);
      left = format_usd (f->limit - in_use);
      return g_strdup_printf ("This request (estimated at %s) would exceed %s monthly budget "
                              "of %s (%s left); it resets on %s.",
                              requested, whose_lc, limit, left, date);

    default:
      g_assert_not_reached ();
    }
}

GrApiError *
gr_limit_refusal_to_api_error (const GrLimitRefusal *refusal)
{
  GrApiError *error;
  gboolean rate;

  g_return_val_if_fail (refusal != NULL, NULL);

  rate = gr_limit_kind_is_rate (refusal->kind);
  error = gr_api_error_new (429,
                            rate ? "rate_limit_error" : "insufficient_quota",
                            rate ? "rate_limit_exceeded" : "usage_limit_exceeded",
                            NULL, "%s", refusal->message ? refusal->message : "Usage limit reached.");
  error->retry_after = (int) CLAMP (refusal->retry_after, 0, G_MAXINT);
  return error;
}

/* ---- estimation ------------------------------------------------------------------- */

/* Characters of every member name and string value under node: a cheap
 * stand-in for the size of serialised JSON (tool schemas). */
static gint64
json_text_chars (JsonNode *node)
{
  gint64 n = 0;

  if (node == NULL)
    return 0;
  switch (json_node_get_node_type (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        json_object_iter_init (&iter, json_node_get_object (node));
        while (json_object_iter_next (&iter, &name, &member))
          n = sat_add (n, sat_add (g_utf8_strlen (name, -1), json_text_chars (member)));
        break;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          n = sat_add (n, json_text_chars (json_array_get_element (array, i)));
        break;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        n = g_utf8_strlen (json_node_get_string (node), -1);
      break;
    case JSON_NODE_NULL:
    default:
      break;
    }
  return n;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static JsonArray *
array_member (JsonObject *object,
              const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

/* A number member as an integer, or fallback when absent or not a number. */
static gint64
number_member (JsonObject *object,
               const char *name,
               gint64      fallback)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      if (d != d)
        return fallback;
      return d >= (double) G_MAXINT64 ? G_MAXINT64 : d <= (double) G_MININT64 ? G_MININT64 : (gint64) d;
    }
  return fallback;
}

/* Characters of one message's text, and its non-text parts. */
static void
count_message (JsonObject *message,
               gint64     *chars,
               gint64     *flat_tokens)
{
  JsonNode *content = json_object_get_member (message, "content");
  const char *text;

  if ((text = string_member (message, "content")) != NULL)
    *chars = sat_add (*chars, g_utf8_strlen (text, -1));
  else if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *parts = json_node_get_array (content);

      for (guint i = 0; i < json_array_get_length (parts); i++)
        {
          JsonNode *part = json_array_get_element (parts, i);
          JsonObject *obj;

          if (!JSON_NODE_HOLDS_OBJECT (part))
            continue;
          obj = json_node_get_object (part);
          if ((text = string_member (obj, "text")) != NULL)
            *chars = sat_add (*chars, g_utf8_strlen (text, -1));
          else if ((text = string_member (obj, "refusal")) != NULL)
            *chars = sat_add (*chars, g_utf8_strlen (text, -1));
          else
            /* image_url, input_audio, file: base64 length says nothing
             * about tokens. */
            *flat_tokens = sat_add (*flat_tokens, NON_TEXT_PART_TOKENS);
        }
    }

  if (array_member (message, "tool_calls") != NULL)
    *chars = sat_add (*chars, json_text_chars (json_object_get_member (message, "tool_calls")));
}

gint64
gr_limits_estimate_tokens (JsonObject *request,
                           gint64      default_max_output)
{
  gint64 chars = 0, flat = 0, prompt, output, n;
  JsonArray *messages;

  output = CLAMP (default_max_output, 0, GR_LIMITS_MAX_OUTPUT_ESTIMATE);
  if (request == NULL)
    return output;

  if ((messages = array_member (request, "messages")) != NULL)
    {
      for (guint i = 0; i < json_array_get_length (messages); i++)
        {
          JsonNode *node = json_array_get_element (messages, i);

          flat = sat_add (flat, MESSAGE_OVERHEAD_TOKENS);
          if (JSON_NODE_HOLDS_OBJECT (node))
            count_message (json_node_get_object (node), &chars, &flat);
        }
    }
  chars = sat_add (chars, json_text_chars (json_object_get_member (request, "tools")));
  chars = sat_add (chars, json_text_chars (json_object_get_member (request, "response_format")));
  prompt = sat_add (chars / 4 + (chars % 4 != 0), flat);

  /* max_completion_tokens supersedes the deprecated max_tokens. */
  output = number_member (request, "max_completion_tokens",
                          number_member (request, "max_tokens", output));
  output = CLAMP (output, 0, GR_LIMITS_MAX_OUTPUT_ESTIMATE);
  n = CLAMP (number_member (request, "n", 1), 1, MAX_N);

  return sat_add (prompt, sat_mul (output, n));
}
