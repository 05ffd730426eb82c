/* bench-translate.c — throughput of the provider translators alone
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * No I/O: requests/s through build_request (OpenAI, Anthropic, Gemini) of
 * the wire fixture request, responses/s through parse + translate_response
 * and through the raw fast path, and stream events/s through stream_event
 * of each kind's fixture streams.  Each case runs for a fixed wall time
 * (BENCH_SECONDS, default 2) and the result is one row of a table.
 *
 * Usage: bench-translate [FIXTURE_DIR]
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "providers/gr-provider.h"

#ifndef BENCH_FIXTURE_DIR
#error "BENCH_FIXTURE_DIR must point at tests/fixtures/wire"
#endif

static double bench_seconds = 2.0;
static const char *fixture_dir = BENCH_FIXTURE_DIR;

static GrProviderInfo openai_info = { "openai", GR_PROVIDER_KIND_OPENAI, "https://api.openai.com/v1",
                                      "sk-bench-0123456789abcdef", NULL, NULL };
static GrProviderInfo anthropic_info = { "anthropic", GR_PROVIDER_KIND_ANTHROPIC, "https://api.anthropic.com",
                                         "sk-ant-bench-0123456789abcdef", NULL, NULL };
static GrProviderInfo gemini_info = { "google", GR_PROVIDER_KIND_GEMINI, "https://generativelanguage.googleapis.com",
                                      "gemini-bench-0123456789abcdef", NULL, NULL };

static char *
read_fixture (const char *name,
              gsize      *len)
{
  g_autofree char *path = g_build_filename (fixture_dir, name, NULL);
  g_autoptr(GError) error = NULL;
  char *data = NULL;

  if (!g_file_get_contents (path, &data, len, &error))
    {
      g_printerr ("bench-translate: %s\n", error->message);
      exit (1);
    }
  return data;
}

static JsonNode *
parse_or_die (const char *data,
              gsize       len)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, data, len, &error))
    {
      g_printerr ("bench-translate: %s\n", error->message);
      exit (1);
    }
  return json_node_ref (json_parser_get_root (parser));
}

/* Runs op until the wall time is spent, in batches so the clock is read
 * rarely; returns operations per second.  op returns how many units it
 * did (1 for a request, the number of events for a stream). */
typedef guint (*BenchOp) (gpointer data);

static double
run_for_time (BenchOp  op,
              gpointer data)
{
  gint64 start, now, deadline;
  guint64 units = 0;

  /* Warm the caches and the allocator first. */
  for (int i = 0; i < 50; i++)
    op (data);

  start = g_get_monotonic_time ();
  deadline = start + (gint64) (bench_seconds * G_USEC_PER_SEC);
  do
    {
      for (int i = 0; i < 64; i++)
        units += op (data);
      now = g_get_monotonic_time ();
    }
  while (now < deadline);
  return units / ((now - start) / (double) G_USEC_PER_SEC);
}

static void
print_row (const char *what,
           const char *kind,
           const char *fixture,
           const char *unit,
           double      rate)
{
  /* stdio, not g_print: the table is UTF-8 whatever the locale. */
  printf ("| %-28s | %-9s | %-34s | %12.0f | %-9s | %8.2f |\n",
          what, kind, fixture, rate, unit, 1e6 / rate);
}

/* build_request */

typedef struct
{
  const GrProviderInfo *info;
  JsonObject           *request;
  GrTranslateContext    ctx;
} BuildCase;

static guint
build_op (gpointer data)
{
  BuildCase *c = data;
  GrApiError *error = NULL;
  GrUpstreamRequest *req;

  req = gr_provider_ops_for_kind (c->info->kind)->build_request (c->info, c->request, &c->ctx, &error);
  if (req == NULL)
    {
      g_printerr ("bench-translate: build_request failed: %s\n", error->message);
      exit (1);
    }
  gr_upstream_request_free (req);
  return 1;
}

/* parse + translate_response, as the gateway does without the fast path */

typedef struct
{
  const GrProviderInfo *info;
  const char           *body;
  gsize                 len;
  GrTranslateContext    ctx;
  GString              *out;
} ResponseCase;

static guint
response_op (gpointer data)
{
  ResponseCase *c = data;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(JsonNode) completion = NULL;
  GrApiError *error = NULL;
  GrUsage usage;
  char *text;

  gr_usage_init (&usage);
  if (!json_parser_load_from_data (parser, c->body, c->len, NULL))
    exit (1);
  completion = gr_provider_ops_for_kind (c->info->kind)->translate_response (c->info, json_parser_get_root (parser),
                                                                             &c->ctx, &usage, &error);
  if (completion == NULL)
    {
      g_printerr ("bench-translate: translate_response failed: %s\n", error->message);
      exit (1);
    }
  /* The gateway serialises what it sends. */
  text = gr_json_to_string (completion);
  g_free (text);
  return 1;
}

static gboolean
response_raw_accepts (ResponseCase *c)
{
  GrUsage usage;

  gr_usage_init (&usage);
  g_string_truncate (c->out, 0);
  return gr_provider_ops_for_kind (c->info->kind)->translate_response_raw (c->info, c->body, c->len,
                                                                           &c->ctx, &usage, c->out);
}

static guint
response_raw_op (gpointer data)
{
  ResponseCase *c = data;
  GrUsage usage;

  gr_usage_init (&usage);
  g_string_truncate (c->out, 0);
  if (!gr_provider_ops_for_kind (c->info->kind)->translate_response_raw (c->info, c->body, c->len,
                                                                         &c->ctx, &usage, c->out))
    {
      g_printerr ("bench-translate: the raw fast path refused the fixture\n");
      exit (1);
    }
  return 1;
}

/* stream_event over one fixture stream */

typedef struct
{
  char *event;  /* nullable */
  char *data;
  gsize len;
} SseEvent;

typedef struct
{
  const GrProviderInfo *info;
  GrTranslateContext    ctx;
  GArray               *events;  /* of SseEvent */
  GString              *out;
} StreamCase;

static void
sse_event_clear (gpointer p)
{
  SseEvent *e = p;

  g_free (e->event);
  g_free (e->data);
}

/* Splits an SSE text into events (LF or CRLF line ends; comments and
 * unknown fields skipped; data lines joined with "\n"). */
static GArray *
split_sse (const char *text)
{
  GArray *events = g_array_new (FALSE, TRUE, sizeof (SseEvent));
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) data = g_string_new (NULL);
  g_autofree char *name = NULL;
  gboolean have_data = FALSE;
  g_autofree char *normal = NULL;
  g_autoptr(GString) tmp = g_string_new (text);

  g_array_set_clear_func (events, sse_event_clear);
  g_string_replace (tmp, "\r\n", "\n", 0);
  normal = g_string_free (g_steal_pointer (&tmp), FALSE);
  lines = g_strsplit (normal, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *l = lines[i];

      if (*l == '\0')
        {
          if (have_data)
            {
              SseEvent e = { g_steal_pointer (&name), g_strndup (data->str, data->len), data->len };

              g_array_append_val (events, e);
            }
          g_clear_pointer (&name, g_free);
          g_string_truncate (data, 0);
          have_data = FALSE;
        }
      else if (g_str_has_prefix (l, "data:"))
        {
          const char *v = l + 5;

          if (*v == ' ')
            v++;
          if (have_data)
            g_string_append_c (data, '\n');
          g_string_append (data, v);
          have_data = TRUE;
        }
      else if (g_str_has_prefix (l, "event:"))
        {
          const char *v = l + 6;

          if (*v == ' ')
            v++;
          g_free (name);
          name = g_strdup (v);
        }
    }
  return events;
}

static guint
stream_op (gpointer data)
{
  StreamCase *c = data;
  const GrProviderOps *ops = gr_provider_ops_for_kind (c->info->kind);
  GrStreamState *state = ops->stream_new (c->info, &c->ctx);
  GrUsage usage;

  for (guint i = 0; i < c->events->len; i++)
    {
      SseEvent *e = &g_array_index (c->events, SseEvent, i);

      g_string_truncate (c->out, 0);
      ops->stream_event (state, e->event, e->data, e->len, c->out);
    }
  ops->stream_end (state, c->out);
  gr_usage_init (&usage);
  ops->stream_usage (state, &usage);
  ops->stream_free (state);
  return c->events->len;
}

static const char *
kind_name (const GrProviderInfo *info)
{
  return gr_provider_kind_to_string (info->kind);
}

int
main (int   argc,
      char *argv[])
{
  const char *seconds = g_getenv ("BENCH_SECONDS");
  g_autofree char *request_text = NULL;
  g_autoptr(JsonNode) request = NULL;
  gsize len;
  const GrProviderInfo *build_infos[] = { &openai_info, &anthropic_info, &gemini_info };
  const struct { const GrProviderInfo *info; const char *fixture; gboolean raw; } responses[] = {
    { &openai_info, "openai-response.json", FALSE },
    { &openai_info, "openai-response.json", TRUE },
    { &openai_info, "openai-response-tool.json", FALSE },
    { &openai_info, "openai-response-tool.json", TRUE },
    { &anthropic_info, "anthropic-response.json", FALSE },
    { &anthropic_info, "anthropic-response-tool.json", FALSE },
    { &gemini_info, "gemini-response.json", FALSE },
    { &gemini_info, "gemini-response-tool.json", FALSE },
  };
  const struct { const GrProviderInfo *info; const char *fixture; } streams[] = {
    { &openai_info, "openai-stream-text.sse" },
    { &openai_info, "openai-stream-tool.sse" },
    { &anthropic_info, "anthropic-stream-text.sse" },
    { &anthropic_info, "anthropic-stream-tool.sse" },
    { &gemini_info, "gemini-stream-text.sse" },
    { &gemini_info, "gemini-stream-tool.sse" },
  };

  if (argc > 1)
    fixture_dir = argv[1];
  if (seconds != NULL && g_ascii_strtod (seconds, NULL) > 0)
    bench_seconds = g_ascii_strtod (seconds, NULL);

  request_text = read_fixture ("translate-openai-request.json", &len);
  request = parse_or_die (request_text, len);

  printf ("Translators alone, %.1f s per case (one core, no I/O)\n\n", bench_seconds);
  printf ("| %-28s | %-9s | %-34s | %12s | %-9s | %9s |\n", "operation", "kind", "fixture", "rate", "unit", "µs each");
  printf ("|------------------------------|-----------|------------------------------------|-------------:|-----------|---------:|\n");

  for (guint i = 0; i < G_N_ELEMENTS (build_infos); i++)
    {
      BuildCase c = { build_infos[i], json_node_get_object (request),
                      { "bench/model", "model-x", TRUE, TRUE, 8192 } };

      print_row ("build_request", kind_name (c.info), "translate-openai-request.json", "req/s",
                 run_for_time (build_op, &c));
    }

  for (guint i = 0; i < G_N_ELEMENTS (responses); i++)
    {
      g_autofree char *body = NULL;
          g_autoptr(GString) out = g_string_sized_new (4096);
      ResponseCase c = { responses[i].info, NULL, 0, { "bench/model", "model-x", FALSE, FALSE, 8192 }, out };

      body = read_fixture (responses[i].fixture, &c.len);
      c.body = body;
      if (responses[i].raw && !response_raw_accepts (&c))
        {
          printf ("| %-28s | %-9s | %-34s | %12s | %-9s | %8s |\n", "translate_response_raw",
                  kind_name (c.info), responses[i].fixture, "refused", "(parses)", "–");
          continue;
        }
      print_row (responses[i].raw ? "translate_response_raw" : "parse + translate_response",
                 kind_name (c.info), responses[i].fixture, "resp/s",
                 run_for_time (responses[i].raw ? response_raw_op : response_op, &c));
    }

  for (guint i = 0; i < G_N_ELEMENTS (streams); i++)
    {
      g_autofree char *text = read_fixture (streams[i].fixture, &len);
      g_autoptr(GArray) events = split_sse (text);
      g_autoptr(GString) out = g_string_sized_new (4096);
      StreamCase c = { streams[i].info, { "bench/model", "model-x", TRUE, TRUE, 8192 }, events, out };

      print_row ("stream_event", kind_name (c.info), streams[i].fixture, "events/s",
                 run_for_time (stream_op, &c));
    }
  return 0;
}
