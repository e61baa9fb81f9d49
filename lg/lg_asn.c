/*
 * lg_asn.c -- /api/v1/asn/{asn}: what the RIB says about one AS.
 *
 * The RIB is indexed by prefix, not by AS, so the answer comes from a
 * walk over the routes: the prefixes whose path ends in the AS, and the
 * ASes next to it in any path.  The walk is bounded three ways: by the
 * number of prefixes listed (limit), by the number of routes examined
 * (scan), and by time under the lock: it takes the read lock for a chunk
 * of routes at a time and resumes from a cursor, so ingest waits at most
 * one chunk however large the table.  A walk that stops early hands out
 * its cursor; walks continued from it see the table as it is then, like
 * the pages of /routes.
 *
 * One walk runs at a time: a second gets 503 and Retry-After, so walks
 * cannot take every HTTP thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lg_int.h"

#define ASN_CHUNK	16384		/* routes per read-lock hold */
#define ASN_SCAN_DEF	2000000
#define ASN_SCAN_MAX	10000000
#define ASN_NB_MAX	65536		/* neighbours counted */
#define ASN_NB_OUT	10000		/* neighbours listed */
#define ASN_PATH_MAX	1024		/* ASes of a path looked at */

struct nb {
	uint32_t	asn;		/* 0 = free */
	uint32_t	left, right, routes;
	/* Route (numbered from 1 in the walk) that last counted it. */
	uint32_t	seen_left, seen_right, seen_any;
};

struct awalk {
	struct lg		*lg;
	uint32_t		 asn;
	size_t			 limit, scan, scanned;
	json_t			*prefixes;
	size_t			 n_prefixes;
	json_t			*cur;		/* entry of the last prefix */
	struct prefix		 cur_pfx;
	struct prefix		 last_pfx;	/* of the last route seen */
	bool			 have_last;
	struct rib_cursor	 last;		/* last route done */
	bool			 stopped;	/* limit: at a prefix boundary */
	struct nb		*nb;
	size_t			 nb_cap, nb_n;
	bool			 nb_trunc;
	bool			 geo;
};

static bool
nb_grow(struct awalk *w)
{
	struct nb	*old = w->nb, *n;
	size_t		 oldcap = w->nb_cap, i, j, mask;

	w->nb_cap = oldcap ? oldcap * 2 : 1024;
	if ((w->nb = calloc(w->nb_cap, sizeof(*w->nb))) == NULL) {
		w->nb = old;
		w->nb_cap = oldcap;
		return (false);
	}
	mask = w->nb_cap - 1;
	for (i = 0; i < oldcap; i++) {
		if (old[i].asn == 0)
			continue;
		for (j = (old[i].asn * 2654435761u) & mask; w->nb[j].asn != 0;
		    j = (j + 1) & mask)
			;
		n = &w->nb[j];
		*n = old[i];
	}
	free(old);
	return (true);
}

static struct nb *
nb_slot(struct awalk *w, uint32_t asn)
{
	size_t	mask = w->nb_cap - 1, i;

	for (i = (asn * 2654435761u) & mask; w->nb[i].asn != 0 &&
	    w->nb[i].asn != asn; i = (i + 1) & mask)
		;
	return (&w->nb[i]);
}

/* The counters of asn, added if new; NULL past ASN_NB_MAX. */
static struct nb *
nb_get(struct awalk *w, uint32_t asn)
{
	struct nb *n;

	if (w->nb_cap > 0 && (n = nb_slot(w, asn))->asn == asn)
		return (n);
	if (w->nb_n >= ASN_NB_MAX) {
		w->nb_trunc = true;
		return (NULL);
	}
	if (w->nb_n * 2 >= w->nb_cap && !nb_grow(w))
		return (NULL);
	n = nb_slot(w, asn);
	n->asn = asn;
	w->nb_n++;
	return (n);
}

/* Count asn as a neighbour on one side, once per route and side. */
static void
nb_count(struct awalk *w, uint32_t asn, bool left)
{
	struct nb	*n;
	uint32_t	 stamp = (uint32_t)w->scanned + 1;

	if (asn == 0 || asn == w->asn || (n = nb_get(w, asn)) == NULL)
		return;
	if (left) {
		if (n->seen_left == stamp)
			return;
		n->seen_left = stamp;
		n->left++;
	} else {
		if (n->seen_right == stamp)
			return;
		n->seen_right = stamp;
		n->right++;
	}
	if (n->seen_any != stamp) {
		n->seen_any = stamp;
		n->routes++;
	}
}

/*
 * The neighbours of the AS in one path.  Prepending is collapsed, and an
 * AS_SET next to the AS says nothing certain about adjacency: skipped.
 */
static void
path_neighbours(struct awalk *w, const struct rib_attrs *a)
{
	struct aspath_iter	it;
	uint32_t		v[ASN_PATH_MAX], asn;
	bool			set[ASN_PATH_MAX];
	uint8_t			st;
	size_t			n = 0, i;

	aspath_iter_init(&it, a->aspath, a->aspath_len);
	while (n < ASN_PATH_MAX && aspath_next(&it, &asn, &st) == 1) {
		if (st == AS_SEQUENCE && n > 0 && !set[n - 1] &&
		    v[n - 1] == asn)
			continue;
		v[n] = asn;
		set[n++] = st != AS_SEQUENCE;
	}
	for (i = 0; i < n; i++) {
		if (v[i] != w->asn || set[i])
			continue;
		if (i > 0 && !set[i - 1])
			nb_count(w, v[i - 1], true);
		if (i + 1 < n && !set[i + 1])
			nb_count(w, v[i + 1], false);
	}
}

static void
add_origin(struct awalk *w, const struct prefix *p)
{
	char		pb[PREFIX_STRLEN], cc[3];
	struct addr	a;

	if (w->cur != NULL && prefix_cmp(p, &w->cur_pfx) == 0) {
		json_object_set_new(w->cur, "routes", json_integer(
		    json_integer_value(json_object_get(w->cur, "routes")) + 1));
		return;
	}
	w->cur = json_pack("{s:s, s:i}", "prefix", prefix_fmt(p, pb,
	    sizeof(pb)), "routes", 1);
	if (w->cur == NULL)
		return;
	w->cur_pfx = *p;
	addr_set_bytes(&a, p->afi, p->b);
	if (w->geo && lg_geo_country(w->lg->geo, &a, cc))
		json_object_set_new(w->cur, "country", json_string(cc));
	json_array_append_new(w->prefixes, w->cur);
	w->n_prefixes++;
}

static int
walk_route(void *arg, const struct prefix *p, const struct route *rt)
{
	struct awalk		*w = arg;
	struct rib_attrs	 a;

	/* Past `limit' prefixes: stop where a new prefix begins. */
	if (w->n_prefixes >= w->limit && w->have_last &&
	    prefix_cmp(p, &w->last_pfx) != 0) {
		w->stopped = true;
		return (1);
	}
	if (rib_attr_get(w->lg->ctx.rib, rt->attr, &a) == 0) {
		if (a.origin_as == w->asn)
			add_origin(w, p);
		path_neighbours(w, &a);
	}
	w->last_pfx = *p;
	w->have_last = true;
	w->last.valid = true;
	w->last.pfx = *p;
	w->last.src = rt->src;
	w->last.path_id = rt->path_id;
	w->scanned++;
	return (0);
}

/* Walk chunk by chunk; true when the end of the RIB was reached. */
static bool
walk(struct awalk *w, struct rib_query *q)
{
	struct rib_cursor	next;
	size_t			left;

	while ((left = w->scan - w->scanned) > 0) {
		q->limit = left < ASN_CHUNK ? left : ASN_CHUNK;
		if (w->last.valid)
			q->after = w->last;
		rib_rdlock(w->lg->ctx.rib);
		rib_query(w->lg->ctx.rib, q, walk_route, w, &next);
		rib_unlock(w->lg->ctx.rib);
		if (w->stopped)
			return (false);
		if (!next.valid)
			return (true);
	}
	return (false);
}

static int
nb_cmp(const void *a, const void *b)
{
	const struct nb *x = a, *y = b;

	if (x->routes != y->routes)
		return (x->routes > y->routes ? -1 : 1);
	return (x->asn < y->asn ? -1 : x->asn > y->asn);
}

static json_t *
neighbours_json(struct awalk *w, struct asnset *names)
{
	json_t	*arr = json_array();
	size_t	 i, n = 0;

	for (i = 0; i < w->nb_cap; i++)
		if (w->nb[i].asn != 0)
			w->nb[n++] = w->nb[i];
	if (n > 0)
		qsort(w->nb, n, sizeof(*w->nb), nb_cmp);
	if (n > ASN_NB_OUT) {
		n = ASN_NB_OUT;
		w->nb_trunc = true;
	}
	for (i = 0; i < n; i++) {
		json_array_append_new(arr, json_pack("{s:I, s:I, s:I, s:I}",
		    "asn", (json_int_t)w->nb[i].asn,
		    "left", (json_int_t)w->nb[i].left,
		    "right", (json_int_t)w->nb[i].right,
		    "routes", (json_int_t)w->nb[i].routes));
		asnset_add(names, w->nb[i].asn);
	}
	return (arr);
}

static int
answer(struct lg *lg, struct req *r, struct awalk *w, bool complete)
{
	struct asnset	*names = NULL;
	const char	*nm;
	char		 cb[128];
	json_t		*o;

	if (lg_geo_has_names(lg->geo) && (names = asnset_new()) != NULL)
		asnset_add(names, w->asn);
	o = json_pack("{s:I, s:o, s:I, s:o, s:b, s:I, s:b}",
	    "asn", (json_int_t)w->asn,
	    "prefixes", w->prefixes,
	    "count", (json_int_t)w->n_prefixes,
	    "neighbours", neighbours_json(w, names),
	    "neighbours_truncated", w->nb_trunc,
	    "routes_scanned", (json_int_t)w->scanned,
	    "complete", complete);
	w->prefixes = NULL;
	if (o != NULL && (nm = lg_geo_as_name(lg->geo, w->asn)) != NULL)
		json_object_set_new(o, "name", json_string(nm));
	if (o != NULL && !complete && w->last.valid) {
		lg_cursor_fmt(&w->last, cb, sizeof(cb));
		json_object_set_new(o, "next_cursor", json_string(cb));
	}
	lg_as_names(lg, o, names);
	asnset_free(names);
	r->body = o;
	return (o != NULL ? 0 : -1);
}

static int
walk_params(struct req *r, struct awalk *w, struct rib_query *q)
{
	const char *v;

	memset(q, 0, sizeof(*q));
	q->match = RIB_MATCH_ALL;
	q->src = -1;
	lg_parse_asn(lg_param(r, "asn"), &w->asn);
	if (lg_limit(r, "limit", LG_DEF_LIMIT, LG_MAX_LIMIT, &w->limit) == -1 ||
	    lg_limit(r, "scan", ASN_SCAN_DEF, ASN_SCAN_MAX, &w->scan) == -1)
		return (-1);
	if ((v = lg_param(r, "afi")) != NULL)
		q->afi = strcmp(v, "ipv4") == 0 ? AFI_IPV4 : AFI_IPV6;
	if ((v = lg_param(r, "cursor")) != NULL)
		lg_cursor_parse(v, &w->last);
	return (0);
}

int
lg_h_asn(struct lg *lg, struct req *r)
{
	struct awalk		w;
	struct rib_query	q;
	bool			complete;
	int			rc;

	memset(&w, 0, sizeof(w));
	w.lg = lg;
	w.geo = lg_geo_has_country(lg->geo);
	if (walk_params(r, &w, &q) == -1)
		return (-1);
	if (atomic_fetch_add(&lg->scanning, 1) != 0) {
		atomic_fetch_sub(&lg->scanning, 1);
		r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		r->retry_after = "1";
		snprintf(r->err_msg, sizeof(r->err_msg), "busy: another AS "
		    "walk is running, retry shortly");
		return (-1);
	}
	atomic_fetch_add_explicit(&lg->scans, 1, memory_order_relaxed);
	if ((w.prefixes = json_array()) == NULL)
		rc = -1;
	else {
		complete = walk(&w, &q);
		rc = answer(lg, r, &w, complete);
	}
	atomic_fetch_sub(&lg->scanning, 1);
	json_decref(w.prefixes);
	free(w.nb);
	return (rc);
}
