/* gr-discovery-publisher.c — announces a gateway on the LAN (DNS-SD)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * We talk to avahi-daemon over D-Bus with GDBus rather than through
 * libavahi-client: avahi-client makes blocking D-Bus round trips
 * (dbus_connection_send_with_reply_and_block) in avahi_client_new() and in
 * every entry-group call, which would stall the app's UI thread or the
 * daemon's main loop for up to the D-Bus timeout when avahi-daemon hangs.
 * GDBus calls are asynchronous, need no library beyond GIO, and give the
 * same D-Bus API avahi-client wraps (org.freedesktop.Avahi.Server,
 * .EntryGroup).  A Flatpak reaches it with
 * --system-talk-name=org.freedesktop.Avahi.
 *
 * The publisher never runs on a gateway event-loop thread: it lives on the
 * thread-default context of whoever started the gateway (gaiarouterd's
 * main loop, the app's UI thread).  Its life:
 *
 *   system bus → watch org.freedesktop.Avahi → (appears) Server.GetState
 *   → RUNNING: EntryGroupNew → AddService → Commit → group ESTABLISHED
 *
 * A name collision (AddService's CollisionError for a local clash, group
 * state COLLISION for one on the network) asks Avahi for the alternative
 * name ("GaiaRouter on box #2") and registers again.  When avahi-daemon
 * goes away its objects go with it; when it comes back we start over.
 * Each daemon "session" has its own GCancellable, so a late reply from a
 * daemon that went away is dropped rather than applied to the new one.
 */
#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include "discovery/gr-discovery-publisher.h"

#define CALL_TIMEOUT_MS 10000

struct _GrDiscoveryPublisher
{
  GObject           parent_instance;

  char             *name;
  guint16           port;
  int               interface;
  int               protocol;
  char            **txt;
  GrDiscoveryState  state;

  GCancellable     *cancellable;  /* from start to stop */
  GCancellable     *session;      /* while avahi-daemon owns its name */
  GDBusConnection  *bus;
  guint             watch_id;
  guint             server_signal_id;
  guint             group_signal_id;
  char             *group_path;
  gboolean          creating_group;
  gboolean          avahi_seen;   /* for the log: "went away" vs "not running" */
  gboolean          said_waiting;
};

G_DEFINE_FINAL_TYPE (GrDiscoveryPublisher, gr_discovery_publisher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STATE,
  PROP_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void publisher_create_group (GrDiscoveryPublisher *self);
static void publisher_add_service  (GrDiscoveryPublisher *self);
static void publisher_rename       (GrDiscoveryPublisher *self);

static void
publisher_set_state (GrDiscoveryPublisher *self,
                     GrDiscoveryState      state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
publisher_fail (GrDiscoveryPublisher *self,
                const char           *what,
                const char           *why)
{
  g_message ("LAN discovery: %s failed (%s); the gateway is not advertised", what, why);
  publisher_set_state (self, GR_DISCOVERY_STATE_FAILED);
}

/* A call to avahi-daemon in the current session; the callback gets a
 * reference to self. */
static void
publisher_call (GrDiscoveryPublisher *self,
                const char           *path,
                const char           *iface,
                const char           *method,
                GVariant             *parameters,
                const GVariantType   *reply_type,
                GAsyncReadyCallback   callback)
{
  g_dbus_connection_call (self->bus, GR_AVAHI_BUS_NAME, path, iface, method,
                          parameters, reply_type, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          CALL_TIMEOUT_MS, self->session, callback,
                          callback != NULL ? g_object_ref (self) : NULL);
}

/* The reply of a call made with publisher_call(), or NULL with error set;
 * NULL and no error when the session ended meanwhile. */
static GVariant *
publisher_call_finish (GObject       *source,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &local_error);

  if (reply == NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return reply;
}

static void
publisher_commit_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = publisher_call_finish (source, result, &error);

  if (error != NULL)
    publisher_fail (self, "committing the service", error->message);
}

static void
publisher_add_service_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = publisher_call_finish (source, result, &error);
  g_autofree char *remote = NULL;

  if (reply == NULL && error == NULL)
    return;
  if (error != NULL)
    {
      remote = g_dbus_error_get_remote_error (error);
      /* Another service of this host already has the name (a second
       * gateway on this computer): take the next one. */
      if (g_strcmp0 (remote, GR_AVAHI_ERROR_COLLISION) == 0)
        publisher_rename (self);
      else
        publisher_fail (self, "adding the service", error->message);
      return;
    }
  publisher_call (self, self->group_path, GR_AVAHI_ENTRY_GROUP_IFACE, "Commit",
                  NULL, NULL, publisher_commit_cb);
}

static void
publisher_add_service (GrDiscoveryPublisher *self)
{
  GVariant *txt = gr_avahi_txt_new ((const char * const *) self->txt);

  publisher_set_state (self, GR_DISCOVERY_STATE_REGISTERING);
  /* Empty domain and host: Avahi's defaults (.local and this host). */
  publisher_call (self, self->group_path, GR_AVAHI_ENTRY_GROUP_IFACE, "AddService",
                  g_variant_new ("(iiussssq@aay)", self->interface, self->protocol, 0u,
                                 self->name, GR_DISCOVERY_SERVICE_TYPE, "", "",
                                 self->port, txt),
                  NULL, publisher_add_service_cb);
}

static void
publisher_reset_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = publisher_call_finish (source, result, &error);

  if (reply == NULL && error == NULL)
    return;
  if (error != NULL)
    publisher_fail (self, "resetting the service", error->message);
  else
    publisher_add_service (self);
}

static void
publisher_alternative_name_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = publisher_call_finish (source, result, &error);
  const char *name = NULL;

  if (reply == NULL && error == NULL)
    return;
  if (error != NULL)
    {
      publisher_fail (self, "choosing another name", error->message);
      return;
    }
  g_variant_get (reply, "(&s)", &name);
  g_message ("LAN discovery: the name “%s” is taken; trying “%s”", self->name, name);
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  /* The group may hold the old registration (a collision on the
   * network): empty it before adding the service under the new name. */
  publisher_call (self, self->group_path, GR_AVAHI_ENTRY_GROUP_IFACE, "Reset",
                  NULL, NULL, publisher_reset_cb);
}

static void
publisher_rename (GrDiscoveryPublisher *self)
{
  publisher_call (self, GR_AVAHI_SERVER_PATH, GR_AVAHI_SERVER_IFACE, "GetAlternativeServiceName",
                  g_variant_new ("(s)", self->name), G_VARIANT_TYPE ("(s)"),
                  publisher_alternative_name_cb);
}

static void
publisher_group_state_cb (GDBusConnection *connection,
                          const char      *sender,
                          const char      *path,
                          const char      *iface,
                          const char      *signal,
                          GVariant        *parameters,
                          gpointer         user_data)
{
  GrDiscoveryPublisher *self = user_data;
  const char *error = NULL;
  int state = 0;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(is)")))
    return;
  g_variant_get (parameters, "(i&s)", &state, &error);
  switch (state)
    {
    case GR_AVAHI_GROUP_ESTABLISHED:
      g_message ("LAN discovery: advertising “%s” (%s, port %u)", self->name,
                 GR_DISCOVERY_SERVICE_TYPE, self->port);
      publisher_set_state (self, GR_DISCOVERY_STATE_RUNNING);
      break;
    case GR_AVAHI_GROUP_COLLISION:
      publisher_rename (self);
      break;
    case GR_AVAHI_GROUP_FAILURE:
      publisher_fail (self, "announcing the service", error);
      break;
    case GR_AVAHI_GROUP_REGISTERING:
      publisher_set_state (self, GR_DISCOVERY_STATE_REGISTERING);
      break;
    default:
      break;
    }
}

static void
publisher_group_new_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = publisher_call_finish (source, result, &error);

  if (reply == NULL && error == NULL)
    return;
  self->creating_group = FALSE;
  if (error != NULL)
    {
      publisher_fail (self, "creating an entry group", error->message);
      return;
    }
  g_variant_get (reply, "(o)", &self->group_path);
  self->group_signal_id =
    g_dbus_connection_signal_subscribe (self->bus, GR_AVAHI_BUS_NAME, GR_AVAHI_ENTRY_GROUP_IFACE,
                                        "StateChanged", self->group_path, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE, publisher_group_state_cb,
                                        self, NULL);
  publisher_add_service (self);
}

static void
publisher_create_group (GrDiscoveryPublisher *self)
{
  if (self->group_path != NULL || self->creating_group)
    return;
  self->creating_group = TRUE;
  publisher_call (self, GR_AVAHI_SERVER_PATH, GR_AVAHI_SERVER_IFACE, "EntryGroupNew",
                  NULL, G_VARIANT_TYPE ("(o)"), publisher_group_new_cb);
}

static void
publisher_server_state (GrDiscoveryPublisher *self,
                        int                   state)
{
  switch (state)
    {
    case GR_AVAHI_SERVER_RUNNING:
      if (self->group_path == NULL)
        publisher_create_group (self);
      else if (self->state == GR_DISCOVERY_STATE_WAITING)
        publisher_add_service (self);
      break;
    case GR_AVAHI_SERVER_REGISTERING:
    case GR_AVAHI_SERVER_COLLISION:
      /* The host name is being (re)established: our records name it, so
       * withdraw them and add them again once the server runs. */
      publisher_set_state (self, GR_DISCOVERY_STATE_WAITING);
      if (self->group_path != NULL)
        publisher_call (self, self->group_path, GR_AVAHI_ENTRY_GROUP_IFACE, "Reset",
                        NULL, NULL, NULL);
      break;
    case GR_AVAHI_SERVER_FAILURE:
      publisher_fail (self, "avahi-daemon", "its server is in the failure state");
      break;
    default:
      break;
    }
}

static void
publisher_server_state_changed_cb (GDBusConnection *connection,
                                   const char      *sender,
                                   const char      *path,
                                   const char      *iface,
                                   const char      *signal,
                                   GVariant        *parameters,
                                   gpointer         user_data)
{
  int state = 0;

  if (!g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(is)")))
    return;
  g_variant_get (parameters, "(is)", &state, NULL);
  publisher_server_state (user_data, state);
}

static void
publisher_get_state_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = publisher_call_finish (source, result, &error);
  int state = 0;

  if (reply == NULL && error == NULL)
    return;
  if (error != NULL)
    {
      publisher_fail (self, "asking avahi-daemon for its state", error->message);
      return;
    }
  g_variant_get (reply, "(i)", &state);
  publisher_server_state (self, state);
}

/* Forgets everything of the daemon's current run. */
static void
publisher_end_session (GrDiscoveryPublisher *self)
{
  g_cancellable_cancel (self->session);
  g_clear_object (&self->session);
  if (self->bus != NULL && self->server_signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->server_signal_id);
  if (self->bus != NULL && self->group_signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->bus, self->group_signal_id);
  self->server_signal_id = 0;
  self->group_signal_id = 0;
  g_clear_pointer (&self->group_path, g_free);
  self->creating_group = FALSE;
}

static void
publisher_avahi_appeared_cb (GDBusConnection *connection,
                             const char      *name,
                             const char      *owner,
                             gpointer         user_data)
{
  GrDiscoveryPublisher *self = user_data;

  publisher_end_session (self);
  self->session = g_cancellable_new ();
  self->avahi_seen = TRUE;
  self->server_signal_id =
    g_dbus_connection_signal_subscribe (connection, GR_AVAHI_BUS_NAME, GR_AVAHI_SERVER_IFACE,
                                        "StateChanged", GR_AVAHI_SERVER_PATH, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        publisher_server_state_changed_cb, self, NULL);
  publisher_set_state (self, GR_DISCOVERY_STATE_WAITING);
  publisher_call (self, GR_AVAHI_SERVER_PATH, GR_AVAHI_SERVER_IFACE, "GetState",
                  NULL, G_VARIANT_TYPE ("(i)"), publisher_get_state_cb);
}

static void
publisher_avahi_vanished_cb (GDBusConnection *connection,
                             const char      *name,
                             gpointer         user_data)
{
  GrDiscoveryPublisher *self = user_data;

  publisher_end_session (self);
  publisher_set_state (self, GR_DISCOVERY_STATE_WAITING);
  if (self->avahi_seen)
    g_message ("LAN discovery: avahi-daemon stopped; the gateway will be advertised again when it is back");
  else if (!self->said_waiting)
    g_message ("LAN discovery: avahi-daemon is not running (no %s on the system bus); "
               "the gateway will be advertised once it starts", GR_AVAHI_BUS_NAME);
  self->said_waiting = TRUE;
  self->avahi_seen = FALSE;
}

static void
publisher_bus_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Stopped (or stopped and started again) while connecting. */
  if (bus != NULL && (self->cancellable == NULL || self->bus != NULL))
    {
      g_object_unref (bus);
      return;
    }
  if (bus == NULL)
    {
      g_message ("LAN discovery is off: no system D-Bus to reach avahi-daemon (%s)", error->message);
      publisher_set_state (self, GR_DISCOVERY_STATE_UNAVAILABLE);
      return;
    }
  self->bus = bus;
  self->watch_id = g_bus_watch_name_on_connection (bus, GR_AVAHI_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                   publisher_avahi_appeared_cb,
                                                   publisher_avahi_vanished_cb,
                                                   self, NULL);
}

void
gr_discovery_publisher_start (GrDiscoveryPublisher *self)
{
  g_return_if_fail (GR_IS_DISCOVERY_PUBLISHER (self));

  if (self->cancellable != NULL)
    return;
  if (!gr_discovery_is_built ())
    {
      g_message ("LAN discovery is off: built without it (-Davahi=disabled)");
      publisher_set_state (self, GR_DISCOVERY_STATE_UNAVAILABLE);
      return;
    }
  self->cancellable = g_cancellable_new ();
  self->said_waiting = FALSE;
  publisher_set_state (self, GR_DISCOVERY_STATE_WAITING);
  g_bus_get (G_BUS_TYPE_SYSTEM, self->cancellable, publisher_bus_cb, g_object_ref (self));
}

void
gr_discovery_publisher_stop (GrDiscoveryPublisher *self)
{
  g_return_if_fail (GR_IS_DISCOVERY_PUBLISHER (self));

  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* Withdraw now rather than when our bus connection closes: the app
   * stops its gateway without quitting.  GDBus sends from its own thread,
   * so this leaves even if no main loop runs afterwards. */
  if (self->bus != NULL && self->group_path != NULL)
    g_dbus_connection_call (self->bus, GR_AVAHI_BUS_NAME, self->group_path,
                            GR_AVAHI_ENTRY_GROUP_IFACE, "Free", NULL, NULL,
                            G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
  publisher_end_session (self);
  if (self->watch_id != 0)
    g_bus_unwatch_name (self->watch_id);
  self->watch_id = 0;
  g_clear_object (&self->bus);
  publisher_set_state (self, GR_DISCOVERY_STATE_STOPPED);
}

GrDiscoveryState
gr_discovery_publisher_get_state (GrDiscoveryPublisher *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERY_PUBLISHER (self), GR_DISCOVERY_STATE_FAILED);
  return self->state;
}

const char *
gr_discovery_publisher_get_name (GrDiscoveryPublisher *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERY_PUBLISHER (self), NULL);
  return self->name;
}

guint16
gr_discovery_publisher_get_port (GrDiscoveryPublisher *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERY_PUBLISHER (self), 0);
  return self->port;
}

GrDiscoveryPublisher *
gr_discovery_publisher_new (const char         *name,
                            guint16             port,
                            int                 interface,
                            int                 protocol,
                            const char * const *txt)
{
  GrDiscoveryPublisher *self;

  g_return_val_if_fail (name != NULL && *name != '\0', NULL);
  g_return_val_if_fail (port != 0, NULL);

  self = g_object_new (GR_TYPE_DISCOVERY_PUBLISHER, NULL);
  self->name = gr_avahi_truncate_name (name);
  self->port = port;
  self->interface = interface;
  self->protocol = protocol;
  self->txt = g_strdupv ((char **) txt);
  return self;
}

static void
gr_discovery_publisher_dispose (GObject *object)
{
  gr_discovery_publisher_stop (GR_DISCOVERY_PUBLISHER (object));

  G_OBJECT_CLASS (gr_discovery_publisher_parent_class)->dispose (object);
}

static void
gr_discovery_publisher_finalize (GObject *object)
{
  GrDiscoveryPublisher *self = GR_DISCOVERY_PUBLISHER (object);

  g_free (self->name);
  g_strfreev (self->txt);

  G_OBJECT_CLASS (gr_discovery_publisher_parent_class)->finalize (object);
}

static void
gr_discovery_publisher_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  GrDiscoveryPublisher *self = GR_DISCOVERY_PUBLISHER (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_discovery_publisher_class_init (GrDiscoveryPublisherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gr_discovery_publisher_dispose;
  object_class->finalize = gr_discovery_publisher_finalize;
  object_class->get_property = gr_discovery_publisher_get_property;

  /**
   * GrDiscoveryPublisher:state:
   *
   * The #GrDiscoveryState; RUNNING once Avahi established the service.
   */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      GR_DISCOVERY_STATE_STOPPED, GR_DISCOVERY_STATE_FAILED,
                      GR_DISCOVERY_STATE_STOPPED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * GrDiscoveryPublisher:name:
   *
   * The service instance name in use.
   */
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gr_discovery_publisher_init (GrDiscoveryPublisher *self)
{
}
