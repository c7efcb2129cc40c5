// SPDX-License-Identifier: Apache-2.0
//
// fuzz_csv.c -- libFuzzer harness for the node's CSV reader and the rules
// parser on top of it, which read files a department exports.

#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "node/node.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fs_csv    *r;
	fs_ruleset rs;
	char       why[FS_WHY_MAX];
	size_t     nf, len;

	if (fs_csv_open_mem(&r, (const char *) data, size, "fuzz.csv")
	    != FS_OK) {
		return (0);
	}
	while (fs_csv_next(r, &nf, why, sizeof(why)) == FS_OK && nf > 0) {
		for (size_t i = 0; i < nf; i++) {
			const char *f = fs_csv_field(r, i, &len);

			if (strlen(f) > len) {
				__builtin_trap(); // fields are NUL-terminated
			}
		}
	}
	fs_csv_close(r);
	if (fs_csv_open_mem(&r, (const char *) data, size, "fuzz.csv")
	    == FS_OK) {
		if (fs_rules_parse(&rs, r, 1095, why, sizeof(why)) == FS_OK) {
			fs_ruleset_fini(&rs);
		}
		fs_csv_close(r);
	}
	return (0);
}
