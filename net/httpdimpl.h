// SPDX-License-Identifier: Apache-2.0
//
// httpdimpl.h -- internals shared by the files of the HTTP server:
// httpd.c (configuration, starting, stopping), httpd_req.c (one request,
// from its headers to its answer), httpd_guard.c (the deadline of every
// connection, the count of requests per client) and pool.c (the worker
// threads).  Must not be exposed outside net/.

#ifndef FS_NET_HTTPDIMPL_H
#define FS_NET_HTTPDIMPL_H

#include <microhttpd.h>

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net/httpd.h"

// pool.c: worker threads taking jobs from a bounded queue.  pool_push
// is false when the queue is full or closed; pool_stop closes the queue,
// lets the workers finish every job queued, and joins them.
typedef struct pool pool;
typedef void        pool_fn(void *arg);
fs_err              pool_start(pool **pp, int workers, size_t max);
bool                pool_push(pool *p, pool_fn *fn, void *arg);
void                pool_stop(pool *p);

// httpd_guard.c.  A connection, from its acceptance to its close.
typedef struct hd_conn {
	struct hd_conn *prev, *next;
	int             fd;
	int64_t         since_ms; // since when a request is awaited
	bool            reading;  // a request is awaited: its deadline runs
	bool            cut;      // shut down for missing its deadline
	char            peer[FS_HTTPD_ADDR_MAX];
} hd_conn;

// The client counts: requests in progress per client address.
#define GUARD_BUCKETS 256
typedef struct hd_client {
	struct hd_client *next;
	int64_t           n;
	char              addr[FS_HTTPD_ADDR_MAX];
} hd_client;

// The guard.  mtx guards conns, clients and stop, and cv signals stop to
// the reaper thread, which shuts down every connection past its
// deadline.  Never held with another lock of ours; libmicrohttpd calls
// guard_notify (which takes it) before it closes a socket, so the reaper
// never shuts down a descriptor already reused.
typedef struct hd_guard {
	pthread_mutex_t mtx;
	pthread_cond_t  cv;
	hd_conn        *conns;
	hd_client      *clients[GUARD_BUCKETS];
	bool            stop;
	int64_t         deadline_ms; // set before start, then read only
	int64_t         per_client;
	const char     *who;
	pthread_t       reaper;
	bool            inited, started;
} hd_guard;

fs_err guard_start(
    hd_guard *g, const char *who, int64_t deadline_ms, int64_t per_client);
void guard_stop(hd_guard *g);
// guard_notify is libmicrohttpd's MHD_OPTION_NOTIFY_CONNECTION.
void guard_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
    enum MHD_ConnectionNotificationCode code);
// guard_read stops the deadline of conn (its request is in) or, when
// awaiting, starts it anew (its answer has gone).
void guard_read(hd_guard *g, hd_conn *conn, bool awaiting);
// guard_take counts a request of client, or is false when the client
// has per_client requests in progress already; guard_give uncounts it.
bool guard_take(hd_guard *g, const char *client);
void guard_give(hd_guard *g, const char *client);
// guard_now_ms: a monotonic clock.
int64_t guard_now_ms(void);

// The server.
struct fs_httpd {
	const char           *who;
	fs_httpd_conf         conf; // the addresses of the proxies
	const fs_httpd_route *routes;
	size_t                nroutes;
	struct MHD_Daemon    *d;
	pool                 *workers;
	hd_guard              guard;
	char                 *cert; // PEM, read at start
	char                 *key;  // PEM, guarded memory, wiped at stop
	// lastmtx guards last, the first messages libmicrohttpd logged, for
	// the reason of a failed start.  Never nested.
	pthread_mutex_t lastmtx;
	char            last[256];
};

// httpd_req.c: libmicrohttpd's callbacks for requests.
void           *hd_uri(void *cls, const char *uri, struct MHD_Connection *mc);
enum MHD_Result hd_access(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload, size_t *upsize,
    void **req_cls);
void hd_completed(void *cls, struct MHD_Connection *mc, void **req_cls,
    enum MHD_RequestTerminationCode code);

#endif // FS_NET_HTTPDIMPL_H
