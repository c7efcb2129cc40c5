// SPDX-License-Identifier: Apache-2.0
//
// test_protocol.c -- the envelope (golden files and round trips), the
// strict msgpack reader, the replay cache, error bodies and nng transport.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "net/replay.h"
#include "net/transport.h"
#include "tests/golden.h"
#include "tests/vectors.h"
#include "wire/envelope.h"
#include "wire/lookup.h"
#include "wire/mp.h"
#include "wire/token.h"

static fs_key *ka, *kb, *kc, *kx;

static int
setup(void **state)
{
	(void) state;
	golden_keys(&ka, &kb, &kc, &kx);
	return (ka && kb && kc && kx) ? 0 : -1;
}

static int
teardown(void **state)
{
	(void) state;
	fs_key_free(ka);
	fs_key_free(kb);
	fs_key_free(kc);
	fs_key_free(kx);
	return (0);
}

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

static void
test_replay_cache(void **state)
{
	fs_replay  *r;
	fs_envelope e    = { 0 };
	uint64_t    t    = 1000000;
	uint64_t    skew = 1000;

	(void) state;
	assert_int_equal(fs_replay_init(&r, 4, skew), FS_OK);
	memcpy(e.sender, fs_key_public(ka)->kid, FS_KID_BYTES);
	e.time_ms = t;
	assert_int_equal(fs_replay_check(r, &e, t), FS_OK);
	assert_int_equal(fs_replay_check(r, &e, t), FS_ERR_REPLAYED);
	// Still remembered while the envelope could pass the skew check,
	// across a generation change.
	assert_int_equal(fs_replay_check(r, &e, t + 2 * skew), FS_ERR_REPLAYED);
	// Another sender with the same nonce is another message.
	memcpy(e.sender, fs_key_public(kb)->kid, FS_KID_BYTES);
	assert_int_equal(fs_replay_check(r, &e, t), FS_OK);
	// Full of live entries: fail closed.
	for (int i = 1; i < 64; i++) {
		fs_err rv;

		e.nonce[0] = (uint8_t) i;
		rv         = fs_replay_check(r, &e, t);
		if (rv != FS_OK) {
			assert_int_equal(rv, FS_ERR_TOO_LARGE);
			break;
		}
		assert_true(i < 32);
	}
	fs_replay_fini(r);
}

static void
test_mp_reader(void **state)
{
	// [ -1, 300, "hi", bin(2), true, nil, {1:2} ]
	static const uint8_t buf[] = { 0x97, 0xff, 0xcd, 0x01, 0x2c, 0xa2, 'h',
		'i', 0xc4, 0x02, 0xaa, 0xbb, 0xc3, 0xc0, 0x81, 0x01, 0x02 };
	fs_mp                r;
	uint32_t             n;
	int64_t              i;
	uint64_t             u;
	const char          *s;
	const uint8_t       *b;
	size_t               len;
	bool                 t;

	(void) state;
	fs_mp_init(&r, buf, sizeof(buf));
	assert_int_equal(fs_mp_array(&r, &n), FS_OK);
	assert_int_equal(n, 7);
	assert_int_equal(fs_mp_uint(&r, &u), FS_ERR_TYPE); // -1 is not uint
	assert_int_equal(fs_mp_int(&r, &i), FS_OK);
	assert_int_equal(i, -1);
	assert_int_equal(fs_mp_int(&r, &i), FS_OK);
	assert_int_equal(i, 300);
	assert_int_equal(fs_mp_str(&r, &s, &len, 1), FS_ERR_TOO_LARGE);
	assert_int_equal(fs_mp_str(&r, &s, &len, 2), FS_OK);
	assert_int_equal(fs_mp_bin(&r, &b, &len, 8), FS_OK);
	assert_int_equal(len, 2);
	assert_int_equal(fs_mp_bool(&r, &t), FS_OK);
	assert_true(t);
	assert_true(fs_mp_nil(&r));
	assert_int_equal(fs_mp_map(&r, &n), FS_OK);
	assert_int_equal(n, 1);
	assert_int_equal(fs_mp_end(&r), FS_ERR_TRAILING);
	assert_int_equal(fs_mp_uint(&r, &u), FS_OK);
	assert_int_equal(fs_mp_uint(&r, &u), FS_OK);
	assert_int_equal(fs_mp_end(&r), FS_OK);
	assert_int_equal(fs_mp_uint(&r, &u), FS_ERR_TRUNCATED);

	// An array claiming more items than bytes left is a truncation.
	{
		static const uint8_t lie[]
		    = { 0xdd, 0xff, 0xff, 0xff, 0xff, 0x00 };

		fs_mp_init(&r, lie, sizeof(lie));
		assert_int_equal(fs_mp_array(&r, &n), FS_ERR_TRUNCATED);
	}
	// int8 and int16 sign extension.
	{
		static const uint8_t neg[] = { 0xd0, 0x80, 0xd1, 0xff, 0x00 };

		fs_mp_init(&r, neg, sizeof(neg));
		assert_int_equal(fs_mp_int(&r, &i), FS_OK);
		assert_int_equal(i, -128);
		assert_int_equal(fs_mp_int(&r, &i), FS_OK);
		assert_int_equal(i, -256);
	}
}

static void
test_error_body(void **state)
{
	uint8_t *buf;
	size_t   len;
	fs_err   code;
	char     detail[8];

	(void) state;
	assert_int_equal(fs_error_body_encode(FS_ERR_REVOKED,
	                     "token revoked\x01 at seq 7", &buf, &len),
	    FS_OK);
	assert_int_equal(
	    fs_error_body_decode(buf, len, &code, detail, sizeof(detail)),
	    FS_OK);
	assert_int_equal(code, FS_ERR_REVOKED);
	assert_string_equal(detail, "token r");
	assert_int_equal(
	    fs_error_body_decode(buf, len - 1, &code, detail, sizeof(detail)),
	    FS_ERR_TRUNCATED);
	free(buf);
}

// An echo server over nng: the transport carries bytes both ways.
static void
echo(void *arg, const uint8_t *req, size_t len, uint8_t **repp, size_t *replenp)
{
	(void) arg;
	if (len == 0) {
		return; // no answer: the caller times out
	}
	*repp = malloc(len);
	memcpy(*repp, req, len);
	*replenp = len;
}

static void
test_transport_roundtrip_and_timeout(void **state)
{
	char       url[256];
	fs_server *srv;
	fs_client *cl;
	uint8_t   *rep;
	size_t     replen;

	(void) state;
	snprintf(url, sizeof(url), "ipc:///tmp/fs-test-transport.%d.sock",
	    (int) getpid());
	assert_int_equal(fs_server_start(&srv, url, 2, echo, NULL), FS_OK);
	assert_int_equal(fs_client_open(&cl, url), FS_OK);
	assert_int_equal(
	    fs_client_call(cl, (const uint8_t *) "abc", 3, 5000, &rep, &replen),
	    FS_OK);
	assert_int_equal(replen, 3);
	assert_memory_equal(rep, "abc", 3);
	free(rep);
	assert_int_equal(
	    fs_client_call(cl, (const uint8_t *) "", 0, 100, &rep, &replen),
	    FS_ERR_TIMEOUT);
	fs_client_close(cl);
	fs_server_stop(srv);

	// Parallel calls: one answers, one never does, both within the
	// deadline.
	{
		fs_client *c2;
		fs_call    calls[2] = {
			   { .req = (const uint8_t *) "xyz", .len = 3 },
			   { .req = (const uint8_t *) "", .len = 0 },
		};

		srv = NULL;
		assert_int_equal(
		    fs_server_start(&srv, url, 2, echo, NULL), FS_OK);
		assert_int_equal(fs_client_open(&c2, url), FS_OK);
		calls[0].client = c2;
		calls[1].client = c2;
		assert_int_equal(fs_client_call_many(calls, 2, 300), FS_OK);
		assert_int_equal(calls[0].rv, FS_OK);
		assert_int_equal(calls[0].replen, 3);
		assert_memory_equal(calls[0].rep, "xyz", 3);
		assert_int_equal(calls[1].rv, FS_ERR_TIMEOUT);
		assert_null(calls[1].rep);
		free(calls[0].rep);
		fs_client_close(c2);
		fs_server_stop(srv);
	}

	// Nobody listening: a timeout, not a hang.
	assert_int_equal(fs_client_open(&cl, url), FS_OK);
	assert_int_equal(
	    fs_client_call(cl, (const uint8_t *) "abc", 3, 100, &rep, &replen),
	    FS_ERR_TIMEOUT);
	fs_client_close(cl);
}

static void
test_lookup_roundtrip(void **state)
{
	fs_lookup l = { .deadline_ms = 1234 }, back;
	uint8_t  *buf;
	size_t    len;

	(void) state;
	memset(l.request_id, 7, sizeof(l.request_id));
	memset(l.subject, 9, sizeof(l.subject));
	strcpy(l.token, "v4.public.abc");
	assert_int_equal(fs_lookup_encode(&l, &buf, &len), FS_OK);
	assert_int_equal(fs_lookup_decode(&back, buf, len), FS_OK);
	assert_memory_equal(&back, &l, sizeof(l) - sizeof(l.token));
	assert_string_equal(back.token, l.token);
	for (size_t n = 0; n < len; n++) {
		assert_int_not_equal(fs_lookup_decode(&back, buf, n), FS_OK);
	}
	free(buf);
}

static void
test_contribution_roundtrip_and_bounds(void **state)
{
	fs_shared_item  items[2] = { { .dim = FS_DIM_NEGATIVE, .points = -50 },
		 { .dim = FS_DIM_POSITIVE, .points = 20 } };
	fs_contribution c        = { .rules_version = "r1",
		       .dims                        = { 0, 10, -30, 5, 0 },
		       .shared                      = items,
		       .nshared                     = 2,
		       .disputed                    = true,
		       .considered                  = 7,
		       .counted                     = 4 };
	fs_contribution back;
	uint8_t        *buf;
	size_t          len;

	(void) state;
	memset(items[0].behavior_key, 1, FS_SUBJECT_BYTES);
	memset(items[1].behavior_key, 2, FS_SUBJECT_BYTES);
	assert_int_equal(fs_contribution_encode(&c, &buf, &len), FS_OK);
	assert_int_equal(fs_contribution_decode(&back, buf, len), FS_OK);
	assert_string_equal(back.rules_version, "r1");
	assert_memory_equal(back.dims, c.dims, sizeof(c.dims));
	assert_int_equal(back.nshared, 2);
	assert_memory_equal(back.shared, items, sizeof(items));
	assert_true(back.disputed);
	assert_int_equal(back.considered, 7);
	assert_int_equal(back.counted, 4);
	fs_contribution_fini(&back);
	for (size_t n = 0; n < len; n++) {
		assert_int_not_equal(
		    fs_contribution_decode(&back, buf, n), FS_OK);
	}
	free(buf);

	// Points beyond any scale are refused, so sums cannot overflow.
	c.dims[1] = 1000001;
	assert_int_equal(fs_contribution_encode(&c, &buf, &len), FS_OK);
	assert_int_equal(
	    fs_contribution_decode(&back, buf, len), FS_ERR_TOO_LARGE);
	free(buf);
	c.dims[1]    = 0;
	items[0].dim = (fs_dim) 9;
	assert_int_equal(fs_contribution_encode(&c, &buf, &len), FS_OK);
	assert_int_equal(
	    fs_contribution_decode(&back, buf, len), FS_ERR_MALFORMED);
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
		cmocka_unit_test(test_replay_cache),
		cmocka_unit_test(test_mp_reader),
		cmocka_unit_test(test_error_body),
		cmocka_unit_test(test_transport_roundtrip_and_timeout),
		cmocka_unit_test(test_lookup_roundtrip),
		cmocka_unit_test(test_contribution_roundtrip_and_bounds),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, setup, teardown));
}
