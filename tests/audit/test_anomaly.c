// SPDX-License-Identifier: Apache-2.0
//
// test_anomaly.c -- the anomaly rules: distinct subjects, bursts, quiet
// hours and tokens used too often, and their thresholds from a file.

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

// recs makes n records of requester at times t0 + i * step_ms, subject
// i % subjects, consent token (by hash) i % tokens.
static fs_audit_record *
recs(size_t n, const char *requester, int64_t t0_ms, int64_t step_ms,
    size_t subjects, size_t tokens)
{
	fs_audit_record *r = calloc(n, sizeof(*r));

	assert_non_null(r);
	for (size_t i = 0; i < n; i++) {
		r[i].index   = i;
		r[i].time_ms = t0_ms + (int64_t) i * step_ms;
		snprintf(
		    r[i].requester, sizeof(r[i].requester), "%s", requester);
		snprintf(r[i].purpose, sizeof(r[i].purpose), "credit_loan");
		memset(r[i].subject, 0, sizeof(r[i].subject));
		memcpy(
		    r[i].subject, &(uint32_t) { (uint32_t) (i % subjects) }, 4);
		memcpy(r[i].consent_hash,
		    &(uint32_t) { (uint32_t) (i % tokens) }, 4);
	}
	return (r);
}

static size_t
anomalies(const fs_anomaly_conf *c, fs_audit_record *r, size_t n,
    fs_audit_report *rep)
{
	fs_audit_report_init(rep);
	assert_int_equal(fs_audit_anomalies(c, r, n, rep), FS_OK);
	return (rep->findings);
}

static void
test_anomalies(void **state)
{
	fs_anomaly_conf  c;
	fs_audit_report  rep;
	fs_audit_record *r;
	// 10:00 in China (UTC+8) is 02:00 UTC.
	int64_t day = (int64_t) 1795392000 * 1000; // 2026-11-23T00:00:00Z
	int64_t ten = day + 2 * 3600 * 1000;
	char    why[FS_WHY_MAX];

	(void) state;
	fs_anomaly_conf_default(&c);
	assert_int_equal(c.max_subjects, 50);
	assert_true(c.quiet && c.quiet_from == 0 && c.quiet_to == 6);

	// 40 lookups of 40 subjects, one a minute, at 10:00: nothing.
	r = recs(40, "bank-a", ten, 60000, 40, 40);
	assert_int_equal(anomalies(&c, r, 40, &rep), 0);
	fs_audit_report_fini(&rep);
	// The threshold lowered: too many subjects in an hour.
	c.max_subjects = 30;
	assert_int_equal(anomalies(&c, r, 40, &rep), 1);
	assert_true(report_has(&rep, "requester bank-a: 40 distinct subjects"));
	fs_audit_report_fini(&rep);
	// ... but not within a window of ten minutes.
	c.window_ms = 10 * 60 * 1000;
	assert_int_equal(anomalies(&c, r, 40, &rep), 0);
	fs_audit_report_fini(&rep);
	free(r);

	// A burst: 70 lookups of the same subject in 35 seconds.
	fs_anomaly_conf_default(&c);
	r = recs(70, "bank-a", ten, 500, 1, 70);
	assert_int_equal(anomalies(&c, r, 70, &rep), 1);
	assert_true(report_has(&rep, "burst of 70 lookups"));
	fs_audit_report_fini(&rep);
	free(r);

	// Quiet hours: 03:00 in China.
	r = recs(2, "bank-a", day - 5 * 3600 * 1000, 1000, 2, 2);
	assert_int_equal(anomalies(&c, r, 2, &rep), 1);
	assert_true(report_has(&rep, "2 lookups in the quiet hours 00-06"));
	fs_audit_report_fini(&rep);
	c.quiet = false;
	assert_int_equal(anomalies(&c, r, 2, &rep), 0);
	fs_audit_report_fini(&rep);
	// One token disclosed to two requesters.
	snprintf(r[1].requester, sizeof(r[1].requester), "bank-b");
	memcpy(r[1].consent_hash, r[0].consent_hash, 32);
	assert_int_equal(anomalies(&c, r, 2, &rep), 1);
	assert_true(report_has(&rep, "disclosed to 2 requesters"));
	fs_audit_report_fini(&rep);
	free(r);

	// One token used far more often than the others: 30 of 60.
	r = recs(60, "bank-a", ten, 120000, 60, 60);
	for (size_t i = 0; i < 30; i++) {
		memcpy(r[i].consent_hash, r[59].consent_hash, 32);
	}
	assert_int_equal(anomalies(&c, r, 60, &rep), 1);
	assert_true(report_has(&rep, "disclosed 31 times, above 20"));
	fs_audit_report_fini(&rep);
	free(r);

	// Thresholds from a file.
	{
		const char ok[]
		    = "[anomalies]\nwindow = 10m\nmax_subjects = 5\n"
		      "max_rate_per_minute = 3\nquiet_hours = 22-6\n"
		      "utc_offset = 0\ntoken_max_uses = 4\n";

		assert_int_equal(fs_anomaly_conf_parse(&c, ok, strlen(ok),
		                     "a.conf", why, sizeof(why)),
		    FS_OK);
		assert_int_equal(c.window_ms, 600000);
		assert_int_equal(c.max_rate, 3);
		assert_true(c.quiet_from == 22 && c.quiet_to == 6);
		assert_int_equal(c.utc_offset_s, 0);
		assert_int_equal(c.token_max_uses, 4);
	}
	{
		const char *bad[] = { "[anomalies]\nquiet_hours = 7\n",
			"[anomalies]\nwindow = soon\n",
			"[anomalies]\nmax_subjects = 0\n",
			"[anomalies]\ncolour = red\n" };

		for (size_t i = 0; i < 4; i++) {
			assert_int_equal(
			    fs_anomaly_conf_parse(&c, bad[i], strlen(bad[i]),
			        "a.conf", why, sizeof(why)),
			    FS_ERR_CONFIG);
			assert_non_null(strstr(why, "a.conf"));
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_anomalies),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
