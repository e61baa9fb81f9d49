/*
 * test_bgp_update.c -- UPDATE messages: every path attribute, AS paths on
 * 2- and 4-octet sessions with the RFC 6793 merge, MP_REACH/MP_UNREACH for
 * every family bgplens decodes, ADD-PATH, End-of-RIB, the extended message,
 * and encode round trips compared byte for byte.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgp.h"
#include "bgp_vectors.h"

#define AS_BIG1		4200000001u
#define AS_BIG9		4200000009u

static struct bgp_update *u, *u2;

static int
setup(void **state)
{
	u = bgp_update_new();
	u2 = bgp_update_new();
	return (u == NULL || u2 == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	bgp_update_free(u);
	bgp_update_free(u2);
	return (0);
}

/* An AS path segment into a buffer, asize octets per AS. */
static void
seg(struct tbuf *t, unsigned asize, uint8_t type, unsigned n, ...)
{
	va_list		ap;
	unsigned	i;
	uint32_t	as;

	tb_u8(t, type);
	tb_u8(t, (uint8_t)n);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		as = va_arg(ap, uint32_t);
		if (asize == 2)
			tb_u16(t, (uint16_t)as);
		else
			tb_u32(t, as);
	}
	va_end(ap);
}

/* The path with confederation segments, sets and a wide AS. */
static void
path_mixed(struct tbuf *t, unsigned asize)
{
	tb_reset(t);
	seg(t, asize, AS_CONFED_SEQUENCE, 2, 65010u, 65011u);
	seg(t, asize, AS_CONFED_SET, 1, 65012u);
	seg(t, asize, AS_SEQUENCE, 2, 65001u,
	    asize == 2 ? (uint32_t)AS_TRANS : AS_BIG1);
	seg(t, asize, AS_SET, 2, 65002u, 65003u);
}

#define MIXED_STR	"(65010 65011) [65012] 65001 4200000001 {65002,65003}"

static const uint8_t comms[] = {
	0xfd, 0xe9, 0x00, 0x64, 0xff, 0xff, 0xff, 0x01	/* 65001:100 NO_EXPORT */
};
static const uint8_t clusters[] = { 10, 0, 0, 1, 10, 0, 0, 2 };
static const uint8_t extc[] = {
	0x00, 0x02, 0xfd, 0xe9, 0x00, 0x00, 0x00, 0x64,	/* rt 65001:100 */
	0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00	/* unknown type */
};
static const uint8_t v6extc[] = {
	0x00, 0x02, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 1, 0x00, 0x64
};
static const uint8_t large[] = {
	0xfa, 0x56, 0xea, 0x01, 0, 0, 0, 1, 0, 0, 0, 2,
	0x00, 0x00, 0xfd, 0xe9, 0, 0, 0, 3, 0, 0, 0, 4
};
static const uint8_t nlri4[] = {
	24, 198, 51, 100, 16, 10, 1, 32, 192, 0, 2, 1, 0
};

/*
 * Every attribute, in the order the encoder writes them (type order), on
 * a session of the given AS size.  On a 2-octet session the wide ASes
 * travel as AS_TRANS with AS4_PATH and AS4_AGGREGATOR.
 */
static void
attrs_every(struct tbuf *at, bool as4)
{
	struct tbuf	p;
	uint8_t		v[8];

	tb_reset(at);
	tb_attr(at, F_WK, ATTR_ORIGIN, "\x01", 1);
	path_mixed(&p, as4 ? 4 : 2);
	tb_attr(at, F_WK, ATTR_AS_PATH, p.b, p.n);
	tb_attr(at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	tb_attr(at, F_OPT, ATTR_MED, "\x00\x00\x00\x32", 4);
	tb_attr(at, F_WK, ATTR_LOCAL_PREF, "\x00\x00\x00\x64", 4);
	tb_attr(at, F_WK, ATTR_ATOMIC_AGGREGATE, NULL, 0);
	if (as4)
		tb_attr(at, F_OT, ATTR_AGGREGATOR,
		    "\xfa\x56\xea\x09\xc0\x00\x02\x09", 8);
	else
		tb_attr(at, F_OT, ATTR_AGGREGATOR, "\x5b\xa0\xc0\x00\x02\x09",
		    6);
	tb_attr(at, F_OT, ATTR_COMMUNITIES, comms, sizeof(comms));
	tb_attr(at, F_OPT, ATTR_ORIGINATOR_ID, "\x0a\x00\x00\x09", 4);
	tb_attr(at, F_OPT, ATTR_CLUSTER_LIST, clusters, sizeof(clusters));
	tb_attr(at, F_OT, ATTR_EXT_COMMUNITIES, extc, sizeof(extc));
	if (!as4) {
		tb_reset(&p);
		seg(&p, 4, AS_SEQUENCE, 2, 65001u, AS_BIG1);
		seg(&p, 4, AS_SET, 2, 65002u, 65003u);
		tb_attr(at, F_OT, ATTR_AS4_PATH, p.b, p.n);
		memcpy(v, "\xfa\x56\xea\x09\xc0\x00\x02\x09", 8);
		tb_attr(at, F_OT, ATTR_AS4_AGGREGATOR, v, 8);
	}
	tb_attr(at, F_OT, ATTR_IPV6_EXT_COMMUNITIES, v6extc, sizeof(v6extc));
	tb_attr(at, F_OT, ATTR_LARGE_COMMUNITIES, large, sizeof(large));
	tb_attr(at, F_OT, ATTR_OTC, "\x00\x00\xfd\xe9", 4);
	/* unknown: optional transitive partial, and optional non-transitive */
	tb_attr(at, F_OT | ATTR_F_PARTIAL, 99, "opaque", 6);
	tb_attr(at, F_OPT, 200, "\x01\x02", 2);
}

static void
check_every(const struct bgp_update *x)
{
	const struct bgp_attrs	*a = &x->a;
	char			 buf[ADDR_STRLEN];
	uint16_t		 i;

	if (x->err.verdict != BGP_OK)
		fail_msg("verdict %s: %s", bgp_verdict_name(x->err.verdict),
		    x->err.reason);
	assert_int_equal(x->err.n_problems, 0);
	assert_int_equal(a->origin, ORIGIN_EGP);
	assert_string_equal(path_str(a), MIXED_STR);
	assert_int_equal(aspath_count(a->aspath, a->aspath_len), 3);
	assert_int_equal(aspath_first(a->aspath, a->aspath_len), 65001);
	assert_int_equal(aspath_origin(a->aspath, a->aspath_len), 0);
	assert_string_equal(addr_fmt(&a->nexthop, buf, sizeof(buf)),
	    "192.0.2.1");
	assert_int_equal(a->med, 50);
	assert_int_equal(a->local_pref, 100);
	assert_true(attrs_has(a, ATTR_ATOMIC_AGGREGATE));
	assert_int_equal(a->aggr_as, AS_BIG9);
	assert_string_equal(addr_fmt(&a->aggr_addr, buf, sizeof(buf)),
	    "192.0.2.9");
	assert_int_equal(a->communities_len, sizeof(comms));
	assert_memory_equal(a->communities, comms, sizeof(comms));
	assert_int_equal(a->originator_id, 0x0a000009);
	assert_int_equal(a->cluster_list_len, 8);
	assert_memory_equal(a->cluster_list, clusters, 8);
	assert_int_equal(a->ext_communities_len, 16);
	assert_memory_equal(a->ext_communities, extc, 16);
	assert_int_equal(a->ipv6_ext_communities_len, 20);
	assert_memory_equal(a->ipv6_ext_communities, v6extc, 20);
	assert_int_equal(a->large_communities_len, 24);
	assert_memory_equal(a->large_communities, large, 24);
	assert_int_equal(a->otc, 65001);
	/* unknown attributes kept opaque, with their flags */
	for (i = 0; i < a->n_raw; i++)
		if (a->raw[i].type == 99)
			break;
	assert_true(i < a->n_raw);
	assert_int_equal(a->raw[i].flags, F_OT | ATTR_F_PARTIAL);
	assert_int_equal(a->raw[i].len, 6);
	assert_memory_equal(a->raw[i].data, "opaque", 6);
	for (i = 0; i < a->n_raw; i++)
		if (a->raw[i].type == 200)
			break;
	assert_true(i < a->n_raw);
	assert_int_equal(a->raw[i].flags, F_OPT);
	/* IPv4 NLRI */
	assert_int_equal(nlri_count(x->nlri, x->nlri_len, AFI_IPV4,
	    SAFI_UNICAST, false), 4);
	assert_string_equal(nlri_str(x->nlri, x->nlri_len, AFI_IPV4,
	    SAFI_UNICAST, false, 0), "198.51.100.0/24");
	assert_string_equal(nlri_str(x->nlri, x->nlri_len, AFI_IPV4,
	    SAFI_UNICAST, false, 3), "0.0.0.0/0");
	assert_false(x->eor);
}

/* Encode the decoded UPDATE and compare with a whole message. */
static void
encode_same(const struct bgp_update *x, bool as4, const struct tbuf *want)
{
	struct wr w;

	wr_init(&w, 256, BGP_EXT_MAX_LEN);
	assert_int_equal(bgp_update_encode(&w, x, as4), 0);
	assert_bytes(wr_data(&w), wr_len(&w), want->b, want->n);
	wr_free(&w);
}

static enum bgp_verdict
decode(struct bgp_update *x, const struct tbuf *body,
    const struct bgp_neg *n, unsigned flags)
{
	enum bgp_verdict v;

	v = bgp_update_decode(x, body->b, body->n, n, flags);
	if (v != BGP_OK)
		print_message("decode: %s: %s\n", bgp_verdict_name(v),
		    x->err.reason);
	return (v);
}

static void
test_every_attr_as4(void **state)
{
	struct tbuf at, body, msg;

	attrs_every(&at, true);
	tb_update(&body, NULL, 0, at.b, at.n, nlri4, sizeof(nlri4));
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	check_every(u);
	assert_true(u->a.aggr_as4_wire);
	/* zero copy on a 4-octet session */
	assert_true(u->a.aspath >= body.b && u->a.aspath < body.b + body.n);
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, true, &msg);
}

static void
test_every_attr_as2(void **state)
{
	struct tbuf at, body, msg;

	attrs_every(&at, false);
	tb_update(&body, NULL, 0, at.b, at.n, nlri4, sizeof(nlri4));
	assert_int_equal(decode(u, &body, &neg_as2, 0), BGP_OK);
	check_every(u);
	assert_false(u->a.aggr_as4_wire);
	assert_true(attrs_has(&u->a, ATTR_AS4_PATH));
	assert_int_equal(u->a.as4_aggr_as, AS_BIG9);
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, false, &msg);
}

/*
 * The same routes cross between the two session kinds: the 4-octet
 * decoding encoded for a 2-octet session is the 2-octet vector (AS_TRANS
 * and AS4_PATH / AS4_AGGREGATOR), and back.
 */
static void
test_as4_cross_encode(void **state)
{
	struct tbuf	at2, at4, b2, b4, m2, m4;
	struct wr	w;
	struct rd	r, body;
	struct bgp_hdr	h;
	struct bgp_err	e;

	attrs_every(&at2, false);
	attrs_every(&at4, true);
	tb_update(&b2, NULL, 0, at2.b, at2.n, nlri4, sizeof(nlri4));
	tb_update(&b4, NULL, 0, at4.b, at4.n, nlri4, sizeof(nlri4));
	tb_msg(&m2, BGP_UPDATE, b2.b, b2.n);
	tb_msg(&m4, BGP_UPDATE, b4.b, b4.n);

	assert_int_equal(decode(u, &b4, &neg_as4, 0), BGP_OK);
	encode_same(u, false, &m2);
	assert_int_equal(decode(u, &b2, &neg_as2, 0), BGP_OK);
	encode_same(u, true, &m4);

	/* And the 2-octet encoding decodes back to the original path. */
	assert_int_equal(decode(u, &b4, &neg_as4, 0), BGP_OK);
	wr_init(&w, 256, BGP_MAX_LEN);
	assert_int_equal(bgp_update_encode(&w, u, false), 0);
	rd_init(&r, wr_data(&w), wr_len(&w));
	bgp_err_clear(&e);
	assert_int_equal(bgp_hdr_parse(&r, BGP_MAX_LEN, &h, &body, &e), 0);
	assert_int_equal(bgp_update_decode(u2, rd_cur(&body), rd_left(&body),
	    &neg_as2, 0), BGP_OK);
	assert_string_equal(path_str(&u2->a), MIXED_STR);
	assert_int_equal(u2->a.aggr_as, AS_BIG9);
	assert_attrs_same(&u->a, &u2->a);
	wr_free(&w);
}

/* Decode attributes given as (AS_PATH 2-octet, AS4_PATH) on a 2-octet link. */
static void
merge_case(const struct tbuf *p2, const struct tbuf *p4, const char *want)
{
	struct tbuf at, body;

	tb_reset(&at);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_attr(&at, F_WK, ATTR_AS_PATH, p2->b, p2->n);
	tb_attr(&at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	if (p4 != NULL)
		tb_attr(&at, F_OT, ATTR_AS4_PATH, p4->b, p4->n);
	tb_update(&body, NULL, 0, at.b, at.n, nlri4, 4);
	assert_int_equal(decode(u, &body, &neg_as2, 0), BGP_OK);
	assert_string_equal(path_str(&u->a), want);
}

static void
test_as4_path_merge(void **state)
{
	struct tbuf p2, p4;

	/* AS4_PATH shorter: leading AS_PATH ASes are prepended. */
	tb_reset(&p2);
	seg(&p2, 2, AS_SEQUENCE, 4, 65100u, 65200u, 23456u, 23456u);
	tb_reset(&p4);
	seg(&p4, 4, AS_SEQUENCE, 2, AS_BIG1, 4200000002u);
	merge_case(&p2, &p4, "65100 65200 4200000001 4200000002");
	/* ... into one canonical segment */
	assert_int_equal(u->a.aspath_len, 2 + 4 * 4);
	assert_int_equal(u->a.aspath[1], 4);

	/* Equal lengths: AS4_PATH is the path. */
	tb_reset(&p2);
	seg(&p2, 2, AS_SEQUENCE, 2, 23456u, 65200u);
	tb_reset(&p4);
	seg(&p4, 4, AS_SEQUENCE, 2, AS_BIG1, 65200u);
	merge_case(&p2, &p4, "4200000001 65200");

	/* RFC 6793 4.2.3: AS4_PATH longer than AS_PATH is ignored. */
	tb_reset(&p2);
	seg(&p2, 2, AS_SEQUENCE, 2, 65100u, 23456u);
	tb_reset(&p4);
	seg(&p4, 4, AS_SEQUENCE, 3, 65000u, 65100u, AS_BIG1);
	merge_case(&p2, &p4, "65100 23456");
	assert_int_equal(u->err.verdict, BGP_OK);

	/* An AS_SET counts one, and is taken whole. */
	tb_reset(&p2);
	seg(&p2, 2, AS_SEQUENCE, 1, 65100u);
	seg(&p2, 2, AS_SET, 2, 65200u, 65300u);
	seg(&p2, 2, AS_SEQUENCE, 1, 23456u);
	tb_reset(&p4);
	seg(&p4, 4, AS_SEQUENCE, 1, AS_BIG1);
	merge_case(&p2, &p4, "65100 {65200,65300} 4200000001");

	/*
	 * Confederation segments are not counted; one is kept when it leads
	 * or follows a segment taken whole, not after one taken in part.
	 */
	tb_reset(&p2);
	seg(&p2, 2, AS_SEQUENCE, 1, 65100u);
	seg(&p2, 2, AS_CONFED_SEQUENCE, 1, 65010u);
	seg(&p2, 2, AS_SEQUENCE, 2, 65200u, 23456u);
	tb_reset(&p4);
	seg(&p4, 4, AS_SEQUENCE, 2, 65200u, AS_BIG1);
	merge_case(&p2, &p4, "65100 (65010) 65200 4200000001");
	tb_reset(&p2);
	seg(&p2, 2, AS_SEQUENCE, 2, 65100u, 65200u);
	seg(&p2, 2, AS_CONFED_SEQUENCE, 1, 65010u);
	seg(&p2, 2, AS_SEQUENCE, 1, 23456u);
	tb_reset(&p4);
	seg(&p4, 4, AS_SEQUENCE, 2, 65200u, AS_BIG1);
	merge_case(&p2, &p4, "65100 65200 4200000001");

	/* No AS4_PATH: the 2-octet path widened as it is. */
	tb_reset(&p2);
	seg(&p2, 2, AS_SEQUENCE, 3, 65100u, 23456u, 1u);
	merge_case(&p2, NULL, "65100 23456 1");
	assert_int_equal(aspath_origin(u->a.aspath, u->a.aspath_len), 1);
	assert_int_equal(aspath_count(u->a.aspath, u->a.aspath_len), 3);
	/* An empty AS_PATH (iBGP) is valid. */
	tb_reset(&p2);
	merge_case(&p2, NULL, "");
	assert_true(attrs_has(&u->a, ATTR_AS_PATH));
	assert_int_equal(u->a.aspath_len, 0);
}

/* RFC 6793 4.2.3: the AGGREGATOR decides whether AS4_* are used. */
static void
test_as4_aggregator(void **state)
{
	struct tbuf	at, body, p2, p4;
	char		buf[ADDR_STRLEN];

	tb_reset(&p2);
	seg(&p2, 2, AS_SEQUENCE, 2, 65100u, 23456u);
	tb_reset(&p4);
	seg(&p4, 4, AS_SEQUENCE, 1, AS_BIG1);

	/* AGGREGATOR is AS_TRANS: AS4_AGGREGATOR and AS4_PATH are used. */
	tb_reset(&at);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_attr(&at, F_WK, ATTR_AS_PATH, p2.b, p2.n);
	tb_attr(&at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	tb_attr(&at, F_OT, ATTR_AGGREGATOR, "\x5b\xa0\xc0\x00\x02\x05", 6);
	tb_attr(&at, F_OT, ATTR_AS4_PATH, p4.b, p4.n);
	tb_attr(&at, F_OT, ATTR_AS4_AGGREGATOR,
	    "\xfa\x56\xea\x09\xc0\x00\x02\x09", 8);
	tb_update(&body, NULL, 0, at.b, at.n, nlri4, 4);
	assert_int_equal(decode(u, &body, &neg_as2, 0), BGP_OK);
	assert_int_equal(u->a.aggr_as, AS_BIG9);
	assert_string_equal(addr_fmt(&u->a.aggr_addr, buf, sizeof(buf)),
	    "192.0.2.9");
	assert_string_equal(path_str(&u->a), "65100 4200000001");

	/*
	 * AGGREGATOR is not AS_TRANS: both AS4_* are ignored, AGGREGATOR and
	 * AS_PATH are the information.
	 */
	tb_reset(&at);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_attr(&at, F_WK, ATTR_AS_PATH, p2.b, p2.n);
	tb_attr(&at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	tb_attr(&at, F_OT, ATTR_AGGREGATOR, "\xfd\xed\xc0\x00\x02\x05", 6);
	tb_attr(&at, F_OT, ATTR_AS4_PATH, p4.b, p4.n);
	tb_attr(&at, F_OT, ATTR_AS4_AGGREGATOR,
	    "\xfa\x56\xea\x09\xc0\x00\x02\x09", 8);
	tb_update(&body, NULL, 0, at.b, at.n, nlri4, 4);
	assert_int_equal(decode(u, &body, &neg_as2, 0), BGP_OK);
	assert_int_equal(u->a.aggr_as, 65005);
	assert_string_equal(addr_fmt(&u->a.aggr_addr, buf, sizeof(buf)),
	    "192.0.2.5");
	assert_string_equal(path_str(&u->a), "65100 23456");

	/* AGGREGATOR alone: taken as it is. */
	tb_reset(&at);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_attr(&at, F_WK, ATTR_AS_PATH, p2.b, p2.n);
	tb_attr(&at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	tb_attr(&at, F_OT, ATTR_AGGREGATOR, "\x5b\xa0\xc0\x00\x02\x05", 6);
	tb_update(&body, NULL, 0, at.b, at.n, nlri4, 4);
	assert_int_equal(decode(u, &body, &neg_as2, 0), BGP_OK);
	assert_int_equal(u->a.aggr_as, AS_TRANS);
}

/* MP_REACH_NLRI body: AFI, SAFI, next hop, reserved, NLRI. */
static void
mp_reach(struct tbuf *t, uint16_t afi, uint8_t safi, const void *nh,
    uint8_t nhlen, const void *nlri, size_t nlen)
{
	tb_reset(t);
	tb_u16(t, afi);
	tb_u8(t, safi);
	tb_u8(t, nhlen);
	tb_put(t, nh, nhlen);
	tb_u8(t, 0);
	if (nlen)
		tb_put(t, nlri, nlen);
}

static const uint8_t nh6[32] = {
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0x5e, 0xff, 0xfe, 0, 0x53, 1
};

/*
 * An MP UPDATE: MP_REACH first (as the encoder writes it), then ORIGIN
 * and AS_PATH.  Decodes cleanly, and encodes back to the same bytes.
 */
static void
mp_case(uint16_t afi, uint8_t safi, const void *nh, uint8_t nhlen,
    const void *nlri, size_t nlen, const struct bgp_neg *n)
{
	struct tbuf mp, at, body, msg;

	mp_reach(&mp, afi, safi, nh, nhlen, nlri, nlen);
	tb_reset(&at);
	tb_attr(&at, F_OPT, ATTR_MP_REACH_NLRI, mp.b, mp.n);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_attr(&at, F_WK, ATTR_AS_PATH, "\x02\x01\x00\x00\xfd\xe9", 6);
	tb_update(&body, NULL, 0, at.b, at.n, NULL, 0);
	if (decode(u, &body, n, 0) != BGP_OK)
		fail_msg("afi %u safi %u: %s", afi, safi, u->err.reason);
	assert_true(attrs_has(&u->a, ATTR_MP_REACH_NLRI));
	assert_int_equal(u->a.mp_reach.afi, afi);
	assert_int_equal(u->a.mp_reach.safi, safi);
	assert_int_equal(u->a.mp_reach.nh_len, nhlen);
	assert_int_equal(u->a.mp_reach.nlri_len, nlen);
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, true, &msg);
}

static void
test_mp_ipv6(void **state)
{
	static const uint8_t nlri[] = {
		48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
		64, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, 0x00, 0x03,
		128, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9,
		0
	};
	char buf[ADDR_STRLEN];

	/* global + link-local next hop (RFC 2545) */
	mp_case(AFI_IPV6, SAFI_UNICAST, nh6, 32, nlri, sizeof(nlri),
	    &neg_as4);
	assert_string_equal(addr_fmt(&u->a.mp_reach.nexthop, buf,
	    sizeof(buf)), "2001:db8::1");
	assert_string_equal(addr_fmt(&u->a.mp_reach.nexthop_ll, buf,
	    sizeof(buf)), "fe80::200:5eff:fe00:5301");
	assert_int_equal(nlri_count(u->a.mp_reach.nlri,
	    u->a.mp_reach.nlri_len, AFI_IPV6, SAFI_UNICAST, false), 4);
	assert_string_equal(nlri_str(u->a.mp_reach.nlri,
	    u->a.mp_reach.nlri_len, AFI_IPV6, SAFI_UNICAST, false, 0),
	    "2001:db8:1::/48");
	assert_string_equal(nlri_str(u->a.mp_reach.nlri,
	    u->a.mp_reach.nlri_len, AFI_IPV6, SAFI_UNICAST, false, 1),
	    "2001:db8:2:3::/64");
	assert_string_equal(nlri_str(u->a.mp_reach.nlri,
	    u->a.mp_reach.nlri_len, AFI_IPV6, SAFI_UNICAST, false, 2),
	    "2001:db8::9/128");
	assert_string_equal(nlri_str(u->a.mp_reach.nlri,
	    u->a.mp_reach.nlri_len, AFI_IPV6, SAFI_UNICAST, false, 3),
	    "::/0");
	/* global only */
	mp_case(AFI_IPV6, SAFI_UNICAST, nh6, 16, nlri, 7, &neg_as4);
	assert_int_equal(u->a.mp_reach.nexthop.afi, AFI_IPV6);
	assert_int_equal(u->a.mp_reach.nexthop_ll.afi, 0);
	/* IPv6 multicast */
	mp_case(AFI_IPV6, SAFI_MULTICAST, nh6, 16, nlri, 7, &neg_as4);
	assert_string_equal(nlri_str(u->a.mp_reach.nlri,
	    u->a.mp_reach.nlri_len, AFI_IPV6, SAFI_MULTICAST, false, 0),
	    "2001:db8:1::/48");
}

static void
test_mp_ipv4(void **state)
{
	char buf[ADDR_STRLEN];

	/* IPv4 multicast over MP */
	mp_case(AFI_IPV4, SAFI_MULTICAST, "\xc0\x00\x02\x07", 4, nlri4, 7,
	    &neg_as4);
	assert_string_equal(addr_fmt(&u->a.mp_reach.nexthop, buf,
	    sizeof(buf)), "192.0.2.7");
	assert_string_equal(nlri_str(u->a.mp_reach.nlri,
	    u->a.mp_reach.nlri_len, AFI_IPV4, SAFI_MULTICAST, false, 1),
	    "10.1.0.0/16");
	/* IPv4 unicast over MP */
	mp_case(AFI_IPV4, SAFI_UNICAST, "\xc0\x00\x02\x07", 4, nlri4, 4,
	    &neg_as4);
	/* IPv4 NLRI with an IPv6 next hop (RFC 8950) */
	mp_case(AFI_IPV4, SAFI_UNICAST, nh6, 16, nlri4, 4, &neg_as4);
	assert_string_equal(addr_fmt(&u->a.mp_reach.nexthop, buf,
	    sizeof(buf)), "2001:db8::1");
	mp_case(AFI_IPV4, SAFI_UNICAST, nh6, 32, nlri4, 4, &neg_as4);
	assert_int_equal(u->a.mp_reach.nexthop_ll.afi, AFI_IPV6);
}

static void
test_mp_labeled_vpn(void **state)
{
	/* label 1000, bottom of stack; 198.51.100.0/24 */
	static const uint8_t lab4[] = { 48, 0x00, 0x3e, 0x81, 198, 51, 100 };
	/* two labels, 16 and 17 (BoS on the second); 10.0.0.0/8 */
	static const uint8_t lab2[] = {
		56, 0x00, 0x01, 0x00, 0x00, 0x01, 0x11, 10
	};
	/* label 2000; RD 0:65001:100; 10.1.0.0/24 */
	static const uint8_t vpn4[] = {
		112, 0x00, 0x7d, 0x01, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00,
		0x00, 0x64, 10, 1, 0
	};
	/* label 3000; RD 1:192.0.2.1:7; 2001:db8:7::/48 */
	static const uint8_t vpn6[] = {
		136, 0x00, 0xbb, 0x81, 0x00, 0x01, 0xc0, 0x00, 0x02, 0x01,
		0x00, 0x07, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x07
	};
	static const uint8_t lab6[] = {
		72, 0x00, 0x3e, 0x81, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x07
	};
	static const uint8_t rd0nh4[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
	    192, 0, 2, 1 };
	uint8_t			rdnh6[48];
	struct nlri_iter	it;
	struct nlri		n;
	char			buf[PREFIX_STRLEN];

	mp_case(AFI_IPV4, SAFI_MPLS_LABEL, "\xc0\x00\x02\x01", 4, lab4,
	    sizeof(lab4), &neg_as4);
	nlri_iter_init(&it, u->a.mp_reach.nlri, u->a.mp_reach.nlri_len,
	    AFI_IPV4, SAFI_MPLS_LABEL, false);
	assert_int_equal(nlri_next(&it, &n), 1);
	assert_int_equal(n.label, 1000);
	assert_int_equal(n.n_labels, 1);
	assert_string_equal(prefix_fmt(&n.pfx, buf, sizeof(buf)),
	    "198.51.100.0/24");
	assert_int_equal(nlri_next(&it, &n), 0);

	mp_case(AFI_IPV4, SAFI_MPLS_LABEL, "\xc0\x00\x02\x01", 4, lab2,
	    sizeof(lab2), &neg_as4);
	nlri_iter_init(&it, u->a.mp_reach.nlri, u->a.mp_reach.nlri_len,
	    AFI_IPV4, SAFI_MPLS_LABEL, false);
	assert_int_equal(nlri_next(&it, &n), 1);
	assert_int_equal(n.label, 16);
	assert_int_equal(n.n_labels, 2);
	assert_string_equal(prefix_fmt(&n.pfx, buf, sizeof(buf)),
	    "10.0.0.0/8");

	mp_case(AFI_IPV6, SAFI_MPLS_LABEL, nh6, 16, lab6, sizeof(lab6),
	    &neg_as4);
	assert_string_equal(nlri_str(u->a.mp_reach.nlri,
	    u->a.mp_reach.nlri_len, AFI_IPV6, SAFI_MPLS_LABEL, false, 0),
	    "2001:db8:7::/48");

	mp_case(AFI_IPV4, SAFI_MPLS_VPN, rd0nh4, 12, vpn4, sizeof(vpn4),
	    &neg_as4);
	assert_string_equal(addr_fmt(&u->a.mp_reach.nexthop, buf,
	    sizeof(buf)), "192.0.2.1");
	nlri_iter_init(&it, u->a.mp_reach.nlri, u->a.mp_reach.nlri_len,
	    AFI_IPV4, SAFI_MPLS_VPN, false);
	assert_int_equal(nlri_next(&it, &n), 1);
	assert_int_equal(n.label, 2000);
	assert_true(n.rd == 0x0000fde900000064ull);
	assert_string_equal(prefix_fmt(&n.pfx, buf, sizeof(buf)),
	    "10.1.0.0/24");

	memset(rdnh6, 0, sizeof(rdnh6));
	memcpy(rdnh6 + 8, nh6, 16);
	memcpy(rdnh6 + 32, nh6 + 16, 16);
	mp_case(AFI_IPV6, SAFI_MPLS_VPN, rdnh6, 48, vpn6, sizeof(vpn6),
	    &neg_as4);
	assert_string_equal(addr_fmt(&u->a.mp_reach.nexthop, buf,
	    sizeof(buf)), "2001:db8::1");
	assert_int_equal(u->a.mp_reach.nexthop_ll.b[0], 0xfe);
	nlri_iter_init(&it, u->a.mp_reach.nlri, u->a.mp_reach.nlri_len,
	    AFI_IPV6, SAFI_MPLS_VPN, false);
	assert_int_equal(nlri_next(&it, &n), 1);
	assert_int_equal(n.label, 3000);
	assert_true(n.rd == 0x0001c00002010007ull);
	assert_string_equal(prefix_fmt(&n.pfx, buf, sizeof(buf)),
	    "2001:db8:7::/48");
	mp_case(AFI_IPV6, SAFI_MPLS_VPN, rdnh6, 24, vpn6, sizeof(vpn6),
	    &neg_as4);
}

/* A family bgplens does not decode NLRI for is kept opaque. */
static void
test_mp_unknown_family(void **state)
{
	static const uint8_t evpn[] = { 2, 3, 1, 2, 3 };

	mp_case(25, 70, "\xc0\x00\x02\x01", 4, evpn, sizeof(evpn), &neg_as4);
	assert_memory_equal(u->a.mp_reach.nlri, evpn, sizeof(evpn));
	/* any next-hop length is taken for such a family */
	mp_case(1, 133, NULL, 0, evpn, sizeof(evpn), &neg_as4);
	mp_case(25, 70, "\x01\x02\x03\x04\x05", 5, evpn, sizeof(evpn),
	    &neg_as4);
}

static void
test_mp_unreach(void **state)
{
	static const uint8_t wd6[] = {
		0x00, 0x02, 0x01,
		48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
	};
	/* VPN withdrawal with the 0x800000 compatibility label */
	static const uint8_t wdvpn[] = {
		0x00, 0x01, 0x80,
		112, 0x80, 0x00, 0x00, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00,
		0x00, 0x64, 10, 1, 0
	};
	struct tbuf		at, body, msg;
	struct nlri_iter	it;
	struct nlri		n;

	tb_reset(&at);
	tb_attr(&at, F_OPT, ATTR_MP_UNREACH_NLRI, wd6, sizeof(wd6));
	tb_update(&body, NULL, 0, at.b, at.n, NULL, 0);
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	assert_false(u->eor);
	assert_int_equal(u->a.mp_unreach.afi, AFI_IPV6);
	assert_string_equal(nlri_str(u->a.mp_unreach.nlri,
	    u->a.mp_unreach.nlri_len, AFI_IPV6, SAFI_UNICAST, false, 0),
	    "2001:db8:1::/48");
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, true, &msg);

	tb_reset(&at);
	tb_attr(&at, F_OPT, ATTR_MP_UNREACH_NLRI, wdvpn, sizeof(wdvpn));
	tb_update(&body, NULL, 0, at.b, at.n, NULL, 0);
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	nlri_iter_init(&it, u->a.mp_unreach.nlri, u->a.mp_unreach.nlri_len,
	    AFI_IPV4, SAFI_MPLS_VPN, false);
	assert_int_equal(nlri_next(&it, &n), 1);
	assert_int_equal(n.n_labels, 1);
	assert_true(n.rd == 0x0000fde900000064ull);
	assert_int_equal(n.pfx.len, 24);
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, true, &msg);
}

/* ADD-PATH path identifiers, in the IPv4 fields and in MP attributes. */
static void
test_addpath(void **state)
{
	static const uint8_t wd[] = {
		0, 0, 0, 1, 24, 198, 51, 100,
		0, 0, 0, 2, 24, 198, 51, 100,
	};
	static const uint8_t nl[] = {
		0, 0, 0, 7, 16, 10, 1,
		0xff, 0xff, 0xff, 0xff, 0,
	};
	static const uint8_t nl6[] = {
		0, 0, 0, 3, 48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
		0, 0, 0, 4, 48, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
	};
	struct bgp_neg		n = { true, false, 1u << AS_IPV4_UNICAST };
	struct bgp_neg		n6 = { true, false, 1u << AS_IPV6_UNICAST };
	struct tbuf		at, body, msg;
	struct nlri_iter	it;
	struct nlri		x;

	tb_reset(&at);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_attr(&at, F_WK, ATTR_AS_PATH, "\x02\x01\x00\x00\xfd\xe9", 6);
	tb_attr(&at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	tb_update(&body, wd, sizeof(wd), at.b, at.n, nl, sizeof(nl));
	assert_int_equal(decode(u, &body, &n, 0), BGP_OK);
	assert_true(u->addpath_v4);
	nlri_iter_init(&it, u->withdrawn, u->withdrawn_len, AFI_IPV4,
	    SAFI_UNICAST, u->addpath_v4);
	assert_int_equal(nlri_next(&it, &x), 1);
	assert_int_equal(x.path_id, 1);
	assert_int_equal(nlri_next(&it, &x), 1);
	assert_int_equal(x.path_id, 2);
	assert_int_equal(nlri_next(&it, &x), 0);
	nlri_iter_init(&it, u->nlri, u->nlri_len, AFI_IPV4, SAFI_UNICAST,
	    true);
	assert_int_equal(nlri_next(&it, &x), 1);
	assert_int_equal(x.path_id, 7);
	assert_int_equal(x.pfx.len, 16);
	assert_int_equal(nlri_next(&it, &x), 1);
	assert_true(x.path_id == 0xffffffffu);
	assert_int_equal(x.pfx.len, 0);
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, true, &msg);

	/* The same bytes without ADD-PATH do not parse: session reset. */
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_SESSION_RESET);

	/* MP attributes, on the family it was negotiated for only. */
	mp_case(AFI_IPV6, SAFI_UNICAST, nh6, 16, nl6, sizeof(nl6), &n6);
	nlri_iter_init(&it, u->a.mp_reach.nlri, u->a.mp_reach.nlri_len,
	    AFI_IPV6, SAFI_UNICAST, true);
	assert_int_equal(nlri_next(&it, &x), 1);
	assert_int_equal(x.path_id, 3);
	assert_int_equal(nlri_next(&it, &x), 1);
	assert_int_equal(x.path_id, 4);
	assert_false(u->addpath_v4);
	tb_reset(&at);
	tb_put(&at, "\x00\x02\x01", 3);
	tb_put(&at, nl6, sizeof(nl6));
	tb_reset(&msg);
	tb_attr(&msg, F_OPT, ATTR_MP_UNREACH_NLRI, at.b, at.n);
	tb_update(&body, NULL, 0, msg.b, msg.n, NULL, 0);
	assert_int_equal(decode(u, &body, &n6, 0), BGP_OK);
	assert_int_equal(nlri_count(u->a.mp_unreach.nlri,
	    u->a.mp_unreach.nlri_len, AFI_IPV6, SAFI_UNICAST, true), 2);
	assert_int_equal(decode(u, &body, &n, 0), BGP_SESSION_RESET);
}

/* RFC 4724 2: End-of-RIB markers. */
static void
test_eor(void **state)
{
	struct tbuf	at, body, msg;

	tb_update(&body, NULL, 0, NULL, 0, NULL, 0);
	assert_int_equal(body.n, 4);
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	assert_true(u->eor);
	assert_int_equal(u->eor_afi, AFI_IPV4);
	assert_int_equal(u->eor_safi, SAFI_UNICAST);
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	assert_int_equal(msg.n, 23);
	encode_same(u, true, &msg);

	tb_reset(&at);
	tb_attr(&at, F_OPT, ATTR_MP_UNREACH_NLRI, "\x00\x02\x01", 3);
	tb_update(&body, NULL, 0, at.b, at.n, NULL, 0);
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	assert_true(u->eor);
	assert_int_equal(u->eor_afi, AFI_IPV6);
	assert_int_equal(u->eor_safi, SAFI_UNICAST);
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, true, &msg);

	tb_reset(&at);
	tb_attr(&at, F_OPT, ATTR_MP_UNREACH_NLRI, "\x00\x01\x80", 3);
	tb_update(&body, NULL, 0, at.b, at.n, NULL, 0);
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	assert_true(u->eor);
	assert_int_equal(u->eor_afi, AFI_IPV4);
	assert_int_equal(u->eor_safi, SAFI_MPLS_VPN);
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, true, &msg);
	/* and an IPv4 multicast one */
	tb_reset(&at);
	tb_attr(&at, F_OPT, ATTR_MP_UNREACH_NLRI, "\x00\x01\x02", 3);
	tb_update(&body, NULL, 0, at.b, at.n, NULL, 0);
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	assert_true(u->eor);
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, true, &msg);

	/* Not markers: something withdrawn, or another attribute too. */
	tb_reset(&at);
	tb_attr(&at, F_OPT, ATTR_MP_UNREACH_NLRI, "\x00\x02\x01\x00", 4);
	tb_update(&body, NULL, 0, at.b, at.n, NULL, 0);
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	assert_false(u->eor);
	tb_reset(&at);
	tb_attr(&at, F_OPT, ATTR_MP_UNREACH_NLRI, "\x00\x02\x01", 3);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_update(&body, NULL, 0, at.b, at.n, NULL, 0);
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	assert_false(u->eor);
	tb_update(&body, "\x08\x0a", 2, NULL, 0, NULL, 0);
	assert_int_equal(decode(u, &body, &neg_as4, 0), BGP_OK);
	assert_false(u->eor);
}

/* A withdrawal and an announcement in the IPv4 fields, round trip. */
static void
test_ipv4_fields_roundtrip(void **state)
{
	static const uint8_t wd[] = { 8, 10, 32, 192, 0, 2, 99, 0 };
	struct tbuf	at, body, msg;

	tb_reset(&at);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x02", 1);
	tb_attr(&at, F_WK, ATTR_AS_PATH, "\x02\x02\xfd\xe9\x5b\xa0", 6);
	tb_attr(&at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	tb_update(&body, wd, sizeof(wd), at.b, at.n, nlri4, sizeof(nlri4));
	assert_int_equal(decode(u, &body, &neg_as2, 0), BGP_OK);
	assert_int_equal(u->withdrawn_len, sizeof(wd));
	assert_int_equal(nlri_count(u->withdrawn, u->withdrawn_len,
	    AFI_IPV4, SAFI_UNICAST, false), 3);
	assert_string_equal(nlri_str(u->withdrawn, u->withdrawn_len,
	    AFI_IPV4, SAFI_UNICAST, false, 1), "192.0.2.99/32");
	assert_int_equal(u->attr_len, at.n);
	assert_string_equal(path_str(&u->a), "65001 23456");
	tb_msg(&msg, BGP_UPDATE, body.b, body.n);
	encode_same(u, false, &msg);
	assert_int_equal(aspath_origin(u->a.aspath, u->a.aspath_len),
	    AS_TRANS);
}

/* Host bits past the prefix length are masked on decode (RFC 4271 4.3). */
static void
test_nlri_trailing_bits(void **state)
{
	static const uint8_t n[] = { 13, 11, 13, 30, 0x20, 0x01, 0x0d, 0xff };
	struct nlri_iter	it;
	struct nlri		x;
	char			buf[PREFIX_STRLEN];

	nlri_iter_init(&it, n, 3, AFI_IPV4, SAFI_UNICAST, false);
	assert_int_equal(nlri_next(&it, &x), 1);
	assert_string_equal(prefix_fmt(&x.pfx, buf, sizeof(buf)),
	    "11.8.0.0/13");
	nlri_iter_init(&it, n + 3, 5, AFI_IPV6, SAFI_UNICAST, false);
	assert_int_equal(nlri_next(&it, &x), 1);
	assert_string_equal(prefix_fmt(&x.pfx, buf, sizeof(buf)),
	    "2001:dfc::/30");
}

static void
test_nlri_encode(void **state)
{
	struct nlri	n;
	struct wr	w;
	struct nlri_iter it;
	struct nlri	back;

	memset(&n, 0, sizeof(n));
	assert_int_equal(prefix_parse("198.51.100.0/24", &n.pfx), 0);
	wr_init(&w, 16, 256);
	assert_int_equal(nlri_encode(&w, &n, SAFI_UNICAST, false), 0);
	assert_bytes(wr_data(&w), wr_len(&w), "\x18\xc6\x33\x64", 4);
	wr_reset(&w);
	n.path_id = 9;
	assert_int_equal(nlri_encode(&w, &n, SAFI_UNICAST, true), 0);
	assert_bytes(wr_data(&w), wr_len(&w),
	    "\x00\x00\x00\x09\x18\xc6\x33\x64", 8);
	wr_reset(&w);
	n.label = 2000;
	n.rd = 0x0000fde900000064ull;
	assert_int_equal(nlri_encode(&w, &n, SAFI_MPLS_VPN, false), 0);
	nlri_iter_init(&it, wr_data(&w), wr_len(&w), AFI_IPV4, SAFI_MPLS_VPN,
	    false);
	assert_int_equal(nlri_next(&it, &back), 1);
	assert_int_equal(back.label, 2000);
	assert_true(back.rd == n.rd);
	assert_int_equal(prefix_cmp(&back.pfx, &n.pfx), 0);
	wr_reset(&w);
	assert_int_equal(prefix_parse("2001:db8::/32", &n.pfx), 0);
	assert_int_equal(nlri_encode(&w, &n, SAFI_MPLS_LABEL, false), 0);
	assert_int_equal(wr_len(&w), 1 + 3 + 4);
	assert_int_equal(wr_data(&w)[0], 56);
	/* A /128 VPN route fits the 1-octet length: 24 + 64 + 128. */
	wr_reset(&w);
	assert_int_equal(prefix_parse("2001:db8::1/128", &n.pfx), 0);
	assert_int_equal(nlri_encode(&w, &n, SAFI_MPLS_VPN, false), 0);
	assert_int_equal(wr_data(&w)[0], 216);
	/* A length past the family, or no family, is refused. */
	wr_reset(&w);
	n.pfx.len = 200;
	assert_int_equal(nlri_encode(&w, &n, SAFI_UNICAST, false), -1);
	wr_reset(&w);
	n.pfx.afi = 0;
	n.pfx.len = 8;
	assert_int_equal(nlri_encode(&w, &n, SAFI_UNICAST, false), -1);
	wr_free(&w);
}

static void
test_nlri_bad(void **state)
{
	static const uint8_t v4_33[] = { 33, 1, 2, 3, 4, 5 };
	static const uint8_t v6_129[] = { 129, 0 };
	static const uint8_t cut[] = { 24, 10, 0 };
	static const uint8_t lab_short[] = { 16, 0x00, 0x3e };
	static const uint8_t vpn_short[] = { 80, 0, 0, 1, 0, 0, 0, 0, 0, 0,
	    0, 0, 10 };
	static const uint8_t nobos[] = { 255, 0, 0, 0, 0, 0x10, 0, 0, 0x20,
	    0, 0, 0x30, 0, 0, 0x40, 0, 0, 0x50, 0, 0, 0x60, 0, 0, 0x70, 0,
	    0, 0x80, 0, 0, 0x90 };
	static const uint8_t pid_cut[] = { 0, 0, 1 };
	struct nlri_iter	it;
	struct nlri		x;

	assert_int_equal(nlri_count(v4_33, sizeof(v4_33), AFI_IPV4,
	    SAFI_UNICAST, false), -1);
	assert_int_equal(nlri_count(v6_129, sizeof(v6_129), AFI_IPV6,
	    SAFI_UNICAST, false), -1);
	assert_int_equal(nlri_count(cut, sizeof(cut), AFI_IPV4,
	    SAFI_UNICAST, false), -1);
	assert_int_equal(nlri_count(lab_short, sizeof(lab_short), AFI_IPV4,
	    SAFI_MPLS_LABEL, false), -1);
	assert_int_equal(nlri_count(vpn_short, sizeof(vpn_short), AFI_IPV4,
	    SAFI_MPLS_VPN, false), -1);
	assert_int_equal(nlri_count(nobos, sizeof(nobos), AFI_IPV6,
	    SAFI_MPLS_LABEL, false), -1);
	assert_int_equal(nlri_count(pid_cut, sizeof(pid_cut), AFI_IPV4,
	    SAFI_UNICAST, true), -1);
	assert_int_equal(nlri_count(cut, 0, AFI_IPV4, SAFI_UNICAST, false), 0);
	/* The iterator stops after an error. */
	nlri_iter_init(&it, v4_33, sizeof(v4_33), AFI_IPV4, SAFI_UNICAST,
	    false);
	assert_int_equal(nlri_next(&it, &x), -1);
	assert_int_equal(nlri_next(&it, &x), 0);
}

static void
test_aspath_helpers(void **state)
{
	struct tbuf		p;
	char			small[20];
	struct aspath_iter	it;
	uint32_t		as;
	uint8_t			st;
	int			n = 0;

	path_mixed(&p, 4);
	aspath_iter_init(&it, p.b, p.n);
	while (aspath_next(&it, &as, &st) == 1) {
		if (n == 0) {
			assert_int_equal(as, 65010);
			assert_int_equal(st, AS_CONFED_SEQUENCE);
		}
		if (n == 4) {
			assert_int_equal(as, AS_BIG1);
			assert_int_equal(st, AS_SEQUENCE);
		}
		n++;
	}
	assert_int_equal(n, 7);
	/* A short buffer cuts the text, never overflows it. */
	memset(small, 'x', sizeof(small));
	assert_true(aspath_fmt(p.b, p.n, small, sizeof(small)) <
	    sizeof(small));
	assert_int_equal(small[strlen(small)], '\0');
	assert_int_equal(aspath_fmt(p.b, p.n, small, 0), 0);
	assert_int_equal(aspath_fmt(p.b, p.n, small, 1), 0);
	assert_string_equal(small, "");
	/* Origin of a path ending in a sequence; empty path. */
	tb_reset(&p);
	seg(&p, 4, AS_SEQUENCE, 3, 1u, 2u, 3u);
	seg(&p, 4, AS_SEQUENCE, 1, 4u);
	assert_int_equal(aspath_origin(p.b, p.n), 4);
	assert_int_equal(aspath_first(p.b, p.n), 1);
	assert_int_equal(aspath_count(p.b, p.n), 4);
	assert_int_equal(aspath_origin(p.b, 0), 0);
	assert_int_equal(aspath_first(p.b, 0), 0);
	assert_int_equal(aspath_count(p.b, 0), 0);
	/* Cut inside a segment: helpers stop, no over-read. */
	assert_int_equal(aspath_count(p.b, 7), 0);
	assert_int_equal(aspath_origin(p.b, 7), 0);
}

/* RFC 8654: a 65,535-octet UPDATE on an extended-message session. */
static void
test_extended_message(void **state)
{
	struct tbuf	*at = malloc(sizeof(*at)), *body = malloc(sizeof(*body));
	struct tbuf	*msg = malloc(sizeof(*msg));
	struct tbuf	 nl;
	uint8_t		*cl = calloc(1, 61488);
	struct bgp_neg	 n = { true, true, 0 };
	struct rd	 r, b;
	struct bgp_hdr	 h;
	struct bgp_err	 e;
	struct wr	 w;
	int		 i;

	tb_reset(&nl);
	for (i = 0; i < 1000; i++) {
		tb_u8(&nl, 24);
		tb_u8(&nl, 10);
		tb_u8(&nl, (uint8_t)(i >> 8));
		tb_u8(&nl, (uint8_t)i);
	}
	for (i = 0; i < 61488; i += 4)
		cl[i + 3] = (uint8_t)i;
	tb_reset(at);
	tb_attr(at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_attr(at, F_WK, ATTR_AS_PATH, "\x02\x01\x00\x00\xfd\xe9", 6);
	tb_attr(at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	tb_attr(at, F_OT, ATTR_COMMUNITIES, cl, 61488);
	tb_update(body, NULL, 0, at->b, at->n, nl.b, nl.n);
	tb_msg(msg, BGP_UPDATE, body->b, body->n);
	assert_int_equal(msg->n, BGP_EXT_MAX_LEN);

	/* Without the capability the header is refused. */
	bgp_err_clear(&e);
	rd_init(&r, msg->b, msg->n);
	assert_int_equal(bgp_hdr_parse(&r, BGP_MAX_LEN, &h, &b, &e), -1);
	assert_int_equal(e.subcode, ERR_HDR_LEN);
	/* With it, the message decodes whole. */
	bgp_err_clear(&e);
	rd_init(&r, msg->b, msg->n);
	assert_int_equal(bgp_hdr_parse(&r, BGP_EXT_MAX_LEN, &h, &b, &e), 0);
	assert_int_equal(h.len, 65535);
	assert_int_equal(bgp_update_decode(u, rd_cur(&b), rd_left(&b), &n, 0),
	    BGP_OK);
	assert_int_equal(u->a.communities_len, 61488);
	assert_int_equal(nlri_count(u->nlri, u->nlri_len, AFI_IPV4,
	    SAFI_UNICAST, false), 1000);
	encode_same(u, true, msg);
	/* One octet more does not fit any BGP message. */
	wr_init(&w, 256, BGP_EXT_MAX_LEN);
	u->nlri_len++;
	assert_int_equal(bgp_update_encode(&w, u, true), -1);
	wr_free(&w);
	free(cl);
	free(at);
	free(body);
	free(msg);
}

/* TABLE_DUMP_V2 attributes: 4-octet paths, MP_REACH holding a next hop. */
static void
test_mrt_rib_attrs(void **state)
{
	struct tbuf	at, p;
	char		buf[ADDR_STRLEN];

	tb_reset(&p);
	seg(&p, 4, AS_SEQUENCE, 2, 65001u, AS_BIG1);
	tb_reset(&at);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_attr(&at, F_WK, ATTR_AS_PATH, p.b, p.n);
	tb_attr(&at, F_OPT, ATTR_MP_REACH_NLRI, "\x10" "\x20\x01\x0d\xb8"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07", 17);
	assert_int_equal(bgp_attrs_decode(u, at.b, at.n, &neg_as2,
	    BGP_DEC_MRT_RIB), BGP_OK);
	assert_string_equal(path_str(&u->a), "65001 4200000001");
	assert_int_equal(u->a.mp_reach.nh_len, 16);
	assert_string_equal(addr_fmt(&u->a.mp_reach.nexthop, buf,
	    sizeof(buf)), "2001:db8::7");
	assert_int_equal(u->a.mp_reach.nlri_len, 0);
	/* The full form is still read. */
	tb_reset(&at);
	tb_attr(&at, F_OPT, ATTR_MP_REACH_NLRI,
	    "\x00\x02\x01\x10\x20\x01\x0d\xb8"
	    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x07\x00", 21);
	assert_int_equal(bgp_attrs_decode(u, at.b, at.n, &neg_as2,
	    BGP_DEC_MRT_RIB), BGP_OK);
	assert_int_equal(u->a.mp_reach.afi, AFI_IPV6);
	assert_string_equal(addr_fmt(&u->a.mp_reach.nexthop, buf,
	    sizeof(buf)), "2001:db8::7");
}

static void
test_names(void **state)
{
	assert_string_equal(bgp_attr_name(ATTR_ORIGIN), "ORIGIN");
	assert_string_equal(bgp_attr_name(ATTR_AS4_PATH), "AS4_PATH");
	assert_string_equal(bgp_attr_name(ATTR_LARGE_COMMUNITIES),
	    "LARGE_COMMUNITIES");
	assert_string_equal(bgp_attr_name(ATTR_OTC), "ONLY_TO_CUSTOMER");
	assert_string_equal(bgp_attr_name(99), "UNKNOWN");
	assert_string_equal(bgp_attr_name(250), "UNKNOWN");
	assert_string_equal(bgp_verdict_name(BGP_OK), "ok");
	assert_string_equal(bgp_verdict_name(BGP_ATTR_DISCARD),
	    "attribute-discard");
	assert_string_equal(bgp_verdict_name(BGP_TREAT_AS_WITHDRAW),
	    "treat-as-withdraw");
	assert_string_equal(bgp_verdict_name(BGP_SESSION_RESET),
	    "session-reset");
}

/*
 * raw[] keeps every attribute with its own bytes, decoded or not: the RIB
 * stores ORIGINATOR_ID, CLUSTER_LIST, OTC and unknown attributes from it.
 */
static void
test_raw_values(void **state)
{
	static const uint8_t attrs[] = {
		0x40, ATTR_ORIGIN, 1, ORIGIN_IGP,
		0x40, ATTR_AS_PATH, 0,
		0x80, ATTR_ORIGINATOR_ID, 4, 1, 2, 3, 4,
		0x80, ATTR_CLUSTER_LIST, 8, 5, 6, 7, 8, 9, 10, 11, 12,
		0xc0, ATTR_OTC, 4, 0, 0, 0xfd, 0xe8,
		0xc0, 0xfe, 2, 0xab, 0xcd,		/* unknown optional */
	};
	struct bgp_update	*up = bgp_update_new();
	struct bgp_neg		 neg = { true, false, 0 };
	const struct bgp_attr_raw *r;
	int			 i, found = 0;

	(void)state;
	assert_non_null(up);
	assert_int_equal(bgp_attrs_decode(up, attrs, sizeof(attrs), &neg, 0),
	    BGP_OK);
	for (i = 0; i < up->a.n_raw; i++) {
		r = &up->a.raw[i];
		switch (r->type) {
		case ATTR_ORIGINATOR_ID:
			assert_int_equal(r->len, 4);
			assert_memory_equal(r->data, attrs + 10, 4);
			found++;
			break;
		case ATTR_CLUSTER_LIST:
			assert_int_equal(r->len, 8);
			assert_memory_equal(r->data, attrs + 17, 8);
			found++;
			break;
		case ATTR_OTC:
			assert_int_equal(r->len, 4);
			assert_memory_equal(r->data, attrs + 28, 4);
			found++;
			break;
		case 0xfe:
			assert_memory_equal(r->data, attrs + 35, 2);
			found++;
			break;
		}
	}
	assert_int_equal(found, 4);
	assert_int_equal(up->a.originator_id, 0x01020304);
	assert_int_equal(up->a.otc, 65000);
	bgp_update_free(up);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_attr_as4),
		cmocka_unit_test(test_every_attr_as2),
		cmocka_unit_test(test_as4_cross_encode),
		cmocka_unit_test(test_as4_path_merge),
		cmocka_unit_test(test_as4_aggregator),
		cmocka_unit_test(test_mp_ipv6),
		cmocka_unit_test(test_mp_ipv4),
		cmocka_unit_test(test_mp_labeled_vpn),
		cmocka_unit_test(test_mp_unknown_family),
		cmocka_unit_test(test_mp_unreach),
		cmocka_unit_test(test_addpath),
		cmocka_unit_test(test_eor),
		cmocka_unit_test(test_ipv4_fields_roundtrip),
		cmocka_unit_test(test_nlri_trailing_bits),
		cmocka_unit_test(test_nlri_encode),
		cmocka_unit_test(test_nlri_bad),
		cmocka_unit_test(test_aspath_helpers),
		cmocka_unit_test(test_extended_message),
		cmocka_unit_test(test_mrt_rib_attrs),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_raw_values),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
