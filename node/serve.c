// SPDX-License-Identifier: Apache-2.0
//
// serve.c -- fedscore node serve: answer the coordinator's consented
// lookups.
//
// A node never releases data on the coordinator's word alone.  For each
// request, in order: the envelope (size, form, the configured
// coordinator's signature, addressed to us, clock skew, sealed), a lookup
// and nothing else, not replayed, its deadline, the revocation list fresh
// enough, the consent token (issuer signature, region, times, not
// revoked), its subject equal to the subject looked up, a scope that
// needs the score, and uses left.  Every refusal is a signed error with
// its own code, logged without personal data; the daemon keeps serving.
//
// This file is the daemon: it dispatches each request, answers a lookup
// through the steps of consent.c (the checks and the contribution) and
// uses.c (the use counted and the release logged), a checkpoint through
// witness.c, and runs the revocation refresher of refresh.c beside the
// server.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/conf.h"
#include "common/daemon.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "net/replay.h"
#include "net/revfresh.h"
#include "net/transport.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/envelope.h"
#include "wire/lookup.h"
#include "wire/revocations.h"
#include "wire/token.h"

// A lookup being answered: the request, the consent it carries, the
// contribution, and the reply made of it.
typedef struct answer {
	fs_lookup      *l;
	fs_claims       cl;
	fs_contribution c;
	uint8_t        *body, *reply;
	size_t          blen, replylen;
} answer;

// lookup_of checks that env is a lookup the node may answer at now --
// sealed to it, not replayed, well formed, its deadline not passed -- and
// decodes it into a->l.
static fs_err
lookup_of(fs_node *n, const fs_envelope *env, uint64_t now, answer *a,
    char *why, size_t whycap)
{
	fs_err rv;

	if (env->type != FS_MSG_LOOKUP) {
		snprintf(why, whycap,
		    "expected a lookup (type %d), found type %u", FS_MSG_LOOKUP,
		    env->type);
		return (FS_ERR_TYPE);
	}
	if (env->enc != FS_ENC_SEALED) {
		snprintf(why, whycap,
		    "expected a lookup sealed to this node, found one in "
		    "clear");
		return (FS_ERR_MALFORMED);
	}
	if ((rv = fs_replay_check(n->replay, env, now)) != 0) {
		snprintf(why, whycap, "this request was received before");
		return (rv);
	}
	if ((a->l = malloc(sizeof(*a->l))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((rv = fs_lookup_decode(a->l, env->body, env->body_len)) != 0) {
		snprintf(why, whycap,
		    "expected a lookup body [request_id, subject, token, "
		    "deadline_ms]: %s",
		    fs_strerror(rv));
		return (rv);
	}
	if (now > a->l->deadline_ms) {
		snprintf(why, whycap,
		    "the coordinator's deadline passed %llu ms ago",
		    (unsigned long long) (now - a->l->deadline_ms));
		return (FS_ERR_TIMEOUT);
	}
	return (FS_OK);
}

// reply_to checks the lookup's consent, computes the contribution, seals
// the reply and counts and logs the release.
static fs_err
reply_to(fs_node *n, const fs_envelope *env, uint64_t now, answer *a, char *why,
    size_t whycap)
{
	fs_envelope_out out
	    = { .type = FS_MSG_CONTRIBUTION, .enc = FS_ENC_SEALED };
	fs_err rv;

	if ((rv = node_consent(n, a->l, now, &a->cl, &a->c, why, whycap))
	        != FS_OK
	    || (rv = fs_contribution_encode(&a->c, &a->body, &a->blen))
	        != FS_OK) {
		return (rv);
	}
	// The reply is made first: its hash is the receipt the release log
	// keeps, and it is given only once logged.
	out.recipient = &n->coordinator;
	out.reply_to  = env->hash;
	out.time_ms   = fs_now_ms();
	out.body      = a->body;
	out.body_len  = a->blen;
	if ((rv = fs_envelope_seal(n->key, &out, &a->reply, &a->replylen))
	    != FS_OK) {
		return (rv);
	}
	return (node_release_count(n, env, &a->cl, a->body, a->blen, a->reply,
	    a->replylen, why, whycap));
}

// finish logs how request req was answered and gives the reply: the
// contribution when rv is FS_OK, else a signed error saying why.
static void
finish(fs_node *n, const uint8_t *req, size_t len, fs_err rv, answer *a,
    const char *why, uint8_t **repp, size_t *replenp)
{
	char    hid[17];
	uint8_t rh[FS_HASH_BYTES];

	// The log names the request by its hash, as the reply binds to it.
	crypto_generichash(rh, sizeof(rh), req, len, NULL, 0);
	fs_hexid(hid, rh);
	if (rv == FS_OK) {
		*repp    = a->reply;
		*replenp = a->replylen;
		a->reply = NULL;
		fs_log(FS_LOG_INFO, NODE_WHO,
		    "released to %s for %s (request %s): %u of %u records "
		    "counted%s",
		    a->cl.aud, a->cl.purpose, hid, a->c.counted,
		    a->c.considered, a->c.disputed ? ", disputed" : "");
	} else {
		fs_log(FS_LOG_WARN, NODE_WHO, "refused request %s: %s (%s)%s%s",
		    hid, fs_strerror(rv), fs_err_name(rv), why[0] ? ": " : "",
		    why);
		(void) fs_reply_error(n->key, req, len, rv, why, repp, replenp);
	}
}

void
fs_node_answer(
    fs_node *n, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	fs_envelope env             = { 0 };
	answer      a               = { 0 };
	char        why[FS_WHY_MAX] = "";
	uint64_t    now             = fs_now_ms();
	fs_err      rv;

	rv = fs_envelope_open(&env, req, len, n->key, fs_keyring_lookup,
	    &n->ring, now, (uint64_t) n->skew_ms);
	if (rv != FS_OK) {
		snprintf(why, sizeof(why),
		    "expected an envelope from the coordinator: %s",
		    fs_strerror(rv));
	} else if (env.type == FS_MSG_WITNESS) {
		node_answer_witness(n, &env, req, len, repp, replenp);
		fs_envelope_fini(&env);
		return;
	} else if ((rv = lookup_of(n, &env, now, &a, why, sizeof(why)))
	    == FS_OK) {
		rv = reply_to(n, &env, now, &a, why, sizeof(why));
	}
	finish(n, req, len, rv, &a, why, repp, replenp);
	if (a.l != NULL) {
		sodium_memzero(a.l, sizeof(*a.l));
	}
	free(a.l);
	free(a.body);
	free(a.reply);
	fs_contribution_fini(&a.c);
	fs_envelope_fini(&env);
}

static void
handle(
    void *arg, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	fs_node_answer(arg, req, len, repp, replenp);
}

static fs_err
install_revocations(void *arg, const fs_revlist *rl, uint64_t fetched_ms)
{
	return (fs_node_set_revocations(arg, rl, fetched_ms));
}

fs_err
fs_node_serve(fs_node *n, char *why, size_t whycap)
{
	fs_server *srv = NULL;
	char       pid[FS_PASERK_PID_LEN + 1], cpid[FS_PASERK_PID_LEN + 1];
	fs_err     rv;

	if (n->listen == NULL || !n->has_coord) {
		snprintf(why, whycap,
		    "%s: expected listen and coordinator in the [node] section "
		    "to serve",
		    n->conf->path);
		return (FS_ERR_CONFIG);
	}
	fs_daemon_block_signals();
	node_revlist_load(n);
	n->rfconf = (fs_revfresh_conf) {
		.who        = NODE_WHO,
		.key        = n->key,
		.issuer     = &n->issuer,
		.refresh_ms = n->refresh_ms,
		.max_age_ms = n->max_age_ms,
		.install    = install_revocations,
		.arg        = n,
	};
	if ((rv = fs_revfresh_start(&n->rf, &n->rfconf, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	if ((rv = fs_server_start(&srv, n->listen, n->workers, handle, n))
	    != 0) {
		snprintf(why, whycap, "cannot listen on %s: %s", n->listen,
		    fs_strerror(rv));
	} else {
		fs_paserk_pid_from_kid(pid, fs_key_public(n->key)->kid);
		fs_paserk_pid_from_kid(cpid, n->coordinator.kid);
		fs_log(FS_LOG_INFO, NODE_WHO,
		    "%s (key %s) listening on %s for coordinator %s", n->name,
		    pid, n->listen, cpid);
		fs_log(FS_LOG_INFO, NODE_WHO, "stopping on signal %d",
		    fs_daemon_wait());
		fs_server_stop(srv);
	}
	fs_revfresh_stop(n->rf);
	n->rf = NULL;
	return (rv);
}
