/* gr-provider-anthropic.c — OpenAI chat requests to Anthropic Messages and back
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Implements wire-formats.md sections 7, 8 and 10: an OpenAI chat request
 * becomes a POST /v1/messages body, and Anthropic's answer (whole, or event
 * by event) becomes OpenAI chat.completion(s).  Pure functions over
 * json-glib; the gateway does the I/O.
 */
#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "core/gr-json.h"
#include "providers/gr-provider.h"

#define ANTHROPIC_VERSION       "2023-06-01"
#define FALLBACK_MAX_TOKENS     8192
#define MIN_THINKING_BUDGET     1024
/* Output tokens kept for the answer itself when thinking shares max_tokens. */
#define MIN_ANSWER_TOKENS       1024
#define JSON_OBJECT_INSTRUCTION "Respond with a single valid JSON object."

/* ------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------ */

static GrApiError *
bad_upstream (const GrProviderInfo *provider,
              const char           *what)
{
  const char *name = provider != NULL && provider->name != NULL ? provider->name : "anthropic";

  return gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                           "%s: %s", name, what);
}

static const char *
provider_name (const GrProviderInfo *provider)
{
  return provider != NULL && provider->name != NULL ? provider->name : "anthropic";
}

/* Anthropic only accepts ids matching ^[a-zA-Z0-9_-]+$; the same mapping is
 * applied to tool_use ids and tool_result ids so pairs still match. */
static char *
sanitize_id (const char *id)
{
  char *copy = g_strdup (id);

  for (char *p = copy; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      *p = '_';
  return copy;
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

static JsonObject *
text_block (const char *text)
{
  JsonObject *block = json_object_new ();

  json_object_set_string_member (block, "type", "text");
  json_object_set_string_member (block, "text", text);
  return block;
}

/* Text of a system, developer or tool message: a string, or the
 * concatenation of its text parts (wire-formats 8.3). */
static gboolean
content_to_text (JsonNode    *content,
                 const char  *param,
                 char       **text,
                 GrApiError **error)
{
  g_autoptr(GString) buf = g_string_new (NULL);
  JsonArray *parts;

  if (content == NULL || JSON_NODE_HOLDS_NULL (content))
    {
      *text = g_strdup ("");
      return TRUE;
    }
  if (node_is_string (content))
    {
      *text = g_strdup (json_node_get_string (content));
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_ARRAY (content))
    {
      *error = gr_api_error_invalid_request ("invalid_value", param, "%s must be a string or an array of text parts", param);
      return FALSE;
    }

  parts = json_node_get_array (content);
  for (guint j = 0; j < json_array_get_length (parts); j++)
    {
      JsonObject *part = node_object (json_array_get_element (parts, j));
      const char *part_text = gr_json_get_string (part, "text");

      if (part == NULL || g_strcmp0 (gr_json_get_string (part, "type"), "text") != 0 || part_text == NULL)
        {
          *error = gr_api_error_invalid_request ("invalid_value", param, "%s[%u] must be a text part", param, j);
          return FALSE;
        }
      g_string_append (buf, part_text);
    }
  *text = g_string_free (g_steal_pointer (&buf), FALSE);
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Request: content parts (wire-formats 7.2)
 * ------------------------------------------------------------------------ */

static gboolean
is_anthropic_image_type (const char *mime)
{
  return g_str_equal (mime, "image/jpeg") || g_str_equal (mime, "image/png")
         || g_str_equal (mime, "image/gif") || g_str_equal (mime, "image/webp");
}

/* Splits "data:<mime>;base64,<payload>" and drops whitespace from the
 * payload, which some clients wrap at 76 columns. */
static gboolean
parse_data_url (const char  *url,
                char       **mime,
                char       **data)
{
  const char *comma = strchr (url, ',');
  const char *header = url + strlen ("data:");
  GString *payload;

  if (!g_str_has_prefix (url, "data:") || comma == NULL)
    return FALSE;
  if (comma - header < (gssize) strlen (";base64")
      || strncmp (comma - strlen (";base64"), ";base64", strlen (";base64")) != 0)
    return FALSE;

  *mime = g_ascii_strdown (header, comma - header - strlen (";base64"));
  payload = g_string_new (NULL);
  for (const char *p = comma + 1; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (payload, *p);
  *data = g_string_free (payload, FALSE);
  return TRUE;
}

static JsonObject *
source_block (const char *block_type,
              const char *mime,
              const char *data)
{
  JsonObject *block = json_object_new ();
  JsonObject *source = json_object_new ();

  json_object_set_string_member (source, "type", "base64");
  json_object_set_string_member (source, "media_type", mime);
  json_object_set_string_member (source, "data", data);
  json_object_set_string_member (block, "type", block_type);
  json_object_set_object_member (block, "source", source);
  return block;
}

static JsonObject *
image_block (JsonObject  *part,
             const char  *param,
             GrApiError **error)
{
  const char *url = gr_json_get_string (gr_json_get_object (part, "image_url"), "url");
  g_autofree char *mime = NULL;
  g_autofree char *data = NULL;
  JsonObject *block;
  JsonObject *source;

  if (url == NULL)
    {
      *error = gr_api_error_invalid_request ("missing_field", param, "%s.image_url.url is required", param);
      return NULL;
    }

  if (g_str_has_prefix (url, "data:"))
    {
      if (!parse_data_url (url, &mime, &data) || *data == '\0')
        {
          *error = gr_api_error_invalid_request ("invalid_value", param, "%s: only base64 data URLs are supported", param);
          return NULL;
        }
      /* "image/jpg" is a common misspelling clients send. */
      if (g_str_equal (mime, "image/jpg"))
        {
          g_free (mime);
          mime = g_strdup ("image/jpeg");
        }
      if (!is_anthropic_image_type (mime))
        {
          *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                                 "%s: Anthropic accepts image/jpeg, image/png, image/gif and image/webp, not %s",
                                                 param, mime);
          return NULL;
        }
      return source_block ("image", mime, data);
    }

  /* Anthropic fetches the URL itself; only https is accepted so the
   * gateway never asks it to fetch over plain text. */
  if (!g_str_has_prefix (url, "https://"))
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                             "%s: image URLs must be https:// or base64 data URLs", param);
      return NULL;
    }
  block = json_object_new ();
  source = json_object_new ();
  json_object_set_string_member (source, "type", "url");
  json_object_set_string_member (source, "url", url);
  json_object_set_string_member (block, "type", "image");
  json_object_set_object_member (block, "source", source);
  return block;
}

static JsonObject *
document_block (JsonObject  *part,
                const char  *param,
                GrApiError **error)
{
  const char *file_data = gr_json_get_string (gr_json_get_object (part, "file"), "file_data");
  g_autofree char *mime = NULL;
  g_autofree char *data = NULL;

  if (file_data == NULL || !parse_data_url (file_data, &mime, &data)
      || !g_str_equal (mime, "application/pdf") || *data == '\0')
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                             "%s: only PDF files given as base64 file_data are supported", param);
      return NULL;
    }
  return source_block ("document", mime, data);
}

/* One OpenAI user content part → one Anthropic block (NULL without error
 * for parts that are skipped, such as empty text). */
static JsonObject *
user_part_block (JsonObject  *part,
                 const char  *param,
                 GrApiError **error)
{
  const char *type = gr_json_get_string (part, "type");

  if (g_strcmp0 (type, "text") == 0)
    {
      const char *text = gr_json_get_string (part, "text");

      return text != NULL && *text != '\0' ? text_block (text) : NULL;
    }
  if (g_strcmp0 (type, "image_url") == 0)
    return image_block (part, param, error);
  if (g_strcmp0 (type, "file") == 0)
    return document_block (part, param, error);
  if (g_strcmp0 (type, "input_audio") == 0)
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", param, "%s: Anthropic does not accept audio input", param);
      return NULL;
    }
  *error = gr_api_error_invalid_request ("invalid_value", param, "%s: unknown content part type '%s'",
                                         param, type != NULL ? type : "(none)");
  return NULL;
}

static gboolean
user_blocks (JsonNode    *content,
             guint        i,
             JsonArray   *blocks,
             GrApiError **error)
{
  JsonArray *parts;

  if (node_is_string (content))
    {
      const char *text = json_node_get_string (content);

      if (*text != '\0')
        json_array_add_object_element (blocks, text_block (text));
      return TRUE;
    }
  if (content == NULL || !JSON_NODE_HOLDS_ARRAY (content))
    return TRUE;

  parts = json_node_get_array (content);
  for (guint j = 0; j < json_array_get_length (parts); j++)
    {
      g_autofree char *param = g_strdup_printf ("messages[%u].content[%u]", i, j);
      JsonObject *part = node_object (json_array_get_element (parts, j));
      JsonObject *block;

      if (part == NULL)
        {
          *error = gr_api_error_invalid_request ("invalid_value", param, "%s must be an object", param);
          return FALSE;
        }
      block = user_part_block (part, param, error);
      if (*error != NULL)
        return FALSE;
      if (block != NULL)
        json_array_add_object_element (blocks, block);
    }
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Request: messages (wire-formats 8.4)
 * ------------------------------------------------------------------------ */

/* A tool_use sent upstream and still waiting for its tool_result. */
typedef struct
{
  char *id;     /* sanitized */
  char *param;  /* where the client declared it, for error messages */
} PendingCall;

static void
pending_call_free (gpointer data)
{
  PendingCall *call = data;

  g_free (call->id);
  g_free (call->param);
  g_free (call);
}

typedef struct
{
  JsonArray  *system;       /* top-level system text blocks */
  JsonArray  *messages;     /* Anthropic turns */
  GPtrArray  *pending;      /* of PendingCall */
  gboolean    has_tool_use; /* the history holds tool_use blocks */
} MessageWalk;

/* Tool arguments → tool_use input: "" → {}, objects as they are, other JSON
 * values wrapped as {"value": …} (wire-formats 13.11). */
static JsonNode *
parse_tool_arguments (const char  *arguments,
                      const char  *param,
                      GrApiError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) parse_error = NULL;
  JsonNode *root;
  JsonObject *wrapper;

  if (arguments == NULL || strspn (arguments, " \t\r\n") == strlen (arguments))
    return object_node (json_object_new ());

  if (!gr_json_parser_load (parser, arguments, strlen (arguments), &parse_error)
      || (root = json_parser_get_root (parser)) == NULL)
    {
      *error = gr_api_error_invalid_request ("invalid_value", param, "%s is not valid JSON", param);
      return NULL;
    }
  if (JSON_NODE_HOLDS_OBJECT (root))
    return json_node_copy (root);

  wrapper = json_object_new ();
  json_object_set_member (wrapper, "value", json_node_copy (root));
  return object_node (wrapper);
}

static JsonObject *
tool_use_block (JsonObject  *call,
                guint        i,
                guint        j,
                MessageWalk *walk,
                GrApiError **error)
{
  g_autofree char *param = g_strdup_printf ("messages[%u].tool_calls[%u]", i, j);
  g_autofree char *args_param = g_strdup_printf ("%s.function.arguments", param);
  JsonObject *function = gr_json_get_object (call, "function");
  const char *id = gr_json_get_string (call, "id");
  const char *name = gr_json_get_string (function, "name");
  const char *type = gr_json_get_string (call, "type");
  JsonNode *input;
  JsonObject *block;
  PendingCall *pending;

  if (type != NULL && !g_str_equal (type, "function"))
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", param, "%s: only function tool calls are supported", param);
      return NULL;
    }
  if (id == NULL || *id == '\0' || name == NULL || *name == '\0')
    {
      *error = gr_api_error_invalid_request ("missing_field", param, "%s needs an id and a function name", param);
      return NULL;
    }
  input = parse_tool_arguments (gr_json_get_string (function, "arguments"), args_param, error);
  if (input == NULL)
    return NULL;

  pending = g_new0 (PendingCall, 1);
  pending->id = sanitize_id (id);
  pending->param = g_strdup_printf ("%s.id", param);
  g_ptr_array_add (walk->pending, pending);

  block = json_object_new ();
  json_object_set_string_member (block, "type", "tool_use");
  json_object_set_string_member (block, "id", pending->id);
  json_object_set_string_member (block, "name", name);
  json_object_set_member (block, "input", input);
  walk->has_tool_use = TRUE;
  return block;
}

static gboolean
assistant_blocks (JsonObject  *msg,
                  guint        i,
                  MessageWalk *walk,
                  JsonArray   *blocks,
                  GrApiError **error)
{
  JsonNode *content = json_object_get_member (msg, "content");
  JsonArray *calls = gr_json_get_array (msg, "tool_calls");

  if (node_is_string (content) && *json_node_get_string (content) != '\0')
    json_array_add_object_element (blocks, text_block (json_node_get_string (content)));
  else if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *parts = json_node_get_array (content);

      /* Refusal parts have no Anthropic equivalent in history; text parts
       * are kept, empty ones skipped (Anthropic rejects empty text). */
      for (guint j = 0; j < json_array_get_length (parts); j++)
        {
          JsonObject *part = node_object (json_array_get_element (parts, j));
          const char *text = gr_json_get_string (part, "text");

          if (g_strcmp0 (gr_json_get_string (part, "type"), "text") == 0 && text != NULL && *text != '\0')
            json_array_add_object_element (blocks, text_block (text));
        }
    }

  for (guint j = 0; calls != NULL && j < json_array_get_length (calls); j++)
    {
      JsonObject *call = node_object (json_array_get_element (calls, j));
      JsonObject *block = call != NULL ? tool_use_block (call, i, j, walk, error) : NULL;

      if (block == NULL)
        {
          if (*error == NULL)
            *error = gr_api_error_invalid_request ("invalid_value", "messages", "messages[%u].tool_calls[%u] must be an object", i, j);
          return FALSE;
        }
      json_array_add_object_element (blocks, block);
    }
  return TRUE;
}

static JsonObject *
tool_result_block (JsonObject  *msg,
                   guint        i,
                   MessageWalk *walk,
                   GrApiError **error)
{
  g_autofree char *param = g_strdup_printf ("messages[%u].tool_call_id", i);
  g_autofree char *content_param = g_strdup_printf ("messages[%u].content", i);
  g_autofree char *text = NULL;
  g_autofree char *id = NULL;
  const char *raw_id = gr_json_get_string (msg, "tool_call_id");
  JsonObject *block;
  guint k;

  if (raw_id == NULL || *raw_id == '\0')
    {
      *error = gr_api_error_invalid_request ("missing_field", param, "%s is required", param);
      return NULL;
    }
  id = sanitize_id (raw_id);
  for (k = 0; k < walk->pending->len; k++)
    if (g_str_equal (((PendingCall *) g_ptr_array_index (walk->pending, k))->id, id))
      break;
  if (k == walk->pending->len)
    {
      *error = gr_api_error_invalid_request ("invalid_value", param,
                                             "%s '%s' does not answer a tool call of the preceding assistant message",
                                             param, raw_id);
      return NULL;
    }
  g_ptr_array_remove_index (walk->pending, k);

  if (!content_to_text (json_object_get_member (msg, "content"), content_param, &text, error))
    return NULL;

  block = json_object_new ();
  json_object_set_string_member (block, "type", "tool_result");
  json_object_set_string_member (block, "tool_use_id", id);
  /* An empty string is omitted: Anthropic treats a missing content as an
   * empty result but rejects empty text. */
  if (*text != '\0')
    json_object_set_string_member (block, "content", text);
  return block;
}

/* Appends blocks as a turn of role, merging with the previous turn when it
 * has the same role (wire-formats 13.2).  Takes ownership of blocks. */
static void
append_turn (JsonArray  *messages,
             const char *role,
             JsonArray  *blocks)
{
  guint len = json_array_get_length (messages);
  JsonObject *last = len > 0 ? json_array_get_object_element (messages, len - 1) : NULL;
  JsonObject *turn;

  if (last != NULL && g_strcmp0 (gr_json_get_string (last, "role"), role) == 0)
    {
      JsonArray *content = json_object_get_array_member (last, "content");

      for (guint k = 0; k < json_array_get_length (blocks); k++)
        json_array_add_element (content, json_node_copy (json_array_get_element (blocks, k)));
      json_array_unref (blocks);
      return;
    }

  turn = json_object_new ();
  json_object_set_string_member (turn, "role", role);
  json_object_set_array_member (turn, "content", blocks);
  json_array_add_object_element (messages, turn);
}

/* A user or assistant turn may only follow a tool_use once every call has
 * its result; otherwise Anthropic fails with a less helpful message. */
static gboolean
check_no_pending (MessageWalk *walk,
                  GrApiError **error)
{
  PendingCall *call;

  if (walk->pending->len == 0)
    return TRUE;
  call = g_ptr_array_index (walk->pending, 0);
  *error = gr_api_error_invalid_request ("invalid_value", call->param,
                                         "tool call '%s' (%s) has no tool message answering it",
                                         call->id, call->param);
  return FALSE;
}

static gboolean
walk_system (MessageWalk *walk,
             JsonObject  *msg,
             guint        i,
             GrApiError **error)
{
  g_autofree char *param = g_strdup_printf ("messages[%u].content", i);
  g_autofree char *text = NULL;

  if (!content_to_text (json_object_get_member (msg, "content"), param, &text, error))
    return FALSE;
  if (*text != '\0')
    json_array_add_object_element (walk->system, text_block (text));
  return TRUE;
}

static gboolean
walk_message (MessageWalk *walk,
              JsonObject  *msg,
              guint        i,
              GrApiError **error)
{
  const char *role = gr_json_get_string (msg, "role");
  g_autoptr(JsonArray) blocks = json_array_new ();
  g_autofree char *role_param = g_strdup_printf ("messages[%u].role", i);

  if (role == NULL)
    {
      *error = gr_api_error_invalid_request ("missing_field", role_param, "%s is required", role_param);
      return FALSE;
    }
  if (g_str_equal (role, "system") || g_str_equal (role, "developer"))
    return walk_system (walk, msg, i, error);

  if (g_str_equal (role, "tool"))
    {
      JsonObject *block = tool_result_block (msg, i, walk, error);

      if (block == NULL)
        return FALSE;
      json_array_add_object_element (blocks, block);
      append_turn (walk->messages, "user", g_steal_pointer (&blocks));
      return TRUE;
    }

  if (!check_no_pending (walk, error))
    return FALSE;

  if (g_str_equal (role, "user"))
    {
      if (!user_blocks (json_object_get_member (msg, "content"), i, blocks, error))
        return FALSE;
      if (json_array_get_length (blocks) == 0)
        {
          g_autofree char *param = g_strdup_printf ("messages[%u].content", i);

          *error = gr_api_error_invalid_request ("invalid_value", param, "%s must not be empty", param);
          return FALSE;
        }
      append_turn (walk->messages, "user", g_steal_pointer (&blocks));
      return TRUE;
    }

  if (g_str_equal (role, "assistant"))
    {
      if (!assistant_blocks (msg, i, walk, blocks, error))
        return FALSE;
      /* An assistant message with neither text nor tool calls is dropped. */
      if (json_array_get_length (blocks) > 0)
        append_turn (walk->messages, "assistant", g_steal_pointer (&blocks));
      return TRUE;
    }

  *error = gr_api_error_invalid_request (g_str_equal (role, "function") ? "unsupported_parameter" : "invalid_value",
                                         role_param, "%s '%s' is not supported", role_param, role);
  return FALSE;
}

static gboolean
translate_messages (JsonArray   *in,
                    MessageWalk *walk,
                    GrApiError **error)
{
  for (guint i = 0; i < json_array_get_length (in); i++)
    {
      JsonObject *msg = node_object (json_array_get_element (in, i));

      if (msg == NULL)
        {
          g_autofree char *param = g_strdup_printf ("messages[%u]", i);

          *error = gr_api_error_invalid_request ("invalid_value", param, "%s must be an object", param);
          return FALSE;
        }
      if (!walk_message (walk, msg, i, error))
        return FALSE;
    }
  if (!check_no_pending (walk, error))
    return FALSE;
  if (json_array_get_length (walk->messages) == 0)
    {
      *error = gr_api_error_invalid_request ("invalid_value", "messages",
                                             "messages must contain at least one user or assistant message");
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------
 * Request: parameters (wire-formats 7.3)
 * ------------------------------------------------------------------------ */

/* Parameters Anthropic has no way to honour: refuse rather than silently
 * answer something else than what the client asked for. */
static gboolean
check_unsupported (JsonObject  *request,
                   GrApiError **error)
{
  JsonNode *audio = json_object_get_member (request, "audio");
  JsonArray *tools = gr_json_get_array (request, "tools");

  if (gr_json_get_int (request, "n", 1) > 1)
    *error = gr_api_error_invalid_request ("unsupported_parameter", "n", "n > 1 is not supported by Anthropic models");
  else if (gr_json_get_true (request, "logprobs"))
    *error = gr_api_error_invalid_request ("unsupported_parameter", "logprobs", "logprobs are not supported by Anthropic models");
  else if (gr_json_get_int (request, "top_logprobs", 0) > 0)
    *error = gr_api_error_invalid_request ("unsupported_parameter", "top_logprobs", "top_logprobs are not supported by Anthropic models");
  else if (audio != NULL && !JSON_NODE_HOLDS_NULL (audio))
    *error = gr_api_error_invalid_request ("unsupported_parameter", "audio", "audio output is not supported by Anthropic models");
  else if (json_object_has_member (request, "functions"))
    *error = gr_api_error_invalid_request ("unsupported_parameter", "functions", "the deprecated 'functions' field is not supported; use 'tools'");

  for (guint i = 0; *error == NULL && tools != NULL && i < json_array_get_length (tools); i++)
    {
      JsonObject *tool = node_object (json_array_get_element (tools, i));

      if (tool == NULL || g_strcmp0 (gr_json_get_string (tool, "type"), "function") != 0)
        {
          g_autofree char *param = g_strdup_printf ("tools[%u]", i);

          *error = gr_api_error_invalid_request ("unsupported_parameter", param, "%s: only function tools are supported", param);
        }
    }
  return *error == NULL;
}

static gboolean
resolve_max_tokens (JsonObject               *request,
                    const GrTranslateContext *ctx,
                    gint64                   *max_tokens,
                    GrApiError              **error)
{
  static const char *const fields[] = { "max_completion_tokens", "max_tokens" };

  for (guint k = 0; k < G_N_ELEMENTS (fields); k++)
    {
      JsonNode *node = json_object_get_member (request, fields[k]);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      *max_tokens = gr_json_get_int (request, fields[k], 0);
      if (!node_is_number (node) || *max_tokens < 1)
        {
          *error = gr_api_error_invalid_request ("invalid_value", fields[k], "%s must be a positive integer", fields[k]);
          return FALSE;
        }
      return TRUE;
    }
  *max_tokens = ctx->default_max_tokens > 0 ? ctx->default_max_tokens : FALLBACK_MAX_TOKENS;
  return TRUE;
}

static gboolean
add_sampling (JsonObject  *request,
              JsonObject  *body,
              GrApiError **error)
{
  JsonNode *temperature = json_object_get_member (request, "temperature");
  JsonNode *top_p = json_object_get_member (request, "top_p");

  if (temperature != NULL && !JSON_NODE_HOLDS_NULL (temperature))
    {
      if (!node_is_number (temperature) || json_node_get_double (temperature) < 0)
        {
          *error = gr_api_error_invalid_request ("invalid_value", "temperature", "temperature must be a number >= 0");
          return FALSE;
        }
      /* OpenAI's range is 0–2, Anthropic's 0–1. */
      if (json_node_get_double (temperature) > 1.0)
        json_object_set_double_member (body, "temperature", 1.0);
      else
        json_object_set_member (body, "temperature", json_node_copy (temperature));
    }
  if (top_p != NULL && !JSON_NODE_HOLDS_NULL (top_p))
    {
      if (!node_is_number (top_p))
        {
          *error = gr_api_error_invalid_request ("invalid_value", "top_p", "top_p must be a number");
          return FALSE;
        }
      json_object_set_member (body, "top_p", json_node_copy (top_p));
    }
  return TRUE;
}

static gboolean
add_stop_sequence (JsonArray  *sequences,
                   JsonNode   *node)
{
  const char *text;

  if (!node_is_string (node))
    return FALSE;
  text = json_node_get_string (node);
  /* Anthropic rejects whitespace-only sequences (verify); dropping them is
   * harmless because OpenAI would rarely stop on them either. */
  if (strspn (text, " \t\r\n") < strlen (text))
    json_array_add_string_element (sequences, text);
  return TRUE;
}

static gboolean
add_stop (JsonObject  *request,
          JsonObject  *body,
          GrApiError **error)
{
  JsonNode *stop = json_object_get_member (request, "stop");
  g_autoptr(JsonArray) sequences = json_array_new ();
  gboolean ok = TRUE;

  if (stop == NULL || JSON_NODE_HOLDS_NULL (stop))
    return TRUE;
  if (JSON_NODE_HOLDS_ARRAY (stop))
    {
      JsonArray *list = json_node_get_array (stop);

      for (guint k = 0; ok && k < json_array_get_length (list); k++)
        ok = add_stop_sequence (sequences, json_array_get_element (list, k));
    }
  else
    ok = add_stop_sequence (sequences, stop);

  if (!ok)
    {
      *error = gr_api_error_invalid_request ("invalid_value", "stop", "stop must be a string or an array of strings");
      return FALSE;
    }
  if (json_array_get_length (sequences) > 0)
    json_object_set_array_member (body, "stop_sequences", g_steal_pointer (&sequences));
  return TRUE;
}

static gboolean
add_tools (JsonObject  *request,
           JsonObject  *body,
           GHashTable  *names,
           GrApiError **error)
{
  JsonArray *tools = gr_json_get_array (request, "tools");
  g_autoptr(JsonArray) out = json_array_new ();

  for (guint i = 0; tools != NULL && i < json_array_get_length (tools); i++)
    {
      JsonObject *function = gr_json_get_object (node_object (json_array_get_element (tools, i)), "function");
      JsonNode *parameters = function != NULL ? json_object_get_member (function, "parameters") : NULL;
      const char *name = gr_json_get_string (function, "name");
      const char *description = gr_json_get_string (function, "description");
      JsonObject *tool;

      if (name == NULL || *name == '\0')
        {
          g_autofree char *param = g_strdup_printf ("tools[%u].function.name", i);

          *error = gr_api_error_invalid_request ("missing_field", param, "%s is required", param);
          return FALSE;
        }
      tool = json_object_new ();
      json_object_set_string_member (tool, "name", name);
      if (description != NULL)
        json_object_set_string_member (tool, "description", description);
      if (parameters != NULL && JSON_NODE_HOLDS_OBJECT (parameters))
        json_object_set_member (tool, "input_schema", json_node_copy (parameters));
      else
        {
          JsonObject *schema = json_object_new ();

          json_object_set_string_member (schema, "type", "object");
          json_object_set_object_member (schema, "properties", json_object_new ());
          json_object_set_object_member (tool, "input_schema", schema);
        }
      g_hash_table_add (names, g_strdup (name));
      json_array_add_object_element (out, tool);
    }
  if (json_array_get_length (out) > 0)
    json_object_set_array_member (body, "tools", g_steal_pointer (&out));
  return TRUE;
}

/* OpenAI tool_choice → Anthropic tool_choice object, or NULL for "not
 * set" (and for "auto"/"none" without tools, which mean nothing then). */
static JsonObject *
tool_choice_object (JsonNode    *choice,
                    GHashTable  *names,
                    GrApiError **error)
{
  const char *mode = node_is_string (choice) ? json_node_get_string (choice) : NULL;
  const char *anthropic_type = NULL;
  const char *name = NULL;
  JsonObject *out;

  if (choice == NULL || JSON_NODE_HOLDS_NULL (choice))
    return NULL;
  if (g_strcmp0 (mode, "auto") == 0)
    anthropic_type = "auto";
  else if (g_strcmp0 (mode, "none") == 0)
    anthropic_type = "none";
  else if (g_strcmp0 (mode, "required") == 0)
    anthropic_type = "any";
  else if (JSON_NODE_HOLDS_OBJECT (choice)
           && g_strcmp0 (gr_json_get_string (json_node_get_object (choice), "type"), "function") == 0)
    {
      anthropic_type = "tool";
      name = gr_json_get_string (gr_json_get_object (json_node_get_object (choice), "function"), "name");
      if (name == NULL || !g_hash_table_contains (names, name))
        {
          *error = gr_api_error_invalid_request ("invalid_value", "tool_choice",
                                                 "tool_choice names the tool '%s', which is not declared in tools",
                                                 name != NULL ? name : "");
          return NULL;
        }
    }
  else
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", "tool_choice",
                                             "tool_choice must be \"auto\", \"none\", \"required\" or a function");
      return NULL;
    }

  if (g_hash_table_size (names) == 0)
    {
      if (g_str_equal (anthropic_type, "any"))
        *error = gr_api_error_invalid_request ("invalid_value", "tool_choice", "tool_choice \"required\" needs tools");
      return NULL;
    }

  out = json_object_new ();
  json_object_set_string_member (out, "type", anthropic_type);
  if (name != NULL)
    json_object_set_string_member (out, "name", name);
  return out;
}

static gboolean
add_tool_choice (JsonObject  *request,
                 JsonObject  *body,
                 GHashTable  *names,
                 GrApiError **error)
{
  JsonNode *parallel = json_object_get_member (request, "parallel_tool_calls");
  JsonObject *choice = tool_choice_object (json_object_get_member (request, "tool_choice"), names, error);

  if (*error != NULL)
    return FALSE;

  if (parallel != NULL && JSON_NODE_HOLDS_VALUE (parallel)
      && json_node_get_value_type (parallel) == G_TYPE_BOOLEAN
      && !json_node_get_boolean (parallel) && g_hash_table_size (names) > 0)
    {
      if (choice == NULL)
        {
          choice = json_object_new ();
          json_object_set_string_member (choice, "type", "auto");
        }
      /* "none" takes no disable_parallel_tool_use: nothing to disable. */
      if (!g_str_equal (json_object_get_string_member (choice, "type"), "none"))
        json_object_set_boolean_member (choice, "disable_parallel_tool_use", TRUE);
    }
  if (choice != NULL)
    json_object_set_object_member (body, "tool_choice", choice);
  return TRUE;
}

static gboolean
add_response_format (JsonObject  *request,
                     JsonObject  *body,
                     JsonArray   *system,
                     GrApiError **error)
{
  JsonObject *format = gr_json_get_object (request, "response_format");
  const char *type = gr_json_get_string (format, "type");
  JsonNode *schema;
  JsonObject *config;
  JsonObject *out_format;

  if (format == NULL || g_strcmp0 (type, "text") == 0)
    return TRUE;
  if (g_strcmp0 (type, "json_object") == 0)
    {
      /* Anthropic has no JSON mode; an instruction is the documented stand-in. */
      json_array_add_object_element (system, text_block (JSON_OBJECT_INSTRUCTION));
      return TRUE;
    }
  if (g_strcmp0 (type, "json_schema") != 0)
    {
      *error = gr_api_error_invalid_request ("invalid_value", "response_format.type", "unknown response_format type");
      return FALSE;
    }

  schema = json_object_get_member (gr_json_get_object (format, "json_schema") != NULL
                                   ? gr_json_get_object (format, "json_schema") : format,
                                   "schema");
  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    {
      *error = gr_api_error_invalid_request ("missing_field", "response_format.json_schema.schema",
                                             "response_format.json_schema.schema is required");
      return FALSE;
    }
  out_format = json_object_new ();
  json_object_set_string_member (out_format, "type", "json_schema");
  json_object_set_member (out_format, "schema", json_node_copy (schema));
  config = json_object_new ();
  json_object_set_object_member (config, "format", out_format);
  json_object_set_object_member (body, "output_config", config);
  return TRUE;
}

static gint64
thinking_budget (const char *effort)
{
  if (effort == NULL || g_str_equal (effort, "none"))
    return 0;
  if (g_str_equal (effort, "minimal") || g_str_equal (effort, "low"))
    return 1024;
  if (g_str_equal (effort, "medium"))
    return 4096;
  if (g_str_equal (effort, "high") || g_str_equal (effort, "xhigh") || g_str_equal (effort, "max"))
    return 16384;
  return 0;
}

/* reasoning_effort → extended thinking.  Thinking is left off when it could
 * only fail: with tool_use in the history (Anthropic wants the signed
 * thinking blocks back, which OpenAI clients cannot return, 13.19), with a
 * forced tool choice (not allowed with thinking), or when max_tokens leaves
 * no room for the minimum budget next to an answer. */
static void
add_thinking (JsonObject *request,
              JsonObject *body,
              gint64      max_tokens,
              gboolean    has_tool_use)
{
  gint64 budget = thinking_budget (gr_json_get_string (request, "reasoning_effort"));
  JsonObject *choice = gr_json_get_object (body, "tool_choice");
  const char *choice_type = gr_json_get_string (choice, "type");
  JsonObject *thinking;

  if (budget == 0 || has_tool_use)
    return;
  if (g_strcmp0 (choice_type, "any") == 0 || g_strcmp0 (choice_type, "tool") == 0)
    return;
  budget = MIN (budget, max_tokens - MIN_ANSWER_TOKENS);
  if (budget < MIN_THINKING_BUDGET)
    return;

  thinking = json_object_new ();
  json_object_set_string_member (thinking, "type", "enabled");
  json_object_set_int_member (thinking, "budget_tokens", budget);
  json_object_set_object_member (body, "thinking", thinking);
  /* Thinking requires the default temperature and a wide top_p. */
  json_object_remove_member (body, "temperature");
  json_object_remove_member (body, "top_p");
}

static void
add_metadata (JsonObject *request,
              JsonObject *body)
{
  const char *user = gr_json_get_string (request, "user");
  JsonObject *metadata;

  if (user == NULL || *user == '\0')
    user = gr_json_get_string (request, "safety_identifier");
  if (user == NULL || *user == '\0')
    return;
  metadata = json_object_new ();
  json_object_set_string_member (metadata, "user_id", user);
  json_object_set_object_member (body, "metadata", metadata);
}

/* The whole body; only whitelisted fields are set because Anthropic
 * rejects unknown top-level fields (wire-formats 8.7). */
static JsonObject *
build_body (JsonObject               *request,
            const GrTranslateContext *ctx,
            GrApiError              **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(JsonArray) system = json_array_new ();
  g_autoptr(JsonArray) messages = json_array_new ();
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (pending_call_free);
  g_autoptr(GHashTable) names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  MessageWalk walk = { system, messages, pending, FALSE };
  JsonArray *in = gr_json_get_array (request, "messages");
  const char *model = ctx->upstream_model != NULL ? ctx->upstream_model : gr_json_get_string (request, "model");
  gint64 max_tokens = 0;

  if (in == NULL)
    {
      *error = gr_api_error_invalid_request ("missing_field", "messages", "messages is required");
      return NULL;
    }
  if (!check_unsupported (request, error)
      || !resolve_max_tokens (request, ctx, &max_tokens, error)
      || !translate_messages (in, &walk, error)
      || !add_response_format (request, body, system, error))
    return NULL;

  json_object_set_string_member (body, "model", model != NULL ? model : "");
  json_object_set_int_member (body, "max_tokens", max_tokens);
  if (json_array_get_length (system) > 0)
    json_object_set_array_member (body, "system", g_steal_pointer (&system));
  json_object_set_array_member (body, "messages", g_steal_pointer (&messages));

  if (!add_tools (request, body, names, error)
      || !add_tool_choice (request, body, names, error)
      || !add_sampling (request, body, error)
      || !add_stop (request, body, error))
    return NULL;
  if (ctx->stream)
    json_object_set_boolean_member (body, "stream", TRUE);
  add_metadata (request, body);
  add_thinking (request, body, max_tokens, walk.has_tool_use);

  return g_steal_pointer (&body);
}

static char *
messages_url (const char *base_url)
{
  g_autofree char *base = g_strdup (base_url != NULL ? base_url : "https://api.anthropic.com");
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  return g_strconcat (base, "/v1/messages", NULL);
}

static GrUpstreamRequest *
anthropic_build_request (const GrProviderInfo     *provider,
                         JsonObject               *request,
                         const GrTranslateContext *ctx,
                         GrApiError              **error)
{
  g_autoptr(GrUpstreamRequest) upstream = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  char *json;

  g_return_val_if_fail (request != NULL && ctx != NULL, NULL);
  g_return_val_if_fail (error != NULL && *error == NULL, NULL);

  body = build_body (request, ctx, error);
  if (body == NULL)
    return NULL;

  root = json_node_init_object (json_node_alloc (), body);
  json = gr_json_to_string (root);

  upstream = gr_upstream_request_new ();
  upstream->url = messages_url (provider != NULL ? provider->base_url : NULL);
  upstream->body = g_bytes_new_take (json, strlen (json));
  if (provider != NULL && provider->api_key != NULL)
    gr_upstream_request_add_header (upstream, "x-api-key", provider->api_key);
  gr_upstream_request_add_header (upstream, "anthropic-version", ANTHROPIC_VERSION);
  gr_upstream_request_add_header (upstream, "content-type", "application/json");
  if (ctx->stream)
    gr_upstream_request_add_header (upstream, "accept", "text/event-stream");

  return g_steal_pointer (&upstream);
}

/* ------------------------------------------------------------------------
 * Responses (wire-formats 10.1, 7.4, 7.5)
 * ------------------------------------------------------------------------ */

/* Anthropic's own usage counters; input excludes cache reads and writes. */
typedef struct
{
  gboolean known;
  gint64   input;
  gint64   cache_write;
  gint64   cache_read;
  gint64   output;
  gint64   thinking;
} RawUsage;

static void
merge_count (JsonObject *obj,
             const char *member,
             gint64     *count)
{
  JsonNode *node = obj != NULL ? json_object_get_member (obj, member) : NULL;

  /* message_delta repeats the totals; a null or missing value must not
   * overwrite what message_start reported. */
  if (node_is_number (node))
    *count = gr_json_get_count (obj, member);
}

static void
raw_usage_merge (RawUsage   *raw,
                 JsonObject *usage)
{
  if (usage == NULL)
    return;
  raw->known = TRUE;
  merge_count (usage, "input_tokens", &raw->input);
  merge_count (usage, "cache_creation_input_tokens", &raw->cache_write);
  merge_count (usage, "cache_read_input_tokens", &raw->cache_read);
  merge_count (usage, "output_tokens", &raw->output);
  merge_count (gr_json_get_object (usage, "output_tokens_details"), "thinking_tokens", &raw->thinking);
}

static void
raw_usage_to_usage (const RawUsage *raw,
                    GrUsage        *usage)
{
  gr_usage_init (usage);
  usage->known = raw->known;
  usage->prompt_tokens = raw->input + raw->cache_write + raw->cache_read;
  usage->completion_tokens = raw->output;
  usage->cached_tokens = raw->cache_read;
  usage->cache_write_tokens = raw->cache_write;
  usage->reasoning_tokens = raw->thinking;
}

/* Anthropic always knows its cache writes, so cache_write_tokens is
 * reported even when it is 0 (the shared writer omits zeros). */
static JsonNode *
usage_node (const GrUsage *usage)
{
  JsonNode *node = gr_usage_to_openai (usage);
  JsonObject *details = gr_json_get_object (json_node_get_object (node), "prompt_tokens_details");

  if (details != NULL && !json_object_has_member (details, "cache_write_tokens"))
    json_object_set_int_member (details, "cache_write_tokens", usage->cache_write_tokens);
  return node;
}

static const char *
finish_reason_for (const char *stop_reason)
{
  if (stop_reason == NULL)
    return "stop";
  if (g_str_equal (stop_reason, "max_tokens") || g_str_equal (stop_reason, "model_context_window_exceeded"))
    return "length";
  if (g_str_equal (stop_reason, "tool_use"))
    return "tool_calls";
  if (g_str_equal (stop_reason, "refusal"))
    return "content_filter";
  /* end_turn, stop_sequence, pause_turn and values added later. */
  return "stop";
}

static char *
completion_id (const char *upstream_id)
{
  g_autofree char *uuid = NULL;

  if (upstream_id != NULL && *upstream_id != '\0')
    return g_strconcat ("chatcmpl-", upstream_id, NULL);
  uuid = g_uuid_string_random ();
  return g_strconcat ("chatcmpl-", uuid, NULL);
}

static void
add_tool_call (JsonBuilder *b,
               JsonObject  *block)
{
  JsonNode *input = json_object_get_member (block, "input");
  g_autofree char *arguments = input != NULL ? gr_json_to_string (input) : g_strdup ("{}");

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, gr_json_get_string (block, "id"));
  json_builder_set_member_name (b, "type");
  json_builder_add_string_value (b, "function");
  json_builder_set_member_name (b, "function");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, gr_json_get_string (block, "name"));
  json_builder_set_member_name (b, "arguments");
  json_builder_add_string_value (b, arguments);
  json_builder_end_object (b);
  json_builder_end_object (b);
}

/* The choice's message: text blocks concatenated, tool_use blocks as
 * tool_calls, thinking dropped. */
static void
add_message (JsonBuilder *b,
             JsonArray   *content)
{
  g_autoptr(GString) text = g_string_new (NULL);
  gboolean has_text = FALSE;
  guint n_tools = 0;

  for (guint k = 0; k < json_array_get_length (content); k++)
    {
      JsonObject *block = node_object (json_array_get_element (content, k));
      const char *type = gr_json_get_string (block, "type");

      if (g_strcmp0 (type, "text") == 0 && gr_json_get_string (block, "text") != NULL)
        {
          g_string_append (text, gr_json_get_string (block, "text"));
          has_text = TRUE;
        }
      else if (g_strcmp0 (type, "tool_use") == 0)
        n_tools++;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "role");
  json_builder_add_string_value (b, "assistant");
  json_builder_set_member_name (b, "content");
  if (!has_text && n_tools > 0)
    json_builder_add_null_value (b);
  else
    json_builder_add_string_value (b, text->str);
  if (n_tools > 0)
    {
      json_builder_set_member_name (b, "tool_calls");
      json_builder_begin_array (b);
      for (guint k = 0; k < json_array_get_length (content); k++)
        {
          JsonObject *block = node_object (json_array_get_element (content, k));

          if (g_strcmp0 (gr_json_get_string (block, "type"), "tool_use") == 0)
            add_tool_call (b, block);
        }
      json_builder_end_array (b);
    }
  json_builder_set_member_name (b, "refusal");
  json_builder_add_null_value (b);
  json_builder_end_object (b);
}

static gboolean
content_is_valid (JsonArray *content)
{
  for (guint k = 0; k < json_array_get_length (content); k++)
    {
      JsonObject *block = node_object (json_array_get_element (content, k));

      if (block == NULL || gr_json_get_string (block, "type") == NULL)
        return FALSE;
      if (g_str_equal (gr_json_get_string (block, "type"), "tool_use")
          && (gr_json_get_string (block, "id") == NULL || gr_json_get_string (block, "name") == NULL))
        return FALSE;
    }
  return TRUE;
}

static JsonNode *
anthropic_translate_response (const GrProviderInfo     *provider,
                              JsonNode                 *body,
                              const GrTranslateContext *ctx,
                              GrUsage                  *usage,
                              GrApiError              **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *id = NULL;
  JsonObject *message;
  JsonArray *content;
  RawUsage raw = { 0 };
  GrUsage local;

  g_return_val_if_fail (ctx != NULL && error != NULL && *error == NULL, NULL);

  message = body != NULL && JSON_NODE_HOLDS_OBJECT (body) ? json_node_get_object (body) : NULL;
  content = gr_json_get_array (message, "content");
  if (content == NULL || !content_is_valid (content))
    {
      *error = bad_upstream (provider, "the upstream answered with an unexpected body");
      return NULL;
    }

  raw_usage_merge (&raw, gr_json_get_object (message, "usage"));
  raw_usage_to_usage (&raw, &local);
  if (usage != NULL)
    *usage = local;
  id = completion_id (gr_json_get_string (message, "id"));

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, id);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "chat.completion");
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, g_get_real_time () / G_USEC_PER_SEC);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, ctx->client_model);
  json_builder_set_member_name (b, "choices");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, 0);
  json_builder_set_member_name (b, "message");
  add_message (b, content);
  json_builder_set_member_name (b, "logprobs");
  json_builder_add_null_value (b);
  json_builder_set_member_name (b, "finish_reason");
  json_builder_add_string_value (b, finish_reason_for (gr_json_get_string (message, "stop_reason")));
  json_builder_end_object (b);
  json_builder_end_array (b);
  /* Missing usage stays missing rather than a guessed zero (13.18). */
  if (local.known)
    {
      json_builder_set_member_name (b, "usage");
      json_builder_add_value (b, usage_node (&local));
    }
  json_builder_end_object (b);

  return json_builder_get_root (b);
}

/* ------------------------------------------------------------------------
 * Errors (wire-formats 3.5, 7.6)
 * ------------------------------------------------------------------------ */

static GrApiError *
anthropic_map_error (const GrProviderInfo *provider,
                     int                   status,
                     const char           *body,
                     gsize                 body_len)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *fallback = NULL;
  JsonObject *error_obj = NULL;
  const char *type = NULL;
  const char *message = NULL;
  const char *code = NULL;

  if (body != NULL && body_len > 0
      && gr_json_parser_load (parser, body, body_len, NULL)
      && json_parser_get_root (parser) != NULL
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    error_obj = gr_json_get_object (json_node_get_object (json_parser_get_root (parser)), "error");

  type = gr_json_get_string (error_obj, "type");
  message = gr_json_get_string (error_obj, "message");
  if (message == NULL)
    message = fallback = g_strdup_printf ("HTTP %d with an unreadable error body", status);

  /* Anthropic's error types are categories, not codes; only the ones that
   * add information beyond the status are passed on as the code. */
  if (type != NULL && (g_str_equal (type, "not_found_error") || g_str_equal (type, "request_too_large")))
    code = type;

  return gr_api_error_from_upstream (provider_name (provider), status, message, code,
                                     g_strcmp0 (type, "overloaded_error") == 0);
}

/* ------------------------------------------------------------------------
 * Streaming (wire-formats 10.2)
 * ------------------------------------------------------------------------ */

typedef enum
{
  BLOCK_TEXT,
  BLOCK_TOOL,
  BLOCK_OTHER,
} BlockKind;

typedef struct
{
  BlockKind kind;
  guint     tool_index;  /* OpenAI tool_calls index */
  gboolean  got_arguments;
} BlockInfo;

struct _GrStreamState
{
  char       *provider_name;
  char       *client_model;
  gboolean    include_usage;
  char       *id;
  gint64      created;
  gboolean    started;       /* the role chunk went out */
  gboolean    finish_sent;
  gboolean    finished;
  guint       tool_count;
  GHashTable *blocks;        /* Anthropic block index → BlockInfo */
  char       *finish_reason;
  GrApiError *error;
  RawUsage    usage;
};

static GrStreamState *
anthropic_stream_new (const GrProviderInfo     *provider,
                      const GrTranslateContext *ctx)
{
  GrStreamState *state = g_new0 (GrStreamState, 1);

  g_return_val_if_fail (ctx != NULL, NULL);

  state->provider_name = g_strdup (provider_name (provider));
  state->client_model = g_strdup (ctx->client_model);
  state->include_usage = ctx->include_usage;
  state->created = g_get_real_time () / G_USEC_PER_SEC;
  state->blocks = g_hash_table_new_full (g_direct_hash, g_direct_equal, NULL, g_free);
  return state;
}

static void
anthropic_stream_free (GrStreamState *state)
{
  if (state == NULL)
    return;
  g_free (state->provider_name);
  g_free (state->client_model);
  g_free (state->id);
  g_hash_table_unref (state->blocks);
  g_free (state->finish_reason);
  g_clear_pointer (&state->error, gr_api_error_free);
  g_free (state);
}

/* One chat.completion.chunk; takes ownership of delta (NULL for the
 * usage chunk, which has no choices). */
static void
append_chunk (GrStreamState *state,
              JsonNode      *delta,
              const char    *finish_reason,
              GString       *out)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, state->id);
  json_builder_set_member_name (b, "object");
  json_builder_add_string_value (b, "chat.completion.chunk");
  json_builder_set_member_name (b, "created");
  json_builder_add_int_value (b, state->created);
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, state->client_model);
  json_builder_set_member_name (b, "choices");
  json_builder_begin_array (b);
  if (delta != NULL)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "index");
      json_builder_add_int_value (b, 0);
      json_builder_set_member_name (b, "delta");
      json_builder_add_value (b, delta);
      json_builder_set_member_name (b, "logprobs");
      json_builder_add_null_value (b);
      json_builder_set_member_name (b, "finish_reason");
      if (finish_reason != NULL)
        json_builder_add_string_value (b, finish_reason);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (state->include_usage)
    {
      /* Like OpenAI: null on every chunk but the last. */
      json_builder_set_member_name (b, "usage");
      if (delta == NULL)
        {
          GrUsage usage;

          raw_usage_to_usage (&state->usage, &usage);
          json_builder_add_value (b, usage_node (&usage));
        }
      else
        json_builder_add_null_value (b);
    }
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  gr_sse_append_json (out, root);
}

static JsonNode *
delta_new (const char *member,
           const char *value)
{
  JsonObject *delta = json_object_new ();

  if (member != NULL)
    json_object_set_string_member (delta, member, value);
  return object_node (delta);
}

static JsonNode *
delta_tool (guint       tool_index,
            const char *id,
            const char *name,
            const char *arguments)
{
  JsonObject *delta = json_object_new ();
  JsonArray *calls = json_array_new ();
  JsonObject *call = json_object_new ();
  JsonObject *function = json_object_new ();

  json_object_set_int_member (call, "index", tool_index);
  if (id != NULL)
    {
      json_object_set_string_member (call, "id", id);
      json_object_set_string_member (call, "type", "function");
      json_object_set_string_member (function, "name", name);
    }
  json_object_set_string_member (function, "arguments", arguments);
  json_object_set_object_member (call, "function", function);
  json_array_add_object_element (calls, call);
  json_object_set_array_member (delta, "tool_calls", calls);
  return object_node (delta);
}

/* The first chunk carries the role; events that arrive before
 * message_start (which Anthropic never sends) still get one. */
static void
ensure_started (GrStreamState *state,
                const char    *upstream_id,
                GString       *out)
{
  JsonNode *delta;

  if (state->started)
    return;
  state->started = TRUE;
  if (state->id == NULL)
    state->id = completion_id (upstream_id);
  delta = delta_new ("role", "assistant");
  json_object_set_string_member (json_node_get_object (delta), "content", "");
  append_chunk (state, delta, NULL, out);
}

static void
finish_with_error (GrStreamState *state,
                   GrApiError    *error,
                   GString       *out)
{
  g_clear_pointer (&state->error, gr_api_error_free);
  state->error = error;
  state->finished = TRUE;
  gr_sse_append_error (out, error);
}

static void
on_message_start (GrStreamState *state,
                  JsonObject    *data,
                  GString       *out)
{
  JsonObject *message = gr_json_get_object (data, "message");

  raw_usage_merge (&state->usage, gr_json_get_object (message, "usage"));
  ensure_started (state, gr_json_get_string (message, "id"), out);
}

static void
on_block_start (GrStreamState *state,
                JsonObject    *data,
                GString       *out)
{
  JsonObject *block = gr_json_get_object (data, "content_block");
  const char *type = gr_json_get_string (block, "type");
  BlockInfo *info = g_new0 (BlockInfo, 1);

  g_hash_table_replace (state->blocks, GINT_TO_POINTER (gr_json_get_int (data, "index", -1)), info);
  info->kind = BLOCK_OTHER;

  if (g_strcmp0 (type, "text") == 0)
    {
      const char *text = gr_json_get_string (block, "text");

      info->kind = BLOCK_TEXT;
      if (text != NULL && *text != '\0')
        append_chunk (state, delta_new ("content", text), NULL, out);
    }
  else if (g_strcmp0 (type, "tool_use") == 0)
    {
      info->kind = BLOCK_TOOL;
      info->tool_index = state->tool_count++;
      append_chunk (state,
                    delta_tool (info->tool_index,
                                gr_json_get_string (block, "id") ? gr_json_get_string (block, "id") : "",
                                gr_json_get_string (block, "name") ? gr_json_get_string (block, "name") : "",
                                ""),
                    NULL, out);
    }
  /* thinking, redacted_thinking and server-tool blocks stay invisible. */
}

static BlockInfo *
lookup_block (GrStreamState *state,
              JsonObject    *data)
{
  return g_hash_table_lookup (state->blocks, GINT_TO_POINTER (gr_json_get_int (data, "index", -1)));
}

static void
on_block_delta (GrStreamState *state,
                JsonObject    *data,
                GString       *out)
{
  JsonObject *delta = gr_json_get_object (data, "delta");
  const char *type = gr_json_get_string (delta, "type");
  BlockInfo *info = lookup_block (state, data);

  if (g_strcmp0 (type, "text_delta") == 0)
    {
      const char *text = gr_json_get_string (delta, "text");

      if (text != NULL && *text != '\0')
        append_chunk (state, delta_new ("content", text), NULL, out);
    }
  else if (g_strcmp0 (type, "input_json_delta") == 0 && info != NULL && info->kind == BLOCK_TOOL)
    {
      const char *partial = gr_json_get_string (delta, "partial_json");

      if (partial != NULL && *partial != '\0')
        {
          info->got_arguments = TRUE;
          append_chunk (state, delta_tool (info->tool_index, NULL, NULL, partial), NULL, out);
        }
    }
  /* thinking_delta, signature_delta and citations_delta are dropped. */
}

static void
on_block_stop (GrStreamState *state,
               JsonObject    *data,
               GString       *out)
{
  BlockInfo *info = lookup_block (state, data);

  /* A tool without arguments still has to end up as valid JSON. */
  if (info != NULL && info->kind == BLOCK_TOOL && !info->got_arguments)
    {
      info->got_arguments = TRUE;
      append_chunk (state, delta_tool (info->tool_index, NULL, NULL, "{}"), NULL, out);
    }
}

static void
send_finish (GrStreamState *state,
             const char    *finish_reason,
             GString       *out)
{
  if (state->finish_sent)
    return;
  state->finish_sent = TRUE;
  g_free (state->finish_reason);
  state->finish_reason = g_strdup (finish_reason);
  append_chunk (state, delta_new (NULL, NULL), finish_reason, out);
}

static void
on_message_delta (GrStreamState *state,
                  JsonObject    *data,
                  GString       *out)
{
  const char *stop_reason = gr_json_get_string (gr_json_get_object (data, "delta"), "stop_reason");

  raw_usage_merge (&state->usage, gr_json_get_object (data, "usage"));
  if (stop_reason != NULL)
    send_finish (state, finish_reason_for (stop_reason), out);
}

static void
on_message_stop (GrStreamState *state,
                 GString       *out)
{
  send_finish (state, "stop", out);
  if (state->include_usage)
    append_chunk (state, NULL, NULL, out);
  gr_sse_append_done (out);
  state->finished = TRUE;
}

static void
on_error (GrStreamState *state,
          JsonObject    *data,
          GString       *out)
{
  JsonObject *error = gr_json_get_object (data, "error");
  const char *type = gr_json_get_string (error, "type");
  const char *message = gr_json_get_string (error, "message");

  if (message == NULL)
    message = "the upstream reported an error mid-stream";
  if (g_strcmp0 (type, "overloaded_error") == 0)
    finish_with_error (state, gr_api_error_from_upstream (state->provider_name, 529, message, NULL, TRUE), out);
  else
    finish_with_error (state,
                       gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                         "%s: %s", state->provider_name, message),
                       out);
}

static JsonObject *
parse_event_data (const char *data,
                  gsize       data_len,
                  JsonParser *parser)
{
  JsonNode *root;

  if (data == NULL || !gr_json_parser_load (parser, data, data_len, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
}

static gboolean
is_message_event (const char *type)
{
  static const char *const types[] = {
    "content_block_start", "content_block_delta", "content_block_stop",
    "message_delta", "message_stop",
  };

  for (guint k = 0; type != NULL && k < G_N_ELEMENTS (types); k++)
    if (g_str_equal (type, types[k]))
      return TRUE;
  return FALSE;
}

static void
anthropic_stream_event (GrStreamState *state,
                        const char    *event,
                        const char    *data,
                        gsize          data_len,
                        GString       *out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *obj;
  const char *type;

  if (state->finished || g_strcmp0 (event, "ping") == 0)
    return;

  obj = parse_event_data (data, data_len, parser);
  if (obj == NULL)
    {
      finish_with_error (state,
                         gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                           "%s: unreadable stream event", state->provider_name),
                         out);
      return;
    }
  type = event != NULL ? event : gr_json_get_string (obj, "type");

  if (g_strcmp0 (type, "message_start") == 0)
    {
      on_message_start (state, obj, out);
      return;
    }
  if (g_strcmp0 (type, "error") == 0)
    {
      on_error (state, obj, out);
      return;
    }
  if (!is_message_event (type))
    return;  /* ping and event types added later */

  ensure_started (state, NULL, out);
  if (g_str_equal (type, "content_block_start"))
    on_block_start (state, obj, out);
  else if (g_str_equal (type, "content_block_delta"))
    on_block_delta (state, obj, out);
  else if (g_str_equal (type, "content_block_stop"))
    on_block_stop (state, obj, out);
  else if (g_str_equal (type, "message_delta"))
    on_message_delta (state, obj, out);
  else
    on_message_stop (state, out);
}

static void
anthropic_stream_end (GrStreamState *state,
                      GString       *out)
{
  if (state->finished)
    return;
  finish_with_error (state,
                     gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                       "%s: stream ended early", state->provider_name),
                     out);
}

static gboolean
anthropic_stream_finished (GrStreamState *state)
{
  return state->finished;
}

static void
anthropic_stream_usage (GrStreamState *state,
                        GrUsage       *usage)
{
  raw_usage_to_usage (&state->usage, usage);
}

static const char *
anthropic_stream_finish_reason (GrStreamState *state)
{
  return state->finish_reason;
}

static const GrApiError *
anthropic_stream_error (GrStreamState *state)
{
  return state->error;
}

const GrProviderOps gr_provider_anthropic_ops = {
  .kind = GR_PROVIDER_KIND_ANTHROPIC,
  .build_request = anthropic_build_request,
  .translate_response = anthropic_translate_response,
  .map_error = anthropic_map_error,
  .stream_new = anthropic_stream_new,
  .stream_event = anthropic_stream_event,
  .stream_end = anthropic_stream_end,
  .stream_finished = anthropic_stream_finished,
  .stream_usage = anthropic_stream_usage,
  .stream_finish_reason = anthropic_stream_finish_reason,
  .stream_error = anthropic_stream_error,
  .stream_free = anthropic_stream_free,
};
