// SPDX-License-Identifier: Apache-2.0
//
// fields.c -- the checks of CSV fields that the rules and the records
// importers share: the header, integers, rule codes, and how a message
// quotes what it found.

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/text.h"
#include "node/node.h"
#include "node/nodeimpl.h"

void
node_found(char out[static NODE_FOUND_MAX], const char *s, size_t len)
{
	size_t k = 0;

	if (len == 0) {
		snprintf(out, NODE_FOUND_MAX, "an empty field");
		return;
	}
	// Cut at a character boundary.
	while (k < len && k < 40) {
		size_t c = fs_utf8_next((const uint8_t *) s + k, len - k, NULL);

		if (c == 0 || k + c > 40) {
			break;
		}
		k += c;
	}
	snprintf(
	    out, NODE_FOUND_MAX, "'%.*s'%s", (int) k, s, k < len ? "..." : "");
}

fs_err
node_parse_int(
    const char *s, size_t len, int64_t min, int64_t max, int64_t *out)
{
	int64_t v   = 0;
	bool    neg = false;
	size_t  i   = 0;

	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i++;
	}
	if (i == len || len - i > 9) {
		return (FS_ERR_MALFORMED);
	}
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9') {
			return (FS_ERR_MALFORMED);
		}
		v = v * 10 + (s[i] - '0');
	}
	v = neg ? -v : v;
	if (v < min || v > max) {
		return (FS_ERR_TOO_LARGE);
	}
	*out = v;
	return (FS_OK);
}

bool
node_code_ok(const char *s, size_t len)
{
	return (fs_word_ok(s, len, FS_NODE_CODE_MAX, "._-"));
}

fs_err
node_header_read(fs_csv *r, const char *const *cols, size_t ncols, size_t nopt,
    size_t *nfp, char *why, size_t whycap)
{
	char   want[256] = "", got[256] = "";
	size_t o = 0, g = 0, nf;
	bool   ok;
	fs_err rv;

	if ((rv = fs_csv_next(r, &nf, why, whycap)) != FS_OK) {
		return (rv);
	}
	if (nf == 0) {
		snprintf(why, whycap,
		    "%s:1: expected the header, found an empty file",
		    fs_csv_name(r));
		return (FS_ERR_MALFORMED);
	}
	ok = nf >= ncols - nopt && nf <= ncols;
	for (size_t i = 0; i < ncols; i++) {
		o += (size_t) snprintf(want + o, sizeof(want) - o, "%s%s%s",
		    i == ncols - nopt ? "[" : "", i ? "," : "", cols[i]);
	}
	if (nopt > 0) {
		snprintf(want + o, sizeof(want) - o, "]");
	}
	for (size_t i = 0; i < nf && g < sizeof(got) - 1; i++) {
		size_t      len;
		const char *f = fs_csv_field(r, i, &len);

		if (ok && (len != strlen(cols[i]) || memcmp(f, cols[i], len))) {
			ok = false;
		}
		g += (size_t) snprintf(got + g, sizeof(got) - g, "%s%.*s",
		    i ? "," : "", (int) (len > 32 ? 32 : len), f);
	}
	if (!ok) {
		return (fs_csv_malformed(r, why, whycap,
		    "expected the header '%s', found '%s'", want, got));
	}
	*nfp = nf;
	return (FS_OK);
}
