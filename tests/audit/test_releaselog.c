// SPDX-License-Identifier: Apache-2.0
//
// test_releaselog.c -- a node's release log against its signed checkpoint
// and the last one verified: it may grow, never be rewritten.

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
#include "crypto/merkle.h"
#include "wire/note.h"

// node_log writes lines (each one entry) to path and the node's signed
// checkpoint of them to path.checkpoint.
static void
node_log(const char *path, const char *const *lines, size_t n, const fs_key *k)
{
	uint8_t leaves[8][32], root[32];
	char    cp[256], *body, *note;
	size_t  blen, nlen;
	FILE   *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\n", lines[i]);
		fs_merkle_leaf_hash(
		    leaves[i], (const uint8_t *) lines[i], strlen(lines[i]));
	}
	fclose(f);
	fs_merkle_root(root, leaves[0], n);
	assert_int_equal(fs_checkpoint_format(
	                     &body, &blen, "n.test/releases", n, root, NULL, 0),
	    FS_OK);
	assert_int_equal(
	    fs_note_sign(&note, &nlen, body, blen, "n.test/releases", k),
	    FS_OK);
	snprintf(cp, sizeof(cp), "%s.checkpoint", path);
	f = fopen(cp, "w");
	assert_non_null(f);
	fputs(note, f);
	fclose(f);
	free(body);
	free(note);
}

// A node's release log against its signed checkpoint and the last one
// verified: it may grow; it may not be rewritten, even when the node signs
// the rewritten log.
static void
test_release_log(void **state)
{
	static const char *const a[]
	    = { "{\"r\":1}", "{\"r\":2}", "{\"r\":3}" };
	static const char *const b[]
	    = { "{\"r\":1}", "{\"r\":X}", "{\"r\":3}" };
	char            dir[] = "/tmp/fs-audit-rel.XXXXXX";
	char            p[128], cp[160], st[128], why[FS_WHY_MAX];
	fs_key         *k;
	fs_audit_report rep;
	FILE           *f;

	(void) state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(fs_key_generate(&k), FS_OK);
	snprintf(p, sizeof(p), "%s/r.jsonl", dir);
	snprintf(cp, sizeof(cp), "%s.checkpoint", p);
	snprintf(st, sizeof(st), "%s/state", dir);
	// Two entries, then three: the log grew, and the state follows it.
	node_log(p, a, 2, k);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_release_log("n", p, cp, fs_key_public(k), st,
	                     &rep, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(rep.findings, 0);
	node_log(p, a, 3, k);
	assert_int_equal(fs_audit_release_log("n", p, cp, fs_key_public(k), st,
	                     &rep, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(rep.findings, 0);
	fs_audit_report_fini(&rep);
	// The second entry rewritten and signed again: the node's signature
	// holds, the state does not.
	node_log(p, b, 3, k);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_release_log("n", p, cp, fs_key_public(k), st,
	                     &rep, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(rep.findings, 1);
	assert_non_null(strstr(rep.lines[rep.n - 1].text, "rewritten"));
	fs_audit_report_fini(&rep);
	// A line more than the checkpoint counts.
	node_log(p, a, 3, k);
	f = fopen(p, "a");
	assert_non_null(f);
	fputs("{\"r\":4}\n", f);
	fclose(f);
	fs_audit_report_init(&rep);
	assert_int_equal(fs_audit_release_log("n", p, cp, fs_key_public(k),
	                     NULL, &rep, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(rep.findings, 1);
	assert_non_null(strstr(rep.lines[rep.n - 1].text, "counts 3"));
	fs_audit_report_fini(&rep);
	fs_key_free(k);
	snprintf(p, sizeof(p), "rm -rf %s", dir);
	assert_int_equal(system(p), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_release_log),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
