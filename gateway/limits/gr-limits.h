/* gr-limits.h — usage limits of keys and organizations: admission, reservations, settlement
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every inference request is admitted against the limits of its key and of
 * the key's organization before it goes upstream.  Admission is one atomic
 * step under one mutex: it checks every applicable limit counting what was
 * already used in the current window *and* what outstanding requests have
 * reserved, and, if all pass, reserves the request's estimate.  Parallel
 * requests therefore cannot together overspend (DESIGN.md, "Budgets
 * raced").  When the request ends, the reservation is settled with the real
 * usage, which may be more or less than the estimate.
 *
 * Windows (all UTC, from an injectable wall clock in Unix milliseconds):
 *
 *  - rpm: a sliding 60 s window over the admission times of requests.  A
 *    request counts while now < admitted_at + 60 000 ms.  Retry-After is the
 *    number of seconds (rounded up, at least 1) until enough requests have
 *    left the window for one more to fit.
 *  - requests_per_day, tokens_per_day: the UTC calendar day; they reset at
 *    00:00:00 UTC and Retry-After counts the seconds until then.
 *  - monthly_budget_micros: the UTC calendar month; it resets at 00:00:00
 *    UTC on the 1st.  No Retry-After (a client should not poll for weeks);
 *    the message names the reset date.
 *
 * What counts when:
 *
 *  - A request counts toward rpm and requests_per_day as soon as it is
 *    admitted, whatever its end (success, upstream failure, client gone,
 *    released before reaching an upstream): the limit protects the gateway
 *    and upstreams from the request rate, not from successes.
 *  - Tokens (prompt + completion) and cost (micro-USD) count as reserved
 *    estimates from admission until settlement, then as the actual amounts.
 *    gr_limits_release() settles with zero tokens and zero cost.
 *  - Usage belongs to the window in which the request was *admitted* (the
 *    usage event's ts is the arrival time too, so a restart rebuilds the
 *    same totals).  A request admitted at 23:59:59 and settled after
 *    midnight adds nothing to the new day; its reservation stops counting at
 *    midnight as well.
 *  - Requests refused by the limits count toward nothing.
 *
 * A request is refused when, for some limit L >= 0,
 *     used + reserved >= L   or   used + reserved + requested > L
 * where requested is 1 for the request limits and the estimate for tokens
 * and cost.  So a limit of 0 allows nothing, and an estimate larger than
 * what is left is refused even if the real usage might have fitted: that is
 * the price of never overspending.  Limits are checked from the longest
 * lasting to the shortest (monthly budget, tokens per day, requests per day,
 * rpm), the key before the organization within each kind, and the first
 * failure is reported: a client that is out of budget learns that rather
 * than being told to retry in a few seconds.
 *
 * Counters live in memory and are rebuilt at start-up from the usage_events
 * table with gr_limits_load_from_usage().  The wall clock should move
 * forward; if it steps back, windows stay where they are until it catches
 * up (counters are never rolled back).
 *
 * Thread safety: a GrLimits is shared by every gateway thread.  All its
 * functions may be called from any thread; the state is guarded by one
 * GMutex held only for short, I/O-free critical sections (messages are
 * formatted and the database is read outside it).  A reservation belongs to
 * one request: settle or release it exactly once, from any thread.  The
 * clock function is called with the mutex held and must be cheap and must
 * not call back into the GrLimits.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "core/gr-error.h"
#include "store/gr-records.h"
#include "store/gr-store.h"

G_BEGIN_DECLS

/* Limits come as GrLimitSet (store/gr-records.h): one gint64 per limit,
 * any negative value (the store writes -1 for NULL) meaning "no limit" and
 * 0 meaning "nothing allowed".  Keys have no requests_per_day column: the
 * store leaves it at -1 (a non-negative value would be enforced all the
 * same). */
#define GR_LIMIT_UNLIMITED ((gint64) -1)

typedef enum
{
  GR_LIMIT_SCOPE_KEY,
  GR_LIMIT_SCOPE_ORG,
} GrLimitScope;

typedef enum
{
  GR_LIMIT_KIND_RPM,
  GR_LIMIT_KIND_REQUESTS_PER_DAY,
  GR_LIMIT_KIND_TOKENS_PER_DAY,
  GR_LIMIT_KIND_MONTHLY_BUDGET,
} GrLimitKind;

/* "key", "organization". */
const char *gr_limit_scope_to_string (GrLimitScope scope);
/* The store/API field names: "rpm", "requests_per_day", "tokens_per_day",
 * "monthly_budget_micros". */
const char *gr_limit_kind_to_string  (GrLimitKind  kind);
/* rpm and requests_per_day are rate limits (429 rate_limit_exceeded);
 * tokens_per_day and the monthly budget are quotas (429
 * insufficient_quota). */
gboolean    gr_limit_kind_is_rate    (GrLimitKind  kind);

/* Why admission refused a request.  Initialise with { 0 } (or use
 * g_auto(GrLimitRefusal)); gr_limits_admit() fills it only when it
 * refuses. */
typedef struct
{
  GrLimitScope scope;
  GrLimitKind  kind;
  gint64       limit;
  gint64       used;          /* settled usage in the current window */
  gint64       reserved;      /* outstanding reservations in the window */
  gint64       requested;     /* 1 request, or this request's estimate */
  gint64       retry_after;   /* seconds; 0 = send no Retry-After */
  gint64       resets_at_ms;  /* Unix ms when the window frees up; 0 = never */
  char        *message;       /* English, for the error object */
} GrLimitRefusal;

void gr_limit_refusal_clear (GrLimitRefusal *refusal);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GrLimitRefusal, gr_limit_refusal_clear)

/* The /v1 error for a refusal (wire-formats 2.6): 429 with type
 * rate_limit_error / code rate_limit_exceeded for rate limits, type
 * insufficient_quota / code usage_limit_exceeded for quotas; retry_after
 * copied from the refusal. */
GrApiError *gr_limit_refusal_to_api_error (const GrLimitRefusal *refusal);

/* Unix milliseconds, UTC wall clock. */
typedef gint64 (*GrLimitsClockFunc) (gpointer user_data);

typedef struct _GrLimits           GrLimits;
typedef struct _GrLimitReservation GrLimitReservation;

/* now_ms NULL = g_get_real_time() / 1000. */
GrLimits *gr_limits_new   (GrLimitsClockFunc  now_ms,
                           gpointer           clock_data);
GrLimits *gr_limits_ref   (GrLimits          *limits);
/* Each reservation holds a reference, so the counters outlive every
 * request in flight. */
void      gr_limits_unref (GrLimits          *limits);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrLimits, gr_limits_unref)

/* Admits one request or refuses it.  key_id or org_id NULL skips that
 * scope; key_limits or org_limits NULL means no limits there (the request
 * is still counted, for gr_limits_get_usage()).  Negative estimates count
 * as 0.  Returns a reservation to settle or release, or NULL with refusal
 * (nullable) filled in. */
GrLimitReservation *gr_limits_admit (GrLimits         *limits,
                                     const char       *key_id,
                                     const GrLimitSet *key_limits,
                                     const char       *org_id,
                                     const GrLimitSet *org_limits,
                                     gint64            estimated_tokens,
                                     gint64            estimated_cost_micros,
                                     GrLimitRefusal   *refusal);

/* Replaces the reservation's estimate with the actual usage (negative
 * values count as 0) and frees the reservation. */
void gr_limits_settle  (GrLimits           *limits,
                        GrLimitReservation *reservation,
                        gint64              actual_tokens,
                        gint64              actual_cost_micros);
/* For a request that never reached an upstream: gives the reserved tokens
 * and cost back (the request itself still counts toward rpm and
 * requests_per_day) and frees the reservation. */
void gr_limits_release (GrLimits           *limits,
                        GrLimitReservation *reservation);

gint64 gr_limit_reservation_get_estimated_tokens (const GrLimitReservation *reservation);
gint64 gr_limit_reservation_get_estimated_cost   (const GrLimitReservation *reservation);

/* Rebuilds, from the usage_events table, the requests and tokens of the
 * current UTC day, the cost of the current UTC month and the admission
 * times of the last 60 s, for every key and organization (see
 * gr-store-limits.h for which rows count).  Meant for start-up, before the
 * first admission: it replaces the settled totals held in memory and keeps
 * outstanding reservations.  Reads the database through its own read-only
 * connection, without holding the limits' mutex. */
gboolean gr_limits_load_from_usage (GrLimits  *limits,
                                    GrStore   *store,
                                    GError   **error);

typedef struct
{
  gint64 requests_last_minute;
  gint64 requests_today;
  gint64 tokens_today;            /* settled */
  gint64 cost_this_month_micros;  /* settled */
  gint64 reserved_tokens;         /* outstanding estimates, today */
  gint64 reserved_cost_micros;    /* outstanding estimates, this month */
  guint  outstanding;             /* reservations not yet settled */
  gint64 day_resets_at_ms;        /* next 00:00 UTC */
  gint64 month_resets_at_ms;      /* next 1st of the month, 00:00 UTC */
} GrLimitUsage;

/* Usage of one key or organization in the current windows (for GET
 * /v1/me: remaining = limit - used - reserved).  Returns FALSE, with the
 * counts at zero and the reset times filled in, when nothing is known
 * about id. */
gboolean gr_limits_get_usage (GrLimits     *limits,
                              GrLimitScope  scope,
                              const char   *id,
                              GrLimitUsage *out);

/* The counters of one key or organization, as kept in a database when
 * several gateways enforce one set of limits (gr-shared-limits.h): the
 * shared copy is loaded with gr_limits_put_counters() before a request is
 * admitted or settled and written back from gr_limits_get_counters()
 * after, all inside one database transaction. */
typedef struct
{
  gint64  day_start_ms;          /* the UTC day the day totals are for */
  gint64  requests_day;
  gint64  tokens_day;
  gint64  reserved_tokens;
  gint64  month_start_ms;        /* the UTC month the month totals are for */
  gint64  cost_month_micros;
  gint64  reserved_cost_micros;
  GArray *recent_ms;             /* gint64 admission times of the last
                                  * 60 s, oldest first; NULL = none */
} GrLimitCounters;

void gr_limit_counters_clear (GrLimitCounters *counters);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (GrLimitCounters, gr_limit_counters_clear)

/* Replaces the totals and recent admissions limits holds for id with
 * counters (totals of a past day or month count as zero; admissions older
 * than 60 s are dropped).  The count of outstanding reservations made
 * here is kept. */
void gr_limits_put_counters (GrLimits              *limits,
                             GrLimitScope           scope,
                             const char            *id,
                             const GrLimitCounters *counters);
/* Fills out (clear it with gr_limit_counters_clear()) with what limits
 * holds for id, brought to the current windows; zeros and the current
 * windows when nothing is known. */
void gr_limits_get_counters (GrLimits              *limits,
                             GrLimitScope           scope,
                             const char            *id,
                             GrLimitCounters       *out);

/* A cheap token estimate for admission, before any tokenizer runs:
 *  - prompt: the characters (Unicode code points) of all message text,
 *    text parts, tool-call names and arguments, and of the names and
 *    string values in "tools" and "response_format", divided by 4 and
 *    rounded up; plus 4 tokens per message; plus a flat 765 tokens for each
 *    non-text part (image, audio, file), since their size says little;
 *  - output: max_completion_tokens, else max_tokens, else
 *    default_max_output, capped to [0, GR_LIMITS_MAX_OUTPUT_ESTIMATE],
 *    times "n" (1 to 128).
 * openai_request NULL gives the output part alone. */
#define GR_LIMITS_MAX_OUTPUT_ESTIMATE ((gint64) 262144)
gint64 gr_limits_estimate_tokens (JsonObject *openai_request,
                                  gint64      default_max_output);

/* UTC calendar helpers (exposed for the API and tests). */
gint64 gr_limits_day_start_ms   (gint64 unix_ms);
gint64 gr_limits_month_start_ms (gint64 unix_ms);
gint64 gr_limits_next_month_ms  (gint64 unix_ms);

G_END_DECLS
