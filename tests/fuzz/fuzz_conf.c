// SPDX-License-Identifier: Apache-2.0
//
// fuzz_conf.c -- libFuzzer harness for the configuration parser.

#include "common/conf.h"
#include "common/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *allowed[] = { "key", "listen", "db", NULL };
	char               why[FS_WHY_MAX];
	fs_conf           *c;

	if (fs_conf_parse(
	        &c, (const char *) data, size, "fuzz.conf", why, sizeof(why))
	    == FS_OK) {
		for (size_t i = 0; i < c->n; i++) {
			(void) fs_conf_check(c, &c->sections[i], allowed,
			    allowed, why, sizeof(why));
		}
		fs_conf_free(c);
	}
	return (0);
}
