/* gr-model-editor.c — the form to change a model's prices and limits
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * People think in dollars per million tokens; the API counts integer
 * micro-USD per million tokens.  Each field is checked as it is typed and
 * converted without floating point, so "0.075" is exactly 75000.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <glib/gi18n.h>

#include "pages/gr-list-util.h"
#include "pages/gr-model-editor.h"

struct _GrModelEditor
{
  AdwWindow      parent_instance;

  GrAdminClient *client;
  GrModelItem   *model;
  GCancellable  *cancellable;
  gboolean       saving;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkStack        *save_stack;
  AdwEntryRow     *input_row;
  AdwEntryRow     *output_row;
  AdwEntryRow     *cached_row;
  AdwEntryRow     *cache_write_row;
  AdwEntryRow     *context_row;
  AdwEntryRow     *max_output_row;
  GtkLabel        *error_label;
};

G_DEFINE_FINAL_TYPE (GrModelEditor, gr_model_editor, ADW_TYPE_WINDOW)

enum {
  SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  gint64 input;
  gint64 output;
  gint64 cached;
  gint64 cache_write;
  gint64 context;
  gint64 max_output;
} Values;

static void
mark_row (AdwEntryRow *row,
          gboolean     valid)
{
  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (row), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (row), "error");
}

/* An empty count is 0, "unknown". */
static gboolean
parse_tokens (AdwEntryRow *row,
              gint64      *value)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  if (*stripped == '\0')
    {
      *value = 0;
      return TRUE;
    }
  return gr_parse_count (stripped, value) && *value <= G_MAXINT32;
}

static gboolean
parse_price (AdwEntryRow *row,
             gint64      *micros)
{
  return gr_parse_dollars (gtk_editable_get_text (GTK_EDITABLE (row)), micros);
}

/* Checks every field, marks the wrong ones and says what is wrong with
 * the first of them. */
static gboolean
gr_model_editor_read (GrModelEditor *self,
                      Values        *values)
{
  struct {
    AdwEntryRow *row;
    gint64      *slot;
    gboolean     price;
  } fields[] = {
    { self->input_row, &values->input, TRUE },
    { self->output_row, &values->output, TRUE },
    { self->cached_row, &values->cached, TRUE },
    { self->cache_write_row, &values->cache_write, TRUE },
    { self->context_row, &values->context, FALSE },
    { self->max_output_row, &values->max_output, FALSE },
  };
  const char *problem = NULL;
  const char *field_title = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      gboolean ok = fields[i].price ? parse_price (fields[i].row, fields[i].slot)
                                    : parse_tokens (fields[i].row, fields[i].slot);

      mark_row (fields[i].row, ok);
      if (!ok && problem == NULL)
        {
          field_title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (fields[i].row));
          problem = fields[i].price
                      ? _("Enter an amount in dollars with at most 6 decimals, such as 2.50 or 0.075.")
                      : _("Enter a whole number of tokens, such as 128000, or leave it empty.");
        }
    }

  if (problem != NULL)
    {
      /* Translators: an error under a form; the first %s is a field ("Input"), the second what to type. */
      g_autofree char *text = g_strdup_printf (_("%s: %s"), field_title, problem);

      gtk_label_set_text (self->error_label, text);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), problem != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", problem == NULL && !self->saving);
  return problem == NULL;
}

static void
row_changed_cb (GrModelEditor *self,
                GtkEditable   *row)
{
  Values values;

  gr_model_editor_read (self, &values);
}

static AdwEntryRow *
row_for_param (GrModelEditor *self,
               const char    *param)
{
  if (param == NULL)
    return NULL;
  if (g_str_equal (param, "input_per_mtok"))
    return self->input_row;
  if (g_str_equal (param, "output_per_mtok"))
    return self->output_row;
  if (g_str_equal (param, "cached_input_per_mtok"))
    return self->cached_row;
  if (g_str_equal (param, "cache_write_per_mtok"))
    return self->cache_write_row;
  if (g_str_equal (param, "context_length"))
    return self->context_row;
  if (g_str_equal (param, "max_output_tokens"))
    return self->max_output_row;
  return NULL;
}

static void
set_saving (GrModelEditor *self,
            gboolean       saving)
{
  Values values;

  self->saving = saving;
  gtk_stack_set_visible_child_name (self->save_stack, saving ? "spinner" : "button");
  gr_model_editor_read (self, &values);
}

static void
save_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GrModelEditor) self = user_data;
  g_autoptr(GrModelItem) saved = NULL;
  g_autoptr(GError) error = NULL;
  AdwEntryRow *row;

  saved = gr_admin_client_update_model_finish (GR_ADMIN_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      g_error_matches (error, GR_ADMIN_CLIENT_ERROR, GR_ADMIN_CLIENT_ERROR_CANCELLED) ||
      self->cancellable == NULL)
    return;
  set_saving (self, FALSE);
  if (error != NULL)
    {
      row = row_for_param (self, gr_admin_client_error_get_param (error));
      if (row != NULL)
        {
          mark_row (row, FALSE);
          gtk_widget_grab_focus (GTK_WIDGET (row));
        }
      gtk_label_set_text (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }
  g_signal_emit (self, signals[SAVED], 0, saved);
  gtk_window_close (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GrModelEditor *self = GR_MODEL_EDITOR (widget);
  g_autoptr(GrModelItem) model = NULL;
  Values values;

  if (self->saving || !gr_model_editor_read (self, &values))
    return;

  model = gr_model_item_copy (self->model);
  gr_model_item_set_input_per_mtok (model, values.input);
  gr_model_item_set_output_per_mtok (model, values.output);
  gr_model_item_set_cached_input_per_mtok (model, values.cached);
  gr_model_item_set_cache_write_per_mtok (model, values.cache_write);
  gr_model_item_set_context_length (model, values.context);
  gr_model_item_set_max_output_tokens (model, values.max_output);
  set_saving (self, TRUE);
  gr_admin_client_update_model_async (self->client, model, self->cancellable,
                                      save_done_cb, g_object_ref (self));
}

static gboolean
gr_model_editor_close_request (GtkWindow *window)
{
  GrModelEditor *self = GR_MODEL_EDITOR (window);

  g_cancellable_cancel (self->cancellable);
  return GTK_WINDOW_CLASS (gr_model_editor_parent_class)->close_request (window);
}

static void
gr_model_editor_dispose (GObject *object)
{
  GrModelEditor *self = GR_MODEL_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), GR_TYPE_MODEL_EDITOR);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (gr_model_editor_parent_class)->dispose (object);
}

static void
gr_model_editor_class_init (GrModelEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = gr_model_editor_dispose;
  window_class->close_request = gr_model_editor_close_request;

  /**
   * GrModelEditor::saved:
   * @model: the model as the gateway stored it
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, GR_TYPE_MODEL_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-model-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, save_stack);
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, input_row);
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, output_row);
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, cached_row);
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, cache_write_row);
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, context_row);
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, max_output_row);
  gtk_widget_class_bind_template_child (widget_class, GrModelEditor, error_label);
  gtk_widget_class_bind_template_callback (widget_class, row_changed_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
}

static void
gr_model_editor_init (GrModelEditor *self)
{
  self->cancellable = g_cancellable_new ();
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
set_price (AdwEntryRow *row,
           gint64       micros)
{
  g_autofree char *text = gr_format_dollars_input (micros);

  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static void
set_tokens (AdwEntryRow *row,
            gint64       tokens)
{
  g_autofree char *text = tokens > 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, tokens) : g_strdup ("");

  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

/**
 * gr_model_editor_new:
 * @parent: (nullable): the window to stay above
 * @client: where to save
 * @model: the model to change
 *
 * Returns: (transfer none): a new editor, not shown yet
 */
GrModelEditor *
gr_model_editor_new (GtkWindow     *parent,
                     GrAdminClient *client,
                     GrModelItem   *model)
{
  GrModelEditor *self;

  g_return_val_if_fail (GR_IS_ADMIN_CLIENT (client), NULL);
  g_return_val_if_fail (GR_IS_MODEL_ITEM (model), NULL);

  self = g_object_new (GR_TYPE_MODEL_EDITOR, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->model = gr_model_item_copy (model);

  adw_window_title_set_subtitle (self->window_title, gr_model_item_get_id (model));
  set_price (self->input_row, gr_model_item_get_input_per_mtok (model));
  set_price (self->output_row, gr_model_item_get_output_per_mtok (model));
  set_price (self->cached_row, gr_model_item_get_cached_input_per_mtok (model));
  set_price (self->cache_write_row, gr_model_item_get_cache_write_per_mtok (model));
  set_tokens (self->context_row, gr_model_item_get_context_length (model));
  set_tokens (self->max_output_row, gr_model_item_get_max_output_tokens (model));
  return self;
}
