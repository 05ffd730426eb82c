/* gr-models-page.c — the model registry: models with prices, and aliases
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Two tables of /v1/registry: models (prices shown in dollars per million
 * tokens, capabilities as chips) and route aliases.  The registry is small
 * enough to load whole, so search, provider filter and sorting happen in
 * the models declared in the .ui.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-alias-editor.h"
#include "pages/gr-list-util.h"
#include "pages/gr-model-editor.h"
#include "pages/gr-models-page.h"

struct _GrModelsPage
{
  AdwBin         parent_instance;

  GrAdminClient *client;
  /* Calls about one row; cancelled on dispose and whenever the client
   * changes.  NULL once disposed. */
  GCancellable  *cancellable;
  /* The loads in flight, cancelled by newer ones too. */
  GCancellable  *load_cancellable;
  /* Both lists are loaded together; the page shows them when both came. */
  guint          pending;
  GError        *load_error;

  /* Template widgets */
  GtkSearchEntry      *search_entry;
  GtkDropDown         *provider_dropdown;
  GtkStringList       *provider_list;
  GtkWidget           *add_alias_button;
  GtkStack            *stack;
  AdwStatusPage       *error_page;
  AdwViewStack        *view_stack;
  GtkColumnView       *models_view;
  GtkSingleSelection  *models_selection;
  GtkFilterListModel  *models_filter_model;
  GtkStringFilter     *provider_filter;
  GListStore          *models_store;
  GtkStack            *aliases_stack;
  GtkColumnView       *aliases_view;
  GtkSingleSelection  *aliases_selection;
  GListStore          *aliases_store;
};

static void gr_models_page_iface_init (GrPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GrModelsPage, gr_models_page, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (GR_TYPE_PAGE, gr_models_page_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

/* The capability chips: the property of GrModelItem and its label. */
static const struct
{
  const char *property;
  const char *label;
  const char *tooltip;
} capabilities[] = {
  /* Translators: a model capability chip: it can call tools (functions). */
  { "tools", N_("Tools"), N_("Calls tools (functions)") },
  /* Translators: a model capability chip: it reads images. */
  { "vision", N_("Vision"), N_("Reads images") },
  /* Translators: a model capability chip: it can answer in strict JSON. */
  { "json", N_("JSON"), N_("Answers in JSON on request") },
  /* Translators: a model capability chip: it thinks before answering. */
  { "reasoning", N_("Reasoning"), N_("Reasons before answering") },
};

/* ------------------------------------------------------------------ */
/* Formats                                                             */
/* ------------------------------------------------------------------ */

/* micro-USD per million tokens as "$2.50", "$0.075": exact, at least
 * two decimals. */
static char *
format_price (gpointer unused,
              gint64   micros)
{
  g_autofree char *digits = gr_format_dollars_input (micros);
  const char *dot = strchr (digits, '.');
  gsize decimals = dot != NULL ? strlen (dot + 1) : 0;

  if (decimals >= 2)
    return g_strconcat ("$", digits, NULL);
  return g_strdup_printf ("$%s%s%s", digits, dot == NULL ? "." : "", decimals == 1 ? "0" : "00");
}

static char *
format_tokens (gpointer unused,
               gint64   tokens)
{
  if (tokens <= 0)
    /* Translators: a context window or token limit that the registry does not know. */
    return g_strdup (C_("tokens", "—"));
  return gr_format_short_count (tokens);
}

static char *
model_search_text (gpointer     unused,
                   const char  *id,
                   const char  *upstream,
                   char       **aliases)
{
  g_autofree char *joined = aliases != NULL ? g_strjoinv (" ", aliases) : NULL;

  return g_strjoin (" ", id ? id : "", upstream ? upstream : "", joined ? joined : "", NULL);
}

static char *
alias_search_text (gpointer     unused,
                   const char  *name,
                   char       **targets)
{
  g_autofree char *joined = targets != NULL ? g_strjoinv (" ", targets) : NULL;

  return g_strjoin (" ", name ? name : "", joined ? joined : "", NULL);
}

static char *
strategy_title (gpointer    unused,
                const char *strategy)
{
  if (g_strcmp0 (strategy, "weighted") == 0)
    /* Translators: an alias strategy: requests spread over the targets by weight. */
    return g_strdup (_("Weighted"));
  /* Translators: an alias strategy: targets tried in order. */
  return g_strdup (_("Fallback"));
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static GtkWindow *
parent_window (GrModelsPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static gboolean
is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED);
}

/* Replaces the item whose property equals that of item, or appends it. */
static void
put_item (GListStore *store,
          gpointer    item,
          const char *property)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));
  g_autofree char *key = NULL;

  g_object_get (item, property, &key, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) other = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *other_key = NULL;

      g_object_get (other, property, &other_key, NULL);
      if (g_strcmp0 (key, other_key) == 0)
        {
          g_list_store_splice (store, i, 1, &item, 1);
          return;
        }
    }
  g_list_store_append (store, item);
}

static void
remove_item (GListStore *store,
             const char *property,
             const char *key)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) other = g_list_model_get_item (G_LIST_MODEL (store), i);
      g_autofree char *other_key = NULL;

      g_object_get (other, property, &other_key, NULL);
      if (g_strcmp0 (key, other_key) == 0)
        {
          g_list_store_remove (store, i);
          return;
        }
    }
}

static void
replace_all (GListStore *store,
             GListModel *items)
{
  g_autoptr(GPtrArray) array = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (items);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (array, g_list_model_get_item (items, i));
  g_list_store_splice (store, 0, g_list_model_get_n_items (G_LIST_MODEL (store)),
                       array->pdata, array->len);
}

static void
update_aliases_stack (GrModelsPage *self)
{
  gtk_stack_set_visible_child_name (self->aliases_stack,
                                    g_list_model_get_n_items (G_LIST_MODEL (self->aliases_store)) > 0
                                    ? "list" : "empty");
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static void provider_selected_cb (GrModelsPage *self,
                                  GParamSpec   *pspec,
                                  GtkDropDown  *dropdown);

/* The provider menu: "All Providers", then each provider of the
 * registry, keeping the current choice when it is still there. */
static void
update_providers (GrModelsPage *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *current = g_strdup (gtk_string_filter_get_search (self->provider_filter));
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->models_store));
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->provider_list));
  guint selected = 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrModelItem) model = g_list_model_get_item (G_LIST_MODEL (self->models_store), i);
      const char *provider = gr_model_item_get_provider (model);
      gboolean seen = FALSE;

      for (guint j = 0; j < names->len && !seen; j++)
        seen = g_strcmp0 (g_ptr_array_index (names, j), provider) == 0;
      if (!seen && provider != NULL)
        g_ptr_array_add (names, g_strdup (provider));
    }
  g_ptr_array_sort (names, compare_strings);
  for (guint i = 0; i < names->len; i++)
    if (g_strcmp0 (g_ptr_array_index (names, i), current) == 0)
      selected = i + 1;
  g_ptr_array_add (names, NULL);

  gtk_string_list_splice (self->provider_list, 1, n_old - 1, (const char * const *) names->pdata);
  gtk_drop_down_set_selected (self->provider_dropdown, selected);
  provider_selected_cb (self, NULL, self->provider_dropdown);
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

static void
load_step_done (GrModelsPage *self)
{
  if (--self->pending > 0)
    return;
  if (self->load_error != NULL)
    {
      adw_status_page_set_description (self->error_page, self->load_error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      g_clear_error (&self->load_error);
      return;
    }
  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
models_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GrModelsPage) self = user_data;
  g_autoptr(GListStore) models = NULL;
  g_autoptr(GError) error = NULL;

  models = gr_admin_client_list_models_finish (GR_ADMIN_CLIENT (source), result, &error);
  if (is_cancelled (error) || self->cancellable == NULL)
    return;
  if (error != NULL)
    {
      if (self->load_error == NULL)
        self->load_error = g_steal_pointer (&error);
    }
  else
    {
      replace_all (self->models_store, G_LIST_MODEL (models));
      update_providers (self);
    }
  load_step_done (self);
}

static void
aliases_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GrModelsPage) self = user_data;
  g_autoptr(GListStore) aliases = NULL;
  g_autoptr(GError) error = NULL;

  aliases = gr_admin_client_list_aliases_finish (GR_ADMIN_CLIENT (source), result, &error);
  if (is_cancelled (error) || self->cancellable == NULL)
    return;
  if (error != NULL)
    {
      if (self->load_error == NULL)
        self->load_error = g_steal_pointer (&error);
    }
  else
    {
      replace_all (self->aliases_store, G_LIST_MODEL (aliases));
      update_aliases_stack (self);
    }
  load_step_done (self);
}

static void
renew (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
}

static void
gr_models_page_load (GrModelsPage *self)
{
  if (self->client == NULL)
    {
      renew (&self->load_cancellable);
      g_list_store_remove_all (self->models_store);
      g_list_store_remove_all (self->aliases_store);
      gtk_stack_set_visible_child_name (self->stack, "disconnected");
      return;
    }

  renew (&self->load_cancellable);
  self->pending = 0;
  g_clear_error (&self->load_error);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->models_store)) == 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  self->pending = 2;
  gr_admin_client_list_models_async (self->client, self->load_cancellable,
                                     models_done_cb, g_object_ref (self));
  gr_admin_client_list_aliases_async (self->client, self->load_cancellable,
                                      aliases_done_cb, g_object_ref (self));
}

/* ------------------------------------------------------------------ */
/* Filters and views                                                   */
/* ------------------------------------------------------------------ */

static void
provider_selected_cb (GrModelsPage *self,
                      GParamSpec   *pspec,
                      GtkDropDown  *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);

  /* Item 0 is "All providers". */
  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    gtk_string_filter_set_search (self->provider_filter, NULL);
  else
    gtk_string_filter_set_search (self->provider_filter,
                                  gtk_string_list_get_string (self->provider_list, selected));
}

static void
view_changed_cb (GrModelsPage *self,
                 GParamSpec   *pspec,
                 AdwViewStack *stack)
{
  gboolean models = g_strcmp0 (adw_view_stack_get_visible_child_name (stack), "models") == 0;

  /* The provider menu filters models only. */
  gtk_widget_set_visible (GTK_WIDGET (self->provider_dropdown), models);
}

/* ------------------------------------------------------------------ */
/* Models                                                              */
/* ------------------------------------------------------------------ */

static void
capabilities_setup_cb (GtkSignalListItemFactory *factory,
                       GtkListItem              *list_item)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  for (guint i = 0; i < G_N_ELEMENTS (capabilities); i++)
    {
      GtkWidget *chip = gtk_label_new (g_dgettext (GETTEXT_PACKAGE, capabilities[i].label));

      gtk_widget_add_css_class (chip, "gr-chip");
      gtk_widget_add_css_class (chip, "caption");
      gtk_widget_set_tooltip_text (chip, g_dgettext (GETTEXT_PACKAGE, capabilities[i].tooltip));
      gtk_box_append (GTK_BOX (box), chip);
    }
  gtk_list_item_set_child (list_item, box);
}

static void
capabilities_bind_cb (GtkSignalListItemFactory *factory,
                      GtkListItem              *list_item)
{
  GtkWidget *chip = gtk_widget_get_first_child (gtk_list_item_get_child (list_item));
  GObject *item = gtk_list_item_get_item (list_item);

  for (guint i = 0; chip != NULL && i < G_N_ELEMENTS (capabilities); i++, chip = gtk_widget_get_next_sibling (chip))
    {
      gboolean has = FALSE;

      g_object_get (item, capabilities[i].property, &has, NULL);
      gtk_widget_set_visible (chip, has);
    }
}

static void
model_saved_cb (GrModelsPage  *self,
                GrModelItem   *model,
                GrModelEditor *editor)
{
  g_autofree char *message = NULL;

  put_item (self->models_store, model, "id");
  /* Translators: a notification; %s is a model id such as openai/gpt-4o. */
  message = g_strdup_printf (_("Prices of “%s” saved"), gr_model_item_get_id (model));
  gr_page_toast (GTK_WIDGET (self), message);
}

static void
edit_model (GrModelsPage *self,
            GrModelItem  *model)
{
  GrModelEditor *editor;

  if (self->client == NULL || model == NULL)
    return;
  editor = gr_model_editor_new (parent_window (self), self->client, model);
  g_signal_connect_object (editor, "saved", G_CALLBACK (model_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
models_activate_cb (GrModelsPage  *self,
                    guint          position,
                    GtkColumnView *view)
{
  g_autoptr(GrModelItem) model = g_list_model_get_item (G_LIST_MODEL (self->models_selection), position);

  edit_model (self, model);
}

static void
model_edit_clicked_cb (GtkButton    *button,
                       GrModelsPage *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (button), "gr-list-item");

  edit_model (self, gtk_list_item_get_item (list_item));
}

static void
model_actions_setup_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *list_item,
                        GrModelsPage             *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name ("document-edit-symbolic");

  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_widget_set_tooltip_text (button, _("Edit Prices"));
  g_object_set_data (G_OBJECT (button), "gr-list-item", list_item);
  g_signal_connect (button, "clicked", G_CALLBACK (model_edit_clicked_cb), self);
  gtk_list_item_set_child (list_item, button);
}

/* ------------------------------------------------------------------ */
/* Aliases                                                             */
/* ------------------------------------------------------------------ */

static void
targets_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (list_item, label);
}

static void
targets_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  GtkWidget *label = gtk_list_item_get_child (list_item);
  GrAliasItem *alias = gtk_list_item_get_item (list_item);
  const char * const *targets = gr_alias_item_get_targets (alias);
  gboolean weighted = g_strcmp0 (gr_alias_item_get_strategy (alias), "weighted") == 0;
  guint n_weights = 0;
  const guint *weights = gr_alias_item_get_weights (alias, &n_weights);
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; targets != NULL && targets[i] != NULL; i++)
    {
      if (i > 0)
        g_string_append (text, weighted ? ", " : " → ");
      g_string_append (text, targets[i]);
      if (weighted)
        /* Translators: the weight of an alias target, after its name: "openai/gpt-4o ×3". */
        g_string_append_printf (text, _(" ×%u"), i < n_weights ? weights[i] : 1);
    }
  gtk_label_set_text (GTK_LABEL (label), text->str);
  gtk_widget_set_tooltip_text (label, text->str);
}

static void
alias_saved_cb (GrModelsPage  *self,
                GrAliasItem   *alias,
                GrAliasEditor *editor)
{
  g_autofree char *message = NULL;

  put_item (self->aliases_store, alias, "name");
  update_aliases_stack (self);
  /* Translators: a notification; %s is an alias name. */
  message = g_strdup_printf (_("Alias “%s” saved"), gr_alias_item_get_name (alias));
  gr_page_toast (GTK_WIDGET (self), message);
}

static void
edit_alias (GrModelsPage *self,
            GrAliasItem  *alias)
{
  GrAliasEditor *editor;

  if (self->client == NULL)
    return;
  editor = gr_alias_editor_new (parent_window (self), self->client, alias,
                                G_LIST_MODEL (self->models_store), G_LIST_MODEL (self->aliases_store));
  g_signal_connect_object (editor, "saved", G_CALLBACK (alias_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
aliases_activate_cb (GrModelsPage  *self,
                     guint          position,
                     GtkColumnView *view)
{
  g_autoptr(GrAliasItem) alias = g_list_model_get_item (G_LIST_MODEL (self->aliases_selection), position);

  if (alias != NULL)
    edit_alias (self, alias);
}

static void
alias_edit_clicked_cb (GtkButton    *button,
                       GrModelsPage *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (button), "gr-list-item");
  GrAliasItem *alias = gtk_list_item_get_item (list_item);

  if (alias != NULL)
    edit_alias (self, alias);
}

typedef struct
{
  GrModelsPage *self;
  char         *name;
} DeleteData;

static void
delete_data_free (DeleteData *data)
{
  g_object_unref (data->self);
  g_free (data->name);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (DeleteData, delete_data_free)

static void
alias_deleted_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(DeleteData) data = user_data;
  GrModelsPage *self = data->self;
  g_autoptr(GError) error = NULL;

  if (!gr_admin_client_delete_alias_finish (GR_ADMIN_CLIENT (source), result, &error))
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }
  if (self->cancellable == NULL)
    return;
  remove_item (self->aliases_store, "name", data->name);
  update_aliases_stack (self);
  gr_page_toast (GTK_WIDGET (self), _("Alias deleted"));
}

static void
alias_delete_response_cb (AdwMessageDialog *dialog,
                          const char       *response,
                          GrModelsPage     *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "gr-alias-name");
  DeleteData *data;

  if (!g_str_equal (response, "delete") || self->client == NULL)
    return;
  data = g_new0 (DeleteData, 1);
  data->self = g_object_ref (self);
  data->name = g_strdup (name);
  gr_admin_client_delete_alias_async (self->client, name, self->cancellable, alias_deleted_cb, data);
}

static void
alias_delete_clicked_cb (GtkButton    *button,
                         GrModelsPage *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (button), "gr-list-item");
  GrAliasItem *alias = gtk_list_item_get_item (list_item);
  AdwMessageDialog *dialog;
  const char *name;

  if (alias == NULL)
    return;
  name = gr_alias_item_get_name (alias);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent_window (self), NULL, NULL));
  /* Translators: %s is an alias name. */
  adw_message_dialog_format_heading (dialog, _("Delete Alias “%s”?"), name);
  adw_message_dialog_format_body (dialog,
                                  /* Translators: %s is an alias name. */
                                  _("Requests for “%s” will fail with “model not found”."),
                                  name);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "gr-alias-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (alias_delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
alias_actions_setup_cb (GtkSignalListItemFactory *factory,
                        GtkListItem              *list_item,
                        GrModelsPage             *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *edit = gtk_button_new_from_icon_name ("document-edit-symbolic");
  GtkWidget *delete = gtk_button_new_from_icon_name ("user-trash-symbolic");

  gtk_widget_set_halign (box, GTK_ALIGN_END);
  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (edit, "flat");
  gtk_widget_add_css_class (delete, "flat");
  gtk_widget_set_tooltip_text (edit, _("Edit"));
  gtk_widget_set_tooltip_text (delete, _("Delete"));
  g_object_set_data (G_OBJECT (edit), "gr-list-item", list_item);
  g_object_set_data (G_OBJECT (delete), "gr-list-item", list_item);
  g_signal_connect (edit, "clicked", G_CALLBACK (alias_edit_clicked_cb), self);
  g_signal_connect (delete, "clicked", G_CALLBACK (alias_delete_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), edit);
  gtk_box_append (GTK_BOX (box), delete);
  gtk_list_item_set_child (list_item, box);
}

/* ------------------------------------------------------------------ */
/* GrPage                                                              */
/* ------------------------------------------------------------------ */

static void
gr_models_page_refresh (GrPage *page)
{
  gr_models_page_load (GR_MODELS_PAGE (page));
}

/* Models come from the registry file and the gateway; what people add
 * here is an alias. */
static void
gr_models_page_create_item (GrPage *page)
{
  GrModelsPage *self = GR_MODELS_PAGE (page);

  if (self->client == NULL)
    return;
  adw_view_stack_set_visible_child_name (self->view_stack, "aliases");
  edit_alias (self, NULL);
}

static void
gr_models_page_focus_search (GrPage *page)
{
  gtk_widget_grab_focus (GTK_WIDGET (GR_MODELS_PAGE (page)->search_entry));
}

static void
gr_models_page_iface_init (GrPageInterface *iface)
{
  iface->refresh = gr_models_page_refresh;
  iface->create_item = gr_models_page_create_item;
  iface->focus_search = gr_models_page_focus_search;
}

static void
gr_models_page_set_client (GrModelsPage  *self,
                           GrAdminClient *client)
{
  if (self->client == client)
    return;
  renew (&self->cancellable);
  g_set_object (&self->client, client);
  g_list_store_remove_all (self->models_store);
  g_list_store_remove_all (self->aliases_store);
  gr_models_page_load (self);
  g_object_notify (G_OBJECT (self), "client");
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
add_alias_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  gr_models_page_create_item (GR_PAGE (widget));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  gr_models_page_refresh (GR_PAGE (widget));
}

static void
gr_models_page_dispose (GObject *object)
{
  GrModelsPage *self = GR_MODELS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_MODELS_PAGE);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_error (&self->load_error);

  G_OBJECT_CLASS (gr_models_page_parent_class)->dispose (object);
}

static void
gr_models_page_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  GrModelsPage *self = GR_MODELS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_models_page_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  GrModelsPage *self = GR_MODELS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      gr_models_page_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* Chips: small rounded labels in the accent colour, dark mode included. */
static const char chip_css[] =
  ".gr-chip {"
  "  padding: 1px 7px;"
  "  border-radius: 999px;"
  "  color: @accent_color;"
  "  background-color: alpha(@accent_bg_color, 0.15);"
  "}";

static void
gr_models_page_class_init (GrModelsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GdkDisplay *display = gdk_display_get_default ();

  object_class->dispose = gr_models_page_dispose;
  object_class->get_property = gr_models_page_get_property;
  object_class->set_property = gr_models_page_set_property;

  g_object_class_override_property (object_class, PROP_CLIENT, "client");

  g_type_ensure (GR_TYPE_MODEL_ITEM);
  g_type_ensure (GR_TYPE_ALIAS_ITEM);

  if (display != NULL)
    {
      g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

      gtk_css_provider_load_from_data (provider, chip_css, -1);
      gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
    }

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-models-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, provider_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, provider_list);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, add_alias_button);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, models_view);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, models_selection);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, models_filter_model);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, provider_filter);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, models_store);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, aliases_stack);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, aliases_view);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, aliases_selection);
  gtk_widget_class_bind_template_child (widget_class, GrModelsPage, aliases_store);
  gtk_widget_class_bind_template_callback (widget_class, format_price);
  gtk_widget_class_bind_template_callback (widget_class, format_tokens);
  gtk_widget_class_bind_template_callback (widget_class, model_search_text);
  gtk_widget_class_bind_template_callback (widget_class, alias_search_text);
  gtk_widget_class_bind_template_callback (widget_class, strategy_title);
  gtk_widget_class_bind_template_callback (widget_class, provider_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, view_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, capabilities_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, capabilities_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, models_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, model_actions_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, targets_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, targets_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, aliases_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, alias_actions_setup_cb);

  gtk_widget_class_install_action (widget_class, "models.add-alias", NULL, add_alias_action);
  gtk_widget_class_install_action (widget_class, "models.refresh", NULL, refresh_action);
}

static void
gr_models_page_init (GrModelsPage *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Translators: the first entry of the provider filter of the models table. */
  gtk_string_list_append (self->provider_list, _("All Providers"));
  gtk_stack_set_visible_child_name (self->stack, "disconnected");
  update_aliases_stack (self);
}

/**
 * gr_models_page_new:
 *
 * Returns: (transfer floating): a new page, without a client
 */
GtkWidget *
gr_models_page_new (void)
{
  return g_object_new (GR_TYPE_MODELS_PAGE, NULL);
}
