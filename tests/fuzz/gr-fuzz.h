/* gr-fuzz.h — helpers shared by the libFuzzer targets
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every target defines LLVMFuzzerTestOneInput().  Built with clang and
 * -fsanitize=fuzzer it is a libFuzzer program; built with gr-fuzz-replay.c
 * instead it replays the seed corpus once (any compiler), which keeps the
 * corpus and the crash reproducers in it running in every build.
 *
 * The checks below are the oracles: besides memory errors, undefined
 * behaviour and leaks (the sanitizers' job), a target aborts when a
 * translator breaks its contract — a client-facing stream that is not
 * well-formed SSE with JSON payloads, a request body that is not JSON, an
 * error with the wrong status.
 */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

int LLVMFuzzerTestOneInput (const guint8 *data, size_t size);

/* Criticals and warnings abort: a g_return_if_fail() hit in a translator
 * is a bug the fuzzer should report.  Idempotent. */
void      gr_fuzz_init               (void);
/* Prints the reason and aborts, so libFuzzer saves the input. */
G_NORETURN void gr_fuzz_fail         (const char *format,
                                      ...) G_GNUC_PRINTF (1, 2);
/* The input as a NUL-terminated copy of exactly size + 1 bytes (so ASan
 * catches reads past it). */
char     *gr_fuzz_strndup            (const guint8 *data,
                                      gsize         size);
/* Parses text the way the gateway parses an upstream body
 * (json_parser_new_immutable, no UTF-8 check); NULL when it is not JSON. */
JsonNode *gr_fuzz_parse_upstream     (const char   *text,
                                      gsize         len);
/* Aborts unless json is one JSON value that json-glib reads back. */
void      gr_fuzz_check_json         (const char   *json,
                                      gssize        len,
                                      const char   *what);
/* Aborts unless text is a sequence of "data: <JSON object>\n\n" events,
 * optionally closed by exactly one "data: [DONE]\n\n".  Returns TRUE when
 * the [DONE] is there. */
gboolean  gr_fuzz_check_openai_sse   (const char   *text,
                                      gsize         len);
/* Aborts unless text is a sequence of "event: <name>\ndata: <JSON object>\n\n"
 * events whose "type" member equals the event name. */
void      gr_fuzz_check_anthropic_sse (const char  *text,
                                       gsize        len);

G_END_DECLS
