// SPDX-License-Identifier: Apache-2.0
//
// slowclient.c -- hostile clients for tests/http.sh: many connections
// from one source address, each sending the start of a request and then
// holding it, or trickling more of it, without ever finishing.
//
//	slowclient FROM HOST PORT N PAYLOAD TRICKLE_MS LIMIT_MS READY
//
// opens N connections from address FROM to HOST:PORT, sends PAYLOAD on
// each (\r, \n, \\ and \xHH escapes), then, when TRICKLE_MS > 0, one
// more byte of the header line "X-Slow: 1\r\n" every TRICKLE_MS on every
// connection.  Once every connection is open and has sent its payload it
// writes "ready" to the file READY.  It watches for the server closing
// each connection, for at most LIMIT_MS, and prints one line:
//
//	opened=N closed=C early=E still=S min_ms=A max_ms=B
//
// closed: connections the server closed (end of stream or reset);
// early: those closed within 500 ms of opening (refused at once);
// still: those open at the end; min_ms, max_ms: the shortest and longest
// life, opening to close, of those closed after 500 ms.  Exit 0, or 2
// when a connection could not be opened at all.

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EARLY_MS 500

typedef struct conn {
	int     fd;
	size_t  sent; // of the payload
	int64_t opened_ms, closed_ms;
	size_t  trickled;
	bool    up, closed;
} conn;

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

// unescape decodes \r, \n, \\ and \xHH in place; the length.
static size_t
unescape(char *s)
{
	size_t n = 0;

	for (size_t i = 0; s[i] != '\0'; i++) {
		if (s[i] != '\\' || s[i + 1] == '\0') {
			s[n++] = s[i];
		} else if (s[++i] == 'r') {
			s[n++] = '\r';
		} else if (s[i] == 'n') {
			s[n++] = '\n';
		} else if (s[i] == 'x' && s[i + 1] != '\0'
		    && s[i + 2] != '\0') {
			char hex[3] = { s[i + 1], s[i + 2], '\0' };

			s[n++] = (char) strtol(hex, NULL, 16);
			i += 2;
		} else {
			s[n++] = s[i];
		}
	}
	return (n);
}

static int
dial(const char *from, const char *host, int port)
{
	struct sockaddr_in src = { .sin_family = AF_INET };
	struct sockaddr_in dst = { .sin_family = AF_INET };
	int                fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int                on = 1;

	if (fd < 0 || inet_pton(AF_INET, from, &src.sin_addr) != 1
	    || inet_pton(AF_INET, host, &dst.sin_addr) != 1) {
		return (-1);
	}
	dst.sin_port = htons((uint16_t) port);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (bind(fd, (struct sockaddr *) &src, sizeof(src)) != 0
	    || (connect(fd, (struct sockaddr *) &dst, sizeof(dst)) != 0
	        && errno != EINPROGRESS)) {
		close(fd);
		return (-1);
	}
	return (fd);
}

// step sends what is due on c and notices its end.
static void
step(conn *c, short revents, const char *payload, size_t plen)
{
	char buf[4096];

	if (!c->up && (revents & (POLLOUT | POLLERR | POLLHUP)) != 0) {
		int       err = 0;
		socklen_t el  = sizeof(err);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		c->up        = true;
		c->opened_ms = now_ms();
		if (err != 0) {
			c->closed    = true;
			c->closed_ms = c->opened_ms;
			return;
		}
	}
	if (c->up && c->sent < plen) {
		ssize_t n = send(
		    c->fd, payload + c->sent, plen - c->sent, MSG_NOSIGNAL);

		if (n > 0) {
			c->sent += (size_t) n;
		}
	}
	if ((revents & (POLLIN | POLLERR | POLLHUP)) != 0 && c->up) {
		ssize_t n = recv(c->fd, buf, sizeof(buf), 0);

		if (n == 0 || (n < 0 && errno != EAGAIN)) {
			c->closed    = true;
			c->closed_ms = now_ms();
		}
	}
}

static void
report(const conn *cs, int n)
{
	int     closed = 0, early = 0, still = 0;
	int64_t lo = -1, hi = -1;

	for (int i = 0; i < n; i++) {
		int64_t life = cs[i].closed_ms - cs[i].opened_ms;

		if (!cs[i].closed) {
			still++;
			continue;
		}
		closed++;
		if (life < EARLY_MS) {
			early++;
			continue;
		}
		lo = lo < 0 || life < lo ? life : lo;
		hi = life > hi ? life : hi;
	}
	printf("opened=%d closed=%d early=%d still=%d min_ms=%lld "
	       "max_ms=%lld\n",
	    n, closed, early, still, (long long) lo, (long long) hi);
}

int
main(int argc, char **argv)
{
	static const char line[] = "X-Slow: 1\r\n";
	conn             *cs;
	struct pollfd    *pf;
	int               n, port, trickle, limit;
	size_t            plen;
	int64_t           start, next;
	bool              ready = false;

	if (argc != 9) {
		fprintf(stderr,
		    "usage: slowclient FROM HOST PORT N PAYLOAD "
		    "TRICKLE_MS LIMIT_MS READY\n");
		return (2);
	}
	port    = atoi(argv[3]);
	n       = atoi(argv[4]);
	plen    = unescape(argv[5]);
	trickle = atoi(argv[6]);
	limit   = atoi(argv[7]);
	cs      = calloc((size_t) n, sizeof(*cs));
	pf      = calloc((size_t) n, sizeof(*pf));
	for (int i = 0; i < n; i++) {
		if ((cs[i].fd = dial(argv[1], argv[2], port)) < 0) {
			fprintf(stderr, "slowclient: connection %d: %s\n", i,
			    strerror(errno));
			return (2);
		}
	}
	start = now_ms();
	next  = start + trickle;
	while (now_ms() - start < limit) {
		int live = 0, done = 0;

		for (int i = 0; i < n; i++) {
			pf[i].fd     = cs[i].closed ? -1 : cs[i].fd;
			pf[i].events = POLLIN
			    | (!cs[i].up || cs[i].sent < plen ? POLLOUT : 0);
			live += !cs[i].closed;
			done
			    += cs[i].closed || (cs[i].up && cs[i].sent == plen);
		}
		if (!ready && done == n) {
			FILE *f = fopen(argv[8], "w");

			if (f != NULL) {
				fputs("ready\n", f);
				fclose(f);
			}
			ready = true;
		}
		if (live == 0) {
			break;
		}
		poll(pf, (nfds_t) n, 50);
		for (int i = 0; i < n; i++) {
			if (!cs[i].closed) {
				step(&cs[i], pf[i].revents, argv[5], plen);
			}
		}
		if (trickle > 0 && now_ms() >= next) {
			for (int i = 0; i < n; i++) {
				if (!cs[i].closed && cs[i].sent == plen) {
					send(cs[i].fd,
					    &line[cs[i].trickled++
					        % (sizeof(line) - 1)],
					    1, MSG_NOSIGNAL);
				}
			}
			next += trickle;
		}
	}
	report(cs, n);
	for (int i = 0; i < n; i++) {
		close(cs[i].fd);
	}
	free(cs);
	free(pf);
	return (0);
}
