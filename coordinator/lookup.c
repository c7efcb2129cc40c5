// SPDX-License-Identifier: Apache-2.0
//
// lookup.c -- one consented lookup, from the requester's signed request
// to the signed answer: the steps in order, and every check that can
// refuse, all before the lookup is admitted (admit.c: its nonce and use
// spent, on disk) and any node is asked (ask.c).  answer.c records the
// disclosure, and the answer leaves only after it.
//
// Each step is a function that either refuses with a problem or hands
// what it learned on to the next in a coord_lookup.

#include <sodium.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "crypto/paseto.h"
#include "net/revfresh.h"
#include "wire/consent.h"
#include "wire/lookup.h"
#include "wire/request.h"
#include "wire/scheme.h"
#include "wire/token.h"

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

// check_request reads the body and checks the requester's signature.
static bool
check_request(coord_lookup *lk, const char *body, size_t len)
{
	fs_coord *c = lk->c;
	fs_err    rv;

	if ((rv = fs_lookup_body_decode(&lk->o, body, len, &lk->token))
	    != FS_OK) {
		problem(lk->out, 422, rv,
		    "expected a JSON object {\"request\": \"v4.public...\"} of "
		    "at "
		    "most %d bytes",
		    FS_LOOKUP_BODY_MAX);
		return (false);
	}
	if ((rv = fs_token_kid(lk->kid, lk->token, strlen(lk->token)))
	    != FS_OK) {
		problem(lk->out, 422, rv,
		    "expected a v4.public request token with footer "
		    "{\"kid\":\"k4.pid...\"}: %s",
		    fs_strerror(rv));
		return (false);
	}
	if ((lk->rq = requester_by_kid(c, lk->kid)) == NULL) {
		problem(lk->out, 401, FS_ERR_UNREGISTERED,
		    "the request is signed by a key that is not a registered "
		    "requester's");
		return (false);
	}
	if ((rv = fs_request_verify(&lk->req, lk->token, strlen(lk->token),
	         &lk->rq->key, c->scheme.region, lk->now, c->skew_ms / 1000))
	    != FS_OK) {
		problem(lk->out,
		    rv == FS_ERR_MALFORMED || rv == FS_ERR_TYPE ? 422 : 401, rv,
		    "request of %s refused: %s", lk->rq->id, fs_strerror(rv));
		return (false);
	}
	return (true);
}

// check_consent checks the citizen's consent against a current
// revocation list, and that it was granted to this requester.
static bool
check_consent(coord_lookup *lk)
{
	fs_coord *c = lk->c;
	char      why[FS_WHY_MAX];
	fs_err    rv;

	pthread_mutex_lock(&c->revmtx);
	if ((rv = fs_revocations_fresh(c->have_revoked, c->revoked_at_ms,
	         c->max_age_ms, fs_now_ms(), why, sizeof(why)))
	    != FS_OK) {
		pthread_mutex_unlock(&c->revmtx);
		problem(lk->out, 503, rv, "%s", why);
		return (false);
	}
	rv = fs_consent_verify(&lk->cl, lk->req.consent,
	    strlen(lk->req.consent), &c->issuer.key, c->scheme.region,
	    &c->revoked, lk->now, why, sizeof(why));
	pthread_mutex_unlock(&c->revmtx);
	if (rv != FS_OK) {
		problem(lk->out, 403, rv, "%s", why);
		return (false);
	}
	if (strcmp(lk->cl.aud, lk->rq->id) != 0) {
		problem(lk->out, 403, FS_ERR_WRONG_AUDIENCE,
		    "the consent was granted to '%s', not to '%s'", lk->cl.aud,
		    lk->rq->id);
		return (false);
	}
	return (true);
}

// check_purpose: the consent's purpose must be one the scheme allows and
// the requester is registered for.
static bool
check_purpose(coord_lookup *lk)
{
	const fs_claims *cl = &lk->cl;

	if (!fs_scheme_allows(&lk->c->scheme, cl->purpose)) {
		problem(lk->out, 403, FS_ERR_PURPOSE,
		    "purpose '%s' is not one the %s scheme allows", cl->purpose,
		    lk->c->scheme.id);
		return (false);
	}
	if (!requester_allows(lk->rq, cl->purpose)) {
		problem(lk->out, 403, FS_ERR_PURPOSE,
		    "requester '%s' is not registered for purpose '%s'",
		    lk->rq->id, cl->purpose);
		return (false);
	}
	return (true);
}

// check_scope settles the scope: the request's, if it names one, else the
// consent's; the consent must cover it.
static bool
check_scope(coord_lookup *lk)
{
	const fs_request *req = &lk->req;

	lk->scope = lk->cl.scope;
	if (req->scope[0] != '\0'
	    && fs_scope_parse(&lk->scope, req->scope, strlen(req->scope))
	        != FS_OK) {
		problem(lk->out, 422, FS_ERR_SCOPE,
		    "expected scope tier, score, breakdown or attest, found "
		    "'%s'",
		    req->scope);
		return (false);
	}
	if (!fs_scope_covers(lk->cl.scope, lk->scope)) {
		problem(lk->out, 403, FS_ERR_SCOPE,
		    "the consent grants scope '%s'; this request asks for '%s'",
		    fs_scope_name(lk->cl.scope), fs_scope_name(lk->scope));
		return (false);
	}
	lk->attest = lk->cl.scope == FS_SCOPE_ATTEST;
	return (true);
}

// ask_nodes asks every node the lookup was sealed to, all at once, once
// its admission is on disk.
static void
ask_nodes(coord_lookup *lk)
{
	coord_send(lk->c, lk->parts, lk->c->nnodes);
	coord_crash_point(lk->c, "after-answers");
}

// lookup_fini releases what the steps left.  An admission whose outcome
// could not be recorded stays in the database, and the next start logs
// it as interrupted: its use stays spent.
static void
lookup_fini(coord_lookup *lk)
{
	if (lk->parts != NULL) {
		for (size_t i = 0; i < lk->c->nnodes; i++) {
			free(lk->parts[i].req);
			fs_contribution_fini(&lk->parts[i].contrib);
		}
		free(lk->parts);
	}
	free(lk->got);
	sodium_memzero(&lk->req, sizeof(lk->req));
	sodium_memzero(&lk->cl, sizeof(lk->cl));
	sodium_memzero(lk->salt, sizeof(lk->salt));
	json_decref(lk->nodes);
	json_decref(lk->rules);
	json_decref(lk->receipts);
	json_decref(lk->entry);
	json_decref(lk->answer);
	json_decref(lk->o);
	free(lk->adm.pending_entry);
	if (lk->adm.active) {
		fs_log(FS_LOG_ERROR, WHO,
		    "the outcome of a lookup by %s could not be recorded; the "
		    "next start logs it as interrupted",
		    lk->rq->id);
	}
}

void
fs_coord_lookup(fs_coord *c, const char *body, size_t len, fs_outcome *out)
{
	coord_lookup lk
	    = { .c = c, .out = out, .now = (int64_t) (fs_now_ms() / 1000) };

	memset(out, 0, sizeof(*out));
	if (check_request(&lk, body, len) && check_consent(&lk)
	    && check_purpose(&lk) && check_scope(&lk) && coord_admit(&lk)) {
		ask_nodes(&lk);
		coord_lookup_answer(&lk);
	}
	lookup_fini(&lk);
}
