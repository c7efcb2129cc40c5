// SPDX-License-Identifier: Apache-2.0
//
// csv.c -- one strict RFC 4180 reader for every CSV a node imports.
//
// The input is read in blocks into a buffer of at least two records'
// bound, so memory stays bounded whatever the file's size.  A record is
// parsed from its first byte each time; when it runs past the bytes
// buffered, the rest of the block is moved to the front, more is read
// and the record is parsed again.  A record longer than the bound can
// then only be one that is too long.

#include <stdarg.h>

#include <sodium.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/err.h"
#include "common/text.h"
#include "node/node.h"

#define BLOCK (64 * 1024)
#define BUFSZ (BLOCK + 2 * FS_CSV_RECORD_MAX)

struct fs_csv {
	FILE       *f; // NULL for memory
	const char *mem;
	size_t      memlen, mempos;
	char       *name;
	char       *buf; // input window
	size_t      start, end;
	bool        eof;
	uint64_t    consumed, size;
	long        line, next_line;
	bool        bom_checked;
	char        out[FS_CSV_RECORD_MAX + FS_CSV_FIELDS_MAX];
	size_t      nfields;
	size_t      off[FS_CSV_FIELDS_MAX];
	size_t      len[FS_CSV_FIELDS_MAX];
};

static fs_csv *
csv_new(const char *name)
{
	fs_csv *r;

	if ((r = calloc(1, sizeof(*r))) == NULL
	    || (r->buf = malloc(BUFSZ)) == NULL
	    || (r->name = strdup(name)) == NULL) {
		if (r != NULL) {
			free(r->buf);
		}
		free(r);
		return (NULL);
	}
	r->next_line = 1;
	return (r);
}

fs_err
fs_csv_open_file(
    fs_csv **rp, const char *path, const char *name, char *why, size_t whycap)
{
	fs_csv     *r;
	struct stat st;

	if ((r = csv_new(name != NULL ? name : path)) == NULL) {
		return (FS_ERR_NOMEM);
	}
	if ((r->f = fopen(path, "rb")) == NULL) {
		snprintf(why, whycap, "%s: %s", path, strerror(errno));
		fs_csv_close(r);
		return (errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO);
	}
	if (fstat(fileno(r->f), &st) == 0 && S_ISREG(st.st_mode)) {
		r->size = (uint64_t) st.st_size;
	}
	*rp = r;
	return (FS_OK);
}

fs_err
fs_csv_open_mem(fs_csv **rp, const char *buf, size_t len, const char *name)
{
	fs_csv *r;

	if ((r = csv_new(name != NULL ? name : "input")) == NULL) {
		return (FS_ERR_NOMEM);
	}
	r->mem    = buf;
	r->memlen = len;
	r->size   = len;
	*rp       = r;
	return (FS_OK);
}

void
fs_csv_close(fs_csv *r)
{
	if (r == NULL) {
		return;
	}
	if (r->f != NULL) {
		fclose(r->f);
	}
	// Records files carry ID numbers.
	if (r->buf != NULL) {
		sodium_memzero(r->buf, BUFSZ);
	}
	free(r->buf);
	free(r->name);
	sodium_memzero(r, sizeof(*r));
	free(r);
}

// fill moves what is left to the front and reads more.
static fs_err
fill(fs_csv *r, char *why, size_t whycap)
{
	size_t left = r->end - r->start;
	size_t got;

	memmove(r->buf, r->buf + r->start, left);
	r->start = 0;
	r->end   = left;
	if (r->f != NULL) {
		got = fread(r->buf + r->end, 1, BUFSZ - r->end, r->f);
		if (got == 0 && ferror(r->f)) {
			snprintf(why, whycap, "%s: cannot read: %s", r->name,
			    strerror(errno));
			return (FS_ERR_IO);
		}
	} else {
		got = r->memlen - r->mempos;
		if (got > BUFSZ - r->end) {
			got = BUFSZ - r->end;
		}
		memcpy(r->buf + r->end, r->mem + r->mempos, got);
		r->mempos += got;
	}
	r->end += got;
	if (got == 0) {
		r->eof = true;
	}
	return (FS_OK);
}

// show writes a found character for a message: printable ASCII as is,
// anything else as its byte value.
static const char *
show(char out[static 16], int c)
{
	if (c < 0) {
		return ("end of file");
	}
	if (c == '\n') {
		return ("end of line");
	}
	if (c >= 0x20 && c < 0x7f) {
		snprintf(out, 16, "'%c'", c);
	} else {
		snprintf(out, 16, "byte 0x%02x", (unsigned) c);
	}
	return (out);
}

// Results of one parse attempt, and of its steps: GO_ON when the step is
// done and the parse goes on.
enum { PARSED, NEED_MORE, FAILED, GO_ON };

// One parse attempt: the record starts at p, q is the next byte to read,
// o the next of r->out to write, nf the field being read and lines the
// line breaks read inside quotes.
typedef struct cursor {
	fs_csv              *r;
	const unsigned char *p, *q, *end;
	size_t               o, nf;
	long                 lines;
	char                *why;
	size_t               whycap;
	fs_err               err;
} cursor;

// say writes into why "name:LINE: " and the message.
static void
say(char *why, size_t whycap, const char *name, long line, const char *fmt,
    va_list ap)
{
	int n = snprintf(why, whycap, "%s:%ld: ", name, line);

	if (n > 0 && (size_t) n < whycap) {
		vsnprintf(why + n, whycap - (size_t) n, fmt, ap);
	}
}

static int fail(cursor *k, fs_err err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

// fail says "name:LINE: " and what went wrong, and returns FAILED.
static int
fail(cursor *k, fs_err err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(k->why, k->whycap, k->r->name, k->r->next_line + k->lines, fmt, ap);
	va_end(ap);
	k->err = err;
	return (FAILED);
}

fs_err
fs_csv_malformed(
    const fs_csv *r, char *why, size_t whycap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(why, whycap, r->name, r->line, fmt, ap);
	va_end(ap);
	return (FS_ERR_MALFORMED);
}

// more tells whether the record may go on past the bytes buffered, so
// that the parse must wait for more input.
static bool
more(const cursor *k)
{
	return (!k->r->eof && (size_t) (k->q - k->p) < FS_CSV_RECORD_MAX + 2);
}

// field_char looks at the byte at q, inside a field: GO_ON when the
// character at q is to be taken (q moved past the first of a doubled
// quote, or to the LF of a quoted CRLF), PARSED when it ends the field (q
// past a closing quote, or on the comma or line break), else NEED_MORE or
// FAILED.
static int
field_char(cursor *k, bool quoted)
{
	int c = *k->q;

	if (quoted && c == '"') {
		if (k->q + 1 == k->end) {
			if (more(k)) {
				return (NEED_MORE);
			}
			k->q++;
			return (PARSED);
		}
		if (k->q[1] != '"') {
			k->q++;
			return (PARSED);
		}
		k->q++; // "" is one quote
	} else if (!quoted && c == '"') {
		return (fail(k, FS_ERR_MALFORMED,
		    "expected a quote only around a whole field, found one "
		    "inside field %zu",
		    k->nf + 1));
	} else if (!quoted && (c == ',' || c == '\n')) {
		return (PARSED);
	} else if (c == '\r') {
		if (k->q + 1 == k->end && more(k)) {
			return (NEED_MORE);
		}
		if (k->q + 1 == k->end || k->q[1] != '\n') {
			return (fail(k, FS_ERR_MALFORMED,
			    "expected CR only before LF, found a lone CR"));
		}
		if (!quoted) {
			return (PARSED);
		}
		k->q++; // keep the LF of a quoted CRLF
		k->lines++;
	} else if (c == '\n') {
		k->lines++; // inside quotes
	} else if (c < 0x20 && c != '\t') {
		return (fail(k, FS_ERR_MALFORMED,
		    "expected text, found control character 0x%02x in field "
		    "%zu",
		    (unsigned) c, k->nf + 1));
	}
	return (GO_ON);
}

// field_text copies the text of the field at q to r->out, unquoted, up to
// what ends it, and its length to *flenp.
static int
field_text(cursor *k, bool quoted, size_t *flenp)
{
	size_t flen = 0, n;
	char   tmp[16];
	int    st;

	for (;;) {
		if ((size_t) (k->q - k->p) > FS_CSV_RECORD_MAX) {
			return (fail(k, FS_ERR_TOO_LARGE,
			    "expected a record of at most %d bytes, found a "
			    "longer one",
			    FS_CSV_RECORD_MAX));
		}
		if (k->q == k->end) {
			if (more(k)) {
				return (NEED_MORE);
			}
			if (quoted) {
				return (fail(k, FS_ERR_TRUNCATED,
				    "expected a closing quote, found end of "
				    "file"));
			}
			break;
		}
		if ((st = field_char(k, quoted)) == PARSED) {
			break;
		}
		if (st != GO_ON) {
			return (st);
		}
		if ((n = fs_utf8_next(k->q, (size_t) (k->end - k->q), NULL))
		    == 0) {
			if (k->end - k->q < 4 && more(k)) {
				return (NEED_MORE);
			}
			return (fail(k, FS_ERR_MALFORMED,
			    "expected UTF-8 text, found %s in field %zu",
			    show(tmp, *k->q), k->nf + 1));
		}
		if (flen + n > FS_CSV_FIELD_MAX) {
			return (fail(k, FS_ERR_TOO_LARGE,
			    "expected field %zu of at most %d bytes, found a "
			    "longer one",
			    k->nf + 1, FS_CSV_FIELD_MAX));
		}
		memcpy(k->r->out + k->o, k->q, n);
		k->o += n;
		flen += n;
		k->q += n;
	}
	*flenp = flen;
	return (GO_ON);
}

// field_end reads what follows a field: GO_ON past a comma, PARSED past
// the end of the record (the last one may end the file).
static int
field_end(cursor *k)
{
	char tmp[16];

	if (k->q == k->end) {
		return (more(k) ? NEED_MORE : PARSED);
	}
	if (*k->q == ',') {
		k->q++;
		return (GO_ON);
	}
	if (*k->q == '\n') {
		k->q++;
		return (PARSED);
	}
	if (*k->q == '\r') {
		if (k->q + 1 == k->end && more(k)) {
			return (NEED_MORE);
		}
		if (k->q + 1 < k->end && k->q[1] == '\n') {
			k->q += 2;
			return (PARSED);
		}
	}
	return (fail(k, FS_ERR_MALFORMED,
	    "expected ',' or the end of the line after a closing quote, "
	    "found %s",
	    show(tmp, *k->q)));
}

// fields reads the fields of a record into r->out.
static int
fields(cursor *k)
{
	size_t flen = 0;
	bool   quoted;
	int    st;

	for (;;) {
		if (k->nf == FS_CSV_FIELDS_MAX) {
			return (fail(k, FS_ERR_TOO_LARGE,
			    "expected at most %d fields, found more",
			    FS_CSV_FIELDS_MAX));
		}
		k->r->off[k->nf] = k->o;
		quoted           = k->q < k->end && *k->q == '"';
		if (quoted) {
			k->q++;
		}
		if ((st = field_text(k, quoted, &flen)) != GO_ON) {
			return (st);
		}
		k->r->len[k->nf]  = flen;
		k->r->out[k->o++] = '\0';
		k->nf++;
		if ((st = field_end(k)) != GO_ON) {
			return (st);
		}
	}
}

// parse parses the record at the start of the buffer, if it is all there.
static int
parse(fs_csv *r, char *why, size_t whycap, fs_err *errp)
{
	cursor k = { .r = r,
		.p      = (const unsigned char *) r->buf + r->start,
		.end    = (const unsigned char *) r->buf + r->end,
		.why    = why,
		.whycap = whycap };
	int    st;

	k.q = k.p;
	if (k.q == k.end) {
		if (more(&k)) {
			return (NEED_MORE);
		}
		r->nfields = 0;
		return (PARSED);
	}
	if (*k.q == '\n'
	    || (*k.q == '\r' && k.q + 1 < k.end && k.q[1] == '\n')) {
		st = fail(&k, FS_ERR_MALFORMED,
		    "expected a record, found an empty line");
	} else {
		st = fields(&k);
	}
	if (st == FAILED) {
		*errp = k.err;
	}
	if (st != PARSED) {
		return (st);
	}
	r->nfields = k.nf;
	r->line    = r->next_line;
	r->next_line += k.lines + 1;
	r->consumed += (uint64_t) (k.q - k.p);
	r->start += (size_t) (k.q - k.p);
	return (PARSED);
}

fs_err
fs_csv_next(fs_csv *r, size_t *nfields, char *why, size_t whycap)
{
	fs_err rv = FS_OK;
	int    st;

	for (;;) {
		if (!r->bom_checked && (r->end - r->start >= 3 || r->eof)) {
			r->bom_checked = true;
			if (r->end - r->start >= 3
			    && memcmp(r->buf + r->start, "\xef\xbb\xbf", 3)
			        == 0) {
				r->start += 3;
				r->consumed += 3;
			}
		}
		if (r->bom_checked) {
			st = parse(r, why, whycap, &rv);
			if (st == PARSED) {
				*nfields = r->nfields;
				return (FS_OK);
			}
			if (st == FAILED) {
				return (rv);
			}
		}
		if ((rv = fill(r, why, whycap)) != 0) {
			return (rv);
		}
	}
}

const char *
fs_csv_field(const fs_csv *r, size_t i, size_t *lenp)
{
	if (i >= r->nfields) {
		if (lenp != NULL) {
			*lenp = 0;
		}
		return ("");
	}
	if (lenp != NULL) {
		*lenp = r->len[i];
	}
	return (r->out + r->off[i]);
}

long
fs_csv_line(const fs_csv *r)
{
	return (r->line);
}

const char *
fs_csv_name(const fs_csv *r)
{
	return (r->name);
}

uint64_t
fs_csv_offset(const fs_csv *r)
{
	return (r->consumed);
}

uint64_t
fs_csv_size(const fs_csv *r)
{
	return (r->size);
}
