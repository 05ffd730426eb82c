/* gr-providers-page.c — the upstream providers of a gateway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One table of /v1/providers.  The enabled switch, "Test" and delete act
 * on one row at once; add and edit open a GrProviderEditor.  The gateway
 * never hands out a credential: the table shows what it says about it.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-provider-editor.h"
#include "pages/gr-providers-page.h"

/* The last "Test" of a provider, kept by name while the page shows the
 * same gateway, so a row scrolled away and back still shows it. */
typedef struct
{
  gboolean  running;
  gboolean  ok;
  char     *text;
} TestResult;

static void
test_result_free (TestResult *result)
{
  g_free (result->text);
  g_free (result);
}

/* A call about one provider: the page and the provider's name. */
typedef struct
{
  GObject *self;
  char    *name;
} CallData;

static CallData *
call_data_new (gpointer    self,
               const char *name)
{
  CallData *data = g_new0 (CallData, 1);

  data->self = g_object_ref (self);
  data->name = g_strdup (name);
  return data;
}

static void
call_data_free (CallData *data)
{
  g_object_unref (data->self);
  g_free (data->name);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CallData, call_data_free)

struct _GrProvidersPage
{
  AdwBin         parent_instance;

  GrAdminClient *client;
  /* Calls about one row; cancelled on dispose and whenever the client
   * changes.  NULL once disposed. */
  GCancellable  *cancellable;
  /* The list load in flight, cancelled by a newer one too. */
  GCancellable  *load_cancellable;
  /* name → TestResult */
  GHashTable    *test_results;
  /* name → the GtkBox of the Connection cell bound to it (not owned) */
  GHashTable    *test_cells;

  /* Template widgets */
  GtkSearchEntry *search_entry;
  GtkStack       *stack;
  AdwStatusPage  *error_page;
  GtkColumnView  *column_view;
  GtkSingleSelection *selection;
  GtkFilterListModel *filter_model;
  GListStore     *store;
};

static void gr_providers_page_iface_init (GrPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GrProvidersPage, gr_providers_page, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (GR_TYPE_PAGE, gr_providers_page_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static char *
provider_search_text (gpointer    unused,
                      const char *name,
                      const char *kind,
                      const char *base_url)
{
  return g_strjoin (" ", name ? name : "", kind ? kind : "",
                    gr_provider_editor_kind_title (kind), base_url ? base_url : "", NULL);
}

static char *
kind_title (gpointer    unused,
            const char *kind)
{
  return g_strdup (gr_provider_editor_kind_title (kind));
}

static char *
source_title (gpointer    unused,
              const char *source)
{
  if (g_strcmp0 (source, "config") == 0)
    /* Translators: where a provider comes from: the gateway's configuration file. */
    return g_strdup (_("Configuration file"));
  if (g_strcmp0 (source, "api") == 0)
    /* Translators: where a provider comes from: added through the admin API (this app). */
    return g_strdup (_("Added here"));
  return g_strdup (source != NULL ? source : "");
}

static GtkWindow *
parent_window (GrProvidersPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static gboolean
find_provider (GrProvidersPage *self,
               const char      *name,
               guint           *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrProviderItem) item = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (g_strcmp0 (gr_provider_item_get_name (item), name) == 0)
        {
          *position = i;
          return TRUE;
        }
    }
  return FALSE;
}

/* Puts provider in the row of the provider with its name (the row is
 * bound again, so every cell shows the new values), or appends it. */
static void
put_provider (GrProvidersPage *self,
              GrProviderItem  *provider)
{
  guint position;

  if (find_provider (self, gr_provider_item_get_name (provider), &position))
    g_list_store_splice (self->store, position, 1, (gpointer *) &provider, 1);
  else
    g_list_store_append (self->store, provider);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
    gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
renew (GCancellable **cancellable)
{
  if (*cancellable != NULL)
    g_cancellable_cancel (*cancellable);
  g_clear_object (cancellable);
  *cancellable = g_cancellable_new ();
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GrProvidersPage) self = user_data;
  g_autoptr(GListStore) providers = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  guint n;

  providers = gr_admin_client_list_providers_finish (GR_ADMIN_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED))
    return;
  if (self->cancellable == NULL)
    return;
  if (error != NULL)
    {
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (providers));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (providers), i));
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
gr_providers_page_load (GrProvidersPage *self)
{
  if (self->client == NULL)
    {
      renew (&self->load_cancellable);
      g_list_store_remove_all (self->store);
      gtk_stack_set_visible_child_name (self->stack, "disconnected");
      return;
    }

  /* A reload replaces a load in flight. */
  renew (&self->load_cancellable);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  gr_admin_client_list_providers_async (self->client, self->load_cancellable,
                                        list_done_cb, g_object_ref (self));
}

/* ------------------------------------------------------------------ */
/* Editor                                                              */
/* ------------------------------------------------------------------ */

static void
editor_saved_cb (GrProvidersPage  *self,
                 GrProviderItem   *provider,
                 GrProviderEditor *editor)
{
  g_autofree char *message = NULL;

  put_provider (self, provider);
  /* Translators: a notification; %s is a provider's name. */
  message = g_strdup_printf (_("Provider “%s” saved"), gr_provider_item_get_name (provider));
  gr_page_toast (GTK_WIDGET (self), message);
}

static void
open_editor (GrProvidersPage *self,
             GrProviderItem  *provider)
{
  GrProviderEditor *editor;

  if (self->client == NULL)
    return;
  editor = gr_provider_editor_new (parent_window (self), self->client, provider);
  g_signal_connect_object (editor, "saved", G_CALLBACK (editor_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
column_view_activate_cb (GrProvidersPage *self,
                         guint            position,
                         GtkColumnView   *view)
{
  g_autoptr(GrProviderItem) item = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (item != NULL)
    open_editor (self, item);
}

/* ------------------------------------------------------------------ */
/* Cells                                                               */
/* ------------------------------------------------------------------ */

static void
credential_setup_cb (GtkSignalListItemFactory *factory,
                     GtkListItem              *list_item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (list_item, label);
}

static void
credential_bind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item)
{
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (list_item));
  GrProviderItem *item = gtk_list_item_get_item (list_item);
  const char *masked = gr_provider_item_get_masked_api_key (item);
  const char *env = gr_provider_item_get_api_key_env (item);
  g_autofree char *tooltip = NULL;

  if (masked != NULL && *masked != '\0')
    {
      gtk_label_set_text (label, masked);
      gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
    }
  else
    {
      /* Translators: no API key is stored for this provider. */
      gtk_label_set_text (label, gr_provider_item_get_has_api_key (item) ? _("Set") : _("None"));
      gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
    }
  if (env != NULL && *env != '\0')
    /* Translators: tooltip of a provider's credential; %s is an environment variable such as OPENAI_API_KEY. */
    tooltip = g_strdup_printf (_("Read from the environment variable %s"), env);
  gtk_widget_set_tooltip_text (GTK_WIDGET (label), tooltip);
}

static void
health_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_list_item_set_child (list_item, label);
}

static void
set_one_class (GtkWidget  *widget,
               const char *css_class)
{
  static const char * const classes[] = { "success", "warning", "error", "dim-label", NULL };

  for (guint i = 0; classes[i] != NULL; i++)
    if (g_strcmp0 (classes[i], css_class) != 0)
      gtk_widget_remove_css_class (widget, classes[i]);
  if (css_class != NULL)
    gtk_widget_add_css_class (widget, css_class);
}

static void
health_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item)
{
  GtkWidget *label = gtk_list_item_get_child (list_item);
  GrProviderItem *item = gtk_list_item_get_item (list_item);
  gint64 now_ms = g_get_real_time () / 1000;
  gint64 until = gr_provider_item_get_cooldown_until (item);
  gint64 failures = gr_provider_item_get_recent_failures (item);
  g_autofree char *text = NULL;
  const char *css_class = NULL;

  if (!gr_provider_item_get_enabled (item))
    {
      /* Translators: the health of a provider that is switched off. */
      text = g_strdup (_("Off"));
      css_class = "dim-label";
    }
  else if (until > now_ms || g_strcmp0 (gr_provider_item_get_state (item), "cooling-down") == 0)
    {
      gint64 minutes = until > now_ms ? (until - now_ms + 59999) / 60000 : 0;

      if (minutes > 0)
        /* Translators: the health of a provider that failed repeatedly and is skipped for a while. */
        text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Cooling down (%d minute)",
                                             "Cooling down (%d minutes)", (gulong) minutes),
                                (int) minutes);
      else
        text = g_strdup (_("Cooling down"));
      css_class = "error";
    }
  else if (failures > 0)
    {
      /* Translators: the health of a provider; %d counts its recent failed requests. */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d recent failure",
                                           "%d recent failures", (gulong) failures),
                              (int) failures);
      css_class = "warning";
    }
  else
    {
      /* Translators: the health of a provider with no recent failures. */
      text = g_strdup (_("Healthy"));
      css_class = "success";
    }
  gtk_label_set_text (GTK_LABEL (label), text);
  set_one_class (label, css_class);
}

/* -- enabled switch -- */

static void
update_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CallData) data = user_data;
  GrProvidersPage *self = GR_PROVIDERS_PAGE (data->self);
  g_autoptr(GrProviderItem) provider = NULL;
  g_autoptr(GError) error = NULL;
  guint position;

  provider = gr_admin_client_update_provider_finish (GR_ADMIN_CLIENT (source), result, &error);
  if (self->cancellable == NULL)
    return;
  if (provider != NULL)
    {
      put_provider (self, provider);
      return;
    }
  gr_page_toast_error (GTK_WIDGET (self), error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED))
    return;
  /* Show the switch as it was: put the unchanged item back, which binds
   * its row again. */
  if (find_provider (self, data->name, &position))
    {
      g_autoptr(GrProviderItem) unchanged = g_list_model_get_item (G_LIST_MODEL (self->store), position);

      put_provider (self, unchanged);
    }
}

static void
enabled_switched_cb (GtkSwitch       *sw,
                     GParamSpec      *pspec,
                     GrProvidersPage *self)
{
  static const char * const fields[] = { "enabled", NULL };
  GtkListItem *list_item = g_object_get_data (G_OBJECT (sw), "gr-list-item");
  GrProviderItem *item = gtk_list_item_get_item (list_item);
  g_autoptr(GrProviderItem) copy = NULL;
  gboolean active = gtk_switch_get_active (sw);

  if (item == NULL || self->client == NULL || gr_provider_item_get_enabled (item) == active)
    return;
  copy = gr_provider_item_copy (item);
  gr_provider_item_set_enabled (copy, active);
  gr_admin_client_update_provider_async (self->client, copy, fields, NULL, self->cancellable,
                                         update_done_cb,
                                         call_data_new (self, gr_provider_item_get_name (item)));
}

static void
enabled_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  GrProvidersPage          *self)
{
  GtkWidget *sw = gtk_switch_new ();

  gtk_widget_set_halign (sw, GTK_ALIGN_START);
  gtk_widget_set_valign (sw, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (sw), "gr-list-item", list_item);
  gtk_list_item_set_child (list_item, sw);
}

static void
enabled_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 GrProvidersPage          *self)
{
  GtkWidget *sw = gtk_list_item_get_child (list_item);
  GrProviderItem *item = gtk_list_item_get_item (list_item);
  g_autofree char *label = NULL;

  gtk_switch_set_active (GTK_SWITCH (sw), gr_provider_item_get_enabled (item));
  /* Translators: accessible label of the switch in a provider's row; %s is its name. */
  label = g_strdup_printf (_("Use %s"), gr_provider_item_get_name (item));
  gtk_accessible_update_property (GTK_ACCESSIBLE (sw), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  /* Connected after setting the state, so binding does not send it. */
  g_signal_connect (sw, "notify::active", G_CALLBACK (enabled_switched_cb), self);
}

static void
enabled_unbind_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   GrProvidersPage          *self)
{
  GtkWidget *sw = gtk_list_item_get_child (list_item);

  g_signal_handlers_disconnect_by_func (sw, enabled_switched_cb, self);
}

/* -- test connection -- */

static void
test_cell_show (GrProvidersPage *self,
                GtkWidget       *cell,
                const char      *name)
{
  TestResult *result = g_hash_table_lookup (self->test_results, name);
  GtkWidget *button = gtk_widget_get_first_child (cell);
  GtkWidget *spinner = gtk_widget_get_next_sibling (button);
  GtkWidget *label = gtk_widget_get_next_sibling (spinner);

  gtk_widget_set_sensitive (button, result == NULL || !result->running);
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), result != NULL && result->running);
  gtk_widget_set_visible (spinner, result != NULL && result->running);
  gtk_label_set_text (GTK_LABEL (label), result != NULL && !result->running ? result->text : "");
  gtk_widget_set_tooltip_text (label, result != NULL && !result->running ? result->text : NULL);
  set_one_class (label, result == NULL || result->running ? NULL : result->ok ? "success" : "error");
}

static void
test_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CallData) data = user_data;
  GrProvidersPage *self = GR_PROVIDERS_PAGE (data->self);
  const char *name = data->name;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  gint64 latency_ms = -1;
  gboolean ok;
  TestResult *test;
  GtkWidget *cell;

  ok = gr_admin_client_test_provider_finish (GR_ADMIN_CLIENT (source), result,
                                             &message, &latency_ms, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
      self->cancellable == NULL)
    return;

  test = g_new0 (TestResult, 1);
  test->ok = ok && error == NULL;
  if (error != NULL)
    test->text = g_strdup (error->message);
  else if (ok)
    /* Translators: the result of testing a provider's connection; %d is a number of milliseconds. */
    test->text = g_strdup_printf (_("Reachable · %d ms"), (int) CLAMP (latency_ms, 0, G_MAXINT));
  else
    test->text = g_strdup (message != NULL ? message : _("Unreachable"));
  g_hash_table_replace (self->test_results, g_strdup (name), test);

  cell = g_hash_table_lookup (self->test_cells, name);
  if (cell != NULL)
    test_cell_show (self, cell, name);
  else
    gr_page_toast (GTK_WIDGET (self), test->text);
}

static void
test_clicked_cb (GtkButton       *button,
                 GrProvidersPage *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (button), "gr-list-item");
  GrProviderItem *item = gtk_list_item_get_item (list_item);
  const char *name;
  TestResult *test;
  GtkWidget *cell;

  if (item == NULL || self->client == NULL)
    return;
  name = gr_provider_item_get_name (item);
  test = g_new0 (TestResult, 1);
  test->running = TRUE;
  g_hash_table_replace (self->test_results, g_strdup (name), test);
  cell = g_hash_table_lookup (self->test_cells, name);
  if (cell != NULL)
    test_cell_show (self, cell, name);
  gr_admin_client_test_provider_async (self->client, name, self->cancellable,
                                       test_done_cb, call_data_new (self, name));
}

static void
test_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               GrProvidersPage          *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  /* Translators: a button in a provider's row that checks the gateway can reach it. */
  GtkWidget *button = gtk_button_new_with_mnemonic (_("_Test"));
  GtkWidget *spinner = gtk_spinner_new ();
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (button, _("Test the connection to this provider"));
  gtk_widget_add_css_class (button, "flat");
  g_object_set_data (G_OBJECT (button), "gr-list-item", list_item);
  g_signal_connect (button, "clicked", G_CALLBACK (test_clicked_cb), self);
  gtk_widget_set_visible (spinner, FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 36);
  gtk_label_set_width_chars (GTK_LABEL (label), 14);
  gtk_box_append (GTK_BOX (box), button);
  gtk_box_append (GTK_BOX (box), spinner);
  gtk_box_append (GTK_BOX (box), label);
  gtk_list_item_set_child (list_item, box);
}

static void
test_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              GrProvidersPage          *self)
{
  GtkWidget *cell = gtk_list_item_get_child (list_item);
  GrProviderItem *item = gtk_list_item_get_item (list_item);
  const char *name = gr_provider_item_get_name (item);

  /* Kept on the cell, so unbinding finds the entry whatever the item. */
  g_object_set_data_full (G_OBJECT (cell), "gr-provider-name", g_strdup (name), g_free);
  g_hash_table_replace (self->test_cells, g_strdup (name), cell);
  test_cell_show (self, cell, name);
}

static void
test_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                GrProvidersPage          *self)
{
  GtkWidget *cell = gtk_list_item_get_child (list_item);
  const char *name = g_object_get_data (G_OBJECT (cell), "gr-provider-name");

  if (name != NULL && self->test_cells != NULL && g_hash_table_lookup (self->test_cells, name) == cell)
    g_hash_table_remove (self->test_cells, name);
  g_object_set_data (G_OBJECT (cell), "gr-provider-name", NULL);
}

/* -- edit and delete -- */

static void
delete_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(CallData) data = user_data;
  GrProvidersPage *self = GR_PROVIDERS_PAGE (data->self);
  const char *name = data->name;
  g_autoptr(GError) error = NULL;
  guint position;

  if (!gr_admin_client_delete_provider_finish (GR_ADMIN_CLIENT (source), result, &error) &&
      self->cancellable != NULL)
    {
      if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CONFLICT))
        {
          /* A provider of the configuration file: the gateway says why in
           * a sentence too long for a toast. */
          AdwMessageDialog *dialog;

          dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent_window (self),
                                                               _("Cannot Delete Provider"),
                                                               error->message));
          adw_message_dialog_add_response (dialog, "close", _("_Close"));
          gtk_window_present (GTK_WINDOW (dialog));
        }
      else
        gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }
  if (self->cancellable == NULL)
    return;
  if (find_provider (self, name, &position))
    g_list_store_remove (self->store, position);
  g_hash_table_remove (self->test_results, name);
  gr_page_toast (GTK_WIDGET (self), _("Provider deleted"));
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    GrProvidersPage  *self)
{
  const char *name = g_object_get_data (G_OBJECT (dialog), "gr-provider-name");

  if (!g_str_equal (response, "delete") || self->client == NULL)
    return;
  gr_admin_client_delete_provider_async (self->client, name, self->cancellable,
                                         delete_done_cb, call_data_new (self, name));
}

static void
delete_clicked_cb (GtkButton       *button,
                   GrProvidersPage *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (button), "gr-list-item");
  GrProviderItem *item = gtk_list_item_get_item (list_item);
  AdwMessageDialog *dialog;
  const char *name;

  if (item == NULL)
    return;
  name = gr_provider_item_get_name (item);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent_window (self), NULL, NULL));
  /* Translators: %s is a provider's name. */
  adw_message_dialog_format_heading (dialog, _("Delete “%s”?"), name);
  adw_message_dialog_format_body (dialog,
                                  /* Translators: %s is a provider's name, the prefix of its models. */
                                  _("Requests for “%s/…” models will fail until a provider of that name exists again."),
                                  name);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "gr-provider-name", g_strdup (name), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
edit_clicked_cb (GtkButton       *button,
                 GrProvidersPage *self)
{
  GtkListItem *list_item = g_object_get_data (G_OBJECT (button), "gr-list-item");
  GrProviderItem *item = gtk_list_item_get_item (list_item);

  if (item != NULL)
    open_editor (self, item);
}

static void
actions_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  GrProvidersPage          *self)
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
  g_signal_connect (edit, "clicked", G_CALLBACK (edit_clicked_cb), self);
  g_signal_connect (delete, "clicked", G_CALLBACK (delete_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), edit);
  gtk_box_append (GTK_BOX (box), delete);
  gtk_list_item_set_child (list_item, box);
}

static void
actions_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 GrProvidersPage          *self)
{
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *delete = gtk_widget_get_last_child (box);
  GrProviderItem *item = gtk_list_item_get_item (list_item);

  /* Still clickable: the gateway explains why it refuses. */
  gtk_widget_set_tooltip_text (delete, g_strcmp0 (gr_provider_item_get_source (item), "config") == 0
                                       ? _("Delete (not possible for a provider of the configuration file)")
                                       : _("Delete"));
}

/* ------------------------------------------------------------------ */
/* GrPage                                                              */
/* ------------------------------------------------------------------ */

static void
gr_providers_page_refresh (GrPage *page)
{
  gr_providers_page_load (GR_PROVIDERS_PAGE (page));
}

static void
gr_providers_page_create_item (GrPage *page)
{
  open_editor (GR_PROVIDERS_PAGE (page), NULL);
}

static void
gr_providers_page_focus_search (GrPage *page)
{
  gtk_widget_grab_focus (GTK_WIDGET (GR_PROVIDERS_PAGE (page)->search_entry));
}

static void
gr_providers_page_iface_init (GrPageInterface *iface)
{
  iface->refresh = gr_providers_page_refresh;
  iface->create_item = gr_providers_page_create_item;
  iface->focus_search = gr_providers_page_focus_search;
}

static void
gr_providers_page_set_client (GrProvidersPage *self,
                              GrAdminClient   *client)
{
  if (self->client == client)
    return;
  renew (&self->cancellable);
  g_set_object (&self->client, client);
  g_hash_table_remove_all (self->test_results);
  g_list_store_remove_all (self->store);
  gr_providers_page_load (self);
  g_object_notify (G_OBJECT (self), "client");
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  gr_providers_page_create_item (GR_PAGE (widget));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  gr_providers_page_refresh (GR_PAGE (widget));
}

static void
gr_providers_page_dispose (GObject *object)
{
  GrProvidersPage *self = GR_PROVIDERS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_PROVIDERS_PAGE);
  g_clear_object (&self->client);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_pointer (&self->test_cells, g_hash_table_unref);
  g_clear_pointer (&self->test_results, g_hash_table_unref);

  G_OBJECT_CLASS (gr_providers_page_parent_class)->dispose (object);
}

static void
gr_providers_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  GrProvidersPage *self = GR_PROVIDERS_PAGE (object);

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
gr_providers_page_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  GrProvidersPage *self = GR_PROVIDERS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      gr_providers_page_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_providers_page_class_init (GrProvidersPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_providers_page_dispose;
  object_class->get_property = gr_providers_page_get_property;
  object_class->set_property = gr_providers_page_set_property;

  g_object_class_override_property (object_class, PROP_CLIENT, "client");

  g_type_ensure (GR_TYPE_PROVIDER_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-providers-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GrProvidersPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, GrProvidersPage, stack);
  gtk_widget_class_bind_template_child (widget_class, GrProvidersPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, GrProvidersPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, GrProvidersPage, selection);
  gtk_widget_class_bind_template_child (widget_class, GrProvidersPage, filter_model);
  gtk_widget_class_bind_template_child (widget_class, GrProvidersPage, store);
  gtk_widget_class_bind_template_callback (widget_class, provider_search_text);
  gtk_widget_class_bind_template_callback (widget_class, kind_title);
  gtk_widget_class_bind_template_callback (widget_class, source_title);
  gtk_widget_class_bind_template_callback (widget_class, column_view_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, credential_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, credential_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, health_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, health_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, enabled_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, enabled_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, enabled_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, test_unbind_cb);
  gtk_widget_class_bind_template_callback (widget_class, actions_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, actions_bind_cb);

  gtk_widget_class_install_action (widget_class, "providers.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "providers.refresh", NULL, refresh_action);
}

static void
gr_providers_page_init (GrProvidersPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->test_results = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) test_result_free);
  self->test_cells = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_widget_init_template (GTK_WIDGET (self));
  gtk_stack_set_visible_child_name (self->stack, "disconnected");
}

/**
 * gr_providers_page_new:
 *
 * Returns: (transfer floating): a new page, without a client
 */
GtkWidget *
gr_providers_page_new (void)
{
  return g_object_new (GR_TYPE_PROVIDERS_PAGE, NULL);
}
