/* gr-avahi-watch.c — the system bus and avahi-daemon on it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Everything here is asynchronous (see gr-discovery-publisher.c for why
 * GDBus and not avahi-client).  Each daemon "session" has its own
 * GCancellable, so a late reply from a daemon that went away is dropped
 * rather than applied to the new one.
 */
#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include "discovery/gr-avahi-watch.h"
#include "discovery/gr-avahi.h"

#define CALL_TIMEOUT_MS 10000

gboolean
gr_avahi_watch_is_started (GrAvahiWatch *watch)
{
  return watch->cancellable != NULL;
}

static void
watch_bus_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GrAvahiWatch *watch = user_data;
  /* The reference gr_avahi_watch_start() took keeps the watch alive. */
  g_autoptr(GObject) owner = watch->owner;
  g_autoptr(GError) error = NULL;
  GDBusConnection *bus = g_bus_get_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* Stopped (or stopped and started again) while connecting. */
  if (bus != NULL && (watch->cancellable == NULL || watch->bus != NULL))
    {
      g_object_unref (bus);
      return;
    }
  if (bus == NULL)
    {
      g_message ("LAN discovery is off: no system D-Bus to reach avahi-daemon (%s)", error->message);
      watch->unavailable (owner);
      return;
    }
  watch->bus = bus;
  watch->watch_id = g_bus_watch_name_on_connection (bus, GR_AVAHI_BUS_NAME, G_BUS_NAME_WATCHER_FLAGS_NONE,
                                                    watch->appeared, watch->vanished,
                                                    owner, NULL);
}

void
gr_avahi_watch_start (GrAvahiWatch             *watch,
                      GObject                  *owner,
                      GBusNameAppearedCallback  appeared,
                      GBusNameVanishedCallback  vanished,
                      GrAvahiUnavailableFunc    unavailable)
{
  g_return_if_fail (watch->cancellable == NULL);

  watch->owner = owner;
  watch->appeared = appeared;
  watch->vanished = vanished;
  watch->unavailable = unavailable;
  watch->cancellable = g_cancellable_new ();
  g_bus_get (G_BUS_TYPE_SYSTEM, watch->cancellable, watch_bus_cb, watch);
  g_object_ref (owner);
}

void
gr_avahi_watch_stop (GrAvahiWatch *watch)
{
  g_cancellable_cancel (watch->cancellable);
  g_clear_object (&watch->cancellable);
  gr_avahi_watch_end_session (watch);
  if (watch->watch_id != 0)
    g_bus_unwatch_name (watch->watch_id);
  watch->watch_id = 0;
  g_clear_object (&watch->bus);
}

void
gr_avahi_watch_begin_session (GrAvahiWatch *watch)
{
  gr_avahi_watch_end_session (watch);
  watch->session = g_cancellable_new ();
}

void
gr_avahi_watch_end_session (GrAvahiWatch *watch)
{
  g_cancellable_cancel (watch->session);
  g_clear_object (&watch->session);
}

void
gr_avahi_watch_free (GrAvahiWatch *watch,
                     const char   *path,
                     const char   *iface)
{
  /* GDBus sends from its own thread, so this leaves even if no main loop
   * runs afterwards. */
  if (watch->bus != NULL && path != NULL)
    g_dbus_connection_call (watch->bus, GR_AVAHI_BUS_NAME, path, iface, "Free", NULL, NULL,
                            G_DBUS_CALL_FLAGS_NO_AUTO_START, -1, NULL, NULL, NULL);
}

void
gr_avahi_watch_call (GrAvahiWatch        *watch,
                     const char          *path,
                     const char          *iface,
                     const char          *method,
                     GVariant            *parameters,
                     const GVariantType  *reply_type,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_dbus_connection_call (watch->bus, GR_AVAHI_BUS_NAME, path, iface, method,
                          parameters, reply_type, G_DBUS_CALL_FLAGS_NO_AUTO_START,
                          CALL_TIMEOUT_MS, watch->session, callback, user_data);
}

GVariant *
gr_avahi_watch_call_finish (GObject       *source,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  GVariant *reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &local_error);

  if (reply == NULL && !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_propagate_error (error, g_steal_pointer (&local_error));
  return reply;
}
