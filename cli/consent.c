// SPDX-License-Identifier: Apache-2.0
//
// consent.c -- fedscore consent: grant, revoke and verify consent tokens.

#include <sodium.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "common/b64.h"
#include "common/conf.h"
#include "common/err.h"
#include "common/idnum.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "crypto/oprf.h"
#include "issuer/issuer.h"
#include "wire/token.h"

static const char usage[]
    = "usage: fedscore consent grant -c CONF --id ID --to REQUESTER "
      "--purpose P --scope S [--ttl 10m] [--uses N]\n"
      "       fedscore consent revoke -c CONF JTI\n"
      "       fedscore consent verify --key PUB --region R TOKEN\n";

typedef struct opts {
	const char *conf, *id, *to, *purpose, *scope, *ttl, *uses, *key;
	const char *region;
} opts;

static int
grant(const opts *o)
{
	char       why[FS_WHY_MAX] = "";
	char       norm[FS_IDNUM_LEN + 1];
	char       jti[FS_JTI_STR_LEN + 1];
	char       exp[FS_TIME_LEN + 1];
	uint8_t    salt[FS_IDC_SALT_BYTES];
	char       salt64[FS_IDC_SALT_BYTES * 2];
	char      *token = NULL, *end;
	int64_t    ttl   = 10 * 60 * 1000;
	fs_grant   g     = { .idnum = norm, .uses = 1 };
	fs_issuer *iss   = NULL;
	fs_err     rv;

	if (o->ttl != NULL
	    && (fs_parse_duration(o->ttl, &ttl) != FS_OK || ttl < 1000)) {
		fprintf(stderr,
		    "fedscore consent grant: expected --ttl as a "
		    "duration of at least 1s like 10m or 1d, found "
		    "'%s'\n",
		    o->ttl);
		return (EXIT_USAGE);
	}
	if (o->uses != NULL) {
		unsigned long u = strtoul(o->uses, &end, 10);

		if (*end != '\0' || u < 1 || u > FS_CLAIM_USES_MAX) {
			fprintf(stderr,
			    "fedscore consent grant: expected --uses "
			    "from 1 to %d, found '%s'\n",
			    FS_CLAIM_USES_MAX, o->uses);
			return (EXIT_USAGE);
		}
		g.uses = (uint32_t) u;
	}
	if ((rv = fs_scope_parse(&g.scope, o->scope, strlen(o->scope))) != 0) {
		fprintf(stderr,
		    "fedscore consent grant: expected --scope tier, "
		    "score, breakdown, attest or self, found '%s'\n",
		    o->scope);
		return (EXIT_USAGE);
	}
	g.requester = o->to;
	g.purpose   = o->purpose;
	g.ttl_s     = ttl / 1000;
	if ((rv = fs_idnum_normalize(
	         norm, o->id, strlen(o->id), time(NULL), why, sizeof(why)))
	        != 0
	    || (rv = fs_issuer_open(&iss, o->conf, why, sizeof(why))) != 0
	    || (rv = fs_issuer_grant(
	            iss, &g, &token, jti, salt, why, sizeof(why)))
	        != 0) {
		goto out;
	}
	fs_time_format(exp, (int64_t) time(NULL) + g.ttl_s);
	printf("%s\n", token);
	fprintf(stderr,
	    "consent %s granted to %s for %s (%s, %u use%s), "
	    "valid until %s\n",
	    jti, g.requester, g.purpose, o->scope, g.uses,
	    g.uses == 1 ? "" : "s", exp);
	if (g.scope == FS_SCOPE_ATTEST) {
		// For the citizen only, never stored: with the ID number it
		// proves to a verifier that an attestation is theirs.
		fs_b64_encode(salt64, salt, sizeof(salt));
		fprintf(stderr, "subject binding salt: %s\n", salt64);
		sodium_memzero(salt64, sizeof(salt64));
	}
out:
	sodium_memzero(norm, sizeof(norm));
	sodium_memzero(salt, sizeof(salt));
	free(token);
	fs_issuer_close(iss);
	return (rv == FS_OK ? 0 : cli_fail(rv, why, "consent grant"));
}

static int
revoke(const opts *o, const char *jti)
{
	char       why[FS_WHY_MAX] = "";
	fs_issuer *iss             = NULL;
	fs_err     rv;

	if ((rv = fs_issuer_open(&iss, o->conf, why, sizeof(why))) == FS_OK
	    && (rv = fs_issuer_revoke(iss, jti, why, sizeof(why))) == FS_OK) {
		printf("consent %s revoked\n", jti);
	}
	fs_issuer_close(iss);
	return (rv == FS_OK ? 0 : cli_fail(rv, why, "consent revoke"));
}

static int
verify(const opts *o, const char *token)
{
	fs_pubkey issuer;
	fs_claims c;
	char     *json = NULL;
	fs_err    rv;

	if (cli_public_key(&issuer, o->key, "consent verify", "issuer") != 0) {
		return (EXIT_USAGE);
	}
	rv = fs_token_verify(&c, token, strlen(token), &issuer, o->region,
	    (int64_t) time(NULL), FS_SKEW_DEFAULT);
	if (rv != FS_OK) {
		fprintf(stderr, "fedscore consent verify: refused: %s (%s)\n",
		    fs_strerror(rv), fs_err_name(rv));
		// Whatever is wrong with a token, it is refused.
		return (EXIT_REFUSED);
	}
	if ((rv = fs_claims_encode(&json, NULL, &c)) != 0) {
		fprintf(
		    stderr, "fedscore consent verify: %s\n", fs_strerror(rv));
		return (EXIT_USAGE);
	}
	printf("%s\n", json);
	free(json);
	return (0);
}

int
consent_main(int argc, char **argv)
{
	opts          o      = { 0 };
	const cli_opt opts[] = {
		{ "config", 'c', .value = &o.conf },
		{ "id", .value = &o.id },
		{ "to", .value = &o.to },
		{ "purpose", .value = &o.purpose },
		{ "scope", .value = &o.scope },
		{ "ttl", .value = &o.ttl },
		{ "uses", .value = &o.uses },
		{ "key", .value = &o.key },
		{ "region", .value = &o.region },
		{ 0 },
	};
	const char *verb;
	int         c;

	if ((c = cli_options(&argc, &argv, &verb, opts, CLI_ANY, usage)) >= 0) {
		return (c);
	}
	if (strcmp(verb, "grant") == 0 && argc == 0 && o.conf && o.id && o.to
	    && o.purpose && o.scope && !o.key && !o.region) {
		return (grant(&o));
	}
	if (strcmp(verb, "revoke") == 0 && argc == 1 && o.conf && !o.id
	    && !o.key) {
		return (revoke(&o, argv[0]));
	}
	if (strcmp(verb, "verify") == 0 && argc == 1 && o.key && o.region
	    && !o.conf) {
		return (verify(&o, argv[0]));
	}
	return (cli_usage(usage, false));
}
