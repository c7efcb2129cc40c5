// SPDX-License-Identifier: Apache-2.0
//
// fixture.c -- dates, files, rules and a node on disk for the node's tests.

#include <sodium.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "tests/node/fixture.h"
#include "wire/lookup.h"

fs_day
d(const char *s)
{
	fs_day v;

	assert_int_equal(fs_date_parse(&v, s, strlen(s)), FS_OK);
	return (v);
}

void
put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

const char rules_csv[]
    = "code,name,dimension,points,valid_days,severe,shared,repair_bonus\n"
      "NEG,违法,negative,-50,,1,0,5\n"
      "SH,失信被执行人,negative,-100,1825,1,1,10\n"
      "POS,志愿服务,positive,10,365,0,0,\n"
      "SHP,见义勇为,positive,30,,0,1,\n";

fs_err
parse_rules(const char *text, fs_ruleset *rs, char *why)
{
	fs_csv *r;
	fs_err  rv;

	assert_int_equal(
	    fs_csv_open_mem(&r, text, strlen(text), "rules.csv"), FS_OK);
	rv = fs_rules_parse(rs, r, FS_NODE_VALID_DAYS_DEFAULT, why, FS_WHY_MAX);
	fs_csv_close(r);
	return (rv);
}

int
setup_node(void **state)
{
	fixture     *fx = calloc(1, sizeof(*fx));
	fs_oprf_key *ok;
	char         p[256], b64[64], why[FS_WHY_MAX];

	snprintf(fx->dir, sizeof(fx->dir), "/tmp/fs-node-XXXXXX");
	assert_non_null(mkdtemp(fx->dir));
	assert_int_equal(fs_key_generate(&fx->node), FS_OK);
	assert_int_equal(fs_key_generate(&fx->issuer), FS_OK);
	assert_int_equal(fs_key_generate(&fx->coord), FS_OK);
	snprintf(p, sizeof(p), "%s/node.key", fx->dir);
	assert_int_equal(fs_keyfile_write_secret(p, fx->node, "t"), FS_OK);
	snprintf(p, sizeof(p), "%s/issuer.pub", fx->dir);
	assert_int_equal(
	    fs_keyfile_write_public(p, fs_key_public(fx->issuer)), FS_OK);
	snprintf(p, sizeof(p), "%s/coord.pub", fx->dir);
	assert_int_equal(
	    fs_keyfile_write_public(p, fs_key_public(fx->coord)), FS_OK);
	assert_int_equal(fs_oprf_key_generate(&ok, FS_OPRF_MODE_VOPRF), FS_OK);
	fs_b64_encode(b64, fs_oprf_key_public(ok), FS_OPRF_ELEMENT_BYTES);
	fs_oprf_key_free(ok);
	snprintf(p, sizeof(p), "%s/oprf.pub", fx->dir);
	strcat(b64, "\n");
	put(p, b64);
	snprintf(fx->conf, sizeof(fx->conf), "%s/node.conf", fx->dir);
	put(fx->conf,
	    "[node]\nname = t\nkey = node.key\ndb = node.db\n"
	    "coordinator = coord.pub\n"
	    "[issuer]\nurl = ipc:///nonexistent/issuer\nkey = issuer.pub\n"
	    "oprf = oprf.pub\nregion = r\n");
	snprintf(p, sizeof(p), "%s/rules.csv", fx->dir);
	put(p, rules_csv);
	assert_int_equal(
	    fs_node_open(&fx->n, fx->conf, why, sizeof(why)), FS_OK);
	*state = fx;
	return (0);
}

int
teardown_node(void **state)
{
	fixture *fx = *state;
	char     cmd[128];

	fs_node_close(fx->n);
	fs_key_free(fx->node);
	fs_key_free(fx->issuer);
	fs_key_free(fx->coord);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fx->dir);
	assert_int_equal(system(cmd), 0);
	free(fx);
	return (0);
}

void
db_hash(const fixture *fx, uint8_t out[static 32])
{
	static const char       *files[] = { "node.db", "node.db.release" };
	crypto_generichash_state hs;

	crypto_generichash_init(&hs, NULL, 0, 32);
	for (size_t f = 0; f < 2; f++) {
		sqlite3      *db;
		sqlite3_stmt *tables, *rows;
		char          path[256], sql[256];

		snprintf(path, sizeof(path), "%s/%s", fx->dir, files[f]);
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db,
		                     "SELECT name FROM sqlite_master WHERE "
		                     "type = 'table' ORDER BY name",
		                     -1, &tables, NULL),
		    SQLITE_OK);
		while (sqlite3_step(tables) == SQLITE_ROW) {
			const char *t
			    = (const char *) sqlite3_column_text(tables, 0);

			snprintf(sql, sizeof(sql),
			    "SELECT * FROM \"%s\" ORDER BY 1", t);
			crypto_generichash_update(
			    &hs, (const uint8_t *) t, strlen(t) + 1);
			assert_int_equal(
			    sqlite3_prepare_v2(db, sql, -1, &rows, NULL),
			    SQLITE_OK);
			while (sqlite3_step(rows) == SQLITE_ROW) {
				for (int i = 0; i < sqlite3_column_count(rows);
				     i++) {
					const void *v
					    = sqlite3_column_blob(rows, i);
					int n = sqlite3_column_bytes(rows, i);

					crypto_generichash_update(&hs,
					    (const uint8_t *) &n, sizeof(n));
					if (n > 0) {
						crypto_generichash_update(
						    &hs, v, (size_t) n);
					}
				}
			}
			sqlite3_finalize(rows);
		}
		sqlite3_finalize(tables);
		sqlite3_close(db);
	}
	crypto_generichash_final(&hs, out, 32);
}

fs_err
import_st(fixture *fx, const char *text, fs_import_stats *st, char *why)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/records.csv", fx->dir);
	put(p, text);
	return (
	    fs_node_records_import(fx->n, p, NULL, NULL, st, why, FS_WHY_MAX));
}

fs_err
import(fixture *fx, const char *text, char *why)
{
	fs_import_stats st;

	return (import_st(fx, text, &st, why));
}

void
rules(fixture *fx)
{
	char p[256], why[FS_WHY_MAX], version[FS_VERSION_MAX + 1];
	bool changed;

	snprintf(p, sizeof(p), "%s/rules.csv", fx->dir);
	assert_int_equal(
	    fs_node_rules_import(fx->n, p, version, &changed, why, sizeof(why)),
	    FS_OK);
}

void
cache(fixture *fx, const char *id)
{
	uint8_t y[FS_OPRF_OUTPUT_BYTES];

	// Stands in for the issuer's evaluation.
	crypto_generichash(
	    y, sizeof(y), (const uint8_t *) id, strlen(id), NULL, 0);
	assert_int_equal(fs_node_cache_put(fx->n, &id, y, 1), FS_OK);
}
