/* gr-gateway.c — the gateway: its own thread, main context, server and store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The thread pushes its own GMainContext as thread-default, opens the
 * store, builds the server (which attaches its sources to that context),
 * listens, tells the starter how it went, and runs the loop.  Stopping is
 * asked for from outside through g_main_context_invoke on that context.
 */
#include "config.h"

#include "core/gr-change-watcher.h"
#include "store/gr-db.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <unistd.h>

#include "core/gr-error.h"
#include "core/gr-gateway.h"
#include "store/gr-db.h"
#include "discovery/gr-discovery-publisher.h"
#include "http/gr-server.h"
#include "store/gr-store-providers.h"  /* ADMIN-API (providers and models) */
#include "store/gr-store-registry.h"
#include "store/gr-store-stats.h"

#define DRAIN_POLL_MS 50

struct _GrGateway
{
  GObject        parent_instance;

  GrConfig      *config;
  GrGatewayState state;
  char          *error_message;
  char          *new_admin_key;

  /* Start/stop handshake between the caller and the gateway thread. */
  GMutex         lock;
  GCond          cond;
  gboolean       thread_ready;
  GError        *thread_error;

  GThread       *thread;
  GMainContext  *context;
  GMainLoop     *loop;
  GrShared       shared;
  GrServer      *server;      /* gateway thread only */
  GPtrArray     *extra_loops; /* GrLoop*: more event loops on the same port */
  GSource       *prune_timer; /* gateway thread only */
  GrChangeWatcher *changes;   /* shared database only */
  gboolean       pruning;
  guint16        port;
  gint64         drain_deadline_us;
  /* DNS-SD announcement while shared on the LAN; lives on the context of
   * the thread that started the gateway, never on a gateway loop. */
  GrDiscoveryPublisher *publisher;
};

G_DEFINE_FINAL_TYPE (GrGateway, gr_gateway, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
set_state (GrGateway     *self,
           GrGatewayState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const char *
gr_gateway_state_to_string (GrGatewayState state)
{
  switch (state)
    {
    case GR_GATEWAY_STATE_STOPPED:
      return "stopped";
    case GR_GATEWAY_STATE_STARTING:
      return "starting";
    case GR_GATEWAY_STATE_RUNNING:
      return "running";
    case GR_GATEWAY_STATE_STOPPING:
      return "stopping";
    case GR_GATEWAY_STATE_ERROR:
    default:
      return "error";
    }
}

char *
gr_gateway_dup_admin_key_path (GrGateway *self)
{
  g_autofree char *dir = NULL;

  g_return_val_if_fail (GR_IS_GATEWAY (self), NULL);

  /* Beside a SQLite file; for a PostgreSQL database, where the default
   * file would be (the XDG data directory). */
  if (gr_db_target_is_postgresql (self->config->database))
    {
      g_autofree char *fallback = gr_config_default_database_path ();

      dir = g_path_get_dirname (fallback);
    }
  else
    dir = g_path_get_dirname (self->config->database);
  return g_build_filename (dir, "admin.key", NULL);
}

/* Written 0600 from the first byte: it is a working admin secret. */
static gboolean
write_admin_key (GrGateway   *self,
                 const char  *key,
                 GError     **error)
{
  g_autofree char *path = gr_gateway_dup_admin_key_path (self);
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *line = g_strconcat (key, "\n", NULL);
  gsize len = strlen (line);
  int fd;

  /* A SQLite file made the directory already; a PostgreSQL URL did not. */
  g_mkdir_with_parents (dir, 0700);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd < 0 || write (fd, line, len) != (gssize) len)
    {
      g_set_error (error, GR_ERROR, GR_ERROR_STORE, "cannot write %s: %s",
                   path, g_strerror (errno));
      if (fd >= 0)
        close (fd);
      return FALSE;
    }
  fchmod (fd, 0600);
  close (fd);
  explicit_bzero (line, len);
  return TRUE;
}

/* The registry shipped with the program, unless something says otherwise:
 * $GR_MODELS_JSON, [gateway] models_file, the installed copy, and the
 * source tree's copy for uninstalled runs. */
static char *
find_models_file (GrConfig *config)
{
  const char *candidates[] = {
    g_getenv ("GR_MODELS_JSON"),
    config->models_file,
    PKGDATADIR "/models.json",
    SOURCE_DATADIR "/models.json",
  };

  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (candidates[i] != NULL && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      return g_strdup (candidates[i]);
  return NULL;
}

/* models.json, then the configuration file, then what the admin API
 * changed (in the store). */
static GrRegistry *
build_registry (GrGateway  *self,
                GError    **error)
{
  g_autofree char *models = find_models_file (self->config);
  g_autoptr(GrRegistry) registry = gr_registry_new ();

  if (models != NULL && !gr_registry_load_file (registry, models, error))
    return NULL;
  if (models == NULL)
    g_warning ("no models.json found: the model registry starts empty (prices unknown)");
  if (self->config->keyfile != NULL &&
      !gr_registry_apply_keyfile (registry, self->config->keyfile, error))
    return NULL;
  if (!gr_store_apply_registry (self->shared.store, registry, error))
    return NULL;
  return g_steal_pointer (&registry);
}

/* SQLite says only "unable to open database file" when the database or
 * its directory cannot be written (a read-only mount, wrong owner): the
 * gateway needs to write the file and its -wal and -shm files beside it. */
static void
explain_unwritable_database (const char  *path,
                             GError     **error)
{
  g_autofree char *dir = NULL;
  const char *what = NULL;
  int saved = 0;

  if (error == NULL || *error == NULL || gr_db_target_is_postgresql (path))
    return;
  if (g_str_has_prefix (path, "sqlite:"))
    path += strlen ("sqlite:");
  dir = g_path_get_dirname (path);
  if (access (dir, W_OK) != 0)
    what = dir, saved = errno;
  else if (access (path, F_OK) == 0 && access (path, W_OK) != 0)
    what = path, saved = errno;
  if (what == NULL)
    return;
  g_prefix_error (error, "%s is not writable (%s); the gateway must write its database, "
                  "and the -wal and -shm files beside it: ", what, g_strerror (saved));
}

static gboolean
open_routing (GrGateway  *self,
              GError    **error)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();

  self->shared.registry = build_registry (self, error);
  if (self->shared.registry == NULL)
    return FALSE;
  /* ADMIN-API (providers and models): what the admin API changed goes on
   * top of the configuration file. */
  if (!gr_store_apply_providers (self->shared.store, self->config, error))
    return FALSE;
  self->shared.retired_providers =
    g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  /* end ADMIN-API */

  for (guint i = 0; i < self->config->providers->len; i++)
    {
      GrProviderConfig *p = g_ptr_array_index (self->config->providers, i);

      if (p->enabled)
        g_strv_builder_add (names, p->name);
    }
  self->shared.provider_names = g_strv_builder_end (names);
  self->shared.router = gr_router_new ();
  return TRUE;
}

/* How soon an admin change made through another gateway on the same
 * database is seen here (docs/deployment.md). */
#define CHANGE_POLL_INTERVAL_MS 1000

/* Another gateway on the same database changed keys, providers or the
 * registry: take the change in (on the watcher's thread; each of these
 * swaps its content in one step while requests go on). */
static gboolean
change_cb (GrChangeArea area,
           gpointer     user_data)
{
  GrGateway *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrRegistry) registry = NULL;
  gboolean ok = FALSE;

  switch (area)
    {
    case GR_CHANGE_KEYS:
      ok = gr_key_cache_reload (self->shared.keys, &error);
      break;
    case GR_CHANGE_PROVIDERS:
      ok = gr_api_providers_refresh (&self->shared, &error);
      break;
    case GR_CHANGE_REGISTRY:
      registry = build_registry (self, &error);
      if (registry != NULL)
        gr_registry_take_contents (self->shared.registry, registry);
      ok = registry != NULL;
      break;
    case GR_CHANGE_N_AREAS:
    default:
      g_assert_not_reached ();
    }
  if (!ok)
    g_message ("a change made by another gateway is not taken in yet: %s", error->message);
  return ok;
}

static gboolean
open_shared (GrGateway  *self,
             GError    **error)
{
  g_autofree char *admin_key = NULL;
  GError *local_error = NULL;
  gint64 baseline[GR_CHANGE_N_AREAS] = { 0 };

  self->shared.config = self->config;
  self->shared.started_at_us = g_get_monotonic_time ();
  self->shared.metrics = gr_metrics_new ();  /* METRICS */
  /* ADMIN-API (providers and models): the store first, since routing
   * applies what it holds. */
  self->shared.store = gr_store_open (self->config->database, error);
  if (self->shared.store == NULL)
    {
      explain_unwritable_database (self->config->database, error);
      return FALSE;
    }
  /* Read before anything is loaded, so no change made meanwhile is lost. */
  if (gr_store_is_shared (self->shared.store) &&
      !gr_store_get_change_generations (self->shared.store, baseline, error))
    return FALSE;
  if (!open_routing (self, error))
    return FALSE;

  admin_key = gr_store_bootstrap (self->shared.store, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (admin_key != NULL)
    {
      if (!write_admin_key (self, admin_key, error))
        return FALSE;
      g_mutex_lock (&self->lock);
      g_free (self->new_admin_key);
      self->new_admin_key = g_steal_pointer (&admin_key);
      g_mutex_unlock (&self->lock);
    }

  self->shared.keys = gr_key_cache_new (self->shared.store, error);
  if (self->shared.keys == NULL)
    return FALSE;
  /* Counters of today and this month come back from the usage events. */
  self->shared.limits = gr_limits_new (NULL, NULL);
  if (!gr_limits_load_from_usage (self->shared.limits, self->shared.store, error))
    return FALSE;
  self->shared.usage = gr_usage_writer_new (self->shared.store);
  if (gr_store_is_shared (self->shared.store))
    {
      self->shared.shared_limits = gr_shared_limits_new (self->config->database,
                                                         self->shared.limits, error);
      if (self->shared.shared_limits == NULL)
        return FALSE;
    }
  if (gr_store_is_shared (self->shared.store))
    self->changes = gr_change_watcher_new (self->shared.store, CHANGE_POLL_INTERVAL_MS,
                                           baseline, change_cb, self);
  return TRUE;
}

static void
close_shared (GrGateway *self)
{
  g_clear_pointer (&self->changes, gr_change_watcher_free);
  /* Writes the settlements still queued. */
  g_clear_pointer (&self->shared.shared_limits, gr_shared_limits_free);
  /* Flushes every queued usage event before the store closes. */
  g_clear_pointer (&self->shared.usage, gr_usage_writer_free);
  g_clear_pointer (&self->shared.keys, gr_key_cache_free);
  g_clear_pointer (&self->shared.limits, gr_limits_unref);
  g_clear_object (&self->shared.store);
  g_clear_pointer (&self->shared.router, gr_router_unref);
  g_clear_pointer (&self->shared.registry, gr_registry_unref);
  g_clear_pointer (&self->shared.provider_names, g_strfreev);
  /* ADMIN-API (providers and models): no request is left to use them. */
  g_clear_pointer (&self->shared.retired_providers, g_ptr_array_unref);
  g_clear_pointer (&self->shared.metrics, gr_metrics_free);  /* METRICS */
}

#define PRUNE_INTERVAL_S 3600

static void
prune_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  GrGateway *self = task_data;
  g_autoptr(GError) error = NULL;
  gint64 keep_ms = (gint64) self->config->usage_retention_days * 24 * 3600 * 1000;
  gint64 deleted = gr_store_prune_usage (self->shared.store, g_get_real_time () / 1000 - keep_ms, &error);

  /* Pruning runs again within the hour: a locked database is no alarm. */
  if (deleted < 0 && g_error_matches (error, GR_ERROR, GR_ERROR_STORE_BUSY))
    g_message ("pruning old usage events postponed: %s", error->message);
  else if (deleted < 0)
    g_warning ("pruning old usage events: %s", error->message);
  else if (deleted > 0)
    g_message ("pruned %" G_GINT64_FORMAT " usage events older than %d days (hourly totals kept)",
               deleted, self->config->usage_retention_days);
  g_task_return_boolean (task, TRUE);
}

static void
prune_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GrGateway *self = user_data;

  self->pruning = FALSE;
}

/* Raw request rows are pruned after the retention period; the hourly
 * rollups stay.  The work runs in a worker thread: the gateway thread
 * never waits for SQLite. */
static gboolean
prune_timer_cb (gpointer data)
{
  GrGateway *self = data;
  g_autoptr(GTask) task = NULL;

  if (self->pruning)
    return G_SOURCE_CONTINUE;
  self->pruning = TRUE;
  task = g_task_new (NULL, NULL, prune_done_cb, self);
  g_task_set_task_data (task, self, NULL);
  g_task_run_in_thread (task, prune_thread);
  return G_SOURCE_CONTINUE;
}

static void
thread_report (GrGateway *self,
               GError    *error)
{
  g_mutex_lock (&self->lock);
  self->thread_error = error;
  self->thread_ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
}

/* A further event loop sharing the listening port (SO_REUSEPORT): its own
 * thread, context, SoupServer and curl multi; the store, caches, limits,
 * registry and router are shared and thread-safe. */
typedef struct
{
  GrGateway    *gateway;
  GThread      *thread;
  GMainContext *context;
  GMainLoop    *loop;
  GrServer     *server;
  gint64        drain_deadline_us;
  gboolean      ready;
  GError       *error;
} GrLoop;

static gpointer
extra_loop_thread (gpointer data)
{
  GrLoop *l = data;
  GrGateway *self = l->gateway;
  GError *error = NULL;

  g_main_context_push_thread_default (l->context);
  l->server = gr_server_new (&self->shared);
  if (!gr_server_listen (l->server, self->config->listen_host, self->port, &error))
    g_clear_pointer (&l->server, gr_server_free);

  g_mutex_lock (&self->lock);
  l->error = error;
  l->ready = TRUE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);

  if (l->server != NULL)
    {
      g_main_loop_run (l->loop);
      g_clear_pointer (&l->server, gr_server_free);
      while (g_main_context_iteration (l->context, FALSE))
        ;
    }
  g_main_context_pop_thread_default (l->context);
  return NULL;
}

static void
gr_loop_free (GrLoop *l)
{
  if (l->thread != NULL)
    g_thread_join (l->thread);
  g_clear_pointer (&l->loop, g_main_loop_unref);
  g_clear_pointer (&l->context, g_main_context_unref);
  g_clear_error (&l->error);
  g_free (l);
}

static gboolean
start_extra_loops (GrGateway  *self,
                   GError    **error)
{
  int n = self->config->threads > 0 ? self->config->threads : (int) g_get_num_processors ();

  self->extra_loops = g_ptr_array_new_with_free_func ((GDestroyNotify) gr_loop_free);
  for (int i = 1; i < n; i++)
    {
      GrLoop *l = g_new0 (GrLoop, 1);

      l->gateway = self;
      l->context = g_main_context_new ();
      l->loop = g_main_loop_new (l->context, FALSE);
      g_ptr_array_add (self->extra_loops, l);
      l->thread = g_thread_new ("gr-gateway", extra_loop_thread, l);

      g_mutex_lock (&self->lock);
      while (!l->ready)
        g_cond_wait (&self->cond, &self->lock);
      g_mutex_unlock (&self->lock);
      if (l->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&l->error));
          return FALSE;
        }
    }
  return TRUE;
}

static gpointer
gateway_thread (gpointer data)
{
  GrGateway *self = data;
  GError *error = NULL;

  g_main_context_push_thread_default (self->context);

  if (!open_shared (self, &error))
    {
      close_shared (self);
      g_main_context_pop_thread_default (self->context);
      thread_report (self, error);
      return NULL;
    }

  self->server = gr_server_new (&self->shared);
  if (!gr_server_listen (self->server, self->config->listen_host,
                         self->config->listen_port, &error))
    {
      g_clear_pointer (&self->server, gr_server_free);
      close_shared (self);
      g_main_context_pop_thread_default (self->context);
      thread_report (self, error);
      return NULL;
    }
  self->port = self->server->port;
  self->prune_timer = g_timeout_source_new_seconds (PRUNE_INTERVAL_S);
  g_source_set_callback (self->prune_timer, prune_timer_cb, self, NULL);
  g_source_attach (self->prune_timer, self->context);
  prune_timer_cb (self);
  thread_report (self, NULL);

  g_main_loop_run (self->loop);

  g_source_destroy (self->prune_timer);
  g_clear_pointer (&self->prune_timer, g_source_unref);
  /* A prune in progress holds the store: let it finish. */
  while (self->pruning)
    g_main_context_iteration (self->context, TRUE);

  g_clear_pointer (&self->server, gr_server_free);
  /* Let cancelled transfers and closing connections settle. */
  while (g_main_context_iteration (self->context, FALSE))
    ;
  /* The shared state is closed by gr_gateway_stop() once every loop ended. */
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* Announces the gateway on the LAN when it listens beyond loopback (the
 * app's "Share on local network", or gaiarouterd on 0.0.0.0) and
 * [gateway] advertise allows it.  Asynchronous; a missing avahi-daemon
 * only costs a log line. */
static void
start_advertising (GrGateway *self)
{
  g_autofree char *name = NULL;
  g_autofree char *version = g_strdup_printf ("version=%s", PACKAGE_VERSION);
  const char *txt[] = { version, NULL, NULL };
  int interface, protocol;

  if (!self->config->advertise ||
      !gr_discovery_scope_for_listen (self->config->listen_host, &interface, &protocol))
    return;
  txt[1] = self->config->tls_certificate != NULL ? "tls=1" : "tls=0";
  name = gr_discovery_default_name ();
  self->publisher = gr_discovery_publisher_new (name, self->port, interface, protocol, txt);
  gr_discovery_publisher_start (self->publisher);
}

gboolean
gr_gateway_start (GrGateway  *self,
                  GError    **error)
{
  GError *thread_error;

  g_return_val_if_fail (GR_IS_GATEWAY (self), FALSE);

  if (self->thread != NULL)
    return TRUE;

  g_clear_pointer (&self->error_message, g_free);
  set_state (self, GR_GATEWAY_STATE_STARTING);

  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread_ready = FALSE;
  self->thread_error = NULL;
  self->thread = g_thread_new ("gr-gateway", gateway_thread, self);

  g_mutex_lock (&self->lock);
  while (!self->thread_ready)
    g_cond_wait (&self->cond, &self->lock);
  thread_error = g_steal_pointer (&self->thread_error);
  g_mutex_unlock (&self->lock);

  if (thread_error != NULL)
    {
      g_thread_join (g_steal_pointer (&self->thread));
      g_clear_pointer (&self->loop, g_main_loop_unref);
      g_clear_pointer (&self->context, g_main_context_unref);
      self->error_message = g_strdup (thread_error->message);
      g_propagate_error (error, thread_error);
      set_state (self, GR_GATEWAY_STATE_ERROR);
      return FALSE;
    }

  if (!start_extra_loops (self, &thread_error))
    {
      self->error_message = g_strdup (thread_error->message);
      g_propagate_error (error, thread_error);
      gr_gateway_stop (self);
      set_state (self, GR_GATEWAY_STATE_ERROR);
      return FALSE;
    }

  set_state (self, GR_GATEWAY_STATE_RUNNING);
  start_advertising (self);
  return TRUE;
}

/* Draining one loop: stop accepting, wait for its in-flight requests
 * until the deadline, then cancel the rest and quit. */
typedef struct
{
  GrServer  *server;
  GMainLoop *loop;
  gint64     deadline_us;
} Drain;

static gboolean
drain_poll_cb (gpointer data)
{
  Drain *d = data;

  if (gr_server_get_in_flight (d->server) > 0 &&
      g_get_monotonic_time () < d->deadline_us)
    return G_SOURCE_CONTINUE;

  /* The grace period is over: whatever is left is cancelled. */
  gr_server_cancel_all (d->server);
  g_main_loop_quit (d->loop);
  return G_SOURCE_REMOVE;
}

static void
begin_drain (GMainContext *context,
             GrServer     *server,
             GMainLoop    *loop,
             int           grace_ms)
{
  Drain *d = g_new0 (Drain, 1);
  GSource *poll;

  d->server = server;
  d->loop = loop;
  d->deadline_us = g_get_monotonic_time () + (gint64) grace_ms * 1000;
  gr_server_drain (server);
  poll = g_timeout_source_new (DRAIN_POLL_MS);
  g_source_set_callback (poll, drain_poll_cb, d, g_free);
  g_source_attach (poll, context);
  g_source_unref (poll);
}

static gboolean
begin_stop_cb (gpointer data)
{
  GrGateway *self = data;

  begin_drain (self->context, self->server, self->loop, self->config->shutdown_grace_ms);
  return G_SOURCE_REMOVE;
}

static gboolean
begin_stop_extra_cb (gpointer data)
{
  GrLoop *l = data;

  begin_drain (l->context, l->server, l->loop, l->gateway->config->shutdown_grace_ms);
  return G_SOURCE_REMOVE;
}

void
gr_gateway_stop (GrGateway *self)
{
  g_return_if_fail (GR_IS_GATEWAY (self));

  if (self->thread == NULL)
    return;

  set_state (self, GR_GATEWAY_STATE_STOPPING);
  /* Withdraw the announcement first: browsers drop the gateway while it
   * drains rather than offering an address about to refuse them. */
  if (self->publisher != NULL)
    gr_discovery_publisher_stop (self->publisher);
  g_clear_object (&self->publisher);
  for (guint i = 0; self->extra_loops != NULL && i < self->extra_loops->len; i++)
    {
      GrLoop *l = g_ptr_array_index (self->extra_loops, i);

      if (l->server != NULL)
        g_main_context_invoke (l->context, begin_stop_extra_cb, l);
    }
  g_main_context_invoke (self->context, begin_stop_cb, self);
  g_clear_pointer (&self->extra_loops, g_ptr_array_unref);
  g_thread_join (g_steal_pointer (&self->thread));
  g_clear_pointer (&self->loop, g_main_loop_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  /* Every loop has ended: flush usage and close the store. */
  close_shared (self);
  self->port = 0;
  set_state (self, GR_GATEWAY_STATE_STOPPED);
}

GrGatewayState
gr_gateway_get_state (GrGateway *self)
{
  g_return_val_if_fail (GR_IS_GATEWAY (self), GR_GATEWAY_STATE_ERROR);
  return self->state;
}

const char *
gr_gateway_get_error_message (GrGateway *self)
{
  g_return_val_if_fail (GR_IS_GATEWAY (self), NULL);
  return self->error_message;
}

GrConfig *
gr_gateway_get_config (GrGateway *self)
{
  g_return_val_if_fail (GR_IS_GATEWAY (self), NULL);
  return self->config;
}

void
gr_gateway_set_listen (GrGateway  *self,
                       const char *host,
                       guint16     port)
{
  g_return_if_fail (GR_IS_GATEWAY (self));
  g_return_if_fail (host != NULL);

  g_free (self->config->listen_host);
  self->config->listen_host = g_strdup (host);
  self->config->listen_port = port;
}

GrDiscoveryPublisher *
gr_gateway_get_publisher (GrGateway *self)
{
  g_return_val_if_fail (GR_IS_GATEWAY (self), NULL);
  return self->publisher;
}

guint16
gr_gateway_get_port (GrGateway *self)
{
  g_return_val_if_fail (GR_IS_GATEWAY (self), 0);
  return self->port;
}

static const char *
scheme_of (GrGateway *self)
{
  return self->config->tls_certificate != NULL ? "https" : "http";
}

char *
gr_gateway_dup_url (GrGateway *self)
{
  const char *host;

  g_return_val_if_fail (GR_IS_GATEWAY (self), NULL);

  if (self->state != GR_GATEWAY_STATE_RUNNING)
    return NULL;
  host = self->config->listen_host;
  if (g_str_equal (host, "0.0.0.0"))
    host = "127.0.0.1";
  else if (g_str_equal (host, "::"))
    host = "::1";
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("%s://[%s]:%u", scheme_of (self), host, self->port);
  return g_strdup_printf ("%s://%s:%u", scheme_of (self), host, self->port);
}

char **
gr_gateway_dup_routes (GrGateway *self)
{
  GPtrArray *routes;
  GStrvBuilder *builder;
  char **result;

  g_return_val_if_fail (GR_IS_GATEWAY (self), NULL);

  if (self->state != GR_GATEWAY_STATE_RUNNING || self->server == NULL)
    return NULL;
  /* Handlers are all added before the gateway reports it is running and
   * never change afterwards, so reading them from here is safe. */
  routes = gr_server_get_routes (self->server);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < routes->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (routes, i));
  result = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return result;
}

char *
gr_gateway_dup_new_admin_key (GrGateway *self)
{
  char *key;

  g_return_val_if_fail (GR_IS_GATEWAY (self), NULL);

  g_mutex_lock (&self->lock);
  key = g_strdup (self->new_admin_key);
  g_mutex_unlock (&self->lock);
  return key;
}

GrGateway *
gr_gateway_new (GrConfig *config)
{
  GrGateway *self;

  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (GR_TYPE_GATEWAY, NULL);
  self->config = config;
  return self;
}

static void
gr_gateway_finalize (GObject *object)
{
  GrGateway *self = GR_GATEWAY (object);

  gr_gateway_stop (self);
  if (self->new_admin_key != NULL)
    explicit_bzero (self->new_admin_key, strlen (self->new_admin_key));
  g_free (self->new_admin_key);
  g_free (self->error_message);
  gr_config_free (self->config);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);

  G_OBJECT_CLASS (gr_gateway_parent_class)->finalize (object);
}

static void
gr_gateway_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  GrGateway *self = GR_GATEWAY (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_gateway_class_init (GrGatewayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = gr_gateway_finalize;
  object_class->get_property = gr_gateway_get_property;

  /**
   * GrGateway:state:
   *
   * The #GrGatewayState, notified on the thread that starts and stops
   * the gateway.
   */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      GR_GATEWAY_STATE_STOPPED, GR_GATEWAY_STATE_ERROR,
                      GR_GATEWAY_STATE_STOPPED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gr_gateway_init (GrGateway *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
}
