// SPDX-License-Identifier: Apache-2.0
//
// log.c -- the disclosure log, as others read it: signed checkpoints
// (C2SP tlog-checkpoint as a signed-note), tiles (C2SP tlog-tiles) and
// proofs for clients without a tile reader.
//
// A new checkpoint is signed at most a second after entries arrive.  The
// handlers here only read, briefly, under the database lock: they answer
// on the HTTP server's event threads (net/httpd.h).

#include <sqlite3.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/log.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/merkle.h"
#include "net/httpd.h"
#include "wire/note.h"

#define WHO         "coordinator"
#define TILE_WIDTH  256
#define TILE_HEIGHT 8

// all_witnessed: every node has cosigned the checkpoint of size entries.
static bool
all_witnessed(const fs_coord *c, uint64_t size)
{
	for (size_t i = 0; i < c->nnodes; i++) {
		if (c->nodes[i].witnessed != size) {
			return (false);
		}
	}
	return (true);
}

// sign_checkpoint signs a checkpoint of size entries and root, keeps it
// in the database, and serves it at once, as the base the witnesses
// cosign; NULL if it cannot be signed.
static char *
sign_checkpoint(fs_coord *c, uint64_t size,
    const uint8_t root[static FS_MERKLE_HASH_BYTES], size_t *nlenp)
{
	char  *body = NULL, *note = NULL;
	size_t blen, nlen;
	fs_err rv;

	if ((rv = fs_checkpoint_format(
	         &body, &blen, c->origin, size, root, NULL, 0))
	        != FS_OK
	    || (rv = fs_note_sign(&note, &nlen, body, blen, c->origin, c->key))
	        != FS_OK) {
		fs_log(FS_LOG_ERROR, WHO, "cannot sign a checkpoint: %s",
		    fs_strerror(rv));
		free(body);
		return (NULL);
	}
	free(body);
	pthread_mutex_lock(&c->dbmtx);
	{
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(c->db,
		        "INSERT OR IGNORE INTO checkpoint (size, note) "
		        "VALUES (?, ?)",
		        -1, &st, NULL)
		    == SQLITE_OK) {
			sqlite3_bind_int64(st, 1, (sqlite3_int64) size);
			sqlite3_bind_text(
			    st, 2, note, (int) nlen, SQLITE_STATIC);
			sqlite3_step(st);
			sqlite3_finalize(st);
		}
	}
	pthread_mutex_unlock(&c->dbmtx);
	free(c->base);
	c->base = note;
	// Serve it at once; the cosigned note replaces it once the
	// witnesses have answered.
	pthread_mutex_lock(&c->cpmtx);
	free(c->checkpoint);
	c->checkpoint      = strdup(note);
	c->checkpoint_size = size;
	pthread_mutex_unlock(&c->cpmtx);
	*nlenp = nlen;
	return (note);
}

// coord_checkpoint signs a checkpoint of the tree as it is, if it grew,
// and gathers the witnesses' cosignatures; a witness that missed one is
// asked again a second later.
static void
coord_checkpoint(fs_coord *c)
{
	uint8_t  root[FS_MERKLE_HASH_BYTES];
	uint64_t size;
	char    *note = NULL, *cosigned;
	size_t   nlen;

	pthread_mutex_lock(&c->dbmtx);
	size = c->mst.size;
	fs_merkle_state_root(&c->mst, root);
	pthread_mutex_unlock(&c->dbmtx);
	if (c->base != NULL && size == c->checkpoint_size) {
		if (all_witnessed(c, size) || !c->witnessing) {
			return;
		}
		note = c->base;
		nlen = strlen(note);
	} else if ((note = sign_checkpoint(c, size, root, &nlen)) == NULL) {
		return;
	}
	if (!c->witnessing
	    || (cosigned = coord_witness(c, note, nlen, size)) == NULL) {
		return;
	}
	{
		size_t k = 0;

		for (size_t i = 0; i < c->nnodes; i++) {
			k += c->nodes[i].witnessed == size;
		}
		fs_log(FS_LOG_DEBUG, WHO,
		    "checkpoint %llu cosigned by %zu of %zu "
		    "witnesses",
		    (unsigned long long) size, k, c->nnodes);
	}
	pthread_mutex_lock(&c->cpmtx);
	free(c->checkpoint);
	c->checkpoint = cosigned;
	pthread_mutex_unlock(&c->cpmtx);
}

static void *
checkpointer(void *arg)
{
	fs_coord *c = arg;

	while (coord_pause(c, 1000)) {
		coord_checkpoint(c);
	}
	return (NULL);
}

fs_err
coord_log_start(fs_coord *c)
{
	fs_err rv;

	// The tree was loaded when the coordinator opened (server.c).
	if ((rv = coord_witness_load(c)) != FS_OK) {
		return (rv);
	}
	coord_checkpoint(c);
	if (pthread_create(&c->checkpointer, NULL, checkpointer, c) != 0) {
		return (FS_ERR_NOMEM);
	}
	c->checkpointer_started = true;
	return (FS_OK);
}

static void
not_found(fs_httpd_res *res, const char *why)
{
	fs_httpd_problem(res, 404, "not-found", "not found", why);
}

void
coord_get_checkpoint(void *arg, const fs_httpd_req *req, fs_httpd_res *res)
{
	fs_coord *c = arg;
	char     *note;

	(void) req;
	pthread_mutex_lock(&c->cpmtx);
	note = c->checkpoint != NULL ? strdup(c->checkpoint) : NULL;
	pthread_mutex_unlock(&c->cpmtx);
	if (note == NULL) {
		not_found(res, "no checkpoint yet");
		return;
	}
	fs_httpd_reply(
	    res, 200, "text/plain; charset=utf-8", note, strlen(note));
	free(note);
}

// parse_index reads a tile index path "x001/x234/067" (and ".p/W").
static bool
parse_index(const char *p, uint64_t *n, uint64_t *w)
{
	uint64_t v = 0;

	*w = TILE_WIDTH;
	for (;;) {
		bool last = p[0] != 'x';

		if (!last) {
			p++;
		}
		if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9'
		    || p[2] < '0' || p[2] > '9' || v > UINT64_MAX / 1000) {
			return (false);
		}
		v = v * 1000
		    + (uint64_t) ((p[0] - '0') * 100 + (p[1] - '0') * 10
		        + (p[2] - '0'));
		p += 3;
		if (last) {
			break;
		}
		if (*p++ != '/') {
			return (false);
		}
	}
	if (strncmp(p, ".p/", 3) == 0) {
		char *end;

		errno = 0;
		*w    = strtoull(p + 3, &end, 10);
		if (errno != 0 || *end != '\0' || *w < 1 || *w >= TILE_WIDTH
		    || p[3] == '0') {
			return (false);
		}
		p = end;
	}
	*n = v;
	return (*p == '\0');
}

// tile_of reads a tile path, /tile/L/N or /tile/entries/N with an
// optional .p/W, or says what was expected.
static const char *
tile_of(
    const char *uri, bool *entries, uint64_t *level, uint64_t *n, uint64_t *w)
{
	const char *p;

	if ((p = strstr(uri, "/tile/")) == NULL) {
		return ("expected /tile/L/N or /tile/entries/N");
	}
	p += 6;
	*entries = strncmp(p, "entries/", 8) == 0;
	*level   = 0;
	if (*entries) {
		p += 8;
	} else {
		if (p[0] < '0' || p[0] > '9' || p[1] != '/') {
			return ("expected a tile level from 0 to 9");
		}
		*level = (uint64_t) (p[0] - '0');
		p += 2;
	}
	if (!parse_index(p, n, w) || *n > (UINT64_MAX >> 9) / TILE_WIDTH) {
		return ("expected a tile index like x001/234 or 234.p/7");
	}
	return (NULL);
}

// read_tile reads the w hashes of a tile at level, or the w entries of an
// entry bundle, from index first (malloc'd, or NULL if empty); the caller
// holds dbmtx.
static uint8_t *
read_tile(fs_coord *c, bool entries, uint64_t level, uint64_t first, uint64_t w,
    size_t *lenp)
{
	uint8_t      *buf = NULL;
	size_t        len = 0, cap = 0;
	sqlite3_stmt *st;

	if (entries) {
		sqlite3_prepare_v2(c->db,
		    "SELECT entry FROM disclosure WHERE idx >= ? AND idx < ? "
		    "ORDER BY idx",
		    -1, &st, NULL);
		sqlite3_bind_int64(st, 1, (sqlite3_int64) first);
		sqlite3_bind_int64(st, 2, (sqlite3_int64) (first + w));
	} else {
		sqlite3_prepare_v2(c->db,
		    "SELECT hash FROM log_hash WHERE level = ? AND idx >= ? "
		    "AND "
		    "idx < ? ORDER BY idx",
		    -1, &st, NULL);
		sqlite3_bind_int64(
		    st, 1, (sqlite3_int64) (level * TILE_HEIGHT));
		sqlite3_bind_int64(st, 2, (sqlite3_int64) first);
		sqlite3_bind_int64(st, 3, (sqlite3_int64) (first + w));
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		size_t      n2 = (size_t) sqlite3_column_bytes(st, 0);
		const void *d  = sqlite3_column_blob(st, 0);

		if (len + n2 + 2 > cap) {
			uint8_t *nb;

			cap = (len + n2 + 2) * 2;
			if ((nb = realloc(buf, cap)) == NULL) {
				break;
			}
			buf = nb;
		}
		// Entry bundles prefix each entry with its 16-bit length.
		if (entries) {
			buf[len++] = (uint8_t) (n2 >> 8);
			buf[len++] = (uint8_t) n2;
		}
		memcpy(buf + len, d, n2);
		len += n2;
	}
	sqlite3_finalize(st);
	*lenp = len;
	return (buf);
}

void
coord_get_tile(void *arg, const fs_httpd_req *req, fs_httpd_res *res)
{
	fs_coord   *c = arg;
	const char *why;
	uint64_t    level, n, w, first;
	bool        entries;
	uint8_t    *buf;
	size_t      len;

	if ((why = tile_of(req->path, &entries, &level, &n, &w)) != NULL) {
		not_found(res, why);
		return;
	}
	first = n * TILE_WIDTH;
	{
		// A tile is served only as far as the latest checkpoint covers.
		uint64_t size, avail;

		pthread_mutex_lock(&c->cpmtx);
		size = c->checkpoint_size;
		pthread_mutex_unlock(&c->cpmtx);
		// Levels 8 and 9 hold nothing a 64-bit size could reach (and
		// a shift by 64 or more is undefined).
		avail = TILE_HEIGHT * level < 64 ? size >> (TILE_HEIGHT * level)
		                                 : 0;
		if (first + w > avail) {
			not_found(
			    res, "the tile is beyond the latest checkpoint");
			return;
		}
	}
	pthread_mutex_lock(&c->dbmtx);
	buf = read_tile(c, entries, level, first, w, &len);
	pthread_mutex_unlock(&c->dbmtx);
	fs_httpd_reply(res, 200, "application/octet-stream",
	    buf != NULL ? buf : (void *) "", len);
	free(buf);
}

// query_u64 reads the value of name in a query "a=1&b=2".
static bool
query_u64(const char *query, const char *name, uint64_t *v)
{
	char        key[32];
	const char *p;
	char       *end;

	snprintf(key, sizeof(key), "%s=", name);
	for (p = query; p != NULL; p = strchr(p, '&')) {
		p += *p == '&';
		if (strncmp(p, key, strlen(key)) == 0) {
			errno = 0;
			*v    = strtoull(p + strlen(key), &end, 10);
			return (errno == 0 && end != p + strlen(key)
			    && p[strlen(key)] != '-'
			    && (*end == '\0' || *end == '&'));
		}
	}
	return (false);
}

json_t *
coord_proof_json(const fs_merkle_proof *proof)
{
	json_t *a = json_array();
	char    b[64];

	for (size_t i = 0; i < proof->n; i++) {
		fs_b64std_encode(b, proof->hash[i], FS_MERKLE_HASH_BYTES);
		json_array_append_new(a, json_string(b));
	}
	return (a);
}

static void
send_proof(fs_httpd_res *res, json_t *o, const fs_merkle_proof *proof)
{
	char *s;

	json_object_set_new(o, "proof", coord_proof_json(proof));
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(o);
	fs_httpd_reply(res, 200, "application/json", s != NULL ? s : "{}",
	    s != NULL ? strlen(s) : 2);
	free(s);
}

void
coord_get_inclusion(void *arg, const fs_httpd_req *req, fs_httpd_res *res)
{
	fs_coord       *c = arg;
	uint64_t        index, size;
	fs_merkle_proof proof;
	fs_err          rv = FS_ERR_INVALID;

	if (!query_u64(req->query, "index", &index)
	    || !query_u64(req->query, "size", &size)) {
		not_found(res, "expected ?index=I&size=N");
		return;
	}
	pthread_mutex_lock(&c->dbmtx);
	if (index < size && size <= c->mst.size) {
		rv = fs_merkle_prove_inclusion(
		    &proof, index, size, coord_log_get, c);
	}
	pthread_mutex_unlock(&c->dbmtx);
	if (rv != FS_OK) {
		not_found(res, "expected index < size <= the log's size");
		return;
	}
	send_proof(res,
	    json_pack("{s:I, s:I}", "index", (json_int_t) index, "size",
	        (json_int_t) size),
	    &proof);
}

void
coord_get_consistency(void *arg, const fs_httpd_req *req, fs_httpd_res *res)
{
	fs_coord       *c = arg;
	uint64_t        o, n;
	fs_merkle_proof proof;
	fs_err          rv = FS_ERR_INVALID;

	if (!query_u64(req->query, "old", &o)
	    || !query_u64(req->query, "new", &n)) {
		not_found(res, "expected ?old=M&new=N");
		return;
	}
	pthread_mutex_lock(&c->dbmtx);
	if (0 < o && o <= n && n <= c->mst.size) {
		rv = fs_merkle_prove_consistency(
		    &proof, o, n, coord_log_get, c);
	}
	pthread_mutex_unlock(&c->dbmtx);
	if (rv != FS_OK) {
		not_found(res, "expected 0 < old <= new <= the log's size");
		return;
	}
	send_proof(res,
	    json_pack(
	        "{s:I, s:I}", "old", (json_int_t) o, "new", (json_int_t) n),
	    &proof);
}
