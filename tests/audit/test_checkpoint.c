// SPDX-License-Identifier: Apache-2.0
//
// test_checkpoint.c -- the coordinator's checkpoints and the witnesses'
// cosignatures as the auditor checks them, and the state file of the last
// one verified.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "tests/audit/fixture.h"
#include "wire/note.h"

// A signed checkpoint of a log of n entries by coord, optionally
// cosigned by w under name wname.
static char *
checkpoint(const fs_key *coord, uint64_t n, const fs_key *w, const char *wname)
{
	uint8_t root[32];
	char   *body, *note, *cos;
	size_t  blen, nlen;

	memset(root, (int) n, sizeof(root));
	assert_int_equal(
	    fs_checkpoint_format(&body, &blen, ORIGIN, n, root, NULL, 0),
	    FS_OK);
	assert_int_equal(
	    fs_note_sign(&note, &nlen, body, blen, ORIGIN, coord), FS_OK);
	free(body);
	if (w == NULL) {
		return (note);
	}
	assert_int_equal(
	    fs_cosig_sign(&cos, &nlen, note, nlen, wname, w, T0), FS_OK);
	free(note);
	return (cos);
}

static void
test_checkpoint_and_witnesses(void **state)
{
	fs_key          *coord, *w1, *stranger;
	fs_note         *n;
	fs_checkpoint    cp;
	fs_audit_witness aw;
	char             why[FS_WHY_MAX];
	char            *note;
	uint64_t         t;

	(void) state;
	assert_int_equal(fs_key_generate(&coord), FS_OK);
	assert_int_equal(fs_key_generate(&w1), FS_OK);
	assert_int_equal(fs_key_generate(&stranger), FS_OK);
	assert_int_equal(
	    fs_audit_witness_init(&aw, "w1", fs_key_public(w1)), FS_OK);

	note = checkpoint(coord, 5, w1, "w1");
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(coord), ORIGIN, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(cp.size, 5);
	assert_int_equal(fs_audit_witness_check(
	                     n, note, strlen(note), &aw, &t, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(t, T0);
	fs_note_free(n);

	// Another key, another origin, an altered text.
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(w1), NULL, why, sizeof(why)),
	    FS_ERR_WRONG_KEY);
	assert_non_null(strstr(why, "no signature by the coordinator"));
	assert_int_equal(
	    fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	        fs_key_public(coord), "other/log", why, sizeof(why)),
	    FS_ERR_WRONG_KEY);
	note[strlen(ORIGIN) + 1] = '6';
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(coord), NULL, why, sizeof(why)),
	    FS_ERR_BAD_SIGNATURE);
	assert_non_null(strstr(why, "does not verify"));
	free(note);

	// No cosignature; a cosignature by an unknown key under w1's name.
	note = checkpoint(coord, 5, NULL, NULL);
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(coord), NULL, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_audit_witness_check(
	                     n, note, strlen(note), &aw, &t, why, sizeof(why)),
	    FS_ERR_NOT_FOUND);
	assert_non_null(strstr(why, "witness w1: no cosignature"));
	fs_note_free(n);
	free(note);
	note = checkpoint(coord, 5, stranger, "w1");
	assert_int_equal(fs_audit_checkpoint_open(&n, &cp, note, strlen(note),
	                     fs_key_public(coord), NULL, why, sizeof(why)),
	    FS_OK);
	assert_int_equal(fs_audit_witness_check(
	                     n, note, strlen(note), &aw, &t, why, sizeof(why)),
	    FS_ERR_NOT_FOUND);
	assert_non_null(strstr(why, "by an unknown key"));
	fs_note_free(n);
	free(note);
	fs_key_free(coord);
	fs_key_free(w1);
	fs_key_free(stranger);
}

static void
test_state_file(void **state)
{
	char          path[] = "/tmp/fs-audit-state.XXXXXX";
	char          why[FS_WHY_MAX];
	char         *text, *note;
	fs_checkpoint cp;
	fs_key       *coord;
	int           fd;

	(void) state;
	assert_int_equal(fs_key_generate(&coord), FS_OK);
	assert_true((fd = mkstemp(path)) >= 0);
	close(fd);
	unlink(path);
	assert_int_equal(
	    fs_audit_state_read(&text, &cp, path, why, sizeof(why)),
	    FS_ERR_NOT_FOUND);
	note = checkpoint(coord, 9, NULL, NULL);
	assert_int_equal(fs_audit_state_write(path, note, strlen(note)), FS_OK);
	assert_int_equal(
	    fs_audit_state_read(&text, &cp, path, why, sizeof(why)), FS_OK);
	assert_int_equal(cp.size, 9);
	assert_int_equal(cp.origin_len, strlen(ORIGIN));
	free(text);
	// A bare body reads as well; garbage does not.
	assert_int_equal(
	    fs_audit_state_write(path, note,
	        strchr(strchr(strchr(note, '\n') + 1, '\n') + 1, '\n') + 1
	            - note),
	    FS_OK);
	assert_int_equal(
	    fs_audit_state_read(&text, &cp, path, why, sizeof(why)), FS_OK);
	assert_int_equal(cp.size, 9);
	free(text);
	assert_int_equal(fs_audit_state_write(path, "9\n", 2), FS_OK);
	assert_int_not_equal(
	    fs_audit_state_read(&text, &cp, path, why, sizeof(why)), FS_OK);
	unlink(path);
	free(note);
	fs_key_free(coord);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checkpoint_and_witnesses),
		cmocka_unit_test(test_state_file),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
