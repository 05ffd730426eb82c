/* gr-discovery-browser.c — the gateways announced on the LAN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Browses _gaiarouter._tcp through avahi-daemon's D-Bus API with GDBus,
 * asynchronously (see gr-discovery-publisher.c for why not avahi-client):
 *
 *   Server.ServiceBrowserNew → ItemNew / ItemRemove signals on the browser
 *   object → Server.ResolveService for each new item → the list model
 *
 * Avahi reports an instance once per interface and protocol (eth0 IPv4,
 * eth0 IPv6, lo…).  We keep every resolution and show one item per name,
 * from the address a client is most likely to reach: routable IPv4 first,
 * then routable IPv6, then loopback; a link-local IPv6 address is useless
 * without its zone, so such an item carries the mDNS host name instead.
 *
 * Avahi may emit ItemNew before ServiceBrowserNew's reply tells us the
 * browser's object path, so we subscribe to every browser signal of the
 * daemon first and hold back what arrives before the reply.
 */
#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include "discovery/gr-discovery-browser.h"
#include "discovery/gr-avahi-watch.h"

#define MAX_EARLY_SIGNALS 256

typedef struct
{
  int                  interface;
  int                  protocol;
  char                *name;
  char                *domain;
  GrDiscoveredGateway *resolved;  /* NULL until resolved */
  int                  rank;      /* higher: a better address to show */
} Entry;

typedef struct
{
  char     *path;
  char     *signal;
  GVariant *parameters;
} EarlySignal;

struct _GrDiscoveryBrowser
{
  GObject           parent_instance;

  GrDiscoveryState  state;
  GrAvahiWatch      avahi;
  guint             signal_id;
  char             *browser_path; /* NULL until ServiceBrowserNew answers */
  GPtrArray        *early;        /* EarlySignal*: before browser_path */
  GPtrArray        *entries;      /* Entry*: every announcement seen */
  GPtrArray        *items;        /* GrDiscoveredGateway*: the model, by name */
};

static void gr_discovery_browser_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GrDiscoveryBrowser, gr_discovery_browser, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      gr_discovery_browser_list_model_init))

enum {
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
entry_free (Entry *entry)
{
  g_free (entry->name);
  g_free (entry->domain);
  g_clear_object (&entry->resolved);
  g_free (entry);
}

static void
early_signal_free (EarlySignal *early)
{
  g_free (early->path);
  g_free (early->signal);
  g_variant_unref (early->parameters);
  g_free (early);
}

static void
browser_set_state (GrDiscoveryBrowser *self,
                   GrDiscoveryState    state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

/* ---- the list model ---------------------------------------------------- */

static GType
browser_get_item_type (GListModel *model)
{
  return GR_TYPE_DISCOVERED_GATEWAY;
}

static guint
browser_get_n_items (GListModel *model)
{
  return GR_DISCOVERY_BROWSER (model)->items->len;
}

static gpointer
browser_get_item (GListModel *model,
                  guint       position)
{
  GrDiscoveryBrowser *self = GR_DISCOVERY_BROWSER (model);

  if (position >= self->items->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->items, position));
}

static void
gr_discovery_browser_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = browser_get_item_type;
  iface->get_n_items = browser_get_n_items;
  iface->get_item = browser_get_item;
}

static gboolean
browser_find_item (GrDiscoveryBrowser *self,
                   const char         *name,
                   guint              *position)
{
  for (guint i = 0; i < self->items->len; i++)
    if (g_str_equal (gr_discovered_gateway_get_name (g_ptr_array_index (self->items, i)), name))
      {
        *position = i;
        return TRUE;
      }
  return FALSE;
}

/* Makes the item called name show the best resolution of that name, or
 * removes it when none is left. */
static void
browser_update_item (GrDiscoveryBrowser *self,
                     const char         *name)
{
  GrDiscoveredGateway *best = NULL;
  int best_rank = -1;
  guint position = 0;
  gboolean shown = browser_find_item (self, name, &position);

  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);

      if (e->resolved != NULL && e->rank > best_rank && g_str_equal (e->name, name))
        {
          best = e->resolved;
          best_rank = e->rank;
        }
    }

  if (best == NULL && shown)
    {
      g_ptr_array_remove_index (self->items, position);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
    }
  else if (best != NULL && shown)
    {
      if (gr_discovered_gateway_equal (best, g_ptr_array_index (self->items, position)))
        return;
      g_object_unref (g_ptr_array_index (self->items, position));
      g_ptr_array_index (self->items, position) = g_object_ref (best);
      g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 1);
    }
  else if (best != NULL)
    {
      /* Sorted by name, so the list does not jump about as answers come. */
      for (position = 0; position < self->items->len; position++)
        if (g_utf8_collate (name, gr_discovered_gateway_get_name (g_ptr_array_index (self->items, position))) < 0)
          break;
      g_ptr_array_insert (self->items, position, g_object_ref (best));
      g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
    }
}

static void
browser_clear (GrDiscoveryBrowser *self)
{
  guint n = self->items->len;

  g_ptr_array_set_size (self->entries, 0);
  g_ptr_array_set_size (self->items, 0);
  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
}

/* ---- announcements ----------------------------------------------------- */

static Entry *
browser_find_entry (GrDiscoveryBrowser *self,
                    int                 interface,
                    int                 protocol,
                    const char         *name,
                    const char         *domain,
                    guint              *index)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      Entry *e = g_ptr_array_index (self->entries, i);

      if (e->interface == interface && e->protocol == protocol &&
          g_str_equal (e->name, name) && g_str_equal (e->domain, domain))
        {
          if (index != NULL)
            *index = i;
          return e;
        }
    }
  return NULL;
}

static int
address_rank (const char *text)
{
  g_autoptr(GInetAddress) address = g_inet_address_new_from_string (text);
  gboolean v4;

  if (address == NULL)
    return 0;
  v4 = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4;
  if (g_inet_address_get_is_link_local (address))
    return 1;
  if (g_inet_address_get_is_loopback (address))
    return v4 ? 3 : 2;
  return v4 ? 5 : 4;
}

static void
browser_resolve_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GrDiscoveryBrowser) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gr_avahi_watch_call_finish (source, result, &error);
  g_autoptr(GVariant) txt = NULL;
  g_autofree char *version = NULL;
  g_autofree char *tls = NULL;
  const char *name, *domain, *host, *address;
  int interface, protocol, aprotocol;
  guint16 port;
  Entry *entry;

  if (reply == NULL && error == NULL)
    return;
  if (reply == NULL)
    {
      /* Typically a gateway that left before answering: nothing to show. */
      g_debug ("LAN discovery: resolving a gateway failed: %s", error->message);
      return;
    }
  g_variant_get (reply, "(ii&s&s&s&si&sq@aayu)", &interface, &protocol, &name, NULL, &domain,
                 &host, &aprotocol, &address, &port, &txt, NULL);
  /* Gone (ItemRemove) while we were resolving it. */
  entry = browser_find_entry (self, interface, protocol, name, domain, NULL);
  if (entry == NULL)
    return;

  version = gr_avahi_txt_lookup (txt, "version");
  tls = gr_avahi_txt_lookup (txt, "tls");
  entry->rank = address_rank (address);
  g_clear_object (&entry->resolved);
  entry->resolved = gr_discovered_gateway_new (name, host, entry->rank == 1 ? host : address,
                                               port, version, g_strcmp0 (tls, "1") == 0);
  browser_update_item (self, name);
}

static void
browser_item_new (GrDiscoveryBrowser *self,
                  GVariant           *parameters)
{
  const char *name, *type, *domain;
  int interface, protocol;
  Entry *entry;

  g_variant_get (parameters, "(ii&s&s&su)", &interface, &protocol, &name, &type, &domain, NULL);
  if (browser_find_entry (self, interface, protocol, name, domain, NULL) != NULL)
    return;
  entry = g_new0 (Entry, 1);
  entry->interface = interface;
  entry->protocol = protocol;
  entry->name = g_strdup (name);
  entry->domain = g_strdup (domain);
  g_ptr_array_add (self->entries, entry);

  /* The address of the protocol it was announced on. */
  gr_avahi_watch_call (&self->avahi, GR_AVAHI_SERVER_PATH, GR_AVAHI_SERVER_IFACE, "ResolveService",
                       g_variant_new ("(iisssiu)", interface, protocol, name, type, domain,
                                      protocol, 0u),
                       G_VARIANT_TYPE ("(iissssisqaayu)"), browser_resolve_cb, g_object_ref (self));
}

static void
browser_item_remove (GrDiscoveryBrowser *self,
                     GVariant           *parameters)
{
  g_autofree char *name = NULL;
  const char *domain;
  int interface, protocol;
  guint index;

  g_variant_get (parameters, "(iis&s&su)", &interface, &protocol, &name, NULL, &domain, NULL);
  if (browser_find_entry (self, interface, protocol, name, domain, &index) == NULL)
    return;
  g_ptr_array_remove_index (self->entries, index);
  browser_update_item (self, name);
}

static void
browser_dispatch (GrDiscoveryBrowser *self,
                  const char         *signal,
                  GVariant           *parameters)
{
  if (g_str_equal (signal, "ItemNew") &&
      g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(iisssu)")))
    browser_item_new (self, parameters);
  else if (g_str_equal (signal, "ItemRemove") &&
           g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(iisssu)")))
    browser_item_remove (self, parameters);
  else if (g_str_equal (signal, "Failure"))
    {
      const char *error = "?";

      if (g_variant_is_of_type (parameters, G_VARIANT_TYPE ("(s)")))
        g_variant_get (parameters, "(&s)", &error);
      g_message ("LAN discovery: browsing for gateways failed: %s", error);
      browser_set_state (self, GR_DISCOVERY_STATE_FAILED);
    }
}

static void
browser_signal_cb (GDBusConnection *connection,
                   const char      *sender,
                   const char      *path,
                   const char      *iface,
                   const char      *signal,
                   GVariant        *parameters,
                   gpointer         user_data)
{
  GrDiscoveryBrowser *self = user_data;

  if (self->browser_path == NULL)
    {
      EarlySignal *early;

      if (self->early->len >= MAX_EARLY_SIGNALS)
        return;
      early = g_new0 (EarlySignal, 1);
      early->path = g_strdup (path);
      early->signal = g_strdup (signal);
      early->parameters = g_variant_ref (parameters);
      g_ptr_array_add (self->early, early);
      return;
    }
  if (g_str_equal (path, self->browser_path))
    browser_dispatch (self, signal, parameters);
}

/* ---- the daemon -------------------------------------------------------- */

static void
browser_new_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GrDiscoveryBrowser) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = gr_avahi_watch_call_finish (source, result, &error);
  g_autoptr(GPtrArray) early = NULL;

  if (reply == NULL && error == NULL)
    return;
  if (reply == NULL)
    {
      g_message ("LAN discovery: browsing for gateways failed: %s", error->message);
      browser_set_state (self, GR_DISCOVERY_STATE_FAILED);
      return;
    }
  g_variant_get (reply, "(o)", &self->browser_path);
  browser_set_state (self, GR_DISCOVERY_STATE_RUNNING);
  early = g_steal_pointer (&self->early);
  self->early = g_ptr_array_new_with_free_func ((GDestroyNotify) early_signal_free);
  for (guint i = 0; i < early->len; i++)
    {
      EarlySignal *e = g_ptr_array_index (early, i);

      if (g_str_equal (e->path, self->browser_path))
        browser_dispatch (self, e->signal, e->parameters);
    }
}

/* Forgets everything of the daemon's current run. */
static void
browser_end_session (GrDiscoveryBrowser *self)
{
  gr_avahi_watch_end_session (&self->avahi);
  if (self->avahi.bus != NULL && self->signal_id != 0)
    g_dbus_connection_signal_unsubscribe (self->avahi.bus, self->signal_id);
  self->signal_id = 0;
  g_clear_pointer (&self->browser_path, g_free);
  g_ptr_array_set_size (self->early, 0);
  browser_clear (self);
}

static void
browser_avahi_appeared_cb (GDBusConnection *connection,
                           const char      *name,
                           const char      *owner,
                           gpointer         user_data)
{
  GrDiscoveryBrowser *self = user_data;

  browser_end_session (self);
  gr_avahi_watch_begin_session (&self->avahi);
  self->signal_id =
    g_dbus_connection_signal_subscribe (connection, GR_AVAHI_BUS_NAME, GR_AVAHI_SERVICE_BROWSER_IFACE,
                                        NULL, NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
                                        browser_signal_cb, self, NULL);
  browser_set_state (self, GR_DISCOVERY_STATE_REGISTERING);
  /* Every interface and protocol, the default domain (.local). */
  gr_avahi_watch_call (&self->avahi, GR_AVAHI_SERVER_PATH, GR_AVAHI_SERVER_IFACE, "ServiceBrowserNew",
                       g_variant_new ("(iissu)", GR_AVAHI_IF_UNSPEC, GR_AVAHI_PROTO_UNSPEC,
                                      GR_DISCOVERY_SERVICE_TYPE, "", 0u),
                       G_VARIANT_TYPE ("(o)"), browser_new_cb, g_object_ref (self));
}

static void
browser_avahi_vanished_cb (GDBusConnection *connection,
                           const char      *name,
                           gpointer         user_data)
{
  GrDiscoveryBrowser *self = user_data;

  if (self->state != GR_DISCOVERY_STATE_WAITING)
    g_message ("LAN discovery: avahi-daemon is not running; no gateways will be found until it is");
  browser_end_session (self);
  browser_set_state (self, GR_DISCOVERY_STATE_WAITING);
}

static void
browser_unavailable_cb (gpointer user_data)
{
  browser_set_state (user_data, GR_DISCOVERY_STATE_UNAVAILABLE);
}

void
gr_discovery_browser_start (GrDiscoveryBrowser *self)
{
  g_return_if_fail (GR_IS_DISCOVERY_BROWSER (self));

  if (gr_avahi_watch_is_started (&self->avahi))
    return;
  if (!gr_discovery_is_built ())
    {
      browser_set_state (self, GR_DISCOVERY_STATE_UNAVAILABLE);
      return;
    }
  gr_avahi_watch_start (&self->avahi, G_OBJECT (self), browser_avahi_appeared_cb,
                        browser_avahi_vanished_cb, browser_unavailable_cb);
  /* "registering" until we know whether avahi-daemon is there, so the
   * first "waiting" is news worth a log line. */
  browser_set_state (self, GR_DISCOVERY_STATE_REGISTERING);
}

void
gr_discovery_browser_stop (GrDiscoveryBrowser *self)
{
  g_return_if_fail (GR_IS_DISCOVERY_BROWSER (self));

  if (!gr_avahi_watch_is_started (&self->avahi))
    return;
  gr_avahi_watch_free (&self->avahi, self->browser_path, GR_AVAHI_SERVICE_BROWSER_IFACE);
  browser_end_session (self);
  gr_avahi_watch_stop (&self->avahi);
  browser_set_state (self, GR_DISCOVERY_STATE_STOPPED);
}

GrDiscoveryState
gr_discovery_browser_get_state (GrDiscoveryBrowser *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERY_BROWSER (self), GR_DISCOVERY_STATE_FAILED);
  return self->state;
}

GrDiscoveredGateway *
gr_discovery_browser_lookup (GrDiscoveryBrowser *self,
                             const char         *name)
{
  guint position;

  g_return_val_if_fail (GR_IS_DISCOVERY_BROWSER (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (!browser_find_item (self, name, &position))
    return NULL;
  return g_ptr_array_index (self->items, position);
}

GrDiscoveryBrowser *
gr_discovery_browser_new (void)
{
  return g_object_new (GR_TYPE_DISCOVERY_BROWSER, NULL);
}

static void
gr_discovery_browser_dispose (GObject *object)
{
  gr_discovery_browser_stop (GR_DISCOVERY_BROWSER (object));

  G_OBJECT_CLASS (gr_discovery_browser_parent_class)->dispose (object);
}

static void
gr_discovery_browser_finalize (GObject *object)
{
  GrDiscoveryBrowser *self = GR_DISCOVERY_BROWSER (object);

  g_ptr_array_unref (self->early);
  g_ptr_array_unref (self->entries);
  g_ptr_array_unref (self->items);

  G_OBJECT_CLASS (gr_discovery_browser_parent_class)->finalize (object);
}

static void
gr_discovery_browser_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  GrDiscoveryBrowser *self = GR_DISCOVERY_BROWSER (object);

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
gr_discovery_browser_class_init (GrDiscoveryBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = gr_discovery_browser_dispose;
  object_class->finalize = gr_discovery_browser_finalize;
  object_class->get_property = gr_discovery_browser_get_property;

  /**
   * GrDiscoveryBrowser:state:
   *
   * The #GrDiscoveryState: RUNNING while Avahi browses for us, WAITING
   * while avahi-daemon is not running, UNAVAILABLE without a system bus.
   */
  properties[PROP_STATE] =
    g_param_spec_int ("state", NULL, NULL,
                      GR_DISCOVERY_STATE_STOPPED, GR_DISCOVERY_STATE_FAILED,
                      GR_DISCOVERY_STATE_STOPPED,
                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
gr_discovery_browser_init (GrDiscoveryBrowser *self)
{
  self->early = g_ptr_array_new_with_free_func ((GDestroyNotify) early_signal_free);
  self->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  self->items = g_ptr_array_new_with_free_func (g_object_unref);
}
