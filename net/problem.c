// SPDX-License-Identifier: Apache-2.0
//
// problem.c -- RFC 9457 problem details, as every HTTP API answers a
// refusal.

#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "common/err.h"
#include "net/problem.h"

char *
fs_problem_json(
    int status, const char *type, const char *title, const char *detail)
{
	char    t[96];
	json_t *o;
	char   *s;

	snprintf(t, sizeof(t), "%s%s", FS_PROBLEM_PREFIX, type);
	o = json_pack("{s:s, s:s, s:i, s:s}", "type", t, "title", title,
	    "status", status, "detail", detail);
	if (o == NULL) { // a detail that is not UTF-8
		o = json_pack("{s:s, s:s, s:i, s:s}", "type", t, "title", title,
		    "status", status, "detail", "");
	}
	s = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	return (s);
}

char *
fs_problem_of_err(int status, fs_err err, const char *detail)
{
	return (fs_problem_json(
	    status, fs_err_name(err), fs_strerror(err), detail));
}
