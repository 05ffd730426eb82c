/* gr-avahi.h — what the LAN discovery objects share: Avahi's D-Bus names
 * and constants, TXT records, where a listen address is advertised
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The DNS-SD service type of a GaiaRouter gateway. */
#define GR_DISCOVERY_SERVICE_TYPE "_gaiarouter._tcp"

/* Avahi's D-Bus API (avahi-daemon/org.freedesktop.Avahi.*.xml). */
#define GR_AVAHI_BUS_NAME              "org.freedesktop.Avahi"
#define GR_AVAHI_SERVER_PATH           "/"
#define GR_AVAHI_SERVER_IFACE          "org.freedesktop.Avahi.Server"
#define GR_AVAHI_ENTRY_GROUP_IFACE     "org.freedesktop.Avahi.EntryGroup"
#define GR_AVAHI_SERVICE_BROWSER_IFACE "org.freedesktop.Avahi.ServiceBrowser"
#define GR_AVAHI_ERROR_COLLISION       "org.freedesktop.Avahi.CollisionError"

#define GR_AVAHI_IF_UNSPEC     (-1)
#define GR_AVAHI_PROTO_UNSPEC  (-1)
#define GR_AVAHI_PROTO_INET    0
#define GR_AVAHI_PROTO_INET6   1

/* AvahiServerState */
#define GR_AVAHI_SERVER_REGISTERING 1
#define GR_AVAHI_SERVER_RUNNING     2
#define GR_AVAHI_SERVER_COLLISION   3
#define GR_AVAHI_SERVER_FAILURE     4

/* AvahiEntryGroupState */
#define GR_AVAHI_GROUP_UNCOMMITED  0
#define GR_AVAHI_GROUP_REGISTERING 1
#define GR_AVAHI_GROUP_ESTABLISHED 2
#define GR_AVAHI_GROUP_COLLISION   3
#define GR_AVAHI_GROUP_FAILURE     4

/* DNS labels hold at most 63 bytes; Avahi refuses longer service names. */
#define GR_AVAHI_MAX_NAME 63

typedef enum
{
  GR_DISCOVERY_STATE_STOPPED,
  /* Built without discovery, or no system bus: nothing will happen. */
  GR_DISCOVERY_STATE_UNAVAILABLE,
  /* The bus is there but avahi-daemon is not (yet): waiting for it. */
  GR_DISCOVERY_STATE_WAITING,
  GR_DISCOVERY_STATE_REGISTERING,
  /* Publisher: announced.  Browser: browsing. */
  GR_DISCOVERY_STATE_RUNNING,
  GR_DISCOVERY_STATE_FAILED,
} GrDiscoveryState;

/* TRUE unless built with -Davahi=disabled. */
gboolean    gr_discovery_is_built        (void);
const char *gr_discovery_state_to_string (GrDiscoveryState state);

/* "GaiaRouter on <host name>", cut to a valid service name. */
char       *gr_discovery_default_name    (void);
/* Cuts a name to GR_AVAHI_MAX_NAME bytes on a UTF-8 boundary. */
char       *gr_avahi_truncate_name       (const char *name);

/* Where a gateway listening on host is advertised: FALSE when it listens
 * on loopback only (not shared on the LAN).  0.0.0.0 → every interface,
 * IPv4; "::" → every interface, both; an address of one interface → that
 * interface and that address family. */
gboolean    gr_discovery_scope_for_listen (const char *host,
                                           int        *interface,
                                           int        *protocol);

/* An `aay` of "key=value" strings, floating. */
GVariant   *gr_avahi_txt_new             (const char * const *pairs);
/* The value of key in an `aay` TXT record list, or NULL. */
char       *gr_avahi_txt_lookup          (GVariant   *txt,
                                          const char *key);

G_END_DECLS
