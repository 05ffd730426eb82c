/* gr-json.h — loading JSON text safely with json-glib
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* TRUE when json-glib 1.6 can read text without leaking or producing
 * invalid UTF-8: at most one top-level value with nothing but whitespace
 * after it, no comments or single quotes outside strings, "\\u" escapes
 * whose surrogates pair, and no number too large for a double (json-glib
 * would write it back as "inf").  It does not check the rest of the
 * syntax: json-glib does. */
gboolean gr_json_text_is_safe (const char *text,
                               gsize       len);

/* json_parser_load_from_data() for text from the network.  json-glib 1.6
 * accepts several top-level values ("{}{}", "1 []") and leaks all but the
 * last, leaks on a high surrogate escape followed by another escape, and
 * decodes a lone surrogate escape into invalid UTF-8; a client or an
 * upstream could make the gateway leak memory with every body or stream
 * event.  Such text is refused here before json-glib sees it (GError
 * JSON_PARSER_ERROR_PARSE). */
gboolean gr_json_parser_load (JsonParser  *parser,
                              const char  *text,
                              gsize        len,
                              GError     **error);
/* json_from_string() with the same check (text NUL-terminated). */
JsonNode *gr_json_from_string (const char  *text,
                               GError     **error);

/* Compact JSON for node, members in their order, like json_to_string()
 * but always valid JSON: json-glib 1.6 writes 6e52 as "6e+52.0" and
 * leaves U+001F unescaped, which upstreams and clients refuse.  Doubles
 * get the shortest text that reads back the same (and keep a ".0" when
 * they have no fraction or exponent, as json-glib does); a non-finite
 * double, which JSON cannot spell, is written as null. */
char     *gr_json_to_string   (JsonNode    *node);
/* The same, appended to out. */
void      gr_json_append      (GString     *out,
                               JsonNode    *node);

G_END_DECLS
