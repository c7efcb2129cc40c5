// SPDX-License-Identifier: Apache-2.0
//
// grow.h -- arrays that grow as items are appended, doubling each time.

#ifndef FS_COMMON_GROW_H
#define FS_COMMON_GROW_H

#include <stddef.h>

#include "common/err.h"

// fs_grow makes room for item n of the malloc'd array that arrayp points
// to (a T ** passed as void *), holding *capp items of size bytes.  When
// n has reached *capp, the array is reallocated to hold twice as many
// items, or first when that is more, and *capp is updated.  On failure
// (FS_ERR_NOMEM) the array and *capp are left as they were.
fs_err fs_grow(void *arrayp, size_t *capp, size_t n, size_t size, size_t first);

#endif // FS_COMMON_GROW_H
