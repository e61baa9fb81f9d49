/*
 * detect_rel.c -- AS relationships (CAIDA serial-2) for the route-leak
 * detector.
 *
 * A line "a|b|-1" says a is the provider of b, "a|b|0" that a and b
 * peer; fields after the third (serial-2's source) are ignored, as are
 * blank lines and '#' comments.  The table is open addressing over the
 * unordered pair (low AS, high AS), the value saying which way the
 * provider link goes: one probe answers "what is the link from x to y".
 * A full CAIDA file is about 500,000 links: 8 MB here.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "detect.h"

#define REL_MAX_BYTES	(1L << 30)

/* Value of a slot, relative to (lo, hi). */
#define LINK_LO_PROVIDER	1	/* lo is the provider of hi */
#define LINK_HI_PROVIDER	2
#define LINK_PEER		3

struct link {
	uint64_t	key;		/* lo << 32 | hi; 0 = empty */
	uint8_t		kind;
};

struct asrel {
	struct link	*t;
	size_t		 cap;		/* power of two */
	size_t		 n;
};

static uint64_t
link_key(uint32_t a, uint32_t b)
{
	uint32_t lo = a < b ? a : b, hi = a < b ? b : a;

	return ((uint64_t)lo << 32 | hi);
}

static size_t
link_slot(uint64_t key, size_t cap)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return ((size_t)key & (cap - 1));
}

static int
rel_grow(struct asrel *r)
{
	struct link	*old = r->t, *nt;
	size_t		 oldcap = r->cap, i, j;

	r->cap = oldcap ? oldcap * 2 : 1024;
	if ((nt = calloc(r->cap, sizeof(*nt))) == NULL) {
		r->cap = oldcap;
		return (-1);
	}
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == 0)
			continue;
		for (j = link_slot(old[i].key, r->cap); nt[j].key != 0;
		    j = (j + 1) & (r->cap - 1))
			;
		nt[j] = old[i];
	}
	free(old);
	r->t = nt;
	return (0);
}

/* Add or overwrite: the last line about a pair wins. */
static int
rel_put(struct asrel *r, uint32_t a, uint32_t b, uint8_t kind_ab)
{
	uint64_t	key = link_key(a, b);
	uint8_t		kind = kind_ab;
	size_t		j;

	/* kind_ab is relative to (a, b): swap when a is the high one. */
	if (a > b && kind_ab != LINK_PEER)
		kind = kind_ab == LINK_LO_PROVIDER ? LINK_HI_PROVIDER :
		    LINK_LO_PROVIDER;
	if ((r->n + 1) * 2 > r->cap && rel_grow(r) == -1)
		return (-1);
	for (j = link_slot(key, r->cap); r->t[j].key != 0;
	    j = (j + 1) & (r->cap - 1))
		if (r->t[j].key == key) {
			r->t[j].kind = kind;
			return (0);
		}
	r->t[j].key = key;
	r->t[j].kind = kind;
	r->n++;
	return (0);
}

static int
parse_u32(const char **pp, uint32_t *out)
{
	const char	*p = *pp;
	uint64_t	 v = 0;

	if (!isdigit((unsigned char)*p))
		return (-1);
	while (isdigit((unsigned char)*p)) {
		v = v * 10 + (uint64_t)(*p++ - '0');
		if (v > UINT32_MAX)
			return (-1);
	}
	*pp = p;
	*out = (uint32_t)v;
	return (0);
}

/* One line, without its newline.  0 = taken or skipped, -1 = bad. */
static int
rel_line(struct asrel *r, const char *p, const char **why)
{
	uint32_t	a, b;
	int		neg = 0;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == '#' || *p == '\r')
		return (0);
	*why = "expected AS|AS|-1 or AS|AS|0";
	if (parse_u32(&p, &a) == -1 || *p++ != '|' ||
	    parse_u32(&p, &b) == -1 || *p++ != '|')
		return (-1);
	if (*p == '-') {
		neg = 1;
		p++;
	}
	if (*p != '0' && *p != '1' && *p != '2')
		return (-1);
	if (p[1] != '\0' && p[1] != '|' && p[1] != '\r' && p[1] != ' ')
		return (-1);
	*why = "out of memory";
	if (a == b)
		return (0);
	if (neg && *p == '1')
		return (rel_put(r, a, b, LINK_LO_PROVIDER));
	if (!neg && *p == '0')
		return (rel_put(r, a, b, LINK_PEER));
	return (0);	/* siblings (serial-1 "2") and others: unknown */
}

struct asrel *
asrel_load_mem(const char *name, const char *buf, size_t len, char *err,
    size_t errlen)
{
	struct asrel	*r;
	const char	*p = buf, *end = buf + len, *nl, *why = "";
	char		 line[256];
	size_t		 n;
	unsigned	 lineno = 0;

	if ((r = calloc(1, sizeof(*r))) == NULL || rel_grow(r) == -1) {
		free(r);
		snprintf(err, errlen, "%s: out of memory", name);
		return (NULL);
	}
	while (p < end) {
		lineno++;
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		n = (size_t)(nl - p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;	/* long comments: cut */
		memcpy(line, p, n);
		line[n] = '\0';
		if (rel_line(r, line, &why) == -1) {
			snprintf(err, errlen, "%s:%u:1: %s", name, lineno,
			    why);
			asrel_free(r);
			return (NULL);
		}
		p = nl + 1;
	}
	return (r);
}

struct asrel *
asrel_load(const char *path, char *err, size_t errlen)
{
	struct asrel	*r;
	FILE		*f;
	struct stat	 st;
	char		*buf = NULL;
	size_t		 cap = 0, len = 0, n;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (fstat(fileno(f), &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > REL_MAX_BYTES) {
		snprintf(err, errlen, "%s: not a regular file of at most 1 GiB",
		    path);
		fclose(f);
		return (NULL);
	}
	for (;;) {
		if (len + 65536 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 65536);

			if (nb == NULL) {
				free(buf);
				fclose(f);
				snprintf(err, errlen, "%s: out of memory", path);
				return (NULL);
			}
			buf = nb;
		}
		if ((n = fread(buf + len, 1, cap - len, f)) == 0)
			break;
		len += n;
	}
	fclose(f);
	r = asrel_load_mem(path, buf ? buf : "", len, err, errlen);
	free(buf);
	return (r);
}

void
asrel_free(struct asrel *r)
{
	if (r == NULL)
		return;
	free(r->t);
	free(r);
}

size_t
asrel_count(const struct asrel *r)
{
	return (r != NULL ? r->n : 0);
}

enum rel
asrel_get(const struct asrel *r, uint32_t from, uint32_t to)
{
	uint64_t	key;
	size_t		j;
	bool		from_lo = from < to;

	if (r == NULL || from == to)
		return (REL_UNKNOWN);
	key = link_key(from, to);
	for (j = link_slot(key, r->cap); r->t[j].key != 0;
	    j = (j + 1) & (r->cap - 1)) {
		if (r->t[j].key != key)
			continue;
		switch (r->t[j].kind) {
		case LINK_PEER:
			return (REL_PEER);
		case LINK_LO_PROVIDER:
			return (from_lo ? REL_DOWN : REL_UP);
		case LINK_HI_PROVIDER:
			return (from_lo ? REL_UP : REL_DOWN);
		}
	}
	return (REL_UNKNOWN);
}
