// SPDX-License-Identifier: Apache-2.0
//
// test_note.c -- signed notes, key strings, checkpoints and cosignatures.
// The known answer is the example of Go's golang.org/x/mod/sumdb/note
// (also used in the C2SP signed-note history): its verifier key, signer
// key and signed note.

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
#include "wire/note.h"

static const char go_vkey[]
    = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char go_skey[] = "PRIVATE+KEY+PeterNeumann+c74f20a3+"
                              "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char go_text[]
    = "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n";
static const char go_note[]
    = "If you think cryptography is the answer to your problem,\n"
      "then you don't know what your problem is.\n"
      "\n"
      "\xe2\x80\x94 PeterNeumann "
      "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdn"
      "gotpRZb6KE6RyyBwJnAM=\n";

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

static void
test_key_strings(void **state)
{
	fs_key          *k, *k2;
	fs_note_verifier v, v2;
	char             s[FS_NOTE_SKEY_LEN(11) + 1];
	char             name[FS_NOTE_NAME_MAX + 1];
	char             bad[256];

	(void) state;
	assert_int_equal(fs_key_generate(&k), FS_OK);
	assert_int_equal(fs_note_verifier_init(&v, "example.org",
	                     FS_NOTE_COSIG_V1, fs_key_public(k)->pk),
	    FS_OK);
	// Exactly the documented length, and no byte less.
	assert_int_equal(
	    fs_note_vkey_format(s, FS_NOTE_VKEY_LEN(11), &v), FS_ERR_TOO_LARGE);
	assert_int_equal(
	    fs_note_vkey_format(s, FS_NOTE_VKEY_LEN(11) + 1, &v), FS_OK);
	assert_int_equal(strlen(s), FS_NOTE_VKEY_LEN(11));
	assert_int_equal(fs_note_vkey_parse(&v2, s, strlen(s)), FS_OK);
	assert_memory_equal(&v, &v2, sizeof(v));

	// A wrong id, an unknown type, a bad name, missing parts.
	strcpy(bad, s);
	bad[12] = bad[12] == '0' ? '1' : '0';
	assert_int_equal(
	    fs_note_vkey_parse(&v2, bad, strlen(bad)), FS_ERR_WRONG_KEY);
	assert_int_equal(fs_note_vkey_parse(&v2,
	                     "PeterNeumann+c74f20a3+"
	                     "AhpC2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
	                     66),
	    FS_ERR_VERSION);
	assert_int_equal(
	    fs_note_vkey_parse(&v2, go_vkey + 1, 10), FS_ERR_MALFORMED);
	snprintf(bad, sizeof(bad), "a b%s", strchr(go_vkey, '+'));
	assert_int_equal(
	    fs_note_vkey_parse(&v2, bad, strlen(bad)), FS_ERR_MALFORMED);
	snprintf(bad, sizeof(bad), "%s=", go_vkey);
	assert_int_equal(
	    fs_note_vkey_parse(&v2, bad, strlen(bad)), FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_note_verifier_init(&v2, "n", 0x02, fs_key_public(k)->pk),
	    FS_ERR_VERSION);

	// Signer keys.
	assert_int_equal(
	    fs_note_skey_format(s, sizeof(s), "example.org", k), FS_OK);
	assert_int_equal(fs_note_skey_parse(&k2, name, s, strlen(s)), FS_OK);
	assert_string_equal(name, "example.org");
	assert_memory_equal(
	    fs_key_public(k2)->pk, fs_key_public(k)->pk, FS_PK_BYTES);
	fs_key_free(k2);
	sodium_memzero(s, sizeof(s));
	assert_int_equal(
	    fs_note_skey_parse(&k2, name, go_vkey, strlen(go_vkey)),
	    FS_ERR_MALFORMED);
	strcpy(bad, go_skey);
	bad[strlen("PRIVATE+KEY+PeterNeumann+")] = 'd';
	assert_int_equal(
	    fs_note_skey_parse(&k2, name, bad, strlen(bad)), FS_ERR_WRONG_KEY);
	fs_key_free(k);
}

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
		cmocka_unit_test(test_go_example),
		cmocka_unit_test(test_tampered_refused),
		cmocka_unit_test(test_unknown_keys_ignored),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_sign_refuses),
		cmocka_unit_test(test_key_strings),
		cmocka_unit_test(test_checkpoint_roundtrip),
		cmocka_unit_test(test_checkpoint_parse_refuses),
		cmocka_unit_test(test_cosignature),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
