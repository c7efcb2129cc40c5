// SPDX-License-Identifier: Apache-2.0
//
// fuzz_trust.c -- libFuzzer harness for the trust list parser: the text
// of a trust list, then its binding to a local scheme (tier names, the
// region), and the same bytes as a signed trust list under a fixed
// office key.

#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "wire/scheme.h"
#include "wire/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char scheme_text[] = "[scheme]\n"
                                  "id = changzhou\nversion = 1\n"
                                  "region = changzhou\n"
                                  "scale_min = 0\nscale_max = 1000\n"
                                  "base = 500\npurposes = credit_loan\n"
                                  "[tier excellent]\nlabel = E\nmin = 800\n"
                                  "[tier good]\nlabel = G\nmin = 600\n"
                                  "[tier poor]\nlabel = P\nmin = 0\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fs_scheme s;
	static fs_key   *office;
	char             why[FS_WHY_MAX];
	fs_trust        *t;

	if (office == NULL) {
		uint8_t seed[FS_SEED_BYTES] = { 4 };

		if (fs_crypto_init() != FS_OK
		    || fs_key_from_seed(&office, seed) != FS_OK
		    || fs_scheme_parse(&s, scheme_text, strlen(scheme_text),
		           "fuzz.scheme", why, sizeof(why))
		        != FS_OK) {
			abort();
		}
	}
	if (fs_trust_parse(
	        &t, (const char *) data, size, "fuzz.list", why, sizeof(why))
	    == FS_OK) {
		for (size_t i = 0; i < fs_trust_count(t); i++) {
			(void) fs_trust_region_at(t, i);
		}
		(void) fs_trust_bind(t, &s, why, sizeof(why));
		fs_trust_free(t);
	}
	if (fs_trust_open(&t, (const char *) data, size, "fuzz.list",
	        fs_key_public(office), FS_TRUST_OFFICE_NAME, why, sizeof(why))
	    == FS_OK) {
		fs_trust_free(t);
	}
	return (0);
}
