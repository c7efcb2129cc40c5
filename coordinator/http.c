// SPDX-License-Identifier: Apache-2.0
//
// http.c -- the coordinator's HTTP API on nng's HTTP server, and the same
// request over nng for internal callers.
//
// nng calls HTTP handlers on its own threads, which must not block; a
// lookup waits for the nodes.  So the handler only queues the request,
// and a pool of worker threads answers it when done.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/supplemental/http/http.h>

#include "common/daemon.h"
#include "common/err.h"
#include "common/log.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "net/transport.h"

#define WHO       "coordinator"
#define QUEUE_MAX 1024
#define WORKERS   8

typedef struct job {
	nng_aio *aio;
	char    *body;
	size_t   len;
} job;

// The lookups waiting for a worker.  mtx guards jobs, head, count and
// closed, and cv signals a new job or closing; never held with another
// lock, nor while a lookup runs.
typedef struct queue {
	pthread_mutex_t mtx;
	pthread_cond_t  cv;
	job             jobs[QUEUE_MAX];
	size_t          head, count;
	bool            closed;
	fs_coord       *c;
} queue;

static void *
worker(void *arg)
{
	queue *q = arg;

	for (;;) {
		job        j;
		fs_outcome o;

		pthread_mutex_lock(&q->mtx);
		while (q->count == 0 && !q->closed) {
			pthread_cond_wait(&q->cv, &q->mtx);
		}
		if (q->count == 0) {
			pthread_mutex_unlock(&q->mtx);
			return (NULL);
		}
		j       = q->jobs[q->head];
		q->head = (q->head + 1) % QUEUE_MAX;
		q->count--;
		pthread_mutex_unlock(&q->mtx);
		fs_coord_lookup(q->c, j.body, j.len, &o);
		coord_answer(j.aio, &o);
		free(o.body);
		free(j.body);
	}
}

static void
lookups(nng_aio *aio)
{
	nng_http_req     *req = nng_aio_get_input(aio, 0);
	nng_http_handler *h   = nng_aio_get_input(aio, 1);
	queue            *q   = nng_http_handler_get_data(h);
	void             *data;
	size_t            len;
	job               j = { .aio = aio };

	nng_http_req_get_data(req, &data, &len);
	if ((j.body = malloc(len + 1)) == NULL) {
		nng_aio_finish(aio, NNG_ENOMEM);
		return;
	}
	memcpy(j.body, data, len);
	j.body[len] = '\0';
	j.len       = len;
	pthread_mutex_lock(&q->mtx);
	if (q->count == QUEUE_MAX || q->closed) {
		pthread_mutex_unlock(&q->mtx);
		free(j.body);
		{
			static const char busy[]
			    = "{\"type\":\"urn:fedscore:problem:busy\","
			      "\"title\":"
			      "\"busy\","
			      "\"status\":503,\"detail\":\"too many lookups in "
			      "progress\"}";

			coord_http_reply(aio, 503, "application/problem+json",
			    busy, sizeof(busy) - 1);
		}
		return;
	}
	q->jobs[(q->head + q->count) % QUEUE_MAX] = j;
	q->count++;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mtx);
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

// What fs_coord_serve starts, for stop to end: the lookup queue and its
// workers, the HTTP server and the nng server.
typedef struct serving {
	queue             q;
	pthread_t         thr[WORKERS];
	int               started; // workers
	nng_url          *url;
	nng_http_server  *srv;
	nng_http_handler *h; // until the server owns it
	fs_server        *ns;
} serving;

static fs_err
start_workers(serving *sv)
{
	for (; sv->started < WORKERS; sv->started++) {
		if (pthread_create(&sv->thr[sv->started], NULL, worker, &sv->q)
		    != 0) {
			return (FS_ERR_NOMEM);
		}
	}
	return (FS_OK);
}

// add_lookups holds the HTTP server and routes POST /v1/lookups to the
// queue.
static fs_err
add_lookups(fs_coord *c, serving *sv, char *why, size_t whycap)
{
	int rv;

	if ((rv = nng_url_parse(&sv->url, c->http)) != 0
	    || (rv = nng_http_server_hold(&sv->srv, sv->url)) != 0
	    || (rv = nng_http_handler_alloc(&sv->h, "/v1/lookups", lookups))
	        != 0
	    || (rv = nng_http_handler_set_method(sv->h, "POST")) != 0
	    // A larger body is refused before it is read into memory.
	    || (rv = nng_http_handler_collect_body(
	            sv->h, true, FS_LOOKUP_BODY_MAX))
	        != 0
	    || (rv = nng_http_handler_set_data(sv->h, &sv->q, NULL)) != 0
	    || (rv = nng_http_server_add_handler(sv->srv, sv->h)) != 0) {
		snprintf(why, whycap, "HTTP API at %s: %s", c->http,
		    nng_strerror(rv));
		return (FS_ERR_CONFIG);
	}
	sv->h = NULL; // owned by the server now
	return (FS_OK);
}

// add_handlers starts the disclosure log and routes the other requests:
// the log, the access view and the recognitions.
static fs_err
add_handlers(fs_coord *c, nng_http_server *srv, char *why, size_t whycap)
{
	fs_err err;

	if ((err = coord_log_start(c)) != 0
	    || (err = coord_log_handlers(c, srv)) != 0
	    || (err = coord_access_handler(c, srv)) != 0) {
		snprintf(
		    why, whycap, "the disclosure log: %s", fs_strerror(err));
		return (err);
	}
	if ((err = coord_recognize_handler(c, srv)) != 0) {
		snprintf(
		    why, whycap, "POST /v1/recognitions: %s", fs_strerror(err));
		return (err);
	}
	return (FS_OK);
}

// start_listening starts the HTTP server, and the nng server if there is
// one.
static fs_err
start_listening(fs_coord *c, serving *sv, char *why, size_t whycap)
{
	fs_err err;
	int    rv;

	if ((rv = nng_http_server_start(sv->srv)) != 0) {
		snprintf(why, whycap, "cannot listen on %s: %s", c->http,
		    nng_strerror(rv));
		return (FS_ERR_TRANSPORT);
	}
	if (c->listen != NULL
	    && (err = fs_server_start(&sv->ns, c->listen, WORKERS, internal, c))
	        != 0) {
		snprintf(why, whycap, "cannot listen on %s: %s", c->listen,
		    fs_strerror(err));
		return (err);
	}
	return (FS_OK);
}

// stop ends what was started, the servers first, then the workers once
// they have answered the lookups queued.
static void
stop(serving *sv)
{
	fs_server_stop(sv->ns);
	if (sv->srv != NULL) {
		nng_http_server_stop(sv->srv);
	}
	pthread_mutex_lock(&sv->q.mtx);
	sv->q.closed = true;
	pthread_cond_broadcast(&sv->q.cv);
	pthread_mutex_unlock(&sv->q.mtx);
	for (int i = 0; i < sv->started; i++) {
		pthread_join(sv->thr[i], NULL);
	}
	if (sv->h != NULL) {
		nng_http_handler_free(sv->h);
	}
	if (sv->srv != NULL) {
		nng_http_server_release(sv->srv);
	}
	if (sv->url != NULL) {
		nng_url_free(sv->url);
	}
}

fs_err
fs_coord_serve(fs_coord *c, char *why, size_t whycap)
{
	serving sv = { .q = { .c = c } };
	fs_err  err;
	char    pid[FS_PASERK_PID_LEN + 1];

	fs_daemon_block_signals();
	pthread_mutex_init(&sv.q.mtx, NULL);
	pthread_cond_init(&sv.q.cv, NULL);
	if ((err = coord_start(c, why, whycap)) != 0
	    || (err = start_workers(&sv)) != 0
	    || (err = add_lookups(c, &sv, why, whycap)) != 0
	    || (err = add_handlers(c, sv.srv, why, whycap)) != 0
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
