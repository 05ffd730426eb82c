/* gr-avahi.c — what the LAN discovery objects share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "discovery/gr-avahi.h"

gboolean
gr_discovery_is_built (void)
{
  return GR_HAVE_AVAHI;
}

const char *
gr_discovery_state_to_string (GrDiscoveryState state)
{
  switch (state)
    {
    case GR_DISCOVERY_STATE_STOPPED:
      return "stopped";
    case GR_DISCOVERY_STATE_UNAVAILABLE:
      return "unavailable";
    case GR_DISCOVERY_STATE_WAITING:
      return "waiting";
    case GR_DISCOVERY_STATE_REGISTERING:
      return "registering";
    case GR_DISCOVERY_STATE_RUNNING:
      return "running";
    case GR_DISCOVERY_STATE_FAILED:
    default:
      return "failed";
    }
}

char *
gr_avahi_truncate_name (const char *name)
{
  const char *end;

  g_return_val_if_fail (name != NULL, NULL);

  if (strlen (name) <= GR_AVAHI_MAX_NAME)
    return g_strdup (name);
  /* Back up to the start of the character that crosses the limit. */
  end = name + GR_AVAHI_MAX_NAME;
  while (end > name && (*end & 0xc0) == 0x80)
    end--;
  return g_strndup (name, end - name);
}

char *
gr_discovery_default_name (void)
{
  g_autofree char *host = g_strdup (g_get_host_name ());
  g_autofree char *name = NULL;
  char *dot = strchr (host, '.');

  /* "box.example.org" reads better as "box" in a list of gateways. */
  if (dot != NULL && dot != host)
    *dot = '\0';
  name = g_strdup_printf ("GaiaRouter on %s", host);
  return gr_avahi_truncate_name (name);
}

/* The kernel index of the interface holding address, or -1. */
static int
interface_of_address (GInetAddress *address)
{
  struct ifaddrs *list = NULL;
  int index = GR_AVAHI_IF_UNSPEC;

  if (getifaddrs (&list) != 0)
    return GR_AVAHI_IF_UNSPEC;
  for (struct ifaddrs *ifa = list; ifa != NULL && index < 0; ifa = ifa->ifa_next)
    {
      g_autoptr(GSocketAddress) sa = NULL;
      socklen_t len;

      if (ifa->ifa_addr == NULL)
        continue;
      if (ifa->ifa_addr->sa_family == AF_INET)
        len = sizeof (struct sockaddr_in);
      else if (ifa->ifa_addr->sa_family == AF_INET6)
        len = sizeof (struct sockaddr_in6);
      else
        continue;
      sa = g_socket_address_new_from_native (ifa->ifa_addr, len);
      if (sa != NULL && G_IS_INET_SOCKET_ADDRESS (sa) &&
          g_inet_address_equal (address, g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (sa))))
        index = (int) if_nametoindex (ifa->ifa_name);
    }
  freeifaddrs (list);
  return index > 0 ? index : GR_AVAHI_IF_UNSPEC;
}

gboolean
gr_discovery_scope_for_listen (const char *host,
                               int        *interface,
                               int        *protocol)
{
  g_autoptr(GInetAddress) address = NULL;

  g_return_val_if_fail (host != NULL, FALSE);

  *interface = GR_AVAHI_IF_UNSPEC;
  *protocol = GR_AVAHI_PROTO_UNSPEC;
  if (g_ascii_strcasecmp (host, "localhost") == 0)
    return FALSE;

  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    return TRUE;  /* a host name: let Avahi announce every address */
  if (g_inet_address_get_is_loopback (address))
    return FALSE;
  /* A gateway on 0.0.0.0 does not answer on IPv6: announcing it there
   * would hand browsers an address that refuses connections. */
  *protocol = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV4
            ? GR_AVAHI_PROTO_INET : GR_AVAHI_PROTO_UNSPEC;
  if (!g_inet_address_get_is_any (address))
    {
      *interface = interface_of_address (address);
      if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
        *protocol = GR_AVAHI_PROTO_INET6;
    }
  return TRUE;
}

GVariant *
gr_avahi_txt_new (const char * const *pairs)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("aay"));
  for (guint i = 0; pairs != NULL && pairs[i] != NULL; i++)
    {
      /* Not a bytestring: TXT strings carry no terminating NUL. */
      g_variant_builder_add_value (&builder,
                                   g_variant_new_fixed_array (G_VARIANT_TYPE_BYTE, pairs[i],
                                                              strlen (pairs[i]), 1));
    }
  return g_variant_builder_end (&builder);
}

char *
gr_avahi_txt_lookup (GVariant   *txt,
                     const char *key)
{
  gsize key_len = strlen (key);
  gsize n;

  g_return_val_if_fail (g_variant_is_of_type (txt, G_VARIANT_TYPE ("aay")), NULL);

  n = g_variant_n_children (txt);
  for (gsize i = 0; i < n; i++)
    {
      g_autoptr(GVariant) entry = g_variant_get_child_value (txt, i);
      gsize len = 0;
      const char *bytes = g_variant_get_fixed_array (entry, &len, 1);

      /* DNS-SD keys compare case-insensitively (RFC 6763 §6.4). */
      if (len < key_len || g_ascii_strncasecmp (bytes, key, key_len) != 0)
        continue;
      if (len == key_len)
        return g_strdup ("");  /* a key without "=": present, no value */
      if (bytes[key_len] == '=')
        return g_strndup (bytes + key_len + 1, len - key_len - 1);
    }
  return NULL;
}
