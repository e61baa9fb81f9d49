/*
 * rib_apply.c -- a decoded UPDATE into the RIB: the one place that knows
 * which next hop goes with which NLRI and what RFC 7606's verdicts mean
 * for routes.  BGP sessions, BMP route monitoring and MRT replays share it.
 */
#include "rib.h"

/*
 * The next hop of routes in a family: MP_REACH_NLRI's for MP families (and
 * for IPv4 when NEXT_HOP is absent, RFC 8950), NEXT_HOP otherwise.
 */
static void
apply_nexthop(const struct bgp_attrs *a, bool mp, const struct addr **nh,
    const struct addr **ll)
{
	*nh = *ll = NULL;
	if (mp || !attrs_has(a, ATTR_NEXT_HOP)) {
		if (attrs_has(a, ATTR_MP_REACH_NLRI)) {
			*nh = &a->mp_reach.nexthop;
			*ll = &a->mp_reach.nexthop_ll;
		}
	} else
		*nh = &a->nexthop;
}

static void
apply_nlri(struct rib *r, uint16_t src, const uint8_t *p, size_t len,
    uint16_t afi, uint8_t safi, bool addpath, uint32_t attr, uint64_t now,
    uint64_t *count)
{
	struct nlri_iter	it;
	struct nlri		n;

	if (safi != SAFI_UNICAST || (afi != AFI_IPV4 && afi != AFI_IPV6))
		return;
	nlri_iter_init(&it, p, len, afi, safi, addpath);
	while (nlri_next(&it, &n) == 1)
		if (rib_update(r, &n.pfx, src, n.path_id, attr, now) >= 0)
			(*count)++;
}

int
rib_apply_update(struct rib *r, uint16_t src, const struct bgp_update *u,
    const struct bgp_neg *neg, uint64_t now, struct rib_apply_stats *st)
{
	const struct bgp_attrs	*a = &u->a;
	const struct addr	*nh, *ll;
	const struct mp_reach	*mr = &a->mp_reach;
	const struct mp_unreach	*mu = &a->mp_unreach;
	bool			 taw = u->err.verdict == BGP_TREAT_AS_WITHDRAW;
	uint64_t		*ann = taw ? &st->treat_as_withdraw : &st->announced;
	uint32_t		 attr = 0;

	if (u->err.verdict == BGP_SESSION_RESET)
		return (-1);
	apply_nlri(r, src, u->withdrawn, u->withdrawn_len, AFI_IPV4,
	    SAFI_UNICAST, u->addpath_v4, 0, now, &st->withdrawn);
	if (attrs_has(a, ATTR_MP_UNREACH_NLRI))
		apply_nlri(r, src, mu->nlri, mu->nlri_len, mu->afi, mu->safi,
		    neg_addpath(neg, afisafi_index(mu->afi, mu->safi)), 0, now,
		    &st->withdrawn);
	if (u->nlri_len > 0) {
		if (!taw) {
			apply_nexthop(a, false, &nh, &ll);
			if ((attr = rib_attr_intern(r, a, nh, ll)) == 0) {
				st->errors++;
				return (-1);
			}
		}
		apply_nlri(r, src, u->nlri, u->nlri_len, AFI_IPV4,
		    SAFI_UNICAST, u->addpath_v4, attr, now, ann);
		rib_attr_put(r, attr);
		attr = 0;
	}
	if (attrs_has(a, ATTR_MP_REACH_NLRI) && mr->nlri_len > 0) {
		if (!taw) {
			apply_nexthop(a, true, &nh, &ll);
			if ((attr = rib_attr_intern(r, a, nh, ll)) == 0) {
				st->errors++;
				return (-1);
			}
		}
		apply_nlri(r, src, mr->nlri, mr->nlri_len, mr->afi, mr->safi,
		    neg_addpath(neg, afisafi_index(mr->afi, mr->safi)), attr,
		    now, ann);
		rib_attr_put(r, attr);
	}
	return (0);
}
