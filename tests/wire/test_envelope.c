// SPDX-License-Identifier: Apache-2.0
//
// test_envelope.c -- the envelope: the golden files, round trips, bounds,
// truncation and bit flips, and the clock skew allowed.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "tests/golden.h"
#include "tests/vectors.h"
#include "wire/envelope.h"

// b knows a; a knows b.
static fs_err
open_as_b(fs_envelope *env, const uint8_t *buf, size_t len, uint64_t now)
{
	fs_keyring ring = { fs_key_public(ka), 1 };

	return (fs_envelope_open(env, buf, len, kb, fs_keyring_lookup, &ring,
	    now, FS_SKEW_DEFAULT_MS));
}

static fs_err
open_golden(const char *name, fs_envelope *env)
{
	char     path[4096];
	size_t   len;
	uint8_t *buf;
	fs_err   rv;

	snprintf(path, sizeof(path), "%s/%s", getenv("FS_GOLDEN"), name);
	buf = vec_read(path, &len);
	rv  = open_as_b(env, buf, len, GOLDEN_TIME);
	free(buf);
	return (rv);
}

static void
test_golden_valid(void **state)
{
	fs_envelope env;

	(void) state;
	assert_int_equal(open_golden("valid.env", &env), FS_OK);
	assert_int_equal(env.version, 1);
	assert_int_equal(env.type, FS_MSG_PING);
	assert_int_equal(env.enc, FS_ENC_SEALED);
	assert_memory_equal(env.sender, fs_key_public(ka)->kid, FS_KID_BYTES);
	assert_true(env.has_recipient);
	assert_false(env.has_reply_to);
	assert_int_equal(env.time_ms, GOLDEN_TIME);
	assert_int_equal(env.body_len, strlen(GOLDEN_BODY));
	assert_memory_equal(env.body, GOLDEN_BODY, env.body_len);
	fs_envelope_fini(&env);
}

static void
test_golden_refusals(void **state)
{
	static const struct {
		const char *file;
		fs_err      want;
	} cases[] = {
		{ "forged-signature.env", FS_ERR_BAD_SIGNATURE },
		{ "forged-body.env", FS_ERR_BAD_SIGNATURE },
		{ "wrong-key.env", FS_ERR_WRONG_KEY },
		{ "unknown-sender.env", FS_ERR_UNREGISTERED },
		{ "truncated.env", FS_ERR_TRUNCATED },
		{ "trailing.env", FS_ERR_TRAILING },
		{ "oversize.env", FS_ERR_TOO_LARGE },
		{ "future-version.env", FS_ERR_VERSION },
		{ "stale.env", FS_ERR_CLOCK_SKEW },
	};
	fs_envelope env;

	(void) state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fs_err rv = open_golden(cases[i].file, &env);

		if (rv != cases[i].want) {
			fail_msg("%s: expected %s, got %s", cases[i].file,
			    fs_err_name(cases[i].want), fs_err_name(rv));
		}
	}
}

static void
test_roundtrip_clear_and_reply(void **state)
{
	fs_keyring      ring_a = { fs_key_public(kb), 1 };
	fs_envelope     req, rep;
	fs_envelope_out m = { .type = FS_MSG_PING,
		.time_ms            = fs_now_ms(),
		.body               = (const uint8_t *) "",
		.body_len           = 0 };
	uint8_t        *buf, *rbuf;
	size_t          len, rlen;

	(void) state;
	// Clear and unaddressed, with an empty body.
	assert_int_equal(fs_envelope_seal(ka, &m, &buf, &len), FS_OK);
	assert_int_equal(open_as_b(&req, buf, len, fs_now_ms()), FS_OK);
	assert_int_equal(req.body_len, 0);
	assert_int_equal(req.enc, FS_ENC_NONE);

	// The reply names the request by hash.
	m.type      = FS_MSG_PONG;
	m.reply_to  = req.hash;
	m.recipient = fs_key_public(ka);
	m.enc       = FS_ENC_SEALED;
	assert_int_equal(fs_envelope_seal(kb, &m, &rbuf, &rlen), FS_OK);
	assert_int_equal(
	    fs_envelope_open(&rep, rbuf, rlen, ka, fs_keyring_lookup, &ring_a,
	        fs_now_ms(), FS_SKEW_DEFAULT_MS),
	    FS_OK);
	assert_int_equal(fs_envelope_check_reply(&rep, req.hash), FS_OK);
	// ...and no other request.
	req.hash[0] ^= 1;
	assert_int_equal(
	    fs_envelope_check_reply(&rep, req.hash), FS_ERR_UNBOUND);

	fs_envelope_fini(&req);
	fs_envelope_fini(&rep);
	free(buf);
	free(rbuf);
}

static void
test_seal_bounds(void **state)
{
	fs_envelope_out m = { .type = FS_MSG_PING, .enc = FS_ENC_SEALED };
	fs_envelope     env;
	uint8_t        *buf;
	size_t          len;
	uint8_t        *big = calloc(1, FS_ENV_MAX + 1);

	(void) state;
	// Sealing needs a recipient.
	assert_int_equal(fs_envelope_seal(ka, &m, &buf, &len), FS_ERR_INVALID);
	// Bodies past the bound are refused when sealing and when opening.
	m.enc      = FS_ENC_NONE;
	m.body     = big;
	m.body_len = FS_ENV_BODY_MAX + 1;
	assert_int_equal(
	    fs_envelope_seal(ka, &m, &buf, &len), FS_ERR_TOO_LARGE);
	assert_int_equal(open_as_b(&env, big, FS_ENV_MAX + 1, fs_now_ms()),
	    FS_ERR_TOO_LARGE);
	// The largest body still goes through.
	m.body_len = FS_ENV_BODY_MAX;
	m.time_ms  = fs_now_ms();
	assert_int_equal(fs_envelope_seal(ka, &m, &buf, &len), FS_OK);
	assert_int_equal(open_as_b(&env, buf, len, fs_now_ms()), FS_OK);
	fs_envelope_fini(&env);
	free(buf);
	free(big);
}

static void
test_every_prefix_refused(void **state)
{
	fs_envelope_out m = { .type = FS_MSG_PING,
		.recipient          = fs_key_public(kb),
		.enc                = FS_ENC_SEALED,
		.time_ms            = GOLDEN_TIME,
		.body               = (const uint8_t *) "x",
		.body_len           = 1 };
	fs_envelope     env;
	uint8_t        *buf;
	size_t          len;

	(void) state;
	assert_int_equal(fs_envelope_seal(ka, &m, &buf, &len), FS_OK);
	for (size_t n = 0; n < len; n++) {
		fs_err rv = open_as_b(&env, buf, n, GOLDEN_TIME);

		assert_int_not_equal(rv, FS_OK);
	}
	// Every single-bit flip is refused.
	for (size_t i = 0; i < len; i++) {
		buf[i] ^= 0x04;
		assert_int_not_equal(
		    open_as_b(&env, buf, len, GOLDEN_TIME), FS_OK);
		buf[i] ^= 0x04;
	}
	assert_int_equal(open_as_b(&env, buf, len, GOLDEN_TIME), FS_OK);
	fs_envelope_fini(&env);
	free(buf);
}

static void
test_clock_skew_edges(void **state)
{
	fs_envelope_out m = { .type = FS_MSG_PING,
		.time_ms            = GOLDEN_TIME,
		.body               = (const uint8_t *) "t",
		.body_len           = 1 };
	fs_envelope     env;
	uint8_t        *buf;
	size_t          len;
	uint64_t        skew = FS_SKEW_DEFAULT_MS;

	(void) state;
	assert_int_equal(fs_envelope_seal(ka, &m, &buf, &len), FS_OK);
	assert_int_equal(open_as_b(&env, buf, len, GOLDEN_TIME + skew), FS_OK);
	fs_envelope_fini(&env);
	assert_int_equal(open_as_b(&env, buf, len, GOLDEN_TIME - skew), FS_OK);
	fs_envelope_fini(&env);
	assert_int_equal(open_as_b(&env, buf, len, GOLDEN_TIME + skew + 1),
	    FS_ERR_CLOCK_SKEW);
	assert_int_equal(open_as_b(&env, buf, len, GOLDEN_TIME - skew - 1),
	    FS_ERR_CLOCK_SKEW);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_valid),
		cmocka_unit_test(test_golden_refusals),
		cmocka_unit_test(test_roundtrip_clear_and_reply),
		cmocka_unit_test(test_seal_bounds),
		cmocka_unit_test(test_every_prefix_refused),
		cmocka_unit_test(test_clock_skew_edges),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, golden_setup, golden_teardown));
}
