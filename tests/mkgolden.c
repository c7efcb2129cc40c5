// SPDX-License-Identifier: Apache-2.0
//
// mkgolden.c -- writes the golden envelopes in tests/golden/.  Not run by
// the tests: run it by hand (build/tests/mkgolden tests/golden) only when
// the envelope format changes on purpose, and say so in the commit.
//
// The keys come from fixed seeds (see golden.h) so the test can open the
// files; sealed boxes and nonces are random, so a new run gives new bytes
// with the same meaning.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/key.h"
#include "tests/golden.h"
#include "wire/envelope.h"
#include "wire/lookup.h"

static void
put(const char *dir, const char *name, const uint8_t *buf, size_t len)
{
	char  path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL || fwrite(buf, 1, len, f) != len
	    || fclose(f) != 0) {
		fprintf(stderr, "mkgolden: cannot write %s\n", path);
		exit(2);
	}
}

// resign replaces the signature of an envelope whose bytes were patched.
static void
resign(const fs_key *k, uint8_t *buf, size_t len)
{
	static const char ctx[] = "fedscore envelope v1";
	size_t            n     = sizeof(ctx) - 1 + len - 66;
	uint8_t          *msg   = malloc(n);

	memcpy(msg, ctx, sizeof(ctx) - 1);
	memcpy(msg + sizeof(ctx) - 1, buf, len - 66);
	fs_key_sign(k, buf + len - 64, msg, n);
	free(msg);
}

static uint8_t *
seal(const fs_key *from, const fs_key *to, uint64_t t, size_t *lenp)
{
	fs_envelope_out out = {
		.type      = FS_MSG_PING,
		.recipient = fs_key_public(to),
		.enc       = FS_ENC_SEALED,
		.time_ms   = t,
		.body      = (const uint8_t *) GOLDEN_BODY,
		.body_len  = strlen(GOLDEN_BODY),
	};
	uint8_t *buf;

	if (fs_envelope_seal(from, &out, &buf, lenp) != FS_OK) {
		fprintf(stderr, "mkgolden: seal failed\n");
		exit(2);
	}
	return (buf);
}

int
main(int argc, char **argv)
{
	fs_key  *a, *b, *c, *x;
	uint8_t *buf;
	size_t   len;

	if (argc != 2 || fs_crypto_init() != FS_OK) {
		fprintf(stderr, "usage: mkgolden DIR\n");
		return (2);
	}
	golden_keys(&a, &b, &c, &x);

	buf = seal(a, b, GOLDEN_TIME, &len);
	put(argv[1], "valid.env", buf, len);

	buf[len - 1] ^= 0x01;
	put(argv[1], "forged-signature.env", buf, len);
	buf[len - 1] ^= 0x01;

	// Flip a body byte: the signature no longer covers these bytes.
	buf[len - 80] ^= 0x80;
	put(argv[1], "forged-body.env", buf, len);
	buf[len - 80] ^= 0x80;

	put(argv[1], "truncated.env", buf, len - 10);

	// Trailing garbage after a complete envelope.
	{
		uint8_t *t = malloc(len + 1);

		memcpy(t, buf, len);
		t[len] = 0xc0;
		put(argv[1], "trailing.env", t, len + 1);
		free(t);
	}

	// A future version, correctly signed: refused as a version.
	buf[1] = 2;
	resign(a, buf, len);
	put(argv[1], "future-version.env", buf, len);
	free(buf);

	// Addressed to c, opened by b.
	buf = seal(a, c, GOLDEN_TIME, &len);
	put(argv[1], "wrong-key.env", buf, len);
	free(buf);

	// Sent by a key b does not know.
	buf = seal(x, b, GOLDEN_TIME, &len);
	put(argv[1], "unknown-sender.env", buf, len);
	free(buf);

	// Ten minutes old at GOLDEN_TIME: past the 5-minute skew.
	buf = seal(a, b, GOLDEN_TIME - 10 * 60 * 1000, &len);
	put(argv[1], "stale.env", buf, len);
	free(buf);

	// A body header claiming 2 MiB: refused before anything is read.
	{
		static const uint8_t hdr[] = { 0x9a, 0x01, 0x01, 0xc4, 0x21 };
		uint8_t              big[sizeof(hdr) + 33 + 3 + 9 + 18 + 3 + 5];
		size_t               o = 0;

		memcpy(big, hdr, sizeof(hdr));
		o = sizeof(hdr);
		memcpy(big + o, fs_key_public(a)->kid, 33);
		o += 33;
		big[o++] = 0xc0; // no recipient
		big[o++] = 0xcf; // time
		memset(big + o, 0, 8);
		o += 8;
		big[o++] = 0xc4;
		big[o++] = 16;
		memset(big + o, 0, 16);
		o += 16;
		big[o++] = 0xc0; // no reply_to
		big[o++] = 0x00; // clear
		big[o++] = 0xc6; // bin32 of 2 MiB
		big[o++] = 0x00;
		big[o++] = 0x20;
		big[o++] = 0x00;
		big[o++] = 0x00;
		put(argv[1], "oversize.env", big, o);
	}

	// Message bodies, as seed inputs for their decoders' fuzzers.
	{
		fs_lookup       l  = { .deadline_ms = GOLDEN_TIME };
		fs_shared_item  it = { .dim = FS_DIM_NEGATIVE, .points = -100 };
		fs_contribution co = { .rules_version = "golden",
			.dims                         = { 0, 20, -50, 10, 0 },
			.shared                       = &it,
			.nshared                      = 1,
			.considered                   = 3,
			.counted                      = 2 };

		strcpy(l.token, "v4.public.golden");
		if (fs_lookup_encode(&l, &buf, &len) == FS_OK) {
			put(argv[1], "lookup.msg", buf, len);
			free(buf);
		}
		if (fs_contribution_encode(&co, &buf, &len) == FS_OK) {
			put(argv[1], "contribution.msg", buf, len);
			free(buf);
		}
	}

	fs_key_free(a);
	fs_key_free(b);
	fs_key_free(c);
	fs_key_free(x);
	return (0);
}
