// SPDX-License-Identifier: Apache-2.0
//
// httpd.h -- the HTTP server of every HTTP API fedscore serves (the
// coordinator's; an issuer's or a portal's later), on libmicrohttpd.
//
// * One event loop (epoll) on a small pool of threads, not a thread per
//   connection.  A handler that may block (a lookup waits for the nodes)
//   runs on a worker thread while its connection is suspended, so it
//   holds no event thread: a slow lookup never stalls GET /checkpoint.
// * Every connection has a deadline: a whole request -- its line,
//   headers and body, after the TLS handshake -- must arrive within
//   http_timeout of the connection's opening or of the end of the
//   previous answer, however slowly it trickles; and a connection with
//   no progress for http_timeout is closed.  Connections are limited in
//   total and per address; requests in progress are limited per client.
// * A route table: method and exact path, or path prefix.  An unknown
//   path is 404, a known one with another method 405 with Allow, a POST
//   whose Content-Type is not application/json 415, an empty POST 400, a
//   body over http_max_body 413 (unread when its length says so),
//   headers over FS_HTTPD_HEADERS_MAX 431, too many requests of one
//   client 429, no worker free 503: all RFC 9457 problems
//   (net/problem.h), as the handlers' own refusals are.  Malformed HTTP
//   (a request line that does not parse, headers beyond the
//   connection's memory) is answered by libmicrohttpd itself, or the
//   connection is closed.
// * TLS (GnuTLS, TLS 1.2 at least) when the address is https://, with
//   the PEM files tls_cert and tls_key (read like key files: no link,
//   the key's mode 0600).  An https:// address without them is an error,
//   never a plain listener.  Certificates are read at start only: to
//   take a renewed one, restart (a SIGHUP reload is for later).

#ifndef FS_NET_HTTPD_H
#define FS_NET_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/conf.h"
#include "common/err.h"

#define FS_HTTPD_TIMEOUT_DEFAULT_MS  10000
#define FS_HTTPD_CONNECTIONS_DEFAULT 1000
#define FS_HTTPD_PER_IP_DEFAULT      64
#define FS_HTTPD_BODY_DEFAULT        65536
#define FS_HTTPD_HEADERS_MAX         16384 // bytes of request headers
#define FS_HTTPD_PROXIES_MAX         16
#define FS_HTTPD_ADDR_MAX            64 // an address as text, NUL included
#define FS_HTTPD_RES_HEADERS         4

// The keys of a serving party's section that set up its HTTP server: the
// party allows them in its section and reads them with
// fs_httpd_conf_read.
#define FS_HTTPD_CONF_KEYS                                         \
	"http_timeout", "http_max_connections", "http_max_per_ip", \
	    "http_max_body", "trusted_proxies", "tls_cert", "tls_key"

typedef struct fs_httpd_conf {
	int64_t timeout_ms;      // http_timeout: the request deadline, idle
	int64_t max_connections; // http_max_connections: in all
	int64_t max_per_ip;      // http_max_per_ip: connections of an address,
	                         // and requests in progress of a client
	int64_t max_body;        // http_max_body: bytes
	// trusted_proxies: the addresses whose X-Forwarded-For names the
	// client (its last hop), for logging and the count per client.
	size_t nproxies;
	char   proxies[FS_HTTPD_PROXIES_MAX][FS_HTTPD_ADDR_MAX];
	char  *tls_cert; // paths, malloc'd, or NULL
	char  *tls_key;
} fs_httpd_conf;

// fs_httpd_conf_read reads FS_HTTPD_CONF_KEYS from section s of conf,
// each absent one as its default; why says which is wrong.
fs_err fs_httpd_conf_read(fs_httpd_conf *hc, const fs_conf *conf,
    const fs_conf_section *s, char *why, size_t whycap);
void   fs_httpd_conf_fini(fs_httpd_conf *hc);

// What a handler is given: the request read whole.
typedef struct fs_httpd_req {
	const char *method;        // "GET" (for HEAD too), "POST"
	const char *path;          // as sent, without the query
	const char *query;         // what follows '?', or ""
	const char *authorization; // the Authorization header, or NULL
	const char *body;          // NUL-terminated; "" for none
	size_t      len;
	const char *client; // the client's address, for logging
} fs_httpd_req;

// What a handler answers: a status, a content type (a static string), a
// body (malloc'd, freed by the server) and extra headers (static names
// and values).  Every answer carries "Cache-Control: no-store".
typedef struct fs_httpd_res {
	int         status;
	const char *ctype;
	char       *body;
	size_t      len;
	size_t      nheaders;
	const char *headers[FS_HTTPD_RES_HEADERS][2];
} fs_httpd_res;

typedef void fs_httpd_fn(void *arg, const fs_httpd_req *req, fs_httpd_res *res);

// A route: method ("GET" answers HEAD too; "POST" takes a JSON body), an
// exact path, or a path prefix ("/tile/") when prefix.  worker: the
// handler may block (on the network, on a durable write) and runs on a
// worker thread; else it must answer at once, on the event loop.
typedef struct fs_httpd_route {
	const char  *method;
	const char  *path;
	bool         prefix;
	bool         worker;
	fs_httpd_fn *fn;
	void        *arg;
} fs_httpd_route;

// fs_httpd_reply answers status with a copy of body (len bytes) of type
// ctype; fs_httpd_header adds a header; fs_httpd_problem answers an RFC
// 9457 problem of type urn:fedscore:problem:TYPE.
void fs_httpd_reply(fs_httpd_res *res, int status, const char *ctype,
    const void *body, size_t len);
void fs_httpd_header(fs_httpd_res *res, const char *name, const char *value);
void fs_httpd_problem(fs_httpd_res *res, int status, const char *type,
    const char *title, const char *detail);

typedef struct fs_httpd fs_httpd;

// fs_httpd_start listens on url (http://HOST:PORT or https://HOST:PORT)
// and answers by the n routes (kept by the caller until stopped); who
// names the server in the log.  why says what failed: the address, the
// certificate, the port taken.
fs_err fs_httpd_start(fs_httpd **hp, const char *who, const char *url,
    const fs_httpd_conf *hc, const fs_httpd_route *routes, size_t n, char *why,
    size_t whycap);
// fs_httpd_stop stops listening, answers the requests its workers hold,
// and closes every connection.
void fs_httpd_stop(fs_httpd *h);

#endif // FS_NET_HTTPD_H
