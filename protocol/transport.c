// SPDX-License-Identifier: Apache-2.0
//
// transport.c -- request/reply over nng.
//
// The server keeps a pool of REP contexts, each driven by its own aio
// state machine (receive, handle, send, receive again), so requests from
// many peers are answered concurrently.  The client opens a REQ context
// per call, so one client may be used from several threads at once.

#include <stdlib.h>
#include <string.h>

#include <nng/nng.h>
#include <nng/protocol/reqrep0/rep.h>
#include <nng/protocol/reqrep0/req.h>
#include <nng/supplemental/util/platform.h>

#include "protocol.h"

typedef struct worker {
	nng_aio   *aio;
	nng_ctx    ctx;
	bool       sending;
	fs_server *s;
} worker;

struct fs_server {
	nng_socket sock;
	int        nworkers;
	worker    *w;
	fs_handler fn;
	void      *arg;
};

struct fs_client {
	nng_socket sock;
};

static fs_err
map_nng(int rv)
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
		return (FS_ERR_INVALID);
	case NNG_EMSGSIZE:
		return (FS_ERR_TOO_LARGE);
	default:
		return (FS_ERR_TRANSPORT);
	}
}

static void
worker_cb(void *arg)
{
	worker  *w = arg;
	nng_msg *msg;
	uint8_t *rep    = NULL;
	size_t   replen = 0;
	int      rv     = nng_aio_result(w->aio);

	if (w->sending) {
		w->sending = false;
		if (rv != 0) {
			nng_msg_free(nng_aio_get_msg(w->aio));
		}
		if (rv == NNG_ECLOSED) {
			return;
		}
		nng_ctx_recv(w->ctx, w->aio);
		return;
	}
	if (rv != 0) {
		if (rv != NNG_ECLOSED && rv != NNG_ECANCELED) {
			nng_ctx_recv(w->ctx, w->aio);
		}
		return;
	}
	msg = nng_aio_get_msg(w->aio);
	w->s->fn(w->s->arg, nng_msg_body(msg), nng_msg_len(msg), &rep, &replen);
	if (rep == NULL) {
		nng_msg_free(msg);
		nng_ctx_recv(w->ctx, w->aio);
		return;
	}
	nng_msg_clear(msg);
	rv = nng_msg_append(msg, rep, replen);
	free(rep);
	if (rv != 0) {
		nng_msg_free(msg);
		nng_ctx_recv(w->ctx, w->aio);
		return;
	}
	nng_aio_set_msg(w->aio, msg);
	w->sending = true;
	nng_ctx_send(w->ctx, w->aio);
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
	if ((rv = nng_rep0_open(&s->sock)) != 0) {
		free(s->w);
		free(s);
		return (map_nng(rv));
	}
	nng_socket_set_size(s->sock, NNG_OPT_RECVMAXSZ, FS_ENV_MAX);
	for (int i = 0; i < workers; i++) {
		worker *w = &s->w[i];

		w->s = s;
		if ((rv = nng_aio_alloc(&w->aio, worker_cb, w)) != 0
		    || (rv = nng_ctx_open(&w->ctx, s->sock)) != 0) {
			goto fail;
		}
		s->nworkers = i + 1;
	}
	if ((rv = nng_listen(s->sock, url, NULL, 0)) != 0) {
		goto fail;
	}
	for (int i = 0; i < workers; i++) {
		nng_ctx_recv(s->w[i].ctx, s->w[i].aio);
	}
	*sp = s;
	return (FS_OK);
fail:
	fs_server_stop(s);
	return (map_nng(rv));
}

void
fs_server_stop(fs_server *s)
{
	if (s == NULL) {
		return;
	}
	// Closing the socket fails every pending operation with ECLOSED,
	// which the workers take as the end; nng_aio_free waits for them.
	nng_close(s->sock);
	for (int i = 0; i < s->nworkers; i++) {
		nng_aio_free(s->w[i].aio);
	}
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
		return (map_nng(rv));
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
		return (map_nng(rv));
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
		return (map_nng(rv));
	}
	if ((rv = nng_ctx_open(&ctx, c->sock)) != 0) {
		nng_aio_free(aio);
		return (map_nng(rv));
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
	return (map_nng(rv));
}
