/* gr-anthropic-inbound.c — Anthropic Messages clients over any upstream
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The inverse of gr-provider-anthropic.c (wire-formats.md section 12): an
 * Anthropic request becomes an OpenAI chat request, and the OpenAI answer,
 * whole or chunk by chunk, goes back out as an Anthropic message or event
 * sequence.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "core/gr-json.h"
#include "providers/gr-anthropic-inbound.h"
#include "providers/gr-provider.h"

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

/* Absent, null or true/false: json-glib's boolean getters complain (a
 * critical) about an object or array (fuzz finding: "stream": {…}). */
static gboolean
is_boolean_or_absent (JsonObject *object,
                      const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node == NULL || JSON_NODE_HOLDS_NULL (node) ||
         (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_BOOLEAN);
}

/* A node owning obj (json_node_init_object() would add a reference). */
static JsonNode *
object_node (JsonObject *obj)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, obj);
  return node;
}

/* json_node_get_object() warns on other node types; input is untrusted. */
static JsonObject *
node_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static gboolean
node_is_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
node_is_number (JsonNode *node)
{
  GType type;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  return type == G_TYPE_INT64 || type == G_TYPE_DOUBLE;
}

static JsonObject *
text_part (const char *text)
{
  JsonObject *part = json_object_new ();

  json_object_set_string_member (part, "type", "text");
  json_object_set_string_member (part, "text", text);
  return part;
}

/* Anthropic wants tool ids matching ^[a-zA-Z0-9_-]+$. */
static char *
sanitize_id (const char *id)
{
  char *copy = g_strdup (id);

  for (char *p = copy; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      *p = '_';
  return copy;
}

static char *
random_suffix (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *hex = g_string_new (NULL);

  for (const char *p = uuid; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (hex, *p);
  return g_string_free (hex, FALSE);
}

/* ------------------------------------------------------------------------
 * Request: content blocks → OpenAI parts
 * ------------------------------------------------------------------------ */

static JsonObject *
image_part (JsonObject  *block,
            const char  *param,
            GrApiError **error)
{
  JsonObject *source = gr_json_get_object (block, "source");
  const char *type = gr_json_get_string (source, "type");
  g_autofree char *url = NULL;
  JsonObject *image_url;
  JsonObject *part;

  if (g_strcmp0 (type, "base64") == 0 && gr_json_get_string (source, "media_type") != NULL
      && gr_json_get_string (source, "data") != NULL)
    url = g_strdup_printf ("data:%s;base64,%s", gr_json_get_string (source, "media_type"),
                           gr_json_get_string (source, "data"));
  else if (g_strcmp0 (type, "url") == 0 && gr_json_get_string (source, "url") != NULL)
    url = g_strdup (gr_json_get_string (source, "url"));
  else
    {
      *error = gr_api_error_invalid_request ("invalid_value", param, "%s.source: expected a base64 or url image source", param);
      return NULL;
    }

  image_url = json_object_new ();
  json_object_set_string_member (image_url, "url", url);
  part = json_object_new ();
  json_object_set_string_member (part, "type", "image_url");
  json_object_set_object_member (part, "image_url", image_url);
  return part;
}

static JsonObject *
document_part (JsonObject  *block,
               const char  *param,
               GrApiError **error)
{
  JsonObject *source = gr_json_get_object (block, "source");
  const char *type = gr_json_get_string (source, "type");
  const char *media_type = gr_json_get_string (source, "media_type");
  const char *data = gr_json_get_string (source, "data");
  g_autofree char *file_data = NULL;
  JsonObject *file;
  JsonObject *part;

  /* Plain-text documents are just text to an OpenAI model. */
  if (g_strcmp0 (type, "text") == 0 && data != NULL)
    return text_part (data);
  if (g_strcmp0 (type, "base64") != 0 || g_strcmp0 (media_type, "application/pdf") != 0 || data == NULL)
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                             "%s: only base64 PDF and text documents are supported", param);
      return NULL;
    }

  file_data = g_strdup_printf ("data:application/pdf;base64,%s", data);
  file = json_object_new ();
  json_object_set_string_member (file, "filename", "document.pdf");
  json_object_set_string_member (file, "file_data", file_data);
  part = json_object_new ();
  json_object_set_string_member (part, "type", "file");
  json_object_set_object_member (part, "file", file);
  return part;
}

/* Text of a tool_result: a string, or its text blocks joined; its images
 * go to extra_parts because OpenAI tool messages are text-only. */
static gboolean
tool_result_text (JsonObject  *block,
                  const char  *param,
                  JsonArray   *extra_parts,
                  char       **text,
                  GrApiError **error)
{
  JsonNode *content = json_object_get_member (block, "content");
  g_autoptr(GString) buf = g_string_new (NULL);
  JsonArray *items;

  if (node_is_string (content))
    g_string_append (buf, json_node_get_string (content));
  else if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    {
      items = json_node_get_array (content);
      for (guint k = 0; k < json_array_get_length (items); k++)
        {
          JsonObject *item = node_object (json_array_get_element (items, k));
          const char *type = gr_json_get_string (item, "type");
          g_autofree char *item_param = g_strdup_printf ("%s.content.%u", param, k);

          if (g_strcmp0 (type, "text") == 0)
            {
              if (buf->len > 0)
                g_string_append_c (buf, '\n');
              g_string_append (buf, gr_json_get_string (item, "text") ? gr_json_get_string (item, "text") : "");
            }
          else if (g_strcmp0 (type, "image") == 0)
            {
              JsonObject *part = image_part (item, item_param, error);

              if (part == NULL)
                return FALSE;
              json_array_add_object_element (extra_parts, part);
            }
          else
            {
              *error = gr_api_error_invalid_request ("unsupported_parameter", item_param,
                                                     "%s: unsupported tool_result content type", item_param);
              return FALSE;
            }
        }
    }
  /* OpenAI has no is_error; the model still has to see the failure. */
  if (gr_json_get_true (block, "is_error"))
    g_string_prepend (buf, "Error: ");
  *text = g_string_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

static JsonObject *
tool_message (JsonObject  *block,
              const char  *param,
              JsonArray   *extra_parts,
              GrApiError **error)
{
  const char *id = gr_json_get_string (block, "tool_use_id");
  g_autofree char *text = NULL;
  JsonObject *msg;

  if (id == NULL)
    {
      *error = gr_api_error_invalid_request ("missing_field", param, "%s.tool_use_id: Field required", param);
      return NULL;
    }
  if (!tool_result_text (block, param, extra_parts, &text, error))
    return NULL;

  msg = json_object_new ();
  json_object_set_string_member (msg, "role", "tool");
  json_object_set_string_member (msg, "tool_call_id", id);
  json_object_set_string_member (msg, "content", text);
  return msg;
}

static void
add_user_message (JsonArray *messages,
                  JsonArray *parts)
{
  JsonObject *msg;

  if (json_array_get_length (parts) == 0)
    return;
  msg = json_object_new ();
  json_object_set_string_member (msg, "role", "user");
  json_object_set_array_member (msg, "content", json_array_ref (parts));
  json_array_add_object_element (messages, msg);
}

/* A user turn: tool_result blocks become tool messages placed first, then
 * any images those results held, then the rest of the turn (section 12). */
static gboolean
convert_user_blocks (JsonArray   *blocks,
                     guint        i,
                     JsonArray   *messages,
                     GrApiError **error)
{
  g_autoptr(JsonArray) parts = json_array_new ();
  g_autoptr(JsonArray) tool_images = json_array_new ();

  for (guint k = 0; k < json_array_get_length (blocks); k++)
    {
      JsonObject *block = node_object (json_array_get_element (blocks, k));
      const char *type = gr_json_get_string (block, "type");
      g_autofree char *param = g_strdup_printf ("messages.%u.content.%u", i, k);
      JsonObject *converted = NULL;

      if (g_strcmp0 (type, "text") == 0)
        {
          const char *text = gr_json_get_string (block, "text");

          if (text != NULL && *text != '\0')
            json_array_add_object_element (parts, text_part (text));
          continue;
        }
      if (g_strcmp0 (type, "tool_result") == 0)
        {
          converted = tool_message (block, param, tool_images, error);
          if (converted == NULL)
            return FALSE;
          json_array_add_object_element (messages, converted);
          continue;
        }
      if (g_strcmp0 (type, "image") == 0)
        converted = image_part (block, param, error);
      else if (g_strcmp0 (type, "document") == 0)
        converted = document_part (block, param, error);
      else
        *error = gr_api_error_invalid_request ("unsupported_parameter", param, "%s.type: '%s' is not supported",
                                               param, type != NULL ? type : "(none)");
      if (converted == NULL)
        return FALSE;
      json_array_add_object_element (parts, converted);
    }

  add_user_message (messages, tool_images);
  add_user_message (messages, parts);
  return TRUE;
}

static JsonObject *
tool_call_from_block (JsonObject *block,
                      guint       n)
{
  JsonNode *input = json_object_get_member (block, "input");
  g_autofree char *arguments = input != NULL ? gr_json_to_string (input) : g_strdup ("{}");
  g_autofree char *fallback_id = g_strdup_printf ("toolu_gaia_%u", n);
  const char *id = gr_json_get_string (block, "id");
  const char *name = gr_json_get_string (block, "name");
  JsonObject *call = json_object_new ();
  JsonObject *function = json_object_new ();

  json_object_set_string_member (function, "name", name != NULL ? name : "");
  json_object_set_string_member (function, "arguments", arguments);
  json_object_set_string_member (call, "id", id != NULL ? id : fallback_id);
  json_object_set_string_member (call, "type", "function");
  json_object_set_object_member (call, "function", function);
  return call;
}

/* An assistant turn: text blocks joined into content, tool_use blocks into
 * tool_calls; thinking blocks (and anything else) are dropped because an
 * OpenAI upstream has no place for them. */
static void
convert_assistant_blocks (JsonArray *blocks,
                          JsonArray *messages)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonArray) calls = json_array_new ();
  JsonObject *msg;

  for (guint k = 0; k < json_array_get_length (blocks); k++)
    {
      JsonObject *block = node_object (json_array_get_element (blocks, k));
      const char *type = gr_json_get_string (block, "type");

      if (g_strcmp0 (type, "text") == 0 && gr_json_get_string (block, "text") != NULL)
        g_string_append (text, gr_json_get_string (block, "text"));
      else if (g_strcmp0 (type, "tool_use") == 0)
        json_array_add_object_element (calls, tool_call_from_block (block, k));
    }
  if (text->len == 0 && json_array_get_length (calls) == 0)
    return;

  msg = json_object_new ();
  json_object_set_string_member (msg, "role", "assistant");
  if (text->len > 0)
    json_object_set_string_member (msg, "content", text->str);
  else
    json_object_set_null_member (msg, "content");
  if (json_array_get_length (calls) > 0)
    json_object_set_array_member (msg, "tool_calls", g_steal_pointer (&calls));
  json_array_add_object_element (messages, msg);
}

static gboolean
convert_message (JsonObject  *msg,
                 guint        i,
                 JsonArray   *messages,
                 GrApiError **error)
{
  const char *role = gr_json_get_string (msg, "role");
  JsonNode *content = json_object_get_member (msg, "content");
  g_autofree char *param = g_strdup_printf ("messages.%u", i);

  if (g_strcmp0 (role, "user") != 0 && g_strcmp0 (role, "assistant") != 0)
    {
      *error = gr_api_error_invalid_request ("invalid_value", param, "%s.role: must be 'user' or 'assistant'", param);
      return FALSE;
    }
  if (node_is_string (content))
    {
      JsonObject *out = json_object_new ();

      json_object_set_string_member (out, "role", role);
      json_object_set_string_member (out, "content", json_node_get_string (content));
      json_array_add_object_element (messages, out);
      return TRUE;
    }
  if (content == NULL || !JSON_NODE_HOLDS_ARRAY (content))
    {
      *error = gr_api_error_invalid_request ("invalid_value", param, "%s.content: must be a string or an array of blocks", param);
      return FALSE;
    }
  if (g_str_equal (role, "user"))
    return convert_user_blocks (json_node_get_array (content), i, messages, error);
  convert_assistant_blocks (json_node_get_array (content), messages);
  return TRUE;
}

/* system: a string or text blocks → one system message. */
static void
add_system (JsonObject *request,
            JsonArray  *messages)
{
  JsonNode *system = json_object_get_member (request, "system");
  g_autoptr(GString) text = g_string_new (NULL);
  JsonObject *msg;

  if (node_is_string (system))
    g_string_append (text, json_node_get_string (system));
  else if (system != NULL && JSON_NODE_HOLDS_ARRAY (system))
    {
      JsonArray *blocks = json_node_get_array (system);

      for (guint k = 0; k < json_array_get_length (blocks); k++)
        {
          const char *block_text = gr_json_get_string (node_object (json_array_get_element (blocks, k)), "text");

          if (block_text == NULL || *block_text == '\0')
            continue;
          if (text->len > 0)
            g_string_append (text, "\n\n");
          g_string_append (text, block_text);
        }
    }
  if (text->len == 0)
    return;

  msg = json_object_new ();
  json_object_set_string_member (msg, "role", "system");
  json_object_set_string_member (msg, "content", text->str);
  json_array_add_object_element (messages, msg);
}

/* ------------------------------------------------------------------------
 * Request: parameters
 * ------------------------------------------------------------------------ */

static gboolean
convert_tools (JsonObject  *request,
               JsonObject  *out,
               GrApiError **error)
{
  JsonArray *tools = gr_json_get_array (request, "tools");
  g_autoptr(JsonArray) converted = json_array_new ();

  for (guint k = 0; tools != NULL && k < json_array_get_length (tools); k++)
    {
      JsonObject *tool = node_object (json_array_get_element (tools, k));
      const char *type = gr_json_get_string (tool, "type");
      JsonObject *schema = gr_json_get_object (tool, "input_schema");
      g_autofree char *param = g_strdup_printf ("tools.%u", k);
      JsonObject *function;
      JsonObject *wrapper;

      /* Server tools (web search, code execution…) only run at Anthropic. */
      if (type != NULL && !g_str_equal (type, "custom"))
        {
          *error = gr_api_error_invalid_request ("unsupported_parameter", param, "%s: server tool '%s' is not supported", param, type);
          return FALSE;
        }
      if (gr_json_get_string (tool, "name") == NULL || schema == NULL)
        {
          *error = gr_api_error_invalid_request ("missing_field", param, "%s: name and input_schema are required", param);
          return FALSE;
        }
      function = json_object_new ();
      json_object_set_string_member (function, "name", gr_json_get_string (tool, "name"));
      if (gr_json_get_string (tool, "description") != NULL)
        json_object_set_string_member (function, "description", gr_json_get_string (tool, "description"));
      json_object_set_member (function, "parameters",
                              json_node_copy (json_object_get_member (tool, "input_schema")));
      wrapper = json_object_new ();
      json_object_set_string_member (wrapper, "type", "function");
      json_object_set_object_member (wrapper, "function", function);
      json_array_add_object_element (converted, wrapper);
    }
  if (json_array_get_length (converted) > 0)
    json_object_set_array_member (out, "tools", g_steal_pointer (&converted));
  return TRUE;
}

static gboolean
convert_tool_choice (JsonObject  *request,
                     JsonObject  *out,
                     GrApiError **error)
{
  JsonObject *choice = gr_json_get_object (request, "tool_choice");
  const char *type = gr_json_get_string (choice, "type");

  if (choice == NULL)
    return TRUE;
  if (g_strcmp0 (type, "auto") == 0)
    json_object_set_string_member (out, "tool_choice", "auto");
  else if (g_strcmp0 (type, "any") == 0)
    json_object_set_string_member (out, "tool_choice", "required");
  else if (g_strcmp0 (type, "none") == 0)
    json_object_set_string_member (out, "tool_choice", "none");
  else if (g_strcmp0 (type, "tool") == 0 && gr_json_get_string (choice, "name") != NULL)
    {
      JsonObject *named = json_object_new ();
      JsonObject *function = json_object_new ();

      json_object_set_string_member (function, "name", gr_json_get_string (choice, "name"));
      json_object_set_string_member (named, "type", "function");
      json_object_set_object_member (named, "function", function);
      json_object_set_object_member (out, "tool_choice", named);
    }
  else
    {
      *error = gr_api_error_invalid_request ("invalid_value", "tool_choice", "tool_choice: unsupported type");
      return FALSE;
    }
  if (gr_json_get_true (choice, "disable_parallel_tool_use"))
    json_object_set_boolean_member (out, "parallel_tool_calls", FALSE);
  return TRUE;
}

/* thinking.budget_tokens → the nearest of the budgets the outbound
 * translator uses (low 1024, medium 4096, high 16384). */
static void
convert_thinking (JsonObject *request,
                  JsonObject *out)
{
  JsonObject *thinking = gr_json_get_object (request, "thinking");
  gint64 budget;

  if (g_strcmp0 (gr_json_get_string (thinking, "type"), "enabled") != 0)
    return;
  budget = gr_json_get_int (thinking, "budget_tokens", 4096);
  if (budget <= 2560)
    json_object_set_string_member (out, "reasoning_effort", "low");
  else if (budget <= 10240)
    json_object_set_string_member (out, "reasoning_effort", "medium");
  else
    json_object_set_string_member (out, "reasoning_effort", "high");
}

static void
copy_number (JsonObject *request,
             JsonObject *out,
             const char *from,
             const char *to)
{
  JsonNode *node = json_object_get_member (request, from);

  if (node_is_number (node))
    json_object_set_member (out, to, json_node_copy (node));
}

static void
convert_parameters (JsonObject *request,
                    JsonObject *out)
{
  JsonArray *stop = gr_json_get_array (request, "stop_sequences");
  const char *user = gr_json_get_string (gr_json_get_object (request, "metadata"), "user_id");

  /* max_tokens rather than max_completion_tokens: every OpenAI-compatible
   * server knows it, and the OpenAI translator may rename it. */
  copy_number (request, out, "max_tokens", "max_tokens");
  copy_number (request, out, "temperature", "temperature");
  copy_number (request, out, "top_p", "top_p");
  if (stop != NULL && json_array_get_length (stop) > 0)
    json_object_set_member (out, "stop", json_node_copy (json_object_get_member (request, "stop_sequences")));
  if (user != NULL)
    json_object_set_string_member (out, "user", user);
  if (gr_json_get_true (request, "stream"))
    {
      JsonObject *options = json_object_new ();

      /* The final message_delta needs the usage. */
      json_object_set_boolean_member (options, "include_usage", TRUE);
      json_object_set_boolean_member (out, "stream", TRUE);
      json_object_set_object_member (out, "stream_options", options);
    }
  convert_thinking (request, out);
}

static gboolean
validate_request (JsonObject  *request,
                  GrApiError **error)
{
  const char *model = gr_json_get_string (request, "model");
  JsonArray *messages = gr_json_get_array (request, "messages");
  JsonNode *max_tokens = json_object_get_member (request, "max_tokens");

  if (model == NULL || *model == '\0')
    *error = gr_api_error_invalid_request ("missing_field", "model", "model: Field required");
  else if (messages == NULL)
    *error = gr_api_error_invalid_request ("missing_field", "messages", "messages: Field required");
  else if (json_array_get_length (messages) == 0)
    *error = gr_api_error_invalid_request ("invalid_value", "messages", "messages: at least one message is required");
  else if (max_tokens == NULL)
    *error = gr_api_error_invalid_request ("missing_field", "max_tokens", "max_tokens: Field required");
  else if (!node_is_number (max_tokens) || gr_json_get_int (request, "max_tokens", -1) < 1)
    *error = gr_api_error_invalid_request ("invalid_value", "max_tokens", "max_tokens: must be a positive integer");
  else if (!is_boolean_or_absent (request, "stream"))
    *error = gr_api_error_invalid_request ("invalid_value", "stream", "stream: must be a boolean");
  return *error == NULL;
}

JsonObject *
gr_anthropic_inbound_request_to_openai (JsonObject  *request,
                                        GrApiError **error)
{
  g_autoptr(JsonObject) out = json_object_new ();
  g_autoptr(JsonArray) messages = json_array_new ();
  JsonArray *in;

  g_return_val_if_fail (request != NULL, NULL);
  g_return_val_if_fail (error != NULL && *error == NULL, NULL);

  if (!validate_request (request, error))
    return NULL;

  in = gr_json_get_array (request, "messages");
  add_system (request, messages);
  for (guint i = 0; i < json_array_get_length (in); i++)
    {
      JsonObject *msg = node_object (json_array_get_element (in, i));

      if (msg == NULL)
        {
          *error = gr_api_error_invalid_request ("invalid_value", "messages", "messages.%u: must be an object", i);
          return NULL;
        }
      if (!convert_message (msg, i, messages, error))
        return NULL;
    }

  json_object_set_string_member (out, "model", gr_json_get_string (request, "model"));
  json_object_set_array_member (out, "messages", g_steal_pointer (&messages));
  convert_parameters (request, out);
  if (!convert_tools (request, out, error) || !convert_tool_choice (request, out, error))
    return NULL;

  return g_steal_pointer (&out);
}

/* ------------------------------------------------------------------------
 * Response
 * ------------------------------------------------------------------------ */

static const char *
stop_reason_for (const char *finish_reason,
                 gboolean    has_tool_calls)
{
  if (g_strcmp0 (finish_reason, "tool_calls") == 0 || g_strcmp0 (finish_reason, "function_call") == 0)
    return "tool_use";
  if (g_strcmp0 (finish_reason, "length") == 0)
    return "max_tokens";
  if (g_strcmp0 (finish_reason, "content_filter") == 0)
    return "refusal";
  /* Some servers say "stop" after emitting tool calls (7.4). */
  return has_tool_calls ? "tool_use" : "end_turn";
}

/* Tool arguments → tool_use input, which must be an object: other JSON
 * values are wrapped, unparseable text becomes an empty object. */
static JsonNode *
arguments_to_input (const char *arguments)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root = NULL;
  JsonObject *wrapper;

  if (arguments != NULL && gr_json_parser_load (parser, arguments, strlen (arguments), NULL))
    root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    return json_node_copy (root);

  wrapper = json_object_new ();
  if (root != NULL)
    json_object_set_member (wrapper, "value", json_node_copy (root));
  return object_node (wrapper);
}

static JsonObject *
tool_use_from_call (JsonObject *call,
                    guint       n)
{
  JsonObject *function = gr_json_get_object (call, "function");
  const char *id = gr_json_get_string (call, "id");
  g_autofree char *fallback_id = g_strdup_printf ("toolu_gaia_%u", n);
  g_autofree char *clean_id = sanitize_id (id != NULL && *id != '\0' ? id : fallback_id);
  const char *name = gr_json_get_string (function, "name");
  JsonObject *block = json_object_new ();

  json_object_set_string_member (block, "type", "tool_use");
  json_object_set_string_member (block, "id", clean_id);
  json_object_set_string_member (block, "name", name != NULL ? name : "");
  json_object_set_member (block, "input", arguments_to_input (gr_json_get_string (function, "arguments")));
  return block;
}

/* OpenAI content is a string or (from some servers) an array of parts. */
static char *
message_text (JsonObject *message)
{
  /* message is NULL when the completion has no choices[0].message. */
  JsonNode *content = message != NULL ? json_object_get_member (message, "content") : NULL;
  GString *text = g_string_new (NULL);

  if (node_is_string (content))
    g_string_append (text, json_node_get_string (content));
  else if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *parts = json_node_get_array (content);

      for (guint k = 0; k < json_array_get_length (parts); k++)
        {
          const char *part_text = gr_json_get_string (node_object (json_array_get_element (parts, k)), "text");

          if (part_text != NULL)
            g_string_append (text, part_text);
        }
    }
  return g_string_free (text, FALSE);
}

static JsonObject *
anthropic_usage (const GrUsage *usage)
{
  JsonObject *obj = json_object_new ();
  gint64 input = usage->prompt_tokens - usage->cached_tokens - usage->cache_write_tokens;

  json_object_set_int_member (obj, "input_tokens", MAX (input, 0));
  json_object_set_int_member (obj, "cache_creation_input_tokens", usage->cache_write_tokens);
  json_object_set_int_member (obj, "cache_read_input_tokens", usage->cached_tokens);
  json_object_set_int_member (obj, "output_tokens", usage->completion_tokens);
  return obj;
}

static char *
new_message_id (void)
{
  g_autofree char *suffix = random_suffix ();

  return g_strconcat ("msg_gaia_", suffix, NULL);
}

JsonNode *
gr_anthropic_inbound_response_from_openai (JsonObject *completion,
                                           const char *client_model)
{
  JsonArray *choices = gr_json_get_array (completion, "choices");
  JsonObject *choice = choices != NULL && json_array_get_length (choices) > 0
                       ? node_object (json_array_get_element (choices, 0)) : NULL;
  JsonObject *message = gr_json_get_object (choice, "message");
  JsonArray *calls = gr_json_get_array (message, "tool_calls");
  g_autofree char *text = message_text (message);
  g_autofree char *id = new_message_id ();
  JsonArray *content = json_array_new ();
  JsonObject *out = json_object_new ();
  GrUsage usage;
  guint n_calls = calls != NULL ? json_array_get_length (calls) : 0;

  g_return_val_if_fail (completion != NULL, NULL);

  gr_usage_init (&usage);
  gr_usage_from_openai (&usage, gr_json_get_object (completion, "usage"));

  if (*text != '\0')
    json_array_add_object_element (content, text_part (text));
  for (guint k = 0; k < n_calls; k++)
    {
      JsonObject *call = node_object (json_array_get_element (calls, k));

      if (call != NULL)
        json_array_add_object_element (content, tool_use_from_call (call, k));
    }

  json_object_set_string_member (out, "id", id);
  json_object_set_string_member (out, "type", "message");
  json_object_set_string_member (out, "role", "assistant");
  json_object_set_string_member (out, "model", client_model != NULL ? client_model : "");
  json_object_set_array_member (out, "content", content);
  json_object_set_string_member (out, "stop_reason",
                                 stop_reason_for (gr_json_get_string (choice, "finish_reason"), n_calls > 0));
  json_object_set_null_member (out, "stop_sequence");
  json_object_set_object_member (out, "usage", anthropic_usage (&usage));

  return object_node (out);
}

/* ------------------------------------------------------------------------
 * Errors
 * ------------------------------------------------------------------------ */

static const char *
error_type_for (const GrApiError *error)
{
  if (g_strcmp0 (error->code, "upstream_overloaded") == 0)
    return "overloaded_error";
  switch (error->status)
    {
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 504:
      return "timeout_error";
    case 529:
      return "overloaded_error";
    default:
      break;
    }
  return error->status >= 500 ? "api_error" : "invalid_request_error";
}

int
gr_anthropic_inbound_error_status (const GrApiError *error)
{
  g_return_val_if_fail (error != NULL, 500);

  /* Anthropic clients recognise overload by 529, not 503. */
  if (g_str_equal (error_type_for (error), "overloaded_error"))
    return 529;
  return error->status;
}

static JsonObject *
error_object (const char *type,
              const char *message)
{
  JsonObject *inner = json_object_new ();
  JsonObject *outer = json_object_new ();

  json_object_set_string_member (inner, "type", type);
  json_object_set_string_member (inner, "message", message != NULL ? message : "");
  json_object_set_string_member (outer, "type", "error");
  json_object_set_object_member (outer, "error", inner);
  return outer;
}

char *
gr_anthropic_inbound_error_to_json (const GrApiError *error)
{
  g_autoptr(JsonNode) node = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  node = object_node (error_object (error_type_for (error), error->message));
  return gr_json_to_string (node);
}

/* ------------------------------------------------------------------------
 * Streaming encoder (section 12, "Streaming")
 * ------------------------------------------------------------------------ */

typedef enum
{
  OPEN_NONE,
  OPEN_TEXT,
  OPEN_TOOL,
} OpenKind;

/* One OpenAI tool call, keyed by its chunk index. */
typedef struct
{
  gint64   index;
  char    *id;
  char    *name;
  GString *arguments;  /* buffered unless the call streams live */
  gboolean live;
} ToolCall;

static void
tool_call_free (gpointer data)
{
  ToolCall *call = data;

  g_free (call->id);
  g_free (call->name);
  g_string_free (call->arguments, TRUE);
  g_free (call);
}

/* Blocks never interleave in Anthropic streams, but OpenAI-compatible
 * servers may interleave tool-call fragments.  So only the first tool call
 * streams live (its block stays open to the end); later calls, and text
 * that follows a tool call, are buffered and sent whole at the finish. */
struct _GrAnthropicEncoder
{
  char      *model;
  char      *message_id;
  gboolean   started;
  gboolean   flushed;      /* finish reason seen, blocks closed */
  gboolean   finished;     /* message_stop or error sent */
  guint      next_index;   /* next Anthropic block index */
  OpenKind   open_kind;
  GPtrArray *tools;        /* of ToolCall, in order of appearance */
  GString   *late_text;
  char      *finish_reason;
  GrUsage    usage;
};

GrAnthropicEncoder *
gr_anthropic_encoder_new (const char *client_model)
{
  GrAnthropicEncoder *encoder = g_new0 (GrAnthropicEncoder, 1);

  encoder->model = g_strdup (client_model != NULL ? client_model : "");
  encoder->message_id = new_message_id ();
  encoder->tools = g_ptr_array_new_with_free_func (tool_call_free);
  encoder->late_text = g_string_new (NULL);
  gr_usage_init (&encoder->usage);
  return encoder;
}

void
gr_anthropic_encoder_free (GrAnthropicEncoder *encoder)
{
  if (encoder == NULL)
    return;
  g_free (encoder->model);
  g_free (encoder->message_id);
  g_ptr_array_unref (encoder->tools);
  g_string_free (encoder->late_text, TRUE);
  g_free (encoder->finish_reason);
  g_free (encoder);
}

gboolean
gr_anthropic_encoder_finished (GrAnthropicEncoder *encoder)
{
  g_return_val_if_fail (encoder != NULL, TRUE);

  return encoder->finished;
}

/* Takes ownership of data. */
static void
append_event (GString    *out,
              const char *name,
              JsonObject *data)
{
  g_autoptr(JsonNode) node = object_node (data);
  g_autofree char *json = gr_json_to_string (node);

  g_string_append_printf (out, "event: %s\ndata: %s\n\n", name, json);
}

static JsonObject *
typed_object (const char *type)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "type", type);
  return obj;
}

static void
send_message_start (GrAnthropicEncoder *encoder,
                    GString            *out)
{
  JsonObject *event = typed_object ("message_start");
  JsonObject *message = typed_object ("message");
  JsonObject *usage = json_object_new ();

  /* Input tokens are unknown until the OpenAI usage chunk at the end. */
  json_object_set_int_member (usage, "input_tokens", 0);
  json_object_set_int_member (usage, "output_tokens", 0);
  json_object_set_string_member (message, "id", encoder->message_id);
  json_object_set_string_member (message, "role", "assistant");
  json_object_set_string_member (message, "model", encoder->model);
  json_object_set_array_member (message, "content", json_array_new ());
  json_object_set_null_member (message, "stop_reason");
  json_object_set_null_member (message, "stop_sequence");
  json_object_set_object_member (message, "usage", usage);
  json_object_set_object_member (event, "message", message);
  append_event (out, "message_start", event);
}

static void
send_block_start (GrAnthropicEncoder *encoder,
                  JsonObject         *content_block,
                  GString            *out)
{
  JsonObject *event = typed_object ("content_block_start");

  json_object_set_int_member (event, "index", encoder->next_index);
  json_object_set_object_member (event, "content_block", content_block);
  append_event (out, "content_block_start", event);
}

static void
send_delta (GrAnthropicEncoder *encoder,
            const char         *delta_type,
            const char         *member,
            const char         *value,
            GString            *out)
{
  JsonObject *event = typed_object ("content_block_delta");
  JsonObject *delta = typed_object (delta_type);

  json_object_set_string_member (delta, member, value);
  json_object_set_int_member (event, "index", encoder->next_index);
  json_object_set_object_member (event, "delta", delta);
  append_event (out, "content_block_delta", event);
}

static void
close_block (GrAnthropicEncoder *encoder,
             GString            *out)
{
  JsonObject *event;

  if (encoder->open_kind == OPEN_NONE)
    return;
  event = typed_object ("content_block_stop");
  json_object_set_int_member (event, "index", encoder->next_index);
  append_event (out, "content_block_stop", event);
  encoder->open_kind = OPEN_NONE;
  encoder->next_index++;
}

static void
open_text_block (GrAnthropicEncoder *encoder,
                 GString            *out)
{
  JsonObject *block = typed_object ("text");

  json_object_set_string_member (block, "text", "");
  send_block_start (encoder, block, out);
  encoder->open_kind = OPEN_TEXT;
}

static void
open_tool_block (GrAnthropicEncoder *encoder,
                 ToolCall           *call,
                 GString            *out)
{
  JsonObject *block = typed_object ("tool_use");

  json_object_set_string_member (block, "id", call->id);
  json_object_set_string_member (block, "name", call->name != NULL ? call->name : "");
  json_object_set_object_member (block, "input", json_object_new ());
  send_block_start (encoder, block, out);
  encoder->open_kind = OPEN_TOOL;
}

static gboolean
has_live_tool (GrAnthropicEncoder *encoder)
{
  return encoder->tools->len > 0;
}

static void
on_text (GrAnthropicEncoder *encoder,
         const char         *text,
         GString            *out)
{
  if (has_live_tool (encoder))
    {
      g_string_append (encoder->late_text, text);
      return;
    }
  if (encoder->open_kind != OPEN_TEXT)
    {
      close_block (encoder, out);
      open_text_block (encoder, out);
    }
  send_delta (encoder, "text_delta", "text", text, out);
}

static ToolCall *
find_tool (GrAnthropicEncoder *encoder,
           gint64              index)
{
  for (guint k = 0; k < encoder->tools->len; k++)
    {
      ToolCall *call = g_ptr_array_index (encoder->tools, k);

      if (call->index == index)
        return call;
    }
  return NULL;
}

static ToolCall *
add_tool (GrAnthropicEncoder *encoder,
          gint64              index,
          JsonObject         *delta_call,
          GString            *out)
{
  const char *id = gr_json_get_string (delta_call, "id");
  g_autofree char *fallback_id = g_strdup_printf ("toolu_gaia_%" G_GINT64_FORMAT, index);
  ToolCall *call = g_new0 (ToolCall, 1);

  call->index = index;
  call->id = sanitize_id (id != NULL && *id != '\0' ? id : fallback_id);
  call->name = g_strdup (gr_json_get_string (gr_json_get_object (delta_call, "function"), "name"));
  call->arguments = g_string_new (NULL);
  call->live = !has_live_tool (encoder);
  g_ptr_array_add (encoder->tools, call);

  if (call->live)
    {
      close_block (encoder, out);
      open_tool_block (encoder, call, out);
    }
  return call;
}

static void
on_tool_delta (GrAnthropicEncoder *encoder,
               JsonObject         *delta_call,
               GString            *out)
{
  gint64 index = gr_json_get_int (delta_call, "index", 0);
  JsonObject *function = gr_json_get_object (delta_call, "function");
  const char *fragment = gr_json_get_string (function, "arguments");
  ToolCall *call = find_tool (encoder, index);

  if (call == NULL)
    call = add_tool (encoder, index, delta_call, out);
  else if (call->name == NULL && gr_json_get_string (function, "name") != NULL)
    call->name = g_strdup (gr_json_get_string (function, "name"));

  if (fragment == NULL || *fragment == '\0')
    return;
  if (call->live)
    send_delta (encoder, "input_json_delta", "partial_json", fragment, out);
  else
    g_string_append (call->arguments, fragment);
}

/* Closes the live block and sends everything that was held back. */
static void
flush_blocks (GrAnthropicEncoder *encoder,
              GString            *out)
{
  if (encoder->flushed)
    return;
  encoder->flushed = TRUE;
  close_block (encoder, out);

  if (encoder->late_text->len > 0)
    {
      open_text_block (encoder, out);
      send_delta (encoder, "text_delta", "text", encoder->late_text->str, out);
      close_block (encoder, out);
    }
  for (guint k = 0; k < encoder->tools->len; k++)
    {
      ToolCall *call = g_ptr_array_index (encoder->tools, k);

      if (call->live)
        continue;
      open_tool_block (encoder, call, out);
      if (call->arguments->len > 0)
        send_delta (encoder, "input_json_delta", "partial_json", call->arguments->str, out);
      close_block (encoder, out);
    }
}

static void
send_message_end (GrAnthropicEncoder *encoder,
                  GString            *out)
{
  JsonObject *event = typed_object ("message_delta");
  JsonObject *delta = json_object_new ();
  JsonObject *usage = json_object_new ();
  gint64 input = encoder->usage.prompt_tokens - encoder->usage.cached_tokens - encoder->usage.cache_write_tokens;

  json_object_set_string_member (delta, "stop_reason",
                                 stop_reason_for (encoder->finish_reason, encoder->tools->len > 0));
  json_object_set_null_member (delta, "stop_sequence");
  json_object_set_int_member (usage, "input_tokens", MAX (input, 0));
  json_object_set_int_member (usage, "cache_read_input_tokens", encoder->usage.cached_tokens);
  json_object_set_int_member (usage, "output_tokens", encoder->usage.completion_tokens);
  json_object_set_object_member (event, "delta", delta);
  json_object_set_object_member (event, "usage", usage);
  append_event (out, "message_delta", event);
  append_event (out, "message_stop", typed_object ("message_stop"));
  encoder->finished = TRUE;
}

static void
send_error (GrAnthropicEncoder *encoder,
            JsonObject         *error,
            GString            *out)
{
  g_autoptr(GrApiError) api_error = NULL;
  const char *message = gr_json_get_string (error, "message");

  /* The error object is GaiaRouter's own (2.6) or an upstream's; its
   * status is not in the event, so rebuild one from type and code. */
  api_error = gr_api_error_new (500, gr_json_get_string (error, "type"),
                                gr_json_get_string (error, "code"), NULL,
                                "%s", message != NULL ? message : "upstream error");
  if (g_strcmp0 (api_error->type, "rate_limit_error") == 0)
    api_error->status = 429;
  else if (g_strcmp0 (api_error->type, "timeout_error") == 0)
    api_error->status = 504;
  else if (g_strcmp0 (api_error->type, "invalid_request_error") == 0)
    api_error->status = 400;

  append_event (out, "error", error_object (error_type_for (api_error), api_error->message));
  encoder->finished = TRUE;
}

static void
on_choice (GrAnthropicEncoder *encoder,
           JsonObject         *choice,
           GString            *out)
{
  JsonObject *delta = gr_json_get_object (choice, "delta");
  const char *content = gr_json_get_string (delta, "content");
  const char *finish_reason = gr_json_get_string (choice, "finish_reason");
  JsonArray *calls = gr_json_get_array (delta, "tool_calls");

  if (encoder->flushed)
    return;
  if (content != NULL && *content != '\0')
    on_text (encoder, content, out);
  for (guint k = 0; calls != NULL && k < json_array_get_length (calls); k++)
    {
      JsonObject *call = node_object (json_array_get_element (calls, k));

      if (call != NULL)
        on_tool_delta (encoder, call, out);
    }
  if (finish_reason != NULL)
    {
      g_free (encoder->finish_reason);
      encoder->finish_reason = g_strdup (finish_reason);
      flush_blocks (encoder, out);
    }
}

static void
on_chunk (GrAnthropicEncoder *encoder,
          JsonObject         *chunk,
          GString            *out)
{
  JsonObject *error = gr_json_get_object (chunk, "error");
  JsonObject *usage = gr_json_get_object (chunk, "usage");
  JsonArray *choices = gr_json_get_array (chunk, "choices");

  /* OpenAI error events and OpenRouter error chunks both carry "error". */
  if (error != NULL)
    {
      send_error (encoder, error, out);
      return;
    }
  if (!encoder->started)
    {
      encoder->started = TRUE;
      send_message_start (encoder, out);
    }
  if (usage != NULL)
    gr_usage_from_openai (&encoder->usage, usage);
  if (choices != NULL && json_array_get_length (choices) > 0)
    {
      JsonObject *choice = node_object (json_array_get_element (choices, 0));

      if (choice != NULL)
        on_choice (encoder, choice, out);
    }
}

void
gr_anthropic_encoder_feed (GrAnthropicEncoder *encoder,
                           const char         *data,
                           gsize               len,
                           GString            *out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  JsonObject *chunk;

  g_return_if_fail (encoder != NULL && data != NULL && out != NULL);

  if (encoder->finished)
    return;
  text = g_strstrip (g_strndup (data, len));
  if (g_str_equal (text, "[DONE]"))
    {
      if (!encoder->started)
        {
          encoder->started = TRUE;
          send_message_start (encoder, out);
        }
      flush_blocks (encoder, out);
      send_message_end (encoder, out);
      return;
    }
  /* The chunks come from GaiaRouter's own translators, so anything that
   * does not parse is a bug upstream of here; skipping it is the least
   * harmful thing to do with it. */
  if (!gr_json_parser_load (parser, text, strlen (text), NULL)
      || (chunk = node_object (json_parser_get_root (parser))) == NULL)
    return;
  on_chunk (encoder, chunk, out);
}
