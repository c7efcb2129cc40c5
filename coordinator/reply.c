// SPDX-License-Identifier: Apache-2.0
//
// reply.c -- how the coordinator's HTTP handlers answer: an outcome as
// JSON, a refusal as an RFC 9457 problem (net/problem.c), logged.
//
// Every handler file (access.c, log.c, lookup.c, recognition.c) answers
// through here.  This file calls no other file of the coordinator, so no
// handler depends on the file that routes to it (http.c).

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "net/httpd.h"
#include "net/problem.h"

#define WHO "coordinator"

void
coord_answer(fs_httpd_res *res, const fs_outcome *o)
{
	const char *body = o->body != NULL ? o->body : "{}";

	fs_httpd_reply(res, o->status,
	    o->status == 200 ? "application/json" : FS_PROBLEM_CTYPE, body,
	    strlen(body));
	if (o->status == 401) {
		fs_httpd_header(res, "WWW-Authenticate", "Bearer");
	}
}

// A refusal becomes an RFC 9457 problem.
void
coord_problem(fs_outcome *out, const char *what, int status, fs_err err,
    const char *fmt, ...)
{
	char    detail[FS_WHY_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	out->status = status;
	out->err    = err;
	out->body   = fs_problem_of_err(status, err, detail);
	fs_log(FS_LOG_INFO, WHO, "refused %s (%d %s): %s", what, status,
	    fs_err_name(err), detail);
}
