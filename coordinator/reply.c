// SPDX-License-Identifier: Apache-2.0
//
// reply.c -- how the coordinator's HTTP handlers answer: one reply with
// no caching, an outcome as JSON, a refusal as an RFC 9457 problem.
//
// Every handler file (access.c, log.c, lookup.c, recognition.c) answers
// through here, as does http.c, which routes requests to them.  This file
// calls no other file of the coordinator, so no handler depends on the
// file that starts it.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"

#define WHO "coordinator"

void
coord_http_reply(
    nng_aio *aio, int status, const char *ctype, const void *body, size_t len)
{
	nng_http_res *res;

	if (nng_http_res_alloc(&res) != 0) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	nng_http_res_set_status(res, (uint16_t) status);
	nng_http_res_set_header(res, "Content-Type", ctype);
	nng_http_res_set_header(res, "Cache-Control", "no-store");
	if (status == 401) {
		nng_http_res_set_header(res, "WWW-Authenticate", "Bearer");
	}
	if (body != NULL && len > 0) {
		nng_http_res_copy_data(res, body, len);
	}
	nng_aio_set_output(aio, 0, res);
	nng_aio_finish(aio, 0);
}

void
coord_answer(nng_aio *aio, const fs_outcome *o)
{
	const char *body = o->body != NULL ? o->body : "{}";

	coord_http_reply(aio, o->status,
	    o->status == 200 ? "application/json" : "application/problem+json",
	    body, strlen(body));
}

// A refusal becomes an RFC 9457 problem.
void
coord_problem(fs_outcome *out, const char *what, int status, fs_err err,
    const char *fmt, ...)
{
	char    detail[FS_WHY_MAX];
	char    type[96];
	json_t *o;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	snprintf(
	    type, sizeof(type), "urn:fedscore:problem:%s", fs_err_name(err));
	o           = json_pack("{s:s, s:s, s:i, s:s}", "type", type, "title",
	              fs_strerror(err), "status", status, "detail", detail);
	out->status = status;
	out->err    = err;
	out->body   = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	fs_log(FS_LOG_INFO, WHO, "refused %s (%d %s): %s", what, status,
	    fs_err_name(err), detail);
}
