// SPDX-License-Identifier: Apache-2.0
//
// dispute.c -- disputes (Changzhou art. 26; Shaoxing art. 25-26; Yuxi
// art. 22) and credit repair (Changzhou art. 27; Yuxi art. 16, 23).
//
// Opening a dispute flags the record at once; the dispute records when
// it was received, so that a flag entered late is visible, and its due
// dates: flagged within 3 and checked within 15 working days of receipt.
// A record has at most one open dispute.  Resolving it as upheld leaves
// the record as it was; as corrected it counts with the corrected points
// from then on, or not at all when no points are given (withdrawn).
// Corrected points keep the sign rule of the record's dimension.

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/rfc3339.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/lookup.h"

// record_rule finds a record's rule in the version in force, read
// through the writing connection.
static fs_err
record_rule(fs_node *n, const char *rid, fs_rule *rule, fs_day *occurred,
    char *why, size_t whycap)
{
	sqlite3_stmt  *st;
	fs_ruleset     rs                         = { 0 };
	const fs_rule *u                          = NULL;
	char           code[FS_NODE_CODE_MAX + 1] = "";
	fs_err         rv;

	if ((rv = node_rules_load(n->db, &rs)) != 0) {
		snprintf(why, whycap, "no rules imported yet");
		return (rv);
	}
	if ((rv = node_sql_row(n->db,
	         "SELECT code, occurred_on FROM record WHERE record_id = ?",
	         NODE_VALS(NODE_TEXT(rid)), &st))
	    == FS_OK) {
		snprintf(code, sizeof(code), "%s", sqlite3_column_text(st, 0));
		*occurred = (fs_day) sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rv == FS_ERR_NOT_FOUND) {
		snprintf(why, whycap,
		    "expected a record id held here, found "
		    "'%.64s'",
		    rid);
	} else if (rv != FS_OK) {
		snprintf(why, whycap, "cannot read the record: %s",
		    sqlite3_errmsg(n->db));
	} else if ((u = fs_ruleset_find(&rs, code)) == NULL) {
		snprintf(why, whycap,
		    "record %s has code '%s', which the current rules (version "
		    "%s) do not have",
		    rid, code, rs.version);
		rv = FS_ERR_NOT_FOUND;
	} else {
		*rule = *u;
	}
	fs_ruleset_fini(&rs);
	return (rv);
}

fs_err
fs_node_dispute_open(fs_node *n, const char *rid, const char *reason,
    fs_day received, fs_day today, fs_dispute_info *out, char *why,
    size_t whycap)
{
	fs_rule         rule;
	fs_dispute_info d = { 0 };
	fs_day          occurred;
	fs_err          rv;

	if (strlen(reason) == 0 || strlen(reason) > FS_NODE_REASON_MAX) {
		snprintf(why, whycap,
		    "expected a reason of 1 to %d bytes, "
		    "found %zu",
		    FS_NODE_REASON_MAX, strlen(reason));
		return (FS_ERR_INVALID);
	}
	if (received > today) {
		snprintf(why, whycap,
		    "expected a receipt date no later than "
		    "today");
		return (FS_ERR_INVALID);
	}
	pthread_mutex_lock(&n->wmtx);
	if ((rv = record_rule(n, rid, &rule, &occurred, why, whycap)) != 0) {
		goto out;
	}
	snprintf(d.record_id, sizeof(d.record_id), "%s", rid);
	snprintf(d.reason, sizeof(d.reason), "%s", reason);
	d.received_on = received;
	d.opened_on   = today;
	d.flag_due = fs_workdays_add(&n->holidays, received, FS_NODE_FLAG_DAYS);
	d.check_due
	    = fs_workdays_add(&n->holidays, received, FS_NODE_CHECK_DAYS);
	rv = node_sql_run(n->db,
	    "INSERT INTO dispute (record_id, reason, received_on, "
	    "opened_on, flag_due, check_due, status) "
	    "VALUES (?, ?, ?, ?, ?, ?, 'open')",
	    NODE_VALS(NODE_TEXT(rid), NODE_TEXT(reason),
	        NODE_INT(d.received_on), NODE_INT(d.opened_on),
	        NODE_INT(d.flag_due), NODE_INT(d.check_due)),
	    why, whycap);
	if (rv == FS_ERR_EXISTS) {
		snprintf(why, whycap,
		    "record %s is already under an open "
		    "dispute",
		    rid);
	} else if (rv == FS_OK) {
		d.id = sqlite3_last_insert_rowid(n->db);
		*out = d;
	}
out:
	pthread_mutex_unlock(&n->wmtx);
	return (rv);
}

fs_err
fs_node_dispute_resolve(fs_node *n, const char *rid, bool corrected,
    const int32_t *points, fs_day today, char *why, size_t whycap)
{
	fs_rule rule;
	fs_day  occurred;
	fs_err  rv;

	if (!corrected && points != NULL) {
		snprintf(
		    why, whycap, "expected --points only with --corrected");
		return (FS_ERR_INVALID);
	}
	pthread_mutex_lock(&n->wmtx);
	if ((rv = record_rule(n, rid, &rule, &occurred, why, whycap)) != 0) {
		goto out;
	}
	if (points != NULL
	    && (*points < -FS_NODE_POINTS_MAX || *points > FS_NODE_POINTS_MAX
	        || (rule.dim == FS_DIM_NEGATIVE && *points > 0)
	        || ((rule.dim == FS_DIM_POSITIVE || rule.dim == FS_DIM_REPAIR)
	            && *points < 0))) {
		snprintf(why, whycap,
		    "expected corrected points %s 0 and within %d for a record "
		    "of dimension %s, found %d",
		    rule.dim == FS_DIM_NEGATIVE ? "<=" : ">=",
		    FS_NODE_POINTS_MAX, fs_dim_name(rule.dim), *points);
		rv = FS_ERR_INVALID;
		goto out;
	}
	rv = node_sql_run(n->db,
	    "UPDATE dispute SET status = ?, points = ?, resolved_on = ? "
	    "WHERE record_id = ? AND status = 'open'",
	    NODE_VALS(NODE_TEXT(corrected ? "corrected" : "upheld"),
	        points != NULL ? NODE_INT(*points) : NODE_NULL, NODE_INT(today),
	        NODE_TEXT(rid)),
	    why, whycap);
	if (rv == FS_OK && sqlite3_changes(n->db) == 0) {
		snprintf(why, whycap,
		    "expected an open dispute on record %s, "
		    "found none",
		    rid);
		rv = FS_ERR_NOT_FOUND;
	}
out:
	pthread_mutex_unlock(&n->wmtx);
	return (rv);
}

fs_err
fs_node_disputes(fs_node *n, bool overdue, fs_day today,
    fs_dispute_info **listp, size_t *np, char *why, size_t whycap)
{
	sqlite3_stmt    *st;
	fs_dispute_info *list = NULL;
	size_t           cnt = 0, cap = 0;
	fs_err           rv = FS_OK;
	int              rc;

	pthread_mutex_lock(&n->wmtx);
	if (node_sql_prepare(n->db,
	        "SELECT id, record_id, reason, received_on, opened_on, "
	        "flag_due, check_due FROM dispute WHERE status = 'open' "
	        "AND (?1 = 0 OR check_due < ?2) ORDER BY check_due, id",
	        NODE_VALS(NODE_INT(overdue), NODE_INT(today)), &st)
	    != FS_OK) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(n->db));
		pthread_mutex_unlock(&n->wmtx);
		return (FS_ERR_IO);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fs_dispute_info *d;

		if (cnt == cap) {
			fs_dispute_info *nl;

			cap = cap == 0 ? 16 : cap * 2;
			if ((nl = realloc(list, cap * sizeof(*nl))) == NULL) {
				rv = FS_ERR_NOMEM;
				break;
			}
			list = nl;
		}
		d     = &list[cnt++];
		d->id = sqlite3_column_int64(st, 0);
		snprintf(d->record_id, sizeof(d->record_id), "%s",
		    sqlite3_column_text(st, 1));
		snprintf(d->reason, sizeof(d->reason), "%s",
		    sqlite3_column_text(st, 2));
		d->received_on = (fs_day) sqlite3_column_int(st, 3);
		d->opened_on   = (fs_day) sqlite3_column_int(st, 4);
		d->flag_due    = (fs_day) sqlite3_column_int(st, 5);
		d->check_due   = (fs_day) sqlite3_column_int(st, 6);
	}
	if (rv == FS_OK && rc != SQLITE_DONE) {
		rv = FS_ERR_IO;
	}
	sqlite3_finalize(st);
	pthread_mutex_unlock(&n->wmtx);
	if (rv != FS_OK) {
		free(list);
		return (rv);
	}
	*listp = list;
	*np    = cnt;
	return (FS_OK);
}

fs_err
fs_node_repair(fs_node *n, const char *rid, fs_day date, fs_day today,
    char *why, size_t whycap)
{
	fs_rule rule;
	fs_day  occurred;
	char    d1[FS_DATE_LEN + 1];
	fs_err  rv;

	pthread_mutex_lock(&n->wmtx);
	if ((rv = record_rule(n, rid, &rule, &occurred, why, whycap)) != 0) {
		goto out;
	}
	if (rule.dim != FS_DIM_NEGATIVE) {
		snprintf(why, whycap,
		    "expected a record of a negative rule, found code %s of "
		    "dimension %s: only dishonesty is repaired",
		    rule.code, fs_dim_name(rule.dim));
		rv = FS_ERR_INVALID;
		goto out;
	}
	if (date < occurred || date > today) {
		fs_date_format(d1, occurred);
		snprintf(why, whycap,
		    "expected a repair date from the record's date (%s) to "
		    "today",
		    d1);
		rv = FS_ERR_INVALID;
		goto out;
	}
	rv = node_sql_run(n->db,
	    "INSERT INTO repair (record_id, repaired_on, entered_ms) "
	    "VALUES (?, ?, ?)",
	    NODE_VALS(NODE_TEXT(rid), NODE_INT(date),
	        NODE_INT((int64_t) fs_now_ms())),
	    why, whycap);
	if (rv == FS_ERR_EXISTS) {
		snprintf(why, whycap, "record %s is already repaired", rid);
	}
out:
	pthread_mutex_unlock(&n->wmtx);
	return (rv);
}
