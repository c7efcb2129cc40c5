// SPDX-License-Identifier: Apache-2.0
//
// test_score.c -- the scoring rules of the policies: validity, repair,
// disputes, and one behavior counted once.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "node/node.h"
#include "node/nodeimpl.h"
#include "tests/node/fixture.h"
#include "wire/lookup.h"

static fs_node_record
rec(const char *id, const char *code, const char *ref, const char *on)
{
	fs_node_record r = { 0 };

	snprintf(r.record_id, sizeof(r.record_id), "%s", id);
	snprintf(r.code, sizeof(r.code), "%s", code);
	snprintf(r.event_ref, sizeof(r.event_ref), "%s", ref);
	r.occurred_on = d(on);
	return (r);
}

static void
shared_key(fs_node_record *r, uint8_t k)
{
	r->has_behavior_key = true;
	memset(r->behavior_key, k, sizeof(r->behavior_key));
}

static void
test_score_validity(void **state)
{
	fs_ruleset      rs;
	fs_contribution c;
	fs_node_record  r[4];
	char            why[FS_WHY_MAX];

	(void) state;
	assert_int_equal(parse_rules(rules_csv, &rs, why), FS_OK);
	r[0]             = rec("a", "NEG", "", "2021-01-01"); // 1095 days
	r[1]             = rec("b", "POS", "", "2024-01-01"); // 365 days
	r[2]             = rec("c", "POS", "", "2024-06-01");
	r[2].valid_until = d("2024-06-02"); // its own validity
	r[3]             = rec("d", "GONE", "", "2024-01-01");
	// On the last valid day both count; the day after, neither.
	assert_int_equal(fs_score(&rs, r, 4, d("2023-12-31"), &c), FS_OK);
	assert_int_equal(r[0].status, FS_REC_COUNTED);
	assert_int_equal(r[1].status, FS_REC_NOT_YET);
	assert_int_equal(r[3].status, FS_REC_UNKNOWN_CODE);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
	assert_int_equal(fs_score(&rs, r, 4, d("2024-01-01"), &c), FS_OK);
	assert_int_equal(r[0].status, FS_REC_EXPIRED);
	assert_int_equal(r[1].status, FS_REC_COUNTED);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], 0);
	assert_int_equal(c.dims[FS_DIM_POSITIVE], 10);
	assert_int_equal(fs_score(&rs, r, 4, d("2024-06-01"), &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_POSITIVE], 20);
	assert_int_equal(c.counted, 2);
	assert_int_equal(c.considered, 4);
	assert_int_equal(fs_score(&rs, r, 4, d("2024-06-02"), &c), FS_OK);
	assert_int_equal(r[2].status, FS_REC_EXPIRED);
	assert_int_equal(c.dims[FS_DIM_POSITIVE], 10);
	assert_string_equal(c.rules_version, rs.version);
	assert_false(c.disputed);
	fs_ruleset_fini(&rs);
}

static void
test_score_repair_and_disputes(void **state)
{
	fs_ruleset      rs;
	fs_contribution c;
	fs_node_record  r[4];
	char            why[FS_WHY_MAX];

	(void) state;
	assert_int_equal(parse_rules(rules_csv, &rs, why), FS_OK);
	r[0]                      = rec("a", "NEG", "x1", "2024-01-01");
	r[0].repaired             = true;
	r[0].repaired_on          = d("2024-06-01");
	r[1]                      = rec("b", "NEG", "x2", "2024-01-01");
	r[1].disputed             = true; // open: counts, and says so
	r[2]                      = rec("c", "NEG", "x3", "2024-01-01");
	r[2].dispute              = FS_DISPUTE_CORRECTED;
	r[2].has_corrected_points = true;
	r[2].corrected_points     = -20;
	r[3]                      = rec("e", "NEG", "x4", "2024-01-01");
	r[3].dispute              = FS_DISPUTE_CORRECTED; // withdrawn
	assert_int_equal(fs_score(&rs, r, 4, d("2024-05-31"), &c), FS_OK);
	assert_int_equal(r[0].status, FS_REC_COUNTED); // not yet repaired
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50 - 50 - 20);
	assert_int_equal(r[3].status, FS_REC_WITHDRAWN);
	assert_true(c.disputed);
	assert_int_equal(fs_score(&rs, r, 4, d("2024-06-01"), &c), FS_OK);
	assert_int_equal(r[0].status, FS_REC_REPAIRED);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50 - 20);
	assert_int_equal(c.dims[FS_DIM_REPAIR], 5);
	assert_int_equal(c.counted, 3);
	// Once the disputed record is checked and upheld, no flag.
	r[1].disputed = false;
	r[1].dispute  = FS_DISPUTE_UPHELD;
	assert_int_equal(fs_score(&rs, r, 4, d("2024-06-01"), &c), FS_OK);
	assert_false(c.disputed);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -70);
	fs_ruleset_fini(&rs);
}

static void
test_score_one_behavior_counts_once(void **state)
{
	fs_ruleset      rs;
	fs_contribution c;
	fs_node_record  r[7];
	char            why[FS_WHY_MAX];

	(void) state;
	assert_int_equal(parse_rules(rules_csv, &rs, why), FS_OK);
	// The same code and reference twice (reference written two ways).
	r[0] = rec("a", "NEG", "（2024）1号", "2024-01-01");
	r[1] = rec("b", "NEG", "(2024)1号", "2024-02-01");
	// Without a reference each record is its own behavior.
	r[2] = rec("c", "POS", "", "2024-01-01");
	r[3] = rec("d", "POS", "", "2024-01-02");
	// A shared behavior twice: one item; corrected to a smaller
	// deduction on one record, the largest deduction stays.
	r[4] = rec("e", "SH", "k", "2024-01-01");
	shared_key(&r[4], 7);
	r[5] = rec("f", "SH", "k", "2024-01-01");
	shared_key(&r[5], 7);
	r[5].dispute              = FS_DISPUTE_CORRECTED;
	r[5].has_corrected_points = true;
	r[5].corrected_points     = -30;
	r[6]                      = rec("g", "SHP", "h", "2024-01-01");
	shared_key(&r[6], 9);
	assert_int_equal(fs_score(&rs, r, 7, d("2024-03-01"), &c), FS_OK);
	assert_int_equal(c.dims[FS_DIM_NEGATIVE], -50);
	assert_int_equal(r[0].status, FS_REC_COUNTED);
	assert_int_equal(r[1].status, FS_REC_DUPLICATE);
	assert_int_equal(c.dims[FS_DIM_POSITIVE], 20);
	assert_int_equal(c.nshared, 2);
	assert_int_equal(c.shared[0].behavior_key[0], 7);
	assert_int_equal(c.shared[0].dim, FS_DIM_NEGATIVE);
	assert_int_equal(c.shared[0].points, -100);
	assert_int_equal(r[5].status, FS_REC_DUPLICATE);
	assert_int_equal(c.shared[1].behavior_key[0], 9);
	assert_int_equal(c.shared[1].points, 30);
	assert_int_equal(c.counted, 5);
	assert_int_equal(c.considered, 7);
	fs_contribution_fini(&c);
	fs_ruleset_fini(&rs);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_score_validity),
		cmocka_unit_test(test_score_repair_and_disputes),
		cmocka_unit_test(test_score_one_behavior_counts_once),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
