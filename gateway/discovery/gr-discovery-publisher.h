/* gr-discovery-publisher.h — announces a gateway on the LAN (DNS-SD)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/gr-avahi.h"

G_BEGIN_DECLS

#define GR_TYPE_DISCOVERY_PUBLISHER (gr_discovery_publisher_get_type ())
G_DECLARE_FINAL_TYPE (GrDiscoveryPublisher, gr_discovery_publisher, GR, DISCOVERY_PUBLISHER, GObject)

/* name: the instance name wanted ("GaiaRouter on box"); interface and
 * protocol as gr_discovery_scope_for_listen() gives them; txt: NULL
 * terminated "key=value" strings. */
GrDiscoveryPublisher *gr_discovery_publisher_new       (const char           *name,
                                                        guint16               port,
                                                        int                   interface,
                                                        int                   protocol,
                                                        const char * const   *txt);
/* Starts announcing from the thread-default main context, which must be
 * iterated for anything to happen; never blocks.  Without a system bus or
 * avahi-daemon it logs one message and waits for the daemon to appear. */
void                  gr_discovery_publisher_start     (GrDiscoveryPublisher *self);
/* Withdraws the service.  Call from the thread that started it. */
void                  gr_discovery_publisher_stop      (GrDiscoveryPublisher *self);
GrDiscoveryState      gr_discovery_publisher_get_state (GrDiscoveryPublisher *self);
/* The name in use: the wanted one, or Avahi's alternative ("… #2") after
 * a collision with another service on the network. */
const char           *gr_discovery_publisher_get_name  (GrDiscoveryPublisher *self);
guint16               gr_discovery_publisher_get_port  (GrDiscoveryPublisher *self);

G_END_DECLS
