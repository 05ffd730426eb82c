/* test-app-pages-providers.c — the Providers, Models and Logs pages
 *
 * Real widgets under Xvfb, against a real gateway started here (own
 * thread, SQLite in a temporary directory), through a real
 * GrAdminClient: every click goes over HTTP.  No upstream answers: the
 * "mock" provider points at a closed port, so its requests fail with a
 * 502, and unknown models with a 404; every one of them is logged.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "core/gr-gateway.h"
#include "gr-resources.h"
#include "pages/gr-alias-editor.h"
#include "pages/gr-logs-page.h"
#include "pages/gr-model-editor.h"
#include "pages/gr-models-page.h"
#include "pages/gr-provider-editor.h"
#include "pages/gr-providers-page.h"

#define DEADLINE_US (20 * G_USEC_PER_SEC)
/* The discard port: nobody listens there. */
#define CLOSED_URL  "http://127.0.0.1:9/v1"

/* $2.50 in, $10 out per million tokens. */
static const char config_ini[] =
  "[model:mock/ok]\n"
  "provider=mock\n"
  "upstream=ok\n"
  "input_per_mtok=2500000\n"
  "output_per_mtok=10000000\n";

typedef struct
{
  char          *dir;
  GrGateway     *gateway;
  char          *url;
  char          *admin;
  GrAdminClient *client;
  GtkWindow     *window;
  GtkWidget     *page;
} Fixture;

typedef gboolean (*Condition) (Fixture *f, gpointer data);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static void
wait_for (Fixture    *f,
          Condition   condition,
          gpointer    data,
          const char *what)
{
  gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

  while (!condition (f, data))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("timed out waiting for %s", what);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (2000);
    }
}

static gboolean
wait_ms_cb (Fixture  *f,
            gpointer  data)
{
  return g_get_monotonic_time () > *(gint64 *) data;
}

static void
settle (Fixture *f,
        guint    ms)
{
  gint64 until = g_get_monotonic_time () + ms * 1000;

  wait_for (f, (Condition) wait_ms_cb, &until, "time");
}

static gpointer
child (GtkWidget  *widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (widget, type, name);

  g_assert_nonnull (object);
  return object;
}

/* The first descendant of widget of type type for which match is TRUE. */
typedef gboolean (*Match) (GtkWidget *widget, gpointer data);

static GtkWidget *
find_widget (GtkWidget *widget,
             GType      type,
             Match      match,
             gpointer   data)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type) && (match == NULL || match (widget, data)))
    return widget;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c != NULL; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_widget (c, type, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
label_has_text (GtkWidget *widget,
                gpointer   text)
{
  return gtk_widget_get_mapped (widget) && g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

typedef struct
{
  GtkWidget  *root;
  const char *text;
} LabelWanted;

static gboolean
label_shown_cb (Fixture  *f,
                gpointer  data)
{
  LabelWanted *want = data;

  return find_widget (want->root, GTK_TYPE_LABEL, label_has_text, (gpointer) want->text) != NULL;
}

/* Waits until a label under root shows text on screen. */
static void
wait_for_label (Fixture    *f,
                GtkWidget  *root,
                const char *text)
{
  LabelWanted want = { root, text };

  wait_for (f, label_shown_cb, &want, text);
}

static gboolean
action_is (GtkWidget *widget,
           gpointer   action_name)
{
  return g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), action_name) == 0;
}

static gboolean
sensitive_with_tooltip (GtkWidget *widget,
                        gpointer   tooltip)
{
  return gtk_widget_get_sensitive (widget) && g_strcmp0 (gtk_widget_get_tooltip_text (widget), tooltip) == 0;
}

static gboolean
widget_has_name (GtkWidget *widget,
                 gpointer   name)
{
  return g_strcmp0 (gtk_widget_get_name (widget), name) == 0;
}

/* A widget of a row made by a GtkSignalListItemFactory of the pages: they
 * keep their GtkListItem as "gr-list-item". */
typedef struct
{
  const char *item_name;
  const char *label;
} RowWidget;

static gboolean
row_widget_matches (GtkWidget *widget,
                    gpointer   data)
{
  RowWidget *want = data;
  GtkListItem *list_item = g_object_get_data (G_OBJECT (widget), "gr-list-item");
  GObject *item = list_item != NULL ? gtk_list_item_get_item (list_item) : NULL;
  g_autofree char *name = NULL;

  if (item == NULL)
    return FALSE;
  g_object_get (item, "name", &name, NULL);
  if (g_strcmp0 (name, want->item_name) != 0)
    return FALSE;
  return want->label == NULL ||
         (GTK_IS_BUTTON (widget) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), want->label) == 0);
}

static gpointer
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

static gpointer
find_item (GListModel *model,
           const char *property,
           const char *value)
{
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *text = NULL;

      g_object_get (item, property, &text, NULL);
      if (g_strcmp0 (text, value) == 0)
        return item;  /* the model still holds it */
    }
  return NULL;
}

static gboolean
store_has_cb (Fixture  *f,
              gpointer  data)
{
  const char **args = data;  /* template child, property, value */
  GListModel *store = child (f->page, G_OBJECT_TYPE (f->page), args[0]);

  return find_item (store, args[1], args[2]) != NULL;
}

static gboolean
store_not_empty_cb (Fixture  *f,
                    gpointer  data)
{
  GListModel *store = child (f->page, G_OBJECT_TYPE (f->page), data);

  return g_list_model_get_n_items (store) > 0;
}

static void
chat (Fixture    *f,
      const char *model,
      guint       expected_status)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *uri = g_strconcat (f->url, "/v1/chat/completions", NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", f->admin, NULL);
  g_autofree char *body = g_strdup_printf ("{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                                           model);
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", uri);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, expected_status);
}

/* With GR_TEST_LINGER_MS set, waits that long at the interesting
 * moments, for screenshots ("import -window root"). */
static void
linger (Fixture *f)
{
  const char *ms = g_getenv ("GR_TEST_LINGER_MS");

  if (ms != NULL)
    settle (f, (guint) g_ascii_strtoull (ms, NULL, 10));
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */
/* ------------------------------------------------------------------ */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  GtkWidget *(*page_new) (void) = data;
  g_autoptr(GError) error = NULL;
  GtkWidget *overlay;
  GrConfig *config;

  f->dir = g_dir_make_tmp ("gr-pages-XXXXXX", &error);
  g_assert_no_error (error);

  config = gr_config_load_data (config_ini, -1, &error);
  g_assert_no_error (error);
  g_free (config->database);
  config->database = g_build_filename (f->dir, "gaiarouter.db", NULL);
  config->listen_port = 0;
  g_ptr_array_add (config->providers,
                   gr_provider_config_new ("mock", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, CLOSED_URL));

  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);
  f->url = gr_gateway_dup_url (f->gateway);
  f->admin = gr_gateway_dup_new_admin_key (f->gateway);
  g_assert_nonnull (f->admin);
  f->client = gr_admin_client_new (f->url, f->admin);

  f->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (f->window, 1360, 860);
  overlay = adw_toast_overlay_new ();
  f->page = page_new ();
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), f->page);
  adw_window_set_content (ADW_WINDOW (f->window), overlay);
  gtk_window_present (f->window);

  /* The window's default width is 640 and its sidebar folds away below
   * that: a page must fit. */
  {
    int min_width = 0;

    gtk_widget_measure (f->page, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
    g_assert_cmpint (min_width, <=, 560);
  }
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  linger (f);

  gr_page_set_client (GR_PAGE (f->page), NULL);
  gtk_window_destroy (f->window);
  settle (f, 50);
  g_clear_object (&f->client);
  g_clear_object (&f->gateway);
  d = g_dir_open (f->dir, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
  g_free (f->url);
  g_free (f->admin);
}

/* ------------------------------------------------------------------ */
/* Providers                                                           */
/* ------------------------------------------------------------------ */

static gboolean
editor_gone_cb (Fixture  *f,
                gpointer  type)
{
  return find_toplevel (GPOINTER_TO_SIZE (type)) == NULL;
}

static gboolean
provider_disabled_cb (Fixture  *f,
                      gpointer  name)
{
  GrProviderItem *item = find_item (child (f->page, GR_TYPE_PROVIDERS_PAGE, "store"), "name", name);

  return item != NULL && !gr_provider_item_get_enabled (item);
}

static gboolean
test_label_filled_cb (Fixture  *f,
                      gpointer  data)
{
  GtkWidget *button = data;
  GtkWidget *label = gtk_widget_get_last_child (gtk_widget_get_parent (button));

  return *gtk_label_get_text (GTK_LABEL (label)) != '\0';
}

/* The delete button of a provider's row (the last button of the actions
 * cell). */
static gboolean
delete_button_of (GtkWidget *widget,
                  gpointer   name)
{
  RowWidget want = { name, NULL };

  return row_widget_matches (widget, &want) && gtk_widget_get_next_sibling (widget) == NULL &&
         g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (widget)), "user-trash-symbolic") == 0;
}

static gboolean
refusal_shown_cb (Fixture  *f,
                  gpointer  data)
{
  AdwMessageDialog *dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

  return dialog != NULL && g_strcmp0 (adw_message_dialog_get_heading (dialog), "Cannot Delete Provider") == 0;
}

static gboolean
provider_gone_cb (Fixture  *f,
                  gpointer  name)
{
  return find_item (child (f->page, GR_TYPE_PROVIDERS_PAGE, "store"), "name", name) == NULL;
}

static void
test_providers (Fixture       *f,
                gconstpointer  data)
{
  static const char * const defaults[] = { "openai", "anthropic", "google", "openrouter", "ollama", "mock" };
  static const char *added[] = { "store", "name", "closedport" };
  static const char secret[] = "sk-test-0123456789abcdef";
  GListModel *store = child (f->page, GR_TYPE_PROVIDERS_PAGE, "store");
  GrProviderEditor *editor;
  GrProviderItem *item;
  RowWidget want = { "closedport", NULL };
  GtkWidget *column_view = child (f->page, GR_TYPE_PROVIDERS_PAGE, "column_view");
  GtkWidget *widget;
  GtkWidget *label;
  GtkWidget *actions;
  AdwMessageDialog *dialog;
  const char *masked;

  gr_page_set_client (GR_PAGE (f->page), f->client);
  wait_for (f, store_not_empty_cb, (gpointer) "store", "the providers");
  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    g_assert_nonnull (find_item (store, "name", defaults[i]));
  /* The names are in the table. */
  wait_for_label (f, column_view, "openrouter");

  /* Add one through the editor, pointing at a port nobody listens on. */
  gr_page_create_item (GR_PAGE (f->page));
  editor = find_toplevel (GR_TYPE_PROVIDER_EDITOR);
  g_assert_nonnull (editor);
  gtk_editable_set_text (child (GTK_WIDGET (editor), GR_TYPE_PROVIDER_EDITOR, "name_row"), "bad name");
  g_assert_true (gtk_widget_has_css_class (child (GTK_WIDGET (editor), GR_TYPE_PROVIDER_EDITOR, "name_row"),
                                           "error"));
  gtk_editable_set_text (child (GTK_WIDGET (editor), GR_TYPE_PROVIDER_EDITOR, "name_row"), "closedport");
  g_assert_false (gtk_widget_has_css_class (child (GTK_WIDGET (editor), GR_TYPE_PROVIDER_EDITOR, "name_row"),
                                            "error"));
  gtk_editable_set_text (child (GTK_WIDGET (editor), GR_TYPE_PROVIDER_EDITOR, "base_url_row"),
                         CLOSED_URL);
  gtk_editable_set_text (child (GTK_WIDGET (editor), GR_TYPE_PROVIDER_EDITOR, "api_key_row"), secret);
  linger (f);
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  wait_for (f, store_has_cb, added, "the new provider");
  wait_for (f, editor_gone_cb, GSIZE_TO_POINTER (GR_TYPE_PROVIDER_EDITOR), "the editor to close");

  /* Listed with the credential masked as the gateway shows it. */
  item = find_item (store, "name", "closedport");
  masked = gr_provider_item_get_masked_api_key (item);
  g_assert_nonnull (masked);
  g_assert_true (g_str_has_prefix (masked, "sk-"));
  g_assert_true (g_str_has_suffix (masked, "cdef"));
  g_assert_null (strstr (masked, "0123456789"));
  g_assert_cmpstr (gr_provider_item_get_source (item), ==, "api");
  wait_for_label (f, column_view, masked);

  /* Test connection: the closed port's error shows in the row. */
  want.label = "_Test";
  widget = find_widget (column_view, GTK_TYPE_BUTTON, row_widget_matches, &want);
  g_assert_nonnull (widget);
  g_signal_emit_by_name (widget, "clicked");
  wait_for (f, test_label_filled_cb, widget, "the test result");
  label = gtk_widget_get_last_child (gtk_widget_get_parent (widget));
  g_assert_true (gtk_widget_has_css_class (label, "error"));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (label)), "connect"));

  /* The switch in the row disables it at the gateway. */
  want.label = NULL;
  widget = find_widget (column_view, GTK_TYPE_SWITCH, row_widget_matches, &want);
  g_assert_nonnull (widget);
  g_assert_true (gtk_switch_get_active (GTK_SWITCH (widget)));
  gtk_switch_set_active (GTK_SWITCH (widget), FALSE);
  wait_for (f, provider_disabled_cb, (gpointer) "closedport", "the provider to be disabled");

  /* Reloading shows what the gateway kept. */
  gr_page_refresh (GR_PAGE (f->page));
  settle (f, 200);
  wait_for (f, provider_disabled_cb, (gpointer) "closedport", "the reloaded provider");

  /* A provider of the configuration file cannot be deleted: the page
   * says why, in the gateway's words. */
  g_assert_null (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  actions = find_widget (column_view, GTK_TYPE_BUTTON, delete_button_of, (gpointer) "openai");
  g_assert_nonnull (actions);
  g_signal_emit_by_name (actions, "clicked");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  /* As a click on the button would: answer and close. */
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for (f, refusal_shown_cb, NULL, "the refusal");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "configuration file"));
  linger (f);
  gtk_window_destroy (GTK_WINDOW (dialog));
  g_assert_nonnull (find_item (store, "name", "openai"));

  /* One added here can. */
  actions = find_widget (column_view, GTK_TYPE_BUTTON, delete_button_of, (gpointer) "closedport");
  g_assert_nonnull (actions);
  g_signal_emit_by_name (actions, "clicked");
  dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (dialog);
  adw_message_dialog_response (dialog, "delete");
  gtk_window_destroy (GTK_WINDOW (dialog));
  wait_for (f, provider_gone_cb, (gpointer) "closedport", "the provider to go");
}

/* ------------------------------------------------------------------ */
/* Models                                                              */
/* ------------------------------------------------------------------ */

static gboolean
model_price_cb (Fixture  *f,
                gpointer  data)
{
  GrModelItem *item = find_item (child (f->page, GR_TYPE_MODELS_PAGE, "models_store"), "id", data);

  return item != NULL && gr_model_item_get_input_per_mtok (item) == 1250000;
}

static gboolean
alias_listed_cb (Fixture  *f,
                 gpointer  data)
{
  return find_item (child (f->page, GR_TYPE_MODELS_PAGE, "aliases_store"), "name", data) != NULL;
}

static void
test_models (Fixture       *f,
             gconstpointer  data)
{
  GListModel *store = child (f->page, GR_TYPE_MODELS_PAGE, "models_store");
  GListModel *filtered = child (f->page, GR_TYPE_MODELS_PAGE, "models_filter_model");
  GtkWidget *models_view = child (f->page, GR_TYPE_MODELS_PAGE, "models_view");
  GtkEditable *search = child (f->page, GR_TYPE_MODELS_PAGE, "search_entry");
  GtkDropDown *providers = child (f->page, GR_TYPE_MODELS_PAGE, "provider_dropdown");
  GtkStringList *provider_list = child (f->page, GR_TYPE_MODELS_PAGE, "provider_list");
  GrModelEditor *model_editor;
  GrAliasEditor *alias_editor;
  GtkWidget *input_row;
  GtkWidget *add_row;
  GtkWidget *targets_list;
  GtkWidget *up;
  GtkWidget *spin;
  guint n_all;
  guint n_found;

  gr_page_set_client (GR_PAGE (f->page), f->client);
  wait_for (f, store_not_empty_cb, (gpointer) "models_store", "the registry");
  n_all = g_list_model_get_n_items (store);
  g_assert_cmpuint (n_all, >, 5);
  g_assert_nonnull (find_item (store, "id", "mock/ok"));
  g_assert_cmpuint (g_list_model_get_n_items (filtered), ==, n_all);

  /* Search narrows the list to matching models. */
  gr_page_focus_search (GR_PAGE (f->page));
  gtk_editable_set_text (search, "gpt-4o");
  n_found = g_list_model_get_n_items (filtered);
  g_assert_cmpuint (n_found, >, 0);
  g_assert_cmpuint (n_found, <, n_all);
  for (guint i = 0; i < n_found; i++)
    {
      g_autoptr(GrModelItem) model = g_list_model_get_item (filtered, i);
      g_autofree char *id = g_ascii_strdown (gr_model_item_get_id (model), -1);
      g_autofree char *upstream = g_ascii_strdown (gr_model_item_get_upstream (model) ?: "", -1);
      g_autofree char *aliases = g_strjoinv (" ", (char **) gr_model_item_get_aliases (model));

      g_assert_true (strstr (id, "gpt-4o") != NULL || strstr (upstream, "gpt-4o") != NULL ||
                     strstr (aliases, "gpt-4o") != NULL);
    }
  gtk_editable_set_text (search, "");
  g_assert_cmpuint (g_list_model_get_n_items (filtered), ==, n_all);

  /* The provider menu narrows it to one provider. */
  for (guint i = 1; i < g_list_model_get_n_items (G_LIST_MODEL (provider_list)); i++)
    if (g_str_equal (gtk_string_list_get_string (provider_list, i), "mock"))
      gtk_drop_down_set_selected (providers, i);
  g_assert_cmpuint (g_list_model_get_n_items (filtered), ==, 1);

  /* Edit the price: a wrong amount is refused at the field. */
  g_signal_emit_by_name (models_view, "activate", 0);
  model_editor = find_toplevel (GR_TYPE_MODEL_EDITOR);
  g_assert_nonnull (model_editor);
  input_row = child (GTK_WIDGET (model_editor), GR_TYPE_MODEL_EDITOR, "input_row");
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (input_row)), ==, "2.5");
  gtk_editable_set_text (GTK_EDITABLE (input_row), "1.2.5");
  g_assert_true (gtk_widget_has_css_class (input_row, "error"));
  linger (f);
  g_assert_false (gtk_widget_is_sensitive (find_widget (GTK_WIDGET (model_editor), GTK_TYPE_BUTTON,
                                                       action_is, (gpointer) "editor.save")));
  gtk_editable_set_text (GTK_EDITABLE (input_row), "1.25");
  g_assert_false (gtk_widget_has_css_class (input_row, "error"));
  gtk_widget_activate_action (GTK_WIDGET (model_editor), "editor.save", NULL);
  wait_for (f, model_price_cb, (gpointer) "mock/ok", "the new price");
  wait_for (f, editor_gone_cb, GSIZE_TO_POINTER (GR_TYPE_MODEL_EDITOR), "the editor to close");
  wait_for_label (f, models_view, "$1.25");
  gtk_drop_down_set_selected (providers, 0);
  g_assert_cmpuint (g_list_model_get_n_items (filtered), ==, n_all);

  /* An alias through its editor: two targets, the second moved up,
   * weighted 3 to 1. */
  gr_page_create_item (GR_PAGE (f->page));
  alias_editor = find_toplevel (GR_TYPE_ALIAS_EDITOR);
  g_assert_nonnull (alias_editor);
  gtk_editable_set_text (child (GTK_WIDGET (alias_editor), GR_TYPE_ALIAS_EDITOR, "name_row"), "smart");
  /* Taken by models.json. */
  g_assert_true (gtk_widget_has_css_class (child (GTK_WIDGET (alias_editor), GR_TYPE_ALIAS_EDITOR, "name_row"),
                                           "error"));
  gtk_editable_set_text (child (GTK_WIDGET (alias_editor), GR_TYPE_ALIAS_EDITOR, "name_row"), "pages-test");
  add_row = child (GTK_WIDGET (alias_editor), GR_TYPE_ALIAS_EDITOR, "add_row");
  gtk_editable_set_text (GTK_EDITABLE (add_row), "openai/gpt-4o");
  g_signal_emit_by_name (add_row, "apply");
  gtk_editable_set_text (GTK_EDITABLE (add_row), "no-such-model");
  g_signal_emit_by_name (add_row, "apply");
  g_assert_true (gtk_widget_has_css_class (add_row, "error"));
  gtk_editable_set_text (GTK_EDITABLE (add_row), "mock/ok");
  g_signal_emit_by_name (add_row, "apply");
  targets_list = child (GTK_WIDGET (alias_editor), GR_TYPE_ALIAS_EDITOR, "targets_list");
  up = find_widget (targets_list, GTK_TYPE_BUTTON, sensitive_with_tooltip, (gpointer) "Move Up");
  g_assert_nonnull (up);
  g_signal_emit_by_name (up, "clicked");
  adw_combo_row_set_selected (child (GTK_WIDGET (alias_editor), GR_TYPE_ALIAS_EDITOR, "strategy_row"), 1);
  spin = find_widget (targets_list, GTK_TYPE_SPIN_BUTTON, NULL, NULL);
  g_assert_nonnull (spin);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (spin), 3);
  linger (f);
  gtk_widget_activate_action (GTK_WIDGET (alias_editor), "editor.save", NULL);
  wait_for (f, alias_listed_cb, (gpointer) "pages-test", "the new alias");
  wait_for (f, editor_gone_cb, GSIZE_TO_POINTER (GR_TYPE_ALIAS_EDITOR), "the editor to close");
  {
    GrAliasItem *alias = find_item (child (f->page, GR_TYPE_MODELS_PAGE, "aliases_store"), "name", "pages-test");
    const char * const *targets = gr_alias_item_get_targets (alias);
    guint n_weights = 0;
    const guint *weights = gr_alias_item_get_weights (alias, &n_weights);

    g_assert_cmpstr (gr_alias_item_get_strategy (alias), ==, "weighted");
    g_assert_cmpuint (g_strv_length ((char **) targets), ==, 2);
    g_assert_cmpstr (targets[0], ==, "mock/ok");
    g_assert_cmpstr (targets[1], ==, "openai/gpt-4o");
    g_assert_cmpuint (n_weights, ==, 2);
    g_assert_cmpuint (weights[0], ==, 3);
    g_assert_cmpuint (weights[1], ==, 1);
  }
  adw_view_stack_set_visible_child_name (child (f->page, GR_TYPE_MODELS_PAGE, "view_stack"), "models");
}

/* ------------------------------------------------------------------ */
/* Logs                                                                */
/* ------------------------------------------------------------------ */

static gboolean
logs_at_least_cb (Fixture  *f,
                  gpointer  data)
{
  GListModel *store = child (f->page, GR_TYPE_LOGS_PAGE, "store");

  return g_list_model_get_n_items (store) >= GPOINTER_TO_UINT (data);
}

static gboolean
only_4xx_cb (Fixture  *f,
             gpointer  data)
{
  GListModel *store = child (f->page, GR_TYPE_LOGS_PAGE, "store");
  guint n = g_list_model_get_n_items (store);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GrLogEntry) entry = g_list_model_get_item (store, i);

      if (gr_log_entry_get_status (entry) / 100 != 4)
        return FALSE;
    }
  return n == GPOINTER_TO_UINT (data);
}

static gboolean
first_is_cb (Fixture  *f,
             gpointer  model)
{
  GListModel *selection = child (f->page, GR_TYPE_LOGS_PAGE, "selection");
  g_autoptr(GrLogEntry) entry = g_list_model_get_item (selection, 0);

  return entry != NULL && g_strcmp0 (gr_log_entry_get_model (entry), model) == 0;
}

static void
test_logs (Fixture       *f,
           gconstpointer  data)
{
  GListModel *selection = child (f->page, GR_TYPE_LOGS_PAGE, "selection");
  GtkDropDown *status = child (f->page, GR_TYPE_LOGS_PAGE, "status_dropdown");
  g_autoptr(GrLogEntry) first = NULL;
  GtkWidget *label;

  /* Every request is logged, those that fail too. */
  chat (f, "mock/ok", 502);
  for (guint i = 0; i < 3; i++)
    chat (f, "nowhere/missing", 404);

  gr_page_set_client (GR_PAGE (f->page), f->client);
  /* The usage writer batches: refresh until all four are there. */
  {
    gint64 deadline = g_get_monotonic_time () + DEADLINE_US;

    while (!logs_at_least_cb (f, GUINT_TO_POINTER (4)))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        settle (f, 200);
        gr_page_refresh (GR_PAGE (f->page));
      }
  }

  /* Selecting a row shows its request id in the details pane. */
  first = g_list_model_get_item (selection, 0);
  gtk_single_selection_set_selected (GTK_SINGLE_SELECTION (selection), 0);
  label = find_widget (child (f->page, GR_TYPE_LOGS_PAGE, "details_box"), GTK_TYPE_LABEL,
                       widget_has_name, (gpointer) "request-id-label");
  g_assert_nonnull (label);
  g_assert_true (g_str_has_prefix (gr_log_entry_get_request_id (first), "req_"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, gr_log_entry_get_request_id (first));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (child (f->page, GR_TYPE_LOGS_PAGE, "details_stack")),
                   ==, "details");

  /* Sorting by time goes to the gateway: oldest first is the 502. */
  gtk_column_view_sort_by_column (child (f->page, GR_TYPE_LOGS_PAGE, "column_view"),
                                  child (f->page, GR_TYPE_LOGS_PAGE, "time_column"), GTK_SORT_ASCENDING);
  wait_for (f, first_is_cb, (gpointer) "mock/ok", "the oldest request first");
  gtk_column_view_sort_by_column (child (f->page, GR_TYPE_LOGS_PAGE, "column_view"),
                                  child (f->page, GR_TYPE_LOGS_PAGE, "time_column"), GTK_SORT_DESCENDING);
  wait_for (f, first_is_cb, (gpointer) "nowhere/missing", "the newest request first");

  /* The status filter goes to the gateway. */
  gtk_drop_down_set_selected (status, 2);
  wait_for (f, only_4xx_cb, GUINT_TO_POINTER (3), "the 4xx requests");
  gtk_drop_down_set_selected (status, 0);
  wait_for (f, logs_at_least_cb, GUINT_TO_POINTER (4), "every request again");
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *data_dir = NULL;

  /* A scratch home for anything that would write there. */
  data_dir = g_dir_make_tmp ("gr-pages-data-XXXXXX", NULL);
  g_setenv ("XDG_DATA_HOME", data_dir, TRUE);

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();
  gr_resources_register_resource ();

  g_test_add ("/gaiarouter/app/pages/providers", Fixture, (gconstpointer) gr_providers_page_new,
              fixture_set_up, test_providers, fixture_tear_down);
  g_test_add ("/gaiarouter/app/pages/models", Fixture, (gconstpointer) gr_models_page_new,
              fixture_set_up, test_models, fixture_tear_down);
  g_test_add ("/gaiarouter/app/pages/logs", Fixture, (gconstpointer) gr_logs_page_new,
              fixture_set_up, test_logs, fixture_tear_down);

  return g_test_run ();
}
