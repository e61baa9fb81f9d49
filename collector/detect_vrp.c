/*
 * detect_vrp.c -- validated ROA payloads and route origin validation
 * (RFC 6811) for the RPKI detector.
 *
 * Input is the JSON that rpki-client (-j) and Routinator (json, jsonext)
 * write: an object whose "roas" array holds {"asn", "prefix",
 * "maxLength"} objects, the AS a number or "AS64500".  Other keys
 * (metadata, "ta", "source", "expires") are ignored.
 *
 * One radix tree per family keyed by the ROA prefix; a node holds the
 * (AS, maxLength) pairs of that prefix.  Validating a route walks the
 * prefixes covering it (rtree_iter_less), at most 33 or 129 nodes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "detect.h"
#include "rtree.h"

struct roa {
	uint32_t	asn;
	uint8_t		maxlen;
};

struct roaset {
	size_t		n, cap;
	struct roa	r[];
};

struct vrp {
	struct rtree	*t[2];
	size_t		 n;
};

static int
roa_add(struct vrp *v, const struct prefix *p, uint32_t asn, uint8_t maxlen)
{
	struct rtnode	*node;
	struct roaset	*s, *ns;
	size_t		 i, cap;

	if ((node = rtree_insert(v->t[p->afi == AFI_IPV6], p, NULL)) == NULL)
		return (-1);
	s = node->value;
	for (i = 0; s != NULL && i < s->n; i++)
		if (s->r[i].asn == asn && s->r[i].maxlen == maxlen)
			return (0);	/* the same ROA from two TAs */
	if (s == NULL || s->n == s->cap) {
		cap = s ? s->cap * 2 : 2;
		if ((ns = realloc(s, sizeof(*ns) + cap * sizeof(ns->r[0]))) ==
		    NULL)
			return (-1);
		if (s == NULL)
			ns->n = 0;
		ns->cap = cap;
		node->value = s = ns;
	}
	s->r[s->n].asn = asn;
	s->r[s->n].maxlen = maxlen;
	s->n++;
	v->n++;
	return (0);
}

static int
json_asn(json_t *j, uint32_t *out)
{
	const char	*s;
	char		*end;
	unsigned long long v;

	if (json_is_integer(j)) {
		if (json_integer_value(j) < 0 ||
		    json_integer_value(j) > (json_int_t)UINT32_MAX)
			return (-1);
		*out = (uint32_t)json_integer_value(j);
		return (0);
	}
	if (!json_is_string(j))
		return (-1);
	s = json_string_value(j);
	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > UINT32_MAX)
		return (-1);
	*out = (uint32_t)v;
	return (0);
}

/* One element of "roas"; NULL when good, else what is wrong. */
static const char *
roa_parse(struct vrp *v, json_t *o)
{
	json_t		*ja, *jp, *jm;
	struct prefix	 p;
	uint32_t	 asn;
	json_int_t	 ml;

	if (!json_is_object(o))
		return ("a ROA is not an object");
	ja = json_object_get(o, "asn");
	jp = json_object_get(o, "prefix");
	jm = json_object_get(o, "maxLength");
	if (jm == NULL)
		jm = json_object_get(o, "max_length");
	if (ja == NULL || json_asn(ja, &asn) == -1)
		return ("a ROA without a valid \"asn\"");
	if (!json_is_string(jp) || prefix_parse(json_string_value(jp),
	    &p) == -1)
		return ("a ROA without a valid \"prefix\"");
	ml = jm != NULL && json_is_integer(jm) ? json_integer_value(jm) :
	    p.len;
	if (ml < p.len || ml > (json_int_t)afi_bits(p.afi))
		return ("a ROA whose maxLength is out of range");
	if (roa_add(v, &p, asn, (uint8_t)ml) == -1)
		return ("out of memory");
	return (NULL);
}

static void
roaset_free(void *value, void *arg)
{
	(void)arg;
	free(value);
}

void
vrp_free(struct vrp *v)
{
	if (v == NULL)
		return;
	if (v->t[0] != NULL)
		rtree_destroy(v->t[0], roaset_free, NULL);
	if (v->t[1] != NULL)
		rtree_destroy(v->t[1], roaset_free, NULL);
	free(v);
}

static struct vrp *
vrp_from_json(const char *name, json_t *doc, char *err, size_t errlen)
{
	struct vrp	*v;
	json_t		*roas, *o;
	const char	*why;
	size_t		 i;

	roas = json_is_object(doc) ? json_object_get(doc, "roas") : NULL;
	if (!json_is_array(roas)) {
		snprintf(err, errlen, "%s: no \"roas\" array (rpki-client or "
		    "Routinator JSON expected)", name);
		return (NULL);
	}
	if ((v = calloc(1, sizeof(*v))) == NULL ||
	    (v->t[0] = rtree_create(AFI_IPV4)) == NULL ||
	    (v->t[1] = rtree_create(AFI_IPV6)) == NULL) {
		vrp_free(v);
		snprintf(err, errlen, "%s: out of memory", name);
		return (NULL);
	}
	json_array_foreach(roas, i, o) {
		if ((why = roa_parse(v, o)) != NULL) {
			snprintf(err, errlen, "%s: roas[%zu]: %s", name, i,
			    why);
			vrp_free(v);
			return (NULL);
		}
	}
	return (v);
}

struct vrp *
vrp_load_mem(const char *name, const char *buf, size_t len, char *err,
    size_t errlen)
{
	json_error_t	 je;
	json_t		*doc;
	struct vrp	*v;

	if ((doc = json_loadb(buf, len, 0, &je)) == NULL) {
		snprintf(err, errlen, "%s:%d:%d: %s", name, je.line, je.column,
		    je.text);
		return (NULL);
	}
	v = vrp_from_json(name, doc, err, errlen);
	json_decref(doc);
	return (v);
}

struct vrp *
vrp_load(const char *path, char *err, size_t errlen)
{
	json_error_t	 je;
	json_t		*doc;
	struct vrp	*v;
	struct stat	 st;

	/* A FIFO or a device would never end: only regular files. */
	if (stat(path, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if (!S_ISREG(st.st_mode) || st.st_size > (1L << 30)) {
		snprintf(err, errlen, "%s: not a regular file of at most 1 GiB",
		    path);
		return (NULL);
	}
	if ((doc = json_load_file(path, 0, &je)) == NULL) {
		if (je.line <= 0)
			snprintf(err, errlen, "%s: %s", path, je.text);
		else
			snprintf(err, errlen, "%s:%d:%d: %s", path, je.line,
			    je.column, je.text);
		return (NULL);
	}
	v = vrp_from_json(path, doc, err, errlen);
	json_decref(doc);
	return (v);
}

size_t
vrp_count(const struct vrp *v)
{
	return (v != NULL ? v->n : 0);
}

enum rpki_state
vrp_validate(const struct vrp *v, const struct prefix *p, uint32_t origin)
{
	struct rtree_iter	 it;
	struct rtnode		*n;
	const struct roaset	*s;
	bool			 covered = false;
	size_t			 i;

	if (v == NULL)
		return (RPKI_NONE);
	rtree_iter_less(&it, v->t[p->afi == AFI_IPV6], p);
	while ((n = rtree_iter_next(&it)) != NULL) {
		if ((s = n->value) == NULL)
			continue;
		covered = true;
		/* AS 0 ROAs never match: no route has origin 0 (RFC 6483). */
		for (i = 0; i < s->n; i++)
			if (origin != 0 && s->r[i].asn == origin &&
			    p->len <= s->r[i].maxlen)
				return (RPKI_VALID);
	}
	return (covered ? RPKI_INVALID : RPKI_NOT_FOUND);
}
