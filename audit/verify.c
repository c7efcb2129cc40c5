// SPDX-License-Identifier: Apache-2.0
//
// verify.c -- `fedscore audit verify`: the whole log, fetched and
// checked against its signed checkpoint and the checkpoint verified
// before.
//
// Order of checks: the coordinator's signature, the witnesses'
// cosignatures, the size and root against the previous checkpoint (a
// smaller size is a truncated log or a stale checkpoint, the same size
// with another root a fork), then every tile: each entry's leaf hash
// against the hash tile, the tree recomputed from the entries, its root
// at the previous size and at the checkpoint's size; the log's own
// consistency proof as a second check; and, with full records, every
// disclosure against its record and consent token.  A finding about the
// log's structure stops the run (what follows would only repeat it);
// findings about single disclosures are all reported.  The full records
// are checked in verify_records.c.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "audit/verifyimpl.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/merkle.h"
#include "net/http.h"
#include "wire/note.h"
#include "wire/token.h"

// Each step of a run lets it go on, stops it on a finding that what
// follows would only repeat, or stops it on an error that kept it from
// finishing (r->rv, and why says which).
typedef enum step { GO_ON, FOUND, FAILED } step;

static void
b64(char out[static 45], const uint8_t h[static 32])
{
	fs_b64std_encode(out, h, 32);
}

// get fetches path under the log's URL; a transport failure stops the
// run (the log could not be read, which is not a finding about it).
static fs_err
get(run *r, const char *path, int *status, uint8_t **body, size_t *len)
{
	char   url[2048];
	size_t n = strlen(r->o->log);
	fs_err rv;

	while (n > 0 && r->o->log[n - 1] == '/') {
		n--;
	}
	snprintf(url, sizeof(url), "%.*s/%s", (int) n, r->o->log, path);
	rv = fs_http_request("GET", url, NULL, NULL, 0,
	    r->o->timeout_ms > 0 ? r->o->timeout_ms : 30000, status, body, len);
	if (rv != FS_OK) {
		snprintf(r->why, r->whycap, "%s: %s", url, fs_http_why());
	}
	return (rv);
}

// tiles fetches and checks every entry of the checkpoint's tree.
static fs_err
tiles(run *r, const fs_checkpoint *cp, fs_audit_tree *t)
{
	fs_bundle_entry e[FS_TILE_WIDTH];
	uint64_t        ntiles = (cp->size + FS_TILE_WIDTH - 1) / FS_TILE_WIDTH;

	for (uint64_t k = 0; k < ntiles; k++) {
		uint64_t first = k * FS_TILE_WIDTH;
		unsigned w     = (unsigned) (cp->size - first < FS_TILE_WIDTH
		            ? cp->size - first
		            : FS_TILE_WIDTH);
		char     ep[FS_TILE_PATH_MAX], hp[FS_TILE_PATH_MAX];
		uint8_t *eb = NULL, *hb = NULL;
		size_t   elen, hlen, n = 0;
		int      es, hs;
		uint64_t bad;
		fs_err   rv;

		fs_tile_path(ep, FS_TILE_ENTRIES, k, w);
		fs_tile_path(hp, 0, k, w);
		if ((rv = get(r, ep, &es, &eb, &elen)) != FS_OK
		    || (rv = get(r, hp, &hs, &hb, &hlen)) != FS_OK) {
			free(eb);
			return (rv);
		}
		rv = FS_ERR_BAD_PROOF;
		if (es != 200 || hs != 200) {
			fs_audit_finding(r->rep,
			    "%s: the log answers HTTP %d (and %d for %s): it "
			    "does not serve entries %llu to %llu that its "
			    "checkpoint commits to",
			    ep, es, hs, hp, (unsigned long long) first,
			    (unsigned long long) (first + w - 1));
		} else if ((rv = fs_bundle_parse(e, w, &n, eb, elen))
		    != FS_OK) {
			fs_audit_finding(r->rep,
			    "%s: expected %u entries, found a bundle %s", ep, w,
			    rv == FS_ERR_TRUNCATED ? "that ends inside an entry"
			                           : "of more entries");
		} else if (n != w) {
			fs_audit_finding(r->rep,
			    "%s: expected %u entries, found %zu: entries from "
			    "%llu are missing",
			    ep, w, n, (unsigned long long) (first + n));
			rv = FS_ERR_BAD_PROOF;
		} else if ((rv = fs_hashtile_check(w, hb, hlen)) != FS_OK) {
			fs_audit_finding(r->rep,
			    "%s: expected %u hashes (%u bytes), found %zu "
			    "bytes",
			    hp, w, w * FS_MERKLE_HASH_BYTES, hlen);
		} else if ((rv = fs_audit_tree_add(t, e, hb, w, &bad))
		    != FS_OK) {
			fs_audit_finding(r->rep,
			    "entry %llu: its leaf hash is not the one %s "
			    "holds: "
			    "the entry (%s) or the hash tile was altered",
			    (unsigned long long) bad, hp, ep);
		} else if (r->o->records != NULL) {
			verify_records(r, first, e, w);
		}
		free(eb);
		free(hb);
		if (rv != FS_OK) {
			return (FS_ERR_BAD_PROOF);
		}
	}
	return (FS_OK);
}

// proof asks the log for its consistency proof from the previous
// checkpoint, and checks it.
static fs_err
proof(run *r, const fs_checkpoint *prev, const fs_checkpoint *cp)
{
	fs_merkle_proof p;
	char            path[128];
	uint8_t        *body = NULL;
	size_t          len;
	int             status;
	json_t         *o = NULL, *a, *v;
	size_t          i;
	fs_err          rv;

	snprintf(path, sizeof(path),
	    "v1/log/proof/consistency?old=%llu&new=%llu",
	    (unsigned long long) prev->size, (unsigned long long) cp->size);
	if ((rv = get(r, path, &status, &body, &len)) != FS_OK) {
		return (rv);
	}
	if (status == 404) {
		fs_audit_info(r->rep,
		    "the log serves no consistency proof (HTTP 404); the "
		    "recomputed tree above stands for it");
		free(body);
		return (FS_OK);
	}
	rv = FS_ERR_BAD_PROOF;
	memset(&p, 0, sizeof(p));
	if (status != 200
	    || (o = json_loadb((const char *) body, len, 0, NULL)) == NULL
	    || !json_is_array(a = json_object_get(o, "proof"))
	    || json_array_size(a) > FS_MERKLE_PROOF_MAX) {
		fs_audit_finding(r->rep,
		    "%s: expected a JSON consistency proof, found HTTP %d "
		    "with something else",
		    path, status);
		goto out;
	}
	json_array_foreach (a, i, v) {
		const char *s = json_string_value(v);
		size_t      got;

		if (s == NULL
		    || fs_b64std_decode(
		           p.hash[i], FS_MERKLE_HASH_BYTES, &got, s, strlen(s))
		        != FS_OK
		    || got != FS_MERKLE_HASH_BYTES) {
			fs_audit_finding(r->rep,
			    "%s: hash %zu of the proof is not base64 of 32 "
			    "bytes",
			    path, i);
			goto out;
		}
	}
	p.n = json_array_size(a);
	if (fs_merkle_verify_consistency(
	        prev->size, cp->size, prev->root, cp->root, &p)
	    != FS_OK) {
		fs_audit_finding(r->rep,
		    "the log's consistency proof from %llu to %llu entries "
		    "does not verify against the two checkpoints",
		    (unsigned long long) prev->size,
		    (unsigned long long) cp->size);
		goto out;
	}
	fs_audit_info(r->rep,
	    "the log's consistency proof from %llu to %llu entries verifies",
	    (unsigned long long) prev->size, (unsigned long long) cp->size);
	rv = FS_OK;
out:
	json_decref(o);
	free(body);
	return (rv);
}

// region_of takes the region from an origin "fedscore.<region>/...".
static bool
region_of(char out[static FS_CLAIM_STR_MAX + 1], const fs_checkpoint *cp)
{
	const char *p = cp->origin + 9, *slash;

	if (cp->origin_len < 10 || strncmp(cp->origin, "fedscore.", 9) != 0
	    || (slash = memchr(p, '/', cp->origin_len - 9)) == NULL
	    || slash == p || (size_t) (slash - p) > FS_CLAIM_STR_MAX) {
		return (false);
	}
	memcpy(out, p, (size_t) (slash - p));
	out[slash - p] = '\0';
	return (true);
}

// previous compares the checkpoint with the one verified before; false
// when that already is a finding.
static bool
previous(run *r, const fs_checkpoint *prev, const fs_checkpoint *cp,
    const char *from)
{
	char a[45], b[45];

	if (prev->origin_len != cp->origin_len
	    || memcmp(prev->origin, cp->origin, cp->origin_len) != 0) {
		fs_audit_finding(r->rep,
		    "%s: the previous checkpoint is of the log '%.*s', not "
		    "'%.*s'",
		    from, (int) prev->origin_len, prev->origin,
		    (int) cp->origin_len, cp->origin);
		return (false);
	}
	if (prev->size > cp->size) {
		fs_audit_finding(r->rep,
		    "truncated log or stale checkpoint: the log's checkpoint "
		    "has %llu entries, fewer than the %llu of the checkpoint "
		    "verified before (%s)",
		    (unsigned long long) cp->size,
		    (unsigned long long) prev->size, from);
		return (false);
	}
	if (prev->size == cp->size
	    && sodium_memcmp(prev->root, cp->root, FS_MERKLE_HASH_BYTES) != 0) {
		b64(a, cp->root);
		b64(b, prev->root);
		fs_audit_finding(r->rep,
		    "fork: the log's checkpoint of %llu entries has root %s, "
		    "the one verified before (%s) has root %s",
		    (unsigned long long) cp->size, a, from, b);
		return (false);
	}
	fs_audit_info(r->rep, "previous checkpoint (%s): %llu entries", from,
	    (unsigned long long) prev->size);
	return (true);
}

// failed stops the run on rv.
static step
failed(run *r, fs_err rv)
{
	r->rv = rv;
	return (FAILED);
}

// check_checkpoint fetches the log's checkpoint and checks the
// coordinator's signature.
static step
check_checkpoint(run *r)
{
	char   a[45], why[FS_WHY_MAX];
	int    status;
	fs_err rv;

	if ((rv = get(r, "checkpoint", &status, &r->body, &r->len)) != FS_OK) {
		return (failed(r, rv));
	}
	if (status != 200) {
		fs_audit_finding(
		    r->rep, "checkpoint: the log answers HTTP %d", status);
		return (FOUND);
	}
	if (fs_audit_checkpoint_open(&r->note, &r->cp, (const char *) r->body,
	        r->len, r->o->coord, NULL, why, sizeof(why))
	    != FS_OK) {
		fs_audit_finding(r->rep, "checkpoint: %s", why);
		return (FOUND);
	}
	b64(a, r->cp.root);
	fs_audit_info(r->rep,
	    "checkpoint of %.*s: %llu entries, root %s, signed by the "
	    "coordinator",
	    (int) r->cp.origin_len, r->cp.origin,
	    (unsigned long long) r->cp.size, a);
	return (GO_ON);
}

// check_witnesses finds each witness's cosignature on the checkpoint.
static step
check_witnesses(run *r)
{
	char     t[45], why[FS_WHY_MAX];
	uint64_t when;

	for (size_t i = 0; i < r->o->nwitnesses; i++) {
		if (fs_audit_witness_check(r->note, (const char *) r->body,
		        r->len, &r->o->witnesses[i], &when, why, sizeof(why))
		    != FS_OK) {
			fs_audit_finding(r->rep, "checkpoint: %s", why);
		} else {
			fs_time_format(t, (int64_t) when);
			fs_audit_info(r->rep, "witness %s cosigned it at %s",
			    r->o->witnesses[i].v.name, t);
		}
	}
	return (GO_ON);
}

// check_previous compares the checkpoint with the one verified before,
// from --since or else the state file; there is none on a first run.
static step
check_previous(run *r)
{
	const fs_audit_verify_opts *o = r->o;
	const char *from              = o->since != NULL ? o->since : o->state;
	fs_err      rv;

	if (from == NULL) {
		return (GO_ON);
	}
	rv = fs_audit_state_read(
	    &r->prevtext, &r->prev, from, r->why, r->whycap);
	if (rv == FS_ERR_NOT_FOUND && o->since == NULL) {
		fs_audit_info(r->rep,
		    "no previous checkpoint in %s: this one is the first "
		    "verified",
		    from);
		return (GO_ON);
	}
	if (rv == FS_ERR_NOT_FOUND) {
		snprintf(r->why, r->whycap, "%s: no such file", from);
		return (failed(r, rv));
	}
	if (rv != FS_OK) {
		return (failed(r, rv));
	}
	if (!previous(r, &r->prev, &r->cp, from)) {
		return (FOUND);
	}
	r->have_prev = true;
	return (GO_ON);
}

// choose_region: the region the full records' tokens are for, given or
// else from the checkpoint's origin.
static step
choose_region(run *r)
{
	if (r->o->records == NULL) {
		return (GO_ON);
	}
	if (r->o->region != NULL) {
		snprintf(r->region, sizeof(r->region), "%s", r->o->region);
	} else if (!region_of(r->region, &r->cp)) {
		snprintf(r->why, r->whycap,
		    "cannot tell the region from the origin '%.*s': give "
		    "--region",
		    (int) r->cp.origin_len, r->cp.origin);
		return (failed(r, FS_ERR_INVALID));
	}
	return (GO_ON);
}

// recompute_tree checks every entry against its hash and recomputes the
// checkpoint's root from the entries (and, with records, checks each).
static step
recompute_tree(run *r)
{
	uint8_t root[FS_MERKLE_HASH_BYTES];
	char    a[45], b[45];
	fs_err  rv;

	fs_audit_tree_init(&r->tree, r->have_prev ? r->prev.size : 0);
	if ((rv = tiles(r, &r->cp, &r->tree)) != FS_OK) {
		return (rv == FS_ERR_BAD_PROOF ? FOUND : failed(r, rv));
	}
	fs_audit_tree_root(&r->tree, root);
	if (sodium_memcmp(root, r->cp.root, FS_MERKLE_HASH_BYTES) != 0) {
		b64(a, root);
		b64(b, r->cp.root);
		fs_audit_finding(r->rep,
		    "the root of the %llu entries the log serves is %s; its "
		    "checkpoint says %s: entries and hashes were altered "
		    "together",
		    (unsigned long long) r->cp.size, a, b);
		return (FOUND);
	}
	fs_audit_info(r->rep,
	    "all %llu entries match the hash tiles and recompute the "
	    "checkpoint's root",
	    (unsigned long long) r->cp.size);
	return (GO_ON);
}

// check_consistency checks the previous checkpoint's entries are
// unchanged, twice: against the recomputed tree, and by the log's own
// consistency proof.
static step
check_consistency(run *r)
{
	const fs_checkpoint *prev = &r->prev;
	char                 a[45], b[45];
	fs_err               rv;

	if (!r->have_prev || prev->size == 0) {
		return (GO_ON);
	}
	if (!r->tree.have_old
	    || sodium_memcmp(r->tree.old_root, prev->root, FS_MERKLE_HASH_BYTES)
	        != 0) {
		b64(a, r->tree.old_root);
		b64(b, prev->root);
		fs_audit_finding(r->rep,
		    "the log was rewritten: its first %llu entries now have "
		    "root %s, the checkpoint verified before says %s",
		    (unsigned long long) prev->size, a, b);
		return (FOUND);
	}
	fs_audit_info(r->rep,
	    "consistent with the previous checkpoint: the first %llu "
	    "entries are unchanged",
	    (unsigned long long) prev->size);
	if (prev->size < r->cp.size && (rv = proof(r, prev, &r->cp)) != FS_OK
	    && rv != FS_ERR_BAD_PROOF) {
		return (failed(r, rv));
	}
	return (GO_ON);
}

// keep_state writes the checkpoint to the state file after a run
// without findings.
static step
keep_state(run *r)
{
	if (r->rep->findings > 0 || r->o->state == NULL) {
		return (GO_ON);
	}
	if (fs_audit_state_write(r->o->state, (const char *) r->body, r->len)
	    != FS_OK) {
		snprintf(r->why, r->whycap, "%s: cannot write the state",
		    r->o->state);
		return (failed(r, FS_ERR_IO));
	}
	fs_audit_info(r->rep, "state: checkpoint of %llu entries kept in %s",
	    (unsigned long long) r->cp.size, r->o->state);
	return (GO_ON);
}

fs_err
fs_audit_verify(const fs_audit_verify_opts *o, fs_audit_report *rep, char *why,
    size_t whycap)
{
	run  r = { .o = o, .rep = rep, .why = why, .whycap = whycap };
	step s;

	if ((s = check_checkpoint(&r)) == GO_ON
	    && (s = check_witnesses(&r)) == GO_ON
	    && (s = check_previous(&r)) == GO_ON
	    && (s = choose_region(&r)) == GO_ON
	    && (s = recompute_tree(&r)) == GO_ON
	    && (s = check_consistency(&r)) == GO_ON) {
		verify_sum_up(&r);
	}
	if (s != FAILED) {
		s = keep_state(&r);
	}
	free(r.uses);
	free(r.prevtext);
	fs_note_free(r.note);
	free(r.body);
	if (s == FAILED) {
		return (r.rv);
	}
	return (rep->findings == 0 ? FS_OK : FS_ERR_BAD_PROOF);
}
