// SPDX-License-Identifier: Apache-2.0
//
// stop.c -- the stop signal of a daemon's background threads (stop.h).

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "common/stop.h"

void
fs_stop_init(fs_stop *s)
{
	pthread_mutex_init(&s->mtx, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->set = false;
}

void
fs_stop_fini(fs_stop *s)
{
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mtx);
}

void
fs_stop_set(fs_stop *s)
{
	pthread_mutex_lock(&s->mtx);
	s->set = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mtx);
}

bool
fs_stop_wait(fs_stop *s, int64_t ms)
{
	struct timespec ts;
	bool            running;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->mtx);
	while (!s->set
	    && pthread_cond_timedwait(&s->cv, &s->mtx, &ts) != ETIMEDOUT) {
	}
	running = !s->set;
	pthread_mutex_unlock(&s->mtx);
	return (running);
}
