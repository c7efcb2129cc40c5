// SPDX-License-Identifier: Apache-2.0
//
// conf.c -- INI-like configuration files.

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/conf.h"
#include "common/err.h"
#include "common/text.h"

static char *
dupn(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d != NULL) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return (d);
}

static void
trim(const char **s, size_t *n)
{
	while (*n > 0 && isspace((unsigned char) **s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && isspace((unsigned char) (*s)[*n - 1])) {
		(*n)--;
	}
}

bool
fs_conf_word_ok(const char *s, size_t n)
{
	return (fs_word_ok(s, n, 64, "_-."));
}

void
fs_conf_free(fs_conf *c)
{
	if (c == NULL) {
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		fs_conf_section *s = &c->sections[i];

		for (size_t j = 0; j < s->n; j++) {
			free(s->entries[j].key);
			free(s->entries[j].value);
		}
		free(s->entries);
		free(s->type);
		free(s->name);
	}
	free(c->sections);
	free(c->path);
	free(c->dir);
	free(c);
}

static fs_err
add_section(
    fs_conf *c, const char *t, size_t tn, const char *nm, size_t nn, int line)
{
	fs_conf_section *ns, *s;

	ns = realloc(c->sections, (c->n + 1) * sizeof(*ns));
	if (ns == NULL) {
		return (FS_ERR_NOMEM);
	}
	c->sections = ns;
	s           = &ns[c->n];
	memset(s, 0, sizeof(*s));
	s->line = line;
	s->type = dupn(t, tn);
	s->name = nm != NULL ? dupn(nm, nn) : NULL;
	c->n++;
	if (s->type == NULL || (nm != NULL && s->name == NULL)) {
		return (FS_ERR_NOMEM);
	}
	return (FS_OK);
}

static fs_err
add_entry(fs_conf_section *s, const char *k, size_t kn, const char *v,
    size_t vn, int line)
{
	fs_conf_entry *ne;

	if ((ne = realloc(s->entries, (s->n + 1) * sizeof(*ne))) == NULL) {
		return (FS_ERR_NOMEM);
	}
	s->entries     = ne;
	ne[s->n].key   = dupn(k, kn);
	ne[s->n].value = dupn(v, vn);
	ne[s->n].line  = line;
	s->n++;
	if (ne[s->n - 1].key == NULL || ne[s->n - 1].value == NULL) {
		return (FS_ERR_NOMEM);
	}
	return (FS_OK);
}

// refuse tells that line of path is not what was expected, quoting at
// most 40 bytes of what was found.
static fs_err
refuse(char *why, size_t whycap, const char *path, int line,
    const char *expected, const char *found, size_t n)
{
	return (fs_why(why, whycap, FS_ERR_CONFIG,
	    "%s:%d: expected %s, found '%.*s'", path, line, expected,
	    (int) (n > 40 ? 40 : n), found));
}

// parse_section reads "[type]" or "[type name]".
static fs_err
parse_section(
    fs_conf *c, const char *p, size_t n, int line, char *why, size_t whycap)
{
	const char *t, *nm = NULL, *sp;
	size_t      tn, nn = 0;

	if (n < 3 || p[n - 1] != ']') {
		return (refuse(why, whycap, c->path, line,
		    "a section header '[type]' or '[type name]'", p, n));
	}
	t  = p + 1;
	tn = n - 2;
	trim(&t, &tn);
	if ((sp = memchr(t, ' ', tn)) != NULL) {
		nm = sp + 1;
		nn = tn - (size_t) (nm - t);
		tn = (size_t) (sp - t);
		trim(&nm, &nn);
	}
	if (!fs_conf_word_ok(t, tn)
	    || (nm != NULL && !fs_conf_word_ok(nm, nn))) {
		return (refuse(why, whycap, c->path, line,
		    "section type and name of letters, digits, '_', '-' or '.'",
		    p, n));
	}
	return (add_section(c, t, tn, nm, nn, line));
}

// parse_entry reads "key = value" into the last section.
static fs_err
parse_entry(
    fs_conf *c, const char *l, size_t n, int line, char *why, size_t whycap)
{
	const char      *eq = memchr(l, '=', n), *k = l, *v;
	size_t           kn, vn;
	fs_conf_section *s;

	if (eq == NULL || c->n == 0) {
		return (refuse(why, whycap, c->path, line,
		    "'key = value' inside a section", l, n));
	}
	v  = eq + 1;
	kn = (size_t) (eq - l);
	vn = n - kn - 1;
	trim(&k, &kn);
	trim(&v, &vn);
	if (!fs_conf_word_ok(k, kn)) {
		return (refuse(why, whycap, c->path, line,
		    "a key of letters, digits, '_', '-' or '.'", k, kn));
	}
	s = &c->sections[c->n - 1];
	for (size_t j = 0; j < s->n; j++) {
		if (strlen(s->entries[j].key) == kn
		    && memcmp(s->entries[j].key, k, kn) == 0) {
			return (fs_why(why, whycap, FS_ERR_CONFIG,
			    "%s:%d: '%.*s' is already set on line %d", c->path,
			    line, (int) kn, k, s->entries[j].line));
		}
	}
	return (add_entry(s, k, kn, v, vn, line));
}

fs_err
fs_conf_parse(fs_conf **cp, const char *text, size_t len, const char *path,
    char *why, size_t whycap)
{
	fs_conf    *c;
	const char *p = text, *end = text + len, *slash;
	int         line = 0;
	fs_err      rv   = FS_OK;

	if (len > FS_CONF_MAX) {
		return (fs_why(why, whycap, FS_ERR_TOO_LARGE,
		    "%s: expected at most %d bytes, found %zu", path,
		    FS_CONF_MAX, len));
	}
	if ((c = calloc(1, sizeof(*c))) == NULL
	    || (c->path = strdup(path)) == NULL) {
		free(c);
		return (FS_ERR_NOMEM);
	}
	slash  = strrchr(path, '/');
	c->dir = slash != NULL ? dupn(path, (size_t) (slash - path) + 1)
	                       : strdup("");
	if (c->dir == NULL) {
		fs_conf_free(c);
		return (FS_ERR_NOMEM);
	}
	while (p < end && rv == FS_OK) {
		const char *nl = memchr(p, '\n', (size_t) (end - p));
		const char *l  = p;
		size_t      n  = (size_t) ((nl != NULL ? nl : end) - p);

		p = nl != NULL ? nl + 1 : end;
		line++;
		if (memchr(l, '\0', n) != NULL) {
			rv = fs_why(why, whycap, FS_ERR_CONFIG,
			    "%s:%d: expected text, found a NUL byte", path,
			    line);
			break;
		}
		trim(&l, &n);
		// A '#' after white space starts a comment, also after a value.
		for (size_t i = 1; i < n; i++) {
			if (l[i] == '#'
			    && (l[i - 1] == ' ' || l[i - 1] == '\t')) {
				n = i;
				trim(&l, &n);
				break;
			}
		}
		if (n == 0 || l[0] == '#' || l[0] == ';') {
			continue;
		}
		rv = l[0] == '[' ? parse_section(c, l, n, line, why, whycap)
		                 : parse_entry(c, l, n, line, why, whycap);
	}
	if (rv != FS_OK) {
		fs_conf_free(c);
		return (rv);
	}
	*cp = c;
	return (FS_OK);
}

fs_err
fs_conf_read(const char *path, size_t max, char **bufp, size_t *lenp, char *why,
    size_t whycap)
{
	FILE  *f;
	char  *buf;
	size_t n;
	fs_err rv;

	if ((f = fopen(path, "r")) == NULL) {
		rv = errno == ENOENT ? FS_ERR_NOT_FOUND : FS_ERR_IO;
		return (
		    fs_why(why, whycap, rv, "%s: %s", path, strerror(errno)));
	}
	if ((buf = malloc(max + 1)) == NULL) {
		fclose(f);
		return (FS_ERR_NOMEM);
	}
	n  = fread(buf, 1, max + 1, f);
	rv = ferror(f) ? FS_ERR_IO : FS_OK;
	fclose(f);
	if (rv != FS_OK) {
		free(buf);
		return (fs_why(why, whycap, rv, "%s: read error", path));
	}
	*bufp = buf;
	*lenp = n;
	return (FS_OK);
}

fs_err
fs_conf_load(fs_conf **cp, const char *path, char *why, size_t whycap)
{
	char  *buf;
	size_t n;
	fs_err rv;

	if ((rv = fs_conf_read(path, FS_CONF_MAX, &buf, &n, why, whycap))
	    != FS_OK) {
		return (rv);
	}
	rv = fs_conf_parse(cp, buf, n, path, why, whycap);
	free(buf);
	return (rv);
}

fs_err
fs_conf_words(char *out, size_t stride, size_t max, size_t *np, const char *v)
{
	while (*v != '\0') {
		size_t n = strcspn(v, " ,");

		if (n > 0) {
			if (*np == max || n >= stride) {
				return (FS_ERR_CONFIG);
			}
			memcpy(out + *np * stride, v, n);
			out[*np * stride + n] = '\0';
			(*np)++;
		}
		v += n;
		v += strspn(v, " ,");
	}
	return (FS_OK);
}

bool
fs_conf_words_has(const char *table, size_t stride, size_t n, const char *word)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table + i * stride, word) == 0) {
			return (true);
		}
	}
	return (false);
}

const fs_conf_section *
fs_conf_section_find(const fs_conf *c, const char *type, const char *name)
{
	for (size_t i = 0; i < c->n; i++) {
		const fs_conf_section *s = &c->sections[i];

		if (strcmp(s->type, type) == 0
		    && (name == NULL
		        || (s->name != NULL && strcmp(s->name, name) == 0))) {
			return (s);
		}
	}
	return (NULL);
}

const char *
fs_conf_get(const fs_conf_section *s, const char *key)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->entries[i].key, key) == 0) {
			return (s->entries[i].value);
		}
	}
	return (NULL);
}

static bool
in_list(const char *const *list, const char *k)
{
	for (; list != NULL && *list != NULL; list++) {
		if (strcmp(*list, k) == 0) {
			return (true);
		}
	}
	return (false);
}

fs_err
fs_conf_check(const fs_conf *c, const fs_conf_section *s,
    const char *const *allowed, const char *const *required, char *why,
    size_t whycap)
{
	for (size_t i = 0; i < s->n; i++) {
		if (!in_list(allowed, s->entries[i].key)) {
			return (fs_why(why, whycap, FS_ERR_CONFIG,
			    "%s:%d: '%s' is not a setting of section [%s]",
			    c->path, s->entries[i].line, s->entries[i].key,
			    s->type));
		}
	}
	for (; required != NULL && *required != NULL; required++) {
		if (fs_conf_get(s, *required) == NULL) {
			return (fs_why(why, whycap, FS_ERR_CONFIG,
			    "%s:%d: section [%s%s%s] needs '%s = ...'", c->path,
			    s->line, s->type, s->name ? " " : "",
			    s->name ? s->name : "", *required));
		}
	}
	return (FS_OK);
}

char *
fs_conf_path(const fs_conf *c, const fs_conf_section *s, const char *key)
{
	const char *v = fs_conf_get(s, key);
	char       *out;

	if (v == NULL) {
		return (NULL);
	}
	if (v[0] == '/' || strstr(v, "://") != NULL) {
		return (strdup(v));
	}
	if ((out = malloc(strlen(c->dir) + strlen(v) + 1)) != NULL) {
		strcpy(out, c->dir);
		strcat(out, v);
	}
	return (out);
}

fs_err
fs_parse_duration(const char *s, int64_t *ms)
{
	char     *end;
	long long v;
	int64_t   mul;

	errno = 0;
	v     = strtoll(s, &end, 10);
	if (end == s || errno != 0 || v < 0) {
		return (FS_ERR_MALFORMED);
	}
	if (strcmp(end, "ms") == 0) {
		mul = 1;
	} else if (strcmp(end, "s") == 0) {
		mul = 1000;
	} else if (strcmp(end, "m") == 0) {
		mul = 60 * 1000;
	} else if (strcmp(end, "h") == 0) {
		mul = 3600 * 1000;
	} else if (strcmp(end, "d") == 0) {
		mul = 86400 * 1000;
	} else {
		return (FS_ERR_MALFORMED);
	}
	if (v > INT64_MAX / mul) {
		return (FS_ERR_TOO_LARGE);
	}
	*ms = (int64_t) v * mul;
	return (FS_OK);
}

fs_err
fs_conf_int(const fs_conf *c, const fs_conf_section *s, const char *key,
    int64_t def, int64_t min, int64_t max, int64_t *out, char *why,
    size_t whycap)
{
	const char *v = fs_conf_get(s, key);
	char       *end;
	long long   x;

	if (v == NULL) {
		*out = def;
		return (FS_OK);
	}
	errno = 0;
	x     = strtoll(v, &end, 10);
	if (end == v || *end != '\0' || errno != 0 || x < min || x > max) {
		for (size_t i = 0; i < s->n; i++) {
			if (strcmp(s->entries[i].key, key) == 0) {
				return (fs_why(why, whycap, FS_ERR_CONFIG,
				    "%s:%d: expected %s to be a whole number "
				    "from %lld "
				    "to %lld, found '%s'",
				    c->path, s->entries[i].line, key,
				    (long long) min, (long long) max, v));
			}
		}
		return (FS_ERR_CONFIG);
	}
	*out = x;
	return (FS_OK);
}

fs_err
fs_conf_duration(const fs_conf *c, const fs_conf_section *s, const char *key,
    int64_t def, int64_t *out, char *why, size_t whycap)
{
	const char *v = fs_conf_get(s, key);

	*out = def;
	if (v != NULL && (fs_parse_duration(v, out) != FS_OK || *out <= 0)) {
		return (fs_why(why, whycap, FS_ERR_CONFIG,
		    "%s: expected %s as a duration like 5s or 2m, found '%s'",
		    c->path, key, v));
	}
	return (FS_OK);
}
