// SPDX-License-Identifier: Apache-2.0
//
// answer.c -- the end of a lookup, once the nodes were asked: the score
// from their contributions, the disclosure recorded in the log in the
// place of the admission, then the signed answer.  Nothing leaves that
// was not recorded.  No score is made without answers: a lookup that no
// node answered, or that missed a node the scheme requires, is refused
// and recorded too, with no result, since the nodes that answered have
// released their contributions.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/merkle.h"
#include "wire/envelope.h"
#include "wire/logcommit.h"
#include "wire/lookup.h"
#include "wire/request.h"
#include "wire/token.h"

#define WHO "coordinator"

#define problem(out, ...) coord_problem(out, "a lookup", __VA_ARGS__)

static void
b64(char *out, const uint8_t *bin, size_t n)
{
	fs_b64_encode(out, bin, n);
}

// result_json is what the scope allows to be seen of the score.
static json_t *
result_json(const fs_score *s, fs_scope scope)
{
	json_t *r = json_object();

	json_object_set_new(r, "tier",
	    json_pack(
	        "{s:s, s:s}", "name", s->tier->name, "label", s->tier->label));
	if (fs_scope_rank(scope) >= fs_scope_rank(FS_SCOPE_SCORE)) {
		json_object_set_new(r, "score", json_integer(s->score));
	}
	if (fs_scope_rank(scope) >= fs_scope_rank(FS_SCOPE_BREAKDOWN)) {
		json_t *b = json_object();

		for (int d = 0; d < FS_DIM_COUNT; d++) {
			json_object_set_new(b, fs_dim_name((fs_dim) d),
			    json_integer(s->dims[d]));
		}
		json_object_set_new(r, "breakdown", b);
		json_object_set_new(r, "disputed", json_boolean(s->disputed));
	}
	return (r);
}

// disclosure_json proves that the disclosure is in the log: its index,
// the tree size and root just after it was appended, and the inclusion
// proof; the signed answer commits the coordinator to that root, which
// later checkpoints must be consistent with.
static json_t *
disclosure_json(fs_coord *c, int64_t index)
{
	fs_merkle_proof proof;
	uint8_t         root[FS_MERKLE_HASH_BYTES];
	char            b[64];
	uint64_t        size;
	json_t         *d;
	fs_err          rv;

	pthread_mutex_lock(&c->dbmtx);
	size = c->mst.size;
	fs_merkle_state_root(&c->mst, root);
	rv = fs_merkle_prove_inclusion(
	    &proof, (uint64_t) index, size, coord_log_get, c);
	pthread_mutex_unlock(&c->dbmtx);
	d = json_pack("{s:I, s:I}", "index", (json_int_t) index, "tree_size",
	    (json_int_t) size);
	fs_b64std_encode(b, root, sizeof(root));
	json_object_set_new(d, "root", json_string(b));
	if (rv == FS_OK) {
		json_object_set_new(d, "inclusion", coord_proof_json(&proof));
	}
	return (d);
}

// log_entry completes the lookup's entry (admit.c made its common
// part) with the outcome: the hash of the result, or for a lookup
// refused after admission (result_hash NULL) why; the receipts of the
// nodes that answered, how many did, and their rules.  It takes the
// receipts and the rules.
static void
log_entry(coord_lookup *lk, const uint8_t *result_hash, const char *refused)
{
	const fs_coord *c = lk->c;
	json_t         *e = lk->entry;
	char            h64[64];

	if (result_hash != NULL) {
		b64(h64, result_hash, 32);
		json_object_set_new(e, "result", json_string(h64));
	} else {
		json_object_set_new(e, "refused", json_string(refused));
	}
	json_object_set_new(e, "receipts", lk->receipts);
	json_object_set_new(e, "nodes",
	    json_pack("{s:I, s:I}", "expected", (json_int_t) c->nnodes,
	        "answered", (json_int_t) lk->answered));
	json_object_set_new(e, "rules", lk->rules);
	lk->receipts = NULL;
	lk->rules    = NULL;
}

// record commits the entry in the place of the admission's pending one.
static fs_err
record(coord_lookup *lk)
{
	char  *ej = json_dumps(lk->entry, JSON_COMPACT | JSON_SORT_KEYS);
	fs_err rv;

	if (ej == NULL) {
		return (FS_ERR_NOMEM);
	}
	lk->d.entry = ej;
	rv          = coord_store_finish(lk->c, &lk->adm, &lk->d, &lk->index);
	lk->d.entry = NULL;
	free(ej);
	return (rv);
}

// tally takes the valid contributions and notes, node by node, its rules
// and receipt, or why it is missing.
static void
tally(coord_lookup *lk)
{
	const fs_coord *c = lk->c;

	lk->nodes    = json_object();
	lk->missing  = json_array();
	lk->rules    = json_object();
	lk->receipts = json_array();
	for (size_t i = 0; i < c->nnodes; i++) {
		const coord_part *p = &lk->parts[i];
		char              h64[64];

		if (p->ok) {
			lk->got[lk->answered++] = &p->contrib;
			json_object_set_new(lk->rules, p->node->name,
			    json_string(p->contrib.rules_version));
			b64(h64, p->receipt, FS_HASH_BYTES);
			json_array_append_new(lk->receipts, json_string(h64));
		} else {
			json_array_append_new(lk->missing,
			    json_pack("{s:s, s:s}", "node", p->node->name,
			        "reason", p->reason));
		}
	}
	json_object_set_new(
	    lk->nodes, "expected", json_integer((json_int_t) c->nnodes));
	json_object_set_new(
	    lk->nodes, "answered", json_integer((json_int_t) lk->answered));
	json_object_set_new(lk->nodes, "missing", lk->missing);
}

// enough_nodes refuses a lookup that no node answered -- there is no
// score without answers, and the base score would pass for one -- and a
// lookup that missed a node when the scheme requires every node or the
// consent is for an attestation: an attestation is relied on offline,
// where nobody reads that a node was missing.  The refusal is logged as
// "incomplete": the nodes that answered released their contributions and
// used the consent, as did the admission.
static bool
enough_nodes(coord_lookup *lk)
{
	const fs_coord *c = lk->c;
	const char     *why;
	char           *m;

	if (lk->answered >= c->nnodes
	    || (lk->answered > 0 && !c->scheme.require_all && !lk->attest)) {
		return (true);
	}
	why = lk->attest            ? "an attestation needs every node"
	    : c->scheme.require_all ? "the scheme requires every node"
	                            : "no node answered";
	m   = json_dumps(lk->missing, JSON_COMPACT);
	log_entry(lk, NULL, "incomplete");
	if (record(lk) != FS_OK) {
		problem(lk->out, 500, FS_ERR_IO, "cannot record the refusal");
	} else {
		problem(lk->out, 503, FS_ERR_INCOMPLETE,
		    "%s (%zu of %zu answered); missing: %s", why, lk->answered,
		    c->nnodes, m != NULL ? m : "?");
	}
	free(m);
	return (false);
}

// answer_json is the answer to sign, once the disclosure is recorded.
static void
answer_json(coord_lookup *lk)
{
	const fs_coord *c = lk->c;
	json_t         *a = json_object();

	json_object_set_new(a, "iss", json_string(c->name));
	json_object_set_new(a, "aud", json_string(lk->rq->id));
	json_object_set_new(a, "iat", json_string(lk->tbuf));
	json_object_set_new(a, "request", json_string(lk->req.jti));
	json_object_set_new(a, "purpose", json_string(lk->cl.purpose));
	json_object_set_new(a, "scope", json_string(fs_scope_name(lk->scope)));
	json_object_set_new(a, "result",
	    result_json(&lk->score,
	        lk->scope == FS_SCOPE_ATTEST ? FS_SCOPE_SCORE : lk->scope));
	json_object_set_new(a, "scheme",
	    json_pack("{s:s, s:s, s:s}", "id", c->scheme.id, "version",
	        c->scheme.version, "hash", c->scheme.hash));
	json_object_set_new(a, "rules", json_deep_copy(lk->rules));
	json_object_set_new(a, "nodes", lk->nodes);
	json_object_set_new(
	    a, "complete", json_boolean(lk->answered == c->nnodes));
	lk->nodes  = NULL;
	lk->answer = a;
}

// record_result records the disclosure, with the hash of the result and
// the jti of the attestation to come: nothing leaves that was not
// recorded.
static bool
record_result(coord_lookup *lk)
{
	uint8_t hash[32];
	char    h64[64];
	char   *rj;
	fs_err  rv;

	rj = json_dumps(json_object_get(lk->answer, "result"),
	    JSON_COMPACT | JSON_SORT_KEYS);
	fs_log_commit(
	    hash, lk->salt, "result", rj, rj != NULL ? strlen(rj) : 0);
	free(rj);
	log_entry(lk, hash, NULL);
	if (lk->attest) {
		coord_attest_prepare(lk->c, &lk->att, &lk->score,
		    lk->scope == FS_SCOPE_ATTEST, &lk->cl, lk->now);
		b64(h64, lk->att.jti, sizeof(lk->att.jti));
		json_object_set_new(lk->entry, "attestation", json_string(h64));
	}
	if ((rv = record(lk)) != FS_OK) {
		problem(lk->out, 500, rv, "cannot record the disclosure");
		return (false);
	}
	coord_crash_point(lk->c, "after-disclosure");
	return (true);
}

// sign_answer adds the proof of the disclosure and the attestation, if
// any, to the answer, and signs it.
static void
sign_answer(coord_lookup *lk)
{
	fs_coord *c      = lk->c;
	json_t   *answer = lk->answer, *res;
	char     *aj, *signed_ = NULL;

	json_object_set_new(
	    answer, "disclosure", disclosure_json(c, lk->index));
	{
		// The salt opens the entry's commitments: with it the
		// requester can prove what it was given (fedscore audit open).
		char s64[64];

		b64(s64, lk->salt, sizeof(lk->salt));
		json_object_set_new(json_object_get(answer, "disclosure"),
		    "salt", json_string(s64));
	}
	if (lk->attest) {
		char *at = NULL;

		if (coord_attest_sign(c, &lk->att, lk->index, &at) != FS_OK) {
			problem(lk->out, 500, FS_ERR_NOMEM,
			    "cannot sign the attestation");
			return;
		}
		json_object_set_new(answer, "attestation", json_string(at));
		free(at);
	}
	aj = json_dumps(answer, JSON_COMPACT | JSON_SORT_KEYS);
	if (aj == NULL
	    || fs_answer_sign(&signed_, c->key, aj, c->scheme.region)
	        != FS_OK) {
		free(aj);
		problem(lk->out, 500, FS_ERR_NOMEM, "cannot sign the answer");
		return;
	}
	free(aj);
	res = json_pack("{s:O, s:s}", "answer", answer, "signed", signed_);
	lk->out->body = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(res);
	free(signed_);
	lk->out->status = 200;
	lk->out->err    = FS_OK;
	fs_log(FS_LOG_INFO, WHO,
	    "lookup by %s for %s (%s): %zu of %zu nodes, disclosure "
	    "%lld",
	    lk->rq->id, lk->cl.purpose, fs_scope_name(lk->scope), lk->answered,
	    c->nnodes, (long long) lk->index);
}

void
coord_lookup_answer(coord_lookup *lk)
{
	tally(lk);
	if (!enough_nodes(lk)) {
		return;
	}
	fs_aggregate(&lk->score, &lk->c->scheme, lk->got, lk->answered);
	answer_json(lk);
	if (record_result(lk)) {
		sign_answer(lk);
	}
}
