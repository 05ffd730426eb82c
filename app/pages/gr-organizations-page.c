/* gr-organizations-page.c — the Organizations page
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One page of organizations at a time, as the gateway pages, searches,
 * filters and sorts them.  The requests and cost of this month come from
 * one statistics call grouped by organization (the gateway keeps the 50
 * largest groups; an organization outside them is asked for on its own
 * when its row is shown).
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-list-util.h"
#include "pages/gr-organization-details.h"
#include "pages/gr-organization-editor.h"
#include "pages/gr-organizations-page.h"
#include "pages/gr-page.h"

#define PAGE_SIZE         20
/* The gateway's cap on the groups of one statistics answer. */
#define STATS_GROUP_LIMIT 50

struct _GrOrganizationsPage
{
  AdwBin                 parent_instance;
  gboolean               disposed;

  GrAdminClient         *client;
  GCancellable          *cancellable;        /* the list */
  GCancellable        *action_cancellable; /* what the user asked for: not cancelled by a reload */
  GCancellable          *stats_cancellable;  /* this month's figures */
  GrSortColumns         *sort_columns;
  char                  *sort;
  guint                  page;
  GrPageInfo             info;
  /* org id → GrStatsFigures of this month; NULL until loaded. */
  GHashTable            *month;
  gboolean               month_capped;
  GHashTable            *month_pending;

  /* Template widgets */
  GtkStack              *stack;
  GtkSearchEntry        *search_entry;
  GtkDropDown           *status_dropdown;
  GtkStack              *content_stack;
  GtkColumnView         *column_view;
  GtkSingleSelection    *selection;
  GListStore            *store;
  GtkColumnViewColumn   *name_column;
  GtkColumnViewColumn   *status_column;
  AdwStatusPage         *empty_page;
  GtkLabel              *range_label;
  GtkLabel              *page_label;
  GrOrganizationDetails *details;
};

static void gr_organizations_page_iface_init (GrPageInterface *iface);

static GCancellable *action_cancellable (GrOrganizationsPage *self);

G_DEFINE_FINAL_TYPE_WITH_CODE (GrOrganizationsPage, gr_organizations_page, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (GR_TYPE_PAGE, gr_organizations_page_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static void load (GrOrganizationsPage *self);

/* ---- cells ------------------------------------------------------------- */

static char *
format_status (gpointer    unused,
               const char *status)
{
  return g_strdup (gr_format_status (status));
}

static char *
format_count (gpointer unused,
              gint64   count)
{
  return gr_format_count (count);
}

static char *
format_org_limits (gpointer unused,
                   gint64   rpm,
                   gint64   requests_per_day,
                   gint64   tokens_per_day,
                   gint64   budget)
{
  return gr_format_limits (rpm, requests_per_day, tokens_per_day, budget);
}

static void request_month_figures (GrOrganizationsPage *self,
                                   const char          *org_id);

/* This month's figures of org, or NULL while they are unknown. */
static const GrStatsFigures *
month_figures (GrOrganizationsPage *self,
               GrOrganization      *org)
{
  static const GrStatsFigures zero = { 0 };
  const GrStatsFigures *figures;

  if (self->month == NULL)
    return NULL;
  figures = g_hash_table_lookup (self->month, gr_organization_get_id (org));
  if (figures != NULL)
    return figures;
  if (self->month_capped)
    {
      request_month_figures (self, gr_organization_get_id (org));
      return NULL;
    }
  /* Not among the groups of the whole month: no usage. */
  return &zero;
}

static void
number_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *item,
                 GrOrganizationsPage      *self)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
requests_setup_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *item,
                   GrOrganizationsPage      *self)
{
  number_setup_cb (factory, item, self);
}

static void
cost_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               GrOrganizationsPage      *self)
{
  number_setup_cb (factory, item, self);
}

static void
requests_bind_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *item,
                  GrOrganizationsPage      *self)
{
  const GrStatsFigures *figures = month_figures (self, gtk_list_item_get_item (item));
  g_autofree char *text = figures != NULL ? gr_format_count (figures->requests) : g_strdup ("—");

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
cost_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              GrOrganizationsPage      *self)
{
  const GrStatsFigures *figures = month_figures (self, gtk_list_item_get_item (item));
  g_autofree char *text = figures != NULL ? gr_format_micros (figures->cost_micros) : g_strdup ("—");

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

static void
requests_unbind_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *item,
                    GrOrganizationsPage      *self)
{
}

static void
cost_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                GrOrganizationsPage      *self)
{
}

static void
menu_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               GrOrganizationsPage      *self)
{
  GtkWidget *button = gtk_menu_button_new ();

  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_has_frame (GTK_MENU_BUTTON (button), FALSE);
  gtk_widget_set_tooltip_text (button, _("More"));
  gtk_list_item_set_child (item, button);
  gtk_list_item_set_activatable (item, FALSE);
}

static void
menu_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              GrOrganizationsPage      *self)
{
  GrOrganization *org = gtk_list_item_get_item (item);
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) danger = g_menu_new ();
  const char *id = gr_organization_get_id (org);

  {
    g_autoptr(GMenuItem) details = g_menu_item_new (_("_Details"), NULL);
    g_autoptr(GMenuItem) edit = g_menu_item_new (_("_Edit"), NULL);
    g_autoptr(GMenuItem) delete = g_menu_item_new (_("_Delete…"), NULL);

    g_menu_item_set_action_and_target_value (details, "orgs.details", g_variant_new_string (id));
    g_menu_item_set_action_and_target_value (edit, "orgs.edit", g_variant_new_string (id));
    g_menu_item_set_action_and_target_value (delete, "orgs.delete", g_variant_new_string (id));
    g_menu_append_item (menu, details);
    g_menu_append_item (menu, edit);
    g_menu_append_item (danger, delete);
    g_menu_append_section (menu, NULL, G_MENU_MODEL (danger));
  }
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (gtk_list_item_get_child (item)), G_MENU_MODEL (menu));
}

static void
menu_unbind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                GrOrganizationsPage      *self)
{
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (gtk_list_item_get_child (item)), NULL);
}

/* Rebinds every row (their figures arrived). */
static void
rows_changed (GrOrganizationsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));

  if (n > 0)
    g_list_model_items_changed (G_LIST_MODEL (self->store), 0, n, n);
}

/* ---- this month's figures ---------------------------------------------- */

static gint64
month_start_ms (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) start = g_date_time_new_local (g_date_time_get_year (now),
                                                      g_date_time_get_month (now), 1, 0, 0, 0);

  return g_date_time_to_unix (start) * 1000;
}

static void
month_stats_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GrOrganizationsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStatsSeries) stats = gr_admin_client_get_stats_finish (GR_ADMIN_CLIENT (object),
                                                                     result, &error);
  GListModel *groups;
  guint n;

  if (self->disposed)
    return;

  if (stats == NULL)
    {
      /* A key without stats:read still sees the organizations. */
      if (!g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_FORBIDDEN))
        gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }

  groups = gr_stats_series_get_groups (stats);
  n = g_list_model_get_n_items (groups);
  g_clear_pointer (&self->month, g_hash_table_unref);
  self->month = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_remove_all (self->month_pending);
  self->month_capped = n >= STATS_GROUP_LIMIT;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrStatsSeries) group = g_list_model_get_item (groups, i);

      if (gr_stats_series_get_group (group) != NULL)
        g_hash_table_insert (self->month, g_strdup (gr_stats_series_get_group (group)),
                             g_memdup2 (gr_stats_series_get_totals (group), sizeof (GrStatsFigures)));
    }
  rows_changed (self);
}

typedef struct
{
  GrOrganizationsPage *self;
  char                *org_id;
} OrgStatsCall;

static void
org_month_stats_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  OrgStatsCall *call = user_data;
  g_autoptr(GrOrganizationsPage) self = call->self;
  g_autofree char *org_id = call->org_id;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStatsSeries) stats = gr_admin_client_get_stats_finish (GR_ADMIN_CLIENT (object),
                                                                     result, &error);

  g_free (call);
  if (self->disposed)
    return;
  if (stats == NULL || self->month == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }
  g_hash_table_insert (self->month, g_strdup (org_id),
                       g_memdup2 (gr_stats_series_get_totals (stats), sizeof (GrStatsFigures)));
  rows_changed (self);
}

static void
request_month_figures (GrOrganizationsPage *self,
                       const char          *org_id)
{
  OrgStatsCall *call;

  if (self->client == NULL || g_hash_table_contains (self->month_pending, org_id))
    return;
  g_hash_table_add (self->month_pending, g_strdup (org_id));
  call = g_new0 (OrgStatsCall, 1);
  call->self = g_object_ref (self);
  call->org_id = g_strdup (org_id);
  gr_admin_client_get_stats_async (self->client, GR_STATS_SCOPE_ORG, org_id, month_start_ms (), 0,
                                   GR_STATS_GRANULARITY_DAY, NULL, GR_STATS_GROUP_BY_NONE, NULL, NULL,
                                   self->stats_cancellable, org_month_stats_cb, call);
}

static void
load_month (GrOrganizationsPage *self)
{
  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->stats_cancellable);
  if (self->client == NULL)
    return;
  self->stats_cancellable = g_cancellable_new ();
  gr_admin_client_get_stats_async (self->client, GR_STATS_SCOPE_GLOBAL, NULL, month_start_ms (), 0,
                                   GR_STATS_GRANULARITY_DAY, NULL, GR_STATS_GROUP_BY_ORG, NULL, NULL,
                                   self->stats_cancellable, month_stats_cb, g_object_ref (self));
}

/* ---- the list ---------------------------------------------------------- */

static const char *
status_filter (GrOrganizationsPage *self)
{
  switch (gtk_drop_down_get_selected (self->status_dropdown))
    {
    case 1:
      return "active";
    case 2:
      return "disabled";
    default:
      return NULL;
    }
}

static void
update_pager (GrOrganizationsPage *self)
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
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "orgs.previous-page", self->page > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "orgs.next-page", self->page < n_pages);
}

static void
update_empty (GrOrganizationsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  gboolean filtered = *gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0' ||
                      status_filter (self) != NULL;

  if (n > 0)
    {
      gtk_stack_set_visible_child_name (self->content_stack, "table");
      return;
    }
  if (filtered)
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Results"));
      adw_status_page_set_description (self->empty_page, _("No organization matches the search and filter."));
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "system-users-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Organizations"));
      adw_status_page_set_description (self->empty_page,
                                       _("Organizations group API keys and share limits."));
    }
  gtk_stack_set_visible_child_name (self->content_stack, "empty");
}

static void
list_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GrOrganizationsPage) self = user_data;
  g_autoptr(GError) error = NULL;
  GrPageInfo info = { 0 };
  g_autoptr(GListStore) orgs = gr_admin_client_list_organizations_finish (GR_ADMIN_CLIENT (object),
                                                                          result, &info, &error);
  guint n;
  g_autoptr(GPtrArray) items = NULL;

  if (self->disposed)
    return;

  if (orgs == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      if (!g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) &&
          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        update_empty (self);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (orgs));
  /* The last page emptied (deleted rows): show the one before. */
  if (n == 0 && self->page > 1 && info.total > 0)
    {
      self->page = MAX (1, (guint) ((info.total + PAGE_SIZE - 1) / PAGE_SIZE));
      load (self);
      return;
    }

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (orgs), i));
  self->info = info;
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  update_pager (self);
  update_empty (self);
}

static void
load (GrOrganizationsPage *self)
{
  GrListParams params = { 0 };
  g_autofree char *q = NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client == NULL)
    return;
  self->cancellable = g_cancellable_new ();

  q = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  params.page = self->page;
  params.page_size = PAGE_SIZE;
  params.q = *q != '\0' ? q : NULL;
  params.sort = self->sort;
  params.status = status_filter (self);
  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0)
    gtk_stack_set_visible_child_name (self->content_stack, "loading");
  gr_admin_client_list_organizations_async (self->client, &params, self->cancellable,
                                            list_loaded_cb, g_object_ref (self));
}

static void
reload_all (GrOrganizationsPage *self)
{
  load (self);
  load_month (self);
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "details") == 0)
    gr_organization_details_reload (self->details);
}

static void
search_changed_cb (GrOrganizationsPage *self)
{
  self->page = 1;
  load (self);
}

static void
stop_search_cb (GrOrganizationsPage *self)
{
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
}

static void
filter_changed_cb (GrOrganizationsPage *self)
{
  self->page = 1;
  load (self);
}

static void
sort_changed_cb (gpointer user_data)
{
  GrOrganizationsPage *self = user_data;
  g_autofree char *sort = gr_sort_columns_dup_sort (self->sort_columns);

  if (g_strcmp0 (sort, self->sort) == 0)
    return;
  g_free (self->sort);
  self->sort = g_steal_pointer (&sort);
  self->page = 1;
  load (self);
}

/* ---- details, editing, deleting ----------------------------------------- */

static GrOrganization *
find_organization (GrOrganizationsPage *self,
                   const char          *id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  GrOrganization *shown = gr_organization_details_get_organization (self->details);

  if (shown != NULL && g_strcmp0 (gr_organization_get_id (shown), id) == 0)
    return shown;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrOrganization) org = g_list_model_get_item (G_LIST_MODEL (self->store), i);

      if (g_strcmp0 (gr_organization_get_id (org), id) == 0)
        return org;
    }
  return NULL;
}

static void
show_details (GrOrganizationsPage *self,
              GrOrganization      *org)
{
  gr_organization_details_set_organization (self->details, org);
  gtk_stack_set_visible_child_name (self->stack, "details");
}

static void
row_activated_cb (GrOrganizationsPage *self,
                  guint                position)
{
  g_autoptr(GrOrganization) org = g_list_model_get_item (G_LIST_MODEL (self->selection), position);

  if (org != NULL)
    show_details (self, org);
}

static void
details_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (widget);
  GrOrganization *org = find_organization (self, g_variant_get_string (parameter, NULL));

  if (org != NULL)
    show_details (self, org);
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (widget);

  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
editor_saved_cb (GrOrganizationEditor *editor,
                 GrOrganization       *org,
                 GrOrganizationsPage  *self)
{
  GrOrganization *shown = gr_organization_details_get_organization (self->details);

  if (gr_organization_editor_get_organization (editor) == NULL)
    gr_page_toast (GTK_WIDGET (self), _("Organization created"));
  else
    gr_page_toast (GTK_WIDGET (self), _("Organization saved"));

  if (shown != NULL && g_strcmp0 (gr_organization_get_id (shown), gr_organization_get_id (org)) == 0)
    gr_organization_details_set_organization (self->details, org);
  load (self);
}

static void
open_editor (GrOrganizationsPage *self,
             GrOrganization      *org)
{
  GrOrganizationEditor *editor;
  GtkRoot *root;

  if (self->client == NULL)
    return;
  editor = gr_organization_editor_new (self->client, org);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (editor), GTK_WINDOW (root));
  g_signal_connect_object (editor, "saved", G_CALLBACK (editor_saved_cb), self, 0);
  gtk_window_present (GTK_WINDOW (editor));
}

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *parameter)
{
  open_editor (GR_ORGANIZATIONS_PAGE (widget), NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (widget);
  GrOrganization *org = find_organization (self, g_variant_get_string (parameter, NULL));

  if (org != NULL)
    open_editor (self, org);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GrOrganizationsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (self->disposed)
    return;

  if (!gr_admin_client_delete_organization_finish (GR_ADMIN_CLIENT (object), result, &error))
    {
      if (g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CONFLICT))
        gr_page_toast (GTK_WIDGET (self), _("The organization got new keys meanwhile: try again."));
      else
        gr_page_toast_error (GTK_WIDGET (self), error);
      load (self);
      return;
    }
  gr_page_toast (GTK_WIDGET (self), _("Organization deleted"));
  gtk_stack_set_visible_child_name (self->stack, "list");
  gr_organization_details_set_organization (self->details, NULL);
  load (self);
  load_month (self);
}

static void
delete_response_cb (AdwMessageDialog    *dialog,
                    const char          *response,
                    GrOrganizationsPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "gr-org-id");
  gboolean force = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (dialog), "gr-force"));

  if (g_strcmp0 (response, "delete") != 0 || self->client == NULL)
    return;
  gr_admin_client_delete_organization_async (self->client, id, force, action_cancellable (self),
                                             deleted_cb, g_object_ref (self));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (widget);
  GrOrganization *org = find_organization (self, g_variant_get_string (parameter, NULL));
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  g_autofree char *body = NULL;
  gint64 n_keys;
  GtkWidget *dialog;

  if (org == NULL)
    return;

  n_keys = gr_organization_get_key_count (org);
  /* Translators: the heading of a confirmation; %s is an organization's name. */
  heading = g_strdup_printf (_("Delete “%s”?"), gr_organization_get_name (org));
  if (n_keys > 0)
    body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "Its %d key will be revoked and stop working at once. "
                                         "Its usage history stays.",
                                         "Its %d keys will be revoked and stop working at once. "
                                         "Their usage history stays.",
                                         n_keys),
                            (int) n_keys);
  else
    body = g_strdup (_("It has no keys. Its usage history stays."));

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "gr-org-id", g_strdup (gr_organization_get_id (org)), g_free);
  /* The gateway refuses to delete an organization with keys unless told. */
  g_object_set_data (G_OBJECT (dialog), "gr-force", GINT_TO_POINTER (n_keys > 0));
  g_signal_connect_object (dialog, "response", G_CALLBACK (delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
next_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (widget);

  self->page++;
  load (self);
}

static void
previous_page_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (widget);

  if (self->page > 1)
    self->page--;
  load (self);
}

/* ---- GrPage ------------------------------------------------------------- */

static void
gr_organizations_page_refresh (GrPage *page)
{
  reload_all (GR_ORGANIZATIONS_PAGE (page));
}

static void
gr_organizations_page_create_item (GrPage *page)
{
  open_editor (GR_ORGANIZATIONS_PAGE (page), NULL);
}

static void
gr_organizations_page_focus_search (GrPage *page)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (page);

  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

static void
gr_organizations_page_iface_init (GrPageInterface *iface)
{
  iface->refresh = gr_organizations_page_refresh;
  iface->create_item = gr_organizations_page_create_item;
  iface->focus_search = gr_organizations_page_focus_search;
}

static void
set_client (GrOrganizationsPage *self,
            GrAdminClient       *client)
{
  if (self->client == client)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->action_cancellable);
  g_clear_object (&self->action_cancellable);
  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->stats_cancellable);
  g_set_object (&self->client, client);

  g_list_store_remove_all (self->store);
  g_clear_pointer (&self->month, g_hash_table_unref);
  g_hash_table_remove_all (self->month_pending);
  self->page = 1;
  self->info = (GrPageInfo) { 0 };
  gr_organization_details_set_client (self->details, client);
  gtk_stack_set_visible_child_name (self->stack, "list");
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "orgs.new", client != NULL);
  update_pager (self);
  update_empty (self);
  reload_all (self);
  g_object_notify (G_OBJECT (self), "client");
}

/* A user's action (update, rotate, delete) must not be cancelled by a list
 * reload; only by a new client or the page going away. */
static GCancellable *
action_cancellable (GrOrganizationsPage *self)
{
  if (self->action_cancellable == NULL)
    self->action_cancellable = g_cancellable_new ();
  return self->action_cancellable;
}

/* ---- GObject ------------------------------------------------------------ */

static void
gr_organizations_page_dispose (GObject *object)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_cancellable_cancel (self->action_cancellable);
  g_clear_object (&self->action_cancellable);
  g_cancellable_cancel (self->stats_cancellable);
  g_clear_object (&self->stats_cancellable);
  g_clear_pointer (&self->sort_columns, gr_sort_columns_free);
  /* AdwBin unparents its child in its own dispose: let it go first, or
   * both would unparent the template's top widget. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_ORGANIZATIONS_PAGE);
  g_clear_object (&self->client);
  g_clear_pointer (&self->month, g_hash_table_unref);
  g_clear_pointer (&self->month_pending, g_hash_table_unref);
  g_clear_pointer (&self->sort, g_free);
  G_OBJECT_CLASS (gr_organizations_page_parent_class)->dispose (object);
}

static void
gr_organizations_page_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (object);

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
gr_organizations_page_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  GrOrganizationsPage *self = GR_ORGANIZATIONS_PAGE (object);

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
gr_organizations_page_class_init (GrOrganizationsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_organizations_page_dispose;
  object_class->get_property = gr_organizations_page_get_property;
  object_class->set_property = gr_organizations_page_set_property;

  g_object_class_override_property (object_class, PROP_CLIENT, "client");

  g_type_ensure (GR_TYPE_ORGANIZATION);
  g_type_ensure (GR_TYPE_ORGANIZATION_DETAILS);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-organizations-page.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, GrOrganizationsPage, name)
  CHILD (stack);
  CHILD (search_entry);
  CHILD (status_dropdown);
  CHILD (content_stack);
  CHILD (column_view);
  CHILD (selection);
  CHILD (store);
  CHILD (name_column);
  CHILD (status_column);
  CHILD (empty_page);
  CHILD (range_label);
  CHILD (page_label);
  CHILD (details);
#undef CHILD
#define CALLBACK(name) gtk_widget_class_bind_template_callback (widget_class, name)
  CALLBACK (format_status);
  CALLBACK (format_count);
  CALLBACK (format_org_limits);
  CALLBACK (requests_setup_cb);
  CALLBACK (requests_bind_cb);
  CALLBACK (requests_unbind_cb);
  CALLBACK (cost_setup_cb);
  CALLBACK (cost_bind_cb);
  CALLBACK (cost_unbind_cb);
  CALLBACK (menu_setup_cb);
  CALLBACK (menu_bind_cb);
  CALLBACK (menu_unbind_cb);
  CALLBACK (search_changed_cb);
  CALLBACK (stop_search_cb);
  CALLBACK (filter_changed_cb);
  CALLBACK (row_activated_cb);
#undef CALLBACK

  gtk_widget_class_install_action (widget_class, "orgs.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "orgs.edit", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "orgs.delete", "s", delete_action);
  gtk_widget_class_install_action (widget_class, "orgs.details", "s", details_action);
  gtk_widget_class_install_action (widget_class, "orgs.show-list", NULL, show_list_action);
  gtk_widget_class_install_action (widget_class, "orgs.next-page", NULL, next_page_action);
  gtk_widget_class_install_action (widget_class, "orgs.previous-page", NULL, previous_page_action);
}

static void
gr_organizations_page_init (GrOrganizationsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->page = 1;
  self->month_pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->sort = g_strdup ("name");
  self->sort_columns = gr_sort_columns_new (self->column_view, G_CALLBACK (sort_changed_cb), self);
  gr_sort_columns_add (self->sort_columns, self->name_column, "name");
  gr_sort_columns_add (self->sort_columns, self->status_column, "status");
  /* The gateway's default order, shown on the header. */
  gtk_column_view_sort_by_column (self->column_view, self->name_column, GTK_SORT_ASCENDING);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "orgs.new", FALSE);
  update_pager (self);
  update_empty (self);
}

GtkWidget *
gr_organizations_page_new (void)
{
  return g_object_new (GR_TYPE_ORGANIZATIONS_PAGE, NULL);
}
