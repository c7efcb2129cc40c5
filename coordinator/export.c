// SPDX-License-Identifier: Apache-2.0
//
// export.c -- the full disclosure records that authorized auditors
// receive, as JSON lines, read from the coordinator's database.
//
// The export opens the database read-only, beside a running coordinator
// (SQLite in WAL mode lets readers and the writer go on together), and
// reads in one transaction, so it is one consistent prefix of the log.
// Each line is one disclosure: what the log entry hides (the subject, the
// salt of its commitment, the consent token) next to the entry itself,
// byte for byte, so that an auditor can check one against the other.

#include <sodium.h>

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "coordinator/coordimpl.h"
#include "wire/token.h"

// open_db opens the database that conf names, read-only, and reads the
// log key that opens its entries' commitments.
static fs_err
open_db(sqlite3 **dbp, uint8_t **keyp, const char *confpath, char *why,
    size_t whycap)
{
	fs_conf               *conf = NULL;
	const fs_conf_section *s;
	char                  *path = NULL;
	sqlite3               *db   = NULL;
	fs_err                 rv;

	if ((rv = fs_conf_load(&conf, confpath, why, whycap)) != FS_OK) {
		return (rv);
	}
	if ((s = fs_conf_section_find(conf, "coordinator", NULL)) == NULL
	    || (path = fs_conf_path(conf, s, "db")) == NULL) {
		snprintf(why, whycap,
		    "%s: expected a [coordinator] section with db = PATH",
		    confpath);
		fs_conf_free(conf);
		return (FS_ERR_CONFIG);
	}
	if ((rv = coord_logkey_load(conf, s, false, keyp, why, whycap))
	    != FS_OK) {
		free(path);
		fs_conf_free(conf);
		return (rv);
	}
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL)
	    != SQLITE_OK) {
		snprintf(why, whycap, "%s: cannot open the database: %s", path,
		    db != NULL ? sqlite3_errmsg(db) : "out of memory");
		rv = FS_ERR_IO;
	} else {
		sqlite3_busy_timeout(db, 5000);
		*dbp = db;
		db   = NULL;
	}
	sqlite3_close_v2(db);
	free(path);
	fs_conf_free(conf);
	return (rv);
}

// record_json is one line of the export, with the salt that opens the
// entry's commitments.
static json_t *
record_json(sqlite3_stmt *st, const uint8_t *key)
{
	char        b[64];
	json_t     *o;
	const void *subject = sqlite3_column_blob(st, 5);
	uint8_t     salt[16];

	if (sqlite3_column_bytes(st, 5) != FS_SUBJECT_BYTES
	    || (sqlite3_column_bytes(st, 6) != 16
	        && sqlite3_column_bytes(st, 9) != 16)) {
		return (NULL);
	}
	coord_row_salt(key, sqlite3_column_blob(st, 6),
	    sqlite3_column_bytes(st, 6), sqlite3_column_blob(st, 9),
	    sqlite3_column_bytes(st, 9), salt);
	o = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s}", "index",
	    (json_int_t) sqlite3_column_int64(st, 0), "time_ms",
	    (json_int_t) sqlite3_column_int64(st, 1), "requester",
	    (const char *) sqlite3_column_text(st, 2), "purpose",
	    (const char *) sqlite3_column_text(st, 3), "scope",
	    (const char *) sqlite3_column_text(st, 4), "consent",
	    (const char *) sqlite3_column_text(st, 7), "entry",
	    (const char *) sqlite3_column_text(st, 8));
	if (o == NULL) {
		return (NULL);
	}
	fs_b64_encode(b, subject, FS_SUBJECT_BYTES);
	json_object_set_new(o, "subject", json_string(b));
	fs_b64_encode(b, salt, 16);
	sodium_memzero(salt, sizeof(salt));
	json_object_set_new(o, "salt", json_string(b));
	return (o);
}

fs_err
fs_coord_export(const char *conf, int64_t from, FILE *out, uint64_t *np,
    char *why, size_t whycap)
{
	sqlite3      *db  = NULL;
	sqlite3_stmt *st  = NULL;
	uint8_t      *key = NULL;
	uint64_t      n   = 0;
	fs_err        rv;
	int           rc;

	if ((rv = open_db(&db, &key, conf, why, whycap)) != FS_OK) {
		return (rv);
	}
	rv = FS_ERR_IO;
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK
	    || sqlite3_prepare_v2(db,
	           "SELECT idx, time_ms, requester, purpose, scope, subject, "
	           "salt, consent, entry, nonce FROM disclosure WHERE idx >= ? "
	           "ORDER BY idx",
	           -1, &st, NULL)
	        != SQLITE_OK) {
		snprintf(why, whycap,
		    "%s: expected a coordinator's database: %s", conf,
		    sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, from);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = record_json(st, key);
		char   *line;

		if (o == NULL) {
			snprintf(why, whycap,
			    "disclosure %lld: expected a 32-byte subject and "
			    "a 16-byte salt",
			    (long long) sqlite3_column_int64(st, 0));
			rv = FS_ERR_MALFORMED;
			goto out;
		}
		line = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(o);
		if (line == NULL) {
			rv = FS_ERR_NOMEM;
			goto out;
		}
		rc = fprintf(out, "%s\n", line);
		free(line);
		if (rc < 0) {
			snprintf(why, whycap, "cannot write the export");
			goto out;
		}
		n++;
	}
	if (rc != SQLITE_DONE) {
		snprintf(
		    why, whycap, "reading disclosures: %s", sqlite3_errmsg(db));
		goto out;
	}
	*np = n;
	rv  = FS_OK;
out:
	sqlite3_finalize(st);
	sqlite3_close_v2(db);
	sodium_free(key);
	return (rv);
}
