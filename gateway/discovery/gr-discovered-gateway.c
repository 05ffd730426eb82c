/* gr-discovered-gateway.c — a gateway found on the LAN
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An item of GrDiscoveryBrowser's list model.  Plain getters, no
 * properties: items never change (the browser swaps them), and the app
 * builds its rows from them in C.
 */
#include "config.h"

#include <string.h>

#include "discovery/gr-discovered-gateway.h"

struct _GrDiscoveredGateway
{
  GObject  parent_instance;

  char    *name;
  char    *host_name;
  char    *address;
  guint16  port;
  char    *version;
  gboolean tls;
};

G_DEFINE_FINAL_TYPE (GrDiscoveredGateway, gr_discovered_gateway, G_TYPE_OBJECT)

GrDiscoveredGateway *
gr_discovered_gateway_new (const char *name,
                           const char *host_name,
                           const char *address,
                           guint16     port,
                           const char *version,
                           gboolean    tls)
{
  GrDiscoveredGateway *self;

  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (address != NULL, NULL);

  self = g_object_new (GR_TYPE_DISCOVERED_GATEWAY, NULL);
  self->name = g_strdup (name);
  self->host_name = g_strdup (host_name != NULL ? host_name : "");
  self->address = g_strdup (address);
  self->port = port;
  self->version = g_strdup (version);
  self->tls = tls;
  return self;
}

const char *
gr_discovered_gateway_get_name (GrDiscoveredGateway *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERED_GATEWAY (self), NULL);
  return self->name;
}

const char *
gr_discovered_gateway_get_host_name (GrDiscoveredGateway *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERED_GATEWAY (self), NULL);
  return self->host_name;
}

const char *
gr_discovered_gateway_get_address (GrDiscoveredGateway *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERED_GATEWAY (self), NULL);
  return self->address;
}

guint16
gr_discovered_gateway_get_port (GrDiscoveredGateway *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERED_GATEWAY (self), 0);
  return self->port;
}

const char *
gr_discovered_gateway_get_version (GrDiscoveredGateway *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERED_GATEWAY (self), NULL);
  return self->version;
}

gboolean
gr_discovered_gateway_get_tls (GrDiscoveredGateway *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERED_GATEWAY (self), FALSE);
  return self->tls;
}

char *
gr_discovered_gateway_dup_authority (GrDiscoveredGateway *self)
{
  g_return_val_if_fail (GR_IS_DISCOVERED_GATEWAY (self), NULL);

  if (strchr (self->address, ':') != NULL)
    return g_strdup_printf ("[%s]:%u", self->address, self->port);
  return g_strdup_printf ("%s:%u", self->address, self->port);
}

char *
gr_discovered_gateway_dup_url (GrDiscoveredGateway *self)
{
  g_autofree char *authority = NULL;

  g_return_val_if_fail (GR_IS_DISCOVERED_GATEWAY (self), NULL);

  authority = gr_discovered_gateway_dup_authority (self);
  return g_strconcat (self->tls ? "https://" : "http://", authority, NULL);
}

gboolean
gr_discovered_gateway_equal (GrDiscoveredGateway *a,
                             GrDiscoveredGateway *b)
{
  return g_str_equal (a->name, b->name) && g_str_equal (a->host_name, b->host_name) &&
         g_str_equal (a->address, b->address) && a->port == b->port &&
         g_strcmp0 (a->version, b->version) == 0 && a->tls == b->tls;
}

static void
gr_discovered_gateway_finalize (GObject *object)
{
  GrDiscoveredGateway *self = GR_DISCOVERED_GATEWAY (object);

  g_free (self->name);
  g_free (self->host_name);
  g_free (self->address);
  g_free (self->version);

  G_OBJECT_CLASS (gr_discovered_gateway_parent_class)->finalize (object);
}

static void
gr_discovered_gateway_class_init (GrDiscoveredGatewayClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = gr_discovered_gateway_finalize;
}

static void
gr_discovered_gateway_init (GrDiscoveredGateway *self)
{
}
