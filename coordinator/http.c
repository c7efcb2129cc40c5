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

#include "coordimpl.h"

#define WHO       "coordinator"
#define QUEUE_MAX 1024
#define WORKERS   8

fs_err coord_start(fs_coord *c, char *why, size_t whycap);

typedef struct job {
	nng_aio *aio;
	char    *body;
	size_t   len;
} job;

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

fs_err
fs_coord_serve(fs_coord *c, char *why, size_t whycap)
{
	queue             q   = { .c = c };
	nng_url          *url = NULL;
	nng_http_server  *srv = NULL;
	nng_http_handler *h   = NULL;
	fs_server        *ns  = NULL;
	pthread_t         thr[WORKERS];
	int               started = 0, rv;
	fs_err            err     = FS_OK;
	char              pid[FS_PASERK_PID_LEN + 1];

	fs_daemon_block_signals();
	pthread_mutex_init(&q.mtx, NULL);
	pthread_cond_init(&q.cv, NULL);
	if ((err = coord_start(c, why, whycap)) != 0) {
		goto out;
	}
	for (; started < WORKERS; started++) {
		if (pthread_create(&thr[started], NULL, worker, &q) != 0) {
			err = FS_ERR_NOMEM;
			goto out;
		}
	}
	if ((rv = nng_url_parse(&url, c->http)) != 0
	    || (rv = nng_http_server_hold(&srv, url)) != 0
	    || (rv = nng_http_handler_alloc(&h, "/v1/lookups", lookups)) != 0
	    || (rv = nng_http_handler_set_method(h, "POST")) != 0
	    // A larger body is refused before it is read into memory.
	    || (rv = nng_http_handler_collect_body(h, true, FS_LOOKUP_BODY_MAX))
	        != 0
	    || (rv = nng_http_handler_set_data(h, &q, NULL)) != 0
	    || (rv = nng_http_server_add_handler(srv, h)) != 0) {
		snprintf(why, whycap, "HTTP API at %s: %s", c->http,
		    nng_strerror(rv));
		err = FS_ERR_CONFIG;
		goto out;
	}
	h = NULL; // owned by the server now
	if ((err = coord_log_start(c)) != 0
	    || (err = coord_log_handlers(c, srv)) != 0
	    || (err = coord_access_handler(c, srv)) != 0) {
		snprintf(
		    why, whycap, "the disclosure log: %s", fs_strerror(err));
		goto out;
	}
	if ((err = coord_recognize_handler(c, srv)) != 0) {
		snprintf(
		    why, whycap, "POST /v1/recognitions: %s", fs_strerror(err));
		goto out;
	}
	if ((rv = nng_http_server_start(srv)) != 0) {
		snprintf(why, whycap, "cannot listen on %s: %s", c->http,
		    nng_strerror(rv));
		err = FS_ERR_TRANSPORT;
		goto out;
	}
	if (c->listen != NULL
	    && (err = fs_server_start(&ns, c->listen, WORKERS, internal, c))
	        != 0) {
		snprintf(why, whycap, "cannot listen on %s: %s", c->listen,
		    fs_strerror(err));
		goto out;
	}
	fs_paserk_pid_from_kid(pid, fs_key_public(c->key)->kid);
	fs_log(FS_LOG_INFO, WHO,
	    "%s (scheme %s %s, region %s, %zu nodes, key %s) serving %s%s%s",
	    c->name, c->scheme.id, c->scheme.version, c->scheme.region,
	    c->nnodes, pid, c->http, c->listen ? " and " : "",
	    c->listen ? c->listen : "");
	fs_log(FS_LOG_INFO, WHO, "stopping on signal %d", fs_daemon_wait());
out:
	fs_server_stop(ns);
	if (srv != NULL) {
		nng_http_server_stop(srv);
	}
	pthread_mutex_lock(&q.mtx);
	q.closed = true;
	pthread_cond_broadcast(&q.cv);
	pthread_mutex_unlock(&q.mtx);
	for (int i = 0; i < started; i++) {
		pthread_join(thr[i], NULL);
	}
	if (h != NULL) {
		nng_http_handler_free(h);
	}
	if (srv != NULL) {
		nng_http_server_release(srv);
	}
	if (url != NULL) {
		nng_url_free(url);
	}
	return (err);
}
