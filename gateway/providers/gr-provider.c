/* gr-provider.c — shared pieces of the provider translators
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "providers/gr-provider.h"

static const struct
{
  GrProviderKind kind;
  const char    *name;
} kind_names[] = {
  { GR_PROVIDER_KIND_OPENAI, "openai" },
  { GR_PROVIDER_KIND_OPENROUTER, "openrouter" },
  { GR_PROVIDER_KIND_OPENAI_COMPATIBLE, "openai-compatible" },
  { GR_PROVIDER_KIND_ANTHROPIC, "anthropic" },
  { GR_PROVIDER_KIND_GEMINI, "gemini" },
};

const char *
gr_provider_kind_to_string (GrProviderKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (kind_names[i].kind == kind)
      return kind_names[i].name;
  return "unknown";
}

gboolean
gr_provider_kind_from_string (const char     *str,
                              GrProviderKind *kind)
{
  if (str == NULL)
    return FALSE;
  /* "google" is what users call Gemini's provider. */
  if (g_str_equal (str, "google"))
    {
      *kind = GR_PROVIDER_KIND_GEMINI;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (g_str_equal (kind_names[i].name, str))
      {
        *kind = kind_names[i].kind;
        return TRUE;
      }
  return FALSE;
}

const GrProviderOps *
gr_provider_ops_for_kind (GrProviderKind kind)
{
  switch (kind)
    {
    case GR_PROVIDER_KIND_ANTHROPIC:
      return &gr_provider_anthropic_ops;
    case GR_PROVIDER_KIND_GEMINI:
      return &gr_provider_gemini_ops;
    case GR_PROVIDER_KIND_OPENAI:
    case GR_PROVIDER_KIND_OPENROUTER:
    case GR_PROVIDER_KIND_OPENAI_COMPATIBLE:
    default:
      return &gr_provider_openai_ops;
    }
}

GrUpstreamRequest *
gr_upstream_request_new (void)
{
  GrUpstreamRequest *request = g_new0 (GrUpstreamRequest, 1);

  request->headers = g_ptr_array_new_with_free_func (g_free);
  return request;
}

void
gr_upstream_request_free (GrUpstreamRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->url);
  g_ptr_array_unref (request->headers);
  g_clear_pointer (&request->body, g_bytes_unref);
  g_free (request);
}

void
gr_upstream_request_add_header (GrUpstreamRequest *request,
                                const char        *name,
                                const char        *value)
{
  g_ptr_array_add (request->headers, g_strdup_printf ("%s: %s", name, value));
}

void
gr_sse_append_data (GString    *out,
                    const char *json,
                    gssize      len)
{
  g_string_append_len (out, "data: ", 6);
  g_string_append_len (out, json, len < 0 ? (gssize) strlen (json) : len);
  g_string_append_len (out, "\n\n", 2);
}

void
gr_sse_append_json (GString  *out,
                    JsonNode *node)
{
  g_string_append_len (out, "data: ", 6);
  gr_json_append (out, node);
  g_string_append_len (out, "\n\n", 2);
}

void
gr_sse_append_done (GString *out)
{
  g_string_append_len (out, "data: [DONE]\n\n", 14);
}

void
gr_sse_append_error (GString          *out,
                     const GrApiError *error)
{
  g_autofree char *json = gr_api_error_to_json (error);

  gr_sse_append_data (out, json, -1);
  gr_sse_append_done (out);
}

gboolean
gr_json_get_true (JsonObject *obj,
                  const char *member)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return FALSE;
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
         json_node_get_boolean (node);
}

const char *
gr_json_get_string (JsonObject *obj,
                    const char *member)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

gint64
gr_json_get_int (JsonObject *obj,
                 const char *member,
                 gint64      fallback)
{
  JsonNode *node;
  GType type;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return fallback;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  type = json_node_get_value_type (node);
  if (type == G_TYPE_INT64)
    return json_node_get_int (node);
  if (type == G_TYPE_DOUBLE)
    {
      double d = json_node_get_double (node);

      /* (double) G_MAXINT64 rounds up to 2^63, which does not fit:
       * compare against 2^63 exactly, excluded. */
      if (d >= (double) G_MININT64 && d < -(double) G_MININT64)
        return (gint64) d;
    }
  return fallback;
}

JsonObject *
gr_json_get_object (JsonObject *obj,
                    const char *member)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return NULL;
  return JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
gr_json_get_array (JsonObject *obj,
                   const char *member)
{
  JsonNode *node;

  if (obj == NULL || (node = json_object_get_member (obj, member)) == NULL)
    return NULL;
  return JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gint64
gr_json_get_count (JsonObject *obj,
                   const char *member)
{
  gint64 v = gr_json_get_int (obj, member, 0);

  return CLAMP (v, 0, GR_TOKEN_COUNT_MAX);
}
