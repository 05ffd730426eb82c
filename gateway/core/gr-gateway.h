/* gr-gateway.h — the gateway: its own thread, main context, server and store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "core/gr-config.h"
#include "discovery/gr-discovery-publisher.h"

G_BEGIN_DECLS

#define GR_TYPE_GATEWAY (gr_gateway_get_type ())
G_DECLARE_FINAL_TYPE (GrGateway, gr_gateway, GR, GATEWAY, GObject)

typedef enum
{
  GR_GATEWAY_STATE_STOPPED,
  GR_GATEWAY_STATE_STARTING,
  GR_GATEWAY_STATE_RUNNING,
  GR_GATEWAY_STATE_STOPPING,
  GR_GATEWAY_STATE_ERROR,
} GrGatewayState;

/* Takes ownership of config. */
GrGateway     *gr_gateway_new               (GrConfig    *config);
/* Starts the gateway thread and waits until it listens (or failed, e.g.
 * "address in use").  Safe to call again after gr_gateway_stop(). */
gboolean       gr_gateway_start             (GrGateway   *self,
                                             GError     **error);
/* Stops accepting, lets in-flight requests finish within the grace period,
 * cancels the rest, flushes usage and joins the thread. */
void           gr_gateway_stop              (GrGateway   *self);
GrGatewayState gr_gateway_get_state         (GrGateway   *self);
/* The reason of the last failure, or NULL. */
const char    *gr_gateway_get_error_message (GrGateway   *self);
GrConfig      *gr_gateway_get_config        (GrGateway   *self);
/* Changes where the next start listens (the app's LAN switch). */
void           gr_gateway_set_listen        (GrGateway   *self,
                                             const char  *host,
                                             guint16      port);
/* Valid while running: "http://127.0.0.1:8080". */
char          *gr_gateway_dup_url           (GrGateway   *self);
guint16        gr_gateway_get_port          (GrGateway   *self);
/* Path of admin.key beside the database. */
char          *gr_gateway_dup_admin_key_path (GrGateway  *self);
/* The admin key created by this start (first start on a fresh database),
 * or NULL.  Shown once; the store only keeps its hash. */
char          *gr_gateway_dup_new_admin_key (GrGateway   *self);

/* The paths the running gateway has handlers for (for documentation
 * checks), or NULL when stopped. */
char         **gr_gateway_dup_routes        (GrGateway   *self);

/* The LAN announcement of the running gateway, or NULL when it is not
 * advertised (loopback only, or [gateway] advertise = false). */
GrDiscoveryPublisher *gr_gateway_get_publisher (GrGateway *self);

const char    *gr_gateway_state_to_string   (GrGatewayState state);

G_END_DECLS
