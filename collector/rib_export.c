/*
 * rib_export.c -- interned attribute sets back into the codec's form.
 *
 * The RIB stores what it needs compactly; everything that writes or prints
 * attributes (MRT snapshots, bgpdump-style lines, the API) already speaks
 * struct bgp_attrs.  Converting here keeps one encoder and one printer.
 */
#include <stddef.h>
#include <string.h>

#include "rib.h"

static void
export_others(struct bgp_attrs *a, const uint8_t *p, size_t len)
{
	struct rd	 r, v;
	uint8_t		 flags, type;
	uint16_t	 alen;
	uint32_t	 id;

	rd_init(&r, p, len);
	while (rd_u8(&r, &flags) == 0 && rd_u8(&r, &type) == 0 &&
	    rd_u16(&r, &alen) == 0 && rd_sub(&r, alen, &v) == 0) {
		if (type == ATTR_AGGREGATOR && alen == 8) {
			rd_u32(&v, &a->aggr_as);
			rd_u32(&v, &id);
			addr_set_v4(&a->aggr_addr, id);
			a->aggr_as4_wire = true;
			a->seen |= 1ull << ATTR_AGGREGATOR;
			continue;	/* re-encoded from the fields */
		}
		if (type < 64)
			a->seen |= 1ull << type;
		switch (type) {
		case ATTR_ORIGINATOR_ID:
			rd_u32(&v, &a->originator_id);
			break;
		case ATTR_CLUSTER_LIST:
			a->cluster_list = rd_cur(&v);
			a->cluster_list_len = alen;
			break;
		case ATTR_IPV6_EXT_COMMUNITIES:
			a->ipv6_ext_communities = rd_cur(&v);
			a->ipv6_ext_communities_len = alen;
			break;
		case ATTR_OTC:
			rd_u32(&v, &a->otc);
			break;
		}
		if (a->n_raw < BGP_MAX_ATTRS) {
			a->raw[a->n_raw].flags = flags;
			a->raw[a->n_raw].type = type;
			a->raw[a->n_raw].len = alen;
			a->raw[a->n_raw].data = rd_cur(&v);
			a->n_raw++;
		}
	}
}

int
rib_attr_export(const struct rib *rib, uint32_t id, struct rib_export *x)
{
	struct rib_attrs	 ra;
	struct bgp_attrs	*a = &x->a;

	if (rib_attr_get(rib, id, &ra) == -1)
		return (-1);
	/* Only the fields, not the 4 KiB raw[] array: n_raw bounds it. */
	memset(a, 0, offsetof(struct bgp_attrs, raw));
	if (ra.flags & RA_F_ORIGIN) {
		a->seen |= 1ull << ATTR_ORIGIN;
		a->origin = ra.origin;
	}
	if (ra.flags & RA_F_ASPATH) {
		a->seen |= 1ull << ATTR_AS_PATH;
		a->aspath = ra.aspath;
		a->aspath_len = (uint32_t)ra.aspath_len;
	}
	if (ra.flags & RA_F_MED) {
		a->seen |= 1ull << ATTR_MED;
		a->med = ra.med;
	}
	if (ra.flags & RA_F_LOCAL_PREF) {
		a->seen |= 1ull << ATTR_LOCAL_PREF;
		a->local_pref = ra.local_pref;
	}
	if (ra.flags & RA_F_ATOMIC)
		a->seen |= 1ull << ATTR_ATOMIC_AGGREGATE;
	if (ra.communities != NULL) {
		a->seen |= 1ull << ATTR_COMMUNITIES;
		a->communities = ra.communities;
		a->communities_len = (uint16_t)ra.communities_len;
	}
	if (ra.large_communities != NULL) {
		a->seen |= 1ull << ATTR_LARGE_COMMUNITIES;
		a->large_communities = ra.large_communities;
		a->large_communities_len = (uint16_t)ra.large_communities_len;
	}
	if (ra.ext_communities != NULL) {
		a->seen |= 1ull << ATTR_EXT_COMMUNITIES;
		a->ext_communities = ra.ext_communities;
		a->ext_communities_len = (uint16_t)ra.ext_communities_len;
	}
	if (ra.nexthop.afi == AFI_IPV4) {
		a->seen |= 1ull << ATTR_NEXT_HOP;
		a->nexthop = ra.nexthop;
	} else if (ra.nexthop.afi == AFI_IPV6) {
		struct mp_reach *m = &a->mp_reach;

		a->seen |= 1ull << ATTR_MP_REACH_NLRI;
		m->afi = AFI_IPV6;
		m->safi = SAFI_UNICAST;
		m->nexthop = ra.nexthop;
		memcpy(x->nh, ra.nexthop.b, 16);
		m->nh_len = 16;
		if (ra.nexthop_ll.afi == AFI_IPV6) {
			m->nexthop_ll = ra.nexthop_ll;
			memcpy(x->nh + 16, ra.nexthop_ll.b, 16);
			m->nh_len = 32;
		}
		m->nh = x->nh;
	}
	a->n_raw = 0;
	export_others(a, ra.other, ra.other_len);
	return (0);
}
