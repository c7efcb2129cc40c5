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

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/merkle.h"
#include "net/http.h"
#include "wire/note.h"
#include "wire/token.h"

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
} run;

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

fs_err
fs_audit_verify(const fs_audit_verify_opts *o, fs_audit_report *rep, char *why,
    size_t whycap)
{
	run           r = { .o = o, .rep = rep, .why = why, .whycap = whycap };
	fs_note      *note = NULL;
	fs_checkpoint cp, prev;
	fs_audit_tree tree;
	uint8_t      *body      = NULL, root[FS_MERKLE_HASH_BYTES];
	char         *prevtext  = NULL, a[45], b[45], cwhy[FS_WHY_MAX];
	const char   *from      = o->since != NULL ? o->since : o->state;
	bool          have_prev = false;
	size_t        len;
	int           status;
	uint64_t      t;
	fs_err        rv;

	// 1. The checkpoint, the coordinator's signature, the witnesses.
	if ((rv = get(&r, "checkpoint", &status, &body, &len)) != FS_OK) {
		return (rv);
	}
	if (status != 200) {
		fs_audit_finding(
		    rep, "checkpoint: the log answers HTTP %d", status);
		goto out;
	}
	if (fs_audit_checkpoint_open(&note, &cp, (const char *) body, len,
	        o->coord, NULL, cwhy, sizeof(cwhy))
	    != FS_OK) {
		fs_audit_finding(rep, "checkpoint: %s", cwhy);
		goto out;
	}
	b64(a, cp.root);
	fs_audit_info(rep,
	    "checkpoint of %.*s: %llu entries, root %s, signed by the "
	    "coordinator",
	    (int) cp.origin_len, cp.origin, (unsigned long long) cp.size, a);
	for (size_t i = 0; i < o->nwitnesses; i++) {
		if (fs_audit_witness_check(note, (const char *) body, len,
		        &o->witnesses[i], &t, cwhy, sizeof(cwhy))
		    != FS_OK) {
			fs_audit_finding(rep, "checkpoint: %s", cwhy);
		} else {
			fs_time_format(a, (int64_t) t);
			fs_audit_info(rep, "witness %s cosigned it at %s",
			    o->witnesses[i].v.name, a);
		}
	}

	// 2. Against the checkpoint verified before.
	if (from != NULL) {
		rv = fs_audit_state_read(&prevtext, &prev, from, why, whycap);
		if (rv == FS_ERR_NOT_FOUND && o->since == NULL) {
			fs_audit_info(rep,
			    "no previous checkpoint in %s: this one is the "
			    "first verified",
			    from);
		} else if (rv == FS_ERR_NOT_FOUND) {
			snprintf(why, whycap, "%s: no such file", from);
			goto fail;
		} else if (rv != FS_OK) {
			goto fail;
		} else if (!previous(&r, &prev, &cp, from)) {
			goto out;
		} else {
			have_prev = true;
		}
	}
	if (o->records != NULL) {
		if (o->region != NULL) {
			snprintf(r.region, sizeof(r.region), "%s", o->region);
		} else if (!region_of(r.region, &cp)) {
			snprintf(why, whycap,
			    "cannot tell the region from the origin '%.*s': "
			    "give --region",
			    (int) cp.origin_len, cp.origin);
			rv = FS_ERR_INVALID;
			goto fail;
		}
	}

	// 3. Every entry against its hash, and the tree recomputed.
	fs_audit_tree_init(&tree, have_prev ? prev.size : 0);
	if ((rv = tiles(&r, &cp, &tree)) != FS_OK) {
		if (rv != FS_ERR_BAD_PROOF) {
			goto fail;
		}
		goto out;
	}
	fs_audit_tree_root(&tree, root);
	if (sodium_memcmp(root, cp.root, FS_MERKLE_HASH_BYTES) != 0) {
		b64(a, root);
		b64(b, cp.root);
		fs_audit_finding(rep,
		    "the root of the %llu entries the log serves is %s; its "
		    "checkpoint says %s: entries and hashes were altered "
		    "together",
		    (unsigned long long) cp.size, a, b);
		goto out;
	}
	fs_audit_info(rep,
	    "all %llu entries match the hash tiles and recompute the "
	    "checkpoint's root",
	    (unsigned long long) cp.size);

	// 4. Consistency with the previous checkpoint, twice.
	if (have_prev && prev.size > 0) {
		if (!tree.have_old
		    || sodium_memcmp(
		           tree.old_root, prev.root, FS_MERKLE_HASH_BYTES)
		        != 0) {
			b64(a, tree.old_root);
			b64(b, prev.root);
			fs_audit_finding(rep,
			    "the log was rewritten: its first %llu entries "
			    "now have root %s, the checkpoint verified before "
			    "says %s",
			    (unsigned long long) prev.size, a, b);
			goto out;
		}
		fs_audit_info(rep,
		    "consistent with the previous checkpoint: the first %llu "
		    "entries are unchanged",
		    (unsigned long long) prev.size);
		if (prev.size < cp.size && (rv = proof(&r, &prev, &cp)) != FS_OK
		    && rv != FS_ERR_BAD_PROOF) {
			goto fail;
		}
	}

	// 5. The full records.
	if (o->records != NULL) {
		size_t beyond = 0;

		for (size_t i = 0; i < o->nrecords; i++) {
			beyond += o->records[i].index >= cp.size;
		}
		uses(&r);
		fs_audit_info(rep,
		    "full records: %zu checked against their entries and "
		    "consent tokens (region %s)%s",
		    r.next, r.region,
		    o->nrecords > 0 && o->records[0].index > 0
		        ? ", entries before the export's first not checked"
		        : "");
		if (o->revoked != NULL) {
			char t[FS_TIME_LEN + 1];

			fs_time_format(t, o->revoked->iat);
			fs_audit_info(rep,
			    "revocations: each disclosure checked against the "
			    "issuer's %zu revocations as of %s (grace %lld s)",
			    o->revoked->n, t, (long long) o->grace_s);
		}
		if (beyond > 0) {
			fs_audit_info(rep,
			    "%zu full records are beyond the checkpoint, not "
			    "checked yet",
			    beyond);
		}
	}
out:
	if (rep->findings == 0 && o->state != NULL) {
		if (fs_audit_state_write(o->state, (const char *) body, len)
		    != FS_OK) {
			snprintf(why, whycap, "%s: cannot write the state",
			    o->state);
			rv = FS_ERR_IO;
			goto fail;
		}
		fs_audit_info(rep,
		    "state: checkpoint of %llu entries kept in %s",
		    (unsigned long long) cp.size, o->state);
	}
	rv = rep->findings == 0 ? FS_OK : FS_ERR_BAD_PROOF;
fail:
	free(r.uses);
	free(prevtext);
	fs_note_free(note);
	free(body);
	return (rv);
}
