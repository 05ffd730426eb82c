/* gr-client-json-private.h — reading the admin API's JSON into items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Lenient readers: a member that is missing, null or of another type
 * gives the fallback, so an older or newer gateway still loads.
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

const char  *gr_client_json_string  (JsonObject *object,
                                     const char *name);
/* "" for missing/null, never NULL. */
const char  *gr_client_json_text    (JsonObject *object,
                                     const char *name);
gint64       gr_client_json_int     (JsonObject *object,
                                     const char *name,
                                     gint64      fallback);
gboolean     gr_client_json_bool    (JsonObject *object,
                                     const char *name,
                                     gboolean    fallback);
/* An RFC 3339 member as Unix ms; 0 when missing, null or unreadable. */
gint64       gr_client_json_time    (JsonObject *object,
                                     const char *name);
/* An array of strings; never NULL (empty vector). */
char       **gr_client_json_strv    (JsonObject *object,
                                     const char *name);
JsonObject  *gr_client_json_object  (JsonObject *object,
                                     const char *name);
JsonArray   *gr_client_json_array   (JsonObject *object,
                                     const char *name);

gint64       gr_client_parse_time   (const char *text);
/* RFC 3339 UTC with milliseconds dropped; NULL for 0. */
char        *gr_client_format_time  (gint64      unix_ms);

/* g_strv_equal that takes NULL as empty. */
gboolean     gr_client_strv_equal   (const char * const *a,
                                     const char * const *b);
/* Replaces *slot with a copy of value when different; TRUE if changed. */
gboolean     gr_client_set_string   (char              **slot,
                                     const char         *value);
gboolean     gr_client_set_strv     (char             ***slot,
                                     const char * const *value);

G_END_DECLS
