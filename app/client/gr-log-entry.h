/* gr-log-entry.h — one request of the request log
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define GR_TYPE_LOG_ENTRY (gr_log_entry_get_type ())

G_DECLARE_FINAL_TYPE (GrLogEntry, gr_log_entry, GR, LOG_ENTRY, GObject)

/* Read-only properties:
 *
 *   "request-id" string        "created-at"  gint64 Unix ms
 *   "key-id"     string|NULL   "org-id"      string|NULL
 *   "provider"   string|NULL   "model"       string|NULL
 *   "endpoint"   string|NULL   "status"      gint (HTTP status)
 *   "prompt-tokens", "completion-tokens", "cached-tokens",
 *   "total-tokens"             gint64
 *   "cost-micros" gint64 micro-USD
 *   "latency-ms" gint64        "ttfb-ms"     gint64, -1 = unknown
 *   "stream"     gboolean      "partial"     gboolean (usage estimated)
 *   "error-code" string|NULL
 */

GrLogEntry *gr_log_entry_new_from_json          (JsonObject *object);

const char *gr_log_entry_get_request_id         (GrLogEntry *self);
gint64      gr_log_entry_get_created_at         (GrLogEntry *self);
const char *gr_log_entry_get_key_id             (GrLogEntry *self);
const char *gr_log_entry_get_org_id             (GrLogEntry *self);
const char *gr_log_entry_get_provider           (GrLogEntry *self);
const char *gr_log_entry_get_model              (GrLogEntry *self);
const char *gr_log_entry_get_endpoint           (GrLogEntry *self);
int         gr_log_entry_get_status             (GrLogEntry *self);
gint64      gr_log_entry_get_prompt_tokens      (GrLogEntry *self);
gint64      gr_log_entry_get_completion_tokens  (GrLogEntry *self);
gint64      gr_log_entry_get_cached_tokens      (GrLogEntry *self);
gint64      gr_log_entry_get_total_tokens       (GrLogEntry *self);
gint64      gr_log_entry_get_cost_micros        (GrLogEntry *self);
gint64      gr_log_entry_get_latency_ms         (GrLogEntry *self);
gint64      gr_log_entry_get_ttfb_ms            (GrLogEntry *self);
gboolean    gr_log_entry_get_stream             (GrLogEntry *self);
gboolean    gr_log_entry_get_partial            (GrLogEntry *self);
const char *gr_log_entry_get_error_code         (GrLogEntry *self);

G_END_DECLS
