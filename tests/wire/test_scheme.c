// SPDX-License-Identifier: Apache-2.0
//
// test_scheme.c -- schemes: parsing, the refusals with what they expected,
// and the presets in deploy/schemes.

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
#include "tests/wire/scheme_sample.h"
#include "wire/scheme.h"

static void
test_scheme_parse(void **state)
{
	fs_scheme s;

	(void) state;
	load(&s, yuxi);
	assert_string_equal(s.id, "yuxi");
	assert_int_equal(s.base, 500);
	assert_int_equal(s.ntiers, 4);
	assert_string_equal(s.tiers[0].name, "excellent");
	assert_int_equal(s.default_valid_days, 1095);
	// Every node must answer unless the scheme says otherwise.
	assert_true(s.require_all);
	assert_int_equal(s.deadline_ms, 2000);
	assert_true(fs_scheme_allows(&s, "rental"));
	assert_false(fs_scheme_allows(&s, "punishment"));
	assert_int_equal(strlen(s.hash), 16);
	{
		char partial[4096];

		// A partial score only when the scheme says so.
		snprintf(partial, sizeof(partial), "%.*srequire_all = false\n",
		    (int) (strstr(yuxi, "[tier") - yuxi), yuxi);
		strcat(partial, strstr(yuxi, "[tier"));
		load(&s, partial);
		assert_false(s.require_all);
	}
}

static void
test_scheme_refusals(void **state)
{
	static const struct {
		const char *text;
		const char *want;
	} cases[] = {
		{ "[scheme]\nid=a\nversion=1\nregion=r\nscale_min=0\nscale_max="
		  "1000\n"
		  "base=500\npurposes=x\n[tier low]\nlabel=l\nmin=10\n",
		    "lowest starts at scale_min" },
		{ "[scheme]\nid=a\nversion=1\nregion=r\nscale_min=0\nscale_max="
		  "1000\n"
		  "base=2000\npurposes=x\n[tier low]\nlabel=l\nmin=0\n",
		    "base within the scale" },
		{ "[scheme]\nid=a\nversion=1\nregion=r\nscale_min=0\nscale_max="
		  "1000\n"
		  "base=500\npurposes=x\ncolour=red\n",
		    "'colour' is not a setting" },
		{ "[scheme]\nid=a\nversion=1\nregion=r\nscale_min=0\nscale_max="
		  "1000\n"
		  "base=500\npurposes=x\n[tier a]\nlabel=l\nmin=0\n[tier b]\n"
		  "label=m\nmin=0\n",
		    "start at the same score" },
		{ "[scheme]\nid=a\nversion=1\nregion=r\nscale_min=0\nscale_max="
		  "1000\n"
		  "base=500\npurposes=x\ndeadline=2 hours\n[tier "
		  "a]\nlabel=l\nmin=0\n",
		    "expected deadline" },
		{ "[scheme]\nid=a\nversion=1\nregion=r\nscale_min=0\nscale_max="
		  "1000\n"
		  "base=500\n",
		    "needs 'purposes" },
	};
	fs_scheme s;
	char      why[FS_WHY_MAX];

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(
		    fs_scheme_parse(&s, cases[i].text, strlen(cases[i].text),
		        "t.scheme", why, sizeof(why)),
		    FS_ERR_CONFIG);
		if (strstr(why, cases[i].want) == NULL) {
			fail_msg("case %zu: expected '%s' in '%s'", i,
			    cases[i].want, why);
		}
	}
}

// The presets in deploy/schemes load, and say what the policies say.
static void
test_presets(void **state)
{
	static const char *cities[]
	    = { "changzhou", "sanming", "shaoxing", "yuxi", "jiangyin" };
	const char *dir = getenv("FS_SCHEMES");
	char        path[4096], why[FS_WHY_MAX];
	fs_scheme   s;

	(void) state;
	assert_non_null(dir);
	for (size_t i = 0; i < sizeof(cities) / sizeof(cities[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.conf", dir, cities[i]);
		if (fs_scheme_load(&s, path, why, sizeof(why)) != FS_OK) {
			fail_msg("%s", why);
		}
		assert_string_equal(s.id, cities[i]);
		assert_int_equal(s.scale_min, 0);
		assert_int_equal(s.scale_max, 1000);
		assert_true(fs_scheme_allows(&s, "self"));
		// No scheme serves punishment or screening.
		assert_false(fs_scheme_allows(&s, "punishment"));
		assert_false(fs_scheme_allows(&s, "procurement"));
	}
	snprintf(path, sizeof(path), "%s/yuxi.conf", dir);
	assert_int_equal(fs_scheme_load(&s, path, why, sizeof(why)), FS_OK);
	assert_int_equal(s.base, 500);
	assert_int_equal(s.default_valid_days, 1095);
	assert_string_equal(fs_scheme_tier(&s, 800)->label, "信用优秀");
	assert_string_equal(fs_scheme_tier(&s, 799)->label, "信用良好");
	assert_string_equal(fs_scheme_tier(&s, 600)->label, "信用良好");
	assert_string_equal(fs_scheme_tier(&s, 599)->label, "信用一般");
	assert_string_equal(fs_scheme_tier(&s, 500)->label, "信用一般");
	assert_string_equal(fs_scheme_tier(&s, 499)->label, "信用不足");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scheme_parse),
		cmocka_unit_test(test_scheme_refusals),
		cmocka_unit_test(test_presets),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
