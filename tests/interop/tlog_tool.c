// SPDX-License-Identifier: Apache-2.0
//
// tlog_tool.c -- writes a signed, cosigned checkpoint and proofs made by
// fedscore's crypto module, for tlogcheck (Go's sumdb/note and sumdb/tlog)
// to judge.
//
//	tlog_tool DIR SIZE INDEX OLD
//
// builds a log of SIZE entries ("fedscore interop entry <i>"), and writes
// into DIR: vkey and witness.vkey (verifier keys), checkpoint (signed by
// the log, cosigned by the witness), inclusion (INDEX, the entry in
// base64, the proof) and consistency (OLD, the root at OLD, the proof).
// Keys come from fixed seeds, so the output is the same on every run.
// Exit status: 0 written, 1 our own verifier refused it, 2 usage or I/O.

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/b64.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/note.h"

#define ORIGIN  "fedscore.example/log"
#define WITNESS "witness.example/w1"
#define TIME    1700000000

static const char *dir;

static int
put_file(const char *name, const char *text, size_t len)
{
	char  path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL || fwrite(text, 1, len, f) != len
	    || fclose(f) != 0) {
		fprintf(stderr, "tlog_tool: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	return (0);
}

static int
put_vkey(const char *name, const fs_note_verifier *v)
{
	char   s[FS_NOTE_VKEY_LEN(FS_NOTE_NAME_MAX) + 2];
	size_t n;

	if (fs_note_vkey_format(s, sizeof(s), v) != FS_OK) {
		return (-1);
	}
	n      = strlen(s);
	s[n++] = '\n';
	return (put_file(name, s, n));
}

// put_proof writes a first line, a second, then one base64 hash a line.
static int
put_proof(
    const char *name, const char *l1, const char *l2, const fs_merkle_proof *p)
{
	char   text[256 + FS_MERKLE_PROOF_MAX * 48];
	size_t off;

	off = (size_t) snprintf(text, sizeof(text), "%s\n%s\n", l1, l2);
	for (size_t i = 0; i < p->n; i++) {
		fs_b64std_encode(text + off, p->hash[i], FS_MERKLE_HASH_BYTES);
		off += strlen(text + off);
		text[off++] = '\n';
	}
	return (put_file(name, text, off));
}

static int
parse_u64(uint64_t *v, const char *s)
{
	char *end;

	errno = 0;
	*v    = strtoull(s, &end, 10);
	return (errno != 0 || *s == '\0' || *end != '\0' || *s == '-' ? -1 : 0);
}

static void
entry(char *buf, size_t cap, uint64_t i)
{
	snprintf(
	    buf, cap, "fedscore interop entry %llu", (unsigned long long) i);
}

static int
check(fs_err rv, const char *what)
{
	if (rv != FS_OK) {
		fprintf(stderr, "tlog_tool: %s: %s\n", what, fs_strerror(rv));
		return (-1);
	}
	return (0);
}

int
main(int argc, char **argv)
{
	uint64_t size, index, old;
	uint8_t  seed[FS_SEED_BYTES], leaf[FS_MERKLE_HASH_BYTES];
	uint8_t  root[FS_MERKLE_HASH_BYTES], oldroot[FS_MERKLE_HASH_BYTES];
	fs_key  *log = NULL, *wit = NULL;
	fs_note_verifier vlog, vwit;
	fs_merkle_mem   *m = NULL;
	fs_merkle_proof  inc, con;
	char buf[512], l1[32], l2[128], *body = NULL, *signed_cp = NULL,
	                                *cp = NULL;
	size_t   blen, slen, clen;
	fs_note *n   = NULL;
	uint64_t t   = 0;
	int      ret = 2;

	if (argc != 5 || parse_u64(&size, argv[2]) != 0
	    || parse_u64(&index, argv[3]) != 0 || parse_u64(&old, argv[4]) != 0
	    || size == 0 || index >= size || old == 0 || old > size) {
		fprintf(stderr,
		    "usage: tlog_tool DIR SIZE INDEX OLD "
		    "(0 <= INDEX < SIZE, 0 < OLD <= SIZE)\n");
		return (2);
	}
	dir = argv[1];
	if (fs_crypto_init() != FS_OK) {
		return (2);
	}
	crypto_hash_sha256(seed, (const uint8_t *) "tlog_tool log", 13);
	if (check(fs_key_from_seed(&log, seed), "log key") != 0) {
		goto out;
	}
	crypto_hash_sha256(seed, (const uint8_t *) "tlog_tool witness", 17);
	if (check(fs_key_from_seed(&wit, seed), "witness key") != 0) {
		goto out;
	}
	if (check(fs_note_verifier_init(
	              &vlog, ORIGIN, FS_NOTE_ED25519, fs_key_public(log)->pk),
	        "log verifier")
	        != 0
	    || check(fs_note_verifier_init(&vwit, WITNESS, FS_NOTE_COSIG_V1,
	                 fs_key_public(wit)->pk),
	           "witness verifier")
	        != 0
	    || check(fs_merkle_mem_create(&m), "tree") != 0) {
		goto out;
	}
	for (uint64_t i = 0; i < size; i++) {
		entry(buf, sizeof(buf), i);
		fs_merkle_leaf_hash(leaf, (const uint8_t *) buf, strlen(buf));
		if (check(fs_merkle_mem_append(m, leaf), "append") != 0) {
			goto out;
		}
	}
	fs_merkle_mem_root(m, root);
	if (check(
	        fs_checkpoint_format(&body, &blen, ORIGIN, size, root, NULL, 0),
	        "checkpoint")
	        != 0
	    || check(fs_note_sign(&signed_cp, &slen, body, blen, ORIGIN, log),
	           "sign")
	        != 0
	    || check(fs_cosig_sign(
	                 &cp, &clen, signed_cp, slen, WITNESS, wit, TIME),
	           "cosign")
	        != 0
	    || check(fs_merkle_prove_inclusion(
	                 &inc, index, size, fs_merkle_mem_get, m),
	           "inclusion proof")
	        != 0
	    || check(fs_merkle_prove_consistency(
	                 &con, old, size, fs_merkle_mem_get, m),
	           "consistency proof")
	        != 0
	    || check(fs_merkle_root_at(oldroot, old, fs_merkle_mem_get, m),
	           "old root")
	        != 0) {
		goto out;
	}

	// Our own verifiers first: Go must agree with them, not replace them.
	ret = 1;
	entry(buf, sizeof(buf), index);
	fs_merkle_leaf_hash(leaf, (const uint8_t *) buf, strlen(buf));
	if (check(fs_note_open(&n, cp, clen, &vlog, 1), "verify note") != 0
	    || check(fs_cosig_verify(&t, n, &vwit), "verify cosignature") != 0
	    || check(fs_merkle_verify_inclusion(leaf, index, size, &inc, root),
	           "verify inclusion")
	        != 0
	    || check(
	           fs_merkle_verify_consistency(old, size, oldroot, root, &con),
	           "verify consistency")
	        != 0) {
		goto out;
	}

	ret = 2;
	if (put_vkey("vkey", &vlog) != 0 || put_vkey("witness.vkey", &vwit) != 0
	    || put_file("checkpoint", cp, clen) != 0) {
		goto out;
	}
	snprintf(l1, sizeof(l1), "%llu", (unsigned long long) index);
	entry(buf, sizeof(buf), index);
	fs_b64std_encode(l2, (const uint8_t *) buf, strlen(buf));
	if (put_proof("inclusion", l1, l2, &inc) != 0) {
		goto out;
	}
	snprintf(l1, sizeof(l1), "%llu", (unsigned long long) old);
	fs_b64std_encode(l2, oldroot, sizeof(oldroot));
	if (put_proof("consistency", l1, l2, &con) != 0) {
		goto out;
	}
	ret = 0;
out:
	fs_note_free(n);
	free(body);
	free(signed_cp);
	free(cp);
	fs_merkle_mem_free(m);
	fs_key_free(log);
	fs_key_free(wit);
	return (ret);
}
