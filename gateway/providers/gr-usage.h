/* gr-usage.h — token usage of one request, in OpenAI terms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean known;              /* the upstream reported usage */
  gint64   prompt_tokens;      /* includes cached and cache-write tokens */
  gint64   completion_tokens;  /* includes reasoning tokens */
  gint64   cached_tokens;      /* cache reads (subset of prompt) */
  gint64   cache_write_tokens; /* cache writes (subset of prompt) */
  gint64   reasoning_tokens;   /* subset of completion */
  gint64   upstream_cost_micros; /* cost the upstream reported (OpenRouter), -1 if none */
} GrUsage;

void gr_usage_init (GrUsage *usage);
/* Reads an OpenAI "usage" object (also OpenRouter's, with cost). */
void gr_usage_from_openai (GrUsage *usage, JsonObject *usage_obj);
/* The same from the object's text, without building a DOM.  FALSE (usage
 * untouched) when the text holds anything this reader is not sure to read
 * as gr_usage_from_openai() would: the caller then parses it. */
gboolean gr_usage_from_openai_text (GrUsage *usage, const char *data, gsize len);
/* Writes an OpenAI "usage" object. */
JsonNode *gr_usage_to_openai (const GrUsage *usage);

G_END_DECLS
