// SPDX-License-Identifier: Apache-2.0
//
// fuzz_tile.c -- libFuzzer harness for what an auditor reads from a log
// and from files: entry bundles and hash tiles, the log entries inside a
// bundle, the signature lines of a checkpoint scanned for a witness's
// name, full disclosure records and node release lines.  A bundle that
// parses is run through the verification core with its own leaf hashes,
// which must then all match.

#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "wire/note.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fs_bundle_entry  e[FS_TILE_WIDTH];
	static uint8_t          h[FS_TILE_WIDTH * FS_MERKLE_HASH_BYTES];
	static fs_audit_witness w;
	static bool             init;
	const char             *s = (const char *) data;
	fs_audit_tree           t;
	fs_audit_entry          ent;
	fs_audit_record         rec;
	fs_release              rel;
	fs_note                *n;
	char                    why[FS_WHY_MAX];
	size_t                  cnt;
	uint64_t                bad, tm;

	if (!init) {
		fs_pubkey pub = { .pk = { 9 } }; // the base point

		(void) fs_crypto_init();
		(void) fs_audit_witness_init(&w, "w", &pub);
		init = true;
	}
	(void) fs_hashtile_check(size / FS_MERKLE_HASH_BYTES, data, size);
	if (fs_bundle_parse(e, FS_TILE_WIDTH, &cnt, data, size) == FS_OK) {
		for (size_t i = 0; i < cnt; i++) {
			fs_merkle_leaf_hash(
			    h + i * FS_MERKLE_HASH_BYTES, e[i].data, e[i].len);
			(void) fs_audit_entry_parse(
			    &ent, (const char *) e[i].data, e[i].len);
		}
		fs_audit_tree_init(&t, cnt / 2);
		if (fs_audit_tree_add(&t, e, h, cnt, &bad) != FS_OK) {
			abort(); // its own hashes must match
		}
	}
	if (fs_note_parse(&n, s, size) == FS_OK) {
		(void) fs_audit_witness_check(
		    n, s, size, &w, &tm, why, sizeof(why));
		fs_note_free(n);
	}
	if (fs_audit_record_parse(&rec, s, size) == FS_OK) {
		fs_audit_record_fini(&rec);
	}
	(void) fs_release_parse(&rel, s, size);
	(void) fs_audit_entry_parse(&ent, s, size);
	return (0);
}
