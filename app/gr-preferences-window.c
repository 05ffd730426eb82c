/* gr-preferences-window.c — settings of the app and its gateway
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Switches are bound to GSettings; the spin buttons are synced by hand,
 * because the settings are 'q' and 'i' while GtkAdjustment holds doubles.
 * "Share on local network" is the app.share-on-lan action, which asks for
 * confirmation, as the header bar's switch does.
 */

#define G_LOG_DOMAIN "gaiarouter"

#include "config.h"

#include <glib/gi18n.h>

#include "gr-preferences-window.h"

struct _GrPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;
  gboolean              loading;

  /* Template widgets */
  AdwEntryRow          *listen_host_row;
  GtkSpinButton        *port_spin;
  GtkSwitch            *start_switch;
  GtkSwitch            *background_switch;
  GtkSpinButton        *retention_spin;
};

G_DEFINE_FINAL_TYPE (GrPreferencesWindow, gr_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static void
gr_preferences_window_host_apply_cb (GrPreferencesWindow *self)
{
  g_autofree char *host = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->listen_host_row))));

  if (!g_hostname_is_ip_address (host) && !g_str_equal (host, "localhost"))
    {
      /* Translators: shown when the listen address is not an IP address. */
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_("Enter an IP address, such as 127.0.0.1 or 0.0.0.0")));
      return;
    }

  g_settings_set_string (self->settings, "listen-host", host);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Saved; restart the gateway to use it")));
}

static void
gr_preferences_window_port_changed_cb (GrPreferencesWindow *self)
{
  if (self->loading)
    return;
  g_settings_set (self->settings, "listen-port", "q",
                  (guint16) gtk_spin_button_get_value_as_int (self->port_spin));
}

static void
gr_preferences_window_retention_changed_cb (GrPreferencesWindow *self)
{
  if (self->loading)
    return;
  g_settings_set_int (self->settings, "log-retention-days",
                      gtk_spin_button_get_value_as_int (self->retention_spin));
}

static void
gr_preferences_window_load (GrPreferencesWindow *self)
{
  g_autofree char *host = g_settings_get_string (self->settings, "listen-host");
  guint16 port = 0;

  self->loading = TRUE;
  g_settings_get (self->settings, "listen-port", "q", &port);
  gtk_editable_set_text (GTK_EDITABLE (self->listen_host_row), host);
  gtk_spin_button_set_value (self->port_spin, port);
  gtk_spin_button_set_value (self->retention_spin,
                             g_settings_get_int (self->settings, "log-retention-days"));
  self->loading = FALSE;
}

static void
gr_preferences_window_dispose (GObject *object)
{
  gtk_widget_dispose_template (GTK_WIDGET (object), GR_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (gr_preferences_window_parent_class)->dispose (object);
}

static void
gr_preferences_window_finalize (GObject *object)
{
  GrPreferencesWindow *self = GR_PREFERENCES_WINDOW (object);

  g_clear_object (&self->settings);

  G_OBJECT_CLASS (gr_preferences_window_parent_class)->finalize (object);
}

static void
gr_preferences_window_class_init (GrPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = gr_preferences_window_dispose;
  object_class->finalize = gr_preferences_window_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/gaiarouter/GaiaRouter/gr-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, GrPreferencesWindow, listen_host_row);
  gtk_widget_class_bind_template_child (widget_class, GrPreferencesWindow, port_spin);
  gtk_widget_class_bind_template_child (widget_class, GrPreferencesWindow, start_switch);
  gtk_widget_class_bind_template_child (widget_class, GrPreferencesWindow, background_switch);
  gtk_widget_class_bind_template_child (widget_class, GrPreferencesWindow, retention_spin);
  gtk_widget_class_bind_template_callback (widget_class, gr_preferences_window_host_apply_cb);
  gtk_widget_class_bind_template_callback (widget_class, gr_preferences_window_port_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, gr_preferences_window_retention_changed_cb);
}

static void
gr_preferences_window_init (GrPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * gr_preferences_window_new:
 * @application: the #GrApplication, after startup
 *
 * Returns: (transfer none): a new preferences window
 */
GrPreferencesWindow *
gr_preferences_window_new (GrApplication *application)
{
  GrPreferencesWindow *self;

  g_return_val_if_fail (GR_IS_APPLICATION (application), NULL);

  self = g_object_new (GR_TYPE_PREFERENCES_WINDOW,
                       "application", application,
                       NULL);
  self->settings = g_object_ref (gr_application_get_settings (application));
  g_settings_bind (self->settings, "start-gateway-on-launch",
                   self->start_switch, "active", G_SETTINGS_BIND_DEFAULT);
  g_settings_bind (self->settings, "run-in-background",
                   self->background_switch, "active", G_SETTINGS_BIND_DEFAULT);
  gr_preferences_window_load (self);

  return self;
}
