/* gr-metrics.c — request counters and histograms for GET /metrics (Prometheus)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Text exposition format 0.0.4:
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 * Counters are kept as integers (tokens and micro-dollars are exact up to
 * 2^53 once the scraper reads them as doubles); only durations are sums of
 * doubles.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>
#include <unistd.h>

#include "stats/gr-metrics.h"

/* Seconds; from a cache hit on a local model to a long reasoning answer. */
static const double bucket_bounds[] = {
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
};
static const char * const bucket_labels[] = {
  "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60",
};
#define N_BUCKETS G_N_ELEMENTS (bucket_bounds)

G_STATIC_ASSERT (G_N_ELEMENTS (bucket_bounds) == G_N_ELEMENTS (bucket_labels));

typedef struct
{
  guint64 buckets[N_BUCKETS];  /* not cumulative: cumulated when rendered */
  guint64 count;
  double  sum;
} Histogram;

typedef struct
{
  int     status;
  guint64 count;
} StatusCount;

/* One (provider, model) pair. */
typedef struct
{
  char   *provider;
  char   *model;
  GArray *statuses;            /* StatusCount, few: 200, 4xx, 5xx, 499 */
  guint64 prompt_tokens;
  guint64 completion_tokens;
  guint64 cost_micros;
} Series;

/* Histograms are labelled by provider only: providers are configured,
 * so a handful, while provider × model × 14 buckets would multiply the
 * series a scraper has to store. */
typedef struct
{
  Histogram duration;
  Histogram first_token;
} ProviderHists;

struct _GrMetrics
{
  GMutex      lock;
  GHashTable *series;          /* "provider\x1fmodel" → Series (guarded by lock) */
  GHashTable *models;          /* model labels in use, a set (guarded by lock) */
  GHashTable *providers;       /* provider label → ProviderHists (guarded by lock) */
  gint        in_flight;       /* atomic */
  gint        in_flight_streams; /* atomic */
  double      start_time_s;    /* process start, Unix seconds */
};

static void
series_free (Series *s)
{
  g_free (s->provider);
  g_free (s->model);
  g_array_unref (s->statuses);
  g_free (s);
}

/* When the process started: /proc/self/stat's starttime (clock ticks
 * after boot) plus the boot time from /proc/stat.  Falls back to now,
 * which is when the gateway started, off Linux. */
static double
process_start_time (void)
{
  g_autofree char *stat = NULL;
  g_autofree char *sys = NULL;
  const char *p;
  const char *btime;
  long ticks = sysconf (_SC_CLK_TCK);

  if (ticks > 0 &&
      g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL) &&
      g_file_get_contents ("/proc/stat", &sys, NULL, NULL) &&
      (p = strrchr (stat, ')')) != NULL &&
      (btime = strstr (sys, "\nbtime ")) != NULL)
    {
      /* After "comm)": state is field 3, starttime field 22. */
      g_auto(GStrv) fields = g_strsplit (p + 2, " ", 21);

      if (g_strv_length (fields) >= 20)
        {
          guint64 start_ticks = g_ascii_strtoull (fields[19], NULL, 10);
          guint64 boot = g_ascii_strtoull (btime + 7, NULL, 10);

          if (boot > 0)
            return (double) boot + (double) start_ticks / (double) ticks;
        }
    }
  return (double) g_get_real_time () / G_USEC_PER_SEC;
}

/**
 * gr_metrics_new:
 *
 * Returns: (transfer full): an empty set of metrics
 */
GrMetrics *
gr_metrics_new (void)
{
  GrMetrics *metrics = g_new0 (GrMetrics, 1);

  g_mutex_init (&metrics->lock);
  metrics->series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                           (GDestroyNotify) series_free);
  metrics->models = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  metrics->providers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  metrics->start_time_s = process_start_time ();
  return metrics;
}

void
gr_metrics_free (GrMetrics *metrics)
{
  if (metrics == NULL)
    return;
  g_hash_table_unref (metrics->series);
  g_hash_table_unref (metrics->models);
  g_hash_table_unref (metrics->providers);
  g_mutex_clear (&metrics->lock);
  g_free (metrics);
}

void
gr_metrics_request_begin (GrMetrics *metrics)
{
  if (metrics != NULL)
    g_atomic_int_inc (&metrics->in_flight);
}

void
gr_metrics_stream_begin (GrMetrics *metrics)
{
  if (metrics != NULL)
    g_atomic_int_inc (&metrics->in_flight_streams);
}

static void
histogram_observe (Histogram *h,
                   double     value)
{
  for (guint i = 0; i < N_BUCKETS; i++)
    if (value <= bucket_bounds[i])
      {
        h->buckets[i]++;
        break;
      }
  h->count++;
  h->sum += value;
}

/* The label for provider, folding names past the cap into "other".
 * Called with the lock held. */
static ProviderHists *
provider_hists (GrMetrics   *metrics,
                const char **provider)
{
  ProviderHists *hists;

  if (*provider == NULL)
    *provider = "none";
  hists = g_hash_table_lookup (metrics->providers, *provider);
  if (hists != NULL)
    return hists;
  /* One place is kept for "other", as for models. */
  if (g_hash_table_size (metrics->providers) >= GR_METRICS_MAX_PROVIDERS - 1)
    {
      *provider = "other";
      hists = g_hash_table_lookup (metrics->providers, *provider);
      if (hists != NULL)
        return hists;
    }
  hists = g_new0 (ProviderHists, 1);
  g_hash_table_insert (metrics->providers, g_strdup (*provider), hists);
  return hists;
}

void
gr_metrics_first_token (GrMetrics  *metrics,
                        const char *provider,
                        gint64      elapsed_us)
{
  ProviderHists *hists;

  if (metrics == NULL)
    return;
  g_mutex_lock (&metrics->lock);
  hists = provider_hists (metrics, &provider);
  histogram_observe (&hists->first_token, (double) MAX (elapsed_us, 0) / G_USEC_PER_SEC);
  g_mutex_unlock (&metrics->lock);
}

/* Called with the lock held. */
static Series *
lookup_series (GrMetrics  *metrics,
               const char *provider,
               const char *model)
{
  g_autofree char *key = NULL;
  Series *s;

  if (model == NULL || *model == '\0')
    model = "none";
  if (!g_hash_table_contains (metrics->models, model))
    {
      /* One place is kept for "other", so the cap holds exactly. */
      if (g_hash_table_size (metrics->models) >= GR_METRICS_MAX_MODELS - 1)
        model = "other";
      if (!g_hash_table_contains (metrics->models, model))
        g_hash_table_add (metrics->models, g_strdup (model));
    }

  key = g_strconcat (provider, "\x1f", model, NULL);
  s = g_hash_table_lookup (metrics->series, key);
  if (s == NULL)
    {
      s = g_new0 (Series, 1);
      s->provider = g_strdup (provider);
      s->model = g_strdup (model);
      s->statuses = g_array_new (FALSE, TRUE, sizeof (StatusCount));
      g_hash_table_insert (metrics->series, g_steal_pointer (&key), s);
    }
  return s;
}

void
gr_metrics_request_end (GrMetrics  *metrics,
                        const char *provider,
                        const char *model,
                        int         status,
                        gboolean    stream_open,
                        gint64      duration_us,
                        gint64      prompt_tokens,
                        gint64      completion_tokens,
                        gint64      cost_micros)
{
  ProviderHists *hists;
  Series *s;
  guint i;

  if (metrics == NULL)
    return;

  g_mutex_lock (&metrics->lock);
  hists = provider_hists (metrics, &provider);
  histogram_observe (&hists->duration, (double) MAX (duration_us, 0) / G_USEC_PER_SEC);

  s = lookup_series (metrics, provider, model);
  for (i = 0; i < s->statuses->len; i++)
    if (g_array_index (s->statuses, StatusCount, i).status == status)
      break;
  if (i == s->statuses->len)
    {
      StatusCount sc = { status, 0 };

      g_array_append_val (s->statuses, sc);
    }
  g_array_index (s->statuses, StatusCount, i).count++;
  s->prompt_tokens += (guint64) MAX (prompt_tokens, 0);
  s->completion_tokens += (guint64) MAX (completion_tokens, 0);
  s->cost_micros += (guint64) MAX (cost_micros, 0);
  g_mutex_unlock (&metrics->lock);

  g_atomic_int_add (&metrics->in_flight, -1);
  if (stream_open)
    g_atomic_int_add (&metrics->in_flight_streams, -1);
}

/* Exposition helpers. */

static void
append_value (GString *out,
              double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    g_string_append (out, "NaN");
  else if (isinf (value))
    g_string_append (out, value > 0 ? "+Inf" : "-Inf");
  else if (value == floor (value) && fabs (value) < 1e15)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) value);
  else
    {
      /* The shortest of 15 digits and an exact round trip: 0.33, not
       * 0.33000000000000002. */
      g_ascii_formatd (buf, sizeof buf, "%.15g", value);
      if (g_ascii_strtod (buf, NULL) != value)
        g_ascii_dtostr (buf, sizeof buf, value);
      g_string_append (out, buf);
    }
}

static void
append_escaped (GString    *out,
                const char *text,
                gboolean    quotes)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\\')
        g_string_append (out, "\\\\");
      else if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '"' && quotes)
        g_string_append (out, "\\\"");
      else
        g_string_append_c (out, *p);
    }
}

void
gr_metrics_write_header (GString    *out,
                         const char *name,
                         const char *type,
                         const char *help)
{
  g_string_append_printf (out, "# HELP %s ", name);
  append_escaped (out, help, FALSE);
  g_string_append_printf (out, "\n# TYPE %s %s\n", name, type);
}

static void
write_sample_va (GString    *out,
                 const char *name,
                 double      value,
                 va_list     args)
{
  const char *label;
  gboolean first = TRUE;

  g_string_append (out, name);
  while ((label = va_arg (args, const char *)) != NULL)
    {
      const char *label_value = va_arg (args, const char *);

      g_string_append_c (out, first ? '{' : ',');
      g_string_append (out, label);
      g_string_append (out, "=\"");
      append_escaped (out, label_value != NULL ? label_value : "", TRUE);
      g_string_append_c (out, '"');
      first = FALSE;
    }
  if (!first)
    g_string_append_c (out, '}');
  g_string_append_c (out, ' ');
  append_value (out, value);
  g_string_append_c (out, '\n');
}

void
gr_metrics_write_sample (GString    *out,
                         const char *name,
                         double      value,
                         ...)
{
  va_list args;

  va_start (args, value);
  write_sample_va (out, name, value, args);
  va_end (args);
}

/* Rendering. */

static int
compare_series (gconstpointer a,
                gconstpointer b)
{
  const Series *x = *(const Series * const *) a;
  const Series *y = *(const Series * const *) b;
  int c = strcmp (x->provider, y->provider);

  return c != 0 ? c : strcmp (x->model, y->model);
}

static int
compare_status (gconstpointer a,
                gconstpointer b)
{
  return ((const StatusCount *) a)->status - ((const StatusCount *) b)->status;
}

static void
write_histogram (GString         *out,
                 const char      *name,
                 const char      *provider,
                 const Histogram *h)
{
  g_autofree char *bucket = g_strconcat (name, "_bucket", NULL);
  g_autofree char *sum = g_strconcat (name, "_sum", NULL);
  g_autofree char *count = g_strconcat (name, "_count", NULL);
  guint64 cumulative = 0;

  for (guint i = 0; i < N_BUCKETS; i++)
    {
      cumulative += h->buckets[i];
      gr_metrics_write_sample (out, bucket, (double) cumulative,
                               "provider", provider, "le", bucket_labels[i], NULL);
    }
  gr_metrics_write_sample (out, bucket, (double) h->count, "provider", provider, "le", "+Inf", NULL);
  gr_metrics_write_sample (out, sum, h->sum, "provider", provider, NULL);
  gr_metrics_write_sample (out, count, (double) h->count, "provider", provider, NULL);
}

static void
render_process (GrMetrics *metrics,
                GString   *out)
{
  struct rusage usage;
  struct rlimit limit;
  g_autofree char *statm = NULL;
  g_autoptr(GDir) fds = NULL;

  gr_metrics_write_header (out, "process_start_time_seconds", "gauge",
                           "Start time of the process since the Unix epoch in seconds.");
  gr_metrics_write_sample (out, "process_start_time_seconds", metrics->start_time_s, NULL);

  if (getrusage (RUSAGE_SELF, &usage) == 0)
    {
      double cpu = (double) usage.ru_utime.tv_sec + (double) usage.ru_utime.tv_usec / 1e6 +
                   (double) usage.ru_stime.tv_sec + (double) usage.ru_stime.tv_usec / 1e6;

      gr_metrics_write_header (out, "process_cpu_seconds_total", "counter",
                               "Total user and system CPU time spent in seconds.");
      gr_metrics_write_sample (out, "process_cpu_seconds_total", cpu, NULL);
    }

  if (g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL))
    {
      g_auto(GStrv) fields = g_strsplit (statm, " ", 3);

      if (g_strv_length (fields) >= 2)
        {
          double page = (double) sysconf (_SC_PAGESIZE);

          gr_metrics_write_header (out, "process_virtual_memory_bytes", "gauge",
                                   "Virtual memory size in bytes.");
          gr_metrics_write_sample (out, "process_virtual_memory_bytes",
                                   (double) g_ascii_strtoull (fields[0], NULL, 10) * page, NULL);
          gr_metrics_write_header (out, "process_resident_memory_bytes", "gauge",
                                   "Resident memory size in bytes.");
          gr_metrics_write_sample (out, "process_resident_memory_bytes",
                                   (double) g_ascii_strtoull (fields[1], NULL, 10) * page, NULL);
        }
    }

  fds = g_dir_open ("/proc/self/fd", 0, NULL);
  if (fds != NULL)
    {
      guint n = 0;

      while (g_dir_read_name (fds) != NULL)
        n++;
      /* The directory being read holds one descriptor itself. */
      gr_metrics_write_header (out, "process_open_fds", "gauge", "Number of open file descriptors.");
      gr_metrics_write_sample (out, "process_open_fds", (double) (n > 0 ? n - 1 : 0), NULL);
    }
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    {
      gr_metrics_write_header (out, "process_max_fds", "gauge",
                               "Maximum number of open file descriptors.");
      gr_metrics_write_sample (out, "process_max_fds", (double) limit.rlim_cur, NULL);
    }
}

void
gr_metrics_render (GrMetrics *metrics,
                   GString   *out)
{
  g_autoptr(GPtrArray) series = NULL;
  g_autoptr(GList) providers = NULL;
  GHashTableIter iter;
  gpointer value;
  char status[16];

  g_return_if_fail (metrics != NULL);
  g_return_if_fail (out != NULL);

  gr_metrics_write_header (out, "gaiarouter_build_info", "gauge",
                           "Always 1; the version of the gateway as a label.");
  gr_metrics_write_sample (out, "gaiarouter_build_info", 1, "version", PACKAGE_VERSION, NULL);

  g_mutex_lock (&metrics->lock);

  series = g_ptr_array_sized_new (g_hash_table_size (metrics->series));
  g_hash_table_iter_init (&iter, metrics->series);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (series, value);
  g_ptr_array_sort (series, compare_series);
  for (guint i = 0; i < series->len; i++)
    {
      Series *s = g_ptr_array_index (series, i);

      g_array_sort (s->statuses, compare_status);
    }

  gr_metrics_write_header (out, "gaiarouter_requests_total", "counter",
                           "Inference requests answered, by provider, model (as the client named it) "
                           "and the HTTP status the client got (499: the client went away).");
  for (guint i = 0; i < series->len; i++)
    {
      Series *s = g_ptr_array_index (series, i);

      for (guint j = 0; j < s->statuses->len; j++)
        {
          StatusCount *sc = &g_array_index (s->statuses, StatusCount, j);

          g_snprintf (status, sizeof status, "%d", sc->status);
          gr_metrics_write_sample (out, "gaiarouter_requests_total", (double) sc->count,
                                   "provider", s->provider, "model", s->model,
                                   "status", status, NULL);
        }
    }

  gr_metrics_write_header (out, "gaiarouter_request_errors_total", "counter",
                           "Inference requests that ended with an HTTP status of 400 or more.");
  for (guint i = 0; i < series->len; i++)
    {
      Series *s = g_ptr_array_index (series, i);

      for (guint j = 0; j < s->statuses->len; j++)
        {
          StatusCount *sc = &g_array_index (s->statuses, StatusCount, j);

          if (sc->status < 400)
            continue;
          g_snprintf (status, sizeof status, "%d", sc->status);
          gr_metrics_write_sample (out, "gaiarouter_request_errors_total", (double) sc->count,
                                   "provider", s->provider, "model", s->model,
                                   "status", status, NULL);
        }
    }

  gr_metrics_write_header (out, "gaiarouter_tokens_total", "counter",
                           "Tokens used, as the upstream reported them (or as counted when a "
                           "stream broke), by kind: prompt or completion.");
  for (guint i = 0; i < series->len; i++)
    {
      Series *s = g_ptr_array_index (series, i);

      gr_metrics_write_sample (out, "gaiarouter_tokens_total", (double) s->prompt_tokens,
                               "provider", s->provider, "model", s->model, "kind", "prompt", NULL);
      gr_metrics_write_sample (out, "gaiarouter_tokens_total", (double) s->completion_tokens,
                               "provider", s->provider, "model", s->model, "kind", "completion", NULL);
    }

  gr_metrics_write_header (out, "gaiarouter_cost_micros_total", "counter",
                           "Cost of the requests in micro-USD (millionths of a dollar).");
  for (guint i = 0; i < series->len; i++)
    {
      Series *s = g_ptr_array_index (series, i);

      gr_metrics_write_sample (out, "gaiarouter_cost_micros_total", (double) s->cost_micros,
                               "provider", s->provider, "model", s->model, NULL);
    }

  providers = g_hash_table_get_keys (metrics->providers);
  providers = g_list_sort (providers, (GCompareFunc) strcmp);

  gr_metrics_write_header (out, "gaiarouter_request_duration_seconds", "histogram",
                           "Time from the arrival of an inference request to the end of its answer.");
  for (GList *l = providers; l != NULL; l = l->next)
    {
      ProviderHists *h = g_hash_table_lookup (metrics->providers, l->data);

      if (h->duration.count > 0)
        write_histogram (out, "gaiarouter_request_duration_seconds", l->data, &h->duration);
    }

  gr_metrics_write_header (out, "gaiarouter_time_to_first_token_seconds", "histogram",
                           "Time from the arrival of a streamed request to the first bytes of its "
                           "answer sent to the client (keep-alive comments do not count).");
  for (GList *l = providers; l != NULL; l = l->next)
    {
      ProviderHists *h = g_hash_table_lookup (metrics->providers, l->data);

      if (h->first_token.count > 0)
        write_histogram (out, "gaiarouter_time_to_first_token_seconds", l->data, &h->first_token);
    }

  g_mutex_unlock (&metrics->lock);

  gr_metrics_write_header (out, "gaiarouter_in_flight_requests", "gauge",
                           "Inference requests being answered now.");
  gr_metrics_write_sample (out, "gaiarouter_in_flight_requests",
                           (double) g_atomic_int_get (&metrics->in_flight), NULL);
  gr_metrics_write_header (out, "gaiarouter_in_flight_streams", "gauge",
                           "Event streams open to clients now.");
  gr_metrics_write_sample (out, "gaiarouter_in_flight_streams",
                           (double) g_atomic_int_get (&metrics->in_flight_streams), NULL);

  render_process (metrics, out);
}

void
gr_metrics_get_in_flight (GrMetrics *metrics,
                          gint      *requests,
                          gint      *streams)
{
  *requests = g_atomic_int_get (&metrics->in_flight);
  *streams = g_atomic_int_get (&metrics->in_flight_streams);
}
