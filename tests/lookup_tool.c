// SPDX-License-Identifier: Apache-2.0
//
// lookup_tool.c -- a test helper that plays the coordinator: it sends one
// LOOKUP to a node and prints the node's verified answer as JSON, so that
// tests/node.sh checks a contribution value by value.
//
//   lookup_tool -k COORD.key --node NODE.pub -d URL --subject B64
//               --token TOKEN [--replay] [--garbage] [--clear]
//               [--type N] [--deadline-ms MS]
//
// Prints {"ok":true, "rules_version", "dims":{...}, "shared":[...],
// "disputed", "considered", "counted", "receipt"} (receipt: the hash of
// the reply, as the coordinator lists it) and exits 0, or {"ok":false,
// "error", "code", "detail"} for a refusal and exits 1; 2 for anything
// else.  --replay sends the same envelope twice and prints the second
// answer; --garbage sends random bytes; --clear sends the body unsealed;
// --type sends another message type; --deadline-ms sets the deadline
// relative to now (negative: already past).  Shared items are printed
// sorted by dimension, points and key.

#include <sodium.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "net/transport.h"
#include "wire/envelope.h"
#include "wire/lookup.h"
#include "wire/token.h"

#define TIMEOUT_MS 10000

static int
cmp_shared(const void *a, const void *b)
{
	const fs_shared_item *x = a, *y = b;

	if (x->dim != y->dim) {
		return (x->dim < y->dim ? -1 : 1);
	}
	if (x->points != y->points) {
		return (x->points < y->points ? -1 : 1);
	}
	return (memcmp(x->behavior_key, y->behavior_key, FS_SUBJECT_BYTES));
}

static int
print_reply(const fs_envelope *rep, const uint8_t *bytes, size_t len)
{
	json_t         *o = json_object(), *dims, *shared;
	fs_contribution c;
	char            detail[600], key[64];
	uint8_t         h[FS_HASH_BYTES];
	fs_err          code;
	int             rc = 0;

	if (rep->type == FS_MSG_ERROR) {
		if (fs_error_body_decode(
		        rep->body, rep->body_len, &code, detail, sizeof(detail))
		    != FS_OK) {
			fprintf(stderr, "lookup_tool: unreadable error body\n");
			return (2);
		}
		json_object_set_new(o, "ok", json_false());
		json_object_set_new(o, "error", json_string(fs_err_name(code)));
		json_object_set_new(o, "code", json_integer(code));
		json_object_set_new(o, "detail", json_string(detail));
		rc = 1;
	} else if (rep->type == FS_MSG_CONTRIBUTION) {
		if (rep->enc != FS_ENC_SEALED
		    || fs_contribution_decode(&c, rep->body, rep->body_len)
		        != FS_OK) {
			fprintf(stderr,
			    "lookup_tool: expected a sealed contribution\n");
			return (2);
		}
		json_object_set_new(o, "ok", json_true());
		json_object_set_new(
		    o, "rules_version", json_string(c.rules_version));
		dims = json_object();
		for (int d = 0; d < FS_DIM_COUNT; d++) {
			json_object_set_new(dims, fs_dim_name((fs_dim) d),
			    json_integer(c.dims[d]));
		}
		json_object_set_new(o, "dims", dims);
		shared = json_array();
		if (c.nshared > 0) {
			qsort(
			    c.shared, c.nshared, sizeof(*c.shared), cmp_shared);
		}
		for (size_t i = 0; i < c.nshared; i++) {
			fs_b64_encode(
			    key, c.shared[i].behavior_key, FS_SUBJECT_BYTES);
			json_array_append_new(shared,
			    json_pack("{s:s, s:s, s:I}", "key", key, "dim",
			        fs_dim_name(c.shared[i].dim), "points",
			        (json_int_t) c.shared[i].points));
		}
		json_object_set_new(o, "shared", shared);
		json_object_set_new(o, "disputed", json_boolean(c.disputed));
		json_object_set_new(
		    o, "considered", json_integer(c.considered));
		json_object_set_new(o, "counted", json_integer(c.counted));
		// The receipt the coordinator would list: the reply's hash.
		crypto_generichash(h, sizeof(h), bytes, len, NULL, 0);
		fs_b64_encode(key, h, sizeof(h));
		json_object_set_new(o, "receipt", json_string(key));
		fs_contribution_fini(&c);
	} else {
		fprintf(stderr, "lookup_tool: unexpected reply type %u\n",
		    rep->type);
		return (2);
	}
	json_dumpf(o, stdout, JSON_SORT_KEYS | JSON_COMPACT);
	putchar('\n');
	json_decref(o);
	return (rc);
}

int
main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "subject", required_argument, NULL, 's' },
		{ "token", required_argument, NULL, 't' },
		{ "type", required_argument, NULL, 'T' },
		{ "deadline-ms", required_argument, NULL, 'D' },
		{ "replay", no_argument, NULL, 'r' },
		{ "garbage", no_argument, NULL, 'g' },
		{ "clear", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char     *keyp = NULL, *nodep = NULL, *url = NULL, *sub = NULL;
	const char     *token  = NULL;
	bool            replay = false, garbage = false, clear = false;
	long            type = FS_MSG_LOOKUP, deadline = 10000;
	fs_key         *key = NULL;
	fs_pubkey       node;
	fs_keyring      ring = { &node, 1 };
	fs_lookup       l    = { 0 };
	fs_envelope     rep  = { 0 };
	fs_client      *cl   = NULL;
	uint8_t        *body = NULL, *req = NULL, *buf = NULL;
	size_t          blen, reqlen, len, slen;
	uint8_t         hash[FS_HASH_BYTES];
	fs_envelope_out m = { 0 };
	int             c, rc = 2;
	fs_err          rv;

	while ((c = getopt_long(argc, argv, "k:d:", lopts, NULL)) != -1) {
		switch (c) {
		case 'k':
			keyp = optarg;
			break;
		case 'd':
			url = optarg;
			break;
		case 'n':
			nodep = optarg;
			break;
		case 's':
			sub = optarg;
			break;
		case 't':
			token = optarg;
			break;
		case 'T':
			type = strtol(optarg, NULL, 10);
			break;
		case 'D':
			deadline = strtol(optarg, NULL, 10);
			break;
		case 'r':
			replay = true;
			break;
		case 'g':
			garbage = true;
			break;
		case 'c':
			clear = true;
			break;
		default:
			return (2);
		}
	}
	if (keyp == NULL || nodep == NULL || url == NULL || sub == NULL
	    || token == NULL || fs_crypto_init() != FS_OK) {
		fprintf(stderr, "usage: see the top of tests/lookup_tool.c\n");
		return (2);
	}
	if (fs_keyfile_read_secret(&key, keyp) != FS_OK
	    || fs_keyfile_read_public(&node, nodep) != FS_OK
	    || fs_b64_decode(
	           l.subject, sizeof(l.subject), &slen, sub, strlen(sub))
	        != FS_OK
	    || slen != FS_SUBJECT_BYTES || strlen(token) > FS_TOKEN_MAX) {
		fprintf(stderr, "lookup_tool: bad key, subject or token\n");
		goto out;
	}
	randombytes_buf(l.request_id, sizeof(l.request_id));
	snprintf(l.token, sizeof(l.token), "%s", token);
	l.deadline_ms = (uint64_t) ((int64_t) fs_now_ms() + deadline);
	if (fs_lookup_encode(&l, &body, &blen) != FS_OK) {
		goto out;
	}
	m.type      = (uint16_t) type;
	m.recipient = &node;
	m.enc       = clear ? FS_ENC_NONE : FS_ENC_SEALED;
	m.time_ms   = fs_now_ms();
	m.body      = body;
	m.body_len  = blen;
	if (garbage) {
		reqlen = 100;
		req    = malloc(reqlen);
		randombytes_buf(req, reqlen);
	} else if (fs_envelope_seal(key, &m, &req, &reqlen) != FS_OK) {
		goto out;
	}
	crypto_generichash(hash, sizeof(hash), req, reqlen, NULL, 0);
	if (fs_client_open(&cl, url) != FS_OK) {
		goto out;
	}
	for (int i = 0; i < (replay ? 2 : 1); i++) {
		free(buf);
		buf = NULL;
		if ((rv = fs_client_call(
		         cl, req, reqlen, TIMEOUT_MS, &buf, &len))
		    != FS_OK) {
			fprintf(stderr, "lookup_tool: %s: %s\n", url,
			    fs_strerror(rv));
			goto out;
		}
	}
	if ((rv = fs_envelope_open(&rep, buf, len, key, fs_keyring_lookup,
	         &ring, fs_now_ms(), FS_SKEW_DEFAULT_MS))
	        != FS_OK
	    || (rv = fs_envelope_check_reply(&rep, hash)) != FS_OK) {
		fprintf(stderr, "lookup_tool: reply refused: %s\n",
		    fs_strerror(rv));
		goto out;
	}
	rc = print_reply(&rep, buf, len);
out:
	fs_envelope_fini(&rep);
	fs_client_close(cl);
	fs_key_free(key);
	free(body);
	free(req);
	free(buf);
	return (rc);
}
