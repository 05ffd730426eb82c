/* gr-discovered-gateway.h — a gateway found on the LAN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define GR_TYPE_DISCOVERED_GATEWAY (gr_discovered_gateway_get_type ())
G_DECLARE_FINAL_TYPE (GrDiscoveredGateway, gr_discovered_gateway, GR, DISCOVERED_GATEWAY, GObject)

/* Immutable: the browser replaces an item when what it knows changes. */
GrDiscoveredGateway *gr_discovered_gateway_new          (const char          *name,
                                                         const char          *host_name,
                                                         const char          *address,
                                                         guint16              port,
                                                         const char          *version,
                                                         gboolean             tls);
/* The DNS-SD instance name: "GaiaRouter on box". */
const char          *gr_discovered_gateway_get_name      (GrDiscoveredGateway *self);
/* The mDNS host name: "box.local". */
const char          *gr_discovered_gateway_get_host_name (GrDiscoveredGateway *self);
/* The resolved address: "192.168.1.20", "fd00::2". */
const char          *gr_discovered_gateway_get_address   (GrDiscoveredGateway *self);
guint16              gr_discovered_gateway_get_port      (GrDiscoveredGateway *self);
/* The TXT record's version, or NULL when the gateway did not say. */
const char          *gr_discovered_gateway_get_version   (GrDiscoveredGateway *self);
gboolean             gr_discovered_gateway_get_tls       (GrDiscoveredGateway *self);
/* "192.168.1.20:8080", "[fd00::2]:8080" */
char                *gr_discovered_gateway_dup_authority (GrDiscoveredGateway *self);
/* "http://192.168.1.20:8080", or https:// when the gateway has TLS on. */
char                *gr_discovered_gateway_dup_url       (GrDiscoveredGateway *self);
gboolean             gr_discovered_gateway_equal         (GrDiscoveredGateway *a,
                                                         GrDiscoveredGateway *b);

G_END_DECLS
