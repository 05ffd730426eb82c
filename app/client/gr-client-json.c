/* gr-client-json.c — reading the admin API's JSON into items
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-client-json-private.h"

static JsonNode *
value_member (JsonObject *object,
              const char *name,
              GType       type)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, name);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != type)
    return NULL;
  return node;
}

const char *
gr_client_json_string (JsonObject *object,
                       const char *name)
{
  JsonNode *node = value_member (object, name, G_TYPE_STRING);

  return node != NULL ? json_node_get_string (node) : NULL;
}

const char *
gr_client_json_text (JsonObject *object,
                     const char *name)
{
  const char *value = gr_client_json_string (object, name);

  return value != NULL ? value : "";
}

gint64
gr_client_json_int (JsonObject *object,
                    const char *name,
                    gint64      fallback)
{
  JsonNode *node = value_member (object, name, G_TYPE_INT64);

  if (node != NULL)
    return json_node_get_int (node);
  node = value_member (object, name, G_TYPE_DOUBLE);
  if (node != NULL)
    return (gint64) json_node_get_double (node);
  return fallback;
}

gboolean
gr_client_json_bool (JsonObject *object,
                     const char *name,
                     gboolean    fallback)
{
  JsonNode *node = value_member (object, name, G_TYPE_BOOLEAN);

  return node != NULL ? json_node_get_boolean (node) : fallback;
}

gint64
gr_client_parse_time (const char *text)
{
  g_autoptr(GDateTime) dt = NULL;

  if (text == NULL || *text == '\0')
    return 0;
  dt = g_date_time_new_from_iso8601 (text, NULL);
  if (dt == NULL)
    return 0;
  return g_date_time_to_unix (dt) * 1000 + g_date_time_get_microsecond (dt) / 1000;
}

char *
gr_client_format_time (gint64 unix_ms)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_ms == 0)
    return NULL;
  dt = g_date_time_new_from_unix_utc (unix_ms / 1000);
  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

gint64
gr_client_json_time (JsonObject *object,
                     const char *name)
{
  return gr_client_parse_time (gr_client_json_string (object, name));
}

JsonObject *
gr_client_json_object (JsonObject *object,
                       const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
gr_client_json_array (JsonObject *object,
                      const char *name)
{
  JsonNode *node = object ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

char **
gr_client_json_strv (JsonObject *object,
                     const char *name)
{
  JsonArray *array = gr_client_json_array (object, name);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; array != NULL && i < json_array_get_length (array); i++)
    {
      JsonNode *e = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        g_strv_builder_add (builder, json_node_get_string (e));
    }
  return g_strv_builder_end (builder);
}

gboolean
gr_client_strv_equal (const char * const *a,
                      const char * const *b)
{
  static const char * const empty[] = { NULL };

  return g_strv_equal (a ? a : empty, b ? b : empty);
}

gboolean
gr_client_set_strv (char             ***slot,
                    const char * const *value)
{
  static const char * const empty[] = { NULL };

  if (*slot != NULL && gr_client_strv_equal ((const char * const *) *slot, value))
    return FALSE;
  g_strfreev (*slot);
  *slot = g_strdupv ((char **) (value ? value : empty));
  return TRUE;
}

gboolean
gr_client_set_string (char       **slot,
                      const char  *value)
{
  if (g_strcmp0 (*slot, value) == 0)
    return FALSE;
  g_free (*slot);
  *slot = g_strdup (value);
  return TRUE;
}
