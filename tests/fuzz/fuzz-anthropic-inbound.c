/* fuzz-anthropic-inbound.c — Anthropic Messages request → OpenAI request
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The input is the body a client POSTs to /v1/messages.  It goes through
 * the gateway's body parser and gr_anthropic_inbound_request_to_openai();
 * the OpenAI request must then be one that every translator accepts or
 * refuses cleanly.  The same object also stands in for an OpenAI
 * completion to exercise gr_anthropic_inbound_response_from_openai().
 */
#include "config.h"

#include "gr-fuzz.h"
#include "http/gr-http.h"
#include "providers/gr-anthropic-inbound.h"
#include "providers/gr-provider.h"

static const GrProviderKind kinds[] = {
  GR_PROVIDER_KIND_OPENAI, GR_PROVIDER_KIND_OPENAI_COMPATIBLE,
  GR_PROVIDER_KIND_ANTHROPIC, GR_PROVIDER_KIND_GEMINI,
};

static void
check_inbound_error (const GrApiError *error)
{
  g_autofree char *json = NULL;
  int status;

  if (error == NULL)
    gr_fuzz_fail ("request_to_openai failed without an error");
  if (error->status != 400)
    gr_fuzz_fail ("request_to_openai refused with status %d", error->status);
  json = gr_anthropic_inbound_error_to_json (error);
  gr_fuzz_check_json (json, -1, "inbound error");
  status = gr_anthropic_inbound_error_status (error);
  if (status < 400 || status > 599)
    gr_fuzz_fail ("inbound error status %d", status);
}

static void
forward (JsonObject *openai)
{
  GrTranslateContext ctx = {
    .client_model = "fuzz/client-model",
    .upstream_model = "upstream-model",
    .stream = TRUE,
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    {
      const GrProviderOps *ops = gr_provider_ops_for_kind (kinds[i]);
      GrProviderInfo info = {
        .name = (char *) gr_provider_kind_to_string (kinds[i]),
        .kind = kinds[i],
        .base_url = (char *) "https://upstream.invalid/v1",
        .api_key = (char *) "sk-fuzz-key",
      };
      g_autoptr(GrUpstreamRequest) up = NULL;
      g_autoptr(GrApiError) error = NULL;

      up = ops->build_request (&info, openai, &ctx, &error);
      if (up == NULL && error == NULL)
        gr_fuzz_fail ("build_request failed without an error");
      if (up != NULL)
        {
          gsize len = 0;
          const char *body = g_bytes_get_data (up->body, &len);

          gr_fuzz_check_json (body, len, "upstream request body");
        }
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GrApiError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) openai = NULL;
  g_autoptr(JsonNode) message = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;

  gr_fuzz_init ();
  text = gr_fuzz_strndup (data, size);
  root = gr_http_parse_json_data (text, size, &error);
  if (root == NULL)
    return 0;

  openai = gr_anthropic_inbound_request_to_openai (json_node_get_object (root), &error);
  if (openai == NULL)
    check_inbound_error (error);
  else
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), openai);

      if (error != NULL)
        gr_fuzz_fail ("request_to_openai succeeded but set an error");
      json = gr_json_to_string (node);
      gr_fuzz_check_json (json, -1, "OpenAI request");
      g_clear_pointer (&json, g_free);
      forward (openai);
    }

  message = gr_anthropic_inbound_response_from_openai (json_node_get_object (root), "fuzz/client-model");
  if (message == NULL || !JSON_NODE_HOLDS_OBJECT (message))
    gr_fuzz_fail ("response_from_openai returned something that is not an object");
  json = gr_json_to_string (message);
  gr_fuzz_check_json (json, -1, "Anthropic message");
  return 0;
}
