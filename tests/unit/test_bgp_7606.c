/*
 * test_bgp_7606.c -- one test per row of docs/rfc7606.md: every UPDATE
 * malformation the decoder classifies, with its verdict, the NOTIFICATION
 * code/subcode it reports, and whether decoding went on past it.
 *
 * Most rows are built the same way: a valid UPDATE (ORIGIN, AS_PATH,
 * NEXT_HOP, <the attribute under test>, COMMUNITIES, one IPv4 prefix) on
 * an iBGP 4-octet session, where the attribute under test is malformed.
 * COMMUNITIES after it tells whether the walk continued.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgp.h"
#include "bgp_vectors.h"

static struct bgp_update *u;

static int
setup(void **state)
{
	u = bgp_update_new();
	return (u == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	bgp_update_free(u);
	return (0);
}

#define OMIT_ORIGIN	0x1
#define OMIT_ASPATH	0x2
#define OMIT_NEXTHOP	0x4
#define NO_NLRI		0x8
#define NO_COMMS	0x10
#define PATH2		0x20	/* 2-octet AS_PATH (set by row()) */

static const uint8_t one_pfx[] = { 24, 198, 51, 100 };

/*
 * The standard UPDATE with `bad` (a whole attribute, header included)
 * between NEXT_HOP and COMMUNITIES.
 */
static void
build(struct tbuf *body, const void *bad, size_t badlen, unsigned opt)
{
	struct tbuf at;

	tb_reset(&at);
	if (!(opt & OMIT_ORIGIN))
		tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	if (!(opt & OMIT_ASPATH) && (opt & PATH2))
		tb_attr(&at, F_WK, ATTR_AS_PATH, "\x02\x01\xfd\xe9", 4);
	else if (!(opt & OMIT_ASPATH))
		tb_attr(&at, F_WK, ATTR_AS_PATH, "\x02\x01\x00\x00\xfd\xe9", 6);
	if (!(opt & OMIT_NEXTHOP))
		tb_attr(&at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	if (badlen > 0)
		tb_put(&at, bad, badlen);
	if (!(opt & NO_COMMS))
		tb_attr(&at, F_OT, ATTR_COMMUNITIES, "\xfd\xe9\x00\x01", 4);
	tb_update(body, NULL, 0, at.b, at.n, one_pfx,
	    (opt & NO_NLRI) ? 0 : sizeof(one_pfx));
}

/* What a row expects. */
struct want {
	enum bgp_verdict verdict;
	uint8_t		 subcode;
	uint8_t		 attr;		/* attribute blamed */
	bool		 cont;		/* COMMUNITIES still decoded */
	int		 gone;		/* type that must not be decoded, or 0 */
};

static void
check(const struct want *w)
{
	if (u->err.verdict != w->verdict)
		fail_msg("verdict %s, want %s (%s)",
		    bgp_verdict_name(u->err.verdict),
		    bgp_verdict_name(w->verdict), u->err.reason);
	assert_int_equal(u->err.code, w->verdict == BGP_OK ? 0 : ERR_UPDATE);
	if (u->err.subcode != w->subcode)
		fail_msg("subcode %u, want %u (%s)", u->err.subcode,
		    w->subcode, u->err.reason);
	assert_int_equal(u->err.attr, w->attr);
	assert_true(u->err.reason[0] != '\0' || w->verdict == BGP_OK);
	if (w->cont) {
		assert_true(attrs_has(&u->a, ATTR_COMMUNITIES));
		assert_true(attrs_has(&u->a, ATTR_ORIGIN));
	}
	if (w->gone)
		assert_false(attrs_has(&u->a, (unsigned)w->gone));
}

static void
row(const void *bad, size_t badlen, unsigned opt, const struct bgp_neg *n,
    unsigned flags, struct want w)
{
	struct tbuf body;

	build(&body, bad, badlen, opt | (n->as4 ? 0 : PATH2));
	bgp_update_decode(u, body.b, body.n, n, flags);
	check(&w);
}

#define DISCARD		BGP_ATTR_DISCARD
#define TAW		BGP_TREAT_AS_WITHDRAW
#define RESET		BGP_SESSION_RESET
#define A(s)		s, sizeof(s) - 1

/* ---- message level --------------------------------------------------- */

/* Withdrawn Routes Length past the message: 3(b), session reset. */
static void
t_withdrawn_len_overrun(void **state)
{
	static const uint8_t b[] = { 0x00, 0x09, 24, 10, 0, 0, 0x00, 0x00 };

	bgp_update_decode(u, b, sizeof(b), &neg_as4, 0);
	check(&(struct want){ RESET, ERR_UPD_ATTRLIST, 0, false, 0 });
}

/* Total Attribute Length past the message: 3(b), session reset. */
static void
t_attr_len_overrun(void **state)
{
	struct tbuf body;

	build(&body, NULL, 0, 0);
	body.b[3] += 5;		/* attribute length, low octet */
	bgp_update_decode(u, body.b, body.n, &neg_as4, 0);
	check(&(struct want){ RESET, ERR_UPD_ATTRLIST, 0, false, 0 });
	/* A body too short for the two length fields. */
	bgp_update_decode(u, body.b, 3, &neg_as4, 0);
	check(&(struct want){ RESET, ERR_UPD_ATTRLIST, 0, false, 0 });
}

/* Malformed IPv4 NLRI (prefix length 33): 5.3, session reset. */
static void
t_nlri_len33(void **state)
{
	struct tbuf body;

	build(&body, NULL, 0, 0);
	assert_int_equal(bgp_update_decode(u, body.b, body.n, &neg_as4, 0),
	    BGP_OK);
	assert_non_null(u->a.aspath);
	body.b[body.n - 4] = 33;
	tb_u8(&body, 0);
	bgp_update_decode(u, body.b, body.n, &neg_as4, 0);
	check(&(struct want){ RESET, ERR_UPD_NETWORK, 0, false, 0 });
	/* nothing is left pointing into the previous message (fuzz find) */
	assert_null(u->a.aspath);
	assert_int_equal(u->a.aspath_len, 0);
	assert_int_equal(u->a.n_raw, 0);
	assert_int_equal(u->a.seen, 0);
	assert_null(u->a.communities);
}

/* NLRI whose last prefix runs past the field: 5.3, session reset. */
static void
t_nlri_overrun(void **state)
{
	struct tbuf body;

	build(&body, NULL, 0, 0);
	body.n--;
	bgp_update_decode(u, body.b, body.n, &neg_as4, 0);
	check(&(struct want){ RESET, ERR_UPD_NETWORK, 0, false, 0 });
}

/* Malformed Withdrawn Routes field: 3(i) and 5.3, session reset. */
static void
t_withdrawn_malformed(void **state)
{
	static const uint8_t b[] = { 0x00, 0x02, 40, 10, 0x00, 0x00 };

	bgp_update_decode(u, b, sizeof(b), &neg_as4, 0);
	check(&(struct want){ RESET, ERR_UPD_NETWORK, 0, false, 0 });
}

/*
 * An attribute whose length runs past the Total Attribute Length: 4,
 * treat-as-withdraw; what came before it stays decoded.
 */
static void
t_attr_overrun(void **state)
{
	static const uint8_t bad[] = { F_OT, ATTR_COMMUNITIES, 200, 0, 0 };
	struct want w = { TAW, ERR_UPD_ATTRLIST, 0, false, 0 };

	row(bad, sizeof(bad), NO_COMMS, &neg_as4, 0, w);
	assert_true(attrs_has(&u->a, ATTR_NEXT_HOP));
	assert_false(attrs_has(&u->a, ATTR_COMMUNITIES));
}

/* Fewer than 3 (4 with extended length) octets left: 4, withdraw. */
static void
t_attr_short_header(void **state)
{
	struct want w = { TAW, ERR_UPD_ATTRLIST, 0, false, 0 };

	row("\x40\x01", 2, NO_COMMS, &neg_as4, 0, w);
	assert_true(attrs_has(&u->a, ATTR_NEXT_HOP));
	row("\x50\x08\x00", 3, NO_COMMS, &neg_as4, 0, w);
	row("\x40", 1, NO_COMMS, &neg_as4, 0, w);
}

/* 5.2: the same overrun in an UPDATE with no reachable NLRI: reset. */
static void
t_attr_overrun_no_nlri(void **state)
{
	static const uint8_t bad[] = { F_OT, ATTR_COMMUNITIES, 200, 0, 0 };

	row(bad, sizeof(bad), NO_COMMS | NO_NLRI, &neg_as4, 0,
	    (struct want){ RESET, ERR_UPD_ATTRLIST, 0, false, 0 });
}

/* 3(g): a repeated attribute: later copies discarded, first kept. */
static void
t_duplicate_attr(void **state)
{
	row(A("\x40\x01\x01\x02"), 0, &neg_as4, 0,
	    (struct want){ DISCARD, ERR_UPD_ATTRLIST, ATTR_ORIGIN, true, 0 });
	assert_int_equal(u->a.origin, ORIGIN_IGP);	/* the first one */
	assert_int_equal(u->err.n_discard, 1);
	/* an unknown optional one too */
	row(A("\xc0\x63\x01\x01\xc0\x63\x01\x02"), 0, &neg_as4, 0,
	    (struct want){ DISCARD, ERR_UPD_ATTRLIST, 99, true, 0 });
}

/* 3(g): MP_REACH_NLRI or MP_UNREACH_NLRI twice: session reset. */
static void
t_duplicate_mp(void **state)
{
	static const uint8_t mp2[] = {
		F_OPT, ATTR_MP_UNREACH_NLRI, 3, 0x00, 0x02, 0x01,
		F_OPT, ATTR_MP_UNREACH_NLRI, 3, 0x00, 0x01, 0x01,
	};
	static const uint8_t mpr2[] = {
		F_OPT, ATTR_MP_REACH_NLRI, 9, 0x00, 0x01, 0x01, 4, 192, 0, 2,
		1, 0,
		F_OPT, ATTR_MP_REACH_NLRI, 9, 0x00, 0x01, 0x01, 4, 192, 0, 2,
		1, 0,
	};

	row(mp2, sizeof(mp2), 0, &neg_as4, 0, (struct want){ RESET,
	    ERR_UPD_ATTRLIST, ATTR_MP_UNREACH_NLRI, false, 0 });
	row(mpr2, sizeof(mpr2), 0, &neg_as4, 0, (struct want){ RESET,
	    ERR_UPD_ATTRLIST, ATTR_MP_REACH_NLRI, false, 0 });
}

/* 3(d): a well-known mandatory attribute missing with NLRI: withdraw. */
static void
t_missing_origin(void **state)
{
	row(NULL, 0, OMIT_ORIGIN, &neg_as4, 0, (struct want){ TAW,
	    ERR_UPD_MISSNG_WK, ATTR_ORIGIN, false, 0 });
	assert_true(attrs_has(&u->a, ATTR_COMMUNITIES));
}

static void
t_missing_aspath(void **state)
{
	row(NULL, 0, OMIT_ASPATH, &neg_as4, 0, (struct want){ TAW,
	    ERR_UPD_MISSNG_WK, ATTR_AS_PATH, true, 0 });
}

static void
t_missing_nexthop(void **state)
{
	static const uint8_t mp[] = {
		F_OPT, ATTR_MP_REACH_NLRI, 13, 0x00, 0x01, 0x01, 4, 192, 0, 2,
		1, 0, 24, 10, 1, 2
	};

	row(NULL, 0, OMIT_NEXTHOP, &neg_as4, 0, (struct want){ TAW,
	    ERR_UPD_MISSNG_WK, ATTR_NEXT_HOP, true, 0 });
	/* RFC 4760 3: not needed when the routes are in MP_REACH only. */
	row(mp, sizeof(mp), OMIT_NEXTHOP | NO_NLRI, &neg_as4, 0,
	    (struct want){ BGP_OK, 0, 0, true, 0 });
	/* MP_REACH needs ORIGIN and AS_PATH all the same. */
	row(mp, sizeof(mp), OMIT_NEXTHOP | OMIT_ASPATH | NO_NLRI, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_MISSNG_WK, ATTR_AS_PATH, true, 0 });
}

/* NLRI with no path attributes at all: 3(d), withdraw. */
static void
t_nlri_without_attrs(void **state)
{
	struct tbuf body;

	tb_update(&body, NULL, 0, NULL, 0, one_pfx, sizeof(one_pfx));
	bgp_update_decode(u, body.b, body.n, &neg_as4, 0);
	check(&(struct want){ TAW, ERR_UPD_MISSNG_WK, 0, false, 0 });
}

/* 3(c): wrong Optional/Transitive bits on a well-known attribute. */
static void
t_flags_wellknown(void **state)
{
	row(NULL, 0, 0, &neg_as4, 0, (struct want){ BGP_OK, 0, 0, true, 0 });
	row(A("\xc0\x06\x00"), 0, &neg_as4, 0, (struct want){ DISCARD,
	    ERR_UPD_ATTRFLAGS, ATTR_ATOMIC_AGGREGATE, true,
	    ATTR_ATOMIC_AGGREGATE });
	row(A("\x00\x05\x04\x00\x00\x00\x64"), 0, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRFLAGS, ATTR_LOCAL_PREF, true,
	    ATTR_LOCAL_PREF });
	/* ORIGIN sent as optional */
	row(A("\xc0\x01\x01\x00"), OMIT_ORIGIN, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRFLAGS, ATTR_ORIGIN, false,
	    ATTR_ORIGIN });
	assert_true(attrs_has(&u->a, ATTR_COMMUNITIES));
	/* the Partial and Extended Length bits are not judged */
	row(A("\x70\x06\x00\x00"), 0, &neg_as4, 0,
	    (struct want){ BGP_OK, 0, 0, true, 0 });
}

/* 3(c) on optional attributes whose handling is discard or withdraw. */
static void
t_flags_optional(void **state)
{
	row(A("\x40\x07\x08\xfa\x56\xea\x01\xc0\x00\x02\x01"), 0, &neg_as4,
	    0, (struct want){ DISCARD, ERR_UPD_ATTRFLAGS, ATTR_AGGREGATOR,
	    true, ATTR_AGGREGATOR });
	row(A("\x80\x20\x0c\x00\x00\x00\x01\x00\x00\x00\x02\x00\x00\x00\x03"),
	    0, &neg_as4, 0, (struct want){ TAW, ERR_UPD_ATTRFLAGS,
	    ATTR_LARGE_COMMUNITIES, true, ATTR_LARGE_COMMUNITIES });
}

/* 5.3: MP_REACH_NLRI with flags other than RFC 4760's: reset. */
static void
t_flags_mp(void **state)
{
	row(A("\xc0\x0f\x03\x00\x02\x01"), 0, &neg_as4, 0, (struct want){
	    RESET, ERR_UPD_ATTRFLAGS, ATTR_MP_UNREACH_NLRI, false, 0 });
	row(A("\x40\x0e\x09\x00\x01\x01\x04\xc0\x00\x02\x01\x00"), 0,
	    &neg_as4, 0, (struct want){ RESET, ERR_UPD_ATTRFLAGS,
	    ATTR_MP_REACH_NLRI, false, 0 });
}

/* RFC 4271 6.3: an unrecognized well-known attribute: reset. */
static void
t_unknown_wellknown(void **state)
{
	row(A("\x40\x63\x01\x00"), 0, &neg_as4, 0, (struct want){ RESET,
	    ERR_UPD_UNKNWN_WK, 99, false, 0 });
	/* the same type as optional is kept opaque */
	row(A("\xc0\x63\x01\x00"), 0, &neg_as4, 0,
	    (struct want){ BGP_OK, 0, 0, true, 0 });
	assert_int_equal(u->a.raw[3].type, 99);
}

/* ---- per attribute (RFC 7606 7) -------------------------------------- */

static void
t_origin_len(void **state)
{
	row(A("\x40\x01\x02\x00\x00"), OMIT_ORIGIN, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_ORIGIN, false,
	    ATTR_ORIGIN });
	assert_true(attrs_has(&u->a, ATTR_COMMUNITIES));
	row(A("\x40\x01\x00"), OMIT_ORIGIN, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_ORIGIN, false,
	    ATTR_ORIGIN });
}

static void
t_origin_value(void **state)
{
	row(A("\x40\x01\x01\x03"), OMIT_ORIGIN, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ORIGIN, ATTR_ORIGIN, false,
	    ATTR_ORIGIN });
	assert_true(attrs_has(&u->a, ATTR_COMMUNITIES));
}

/* AS_PATH segments: 7.2, treat-as-withdraw, Malformed AS_PATH. */
static void
aspath_row(const char *v, size_t n, const struct bgp_neg *ng)
{
	struct tbuf bad;

	tb_reset(&bad);
	tb_attr(&bad, F_WK, ATTR_AS_PATH, v, n);
	row(bad.b, bad.n, OMIT_ASPATH, ng, 0, (struct want){ TAW,
	    ERR_UPD_ASPATH, ATTR_AS_PATH, true, ATTR_AS_PATH });
}

static void
t_aspath_seg_type0(void **state)
{
	aspath_row(A("\x00\x01\x00\x00\xfd\xe9"), &neg_as4);
}

static void
t_aspath_seg_type5(void **state)
{
	aspath_row(A("\x05\x01\x00\x00\xfd\xe9"), &neg_as4);
	aspath_row(A("\x02\x01\x00\x00\xfd\xe9\x05\x01\x00\x00\xfd\xea"),
	    &neg_as4);
}

static void
t_aspath_zero_count(void **state)
{
	aspath_row(A("\x02\x00"), &neg_as4);
	aspath_row(A("\x02\x01\xfd\xe9\x01\x00"), &neg_as2);
}

static void
t_aspath_overrun(void **state)
{
	aspath_row(A("\x02\x02\x00\x00\xfd\xe9"), &neg_as4);
	/* a 2-octet path read on a 4-octet session overruns too */
	aspath_row(A("\x02\x03\xfd\xe9\xfd\xea\xfd\xeb"), &neg_as4);
}

static void
t_aspath_underrun(void **state)
{
	aspath_row(A("\x02\x01\x00\x00\xfd\xe9\x02"), &neg_as4);
}

static void
t_nexthop_len(void **state)
{
	row(A("\x40\x03\x05\xc0\x00\x02\x01\x00"), OMIT_NEXTHOP, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_NEXT_HOP, true,
	    ATTR_NEXT_HOP });
	row(A("\x40\x03\x10\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00"
	    "\x00\x00\x00\x01"), OMIT_NEXTHOP, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_NEXT_HOP, true,
	    ATTR_NEXT_HOP });
}

static void
t_med_len(void **state)
{
	row(A("\x80\x04\x02\x00\x01"), 0, &neg_as4, 0, (struct want){ TAW,
	    ERR_UPD_ATTRLEN, ATTR_MED, true, ATTR_MED });
}

static void
t_local_pref_len(void **state)
{
	row(A("\x40\x05\x05\x00\x00\x00\x00\x64"), 0, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_LOCAL_PREF, true,
	    ATTR_LOCAL_PREF });
}

/* 7.5: LOCAL_PREF from an external peer is discarded, whatever it is. */
static void
t_local_pref_ebgp(void **state)
{
	row(A("\x40\x05\x04\x00\x00\x00\x64"), 0, &neg_as4, BGP_DEC_EBGP,
	    (struct want){ DISCARD, ERR_UPD_ATTRLIST, ATTR_LOCAL_PREF, true,
	    ATTR_LOCAL_PREF });
	row(A("\x40\x05\x05\x00\x00\x00\x00\x64"), 0, &neg_as4, BGP_DEC_EBGP,
	    (struct want){ DISCARD, ERR_UPD_ATTRLIST, ATTR_LOCAL_PREF, true,
	    ATTR_LOCAL_PREF });
	row(A("\xc0\x05\x04\x00\x00\x00\x64"), 0, &neg_as4, BGP_DEC_EBGP,
	    (struct want){ DISCARD, ERR_UPD_ATTRLIST, ATTR_LOCAL_PREF, true,
	    ATTR_LOCAL_PREF });
	/* from an internal peer it is kept */
	row(A("\x40\x05\x04\x00\x00\x00\x64"), 0, &neg_as4, 0,
	    (struct want){ BGP_OK, 0, 0, true, 0 });
	assert_int_equal(u->a.local_pref, 100);
}

static void
t_atomic_aggregate_len(void **state)
{
	row(A("\x40\x06\x01\x00"), 0, &neg_as4, 0, (struct want){ DISCARD,
	    ERR_UPD_ATTRLEN, ATTR_ATOMIC_AGGREGATE, true,
	    ATTR_ATOMIC_AGGREGATE });
	/* a discard leaves the routes in place: NLRI still there */
	assert_int_equal(u->nlri_len, sizeof(one_pfx));
}

static void
t_aggregator_len(void **state)
{
	/* 6 octets on a 4-octet session, 8 on a 2-octet one, 7 anywhere */
	row(A("\xc0\x07\x06\xfd\xe9\xc0\x00\x02\x01"), 0, &neg_as4, 0,
	    (struct want){ DISCARD, ERR_UPD_ATTRLEN, ATTR_AGGREGATOR, true,
	    ATTR_AGGREGATOR });
	row(A("\xc0\x07\x08\x00\x00\xfd\xe9\xc0\x00\x02\x01"), OMIT_ASPATH,
	    &neg_as2, 0, (struct want){ TAW, ERR_UPD_MISSNG_WK, ATTR_AS_PATH,
	    true, ATTR_AGGREGATOR });
	assert_int_equal(u->err.n_discard, 1);
	row(A("\xc0\x07\x07\x00\xfd\xe9\xc0\x00\x02\x01"), 0, &neg_as4, 0,
	    (struct want){ DISCARD, ERR_UPD_ATTRLEN, ATTR_AGGREGATOR, true,
	    ATTR_AGGREGATOR });
}

static void
t_communities_len(void **state)
{
	struct want w = { TAW, ERR_UPD_ATTRLEN, ATTR_COMMUNITIES, false,
	    ATTR_COMMUNITIES };

	row(A("\xc0\x08\x03\xfd\xe9\x00"), NO_COMMS, &neg_as4, 0, w);
	assert_true(attrs_has(&u->a, ATTR_NEXT_HOP));
	row(A("\xc0\x08\x00"), NO_COMMS, &neg_as4, 0, w);
}

static void
t_originator_id_len(void **state)
{
	row(A("\x80\x09\x03\x0a\x00\x00"), 0, &neg_as4, 0, (struct want){
	    TAW, ERR_UPD_ATTRLEN, ATTR_ORIGINATOR_ID, true,
	    ATTR_ORIGINATOR_ID });
	/* 7.9: from an external peer, discarded */
	row(A("\x80\x09\x04\x0a\x00\x00\x01"), 0, &neg_as4, BGP_DEC_EBGP,
	    (struct want){ DISCARD, ERR_UPD_ATTRLIST, ATTR_ORIGINATOR_ID,
	    true, ATTR_ORIGINATOR_ID });
}

static void
t_cluster_list_len(void **state)
{
	row(A("\x80\x0a\x06\x0a\x00\x00\x01\x0a\x00"), 0, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_CLUSTER_LIST, true,
	    ATTR_CLUSTER_LIST });
	row(A("\x80\x0a\x00"), 0, &neg_as4, 0, (struct want){ TAW,
	    ERR_UPD_ATTRLEN, ATTR_CLUSTER_LIST, true, ATTR_CLUSTER_LIST });
	/* 7.10: from an external peer, discarded */
	row(A("\x80\x0a\x04\x0a\x00\x00\x01"), 0, &neg_as4, BGP_DEC_EBGP,
	    (struct want){ DISCARD, ERR_UPD_ATTRLIST, ATTR_CLUSTER_LIST,
	    true, ATTR_CLUSTER_LIST });
}

/* MP_REACH_NLRI shorter than 5 octets, or its next hop overruns: 5.3. */
static void
t_mp_reach_truncated(void **state)
{
	struct want w = { RESET, ERR_UPD_ATTRLEN, ATTR_MP_REACH_NLRI, false,
	    0 };

	row(A("\x80\x0e\x04\x00\x02\x01\x10"), 0, &neg_as4, 0, w);
	row(A("\x80\x0e\x08\x00\x02\x01\x10\x20\x01\x0d\xb8"), 0, &neg_as4,
	    0, w);
	row(A("\x80\x0e\x00"), 0, &neg_as4, 0, w);
}

/* 7.11: a next-hop length the family does not allow: reset. */
static void
t_mp_reach_nexthop_len(void **state)
{
	struct want w = { RESET, ERR_UPD_OPTATTR, ATTR_MP_REACH_NLRI, false,
	    0 };

	/* IPv6 unicast with a 4-octet next hop */
	row(A("\x80\x0e\x0a\x00\x02\x01\x04\xc0\x00\x02\x01\x00\x10\x20\x01"),
	    0, &neg_as4, 0, w);
	/* IPv4 unicast with a 5-octet next hop */
	row(A("\x80\x0e\x0b\x00\x01\x01\x05\xc0\x00\x02\x01\x00\x00\x08\x0a"),
	    0, &neg_as4, 0, w);
	/* IPv4 VPN with a plain IPv4 next hop (no RD) */
	row(A("\x80\x0e\x09\x00\x01\x80\x04\xc0\x00\x02\x01\x00"), 0,
	    &neg_as4, 0, w);
	/* an empty next hop before NLRI */
	row(A("\x80\x0e\x07\x00\x02\x01\x00\x00\x08\x20"), 0, &neg_as4, 0, w);
}

/* 5.3: NLRI in MP_REACH_NLRI too long for the family, or cut: reset. */
static void
t_mp_reach_nlri(void **state)
{
	struct want w = { RESET, ERR_UPD_OPTATTR, ATTR_MP_REACH_NLRI, false,
	    0 };

	row(A("\x80\x0e\x0b\x00\x01\x01\x04\xc0\x00\x02\x01\x00\x21\x0a"), 0,
	    &neg_as4, 0, w);
	row(A("\x80\x0e\x0b\x00\x01\x01\x04\xc0\x00\x02\x01\x00\x18\x0a"), 0,
	    &neg_as4, 0, w);
}

static void
t_mp_unreach(void **state)
{
	row(A("\x80\x0f\x02\x00\x02"), 0, &neg_as4, 0, (struct want){ RESET,
	    ERR_UPD_ATTRLEN, ATTR_MP_UNREACH_NLRI, false, 0 });
	row(A("\x80\x0f\x05\x00\x02\x01\x81\x20"), 0, &neg_as4, 0,
	    (struct want){ RESET, ERR_UPD_OPTATTR, ATTR_MP_UNREACH_NLRI,
	    false, 0 });
}

static void
t_ext_communities_len(void **state)
{
	row(A("\xc0\x10\x04\x00\x02\xfd\xe9"), 0, &neg_as4, 0, (struct want){
	    TAW, ERR_UPD_ATTRLEN, ATTR_EXT_COMMUNITIES, true,
	    ATTR_EXT_COMMUNITIES });
	row(A("\xc0\x10\x00"), 0, &neg_as4, 0, (struct want){ TAW,
	    ERR_UPD_ATTRLEN, ATTR_EXT_COMMUNITIES, true,
	    ATTR_EXT_COMMUNITIES });
	/* 7.14: an unknown type is no error */
	row(A("\xc0\x10\x08\xee\xee\x00\x00\x00\x00\x00\x01"), 0, &neg_as4, 0,
	    (struct want){ BGP_OK, 0, 0, true, 0 });
}

static void
t_ipv6_ext_communities_len(void **state)
{
	row(A("\xc0\x19\x08\x00\x02\xfd\xe9\x00\x00\x00\x01"), 0, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_IPV6_EXT_COMMUNITIES,
	    true, ATTR_IPV6_EXT_COMMUNITIES });
}

static void
t_large_communities_len(void **state)
{
	row(A("\xc0\x20\x08\x00\x00\xfd\xe9\x00\x00\x00\x01"), 0, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_LARGE_COMMUNITIES,
	    true, ATTR_LARGE_COMMUNITIES });
}

static void
t_otc_len(void **state)
{
	row(A("\xc0\x23\x02\xfd\xe9"), 0, &neg_as4, 0, (struct want){ TAW,
	    ERR_UPD_ATTRLEN, ATTR_OTC, true, ATTR_OTC });
}

/* AS4_PATH (RFC 6793 6): malformed means discarded, the route kept. */
static void
t_as4_path_malformed(void **state)
{
	struct want w = { DISCARD, ERR_UPD_ASPATH, ATTR_AS4_PATH, true,
	    ATTR_AS4_PATH };

	row(A("\xc0\x11\x06\x05\x01\x00\x00\xfd\xe9"), 0, &neg_as2, 0, w);
	row(A("\xc0\x11\x06\x02\x02\x00\x00\xfd\xe9"), 0, &neg_as2, 0, w);
	row(A("\xc0\x11\x02\x02\x00"), 0, &neg_as2, 0, (struct want){
	    DISCARD, ERR_UPD_ATTRLEN, ATTR_AS4_PATH, true, ATTR_AS4_PATH });
	row(A("\xc0\x11\x00"), 0, &neg_as2, 0, (struct want){
	    DISCARD, ERR_UPD_ATTRLEN, ATTR_AS4_PATH, true, ATTR_AS4_PATH });
	row(A("\xc0\x11\x08\x02\x01\x00\x00\xfd\xe9\x02\x00"), 0, &neg_as2,
	    0, w);
	assert_string_equal(path_str(&u->a), "65001");
}

/*
 * AS4_PATH with confederation segments (RFC 6793 6): those segments are
 * discarded, the rest of AS4_PATH is used.
 */
static void
t_as4_path_confed(void **state)
{
	struct tbuf	at, body;

	tb_reset(&at);
	tb_attr(&at, F_WK, ATTR_ORIGIN, "\x00", 1);
	tb_attr(&at, F_WK, ATTR_AS_PATH, "\x02\x02\xfd\xe9\x5b\xa0", 6);
	tb_attr(&at, F_WK, ATTR_NEXT_HOP, "\xc0\x00\x02\x01", 4);
	tb_attr(&at, F_OT, ATTR_AS4_PATH,
	    "\x03\x01\x00\x00\xfd\xf2" "\x02\x01\xfa\x56\xea\x01", 12);
	tb_attr(&at, F_OT, ATTR_COMMUNITIES, "\xfd\xe9\x00\x01", 4);
	tb_update(&body, NULL, 0, at.b, at.n, one_pfx, sizeof(one_pfx));
	bgp_update_decode(u, body.b, body.n, &neg_as2, 0);
	check(&(struct want){ DISCARD, ERR_UPD_ASPATH, ATTR_AS4_PATH, true,
	    0 });
	assert_true(attrs_has(&u->a, ATTR_AS4_PATH));
	assert_int_equal(u->a.as4_path_len, 6);
	assert_string_equal(path_str(&u->a), "65001 4200000001");
	/* Only confederation segments: nothing left, all discarded. */
	row(A("\xc0\x11\x06\x04\x01\x00\x00\xfd\xf2"), 0, &neg_as2, 0,
	    (struct want){ DISCARD, ERR_UPD_ASPATH, ATTR_AS4_PATH, true,
	    ATTR_AS4_PATH });
}

static void
t_as4_aggregator_len(void **state)
{
	row(A("\xc0\x12\x06\xfd\xe9\xc0\x00\x02\x01"), 0, &neg_as2, 0,
	    (struct want){ DISCARD, ERR_UPD_ATTRLEN, ATTR_AS4_AGGREGATOR, true,
	    ATTR_AS4_AGGREGATOR });
}

/* RFC 6793 4.1: AS4_* from a 4-octet speaker are discarded. */
static void
t_as4_attrs_on_as4_session(void **state)
{
	row(A("\xc0\x11\x06\x02\x01\xfa\x56\xea\x01"), 0, &neg_as4, 0,
	    (struct want){ DISCARD, ERR_UPD_OPTATTR, ATTR_AS4_PATH, true,
	    ATTR_AS4_PATH });
	assert_string_equal(path_str(&u->a), "65001");
	row(A("\xc0\x12\x08\xfa\x56\xea\x01\xc0\x00\x02\x01"), 0, &neg_as4, 0,
	    (struct want){ DISCARD, ERR_UPD_OPTATTR, ATTR_AS4_AGGREGATOR, true,
	    ATTR_AS4_AGGREGATOR });
}

/*
 * 5.2: attributes but no reachable NLRI, and an error worse than a
 * discard: session reset.  A discard alone stays a discard.
 */
static void
t_no_reach_error(void **state)
{
	row(A("\x80\x04\x02\x00\x01"), NO_NLRI, &neg_as4, 0, (struct want){
	    RESET, ERR_UPD_ATTRLEN, ATTR_MED, true, ATTR_MED });
	row(A("\x40\x06\x01\x00"), NO_NLRI, &neg_as4, 0, (struct want){
	    DISCARD, ERR_UPD_ATTRLEN, ATTR_ATOMIC_AGGREGATE, true,
	    ATTR_ATOMIC_AGGREGATE });
	/* withdrawn routes and a bad attribute: still no reachable NLRI */
	{
		struct tbuf at, body;

		tb_reset(&at);
		tb_attr(&at, F_WK, ATTR_ORIGIN, "\x07", 1);
		tb_update(&body, one_pfx, sizeof(one_pfx), at.b, at.n, NULL,
		    0);
		bgp_update_decode(u, body.b, body.n, &neg_as4, 0);
		check(&(struct want){ RESET, ERR_UPD_ORIGIN, ATTR_ORIGIN,
		    false, ATTR_ORIGIN });
	}
}

/* 3(h): several errors: the strongest verdict, with its own reason. */
static void
t_strongest_wins(void **state)
{
	row(A("\x40\x06\x01\x00" "\x80\x04\x02\x00\x01"), 0, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_MED, true, ATTR_MED });
	assert_int_equal(u->err.n_problems, 2);
	assert_int_equal(u->err.n_discard, 1);
	assert_non_null(strstr(u->err.reason, "MULTI_EXIT_DISC"));
	/* the first reason of the worst verdict is kept */
	row(A("\x80\x04\x02\x00\x01" "\xc0\x10\x01\x00"), 0, &neg_as4, 0,
	    (struct want){ TAW, ERR_UPD_ATTRLEN, ATTR_MED, true, ATTR_MED });
	assert_int_equal(u->err.n_problems, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_withdrawn_len_overrun),
		cmocka_unit_test(t_attr_len_overrun),
		cmocka_unit_test(t_nlri_len33),
		cmocka_unit_test(t_nlri_overrun),
		cmocka_unit_test(t_withdrawn_malformed),
		cmocka_unit_test(t_attr_overrun),
		cmocka_unit_test(t_attr_short_header),
		cmocka_unit_test(t_attr_overrun_no_nlri),
		cmocka_unit_test(t_duplicate_attr),
		cmocka_unit_test(t_duplicate_mp),
		cmocka_unit_test(t_missing_origin),
		cmocka_unit_test(t_missing_aspath),
		cmocka_unit_test(t_missing_nexthop),
		cmocka_unit_test(t_nlri_without_attrs),
		cmocka_unit_test(t_flags_wellknown),
		cmocka_unit_test(t_flags_optional),
		cmocka_unit_test(t_flags_mp),
		cmocka_unit_test(t_unknown_wellknown),
		cmocka_unit_test(t_origin_len),
		cmocka_unit_test(t_origin_value),
		cmocka_unit_test(t_aspath_seg_type0),
		cmocka_unit_test(t_aspath_seg_type5),
		cmocka_unit_test(t_aspath_zero_count),
		cmocka_unit_test(t_aspath_overrun),
		cmocka_unit_test(t_aspath_underrun),
		cmocka_unit_test(t_nexthop_len),
		cmocka_unit_test(t_med_len),
		cmocka_unit_test(t_local_pref_len),
		cmocka_unit_test(t_local_pref_ebgp),
		cmocka_unit_test(t_atomic_aggregate_len),
		cmocka_unit_test(t_aggregator_len),
		cmocka_unit_test(t_communities_len),
		cmocka_unit_test(t_originator_id_len),
		cmocka_unit_test(t_cluster_list_len),
		cmocka_unit_test(t_mp_reach_truncated),
		cmocka_unit_test(t_mp_reach_nexthop_len),
		cmocka_unit_test(t_mp_reach_nlri),
		cmocka_unit_test(t_mp_unreach),
		cmocka_unit_test(t_ext_communities_len),
		cmocka_unit_test(t_ipv6_ext_communities_len),
		cmocka_unit_test(t_large_communities_len),
		cmocka_unit_test(t_otc_len),
		cmocka_unit_test(t_as4_path_malformed),
		cmocka_unit_test(t_as4_path_confed),
		cmocka_unit_test(t_as4_aggregator_len),
		cmocka_unit_test(t_as4_attrs_on_as4_session),
		cmocka_unit_test(t_no_reach_error),
		cmocka_unit_test(t_strongest_wins),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
