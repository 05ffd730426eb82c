/* gr-key-created-dialog.c — the secret of a new or rotated key, shown once
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The gateway keeps only a hash of a key: this dialog is the one place
 * the whole secret is ever shown.  It is wiped from memory when the
 * dialog goes.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pages/gr-key-created-dialog.h"
#include "pages/gr-list-util.h"

struct _GrKeyCreatedDialog
{
  AdwMessageDialog  parent_instance;

  char             *secret;

  /* Template widgets */
  GtkLabel         *secret_label;
  GtkButton        *copy_button;
};

G_DEFINE_FINAL_TYPE (GrKeyCreatedDialog, gr_key_created_dialog, ADW_TYPE_MESSAGE_DIALOG)

static void
copy_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  GrKeyCreatedDialog *self = GR_KEY_CREATED_DIALOG (widget);

  gr_copy_text (widget, self->secret);
  gtk_button_set_icon_name (self->copy_button, "object-select-symbolic");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->copy_button), _("Copied"));
}

static void
gr_key_created_dialog_finalize (GObject *object)
{
  GrKeyCreatedDialog *self = GR_KEY_CREATED_DIALOG (object);

  if (self->secret != NULL)
    memset (self->secret, 0, strlen (self->secret));
  g_clear_pointer (&self->secret, g_free);
  G_OBJECT_CLASS (gr_key_created_dialog_parent_class)->finalize (object);
}

static void
gr_key_created_dialog_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GR_TYPE_KEY_CREATED_DIALOG);
  G_OBJECT_CLASS (gr_key_created_dialog_parent_class)->dispose (object);
}

static void
gr_key_created_dialog_class_init (GrKeyCreatedDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_key_created_dialog_dispose;
  object_class->finalize = gr_key_created_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/pages/gr-key-created-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, GrKeyCreatedDialog, secret_label);
  gtk_widget_class_bind_template_child (widget_class, GrKeyCreatedDialog, copy_button);
  gtk_widget_class_install_action (widget_class, "created.copy", NULL, copy_action);
}

static void
gr_key_created_dialog_init (GrKeyCreatedDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GrKeyCreatedDialog *
gr_key_created_dialog_new (GtkWindow  *parent,
                           const char *key_name,
                           const char *secret,
                           gboolean    rotated)
{
  GrKeyCreatedDialog *self;

  g_return_val_if_fail (secret != NULL, NULL);

  self = g_object_new (GR_TYPE_KEY_CREATED_DIALOG, "transient-for", parent, NULL);
  self->secret = g_strdup (secret);
  gtk_label_set_text (self->secret_label, secret);
  if (rotated)
    {
      g_autofree char *heading = NULL;

      /* Translators: %s is the name of an API key. */
      heading = g_strdup_printf (_("New Secret for “%s”"), key_name);
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
      adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self),
                                   _("The old secret no longer works. Copy the new one now and "
                                     "keep it somewhere safe. You will not see this key again."));
    }
  else if (key_name != NULL)
    {
      g_autofree char *heading = NULL;

      /* Translators: %s is the name of an API key. */
      heading = g_strdup_printf (_("API Key “%s” Created"), key_name);
      adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), heading);
    }
  return self;
}

const char *
gr_key_created_dialog_get_secret (GrKeyCreatedDialog *self)
{
  g_return_val_if_fail (GR_IS_KEY_CREATED_DIALOG (self), NULL);
  return self->secret;
}
