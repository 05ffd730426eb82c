/* gr-error.h — GaiaRouter error domain and OpenAI-shaped API errors
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define GR_ERROR (gr_error_quark ())
GQuark gr_error_quark (void);

typedef enum
{
  GR_ERROR_FAILED,
  GR_ERROR_CONFIG,
  GR_ERROR_ADDRESS_IN_USE,
  GR_ERROR_STORE,
  GR_ERROR_STORE_BUSY,
  GR_ERROR_NOT_FOUND,
  GR_ERROR_CONFLICT,
  GR_ERROR_INVALID,
} GrErrorCode;

/* An error as a client of /v1 sees it: an HTTP status and the OpenAI
 * error object {"error":{"message","type","param","code"}}. */
typedef struct
{
  int    status;
  char  *type;
  char  *code;     /* nullable */
  char  *param;    /* nullable */
  char  *message;
  int    retry_after; /* seconds, 0 = none */
} GrApiError;

GrApiError *gr_api_error_new       (int         status,
                                    const char *type,
                                    const char *code,
                                    const char *param,
                                    const char *format,
                                    ...) G_GNUC_PRINTF (5, 6);
/* 400 invalid_request_error: what the translators refuse in a request. */
GrApiError *gr_api_error_invalid_request (const char *code,
                                          const char *param,
                                          const char *format,
                                          ...) G_GNUC_PRINTF (3, 4);
void        gr_api_error_free      (GrApiError *error);
GrApiError *gr_api_error_copy      (const GrApiError *error);
/* {"error":{...}} as compact JSON. */
char       *gr_api_error_to_json   (const GrApiError *error);
/* Maps an upstream HTTP error (status + raw body) of a provider into the
 * gateway's error policy (wire-formats 2.6 / 7.6).  The provider's own
 * message is kept, prefixed with provider_name; credentials never appear
 * because upstream bodies do not echo them and we never add them. */
GrApiError *gr_api_error_from_upstream (const char *provider_name,
                                        int         upstream_status,
                                        const char *upstream_message,
                                        const char *upstream_code,
                                        gboolean    overloaded);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GrApiError, gr_api_error_free)

G_END_DECLS
