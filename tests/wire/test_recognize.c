// SPDX-License-Identifier: Apache-2.0
//
// test_recognize.c -- recognition of another region's attestation: the
// mapping rules, and every refusal with its own error.

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
#include "tests/keys.h"
#include "tests/wire/attest_sample.h"
#include "wire/attest.h"
#include "wire/recognize.h"
#include "wire/trust.h"

static fs_err
recognize(const fs_trust *t, const char *tok, int64_t now, fs_recognition *r,
    char *why)
{
	fs_recognition x;

	return (fs_recognize(
	    r != NULL ? r : &x, t, tok, strlen(tok), now, why, FS_WHY_MAX));
}

static void
test_recognize_map(void **state)
{
	fs_key        *k = key_from_byte(1), *old = key_from_byte(3);
	char           buf[2048], why[FS_WHY_MAX];
	fs_trust      *t;
	fs_attestation a;
	fs_recognition r;
	char          *tok;

	(void) state;
	// map.good = b: the tier decides, not the score.
	trust_text(buf, sizeof(buf), k, old, "score = linear\n");
	t = trust(buf);
	sample(&a, "yuxi");
	tok = sign(k, &a);
	assert_int_equal(recognize(t, tok, NOW, &r, why), FS_OK);
	assert_string_equal(r.local.name, "b");
	assert_string_equal(r.local.label, "B");
	assert_false(r.by_score);
	assert_string_equal(r.rule, "map.good = b");
	assert_string_equal(r.att.tier.name, "good");
	assert_int_equal(r.att.log_index, 12);
	free(tok);
	// fair is not mapped: linear, 550 of 0..1000 is 55 of 0..100: c.
	a.score = 550;
	a.tier  = *fs_attest_tier_of(&a, 550);
	tok     = sign(k, &a);
	assert_int_equal(recognize(t, tok, NOW, &r, why), FS_OK);
	assert_true(r.by_score);
	assert_int_equal(r.local_score, 55);
	assert_string_equal(r.local.name, "c");
	assert_string_equal(r.rule, "score = linear");
	free(tok);
	// Without the score (the credit code) only a map line can apply.
	a.has_score = false;
	tok         = sign(k, &a);
	assert_int_equal(recognize(t, tok, NOW, &r, why), FS_ERR_REFUSED);
	assert_non_null(strstr(why, "maps no tier fair of region yuxi"));
	assert_non_null(strstr(why, "no score"));
	free(tok);
	fs_trust_free(t);

	// Linear rounds down: 899 of 0..1000 is 89.9, so 89, tier b; 900
	// is 90, tier a; the ends map to the ends.
	trust_text(buf, sizeof(buf), k, old, "");
	{
		char *p = strstr(buf, "map.excellent");

		strcpy(p, "score = linear\n");
	}
	t = trust(buf);
	for (int i = 0; i < 4; i++) {
		static const struct {
			int64_t     score, local;
			const char *tier;
		} want[] = { { 899, 89, "b" }, { 900, 90, "a" },
			{ 1000, 100, "a" }, { 0, 0, "c" } };

		sample(&a, "yuxi");
		a.score = want[i].score;
		a.tier  = *fs_attest_tier_of(&a, a.score);
		tok     = sign(k, &a);
		assert_int_equal(recognize(t, tok, NOW, &r, why), FS_OK);
		assert_int_equal(r.local_score, want[i].local);
		assert_string_equal(r.local.name, want[i].tier);
		free(tok);
	}
	fs_trust_free(t);
	fs_key_free(k);
	fs_key_free(old);
}

static void
test_recognize_refusals(void **state)
{
	fs_key        *k = key_from_byte(1), *old = key_from_byte(3);
	fs_key        *stranger = key_from_byte(6), *sanming = key_from_byte(7);
	char           buf[2048], why[FS_WHY_MAX], extra[512];
	char           pk[FS_PASERK_PUBLIC_LEN + 1];
	fs_trust      *t;
	fs_attestation a;
	fs_recognition r;
	char          *tok;
	size_t         body;

	(void) state;
	fs_paserk_public(pk, fs_key_public(sanming)->pk);
	snprintf(extra, sizeof(extra),
	    "[region sanming]\nkey = %s\nscore = linear\n"
	    "not_before = 2026-01-01T00:00:00Z\n"
	    "not_after = 2026-06-01T00:00:00Z\n",
	    pk);
	trust_text(buf, sizeof(buf), k, old, extra);
	t = trust(buf);

	// A region the list does not hold.
	sample(&a, "shaoxing");
	tok = sign(stranger, &a);
	assert_int_equal(
	    recognize(t, tok, NOW, NULL, why), FS_ERR_UNREGISTERED);
	assert_non_null(strstr(why, "region shaoxing is not in the trust"));
	free(tok);
	// A region it holds, with a key it does not.
	sample(&a, "yuxi");
	tok = sign(stranger, &a);
	assert_int_equal(recognize(t, tok, NOW, NULL, why), FS_ERR_WRONG_KEY);
	free(tok);
	// A retired key.
	tok = sign(old, &a);
	assert_int_equal(recognize(t, tok, NOW, NULL, why), FS_ERR_REVOKED);
	assert_non_null(strstr(why, "retired key of region yuxi"));
	free(tok);
	// Altered: the claims, then the signature.
	tok  = sign(k, &a);
	body = 10 + strcspn(tok + 10, ".");
	for (size_t at = body / 2; at < body; at += body / 2 - 3) {
		char saved = tok[at];

		tok[at] = saved == 'A' ? 'B' : 'A';
		assert_int_equal(
		    recognize(t, tok, NOW, NULL, why), FS_ERR_BAD_SIGNATURE);
		assert_non_null(strstr(why, "altered"));
		tok[at] = saved;
	}
	// Genuine: recognized until exp (skew 0s), then expired -- and so
	// is every replay of it after that.
	assert_int_equal(recognize(t, tok, NOW + 599, &r, why), FS_OK);
	assert_int_equal(recognize(t, tok, NOW + 600, &r, why), FS_ERR_EXPIRED);
	assert_non_null(strstr(why, "expired at 2026-11-23T10:10:00Z"));
	assert_int_equal(
	    recognize(t, tok, NOW + 86400, &r, why), FS_ERR_EXPIRED);
	assert_int_equal(
	    recognize(t, tok, NOW - 1, &r, why), FS_ERR_NOT_YET_VALID);
	free(tok);
	// Outside the region's window: trust ended, or not begun.
	sample(&a, "sanming");
	a.iat = a.exp - 1 - 400 * 86400;
	a.exp = a.iat + 600;
	tok   = sign(sanming, &a);
	assert_int_equal(
	    recognize(t, tok, a.iat, &r, why), FS_ERR_NOT_YET_VALID);
	assert_non_null(strstr(why, "trusts region sanming from"));
	free(tok);
	sample(&a, "sanming");
	tok = sign(sanming, &a);
	assert_int_equal(recognize(t, tok, NOW, &r, why), FS_ERR_EXPIRED);
	assert_non_null(strstr(why, "trusted region sanming until"));
	free(tok);
	// The key of one region claiming to be another.
	sample(&a, "yuxi");
	tok = sign(sanming, &a);
	assert_int_equal(recognize(t, tok, INT64_C(1770000000), &r, why),
	    FS_ERR_WRONG_REGION);
	free(tok);
	// Garbage.
	assert_int_equal(
	    recognize(t, "v4.local.AAAA", NOW, &r, why), FS_ERR_VERSION);
	assert_int_equal(
	    recognize(t, "v4.public.AAAA", NOW, &r, why), FS_ERR_TRUNCATED);
	fs_trust_free(t);
	fs_key_free(k);
	fs_key_free(old);
	fs_key_free(stranger);
	fs_key_free(sanming);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recognize_map),
		cmocka_unit_test(test_recognize_refusals),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
