/* test-registry.c — model registry: loading, lookups, overrides, cost
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "router/gr-registry.h"

static const char * const known_providers[] = {
  "openai", "anthropic", "google", "openrouter", "ollama", NULL
};

static GrRegistry *
load_shipped (void)
{
  const char *path = g_getenv ("GR_MODELS_JSON");
  g_autoptr(GrRegistry) registry = gr_registry_new ();
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (path);
  gr_registry_load_file (registry, path, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&registry);
}

/* A registry with one model, for the error and override cases. */
static const char *small_json =
  "{\"models\": [{\"id\": \"openai/gpt-4o\", \"provider\": \"openai\","
  "  \"aliases\": [\"gpt-4o\"], \"context_length\": 128000, \"max_output_tokens\": 16384,"
  "  \"input_per_mtok\": 2500000, \"output_per_mtok\": 10000000,"
  "  \"cached_input_per_mtok\": 1250000}],"
  " \"aliases\": {\"smart\": {\"targets\": [\"openai/gpt-4o\"]}}}";

static GrRegistry *
load_small (void)
{
  g_autoptr(GrRegistry) registry = gr_registry_new ();
  g_autoptr(GError) error = NULL;

  gr_registry_load_data (registry, small_json, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&registry);
}

static void
check_shipped_entry (GrModelInfo *m)
{
  g_autofree char *prefix = g_strconcat (m->provider, "/", NULL);
  gboolean local = g_str_equal (m->provider, "ollama");

  g_test_message ("checking %s", m->id);
  g_assert_true (g_strv_contains (known_providers, m->provider));
  g_assert_true (g_str_has_prefix (m->id, prefix));
  g_assert_cmpstr (m->upstream, !=, "");
  g_assert_cmpint (m->context_length, >, 0);
  g_assert_cmpint (m->max_output_tokens, >, 0);
  g_assert_cmpint (m->max_output_tokens, <=, m->context_length);
  g_assert_cmpint (m->created, >, 1600000000);
  g_assert_true (gr_model_info_validate (m, NULL));
  if (local)
    {
      g_assert_cmpint (m->input_per_mtok + m->output_per_mtok, ==, 0);
      return;
    }
  g_assert_cmpint (m->input_per_mtok, >, 0);
  g_assert_cmpint (m->output_per_mtok, >=, m->input_per_mtok);
  g_assert_cmpint (m->cached_input_per_mtok, <=, m->input_per_mtok);
  g_assert_cmpint (m->cache_write_per_mtok, >=, m->input_per_mtok);
  /* Every price is below $200 per million tokens: catches a slip of
   * units (USD per token, or micro-USD per token). */
  g_assert_cmpint (m->output_per_mtok, <, 200 * 1000000);
}

static void
test_shipped_file (void)
{
  g_autoptr(GrRegistry) registry = load_shipped ();
  g_autoptr(GPtrArray) models = gr_registry_list (registry);
  g_autoptr(GPtrArray) routes = gr_registry_list_routes (registry);
  g_autoptr(GrModelInfo) gpt4o = NULL;
  g_autoptr(GHashTable) providers_seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_assert_cmpuint (models->len, >=, 20);
  for (guint i = 0; i < models->len; i++)
    {
      GrModelInfo *m = g_ptr_array_index (models, i);

      check_shipped_entry (m);
      g_hash_table_add (providers_seen, m->provider);
    }
  g_assert_cmpuint (g_hash_table_size (providers_seen), ==, 5);

  /* Every route target names a model of the registry. */
  g_assert_cmpuint (routes->len, >=, 2);
  for (guint i = 0; i < routes->len; i++)
    {
      GrRouteAlias *alias = g_ptr_array_index (routes, i);

      for (guint j = 0; j < alias->n_targets; j++)
        {
          g_autoptr(GrModelInfo) target = gr_registry_find_model (registry, alias->targets[j].model);

          g_assert_nonnull (target);
        }
    }

  /* OpenAI's published price for gpt-4o: $2.50 in, $10 out, $1.25 cached. */
  gpt4o = gr_registry_lookup (registry, "openai/gpt-4o");
  g_assert_nonnull (gpt4o);
  g_assert_cmpint (gpt4o->input_per_mtok, ==, 2500000);
  g_assert_cmpint (gpt4o->output_per_mtok, ==, 10000000);
  g_assert_cmpint (gpt4o->cached_input_per_mtok, ==, 1250000);
}

typedef struct
{
  const char *json;
  GQuark      domain;
  int         code;
  const char *message_part;
} BadCase;

#define MODEL_HEAD "{\"models\": [{\"id\": \"a/b\", \"provider\": \"a\", "
#define PRICES "\"input_per_mtok\": 1, \"output_per_mtok\": 2"

static void
test_bad_input (void)
{
  const BadCase cases[] = {
    { "{\"models\": [", 0, 0, NULL },
    { "[1, 2]", GR_ERROR, GR_ERROR_INVALID, "JSON object" },
    { "{\"models\": {}}", GR_ERROR, GR_ERROR_INVALID, "models: must be an array" },
    { "{\"models\": [{\"provider\": \"a\", " PRICES "}]}", GR_ERROR, GR_ERROR_INVALID,
      "models[0]: id: missing" },
    { MODEL_HEAD "\"input_per_mtok\": -1, \"output_per_mtok\": 2}]}", GR_ERROR,
      GR_ERROR_INVALID, "models[0] (\"a/b\"): input_per_mtok: must be an integer from 0" },
    { MODEL_HEAD "\"input_per_mtok\": 1, \"output_per_mtok\": 99999999999999999999}]}",
      GR_ERROR, GR_ERROR_INVALID, "models[0] (\"a/b\"): output_per_mtok" },
    { MODEL_HEAD "\"input_per_mtok\": 1000000000001, \"output_per_mtok\": 2}]}", GR_ERROR,
      GR_ERROR_INVALID, "input_per_mtok: must be an integer from 0 to 1000000000000" },
    { MODEL_HEAD "\"input_per_mtok\": 2.5, \"output_per_mtok\": 2}]}", GR_ERROR,
      GR_ERROR_INVALID, "input_per_mtok: must be an integer" },
    { MODEL_HEAD "\"input_per_mtok\": \"2500000\", \"output_per_mtok\": 2}]}", GR_ERROR,
      GR_ERROR_INVALID, "input_per_mtok: must be an integer" },
    { MODEL_HEAD "\"input_per_mtok\": 1}]}", GR_ERROR, GR_ERROR_INVALID,
      "models[0] (\"a/b\"): output_per_mtok: missing" },
    { MODEL_HEAD PRICES ", \"cached_input_per_mtok\": -5}]}", GR_ERROR, GR_ERROR_INVALID,
      "cached_input_per_mtok" },
    { MODEL_HEAD PRICES ", \"context_length\": -1}]}", GR_ERROR, GR_ERROR_INVALID,
      "context_length" },
    { MODEL_HEAD PRICES ", \"capabilities\": {\"tools\": \"yes\"}}]}", GR_ERROR,
      GR_ERROR_INVALID, "capabilities.tools: must be true or false" },
    { MODEL_HEAD PRICES ", \"aliases\": [\"x\", 3]}]}", GR_ERROR, GR_ERROR_INVALID,
      "aliases[1]: must be a string" },
    { "{\"models\": [{\"id\": \"a/b\", \"provider\": \"open ai\", " PRICES "}]}", GR_ERROR,
      GR_ERROR_INVALID, "provider" },
    { "{\"models\": [" "{\"id\": \"a/b\", \"provider\": \"a\", " PRICES "},"
      "{\"id\": \"a/b\", \"provider\": \"a\", " PRICES "}]}", GR_ERROR, GR_ERROR_CONFLICT,
      "models[1] (\"a/b\"): id: duplicate" },
    { "{\"models\": [" "{\"id\": \"a/b\", \"provider\": \"a\", \"aliases\": [\"b\"], " PRICES "},"
      "{\"id\": \"a/c\", \"provider\": \"a\", \"aliases\": [\"b\"], " PRICES "}]}", GR_ERROR,
      GR_ERROR_CONFLICT, "\"b\" already names \"a/b\"" },
    { "{\"models\": [], \"aliases\": {\"s\": {\"targets\": \"x\"}}}", GR_ERROR,
      GR_ERROR_INVALID, "aliases.s: targets: must be an array" },
    { "{\"models\": [], \"aliases\": {\"s\": {\"targets\": []}}}", GR_ERROR, GR_ERROR_INVALID,
      "alias \"s\": targets: must list at least one model" },
    { "{\"models\": [], \"aliases\": {\"s\": {\"strategy\": \"random\", \"targets\": [\"x\"]}}}",
      GR_ERROR, GR_ERROR_INVALID, "aliases.s: strategy" },
    { "{\"models\": [], \"aliases\": {\"s\": {\"targets\": [{\"model\": \"x\", \"weight\": 0}]}}}",
      GR_ERROR, GR_ERROR_INVALID, "weight" },
  };
  g_autoptr(GrRegistry) registry = load_small ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("case %u: %s", i, cases[i].json);
      g_assert_false (gr_registry_load_data (registry, cases[i].json, -1, &error));
      g_assert_nonnull (error);
      if (cases[i].domain == 0)
        g_assert_true (error->domain == JSON_PARSER_ERROR);
      else
        g_assert_error (error, cases[i].domain, cases[i].code);
      if (cases[i].message_part != NULL && strstr (error->message, cases[i].message_part) == NULL)
        g_error ("case %u: \"%s\" lacks \"%s\"", i, error->message, cases[i].message_part);
      /* A failed load leaves the registry as it was. */
      g_assert_cmpuint (gr_registry_get_n_models (registry), ==, 1);
    }
}

static void
test_missing_file (void)
{
  g_autoptr(GrRegistry) registry = gr_registry_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (gr_registry_load_file (registry, "/nonexistent/models.json", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
}

static void
test_defaults (void)
{
  g_autoptr(GrRegistry) registry = gr_registry_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GrModelInfo) m = NULL;

  gr_registry_load_data (registry,
                         "{\"models\": [{\"id\": \"openrouter/x/y:free\", \"provider\": \"openrouter\","
                         " \"input_per_mtok\": 7, \"output_per_mtok\": 9, \"unknown\": 1}]}",
                         -1, &error);
  g_assert_no_error (error);
  m = gr_registry_lookup (registry, "openrouter/x/y:free");
  g_assert_nonnull (m);
  /* Upstream defaults to the id without its provider prefix. */
  g_assert_cmpstr (m->upstream, ==, "x/y:free");
  g_assert_cmpint (m->cached_input_per_mtok, ==, 7);
  g_assert_cmpint (m->cache_write_per_mtok, ==, 7);
  g_assert_cmpint (m->context_length, ==, 0);
  g_assert_false (m->capabilities.tools);
  g_assert_cmpstrv (m->aliases, ((const char * const []) { NULL }));
}

static void
test_lookup (void)
{
  g_autoptr(GrRegistry) registry = load_shipped ();
  g_autoptr(GrModelInfo) by_id = gr_registry_lookup (registry, "openai/gpt-4o");
  g_autoptr(GrModelInfo) by_alias = gr_registry_lookup_alias (registry, "gpt-4o");
  g_autoptr(GrModelInfo) found = gr_registry_find_model (registry, "claude-sonnet-4-5");
  g_autoptr(GrRouteAlias) smart = gr_registry_lookup_route (registry, "smart");
  g_autoptr(GPtrArray) list = gr_registry_list (registry);

  g_assert_nonnull (by_id);
  g_assert_true (by_id == by_alias);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->id, ==, "anthropic/claude-sonnet-4-5");
  g_assert_cmpstr (found->upstream, ==, "claude-sonnet-4-5-20250929");

  /* Case-sensitive, and ids and aliases are separate lookups. */
  g_assert_null (gr_registry_lookup (registry, "OpenAI/gpt-4o"));
  g_assert_null (gr_registry_lookup_alias (registry, "GPT-4o"));
  g_assert_null (gr_registry_lookup (registry, "gpt-4o"));
  g_assert_null (gr_registry_lookup_alias (registry, "openai/gpt-4o"));
  g_assert_null (gr_registry_find_model (registry, "gpt-4"));

  g_assert_nonnull (smart);
  g_assert_cmpuint (smart->n_targets, ==, 2);
  g_assert_cmpstr (smart->targets[0].model, ==, "anthropic/claude-sonnet-4-5");
  g_assert_null (gr_registry_lookup_route (registry, "gpt-4o"));

  g_assert_cmpint (gr_registry_lookup_default_max_tokens (registry, "gpt-4o"), ==, 16384);
  g_assert_cmpint (gr_registry_lookup_default_max_tokens (registry, "anthropic/claude-opus-4-1"),
                   ==, 32000);
  g_assert_cmpint (gr_registry_lookup_default_max_tokens (registry, "nope"), ==, 0);

  g_assert_cmpuint (list->len, ==, gr_registry_get_n_models (registry));
  for (guint i = 1; i < list->len; i++)
    g_assert_cmpint (strcmp (((GrModelInfo *) list->pdata[i - 1])->id,
                             ((GrModelInfo *) list->pdata[i])->id), <, 0);
}

static void
test_to_json (void)
{
  g_autoptr(GrRegistry) registry = load_shipped ();
  g_autoptr(GrModelInfo) m = gr_registry_lookup (registry, "anthropic/claude-sonnet-4-5");
  g_autoptr(JsonNode) node = gr_model_info_to_json (m);
  JsonObject *obj = json_node_get_object (node);

  g_assert_cmpstr (json_object_get_string_member (obj, "id"), ==, "anthropic/claude-sonnet-4-5");
  g_assert_cmpstr (json_object_get_string_member (obj, "object"), ==, "model");
  g_assert_cmpstr (json_object_get_string_member (obj, "owned_by"), ==, "anthropic");
  g_assert_cmpint (json_object_get_int_member (obj, "created"), ==, 1759104000);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (obj, "pricing"),
                                               "cache_write_per_mtok"), ==, 3750000);
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (obj, "capabilities"),
                                                 "tools"));
}

static void
test_upsert_remove (void)
{
  g_autoptr(GrRegistry) registry = load_small ();
  g_autoptr(GrModelInfo) before = gr_registry_lookup (registry, "openai/gpt-4o");
  g_autoptr(GrModelInfo) edit = gr_model_info_copy (before);
  g_autoptr(GrModelInfo) other = gr_model_info_new ("openai/other", "openai", "other");
  g_autoptr(GrModelInfo) after = NULL;
  g_autoptr(GError) error = NULL;
  const char *new_aliases[] = { "4o", NULL };
  const char *clash[] = { "4o", NULL };

  /* Replace gpt-4o with a new price and alias. */
  edit->input_per_mtok = 3000000;
  gr_model_info_set_aliases (edit, new_aliases);
  g_assert_true (gr_registry_upsert_model (registry, edit, &error));
  g_assert_no_error (error);
  after = gr_registry_lookup_alias (registry, "4o");
  g_assert_nonnull (after);
  g_assert_cmpint (after->input_per_mtok, ==, 3000000);
  g_assert_null (gr_registry_lookup_alias (registry, "gpt-4o"));
  /* The entry a request already holds is unchanged. */
  g_assert_cmpint (before->input_per_mtok, ==, 2500000);

  /* A new model may not take another model's alias … */
  gr_model_info_set_aliases (other, clash);
  g_assert_false (gr_registry_upsert_model (registry, other, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_CONFLICT);
  g_clear_error (&error);
  /* … nor carry a negative price. */
  gr_model_info_set_aliases (other, NULL);
  other->output_per_mtok = -1;
  g_assert_false (gr_registry_upsert_model (registry, other, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "output_per_mtok"));
  g_clear_error (&error);
  g_assert_cmpuint (gr_registry_get_n_models (registry), ==, 1);

  other->output_per_mtok = 1;
  g_assert_true (gr_registry_upsert_model (registry, other, &error));
  g_assert_cmpuint (gr_registry_get_n_models (registry), ==, 2);

  g_assert_true (gr_registry_remove_model (registry, "openai/gpt-4o", &error));
  g_assert_null (gr_registry_lookup_alias (registry, "4o"));
  g_assert_false (gr_registry_remove_model (registry, "openai/gpt-4o", &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_NOT_FOUND);
}

static void
test_set_alias (void)
{
  g_autoptr(GrRegistry) registry = load_small ();
  g_autoptr(GrRouteAlias) alias = NULL;
  g_autoptr(GError) error = NULL;
  const char *targets[] = { "openai/gpt-4o", "google/gemini-2.5-flash", NULL };
  const guint weights[] = { 3, 1 };
  const guint bad_weights[] = { 3, 0 };

  g_assert_true (gr_registry_set_alias (registry, "fast", GR_ALIAS_STRATEGY_WEIGHTED,
                                        targets, weights, &error));
  g_assert_no_error (error);
  alias = gr_registry_lookup_route (registry, "fast");
  g_assert_cmpint (alias->strategy, ==, GR_ALIAS_STRATEGY_WEIGHTED);
  g_assert_cmpuint (alias->targets[0].weight, ==, 3);
  g_assert_cmpuint (alias->targets[1].weight, ==, 1);

  g_assert_false (gr_registry_set_alias (registry, "fast", GR_ALIAS_STRATEGY_WEIGHTED,
                                         targets, bad_weights, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (gr_registry_set_alias (registry, "bad name", GR_ALIAS_STRATEGY_FALLBACK,
                                         targets, NULL, &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_INVALID);
  g_clear_error (&error);

  g_assert_true (gr_registry_remove_alias (registry, "fast", &error));
  g_assert_null (gr_registry_lookup_route (registry, "fast"));
  g_assert_false (gr_registry_remove_alias (registry, "fast", &error));
  g_assert_error (error, GR_ERROR, GR_ERROR_NOT_FOUND);
}

static GKeyFile *
keyfile_from (const char *text)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) error = NULL;

  g_key_file_load_from_data (keyfile, text, -1, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&keyfile);
}

static void
test_keyfile (void)
{
  g_autoptr(GrRegistry) registry = load_small ();
  g_autoptr(GKeyFile) keyfile = keyfile_from (
    "[gateway]\nlisten=8080\n"
    "[model:openai/gpt-4o]\ninput_per_mtok=2000000\n"
    "[model:ollama/llama3.1:8b]\ninput_per_mtok=0\noutput_per_mtok=0\n"
    "context_length=131072\naliases=llama;l3\ntools=true\n"
    "[alias:fast]\ntargets=openai/gpt-4o;ollama/llama3.1:8b\nweights=3;1\n"
    "[alias:smart]\ntargets=ollama/llama3.1:8b\nstrategy=fallback\n");
  g_autoptr(GrModelInfo) gpt4o = NULL;
  g_autoptr(GrModelInfo) llama = NULL;
  g_autoptr(GrRouteAlias) fast = NULL;
  g_autoptr(GrRouteAlias) smart = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (gr_registry_apply_keyfile (registry, keyfile, &error));
  g_assert_no_error (error);

  /* Only the given key changes. */
  gpt4o = gr_registry_lookup_alias (registry, "gpt-4o");
  g_assert_cmpint (gpt4o->input_per_mtok, ==, 2000000);
  g_assert_cmpint (gpt4o->output_per_mtok, ==, 10000000);
  g_assert_cmpint (gpt4o->cached_input_per_mtok, ==, 1250000);
  g_assert_cmpint (gpt4o->context_length, ==, 128000);

  llama = gr_registry_lookup_alias (registry, "l3");
  g_assert_nonnull (llama);
  g_assert_cmpstr (llama->provider, ==, "ollama");
  g_assert_cmpstr (llama->upstream, ==, "llama3.1:8b");
  g_assert_cmpint (llama->context_length, ==, 131072);
  g_assert_true (llama->capabilities.tools);

  fast = gr_registry_lookup_route (registry, "fast");
  g_assert_cmpint (fast->strategy, ==, GR_ALIAS_STRATEGY_WEIGHTED);
  g_assert_cmpuint (fast->n_targets, ==, 2);
  g_assert_cmpuint (fast->targets[0].weight, ==, 3);
  smart = gr_registry_lookup_route (registry, "smart");
  g_assert_cmpint (smart->strategy, ==, GR_ALIAS_STRATEGY_FALLBACK);
  g_assert_cmpstr (smart->targets[0].model, ==, "ollama/llama3.1:8b");
}

static void
test_keyfile_errors (void)
{
  const struct { const char *text; const char *message_part; } cases[] = {
    { "[model:openai/gpt-4o]\ninput_per_mtok=-1\n", "[model:openai/gpt-4o]: input_per_mtok" },
    { "[model:openai/gpt-4o]\ncached_input_per_mtok=1e6\n", "cached_input_per_mtok" },
    { "[model:openai/gpt-4o]\ninput_per_mtk=1\n", "input_per_mtk: unknown key" },
    { "[model:openai/new]\ninput_per_mtok=1\n", "needs input_per_mtok and output_per_mtok" },
    { "[model:nameonly]\ninput_per_mtok=1\noutput_per_mtok=1\n", "provider" },
    { "[model:openai/x]\ninput_per_mtok=1\noutput_per_mtok=1\naliases=gpt-4o\n",
      "\"gpt-4o\" already names \"openai/gpt-4o\"" },
    { "[alias:a]\ntargets=x;y\nweights=1\n", "[alias:a]: weights" },
    { "[alias:a]\ntargets=x;y\nweights=1;-2\n", "[alias:a]: weights" },
    { "[alias:a]\ntargets=x\nstrategy=roundrobin\n", "[alias:a]: strategy" },
    { "[alias:a]\nweights=1\n", "[alias:a]: targets" },
  };
  g_autoptr(GrRegistry) registry = load_small ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      /* A valid section first: it must not survive the failure. */
      g_autofree char *text = g_strconcat ("[model:openai/gpt-4o]\noutput_per_mtok=1\n"
                                           "[alias:zzz]\ntargets=openai/gpt-4o\n",
                                           cases[i].text, NULL);
      g_autoptr(GKeyFile) keyfile = NULL;
      g_autoptr(GrModelInfo) m = NULL;
      g_autoptr(GError) error = NULL;
      int code = i == 5 ? GR_ERROR_CONFLICT : GR_ERROR_INVALID;

      /* Keys of [model:openai/gpt-4o] merge when the group repeats. */
      keyfile = keyfile_from (text);
      g_test_message ("case %u", i);
      g_assert_false (gr_registry_apply_keyfile (registry, keyfile, &error));
      g_assert_error (error, GR_ERROR, code);
      if (strstr (error->message, cases[i].message_part) == NULL)
        g_error ("case %u: \"%s\" lacks \"%s\"", i, error->message, cases[i].message_part);
      m = gr_registry_lookup (registry, "openai/gpt-4o");
      g_assert_cmpint (m->output_per_mtok, ==, 10000000);
      g_assert_null (gr_registry_lookup_route (registry, "zzz"));
    }
}

/* ------------------------------------------------------------------ */
/* Cost                                                                */
/* ------------------------------------------------------------------ */

static GrUsage
usage_of (gint64 prompt,
          gint64 completion,
          gint64 cached,
          gint64 writes)
{
  GrUsage usage;

  gr_usage_init (&usage);
  usage.known = TRUE;
  usage.prompt_tokens = prompt;
  usage.completion_tokens = completion;
  usage.cached_tokens = cached;
  usage.cache_write_tokens = writes;
  return usage;
}

static GrModelInfo *
priced_model (gint64 input,
              gint64 output,
              gint64 cached,
              gint64 write)
{
  GrModelInfo *m = gr_model_info_new ("t/m", "t", "m");

  m->input_per_mtok = input;
  m->output_per_mtok = output;
  m->cached_input_per_mtok = cached;
  m->cache_write_per_mtok = write;
  return m;
}

static void
test_cost_simple (void)
{
  g_autoptr(GrRegistry) registry = load_shipped ();
  g_autoptr(GrModelInfo) gpt4o = gr_registry_lookup (registry, "openai/gpt-4o");
  g_autoptr(GrModelInfo) mini = gr_registry_lookup (registry, "openai/gpt-4o-mini");
  GrUsage u;

  /* 1000 × $2.50/M + 500 × $10/M = 2500 + 5000 µ$. */
  u = usage_of (1000, 500, 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (gpt4o, &u), ==, 7500);
  /* 123457 × 0.15 = 18518.55, 98765 × 0.60 = 59259 → 77777.55 → 77778. */
  u = usage_of (123457, 98765, 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (mini, &u), ==, 77778);
  /* No usage, no cost. */
  u = usage_of (0, 0, 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (gpt4o, &u), ==, 0);
}

static void
test_cost_cached (void)
{
  g_autoptr(GrRegistry) registry = load_shipped ();
  g_autoptr(GrModelInfo) sonnet = gr_registry_lookup (registry, "anthropic/claude-sonnet-4-5");
  g_autoptr(GrModelInfo) gpt4o = gr_registry_lookup (registry, "openai/gpt-4o");
  GrUsage u;

  /* Prompt 10000 = 2000 plain × $3 (6000) + 6000 read × $0.30 (1800)
   * + 2000 written × $3.75 (7500); 1234 out × $15 = 18510. */
  u = usage_of (10000, 1234, 6000, 2000);
  g_assert_cmpint (gr_model_info_cost_micros (sonnet, &u), ==, 33810);
  /* OpenAI: 1500 of 2001 cached: 501 × 2.5 = 1252.5, 1500 × 1.25 = 1875,
   * 3 × 10 = 30 → 3157.5 → 3158. */
  u = usage_of (2001, 3, 1500, 0);
  g_assert_cmpint (gr_model_info_cost_micros (gpt4o, &u), ==, 3158);
  /* An upstream claiming more cached than prompt tokens: no negative term. */
  u = usage_of (100, 0, 150, 0);
  g_assert_cmpint (gr_model_info_cost_micros (gpt4o, &u), ==, 188);
  u = usage_of (-5, -7, -1, -1);
  g_assert_cmpint (gr_model_info_cost_micros (gpt4o, &u), ==, 0);
}

static void
test_cost_rounding (void)
{
  g_autoptr(GrModelInfo) one = priced_model (1, 1, 1, 1);
  GrUsage u;

  /* Half a micro-dollar rounds up … */
  u = usage_of (500000, 0, 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (one, &u), ==, 1);
  u = usage_of (499999, 0, 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (one, &u), ==, 0);
  /* … once at the end: 0.5 + 0.5 is 1, not 2 (per term) nor 0 (truncated). */
  u = usage_of (500000, 500000, 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (one, &u), ==, 1);
  /* Four terms of 0.4 each: 1.6 → 2 (rounding each would give 0). */
  u = usage_of (1200000, 400000, 400000, 400000);
  g_assert_cmpint (gr_model_info_cost_micros (one, &u), ==, 2);
}

static void
test_cost_large (void)
{
  g_autoptr(GrModelInfo) max_in = priced_model (GR_PRICE_MAX_PER_MTOK, 1000000, 0, 0);
  g_autoptr(GrModelInfo) gpt4o = priced_model (2500000, 10000000, 1250000, 2500000);
  GrUsage u;

  /* A trillion tokens of gpt-4o: exactly $2.5M + $10M. */
  u = usage_of (G_GINT64_CONSTANT (1000000000000), G_GINT64_CONSTANT (1000000000000), 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (gpt4o, &u), ==, G_GINT64_CONSTANT (12500000000000));

  /* 9223372036854 × 10¹² / 10⁶ + 775807 × 10⁶ / 10⁶ = G_MAXINT64 exactly,
   * although token × price is far beyond 64 bits. */
  u = usage_of (G_GINT64_CONSTANT (9223372036854), 775807, 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (max_in, &u), ==, G_MAXINT64);
  /* One more token saturates instead of wrapping around. */
  u = usage_of (G_GINT64_CONSTANT (9223372036854), 775808, 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (max_in, &u), ==, G_MAXINT64);
  u = usage_of (G_MAXINT64, G_MAXINT64, 0, 0);
  g_assert_cmpint (gr_model_info_cost_micros (max_in, &u), ==, G_MAXINT64);
}

static void
test_cost_upstream (void)
{
  g_autoptr(GrModelInfo) gpt4o = priced_model (2500000, 10000000, 1250000, 2500000);
  GrUsage u = usage_of (1000, 500, 0, 0);

  /* OpenRouter's reported cost is what was billed. */
  u.upstream_cost_micros = 4242;
  g_assert_cmpint (gr_model_info_cost_micros (gpt4o, &u), ==, 4242);
  g_assert_cmpint (gr_model_info_cost_micros (NULL, &u), ==, 4242);
  u.upstream_cost_micros = 0;
  g_assert_cmpint (gr_model_info_cost_micros (gpt4o, &u), ==, 0);
  /* Unknown model, no reported cost: 0 by definition. */
  u.upstream_cost_micros = -1;
  g_assert_cmpint (gr_model_info_cost_micros (NULL, &u), ==, 0);
  g_assert_cmpint (gr_model_info_cost_micros (gpt4o, &u), ==, 7500);
}

/* ------------------------------------------------------------------ */
/* Concurrency smoke test                                              */
/* ------------------------------------------------------------------ */

static gpointer
reader_thread (gpointer data)
{
  GrRegistry *registry = data;

  for (guint i = 0; i < 20000; i++)
    {
      g_autoptr(GrModelInfo) m = gr_registry_find_model (registry, "gpt-4o");

      /* The writer flips the price between two values, never anything else. */
      g_assert_nonnull (m);
      g_assert_true (m->input_per_mtok == 2500000 || m->input_per_mtok == 2000000);
    }
  return NULL;
}

static void
test_concurrent_readers (void)
{
  g_autoptr(GrRegistry) registry = load_small ();
  g_autoptr(GrModelInfo) base = gr_registry_lookup (registry, "openai/gpt-4o");
  g_autoptr(GrModelInfo) edit = gr_model_info_copy (base);
  GThread *readers[4];

  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    readers[i] = g_thread_new ("reader", reader_thread, registry);
  for (guint i = 0; i < 2000; i++)
    {
      edit->input_per_mtok = i % 2 ? 2500000 : 2000000;
      g_assert_true (gr_registry_upsert_model (registry, edit, NULL));
    }
  for (guint i = 0; i < G_N_ELEMENTS (readers); i++)
    g_thread_join (readers[i]);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/gaiarouter/registry/shipped-file", test_shipped_file);
  g_test_add_func ("/gaiarouter/registry/bad-input", test_bad_input);
  g_test_add_func ("/gaiarouter/registry/missing-file", test_missing_file);
  g_test_add_func ("/gaiarouter/registry/defaults", test_defaults);
  g_test_add_func ("/gaiarouter/registry/lookup", test_lookup);
  g_test_add_func ("/gaiarouter/registry/to-json", test_to_json);
  g_test_add_func ("/gaiarouter/registry/upsert-remove", test_upsert_remove);
  g_test_add_func ("/gaiarouter/registry/set-alias", test_set_alias);
  g_test_add_func ("/gaiarouter/registry/keyfile", test_keyfile);
  g_test_add_func ("/gaiarouter/registry/keyfile-errors", test_keyfile_errors);
  g_test_add_func ("/gaiarouter/registry/cost/simple", test_cost_simple);
  g_test_add_func ("/gaiarouter/registry/cost/cached", test_cost_cached);
  g_test_add_func ("/gaiarouter/registry/cost/rounding", test_cost_rounding);
  g_test_add_func ("/gaiarouter/registry/cost/large", test_cost_large);
  g_test_add_func ("/gaiarouter/registry/cost/upstream", test_cost_upstream);
  g_test_add_func ("/gaiarouter/registry/concurrent-readers", test_concurrent_readers);

  return g_test_run ();
}
