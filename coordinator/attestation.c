// SPDX-License-Identifier: Apache-2.0
//
// attestation.c -- the attestation of a lookup: filled from the scheme,
// the score and the consent, then signed with the disclosure's index.

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "common/err.h"
#include "coordinator/coordimpl.h"
#include "coordinator/coordinator.h"
#include "wire/attest.h"
#include "wire/token.h"

void
coord_attest_prepare(const fs_coord *c, fs_attestation *a, const fs_score *s,
    bool with_score, const fs_claims *consent, int64_t now)
{
	memset(a, 0, sizeof(*a));
	snprintf(a->iss, sizeof(a->iss), "%s", c->scheme.region);
	snprintf(a->scheme_id, sizeof(a->scheme_id), "%s", c->scheme.id);
	snprintf(a->scheme_version, sizeof(a->scheme_version), "%s",
	    c->scheme.version);
	snprintf(a->scheme_hash, sizeof(a->scheme_hash), "%s", c->scheme.hash);
	a->scale_min = c->scheme.scale_min;
	a->scale_max = c->scheme.scale_max;
	a->ntiers    = c->scheme.ntiers;
	memcpy(a->tiers, c->scheme.tiers, sizeof(a->tiers));
	a->tier      = *s->tier;
	a->has_score = with_score;
	a->score     = with_score ? s->score : 0;
	a->iat       = now;
	a->exp       = now + c->attest_ttl_s;
	randombytes_buf(a->jti, sizeof(a->jti));
	a->has_idc = consent->has_idc;
	memcpy(a->idc, consent->idc, sizeof(a->idc));
}

fs_err
coord_attest_sign(
    const fs_coord *c, fs_attestation *a, int64_t index, char **tokenp)
{
	a->log_index = index;
	return (fs_attest_sign(tokenp, c->key, a));
}
