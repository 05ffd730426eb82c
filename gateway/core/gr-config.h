/* gr-config.h — gateway configuration (GKeyFile)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "providers/gr-provider.h"

G_BEGIN_DECLS

typedef struct
{
  char          *name;          /* section "provider:<name>": the model prefix */
  GrProviderKind kind;
  char          *base_url;
  char          *api_key;       /* resolved: api_key= or $api_key_env */
  char          *api_key_env;
  char          *proxy;         /* nullable */
  char          *http_referer;  /* OpenRouter attribution */
  char          *x_title;
  int            connect_timeout_ms;
  int            first_byte_timeout_ms;
  int            idle_timeout_ms;  /* between stream events */
  gboolean       enabled;
  /* ADMIN-API (providers and models): made through the admin API and kept
   * in the store, rather than read from the configuration file. */
  gboolean       from_store;
} GrProviderConfig;

typedef struct
{
  char      *listen_host;
  guint16    listen_port;
  char      *database;          /* SQLite path */
  gsize      max_body_bytes;
  int        shutdown_grace_ms;
  int        keepalive_interval_ms; /* SSE comment while waiting for the first byte */
  int        usage_retention_days;
  int        threads;           /* event loops; 0 = one per CPU */
  int        read_timeout_seconds; /* to receive a whole request; 0 = 30 */
  char      *tls_certificate;   /* PEM files; both set = HTTPS */
  char      *tls_key;
  gboolean   log_json;
  /* Announce the gateway with DNS-SD (_gaiarouter._tcp) when it listens
   * beyond loopback; default TRUE. */
  gboolean   advertise;
  gboolean   log_bodies;        /* debug: log request and upstream bodies */
  gboolean   access_log;        /* one log line per finished request */
  gboolean   admin_loopback_only; /* admin API for loopback peers only */
  char     **cors_allowed_origins; /* NULL = no CORS headers; "*" = any */
  gsize      max_upstream_response_bytes; /* whole upstream answer */
  gsize      max_upstream_stream_bytes;   /* one upstream stream, in total */
  /* A token accepted as admin from loopback only; the desktop app sets a
   * random one at each launch so its UI can use the admin API. */
  char      *internal_token;
  GPtrArray *providers;         /* of GrProviderConfig*, in file order */
  char      *models_file;       /* registry override ([gateway] models_file), nullable */
  GKeyFile  *keyfile;           /* the file, for [model:] and [alias:] sections; nullable */
} GrConfig;

GrConfig         *gr_config_new_default   (void);
GrConfig         *gr_config_load_file     (const char  *path,
                                           GError     **error);
GrConfig         *gr_config_load_data     (const char  *data,
                                           gssize       len,
                                           GError     **error);
void              gr_config_free          (GrConfig    *config);
/* host:port, "[v6]:port", ":port" or "port". */
gboolean          gr_config_parse_listen  (const char  *value,
                                           char       **host,
                                           guint16     *port,
                                           GError     **error);
GrProviderConfig *gr_config_find_provider (GrConfig    *config,
                                           const char  *name);
/* TRUE when origin (an Origin header) is in cors_allowed_origins. */
gboolean          gr_config_cors_origin_allowed (GrConfig   *config,
                                                 const char *origin);
char             *gr_config_default_database_path (void);

GrProviderConfig *gr_provider_config_new  (const char    *name,
                                           GrProviderKind kind,
                                           const char    *base_url);
void              gr_provider_config_free (GrProviderConfig *provider);
const char       *gr_provider_kind_default_base_url (GrProviderKind kind);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrConfig, gr_config_free)

G_END_DECLS
