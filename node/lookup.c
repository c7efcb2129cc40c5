// SPDX-License-Identifier: Apache-2.0
//
// lookup.c -- a lookup at a node: one subject's records read through the
// lookups' own connection, scored (score.c) with the lookups' copy of the
// rules in force.  A lookup never waits for an import: it reads the last
// committed state (WAL) and takes none of the writers' locks.

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/oprf.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/lookup.h"

#define RECORDS_MAX 20000 // per subject

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
	fs_err rv;

	pthread_mutex_lock(&n->rulesmtx);
	pthread_mutex_lock(&n->qmtx);
	*step = NODE_STEP_RULES;
	if ((rv = node_rules_current(n)) == FS_OK) {
		*step = NODE_STEP_RECORDS;
		rv    = records_load(n, subject, recsp, np);
	}
	pthread_mutex_unlock(&n->qmtx);
	if (rv == FS_OK) {
		*step = NODE_STEP_SCORE;
		if ((rv = fs_score(&n->rules, *recsp, *np, today, c))
		    != FS_OK) {
			free(*recsp);
			*recsp = NULL;
		}
	}
	pthread_mutex_unlock(&n->rulesmtx);
	return (rv);
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
