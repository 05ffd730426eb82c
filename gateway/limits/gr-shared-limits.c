/* gr-shared-limits.c — usage limits held across several gateways in one database
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The design is in gr-shared-limits.h.  One worker thread takes jobs from
 * a queue in order; a job that meets a busy database (a lock, a
 * serialization failure, a dropped connection) is tried again a few times
 * before it gives up.
 */
#include "config.h"

#include "core/gr-error.h"
#include "limits/gr-shared-limits.h"
#include "store/gr-db.h"

#define MINUTE_MS    ((gint64) 60 * 1000)
#define MAX_ATTEMPTS 5

struct _GrSharedReservation
{
  char   *key_id;       /* nullable */
  char   *org_id;       /* nullable */
  gint64  day_start_ms;
  gint64  month_start_ms;
  gint64  tokens;       /* the estimates reserved */
  gint64  cost;
};

typedef enum
{
  JOB_ADMIT,
  JOB_SETTLE,
  JOB_REFRESH,
  JOB_QUIT,
} JobKind;

typedef struct
{
  JobKind              kind;
  char                *key_id;
  char                *org_id;
  GrLimitSet           key_limits;
  GrLimitSet           org_limits;
  gint64               tokens;
  gint64               cost;

  /* JOB_ADMIT: where and to whom the answer goes, and the answer. */
  GMainContext        *context;
  GrSharedAdmitFunc    func;
  gpointer             user_data;
  GrSharedReservation *admitted;
  GrLimitRefusal       refusal;
  gboolean             refused;
  GError              *error;

  /* JOB_SETTLE */
  GrSharedReservation *reservation;

  /* JOB_REFRESH: the caller waits. */
  GMutex               lock;
  GCond                cond;
  gboolean             done;
} Job;

struct _GrSharedLimits
{
  GrDb        *db;        /* the worker's only */
  GrLimits    *calc;
  GAsyncQueue *jobs;
  GThread     *thread;
};

static void
reservation_free (GrSharedReservation *r)
{
  g_free (r->key_id);
  g_free (r->org_id);
  g_free (r);
}

static Job *
job_new (JobKind     kind,
         const char *key_id,
         const char *org_id)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->key_id = g_strdup (key_id);
  job->org_id = g_strdup (org_id);
  gr_limit_set_init_unlimited (&job->key_limits);
  gr_limit_set_init_unlimited (&job->org_limits);
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  return job;
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_free (job->key_id);
  g_free (job->org_id);
  g_clear_pointer (&job->context, g_main_context_unref);
  g_clear_pointer (&job->admitted, reservation_free);
  g_clear_pointer (&job->reservation, reservation_free);
  gr_limit_refusal_clear (&job->refusal);
  g_clear_error (&job->error);
  g_mutex_clear (&job->lock);
  g_cond_clear (&job->cond);
  g_free (job);
}

gboolean
gr_shared_limits_applies (const GrLimitSet *key_limits,
                          const GrLimitSet *org_limits)
{
  const GrLimitSet *sets[] = { key_limits, org_limits };

  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    if (sets[i] != NULL &&
        (sets[i]->rpm >= 0 || sets[i]->requests_per_day >= 0 ||
         sets[i]->tokens_per_day >= 0 || sets[i]->monthly_budget_micros >= 0))
      return TRUE;
  return FALSE;
}

/* ---- one scope's rows ---------------------------------------------------- */

/* The advisory lock of a scope: any 64-bit number will do, a collision
 * only makes two scopes wait for each other. */
static gint64
lock_id (GrLimitScope  scope,
         const char   *id)
{
  return ((gint64) (scope + 1) << 32) | (gint64) g_str_hash (id);
}

static gboolean
lock_scopes (GrSharedLimits  *self,
             const char      *key_id,
             const char      *org_id,
             GError         **error)
{
  gint64 ids[2];
  guint n = 0;

  /* SQLite has one writer at a time already (BEGIN IMMEDIATE). */
  if (gr_db_dialect (self->db) != GR_DB_POSTGRESQL)
    return TRUE;
  if (key_id != NULL)
    ids[n++] = lock_id (GR_LIMIT_SCOPE_KEY, key_id);
  if (org_id != NULL)
    ids[n++] = lock_id (GR_LIMIT_SCOPE_ORG, org_id);
  /* One order for every gateway: no deadlock between two of them. */
  if (n == 2 && ids[0] > ids[1])
    {
      gint64 t = ids[0];

      ids[0] = ids[1];
      ids[1] = t;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrDbStmt) stmt = gr_db_prepare (self->db, "SELECT pg_advisory_xact_lock (?1);", error);

      if (stmt == NULL)
        return FALSE;
      gr_db_stmt_bind_int64 (stmt, 1, ids[i]);
      while (TRUE)
        {
          GrDbStep step = gr_db_stmt_step (stmt, error);

          if (step == GR_DB_ERROR)
            return FALSE;
          if (step == GR_DB_DONE)
            break;
        }
    }
  return TRUE;
}

static gboolean
load_scope (GrSharedLimits  *self,
            GrLimitScope     scope,
            const char      *id,
            GError         **error)
{
  g_auto(GrLimitCounters) c = { 0 };
  g_autoptr(GrDbStmt) stmt = NULL;
  GrDbStep step;

  if (id == NULL)
    return TRUE;
  stmt = gr_db_prepare (self->db,
                        "SELECT day_start, requests_day, tokens_day, reserved_tokens, "
                        "       month_start, cost_month, reserved_cost "
                        "FROM limit_counters WHERE scope = ?1 AND id = ?2;", error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, gr_limit_scope_to_string (scope));
  gr_db_stmt_bind_text (stmt, 2, id);
  step = gr_db_stmt_step (stmt, error);
  if (step == GR_DB_ERROR)
    return FALSE;
  if (step == GR_DB_ROW)
    {
      c.day_start_ms = gr_db_stmt_column_int64 (stmt, 0);
      c.requests_day = gr_db_stmt_column_int64 (stmt, 1);
      c.tokens_day = gr_db_stmt_column_int64 (stmt, 2);
      c.reserved_tokens = gr_db_stmt_column_int64 (stmt, 3);
      c.month_start_ms = gr_db_stmt_column_int64 (stmt, 4);
      c.cost_month_micros = gr_db_stmt_column_int64 (stmt, 5);
      c.reserved_cost_micros = gr_db_stmt_column_int64 (stmt, 6);
    }
  g_clear_pointer (&stmt, gr_db_stmt_finalize);

  stmt = gr_db_prepare (self->db,
                        "SELECT ts FROM limit_admissions WHERE scope = ?1 AND id = ?2 AND ts > ?3 "
                        "ORDER BY ts;", error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, gr_limit_scope_to_string (scope));
  gr_db_stmt_bind_text (stmt, 2, id);
  gr_db_stmt_bind_int64 (stmt, 3, g_get_real_time () / 1000 - MINUTE_MS);
  c.recent_ms = g_array_new (FALSE, FALSE, sizeof (gint64));
  while ((step = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
    {
      gint64 ts = gr_db_stmt_column_int64 (stmt, 0);

      g_array_append_val (c.recent_ms, ts);
    }
  if (step == GR_DB_ERROR)
    return FALSE;

  gr_limits_put_counters (self->calc, scope, id, &c);
  return TRUE;
}

static gboolean
run_done (GrDbStmt  *stmt,
          GError   **error)
{
  GrDbStep step;

  while ((step = gr_db_stmt_step (stmt, error)) == GR_DB_ROW)
    ;
  return step == GR_DB_DONE;
}

/* Writes the calculator's counters of a scope back, with the admission
 * just made, and forgets admissions older than a minute. */
static gboolean
store_scope (GrSharedLimits   *self,
             GrLimitScope      scope,
             const char       *id,
             GrLimitCounters  *c,
             GError          **error)
{
  g_autoptr(GrDbStmt) stmt = NULL;
  const char *scope_name = gr_limit_scope_to_string (scope);
  gint64 admitted_at;

  gr_limits_get_counters (self->calc, scope, id, c);
  g_assert (c->recent_ms->len > 0);
  admitted_at = g_array_index (c->recent_ms, gint64, c->recent_ms->len - 1);

  stmt = gr_db_prepare (self->db,
                        "INSERT INTO limit_counters (scope, id, day_start, requests_day, tokens_day, "
                        "  reserved_tokens, month_start, cost_month, reserved_cost) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                        "ON CONFLICT (scope, id) DO UPDATE SET day_start = ?3, requests_day = ?4, "
                        "  tokens_day = ?5, reserved_tokens = ?6, month_start = ?7, cost_month = ?8, "
                        "  reserved_cost = ?9;", error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, scope_name);
  gr_db_stmt_bind_text (stmt, 2, id);
  gr_db_stmt_bind_int64 (stmt, 3, c->day_start_ms);
  gr_db_stmt_bind_int64 (stmt, 4, c->requests_day);
  gr_db_stmt_bind_int64 (stmt, 5, c->tokens_day);
  gr_db_stmt_bind_int64 (stmt, 6, c->reserved_tokens);
  gr_db_stmt_bind_int64 (stmt, 7, c->month_start_ms);
  gr_db_stmt_bind_int64 (stmt, 8, c->cost_month_micros);
  gr_db_stmt_bind_int64 (stmt, 9, c->reserved_cost_micros);
  if (!run_done (stmt, error))
    return FALSE;
  g_clear_pointer (&stmt, gr_db_stmt_finalize);

  stmt = gr_db_prepare (self->db,
                        "INSERT INTO limit_admissions (scope, id, ts) VALUES (?1, ?2, ?3);", error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, scope_name);
  gr_db_stmt_bind_text (stmt, 2, id);
  gr_db_stmt_bind_int64 (stmt, 3, admitted_at);
  if (!run_done (stmt, error))
    return FALSE;
  g_clear_pointer (&stmt, gr_db_stmt_finalize);

  stmt = gr_db_prepare (self->db,
                        "DELETE FROM limit_admissions WHERE scope = ?1 AND id = ?2 AND ts <= ?3;", error);
  if (stmt == NULL)
    return FALSE;
  gr_db_stmt_bind_text (stmt, 1, scope_name);
  gr_db_stmt_bind_text (stmt, 2, id);
  gr_db_stmt_bind_int64 (stmt, 3, admitted_at - MINUTE_MS);
  return run_done (stmt, error);
}

/* ---- jobs ------------------------------------------------------------------ */

static gboolean
admit_once (GrSharedLimits  *self,
            Job             *job,
            GError         **error)
{
  g_auto(GrLimitCounters) key = { 0 };
  g_auto(GrLimitCounters) org = { 0 };
  GrLimitReservation *r;
  GrSharedReservation *shared;
  gboolean ok;

  if (!gr_db_begin (self->db, error))
    return FALSE;
  if (!lock_scopes (self, job->key_id, job->org_id, error) ||
      !load_scope (self, GR_LIMIT_SCOPE_KEY, job->key_id, error) ||
      !load_scope (self, GR_LIMIT_SCOPE_ORG, job->org_id, error))
    {
      gr_db_rollback (self->db);
      return FALSE;
    }

  gr_limit_refusal_clear (&job->refusal);
  r = gr_limits_admit (self->calc, job->key_id, &job->key_limits, job->org_id, &job->org_limits,
                       job->tokens, job->cost, &job->refusal);
  if (r == NULL)
    {
      gr_db_rollback (self->db);
      job->refused = TRUE;
      return TRUE;
    }

  ok = (job->key_id == NULL || store_scope (self, GR_LIMIT_SCOPE_KEY, job->key_id, &key, error)) &&
       (job->org_id == NULL || store_scope (self, GR_LIMIT_SCOPE_ORG, job->org_id, &org, error));
  shared = g_new0 (GrSharedReservation, 1);
  shared->key_id = g_strdup (job->key_id);
  shared->org_id = g_strdup (job->org_id);
  shared->tokens = gr_limit_reservation_get_estimated_tokens (r);
  shared->cost = gr_limit_reservation_get_estimated_cost (r);
  shared->day_start_ms = job->key_id != NULL ? key.day_start_ms : org.day_start_ms;
  shared->month_start_ms = job->key_id != NULL ? key.month_start_ms : org.month_start_ms;
  /* The calculator only computes: the database holds the reservation. */
  gr_limits_release (self->calc, r);

  if (!ok || !gr_db_commit (self->db, error))
    {
      gr_db_rollback (self->db);
      reservation_free (shared);
      return FALSE;
    }
  job->admitted = shared;
  return TRUE;
}

static gboolean
settle_scope (GrSharedLimits             *self,
              GrLimitScope                scope,
              const char                 *id,
              const GrSharedReservation  *r,
              gint64                      tokens,
              gint64                      cost,
              GError                    **error)
{
  static const char *sql[] = {
    "UPDATE limit_counters SET "
    "  reserved_tokens = CASE WHEN reserved_tokens > ?3 THEN reserved_tokens - ?3 ELSE 0 END, "
    "  tokens_day = tokens_day + ?4 "
    "WHERE scope = ?1 AND id = ?2 AND day_start = ?5;",
    "UPDATE limit_counters SET "
    "  reserved_cost = CASE WHEN reserved_cost > ?3 THEN reserved_cost - ?3 ELSE 0 END, "
    "  cost_month = cost_month + ?4 "
    "WHERE scope = ?1 AND id = ?2 AND month_start = ?5;",
  };

  if (id == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (sql); i++)
    {
      g_autoptr(GrDbStmt) stmt = gr_db_prepare (self->db, sql[i], error);

      if (stmt == NULL)
        return FALSE;
      gr_db_stmt_bind_text (stmt, 1, gr_limit_scope_to_string (scope));
      gr_db_stmt_bind_text (stmt, 2, id);
      gr_db_stmt_bind_int64 (stmt, 3, i == 0 ? r->tokens : r->cost);
      gr_db_stmt_bind_int64 (stmt, 4, i == 0 ? tokens : cost);
      gr_db_stmt_bind_int64 (stmt, 5, i == 0 ? r->day_start_ms : r->month_start_ms);
      if (!run_done (stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
settle_once (GrSharedLimits  *self,
             Job             *job,
             GError         **error)
{
  const GrSharedReservation *r = job->reservation;

  if (!gr_db_begin (self->db, error))
    return FALSE;
  if (!settle_scope (self, GR_LIMIT_SCOPE_KEY, r->key_id, r, job->tokens, job->cost, error) ||
      !settle_scope (self, GR_LIMIT_SCOPE_ORG, r->org_id, r, job->tokens, job->cost, error) ||
      !gr_db_commit (self->db, error))
    {
      gr_db_rollback (self->db);
      return FALSE;
    }
  return TRUE;
}

static gboolean
refresh_once (GrSharedLimits  *self,
              Job             *job,
              GError         **error)
{
  if (!gr_db_begin_snapshot (self->db, error))
    return FALSE;
  if (!load_scope (self, GR_LIMIT_SCOPE_KEY, job->key_id, error) ||
      !load_scope (self, GR_LIMIT_SCOPE_ORG, job->org_id, error) ||
      !gr_db_commit (self->db, error))
    {
      gr_db_rollback (self->db);
      return FALSE;
    }
  return TRUE;
}

typedef gboolean (*JobFunc) (GrSharedLimits *self, Job *job, GError **error);

/* Runs one job, again while the database is busy. */
static void
run_job (GrSharedLimits *self,
         Job            *job,
         JobFunc         func)
{
  for (guint attempt = 1; ; attempt++)
    {
      g_clear_error (&job->error);
      if (func (self, job, &job->error))
        return;
      if (attempt == MAX_ATTEMPTS || !g_error_matches (job->error, GR_ERROR, GR_ERROR_STORE_BUSY))
        return;
      g_usleep (20000 * attempt);
    }
}

static gboolean
deliver_cb (gpointer data)
{
  Job *job = data;

  job->func (g_steal_pointer (&job->admitted), job->refused ? &job->refusal : NULL,
             job->error, job->user_data);
  return G_SOURCE_REMOVE;
}

static void
answer_admission (Job *job)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_cb, job, job_free);
  g_source_attach (source, job->context);
  g_source_unref (source);
}

static gpointer
worker_thread (gpointer data)
{
  GrSharedLimits *self = data;

  while (TRUE)
    {
      Job *job = g_async_queue_pop (self->jobs);

      switch (job->kind)
        {
        case JOB_ADMIT:
          run_job (self, job, admit_once);
          answer_admission (job);
          break;
        case JOB_SETTLE:
          run_job (self, job, settle_once);
          /* The estimate stays reserved until the window ends: never
           * more than the limit, only less. */
          if (job->error != NULL)
            g_warning ("a request's usage could not be settled in the shared limits: %s",
                       job->error->message);
          job_free (job);
          break;
        case JOB_REFRESH:
          run_job (self, job, refresh_once);
          g_mutex_lock (&job->lock);
          job->done = TRUE;
          g_cond_signal (&job->cond);
          g_mutex_unlock (&job->lock);
          break;
        case JOB_QUIT:
        default:
          job_free (job);
          return NULL;
        }
    }
}

/* ---- public ------------------------------------------------------------------ */

GrSharedLimits *
gr_shared_limits_new (const char  *db_target,
                      GrLimits    *calculator,
                      GError     **error)
{
  GrSharedLimits *self;
  GrDb *db;

  g_return_val_if_fail (db_target != NULL, NULL);
  g_return_val_if_fail (calculator != NULL, NULL);

  db = gr_db_open (db_target, GR_DB_OPEN_DEFAULT, error);
  if (db == NULL)
    return NULL;
  self = g_new0 (GrSharedLimits, 1);
  self->db = db;
  self->calc = gr_limits_ref (calculator);
  self->jobs = g_async_queue_new ();
  self->thread = g_thread_new ("gr-shared-limits", worker_thread, self);
  return self;
}

void
gr_shared_limits_free (GrSharedLimits *self)
{
  if (self == NULL)
    return;
  /* After every job queued before it. */
  g_async_queue_push (self->jobs, job_new (JOB_QUIT, NULL, NULL));
  g_thread_join (self->thread);
  g_async_queue_unref (self->jobs);
  gr_limits_unref (self->calc);
  gr_db_close (self->db);
  g_free (self);
}

void
gr_shared_limits_admit_async (GrSharedLimits    *self,
                              const char        *key_id,
                              const GrLimitSet  *key_limits,
                              const char        *org_id,
                              const GrLimitSet  *org_limits,
                              gint64             estimated_tokens,
                              gint64             estimated_cost_micros,
                              GMainContext      *context,
                              GrSharedAdmitFunc  func,
                              gpointer           user_data)
{
  Job *job;

  g_return_if_fail (self != NULL);
  g_return_if_fail (func != NULL);

  job = job_new (JOB_ADMIT, key_id, org_id);
  if (key_limits != NULL)
    job->key_limits = *key_limits;
  if (org_limits != NULL)
    job->org_limits = *org_limits;
  job->tokens = MAX (estimated_tokens, 0);
  job->cost = MAX (estimated_cost_micros, 0);
  job->context = g_main_context_ref (context != NULL ? context : g_main_context_default ());
  job->func = func;
  job->user_data = user_data;
  g_async_queue_push (self->jobs, job);
}

void
gr_shared_limits_settle (GrSharedLimits      *self,
                         GrSharedReservation *reservation,
                         gint64               actual_tokens,
                         gint64               actual_cost_micros)
{
  Job *job;

  g_return_if_fail (self != NULL);
  g_return_if_fail (reservation != NULL);

  job = job_new (JOB_SETTLE, NULL, NULL);
  job->reservation = reservation;
  job->tokens = MAX (actual_tokens, 0);
  job->cost = MAX (actual_cost_micros, 0);
  g_async_queue_push (self->jobs, job);
}

gboolean
gr_shared_limits_refresh (GrSharedLimits  *self,
                          const char      *key_id,
                          const char      *org_id,
                          GError         **error)
{
  Job *job;
  gboolean ok;

  g_return_val_if_fail (self != NULL, FALSE);

  job = job_new (JOB_REFRESH, key_id, org_id);
  g_mutex_lock (&job->lock);
  g_async_queue_push (self->jobs, job);
  while (!job->done)
    g_cond_wait (&job->cond, &job->lock);
  g_mutex_unlock (&job->lock);
  ok = job->error == NULL;
  if (!ok)
    g_propagate_error (error, g_steal_pointer (&job->error));
  job_free (job);
  return ok;
}
