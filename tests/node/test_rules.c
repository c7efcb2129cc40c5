// SPDX-License-Identifier: Apache-2.0
//
// test_rules.c -- rules files: the version is the content, and every
// refusal names its line.

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

static void
test_rules_version_is_content(void **state)
{
	fs_ruleset a, b;
	char       why[FS_WHY_MAX];

	(void) state;
	assert_int_equal(parse_rules(rules_csv, &a, why), FS_OK);
	assert_int_equal(a.n, 4);
	assert_int_equal(fs_ruleset_find(&a, "NEG")->valid_days, 1095);
	assert_int_equal(fs_ruleset_find(&a, "SH")->repair_bonus, 10);
	assert_true(fs_ruleset_find(&a, "SH")->shared);
	assert_null(fs_ruleset_find(&a, "NOPE"));
	assert_int_equal(strlen(a.version), 32);
	// Another order, quoting and line ends: the same version.
	assert_int_equal(
	    parse_rules("code,name,dimension,points,valid_days,severe,shared,"
	                "repair_bonus\r\n"
	                "\"SHP\",见义勇为,positive,30,1095,0,1,0\r\n"
	                "POS,志愿服务,positive,+10,365,0,0,\r\n"
	                "SH,失信被执行人,negative,-100,1825,1,1,10\r\n"
	                "NEG,\"违法\",negative,-50,1095,1,0,5\r\n",
	        &b, why),
	    FS_OK);
	assert_string_equal(a.version, b.version);
	fs_ruleset_fini(&b);
	assert_int_equal(parse_rules("code,name,dimension,points,valid_days,"
	                             "severe,shared,repair_bonus\n"
	                             "NEG,违法,negative,-51,,1,0,5\n",
	                     &b, why),
	    FS_OK);
	assert_string_not_equal(a.version, b.version);
	fs_ruleset_fini(&a);
	fs_ruleset_fini(&b);
}

static void
test_rules_refused_with_line(void **state)
{
	static const char h[]
	    = "code,name,dimension,points,valid_days,severe,shared,"
	      "repair_bonus\n";
	static const struct {
		const char *rows;
		const char *want;
	} cases[] = {
		{ "A,n,negative,5,,0,0,\n",
		    "rules.csv:2: expected points <= 0 for dimension negative, "
		    "found 5" },
		{ "A,n,positive,-5,,0,0,\n",
		    "rules.csv:2: expected points >= 0 for dimension "
		    "positive" },
		{ "A,n,bad,-5,,0,0,\n",
		    "rules.csv:2: expected dimension basic, positive, "
		    "negative, "
		    "repair or usage, found 'bad'" },
		{ "A,n,negative,-5,,2,0,\n",
		    "rules.csv:2: expected severe 0 or 1, found '2'" },
		{ "A,n,negative,-5,0,0,0,\n",
		    "rules.csv:2: expected valid_days empty (1095) or from 1" },
		{ "A,n,negative,x,,0,0,\n",
		    "rules.csv:2: expected points as an integer" },
		{ "A,n,negative,-5,,0,0,\nA,m,negative,-5,,0,0,\n",
		    "rules.csv:3: expected each code once, found 'A' again" },
		{ "A b,n,negative,-5,,0,0,\n", "rules.csv:2: expected a code" },
		{ "A,,negative,-5,,0,0,\n", "rules.csv:2: expected a name" },
		{ "A,n,positive,5,,1,0,\n",
		    "rules.csv:2: expected severe 0 for dimension positive" },
		{ "A,n,positive,5,,0,0,3\n",
		    "rules.csv:2: expected repair_bonus 0 for dimension "
		    "positive" },
		{ "A,n,negative,-5,,0,0\n",
		    "rules.csv:2: expected 8 fields, found 7" },
		{ "", "rules.csv:2: expected at least one rule" },
	};
	char why[FS_WHY_MAX], text[512];

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fs_ruleset rs;

		snprintf(text, sizeof(text), "%s%s", h, cases[i].rows);
		if (parse_rules(text, &rs, why) == FS_OK
		    || strstr(why, cases[i].want) == NULL) {
			fail_msg("case %zu: '%s'", i, why);
		}
	}
	assert_int_not_equal(parse_rules("code,name\n", NULL, why), FS_OK);
	assert_non_null(strstr(why,
	    "rules.csv:1: expected the header "
	    "'code,name,dimension"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_version_is_content),
		cmocka_unit_test(test_rules_refused_with_line),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
