// SPDX-License-Identifier: Apache-2.0
//
// grow.c -- arrays that grow by doubling (grow.h).

#include <stddef.h>
#include <stdint.h>

#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/grow.h"

fs_err
fs_grow(void *arrayp, size_t *capp, size_t n, size_t size, size_t first)
{
	void  *p, *np;
	size_t cap;

	if (n < *capp) {
		return (FS_OK);
	}
	cap = *capp < first ? first : *capp * 2;
	if (cap > SIZE_MAX / size) {
		return (FS_ERR_NOMEM);
	}
	memcpy(&p, arrayp, sizeof(p));
	if ((np = realloc(p, cap * size)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	memcpy(arrayp, &np, sizeof(np));
	*capp = cap;
	return (FS_OK);
}
