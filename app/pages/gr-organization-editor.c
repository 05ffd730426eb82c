/* gr-organization-editor.c — the form that creates or edits an organization
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The form checks what it can before sending (a name, numbers that are
 * numbers); the gateway checks the rest, and an error naming a field
 * ("name", "limits.rpm") is shown in red under that field's row.
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-list-util.h"
#include "pages/gr-organization-editor.h"
#include "pages/gr-page.h"

#define NAME_MAX_LENGTH 200

typedef struct
{
  AdwEntryRow    *row;
  GtkCheckButton *unlimited;
  GtkWidget      *error_row;
  GtkLabel       *error_label;
  const char     *param;     /* the API's name in error params */
  const char     *property;  /* the GrOrganization property */
  gboolean        money;
} LimitField;

enum {
  LIMIT_RPM,
  LIMIT_REQUESTS_PER_DAY,
  LIMIT_TOKENS_PER_DAY,
  LIMIT_BUDGET,
  N_LIMITS
};

struct _GrOrganizationEditor
{
  AdwWindow        parent_instance;

  GrAdminClient   *client;
  GrOrganization  *organization;  /* NULL: a new one */
  GCancellable    *cancellable;
  LimitField       limits[N_LIMITS];

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkStack        *save_stack;
  AdwEntryRow     *name_row;
  GtkWidget       *name_error_row;
  GtkLabel        *name_error_label;
  AdwEntryRow     *description_row;
  GtkWidget       *description_error_row;
  GtkLabel        *description_error_label;
  AdwActionRow    *status_row;
  GtkWidget       *status_error_row;
  GtkLabel        *status_error_label;
  GtkSwitch       *status_switch;
  AdwEntryRow     *rpm_row;
  GtkCheckButton  *rpm_unlimited;
  GtkWidget       *rpm_error_row;
  GtkLabel        *rpm_error_label;
  AdwEntryRow     *requests_per_day_row;
  GtkCheckButton  *requests_per_day_unlimited;
  GtkWidget       *requests_per_day_error_row;
  GtkLabel        *requests_per_day_error_label;
  AdwEntryRow     *tokens_per_day_row;
  GtkCheckButton  *tokens_per_day_unlimited;
  GtkWidget       *tokens_per_day_error_row;
  GtkLabel        *tokens_per_day_error_label;
  AdwEntryRow     *budget_row;
  GtkCheckButton  *budget_unlimited;
  GtkWidget       *budget_error_row;
  GtkLabel        *budget_error_label;
};

G_DEFINE_FINAL_TYPE (GrOrganizationEditor, gr_organization_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_ORGANIZATION,
  N_PROPS
};

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
clear_errors (GrOrganizationEditor *self)
{
  gr_field_set_error (GTK_WIDGET (self->name_row), self->name_error_row, self->name_error_label, NULL);
  gr_field_set_error (GTK_WIDGET (self->description_row), self->description_error_row,
                      self->description_error_label, NULL);
  gr_field_set_error (GTK_WIDGET (self->status_row), self->status_error_row, self->status_error_label, NULL);
  for (guint i = 0; i < N_LIMITS; i++)
    gr_field_set_error (GTK_WIDGET (self->limits[i].row), self->limits[i].error_row,
                        self->limits[i].error_label, NULL);
}

/* Shows message under the field the API calls param; FALSE when the form
 * has no such field. */
static gboolean
show_field_error (GrOrganizationEditor *self,
                  const char           *param,
                  const char           *message)
{
  if (param == NULL)
    return FALSE;
  if (g_str_equal (param, "name"))
    {
      gr_field_set_error (GTK_WIDGET (self->name_row), self->name_error_row, self->name_error_label, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return TRUE;
    }
  if (g_str_equal (param, "description"))
    {
      gr_field_set_error (GTK_WIDGET (self->description_row), self->description_error_row,
                          self->description_error_label, message);
      return TRUE;
    }
  if (g_str_equal (param, "status"))
    {
      gr_field_set_error (GTK_WIDGET (self->status_row), self->status_error_row,
                          self->status_error_label, message);
      return TRUE;
    }
  for (guint i = 0; i < N_LIMITS; i++)
    if (g_str_equal (param, self->limits[i].param) ||
        (g_str_equal (param, "limits") && i == 0))
      {
        gr_field_set_error (GTK_WIDGET (self->limits[i].row), self->limits[i].error_row,
                            self->limits[i].error_label, message);
        return TRUE;
      }
  return FALSE;
}

static void
set_busy (GrOrganizationEditor *self,
          gboolean              busy)
{
  gtk_stack_set_visible_child_name (self->save_stack, busy ? "spinner" : "button");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", !busy);
}

static void
fill_form (GrOrganizationEditor *self)
{
  GrOrganization *org = self->organization;

  gtk_window_set_title (GTK_WINDOW (self), org != NULL ? _("Edit Organization") : _("New Organization"));
  if (org == NULL)
    return;

  gtk_editable_set_text (GTK_EDITABLE (self->name_row), gr_organization_get_name (org));
  gtk_editable_set_text (GTK_EDITABLE (self->description_row), gr_organization_get_description (org));
  gtk_switch_set_active (self->status_switch,
                         g_strcmp0 (gr_organization_get_status (org), "disabled") != 0);

  for (guint i = 0; i < N_LIMITS; i++)
    {
      LimitField *field = &self->limits[i];
      gint64 value = -1;
      g_autofree char *text = NULL;

      g_object_get (org, field->property, &value, NULL);
      if (value >= 0)
        text = field->money ? gr_format_dollars_input (value) : g_strdup_printf ("%" G_GINT64_FORMAT, value);
      gtk_check_button_set_active (field->unlimited, value < 0);
      gtk_editable_set_text (GTK_EDITABLE (field->row), text != NULL ? text : "");
    }
}

/* Reads the form into a new GrOrganization; NULL (with the messages
 * shown) when a field is not valid. */
static GrOrganization *
read_form (GrOrganizationEditor *self)
{
  g_autoptr(GrOrganization) org = NULL;
  g_autofree char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  g_autofree char *description = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->description_row)));
  gboolean valid = TRUE;

  org = self->organization != NULL ? gr_organization_copy (self->organization) : gr_organization_new ();

  g_strstrip (name);
  g_strstrip (description);
  if (*name == '\0')
    {
      show_field_error (self, "name", _("Enter a name."));
      valid = FALSE;
    }
  else if (g_utf8_strlen (name, -1) > NAME_MAX_LENGTH)
    {
      show_field_error (self, "name", _("A name has at most 200 characters."));
      valid = FALSE;
    }
  gr_organization_set_name (org, name);
  gr_organization_set_description (org, description);
  gr_organization_set_status (org, gtk_switch_get_active (self->status_switch) ? "active" : "disabled");

  for (guint i = 0; i < N_LIMITS; i++)
    {
      LimitField *field = &self->limits[i];
      const char *text = gtk_editable_get_text (GTK_EDITABLE (field->row));
      gint64 value = -1;

      if (!gtk_check_button_get_active (field->unlimited))
        {
          gboolean ok = field->money ? gr_parse_dollars (text, &value) : gr_parse_count (text, &value);

          if (!ok)
            {
              show_field_error (self, field->param,
                                field->money
                                  ? _("Enter an amount in dollars, such as 25 or 12.50, or choose Unlimited.")
                                  : _("Enter a whole number, or choose Unlimited."));
              valid = FALSE;
            }
        }
      g_object_set (org, field->property, value, NULL);
    }

  return valid ? g_steal_pointer (&org) : NULL;
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GrOrganizationEditor) self = user_data;
  g_autoptr(GrOrganization) org = NULL;
  g_autoptr(GError) error = NULL;

  if (self->organization != NULL)
    org = gr_admin_client_update_organization_finish (GR_ADMIN_CLIENT (object), result, &error);
  else
    org = gr_admin_client_create_organization_finish (GR_ADMIN_CLIENT (object), result, &error);

  if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (org == NULL)
    {
      const char *param = gr_admin_client_error_get_param (error);

      if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CONFLICT))
        show_field_error (self, "name", _("An organization with this name already exists."));
      else if (!g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_INVALID) ||
               !show_field_error (self, param, error->message))
        gr_page_toast_error (GTK_WIDGET (self->toast_overlay), error);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_SAVED], 0, org);
  gtk_window_destroy (GTK_WINDOW (self));
}

/* The properties that differ from the organization being edited: an
 * orgs:write key may change only name and description, so a PATCH sends
 * no more than what the user changed. */
static GStrv
changed_fields (GrOrganization *before,
                GrOrganization *after)
{
  static const char * const names[] = {
    "name", "description", "status", "rpm", "requests-per-day", "tokens-per-day",
    "monthly-budget-micros",
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (before), names[i]);
      g_auto(GValue) a = G_VALUE_INIT;
      g_auto(GValue) b = G_VALUE_INIT;

      g_value_init (&a, pspec->value_type);
      g_value_init (&b, pspec->value_type);
      g_object_get_property (G_OBJECT (before), names[i], &a);
      g_object_get_property (G_OBJECT (after), names[i], &b);
      if (g_param_values_cmp (pspec, &a, &b) != 0)
        g_strv_builder_add (builder, names[i]);
    }
  return g_strv_builder_end (builder);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GrOrganizationEditor *self = GR_ORGANIZATION_EDITOR (widget);
  g_autoptr(GrOrganization) org = NULL;

  clear_errors (self);
  if ((org = read_form (self)) == NULL)
    return;
  if (self->client == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);

  if (self->organization != NULL)
    {
      g_auto(GStrv) fields = changed_fields (self->organization, org);

      if (fields[0] == NULL)
        {
          /* Nothing changed: nothing to send. */
          set_busy (self, FALSE);
          g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->organization);
          gtk_window_destroy (GTK_WINDOW (self));
          return;
        }
      gr_admin_client_update_organization_async (self->client, org, (const char * const *) fields,
                                                  self->cancellable, saved_cb, g_object_ref (self));
    }
  else
    gr_admin_client_create_organization_async (self->client, org, self->cancellable,
                                               saved_cb, g_object_ref (self));
}

static void
gr_organization_editor_constructed (GObject *object)
{
  GrOrganizationEditor *self = GR_ORGANIZATION_EDITOR (object);

  G_OBJECT_CLASS (gr_organization_editor_parent_class)->constructed (object);
  fill_form (self);
}

static void
gr_organization_editor_dispose (GObject *object)
{
  GrOrganizationEditor *self = GR_ORGANIZATION_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_ORGANIZATION_EDITOR);
  G_OBJECT_CLASS (gr_organization_editor_parent_class)->dispose (object);
}

static void
gr_organization_editor_finalize (GObject *object)
{
  GrOrganizationEditor *self = GR_ORGANIZATION_EDITOR (object);

  g_clear_object (&self->client);
  g_clear_object (&self->organization);
  G_OBJECT_CLASS (gr_organization_editor_parent_class)->finalize (object);
}

static void
gr_organization_editor_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  GrOrganizationEditor *self = GR_ORGANIZATION_EDITOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_ORGANIZATION:
      g_value_set_object (value, self->organization);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_organization_editor_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  GrOrganizationEditor *self = GR_ORGANIZATION_EDITOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_ORGANIZATION:
      self->organization = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_organization_editor_class_init (GrOrganizationEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = gr_organization_editor_constructed;
  object_class->dispose = gr_organization_editor_dispose;
  object_class->finalize = gr_organization_editor_finalize;
  object_class->get_property = gr_organization_editor_get_property;
  object_class->set_property = gr_organization_editor_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, GR_TYPE_ADMIN_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORGANIZATION] =
    g_param_spec_object ("organization", NULL, NULL, GR_TYPE_ORGANIZATION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, GR_TYPE_ORGANIZATION);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-organization-editor.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, GrOrganizationEditor, name)
  CHILD (toast_overlay);
  CHILD (save_stack);
  CHILD (name_row);
  CHILD (name_error_row);
  CHILD (name_error_label);
  CHILD (description_row);
  CHILD (description_error_row);
  CHILD (description_error_label);
  CHILD (status_row);
  CHILD (status_error_row);
  CHILD (status_error_label);
  CHILD (status_switch);
  CHILD (rpm_row);
  CHILD (rpm_unlimited);
  CHILD (rpm_error_row);
  CHILD (rpm_error_label);
  CHILD (requests_per_day_row);
  CHILD (requests_per_day_unlimited);
  CHILD (requests_per_day_error_row);
  CHILD (requests_per_day_error_label);
  CHILD (tokens_per_day_row);
  CHILD (tokens_per_day_unlimited);
  CHILD (tokens_per_day_error_row);
  CHILD (tokens_per_day_error_label);
  CHILD (budget_row);
  CHILD (budget_unlimited);
  CHILD (budget_error_row);
  CHILD (budget_error_label);
#undef CHILD

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
limit_field_init (LimitField     *field,
                  AdwEntryRow    *row,
                  GtkCheckButton *unlimited,
                  GtkWidget      *error_row,
                  GtkLabel       *error_label,
                  const char     *param,
                  const char     *property,
                  gboolean        money)
{
  field->row = row;
  field->unlimited = unlimited;
  field->error_row = error_row;
  field->error_label = error_label;
  field->param = param;
  field->property = property;
  field->money = money;
}

static void
unlimited_toggled_cb (GtkCheckButton *check,
                      AdwEntryRow    *row)
{
  /* A number typed into a limit means the user wants a limit. */
  if (gtk_check_button_get_active (check))
    gtk_editable_set_text (GTK_EDITABLE (row), "");
  else if (gtk_widget_get_mapped (GTK_WIDGET (row)))
    gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
gr_organization_editor_init (GrOrganizationEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  limit_field_init (&self->limits[LIMIT_RPM], self->rpm_row, self->rpm_unlimited,
                    self->rpm_error_row, self->rpm_error_label, "limits.rpm", "rpm", FALSE);
  limit_field_init (&self->limits[LIMIT_REQUESTS_PER_DAY], self->requests_per_day_row,
                    self->requests_per_day_unlimited, self->requests_per_day_error_row,
                    self->requests_per_day_error_label, "limits.requests_per_day", "requests-per-day", FALSE);
  limit_field_init (&self->limits[LIMIT_TOKENS_PER_DAY], self->tokens_per_day_row,
                    self->tokens_per_day_unlimited, self->tokens_per_day_error_row,
                    self->tokens_per_day_error_label, "limits.tokens_per_day", "tokens-per-day", FALSE);
  limit_field_init (&self->limits[LIMIT_BUDGET], self->budget_row, self->budget_unlimited,
                    self->budget_error_row, self->budget_error_label, "limits.monthly_budget_micros",
                    "monthly-budget-micros", TRUE);
  for (guint i = 0; i < N_LIMITS; i++)
    g_signal_connect_object (self->limits[i].unlimited, "toggled", G_CALLBACK (unlimited_toggled_cb),
                             self->limits[i].row, 0);
}

GrOrganizationEditor *
gr_organization_editor_new (GrAdminClient  *client,
                            GrOrganization *organization)
{
  g_return_val_if_fail (GR_IS_ADMIN_CLIENT (client), NULL);
  g_return_val_if_fail (organization == NULL || GR_IS_ORGANIZATION (organization), NULL);

  return g_object_new (GR_TYPE_ORGANIZATION_EDITOR,
                       "client", client,
                       "organization", organization,
                       NULL);
}

GrOrganization *
gr_organization_editor_get_organization (GrOrganizationEditor *self)
{
  g_return_val_if_fail (GR_IS_ORGANIZATION_EDITOR (self), NULL);
  return self->organization;
}
