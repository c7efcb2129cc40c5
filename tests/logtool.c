// SPDX-License-Identifier: Apache-2.0
//
// logtool.c -- a helper for tests/log.sh: it plays the parts of a
// coordinator's log that a test must be able to forge, so that the
// auditor's refusals are tested against a real coordinator.
//
//	logtool get URL                 print the body; exit 0 on 200
//	logtool alter DB INDEX FROM TO [--rehash]
//	                                replace FROM by TO in a log entry
//	                                (and its leaf hash, with --rehash)
//	logtool swap DB I J             swap entries I and J and their leaf
//	                                hashes: a log reordered consistently
//	logtool truncate DB             drop the last disclosure and its hashes
//	logtool cosign NOTE KEY NAME [TIME]
//	                                print NOTE with a cosignature by KEY
//	logtool proxy LISTEN UPSTREAM CHECKPOINT
//	                                serve CHECKPOINT (a file, read anew on
//	                                each request) as /checkpoint and pass
//	                                every other GET on to UPSTREAM
//	logtool request KEY TOKEN       print the body of a lookup request for
//	                                the consent TOKEN signed with the
//	                                requester's KEY, now (tests/crash.sh
//	                                sends one request more than once)
//	logtool post URL FILE           POST the JSON in FILE; print the
//	                                reply's body, and "status N" on stderr
//	logtool mint ISSUER_KEY KEY TOKEN N
//	                                print N lines: a consent for one use,
//	                                as TOKEN but for its fresh jti, signed
//	                                with the issuer's key, a tab, and the
//	                                body of a request for it signed with
//	                                KEY (many lookups without as many
//	                                calls to the issuer)
//
// Exit status: 0 done, 1 refused (a status other than 200), 2 usage or I/O
// (for post: no reply at all).

#include <sodium.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "net/http.h"
#include "net/httpd.h"
#include "wire/note.h"
#include "wire/request.h"
#include "wire/token.h"

static char *
slurp(const char *path, size_t *lenp)
{
	FILE  *f = fopen(path, "rb");
	char  *buf;
	long   n;
	size_t got;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0
	    || fseek(f, 0, SEEK_SET) != 0
	    || (buf = malloc((size_t) n + 1)) == NULL) {
		if (f != NULL) {
			fclose(f);
		}
		return (NULL);
	}
	got = fread(buf, 1, (size_t) n, f);
	fclose(f);
	buf[got] = '\0';
	*lenp    = got;
	return (buf);
}

static int
get(const char *url)
{
	uint8_t *body;
	size_t   len;
	int      status;
	fs_err   rv;

	if ((rv = fs_http_request(
	         "GET", url, NULL, NULL, 0, 5000, &status, &body, &len))
	    != FS_OK) {
		fprintf(stderr, "logtool: %s: %s\n", url, fs_strerror(rv));
		return (2);
	}
	fwrite(body, 1, len, stdout);
	free(body);
	return (status == 200 ? 0 : 1);
}

static int
request(const char *keypath, const char *token)
{
	fs_key   *key = NULL;
	fs_claims c;
	char     *req = NULL;
	fs_err    rv;

	if ((rv = fs_keyfile_read_secret(&key, keypath)) != FS_OK
	    || (rv = fs_token_peek(&c, token, strlen(token))) != FS_OK
	    || (rv = fs_request_sign(
	            &req, key, token, NULL, c.reg, (int64_t) time(NULL)))
	        != FS_OK) {
		fprintf(stderr, "logtool: request: %s\n", fs_strerror(rv));
		fs_key_free(key);
		return (2);
	}
	printf("{\"request\":\"%s\"}\n", req);
	free(req);
	fs_key_free(key);
	return (0);
}

static int
mint(const char *issuerpath, const char *keypath, const char *token, int n)
{
	fs_key   *issuer = NULL, *key = NULL;
	fs_claims c;
	fs_err    rv;

	if ((rv = fs_keyfile_read_secret(&issuer, issuerpath)) != FS_OK
	    || (rv = fs_keyfile_read_secret(&key, keypath)) != FS_OK
	    || (rv = fs_token_peek(&c, token, strlen(token))) != FS_OK) {
		fprintf(stderr, "logtool: mint: %s\n", fs_strerror(rv));
		n = -1;
	}
	for (int i = 0; i < n; i++) {
		char *tok = NULL, *req = NULL;

		randombytes_buf(c.jti, sizeof(c.jti));
		c.uses = 1;
		if ((rv = fs_token_issue(&tok, issuer, &c, c.reg)) != FS_OK
		    || (rv = fs_request_sign(
		            &req, key, tok, NULL, c.reg, (int64_t) time(NULL)))
		        != FS_OK) {
			fprintf(stderr, "logtool: mint: %s\n", fs_strerror(rv));
			free(tok);
			n = -1;
			break;
		}
		printf("%s\t{\"request\":\"%s\"}\n", tok, req);
		free(tok);
		free(req);
	}
	fs_key_free(issuer);
	fs_key_free(key);
	return (n < 0 ? 2 : 0);
}

static int
post(const char *url, const char *path)
{
	uint8_t *body;
	size_t   len, blen;
	char    *text = slurp(path, &len);
	int      status;
	fs_err   rv;

	if (text == NULL) {
		fprintf(stderr, "logtool: %s: cannot read\n", path);
		return (2);
	}
	rv = fs_http_request("POST", url, "application/json", text, len, 10000,
	    &status, &body, &blen);
	free(text);
	if (rv != FS_OK) {
		fprintf(stderr, "logtool: %s: %s\n", url, fs_strerror(rv));
		return (2);
	}
	fwrite(body, 1, blen, stdout);
	free(body);
	fprintf(stderr, "status %d\n", status);
	return (status == 200 ? 0 : 1);
}

static sqlite3 *
open_db(const char *path)
{
	sqlite3 *db = NULL;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL)
	    != SQLITE_OK) {
		fprintf(stderr, "logtool: %s: %s\n", path,
		    db != NULL ? sqlite3_errmsg(db) : "cannot open");
		sqlite3_close(db);
		return (NULL);
	}
	sqlite3_busy_timeout(db, 5000);
	return (db);
}

static int
exec(sqlite3 *db, const char *sql, const char *a, const char *b, long long i)
{
	sqlite3_stmt *st;
	int           rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "logtool: %s\n", sqlite3_errmsg(db));
		return (2);
	}
	for (int k = 1; k <= sqlite3_bind_parameter_count(st); k++) {
		const char *name = sqlite3_bind_parameter_name(st, k);

		if (strcmp(name, ":a") == 0) {
			sqlite3_bind_text(st, k, a, -1, SQLITE_STATIC);
		} else if (strcmp(name, ":b") == 0) {
			sqlite3_bind_text(st, k, b, -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_int64(st, k, i);
		}
	}
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || sqlite3_changes(db) == 0) {
		fprintf(stderr, "logtool: nothing changed: %s\n",
		    sqlite3_errmsg(db));
		return (2);
	}
	return (0);
}

static int
alter(const char *path, long long index, const char *from, const char *to,
    bool rehash)
{
	sqlite3      *db = open_db(path);
	sqlite3_stmt *st;
	uint8_t       leaf[FS_MERKLE_HASH_BYTES];
	int           rc;

	if (db == NULL) {
		return (2);
	}
	rc = exec(db,
	    "UPDATE disclosure SET entry = replace(entry, :a, :b) "
	    "WHERE idx = :i AND instr(entry, :a) > 0",
	    from, to, index);
	if (rc == 0 && rehash) {
		rc = 2;
		if (sqlite3_prepare_v2(db,
		        "SELECT entry FROM disclosure WHERE idx = ?", -1, &st,
		        NULL)
		    == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, index);
			if (sqlite3_step(st) == SQLITE_ROW) {
				fs_merkle_leaf_hash(leaf,
				    sqlite3_column_text(st, 0),
				    (size_t) sqlite3_column_bytes(st, 0));
				rc = 0;
			}
			sqlite3_finalize(st);
		}
		if (rc == 0
		    && sqlite3_prepare_v2(db,
		           "UPDATE log_hash SET hash = ? WHERE level = 0 AND "
		           "idx = ?",
		           -1, &st, NULL)
		        == SQLITE_OK) {
			sqlite3_bind_blob(st, 1, leaf, sizeof(leaf), NULL);
			sqlite3_bind_int64(st, 2, index);
			rc = sqlite3_step(st) == SQLITE_DONE ? 0 : 2;
			sqlite3_finalize(st);
		}
	}
	sqlite3_close(db);
	return (rc);
}

// swap reorders two entries, and their leaf hashes with them, so that
// every tile is consistent and only the tree above tells.
static int
swap(const char *path, long long i, long long j)
{
	static const char *const get[]
	    = { "SELECT entry FROM disclosure WHERE idx = ?",
		      "SELECT hash FROM log_hash WHERE level = 0 AND idx = ?" };
	static const char *const put[] = {
		"UPDATE disclosure SET entry = ? WHERE idx = ?",
		"UPDATE log_hash SET hash = ? WHERE level = 0 AND idx = ?"
	};
	sqlite3      *db = open_db(path);
	sqlite3_stmt *st;
	int           rc = 0;

	if (db == NULL) {
		return (2);
	}
	for (int k = 0; k < 2 && rc == 0; k++) {
		void     *v[2]  = { NULL, NULL };
		int       n[2]  = { 0, 0 };
		long long at[2] = { i, j };

		for (int m = 0; m < 2; m++) {
			if (sqlite3_prepare_v2(db, get[k], -1, &st, NULL)
			    != SQLITE_OK) {
				rc = 2;
				break;
			}
			sqlite3_bind_int64(st, 1, at[m]);
			if (sqlite3_step(st) == SQLITE_ROW) {
				n[m] = sqlite3_column_bytes(st, 0);
				if ((v[m] = malloc((size_t) n[m] + 1))
				    != NULL) {
					memcpy(v[m], sqlite3_column_blob(st, 0),
					    (size_t) n[m]);
				}
			}
			sqlite3_finalize(st);
			rc = v[m] == NULL ? 2 : rc;
		}
		for (int m = 0; m < 2 && rc == 0; m++) {
			if (sqlite3_prepare_v2(db, put[k], -1, &st, NULL)
			    != SQLITE_OK) {
				rc = 2;
				break;
			}
			// The other's value; an entry stays text.
			if (k == 0) {
				sqlite3_bind_text(
				    st, 1, v[1 - m], n[1 - m], SQLITE_STATIC);
			} else {
				sqlite3_bind_blob(
				    st, 1, v[1 - m], n[1 - m], SQLITE_STATIC);
			}
			sqlite3_bind_int64(st, 2, at[m]);
			rc = sqlite3_step(st) == SQLITE_DONE ? 0 : 2;
			sqlite3_finalize(st);
		}
		free(v[0]);
		free(v[1]);
	}
	sqlite3_close(db);
	return (rc);
}

// truncate drops the last disclosure and every stored subtree hash that
// covers it, as a coordinator that rewrote its history would.
static int
truncate_log(const char *path)
{
	sqlite3 *db = open_db(path);
	int      rc;

	if (db == NULL) {
		return (2);
	}
	rc = exec(db,
	    "DELETE FROM log_hash WHERE ((idx + 1) << level) > "
	    "(SELECT max(idx) FROM disclosure)",
	    NULL, NULL, 0);
	if (rc == 0) {
		rc = exec(db,
		    "DELETE FROM disclosure WHERE idx = (SELECT max(idx) FROM "
		    "disclosure)",
		    NULL, NULL, 0);
	}
	sqlite3_close(db);
	return (rc);
}

static int
cosign(const char *notepath, const char *keypath, const char *name, uint64_t t)
{
	char   *note, *out = NULL;
	size_t  len, olen;
	fs_key *k = NULL;
	fs_err  rv;

	if ((note = slurp(notepath, &len)) == NULL) {
		fprintf(stderr, "logtool: %s: %s\n", notepath, strerror(errno));
		return (2);
	}
	if ((rv = fs_keyfile_read_secret(&k, keypath)) != FS_OK
	    || (rv = fs_cosig_sign(&out, &olen, note, len, name, k, t))
	        != FS_OK) {
		fprintf(stderr, "logtool: cosign: %s\n", fs_strerror(rv));
		free(note);
		fs_key_free(k);
		return (2);
	}
	fwrite(out, 1, olen, stdout);
	free(out);
	free(note);
	fs_key_free(k);
	return (0);
}

// The proxy, on the HTTP server every API uses: a GET of any path,
// answered on a worker, as it waits for the upstream.
static const char *upstream, *cpfile;

static void
forward(void *arg, const fs_httpd_req *req, fs_httpd_res *res)
{
	char     url[4096];
	uint8_t *body;
	size_t   len;
	int      status;

	(void) arg;
	if (strcmp(req->path, "/checkpoint") == 0) {
		char *note = slurp(cpfile, &len);

		fs_httpd_reply(res, note != NULL ? 200 : 404, "text/plain",
		    note != NULL ? note : "", note != NULL ? len : 0);
		free(note);
		return;
	}
	snprintf(url, sizeof(url), "%s%s%s%s", upstream, req->path,
	    req->query[0] != '\0' ? "?" : "", req->query);
	if (fs_http_request(
	        "GET", url, NULL, NULL, 0, 5000, &status, &body, &len)
	    != FS_OK) {
		fs_httpd_reply(res, 502, "text/plain", "", 0);
		return;
	}
	fs_httpd_reply(res, status, "application/octet-stream", body, len);
	free(body);
}

static int
proxy(const char *listen, const char *up, const char *cp)
{
	static const fs_httpd_route routes[]
	    = { { "GET", "/", true, true, forward, NULL } };
	fs_httpd     *h;
	fs_httpd_conf hc = { .timeout_ms = 10000,
		.max_connections         = 100,
		.max_per_ip              = 100,
		.max_body                = 1024 };
	sigset_t      set;
	char          why[FS_WHY_MAX];
	int           sig;

	upstream = up;
	cpfile   = cp;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (fs_httpd_start(
	        &h, "logtool", listen, &hc, routes, 1, why, sizeof(why))
	    != FS_OK) {
		fprintf(stderr, "logtool: proxy on %s: %s\n", listen, why);
		return (2);
	}
	sigwait(&set, &sig);
	fs_httpd_stop(h);
	return (0);
}

int
main(int argc, char **argv)
{
	if (fs_crypto_init() != FS_OK) {
		return (2);
	}
	if (argc == 3 && strcmp(argv[1], "get") == 0) {
		return (get(argv[2]));
	}
	if ((argc == 6 || argc == 7) && strcmp(argv[1], "alter") == 0) {
		return (alter(argv[2], atoll(argv[3]), argv[4], argv[5],
		    argc == 7 && strcmp(argv[6], "--rehash") == 0));
	}
	if (argc == 5 && strcmp(argv[1], "swap") == 0) {
		return (swap(argv[2], atoll(argv[3]), atoll(argv[4])));
	}
	if (argc == 3 && strcmp(argv[1], "truncate") == 0) {
		return (truncate_log(argv[2]));
	}
	if ((argc == 5 || argc == 6) && strcmp(argv[1], "cosign") == 0) {
		return (cosign(argv[2], argv[3], argv[4],
		    argc == 6 ? strtoull(argv[5], NULL, 10)
		              : (uint64_t) time(NULL)));
	}
	if (argc == 5 && strcmp(argv[1], "proxy") == 0) {
		return (proxy(argv[2], argv[3], argv[4]));
	}
	if (argc == 4 && strcmp(argv[1], "request") == 0) {
		return (request(argv[2], argv[3]));
	}
	if (argc == 4 && strcmp(argv[1], "post") == 0) {
		return (post(argv[2], argv[3]));
	}
	if (argc == 6 && strcmp(argv[1], "mint") == 0) {
		return (mint(argv[2], argv[3], argv[4], atoi(argv[5])));
	}
	fprintf(stderr,
	    "usage: logtool get URL | alter DB INDEX FROM TO [--rehash] | "
	    "swap DB I J | truncate DB | cosign NOTE KEY NAME [TIME] | proxy "
	    "LISTEN UPSTREAM CHECKPOINT | request KEY TOKEN | post URL "
	    "FILE | mint ISSUER_KEY KEY TOKEN N\n");
	return (2);
}
