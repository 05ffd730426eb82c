/* gr-item.c — table-driven properties for the client's item objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "gr-client-json-private.h"
#include "gr-item-private.h"

void
gr_item_class_install (GObjectClass      *klass,
                       const GrItemField *fields,
                       guint              n_fields,
                       GParamSpec       **pspecs)
{
  for (guint i = 1; i < n_fields; i++)
    {
      const GrItemField *f = &fields[i];
      GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

      if (f->writable)
        flags |= G_PARAM_WRITABLE;
      switch (f->type)
        {
        case GR_ITEM_STRING:
          pspecs[i] = g_param_spec_string (f->name, NULL, NULL, NULL, flags);
          break;
        case GR_ITEM_STRV:
          pspecs[i] = g_param_spec_boxed (f->name, NULL, NULL, G_TYPE_STRV, flags);
          break;
        case GR_ITEM_INT64:
          pspecs[i] = g_param_spec_int64 (f->name, NULL, NULL, f->minimum, G_MAXINT64,
                                          f->default_value, flags);
          break;
        case GR_ITEM_INT:
          pspecs[i] = g_param_spec_int (f->name, NULL, NULL, (int) f->minimum, G_MAXINT,
                                        (int) f->default_value, flags);
          break;
        case GR_ITEM_UINT:
          pspecs[i] = g_param_spec_uint (f->name, NULL, NULL, 0, G_MAXUINT,
                                         (guint) f->default_value, flags);
          break;
        case GR_ITEM_BOOL:
          pspecs[i] = g_param_spec_boolean (f->name, NULL, NULL, f->default_value != 0, flags);
          break;
        case GR_ITEM_OBJECT:
        default:
          pspecs[i] = g_param_spec_object (f->name, NULL, NULL, f->object_type, flags);
          break;
        }
    }
  g_object_class_install_properties (klass, n_fields, pspecs);
}

void
gr_item_init_defaults (GObject           *object,
                       const GrItemField *fields,
                       guint              n_fields)
{
  for (guint i = 1; i < n_fields; i++)
    {
      const GrItemField *f = &fields[i];

      switch (f->type)
        {
        case GR_ITEM_INT64:
          *GR_ITEM_SLOT (object, f, gint64) = f->default_value;
          break;
        case GR_ITEM_INT:
          *GR_ITEM_SLOT (object, f, int) = (int) f->default_value;
          break;
        case GR_ITEM_UINT:
          *GR_ITEM_SLOT (object, f, guint) = (guint) f->default_value;
          break;
        case GR_ITEM_BOOL:
          *GR_ITEM_SLOT (object, f, gboolean) = f->default_value != 0;
          break;
        case GR_ITEM_STRV:
          *GR_ITEM_SLOT (object, f, char **) = g_new0 (char *, 1);
          break;
        case GR_ITEM_STRING:
        case GR_ITEM_OBJECT:
        default:
          break;
        }
    }
}

void
gr_item_get_property (GObject           *object,
                      const GrItemField *fields,
                      guint              prop_id,
                      GValue            *value)
{
  const GrItemField *f = &fields[prop_id];

  switch (f->type)
    {
    case GR_ITEM_STRING:
      g_value_set_string (value, *GR_ITEM_SLOT (object, f, char *));
      break;
    case GR_ITEM_STRV:
      g_value_set_boxed (value, *GR_ITEM_SLOT (object, f, char **));
      break;
    case GR_ITEM_INT64:
      g_value_set_int64 (value, *GR_ITEM_SLOT (object, f, gint64));
      break;
    case GR_ITEM_INT:
      g_value_set_int (value, *GR_ITEM_SLOT (object, f, int));
      break;
    case GR_ITEM_UINT:
      g_value_set_uint (value, *GR_ITEM_SLOT (object, f, guint));
      break;
    case GR_ITEM_BOOL:
      g_value_set_boolean (value, *GR_ITEM_SLOT (object, f, gboolean));
      break;
    case GR_ITEM_OBJECT:
    default:
      g_value_set_object (value, *GR_ITEM_SLOT (object, f, GObject *));
      break;
    }
}

void
gr_item_set_property (GObject           *object,
                      const GrItemField *fields,
                      guint              prop_id,
                      const GValue      *value,
                      GParamSpec        *pspec)
{
  const GrItemField *f = &fields[prop_id];
  gboolean changed = FALSE;

  switch (f->type)
    {
    case GR_ITEM_STRING:
      changed = gr_client_set_string (GR_ITEM_SLOT (object, f, char *), g_value_get_string (value));
      break;
    case GR_ITEM_STRV:
      changed = gr_client_set_strv (GR_ITEM_SLOT (object, f, char **), g_value_get_boxed (value));
      break;
    case GR_ITEM_INT64:
      changed = *GR_ITEM_SLOT (object, f, gint64) != g_value_get_int64 (value);
      *GR_ITEM_SLOT (object, f, gint64) = g_value_get_int64 (value);
      break;
    case GR_ITEM_INT:
      changed = *GR_ITEM_SLOT (object, f, int) != g_value_get_int (value);
      *GR_ITEM_SLOT (object, f, int) = g_value_get_int (value);
      break;
    case GR_ITEM_UINT:
      changed = *GR_ITEM_SLOT (object, f, guint) != g_value_get_uint (value);
      *GR_ITEM_SLOT (object, f, guint) = g_value_get_uint (value);
      break;
    case GR_ITEM_BOOL:
      changed = *GR_ITEM_SLOT (object, f, gboolean) != g_value_get_boolean (value);
      *GR_ITEM_SLOT (object, f, gboolean) = g_value_get_boolean (value);
      break;
    case GR_ITEM_OBJECT:
    default:
      changed = g_set_object (GR_ITEM_SLOT (object, f, GObject *), g_value_get_object (value));
      break;
    }
  if (changed)
    g_object_notify_by_pspec (object, pspec);
}

void
gr_item_copy_fields (GObject           *dest,
                     GObject           *src,
                     const GrItemField *fields,
                     guint              n_fields)
{
  for (guint i = 1; i < n_fields; i++)
    {
      const GrItemField *f = &fields[i];

      switch (f->type)
        {
        case GR_ITEM_STRING:
          gr_client_set_string (GR_ITEM_SLOT (dest, f, char *), *GR_ITEM_SLOT (src, f, char *));
          break;
        case GR_ITEM_STRV:
          gr_client_set_strv (GR_ITEM_SLOT (dest, f, char **),
                              (const char * const *) *GR_ITEM_SLOT (src, f, char **));
          break;
        case GR_ITEM_INT64:
          *GR_ITEM_SLOT (dest, f, gint64) = *GR_ITEM_SLOT (src, f, gint64);
          break;
        case GR_ITEM_INT:
          *GR_ITEM_SLOT (dest, f, int) = *GR_ITEM_SLOT (src, f, int);
          break;
        case GR_ITEM_UINT:
          *GR_ITEM_SLOT (dest, f, guint) = *GR_ITEM_SLOT (src, f, guint);
          break;
        case GR_ITEM_BOOL:
          *GR_ITEM_SLOT (dest, f, gboolean) = *GR_ITEM_SLOT (src, f, gboolean);
          break;
        case GR_ITEM_OBJECT:
        default:
          g_set_object (GR_ITEM_SLOT (dest, f, GObject *), *GR_ITEM_SLOT (src, f, GObject *));
          break;
        }
    }
}

void
gr_item_free_fields (GObject           *object,
                     const GrItemField *fields,
                     guint              n_fields)
{
  for (guint i = 1; i < n_fields; i++)
    {
      const GrItemField *f = &fields[i];

      if (f->type == GR_ITEM_STRING)
        g_clear_pointer (GR_ITEM_SLOT (object, f, char *), g_free);
      else if (f->type == GR_ITEM_STRV)
        g_clear_pointer (GR_ITEM_SLOT (object, f, char **), g_strfreev);
      else if (f->type == GR_ITEM_OBJECT)
        g_clear_object (GR_ITEM_SLOT (object, f, GObject *));
    }
}

void
gr_item_set_string (GObject     *object,
                    char       **slot,
                    const char  *value,
                    GParamSpec  *pspec)
{
  if (gr_client_set_string (slot, value))
    g_object_notify_by_pspec (object, pspec);
}

void
gr_item_set_strv (GObject            *object,
                  char             ***slot,
                  const char * const *value,
                  GParamSpec         *pspec)
{
  if (gr_client_set_strv (slot, value))
    g_object_notify_by_pspec (object, pspec);
}

void
gr_item_set_int64 (GObject     *object,
                   gint64      *slot,
                   gint64       value,
                   GParamSpec  *pspec)
{
  if (*slot == value)
    return;
  *slot = value;
  g_object_notify_by_pspec (object, pspec);
}

void
gr_item_set_bool (GObject     *object,
                  gboolean    *slot,
                  gboolean     value,
                  GParamSpec  *pspec)
{
  value = !!value;
  if (*slot == value)
    return;
  *slot = value;
  g_object_notify_by_pspec (object, pspec);
}
