/*
 * bgp_vectors.h -- helpers and hand-made vectors shared by the BGP codec
 * tests.  Every vector here was written for these tests from the RFC
 * layouts (documentation prefixes and private ASNs); none is copied from a
 * capture.
 *
 * Include after <cmocka.h> and "bgp.h".
 */
#ifndef BGPLENS_TEST_BGP_VECTORS_H
#define BGPLENS_TEST_BGP_VECTORS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Attribute flags as they appear in the vectors. */
#define F_WK		0x40	/* well-known: transitive */
#define F_OPT		0x80	/* optional non-transitive */
#define F_OT		0xc0	/* optional transitive */

/* A scratch buffer big enough for an extended message. */
struct tbuf {
	uint8_t		b[70000];
	size_t		n;
};

static inline void
tb_reset(struct tbuf *t)
{
	t->n = 0;
}

static inline void
tb_put(struct tbuf *t, const void *p, size_t n)
{
	if (n == 0)
		return;
	assert_true(t->n + n <= sizeof(t->b));
	memcpy(t->b + t->n, p, n);
	t->n += n;
}

static inline void
tb_u8(struct tbuf *t, uint8_t v)
{
	tb_put(t, &v, 1);
}

static inline void
tb_u16(struct tbuf *t, uint16_t v)
{
	uint8_t b[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	tb_put(t, b, 2);
}

static inline void
tb_u32(struct tbuf *t, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	tb_put(t, b, 4);
}

/* One attribute: the extended-length form when needed or asked for. */
static inline void
tb_attr(struct tbuf *t, uint8_t flags, uint8_t type, const void *p,
    size_t len)
{
	if (len > 255 || (flags & ATTR_F_EXTLEN)) {
		tb_u8(t, flags | ATTR_F_EXTLEN);
		tb_u8(t, type);
		tb_u16(t, (uint16_t)len);
	} else {
		tb_u8(t, flags);
		tb_u8(t, type);
		tb_u8(t, (uint8_t)len);
	}
	if (len > 0)
		tb_put(t, p, len);
}

/* An UPDATE body from its three parts. */
static inline void
tb_update(struct tbuf *t, const void *wd, size_t wdlen, const void *at,
    size_t atlen, const void *nlri, size_t nlen)
{
	tb_reset(t);
	tb_u16(t, (uint16_t)wdlen);
	if (wdlen)
		tb_put(t, wd, wdlen);
	tb_u16(t, (uint16_t)atlen);
	if (atlen)
		tb_put(t, at, atlen);
	if (nlen)
		tb_put(t, nlri, nlen);
}

/* A whole message: marker, length, type, body. */
static inline void
tb_msg(struct tbuf *t, uint8_t type, const void *body, size_t blen)
{
	tb_reset(t);
	memset(t->b, 0xff, 16);
	t->n = 16;
	tb_u16(t, (uint16_t)(19 + blen));
	tb_u8(t, type);
	if (blen)
		tb_put(t, body, blen);
}

static const struct bgp_neg neg_as2 = { false, false, 0 };
static const struct bgp_neg neg_as4 = { true, false, 0 };

/* Hex dump into a static buffer, for failure messages. */
static inline const char *
hexs(const void *vp, size_t n)
{
	const uint8_t	*p = vp;
	static char	buf[4096];
	size_t		i, o = 0;

	for (i = 0; i < n && o + 4 < sizeof(buf); i++)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%02x", p[i]);
	buf[o] = '\0';
	return (buf);
}

#define assert_bytes(got, glen, want, wlen) do {			\
	if ((size_t)(glen) != (size_t)(wlen) ||				\
	    memcmp((got), (want), (wlen)) != 0) {			\
		char _g[4096];						\
		snprintf(_g, sizeof(_g), "%s", hexs((got), (glen)));	\
		fail_msg("bytes differ:\n got  %s\n want %s", _g,	\
		    hexs((want), (wlen)));				\
	}								\
} while (0)

/* The AS path formatted, in a static buffer. */
static inline const char *
path_str(const struct bgp_attrs *a)
{
	static char buf[2048];

	aspath_fmt(a->aspath, a->aspath_len, buf, sizeof(buf));
	return (buf);
}

/* Format the k-th NLRI of a field. */
static inline const char *
nlri_str(const uint8_t *p, size_t len, uint16_t afi, uint8_t safi,
    bool addpath, int k)
{
	static char	buf[PREFIX_STRLEN + 16];
	struct nlri_iter it;
	struct nlri	n;
	int		i = 0;

	nlri_iter_init(&it, p, len, afi, safi, addpath);
	while (nlri_next(&it, &n) == 1) {
		if (i++ == k)
			return (prefix_fmt(&n.pfx, buf, sizeof(buf)));
	}
	return ("(none)");
}

/*
 * Compare two decoded attribute sets field by field (what a
 * decode->encode->decode round trip must keep).
 */
static inline void
assert_attrs_same(const struct bgp_attrs *a, const struct bgp_attrs *b)
{
	uint64_t	mask = ~((1ull << ATTR_AS4_PATH) |
			    (1ull << ATTR_AS4_AGGREGATOR));
	uint16_t	i, j;

	/* AS4_* are transport, rebuilt by the encoder as needed. */
	assert_true((a->seen & mask) == (b->seen & mask));
	assert_int_equal(a->origin, b->origin);
	assert_int_equal(a->aspath_len, b->aspath_len);
	if (a->aspath_len)
		assert_memory_equal(a->aspath, b->aspath, a->aspath_len);
	assert_int_equal(addr_cmp(&a->nexthop, &b->nexthop), 0);
	assert_int_equal(a->med, b->med);
	assert_int_equal(a->local_pref, b->local_pref);
	assert_int_equal(a->aggr_as, b->aggr_as);
	assert_memory_equal(a->aggr_addr.b, b->aggr_addr.b, 4);
#define SAME_LIST(f) do {						\
	assert_int_equal(a->f##_len, b->f##_len);			\
	if (a->f##_len)							\
		assert_memory_equal(a->f, b->f, a->f##_len);		\
} while (0)
	SAME_LIST(communities);
	SAME_LIST(cluster_list);
	SAME_LIST(ext_communities);
	SAME_LIST(ipv6_ext_communities);
	SAME_LIST(large_communities);
#undef SAME_LIST
	assert_int_equal(a->originator_id, b->originator_id);
	assert_int_equal(a->otc, b->otc);
	if (attrs_has(a, ATTR_MP_REACH_NLRI)) {
		assert_int_equal(a->mp_reach.afi, b->mp_reach.afi);
		assert_int_equal(a->mp_reach.safi, b->mp_reach.safi);
		assert_int_equal(a->mp_reach.nh_len, b->mp_reach.nh_len);
		assert_memory_equal(a->mp_reach.nh, b->mp_reach.nh,
		    a->mp_reach.nh_len);
		assert_int_equal(a->mp_reach.nlri_len, b->mp_reach.nlri_len);
		if (a->mp_reach.nlri_len)
			assert_memory_equal(a->mp_reach.nlri,
			    b->mp_reach.nlri, a->mp_reach.nlri_len);
	}
	if (attrs_has(a, ATTR_MP_UNREACH_NLRI)) {
		assert_int_equal(a->mp_unreach.afi, b->mp_unreach.afi);
		assert_int_equal(a->mp_unreach.safi, b->mp_unreach.safi);
		assert_int_equal(a->mp_unreach.nlri_len,
		    b->mp_unreach.nlri_len);
		if (a->mp_unreach.nlri_len)
			assert_memory_equal(a->mp_unreach.nlri,
			    b->mp_unreach.nlri, a->mp_unreach.nlri_len);
	}
	/* Unknown attributes: same types, flags, bytes. */
	for (i = 0; i < a->n_raw; i++) {
		if (a->raw[i].type < 64 &&
		    strcmp(bgp_attr_name(a->raw[i].type), "UNKNOWN") != 0)
			continue;
		for (j = 0; j < b->n_raw; j++)
			if (b->raw[j].type == a->raw[i].type)
				break;
		assert_true(j < b->n_raw);
		assert_int_equal(a->raw[i].flags & ~ATTR_F_EXTLEN,
		    b->raw[j].flags & ~ATTR_F_EXTLEN);
		assert_int_equal(a->raw[i].len, b->raw[j].len);
		if (a->raw[i].len)
			assert_memory_equal(a->raw[i].data, b->raw[j].data,
			    a->raw[i].len);
	}
}

#endif /* BGPLENS_TEST_BGP_VECTORS_H */
