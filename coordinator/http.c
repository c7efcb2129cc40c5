// SPDX-License-Identifier: Apache-2.0
//
// http.c -- the coordinator's HTTP API: its routes on the HTTP server
// (net/httpd.h), and the same lookup over nng for internal callers.
//
// A lookup waits for the nodes, a recognition and an access view for
// durable writes and reads of the database: they answer on the server's
// workers.  The log's reads are brief and answer on its event loop.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/err.h"
#include "common/log.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "net/httpd.h"
#include "net/transport.h"

#define WHO          "coordinator"
#define NNG_WORKERS  8
#define ROUTES_COUNT 7

static void
post_lookup(void *arg, const fs_httpd_req *req, fs_httpd_res *res)
{
	fs_outcome o;

	fs_coord_lookup(arg, req->body, req->len, &o);
	coord_answer(res, &o);
	free(o.body);
}

// Over nng, the same body; the reply is {"status": N, "body": {...}}.
static void
internal(
    void *arg, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	fs_outcome o;
	char      *out;
	size_t     n;

	fs_coord_lookup(arg, (const char *) req, len, &o);
	n = (o.body != NULL ? strlen(o.body) : 2) + 32;
	if ((out = malloc(n)) != NULL) {
		snprintf(out, n, "{\"status\":%d,\"body\":%s}", o.status,
		    o.body != NULL ? o.body : "{}");
		*repp    = (uint8_t *) out;
		*replenp = strlen(out);
	}
	free(o.body);
}

// What fs_coord_serve starts, for stop to end: the HTTP server, its
// routes, and the nng server.
typedef struct serving {
	fs_httpd_route routes[ROUTES_COUNT];
	fs_httpd      *hd;
	fs_server     *ns;
} serving;

static void
set_routes(serving *sv, fs_coord *c)
{
	const fs_httpd_route r[ROUTES_COUNT] = {
		{ "POST", "/v1/lookups", false, true, post_lookup, c },
		{ "POST", "/v1/recognitions", false, true,
		    coord_post_recognition, c },
		{ "GET", "/v1/me/access", false, true, coord_get_access, c },
		{ "GET", "/checkpoint", false, false, coord_get_checkpoint, c },
		{ "GET", "/tile/", true, false, coord_get_tile, c },
		{ "GET", "/v1/log/proof/inclusion", false, false,
		    coord_get_inclusion, c },
		{ "GET", "/v1/log/proof/consistency", false, false,
		    coord_get_consistency, c },
	};

	memcpy(sv->routes, r, sizeof(r));
}

// start_listening starts the disclosure log, the HTTP server, and the
// nng server if there is one.
static fs_err
start_listening(fs_coord *c, serving *sv, char *why, size_t whycap)
{
	fs_err err;

	if ((err = coord_log_start(c)) != FS_OK) {
		snprintf(
		    why, whycap, "the disclosure log: %s", fs_strerror(err));
		return (err);
	}
	set_routes(sv, c);
	if ((err = fs_httpd_start(&sv->hd, WHO, c->http, &c->hconf, sv->routes,
	         ROUTES_COUNT, why, whycap))
	    != FS_OK) {
		return (err);
	}
	if (c->listen != NULL
	    && (err = fs_server_start(
	            &sv->ns, c->listen, NNG_WORKERS, internal, c))
	        != 0) {
		snprintf(why, whycap, "cannot listen on %s: %s", c->listen,
		    fs_strerror(err));
		return (err);
	}
	return (FS_OK);
}

// stop ends what was started: the servers, each answering the lookups
// it holds first.
static void
stop(serving *sv)
{
	fs_server_stop(sv->ns);
	fs_httpd_stop(sv->hd);
}

fs_err
fs_coord_serve(fs_coord *c, char *why, size_t whycap)
{
	serving sv = { 0 };
	fs_err  err;
	char    pid[FS_PASERK_PID_LEN + 1];

	fs_daemon_block_signals();
	if ((err = coord_start(c, why, whycap)) != 0
	    || (err = start_listening(c, &sv, why, whycap)) != 0) {
		stop(&sv);
		return (err);
	}
	fs_paserk_pid_from_kid(pid, fs_key_public(c->key)->kid);
	fs_log(FS_LOG_INFO, WHO,
	    "%s (scheme %s %s, region %s, %zu nodes, key %s) serving %s%s%s",
	    c->name, c->scheme.id, c->scheme.version, c->scheme.region,
	    c->nnodes, pid, c->http, c->listen ? " and " : "",
	    c->listen ? c->listen : "");
	fs_log(FS_LOG_INFO, WHO, "stopping on signal %d", fs_daemon_wait());
	stop(&sv);
	return (FS_OK);
}
