// SPDX-License-Identifier: Apache-2.0
//
// fuzz_lookup.c -- libFuzzer harness for the lookup and contribution
// body decoders, which nodes and the coordinator run on peers' bytes.

#include "common/err.h"
#include "wire/lookup.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fs_lookup       l;
	fs_contribution c;

	(void) fs_lookup_decode(&l, data, size);
	if (fs_contribution_decode(&c, data, size) == FS_OK) {
		fs_contribution_fini(&c);
	}
	return (0);
}
