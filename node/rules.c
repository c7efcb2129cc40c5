// SPDX-License-Identifier: Apache-2.0
//
// rules.c -- a department's published rules: parsing the CSV, the
// version hash, importing a new version, and reading the version in
// force back.
//
// The version is the first 16 bytes, in hex, of BLAKE2b-256 over the
// canonical form: one line per rule, sorted by code, of the eight fields
// separated by TAB (valid_days resolved to a number, flags as 0/1).  The
// same rules therefore always have the same version, whatever their
// order, quoting or line ends in the file.

#include <sodium.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/db.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "wire/lookup.h"

static const char *const header[] = { "code", "name", "dimension", "points",
	"valid_days", "severe", "shared", "repair_bonus" };
#define NCOLS (sizeof(header) / sizeof(header[0]))

void
fs_ruleset_fini(fs_ruleset *rs)
{
	if (rs != NULL) {
		free(rs->rules);
		*rs = (fs_ruleset) { 0 };
	}
}

static int
cmp_rule(const void *a, const void *b)
{
	return (
	    strcmp(((const fs_rule *) a)->code, ((const fs_rule *) b)->code));
}

const fs_rule *
fs_ruleset_find(const fs_ruleset *rs, const char *code)
{
	fs_rule key;

	if (rs->n == 0 || strlen(code) > FS_NODE_CODE_MAX) {
		return (NULL);
	}
	snprintf(key.code, sizeof(key.code), "%s", code);
	return (bsearch(&key, rs->rules, rs->n, sizeof(fs_rule), cmp_rule));
}

#define FAIL(...)                                                   \
	do {                                                        \
		rv = fs_csv_malformed(r, why, whycap, __VA_ARGS__); \
		goto fail;                                          \
	} while (0)

// parse_points reads a rule's dimension and points, of a sign that fits
// the dimension.
static fs_err
parse_points(fs_csv *r, const char *const *f, const size_t *len, fs_rule *rule,
    char *why, size_t whycap)
{
	char    found[NODE_FOUND_MAX];
	int64_t v;
	fs_err  rv;

	if (fs_dim_parse(f[2], &rule->dim) != FS_OK) {
		node_found(found, f[2], len[2]);
		FAIL("expected dimension basic, positive, negative, repair or "
		     "usage, found %s",
		    found);
	}
	if (node_parse_int(
	        f[3], len[3], -FS_NODE_POINTS_MAX, FS_NODE_POINTS_MAX, &v)
	    != FS_OK) {
		node_found(found, f[3], len[3]);
		FAIL("expected points as an integer from %d to %d, found %s",
		    -FS_NODE_POINTS_MAX, FS_NODE_POINTS_MAX, found);
	}
	rule->points = (int32_t) v;
	if ((rule->dim == FS_DIM_NEGATIVE && v > 0)
	    || ((rule->dim == FS_DIM_POSITIVE || rule->dim == FS_DIM_REPAIR)
	        && v < 0)) {
		FAIL("expected points %s 0 for dimension %s, found %lld",
		    rule->dim == FS_DIM_NEGATIVE ? "<=" : ">=",
		    fs_dim_name(rule->dim), (long long) v);
	}
	return (FS_OK);
fail:
	return (rv);
}

// parse_terms reads how long a rule's records count, its flags and its
// repair bonus, which only negative rules may have, as only they may be
// severe.
static fs_err
parse_terms(fs_csv *r, const char *const *f, const size_t *len, fs_rule *rule,
    int32_t default_days, char *why, size_t whycap)
{
	char    found[NODE_FOUND_MAX];
	int64_t v;
	fs_err  rv;

	v = default_days;
	if (len[4] > 0
	    && node_parse_int(f[4], len[4], 1, FS_NODE_VALID_DAYS_MAX, &v)
	        != FS_OK) {
		node_found(found, f[4], len[4]);
		FAIL("expected valid_days empty (%d) or from 1 to %d, found %s",
		    default_days, FS_NODE_VALID_DAYS_MAX, found);
	}
	rule->valid_days = (int32_t) v;
	for (int k = 5; k <= 6; k++) {
		if (len[k] != 1 || (f[k][0] != '0' && f[k][0] != '1')) {
			node_found(found, f[k], len[k]);
			FAIL("expected %s 0 or 1, found %s", header[k], found);
		}
	}
	rule->severe = f[5][0] == '1';
	rule->shared = f[6][0] == '1';
	if (rule->severe && rule->dim != FS_DIM_NEGATIVE) {
		FAIL("expected severe 0 for dimension %s: only dishonesty is "
		     "severe",
		    fs_dim_name(rule->dim));
	}
	v = 0;
	if (len[7] > 0
	    && node_parse_int(f[7], len[7], 0, FS_NODE_POINTS_MAX, &v)
	        != FS_OK) {
		node_found(found, f[7], len[7]);
		FAIL(
		    "expected repair_bonus empty (0) or from 0 to %d, found %s",
		    FS_NODE_POINTS_MAX, found);
	}
	if (v != 0 && rule->dim != FS_DIM_NEGATIVE) {
		FAIL("expected repair_bonus 0 for dimension %s: only "
		     "dishonesty is repaired",
		    fs_dim_name(rule->dim));
	}
	rule->repair_bonus = (int32_t) v;
	return (FS_OK);
fail:
	return (rv);
}

// rule_slot returns the place after the last of rs's rules, zeroed, for
// the next one; the rules, of which *cap fit, grow when full.  NULL when
// memory runs out.
static fs_rule *
rule_slot(fs_ruleset *rs, size_t *cap)
{
	if (rs->n == *cap) {
		size_t   ncap = *cap == 0 ? 32 : *cap * 2;
		fs_rule *nr;

		if ((nr = realloc(rs->rules, ncap * sizeof(*nr))) == NULL) {
			return (NULL);
		}
		rs->rules = nr;
		*cap      = ncap;
	}
	return (memset(&rs->rules[rs->n], 0, sizeof(fs_rule)));
}

static fs_err
parse_row(
    fs_csv *r, fs_rule *rule, int32_t default_days, char *why, size_t whycap)
{
	const char *f[NCOLS];
	size_t      len[NCOLS];
	char        found[NODE_FOUND_MAX];
	fs_err      rv;

	for (size_t i = 0; i < NCOLS; i++) {
		f[i] = fs_csv_field(r, i, &len[i]);
	}
	memset(rule, 0, sizeof(*rule));
	if (!node_code_ok(f[0], len[0])) {
		node_found(found, f[0], len[0]);
		FAIL("expected a code of 1 to %d letters, digits, '.', '_' or "
		     "'-', found %s",
		    FS_NODE_CODE_MAX, found);
	}
	memcpy(rule->code, f[0], len[0]);
	if (len[1] == 0 || len[1] > FS_NODE_RULE_NAME_MAX) {
		FAIL("expected a name of 1 to %d bytes, found %zu bytes",
		    FS_NODE_RULE_NAME_MAX, len[1]);
	}
	memcpy(rule->name, f[1], len[1]);
	if ((rv = parse_points(r, f, len, rule, why, whycap)) != FS_OK) {
		return (rv);
	}
	return (parse_terms(r, f, len, rule, default_days, why, whycap));
fail:
	return (rv);
}

static void
version_of(fs_ruleset *rs)
{
	crypto_generichash_state st;
	uint8_t                  h[32];
	char                     line[FS_NODE_RULE_NAME_MAX + 128];

	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	for (size_t i = 0; i < rs->n; i++) {
		const fs_rule *u = &rs->rules[i];
		int            k = snprintf(line, sizeof(line),
		               "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\n", u->code, u->name,
		               fs_dim_name(u->dim), u->points, u->valid_days, u->severe,
		               u->shared, u->repair_bonus);

		crypto_generichash_update(
		    &st, (const uint8_t *) line, (size_t) k);
	}
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(rs->version, sizeof(rs->version), h, 16);
}

fs_err
fs_rules_parse(
    fs_ruleset *rs, fs_csv *r, int32_t default_days, char *why, size_t whycap)
{
	fs_ruleset out = { 0 };
	fs_rule   *u;
	size_t     cap = 0, nf;
	fs_err     rv;

	if ((rv = node_header_read(r, header, NCOLS, 0, &nf, why, whycap))
	    != 0) {
		return (rv);
	}
	for (;;) {
		if ((rv = fs_csv_next(r, &nf, why, whycap)) != 0) {
			goto fail;
		}
		if (nf == 0) {
			break;
		}
		if (nf != NCOLS) {
			FAIL("expected %zu fields, found %zu", NCOLS, nf);
		}
		if ((u = rule_slot(&out, &cap)) == NULL) {
			rv = FS_ERR_NOMEM;
			goto fail;
		}
		if ((rv = parse_row(r, u, default_days, why, whycap)) != 0) {
			goto fail;
		}
		for (size_t i = 0; i < out.n; i++) {
			if (strcmp(out.rules[i].code, u->code) == 0) {
				FAIL("expected each code once, found '%s' "
				     "again",
				    out.rules[i].code);
			}
		}
		out.n++;
	}
	if (out.n == 0) {
		snprintf(why, whycap,
		    "%s:2: expected at least one rule, found "
		    "the end of the file",
		    fs_csv_name(r));
		rv = FS_ERR_MALFORMED;
		goto fail;
	}
	qsort(out.rules, out.n, sizeof(fs_rule), cmp_rule);
	version_of(&out);
	*rs = out;
	return (FS_OK);
fail:
	fs_ruleset_fini(&out);
	return (rv);
}

// in_force reads through db the version of the rules in force, the last
// imported, into v; FS_ERR_NOT_FOUND when none was.  *stp is prepared on
// first use and kept by the caller (NULL: prepared and finalized here).
static fs_err
in_force(sqlite3 *db, sqlite3_stmt **stp, char v[static FS_VERSION_MAX + 1])
{
	sqlite3_stmt *own = NULL, *st;
	fs_err        rv  = FS_ERR_NOT_FOUND;

	if (stp == NULL) {
		stp = &own;
	}
	if (*stp == NULL
	    && sqlite3_prepare_v2(db,
	           "SELECT version FROM rules_version ORDER BY seq DESC "
	           "LIMIT 1",
	           -1, stp, NULL)
	        != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	st = *stp;
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(v, FS_VERSION_MAX + 1, "%s",
		    (const char *) sqlite3_column_text(st, 0));
		rv = FS_OK;
	}
	sqlite3_reset(st);
	sqlite3_finalize(own);
	return (rv);
}

// rules_read reads through db the rules of version v into rs.
static fs_err
rules_read(sqlite3 *db, const char *v, fs_ruleset *rs)
{
	sqlite3_stmt *st  = NULL;
	fs_ruleset    out = { 0 };
	size_t        cap = 0;
	fs_err        rv  = FS_ERR_IO;

	snprintf(out.version, sizeof(out.version), "%s", v);
	if (node_sql_prepare(db,
	        "SELECT code, name, dim, points, valid_days, severe, shared, "
	        "repair_bonus FROM rule WHERE version = ? ORDER BY code",
	        NODE_VALS(NODE_TEXT(out.version)), &st)
	    != FS_OK) {
		return (FS_ERR_IO);
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		fs_rule *u;

		if ((u = rule_slot(&out, &cap)) == NULL) {
			rv = FS_ERR_NOMEM;
			goto fail;
		}
		out.n++;
		snprintf(u->code, sizeof(u->code), "%s",
		    (const char *) sqlite3_column_text(st, 0));
		snprintf(u->name, sizeof(u->name), "%s",
		    (const char *) sqlite3_column_text(st, 1));
		u->dim          = (fs_dim) sqlite3_column_int(st, 2);
		u->points       = sqlite3_column_int(st, 3);
		u->valid_days   = sqlite3_column_int(st, 4);
		u->severe       = sqlite3_column_int(st, 5) != 0;
		u->shared       = sqlite3_column_int(st, 6) != 0;
		u->repair_bonus = sqlite3_column_int(st, 7);
	}
	sqlite3_finalize(st);
	// SQLite orders by its collation, which is byte order like strcmp.
	*rs = out;
	return (FS_OK);
fail:
	sqlite3_finalize(st);
	fs_ruleset_fini(&out);
	return (rv);
}

fs_err
node_rules_load(sqlite3 *db, fs_ruleset *rs)
{
	char   v[FS_VERSION_MAX + 1];
	fs_err rv;

	if ((rv = in_force(db, NULL, v)) != FS_OK) {
		return (rv);
	}
	return (rules_read(db, v, rs));
}

fs_err
node_rules_current(fs_node *n)
{
	char       v[FS_VERSION_MAX + 1];
	fs_ruleset rs;
	fs_err     rv;

	if ((rv = in_force(n->qdb, &n->st_version, v)) != FS_OK) {
		return (rv);
	}
	if (strcmp(v, n->rules.version) == 0) {
		return (FS_OK);
	}
	if ((rv = rules_read(n->qdb, v, &rs)) != FS_OK) {
		return (rv);
	}
	fs_ruleset_fini(&n->rules);
	n->rules = rs;
	return (FS_OK);
}

static fs_err
store_rules(fs_node *n, const fs_ruleset *rs, const char *source)
{
	sqlite3_stmt *st;
	fs_err        rv = FS_ERR_IO;

	if (node_sql_run(n->db,
	        "INSERT INTO rules_version (version, seq, imported_ms, source, "
	        "nrules) VALUES (?1, (SELECT ifnull(max(seq), 0) + 1 FROM "
	        "rules_version), ?2, ?3, ?4) ON CONFLICT(version) DO UPDATE "
	        "SET seq = excluded.seq, imported_ms = excluded.imported_ms, "
	        "source = excluded.source",
	        NODE_VALS(NODE_TEXT(rs->version),
	            NODE_INT((int64_t) fs_now_ms()), NODE_TEXT(source),
	            NODE_INT((int64_t) rs->n)),
	        NULL, 0)
	    != FS_OK) {
		return (FS_ERR_IO);
	}
	if (sqlite3_prepare_v2(n->db,
	        "INSERT OR IGNORE INTO rule (version, code, name, dim, points, "
	        "valid_days, severe, shared, repair_bonus) "
	        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
	        -1, &st, NULL)
	    != SQLITE_OK) {
		return (FS_ERR_IO);
	}
	for (size_t i = 0; i < rs->n; i++) {
		const fs_rule *u = &rs->rules[i];

		sqlite3_reset(st);
		sqlite3_bind_text(st, 1, rs->version, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, u->code, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, u->name, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 4, (int) u->dim);
		sqlite3_bind_int(st, 5, u->points);
		sqlite3_bind_int(st, 6, u->valid_days);
		sqlite3_bind_int(st, 7, u->severe);
		sqlite3_bind_int(st, 8, u->shared);
		sqlite3_bind_int(st, 9, u->repair_bonus);
		if (sqlite3_step(st) != SQLITE_DONE) {
			goto out;
		}
	}
	rv = FS_OK;
out:
	sqlite3_finalize(st);
	return (rv);
}

fs_err
fs_node_rules_import(fs_node *n, const char *path,
    char version[static FS_VERSION_MAX + 1], bool *changed, char *why,
    size_t whycap)
{
	fs_csv    *r  = NULL;
	fs_ruleset rs = { 0 };
	char       have[FS_VERSION_MAX + 1];
	bool       same;
	fs_err     rv;

	if ((rv = fs_csv_open_file(&r, path, NULL, why, whycap)) != 0
	    || (rv = fs_rules_parse(&rs, r, n->default_days, why, whycap))
	        != 0) {
		fs_csv_close(r);
		return (rv);
	}
	fs_csv_close(r);
	pthread_mutex_lock(&n->wmtx);
	rv = in_force(n->db, NULL, have);
	if (rv != FS_OK && rv != FS_ERR_NOT_FOUND) {
		goto out;
	}
	same = rv == FS_OK && strcmp(have, rs.version) == 0;
	rv   = FS_OK;
	if (!same) {
		if ((rv = fs_db_begin(n->db)) != 0
		    || (rv = store_rules(n, &rs, path)) != 0
		    || (rv = fs_db_commit(n->db)) != 0) {
			snprintf(why, whycap, "cannot store the rules: %s",
			    sqlite3_errmsg(n->db));
			fs_db_rollback(n->db);
			goto out;
		}
	}
	snprintf(version, FS_VERSION_MAX + 1, "%s", rs.version);
	*changed = !same;
out:
	pthread_mutex_unlock(&n->wmtx);
	fs_ruleset_fini(&rs);
	return (rv);
}
