// SPDX-License-Identifier: Apache-2.0
//
// ask.c -- asking every node for its contribution to a lookup, all at
// once, and checking each answer: from that node's key, bound to our
// request to it.  A node that does not answer in time, refuses, or
// answers wrongly is left out of the score, with its reason.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "net/transport.h"
#include "wire/envelope.h"
#include "wire/lookup.h"

#define WHO "coordinator"

void
coord_seal(fs_coord *c, const fs_lookup *l, coord_part *parts, size_t n)
{
	uint8_t *body;
	size_t   blen;

	if (fs_lookup_encode(l, &body, &blen) != FS_OK) {
		for (size_t i = 0; i < n; i++) {
			snprintf(parts[i].reason, sizeof(parts[i].reason),
			    "out of memory");
		}
		return;
	}
	for (size_t i = 0; i < n; i++) {
		fs_envelope_out m = { .type = FS_MSG_LOOKUP,
			.recipient          = &parts[i].node->key,
			.enc                = FS_ENC_SEALED,
			.time_ms            = fs_now_ms(),
			.body               = body,
			.body_len           = blen };

		if (fs_envelope_seal(
		        c->key, &m, &parts[i].req, &parts[i].reqlen)
		    != FS_OK) {
			parts[i].req = NULL;
			snprintf(parts[i].reason, sizeof(parts[i].reason),
			    "cannot seal the request");
			continue;
		}
		crypto_generichash(parts[i].req_hash, FS_HASH_BYTES,
		    parts[i].req, parts[i].reqlen, NULL, 0);
	}
	sodium_memzero(body, blen);
	free(body);
}

// refused says why a node answered with an error instead of its
// contribution.
static void
refused(coord_part *p, const fs_envelope *env)
{
	fs_err code;
	char   detail[128];

	if (fs_error_body_decode(
	        env->body, env->body_len, &code, detail, sizeof(detail))
	    == FS_OK) {
		snprintf(p->reason, sizeof(p->reason), "refused: %s (%s)",
		    fs_err_name(code), detail);
	} else {
		snprintf(p->reason, sizeof(p->reason),
		    "refused with an unreadable error");
	}
}

// read_answer checks one node's answer to its call and takes its
// contribution, or says in p->reason why not.
static void
read_answer(fs_coord *c, coord_part *p, const fs_call *call)
{
	fs_keyring  ring = { &p->node->key, 1 };
	fs_envelope env;
	fs_err      rv = call->rv;

	if (rv != FS_OK) {
		snprintf(p->reason, sizeof(p->reason), "%s",
		    rv == FS_ERR_TIMEOUT ? "no answer before the deadline"
		                         : fs_strerror(rv));
		return;
	}
	rv = fs_envelope_open(&env, call->rep, call->replen, c->key,
	    fs_keyring_lookup, &ring, fs_now_ms(), (uint64_t) c->skew_ms);
	if (rv == FS_OK) {
		memcpy(p->receipt, env.hash, FS_HASH_BYTES);
		rv = fs_envelope_check_reply(&env, p->req_hash);
		if (rv == FS_OK && env.type == FS_MSG_ERROR) {
			refused(p, &env);
			fs_envelope_fini(&env);
			return;
		}
		if (rv == FS_OK && env.type != FS_MSG_CONTRIBUTION) {
			rv = FS_ERR_TYPE;
		}
		if (rv == FS_OK) {
			rv = fs_contribution_decode(
			    &p->contrib, env.body, env.body_len);
		}
		fs_envelope_fini(&env);
	}
	if (rv != FS_OK) {
		snprintf(p->reason, sizeof(p->reason), "answer refused: %s",
		    fs_strerror(rv));
		fs_log(FS_LOG_WARN, WHO, "answer of node %s refused: %s",
		    p->node->name, fs_strerror(rv));
		return;
	}
	p->ok = true;
}

// call_all asks the nodes of the n calls at once.  Under the test hook
// "fanout" the last is asked only once the others answered, and never:
// the coordinator dies in between.
static void
call_all(fs_coord *c, fs_call *calls, size_t n)
{
	size_t first = n;

	if (n > 1 && coord_crash_armed(c, "fanout")) {
		first = n - 1;
	}
	fs_client_call_many(calls, first, (int) c->scheme.deadline_ms);
	if (first < n) {
		coord_crash_point(c, "fanout");
		fs_client_call_many(
		    calls + first, n - first, (int) c->scheme.deadline_ms);
	}
}

void
coord_send(fs_coord *c, coord_part *parts, size_t n)
{
	fs_call *calls = calloc(n, sizeof(*calls));
	size_t  *of    = calloc(n, sizeof(*of)); // the part of each call
	size_t   k     = 0;

	if (calls == NULL || of == NULL) {
		for (size_t i = 0; i < n; i++) {
			snprintf(parts[i].reason, sizeof(parts[i].reason),
			    "out of memory");
		}
		free(calls);
		free(of);
		return;
	}
	// A part that could not be sealed is not asked; its reason says so.
	for (size_t i = 0; i < n; i++) {
		if (parts[i].req != NULL) {
			calls[k].client = parts[i].node->client;
			calls[k].req    = parts[i].req;
			calls[k].len    = parts[i].reqlen;
			of[k++]         = i;
		}
	}
	call_all(c, calls, k);
	for (size_t j = 0; j < k; j++) {
		read_answer(c, &parts[of[j]], &calls[j]);
		free(calls[j].rep);
	}
	free(calls);
	free(of);
}
