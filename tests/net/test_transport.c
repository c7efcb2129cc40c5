// SPDX-License-Identifier: Apache-2.0
//
// test_transport.c -- the nng transport: bytes both ways, parallel calls,
// and timeouts rather than hangs.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/err.h"
#include "crypto/key.h"
#include "net/transport.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transport_roundtrip_and_timeout),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
