// SPDX-License-Identifier: Apache-2.0
//
// test_merkle_vectors.c -- RFC 9162 Merkle trees against the
// transparency-dev proof vectors, and the roots and proofs we generate for
// the trees they were made from.

#include <jansson.h>
#include <sodium.h>

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/b64.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/merkle.h"
#include "tests/crypto/merkle_ref.h"
#include "tests/vectors.h"

// The leaves of the trees the vectors were made from (RFC 6962 test data,
// as in transparency-dev/merkle testonly), and the roots of their first
// 1..8 leaves.
static const char *const leaf_hex[8] = { "", "00", "10", "2021", "3031",
	"40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f" };

static const char *const root_hex[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

// The vectors.  Their hashes are std base64.  The Go suite they come from
// treats hashes as byte strings and uses short placeholders ("don't care
// 1") where a value does not matter; it compares roots as bytes and
// refuses a leaf hash that is not 32 bytes.  Our API takes 32-byte hashes,
// so a field of another length is mapped to SHA-256 of a tagged copy of
// it: equal placeholders stay equal, and no real hash matches one.  A leaf
// hash of another length is refused, as Go's verifier refuses it.  Then
// the verifier decides every case.

static bool
b64_hash(uint8_t out[HB], json_t *j)
{
	const char              *s = json_string_value(j);
	uint8_t                  buf[256];
	size_t                   n;
	crypto_hash_sha256_state st;

	assert_non_null(s);
	assert_int_equal(
	    fs_b64std_decode(buf, sizeof(buf), &n, s, strlen(s)), FS_OK);
	if (n == HB) {
		memcpy(out, buf, HB);
		return (true);
	}
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *) "placeholder\n", 12);
	crypto_hash_sha256_update(&st, buf, n);
	crypto_hash_sha256_final(&st, out);
	return (false);
}

static bool
b64_proof(fs_merkle_proof *p, json_t *j)
{
	json_t *h;
	size_t  i;
	bool    exact = true;

	p->n = 0;
	if (json_is_null(j)) {
		return (true);
	}
	assert_true(json_is_array(j));
	assert_true(json_array_size(j) <= FS_MERKLE_PROOF_MAX);
	json_array_foreach (j, i, h) {
		exact &= b64_hash(p->hash[p->n++], h);
	}
	return (exact);
}

// Sizes and indexes go up to 2^64 - 1, past jansson's json_int_t: they
// are read from the text itself, strictly.
static uint64_t
u64(const char *text, const char *key)
{
	char        pat[64];
	const char *p;
	char       *end;
	uint64_t    v;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	assert_non_null(p = strstr(text, pat));
	p += strlen(pat);
	assert_true(*p >= '0' && *p <= '9');
	errno = 0;
	v     = strtoull(p, &end, 10);
	assert_int_equal(errno, 0);
	assert_true(*end == ',' || *end == '\n' || *end == '}');
	return (v);
}

// load reads one vector: its JSON, and its text for u64.
static json_t *
load(const char *rel, char **textp)
{
	size_t       len;
	uint8_t     *text = vec_read(vec_path(rel), &len);
	json_error_t err;
	json_t      *v = json_loadb(
	         (const char *) text, len, JSON_DECODE_INT_AS_REAL, &err);

	if (v == NULL) {
		fail_msg("%s, line %d: %s", rel, err.line, err.text);
	}
	*textp = (char *) text;
	return (v);
}

struct tally {
	int files, ok, mapped;
};

static fs_err
check_inclusion(json_t *v, const char *text, bool *mapped)
{
	uint8_t         leaf[HB], root[HB];
	fs_merkle_proof p;
	bool            leaf_ok;

	leaf_ok = b64_hash(leaf, json_object_get(v, "leafHash"));
	*mapped = !leaf_ok | !b64_hash(root, json_object_get(v, "root"))
	    | !b64_proof(&p, json_object_get(v, "proof"));
	if (!leaf_ok) {
		return (FS_ERR_MALFORMED);
	}
	return (fs_merkle_verify_inclusion(
	    leaf, u64(text, "leafIdx"), u64(text, "treeSize"), &p, root));
}

static fs_err
check_consistency(json_t *v, const char *text, bool *mapped)
{
	uint8_t         r1[HB], r2[HB];
	fs_merkle_proof p;

	*mapped = !b64_hash(r1, json_object_get(v, "root1"))
	    | !b64_hash(r2, json_object_get(v, "root2"))
	    | !b64_proof(&p, json_object_get(v, "proof"));
	return (fs_merkle_verify_consistency(
	    u64(text, "size1"), u64(text, "size2"), r1, r2, &p));
}

// walk runs check on every .json file under rel, recursively, and asserts
// the outcome each file's wantErr asks for.
static void
walk(const char  *rel, fs_err (*check)(json_t *, const char *, bool *),
    struct tally *t)
{
	DIR           *dir = opendir(vec_path(rel));
	struct dirent *e;

	if (dir == NULL) {
		fail_msg("cannot open %s: the transparency-dev vectors are "
		         "expected in tests/vectors/merkle/testdata",
		    vec_path(rel));
	}
	while ((e = readdir(dir)) != NULL) {
		char   sub[1024];
		size_t n = strlen(e->d_name);

		if (e->d_name[0] == '.') {
			continue;
		}
		snprintf(sub, sizeof(sub), "%s/%s", rel, e->d_name);
		if (n > 5 && strcmp(e->d_name + n - 5, ".json") == 0) {
			char   *text;
			json_t *v    = load(sub, &text);
			json_t *want = json_object_get(v, "wantErr");
			bool    mapped;
			fs_err  rv;

			assert_true(json_is_boolean(want));
			rv = check(v, text, &mapped);
			if (json_is_true(want) ? rv == FS_OK : rv != FS_OK) {
				fail_msg("%s: wantErr %s, got %s", sub,
				    json_is_true(want) ? "true" : "false",
				    fs_err_name(rv));
			}
			t->files++;
			t->ok += rv == FS_OK;
			t->mapped += mapped;
			json_decref(v);
			free(text);
		} else {
			walk(sub, check, t);
		}
	}
	closedir(dir);
}

static void
test_inclusion_vectors(void **state)
{
	struct tally t = { 0 };

	(void) state;
	walk("merkle/testdata/inclusion", check_inclusion, &t);
	print_message("inclusion: %d files, %d verify, %d with "
	              "placeholders\n",
	    t.files, t.ok, t.mapped);
	assert_int_equal(t.files, 98); // all of them
	assert_int_equal(t.ok, 6);     // five happy paths and the single entry
}

static void
test_consistency_vectors(void **state)
{
	struct tally t = { 0 };

	(void) state;
	walk("merkle/testdata/consistency", check_consistency, &t);
	print_message("consistency: %d files, %d verify, %d with "
	              "placeholders\n",
	    t.files, t.ok, t.mapped);
	assert_int_equal(t.files, 98);
	assert_int_equal(t.ok, 6); // five happy paths and equal sizes
}

// The vectors' happy paths come from the eight leaves above: the roots
// match ours, and so do the proofs we generate for them.
static void
test_vectors_match_generation(void **state)
{
	static const char *const dirs[] = { "inclusion", "consistency" };
	fs_merkle_mem           *m;
	uint8_t                  root[HB];

	(void) state;
	assert_int_equal(fs_merkle_mem_create(&m), FS_OK);
	for (int i = 0; i < 8; i++) {
		size_t   n, wn;
		uint8_t *d    = vec_hex(leaf_hex[i], &n);
		uint8_t *want = vec_hex(root_hex[i], &wn);
		uint8_t  leaf[HB];

		assert_int_equal(wn, HB);
		fs_merkle_leaf_hash(leaf, d, n);
		assert_int_equal(fs_merkle_mem_append(m, leaf), FS_OK);
		fs_merkle_mem_root(m, root);
		assert_memory_equal(root, want, HB);
		free(d);
		free(want);
	}
	for (int k = 0; k < 2; k++) {
		for (int i = 0; i <= 4; i++) {
			char            rel[128];
			json_t         *v;
			char           *text;
			fs_merkle_proof want, got;
			uint8_t         r[HB];

			snprintf(rel, sizeof(rel),
			    "merkle/testdata/%s/%d/happy-path.json", dirs[k],
			    i);
			v = load(rel, &text);
			assert_true(
			    b64_proof(&want, json_object_get(v, "proof")));
			if (k == 0) {
				assert_true(
				    b64_hash(r, json_object_get(v, "root")));
				assert_int_equal(fs_merkle_root_at(root,
				                     u64(text, "treeSize"),
				                     fs_merkle_mem_get, m),
				    FS_OK);
				assert_int_equal(fs_merkle_prove_inclusion(&got,
				                     u64(text, "leafIdx"),
				                     u64(text, "treeSize"),
				                     fs_merkle_mem_get, m),
				    FS_OK);
			} else {
				assert_true(
				    b64_hash(r, json_object_get(v, "root2")));
				assert_int_equal(
				    fs_merkle_root_at(root, u64(text, "size2"),
				        fs_merkle_mem_get, m),
				    FS_OK);
				assert_int_equal(
				    fs_merkle_prove_consistency(&got,
				        u64(text, "size1"), u64(text, "size2"),
				        fs_merkle_mem_get, m),
				    FS_OK);
			}
			assert_memory_equal(root, r, HB);
			assert_proof_equal(&got, &want);
			json_decref(v);
			free(text);
		}
	}
	fs_merkle_mem_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inclusion_vectors),
		cmocka_unit_test(test_consistency_vectors),
		cmocka_unit_test(test_vectors_match_generation),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
