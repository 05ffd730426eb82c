/* gr-key-editor.c — the form that creates or edits an API key
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Like the organization editor, the form checks what it can and shows the
 * gateway's complaints under the field they name.  The secret of a new
 * key travels only through the "saved" signal, to the dialog that shows
 * it once.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pages/gr-key-editor.h"
#include "pages/gr-list-util.h"
#include "pages/gr-page.h"

#define NAME_MAX_LENGTH 200
/* The most organizations a list call returns. */
#define ORGS_PAGE_SIZE  200

typedef struct
{
  AdwEntryRow    *row;
  GtkCheckButton *unlimited;
  GtkWidget      *error_row;
  GtkLabel       *error_label;
  const char     *param;
  const char     *property;
  gboolean        money;
} LimitField;

enum {
  LIMIT_RPM,
  LIMIT_TOKENS_PER_DAY,
  LIMIT_BUDGET,
  N_LIMITS
};

static const char * const scopes[] = {
  "chat", "models:read", "keys:read", "keys:write", "orgs:read", "orgs:write", "stats:read", "admin",
};

struct _GrKeyEditor
{
  AdwWindow        parent_instance;

  GrAdminClient   *client;
  GrApiKey        *key;      /* NULL: a new one */
  char            *org_id;   /* preselected organization */
  GCancellable    *cancellable;
  GCancellable    *orgs_cancellable;
  LimitField       limits[N_LIMITS];
  GtkCheckButton  *scope_checks[G_N_ELEMENTS (scopes)];

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkStack        *save_stack;
  AdwEntryRow     *name_row;
  GtkWidget       *name_error_row;
  GtkLabel        *name_error_label;
  AdwComboRow     *org_row;
  GListStore      *orgs;
  GtkWidget       *org_error_row;
  GtkLabel        *org_error_label;
  GtkCheckButton  *chat_check;
  GtkCheckButton  *models_read_check;
  GtkCheckButton  *keys_read_check;
  GtkCheckButton  *keys_write_check;
  GtkCheckButton  *orgs_read_check;
  GtkCheckButton  *orgs_write_check;
  GtkCheckButton  *stats_read_check;
  GtkCheckButton  *admin_check;
  GtkWidget       *permissions_error_row;
  GtkLabel        *permissions_error_label;
  GtkWidget       *models_scroll;
  GtkTextView     *models_view;
  GtkLabel        *models_error_label;
  AdwActionRow    *expires_row;
  GtkSwitch       *expires_switch;
  GtkMenuButton   *expiry_button;
  GtkCalendar     *expiry_calendar;
  GtkWidget       *expires_error_row;
  GtkLabel        *expires_error_label;
  AdwEntryRow     *rpm_row;
  GtkCheckButton  *rpm_unlimited;
  GtkWidget       *rpm_error_row;
  GtkLabel        *rpm_error_label;
  AdwEntryRow     *tokens_per_day_row;
  GtkCheckButton  *tokens_per_day_unlimited;
  GtkWidget       *tokens_per_day_error_row;
  GtkLabel        *tokens_per_day_error_label;
  AdwEntryRow     *budget_row;
  GtkCheckButton  *budget_unlimited;
  GtkWidget       *budget_error_row;
  GtkLabel        *budget_error_label;
};

G_DEFINE_FINAL_TYPE (GrKeyEditor, gr_key_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_CLIENT,
  PROP_KEY,
  PROP_ORG_ID,
  N_PROPS
};

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- field errors ------------------------------------------------------ */

static void
set_models_error (GrKeyEditor *self,
                  const char  *message)
{
  gtk_label_set_text (self->models_error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->models_error_label), message != NULL);
  if (message != NULL)
    gtk_widget_add_css_class (self->models_scroll, "error");
  else
    gtk_widget_remove_css_class (self->models_scroll, "error");
}

static void
clear_errors (GrKeyEditor *self)
{
  gr_field_set_error (GTK_WIDGET (self->name_row), self->name_error_row, self->name_error_label, NULL);
  gr_field_set_error (GTK_WIDGET (self->org_row), self->org_error_row, self->org_error_label, NULL);
  gr_field_set_error (self->permissions_error_row, self->permissions_error_row,
                      self->permissions_error_label, NULL);
  gr_field_set_error (GTK_WIDGET (self->expires_row), self->expires_error_row, self->expires_error_label, NULL);
  set_models_error (self, NULL);
  for (guint i = 0; i < N_LIMITS; i++)
    gr_field_set_error (GTK_WIDGET (self->limits[i].row), self->limits[i].error_row,
                        self->limits[i].error_label, NULL);
}

static gboolean
show_field_error (GrKeyEditor *self,
                  const char  *param,
                  const char  *message)
{
  if (param == NULL)
    return FALSE;
  if (g_str_equal (param, "name"))
    {
      gr_field_set_error (GTK_WIDGET (self->name_row), self->name_error_row, self->name_error_label, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return TRUE;
    }
  if (g_str_equal (param, "org_id"))
    {
      gr_field_set_error (GTK_WIDGET (self->org_row), self->org_error_row, self->org_error_label, message);
      return TRUE;
    }
  if (g_str_equal (param, "permissions"))
    {
      gr_field_set_error (self->permissions_error_row, self->permissions_error_row,
                          self->permissions_error_label, message);
      return TRUE;
    }
  if (g_str_has_prefix (param, "allowed_models"))
    {
      set_models_error (self, message);
      return TRUE;
    }
  if (g_str_equal (param, "expires_at"))
    {
      gr_field_set_error (GTK_WIDGET (self->expires_row), self->expires_error_row,
                          self->expires_error_label, message);
      return TRUE;
    }
  for (guint i = 0; i < N_LIMITS; i++)
    if (g_str_equal (param, self->limits[i].param) || (g_str_equal (param, "limits") && i == 0))
      {
        gr_field_set_error (GTK_WIDGET (self->limits[i].row), self->limits[i].error_row,
                            self->limits[i].error_label, message);
        return TRUE;
      }
  return FALSE;
}

static void
set_busy (GrKeyEditor *self,
          gboolean     busy)
{
  gtk_stack_set_visible_child_name (self->save_stack, busy ? "spinner" : "button");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", !busy);
}

/* ---- expiry ------------------------------------------------------------ */

/* The key stops at the end of the chosen local day: the next midnight. */
static gint64
expiry_from_calendar (GrKeyEditor *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->expiry_calendar);
  g_autoptr(GDateTime) midnight = g_date_time_new_local (g_date_time_get_year (day),
                                                         g_date_time_get_month (day),
                                                         g_date_time_get_day_of_month (day), 0, 0, 0);
  g_autoptr(GDateTime) next = g_date_time_add_days (midnight, 1);

  return g_date_time_to_unix (next) * 1000;
}

static void
update_expiry_label (GrKeyEditor *self)
{
  g_autoptr(GDateTime) day = gtk_calendar_get_date (self->expiry_calendar);
  g_autofree char *text = g_date_time_format (day, "%x");

  gtk_menu_button_set_label (self->expiry_button, text);
}

static void
calendar_day_selected_cb (GrKeyEditor *self)
{
  update_expiry_label (self);
  gtk_menu_button_popdown (self->expiry_button);
}

static void
set_calendar_day (GrKeyEditor *self,
                  GDateTime   *day)
{
  gtk_calendar_select_day (self->expiry_calendar, day);
  update_expiry_label (self);
}

/* ---- organizations ------------------------------------------------------ */

static void
select_org (GrKeyEditor *self,
            const char  *org_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->orgs));

  for (guint i = 0; org_id != NULL && i < n; i++)
    {
      g_autoptr(GrOrganization) org = g_list_model_get_item (G_LIST_MODEL (self->orgs), i);

      if (g_strcmp0 (gr_organization_get_id (org), org_id) == 0)
        {
          adw_combo_row_set_selected (self->org_row, i);
          return;
        }
    }
}

static void
orgs_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GrKeyEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListStore) orgs = gr_admin_client_list_organizations_finish (GR_ADMIN_CLIENT (object),
                                                                          result, NULL, &error);
  g_autoptr(GPtrArray) items = NULL;
  guint n;

  if (orgs == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self->toast_overlay), error);
      return;
    }
  n = g_list_model_get_n_items (G_LIST_MODEL (orgs));
  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (orgs), i));
  g_list_store_splice (self->orgs, 0, g_list_model_get_n_items (G_LIST_MODEL (self->orgs)),
                       items->pdata, items->len);
  select_org (self, self->key != NULL ? gr_api_key_get_org_id (self->key) : self->org_id);
  if (n == 0)
    show_field_error (self, "org_id", _("Create an organization first: every key belongs to one."));
}

static void
reload_orgs_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  GrKeyEditor *self = GR_KEY_EDITOR (widget);
  GrListParams params = { 0 };

  g_cancellable_cancel (self->orgs_cancellable);
  g_clear_object (&self->orgs_cancellable);
  if (self->client == NULL)
    return;
  self->orgs_cancellable = g_cancellable_new ();
  params.page_size = ORGS_PAGE_SIZE;
  params.sort = "name";
  gr_admin_client_list_organizations_async (self->client, &params, self->orgs_cancellable,
                                            orgs_loaded_cb, g_object_ref (self));
}

/* ---- the form ---------------------------------------------------------- */

static void
fill_form (GrKeyEditor *self)
{
  GrApiKey *key = self->key;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) in_a_month = g_date_time_add_days (now, 30);

  gtk_window_set_title (GTK_WINDOW (self), key != NULL ? _("Edit API Key") : _("New API Key"));
  set_calendar_day (self, in_a_month);

  if (key == NULL)
    {
      /* What most keys need: talk to models. */
      gtk_check_button_set_active (self->chat_check, TRUE);
      gtk_check_button_set_active (self->models_read_check, TRUE);
      return;
    }

  /* Keys never move to another organization. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->org_row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->org_row), NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), gr_api_key_get_name (key));
  for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
    gtk_check_button_set_active (self->scope_checks[i], gr_api_key_has_permission (key, scopes[i]));

  {
    const char * const *models = gr_api_key_get_allowed_models (key);
    g_autofree char *text = models != NULL ? g_strjoinv ("\n", (char **) models) : g_strdup ("");

    gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->models_view), text, -1);
  }

  if (gr_api_key_get_expires_at (key) > 0)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc ((gr_api_key_get_expires_at (key) - 1) / 1000);
      g_autoptr(GDateTime) last_day = utc != NULL ? g_date_time_to_local (utc) : NULL;

      gtk_switch_set_active (self->expires_switch, TRUE);
      if (last_day != NULL)
        set_calendar_day (self, last_day);
    }

  for (guint i = 0; i < N_LIMITS; i++)
    {
      LimitField *field = &self->limits[i];
      gint64 value = -1;
      g_autofree char *text = NULL;

      g_object_get (key, field->property, &value, NULL);
      if (value >= 0)
        text = field->money ? gr_format_dollars_input (value) : g_strdup_printf ("%" G_GINT64_FORMAT, value);
      gtk_check_button_set_active (field->unlimited, value < 0);
      gtk_editable_set_text (GTK_EDITABLE (field->row), text != NULL ? text : "");
    }
}

/* "openai/…, anthropic/…\nollama/llama3.2" → its patterns. */
static GStrv
split_models (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) parts = g_regex_split_simple ("[,\\n]", text, 0, 0);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }
  return g_strv_builder_end (builder);
}

static GrApiKey *
read_form (GrKeyEditor *self)
{
  g_autoptr(GrApiKey) key = NULL;
  g_autofree char *name = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  g_autoptr(GStrvBuilder) permissions = g_strv_builder_new ();
  g_auto(GStrv) scopes_set = NULL;
  g_auto(GStrv) models = NULL;
  g_autofree char *models_text = NULL;
  GtkTextIter start, end;
  gboolean valid = TRUE;

  key = self->key != NULL ? gr_api_key_copy (self->key) : gr_api_key_new ();

  g_strstrip (name);
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
  gr_api_key_set_name (key, name);

  if (self->key == NULL)
    {
      GrOrganization *org = adw_combo_row_get_selected_item (self->org_row);

      if (org == NULL)
        {
          show_field_error (self, "org_id", _("Choose the organization of the key."));
          valid = FALSE;
        }
      else
        gr_api_key_set_org_id (key, gr_organization_get_id (org));
    }

  for (guint i = 0; i < G_N_ELEMENTS (scopes); i++)
    if (gtk_check_button_get_active (self->scope_checks[i]))
      g_strv_builder_add (permissions, scopes[i]);
  scopes_set = g_strv_builder_end (permissions);
  if (scopes_set[0] == NULL)
    {
      show_field_error (self, "permissions", _("Choose at least one permission."));
      valid = FALSE;
    }
  gr_api_key_set_permissions (key, (const char * const *) scopes_set);

  gtk_text_buffer_get_bounds (gtk_text_view_get_buffer (self->models_view), &start, &end);
  models_text = gtk_text_iter_get_text (&start, &end);
  models = split_models (models_text);
  gr_api_key_set_allowed_models (key, (const char * const *) models);

  if (gtk_switch_get_active (self->expires_switch))
    {
      gint64 expires_at = expiry_from_calendar (self);

      if (expires_at <= g_get_real_time () / 1000)
        {
          show_field_error (self, "expires_at", _("Choose a day that has not ended yet."));
          valid = FALSE;
        }
      gr_api_key_set_expires_at (key, expires_at);
    }
  else
    gr_api_key_set_expires_at (key, 0);

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
      g_object_set (key, field->property, value, NULL);
    }

  return valid ? g_steal_pointer (&key) : NULL;
}

static GStrv
changed_fields (GrApiKey *before,
                GrApiKey *after)
{
  static const char * const names[] = {
    "name", "permissions", "allowed-models", "expires-at", "rpm", "tokens-per-day",
    "monthly-budget-micros",
  };
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (before), names[i]);
      g_auto(GValue) a = G_VALUE_INIT;
      g_auto(GValue) b = G_VALUE_INIT;
      gboolean differ;

      g_value_init (&a, pspec->value_type);
      g_value_init (&b, pspec->value_type);
      g_object_get_property (G_OBJECT (before), names[i], &a);
      g_object_get_property (G_OBJECT (after), names[i], &b);
      if (pspec->value_type == G_TYPE_STRV)
        {
          const char * const *x = g_value_get_boxed (&a);
          const char * const *y = g_value_get_boxed (&b);
          static const char * const empty[] = { NULL };

          differ = !g_strv_equal (x != NULL ? x : empty, y != NULL ? y : empty);
        }
      else
        differ = g_param_values_cmp (pspec, &a, &b) != 0;
      if (differ)
        g_strv_builder_add (builder, names[i]);
    }
  return g_strv_builder_end (builder);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GrKeyEditor) self = user_data;
  g_autoptr(GrApiKey) key = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  if (self->key != NULL)
    key = gr_admin_client_update_api_key_finish (GR_ADMIN_CLIENT (object), result, &error);
  else
    key = gr_admin_client_create_api_key_finish (GR_ADMIN_CLIENT (object), result, &secret, &error);

  if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (key == NULL)
    {
      const char *param = gr_admin_client_error_get_param (error);

      if (!show_field_error (self, param, error->message))
        gr_page_toast_error (GTK_WIDGET (self->toast_overlay), error);
      return;
    }

  g_signal_emit (self, signals[SIGNAL_SAVED], 0, key, secret);
  if (secret != NULL)
    memset (secret, 0, strlen (secret));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GrKeyEditor *self = GR_KEY_EDITOR (widget);
  g_autoptr(GrApiKey) key = NULL;

  clear_errors (self);
  if ((key = read_form (self)) == NULL || self->client == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);

  if (self->key != NULL)
    {
      g_auto(GStrv) fields = changed_fields (self->key, key);

      if (fields[0] == NULL)
        {
          set_busy (self, FALSE);
          g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->key, NULL);
          gtk_window_destroy (GTK_WINDOW (self));
          return;
        }
      gr_admin_client_update_api_key_async (self->client, key, (const char * const *) fields,
                                            self->cancellable, saved_cb, g_object_ref (self));
    }
  else
    gr_admin_client_create_api_key_async (self->client, key, self->cancellable, saved_cb, g_object_ref (self));
}

/* ---- GObject ----------------------------------------------------------- */

static void
unlimited_toggled_cb (GtkCheckButton *check,
                      AdwEntryRow    *row)
{
  if (gtk_check_button_get_active (check))
    gtk_editable_set_text (GTK_EDITABLE (row), "");
  else if (gtk_widget_get_mapped (GTK_WIDGET (row)))
    gtk_widget_grab_focus (GTK_WIDGET (row));
}

static void
gr_key_editor_constructed (GObject *object)
{
  GrKeyEditor *self = GR_KEY_EDITOR (object);

  G_OBJECT_CLASS (gr_key_editor_parent_class)->constructed (object);
  fill_form (self);
  gtk_widget_activate_action (GTK_WIDGET (self), "editor.reload-organizations", NULL);
}

static void
gr_key_editor_dispose (GObject *object)
{
  GrKeyEditor *self = GR_KEY_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->orgs_cancellable);
  g_clear_object (&self->orgs_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_KEY_EDITOR);
  G_OBJECT_CLASS (gr_key_editor_parent_class)->dispose (object);
}

static void
gr_key_editor_finalize (GObject *object)
{
  GrKeyEditor *self = GR_KEY_EDITOR (object);

  g_clear_object (&self->client);
  g_clear_object (&self->key);
  g_clear_pointer (&self->org_id, g_free);
  G_OBJECT_CLASS (gr_key_editor_parent_class)->finalize (object);
}

static void
gr_key_editor_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  GrKeyEditor *self = GR_KEY_EDITOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_KEY:
      g_value_set_object (value, self->key);
      break;
    case PROP_ORG_ID:
      g_value_set_string (value, self->org_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_key_editor_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  GrKeyEditor *self = GR_KEY_EDITOR (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    case PROP_KEY:
      self->key = g_value_dup_object (value);
      break;
    case PROP_ORG_ID:
      self->org_id = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_key_editor_class_init (GrKeyEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = gr_key_editor_constructed;
  object_class->dispose = gr_key_editor_dispose;
  object_class->finalize = gr_key_editor_finalize;
  object_class->get_property = gr_key_editor_get_property;
  object_class->set_property = gr_key_editor_set_property;

  properties[PROP_CLIENT] =
    g_param_spec_object ("client", NULL, NULL, GR_TYPE_ADMIN_CLIENT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_KEY] =
    g_param_spec_object ("key", NULL, NULL, GR_TYPE_API_KEY,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ORG_ID] =
    g_param_spec_string ("org-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, GR_TYPE_API_KEY, G_TYPE_STRING);

  g_type_ensure (GR_TYPE_ORGANIZATION);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/gaiarouter/GaiaRouter/pages/gr-key-editor.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, GrKeyEditor, name)
  CHILD (toast_overlay);
  CHILD (save_stack);
  CHILD (name_row);
  CHILD (name_error_row);
  CHILD (name_error_label);
  CHILD (org_row);
  CHILD (orgs);
  CHILD (org_error_row);
  CHILD (org_error_label);
  CHILD (chat_check);
  CHILD (models_read_check);
  CHILD (keys_read_check);
  CHILD (keys_write_check);
  CHILD (orgs_read_check);
  CHILD (orgs_write_check);
  CHILD (stats_read_check);
  CHILD (admin_check);
  CHILD (permissions_error_row);
  CHILD (permissions_error_label);
  CHILD (models_scroll);
  CHILD (models_view);
  CHILD (models_error_label);
  CHILD (expires_row);
  CHILD (expires_switch);
  CHILD (expiry_button);
  CHILD (expiry_calendar);
  CHILD (expires_error_row);
  CHILD (expires_error_label);
  CHILD (rpm_row);
  CHILD (rpm_unlimited);
  CHILD (rpm_error_row);
  CHILD (rpm_error_label);
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
  gtk_widget_class_install_action (widget_class, "editor.reload-organizations", NULL, reload_orgs_action);
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
gr_key_editor_init (GrKeyEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->scope_checks[0] = self->chat_check;
  self->scope_checks[1] = self->models_read_check;
  self->scope_checks[2] = self->keys_read_check;
  self->scope_checks[3] = self->keys_write_check;
  self->scope_checks[4] = self->orgs_read_check;
  self->scope_checks[5] = self->orgs_write_check;
  self->scope_checks[6] = self->stats_read_check;
  self->scope_checks[7] = self->admin_check;

  limit_field_init (&self->limits[LIMIT_RPM], self->rpm_row, self->rpm_unlimited,
                    self->rpm_error_row, self->rpm_error_label, "limits.rpm", "rpm", FALSE);
  limit_field_init (&self->limits[LIMIT_TOKENS_PER_DAY], self->tokens_per_day_row,
                    self->tokens_per_day_unlimited, self->tokens_per_day_error_row,
                    self->tokens_per_day_error_label, "limits.tokens_per_day", "tokens-per-day", FALSE);
  limit_field_init (&self->limits[LIMIT_BUDGET], self->budget_row, self->budget_unlimited,
                    self->budget_error_row, self->budget_error_label, "limits.monthly_budget_micros",
                    "monthly-budget-micros", TRUE);
  for (guint i = 0; i < N_LIMITS; i++)
    g_signal_connect_object (self->limits[i].unlimited, "toggled", G_CALLBACK (unlimited_toggled_cb),
                             self->limits[i].row, 0);
  g_signal_connect_object (self->expiry_calendar, "day-selected", G_CALLBACK (calendar_day_selected_cb),
                           self, G_CONNECT_SWAPPED);
}

GrKeyEditor *
gr_key_editor_new (GrAdminClient *client,
                   GrApiKey      *key,
                   const char    *org_id)
{
  g_return_val_if_fail (GR_IS_ADMIN_CLIENT (client), NULL);
  g_return_val_if_fail (key == NULL || GR_IS_API_KEY (key), NULL);

  return g_object_new (GR_TYPE_KEY_EDITOR,
                       "client", client,
                       "key", key,
                       "org-id", org_id,
                       NULL);
}

GrApiKey *
gr_key_editor_get_key (GrKeyEditor *self)
{
  g_return_val_if_fail (GR_IS_KEY_EDITOR (self), NULL);
  return self->key;
}
