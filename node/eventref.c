// SPDX-License-Identifier: Apache-2.0
//
// eventref.c -- the normal form of an official event reference, which
// every department hashes alike (node.h says what it maps), so that a
// behavior reported by two departments is counted once.

#include <ctype.h>
#include <string.h>

#include "common/err.h"
#include "common/text.h"
#include "node/nodeimpl.h"

fs_err
fs_event_ref_normalize(char *out, size_t *outlen, const char *in, size_t len)
{
	const unsigned char *p = (const unsigned char *) in;
	size_t               i = 0, o = 0;

	while (i < len) {
		uint32_t cp;
		size_t   k = fs_utf8_next(p + i, len - i, &cp);

		if (k == 0) {
			return (FS_ERR_MALFORMED);
		}
		if (cp >= 0xff01 && cp <= 0xff5e) {
			cp -= 0xfee0; // full-width form of ASCII
		} else if (cp == 0x3014) {
			cp = '(';
		} else if (cp == 0x3015) {
			cp = ')';
		} else if (cp == 0x3000) {
			cp = ' ';
		}
		if (cp < 0x80) {
			if (!isspace((int) cp)) {
				out[o++] = (char) toupper((int) cp);
			}
		} else {
			memcpy(out + o, p + i, k);
			o += k;
		}
		i += k;
	}
	out[o]  = '\0';
	*outlen = o;
	return (FS_OK);
}
