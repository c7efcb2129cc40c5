// SPDX-License-Identifier: Apache-2.0
//
// fixture.c -- a disclosure as a coordinator records it, and the report's
// findings.

#include <sodium.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "audit/audit.h"
#include "common/b64.h"
#include "common/err.h"
#include "common/rfc3339.h"
#include "crypto/key.h"
#include "tests/audit/fixture.h"
#include "wire/token.h"

bool
report_has(const fs_audit_report *r, const char *needle)
{
	for (size_t i = 0; i < r->n; i++) {
		if (r->lines[i].finding && strstr(r->lines[i].text, needle)) {
			return (true);
		}
	}
	return (false);
}

void
make(fixture *f, const char *aud, const char *purpose, fs_scope scope,
    const char *used_scope, int64_t exp)
{
	fs_claims c;
	uint8_t   salt[16], commit[32], th[32];
	char      s[64], cs[64], t[FS_TIME_LEN + 1], *token, *line;
	char      entry[1024];
	size_t    n;
	json_t   *o;

	fs_claims_init(&c);
	snprintf(c.iss, sizeof(c.iss), "test-issuer");
	snprintf(c.aud, sizeof(c.aud), "%s", aud);
	snprintf(c.purpose, sizeof(c.purpose), "%s", purpose);
	memset(c.sub, 7, sizeof(c.sub));
	c.scope = scope;
	c.iat = c.nbf = exp - 3600;
	c.exp         = exp;
	c.uses        = 2;
	assert_int_equal(fs_token_issue(&token, f->issuer, &c, REGION), FS_OK);
	memset(salt, 3, sizeof(salt));
	crypto_generichash(commit, 32, c.sub, 32, salt, 16);
	crypto_generichash(
	    th, 32, (const uint8_t *) token, strlen(token), NULL, 0);
	fs_b64_encode(s, commit, 32);
	fs_b64_encode(cs, th, 32);
	fs_time_format(t, T0 + 10);
	n = (size_t) snprintf(entry, sizeof(entry),
	    "{\"consent\":\"%s\",\"nodes\":{\"answered\":1,\"expected\":1},"
	    "\"purpose\":\"%s\",\"receipts\":[\"%s\"],\"requester\":\"%s\","
	    "\"scope\":\"%s\",\"subject\":\"%s\",\"time\":\"%s\"}",
	    cs, purpose, cs, aud, used_scope, s, t);
	o = json_pack("{s:i, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "index",
	    0, "time_ms", (json_int_t) (T0 + 10) * 1000, "requester", aud,
	    "purpose", purpose, "scope", used_scope, "subject",
	    "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc", "salt",
	    "AwMDAwMDAwMDAwMDAwMDAw", "consent", token, "entry", entry);
	line = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	assert_int_equal(
	    fs_audit_record_parse(&f->r, line, strlen(line)), FS_OK);
	assert_int_equal(f->r.entry_len, n);
	f->line = line;
	free(token);
}

void
unmake(fixture *f)
{
	fs_audit_record_fini(&f->r);
	free(f->line);
}
