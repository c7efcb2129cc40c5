// SPDX-License-Identifier: Apache-2.0
//
// witness.c -- asking the nodes to cosign each new checkpoint.
//
// Every node is also a witness of the disclosure log (C2SP
// tlog-cosignature/v1): it checks that the new checkpoint is consistent
// with the last one it cosigned, and cosigns.  The coordinator serves the
// checkpoint with every cosignature it got, so an auditor needs only one
// honest witness to notice a forked or rewritten log.  A witness that does
// not answer is logged and asked again with the next checkpoint.
//
// A witness may have cosigned a checkpoint we do not know it cosigned: its
// answer came after the timeout, or the coordinator stopped before it
// saved the answer.  It then refuses a consistency proof from the size we
// know; so a witness that does not cosign is asked again at once with the
// proof from that larger size (coord_node.maybe), else it would never
// cosign again.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/log.h"
#include "common/rfc3339.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "crypto/merkle.h"
#include "net/transport.h"
#include "wire/envelope.h"
#include "wire/mp.h"
#include "wire/note.h"
#include "wire/witness.h"

#define WHO                "coordinator"
#define WITNESS_TIMEOUT_MS 1000

fs_err
coord_witness_load(fs_coord *c)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(
	        c->db, "SELECT node, size FROM witness", -1, &st, NULL)
	    != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *) sqlite3_column_text(st, 0);

		for (size_t i = 0; i < c->nnodes; i++) {
			if (strcmp(c->nodes[i].name, name) == 0) {
				c->nodes[i].witnessed
				    = (uint64_t) sqlite3_column_int64(st, 1);
			}
		}
	}
	sqlite3_finalize(st);
	// The last checkpoint signed before a stop may have been cosigned by
	// a witness whose answer the stop cut off.
	if (sqlite3_prepare_v2(
	        c->db, "SELECT max(size) FROM checkpoint", -1, &st, NULL)
	    != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	if (sqlite3_step(st) == SQLITE_ROW
	    && sqlite3_column_type(st, 0) == SQLITE_INTEGER) {
		uint64_t last = (uint64_t) sqlite3_column_int64(st, 0);

		for (size_t i = 0; i < c->nnodes; i++) {
			if (last > c->nodes[i].witnessed) {
				c->nodes[i].maybe = last;
			}
		}
	}
	sqlite3_finalize(st);
	return (FS_OK);
}

static void
witness_save(fs_coord *c, const coord_node *n)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(c->db,
	        "INSERT INTO witness (node, size) VALUES (?, ?) "
	        "ON CONFLICT (node) DO UPDATE SET size = excluded.size",
	        -1, &st, NULL)
	    == SQLITE_OK) {
		sqlite3_bind_text(st, 1, n->name, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64) n->witnessed);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
}

// cosignature checks a node's answer and returns its cosignature line.
static fs_err
cosignature(fs_coord *c, coord_node *n, const fs_call *call,
    const uint8_t req_hash[static FS_HASH_BYTES], const char *note, size_t nlen,
    char **linep)
{
	fs_keyring       ring = { &n->key, 1 };
	fs_envelope      env;
	fs_note_verifier v;
	fs_note         *parsed = NULL;
	fs_mp            r;
	uint32_t         k;
	const char      *line;
	size_t           llen;
	char            *both;
	uint64_t         t;
	fs_err           rv;

	if ((rv = call->rv) != FS_OK
	    || (rv = fs_envelope_open(&env, call->rep, call->replen, c->key,
	            fs_keyring_lookup, &ring, fs_now_ms(),
	            (uint64_t) c->skew_ms))
	        != FS_OK) {
		return (rv);
	}
	if ((rv = fs_envelope_check_reply(&env, req_hash)) != FS_OK
	    || env.type != FS_MSG_COSIGNATURE) {
		fs_envelope_fini(&env);
		return (rv != FS_OK ? rv : FS_ERR_REFUSED);
	}
	fs_mp_init(&r, env.body, env.body_len);
	if ((rv = fs_mp_array(&r, &k)) != FS_OK || k != 1
	    || (rv = fs_mp_str(&r, &line, &llen, 1024)) != FS_OK
	    || (rv = fs_mp_end(&r)) != FS_OK) {
		fs_envelope_fini(&env);
		return (rv != FS_OK ? rv : FS_ERR_MALFORMED);
	}
	// The line must be this witness's valid cosignature of this note.
	if ((both = malloc(nlen + llen + 1)) == NULL) {
		fs_envelope_fini(&env);
		return (FS_ERR_NOMEM);
	}
	memcpy(both, note, nlen);
	memcpy(both + nlen, line, llen);
	both[nlen + llen] = '\0';
	fs_envelope_fini(&env);
	if ((rv = fs_note_verifier_init(
	         &v, n->name, FS_NOTE_COSIG_V1, n->key.pk))
	        == FS_OK
	    && (rv = fs_note_parse(&parsed, both, nlen + llen)) == FS_OK) {
		rv = fs_cosig_verify(&t, parsed, &v);
	}
	fs_note_free(parsed);
	if (rv != FS_OK) {
		free(both);
		return (rv);
	}
	memmove(both, both + nlen, llen + 1);
	*linep = both;
	return (FS_OK);
}

// witness_request seals the request that asks node n to cosign the note
// of size entries, with the consistency proof from old, the last
// checkpoint it cosigned; call->rv says whether the call is to be made.
static void
witness_request(fs_coord *c, uint64_t old, coord_node *n, const char *note,
    size_t nlen, uint64_t size, fs_call *call,
    uint8_t hash[static FS_HASH_BYTES])
{
	fs_witness_req  w = { .note = note, .note_len = nlen };
	fs_merkle_proof proof;
	uint8_t        *body;
	size_t          blen;
	fs_envelope_out m = { .type = FS_MSG_WITNESS,
		.recipient          = &n->key,
		.enc                = FS_ENC_NONE,
		.time_ms            = fs_now_ms() };

	memset(call, 0, sizeof(*call));
	call->rv = FS_ERR_INVALID;
	if (old > size) {
		return;
	}
	w.old_size = old;
	if (0 < old && old < size) {
		pthread_mutex_lock(&c->dbmtx);
		call->rv = fs_merkle_prove_consistency(
		    &proof, old, size, coord_log_get, c);
		pthread_mutex_unlock(&c->dbmtx);
		if (call->rv != FS_OK || proof.n > FS_WITNESS_PROOF_MAX) {
			return;
		}
		w.nproof = proof.n;
		memcpy(w.proof, proof.hash, proof.n * 32);
	}
	if (fs_witness_encode(&w, &body, &blen) != FS_OK) {
		return;
	}
	m.body     = body;
	m.body_len = blen;
	if (fs_envelope_seal(c->key, &m, (uint8_t **) &call->req, &call->len)
	    == FS_OK) {
		crypto_generichash(
		    hash, FS_HASH_BYTES, call->req, call->len, NULL, 0);
		call->client = n->client;
		call->rv     = FS_OK;
	}
	free(body);
}

// call_witnesses makes, all at once, only the calls that could be made.
static void
call_witnesses(fs_call *calls, size_t n)
{
	fs_call *go = calloc(n, sizeof(*go));
	size_t   k  = 0;

	for (size_t i = 0; go != NULL && i < n; i++) {
		if (calls[i].rv == FS_OK) {
			go[k++] = calls[i];
		}
	}
	if (go != NULL) {
		fs_client_call_many(go, k, WITNESS_TIMEOUT_MS);
		for (size_t i = 0, j = 0; i < n; i++) {
			if (calls[i].rv == FS_OK) {
				calls[i] = go[j++];
			}
		}
	}
	free(go);
}

// take_cosignatures keeps each valid cosignature line in lines, notes
// and saves how far each witness has cosigned, and returns the length of
// the lines kept.  A witness whose answer did not come may have cosigned
// all the same: its size may now be this one.
static size_t
take_cosignatures(fs_coord *c, fs_call *calls, uint8_t (*hashes)[FS_HASH_BYTES],
    const char *note, size_t nlen, uint64_t size, char **lines)
{
	size_t total = 0;

	for (size_t i = 0; i < c->nnodes; i++) {
		coord_node *n = &c->nodes[i];
		fs_err      rv;

		if (calls[i].req == NULL) {
			continue;
		}
		rv = cosignature(
		    c, n, &calls[i], hashes[i], note, nlen, &lines[i]);
		if (rv == FS_OK) {
			total += strlen(lines[i]);
			n->maybe = 0;
			if (n->witnessed != size) {
				n->witnessed = size;
				pthread_mutex_lock(&c->dbmtx);
				witness_save(c, n);
				pthread_mutex_unlock(&c->dbmtx);
			}
		} else {
			if ((rv == FS_ERR_TIMEOUT || rv == FS_ERR_TRANSPORT)
			    && size > n->witnessed) {
				n->maybe = size;
			}
			fs_log(FS_LOG_WARN, WHO,
			    "witness %s did not cosign checkpoint %llu: %s",
			    n->name, (unsigned long long) size,
			    fs_strerror(rv));
		}
		free((void *) calls[i].req);
		free(calls[i].rep);
		calls[i].req = NULL;
		calls[i].rep = NULL;
	}
	return (total);
}

// ask_round asks, at once, every witness that has not cosigned the note
// of size entries yet, each with the proof from its size in olds (0 for
// none: not asked), and takes the cosignatures.
static size_t
ask_round(fs_coord *c, const uint64_t *olds, fs_call *calls,
    uint8_t (*hashes)[FS_HASH_BYTES], const char *note, size_t nlen,
    uint64_t size, char **lines)
{
	for (size_t i = 0; i < c->nnodes; i++) {
		memset(&calls[i], 0, sizeof(calls[i]));
		calls[i].rv = FS_ERR_INVALID;
		if (lines[i] == NULL && olds[i] != UINT64_MAX) {
			witness_request(c, olds[i], &c->nodes[i], note, nlen,
			    size, &calls[i], hashes[i]);
		}
	}
	call_witnesses(calls, c->nnodes);
	return (take_cosignatures(c, calls, hashes, note, nlen, size, lines));
}

// cosigned returns the note followed by the lines kept (malloc'd), of
// total bytes.
static char *
cosigned(const char *note, size_t nlen, char **lines, size_t n, size_t total)
{
	char *out;

	if ((out = malloc(total + 1)) != NULL) {
		size_t o = nlen;

		memcpy(out, note, nlen);
		for (size_t i = 0; i < n; i++) {
			if (lines[i] != NULL) {
				memcpy(out + o, lines[i], strlen(lines[i]));
				o += strlen(lines[i]);
			}
		}
		out[o] = '\0';
	}
	return (out);
}

char *
coord_witness(fs_coord *c, const char *note, size_t nlen, uint64_t size)
{
	fs_call *calls                  = calloc(c->nnodes, sizeof(*calls));
	uint8_t(*hashes)[FS_HASH_BYTES] = calloc(c->nnodes, FS_HASH_BYTES);
	size_t   total                  = nlen;
	char    *out, **lines = calloc(c->nnodes, sizeof(char *));
	uint64_t olds[NODES_MAX], maybe[NODES_MAX];
	bool     again = false;

	if (calls == NULL || hashes == NULL || lines == NULL) {
		free(calls);
		free(hashes);
		free(lines);
		return (NULL);
	}
	for (size_t i = 0; i < c->nnodes; i++) {
		olds[i]  = c->nodes[i].witnessed;
		maybe[i] = c->nodes[i].maybe;
	}
	total += ask_round(c, olds, calls, hashes, note, nlen, size, lines);
	// A witness that did not cosign from the size we know may hold the
	// larger one it may have cosigned before this round.
	for (size_t i = 0; i < c->nnodes; i++) {
		olds[i] = UINT64_MAX;
		if (lines[i] == NULL && maybe[i] > c->nodes[i].witnessed
		    && maybe[i] <= size) {
			olds[i] = maybe[i];
			again   = true;
		}
	}
	if (again) {
		total += ask_round(
		    c, olds, calls, hashes, note, nlen, size, lines);
	}
	out = cosigned(note, nlen, lines, c->nnodes, total);
	for (size_t i = 0; i < c->nnodes; i++) {
		free(lines[i]);
	}
	free(lines);
	free(calls);
	free(hashes);
	return (out);
}
