// SPDX-License-Identifier: Apache-2.0
//
// admit.c -- the write-ahead admission of a lookup that passed every
// check.  The lookup is sealed to every node first, so that the hash of
// each request is known; then one committed transaction (store.c) spends
// the request's nonce and one use of the consent and records the entry
// the log takes if the coordinator stops before the outcome is recorded:
// an "interrupted" entry naming the lookup's request id and each request
// sent (docs/log.md).  Only then is any node asked (lookup.c).  A crash
// after that never gives the use back, and every release a node makes is
// explained by an entry of the log.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "wire/logcommit.h"
#include "wire/lookup.h"
#include "wire/token.h"

#define problem(out, ...) coord_problem(out, "a lookup", __VA_ARGS__)

// The format of the entries a lookup leaves (docs/log.md): 2 commits to
// the consent, the subject and the result under the disclosure's salt,
// names the request id and the requests sent, and knows interrupted
// lookups.
#define ENTRY_FORMAT FS_LOG_ENTRY_VERSION

// commit_subject prepares what the log says of the lookup whatever its
// outcome: the time, and a commitment to the subject under the
// disclosure's salt, derived from the log key and a fresh nonce
// (wire/logcommit.h); and the full record beside it.
static void
commit_subject(coord_lookup *lk)
{
	coord_disclosure *d = &lk->d;

	fs_time_format(lk->tbuf, lk->now);
	memset(d->salt, 0, sizeof(d->salt));
	randombytes_buf(d->nonce, sizeof(d->nonce));
	fs_log_salt(lk->salt, lk->c->logkey, d->nonce);
	fs_log_commit(
	    lk->commit, lk->salt, "subject", lk->cl.sub, FS_SUBJECT_BYTES);
	d->time_ms   = lk->now * 1000;
	d->requester = lk->rq->id;
	d->purpose   = lk->cl.purpose;
	d->scope     = fs_scope_name(lk->scope);
	memcpy(d->subject, lk->cl.sub, FS_SUBJECT_BYTES);
	d->consent = lk->req.consent;
}

// seal makes the lookup, with a fresh request id, and seals it to every
// node; false when it could be sealed to none.
static bool
seal(coord_lookup *lk)
{
	fs_coord *c = lk->c;
	fs_lookup l
	    = { .deadline_ms = fs_now_ms() + (uint64_t) c->scheme.deadline_ms };
	bool sealed = false;

	if ((lk->parts = calloc(c->nnodes, sizeof(*lk->parts))) == NULL
	    || (lk->got = calloc(c->nnodes + 1, sizeof(*lk->got))) == NULL) {
		problem(lk->out, 500, FS_ERR_NOMEM, "out of memory");
		return (false);
	}
	randombytes_buf(l.request_id, sizeof(l.request_id));
	memcpy(lk->adm.request_id, l.request_id, sizeof(l.request_id));
	memcpy(l.subject, lk->cl.sub, FS_SUBJECT_BYTES);
	snprintf(l.token, sizeof(l.token), "%s", lk->req.consent);
	for (size_t i = 0; i < c->nnodes; i++) {
		lk->parts[i].node = &c->nodes[i];
	}
	coord_seal(c, &l, lk->parts, c->nnodes);
	sodium_memzero(&l, sizeof(l));
	for (size_t i = 0; i < c->nnodes; i++) {
		sealed = sealed || lk->parts[i].req != NULL;
	}
	if (!sealed) {
		problem(lk->out, 500, FS_ERR_CRYPTO,
		    "cannot seal the lookup to any node");
	}
	return (sealed);
}

static void
set_b64(json_t *o, const char *key, const uint8_t *bin, size_t n)
{
	char b[64];

	fs_b64_encode(b, bin, n);
	json_object_set_new(o, key, json_string(b));
}

// base_entry is what every entry of this lookup says, whatever its
// outcome: commitments under the disclosure's salt, no personal data and
// nothing a guess can be checked against; the request id
// and, by node, the hash of the request sent to it, which the node logs
// with its release.
static json_t *
base_entry(coord_lookup *lk)
{
	const fs_coord *c = lk->c;
	json_t         *e = json_object(), *asked = json_object();
	uint8_t         th[32];

	json_object_set_new(e, "v", json_integer(ENTRY_FORMAT));
	json_object_set_new(e, "time", json_string(lk->tbuf));
	json_object_set_new(e, "requester", json_string(lk->rq->id));
	json_object_set_new(e, "purpose", json_string(lk->cl.purpose));
	json_object_set_new(e, "scope", json_string(fs_scope_name(lk->scope)));
	fs_log_commit(
	    th, lk->salt, "consent", lk->req.consent, strlen(lk->req.consent));
	set_b64(e, "consent", th, sizeof(th));
	set_b64(e, "subject", lk->commit, sizeof(lk->commit));
	set_b64(e, "request", lk->adm.request_id, sizeof(lk->adm.request_id));
	for (size_t i = 0; i < c->nnodes; i++) {
		if (lk->parts[i].req != NULL) {
			set_b64(asked, lk->parts[i].node->name,
			    lk->parts[i].req_hash, FS_HASH_BYTES);
		}
	}
	json_object_set_new(e, "asked", asked);
	json_object_set_new(e, "scheme",
	    json_pack("{s:s, s:s, s:s}", "id", c->scheme.id, "version",
	        c->scheme.version, "hash", c->scheme.hash));
	return (e);
}

// pending makes the admission: the nonce, the consent's use, and the
// interrupted entry with its full record.
static bool
pending(coord_lookup *lk)
{
	coord_admission *adm = &lk->adm;
	json_t          *e;

	memcpy(adm->kid, lk->kid, FS_KID_BYTES);
	snprintf(adm->req_jti, sizeof(adm->req_jti), "%s", lk->req.jti);
	fs_jti_string(adm->consent_jti, lk->cl.jti);
	adm->req_exp_ms = (lk->req.iat * 1000) + 2 * lk->c->skew_ms;
	adm->max_uses   = lk->cl.uses;
	lk->entry       = base_entry(lk);
	e               = json_deep_copy(lk->entry);
	json_object_set_new(e, "type", json_string("interrupted"));
	adm->pending_entry = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(e);
	if (adm->pending_entry == NULL) {
		problem(lk->out, 500, FS_ERR_NOMEM, "out of memory");
		return (false);
	}
	adm->pending       = lk->d;
	adm->pending.entry = adm->pending_entry;
	return (true);
}

// refuse says why the store did not admit the lookup.
static void
refuse(coord_lookup *lk, fs_err rv)
{
	char h64[64];

	fs_jti_string(h64, lk->cl.jti);
	if (rv == FS_ERR_REPLAYED) {
		problem(lk->out, 401, rv, "request %s of %s was seen before",
		    lk->req.jti, lk->rq->id);
	} else if (rv == FS_ERR_USED_UP) {
		problem(lk->out, 409, rv,
		    "consent %s was granted for %u lookup%s, all used", h64,
		    lk->cl.uses, lk->cl.uses == 1 ? "" : "s");
	} else {
		problem(lk->out, 500, rv,
		    "cannot record the admission of the lookup");
	}
}

bool
coord_admit(coord_lookup *lk)
{
	fs_err rv;

	commit_subject(lk);
	if (!seal(lk) || !pending(lk)) {
		return (false);
	}
	coord_crash_point(lk->c, "before-admission");
	if ((rv = coord_store_admit(lk->c, &lk->adm)) != FS_OK) {
		refuse(lk, rv);
		return (false);
	}
	coord_crash_point(lk->c, "after-admission");
	return (true);
}
