// SPDX-License-Identifier: Apache-2.0
//
// httpd_guard.c -- what keeps hostile or slow clients from holding the
// HTTP server: every connection's deadline, and the count of requests in
// progress per client.
//
// libmicrohttpd closes a connection that makes no progress for its
// timeout, but a client that trickles a byte now and then makes
// progress forever.  So every connection is registered here from its
// acceptance to its close, with the time since which a request is
// awaited; a reaper thread shuts down the socket of any connection whose
// whole request has not arrived within the deadline, and libmicrohttpd,
// seeing the end of the stream, closes it.  A connection whose request
// is in (being answered, or suspended while a worker answers it) has no
// deadline until its answer has gone.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "common/log.h"
#include "net/httpdimpl.h"

#define SWEEP_MS 100

int64_t
guard_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

// addr_text writes the address of sa as text; an IPv4 address mapped
// into IPv6 as IPv4.
static void
addr_text(const struct sockaddr *sa, char out[static FS_HTTPD_ADDR_MAX])
{
	snprintf(out, FS_HTTPD_ADDR_MAX, "?");
	if (sa == NULL) {
		return;
	}
	if (sa->sa_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *) sa)->sin_addr,
		    out, FS_HTTPD_ADDR_MAX);
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a
		    = &((const struct sockaddr_in6 *) sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			inet_ntop(
			    AF_INET, &a->s6_addr[12], out, FS_HTTPD_ADDR_MAX);
		} else {
			inet_ntop(AF_INET6, a, out, FS_HTTPD_ADDR_MAX);
		}
	}
}

void
guard_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	hd_guard *g = cls;
	hd_conn  *c = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fd = MHD_get_connection_info(
		    mc, MHD_CONNECTION_INFO_CONNECTION_FD);
		const union MHD_ConnectionInfo *ad = MHD_get_connection_info(
		    mc, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

		// Without memory the connection has no deadline but
		// libmicrohttpd's own timeout.
		if (fd == NULL || (c = calloc(1, sizeof(*c))) == NULL) {
			return;
		}
		c->fd       = fd->connect_fd;
		c->since_ms = guard_now_ms();
		c->reading  = true;
		addr_text(ad != NULL ? ad->client_addr : NULL, c->peer);
		pthread_mutex_lock(&g->mtx);
		c->next = g->conns;
		if (g->conns != NULL) {
			g->conns->prev = c;
		}
		g->conns = c;
		pthread_mutex_unlock(&g->mtx);
		*socket_context = c;
		return;
	}
	if (c == NULL) {
		return;
	}
	// Closed: libmicrohttpd closes the socket after this returns.
	pthread_mutex_lock(&g->mtx);
	if (c->prev != NULL) {
		c->prev->next = c->next;
	} else {
		g->conns = c->next;
	}
	if (c->next != NULL) {
		c->next->prev = c->prev;
	}
	pthread_mutex_unlock(&g->mtx);
	free(c);
	*socket_context = NULL;
}

void
guard_read(hd_guard *g, hd_conn *conn, bool awaiting)
{
	if (conn == NULL) {
		return;
	}
	pthread_mutex_lock(&g->mtx);
	conn->reading = awaiting;
	if (awaiting) {
		conn->since_ms = guard_now_ms();
	}
	pthread_mutex_unlock(&g->mtx);
}

// sweep shuts down every connection past its deadline; the caller holds
// mtx.  The number shut down.
static size_t
sweep(hd_guard *g, int64_t now)
{
	size_t n = 0;

	for (hd_conn *c = g->conns; c != NULL; c = c->next) {
		if (c->reading && !c->cut
		    && now - c->since_ms >= g->deadline_ms) {
			shutdown(c->fd, SHUT_RDWR);
			c->cut = true;
			n++;
		}
	}
	return (n);
}

static void *
reaper(void *arg)
{
	hd_guard *g = arg;

	pthread_mutex_lock(&g->mtx);
	while (!g->stop) {
		struct timespec ts;
		size_t          n = sweep(g, guard_now_ms());

		if (n > 0) {
			fs_log(FS_LOG_INFO, g->who,
			    "closed %zu connection%s that sent no whole "
			    "request "
			    "within %lld ms",
			    n, n == 1 ? "" : "s", (long long) g->deadline_ms);
		}
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += SWEEP_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&g->cv, &g->mtx, &ts);
	}
	pthread_mutex_unlock(&g->mtx);
	return (NULL);
}

fs_err
guard_start(
    hd_guard *g, const char *who, int64_t deadline_ms, int64_t per_client)
{
	pthread_condattr_t ca;

	g->inited      = true;
	g->who         = who;
	g->deadline_ms = deadline_ms;
	g->per_client  = per_client;
	pthread_mutex_init(&g->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&g->reaper, NULL, reaper, g) != 0) {
		return (FS_ERR_NOMEM);
	}
	g->started = true;
	return (FS_OK);
}

// guard_stop ends the reaper once every connection is closed.
void
guard_stop(hd_guard *g)
{
	if (!g->inited) {
		return;
	}
	if (g->started) {
		pthread_mutex_lock(&g->mtx);
		g->stop = true;
		pthread_cond_signal(&g->cv);
		pthread_mutex_unlock(&g->mtx);
		pthread_join(g->reaper, NULL);
		g->started = false;
	}
	for (size_t i = 0; i < GUARD_BUCKETS; i++) {
		while (g->clients[i] != NULL) {
			hd_client *k = g->clients[i];

			g->clients[i] = k->next;
			free(k);
		}
	}
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mtx);
	g->inited = false;
}

static hd_client **
bucket(hd_guard *g, const char *addr)
{
	uint32_t h = 2166136261u; // FNV-1a

	for (const char *p = addr; *p != '\0'; p++) {
		h = (h ^ (uint8_t) *p) * 16777619u;
	}
	return (&g->clients[h % GUARD_BUCKETS]);
}

bool
guard_take(hd_guard *g, const char *client)
{
	hd_client **b;
	hd_client  *k;
	bool        ok = true;

	pthread_mutex_lock(&g->mtx);
	b = bucket(g, client);
	for (k = *b; k != NULL && strcmp(k->addr, client) != 0; k = k->next) {
	}
	if (k == NULL && (k = calloc(1, sizeof(*k))) != NULL) {
		snprintf(k->addr, sizeof(k->addr), "%s", client);
		k->next = *b;
		*b      = k;
	}
	if (k == NULL || k->n >= g->per_client) {
		ok = false;
	} else {
		k->n++;
	}
	pthread_mutex_unlock(&g->mtx);
	return (ok);
}

void
guard_give(hd_guard *g, const char *client)
{
	hd_client **p;

	pthread_mutex_lock(&g->mtx);
	for (p = bucket(g, client); *p != NULL; p = &(*p)->next) {
		if (strcmp((*p)->addr, client) == 0) {
			hd_client *k = *p;

			if (--k->n <= 0) {
				*p = k->next;
				free(k);
			}
			break;
		}
	}
	pthread_mutex_unlock(&g->mtx);
}
