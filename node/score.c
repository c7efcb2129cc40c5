// SPDX-License-Identifier: Apache-2.0
//
// score.c -- what a node contributes to one subject's score.
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

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nodeimpl.h"

#define POINTS_MAX  1000000 // the bound of the wire format
#define RECORDS_MAX 20000   // per subject

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

static const char records_sql[]
    = "SELECT r.record_id, r.code, r.event_ref, r.occurred_on, "
      "r.valid_until, s.behavior_base, p.repaired_on, "
      "EXISTS (SELECT 1 FROM dispute d WHERE d.record_id = r.record_id "
      "  AND d.status = 'open'), "
      "(SELECT d.status || ':' || ifnull(d.points, '') FROM dispute d "
      "  WHERE d.record_id = r.record_id AND d.status <> 'open' "
      "  ORDER BY d.id DESC LIMIT 1) "
      "FROM pseudonym s JOIN record r ON r.idhash = s.idhash "
      "LEFT JOIN repair p ON p.record_id = r.record_id "
      "WHERE s.subject = ? ORDER BY r.record_id";

static void
text(char *out, size_t cap, sqlite3_stmt *st, int col)
{
	const char *s = (const char *) sqlite3_column_text(st, col);

	snprintf(out, cap, "%s", s != NULL ? s : "");
}

// behavior_key derives the key of a record's behavior, for rules shared
// across departments, from the citizen's behavior base (which never
// leaves the node) and the normalized event reference.
static void
behavior_key(fs_node_record *r, sqlite3_stmt *st)
{
	char   norm[FS_NODE_REF_MAX + 1];
	size_t len;

	if (sqlite3_column_bytes(st, 5) == FS_PSEUDONYM_BYTES
	    && fs_event_ref_normalize(
	           norm, &len, r->event_ref, strlen(r->event_ref))
	        == FS_OK
	    && len > 0) {
		fs_behavior_key(
		    r->behavior_key, sqlite3_column_blob(st, 5), norm, len);
		r->has_behavior_key = true;
	}
}

// records_load reads a subject's records through the lookups' connection;
// called with qmtx held.
static fs_err
records_load(fs_node *n, const uint8_t subject[static FS_PSEUDONYM_BYTES],
    fs_node_record **recsp, size_t *np)
{
	sqlite3_stmt   *st;
	fs_node_record *recs = NULL;
	size_t          cnt = 0, cap = 0;
	fs_err          rv = FS_OK;
	int             rc;

	if (n->st_records == NULL
	    && sqlite3_prepare_v2(n->qdb, records_sql, -1, &n->st_records, NULL)
	        != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	st = n->st_records;
	sqlite3_bind_blob(st, 1, subject, FS_PSEUDONYM_BYTES, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fs_node_record *r;
		const char     *d;

		if (cnt == cap) {
			fs_node_record *nr;

			if (cap == RECORDS_MAX) {
				rv = FS_ERR_TOO_LARGE;
				break;
			}
			cap = cap == 0 ? 8 : cap * 4;
			cap = cap > RECORDS_MAX ? RECORDS_MAX : cap;
			if ((nr = realloc(recs, cap * sizeof(*nr))) == NULL) {
				rv = FS_ERR_NOMEM;
				break;
			}
			recs = nr;
		}
		r = &recs[cnt++];
		memset(r, 0, sizeof(*r));
		text(r->record_id, sizeof(r->record_id), st, 0);
		text(r->code, sizeof(r->code), st, 1);
		text(r->event_ref, sizeof(r->event_ref), st, 2);
		r->occurred_on = (fs_day) sqlite3_column_int(st, 3);
		r->valid_until = (fs_day) sqlite3_column_int(st, 4);
		behavior_key(r, st);
		if (sqlite3_column_type(st, 6) != SQLITE_NULL) {
			r->repaired    = true;
			r->repaired_on = (fs_day) sqlite3_column_int(st, 6);
		}
		r->disputed = sqlite3_column_int(st, 7) != 0;
		d           = (const char *) sqlite3_column_text(st, 8);
		if (d != NULL && strncmp(d, "upheld:", 7) == 0) {
			r->dispute = FS_DISPUTE_UPHELD;
		} else if (d != NULL && strncmp(d, "corrected:", 10) == 0) {
			r->dispute              = FS_DISPUTE_CORRECTED;
			r->has_corrected_points = d[10] != '\0';
			r->corrected_points     = atoi(d + 10);
		}
	}
	if (rv == FS_OK && rc != SQLITE_DONE) {
		rv = FS_ERR_IO;
	}
	sqlite3_reset(st);
	if (rv != FS_OK) {
		free(recs);
		return (rv);
	}
	*recsp = recs;
	*np    = cnt;
	return (FS_OK);
}

fs_err
node_lookup(fs_node *n, const uint8_t subject[static FS_PSEUDONYM_BYTES],
    fs_day today, fs_node_record **recsp, size_t *np, fs_contribution *c,
    node_step *step)
{
	fs_node_record *recs = NULL;
	size_t          cnt  = 0;
	fs_err          rv;

	pthread_mutex_lock(&n->rulesmtx);
	pthread_mutex_lock(&n->qmtx);
	*step = NODE_STEP_RULES;
	if ((rv = node_rules_current(n)) == FS_OK) {
		*step = NODE_STEP_RECORDS;
		rv    = records_load(n, subject, &recs, &cnt);
	}
	pthread_mutex_unlock(&n->qmtx);
	if (rv == FS_OK) {
		*step = NODE_STEP_SCORE;
		rv    = fs_score(&n->rules, recs, cnt, today, c);
	}
	pthread_mutex_unlock(&n->rulesmtx);
	if (rv != FS_OK) {
		free(recs);
		return (rv);
	}
	*recsp = recs;
	*np    = cnt;
	return (FS_OK);
}

fs_err
fs_node_records_of(fs_node *n, const uint8_t subject[static FS_PSEUDONYM_BYTES],
    fs_day today, fs_node_record **recsp, size_t *np, fs_contribution *c,
    char *why, size_t whycap)
{
	node_step step;
	fs_err    rv;

	rv = node_lookup(n, subject, today, recsp, np, c, &step);
	if (rv == FS_OK) {
		return (FS_OK);
	}
	switch (step) {
	case NODE_STEP_RULES:
		snprintf(why, whycap,
		    rv == FS_ERR_NOT_FOUND ? "no rules imported yet: expected "
		                             "'fedscore node rules "
		                             "import' first"
		                           : "cannot read the rules");
		break;
	case NODE_STEP_RECORDS:
		snprintf(why, whycap, "cannot read the records: %s",
		    fs_strerror(rv));
		break;
	case NODE_STEP_SCORE:
		snprintf(why, whycap, "cannot score: %s", fs_strerror(rv));
		break;
	}
	return (rv);
}

fs_err
fs_node_contribution(fs_node *n,
    const uint8_t subject[static FS_PSEUDONYM_BYTES], fs_day today,
    fs_contribution *c)
{
	fs_node_record *recs;
	size_t          cnt;
	char            why[FS_WHY_MAX];
	fs_err          rv;

	rv = fs_node_records_of(
	    n, subject, today, &recs, &cnt, c, why, sizeof(why));
	if (rv == FS_OK) {
		free(recs);
	}
	return (rv);
}
