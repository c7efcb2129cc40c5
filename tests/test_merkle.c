// SPDX-License-Identifier: Apache-2.0
//
// test_merkle.c -- RFC 9162 Merkle trees: the transparency-dev proof
// vectors, and generated proofs for every tree of 1 to 70 leaves checked
// against a direct transcription of the RFC's recursive definitions.

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
#include "tests/vectors.h"

#define HB FS_MERKLE_HASH_BYTES

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

// Reference implementations: RFC 9162 2.1.1, 2.1.3.1 and 2.1.4.1, word for
// word, on an array of leaf hashes.

static uint64_t
ref_split(uint64_t n)
{
	uint64_t k = 1;

	while (k * 2 < n) {
		k *= 2;
	}
	return (k);
}

static void
ref_mth(uint8_t out[HB], const uint8_t (*d)[HB], uint64_t n)
{
	uint8_t  l[HB], r[HB];
	uint64_t k;

	if (n == 0) {
		fs_merkle_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, d[0], HB);
		return;
	}
	k = ref_split(n);
	ref_mth(l, d, k);
	ref_mth(r, d + k, n - k);
	fs_merkle_node_hash(out, l, r);
}

static void
ref_path(fs_merkle_proof *p, uint64_t m, const uint8_t (*d)[HB], uint64_t n)
{
	uint64_t k;

	if (n == 1) {
		return;
	}
	k = ref_split(n);
	if (m < k) {
		ref_path(p, m, d, k);
		ref_mth(p->hash[p->n++], d + k, n - k);
	} else {
		ref_path(p, m - k, d + k, n - k);
		ref_mth(p->hash[p->n++], d, k);
	}
}

static void
ref_subproof(
    fs_merkle_proof *p, uint64_t m, const uint8_t (*d)[HB], uint64_t n, bool b)
{
	uint64_t k;

	if (m == n) {
		if (!b) {
			ref_mth(p->hash[p->n++], d, n);
		}
		return;
	}
	k = ref_split(n);
	if (m <= k) {
		ref_subproof(p, m, d, k, b);
		ref_mth(p->hash[p->n++], d + k, n - k);
	} else {
		ref_subproof(p, m - k, d + k, n - k, false);
		ref_mth(p->hash[p->n++], d, k);
	}
}

static void
assert_proof_equal(const fs_merkle_proof *a, const fs_merkle_proof *b)
{
	assert_int_equal(a->n, b->n);
	assert_memory_equal(a->hash, b->hash, a->n * HB);
}

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

static void
tamper(fs_merkle_proof *p, size_t i, int bit)
{
	p->hash[i][bit / 8] ^= (uint8_t) (1u << (bit % 8));
}

// Every tree of 1..70 leaves: the incremental root, the root from storage
// and the rebuilt state equal the RFC's MTH; every inclusion and
// consistency proof equals the RFC's PATH and PROOF, verifies, and stops
// verifying when a bit, an index or a size changes.
static void
test_generated_proofs(void **state)
{
	enum { N = 70 };
	uint8_t         leaves[N][HB], roots[N + 1][HB], r[HB];
	fs_merkle_mem  *m;
	fs_merkle_state st, st2;
	fs_merkle_proof p, ref;
	uint64_t        n, i;

	(void) state;
	assert_int_equal(fs_merkle_mem_create(&m), FS_OK);
	fs_merkle_state_init(&st);
	fs_merkle_empty_root(roots[0]);
	fs_merkle_state_root(&st, r);
	assert_memory_equal(r, roots[0], HB);
	for (n = 1; n <= N; n++) {
		uint8_t e[8];

		for (int b = 0; b < 8; b++) {
			e[b] = (uint8_t) ((n - 1) >> (8 * (7 - b)));
		}
		fs_merkle_leaf_hash(leaves[n - 1], e, sizeof(e));
		assert_int_equal(
		    fs_merkle_state_append(&st, leaves[n - 1], NULL, NULL),
		    FS_OK);
		assert_int_equal(fs_merkle_mem_append(m, leaves[n - 1]), FS_OK);
		ref_mth(roots[n], (const uint8_t(*)[HB]) leaves, n);
		fs_merkle_state_root(&st, r);
		assert_memory_equal(r, roots[n], HB);
		fs_merkle_root(r, leaves[0], n);
		assert_memory_equal(r, roots[n], HB);
	}

	for (n = 1; n <= N; n++) {
		assert_int_equal(
		    fs_merkle_root_at(r, n, fs_merkle_mem_get, m), FS_OK);
		assert_memory_equal(r, roots[n], HB);
		assert_int_equal(
		    fs_merkle_state_load(&st2, n, fs_merkle_mem_get, m), FS_OK);
		fs_merkle_state_root(&st2, r);
		assert_memory_equal(r, roots[n], HB);

		for (i = 0; i < n; i++) {
			assert_int_equal(fs_merkle_prove_inclusion(
			                     &p, i, n, fs_merkle_mem_get, m),
			    FS_OK);
			ref.n = 0;
			ref_path(&ref, i, (const uint8_t(*)[HB]) leaves, n);
			assert_proof_equal(&p, &ref);
			assert_int_equal(fs_merkle_verify_inclusion(
			                     leaves[i], i, n, &p, roots[n]),
			    FS_OK);
			// Wrong index, leaf, root; a flipped bit; a hash too
			// many or too few.  (A size alone is not bound: the
			// proof for leaf 0 of 3 leaves fits 4 leaves too, and
			// only the root, signed with its size, tells them
			// apart.)
			assert_int_equal(fs_merkle_verify_inclusion(
			                     leaves[i], i ^ 1, n, &p, roots[n]),
			    FS_ERR_BAD_PROOF);
			assert_int_equal(
			    fs_merkle_verify_inclusion(
			        leaves[(i + 1) % N], i, n, &p, roots[n]),
			    FS_ERR_BAD_PROOF);
			assert_int_equal(fs_merkle_verify_inclusion(
			                     leaves[i], i, n, &p, roots[n - 1]),
			    FS_ERR_BAD_PROOF);
			for (size_t j = 0; j < p.n; j++) {
				tamper(&p, j, (int) (i * 7 + j) % 256);
				assert_int_equal(
				    fs_merkle_verify_inclusion(
				        leaves[i], i, n, &p, roots[n]),
				    FS_ERR_BAD_PROOF);
				tamper(&p, j, (int) (i * 7 + j) % 256);
			}
			memset(p.hash[p.n++], 0x5a, HB);
			assert_int_equal(fs_merkle_verify_inclusion(
			                     leaves[i], i, n, &p, roots[n]),
			    FS_ERR_BAD_PROOF);
			if (p.n >= 2) {
				p.n -= 2;
				assert_int_equal(
				    fs_merkle_verify_inclusion(
				        leaves[i], i, n, &p, roots[n]),
				    FS_ERR_BAD_PROOF);
			}
		}

		for (i = 1; i <= n; i++) {
			assert_int_equal(fs_merkle_prove_consistency(
			                     &p, i, n, fs_merkle_mem_get, m),
			    FS_OK);
			ref.n = 0;
			ref_subproof(
			    &ref, i, (const uint8_t(*)[HB]) leaves, n, true);
			assert_proof_equal(&p, &ref);
			assert_int_equal(fs_merkle_verify_consistency(
			                     i, n, roots[i], roots[n], &p),
			    FS_OK);
			assert_int_equal(fs_merkle_verify_consistency(
			                     i, n, roots[n], roots[i], &p),
			    i == n ? FS_OK : FS_ERR_BAD_PROOF);
			if (i > 1) {
				assert_int_equal(
				    fs_merkle_verify_consistency(
				        i - 1, n, roots[i - 1], roots[n], &p),
				    FS_ERR_BAD_PROOF);
			}
			for (size_t j = 0; j < p.n; j++) {
				tamper(&p, j, (int) (i * 5 + j) % 256);
				assert_int_equal(fs_merkle_verify_consistency(i,
				                     n, roots[i], roots[n], &p),
				    FS_ERR_BAD_PROOF);
				tamper(&p, j, (int) (i * 5 + j) % 256);
			}
			if (p.n > 0) {
				p.n--;
				assert_int_equal(fs_merkle_verify_consistency(i,
				                     n, roots[i], roots[n], &p),
				    FS_ERR_BAD_PROOF);
			}
		}
	}
	fs_merkle_mem_free(m);
}

static fs_err
get_fails(void *arg, uint64_t level, uint64_t index, uint8_t out[HB])
{
	(void) arg;
	(void) level;
	(void) index;
	(void) out;
	return (FS_ERR_IO);
}

static fs_err
put_fails(void *arg, uint64_t level, uint64_t index, const uint8_t hash[HB])
{
	(void) hash;
	(void) index;
	// Fail on the first subtree above the leaf.
	return (level == 1 ? *(fs_err *) arg : FS_OK);
}

static void
test_refusals_and_errors(void **state)
{
	fs_merkle_proof p = { .n = 3 };
	fs_merkle_state st, before;
	uint8_t         h[HB] = { 0 };
	fs_err          io    = FS_ERR_IO;

	(void) state;
	assert_int_equal(fs_merkle_prove_inclusion(&p, 5, 5, get_fails, NULL),
	    FS_ERR_INVALID);
	assert_int_equal(fs_merkle_prove_consistency(&p, 0, 5, get_fails, NULL),
	    FS_ERR_INVALID);
	assert_int_equal(fs_merkle_prove_consistency(&p, 6, 5, get_fails, NULL),
	    FS_ERR_INVALID);
	// The store's error comes back unchanged; the proof is untouched.
	assert_int_equal(
	    fs_merkle_prove_inclusion(&p, 1, 5, get_fails, NULL), FS_ERR_IO);
	assert_int_equal(
	    fs_merkle_prove_consistency(&p, 3, 5, get_fails, NULL), FS_ERR_IO);
	assert_int_equal(p.n, 3);
	// A tree of one leaf needs no stored hash for either proof.
	assert_int_equal(
	    fs_merkle_prove_inclusion(&p, 0, 1, get_fails, NULL), FS_OK);
	assert_int_equal(p.n, 0);
	assert_int_equal(fs_merkle_root_at(h, 0, get_fails, NULL), FS_OK);
	assert_int_equal(fs_merkle_state_load(&st, 0, get_fails, NULL), FS_OK);
	assert_int_equal(
	    fs_merkle_state_load(&st, 3, get_fails, NULL), FS_ERR_IO);

	// A failed put leaves the state as it was.
	fs_merkle_state_init(&st);
	assert_int_equal(fs_merkle_state_append(&st, h, put_fails, &io), FS_OK);
	before = st;
	assert_int_equal(
	    fs_merkle_state_append(&st, h, put_fails, &io), FS_ERR_IO);
	assert_memory_equal(&st, &before, sizeof(st));

	// A full tree refuses more leaves.
	st.size = UINT64_MAX;
	assert_int_equal(
	    fs_merkle_state_append(&st, h, NULL, NULL), FS_ERR_TOO_LARGE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inclusion_vectors),
		cmocka_unit_test(test_consistency_vectors),
		cmocka_unit_test(test_vectors_match_generation),
		cmocka_unit_test(test_generated_proofs),
		cmocka_unit_test(test_refusals_and_errors),
	};

	if (fs_crypto_init() != FS_OK) {
		return (1);
	}
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
