// SPDX-License-Identifier: Apache-2.0
//
// reconcile.c -- node releases against coordinator disclosures.
//
// A node's reply envelope is hashed by the coordinator (BLAKE2b-256 of the
// envelope bytes, the reply's receipt) and the receipt is listed in the
// disclosure's log entry; the node logs the same hash with the release.
// So every release must meet a disclosure that lists its receipt, and
// every listed receipt a release.  Entries of format 2 also list the hash
// of the request sent to each node, which the node logs as the release's
// request_hash, and the coordinator records them before it asks: a
// release whose receipt no disclosure lists is explained by the entry
// that lists its request -- an interrupted lookup (the coordinator
// stopped before it could record the outcome), or an answer the lookup
// did not count (late, or refused).  A release no entry explains means
// the coordinator gathered data without recording it; a receipt without
// a release, a disclosure that claims a node's answer the node never
// gave (or a release log that was cut).  Hashes are sorted once and
// looked up by binary search.

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "audit/audit.h"
#include "common/b64.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/lines.h"
#include "common/rfc3339.h"
#include "wire/json.h"
#include "wire/token.h"

#define TIME_SLACK_MS (FS_SKEW_DEFAULT * 1000 + 60 * 1000)

fs_err
fs_release_parse(fs_release *r, const char *line, size_t len)
{
	fs_release t;
	json_t    *o;
	fs_err     rv = FS_ERR_MALFORMED;

	memset(&t, 0, sizeof(t));
	if ((o = json_loadb(line, len, JSON_REJECT_DUPLICATES, NULL)) == NULL) {
		return (FS_ERR_MALFORMED);
	}
	if (json_is_object(o) && json_is_integer(json_object_get(o, "time_ms"))
	    && fs_json_b64(o, "receipt", t.receipt, sizeof(t.receipt)) == FS_OK
	    && fs_json_b64(o, "jti_hash", t.jti_hash, sizeof(t.jti_hash))
	        == FS_OK
	    && fs_json_str(o, "requester", t.requester, sizeof(t.requester),
	           fs_json_filled)
	        == FS_OK
	    && fs_json_str(
	           o, "purpose", t.purpose, sizeof(t.purpose), fs_json_filled)
	        == FS_OK) {
		t.time_ms = json_integer_value(json_object_get(o, "time_ms"));
		// Optional: a release without it is matched by receipt only.
		t.has_request = fs_json_b64(o, "request_hash", t.request_hash,
		                    sizeof(t.request_hash))
		    == FS_OK;
		*r = t;
		rv = FS_OK;
	}
	json_decref(o);
	return (rv);
}

fs_err
fs_releases_load(fs_release **rp, size_t *np, const char *node,
    const char *path, char *why, size_t whycap)
{
	fs_lines   *l;
	fs_release *rs = *rp;
	size_t      n = *np, cap = *np, len;
	char       *line;
	fs_err      rv, end;

	if ((rv = fs_lines_open(
	         &l, path, FS_AUDIT_LINE_MAX, FS_LINES_TEXT, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	if (strlen(node) == 0 || strlen(node) > FS_CLAIM_STR_MAX) {
		fs_lines_close(l);
		return (fs_why(why, whycap, FS_ERR_INVALID,
		    "expected a node name of 1 to %d characters, found '%s'",
		    FS_CLAIM_STR_MAX, node));
	}
	while (fs_lines_next(l, &line, &len)) {
		int lineno = (int) fs_lines_number(l);

		if ((rv = fs_grow(&rs, &cap, n, sizeof(*rs), 64)) != FS_OK) {
			break;
		}
		*rp = rs;
		if ((rv = fs_release_parse(&rs[n], line, len)) != FS_OK) {
			snprintf(why, whycap,
			    "%s:%d: expected a release (time_ms, receipt, "
			    "jti_hash, requester, purpose), found something "
			    "else",
			    path, lineno);
			break;
		}
		snprintf(rs[n].node, sizeof(rs[n].node), "%s", node);
		rs[n].line = lineno;
		n++;
	}
	if ((end = fs_lines_close(l)) != FS_OK && rv == FS_OK) {
		rv = end;
	}
	*np = n;
	return (rv);
}

// A hash an entry lists -- a receipt, or the hash of a request sent to a
// node -- with the record of the entry and the release it matched.
typedef struct listed {
	uint8_t hash[32];
	size_t  rec;         // index into the records
	bool    interrupted; // the entry's kind
	long    matched;     // index of the release, or -1
} listed;

typedef struct hashes {
	listed *h;
	size_t  n, cap;
} hashes;

static int
cmp_listed(const void *a, const void *b)
{
	return (
	    memcmp(((const listed *) a)->hash, ((const listed *) b)->hash, 32));
}

static fs_err
add(hashes *hs, const uint8_t hash[static 32], size_t rec, bool interrupted)
{
	if (hs->n == hs->cap) {
		size_t  cap = hs->cap == 0 ? 256 : hs->cap * 2;
		listed *nh  = realloc(hs->h, cap * sizeof(*nh));

		if (nh == NULL) {
			return (FS_ERR_NOMEM);
		}
		hs->h   = nh;
		hs->cap = cap;
	}
	memcpy(hs->h[hs->n].hash, hash, 32);
	hs->h[hs->n].rec         = rec;
	hs->h[hs->n].interrupted = interrupted;
	hs->h[hs->n].matched     = -1;
	hs->n++;
	return (FS_OK);
}

static listed *
find(const hashes *hs, const uint8_t hash[static 32])
{
	listed key;

	if (hs->n == 0) {
		return (NULL);
	}
	memcpy(key.hash, hash, 32);
	return (bsearch(&key, hs->h, hs->n, sizeof(*hs->h), cmp_listed));
}

// What a reconciliation gathered: the receipts the disclosures list, the
// requests the entries of format 2 list, and what the releases matched.
typedef struct recon {
	const fs_audit_record *recs;
	const fs_release      *rels;
	fs_audit_report       *rep;
	hashes                 receipts, requests;
	size_t                 interrupted; // entries
	size_t                 uncounted;   // releases matched by request only
	size_t                 of_interrupted;
} recon;

static void
prefix(char out[static 13], const uint8_t h[static 32])
{
	char b[45];

	fs_b64_encode(b, h, 32);
	snprintf(out, 13, "%.12s", b);
}

// match checks a release against the entry that lists its receipt or its
// request.
static void
match(const fs_audit_record *d, const fs_release *rel, fs_audit_report *rep)
{
	fs_claims c;
	uint8_t   jh[32];
	int64_t   dt = rel->time_ms - d->time_ms;

	if (strcmp(d->requester, rel->requester) != 0
	    || strcmp(d->purpose, rel->purpose) != 0) {
		fs_audit_finding(rep,
		    "disclosure %llu: node %s released (line %d) to %s for %s, "
		    "the disclosure is to %s for %s",
		    (unsigned long long) d->index, rel->node, rel->line,
		    rel->requester, rel->purpose, d->requester, d->purpose);
	}
	if (fs_token_peek(&c, d->consent, strlen(d->consent)) != FS_OK) {
		fs_audit_finding(rep,
		    "disclosure %llu: its consent token cannot be read",
		    (unsigned long long) d->index);
		return;
	}
	crypto_generichash(jh, sizeof(jh), c.jti, FS_JTI_BYTES, NULL, 0);
	if (sodium_memcmp(jh, rel->jti_hash, 32) != 0) {
		fs_audit_finding(rep,
		    "disclosure %llu: node %s released (line %d) on another "
		    "consent than the disclosure's",
		    (unsigned long long) d->index, rel->node, rel->line);
	}
	if (dt < -TIME_SLACK_MS || dt > TIME_SLACK_MS) {
		fs_audit_finding(rep,
		    "disclosure %llu: node %s released (line %d) %lld s from "
		    "the disclosure's time",
		    (unsigned long long) d->index, rel->node, rel->line,
		    (long long) (dt / 1000));
	}
}

// gather_entry adds what entry i lists: its receipts (a disclosure's)
// and its requests (format 2).
static fs_err
gather_entry(recon *r, size_t i, const fs_audit_entry *e)
{
	fs_err rv = FS_OK;

	if (e->kind == FS_AUDIT_INTERRUPTED) {
		r->interrupted++;
	} else if (e->answered < 0 || (size_t) e->answered != e->nreceipts) {
		fs_audit_finding(r->rep,
		    "disclosure %llu: the entry says %lld nodes "
		    "answered but lists %zu receipts",
		    (unsigned long long) r->recs[i].index,
		    (long long) e->answered, e->nreceipts);
	}
	for (size_t k = 0; rv == FS_OK && k < e->nreceipts; k++) {
		rv = add(&r->receipts, e->receipts[k], i, false);
	}
	for (size_t k = 0; rv == FS_OK && k < e->nasked; k++) {
		rv = add(&r->requests, e->asked[k], i,
		    e->kind == FS_AUDIT_INTERRUPTED);
	}
	return (rv);
}

// gather reads every entry; entries that are not of a lookup are
// findings, recognitions of other regions' attestations are skipped
// (they gather nothing from the nodes).
static fs_err
gather(recon *r, size_t nrecs)
{
	for (size_t i = 0; i < nrecs; i++) {
		const fs_audit_record *rec = &r->recs[i];
		fs_audit_entry         e;
		fs_err                 rv;

		if (fs_audit_entry_is_recognition(rec->entry, rec->entry_len)) {
			continue;
		}
		if (fs_audit_entry_parse(&e, rec->entry, rec->entry_len)
		    != FS_OK) {
			fs_audit_finding(r->rep,
			    "disclosure %llu: its entry is not a disclosure "
			    "entry",
			    (unsigned long long) rec->index);
			continue;
		}
		if ((rv = gather_entry(r, i, &e)) != FS_OK) {
			return (rv);
		}
	}
	if (r->receipts.n > 0) {
		qsort(r->receipts.h, r->receipts.n, sizeof(listed), cmp_listed);
	}
	if (r->requests.n > 0) {
		qsort(r->requests.h, r->requests.n, sizeof(listed), cmp_listed);
	}
	return (FS_OK);
}

// by_receipt matches release i to the disclosure that lists its receipt;
// its request, when the entry lists requests, must be one of them.
static void
by_receipt(recon *r, size_t i, listed *hit)
{
	const fs_release *rel = &r->rels[i];
	listed           *q;
	char              p[13];

	prefix(p, rel->receipt);
	if (hit->matched >= 0) {
		fs_audit_finding(r->rep,
		    "disclosure %llu: receipt %s… released twice "
		    "(node %s line %d, node %s line %d)",
		    (unsigned long long) r->recs[hit->rec].index, p,
		    r->rels[hit->matched].node, r->rels[hit->matched].line,
		    rel->node, rel->line);
		return;
	}
	hit->matched = (long) i;
	match(&r->recs[hit->rec], rel, r->rep);
	if (rel->has_request
	    && (q = find(&r->requests, rel->request_hash)) != NULL) {
		if (q->rec != hit->rec) {
			fs_audit_finding(r->rep,
			    "disclosure %llu: node %s's release (line %d) "
			    "answers a request of entry %llu",
			    (unsigned long long) r->recs[hit->rec].index,
			    rel->node, rel->line,
			    (unsigned long long) r->recs[q->rec].index);
		}
		q->matched = (long) i;
	}
}

// by_request matches release i, whose receipt no disclosure lists, to
// the entry that lists its request: an interrupted lookup, or a
// disclosure that did not count the node's answer (it came late, or was
// refused).  The coordinator recorded the lookup before asking.
static void
by_request(recon *r, size_t i, listed *q)
{
	const fs_release *rel = &r->rels[i];
	char              p[13];

	prefix(p, rel->request_hash);
	if (q->matched >= 0) {
		fs_audit_finding(r->rep,
		    "entry %llu: request %s… released twice (node %s line "
		    "%d, node %s line %d)",
		    (unsigned long long) r->recs[q->rec].index, p,
		    r->rels[q->matched].node, r->rels[q->matched].line,
		    rel->node, rel->line);
		return;
	}
	q->matched = (long) i;
	match(&r->recs[q->rec], rel, r->rep);
	if (q->interrupted) {
		r->of_interrupted++;
	} else {
		r->uncounted++;
	}
}

// releases explains every release by an entry; a release that none
// explains is a finding.
static void
releases(recon *r, size_t nrels)
{
	for (size_t i = 0; i < nrels; i++) {
		const fs_release *rel = &r->rels[i];
		listed           *hit, *q = NULL;
		char              t[FS_TIME_LEN + 1], p[13];

		if ((hit = find(&r->receipts, rel->receipt)) != NULL) {
			by_receipt(r, i, hit);
			continue;
		}
		if (rel->has_request
		    && (q = find(&r->requests, rel->request_hash)) != NULL) {
			by_request(r, i, q);
			continue;
		}
		prefix(p, rel->receipt);
		fs_time_format(t, rel->time_ms / 1000);
		fs_audit_finding(r->rep,
		    "node %s, release at line %d (%s, to %s for %s, "
		    "receipt %s…): no entry lists it: the coordinator "
		    "gathered data without recording it",
		    rel->node, rel->line, t, rel->requester, rel->purpose, p);
	}
}

// unreleased: a receipt that no release matched is a finding.  A
// request without a release is not: the node was down, refused, or never
// got it.
static void
unreleased(const recon *r)
{
	char p[13];

	for (size_t i = 0; i < r->receipts.n; i++) {
		const listed *l = &r->receipts.h[i];

		if (l->matched < 0) {
			prefix(p, l->hash);
			fs_audit_finding(r->rep,
			    "disclosure %llu: receipt %s… matches no release "
			    "of the nodes given",
			    (unsigned long long) r->recs[l->rec].index, p);
		}
	}
}

fs_err
fs_audit_reconcile(const fs_audit_record *recs, size_t nrecs,
    const fs_release *rels, size_t nrels, fs_audit_report *rep)
{
	recon  r = { .recs = recs, .rels = rels, .rep = rep };
	fs_err rv;

	if ((rv = gather(&r, nrecs)) == FS_OK) {
		releases(&r, nrels);
		unreleased(&r);
		fs_audit_info(rep,
		    "%zu releases against %zu entries listing %zu receipts "
		    "and %zu requests",
		    nrels, nrecs, r.receipts.n, r.requests.n);
		if (r.interrupted > 0 || r.uncounted > 0) {
			fs_audit_info(rep,
			    "%zu lookups interrupted by a stop of the "
			    "coordinator (%zu releases); %zu answers asked "
			    "for and not counted (late or refused)",
			    r.interrupted, r.of_interrupted, r.uncounted);
		}
	}
	free(r.receipts.h);
	free(r.requests.h);
	return (rv);
}
