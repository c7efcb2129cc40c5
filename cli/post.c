// SPDX-License-Identifier: Apache-2.0
//
// post.c -- a JSON POST to the coordinator, over HTTP with nng's client,
// or over nng itself for internal callers (tcp://, ipc://), whose reply
// is {"status": N, "body": ...}.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "cli.h"
#include "protocol.h"

#define TIMEOUT_MS 30000

fs_err
cli_post(const char *base, const char *path, const char *body, int *status,
    char **replyp)
{
	nng_url         *url = NULL;
	nng_http_client *cli = NULL;
	nng_http_req    *req = NULL;
	nng_http_res    *res = NULL;
	nng_aio         *aio = NULL;
	char             full[1024];
	void            *data;
	size_t           len;
	int              rv;

	if (strncmp(base, "http://", 7) != 0
	    && strncmp(base, "https://", 8) != 0) {
		fs_client *c;
		uint8_t   *rep;
		size_t     replen;
		json_t    *o;
		fs_err     err;

		if ((err = fs_client_open(&c, base)) != 0) {
			return (err);
		}
		err = fs_client_call(c, (const uint8_t *) body, strlen(body),
		    TIMEOUT_MS, &rep, &replen);
		fs_client_close(c);
		if (err != 0) {
			return (err);
		}
		o = json_loadb((const char *) rep, replen, 0, NULL);
		free(rep);
		if (o == NULL
		    || !json_is_integer(json_object_get(o, "status"))) {
			json_decref(o);
			return (FS_ERR_MALFORMED);
		}
		*status
		    = (int) json_integer_value(json_object_get(o, "status"));
		*replyp = json_dumps(json_object_get(o, "body"), JSON_COMPACT);
		json_decref(o);
		return (*replyp != NULL ? FS_OK : FS_ERR_NOMEM);
	}
	snprintf(full, sizeof(full), "%s%s", base,
	    strstr(base + 8, "/") != NULL ? "" : path);
	if ((rv = nng_url_parse(&url, full)) != 0
	    || (rv = nng_http_client_alloc(&cli, url)) != 0
	    || (rv = nng_http_req_alloc(&req, url)) != 0
	    || (rv = nng_http_res_alloc(&res)) != 0
	    || (rv = nng_aio_alloc(&aio, NULL, NULL)) != 0
	    || (rv = nng_http_req_set_method(req, "POST")) != 0
	    || (rv = nng_http_req_set_header(
	            req, "Content-Type", "application/json"))
	        != 0
	    || (rv = nng_http_req_copy_data(req, body, strlen(body))) != 0) {
		goto out;
	}
	nng_aio_set_timeout(aio, TIMEOUT_MS);
	nng_http_client_transact(cli, req, res, aio);
	nng_aio_wait(aio);
	if ((rv = nng_aio_result(aio)) != 0) {
		goto out;
	}
	*status = nng_http_res_get_status(res);
	nng_http_res_get_data(res, &data, &len);
	if ((*replyp = malloc(len + 1)) == NULL) {
		rv = NNG_ENOMEM;
		goto out;
	}
	memcpy(*replyp, data, len);
	(*replyp)[len] = '\0';
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
	if (url != NULL) {
		nng_url_free(url);
	}
	return (rv == 0               ? FS_OK
	        : rv == NNG_ETIMEDOUT ? FS_ERR_TIMEOUT
	                              : FS_ERR_TRANSPORT);
}
