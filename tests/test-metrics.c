/* test-metrics.c — GET /metrics: exposition format, exact counters, access
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A real gateway (several event loops, SQLite in a temp directory) and a
 * mock OpenAI upstream.  Requests of known outcome go in, from several
 * client threads at once; the exposition is parsed with a small parser of
 * the text format 0.0.4 written here (so a malformed line fails the test)
 * and every counter must equal what was sent.
 */
#include "config.h"

#include <math.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "core/gr-gateway.h"
#include "stats/gr-metrics.h"
#include "mock-upstream.h"
#include "gr-test-db.h"

/* A tiny parser of the Prometheus text format. */

typedef struct
{
  char       *name;
  GHashTable *labels;  /* name → value */
  double      value;
} Sample;

typedef struct
{
  GPtrArray  *samples;   /* Sample* in document order */
  GHashTable *types;     /* family → "counter", "gauge", "histogram", … */
  GHashTable *helps;     /* family → help text */
} Exposition;

static void
sample_free (Sample *s)
{
  g_free (s->name);
  g_hash_table_unref (s->labels);
  g_free (s);
}

static void
exposition_free (Exposition *e)
{
  g_ptr_array_unref (e->samples);
  g_hash_table_unref (e->types);
  g_hash_table_unref (e->helps);
  g_free (e);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Exposition, exposition_free)

static gboolean
is_name_char (char c,
              gboolean first)
{
  return g_ascii_isalpha (c) || c == '_' || c == ':' || (!first && g_ascii_isdigit (c));
}

/* Reads a metric or label name at *p; NULL when there is none. */
static char *
read_name (const char **p,
           gboolean     metric)
{
  const char *start = *p;

  if (!is_name_char (**p, TRUE) || (!metric && **p == ':'))
    return NULL;
  while (is_name_char (**p, FALSE) && (metric || **p != ':'))
    (*p)++;
  return g_strndup (start, *p - start);
}

static gboolean
parse_value (const char *text,
             double     *value)
{
  char *end = NULL;

  if (g_str_equal (text, "+Inf"))
    *value = INFINITY;
  else if (g_str_equal (text, "-Inf"))
    *value = -INFINITY;
  else if (g_str_equal (text, "NaN"))
    *value = NAN;
  else
    {
      *value = g_ascii_strtod (text, &end);
      return end != text && *end == '\0';
    }
  return TRUE;
}

/* The family a sample belongs to: its own name when typed, else a
 * histogram's name without _bucket, _sum or _count. */
static const char *
family_of (Exposition *e,
           const char *name,
           char      **owned)
{
  static const char *suffixes[] = { "_bucket", "_sum", "_count" };

  if (g_hash_table_contains (e->types, name))
    return name;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (name, suffixes[i]))
      {
        *owned = g_strndup (name, strlen (name) - strlen (suffixes[i]));
        if (g_strcmp0 (g_hash_table_lookup (e->types, *owned), "histogram") == 0)
          return *owned;
        g_clear_pointer (owned, g_free);
      }
  return NULL;
}

static char *
series_key (const char *name,
            GHashTable *labels,
            const char *skip)
{
  g_autoptr(GList) keys = g_list_sort (g_hash_table_get_keys (labels), (GCompareFunc) strcmp);
  GString *key = g_string_new (name);

  for (GList *l = keys; l != NULL; l = l->next)
    if (g_strcmp0 (l->data, skip) != 0)
      g_string_append_printf (key, "|%s=%s", (char *) l->data,
                              (char *) g_hash_table_lookup (labels, l->data));
  return g_string_free (key, FALSE);
}

/* Parses text, failing the test on any malformed line. */
static Exposition *
parse_exposition (const char *text)
{
  Exposition *e = g_new0 (Exposition, 1);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GHashTable) sampled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_auto(GStrv) lines = NULL;

  e->samples = g_ptr_array_new_with_free_func ((GDestroyNotify) sample_free);
  e->types = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  e->helps = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_assert_true (g_str_has_suffix (text, "\n"));
  lines = g_strsplit (text, "\n", -1);
  for (guint n = 0; lines[n] != NULL; n++)
    {
      const char *line = lines[n];
      const char *p = line;
      g_autofree char *name = NULL;
      g_autofree char *family_owned = NULL;
      g_autofree char *key = NULL;
      const char *family;
      Sample *s;

      if (*line == '\0')
        continue;
      if (g_str_has_prefix (line, "# HELP ") || g_str_has_prefix (line, "# TYPE "))
        {
          gboolean help = line[2] == 'H';

          p = line + 7;
          name = read_name (&p, TRUE);
          g_assert_nonnull (name);
          g_assert_cmpint (*p, ==, ' ');
          p++;
          if (help)
            {
              g_assert_false (g_hash_table_contains (e->helps, name));
              g_assert_cmpstr (p, !=, "");
              g_hash_table_insert (e->helps, g_strdup (name), g_strdup (p));
            }
          else
            {
              const char *types[] = { "counter", "gauge", "histogram", "summary", "untyped", NULL };

              g_assert_true (g_strv_contains (types, p));
              /* A family is typed once, before any of its samples. */
              g_assert_false (g_hash_table_contains (e->types, name));
              g_assert_false (g_hash_table_contains (sampled, name));
              g_hash_table_insert (e->types, g_strdup (name), g_strdup (p));
              if (g_str_equal (p, "counter"))
                g_assert_true (g_str_has_suffix (name, "_total"));
            }
          continue;
        }
      g_assert_cmpint (*line, !=, '#');

      s = g_new0 (Sample, 1);
      s->labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_ptr_array_add (e->samples, s);
      s->name = read_name (&p, TRUE);
      if (s->name == NULL)
        g_error ("line %u: no metric name: %s", n + 1, line);
      if (*p == '{')
        {
          p++;
          while (*p != '}')
            {
              g_autofree char *label = read_name (&p, FALSE);
              GString *value = g_string_new (NULL);

              if (label == NULL || p[0] != '=' || p[1] != '"')
                g_error ("line %u: bad label: %s", n + 1, line);
              for (p += 2; *p != '"'; p++)
                {
                  if (*p == '\0')
                    g_error ("line %u: unterminated label value: %s", n + 1, line);
                  if (*p == '\\')
                    {
                      p++;
                      if (*p == 'n')
                        g_string_append_c (value, '\n');
                      else if (*p == '\\' || *p == '"')
                        g_string_append_c (value, *p);
                      else
                        g_error ("line %u: bad escape: %s", n + 1, line);
                    }
                  else
                    g_string_append_c (value, *p);
                }
              p++;
              g_assert_false (g_hash_table_contains (s->labels, label));
              g_hash_table_insert (s->labels, g_steal_pointer (&label), g_string_free (value, FALSE));
              if (*p == ',')
                p++;
              else if (*p != '}')
                g_error ("line %u: expected , or }: %s", n + 1, line);
            }
          p++;
        }
      if (*p != ' ' || !parse_value (p + 1, &s->value))
        g_error ("line %u: bad value: %s", n + 1, line);

      family = family_of (e, s->name, &family_owned);
      if (family == NULL)
        g_error ("line %u: %s has no TYPE line before it", n + 1, s->name);
      g_hash_table_add (sampled, g_strdup (family));
      if (g_str_has_suffix (s->name, "_bucket"))
        g_assert_true (g_hash_table_contains (s->labels, "le"));
      key = series_key (s->name, s->labels, NULL);
      if (g_hash_table_contains (seen, key))
        g_error ("line %u: duplicate series %s", n + 1, key);
      g_hash_table_add (seen, g_steal_pointer (&key));
    }

  /* Every family has HELP, and histograms are consistent: cumulative
   * buckets, +Inf equal to _count. */
  {
    GHashTableIter iter;
    gpointer fam, type;

    g_hash_table_iter_init (&iter, e->types);
    while (g_hash_table_iter_next (&iter, &fam, &type))
      g_assert_true (g_hash_table_contains (e->helps, fam));
  }
  {
    g_autoptr(GHashTable) last = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) inf = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

    for (guint i = 0; i < e->samples->len; i++)
      {
        Sample *s = g_ptr_array_index (e->samples, i);
        g_autofree char *base = NULL;

        if (g_str_has_suffix (s->name, "_bucket"))
          {
            double *prev;

            base = g_strndup (s->name, strlen (s->name) - 7);
            {
              g_autofree char *k = series_key (base, s->labels, "le");

              prev = g_hash_table_lookup (last, k);
              if (prev != NULL)
                g_assert_cmpfloat (s->value, >=, *prev);
              g_hash_table_insert (last, g_strdup (k), g_memdup2 (&s->value, sizeof (double)));
              if (g_str_equal (g_hash_table_lookup (s->labels, "le"), "+Inf"))
                g_hash_table_insert (inf, g_strdup (k), g_memdup2 (&s->value, sizeof (double)));
            }
          }
        else if (g_str_has_suffix (s->name, "_count"))
          {
            g_autofree char *k = NULL;
            double *v;

            base = g_strndup (s->name, strlen (s->name) - 6);
            k = series_key (base, s->labels, NULL);
            v = g_hash_table_lookup (inf, k);
            g_assert_nonnull (v);
            g_assert_cmpfloat (*v, ==, s->value);
          }
      }
  }
  return e;
}

/* Sum of the samples named name whose labels include every given
 * (label, value) pair (NULL-terminated); *n counts them. */
static double
sum_samples_v (Exposition *e,
               guint      *n,
               const char *name,
               va_list     args)
{
  g_autoptr(GPtrArray) want = g_ptr_array_new ();
  const char *label;
  double sum = 0;

  while ((label = va_arg (args, const char *)) != NULL)
    {
      g_ptr_array_add (want, (gpointer) label);
      g_ptr_array_add (want, va_arg (args, char *));
    }
  *n = 0;
  for (guint i = 0; i < e->samples->len; i++)
    {
      Sample *s = g_ptr_array_index (e->samples, i);
      gboolean match = g_str_equal (s->name, name);

      for (guint j = 0; match && j < want->len; j += 2)
        match = g_strcmp0 (g_hash_table_lookup (s->labels, want->pdata[j]), want->pdata[j + 1]) == 0;
      if (match)
        {
          sum += s->value;
          (*n)++;
        }
    }
  return sum;
}

static double G_GNUC_NULL_TERMINATED
sum_samples (Exposition *e,
             const char *name,
             ...)
{
  va_list args;
  guint n;
  double sum;

  va_start (args, name);
  sum = sum_samples_v (e, &n, name, args);
  va_end (args);
  return sum;
}

/* The value of the one sample that matches; fails unless exactly one does. */
static double G_GNUC_NULL_TERMINATED
value_of (Exposition *e,
          const char *name,
          ...)
{
  va_list args;
  guint n;
  double sum;

  va_start (args, name);
  sum = sum_samples_v (e, &n, name, args);
  va_end (args);
  if (n != 1)
    g_error ("%u samples of %s match, expected 1", n, name);
  return sum;
}

static guint
distinct_label_values (Exposition *e,
                       const char *name,
                       const char *label)
{
  g_autoptr(GHashTable) values = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < e->samples->len; i++)
    {
      Sample *s = g_ptr_array_index (e->samples, i);

      if (g_str_equal (s->name, name))
        g_hash_table_add (values, g_hash_table_lookup (s->labels, label));
    }
  return g_hash_table_size (values);
}

/* The gateway fixture. */

typedef struct
{
  MockUpstream *mock;
  char         *dir;
  GrGateway    *gateway;
  char         *url;
  char         *admin;
  SoupSession  *session;
} Fixture;

/* gpt-4o prices: $2.50 in, $10 out per million tokens.  "mock2" is the
 * same upstream under another name, so its failures (and cooldown) do
 * not touch "mock". */
static const char config_ini[] =
  "[gateway]\n"
  "threads=4\n"
  "[model:mock/ok]\n"
  "provider=mock\n"
  "upstream=ok\n"
  "input_per_mtok=2500000\n"
  "output_per_mtok=10000000\n";

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *mock_url = NULL;
  g_autofree char *base = NULL;
  GrConfig *config;

  f->mock = mock_upstream_new ();
  f->dir = g_dir_make_tmp ("gr-metrics-XXXXXX", &error);
  g_assert_no_error (error);

  config = gr_config_load_data (config_ini, -1, &error);
  g_assert_no_error (error);
  g_free (config->database);
  {
    g_autofree char *file = g_build_filename (f->dir, "gaiarouter.db", NULL);

    config->database = gr_test_db_target (file);
  }
  config->listen_port = 0;
  config->threads = 4;
  mock_url = mock_upstream_dup_url (f->mock);
  base = g_strconcat (mock_url, "/v1", NULL);
  g_ptr_array_add (config->providers,
                   gr_provider_config_new ("mock", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, base));
  g_ptr_array_add (config->providers,
                   gr_provider_config_new ("mock2", GR_PROVIDER_KIND_OPENAI_COMPATIBLE, base));

  f->gateway = gr_gateway_new (config);
  g_assert_true (gr_gateway_start (f->gateway, &error));
  g_assert_no_error (error);
  f->url = gr_gateway_dup_url (f->gateway);
  f->admin = gr_gateway_dup_new_admin_key (f->gateway);
  g_assert_nonnull (f->admin);
  f->session = soup_session_new_with_options ("timeout", 20, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  g_clear_object (&f->session);
  g_clear_object (&f->gateway);
  mock_upstream_free (f->mock);
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

static SoupMessage *
new_message (Fixture    *f,
             const char *key,
             const char *method,
             const char *path,
             const char *body)
{
  g_autofree char *uri = g_strconcat (f->url, path, NULL);
  SoupMessage *msg = soup_message_new (method, uri);

  g_assert_nonnull (msg);
  if (key != NULL)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", key, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
    }
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  return msg;
}

/* One HTTP call with session; returns the body as text. */
static char *
call_with (Fixture     *f,
           SoupSession *session,
           const char  *key,
           const char  *method,
           const char  *path,
           const char  *body,
           guint       *status,
           char       **content_type)
{
  g_autoptr(SoupMessage) msg = new_message (f, key, method, path, body);
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  const char *data;

  reply = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                            "Content-Type"));
  data = g_bytes_get_data (reply, &len);
  return g_strndup (data != NULL ? data : "", len);
}

static char *
call (Fixture    *f,
      const char *key,
      const char *method,
      const char *path,
      const char *body,
      guint      *status)
{
  return call_with (f, f->session, key, method, path, body, status, NULL);
}

/* Scrapes /metrics from loopback without a key and parses it. */
static Exposition *
scrape (Fixture *f)
{
  guint status;
  g_autofree char *type = NULL;
  g_autofree char *text = call_with (f, f->session, NULL, "GET", "/metrics", NULL, &status, &type);

  if (status != 200)
    g_error ("GET /metrics: %u %s", status, text);
  g_assert_true (g_str_has_prefix (type, "text/plain; version=0.0.4"));
  return parse_exposition (text);
}

/* What the client was told a request used, from a JSON completion or
 * from the usage chunk of an event stream. */
typedef struct
{
  gint64 prompt;
  gint64 completion;
  gint64 cost;
  guint  requests;
} Totals;

static void
add_usage (Totals     *t,
           JsonObject *usage)
{
  gint64 p = json_object_get_int_member (usage, "prompt_tokens");
  gint64 c = json_object_get_int_member (usage, "completion_tokens");

  t->prompt += p;
  t->completion += c;
  /* Micro-dollars at 2.5 and 10 per token-million-micro, rounded half up
   * once per request, as the registry prices it (no cached tokens here). */
  t->cost += (p * 2500000 + c * 10000000 + 500000) / 1000000;
}

static void
add_completion (Totals     *t,
                const char *text)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);

  g_assert_nonnull (node);
  add_usage (t, json_object_get_object_member (json_node_get_object (node), "usage"));
  t->requests++;
}

static void
add_stream (Totals     *t,
            const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  gboolean saw_usage = FALSE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(JsonNode) node = NULL;
      JsonObject *o;

      if (!g_str_has_prefix (lines[i], "data: ") || g_str_equal (lines[i], "data: [DONE]"))
        continue;
      node = json_from_string (lines[i] + 6, NULL);
      g_assert_nonnull (node);
      o = json_node_get_object (node);
      if (json_object_has_member (o, "usage") && !json_object_get_null_member (o, "usage"))
        {
          add_usage (t, json_object_get_object_member (o, "usage"));
          saw_usage = TRUE;
        }
    }
  g_assert_true (saw_usage);
  t->requests++;
}

static const char ok_body[] =
  "{\"model\":\"mock/ok\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

typedef struct
{
  Fixture *f;
  GMutex   lock;
  Totals   totals;
} Clients;

static gpointer
client_thread (gpointer data)
{
  Clients *c = data;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 20, NULL);

  for (int i = 0; i < 5; i++)
    {
      guint status;
      g_autofree char *text = call_with (c->f, session, c->f->admin, "POST", "/v1/chat/completions",
                                         ok_body, &status, NULL);

      g_assert_cmpuint (status, ==, 200);
      g_mutex_lock (&c->lock);
      add_completion (&c->totals, text);
      g_mutex_unlock (&c->lock);
    }
  return NULL;
}

static void
test_counters_exact (Fixture       *f,
                     gconstpointer  data)
{
  Clients clients = { f };
  GThread *threads[4];
  g_autoptr(Exposition) before = NULL;
  g_autoptr(Exposition) e = NULL;
  g_autofree char *text = NULL;
  g_autofree char *stream_text = NULL;
  guint status, error500_status = 0, error400_status;
  char status_text[16];
  double now = (double) g_get_real_time () / G_USEC_PER_SEC;

  /* Nothing happened yet: the families are there, with no requests. */
  before = scrape (f);
  g_assert_true (g_hash_table_contains (before->types, "gaiarouter_requests_total"));
  g_assert_cmpfloat (sum_samples (before, "gaiarouter_requests_total", NULL), ==, 0);

  /* 20 successes from 4 client threads, spread over 4 event loops. */
  g_mutex_init (&clients.lock);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("client", client_thread, &clients);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_mutex_clear (&clients.lock);

  /* One stream with usage. */
  stream_text = call (f, f->admin, "POST", "/v1/chat/completions",
                      "{\"model\":\"mock/ok\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                      "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", &status);
  g_assert_cmpuint (status, ==, 200);
  add_stream (&clients.totals, stream_text);

  /* Errors: three upstream 500s (which cool mock2 down), one on mock (a
   * failure, not yet a cooldown) after a 400 passed on from the upstream
   * (not a provider failure: it would clear mock's failures), one request
   * without a key. */
  for (int i = 0; i < 3; i++)
    {
      g_autofree char *t = call (f, f->admin, "POST", "/v1/chat/completions",
                                 "{\"model\":\"mock2/error500\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                                 &status);

      g_assert_cmpuint (status, >=, 500);
      g_assert_true (error500_status == 0 || error500_status == status);
      error500_status = status;
    }
  text = call (f, f->admin, "POST", "/v1/chat/completions",
               "{\"model\":\"mock/error400\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
               &error400_status);
  g_assert_cmpuint (error400_status, ==, 400);
  g_clear_pointer (&text, g_free);
  text = call (f, f->admin, "POST", "/v1/chat/completions",
               "{\"model\":\"mock/error500\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
               &status);
  g_assert_cmpuint (status, ==, error500_status);
  g_clear_pointer (&text, g_free);
  text = call (f, NULL, "POST", "/v1/chat/completions", ok_body, &status);
  g_assert_cmpuint (status, ==, 401);

  e = scrape (f);

  /* Requests, by provider, model and status. */
  g_assert_cmpuint (clients.totals.requests, ==, 21);
  g_assert_cmpfloat (value_of (e, "gaiarouter_requests_total",
                               "provider", "mock", "model", "mock/ok", "status", "200", NULL), ==, 21);
  g_snprintf (status_text, sizeof status_text, "%u", error500_status);
  g_assert_cmpfloat (value_of (e, "gaiarouter_requests_total", "provider", "mock2",
                               "model", "mock2/error500", "status", status_text, NULL), ==, 3);
  g_assert_cmpfloat (value_of (e, "gaiarouter_requests_total", "provider", "mock",
                               "model", "mock/error400", "status", "400", NULL), ==, 1);
  g_assert_cmpfloat (value_of (e, "gaiarouter_requests_total", "provider", "none",
                               "model", "none", "status", "401", NULL), ==, 1);
  g_assert_cmpfloat (value_of (e, "gaiarouter_requests_total", "provider", "mock",
                               "model", "mock/error500", "status", status_text, NULL), ==, 1);
  g_assert_cmpfloat (sum_samples (e, "gaiarouter_requests_total", NULL), ==, 27);

  /* Errors: every status ≥ 400, nothing else. */
  g_assert_cmpfloat (sum_samples (e, "gaiarouter_request_errors_total", NULL), ==, 6);
  g_assert_cmpfloat (sum_samples (e, "gaiarouter_request_errors_total", "status", "200", NULL), ==, 0);
  g_assert_cmpfloat (value_of (e, "gaiarouter_request_errors_total", "provider", "mock2",
                               "model", "mock2/error500", "status", status_text, NULL), ==, 3);

  /* Tokens and cost, exactly what the clients were told. */
  g_assert_cmpfloat (value_of (e, "gaiarouter_tokens_total", "provider", "mock", "model", "mock/ok",
                               "kind", "prompt", NULL), ==, clients.totals.prompt);
  g_assert_cmpfloat (value_of (e, "gaiarouter_tokens_total", "provider", "mock", "model", "mock/ok",
                               "kind", "completion", NULL), ==, clients.totals.completion);
  g_assert_cmpfloat (clients.totals.prompt, >, 0);
  g_assert_cmpfloat (value_of (e, "gaiarouter_cost_micros_total", "provider", "mock", "model", "mock/ok",
                               NULL), ==, clients.totals.cost);
  g_assert_cmpfloat (clients.totals.cost, >, 0);
  g_assert_cmpfloat (sum_samples (e, "gaiarouter_cost_micros_total", NULL), ==, clients.totals.cost);

  /* Histograms: every request timed, the one stream's first token. */
  g_assert_cmpfloat (sum_samples (e, "gaiarouter_request_duration_seconds_count", NULL), ==, 27);
  g_assert_cmpfloat (value_of (e, "gaiarouter_request_duration_seconds_count", "provider", "mock", NULL),
                     ==, 23);
  g_assert_cmpfloat (value_of (e, "gaiarouter_request_duration_seconds_sum", "provider", "mock", NULL), >, 0);
  g_assert_cmpfloat (value_of (e, "gaiarouter_request_duration_seconds_bucket", "provider", "mock",
                               "le", "60", NULL), ==, 23);
  g_assert_cmpfloat (value_of (e, "gaiarouter_time_to_first_token_seconds_count", "provider", "mock", NULL),
                     ==, 1);
  g_assert_cmpfloat (sum_samples (e, "gaiarouter_time_to_first_token_seconds_count", NULL), ==, 1);

  /* Gauges: nothing in flight once every answer came back. */
  g_assert_cmpfloat (value_of (e, "gaiarouter_in_flight_requests", NULL), ==, 0);
  g_assert_cmpfloat (value_of (e, "gaiarouter_in_flight_streams", NULL), ==, 0);
  g_assert_cmpfloat (value_of (e, "gaiarouter_usage_writer_queue_depth", NULL), >=, 0);
  g_assert_cmpfloat (value_of (e, "gaiarouter_upstream_cooldown", "provider", "mock2", NULL), ==, 1);
  g_assert_cmpfloat (value_of (e, "gaiarouter_upstream_cooldown", "provider", "mock", NULL), ==, 0);
  /* The router forgets the failures that started a cooldown. */
  g_assert_cmpfloat (value_of (e, "gaiarouter_upstream_failures", "provider", "mock2", NULL), ==, 0);
  g_assert_cmpfloat (value_of (e, "gaiarouter_upstream_failures", "provider", "mock", NULL), ==, 1);
  g_assert_cmpfloat (value_of (e, "gaiarouter_upstream_cooldowns_total", "provider", "mock2", NULL), ==, 1);
  g_assert_cmpfloat (value_of (e, "gaiarouter_upstream_cooldowns_total", "provider", "mock", NULL), ==, 0);
  g_assert_cmpstr (g_hash_table_lookup (e->types, "gaiarouter_upstream_cooldown"), ==, "gauge");
  g_assert_cmpstr (g_hash_table_lookup (e->types, "gaiarouter_request_duration_seconds"), ==, "histogram");
  g_assert_cmpstr (g_hash_table_lookup (e->types, "gaiarouter_requests_total"), ==, "counter");

  /* Process and build. */
  g_assert_cmpfloat (value_of (e, "process_start_time_seconds", NULL), <=, now + 1);
  g_assert_cmpfloat (value_of (e, "process_start_time_seconds", NULL), >, now - 3600);
  g_assert_cmpfloat (value_of (e, "gaiarouter_build_info", "version", PACKAGE_VERSION, NULL), ==, 1);
}

/* A stream held open by the upstream shows in the in-flight gauges. */
static void
test_in_flight_stream (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(SoupMessage) msg = new_message (f, f->admin, "POST", "/v1/chat/completions",
    "{\"model\":\"mock/gated\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", 20, NULL);
  g_autoptr(Exposition) during = NULL;
  g_autoptr(Exposition) after = NULL;
  g_autoptr(GError) error = NULL;
  char buf[4096];
  gssize n;

  stream = soup_session_send (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);

  during = scrape (f);
  g_assert_cmpfloat (value_of (during, "gaiarouter_in_flight_requests", NULL), ==, 1);
  g_assert_cmpfloat (value_of (during, "gaiarouter_in_flight_streams", NULL), ==, 1);
  g_assert_cmpfloat (sum_samples (during, "gaiarouter_requests_total", NULL), ==, 0);

  /* Let the upstream send the rest and read to the end.  (Not one
   * release per read: the usage-only event, which this client did not ask
   * for, never reaches it, and the stream would wait for a read that
   * cannot come.) */
  mock_upstream_open_gate (f->mock);
  while ((n = g_input_stream_read (stream, buf, sizeof buf, NULL, &error)) > 0)
    ;
  g_assert_no_error (error);
  g_assert_cmpuint (mock_upstream_get_gate_timeouts (f->mock), ==, 0);

  after = scrape (f);
  g_assert_cmpfloat (value_of (after, "gaiarouter_in_flight_requests", NULL), ==, 0);
  g_assert_cmpfloat (value_of (after, "gaiarouter_in_flight_streams", NULL), ==, 0);
  g_assert_cmpfloat (value_of (after, "gaiarouter_requests_total", "provider", "mock",
                               "model", "mock/gated", "status", "200", NULL), ==, 1);
  g_assert_cmpfloat (value_of (after, "gaiarouter_time_to_first_token_seconds_count", "provider", "mock", NULL),
                     ==, 1);
}

static void
assert_error (const char *text,
              const char *type,
              const char *code)
{
  g_autoptr(JsonNode) node = json_from_string (text, NULL);
  JsonObject *error;

  g_assert_nonnull (node);
  error = json_object_get_object_member (json_node_get_object (node), "error");
  g_assert_nonnull (error);
  g_assert_cmpstr (json_object_get_string_member (error, "type"), ==, type);
  g_assert_cmpstr (json_object_get_string_member (error, "code"), ==, code);
  g_assert_nonnull (json_object_get_string_member (error, "message"));
}

static void
test_access (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(SoupMessage) proxied = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *org_text = NULL;
  g_autofree char *key_body = NULL;
  g_autofree char *key_text = NULL;
  g_autoptr(JsonNode) org = NULL;
  g_autoptr(JsonNode) key = NULL;
  const char *chat_key;
  guint status;

  /* Loopback without a key. */
  {
    g_autoptr(Exposition) e = scrape (f);

    g_assert_cmpuint (e->samples->len, >, 0);
  }

  /* An admin key, from anywhere. */
  {
    g_autofree char *text = call (f, f->admin, "GET", "/metrics", NULL, &status);

    g_assert_cmpuint (status, ==, 200);
    g_assert_true (strstr (text, "# TYPE gaiarouter_requests_total counter\n") != NULL);
  }

  /* A key without "admin": 403, even from loopback. */
  org_text = call (f, f->admin, "POST", "/v1/organizations", "{\"name\":\"Team\"}", &status);
  g_assert_cmpuint (status, ==, 201);
  org = json_from_string (org_text, NULL);
  key_body = g_strdup_printf ("{\"org_id\":\"%s\",\"name\":\"k\",\"permissions\":[\"chat\",\"stats:read\"]}",
                              json_object_get_string_member (json_node_get_object (org), "id"));
  key_text = call (f, f->admin, "POST", "/v1/api-keys", key_body, &status);
  g_assert_cmpuint (status, ==, 201);
  key = json_from_string (key_text, NULL);
  chat_key = json_object_get_string_member (json_node_get_object (key), "key");
  {
    g_autofree char *text = call (f, chat_key, "GET", "/metrics", NULL, &status);

    g_assert_cmpuint (status, ==, 403);
    assert_error (text, "permission_error", "insufficient_permissions");
  }

  /* An unknown key: 401. */
  {
    g_autofree char *text = call (f, "gr-not-a-key-0123456789", "GET", "/metrics", NULL, &status);

    g_assert_cmpuint (status, ==, 401);
    assert_error (text, "authentication_error", "invalid_api_key");
  }

  /* Through a reverse proxy on this machine, no key is not enough. */
  proxied = new_message (f, NULL, "GET", "/metrics", NULL);
  soup_message_headers_replace (soup_message_get_request_headers (proxied), "X-Forwarded-For", "203.0.113.9");
  reply = soup_session_send_and_read (f->session, proxied, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (proxied), ==, 401);
  {
    g_autofree char *text = g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));

    assert_error (text, "authentication_error", "invalid_api_key");
  }

  /* Only GET (and HEAD). */
  {
    g_autofree char *text = call (f, f->admin, "POST", "/metrics", "{}", &status);

    g_assert_cmpuint (status, ==, 405);
    assert_error (text, "invalid_request_error", "method_not_allowed");
  }
}

/* GrMetrics alone: the model label cap and label escaping. */
static void
test_cardinality_and_escaping (void)
{
  g_autoptr(GrMetrics) metrics = gr_metrics_new ();
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(Exposition) e = NULL;
  const char *odd = "we\"ird\\mo\ndel";

  for (int i = 0; i < 250; i++)
    {
      g_autofree char *model = g_strdup_printf ("p/model-%03d", i);

      gr_metrics_request_begin (metrics);
      gr_metrics_request_end (metrics, "p", model, 200, FALSE, 1000, 10, 2, 7);
    }
  gr_metrics_request_begin (metrics);
  gr_metrics_request_end (metrics, "p", odd, 502, FALSE, 120 * G_USEC_PER_SEC, 0, 0, 0);

  gr_metrics_render (metrics, out);
  e = parse_exposition (out->str);

  /* 200 labels at most, "other" among them; nothing lost. */
  g_assert_cmpuint (distinct_label_values (e, "gaiarouter_requests_total", "model"), ==, GR_METRICS_MAX_MODELS);
  g_assert_cmpfloat (sum_samples (e, "gaiarouter_requests_total", NULL), ==, 251);
  g_assert_cmpfloat (value_of (e, "gaiarouter_requests_total", "model", "other", "status", "200", NULL), ==, 51);
  g_assert_cmpfloat (value_of (e, "gaiarouter_requests_total", "model", "other", "status", "502", NULL), ==, 1);
  g_assert_cmpfloat (value_of (e, "gaiarouter_tokens_total", "model", "p/model-000", "kind", "prompt", NULL), ==, 10);
  g_assert_cmpfloat (sum_samples (e, "gaiarouter_cost_micros_total", NULL), ==, 250 * 7);
  /* 120 s is beyond the last bucket: only in +Inf. */
  g_assert_cmpfloat (value_of (e, "gaiarouter_request_duration_seconds_bucket", "le", "60", NULL), ==, 250);
  g_assert_cmpfloat (value_of (e, "gaiarouter_request_duration_seconds_bucket", "le", "+Inf", NULL), ==, 251);
  g_assert_cmpfloat (value_of (e, "gaiarouter_request_duration_seconds_bucket", "le", "0.005", NULL), ==, 250);
  g_assert_cmpfloat (value_of (e, "gaiarouter_in_flight_requests", NULL), ==, 0);

  /* A label value with a quote, a backslash and a newline survives. */
  g_string_truncate (out, 0);
  {
    g_autoptr(GrMetrics) fresh = gr_metrics_new ();
    g_autoptr(Exposition) e2 = NULL;

    gr_metrics_request_end (fresh, "p", odd, 200, FALSE, 1, 0, 0, 0);
    gr_metrics_render (fresh, out);
    e2 = parse_exposition (out->str);
    g_assert_cmpfloat (value_of (e2, "gaiarouter_requests_total", "model", odd, NULL), ==, 1);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  if (gr_test_db_skip_all ())
    return g_test_run ();

#define ADD(path, fn) g_test_add ("/gaiarouter/metrics/" path, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("counters-exact", test_counters_exact);
  ADD ("in-flight-stream", test_in_flight_stream);
  ADD ("access", test_access);
#undef ADD
  g_test_add_func ("/gaiarouter/metrics/cardinality-and-escaping", test_cardinality_and_escaping);

  return g_test_run ();
}
