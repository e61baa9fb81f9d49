/*
 * fuzz_bgp_update.c -- libFuzzer target for the UPDATE decoder and encoder.
 *
 * The first octet picks the options: bit 0 4-octet AS, bit 1 IPv4 unicast
 * ADD-PATH, bit 2 IPv6 unicast ADD-PATH, bit 3 ADD-PATH on the other
 * families, bit 4 MRT RIB entry, bit 5 eBGP, bit 6 extended messages.  The
 * rest is an UPDATE body.  Every NLRI of every field is walked, the path
 * formatted, the UPDATE re-encoded with both AS sizes and each re-encoding
 * decoded again, which must not need a session reset and must give the
 * same path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct bgp_update *u, *u2;

static void
walk(const uint8_t *p, size_t len, uint16_t afi, uint8_t safi, bool ap)
{
	struct nlri_iter	it;
	struct nlri		n;
	char			buf[PREFIX_STRLEN];
	struct wr		w;
	uint8_t			mem[64];

	nlri_iter_init(&it, p, len, afi, safi, ap);
	while (nlri_next(&it, &n) == 1) {
		prefix_fmt(&n.pfx, buf, sizeof(buf));
		if (n.pfx.len > afi_bits(n.pfx.afi))
			abort();
		wr_init_fixed(&w, mem, sizeof(mem));
		nlri_encode(&w, &n, safi, ap);
	}
}

static void
walk_all(const struct bgp_update *x, const struct bgp_neg *neg)
{
	const struct bgp_attrs	*a = &x->a;
	char			 buf[4096];
	int			 idx;

	walk(x->withdrawn, x->withdrawn_len, AFI_IPV4, SAFI_UNICAST,
	    x->addpath_v4);
	walk(x->nlri, x->nlri_len, AFI_IPV4, SAFI_UNICAST, x->addpath_v4);
	if (attrs_has(a, ATTR_MP_REACH_NLRI)) {
		idx = afisafi_index(a->mp_reach.afi, a->mp_reach.safi);
		if (idx >= 0)
			walk(a->mp_reach.nlri, a->mp_reach.nlri_len,
			    a->mp_reach.afi, a->mp_reach.safi,
			    neg_addpath(neg, idx));
	}
	if (attrs_has(a, ATTR_MP_UNREACH_NLRI)) {
		idx = afisafi_index(a->mp_unreach.afi, a->mp_unreach.safi);
		if (idx >= 0)
			walk(a->mp_unreach.nlri, a->mp_unreach.nlri_len,
			    a->mp_unreach.afi, a->mp_unreach.safi,
			    neg_addpath(neg, idx));
	}
	aspath_fmt(a->aspath, a->aspath_len, buf, sizeof(buf));
	aspath_fmt(a->aspath, a->aspath_len, buf, 16);
	aspath_count(a->aspath, a->aspath_len);
	aspath_origin(a->aspath, a->aspath_len);
	aspath_first(a->aspath, a->aspath_len);
}

/* Encode with one AS size, decode that, compare what must not change. */
static void
reencode(const struct bgp_neg *neg, unsigned flags, bool as4)
{
	struct bgp_neg	n2 = *neg;
	struct wr	w;
	struct rd	r, body;
	struct bgp_hdr	h;
	struct bgp_err	e;
	enum bgp_verdict v;

	n2.as4 = as4;
	wr_init(&w, 512, BGP_EXT_MAX_LEN);
	if (bgp_update_encode(&w, u, as4) != 0) {
		wr_free(&w);
		return;		/* e.g. grew past 65535 octets */
	}
	bgp_err_clear(&e);
	rd_init(&r, wr_data(&w), wr_len(&w));
	if (bgp_hdr_parse(&r, BGP_EXT_MAX_LEN, &h, &body, &e) != 0)
		abort();	/* our own framing must parse */
	v = bgp_update_decode(u2, rd_cur(&body), rd_left(&body), &n2,
	    flags & ~BGP_DEC_MRT_RIB);
	walk_all(u2, &n2);
	/*
	 * What decoded without trouble re-encodes to something that decodes
	 * without trouble, to the same path (4-octet, or the same 2-octet
	 * path when no wide AS is in it).
	 */
	if (u->err.verdict == BGP_OK && !(flags & BGP_DEC_MRT_RIB) &&
	    u->a.aspath_len <= 65535 - 64) {
		if (v == BGP_SESSION_RESET)
			abort();
		if (as4 && v == BGP_OK &&
		    (u2->a.aspath_len != u->a.aspath_len ||
		    (u->a.aspath_len > 0 && memcmp(u2->a.aspath, u->a.aspath,
		    u->a.aspath_len) != 0)))
			abort();
		if (u2->nlri_len != u->nlri_len ||
		    u2->withdrawn_len != u->withdrawn_len)
			abort();
	}
	wr_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bgp_neg	neg;
	unsigned	flags = 0;
	uint8_t		opt;

	if (u == NULL) {
		u = bgp_update_new();
		u2 = bgp_update_new();
		if (u == NULL || u2 == NULL)
			abort();
	}
	if (size < 1)
		return (0);
	opt = data[0];
	data++;
	size--;
	memset(&neg, 0, sizeof(neg));
	neg.as4 = (opt & 0x01) != 0;
	if (opt & 0x02)
		neg.addpath |= 1u << AS_IPV4_UNICAST;
	if (opt & 0x04)
		neg.addpath |= 1u << AS_IPV6_UNICAST;
	if (opt & 0x08)
		neg.addpath |= (uint16_t)~((1u << AS_IPV4_UNICAST) |
		    (1u << AS_IPV6_UNICAST)) & ((1u << AS_COUNT) - 1);
	if (opt & 0x10)
		flags |= BGP_DEC_MRT_RIB;
	if (opt & 0x20)
		flags |= BGP_DEC_EBGP;
	neg.ext_msg = (opt & 0x40) != 0;
	if (size > BGP_EXT_MAX_LEN - BGP_HDR_LEN)
		return (0);

	if (flags & BGP_DEC_MRT_RIB)
		bgp_attrs_decode(u, data, size, &neg, flags);
	else
		bgp_update_decode(u, data, size, &neg, flags);
	if (u->err.verdict > BGP_SESSION_RESET)
		abort();
	walk_all(u, &neg);
	reencode(&neg, flags, true);
	reencode(&neg, flags, false);
	return (0);
}
