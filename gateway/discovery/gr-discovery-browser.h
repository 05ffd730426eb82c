/* gr-discovery-browser.h — the gateways announced on the LAN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "discovery/gr-avahi.h"
#include "discovery/gr-discovered-gateway.h"

G_BEGIN_DECLS

#define GR_TYPE_DISCOVERY_BROWSER (gr_discovery_browser_get_type ())
G_DECLARE_FINAL_TYPE (GrDiscoveryBrowser, gr_discovery_browser, GR, DISCOVERY_BROWSER, GObject)

/* A GListModel of GrDiscoveredGateway, one per announced name, kept up to
 * date while started. */
GrDiscoveryBrowser *gr_discovery_browser_new       (void);
/* Browses _gaiarouter._tcp from the thread-default main context; never
 * blocks.  Without a system bus or avahi-daemon the state says so (and
 * the browser starts by itself when avahi-daemon appears). */
void                gr_discovery_browser_start     (GrDiscoveryBrowser *self);
/* Stops browsing and empties the list. */
void                gr_discovery_browser_stop      (GrDiscoveryBrowser *self);
GrDiscoveryState    gr_discovery_browser_get_state (GrDiscoveryBrowser *self);
/* The gateway announced under name, or NULL. */
GrDiscoveredGateway *gr_discovery_browser_lookup   (GrDiscoveryBrowser *self,
                                                    const char         *name);

G_END_DECLS
