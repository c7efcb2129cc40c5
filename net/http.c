// SPDX-License-Identifier: Apache-2.0
//
// http.c -- one HTTP request on nng's HTTP client, for the commands that
// talk to the coordinator's HTTP API and read its log.
//
// Each request opens its own connection and waits for the whole answer,
// within one timeout; nng reads the body by its Content-Length.  The
// answer is copied out, NUL-terminated, so a caller may treat text as a
// string.  A body larger than FS_HTTP_RESPONSE_MAX is refused rather than
// held.

#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "common/err.h"
#include "net/http.h"
#include "net/netimpl.h"

fs_err
fs_http_request_with(const char *method, const char *url,
    const char *const *headers, const char *ctype, const void *body, size_t len,
    int timeout_ms, int *status, uint8_t **resp, size_t *resplen)
{
	nng_url         *u   = NULL;
	nng_http_client *cli = NULL;
	nng_http_req    *req = NULL;
	nng_http_res    *res = NULL;
	nng_aio         *aio = NULL;
	void            *data;
	size_t           n;
	uint8_t         *out;
	int              rv;

	if (strncmp(url, "http://", 7) != 0
	    && strncmp(url, "https://", 8) != 0) {
		return (FS_ERR_INVALID);
	}
	if ((rv = nng_url_parse(&u, url)) != 0
	    || (rv = nng_http_client_alloc(&cli, u)) != 0
	    || (rv = nng_http_req_alloc(&req, u)) != 0
	    || (rv = nng_http_res_alloc(&res)) != 0
	    || (rv = nng_aio_alloc(&aio, NULL, NULL)) != 0
	    || (rv = nng_http_req_set_method(req, method)) != 0) {
		goto out;
	}
	for (size_t i = 0; headers != NULL && headers[i] != NULL; i += 2) {
		if ((rv = nng_http_req_set_header(
		         req, headers[i], headers[i + 1]))
		    != 0) {
			goto out;
		}
	}
	if (ctype != NULL
	    && (rv = nng_http_req_set_header(req, "Content-Type", ctype))
	        != 0) {
		goto out;
	}
	if (body != NULL
	    && (rv = nng_http_req_copy_data(req, body, len)) != 0) {
		goto out;
	}
	nng_aio_set_timeout(aio, timeout_ms);
	nng_http_client_transact(cli, req, res, aio);
	nng_aio_wait(aio);
	if ((rv = nng_aio_result(aio)) != 0) {
		goto out;
	}
	nng_http_res_get_data(res, &data, &n);
	if (n > FS_HTTP_RESPONSE_MAX) {
		rv = NNG_EMSGSIZE;
		goto out;
	}
	if ((out = malloc(n + 1)) == NULL) {
		rv = NNG_ENOMEM;
		goto out;
	}
	if (n > 0) {
		memcpy(out, data, n);
	}
	out[n]   = '\0';
	*status  = nng_http_res_get_status(res);
	*resp    = out;
	*resplen = n;
out:
	nng_aio_free(aio);
	if (res != NULL) {
		nng_http_res_free(res);
	}
	if (req != NULL) {
		nng_http_req_free(req);
	}
	if (cli != NULL) {
		nng_http_client_free(cli);
	}
	if (u != NULL) {
		nng_url_free(u);
	}
	return (proto_nng_err(rv));
}

fs_err
fs_http_request(const char *method, const char *url, const char *ctype,
    const void *body, size_t len, int timeout_ms, int *status, uint8_t **resp,
    size_t *resplen)
{
	return (fs_http_request_with(method, url, NULL, ctype, body, len,
	    timeout_ms, status, resp, resplen));
}
