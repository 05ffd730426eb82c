/* gr-http.h — small helpers for SoupServer handlers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core/gr-error.h"

G_BEGIN_DECLS

/* Answers with a JSON body (compact). */
void        gr_http_send_json        (SoupServerMessage *msg,
                                      guint              status,
                                      const char        *json,
                                      gssize             len);
void        gr_http_send_json_node   (SoupServerMessage *msg,
                                      guint              status,
                                      JsonNode          *node);
/* Answers with the OpenAI error shape and the error's status
 * (plus Retry-After when set). */
void        gr_http_send_error       (SoupServerMessage *msg,
                                      const GrApiError  *error);
void        gr_http_send_error_new   (SoupServerMessage *msg,
                                      int                status,
                                      const char        *type,
                                      const char        *code,
                                      const char        *param,
                                      const char        *message);
/* The client's key from "Authorization: Bearer …" or "x-api-key". */
const char *gr_http_get_client_key   (SoupServerMessage *msg);
/* TRUE when the peer is on this machine. */
gboolean    gr_http_is_loopback      (SoupServerMessage *msg);
/* A new request id ("req_" and 24 hex digits), unique in this process. */
char       *gr_http_next_request_id  (void);
/* A new request id, also set as the x-request-id header. */
char       *gr_http_assign_request_id (SoupServerMessage *msg);
/* A handler registered for a path also receives its sub-paths: TRUE when
 * path is exactly expected; otherwise answers 404 unknown_route. */
gboolean    gr_http_exact_path       (SoupServerMessage *msg,
                                      const char        *path,
                                      const char        *expected);
/* FALSE and *error (415) when the request's Content-Type is clearly not
 * JSON. */
gboolean    gr_http_check_json_type  (SoupServerMessage *msg,
                                      GrApiError       **error);
/* Parses the request body as a JSON object, or sets *error (400). */
JsonNode   *gr_http_parse_json_body  (SoupServerMessage *msg,
                                      GrApiError       **error);
/* The same for a body already in memory (data need not be NUL-terminated);
 * pure, so the fuzz targets reach it without a SoupServerMessage. */
JsonNode   *gr_http_parse_json_data  (const char        *data,
                                      gsize              len,
                                      GrApiError       **error);

/* An answer without a body (204), with "Connection: close": libsoup
 * closes the connection after it anyway, and clients must know. */
void        gr_http_send_no_content   (SoupServerMessage *msg,
                                       guint              status);

G_END_DECLS
