/* gr-usage.c — token usage of one request, in OpenAI terms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

#include "providers/gr-json-scan.h"
#include "providers/gr-provider.h"
#include "providers/gr-usage.h"

void
gr_usage_init (GrUsage *usage)
{
  memset (usage, 0, sizeof *usage);
  usage->upstream_cost_micros = -1;
}

void
gr_usage_from_openai (GrUsage    *usage,
                      JsonObject *usage_obj)
{
  JsonObject *details;

  if (usage_obj == NULL)
    return;

  usage->known = TRUE;
  usage->prompt_tokens = gr_json_get_count (usage_obj, "prompt_tokens");
  usage->completion_tokens = gr_json_get_count (usage_obj, "completion_tokens");

  details = gr_json_get_object (usage_obj, "prompt_tokens_details");
  if (details != NULL)
    {
      usage->cached_tokens = gr_json_get_count (details, "cached_tokens");
      usage->cache_write_tokens = gr_json_get_count (details, "cache_write_tokens");
    }
  details = gr_json_get_object (usage_obj, "completion_tokens_details");
  if (details != NULL)
    usage->reasoning_tokens = gr_json_get_count (details, "reasoning_tokens");

  /* OpenRouter reports the cost in USD as a number. */
  if (json_object_has_member (usage_obj, "cost"))
    {
      JsonNode *cost = json_object_get_member (usage_obj, "cost");

      if (JSON_NODE_HOLDS_VALUE (cost))
        {
          double usd = json_node_get_double (cost);

          if (isfinite (usd) && usd >= 0 && usd < 1e9)
            usage->upstream_cost_micros = (gint64) llround (usd * 1e6);
        }
    }
}

/* A details object's counts into the fields given (NULL = not read). */
static gboolean
details_from_text (const char       *data,
                   const GrJsonSpan *span,
                   gint64           *first,
                   gint64           *second,
                   const char       *first_name,
                   const char       *second_name)
{
  const char * const names[] = { first_name, second_name, NULL };
  GrJsonSpan spans[2];
  const char *value = data + span->value_start;
  gsize len = span->value_end - span->value_start;

  /* Absent, null or not an object: the DOM reader skips it too. */
  if (span->key_start < 0 || *value != '{')
    return TRUE;
  if (!gr_json_scan_object_strict (value, len, names, spans))
    return FALSE;
  if (!gr_json_span_get_count (value, &spans[0], GR_TOKEN_COUNT_MAX, first))
    return FALSE;
  return second == NULL || gr_json_span_get_count (value, &spans[1], GR_TOKEN_COUNT_MAX, second);
}

gboolean
gr_usage_from_openai_text (GrUsage    *usage,
                           const char *data,
                           gsize       len)
{
  static const char * const names[] = {
    "prompt_tokens", "completion_tokens", "prompt_tokens_details",
    "completion_tokens_details", "cost", NULL
  };
  GrJsonSpan spans[5];
  GrUsage u = *usage;
  const GrJsonSpan *cost = &spans[4];

  /* Escaped or repeated names would make this reading differ from the
   * DOM's: leave those (never seen from real upstreams) to the DOM. */
  if (!gr_json_scan_object_strict (data, len, names, spans) ||
      !gr_json_span_get_count (data, &spans[0], GR_TOKEN_COUNT_MAX, &u.prompt_tokens) ||
      !gr_json_span_get_count (data, &spans[1], GR_TOKEN_COUNT_MAX, &u.completion_tokens) ||
      !details_from_text (data, &spans[2], &u.cached_tokens, &u.cache_write_tokens,
                          "cached_tokens", "cache_write_tokens") ||
      !details_from_text (data, &spans[3], &u.reasoning_tokens, NULL,
                          "reasoning_tokens", NULL))
    return FALSE;

  if (cost->key_start >= 0)
    {
      const char *v = data + cost->value_start;

      if (*v == '-' || g_ascii_isdigit (*v))
        {
          double usd = g_ascii_strtod (v, NULL);

          if (isfinite (usd) && usd >= 0 && usd < 1e9)
            u.upstream_cost_micros = (gint64) llround (usd * 1e6);
        }
      else if (*v != 'n')  /* null is skipped; strings, booleans… go to the DOM */
        return FALSE;
    }
  u.known = TRUE;
  *usage = u;
  return TRUE;
}

JsonNode *
gr_usage_to_openai (const GrUsage *usage)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "prompt_tokens");
  json_builder_add_int_value (b, usage->prompt_tokens);
  json_builder_set_member_name (b, "completion_tokens");
  json_builder_add_int_value (b, usage->completion_tokens);
  json_builder_set_member_name (b, "total_tokens");
  json_builder_add_int_value (b, usage->prompt_tokens + usage->completion_tokens);
  json_builder_set_member_name (b, "prompt_tokens_details");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cached_tokens");
  json_builder_add_int_value (b, usage->cached_tokens);
  if (usage->cache_write_tokens > 0)
    {
      json_builder_set_member_name (b, "cache_write_tokens");
      json_builder_add_int_value (b, usage->cache_write_tokens);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "completion_tokens_details");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "reasoning_tokens");
  json_builder_add_int_value (b, usage->reasoning_tokens);
  json_builder_end_object (b);
  json_builder_end_object (b);

  return json_builder_get_root (b);
}
