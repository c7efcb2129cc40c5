// SPDX-License-Identifier: Apache-2.0
//
// verify_records.c -- `fedscore audit verify --full`: every full
// disclosure record against the log's entry at its index and its consent
// token (audit/record.c), against the issuer's revocations when given,
// and the disclosures of each consent token counted across the log
// against the uses it granted.  verify.c calls in as it reads the tiles.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "audit/verifyimpl.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/grow.h"
#include "common/rfc3339.h"
#include "wire/token.h"

// After this many, findings about single records are counted, not
// printed.
#define RECORD_FINDINGS_MAX 100

static void
count_use(run *r, const fs_audit_record *rec, const fs_claims *c)
{
	struct use *u = NULL;

	for (size_t i = 0; i < r->nuses; i++) {
		if (sodium_memcmp(r->uses[i].hash, rec->consent_hash, 32)
		    == 0) {
			u = &r->uses[i];
			break;
		}
	}
	if (u == NULL) {
		if (fs_grow(
		        &r->uses, &r->capuses, r->nuses, sizeof(*r->uses), 64)
		    != FS_OK) {
			return;
		}
		u = &r->uses[r->nuses++];
		memcpy(u->hash, rec->consent_hash, 32);
		u->granted = c->uses;
		u->used    = 0;
		u->first   = rec->index;
	}
	u->used++;
	u->last = rec->index;
}

static bool
interrupted(const uint8_t *entry, size_t len)
{
	fs_audit_entry e;

	return (fs_audit_entry_parse(&e, (const char *) entry, len) == FS_OK
	    && e.kind == FS_AUDIT_INTERRUPTED);
}

static void
record_finding(run *r, uint64_t index, const char *why)
{
	if (r->record_findings++ < RECORD_FINDINGS_MAX) {
		fs_audit_finding(
		    r->rep, "entry %llu: %s", (unsigned long long) index, why);
	} else {
		r->rep->findings++;
	}
}

void
verify_records(run *r, uint64_t first, const fs_bundle_entry *e, size_t n)
{
	const fs_audit_verify_opts *o = r->o;

	for (size_t i = 0; i < n; i++) {
		uint64_t               index = first + i;
		const fs_audit_record *rec;
		fs_claims              c;
		char                   why[FS_WHY_MAX];

		if (o->nrecords > 0 && index < o->records[0].index) {
			continue;
		}
		if (r->next >= o->nrecords
		    || (rec = &o->records[r->next])->index != index) {
			record_finding(
			    r, index, "no full record in the export");
			continue;
		}
		r->next++;
		if (fs_audit_record_check(rec, (const char *) e[i].data,
		        e[i].len, o->issuer, r->region, &c, why, sizeof(why))
		    != FS_OK) {
			record_finding(r, index, why);
			continue;
		}
		if (o->revoked != NULL
		    && !fs_audit_entry_is_recognition(
		        (const char *) e[i].data, e[i].len)
		    && fs_audit_revoked_check(o->revoked, &c,
		           rec->time_ms / 1000, o->grace_s, why, sizeof(why))
		        != FS_OK) {
			record_finding(r, index, why);
		}
		// Every lookup entry spent a use, interrupted ones too.
		if (c.uses > 0) {
			count_use(r, rec, &c);
		}
		r->interrupted += interrupted(e[i].data, e[i].len);
	}
}

static void
uses(run *r)
{
	for (size_t i = 0; i < r->nuses; i++) {
		const struct use *u = &r->uses[i];
		char              h[45];

		if (u->used > u->granted) {
			fs_b64_encode(h, u->hash, 32);
			fs_audit_finding(r->rep,
			    "consent %.12s…: disclosed %llu times (entries "
			    "%llu to %llu), granted for %u",
			    h, (unsigned long long) u->used,
			    (unsigned long long) u->first,
			    (unsigned long long) u->last, u->granted);
		}
	}
}

void
verify_sum_up(run *r)
{
	const fs_audit_verify_opts *o      = r->o;
	size_t                      beyond = 0;

	if (o->records == NULL) {
		return;
	}
	for (size_t i = 0; i < o->nrecords; i++) {
		beyond += o->records[i].index >= r->cp.size;
	}
	uses(r);
	fs_audit_info(r->rep,
	    "full records: %zu checked against their entries and consent "
	    "tokens (region %s)%s",
	    r->next, r->region,
	    o->nrecords > 0 && o->records[0].index > 0
	        ? ", entries before the export's first not checked"
	        : "");
	if (r->interrupted > 0) {
		fs_audit_info(r->rep,
		    "%zu of them record lookups interrupted by a stop of the "
		    "coordinator (each spent its use)",
		    r->interrupted);
	}
	if (o->revoked != NULL) {
		char t[FS_TIME_LEN + 1];

		fs_time_format(t, o->revoked->iat);
		fs_audit_info(r->rep,
		    "revocations: each disclosure checked against the "
		    "issuer's %zu revocations as of %s (grace %lld s)",
		    o->revoked->n, t, (long long) o->grace_s);
	}
	if (beyond > 0) {
		fs_audit_info(r->rep,
		    "%zu full records are beyond the checkpoint, not checked "
		    "yet",
		    beyond);
	}
}
