// SPDX-License-Identifier: Apache-2.0
//
// test_tile.c -- tile paths, entry bundles and hash tiles, and the tree
// built from them, an altered hash naming its entry.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "audit/audit.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"

static void
test_tile_path(void **state)
{
	char p[FS_TILE_PATH_MAX];

	(void) state;
	assert_int_equal(fs_tile_path(p, 0, 0, FS_TILE_WIDTH), FS_OK);
	assert_string_equal(p, "tile/0/000");
	assert_int_equal(fs_tile_path(p, FS_TILE_ENTRIES, 0, 5), FS_OK);
	assert_string_equal(p, "tile/entries/000.p/5");
	assert_int_equal(fs_tile_path(p, 0, 1234067, FS_TILE_WIDTH), FS_OK);
	assert_string_equal(p, "tile/0/x001/x234/067");
	assert_int_equal(fs_tile_path(p, 1, 1000, 255), FS_OK);
	assert_string_equal(p, "tile/1/x001/000.p/255");
	assert_int_equal(fs_tile_path(p, 0, 0, 0), FS_ERR_INVALID);
	assert_int_equal(fs_tile_path(p, 0, 0, 257), FS_ERR_INVALID);
	assert_int_equal(fs_tile_path(p, 10, 0, 1), FS_ERR_INVALID);
}

static void
test_bundle_parse(void **state)
{
	static const uint8_t b[] = { 0, 3, 'a', 'b', 'c', 0, 0, 0, 1, 'z' };
	fs_bundle_entry      e[4];
	size_t               n;

	(void) state;
	assert_int_equal(fs_bundle_parse(e, 4, &n, b, sizeof(b)), FS_OK);
	assert_int_equal(n, 3);
	assert_int_equal(e[0].len, 3);
	assert_memory_equal(e[0].data, "abc", 3);
	assert_int_equal(e[1].len, 0);
	assert_int_equal(e[2].len, 1);
	assert_int_equal(e[2].data[0], 'z');
	// Ends inside a length, inside an entry; more than asked for.
	assert_int_equal(fs_bundle_parse(e, 4, &n, b, 6), FS_ERR_TRUNCATED);
	assert_int_equal(fs_bundle_parse(e, 4, &n, b, 4), FS_ERR_TRUNCATED);
	assert_int_equal(
	    fs_bundle_parse(e, 2, &n, b, sizeof(b)), FS_ERR_TRAILING);
	assert_int_equal(fs_bundle_parse(e, 4, &n, b, 0), FS_OK);
	assert_int_equal(n, 0);
}

static void
test_hashtile_check(void **state)
{
	uint8_t h[96] = { 0 };

	(void) state;
	assert_int_equal(fs_hashtile_check(3, h, 96), FS_OK);
	assert_int_equal(fs_hashtile_check(3, h, 95), FS_ERR_TRUNCATED);
	assert_int_equal(fs_hashtile_check(2, h, 65), FS_ERR_TRAILING);
	assert_int_equal(fs_hashtile_check(0, h, 0), FS_OK);
}

// entries fills n entries "entry <i>" and their leaf hashes.
static void
entries(fs_bundle_entry *e, char (*text)[32], uint8_t *hashes, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		snprintf(text[i], 32, "entry %zu", i);
		e[i].data = (const uint8_t *) text[i];
		e[i].len  = strlen(text[i]);
		fs_merkle_leaf_hash(hashes + 32 * i, e[i].data, e[i].len);
	}
}

static void
test_tree(void **state)
{
	enum { N = 300 };
	static char     text[N][32];
	static uint8_t  h[N * 32];
	fs_bundle_entry e[N];
	fs_audit_tree   t;
	fs_merkle_mem  *m;
	uint8_t         root[32], want[32], old[32];
	uint64_t        bad = 0;

	(void) state;
	entries(e, text, h, N);
	assert_int_equal(fs_merkle_mem_create(&m), FS_OK);
	for (size_t i = 0; i < N; i++) {
		assert_int_equal(fs_merkle_mem_append(m, h + 32 * i), FS_OK);
		if (i + 1 == 100) {
			fs_merkle_mem_root(m, old);
		}
	}
	fs_merkle_mem_root(m, want);
	fs_merkle_mem_free(m);

	fs_audit_tree_init(&t, 100);
	assert_int_equal(fs_audit_tree_add(&t, e, h, 256, &bad), FS_OK);
	assert_int_equal(
	    fs_audit_tree_add(&t, e + 256, h + 256 * 32, N - 256, &bad), FS_OK);
	fs_audit_tree_root(&t, root);
	assert_memory_equal(root, want, 32);
	assert_true(t.have_old);
	assert_memory_equal(t.old_root, old, 32);

	// An altered hash names its entry.
	h[32 * 7] ^= 1;
	fs_audit_tree_init(&t, 0);
	assert_int_equal(
	    fs_audit_tree_add(&t, e, h, N, &bad), FS_ERR_BAD_PROOF);
	assert_int_equal(bad, 7);
	h[32 * 7] ^= 1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tile_path),
		cmocka_unit_test(test_bundle_parse),
		cmocka_unit_test(test_hashtile_check),
		cmocka_unit_test(test_tree),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
