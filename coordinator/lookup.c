// SPDX-License-Identifier: Apache-2.0
//
// lookup.c -- one consented lookup, from the requester's signed request
// to the signed answer.  Every check that can refuse comes before any node
// is asked (ask.c); the disclosure is recorded before the answer leaves.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "coordimpl.h"

#define WHO "coordinator"

#define problem(out, ...) coord_problem(out, "a lookup", __VA_ARGS__)

static const coord_requester *
requester_by_kid(const fs_coord *c, const uint8_t kid[static FS_KID_BYTES])
{
	for (size_t i = 0; i < c->nrequesters; i++) {
		if (sodium_memcmp(c->requesters[i].key.kid, kid, FS_KID_BYTES)
		    == 0) {
			return (&c->requesters[i]);
		}
	}
	return (NULL);
}

static bool
requester_allows(const coord_requester *r, const char *purpose)
{
	for (size_t i = 0; i < r->npurposes; i++) {
		if (strcmp(r->purposes[i], purpose) == 0) {
			return (true);
		}
	}
	return (false);
}

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

fs_err
fs_lookup_body_decode(
    json_t **op, const char *body, size_t len, const char **tokenp)
{
	json_t      *o;
	json_error_t jerr;
	const char  *token;

	if (len > FS_LOOKUP_BODY_MAX) {
		return (FS_ERR_TOO_LARGE);
	}
	if ((o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr))
	    == NULL) {
		return (FS_ERR_MALFORMED);
	}
	if (!json_is_object(o) || json_object_size(o) != 1
	    || (token = json_string_value(json_object_get(o, "request")))
	        == NULL
	    || strlen(token) > FS_PASETO_MAX_LEN) {
		json_decref(o);
		return (FS_ERR_MALFORMED);
	}
	*op     = o;
	*tokenp = token;
	return (FS_OK);
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
	json_t         *d, *p;
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
		p = json_array();
		for (size_t i = 0; i < proof.n; i++) {
			fs_b64std_encode(
			    b, proof.hash[i], FS_MERKLE_HASH_BYTES);
			json_array_append_new(p, json_string(b));
		}
		json_object_set_new(d, "inclusion", p);
	}
	return (d);
}

// log_entry is what the log says of a lookup that reached the nodes:
// hashes and a commitment, no personal data.  result_hash is NULL for a
// lookup refused after the nodes answered (refused says why): the log
// still shows that their contributions were gathered.  It takes receipts
// and rules.
static json_t *
log_entry(const fs_coord *c, const char *tbuf, const char *requester,
    const fs_claims *cl, fs_scope scope, const char *consent,
    const uint8_t commit[static 32], const uint8_t *result_hash,
    const char *refused, json_t *receipts, size_t answered, json_t *rules)
{
	json_t *e = json_object();
	uint8_t th[32];
	char    h64[64];

	json_object_set_new(e, "time", json_string(tbuf));
	json_object_set_new(e, "requester", json_string(requester));
	json_object_set_new(e, "purpose", json_string(cl->purpose));
	json_object_set_new(e, "scope", json_string(fs_scope_name(scope)));
	crypto_generichash(th, sizeof(th), (const uint8_t *) consent,
	    strlen(consent), NULL, 0);
	b64(h64, th, sizeof(th));
	json_object_set_new(e, "consent", json_string(h64));
	b64(h64, commit, 32);
	json_object_set_new(e, "subject", json_string(h64));
	if (result_hash != NULL) {
		b64(h64, result_hash, 32);
		json_object_set_new(e, "result", json_string(h64));
	} else {
		json_object_set_new(e, "refused", json_string(refused));
	}
	json_object_set_new(e, "receipts", receipts);
	json_object_set_new(e, "nodes",
	    json_pack("{s:I, s:I}", "expected", (json_int_t) c->nnodes,
	        "answered", (json_int_t) answered));
	json_object_set_new(e, "scheme",
	    json_pack("{s:s, s:s, s:s}", "id", c->scheme.id, "version",
	        c->scheme.version, "hash", c->scheme.hash));
	json_object_set_new(e, "rules", rules);
	return (e);
}

// record_disclosure fills d for the entry ej and commits it with the
// admission.
static fs_err
record(fs_coord *c, coord_admission *adm, coord_disclosure *d,
    const char *requester, const fs_claims *cl, fs_scope scope,
    const char *consent, int64_t now, json_t *entry, int64_t *index)
{
	char  *ej = json_dumps(entry, JSON_COMPACT | JSON_SORT_KEYS);
	fs_err rv;

	if (ej == NULL) {
		return (FS_ERR_NOMEM);
	}
	d->time_ms   = now * 1000;
	d->requester = requester;
	d->purpose   = cl->purpose;
	d->scope     = fs_scope_name(scope);
	memcpy(d->subject, cl->sub, FS_SUBJECT_BYTES);
	d->consent = consent;
	d->entry   = ej;
	rv         = coord_store_finish(c, adm, d, index);
	free(ej);
	return (rv);
}

void
fs_coord_lookup(fs_coord *c, const char *body, size_t len, fs_outcome *out)
{
	const coord_requester *rq;
	fs_request             req;
	fs_claims              cl;
	fs_scope               scope;
	json_t *o = NULL, *answer = NULL, *nodes, *missing, *rules,
	       *entry = NULL, *receipts;
	const char     *token;
	uint8_t         kid[FS_KID_BYTES];
	char            why[FS_WHY_MAX], tbuf[FS_TIME_LEN + 1];
	char            h64[64];
	int64_t         now = (int64_t) (fs_now_ms() / 1000);
	int64_t         index;
	coord_admission adm      = { 0 };
	coord_part     *parts    = NULL;
	size_t          answered = 0;
	fs_err          rv;

	memset(out, 0, sizeof(*out));
	// 1. The body and the requester's signature.
	if ((rv = fs_lookup_body_decode(&o, body, len, &token)) != FS_OK) {
		problem(out, 422, rv,
		    "expected a JSON object {\"request\": \"v4.public...\"} of "
		    "at "
		    "most %d bytes",
		    FS_LOOKUP_BODY_MAX);
		goto done;
	}
	if ((rv = fs_request_kid(kid, token, strlen(token))) != FS_OK) {
		problem(out, 422, rv,
		    "expected a v4.public request token with footer "
		    "{\"kid\":\"k4.pid...\"}: %s",
		    fs_strerror(rv));
		goto done;
	}
	if ((rq = requester_by_kid(c, kid)) == NULL) {
		problem(out, 401, FS_ERR_UNREGISTERED,
		    "the request is signed by a key that is not a registered "
		    "requester's");
		goto done;
	}
	if ((rv = fs_request_verify(&req, token, strlen(token), &rq->key,
	         c->scheme.region, now, c->skew_ms / 1000))
	    != FS_OK) {
		problem(out,
		    rv == FS_ERR_MALFORMED || rv == FS_ERR_TYPE ? 422 : 401, rv,
		    "request of %s refused: %s", rq->id, fs_strerror(rv));
		goto done;
	}

	// 2. The citizen's consent.
	pthread_mutex_lock(&c->revmtx);
	if (!c->have_revoked
	    || fs_now_ms() - c->revoked_at_ms
	        > (uint64_t) (10 * c->refresh_ms)) {
		pthread_mutex_unlock(&c->revmtx);
		problem(out, 503, FS_ERR_REVOKED,
		    "no current revocation list from the issuer: refusing to "
		    "act on any consent until there is one");
		goto done;
	}
	rv = fs_consent_verify(&cl, req.consent, strlen(req.consent),
	    &c->issuer.key, c->scheme.region, &c->revoked, now, why,
	    sizeof(why));
	pthread_mutex_unlock(&c->revmtx);
	if (rv != FS_OK) {
		problem(out, 403, rv, "%s", why);
		goto done;
	}
	if (strcmp(cl.aud, rq->id) != 0) {
		problem(out, 403, FS_ERR_WRONG_AUDIENCE,
		    "the consent was granted to '%s', not to '%s'", cl.aud,
		    rq->id);
		goto done;
	}
	if (!fs_scheme_allows(&c->scheme, cl.purpose)) {
		problem(out, 403, FS_ERR_PURPOSE,
		    "purpose '%s' is not one the %s scheme allows", cl.purpose,
		    c->scheme.id);
		goto done;
	}
	if (!requester_allows(rq, cl.purpose)) {
		problem(out, 403, FS_ERR_PURPOSE,
		    "requester '%s' is not registered for purpose '%s'", rq->id,
		    cl.purpose);
		goto done;
	}
	scope = cl.scope;
	if (req.scope[0] != '\0'
	    && fs_scope_parse(&scope, req.scope, strlen(req.scope)) != FS_OK) {
		problem(out, 422, FS_ERR_SCOPE,
		    "expected scope tier, score, breakdown or attest, found "
		    "'%s'",
		    req.scope);
		goto done;
	}
	if (!fs_scope_covers(cl.scope, scope)) {
		problem(out, 403, FS_ERR_SCOPE,
		    "the consent grants scope '%s'; this request asks for '%s'",
		    fs_scope_name(cl.scope), fs_scope_name(scope));
		goto done;
	}

	// 3. Use it: once per request, within the consent's uses.  The use
	// and the nonce are committed with the disclosure.
	fs_jti_string(h64, cl.jti);
	memcpy(adm.kid, kid, FS_KID_BYTES);
	snprintf(adm.req_jti, sizeof(adm.req_jti), "%s", req.jti);
	fs_jti_string(adm.consent_jti, cl.jti);
	adm.req_exp_ms = (req.iat * 1000) + 2 * c->skew_ms;
	adm.max_uses   = cl.uses;
	rv             = coord_store_admit(c, &adm);
	if (rv == FS_ERR_REPLAYED) {
		problem(out, 401, rv, "request %s of %s was seen before",
		    req.jti, rq->id);
		goto done;
	}
	if (rv == FS_ERR_USED_UP) {
		problem(out, 409, rv,
		    "consent %s was granted for %u lookup%s, all "
		    "used",
		    h64, cl.uses, cl.uses == 1 ? "" : "s");
		goto done;
	}
	if (rv == FS_ERR_TOO_LARGE) {
		problem(out, 503, rv, "too many lookups in progress");
		goto done;
	}
	if (rv != FS_OK) {
		problem(out, 500, rv, "cannot check the use of the consent");
		goto done;
	}

	// 4. Ask every node, all at once.
	{
		fs_lookup               l = { .deadline_ms
			              = fs_now_ms() + (uint64_t) c->scheme.deadline_ms };
		const fs_contribution **got;
		fs_score                score;
		coord_disclosure        d = { 0 };
		fs_attestation          att;
		bool                    attest = cl.scope == FS_SCOPE_ATTEST;
		uint8_t                 commit[32], hash[32];
		char                   *rj, *aj, *signed_ = NULL;

		if ((parts = calloc(c->nnodes, sizeof(*parts))) == NULL
		    || (got = calloc(c->nnodes + 1, sizeof(*got))) == NULL) {
			problem(out, 500, FS_ERR_NOMEM, "out of memory");
			goto done;
		}
		randombytes_buf(l.request_id, sizeof(l.request_id));
		memcpy(l.subject, cl.sub, FS_SUBJECT_BYTES);
		snprintf(l.token, sizeof(l.token), "%s", req.consent);
		for (size_t i = 0; i < c->nnodes; i++) {
			parts[i].node = &c->nodes[i];
		}
		coord_ask(c, &l, parts, c->nnodes);
		sodium_memzero(&l, sizeof(l));
		nodes    = json_object();
		missing  = json_array();
		rules    = json_object();
		receipts = json_array();
		for (size_t i = 0; i < c->nnodes; i++) {
			if (parts[i].ok) {
				got[answered++] = &parts[i].contrib;
				json_object_set_new(rules, parts[i].node->name,
				    json_string(
				        parts[i].contrib.rules_version));
				b64(h64, parts[i].receipt, FS_HASH_BYTES);
				json_array_append_new(
				    receipts, json_string(h64));
			} else {
				json_array_append_new(missing,
				    json_pack("{s:s, s:s}", "node",
				        parts[i].node->name, "reason",
				        parts[i].reason));
			}
		}
		json_object_set_new(
		    nodes, "expected", json_integer((json_int_t) c->nnodes));
		json_object_set_new(
		    nodes, "answered", json_integer((json_int_t) answered));
		json_object_set_new(nodes, "missing", missing);
		// An attestation is relied on offline, where nobody reads that
		// a node was missing: it needs every node.
		fs_time_format(tbuf, now);
		randombytes_buf(d.salt, sizeof(d.salt));
		crypto_generichash(commit, sizeof(commit), cl.sub,
		    FS_SUBJECT_BYTES, d.salt, sizeof(d.salt));
		if ((c->scheme.require_all || attest) && answered < c->nnodes) {
			char *m = json_dumps(missing, JSON_COMPACT);

			// The nodes that answered released their contributions
			// and used the consent: the log says so, with no
			// result.
			entry = log_entry(c, tbuf, rq->id, &cl, scope,
			    req.consent, commit, NULL,
			    attest ? "an attestation needs every node"
			           : "the scheme requires every node",
			    receipts, answered, rules);
			(void) record(c, &adm, &d, rq->id, &cl, scope,
			    req.consent, now, entry, &index);
			problem(out, 503, FS_ERR_TIMEOUT,
			    "%s every node; missing: %s",
			    attest ? "an attestation needs"
			           : "the scheme requires",
			    m != NULL ? m : "?");
			free(m);
			json_decref(nodes);
			free(got);
			goto done;
		}
		fs_aggregate(&score, &c->scheme, got, answered);
		free(got);

		// 5. Record the disclosure, then answer.
		answer = json_object();
		json_object_set_new(answer, "iss", json_string(c->name));
		json_object_set_new(answer, "aud", json_string(rq->id));
		json_object_set_new(answer, "iat", json_string(tbuf));
		json_object_set_new(answer, "request", json_string(req.jti));
		json_object_set_new(answer, "purpose", json_string(cl.purpose));
		json_object_set_new(
		    answer, "scope", json_string(fs_scope_name(scope)));
		json_object_set_new(answer, "result",
		    result_json(&score,
		        scope == FS_SCOPE_ATTEST ? FS_SCOPE_SCORE : scope));
		json_object_set_new(answer, "scheme",
		    json_pack("{s:s, s:s, s:s}", "id", c->scheme.id, "version",
		        c->scheme.version, "hash", c->scheme.hash));
		json_object_set_new(answer, "rules", json_deep_copy(rules));
		json_object_set_new(answer, "nodes", nodes);
		json_object_set_new(
		    answer, "complete", json_boolean(answered == c->nnodes));

		rj = json_dumps(json_object_get(answer, "result"),
		    JSON_COMPACT | JSON_SORT_KEYS);
		crypto_generichash(hash, sizeof(hash), (const uint8_t *) rj,
		    rj != NULL ? strlen(rj) : 0, NULL, 0);
		free(rj);
		entry = log_entry(c, tbuf, rq->id, &cl, scope, req.consent,
		    commit, hash, NULL, receipts, answered, rules);
		if (attest) {
			coord_attest_prepare(c, &att, &score,
			    scope == FS_SCOPE_ATTEST, &cl, now);
			b64(h64, att.jti, sizeof(att.jti));
			json_object_set_new(
			    entry, "attestation", json_string(h64));
		}
		rv = record(c, &adm, &d, rq->id, &cl, scope, req.consent, now,
		    entry, &index);
		if (rv != FS_OK) {
			// Nothing leaves that was not recorded.
			problem(out, 500, rv, "cannot record the disclosure");
			goto done;
		}
		json_object_set_new(
		    answer, "disclosure", disclosure_json(c, index));
		if (attest) {
			char *at = NULL;

			if (coord_attest_sign(c, &att, index, &at) != FS_OK) {
				problem(out, 500, FS_ERR_NOMEM,
				    "cannot sign the attestation");
				goto done;
			}
			json_object_set_new(
			    answer, "attestation", json_string(at));
			free(at);
		}
		aj = json_dumps(answer, JSON_COMPACT | JSON_SORT_KEYS);
		if (aj == NULL
		    || fs_answer_sign(&signed_, c->key, aj, c->scheme.region)
		        != FS_OK) {
			free(aj);
			problem(
			    out, 500, FS_ERR_NOMEM, "cannot sign the answer");
			goto done;
		}
		free(aj);
		{
			json_t *res = json_pack(
			    "{s:O, s:s}", "answer", answer, "signed", signed_);

			out->body
			    = json_dumps(res, JSON_COMPACT | JSON_SORT_KEYS);
			json_decref(res);
		}
		free(signed_);
		out->status = 200;
		out->err    = FS_OK;
		fs_log(FS_LOG_INFO, WHO,
		    "lookup by %s for %s (%s): %zu of %zu nodes, disclosure "
		    "%lld",
		    rq->id, cl.purpose, fs_scope_name(scope), answered,
		    c->nnodes, (long long) index);
	}
done:
	if (parts != NULL) {
		for (size_t i = 0; i < c->nnodes; i++) {
			free(parts[i].req);
			fs_contribution_fini(&parts[i].contrib);
		}
		free(parts);
	}
	sodium_memzero(&req, sizeof(req));
	json_decref(entry);
	json_decref(answer);
	json_decref(o);
	if (adm.active) {
		coord_store_release(c, &adm);
	}
}
