/* gr-provider-editor.c — the form to add or change a provider
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The credential is write-only: the gateway never sends it back, so the
 * field starts empty, and on an existing provider empty means "keep the
 * stored key".  Only the fields the user changed are sent, so a redacted
 * URL the gateway showed (a proxy password as ••••) is never written back.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-provider-editor.h"

typedef struct
{
  const char *kind;
  const char *title;        /* translated when marked N_() */
  const char *description;  /* under the combo row, or NULL */
  const char *base_url;     /* the gateway's default for the kind */
} KindInfo;

/* The order of the combo row.  Brand names stay as they are. */
static const KindInfo kind_infos[] = {
  { "openai", "OpenAI", NULL, "https://api.openai.com/v1" },
  { "anthropic", "Anthropic", NULL, "https://api.anthropic.com" },
  { "gemini", "Google Gemini", NULL, "https://generativelanguage.googleapis.com" },
  { "openrouter", "OpenRouter", NULL, "https://openrouter.ai/api/v1" },
  /* Translators: a kind of provider: any server with an OpenAI-style API. */
  { "openai-compatible", N_("OpenAI-compatible"),
    /* Translators: explains the provider kind "OpenAI-compatible". */
    N_("Ollama, LM Studio, vLLM, llama.cpp or any server with an OpenAI-style API"),
    "http://127.0.0.1:11434/v1" },
};

#define N_KINDS G_N_ELEMENTS (kind_infos)

struct _GrProviderEditor
{
  AdwWindow       parent_instance;

  GrAdminClient  *client;
  /* NULL for a new provider. */
  GrProviderItem *provider;
  GCancellable   *cancellable;
  guint           previous_kind;
  gboolean        saving;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkStack        *save_stack;
  GtkButton       *save_button;
  AdwEntryRow     *name_row;
  AdwComboRow     *kind_row;
  AdwEntryRow     *base_url_row;
  AdwPreferencesGroup *credential_group;
  AdwEntryRow     *api_key_row;
  AdwEntryRow     *proxy_row;
  GtkSwitch       *enabled_switch;
};

G_DEFINE_FINAL_TYPE (GrProviderEditor, gr_provider_editor, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------ */
/* Kinds                                                               */
/* ------------------------------------------------------------------ */

/**
 * gr_provider_editor_get_kinds:
 *
 * Returns: (transfer none): the kind ids, %NULL-terminated
 */
const char * const *
gr_provider_editor_get_kinds (void)
{
  static const char * const kinds[N_KINDS + 1] = {
    "openai", "anthropic", "gemini", "openrouter", "openai-compatible", NULL
  };

  return kinds;
}

const char *
gr_provider_editor_kind_title (const char *kind)
{
  if (kind == NULL)
    return "";
  /* The configuration file also knows "google", another name of Gemini. */
  if (g_str_equal (kind, "google"))
    kind = "gemini";
  for (guint i = 0; i < N_KINDS; i++)
    if (g_str_equal (kind_infos[i].kind, kind))
      return g_dgettext (GETTEXT_PACKAGE, kind_infos[i].title);
  return kind;
}

static guint
kind_index (const char *kind)
{
  for (guint i = 0; i < N_KINDS; i++)
    if (g_strcmp0 (kind_infos[i].kind, kind) == 0 ||
        (g_strcmp0 (kind, "google") == 0 && g_str_equal (kind_infos[i].kind, "gemini")))
      return i;
  return N_KINDS - 1;
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

static gboolean
valid_name (const char *name)
{
  if (*name == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && *c != '.' && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

/* Empty is fine (the gateway's default, or no proxy). */
static gboolean
valid_url (const char         *text,
           const char * const *schemes)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;

  if (*text == '\0')
    return TRUE;
  for (const char *c = text; *c != '\0'; c++)
    if ((guchar) *c <= 0x20 || *c == 0x7f)
      return FALSE;
  uri = g_uri_parse (text, G_URI_FLAGS_HAS_PASSWORD | G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL)
    return FALSE;
  host = g_uri_get_host (uri);
  return g_strv_contains (schemes, g_uri_get_scheme (uri)) && host != NULL && *host != '\0';
}

static gboolean
valid_api_key (const char *key)
{
  for (const char *c = key; *c != '\0'; c++)
    if ((guchar) *c <= 0x20 || (guchar) *c >= 0x7f)
      return FALSE;
  return TRUE;
}

static void
mark_row (GtkWidget  *row,
          gboolean    valid,
          const char *problem)
{
  if (valid)
    {
      gtk_widget_remove_css_class (row, "error");
      gtk_widget_set_tooltip_text (row, NULL);
    }
  else
    {
      gtk_widget_add_css_class (row, "error");
      gtk_widget_set_tooltip_text (row, problem);
    }
}

static const char * const web_schemes[] = { "http", "https", NULL };
static const char * const proxy_schemes[] = {
  "http", "https", "socks4", "socks4a", "socks5", "socks5h", NULL
};

/* Marks each field and enables Save when all are valid. */
static gboolean
gr_provider_editor_validate (GrProviderEditor *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->name_row));
  const char *base_url = gtk_editable_get_text (GTK_EDITABLE (self->base_url_row));
  const char *api_key = gtk_editable_get_text (GTK_EDITABLE (self->api_key_row));
  const char *proxy = gtk_editable_get_text (GTK_EDITABLE (self->proxy_row));
  gboolean name_ok = self->provider != NULL || valid_name (name);
  gboolean base_url_ok = valid_url (base_url, web_schemes);
  gboolean api_key_ok = valid_api_key (api_key);
  gboolean proxy_ok = valid_url (proxy, proxy_schemes);
  gboolean ok;

  /* An empty new name is not wrong yet, just not done. */
  mark_row (GTK_WIDGET (self->name_row), name_ok || *name == '\0',
            _("Use 1 to 64 letters, digits, “.”, “_” or “-”."));
  mark_row (GTK_WIDGET (self->base_url_row), base_url_ok,
            _("Enter an http:// or https:// address."));
  mark_row (GTK_WIDGET (self->api_key_row), api_key_ok,
            _("A key has no spaces and only ASCII characters."));
  mark_row (GTK_WIDGET (self->proxy_row), proxy_ok,
            _("Enter a proxy address such as http://proxy:3128 or socks5://proxy:1080."));

  ok = name_ok && base_url_ok && api_key_ok && proxy_ok;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", ok && !self->saving);
  return ok;
}

static void
row_changed_cb (GrProviderEditor *self,
                GtkEditable      *row)
{
  gr_provider_editor_validate (self);
}

static void
kind_changed_cb (GrProviderEditor *self,
                 GParamSpec       *pspec,
                 AdwComboRow      *row)
{
  guint selected = adw_combo_row_get_selected (row);
  const char *base_url = gtk_editable_get_text (GTK_EDITABLE (self->base_url_row));

  if (selected >= N_KINDS)
    return;
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row),
                               kind_infos[selected].description != NULL
                               ? g_dgettext (GETTEXT_PACKAGE, kind_infos[selected].description) : "");
  /* Follow the kind while the URL is still the previous kind's default. */
  if (*base_url == '\0' ||
      (self->previous_kind < N_KINDS && g_str_equal (base_url, kind_infos[self->previous_kind].base_url)))
    gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), kind_infos[selected].base_url);
  self->previous_kind = selected;
}

/* ------------------------------------------------------------------ */
/* Saving                                                              */
/* ------------------------------------------------------------------ */

static GtkWidget *
row_for_param (GrProviderEditor *self,
               const char       *param)
{
  if (param == NULL)
    return NULL;
  if (g_str_equal (param, "name"))
    return GTK_WIDGET (self->name_row);
  if (g_str_equal (param, "kind"))
    return GTK_WIDGET (self->kind_row);
  if (g_str_equal (param, "base_url"))
    return GTK_WIDGET (self->base_url_row);
  if (g_str_equal (param, "api_key"))
    return GTK_WIDGET (self->api_key_row);
  if (g_str_equal (param, "proxy"))
    return GTK_WIDGET (self->proxy_row);
  return NULL;
}

static void
set_saving (GrProviderEditor *self,
            gboolean          saving)
{
  self->saving = saving;
  gtk_stack_set_visible_child_name (self->save_stack, saving ? "spinner" : "button");
  gr_provider_editor_validate (self);
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GrProviderEditor) self = user_data;
  g_autoptr(GrProviderItem) saved = NULL;
  g_autoptr(GError) error = NULL;
  GtkWidget *row;

  if (self->provider != NULL)
    saved = gr_admin_client_update_provider_finish (GR_ADMIN_CLIENT (source), result, &error);
  else
    saved = gr_admin_client_create_provider_finish (GR_ADMIN_CLIENT (source), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED))
    return;
  set_saving (self, FALSE);
  if (error != NULL)
    {
      /* The gateway names the field it refuses: mark it, and say why. */
      row = row_for_param (self, gr_admin_client_error_get_param (error));
      if (row != NULL)
        {
          mark_row (row, FALSE, error->message);
          gtk_widget_grab_focus (row);
        }
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (error->message));
      return;
    }

  g_signal_emit (self, signals[SAVED], 0, saved);
  gtk_window_close (GTK_WINDOW (self));
}

static char *
entry_text (AdwEntryRow *row)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  g_strstrip (text);
  return *text != '\0' ? g_steal_pointer (&text) : NULL;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GrProviderEditor *self = GR_PROVIDER_EDITOR (widget);
  g_autoptr(GrProviderItem) item = NULL;
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  g_autofree char *base_url = entry_text (self->base_url_row);
  g_autofree char *proxy = entry_text (self->proxy_row);
  const char *api_key = gtk_editable_get_text (GTK_EDITABLE (self->api_key_row));
  guint selected = adw_combo_row_get_selected (self->kind_row);
  const char *kind = kind_infos[MIN (selected, N_KINDS - 1)].kind;
  gboolean enabled = gtk_switch_get_active (self->enabled_switch);

  if (self->saving || !gr_provider_editor_validate (self))
    return;

  if (self->provider == NULL)
    {
      g_autofree char *name = entry_text (self->name_row);

      if (name == NULL)
        {
          mark_row (GTK_WIDGET (self->name_row), FALSE, _("Enter a name."));
          gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
          return;
        }
      item = gr_provider_item_new ();
      gr_provider_item_set_name (item, name);
      gr_provider_item_set_kind (item, kind);
      gr_provider_item_set_base_url (item, base_url);
      gr_provider_item_set_proxy (item, proxy);
      gr_provider_item_set_enabled (item, enabled);
      set_saving (self, TRUE);
      gr_admin_client_create_provider_async (self->client, item, *api_key != '\0' ? api_key : NULL,
                                             self->cancellable, save_done_cb, g_object_ref (self));
      return;
    }

  item = gr_provider_item_copy (self->provider);
  if (g_strcmp0 (kind, gr_provider_item_get_kind (self->provider)) != 0 &&
      kind_index (gr_provider_item_get_kind (self->provider)) != selected)
    {
      gr_provider_item_set_kind (item, kind);
      g_ptr_array_add (fields, (gpointer) "kind");
    }
  if (g_strcmp0 (base_url, gr_provider_item_get_base_url (self->provider)) != 0)
    {
      gr_provider_item_set_base_url (item, base_url);
      g_ptr_array_add (fields, (gpointer) "base-url");
    }
  if (g_strcmp0 (proxy, gr_provider_item_get_proxy (self->provider)) != 0)
    {
      gr_provider_item_set_proxy (item, proxy);
      g_ptr_array_add (fields, (gpointer) "proxy");
    }
  if (enabled != gr_provider_item_get_enabled (self->provider))
    {
      gr_provider_item_set_enabled (item, enabled);
      g_ptr_array_add (fields, (gpointer) "enabled");
    }
  if (fields->len == 0 && *api_key == '\0')
    {
      /* Nothing changed. */
      gtk_window_close (GTK_WINDOW (self));
      return;
    }
  g_ptr_array_add (fields, NULL);
  set_saving (self, TRUE);
  gr_admin_client_update_provider_async (self->client, item, (const char * const *) fields->pdata,
                                         *api_key != '\0' ? api_key : NULL,
                                         self->cancellable, save_done_cb, g_object_ref (self));
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */
/* ------------------------------------------------------------------ */

static gboolean
gr_provider_editor_close_request (GtkWindow *window)
{
  GrProviderEditor *self = GR_PROVIDER_EDITOR (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (gr_provider_editor_parent_class)->close_request (window);
}

static void
gr_provider_editor_dispose (GObject *object)
{
  GrProviderEditor *self = GR_PROVIDER_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_PROVIDER_EDITOR);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->provider);

  G_OBJECT_CLASS (gr_provider_editor_parent_class)->dispose (object);
}

static void
gr_provider_editor_class_init (GrProviderEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = gr_provider_editor_dispose;
  window_class->close_request = gr_provider_editor_close_request;

  /**
   * GrProviderEditor::saved:
   * @provider: the provider as the gateway stored it
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, GR_TYPE_PROVIDER_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-provider-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, save_stack);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, kind_row);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, base_url_row);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, credential_group);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, api_key_row);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, proxy_row);
  gtk_widget_class_bind_template_child (widget_class, GrProviderEditor, enabled_switch);
  gtk_widget_class_bind_template_callback (widget_class, row_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, kind_changed_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
gr_provider_editor_init (GrProviderEditor *self)
{
  g_autoptr(GtkStringList) titles = gtk_string_list_new (NULL);

  self->cancellable = g_cancellable_new ();
  self->previous_kind = G_MAXUINT;
  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < N_KINDS; i++)
    gtk_string_list_append (titles, g_dgettext (GETTEXT_PACKAGE, kind_infos[i].title));
  adw_combo_row_set_model (self->kind_row, G_LIST_MODEL (titles));
}

/**
 * gr_provider_editor_new:
 * @parent: (nullable): the window to stay above
 * @client: where to save
 * @provider: (nullable): the provider to change, %NULL for a new one
 *
 * Returns: (transfer none): a new editor, not shown yet
 */
GrProviderEditor *
gr_provider_editor_new (GtkWindow      *parent,
                        GrAdminClient  *client,
                        GrProviderItem *provider)
{
  GrProviderEditor *self;
  const char *env;

  g_return_val_if_fail (GR_IS_ADMIN_CLIENT (client), NULL);
  g_return_val_if_fail (provider == NULL || GR_IS_PROVIDER_ITEM (provider), NULL);

  self = g_object_new (GR_TYPE_PROVIDER_EDITOR,
                       "transient-for", parent,
                       NULL);
  self->client = g_object_ref (client);
  self->provider = provider != NULL ? gr_provider_item_copy (provider) : NULL;

  if (provider == NULL)
    {
      adw_window_title_set_title (self->window_title, _("New Provider"));
      gtk_button_set_label (self->save_button, _("_Add"));
      /* An OpenAI-compatible server is what people add most. */
      adw_combo_row_set_selected (self->kind_row, kind_index ("openai-compatible"));
      if (self->previous_kind == G_MAXUINT)
        kind_changed_cb (self, NULL, self->kind_row);
      adw_preferences_group_set_description (self->credential_group,
                                             _("Stored by the gateway and never shown again. "
                                               "Leave empty for a server that needs no key."));
    }
  else
    {
      const char *proxy = gr_provider_item_get_proxy (provider);

      adw_window_title_set_title (self->window_title, _("Edit Provider"));
      adw_window_title_set_subtitle (self->window_title, gr_provider_item_get_name (provider));
      gtk_editable_set_text (GTK_EDITABLE (self->name_row), gr_provider_item_get_name (provider));
      /* The name is the provider's id and the prefix of its models. */
      gtk_widget_set_sensitive (GTK_WIDGET (self->name_row), FALSE);
      self->previous_kind = kind_index (gr_provider_item_get_kind (provider));
      adw_combo_row_set_selected (self->kind_row, self->previous_kind);
      gtk_editable_set_text (GTK_EDITABLE (self->base_url_row),
                             gr_provider_item_get_base_url (provider) ? gr_provider_item_get_base_url (provider) : "");
      gtk_editable_set_text (GTK_EDITABLE (self->proxy_row), proxy != NULL ? proxy : "");
      gtk_switch_set_active (self->enabled_switch, gr_provider_item_get_enabled (provider));
      env = gr_provider_item_get_api_key_env (provider);
      if (env != NULL && *env != '\0')
        {
          /* Translators: %s is an environment variable such as OPENAI_API_KEY. */
          g_autofree char *text = g_strdup_printf (_("Leave empty to keep the current key (read from %s). "
                                                     "A key entered here replaces it."), env);

          adw_preferences_group_set_description (self->credential_group, text);
        }
      else if (gr_provider_item_get_has_api_key (provider))
        adw_preferences_group_set_description (self->credential_group,
                                               _("A key is stored. Leave empty to keep it."));
      else
        adw_preferences_group_set_description (self->credential_group,
                                               _("No key is stored. Leave empty for a server that needs none."));
    }
  gr_provider_editor_validate (self);
  return self;
}
