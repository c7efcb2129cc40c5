// SPDX-License-Identifier: Apache-2.0
//
// test_aggregate.c -- aggregation by the scheme: one behavior reported by
// several nodes counts once, and scores are clamped to the scale and
// tiered.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "tests/wire/scheme_sample.h"
#include "wire/lookup.h"
#include "wire/scheme.h"

static fs_shared_item
item(uint8_t key, fs_dim d, int64_t points)
{
	fs_shared_item it = { .dim = d, .points = points };

	memset(it.behavior_key, key, sizeof(it.behavior_key));
	return (it);
}

static void
test_aggregate_dedup_across_nodes(void **state)
{
	fs_scheme s;
	fs_score  r;
	// Court and tax report the same default (key 1): -100 and -60; the
	// same volunteering (key 2) is reported +10 and +30; a third behavior
	// (key 3) only by tax.
	fs_shared_item court_items[]
	    = { item(1, FS_DIM_NEGATIVE, -100), item(2, FS_DIM_POSITIVE, 10) };
	fs_shared_item         tax_items[] = { item(1, FS_DIM_NEGATIVE, -60),
		        item(2, FS_DIM_POSITIVE, 30), item(3, FS_DIM_NEGATIVE, -5) };
	fs_contribution        court       = { .dims = { 0, 20, -10, 0, 0 },
		             .shared                 = court_items,
		             .nshared                = 2,
		             .counted                = 3 };
	fs_contribution        tax         = { .dims = { 0, 0, 0, 15, 0 },
		               .shared               = tax_items,
		               .nshared              = 3,
		               .disputed             = true,
		               .counted              = 4 };
	const fs_contribution *c[]         = { &court, &tax };

	(void) state;
	load(&s, yuxi);
	fs_aggregate(&r, &s, c, 2);
	// Largest deduction -100 (not -160), largest addition +30 (not +40).
	assert_int_equal(r.dims[FS_DIM_NEGATIVE], -10 - 100 - 5);
	assert_int_equal(r.dims[FS_DIM_POSITIVE], 20 + 30);
	assert_int_equal(r.dims[FS_DIM_REPAIR], 15);
	assert_int_equal(r.score, 500 - 115 + 50 + 15);
	assert_true(r.disputed);
	assert_int_equal(r.counted, 7);
	assert_string_equal(r.tier->name, "poor");
	// The order in which nodes answer does not matter.
	c[0] = &tax;
	c[1] = &court;
	{
		fs_score r2;

		fs_aggregate(&r2, &s, c, 2);
		assert_int_equal(r2.score, r.score);
	}
}

static void
test_aggregate_clamp_and_tiers(void **state)
{
	static const struct {
		int64_t     delta;
		int64_t     score;
		const char *tier;
	} cases[] = {
		{ -600, 0, "poor" },
		{ -501, 0, "poor" },
		{ -1, 499, "poor" },
		{ 0, 500, "fair" },
		{ 99, 599, "fair" },
		{ 100, 600, "good" },
		{ 299, 799, "good" },
		{ 300, 800, "excellent" },
		{ 500, 1000, "excellent" },
		{ 900, 1000, "excellent" },
	};
	fs_scheme s;

	(void) state;
	load(&s, yuxi);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fs_contribution        one = { .dims = { cases[i].delta } };
		const fs_contribution *c[] = { &one };
		fs_score               r;

		fs_aggregate(&r, &s, c, 1);
		assert_int_equal(r.raw, 500 + cases[i].delta);
		assert_int_equal(r.score, cases[i].score);
		assert_string_equal(r.tier->name, cases[i].tier);
	}
	// No node answered: the base alone.
	{
		fs_score r;

		fs_aggregate(&r, &s, NULL, 0);
		assert_int_equal(r.score, 500);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregate_dedup_across_nodes),
		cmocka_unit_test(test_aggregate_clamp_and_tiers),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
