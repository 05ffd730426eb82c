/* gr-avahi-watch.h — the system bus and avahi-daemon on it, as the LAN
 * discovery publisher and browser both follow them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Called when there is no system bus to reach avahi-daemon through (the
 * reason is logged already); user_data is the owner. */
typedef void (*GrAvahiUnavailableFunc) (gpointer user_data);

/* Held inside its owner (a publisher or browser object) and living as
 * long as it; all zero when stopped. */
typedef struct
{
  GCancellable    *cancellable;  /* from start to stop */
  GCancellable    *session;      /* while avahi-daemon owns its name */
  GDBusConnection *bus;
  guint            watch_id;

  /*< private >*/
  GObject                  *owner;
  GBusNameAppearedCallback  appeared;
  GBusNameVanishedCallback  vanished;
  GrAvahiUnavailableFunc    unavailable;
} GrAvahiWatch;

gboolean  gr_avahi_watch_is_started    (GrAvahiWatch *watch);
/* Gets the system bus asynchronously, then watches org.freedesktop.Avahi:
 * appeared and vanished get owner as their user data, as does unavailable
 * when there is no bus. */
void      gr_avahi_watch_start         (GrAvahiWatch             *watch,
                                        GObject                  *owner,
                                        GBusNameAppearedCallback  appeared,
                                        GBusNameVanishedCallback  vanished,
                                        GrAvahiUnavailableFunc    unavailable);
/* Cancels the session and forgets the bus and the name watch; the owner
 * withdraws what it has on the bus before. */
void      gr_avahi_watch_stop          (GrAvahiWatch *watch);

/* A new daemon session (avahi-daemon appeared): a fresh cancellable. */
void      gr_avahi_watch_begin_session (GrAvahiWatch *watch);
/* Cancels the calls of the daemon's current run. */
void      gr_avahi_watch_end_session   (GrAvahiWatch *watch);

/* Frees avahi-daemon's object at path (an entry group, a browser), if
 * any, outside any session: it is sent even if no main loop runs after. */
void      gr_avahi_watch_free          (GrAvahiWatch *watch,
                                        const char   *path,
                                        const char   *iface);
/* A call to avahi-daemon in the current session, never starting it. */
void      gr_avahi_watch_call          (GrAvahiWatch        *watch,
                                        const char          *path,
                                        const char          *iface,
                                        const char          *method,
                                        GVariant            *parameters,
                                        const GVariantType  *reply_type,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data);
/* The reply of gr_avahi_watch_call(), or NULL with error set; NULL and no
 * error when the session ended meanwhile. */
GVariant *gr_avahi_watch_call_finish   (GObject       *source,
                                        GAsyncResult  *result,
                                        GError       **error);

G_END_DECLS
