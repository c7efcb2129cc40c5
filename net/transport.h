// SPDX-License-Identifier: Apache-2.0
//
// transport.h -- request/reply between parties over nng.

#ifndef FS_NET_TRANSPORT_H
#define FS_NET_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

// Request/reply over nng.  A server answers with a pool of contexts; the
// handler runs on nng's threads, several at once, and must be
// thread-safe.  It returns a malloc'd reply, or NULL to send none.
typedef void (*fs_handler)(
    void *arg, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp);

typedef struct fs_server fs_server;
fs_err                   fs_server_start(
                      fs_server **sp, const char *url, int workers, fs_handler fn, void *arg);
void fs_server_stop(fs_server *s);

typedef struct fs_client fs_client;
fs_err                   fs_client_open(fs_client **cp, const char *url);
void                     fs_client_close(fs_client *c);
// fs_client_call sends req and waits up to timeout_ms for the reply.
fs_err fs_client_call(fs_client *c, const uint8_t *req, size_t len,
    int timeout_ms, uint8_t **repp, size_t *replenp);

// One call of fs_client_call_many: rep is malloc'd on success.
typedef struct fs_call {
	fs_client     *client;
	const uint8_t *req;
	size_t         len;
	uint8_t       *rep;
	size_t         replen;
	fs_err         rv;
} fs_call;

// fs_client_call_many runs n calls in parallel and returns when all have
// answered or timeout_ms has passed; each call's rv says how it ended.
// Must not be called from an nng callback.
fs_err fs_client_call_many(fs_call *calls, size_t n, int timeout_ms);

#endif // FS_NET_TRANSPORT_H
