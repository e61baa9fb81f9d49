/*
 * mrtwr.c -- MRT record builders (see mrtwr.h).
 */
#include <string.h>

#include "mrt.h"
#include "mrtwr.h"

/* Common header; returns the record offset (length patched at the end). */
static size_t
rec_begin(struct wr *w, uint32_t ts, uint16_t type, uint16_t subtype)
{
	size_t off = wr_len(w);

	wr_u32(w, ts);
	wr_u16(w, type);
	wr_u16(w, subtype);
	wr_u32(w, 0);
	return (wr_ok(w) ? off : SIZE_MAX);
}

static int
rec_end(struct wr *w, size_t off)
{
	if (!wr_ok(w) || off == SIZE_MAX)
		return (-1);
	return (wr_patch_u32(w, off + 8,
	    (uint32_t)(wr_len(w) - off - MRT_HDR_LEN)));
}

int
mrtwr_peer_index(struct wr *w, uint32_t ts, uint32_t collector_id,
    const char *view, const struct mrtwr_peer *p, uint16_t n)
{
	size_t		off, vlen = view ? strlen(view) : 0;
	uint16_t	i;

	if (vlen > 0xffff)
		vlen = 0xffff;
	off = rec_begin(w, ts, MRT_TABLE_DUMP_V2, TD2_PEER_INDEX_TABLE);
	wr_u32(w, collector_id);
	wr_u16(w, (uint16_t)vlen);
	wr_bytes(w, view, vlen);
	wr_u16(w, n);
	for (i = 0; i < n; i++) {
		/* Peer type: bit 0 = IPv6 address, bit 1 = 4-octet AS. */
		wr_u8(w, (uint8_t)(0x02 | (p[i].ip.afi == AFI_IPV6 ? 1 : 0)));
		wr_u32(w, p[i].bgp_id);
		wr_bytes(w, p[i].ip.b, afi_bytes(p[i].ip.afi));
		wr_u32(w, p[i].asn);
	}
	return (rec_end(w, off));
}

int
mrtwr_rib_begin(struct wr *w, struct mrtwr_rib *r, uint32_t ts, uint32_t seq,
    const struct prefix *p, bool addpath)
{
	uint16_t subtype;

	if (p->afi == AFI_IPV6)
		subtype = addpath ? TD2_RIB_IPV6_UNICAST_ADDPATH :
		    TD2_RIB_IPV6_UNICAST;
	else
		subtype = addpath ? TD2_RIB_IPV4_UNICAST_ADDPATH :
		    TD2_RIB_IPV4_UNICAST;
	r->rec_off = rec_begin(w, ts, MRT_TABLE_DUMP_V2, subtype);
	r->addpath = addpath;
	r->count = 0;
	wr_u32(w, seq);
	wr_u8(w, p->len);
	wr_bytes(w, p->b, (p->len + 7u) / 8);
	r->count_off = wr_reserve(w, 2);
	return (wr_ok(w) ? 0 : -1);
}

int
mrtwr_rib_entry(struct wr *w, struct mrtwr_rib *r, uint16_t peer_index,
    uint32_t originated, uint32_t path_id, const uint8_t *attrs,
    size_t attrs_len)
{
	if (attrs_len > 0xffff || r->count == 0xffff) {
		w->err = 1;
		return (-1);
	}
	wr_u16(w, peer_index);
	wr_u32(w, originated);
	if (r->addpath)
		wr_u32(w, path_id);
	wr_u16(w, (uint16_t)attrs_len);
	wr_bytes(w, attrs, attrs_len);
	r->count++;
	return (wr_ok(w) ? 0 : -1);
}

int
mrtwr_rib_end(struct wr *w, struct mrtwr_rib *r)
{
	wr_patch_u16(w, r->count_off, r->count);
	return (rec_end(w, r->rec_off));
}

int
mrtwr_rib_attrs(struct wr *w, const struct bgp_attrs *a, uint8_t afi)
{
	struct bgp_attrs	*c;
	uint8_t			 nh[32];
	size_t			 nhl = 0;
	/*
	 * A 4 KiB copy without MP_REACH_NLRI, kept off the stack.  Record
	 * building runs in one thread (the snapshot child, the generator).
	 */
	static struct bgp_attrs	 copy;

	if (afi != AFI_IPV6 || !attrs_has(a, ATTR_MP_REACH_NLRI))
		return (bgp_attrs_encode(w, a, true));
	/*
	 * RFC 6396 4.3.4: for IPv6 only the next-hop length and next hop.
	 * Encode the rest without MP_REACH, then add the abbreviated one.
	 */
	c = &copy;
	memcpy(c, a, sizeof(*c));
	c->seen &= ~(1ull << ATTR_MP_REACH_NLRI);
	if (bgp_attrs_encode(w, c, true) == -1)
		return (-1);
	nhl = a->mp_reach.nh_len;
	if (nhl > sizeof(nh))
		nhl = sizeof(nh);
	memcpy(nh, a->mp_reach.nh, nhl);
	wr_u8(w, ATTR_F_OPTIONAL);
	wr_u8(w, ATTR_MP_REACH_NLRI);
	wr_u8(w, (uint8_t)(1 + nhl));
	wr_u8(w, (uint8_t)nhl);
	wr_bytes(w, nh, nhl);
	return (wr_ok(w) ? 0 : -1);
}

static void
bgp4mp_addrs(struct wr *w, uint32_t peer_as, uint32_t local_as,
    const struct addr *peer_ip, const struct addr *local_ip)
{
	uint16_t afi = peer_ip->afi == AFI_IPV6 ? AFI_IPV6 : AFI_IPV4;

	wr_u32(w, peer_as);
	wr_u32(w, local_as);
	wr_u16(w, 0);		/* interface index */
	wr_u16(w, afi);
	wr_bytes(w, peer_ip->b, afi_bytes((uint8_t)afi));
	wr_bytes(w, local_ip->b, afi_bytes((uint8_t)afi));
}

/* BGP4MP_ET: the header's length counts the microsecond field too. */
static size_t
et_begin(struct wr *w, uint32_t ts, uint32_t usec, uint16_t subtype)
{
	size_t off = rec_begin(w, ts, MRT_BGP4MP_ET, subtype);

	wr_u32(w, usec);
	return (off);
}

int
mrtwr_bgp4mp_msg(struct wr *w, uint32_t ts, uint32_t usec, bool addpath,
    uint32_t peer_as, uint32_t local_as, const struct addr *peer_ip,
    const struct addr *local_ip, const uint8_t *msg, size_t len)
{
	size_t off = et_begin(w, ts, usec, addpath ?
	    BGP4MP_MESSAGE_AS4_ADDPATH : BGP4MP_MESSAGE_AS4);

	bgp4mp_addrs(w, peer_as, local_as, peer_ip, local_ip);
	wr_bytes(w, msg, len);
	return (rec_end(w, off));
}

int
mrtwr_bgp4mp_state(struct wr *w, uint32_t ts, uint32_t usec,
    uint32_t peer_as, uint32_t local_as, const struct addr *peer_ip,
    const struct addr *local_ip, uint16_t old_state, uint16_t new_state)
{
	size_t off = et_begin(w, ts, usec, BGP4MP_STATE_CHANGE_AS4);

	bgp4mp_addrs(w, peer_as, local_as, peer_ip, local_ip);
	wr_u16(w, old_state);
	wr_u16(w, new_state);
	return (rec_end(w, off));
}
