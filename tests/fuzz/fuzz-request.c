/* fuzz-request.c — OpenAI chat request → upstream request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is a client's request body.  It goes through the gateway's own
 * body parser, then build_request() of the provider kind, streaming and
 * not.  The upstream request must have a URL and a JSON object body; a
 * refusal must be a 400.
 */
#include "config.h"

#include "gr-fuzz.h"
#include "gr-fuzz-provider.h"
#include "http/gr-http.h"

static void
build (GrProviderKind kind,
       JsonObject    *request,
       gboolean       stream)
{
  const GrProviderOps *ops = gr_provider_ops_for_kind (kind);
  GrProviderInfo info = gr_fuzz_provider (kind);
  GrTranslateContext ctx = {
    .client_model = "fuzz/client-model",
    .upstream_model = "upstream-model",
    .stream = stream,
    .include_usage = stream,
    .default_max_tokens = stream ? 8192 : 0,
  };
  g_autoptr(GrUpstreamRequest) up = NULL;
  g_autoptr(GrApiError) error = NULL;
  gsize len = 0;
  const char *body;

  up = ops->build_request (&info, request, &ctx, &error);
  if (up == NULL)
    {
      if (error == NULL)
        gr_fuzz_fail ("build_request failed without an error");
      if (error->status != 400)
        gr_fuzz_fail ("build_request refused with status %d", error->status);
      return;
    }
  if (error != NULL)
    gr_fuzz_fail ("build_request succeeded but set an error");
  if (up->url == NULL || up->body == NULL || up->headers == NULL)
    gr_fuzz_fail ("build_request returned an incomplete request");
  body = g_bytes_get_data (up->body, &len);
  gr_fuzz_check_json (body, len, "upstream request body");
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  gr_fuzz_init ();
  text = gr_fuzz_strndup (data, size);
  root = gr_http_parse_json_data (text, size, &error);
  if (root == NULL)
    return 0;

  for (guint i = 0; i < G_N_ELEMENTS (gr_fuzz_kinds); i++)
    for (int stream = 0; stream <= 1; stream++)
      {
        /* Translators must not modify the client's request: a fallback
         * hands the same object to the next provider. */
        g_autoptr(JsonNode) before = json_node_copy (root);

        build (gr_fuzz_kinds[i], json_node_get_object (root), stream);
        if (!json_node_equal (before, root))
          gr_fuzz_fail ("build_request modified the client request");
      }
  return 0;
}
