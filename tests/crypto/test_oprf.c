// SPDX-License-Identifier: Apache-2.0
//
// test_oprf.c -- RFC 9497 OPRF and VOPRF over ristretto255-SHA512 against
// every vector of that suite in modes 0 and 1 (mode 2, POPRF, is not
// implemented and its vectors are skipped), and refusals (identity, bad
// encodings, tampered proofs, wrong keys).

#include <jansson.h>
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
#include "crypto/oprf.h"
#include "crypto/oprfimpl.h"
#include "tests/vectors.h"

#define EB FS_OPRF_ELEMENT_BYTES
#define SB FS_OPRF_SCALAR_BYTES
#define OB FS_OPRF_OUTPUT_BYTES

// A comma-separated list of hex strings, as the batched vectors write it.
typedef struct hexlist {
	size_t   n;
	uint8_t *item[8];
	size_t   len[8];
} hexlist;

static void
hexlist_parse(hexlist *l, const char *s)
{
	assert_non_null(s);
	l->n = 0;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t n = comma != NULL ? (size_t) (comma - s) : strlen(s);
		char   buf[1024];

		assert_true(n < sizeof(buf) && l->n < 8);
		// Bound n for the compiler too, which cannot see through the
		// assertion (-Wstringop-overflow in release builds).
		n = n < sizeof(buf) ? n : sizeof(buf) - 1;
		memcpy(buf, s, n);
		buf[n]        = '\0';
		l->item[l->n] = vec_hex(buf, &l->len[l->n]);
		l->n++;
		if (comma == NULL) {
			break;
		}
		s = comma + 1;
	}
}

// hexlist_cat concatenates items of the given size each.
static uint8_t *
hexlist_cat(const hexlist *l, size_t size)
{
	uint8_t *out = malloc(l->n * size);

	assert_non_null(out);
	for (size_t i = 0; i < l->n; i++) {
		assert_int_equal(l->len[i], size);
		memcpy(out + i * size, l->item[i], size);
	}
	return (out);
}

static void
hexlist_free(hexlist *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->item[i]);
	}
	l->n = 0;
}

static const char *
field(json_t *o, const char *name)
{
	const char *s = json_string_value(json_object_get(o, name));

	if (s == NULL) {
		fail_msg("vector has no string field %s", name);
	}
	return (s);
}

static void
hexfield(uint8_t *out, size_t n, json_t *o, const char *name)
{
	size_t   got;
	uint8_t *b = vec_hex(field(o, name), &got);

	assert_int_equal(got, n);
	memcpy(out, b, n);
	free(b);
}

// suite finds the ristretto255-SHA512 suite of mode in the vectors.
static json_t *
suite(json_t *doc, int mode)
{
	json_t *s;
	size_t  i;

	json_array_foreach (doc, i, s) {
		const char *id
		    = json_string_value(json_object_get(s, "identifier"));

		if (id != NULL && strcmp(id, "ristretto255-SHA512") == 0
		    && json_integer_value(json_object_get(s, "mode")) == mode) {
			return (s);
		}
	}
	fail_msg("no ristretto255-SHA512 suite of mode %d in "
	         "oprf/allVectors.json",
	    mode);
	return (NULL);
}

static fs_oprf_key *
derive_suite_key(json_t *s, fs_oprf_mode mode)
{
	uint8_t      seed[FS_OPRF_SEED_BYTES], sk[SB], pk[EB];
	size_t       ilen;
	uint8_t     *info = vec_hex(field(s, "keyInfo"), &ilen);
	fs_oprf_key *k;

	hexfield(seed, sizeof(seed), s, "seed");
	hexfield(sk, sizeof(sk), s, "skSm");
	assert_int_equal(fs_oprf_key_derive(&k, mode, seed, info, ilen), FS_OK);
	assert_memory_equal(fs_oprf_key_secret(k), sk, SB);
	if (json_object_get(s, "pkSm") != NULL) {
		hexfield(pk, sizeof(pk), s, "pkSm");
		assert_memory_equal(fs_oprf_key_public(k), pk, EB);
	}
	free(info);
	return (k);
}

static void
test_oprf_vectors(void **state)
{
	json_t      *doc = vec_load("oprf/allVectors.json");
	json_t      *s   = suite(doc, FS_OPRF_MODE_OPRF);
	json_t      *v;
	size_t       i, count = 0;
	fs_oprf_key *k = derive_suite_key(s, FS_OPRF_MODE_OPRF);

	(void) state;
	json_array_foreach (json_object_get(s, "vectors"), i, v) {
		hexlist in, bl, be, ee, out;
		uint8_t blinded[EB], ev[EB], o[OB];

		hexlist_parse(&in, field(v, "Input"));
		hexlist_parse(&bl, field(v, "Blind"));
		hexlist_parse(&be, field(v, "BlindedElement"));
		hexlist_parse(&ee, field(v, "EvaluationElement"));
		hexlist_parse(&out, field(v, "Output"));
		assert_int_equal(
		    json_integer_value(json_object_get(v, "Batch")), in.n);
		for (size_t j = 0; j < in.n; j++) {
			assert_int_equal(
			    fs_oprf_blind_fixed(FS_OPRF_MODE_OPRF, bl.item[j],
			        blinded, in.item[j], in.len[j]),
			    FS_OK);
			assert_memory_equal(blinded, be.item[j], EB);
			assert_int_equal(
			    fs_oprf_blind_evaluate(k, ev, blinded), FS_OK);
			assert_memory_equal(ev, ee.item[j], EB);
			assert_int_equal(fs_oprf_finalize(o, in.item[j],
			                     in.len[j], bl.item[j], ev),
			    FS_OK);
			assert_memory_equal(o, out.item[j], OB);
			assert_int_equal(
			    fs_oprf_evaluate(k, o, in.item[j], in.len[j]),
			    FS_OK);
			assert_memory_equal(o, out.item[j], OB);
		}
		hexlist_free(&in);
		hexlist_free(&bl);
		hexlist_free(&be);
		hexlist_free(&ee);
		hexlist_free(&out);
		count++;
	}
	assert_int_equal(count, 2);
	fs_oprf_key_free(k);
	json_decref(doc);
}

static void
test_voprf_vectors(void **state)
{
	json_t      *doc = vec_load("oprf/allVectors.json");
	json_t      *s   = suite(doc, FS_OPRF_MODE_VOPRF);
	json_t      *v;
	size_t       i, count = 0, batched = 0;
	fs_oprf_key *k = derive_suite_key(s, FS_OPRF_MODE_VOPRF);

	(void) state;
	json_array_foreach (json_object_get(s, "vectors"), i, v) {
		hexlist        in, bl, be, ee, out;
		json_t        *p = json_object_get(v, "Proof");
		uint8_t        r[SB], want[FS_OPRF_PROOF_BYTES];
		uint8_t        proof[FS_OPRF_PROOF_BYTES];
		uint8_t       *blinds, *blinded, *ev, *o;
		fs_oprf_input *inputs;
		size_t         n;

		hexlist_parse(&in, field(v, "Input"));
		hexlist_parse(&bl, field(v, "Blind"));
		hexlist_parse(&be, field(v, "BlindedElement"));
		hexlist_parse(&ee, field(v, "EvaluationElement"));
		hexlist_parse(&out, field(v, "Output"));
		n = in.n;
		assert_int_equal(
		    json_integer_value(json_object_get(v, "Batch")), n);
		hexfield(r, sizeof(r), p, "r");
		hexfield(want, sizeof(want), p, "proof");
		blinds  = hexlist_cat(&bl, SB);
		blinded = malloc(n * EB);
		ev      = malloc(n * EB);
		o       = malloc(n * OB);
		inputs  = calloc(n, sizeof(*inputs));
		assert_true(blinded && ev && o && inputs);

		for (size_t j = 0; j < n; j++) {
			assert_int_equal(fs_oprf_blind_fixed(FS_OPRF_MODE_VOPRF,
			                     blinds + j * SB, blinded + j * EB,
			                     in.item[j], in.len[j]),
			    FS_OK);
			assert_memory_equal(blinded + j * EB, be.item[j], EB);
			inputs[j] = (fs_oprf_input) { in.item[j], in.len[j] };
		}
		assert_int_equal(
		    fs_voprf_blind_evaluate_fixed(k, ev, proof, blinded, n, r),
		    FS_OK);
		for (size_t j = 0; j < n; j++) {
			assert_memory_equal(ev + j * EB, ee.item[j], EB);
		}
		assert_memory_equal(proof, want, sizeof(want));

		assert_int_equal(fs_voprf_verify(fs_oprf_key_public(k), blinded,
		                     ev, n, proof),
		    FS_OK);
		assert_int_equal(fs_voprf_finalize(o, fs_oprf_key_public(k),
		                     inputs, blinds, blinded, ev, n, proof),
		    FS_OK);
		for (size_t j = 0; j < n; j++) {
			uint8_t e[OB];

			assert_memory_equal(o + j * OB, out.item[j], OB);
			assert_int_equal(
			    fs_oprf_evaluate(k, e, in.item[j], in.len[j]),
			    FS_OK);
			assert_memory_equal(e, out.item[j], OB);
		}
		batched += n > 1;
		free(blinds);
		free(blinded);
		free(ev);
		free(o);
		free(inputs);
		hexlist_free(&in);
		hexlist_free(&bl);
		hexlist_free(&be);
		hexlist_free(&ee);
		hexlist_free(&out);
		count++;
	}
	assert_int_equal(count, 3);
	assert_int_equal(batched, 1);
	fs_oprf_key_free(k);
	json_decref(doc);
}

// A batch made with a fresh key, for the refusals below.
typedef struct batch {
	fs_oprf_key  *k;
	size_t        n;
	fs_oprf_input in[5];
	char          text[5][24];
	uint8_t       blinds[5 * SB];
	uint8_t       blinded[5 * EB];
	uint8_t       ev[5 * EB];
	uint8_t       proof[FS_OPRF_PROOF_BYTES];
} batch;

static void
batch_make(batch *b)
{
	b->n = 5;
	assert_int_equal(
	    fs_oprf_key_generate(&b->k, FS_OPRF_MODE_VOPRF), FS_OK);
	for (size_t i = 0; i < b->n; i++) {
		snprintf(b->text[i], sizeof(b->text[i]), "11010519491231%03zu",
		    i + 2);
		b->in[i] = (fs_oprf_input) { (const uint8_t *) b->text[i],
			strlen(b->text[i]) };
		assert_int_equal(
		    fs_oprf_blind(FS_OPRF_MODE_VOPRF, b->blinds + i * SB,
		        b->blinded + i * EB, b->in[i].data, b->in[i].len),
		    FS_OK);
	}
	assert_int_equal(
	    fs_voprf_blind_evaluate(b->k, b->ev, b->proof, b->blinded, b->n),
	    FS_OK);
}

static void
test_voprf_roundtrip(void **state)
{
	batch   b;
	uint8_t o[5 * OB], e[OB];

	(void) state;
	batch_make(&b);
	assert_int_equal(fs_voprf_finalize(o, fs_oprf_key_public(b.k), b.in,
	                     b.blinds, b.blinded, b.ev, b.n, b.proof),
	    FS_OK);
	for (size_t i = 0; i < b.n; i++) {
		assert_int_equal(
		    fs_oprf_evaluate(b.k, e, b.in[i].data, b.in[i].len), FS_OK);
		assert_memory_equal(o + i * OB, e, OB);
	}
	// A stored key gives the same PRF.
	{
		fs_oprf_key *k2;

		assert_int_equal(
		    fs_oprf_key_from_scalar(
		        &k2, FS_OPRF_MODE_VOPRF, fs_oprf_key_secret(b.k)),
		    FS_OK);
		assert_memory_equal(
		    fs_oprf_key_public(k2), fs_oprf_key_public(b.k), EB);
		fs_oprf_key_free(k2);
	}
	fs_oprf_key_free(b.k);
}

static void
test_identity_refused(void **state)
{
	static const uint8_t zero[EB];
	batch                b;
	fs_oprf_key         *k;
	uint8_t              ev[5 * EB], pr[FS_OPRF_PROOF_BYTES], o[5 * OB];
	uint8_t              blind[SB], bad[5 * EB];

	(void) state;
	assert_int_equal(fs_oprf_key_generate(&k, FS_OPRF_MODE_OPRF), FS_OK);
	assert_int_equal(fs_oprf_blind_evaluate(k, ev, zero), FS_ERR_CRYPTO);
	fs_oprf_key_free(k);

	batch_make(&b);
	// The server refuses a batch with the identity in it.
	memcpy(bad, b.blinded, sizeof(bad));
	memset(bad + 2 * EB, 0, EB);
	assert_int_equal(
	    fs_voprf_blind_evaluate(b.k, ev, pr, bad, b.n), FS_ERR_CRYPTO);
	// The client refuses an identity evaluation, and an identity key.
	memcpy(bad, b.ev, sizeof(bad));
	memset(bad + 4 * EB, 0, EB);
	assert_int_equal(fs_voprf_verify(fs_oprf_key_public(b.k), b.blinded,
	                     bad, b.n, b.proof),
	    FS_ERR_CRYPTO);
	assert_int_equal(fs_voprf_finalize(o, fs_oprf_key_public(b.k), b.in,
	                     b.blinds, b.blinded, bad, b.n, b.proof),
	    FS_ERR_CRYPTO);
	assert_int_equal(fs_voprf_verify(zero, b.blinded, b.ev, b.n, b.proof),
	    FS_ERR_CRYPTO);
	crypto_core_ristretto255_scalar_random(blind);
	assert_int_equal(
	    fs_oprf_finalize(o, (const uint8_t *) "x", 1, blind, zero),
	    FS_ERR_CRYPTO);
	fs_oprf_key_free(b.k);
}

static void
test_invalid_points_refused(void **state)
{
	uint8_t      ff[EB], neg[EB] = { 1 };
	uint8_t      ev[5 * EB], pr[FS_OPRF_PROOF_BYTES], bad[5 * EB];
	uint8_t      blind[SB], o[OB];
	fs_oprf_key *k;
	batch        b;

	(void) state;
	// Not a field element below p; a "negative" field element.
	memset(ff, 0xff, sizeof(ff));
	assert_int_equal(fs_oprf_key_generate(&k, FS_OPRF_MODE_OPRF), FS_OK);
	assert_int_equal(fs_oprf_blind_evaluate(k, ev, ff), FS_ERR_MALFORMED);
	assert_int_equal(fs_oprf_blind_evaluate(k, ev, neg), FS_ERR_MALFORMED);
	fs_oprf_key_free(k);
	crypto_core_ristretto255_scalar_random(blind);
	assert_int_equal(
	    fs_oprf_finalize(o, (const uint8_t *) "x", 1, blind, ff),
	    FS_ERR_MALFORMED);

	batch_make(&b);
	memcpy(bad, b.blinded, sizeof(bad));
	memcpy(bad + EB, neg, EB);
	assert_int_equal(
	    fs_voprf_blind_evaluate(b.k, ev, pr, bad, b.n), FS_ERR_MALFORMED);
	// A valid element with the top bit set: libsodium 1.0.18 ignores
	// the bit, RFC 9496 refuses the encoding, and so do we.
	memcpy(bad, b.blinded, sizeof(bad));
	bad[EB - 1] |= 0x80;
	assert_true(crypto_core_ristretto255_is_valid_point(bad));
	assert_int_equal(
	    fs_voprf_blind_evaluate(b.k, ev, pr, bad, b.n), FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_voprf_verify(fs_oprf_key_public(b.k), bad, b.ev, b.n, b.proof),
	    FS_ERR_MALFORMED);
	assert_int_equal(
	    fs_oprf_finalize(o, (const uint8_t *) "x", 1, b.blinds, bad),
	    FS_ERR_MALFORMED);
	memcpy(bad, b.ev, sizeof(bad));
	memcpy(bad + 3 * EB, ff, EB);
	assert_int_equal(fs_voprf_verify(fs_oprf_key_public(b.k), b.blinded,
	                     bad, b.n, b.proof),
	    FS_ERR_MALFORMED);
	assert_int_equal(fs_voprf_verify(ff, b.blinded, b.ev, b.n, b.proof),
	    FS_ERR_MALFORMED);
	// Proof scalars must be below the group order.
	memcpy(pr, b.proof, sizeof(pr));
	memset(pr + SB, 0xff, SB);
	assert_int_equal(
	    fs_voprf_verify(fs_oprf_key_public(b.k), b.blinded, b.ev, b.n, pr),
	    FS_ERR_MALFORMED);
	fs_oprf_key_free(b.k);
}

static void
test_tampered_proof_refused(void **state)
{
	batch          b;
	const uint8_t *pk;
	uint8_t        pr[FS_OPRF_PROOF_BYTES], ev[5 * EB], o[5 * OB];

	(void) state;
	batch_make(&b);
	pk = fs_oprf_key_public(b.k);
	assert_int_equal(
	    fs_voprf_verify(pk, b.blinded, b.ev, b.n, b.proof), FS_OK);
	// Either half of the proof, one bit each (both stay canonical).
	for (size_t i = 0; i < FS_OPRF_PROOF_BYTES; i += SB) {
		memcpy(pr, b.proof, sizeof(pr));
		pr[i] ^= 1;
		assert_int_equal(fs_voprf_verify(pk, b.blinded, b.ev, b.n, pr),
		    FS_ERR_PROOF);
	}
	// Two evaluations swapped, or one replaced by another valid point.
	memcpy(ev, b.ev, sizeof(ev));
	memcpy(ev, b.ev + EB, EB);
	memcpy(ev + EB, b.ev, EB);
	assert_int_equal(
	    fs_voprf_verify(pk, b.blinded, ev, b.n, b.proof), FS_ERR_PROOF);
	memcpy(ev, b.ev, sizeof(ev));
	memcpy(ev + 2 * EB, b.blinded + 2 * EB, EB);
	assert_int_equal(fs_voprf_finalize(o, pk, b.in, b.blinds, b.blinded, ev,
	                     b.n, b.proof),
	    FS_ERR_PROOF);
	// A proof for part of the batch only.
	assert_int_equal(fs_voprf_verify(pk, b.blinded, b.ev, b.n - 1, b.proof),
	    FS_ERR_PROOF);
	fs_oprf_key_free(b.k);
}

static void
test_wrong_key_refused(void **state)
{
	batch        b;
	fs_oprf_key *other;
	uint8_t      o[5 * OB];

	(void) state;
	batch_make(&b);
	assert_int_equal(
	    fs_oprf_key_generate(&other, FS_OPRF_MODE_VOPRF), FS_OK);
	assert_int_equal(fs_voprf_verify(fs_oprf_key_public(other), b.blinded,
	                     b.ev, b.n, b.proof),
	    FS_ERR_PROOF);
	assert_int_equal(fs_voprf_finalize(o, fs_oprf_key_public(other), b.in,
	                     b.blinds, b.blinded, b.ev, b.n, b.proof),
	    FS_ERR_PROOF);
	fs_oprf_key_free(other);
	fs_oprf_key_free(b.k);
}

static void
test_misuse_refused(void **state)
{
	static const uint8_t zero[SB];
	fs_oprf_key         *k;
	uint8_t              e[EB], pr[FS_OPRF_PROOF_BYTES], l[SB];
	uint8_t              blind[SB], blinded[EB], o[OB];
	uint8_t             *big;

	(void) state;
	// Keys of one mode are not used in the other.
	assert_int_equal(fs_oprf_key_generate(&k, FS_OPRF_MODE_OPRF), FS_OK);
	assert_int_equal(fs_oprf_blind(FS_OPRF_MODE_OPRF, blind, blinded,
	                     (const uint8_t *) "a", 1),
	    FS_OK);
	assert_int_equal(
	    fs_voprf_blind_evaluate(k, e, pr, blinded, 1), FS_ERR_INVALID);
	fs_oprf_key_free(k);
	assert_int_equal(fs_oprf_key_generate(&k, FS_OPRF_MODE_VOPRF), FS_OK);
	assert_int_equal(fs_oprf_blind_evaluate(k, e, blinded), FS_ERR_INVALID);
	assert_int_equal(
	    fs_voprf_blind_evaluate(k, e, pr, blinded, 0), FS_ERR_INVALID);
	fs_oprf_key_free(k);
	assert_int_equal(
	    fs_oprf_key_generate(&k, (fs_oprf_mode) 2), FS_ERR_INVALID);

	// Zero and non-canonical scalars.
	memcpy(l,
	    "\xed\xd3\xf5\x5c\x1a\x63\x12\x58\xd6\x9c\xf7\xa2\xde\xf9"
	    "\xde\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x10",
	    SB);
	assert_false(fs_scalar_is_canonical(l));
	l[0]--;
	assert_true(fs_scalar_is_canonical(l));
	l[0]++;
	assert_int_equal(fs_oprf_key_from_scalar(&k, FS_OPRF_MODE_OPRF, zero),
	    FS_ERR_MALFORMED);
	assert_int_equal(fs_oprf_key_from_scalar(&k, FS_OPRF_MODE_OPRF, l),
	    FS_ERR_MALFORMED);
	assert_int_equal(fs_oprf_blind_fixed(FS_OPRF_MODE_OPRF, zero, blinded,
	                     (const uint8_t *) "a", 1),
	    FS_ERR_INVALID);
	assert_int_equal(
	    fs_oprf_finalize(o, (const uint8_t *) "a", 1, l, blinded),
	    FS_ERR_INVALID);

	// Inputs longer than two bytes can count.
	big = calloc(1, FS_OPRF_INPUT_MAX + 1);
	assert_non_null(big);
	assert_int_equal(fs_oprf_blind(FS_OPRF_MODE_OPRF, blind, blinded, big,
	                     FS_OPRF_INPUT_MAX + 1),
	    FS_ERR_TOO_LARGE);
	assert_int_equal(fs_oprf_blind(FS_OPRF_MODE_OPRF, blind, blinded, big,
	                     FS_OPRF_INPUT_MAX),
	    FS_OK);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oprf_vectors),
		cmocka_unit_test(test_voprf_vectors),
		cmocka_unit_test(test_voprf_roundtrip),
		cmocka_unit_test(test_identity_refused),
		cmocka_unit_test(test_invalid_points_refused),
		cmocka_unit_test(test_tampered_proof_refused),
		cmocka_unit_test(test_wrong_key_refused),
		cmocka_unit_test(test_misuse_refused),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
