/* fuzz-response.c — upstream answer → OpenAI answer or gateway error
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is an upstream response body.  As the gateway does, a parsed
 * body goes to translate_response() (a 2xx answer) and the raw bytes to
 * map_error() (any other status).  A translated answer must be a JSON
 * object; a failure must carry an error with a 4xx/5xx status.
 */
#include "config.h"

#include "gr-fuzz.h"
#include "gr-fuzz-provider.h"

static const int error_statuses[] = { 400, 401, 402, 403, 404, 408, 413, 422, 429, 500, 502, 503, 504, 529 };

static void
check_error (const GrApiError *error,
             const char       *what)
{
  g_autofree char *json = NULL;

  if (error == NULL)
    gr_fuzz_fail ("%s returned no error", what);
  if (error->status < 400 || error->status > 599 || error->type == NULL || error->message == NULL)
    gr_fuzz_fail ("%s returned a malformed error (status %d)", what, error->status);
  json = gr_api_error_to_json (error);
  gr_fuzz_check_json (json, -1, what);
}

static void
translate (GrProviderKind kind,
           JsonNode      *root)
{
  const GrProviderOps *ops = gr_provider_ops_for_kind (kind);
  GrProviderInfo info = gr_fuzz_provider (kind);
  GrTranslateContext ctx = {
    .client_model = "fuzz/client-model",
    .upstream_model = "upstream-model",
  };
  g_autoptr(JsonNode) completion = NULL;
  g_autoptr(GrApiError) error = NULL;
  g_autofree char *json = NULL;
  GrUsage usage;

  gr_usage_init (&usage);
  completion = ops->translate_response (&info, root, &ctx, &usage, &error);
  if (completion == NULL)
    {
      check_error (error, "translate_response");
      return;
    }
  if (error != NULL)
    gr_fuzz_fail ("translate_response succeeded but set an error");
  if (!JSON_NODE_HOLDS_OBJECT (completion))
    gr_fuzz_fail ("translate_response returned something that is not an object");
  if (usage.prompt_tokens < 0 || usage.completion_tokens < 0)
    gr_fuzz_fail ("translate_response reported negative usage");
  json = gr_json_to_string (completion);
  gr_fuzz_check_json (json, -1, "translated completion");
}

/* The fast path forwards upstream bytes: what it writes must be JSON. */
static void
translate_raw (GrProviderKind kind,
               const char    *raw,
               gsize          size)
{
  const GrProviderOps *ops = gr_provider_ops_for_kind (kind);
  GrProviderInfo info = gr_fuzz_provider (kind);
  GrTranslateContext ctx = {
    .client_model = "fuzz/client-model",
    .upstream_model = "upstream-model",
  };
  g_autoptr(GString) out = g_string_new (NULL);
  GrUsage usage;

  if (ops->translate_response_raw == NULL)
    return;
  gr_usage_init (&usage);
  if (!ops->translate_response_raw (&info, raw, size, &ctx, &usage, out))
    {
      if (out->len != 0)
        gr_fuzz_fail ("translate_response_raw declined but wrote output");
      return;
    }
  if (usage.prompt_tokens < 0 || usage.completion_tokens < 0)
    gr_fuzz_fail ("translate_response_raw reported negative usage");
  gr_fuzz_check_json (out->str, out->len, "fast-path completion");
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *raw = NULL;

  gr_fuzz_init ();
  text = gr_fuzz_strndup (data, size);
  /* map_error gets the body exactly as received: not NUL-terminated. */
  raw = g_malloc (MAX (size, 1));
  if (size > 0)
    memcpy (raw, data, size);

  for (guint i = 0; i < G_N_ELEMENTS (gr_fuzz_kinds); i++)
    {
      const GrProviderOps *ops = gr_provider_ops_for_kind (gr_fuzz_kinds[i]);
      GrProviderInfo info = gr_fuzz_provider (gr_fuzz_kinds[i]);

      /* A fresh parse per kind: the translators may edit the tree. */
      g_clear_pointer (&root, json_node_unref);
      root = gr_fuzz_parse_upstream (text, size);
      if (root != NULL)
        translate (gr_fuzz_kinds[i], root);
      translate_raw (gr_fuzz_kinds[i], raw, size);

      for (guint s = 0; s < G_N_ELEMENTS (error_statuses); s++)
        {
          g_autoptr(GrApiError) error = ops->map_error (&info, error_statuses[s], raw, size);

          check_error (error, "map_error");
        }
    }
  return 0;
}
