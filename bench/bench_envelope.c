// SPDX-License-Identifier: Apache-2.0
//
// bench_envelope.c -- envelopes sealed and opened per second, beside raw
// Ed25519 signing and verification in the same run.
//
// Sealing costs one signature and one sealed box (an X25519 key
// generation and exchange); opening costs one verification and one
// exchange.  The ratios against raw Ed25519 say how much the envelope
// format itself adds.

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "wire/envelope.h"

#define BODY_LEN 256

typedef struct ctx {
	fs_key    *a, *b;
	fs_keyring ring;
	uint8_t    body[BODY_LEN];
	uint8_t    sig[FS_SIG_BYTES];
	uint8_t    box[BODY_LEN + crypto_box_SEALBYTES];
	uint8_t   *env;
	size_t     envlen;
	bool       seal;
} ctx;

static void
raw_sign(void *arg, size_t n)
{
	ctx *c = arg;

	for (size_t i = 0; i < n; i++) {
		fs_key_sign(c->a, c->sig, c->body, sizeof(c->body));
	}
}

static void
raw_verify(void *arg, size_t n)
{
	ctx *c = arg;

	for (size_t i = 0; i < n; i++) {
		if (!fs_key_verify(fs_key_public(c->a), c->sig, c->body,
		        sizeof(c->body))) {
			abort();
		}
	}
}

static void
raw_sign_seal(void *arg, size_t n)
{
	ctx    *c = arg;
	uint8_t out[BODY_LEN + crypto_box_SEALBYTES];

	for (size_t i = 0; i < n; i++) {
		fs_key_sign(c->a, c->sig, c->body, sizeof(c->body));
		crypto_box_seal(
		    out, c->body, sizeof(c->body), fs_key_public(c->b)->xpk);
	}
}

static void
raw_verify_open(void *arg, size_t n)
{
	ctx    *c = arg;
	uint8_t out[BODY_LEN];

	for (size_t i = 0; i < n; i++) {
		if (!fs_key_verify(
		        fs_key_public(c->a), c->sig, c->body, sizeof(c->body))
		    || fs_key_open_sealed(c->b, out, c->box, sizeof(c->box))
		        != 0) {
			abort();
		}
	}
}

static void
env_seal(void *arg, size_t n)
{
	ctx            *c = arg;
	fs_envelope_out m = { .type = FS_MSG_PING,
		.recipient          = fs_key_public(c->b),
		.enc                = c->seal ? FS_ENC_SEALED : FS_ENC_NONE,
		.time_ms            = fs_now_ms(),
		.body               = c->body,
		.body_len           = sizeof(c->body) };

	for (size_t i = 0; i < n; i++) {
		uint8_t *buf;
		size_t   len;

		if (fs_envelope_seal(c->a, &m, &buf, &len) != FS_OK) {
			abort();
		}
		free(buf);
	}
}

static void
env_open(void *arg, size_t n)
{
	ctx *c = arg;

	for (size_t i = 0; i < n; i++) {
		fs_envelope env;

		if (fs_envelope_open(&env, c->env, c->envlen, c->b,
		        fs_keyring_lookup, &c->ring, fs_now_ms(),
		        FS_SKEW_DEFAULT_MS)
		    != FS_OK) {
			abort();
		}
		fs_envelope_fini(&env);
	}
}

int
main(int argc, char **argv)
{
	ctx    c      = { 0 };
	size_t iters  = 2000;
	int    rounds = 7;
	double sign, verify, sealf, openf;

	if (argc > 1) {
		iters = strtoul(argv[1], NULL, 10);
	}
	if (fs_crypto_init() != FS_OK || fs_key_generate(&c.a) != FS_OK
	    || fs_key_generate(&c.b) != FS_OK) {
		return (1);
	}
	c.ring.keys = fs_key_public(c.a);
	c.ring.n    = 1;
	randombytes_buf(c.body, sizeof(c.body));
	fs_key_sign(c.a, c.sig, c.body, sizeof(c.body));
	crypto_box_seal(c.box, c.body, sizeof(c.body), fs_key_public(c.b)->xpk);

	bench_machine();
	printf("envelope with a %d-byte body; median of %d rounds of %zu\n",
	    BODY_LEN, rounds, iters);
	sign   = bench_rate(raw_sign, &c, iters, rounds);
	verify = bench_rate(raw_verify, &c, iters, rounds);
	bench_print("Ed25519 sign (floor)", sign, sign);
	bench_print("Ed25519 verify (floor)", verify, verify);
	sealf = bench_rate(raw_sign_seal, &c, iters, rounds);
	openf = bench_rate(raw_verify_open, &c, iters, rounds);
	bench_print("Ed25519 sign + box_seal (floor)", sealf, sealf);
	bench_print("Ed25519 verify + box_seal_open (floor)", openf, openf);

	c.seal = true;
	printf("envelope, ratio to the matching floor:\n");
	bench_print("seal: sign+encrypt+encode",
	    bench_rate(env_seal, &c, iters, rounds), sealf);
	{
		fs_envelope_out m = { .type = FS_MSG_PING,
			.recipient          = fs_key_public(c.b),
			.enc                = FS_ENC_SEALED,
			.time_ms            = fs_now_ms() + 60000,
			.body               = c.body,
			.body_len           = sizeof(c.body) };

		fs_envelope_seal(c.a, &m, &c.env, &c.envlen);
	}
	bench_print("open: decode+decrypt+verify",
	    bench_rate(env_open, &c, iters, rounds), openf);
	free(c.env);

	c.seal = false;
	bench_print("seal, clear body: sign+encode (vs sign)",
	    bench_rate(env_seal, &c, iters, rounds), sign);
	fs_key_free(c.a);
	fs_key_free(c.b);
	return (0);
}
