// SPDX-License-Identifier: Apache-2.0
//
// test_reconcile.c -- reconciliation of the coordinator's disclosures with
// the nodes' releases, both ways.

#include <sodium.h>

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
#include "wire/token.h"

static fs_release
release(const fs_audit_record *r, const char *node, int line)
{
	fs_release rel = { .line = line, .time_ms = r->time_ms + 100 };
	fs_claims  c;

	snprintf(rel.node, sizeof(rel.node), "%s", node);
	snprintf(rel.requester, sizeof(rel.requester), "%s", r->requester);
	snprintf(rel.purpose, sizeof(rel.purpose), "%s", r->purpose);
	// The fixture's receipt is the consent's hash.
	memcpy(rel.receipt, r->consent_hash, 32);
	assert_int_equal(
	    fs_token_peek(&c, r->consent, strlen(r->consent)), FS_OK);
	crypto_generichash(rel.jti_hash, 32, c.jti, FS_JTI_BYTES, NULL, 0);
	return (rel);
}

static void
test_reconcile(void **state)
{
	fixture         f;
	fs_release      rel[3];
	fs_audit_report rep;
	const char      line[] = "{\"time_ms\":1,\"receipt\":\"BBBBBBBBBBBBBBBB"
	                         "BBBBBBBBBBBBBBBBBBBBBBBBBBA\",\"jti_hash\":"
	                         "\"CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC"
	                         "A\",\"requester\":\"bank-a\",\"purpose\":"
	                         "\"credit_loan\"}";

	(void) state;
	assert_int_equal(fs_key_generate(&f.issuer), FS_OK);
	make(&f, "bank-a", "credit_loan", FS_SCOPE_SCORE, "score", T0 + 600);

	// Matched both ways.
	rel[0] = release(&f.r, "traffic", 1);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 1, &rep), FS_OK);
	assert_int_equal(rep.findings, 0);
	fs_audit_report_fini(&rep);

	// A receipt no release has.
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 0, &rep), FS_OK);
	assert_true(report_has(&rep, "disclosure 0: receipt"));
	fs_audit_report_fini(&rep);

	// A release no disclosure lists; the same receipt twice; another
	// requester.
	assert_int_equal(fs_release_parse(&rel[1], line, strlen(line)), FS_OK);
	snprintf(rel[1].node, sizeof(rel[1].node), "court");
	rel[1].line = 4;
	rel[2]      = release(&f.r, "tax", 2);
	snprintf(rel[2].requester, sizeof(rel[2].requester), "bank-b");
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 3, &rep), FS_OK);
	assert_true(report_has(&rep, "node court, release at line 4"));
	assert_true(report_has(&rep, "without recording it"));
	assert_true(report_has(&rep, "released twice"));
	assert_int_equal(rep.findings, 2);
	fs_audit_report_fini(&rep);
	rel[2] = release(&f.r, "tax", 2);
	snprintf(rel[2].requester, sizeof(rel[2].requester), "bank-b");
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel + 2, 1, &rep), FS_OK);
	assert_true(report_has(&rep, "to bank-b for credit_loan"));
	fs_audit_report_fini(&rep);

	assert_int_equal(fs_release_parse(&rel[0], "{}", 2), FS_ERR_MALFORMED);
	unmake(&f);
	fs_key_free(f.issuer);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconcile),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
