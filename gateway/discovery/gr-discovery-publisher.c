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
 * goes away its objects go with it; when it comes back we start over
 * (gr-avahi-watch.c follows the bus and the daemon's sessions).
 */
#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include "discovery/gr-discovery-publisher.h"
#include "discovery/gr-avahi-watch.h"

struct _GrDiscoveryPublisher
{
  GObject           parent_instance;

  char             *name;
  guint16           port;
  int               interface;
  int               protocol;
  char            **txt;
  GrDiscoveryState  state;

  GrAvahiWatch      avahi;
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
  gr_avahi_watch_call (&self->avahi, path, iface, method, parameters, reply_type,
                       callback, callback != NULL ? g_object_ref (self) : NULL);
}

/* The reply of a call made with publisher_call(); NULL when the session
 * ended meanwhile, or when the call failed: then the publisher failed
 * at what. */
static GVariant *
publisher_call_finish (GrDiscoveryPublisher *self,
                       GObject              *source,
                       GAsyncResult         *result,
                       const char           *what)
{
  g_autoptr(GError) error = NULL;
  GVariant *reply = gr_avahi_watch_call_finish (source, result, &error);

  if (error != NULL)
    publisher_fail (self, what, error->message);
  return reply;
}

static void
publisher_commit_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GVariant) reply = publisher_call_finish (self, source, result, "committing the service");
}

static void
publisher_add_service_cb (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gr_avahi_watch_call_finish (source, result, &error);
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
  g_autoptr(GVariant) reply = publisher_call_finish (self, source, result, "resetting the service");

  if (reply != NULL)
    publisher_add_service (self);
}

static void
publisher_alternative_name_cb (GObject      *source,
                               GAsyncResult *result,
                               gpointer      user_data)
{
  g_autoptr(GrDiscoveryPublisher) self = user_data;
  g_autoptr(GVariant) reply = publisher_call_finish (self, source, result, "choosing another name");
  const char *name = NULL;

  if (reply == NULL)
    return;
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
  g_autoptr(GVariant) reply = gr_avahi_watch_call_finish (source, result, &error);

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
    g_dbus_connection_signal_subscribe (self->avahi.bus, GR_AVAHI_BUS_NAME, GR_AVAHI_ENTRY_GROUP_IFACE,
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
  g_autoptr(GVariant) reply = publisher_call_finish (self, source, result,
                                                     "asking avahi-daemon for its state");
  int state = 0;

  if (reply == NULL)
    return;
  g_variant_get (reply, "(i)", &state);
  publisher_server_state (self, state);
}

/* Forgets everything of the daemon's current run. */
static void
publisher_end_session (GrDiscoveryPublisher *self)
{
  gr_avahi_watch_end_session (&self->avahi);
  if (self->avahi.bus != NULL && self->server_signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->avahi.bus, self->server_signal_id);
  if (self->avahi.bus != NULL && self->group_signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->avahi.bus, self->group_signal_id);
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
  gr_avahi_watch_begin_session (&self->avahi);
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
publisher_unavailable_cb (gpointer user_data)
{
  publisher_set_state (user_data, GR_DISCOVERY_STATE_UNAVAILABLE);
}

void
gr_discovery_publisher_start (GrDiscoveryPublisher *self)
{
  g_return_if_fail (GR_IS_DISCOVERY_PUBLISHER (self));

  if (gr_avahi_watch_is_started (&self->avahi))
    return;
  if (!gr_discovery_is_built ())
    {
      g_message ("LAN discovery is off: built without it (-Davahi=disabled)");
      publisher_set_state (self, GR_DISCOVERY_STATE_UNAVAILABLE);
      return;
    }
  self->said_waiting = FALSE;
  gr_avahi_watch_start (&self->avahi, G_OBJECT (self), publisher_avahi_appeared_cb,
                        publisher_avahi_vanished_cb, publisher_unavailable_cb);
  publisher_set_state (self, GR_DISCOVERY_STATE_WAITING);
}

void
gr_discovery_publisher_stop (GrDiscoveryPublisher *self)
{
  g_return_if_fail (GR_IS_DISCOVERY_PUBLISHER (self));

  if (!gr_avahi_watch_is_started (&self->avahi))
    return;
  /* Withdraw now rather than when our bus connection closes: the app
   * stops its gateway without quitting. */
  gr_avahi_watch_free (&self->avahi, self->group_path, GR_AVAHI_ENTRY_GROUP_IFACE);
  publisher_end_session (self);
  gr_avahi_watch_stop (&self->avahi);
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
