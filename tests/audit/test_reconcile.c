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

#include <jansson.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "tests/audit/fixture.h"
#include "wire/logcommit.h"
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

// to_v2 rewrites the fixture's entry as a format 2 entry: the lookup's
// request id and the request sent to node "court", whose hash is req
// (base64url); interrupted, without receipts, answers or result.
static void
to_v2(fixture *f, const char *req, bool interrupted)
{
	json_t *e = json_loadb(f->r.entry, f->r.entry_len, 0, NULL);

	assert_non_null(e);
	json_object_set_new(e, "v", json_integer(2));
	// Format 2 commits to the consent and the subject under the salt.
	{
		uint8_t c[FS_LOG_COMMIT_BYTES];
		char    b[64];

		fs_log_commit(c, f->r.salt, "consent", f->r.consent,
		    strlen(f->r.consent));
		fs_b64_encode(b, c, sizeof(c));
		json_object_set_new(e, "consent", json_string(b));
		fs_log_commit(c, f->r.salt, "subject", f->r.subject,
		    sizeof(f->r.subject));
		fs_b64_encode(b, c, sizeof(c));
		json_object_set_new(e, "subject", json_string(b));
	}
	json_object_set_new(
	    e, "request", json_string("AAECAwQFBgcICQoLDA0ODw"));
	json_object_set_new(e, "asked", json_pack("{s:s}", "court", req));
	if (interrupted) {
		json_object_del(e, "receipts");
		json_object_del(e, "nodes");
		json_object_set_new(e, "type", json_string("interrupted"));
	}
	free(f->r.entry);
	f->r.entry = json_dumps(e, JSON_COMPACT | JSON_SORT_KEYS);
	assert_non_null(f->r.entry);
	f->r.entry_len = strlen(f->r.entry);
	json_decref(e);
}

// An interrupted lookup: the coordinator recorded the request it sent to
// each node before asking, and stopped before recording the outcome.  A
// release of that request is explained by the entry; one of another
// request is not.  A disclosure that did not count a late answer
// explains its release the same way.
static void
test_reconcile_interrupted(void **state)
{
	fixture         f;
	fs_release      rel[2];
	fs_audit_report rep;
	fs_audit_entry  e;
	char            why[FS_WHY_MAX], req[64];
	uint8_t         rh[32];

	(void) state;
	assert_int_equal(fs_key_generate(&f.issuer), FS_OK);
	make(&f, "bank-a", "credit_loan", FS_SCOPE_SCORE, "score", T0 + 600);
	memset(rh, 9, sizeof(rh));
	fs_b64_encode(req, rh, sizeof(rh));
	to_v2(&f, req, true);
	assert_int_equal(
	    fs_audit_entry_parse(&e, f.r.entry, f.r.entry_len), FS_OK);
	assert_int_equal(e.version, 2);
	assert_int_equal(e.kind, FS_AUDIT_INTERRUPTED);
	assert_int_equal(e.nasked, 1);
	assert_int_equal(e.nreceipts, 0);
	assert_memory_equal(e.asked[0], rh, 32);
	// Its full record checks as a disclosure's: the consent was valid.
	{
		fs_claims c;

		assert_int_equal(
		    fs_audit_record_check(&f.r, f.r.entry, f.r.entry_len,
		        fs_key_public(f.issuer), REGION, &c, why, FS_WHY_MAX),
		    FS_OK);
	}

	rel[0]             = release(&f.r, "court", 1);
	rel[0].has_request = true;
	memcpy(rel[0].request_hash, rh, 32);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 1, &rep), FS_OK);
	assert_int_equal(rep.findings, 0);
	fs_audit_report_fini(&rep);

	// Another request, and the same request released twice.
	rel[1] = rel[0];
	rel[1].receipt[0] ^= 1;
	rel[1].line = 2;
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 2, &rep), FS_OK);
	assert_true(report_has(&rep, "released twice"));
	assert_int_equal(rep.findings, 1);
	fs_audit_report_fini(&rep);
	rel[1].request_hash[0] ^= 1;
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 2, &rep), FS_OK);
	assert_true(report_has(&rep, "without recording it"));
	assert_int_equal(rep.findings, 1);
	fs_audit_report_fini(&rep);
	unmake(&f);

	// A disclosure of format 2 that lists a receipt, and did not count
	// another node's answer, which came late: both releases match.
	make(&f, "bank-a", "credit_loan", FS_SCOPE_SCORE, "score", T0 + 600);
	to_v2(&f, req, false);
	assert_int_equal(
	    fs_audit_entry_parse(&e, f.r.entry, f.r.entry_len), FS_OK);
	assert_int_equal(e.kind, FS_AUDIT_DISCLOSURE);
	rel[0] = release(&f.r, "traffic", 1);
	rel[1] = release(&f.r, "court", 1);
	rel[1].receipt[0] ^= 1;
	rel[1].has_request = true;
	memcpy(rel[1].request_hash, rh, 32);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_reconcile(&f.r, 1, rel, 2, &rep), FS_OK);
	assert_int_equal(rep.findings, 0);
	fs_audit_report_fini(&rep);
	unmake(&f);
	fs_key_free(f.issuer);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reconcile),
		cmocka_unit_test(test_reconcile_interrupted),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
