/* gr-organization-details.c — one organization: settings, statistics, keys
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-list-util.h"
#include "pages/gr-organization-details.h"
#include "pages/gr-page.h"
#include "widgets/gr-chart.h"

/* The keys shown under the organization; the Keys page has them all. */
#define KEYS_PAGE_SIZE 50

struct _GrOrganizationDetails
{
  AdwBin           parent_instance;
  gboolean               disposed;

  GrAdminClient   *client;
  GrOrganization  *organization;
  GrStatsSeries   *stats;
  GListStore      *keys;
  GCancellable    *cancellable;

  /* Template widgets */
  GtkLabel        *title_label;
  GtkWidget       *edit_button;
  GtkWidget       *delete_button;
  AdwActionRow    *description_row;
  AdwActionRow    *status_row;
  AdwActionRow    *limits_row;
  AdwActionRow    *id_row;
  AdwActionRow    *created_row;
  GtkToggleButton *requests_toggle;
  GtkToggleButton *tokens_toggle;
  GtkToggleButton *cost_toggle;
  GtkLabel        *totals_label;
  GrChart         *chart;
  AdwPreferencesGroup *keys_group;
  GtkListBox      *keys_list;
};

G_DEFINE_FINAL_TYPE (GrOrganizationDetails, gr_organization_details, ADW_TYPE_BIN)

static void
show_organization (GrOrganizationDetails *self)
{
  GrOrganization *org = self->organization;
  g_autofree char *limits = NULL;
  g_autofree char *created = NULL;
  GVariant *target;

  if (org == NULL)
    return;

  gtk_label_set_text (self->title_label, gr_organization_get_name (org));
  adw_action_row_set_subtitle (self->description_row,
                               *gr_organization_get_description (org) != '\0'
                                 ? gr_organization_get_description (org) : _("None"));
  adw_action_row_set_subtitle (self->status_row, gr_format_status (gr_organization_get_status (org)));
  limits = gr_format_limits (gr_organization_get_rpm (org), gr_organization_get_requests_per_day (org),
                             gr_organization_get_tokens_per_day (org),
                             gr_organization_get_monthly_budget_micros (org));
  adw_action_row_set_subtitle (self->limits_row, limits);
  adw_action_row_set_subtitle (self->id_row, gr_organization_get_id (org));
  created = gr_format_date (gr_organization_get_created_at (org));
  adw_action_row_set_subtitle (self->created_row, created != NULL ? created : "—");

  /* The actions take the id: name them once there is a target. */
  target = g_variant_ref_sink (g_variant_new_string (gr_organization_get_id (org)));
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->edit_button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->edit_button), "orgs.edit");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->delete_button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->delete_button), "orgs.delete");
  g_variant_unref (target);
}

static GrStatsMetric
current_metric (GrOrganizationDetails *self)
{
  if (gtk_toggle_button_get_active (self->tokens_toggle))
    return GR_STATS_METRIC_TOTAL_TOKENS;
  if (gtk_toggle_button_get_active (self->cost_toggle))
    return GR_STATS_METRIC_COST_MICROS;
  return GR_STATS_METRIC_REQUESTS;
}

static void
show_stats (GrOrganizationDetails *self)
{
  gr_chart_show_stats (self->chart, self->stats, current_metric (self));

  if (self->stats != NULL)
    {
      const GrStatsFigures *totals = gr_stats_series_get_totals (self->stats);
      g_autofree char *requests = gr_format_count (totals->requests);
      g_autofree char *tokens = gr_format_count (totals->total_tokens);
      g_autofree char *cost = gr_format_micros (totals->cost_micros);
      g_autofree char *text = NULL;

      /* Translators: totals of the last 30 days: "1,234 requests · 56,789 tokens · $1.23". */
      text = g_strdup_printf (_("%s requests · %s tokens · %s"), requests, tokens, cost);
      gtk_label_set_text (self->totals_label, text);
    }
  else
    gtk_label_set_text (self->totals_label, "");
}

static void
metric_toggled_cb (GtkToggleButton       *button,
                   GrOrganizationDetails *self)
{
  if (gtk_toggle_button_get_active (button))
    show_stats (self);
}

static void
organization_loaded_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GrOrganizationDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrOrganization) org = gr_admin_client_get_organization_finish (GR_ADMIN_CLIENT (object),
                                                                           result, &error);

  if (self->disposed)
    return;

  if (org == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }
  g_set_object (&self->organization, org);
  show_organization (self);
}

static void
stats_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GrOrganizationDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrStatsSeries) stats = gr_admin_client_get_stats_finish (GR_ADMIN_CLIENT (object),
                                                                     result, &error);

  if (self->disposed)
    return;

  if (stats == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }
  g_set_object (&self->stats, stats);
  show_stats (self);
}

static void
keys_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GrOrganizationDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  GrPageInfo info = { 0 };
  g_autoptr(GListStore) keys = gr_admin_client_list_api_keys_finish (GR_ADMIN_CLIENT (object),
                                                                     result, &info, &error);
  guint n;
  g_autofree char *description = NULL;

  if (self->disposed)
    return;

  if (keys == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }

  n = g_list_model_get_n_items (G_LIST_MODEL (keys));
  g_list_store_remove_all (self->keys);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) key = g_list_model_get_item (G_LIST_MODEL (keys), i);

      g_list_store_append (self->keys, key);
    }

  if (info.total > n)
    /* Translators: shown when an organization has more keys than listed. */
    description = g_strdup_printf (_("The first %u of %lld keys; the Keys page lists them all."),
                                   n, (long long) info.total);
  adw_preferences_group_set_description (self->keys_group, description);
}

static GtkWidget *
create_key_row_cb (gpointer item,
                   gpointer user_data)
{
  GrApiKey *key = item;
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *last_used = gr_format_last_used (gr_api_key_get_last_used_at (key));
  g_autofree char *subtitle = NULL;

  /* Translators: a key under its organization: "gr-AbC123 · Active · last used 5 minutes ago". */
  subtitle = g_strdup_printf (_("%s · %s · last used %s"), gr_api_key_get_prefix (key),
                              gr_format_status (gr_api_key_get_status (key)), last_used);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), gr_api_key_get_name (key));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  return row;
}

void
gr_organization_details_reload (GrOrganizationDetails *self)
{
  GrListParams params = { 0 };
  const char *id;

  g_return_if_fail (GR_IS_ORGANIZATION_DETAILS (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client == NULL || self->organization == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  id = gr_organization_get_id (self->organization);

  gr_admin_client_get_organization_async (self->client, id, self->cancellable,
                                          organization_loaded_cb, g_object_ref (self));
  /* start = end = 0: the gateway's default, the last 30 days by day. */
  gr_admin_client_get_stats_async (self->client, GR_STATS_SCOPE_ORG, id, 0, 0,
                                   GR_STATS_GRANULARITY_DAY, NULL, GR_STATS_GROUP_BY_NONE,
                                   NULL, NULL, self->cancellable, stats_loaded_cb, g_object_ref (self));
  params.org_id = id;
  params.page_size = KEYS_PAGE_SIZE;
  params.sort = "name";
  gr_admin_client_list_api_keys_async (self->client, &params, self->cancellable,
                                       keys_loaded_cb, g_object_ref (self));
}

void
gr_organization_details_set_client (GrOrganizationDetails *self,
                                    GrAdminClient         *client)
{
  g_return_if_fail (GR_IS_ORGANIZATION_DETAILS (self));

  if (g_set_object (&self->client, client))
    gr_organization_details_set_organization (self, NULL);
}

GrOrganization *
gr_organization_details_get_organization (GrOrganizationDetails *self)
{
  g_return_val_if_fail (GR_IS_ORGANIZATION_DETAILS (self), NULL);
  return self->organization;
}

void
gr_organization_details_set_organization (GrOrganizationDetails *self,
                                          GrOrganization        *organization)
{
  g_return_if_fail (GR_IS_ORGANIZATION_DETAILS (self));

  g_clear_object (&self->stats);
  g_list_store_remove_all (self->keys);
  adw_preferences_group_set_description (self->keys_group, NULL);
  g_set_object (&self->organization, organization);
  show_organization (self);
  show_stats (self);
  gr_organization_details_reload (self);
}

static void
gr_organization_details_dispose (GObject *object)
{
  GrOrganizationDetails *self = GR_ORGANIZATION_DETAILS (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* AdwBin unparents its child in its own dispose: let it go first, or
   * both would unparent the template's top widget. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_ORGANIZATION_DETAILS);
  g_clear_object (&self->client);
  g_clear_object (&self->organization);
  g_clear_object (&self->stats);
  g_clear_object (&self->keys);
  G_OBJECT_CLASS (gr_organization_details_parent_class)->dispose (object);
}

static void
gr_organization_details_class_init (GrOrganizationDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_organization_details_dispose;

  g_type_ensure (GR_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-organization-details.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, GrOrganizationDetails, name)
  CHILD (title_label);
  CHILD (edit_button);
  CHILD (delete_button);
  CHILD (description_row);
  CHILD (status_row);
  CHILD (limits_row);
  CHILD (id_row);
  CHILD (created_row);
  CHILD (requests_toggle);
  CHILD (tokens_toggle);
  CHILD (cost_toggle);
  CHILD (totals_label);
  CHILD (chart);
  CHILD (keys_group);
  CHILD (keys_list);
#undef CHILD
}

static void
gr_organization_details_init (GrOrganizationDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->keys = g_list_store_new (GR_TYPE_API_KEY);
  gtk_list_box_bind_model (self->keys_list, G_LIST_MODEL (self->keys), create_key_row_cb, NULL, NULL);
  g_signal_connect_object (self->requests_toggle, "toggled", G_CALLBACK (metric_toggled_cb), self, 0);
  g_signal_connect_object (self->tokens_toggle, "toggled", G_CALLBACK (metric_toggled_cb), self, 0);
  g_signal_connect_object (self->cost_toggle, "toggled", G_CALLBACK (metric_toggled_cb), self, 0);
}

GtkWidget *
gr_organization_details_new (void)
{
  return g_object_new (GR_TYPE_ORGANIZATION_DETAILS, NULL);
}
