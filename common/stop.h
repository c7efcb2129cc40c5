// SPDX-License-Identifier: Apache-2.0
//
// stop.h -- the signal that tells a daemon's background threads to end:
// set once, it wakes every thread that waits on it at once.  A thread
// that works every so often waits with fs_stop_wait between rounds.

#ifndef FS_COMMON_STOP_H
#define FS_COMMON_STOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct fs_stop {
	pthread_mutex_t mtx; // guards set; innermost
	pthread_cond_t  cv;  // signalled when set becomes true
	bool            set;
} fs_stop;

void fs_stop_init(fs_stop *s);
void fs_stop_fini(fs_stop *s);
// fs_stop_set sets the signal and wakes every waiter.
void fs_stop_set(fs_stop *s);
// fs_stop_wait waits ms milliseconds, or until the signal is set; true
// while it is not.
bool fs_stop_wait(fs_stop *s, int64_t ms);

#endif // FS_COMMON_STOP_H
