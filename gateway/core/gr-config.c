/* gr-config.c — gateway configuration (GKeyFile)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <gio/gio.h>

#include "core/gr-config.h"
#include "core/gr-error.h"

#define DEFAULT_MAX_BODY (4 * 1024 * 1024)
#define MIB (1024 * 1024)
#define DEFAULT_MAX_UPSTREAM_RESPONSE_MIB 64
#define DEFAULT_MAX_UPSTREAM_STREAM_MIB   256

typedef struct
{
  const char    *name;
  GrProviderKind kind;
  const char    *env;
} DefaultProvider;

/* Without a config file these providers exist; each picks up its key from
 * the environment when set. */
static const DefaultProvider default_providers[] = {
  { "openai", GR_PROVIDER_KIND_OPENAI, "OPENAI_API_KEY" },
  { "anthropic", GR_PROVIDER_KIND_ANTHROPIC, "ANTHROPIC_API_KEY" },
  { "google", GR_PROVIDER_KIND_GEMINI, "GEMINI_API_KEY" },
  { "openrouter", GR_PROVIDER_KIND_OPENROUTER, "OPENROUTER_API_KEY" },
  { "ollama", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, NULL },
};

const char *
gr_provider_kind_default_base_url (GrProviderKind kind)
{
  switch (kind)
    {
    case GR_PROVIDER_KIND_OPENAI:
      return "https://api.openai.com/v1";
    case GR_PROVIDER_KIND_OPENROUTER:
      return "https://openrouter.ai/api/v1";
    case GR_PROVIDER_KIND_ANTHROPIC:
      return "https://api.anthropic.com";
    case GR_PROVIDER_KIND_GEMINI:
      return "https://generativelanguage.googleapis.com";
    case GR_PROVIDER_KIND_OPENAI_COMPATIBLE:
    default:
      return "http://127.0.0.1:11434/v1";
    }
}

GrProviderConfig *
gr_provider_config_new (const char    *name,
                        GrProviderKind kind,
                        const char    *base_url)
{
  GrProviderConfig *p = g_new0 (GrProviderConfig, 1);

  p->name = g_strdup (name);
  p->kind = kind;
  p->base_url = g_strdup (base_url ? base_url : gr_provider_kind_default_base_url (kind));
  /* Users paste URLs with a trailing slash; we join paths ourselves. */
  while (*p->base_url && g_str_has_suffix (p->base_url, "/"))
    p->base_url[strlen (p->base_url) - 1] = '\0';
  p->connect_timeout_ms = 10 * 1000;
  p->first_byte_timeout_ms = 120 * 1000;
  p->idle_timeout_ms = 120 * 1000;
  p->enabled = TRUE;
  return p;
}

void
gr_provider_config_free (GrProviderConfig *p)
{
  if (p == NULL)
    return;
  g_free (p->name);
  g_free (p->base_url);
  if (p->api_key != NULL)
    explicit_bzero (p->api_key, strlen (p->api_key));
  g_free (p->api_key);
  g_free (p->api_key_env);
  g_free (p->proxy);
  g_free (p->http_referer);
  g_free (p->x_title);
  g_free (p);
}

char *
gr_config_default_database_path (void)
{
  return g_build_filename (g_get_user_data_dir (), "gaiarouter", "gaiarouter.db", NULL);
}

static GrConfig *
config_new_empty (void)
{
  GrConfig *config = g_new0 (GrConfig, 1);

  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 8080;
  config->database = gr_config_default_database_path ();
  config->max_body_bytes = DEFAULT_MAX_BODY;
  config->shutdown_grace_ms = 10 * 1000;
  config->keepalive_interval_ms = 15 * 1000;
  config->usage_retention_days = 30;
  config->advertise = TRUE;
  config->max_upstream_response_bytes = (gsize) DEFAULT_MAX_UPSTREAM_RESPONSE_MIB * MIB;
  config->max_upstream_stream_bytes = (gsize) DEFAULT_MAX_UPSTREAM_STREAM_MIB * MIB;
  config->providers = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_provider_config_free);
  return config;
}

static void
provider_resolve_key (GrProviderConfig *p)
{
  const char *value;

  if (p->api_key != NULL || p->api_key_env == NULL)
    return;
  value = g_getenv (p->api_key_env);
  if (value != NULL && *value != '\0')
    p->api_key = g_strdup (value);
}

GrConfig *
gr_config_new_default (void)
{
  GrConfig *config = config_new_empty ();

  for (guint i = 0; i < G_N_ELEMENTS (default_providers); i++)
    {
      const DefaultProvider *d = &default_providers[i];
      GrProviderConfig *p = gr_provider_config_new (d->name, d->kind, NULL);

      p->api_key_env = g_strdup (d->env);
      provider_resolve_key (p);
      g_ptr_array_add (config->providers, p);
    }
  return config;
}

void
gr_config_free (GrConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->listen_host);
  g_free (config->database);
  g_free (config->internal_token);
  g_free (config->models_file);
  g_free (config->tls_certificate);
  g_free (config->tls_key);
  g_strfreev (config->cors_allowed_origins);
  g_clear_pointer (&config->keyfile, g_key_file_unref);
  g_ptr_array_unref (config->providers);
  g_free (config);
}

gboolean
gr_config_parse_listen (const char  *value,
                        char       **host,
                        guint16     *port,
                        GError     **error)
{
  const char *colon;
  g_autofree char *h = NULL;
  guint64 p = 0;

  g_return_val_if_fail (value != NULL, FALSE);

  if (value[0] == '[')
    {
      const char *end = strchr (value, ']');

      if (end == NULL || end[1] != ':')
        goto bad;
      h = g_strndup (value + 1, end - value - 1);
      colon = end + 1;
    }
  else if ((colon = strrchr (value, ':')) != NULL)
    h = g_strndup (value, colon - value);
  else
    colon = value - 1;

  if (!g_ascii_string_to_unsigned (colon + 1, 10, 0, 65535, &p, NULL))
    goto bad;
  if (h == NULL || *h == '\0')
    {
      g_free (h);  /* ":8080" leaves an empty host */
      h = g_strdup ("127.0.0.1");
    }

  *host = g_steal_pointer (&h);
  *port = (guint16) p;
  return TRUE;

bad:
  g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
               "invalid listen address “%s” (expected HOST:PORT)", value);
  return FALSE;
}

GrProviderConfig *
gr_config_find_provider (GrConfig   *config,
                         const char *name)
{
  /* The admin API publishes a new array atomically while event loops read. */
  GPtrArray *providers = g_atomic_pointer_get (&config->providers);

  for (guint i = 0; i < providers->len; i++)
    {
      GrProviderConfig *p = g_ptr_array_index (providers, i);

      if (g_str_equal (p->name, name))
        return p;
    }
  return NULL;
}

static gboolean
read_int (GKeyFile   *kf,
          const char *group,
          const char *key,
          int         min,
          int         max,
          int        *out,
          GError    **error)
{
  g_autofree char *str = NULL;
  gint64 v;

  if (!g_key_file_has_key (kf, group, key, NULL))
    return TRUE;
  /* NULL for a value GKeyFile cannot unescape (e.g. "\\q"). */
  str = g_key_file_get_string (kf, group, key, NULL);
  if (str == NULL || !g_ascii_string_to_signed (g_strstrip (str), 10, min, max, &v, NULL))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
                   "[%s] %s: “%s” is not a number between %d and %d",
                   group, key, str != NULL ? str : "", min, max);
      return FALSE;
    }
  *out = (int) v;
  return TRUE;
}

static char *get_trimmed (GKeyFile *kf, const char *group, const char *key);

/* Leaves *out alone when the key is absent; "yes" or "1" is an error
 * rather than a silent FALSE. */
static gboolean
read_bool (GKeyFile   *kf,
           const char *group,
           const char *key,
           gboolean   *out,
           GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  gboolean value;

  if (!g_key_file_has_key (kf, group, key, NULL))
    return TRUE;
  value = g_key_file_get_boolean (kf, group, key, &local_error);
  if (local_error != NULL)
    {
      g_autofree char *str = get_trimmed (kf, group, key);

      g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
                   "[%s] %s: “%s” is not true or false", group, key, str != NULL ? str : "");
      return FALSE;
    }
  *out = value;
  return TRUE;
}

/* An origin as browsers send it: scheme://host[:port], nothing after. */
static gboolean
valid_origin (const char *origin)
{
  const char *host;

  if (g_str_equal (origin, "*"))
    return TRUE;
  if (g_str_has_prefix (origin, "http://"))
    host = origin + strlen ("http://");
  else if (g_str_has_prefix (origin, "https://"))
    host = origin + strlen ("https://");
  else
    return FALSE;
  if (*host == '\0')
    return FALSE;
  for (const char *p = host; *p; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-.:[]", *p) == NULL)
      return FALSE;
  return TRUE;
}

static gboolean
load_cors_origins (GrConfig  *config,
                   GKeyFile  *kf,
                   GError   **error)
{
  g_autofree char *value = get_trimmed (kf, "gateway", "cors_allowed_origins");
  g_auto(GStrv) parts = NULL;
  g_autoptr(GPtrArray) origins = g_ptr_array_new_with_free_func (g_free);

  if (value == NULL)
    return TRUE;
  parts = g_strsplit_set (value, ";,", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *origin = g_strstrip (parts[i]);

      if (*origin == '\0')
        continue;
      if (!valid_origin (origin))
        {
          g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
                       "[gateway] cors_allowed_origins: “%s” is not an origin "
                       "(scheme://host[:port] without a path, or *)", origin);
          return FALSE;
        }
      g_ptr_array_add (origins, g_ascii_strdown (origin, -1));
    }
  if (origins->len == 0)
    return TRUE;
  g_ptr_array_add (origins, NULL);
  config->cors_allowed_origins = (char **) g_ptr_array_free (g_steal_pointer (&origins), FALSE);
  return TRUE;
}

gboolean
gr_config_cors_origin_allowed (GrConfig   *config,
                               const char *origin)
{
  if (config->cors_allowed_origins == NULL || origin == NULL)
    return FALSE;
  for (guint i = 0; config->cors_allowed_origins[i] != NULL; i++)
    if (g_str_equal (config->cors_allowed_origins[i], "*") ||
        g_ascii_strcasecmp (config->cors_allowed_origins[i], origin) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
load_gateway_group (GrConfig  *config,
                    GKeyFile  *kf,
                    GError   **error)
{
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  int max_body_kib = (int) (config->max_body_bytes / 1024);
  int grace_s = config->shutdown_grace_ms / 1000;
  int keepalive_s = config->keepalive_interval_ms / 1000;
  int response_mib = (int) (config->max_upstream_response_bytes / MIB);
  int stream_mib = (int) (config->max_upstream_stream_bytes / MIB);

  if (!g_key_file_has_group (kf, "gateway"))
    return TRUE;

  listen = g_key_file_get_string (kf, "gateway", "listen", NULL);
  if (listen != NULL)
    {
      g_clear_pointer (&config->listen_host, g_free);
      if (!gr_config_parse_listen (g_strstrip (listen), &config->listen_host,
                                   &config->listen_port, error))
        return FALSE;
    }
  database = g_key_file_get_string (kf, "gateway", "database", NULL);
  if (database != NULL)
    {
      g_free (config->database);
      config->database = g_strdup (g_strstrip (database));
    }

  if (!read_int (kf, "gateway", "max_body_kib", 1, 1024 * 1024, &max_body_kib, error) ||
      !read_int (kf, "gateway", "shutdown_grace_seconds", 0, 3600, &grace_s, error) ||
      !read_int (kf, "gateway", "keepalive_seconds", 1, 3600, &keepalive_s, error) ||
      !read_int (kf, "gateway", "usage_retention_days", 1, 36500,
                 &config->usage_retention_days, error) ||
      !read_int (kf, "gateway", "threads", 0, 256, &config->threads, error) ||
      !read_int (kf, "gateway", "read_timeout_seconds", 1, 3600, &config->read_timeout_seconds, error) ||
      !read_int (kf, "gateway", "max_upstream_response_mib", 1, 4096, &response_mib, error) ||
      !read_int (kf, "gateway", "max_upstream_stream_mib", 1, 65536, &stream_mib, error) ||
      !read_bool (kf, "gateway", "log_bodies", &config->log_bodies, error) ||
      !read_bool (kf, "gateway", "access_log", &config->access_log, error) ||
      !read_bool (kf, "gateway", "admin_loopback_only", &config->admin_loopback_only, error) ||
      !load_cors_origins (config, kf, error))
    return FALSE;

  config->max_upstream_response_bytes = (gsize) response_mib * MIB;
  config->max_upstream_stream_bytes = (gsize) stream_mib * MIB;

  config->max_body_bytes = (gsize) max_body_kib * 1024;
  config->shutdown_grace_ms = grace_s * 1000;
  config->keepalive_interval_ms = keepalive_s * 1000;
  config->log_json = g_key_file_get_boolean (kf, "gateway", "log_json", NULL);
  if (!read_bool (kf, "gateway", "advertise", &config->advertise, error))
    return FALSE;
  config->models_file = get_trimmed (kf, "gateway", "models_file");
  config->tls_certificate = get_trimmed (kf, "gateway", "tls_certificate");
  config->tls_key = get_trimmed (kf, "gateway", "tls_key");
  if ((config->tls_certificate == NULL) != (config->tls_key == NULL))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
                   "[gateway] tls_certificate and tls_key go together: set both or neither");
      return FALSE;
    }
  return TRUE;
}

static char *
get_trimmed (GKeyFile   *kf,
             const char *group,
             const char *key)
{
  char *value = g_key_file_get_string (kf, group, key, NULL);

  if (value != NULL)
    g_strstrip (value);
  if (value != NULL && *value == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static gboolean
valid_provider_name (const char *name)
{
  if (*name == '\0')
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

static gboolean
load_provider_group (GrConfig   *config,
                     GKeyFile   *kf,
                     const char *group,
                     GError    **error)
{
  const char *name = group + strlen ("provider:");
  g_autofree char *kind_str = get_trimmed (kf, group, "kind");
  g_autofree char *base_url = get_trimmed (kf, group, "base_url");
  GrProviderKind kind;
  GrProviderConfig *p;
  int connect_s = 10, first_byte_s = 120, idle_s = 120;

  if (!valid_provider_name (name))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
                   "[%s]: a provider name may only hold letters, digits, '-', '_' and '.'", group);
      return FALSE;
    }
  if (kind_str == NULL)
    kind_str = g_strdup (gr_provider_kind_from_string (name, &kind) ? name : "openai-compatible");
  if (!gr_provider_kind_from_string (kind_str, &kind))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
                   "[%s] kind: unknown provider kind “%s” (openai, anthropic, gemini, openrouter, openai-compatible)",
                   group, kind_str);
      return FALSE;
    }
  if (base_url != NULL && !g_str_has_prefix (base_url, "http://") && !g_str_has_prefix (base_url, "https://"))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
                   "[%s] base_url: “%s” is not an http(s) URL", group, base_url);
      return FALSE;
    }
  if (!read_int (kf, group, "connect_timeout_seconds", 1, 3600, &connect_s, error) ||
      !read_int (kf, group, "first_byte_timeout_seconds", 1, 3600, &first_byte_s, error) ||
      !read_int (kf, group, "idle_timeout_seconds", 1, 3600, &idle_s, error))
    return FALSE;

  /* A section replaces a default provider of the same name. */
  for (guint i = 0; i < config->providers->len; i++)
    if (g_str_equal (((GrProviderConfig *) g_ptr_array_index (config->providers, i))->name, name))
      g_ptr_array_remove_index (config->providers, i--);

  p = gr_provider_config_new (name, kind, base_url);
  p->api_key = get_trimmed (kf, group, "api_key");
  p->api_key_env = get_trimmed (kf, group, "api_key_env");
  p->proxy = get_trimmed (kf, group, "proxy");
  p->http_referer = get_trimmed (kf, group, "http_referer");
  p->x_title = get_trimmed (kf, group, "x_title");
  p->connect_timeout_ms = connect_s * 1000;
  p->first_byte_timeout_ms = first_byte_s * 1000;
  p->idle_timeout_ms = idle_s * 1000;
  if (g_key_file_has_key (kf, group, "enabled", NULL))
    p->enabled = g_key_file_get_boolean (kf, group, "enabled", NULL);
  provider_resolve_key (p);
  g_ptr_array_add (config->providers, p);
  return TRUE;
}

static GrConfig *
config_from_keyfile (GKeyFile  *kf,
                     GError   **error)
{
  g_autoptr(GrConfig) config = gr_config_new_default ();
  g_auto(GStrv) groups = g_key_file_get_groups (kf, NULL);

  if (!load_gateway_group (config, kf, error))
    return NULL;

  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (g_str_has_prefix (groups[i], "provider:"))
        {
          if (!load_provider_group (config, kf, groups[i], error))
            return NULL;
        }
      else if (!g_str_equal (groups[i], "gateway") &&
               !g_str_has_prefix (groups[i], "model:") &&
               !g_str_has_prefix (groups[i], "alias:"))
        {
          g_set_error (error, GR_ERROR, GR_ERROR_CONFIG,
                       "unknown section [%s]", groups[i]);
          return NULL;
        }
    }

  config->keyfile = g_key_file_ref (kf);
  return g_steal_pointer (&config);
}

GrConfig *
gr_config_load_data (const char  *data,
                     gssize       len,
                     GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();

  if (!g_key_file_load_from_data (kf, data, len < 0 ? strlen (data) : (gsize) len,
                                  G_KEY_FILE_NONE, error))
    return NULL;
  return config_from_keyfile (kf, error);
}

GrConfig *
gr_config_load_file (const char  *path,
                     GError     **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local_error))
    {
      g_set_error (error, GR_ERROR, GR_ERROR_CONFIG, "%s: %s", path, local_error->message);
      return NULL;
    }
  return config_from_keyfile (kf, error);
}
