// SPDX-License-Identifier: Apache-2.0
//
// fuzz_attest.c -- libFuzzer harness for attestations: the claims
// decoder, and a whole token recognized under a fixed trust list (key
// lookup by kid, the untrusted peek, the signature).

#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "wire/attest.h"
#include "wire/recognize.h"
#include "wire/scheme.h"
#include "wire/trust.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char scheme_text[] = "[scheme]\n"
                                  "id = changzhou\nversion = 1\n"
                                  "region = changzhou\n"
                                  "scale_min = 0\nscale_max = 1000\n"
                                  "base = 500\npurposes = credit_loan\n"
                                  "[tier good]\nlabel = G\nmin = 600\n"
                                  "[tier poor]\nlabel = P\nmin = 0\n";

static const char trust_text[]
    = "[trust]\nlocal = changzhou\nscheme = x\n"
      "[region yuxi]\n"
      "key = k4.public.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
      "not_before = 2026-01-01T00:00:00Z\n"
      "not_after = 2027-01-01T00:00:00Z\n"
      "map.excellent = good\nscore = linear\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static fs_trust *t;
	fs_attestation   a;
	fs_recognition   r;
	char             why[FS_WHY_MAX];

	if (t == NULL) {
		fs_scheme s;

		if (fs_crypto_init() != FS_OK
		    || fs_scheme_parse(&s, scheme_text, strlen(scheme_text),
		           "fuzz.scheme", why, sizeof(why))
		        != FS_OK
		    || fs_trust_parse(&t, trust_text, strlen(trust_text),
		           "fuzz.list", why, sizeof(why))
		        != FS_OK
		    || fs_trust_bind(t, &s, why, sizeof(why)) != FS_OK) {
			abort();
		}
	}
	(void) fs_attest_decode(&a, data, size);
	(void) fs_attest_peek(&a, (const char *) data, size);
	(void) fs_recognize(
	    &r, t, (const char *) data, size, 1795428000, why, sizeof(why));
	return (0);
}
