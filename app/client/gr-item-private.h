/* gr-item-private.h — table-driven properties for the client's item objects
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The item classes (GrOrganization, GrApiKey…) are plain records with
 * many properties.  Each describes its fields once in a GrItemField table
 * (name, type, offset in the instance struct) and lets these helpers
 * install the GParamSpecs, get and set values, notify only on change,
 * copy and free — rather than repeating a switch of forty cases per class.
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef enum
{
  GR_ITEM_STRING,   /* char * */
  GR_ITEM_STRV,     /* char ** */
  GR_ITEM_INT64,    /* gint64 */
  GR_ITEM_INT,      /* int */
  GR_ITEM_UINT,     /* guint */
  GR_ITEM_BOOL,     /* gboolean */
  GR_ITEM_OBJECT,   /* GObject * of object_type */
} GrItemType;

typedef struct
{
  const char *name;
  GrItemType  type;
  gsize       offset;
  gboolean    writable;
  gint64      minimum;      /* integers */
  gint64      default_value;
  GType       object_type;  /* GR_ITEM_OBJECT */
} GrItemField;

/* fields[0] is unused (property id 0); pspecs has n_fields slots. */
void     gr_item_class_install   (GObjectClass      *klass,
                                  const GrItemField *fields,
                                  guint              n_fields,
                                  GParamSpec       **pspecs);
void     gr_item_init_defaults   (GObject           *object,
                                  const GrItemField *fields,
                                  guint              n_fields);
void     gr_item_get_property    (GObject           *object,
                                  const GrItemField *fields,
                                  guint              prop_id,
                                  GValue            *value);
/* Sets and notifies pspec when the value changed. */
void     gr_item_set_property    (GObject           *object,
                                  const GrItemField *fields,
                                  guint              prop_id,
                                  const GValue      *value,
                                  GParamSpec        *pspec);
void     gr_item_copy_fields     (GObject           *dest,
                                  GObject           *src,
                                  const GrItemField *fields,
                                  guint              n_fields);
void     gr_item_free_fields     (GObject           *object,
                                  const GrItemField *fields,
                                  guint              n_fields);

/* Setters for public API functions: notify pspec on change. */
void     gr_item_set_string      (GObject     *object,
                                  char       **slot,
                                  const char  *value,
                                  GParamSpec  *pspec);
void     gr_item_set_strv        (GObject            *object,
                                  char             ***slot,
                                  const char * const *value,
                                  GParamSpec         *pspec);
void     gr_item_set_int64       (GObject     *object,
                                  gint64      *slot,
                                  gint64       value,
                                  GParamSpec  *pspec);
void     gr_item_set_bool        (GObject     *object,
                                  gboolean    *slot,
                                  gboolean     value,
                                  GParamSpec  *pspec);

#define GR_ITEM_FIELD(struct_type, member) G_STRUCT_OFFSET (struct_type, member)
#define GR_ITEM_SLOT(object, field, ctype) ((ctype *) (((guint8 *) (object)) + (field)->offset))

G_END_DECLS
