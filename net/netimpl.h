// SPDX-License-Identifier: Apache-2.0
//
// netimpl.h -- internals shared by the files of net/.  Must not be
// exposed to other floors.

#ifndef FS_NET_NETIMPL_H
#define FS_NET_NETIMPL_H

#include "common/err.h"

// proto_nng_err maps an nng error to the fs_err a caller can act on.
fs_err proto_nng_err(int rv);

#endif // FS_NET_NETIMPL_H
