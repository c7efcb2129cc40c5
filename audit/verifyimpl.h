// SPDX-License-Identifier: Apache-2.0
//
// verifyimpl.h -- internals shared by the files of `fedscore audit
// verify`: verify.c checks the log, verify_records.c the full records
// against its entries.  Must not be exposed to other modules.

#ifndef FS_VERIFYIMPL_H
#define FS_VERIFYIMPL_H

#include "audit/audit.h"
#include "common/err.h"
#include "wire/note.h"
#include "wire/token.h"

// A run of fs_audit_verify.
typedef struct run {
	const fs_audit_verify_opts *o;
	fs_audit_report            *rep;
	char                       *why;
	size_t                      whycap;
	char                        region[FS_CLAIM_STR_MAX + 1];
	size_t                      next; // next record to match
	size_t                      record_findings;
	size_t                      interrupted; // entries of that kind
	// Uses per consent token, by its hash.
	struct use {
		uint8_t  hash[32];
		uint32_t granted;
		uint64_t used;
		uint64_t first, last;
	} * uses;
	size_t nuses, capuses;
	// The checkpoint served (body, parsed as note and cp), the one
	// verified before (prevtext, parsed as prev), and the tree of the
	// entries served.
	uint8_t      *body;
	size_t        len;
	fs_note      *note;
	fs_checkpoint cp;
	char         *prevtext;
	fs_checkpoint prev;
	bool          have_prev;
	fs_audit_tree tree;
	fs_err        rv; // what stopped a run that could not finish
} run;

// verify_records checks the full records of entries [first, first + n)
// of the log; the records are in increasing index order, and entries
// before the first record (an export --from N) are not checked.
void verify_records(run *r, uint64_t first, const fs_bundle_entry *e, size_t n);
// verify_sum_up reports the consents used more often than granted and
// what the full records covered, after the last entry.
void verify_sum_up(run *r);

#endif // FS_VERIFYIMPL_H
