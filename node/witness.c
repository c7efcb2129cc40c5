// SPDX-License-Identifier: Apache-2.0
//
// witness.c -- the node as a witness of the coordinator's disclosure log
// (C2SP tlog-cosignature/v1).
//
// The coordinator sends each new checkpoint with a consistency proof from
// the last one this node cosigned.  The node cosigns only a checkpoint
// signed by its coordinator that extends what it saw before: never a
// smaller tree, never another root for the same size (a fork), never a
// larger tree without a valid consistency proof.  The first checkpoint it
// sees is taken on trust.  What it cosigned is kept durably, so a
// restart does not make it forget.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msgpack.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "crypto/merkle.h"
#include "net/replay.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/envelope.h"
#include "wire/note.h"
#include "wire/witness.h"

typedef struct seen {
	bool     have;
	uint64_t size;
	uint8_t  root[32];
} seen;

static fs_err
seen_load(fs_node *n, const char *origin, seen *s)
{
	sqlite3_stmt *st;
	fs_err        rv;

	memset(s, 0, sizeof(*s));
	rv = node_sql_row(n->rdb,
	    "SELECT size, root FROM witnessed WHERE origin = ?",
	    NODE_VALS(NODE_TEXT(origin)), &st);
	if (rv == FS_OK && sqlite3_column_bytes(st, 1) == 32) {
		s->have = true;
		s->size = (uint64_t) sqlite3_column_int64(st, 0);
		memcpy(s->root, sqlite3_column_blob(st, 1), 32);
	}
	sqlite3_finalize(st);
	return (rv == FS_ERR_NOT_FOUND ? FS_OK : rv); // none seen yet
}

static fs_err
seen_save(fs_node *n, const char *origin, const fs_checkpoint *cp,
    const char *note, size_t nlen)
{
	return (node_sql_run(n->rdb,
	    "INSERT INTO witnessed (origin, size, root, note) "
	    "VALUES (?, ?, ?, ?) ON CONFLICT (origin) DO UPDATE SET "
	    "size = excluded.size, root = excluded.root, "
	    "note = excluded.note",
	    NODE_VALS(NODE_TEXT(origin), NODE_INT((int64_t) cp->size),
	        NODE_BLOB(cp->root, 32), NODE_TEXTN(note, nlen)),
	    NULL, 0));
}

// A WITNESS request, read: the checkpoint, of the note signed by the
// coordinator under the checkpoint's origin.
typedef struct request {
	fs_witness_req w;
	fs_note       *note;
	fs_checkpoint  cp; // points into the note
	char           origin[FS_NOTE_NAME_MAX + 1];
} request;

// read_request reads the checkpoint of a WITNESS request and checks that
// the coordinator signed it; q->note is the caller's to free on success.
static fs_err
read_request(
    fs_node *n, const fs_envelope *env, request *q, char *why, size_t whycap)
{
	fs_note_verifier v;
	const char      *text;
	size_t           tlen;
	fs_err           rv;

	q->note = NULL;
	if ((rv = fs_witness_decode(&q->w, env->body, env->body_len))
	    != FS_OK) {
		return (fs_why(why, whycap, rv,
		    "expected [checkpoint note, old size, consistency proof]: "
		    "%s",
		    fs_strerror(rv)));
	}
	// The origin comes from the note's first line; the signature must be
	// the coordinator's key under that name.
	if ((rv = fs_note_parse(&q->note, q->w.note, q->w.note_len)) != FS_OK) {
		snprintf(
		    why, whycap, "expected a signed note: %s", fs_strerror(rv));
		return (rv);
	}
	text = fs_note_text(q->note, &tlen);
	rv   = fs_checkpoint_parse(&q->cp, text, tlen);
	if (rv == FS_OK && q->cp.origin_len > FS_NOTE_NAME_MAX) {
		rv = FS_ERR_TOO_LARGE;
	}
	if (rv != FS_OK) {
		snprintf(
		    why, whycap, "expected a checkpoint: %s", fs_strerror(rv));
		goto fail;
	}
	memcpy(q->origin, q->cp.origin, q->cp.origin_len);
	q->origin[q->cp.origin_len] = '\0';
	if ((rv = fs_note_verifier_init(
	         &v, q->origin, FS_NOTE_ED25519, n->coordinator.pk))
	        != FS_OK
	    || (rv = fs_note_verify(q->note, &v, 1, NULL)) != FS_OK) {
		snprintf(why, whycap,
		    "the checkpoint is not signed by the coordinator as %s",
		    q->origin);
		goto fail;
	}
	return (FS_OK);
fail:
	fs_note_free(q->note);
	q->note = NULL;
	return (rv);
}

// extends checks that the checkpoint extends what this witness saw: not
// a smaller tree, not another root for the same size, and a larger tree
// only with a valid consistency proof.
static fs_err
extends(const seen *s, const request *q, char *why, size_t whycap)
{
	fs_merkle_proof proof;
	fs_err          rv;

	if (s->have && q->cp.size < s->size) {
		return (fs_why(why, whycap, FS_ERR_BAD_PROOF,
		    "the log shrank: this witness cosigned size %llu, the "
		    "checkpoint says %llu",
		    (unsigned long long) s->size,
		    (unsigned long long) q->cp.size));
	}
	if (s->have && q->cp.size == s->size
	    && sodium_memcmp(q->cp.root, s->root, 32) != 0) {
		return (fs_why(why, whycap, FS_ERR_BAD_PROOF,
		    "a fork: this witness cosigned another root for size %llu",
		    (unsigned long long) s->size));
	}
	if (!s->have || s->size == 0 || q->cp.size <= s->size) {
		return (FS_OK);
	}
	if (q->w.old_size != s->size) {
		return (fs_why(why, whycap, FS_ERR_BAD_PROOF,
		    "expected a consistency proof from size %llu, found one "
		    "from %llu",
		    (unsigned long long) s->size,
		    (unsigned long long) q->w.old_size));
	}
	proof.n = q->w.nproof;
	memcpy(proof.hash, q->w.proof, q->w.nproof * 32);
	if ((rv = fs_merkle_verify_consistency(
	         s->size, q->cp.size, s->root, q->cp.root, &proof))
	    != FS_OK) {
		snprintf(why, whycap,
		    "the checkpoint of size %llu is not consistent with size "
		    "%llu, which this witness cosigned",
		    (unsigned long long) q->cp.size,
		    (unsigned long long) s->size);
	}
	return (rv);
}

// cosign signs the checkpoint and makes the body of the reply: only this
// witness's line.
static fs_err
cosign(fs_node *n, const request *q, uint8_t **bodyp, size_t *blenp, char *why,
    size_t whycap)
{
	char           *cosigned = NULL;
	size_t          olen;
	msgpack_sbuffer sb;
	msgpack_packer  pk;
	fs_err          rv;

	if ((rv = fs_cosig_sign(&cosigned, &olen, q->w.note, q->w.note_len,
	         n->name, n->key, fs_now_ms() / 1000))
	    != FS_OK) {
		return (fs_why(
		    why, whycap, rv, "cannot cosign: %s", fs_strerror(rv)));
	}
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	if ((msgpack_pack_array(&pk, 1)
	        | msgpack_pack_str_with_body(
	            &pk, cosigned + q->w.note_len, olen - q->w.note_len))
	    != 0) {
		msgpack_sbuffer_destroy(&sb);
		free(cosigned);
		return (FS_ERR_NOMEM);
	}
	*blenp = sb.size;
	*bodyp = (uint8_t *) msgpack_sbuffer_release(&sb);
	free(cosigned);
	return (FS_OK);
}

fs_err
node_witness(fs_node *n, const fs_envelope *env, uint8_t **bodyp, size_t *blenp,
    char *why, size_t whycap)
{
	request q;
	seen    s;
	fs_err  rv;

	if ((rv = read_request(n, env, &q, why, whycap)) != FS_OK) {
		return (rv);
	}
	pthread_mutex_lock(&n->relmtx);
	if ((rv = seen_load(n, q.origin, &s)) != FS_OK) {
		snprintf(why, whycap, "cannot read what this witness saw");
		goto out;
	}
	if ((rv = extends(&s, &q, why, whycap)) != FS_OK) {
		goto out;
	}
	if ((rv = seen_save(n, q.origin, &q.cp, q.w.note, q.w.note_len))
	    != FS_OK) {
		snprintf(why, whycap, "cannot record the checkpoint");
		goto out;
	}
	rv = cosign(n, &q, bodyp, blenp, why, whycap);
out:
	pthread_mutex_unlock(&n->relmtx);
	fs_note_free(q.note);
	return (rv);
}

// node_answer_witness cosigns a checkpoint of the coordinator's log, or says
// why not.
void
node_answer_witness(fs_node *n, const fs_envelope *env, const uint8_t *req,
    size_t len, uint8_t **repp, size_t *replenp)
{
	fs_envelope_out out
	    = { .type = FS_MSG_COSIGNATURE, .enc = FS_ENC_NONE };
	uint8_t *body            = NULL;
	char     why[FS_WHY_MAX] = "";
	fs_err   rv;

	if ((rv = fs_replay_check(n->replay, env, fs_now_ms())) != FS_OK) {
		snprintf(why, sizeof(why), "this request was received before");
	} else {
		rv = node_witness(
		    n, env, &body, &out.body_len, why, sizeof(why));
	}
	if (rv != FS_OK) {
		fs_log(FS_LOG_WARN, NODE_WHO, "refused to cosign: %s (%s): %s",
		    fs_strerror(rv), fs_err_name(rv), why);
		(void) fs_reply_error(n->key, req, len, rv, why, repp, replenp);
		return;
	}
	out.recipient = &n->coordinator;
	out.reply_to  = env->hash;
	out.time_ms   = fs_now_ms();
	out.body      = body;
	(void) fs_envelope_seal(n->key, &out, repp, replenp);
	free(body);
}
