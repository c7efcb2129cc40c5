// SPDX-License-Identifier: Apache-2.0
//
// revocations.c -- the revocation list a node checks consent against: the
// last one installed, kept in memory and in the release database, so a
// restart does not forget it.  An older list than the one held is never
// taken.

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/revocations.h"

static fs_err
revlist_save(fs_node *n)
{
	char  *all;
	size_t o = 0;
	fs_err rv;

	if ((all = malloc(n->rl.n * (FS_JTI_MAX + 1) + 1)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	all[0] = '\0';
	for (size_t i = 0; i < n->rl.n; i++) {
		o += (size_t) sprintf(
		    all + o, "%s%s", i ? "\n" : "", n->rl.jti[i]);
	}
	rv = node_sql_run(n->rdb,
	    "INSERT INTO revlist (k, seq, time_ms, fetched_ms, jtis) "
	    "VALUES (1, ?, ?, ?, ?) ON CONFLICT(k) DO UPDATE SET "
	    "seq = excluded.seq, time_ms = excluded.time_ms, "
	    "fetched_ms = excluded.fetched_ms, jtis = excluded.jtis",
	    NODE_VALS(NODE_INT((int64_t) n->rl.seq),
	        NODE_INT((int64_t) n->rl.time_ms),
	        NODE_INT((int64_t) n->rl_fetched_ms), NODE_TEXT(all)),
	    NULL, 0);
	free(all);
	return (rv);
}

// revlist_read installs the list the release database keeps.
static void
revlist_read(fs_node *n)
{
	sqlite3_stmt *st;
	fs_revlist    rl = { 0 };

	if (node_sql_row(n->rdb,
	        "SELECT seq, time_ms, fetched_ms, jtis FROM revlist", NULL, &st)
	    == FS_OK) {
		const char *p   = (const char *) sqlite3_column_text(st, 3);
		size_t      cnt = *p != '\0';

		for (const char *q = p; *q != '\0'; q++) {
			cnt += *q == '\n';
		}
		rl.seq     = (uint64_t) sqlite3_column_int64(st, 0);
		rl.time_ms = (uint64_t) sqlite3_column_int64(st, 1);
		if (cnt == 0
		    || (rl.jti = calloc(cnt, sizeof(*rl.jti))) != NULL) {
			while (*p != '\0') {
				size_t k = strcspn(p, "\n");

				snprintf(rl.jti[rl.n++], FS_JTI_MAX + 1, "%.*s",
				    (int) (k > FS_JTI_MAX ? FS_JTI_MAX : k), p);
				p += k + (p[k] == '\n');
			}
			n->rl      = rl;
			n->have_rl = true;
			n->rl_fetched_ms
			    = (uint64_t) sqlite3_column_int64(st, 2);
		}
	}
	sqlite3_finalize(st);
}

void
node_revlist_load(fs_node *n)
{
	pthread_mutex_lock(&n->rlmtx);
	pthread_mutex_lock(&n->relmtx);
	revlist_read(n);
	pthread_mutex_unlock(&n->relmtx);
	pthread_mutex_unlock(&n->rlmtx);
}

fs_err
fs_node_set_revocations(fs_node *n, const fs_revlist *rl, uint64_t fetched_ms)
{
	fs_revlist copy;
	fs_err     rv;

	pthread_mutex_lock(&n->rlmtx);
	if (n->have_rl && rl->seq < n->rl.seq) {
		// An older list than ours: never go back.
		pthread_mutex_unlock(&n->rlmtx);
		return (FS_ERR_REPLAYED);
	}
	if ((rv = fs_revlist_copy(&copy, rl)) == FS_OK) {
		fs_revlist_fini(&n->rl);
		n->rl            = copy;
		n->have_rl       = true;
		n->rl_fetched_ms = fetched_ms;
		// The release database is shared with releases: one user at
		// a time, so a save never lands in a release's transaction.
		pthread_mutex_lock(&n->relmtx);
		rv = revlist_save(n);
		pthread_mutex_unlock(&n->relmtx);
	}
	pthread_mutex_unlock(&n->rlmtx);
	return (rv);
}
