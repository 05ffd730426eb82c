/* gr-json-scan.h — a byte-level scanner for the members of a JSON object
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The hot path of OpenAI-compatible upstreams only needs to rewrite one
 * member ("model") and read another ("usage"): a full json-glib parse and
 * re-serialisation of every answer and stream chunk costs more than
 * everything else the gateway does.  This scanner walks the text once,
 * checks that it is one well-formed JSON object, and reports where the
 * wanted top-level members are, so the bytes can be forwarded with only
 * the needed edits.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gssize key_start;    /* offset of the member's opening quote, -1 if absent */
  gssize value_start;  /* offset of the value's first byte */
  gssize value_end;    /* offset just past the value */
} GrJsonSpan;

#define GR_JSON_SCAN_MAX_DEPTH 64

/* Scans data as one JSON object (whitespace around it allowed).  For each
 * name of names (NULL-terminated, at most 8) fills spans[i] with the last
 * top-level member of that name (member names are compared byte for byte:
 * names written with escapes are not recognised, which makes the caller
 * fall back to a full parse).  Returns FALSE when data is not a single
 * well-formed object, is not valid UTF-8, or nests deeper than
 * GR_JSON_SCAN_MAX_DEPTH. */
gboolean gr_json_scan_object (const char         *data,
                              gsize               len,
                              const char * const *names,
                              GrJsonSpan         *spans);

/* Like gr_json_scan_object(), but also FALSE when a top-level member name
 * is written with an escape or appears twice (or there are more than
 * GR_JSON_SCAN_MAX_MEMBERS members).  Needed wherever the gateway acts
 * on a member and forwards the bytes: a decoder that reads "mod\u0065l"
 * as "model", or keeps the first of two "model" members, would see
 * another value than the one we checked. */
#define GR_JSON_SCAN_MAX_MEMBERS 64
gboolean gr_json_scan_object_strict (const char         *data,
                                     gsize               len,
                                     const char * const *names,
                                     GrJsonSpan         *spans);

/* Walks the elements of an array value (span from a successful scan of
 * data): set iter->p to span->value_start, then each call gives the next
 * element's offsets; FALSE at the end. */
typedef struct
{
  gssize p;
  gssize end;
} GrJsonIter;

void     gr_json_iter_init (GrJsonIter       *iter,
                            const GrJsonSpan *array);
gboolean gr_json_iter_next (GrJsonIter       *iter,
                            const char       *data,
                            gssize           *start,
                            gssize           *end);

/* A token count as gr_json_get_count() reads it from a DOM, from the raw
 * value at span: an integer literal (negative ones are 0, huge ones are
 * capped), null or absent is 0.  FALSE when the value is anything else
 * (a fraction, an exponent, a string…): the caller must then use the DOM. */
gboolean gr_json_span_get_count (const char       *data,
                                 const GrJsonSpan *span,
                                 gint64            cap,
                                 gint64           *count);

/* TRUE when the value at span is empty ("[]" or "{}", whitespace inside
 * allowed). */
gboolean gr_json_span_is_empty (const char       *data,
                                const GrJsonSpan *span);

/* Appends data with the member of span removed (span from a successful
 * scan of data). */
void     gr_json_append_without (GString          *out,
                                 const char       *data,
                                 gsize             len,
                                 const GrJsonSpan *span);

/* Appends value as a JSON string literal (quoted and escaped). */
void     gr_json_append_string  (GString          *out,
                                 const char       *value);

G_END_DECLS
