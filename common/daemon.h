// SPDX-License-Identifier: Apache-2.0
//
// daemon.h -- signals of a daemon.

#ifndef FS_COMMON_DAEMON_H
#define FS_COMMON_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Daemons: block SIGINT and SIGTERM before starting any thread, then wait
// for one of them; returns the signal.
void fs_daemon_block_signals(void);
int  fs_daemon_wait(void);

#endif // FS_COMMON_DAEMON_H
