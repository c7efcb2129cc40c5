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
// findings about single disclosures are all reported.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit.h"
#include "common.h"
#include "protocol.h"

#define RECORD_FINDINGS_MAX 100

typedef struct run {
	const fs_audit_verify_opts *o;
	fs_audit_report            *rep;
	char                       *why;
	size_t                      whycap;
	char                        region[FS_CLAIM_STR_MAX + 1];
	size_t                      next; // next record to match
	size_t                      record_findings;
	// Uses per consent token, by its hash.
	struct use {
		uint8_t  hash[32];
		uint32_t granted;
		uint64_t used;
		uint64_t first, last;
	} * uses;
	size_t nuses, capuses;
	// The checkpoint served (body, parsed as note and cp), the one
	// verified before (prevtext, parsed as prev), and the tree of the
	// entries served.
	uint8_t      *body;
	size_t        len;
	fs_note      *note;
	fs_checkpoint cp;
	char         *prevtext;
	fs_checkpoint prev;
	bool          have_prev;
	fs_audit_tree tree;
	fs_err        rv; // what stopped a run that could not finish
} run;

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
		snprintf(r->why, r->whycap, "%s: %s", url, fs_strerror(rv));
	}
	return (rv);
}

static void
count_use(run *r, const fs_audit_record *rec, const fs_claims *c)
{
	struct use *u = NULL;

	for (size_t i = 0; i < r->nuses; i++) {
		if (sodium_memcmp(r->uses[i].hash, rec->consent_hash, 32)
		    == 0) {
			u = &r->uses[i];
			break;
		}
	}
	if (u == NULL) {
		if (r->nuses == r->capuses) {
			size_t      cap = r->capuses == 0 ? 64 : r->capuses * 2;
			struct use *nu  = realloc(r->uses, cap * sizeof(*nu));

			if (nu == NULL) {
				return;
			}
			r->uses    = nu;
			r->capuses = cap;
		}
		u = &r->uses[r->nuses++];
		memcpy(u->hash, rec->consent_hash, 32);
		u->granted = c->uses;
		u->used    = 0;
		u->first   = rec->index;
	}
	u->used++;
	u->last = rec->index;
}

static void
record_finding(run *r, uint64_t index, const char *why)
{
	if (r->record_findings++ < RECORD_FINDINGS_MAX) {
		fs_audit_finding(
		    r->rep, "entry %llu: %s", (unsigned long long) index, why);
	} else {
		r->rep->findings++;
	}
}

// records checks the full records of entries [first, first + n); the
// records are in increasing index order, and entries before the first
// record (an export --from N) are not checked.
static void
records(run *r, uint64_t first, const fs_bundle_entry *e, size_t n)
{
	const fs_audit_verify_opts *o = r->o;

	for (size_t i = 0; i < n; i++) {
		uint64_t               index = first + i;
		const fs_audit_record *rec;
		fs_claims              c;
		char                   why[FS_WHY_MAX];

		if (o->nrecords > 0 && index < o->records[0].index) {
			continue;
		}
		if (r->next >= o->nrecords
		    || (rec = &o->records[r->next])->index != index) {
			record_finding(
			    r, index, "no full record in the export");
			continue;
		}
		r->next++;
		if (fs_audit_record_check(rec, (const char *) e[i].data,
		        e[i].len, o->issuer, r->region, &c, why, sizeof(why))
		    != FS_OK) {
			record_finding(r, index, why);
			continue;
		}
		if (o->revoked != NULL
		    && !fs_audit_entry_is_recognition(
		        (const char *) e[i].data, e[i].len)
		    && fs_audit_revoked_check(o->revoked, &c,
		           rec->time_ms / 1000, o->grace_s, why, sizeof(why))
		        != FS_OK) {
			record_finding(r, index, why);
		}
		if (c.uses > 0) {
			count_use(r, rec, &c);
		}
	}
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
			records(r, first, e, w);
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

static void
uses(run *r)
{
	for (size_t i = 0; i < r->nuses; i++) {
		const struct use *u = &r->uses[i];
		char              h[45];

		if (u->used > u->granted) {
			fs_b64_encode(h, u->hash, 32);
			fs_audit_finding(r->rep,
			    "consent %.12s…: disclosed %llu times (entries "
			    "%llu to %llu), granted for %u",
			    h, (unsigned long long) u->used,
			    (unsigned long long) u->first,
			    (unsigned long long) u->last, u->granted);
		}
	}
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

// sum_up_records reports the uses of each consent and what the full
// records covered.
static void
sum_up_records(run *r)
{
	const fs_audit_verify_opts *o      = r->o;
	size_t                      beyond = 0;

	if (o->records == NULL) {
		return;
	}
	for (size_t i = 0; i < o->nrecords; i++) {
		beyond += o->records[i].index >= r->cp.size;
	}
	uses(r);
	fs_audit_info(r->rep,
	    "full records: %zu checked against their entries and consent "
	    "tokens (region %s)%s",
	    r->next, r->region,
	    o->nrecords > 0 && o->records[0].index > 0
	        ? ", entries before the export's first not checked"
	        : "");
	if (o->revoked != NULL) {
		char t[FS_TIME_LEN + 1];

		fs_time_format(t, o->revoked->iat);
		fs_audit_info(r->rep,
		    "revocations: each disclosure checked against the "
		    "issuer's %zu revocations as of %s (grace %lld s)",
		    o->revoked->n, t, (long long) o->grace_s);
	}
	if (beyond > 0) {
		fs_audit_info(r->rep,
		    "%zu full records are beyond the checkpoint, not checked "
		    "yet",
		    beyond);
	}
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
		sum_up_records(&r);
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
