/* gr-logs-page.c — the request log of a gateway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One page of /v1/logs at a time: the gateway filters, sorts and pages,
 * since the log is far too long to load.  The column sorters of Time,
 * Latency and Cost only tell which header was clicked (GrSortColumns);
 * the search entry also filters the rows already shown while the gateway
 * answers.  The pane on the right shows every field of the selected row.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-list-util.h"
#include "pages/gr-logs-page.h"

#define PAGE_SIZE              50
#define AUTO_REFRESH_SECONDS   5
#define FILTER_DELAY_MS        300

typedef enum
{
  DETAIL_REQUEST_ID,
  DETAIL_TIME,
  DETAIL_STATUS,
  DETAIL_ERROR_CODE,
  DETAIL_ENDPOINT,
  DETAIL_MODEL,
  DETAIL_PROVIDER,
  DETAIL_KEY,
  DETAIL_ORG,
  DETAIL_PROMPT_TOKENS,
  DETAIL_COMPLETION_TOKENS,
  DETAIL_CACHED_TOKENS,
  DETAIL_TOTAL_TOKENS,
  DETAIL_COST,
  DETAIL_PARTIAL,
  DETAIL_LATENCY,
  DETAIL_TTFB,
  DETAIL_STREAM,
  N_DETAILS
} Detail;

static const struct
{
  guint       group;
  const char *title;
} detail_rows[N_DETAILS] = {
  [DETAIL_REQUEST_ID] = { 0, N_("Request ID") },
  [DETAIL_TIME] = { 0, N_("Time") },
  /* Translators: the HTTP status a request got. */
  [DETAIL_STATUS] = { 0, N_("Status") },
  /* Translators: the error code a failed request got, e.g. model_not_found. */
  [DETAIL_ERROR_CODE] = { 0, N_("Error Code") },
  /* Translators: which API a request used: chat completions or messages. */
  [DETAIL_ENDPOINT] = { 0, N_("Endpoint") },
  [DETAIL_MODEL] = { 0, N_("Model") },
  [DETAIL_PROVIDER] = { 0, N_("Provider") },
  /* Translators: the id of the API key that sent a request. */
  [DETAIL_KEY] = { 0, N_("API Key") },
  [DETAIL_ORG] = { 0, N_("Organization") },
  [DETAIL_PROMPT_TOKENS] = { 1, N_("Prompt Tokens") },
  [DETAIL_COMPLETION_TOKENS] = { 1, N_("Completion Tokens") },
  [DETAIL_CACHED_TOKENS] = { 1, N_("Cached Tokens") },
  [DETAIL_TOTAL_TOKENS] = { 1, N_("Total Tokens") },
  [DETAIL_COST] = { 1, N_("Cost") },
  /* Translators: whether a request was cut short, so its usage is an estimate. */
  [DETAIL_PARTIAL] = { 1, N_("Partial") },
  /* Translators: how long a request took in all. */
  [DETAIL_LATENCY] = { 2, N_("Latency") },
  /* Translators: the time until the first byte of the answer was sent. */
  [DETAIL_TTFB] = { 2, N_("Time to First Byte") },
  /* Translators: whether the answer was streamed (server-sent events). */
  [DETAIL_STREAM] = { 2, N_("Streamed") },
};

static const char * const detail_groups[] = {
  /* Translators: a heading of the request details. */
  N_("Request"),
  /* Translators: a heading of the request details: tokens and cost. */
  N_("Usage"),
  /* Translators: a heading of the request details: latency and streaming. */
  N_("Timing"),
};

struct _GrLogsPage
{
  AdwBin          parent_instance;

  GrAdminClient  *client;
  /* Cancelled on dispose and whenever the client changes. */
  GCancellable   *cancellable;
  /* The load in flight, cancelled by a newer one. */
  GCancellable   *load_cancellable;
  GrSortColumns  *sort_columns;
  guint           page;
  gint64          total;
  guint           auto_refresh_id;
  guint           filter_timeout_id;
  /* The row to select again after a reload. */
  char           *selected_id;
  GtkLabel       *detail_labels[N_DETAILS];
  GtkWidget      *detail_rows_w[N_DETAILS];

  /* Template widgets */
  GtkSearchEntry      *search_entry;
  GtkDropDown         *status_dropdown;
  GtkEntry            *model_entry;
  GtkEntry            *provider_entry;
  GtkEntry            *key_entry;
  GtkToggleButton     *auto_refresh_button;
  GtkStack            *stack;
  AdwStatusPage       *error_page;
  GtkPaned            *paned;
  GtkStack            *rows_stack;
  AdwStatusPage       *empty_page;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *time_column;
  GtkColumnViewColumn *cost_column;
  GtkColumnViewColumn *latency_column;
  GtkSingleSelection  *selection;
  GListStore          *store;
  GtkLabel            *page_label;
  GtkStack            *details_stack;
  GtkBox              *details_box;
};

static void gr_logs_page_iface_init (GrPageInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (GrLogsPage, gr_logs_page, ADW_TYPE_BIN,
                               G_IMPLEMENT_INTERFACE (GR_TYPE_PAGE, gr_logs_page_iface_init))

enum {
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static void gr_logs_page_load (GrLogsPage *self);

/* ------------------------------------------------------------------ */
/* Formats                                                             */
/* ------------------------------------------------------------------ */

static GDateTime *
local_time (gint64 unix_ms)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) exact = NULL;

  if (unix_ms <= 0)
    return NULL;
  utc = g_date_time_new_from_unix_utc (unix_ms / 1000);
  if (utc == NULL)
    return NULL;
  exact = g_date_time_add (utc, (unix_ms % 1000) * 1000);
  return g_date_time_to_local (exact);
}

static char *
format_time (gpointer unused,
             gint64   unix_ms)
{
  g_autoptr(GDateTime) local = local_time (unix_ms);

  if (local == NULL)
    return g_strdup ("");
  return g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
}

static char *
format_optional (gpointer    unused,
                 const char *text)
{
  /* Translators: an empty cell of the request log (no key, no provider…). */
  return g_strdup (text != NULL && *text != '\0' ? text : C_("empty cell", "—"));
}

static char *
format_count (gpointer unused,
              gint64   n)
{
  return gr_format_count (n);
}

/* micro-USD exactly: "$0.000125", "$1.50". */
static char *
format_cost (gpointer unused,
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
format_ms (gpointer unused,
           gint64   ms)
{
  if (ms < 0)
    return g_strdup (C_("empty cell", "—"));
  if (ms < 10000)
    /* Translators: a duration in milliseconds. */
    return g_strdup_printf (_("%d ms"), (int) ms);
  /* Translators: a duration in seconds, e.g. "12.3 s". */
  return g_strdup_printf (_("%.1f s"), ms / 1000.0);
}

static char *
entry_search_text (gpointer    unused,
                   const char *request_id,
                   const char *model)
{
  return g_strjoin (" ", request_id ? request_id : "", model ? model : "", NULL);
}

/* ------------------------------------------------------------------ */
/* Status cells                                                        */
/* ------------------------------------------------------------------ */

static void
status_setup_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (list_item, label);
}

static const char *
status_class (int status)
{
  if (status >= 200 && status < 300)
    return "success";
  if (status >= 500)
    return "error";
  if (status >= 400)
    return "warning";
  return NULL;
}

static void
status_bind_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item)
{
  GtkWidget *label = gtk_list_item_get_child (list_item);
  GrLogEntry *entry = gtk_list_item_get_item (list_item);
  int status = gr_log_entry_get_status (entry);
  g_autofree char *text = g_strdup_printf ("%d", status);
  const char *css_class = status_class (status);

  gtk_label_set_text (GTK_LABEL (label), text);
  gtk_widget_set_tooltip_text (label, gr_log_entry_get_error_code (entry));
  gtk_widget_remove_css_class (label, "success");
  gtk_widget_remove_css_class (label, "warning");
  gtk_widget_remove_css_class (label, "error");
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
}

/* ------------------------------------------------------------------ */
/* Details                                                             */
/* ------------------------------------------------------------------ */

static void
set_detail (GrLogsPage *self,
            Detail      detail,
            const char *text)
{
  gtk_label_set_text (self->detail_labels[detail], text != NULL && *text != '\0' ? text : C_("empty cell", "—"));
}

static void
set_detail_take (GrLogsPage *self,
                 Detail      detail,
                 char       *text)
{
  set_detail (self, detail, text);
  g_free (text);
}

static const char *
yes_no (gboolean value)
{
  /* Translators: the value of a yes/no field of the request details. */
  return value ? C_("request detail", "Yes") : C_("request detail", "No");
}

static void
show_details (GrLogsPage *self,
              GrLogEntry *entry)
{
  g_autoptr(GDateTime) local = NULL;
  const char *endpoint;

  if (entry == NULL)
    {
      gtk_stack_set_visible_child_name (self->details_stack, "none");
      return;
    }

  set_detail (self, DETAIL_REQUEST_ID, gr_log_entry_get_request_id (entry));
  local = local_time (gr_log_entry_get_created_at (entry));
  if (local != NULL)
    {
      g_autofree char *seconds = g_date_time_format (local, "%Y-%m-%d %H:%M:%S");
      g_autofree char *zone = g_date_time_format (local, "%:z");

      set_detail_take (self, DETAIL_TIME,
                       g_strdup_printf ("%s.%03d %s", seconds,
                                        g_date_time_get_microsecond (local) / 1000, zone));
    }
  else
    set_detail (self, DETAIL_TIME, NULL);
  set_detail_take (self, DETAIL_STATUS, g_strdup_printf ("%d", gr_log_entry_get_status (entry)));
  set_detail (self, DETAIL_ERROR_CODE, gr_log_entry_get_error_code (entry));
  endpoint = gr_log_entry_get_endpoint (entry);
  if (g_strcmp0 (endpoint, "chat") == 0)
    set_detail (self, DETAIL_ENDPOINT, "/v1/chat/completions");
  else if (g_strcmp0 (endpoint, "messages") == 0)
    set_detail (self, DETAIL_ENDPOINT, "/v1/messages");
  else
    set_detail (self, DETAIL_ENDPOINT, endpoint);
  set_detail (self, DETAIL_MODEL, gr_log_entry_get_model (entry));
  set_detail (self, DETAIL_PROVIDER, gr_log_entry_get_provider (entry));
  set_detail (self, DETAIL_KEY, gr_log_entry_get_key_id (entry));
  set_detail (self, DETAIL_ORG, gr_log_entry_get_org_id (entry));
  set_detail_take (self, DETAIL_PROMPT_TOKENS, gr_format_count (gr_log_entry_get_prompt_tokens (entry)));
  set_detail_take (self, DETAIL_COMPLETION_TOKENS, gr_format_count (gr_log_entry_get_completion_tokens (entry)));
  set_detail_take (self, DETAIL_CACHED_TOKENS, gr_format_count (gr_log_entry_get_cached_tokens (entry)));
  set_detail_take (self, DETAIL_TOTAL_TOKENS, gr_format_count (gr_log_entry_get_total_tokens (entry)));
  set_detail_take (self, DETAIL_COST, format_cost (NULL, gr_log_entry_get_cost_micros (entry)));
  if (gr_log_entry_get_partial (entry))
    /* Translators: a request cut short: its token counts are what was delivered. */
    set_detail (self, DETAIL_PARTIAL, _("Yes, usage estimated"));
  else
    set_detail (self, DETAIL_PARTIAL, yes_no (FALSE));
  set_detail_take (self, DETAIL_LATENCY, format_ms (NULL, gr_log_entry_get_latency_ms (entry)));
  set_detail_take (self, DETAIL_TTFB, format_ms (NULL, gr_log_entry_get_ttfb_ms (entry)));
  set_detail (self, DETAIL_STREAM, yes_no (gr_log_entry_get_stream (entry)));

  gtk_stack_set_visible_child_name (self->details_stack, "details");
}

static void
selection_changed_cb (GrLogsPage         *self,
                      GParamSpec         *pspec,
                      GtkSingleSelection *selection)
{
  GrLogEntry *entry = gtk_single_selection_get_selected_item (selection);

  if (entry != NULL)
    {
      g_free (self->selected_id);
      self->selected_id = g_strdup (gr_log_entry_get_request_id (entry));
    }
  show_details (self, entry);
}

static void
copy_request_id_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  GrLogsPage *self = GR_LOGS_PAGE (widget);
  GrLogEntry *entry = gtk_single_selection_get_selected_item (self->selection);

  if (entry == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), gr_log_entry_get_request_id (entry));
  /* Translators: a short notification after copying a request id. */
  gr_page_toast (widget, _("Request ID copied"));
}

static void
build_details (GrLogsPage *self)
{
  AdwPreferencesGroup *groups[G_N_ELEMENTS (detail_groups)];

  for (guint i = 0; i < G_N_ELEMENTS (detail_groups); i++)
    {
      groups[i] = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
      adw_preferences_group_set_title (groups[i], g_dgettext (GETTEXT_PACKAGE, detail_groups[i]));
      gtk_box_append (self->details_box, GTK_WIDGET (groups[i]));
    }

  for (guint i = 0; i < N_DETAILS; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *label = gtk_label_new (NULL);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                     g_dgettext (GETTEXT_PACKAGE, detail_rows[i].title));
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_label_set_justify (GTK_LABEL (label), GTK_JUSTIFY_RIGHT);
      gtk_widget_set_hexpand (label, TRUE);
      gtk_widget_add_css_class (label, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
      if (i == DETAIL_REQUEST_ID)
        {
          GtkWidget *copy = gtk_button_new_from_icon_name ("edit-copy-symbolic");

          gtk_widget_set_valign (copy, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (copy, "flat");
          gtk_widget_set_tooltip_text (copy, _("Copy Request ID"));
          gtk_actionable_set_action_name (GTK_ACTIONABLE (copy), "logs.copy-request-id");
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), copy);
          gtk_widget_add_css_class (label, "monospace");
          /* For tests and accessibility tools. */
          gtk_widget_set_name (label, "request-id-label");
        }
      self->detail_labels[i] = GTK_LABEL (label);
      self->detail_rows_w[i] = row;
      adw_preferences_group_add (groups[detail_rows[i].group], row);
    }
}

/* ------------------------------------------------------------------ */
/* Loading                                                             */
/* ------------------------------------------------------------------ */

static void
update_pager (GrLogsPage *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->store));
  GrPageInfo info = { self->page, PAGE_SIZE, self->total };
  g_autofree char *text = gr_format_page_range (&info, n);

  gtk_label_set_text (self->page_label, text);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "logs.previous-page", self->page > 1);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "logs.next-page",
                                 (gint64) self->page * PAGE_SIZE < self->total);
}

static void
select_request (GrLogsPage *self,
                const char *request_id)
{
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; request_id != NULL && i < n; i++)
    {
      g_autoptr(GrLogEntry) entry = g_list_model_get_item (model, i);

      if (g_strcmp0 (gr_log_entry_get_request_id (entry), request_id) == 0)
        {
          gtk_single_selection_set_selected (self->selection, i);
          return;
        }
    }
  gtk_single_selection_set_selected (self->selection, GTK_INVALID_LIST_POSITION);
}

static const char *entry_filter (GtkEntry *entry);

static gboolean
filtered (GrLogsPage *self)
{
  return gtk_drop_down_get_selected (self->status_dropdown) != 0 ||
         *gtk_editable_get_text (GTK_EDITABLE (self->search_entry)) != '\0' ||
         entry_filter (self->model_entry) != NULL ||
         entry_filter (self->provider_entry) != NULL ||
         entry_filter (self->key_entry) != NULL;
}

static void
list_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GrLogsPage) self = user_data;
  g_autoptr(GListStore) entries = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *keep = NULL;
  GrPageInfo info = { 0, 0, 0 };
  guint n;

  entries = gr_admin_client_list_logs_finish (GR_ADMIN_CLIENT (source), result, &info, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
      self->cancellable == NULL)
    return;
  g_clear_object (&self->load_cancellable);
  if (error != NULL)
    {
      /* An auto-refresh that fails keeps the rows it has. */
      if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) > 0)
        gr_page_toast_error (GTK_WIDGET (self), error);
      else
        {
          adw_status_page_set_description (self->error_page, error->message);
          gtk_stack_set_visible_child_name (self->stack, "error");
        }
      return;
    }

  keep = g_strdup (self->selected_id);
  self->total = info.total;
  n = g_list_model_get_n_items (G_LIST_MODEL (entries));
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (items, g_list_model_get_item (G_LIST_MODEL (entries), i));
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items->pdata, items->len);
  select_request (self, keep);
  update_pager (self);
  if (n == 0 && filtered (self))
    {
      adw_status_page_set_title (self->empty_page, _("No Matching Requests"));
      adw_status_page_set_description (self->empty_page, _("No request matches these filters."));
    }
  else if (n == 0)
    {
      adw_status_page_set_title (self->empty_page, _("No Requests"));
      adw_status_page_set_description (self->empty_page,
                                       _("Requests to the gateway show up here, whatever their outcome."));
    }
  gtk_stack_set_visible_child_name (self->rows_stack, n > 0 ? "rows" : "empty");
  gtk_stack_set_visible_child_name (self->stack, "list");
}

static const char *
entry_filter (GtkEntry *entry)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));

  return text != NULL && *text != '\0' ? text : NULL;
}

/* The API's sort from the clicked header: the log sorts by time either
 * way, by latency and cost from the largest only. */
static const char *
api_sort (GrLogsPage *self)
{
  g_autofree char *sort = gr_sort_columns_dup_sort (self->sort_columns);

  if (sort == NULL || g_str_equal (sort, "-ts"))
    return "ts_desc";
  if (g_str_equal (sort, "ts"))
    return "ts_asc";
  if (g_str_has_suffix (sort, "latency"))
    return "latency_desc";
  if (g_str_has_suffix (sort, "cost"))
    return "cost_desc";
  return "ts_desc";
}

static void
gr_logs_page_load (GrLogsPage *self)
{
  static const char * const statuses[] = { NULL, "2xx", "4xx", "5xx" };
  GrLogParams params = GR_LOG_PARAMS_INIT;
  guint status = gtk_drop_down_get_selected (self->status_dropdown);
  const char *q = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));

  if (self->client == NULL)
    {
      g_list_store_remove_all (self->store);
      gtk_stack_set_visible_child_name (self->stack, "disconnected");
      return;
    }

  params.page = MAX (self->page, 1);
  params.page_size = PAGE_SIZE;
  params.status = status < G_N_ELEMENTS (statuses) ? statuses[status] : NULL;
  params.q = q != NULL && *q != '\0' ? q : NULL;
  params.model = entry_filter (self->model_entry);
  params.provider = entry_filter (self->provider_entry);
  params.key_id = entry_filter (self->key_entry);
  params.sort = api_sort (self);

  /* A newer load replaces one in flight. */
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();

  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0 &&
      g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), "list") != 0)
    gtk_stack_set_visible_child_name (self->stack, "loading");
  gr_admin_client_list_logs_async (self->client, &params, self->load_cancellable,
                                   list_done_cb, g_object_ref (self));
}

/* ------------------------------------------------------------------ */
/* Filters, sorting, paging, auto-refresh                              */
/* ------------------------------------------------------------------ */

static void
filter_changed_cb (GrLogsPage *self)
{
  g_clear_handle_id (&self->filter_timeout_id, g_source_remove);
  self->page = 1;
  gr_logs_page_load (self);
}

static gboolean
filter_timeout_cb (gpointer user_data)
{
  GrLogsPage *self = user_data;

  self->filter_timeout_id = 0;
  self->page = 1;
  gr_logs_page_load (self);
  return G_SOURCE_REMOVE;
}

/* Typing in an entry reloads once the typing pauses. */
static void
filter_entry_changed_cb (GrLogsPage *self)
{
  g_clear_handle_id (&self->filter_timeout_id, g_source_remove);
  self->filter_timeout_id = g_timeout_add (FILTER_DELAY_MS, filter_timeout_cb, self);
}

static void
clear_filters_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  GrLogsPage *self = GR_LOGS_PAGE (widget);

  gtk_editable_set_text (GTK_EDITABLE (self->model_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->provider_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->key_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), "");
  gtk_drop_down_set_selected (self->status_dropdown, 0);
  filter_changed_cb (self);
}

static void
sort_changed_cb (gpointer user_data)
{
  GrLogsPage *self = user_data;
  g_autofree char *sort = gr_sort_columns_dup_sort (self->sort_columns);

  /* Latency and cost sort from the largest only: show the arrow that way. */
  if (g_strcmp0 (sort, "latency") == 0)
    {
      gtk_column_view_sort_by_column (self->column_view, self->latency_column, GTK_SORT_DESCENDING);
      return;
    }
  if (g_strcmp0 (sort, "cost") == 0)
    {
      gtk_column_view_sort_by_column (self->column_view, self->cost_column, GTK_SORT_DESCENDING);
      return;
    }
  self->page = 1;
  gr_logs_page_load (self);
}

static void
previous_page_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  GrLogsPage *self = GR_LOGS_PAGE (widget);

  if (self->page > 1)
    {
      self->page--;
      gr_logs_page_load (self);
    }
}

static void
next_page_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  GrLogsPage *self = GR_LOGS_PAGE (widget);

  if ((gint64) self->page * PAGE_SIZE < self->total)
    {
      self->page++;
      gr_logs_page_load (self);
    }
}

static gboolean
auto_refresh_cb (gpointer user_data)
{
  GrLogsPage *self = user_data;

  /* Skip a beat while a load is in flight or nobody looks. */
  if (self->load_cancellable == NULL && gtk_widget_get_mapped (GTK_WIDGET (self)))
    gr_logs_page_load (self);
  return G_SOURCE_CONTINUE;
}

static void
auto_refresh_toggled_cb (GrLogsPage      *self,
                         GParamSpec      *pspec,
                         GtkToggleButton *button)
{
  g_clear_handle_id (&self->auto_refresh_id, g_source_remove);
  if (gtk_toggle_button_get_active (button))
    {
      self->auto_refresh_id = g_timeout_add_seconds (AUTO_REFRESH_SECONDS, auto_refresh_cb, self);
      gr_logs_page_load (self);
    }
}

/* ------------------------------------------------------------------ */
/* GrPage                                                              */
/* ------------------------------------------------------------------ */

static void
gr_logs_page_refresh (GrPage *page)
{
  gr_logs_page_load (GR_LOGS_PAGE (page));
}

static void
gr_logs_page_focus_search (GrPage *page)
{
  gtk_widget_grab_focus (GTK_WIDGET (GR_LOGS_PAGE (page)->search_entry));
}

static void
gr_logs_page_iface_init (GrPageInterface *iface)
{
  iface->refresh = gr_logs_page_refresh;
  iface->focus_search = gr_logs_page_focus_search;
}

static void
gr_logs_page_set_client (GrLogsPage    *self,
                         GrAdminClient *client)
{
  if (self->client == client)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->client, client);
  self->page = 1;
  self->total = 0;
  g_clear_pointer (&self->selected_id, g_free);
  g_list_store_remove_all (self->store);
  gr_logs_page_load (self);
  g_object_notify (G_OBJECT (self), "client");
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  gr_logs_page_refresh (GR_PAGE (widget));
}

static void
gr_logs_page_dispose (GObject *object)
{
  GrLogsPage *self = GR_LOGS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_handle_id (&self->auto_refresh_id, g_source_remove);
  g_clear_handle_id (&self->filter_timeout_id, g_source_remove);
  g_clear_pointer (&self->sort_columns, gr_sort_columns_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_LOGS_PAGE);
  g_clear_object (&self->client);
  g_clear_object (&self->load_cancellable);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->selected_id, g_free);

  G_OBJECT_CLASS (gr_logs_page_parent_class)->dispose (object);
}

static void
gr_logs_page_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  GrLogsPage *self = GR_LOGS_PAGE (object);

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
gr_logs_page_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  GrLogsPage *self = GR_LOGS_PAGE (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      gr_logs_page_set_client (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
gr_logs_page_class_init (GrLogsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_logs_page_dispose;
  object_class->get_property = gr_logs_page_get_property;
  object_class->set_property = gr_logs_page_set_property;

  g_object_class_override_property (object_class, PROP_CLIENT, "client");

  g_type_ensure (GR_TYPE_LOG_ENTRY);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-logs-page.ui");
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, model_entry);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, provider_entry);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, key_entry);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, auto_refresh_button);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, stack);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, paned);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, rows_stack);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, empty_page);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, time_column);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, cost_column);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, latency_column);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, selection);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, store);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, page_label);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, details_stack);
  gtk_widget_class_bind_template_child (widget_class, GrLogsPage, details_box);
  gtk_widget_class_bind_template_callback (widget_class, format_time);
  gtk_widget_class_bind_template_callback (widget_class, format_optional);
  gtk_widget_class_bind_template_callback (widget_class, format_count);
  gtk_widget_class_bind_template_callback (widget_class, format_cost);
  gtk_widget_class_bind_template_callback (widget_class, format_ms);
  gtk_widget_class_bind_template_callback (widget_class, entry_search_text);
  gtk_widget_class_bind_template_callback (widget_class, status_setup_cb);
  gtk_widget_class_bind_template_callback (widget_class, status_bind_cb);
  gtk_widget_class_bind_template_callback (widget_class, selection_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, filter_entry_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, auto_refresh_toggled_cb);

  gtk_widget_class_install_action (widget_class, "logs.refresh", NULL, refresh_action);
  gtk_widget_class_install_action (widget_class, "logs.previous-page", NULL, previous_page_action);
  gtk_widget_class_install_action (widget_class, "logs.next-page", NULL, next_page_action);
  gtk_widget_class_install_action (widget_class, "logs.clear-filters", NULL, clear_filters_action);
  gtk_widget_class_install_action (widget_class, "logs.copy-request-id", NULL, copy_request_id_action);
}

static void
gr_logs_page_init (GrLogsPage *self)
{
  self->cancellable = g_cancellable_new ();
  self->page = 1;
  gtk_widget_init_template (GTK_WIDGET (self));
  build_details (self);

  self->sort_columns = gr_sort_columns_new (self->column_view, G_CALLBACK (sort_changed_cb), self);
  gr_sort_columns_add (self->sort_columns, self->time_column, "ts");
  gr_sort_columns_add (self->sort_columns, self->latency_column, "latency");
  gr_sort_columns_add (self->sort_columns, self->cost_column, "cost");

  gtk_paned_set_position (self->paned, 760);
  update_pager (self);
  gtk_stack_set_visible_child_name (self->stack, "disconnected");
}

/**
 * gr_logs_page_new:
 *
 * Returns: (transfer floating): a new page, without a client
 */
GtkWidget *
gr_logs_page_new (void)
{
  return g_object_new (GR_TYPE_LOGS_PAGE, NULL);
}
