// SPDX-License-Identifier: Apache-2.0
//
// text.c -- strict UTF-8 decoding and the word rule of identifiers
// (text.h).

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <string.h>

#include "common/text.h"

size_t
fs_utf8_next(const uint8_t *s, size_t len, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t   n;

	if (c < 0x80) {
		n = 1, min = 0;
	} else if (c >= 0xc2 && c <= 0xdf) {
		n = 2, min = 0x80, c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, min = 0x800, c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, min = 0x10000, c &= 0x07;
	} else {
		return (0);
	}
	if (len < n) {
		return (0);
	}
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return (0);
		}
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		return (0);
	}
	if (cp != NULL) {
		*cp = c;
	}
	return (n);
}

bool
fs_word_ok(const char *s, size_t len, size_t max, const char *punct)
{
	if (len == 0 || len > max) {
		return (false);
	}
	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
		        || (c >= '0' && c <= '9')
		        || (c != '\0' && strchr(punct, c) != NULL))) {
			return (false);
		}
	}
	return (true);
}
