// SPDX-License-Identifier: Apache-2.0
//
// recognize.c -- recognizing a foreign region's attestation under a trust
// list: whose key signed it, whether that key and region are trusted now,
// whether it is still valid, and which local tier it is worth
// (docs/recognition.md).
//
// The key is chosen by the footer's kid among every key the list holds,
// current and retired, so that a retired key is told apart from a
// stranger's.  The claims are read before the signature is checked only
// to say which region a stranger's attestation claims to be from; nothing
// read that way decides anything.  Mapping: an explicit map line for the
// attested tier first, then score = linear when the attestation carries a
// score; otherwise the attestation is not recognized.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "wire/attest.h"
#include "wire/recognize.h"
#include "wire/scheme.h"
#include "wire/token.h"
#include "wire/trust.h"
#include "wire/wireimpl.h"

// find_key returns the region whose current (or, *retired set, retired)
// key has this kid.
static const fs_trust_region *
find_key(const fs_trust *t, const uint8_t kid[static FS_KID_BYTES],
    const fs_pubkey **keyp, bool *retired)
{
	for (size_t i = 0; i < t->nregions; i++) {
		const fs_trust_region *r = &t->regions[i];

		if (sodium_memcmp(r->key.kid, kid, FS_KID_BYTES) == 0) {
			*keyp    = &r->key;
			*retired = false;
			return (r);
		}
		for (size_t k = 0; k < r->nretired; k++) {
			if (sodium_memcmp(r->retired[k].kid, kid, FS_KID_BYTES)
			    == 0) {
				*keyp    = &r->retired[k];
				*retired = true;
				return (r);
			}
		}
	}
	return (NULL);
}

fs_err
fs_recognize_verify(fs_attestation *out, const fs_trust *t, const char *token,
    size_t len, char *why, size_t whycap)
{
	const fs_trust_region *r;
	const fs_pubkey       *key;
	fs_attestation         a;
	uint8_t                kid[FS_KID_BYTES];
	bool                   retired;
	fs_err                 rv;

	if ((rv = fs_token_kid(kid, token, len)) != FS_OK) {
		return (fs_why(why, whycap, rv,
		    "expected an attestation, v4.public.… with a footer "
		    "{\"kid\":\"k4.pid.…\"}: %s",
		    fs_strerror(rv)));
	}
	if ((r = find_key(t, kid, &key, &retired)) == NULL) {
		// Untrusted: only to say which region it claims to be.
		if (fs_attest_peek(&a, token, len) != FS_OK) {
			return (fs_why(why, whycap, FS_ERR_UNREGISTERED,
			    "signed by a key of no region in the trust list, "
			    "and unreadable"));
		}
		if (fs_trust_region_find(t, a.iss) != NULL) {
			return (fs_why(why, whycap, FS_ERR_WRONG_KEY,
			    "claims region %s, but is signed by a key that the "
			    "trust list does not hold for %s",
			    a.iss, a.iss));
		}
		return (fs_why(why, whycap, FS_ERR_UNREGISTERED,
		    "region %s is not in the trust list of %s", a.iss,
		    t->local));
	}
	if ((rv = fs_attest_verify(&a, token, len, key)) != FS_OK) {
		if (rv == FS_ERR_BAD_SIGNATURE) {
			snprintf(why, whycap,
			    "the signature by the key of region %s does not "
			    "verify: the attestation was altered",
			    r->id);
		} else {
			snprintf(why, whycap,
			    "expected an attestation of region %s: %s", r->id,
			    fs_strerror(rv));
		}
		return (rv);
	}
	if (retired) {
		return (fs_why(why, whycap, FS_ERR_REVOKED,
		    "signed by a retired key of region %s: the trust list no "
		    "longer accepts it",
		    r->id));
	}
	if (strcmp(a.iss, r->id) != 0) {
		return (fs_why(why, whycap, FS_ERR_WRONG_REGION,
		    "claims region %s, but is signed by the key of region %s",
		    a.iss, r->id));
	}
	*out = a;
	return (FS_OK);
}

fs_err
fs_recognize_check(fs_recognition *out, const fs_trust *t,
    const fs_attestation *a, int64_t now, char *why, size_t whycap)
{
	const fs_trust_region *r  = fs_trust_region_find(t, a->iss);
	const fs_tier         *lt = NULL;
	fs_recognition         rec;
	char                   tb[FS_TIME_LEN + 1];

	if (!t->bound || r == NULL) {
		snprintf(
		    why, whycap, "region %s is not in the trust list", a->iss);
		return (r == NULL ? FS_ERR_UNREGISTERED : FS_ERR_INVALID);
	}
	if (now < r->not_before) {
		fs_time_format(tb, r->not_before);
		return (fs_why(why, whycap, FS_ERR_NOT_YET_VALID,
		    "the trust list trusts region %s from %s on", r->id, tb));
	}
	if (now >= r->not_after) {
		fs_time_format(tb, r->not_after);
		return (fs_why(why, whycap, FS_ERR_EXPIRED,
		    "the trust list trusted region %s until %s", r->id, tb));
	}
	// Both sums stay in range: the times are RFC 3339 years 0..9999 and
	// the skew at most an hour.
	if (now >= a->exp + t->skew_s) {
		fs_time_format(tb, a->exp);
		return (fs_why(why, whycap, FS_ERR_EXPIRED,
		    "the attestation of region %s expired at %s", r->id, tb));
	}
	if (now < a->iat - t->skew_s) {
		fs_time_format(tb, a->iat);
		return (fs_why(why, whycap, FS_ERR_NOT_YET_VALID,
		    "the attestation of region %s is issued at %s, in the "
		    "future",
		    r->id, tb));
	}
	memset(&rec, 0, sizeof(rec));
	for (size_t m = 0; m < r->nmaps && lt == NULL; m++) {
		if (strcmp(r->maps[m].foreign, a->tier.name) == 0) {
			lt = fs_scheme_tier_named(&t->scheme, r->maps[m].local);
			snprintf(rec.rule, sizeof(rec.rule), "map.%s = %s",
			    r->maps[m].foreign, r->maps[m].local);
		}
	}
	if (lt == NULL && r->linear && a->has_score) {
		const fs_scheme *s = &t->scheme;

		// Floor: a foreign score never counts for more here than its
		// place on the foreign scale.  Products stay below 2^63: both
		// scales are bounded by FS_SCALE_BOUND.
		rec.by_score    = true;
		rec.local_score = s->scale_min
		    + (a->score - a->scale_min) * (s->scale_max - s->scale_min)
		        / (a->scale_max - a->scale_min);
		lt = fs_scheme_tier(s, rec.local_score);
		snprintf(rec.rule, sizeof(rec.rule), "score = linear");
	}
	if (lt == NULL) {
		return (fs_why(why, whycap, FS_ERR_REFUSED,
		    "the trust list maps no tier %s of region %s%s",
		    a->tier.name, r->id,
		    r->linear ? ", and the attestation has no score for score "
		                "= linear"
		              : ""));
	}
	rec.att   = *a;
	rec.local = *lt;
	*out      = rec;
	return (FS_OK);
}

fs_err
fs_recognize(fs_recognition *r, const fs_trust *t, const char *token,
    size_t len, int64_t now, char *why, size_t whycap)
{
	fs_attestation a;
	fs_err         rv;

	if ((rv = fs_recognize_verify(&a, t, token, len, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	return (fs_recognize_check(r, t, &a, now, why, whycap));
}
