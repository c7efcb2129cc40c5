// SPDX-License-Identifier: Apache-2.0
//
// http.h -- HTTP requests, for the HTTP API and the log.

#ifndef FS_NET_HTTP_H
#define FS_NET_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

// HTTP requests on libcurl, for the coordinator's HTTP API and its log.
// fs_http_request sends method to url (http:// or https://) with body
// (len bytes; NULL for none) of content type ctype (NULL for none),
// waits up to timeout_ms for the whole answer, and returns its status
// and body, malloc'd and NUL-terminated (*resplen excludes the NUL).  A
// transport failure is FS_ERR_TRANSPORT or FS_ERR_TIMEOUT, an answer over
// FS_HTTP_RESPONSE_MAX FS_ERR_TOO_LARGE, and fs_http_why says what
// failed (a certificate not trusted, a connection refused); any HTTP
// status is a success for the caller to judge.  A server's certificate
// is checked against the system's authorities, or those of
// fs_http_set_cacert.
#define FS_HTTP_RESPONSE_MAX (64u << 20)
fs_err fs_http_request(const char *method, const char *url, const char *ctype,
    const void *body, size_t len, int timeout_ms, int *status, uint8_t **resp,
    size_t *resplen);
// fs_http_request_with adds request headers: a NULL-terminated list of
// name, value pairs, e.g. { "Authorization", "Bearer v4.public...", NULL }.
fs_err fs_http_request_with(const char *method, const char *url,
    const char *const *headers, const char *ctype, const void *body, size_t len,
    int timeout_ms, int *status, uint8_t **resp, size_t *resplen);

// fs_http_set_cacert names the PEM file of the certificate authorities
// https:// servers are checked against, for every request after (NULL:
// the system's).  Set it once, before any request is made.
void fs_http_set_cacert(const char *path);

// fs_http_why says why the calling thread's last request failed.
const char *fs_http_why(void);

#endif // FS_NET_HTTP_H
