// SPDX-License-Identifier: Apache-2.0
//
// fixture.h -- a disclosure as a coordinator records it, with its consent
// token, and the report's findings, for the tests of the audit.

#ifndef FS_TEST_AUDIT_FIXTURE_H
#define FS_TEST_AUDIT_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "audit/audit.h"
#include "crypto/key.h"
#include "wire/token.h"

#define ORIGIN "fedscore.testregion/disclosures"
#define REGION "testregion"
#define T0     1795450833 // 2026-11-23T16:20:33Z

// A consent token and the record and entry a coordinator would make of a
// disclosure at time T0 + 10.
typedef struct fixture {
	fs_key         *issuer;
	fs_audit_record r;
	char           *line;
} fixture;

// make issues a consent of scope for aud and purpose, valid until exp,
// by f->issuer, and makes f->r the record of its disclosure for
// used_scope; unmake frees what make made.
void make(fixture *f, const char *aud, const char *purpose, fs_scope scope,
    const char *used_scope, int64_t exp);
void unmake(fixture *f);

// report_has tells whether a finding of r contains needle.
bool report_has(const fs_audit_report *r, const char *needle);

#endif // FS_TEST_AUDIT_FIXTURE_H
