/* gr-alias-editor.c — the form to add or change a route alias
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * An alias is a name clients send as "model" and an ordered list of
 * targets: tried in order ("fallback") or picked by weight ("weighted").
 * The list is small, so it is rebuilt as a whole after every change.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-alias-editor.h"

#define NAME_MAX_LENGTH 200
#define WEIGHT_MAX      1000

typedef struct
{
  char  *model;
  guint  weight;
} Target;

static void
target_free (Target *target)
{
  g_free (target->model);
  g_free (target);
}

struct _GrAliasEditor
{
  AdwWindow      parent_instance;

  GrAdminClient *client;
  /* NULL for a new alias. */
  GrAliasItem   *alias;
  GListModel    *models;
  GListModel    *aliases;
  GCancellable  *cancellable;
  GPtrArray     *targets;
  gboolean       saving;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkStack        *save_stack;
  GtkButton       *save_button;
  AdwEntryRow     *name_row;
  AdwComboRow     *strategy_row;
  AdwPreferencesGroup *targets_group;
  GtkListBox      *targets_list;
  AdwEntryRow     *add_row;
  GtkLabel        *error_label;
};

G_DEFINE_FINAL_TYPE (GrAliasEditor, gr_alias_editor, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void gr_alias_editor_rebuild (GrAliasEditor *self);

static gboolean
is_weighted (GrAliasEditor *self)
{
  return adw_combo_row_get_selected (self->strategy_row) == 1;
}

static void
show_error (GrAliasEditor *self,
            const char    *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static gboolean
has_space (const char *text)
{
  for (const char *c = text; *c != '\0'; c++)
    if (g_ascii_isspace (*c))
      return TRUE;
  return FALSE;
}

static gboolean
list_has (GListModel *list,
          const char *property,
          const char *value)
{
  guint n = list != NULL ? g_list_model_get_n_items (list) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (list, i);
      g_autofree char *text = NULL;

      g_object_get (item, property, &text, NULL);
      if (g_strcmp0 (text, value) == 0)
        return TRUE;
    }
  return FALSE;
}

/* NULL when the name is fine. */
static const char *
name_problem (GrAliasEditor *self,
              const char    *name)
{
  if (self->alias != NULL)
    return NULL;
  if (*name == '\0')
    return "";
  if (has_space (name) || g_utf8_strlen (name, -1) > NAME_MAX_LENGTH)
    return _("An alias is 1 to 200 characters without spaces.");
  if (list_has (self->aliases, "name", name))
    return _("An alias of this name exists already.");
  if (list_has (self->models, "id", name))
    return _("A model of this name exists already.");
  return NULL;
}

static gboolean
gr_alias_editor_validate (GrAliasEditor *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *problem = name_problem (self, name);
  gboolean ok = problem == NULL && self->targets->len > 0;

  if (problem != NULL && *problem != '\0')
    gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->name_row), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->name_row),
                               problem != NULL && *problem != '\0' ? problem : NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", ok && !self->saving);
  return ok;
}

static void
name_changed_cb (GrAliasEditor *self,
                 GtkEditable   *row)
{
  const char *problem = name_problem (self, gtk_editable_get_text (row));

  show_error (self, problem != NULL && *problem != '\0' ? problem : NULL);
  gr_alias_editor_validate (self);
}

static void
strategy_changed_cb (GrAliasEditor *self,
                     GParamSpec    *pspec,
                     AdwComboRow   *row)
{
  adw_preferences_group_set_description (self->targets_group,
                                         is_weighted (self)
                                         ? _("Each request goes to one target, chosen at random in proportion to its weight.")
                                         : _("Tried from the top: when a target fails, the next one gets the request."));
  gr_alias_editor_rebuild (self);
}

/* -- the target list -- */

static void
move_target (GrAliasEditor *self,
             guint          index,
             int            delta)
{
  guint other = index + delta;
  gpointer tmp;

  if (index >= self->targets->len || other >= self->targets->len)
    return;
  tmp = self->targets->pdata[index];
  self->targets->pdata[index] = self->targets->pdata[other];
  self->targets->pdata[other] = tmp;
  gr_alias_editor_rebuild (self);
}

static guint
button_index (GtkWidget *button)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "gr-index"));
}

static void
up_clicked_cb (GtkButton     *button,
               GrAliasEditor *self)
{
  move_target (self, button_index (GTK_WIDGET (button)), -1);
}

static void
down_clicked_cb (GtkButton     *button,
                 GrAliasEditor *self)
{
  move_target (self, button_index (GTK_WIDGET (button)), 1);
}

static void
remove_clicked_cb (GtkButton     *button,
                   GrAliasEditor *self)
{
  guint index = button_index (GTK_WIDGET (button));

  if (index < self->targets->len)
    g_ptr_array_remove_index (self->targets, index);
  gr_alias_editor_rebuild (self);
}

static void
weight_changed_cb (GtkSpinButton *spin,
                   GrAliasEditor *self)
{
  guint index = button_index (GTK_WIDGET (spin));

  if (index < self->targets->len)
    ((Target *) g_ptr_array_index (self->targets, index))->weight =
      (guint) gtk_spin_button_get_value_as_int (spin);
}

static GtkWidget *
icon_button (GrAliasEditor *self,
             const char    *icon_name,
             const char    *tooltip,
             guint          index,
             gboolean       sensitive,
             GCallback      callback)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_sensitive (button, sensitive);
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data (G_OBJECT (button), "gr-index", GUINT_TO_POINTER (index));
  g_signal_connect (button, "clicked", callback, self);
  return button;
}

static void
gr_alias_editor_rebuild (GrAliasEditor *self)
{
  GtkWidget *child;
  gboolean weighted = is_weighted (self);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->targets_list))) != NULL)
    gtk_list_box_remove (self->targets_list, child);

  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = g_ptr_array_index (self->targets, i);
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *number = g_strdup_printf ("%u.", i + 1);
      GtkWidget *prefix = gtk_label_new (number);

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), target->model);
      gtk_widget_add_css_class (prefix, "dim-label");
      gtk_widget_add_css_class (prefix, "numeric");
      gtk_widget_set_visible (prefix, !weighted);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), prefix);

      if (weighted)
        {
          GtkWidget *spin = gtk_spin_button_new_with_range (1, WEIGHT_MAX, 1);

          gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), target->weight);
          /* Translators: tooltip of the number that sets a target's share of an alias's requests. */
          gtk_widget_set_tooltip_text (spin, _("Weight"));
          gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          _("Weight"), -1);
          g_object_set_data (G_OBJECT (spin), "gr-index", GUINT_TO_POINTER (i));
          g_signal_connect (spin, "value-changed", G_CALLBACK (weight_changed_cb), self);
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), spin);
        }
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 icon_button (self, "go-up-symbolic", _("Move Up"), i, i > 0,
                                              G_CALLBACK (up_clicked_cb)));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 icon_button (self, "go-down-symbolic", _("Move Down"), i,
                                              i + 1 < self->targets->len, G_CALLBACK (down_clicked_cb)));
      adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                                 icon_button (self, "list-remove-symbolic", _("Remove"), i, TRUE,
                                              G_CALLBACK (remove_clicked_cb)));
      gtk_list_box_append (self->targets_list, row);
    }
  gr_alias_editor_validate (self);
}

static void
add_target (GrAliasEditor *self,
            const char    *model,
            guint          weight)
{
  Target *target = g_new0 (Target, 1);

  target->model = g_strdup (model);
  target->weight = CLAMP (weight, 1, WEIGHT_MAX);
  g_ptr_array_add (self->targets, target);
}

static void
add_changed_cb (GrAliasEditor *self,
                GtkEditable   *row)
{
  gtk_widget_remove_css_class (GTK_WIDGET (self->add_row), "error");
  show_error (self, NULL);
}

static void
add_target_cb (GrAliasEditor *self)
{
  g_autofree char *model = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->add_row))));
  const char *problem = NULL;

  if (*model == '\0')
    return;
  if (has_space (model))
    problem = _("A model id has no spaces.");
  else if (list_has (self->aliases, "name", model))
    problem = _("An alias cannot route to another alias.");
  else if (!list_has (self->models, "id", model) && strchr (model, '/') == NULL)
    problem = _("Enter a model of the registry, or provider/model.");
  for (guint i = 0; problem == NULL && i < self->targets->len; i++)
    if (g_str_equal (((Target *) g_ptr_array_index (self->targets, i))->model, model))
      problem = _("This model is a target already.");

  if (problem != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->add_row), "error");
      show_error (self, problem);
      return;
    }
  add_target (self, model, 1);
  gtk_editable_set_text (GTK_EDITABLE (self->add_row), "");
  gr_alias_editor_rebuild (self);
}

/* -- saving -- */

static void
set_saving (GrAliasEditor *self,
            gboolean       saving)
{
  self->saving = saving;
  gtk_stack_set_visible_child_name (self->save_stack, saving ? "spinner" : "button");
  gr_alias_editor_validate (self);
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GrAliasEditor) self = user_data;
  g_autoptr(GrAliasItem) saved = NULL;
  g_autoptr(GError) error = NULL;
  const char *param;

  saved = gr_admin_client_update_alias_finish (GR_ADMIN_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
      self->cancellable == NULL)
    return;
  set_saving (self, FALSE);
  if (error != NULL)
    {
      param = gr_admin_client_error_get_param (error);
      if (g_strcmp0 (param, "name") == 0)
        gtk_widget_add_css_class (GTK_WIDGET (self->name_row), "error");
      show_error (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, saved);
  gtk_window_close (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GrAliasEditor *self = GR_ALIAS_EDITOR (widget);
  g_autoptr(GrAliasItem) alias = NULL;
  g_autoptr(GPtrArray) models = g_ptr_array_new ();
  g_autofree guint *weights = NULL;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));

  if (self->saving || !gr_alias_editor_validate (self))
    return;

  weights = g_new0 (guint, self->targets->len + 1);
  for (guint i = 0; i < self->targets->len; i++)
    {
      Target *target = g_ptr_array_index (self->targets, i);

      g_ptr_array_add (models, target->model);
      weights[i] = target->weight;
    }
  g_ptr_array_add (models, NULL);

  alias = self->alias != NULL ? gr_alias_item_copy (self->alias) : gr_alias_item_new ();
  if (self->alias == NULL)
    gr_alias_item_set_name (alias, name);
  gr_alias_item_set_strategy (alias, is_weighted (self) ? "weighted" : "fallback");
  gr_alias_item_set_targets (alias, (const char * const *) models->pdata, weights);
  set_saving (self, TRUE);
  gr_admin_client_update_alias_async (self->client, alias, self->cancellable,
                                      save_done_cb, g_object_ref (self));
}

/* -- GObject -- */

static gboolean
gr_alias_editor_close_request (GtkWindow *window)
{
  GrAliasEditor *self = GR_ALIAS_EDITOR (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (gr_alias_editor_parent_class)->close_request (window);
}

static void
gr_alias_editor_dispose (GObject *object)
{
  GrAliasEditor *self = GR_ALIAS_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_ALIAS_EDITOR);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->alias);
  g_clear_object (&self->models);
  g_clear_object (&self->aliases);
  g_clear_pointer (&self->targets, g_ptr_array_unref);

  G_OBJECT_CLASS (gr_alias_editor_parent_class)->dispose (object);
}

static void
gr_alias_editor_class_init (GrAliasEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = gr_alias_editor_dispose;
  window_class->close_request = gr_alias_editor_close_request;

  /**
   * GrAliasEditor::saved:
   * @alias: the alias as the gateway stored it
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, GR_TYPE_ALIAS_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-alias-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, save_stack);
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, strategy_row);
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, targets_group);
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, targets_list);
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, add_row);
  gtk_widget_class_bind_template_child (widget_class, GrAliasEditor, error_label);
  gtk_widget_class_bind_template_callback (widget_class, name_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, strategy_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_target_cb);
  gtk_widget_class_bind_template_callback (widget_class, add_changed_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
gr_alias_editor_init (GrAliasEditor *self)
{
  self->cancellable = g_cancellable_new ();
  self->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) target_free);
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * gr_alias_editor_new:
 * @parent: (nullable): the window to stay above
 * @client: where to save
 * @alias: (nullable): the alias to change, %NULL for a new one
 * @models: (nullable): the registry's models (GrModelItem)
 * @aliases: (nullable): the registry's aliases (GrAliasItem)
 *
 * Returns: (transfer none): a new editor, not shown yet
 */
GrAliasEditor *
gr_alias_editor_new (GtkWindow     *parent,
                     GrAdminClient *client,
                     GrAliasItem   *alias,
                     GListModel    *models,
                     GListModel    *aliases)
{
  GrAliasEditor *self;

  g_return_val_if_fail (GR_IS_ADMIN_CLIENT (client), NULL);
  g_return_val_if_fail (alias == NULL || GR_IS_ALIAS_ITEM (alias), NULL);

  self = g_object_new (GR_TYPE_ALIAS_EDITOR, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->alias = alias != NULL ? gr_alias_item_copy (alias) : NULL;
  self->models = models != NULL ? g_object_ref (models) : NULL;
  self->aliases = aliases != NULL ? g_object_ref (aliases) : NULL;

  if (alias == NULL)
    {
      adw_window_title_set_title (self->window_title, _("New Alias"));
      gtk_button_set_label (self->save_button, _("_Add"));
    }
  else
    {
      const char * const *targets = gr_alias_item_get_targets (alias);
      guint n_weights = 0;
      const guint *weights = gr_alias_item_get_weights (alias, &n_weights);

      adw_window_title_set_title (self->window_title, _("Edit Alias"));
      adw_window_title_set_subtitle (self->window_title, gr_alias_item_get_name (alias));
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), gr_alias_item_get_name (alias));
      /* The name is what clients send; a new name is a new alias. */
      gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), FALSE);
      adw_combo_row_set_selected (self->strategy_row,
                                  g_strcmp0 (gr_alias_item_get_strategy (alias), "weighted") == 0 ? 1 : 0);
      for (guint i = 0; targets != NULL && targets[i] != NULL; i++)
        add_target (self, targets[i], i < n_weights ? weights[i] : 1);
    }
  strategy_changed_cb (self, NULL, self->strategy_row);
  return self;
}
