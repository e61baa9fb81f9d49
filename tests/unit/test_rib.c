/*
 * test_rib.c -- the RIB (collector/rib.c): attribute interning, best path,
 * updates, graceful restart, history, queries and pagination, and a
 * randomized differential test against a naive model.
 *
 * Environment: RIB_TEST_SEED (the differential test's seed, printed),
 * RIB_TEST_OPS (its operation count; 1,000,000 by default, 200,000 when
 * built with AddressSanitizer).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <regex.h>
#include <time.h>
#include <pthread.h>
#include <stdatomic.h>

#include <cmocka.h>

#include "bgp.h"
#include "intern.h"
#include "prefix.h"
#include "rib.h"

#define RIB_CHECK(r) do {						\
	const char *why_ = rib_check(r);				\
	if (why_ != NULL)						\
		fail_msg("rib_check: %s", why_);			\
} while (0)

#define SEC	1000000ULL

/*
 * Attribute sets from a short text: "path=65001,65002 set=1,2 lp=200
 * med=10 origin=1 comm=65001:100 large=1:2:3 ext=0002fde800000001
 * nh=192.0.2.1 nhll=fe80::1 atomic aggr=4200000000:192.0.2.9
 * originator=1.2.3.4 cluster=5.6.7.8 unknown=99:c0:0102 nopath noorigin".
 * The path is there (empty) unless nopath; ORIGIN is IGP unless given.
 */
struct tb {
	struct bgp_attrs a;
	uint8_t		 path[8192];
	uint8_t		 comms[256];
	uint8_t		 lcomms[256];
	uint8_t		 ecomms[256];
	uint8_t		 other[1024];
	size_t		 other_len;
	struct addr	 nh, nhll;
};

static void
tb_raw(struct tb *t, uint8_t flags, uint8_t type, const void *p, size_t len)
{
	struct bgp_attr_raw *w = &t->a.raw[t->a.n_raw++];

	assert_true(t->other_len + len <= sizeof(t->other));
	if (len > 0)
		memcpy(t->other + t->other_len, p, len);
	w->flags = flags;
	w->type = type;
	w->len = (uint16_t)len;
	w->data = t->other + t->other_len;
	t->other_len += len;
	if (type < 64)
		t->a.seen |= 1ull << type;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Append a segment of comma-separated ASNs to the path. */
static void
tb_segment(struct tb *t, uint8_t type, const char *list)
{
	uint8_t		*seg = t->path + t->a.aspath_len;
	char		*end;
	unsigned	 n = 0;

	seg[0] = type;
	while (*list != '\0' && *list != ' ') {
		put32(seg + 2 + 4 * n++, (uint32_t)strtoul(list, &end, 10));
		list = *end == ',' ? end + 1 : end;
	}
	if (n == 0)
		return;		/* "path=": present and empty */
	seg[1] = (uint8_t)n;
	t->a.aspath_len += 2 + 4 * n;
}

static void
tb_build(struct tb *t, const char *spec)
{
	const char	*s = spec;
	char		 key[32], val[128];
	uint32_t	 x, y, z;
	uint8_t		 buf[64];
	unsigned	 i;
	int		 n;
	bool		 origin = true, path = true;

	memset(&t->a, 0, offsetof(struct bgp_attrs, raw));
	t->other_len = 0;
	memset(&t->nh, 0, sizeof(t->nh));
	memset(&t->nhll, 0, sizeof(t->nhll));
	t->a.aspath = t->path;
	t->a.communities = t->comms;
	t->a.large_communities = t->lcomms;
	t->a.ext_communities = t->ecomms;
	while (*s != '\0') {
		while (*s == ' ')
			s++;
		if (*s == '\0')
			break;
		val[0] = '\0';
		if (sscanf(s, "%31[^= ]%n", key, &n) != 1)
			fail_msg("bad spec %s", spec);
		s += n;
		if (*s == '=') {
			s++;
			n = 0;
			sscanf(s, "%127[^ ]%n", val, &n);
			if (strcmp(key, "path") == 0 ||
			    strcmp(key, "set") == 0) {
				tb_segment(t, key[0] == 'p' ? AS_SEQUENCE :
				    AS_SET, s);
				n = (int)strcspn(s, " ");
			}
			s += n;
		}
		if (strcmp(key, "path") == 0 || strcmp(key, "set") == 0)
			continue;
		else if (strcmp(key, "nopath") == 0)
			path = false;
		else if (strcmp(key, "noorigin") == 0)
			origin = false;
		else if (strcmp(key, "origin") == 0)
			t->a.origin = (uint8_t)atoi(val);
		else if (strcmp(key, "lp") == 0) {
			t->a.local_pref = (uint32_t)strtoul(val, NULL, 10);
			t->a.seen |= 1ull << ATTR_LOCAL_PREF;
		} else if (strcmp(key, "med") == 0) {
			t->a.med = (uint32_t)strtoul(val, NULL, 10);
			t->a.seen |= 1ull << ATTR_MED;
		} else if (strcmp(key, "comm") == 0) {
			sscanf(val, "%u:%u", &x, &y);
			put32(t->comms + t->a.communities_len, x << 16 | y);
			t->a.communities_len += 4;
			t->a.seen |= 1ull << ATTR_COMMUNITIES;
		} else if (strcmp(key, "large") == 0) {
			sscanf(val, "%u:%u:%u", &x, &y, &z);
			put32(t->lcomms + t->a.large_communities_len, x);
			put32(t->lcomms + t->a.large_communities_len + 4, y);
			put32(t->lcomms + t->a.large_communities_len + 8, z);
			t->a.large_communities_len += 12;
			t->a.seen |= 1ull << ATTR_LARGE_COMMUNITIES;
		} else if (strcmp(key, "ext") == 0) {
			for (i = 0; i < 8; i++) {
				sscanf(val + 2 * i, "%2x", &x);
				t->ecomms[t->a.ext_communities_len + i] =
				    (uint8_t)x;
			}
			t->a.ext_communities_len += 8;
			t->a.seen |= 1ull << ATTR_EXT_COMMUNITIES;
		} else if (strcmp(key, "nh") == 0)
			assert_int_equal(addr_parse(val, &t->nh), 0);
		else if (strcmp(key, "nhll") == 0)
			assert_int_equal(addr_parse(val, &t->nhll), 0);
		else if (strcmp(key, "atomic") == 0)
			tb_raw(t, ATTR_F_TRANSITIVE, ATTR_ATOMIC_AGGREGATE,
			    NULL, 0);
		else if (strcmp(key, "aggr") == 0) {
			char *colon = strchr(val, ':');

			assert_non_null(colon);
			*colon = '\0';
			t->a.aggr_as = (uint32_t)strtoul(val, NULL, 10);
			assert_int_equal(addr_parse(colon + 1,
			    &t->a.aggr_addr), 0);
			t->a.aggr_as4_wire = true;
			t->a.seen |= 1ull << ATTR_AGGREGATOR;
		} else if (strcmp(key, "originator") == 0) {
			struct addr o;

			assert_int_equal(addr_parse(val, &o), 0);
			t->a.originator_id = (uint32_t)o.b[0] << 24 |
			    (uint32_t)o.b[1] << 16 | (uint32_t)o.b[2] << 8 |
			    o.b[3];
			tb_raw(t, ATTR_F_OPTIONAL, ATTR_ORIGINATOR_ID, o.b, 4);
		} else if (strcmp(key, "cluster") == 0) {
			struct addr o;

			assert_int_equal(addr_parse(val, &o), 0);
			tb_raw(t, ATTR_F_OPTIONAL, ATTR_CLUSTER_LIST, o.b, 4);
		} else if (strcmp(key, "unknown") == 0) {
			unsigned type, flags;
			char hex[64];

			assert_int_equal(sscanf(val, "%u:%x:%63s", &type,
			    &flags, hex), 3);
			for (i = 0; hex[2 * i] != '\0'; i++) {
				sscanf(hex + 2 * i, "%2x", &x);
				buf[i] = (uint8_t)x;
			}
			tb_raw(t, (uint8_t)flags, (uint8_t)type, buf, i);
		} else
			fail_msg("unknown spec key %s", key);
	}
	if (origin)
		t->a.seen |= 1ull << ATTR_ORIGIN;
	if (path)
		t->a.seen |= 1ull << ATTR_AS_PATH;
	else
		t->a.aspath_len = 0;
}

static struct tb	*TB;

static uint32_t
mkattr(struct rib *r, const char *spec)
{
	uint32_t id;

	tb_build(TB, spec);
	id = rib_attr_intern(r, &TB->a, &TB->nh,
	    TB->nhll.afi != 0 ? &TB->nhll : NULL);
	assert_int_not_equal(id, 0);
	return (id);
}

static struct prefix
P(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p) != 0)
		fail_msg("bad prefix %s", s);
	return (p);
}

/* Announce with a fresh reference, given back after: what callers do. */
static int
ann(struct rib *r, const char *pfx, uint16_t src, uint32_t path_id,
    const char *spec, uint64_t now_us)
{
	struct prefix	p = P(pfx);
	uint32_t	id = mkattr(r, spec);
	int		rc = rib_update(r, &p, src, path_id, id, now_us);

	rib_attr_put(r, id);
	return (rc);
}

static int
wd(struct rib *r, const char *pfx, uint16_t src, uint32_t path_id,
    uint64_t now_us)
{
	struct prefix p = P(pfx);

	return (rib_update(r, &p, src, path_id, 0, now_us));
}

static uint16_t
add_src(struct rib *r, const char *peer, uint32_t as, const char *bgp_id,
    bool ibgp)
{
	struct rib_source	s;
	struct addr		id;
	uint16_t		i;

	memset(&s, 0, sizeof(s));
	assert_int_equal(addr_parse(peer, &s.peer), 0);
	assert_int_equal(addr_parse(bgp_id, &id), 0);
	s.peer_as = as;
	s.peer_bgp_id = (uint32_t)id.b[0] << 24 | (uint32_t)id.b[1] << 16 |
	    (uint32_t)id.b[2] << 8 | id.b[3];
	s.ibgp = ibgp;
	snprintf(s.name, sizeof(s.name), "%s AS%u", peer, as);
	i = rib_source_add(r, &s);
	assert_int_not_equal(i, RIB_NO_SOURCE);
	return (i);
}

static struct rib *
mkrib(uint64_t max_events, uint64_t max_age_s)
{
	struct rib_config	c;
	struct rib		*r;

	memset(&c, 0, sizeof(c));
	c.history_max_events = max_events;
	c.history_max_age_s = max_age_s;
	c.local_as = 65000;
	r = rib_new(&c);
	assert_non_null(r);
	return (r);
}

/* Query results. */
struct qres {
	size_t		 n, cap;
	struct prefix	*p;
	struct route	*rt;
	size_t		 stop_at;	/* callback stops at this count, 0 never */
};

static int
qres_cb(void *arg, const struct prefix *p, const struct route *rt)
{
	struct qres *q = arg;

	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->p = realloc(q->p, q->cap * sizeof(*q->p));
		q->rt = realloc(q->rt, q->cap * sizeof(*q->rt));
		assert_non_null(q->p);
		assert_non_null(q->rt);
	}
	q->p[q->n] = *p;
	q->rt[q->n] = *rt;
	q->n++;
	return (q->stop_at != 0 && q->n >= q->stop_at);
}

static void
qres_free(struct qres *q)
{
	free(q->p);
	free(q->rt);
	memset(q, 0, sizeof(*q));
}

/* "pfx#src/path_id*" for each route, * on the best, space separated. */
static char *
qres_str(const struct qres *q, char *buf, size_t len)
{
	char	pb[PREFIX_STRLEN], pid[16];
	size_t	i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < q->n && off < len; i++) {
		/* Path ids are rare in these tests: shown when set. */
		pid[0] = '\0';
		if (q->rt[i].path_id != 0)
			snprintf(pid, sizeof(pid), "/%u", q->rt[i].path_id);
		off += (size_t)snprintf(buf + off, len - off, "%s%s#%u%s%s",
		    i ? " " : "", prefix_fmt(&q->p[i], pb, sizeof(pb)),
		    q->rt[i].src, pid,
		    (q->rt[i].flags & ROUTE_F_BEST) ? "*" : "");
	}
	return (buf);
}

static void
qinit(struct rib_query *q, enum rib_match m, const char *pfx)
{
	memset(q, 0, sizeof(*q));
	q->match = m;
	q->src = -1;
	if (pfx != NULL)
		q->pfx = P(pfx);
}

static char qbuf[65536];

static const char *
run(struct rib *r, const struct rib_query *q)
{
	struct qres		res;
	struct rib_cursor	next;

	memset(&res, 0, sizeof(res));
	rib_query(r, q, qres_cb, &res, &next);
	assert_false(next.valid);
	qres_str(&res, qbuf, sizeof(qbuf));
	qres_free(&res);
	return (qbuf);
}

/* The routes of one prefix, exact. */
static size_t
routes_of(struct rib *r, const char *pfx, struct route *out, size_t max)
{
	struct rib_query	q;
	struct qres		res;
	struct rib_cursor	next;
	size_t			n;

	qinit(&q, RIB_MATCH_EXACT, pfx);
	memset(&res, 0, sizeof(res));
	n = rib_query(r, &q, qres_cb, &res, &next);
	assert_int_equal(n, res.n);
	if (n > max)
		n = max;
	if (n > 0)
		memcpy(out, res.rt, n * sizeof(*out));
	qres_free(&res);
	return (n);
}

/* Exactly one best route at each prefix with routes. */
static void
one_best_everywhere(struct rib *r)
{
	struct rib_query	q;
	struct qres		res;
	struct rib_cursor	next;
	size_t			i, j, nbest;

	qinit(&q, RIB_MATCH_ALL, NULL);
	memset(&res, 0, sizeof(res));
	rib_query(r, &q, qres_cb, &res, &next);
	for (i = 0; i < res.n; i = j) {
		nbest = 0;
		for (j = i; j < res.n && prefix_cmp(&res.p[i], &res.p[j]) == 0;
		    j++)
			if (res.rt[j].flags & ROUTE_F_BEST)
				nbest++;
		assert_int_equal(nbest, 1);
	}
	qres_free(&res);
}

/* History events, collected. */
struct evres {
	size_t			n;
	struct rib_event	ev[256];
};

static int
ev_cb(void *arg, const struct rib_event *e)
{
	struct evres *x = arg;

	assert_true(x->n < sizeof(x->ev) / sizeof(x->ev[0]));
	x->ev[x->n++] = *e;
	return (0);
}

static void
stats(struct rib *r, struct rib_stats *s)
{
	rib_stats(r, s);
}

/*
 * Attribute interning.
 */

static void
test_attr_equal_sets_share_id(void **state)
{
	struct rib		*r = mkrib(0, 0);
	struct rib_stats	 st;
	const char		*spec = "path=65001,65002,65003 lp=150 med=7 "
	    "comm=65001:100 comm=65001:200 large=65001:1:2 "
	    "ext=0002fde800000001 nh=192.0.2.1 atomic aggr=65003:192.0.2.3 "
	    "unknown=99:c0:0102";
	uint32_t		 a, b;

	a = mkattr(r, spec);
	b = mkattr(r, spec);		/* rebuilt from scratch */
	assert_int_equal(a, b);
	stats(r, &st);
	assert_int_equal(st.attr_sets, 1);
	assert_int_equal(st.aspaths, 1);
	/* communities, large communities, ext communities */
	assert_int_equal(st.community_lists, 3);
	rib_attr_put(r, a);
	stats(r, &st);
	assert_int_equal(st.attr_sets, 1);
	rib_attr_put(r, b);
	stats(r, &st);
	assert_int_equal(st.attr_sets, 0);
	assert_int_equal(st.aspaths, 0);
	assert_int_equal(st.community_lists, 0);
	RIB_CHECK(r);
	rib_free(r);
}

static void
test_attr_differences(void **state)
{
	struct rib		*r = mkrib(0, 0);
	struct rib_stats	 st;
	static const char	*specs[] = {
		"path=65001,65002 med=10 comm=65001:1 nh=192.0.2.1",
		"path=65001,65002 med=11 comm=65001:1 nh=192.0.2.1",
		"path=65001,65002 comm=65001:1 nh=192.0.2.1",	/* no MED */
		"path=65001,65002 med=0 comm=65001:1 nh=192.0.2.1",
		"path=65001,65002 med=10 comm=65001:2 nh=192.0.2.1",
		"path=65001,65002 med=10 nh=192.0.2.1",		/* no comms */
		"path=65001,65002 med=10 comm=65001:1 comm=65001:2 "
		    "nh=192.0.2.1",
		"path=65001,65002 med=10 comm=65001:1 nh=192.0.2.2",
		"path=65001,65002 med=10 comm=65001:1 nh=2001:db8::1",
		"path=65001,65002 med=10 comm=65001:1 nh=2001:db8::1 "
		    "nhll=fe80::1",
		"path=65001,65002 med=10 comm=65001:1 nh=192.0.2.1 lp=100",
		"path=65001,65003 med=10 comm=65001:1 nh=192.0.2.1",
		"path=65001,65002 med=10 comm=65001:1 nh=192.0.2.1 origin=2",
		"path=65001,65002 med=10 comm=65001:1 nh=192.0.2.1 atomic",
		/* the same bytes as communities and ext communities */
		"path=65001,65002 med=10 comm=65001:1 comm=0:0 nh=192.0.2.1",
		"path=65001,65002 med=10 ext=fde9000100000000 nh=192.0.2.1",
		"path=65001 set=65002 med=10 comm=65001:1 nh=192.0.2.1",
		"nopath med=10 comm=65001:1 nh=192.0.2.1",
		"path= med=10 comm=65001:1 nh=192.0.2.1",	/* empty path */
		"path=65001,65002 med=10 comm=65001:1 nh=192.0.2.1 "
		    "unknown=99:c0:01",
		"path=65001,65002 med=10 comm=65001:1 nh=192.0.2.1 "
		    "unknown=99:e0:01",		/* partial bit differs */
	};
	enum { N = sizeof(specs) / sizeof(specs[0]) };
	uint32_t		 ids[N];
	size_t			 i, j;

	for (i = 0; i < N; i++) {
		ids[i] = mkattr(r, specs[i]);
		for (j = 0; j < i; j++)
			if (ids[i] == ids[j])
				fail_msg("\"%s\" and \"%s\" share id %u",
				    specs[i], specs[j], ids[i]);
	}
	/* And each is found again. */
	for (i = 0; i < N; i++) {
		assert_int_equal(mkattr(r, specs[i]), ids[i]);
		rib_attr_put(r, ids[i]);
	}
	RIB_CHECK(r);
	for (i = 0; i < N; i++)
		rib_attr_put(r, ids[i]);
	stats(r, &st);
	assert_int_equal(st.attr_sets, 0);
	assert_int_equal(st.aspaths, 0);
	assert_int_equal(st.community_lists, 0);
	rib_free(r);
}

/* Next hop and link-local next hop are not interchangeable. */
static void
test_attr_nexthops(void **state)
{
	struct rib		*r = mkrib(0, 0);
	struct rib_attrs	 a;
	struct addr		 ll, none;
	uint32_t		 only_ll, only_nh, both, none_ll;

	tb_build(TB, "path=65001");
	addr_parse("fe80::1", &ll);
	memset(&none, 0, sizeof(none));
	only_ll = rib_attr_intern(r, &TB->a, NULL, &ll);
	only_nh = rib_attr_intern(r, &TB->a, &ll, NULL);
	both = rib_attr_intern(r, &TB->a, &ll, &ll);
	/* A next hop of no family is no next hop. */
	none_ll = rib_attr_intern(r, &TB->a, &none, &ll);
	assert_int_not_equal(only_ll, only_nh);
	assert_int_not_equal(only_ll, both);
	assert_int_not_equal(only_nh, both);
	assert_int_equal(none_ll, only_ll);
	assert_int_equal(rib_attr_get(r, only_ll, &a), 0);
	assert_int_equal(a.nexthop.afi, 0);
	assert_int_equal(addr_cmp(&a.nexthop_ll, &ll), 0);
	assert_int_equal(rib_attr_get(r, only_nh, &a), 0);
	assert_int_equal(addr_cmp(&a.nexthop, &ll), 0);
	assert_int_equal(a.nexthop_ll.afi, 0);
	rib_attr_put(r, only_ll);
	rib_attr_put(r, only_nh);
	rib_attr_put(r, both);
	rib_attr_put(r, none_ll);
	RIB_CHECK(r);
	rib_free(r);
}

/* Walk the `other' TLVs: type -> (flags, data, len). */
static bool
find_tlv(const struct rib_attrs *a, uint8_t type, uint8_t *flags,
    const uint8_t **data, size_t *len)
{
	size_t		off = 0;
	uint16_t	l;

	while (off + 4 <= a->other_len) {
		l = (uint16_t)(a->other[off + 2] << 8 | a->other[off + 3]);
		assert_true(off + 4 + l <= a->other_len);
		if (a->other[off + 1] == type) {
			*flags = a->other[off];
			*data = a->other + off + 4;
			*len = l;
			return (true);
		}
		off += 4 + (size_t)l;
	}
	assert_int_equal(off, a->other_len);
	return (false);
}

static void
test_attr_get_fields(void **state)
{
	struct rib		*r = mkrib(0, 0);
	struct rib_attrs	 a;
	struct addr		 want;
	uint32_t		 id;
	uint8_t			 flags, prev;
	const uint8_t		*d;
	size_t			 len, off;
	static const uint8_t	 path[] = {
		AS_SEQUENCE, 3, 0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea,
		0xfa, 0x56, 0xea, 0x00,
		AS_SET, 2, 0, 0, 0, 1, 0, 0, 0, 2,
	};

	/* Attributes given out of type order on purpose. */
	id = mkattr(r, "unknown=200:c0:aabb cluster=10.0.0.9 "
	    "path=65001,65002,4200000000 set=1,2 origin=1 lp=250 med=33 "
	    "comm=65001:100 comm=65535:65281 large=4200000000:1:2 "
	    "large=65001:3:4 ext=0002fde800000001 nh=2001:db8::1 "
	    "nhll=fe80::1 atomic aggr=4200000001:192.0.2.99 "
	    "originator=10.0.0.7 unknown=99:c0:0102");
	assert_int_equal(rib_attr_get(r, id, &a), 0);
	assert_int_equal(a.origin, 1);
	assert_int_equal(a.flags & (RA_F_MED | RA_F_LOCAL_PREF | RA_F_ATOMIC |
	    RA_F_AGGREGATOR | RA_F_ORIGIN | RA_F_ASPATH),
	    RA_F_MED | RA_F_LOCAL_PREF | RA_F_ATOMIC | RA_F_AGGREGATOR |
	    RA_F_ORIGIN | RA_F_ASPATH);
	assert_int_equal(a.med, 33);
	assert_int_equal(a.local_pref, 250);
	assert_int_equal(a.aspath_count, 4);	/* 3 + a set */
	assert_int_equal(a.origin_as, 0);	/* ends in a set */
	assert_int_equal(a.neighbor_as, 65001);
	assert_int_equal(a.aspath_len, sizeof(path));
	assert_memory_equal(a.aspath, path, sizeof(path));
	assert_int_equal(a.communities_len, 8);
	assert_memory_equal(a.communities,
	    "\xfd\xe9\x00\x64\xff\xff\xff\x01", 8);
	assert_int_equal(a.large_communities_len, 24);
	assert_memory_equal(a.large_communities,
	    "\xfa\x56\xea\x00\x00\x00\x00\x01\x00\x00\x00\x02"
	    "\x00\x00\xfd\xe9\x00\x00\x00\x03\x00\x00\x00\x04", 24);
	assert_int_equal(a.ext_communities_len, 8);
	assert_memory_equal(a.ext_communities,
	    "\x00\x02\xfd\xe8\x00\x00\x00\x01", 8);
	addr_parse("2001:db8::1", &want);
	assert_int_equal(addr_cmp(&a.nexthop, &want), 0);
	addr_parse("fe80::1", &want);
	assert_int_equal(addr_cmp(&a.nexthop_ll, &want), 0);

	/* The others as TLVs, in type order, AGGREGATOR 4-octet. */
	assert_true(find_tlv(&a, ATTR_AGGREGATOR, &flags, &d, &len));
	assert_int_equal(flags, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE);
	assert_int_equal(len, 8);
	assert_memory_equal(d, "\xfa\x56\xea\x01\xc0\x00\x02\x63", 8);
	assert_true(find_tlv(&a, ATTR_ATOMIC_AGGREGATE, &flags, &d, &len));
	assert_int_equal(len, 0);
	assert_true(find_tlv(&a, ATTR_ORIGINATOR_ID, &flags, &d, &len));
	assert_int_equal(len, 4);
	assert_memory_equal(d, "\x0a\x00\x00\x07", 4);
	assert_true(find_tlv(&a, ATTR_CLUSTER_LIST, &flags, &d, &len));
	assert_memory_equal(d, "\x0a\x00\x00\x09", 4);
	assert_true(find_tlv(&a, 99, &flags, &d, &len));
	assert_int_equal(flags, 0xc0);
	assert_int_equal(len, 2);
	assert_memory_equal(d, "\x01\x02", 2);
	assert_true(find_tlv(&a, 200, &flags, &d, &len));
	assert_memory_equal(d, "\xaa\xbb", 2);
	/* None of the broken-out attributes come back as TLVs. */
	assert_false(find_tlv(&a, ATTR_AS_PATH, &flags, &d, &len));
	assert_false(find_tlv(&a, ATTR_COMMUNITIES, &flags, &d, &len));
	assert_false(find_tlv(&a, ATTR_MED, &flags, &d, &len));
	for (off = 0, prev = 0; off < a.other_len;
	    off += 4 + (size_t)(a.other[off + 2] << 8 | a.other[off + 3])) {
		assert_true(a.other[off + 1] > prev);
		prev = a.other[off + 1];
	}
	rib_attr_put(r, id);

	/* A set with nothing: everything absent. */
	id = mkattr(r, "nopath noorigin");
	assert_int_equal(rib_attr_get(r, id, &a), 0);
	assert_int_equal(a.flags, 0);
	assert_null(a.aspath);
	assert_int_equal(a.aspath_len, 0);
	assert_null(a.communities);
	assert_int_equal(a.nexthop.afi, 0);
	assert_int_equal(a.other_len, 0);
	rib_attr_put(r, id);
	/* Dead and unknown ids. */
	assert_int_equal(rib_attr_get(r, id, &a), -1);
	assert_int_equal(rib_attr_get(r, 0, &a), -1);
	RIB_CHECK(r);
	rib_free(r);
}

/* An UPDATE body from its attribute TLVs and IPv4 NLRI. */
static size_t
update_body(uint8_t *out, const uint8_t *attrs, size_t alen,
    const uint8_t *nlri, size_t nlen)
{
	out[0] = 0;
	out[1] = 0;
	out[2] = (uint8_t)(alen >> 8);
	out[3] = (uint8_t)alen;
	memcpy(out + 4, attrs, alen);
	memcpy(out + 4 + alen, nlri, nlen);
	return (4 + alen + nlen);
}

static uint32_t
decode_intern(struct rib *r, struct bgp_update *u, const uint8_t *attrs,
    size_t alen, bool as4)
{
	struct bgp_neg	neg;
	uint8_t		body[1024];
	static const uint8_t nlri[] = { 24, 198, 51, 100 };
	size_t		len;
	uint32_t	id;

	memset(&neg, 0, sizeof(neg));
	neg.as4 = as4;
	len = update_body(body, attrs, alen, nlri, sizeof(nlri));
	assert_int_equal(bgp_update_decode(u, body, len, &neg, 0), BGP_OK);
	id = rib_attr_intern(r, &u->a, &u->a.nexthop, NULL);
	assert_int_not_equal(id, 0);
	return (id);
}

static void
test_attr_from_updates(void **state)
{
	struct rib		*r = mkrib(0, 0);
	struct bgp_update	*u = bgp_update_new();
	struct rib_attrs	 a;
	uint32_t		 id2, id2b, id4;
	uint8_t			 fl;
	const uint8_t		*d;
	size_t			 len;
	/* From a 2-octet speaker: AS_TRANS stands in for 4200000000. */
	static const uint8_t	 old[] = {
		0x40, 1, 1, 0,					/* ORIGIN */
		0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0,	/* AS_PATH */
		0x40, 3, 4, 192, 0, 2, 1,			/* NEXT_HOP */
		0x80, 4, 4, 0, 0, 0, 50,			/* MED */
		0xc0, 7, 6, 0x5b, 0xa0, 192, 0, 2, 9,		/* AGGREGATOR */
		0xc0, 8, 4, 0xfd, 0xe9, 0, 1,			/* COMMUNITIES */
		0xc0, 17, 10, 2, 2, 0, 0, 0xfd, 0xe9,		/* AS4_PATH */
		0xfa, 0x56, 0xea, 0x00,
		0xc0, 18, 8, 0xfa, 0x56, 0xea, 0x00, 192, 0, 2, 9,/* AS4_AGGR */
		0xc0, 99, 2, 1, 2,				/* unknown */
	};
	/* The same, other order, unknown attribute first, extended length. */
	static const uint8_t	 old2[] = {
		0xd0, 99, 0, 2, 1, 2,
		0xc0, 18, 8, 0xfa, 0x56, 0xea, 0x00, 192, 0, 2, 9,
		0xc0, 8, 4, 0xfd, 0xe9, 0, 1,
		0x80, 4, 4, 0, 0, 0, 50,
		0xc0, 17, 10, 2, 2, 0, 0, 0xfd, 0xe9,
		0xfa, 0x56, 0xea, 0x00,
		0x40, 3, 4, 192, 0, 2, 1,
		0xc0, 7, 6, 0x5b, 0xa0, 192, 0, 2, 9,
		0x50, 2, 0, 6, 2, 2, 0xfd, 0xe9, 0x5b, 0xa0,
		0x40, 1, 1, 0,
	};
	/* From a 4-octet speaker: the real numbers, 8-octet AGGREGATOR. */
	static const uint8_t	 new[] = {
		0x40, 1, 1, 0,
		0x40, 2, 10, 2, 2, 0, 0, 0xfd, 0xe9, 0xfa, 0x56, 0xea, 0x00,
		0x40, 3, 4, 192, 0, 2, 1,
		0x80, 4, 4, 0, 0, 0, 50,
		0xc0, 7, 8, 0xfa, 0x56, 0xea, 0x00, 192, 0, 2, 9,
		0xc0, 8, 4, 0xfd, 0xe9, 0, 1,
		0xc0, 99, 2, 1, 2,
	};

	assert_non_null(u);
	id2 = decode_intern(r, u, old, sizeof(old), false);
	id2b = decode_intern(r, u, old2, sizeof(old2), false);
	id4 = decode_intern(r, u, new, sizeof(new), true);
	/* One set, however it came. */
	assert_int_equal(id2b, id2);
	assert_int_equal(id4, id2);
	assert_int_equal(rib_attr_get(r, id2, &a), 0);
	assert_int_equal(a.aspath_len, 10);
	assert_memory_equal(a.aspath,
	    "\x02\x02\x00\x00\xfd\xe9\xfa\x56\xea\x00", 10);
	assert_int_equal(a.origin_as, 4200000000u);
	assert_int_equal(a.neighbor_as, 65001);
	assert_int_equal(a.med, 50);
	assert_true(find_tlv(&a, ATTR_AGGREGATOR, &fl, &d, &len));
	assert_int_equal(len, 8);
	assert_memory_equal(d, "\xfa\x56\xea\x00\xc0\x00\x02\x09", 8);
	assert_false(find_tlv(&a, ATTR_AS4_AGGREGATOR, &fl, &d, &len));
	assert_false(find_tlv(&a, ATTR_AS4_PATH, &fl, &d, &len));
	assert_false(find_tlv(&a, ATTR_NEXT_HOP, &fl, &d, &len));
	assert_true(find_tlv(&a, 99, &fl, &d, &len));
	assert_int_equal(fl, 0xc0);	/* extended-length bit dropped */
	assert_int_equal(a.nexthop.afi, AFI_IPV4);
	assert_memory_equal(a.nexthop.b, "\xc0\x00\x02\x01", 4);
	rib_attr_put(r, id2);
	rib_attr_put(r, id2b);
	rib_attr_put(r, id4);
	RIB_CHECK(r);
	bgp_update_free(u);
	rib_free(r);
}

/* Every reference goes when routes and history go. */
static void
test_attr_refcounts_drain(void **state)
{
	struct rib		*r = mkrib(1000, 60);
	struct rib_stats	 st;
	uint16_t		 s0, s1;
	char			 pfx[32], spec[128];
	int			 i;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
	for (i = 0; i < 50; i++) {
		snprintf(pfx, sizeof(pfx), "10.%d.0.0/16", i);
		snprintf(spec, sizeof(spec), "path=65001,%d comm=1:%d "
		    "large=1:2:%d ext=0002fde8000000%02x nh=10.0.0.1",
		    64512 + i % 7, i % 5, i % 3, i % 4);
		assert_int_equal(ann(r, pfx, s0, 0, spec, 1 * SEC), 1);
		snprintf(spec, sizeof(spec), "path=65002,%d med=%d "
		    "nh=10.0.0.2", 64512 + i % 7, i);
		assert_int_equal(ann(r, pfx, s1, 0, spec, 2 * SEC), 1);
		/* and replace it */
		snprintf(spec, sizeof(spec), "path=65002,%d med=%d "
		    "nh=10.0.0.2", 64512 + i % 9, i + 1);
		assert_int_equal(ann(r, pfx, s1, 0, spec, 3 * SEC), 1);
	}
	stats(r, &st);
	assert_true(st.attr_sets > 0);
	RIB_CHECK(r);
	assert_int_equal(rib_source_flush(r, s0, 4 * SEC), 50);
	for (i = 0; i < 50; i++) {
		snprintf(pfx, sizeof(pfx), "10.%d.0.0/16", i);
		assert_int_equal(wd(r, pfx, s1, 0, 5 * SEC), 1);
	}
	stats(r, &st);
	assert_int_equal(st.routes, 0);
	/* The history still holds the sets, and the prefixes. */
	assert_true(st.attr_sets > 0);
	assert_int_equal(st.prefixes[0], 50);
	RIB_CHECK(r);
	rib_history_expire(r, 5 * SEC + 61 * SEC);
	stats(r, &st);
	assert_int_equal(st.events, 0);
	assert_int_equal(st.events_dropped_age, 250);
	assert_int_equal(st.attr_sets, 0);
	assert_int_equal(st.aspaths, 0);
	assert_int_equal(st.community_lists, 0);
	assert_int_equal(st.prefixes[0], 0);
	assert_int_equal(st.prefixes[1], 0);
	RIB_CHECK(r);
	rib_free(r);

	/* Without history, the last withdrawal frees everything at once. */
	r = mkrib(0, 0);
	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65001 comm=1:1 "
	    "nh=10.0.0.1", SEC), 1);
	assert_int_equal(ann(r, "2001:db8::/32", s0, 7, "path=65001,65002 "
	    "large=1:1:1 nh=2001:db8::1", SEC), 1);
	stats(r, &st);
	assert_int_equal(st.attr_sets, 2);
	assert_int_equal(st.aspaths, 2);
	assert_int_equal(st.community_lists, 2);
	assert_int_equal(wd(r, "10.0.0.0/8", s0, 0, SEC), 1);
	assert_int_equal(wd(r, "2001:db8::/32", s0, 7, SEC), 1);
	stats(r, &st);
	assert_int_equal(st.attr_sets, 0);
	assert_int_equal(st.aspaths, 0);
	assert_int_equal(st.community_lists, 0);
	assert_int_equal(st.prefixes[0] + st.prefixes[1], 0);
	RIB_CHECK(r);
	rib_free(r);
}

/*
 * Best path.
 */

struct bsrc {
	const char	*peer;
	const char	*id;
	bool		 ibgp;
};

static int
best_of(const struct route *v, size_t n)
{
	size_t	i;
	int	b = -1;

	for (i = 0; i < n; i++)
		if (v[i].flags & ROUTE_F_BEST) {
			assert_int_equal(b, -1);
			b = (int)i;
		}
	assert_int_not_equal(b, -1);
	return (b);
}

/*
 * Routes A and B of one prefix from sources sa and sb, announced at ta
 * and tb: A must win.  B's source is added first, so the last tie-break
 * (lower source index) favours B: only the step under test can make A
 * win.  Both announcement orders when the times allow; then A leaves
 * (B is best) and comes back (A is best again, unless the step is age).
 */
static void
best_case(const char *what, const struct bsrc *sa, const char *spa,
    uint64_t ta, const struct bsrc *sb, const char *spb, uint64_t tb)
{
	static const char	*pfx = "203.0.113.0/24";
	struct route		 v[4];
	struct rib		*r;
	uint16_t		 a, b;
	uint64_t		 t;
	size_t			 n;
	int			 order, w;

	for (order = 0; order < 2; order++) {
		if (order == 1 && ta != tb)
			break;
		r = mkrib(100, 0);
		b = add_src(r, sb->peer, 65000, sb->id, sb->ibgp);
		a = add_src(r, sa->peer, 65000, sa->id, sa->ibgp);
		if ((order == 0 && ta <= tb) || (order == 1)) {
			assert_int_equal(ann(r, pfx, a, 0, spa, ta), 1);
			assert_int_equal(ann(r, pfx, b, 0, spb, tb), 1);
		} else {
			assert_int_equal(ann(r, pfx, b, 0, spb, tb), 1);
			assert_int_equal(ann(r, pfx, a, 0, spa, ta), 1);
		}
		n = routes_of(r, pfx, v, 4);
		assert_int_equal(n, 2);
		w = best_of(v, n);
		if (v[w].src != a)
			fail_msg("%s (order %d): source %u won, not %u", what,
			    order, v[w].src, a);
		/* The comparator agrees, both ways. */
		assert_true(rib_best_cmp(r, &v[w], &v[1 - w]) < 0);
		assert_true(rib_best_cmp(r, &v[1 - w], &v[w]) > 0);
		assert_int_equal(rib_best_cmp(r, &v[w], &v[w]), 0);
		RIB_CHECK(r);
		t = (ta > tb ? ta : tb) + SEC;
		assert_int_equal(wd(r, pfx, a, 0, t), 1);
		n = routes_of(r, pfx, v, 4);
		assert_int_equal(n, 1);
		assert_int_equal(v[best_of(v, n)].src, b);
		if (ta == tb) {
			/* Both again, of an age, B first: A takes over. */
			assert_int_equal(wd(r, pfx, b, 0, t), 1);
			assert_int_equal(ann(r, pfx, b, 0, spb, t), 1);
			assert_int_equal(ann(r, pfx, a, 0, spa, t), 1);
			n = routes_of(r, pfx, v, 4);
			assert_int_equal(v[best_of(v, n)].src, a);
		}
		RIB_CHECK(r);
		rib_free(r);
	}
}

static void
test_best_steps(void **state)
{
	/* B's source would win every tie-break after the step tested. */
	static const struct bsrc hi = { "10.0.0.9", "9.9.9.9", false };
	static const struct bsrc lo = { "10.0.0.1", "1.1.1.1", false };
	static const struct bsrc lo_ibgp = { "10.0.0.1", "1.1.1.1", true };
	static const struct bsrc id1 = { "10.0.0.9", "1.1.1.1", false };
	static const struct bsrc id2 = { "10.0.0.1", "2.2.2.2", false };
	static const struct bsrc ad1 = { "10.0.0.1", "5.5.5.5", false };
	static const struct bsrc ad2 = { "10.0.0.2", "5.5.5.5", false };
	static const struct bsrc ad6 = { "2001:db8::1", "5.5.5.5", false };

	/* 1. LOCAL_PREF, absent = 100. */
	best_case("local-pref", &hi, "path=65001 lp=200", SEC,
	    &lo, "path=65001 lp=100", SEC);
	best_case("local-pref absent vs 99", &hi, "path=65001", SEC,
	    &lo, "path=65001 lp=99", SEC);
	best_case("local-pref 101 vs absent", &hi, "path=65001 lp=101", SEC,
	    &lo, "path=65001", SEC);
	/* LOCAL_PREF before AS path length. */
	best_case("local-pref over path", &hi, "path=65001,2,3 lp=101", SEC,
	    &lo, "path=65001", SEC);
	/* 2. AS path length; a set counts one. */
	best_case("path length", &hi, "path=65001", SEC,
	    &lo, "path=65001,65002", SEC);
	best_case("path length with set", &hi, "path=65001 set=1,2,3", SEC,
	    &lo, "path=65001,65002,65003", SEC);
	best_case("path length over origin", &hi, "path=65001 origin=2", SEC,
	    &lo, "path=65001,65002 origin=0", SEC);
	/* 3. ORIGIN. */
	best_case("origin igp/egp", &hi, "path=65001 origin=0", SEC,
	    &lo, "path=65001 origin=1", SEC);
	best_case("origin egp/incomplete", &hi, "path=65001 origin=1", SEC,
	    &lo, "path=65001 origin=2", SEC);
	best_case("origin over med", &hi, "path=65001,1 origin=0 med=99", SEC,
	    &lo, "path=65001,2 origin=1 med=1", SEC);
	/* 4. MED, same neighbour AS only; absent = 0. */
	best_case("med", &hi, "path=65001,1 med=5", SEC,
	    &lo, "path=65001,2 med=10", SEC);
	best_case("med absent vs 1", &hi, "path=65001,1", SEC,
	    &lo, "path=65001,2 med=1", SEC);
	best_case("med over ebgp", &lo_ibgp, "path=65001,1 med=5", SEC,
	    &hi, "path=65001,2 med=6", SEC);
	/* Different neighbour AS: MED ignored, the router id decides. */
	best_case("med other AS", &id1, "path=65001 med=100", SEC,
	    &id2, "path=65002 med=1", SEC);
	/* 5. eBGP over iBGP. */
	best_case("ebgp", &hi, "path=65001", SEC, &lo_ibgp, "path=65001", SEC);
	best_case("ebgp over age", &hi, "path=65001", 5 * SEC,
	    &lo_ibgp, "path=65001", SEC);
	/* 6. Oldest. */
	best_case("oldest", &hi, "path=65001", SEC, &lo, "path=65001",
	    2 * SEC);
	best_case("oldest over router id", &hi, "path=65001", SEC,
	    &lo, "path=65001", 3 * SEC);
	/* 7. Lowest router id. */
	best_case("router id", &id1, "path=65001", SEC, &id2, "path=65001",
	    SEC);
	/* 8. Lowest peer address (IPv4 sorts before IPv6). */
	best_case("peer address", &ad1, "path=65001", SEC, &ad2, "path=65001",
	    SEC);
	best_case("peer address family", &ad1, "path=65001", SEC,
	    &ad6, "path=65001", SEC);
}

/* Identical sources: the lower index; one source: the lower path id. */
static void
test_best_last_resort(void **state)
{
	struct rib	*r = mkrib(0, 0);
	struct route	 v[4];
	uint16_t	 s0, s1;
	size_t		 n;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	assert_int_equal(ann(r, "10.0.0.0/8", s1, 0, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65001", SEC), 1);
	n = routes_of(r, "10.0.0.0/8", v, 4);
	assert_int_equal(v[best_of(v, n)].src, s0);
	assert_int_equal(ann(r, "11.0.0.0/8", s1, 9, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "11.0.0.0/8", s1, 3, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "11.0.0.0/8", s1, 5, "path=65001", SEC), 1);
	n = routes_of(r, "11.0.0.0/8", v, 4);
	assert_int_equal(n, 3);
	assert_int_equal(v[best_of(v, n)].path_id, 3);
	RIB_CHECK(r);
	rib_free(r);
}

/*
 * MED compares only within a neighbour AS, so it is not a total order:
 * A beats B on router id, B beats C on router id, C beats A on MED.  RFC
 * 4271 9.1.2.2 removes A (C has a lower MED from the same AS), then B
 * beats C.  Whatever the order of arrival; and removing C, which is not
 * the best, makes A the best.
 */
static void
test_best_med_elimination(void **state)
{
	static const int	 perm[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
	};
	static const char	*spec[3] = {
		"path=65001,10 med=20",		/* A */
		"path=65002,10",		/* B */
		"path=65001,11 med=10",		/* C */
	};
	static const char	*pfx = "198.51.100.0/24";
	struct route		 v[4];
	struct rib		*r;
	uint16_t		 s[3];
	size_t			 n;
	int			 p, k;

	for (p = 0; p < 6; p++) {
		r = mkrib(0, 0);
		s[0] = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
		s[1] = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
		s[2] = add_src(r, "10.0.0.3", 65001, "3.3.3.3", false);
		for (k = 0; k < 3; k++)
			assert_int_equal(ann(r, pfx, s[perm[p][k]], 0,
			    spec[perm[p][k]], SEC), 1);
		n = routes_of(r, pfx, v, 4);
		assert_int_equal(n, 3);
		if (v[best_of(v, n)].src != s[1])
			fail_msg("order %d%d%d: best is %u, not B",
			    perm[p][0], perm[p][1], perm[p][2],
			    v[best_of(v, n)].src);
		RIB_CHECK(r);
		/* C leaves: A is back in the running and wins on id. */
		assert_int_equal(wd(r, pfx, s[2], 0, SEC), 1);
		n = routes_of(r, pfx, v, 4);
		assert_int_equal(v[best_of(v, n)].src, s[0]);
		/* C returns (not winning itself): B again. */
		assert_int_equal(ann(r, pfx, s[2], 0, spec[2], SEC), 1);
		n = routes_of(r, pfx, v, 4);
		assert_int_equal(v[best_of(v, n)].src, s[1]);
		/* C's MED gets worse than A's: A wins on id. */
		assert_int_equal(ann(r, pfx, s[2], 0, "path=65001,11 med=30",
		    SEC), 1);
		n = routes_of(r, pfx, v, 4);
		assert_int_equal(v[best_of(v, n)].src, s[0]);
		/* ... and better again: B. */
		assert_int_equal(ann(r, pfx, s[2], 0, spec[2], SEC), 1);
		n = routes_of(r, pfx, v, 4);
		assert_int_equal(v[best_of(v, n)].src, s[1]);
		/* B leaves: C beats A on MED. */
		assert_int_equal(wd(r, pfx, s[1], 0, SEC), 1);
		n = routes_of(r, pfx, v, 4);
		assert_int_equal(v[best_of(v, n)].src, s[2]);
		RIB_CHECK(r);
		rib_free(r);
	}
}

/*
 * Changes.
 */

static void
test_update_basics(void **state)
{
	struct rib		*r = mkrib(1000, 0);
	struct rib_stats	 st;
	struct evres		 ev;
	struct route		 v[8];
	struct prefix		 p = P("192.0.2.0/24");
	struct rib_attrs	 a;
	uint16_t		 s0, s1;
	uint32_t		 id1, id2;
	bool			 tr;
	size_t			 n;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
	id1 = mkattr(r, "path=65001 med=1 nh=10.0.0.1");
	id2 = mkattr(r, "path=65001 med=2 nh=10.0.0.1");

	/* Announce. */
	assert_int_equal(rib_update(r, &p, s0, 0, id1, 10 * SEC), 1);
	/* The RIB took its own reference. */
	assert_int_equal(rib_attr_get(r, id1, &a), 0);
	stats(r, &st);
	assert_int_equal(st.routes, 1);
	assert_int_equal(st.announces, 1);
	assert_int_equal(st.events, 1);
	/* The same again: nothing happens, no event. */
	assert_int_equal(rib_update(r, &p, s0, 0, id1, 11 * SEC), 0);
	stats(r, &st);
	assert_int_equal(st.events, 1);
	n = routes_of(r, "192.0.2.0/24", v, 8);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].since, 10);	/* not refreshed */
	assert_int_equal(v[0].attr, id1);
	/* Replace. */
	assert_int_equal(rib_update(r, &p, s0, 0, id2, 12 * SEC), 1);
	stats(r, &st);
	assert_int_equal(st.routes, 1);
	assert_int_equal(st.replaces, 1);
	assert_int_equal(st.events, 2);
	n = routes_of(r, "192.0.2.0/24", v, 8);
	assert_int_equal(v[0].attr, id2);
	assert_int_equal(v[0].since, 12);
	/* Withdraw; then again, and of routes never there. */
	assert_int_equal(rib_update(r, &p, s0, 0, 0, 13 * SEC), 1);
	assert_int_equal(rib_update(r, &p, s0, 0, 0, 14 * SEC), 0);
	assert_int_equal(rib_update(r, &p, s1, 0, 0, 14 * SEC), 0);
	assert_int_equal(rib_update(r, &p, s0, 5, 0, 14 * SEC), 0);
	assert_int_equal(wd(r, "192.0.3.0/24", s0, 0, 14 * SEC), 0);
	assert_int_equal(wd(r, "2001:db8::/32", s0, 0, 14 * SEC), 0);
	stats(r, &st);
	assert_int_equal(st.routes, 0);
	assert_int_equal(st.withdraws, 1);
	assert_int_equal(st.events, 3);
	assert_int_equal(st.events_total, 3);
	/* The events, newest first, with the sets before and after. */
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &p, false, 0, UINT64_MAX, ev_cb, &ev,
	    &tr), 3);
	assert_false(tr);
	assert_int_equal(ev.ev[0].type, RIB_EV_WITHDRAW);
	assert_int_equal(ev.ev[0].attr_old, id2);
	assert_int_equal(ev.ev[0].attr_new, 0);
	assert_int_equal(ev.ev[0].time_us, 13 * SEC);
	assert_int_equal(ev.ev[1].type, RIB_EV_REPLACE);
	assert_int_equal(ev.ev[1].attr_old, id1);
	assert_int_equal(ev.ev[1].attr_new, id2);
	assert_int_equal(ev.ev[2].type, RIB_EV_ANNOUNCE);
	assert_int_equal(ev.ev[2].attr_old, 0);
	assert_int_equal(ev.ev[2].attr_new, id1);
	assert_int_equal(ev.ev[2].src, s0);
	assert_int_equal(prefix_cmp(&ev.ev[2].pfx, &p), 0);

	/* Bad arguments. */
	assert_int_equal(rib_update(r, &p, 7, 0, id1, 15 * SEC), -1);
	assert_int_equal(rib_update(r, &p, RIB_NO_SOURCE, 0, id1, 15 * SEC),
	    -1);
	p.afi = 0;
	assert_int_equal(rib_update(r, &p, s0, 0, id1, 15 * SEC), -1);
	p = P("192.0.2.0/24");
	p.len = 33;
	assert_int_equal(rib_update(r, &p, s0, 0, id1, 15 * SEC), -1);
	stats(r, &st);
	assert_int_equal(st.events, 3);
	RIB_CHECK(r);
	rib_attr_put(r, id1);
	rib_attr_put(r, id2);
	rib_free(r);
}

static void
test_update_addpath_and_counts(void **state)
{
	struct rib		*r = mkrib(0, 0);
	struct rib_stats	 st;
	struct route		 v[8];
	uint16_t		 s0, s1;
	size_t			 n;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "2001:db8::2", 65002, "2.2.2.2", false);
	/* Several paths of one source at one prefix, kept apart. */
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 1, "path=65001,1", SEC), 1);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 2, "path=65001,2", SEC), 1);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 3, "path=65001,3", SEC), 1);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 2, "path=65001,2", SEC), 0);
	assert_int_equal(ann(r, "10.0.0.0/8", s1, 2, "path=65002", SEC), 1);
	assert_int_equal(ann(r, "10.0.0.0/8", s1, 0, "path=65002", SEC), 1);
	assert_int_equal(ann(r, "2001:db8::/32", s0, 1, "path=65001", SEC),
	    1);
	assert_int_equal(ann(r, "2001:db8::/32", s1, 1, "path=65002", SEC),
	    1);
	n = routes_of(r, "10.0.0.0/8", v, 8);
	assert_int_equal(n, 5);
	/* Sorted by source, then path id. */
	assert_true(v[0].src == s0 && v[0].path_id == 1);
	assert_true(v[1].src == s0 && v[1].path_id == 2);
	assert_true(v[2].src == s0 && v[2].path_id == 3);
	assert_true(v[3].src == s1 && v[3].path_id == 0);
	assert_true(v[4].src == s1 && v[4].path_id == 2);
	assert_int_equal(rib_source_routes(r, s0, AFI_IPV4), 3);
	assert_int_equal(rib_source_routes(r, s0, AFI_IPV6), 1);
	assert_int_equal(rib_source_routes(r, s1, AFI_IPV4), 2);
	assert_int_equal(rib_source_routes(r, s1, AFI_IPV6), 1);
	assert_int_equal(rib_source_routes(r, 99, AFI_IPV4), 0);
	/* One path goes, the others stay. */
	assert_int_equal(wd(r, "10.0.0.0/8", s0, 2, SEC), 1);
	n = routes_of(r, "10.0.0.0/8", v, 8);
	assert_int_equal(n, 4);
	assert_true(v[0].src == s0 && v[0].path_id == 1);
	assert_true(v[1].src == s0 && v[1].path_id == 3);
	assert_int_equal(rib_source_routes(r, s0, AFI_IPV4), 2);
	stats(r, &st);
	assert_int_equal(st.routes, 6);
	assert_int_equal(st.prefixes[0], 1);
	assert_int_equal(st.prefixes[1], 1);
	assert_int_equal(st.sources, 2);
	assert_int_equal(rib_source_count(r), 2);
	one_best_everywhere(r);
	RIB_CHECK(r);
	rib_free(r);
}

/*
 * Many routes at one prefix: the array grows past every size step up to
 * the 16-bit limit.  Path 0 is preferred, so the others arrive and leave
 * without a full selection each (which would make this quadratic).
 */
static void
test_update_many_paths(void **state)
{
	struct rib		*r = mkrib(0, 0);
	struct rib_stats	 st;
	struct route		 v[2];
	struct prefix		 p = P("10.0.0.0/8");
	uint16_t		 s0;
	uint32_t		 id, top, i;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	top = mkattr(r, "path=65001 lp=200");
	id = mkattr(r, "path=65001");
	assert_int_equal(rib_update(r, &p, s0, 0, top, SEC), 1);
	for (i = 1; i < 65535; i++)
		assert_int_equal(rib_update(r, &p, s0, i, id, SEC), 1);
	stats(r, &st);
	assert_int_equal(st.routes, 65535);
	assert_true(st.bytes_routes >= 65535 * sizeof(struct route));
	RIB_CHECK(r);
	/* The entry is full: one more cannot fit; the others still can. */
	assert_int_equal(rib_update(r, &p, s0, 1u << 20, id, SEC), -1);
	assert_int_equal(ann(r, "11.0.0.0/8", s0, 0, "path=65001", SEC), 1);
	assert_int_equal(wd(r, "11.0.0.0/8", s0, 0, SEC), 1);
	for (i = 65534; i > 0; i--)
		if (i % 3 == 0)
			assert_int_equal(rib_update(r, &p, s0, i, 0, SEC), 1);
	RIB_CHECK(r);
	assert_int_equal(routes_of(r, "10.0.0.0/8", v, 1), 1);
	assert_true(v[0].path_id == 0 && (v[0].flags & ROUTE_F_BEST));
	assert_int_equal(rib_source_flush(r, s0, SEC), 65535 - 21844);
	stats(r, &st);
	assert_int_equal(st.routes, 0);
	assert_int_equal(st.prefixes[0], 0);
	assert_int_equal(st.bytes_routes, 0);
	rib_attr_put(r, id);
	rib_attr_put(r, top);
	stats(r, &st);
	assert_int_equal(st.attr_sets, 0);
	RIB_CHECK(r);
	rib_free(r);
}

static void
test_source_flush(void **state)
{
	struct rib		*r = mkrib(1000, 0);
	struct rib_stats	 st;
	struct evres		 ev;
	struct prefix		 all4 = P("0.0.0.0/0"), all6 = P("::/0");
	uint16_t		 s0, s1;
	bool			 tr;
	size_t			 i;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "10.1.0.0/16", s0, 1, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "10.1.0.0/16", s0, 2, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "10.1.0.0/16", s1, 0, "path=65002", SEC), 1);
	assert_int_equal(ann(r, "2001:db8::/32", s0, 0, "path=65001", SEC),
	    1);
	assert_int_equal(rib_source_flush(r, s0, 5 * SEC), 4);
	assert_int_equal(rib_source_routes(r, s0, AFI_IPV4), 0);
	assert_int_equal(rib_source_routes(r, s0, AFI_IPV6), 0);
	assert_int_equal(rib_source_routes(r, s1, AFI_IPV4), 1);
	assert_int_equal(rib_source_flush(r, s0, 5 * SEC), 0);
	assert_int_equal(rib_source_flush(r, 42, 5 * SEC), 0);
	one_best_everywhere(r);
	/* Every route of it went as SOURCE_DOWN. */
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &all4, true, 5 * SEC, 5 * SEC, ev_cb,
	    &ev, &tr), 3);
	assert_int_equal(rib_history(r, &all6, true, 5 * SEC, 5 * SEC, ev_cb,
	    &ev, &tr), 1);
	for (i = 0; i < ev.n; i++) {
		assert_int_equal(ev.ev[i].type, RIB_EV_SOURCE_DOWN);
		assert_int_equal(ev.ev[i].src, s0);
		assert_int_not_equal(ev.ev[i].attr_old, 0);
		assert_int_equal(ev.ev[i].attr_new, 0);
	}
	stats(r, &st);
	assert_int_equal(st.routes, 1);
	/* Emptied prefixes stay for their history. */
	assert_int_equal(st.prefixes[0], 2);
	assert_int_equal(st.prefixes[1], 1);
	RIB_CHECK(r);
	rib_free(r);

	/* Without history, emptied prefixes go at once. */
	r = mkrib(0, 0);
	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
	for (i = 0; i < 300; i++) {
		char pfx[32];

		snprintf(pfx, sizeof(pfx), "10.%zu.%zu.0/24", i / 7, i % 7);
		assert_int_equal(ann(r, pfx, s0, 0, "path=65001", SEC), 1);
		if (i % 3 == 0)
			assert_int_equal(ann(r, pfx, s1, 0, "path=65002",
			    SEC), 1);
	}
	assert_int_equal(rib_source_flush(r, s0, 2 * SEC), 300);
	stats(r, &st);
	assert_int_equal(st.prefixes[0], 100);
	assert_int_equal(st.routes, 100);
	assert_int_equal(rib_source_flush(r, s1, 2 * SEC), 100);
	stats(r, &st);
	assert_int_equal(st.prefixes[0], 0);
	assert_int_equal(st.attr_sets, 0);
	RIB_CHECK(r);
	rib_free(r);
}

static void
test_graceful_restart(void **state)
{
	struct rib		*r = mkrib(1000, 0);
	struct evres		 ev;
	struct route		 v[8];
	struct prefix		 all4 = P("0.0.0.0/0"), all6 = P("::/0");
	uint16_t		 s0, s1;
	bool			 tr;
	size_t			 n, i;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "11.0.0.0/8", s0, 0, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "12.0.0.0/8", s0, 0, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "13.0.0.0/8", s0, 4, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "13.0.0.0/8", s0, 5, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "10.0.0.0/8", s1, 0, "path=65002", SEC), 1);
	assert_int_equal(ann(r, "2001:db8::/32", s0, 0, "path=65001", SEC),
	    1);

	/* The session restarts: IPv4 routes of s0 go stale. */
	assert_int_equal(rib_source_mark_stale(r, s0, AFI_IPV4), 5);
	n = routes_of(r, "10.0.0.0/8", v, 8);
	assert_int_equal(n, 2);
	assert_true(v[0].src == s0 && (v[0].flags & ROUTE_F_STALE));
	assert_true(v[1].src == s1 && !(v[1].flags & ROUTE_F_STALE));
	n = routes_of(r, "2001:db8::/32", v, 8);
	assert_false(v[0].flags & ROUTE_F_STALE);
	/* Refreshed: unchanged (no event) and changed. */
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65001", 2 * SEC),
	    0);
	assert_int_equal(ann(r, "13.0.0.0/8", s0, 5, "path=65001,7",
	    2 * SEC), 1);
	n = routes_of(r, "10.0.0.0/8", v, 8);
	assert_false(v[0].flags & ROUTE_F_STALE);
	/* End-of-RIB: the rest are withdrawn, and only they. */
	assert_int_equal(rib_source_sweep_stale(r, s0, AFI_IPV4, 3 * SEC), 3);
	assert_int_equal(routes_of(r, "10.0.0.0/8", v, 8), 2);
	assert_int_equal(routes_of(r, "11.0.0.0/8", v, 8), 0);
	assert_int_equal(routes_of(r, "12.0.0.0/8", v, 8), 0);
	n = routes_of(r, "13.0.0.0/8", v, 8);
	assert_int_equal(n, 1);
	assert_int_equal(v[0].path_id, 5);
	assert_int_equal(routes_of(r, "2001:db8::/32", v, 8), 1);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &all4, true, 3 * SEC, 3 * SEC, ev_cb,
	    &ev, &tr), 3);
	for (i = 0; i < ev.n; i++)
		assert_int_equal(ev.ev[i].type, RIB_EV_WITHDRAW);
	/* A second sweep finds nothing. */
	assert_int_equal(rib_source_sweep_stale(r, s0, AFI_IPV4, 3 * SEC), 0);
	/* Both families at once. */
	assert_int_equal(rib_source_mark_stale(r, s0, 0), 3);
	assert_int_equal(rib_source_sweep_stale(r, s0, 0, 4 * SEC), 3);
	assert_int_equal(rib_source_routes(r, s0, AFI_IPV4), 0);
	assert_int_equal(rib_source_routes(r, s0, AFI_IPV6), 0);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &all6, true, 4 * SEC, 4 * SEC, ev_cb,
	    &ev, &tr), 1);
	assert_int_equal(rib_source_mark_stale(r, 77, 0), 0);
	one_best_everywhere(r);
	RIB_CHECK(r);
	rib_free(r);
}

/*
 * History.
 */

static int
ev_stop_cb(void *arg, const struct rib_event *e)
{
	(*(int *)arg)++;
	return (1);
}

static void
test_history_window(void **state)
{
	struct rib	*r = mkrib(1000, 0);
	struct evres	 ev;
	struct prefix	 p8 = P("10.0.0.0/8"), p24 = P("10.1.1.0/24");
	uint16_t	 s0, s1;
	bool		 tr;
	int		 calls = 0;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65001", 10 * SEC),
	    1);
	assert_int_equal(ann(r, "10.1.0.0/16", s0, 0, "path=65001",
	    20 * SEC), 1);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65001,1",
	    30 * SEC), 1);
	assert_int_equal(ann(r, "10.1.1.0/24", s1, 0, "path=65002", 40 * SEC),
	    1);
	assert_int_equal(wd(r, "10.1.0.0/16", s0, 0, 50 * SEC), 1);
	assert_int_equal(ann(r, "10.0.0.0/8", s1, 0, "path=65002", 60 * SEC),
	    1);
	assert_int_equal(ann(r, "11.0.0.0/8", s0, 0, "path=65001", 70 * SEC),
	    1);
	assert_int_equal(ann(r, "2001:db8::/32", s0, 0, "path=65001",
	    70 * SEC), 1);

	/* One prefix, everything, newest first. */
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &p8, false, 0, UINT64_MAX, ev_cb, &ev,
	    &tr), 3);
	assert_false(tr);
	assert_int_equal(ev.ev[0].time_us, 60 * SEC);
	assert_int_equal(ev.ev[0].src, s1);
	assert_int_equal(ev.ev[1].time_us, 30 * SEC);
	assert_int_equal(ev.ev[1].type, RIB_EV_REPLACE);
	assert_int_equal(ev.ev[2].time_us, 10 * SEC);
	/* With more-specifics, in a window (bounds included). */
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &p8, true, 20 * SEC, 50 * SEC, ev_cb,
	    &ev, &tr), 4);
	assert_int_equal(ev.ev[0].time_us, 30 * SEC);	/* 10/8 */
	assert_int_equal(prefix_cmp(&ev.ev[0].pfx, &p8), 0);
	assert_int_equal(ev.ev[1].time_us, 50 * SEC);	/* 10.1/16 */
	assert_int_equal(ev.ev[1].type, RIB_EV_WITHDRAW);
	assert_int_equal(ev.ev[2].time_us, 20 * SEC);
	assert_int_equal(ev.ev[3].time_us, 40 * SEC);	/* 10.1.1/24 */
	assert_int_equal(prefix_cmp(&ev.ev[3].pfx, &p24), 0);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &p8, true, 30 * SEC, 30 * SEC, ev_cb,
	    &ev, &tr), 1);
	/* Without more-specifics, a more-specific's window is empty. */
	assert_int_equal(rib_history(r, &p24, false, 0, 39 * SEC, ev_cb, &ev,
	    &tr), 0);
	/* A covering prefix that is not in the table still finds them. */
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &(struct prefix){ AFI_IPV4, 7,
	    { 10 } }, true, 0, UINT64_MAX, ev_cb, &ev, &tr), 7);
	/* The callback stops the walk. */
	assert_int_equal(rib_history(r, &p8, true, 0, UINT64_MAX, ev_stop_cb,
	    &calls, &tr), 1);
	assert_int_equal(calls, 1);
	RIB_CHECK(r);
	rib_free(r);
}

/* A snapshot of one prefix's routes, as rib_routes_at gives them. */
struct snap {
	uint64_t	t;
	size_t		n;
	struct route	v[8];
};

static void
take(struct rib *r, const char *pfx, uint64_t t, struct snap *s)
{
	size_t i;

	s->t = t;
	s->n = routes_of(r, pfx, s->v, 8);
	for (i = 0; i < s->n; i++)
		s->v[i].flags &= ROUTE_F_BEST;
}

static void
same_routes(const struct route *a, size_t na, const struct route *b,
    size_t nb, uint64_t t)
{
	size_t i;

	if (na != nb)
		fail_msg("at %llu us: %zu routes, want %zu",
		    (unsigned long long)t, na, nb);
	for (i = 0; i < na; i++)
		if (a[i].src != b[i].src || a[i].path_id != b[i].path_id ||
		    a[i].attr != b[i].attr || a[i].since != b[i].since ||
		    a[i].flags != b[i].flags)
			fail_msg("at %llu us, route %zu: src %u/%u path %u/%u "
			    "attr %u/%u since %u/%u flags %x/%x",
			    (unsigned long long)t, i, a[i].src, b[i].src,
			    a[i].path_id, b[i].path_id, a[i].attr, b[i].attr,
			    a[i].since, b[i].since, a[i].flags, b[i].flags);
}

static void
test_routes_at(void **state)
{
	static const char	*pfx = "192.0.2.0/24";
	struct rib		*r = mkrib(1000, 0);
	struct prefix		 p = P(pfx);
	struct snap		 s[16];
	struct route		 v[8];
	uint16_t		 s0, s1, s2;
	uint64_t		 t = 100 * SEC;
	size_t			 k = 0, i, n;
	bool			 tr;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
	s2 = add_src(r, "10.0.0.3", 65003, "3.3.3.3", true);
#define STEP(expr) do {							\
	t += 7 * SEC + 123;						\
	assert_int_equal((expr), 1);					\
	take(r, pfx, t, &s[k++]);					\
} while (0)
	STEP(ann(r, pfx, s1, 0, "path=65002", t));
	STEP(ann(r, pfx, s0, 0, "path=65002", t));	/* s1 older: best */
	STEP(ann(r, pfx, s2, 4, "path=65003 lp=50", t));
	STEP(ann(r, pfx, s2, 5, "path=65003 lp=500", t));
	STEP(ann(r, pfx, s1, 0, "path=65002 med=4", t)); /* s0 now oldest */
	STEP(wd(r, pfx, s2, 5, t));
	STEP(ann(r, "192.0.2.0/25", s0, 0, "path=65001", t));	/* other */
	STEP(ann(r, pfx, s0, 0, "path=65002 comm=1:1", t));
	assert_int_equal(rib_source_mark_stale(r, s1, AFI_IPV4), 1);
	STEP(rib_source_flush(r, s2, t) == 1);
	STEP(ann(r, pfx, s2, 5, "path=65003 lp=500", t));
	STEP(wd(r, pfx, s0, 0, t));
	STEP(rib_source_sweep_stale(r, s1, AFI_IPV4, t) == 1);
	STEP(wd(r, pfx, s2, 5, t));
#undef STEP
	RIB_CHECK(r);
	/* Before anything: nothing. */
	assert_int_equal(rib_routes_at(r, &p, 100 * SEC, v, 8, &tr), 0);
	assert_false(tr);
	for (i = 0; i < k; i++) {
		/* At the instant of the change, and between changes. */
		n = rib_routes_at(r, &p, s[i].t, v, 8, &tr);
		assert_false(tr);
		same_routes(v, n, s[i].v, s[i].n, s[i].t);
		n = rib_routes_at(r, &p, s[i].t + 3 * SEC, v, 8, &tr);
		same_routes(v, n, s[i].v, s[i].n, s[i].t + 3 * SEC);
		n = rib_routes_at(r, &p, s[i].t - 1, v, 8, &tr);
		if (i > 0)
			same_routes(v, n, s[i - 1].v, s[i - 1].n, s[i].t - 1);
		/* Cut to one: the first, best only if it was the best. */
		if (s[i].n > 1) {
			n = rib_routes_at(r, &p, s[i].t, v, 1, &tr);
			same_routes(v, n, s[i].v, 1, s[i].t);
		}
	}
	/* The prefix is empty now but its past is not. */
	assert_int_equal(routes_of(r, pfx, v, 8), 0);
	assert_int_equal(rib_routes_at(r, &p, UINT64_MAX, v, 8, &tr), 0);
	/* Another prefix, never there. */
	p = P("198.51.100.0/24");
	assert_int_equal(rib_routes_at(r, &p, s[3].t, v, 8, &tr), 0);
	rib_free(r);
}

static void
test_history_max_events(void **state)
{
	struct rib		*r = mkrib(10, 0);
	struct rib_stats	 st;
	struct evres		 ev;
	struct route		 v[4];
	struct prefix		 x = P("10.0.0.0/8"), y = P("11.0.0.0/8");
	uint16_t		 s0;
	bool			 tr;
	int			 i;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	/* 25 events at 1..25 s: x at odd seconds, y at even ones. */
	for (i = 1; i <= 25; i++) {
		const char *pfx = i % 2 ? "10.0.0.0/8" : "11.0.0.0/8";

		if ((i - 1) / 2 % 2 == 0)
			assert_int_equal(ann(r, pfx, s0, 0, "path=65001",
			    (uint64_t)i * SEC), 1);
		else
			assert_int_equal(wd(r, pfx, s0, 0, (uint64_t)i * SEC),
			    1);
		RIB_CHECK(r);
	}
	stats(r, &st);
	assert_int_equal(st.events, 10);
	assert_int_equal(st.events_total, 25);
	assert_int_equal(st.events_dropped_mem, 15);
	assert_int_equal(st.events_dropped_age, 0);
	/* Kept: 16..25 s.  Windows reaching before 16 s are truncated. */
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &x, false, 0, UINT64_MAX, ev_cb, &ev,
	    &tr), 5);
	assert_true(tr);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &x, false, 15 * SEC, UINT64_MAX,
	    ev_cb, &ev, &tr), 5);
	assert_true(tr);
	assert_int_equal(rib_history(r, &y, false, 15 * SEC + 1, UINT64_MAX,
	    ev_cb, &ev, &tr), 5);
	assert_false(tr);
	/* The state at 15 s needs only later events, all kept. */
	assert_int_equal(rib_routes_at(r, &x, 15 * SEC, v, 4, &tr), 0);
	assert_false(tr);
	assert_int_equal(rib_routes_at(r, &y, 15 * SEC, v, 4, &tr), 1);
	assert_false(tr);
	rib_routes_at(r, &y, 15 * SEC - 1, v, 4, &tr);
	assert_true(tr);
	/*
	 * 25 s: x announced (at 25), y withdrawn (at 24).  Ten more events
	 * on x push y's out: y, empty, disappears.
	 */
	stats(r, &st);
	assert_int_equal(st.prefixes[0], 2);
	for (i = 26; i <= 35; i++)
		assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, i % 2 ?
		    "path=65001" : "path=65001,1", (uint64_t)i * SEC), 1);
	stats(r, &st);
	assert_int_equal(st.prefixes[0], 1);
	assert_int_equal(rib_history(r, &y, false, 0, UINT64_MAX, ev_cb, &ev,
	    &tr), 0);
	assert_true(tr);
	RIB_CHECK(r);
	rib_free(r);
}

static void
test_history_expire(void **state)
{
	struct rib		*r = mkrib(1000, 10);
	struct rib_stats	 st;
	struct evres		 ev;
	struct rib_query	 q;
	struct route		 v[4];
	struct prefix		 x = P("10.0.0.0/8"), z = P("10.9.9.0/24");
	uint16_t		 s0;
	bool			 tr;
	int			 i;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	assert_int_equal(ann(r, "10.9.9.0/24", s0, 0, "path=65001", 1 * SEC),
	    1);
	assert_int_equal(wd(r, "10.9.9.0/24", s0, 0, 2 * SEC), 1);
	for (i = 3; i <= 30; i++)
		assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, i % 2 ?
		    "path=65001" : "path=65001,1", (uint64_t)i * SEC), 1);
	/* z: no routes, so no answers, but its history and node remain. */
	qinit(&q, RIB_MATCH_EXACT, "10.9.9.0/24");
	assert_string_equal(run(r, &q), "");
	qinit(&q, RIB_MATCH_LONGEST, "10.9.9.1");
	assert_string_equal(run(r, &q), "10.0.0.0/8#0*");
	qinit(&q, RIB_MATCH_ALL, NULL);
	assert_string_equal(run(r, &q), "10.0.0.0/8#0*");
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &z, false, 0, UINT64_MAX, ev_cb, &ev,
	    &tr), 2);
	assert_int_equal(rib_routes_at(r, &z, 1 * SEC, v, 4, &tr), 1);
	stats(r, &st);
	assert_int_equal(st.prefixes[0], 2);
	/* Nothing is old enough yet. */
	rib_history_expire(r, 11 * SEC);
	stats(r, &st);
	assert_int_equal(st.events_dropped_age, 0);
	/* At 30 s, what is older than 20 s goes: 1..19 s. */
	rib_history_expire(r, 30 * SEC);
	stats(r, &st);
	assert_int_equal(st.events_dropped_age, 19);
	assert_int_equal(st.events, 11);
	assert_int_equal(st.prefixes[0], 1);	/* z went with its past */
	assert_int_equal(rib_history(r, &z, false, 0, UINT64_MAX, ev_cb, &ev,
	    &tr), 0);
	assert_true(tr);
	assert_int_equal(rib_history(r, &x, false, 19 * SEC, UINT64_MAX,
	    ev_cb, &ev, &tr), 11);
	assert_true(tr);
	assert_int_equal(rib_history(r, &x, false, 19 * SEC + 1, UINT64_MAX,
	    ev_cb, &ev, &tr), 11);
	assert_false(tr);
	assert_int_equal(rib_routes_at(r, &z, 1 * SEC, v, 4, &tr), 0);
	assert_true(tr);
	/* The age limit does nothing to a time before it. */
	rib_history_expire(r, 5 * SEC);
	stats(r, &st);
	assert_int_equal(st.events, 11);
	RIB_CHECK(r);
	rib_free(r);
}

/*
 * History chunks: 2048 events each (rib.c).  These tests know the chunk
 * size because what they check is its boundaries.
 */
#define T_CHUNK		2048
#define T_CHUNK_BYTES	(T_CHUNK * 32)

/* Events of a prefix, all of them, newest first. */
struct evall {
	size_t		 n, cap;
	struct rib_event *ev;
};

static int
evall_cb(void *arg, const struct rib_event *e)
{
	struct evall *x = arg;

	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 1024;
		x->ev = realloc(x->ev, x->cap * sizeof(*x->ev));
		assert_non_null(x->ev);
	}
	x->ev[x->n++] = *e;
	return (0);
}

static size_t
chunks_of(const struct rib_stats *st)
{
	return ((size_t)(st->bytes_history / T_CHUNK_BYTES));
}

/* Events across chunk boundaries come back whole and in order. */
static void
test_history_chunk_boundaries(void **state)
{
	struct rib		*r = mkrib(100000, 0);
	struct rib_stats	 st;
	struct evall		 ev = { 0, 0, NULL };
	struct route		 v[4];
	struct prefix		 x = P("10.0.0.0/8");
	uint32_t		 a1 = mkattr(r, "path=65001"),
				 a2 = mkattr(r, "path=65001,1");
	uint16_t		 s0;
	bool			 tr;
	size_t			 i, n = 3 * T_CHUNK + 5;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	/* Event i at i ms on x, plus one on y per chunk to interleave. */
	for (i = 1; i <= n; i++) {
		struct prefix y = P("11.0.0.0/8");

		assert_int_equal(rib_update(r, &x, s0, 0, i % 2 ? a1 : a2,
		    (uint64_t)i * 1000), 1);
		if (i % T_CHUNK == 7)
			assert_int_equal(rib_update(r, &y, s0, 0, i / T_CHUNK %
			    2 ? a1 : a2, (uint64_t)i * 1000), 1);
	}
	RIB_CHECK(r);
	stats(r, &st);
	assert_int_equal(st.events, n + 3);
	assert_int_equal(chunks_of(&st), 4);
	assert_true(rib_history(r, &x, false, 0, UINT64_MAX, evall_cb, &ev,
	    &tr) == n);
	assert_false(tr);
	/* Newest first, each with its own time and sets. */
	for (i = 0; i < ev.n; i++) {
		uint64_t t = ev.ev[i].time_us / 1000;

		assert_int_equal(ev.ev[i].time_us % 1000, 0);
		assert_int_equal(t, n - i);
		assert_int_equal(ev.ev[i].attr_new, t % 2 ? a1 : a2);
		if (i > 0)
			assert_true(ev.ev[i].time_us < ev.ev[i - 1].time_us);
		assert_int_equal(ev.ev[i].type, t == 1 ? RIB_EV_ANNOUNCE :
		    RIB_EV_REPLACE);
	}
	/* Time travel to either side of the first boundary. */
	for (i = T_CHUNK - 2; i <= T_CHUNK + 2; i++) {
		assert_int_equal(rib_routes_at(r, &x, (uint64_t)i * 1000, v, 4,
		    &tr), 1);
		assert_false(tr);
		assert_int_equal(v[0].attr, i % 2 ? a1 : a2);
	}
	free(ev.ev);
	rib_attr_put(r, a1);
	rib_attr_put(r, a2);
	rib_free(r);
}

/*
 * Times are 32-bit microseconds after the chunk's base: an event more
 * than ~71.6 minutes after it starts a new chunk, and the history reads
 * the same across the gap.
 */
static void
test_history_time_gap(void **state)
{
	struct rib		*r = mkrib(100000, 7200);
	struct rib_stats	 st;
	struct evall		 ev = { 0, 0, NULL };
	struct route		 v[4];
	struct prefix		 x = P("10.0.0.0/8");
	uint64_t		 gap = 5000 * SEC, t;
	uint16_t		 s0;
	bool			 tr;
	int			 i;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	for (i = 1; i <= 3; i++)
		assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, i % 2 ?
		    "path=65001" : "path=65001,1", (uint64_t)i * SEC), 1);
	/* Beyond 2^32 us from the chunk's base: a second chunk. */
	for (i = 1; i <= 3; i++)
		assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, i % 2 ?
		    "path=65002" : "path=65002,2", gap + (uint64_t)i * SEC),
		    1);
	RIB_CHECK(r);
	stats(r, &st);
	assert_int_equal(st.events, 6);
	assert_int_equal(st.events_total, 6);
	assert_int_equal(chunks_of(&st), 2);
	assert_int_equal(rib_history(r, &x, false, 0, UINT64_MAX, evall_cb,
	    &ev, &tr), 6);
	for (i = 0; i < 6; i++) {
		t = i < 3 ? gap + (uint64_t)(3 - i) * SEC :
		    (uint64_t)(6 - i) * SEC;
		assert_int_equal(ev.ev[i].time_us, t);
	}
	/* The state before the gap, from the other side of it. */
	assert_int_equal(rib_routes_at(r, &x, 2 * SEC, v, 4, &tr), 1);
	assert_false(tr);
	assert_int_equal(v[0].since, 2);
	assert_int_equal(rib_routes_at(r, &x, gap, v, 4, &tr), 1);
	assert_int_equal(v[0].since, 3);
	/* Age: the first chunk's events go, and the chunk with them. */
	rib_history_expire(r, 7200 * SEC);
	stats(r, &st);
	assert_int_equal(st.events, 6);
	rib_history_expire(r, gap + 7200 * SEC);
	stats(r, &st);
	assert_int_equal(st.events, 3);
	assert_int_equal(st.events_dropped_age, 3);
	assert_int_equal(chunks_of(&st), 1);
	RIB_CHECK(r);
	/* Recording goes on in the second chunk, then every event ages out. */
	assert_int_equal(wd(r, "10.0.0.0/8", s0, 0, gap + 7202 * SEC), 1);
	rib_history_expire(r, gap + 20000 * SEC);
	stats(r, &st);
	assert_int_equal(st.events, 0);
	assert_int_equal(st.prefixes[0], 0);
	RIB_CHECK(r);
	/* A new chunk when the old one is still mapped, empty of events. */
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65003",
	    gap + 30000 * SEC), 1);
	stats(r, &st);
	assert_int_equal(st.events, 1);
	assert_int_equal(chunks_of(&st), 1);
	RIB_CHECK(r);
	free(ev.ev);
	rib_free(r);
}

/*
 * Retention by memory drops events one at a time, oldest first; a chunk
 * is unmapped as soon as its last event has gone, so the history holds at
 * most max_events plus one chunk's worth.
 */
static void
test_history_chunks_released(void **state)
{
	struct rib		*r = mkrib(3000, 60);
	struct rib_stats	 st;
	struct evall		 ev = { 0, 0, NULL };
	struct prefix		 x = P("10.0.0.0/8");
	uint32_t		 a1 = mkattr(r, "path=65001"),
				 a2 = mkattr(r, "path=65001,1");
	uint16_t		 s0;
	bool			 tr;
	size_t			 i;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	for (i = 1; i <= 3 * T_CHUNK; i++) {
		assert_int_equal(rib_update(r, &x, s0, 0, i % 2 ? a1 : a2, i),
		    1);
		stats(r, &st);
		assert_true(st.events <= 3000);
		/* Mapped: the chunks from the oldest live event's on. */
		assert_int_equal(chunks_of(&st), (i - 1) / T_CHUNK -
		    (i > 3000 ? (i - 3000) / T_CHUNK : 0) + 1);
	}
	RIB_CHECK(r);
	stats(r, &st);
	assert_int_equal(st.events, 3000);
	assert_int_equal(st.events_dropped_mem, 3 * T_CHUNK - 3000);
	assert_int_equal(rib_history(r, &x, false, 0, UINT64_MAX, evall_cb,
	    &ev, &tr), 3000);
	assert_true(tr);
	assert_int_equal(ev.ev[2999].time_us, 3 * T_CHUNK - 2999);
	/* Everything ages out: no chunk is left mapped. */
	rib_history_expire(r, 3600 * SEC);
	stats(r, &st);
	assert_int_equal(st.events, 0);
	assert_int_equal(st.events_dropped_age, 3000);
	assert_int_equal(chunks_of(&st), 0);
	RIB_CHECK(r);
	/* And recording starts over in a fresh chunk. */
	assert_int_equal(rib_update(r, &x, s0, 0, a1, 3601 * SEC), 1);
	stats(r, &st);
	assert_int_equal(st.events, 1);
	assert_int_equal(chunks_of(&st), 1);
	RIB_CHECK(r);
	free(ev.ev);
	rib_attr_put(r, a1);
	rib_attr_put(r, a2);
	rib_free(r);
}

/*
 * The write lock: a writer that keeps its batch going lets a queued
 * reader in through rib_wryield() alone, never through rib_unlock().
 */
struct rdr {
	struct rib	*r;
	atomic_int	 started, done;
};

static void *
rdr_main(void *arg)
{
	struct rdr *x = arg;

	atomic_store(&x->started, 1);
	rib_rdlock(x->r);
	atomic_store(&x->done, 1);
	rib_unlock(x->r);
	return (NULL);
}

static void
test_lock_yield(void **state)
{
	struct rib_config	 c;
	struct rib_lock_stats	 ls;
	struct rib		*r;
	struct rdr		 x;
	pthread_t		 th;
	struct timespec		 ms = { 0, 1000000 };
	int			 i;

	memset(&c, 0, sizeof(c));
	c.write_hold_us = 100;
	r = rib_new(&c);
	assert_non_null(r);
	/* Not write-locked: nothing to yield. */
	assert_false(rib_wryield(r));
	memset(&x, 0, sizeof(x));
	x.r = r;
	rib_wrlock(r);
	assert_int_equal(pthread_create(&th, NULL, rdr_main, &x), 0);
	while (!atomic_load(&x.started))
		nanosleep(&ms, NULL);
	/* The batch goes on (bounded) until the reader has been in. */
	for (i = 0; i < 10000 && !atomic_load(&x.done); i++) {
		nanosleep(&ms, NULL);
		rib_wryield(r);
	}
	assert_true(atomic_load(&x.done));
	rib_unlock(r);
	pthread_join(th, NULL);
	rib_lock_stats(r, &ls);
	assert_true(ls.yields >= 1);
	assert_int_equal(ls.reads, 1);
	assert_true(ls.writes >= 2);
	rib_free(r);

	/* write_hold_us 0: the writer never yields. */
	c.write_hold_us = 0;
	r = rib_new(&c);
	rib_wrlock(r);
	nanosleep(&ms, NULL);
	assert_false(rib_wryield(r));
	rib_unlock(r);
	rib_lock_stats(r, &ls);
	assert_int_equal(ls.yields, 0);
	rib_free(r);
}

/* Lock histograms: bounds grow, and a quantile is its bucket's bound. */
static void
test_lock_histogram(void **state)
{
	uint64_t	h[RIB_LOCK_BUCKETS];
	unsigned	b;

	for (b = 1; b < RIB_LOCK_BUCKETS; b++)
		assert_true(rib_lock_bucket_us(b) >= rib_lock_bucket_us(b - 1));
	/* Bounds: 1 us, then 3 us, then quarter octaves from 4 us. */
	assert_int_equal(rib_lock_bucket_us(0), 1);
	assert_int_equal(rib_lock_bucket_us(8), 4);
	assert_int_equal(rib_lock_bucket_us(11), 7);
	assert_int_equal(rib_lock_bucket_us(12), 9);
	memset(h, 0, sizeof(h));
	assert_int_equal(rib_lock_quantile_us(h, 0.99), 0);
	h[8] = 98;
	h[40] = 2;
	assert_int_equal(rib_lock_quantile_us(h, 0.98),
	    rib_lock_bucket_us(8));
	assert_int_equal(rib_lock_quantile_us(h, 0.99),
	    rib_lock_bucket_us(40));
	assert_int_equal(rib_lock_quantile_us(h, 1.0),
	    rib_lock_bucket_us(40));
}

/*
 * Route arrays: 8-byte header and 12-byte routes, path ids in a side
 * array only while some route has one, shrinking when half empty.  The
 * sizes are what rib_stats counts for the arrays.
 */
#define T_ENTRY(n, pids)	(8 + (n) * ((pids) ? 16 : 12))

static void
test_entry_path_ids(void **state)
{
	struct rib		*r = mkrib(1000, 0);
	struct rib_stats	 st;
	struct route		 v[8];
	struct rib_query	 q;
	uint16_t		 s0, s1;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
	assert_int_equal(ann(r, "10.0.0.0/8", s1, 0, "path=65002", SEC), 1);
	stats(r, &st);
	assert_int_equal(st.bytes_routes, T_ENTRY(1, false));
	/* A path id: the array gains its side array, zeros for the rest. */
	assert_int_equal(ann(r, "10.0.0.0/8", s1, 7, "path=65002,1", SEC), 1);
	stats(r, &st);
	assert_int_equal(st.bytes_routes, T_ENTRY(2, true));
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 5, "path=65001", SEC), 1);
	assert_int_equal(ann(r, "10.0.0.0/8", s1, 3, "path=65002,2", SEC), 1);
	RIB_CHECK(r);
	/* In (source, path id) order, each with its own. */
	qinit(&q, RIB_MATCH_EXACT, "10.0.0.0/8");
	assert_string_equal(run(r, &q),
	    "10.0.0.0/8#0/5* 10.0.0.0/8#1 10.0.0.0/8#1/3 10.0.0.0/8#1/7");
	assert_int_equal(routes_of(r, "10.0.0.0/8", v, 8), 4);
	assert_int_equal(v[0].path_id, 5);
	assert_int_equal(v[3].path_id, 7);
	/* Same path id, same source: a replace, found through the side. */
	assert_int_equal(ann(r, "10.0.0.0/8", s1, 3, "path=65002,3", 2 * SEC),
	    1);
	assert_int_equal(wd(r, "10.0.0.0/8", s1, 4, 2 * SEC), 0);
	/* Going down to routes without a path id drops the side array. */
	assert_int_equal(wd(r, "10.0.0.0/8", s1, 7, 3 * SEC), 1);
	assert_int_equal(wd(r, "10.0.0.0/8", s0, 5, 3 * SEC), 1);
	RIB_CHECK(r);
	assert_int_equal(wd(r, "10.0.0.0/8", s1, 3, 3 * SEC), 1);
	stats(r, &st);
	assert_int_equal(st.bytes_routes, T_ENTRY(1, false));
	assert_string_equal(run(r, &q), "10.0.0.0/8#1*");
	/* The history still has every path id. */
	{
		struct evres	ev;
		struct prefix	p = P("10.0.0.0/8");
		bool		tr;

		memset(&ev, 0, sizeof(ev));
		assert_int_equal(rib_history(r, &p, false, 0, UINT64_MAX,
		    ev_cb, &ev, &tr), 8);
		assert_int_equal(ev.ev[0].path_id, 3);
		assert_int_equal(ev.ev[1].path_id, 5);
		assert_int_equal(rib_routes_at(r, &p, SEC, v, 8, &tr), 4);
		assert_int_equal(v[0].path_id, 5);
		assert_int_equal(v[2].path_id, 3);
	}
	/* Empty, kept for its history: nothing but the header. */
	assert_int_equal(wd(r, "10.0.0.0/8", s1, 0, 4 * SEC), 1);
	stats(r, &st);
	assert_int_equal(st.bytes_routes, T_ENTRY(0, false));
	RIB_CHECK(r);
	/* rib_reserve's array takes a path id by gaining the side array. */
	{
		struct prefix p = P("11.0.0.0/8");

		assert_int_equal(rib_reserve(r, &p, 3), 0);
		assert_int_equal(ann(r, "11.0.0.0/8", s0, 0, "path=65001",
		    SEC), 1);
		assert_int_equal(ann(r, "11.0.0.0/8", s0, 9, "path=65001,9",
		    SEC), 1);
		stats(r, &st);
		assert_int_equal(st.bytes_routes, T_ENTRY(0, false) +
		    T_ENTRY(3, true));
		RIB_CHECK(r);
	}
	rib_free(r);
}

/* Arrays shrink to fit once at most half full, and grow back. */
static void
test_entry_shrink(void **state)
{
	struct rib		*r = mkrib(0, 0);
	struct rib_stats	 st;
	struct route		 v[64];
	uint16_t		 s[40];
	char			 peer[32];
	size_t			 n;
	int			 i;

	for (i = 0; i < 40; i++) {
		snprintf(peer, sizeof(peer), "10.0.0.%d", i + 1);
		s[i] = add_src(r, peer, 65001 + (uint32_t)i, peer, false);
		assert_int_equal(ann(r, "10.0.0.0/8", s[i], 0, i == 33 ?
		    "path=65001 lp=300" : "path=65001", SEC), 1);
	}
	stats(r, &st);
	assert_true(st.bytes_routes >= T_ENTRY(40, false));
	/* Down to 10 routes: the array follows, at most twice their size. */
	for (i = 0; i < 30; i++)
		assert_int_equal(wd(r, "10.0.0.0/8", s[i], 0, 2 * SEC), 1);
	RIB_CHECK(r);
	stats(r, &st);
	assert_true(st.bytes_routes <= T_ENTRY(20, false));
	n = routes_of(r, "10.0.0.0/8", v, 64);
	assert_int_equal(n, 10);
	for (i = 0; i < 10; i++) {
		assert_int_equal(v[i].src, s[30 + i]);
		assert_int_equal((v[i].flags & ROUTE_F_BEST) != 0, i == 3);
	}
	/* And back up. */
	for (i = 0; i < 30; i++)
		assert_int_equal(ann(r, "10.0.0.0/8", s[i], 0, "path=65001",
		    3 * SEC), 1);
	RIB_CHECK(r);
	assert_int_equal(routes_of(r, "10.0.0.0/8", v, 64), 40);
	/* A source flush shrinks as it goes. */
	assert_int_equal(rib_source_flush(r, s[33], 4 * SEC), 1);
	for (i = 0; i < 38; i++)
		if (i != 33)
			assert_int_equal(rib_source_flush(r, s[i], 4 * SEC),
			    1);
	RIB_CHECK(r);
	stats(r, &st);
	assert_true(st.bytes_routes <= T_ENTRY(4, false));
	assert_int_equal(routes_of(r, "10.0.0.0/8", v, 64), 2);
	rib_free(r);
}

/* Time running backwards is taken as the latest time. */
static void
test_clock_backwards(void **state)
{
	struct rib	*r = mkrib(100, 0);
	struct evres	 ev;
	struct route	 v[4];
	struct prefix	 x = P("10.0.0.0/8");
	uint16_t	 s0;
	bool		 tr;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65001", 50 * SEC),
	    1);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0, "path=65001,1",
	    40 * SEC), 1);
	memset(&ev, 0, sizeof(ev));
	assert_int_equal(rib_history(r, &x, false, 0, UINT64_MAX, ev_cb, &ev,
	    &tr), 2);
	assert_int_equal(ev.ev[0].time_us, 50 * SEC);
	assert_int_equal(routes_of(r, "10.0.0.0/8", v, 4), 1);
	assert_int_equal(v[0].since, 50);
	RIB_CHECK(r);
	rib_free(r);
}

/*
 * Queries.
 */

static struct rib *
query_table(void)
{
	struct rib	*r = mkrib(1000, 0);
	uint16_t	 s0, s1, s2;

	s0 = add_src(r, "10.0.0.1", 65001, "1.1.1.1", false);
	s1 = add_src(r, "10.0.0.2", 65002, "2.2.2.2", false);
	s2 = add_src(r, "2001:db8::1", 65003, "3.3.3.3", false);
	assert_int_equal(ann(r, "10.0.0.0/8", s0, 0,
	    "path=65001,65010 comm=65001:1", SEC), 1);
	assert_int_equal(ann(r, "10.1.0.0/16", s0, 0,
	    "path=65001,65003 comm=65001:2 large=65001:1:1", SEC), 1);
	assert_int_equal(ann(r, "10.1.0.0/16", s1, 0,
	    "path=65002,65003 comm=65001:1", SEC), 1);
	assert_int_equal(ann(r, "10.1.1.0/24", s1, 0,
	    "path=65002,65004,65003 large=65001:1:1", SEC), 1);
	assert_int_equal(ann(r, "10.1.1.128/25", s0, 0, "path=65001", SEC),
	    1);
	assert_int_equal(ann(r, "10.2.0.0/16", s2, 0, "path=65003", SEC), 1);
	assert_int_equal(ann(r, "192.168.0.0/16", s1, 0, "path=65002,65005",
	    SEC), 1);
	assert_int_equal(ann(r, "2001:db8::/32", s2, 0, "path=65003,65001",
	    SEC), 1);
	assert_int_equal(ann(r, "2001:db8:1::/48", s0, 0, "path=65001,65003",
	    SEC), 1);
	assert_int_equal(ann(r, "2001:db8:1::/48", s2, 0, "path=65003", SEC),
	    1);
	assert_int_equal(ann(r, "2001:db8:1:1::/64", s1, 0,
	    "path=65002 comm=65001:1", SEC), 1);
	/* History only: announced and gone, more specific than the rest. */
	assert_int_equal(ann(r, "10.1.1.192/26", s1, 0, "path=65002", SEC),
	    1);
	assert_int_equal(wd(r, "10.1.1.192/26", s1, 0, SEC), 1);
	RIB_CHECK(r);
	return (r);
}

#define V4ALL	"10.0.0.0/8#0* 10.1.0.0/16#0* 10.1.0.0/16#1 10.1.1.0/24#1* " \
		"10.1.1.128/25#0* 10.2.0.0/16#2* 192.168.0.0/16#1*"
#define V6ALL	"2001:db8::/32#2* 2001:db8:1::/48#0 2001:db8:1::/48#2* " \
		"2001:db8:1:1::/64#1*"

static void
test_query_match(void **state)
{
	struct rib		*r = query_table();
	struct rib_query	 q;

	qinit(&q, RIB_MATCH_ALL, NULL);
	assert_string_equal(run(r, &q), V4ALL " " V6ALL);
	q.afi = AFI_IPV4;
	assert_string_equal(run(r, &q), V4ALL);
	q.afi = AFI_IPV6;
	assert_string_equal(run(r, &q), V6ALL);

	qinit(&q, RIB_MATCH_EXACT, "10.1.0.0/16");
	assert_string_equal(run(r, &q), "10.1.0.0/16#0* 10.1.0.0/16#1");
	qinit(&q, RIB_MATCH_EXACT, "10.1.0.0/17");
	assert_string_equal(run(r, &q), "");
	qinit(&q, RIB_MATCH_EXACT, "10.1.1.192/26");	/* history only */
	assert_string_equal(run(r, &q), "");
	qinit(&q, RIB_MATCH_EXACT, "2001:db8:1::/48");
	assert_string_equal(run(r, &q), "2001:db8:1::/48#0 2001:db8:1::/48#2*");

	/* Longest match, of an address and of a prefix. */
	qinit(&q, RIB_MATCH_LONGEST, "10.1.1.200");
	assert_string_equal(run(r, &q), "10.1.1.128/25#0*");
	qinit(&q, RIB_MATCH_LONGEST, "10.1.1.5");
	assert_string_equal(run(r, &q), "10.1.1.0/24#1*");
	qinit(&q, RIB_MATCH_LONGEST, "10.1.2.3");
	assert_string_equal(run(r, &q), "10.1.0.0/16#0* 10.1.0.0/16#1");
	qinit(&q, RIB_MATCH_LONGEST, "10.200.0.1");
	assert_string_equal(run(r, &q), "10.0.0.0/8#0*");
	qinit(&q, RIB_MATCH_LONGEST, "11.0.0.1");
	assert_string_equal(run(r, &q), "");
	qinit(&q, RIB_MATCH_LONGEST, "10.1.1.0/26");
	assert_string_equal(run(r, &q), "10.1.1.0/24#1*");
	qinit(&q, RIB_MATCH_LONGEST, "10.1.1.128/25");
	assert_string_equal(run(r, &q), "10.1.1.128/25#0*");
	/* 10.1.1.192/26 is in the tree with no routes: it does not count. */
	qinit(&q, RIB_MATCH_LONGEST, "10.1.1.200");
	assert_string_equal(run(r, &q), "10.1.1.128/25#0*");
	qinit(&q, RIB_MATCH_LONGEST, "10.1.1.192/26");
	assert_string_equal(run(r, &q), "10.1.1.128/25#0*");
	qinit(&q, RIB_MATCH_LONGEST, "2001:db8:1:1::5");
	assert_string_equal(run(r, &q), "2001:db8:1:1::/64#1*");
	qinit(&q, RIB_MATCH_LONGEST, "2001:db8:1:2::5");
	assert_string_equal(run(r, &q), "2001:db8:1::/48#0 2001:db8:1::/48#2*");
	/* With a filter: the longest prefix with a route it takes. */
	qinit(&q, RIB_MATCH_LONGEST, "10.1.1.200");
	q.src = 1;
	assert_string_equal(run(r, &q), "10.1.1.0/24#1*");
	q.src = 2;
	assert_string_equal(run(r, &q), "");
	qinit(&q, RIB_MATCH_LONGEST, "2001:db8:1:2::5");
	q.best_only = true;
	assert_string_equal(run(r, &q), "2001:db8:1::/48#2*");

	/* More- and less-specifics. */
	qinit(&q, RIB_MATCH_MORE, "10.1.0.0/16");
	assert_string_equal(run(r, &q), "10.1.0.0/16#0* 10.1.0.0/16#1 "
	    "10.1.1.0/24#1* 10.1.1.128/25#0*");
	qinit(&q, RIB_MATCH_MORE, "10.0.0.0/15");
	assert_string_equal(run(r, &q), "10.1.0.0/16#0* 10.1.0.0/16#1 "
	    "10.1.1.0/24#1* 10.1.1.128/25#0*");
	qinit(&q, RIB_MATCH_MORE, "0.0.0.0/0");
	assert_string_equal(run(r, &q), V4ALL);
	qinit(&q, RIB_MATCH_MORE, "::/0");
	assert_string_equal(run(r, &q), V6ALL);
	qinit(&q, RIB_MATCH_MORE, "172.16.0.0/12");
	assert_string_equal(run(r, &q), "");
	qinit(&q, RIB_MATCH_LESS, "10.1.1.128/25");
	assert_string_equal(run(r, &q), "10.0.0.0/8#0* 10.1.0.0/16#0* "
	    "10.1.0.0/16#1 10.1.1.0/24#1* 10.1.1.128/25#0*");
	qinit(&q, RIB_MATCH_LESS, "10.1.1.0/26");
	assert_string_equal(run(r, &q), "10.0.0.0/8#0* 10.1.0.0/16#0* "
	    "10.1.0.0/16#1 10.1.1.0/24#1*");
	qinit(&q, RIB_MATCH_LESS, "2001:db8:1:1::/64");
	assert_string_equal(run(r, &q), V6ALL);

	/* Filters. */
	qinit(&q, RIB_MATCH_ALL, NULL);
	q.origin_as = 65003;
	assert_string_equal(run(r, &q), "10.1.0.0/16#0* 10.1.0.0/16#1 "
	    "10.1.1.0/24#1* 10.2.0.0/16#2* 2001:db8:1::/48#0 "
	    "2001:db8:1::/48#2*");
	qinit(&q, RIB_MATCH_ALL, NULL);
	q.src = 1;
	assert_string_equal(run(r, &q), "10.1.0.0/16#1 10.1.1.0/24#1* "
	    "192.168.0.0/16#1* 2001:db8:1:1::/64#1*");
	qinit(&q, RIB_MATCH_ALL, NULL);
	q.has_community = true;
	q.community = 65001u << 16 | 1;
	assert_string_equal(run(r, &q), "10.0.0.0/8#0* 10.1.0.0/16#1 "
	    "2001:db8:1:1::/64#1*");
	q.community = 65001u << 16 | 2;
	assert_string_equal(run(r, &q), "10.1.0.0/16#0*");
	q.community = 65001u << 16 | 3;
	assert_string_equal(run(r, &q), "");
	qinit(&q, RIB_MATCH_ALL, NULL);
	q.has_large = true;
	q.large[0] = 65001;
	q.large[1] = 1;
	q.large[2] = 1;
	assert_string_equal(run(r, &q), "10.1.0.0/16#0* 10.1.1.0/24#1*");
	q.large[2] = 2;
	assert_string_equal(run(r, &q), "");
	qinit(&q, RIB_MATCH_ALL, NULL);
	q.best_only = true;
	assert_string_equal(run(r, &q), "10.0.0.0/8#0* 10.1.0.0/16#0* "
	    "10.1.1.0/24#1* 10.1.1.128/25#0* 10.2.0.0/16#2* "
	    "192.168.0.0/16#1* 2001:db8::/32#2* 2001:db8:1::/48#2* "
	    "2001:db8:1:1::/64#1*");
	qinit(&q, RIB_MATCH_MORE, "10.0.0.0/8");
	q.best_only = true;
	q.origin_as = 65003;
	assert_string_equal(run(r, &q), "10.1.0.0/16#0* 10.1.1.0/24#1* "
	    "10.2.0.0/16#2*");
	rib_free(r);
}

static void
test_query_aspath_regex(void **state)
{
	struct rib		*r = query_table();
	struct rib_query	 q;
	regex_t			 re;
	char			 spec[16384], *p;
	uint16_t		 s0 = 0;
	int			 i;

	qinit(&q, RIB_MATCH_ALL, NULL);
	q.aspath_re = &re;
	assert_int_equal(regcomp(&re, "^65001 ", REG_EXTENDED | REG_NOSUB),
	    0);
	assert_string_equal(run(r, &q), "10.0.0.0/8#0* 10.1.0.0/16#0* "
	    "2001:db8:1::/48#0");
	regfree(&re);
	assert_int_equal(regcomp(&re, " 65003$", REG_EXTENDED | REG_NOSUB),
	    0);
	assert_string_equal(run(r, &q), "10.1.0.0/16#0* 10.1.0.0/16#1 "
	    "10.1.1.0/24#1* 2001:db8:1::/48#0");
	regfree(&re);
	assert_int_equal(regcomp(&re, "(^| )6500[45]( |$)",
	    REG_EXTENDED | REG_NOSUB), 0);
	assert_string_equal(run(r, &q), "10.1.1.0/24#1* 192.168.0.0/16#1*");
	/* Combined with a community. */
	regfree(&re);
	assert_int_equal(regcomp(&re, "^65002", REG_EXTENDED | REG_NOSUB), 0);
	q.has_community = true;
	q.community = 65001u << 16 | 1;
	assert_string_equal(run(r, &q), "10.1.0.0/16#1 2001:db8:1:1::/64#1*");
	regfree(&re);

	/* A path whose text is longer than any fixed buffer. */
	p = spec + snprintf(spec, sizeof(spec), "path=");
	for (i = 0; i < 1000; i++)
		p += snprintf(p, (size_t)(spec + sizeof(spec) - p), "%s%u",
		    i % 250 == 0 && i > 0 ? " path=" : (i ? "," : ""),
		    4200000000u + (unsigned)i);
	assert_int_equal(ann(r, "172.16.0.0/12", s0, 0, spec, 2 * SEC), 1);
	qinit(&q, RIB_MATCH_EXACT, "172.16.0.0/12");
	q.aspath_re = &re;
	assert_int_equal(regcomp(&re, " 4200000999$",
	    REG_EXTENDED | REG_NOSUB), 0);
	assert_string_equal(run(r, &q), "172.16.0.0/12#0*");
	regfree(&re);
	assert_int_equal(regcomp(&re, "^4200000000 4200000001 ",
	    REG_EXTENDED | REG_NOSUB), 0);
	assert_string_equal(run(r, &q), "172.16.0.0/12#0*");
	regfree(&re);
	RIB_CHECK(r);
	rib_free(r);
}

/*
 * The AS path regex has a budget of text per query: when it runs out the
 * walk stops with a cursor after the last route looked at, matching or
 * not, and following the cursors gives every match once, in order.
 */
static void
test_query_text_budget(void **state)
{
	struct rib		*r = query_table();
	struct rib_query	 q;
	struct rib_cursor	 next;
	struct qres		 res;
	regex_t			 re;
	size_t			 n, pages = 0, stopped = 0;

	qinit(&q, RIB_MATCH_ALL, NULL);
	q.aspath_re = &re;
	assert_int_equal(regcomp(&re, " 65003$", REG_EXTENDED | REG_NOSUB),
	    0);
	/* Each path text is 5 to 17 characters: two routes a page at most. */
	q.text_budget = 20;
	memset(&res, 0, sizeof(res));
	for (;;) {
		n = rib_query(r, &q, qres_cb, &res, &next);
		pages++;
		assert_true(pages < 100);
		if (!next.valid)
			break;
		if (n == 0)
			stopped++;	/* nothing matched within the budget */
		q.after = next;
	}
	qres_str(&res, qbuf, sizeof(qbuf));
	assert_string_equal(qbuf, "10.1.0.0/16#0* 10.1.0.0/16#1 "
	    "10.1.1.0/24#1* 2001:db8:1::/48#0");
	assert_true(pages > 3);
	assert_true(stopped > 0);
	qres_free(&res);
	/* Without a budget: one page. */
	q.text_budget = 0;
	memset(&q.after, 0, sizeof(q.after));
	memset(&res, 0, sizeof(res));
	assert_int_equal(rib_query(r, &q, qres_cb, &res, &next), 4);
	assert_false(next.valid);
	qres_free(&res);
	regfree(&re);
	rib_free(r);
}

/*
 * The scan budget: a filter that matches only at the end of the table
 * still gets there, a few routes a page, each page with a cursor.
 */
static void
test_query_scan_budget(void **state)
{
	struct rib		*r = query_table();
	struct rib_query	 q;
	struct rib_cursor	 next;
	struct qres		 res, all;
	size_t			 n, pages = 0, empty = 0;
	char			 want[sizeof(qbuf)];

	qinit(&q, RIB_MATCH_ALL, NULL);
	memset(&all, 0, sizeof(all));
	rib_query(r, &q, qres_cb, &all, &next);
	qres_str(&all, want, sizeof(want));
	qres_free(&all);
	q.scan_budget = 2;
	memset(&res, 0, sizeof(res));
	for (;;) {
		n = rib_query(r, &q, qres_cb, &res, &next);
		pages++;
		assert_true(n <= 2);
		assert_true(pages < 100);
		if (n == 0)
			empty++;
		if (!next.valid)
			break;
		q.after = next;
	}
	qres_str(&res, qbuf, sizeof(qbuf));
	assert_string_equal(qbuf, want);
	assert_true(pages > 3);
	qres_free(&res);
	/* A filter matching few routes: pages with none, then the rest. */
	qinit(&q, RIB_MATCH_ALL, NULL);
	q.origin_as = 65003;
	memset(&all, 0, sizeof(all));
	rib_query(r, &q, qres_cb, &all, &next);
	qres_str(&all, want, sizeof(want));
	assert_true(all.n > 0 && all.n < 11);
	qres_free(&all);
	q.scan_budget = 1;
	memset(&res, 0, sizeof(res));
	pages = 0;
	for (;;) {
		n = rib_query(r, &q, qres_cb, &res, &next);
		assert_true(++pages < 100);
		if (n == 0)
			empty++;
		if (!next.valid)
			break;
		q.after = next;
	}
	qres_str(&res, qbuf, sizeof(qbuf));
	assert_string_equal(qbuf, want);
	assert_true(empty > 0);
	qres_free(&res);
	rib_free(r);
}

/* The callback can stop a query; no cursor then. */
static void
test_query_stop(void **state)
{
	struct rib		*r = query_table();
	struct rib_query	 q;
	struct qres		 res;
	struct rib_cursor	 next;

	qinit(&q, RIB_MATCH_ALL, NULL);
	memset(&res, 0, sizeof(res));
	res.stop_at = 3;
	assert_int_equal(rib_query(r, &q, qres_cb, &res, &next), 3);
	assert_int_equal(res.n, 3);
	assert_false(next.valid);
	qres_free(&res);
	/* A limit equal to the whole listing: one page, no cursor. */
	q.limit = 11;
	memset(&res, 0, sizeof(res));
	assert_int_equal(rib_query(r, &q, qres_cb, &res, &next), 11);
	assert_false(next.valid);
	qres_free(&res);
	q.limit = 10;
	memset(&res, 0, sizeof(res));
	assert_int_equal(rib_query(r, &q, qres_cb, &res, &next), 10);
	assert_true(next.valid);
	qres_free(&res);
	rib_free(r);
}

/*
 * Pagination.
 */

static uint64_t prng_state;

static uint64_t
prng(void)
{
	uint64_t z = (prng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static uint32_t
prnd(uint32_t n)
{
	return ((uint32_t)(prng() % n));
}

static int
key_cmp(const struct prefix *pa, const struct route *a,
    const struct prefix *pb, const struct route *b)
{
	int c;

	if ((c = prefix_cmp(pa, pb)) != 0)
		return (c);
	if (a->src != b->src)
		return (a->src < b->src ? -1 : 1);
	return (a->path_id < b->path_id ? -1 : a->path_id > b->path_id);
}

/* The prefixes that come and go between pages. */
static bool
is_extra(const struct prefix *p)
{
	return ((p->afi == AFI_IPV4 && (p->len == 26 || p->b[2] == 200)) ||
	    (p->afi == AFI_IPV6 && p->len == 65));
}

struct churn {
	char	pfx[128][48];
	bool	on[128];
	size_t	n;
};

static void
churn_between(struct rib *r, struct churn *c)
{
	size_t	i, k;
	uint16_t s;

	for (k = 0; k < 5; k++) {
		i = prnd((uint32_t)c->n);
		s = (uint16_t)prnd(4);
		if (c->on[i]) {
			/* All its routes go (the RIB may keep the node). */
			for (s = 0; s < 4; s++) {
				wd(r, c->pfx[i], s, 0, SEC);
				wd(r, c->pfx[i], s, 1, SEC);
			}
			c->on[i] = false;
		} else {
			assert_int_equal(ann(r, c->pfx[i], s, s == 3 ? 1 : 0,
			    "path=65009,65010", SEC), 1);
			c->on[i] = true;
		}
	}
}

static void
paginate(struct rib *r, const struct rib_query *q0, size_t limit,
    struct qres *out, struct churn *c)
{
	struct rib_query	q = *q0;
	struct rib_cursor	next;
	size_t			n, before, pages = 0;

	q.limit = limit;
	memset(&q.after, 0, sizeof(q.after));
	for (;;) {
		before = out->n;
		n = rib_query(r, &q, qres_cb, out, &next);
		assert_int_equal(n, out->n - before);
		assert_true(n <= limit);
		if (!next.valid)
			break;
		/* More to come: the page is full, the cursor its last. */
		assert_int_equal(n, limit);
		assert_int_equal(prefix_cmp(&next.pfx, &out->p[out->n - 1]),
		    0);
		assert_int_equal(next.src, out->rt[out->n - 1].src);
		q.after = next;
		if (c != NULL)
			churn_between(r, c);
		assert_true(++pages < 100000);
	}
}

static void
test_query_pagination(void **state)
{
	static const size_t	 limits[] = { 1, 2, 3, 7, 64, 1000 };
	struct rib		*r = mkrib(0, 0);
	struct churn		 c;
	struct qres		 full, paged;
	struct rib_query	 qs[5];
	char			 pfx[64], s1[200000], s2[200000];
	uint16_t		 s;
	size_t			 a, b, i, k, li, qi, nb;

	for (s = 0; s < 4; s++) {
		snprintf(pfx, sizeof(pfx), "10.0.0.%u", s + 1);
		add_src(r, pfx, 65001 + s, pfx, false);
	}
	/* Base prefixes, nested, both families; 1 to 3 routes each. */
	for (a = 0, i = 0; a < 10; a++) {
		for (b = 0; b <= 10; b++, i++) {
			if (b == 10)
				snprintf(pfx, sizeof(pfx), "10.%zu.0.0/16", a);
			else
				snprintf(pfx, sizeof(pfx), "10.%zu.%zu.0/24",
				    a, b);
			s = (uint16_t)(i % 4);
			assert_int_equal(ann(r, pfx, s, s == 3 ? 1 : 0,
			    "path=65001,65003", SEC), 1);
			if (i % 3 == 0)
				assert_int_equal(ann(r, pfx, 3, 2,
				    "path=65004", SEC), 1);
			if (b % 2 == 0 && b < 10) {
				snprintf(pfx, sizeof(pfx),
				    "10.%zu.%zu.128/25", a, b);
				assert_int_equal(ann(r, pfx, 1, 0,
				    "path=65002", SEC), 1);
			}
		}
	}
	for (a = 0; a < 5; a++)
		for (b = 0; b <= 8; b++) {
			if (b == 8)
				snprintf(pfx, sizeof(pfx), "2001:db8:%zx::/48",
				    a);
			else
				snprintf(pfx, sizeof(pfx),
				    "2001:db8:%zx:%zx::/64", a, b);
			assert_int_equal(ann(r, pfx, (uint16_t)(b % 3), 0,
			    "path=65003", SEC), 1);
		}
	/* The extras, absent for now. */
	memset(&c, 0, sizeof(c));
	for (a = 0; a < 10; a++) {
		snprintf(c.pfx[c.n++], sizeof(c.pfx[0]), "10.%zu.200.0/24", a);
		for (b = 0; b < 10; b += 2)
			snprintf(c.pfx[c.n++], sizeof(c.pfx[0]),
			    "10.%zu.%zu.64/26", a, b);
	}
	for (a = 0; a < 5; a++)
		for (b = 0; b < 8; b += 2)
			snprintf(c.pfx[c.n++], sizeof(c.pfx[0]),
			    "2001:db8:%zx:%zx:8000::/65", a, b);
	assert_true(c.n <= 128);
	RIB_CHECK(r);

	qinit(&qs[0], RIB_MATCH_ALL, NULL);
	qinit(&qs[1], RIB_MATCH_ALL, NULL);
	qs[1].afi = AFI_IPV6;
	qinit(&qs[2], RIB_MATCH_MORE, "10.4.0.0/14");
	qinit(&qs[3], RIB_MATCH_ALL, NULL);
	qs[3].src = 3;
	qinit(&qs[4], RIB_MATCH_LESS, "10.5.4.130");
	prng_state = 7;
	for (qi = 0; qi < 5; qi++) {
		memset(&full, 0, sizeof(full));
		rib_query(r, &qs[qi], qres_cb, &full, &(struct rib_cursor){
		    0 });
		assert_true(full.n > 0);
		qres_str(&full, s1, sizeof(s1));
		for (li = 0; li < sizeof(limits) / sizeof(limits[0]); li++) {
			/* Still: the pages put together are the listing. */
			memset(&paged, 0, sizeof(paged));
			paginate(r, &qs[qi], limits[li], &paged, NULL);
			qres_str(&paged, s2, sizeof(s2));
			assert_string_equal(s1, s2);
			qres_free(&paged);

			/* Prefixes coming and going between pages. */
			memset(&paged, 0, sizeof(paged));
			paginate(r, &qs[qi], limits[li], &paged, &c);
			for (k = 1; k < paged.n; k++)
				assert_true(key_cmp(&paged.p[k - 1],
				    &paged.rt[k - 1], &paged.p[k],
				    &paged.rt[k]) < 0);
			for (k = 0, nb = 0; k < paged.n; k++) {
				if (is_extra(&paged.p[k]))
					continue;
				assert_true(nb < full.n);
				assert_int_equal(key_cmp(&paged.p[k],
				    &paged.rt[k], &full.p[nb], &full.rt[nb]),
				    0);
				nb++;
			}
			assert_int_equal(nb, full.n);
			qres_free(&paged);
			/* Put the extras back out. */
			for (k = 0; k < c.n; k++)
				if (c.on[k]) {
					for (s = 0; s < 4; s++) {
						wd(r, c.pfx[k], s, 0, SEC);
						wd(r, c.pfx[k], s, 1, SEC);
					}
					c.on[k] = false;
				}
		}
		qres_free(&full);
	}
	RIB_CHECK(r);
	rib_free(r);
}

/*
 * The differential test: random operations on the RIB and on a naive
 * model side by side, the model being a flat array of slots, one per
 * (prefix, source, path id), holding which of a pool of attribute sets is
 * there.  Every so often the whole RIB is compared with the model: the
 * listing, flags, best paths (chosen by the model with its own naive
 * elimination), counts, node lifetimes, the history of a sample of
 * prefixes, and the routes of a sample of prefixes at past instants
 * against snapshots of the model.
 */
#define D_NSRC		20
#define D_NPID		4
#define D_POOL		64
#define D_SNAPS		4

struct dpool {
	struct tb	tb;
	int		lp;		/* -1: absent */
	int		med;		/* -1: absent */
	unsigned	count;
	uint32_t	nbr;
	uint8_t		origin;
};

struct dsrc {
	bool		addpath;
	bool		ibgp;
	uint32_t	bgp_id;
	struct addr	peer;
};

struct mslot {
	int16_t		pool;		/* -1: no route */
	uint8_t		stale;
	uint32_t	since;
	uint64_t	seq;		/* event that set it */
};

struct mev {
	uint64_t	time, seq;
	uint32_t	p;
	uint32_t	path_id;
	uint16_t	src;
	uint8_t		type;
	int16_t		oldp, newp;
};

struct dsnap {
	bool		used;
	uint64_t	t;
	uint64_t	seq;		/* events recorded by then */
	struct mslot	*slot;
};

struct dm {
	struct rib	*r;
	size_t		 np;
	struct prefix	*pfx;
	struct mslot	*slot;
	uint64_t	*last_seq;
	struct dpool	*pool;
	struct dsrc	 src[D_NSRC];
	uint64_t	 nev, max_events;
	size_t		 routes;
	size_t		 per[D_NSRC][2];
	struct mev	*log;
	size_t		 nlog, caplog;
	uint64_t	 log_from_t, log_from_seq;
	struct dsnap	 snap[D_SNAPS], first;
	size_t		 next_snap;
	uint64_t	 checks, cmp_routes, cmp_at, cmp_events;
};

static size_t
ds(size_t p, unsigned s, unsigned k)
{
	return ((p * D_NSRC + s) * D_NPID + k);
}

static uint32_t
dpath_id(const struct dm *m, unsigned s, unsigned k)
{
	return (m->src[s].addpath ? k + 1 : 0);
}

static int
pfx_qsort_cmp(const void *a, const void *b)
{
	return (prefix_cmp(a, b));
}

static uint64_t
d_head(const struct dm *m)
{
	return (m->nev > m->max_events ? m->nev - m->max_events + 1 : 1);
}

static void
d_event(struct dm *m, size_t p, unsigned s, unsigned k, uint8_t type,
    int oldp, int newp, uint64_t now)
{
	struct mev *e;

	m->nev++;
	m->last_seq[p] = m->nev;
	if (m->nlog == m->caplog) {
		m->caplog = m->caplog ? m->caplog * 2 : 4096;
		m->log = realloc(m->log, m->caplog * sizeof(*m->log));
		assert_non_null(m->log);
	}
	e = &m->log[m->nlog++];
	e->time = now;
	e->seq = m->nev;
	e->p = (uint32_t)p;
	e->src = (uint16_t)s;
	e->path_id = dpath_id(m, s, k);
	e->type = type;
	e->oldp = (int16_t)oldp;
	e->newp = (int16_t)newp;
}

/* The pool index of an attribute set, from its marker. */
static int
d_pool_of(struct dm *m, uint32_t id)
{
	struct rib_attrs a;

	if (id == 0)
		return (-1);
	assert_int_equal(rib_attr_get(m->r, id, &a), 0);
	assert_int_equal(a.large_communities_len, 12);
	return ((int)(a.large_communities[10] << 8 | a.large_communities[11]));
}

struct dcand {
	unsigned	s;
	uint32_t	path_id;
	int		pool;
	uint32_t	since;
};

/* Which step decided the model's best paths: proof each step is hit. */
static uint64_t d_decided[12];

/* RFC 4271 9.1.2.2 the long way: kill, step by step. */
static size_t
d_best(const struct dm *m, const struct dcand *c, size_t n)
{
	bool		 kill[D_NSRC * D_NPID], k2[D_NSRC * D_NPID];
	size_t		 i, j, left = n;
	int		 step;

	assert_true(n > 0 && n <= D_NSRC * D_NPID);
	memset(kill, 0, sizeof(kill));
	for (step = 1; step <= 10 && left > 1; step++) {
		memset(k2, 0, sizeof(k2));
		for (i = 0; i < n; i++) {
			const struct dpool *pi = &m->pool[c[i].pool];
			const struct dsrc *si = &m->src[c[i].s];

			if (kill[i])
				continue;
			for (j = 0; j < n; j++) {
				const struct dpool *pj = &m->pool[c[j].pool];
				const struct dsrc *sj = &m->src[c[j].s];
				int lpi = pi->lp < 0 ? 100 : pi->lp;
				int lpj = pj->lp < 0 ? 100 : pj->lp;
				int mi = pi->med < 0 ? 0 : pi->med;
				int mj = pj->med < 0 ? 0 : pj->med;
				bool worse = false;

				if (kill[j] || j == i)
					continue;
				switch (step) {
				case 1:
					worse = lpj > lpi;
					break;
				case 2:
					worse = pj->count < pi->count;
					break;
				case 3:
					worse = pj->origin < pi->origin;
					break;
				case 4:
					worse = pj->nbr == pi->nbr && mj < mi;
					break;
				case 5:
					worse = !sj->ibgp && si->ibgp;
					break;
				case 6:
					worse = c[j].since < c[i].since;
					break;
				case 7:
					worse = sj->bgp_id < si->bgp_id;
					break;
				case 8:
					worse = addr_cmp(&sj->peer,
					    &si->peer) < 0;
					break;
				case 9:
					worse = c[j].s < c[i].s;
					break;
				case 10:
					worse = c[j].path_id < c[i].path_id;
					break;
				}
				if (worse) {
					k2[i] = true;
					break;
				}
			}
		}
		for (i = 0; i < n; i++)
			if (k2[i]) {
				kill[i] = true;
				left--;
			}
		if (left == 1 && n > 1)
			d_decided[step]++;
	}
	if (n == 1)
		d_decided[0]++;
	assert_int_equal(left, 1);
	for (i = 0; i < n; i++)
		if (!kill[i])
			return (i);
	fail();
	return (0);
}

/* The model's routes of prefix p in a slot array, in RIB order. */
static size_t
d_cands(const struct dm *m, const struct mslot *slots, size_t p,
    struct dcand *c)
{
	size_t		n = 0;
	unsigned	s, k;

	for (s = 0; s < D_NSRC; s++)
		for (k = 0; k < D_NPID; k++) {
			const struct mslot *x = &slots[ds(p, s, k)];

			if (x->pool < 0)
				continue;
			c[n].s = s;
			c[n].path_id = dpath_id(m, s, k);
			c[n].pool = x->pool;
			c[n].since = x->since;
			n++;
		}
	return (n);
}

static void
d_announce(struct dm *m, size_t p, unsigned s, unsigned k, int pool,
    uint64_t now)
{
	struct mslot	*x = &m->slot[ds(p, s, k)];
	struct tb	*t = &m->pool[pool].tb;
	uint32_t	 id;
	int		 rc, want;

	id = rib_attr_intern(m->r, &t->a, &t->nh, NULL);
	assert_int_not_equal(id, 0);
	rc = rib_update(m->r, &m->pfx[p], (uint16_t)s, dpath_id(m, s, k), id,
	    now);
	rib_attr_put(m->r, id);
	if (x->pool == pool) {
		want = 0;
		x->stale = 0;
	} else {
		want = 1;
		d_event(m, p, s, k, x->pool < 0 ? RIB_EV_ANNOUNCE :
		    RIB_EV_REPLACE, x->pool, pool, now);
		if (x->pool < 0) {
			m->routes++;
			m->per[s][m->pfx[p].afi == AFI_IPV6]++;
		}
		x->pool = (int16_t)pool;
		x->stale = 0;
		x->since = (uint32_t)(now / SEC);
		x->seq = m->nev;
	}
	if (rc != want)
		fail_msg("announce: rib says %d, model %d", rc, want);
}

static void
d_remove(struct dm *m, size_t p, unsigned s, unsigned k, uint8_t type,
    uint64_t now)
{
	struct mslot *x = &m->slot[ds(p, s, k)];

	d_event(m, p, s, k, type, x->pool, -1, now);
	x->pool = -1;
	x->stale = 0;
	x->seq = 0;
	m->routes--;
	m->per[s][m->pfx[p].afi == AFI_IPV6]--;
}

static void
d_withdraw(struct dm *m, size_t p, unsigned s, unsigned k, uint64_t now)
{
	struct mslot	*x = &m->slot[ds(p, s, k)];
	int		 rc, want = x->pool >= 0;

	rc = rib_update(m->r, &m->pfx[p], (uint16_t)s, dpath_id(m, s, k), 0,
	    now);
	if (want)
		d_remove(m, p, s, k, RIB_EV_WITHDRAW, now);
	if (rc != want)
		fail_msg("withdraw: rib says %d, model %d", rc, want);
}

static bool
afi_ok(const struct prefix *p, uint8_t afi)
{
	return (afi == 0 || p->afi == afi);
}

/* A source's routes withdrawn in the RIB's order: prefixes, path ids down. */
static uint64_t
d_take_down(struct dm *m, unsigned s, uint8_t afi, bool stale_only,
    uint8_t type, uint64_t now)
{
	uint64_t	n = 0;
	size_t		p;
	int		k;

	for (p = 0; p < m->np; p++) {
		if (!afi_ok(&m->pfx[p], afi))
			continue;
		for (k = D_NPID - 1; k >= 0; k--) {
			struct mslot *x = &m->slot[ds(p, s, (unsigned)k)];

			if (x->pool < 0 || (stale_only && !x->stale))
				continue;
			d_remove(m, p, s, (unsigned)k, type, now);
			n++;
		}
	}
	return (n);
}

static void
d_check_full(struct dm *m, uint64_t now)
{
	struct rib_query	 q;
	struct rib_cursor	 next;
	struct rib_stats	 st;
	struct qres		 res;
	struct dcand		 c[D_NSRC * D_NPID];
	size_t			 p, i, j = 0, n, b, prefixes[2] = { 0, 0 };
	uint64_t		 head = d_head(m);
	unsigned		 s;
	char			 pb[PREFIX_STRLEN];

	RIB_CHECK(m->r);
	qinit(&q, RIB_MATCH_ALL, NULL);
	memset(&res, 0, sizeof(res));
	rib_query(m->r, &q, qres_cb, &res, &next);
	for (p = 0; p < m->np; p++) {
		n = d_cands(m, m->slot, p, c);
		if (n > 0 || m->last_seq[p] >= head)
			prefixes[m->pfx[p].afi == AFI_IPV6]++;
		if (n == 0)
			continue;
		b = d_best(m, c, n);
		for (i = 0; i < n; i++, j++) {
			const struct mslot *x;
			uint16_t want_flags;

			if (j >= res.n)
				fail_msg("rib lists %zu routes, model more",
				    res.n);
			x = &m->slot[ds(p, c[i].s, c[i].path_id == 0 ? 0 :
			    c[i].path_id - 1)];
			want_flags = (uint16_t)((x->stale ? ROUTE_F_STALE : 0) |
			    (i == b ? ROUTE_F_BEST : 0));
			if (prefix_cmp(&res.p[j], &m->pfx[p]) != 0 ||
			    res.rt[j].src != c[i].s ||
			    res.rt[j].path_id != c[i].path_id ||
			    d_pool_of(m, res.rt[j].attr) != c[i].pool ||
			    res.rt[j].since != c[i].since ||
			    res.rt[j].flags != want_flags)
				fail_msg("route %zu: rib %s#%u/%u pool %d "
				    "since %u flags %x; model %s#%u/%u pool %d "
				    "since %u flags %x", j,
				    prefix_fmt(&res.p[j], pb, sizeof(pb)),
				    res.rt[j].src, res.rt[j].path_id,
				    d_pool_of(m, res.rt[j].attr),
				    res.rt[j].since, res.rt[j].flags,
				    prefix_fmt(&m->pfx[p], qbuf, 64), c[i].s,
				    c[i].path_id, c[i].pool, c[i].since,
				    want_flags);
		}
	}
	assert_int_equal(j, res.n);
	m->cmp_routes += res.n;
	qres_free(&res);
	for (s = 0; s < D_NSRC; s++) {
		assert_int_equal(rib_source_routes(m->r, (uint16_t)s,
		    AFI_IPV4), m->per[s][0]);
		assert_int_equal(rib_source_routes(m->r, (uint16_t)s,
		    AFI_IPV6), m->per[s][1]);
	}
	rib_stats(m->r, &st);
	assert_int_equal(st.routes, m->routes);
	assert_int_equal(st.prefixes[0], prefixes[0]);
	assert_int_equal(st.prefixes[1], prefixes[1]);
	assert_int_equal(st.events_total, m->nev);
	assert_int_equal(st.events, m->nev - (head - 1));
	assert_int_equal(st.events_dropped_mem, head - 1);
	(void)now;
}

/* rib_routes_at against a snapshot, for a sample of prefixes. */
static void
d_check_at(struct dm *m, const struct dsnap *sn, size_t sample)
{
	struct dcand	 c[D_NSRC * D_NPID];
	struct route	 v[D_NSRC * D_NPID];
	uint64_t	 head = d_head(m);
	size_t		 i, n, got, b, p;
	bool		 tr, want_tr = head > sn->seq + 1;

	for (i = 0; i < sample; i++) {
		p = prnd((uint32_t)m->np);
		got = rib_routes_at(m->r, &m->pfx[p], sn->t, v,
		    D_NSRC * D_NPID, &tr);
		assert_int_equal(tr, want_tr);
		if (tr)
			continue;
		n = d_cands(m, sn->slot, p, c);
		for (size_t k = 0; k < n; k++) {
			const struct mslot *then, *now;
			unsigned kk = c[k].path_id == 0 ? 0 :
			    c[k].path_id - 1;

			then = &sn->slot[ds(p, c[k].s, kk)];
			now = &m->slot[ds(p, c[k].s, kk)];
			/* Unchanged since: the live route's; else history. */
			if (!(now->pool >= 0 && now->seq == then->seq) &&
			    then->seq < head)
				c[k].since = 0;
		}
		if (got != n)
			fail_msg("routes_at prefix %zu: %zu routes, model %zu",
			    p, got, n);
		if (n == 0)
			continue;
		b = d_best(m, c, n);
		for (size_t k = 0; k < n; k++) {
			if (v[k].src != c[k].s ||
			    v[k].path_id != c[k].path_id ||
			    d_pool_of(m, v[k].attr) != c[k].pool ||
			    v[k].since != c[k].since ||
			    v[k].flags != (k == b ? ROUTE_F_BEST : 0))
				fail_msg("routes_at prefix %zu route %zu: rib "
				    "%u/%u pool %d since %u flags %x; model "
				    "%u/%u pool %d since %u best %d", p, k,
				    v[k].src, v[k].path_id,
				    d_pool_of(m, v[k].attr), v[k].since,
				    v[k].flags, c[k].s, c[k].path_id,
				    c[k].pool, c[k].since, k == b);
		}
		m->cmp_at += n;
	}
}

/* rib_history of a sample of prefixes over the log since the last check. */
static void
d_check_history(struct dm *m, uint64_t now, size_t sample)
{
	struct evres	*got = malloc(sizeof(*got));
	uint64_t	 head = d_head(m);
	size_t		 i, j, k, n;
	uint32_t	 p;
	bool		 tr, want_tr = head - 1 > m->log_from_seq;

	assert_non_null(got);
	for (i = 0; i < sample && m->nlog > 0; i++) {
		p = m->log[prnd((uint32_t)m->nlog)].p;
		memset(got, 0, sizeof(*got));
		n = 0;
		for (j = 0; j < m->nlog; j++)
			if (m->log[j].p == p && m->log[j].seq >= head)
				n++;
		if (n > 256)
			continue;	/* more than the collector holds */
		assert_int_equal(rib_history(m->r, &m->pfx[p], false,
		    m->log_from_t, now, ev_cb, got, &tr), n);
		assert_int_equal(tr, want_tr);
		/* Newest first. */
		for (j = m->nlog, k = 0; j-- > 0;) {
			const struct mev *e = &m->log[j];
			const struct rib_event *g;

			if (e->p != p || e->seq < head)
				continue;
			g = &got->ev[k++];
			if (g->time_us != e->time || g->src != e->src ||
			    g->path_id != e->path_id || g->type != e->type ||
			    d_pool_of(m, g->attr_old) != e->oldp ||
			    d_pool_of(m, g->attr_new) != e->newp ||
			    prefix_cmp(&g->pfx, &m->pfx[p]) != 0)
				fail_msg("history of prefix %u, event %zu "
				    "differs", p, k);
		}
		m->cmp_events += n;
	}
	free(got);
}

/* The model's answer to a query, as "pfx#src/path" keys in order. */
static size_t
d_query_model(struct dm *m, const struct rib_query *q, struct prefix *op,
    struct route *ort, size_t max)
{
	struct dcand	c[D_NSRC * D_NPID];
	size_t		p, i, n, b, out = 0;
	long		longest = -1;
	bool		any;

	for (p = 0; p < m->np; p++) {
		const struct prefix *x = &m->pfx[p];

		switch (q->match) {
		case RIB_MATCH_ALL:
			if (q->afi != 0 && x->afi != q->afi)
				continue;
			break;
		case RIB_MATCH_EXACT:
			if (prefix_cmp(x, &q->pfx) != 0)
				continue;
			break;
		case RIB_MATCH_MORE:
			if (!prefix_covers(&q->pfx, x))
				continue;
			break;
		case RIB_MATCH_LESS:
		case RIB_MATCH_LONGEST:
			if (!prefix_covers(x, &q->pfx))
				continue;
			break;
		}
		n = d_cands(m, m->slot, p, c);
		if (n == 0)
			continue;
		b = d_best(m, c, n);
		for (i = 0, any = false; i < n; i++) {
			if ((q->src >= 0 && c[i].s != (unsigned)q->src) ||
			    (q->best_only && i != b))
				continue;
			any = true;
			if (q->match == RIB_MATCH_LONGEST)
				break;
			assert_true(out < max);
			op[out] = *x;
			ort[out].src = (uint16_t)c[i].s;
			ort[out].path_id = c[i].path_id;
			out++;
		}
		if (any && q->match == RIB_MATCH_LONGEST)
			longest = (long)p;
	}
	if (longest >= 0) {
		n = d_cands(m, m->slot, (size_t)longest, c);
		b = d_best(m, c, n);
		for (i = 0; i < n; i++) {
			if ((q->src >= 0 && c[i].s != (unsigned)q->src) ||
			    (q->best_only && i != b))
				continue;
			op[out] = m->pfx[longest];
			ort[out].src = (uint16_t)c[i].s;
			ort[out].path_id = c[i].path_id;
			out++;
		}
	}
	return (out);
}

/* Random queries of every kind, some paginated, against the model. */
static void
d_check_queries(struct dm *m, size_t rounds)
{
	static const enum rib_match kinds[] = { RIB_MATCH_EXACT,
	    RIB_MATCH_LONGEST, RIB_MATCH_MORE, RIB_MATCH_LESS, RIB_MATCH_ALL };
	size_t			 max = m->np * D_NSRC * D_NPID;
	struct prefix		*wp = malloc(max * sizeof(*wp));
	struct route		*wr = malloc(max * sizeof(*wr));
	struct rib_query	 q;
	struct rib_cursor	 next;
	struct qres		 res;
	size_t			 i, k, n, len;

	assert_non_null(wp);
	assert_non_null(wr);
	for (i = 0; i < rounds; i++) {
		memset(&q, 0, sizeof(q));
		q.match = kinds[prnd(5)];
		q.src = prnd(3) == 0 ? (int)prnd(D_NSRC) : -1;
		q.best_only = prnd(4) == 0;
		q.afi = (uint8_t)prnd(3);
		q.pfx = m->pfx[prnd((uint32_t)m->np)];
		if (prnd(2) == 0) {
			/* Near a prefix of the table, not one of it. */
			len = afi_bits(q.pfx.afi);
			q.pfx.len = (uint8_t)prnd((uint32_t)len + 1);
			q.pfx.b[prnd((uint32_t)len / 8)] ^=
			    (uint8_t)(1u << prnd(8));
			prefix_mask(&q.pfx);
		}
		n = d_query_model(m, &q, wp, wr, max);
		memset(&res, 0, sizeof(res));
		if (prnd(3) == 0) {
			q.limit = 1 + prnd(40);
			do {
				rib_query(m->r, &q, qres_cb, &res, &next);
				q.after = next;
			} while (next.valid);
		} else
			rib_query(m->r, &q, qres_cb, &res, &next);
		if (res.n != n)
			fail_msg("query %d (src %d best %d afi %u): rib %zu "
			    "routes, model %zu", q.match, q.src, q.best_only,
			    q.afi, res.n, n);
		for (k = 0; k < n; k++)
			if (key_cmp(&res.p[k], &res.rt[k], &wp[k], &wr[k]) !=
			    0)
				fail_msg("query %d: route %zu differs", q.match,
				    k);
		qres_free(&res);
	}
	free(wp);
	free(wr);
}

static void
d_snapshot(struct dm *m, struct dsnap *sn, uint64_t now)
{
	size_t bytes = m->np * D_NSRC * D_NPID * sizeof(struct mslot);

	if (sn->slot == NULL)
		sn->slot = malloc(bytes);
	assert_non_null(sn->slot);
	memcpy(sn->slot, m->slot, bytes);
	sn->t = now;
	sn->seq = m->nev;
	sn->used = true;
}

static void
d_check(struct dm *m, uint64_t now)
{
	size_t i;

	m->checks++;
	d_check_full(m, now);
	d_check_history(m, now, 40);
	d_check_queries(m, 60);
	for (i = 0; i < D_SNAPS; i++)
		if (m->snap[i].used)
			d_check_at(m, &m->snap[i], 300);
	if (m->first.used)
		d_check_at(m, &m->first, 20);
	/* A new snapshot, and a new log window. */
	d_snapshot(m, &m->snap[m->next_snap], now);
	m->next_snap = (m->next_snap + 1) % D_SNAPS;
	if (!m->first.used)
		d_snapshot(m, &m->first, now);
	m->nlog = 0;
	m->log_from_t = now + 1;
	m->log_from_seq = m->nev;
}

static void
d_prefixes(struct dm *m)
{
	size_t		i, n = 0, cap = 6000;
	struct prefix	*v = calloc(cap, sizeof(*v));
	static const uint8_t l4[] = { 8, 12, 16, 16, 20, 22, 24, 24, 24, 24,
	    24, 25, 26, 28, 32, 32 };
	static const uint8_t l6[] = { 32, 40, 48, 48, 56, 64, 64, 64, 96,
	    128, 128 };
	uint32_t	a;

	assert_non_null(v);
	for (i = 0; i < 3800; i++) {
		v[n].afi = AFI_IPV4;
		v[n].len = l4[prnd(sizeof(l4))];
		a = (10u + prnd(2)) << 24 | prnd(8) << 16 | prnd(64) << 8 |
		    prnd(256);
		v[n].b[0] = (uint8_t)(a >> 24);
		v[n].b[1] = (uint8_t)(a >> 16);
		v[n].b[2] = (uint8_t)(a >> 8);
		v[n].b[3] = (uint8_t)a;
		prefix_mask(&v[n]);
		n++;
	}
	for (i = 0; i < 1800; i++) {
		v[n].afi = AFI_IPV6;
		v[n].len = l6[prnd(sizeof(l6))];
		v[n].b[0] = 0x20;
		v[n].b[1] = 0x01;
		v[n].b[2] = 0x0d;
		v[n].b[3] = 0xb8;
		v[n].b[5] = (uint8_t)prnd(4);
		v[n].b[7] = (uint8_t)prnd(32);
		v[n].b[8] = (uint8_t)prnd(4);
		v[n].b[15] = (uint8_t)prnd(256);
		v[n].b[14] = (uint8_t)prnd(3);
		prefix_mask(&v[n]);
		n++;
	}
	qsort(v, n, sizeof(*v), pfx_qsort_cmp);
	for (i = 1, m->np = 1; i < n; i++)
		if (prefix_cmp(&v[i], &v[m->np - 1]) != 0)
			v[m->np++] = v[i];
	m->pfx = v;
}

static uint64_t
env_u64(const char *name, uint64_t def)
{
	const char *s = getenv(name);

	return (s != NULL && *s != '\0' ? strtoull(s, NULL, 0) : def);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + (double)ts.tv_nsec / 1e9);
}

#if defined(__SANITIZE_ADDRESS__)
#define D_DEFAULT_OPS	500000
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define D_DEFAULT_OPS	500000
#endif
#endif
#ifndef D_DEFAULT_OPS
#define D_DEFAULT_OPS	1000000
#endif

static void
test_differential(void **state)
{
	struct dm		*m = calloc(1, sizeof(*m));
	struct rib_stats	 st;
	uint64_t		 seed, ops, op, now, every, due[D_NSRC];
	uint64_t		 n_ann = 0, n_wd = 0, n_flush = 0, n_gr = 0;
	uint8_t			 due_afi[D_NSRC];
	size_t			 recent[8192], nrecent = 0, p, i;
	unsigned		 s, k;
	char			 spec[256], peer[64];
	double			 t0, t_ops = 0, t_checks = 0, t1;
	int			 pool;

	assert_non_null(m);
	seed = env_u64("RIB_TEST_SEED", (uint64_t)time(NULL));
	ops = env_u64("RIB_TEST_OPS", D_DEFAULT_OPS);
	print_message("differential: RIB_TEST_SEED=%llu RIB_TEST_OPS=%llu\n",
	    (unsigned long long)seed, (unsigned long long)ops);
	prng_state = seed;
	every = ops / 40 > 1000 ? ops / 40 : 1000;
	m->max_events = ops / 6 > 1000 ? ops / 6 : 1000;
	d_prefixes(m);
	m->slot = malloc(m->np * D_NSRC * D_NPID * sizeof(*m->slot));
	m->last_seq = calloc(m->np, sizeof(*m->last_seq));
	assert_non_null(m->slot);
	assert_non_null(m->last_seq);
	for (i = 0; i < m->np * D_NSRC * D_NPID; i++) {
		m->slot[i].pool = -1;
		m->slot[i].stale = 0;
		m->slot[i].since = 0;
		m->slot[i].seq = 0;
	}
	for (s = 0; s < D_NSRC; s++) {
		m->src[s].addpath = s % 4 == 0;
		m->src[s].ibgp = s % 5 == 1;
		/*
		 * Router ids and addresses shared by a few sources each, in
		 * orders unrelated to each other and to the source index, so
		 * each tie-break step decides on its own.
		 */
		m->src[s].bgp_id = 0x01010101u * (1 + (s * 7) % 10);
		if (s < 16)
			snprintf(peer, sizeof(peer), "10.0.0.%u",
			    1 + (s * 5) % 6);
		else
			snprintf(peer, sizeof(peer), "2001:db8::%u", s % 3);
		if (s == D_NSRC - 1) {
			/* Twin of the one before: the source index decides. */
			m->src[s].bgp_id = m->src[s - 1].bgp_id;
			snprintf(peer, sizeof(peer), "2001:db8::%u",
			    (s - 1) % 3);
			m->src[s].ibgp = m->src[s - 1].ibgp;
			m->src[s].addpath = m->src[s - 1].addpath;
		}
		assert_int_equal(addr_parse(peer, &m->src[s].peer), 0);
	}
	/* A year of age limit: only rib_history_expire at the end drops. */
	m->r = mkrib(m->max_events, 365 * 86400);
	for (s = 0; s < D_NSRC; s++) {
		struct rib_source rs;

		memset(&rs, 0, sizeof(rs));
		rs.peer = m->src[s].peer;
		rs.peer_as = 65001 + s % 4;
		rs.peer_bgp_id = m->src[s].bgp_id;
		rs.ibgp = m->src[s].ibgp;
		rs.table = RIB_TBL_PEER;
		rs.distinguisher = s;
		assert_int_equal(rib_source_add(m->r, &rs), s);
	}
	m->pool = calloc(D_POOL, sizeof(*m->pool));
	assert_non_null(m->pool);
	for (i = 0; i < D_POOL; i++) {
		struct dpool	*d = &m->pool[i];
		char		*sp = spec;
		unsigned	 j;

		/*
		 * Few values per step, so that routes often tie up to MED
		 * and MED often meets routes of one neighbour AS.
		 */
		d->nbr = 65001 + (uint32_t)i % 3;
		d->med = (int)((i / 3) % 4) * 10 - 10;	/* absent, 0, 10, 20 */
		d->count = 1 + (unsigned)(i / 12) % 2;
		d->lp = i / 24 == 2 ? 150 : i % 24 == 5 ? 100 : -1;
		d->origin = i % 17 == 0 ? 1 : 0;
		sp += sprintf(sp, "path=%u", d->nbr);
		for (j = 1; j < d->count; j++)
			sp += sprintf(sp, ",%u", 64512 + (unsigned)i + j);
		if (d->lp >= 0)
			sp += sprintf(sp, " lp=%d", d->lp);
		if (d->med >= 0)
			sp += sprintf(sp, " med=%d", d->med);
		sp += sprintf(sp, " origin=%u large=64512:7:%zu", d->origin,
		    i);
		if (i % 2)
			sp += sprintf(sp, " comm=65001:%zu", i % 5);
		sprintf(sp, " nh=10.%zu.0.1", i);
		tb_build(&d->tb, spec);
	}
	print_message("differential: %zu prefixes, %d sources, %d attribute "
	    "sets, history of %llu events, a check every %llu operations\n",
	    m->np, D_NSRC, D_POOL, (unsigned long long)m->max_events,
	    (unsigned long long)every);

	memset(due, 0, sizeof(due));
	now = 1000000000ULL * SEC;
	m->log_from_t = now;
	t0 = now_s();
	for (op = 1; op <= ops; op++) {
		uint32_t dice = prnd(10000);

		/*
		 * Time: mostly forward, sometimes standing still.  In every
		 * other stretch it crawls, so that many routes share their
		 * second and the tie-breaks after age get to decide.
		 */
		if ((op / 50000) % 2 == 0) {
			if (prnd(4) != 0)
				now += 1 + prnd(300000);
		} else
			now += prnd(1000) == 0 ? SEC : prnd(3);
		for (s = 0; s < D_NSRC; s++)
			if (due[s] == op) {
				uint64_t want = d_take_down(m, s, due_afi[s],
				    true, RIB_EV_WITHDRAW, now);

				assert_int_equal(rib_source_sweep_stale(m->r,
				    (uint16_t)s, due_afi[s], now), want);
				due[s] = 0;
			}
		if (dice < 6200) {
			p = prnd((uint32_t)m->np);
			s = prnd(D_NSRC);
			k = m->src[s].addpath ? prnd(D_NPID) : 0;
			pool = prnd(D_POOL);
			if (m->slot[ds(p, s, k)].pool >= 0 && prnd(3) == 0)
				pool = m->slot[ds(p, s, k)].pool;
			d_announce(m, p, s, k, pool, now);
			recent[nrecent++ % 8192] = ds(p, s, k);
			n_ann++;
		} else if (dice < 9990) {
			size_t x;

			if (prnd(2) == 0 && nrecent > 0)
				x = recent[prnd((uint32_t)(nrecent < 8192 ?
				    nrecent : 8192))];
			else
				x = prnd((uint32_t)(m->np * D_NSRC * D_NPID));
			k = (unsigned)(x % D_NPID);
			s = (unsigned)(x / D_NPID % D_NSRC);
			p = x / D_NPID / D_NSRC;
			if (!m->src[s].addpath)
				k = 0;
			d_withdraw(m, p, s, k, now);
			n_wd++;
		} else if (dice < 9995) {
			uint64_t want;

			s = prnd(D_NSRC);
			want = d_take_down(m, s, 0, false, RIB_EV_SOURCE_DOWN,
			    now);
			assert_int_equal(rib_source_flush(m->r, (uint16_t)s,
			    now), want);
			n_flush++;
		} else {
			uint64_t	want = 0;
			uint8_t		afi = (uint8_t)prnd(3);

			s = prnd(D_NSRC);
			if (due[s] == 0) {
				for (p = 0; p < m->np; p++) {
					if (!afi_ok(&m->pfx[p], afi))
						continue;
					for (k = 0; k < D_NPID; k++) {
						struct mslot *x =
						    &m->slot[ds(p, s, k)];

						if (x->pool >= 0) {
							x->stale = 1;
							want++;
						}
					}
				}
				assert_int_equal(rib_source_mark_stale(m->r,
				    (uint16_t)s, afi), want);
				due[s] = op + 1 + prnd(5000);
				due_afi[s] = afi;
				n_gr++;
			}
		}
		if (op % every == 0 || op == ops) {
			t1 = now_s();
			t_ops += t1 - t0;
			d_check(m, now);
			now += 1;
			t0 = now_s();
			t_checks += t0 - t1;
		}
	}
	rib_stats(m->r, &st);
	print_message("differential: %llu operations (%llu announces, %llu "
	    "withdrawals, %llu flushes, %llu restarts) in %.2f s: %.0f "
	    "operations/s; %llu checks in %.2f s (%llu routes, %llu past "
	    "routes, %llu events compared); at the end %llu routes, %llu+%llu "
	    "prefixes, %llu attribute sets, %llu events kept of %llu\n",
	    (unsigned long long)ops, (unsigned long long)n_ann,
	    (unsigned long long)n_wd, (unsigned long long)n_flush,
	    (unsigned long long)n_gr, t_ops, (double)ops / t_ops,
	    (unsigned long long)m->checks, t_checks,
	    (unsigned long long)m->cmp_routes, (unsigned long long)m->cmp_at,
	    (unsigned long long)m->cmp_events,
	    (unsigned long long)st.routes, (unsigned long long)st.prefixes[0],
	    (unsigned long long)st.prefixes[1],
	    (unsigned long long)st.attr_sets, (unsigned long long)st.events,
	    (unsigned long long)st.events_total);

	print_message("differential: best paths decided by step (1 lp, 2 "
	    "path, 3 origin, 4 med, 5 ebgp, 6 age, 7 id, 8 address, 9 "
	    "source, 10 path id; 0 alone):");
	for (i = 0; i <= 10; i++)
		print_message(" %zu:%llu", i,
		    (unsigned long long)d_decided[i]);
	print_message("\n");

	/* Everything out: the tables end empty. */
	for (s = 0; s < D_NSRC; s++) {
		uint64_t want = d_take_down(m, s, 0, false,
		    RIB_EV_SOURCE_DOWN, now);

		assert_int_equal(rib_source_flush(m->r, (uint16_t)s, now),
		    want);
	}
	d_check_full(m, now);
	rib_history_expire(m->r, now + 2000000000ULL * SEC);
	rib_stats(m->r, &st);
	assert_int_equal(st.routes, 0);
	assert_int_equal(st.events, 0);
	assert_int_equal(st.prefixes[0] + st.prefixes[1], 0);
	assert_int_equal(st.attr_sets, 0);
	assert_int_equal(st.aspaths, 0);
	assert_int_equal(st.community_lists, 0);
	RIB_CHECK(m->r);

	rib_free(m->r);
	for (i = 0; i < D_SNAPS; i++)
		free(m->snap[i].slot);
	free(m->first.slot);
	free(m->pool);
	free(m->slot);
	free(m->last_seq);
	free(m->pfx);
	free(m->log);
	free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attr_equal_sets_share_id),
		cmocka_unit_test(test_attr_differences),
		cmocka_unit_test(test_attr_nexthops),
		cmocka_unit_test(test_attr_get_fields),
		cmocka_unit_test(test_attr_from_updates),
		cmocka_unit_test(test_attr_refcounts_drain),
		cmocka_unit_test(test_best_steps),
		cmocka_unit_test(test_best_last_resort),
		cmocka_unit_test(test_best_med_elimination),
		cmocka_unit_test(test_update_basics),
		cmocka_unit_test(test_update_addpath_and_counts),
		cmocka_unit_test(test_update_many_paths),
		cmocka_unit_test(test_source_flush),
		cmocka_unit_test(test_graceful_restart),
		cmocka_unit_test(test_history_window),
		cmocka_unit_test(test_routes_at),
		cmocka_unit_test(test_history_max_events),
		cmocka_unit_test(test_history_expire),
		cmocka_unit_test(test_history_chunk_boundaries),
		cmocka_unit_test(test_history_time_gap),
		cmocka_unit_test(test_history_chunks_released),
		cmocka_unit_test(test_lock_yield),
		cmocka_unit_test(test_lock_histogram),
		cmocka_unit_test(test_entry_path_ids),
		cmocka_unit_test(test_entry_shrink),
		cmocka_unit_test(test_clock_backwards),
		cmocka_unit_test(test_query_match),
		cmocka_unit_test(test_query_aspath_regex),
		cmocka_unit_test(test_query_stop),
		cmocka_unit_test(test_query_text_budget),
		cmocka_unit_test(test_query_scan_budget),
		cmocka_unit_test(test_query_pagination),
		cmocka_unit_test(test_differential),
	};

	TB = calloc(1, sizeof(*TB));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
