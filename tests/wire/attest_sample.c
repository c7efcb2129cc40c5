// SPDX-License-Identifier: Apache-2.0
//
// attest_sample.c -- schemes, an attestation and trust lists of two
// regions.

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/conf.h"
#include "common/err.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "tests/wire/attest_sample.h"
#include "wire/attest.h"
#include "wire/scheme.h"
#include "wire/trust.h"

const char yuxi[] = "[scheme]\n"
                    "id = yuxi\nversion = 2024-1\nregion = yuxi\n"
                    "scale_min = 0\nscale_max = 1000\nbase = 500\n"
                    "purposes = credit_loan\n"
                    "[tier excellent]\nlabel = 信用优秀\nmin = 800\n"
                    "[tier good]\nlabel = 信用良好\nmin = 600\n"
                    "[tier fair]\nlabel = 信用一般\nmin = 500\n"
                    "[tier poor]\nlabel = 信用不足\nmin = 0\n";

const char changzhou[] = "[scheme]\n"
                         "id = changzhou\nversion = 2022-1\n"
                         "region = changzhou\n"
                         "scale_min = 0\nscale_max = 100\n"
                         "base = 50\npurposes = credit_loan\n"
                         "[tier a]\nlabel = A\nmin = 90\n"
                         "[tier b]\nlabel = B\nmin = 70\n"
                         "[tier c]\nlabel = C\nmin = 0\n";

const char idnum[] = "11010519491231002X";

void
scheme(fs_scheme *s, const char *text)
{
	char why[FS_WHY_MAX];

	if (fs_scheme_parse(s, text, strlen(text), "t.scheme", why, sizeof(why))
	    != FS_OK) {
		fail_msg("scheme: %s", why);
	}
}

void
sample(fs_attestation *a, const char *iss)
{
	fs_scheme s;
	uint8_t   salt[FS_IDC_SALT_BYTES];

	scheme(&s, yuxi);
	memset(a, 0, sizeof(*a));
	snprintf(a->iss, sizeof(a->iss), "%s", iss);
	strcpy(a->scheme_id, s.id);
	strcpy(a->scheme_version, s.version);
	strcpy(a->scheme_hash, s.hash);
	a->scale_min = s.scale_min;
	a->scale_max = s.scale_max;
	a->ntiers    = s.ntiers;
	memcpy(a->tiers, s.tiers, sizeof(a->tiers));
	a->tier      = *fs_scheme_tier(&s, 650);
	a->has_score = true;
	a->score     = 650;
	a->iat       = NOW;
	a->exp       = NOW + 600;
	memset(a->jti, 7, sizeof(a->jti));
	a->log_index = 12;
	for (int i = 0; i < FS_IDC_SALT_BYTES; i++) {
		salt[i] = (uint8_t) (i + 1);
	}
	a->has_idc = true;
	fs_idc_commit(a->idc, salt, idnum, strlen(idnum));
}

char *
sign(const fs_key *k, const fs_attestation *a)
{
	char *tok;

	assert_int_equal(fs_attest_sign(&tok, k, a), FS_OK);
	return (tok);
}

void
trust_text(char *buf, size_t cap, const fs_key *k, const fs_key *old,
    const char *extra)
{
	char pk[FS_PASERK_PUBLIC_LEN + 1], rk[FS_PASERK_PUBLIC_LEN + 1];

	fs_paserk_public(pk, fs_key_public(k)->pk);
	fs_paserk_public(rk, fs_key_public(old)->pk);
	snprintf(buf, cap,
	    "# Changzhou recognizes Yuxi\n"
	    "[trust]\nlocal = changzhou\nscheme = changzhou.conf\nskew = 0s\n"
	    "[region yuxi]\nkey = %s\nretired = %s\n"
	    "not_before = 2026-01-01T00:00:00Z\n"
	    "not_after = 2027-01-01T00:00:00Z\n"
	    "map.excellent = a\nmap.good = b\n%s",
	    pk, rk, extra);
}

fs_trust *
trust(const char *text)
{
	fs_trust *t;
	fs_scheme s;
	char      why[FS_WHY_MAX];

	if (fs_trust_parse(
	        &t, text, strlen(text), "/etc/fs/trust.list", why, sizeof(why))
	    != FS_OK) {
		fail_msg("trust list: %s", why);
	}
	scheme(&s, changzhou);
	if (fs_trust_bind(t, &s, why, sizeof(why)) != FS_OK) {
		fail_msg("bind: %s", why);
	}
	return (t);
}
