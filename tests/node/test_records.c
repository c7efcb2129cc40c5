// SPDX-License-Identifier: Apache-2.0
//
// test_records.c -- imports of records that either succeed whole or change
// nothing (checked by hashing the database's content), and the
// contribution, disputes and repairs of what was imported.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "tests/node/fixture.h"
#include "wire/lookup.h"

static void
test_import_bad_records_change_nothing(void **state)
{
	fixture          *fx = *state;
	static const char h[]
	    = "record_id,id_number,code,event_ref,occurred_on,valid_until\n";
	static const char good[] = "G1," ID_A ",NEG,e1,2024-01-01,\n";
	static const struct {
		const char *rows;
		const char *want;
	} cases[] = {
		{ "R1," ID_A ",NOPE,,2024-01-01,\n",
		    "records.csv:3: expected a code of the current rules" },
		{ "R1,320402198503120018,NEG,,2024-01-01,\n",
		    "records.csv:3: expected a valid ID number in id_number: "
		    "check character" },
		{ "R1," ID_A ",NEG,,2024-02-30,\n",
		    "records.csv:3: expected occurred_on as a date YYYY-MM-DD "
		    "that exists, found '2024-02-30'" },
		{ "R1," ID_A ",NEG,,2024-01-01\n",
		    "records.csv:3: expected 6 fields as in the header, found "
		    "5" },
		{ "R1," ID_A ",SH,,2024-01-01,\n",
		    "records.csv:3: expected an event_ref for code SH" },
		{ "record_id,id_number,code,event_ref,occurred_on,valid_"
		  "until\n",
		    "records.csv:3: expected a record, found the header "
		    "again" },
		{ "R1," ID_A ",NEG,,2024-01-01,2023-01-01\n",
		    "records.csv:3: expected valid_until after occurred_on "
		    "(2024-01-01), found 2023-01-01" },
		{ "R1," ID_A ",NEG,,2999-01-01,\n",
		    "records.csv:3: expected occurred_on no later than today" },
		{ " R1," ID_A ",NEG,,2024-01-01,\n",
		    "records.csv:3: expected a record_id of 1 to 64 bytes" },
		{ "R1," ID_A ",NEG,\"x\"y,2024-01-01,\n",
		    "records.csv:3: expected ',' or the end of the line" },
		{ "R1," ID_A ",NEG,,2024-01-01,\nR1," ID_B
		  ",POS,,2024-01-01,\n",
		    "records.csv:4: expected each record_id once, found 'R1' "
		    "again" },
		{ "G1," ID_B ",POS,,2024-01-01,\n",
		    "records.csv:3: expected each record_id once, found 'G1' "
		    "again" },
	};
	char    why[FS_WHY_MAX];
	uint8_t before[32], after[32];
	char    text[1024];

	rules(fx);
	cache(fx, ID_A);
	cache(fx, ID_B);
	snprintf(text, sizeof(text), "%s%s", h, good);
	assert_int_equal(import(fx, text, why), FS_OK);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		db_hash(fx, before);
		snprintf(text, sizeof(text), "%s%s%s", h, good, cases[i].rows);
		why[0] = '\0';
		if (import(fx, text, why) == FS_OK
		    || strstr(why, cases[i].want) == NULL) {
			fail_msg("case %zu: '%s'", i, why);
		}
		// Never the ID number in a message.
		assert_null(strstr(why, ID_A));
		db_hash(fx, after);
		if (memcmp(before, after, 32) != 0) {
			fail_msg("case %zu changed the database", i);
		}
	}
	// A wrong header, or an empty file, changes nothing either.
	db_hash(fx, before);
	assert_int_not_equal(import(fx, "record_id,id,code\n", why), FS_OK);
	assert_non_null(strstr(why, "records.csv:1: expected the header"));
	assert_int_not_equal(import(fx, "", why), FS_OK);
	db_hash(fx, after);
	assert_memory_equal(before, after, 32);
}

static void
test_import_then_contribution(void **state)
{
	fixture        *fx = *state;
	char            why[FS_WHY_MAX], p[256], version[FS_VERSION_MAX + 1];
	char            text[1024];
	bool            changed;
	uint8_t         subject[FS_PSEUDONYM_BYTES];
	bool            known;
	fs_contribution c;
	fs_dispute_info di;
	fs_day          today = fs_today((int64_t) time(NULL));
	int32_t         pts   = -7;

	snprintf(p, sizeof(p), "%s/rules.csv", fx->dir);
	assert_int_equal(
	    fs_node_rules_import(fx->n, p, version, &changed, why, sizeof(why)),
	    FS_OK);
	assert_true(changed);
	assert_int_equal(
	    fs_node_rules_import(fx->n, p, version, &changed, why, sizeof(why)),
	    FS_OK);
	assert_false(changed);
	cache(fx, ID_A);
	snprintf(text, sizeof(text),
	    "record_id,id_number,code,event_ref,occurred_on\n"
	    "N1," ID_A ",NEG,e1,2024-01-01\n"
	    "N2," ID_A ",NEG,e2,2024-01-01\n"
	    "S1," ID_A ",SH,（2024）苏1号,2024-01-01\n"
	    "S2,%s,SH,(2024)苏1号,2024-02-01\n",
	    ID_A);
	// valid for 1095 days from 2024-01-01: count on days before 2027.
	assert_int_equal(import(fx, text, why), FS_OK);
	assert_int_equal(
	    fs_node_subject(fx->n, ID_A, subject, &known, why, sizeof(why)),
	    FS_OK);
	assert_true(known);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -100);
	assert_int_equal(c.nshared, 1); // the same case number, written twice
	assert_int_equal(c.shared[0].points, -100);
	assert_int_equal(c.considered, 4);
	assert_int_equal(c.counted, 3);
	fs_contribution_fini(&c);

	assert_int_equal(fs_node_dispute_open(fx->n, "N1", "not me", today,
	                     today, &di, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(di.check_due, fs_workdays_add(NULL, today, 15));
	assert_int_equal(fs_node_dispute_open(fx->n, "N1", "again", today,
	                     today, &di, why, sizeof(why)),
	    FS_ERR_EXISTS);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	assert_true(c.disputed);
	fs_contribution_fini(&c);
	pts = 7;
	assert_int_equal(fs_node_dispute_resolve(
	                     fx->n, "N1", true, &pts, today, why, sizeof(why)),
	    FS_ERR_INVALID); // a negative record cannot become positive
	pts = -7;
	assert_int_equal(fs_node_dispute_resolve(
	                     fx->n, "N1", true, &pts, today, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_node_repair(fx->n, "N2", d("2024-06-01"), today,
	                     why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_node_repair(fx->n, "N2", d("2024-06-01"), today,
	                     why, sizeof(why)),
	    FS_ERR_EXISTS);
	assert_int_equal(fs_node_repair(fx->n, "NOPE", d("2024-06-01"), today,
	                     why, sizeof(why)),
	    FS_ERR_NOT_FOUND);
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2025-01-01"), &c), FS_OK);
	assert_false(c.disputed);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -7);
	assert_int_equal(c.dims[FS_DIM_REPAIR], 5);
	fs_contribution_fini(&c);
	// Everything has expired by 2030.
	assert_int_equal(
	    fs_node_contribution(fx->n, subject, d("2030-01-01"), &c), FS_OK);
	assert_int_equal(c.counted, 0);
	fs_contribution_fini(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_import_bad_records_change_nothing, setup_node,
		    teardown_node),
		cmocka_unit_test_setup_teardown(
		    test_import_then_contribution, setup_node, teardown_node),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
