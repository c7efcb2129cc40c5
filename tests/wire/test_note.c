// SPDX-License-Identifier: Apache-2.0
//
// test_note.c -- signed notes: the example of Go's sumdb/note as a known
// answer, tampering, unknown keys ignored, and the notes refused when
// parsed or signed.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "tests/wire/note_example.h"
#include "wire/note.h"

static fs_err
open_str(const char *msg, const fs_note_verifier *keys, size_t nkeys)
{
	fs_note *n;
	fs_err   rv = fs_note_open(&n, msg, strlen(msg), keys, nkeys);

	if (rv == FS_OK) {
		fs_note_free(n);
	}
	return (rv);
}

static void
test_go_example(void **state)
{
	fs_note_verifier v;
	fs_note         *n;
	fs_key          *k;
	char             name[FS_NOTE_NAME_MAX + 1];
	char             s[256];
	char            *out;
	size_t           len;
	const char      *text;

	(void) state;
	assert_int_equal(
	    fs_note_vkey_parse(&v, go_vkey, strlen(go_vkey)), FS_OK);
	assert_string_equal(v.name, "PeterNeumann");
	assert_int_equal(v.type, FS_NOTE_ED25519);
	assert_memory_equal(v.id, "\xc7\x4f\x20\xa3", 4);
	assert_int_equal(fs_note_vkey_format(s, sizeof(s), &v), FS_OK);
	assert_string_equal(s, go_vkey);

	assert_int_equal(
	    fs_note_open(&n, go_note, strlen(go_note), &v, 1), FS_OK);
	text = fs_note_text(n, &len);
	assert_int_equal(len, strlen(go_text));
	assert_memory_equal(text, go_text, len);
	assert_int_equal(fs_note_sig_count(n), 1);
	fs_note_free(n);

	// Ed25519 is deterministic: the signer key signs the same note.
	assert_int_equal(
	    fs_note_skey_parse(&k, name, go_skey, strlen(go_skey)), FS_OK);
	assert_string_equal(name, "PeterNeumann");
	assert_memory_equal(fs_key_public(k)->pk, v.pk, FS_PK_BYTES);
	assert_int_equal(fs_note_skey_format(s, sizeof(s), name, k), FS_OK);
	assert_string_equal(s, go_skey);
	assert_int_equal(fs_note_sign(&out, &len, go_text, strlen(go_text),
	                     "PeterNeumann", k),
	    FS_OK);
	assert_int_equal(len, strlen(go_note));
	assert_string_equal(out, go_note);
	free(out);
	fs_key_free(k);
}

static void
test_tampered_refused(void **state)
{
	fs_note_verifier v;
	char             buf[sizeof(go_note)];
	char            *sig;

	(void) state;
	assert_int_equal(
	    fs_note_vkey_parse(&v, go_vkey, strlen(go_vkey)), FS_OK);

	// The text.
	strcpy(buf, go_note);
	buf[3] = 'Y';
	assert_int_equal(open_str(buf, &v, 1), FS_ERR_BAD_SIGNATURE);
	// The signature, past the key id.
	strcpy(buf, go_note);
	sig     = strstr(buf, "PeterNeumann ") + 13;
	sig[20] = sig[20] == 'A' ? 'B' : 'A';
	assert_int_equal(open_str(buf, &v, 1), FS_ERR_BAD_SIGNATURE);
	// The key id: now an unknown key, and no known key signed.
	strcpy(buf, go_note);
	sig[1] = sig[1] == 'A' ? 'B' : 'A';
	assert_int_equal(open_str(buf, &v, 1), FS_ERR_WRONG_KEY);
	// The name: likewise.
	strcpy(buf, go_note);
	sig[-2] = 'x';
	assert_int_equal(open_str(buf, &v, 1), FS_ERR_WRONG_KEY);
	// No keys at all.
	assert_int_equal(open_str(go_note, NULL, 0), FS_ERR_WRONG_KEY);
}

// A note signed by a and b, a known to the verifier, plus an unknown
// signature that does not verify at all.
static void
test_unknown_keys_ignored(void **state)
{
	fs_key           *a, *b;
	fs_note_verifier  va, vb, va_other_name, both[2];
	char             *one, *two, *three;
	size_t            len1, len2, len3;
	bool              verified[2];
	fs_note          *n;
	static const char text[] = "a text\n\nwith a blank line\n";
	static const char junk[]
	    = "\xe2\x80\x94 example.org/junk AAAAAAAAAAAAAAAA\n";

	(void) state;
	assert_int_equal(fs_key_generate(&a), FS_OK);
	assert_int_equal(fs_key_generate(&b), FS_OK);
	assert_int_equal(fs_note_verifier_init(&va, "example.org/a",
	                     FS_NOTE_ED25519, fs_key_public(a)->pk),
	    FS_OK);
	assert_int_equal(fs_note_verifier_init(&vb, "example.org/b",
	                     FS_NOTE_ED25519, fs_key_public(b)->pk),
	    FS_OK);
	assert_int_equal(fs_note_verifier_init(&va_other_name, "example.org/b",
	                     FS_NOTE_ED25519, fs_key_public(a)->pk),
	    FS_OK);

	assert_int_equal(
	    fs_note_sign(&one, &len1, text, strlen(text), "example.org/a", a),
	    FS_OK);
	// b's signature, then junk, appended to a's note.
	assert_int_equal(
	    fs_note_sign(&two, &len2, text, strlen(text), "example.org/b", b),
	    FS_OK);
	three = malloc(len1 + len2 + sizeof(junk));
	assert_non_null(three);
	memcpy(three, one, len1);
	len3 = len1;
	memcpy(three + len3, two + strlen(text) + 1, len2 - strlen(text) - 1);
	len3 += len2 - strlen(text) - 1;
	memcpy(three + len3, junk, sizeof(junk));
	len3 += sizeof(junk) - 1;

	assert_int_equal(fs_note_parse(&n, three, len3), FS_OK);
	assert_int_equal(fs_note_sig_count(n), 3);
	assert_int_equal(fs_note_verify(n, &va, 1, NULL), FS_OK);
	assert_int_equal(fs_note_verify(n, &vb, 1, NULL), FS_OK);
	both[0]     = va;
	both[1]     = vb;
	verified[0] = verified[1] = false;
	assert_int_equal(fs_note_verify(n, both, 2, verified), FS_OK);
	assert_true(verified[0] && verified[1]);
	// a's key under b's name has another id: unknown, ignored.
	assert_int_equal(
	    fs_note_verify(n, &va_other_name, 1, NULL), FS_ERR_WRONG_KEY);
	fs_note_free(n);

	// Only a signed: b is reported as not having signed.
	assert_int_equal(fs_note_parse(&n, one, len1), FS_OK);
	verified[0] = verified[1] = true;
	assert_int_equal(fs_note_verify(n, both, 2, verified), FS_OK);
	assert_true(verified[0] && !verified[1]);
	fs_note_free(n);

	// The same name with another id is another key: b's line renamed
	// to a is ignored by a's verifier.
	{
		char *bad = strdup(three);
		char *l   = strstr(bad, "example.org/b ");

		assert_non_null(l);
		memcpy(l, "example.org/a ", 14);
		assert_int_equal(open_str(bad, &va, 1), FS_OK);
		free(bad);
	}
	// A known key whose signature fails sinks the note, even though
	// another known key's verifies.
	{
		char *bad = strdup(three);
		char *l   = strstr(bad, "example.org/b ") + 14;

		l[30] = l[30] == 'A' ? 'B' : 'A';
		assert_int_equal(open_str(bad, &va, 1), FS_OK);
		assert_int_equal(open_str(bad, both, 2), FS_ERR_BAD_SIGNATURE);
		free(bad);
	}
	free(one);
	free(two);
	free(three);
	fs_key_free(a);
	fs_key_free(b);
}

static fs_err
parse_str(const char *msg)
{
	fs_note *n;
	fs_err   rv = fs_note_parse(&n, msg, strlen(msg));

	fs_note_free(rv == FS_OK ? n : NULL);
	return (rv);
}

static void
test_parse_refuses(void **state)
{
	char  *big;
	size_t off;

	(void) state;
	assert_int_equal(parse_str(go_note), FS_OK);
	// No blank line; nothing after it; no final newline.
	assert_int_equal(
	    parse_str("text\n\xe2\x80\x94 a AAAAAAAA\n"), FS_ERR_MALFORMED);
	assert_int_equal(parse_str("text\n\n"), FS_ERR_MALFORMED);
	assert_int_equal(
	    parse_str("text\n\n\xe2\x80\x94 a AAAAAAAA"), FS_ERR_MALFORMED);
	// A hyphen for the em dash; two spaces; a name with '+' or NBSP.
	assert_int_equal(parse_str("text\n\n- a AAAAAAAA\n"), FS_ERR_MALFORMED);
	assert_int_equal(
	    parse_str("text\n\n\xe2\x80\x94  a AAAAAAAA\n"), FS_ERR_MALFORMED);
	assert_int_equal(
	    parse_str("text\n\n\xe2\x80\x94 a+b AAAAAAAA\n"), FS_ERR_MALFORMED);
	assert_int_equal(parse_str("text\n\n\xe2\x80\x94 a\xc2\xa0 AAAAAAAA\n"),
	    FS_ERR_MALFORMED);
	// Signatures: empty, shorter than id and one byte, not canonical
	// base64, unpadded.
	assert_int_equal(
	    parse_str("text\n\n\xe2\x80\x94 a \n"), FS_ERR_MALFORMED);
	assert_int_equal(
	    parse_str("text\n\n\xe2\x80\x94 a AAAAAA==\n"), FS_ERR_MALFORMED);
	assert_int_equal(
	    parse_str("text\n\n\xe2\x80\x94 a AAAAAAB=\n"), FS_ERR_MALFORMED);
	assert_int_equal(
	    parse_str("text\n\n\xe2\x80\x94 a AAAAAAA\n"), FS_ERR_MALFORMED);
	assert_int_equal(parse_str("text\n\n\xe2\x80\x94 a AAAAAAAA\n"), FS_OK);
	// Control characters and bad UTF-8 anywhere.
	assert_int_equal(
	    parse_str("te\txt\n\n\xe2\x80\x94 a AAAAAAAA\n"), FS_ERR_MALFORMED);
	assert_int_equal(
	    parse_str("text\r\n\n\xe2\x80\x94 a AAAAAAAA\n"), FS_ERR_MALFORMED);
	assert_int_equal(parse_str("t\xc0\xaf\n\n\xe2\x80\x94 a AAAAAAAA\n"),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    parse_str("t\xed\xa0\x80\n\n\xe2\x80\x94 a AAAAAAAA\n"),
	    FS_ERR_MALFORMED);

	// 100 signatures pass, 101 do not.
	big = malloc(200 * 32);
	assert_non_null(big);
	off = (size_t) sprintf(big, "text\n\n");
	for (int i = 0; i < 101; i++) {
		if (i == 100) {
			assert_int_equal(parse_str(big), FS_OK);
		}
		off += (size_t) sprintf(
		    big + off, "\xe2\x80\x94 n%d AAAAAAAA\n", i);
	}
	assert_int_equal(parse_str(big), FS_ERR_TOO_LARGE);
	free(big);

	// A text of more than 1 MiB.
	big = malloc(FS_NOTE_TEXT_MAX + 64);
	assert_non_null(big);
	memset(big, 'x', FS_NOTE_TEXT_MAX);
	strcpy(big + FS_NOTE_TEXT_MAX, "\n\n\xe2\x80\x94 a AAAAAAAA\n");
	assert_int_equal(parse_str(big), FS_ERR_TOO_LARGE);
	free(big);
}

static void
test_sign_refuses(void **state)
{
	fs_key *k;
	char   *out = NULL;
	size_t  len;

	(void) state;
	assert_int_equal(fs_key_generate(&k), FS_OK);
	assert_int_equal(fs_note_sign(&out, &len, "no newline", 10, "n", k),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_note_sign(&out, &len, "a\tb\n", 4, "n", k), FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_note_sign(&out, &len, "text\n", 5, "a b", k), FS_ERR_INVALID);
	assert_int_equal(
	    fs_note_sign(&out, &len, "text\n", 5, "a+b", k), FS_ERR_INVALID);
	assert_int_equal(
	    fs_note_sign(&out, &len, "text\n", 5, "", k), FS_ERR_INVALID);
	assert_null(out);
	fs_key_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_example),
		cmocka_unit_test(test_tampered_refused),
		cmocka_unit_test(test_unknown_keys_ignored),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_sign_refuses),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
