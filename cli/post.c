// SPDX-License-Identifier: Apache-2.0
//
// post.c -- a JSON POST to the coordinator, over HTTP(S) (net/http.c),
// or over nng itself for internal callers (tcp://, ipc://), whose reply
// is {"status": N, "body": ...}; and JSON printed as the commands print
// it.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "net/http.h"
#include "net/transport.h"

#define TIMEOUT_MS 30000

// Why the last cli_post failed.
static char last[512];

const char *
cli_post_why(void)
{
	return (last);
}

fs_err
cli_post(const char *base, const char *path, const char *body, int *status,
    char **replyp)
{
	char     full[1024];
	uint8_t *rep;
	size_t   replen;
	fs_err   err;

	if (strncmp(base, "http://", 7) != 0
	    && strncmp(base, "https://", 8) != 0) {
		fs_client *c;
		json_t    *o;

		snprintf(last, sizeof(last), "%s",
		    "expected an http://, https://, tcp:// or ipc:// URL");
		if ((err = fs_client_open(&c, base)) != 0) {
			return (err);
		}
		err = fs_client_call(c, (const uint8_t *) body, strlen(body),
		    TIMEOUT_MS, &rep, &replen);
		fs_client_close(c);
		if (err != 0) {
			snprintf(last, sizeof(last), "%s", fs_strerror(err));
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
	if ((err = fs_http_request("POST", full, "application/json", body,
	         strlen(body), TIMEOUT_MS, status, &rep, &replen))
	    != FS_OK) {
		snprintf(last, sizeof(last), "%s", fs_http_why());
		return (err);
	}
	*replyp = (char *) rep; // NUL-terminated
	return (FS_OK);
}

fs_err
cli_post_json(const char *base, const char *path, const json_t *body,
    int *status, json_t **replyp, char **textp)
{
	char  *text = json_dumps(body, JSON_COMPACT);
	fs_err rv;

	*replyp = NULL;
	*textp  = NULL;
	if (text == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = cli_post(base, path, text, status, textp)) == FS_OK) {
		*replyp = json_loads(*textp, 0, NULL);
	}
	free(text);
	return (rv);
}

void
cli_print_json(const json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

	printf("%s\n", s != NULL ? s : "{}");
	free(s);
}
