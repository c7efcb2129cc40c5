// SPDX-License-Identifier: Apache-2.0
//
// test_coordinator.c -- schemes, aggregation by the scheme, and the
// requester's signed request and the coordinator's signed answer.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/conf.h"
#include "common/err.h"
#include "coordinator/coordinator.h"
#include "crypto/key.h"
#include "wire/lookup.h"
#include "wire/request.h"
#include "wire/scheme.h"
#include "wire/token.h"

// Yuxi's published values (art. 12-13): base 500, tiers at 800/600/500.
static const char yuxi[] = "[scheme]\n"
                           "id = yuxi\nversion = t1\nregion = yuxi\n"
                           "scale_min = 0\nscale_max = 1000\nbase = 500\n"
                           "purposes = credit_loan rental self\n"
                           "[tier excellent]\nlabel = 优秀\nmin = 800\n"
                           "[tier good]\nlabel = 良好\nmin = 600\n"
                           "[tier fair]\nlabel = 一般\nmin = 500\n"
                           "[tier poor]\nlabel = 不足\nmin = 0\n";

static void
load(fs_scheme *s, const char *text)
{
	char why[FS_WHY_MAX];

	if (fs_scheme_parse(s, text, strlen(text), "t.scheme", why, sizeof(why))
	    != FS_OK) {
		fail_msg("scheme: %s", why);
	}
}

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
		char partial[sizeof(yuxi) + 32];

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

static void
test_request_and_answer_tokens(void **state)
{
	fs_key    *rq, *co, *other;
	fs_request r;
	char      *tok, *ans, *json;
	uint8_t    kid[FS_KID_BYTES];
	int64_t    now = 1795000000;

	(void) state;
	assert_int_equal(fs_key_generate(&rq), FS_OK);
	assert_int_equal(fs_key_generate(&co), FS_OK);
	assert_int_equal(fs_key_generate(&other), FS_OK);
	assert_int_equal(
	    fs_request_sign(&tok, rq, "v4.public.consent", "tier", "yuxi", now),
	    FS_OK);
	assert_int_equal(fs_token_kid(kid, tok, strlen(tok)), FS_OK);
	assert_memory_equal(kid, fs_key_public(rq)->kid, FS_KID_BYTES);
	assert_int_equal(fs_request_verify(&r, tok, strlen(tok),
	                     fs_key_public(rq), "yuxi", now + 10, 300),
	    FS_OK);
	assert_string_equal(r.consent, "v4.public.consent");
	assert_string_equal(r.scope, "tier");
	assert_int_equal(r.iat, now);
	// Another region, another key, a stale request.
	assert_int_equal(fs_request_verify(&r, tok, strlen(tok),
	                     fs_key_public(rq), "changzhou", now, 300),
	    FS_ERR_BAD_SIGNATURE);
	assert_int_equal(fs_request_verify(&r, tok, strlen(tok),
	                     fs_key_public(other), "yuxi", now, 300),
	    FS_ERR_BAD_SIGNATURE);
	assert_int_equal(fs_request_verify(&r, tok, strlen(tok),
	                     fs_key_public(rq), "yuxi", now + 301, 300),
	    FS_ERR_CLOCK_SKEW);
	// A request is not an answer, nor the other way round.
	assert_int_equal(fs_answer_verify(&json, tok, strlen(tok),
	                     fs_key_public(rq), "yuxi"),
	    FS_ERR_BAD_SIGNATURE);
	assert_int_equal(
	    fs_answer_sign(&ans, co, "{\"score\":1}", "yuxi"), FS_OK);
	assert_int_equal(fs_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "yuxi"),
	    FS_OK);
	assert_string_equal(json, "{\"score\":1}");
	free(json);
	assert_int_equal(fs_request_verify(&r, ans, strlen(ans),
	                     fs_key_public(co), "yuxi", now, 300),
	    FS_ERR_BAD_SIGNATURE);
	// Nor does a lookup answer pass for a recognition's, or back.
	assert_int_equal(fs_recognition_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "yuxi"),
	    FS_ERR_BAD_SIGNATURE);
	free(ans);
	assert_int_equal(fs_recognition_answer_sign(
	                     &ans, co, "{\"recognized\":true}", "yuxi"),
	    FS_OK);
	assert_int_equal(fs_recognition_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "yuxi"),
	    FS_OK);
	assert_string_equal(json, "{\"recognized\":true}");
	free(json);
	assert_int_equal(fs_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "yuxi"),
	    FS_ERR_BAD_SIGNATURE);
	assert_int_equal(fs_recognition_answer_verify(&json, ans, strlen(ans),
	                     fs_key_public(co), "changzhou"),
	    FS_ERR_BAD_SIGNATURE);
	free(tok);
	free(ans);
	fs_key_free(rq);
	fs_key_free(co);
	fs_key_free(other);
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
		cmocka_unit_test(test_aggregate_dedup_across_nodes),
		cmocka_unit_test(test_aggregate_clamp_and_tiers),
		cmocka_unit_test(test_request_and_answer_tokens),
		cmocka_unit_test(test_presets),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
