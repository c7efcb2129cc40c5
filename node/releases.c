// SPDX-License-Identifier: Apache-2.0
//
// releases.c -- the node's release log, exported for auditors as JSON
// lines (docs/log.md, "Reconcile"): one object per release, with sorted
// keys, hashes in base64url.  fedscore audit reconcile matches each
// receipt with the coordinator's disclosure entries.  Nothing personal is
// in it: the consent is named by the hash of its jti, the subject not at
// all.

#include <stdio.h>
#include <string.h>

#include "nodeimpl.h"

// put_str writes s as a JSON string.  Requester and purpose are
// token-safe claims, but the writer does not rely on it.
static void
put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char) *s;

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c < 0x20) {
			fprintf(f, "\\u%04x", c);
		} else {
			fputc(c, f);
		}
	}
	fputc('"', f);
}

static void
put_hash(FILE *f, const char *key, sqlite3_stmt *st, int col)
{
	char b64[64] = "";

	if (sqlite3_column_bytes(st, col) == FS_HASH_BYTES) {
		fs_b64_encode(b64, sqlite3_column_blob(st, col), FS_HASH_BYTES);
	}
	fprintf(f, "\"%s\":\"%s\",", key, b64);
}

fs_err
fs_node_releases_export(
    fs_node *n, FILE *out, uint64_t *count, char *why, size_t whycap)
{
	sqlite3_stmt *st;
	uint64_t      cnt = 0;
	int           rc;

	if (sqlite3_prepare_v2(n->rdb,
	        "SELECT time_ms, request_hash, jti_hash, requester, purpose, "
	        "contribution_hash, receipt FROM release ORDER BY id",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		snprintf(why, whycap, "%s", sqlite3_errmsg(n->rdb));
		return (FS_ERR_IO);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		fputc('{', out);
		put_hash(out, "contribution_hash", st, 5);
		put_hash(out, "jti_hash", st, 2);
		fputs("\"purpose\":", out);
		put_str(out, (const char *) sqlite3_column_text(st, 4));
		fputc(',', out);
		put_hash(out, "receipt", st, 6);
		put_hash(out, "request_hash", st, 1);
		fputs("\"requester\":", out);
		put_str(out, (const char *) sqlite3_column_text(st, 3));
		fprintf(out, ",\"time_ms\":%lld}\n",
		    (long long) sqlite3_column_int64(st, 0));
		cnt++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || ferror(out)) {
		snprintf(why, whycap, "cannot export the release log");
		return (FS_ERR_IO);
	}
	*count = cnt;
	return (FS_OK);
}
