/* gr-keys-page.c — the API Keys page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One page of keys at a time, as the gateway pages, searches, filters
 * and sorts them.  Keys name their organization by id; the names come
 * from the organization filter's list (and, for an organization beyond
 * it, from asking for that one).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pages/gr-key-created-dialog.h"
#include "pages/gr-key-details.h"
#include "pages/gr-key-editor.h"
#include "pages/gr-keys-page.h"
#include "pages/gr-list-util.h"
#include "pages/gr-page.h"

#define PAGE_SIZE      20
#define ORGS_PAGE_SIZE 200

struct _GrKeysPage
{
  AdwBin               parent_instance;
  gboolean               disposed;

  GrAdminClient       *client;
  GCancellable        *cancellable;       /* the list and actions */
  GCancellable        *action_cancellable; /* what the user asked for: not cancelled by a reload */
  GCancellable        *orgs_cancellable;  /* organization names */
  GrSortColumns       *sort_columns;
  char                *sort;
  guint                page;
  GrPageInfo           info;
  GListStore          *orgs;              /* the filter's choices */
  GHashTable          *org_names;         /* id → name */
  GHashTable          *org_pending;       /* ids asked for */

  /* Template widgets */
  GtkStack            *stack;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *org_dropdown;
  GtkDropDown         *status_dropdown;
  GtkStack            *content_stack;
  GtkColumnView       *column_view;
  GtkSingleSelection  *selection;
  GListStore          *store;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *status_column;
  GtkColumnViewColumn *last_used_column;
  GtkColumnViewColumn *expires_column;
  AdwStatusPage       *empty_page;
  GtkLabel            *range_label;
  GtkLabel            *page_label;
  GrKeyDetails        *details;
};

static void gr_keys_page_iface_init (GrPageInterface *iface);

static GCancellable *action_cancellable (GrKeysPage *self);

G_DEFINE_FINAL_TYPE_WITH_CODE (GrKeysPage, gr_keys_page, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (GR_TYPE_PAGE, gr_keys_page_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static void load (GrKeysPage *self);

/* ---- cells ------------------------------------------------------------- */

static char *
format_status (gpointer    unused,
               const char *status)
{
  return g_strdup (gr_format_status (status));
}

static char *
format_permissions (gpointer   unused,
                    GStrv      permissions)
{
  if (permissions == NULL || permissions[0] == NULL)
    return g_strdup (_("None"));
  return g_strjoinv (", ", permissions);
}

static char *
format_last_used (gpointer unused,
                  gint64   unix_ms)
{
  return gr_format_last_used (unix_ms);
}

static char *
format_expiry (gpointer unused,
               gint64   unix_ms)
{
  if (unix_ms <= 0)
    /* Translators: a key's expiry: it never expires. */
    return g_strdup (C_("expiry", "Never"));
  if (unix_ms <= g_get_real_time () / 1000)
    /* Translators: a key's expiry: it has expired. */
    return g_strdup (C_("expiry", "Expired"));
  /* The last day it works, as the key editor chose it. */
  return gr_format_date (unix_ms - 1);
}

static void request_org_name (GrKeysPage *self,
                              const char *org_id);

static void
org_setup_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              GrKeysPage               *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
org_bind_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *item,
             GrKeysPage               *self)
{
  GrApiKey *key = gtk_list_item_get_item (item);
  const char *org_id = gr_api_key_get_org_id (key);
  const char *name = org_id != NULL ? g_hash_table_lookup (self->org_names, org_id) : NULL;

  if (name == NULL && org_id != NULL)
    request_org_name (self, org_id);
  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), name != NULL ? name : "…");
}

static void
org_unbind_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               GrKeysPage               *self)
{
}

static void
menu_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               GrKeysPage               *self)
{
  GtkWidget *button = gtk_menu_button_new ();

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (button), FALSE);
  gtk_widget_set_tooltip_text (button, _("More"));
  gtk_list_item_set_child (item, button);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
append_item (GMenu      *menu,
             const char *label,
             const char *action,
             const char *id)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_string (id));
  g_menu_append_item (menu, item);
}

static void
menu_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              GrKeysPage               *self)
{
  GrApiKey *key = gtk_list_item_get_item (item);
  const char *id = gr_api_key_get_id (key);
  gboolean active = g_strcmp0 (gr_api_key_get_status (key), "active") == 0;
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) section = g_menu_new ();
  g_autoptr(GMenu) danger = g_menu_new ();

  append_item (section, _("_Details"), "keys.details", id);
  append_item (section, _("_Edit"), "keys.edit", id);
  append_item (section, active ? _("D_isable") : _("E_nable"), "keys.toggle-status", id);
  /* Translators: a menu item: give the key a new secret. */
  append_item (danger, _("_Rotate…"), "keys.rotate", id);
  append_item (danger, _("_Delete…"), "keys.delete", id);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (section));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (danger));
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (gtk_list_item_get_child (item)), G_MENU_MODEL (menu));
}

static void
menu_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                GrKeysPage               *self)
{
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (gtk_list_item_get_child (item)), NULL);
}

static void
rows_changed (GrKeysPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self->store), 0, n, n);
}

/* ---- organizations ------------------------------------------------------ */

typedef struct
{
  GrKeysPage *self;
  char       *org_id;
} OrgCall;

static void
org_name_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  OrgCall *call = user_data;
  g_autoptr(GrKeysPage) self = call->self;
  g_autofree char *org_id = call->org_id;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrOrganization) org = gr_admin_client_get_organization_finish (GR_ADMIN_CLIENT (object),
                                                                           result, &error);

  g_free (call);
  if (self->disposed)
    return;
  if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* An organization we may not read keeps showing its id. */
  g_hash_table_insert (self->org_names, g_strdup (org_id),
                       g_strdup (org != NULL ? gr_organization_get_name (org) : org_id));
  rows_changed (self);
}

static void
request_org_name (GrKeysPage *self,
                  const char *org_id)
{
  OrgCall *call;

  /* The filter's list comes first; ask for the ones it lacks. */
  if (self->client == NULL || self->orgs_cancellable != NULL ||
      g_hash_table_contains (self->org_pending, org_id))
    return;
  g_hash_table_add (self->org_pending, g_strdup (org_id));
  call = g_new0 (OrgCall, 1);
  call->self = g_object_ref (self);
  call->org_id = g_strdup (org_id);
  gr_admin_client_get_organization_async (self->client, org_id, self->cancellable, org_name_cb, call);
}

static const char *
org_filter (GrKeysPage *self)
{
  GrOrganization *org = gtk_drop_down_get_selected_item (self->org_dropdown);

  return org != NULL ? gr_organization_get_id (org) : NULL;
}

static void
orgs_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GrKeysPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GListStore) orgs = gr_admin_client_list_organizations_finish (GR_ADMIN_CLIENT (object),
                                                                          result, NULL, &error);
  g_autoptr(GrOrganization) all = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *selected = NULL;
  guint n;

  if (self->disposed)
    return;

  if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  g_clear_object (&self->orgs_cancellable);
  if (orgs == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      rows_changed (self);
      return;
    }

  selected = g_strdup (org_filter (self));
  items = g_ptr_array_new_with_free_func (g_object_unref);
  /* The first choice: no filter (an organization without an id). */
  all = gr_organization_new ();
  gr_organization_set_name (all, _("All Organizations"));
  g_ptr_array_add (items, g_steal_pointer (&all));
  n = g_list_model_get_n_items (G_LIST_MODEL (orgs));
  for (guint i = 0; i < n; i++)
    {
      GrOrganization *org = g_list_model_get_item (G_LIST_MODEL (orgs), i);

      g_hash_table_insert (self->org_names, g_strdup (gr_organization_get_id (org)),
                           g_strdup (gr_organization_get_name (org)));
      g_ptr_array_add (items, org);
    }

  g_signal_handlers_block_matched (self->org_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_list_store_splice (self->orgs, 0, g_list_model_get_n_items (G_LIST_MODEL (self->orgs)),
                       items->pdata, items->len);
  gtk_drop_down_set_selected (self->org_dropdown, 0);
  for (guint i = 1; selected != NULL && i < items->len; i++)
    if (g_strcmp0 (gr_organization_get_id (g_ptr_array_index (items, i)), selected) == 0)
      gtk_drop_down_set_selected (self->org_dropdown, i);
  g_signal_handlers_unblock_matched (self->org_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);

  /* A filtered organization that went away: show every key again. */
  if (selected != NULL && org_filter (self) == NULL)
    {
      self->page = 1;
      load (self);
    }
  rows_changed (self);
}

static void
load_orgs (GrKeysPage *self)
{
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

/* ---- the list ---------------------------------------------------------- */

static const char *
status_filter (GrKeysPage *self)
{
  switch (gtk_drop_down_get_selected (self->status_dropdown))
    {
    case 1:
      return "active";
    case 2:
      return "disabled";
    case 3:
      return "revoked";
    default:
      return NULL;
    }
}

static void
update_pager (GrKeysPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  guint n_pages = self->info.page_size > 0
                    ? (guint) ((self->info.total + self->info.page_size - 1) / self->info.page_size) : 0;
  g_autofree char *range = gr_format_page_range (&self->info, n);
  g_autofree char *page = NULL;

  gtk_label_set_text (self->range_label, range);
  if (n_pages > 1)
    /* Translators: the page of a table: "Page 2 of 5". */
    page = g_strdup_printf (_("Page %u of %u"), self->page, n_pages);
  gtk_label_set_text (self->page_label, page != NULL ? page : "");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "keys.previous-page", self->page > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "keys.next-page", self->page < n_pages);
}

static void
update_empty (GrKeysPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  gboolean filtered = *gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0' ||
                      status_filter (self) != NULL || org_filter (self) != NULL;

  if (n > 0)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "table");
      return;
    }
  if (filtered)
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Results"));
      adw_status_page_set_description (self->empty_page, _("No key matches the search and filters."));
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "dialog-password-symbolic");
      adw_status_page_set_title (self->empty_page, _("No API Keys"));
      adw_status_page_set_description (self->empty_page,
                                       _("Apps use API keys to send requests through the gateway."));
    }
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

static void
list_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GrKeysPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GrPageInfo info = { 0 };
  g_autoptr(GListStore) keys = gr_admin_client_list_api_keys_finish (GR_ADMIN_CLIENT (object),
                                                                     result, &info, &error);
  g_autoptr(GPtrArray) items = NULL;
  guint n;

  if (self->disposed)
    return;

  if (keys == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      if (!g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        update_empty (self);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (keys));
  if (n == 0 && self->page > 1 && info.total > 0)
    {
      self->page = MAX (1, (guint) ((info.total + PAGE_SIZE - 1) / PAGE_SIZE));
      load (self);
      return;
    }

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (keys), i));
  self->info = info;
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  update_pager (self);
  update_empty (self);
}

static void
load (GrKeysPage *self)
{
  GrListParams params = { 0 };
  g_autofree char *q = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_hash_table_remove_all (self->org_pending);
  if (self->client == NULL)
    return;
  self->cancellable = g_cancellable_new ();

  q = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  params.page = self->page;
  params.page_size = PAGE_SIZE;
  params.q = *q != '\0' ? q : NULL;
  params.sort = self->sort;
  params.status = status_filter (self);
  params.org_id = org_filter (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0)
    gtk_stack_set_visible_child_name (self->content_stack, "loading");
  gr_admin_client_list_api_keys_async (self->client, &params, self->cancellable,
                                       list_loaded_cb, g_object_ref (self));
}

static void
reload_all (GrKeysPage *self)
{
  load_orgs (self);
  load (self);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "details") == 0)
    gr_key_details_reload (self->details);
}

static void
search_changed_cb (GrKeysPage *self)
{
  self->page = 1;
  load (self);
}

static void
stop_search_cb (GrKeysPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
filter_changed_cb (GrKeysPage *self)
{
  self->page = 1;
  load (self);
}

static void
sort_changed_cb (gpointer user_data)
{
  GrKeysPage *self = user_data;
  g_autofree char *sort = gr_sort_columns_dup_sort (self->sort_columns);

  if (g_strcmp0 (sort, self->sort) == 0)
    return;
  g_free (self->sort);
  self->sort = g_steal_pointer (&sort);
  self->page = 1;
  load (self);
}

/* ---- details and actions ------------------------------------------------ */

static GrApiKey *
find_key (GrKeysPage *self,
          const char *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  GrApiKey *shown = gr_key_details_get_key (self->details);

  if (shown != NULL && g_strcmp0 (gr_api_key_get_id (shown), id) == 0)
    return shown;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrApiKey) key = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (g_strcmp0 (gr_api_key_get_id (key), id) == 0)
        return key;
    }
  return NULL;
}

static void
show_details (GrKeysPage *self,
              GrApiKey   *key,
              const char *secret)
{
  gr_key_details_set_key (self->details, key, secret);
  gtk_stack_set_visible_child_name (self->stack, "details");
}

/* After a change: the list, and the details if they show that key. */
static void
key_changed (GrKeysPage *self,
             GrApiKey   *key)
{
  GrApiKey *shown = gr_key_details_get_key (self->details);

  if (key != NULL && shown != NULL && g_strcmp0 (gr_api_key_get_id (shown), gr_api_key_get_id (key)) == 0)
    gr_key_details_set_key (self->details, key, NULL);
  load (self);
}

static void
row_activated_cb (GrKeysPage *self,
                  guint       position)
{
  g_autoptr(GrApiKey) key = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (key != NULL)
    show_details (self, key, NULL);
}

static void
details_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  GrKeysPage *self = GR_KEYS_PAGE (widget);
  GrApiKey *key = find_key (self, g_variant_get_string (parameter, NULL));

  if (key != NULL)
    show_details (self, key, NULL);
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GrKeysPage *self = GR_KEYS_PAGE (widget);

  gtk_stack_set_visible_child_name (self->stack, "list");
  /* The secret is shown once: leaving the details forgets it. */
  gr_key_details_set_key (self->details, NULL, NULL);
}

static GtkWindow *
parent_window (GrKeysPage *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static void
created_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     gpointer          user_data)
{
  GrKeysPage *self = GR_KEYS_PAGE (user_data);
  GrApiKey *key = g_object_get_data (G_OBJECT (dialog), "gr-key");

  if (g_strcmp0 (response, "examples") == 0 && key != NULL)
    show_details (self, key, gr_key_created_dialog_get_secret (GR_KEY_CREATED_DIALOG (dialog)));
}

static void
show_secret (GrKeysPage *self,
             GrApiKey   *key,
             const char *secret,
             gboolean    rotated)
{
  GrKeyCreatedDialog *dialog = gr_key_created_dialog_new (parent_window (self), gr_api_key_get_name (key),
                                                          secret, rotated);

  g_object_set_data_full (G_OBJECT (dialog), "gr-key", g_object_ref (key), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (created_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  /* Showing the examples of this key already: they get the secret too. */
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "details") == 0)
    {
      GrApiKey *shown = gr_key_details_get_key (self->details);

      if (shown != NULL && g_strcmp0 (gr_api_key_get_id (shown), gr_api_key_get_id (key)) == 0)
        gr_key_details_set_key (self->details, key, secret);
    }
}

static void
editor_saved_cb (GrKeyEditor *editor,
                 GrApiKey    *key,
                 const char  *secret,
                 GrKeysPage  *self)
{
  if (secret != NULL)
    show_secret (self, key, secret, FALSE);
  else
    gr_page_toast (GTK_WIDGET (self), _("API key saved"));
  key_changed (self, key);
}

static void
open_editor (GrKeysPage *self,
             GrApiKey   *key)
{
  GrKeyEditor *editor;

  if (self->client == NULL)
    return;
  editor = gr_key_editor_new (self->client, key, key == NULL ? org_filter (self) : NULL);
  gtk_window_set_transient_for (GTK_WINDOW (editor), parent_window (self));
  g_signal_connect_object (editor, "saved", G_CALLBACK (editor_saved_cb), self, 0);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_editor (GR_KEYS_PAGE (widget), NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GrKeysPage *self = GR_KEYS_PAGE (widget);
  GrApiKey *key = find_key (self, g_variant_get_string (parameter, NULL));

  if (key != NULL)
    open_editor (self, key);
}

static void
status_changed_cb (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GrKeysPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrApiKey) key = gr_admin_client_update_api_key_finish (GR_ADMIN_CLIENT (object), result, &error);

  if (self->disposed)
    return;

  if (key == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }
  gr_page_toast (GTK_WIDGET (self), g_strcmp0 (gr_api_key_get_status (key), "active") == 0
                                      ? _("API key enabled") : _("API key disabled"));
  key_changed (self, key);
}

static void
toggle_status_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  GrKeysPage *self = GR_KEYS_PAGE (widget);
  GrApiKey *key = find_key (self, g_variant_get_string (parameter, NULL));
  static const char * const fields[] = { "status", NULL };
  g_autoptr(GrApiKey) copy = NULL;

  if (key == NULL || self->client == NULL)
    return;
  copy = gr_api_key_copy (key);
  /* A revoked key can come back too: enabling makes it active. */
  gr_api_key_set_status (copy, g_strcmp0 (gr_api_key_get_status (key), "active") == 0 ? "disabled" : "active");
  gr_admin_client_update_api_key_async (self->client, copy, fields, action_cancellable (self),
                                        status_changed_cb, g_object_ref (self));
}

static AdwMessageDialog *
confirm (GrKeysPage *self,
         GrApiKey   *key,
         const char *heading,
         const char *body,
         const char *response,
         const char *response_label)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent_window (self), heading, body));

  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), response, response_label, NULL);
  adw_message_dialog_set_response_appearance (dialog, response, ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "gr-key", g_object_ref (key), g_object_unref);
  return dialog;
}

static void
rotated_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GrKeysPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autoptr(GrApiKey) key = gr_admin_client_rotate_api_key_finish (GR_ADMIN_CLIENT (object), result,
                                                                    &secret, &error);

  if (self->disposed)
    return;

  if (key == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }
  show_secret (self, key, secret, TRUE);
  memset (secret, 0, strlen (secret));
  load (self);
}

static void
rotate_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    GrKeysPage       *self)
{
  GrApiKey *key = g_object_get_data (G_OBJECT (dialog), "gr-key");

  if (g_strcmp0 (response, "rotate") != 0 || self->client == NULL)
    return;
  gr_admin_client_rotate_api_key_async (self->client, gr_api_key_get_id (key), action_cancellable (self),
                                        rotated_cb, g_object_ref (self));
}

static void
rotate_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GrKeysPage *self = GR_KEYS_PAGE (widget);
  GrApiKey *key = find_key (self, g_variant_get_string (parameter, NULL));
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (key == NULL)
    return;
  /* Translators: %s is the name of an API key. */
  heading = g_strdup_printf (_("Rotate “%s”?"), gr_api_key_get_name (key));
  dialog = confirm (self, key, heading,
                    _("The key gets a new secret and the current one stops working at once. "
                      "Apps using it need the new secret. Settings, limits and history stay."),
                    /* Translators: a button: give the key a new secret. */
                    "rotate", _("_Rotate"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (rotate_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GrKeysPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->disposed)
    return;

  if (!gr_admin_client_delete_api_key_finish (GR_ADMIN_CLIENT (object), result, &error))
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      load (self);
      return;
    }
  gr_page_toast (GTK_WIDGET (self), _("API key deleted"));
  gtk_stack_set_visible_child_name (self->stack, "list");
  gr_key_details_set_key (self->details, NULL, NULL);
  load (self);
}

static void
delete_response_cb (AdwMessageDialog *dialog,
                    const char       *response,
                    GrKeysPage       *self)
{
  GrApiKey *key = g_object_get_data (G_OBJECT (dialog), "gr-key");

  if (g_strcmp0 (response, "delete") != 0 || self->client == NULL)
    return;
  gr_admin_client_delete_api_key_async (self->client, gr_api_key_get_id (key), action_cancellable (self),
                                        deleted_cb, g_object_ref (self));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GrKeysPage *self = GR_KEYS_PAGE (widget);
  GrApiKey *key = find_key (self, g_variant_get_string (parameter, NULL));
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (key == NULL)
    return;
  /* Translators: %s is the name of an API key. */
  heading = g_strdup_printf (_("Delete “%s”?"), gr_api_key_get_name (key));
  dialog = confirm (self, key, heading,
                    _("Apps using this key stop working at once. Its usage history stays."),
                    "delete", _("_Delete"));
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
next_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GrKeysPage *self = GR_KEYS_PAGE (widget);

  self->page++;
  load (self);
}

static void
previous_page_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  GrKeysPage *self = GR_KEYS_PAGE (widget);

  if (self->page > 1)
    self->page--;
  load (self);
}

/* ---- GrPage ------------------------------------------------------------- */

static void
gr_keys_page_refresh (GrPage *page)
{
  reload_all (GR_KEYS_PAGE (page));
}

static void
gr_keys_page_create_item (GrPage *page)
{
  open_editor (GR_KEYS_PAGE (page), NULL);
}

static void
gr_keys_page_focus_search (GrPage *page)
{
  GrKeysPage *self = GR_KEYS_PAGE (page);

  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
gr_keys_page_iface_init (GrPageInterface *iface)
{
  iface->refresh = gr_keys_page_refresh;
  iface->create_item = gr_keys_page_create_item;
  iface->focus_search = gr_keys_page_focus_search;
}

static void
set_client (GrKeysPage    *self,
            GrAdminClient *client)
{
  if (self->client == client)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->action_cancellable);
  g_clear_object (&self->action_cancellable);
  g_cancellable_cancel (self->orgs_cancellable);
  g_clear_object (&self->orgs_cancellable);
  g_set_object (&self->client, client);

  g_list_store_remove_all (self->store);
  g_signal_handlers_block_matched (self->org_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_list_store_remove_all (self->orgs);
  g_signal_handlers_unblock_matched (self->org_dropdown, G_SIGNAL_MATCH_DATA, 0, 0, NULL, NULL, self);
  g_hash_table_remove_all (self->org_names);
  g_hash_table_remove_all (self->org_pending);
  self->page = 1;
  self->info = (GrPageInfo) { 0 };
  gr_key_details_set_client (self->details, client);
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "keys.new", client != NULL);
  update_pager (self);
  update_empty (self);
  reload_all (self);
  g_object_notify (G_OBJECT (self), "client");
}

/* A user's action (update, rotate, delete) must not be cancelled by a list
 * reload; only by a new client or the page going away. */
static GCancellable *
action_cancellable (GrKeysPage *self)
{
  if (self->action_cancellable == NULL)
    self->action_cancellable = g_cancellable_new ();
  return self->action_cancellable;
}

/* ---- GObject ------------------------------------------------------------ */

static void
gr_keys_page_dispose (GObject *object)
{
  GrKeysPage *self = GR_KEYS_PAGE (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->action_cancellable);
  g_clear_object (&self->action_cancellable);
  g_cancellable_cancel (self->orgs_cancellable);
  g_clear_object (&self->orgs_cancellable);
  g_clear_pointer (&self->sort_columns, gr_sort_columns_free);
  /* AdwBin unparents its child in its own dispose: let it go first, or
   * both would unparent the template's top widget. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_KEYS_PAGE);
  g_clear_object (&self->client);
  g_clear_object (&self->orgs);
  g_clear_pointer (&self->org_names, g_hash_table_unref);
  g_clear_pointer (&self->org_pending, g_hash_table_unref);
  g_clear_pointer (&self->sort, g_free);
  G_OBJECT_CLASS (gr_keys_page_parent_class)->dispose (object);
}

static void
gr_keys_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GrKeysPage *self = GR_KEYS_PAGE (object);

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
gr_keys_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GrKeysPage *self = GR_KEYS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      set_client (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_keys_page_class_init (GrKeysPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_keys_page_dispose;
  object_class->get_property = gr_keys_page_get_property;
  object_class->set_property = gr_keys_page_set_property;

  g_object_class_override_property (object_class, PROP_CLIENT, "client");

  g_type_ensure (GR_TYPE_API_KEY);
  g_type_ensure (GR_TYPE_ORGANIZATION);
  g_type_ensure (GR_TYPE_KEY_DETAILS);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/gaiarouter/GaiaRouter/pages/gr-keys-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, GrKeysPage, name)
  CHILD (stack);
  CHILD (search_entry);
  CHILD (org_dropdown);
  CHILD (status_dropdown);
  CHILD (content_stack);
  CHILD (column_view);
  CHILD (selection);
  CHILD (store);
  CHILD (name_column);
  CHILD (status_column);
  CHILD (last_used_column);
  CHILD (expires_column);
  CHILD (empty_page);
  CHILD (range_label);
  CHILD (page_label);
  CHILD (details);
#undef CHILD
#define CALLBACK(name) gtk_widget_class_bind_template_callback (widget_class, name)
  CALLBACK (format_status);
  CALLBACK (format_permissions);
  CALLBACK (format_last_used);
  CALLBACK (format_expiry);
  CALLBACK (org_setup_cb);
  CALLBACK (org_bind_cb);
  CALLBACK (org_unbind_cb);
  CALLBACK (menu_setup_cb);
  CALLBACK (menu_bind_cb);
  CALLBACK (menu_unbind_cb);
  CALLBACK (search_changed_cb);
  CALLBACK (stop_search_cb);
  CALLBACK (filter_changed_cb);
  CALLBACK (row_activated_cb);
#undef CALLBACK

  gtk_widget_class_install_action (widget_class, "keys.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "keys.edit", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "keys.toggle-status", "s", toggle_status_action);
  gtk_widget_class_install_action (widget_class, "keys.rotate", "s", rotate_action);
  gtk_widget_class_install_action (widget_class, "keys.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "keys.details", "s", details_action);
  gtk_widget_class_install_action (widget_class, "keys.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "keys.next-page", NULL, next_page_action);
  gtk_widget_class_install_action (widget_class, "keys.previous-page", NULL, previous_page_action);
}

static void
gr_keys_page_init (GrKeysPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->page = 1;
  self->orgs = g_list_store_new (GR_TYPE_ORGANIZATION);
  self->org_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->org_pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gtk_drop_down_set_model (self->org_dropdown, G_LIST_MODEL (self->orgs));

  self->sort_columns = gr_sort_columns_new (self->column_view, G_CALLBACK (sort_changed_cb), self);
  gr_sort_columns_add (self->sort_columns, self->name_column, "name");
  gr_sort_columns_add (self->sort_columns, self->status_column, "status");
  gr_sort_columns_add (self->sort_columns, self->last_used_column, "last_used_at");
  gr_sort_columns_add (self->sort_columns, self->expires_column, "expires_at");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "keys.new", FALSE);
  update_pager (self);
  update_empty (self);
}

GtkWidget *
gr_keys_page_new (void)
{
  return g_object_new (GR_TYPE_KEYS_PAGE, NULL);
}
