// SPDX-License-Identifier: Apache-2.0
//
// reconcile.c -- node releases against coordinator disclosures.
//
// A node's reply envelope is hashed by the coordinator (BLAKE2b-256 of the
// envelope bytes, the reply's receipt) and the receipt is listed in the
// disclosure's log entry; the node logs the same hash with the release.
// So every release must meet a disclosure that lists its receipt, and
// every listed receipt a release.  A release without a disclosure means
// the coordinator gathered data without recording it; a receipt without
// a release, a disclosure that claims a node's answer the node never
// gave (or a release log that was cut).  Receipts are sorted once and
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
		*r        = t;
		rv        = FS_OK;
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

typedef struct receipt {
	uint8_t hash[32];
	size_t  rec;     // index into the records
	long    matched; // index of the release, or -1
} receipt;

static int
cmp_receipt(const void *a, const void *b)
{
	return (memcmp(
	    ((const receipt *) a)->hash, ((const receipt *) b)->hash, 32));
}

static void
prefix(char out[static 13], const uint8_t h[static 32])
{
	char b[45];

	fs_b64_encode(b, h, 32);
	snprintf(out, 13, "%.12s", b);
}

// match checks a release against the disclosure that lists its receipt.
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

// receipts gathers the receipts every disclosure's entry lists, sorted
// by hash; entries that are not disclosures are findings.
static fs_err
receipts(const fs_audit_record *recs, size_t nrecs, receipt **rcp, size_t *np,
    fs_audit_report *rep)
{
	receipt *rc = NULL;
	size_t   n = 0, cap = 0;

	for (size_t i = 0; i < nrecs; i++) {
		fs_audit_entry e;

		// Recognitions of other regions' attestations gather nothing
		// from the nodes.
		if (fs_audit_entry_is_recognition(
		        recs[i].entry, recs[i].entry_len)) {
			continue;
		}
		if (fs_audit_entry_parse(&e, recs[i].entry, recs[i].entry_len)
		    != FS_OK) {
			fs_audit_finding(rep,
			    "disclosure %llu: its entry is not a disclosure "
			    "entry",
			    (unsigned long long) recs[i].index);
			continue;
		}
		if (e.answered < 0 || (size_t) e.answered != e.nreceipts) {
			fs_audit_finding(rep,
			    "disclosure %llu: the entry says %lld nodes "
			    "answered but lists %zu receipts",
			    (unsigned long long) recs[i].index,
			    (long long) e.answered, e.nreceipts);
		}
		for (size_t k = 0; k < e.nreceipts; k++) {
			if (fs_grow(&rc, &cap, n, sizeof(*rc), 256) != FS_OK) {
				free(rc);
				return (FS_ERR_NOMEM);
			}
			memcpy(rc[n].hash, e.receipts[k], 32);
			rc[n].rec     = i;
			rc[n].matched = -1;
			n++;
		}
	}
	if (n > 0) {
		qsort(rc, n, sizeof(*rc), cmp_receipt);
	}
	*rcp = rc;
	*np  = n;
	return (FS_OK);
}

// releases finds each release's receipt among the disclosures' and
// checks it against the disclosure; a release no disclosure lists, or a
// receipt released twice, is a finding.
static void
releases(const fs_audit_record *recs, receipt *rc, size_t n,
    const fs_release *rels, size_t nrels, fs_audit_report *rep)
{
	char p[13];

	for (size_t i = 0; i < nrels; i++) {
		receipt key, *hit;
		char    t[FS_TIME_LEN + 1];

		memcpy(key.hash, rels[i].receipt, 32);
		hit = n > 0 ? bsearch(&key, rc, n, sizeof(*rc), cmp_receipt)
		            : NULL;
		prefix(p, rels[i].receipt);
		if (hit == NULL) {
			fs_time_format(t, rels[i].time_ms / 1000);
			fs_audit_finding(rep,
			    "node %s, release at line %d (%s, to %s for %s, "
			    "receipt %s…): no disclosure lists it: the "
			    "coordinator gathered data without recording it",
			    rels[i].node, rels[i].line, t, rels[i].requester,
			    rels[i].purpose, p);
			continue;
		}
		if (hit->matched >= 0) {
			fs_audit_finding(rep,
			    "disclosure %llu: receipt %s… released twice "
			    "(node %s line %d, node %s line %d)",
			    (unsigned long long) recs[hit->rec].index, p,
			    rels[hit->matched].node, rels[hit->matched].line,
			    rels[i].node, rels[i].line);
			continue;
		}
		hit->matched = (long) i;
		match(&recs[hit->rec], &rels[i], rep);
	}
}

// unreleased: a receipt that no release matched is a finding.
static void
unreleased(const fs_audit_record *recs, const receipt *rc, size_t n,
    fs_audit_report *rep)
{
	char p[13];

	for (size_t i = 0; i < n; i++) {
		if (rc[i].matched < 0) {
			prefix(p, rc[i].hash);
			fs_audit_finding(rep,
			    "disclosure %llu: receipt %s… matches no release "
			    "of the nodes given",
			    (unsigned long long) recs[rc[i].rec].index, p);
		}
	}
}

fs_err
fs_audit_reconcile(const fs_audit_record *recs, size_t nrecs,
    const fs_release *rels, size_t nrels, fs_audit_report *rep)
{
	receipt *rc;
	size_t   n;
	fs_err   rv;

	if ((rv = receipts(recs, nrecs, &rc, &n, rep)) != FS_OK) {
		return (rv);
	}
	releases(recs, rc, n, rels, nrels, rep);
	unreleased(recs, rc, n, rep);
	fs_audit_info(rep,
	    "%zu releases against %zu disclosures listing %zu receipts", nrels,
	    nrecs, n);
	free(rc);
	return (FS_OK);
}
