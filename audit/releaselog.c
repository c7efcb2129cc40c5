// SPDX-License-Identifier: Apache-2.0
//
// releaselog.c -- checking a node's exported release log against the
// node's signed checkpoint of it, and against the last one an auditor
// verified, so that a node cannot rewrite or drop a release it logged
// once an auditor has seen it.

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/lines.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/note.h"

// hashes is the state of leaves.
typedef struct hashes {
	uint8_t *h;
	size_t   n, cap;
} hashes;

// add_leaf appends the leaf hash of one line of the log.
static fs_err
add_leaf(void *arg, char *line, size_t len, uint64_t lineno)
{
	hashes *hs = arg;
	fs_err  rv;

	(void) lineno;
	if ((rv = fs_grow(&hs->h, &hs->cap, hs->n, FS_MERKLE_HASH_BYTES, 1024))
	    != FS_OK) {
		return (rv);
	}
	fs_merkle_leaf_hash(
	    hs->h + hs->n * FS_MERKLE_HASH_BYTES, (const uint8_t *) line, len);
	hs->n++;
	return (FS_OK);
}

// leaves reads path's lines and returns their RFC 6962 leaf hashes.
static fs_err
leaves(uint8_t **hp, uint64_t *np, const char *path, char *why, size_t whycap)
{
	hashes hs = { 0 };
	fs_err rv;

	if ((rv = fs_lines_each(path, FS_AUDIT_LINE_MAX, FS_LINES_EXACT,
	         add_leaf, &hs, why, whycap))
	    != FS_OK) {
		free(hs.h);
		return (rv);
	}
	*hp = hs.h;
	*np = hs.n;
	return (FS_OK);
}

// extends checks the log against the last checkpoint verified, in the
// state file: same origin, not smaller, the same first entries.
static void
extends(const char *node, const fs_checkpoint *cp, const uint8_t *h,
    const char *state, fs_audit_report *rep, bool *ok)
{
	char         *text            = NULL;
	char          why[FS_WHY_MAX] = "";
	fs_checkpoint old;
	uint8_t       root[FS_MERKLE_HASH_BYTES];
	fs_err        rv;

	if ((rv = fs_audit_state_read(&text, &old, state, why, sizeof(why)))
	    == FS_ERR_NOT_FOUND) {
		fs_audit_info(rep,
		    "node %s: no earlier checkpoint in %s; this one will be",
		    node, state);
		return;
	}
	if (rv != FS_OK) {
		fs_audit_finding(rep, "node %s: state: %s", node, why);
		*ok = false;
		return;
	}
	if (old.origin_len != cp->origin_len
	    || memcmp(old.origin, cp->origin, cp->origin_len) != 0) {
		fs_audit_finding(rep,
		    "node %s: the release log names origin %.*s, the last "
		    "one verified %.*s",
		    node, (int) cp->origin_len, cp->origin,
		    (int) old.origin_len, old.origin);
		*ok = false;
	} else if (old.size > cp->size) {
		fs_audit_finding(rep,
		    "node %s: the release log shrank from %llu entries, "
		    "verified before, to %llu: releases were removed",
		    node, (unsigned long long) old.size,
		    (unsigned long long) cp->size);
		*ok = false;
	} else {
		fs_merkle_root(root, h, (size_t) old.size);
		if (sodium_memcmp(root, old.root, sizeof(root)) != 0) {
			fs_audit_finding(rep,
			    "node %s: the first %llu releases differ from "
			    "those verified before: the log was rewritten",
			    node, (unsigned long long) old.size);
			*ok = false;
		} else {
			fs_audit_info(rep,
			    "node %s: the release log extends the one "
			    "verified before (%llu -> %llu entries)",
			    node, (unsigned long long) old.size,
			    (unsigned long long) cp->size);
		}
	}
	free(text);
}

fs_err
fs_audit_release_log(const char *node, const char *path, const char *checkpoint,
    const fs_pubkey *key, const char *state, fs_audit_report *rep, char *why,
    size_t whycap)
{
	fs_note      *n                = NULL;
	uint8_t      *h                = NULL;
	char         *msg              = NULL;
	char          nwhy[FS_WHY_MAX] = "";
	fs_checkpoint cp;
	uint8_t       root[FS_MERKLE_HASH_BYTES];
	uint64_t      count = 0;
	size_t        len;
	bool          ok = true;
	fs_err        rv;

	if ((msg = fs_audit_slurp(checkpoint, FS_NOTE_MAX, &len)) == NULL) {
		return (fs_why(why, whycap, FS_ERR_IO,
		    "%s: cannot read node %s's checkpoint: %s (expected the "
		    "file fedscore node releases --checkpoint wrote)",
		    checkpoint, node, strerror(errno)));
	}
	if ((rv = leaves(&h, &count, path, why, whycap)) != FS_OK) {
		free(msg);
		return (rv);
	}
	if (fs_audit_checkpoint_open(
	        &n, &cp, msg, len, key, NULL, nwhy, sizeof(nwhy))
	    != FS_OK) {
		fs_audit_finding(
		    rep, "node %s: checkpoint %s: %s", node, checkpoint, nwhy);
		ok = false;
	} else if (cp.size != count) {
		fs_audit_finding(rep,
		    "node %s: its checkpoint counts %llu releases, %s has "
		    "%llu",
		    node, (unsigned long long) cp.size, path,
		    (unsigned long long) count);
		ok = false;
	} else {
		fs_merkle_root(root, h, (size_t) count);
		if (sodium_memcmp(root, cp.root, sizeof(root)) != 0) {
			fs_audit_finding(rep,
			    "node %s: %s does not hash to the root its "
			    "checkpoint signs: a release was altered",
			    node, path);
			ok = false;
		}
	}
	if (ok && state != NULL) {
		extends(node, &cp, h, state, rep, &ok);
	}
	if (ok) {
		fs_audit_info(rep,
		    "node %s: %llu releases match its signed checkpoint (%.*s)",
		    node, (unsigned long long) count, (int) cp.origin_len,
		    cp.origin);
		if (state != NULL
		    && fs_audit_state_write(state, msg, len) != FS_OK) {
			rv = fs_why(why, whycap, FS_ERR_IO,
			    "%s: cannot write the state: %s", state,
			    strerror(errno));
		}
	}
	fs_note_free(n);
	free(msg);
	free(h);
	return (rv == FS_ERR_IO ? rv : FS_OK);
}
