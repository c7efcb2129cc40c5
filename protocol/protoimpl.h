// SPDX-License-Identifier: Apache-2.0
//
// protoimpl.h -- internals shared by the files of protocol/.  Must not be
// exposed to other modules: they use protocol.h.

#ifndef FS_PROTOIMPL_H
#define FS_PROTOIMPL_H

#include "protocol.h"

// proto_nng_err maps an nng error to the fs_err a caller can act on.
fs_err proto_nng_err(int rv);

#endif // FS_PROTOIMPL_H
