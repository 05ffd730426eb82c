/* gr-key-details.c — one API key: settings, statistics, examples of use
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The examples are ready to paste: they point at the gateway the app is
 * connected to and carry the key's secret when we know it (only right
 * after it was created or rotated: the gateway keeps a hash), or the
 * placeholder $GAIAROUTER_KEY.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pages/gr-key-details.h"
#include "pages/gr-list-util.h"
#include "pages/gr-page.h"
#include "widgets/gr-chart.h"

#define PLACEHOLDER    "$GAIAROUTER_KEY"
/* A model for the examples when the key names none without wildcards. */
#define EXAMPLE_MODEL  "openai/gpt-4o-mini"

struct _GrKeyDetails
{
  AdwBin           parent_instance;
  gboolean               disposed;

  GrAdminClient   *client;
  GrApiKey        *key;
  char            *secret;
  char            *org_name;
  GrStatsSeries   *stats;
  GCancellable    *cancellable;

  /* Template widgets */
  GtkLabel        *title_label;
  GtkWidget       *edit_button;
  GtkButton       *status_button;
  GtkWidget       *rotate_button;
  GtkWidget       *delete_button;
  AdwPreferencesGroup *snippets_group;
  GtkLabel        *curl_label;
  GtkLabel        *python_label;
  GtkLabel        *javascript_label;
  GtkLabel        *env_label;
  GtkToggleButton *requests_toggle;
  GtkToggleButton *tokens_toggle;
  GtkToggleButton *cost_toggle;
  GtkLabel        *totals_label;
  GrChart         *chart;
  AdwActionRow    *prefix_row;
  AdwActionRow    *org_row;
  AdwActionRow    *status_row;
  AdwActionRow    *permissions_row;
  AdwActionRow    *models_row;
  AdwActionRow    *expires_row;
  AdwActionRow    *limits_row;
  AdwActionRow    *last_used_row;
  AdwActionRow    *created_row;
  AdwActionRow    *id_row;
};

G_DEFINE_FINAL_TYPE (GrKeyDetails, gr_key_details, ADW_TYPE_BIN)

static void
wipe_secret (GrKeyDetails *self)
{
  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_clear_pointer (&self->secret, g_free);
}

/* ---- examples ---------------------------------------------------------- */

static const char *
example_model (GrApiKey *key)
{
  const char * const *models = gr_api_key_get_allowed_models (key);

  for (guint i = 0; models != NULL && models[i] != NULL; i++)
    if (strpbrk (models[i], "*?[") == NULL)
      return models[i];
  return EXAMPLE_MODEL;
}

static void
show_snippets (GrKeyDetails *self)
{
  const char *base = self->client != NULL ? gr_admin_client_get_base_url (self->client) : NULL;
  g_autofree char *base_url = NULL;
  const char *secret = self->secret != NULL ? self->secret : PLACEHOLDER;
  const char *model;
  g_autofree char *curl = NULL;
  g_autofree char *python = NULL;
  g_autofree char *javascript = NULL;
  g_autofree char *env = NULL;

  if (self->key == NULL)
    return;

  base_url = g_strdup (base != NULL ? base : "http://127.0.0.1:8080");
  while (g_str_has_suffix (base_url, "/"))
    base_url[strlen (base_url) - 1] = '\0';
  model = example_model (self->key);

  /* Code, not prose: these stay untranslated. */
  curl = g_strdup_printf ("curl %s/v1/chat/completions \\\n"
                          "  -H \"Authorization: Bearer %s\" \\\n"
                          "  -H \"Content-Type: application/json\" \\\n"
                          "  -d '{\"model\": \"%s\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello!\"}]}'",
                          base_url, secret, model);
  python = g_strdup_printf ("from openai import OpenAI\n"
                            "\n"
                            "client = OpenAI(\n"
                            "    base_url=\"%s/v1\",\n"
                            "    api_key=\"%s\",\n"
                            ")\n"
                            "response = client.chat.completions.create(\n"
                            "    model=\"%s\",\n"
                            "    messages=[{\"role\": \"user\", \"content\": \"Hello!\"}],\n"
                            ")\n"
                            "print(response.choices[0].message.content)",
                            base_url, secret, model);
  javascript = g_strdup_printf ("import OpenAI from \"openai\";\n"
                                "\n"
                                "const client = new OpenAI({\n"
                                "  baseURL: \"%s/v1\",\n"
                                "  apiKey: \"%s\",\n"
                                "});\n"
                                "const response = await client.chat.completions.create({\n"
                                "  model: \"%s\",\n"
                                "  messages: [{ role: \"user\", content: \"Hello!\" }],\n"
                                "});\n"
                                "console.log(response.choices[0].message.content);",
                                base_url, secret, model);
  env = g_strdup_printf ("export OPENAI_BASE_URL=\"%s/v1\"\n"
                         "export OPENAI_API_KEY=\"%s\"",
                         base_url, secret);

  gtk_label_set_text (self->curl_label, curl);
  gtk_label_set_text (self->python_label, python);
  gtk_label_set_text (self->javascript_label, javascript);
  gtk_label_set_text (self->env_label, env);

  if (self->secret != NULL)
    adw_preferences_group_set_description (self->snippets_group,
                                           _("These examples contain the key's secret: "
                                             "copy them now, it will not be shown again."));
  else
    adw_preferences_group_set_description (self->snippets_group,
                                           _("Replace $GAIAROUTER_KEY with the key's secret, or set "
                                             "that environment variable. The secret is shown only when "
                                             "the key is created or rotated."));
}

const char *
gr_key_details_get_snippet (GrKeyDetails *self,
                            const char   *kind)
{
  g_return_val_if_fail (GR_IS_KEY_DETAILS (self), NULL);

  if (g_strcmp0 (kind, "curl") == 0)
    return gtk_label_get_text (self->curl_label);
  if (g_strcmp0 (kind, "python") == 0)
    return gtk_label_get_text (self->python_label);
  if (g_strcmp0 (kind, "javascript") == 0)
    return gtk_label_get_text (self->javascript_label);
  if (g_strcmp0 (kind, "env") == 0)
    return gtk_label_get_text (self->env_label);
  return NULL;
}

static void
copy_snippet_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  GrKeyDetails *self = GR_KEY_DETAILS (widget);
  const char *text = gr_key_details_get_snippet (self, g_variant_get_string (parameter, NULL));

  if (text == NULL)
    return;
  gr_copy_text (widget, text);
  gr_page_toast (widget, _("Copied to the clipboard"));
}

/* ---- settings and statistics ------------------------------------------- */

static void
show_key (GrKeyDetails *self)
{
  GrApiKey *key = self->key;
  const char * const *permissions;
  const char * const *models;
  g_autofree char *permissions_text = NULL;
  g_autofree char *models_text = NULL;
  g_autofree char *expires = NULL;
  g_autofree char *limits = NULL;
  g_autofree char *last_used = NULL;
  g_autofree char *created = NULL;
  GVariant *target;
  gboolean active;

  if (key == NULL)
    return;

  gtk_label_set_text (self->title_label, gr_api_key_get_name (key));
  adw_action_row_set_subtitle (self->prefix_row, gr_api_key_get_prefix (key));
  adw_action_row_set_subtitle (self->org_row, self->org_name != NULL ? self->org_name
                                                                     : gr_api_key_get_org_id (key));
  adw_action_row_set_subtitle (self->status_row, gr_format_status (gr_api_key_get_status (key)));

  permissions = gr_api_key_get_permissions (key);
  permissions_text = permissions != NULL && permissions[0] != NULL
                       ? g_strjoinv (", ", (char **) permissions) : g_strdup (_("None"));
  adw_action_row_set_subtitle (self->permissions_row, permissions_text);

  models = gr_api_key_get_allowed_models (key);
  models_text = models != NULL && models[0] != NULL
                  ? g_strjoinv (", ", (char **) models) : g_strdup (_("Every model"));
  adw_action_row_set_subtitle (self->models_row, models_text);

  expires = gr_api_key_get_expires_at (key) > 0 ? gr_format_date (gr_api_key_get_expires_at (key) - 1)
                                                 : g_strdup (_("Never"));
  adw_action_row_set_subtitle (self->expires_row, expires);
  limits = gr_format_limits (gr_api_key_get_rpm (key), -1, gr_api_key_get_tokens_per_day (key),
                             gr_api_key_get_monthly_budget_micros (key));
  adw_action_row_set_subtitle (self->limits_row, limits);
  last_used = gr_format_last_used (gr_api_key_get_last_used_at (key));
  adw_action_row_set_subtitle (self->last_used_row, last_used);
  created = gr_format_date (gr_api_key_get_created_at (key));
  adw_action_row_set_subtitle (self->created_row, created != NULL ? created : "—");
  adw_action_row_set_subtitle (self->id_row, gr_api_key_get_id (key));

  active = g_strcmp0 (gr_api_key_get_status (key), "active") == 0;
  gtk_button_set_label (self->status_button, active ? _("D_isable") : _("E_nable"));
  target = g_variant_ref_sink (g_variant_new_string (gr_api_key_get_id (key)));
  /* The actions take the id: name them once there is a target. */
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->edit_button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->edit_button), "keys.edit");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->status_button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->status_button), "keys.toggle-status");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->rotate_button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->rotate_button), "keys.rotate");
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->delete_button), target);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->delete_button), "keys.delete");
  g_variant_unref (target);

  show_snippets (self);
}

static GrStatsMetric
current_metric (GrKeyDetails *self)
{
  if (gtk_toggle_button_get_active (self->tokens_toggle))
    return GR_STATS_METRIC_TOTAL_TOKENS;
  if (gtk_toggle_button_get_active (self->cost_toggle))
    return GR_STATS_METRIC_COST_MICROS;
  return GR_STATS_METRIC_REQUESTS;
}

static void
show_stats (GrKeyDetails *self)
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
metric_toggled_cb (GtkToggleButton *button,
                   GrKeyDetails    *self)
{
  if (gtk_toggle_button_get_active (button))
    show_stats (self);
}

static void
key_loaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GrKeyDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrApiKey) key = gr_admin_client_get_api_key_finish (GR_ADMIN_CLIENT (object), result, &error);

  if (self->disposed)
    return;

  if (key == NULL)
    {
      gr_page_toast_error (GTK_WIDGET (self), error);
      return;
    }
  g_set_object (&self->key, key);
  show_key (self);
}

static void
org_loaded_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GrKeyDetails) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GrOrganization) org = gr_admin_client_get_organization_finish (GR_ADMIN_CLIENT (object),
                                                                           result, &error);

  if (self->disposed)
    return;

  /* Without orgs:read the id stays: not worth a toast. */
  if (org == NULL)
    return;
  g_free (self->org_name);
  self->org_name = g_strdup (gr_organization_get_name (org));
  show_key (self);
}

static void
stats_loaded_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GrKeyDetails) self = user_data;
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

void
gr_key_details_reload (GrKeyDetails *self)
{
  const char *id;

  g_return_if_fail (GR_IS_KEY_DETAILS (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->client == NULL || self->key == NULL)
    return;
  self->cancellable = g_cancellable_new ();
  id = gr_api_key_get_id (self->key);

  gr_admin_client_get_api_key_async (self->client, id, self->cancellable, key_loaded_cb, g_object_ref (self));
  gr_admin_client_get_organization_async (self->client, gr_api_key_get_org_id (self->key), self->cancellable,
                                          org_loaded_cb, g_object_ref (self));
  gr_admin_client_get_stats_async (self->client, GR_STATS_SCOPE_KEY, id, 0, 0,
                                   GR_STATS_GRANULARITY_DAY, NULL, GR_STATS_GROUP_BY_NONE,
                                   NULL, NULL, self->cancellable, stats_loaded_cb, g_object_ref (self));
}

void
gr_key_details_set_client (GrKeyDetails  *self,
                           GrAdminClient *client)
{
  g_return_if_fail (GR_IS_KEY_DETAILS (self));

  if (g_set_object (&self->client, client))
    gr_key_details_set_key (self, NULL, NULL);
}

GrApiKey *
gr_key_details_get_key (GrKeyDetails *self)
{
  g_return_val_if_fail (GR_IS_KEY_DETAILS (self), NULL);
  return self->key;
}

void
gr_key_details_set_key (GrKeyDetails *self,
                        GrApiKey     *key,
                        const char   *secret)
{
  gboolean same;

  g_return_if_fail (GR_IS_KEY_DETAILS (self));

  same = key != NULL && self->key != NULL &&
         g_strcmp0 (gr_api_key_get_id (key), gr_api_key_get_id (self->key)) == 0;
  /* The secret stays for as long as the same key is shown. */
  if (secret != NULL || !same)
    {
      wipe_secret (self);
      self->secret = g_strdup (secret);
    }
  if (!same)
    {
      g_clear_pointer (&self->org_name, g_free);
      g_clear_object (&self->stats);
    }
  g_set_object (&self->key, key);
  show_key (self);
  show_stats (self);
  gr_key_details_reload (self);
}

static void
gr_key_details_dispose (GObject *object)
{
  GrKeyDetails *self = GR_KEY_DETAILS (object);

  self->disposed = TRUE;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* AdwBin unparents its child in its own dispose: let it go first, or
   * both would unparent the template's top widget. */
  adw_bin_set_child (ADW_BIN (self), NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_KEY_DETAILS);
  g_clear_object (&self->client);
  g_clear_object (&self->key);
  g_clear_object (&self->stats);
  g_clear_pointer (&self->org_name, g_free);
  wipe_secret (self);
  G_OBJECT_CLASS (gr_key_details_parent_class)->dispose (object);
}

static void
gr_key_details_class_init (GrKeyDetailsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_key_details_dispose;

  g_type_ensure (GR_TYPE_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/gaiarouter/GaiaRouter/pages/gr-key-details.ui");
#define CHILD(name) gtk_widget_class_bind_template_child (widget_class, GrKeyDetails, name)
  CHILD (title_label);
  CHILD (edit_button);
  CHILD (status_button);
  CHILD (rotate_button);
  CHILD (delete_button);
  CHILD (snippets_group);
  CHILD (curl_label);
  CHILD (python_label);
  CHILD (javascript_label);
  CHILD (env_label);
  CHILD (requests_toggle);
  CHILD (tokens_toggle);
  CHILD (cost_toggle);
  CHILD (totals_label);
  CHILD (chart);
  CHILD (prefix_row);
  CHILD (org_row);
  CHILD (status_row);
  CHILD (permissions_row);
  CHILD (models_row);
  CHILD (expires_row);
  CHILD (limits_row);
  CHILD (last_used_row);
  CHILD (created_row);
  CHILD (id_row);
#undef CHILD

  gtk_widget_class_install_action (widget_class, "details.copy-snippet", "s", copy_snippet_action);
}

static void
gr_key_details_init (GrKeyDetails *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (self->requests_toggle, "toggled", G_CALLBACK (metric_toggled_cb), self, 0);
  g_signal_connect_object (self->tokens_toggle, "toggled", G_CALLBACK (metric_toggled_cb), self, 0);
  g_signal_connect_object (self->cost_toggle, "toggled", G_CALLBACK (metric_toggled_cb), self, 0);
}

GtkWidget *
gr_key_details_new (void)
{
  return g_object_new (GR_TYPE_KEY_DETAILS, NULL);
}
