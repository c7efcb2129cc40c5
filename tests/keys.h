// SPDX-License-Identifier: Apache-2.0
//
// keys.h -- test keys from a fixed seed, and tokens altered by one
// character, for the test programs of every floor.

#ifndef FS_TEST_KEYS_H
#define FS_TEST_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/key.h"

// key_from_byte makes the key whose seed is b repeated; the test fails
// when it cannot.
fs_key *key_from_byte(uint8_t b);

// flip changes one base64url character at i into another valid one.
void flip(char *tok, size_t i);

#endif // FS_TEST_KEYS_H
