/* test-app-pages-keys.c — the Organizations and API Keys pages, end to end
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The real pages, editors and dialogs in a window under Xvfb, talking to a
 * real gateway (own thread, SQLite in a temporary directory, port 0)
 * through a GrAdminClient with the gateway's admin key.  The tests drive
 * the UI as a user would — fill rows, activate actions, answer dialogs —
 * and spin the main context until the asynchronous calls are done.
 */
#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <glib/gstdio.h>

#include "client/gr-admin-client.h"
#include "core/gr-gateway.h"
#include "gr-resources.h"
#include "pages/gr-key-created-dialog.h"
#include "pages/gr-key-details.h"
#include "pages/gr-key-editor.h"
#include "pages/gr-keys-page.h"
#include "pages/gr-organization-details.h"
#include "pages/gr-organization-editor.h"
#include "pages/gr-organizations-page.h"
#include "pages/gr-page.h"

#define TIMEOUT_US (30 * G_USEC_PER_SEC)

typedef struct
{
  char          *dir;
  GrGateway     *gateway;
  GrAdminClient *client;
  GtkWindow     *window;
  GtkWidget     *page;
} Fixture;

/* ---- helpers ----------------------------------------------------------- */

typedef gboolean (*Condition) (gpointer data);

/* Iterates the main context until cond holds; fails after a timeout. */
static void
spin_until (Condition    cond,
            gpointer     data,
            const char  *what)
{
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

  while (!cond (data))
    {
      if (g_get_monotonic_time () > deadline)
        {
          g_autoptr(GList) windows = gtk_window_list_toplevels ();

          for (GList *l = windows; l != NULL; l = l->next)
            g_printerr ("toplevel %s visible=%d\n", G_OBJECT_TYPE_NAME (l->data),
                        gtk_widget_get_visible (l->data));
          g_error ("timed out waiting for %s", what);
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
}

static GObject *
child (GtkWidget  *widget,
       GType       type,
       const char *name)
{
  GObject *object = gtk_widget_get_template_child (widget, type, name);

  g_assert_nonnull (object);
  return object;
}

static GtkWindow *
find_toplevel (GType type)
{
  g_autoptr(GList) windows = gtk_window_list_toplevels ();

  for (GList *l = windows; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) && gtk_widget_get_visible (l->data))
      return l->data;
  return NULL;
}

typedef struct
{
  GType      type;
  GtkWindow *found;
} FindWindow;

static gboolean
toplevel_shown (gpointer data)
{
  FindWindow *find = data;

  find->found = find_toplevel (find->type);
  return find->found != NULL;
}

static GtkWindow *
wait_for_toplevel (GType type)
{
  FindWindow find = { type, NULL };

  spin_until (toplevel_shown, &find, g_type_name (type));
  return find.found;
}

static gboolean
window_gone (gpointer data)
{
  GtkWindow **window = data;

  return *window == NULL || !gtk_widget_get_visible (GTK_WIDGET (*window));
}

/* Waits until window closed (it was destroyed, or at least hidden). */
static void
wait_destroyed (GtkWindow *window)
{
  GtkWindow *pointer = window;

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &pointer);
  spin_until (window_gone, &pointer, "a window to close");
  if (pointer != NULL)
    g_object_remove_weak_pointer (G_OBJECT (window), (gpointer *) &pointer);
}

typedef struct
{
  GListModel *model;
  const char *name;
  gboolean    present;
  guint       n_items;  /* G_MAXUINT: any */
} ListState;

/* Answers a dialog as its button would: the response, then closing. */
static void
respond (GtkWindow  *dialog,
         const char *response)
{
  g_object_ref (dialog);
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (dialog), response);
  gtk_window_close (dialog);
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (dialog)));
  g_object_unref (dialog);
}

static gboolean
list_has_name (GListModel *model,
               const char *name)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *item_name = NULL;

      g_object_get (item, "name", &item_name, NULL);
      if (g_strcmp0 (item_name, name) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
list_state_reached (gpointer data)
{
  ListState *state = data;

  if (state->n_items != G_MAXUINT && g_list_model_get_n_items (state->model) != state->n_items)
    return FALSE;
  return state->name == NULL || list_has_name (state->model, state->name) == state->present;
}

static void
wait_list (GListModel *model,
           const char *name,
           gboolean    present,
           guint       n_items)
{
  ListState state = { model, name, present, n_items };
  g_autofree char *what = g_strdup_printf ("“%s” to be %s (%u items)", name ? name : "-",
                                           present ? "listed" : "gone", n_items);

  spin_until (list_state_reached, &state, what);
}

static GObject *
list_find (GListModel *model,
           const char *name)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *item_name = NULL;

      g_object_get (item, "name", &item_name, NULL);
      if (g_strcmp0 (item_name, name) == 0)
        return item;  /* the model keeps it */
    }
  return NULL;
}

static void
set_text (GtkWidget  *widget,
          GType       type,
          const char *name,
          const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (child (widget, type, name)), text);
}

static gboolean
widget_visible (gpointer data)
{
  return gtk_widget_get_visible (data);
}

static gboolean
stack_not_loading (gpointer data)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (data), "loading") != 0;
}

/* The async result of a client call, for the few steps done directly. */
static void
store_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
has_result (gpointer data)
{
  return *(GAsyncResult **) data != NULL;
}

static GrOrganization *
create_org_directly (Fixture    *f,
                     const char *name)
{
  g_autoptr(GrOrganization) org = gr_organization_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  GrOrganization *created;

  gr_organization_set_name (org, name);
  gr_admin_client_create_organization_async (f->client, org, NULL, store_result_cb, &result);
  spin_until (has_result, &result, "an organization to be created");
  created = gr_admin_client_create_organization_finish (f->client, result, &error);
  g_assert_no_error (error);
  return created;
}

static GrApiKey *
create_key_directly (Fixture    *f,
                     const char *org_id,
                     const char *name)
{
  g_autoptr(GrApiKey) key = gr_api_key_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  GrApiKey *created;

  gr_api_key_set_org_id (key, org_id);
  gr_api_key_set_name (key, name);
  gr_admin_client_create_api_key_async (f->client, key, NULL, store_result_cb, &result);
  spin_until (has_result, &result, "a key to be created");
  created = gr_admin_client_create_api_key_finish (f->client, result, &secret, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (secret, "gr-"));
  return created;
}

/* ---- fixture ----------------------------------------------------------- */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  GType page_type = g_type_from_name (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *admin = NULL;
  GrConfig *config;
  GtkWidget *overlay;

  f->dir = g_dir_make_tmp ("gr-pages-XXXXXX", &error);
  g_assert_no_error (error);
  config = gr_config_new_default ();
  g_free (config->database);
  config->database = g_build_filename (f->dir, "gaiarouter.db", NULL);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);

  url = gr_gateway_dup_url (f->gateway);
  admin = gr_gateway_dup_new_admin_key (f->gateway);
  g_assert_nonnull (admin);
  f->client = gr_admin_client_new (url, admin);

  f->window = GTK_WINDOW (adw_window_new ());
  gtk_window_set_default_size (f->window, 1200, 800);
  overlay = adw_toast_overlay_new ();
  f->page = g_object_new (page_type, NULL);
  adw_toast_overlay_set_child (ADW_TOAST_OVERLAY (overlay), f->page);
  adw_window_set_content (ADW_WINDOW (f->window), overlay);
  gtk_window_present (f->window);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;
  GtkWindow *other;

  while ((other = find_toplevel (GTK_TYPE_WINDOW)) != NULL)
    gtk_window_destroy (other);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->client);
  g_clear_object (&f->gateway);

  dir = g_dir_open (f->dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static void
connect_page (Fixture *f,
              GType    page_type)
{
  gr_page_set_client (GR_PAGE (f->page), f->client);
  g_assert_true (gr_page_get_client (GR_PAGE (f->page)) == f->client);
  spin_until (stack_not_loading, child (f->page, page_type, "content_stack"), "the first list");
}

/* Opens the page's "new" form and returns it. */
static GtkWidget *
open_new_form (Fixture *f,
               GType    editor_type)
{
  gr_page_create_item (GR_PAGE (f->page));
  return GTK_WIDGET (wait_for_toplevel (editor_type));
}

/* ---- organizations ----------------------------------------------------- */

static GtkWidget *
fill_org_form (Fixture    *f,
               const char *name)
{
  GtkWidget *editor = open_new_form (f, GR_TYPE_ORGANIZATION_EDITOR);

  set_text (editor, GR_TYPE_ORGANIZATION_EDITOR, "name_row", name);
  return editor;
}

static void
test_organizations (Fixture       *f,
                    gconstpointer  data)
{
  GType type = GR_TYPE_ORGANIZATIONS_PAGE;
  GListModel *store;
  GtkWidget *editor;
  GtkWidget *error_row;
  GtkLabel *error_label;
  GrOrganization *acme;
  g_autoptr(GrOrganization) beta = NULL;
  g_autoptr(GrApiKey) key = NULL;
  GtkWindow *dialog;
  const char *body;

  connect_page (f, type);
  store = G_LIST_MODEL (child (f->page, type, "store"));

  /* Create through the form: limits in dollars become micro-USD. */
  editor = fill_org_form (f, "Acme");
  set_text (editor, GR_TYPE_ORGANIZATION_EDITOR, "description_row", "The Acme team");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (editor, GR_TYPE_ORGANIZATION_EDITOR, "rpm_unlimited")),
                               FALSE);
  set_text (editor, GR_TYPE_ORGANIZATION_EDITOR, "rpm_row", "60");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (editor, GR_TYPE_ORGANIZATION_EDITOR, "budget_unlimited")),
                               FALSE);
  set_text (editor, GR_TYPE_ORGANIZATION_EDITOR, "budget_row", "12.50");
  gtk_widget_activate_action (editor, "editor.save", NULL);
  wait_destroyed (GTK_WINDOW (editor));
  wait_list (store, "Acme", TRUE, G_MAXUINT);
  acme = GR_ORGANIZATION (list_find (store, "Acme"));
  g_assert_cmpstr (gr_organization_get_description (acme), ==, "The Acme team");
  g_assert_cmpint (gr_organization_get_rpm (acme), ==, 60);
  g_assert_cmpint (gr_organization_get_monthly_budget_micros (acme), ==, 12500000);
  g_assert_cmpint (gr_organization_get_tokens_per_day (acme), ==, -1);

  /* An empty name is refused at the field, before any request. */
  editor = fill_org_form (f, "   ");
  error_row = GTK_WIDGET (child (editor, GR_TYPE_ORGANIZATION_EDITOR, "name_error_row"));
  error_label = GTK_LABEL (child (editor, GR_TYPE_ORGANIZATION_EDITOR, "name_error_label"));
  g_assert_false (gtk_widget_get_visible (error_row));
  gtk_widget_activate_action (editor, "editor.save", NULL);
  g_assert_true (gtk_widget_get_visible (error_row));
  g_assert_cmpstr (gtk_label_get_text (error_label), ==, "Enter a name.");

  /* A duplicate name: the gateway's 409, shown under the name. */
  set_text (editor, GR_TYPE_ORGANIZATION_EDITOR, "name_row", "Acme");
  gtk_widget_activate_action (editor, "editor.save", NULL);
  g_assert_false (gtk_widget_get_visible (error_row));
  spin_until (widget_visible, error_row, "the duplicate name error");
  g_assert_nonnull (strstr (gtk_label_get_text (error_label), "already exists"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));
  gtk_window_destroy (GTK_WINDOW (editor));

  /* A second organization, with a key. */
  beta = create_org_directly (f, "Beta Team");
  key = create_key_directly (f, gr_organization_get_id (beta), "beta-ci");
  gr_page_refresh (GR_PAGE (f->page));
  wait_list (store, "Beta Team", TRUE, G_MAXUINT);

  /* Search goes to the gateway (q=), after the entry's delay. */
  set_text (f->page, type, "search_entry", "acme");
  wait_list (store, "Acme", TRUE, 1);
  set_text (f->page, type, "search_entry", "team");
  /* "Acme" matches by its description, "Beta Team" by its name. */
  wait_list (store, "Beta Team", TRUE, 2);
  set_text (f->page, type, "search_entry", "no such organization");
  wait_list (store, NULL, TRUE, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (GTK_STACK (child (f->page, type, "content_stack"))),
                   ==, "empty");
  set_text (f->page, type, "search_entry", "");
  wait_list (store, "Beta Team", TRUE, G_MAXUINT);

  /* Deleting an organization with a key says what happens to it. */
  gtk_widget_activate_action (f->page, "orgs.delete", "s", gr_organization_get_id (beta));
  dialog = wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  body = adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (dialog));
  g_assert_nonnull (strstr (body, "Its 1 key will be revoked and stop working at once"));
  /* Cancelling keeps it. */
  respond (dialog, "cancel");
  g_assert_true (list_has_name (store, "Beta Team"));

  gtk_widget_activate_action (f->page, "orgs.delete", "s", gr_organization_get_id (beta));
  dialog = wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  respond (dialog, "delete");
  wait_list (store, "Beta Team", FALSE, G_MAXUINT);
  g_assert_true (list_has_name (store, "Acme"));
}

static void
test_organization_details (Fixture       *f,
                           gconstpointer  data)
{
  GType type = GR_TYPE_ORGANIZATIONS_PAGE;
  g_autoptr(GrOrganization) org = create_org_directly (f, "Gamma");
  g_autoptr(GrApiKey) key = create_key_directly (f, gr_organization_get_id (org), "gamma-key");
  GtkStack *stack = GTK_STACK (child (f->page, type, "stack"));
  GObject *details;
  GtkListBox *keys_list;

  connect_page (f, type);
  wait_list (G_LIST_MODEL (child (f->page, type, "store")), "Gamma", TRUE, G_MAXUINT);

  gtk_widget_activate_action (f->page, "orgs.details", "s", gr_organization_get_id (org));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "details");
  details = child (f->page, type, "details");
  keys_list = GTK_LIST_BOX (gtk_widget_get_template_child (GTK_WIDGET (details),
                                                           GR_TYPE_ORGANIZATION_DETAILS,
                                                           "keys_list"));
  g_assert_nonnull (keys_list);
  /* The organization's keys appear as rows. */
  {
    GtkWidget *row = NULL;
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

    while ((row = GTK_WIDGET (gtk_list_box_get_row_at_index (keys_list, 0))) == NULL)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
      }
    g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, "gamma-key");
  }

  gtk_widget_activate_action (f->page, "orgs.show-list", NULL);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "list");
}

/* ---- API keys ---------------------------------------------------------- */

static gboolean
combo_has_items (gpointer data)
{
  GListModel *model = adw_combo_row_get_model (data);

  return model != NULL && g_list_model_get_n_items (model) > 0;
}

static guint
model_position (GListModel *model,
                const char *name)
{
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *item_name = NULL;

      g_object_get (item, "name", &item_name, NULL);
      if (g_strcmp0 (item_name, name) == 0)
        return i;
    }
  g_error ("no “%s” in the list", name);
}

static gboolean
dropdown_lists (gpointer data)
{
  GListModel *model = gtk_drop_down_get_model (data);

  return model != NULL && list_has_name (model, "Acme") && list_has_name (model, "Beta");
}

static void
test_keys (Fixture       *f,
           gconstpointer  data)
{
  GType type = GR_TYPE_KEYS_PAGE;
  g_autoptr(GrOrganization) acme = create_org_directly (f, "Acme");
  g_autoptr(GrOrganization) beta = create_org_directly (f, "Beta");
  g_autoptr(GrApiKey) beta_key = create_key_directly (f, gr_organization_get_id (beta), "beta-key");
  GListModel *store;
  GtkWidget *editor;
  AdwComboRow *org_row;
  GtkWidget *error_row;
  GtkDropDown *org_dropdown;
  GtkWindow *created;
  g_autofree char *secret = NULL;
  GtkStack *stack;
  GrKeyDetails *details;
  GrApiKey *key;
  g_autofree char *base_url = NULL;
  GtkWindow *dialog;

  connect_page (f, type);
  store = G_LIST_MODEL (child (f->page, type, "store"));
  wait_list (store, "beta-key", TRUE, G_MAXUINT);
  org_dropdown = GTK_DROP_DOWN (child (f->page, type, "org_dropdown"));
  spin_until (dropdown_lists, org_dropdown, "the organization filter");

  /* The form: an empty name is a field error; nothing is sent. */
  editor = open_new_form (f, GR_TYPE_KEY_EDITOR);
  org_row = ADW_COMBO_ROW (child (editor, GR_TYPE_KEY_EDITOR, "org_row"));
  spin_until (combo_has_items, org_row, "the organizations of the key form");
  error_row = GTK_WIDGET (child (editor, GR_TYPE_KEY_EDITOR, "name_error_row"));
  gtk_widget_activate_action (editor, "editor.save", NULL);
  g_assert_true (gtk_widget_get_visible (error_row));

  /* Fill it: organization, name, one more permission, models, limits. */
  adw_combo_row_set_selected (org_row, model_position (adw_combo_row_get_model (org_row), "Acme"));
  set_text (editor, GR_TYPE_KEY_EDITOR, "name_row", "ci");
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (editor, GR_TYPE_KEY_EDITOR, "stats_read_check")), TRUE);
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (child (editor, GR_TYPE_KEY_EDITOR,
                                                                            "models_view"))),
                            "openai/*, anthropic/*\n\nollama/llama3.2\n", -1);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (child (editor, GR_TYPE_KEY_EDITOR, "rpm_unlimited")), FALSE);
  set_text (editor, GR_TYPE_KEY_EDITOR, "rpm_row", "30");
  gtk_switch_set_active (GTK_SWITCH (child (editor, GR_TYPE_KEY_EDITOR, "expires_switch")), TRUE);
  gtk_widget_activate_action (editor, "editor.save", NULL);

  /* The secret, once. */
  created = wait_for_toplevel (GR_TYPE_KEY_CREATED_DIALOG);
  /* Our copy: the dialog wipes its own when it goes. */
  secret = g_strdup (gr_key_created_dialog_get_secret (GR_KEY_CREATED_DIALOG (created)));
  g_assert_true (g_str_has_prefix (secret, "gr-"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (created)),
                            "You will not see this key again"));
  g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (child (GTK_WIDGET (created), GR_TYPE_KEY_CREATED_DIALOG,
                                                         "secret_label"))), ==, secret);

  /* Its examples carry the secret and the gateway's address. */
  respond (created, "examples");
  stack = GTK_STACK (child (f->page, type, "stack"));
  g_assert_cmpstr (gtk_stack_get_visible_child_name (stack), ==, "details");
  details = GR_KEY_DETAILS (child (f->page, type, "details"));
  key = gr_key_details_get_key (details);
  g_assert_cmpstr (gr_api_key_get_name (key), ==, "ci");
  g_assert_cmpstr (gr_api_key_get_org_id (key), ==, gr_organization_get_id (acme));
  g_assert_true (gr_api_key_has_permission (key, "stats:read"));
  g_assert_true (gr_api_key_has_permission (key, "chat"));
  g_assert_cmpint (gr_api_key_get_rpm (key), ==, 30);
  g_assert_cmpint (gr_api_key_get_expires_at (key), >, g_get_real_time () / 1000);
  g_assert_cmpuint (g_strv_length ((char **) gr_api_key_get_allowed_models (key)), ==, 3);
  g_assert_cmpstr (gr_api_key_get_allowed_models (key)[2], ==, "ollama/llama3.2");
  base_url = g_strconcat (gr_admin_client_get_base_url (f->client), "/v1", NULL);
  g_assert_nonnull (strstr (gr_key_details_get_snippet (details, "curl"), secret));
  g_assert_nonnull (strstr (gr_key_details_get_snippet (details, "python"), base_url));
  g_assert_nonnull (strstr (gr_key_details_get_snippet (details, "javascript"), "ollama/llama3.2"));
  g_assert_nonnull (strstr (gr_key_details_get_snippet (details, "env"), "OPENAI_API_KEY"));

  /* Back in the list, the secret is forgotten. */
  gtk_widget_activate_action (f->page, "keys.show-list", NULL);
  wait_list (store, "ci", TRUE, G_MAXUINT);
  gtk_widget_activate_action (f->page, "keys.details", "s", gr_api_key_get_id (GR_API_KEY (list_find (store, "ci"))));
  g_assert_nonnull (strstr (gr_key_details_get_snippet (details, "curl"), "$GAIAROUTER_KEY"));
  g_assert_null (strstr (gr_key_details_get_snippet (details, "curl"), secret));
  gtk_widget_activate_action (f->page, "keys.show-list", NULL);

  /* Filtered by organization. */
  gtk_drop_down_set_selected (org_dropdown, model_position (gtk_drop_down_get_model (org_dropdown), "Acme"));
  wait_list (store, "ci", TRUE, 1);
  gtk_drop_down_set_selected (org_dropdown, model_position (gtk_drop_down_get_model (org_dropdown), "Beta"));
  wait_list (store, "beta-key", TRUE, 1);
  gtk_drop_down_set_selected (org_dropdown, 0);
  wait_list (store, "ci", TRUE, G_MAXUINT);

  /* Search by name. */
  set_text (f->page, type, "search_entry", "beta");
  wait_list (store, "beta-key", TRUE, 1);
  set_text (f->page, type, "search_entry", "");
  wait_list (store, "ci", TRUE, G_MAXUINT);

  /* Disable, then delete with confirmation. */
  key = GR_API_KEY (list_find (store, "ci"));
  gtk_widget_activate_action (f->page, "keys.toggle-status", "s", gr_api_key_get_id (key));
  {
    gint64 deadline = g_get_monotonic_time () + TIMEOUT_US;

    while (g_strcmp0 (gr_api_key_get_status (GR_API_KEY (list_find (store, "ci"))), "disabled") != 0)
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, FALSE);
      }
  }

  key = GR_API_KEY (list_find (store, "ci"));
  gtk_widget_activate_action (f->page, "keys.delete", "s", gr_api_key_get_id (key));
  dialog = wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  respond (dialog, "delete");
  wait_list (store, "ci", FALSE, G_MAXUINT);
  g_assert_true (list_has_name (store, "beta-key"));
}

static void
test_key_rotate (Fixture       *f,
                 gconstpointer  data)
{
  GType type = GR_TYPE_KEYS_PAGE;
  g_autoptr(GrOrganization) org = create_org_directly (f, "Delta");
  g_autoptr(GrApiKey) key = create_key_directly (f, gr_organization_get_id (org), "rotating");
  GtkWindow *dialog;
  GtkWindow *created;

  connect_page (f, type);
  wait_list (G_LIST_MODEL (child (f->page, type, "store")), "rotating", TRUE, G_MAXUINT);

  gtk_widget_activate_action (f->page, "keys.rotate", "s", gr_api_key_get_id (key));
  dialog = wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_false (GR_IS_KEY_CREATED_DIALOG (dialog));
  respond (dialog, "rotate");
  created = wait_for_toplevel (GR_TYPE_KEY_CREATED_DIALOG);
  g_assert_true (g_str_has_prefix (gr_key_created_dialog_get_secret (GR_KEY_CREATED_DIALOG (created)), "gr-"));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (created)),
                            "You will not see this key again"));
  respond (created, "done");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  adw_init ();
  gr_resources_register_resource ();
  g_type_ensure (GR_TYPE_ORGANIZATIONS_PAGE);
  g_type_ensure (GR_TYPE_KEYS_PAGE);

  g_test_add ("/gaiarouter/app/pages/organizations/create-search-delete", Fixture,
              "GrOrganizationsPage", fixture_set_up, test_organizations, fixture_tear_down);
  g_test_add ("/gaiarouter/app/pages/organizations/details", Fixture,
              "GrOrganizationsPage", fixture_set_up, test_organization_details, fixture_tear_down);
  g_test_add ("/gaiarouter/app/pages/keys/create-filter-delete", Fixture,
              "GrKeysPage", fixture_set_up, test_keys, fixture_tear_down);
  g_test_add ("/gaiarouter/app/pages/keys/rotate", Fixture,
              "GrKeysPage", fixture_set_up, test_key_rotate, fixture_tear_down);

  return g_test_run ();
}
