// SPDX-License-Identifier: Apache-2.0
//
// audit_open.c -- fedscore audit open: does an answer match its public
// log entry?  The answer (as fedscore lookup prints it) names its entry's
// index, the root of the log it was appended to with an inclusion proof,
// and the salt of the entry's commitments.  The entry is read from the
// log as served (its entries tile), checked to be the leaf the answer's
// proof includes, and its result commitment opened with the salt: so a
// requester can prove what it was given, and anyone shown an answer can
// check it against the public log, which alone confirms nothing.

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "audit/audit.h"
#include "cli/audit_cmd.h"
#include "cli/cli.h"
#include "common/b64.h"
#include "common/err.h"
#include "crypto/merkle.h"
#include "net/http.h"
#include "wire/logcommit.h"

#define TIMEOUT_MS 30000

// the parts of an answer that open its entry.
typedef struct opened {
	uint64_t        index, size;
	uint8_t         root[FS_MERKLE_HASH_BYTES];
	fs_merkle_proof proof;
	uint8_t         salt[FS_LOG_SALT_BYTES];
	char           *result; // compact JSON with sorted keys
} opened;

static bool
b64std(const char *s, uint8_t *out, size_t n)
{
	size_t got;

	return (s != NULL
	    && fs_b64std_decode(out, n, &got, s, strlen(s)) == FS_OK
	    && got == n);
}

// read_answer takes index, tree_size, root, inclusion and salt from the
// answer's disclosure, and its result.
static bool
read_answer(json_t *a, const char *salt, opened *op)
{
	json_t     *d   = json_object_get(a, "disclosure");
	json_t     *inc = json_object_get(d, "inclusion"), *h;
	const char *s   = salt != NULL
	      ? salt
	      : json_string_value(json_object_get(d, "salt"));
	size_t      got, i;

	if (!json_is_integer(json_object_get(d, "index"))
	    || !json_is_integer(json_object_get(d, "tree_size"))
	    || !b64std(json_string_value(json_object_get(d, "root")), op->root,
	        sizeof(op->root))
	    || !json_is_array(inc) || json_array_size(inc) > FS_MERKLE_PROOF_MAX
	    || s == NULL
	    || fs_b64_decode(op->salt, sizeof(op->salt), &got, s, strlen(s))
	        != FS_OK
	    || got != sizeof(op->salt)
	    || !json_is_object(json_object_get(a, "result"))) {
		return (false);
	}
	op->index = (uint64_t) json_integer_value(json_object_get(d, "index"));
	op->size
	    = (uint64_t) json_integer_value(json_object_get(d, "tree_size"));
	op->proof.n = json_array_size(inc);
	json_array_foreach (inc, i, h) {
		if (!b64std(json_string_value(h), op->proof.hash[i],
		        FS_MERKLE_HASH_BYTES)) {
			return (false);
		}
	}
	op->result = json_dumps(
	    json_object_get(a, "result"), JSON_COMPACT | JSON_SORT_KEYS);
	return (op->result != NULL);
}

// fetch_entry reads entry index from the log's entries tile at log (its
// width from the answer's tree size, or a full tile).
static fs_err
fetch_entry(const char *log, uint64_t index, uint64_t size, char **entryp,
    char *why, size_t whycap)
{
	fs_bundle_entry e[FS_TILE_WIDTH];
	uint64_t        k = index / FS_TILE_WIDTH, first = k * FS_TILE_WIDTH;
	unsigned w = (unsigned) (size - first < FS_TILE_WIDTH ? size - first
	                                                      : FS_TILE_WIDTH);
	char     path[FS_TILE_PATH_MAX], url[2048];
	uint8_t *body = NULL;
	size_t   len, n;
	int      status;
	fs_err   rv;

	fs_tile_path(path, FS_TILE_ENTRIES, k, w);
	snprintf(url, sizeof(url), "%s/%s", log, path);
	rv = fs_http_request(
	    "GET", url, NULL, NULL, 0, TIMEOUT_MS, &status, &body, &len);
	if (rv != FS_OK || status != 200) {
		snprintf(why, whycap, "%s: %s", url,
		    rv != FS_OK ? fs_strerror(rv) : "not served");
		free(body);
		return (rv != FS_OK ? rv : FS_ERR_NOT_FOUND);
	}
	if ((rv = fs_bundle_parse(e, w, &n, body, len)) != FS_OK
	    || index - first >= n) {
		snprintf(why, whycap,
		    "%s: expected %u entries, found another "
		    "bundle",
		    url, w);
		free(body);
		return (FS_ERR_MALFORMED);
	}
	*entryp = strndup(
	    (const char *) e[index - first].data, e[index - first].len);
	free(body);
	return (*entryp != NULL ? FS_OK : FS_ERR_NOMEM);
}

// opens checks that entry is the leaf the answer's proof includes, and
// that the salt opens its result commitment on the answer's result.
static int
opens(const opened *op, const char *entry)
{
	uint8_t     leaf[FS_MERKLE_HASH_BYTES], c[FS_LOG_COMMIT_BYTES];
	uint8_t     have[FS_LOG_COMMIT_BYTES];
	json_t     *e = json_loads(entry, JSON_REJECT_DUPLICATES, NULL);
	const char *r = json_string_value(json_object_get(e, "result"));
	size_t      got;
	int         ok;

	fs_merkle_leaf_hash(leaf, (const uint8_t *) entry, strlen(entry));
	if (fs_merkle_verify_inclusion(
	        leaf, op->index, op->size, &op->proof, op->root)
	    != FS_OK) {
		printf("FAIL entry %llu: the log serves an entry that the "
		       "answer's inclusion proof does not include\n",
		    (unsigned long long) op->index);
		json_decref(e);
		return (1);
	}
	if (r == NULL || json_integer_value(json_object_get(e, "v")) != 2
	    || fs_b64_decode(have, sizeof(have), &got, r, strlen(r)) != FS_OK
	    || got != sizeof(have)) {
		printf("FAIL entry %llu: expected an entry of version 2 with a "
		       "result commitment, found none\n",
		    (unsigned long long) op->index);
		json_decref(e);
		return (1);
	}
	json_decref(e);
	fs_log_commit(c, op->salt, "result", op->result, strlen(op->result));
	ok = sodium_memcmp(c, have, sizeof(c)) == 0;
	if (ok) {
		printf("entry %llu: the answer's result opens the entry's "
		       "commitment, and the entry is in the log the answer "
		       "names\n",
		    (unsigned long long) op->index);
	} else {
		printf("FAIL entry %llu: the salt does not open the entry's "
		       "result commitment on the answer's result\n",
		    (unsigned long long) op->index);
	}
	return (ok ? 0 : 1);
}

int
audit_open(const audit_opts *o)
{
	opened  op = { 0 };
	json_t *j, *a;
	char   *entry = NULL, why[2600];
	int     rc    = 2;

	if ((j = json_load_file(o->answer, JSON_REJECT_DUPLICATES, NULL))
	    == NULL) {
		fprintf(stderr,
		    "fedscore audit open: %s: expected the JSON "
		    "answer of a lookup\n",
		    o->answer);
		return (2);
	}
	a = json_object_get(j, "answer") != NULL ? json_object_get(j, "answer")
	                                         : j;
	if (!read_answer(a, o->salt, &op)) {
		fprintf(stderr,
		    "fedscore audit open: %s: expected an answer with "
		    "disclosure {index, tree_size, root, inclusion, salt} and "
		    "a "
		    "result\n",
		    o->answer);
	} else if (fetch_entry(
	               o->log, op.index, op.size, &entry, why, sizeof(why))
	    != FS_OK) {
		fprintf(stderr, "fedscore audit open: %s\n", why);
	} else {
		rc = opens(&op, entry);
	}
	free(entry);
	free(op.result);
	sodium_memzero(op.salt, sizeof(op.salt));
	json_decref(j);
	return (rc);
}
