// SPDX-License-Identifier: Apache-2.0
//
// test_records_bulk.c -- large imports and re-exports: records written by
// their citizen's ID hash, updated in place, the index by citizen kept or
// sorted anew, a record_id twice refused, and an older database upgraded.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "tests/node/fixture.h"
#include "wire/lookup.h"

// A re-import updates the records it holds and inserts the new ones,
// whichever comes first, and still refuses a record_id twice in one file:
// in the bulk path and the small one alike.
static void
test_import_updates_and_refuses_twice(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX];
	fs_import_stats st;
	char            text[512];

	rules(fx);
	cache(fx, ID_A);
	for (int bulk = 0; bulk < 2; bulk++) {
		int pre = bulk ? 'B' : 'S';

		node_big_import = bulk ? 1 : 1000;
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "%c1," ID_A ",NEG,e1,2024-01-01\n"
		    "%c2," ID_A ",NEG,e2,2024-01-01\n",
		    pre, pre);
		assert_int_equal(import_st(fx, text, &st, why), FS_OK);
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "%c1," ID_A ",NEG,e1,2024-01-02\n"
		    "%c9," ID_A ",NEG,e9,2024-01-01\n"
		    "%c2," ID_A ",NEG,e2,2024-01-02\n",
		    pre, pre, pre);
		assert_int_equal(import_st(fx, text, &st, why), FS_OK);
		assert_int_equal(st.bulk, bulk);
		assert_int_equal(st.inserted, 1);
		assert_int_equal(st.updated, 2);
		// Twice after an update, and twice after an insert.
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "%c1," ID_A ",NEG,e1,2024-01-03\n"
		    "%c1," ID_A ",NEG,e1,2024-01-04\n",
		    pre, pre);
		assert_int_equal(
		    import_st(fx, text, &st, why), FS_ERR_MALFORMED);
		assert_non_null(
		    strstr(why, ":3: expected each record_id once"));
		snprintf(text, sizeof(text),
		    "record_id,id_number,code,event_ref,occurred_on\n"
		    "%c1," ID_A ",NEG,e1,2024-01-03\n"
		    "%cM," ID_A ",NEG,m1,2024-01-03\n"
		    "%cM," ID_A ",NEG,m1,2024-01-04\n",
		    pre, pre, pre);
		assert_int_equal(
		    import_st(fx, text, &st, why), FS_ERR_MALFORMED);
		assert_non_null(
		    strstr(why, ":4: expected each record_id once"));
	}
}

// considered returns how many records the node counts for a citizen.
static int
considered(fixture *fx, const char *id)
{
	char            why[FS_WHY_MAX];
	uint8_t         subject[FS_PSEUDONYM_BYTES];
	bool            known;
	fs_contribution c;
	int             n;

	assert_int_equal(
	    fs_node_subject(fx->n, id, subject, &known, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	n = (int) c.considered;
	fs_contribution_fini(&c);
	return (n);
}

// A large re-export, its records mostly held, keeps the index by
// citizen and updates the records in place; a record that moved to
// another citizen is found under the new one only, a record_id twice is
// still refused, and a large file of new records sorts the index anew.
static void
test_import_reexport_keeps_index(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX];
	uint8_t         before[32], after[32];
	fs_import_stats st;

	rules(fx);
	cache(fx, ID_A);
	cache(fx, ID_B);
	node_big_import = 1;
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "R1," ID_A ",NEG,e1,2024-01-01\n"
	                     "R2," ID_A ",NEG,e2,2024-01-01\n"
	                     "R3," ID_A ",NEG,e3,2024-01-01\n"
	                     "R4," ID_A ",NEG,e4,2024-01-01\n",
	                     &st, why),
	    FS_OK);
	assert_true(st.bulk);
	assert_true(st.reindexed);
	assert_int_equal(considered(fx, ID_A), 4);

	// Four of five held: R2 moves to citizen B, R3 changes date, R5 is new.
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "R1," ID_A ",NEG,e1,2024-01-01\n"
	                     "R2," ID_B ",NEG,e2,2024-01-01\n"
	                     "R3," ID_A ",NEG,e3,2024-03-01\n"
	                     "R4," ID_A ",NEG,e4,2024-01-01\n"
	                     "R5," ID_B ",NEG,e5,2024-01-01\n",
	                     &st, why),
	    FS_OK);
	assert_true(st.bulk);
	assert_false(st.reindexed);
	assert_int_equal(st.inserted, 1);
	assert_int_equal(st.updated, 4);
	// The import's page cache went back to the connection.
	{
		sqlite3_stmt *q;

		assert_int_equal(sqlite3_prepare_v2(fx->n->db,
		                     "PRAGMA cache_size", -1, &q, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(q), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(q, 0), -2000);
		sqlite3_finalize(q);
	}
	assert_int_equal(considered(fx, ID_A), 3);
	assert_int_equal(considered(fx, ID_B), 2);

	// Twice in a re-export, after an update of the same citizen's record.
	db_hash(fx, before);
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "R1," ID_A ",NEG,e1,2024-01-02\n"
	                     "R2," ID_B ",NEG,e2,2024-01-01\n"
	                     "R1," ID_A ",NEG,e1,2024-01-03\n"
	                     "R4," ID_A ",NEG,e4,2024-01-01\n",
	                     &st, why),
	    FS_ERR_MALFORMED);
	assert_non_null(strstr(why, ":4: expected each record_id once"));
	db_hash(fx, after);
	assert_memory_equal(before, after, 32);

	// A large file of records the node does not hold.
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,n1,2024-01-01\n"
	                     "N2," ID_B ",NEG,n2,2024-01-01\n"
	                     "N3," ID_B ",NEG,n3,2024-01-01\n"
	                     "R1," ID_A ",NEG,e1,2024-01-01\n",
	                     &st, why),
	    FS_OK);
	assert_true(st.reindexed);
	assert_int_equal(considered(fx, ID_A), 4);
	assert_int_equal(considered(fx, ID_B), 4);
}

// many writes n records "<pre><i>" from i = from, the even ones of
// citizen A, the odd ones of B, each its own behavior, after the header
// if head.
static char *
many(char *p, const char *pre, int from, int n, bool head)
{
	if (head) {
		p += sprintf(
		    p, "record_id,id_number,code,event_ref,occurred_on\n");
	}
	for (int i = from; i < from + n; i++) {
		p += sprintf(p, "%s%d,%s,NEG,%s%d,2024-01-01\n", pre, i,
		    i % 2 == 0 ? ID_A : ID_B, pre, i);
	}
	return (p);
}

// A file that looks like a re-export by its head and its size but brings
// thousands of new records after: the records read across the whole file
// tell, the index is sorted anew, and every record is found by its
// citizen.
static void
test_import_reexport_guessed_wrong(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX];
	fs_import_stats st;
	char           *text = malloc(12000 * 64), *end;

	assert_non_null(text);
	rules(fx);
	cache(fx, ID_A);
	cache(fx, ID_B);
	node_big_import = 1;
	many(text, "R", 0, 6000, true);
	assert_int_equal(import_st(fx, text, &st, why), FS_OK);
	assert_true(st.reindexed);
	end = many(text, "R", 0, 1200, true);
	many(end, "N", 0, 5000, false);
	assert_int_equal(import_st(fx, text, &st, why), FS_OK);
	assert_true(st.bulk);
	assert_true(st.reindexed);
	assert_int_equal(st.updated, 1200);
	assert_int_equal(st.inserted, 5000);
	assert_int_equal(considered(fx, ID_A), 5500);
	assert_int_equal(considered(fx, ID_B), 5500);
	free(text);
}

// A large import writes each record by its citizen's ID hash without
// reading the cache, and pseudonymizes after the whole file is checked
// the citizens the cache does not hold: known ones are found by their
// subject as before; with a new one and no issuer to ask, the import
// writes nothing.
static void
test_import_large_path(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX], p[256];
	uint8_t         subject[FS_PSEUDONYM_BYTES], before[32], after[32];
	bool            known;
	fs_contribution c;
	fs_import_stats st;

	rules(fx);
	cache(fx, ID_A);
	node_big_import = 1;
	assert_int_equal(import_st(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,e1,2024-01-01\n"
	                     "S1," ID_A ",SH,（2024）苏1号,2024-01-01\n"
	                     "S2," ID_A ",SH,(2024)苏1号,2024-02-01\n",
	                     &st, why),
	    FS_OK);
	assert_int_equal(st.inserted, 3);
	assert_true(st.bulk);
	assert_int_equal(st.evaluated, 0);
	assert_int_equal(
	    fs_node_subject(fx->n, ID_A, subject, &known, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
	assert_int_equal(c.nshared, 1);
	assert_int_equal(c.shared[0].points, -100);
	fs_contribution_fini(&c);

	// A node database of schema version 1 (records by subject, behavior
	// keys stored) is upgraded when opened, and counts the same.
	{
		sqlite3 *db;

		fs_node_close(fx->n);
		snprintf(p, sizeof(p), "%s/node.db", fx->dir);
		assert_int_equal(sqlite3_open(p, &db), SQLITE_OK);
		assert_int_equal(
		    sqlite3_exec(db,
		        "DROP INDEX pseudonym_subject;"
		        "CREATE TABLE p1 (idhash BLOB PRIMARY KEY, subject "
		        "BLOB NOT NULL, behavior_base BLOB NOT NULL) "
		        "WITHOUT ROWID;"
		        "INSERT INTO p1 SELECT idhash || zeroblob(16), "
		        "subject, behavior_base FROM pseudonym;"
		        "CREATE TABLE r1 (record_id TEXT PRIMARY KEY, subject "
		        "BLOB NOT NULL, code TEXT NOT NULL, event_ref TEXT NOT "
		        "NULL, occurred_on INTEGER NOT NULL, valid_until "
		        "INTEGER, behavior_key BLOB, import INTEGER NOT NULL) "
		        "WITHOUT ROWID;"
		        "INSERT INTO r1 SELECT r.record_id, p.subject, r.code, "
		        "r.event_ref, r.occurred_on, r.valid_until, NULL, "
		        "r.import FROM record r JOIN pseudonym p USING "
		        "(idhash);"
		        "DROP TABLE record; ALTER TABLE r1 RENAME TO record;"
		        "DROP TABLE pseudonym;"
		        "ALTER TABLE p1 RENAME TO pseudonym;"
		        "CREATE INDEX record_subject ON record(subject);"
		        "PRAGMA user_version = 1;",
		        NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_close(db);
		assert_int_equal(
		    fs_node_open(&fx->n, fx->conf, why, sizeof(why)), FS_OK);
		assert_int_equal(
		    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c),
		    FS_OK);
		assert_int_equal(c.considered, 3);
		assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
		assert_int_equal(c.nshared, 1);
		fs_contribution_fini(&c);
	}

	db_hash(fx, before);
	assert_int_equal(import(fx,
	                     "record_id,id_number,code,event_ref,occurred_on\n"
	                     "N1," ID_A ",NEG,e1,2024-01-01\n"
	                     "B1," ID_B ",NEG,e1,2024-01-01\n",
	                     why),
	    FS_ERR_TIMEOUT);
	assert_non_null(strstr(why, "issuer at ipc:///nonexistent/issuer"));
	db_hash(fx, after);
	assert_memory_equal(before, after, 32);
	node_big_import = 100000;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_import_large_path, setup_node, teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_import_updates_and_refuses_twice, setup_node,
		    teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_import_reexport_keeps_index, setup_node,
		    teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_import_reexport_guessed_wrong, setup_node,
		    teardown_node),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
