// SPDX-License-Identifier: Apache-2.0
//
// test_trust.c -- trust lists: parsing, refusals with their line, the
// credit office's signature, and the binding to the local scheme.

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
#include "wire/note.h"
#include "wire/scheme.h"
#include "wire/trust.h"

static void
test_trust_parse(void **state)
{
	fs_key                *k = key_from_byte(1), *old = key_from_byte(3);
	char                   buf[2048];
	fs_trust              *t;
	const fs_trust_region *r;

	(void) state;
	trust_text(buf, sizeof(buf), k, old,
	    "score = linear\n[region sanming]\nkey = "
	    "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
	    "not_before = 2026-01-01T00:00:00+08:00\n"
	    "not_after = 2026-06-01T00:00:00Z\nscore = linear\n");
	t = trust(buf);
	assert_string_equal(fs_trust_local(t), "changzhou");
	assert_string_equal(fs_trust_scheme_path(t), "/etc/fs/changzhou.conf");
	assert_string_equal(fs_trust_scheme(t)->id, "changzhou");
	assert_int_equal(fs_trust_skew(t), 0);
	assert_int_equal(fs_trust_count(t), 2);
	r = fs_trust_region_find(t, "yuxi");
	assert_non_null(r);
	assert_memory_equal(r->key.pk, fs_key_public(k)->pk, FS_PK_BYTES);
	assert_int_equal(r->nretired, 1);
	assert_memory_equal(
	    r->retired[0].pk, fs_key_public(old)->pk, FS_PK_BYTES);
	assert_int_equal(r->not_before, INT64_C(1767225600));
	assert_int_equal(r->nmaps, 2);
	assert_string_equal(r->maps[1].foreign, "good");
	assert_string_equal(r->maps[1].local, "b");
	assert_true(r->linear);
	r = fs_trust_region_at(t, 1);
	assert_string_equal(r->id, "sanming");
	assert_int_equal(r->not_before, INT64_C(1767196800));
	assert_null(fs_trust_region_at(t, 2));
	assert_null(fs_trust_region_find(t, "shaoxing"));
	fs_trust_free(t);
	fs_trust_free(NULL);
	fs_key_free(k);
	fs_key_free(old);
}

static void
test_trust_refusals(void **state)
{
	static const struct {
		const char *extra; // after the sample's lines
		const char *want;  // in the message
	} cases[] = {
		{ "colour = red\n", ":13: 'colour' is not a setting" },
		{ "score = log\n", ":13: expected score = linear" },
		{ "map.good = c\n", "'map.good' is already set on line 12" },
		{ "map.fair = c d\n", ":13: expected map." },
		{ "[region yuxi]\n", "region yuxi is already listed" },
		{ "[region changzhou]\n", "does not recognize itself" },
		{ "[region]\n", "expected [region ID]" },
		{ "[region x]\nkey = k4.public.AAAA\nscore = linear\n"
		  "not_before = 2026-01-01T00:00:00Z\n"
		  "not_after = 2027-01-01T00:00:00Z\n",
		    ":14: expected key as k4" },
		{ "[region x]\nmap.a = b\nnot_before = 2026-01-01T00:00:00Z\n"
		  "not_after = 2027-01-01T00:00:00Z\n",
		    "section [region x] needs 'key" },
		{ "[region x]\nscore = linear\nkey = "
		  "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
		  "not_before = 2026-01-01\nnot_after = 2027-01-01T00:00:00Z\n",
		    ":16: expected not_before as an RFC 3339 time" },
		{ "[region x]\nscore = linear\nkey = "
		  "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
		  "not_before = 2027-01-01T00:00:00Z\n"
		  "not_after = 2027-01-01T00:00:00Z\n",
		    "not_before before not_after" },
		{ "[region x]\nkey = "
		  "k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
		  "not_before = 2026-01-01T00:00:00Z\n"
		  "not_after = 2027-01-01T00:00:00Z\n",
		    "region x has no recognition rule" },
		{ "[issuer]\nurl = x\n", "found [issuer]" },
		{ "[trust]\nlocal = x\n", "found [trust]" },
	};
	fs_key   *k = key_from_byte(1), *old = key_from_byte(3);
	char      buf[2048], why[FS_WHY_MAX];
	char      pk[FS_PASERK_PUBLIC_LEN + 1];
	fs_trust *t;

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		trust_text(buf, sizeof(buf), k, old, cases[i].extra);
		why[0] = '\0';
		assert_int_equal(fs_trust_parse(&t, buf, strlen(buf), "t.list",
		                     why, sizeof(why)),
		    FS_ERR_CONFIG);
		if (strstr(why, cases[i].want) == NULL) {
			fail_msg("case %zu: expected '%s' in '%s'", i,
			    cases[i].want, why);
		}
	}
	// One key, one region: the key of another region, or a retired
	// key, again.
	fs_paserk_public(pk, fs_key_public(k)->pk);
	snprintf(why, sizeof(why),
	    "[region x]\nscore = linear\nkey = %s\n"
	    "not_before = 2026-01-01T00:00:00Z\n"
	    "not_after = 2027-01-01T00:00:00Z\n",
	    pk);
	trust_text(buf, sizeof(buf), k, old, why);
	assert_int_equal(
	    fs_trust_parse(&t, buf, strlen(buf), "t.list", why, sizeof(why)),
	    FS_ERR_CONFIG);
	assert_non_null(strstr(why, "a key of region x is listed again"));
	trust_text(buf, sizeof(buf), k, k, "");
	assert_int_equal(
	    fs_trust_parse(&t, buf, strlen(buf), "t.list", why, sizeof(why)),
	    FS_ERR_CONFIG);
	// No [trust], no region, no local.
	assert_int_equal(fs_trust_parse(&t, "[trust]\nlocal = a\nscheme = b\n",
	                     29, "t.list", why, sizeof(why)),
	    FS_ERR_CONFIG);
	assert_non_null(strstr(why, "1 to 64 [region ID]"));
	assert_int_equal(fs_trust_parse(&t, "", 0, "t.list", why, sizeof(why)),
	    FS_ERR_CONFIG);
	fs_key_free(k);
	fs_key_free(old);
}

static void
test_trust_signed(void **state)
{
	fs_key   *k = key_from_byte(1), *old = key_from_byte(3);
	fs_key   *office = key_from_byte(4), *other = key_from_byte(5);
	char      buf[2048], why[FS_WHY_MAX];
	char     *note;
	size_t    nlen;
	fs_trust *t;

	(void) state;
	trust_text(buf, sizeof(buf), k, old, "");
	assert_int_equal(fs_note_sign(&note, &nlen, buf, strlen(buf),
	                     FS_TRUST_OFFICE_NAME, office),
	    FS_OK);
	assert_int_equal(
	    fs_trust_open(&t, note, nlen, "t.list", fs_key_public(office),
	        FS_TRUST_OFFICE_NAME, why, sizeof(why)),
	    FS_OK);
	assert_string_equal(fs_trust_local(t), "changzhou");
	assert_null(fs_trust_scheme(t)); // not bound yet
	fs_trust_free(t);
	// Another office, or the same key under another name.
	assert_int_equal(
	    fs_trust_open(&t, note, nlen, "t.list", fs_key_public(other),
	        FS_TRUST_OFFICE_NAME, why, sizeof(why)),
	    FS_ERR_WRONG_KEY);
	assert_non_null(strstr(why, "not signed by the credit office"));
	assert_int_equal(fs_trust_open(&t, note, nlen, "t.list",
	                     fs_key_public(office), "office", why, sizeof(why)),
	    FS_ERR_WRONG_KEY);
	// A mapping changed after signing.
	*strstr(note, "map.good = b") = 'M';
	assert_int_equal(
	    fs_trust_open(&t, note, nlen, "t.list", fs_key_public(office),
	        FS_TRUST_OFFICE_NAME, why, sizeof(why)),
	    FS_ERR_BAD_SIGNATURE);
	assert_non_null(strstr(why, "altered"));
	// Text without a signature.
	assert_int_equal(
	    fs_trust_open(&t, buf, strlen(buf), "t.list", fs_key_public(office),
	        FS_TRUST_OFFICE_NAME, why, sizeof(why)),
	    FS_ERR_MALFORMED);
	free(note);
	fs_key_free(k);
	fs_key_free(old);
	fs_key_free(office);
	fs_key_free(other);
}

static void
test_trust_bind(void **state)
{
	fs_key   *k = key_from_byte(1), *old = key_from_byte(3);
	char      buf[2048], why[FS_WHY_MAX];
	fs_trust *t;
	fs_scheme s;

	(void) state;
	trust_text(buf, sizeof(buf), k, old, "map.fair = z\n");
	assert_int_equal(
	    fs_trust_parse(&t, buf, strlen(buf), "t.list", why, sizeof(why)),
	    FS_OK);
	scheme(&s, changzhou);
	assert_int_equal(fs_trust_bind(t, &s, why, sizeof(why)), FS_ERR_CONFIG);
	assert_non_null(
	    strstr(why, "maps tier fair to z, which is not a tier"));
	scheme(&s, yuxi);
	assert_int_equal(fs_trust_bind(t, &s, why, sizeof(why)), FS_ERR_CONFIG);
	assert_non_null(strstr(why, "for region changzhou"));
	fs_trust_free(t);
	fs_key_free(k);
	fs_key_free(old);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trust_parse),
		cmocka_unit_test(test_trust_refusals),
		cmocka_unit_test(test_trust_signed),
		cmocka_unit_test(test_trust_bind),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
