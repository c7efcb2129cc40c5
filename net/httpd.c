// SPDX-License-Identifier: Apache-2.0
//
// httpd.c -- the HTTP server's configuration, its listening socket, its
// certificate, and libmicrohttpd started and stopped (net/httpd.h).
//
// The limits, and why (docs/decisions.md): a whole request within
// http_timeout (10 s), as a client on a slow mobile link sends a lookup
// in well under a second; 1000 connections in all and 64 per address,
// far more than a requester needs and far fewer than the descriptors a
// daemon has; bodies of 64 KiB, seven times the largest lookup; 16 KiB
// of headers, twice the largest token in an Authorization header.  Four event
// threads serve every connection; eight workers answer the handlers
// that may block, with 1024 requests waiting at most.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "net/httpd.h"
#include "net/httpdimpl.h"

#define EVENT_THREADS 4
#define WORKERS       8
#define QUEUE_MAX     1024
#define MEMORY_LIMIT  (64 * 1024) // per connection: headers and buffers
#define BACKLOG       4096
#define CERT_MAX      (64 * 1024)
#define KEY_MAX       (16 * 1024)

// TLS 1.2 and 1.3 only, the server's order of ciphers first.
static char priorities[]
    = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:%SERVER_PRECEDENCE";

static int
line_of(const fs_conf_section *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->entries[i].key, key) == 0) {
			return (s->entries[i].line);
		}
	}
	return (s->line);
}

// read_proxies reads trusted_proxies: addresses, by spaces or commas.
static fs_err
read_proxies(fs_httpd_conf *hc, const fs_conf *conf, const fs_conf_section *s,
    char *why, size_t whycap)
{
	const char *p = fs_conf_get(s, "trusted_proxies");

	while (p != NULL && *(p += strspn(p, " ,\t")) != '\0') {
		size_t        n = strcspn(p, " ,\t");
		char          a[FS_HTTPD_ADDR_MAX];
		unsigned char bin[sizeof(struct in6_addr)];
		int           af = AF_INET;

		snprintf(a, sizeof(a), "%.*s", (int) n, p);
		if (n >= sizeof(a) || hc->nproxies == FS_HTTPD_PROXIES_MAX
		    || (inet_pton(AF_INET, a, bin) != 1
		        && inet_pton(af = AF_INET6, a, bin) != 1)) {
			snprintf(why, whycap,
			    "%s:%d: expected trusted_proxies to be at most %d "
			    "IP addresses, found '%.*s'",
			    conf->path, line_of(s, "trusted_proxies"),
			    FS_HTTPD_PROXIES_MAX, (int) n, p);
			return (FS_ERR_CONFIG);
		}
		// As the server writes a peer's address, to compare.
		inet_ntop(
		    af, bin, hc->proxies[hc->nproxies++], FS_HTTPD_ADDR_MAX);
		p += n;
	}
	return (FS_OK);
}

fs_err
fs_httpd_conf_read(fs_httpd_conf *hc, const fs_conf *conf,
    const fs_conf_section *s, char *why, size_t whycap)
{
	const char *t = fs_conf_get(s, "http_timeout");
	fs_err      rv;

	memset(hc, 0, sizeof(*hc));
	hc->timeout_ms = FS_HTTPD_TIMEOUT_DEFAULT_MS;
	if (t != NULL
	    && (fs_parse_duration(t, &hc->timeout_ms) != FS_OK
	        || hc->timeout_ms < 1000 || hc->timeout_ms > 3600 * 1000)) {
		snprintf(why, whycap,
		    "%s:%d: expected http_timeout as a duration from 1s to 1h, "
		    "found '%s'",
		    conf->path, line_of(s, "http_timeout"), t);
		return (FS_ERR_CONFIG);
	}
	if ((rv = fs_conf_int(conf, s, "http_max_connections",
	         FS_HTTPD_CONNECTIONS_DEFAULT, 1, 100000, &hc->max_connections,
	         why, whycap))
	        != FS_OK
	    || (rv = fs_conf_int(conf, s, "http_max_per_ip",
	            FS_HTTPD_PER_IP_DEFAULT, 1, 100000, &hc->max_per_ip, why,
	            whycap))
	        != FS_OK
	    || (rv = fs_conf_int(conf, s, "http_max_body",
	            FS_HTTPD_BODY_DEFAULT, 1, 64 << 20, &hc->max_body, why,
	            whycap))
	        != FS_OK
	    || (rv = read_proxies(hc, conf, s, why, whycap)) != FS_OK) {
		return (rv);
	}
	hc->tls_cert = fs_conf_path(conf, s, "tls_cert");
	hc->tls_key  = fs_conf_path(conf, s, "tls_key");
	return (FS_OK);
}

void
fs_httpd_conf_fini(fs_httpd_conf *hc)
{
	free(hc->tls_cert);
	free(hc->tls_key);
	hc->tls_cert = hc->tls_key = NULL;
}

// parse_url reads http://HOST[:PORT][/] or https://...; an IPv6 host in
// brackets.
static bool
parse_url(
    const char *url, bool *tls, char host[static 256], char port[static 8])
{
	const char *p, *end;
	size_t      n;

	if (strncmp(url, "http://", 7) == 0) {
		*tls = false;
		p    = url + 7;
	} else if (strncmp(url, "https://", 8) == 0) {
		*tls = true;
		p    = url + 8;
	} else {
		return (false);
	}
	if (*p == '[') {
		if ((end = strchr(++p, ']')) == NULL) {
			return (false);
		}
		n = (size_t) (end++ - p);
	} else {
		n   = strcspn(p, ":/");
		end = p + n;
	}
	if (n == 0 || n > 255) {
		return (false);
	}
	memcpy(host, p, n);
	host[n] = '\0';
	snprintf(port, 8, "%s", *tls ? "443" : "80");
	if (*end == ':') {
		n = strspn(++end, "0123456789");
		if (n == 0 || n > 5 || atoi(end) < 1 || atoi(end) > 65535) {
			return (false);
		}
		snprintf(port, 8, "%.*s", (int) n, end);
		end += n;
	}
	return (strcmp(end, "") == 0 || strcmp(end, "/") == 0);
}

// listen_on opens the listening socket, so that a port taken is said
// plainly; libmicrohttpd accepts on it.
static int
listen_on(const char *url, const char *host, const char *port, char *why,
    size_t whycap)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
		.ai_flags                      = AI_PASSIVE | AI_NUMERICSERV },
	                *res, *ai;
	int fd = -1, rv, err = 0, on = 1;

	if ((rv = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(why, whycap, "cannot listen on %s: %s", url,
		    gai_strerror(rv));
		return (-1);
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family,
		         SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0))
		    < 0) {
			err = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
		if (ai->ai_family == AF_INET6) {
			setsockopt(
			    fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
		}
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0
		    || listen(fd, BACKLOG) != 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0) {
		snprintf(
		    why, whycap, "cannot listen on %s: %s", url, strerror(err));
	}
	return (fd);
}

// load_tls reads the certificate and the key for an https:// address,
// which must have both; an http:// address must have neither.
static fs_err
load_tls(fs_httpd *h, const char *url, bool tls, const fs_httpd_conf *hc,
    char *why, size_t whycap)
{
	size_t n;
	fs_err rv;

	if (!tls) {
		if (hc->tls_cert != NULL || hc->tls_key != NULL) {
			snprintf(why, whycap,
			    "%s is plain HTTP but tls_cert or tls_key is set: "
			    "expected an https:// address to serve TLS",
			    url);
			return (FS_ERR_CONFIG);
		}
		return (FS_OK);
	}
	if (hc->tls_cert == NULL || hc->tls_key == NULL) {
		snprintf(why, whycap,
		    "%s needs a certificate: expected tls_cert and tls_key "
		    "(PEM files) beside it",
		    url);
		return (FS_ERR_CONFIG);
	}
	if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		snprintf(why, whycap,
		    "%s: this libmicrohttpd was built without TLS", url);
		return (FS_ERR_CONFIG);
	}
	if ((h->cert = malloc(CERT_MAX)) == NULL
	    || (h->key = sodium_malloc(KEY_MAX)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_file_read(hc->tls_cert, false, h->cert, CERT_MAX, &n))
	    != FS_OK) {
		snprintf(why, whycap, "tls_cert %s: %s", hc->tls_cert,
		    fs_strerror(rv));
		return (rv);
	}
	if ((rv = fs_file_read(hc->tls_key, true, h->key, KEY_MAX, &n))
	    != FS_OK) {
		snprintf(why, whycap, "tls_key %s: %s%s", hc->tls_key,
		    fs_strerror(rv),
		    rv == FS_ERR_PERMISSION ? " (expected mode 0600)" : "");
		return (rv);
	}
	return (FS_OK);
}

// logger takes libmicrohttpd's messages into the log, and keeps the
// first ones to say why a start failed.
static void
logger(void *cls, const char *fmt, va_list ap)
{
	fs_httpd *h = cls;
	char      msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	pthread_mutex_lock(&h->lastmtx);
	if (strlen(h->last) + strlen(msg) + 2 < sizeof(h->last)) {
		snprintf(h->last + strlen(h->last),
		    sizeof(h->last) - strlen(h->last), "%s%s",
		    h->last[0] != '\0' ? " " : "", msg);
	}
	pthread_mutex_unlock(&h->lastmtx);
	fs_log(FS_LOG_DEBUG, h->who, "libmicrohttpd: %s", msg);
}

// start_daemon starts libmicrohttpd on the listening socket fd.
static fs_err
start_daemon(fs_httpd *h, int fd, bool tls, char *why, size_t whycap)
{
	const fs_httpd_conf  *hc     = &h->conf;
	struct MHD_OptionItem tlso[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, h->cert },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, h->key },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0, priorities },
		{ MHD_OPTION_END, 0, NULL },
	};
	unsigned int flags = MHD_USE_EPOLL_INTERNAL_THREAD
	    | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG
	    | (tls ? MHD_USE_TLS : 0);

	// Each event thread takes its share of the connections.
	unsigned int threads = hc->max_connections < EVENT_THREADS
	    ? (unsigned int) hc->max_connections
	    : EVENT_THREADS;

	if (!tls) {
		tlso[0].option = MHD_OPTION_END;
	}
	// The logger first, so that every message goes to it.
	h->d = MHD_start_daemon(flags, 0, NULL, NULL, hd_access, h,
	    MHD_OPTION_EXTERNAL_LOGGER, logger, h, MHD_OPTION_LISTEN_SOCKET, fd,
	    MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_TIMEOUT,
	    (unsigned int) ((hc->timeout_ms + 999) / 1000),
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int) hc->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int) hc->max_per_ip,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t) MEMORY_LIMIT,
	    MHD_OPTION_URI_LOG_CALLBACK, hd_uri, h, MHD_OPTION_NOTIFY_COMPLETED,
	    hd_completed, h, MHD_OPTION_NOTIFY_CONNECTION, guard_notify,
	    &h->guard, MHD_OPTION_SIGPIPE_HANDLED_BY_APP, 1, MHD_OPTION_ARRAY,
	    tlso, MHD_OPTION_END);
	if (h->d == NULL) {
		pthread_mutex_lock(&h->lastmtx);
		snprintf(why, whycap, "cannot serve HTTP%s: %s",
		    tls ? "S (tls_cert, tls_key)" : "",
		    h->last[0] != '\0' ? h->last : "libmicrohttpd refused");
		pthread_mutex_unlock(&h->lastmtx);
		return (FS_ERR_CONFIG);
	}
	return (FS_OK);
}

// copy_conf keeps what the server reads of the configuration.
static void
copy_conf(fs_httpd *h, const fs_httpd_conf *hc)
{
	h->conf          = *hc;
	h->conf.tls_cert = NULL;
	h->conf.tls_key  = NULL;
}

fs_err
fs_httpd_start(fs_httpd **hp, const char *who, const char *url,
    const fs_httpd_conf *hc, const fs_httpd_route *routes, size_t n, char *why,
    size_t whycap)
{
	fs_httpd *h;
	char      host[256], port[8];
	bool      tls;
	int       fd = -1;
	fs_err    rv;

	if (!parse_url(url, &tls, host, port)) {
		snprintf(why, whycap,
		    "expected the HTTP address as http://HOST:PORT or "
		    "https://HOST:PORT, found '%s'",
		    url);
		return (FS_ERR_CONFIG);
	}
	if ((h = calloc(1, sizeof(*h))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	h->who     = who;
	h->routes  = routes;
	h->nroutes = n;
	copy_conf(h, hc);
	pthread_mutex_init(&h->lastmtx, NULL);
	// A peer that closes early must not kill the daemon.
	signal(SIGPIPE, SIG_IGN);
	if ((rv = load_tls(h, url, tls, hc, why, whycap)) != FS_OK
	    || (rv = guard_start(
	            &h->guard, who, hc->timeout_ms, hc->max_per_ip))
	        != FS_OK
	    || (rv = pool_start(&h->workers, WORKERS, QUEUE_MAX)) != FS_OK
	    || (rv = (fd = listen_on(url, host, port, why, whycap)) < 0
	               ? FS_ERR_TRANSPORT
	               : FS_OK)
	        != FS_OK
	    || (rv = start_daemon(h, fd, tls, why, whycap)) != FS_OK) {
		// libmicrohttpd closes the socket it was given when it fails
		// to start, and listen_on leaves none open when it fails.
		fs_httpd_stop(h);
		return (rv);
	}
	fs_log(FS_LOG_INFO, who,
	    "HTTP%s on %s: a request within %lld ms, at most %lld "
	    "connections, %lld per address, bodies of %lld bytes",
	    tls ? "S" : "", url, (long long) hc->timeout_ms,
	    (long long) hc->max_connections, (long long) hc->max_per_ip,
	    (long long) hc->max_body);
	*hp = h;
	return (FS_OK);
}

void
fs_httpd_stop(fs_httpd *h)
{
	if (h == NULL) {
		return;
	}
	if (h->d != NULL) {
		MHD_socket fd = MHD_quiesce_daemon(h->d);

		if (fd != MHD_INVALID_SOCKET) {
			close(fd);
		}
	}
	// The workers answer what they hold, resuming its connections,
	// before libmicrohttpd closes them all.
	pool_stop(h->workers);
	if (h->d != NULL) {
		MHD_stop_daemon(h->d);
	}
	guard_stop(&h->guard);
	free(h->cert);
	if (h->key != NULL) {
		sodium_free(h->key); // wiped
	}
	pthread_mutex_destroy(&h->lastmtx);
	free(h);
}
