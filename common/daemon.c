// SPDX-License-Identifier: Apache-2.0
//
// daemon.c -- how daemons wait for their end.  SIGINT and SIGTERM are
// blocked before any thread starts (nng's included), then taken
// synchronously, so shutdown runs in the main thread with no handler.

#include <pthread.h>
#include <signal.h>
#include <stddef.h>

#include "common/daemon.h"

static sigset_t stop_signals;

void
fs_daemon_block_signals(void)
{
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
}

int
fs_daemon_wait(void)
{
	int sig = 0;

	sigwait(&stop_signals, &sig);
	return (sig);
}
