// SPDX-License-Identifier: Apache-2.0
//
// score.c -- what a node contributes to one subject's score, computed
// from that subject's records alone (lookup.c reads them).
//
// The rules, with the policy articles they come from:
// * a record counts while occurred_on <= today < valid_until, where
//   valid_until is the record's own or occurred_on + the rule's
//   valid_days (Yuxi art. 10: 3 years unless set);
// * a record repaired on or before today does not count; it adds the
//   rule's repair bonus to the repair dimension instead, for the rest of
//   its validity (Changzhou art. 27, Yuxi art. 23, Changzhou art. 9.4);
// * after a dispute is checked, a corrected record counts with its
//   corrected points, or not at all when it was withdrawn; a record under
//   an open dispute still counts, and the contribution says so
//   (Changzhou art. 26);
// * one behavior counts once (Changzhou art. 11.2): records of the same
//   code and event reference count once; records of shared rules are
//   grouped by their behavior key, keeping the largest deduction and the
//   largest addition (Changzhou art. 11.3, 11.4), the same rule the
//   coordinator applies across nodes.
// Records of non-shared rules are summed per dimension; each shared
// behavior is one item, keyed by its behavior key.  Nothing else leaves.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/oprf.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/lookup.h"

#define POINTS_MAX 1000000 // the bound of the wire format

typedef struct item {
	uint8_t group[FS_PSEUDONYM_BYTES];
	bool    shared;
	int     sign;
	fs_dim  dim;
	int64_t points;
	size_t  rec;
} item;

const char *
fs_record_status_name(fs_record_status s)
{
	static const char *names[] = { "counted", "repaired", "duplicate",
		"expired", "not yet", "withdrawn", "unknown code" };

	return ((size_t) s < sizeof(names) / sizeof(names[0]) ? names[s] : "?");
}

// group_of keys a non-shared record by what makes it one behavior.
static void
group_of(
    uint8_t out[static FS_PSEUDONYM_BYTES], char kind, const fs_node_record *r)
{
	crypto_generichash_state st;
	char                     norm[FS_NODE_REF_MAX + 1];
	size_t                   len;
	const char              *tail;

	crypto_generichash_init(&st, NULL, 0, FS_PSEUDONYM_BYTES);
	crypto_generichash_update(&st, (const uint8_t *) &kind, 1);
	if (r->event_ref[0] != '\0'
	    && fs_event_ref_normalize(
	           norm, &len, r->event_ref, strlen(r->event_ref))
	        == FS_OK) {
		crypto_generichash_update(&st, (const uint8_t *) "e", 1);
		crypto_generichash_update(
		    &st, (const uint8_t *) r->code, strlen(r->code) + 1);
		tail = norm;
	} else {
		// No reference: each record is its own behavior.
		crypto_generichash_update(&st, (const uint8_t *) "r", 1);
		tail = r->record_id;
		len  = strlen(tail);
	}
	crypto_generichash_update(&st, (const uint8_t *) tail, len);
	crypto_generichash_final(&st, out, FS_PSEUDONYM_BYTES);
}

static int
cmp_item(const void *a, const void *b)
{
	const item *x = a, *y = b;
	int         c;
	int64_t     mx = x->points < 0 ? -x->points : x->points;
	int64_t     my = y->points < 0 ? -y->points : y->points;

	if (x->shared != y->shared) {
		return (x->shared ? 1 : -1);
	}
	if ((c = memcmp(x->group, y->group, FS_PSEUDONYM_BYTES)) != 0) {
		return (c);
	}
	if (x->sign != y->sign) {
		return (x->sign - y->sign);
	}
	if (mx != my) {
		return (mx > my ? -1 : 1); // largest first
	}
	return ((x->rec > y->rec) - (x->rec < y->rec));
}

static int64_t
clamp(int64_t v)
{
	return (v > POINTS_MAX    ? POINTS_MAX
	        : v < -POINTS_MAX ? -POINTS_MAX
	                          : v);
}

// judge sets the status of record i on today, with its dimension, the
// end of its validity and the points it adds, and fills *it when it
// counts; false when it makes no item.
static bool
judge(const fs_ruleset *rs, fs_node_record *r, size_t i, fs_day today, item *it)
{
	const fs_rule *u = fs_ruleset_find(rs, r->code);
	bool           shared;

	r->points = 0;
	if (u == NULL) {
		r->status = FS_REC_UNKNOWN_CODE;
		return (false);
	}
	r->dim   = u->dim;
	r->until = r->valid_until != 0 ? r->valid_until
	                               : r->occurred_on + u->valid_days;
	if (today < r->occurred_on) {
		r->status = FS_REC_NOT_YET;
		return (false);
	}
	if (today >= r->until) {
		r->status = FS_REC_EXPIRED;
		return (false);
	}
	// A shared rule's record imported before the rule became shared has
	// no behavior key: it counts on its own here.
	shared     = u->shared && r->has_behavior_key;
	it->rec    = i;
	it->shared = shared;
	if (r->repaired && r->repaired_on <= today) {
		r->status = FS_REC_REPAIRED;
		if (u->repair_bonus == 0) {
			return (false);
		}
		r->dim     = FS_DIM_REPAIR;
		it->points = u->repair_bonus;
	} else if (r->dispute == FS_DISPUTE_CORRECTED
	    && !r->has_corrected_points) {
		r->status = FS_REC_WITHDRAWN;
		return (false);
	} else {
		r->status  = FS_REC_COUNTED;
		it->points = r->dispute == FS_DISPUTE_CORRECTED
		    ? r->corrected_points
		    : u->points;
	}
	r->points = it->points;
	it->dim   = r->dim;
	it->sign  = (it->points > 0) - (it->points < 0);
	if (shared) {
		memcpy(it->group, r->behavior_key, FS_PSEUDONYM_BYTES);
	} else {
		group_of(
		    it->group, r->status == FS_REC_REPAIRED ? 'R' : 'N', r);
	}
	return (true);
}

// tally counts each behavior once, from the items sorted so that the
// largest of a behavior and sign comes first: the others are duplicates.
// Non-shared items are summed per dimension, shared ones kept each.
static fs_err
tally(const item *items, size_t ni, fs_node_record *recs, fs_contribution *out)
{
	for (size_t i = 0; i < ni; i++) {
		const item     *it = &items[i];
		fs_node_record *r  = &recs[it->rec];

		if (i > 0 && items[i - 1].shared == it->shared
		    && items[i - 1].sign == it->sign
		    && memcmp(items[i - 1].group, it->group, FS_PSEUDONYM_BYTES)
		        == 0) {
			r->status = FS_REC_DUPLICATE;
			continue;
		}
		out->counted++;
		out->disputed = out->disputed || r->disputed;
		if (!it->shared) {
			out->dims[it->dim]
			    = clamp(out->dims[it->dim] + it->points);
			continue;
		}
		if (out->nshared == FS_SHARED_MAX) {
			return (FS_ERR_TOO_LARGE);
		}
		if (out->shared == NULL
		    && (out->shared = calloc(ni, sizeof(*out->shared)))
		        == NULL) {
			return (FS_ERR_NOMEM);
		}
		memcpy(out->shared[out->nshared].behavior_key, it->group,
		    FS_PSEUDONYM_BYTES);
		out->shared[out->nshared].dim    = it->dim;
		out->shared[out->nshared].points = clamp(it->points);
		out->nshared++;
	}
	return (FS_OK);
}

fs_err
fs_score(const fs_ruleset *rs, fs_node_record *recs, size_t n, fs_day today,
    fs_contribution *c)
{
	fs_contribution out = { 0 };
	item           *items;
	size_t          ni = 0;
	fs_err          rv;

	if ((items = calloc(n > 0 ? n : 1, sizeof(*items))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	snprintf(
	    out.rules_version, sizeof(out.rules_version), "%s", rs->version);
	for (size_t i = 0; i < n; i++) {
		if (judge(rs, &recs[i], i, today, &items[ni])) {
			ni++;
		}
	}
	qsort(items, ni, sizeof(*items), cmp_item);
	rv = tally(items, ni, recs, &out);
	free(items);
	if (rv != FS_OK) {
		fs_contribution_fini(&out);
		return (rv);
	}
	out.considered = (uint32_t) n;
	*c             = out;
	return (FS_OK);
}
