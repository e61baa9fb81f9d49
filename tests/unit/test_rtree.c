/*
 * test_rtree.c -- the radix tree: edge cases by hand, then a randomized
 * differential run against a sorted array.
 *
 * RTREE_SEED=n repeats a randomized run (the seed is printed);
 * RTREE_OPS=n changes the length of the differential run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "prefix.h"
#include "rtree.h"

/*
 * Helpers.
 */

static uint64_t rng;

static uint64_t
rnd(void)
{
	uint64_t z;

	/* splitmix64 */
	z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static uint64_t
env_u64(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);

	if (s == NULL || *s == '\0')
		return (dflt);
	return (strtoull(s, NULL, 0));
}

static uint64_t
seed_rng(const char *what)
{
	uint64_t seed;

	seed = env_u64("RTREE_SEED",
	    (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));
	printf("%s: seed %llu (set RTREE_SEED to repeat)\n", what,
	    (unsigned long long)seed);
	fflush(stdout);
	rng = seed;
	return (seed);
}

static struct prefix
pfx(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p) == -1)
		fail_msg("bad prefix in test: %s", s);
	return (p);
}

static struct addr
adr(const char *s)
{
	struct addr a;

	if (addr_parse(s, &a) == -1)
		fail_msg("bad address in test: %s", s);
	return (a);
}

static void
check(const struct rtree *t)
{
	const char *err;

	if ((err = rtree_check(t)) != NULL)
		fail_msg("rtree_check: %s", err);
}

static struct rtnode *
ins(struct rtree *t, const char *s)
{
	struct prefix	 p = pfx(s);
	struct rtnode	*n;

	n = rtree_insert(t, &p, NULL);
	assert_non_null(n);
	return (n);
}

static void
del(struct rtree *t, const char *s)
{
	struct prefix p = pfx(s);

	assert_int_equal(rtree_delete(t, &p, NULL), 0);
	check(t);
}

static size_t
nodes(const struct rtree *t)
{
	struct rtree_stats st;

	rtree_stats(t, &st);
	return (st.nodes);
}

static size_t
nprefixes(const struct rtree *t)
{
	struct rtree_stats st;

	rtree_stats(t, &st);
	return (st.prefixes);
}

/* The prefix of n as text, "-" for NULL. */
static const char *
fmt(const struct rtree *t, const struct rtnode *n, char *buf)
{
	struct prefix p;

	if (n == NULL)
		return ("-");
	rtnode_prefix(t, n, &p);
	return (prefix_fmt(&p, buf, PREFIX_STRLEN));
}

static void
expect_node(const struct rtree *t, const struct rtnode *n, const char *want)
{
	char buf[PREFIX_STRLEN];

	assert_string_equal(fmt(t, n, buf), want);
}

/* Drain an iterator, comparing with a NULL-terminated list. */
static void
expect_iter(struct rtree_iter *it, const char *const *want)
{
	struct rtnode	*n;
	char		 buf[PREFIX_STRLEN];
	size_t		 i = 0;

	while ((n = rtree_iter_next(it)) != NULL) {
		if (want[i] == NULL)
			fail_msg("walk: extra %s", fmt(it->t, n, buf));
		assert_string_equal(fmt(it->t, n, buf), want[i]);
		i++;
	}
	if (want[i] != NULL)
		fail_msg("walk: missing %s", want[i]);
}

static void
expect_more(const struct rtree *t, const char *within, const char *after,
    const char *const *want)
{
	struct rtree_iter	it;
	struct prefix		w, a;

	if (within != NULL)
		w = pfx(within);
	if (after != NULL)
		a = pfx(after);
	rtree_iter_more(&it, t, within ? &w : NULL, after ? &a : NULL);
	expect_iter(&it, want);
}

static void
expect_less(const struct rtree *t, const char *of, const char *const *want)
{
	struct rtree_iter	it;
	struct prefix		p = pfx(of);

	rtree_iter_less(&it, t, &p);
	expect_iter(&it, want);
}

static void
expect_match(const struct rtree *t, const char *a, const char *want)
{
	struct addr x = adr(a);

	expect_node(t, rtree_match(t, &x), want);
}

/*
 * Edge cases by hand.
 */

static void
test_create(void **state)
{
	struct rtree		*t4, *t6;
	struct rtree_stats	 st;

	t4 = rtree_create(AFI_IPV4);
	t6 = rtree_create(AFI_IPV6);
	assert_non_null(t4);
	assert_non_null(t6);
	assert_int_equal(rtree_afi(t4), AFI_IPV4);
	assert_int_equal(rtree_afi(t6), AFI_IPV6);
	rtree_stats(t4, &st);
	assert_int_equal(st.prefixes, 0);
	assert_int_equal(st.nodes, 1);		/* the /0 root */
	assert_true(st.node_size <= 40);
	assert_true(st.slabs == 1 && st.bytes > 0);
	rtree_stats(t6, &st);
	assert_true(st.node_size <= 56);
	check(t4);
	check(t6);

	errno = 0;
	assert_null(rtree_create(3));
	assert_int_equal(errno, EAFNOSUPPORT);

	/* Everything on an empty tree finds nothing. */
	expect_match(t4, "1.2.3.4", "-");
	expect_node(t4, rtree_lookup(t4, &(struct prefix){ .afi = AFI_IPV4 }),
	    "-");
	expect_more(t4, NULL, NULL, (const char *[]){ NULL });
	expect_less(t4, "1.2.3.4/32", (const char *[]){ NULL });
	assert_int_equal(rtree_delete(t4, &(struct prefix){ .afi = AFI_IPV4 },
	    NULL), -1);
	rtree_destroy(t4, NULL, NULL);
	rtree_destroy(t6, NULL, NULL);
	rtree_destroy(NULL, NULL, NULL);
}

static void
test_default_and_host(void **state)
{
	struct rtree *t4 = rtree_create(AFI_IPV4);
	struct rtree *t6 = rtree_create(AFI_IPV6);

	ins(t4, "0.0.0.0/0");
	ins(t4, "192.0.2.1/32");
	ins(t4, "255.255.255.255/32");
	ins(t4, "0.0.0.0/32");
	check(t4);
	expect_match(t4, "192.0.2.1", "192.0.2.1/32");
	expect_match(t4, "192.0.2.0", "0.0.0.0/0");
	expect_match(t4, "255.255.255.255", "255.255.255.255/32");
	expect_match(t4, "255.255.255.254", "0.0.0.0/0");
	expect_match(t4, "0.0.0.0", "0.0.0.0/32");
	expect_more(t4, NULL, NULL, (const char *[]){ "0.0.0.0/0",
	    "0.0.0.0/32", "192.0.2.1/32", "255.255.255.255/32", NULL });
	expect_less(t4, "192.0.2.1/32",
	    (const char *[]){ "0.0.0.0/0", "192.0.2.1/32", NULL });

	/* The root stays when /0 goes; the rest is untouched. */
	del(t4, "0.0.0.0/0");
	expect_match(t4, "192.0.2.0", "-");
	expect_match(t4, "192.0.2.1", "192.0.2.1/32");
	assert_int_equal(nprefixes(t4), 3);
	del(t4, "0.0.0.0/32");
	del(t4, "192.0.2.1/32");
	del(t4, "255.255.255.255/32");
	assert_int_equal(nodes(t4), 1);

	ins(t6, "::/0");
	ins(t6, "2001:db8::1/128");
	ins(t6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	ins(t6, "2001:db8::/32");
	check(t6);
	expect_match(t6, "2001:db8::1", "2001:db8::1/128");
	expect_match(t6, "2001:db8::2", "2001:db8::/32");
	expect_match(t6, "2001:db9::1", "::/0");
	expect_match(t6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	expect_less(t6, "2001:db8::1/128", (const char *[]){ "::/0",
	    "2001:db8::/32", "2001:db8::1/128", NULL });
	expect_more(t6, "2001:db8::/32", NULL, (const char *[]){
	    "2001:db8::/32", "2001:db8::1/128", NULL });
	/* An address of the other family matches nothing. */
	expect_match(t6, "192.0.2.1", "-");
	rtree_destroy(t4, NULL, NULL);
	rtree_destroy(t6, NULL, NULL);
}

static void
test_nested(void **state)
{
	struct rtree	*t = rtree_create(AFI_IPV4);
	struct prefix	 p;

	ins(t, "10.0.0.0/8");
	ins(t, "10.0.0.0/16");
	ins(t, "10.0.0.0/24");
	ins(t, "10.0.0.1/32");
	ins(t, "10.128.0.0/9");
	ins(t, "10.0.1.0/24");
	check(t);

	expect_match(t, "10.0.0.1", "10.0.0.1/32");
	expect_match(t, "10.0.0.2", "10.0.0.0/24");
	expect_match(t, "10.0.1.2", "10.0.1.0/24");
	expect_match(t, "10.0.2.2", "10.0.0.0/16");
	expect_match(t, "10.1.0.0", "10.0.0.0/8");
	expect_match(t, "10.200.0.0", "10.128.0.0/9");
	expect_match(t, "11.0.0.0", "-");

	p = pfx("10.0.0.0/12");
	expect_node(t, rtree_match_prefix(t, &p), "10.0.0.0/8");
	p = pfx("10.0.0.0/24");
	expect_node(t, rtree_match_prefix(t, &p), "10.0.0.0/24");
	expect_node(t, rtree_lookup(t, &p), "10.0.0.0/24");
	p = pfx("10.0.0.0/23");		/* glue, not a prefix */
	expect_node(t, rtree_lookup(t, &p), "-");
	expect_node(t, rtree_match_prefix(t, &p), "10.0.0.0/16");
	p = pfx("10.0.0.0/25");
	expect_node(t, rtree_lookup(t, &p), "-");

	expect_less(t, "10.0.0.1/32", (const char *[]){ "10.0.0.0/8",
	    "10.0.0.0/16", "10.0.0.0/24", "10.0.0.1/32", NULL });
	/* Absent prefixes: the covering ones, not itself. */
	expect_less(t, "10.0.0.128/25", (const char *[]){ "10.0.0.0/8",
	    "10.0.0.0/16", "10.0.0.0/24", NULL });
	expect_less(t, "10.0.1.0/23", (const char *[]){ "10.0.0.0/8",
	    "10.0.0.0/16", NULL });
	expect_less(t, "9.0.0.0/8", (const char *[]){ NULL });

	expect_more(t, "10.0.0.0/16", NULL, (const char *[]){ "10.0.0.0/16",
	    "10.0.0.0/24", "10.0.0.1/32", "10.0.1.0/24", NULL });
	expect_more(t, "10.0.0.0/8", NULL, (const char *[]){ "10.0.0.0/8",
	    "10.0.0.0/16", "10.0.0.0/24", "10.0.0.1/32", "10.0.1.0/24",
	    "10.128.0.0/9", NULL });
	/* Not in the tree: its more-specifics still are. */
	expect_more(t, "10.0.0.0/12", NULL, (const char *[]){ "10.0.0.0/16",
	    "10.0.0.0/24", "10.0.0.1/32", "10.0.1.0/24", NULL });
	expect_more(t, "10.0.0.0/23", NULL, (const char *[]){ "10.0.0.0/24",
	    "10.0.0.1/32", "10.0.1.0/24", NULL });
	expect_more(t, "10.0.2.0/23", NULL, (const char *[]){ NULL });
	expect_more(t, "10.0.0.1/32", NULL, (const char *[]){ "10.0.0.1/32",
	    NULL });
	expect_more(t, "0.0.0.0/0", NULL, (const char *[]){ "10.0.0.0/8",
	    "10.0.0.0/16", "10.0.0.0/24", "10.0.0.1/32", "10.0.1.0/24",
	    "10.128.0.0/9", NULL });
	rtree_destroy(t, NULL, NULL);
}

static void
test_glue_collapse(void **state)
{
	struct rtree	*t = rtree_create(AFI_IPV4);
	struct prefix	 p, added[3000];
	size_t		 before, i, j, nadded = 0;

	ins(t, "10.0.0.0/24");
	assert_int_equal(nodes(t), 2);
	ins(t, "10.0.1.0/24");			/* glue 10.0.0.0/23 appears */
	assert_int_equal(nodes(t), 4);
	check(t);
	ins(t, "10.0.0.0/23");			/* the glue becomes it */
	assert_int_equal(nodes(t), 4);
	assert_int_equal(nprefixes(t), 3);
	del(t, "10.0.0.0/23");			/* back to glue: two children */
	assert_int_equal(nodes(t), 4);
	del(t, "10.0.1.0/24");			/* glue no longer parts */
	assert_int_equal(nodes(t), 2);

	/* A prefix above a single child is unlinked, the child moves up. */
	ins(t, "10.0.0.0/16");
	assert_int_equal(nodes(t), 3);
	del(t, "10.0.0.0/16");
	assert_int_equal(nodes(t), 2);
	expect_match(t, "10.0.0.1", "10.0.0.0/24");

	/* A leaf parting from a prefix at a glue: both extra nodes go. */
	ins(t, "10.0.0.0/22");
	ins(t, "10.0.8.0/22");
	before = nodes(t);
	ins(t, "10.0.4.0/24");
	ins(t, "10.0.6.0/23");
	check(t);
	del(t, "10.0.6.0/23");
	del(t, "10.0.4.0/24");
	assert_int_equal(nodes(t), before);

	/* Many more, deleted in another order: the count comes back. */
	before = nodes(t);
	rng = 42;
	for (i = 0; i < 3000; i++) {
		p.afi = AFI_IPV4;
		p.len = (uint8_t)(8 + rnd() % 25);
		memcpy(p.b, &(uint32_t){ (uint32_t)rnd() }, 4);
		memset(p.b + 4, 0, 12);
		prefix_mask(&p);
		if (rtree_lookup(t, &p) == NULL) {
			rtree_insert(t, &p, NULL);
			added[nadded++] = p;
		}
	}
	check(t);
	assert_true(nodes(t) > before + nadded);	/* glue too */
	for (i = 0; i < nadded; i++) {
		/* Odd ones first, then even ones from the end. */
		j = i < nadded / 2 ? 2 * i + 1 : 2 * (nadded - 1 - i);
		assert_int_equal(rtree_delete(t, &added[j], NULL), 0);
	}
	check(t);
	assert_int_equal(nprefixes(t), 3);
	assert_int_equal(nodes(t), before);
	rtree_destroy(t, NULL, NULL);
}

static void
test_payload_and_errors(void **state)
{
	struct rtree	*t = rtree_create(AFI_IPV4);
	struct rtnode	*n, *m;
	struct prefix	 p;
	bool		 created;
	void		*v;
	int		 tag = 7, tag2 = 8;

	p = pfx("198.51.100.0/24");
	n = rtree_insert(t, &p, &created);
	assert_non_null(n);
	assert_true(created);
	assert_null(n->value);
	assert_int_equal(n->user, 0);
	n->value = &tag;
	n->user = 0xbeef;
	m = rtree_insert(t, &p, &created);
	assert_ptr_equal(m, n);
	assert_false(created);
	assert_ptr_equal(m->value, &tag);

	/* Nodes stay put whatever happens around them. */
	ins(t, "198.51.100.0/25");
	ins(t, "198.51.0.0/16");
	ins(t, "198.51.101.0/24");
	del(t, "198.51.0.0/16");
	del(t, "198.51.100.0/25");
	assert_ptr_equal(rtree_lookup(t, &p), n);
	assert_ptr_equal(n->value, &tag);
	assert_int_equal(n->user, 0xbeef);

	assert_int_equal(rtree_delete(t, &p, &v), 0);
	assert_ptr_equal(v, &tag);
	assert_int_equal(rtree_delete(t, &p, &v), -1);

	/* A glue node turned prefix starts clean. */
	ins(t, "198.51.100.0/24");
	ins(t, "198.51.102.0/24");		/* glue 198.51.100.0/22 */
	p = pfx("198.51.100.0/22");
	n = rtree_insert(t, &p, &created);
	assert_true(created);
	assert_null(n->value);
	n->value = &tag2;
	rtree_remove(t, n);
	assert_null(rtree_lookup(t, &p));
	check(t);

	/* Bits past the length are ignored. */
	p = pfx("203.0.113.0/24");
	p.b[3] = 0x55;
	n = rtree_insert(t, &p, NULL);
	expect_node(t, n, "203.0.113.0/24");
	expect_node(t, rtree_lookup(t, &p), "203.0.113.0/24");

	/* Wrong family or length. */
	p = pfx("2001:db8::/32");
	errno = 0;
	assert_null(rtree_insert(t, &p, &created));
	assert_int_equal(errno, EAFNOSUPPORT);
	assert_false(created);
	assert_null(rtree_lookup(t, &p));
	assert_null(rtree_match_prefix(t, &p));
	assert_int_equal(rtree_delete(t, &p, NULL), -1);
	p = pfx("10.0.0.0/8");
	p.len = 33;
	errno = 0;
	assert_null(rtree_insert(t, &p, NULL));
	assert_int_equal(errno, EINVAL);
	check(t);
	rtree_destroy(t, NULL, NULL);
}

static void
free_payload(void *v, void *arg)
{
	(*(int *)arg)++;
	free(v);
}

static void
test_destroy_payloads(void **state)
{
	struct rtree	*t = rtree_create(AFI_IPV6);
	struct rtnode	*n;
	int		 freed = 0;

	n = ins(t, "2001:db8::/32");
	n->value = malloc(10);
	n = ins(t, "2001:db8:1::/48");
	n->value = malloc(10);
	ins(t, "2001:db8:2::/48");		/* no payload: not called */
	rtree_destroy(t, free_payload, &freed);
	assert_int_equal(freed, 2);
}

/* Full walk of many random IPv6 prefixes against qsort. */
static int
cmp_pfx(const void *a, const void *b)
{
	return (prefix_cmp(a, b));
}

static void
random_v6(struct prefix *p)
{
	uint64_t hi = rnd();

	memset(p, 0, sizeof(*p));
	p->afi = AFI_IPV6;
	p->len = (uint8_t)(rnd() % 129);
	/* Few distinct top bits, so prefixes nest and part often. */
	hi &= 0xf0f00000ffffffffULL;
	memcpy(p->b, &hi, 8);
	memcpy(p->b + 8, &(uint64_t){ rnd() }, 8);
	prefix_mask(p);
}

static void
test_walk_order(void **state)
{
	struct rtree		*t = rtree_create(AFI_IPV6);
	struct rtree_iter	 it;
	struct rtnode		*n;
	struct prefix		*v, q;
	size_t			 i, nv = 0;

	seed_rng("walk order");
	v = calloc(5000, sizeof(*v));
	assert_non_null(v);
	for (i = 0; i < 5000; i++) {
		random_v6(&q);
		if (rtree_lookup(t, &q) == NULL)
			v[nv++] = q;
		rtree_insert(t, &q, NULL);
	}
	check(t);
	qsort(v, nv, sizeof(*v), cmp_pfx);
	i = 0;
	rtree_iter_more(&it, t, NULL, NULL);
	while ((n = rtree_iter_next(&it)) != NULL) {
		assert_true(i < nv);
		rtnode_prefix(t, n, &q);
		assert_int_equal(prefix_cmp(&q, &v[i]), 0);
		i++;
	}
	assert_int_equal(i, nv);
	free(v);
	rtree_destroy(t, NULL, NULL);
}

/*
 * Cursor pagination across changes: every prefix present from start to
 * end is listed exactly once, the listing is strictly increasing, and
 * nothing absent at the time is listed.
 */
static void
test_cursor_pages(void **state)
{
	struct rtree		*t = rtree_create(AFI_IPV4);
	struct rtree_iter	 it;
	struct rtnode		*n;
	struct prefix		 p, last, orig[1000];
	uint8_t			*seen;
	size_t			 norig = 0, i, got, pages = 0, nseen = 0;
	bool			 have_last = false;

	seed_rng("cursor pages");
	while (norig < 1000) {
		p.afi = AFI_IPV4;
		p.len = (uint8_t)(12 + rnd() % 21);
		memcpy(p.b, &(uint32_t){ (uint32_t)rnd() & 0xff0fffff }, 4);
		memset(p.b + 4, 0, 12);
		prefix_mask(&p);
		if (rtree_lookup(t, &p) != NULL)
			continue;
		n = rtree_insert(t, &p, NULL);
		n->user = 1;			/* an original: never deleted */
		orig[norig++] = p;
	}
	seen = calloc(norig, 1);
	assert_non_null(seen);
	qsort(orig, norig, sizeof(orig[0]), cmp_pfx);
	for (;;) {
		rtree_iter_more(&it, t, NULL, have_last ? &last : NULL);
		for (got = 0; got < 7 && (n = rtree_iter_next(&it)) != NULL;
		    got++) {
			rtnode_prefix(t, n, &p);
			if (have_last)
				assert_true(prefix_cmp(&last, &p) < 0);
			last = p;
			have_last = true;
			if (n->user == 1) {
				struct prefix *o = bsearch(&p, orig, norig,
				    sizeof(orig[0]), cmp_pfx);

				assert_non_null(o);
				assert_int_equal(seen[o - orig], 0);
				seen[o - orig] = 1;
				nseen++;
			}
		}
		if (got == 0)
			break;
		pages++;
		/* Between pages: churn, including the page's last prefix. */
		for (i = 0; i < 5; i++) {
			p.afi = AFI_IPV4;
			p.len = (uint8_t)(12 + rnd() % 21);
			memcpy(p.b, &(uint32_t){ (uint32_t)rnd() & 0xff0fffff },
			    4);
			memset(p.b + 4, 0, 12);
			prefix_mask(&p);
			n = rtree_lookup(t, &p);
			if (n == NULL)
				rtree_insert(t, &p, NULL);
			else if (n->user != 1)
				rtree_remove(t, n);
		}
		n = rtree_lookup(t, &last);
		if (n != NULL && n->user != 1)
			rtree_remove(t, n);
		check(t);
	}
	assert_int_equal(nseen, norig);
	assert_true(pages >= norig / 7);
	free(seen);
	rtree_destroy(t, NULL, NULL);
}

/* One iterator kept across changes, deleting what it returns. */
static void
test_iter_survives(void **state)
{
	struct rtree		*t = rtree_create(AFI_IPV4);
	struct rtree_iter	 it;
	struct rtnode		*n;
	struct prefix		 p, prev;
	size_t			 count = 0, total;
	int			 i;

	rng = 7;
	for (i = 0; i < 20000; i++) {
		p.afi = AFI_IPV4;
		p.len = (uint8_t)(rnd() % 33);
		memcpy(p.b, &(uint32_t){ (uint32_t)rnd() }, 4);
		memset(p.b + 4, 0, 12);
		prefix_mask(&p);
		rtree_insert(t, &p, NULL);
	}
	total = nprefixes(t);

	/* Flush: remove every prefix as the walk reaches it. */
	rtree_iter_more(&it, t, NULL, NULL);
	while ((n = rtree_iter_next(&it)) != NULL) {
		rtnode_prefix(t, n, &p);
		if (count > 0)
			assert_true(prefix_cmp(&prev, &p) < 0);
		prev = p;
		rtree_remove(t, n);
		count++;
	}
	assert_int_equal(count, total);
	assert_int_equal(nprefixes(t), 0);
	assert_int_equal(nodes(t), 1);
	check(t);

	/* Less-specifics: those inserted later below the cursor appear. */
	ins(t, "10.0.0.0/8");
	ins(t, "10.1.0.0/16");
	ins(t, "10.1.1.0/24");
	p = pfx("10.1.1.1/32");
	rtree_iter_less(&it, t, &p);
	expect_node(t, rtree_iter_next(&it), "10.0.0.0/8");
	ins(t, "0.0.0.0/0");			/* above: not revisited */
	ins(t, "10.1.0.0/20");			/* below: seen */
	del(t, "10.1.0.0/16");			/* gone before reached */
	expect_node(t, rtree_iter_next(&it), "10.1.0.0/20");
	expect_node(t, rtree_iter_next(&it), "10.1.1.0/24");
	assert_null(rtree_iter_next(&it));
	rtree_destroy(t, NULL, NULL);
}

/* Emptied slabs go back, but for one kept in reserve. */
static void
test_slab_release(void **state)
{
	struct rtree		*t = rtree_create(AFI_IPV4);
	struct rtree_stats	 st, st0;
	struct rtree_iter	 it;
	struct rtnode		*n;
	struct prefix		 p;
	uint32_t		 i;

	rtree_stats(t, &st0);
	for (i = 0; i < 100000; i++) {
		memset(&p, 0, sizeof(p));
		p.afi = AFI_IPV4;
		p.len = 24;
		p.b[0] = (uint8_t)(i >> 16);
		p.b[1] = (uint8_t)(i >> 8);
		p.b[2] = (uint8_t)i;
		rtree_insert(t, &p, NULL);
	}
	rtree_stats(t, &st);
	assert_int_equal(st.prefixes, 100000);
	assert_true(st.slabs > 50);
	assert_true(st.bytes >= st.nodes * st.node_size);
	check(t);
	rtree_iter_more(&it, t, NULL, NULL);
	while ((n = rtree_iter_next(&it)) != NULL)
		rtree_remove(t, n);
	rtree_stats(t, &st);
	assert_int_equal(st.nodes, 1);
	assert_true(st.slabs <= st0.slabs + 1);
	check(t);
	rtree_destroy(t, NULL, NULL);
}

/*
 * The differential run.  Each family has a tree and a sorted array of
 * (prefix, value) and every operation is done on both.  The set size
 * follows a triangle wave between 0 and REF_MAX so the tree is drained
 * to nothing and refilled several times.
 */

#define NPOOL		48
#define REF_MAX		2000
#define WAVE		250000		/* ops per full wave */
#define WALK_MAX	40		/* items compared per sub-walk */

struct ref_ent {
	struct prefix	p;
	uintptr_t	val;
};

struct fam {
	uint8_t		 afi;
	unsigned	 maxlen;
	struct rtree	*t;
	struct ref_ent	*v;
	size_t		 n;
	uint8_t		 pool[NPOOL][16];
	/* A long-lived iterator, stepped now and then between changes. */
	struct rtree_iter it;
	bool		 it_live;
	bool		 it_less;		/* else more-specifics */
	struct prefix	 it_within;
	bool		 it_has_within;
	struct prefix	 it_last;
	bool		 it_has_last;
};

struct diff {
	uint64_t	seed;
	uint64_t	op;
	uint64_t	counts[10];
	size_t		maxset;
};

static struct diff D;

#define DIFF_FAIL(f, ...) do {						\
	char _m[256];							\
	snprintf(_m, sizeof(_m), __VA_ARGS__);				\
	fail_msg("differential: seed %llu op %llu afi %u: %s",		\
	    (unsigned long long)D.seed, (unsigned long long)D.op,	\
	    (f)->afi, _m);						\
} while (0)

/* Index of the first element >= p. */
static size_t
ref_lower(const struct fam *f, const struct prefix *p)
{
	size_t lo = 0, hi = f->n, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (prefix_cmp(&f->v[mid].p, p) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (lo);
}

static struct ref_ent *
ref_find(const struct fam *f, const struct prefix *p)
{
	size_t i = ref_lower(f, p);

	if (i < f->n && prefix_cmp(&f->v[i].p, p) == 0)
		return (&f->v[i]);
	return (NULL);
}

static void
ref_add(struct fam *f, const struct prefix *p, uintptr_t val)
{
	size_t i = ref_lower(f, p);

	memmove(&f->v[i + 1], &f->v[i], (f->n - i) * sizeof(f->v[0]));
	f->v[i].p = *p;
	f->v[i].val = val;
	f->n++;
	if (f->n > D.maxset)
		D.maxset = f->n;
}

static void
ref_del(struct fam *f, const struct ref_ent *e)
{
	size_t i = (size_t)(e - f->v);

	memmove(&f->v[i], &f->v[i + 1], (f->n - i - 1) * sizeof(f->v[0]));
	f->n--;
}

static void
fam_init(struct fam *f, uint8_t afi)
{
	unsigned i, j, keep;

	memset(f, 0, sizeof(*f));
	f->afi = afi;
	f->maxlen = afi_bits(afi);
	f->t = rtree_create(afi);
	assert_non_null(f->t);
	f->v = calloc(REF_MAX + 8, sizeof(f->v[0]));
	assert_non_null(f->v);
	/*
	 * The bases share leading bits like real allocations do: each is an
	 * earlier one with its tail re-rolled from a random bit on.
	 */
	for (i = 0; i < 16; i++)
		f->pool[0][i] = (uint8_t)rnd();
	for (i = 1; i < NPOOL; i++) {
		memcpy(f->pool[i], f->pool[rnd() % i], 16);
		keep = (unsigned)(rnd() % f->maxlen);
		for (j = keep; j < f->maxlen; j++)
			if (rnd() & 1)
				f->pool[i][j / 8] ^= (uint8_t)(0x80 >> (j % 8));
	}
}

static void
flip_bits(uint8_t *b, unsigned within)
{
	unsigned i, nflip = (unsigned)(rnd() % 4), bit;

	if (within == 0)
		return;
	for (i = 0; i < nflip; i++) {
		bit = (unsigned)(rnd() % within);
		b[bit / 8] ^= (uint8_t)(0x80 >> (bit % 8));
	}
}

/* Copy the first nbits bits of src over dst. */
static void
graft(uint8_t *dst, const uint8_t *src, unsigned nbits)
{
	unsigned i;

	for (i = 0; i < nbits; i++) {
		uint8_t m = (uint8_t)(0x80 >> (i % 8));

		dst[i / 8] = (uint8_t)((dst[i / 8] & ~m) | (src[i / 8] & m));
	}
}

static unsigned
gen_len(const struct fam *f)
{
	static const uint8_t v4[] = { 0, 1, 7, 8, 12, 15, 16, 19, 20, 21,
	    22, 23, 24, 25, 28, 31, 32 };
	static const uint8_t v6[] = { 0, 1, 16, 19, 28, 29, 32, 36, 40, 44,
	    47, 48, 56, 63, 64, 96, 127, 128 };

	if (rnd() % 4 == 0)
		return ((unsigned)(rnd() % (f->maxlen + 1)));
	if (f->afi == AFI_IPV4)
		return (v4[rnd() % sizeof(v4)]);
	return (v6[rnd() % sizeof(v6)]);
}

static void
gen_prefix(const struct fam *f, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->afi = f->afi;
	p->len = (uint8_t)gen_len(f);
	memcpy(p->b, f->pool[rnd() % NPOOL], afi_bytes(f->afi));
	flip_bits(p->b, p->len);
	prefix_mask(p);
}

static void
gen_addr(const struct fam *f, struct addr *a)
{
	uint8_t b[16];

	memcpy(b, f->pool[rnd() % NPOOL], 16);
	flip_bits(b, f->maxlen);
	addr_set_bytes(a, f->afi, b);
}

/* The node must be the reference entry (or both absent). */
static void
same(struct fam *f, const struct rtnode *n, const struct ref_ent *e,
    const char *what)
{
	struct prefix	p;
	char		b1[PREFIX_STRLEN], b2[PREFIX_STRLEN];

	if (n == NULL && e == NULL)
		return;
	if (n == NULL || e == NULL)
		DIFF_FAIL(f, "%s: tree %s, reference %s", what,
		    fmt(f->t, n, b1),
		    e ? prefix_fmt(&e->p, b2, sizeof(b2)) : "-");
	rtnode_prefix(f->t, n, &p);
	if (prefix_cmp(&p, &e->p) != 0 || (uintptr_t)n->value != e->val)
		DIFF_FAIL(f, "%s: tree %s value %p, reference %s value %p",
		    what, prefix_fmt(&p, b1, sizeof(b1)), n->value,
		    prefix_fmt(&e->p, b2, sizeof(b2)), (void *)e->val);
}

/* Longest reference prefix covering key/len: probe len down to 0. */
static const struct ref_ent *
ref_match(const struct fam *f, const uint8_t *b, unsigned len)
{
	struct prefix		 q;
	const struct ref_ent	*e;
	int			 l;

	for (l = (int)len; l >= 0; l--) {
		memset(&q, 0, sizeof(q));
		q.afi = f->afi;
		q.len = (uint8_t)l;
		memcpy(q.b, b, afi_bytes(f->afi));
		prefix_mask(&q);
		if ((e = ref_find(f, &q)) != NULL)
			return (e);
	}
	return (NULL);
}

static void
op_insert(struct fam *f)
{
	struct prefix	 p;
	struct rtnode	*n;
	struct ref_ent	*e;
	bool		 created;

	gen_prefix(f, &p);
	e = ref_find(f, &p);
	if ((n = rtree_insert(f->t, &p, &created)) == NULL)
		DIFF_FAIL(f, "insert failed");
	if (created != (e == NULL))
		DIFF_FAIL(f, "insert: created %d, reference had it %d",
		    created, e != NULL);
	if (created) {
		n->value = (void *)(uintptr_t)(D.op + 1);
		ref_add(f, &p, D.op + 1);
	} else
		same(f, n, e, "insert existing");
}

static void
op_delete(struct fam *f, bool existing)
{
	struct prefix	 p;
	struct ref_ent	*e;
	struct rtnode	*n;
	void		*val;
	int		 rc;

	if (existing && f->n > 0)
		p = f->v[rnd() % f->n].p;
	else
		gen_prefix(f, &p);
	e = ref_find(f, &p);
	if (e != NULL && (rnd() & 1)) {
		/* The other way in: by node. */
		n = rtree_lookup(f->t, &p);
		same(f, n, e, "lookup before remove");
		rtree_remove(f->t, n);
		ref_del(f, e);
		return;
	}
	val = NULL;
	rc = rtree_delete(f->t, &p, &val);
	if ((rc == 0) != (e != NULL))
		DIFF_FAIL(f, "delete returned %d, reference had it %d", rc,
		    e != NULL);
	if (e != NULL) {
		if ((uintptr_t)val != e->val)
			DIFF_FAIL(f, "delete: wrong value");
		ref_del(f, e);
	}
}

static void
op_lookup(struct fam *f)
{
	struct prefix p;

	if (f->n > 0 && (rnd() & 1))
		p = f->v[rnd() % f->n].p;
	else
		gen_prefix(f, &p);
	same(f, rtree_lookup(f->t, &p), ref_find(f, &p), "lookup");
}

static void
op_match(struct fam *f)
{
	struct addr a;

	gen_addr(f, &a);
	same(f, rtree_match(f->t, &a), ref_match(f, a.b, f->maxlen), "match");
}

static void
op_match_prefix(struct fam *f)
{
	struct prefix p;

	gen_prefix(f, &p);
	same(f, rtree_match_prefix(f->t, &p), ref_match(f, p.b, p.len),
	    "match prefix");
}

static void
op_more(struct fam *f)
{
	struct rtree_iter	 it;
	struct prefix		 q, after;
	bool			 has_after = rnd() & 1;
	size_t			 i, k;

	gen_prefix(f, &q);
	if (has_after) {
		/*
		 * Mostly a more-specific of q, to land mid-subtree; one bit
		 * flipped now and then takes it just outside.
		 */
		if (rnd() % 4 != 0) {
			gen_prefix(f, &after);
			after.len = (uint8_t)(q.len + rnd() %
			    (f->maxlen - q.len + 1));
			graft(after.b, q.b, q.len);
			if (rnd() % 4 == 0)
				flip_bits(after.b, after.len);
			prefix_mask(&after);
		} else
			gen_prefix(f, &after);
	}
	rtree_iter_more(&it, f->t, &q, has_after ? &after : NULL);
	i = ref_lower(f, &q);
	if (has_after) {
		k = ref_lower(f, &after);
		if (k < f->n && prefix_cmp(&f->v[k].p, &after) == 0)
			k++;
		if (k > i)
			i = k;
	}
	for (k = 0; k < WALK_MAX; k++, i++) {
		const struct ref_ent *e = NULL;

		if (i < f->n && prefix_covers(&q, &f->v[i].p))
			e = &f->v[i];
		same(f, rtree_iter_next(&it), e, "more-specifics");
		if (e == NULL)
			break;
	}
}

static void
op_less(struct fam *f)
{
	struct rtree_iter	 it;
	struct prefix		 q, r;
	const struct ref_ent	*e;
	unsigned		 l;

	gen_prefix(f, &q);
	rtree_iter_less(&it, f->t, &q);
	for (l = 0; l <= q.len; l++) {
		r = q;
		r.len = (uint8_t)l;
		prefix_mask(&r);
		if ((e = ref_find(f, &r)) != NULL)
			same(f, rtree_iter_next(&it), e, "less-specifics");
	}
	same(f, rtree_iter_next(&it), NULL, "less-specifics end");
}

static void
iter_restart(struct fam *f)
{
	f->it_less = rnd() % 3 == 0;
	f->it_has_last = false;
	f->it_live = true;
	if (f->it_less) {
		gen_prefix(f, &f->it_within);
		f->it_has_within = true;
		rtree_iter_less(&f->it, f->t, &f->it_within);
		return;
	}
	f->it_has_within = rnd() % 4 != 0;
	if (f->it_has_within) {
		gen_prefix(f, &f->it_within);
		f->it_within.len = (uint8_t)(f->it_within.len / 2);
		prefix_mask(&f->it_within);
	}
	rtree_iter_more(&f->it, f->t,
	    f->it_has_within ? &f->it_within : NULL, NULL);
}

/* The next covering prefix longer than the last one returned. */
static const struct ref_ent *
ref_next_less(const struct fam *f)
{
	const struct ref_ent	*e;
	struct prefix		 r;
	unsigned		 l;

	l = f->it_has_last ? f->it_last.len + 1u : 0;
	for (; l <= f->it_within.len; l++) {
		r = f->it_within;
		r.len = (uint8_t)l;
		prefix_mask(&r);
		if ((e = ref_find(f, &r)) != NULL)
			return (e);
	}
	return (NULL);
}

/*
 * Step the long-lived iterator: whatever changed since its last step,
 * it must return the reference's successor of the last prefix it
 * returned within its range.
 */
static void
op_iter_step(struct fam *f)
{
	const struct ref_ent	*e = NULL;
	struct rtnode		*n;
	size_t			 i;

	if (!f->it_live)
		iter_restart(f);
	if (f->it_less) {
		e = ref_next_less(f);
		goto step;
	}
	i = f->it_has_within ? ref_lower(f, &f->it_within) : 0;
	if (f->it_has_last) {
		size_t k = ref_lower(f, &f->it_last);

		if (k < f->n && prefix_cmp(&f->v[k].p, &f->it_last) == 0)
			k++;
		if (k > i)
			i = k;
	}
	if (i < f->n && (!f->it_has_within ||
	    prefix_covers(&f->it_within, &f->v[i].p)))
		e = &f->v[i];
step:
	n = rtree_iter_next(&f->it);
	same(f, n, e, "long-lived iterator");
	if (n == NULL)
		f->it_live = false;
	else {
		f->it_last = e->p;
		f->it_has_last = true;
	}
}

static void
full_compare(struct fam *f)
{
	struct rtree_iter	 it;
	struct rtree_stats	 st;
	const char		*err;
	size_t			 i;

	if ((err = rtree_check(f->t)) != NULL)
		DIFF_FAIL(f, "rtree_check: %s", err);
	rtree_stats(f->t, &st);
	if (st.prefixes != f->n)
		DIFF_FAIL(f, "%zu prefixes, reference %zu", st.prefixes, f->n);
	if (f->n == 0 && st.nodes != 1)
		DIFF_FAIL(f, "empty tree with %zu nodes", st.nodes);
	rtree_iter_more(&it, f->t, NULL, NULL);
	for (i = 0; i < f->n; i++)
		same(f, rtree_iter_next(&it), &f->v[i], "full walk");
	same(f, rtree_iter_next(&it), NULL, "full walk end");
}

static size_t
target_size(uint64_t op)
{
	uint64_t phase = op % WAVE;

	if (phase > WAVE / 2)
		phase = WAVE - phase;
	return ((size_t)(REF_MAX * phase / (WAVE / 2)));
}

static void
one_op(struct fam *f)
{
	unsigned r = (unsigned)(rnd() % 100);

	if (r < 30) {
		if (f->n >= target_size(D.op)) {
			op_delete(f, true);
			D.counts[1]++;
		} else {
			op_insert(f);
			D.counts[0]++;
		}
	} else if (r < 50) {
		op_delete(f, rnd() % 10 < 6);
		D.counts[1]++;
	} else if (r < 63) {
		op_lookup(f);
		D.counts[2]++;
	} else if (r < 78) {
		op_match(f);
		D.counts[3]++;
	} else if (r < 84) {
		op_match_prefix(f);
		D.counts[4]++;
	} else if (r < 91) {
		op_more(f);
		D.counts[5]++;
	} else if (r < 96) {
		op_less(f);
		D.counts[6]++;
	} else {
		op_iter_step(f);
		D.counts[7]++;
	}
}

static void
test_differential(void **state)
{
	struct fam	*fams;
	uint64_t	 nops;
	unsigned	 i;

	memset(&D, 0, sizeof(D));
	D.seed = seed_rng("differential");
	nops = env_u64("RTREE_OPS", 1000000);
	fams = calloc(2, sizeof(*fams));
	assert_non_null(fams);
	fam_init(&fams[0], AFI_IPV4);
	fam_init(&fams[1], AFI_IPV6);
	for (D.op = 0; D.op < nops; D.op++) {
		one_op(&fams[D.op & 1]);
		if ((D.op & 0xffff) == 0 || D.op == nops - 1) {
			full_compare(&fams[0]);
			full_compare(&fams[1]);
		}
		/* Catch the drained state exactly at the wave's trough. */
		if (fams[D.op & 1].n == 0)
			full_compare(&fams[D.op & 1]);
	}
	printf("differential: %llu ops: insert %llu delete %llu lookup %llu "
	    "match %llu match-prefix %llu more %llu less %llu iter %llu; "
	    "largest set %zu\n", (unsigned long long)nops,
	    (unsigned long long)D.counts[0], (unsigned long long)D.counts[1],
	    (unsigned long long)D.counts[2], (unsigned long long)D.counts[3],
	    (unsigned long long)D.counts[4], (unsigned long long)D.counts[5],
	    (unsigned long long)D.counts[6], (unsigned long long)D.counts[7],
	    D.maxset);
	for (i = 0; i < 2; i++) {
		rtree_destroy(fams[i].t, NULL, NULL);
		free(fams[i].v);
	}
	free(fams);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create),
		cmocka_unit_test(test_default_and_host),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_glue_collapse),
		cmocka_unit_test(test_payload_and_errors),
		cmocka_unit_test(test_destroy_payloads),
		cmocka_unit_test(test_walk_order),
		cmocka_unit_test(test_cursor_pages),
		cmocka_unit_test(test_iter_survives),
		cmocka_unit_test(test_slab_release),
		cmocka_unit_test(test_differential),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
