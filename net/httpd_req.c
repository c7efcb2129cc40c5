// SPDX-License-Identifier: Apache-2.0
//
// httpd_req.c -- one request on the HTTP server, from its headers to its
// answer.
//
// libmicrohttpd calls hd_uri when a request line arrives (its raw URI,
// kept for the query), then hd_access once the headers are in, again for
// each piece of the body, and a last time when the body is whole; and
// hd_completed when the answer has gone or the connection failed.  At
// the headers, everything that can be refused without the body is: the
// header size, the client's count, the route, the method, the content
// type, a declared length over the limit.  A handler that may block runs
// on a worker while its connection is suspended; the worker's answer is
// sent when libmicrohttpd calls hd_access again after the resumption.

#include <arpa/inet.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/log.h"
#include "net/httpd.h"
#include "net/httpdimpl.h"
#include "net/problem.h"

// A request in progress: libmicrohttpd's req_cls.
typedef struct hd_req {
	fs_httpd              *h;
	struct MHD_Connection *mc;
	hd_conn               *conn;
	const fs_httpd_route  *rt;
	char                  *uri; // as sent
	char                   client[FS_HTTPD_ADDR_MAX];
	bool                   counted;   // in the client's count
	bool                   started;   // the headers were seen
	bool                   replied;   // an answer is queued
	bool                   too_large; // the body outgrew the limit
	bool                   done;      // a worker answered in res
	char                  *body;
	size_t                 len, cap;
	fs_httpd_req           req;
	fs_httpd_res           res;
} hd_req;

void
fs_httpd_reply(fs_httpd_res *res, int status, const char *ctype,
    const void *body, size_t len)
{
	free(res->body);
	res->status = status;
	res->ctype  = ctype;
	res->len    = 0;
	if ((res->body = malloc(len + 1)) == NULL) {
		res->status = 500;
		res->ctype  = "text/plain";
		return;
	}
	if (len > 0) {
		memcpy(res->body, body, len);
	}
	res->body[len] = '\0';
	res->len       = len;
}

void
fs_httpd_header(fs_httpd_res *res, const char *name, const char *value)
{
	if (res->nheaders < FS_HTTPD_RES_HEADERS) {
		res->headers[res->nheaders][0] = name;
		res->headers[res->nheaders][1] = value;
		res->nheaders++;
	}
}

void
fs_httpd_problem(fs_httpd_res *res, int status, const char *type,
    const char *title, const char *detail)
{
	char *p = fs_problem_json(status, type, title, detail);

	fs_httpd_reply(res, status, FS_PROBLEM_CTYPE, p != NULL ? p : "{}",
	    p != NULL ? strlen(p) : 2);
	free(p);
}

void *
hd_uri(void *cls, const char *uri, struct MHD_Connection *mc)
{
	hd_req *r;

	(void) mc;
	if ((r = calloc(1, sizeof(*r))) == NULL
	    || (r->uri = strdup(uri)) == NULL) {
		free(r);
		return (NULL);
	}
	r->h = cls;
	return (r);
}

// answer queues the answer in res.
static enum MHD_Result
answer(hd_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result      rv;
	fs_httpd_res        *res = &r->res;

	r->replied = true;
	guard_read(&r->h->guard, r->conn, false);
	resp = MHD_create_response_from_buffer(res->len,
	    res->body != NULL ? res->body : "", MHD_RESPMEM_MUST_COPY);
	if (resp == NULL) {
		return (MHD_NO);
	}
	MHD_add_response_header(resp, "Content-Type",
	    res->ctype != NULL ? res->ctype : "text/plain");
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; i < res->nheaders; i++) {
		MHD_add_response_header(
		    resp, res->headers[i][0], res->headers[i][1]);
	}
	rv = MHD_queue_response(r->mc, (unsigned int) res->status, resp);
	MHD_destroy_response(resp);
	{
		char   path[128];
		size_t n = 0;

		// The path as sent, printable characters only, cut short.
		for (const char *p = r->uri;
		     *p != '\0' && *p != '?' && n < sizeof(path) - 1; p++) {
			path[n++] = *p > ' ' && *p < 127 ? *p : '.';
		}
		path[n] = '\0';
		fs_log(FS_LOG_DEBUG, r->h->who, "%s %s %s: %d", r->client,
		    r->req.method != NULL ? r->req.method : "?", path,
		    res->status);
	}
	return (rv);
}

// refuse answers a problem the server makes itself.
static enum MHD_Result
refuse(hd_req *r, int status, const char *type, const char *title,
    const char *fmt, ...)
{
	char    detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	fs_httpd_problem(&r->res, status, type, title, detail);
	return (answer(r));
}

// client_of: the peer, or, from a trusted proxy, the last hop its
// X-Forwarded-For names (the one the proxy added; the hops before are
// the client's to write).
static void
client_of(hd_req *r)
{
	const fs_httpd_conf *hc   = &r->h->conf;
	const char          *peer = r->conn != NULL ? r->conn->peer : "?";
	const char          *xff, *last;
	char                 hop[FS_HTTPD_ADDR_MAX];
	unsigned char        bin[sizeof(struct in6_addr)];
	size_t               n;

	snprintf(r->client, sizeof(r->client), "%s", peer);
	for (size_t i = 0; i < hc->nproxies; i++) {
		if (strcmp(hc->proxies[i], peer) != 0) {
			continue;
		}
		xff = MHD_lookup_connection_value(
		    r->mc, MHD_HEADER_KIND, "X-Forwarded-For");
		if (xff == NULL) {
			return;
		}
		last = strrchr(xff, ',');
		last = last != NULL ? last + 1 : xff;
		last += strspn(last, " \t");
		n = strcspn(last, " \t");
		if (n > 0 && n < sizeof(hop)) {
			memcpy(hop, last, n);
			hop[n] = '\0';
			if (inet_pton(AF_INET, hop, bin) == 1
			    || inet_pton(AF_INET6, hop, bin) == 1) {
				snprintf(
				    r->client, sizeof(r->client), "%s", hop);
			}
		}
		return;
	}
}

// route finds the route of the request's path and method; when the path
// is known under other methods only, *allow lists them.
static const fs_httpd_route *
route(const fs_httpd *h, const char *path, size_t plen, const char *method,
    char *allow, size_t cap)
{
	const fs_httpd_route *found = NULL;

	allow[0] = '\0';
	for (size_t i = 0; i < h->nroutes; i++) {
		const fs_httpd_route *rt = &h->routes[i];
		size_t                n  = strlen(rt->path);

		if (rt->prefix ? plen < n || strncmp(path, rt->path, n) != 0
		               : plen != n || strncmp(path, rt->path, n) != 0) {
			continue;
		}
		if (strcmp(method, rt->method) == 0
		    || (strcmp(method, "HEAD") == 0
		        && strcmp(rt->method, "GET") == 0)) {
			found = rt;
		} else if (strstr(allow, rt->method) == NULL) {
			snprintf(allow + strlen(allow), cap - strlen(allow),
			    "%s%s%s", allow[0] != '\0' ? ", " : "", rt->method,
			    strcmp(rt->method, "GET") == 0 ? ", HEAD" : "");
		}
	}
	return (found);
}

// json_type: Content-Type application/json, with parameters or not.
static bool
json_type(const char *ct)
{
	size_t n;

	if (ct == NULL) {
		return (false);
	}
	ct += strspn(ct, " \t");
	n = strcspn(ct, "; \t");
	return (n == 16 && strncasecmp(ct, "application/json", 16) == 0);
}

// declared_over: the request declares a body longer than max.
static bool
declared_over(struct MHD_Connection *mc, int64_t max)
{
	const char *cl = MHD_lookup_connection_value(
	    mc, MHD_HEADER_KIND, "Content-Length");
	char              *end;
	unsigned long long n;

	if (cl == NULL) {
		return (false);
	}
	errno = 0;
	n     = strtoull(cl, &end, 10);
	return (errno != 0 || n > (unsigned long long) max);
}

// begin judges the request by its headers: refused, or read on.
static enum MHD_Result
begin(hd_req *r, struct MHD_Connection *mc, const char *method)
{
	const union MHD_ConnectionInfo *ci;
	size_t                          plen = strcspn(r->uri, "?");
	char                            allow[64];

	r->mc = mc;
	ci    = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	r->conn       = ci != NULL ? ci->socket_context : NULL;
	r->req.method = method;
	client_of(r);
	ci = MHD_get_connection_info(
	    mc, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	if (ci != NULL && ci->header_size > FS_HTTPD_HEADERS_MAX) {
		return (refuse(r, 431, "too-large", "request headers too large",
		    "expected at most %d bytes of headers, found %zu",
		    FS_HTTPD_HEADERS_MAX, ci->header_size));
	}
	if (!guard_take(&r->h->guard, r->client)) {
		fs_httpd_header(&r->res, "Retry-After", "1");
		return (refuse(r, 429, "too-many-requests", "too many requests",
		    "expected at most %lld requests in progress from %s",
		    (long long) r->h->conf.max_per_ip, r->client));
	}
	r->counted = true;
	if ((r->rt = route(r->h, r->uri, plen, method, allow, sizeof(allow)))
	    == NULL) {
		if (allow[0] == '\0') {
			return (refuse(r, 404, "not-found", "not found",
			    "no such resource: %.*s", (int) plen, r->uri));
		}
		// answer copies the header before allow goes out of scope.
		fs_httpd_header(&r->res, "Allow", allow);
		return (
		    refuse(r, 405, "method-not-allowed", "method not allowed",
		        "%.*s answers %s only", (int) plen, r->uri, allow));
	}
	if (strcmp(r->rt->method, "POST") == 0) {
		if (!json_type(MHD_lookup_connection_value(
		        mc, MHD_HEADER_KIND, "Content-Type"))) {
			return (refuse(r, 415, "unsupported-media-type",
			    "unsupported media type",
			    "expected Content-Type: application/json"));
		}
		if (declared_over(mc, r->h->conf.max_body)) {
			return (refuse(r, 413, "too-large", "request too large",
			    "expected a body of at most %lld bytes",
			    (long long) r->h->conf.max_body));
		}
	}
	return (MHD_YES);
}

// take keeps a piece of the body, up to the limit; past it, the rest is
// read and dropped, to answer 413 at its end.
static void
take(hd_req *r, const char *data, size_t n)
{
	size_t max = (size_t) r->h->conf.max_body;

	if (r->too_large || r->replied) {
		return;
	}
	if (n > max - r->len) {
		r->too_large = true;
		free(r->body);
		r->body = NULL;
		r->len = r->cap = 0;
		return;
	}
	if (r->len + n + 1 > r->cap) {
		size_t cap = r->cap == 0 ? 1024 : r->cap;
		char  *nb;

		while (cap < r->len + n + 1) {
			cap *= 2;
		}
		if ((nb = realloc(r->body, cap)) == NULL) {
			r->too_large = true; // refused all the same
			return;
		}
		r->body = nb;
		r->cap  = cap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	r->body[r->len] = '\0';
}

// work answers a request on a worker thread, then hands its connection
// back to the event loop, which sends the answer.
static void
work(void *arg)
{
	hd_req *r = arg;

	r->rt->fn(r->rt->arg, &r->req, &r->res);
	r->done = true;
	MHD_resume_connection(r->mc);
}

// dispatch answers the request read whole: at once, or on a worker.
static enum MHD_Result
dispatch(hd_req *r)
{
	size_t qlen  = strcspn(r->uri, "?");
	bool   query = r->uri[qlen] == '?';

	guard_read(&r->h->guard, r->conn, false);
	if (r->too_large) {
		return (refuse(r, 413, "too-large", "request too large",
		    "expected a body of at most %lld bytes",
		    (long long) r->h->conf.max_body));
	}
	if (strcmp(r->rt->method, "POST") == 0 && r->len == 0) {
		return (refuse(r, 400, "malformed", "bad request",
		    "expected a JSON body, found none"));
	}
	r->uri[qlen]         = '\0'; // the path, then the query
	r->req.path          = r->uri;
	r->req.query         = r->uri + qlen + (query ? 1 : 0);
	r->req.body          = r->body != NULL ? r->body : "";
	r->req.len           = r->len;
	r->req.client        = r->client;
	r->req.authorization = MHD_lookup_connection_value(
	    r->mc, MHD_HEADER_KIND, "Authorization");
	if (!r->rt->worker) {
		r->rt->fn(r->rt->arg, &r->req, &r->res);
		return (answer(r));
	}
	// Suspended first: the worker may resume it before this returns.
	MHD_suspend_connection(r->mc);
	if (!pool_push(r->h->workers, work, r)) {
		fs_httpd_header(&r->res, "Retry-After", "1");
		fs_httpd_problem(&r->res, 503, "busy", "busy",
		    "too many requests in progress, or the server is "
		    "stopping");
		r->done = true;
		MHD_resume_connection(r->mc);
	}
	return (MHD_YES);
}

enum MHD_Result
hd_access(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload, size_t *upsize,
    void **req_cls)
{
	hd_req *r = *req_cls;

	(void) cls;
	(void) url;
	(void) version;
	if (r == NULL) {
		return (MHD_NO); // no memory for it: closed
	}
	if (!r->started) {
		r->started = true;
		return (begin(r, mc, method));
	}
	if (*upsize > 0) {
		take(r, upload, *upsize);
		*upsize = 0;
		return (MHD_YES);
	}
	if (r->replied) {
		return (MHD_YES);
	}
	if (r->done) {
		return (answer(r));
	}
	return (dispatch(r));
}

void
hd_completed(void *cls, struct MHD_Connection *mc, void **req_cls,
    enum MHD_RequestTerminationCode code)
{
	fs_httpd *h = cls;
	hd_req   *r = *req_cls;

	(void) mc;
	(void) code;
	if (r == NULL) {
		return;
	}
	if (r->counted) {
		guard_give(&h->guard, r->client);
	}
	guard_read(&h->guard, r->conn, true);
	free(r->res.body);
	free(r->body);
	free(r->uri);
	free(r);
	*req_cls = NULL;
}
