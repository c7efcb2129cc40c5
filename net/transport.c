// SPDX-License-Identifier: Apache-2.0
//
// transport.c -- request/reply over nng.
//
// The server keeps a pool of REP contexts, each served by its own thread
// (receive, handle, send, receive again), so requests from many peers are
// answered concurrently and a handler may block.  The client opens a REQ
// context per call, so one client may be used from several threads at
// once; fs_client_call_many runs calls to several peers in parallel.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/util/platform.h>

#include "common/err.h"
#include "net/transport.h"
#include "wire/envelope.h"

typedef struct worker {
	nng_ctx    ctx;
	nng_aio   *aio;
	pthread_t  thr;
	bool       started;
	fs_server *s;
} worker;

struct fs_server {
	nng_socket      sock;
	int             nworkers;
	worker         *w;
	fs_handler      fn;
	void           *arg;
	pthread_mutex_t mtx; // no operation starts once stopping is set
	bool            stopping;
};

// start_op starts an operation on w's context unless the server is
// stopping; fs_server_stop then cancels whatever was started.
static bool
start_op(worker *w, bool send)
{
	bool ok;

	pthread_mutex_lock(&w->s->mtx);
	ok = !w->s->stopping;
	if (ok && send) {
		nng_ctx_send(w->ctx, w->aio);
	} else if (ok) {
		nng_ctx_recv(w->ctx, w->aio);
	}
	pthread_mutex_unlock(&w->s->mtx);
	return (ok);
}

fs_err
proto_nng_err(int rv)
{
	switch (rv) {
	case 0:
		return (FS_OK);
	case NNG_ENOMEM:
		return (FS_ERR_NOMEM);
	case NNG_ETIMEDOUT:
		return (FS_ERR_TIMEOUT);
	case NNG_EINVAL:
	case NNG_EADDRINVAL:
	case NNG_ENOTSUP:
		return (FS_ERR_INVALID);
	case NNG_EMSGSIZE:
		return (FS_ERR_TOO_LARGE);
	default:
		return (FS_ERR_TRANSPORT);
	}
}

struct fs_client {
	nng_socket sock;
};

// worker_main serves one context: receive, handle, reply, until the
// socket closes.  Handlers run on these threads, not nng's, so they may
// block, even on other nng calls (a coordinator fanning out to nodes).
static void *
worker_main(void *arg)
{
	worker  *w = arg;
	nng_msg *msg;
	uint8_t *rep;
	size_t   replen;
	int      rv;

	for (;;) {
		if (!start_op(w, false)) {
			break;
		}
		nng_aio_wait(w->aio);
		if ((rv = nng_aio_result(w->aio)) != 0) {
			if (rv == NNG_ECLOSED || rv == NNG_ECANCELED) {
				break;
			}
			continue;
		}
		msg    = nng_aio_get_msg(w->aio);
		rep    = NULL;
		replen = 0;
		w->s->fn(w->s->arg, nng_msg_body(msg), nng_msg_len(msg), &rep,
		    &replen);
		if (rep == NULL) {
			nng_msg_free(msg);
			continue;
		}
		nng_msg_clear(msg);
		rv = nng_msg_append(msg, rep, replen);
		free(rep);
		if (rv != 0) {
			nng_msg_free(msg);
			continue;
		}
		nng_aio_set_msg(w->aio, msg);
		if (!start_op(w, true)) {
			nng_msg_free(msg);
			break;
		}
		nng_aio_wait(w->aio);
		if ((rv = nng_aio_result(w->aio)) != 0) {
			nng_msg_free(msg);
			if (rv == NNG_ECLOSED || rv == NNG_ECANCELED) {
				break;
			}
		}
	}
	return (NULL);
}

fs_err
fs_server_start(
    fs_server **sp, const char *url, int workers, fs_handler fn, void *arg)
{
	fs_server *s;
	int        rv;

	if (workers < 1) {
		return (FS_ERR_INVALID);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL
	    || (s->w = calloc((size_t) workers, sizeof(worker))) == NULL) {
		free(s);
		return (FS_ERR_NOMEM);
	}
	s->fn  = fn;
	s->arg = arg;
	pthread_mutex_init(&s->mtx, NULL);
	if ((rv = nng_rep0_open(&s->sock)) != 0) {
		free(s->w);
		free(s);
		return (proto_nng_err(rv));
	}
	nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ, FS_ENV_MAX);
	for (int i = 0; i < workers; i++) {
		worker *w = &s->w[i];

		w->s = s;
		if ((rv = nng_aio_alloc(&w->aio, NULL, NULL)) != 0
		    || (rv = nng_ctx_open(&w->ctx, s->sock)) != 0) {
			goto fail;
		}
		s->nworkers = i + 1;
	}
	if ((rv = nng_listen(s->sock, url, NULL, 0)) != 0) {
		goto fail;
	}
	for (int i = 0; i < workers; i++) {
		if (pthread_create(&s->w[i].thr, NULL, worker_main, &s->w[i])
		    != 0) {
			rv = NNG_ENOMEM;
			goto fail;
		}
		s->w[i].started = true;
	}
	*sp = s;
	return (FS_OK);
fail:
	fs_server_stop(s);
	return (proto_nng_err(rv));
}

void
fs_server_stop(fs_server *s)
{
	if (s == NULL) {
		return;
	}
	// No operation starts from now on; those under way are cancelled,
	// and the workers end.  Only then is the socket closed: nng must not
	// see a context used while its socket goes away.
	pthread_mutex_lock(&s->mtx);
	s->stopping = true;
	pthread_mutex_unlock(&s->mtx);
	for (int i = 0; i < s->nworkers; i++) {
		if (s->w[i].aio != NULL) {
			nng_aio_stop(s->w[i].aio);
		}
	}
	for (int i = 0; i < s->nworkers; i++) {
		if (s->w[i].started) {
			pthread_join(s->w[i].thr, NULL);
		}
	}
	nng_close(s->sock);
	for (int i = 0; i < s->nworkers; i++) {
		nng_aio_free(s->w[i].aio);
	}
	pthread_mutex_destroy(&s->mtx);
	free(s->w);
	free(s);
}

fs_err
fs_client_open(fs_client **cp, const char *url)
{
	fs_client *c;
	int        rv;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = nng_req0_open(&c->sock)) != 0) {
		free(c);
		return (proto_nng_err(rv));
	}
	// Requests are not idempotent (a lookup uses up consent): never
	// resend one on the caller's behalf.
	nng_socket_set_ms(
	    c->sock, NNG_OPT_REQ_RESENDTIME, NNG_DURATION_INFINITE);
	nng_socket_set_size(c->sock, NNG_OPT_RECVMAXSZ, FS_ENV_MAX);
	// Dial in the background: a peer that is not up yet, or goes down,
	// is retried, and calls meanwhile time out.
	if ((rv = nng_dial(c->sock, url, NULL, NNG_FLAG_NONBLOCK)) != 0) {
		nng_close(c->sock);
		free(c);
		return (proto_nng_err(rv));
	}
	*cp = c;
	return (FS_OK);
}

void
fs_client_close(fs_client *c)
{
	if (c == NULL) {
		return;
	}
	nng_close(c->sock);
	free(c);
}

fs_err
fs_client_call(fs_client *c, const uint8_t *req, size_t len, int timeout_ms,
    uint8_t **repp, size_t *replenp)
{
	nng_ctx  ctx;
	nng_aio *aio;
	nng_msg *msg;
	uint8_t *rep;
	nng_time deadline = nng_clock() + (nng_time) timeout_ms;
	nng_time now;
	int      rv;

	if ((rv = nng_aio_alloc(&aio, NULL, NULL)) != 0) {
		return (proto_nng_err(rv));
	}
	if ((rv = nng_ctx_open(&ctx, c->sock)) != 0) {
		nng_aio_free(aio);
		return (proto_nng_err(rv));
	}
	if ((rv = nng_msg_alloc(&msg, 0)) != 0
	    || (rv = nng_msg_append(msg, req, len)) != 0) {
		goto done;
	}
	// One deadline covers sending (which waits for a connection) and
	// receiving the reply.
	nng_aio_set_timeout(aio, timeout_ms);
	nng_aio_set_msg(aio, msg);
	nng_ctx_send(ctx, aio);
	nng_aio_wait(aio);
	if ((rv = nng_aio_result(aio)) != 0) {
		nng_msg_free(msg);
		goto done;
	}
	now = nng_clock();
	if (now >= deadline) {
		rv = NNG_ETIMEDOUT;
		goto done;
	}
	nng_aio_set_timeout(aio, (nng_duration) (deadline - now));
	nng_ctx_recv(ctx, aio);
	nng_aio_wait(aio);
	if ((rv = nng_aio_result(aio)) != 0) {
		goto done;
	}
	msg = nng_aio_get_msg(aio);
	if ((rep = malloc(nng_msg_len(msg) + 1)) == NULL) {
		nng_msg_free(msg);
		rv = NNG_ENOMEM;
		goto done;
	}
	memcpy(rep, nng_msg_body(msg), nng_msg_len(msg));
	*replenp = nng_msg_len(msg);
	*repp    = rep;
	nng_msg_free(msg);
done:
	nng_ctx_close(ctx);
	nng_aio_free(aio);
	return (proto_nng_err(rv));
}

fs_err
fs_client_call_many(fs_call *calls, size_t n, int timeout_ms)
{
	nng_aio **aio;
	nng_ctx  *ctx;
	bool     *open;
	nng_time  deadline = nng_clock() + (nng_time) timeout_ms;

	aio  = calloc(n, sizeof(*aio));
	ctx  = calloc(n, sizeof(*ctx));
	open = calloc(n, sizeof(*open));
	if ((n > 0) && (aio == NULL || ctx == NULL || open == NULL)) {
		free(aio);
		free(ctx);
		free(open);
		return (FS_ERR_NOMEM);
	}
	// Start every send, then every receive: the peers work in parallel,
	// and one deadline bounds the whole.
	for (size_t i = 0; i < n; i++) {
		nng_msg *msg;
		int      rv;

		calls[i].rep = NULL;
		if ((rv = nng_aio_alloc(&aio[i], NULL, NULL)) != 0
		    || (rv = nng_ctx_open(&ctx[i], calls[i].client->sock))
		        != 0) {
			calls[i].rv = proto_nng_err(rv);
			continue;
		}
		open[i] = true;
		if ((rv = nng_msg_alloc(&msg, 0)) != 0
		    || (rv = nng_msg_append(msg, calls[i].req, calls[i].len))
		        != 0) {
			calls[i].rv = proto_nng_err(rv);
			continue;
		}
		nng_aio_set_timeout(aio[i], timeout_ms);
		nng_aio_set_msg(aio[i], msg);
		nng_ctx_send(ctx[i], aio[i]);
		calls[i].rv = FS_OK;
	}
	for (size_t i = 0; i < n; i++) {
		nng_time now;
		int      rv;

		if (!open[i] || calls[i].rv != FS_OK) {
			continue;
		}
		nng_aio_wait(aio[i]);
		if ((rv = nng_aio_result(aio[i])) != 0) {
			nng_msg_free(nng_aio_get_msg(aio[i]));
			calls[i].rv = proto_nng_err(rv);
			continue;
		}
		now = nng_clock();
		nng_aio_set_timeout(aio[i],
		    now >= deadline ? 1 : (nng_duration) (deadline - now));
		nng_ctx_recv(ctx[i], aio[i]);
	}
	for (size_t i = 0; i < n; i++) {
		nng_msg *msg;
		int      rv;

		if (!open[i] || calls[i].rv != FS_OK) {
			continue;
		}
		nng_aio_wait(aio[i]);
		if ((rv = nng_aio_result(aio[i])) != 0) {
			calls[i].rv = proto_nng_err(rv);
			continue;
		}
		msg = nng_aio_get_msg(aio[i]);
		if ((calls[i].rep = malloc(nng_msg_len(msg) + 1)) == NULL) {
			calls[i].rv = FS_ERR_NOMEM;
		} else {
			memcpy(
			    calls[i].rep, nng_msg_body(msg), nng_msg_len(msg));
			calls[i].replen = nng_msg_len(msg);
		}
		nng_msg_free(msg);
	}
	for (size_t i = 0; i < n; i++) {
		if (open[i]) {
			nng_ctx_close(ctx[i]);
		}
		nng_aio_free(aio[i]);
	}
	free(aio);
	free(ctx);
	free(open);
	return (FS_OK);
}
