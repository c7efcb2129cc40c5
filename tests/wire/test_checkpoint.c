// SPDX-License-Identifier: Apache-2.0
//
// test_checkpoint.c -- checkpoints and witness cosignatures: written and
// parsed, the bodies refused, and cosignatures that name their time.

#include <sodium.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "tests/wire/note_example.h"
#include "wire/note.h"

static void
test_checkpoint_roundtrip(void **state)
{
	uint8_t       root[FS_MERKLE_HASH_BYTES];
	fs_checkpoint cp;
	char         *t;
	size_t        len;

	(void) state;
	randombytes_buf(root, sizeof(root));
	assert_int_equal(fs_checkpoint_format(&t, &len, "example.org/log",
	                     20852163, root, NULL, 0),
	    FS_OK);
	assert_int_equal(fs_checkpoint_parse(&cp, t, len), FS_OK);
	assert_int_equal(cp.origin_len, 15);
	assert_memory_equal(cp.origin, "example.org/log", 15);
	assert_int_equal(cp.size, 20852163);
	assert_memory_equal(cp.root, root, sizeof(root));
	assert_int_equal(cp.ext_len, 0);
	free(t);

	assert_int_equal(fs_checkpoint_format(&t, &len, "o", UINT64_MAX, root,
	                     "ext one\next two\n", 16),
	    FS_OK);
	assert_int_equal(fs_checkpoint_parse(&cp, t, len), FS_OK);
	assert_int_equal(cp.size, UINT64_MAX);
	assert_int_equal(cp.ext_len, 16);
	assert_memory_equal(cp.ext, "ext one\next two\n", 16);
	free(t);

	// The C2SP example body.
	static const char ex[]
	    = "example.com/behind-the-sofa\n20852163\n"
	      "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
	assert_int_equal(fs_checkpoint_parse(&cp, ex, strlen(ex)), FS_OK);
	assert_int_equal(cp.size, 20852163);

	// Refusals on format.
	assert_int_equal(fs_checkpoint_format(&t, &len, "", 1, root, NULL, 0),
	    FS_ERR_INVALID);
	assert_int_equal(
	    fs_checkpoint_format(&t, &len, "a\nb", 1, root, NULL, 0),
	    FS_ERR_INVALID);
	assert_int_equal(fs_checkpoint_format(&t, &len, "o", 1, root, "x", 1),
	    FS_ERR_INVALID);
	assert_int_equal(
	    fs_checkpoint_format(&t, &len, "o", 1, root, "x\n\ny\n", 5),
	    FS_ERR_INVALID);
}

static void
test_checkpoint_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"o\n",
		"o\n1\n",
		"\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n01\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n 1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n18446744073709551616\n"
		"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",
		"o\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\nx\n\n",
		"o\r\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
	};
	fs_checkpoint cp;

	(void) state;
	assert_int_equal(
	    fs_checkpoint_parse(&cp,
	        "o\n0\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", 49),
	    FS_OK);
	assert_int_equal(cp.size, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (fs_checkpoint_parse(&cp, bad[i], strlen(bad[i]))
		    != FS_ERR_MALFORMED) {
			fail_msg("accepted checkpoint %zu: %s", i, bad[i]);
		}
	}
}

static void
test_cosignature(void **state)
{
	fs_key          *log, *w;
	fs_note_verifier vlog, vw, vw_as_log, keys[2];
	uint8_t          root[FS_MERKLE_HASH_BYTES] = { 1, 2, 3 };
	char            *body, *signed_cp, *cosigned, *tampered;
	size_t           blen, slen, clen;
	fs_note         *n;
	uint64_t         t;
	bool             verified[2];
	const uint64_t   when = 1679315147;

	(void) state;
	assert_int_equal(fs_key_generate(&log), FS_OK);
	assert_int_equal(fs_key_generate(&w), FS_OK);
	assert_int_equal(fs_note_verifier_init(&vlog, "example.org/log",
	                     FS_NOTE_ED25519, fs_key_public(log)->pk),
	    FS_OK);
	assert_int_equal(fs_note_verifier_init(&vw, "witness.example/w1",
	                     FS_NOTE_COSIG_V1, fs_key_public(w)->pk),
	    FS_OK);
	assert_int_equal(fs_note_verifier_init(&vw_as_log, "witness.example/w1",
	                     FS_NOTE_ED25519, fs_key_public(w)->pk),
	    FS_OK);
	assert_memory_not_equal(vw.id, vw_as_log.id, FS_NOTE_ID_BYTES);

	assert_int_equal(fs_checkpoint_format(&body, &blen, "example.org/log",
	                     42, root, NULL, 0),
	    FS_OK);
	assert_int_equal(
	    fs_note_sign(&signed_cp, &slen, body, blen, "example.org/log", log),
	    FS_OK);
	assert_int_equal(fs_cosig_sign(&cosigned, &clen, signed_cp, slen,
	                     "witness.example/w1", w, when),
	    FS_OK);
	assert_int_equal(clen, strlen(cosigned));
	assert_memory_equal(cosigned, signed_cp, slen);

	assert_int_equal(fs_note_parse(&n, cosigned, clen), FS_OK);
	assert_int_equal(fs_note_sig_count(n), 2);
	assert_int_equal(fs_note_verify(n, &vlog, 1, NULL), FS_OK);
	assert_int_equal(fs_cosig_verify(&t, n, &vw), FS_OK);
	assert_int_equal(t, when);
	keys[0] = vlog;
	keys[1] = vw;
	assert_int_equal(fs_note_verify(n, keys, 2, verified), FS_OK);
	assert_true(verified[0] && verified[1]);
	// The witness key as a plain Ed25519 key is another key: ignored.
	assert_int_equal(
	    fs_note_verify(n, &vw_as_log, 1, NULL), FS_ERR_WRONG_KEY);
	assert_int_equal(fs_cosig_verify(&t, n, &vw_as_log), FS_ERR_INVALID);
	fs_note_free(n);

	// No cosignature yet.
	assert_int_equal(fs_note_parse(&n, signed_cp, slen), FS_OK);
	assert_int_equal(fs_cosig_verify(&t, n, &vw), FS_ERR_NOT_FOUND);
	fs_note_free(n);

	// A changed time (the 8 bytes after the key id) or a changed body.
	tampered = strdup(cosigned);
	{
		char *sig = strstr(tampered, "witness.example/w1 ") + 19;

		// Characters 6..10 of the base64 hold the time's high bytes.
		sig[7] = sig[7] == 'A' ? 'B' : 'A';
	}
	assert_int_equal(fs_note_parse(&n, tampered, clen), FS_OK);
	assert_int_equal(fs_cosig_verify(&t, n, &vw), FS_ERR_BAD_SIGNATURE);
	assert_int_equal(
	    fs_note_verify(n, keys, 2, NULL), FS_ERR_BAD_SIGNATURE);
	fs_note_free(n);
	strcpy(tampered, cosigned);
	tampered[strlen("example.org/log\n")] = '5';
	assert_int_equal(fs_note_parse(&n, tampered, clen), FS_OK);
	assert_int_equal(fs_cosig_verify(&t, n, &vw), FS_ERR_BAD_SIGNATURE);
	fs_note_free(n);
	free(tampered);

	// Only checkpoints are cosigned, at times below 2^63.
	assert_int_equal(fs_cosig_sign(&tampered, &clen, go_note,
	                     strlen(go_note), "witness.example/w1", w, when),
	    FS_ERR_MALFORMED);
	assert_int_equal(fs_cosig_sign(&tampered, &clen, signed_cp, slen,
	                     "witness.example/w1", w, (uint64_t) INT64_MAX + 1),
	    FS_ERR_INVALID);

	free(body);
	free(signed_cp);
	free(cosigned);
	fs_key_free(log);
	fs_key_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checkpoint_roundtrip),
		cmocka_unit_test(test_checkpoint_parse_refuses),
		cmocka_unit_test(test_cosignature),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
