// SPDX-License-Identifier: Apache-2.0
//
// claims_sample.c -- the claims of a test consent.

#include <string.h>

#include "tests/wire/claims_sample.h"
#include "wire/token.h"

void
sample(fs_claims *c)
{
	fs_claims_init(c);
	strcpy(c->iss, "issuer.cz");
	memset(c->sub, 0xab, sizeof(c->sub));
	strcpy(c->aud, "bank.example");
	strcpy(c->purpose, "loan");
	c->scope = FS_SCOPE_SCORE;
	c->iat   = NOW;
	c->nbf   = NOW;
	c->exp   = NOW + 3600;
	memset(c->jti, 0x11, sizeof(c->jti));
	strcpy(c->reg, "cz");
}

const char sample_json[]
    = "{\"aud\":\"bank.example\",\"exp\":\"2026-11-23T11:00:00Z\","
      "\"iat\":\"2026-11-23T10:00:00Z\",\"iss\":\"issuer.cz\","
      "\"jti\":\"EREREREREREREREREREREQ\",\"nbf\":\"2026-11-23T10:00:00Z\","
      "\"purpose\":\"loan\",\"reg\":\"cz\",\"scope\":\"score\","
      "\"sub\":\"q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s\",\"uses\":1}";
