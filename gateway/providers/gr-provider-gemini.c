/* gr-provider-gemini.c — OpenAI chat ⇄ Google Gemini generateContent
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Turns an OpenAI chat request into a native Gemini generateContent (or
 * streamGenerateContent?alt=sse) request, and Gemini's answers, whole or
 * event by event, back into OpenAI chat completions (wire-formats.md
 * sections 4, 7, 9, 11 and 13).
 *
 * Thought signatures and tool-call ids.  Gemini gives function calls no id
 * (pairing is by name and order), yet Gemini 3 rejects a request that
 * replays a functionCall of the current turn without the thoughtSignature
 * it came with.  OpenAI clients keep no such field, and these translators
 * are pure functions without memory between requests, so the signature
 * rides inside the tool-call id we hand out: clients must send tool-call ids
 * back verbatim, so the id is the one thing certain to make the round trip.
 *
 *   call_<24 hex>              no signature (e.g. the 2nd of parallel calls)
 *   call_<24 hex>_s<payload>   payload: base64url of the decoded signature
 *   call_<24 hex>_t<payload>   payload: base64url of a signature that is
 *                              not canonical base64 (kept byte for byte)
 *   call_<24 hex>_i<payload>   payload: base64url of "<Gemini's own
 *                              functionCall.id>\n<signature or nothing>"
 *
 * The 24 hex digits are SHA-256 over the response id, the candidate index
 * and the call's position, so one Gemini response always yields the same
 * ids, streamed or not.  The ids use only [A-Za-z0-9_-], which OpenAI
 * clients and Anthropic (tool_use ids) accept.  Google's own
 * OpenAI-compatible endpoint carries the signature in
 * tool_calls[].extra_content.google.thought_signature instead; that field
 * is honoured on the way in when the id carries nothing.  A Gemini 3 model
 * turn of the current turn whose calls arrive without any signature (history
 * from another provider, or ids a client rewrote) gets Google's documented
 * dummy value so that the request is not refused outright.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "core/gr-json.h"
#include "providers/gr-provider.h"

#define GEMINI_DEFAULT_BASE_URL "https://generativelanguage.googleapis.com"
#define CALL_ID_PREFIX          "call_"
#define CALL_ID_HASH_LEN        24
#define GEMINI_MAX_STOP         5
/* Google documents this value for replayed history that Gemini did not
 * produce (wire-formats 4.3, marked "verify"); it is only used where the
 * request would otherwise certainly be refused. */
#define DUMMY_THOUGHT_SIGNATURE "skip_thought_signature_validator"
/* Gemini needs a user turn first (13.3); a conversation that opens with
 * the assistant (a greeting) gets this neutral user turn in front. */
#define CONTINUATION_TEXT       "(conversation continues)"

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */
/* ------------------------------------------------------------------ */

static gboolean
node_is_null (JsonNode *node)
{
  return node == NULL || JSON_NODE_HOLDS_NULL (node);
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

static gboolean
node_get_integer (JsonNode *node,
                  gint64   *value)
{
  double d;

  if (!node_is_number (node))
    return FALSE;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      *value = json_node_get_int (node);
      return TRUE;
    }
  d = json_node_get_double (node);
  if (!isfinite (d) || d != floor (d) || fabs (d) > 1e15)
    return FALSE;
  *value = (gint64) d;
  return TRUE;
}

static const char *
node_get_string (JsonNode *node)
{
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

static JsonObject *
node_get_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Wraps object in a node, taking over the caller's reference. */
static JsonNode *
object_node (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  return node;
}

static JsonObject *
text_part_new (const char *text)
{
  JsonObject *part = json_object_new ();

  json_object_set_string_member (part, "text", text);
  return part;
}

static gboolean
is_base64 (const char *data)
{
  gsize len = 0;

  for (const char *p = data; *p != '\0'; p++, len++)
    if (!g_ascii_isalnum (*p) && *p != '+' && *p != '/' && *p != '=')
      return FALSE;
  return len > 0;
}

/* base64url without padding keeps the tool-call ids within [A-Za-z0-9_-]. */
static char *
base64url_encode (const guchar *data,
                  gsize         len)
{
  char *text = g_base64_encode (data, len);
  char *end = strchr (text, '=');

  if (end != NULL)
    *end = '\0';
  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }
  return text;
}

static guchar *
base64url_decode (const char *text,
                  gsize      *len)
{
  gsize n = strlen (text);
  g_autoptr(GString) std = NULL;

  if (n == 0 || n % 4 == 1)
    return NULL;
  std = g_string_sized_new (n + 3);
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '-')
        g_string_append_c (std, '+');
      else if (*p == '_')
        g_string_append_c (std, '/');
      else if (g_ascii_isalnum (*p))
        g_string_append_c (std, *p);
      else
        return NULL;
    }
  while (std->len % 4 != 0)
    g_string_append_c (std, '=');
  return g_base64_decode (std->str, len);
}

/* ------------------------------------------------------------------ */
/* Tool-call ids carrying thought signatures (see the file header)      */
/* ------------------------------------------------------------------ */

static gboolean
is_canonical_base64 (const char *text)
{
  g_autofree guchar *raw = NULL;
  g_autofree char *again = NULL;
  gsize len = 0;

  if (!is_base64 (text) || strlen (text) % 4 != 0)
    return FALSE;
  raw = g_base64_decode (text, &len);
  again = g_base64_encode (raw, len);
  return g_str_equal (again, text);
}

static char *
call_id_suffix (const char *gemini_id,
                const char *signature)
{
  g_autofree guchar *raw = NULL;
  g_autofree char *payload = NULL;
  gsize len = 0;

  if (gemini_id != NULL)
    {
      g_autofree char *packed = g_strdup_printf ("%s\n%s", gemini_id,
                                                 signature != NULL ? signature : "");

      payload = base64url_encode ((const guchar *) packed, strlen (packed));
      return g_strconcat ("_i", payload, NULL);
    }
  if (signature == NULL)
    return g_strdup ("");
  if (is_canonical_base64 (signature))
    {
      raw = g_base64_decode (signature, &len);
      payload = base64url_encode (raw, len);
      return g_strconcat ("_s", payload, NULL);
    }
  payload = base64url_encode ((const guchar *) signature, strlen (signature));
  return g_strconcat ("_t", payload, NULL);
}

static char *
make_call_id (const char *response_id,
              guint64     nonce,
              gint64      candidate,
              guint       ordinal,
              const char *gemini_id,
              const char *signature)
{
  g_autofree char *seed = NULL;
  g_autofree char *hash = NULL;
  g_autofree char *suffix = NULL;

  seed = g_strdup_printf ("%s|%" G_GUINT64_FORMAT "|%" G_GINT64_FORMAT "|%u",
                          response_id != NULL ? response_id : "", nonce,
                          candidate, ordinal);
  hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
  suffix = call_id_suffix (gemini_id, signature);
  return g_strdup_printf (CALL_ID_PREFIX "%.*s%s", CALL_ID_HASH_LEN, hash, suffix);
}

static char *
utf8_text_from_bytes (const guchar *raw,
                      gsize         len)
{
  if (memchr (raw, '\0', len) != NULL || !g_utf8_validate ((const char *) raw, len, NULL))
    return NULL;
  return g_strndup ((const char *) raw, len);
}

/* Recovers Gemini's call id and the thought signature from an id made by
 * make_call_id().  Foreign ids (from other providers, or rewritten by the
 * client) yield nothing, which is not an error. */
static void
parse_call_id (const char  *id,
               char       **gemini_id,
               char       **signature)
{
  const char *rest;
  g_autofree guchar *raw = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  char *newline;

  *gemini_id = NULL;
  *signature = NULL;
  if (!g_str_has_prefix (id, CALL_ID_PREFIX) || strlen (id) < strlen (CALL_ID_PREFIX) + CALL_ID_HASH_LEN)
    return;
  rest = id + strlen (CALL_ID_PREFIX);
  for (guint i = 0; i < CALL_ID_HASH_LEN; i++)
    if (!g_ascii_isxdigit (rest[i]))
      return;
  rest += CALL_ID_HASH_LEN;
  if (rest[0] != '_' || rest[1] == '\0' || (raw = base64url_decode (rest + 2, &len)) == NULL)
    return;

  switch (rest[1])
    {
    case 's':
      *signature = g_base64_encode (raw, len);
      break;
    case 't':
      *signature = utf8_text_from_bytes (raw, len);
      break;
    case 'i':
      text = utf8_text_from_bytes (raw, len);
      if (text == NULL || (newline = strchr (text, '\n')) == NULL || newline == text)
        return;
      *newline = '\0';
      *gemini_id = g_strdup (text);
      if (newline[1] != '\0')
        *signature = g_strdup (newline + 1);
      break;
    default:
      break;
    }
}

/* ------------------------------------------------------------------ */
/* Model names                                                          */
/* ------------------------------------------------------------------ */

static const char *
bare_model_name (const char *model)
{
  if (model != NULL && g_str_has_prefix (model, "models/"))
    return model + strlen ("models/");
  return model;
}

/* Gemini 3 and later take thinkingLevel and enforce thought signatures.
 * Aliases such as "gemini-flash-latest" follow the newest generation, so
 * anything that is not recognisably 1.x or 2.x counts as new. */
static gboolean
model_is_gemini3_or_later (const char *model)
{
  const char *rest;

  if (model == NULL || !g_str_has_prefix (model, "gemini-"))
    return FALSE;
  rest = model + strlen ("gemini-");
  if (!g_ascii_isdigit (rest[0]))
    return TRUE;
  return g_ascii_strtoull (rest, NULL, 10) >= 3;
}

static gboolean
model_is_gemini25 (const char *model)
{
  return model != NULL && g_str_has_prefix (model, "gemini-2.5");
}

/* ------------------------------------------------------------------ */
/* Request: messages → systemInstruction + contents                     */
/* ------------------------------------------------------------------ */

typedef struct
{
  char    *id;
  char    *name;
  char    *gemini_id;  /* nullable: Gemini's own functionCall.id */
  guint    ordinal;    /* position among the calls of its message */
  gboolean answered;
} CallInfo;

typedef struct
{
  guint       ordinal;
  guint       arrival;
  JsonObject *part;
} PendingResponse;

typedef struct
{
  JsonArray  *system_parts;
  JsonArray  *contents;
  GHashTable *calls;    /* tool_call_id → CallInfo (owned) */
  GPtrArray  *call_ids; /* ids in the order the calls appeared */
  GPtrArray  *pending;  /* PendingResponse of the current run of tool messages */
} RequestBuilder;

static void
call_info_free (CallInfo *info)
{
  g_free (info->id);
  g_free (info->name);
  g_free (info->gemini_id);
  g_free (info);
}

static void
pending_response_free (PendingResponse *pending)
{
  if (pending->part != NULL)
    json_object_unref (pending->part);
  g_free (pending);
}

static void
request_builder_init (RequestBuilder *rb)
{
  rb->system_parts = json_array_new ();
  rb->contents = json_array_new ();
  rb->calls = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                     (GDestroyNotify) call_info_free);
  rb->call_ids = g_ptr_array_new ();
  rb->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) pending_response_free);
}

static void
request_builder_clear (RequestBuilder *rb)
{
  g_clear_pointer (&rb->system_parts, json_array_unref);
  g_clear_pointer (&rb->contents, json_array_unref);
  g_clear_pointer (&rb->call_ids, g_ptr_array_unref);
  g_clear_pointer (&rb->calls, g_hash_table_unref);
  g_clear_pointer (&rb->pending, g_ptr_array_unref);
}

/* Appends parts (consumed) to the last content when it has the same role,
 * because Gemini wants user and model turns to alternate. */
static void
append_content (RequestBuilder *rb,
                const char     *role,
                JsonArray      *parts)
{
  guint n = json_array_get_length (rb->contents);
  JsonObject *last = n > 0 ? json_array_get_object_element (rb->contents, n - 1) : NULL;
  JsonArray *target;
  JsonObject *content;

  if (json_array_get_length (parts) == 0)
    {
      json_array_unref (parts);
      return;
    }
  if (last != NULL && g_strcmp0 (gr_json_get_string (last, "role"), role) == 0)
    {
      target = json_object_get_array_member (last, "parts");
      for (guint i = 0; i < json_array_get_length (parts); i++)
        json_array_add_element (target, json_node_copy (json_array_get_element (parts, i)));
      json_array_unref (parts);
      return;
    }
  content = json_object_new ();
  json_object_set_string_member (content, "role", role);
  json_object_set_array_member (content, "parts", parts);
  json_array_add_object_element (rb->contents, content);
}

/* The texts of a system/assistant/tool content: a string, or an array of
 * text parts (and refusal parts for the assistant).  Borrowed strings. */
static GPtrArray *
content_texts (JsonNode    *content,
               const char  *param,
               gboolean     allow_refusal,
               GrApiError **error)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new ();
  JsonArray *array;

  if (node_is_null (content))
    return g_steal_pointer (&texts);
  if (node_get_string (content) != NULL)
    {
      g_ptr_array_add (texts, (gpointer) node_get_string (content));
      return g_steal_pointer (&texts);
    }
  if (!JSON_NODE_HOLDS_ARRAY (content))
    {
      *error = gr_api_error_invalid_request ("invalid_value", param, "%s must be a string or an array of parts", param);
      return NULL;
    }
  array = json_node_get_array (content);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *part = node_get_object (json_array_get_element (array, i));
      const char *type = gr_json_get_string (part, "type");
      const char *text = NULL;

      if (g_strcmp0 (type, "text") == 0)
        text = gr_json_get_string (part, "text");
      else if (allow_refusal && g_strcmp0 (type, "refusal") == 0)
        text = gr_json_get_string (part, "refusal");
      else
        {
          *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                                 "%s[%u]: only text parts are accepted here", param, i);
          return NULL;
        }
      if (text == NULL)
        {
          *error = gr_api_error_invalid_request ("invalid_value", param, "%s[%u] has no text", param, i);
          return NULL;
        }
      g_ptr_array_add (texts, (gpointer) text);
    }
  return g_steal_pointer (&texts);
}

static gboolean
add_system_message (RequestBuilder *rb,
                    JsonObject     *message,
                    const char     *param,
                    GrApiError    **error)
{
  g_autoptr(GPtrArray) texts = NULL;

  texts = content_texts (json_object_get_member (message, "content"), param, FALSE, error);
  if (texts == NULL)
    return FALSE;
  for (guint i = 0; i < texts->len; i++)
    if (*(const char *) texts->pdata[i] != '\0')
      json_array_add_object_element (rb->system_parts, text_part_new (texts->pdata[i]));
  return TRUE;
}

static JsonObject *
inline_data_part (const char *mime,
                  const char *data)
{
  JsonObject *part = json_object_new ();
  JsonObject *inline_data = json_object_new ();

  json_object_set_string_member (inline_data, "mimeType", mime);
  json_object_set_string_member (inline_data, "data", data);
  json_object_set_object_member (part, "inlineData", inline_data);
  return part;
}

/* data:<mime>[;param…];base64,<payload> → mime and payload (whitespace
 * stripped).  Anything else, including non-base64 data URLs, is refused. */
static gboolean
parse_data_url (const char  *url,
                char       **mime,
                char       **data)
{
  const char *comma;
  const char *semicolon;
  g_autofree char *header = NULL;
  g_autoptr(GString) payload = NULL;

  if (!g_str_has_prefix (url, "data:") || (comma = strchr (url, ',')) == NULL)
    return FALSE;
  header = g_strndup (url + 5, comma - (url + 5));
  if (!g_str_has_suffix (header, ";base64"))
    return FALSE;
  semicolon = strchr (header, ';');
  if (semicolon == header)
    return FALSE;

  payload = g_string_new (NULL);
  for (const char *p = comma + 1; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      g_string_append_c (payload, *p);
  if (!is_base64 (payload->str))
    return FALSE;

  *mime = g_ascii_strdown (header, semicolon - header);
  *data = g_string_free (g_steal_pointer (&payload), FALSE);
  return TRUE;
}

static JsonObject *
image_part (JsonObject  *part,
            const char  *param,
            GrApiError **error)
{
  JsonNode *image = json_object_get_member (part, "image_url");
  const char *url = node_get_string (image);
  g_autofree char *mime = NULL;
  g_autofree char *data = NULL;

  if (url == NULL)
    url = gr_json_get_string (node_get_object (image), "url");
  if (url == NULL)
    {
      *error = gr_api_error_invalid_request ("missing_field", param, "%s.image_url.url is required", param);
      return NULL;
    }
  if (g_str_has_prefix (url, "http://") || g_str_has_prefix (url, "https://"))
    {
      /* Gemini does not fetch web URLs, and a pure translator cannot
       * download them for it (that needs SSRF-safe I/O). */
      *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                             "%s: Gemini cannot fetch image URLs; send the image inline "
                                             "as a data URL (data:image/png;base64,...)", param);
      return NULL;
    }
  if (!parse_data_url (url, &mime, &data) || !g_str_has_prefix (mime, "image/"))
    {
      *error = gr_api_error_invalid_request ("invalid_value", param,
                                             "%s: expected a base64 image data URL (data:image/<type>;base64,...)",
                                             param);
      return NULL;
    }
  return inline_data_part (mime, data);
}

static JsonObject *
audio_part (JsonObject  *part,
            const char  *param,
            GrApiError **error)
{
  JsonObject *audio = gr_json_get_object (part, "input_audio");
  const char *data = gr_json_get_string (audio, "data");
  const char *format = gr_json_get_string (audio, "format");
  const char *mime;

  if (g_strcmp0 (format, "wav") == 0)
    mime = "audio/wav";
  else if (g_strcmp0 (format, "mp3") == 0)
    mime = "audio/mp3";
  else
    {
      *error = gr_api_error_invalid_request ("invalid_value", param,
                                             "%s.input_audio.format must be \"wav\" or \"mp3\"", param);
      return NULL;
    }
  if (data == NULL || !is_base64 (data))
    {
      *error = gr_api_error_invalid_request ("invalid_value", param,
                                             "%s.input_audio.data must be base64", param);
      return NULL;
    }
  return inline_data_part (mime, data);
}

static JsonObject *
file_part (JsonObject  *part,
           const char  *param,
           GrApiError **error)
{
  JsonObject *file = gr_json_get_object (part, "file");
  const char *file_data = gr_json_get_string (file, "file_data");
  g_autofree char *mime = NULL;
  g_autofree char *data = NULL;

  if (file_data == NULL)
    {
      /* OpenAI file ids mean nothing to Google. */
      *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                             "%s: only inline file_data is supported for Gemini", param);
      return NULL;
    }
  if (parse_data_url (file_data, &mime, &data))
    return inline_data_part (mime, data);
  /* OpenAI's chat API takes bare base64 for PDFs only. */
  if (!g_str_has_prefix (file_data, "data:") && is_base64 (file_data))
    return inline_data_part ("application/pdf", file_data);
  *error = gr_api_error_invalid_request ("invalid_value", param, "%s.file.file_data must be base64", param);
  return NULL;
}

static gboolean
add_user_part (JsonArray   *parts,
               JsonObject  *part,
               const char  *param,
               GrApiError **error)
{
  const char *type = gr_json_get_string (part, "type");
  JsonObject *translated = NULL;

  if (g_strcmp0 (type, "text") == 0)
    {
      const char *text = gr_json_get_string (part, "text");

      if (text == NULL)
        {
          *error = gr_api_error_invalid_request ("invalid_value", param, "%s has no text", param);
          return FALSE;
        }
      /* Gemini rejects empty text parts. */
      if (*text != '\0')
        json_array_add_object_element (parts, text_part_new (text));
      return TRUE;
    }
  if (g_strcmp0 (type, "image_url") == 0)
    translated = image_part (part, param, error);
  else if (g_strcmp0 (type, "input_audio") == 0)
    translated = audio_part (part, param, error);
  else if (g_strcmp0 (type, "file") == 0)
    translated = file_part (part, param, error);
  else
    *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                           "%s: content part type \"%s\" is not supported for Gemini",
                                           param, type != NULL ? type : "(none)");
  if (translated == NULL)
    return FALSE;
  json_array_add_object_element (parts, translated);
  return TRUE;
}

static gboolean
add_user_message (RequestBuilder *rb,
                  JsonObject     *message,
                  const char     *param,
                  GrApiError    **error)
{
  JsonNode *content = json_object_get_member (message, "content");
  g_autoptr(JsonArray) parts = json_array_new ();
  g_autofree char *content_param = g_strdup_printf ("%s.content", param);

  if (node_get_string (content) != NULL)
    {
      if (*node_get_string (content) != '\0')
        json_array_add_object_element (parts, text_part_new (node_get_string (content)));
    }
  else if (content != NULL && JSON_NODE_HOLDS_ARRAY (content))
    {
      JsonArray *array = json_node_get_array (content);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          g_autofree char *part_param = g_strdup_printf ("%s[%u]", content_param, i);
          JsonObject *part = node_get_object (json_array_get_element (array, i));

          if (part == NULL)
            {
              *error = gr_api_error_invalid_request ("invalid_value", part_param, "%s must be an object", part_param);
              return FALSE;
            }
          if (!add_user_part (parts, part, part_param, error))
            return FALSE;
        }
    }
  if (json_array_get_length (parts) == 0)
    {
      *error = gr_api_error_invalid_request ("invalid_value", content_param, "%s must not be empty", content_param);
      return FALSE;
    }
  append_content (rb, "user", g_steal_pointer (&parts));
  return TRUE;
}

static gboolean
is_blank (const char *text)
{
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* Gemini needs args as an object; OpenAI carries them as a JSON string
 * that the model (or the client) may have got wrong (13.11). */
static JsonNode *
parse_arguments (JsonNode    *arguments,
                 const char  *param,
                 GrApiError **error)
{
  const char *text = node_get_string (arguments);
  g_autoptr(JsonNode) parsed = NULL;
  g_autoptr(GError) local_error = NULL;
  JsonObject *wrapper;

  if (node_is_null (arguments) || (text != NULL && is_blank (text)))
    return object_node (json_object_new ());
  if (JSON_NODE_HOLDS_OBJECT (arguments))
    return json_node_copy (arguments);
  if (text == NULL)
    {
      *error = gr_api_error_invalid_request ("invalid_value", param, "%s must be a string", param);
      return NULL;
    }
  parsed = gr_json_from_string (text, &local_error);
  if (parsed == NULL)
    {
      *error = gr_api_error_invalid_request ("invalid_value", param, "%s is not valid JSON: %s",
                                             param, local_error->message);
      return NULL;
    }
  if (JSON_NODE_HOLDS_OBJECT (parsed))
    return g_steal_pointer (&parsed);
  wrapper = json_object_new ();
  json_object_set_member (wrapper, "value", g_steal_pointer (&parsed));
  return object_node (wrapper);
}

static const char *
extra_content_signature (JsonObject *tool_call)
{
  JsonObject *extra = gr_json_get_object (tool_call, "extra_content");

  return gr_json_get_string (gr_json_get_object (extra, "google"), "thought_signature");
}

static JsonObject *
function_call_part (RequestBuilder *rb,
                    JsonObject     *tool_call,
                    guint           ordinal,
                    const char     *param,
                    GrApiError    **error)
{
  JsonObject *function = gr_json_get_object (tool_call, "function");
  const char *id = gr_json_get_string (tool_call, "id");
  const char *name = gr_json_get_string (function, "name");
  const char *type = gr_json_get_string (tool_call, "type");
  g_autofree char *args_param = g_strdup_printf ("%s.function.arguments", param);
  g_autofree char *gemini_id = NULL;
  g_autofree char *signature = NULL;
  JsonNode *args;
  JsonObject *call;
  JsonObject *part;
  CallInfo *info;

  if (type != NULL && !g_str_equal (type, "function"))
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                             "%s: tool call type \"%s\" is not supported for Gemini", param, type);
      return NULL;
    }
  if (id == NULL || name == NULL)
    {
      *error = gr_api_error_invalid_request ("missing_field", param, "%s needs an id and a function name", param);
      return NULL;
    }
  if ((args = parse_arguments (json_object_get_member (function, "arguments"), args_param, error)) == NULL)
    return NULL;

  parse_call_id (id, &gemini_id, &signature);
  if (signature == NULL && extra_content_signature (tool_call) != NULL)
    signature = g_strdup (extra_content_signature (tool_call));

  call = json_object_new ();
  if (gemini_id != NULL)
    json_object_set_string_member (call, "id", gemini_id);
  json_object_set_string_member (call, "name", name);
  json_object_set_member (call, "args", args);
  part = json_object_new ();
  json_object_set_object_member (part, "functionCall", call);
  if (signature != NULL)
    json_object_set_string_member (part, "thoughtSignature", signature);

  info = g_new0 (CallInfo, 1);
  info->id = g_strdup (id);
  info->name = g_strdup (name);
  info->gemini_id = g_steal_pointer (&gemini_id);
  info->ordinal = ordinal;
  g_ptr_array_add (rb->call_ids, info->id);
  g_hash_table_replace (rb->calls, info->id, info);
  return part;
}

static gboolean
add_assistant_message (RequestBuilder *rb,
                       JsonObject     *message,
                       const char     *param,
                       GrApiError    **error)
{
  g_autofree char *content_param = g_strdup_printf ("%s.content", param);
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(JsonArray) parts = json_array_new ();
  JsonArray *tool_calls = gr_json_get_array (message, "tool_calls");

  texts = content_texts (json_object_get_member (message, "content"), content_param, TRUE, error);
  if (texts == NULL)
    return FALSE;
  for (guint i = 0; i < texts->len; i++)
    if (*(const char *) texts->pdata[i] != '\0')
      json_array_add_object_element (parts, text_part_new (texts->pdata[i]));

  for (guint i = 0; tool_calls != NULL && i < json_array_get_length (tool_calls); i++)
    {
      g_autofree char *call_param = g_strdup_printf ("%s.tool_calls[%u]", param, i);
      JsonObject *tool_call = node_get_object (json_array_get_element (tool_calls, i));
      JsonObject *part;

      if (tool_call == NULL)
        {
          *error = gr_api_error_invalid_request ("invalid_value", call_param, "%s must be an object", call_param);
          return FALSE;
        }
      if ((part = function_call_part (rb, tool_call, i, call_param, error)) == NULL)
        return FALSE;
      json_array_add_object_element (parts, part);
    }
  /* An assistant message left empty is dropped (13.10). */
  append_content (rb, "model", g_steal_pointer (&parts));
  return TRUE;
}

/* Gemini wants an object: a JSON object result is sent as is, anything
 * else under "output" (Google's guidance, 4.2). */
static JsonObject *
function_response_body (const char *text)
{
  g_autoptr(JsonNode) parsed = gr_json_from_string (text, NULL);
  JsonObject *wrapper;

  if (parsed != NULL && JSON_NODE_HOLDS_OBJECT (parsed))
    return json_object_ref (json_node_get_object (parsed));
  wrapper = json_object_new ();
  if (parsed != NULL && *text != '\0')
    json_object_set_member (wrapper, "output", g_steal_pointer (&parsed));
  else
    json_object_set_string_member (wrapper, "output", text);
  return wrapper;
}

static gboolean
add_tool_message (RequestBuilder *rb,
                  JsonObject     *message,
                  const char     *param,
                  GrApiError    **error)
{
  const char *id = gr_json_get_string (message, "tool_call_id");
  g_autofree char *id_param = g_strdup_printf ("%s.tool_call_id", param);
  g_autofree char *content_param = g_strdup_printf ("%s.content", param);
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GString) joined = g_string_new (NULL);
  CallInfo *info;
  JsonObject *response;
  PendingResponse *pending;

  if (id == NULL)
    {
      *error = gr_api_error_invalid_request ("missing_field", id_param, "%s is required", id_param);
      return FALSE;
    }
  if ((info = g_hash_table_lookup (rb->calls, id)) == NULL)
    {
      *error = gr_api_error_invalid_request ("invalid_value", id_param,
                                             "%s \"%s\" matches no earlier assistant tool call", id_param, id);
      return FALSE;
    }
  texts = content_texts (json_object_get_member (message, "content"), content_param, FALSE, error);
  if (texts == NULL)
    return FALSE;
  for (guint i = 0; i < texts->len; i++)
    g_string_append (joined, texts->pdata[i]);

  response = json_object_new ();
  if (info->gemini_id != NULL)
    json_object_set_string_member (response, "id", info->gemini_id);
  json_object_set_string_member (response, "name", info->name);
  json_object_set_object_member (response, "response", function_response_body (joined->str));

  pending = g_new0 (PendingResponse, 1);
  pending->ordinal = info->ordinal;
  pending->arrival = rb->pending->len;
  pending->part = json_object_new ();
  json_object_set_object_member (pending->part, "functionResponse", response);
  g_ptr_array_add (rb->pending, pending);
  info->answered = TRUE;
  return TRUE;
}

static int
compare_pending (gconstpointer a,
                 gconstpointer b)
{
  const PendingResponse *pa = *(PendingResponse * const *) a;
  const PendingResponse *pb = *(PendingResponse * const *) b;

  if (pa->ordinal != pb->ordinal)
    return pa->ordinal < pb->ordinal ? -1 : 1;
  return pa->arrival < pb->arrival ? -1 : (pa->arrival > pb->arrival);
}

/* A run of tool messages becomes one user content whose functionResponse
 * parts follow the order of the calls: Gemini pairs them by name and
 * position, so two calls to the same function must not swap answers. */
static void
flush_tool_responses (RequestBuilder *rb)
{
  JsonArray *parts;

  if (rb->pending->len == 0)
    return;
  g_ptr_array_sort (rb->pending, compare_pending);
  parts = json_array_new ();
  for (guint i = 0; i < rb->pending->len; i++)
    {
      PendingResponse *pending = rb->pending->pdata[i];

      json_array_add_object_element (parts, g_steal_pointer (&pending->part));
    }
  g_ptr_array_set_size (rb->pending, 0);
  append_content (rb, "user", parts);
}

static gboolean
add_message (RequestBuilder *rb,
             JsonObject     *message,
             guint           index,
             GrApiError    **error)
{
  g_autofree char *param = g_strdup_printf ("messages[%u]", index);
  const char *role = gr_json_get_string (message, "role");

  if (role == NULL)
    {
      *error = gr_api_error_invalid_request ("missing_field", param, "%s.role is required", param);
      return FALSE;
    }
  if (!g_str_equal (role, "tool"))
    flush_tool_responses (rb);

  if (g_str_equal (role, "system") || g_str_equal (role, "developer"))
    return add_system_message (rb, message, param, error);
  if (g_str_equal (role, "user"))
    return add_user_message (rb, message, param, error);
  if (g_str_equal (role, "assistant"))
    return add_assistant_message (rb, message, param, error);
  if (g_str_equal (role, "tool"))
    return add_tool_message (rb, message, param, error);

  *error = gr_api_error_invalid_request ("invalid_value", param, "%s: role \"%s\" is not supported", param, role);
  return FALSE;
}

static gboolean
check_all_calls_answered (RequestBuilder *rb,
                          GrApiError    **error)
{
  for (guint i = 0; i < rb->call_ids->len; i++)
    {
      CallInfo *info = g_hash_table_lookup (rb->calls, rb->call_ids->pdata[i]);

      if (info != NULL && !info->answered)
        {
          *error = gr_api_error_invalid_request ("invalid_value", "messages",
                                                 "assistant tool call \"%s\" has no tool message answering it",
                                                 info->id);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
content_starts_turn (JsonObject *content)
{
  JsonArray *parts = gr_json_get_array (content, "parts");

  if (g_strcmp0 (gr_json_get_string (content, "role"), "user") != 0)
    return FALSE;
  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    if (!json_object_has_member (json_array_get_object_element (parts, i), "functionResponse"))
      return TRUE;
  return FALSE;
}

static void
ensure_signature (JsonObject *content)
{
  JsonArray *parts = gr_json_get_array (content, "parts");
  JsonObject *first_call = NULL;

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonObject *part = json_array_get_object_element (parts, i);

      if (!json_object_has_member (part, "functionCall"))
        continue;
      if (json_object_has_member (part, "thoughtSignature"))
        return;
      if (first_call == NULL)
        first_call = part;
    }
  if (first_call != NULL)
    json_object_set_string_member (first_call, "thoughtSignature", DUMMY_THOUGHT_SIGNATURE);
}

/* Gemini 3 validates signatures on the model contents of the current turn,
 * which starts at the last user content holding more than function
 * responses (4.3). */
static void
add_dummy_signatures (JsonArray *contents)
{
  guint n = json_array_get_length (contents);
  guint start = 0;

  for (guint i = n; i > 0; i--)
    if (content_starts_turn (json_array_get_object_element (contents, i - 1)))
      {
        start = i - 1;
        break;
      }
  for (guint i = start; i < n; i++)
    {
      JsonObject *content = json_array_get_object_element (contents, i);

      if (g_strcmp0 (gr_json_get_string (content, "role"), "model") == 0)
        ensure_signature (content);
    }
}

static void
prepend_user_turn (RequestBuilder *rb)
{
  JsonObject *opening = json_object_new ();
  JsonArray *parts = json_array_new ();
  JsonArray *contents = json_array_new ();

  json_array_add_object_element (parts, text_part_new (CONTINUATION_TEXT));
  json_object_set_string_member (opening, "role", "user");
  json_object_set_array_member (opening, "parts", parts);
  json_array_add_object_element (contents, opening);
  /* json-glib arrays have no insert, so the array is rebuilt. */
  for (guint i = 0; i < json_array_get_length (rb->contents); i++)
    json_array_add_element (contents, json_node_copy (json_array_get_element (rb->contents, i)));
  json_array_unref (rb->contents);
  rb->contents = contents;
}

static gboolean
translate_messages (RequestBuilder *rb,
                    JsonObject     *request,
                    const char     *model,
                    GrApiError    **error)
{
  JsonArray *messages = gr_json_get_array (request, "messages");
  JsonObject *first;

  if (messages == NULL || json_array_get_length (messages) == 0)
    {
      *error = gr_api_error_invalid_request ("missing_field", "messages", "messages must be a non-empty array");
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (messages); i++)
    {
      JsonObject *message = node_get_object (json_array_get_element (messages, i));

      if (message == NULL)
        {
          g_autofree char *param = g_strdup_printf ("messages[%u]", i);

          *error = gr_api_error_invalid_request ("invalid_value", param, "%s must be an object", param);
          return FALSE;
        }
      if (!add_message (rb, message, i, error))
        return FALSE;
    }
  flush_tool_responses (rb);
  if (!check_all_calls_answered (rb, error))
    return FALSE;
  if (json_array_get_length (rb->contents) == 0)
    {
      *error = gr_api_error_invalid_request ("invalid_value", "messages",
                                             "Gemini needs at least one user or assistant message");
      return FALSE;
    }

  first = json_array_get_object_element (rb->contents, 0);
  if (g_strcmp0 (gr_json_get_string (first, "role"), "model") == 0)
    prepend_user_turn (rb);
  if (model_is_gemini3_or_later (model))
    add_dummy_signatures (rb->contents);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Request: tools and toolConfig                                        */
/* ------------------------------------------------------------------ */

static JsonObject *
function_declaration (JsonObject  *tool,
                      const char  *param,
                      GrApiError **error)
{
  const char *type = gr_json_get_string (tool, "type");
  JsonObject *function = gr_json_get_object (tool, "function");
  const char *name = gr_json_get_string (function, "name");
  const char *description = gr_json_get_string (function, "description");
  JsonNode *parameters = function != NULL ? json_object_get_member (function, "parameters") : NULL;
  JsonObject *declaration;

  if (g_strcmp0 (type, "function") != 0)
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", param,
                                             "%s: only function tools are supported for Gemini", param);
      return NULL;
    }
  if (name == NULL || *name == '\0')
    {
      *error = gr_api_error_invalid_request ("missing_field", param, "%s.function.name is required", param);
      return NULL;
    }
  declaration = json_object_new ();
  json_object_set_string_member (declaration, "name", name);
  if (description != NULL)
    json_object_set_string_member (declaration, "description", description);
  /* Plain JSON Schema goes through unchanged (section 9.5). */
  if (!node_is_null (parameters))
    json_object_set_member (declaration, "parametersJsonSchema", json_node_copy (parameters));
  return declaration;
}

static gboolean
declarations_have (JsonArray  *declarations,
                   const char *name)
{
  for (guint i = 0; i < json_array_get_length (declarations); i++)
    if (g_strcmp0 (gr_json_get_string (json_array_get_object_element (declarations, i), "name"), name) == 0)
      return TRUE;
  return FALSE;
}

typedef struct
{
  const char *mode;          /* NULL: no toolConfig */
  GPtrArray  *allowed;       /* names, nullable */
  gboolean    restrict_decl; /* keep only allowed declarations (allowed_tools auto) */
} ToolChoice;

static gboolean
collect_allowed_tools (JsonObject  *choice,
                       ToolChoice  *out,
                       GrApiError **error)
{
  JsonObject *allowed_tools = gr_json_get_object (choice, "allowed_tools");
  const char *mode = gr_json_get_string (allowed_tools, "mode");
  JsonArray *tools = gr_json_get_array (allowed_tools, "tools");

  if (tools == NULL || (g_strcmp0 (mode, "auto") != 0 && g_strcmp0 (mode, "required") != 0))
    {
      *error = gr_api_error_invalid_request ("invalid_value", "tool_choice",
                                             "tool_choice.allowed_tools needs mode \"auto\" or \"required\" and tools");
      return FALSE;
    }
  out->allowed = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (tools); i++)
    {
      JsonObject *tool = node_get_object (json_array_get_element (tools, i));
      const char *name = gr_json_get_string (gr_json_get_object (tool, "function"), "name");

      if (name == NULL)
        {
          *error = gr_api_error_invalid_request ("invalid_value", "tool_choice",
                                                 "tool_choice.allowed_tools.tools[%u] needs a function name", i);
          return FALSE;
        }
      g_ptr_array_add (out->allowed, (gpointer) name);
    }
  /* allowedFunctionNames only applies to mode ANY; with "auto" the
   * declarations themselves are narrowed instead. */
  out->mode = g_str_equal (mode, "required") ? "ANY" : "AUTO";
  out->restrict_decl = g_str_equal (mode, "auto");
  return TRUE;
}

static gboolean
parse_tool_choice (JsonNode    *node,
                   ToolChoice  *out,
                   GrApiError **error)
{
  const char *text = node_get_string (node);
  JsonObject *choice = node_get_object (node);
  const char *type = gr_json_get_string (choice, "type");
  const char *name;

  if (node_is_null (node))
    return TRUE;
  if (g_strcmp0 (text, "auto") == 0)
    out->mode = "AUTO";
  else if (g_strcmp0 (text, "required") == 0)
    out->mode = "ANY";
  else if (g_strcmp0 (text, "none") == 0)
    out->mode = "NONE";
  else if (g_strcmp0 (type, "function") == 0
           && (name = gr_json_get_string (gr_json_get_object (choice, "function"), "name")) != NULL)
    {
      out->mode = "ANY";
      out->allowed = g_ptr_array_new ();
      g_ptr_array_add (out->allowed, (gpointer) name);
    }
  else if (g_strcmp0 (type, "allowed_tools") == 0)
    return collect_allowed_tools (choice, out, error);
  else
    {
      *error = gr_api_error_invalid_request ("invalid_value", "tool_choice",
                                             "tool_choice must be \"auto\", \"required\", \"none\", a named function "
                                             "or allowed_tools");
      return FALSE;
    }
  return TRUE;
}

static JsonArray *
restrict_declarations (JsonArray *declarations,
                       GPtrArray *allowed)
{
  JsonArray *kept = json_array_new ();

  for (guint i = 0; i < json_array_get_length (declarations); i++)
    {
      JsonObject *declaration = json_array_get_object_element (declarations, i);

      for (guint j = 0; j < allowed->len; j++)
        if (g_strcmp0 (gr_json_get_string (declaration, "name"), allowed->pdata[j]) == 0)
          {
            json_array_add_element (kept, json_node_copy (json_array_get_element (declarations, i)));
            break;
          }
    }
  return kept;
}

static JsonObject *
tool_config_object (const ToolChoice *choice)
{
  JsonObject *config = json_object_new ();
  JsonObject *calling = json_object_new ();

  json_object_set_string_member (calling, "mode", choice->mode);
  if (choice->allowed != NULL && !choice->restrict_decl)
    {
      JsonArray *names = json_array_new ();

      for (guint i = 0; i < choice->allowed->len; i++)
        json_array_add_string_element (names, choice->allowed->pdata[i]);
      json_object_set_array_member (calling, "allowedFunctionNames", names);
    }
  json_object_set_object_member (config, "functionCallingConfig", calling);
  return config;
}

static gboolean
add_tools (JsonObject  *body,
           JsonObject  *request,
           GrApiError **error)
{
  JsonArray *tools = gr_json_get_array (request, "tools");
  g_autoptr(JsonArray) declarations = json_array_new ();
  ToolChoice choice = { NULL, NULL, FALSE };
  g_autoptr(GPtrArray) allowed = NULL;
  JsonArray *wrapper;
  JsonObject *tool;

  if (json_object_has_member (request, "functions") || json_object_has_member (request, "function_call"))
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", "functions",
                                             "the deprecated functions/function_call fields are not supported; use tools");
      return FALSE;
    }
  for (guint i = 0; tools != NULL && i < json_array_get_length (tools); i++)
    {
      g_autofree char *param = g_strdup_printf ("tools[%u]", i);
      JsonObject *declaration;

      declaration = function_declaration (node_get_object (json_array_get_element (tools, i)), param, error);
      if (declaration == NULL)
        return FALSE;
      json_array_add_object_element (declarations, declaration);
    }
  if (!parse_tool_choice (json_object_get_member (request, "tool_choice"), &choice, error))
    {
      g_clear_pointer (&choice.allowed, g_ptr_array_unref);
      return FALSE;
    }
  allowed = choice.allowed;
  for (guint i = 0; allowed != NULL && i < allowed->len; i++)
    if (!declarations_have (declarations, allowed->pdata[i]))
      {
        *error = gr_api_error_invalid_request ("invalid_value", "tool_choice",
                                               "tool_choice names \"%s\", which is not among the tools",
                                               (const char *) allowed->pdata[i]);
        return FALSE;
      }
  /* Without declarations there is nothing for a calling config to govern. */
  if (json_array_get_length (declarations) == 0)
    return TRUE;

  if (choice.restrict_decl)
    {
      JsonArray *kept = restrict_declarations (declarations, allowed);

      json_array_unref (declarations);
      declarations = kept;
    }
  tool = json_object_new ();
  json_object_set_array_member (tool, "functionDeclarations", g_steal_pointer (&declarations));
  wrapper = json_array_new ();
  json_array_add_object_element (wrapper, tool);
  json_object_set_array_member (body, "tools", wrapper);
  if (choice.mode != NULL)
    json_object_set_object_member (body, "toolConfig", tool_config_object (&choice));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Request: generationConfig                                            */
/* ------------------------------------------------------------------ */

static gboolean
copy_number (JsonObject  *request,
             const char  *member,
             JsonObject  *config,
             const char  *gemini_member,
             GrApiError **error)
{
  JsonNode *node = json_object_get_member (request, member);

  if (node_is_null (node))
    return TRUE;
  if (!node_is_number (node))
    {
      *error = gr_api_error_invalid_request ("invalid_value", member, "%s must be a number", member);
      return FALSE;
    }
  json_object_set_member (config, gemini_member, json_node_copy (node));
  return TRUE;
}

static gboolean
copy_integer (JsonObject  *request,
              const char  *member,
              JsonObject  *config,
              const char  *gemini_member,
              gint64       minimum,
              GrApiError **error)
{
  JsonNode *node = json_object_get_member (request, member);
  gint64 value = 0;

  if (node_is_null (node))
    return TRUE;
  if (!node_get_integer (node, &value) || value < minimum)
    {
      *error = gr_api_error_invalid_request ("invalid_value", member,
                                             "%s must be an integer of at least %" G_GINT64_FORMAT, member, minimum);
      return FALSE;
    }
  json_object_set_int_member (config, gemini_member, value);
  return TRUE;
}

static gboolean
add_stop (JsonObject  *request,
          JsonObject  *config,
          GrApiError **error)
{
  JsonNode *stop = json_object_get_member (request, "stop");
  g_autoptr(JsonArray) sequences = json_array_new ();

  if (node_is_null (stop))
    return TRUE;
  if (node_get_string (stop) != NULL)
    json_array_add_string_element (sequences, node_get_string (stop));
  else if (JSON_NODE_HOLDS_ARRAY (stop))
    {
      JsonArray *array = json_node_get_array (stop);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *sequence = node_get_string (json_array_get_element (array, i));

          if (sequence == NULL)
            {
              *error = gr_api_error_invalid_request ("invalid_value", "stop", "stop[%u] must be a string", i);
              return FALSE;
            }
          json_array_add_string_element (sequences, sequence);
        }
    }
  else
    {
      *error = gr_api_error_invalid_request ("invalid_value", "stop", "stop must be a string or an array of strings");
      return FALSE;
    }
  if (json_array_get_length (sequences) > GEMINI_MAX_STOP)
    {
      *error = gr_api_error_invalid_request ("invalid_value", "stop", "Gemini accepts at most %d stop sequences",
                                             GEMINI_MAX_STOP);
      return FALSE;
    }
  if (json_array_get_length (sequences) > 0)
    json_object_set_array_member (config, "stopSequences", g_steal_pointer (&sequences));
  return TRUE;
}

static gboolean
add_response_format (JsonObject  *request,
                     JsonObject  *config,
                     GrApiError **error)
{
  JsonObject *format = gr_json_get_object (request, "response_format");
  const char *type = gr_json_get_string (format, "type");
  JsonNode *schema;

  if (format == NULL || g_strcmp0 (type, "text") == 0)
    return TRUE;
  if (g_strcmp0 (type, "json_object") == 0)
    {
      json_object_set_string_member (config, "responseMimeType", "application/json");
      return TRUE;
    }
  if (g_strcmp0 (type, "json_schema") != 0)
    {
      *error = gr_api_error_invalid_request ("invalid_value", "response_format.type",
                                             "response_format.type must be \"text\", \"json_object\" or \"json_schema\"");
      return FALSE;
    }
  schema = json_object_get_member (gr_json_get_object (format, "json_schema") != NULL
                                   ? gr_json_get_object (format, "json_schema") : format,
                                   "schema");
  if (schema == NULL || !JSON_NODE_HOLDS_OBJECT (schema))
    {
      *error = gr_api_error_invalid_request ("missing_field", "response_format.json_schema.schema",
                                             "response_format.json_schema.schema must be a JSON Schema object");
      return FALSE;
    }
  json_object_set_string_member (config, "responseMimeType", "application/json");
  json_object_set_member (config, "responseJsonSchema", json_node_copy (schema));
  return TRUE;
}

static const struct
{
  const char *effort;
  const char *level;   /* Gemini 3 thinkingLevel (proto enum names are upper case) */
  gint64      budget;  /* Gemini 2.5 thinkingBudget; GaiaRouter's numbers (7.3) */
} thinking_table[] = {
  /* Gemini 3 cannot switch thinking off; MINIMAL is the closest. */
  { "none", "MINIMAL", 0 },
  { "minimal", "MINIMAL", 512 },
  { "low", "LOW", 1024 },
  { "medium", "MEDIUM", 4096 },
  { "high", "HIGH", 16384 },
  /* 24576 is the largest budget both 2.5 Flash and 2.5 Pro accept. */
  { "xhigh", "HIGH", 24576 },
  { "max", "HIGH", 24576 },
};

static gboolean
add_thinking (JsonObject  *request,
              const char  *model,
              JsonObject  *config,
              GrApiError **error)
{
  JsonNode *node = json_object_get_member (request, "reasoning_effort");
  const char *effort = node_get_string (node);
  JsonObject *thinking;

  if (node_is_null (node))
    return TRUE;
  for (guint i = 0; effort != NULL && i < G_N_ELEMENTS (thinking_table); i++)
    {
      if (!g_str_equal (effort, thinking_table[i].effort))
        continue;
      /* Older models (2.0, 1.5, Gemma) have no thinking to configure. */
      if (!model_is_gemini3_or_later (model) && !model_is_gemini25 (model))
        return TRUE;
      thinking = json_object_new ();
      if (model_is_gemini3_or_later (model))
        json_object_set_string_member (thinking, "thinkingLevel", thinking_table[i].level);
      else
        json_object_set_int_member (thinking, "thinkingBudget", thinking_table[i].budget);
      json_object_set_object_member (config, "thinkingConfig", thinking);
      return TRUE;
    }
  *error = gr_api_error_invalid_request ("invalid_value", "reasoning_effort",
                                         "reasoning_effort must be none, minimal, low, medium, high, xhigh or max");
  return FALSE;
}

static gboolean
add_generation_config (JsonObject  *body,
                       JsonObject  *request,
                       const char  *model,
                       GrApiError **error)
{
  g_autoptr(JsonObject) config = json_object_new ();
  JsonNode *logprobs = json_object_get_member (request, "logprobs");
  const char *max_member = json_object_has_member (request, "max_completion_tokens")
                           && !node_is_null (json_object_get_member (request, "max_completion_tokens"))
                           ? "max_completion_tokens" : "max_tokens";

  /* Gemini could produce them, but this translator does not turn
   * logprobsResult into OpenAI's shape, so saying no beats a silent null. */
  if (logprobs != NULL && JSON_NODE_HOLDS_VALUE (logprobs) && json_node_get_boolean (logprobs))
    {
      *error = gr_api_error_invalid_request ("unsupported_parameter", "logprobs",
                                             "logprobs are not supported for Gemini models");
      return FALSE;
    }
  if (!copy_number (request, "temperature", config, "temperature", error)
      || !copy_number (request, "top_p", config, "topP", error)
      || !copy_integer (request, max_member, config, "maxOutputTokens", 1, error)
      || !add_stop (request, config, error)
      || !copy_integer (request, "n", config, "candidateCount", 1, error)
      || !copy_integer (request, "seed", config, "seed", G_MININT64, error)
      || !copy_number (request, "presence_penalty", config, "presencePenalty", error)
      || !copy_number (request, "frequency_penalty", config, "frequencyPenalty", error)
      || !add_response_format (request, config, error)
      || !add_thinking (request, model, config, error))
    return FALSE;
  if (json_object_get_size (config) > 0)
    json_object_set_object_member (body, "generationConfig", g_steal_pointer (&config));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* build_request                                                        */
/* ------------------------------------------------------------------ */

static char *
request_url (const GrProviderInfo     *provider,
             const char               *model,
             const GrTranslateContext *ctx)
{
  g_autofree char *base = g_strdup (provider->base_url != NULL && *provider->base_url != '\0'
                                    ? provider->base_url : GEMINI_DEFAULT_BASE_URL);
  g_autofree char *escaped = g_uri_escape_string (model, NULL, TRUE);
  gsize len = strlen (base);

  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  return g_strdup_printf ("%s/v1beta/models/%s:%s", base, escaped,
                          ctx->stream ? "streamGenerateContent?alt=sse" : "generateContent");
}

static JsonObject *
request_body (JsonObject  *request,
              const char  *model,
              GrApiError **error)
{
  RequestBuilder rb;
  g_autoptr(JsonObject) body = json_object_new ();
  gboolean ok;

  request_builder_init (&rb);
  ok = translate_messages (&rb, request, model, error);
  if (ok && json_array_get_length (rb.system_parts) > 0)
    {
      JsonObject *system = json_object_new ();

      json_object_set_array_member (system, "parts", json_array_ref (rb.system_parts));
      json_object_set_object_member (body, "systemInstruction", system);
    }
  if (ok)
    json_object_set_array_member (body, "contents", json_array_ref (rb.contents));
  request_builder_clear (&rb);

  if (!ok || !add_tools (body, request, error)
      || !add_generation_config (body, request, model, error))
    return NULL;
  return g_steal_pointer (&body);
}

static GrUpstreamRequest *
gemini_build_request (const GrProviderInfo     *provider,
                      JsonObject               *request,
                      const GrTranslateContext *ctx,
                      GrApiError              **error)
{
  const char *model = bare_model_name (ctx->upstream_model);
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GrUpstreamRequest) upstream = NULL;
  char *json;

  g_return_val_if_fail (provider != NULL && request != NULL && ctx != NULL, NULL);

  if (model == NULL || *model == '\0')
    {
      *error = gr_api_error_invalid_request ("missing_field", "model", "no Gemini model name to send");
      return NULL;
    }
  if ((body = request_body (request, model, error)) == NULL)
    return NULL;

  root = json_node_init_object (json_node_alloc (), body);
  json = gr_json_to_string (root);
  upstream = gr_upstream_request_new ();
  upstream->url = request_url (provider, model, ctx);
  upstream->body = g_bytes_new_take (json, strlen (json));
  gr_upstream_request_add_header (upstream, "Content-Type", "application/json");
  /* The header keeps the key out of URLs, which end up in logs (13.22). */
  if (provider->api_key != NULL && *provider->api_key != '\0')
    gr_upstream_request_add_header (upstream, "x-goog-api-key", provider->api_key);
  return g_steal_pointer (&upstream);
}

/* ------------------------------------------------------------------ */
/* Responses: shared pieces                                             */
/* ------------------------------------------------------------------ */

typedef struct
{
  const char *response_id;
  guint64     nonce;      /* stands in for a missing responseId */
  gint64      candidate;
} CallIdSeed;

static char *
random_alnum (guint len)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  GString *text = g_string_sized_new (len);

  for (guint i = 0; i < len; i++)
    g_string_append_c (text, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
  return g_string_free (text, FALSE);
}

static guint64
random_nonce (void)
{
  return ((guint64) g_random_int () << 32) | g_random_int ();
}

/* OpenAI ids start with "chatcmpl-"; Gemini's responseId follows it so a
 * completion can be traced back to Google's logs. */
static char *
completion_id (const char *response_id)
{
  g_autofree char *random = NULL;

  if (response_id != NULL && *response_id != '\0')
    return g_strconcat ("chatcmpl-", response_id, NULL);
  random = random_alnum (24);
  return g_strconcat ("chatcmpl-", random, NULL);
}

static gboolean
part_is_thought (JsonObject *part)
{
  return gr_json_get_true (part, "thought");
}

static JsonObject *
tool_call_from_part (JsonObject       *part,
                     const CallIdSeed *seed,
                     guint             ordinal)
{
  JsonObject *call = gr_json_get_object (part, "functionCall");
  JsonNode *args = json_object_get_member (call, "args");
  const char *name = gr_json_get_string (call, "name");
  const char *gemini_id = gr_json_get_string (call, "id");
  const char *signature = gr_json_get_string (part, "thoughtSignature");
  g_autofree char *id = NULL;
  JsonObject *tool_call = json_object_new ();
  JsonObject *function = json_object_new ();

  /* The id packs Gemini's id before a newline, so one holding a newline
   * could not be recovered; such ids are not echoed. */
  if (gemini_id != NULL && (*gemini_id == '\0' || strchr (gemini_id, '\n') != NULL))
    gemini_id = NULL;
  if (signature != NULL && *signature == '\0')
    signature = NULL;
  id = make_call_id (seed->response_id, seed->nonce, seed->candidate, ordinal, gemini_id, signature);

  json_object_set_string_member (function, "name", name != NULL ? name : "");
  json_object_set_string_member (function, "arguments", "{}");
  if (!node_is_null (args))
    {
      g_autofree char *arguments = gr_json_to_string (args);

      json_object_set_string_member (function, "arguments", arguments);
    }
  json_object_set_string_member (tool_call, "id", id);
  json_object_set_string_member (tool_call, "type", "function");
  json_object_set_object_member (tool_call, "function", function);
  return tool_call;
}

static const char *
map_finish_reason (const char *reason,
                   gboolean    has_calls)
{
  static const char *const filtered[] = {
    "SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII",
    "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION",
  };

  for (guint i = 0; reason != NULL && i < G_N_ELEMENTS (filtered); i++)
    if (g_str_equal (reason, filtered[i]))
      return "content_filter";
  if (g_strcmp0 (reason, "MAX_TOKENS") == 0)
    return "length";
  /* Gemini ends calls with STOP; everything else maps to stop (7.4). */
  return has_calls ? "tool_calls" : "stop";
}

static void
usage_from_gemini (GrUsage    *usage,
                   JsonObject *metadata)
{
  gint64 thoughts;

  gr_usage_init (usage);
  if (metadata == NULL)
    return;
  thoughts = gr_json_get_count (metadata, "thoughtsTokenCount");
  usage->known = TRUE;
  usage->prompt_tokens = gr_json_get_count (metadata, "promptTokenCount")
                         + gr_json_get_count (metadata, "toolUsePromptTokenCount");
  /* candidatesTokenCount excludes thoughts; OpenAI counts them in. */
  usage->completion_tokens = gr_json_get_count (metadata, "candidatesTokenCount") + thoughts;
  usage->cached_tokens = gr_json_get_count (metadata, "cachedContentTokenCount");
  usage->reasoning_tokens = thoughts;
}

/* ------------------------------------------------------------------ */
/* translate_response                                                   */
/* ------------------------------------------------------------------ */

static JsonObject *
choice_new (gint64      index,
            JsonObject *message,
            const char *finish_reason)
{
  JsonObject *choice = json_object_new ();

  json_object_set_int_member (choice, "index", index);
  json_object_set_object_member (choice, "message", message);
  json_object_set_null_member (choice, "logprobs");
  json_object_set_string_member (choice, "finish_reason", finish_reason);
  return choice;
}

static JsonObject *
choice_from_candidate (JsonObject       *candidate,
                       guint             position,
                       const CallIdSeed *base_seed)
{
  CallIdSeed seed = *base_seed;
  JsonArray *parts = gr_json_get_array (gr_json_get_object (candidate, "content"), "parts");
  g_autoptr(GString) text = g_string_new (NULL);
  g_autoptr(JsonArray) tool_calls = json_array_new ();
  JsonObject *message = json_object_new ();
  guint n_calls;

  seed.candidate = gr_json_get_int (candidate, "index", position);
  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonObject *part = node_get_object (json_array_get_element (parts, i));

      if (part == NULL || part_is_thought (part))
        continue;
      if (gr_json_get_object (part, "functionCall") != NULL)
        json_array_add_object_element (tool_calls,
                                       tool_call_from_part (part, &seed, json_array_get_length (tool_calls)));
      else if (gr_json_get_string (part, "text") != NULL)
        g_string_append (text, gr_json_get_string (part, "text"));
    }

  n_calls = json_array_get_length (tool_calls);
  json_object_set_string_member (message, "role", "assistant");
  if (text->len == 0 && n_calls > 0)
    json_object_set_null_member (message, "content");
  else
    json_object_set_string_member (message, "content", text->str);
  if (n_calls > 0)
    json_object_set_array_member (message, "tool_calls", g_steal_pointer (&tool_calls));
  json_object_set_null_member (message, "refusal");

  return choice_new (seed.candidate, message,
                     map_finish_reason (gr_json_get_string (candidate, "finishReason"), n_calls > 0));
}

/* A blocked prompt is an answer, not a failure (HTTP 200, as OpenAI's
 * filtered answers are): one empty choice with content_filter. */
static JsonObject *
blocked_choice (void)
{
  JsonObject *message = json_object_new ();

  json_object_set_string_member (message, "role", "assistant");
  json_object_set_string_member (message, "content", "");
  json_object_set_null_member (message, "refusal");
  return choice_new (0, message, "content_filter");
}

static const char *
block_reason (JsonObject *root)
{
  return gr_json_get_string (gr_json_get_object (root, "promptFeedback"), "blockReason");
}

static const char *
provider_label (const GrProviderInfo *provider)
{
  return provider != NULL && provider->name != NULL ? provider->name : "gemini";
}

static JsonNode *
gemini_translate_response (const GrProviderInfo     *provider,
                           JsonNode                 *body,
                           const GrTranslateContext *ctx,
                           GrUsage                  *usage,
                           GrApiError              **error)
{
  JsonObject *root = node_get_object (body);
  JsonArray *candidates = gr_json_get_array (root, "candidates");
  g_autoptr(JsonArray) choices = json_array_new ();
  g_autofree char *id = NULL;
  CallIdSeed seed = { NULL, 0, 0 };
  JsonObject *completion;

  if (root == NULL || json_object_has_member (root, "error"))
    {
      *error = gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                 "%s: the upstream answer is not a GenerateContentResponse",
                                 provider_label (provider));
      return NULL;
    }
  seed.response_id = gr_json_get_string (root, "responseId");
  if (seed.response_id == NULL)
    seed.nonce = random_nonce ();

  for (guint i = 0; candidates != NULL && i < json_array_get_length (candidates); i++)
    {
      JsonObject *candidate = node_get_object (json_array_get_element (candidates, i));

      if (candidate != NULL)
        json_array_add_object_element (choices, choice_from_candidate (candidate, i, &seed));
    }
  if (json_array_get_length (choices) == 0)
    {
      if (block_reason (root) == NULL)
        {
          *error = gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                     "%s: the answer has neither candidates nor a block reason",
                                     provider_label (provider));
          return NULL;
        }
      json_array_add_object_element (choices, blocked_choice ());
    }

  usage_from_gemini (usage, gr_json_get_object (root, "usageMetadata"));
  id = completion_id (seed.response_id);
  completion = json_object_new ();
  json_object_set_string_member (completion, "id", id);
  json_object_set_string_member (completion, "object", "chat.completion");
  json_object_set_int_member (completion, "created", g_get_real_time () / G_USEC_PER_SEC);
  json_object_set_string_member (completion, "model", ctx->client_model);
  json_object_set_array_member (completion, "choices", g_steal_pointer (&choices));
  /* Unknown usage stays absent rather than reported as zero (13.18). */
  if (usage->known)
    json_object_set_member (completion, "usage", gr_usage_to_openai (usage));
  return object_node (completion);
}

/* ------------------------------------------------------------------ */
/* Errors                                                               */
/* ------------------------------------------------------------------ */

/* {"error":{…}}, or [{"error":{…}}] as Gemini wraps errors outside SSE. */
static JsonObject *
gemini_error_object (JsonNode *root)
{
  JsonObject *object = node_get_object (root);

  if (root != NULL && JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) > 0)
    object = node_get_object (json_array_get_element (json_node_get_array (root), 0));
  return gr_json_get_object (object, "error");
}

static gboolean
details_have_reason (JsonArray  *details,
                     const char *reason)
{
  for (guint i = 0; details != NULL && i < json_array_get_length (details); i++)
    if (g_strcmp0 (gr_json_get_string (node_get_object (json_array_get_element (details, i)), "reason"),
                   reason) == 0)
      return TRUE;
  return FALSE;
}

/* google.rpc.RetryInfo.retryDelay is a proto Duration: "17s", "0.5s". */
static int
retry_delay_seconds (JsonArray *details)
{
  for (guint i = 0; details != NULL && i < json_array_get_length (details); i++)
    {
      JsonObject *detail = node_get_object (json_array_get_element (details, i));
      const char *delay = gr_json_get_string (detail, "retryDelay");
      char *end = NULL;
      double seconds;

      if (delay == NULL)
        continue;
      seconds = g_ascii_strtod (delay, &end);
      if (end != delay && g_str_equal (end, "s") && isfinite (seconds) && seconds > 0 && seconds < 86400)
        return (int) ceil (seconds);
    }
  return 0;
}

/* Google's messages do not echo keys, but a key must never reach a client
 * or a log, so any occurrence is masked all the same. */
static char *
scrub_key (const char *message,
           const char *api_key)
{
  GString *clean;

  if (message == NULL)
    return NULL;
  clean = g_string_new (message);
  if (api_key != NULL && strlen (api_key) >= 4)
    g_string_replace (clean, api_key, "[redacted]", 0);
  return g_string_free (clean, FALSE);
}

static GrApiError *
error_from_gemini (const char *provider_name,
                   const char *api_key,
                   int         status,
                   JsonObject *error_obj)
{
  const char *rpc_status = gr_json_get_string (error_obj, "status");
  JsonArray *details = gr_json_get_array (error_obj, "details");
  g_autofree char *message = scrub_key (gr_json_get_string (error_obj, "message"), api_key);
  g_autofree char *code = rpc_status != NULL ? g_ascii_strdown (rpc_status, -1) : NULL;
  GrApiError *api_error;
  int retry_after;

  /* Google answers a bad key with 400 INVALID_ARGUMENT; it is the
   * gateway's credential that failed, so treat it like a 401. */
  if (details_have_reason (details, "API_KEY_INVALID"))
    status = 401;
  else if (g_strcmp0 (rpc_status, "UNAVAILABLE") == 0)
    status = 503;
  else if (g_strcmp0 (rpc_status, "DEADLINE_EXCEEDED") == 0)
    status = 504;

  api_error = gr_api_error_from_upstream (provider_name, status, message, code, status == 503);
  retry_after = retry_delay_seconds (details);
  if (retry_after > 0 && (api_error->status == 429 || api_error->status == 503))
    api_error->retry_after = retry_after;
  return api_error;
}

static GrApiError *
gemini_map_error (const GrProviderInfo *provider,
                  int                   status,
                  const char           *body,
                  gsize                 body_len)
{
  g_autofree char *text = body != NULL ? g_strndup (body, body_len) : NULL;
  g_autoptr(JsonNode) root = text != NULL ? gr_json_from_string (text, NULL) : NULL;
  JsonObject *error_obj = gemini_error_object (root);

  if (error_obj == NULL)
    return gr_api_error_from_upstream (provider_label (provider), status,
                                       "the upstream error carried no Google error body", NULL, FALSE);
  return error_from_gemini (provider_label (provider), provider != NULL ? provider->api_key : NULL,
                            status, error_obj);
}

/* ------------------------------------------------------------------ */
/* Streaming                                                            */
/* ------------------------------------------------------------------ */

typedef struct
{
  gint64   index;
  guint    n_calls;
  gboolean finished;
} CandidateState;

struct _GrStreamState
{
  char       *provider_name;
  char       *api_key;       /* only to mask it in upstream messages */
  char       *client_model;
  gboolean    include_usage;
  gint64      created;
  char       *id;            /* chatcmpl-…, fixed by the first event */
  char       *response_id;
  guint64     nonce;
  GArray     *candidates;    /* CandidateState */
  gboolean    finish_seen;
  gboolean    finished;      /* [DONE] (or the error event) written */
  char       *finish_reason;
  GrApiError *error;
  GrUsage     usage;
};

static GrStreamState *
gemini_stream_new (const GrProviderInfo     *provider,
                   const GrTranslateContext *ctx)
{
  GrStreamState *state = g_new0 (GrStreamState, 1);

  state->provider_name = g_strdup (provider_label (provider));
  state->api_key = g_strdup (provider != NULL ? provider->api_key : NULL);
  state->client_model = g_strdup (ctx->client_model);
  state->include_usage = ctx->include_usage;
  state->created = g_get_real_time () / G_USEC_PER_SEC;
  state->nonce = random_nonce ();
  state->candidates = g_array_new (FALSE, TRUE, sizeof (CandidateState));
  gr_usage_init (&state->usage);
  return state;
}

static void
gemini_stream_free (GrStreamState *state)
{
  if (state == NULL)
    return;
  g_free (state->provider_name);
  g_free (state->api_key);
  g_free (state->client_model);
  g_free (state->id);
  g_free (state->response_id);
  g_array_unref (state->candidates);
  g_free (state->finish_reason);
  g_clear_pointer (&state->error, gr_api_error_free);
  g_free (state);
}

static void
emit_chunk (GrStreamState *state,
            JsonArray     *choices,
            JsonNode      *usage,
            GString       *out)
{
  JsonObject *chunk = json_object_new ();
  g_autoptr(JsonNode) node = NULL;

  json_object_set_string_member (chunk, "id", state->id);
  json_object_set_string_member (chunk, "object", "chat.completion.chunk");
  json_object_set_int_member (chunk, "created", state->created);
  json_object_set_string_member (chunk, "model", state->client_model);
  json_object_set_array_member (chunk, "choices", choices);
  /* OpenAI sends "usage": null on every chunk only when include_usage is on. */
  if (usage != NULL)
    json_object_set_member (chunk, "usage", usage);
  else if (state->include_usage)
    json_object_set_null_member (chunk, "usage");
  node = json_node_init_object (json_node_alloc (), chunk);
  json_object_unref (chunk);
  gr_sse_append_json (out, node);
}

static void
emit_delta (GrStreamState *state,
            gint64         index,
            JsonObject    *delta,
            const char    *finish_reason,
            GString       *out)
{
  JsonObject *choice = json_object_new ();
  JsonArray *choices = json_array_new ();

  json_object_set_int_member (choice, "index", index);
  json_object_set_object_member (choice, "delta", delta);
  json_object_set_null_member (choice, "logprobs");
  if (finish_reason != NULL)
    json_object_set_string_member (choice, "finish_reason", finish_reason);
  else
    json_object_set_null_member (choice, "finish_reason");
  json_array_add_object_element (choices, choice);
  emit_chunk (state, choices, NULL, out);
}

/* The state of one choice; its first sight opens it with the role chunk. */
static CandidateState *
stream_candidate (GrStreamState *state,
                  gint64         index,
                  GString       *out)
{
  CandidateState fresh = { index, 0, FALSE };
  JsonObject *delta;

  for (guint i = 0; i < state->candidates->len; i++)
    if (g_array_index (state->candidates, CandidateState, i).index == index)
      return &g_array_index (state->candidates, CandidateState, i);

  delta = json_object_new ();
  json_object_set_string_member (delta, "role", "assistant");
  json_object_set_string_member (delta, "content", "");
  emit_delta (state, index, delta, NULL, out);
  g_array_append_val (state->candidates, fresh);
  return &g_array_index (state->candidates, CandidateState, state->candidates->len - 1);
}

static void
stream_finish_candidate (GrStreamState  *state,
                         CandidateState *candidate,
                         const char     *finish_reason,
                         GString        *out)
{
  if (candidate->finished)
    return;
  candidate->finished = TRUE;
  state->finish_seen = TRUE;
  if (state->finish_reason == NULL)
    state->finish_reason = g_strdup (finish_reason);
  emit_delta (state, candidate->index, json_object_new (), finish_reason, out);
}

static void
stream_part (GrStreamState  *state,
             CandidateState *candidate,
             JsonObject     *part,
             GString        *out)
{
  CallIdSeed seed = { state->response_id, state->nonce, candidate->index };
  JsonObject *delta;
  const char *text = gr_json_get_string (part, "text");

  if (part_is_thought (part))
    return;
  if (gr_json_get_object (part, "functionCall") != NULL)
    {
      /* Gemini sends calls whole, so each is one complete delta. */
      JsonObject *tool_call = tool_call_from_part (part, &seed, candidate->n_calls);
      JsonArray *tool_calls = json_array_new ();

      json_object_set_int_member (tool_call, "index", candidate->n_calls++);
      json_array_add_object_element (tool_calls, tool_call);
      delta = json_object_new ();
      json_object_set_array_member (delta, "tool_calls", tool_calls);
      emit_delta (state, candidate->index, delta, NULL, out);
      return;
    }
  if (text != NULL && *text != '\0')
    {
      delta = json_object_new ();
      json_object_set_string_member (delta, "content", text);
      emit_delta (state, candidate->index, delta, NULL, out);
    }
}

static void
stream_candidate_event (GrStreamState *state,
                        JsonObject    *candidate_obj,
                        guint          position,
                        GString       *out)
{
  gint64 index = gr_json_get_int (candidate_obj, "index", position);
  CandidateState *candidate = stream_candidate (state, index, out);
  JsonArray *parts = gr_json_get_array (gr_json_get_object (candidate_obj, "content"), "parts");
  const char *reason = gr_json_get_string (candidate_obj, "finishReason");

  for (guint i = 0; parts != NULL && i < json_array_get_length (parts); i++)
    {
      JsonObject *part = node_get_object (json_array_get_element (parts, i));

      if (part != NULL)
        stream_part (state, candidate, part, out);
    }
  if (reason != NULL)
    stream_finish_candidate (state, candidate,
                             map_finish_reason (reason, candidate->n_calls > 0), out);
}

static void
stream_fail (GrStreamState *state,
             GrApiError    *error,
             GString       *out)
{
  g_clear_pointer (&state->error, gr_api_error_free);
  state->error = error;
  gr_sse_append_error (out, error);
  state->finished = TRUE;
}

static void
stream_adopt_ids (GrStreamState *state,
                  JsonObject    *root)
{
  const char *response_id = gr_json_get_string (root, "responseId");

  if (state->id != NULL)
    return;
  state->response_id = g_strdup (response_id);
  state->id = completion_id (response_id);
  /* With a response id the call ids are a function of the response alone,
   * exactly as translate_response makes them. */
  if (response_id != NULL)
    state->nonce = 0;
}

static void gemini_stream_end (GrStreamState *state,
                               GString       *out);

static void
gemini_stream_event (GrStreamState *state,
                     const char    *event,
                     const char    *data,
                     gsize          data_len,
                     GString       *out)
{
  g_autofree char *text = g_strndup (data, data_len);
  g_autoptr(JsonNode) node = NULL;
  JsonObject *root;
  JsonObject *error_obj;
  JsonArray *candidates;

  if (state->finished || is_blank (text))
    return;
  /* Gemini has no terminator, but a proxy in between might add one. */
  if (g_str_equal (g_strstrip (text), "[DONE]"))
    {
      gemini_stream_end (state, out);
      return;
    }
  node = gr_json_from_string (text, NULL);
  if ((root = node_get_object (node)) == NULL)
    {
      stream_fail (state, gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                            "%s: malformed stream event", state->provider_name), out);
      return;
    }
  if ((error_obj = gr_json_get_object (root, "error")) != NULL)
    {
      stream_fail (state, error_from_gemini (state->provider_name, state->api_key,
                                             (int) gr_json_get_int (error_obj, "code", 500), error_obj),
                   out);
      return;
    }

  stream_adopt_ids (state, root);
  /* Each event carries running totals; the last one is final. */
  if (gr_json_get_object (root, "usageMetadata") != NULL)
    usage_from_gemini (&state->usage, gr_json_get_object (root, "usageMetadata"));

  candidates = gr_json_get_array (root, "candidates");
  for (guint i = 0; candidates != NULL && i < json_array_get_length (candidates); i++)
    {
      JsonObject *candidate = node_get_object (json_array_get_element (candidates, i));

      if (candidate != NULL)
        stream_candidate_event (state, candidate, i, out);
    }
  if ((candidates == NULL || json_array_get_length (candidates) == 0) && block_reason (root) != NULL)
    stream_finish_candidate (state, stream_candidate (state, 0, out), "content_filter", out);
}

/* Gemini simply ends the body after the event with finishReason, so the
 * end of the body is where usage and [DONE] go; an end before any
 * finishReason means the stream broke. */
static void
gemini_stream_end (GrStreamState *state,
                   GString       *out)
{
  if (state->finished)
    return;
  if (!state->finish_seen)
    {
      stream_fail (state, gr_api_error_new (502, "upstream_error", "upstream_error", NULL,
                                            "%s: stream ended early, before a finish reason",
                                            state->provider_name), out);
      return;
    }
  if (state->include_usage && state->usage.known)
    emit_chunk (state, json_array_new (), gr_usage_to_openai (&state->usage), out);
  gr_sse_append_done (out);
  state->finished = TRUE;
}

static gboolean
gemini_stream_finished (GrStreamState *state)
{
  return state->finished;
}

static void
gemini_stream_usage (GrStreamState *state,
                     GrUsage       *usage)
{
  *usage = state->usage;
}

static const char *
gemini_stream_finish_reason (GrStreamState *state)
{
  return state->finish_reason;
}

static const GrApiError *
gemini_stream_error (GrStreamState *state)
{
  return state->error;
}

const GrProviderOps gr_provider_gemini_ops = {
  .kind = GR_PROVIDER_KIND_GEMINI,
  .build_request = gemini_build_request,
  .translate_response = gemini_translate_response,
  .map_error = gemini_map_error,
  .stream_new = gemini_stream_new,
  .stream_event = gemini_stream_event,
  .stream_end = gemini_stream_end,
  .stream_finished = gemini_stream_finished,
  .stream_usage = gemini_stream_usage,
  .stream_finish_reason = gemini_stream_finish_reason,
  .stream_error = gemini_stream_error,
  .stream_free = gemini_stream_free,
};
