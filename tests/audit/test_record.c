// SPDX-License-Identifier: Apache-2.0
//
// test_record.c -- full records against the log's entries and their consent
// tokens, entries refused, and disclosures after a revocation.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "tests/audit/fixture.h"
#include "wire/revocations.h"
#include "wire/token.h"

static fs_err
check_record(fixture *f, char *why)
{
	fs_claims c;

	return (fs_audit_record_check(&f->r, f->r.entry, f->r.entry_len,
	    fs_key_public(f->issuer), REGION, &c, why, FS_WHY_MAX));
}

static void
test_record_check(void **state)
{
	fixture f;
	char    why[FS_WHY_MAX];
	fs_key *other;

	(void) state;
	assert_int_equal(fs_key_generate(&f.issuer), FS_OK);
	assert_int_equal(fs_key_generate(&other), FS_OK);

	make(
	    &f, "bank-a", "credit_loan", FS_SCOPE_BREAKDOWN, "score", T0 + 600);
	assert_int_equal(check_record(&f, why), FS_OK);
	// Not the log's entry.
	{
		fs_claims c;
		char     *e = strdup(f.r.entry);

		e[2] ^= 1;
		assert_int_equal(
		    fs_audit_record_check(&f.r, e, strlen(e),
		        fs_key_public(f.issuer), REGION, &c, why, sizeof(why)),
		    FS_ERR_BAD_PROOF);
		free(e);
	}
	// A salt that does not open the commitment.
	f.r.salt[0] ^= 1;
	assert_int_equal(check_record(&f, why), FS_ERR_BAD_PROOF);
	assert_non_null(strstr(why, "subject commitment"));
	f.r.salt[0] ^= 1;
	// Another issuer key.
	{
		fs_claims c;

		assert_int_equal(
		    fs_audit_record_check(&f.r, f.r.entry, f.r.entry_len,
		        fs_key_public(other), REGION, &c, why, sizeof(why)),
		    FS_ERR_WRONG_KEY);
	}
	unmake(&f);

	// Expired before the entry's time (beyond the allowed skew).
	make(&f, "bank-a", "credit_loan", FS_SCOPE_SCORE, "score",
	    T0 + 5 - FS_SKEW_DEFAULT);
	assert_int_equal(check_record(&f, why), FS_ERR_EXPIRED);
	assert_non_null(strstr(why, "not valid at the entry's time"));
	unmake(&f);
	// A scope the consent does not cover.
	make(&f, "bank-a", "credit_loan", FS_SCOPE_TIER, "breakdown", T0 + 600);
	assert_int_equal(check_record(&f, why), FS_ERR_SCOPE);
	unmake(&f);
	assert_true(fs_audit_scope_covers(FS_SCOPE_SCORE, "tier"));
	assert_false(fs_audit_scope_covers(FS_SCOPE_SELF, "tier"));
	assert_false(fs_audit_scope_covers(FS_SCOPE_BREAKDOWN, "self"));
	// An attest consent answers with an attestation of the tier and
	// score, or of the tier only (the credit code): as the coordinator
	// allows, never a plain score.
	assert_true(fs_audit_scope_covers(FS_SCOPE_ATTEST, "attest"));
	assert_true(fs_audit_scope_covers(FS_SCOPE_ATTEST, "tier"));
	assert_false(fs_audit_scope_covers(FS_SCOPE_ATTEST, "score"));
	assert_false(fs_audit_scope_covers(FS_SCOPE_SCORE, "attest"));
	fs_key_free(f.issuer);
	fs_key_free(other);
}

static void
test_entry_parse(void **state)
{
	fs_audit_entry e;
	// A format this auditor does not know, an interrupted entry of
	// format 1, and an interrupted entry that claims answers.
	const char *bad[] = { "{}", "[]", "not json",
		"{\"time\":\"2026-11-23T16:20:33Z\"}",
		"{\"consent\":\"AA\",\"v\":3}",
		"{\"consent\":\"NyYsg8JARiROd23-07Is-Em504fFtFhNlT2ncUHD-Zg\","
		"\"purpose\":\"p\",\"requester\":\"r\",\"scope\":\"score\","
		"\"subject\":\"NyYsg8JARiROd23-07Is-Em504fFtFhNlT2ncUHD-Zg\","
		"\"time\":\"2026-11-23T16:20:33Z\",\"type\":\"interrupted\"}",
		"{\"asked\":{},\"consent\":"
		"\"NyYsg8JARiROd23-07Is-Em504fFtFhNlT2ncUHD-Zg\","
		"\"purpose\":\"p\",\"receipts\":[],\"request\":"
		"\"AAECAwQFBgcICQoLDA0ODw\",\"requester\":\"r\","
		"\"scope\":\"score\",\"subject\":"
		"\"NyYsg8JARiROd23-07Is-Em504fFtFhNlT2ncUHD-Zg\","
		"\"time\":\"2026-11-23T16:20:33Z\",\"type\":\"interrupted\","
		"\"v\":2}" };

	(void) state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(
		    fs_audit_entry_parse(&e, bad[i], strlen(bad[i])),
		    FS_ERR_MALFORMED);
	}
}

// A disclosure after its consent was revoked, past the grace: a finding.
static void
test_revoked_check(void **state)
{
	fs_revocation  r  = { .at = 1000 };
	fs_revocations rs = { .r = &r, .n = 1 };
	fs_claims      c;
	char           why[FS_WHY_MAX];

	(void) state;
	memset(&c, 0, sizeof(c));
	memset(r.jti, 5, FS_JTI_BYTES);
	memcpy(c.jti, r.jti, FS_JTI_BYTES);
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 999, 0, why, sizeof(why)), FS_OK);
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 1000, 0, why, sizeof(why)), FS_OK);
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 1120, 120, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 1121, 120, why, sizeof(why)),
	    FS_ERR_REVOKED);
	assert_non_null(strstr(why, "revoked at 1970-01-01T00:16:40Z"));
	assert_non_null(strstr(why, "121 s later (allowed: 120 s)"));
	c.jti[0] ^= 1;
	assert_int_equal(
	    fs_audit_revoked_check(&rs, &c, 5000, 0, why, sizeof(why)), FS_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_check),
		cmocka_unit_test(test_revoked_check),
		cmocka_unit_test(test_entry_parse),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
