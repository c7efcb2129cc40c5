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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodeimpl.h"

void
fs_node_answer(
    fs_node *n, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	fs_envelope     env = { 0 };
	fs_envelope_out out
	    = { .type = FS_MSG_CONTRIBUTION, .enc = FS_ENC_SEALED };
	fs_lookup      *l    = NULL;
	fs_claims       cl   = { 0 };
	fs_contribution c    = { 0 };
	uint8_t        *body = NULL, *reply = NULL;
	size_t          blen = 0, replylen = 0;
	char            why[FS_WHY_MAX] = "", hid[17];
	uint8_t         rh[FS_HASH_BYTES];
	uint64_t        now = fs_now_ms();
	fs_err          rv;

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
	} else if (env.type != FS_MSG_LOOKUP) {
		snprintf(why, sizeof(why),
		    "expected a lookup (type %d), found type %u", FS_MSG_LOOKUP,
		    env.type);
		rv = FS_ERR_TYPE;
	} else if (env.enc != FS_ENC_SEALED) {
		snprintf(why, sizeof(why),
		    "expected a lookup sealed to this node, found one in "
		    "clear");
		rv = FS_ERR_MALFORMED;
	} else if ((rv = fs_replay_check(n->replay, &env, now)) != 0) {
		snprintf(why, sizeof(why), "this request was received before");
	} else if ((l = malloc(sizeof(*l))) == NULL) {
		rv = FS_ERR_NOMEM;
	} else if ((rv = fs_lookup_decode(l, env.body, env.body_len)) != 0) {
		snprintf(why, sizeof(why),
		    "expected a lookup body [request_id, subject, token, "
		    "deadline_ms]: %s",
		    fs_strerror(rv));
	} else if (now > l->deadline_ms) {
		snprintf(why, sizeof(why),
		    "the coordinator's deadline passed %llu ms ago",
		    (unsigned long long) (now - l->deadline_ms));
		rv = FS_ERR_TIMEOUT;
	} else {
		rv = node_consent(n, l, now, &cl, &c, why, sizeof(why));
		if (rv == FS_OK) {
			rv = fs_contribution_encode(&c, &body, &blen);
		}
		// The reply is made first: its hash is the receipt the
		// release log keeps, and it is given only once logged.
		if (rv == FS_OK) {
			out.recipient = &n->coordinator;
			out.reply_to  = env.hash;
			out.time_ms   = fs_now_ms();
			out.body      = body;
			out.body_len  = blen;
			rv = fs_envelope_seal(n->key, &out, &reply, &replylen);
		}
		if (rv == FS_OK) {
			rv = node_release_count(n, &env, &cl, body, blen, reply,
			    replylen, why, sizeof(why));
		}
	}
	// The log names the request by its hash, as the reply binds to it.
	crypto_generichash(rh, sizeof(rh), req, len, NULL, 0);
	fs_hexid(hid, rh);
	if (rv == FS_OK) {
		*repp    = reply;
		*replenp = replylen;
		reply    = NULL;
		fs_log(FS_LOG_INFO, NODE_WHO,
		    "released to %s for %s (request %s): %u of %u records "
		    "counted%s",
		    cl.aud, cl.purpose, hid, c.counted, c.considered,
		    c.disputed ? ", disputed" : "");
	} else {
		fs_log(FS_LOG_WARN, NODE_WHO, "refused request %s: %s (%s)%s%s",
		    hid, fs_strerror(rv), fs_err_name(rv), why[0] ? ": " : "",
		    why);
		(void) fs_reply_error(n->key, req, len, rv, why, repp, replenp);
	}
	if (l != NULL) {
		sodium_memzero(l, sizeof(*l));
	}
	free(l);
	free(body);
	free(reply);
	fs_contribution_fini(&c);
	fs_envelope_fini(&env);
}

static void
handle(
    void *arg, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	fs_node_answer(arg, req, len, repp, replenp);
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
	if ((rv = node_refresh_start(n, why, whycap)) != FS_OK) {
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
	node_refresh_stop(n);
	return (rv);
}
