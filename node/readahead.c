// SPDX-License-Identifier: Apache-2.0
//
// readahead.c -- the read-ahead pipeline of an import: a records file read
// in chunks of rows, each line checked and its ID hashed, on a thread of
// its own, and each chunk handed to the caller's thread.

#include <sodium.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "node/node.h"
#include "node/nodeimpl.h"

// pack appends a row's texts to the chunk's.
static fs_err
add(node_chunk *c, uint32_t *off, const char *s, size_t len)
{
	if (c->tlen + len + 1 > c->tcap) {
		size_t cap = c->tcap == 0 ? 1 << 20 : c->tcap * 2;
		char  *nt;

		if ((nt = realloc(c->text, cap)) == NULL) {
			return (FS_ERR_NOMEM);
		}
		c->text = nt;
		c->tcap = cap;
	}
	memcpy(c->text + c->tlen, s, len);
	c->text[c->tlen + len] = '\0';
	*off                   = (uint32_t) c->tlen;
	c->tlen += len + 1;
	return (FS_OK);
}

static fs_err
pack(node_chunk *c, node_row *w, const node_text *t)
{
	fs_err rv;

	if ((rv = add(c, &w->rid, t->rid, strlen(t->rid))) != 0) {
		return (rv);
	}
	return (add(c, &w->ref, t->ref, strlen(t->ref)));
}

void
node_chunk_free(node_chunk *c)
{
	if (c->rows != NULL) {
		sodium_memzero(c->rows, NODE_CHUNK * sizeof(node_row));
	}
	free(c->rows);
	free(c->text);
	memset(c, 0, sizeof(*c));
}

// Reading and writing overlap: a reader thread reads, checks and hashes
// the lines of the next chunk while the caller's thread writes the last
// one, which is where SQLite spends its time.  Chunks go one at a time
// through a slot; three buffers in all, each zeroed when freed, since
// rows carry ID numbers until written.
typedef struct reader {
	node_import    *im;
	fs_csv         *r;
	node_chunk      cur;  // the reader's, being filled
	node_chunk      slot; // full when full is set, else empty
	bool            full, done, stop;
	pthread_mutex_t mu;
	pthread_cond_t  cv;
	uint64_t        count; // records read
	fs_err          rv;    // the reader's, once done
	char            why[FS_WHY_MAX];
} reader;

// trade, with mu held, trades chunk c for the slot's, leaves the slot
// full or empty as said, and wakes the other side.
static void
trade(reader *rd, node_chunk *c, bool full)
{
	node_chunk tmp = rd->slot;

	rd->slot = *c;
	*c       = tmp;
	rd->full = full;
	pthread_cond_broadcast(&rd->cv);
}

// hand_over passes the reader's chunk to the writer; false when the
// writer has stopped.
static bool
hand_over(reader *rd)
{
	bool go;

	pthread_mutex_lock(&rd->mu);
	while (rd->full && !rd->stop) {
		pthread_cond_wait(&rd->cv, &rd->mu);
	}
	if ((go = !rd->stop)) {
		trade(rd, &rd->cur, true);
	}
	pthread_mutex_unlock(&rd->mu);
	return (go);
}

static void *
read_ahead(void *arg)
{
	reader      *rd = arg;
	node_import *im = rd->im;
	node_text    t;
	size_t       nf;
	fs_err       rv;

	for (;;) {
		node_chunk *c = &rd->cur;

		if ((rv = fs_csv_next(rd->r, &nf, rd->why, sizeof(rd->why)))
		    != 0) {
			break;
		}
		if (nf != 0) {
			node_row *w = &c->rows[c->nrows];

			if ((rv = node_records_check(im, rd->r, nf, w, &t,
			         rd->why, sizeof(rd->why)))
			    != 0) {
				break;
			}
			rd->count++;
			node_idhash(im->n, w->idhash, w->id);
			if (im->filter != NULL
			    && !node_probe_has(im, w->idhash)) {
				continue;
			}
			if ((rv = pack(c, w, &t)) != 0) {
				break;
			}
			c->nrows++;
		}
		if (c->nrows == NODE_CHUNK || (nf == 0 && c->nrows > 0)) {
			c->offset = fs_csv_offset(rd->r);
			if (!hand_over(rd)) {
				break;
			}
		}
		if (nf == 0) {
			break;
		}
	}
	sodium_memzero(&t, sizeof(t));
	pthread_mutex_lock(&rd->mu);
	rd->rv   = rv;
	rd->done = true;
	pthread_cond_broadcast(&rd->cv);
	pthread_mutex_unlock(&rd->mu);
	return (NULL);
}

// take gives the writer the next chunk in im->c; false at the end of the
// file or on the reader's error.
static bool
take(reader *rd, node_import *im)
{
	bool got;

	im->c.nrows = 0;
	im->c.tlen  = 0;
	pthread_mutex_lock(&rd->mu);
	while (!rd->full && !rd->done) {
		pthread_cond_wait(&rd->cv, &rd->mu);
	}
	if ((got = rd->full)) {
		trade(rd, &im->c, false);
	}
	pthread_mutex_unlock(&rd->mu);
	return (got);
}

// node_read_rows reads the records of path in chunks, each line checked and
// its ID hashed; each chunk goes to fn.  When the filter is set, only the
// rows whose ID hash it may hold are kept.
fs_err
node_read_rows(node_import *im, const char *path, const char *phase,
    fs_err (*fn)(node_import *, char *, size_t), fs_progress_fn progress,
    void *arg, uint64_t *nrecords, char *why, size_t whycap)
{
	reader    rd = { .im = im, .rv = FS_OK };
	pthread_t thr;
	fs_err    rv = FS_OK;

	if ((rv = node_records_open(im, path, &rd.r, why, whycap)) != 0) {
		return (rv);
	}
	if ((rd.cur.rows = calloc(NODE_CHUNK, sizeof(node_row))) == NULL
	    || (rd.slot.rows = calloc(NODE_CHUNK, sizeof(node_row))) == NULL) {
		rv = FS_ERR_NOMEM;
		goto out;
	}
	pthread_mutex_init(&rd.mu, NULL);
	pthread_cond_init(&rd.cv, NULL);
	if (pthread_create(&thr, NULL, read_ahead, &rd) != 0) {
		rv = FS_ERR_NOMEM;
		goto done;
	}
	while (take(&rd, im)) {
		if ((rv = fn(im, why, whycap)) != FS_OK) {
			break;
		}
		if (progress != NULL) {
			progress(arg, phase, im->c.offset, fs_csv_size(rd.r));
		}
	}
	pthread_mutex_lock(&rd.mu);
	rd.stop = true;
	pthread_cond_broadcast(&rd.cv);
	pthread_mutex_unlock(&rd.mu);
	pthread_join(thr, NULL);
	// The writer's error comes first: it is of an earlier line.
	if (rv == FS_OK && rd.rv != FS_OK) {
		rv = rd.rv;
		snprintf(why, whycap, "%s", rd.why);
	}
	if (rv == FS_OK && rd.count == 0) {
		snprintf(why, whycap,
		    "%s:2: expected at least one record, "
		    "found the end of the file",
		    fs_csv_name(rd.r));
		rv = FS_ERR_MALFORMED;
	}
done:
	pthread_cond_destroy(&rd.cv);
	pthread_mutex_destroy(&rd.mu);
out:
	fs_csv_close(rd.r);
	im->name    = NULL;
	im->c.nrows = 0;
	im->c.tlen  = 0;
	node_chunk_free(&rd.cur);
	node_chunk_free(&rd.slot);
	sodium_memzero(rd.why, sizeof(rd.why));
	*nrecords = rd.count;
	return (rv);
}
