/* gr-api-providers.c — /v1/providers: the upstreams the gateway routes to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Admin keys only.  Reads answer from the running configuration, in
 * memory, on the event loop's thread.  A change is written to the store
 * by a worker thread first; back on the event loop it is applied to the
 * configuration, so the next request sees it.  Requests on every loop
 * read the configuration without a lock, so nothing they may hold is
 * changed or freed: a change publishes new lists, and the replaced ones
 * (and any replaced GrProviderConfig) go to shared->retired_providers
 * until the gateway stops.
 *
 * Provider credentials are write-only: answers carry a masked form, and no
 * answer, error or log line ever carries the key itself.
 */
#include "config.h"

#include "api/gr-admin.h"
#include "http/gr-http.h"
#include "store/gr-store-providers.h"

#define NAME_MAX_LENGTH      64
#define TEXT_MAX_LENGTH      500
#define TIMEOUT_MAX_SECONDS  3600
/* A test call is a small GET: it should not wait as long as a chat. */
#define TEST_CONNECT_TIMEOUT_MS  5000
#define TEST_RESPONSE_TIMEOUT_MS 10000
#define TEST_MAX_RESPONSE_BYTES  (4 * 1024 * 1024)
#define TEST_ERROR_MAX_CHARS     300

static const GrFieldSpec provider_fields[] = {
  { "name", GR_FIELD_STRING, FALSE, TRUE },
  { "kind", GR_FIELD_STRING, FALSE, TRUE },
  { "base_url", GR_FIELD_STRING, TRUE, FALSE },
  { "api_key", GR_FIELD_STRING, TRUE, FALSE },
  { "proxy", GR_FIELD_STRING, TRUE, FALSE },
  { "enabled", GR_FIELD_BOOL, FALSE, FALSE },
  { "http_referer", GR_FIELD_STRING, TRUE, FALSE },
  { "x_title", GR_FIELD_STRING, TRUE, FALSE },
  { "connect_timeout_seconds", GR_FIELD_INT, FALSE, FALSE },
  { "first_byte_timeout_seconds", GR_FIELD_INT, FALSE, FALSE },
  { "idle_timeout_seconds", GR_FIELD_INT, FALSE, FALSE },
  { NULL }
};

/* The kinds the API offers ("google" is only a configuration file nicety). */
static const char * const kinds[] = {
  "openai", "anthropic", "gemini", "openrouter", "openai-compatible", NULL
};

typedef void (*ApplyFunc) (GrAdminCall *call);

typedef struct
{
  char             *name;
  GrProviderConfig *values;   /* POST: the new provider; PATCH: the provider as the body makes it */
  char            **fields;   /* PATCH: the fields the body sets */
  GrListQuery       list;
  GrAdminWorkFunc   work;     /* store work, in a worker thread */
  ApplyFunc         apply;    /* then, on the gateway thread */

  /* POST /v1/providers/{id}/test */
  GrTransfer       *transfer;
  GByteArray       *body;
  char             *secret;   /* only to scrub it from upstream messages */
  int               upstream_status;
  gint64            started_us;
  gboolean          tracked;
} ProviderArgs;

static void
provider_args_free (ProviderArgs *args)
{
  g_assert (args->transfer == NULL);
  g_free (args->name);
  g_clear_pointer (&args->values, gr_provider_config_free);
  g_strfreev (args->fields);
  g_clear_pointer (&args->body, g_byte_array_unref);
  if (args->secret != NULL)
    explicit_bzero (args->secret, strlen (args->secret));
  g_free (args->secret);
  g_free (args);
}

/* ------------------------------------------------------------------ */
/* Answers                                                             */
/* ------------------------------------------------------------------ */

/* At most the first 3 and the last 4 characters, and only of a key long
 * enough that they give little away. */
static char *
mask_secret (const char *secret)
{
  glong len = g_utf8_strlen (secret, -1);
  g_autofree char *head = NULL;

  if (len < 12)
    return g_strdup ("••••");
  head = g_utf8_substring (secret, 0, 3);
  return g_strconcat (head, "…", g_utf8_offset_to_pointer (secret, len - 4), NULL);
}

/* A URL may carry a password (http://user:secret@proxy:3128): shown masked. */
static char *
redact_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;

  if (url == NULL)
    return NULL;
  uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_password (uri) == NULL)
    return g_strdup (url);
  return g_uri_join_with_user (G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED,
                               g_uri_get_scheme (uri), g_uri_get_user (uri), "••••", NULL,
                               g_uri_get_host (uri), g_uri_get_port (uri), g_uri_get_path (uri),
                               g_uri_get_query (uri), g_uri_get_fragment (uri));
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

static const GrProviderHealth *
find_health (GPtrArray  *health,
             const char *name)
{
  for (guint i = 0; health != NULL && i < health->len; i++)
    {
      const GrProviderHealth *h = g_ptr_array_index (health, i);

      if (g_str_equal (h->provider, name))
        return h;
    }
  return NULL;
}

static JsonNode *
provider_to_json (const GrProviderConfig *p,
                  GPtrArray              *health)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *masked = p->api_key != NULL && *p->api_key != '\0' ? mask_secret (p->api_key) : NULL;
  g_autofree char *base_url = redact_url (p->base_url);
  g_autofree char *proxy = redact_url (p->proxy);
  const GrProviderHealth *h = find_health (health, p->name);

  json_builder_begin_object (b);
  add_string (b, "id", p->name);
  add_string (b, "name", p->name);
  add_string (b, "kind", gr_provider_kind_to_string (p->kind));
  add_string (b, "source", p->from_store ? "api" : "config");
  json_builder_set_member_name (b, "enabled");
  json_builder_add_boolean_value (b, p->enabled);
  add_string (b, "base_url", base_url);
  add_string (b, "api_key", masked);
  json_builder_set_member_name (b, "has_api_key");
  json_builder_add_boolean_value (b, masked != NULL);
  add_string (b, "api_key_env", p->from_store ? NULL : p->api_key_env);
  add_string (b, "proxy", proxy);
  add_string (b, "http_referer", p->http_referer);
  add_string (b, "x_title", p->x_title);
  json_builder_set_member_name (b, "connect_timeout_seconds");
  json_builder_add_int_value (b, p->connect_timeout_ms / 1000);
  json_builder_set_member_name (b, "first_byte_timeout_seconds");
  json_builder_add_int_value (b, p->first_byte_timeout_ms / 1000);
  json_builder_set_member_name (b, "idle_timeout_seconds");
  json_builder_add_int_value (b, p->idle_timeout_ms / 1000);
  json_builder_set_member_name (b, "health");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "cooling_down");
  json_builder_add_boolean_value (b, h != NULL && h->cooling_down);
  json_builder_set_member_name (b, "cooldown_remaining_ms");
  json_builder_add_int_value (b, h != NULL ? h->cooldown_remaining_ms : 0);
  json_builder_set_member_name (b, "recent_failures");
  json_builder_add_int_value (b, h != NULL ? h->recent_failures : 0);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* A list entry; health: the router's cooldowns. */
static JsonNode *
provider_list_entry (gconstpointer item,
                     gpointer      health)
{
  return provider_to_json (item, health);
}

static JsonNode *
provider_answer (GrAdminCall            *call,
                 const GrProviderConfig *p)
{
  g_autoptr(GPtrArray) health = gr_router_get_cooldowns (call->shared->router);

  return provider_to_json (p, health);
}

static void
not_found (GrAdminCall *call,
           const char  *name)
{
  gr_admin_call_fail (call, 404, "invalid_request_error", "not_found", NULL, "no provider “%s”", name);
}

/* ------------------------------------------------------------------ */
/* Applying a change (gateway thread)                                  */
/* ------------------------------------------------------------------ */

/* Several event loops may serve requests at once, each reading the
 * configuration's provider list and the routing names without a lock.
 * So a change never touches what they may be reading: it builds a new
 * list, publishes it with one pointer store, and retires the old list
 * (and any replaced provider) until the gateway stops.  This lock orders
 * the writers. */
static GMutex publish_lock;

static GPtrArray *
current_providers (GrShared *shared)
{
  return g_atomic_pointer_get (&shared->config->providers);
}

static GrProviderConfig *
find_provider (GrShared   *shared,
               const char *name,
               gint       *index)
{
  GPtrArray *providers = current_providers (shared);

  for (guint i = 0; i < providers->len; i++)
    {
      GrProviderConfig *p = g_ptr_array_index (providers, i);

      if (g_str_equal (p->name, name))
        {
          if (index != NULL)
            *index = (gint) i;
          return p;
        }
    }
  return NULL;
}

/* Keeps data until the gateway stops, then frees it with destroy. */
static void
retire (GrShared       *shared,
        gpointer        data,
        GDestroyNotify  destroy)
{
  GPtrArray *holder = g_ptr_array_new_with_free_func (destroy);

  g_ptr_array_add (holder, data);
  g_ptr_array_add (shared->retired_providers, holder);
}

static GPtrArray *
copy_providers (GPtrArray *providers)
{
  GPtrArray *copy = g_ptr_array_new_full (providers->len + 1, (GDestroyNotify) gr_provider_config_free);

  for (guint i = 0; i < providers->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (providers, i));
  return copy;
}

/* Installs providers (a list from copy_providers) and the routing names
 * that go with it.  Called with publish_lock held. */
static void
publish (GrShared  *shared,
         GPtrArray *providers)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  GPtrArray *old = shared->config->providers;
  char **old_names = shared->provider_names;

  for (guint i = 0; i < providers->len; i++)
    {
      GrProviderConfig *p = g_ptr_array_index (providers, i);

      if (p->enabled)
        g_strv_builder_add (names, p->name);
    }
  g_atomic_pointer_set (&shared->config->providers, providers);
  g_atomic_pointer_set (&shared->provider_names, g_strv_builder_end (names));
  /* The providers live on in the new list; only the array goes. */
  g_ptr_array_set_free_func (old, NULL);
  retire (shared, old, (GDestroyNotify) g_ptr_array_unref);
  retire (shared, old_names, (GDestroyNotify) g_strfreev);
}

gboolean
gr_api_providers_refresh (GrShared  *shared,
                          GError   **error)
{
  GPtrArray *old, *providers;

  g_mutex_lock (&publish_lock);
  old = current_providers (shared);
  providers = g_ptr_array_new_full (old->len + 1, (GDestroyNotify) gr_provider_config_free);
  for (guint i = 0; i < old->len; i++)
    g_ptr_array_add (providers, gr_provider_config_dup (g_ptr_array_index (old, i)));
  if (!gr_store_apply_providers_to_list (shared->store, providers, error))
    {
      g_mutex_unlock (&publish_lock);
      g_ptr_array_unref (providers);
      return FALSE;
    }
  /* Requests in flight may still point at the old ones. */
  for (guint i = 0; i < old->len; i++)
    retire (shared, g_ptr_array_index (old, i), (GDestroyNotify) gr_provider_config_free);
  publish (shared, providers);
  g_mutex_unlock (&publish_lock);
  return TRUE;
}

static void
apply_create (GrAdminCall *call)
{
  ProviderArgs *args = call->data;
  GrShared *shared = call->shared;
  GrProviderConfig *p = g_steal_pointer (&args->values);
  GPtrArray *providers;

  g_mutex_lock (&publish_lock);
  /* The store refuses a second provider of one name, so nobody added it
   * meanwhile. */
  g_assert (find_provider (shared, p->name, NULL) == NULL);
  providers = copy_providers (current_providers (shared));
  g_ptr_array_add (providers, p);
  publish (shared, providers);
  g_mutex_unlock (&publish_lock);

  call->status = 201;
  call->result = provider_answer (call, p);
}

static void
apply_update (GrAdminCall *call)
{
  ProviderArgs *args = call->data;
  GrShared *shared = call->shared;
  GrProviderConfig *old, *updated;
  GPtrArray *providers;
  gint index = -1;

  g_mutex_lock (&publish_lock);
  old = find_provider (shared, args->name, &index);
  if (old == NULL)
    {
      /* Deleted while this change was being stored. */
      g_mutex_unlock (&publish_lock);
      not_found (call, args->name);
      return;
    }
  /* Only the fields this call set: a change that landed meanwhile stays. */
  updated = gr_provider_config_dup (old);
  gr_provider_config_copy_fields (updated, args->values, (const char * const *) args->fields);
  providers = copy_providers (current_providers (shared));
  providers->pdata[index] = updated;
  publish (shared, providers);
  retire (shared, old, (GDestroyNotify) gr_provider_config_free);
  g_mutex_unlock (&publish_lock);

  call->result = provider_answer (call, updated);
}

static void
apply_delete (GrAdminCall *call)
{
  ProviderArgs *args = call->data;
  GrShared *shared = call->shared;
  GrProviderConfig *old;
  GPtrArray *providers;
  gint index = -1;

  g_mutex_lock (&publish_lock);
  old = find_provider (shared, args->name, &index);
  if (old != NULL)
    {
      providers = copy_providers (current_providers (shared));
      g_ptr_array_steal_index (providers, index);
      publish (shared, providers);
      retire (shared, old, (GDestroyNotify) gr_provider_config_free);
    }
  g_mutex_unlock (&publish_lock);
  call->status = 204;
}

/* ------------------------------------------------------------------ */
/* Store work (worker threads)                                         */
/* ------------------------------------------------------------------ */

static void
create_work (GrAdminCall *call)
{
  ProviderArgs *args = call->data;
  g_autoptr(GError) error = NULL;

  if (!gr_store_create_provider (call->shared->store, args->values, &error))
    gr_admin_call_set_gerror (call, error);
}

static void
update_work (GrAdminCall *call)
{
  ProviderArgs *args = call->data;
  g_autoptr(GError) error = NULL;

  if (!gr_store_update_provider (call->shared->store, args->values,
                                 (const char * const *) args->fields, &error))
    gr_admin_call_set_gerror (call, error);
}

static void
delete_work (GrAdminCall *call)
{
  ProviderArgs *args = call->data;
  g_autoptr(GError) error = NULL;

  if (!gr_store_delete_provider (call->shared->store, args->name, &error))
    gr_admin_call_set_gerror (call, error);
}

static void
client_gone_cb (SoupServerMessage *msg,
                gpointer           user_data)
{
  GrAdminCall *call = user_data;

  call->client_gone = TRUE;
}

static void
change_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GrAdminCall *call = task_data;
  ProviderArgs *args = call->data;

  args->work (call);
  g_task_return_boolean (task, TRUE);
}

static void
change_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GrAdminCall *call = user_data;
  ProviderArgs *args = call->data;

  /* Back on the gateway thread.  The store has the change: the running
   * configuration gets it too, whether or not the client still waits. */
  if (call->error == NULL)
    args->apply (call);
  if (!call->client_gone)
    soup_server_message_unpause (call->msg);
  gr_admin_call_finish (call);
}

/* Like gr_admin_call_run(), with a step on the gateway thread between the
 * store work and the answer. */
static void
run_change (GrAdminCall     *call,
            GrAdminWorkFunc  work,
            ApplyFunc        apply)
{
  ProviderArgs *args = call->data;
  g_autoptr(GTask) task = NULL;

  args->work = work;
  args->apply = apply;
  call->started = TRUE;
  soup_server_message_pause (call->msg);
  call->finished_id = g_signal_connect (call->msg, "finished", G_CALLBACK (client_gone_cb), call);
  call->disconnected_id = g_signal_connect (call->msg, "disconnected", G_CALLBACK (client_gone_cb), call);
  /* The callback runs on the thread-default context: the gateway's. */
  task = g_task_new (NULL, NULL, change_done_cb, call);
  g_task_set_task_data (task, call, NULL);
  g_task_run_in_thread (task, change_thread);
}

/* ------------------------------------------------------------------ */
/* Reading a body                                                      */
/* ------------------------------------------------------------------ */

static gboolean
fail_value (GrAdminCall *call,
            const char  *field,
            const char  *message)
{
  gr_admin_call_fail (call, 400, "invalid_request_error", "invalid_value", field, "`%s` %s", field, message);
  return FALSE;
}

static gboolean
valid_name (const char *name)
{
  if (*name == '\0' || strlen (name) > NAME_MAX_LENGTH)
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '.' && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

/* Header values: no control characters (no header injection). */
static gboolean
valid_header_text (const char *text,
                   gboolean    spaces)
{
  if (!g_utf8_validate (text, -1, NULL) || g_utf8_strlen (text, -1) > TEXT_MAX_LENGTH)
    return FALSE;
  for (const unsigned char *c = (const unsigned char *) text; *c != '\0'; c++)
    if (*c < 0x20 || *c == 0x7f || (!spaces && *c == ' '))
      return FALSE;
  return TRUE;
}

static gboolean
valid_url (const char          *url,
           const char * const  *schemes)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
  const char *host;

  if (uri == NULL || !valid_header_text (url, FALSE))
    return FALSE;
  host = g_uri_get_host (uri);
  return g_strv_contains (schemes, g_uri_get_scheme (uri)) && host != NULL && *host != '\0';
}

/* A string member, "" read as null. */
static const char *
member_text (JsonObject *obj,
             const char *name)
{
  const char *value = gr_json_get_string (obj, name);

  return value != NULL && *value != '\0' ? value : NULL;
}

static gboolean
read_timeout (GrAdminCall *call,
              JsonObject  *obj,
              const char  *name,
              int         *slot_ms)
{
  gint64 seconds;

  if (!json_object_has_member (obj, name))
    return TRUE;
  seconds = json_object_get_int_member (obj, name);
  if (seconds < 1 || seconds > TIMEOUT_MAX_SECONDS)
    return fail_value (call, name, "must be a whole number of seconds from 1 to 3600.");
  *slot_ms = (int) seconds * 1000;
  return TRUE;
}

/* Applies the body's members to p, checking each. */
static gboolean
read_values (GrAdminCall      *call,
             JsonObject       *obj,
             GrProviderConfig *p)
{
  static const char * const web[] = { "http", "https", NULL };
  static const char * const proxies[] = { "http", "https", "socks4", "socks4a", "socks5", "socks5h", NULL };
  const char *text;

  if ((text = gr_json_get_string (obj, "kind")) != NULL)
    {
      if (!g_strv_contains (kinds, text))
        return fail_value (call, "kind", "must be “openai”, “anthropic”, “gemini”, “openrouter” "
                                         "or “openai-compatible”.");
      gr_provider_kind_from_string (text, &p->kind);
    }
  if (json_object_has_member (obj, "base_url"))
    {
      text = member_text (obj, "base_url");
      if (text != NULL && !valid_url (text, web))
        return fail_value (call, "base_url", "must be an http:// or https:// URL with a host.");
      g_free (p->base_url);
      p->base_url = g_strdup (text != NULL ? text : gr_provider_kind_default_base_url (p->kind));
      /* As the configuration file does: paths are joined to it. */
      while (g_str_has_suffix (p->base_url, "/"))
        p->base_url[strlen (p->base_url) - 1] = '\0';
    }
  if (json_object_has_member (obj, "api_key"))
    {
      text = member_text (obj, "api_key");
      /* The key goes into a header.  The message never quotes it. */
      if (text != NULL && (!valid_header_text (text, FALSE) || !g_str_is_ascii (text)))
        return fail_value (call, "api_key", "must be printable ASCII without spaces.");
      if (p->api_key != NULL)
        explicit_bzero (p->api_key, strlen (p->api_key));
      g_free (p->api_key);
      p->api_key = g_strdup (text);
    }
  if (json_object_has_member (obj, "proxy"))
    {
      text = member_text (obj, "proxy");
      if (text != NULL && !valid_url (text, proxies))
        return fail_value (call, "proxy", "must be a proxy URL (http, https, socks4, socks4a, socks5 "
                                          "or socks5h) with a host.");
      g_free (p->proxy);
      p->proxy = g_strdup (text);
    }
  if (json_object_has_member (obj, "enabled"))
    p->enabled = json_object_get_boolean_member (obj, "enabled");
  if (json_object_has_member (obj, "http_referer"))
    {
      text = member_text (obj, "http_referer");
      if (text != NULL && !valid_header_text (text, FALSE))
        return fail_value (call, "http_referer", "must be a URL without spaces or control characters.");
      g_free (p->http_referer);
      p->http_referer = g_strdup (text);
    }
  if (json_object_has_member (obj, "x_title"))
    {
      text = member_text (obj, "x_title");
      if (text != NULL && !valid_header_text (text, TRUE))
        return fail_value (call, "x_title", "must be at most 500 characters without control characters.");
      g_free (p->x_title);
      p->x_title = g_strdup (text);
    }
  return read_timeout (call, obj, "connect_timeout_seconds", &p->connect_timeout_ms) &&
         read_timeout (call, obj, "first_byte_timeout_seconds", &p->first_byte_timeout_ms) &&
         read_timeout (call, obj, "idle_timeout_seconds", &p->idle_timeout_ms);
}

static gboolean
read_create_body (GrAdminCall  *call,
                  ProviderArgs *args)
{
  JsonObject *obj;
  const char *name;
  GrProviderKind kind = GR_PROVIDER_KIND_OPENAI_COMPATIBLE;

  if (!gr_admin_call_parse_body (call))
    return FALSE;
  obj = json_node_get_object (call->body);
  if (!gr_admin_check_fields (call, obj, provider_fields, TRUE, NULL))
    return FALSE;
  name = gr_json_get_string (obj, "name");
  if (!valid_name (name))
    return fail_value (call, "name", "must be 1 to 64 letters, digits, '.', '_' or '-' "
                                     "(it is the prefix of model names: name/model).");
  if (find_provider (call->shared, name, NULL) != NULL)
    {
      gr_admin_call_fail (call, 409, "invalid_request_error", "conflict", "name",
                          "a provider named “%s” already exists", name);
      return FALSE;
    }
  gr_provider_kind_from_string (gr_json_get_string (obj, "kind"), &kind);
  args->name = g_strdup (name);
  args->values = gr_provider_config_new (name, kind, NULL);
  args->values->from_store = TRUE;
  return read_values (call, obj, args->values);
}

static gboolean
read_update_body (GrAdminCall            *call,
                  ProviderArgs           *args,
                  const GrProviderConfig *current)
{
  g_autoptr(GStrvBuilder) fields = g_strv_builder_new ();
  g_autoptr(GList) members = NULL;
  JsonObject *obj;
  const char *name;

  if (!gr_admin_call_parse_body (call))
    return FALSE;
  obj = json_node_get_object (call->body);
  if (!gr_admin_check_fields (call, obj, provider_fields, FALSE, NULL))
    return FALSE;
  name = gr_json_get_string (obj, "name");
  if (name != NULL && !g_str_equal (name, current->name))
    return fail_value (call, "name", "cannot change: a provider's name is its id.");
  args->values = gr_provider_config_dup (current);
  if (!read_values (call, obj, args->values))
    return FALSE;
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    if (gr_provider_field_is_known (l->data))
      g_strv_builder_add (fields, l->data);
  args->fields = g_strv_builder_end (fields);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Lists                                                               */
/* ------------------------------------------------------------------ */

static gboolean
contains_nocase (const char *haystack,
                 const char *needle)
{
  g_autofree char *h = NULL;
  g_autofree char *n = NULL;

  if (haystack == NULL)
    return FALSE;
  h = g_utf8_casefold (haystack, -1);
  n = g_utf8_casefold (needle, -1);
  return strstr (h, n) != NULL;
}

static gint
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  const GrProviderConfig *pa = *(const GrProviderConfig * const *) a;
  const GrProviderConfig *pb = *(const GrProviderConfig * const *) b;

  return g_ascii_strcasecmp (pa->name, pb->name);
}

static gint
compare_by_kind (gconstpointer a,
                 gconstpointer b)
{
  const GrProviderConfig *pa = *(const GrProviderConfig * const *) a;
  const GrProviderConfig *pb = *(const GrProviderConfig * const *) b;
  int c = g_strcmp0 (gr_provider_kind_to_string (pa->kind), gr_provider_kind_to_string (pb->kind));

  return c != 0 ? c : compare_by_name (a, b);
}

static void
list_providers (GrAdminCall  *call,
                ProviderArgs *args)
{
  static const char * const sorts[] = { "name", "-name", "kind", "-kind", NULL };
  GPtrArray *providers = current_providers (call->shared);
  g_autoptr(GPtrArray) matches = g_ptr_array_new ();
  g_autoptr(GPtrArray) health = NULL;
  const char *sort;

  if (!gr_admin_call_list_query (call, &args->list))
    return;
  sort = args->list.sort;
  if (sort != NULL && !g_strv_contains (sorts, sort))
    {
      fail_value (call, "sort", "must be name, kind, -name or -kind.");
      return;
    }
  for (guint i = 0; i < providers->len; i++)
    {
      GrProviderConfig *p = g_ptr_array_index (providers, i);
      const char *q = args->list.q;

      if (q == NULL || contains_nocase (p->name, q) ||
          contains_nocase (gr_provider_kind_to_string (p->kind), q) || contains_nocase (p->base_url, q))
        g_ptr_array_add (matches, p);
    }
  /* Without a sort, the configuration's order (the file's, then the API's). */
  if (sort != NULL)
    {
      g_ptr_array_sort (matches, g_str_has_suffix (sort, "kind") ? compare_by_kind : compare_by_name);
      if (sort[0] == '-')
        gr_admin_list_reverse (matches);
    }

  health = gr_router_get_cooldowns (call->shared->router);
  call->result = gr_admin_list_page_json (matches, &args->list, provider_list_entry, health);
}

/* ------------------------------------------------------------------ */
/* POST /v1/providers/{id}/test                                        */
/* ------------------------------------------------------------------ */

static GrUpstreamRequest *
build_test_request (const GrProviderConfig *p)
{
  GrUpstreamRequest *request = gr_upstream_request_new ();
  gboolean has_key = p->api_key != NULL && *p->api_key != '\0';

  switch (p->kind)
    {
    case GR_PROVIDER_KIND_ANTHROPIC:
      request->url = g_strconcat (p->base_url, "/v1/models", NULL);
      if (has_key)
        gr_upstream_request_add_header (request, "x-api-key", p->api_key);
      gr_upstream_request_add_header (request, "anthropic-version", "2023-06-01");
      break;
    case GR_PROVIDER_KIND_GEMINI:
      /* In a header, never in the URL, where it could end up in a log. */
      request->url = g_strconcat (p->base_url, "/v1beta/models", NULL);
      if (has_key)
        gr_upstream_request_add_header (request, "x-goog-api-key", p->api_key);
      break;
    case GR_PROVIDER_KIND_OPENAI:
    case GR_PROVIDER_KIND_OPENROUTER:
    case GR_PROVIDER_KIND_OPENAI_COMPATIBLE:
    default:
      request->url = g_strconcat (p->base_url, "/models", NULL);
      if (has_key)
        {
          g_autofree char *bearer = g_strconcat ("Bearer ", p->api_key, NULL);

          gr_upstream_request_add_header (request, "Authorization", bearer);
          explicit_bzero (bearer, strlen (bearer));
        }
      if (p->http_referer != NULL)
        gr_upstream_request_add_header (request, "HTTP-Referer", p->http_referer);
      if (p->x_title != NULL)
        gr_upstream_request_add_header (request, "X-Title", p->x_title);
      break;
    }
  gr_upstream_request_add_header (request, "Accept", "application/json");
  return request;
}

/* Text from upstream for the answer: valid UTF-8, short, and without the
 * credential (some upstreams quote the key they were sent). */
static char *
scrub (ProviderArgs *args,
       const char   *text,
       gssize        len)
{
  g_autofree char *valid = g_utf8_make_valid (text, len);
  g_autoptr(GString) out = g_string_new (valid);

  if (args->secret != NULL && strlen (args->secret) >= 8)
    g_string_replace (out, args->secret, "[redacted]", 0);
  if (g_utf8_strlen (out->str, -1) > TEST_ERROR_MAX_CHARS)
    {
      g_autofree char *cut = g_utf8_substring (out->str, 0, TEST_ERROR_MAX_CHARS);

      g_string_assign (out, cut);
      g_string_append (out, "…");
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The number of models a /models answer lists, or -1. */
static gint64
count_models (JsonNode *root)
{
  JsonObject *obj;
  JsonArray *list;

  if (root == NULL)
    return -1;
  if (JSON_NODE_HOLDS_ARRAY (root))
    return json_array_get_length (json_node_get_array (root));
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return -1;
  obj = json_node_get_object (root);
  /* OpenAI, OpenRouter, Anthropic and Ollama say "data"; Gemini "models". */
  list = gr_json_get_array (obj, "data");
  if (list == NULL)
    list = gr_json_get_array (obj, "models");
  return list != NULL ? (gint64) json_array_get_length (list) : -1;
}

/* The upstream's own message from an error body, if it has one. */
static const char *
upstream_message (JsonNode *root)
{
  JsonObject *obj, *error;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  if ((error = gr_json_get_object (obj, "error")) != NULL)
    return gr_json_get_string (error, "message");
  if (gr_json_get_string (obj, "error") != NULL)
    return gr_json_get_string (obj, "error");
  return gr_json_get_string (obj, "message");
}

static void
test_finish (GrAdminCall *call)
{
  ProviderArgs *args = call->data;

  if (args->tracked)
    gr_server_untrack (call->server, call);
  args->tracked = FALSE;
  if (!call->client_gone)
    soup_server_message_unpause (call->msg);
  gr_admin_call_finish (call);
}

static void
test_on_response (GrTransfer *transfer,
                  int         status,
                  gpointer    user_data)
{
  GrAdminCall *call = user_data;
  ProviderArgs *args = call->data;

  args->upstream_status = status;
}

static void
test_on_data (GrTransfer *transfer,
              const char *data,
              gsize       len,
              gpointer    user_data)
{
  GrAdminCall *call = user_data;
  ProviderArgs *args = call->data;

  g_byte_array_append (args->body, (const guint8 *) data, len);
}

static void
test_on_done (GrTransfer      *transfer,
              GrTransferResult result,
              const char      *message,
              gpointer         user_data)
{
  GrAdminCall *call = user_data;
  ProviderArgs *args = call->data;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *error = NULL;
  gint64 latency_ms = (g_get_monotonic_time () - args->started_us) / 1000;
  gboolean ok = result == GR_TRANSFER_OK && args->upstream_status >= 200 && args->upstream_status < 300;
  gint64 models = -1;

  args->transfer = NULL;
  if (args->body->len > 0)
    {
      /* json_from_string() wants a terminated string. */
      g_byte_array_append (args->body, (const guint8 *) "", 1);
      root = json_from_string ((const char *) args->body->data, NULL);
    }

  if (result != GR_TRANSFER_OK)
    {
      static const char * const what[] = {
        [GR_TRANSFER_CONNECT_FAILED] = "cannot connect",
        [GR_TRANSFER_TIMEOUT] = "timed out",
        [GR_TRANSFER_FAILED] = "the transfer failed",
        [GR_TRANSFER_TOO_LARGE] = "the answer is too large",
      };
      g_autofree char *detail = scrub (args, message ? message : "", -1);

      error = g_strdup_printf ("%s: %s", what[result], detail);
    }
  else if (!ok)
    {
      const char *said = upstream_message (root);
      g_autofree char *detail = said != NULL ? scrub (args, said, -1) : NULL;

      error = detail != NULL ? g_strdup_printf ("HTTP %d: %s", args->upstream_status, detail)
                             : g_strdup_printf ("HTTP %d", args->upstream_status);
    }
  else
    models = count_models (root);

  json_builder_begin_object (b);
  add_string (b, "provider", args->name);
  json_builder_set_member_name (b, "ok");
  json_builder_add_boolean_value (b, ok);
  json_builder_set_member_name (b, "status");
  if (args->upstream_status > 0)
    json_builder_add_int_value (b, args->upstream_status);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "latency_ms");
  json_builder_add_int_value (b, latency_ms);
  json_builder_set_member_name (b, "models");
  if (models >= 0)
    json_builder_add_int_value (b, models);
  else
    json_builder_add_null_value (b);
  add_string (b, "error", error);
  json_builder_end_object (b);
  call->result = json_builder_get_root (b);
  test_finish (call);
}

static const GrTransferCallbacks test_callbacks = {
  .on_response = test_on_response,
  .on_data = test_on_data,
  .on_done = test_on_done,
};

static void
test_stop_transfer (ProviderArgs *args)
{
  if (args->transfer != NULL)
    gr_transfer_cancel (g_steal_pointer (&args->transfer));
}

static void
test_client_gone_cb (SoupServerMessage *msg,
                     gpointer           user_data)
{
  GrAdminCall *call = user_data;

  call->client_gone = TRUE;
  test_stop_transfer (call->data);
  test_finish (call);
}

/* The gateway is stopping. */
static void
test_cancel (gpointer request)
{
  GrAdminCall *call = request;

  test_stop_transfer (call->data);
  gr_admin_call_fail (call, 503, "server_error", "gateway_shutting_down", NULL,
                      "The gateway is shutting down.");
  test_finish (call);
}

static void
start_test (GrAdminCall  *call,
            ProviderArgs *args)
{
  GrProviderConfig *p = find_provider (call->shared, args->name, NULL);
  g_autoptr(GrUpstreamRequest) request = NULL;
  GrTransferOptions options = { 0 };

  if (p == NULL)
    {
      not_found (call, args->name);
      return;
    }

  request = build_test_request (p);
  options.connect_timeout_ms = MIN (p->connect_timeout_ms, TEST_CONNECT_TIMEOUT_MS);
  options.first_byte_timeout_ms = TEST_RESPONSE_TIMEOUT_MS;
  options.idle_timeout_ms = TEST_RESPONSE_TIMEOUT_MS;
  options.max_response_bytes = TEST_MAX_RESPONSE_BYTES;
  options.proxy = p->proxy;
  args->secret = g_strdup (p->api_key);
  args->body = g_byte_array_new ();

  call->started = TRUE;
  soup_server_message_pause (call->msg);
  call->finished_id = g_signal_connect (call->msg, "finished", G_CALLBACK (test_client_gone_cb), call);
  call->disconnected_id = g_signal_connect (call->msg, "disconnected", G_CALLBACK (test_client_gone_cb), call);
  gr_server_track (call->server, call, test_cancel);
  args->tracked = TRUE;
  args->started_us = g_get_monotonic_time ();
  args->transfer = gr_curl_loop_start (call->server->curl, request, &options, &test_callbacks, call);
}

/* ------------------------------------------------------------------ */
/* Routes                                                              */
/* ------------------------------------------------------------------ */

static void
dispatch_collection (GrAdminCall  *call,
                     ProviderArgs *args)
{
  if (g_str_equal (call->method, "GET"))
    list_providers (call, args);
  else if (g_str_equal (call->method, "POST"))
    {
      if (read_create_body (call, args))
        run_change (call, create_work, apply_create);
    }
  else
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                        "Use GET or POST on /v1/providers.");
}

static void
dispatch_item (GrAdminCall  *call,
               ProviderArgs *args)
{
  GrProviderConfig *current = find_provider (call->shared, args->name, NULL);

  if (!g_str_equal (call->method, "GET") && !g_str_equal (call->method, "PATCH") &&
      !g_str_equal (call->method, "DELETE"))
    gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL,
                        "Use GET, PATCH or DELETE on a provider.");
  else if (current == NULL)
    not_found (call, args->name);
  else if (g_str_equal (call->method, "GET"))
    call->result = provider_answer (call, current);
  else if (g_str_equal (call->method, "PATCH"))
    {
      if (read_update_body (call, args, current))
        run_change (call, update_work, apply_update);
    }
  else if (!current->from_store)
    gr_admin_call_fail (call, 409, "invalid_request_error", "conflict", NULL,
                        "The provider “%s” comes from the configuration file and cannot be deleted "
                        "here; disable it instead (PATCH {\"enabled\": false}) or remove it from the file.",
                        args->name);
  else
    run_change (call, delete_work, apply_delete);
}

static void
providers_cb (SoupServer        *soup,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  GrAdminCall *call = gr_admin_call_new (user_data, msg, path, query);
  ProviderArgs *args;
  guint n;

  if (call == NULL)
    return;
  args = g_new0 (ProviderArgs, 1);
  call->data = args;
  call->data_free = (GDestroyNotify) provider_args_free;
  n = g_strv_length (call->segments);
  if (n >= 2)
    args->name = g_strdup (call->segments[1]);

  /* Providers hold credentials and decide where every request goes. */
  if (!gr_admin_call_has (call, "admin"))
    gr_admin_call_fail (call, 403, "permission_error", "insufficient_permissions", NULL,
                        "Managing providers needs the “admin” permission.");
  else if (n == 1)
    dispatch_collection (call, args);
  else if (n == 2 && *args->name != '\0')
    dispatch_item (call, args);
  else if (n == 3 && *args->name != '\0' && g_str_equal (call->segments[2], "test"))
    {
      if (g_str_equal (call->method, "POST"))
        start_test (call, args);
      else
        gr_admin_call_fail (call, 405, "invalid_request_error", "method_not_allowed", NULL, "Use POST.");
    }
  else
    gr_admin_call_fail (call, 404, "invalid_request_error", "unknown_route", NULL, "Unknown route %s.", path);

  gr_admin_call_done (call);
}

void
gr_api_providers_register (GrServer *server)
{
  gr_server_add_handler (server, "/v1/providers", providers_cb);
}
