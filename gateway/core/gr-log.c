/* gr-log.c — log lines that name the request they belong to
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "core/gr-json.h"
#include "core/gr-log.h"

/* Each event loop and worker thread serves one request at a time inside a
 * callback, so the current request is per thread. */
static GPrivate current_request;

const char *
gr_log_scope_enter (const char *request_id)
{
  const char *previous = g_private_get (&current_request);

  g_private_set (&current_request, (gpointer) request_id);
  return previous;
}

void
gr_log_scope_leave (const char *previous)
{
  g_private_set (&current_request, (gpointer) previous);
}

const char *
gr_log_get_request_id (void)
{
  return g_private_get (&current_request);
}

void
gr_log_body (const char *what,
             const char *data,
             gsize       len,
             const char *secret)
{
  g_autoptr(GString) text = NULL;

  /* Invalid UTF-8 (a hostile upstream) would make a JSON log line invalid. */
  if (!g_utf8_validate_len (data, len, NULL))
    {
      g_message ("%s: %" G_GSIZE_FORMAT " bytes, not UTF-8", what, len);
      return;
    }
  text = g_string_new_len (data, (gssize) len);
  /* Too short a secret would match ordinary text; real keys are long. */
  if (secret != NULL && strlen (secret) >= 8)
    g_string_replace (text, secret, "[redacted]", 0);
  g_message ("%s: %s", what, text->str);
}

static const char *
level_name (GLogLevelFlags level)
{
  if (level & G_LOG_LEVEL_ERROR)
    return "error";
  if (level & G_LOG_LEVEL_CRITICAL)
    return "critical";
  if (level & G_LOG_LEVEL_WARNING)
    return "warning";
  if (level & G_LOG_LEVEL_MESSAGE)
    return "message";
  if (level & G_LOG_LEVEL_INFO)
    return "info";
  return "debug";
}

/* The string value of a field, or NULL. */
static const char *
field (const GLogField *fields,
       gsize            n_fields,
       const char      *key)
{
  for (gsize i = 0; i < n_fields; i++)
    if (fields[i].length == -1 && fields[i].value != NULL && g_str_equal (fields[i].key, key))
      return fields[i].value;
  return NULL;
}

char *
gr_log_format (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gboolean         json)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *ts = g_date_time_format_iso8601 (now);
  const char *message = field (fields, n_fields, "MESSAGE");
  const char *domain = field (fields, n_fields, "GLIB_DOMAIN");
  const char *request_id = field (fields, n_fields, GR_LOG_FIELD_REQUEST_ID);
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonNode) root = NULL;
  GString *line;

  if (request_id == NULL)
    request_id = gr_log_get_request_id ();
  if (message == NULL)
    message = "";

  if (!json)
    {
      line = g_string_new (ts);
      g_string_append_printf (line, " %s", level_name (level));
      if (domain != NULL)
        g_string_append_printf (line, " %s", domain);
      if (request_id != NULL)
        g_string_append_printf (line, " [%s]", request_id);
      g_string_append_printf (line, " %s", message);
      return g_string_free (line, FALSE);
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "time");
  json_builder_add_string_value (b, ts);
  json_builder_set_member_name (b, "level");
  json_builder_add_string_value (b, level_name (level));
  if (domain != NULL)
    {
      json_builder_set_member_name (b, "domain");
      json_builder_add_string_value (b, domain);
    }
  if (request_id != NULL)
    {
      json_builder_set_member_name (b, "request_id");
      json_builder_add_string_value (b, request_id);
    }
  json_builder_set_member_name (b, "message");
  json_builder_add_string_value (b, message);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return gr_json_to_string (root);
}

GLogWriterOutput
gr_log_writer (GLogLevelFlags   level,
               const GLogField *fields,
               gsize            n_fields,
               gpointer         user_data)
{
  gboolean json = GPOINTER_TO_INT (user_data);
  const char *request_id = gr_log_get_request_id ();
  g_autofree char *line = NULL;

  if (g_log_writer_default_would_drop (level, field (fields, n_fields, "GLIB_DOMAIN")))
    return G_LOG_WRITER_HANDLED;

  /* Under systemd the journal keeps fields: add ours to them. */
  if (!json && g_log_writer_is_journald (fileno (stderr)))
    {
      g_autofree GLogField *all = g_new (GLogField, n_fields + 1);

      memcpy (all, fields, n_fields * sizeof *fields);
      if (request_id != NULL && field (fields, n_fields, GR_LOG_FIELD_REQUEST_ID) == NULL)
        {
          all[n_fields] = (GLogField) { GR_LOG_FIELD_REQUEST_ID, request_id, -1 };
          n_fields++;
        }
      if (g_log_writer_journald (level, all, n_fields, NULL) == G_LOG_WRITER_HANDLED)
        return G_LOG_WRITER_HANDLED;
    }

  line = gr_log_format (level, fields, n_fields, json);
  /* One write per line, so lines from several threads do not mix. */
  {
    g_autofree char *with_newline = g_strconcat (line, "\n", NULL);

    fputs (with_newline, stderr);
    fflush (stderr);
  }
  return G_LOG_WRITER_HANDLED;
}
