/* gr-usage.c — token usage of one request, in OpenAI terms
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <math.h>

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
