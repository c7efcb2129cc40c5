// SPDX-License-Identifier: Apache-2.0
//
// pool.c -- worker threads taking jobs from a bounded queue, for the
// HTTP server's handlers that may block.  A full queue refuses a job
// rather than growing; stopping runs every job already queued.

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "common/err.h"
#include "net/httpdimpl.h"

#define WORKERS_MAX 64

typedef struct job {
	pool_fn *fn;
	void    *arg;
} job;

// mtx guards jobs, head, count and closed; cv signals a new job or the
// closing.  Never held with another lock, nor while a job runs.
struct pool {
	pthread_mutex_t mtx;
	pthread_cond_t  cv;
	job            *jobs;
	size_t          max, head, count;
	bool            closed;
	pthread_t       thr[WORKERS_MAX];
	int             started;
};

static void *
worker(void *arg)
{
	pool *p = arg;

	for (;;) {
		job j;

		pthread_mutex_lock(&p->mtx);
		while (p->count == 0 && !p->closed) {
			pthread_cond_wait(&p->cv, &p->mtx);
		}
		if (p->count == 0) {
			pthread_mutex_unlock(&p->mtx);
			return (NULL);
		}
		j       = p->jobs[p->head];
		p->head = (p->head + 1) % p->max;
		p->count--;
		pthread_mutex_unlock(&p->mtx);
		j.fn(j.arg);
	}
}

fs_err
pool_start(pool **pp, int workers, size_t max)
{
	pool *p;

	if (workers < 1 || workers > WORKERS_MAX || max < 1) {
		return (FS_ERR_INVALID);
	}
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((p->jobs = calloc(max, sizeof(job))) == NULL) {
		free(p);
		return (FS_ERR_NOMEM);
	}
	p->max = max;
	pthread_mutex_init(&p->mtx, NULL);
	pthread_cond_init(&p->cv, NULL);
	for (; p->started < workers; p->started++) {
		if (pthread_create(&p->thr[p->started], NULL, worker, p) != 0) {
			pool_stop(p);
			return (FS_ERR_NOMEM);
		}
	}
	*pp = p;
	return (FS_OK);
}

bool
pool_push(pool *p, pool_fn *fn, void *arg)
{
	bool ok;

	pthread_mutex_lock(&p->mtx);
	ok = !p->closed && p->count < p->max;
	if (ok) {
		p->jobs[(p->head + p->count) % p->max] = (job) { fn, arg };
		p->count++;
		pthread_cond_signal(&p->cv);
	}
	pthread_mutex_unlock(&p->mtx);
	return (ok);
}

void
pool_stop(pool *p)
{
	if (p == NULL) {
		return;
	}
	pthread_mutex_lock(&p->mtx);
	p->closed = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mtx);
	for (int i = 0; i < p->started; i++) {
		pthread_join(p->thr[i], NULL);
	}
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mtx);
	free(p->jobs);
	free(p);
}
