/* gr-admin.h — the admin API's plumbing: calls, workers, validation, lists
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An admin handler authenticates and validates on the gateway thread
 * (memory only), then hands the store work to a worker thread, so the
 * gateway thread never waits for SQLite.  The answer is sent back on the
 * gateway thread.
 */
#pragma once

#include "http/gr-server.h"

G_BEGIN_DECLS

typedef struct _GrAdminCall GrAdminCall;

/* Runs in a worker thread: reads call->…, sets call->status and
 * call->result, or call->error (or a GError with gr_admin_call_set_gerror). */
typedef void (*GrAdminWorkFunc) (GrAdminCall *call);

struct _GrAdminCall
{
  GrServer          *server;
  GrShared          *shared;
  SoupServerMessage *msg;
  const char        *method;
  char             **segments;   /* path after "/v1/", split on '/' */
  GHashTable        *query;      /* copy of the query parameters, nullable */
  GrKeyRecord       *key;        /* the caller */
  JsonNode          *body;       /* parsed JSON body (POST/PATCH), nullable */

  /* Results, set by the worker. */
  guint              status;
  JsonNode          *result;
  GrApiError        *error;
  gboolean           keys_changed; /* reload the key cache before answering */

  gpointer           data;        /* per-route state */
  GDestroyNotify     data_free;
  gboolean           client_gone;
  gboolean           started;      /* a worker owns the call now */
  gulong             finished_id;
  gulong             disconnected_id;
  char              *request_id;   /* its log lines carry it */
  gint64             started_us;
};

/* FALSE with a 403 in *error when admin_loopback_only refuses this peer
 * the admin route path. */
gboolean     gr_admin_peer_allowed  (GrServer          *server,
                                     SoupServerMessage *msg,
                                     const char        *path,
                                     GrApiError       **error);
/* Authenticates; on failure answers and returns NULL. */
GrAdminCall *gr_admin_call_new      (GrServer          *server,
                                     SoupServerMessage *msg,
                                     const char        *path,
                                     GHashTable        *query);
/* Ends a handler: answers now unless a worker took the call. */
void         gr_admin_call_done     (GrAdminCall       *call);
/* Answers now with call->error or call->result and frees the call. */
void         gr_admin_call_finish   (GrAdminCall       *call);
/* Pauses the message and runs work in a worker thread; answers after. */
void         gr_admin_call_run      (GrAdminCall       *call,
                                     GrAdminWorkFunc    work);
void         gr_admin_call_fail     (GrAdminCall       *call,
                                     int                status,
                                     const char        *type,
                                     const char        *code,
                                     const char        *param,
                                     const char        *format,
                                     ...) G_GNUC_PRINTF (6, 7);
/* Maps a store error: not found 404, conflict 409, invalid 400, and a
 * busy, locked, read-only or broken database 503 with a clear message. */
void         gr_admin_call_set_gerror (GrAdminCall     *call,
                                       const GError    *error);
gboolean     gr_admin_call_has (GrAdminCall *call,
                                const char  *scope);
/* TRUE when the caller may see org_id: admins see every organization,
 * others only their own. */
gboolean     gr_admin_call_can_see_org (GrAdminCall *call,
                                        const char  *org_id);
/* Parses the JSON body; 400 with the reason when it is not an object. */
gboolean     gr_admin_call_parse_body (GrAdminCall *call);

/* Field validation for POST and PATCH bodies. */
typedef enum
{
  GR_FIELD_STRING,
  GR_FIELD_INT,          /* integer ≥ 0 */
  GR_FIELD_BOOL,
  GR_FIELD_STRING_LIST,  /* array of strings */
  GR_FIELD_OBJECT,
  GR_FIELD_TIMESTAMP,    /* RFC 3339 string */
} GrFieldType;

typedef struct
{
  const char *name;
  GrFieldType type;
  gboolean    nullable;
  gboolean    required;  /* for POST */
} GrFieldSpec;

/* Unknown fields and wrong types are 400 naming the field (prefix is
 * prepended to names, e.g. "limits."). */
gboolean     gr_admin_check_fields  (GrAdminCall       *call,
                                     JsonObject        *obj,
                                     const GrFieldSpec *specs,
                                     gboolean           creating,
                                     const char        *prefix);
/* Reads page, page_size (1..200, default 20), q, sort and status. */
gboolean     gr_admin_call_list_query (GrAdminCall *call,
                                       GrListQuery *query);
const char  *gr_admin_call_get_query (GrAdminCall *call,
                                      const char  *name);
/* 400 naming `sort` unless sort is NULL or one of allowed (each also
 * accepted with a leading '-'). */
gboolean     gr_admin_call_check_sort (GrAdminCall        *call,
                                       const char         *sort,
                                       const char * const *allowed);
/* {data, page, page_size, total} (takes data). */
JsonNode    *gr_admin_list_json     (JsonArray         *data,
                                     const GrListQuery *query,
                                     gint64             total);

/* One page of an in-memory list (items already filtered and sorted),
 * each item turned into JSON by to_json, as gr_admin_list_json(). */
typedef JsonNode *(*GrAdminItemToJson) (gconstpointer item,
                                        gpointer      user_data);
JsonNode    *gr_admin_list_page_json (GPtrArray         *items,
                                      const GrListQuery *query,
                                      GrAdminItemToJson  to_json,
                                      gpointer           user_data);
/* Reverses items in place (a "-field" sort of an ascending list). */
void         gr_admin_list_reverse   (GPtrArray         *items);

/* Limits objects: {rpm, requests_per_day, tokens_per_day, monthly_budget_micros}. */
JsonNode    *gr_admin_limits_to_json (const GrLimitSet *limits,
                                      gboolean          with_requests_per_day);
/* Reads a "limits" object; which says what was given. */
gboolean     gr_admin_limits_from_json (GrAdminCall *call,
                                        JsonObject  *limits_obj,
                                        gboolean     with_requests_per_day,
                                        GrLimitSet  *limits,
                                        GrLimitMask *which);

char        *gr_admin_format_time    (gint64 unix_ms);   /* RFC 3339 UTC, NULL for 0 */
gboolean     gr_admin_parse_time     (const char *text,
                                      gint64     *unix_ms);
void         gr_admin_add_time_member (JsonBuilder *b,
                                       const char  *name,
                                       gint64       unix_ms);

/* Route registration, one file each in api/. */
void gr_api_organizations_register (GrServer *server);
void gr_api_keys_register          (GrServer *server);

G_END_DECLS
