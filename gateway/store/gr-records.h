/* gr-records.h — plain rows the store reads and writes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Usage limits; -1 means unlimited.  Keys use rpm, tokens_per_day and
 * monthly_budget_micros; organizations all four. */
typedef struct
{
  gint64 rpm;
  gint64 requests_per_day;
  gint64 tokens_per_day;
  gint64 monthly_budget_micros;
} GrLimitSet;

void gr_limit_set_init_unlimited (GrLimitSet *limits);

typedef struct
{
  char      *id;
  char      *name;
  char      *description;
  char      *status;        /* active, disabled */
  GrLimitSet limits;
  gint64     created_at;    /* Unix ms */
  gint64     updated_at;
  gint64     key_count;     /* keys that are not revoked */
} GrOrgRecord;

GrOrgRecord *gr_org_record_new  (void);
void         gr_org_record_free (GrOrgRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrOrgRecord, gr_org_record_free)

/* An API key as the gateway needs it to authenticate and admit requests.
 * Reference counted (gr_key_record_free drops a reference): the key cache
 * hands the same immutable record to every request that uses the key. */
typedef struct
{
  gatomicrefcount ref_count;
  char   *id;
  char   *org_id;
  char   *name;
  char   *prefix;
  char   *hash;            /* hex HMAC-SHA-256 */
  char  **permissions;     /* "chat", "admin", … */
  char  **allowed_models;  /* patterns; empty = all */
  gint64  expires_at;      /* Unix ms, 0 = never */
  char   *status;          /* active, disabled, revoked */
  char   *org_status;      /* status of its organization */
  gint64  last_used_at;
  gint64  created_at;
  gint64  updated_at;
  GrLimitSet limits;       /* the key's own */
  GrLimitSet org_limits;   /* its organization's */
} GrKeyRecord;

GrKeyRecord *gr_key_record_new  (void);
GrKeyRecord *gr_key_record_copy (const GrKeyRecord *record);
GrKeyRecord *gr_key_record_ref  (GrKeyRecord *record);
void         gr_key_record_free (GrKeyRecord *record);
gboolean     gr_key_record_has_permission (const GrKeyRecord *record,
                                           const char        *scope);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrKeyRecord, gr_key_record_free)

/* One request, whatever its end. */
typedef struct
{
  char    *request_id;
  gint64   ts;                /* Unix ms when the request arrived */
  char    *key_id;            /* nullable (unauthenticated requests) */
  char    *org_id;
  char    *provider;
  char    *model;             /* the model as the client named it */
  char    *endpoint;          /* "chat", "messages" */
  int      status;            /* HTTP status the client got */
  gint64   prompt_tokens;
  gint64   completion_tokens;
  gint64   cached_tokens;
  gint64   reasoning_tokens;
  gint64   cost_micros;
  gint64   latency_ms;
  gint64   ttfb_ms;           /* -1 when nothing was sent */
  gboolean stream;
  gboolean partial;           /* a stream that broke: usage counted as delivered */
  char    *error_code;        /* nullable */
} GrUsageEvent;

GrUsageEvent *gr_usage_event_new  (void);
void          gr_usage_event_free (GrUsageEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrUsageEvent, gr_usage_event_free)

G_END_DECLS
