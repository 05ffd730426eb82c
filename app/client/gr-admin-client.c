/* gr-admin-client.c — an asynchronous client of the GaiaRouter admin API
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every call builds one SoupMessage, sends it with
 * soup_session_send_and_read_async() and returns the parsed JSON answer
 * through a GTask; the _finish functions turn that answer into items.
 * Nothing here blocks and nothing runs on another thread: libsoup
 * completes on the caller's thread-default main context.
 */

#define G_LOG_DOMAIN "gaiarouter-client"

#include "config.h"

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "gr-admin-client.h"
#include "core/gr-json.h"
#include "gr-client-json-private.h"

/* ---- errors ----------------------------------------------------------- */

typedef struct
{
  char  *param;
  char  *code;
  guint  retry_after;
} GrAdminClientErrorPrivate;

static void
gr_admin_client_error_private_init (GrAdminClientErrorPrivate *priv)
{
  priv->param = NULL;
  priv->code = NULL;
  priv->retry_after = 0;
}

static void
gr_admin_client_error_private_copy (const GrAdminClientErrorPrivate *src,
                                    GrAdminClientErrorPrivate       *dest)
{
  dest->param = g_strdup (src->param);
  dest->code = g_strdup (src->code);
  dest->retry_after = src->retry_after;
}

static void
gr_admin_client_error_private_clear (GrAdminClientErrorPrivate *priv)
{
  g_clear_pointer (&priv->param, g_free);
  g_clear_pointer (&priv->code, g_free);
}

/* Defines gr_admin_client_error_quark() and _get_private(). */
G_DEFINE_EXTENDED_ERROR (GrAdminClientError, gr_admin_client_error)

/**
 * gr_admin_client_error_get_param:
 * @error: a #GError
 *
 * Returns: (nullable): the API's "param" of an error of
 *   %GR_ADMIN_CLIENT_ERROR, such as "name" or "limits.rpm"
 */
const char *
gr_admin_client_error_get_param (const GError *error)
{
  GrAdminClientErrorPrivate *priv;

  if (error == NULL || error->domain != GR_ADMIN_CLIENT_ERROR)
    return NULL;
  priv = gr_admin_client_error_get_private (error);
  return priv != NULL ? priv->param : NULL;
}

/**
 * gr_admin_client_error_get_code:
 * @error: a #GError
 *
 * Returns: (nullable): the API's "code", such as "not_found"
 */
const char *
gr_admin_client_error_get_code (const GError *error)
{
  GrAdminClientErrorPrivate *priv;

  if (error == NULL || error->domain != GR_ADMIN_CLIENT_ERROR)
    return NULL;
  priv = gr_admin_client_error_get_private (error);
  return priv != NULL ? priv->code : NULL;
}

guint
gr_admin_client_error_get_retry_after (const GError *error)
{
  GrAdminClientErrorPrivate *priv;

  if (error == NULL || error->domain != GR_ADMIN_CLIENT_ERROR)
    return 0;
  priv = gr_admin_client_error_get_private (error);
  return priv != NULL ? priv->retry_after : 0;
}

static GError *
api_error_new (GrAdminClientError  code,
               const char         *api_code,
               const char         *param,
               guint               retry_after,
               const char         *message)
{
  GError *error = g_error_new_literal (GR_ADMIN_CLIENT_ERROR, code, message);
  GrAdminClientErrorPrivate *priv = gr_admin_client_error_get_private (error);

  priv->param = g_strdup (param);
  priv->code = g_strdup (api_code);
  priv->retry_after = retry_after;
  return error;
}

static GrAdminClientError
code_for_status (guint status)
{
  switch (status)
    {
    case SOUP_STATUS_UNAUTHORIZED:
      return GR_ADMIN_CLIENT_ERROR_UNAUTHORIZED;
    case SOUP_STATUS_FORBIDDEN:
      return GR_ADMIN_CLIENT_ERROR_FORBIDDEN;
    case SOUP_STATUS_NOT_FOUND:
      return GR_ADMIN_CLIENT_ERROR_NOT_FOUND;
    case SOUP_STATUS_CONFLICT:
      return GR_ADMIN_CLIENT_ERROR_CONFLICT;
    case 429:  /* Too Many Requests: not named in libsoup 3.2 */
      return GR_ADMIN_CLIENT_ERROR_RATE_LIMITED;
    default:
      return status >= 500 ? GR_ADMIN_CLIENT_ERROR_SERVER : GR_ADMIN_CLIENT_ERROR_INVALID;
    }
}

/* An error answer: OpenAI-shaped {"error": {message, type, param, code}}
 * from /v1, anything else from elsewhere. */
static GError *
error_from_response (SoupMessage *msg,
                     guint        status,
                     GBytes      *bytes)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *error_obj = NULL;
  JsonNode *root = NULL;
  const char *retry = soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
  guint64 retry_after = 0;
  g_autofree char *fallback = NULL;
  gsize size = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &size) : NULL;

  if (retry != NULL && !g_ascii_string_to_unsigned (retry, 10, 0, G_MAXUINT, &retry_after, NULL))
    retry_after = 0;
  if (data != NULL && size > 0 && json_parser_load_from_data (parser, data, (gssize) size, NULL))
    root = json_parser_get_root (parser);
  if (root != NULL && JSON_NODE_HOLDS_OBJECT (root))
    error_obj = gr_client_json_object (json_node_get_object (root), "error");

  if (error_obj != NULL && gr_client_json_string (error_obj, "message") != NULL)
    return api_error_new (code_for_status (status),
                          gr_client_json_string (error_obj, "code"),
                          gr_client_json_string (error_obj, "param"),
                          (guint) retry_after,
                          gr_client_json_string (error_obj, "message"));

  if (status == SOUP_STATUS_SERVICE_UNAVAILABLE && root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
      g_strcmp0 (gr_client_json_string (json_node_get_object (root), "status"), "draining") == 0)
    return api_error_new (GR_ADMIN_CLIENT_ERROR_SERVER, "draining", NULL, (guint) retry_after,
                          _("The gateway is shutting down."));

  /* Translators: the first is an HTTP status code, the second its phrase. */
  fallback = g_strdup_printf (_("The gateway answered with HTTP status %u (%s)."),
                              status, soup_status_get_phrase (status));
  return api_error_new (code_for_status (status), NULL, NULL, (guint) retry_after, fallback);
}

/* ---- the client ------------------------------------------------------- */

struct _GrAdminClient
{
  GObject      parent_instance;

  SoupSession *session;
  char        *base_url;
  char        *api_key;
  gboolean     connected;
};

G_DEFINE_FINAL_TYPE (GrAdminClient, gr_admin_client, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_BASE_URL,
  PROP_API_KEY,
  PROP_CONNECTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_connected (GrAdminClient *self,
               gboolean       connected)
{
  connected = !!connected;
  if (self->connected == connected)
    return;
  self->connected = connected;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CONNECTED]);
}

static void
gr_admin_client_finalize (GObject *object)
{
  GrAdminClient *self = GR_ADMIN_CLIENT (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->base_url, g_free);
  if (self->api_key != NULL)
    explicit_bzero (self->api_key, strlen (self->api_key));
  g_clear_pointer (&self->api_key, g_free);
  G_OBJECT_CLASS (gr_admin_client_parent_class)->finalize (object);
}

static void
gr_admin_client_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  GrAdminClient *self = GR_ADMIN_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_CONNECTED:
      g_value_set_boolean (value, self->connected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_admin_client_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  GrAdminClient *self = GR_ADMIN_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      gr_admin_client_set_base_url (self, g_value_get_string (value));
      break;
    case PROP_API_KEY:
      gr_admin_client_set_api_key (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_admin_client_class_init (GrAdminClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_admin_client_finalize;
  object_class->get_property = gr_admin_client_get_property;
  object_class->set_property = gr_admin_client_set_property;

  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Write-only so that it never leaks through g_object_get() or a
   * property dump. */
  properties[PROP_API_KEY] =
    g_param_spec_string ("api-key", NULL, NULL, NULL,
                         G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CONNECTED] =
    g_param_spec_boolean ("connected", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gr_admin_client_init (GrAdminClient *self)
{
  self->session = soup_session_new_with_options ("timeout", 60,
                                                 "idle-timeout", 60,
                                                 "user-agent", "GaiaRouter/" PACKAGE_VERSION " ",
                                                 NULL);
}

/**
 * gr_admin_client_new:
 * @base_url: (nullable): the gateway, e.g. "http://127.0.0.1:8080"
 * @api_key: (nullable): an admin key, or the app's internal token
 *
 * Returns: (transfer full): a new #GrAdminClient
 */
GrAdminClient *
gr_admin_client_new (const char *base_url,
                     const char *api_key)
{
  return g_object_new (GR_TYPE_ADMIN_CLIENT, "base-url", base_url, "api-key", api_key, NULL);
}

const char *
gr_admin_client_get_base_url (GrAdminClient *self)
{
  g_return_val_if_fail (GR_IS_ADMIN_CLIENT (self), NULL);

  return self->base_url;
}

void
gr_admin_client_set_base_url (GrAdminClient *self,
                              const char    *base_url)
{
  g_autofree char *trimmed = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  if (base_url != NULL)
    {
      gsize len;

      trimmed = g_strstrip (g_strdup (base_url));
      len = strlen (trimmed);
      while (len > 0 && trimmed[len - 1] == '/')
        trimmed[--len] = '\0';
    }
  if (g_strcmp0 (self->base_url, trimmed) == 0)
    return;
  g_free (self->base_url);
  self->base_url = g_steal_pointer (&trimmed);
  set_connected (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BASE_URL]);
}

void
gr_admin_client_set_api_key (GrAdminClient *self,
                             const char    *api_key)
{
  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  if (self->api_key != NULL)
    explicit_bzero (self->api_key, strlen (self->api_key));
  g_free (self->api_key);
  self->api_key = api_key != NULL && *api_key != '\0' ? g_strdup (api_key) : NULL;
}

gboolean
gr_admin_client_get_connected (GrAdminClient *self)
{
  g_return_val_if_fail (GR_IS_ADMIN_CLIENT (self), FALSE);

  return self->connected;
}

/* Zone names the stats API accepts look like "Europe/Paris" or "UTC";
 * a local zone read from a file path has none, so send its offset. */
char *
gr_admin_client_dup_local_time_zone (void)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();
  const char *id = g_time_zone_get_identifier (tz);
  g_autoptr(GDateTime) now = NULL;
  gint64 offset_min;

  if (id != NULL && *id != '\0' && *id != '/' && *id != ':' &&
      g_ascii_strcasecmp (id, "localtime") != 0 && g_ascii_strcasecmp (id, "local") != 0 &&
      strstr (id, "..") == NULL && (g_ascii_isalpha (*id) || *id == '+' || *id == '-'))
    return g_strdup (id);

  now = g_date_time_new_now (tz);
  offset_min = g_date_time_get_utc_offset (now) / G_TIME_SPAN_MINUTE;
  return g_strdup_printf ("%c%02d:%02d", offset_min < 0 ? '-' : '+',
                          (int) (ABS (offset_min) / 60), (int) (ABS (offset_min) % 60));
}

/* ---- requests --------------------------------------------------------- */

static void
query_add (GString    *query,
           const char *name,
           const char *value)
{
  g_autofree char *escaped = NULL;

  if (value == NULL || *value == '\0')
    return;
  escaped = g_uri_escape_string (value, NULL, FALSE);
  g_string_append_printf (query, "%s%s=%s", query->len > 0 ? "&" : "", name, escaped);
}

static void
query_add_uint (GString    *query,
                const char *name,
                guint       value)
{
  char text[16];

  if (value == 0)
    return;
  g_snprintf (text, sizeof text, "%u", value);
  query_add (query, name, text);
}

static void
query_add_time (GString    *query,
                const char *name,
                gint64      unix_ms)
{
  g_autofree char *text = gr_client_format_time (unix_ms);

  query_add (query, name, text);
}

/* A path segment: ids come from the gateway, but escape them anyway. */
static char *
segment (const char *id)
{
  return g_uri_escape_string (id, NULL, FALSE);
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GrAdminClient *self = g_task_get_source_object (task);
  SoupMessage *msg = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = NULL;
  guint status;
  gsize size = 0;
  const char *data;

  bytes = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (bytes == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_new_error (task, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED,
                               "%s", _("The request was cancelled."));
      return;
    }
  if (bytes == NULL)
    {
      set_connected (self, FALSE);
      g_task_return_new_error (task, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_NETWORK,
                               /* Translators: %s says why, e.g. "Connection refused". */
                               _("Cannot reach the gateway: %s"), error->message);
      return;
    }
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      g_task_return_new_error (task, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED,
                               "%s", _("The request was cancelled."));
      return;
    }

  status = soup_message_get_status (msg);
  g_debug ("%s %s -> %u", soup_message_get_method (msg),
           g_uri_get_path (soup_message_get_uri (msg)), status);
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      set_connected (self, status != SOUP_STATUS_UNAUTHORIZED);
      g_task_return_error (task, error_from_response (msg, status, bytes));
      return;
    }

  set_connected (self, TRUE);
  data = g_bytes_get_data (bytes, &size);
  if (data == NULL || size == 0)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, NULL) ||
      json_parser_get_root (parser) == NULL)
    {
      g_task_return_new_error (task, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_SERVER,
                               "%s", _("The gateway sent an answer that is not JSON."));
      return;
    }
  g_task_return_pointer (task, json_node_copy (json_parser_get_root (parser)),
                         (GDestroyNotify) json_node_unref);
}

/* Sends method path?query with body (a JSON node, transfer none) and
 * completes the task with the parsed answer (a JsonNode, or NULL when
 * the answer has no body). */
static void
send_request (GrAdminClient       *self,
              const char          *method,
              const char          *path,
              GString             *query,
              JsonNode            *body,
              gboolean             authenticate,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(SoupMessage) msg = NULL;
  g_autofree char *uri = NULL;
  SoupMessageHeaders *headers;

  g_task_set_source_tag (task, source_tag);
  /* Cancellation is reported in our own domain, by send_cb(). */
  g_task_set_check_cancellable (task, FALSE);

  if (self->base_url == NULL || *self->base_url == '\0')
    {
      g_task_return_new_error (task, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_NETWORK,
                               "%s", _("No gateway address is set."));
      return;
    }
  uri = g_strconcat (self->base_url, path,
                     query != NULL && query->len > 0 ? "?" : "",
                     query != NULL ? query->str : "", NULL);
  msg = soup_message_new (method, uri);
  if (msg == NULL)
    {
      g_task_return_new_error (task, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_NETWORK,
                               _("“%s” is not a valid gateway address."), self->base_url);
      return;
    }

  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (authenticate && self->api_key != NULL)
    {
      g_autofree char *bearer = g_strconcat ("Bearer ", self->api_key, NULL);

      soup_message_headers_replace (headers, "Authorization", bearer);
      explicit_bzero (bearer, strlen (bearer));
    }
  if (body != NULL)
    {
      char *text = gr_json_to_string (body);
      g_autoptr(GBytes) bytes = g_bytes_new_take (text, strlen (text));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }

  g_task_set_task_data (task, g_object_ref (msg), g_object_unref);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, cancellable,
                                    send_cb, g_steal_pointer (&task));
}

/* Propagates the answer of a task; *node may be NULL (no body). */
static gboolean
propagate (GrAdminClient *self,
           GAsyncResult  *result,
           gpointer       source_tag,
           JsonNode     **node,
           GError       **error)
{
  GError *local_error = NULL;
  JsonNode *answer;

  g_return_val_if_fail (GR_IS_ADMIN_CLIENT (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, FALSE);

  answer = g_task_propagate_pointer (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  *node = answer;
  return TRUE;
}

static JsonObject *
answer_object (JsonNode  *node,
               GError   **error)
{
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    return json_node_get_object (node);
  g_set_error_literal (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_SERVER,
                       _("The gateway sent an answer this version of GaiaRouter cannot read."));
  return NULL;
}

typedef GObject *(*ItemFromJson) (JsonObject *object);
#define ITEM_FROM_JSON(f) ((ItemFromJson) (void (*) (void)) (f))

static gpointer
finish_item (GrAdminClient  *self,
             GAsyncResult   *result,
             gpointer        source_tag,
             ItemFromJson    from_json,
             GError        **error)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (!propagate (self, result, source_tag, &node, error))
    return NULL;
  object = answer_object (node, error);
  return object != NULL ? from_json (object) : NULL;
}

static gboolean
finish_empty (GrAdminClient  *self,
              GAsyncResult   *result,
              gpointer        source_tag,
              GError        **error)
{
  g_autoptr(JsonNode) node = NULL;

  return propagate (self, result, source_tag, &node, error);
}

/* A list answer: {"data": [...], "page", "page_size", "total"}, or a bare
 * array.  name_member: when "data" is an object of named entries (as
 * registry aliases may be), the key is put in that member. */
static GListStore *
finish_list (GrAdminClient  *self,
             GAsyncResult   *result,
             gpointer        source_tag,
             GType           item_type,
             ItemFromJson    from_json,
             const char     *name_member,
             GrPageInfo         *page,
             GError        **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GListStore) store = NULL;
  JsonObject *object = NULL;
  JsonNode *data;

  if (!propagate (self, result, source_tag, &node, error))
    return NULL;
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    data = node;
  else if ((object = answer_object (node, error)) != NULL)
    data = json_object_get_member (object, "data");
  else
    return NULL;

  store = g_list_store_new (item_type);
  if (data != NULL && JSON_NODE_HOLDS_ARRAY (data))
    {
      JsonArray *array = json_node_get_array (data);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *e = json_array_get_element (array, i);
          g_autoptr(GObject) item = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (e))
            continue;
          item = from_json (json_node_get_object (e));
          g_list_store_append (store, item);
        }
    }
  else if (data != NULL && JSON_NODE_HOLDS_OBJECT (data) && name_member != NULL)
    {
      JsonObject *map = json_node_get_object (data);
      g_autoptr(GList) names = json_object_get_members (map);

      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *e = json_object_get_member (map, l->data);
          g_autoptr(JsonObject) entry = NULL;
          g_autoptr(GObject) item = NULL;
          g_autoptr(GList) members = NULL;

          if (!JSON_NODE_HOLDS_OBJECT (e))
            continue;
          entry = json_object_new ();
          members = json_object_get_members (json_node_get_object (e));
          for (GList *m = members; m != NULL; m = m->next)
            json_object_set_member (entry, m->data,
                                    json_node_copy (json_object_get_member (json_node_get_object (e), m->data)));
          if (!json_object_has_member (entry, name_member))
            json_object_set_string_member (entry, name_member, l->data);
          item = from_json (entry);
          g_list_store_append (store, item);
        }
    }
  else
    {
      g_set_error_literal (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_SERVER,
                           _("The gateway sent an answer this version of GaiaRouter cannot read."));
      return NULL;
    }

  if (page != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

      page->page = (guint) CLAMP (gr_client_json_int (object, "page", 1), 1, G_MAXUINT);
      page->page_size = (guint) CLAMP (gr_client_json_int (object, "page_size", n), 0, G_MAXUINT);
      page->total = gr_client_json_int (object, "total", n);
    }
  return g_steal_pointer (&store);
}

/* ---- JSON bodies ------------------------------------------------------ */

static gboolean
wants (const char * const *fields,
       const char         *name)
{
  return fields == NULL || g_strv_contains (fields, name);
}

static void
add_limit (JsonBuilder *b,
           const char  *name,
           gint64       value)
{
  json_builder_set_member_name (b, name);
  if (value >= 0)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_string (JsonBuilder *b,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
add_strv (JsonBuilder        *b,
          const char         *name,
          const char * const *values)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    json_builder_add_string_value (b, values[i]);
  json_builder_end_array (b);
}

static void
add_time (JsonBuilder *b,
          const char  *name,
          gint64       unix_ms)
{
  g_autofree char *text = gr_client_format_time (unix_ms);

  add_string (b, name, text);
}

/* The limits of fields (property names) as one "limits" object, or
 * nothing when none is wanted. */
typedef struct
{
  const char *property;
  const char *member;
  gint64      value;
} LimitField;

static void
add_limits (JsonBuilder        *b,
            const char * const *fields,
            const LimitField   *limits,
            guint               n_limits)
{
  gboolean any = FALSE;

  for (guint i = 0; i < n_limits; i++)
    any |= wants (fields, limits[i].property);
  if (!any)
    return;
  json_builder_set_member_name (b, "limits");
  json_builder_begin_object (b);
  for (guint i = 0; i < n_limits; i++)
    if (wants (fields, limits[i].property))
      add_limit (b, limits[i].member, limits[i].value);
  json_builder_end_object (b);
}

static JsonNode *
organization_body (GrOrganization     *org,
                   const char * const *fields)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const LimitField limits[] = {
    { "rpm", "rpm", gr_organization_get_rpm (org) },
    { "requests-per-day", "requests_per_day", gr_organization_get_requests_per_day (org) },
    { "tokens-per-day", "tokens_per_day", gr_organization_get_tokens_per_day (org) },
    { "monthly-budget-micros", "monthly_budget_micros", gr_organization_get_monthly_budget_micros (org) },
  };

  json_builder_begin_object (b);
  if (wants (fields, "name"))
    add_string (b, "name", gr_organization_get_name (org));
  if (wants (fields, "description"))
    add_string (b, "description", gr_organization_get_description (org));
  if (wants (fields, "status") && gr_organization_get_status (org) != NULL)
    add_string (b, "status", gr_organization_get_status (org));
  add_limits (b, fields, limits, G_N_ELEMENTS (limits));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static JsonNode *
api_key_body (GrApiKey           *key,
              const char * const *fields,
              gboolean            creating)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const LimitField limits[] = {
    { "rpm", "rpm", gr_api_key_get_rpm (key) },
    { "tokens-per-day", "tokens_per_day", gr_api_key_get_tokens_per_day (key) },
    { "monthly-budget-micros", "monthly_budget_micros", gr_api_key_get_monthly_budget_micros (key) },
  };

  json_builder_begin_object (b);
  if (creating && gr_api_key_get_org_id (key) != NULL)
    add_string (b, "org_id", gr_api_key_get_org_id (key));
  if (wants (fields, "name"))
    add_string (b, "name", gr_api_key_get_name (key));
  if (wants (fields, "permissions"))
    add_strv (b, "permissions", gr_api_key_get_permissions (key));
  if (wants (fields, "allowed-models"))
    add_strv (b, "allowed_models", gr_api_key_get_allowed_models (key));
  if (wants (fields, "expires-at") && (!creating || gr_api_key_get_expires_at (key) != 0))
    add_time (b, "expires_at", gr_api_key_get_expires_at (key));
  if (wants (fields, "status") && gr_api_key_get_status (key) != NULL)
    add_string (b, "status", gr_api_key_get_status (key));
  add_limits (b, fields, limits, G_N_ELEMENTS (limits));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- health and me ---------------------------------------------------- */

void
gr_admin_client_health_async (GrAdminClient       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  send_request (self, "GET", "/health", NULL, NULL, FALSE, gr_admin_client_health_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_health_finish:
 * @version: (out) (optional): the gateway's version
 * @uptime_seconds: (out) (optional): how long it has run
 *
 * Returns: TRUE when the gateway is up and not draining
 */
gboolean
gr_admin_client_health_finish (GrAdminClient  *self,
                               GAsyncResult   *result,
                               char          **version,
                               gint64         *uptime_seconds,
                               GError        **error)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (!propagate (self, result, gr_admin_client_health_async, &node, error))
    return FALSE;
  object = answer_object (node, error);
  if (object == NULL)
    return FALSE;
  if (g_strcmp0 (gr_client_json_string (object, "status"), "ok") != 0)
    {
      g_set_error_literal (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_SERVER,
                           _("The gateway is shutting down."));
      return FALSE;
    }
  if (version != NULL)
    *version = g_strdup (gr_client_json_string (object, "version"));
  if (uptime_seconds != NULL)
    *uptime_seconds = gr_client_json_int (object, "uptime_seconds", 0);
  return TRUE;
}

void
gr_admin_client_get_me_async (GrAdminClient       *self,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_autofree char *tz = gr_admin_client_dup_local_time_zone ();

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  query_add (query, "tz", tz);
  send_request (self, "GET", "/v1/me", query, NULL, TRUE, gr_admin_client_get_me_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_get_me_finish:
 *
 * Returns: (transfer full): who the client is logged in as
 */
GrAccount *
gr_admin_client_get_me_finish (GrAdminClient  *self,
                               GAsyncResult   *result,
                               GError        **error)
{
  return finish_item (self, result, gr_admin_client_get_me_async,
                      ITEM_FROM_JSON (gr_account_new_from_json), error);
}

/* ---- organizations ---------------------------------------------------- */

static GString *
list_query (const GrListParams *params)
{
  GString *query = g_string_new (NULL);

  if (params == NULL)
    return query;
  query_add_uint (query, "page", params->page);
  query_add_uint (query, "page_size", params->page_size);
  query_add (query, "q", params->q);
  query_add (query, "sort", params->sort);
  query_add (query, "status", params->status);
  query_add (query, "org_id", params->org_id);
  return query;
}

/**
 * gr_admin_client_list_organizations_async:
 * @params: (nullable): paging, search and filters
 */
void
gr_admin_client_list_organizations_async (GrAdminClient       *self,
                                          const GrListParams  *params,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GString) query = list_query (params);

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  send_request (self, "GET", "/v1/organizations", query, NULL, TRUE,
                gr_admin_client_list_organizations_async, cancellable, callback, user_data);
}

/**
 * gr_admin_client_list_organizations_finish:
 * @page: (out caller-allocates) (optional): where the page stands
 *
 * Returns: (transfer full): a #GListStore of #GrOrganization
 */
GListStore *
gr_admin_client_list_organizations_finish (GrAdminClient  *self,
                                           GAsyncResult   *result,
                                           GrPageInfo         *page,
                                           GError        **error)
{
  return finish_list (self, result, gr_admin_client_list_organizations_async, GR_TYPE_ORGANIZATION,
                      ITEM_FROM_JSON (gr_organization_new_from_json), NULL, page, error);
}

void
gr_admin_client_get_organization_async (GrAdminClient       *self,
                                        const char          *id,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_autofree char *seg = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (id != NULL);

  seg = segment (id);
  path = g_strconcat ("/v1/organizations/", seg, NULL);
  send_request (self, "GET", path, NULL, NULL, TRUE, gr_admin_client_get_organization_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_get_organization_finish:
 *
 * Returns: (transfer full): the organization
 */
GrOrganization *
gr_admin_client_get_organization_finish (GrAdminClient  *self,
                                         GAsyncResult   *result,
                                         GError        **error)
{
  return finish_item (self, result, gr_admin_client_get_organization_async,
                      ITEM_FROM_JSON (gr_organization_new_from_json), error);
}

void
gr_admin_client_create_organization_async (GrAdminClient       *self,
                                           GrOrganization      *org,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (GR_IS_ORGANIZATION (org));

  body = organization_body (org, NULL);
  send_request (self, "POST", "/v1/organizations", NULL, body, TRUE,
                gr_admin_client_create_organization_async, cancellable, callback, user_data);
}

/**
 * gr_admin_client_create_organization_finish:
 *
 * Returns: (transfer full): the new organization, as stored
 */
GrOrganization *
gr_admin_client_create_organization_finish (GrAdminClient  *self,
                                            GAsyncResult   *result,
                                            GError        **error)
{
  return finish_item (self, result, gr_admin_client_create_organization_async,
                      ITEM_FROM_JSON (gr_organization_new_from_json), error);
}

/**
 * gr_admin_client_update_organization_async:
 * @fields: (nullable) (array zero-terminated=1): property names to send
 */
void
gr_admin_client_update_organization_async (GrAdminClient       *self,
                                           GrOrganization      *org,
                                           const char * const  *fields,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *seg = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (GR_IS_ORGANIZATION (org));
  g_return_if_fail (gr_organization_get_id (org) != NULL);

  body = organization_body (org, fields);
  seg = segment (gr_organization_get_id (org));
  path = g_strconcat ("/v1/organizations/", seg, NULL);
  send_request (self, "PATCH", path, NULL, body, TRUE, gr_admin_client_update_organization_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_update_organization_finish:
 *
 * Returns: (transfer full): the organization, as stored
 */
GrOrganization *
gr_admin_client_update_organization_finish (GrAdminClient  *self,
                                            GAsyncResult   *result,
                                            GError        **error)
{
  return finish_item (self, result, gr_admin_client_update_organization_async,
                      ITEM_FROM_JSON (gr_organization_new_from_json), error);
}

void
gr_admin_client_delete_organization_async (GrAdminClient       *self,
                                           const char          *id,
                                           gboolean             force,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_autofree char *seg = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (id != NULL);

  if (force)
    query_add (query, "force", "true");
  seg = segment (id);
  path = g_strconcat ("/v1/organizations/", seg, NULL);
  send_request (self, "DELETE", path, query, NULL, TRUE, gr_admin_client_delete_organization_async,
                cancellable, callback, user_data);
}

gboolean
gr_admin_client_delete_organization_finish (GrAdminClient  *self,
                                            GAsyncResult   *result,
                                            GError        **error)
{
  return finish_empty (self, result, gr_admin_client_delete_organization_async, error);
}

/* ---- API keys --------------------------------------------------------- */

/**
 * gr_admin_client_list_api_keys_async:
 * @params: (nullable): paging, search and filters (org_id)
 */
void
gr_admin_client_list_api_keys_async (GrAdminClient       *self,
                                     const GrListParams  *params,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GString) query = list_query (params);

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  send_request (self, "GET", "/v1/api-keys", query, NULL, TRUE, gr_admin_client_list_api_keys_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_list_api_keys_finish:
 * @page: (out caller-allocates) (optional): where the page stands
 *
 * Returns: (transfer full): a #GListStore of #GrApiKey
 */
GListStore *
gr_admin_client_list_api_keys_finish (GrAdminClient  *self,
                                      GAsyncResult   *result,
                                      GrPageInfo         *page,
                                      GError        **error)
{
  return finish_list (self, result, gr_admin_client_list_api_keys_async, GR_TYPE_API_KEY,
                      ITEM_FROM_JSON (gr_api_key_new_from_json), NULL, page, error);
}

static char *
api_key_path (const char *id,
              const char *action)
{
  g_autofree char *seg = segment (id);

  return g_strconcat ("/v1/api-keys/", seg, action ? "/" : "", action, NULL);
}

void
gr_admin_client_get_api_key_async (GrAdminClient       *self,
                                   const char          *id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (id != NULL);

  path = api_key_path (id, NULL);
  send_request (self, "GET", path, NULL, NULL, TRUE, gr_admin_client_get_api_key_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_get_api_key_finish:
 *
 * Returns: (transfer full): the key
 */
GrApiKey *
gr_admin_client_get_api_key_finish (GrAdminClient  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return finish_item (self, result, gr_admin_client_get_api_key_async,
                      ITEM_FROM_JSON (gr_api_key_new_from_json), error);
}

void
gr_admin_client_create_api_key_async (GrAdminClient       *self,
                                      GrApiKey            *key,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (GR_IS_API_KEY (key));

  body = api_key_body (key, NULL, TRUE);
  send_request (self, "POST", "/v1/api-keys", NULL, body, TRUE, gr_admin_client_create_api_key_async,
                cancellable, callback, user_data);
}

/* A key answer that carries the one-time secret. */
static GrApiKey *
finish_key_with_secret (GrAdminClient  *self,
                        GAsyncResult   *result,
                        gpointer        source_tag,
                        char          **secret,
                        GError        **error)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;

  if (!propagate (self, result, source_tag, &node, error))
    return NULL;
  object = answer_object (node, error);
  if (object == NULL)
    return NULL;
  if (gr_client_json_string (object, "key") == NULL)
    {
      g_set_error_literal (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_SERVER,
                           _("The gateway did not send the new key."));
      return NULL;
    }
  if (secret != NULL)
    *secret = g_strdup (gr_client_json_string (object, "key"));
  return gr_api_key_new_from_json (object);
}

/**
 * gr_admin_client_create_api_key_finish:
 * @secret: (out) (optional): the full key, shown once
 *
 * Returns: (transfer full): the new key
 */
GrApiKey *
gr_admin_client_create_api_key_finish (GrAdminClient  *self,
                                       GAsyncResult   *result,
                                       char          **secret,
                                       GError        **error)
{
  return finish_key_with_secret (self, result, gr_admin_client_create_api_key_async, secret, error);
}

/**
 * gr_admin_client_update_api_key_async:
 * @fields: (nullable) (array zero-terminated=1): property names to send
 */
void
gr_admin_client_update_api_key_async (GrAdminClient       *self,
                                      GrApiKey            *key,
                                      const char * const  *fields,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (GR_IS_API_KEY (key));
  g_return_if_fail (gr_api_key_get_id (key) != NULL);

  body = api_key_body (key, fields, FALSE);
  path = api_key_path (gr_api_key_get_id (key), NULL);
  send_request (self, "PATCH", path, NULL, body, TRUE, gr_admin_client_update_api_key_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_update_api_key_finish:
 *
 * Returns: (transfer full): the key, as stored
 */
GrApiKey *
gr_admin_client_update_api_key_finish (GrAdminClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  return finish_item (self, result, gr_admin_client_update_api_key_async,
                      ITEM_FROM_JSON (gr_api_key_new_from_json), error);
}

void
gr_admin_client_delete_api_key_async (GrAdminClient       *self,
                                      const char          *id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (id != NULL);

  path = api_key_path (id, NULL);
  send_request (self, "DELETE", path, NULL, NULL, TRUE, gr_admin_client_delete_api_key_async,
                cancellable, callback, user_data);
}

gboolean
gr_admin_client_delete_api_key_finish (GrAdminClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  return finish_empty (self, result, gr_admin_client_delete_api_key_async, error);
}

void
gr_admin_client_rotate_api_key_async (GrAdminClient       *self,
                                      const char          *id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (id != NULL);

  path = api_key_path (id, "rotate");
  send_request (self, "POST", path, NULL, NULL, TRUE, gr_admin_client_rotate_api_key_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_rotate_api_key_finish:
 * @secret: (out) (optional): the new full key, shown once
 *
 * Returns: (transfer full): the key with its new prefix
 */
GrApiKey *
gr_admin_client_rotate_api_key_finish (GrAdminClient  *self,
                                       GAsyncResult   *result,
                                       char          **secret,
                                       GError        **error)
{
  return finish_key_with_secret (self, result, gr_admin_client_rotate_api_key_async, secret, error);
}

/* ---- statistics ------------------------------------------------------- */

static const char *
group_by_name (GrStatsGroupBy group_by)
{
  switch (group_by)
    {
    case GR_STATS_GROUP_BY_MODEL:
      return "model";
    case GR_STATS_GROUP_BY_PROVIDER:
      return "provider";
    case GR_STATS_GROUP_BY_KEY:
      return "key";
    case GR_STATS_GROUP_BY_ORG:
      return "org";
    case GR_STATS_GROUP_BY_NONE:
    default:
      return NULL;
    }
}

/**
 * gr_admin_client_get_stats_async:
 * @id: (nullable): the organization or key
 * @tz: (nullable): an IANA zone, NULL for the local one
 * @filter_provider: (nullable): only this provider
 * @filter_model: (nullable): only this model
 */
void
gr_admin_client_get_stats_async (GrAdminClient       *self,
                                 GrStatsScope         scope,
                                 const char          *id,
                                 gint64               start,
                                 gint64               end,
                                 GrStatsGranularity   granularity,
                                 const char          *tz,
                                 GrStatsGroupBy       group_by,
                                 const char          *filter_provider,
                                 const char          *filter_model,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_autofree char *local_tz = NULL;
  g_autofree char *seg = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (scope == GR_STATS_SCOPE_GLOBAL || id != NULL);

  switch (scope)
    {
    case GR_STATS_SCOPE_ORG:
      seg = segment (id);
      path = g_strconcat ("/v1/organizations/", seg, "/stats", NULL);
      break;
    case GR_STATS_SCOPE_KEY:
      path = api_key_path (id, "stats");
      break;
    case GR_STATS_SCOPE_GLOBAL:
    default:
      path = g_strdup ("/v1/stats");
      query_add (query, "org_id", id);
      break;
    }
  if (tz == NULL)
    tz = local_tz = gr_admin_client_dup_local_time_zone ();
  query_add_time (query, "start", start);
  query_add_time (query, "end", end);
  query_add (query, "granularity", granularity == GR_STATS_GRANULARITY_DAY ? "day" : "hour");
  query_add (query, "tz", tz);
  query_add (query, "group_by", group_by_name (group_by));
  query_add (query, "provider", filter_provider);
  query_add (query, "model", filter_model);
  send_request (self, "GET", path, query, NULL, TRUE, gr_admin_client_get_stats_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_get_stats_finish:
 *
 * Returns: (transfer full): the statistics
 */
GrStatsSeries *
gr_admin_client_get_stats_finish (GrAdminClient  *self,
                                  GAsyncResult   *result,
                                  GError        **error)
{
  return finish_item (self, result, gr_admin_client_get_stats_async,
                      ITEM_FROM_JSON (gr_stats_series_new_from_json), error);
}

/**
 * gr_admin_client_get_stats_summary_async:
 * @org_id: (nullable): one organization
 * @key_id: (nullable): one key
 * @tz: (nullable): an IANA zone, NULL for the local one
 */
void
gr_admin_client_get_stats_summary_async (GrAdminClient       *self,
                                         const char          *org_id,
                                         const char          *key_id,
                                         const char          *tz,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GString) query = g_string_new (NULL);
  g_autofree char *local_tz = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  if (tz == NULL)
    tz = local_tz = gr_admin_client_dup_local_time_zone ();
  query_add (query, "org_id", org_id);
  query_add (query, "key_id", key_id);
  query_add (query, "tz", tz);
  send_request (self, "GET", "/v1/stats/summary", query, NULL, TRUE,
                gr_admin_client_get_stats_summary_async, cancellable, callback, user_data);
}

/**
 * gr_admin_client_get_stats_summary_finish:
 *
 * Returns: (transfer full): the dashboard summary
 */
GrStatsOverview *
gr_admin_client_get_stats_summary_finish (GrAdminClient  *self,
                                          GAsyncResult   *result,
                                          GError        **error)
{
  return finish_item (self, result, gr_admin_client_get_stats_summary_async,
                      ITEM_FROM_JSON (gr_stats_overview_new_from_json), error);
}

/* ---- request log ------------------------------------------------------ */

/**
 * gr_admin_client_list_logs_async:
 * @params: (nullable): paging and filters
 */
void
gr_admin_client_list_logs_async (GrAdminClient       *self,
                                 const GrLogParams   *params,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GString) query = g_string_new (NULL);

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  if (params != NULL)
    {
      query_add_uint (query, "page", params->page);
      query_add_uint (query, "page_size", params->page_size);
      query_add (query, "key_id", params->key_id);
      query_add (query, "provider", params->provider);
      query_add (query, "model", params->model);
      query_add (query, "status", params->status);
      query_add (query, "q", params->q);
      if (params->stream >= 0)
        query_add (query, "stream", params->stream ? "true" : "false");
      query_add (query, "sort", params->sort);
      query_add_time (query, "since", params->since);
      query_add_time (query, "until", params->until);
    }
  send_request (self, "GET", "/v1/logs", query, NULL, TRUE, gr_admin_client_list_logs_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_list_logs_finish:
 * @page: (out caller-allocates) (optional): where the page stands
 *
 * Returns: (transfer full): a #GListStore of #GrLogEntry
 */
GListStore *
gr_admin_client_list_logs_finish (GrAdminClient  *self,
                                  GAsyncResult   *result,
                                  GrPageInfo         *page,
                                  GError        **error)
{
  return finish_list (self, result, gr_admin_client_list_logs_async, GR_TYPE_LOG_ENTRY,
                      ITEM_FROM_JSON (gr_log_entry_new_from_json), NULL, page, error);
}

/* ---- whole lists ------------------------------------------------------ */

/* Providers, models and aliases are short lists that pages filter and
 * sort themselves: the client reads every page of the answer. */
#define LIST_ALL_PAGE_SIZE 200

typedef struct
{
  char         *path;
  GListStore   *store;
  ItemFromJson  from_json;
  guint         page;
} ListAll;

static void
list_all_free (ListAll *data)
{
  g_free (data->path);
  g_clear_object (&data->store);
  g_free (data);
}

static void list_all_next (GrAdminClient *self,
                           GTask         *task);

static void
list_all_page_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GrAdminClient *self = GR_ADMIN_CLIENT (source);
  g_autoptr(GTask) task = user_data;
  ListAll *data = g_task_get_task_data (task);
  g_autoptr(GListStore) page_items = NULL;
  g_autoptr(GError) error = NULL;
  GrPageInfo page = { 0 };
  guint n, have;

  page_items = finish_list (self, result, list_all_page_cb, g_list_model_get_item_type (G_LIST_MODEL (data->store)),
                            data->from_json, NULL, &page, &error);
  if (page_items == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (page_items));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (G_LIST_MODEL (page_items), i);

      g_list_store_append (data->store, item);
    }
  have = g_list_model_get_n_items (G_LIST_MODEL (data->store));
  if (n > 0 && (gint64) have < page.total)
    {
      data->page++;
      list_all_next (self, g_steal_pointer (&task));
      return;
    }
  g_task_return_pointer (task, g_object_ref (data->store), g_object_unref);
}

static void
list_all_next (GrAdminClient *self,
               GTask         *task)
{
  ListAll *data = g_task_get_task_data (task);
  g_autoptr(GString) query = g_string_new (NULL);

  query_add_uint (query, "page", data->page);
  query_add_uint (query, "page_size", LIST_ALL_PAGE_SIZE);
  send_request (self, "GET", data->path, query, NULL, TRUE, list_all_page_cb,
                g_task_get_cancellable (task), list_all_page_cb, task);
}

static void
list_all (GrAdminClient       *self,
          const char          *path,
          GType                item_type,
          ItemFromJson         from_json,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ListAll *data = g_new0 (ListAll, 1);

  data->path = g_strdup (path);
  data->store = g_list_store_new (item_type);
  data->from_json = from_json;
  data->page = 1;
  g_task_set_source_tag (task, source_tag);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, data, (GDestroyNotify) list_all_free);
  list_all_next (self, task);
}

static GListStore *
list_all_finish (GrAdminClient  *self,
                 GAsyncResult   *result,
                 gpointer        source_tag,
                 GError        **error)
{
  g_return_val_if_fail (GR_IS_ADMIN_CLIENT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- providers -------------------------------------------------------- */

void
gr_admin_client_list_providers_async (GrAdminClient       *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  list_all (self, "/v1/providers", GR_TYPE_PROVIDER_ITEM, ITEM_FROM_JSON (gr_provider_item_new_from_json),
            gr_admin_client_list_providers_async, cancellable, callback, user_data);
}

/**
 * gr_admin_client_list_providers_finish:
 *
 * Returns: (transfer full): a #GListStore of #GrProviderItem
 */
GListStore *
gr_admin_client_list_providers_finish (GrAdminClient  *self,
                                       GAsyncResult   *result,
                                       GError        **error)
{
  return list_all_finish (self, result, gr_admin_client_list_providers_async, error);
}

/* Seconds for the API (1 … 3600), rounding a fraction up. */
static void
add_timeout (JsonBuilder *b,
             const char  *name,
             gint64       ms)
{
  if (ms <= 0)
    return;
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, CLAMP ((ms + 999) / 1000, 1, 3600));
}

/* The gateway shows a URL's password as "••••": sending that back would
 * replace the real one. */
static void
add_url (JsonBuilder *b,
         const char  *name,
         const char  *url)
{
  if (url != NULL && strstr (url, "••••") != NULL)
    return;
  add_string (b, name, url != NULL && *url != '\0' ? url : NULL);
}

static JsonNode *
provider_body (GrProviderItem     *provider,
               const char * const *fields,
               const char         *api_key,
               gboolean            creating)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  if (creating)
    add_string (b, "name", gr_provider_item_get_name (provider));
  if (wants (fields, "kind"))
    add_string (b, "kind", gr_provider_item_get_kind (provider));
  if (wants (fields, "base-url") && (!creating || gr_provider_item_get_base_url (provider) != NULL))
    add_url (b, "base_url", gr_provider_item_get_base_url (provider));
  if (wants (fields, "proxy") && (!creating || gr_provider_item_get_proxy (provider) != NULL))
    add_url (b, "proxy", gr_provider_item_get_proxy (provider));
  if (wants (fields, "enabled"))
    {
      json_builder_set_member_name (b, "enabled");
      json_builder_add_boolean_value (b, gr_provider_item_get_enabled (provider));
    }
  if (wants (fields, "http-referer") && (!creating || gr_provider_item_get_http_referer (provider) != NULL))
    add_string (b, "http_referer", gr_provider_item_get_http_referer (provider));
  if (wants (fields, "x-title") && (!creating || gr_provider_item_get_x_title (provider) != NULL))
    add_string (b, "x_title", gr_provider_item_get_x_title (provider));
  if (wants (fields, "connect-timeout-ms"))
    add_timeout (b, "connect_timeout_seconds", gr_provider_item_get_connect_timeout_ms (provider));
  if (wants (fields, "first-byte-timeout-ms"))
    add_timeout (b, "first_byte_timeout_seconds", gr_provider_item_get_first_byte_timeout_ms (provider));
  if (wants (fields, "idle-timeout-ms"))
    add_timeout (b, "idle_timeout_seconds", gr_provider_item_get_idle_timeout_ms (provider));
  if (api_key != NULL)
    add_string (b, "api_key", *api_key != '\0' ? api_key : NULL);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/**
 * gr_admin_client_create_provider_async:
 * @api_key: (nullable): the provider's credential
 */
void
gr_admin_client_create_provider_async (GrAdminClient       *self,
                                       GrProviderItem      *provider,
                                       const char          *api_key,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (GR_IS_PROVIDER_ITEM (provider));

  body = provider_body (provider, NULL, api_key != NULL && *api_key != '\0' ? api_key : NULL, TRUE);
  send_request (self, "POST", "/v1/providers", NULL, body, TRUE, gr_admin_client_create_provider_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_create_provider_finish:
 *
 * Returns: (transfer full): the new provider
 */
GrProviderItem *
gr_admin_client_create_provider_finish (GrAdminClient  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  return finish_item (self, result, gr_admin_client_create_provider_async,
                      ITEM_FROM_JSON (gr_provider_item_new_from_json), error);
}

static char *
provider_path (const char *name,
               const char *action)
{
  g_autofree char *seg = segment (name);

  return g_strconcat ("/v1/providers/", seg, action ? "/" : "", action, NULL);
}

/**
 * gr_admin_client_update_provider_async:
 * @fields: (nullable) (array zero-terminated=1): property names to send
 * @api_key: (nullable): a new credential, "" to remove it
 */
void
gr_admin_client_update_provider_async (GrAdminClient       *self,
                                       GrProviderItem      *provider,
                                       const char * const  *fields,
                                       const char          *api_key,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (GR_IS_PROVIDER_ITEM (provider));
  g_return_if_fail (gr_provider_item_get_name (provider) != NULL);

  body = provider_body (provider, fields, api_key, FALSE);
  path = provider_path (gr_provider_item_get_name (provider), NULL);
  send_request (self, "PATCH", path, NULL, body, TRUE, gr_admin_client_update_provider_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_update_provider_finish:
 *
 * Returns: (transfer full): the provider, as now configured
 */
GrProviderItem *
gr_admin_client_update_provider_finish (GrAdminClient  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  return finish_item (self, result, gr_admin_client_update_provider_async,
                      ITEM_FROM_JSON (gr_provider_item_new_from_json), error);
}

void
gr_admin_client_delete_provider_async (GrAdminClient       *self,
                                       const char          *name,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (name != NULL);

  path = provider_path (name, NULL);
  send_request (self, "DELETE", path, NULL, NULL, TRUE, gr_admin_client_delete_provider_async,
                cancellable, callback, user_data);
}

gboolean
gr_admin_client_delete_provider_finish (GrAdminClient  *self,
                                        GAsyncResult   *result,
                                        GError        **error)
{
  return finish_empty (self, result, gr_admin_client_delete_provider_async, error);
}

void
gr_admin_client_test_provider_async (GrAdminClient       *self,
                                     const char          *name,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (name != NULL);

  path = provider_path (name, "test");
  send_request (self, "POST", path, NULL, NULL, TRUE, gr_admin_client_test_provider_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_test_provider_finish:
 * @message: (out) (optional): what happened
 * @latency_ms: (out) (optional): how long the test took
 *
 * Returns: TRUE when the provider answered with success
 */
gboolean
gr_admin_client_test_provider_finish (GrAdminClient  *self,
                                      GAsyncResult   *result,
                                      char          **message,
                                      gint64         *latency_ms,
                                      GError        **error)
{
  g_autoptr(JsonNode) node = NULL;
  JsonObject *object;
  gboolean ok;
  gint64 models;

  if (message != NULL)
    *message = NULL;
  if (!propagate (self, result, gr_admin_client_test_provider_async, &node, error))
    return FALSE;
  object = answer_object (node, error);
  if (object == NULL)
    return FALSE;
  ok = gr_client_json_bool (object, "ok", FALSE);
  models = gr_client_json_int (object, "models", -1);
  if (latency_ms != NULL)
    *latency_ms = gr_client_json_int (object, "latency_ms", 0);
  if (message != NULL)
    {
      if (!ok)
        {
          const char *said = gr_client_json_string (object, "error");

          *message = g_strdup (said != NULL ? said : _("The provider could not be reached."));
        }
      else if (models >= 0)
        *message = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "The provider answered and lists %lld model.",
                                                 "The provider answered and lists %lld models.",
                                                 (gulong) models),
                                    (long long) models);
      else
        *message = g_strdup (_("The provider answered."));
    }
  return ok;
}

/* ---- model registry --------------------------------------------------- */

void
gr_admin_client_list_models_async (GrAdminClient       *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  list_all (self, "/v1/registry/models", GR_TYPE_MODEL_ITEM, ITEM_FROM_JSON (gr_model_item_new_from_json),
            gr_admin_client_list_models_async, cancellable, callback, user_data);
}

/**
 * gr_admin_client_list_models_finish:
 *
 * Returns: (transfer full): a #GListStore of #GrModelItem
 */
GListStore *
gr_admin_client_list_models_finish (GrAdminClient  *self,
                                    GAsyncResult   *result,
                                    GError        **error)
{
  return list_all_finish (self, result, gr_admin_client_list_models_async, error);
}

static JsonNode *
model_body (GrModelItem *model,
            gboolean     creating)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  struct { const char *name; gint64 value; } ints[] = {
    { "context_length", gr_model_item_get_context_length (model) },
    { "max_output_tokens", gr_model_item_get_max_output_tokens (model) },
    { "input_per_mtok", gr_model_item_get_input_per_mtok (model) },
    { "output_per_mtok", gr_model_item_get_output_per_mtok (model) },
    { "cached_input_per_mtok", gr_model_item_get_cached_input_per_mtok (model) },
    { "cache_write_per_mtok", gr_model_item_get_cache_write_per_mtok (model) },
  };

  json_builder_begin_object (b);
  if (creating)
    add_string (b, "id", gr_model_item_get_id (model));
  add_string (b, "provider", gr_model_item_get_provider (model));
  if (gr_model_item_get_upstream (model) != NULL && *gr_model_item_get_upstream (model) != '\0')
    add_string (b, "upstream", gr_model_item_get_upstream (model));
  add_strv (b, "aliases", gr_model_item_get_aliases (model));
  for (guint i = 0; i < G_N_ELEMENTS (ints); i++)
    {
      json_builder_set_member_name (b, ints[i].name);
      json_builder_add_int_value (b, ints[i].value);
    }
  json_builder_set_member_name (b, "capabilities");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "tools");
  json_builder_add_boolean_value (b, gr_model_item_get_tools (model));
  json_builder_set_member_name (b, "vision");
  json_builder_add_boolean_value (b, gr_model_item_get_vision (model));
  json_builder_set_member_name (b, "json");
  json_builder_add_boolean_value (b, gr_model_item_get_json (model));
  json_builder_set_member_name (b, "reasoning");
  json_builder_add_boolean_value (b, gr_model_item_get_reasoning (model));
  json_builder_set_member_name (b, "sampling");
  json_builder_add_boolean_value (b, gr_model_item_get_sampling (model));
  json_builder_end_object (b);
  if (gr_model_item_get_created (model) > 0)
    {
      json_builder_set_member_name (b, "created");
      json_builder_add_int_value (b, gr_model_item_get_created (model) / 1000);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Model ids hold '/', which the API takes as is. */
static char *
registry_path (const char *kind,
               const char *name)
{
  g_autofree char *seg = g_uri_escape_string (name, "/", FALSE);

  return g_strconcat ("/v1/registry/", kind, "/", seg, NULL);
}

void
gr_admin_client_create_model_async (GrAdminClient       *self,
                                    GrModelItem         *model,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (GR_IS_MODEL_ITEM (model));

  body = model_body (model, TRUE);
  send_request (self, "POST", "/v1/registry/models", NULL, body, TRUE, gr_admin_client_create_model_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_create_model_finish:
 *
 * Returns: (transfer full): the model, as the registry has it
 */
GrModelItem *
gr_admin_client_create_model_finish (GrAdminClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return finish_item (self, result, gr_admin_client_create_model_async,
                      ITEM_FROM_JSON (gr_model_item_new_from_json), error);
}

void
gr_admin_client_update_model_async (GrAdminClient       *self,
                                    GrModelItem         *model,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (GR_IS_MODEL_ITEM (model));
  g_return_if_fail (gr_model_item_get_id (model) != NULL);

  body = model_body (model, FALSE);
  path = registry_path ("models", gr_model_item_get_id (model));
  send_request (self, "PATCH", path, NULL, body, TRUE, gr_admin_client_update_model_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_update_model_finish:
 *
 * Returns: (transfer full): the model, as the registry has it
 */
GrModelItem *
gr_admin_client_update_model_finish (GrAdminClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return finish_item (self, result, gr_admin_client_update_model_async,
                      ITEM_FROM_JSON (gr_model_item_new_from_json), error);
}

void
gr_admin_client_delete_model_async (GrAdminClient       *self,
                                    const char          *id,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (id != NULL);

  path = registry_path ("models", id);
  send_request (self, "DELETE", path, NULL, NULL, TRUE, gr_admin_client_delete_model_async,
                cancellable, callback, user_data);
}

gboolean
gr_admin_client_delete_model_finish (GrAdminClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return finish_empty (self, result, gr_admin_client_delete_model_async, error);
}

void
gr_admin_client_list_aliases_async (GrAdminClient       *self,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));

  list_all (self, "/v1/registry/aliases", GR_TYPE_ALIAS_ITEM, ITEM_FROM_JSON (gr_alias_item_new_from_json),
            gr_admin_client_list_aliases_async, cancellable, callback, user_data);
}

/**
 * gr_admin_client_list_aliases_finish:
 *
 * Returns: (transfer full): a #GListStore of #GrAliasItem
 */
GListStore *
gr_admin_client_list_aliases_finish (GrAdminClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return list_all_finish (self, result, gr_admin_client_list_aliases_async, error);
}

void
gr_admin_client_update_alias_async (GrAdminClient       *self,
                                    GrAliasItem         *alias,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;
  const guint *weights;
  guint n_weights = 0;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (GR_IS_ALIAS_ITEM (alias));
  g_return_if_fail (gr_alias_item_get_name (alias) != NULL);

  weights = gr_alias_item_get_weights (alias, &n_weights);
  json_builder_begin_object (b);
  add_string (b, "name", gr_alias_item_get_name (alias));
  if (gr_alias_item_get_strategy (alias) != NULL)
    add_string (b, "strategy", gr_alias_item_get_strategy (alias));
  add_strv (b, "targets", gr_alias_item_get_targets (alias));
  if (g_strcmp0 (gr_alias_item_get_strategy (alias), "weighted") == 0)
    {
      json_builder_set_member_name (b, "weights");
      json_builder_begin_array (b);
      for (guint i = 0; i < n_weights; i++)
        json_builder_add_int_value (b, weights[i]);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  body = json_builder_get_root (b);
  path = registry_path ("aliases", gr_alias_item_get_name (alias));
  send_request (self, "PUT", path, NULL, body, TRUE, gr_admin_client_update_alias_async,
                cancellable, callback, user_data);
}

/**
 * gr_admin_client_update_alias_finish:
 *
 * Returns: (transfer full): the alias, as the registry has it
 */
GrAliasItem *
gr_admin_client_update_alias_finish (GrAdminClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return finish_item (self, result, gr_admin_client_update_alias_async,
                      ITEM_FROM_JSON (gr_alias_item_new_from_json), error);
}

void
gr_admin_client_delete_alias_async (GrAdminClient       *self,
                                    const char          *name,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autofree char *path = NULL;

  g_return_if_fail (GR_IS_ADMIN_CLIENT (self));
  g_return_if_fail (name != NULL);

  path = registry_path ("aliases", name);
  send_request (self, "DELETE", path, NULL, NULL, TRUE, gr_admin_client_delete_alias_async,
                cancellable, callback, user_data);
}

gboolean
gr_admin_client_delete_alias_finish (GrAdminClient  *self,
                                     GAsyncResult   *result,
                                     GError        **error)
{
  return finish_empty (self, result, gr_admin_client_delete_alias_async, error);
}
