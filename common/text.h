// SPDX-License-Identifier: Apache-2.0
//
// text.h -- character rules shared by the parsers: strict UTF-8 decoding
// and words of letters, digits and a few punctuation characters.

#ifndef FS_COMMON_TEXT_H
#define FS_COMMON_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// fs_utf8_next decodes one code point of s (len > 0 bytes), strictly: no
// overlong forms, surrogates or values past U+10FFFF.  It returns the
// number of bytes used, or 0 for invalid or incomplete UTF-8, and stores
// the code point in *cp when cp is not NULL.
size_t fs_utf8_next(const uint8_t *s, size_t len, uint32_t *cp);

// fs_word_ok says whether s is 1..max bytes, each an ASCII letter or
// digit or one of the characters of punct (never a NUL).
bool fs_word_ok(const char *s, size_t len, size_t max, const char *punct);

#endif // FS_COMMON_TEXT_H
