// SPDX-License-Identifier: Apache-2.0
//
// http.c -- one HTTP request on libcurl, for the commands that talk to
// the coordinator's HTTP API and read its log, over http:// or https://.
//
// Each request opens its own connection and waits for the whole answer,
// within one timeout.  Only http and https are spoken, redirects are not
// followed, and an https:// server must show a certificate the system's
// authorities, or those named by fs_http_set_cacert, vouch for.  The
// answer is copied out, NUL-terminated, so a caller may treat text as a
// string.  A body larger than FS_HTTP_RESPONSE_MAX is refused rather than
// held.

#include <curl/curl.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "net/http.h"

static pthread_once_t     once = PTHREAD_ONCE_INIT;
static CURLcode           global_rv;
static const char        *cacert; // set before any request, then read only
static _Thread_local char why[CURL_ERROR_SIZE + 64];

static void
global_init(void)
{
	global_rv = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
fs_http_set_cacert(const char *path)
{
	cacert = path;
}

const char *
fs_http_why(void)
{
	return (why[0] != '\0' ? why : "no error");
}

// The answer as it arrives, bounded.
typedef struct sink {
	uint8_t *buf;
	size_t   len, cap;
	bool     over;
} sink;

static size_t
take(char *p, size_t size, size_t n, void *arg)
{
	sink  *s = arg;
	size_t k = size * n;

	if (k > FS_HTTP_RESPONSE_MAX - s->len) {
		s->over = true;
		return (0); // libcurl stops
	}
	if (s->len + k + 1 > s->cap) {
		size_t   cap = s->cap == 0 ? 4096 : s->cap;
		uint8_t *nb;

		while (cap < s->len + k + 1) {
			cap *= 2;
		}
		if ((nb = realloc(s->buf, cap)) == NULL) {
			return (0);
		}
		s->buf = nb;
		s->cap = cap;
	}
	memcpy(s->buf + s->len, p, k);
	s->len += k;
	return (k);
}

// headers_of lists the request's headers for libcurl; NULL when out of
// memory.  "Expect:" keeps libcurl from waiting for 100 Continue.
static struct curl_slist *
headers_of(const char *const *headers, const char *ctype, bool *ok)
{
	struct curl_slist *l = curl_slist_append(NULL, "Expect:"), *n;
	char               h[8192];

	*ok = l != NULL;
	for (size_t i = 0; *ok && headers != NULL && headers[i] != NULL;
	     i += 2) {
		snprintf(h, sizeof(h), "%s: %s", headers[i], headers[i + 1]);
		*ok = (n = curl_slist_append(l, h)) != NULL;
		l   = *ok ? n : l;
	}
	if (*ok && ctype != NULL) {
		snprintf(h, sizeof(h), "Content-Type: %s", ctype);
		*ok = (n = curl_slist_append(l, h)) != NULL;
		l   = *ok ? n : l;
	}
	return (l);
}

static fs_err
err_of(CURLcode rc, const sink *s)
{
	switch (rc) {
	case CURLE_OK:
		return (FS_OK);
	case CURLE_OPERATION_TIMEDOUT:
		return (FS_ERR_TIMEOUT);
	case CURLE_FILESIZE_EXCEEDED:
		return (FS_ERR_TOO_LARGE);
	case CURLE_WRITE_ERROR:
		return (s->over ? FS_ERR_TOO_LARGE : FS_ERR_NOMEM);
	case CURLE_OUT_OF_MEMORY:
		return (FS_ERR_NOMEM);
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return (FS_ERR_INVALID);
	default:
		return (FS_ERR_TRANSPORT);
	}
}

// setup sets the options of one request on e.
static void
setup(CURL *e, const char *method, const char *url, struct curl_slist *hl,
    const void *body, size_t len, int timeout_ms, sink *s, char *err)
{
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long) timeout_ms);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, take);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(
	    e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t) FS_HTTP_RESPONSE_MAX);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hl);
	if (cacert != NULL) {
		curl_easy_setopt(e, CURLOPT_CAINFO, cacert);
	}
	if (strcmp(method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	} else if (strcmp(method, "GET") != 0) {
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	}
	if (body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(
		    e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t) len);
	}
}

fs_err
fs_http_request_with(const char *method, const char *url,
    const char *const *headers, const char *ctype, const void *body, size_t len,
    int timeout_ms, int *status, uint8_t **resp, size_t *resplen)
{
	CURL              *e;
	struct curl_slist *hl;
	sink               s                    = { 0 };
	char               err[CURL_ERROR_SIZE] = "";
	long               code                 = 0;
	bool               ok;
	fs_err             rv;
	CURLcode           rc;

	why[0] = '\0';
	if (strncmp(url, "http://", 7) != 0
	    && strncmp(url, "https://", 8) != 0) {
		snprintf(
		    why, sizeof(why), "expected an http:// or https:// URL");
		return (FS_ERR_INVALID);
	}
	pthread_once(&once, global_init);
	if (global_rv != CURLE_OK || (e = curl_easy_init()) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((hl = headers_of(headers, ctype, &ok)) == NULL || !ok) {
		curl_slist_free_all(hl);
		curl_easy_cleanup(e);
		return (FS_ERR_NOMEM);
	}
	setup(e, method, url, hl, body, len, timeout_ms, &s, err);
	rc = curl_easy_perform(e);
	// An empty answer still gets its buffer, for the NUL.
	if ((rv = err_of(rc, &s)) == FS_OK && s.buf == NULL
	    && (s.buf = malloc(1)) == NULL) {
		rv = FS_ERR_NOMEM;
	}
	if (rv == FS_OK) {
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &code);
		s.buf[s.len] = '\0';
		*status      = (int) code;
		*resp        = s.buf;
		*resplen     = s.len;
	} else {
		snprintf(why, sizeof(why), "%s",
		    s.over               ? "the answer is larger than allowed"
		        : err[0] != '\0' ? err
		                         : curl_easy_strerror(rc));
		free(s.buf);
	}
	curl_slist_free_all(hl);
	curl_easy_cleanup(e);
	return (rv);
}

fs_err
fs_http_request(const char *method, const char *url, const char *ctype,
    const void *body, size_t len, int timeout_ms, int *status, uint8_t **resp,
    size_t *resplen)
{
	return (fs_http_request_with(method, url, NULL, ctype, body, len,
	    timeout_ms, status, resp, resplen));
}
