/*
 * bgp_attr.c -- path attributes: decode with RFC 7606 verdicts, AS paths
 * in canonical 4-octet form with the RFC 6793 merge, and encode.
 *
 * The decoder walks the attribute block once.  Each attribute is checked
 * against a descriptor (expected Optional/Transitive flags, and what to do
 * when it is malformed: the per-attribute rules of RFC 7606 section 7).
 * A problem never stops the walk unless the attribute list itself cannot
 * be framed: the caller gets every attribute that could be read, the worst
 * verdict, and the reason for it.  docs/rfc7606.md lists every case.
 *
 * AS paths.  Everything above the codec sees one form: 4-octet wire
 * encoding with AS4_PATH already merged.  On a 4-octet session that is the
 * received bytes themselves (no copy); otherwise the path is widened into
 * scratch space, and merged with AS4_PATH there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"

#define SCRATCH_WIDEN	(2 * 65536)
#define SCRATCH_MERGE	(3 * 65536 + 1024)
#define SCRATCH_AS4	65536		/* AS4_PATH without confed segments */
#define SCRATCH_TOTAL	(SCRATCH_WIDEN + SCRATCH_MERGE + SCRATCH_AS4)

/*
 * What RFC 7606 says to do with a malformed instance of the attribute.
 * subcode is what a malformed value reports; a decoder that finds the
 * length itself wrong reports Attribute Length Error instead (RFC 4271
 * 6.3), and wrong Optional/Transitive bits report Attribute Flags Error.
 */
struct attr_desc {
	const char	*name;
	uint8_t		 flags;		/* expected Optional|Transitive */
	enum bgp_verdict on_error;
	uint8_t		 subcode;	/* UPDATE error subcode to report */
};

static const struct attr_desc attr_tab[64] = {
	[ATTR_ORIGIN] = { "ORIGIN", ATTR_F_TRANSITIVE,
	    BGP_TREAT_AS_WITHDRAW, ERR_UPD_ORIGIN },
	[ATTR_AS_PATH] = { "AS_PATH", ATTR_F_TRANSITIVE,
	    BGP_TREAT_AS_WITHDRAW, ERR_UPD_ASPATH },
	[ATTR_NEXT_HOP] = { "NEXT_HOP", ATTR_F_TRANSITIVE,
	    BGP_TREAT_AS_WITHDRAW, ERR_UPD_NEXTHOP },
	[ATTR_MED] = { "MULTI_EXIT_DISC", ATTR_F_OPTIONAL,
	    BGP_TREAT_AS_WITHDRAW, ERR_UPD_ATTRLEN },
	[ATTR_LOCAL_PREF] = { "LOCAL_PREF", ATTR_F_TRANSITIVE,
	    BGP_TREAT_AS_WITHDRAW, ERR_UPD_ATTRLEN },
	[ATTR_ATOMIC_AGGREGATE] = { "ATOMIC_AGGREGATE", ATTR_F_TRANSITIVE,
	    BGP_ATTR_DISCARD, ERR_UPD_ATTRLEN },
	[ATTR_AGGREGATOR] = { "AGGREGATOR",
	    ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, BGP_ATTR_DISCARD,
	    ERR_UPD_ATTRLEN },
	[ATTR_COMMUNITIES] = { "COMMUNITIES",
	    ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, BGP_TREAT_AS_WITHDRAW,
	    ERR_UPD_OPTATTR },
	[ATTR_ORIGINATOR_ID] = { "ORIGINATOR_ID", ATTR_F_OPTIONAL,
	    BGP_TREAT_AS_WITHDRAW, ERR_UPD_ATTRLEN },
	[ATTR_CLUSTER_LIST] = { "CLUSTER_LIST", ATTR_F_OPTIONAL,
	    BGP_TREAT_AS_WITHDRAW, ERR_UPD_ATTRLEN },
	[ATTR_MP_REACH_NLRI] = { "MP_REACH_NLRI", ATTR_F_OPTIONAL,
	    BGP_SESSION_RESET, ERR_UPD_OPTATTR },
	[ATTR_MP_UNREACH_NLRI] = { "MP_UNREACH_NLRI", ATTR_F_OPTIONAL,
	    BGP_SESSION_RESET, ERR_UPD_OPTATTR },
	[ATTR_EXT_COMMUNITIES] = { "EXTENDED_COMMUNITIES",
	    ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, BGP_TREAT_AS_WITHDRAW,
	    ERR_UPD_OPTATTR },
	[ATTR_AS4_PATH] = { "AS4_PATH", ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE,
	    BGP_ATTR_DISCARD, ERR_UPD_ASPATH },
	[ATTR_AS4_AGGREGATOR] = { "AS4_AGGREGATOR",
	    ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, BGP_ATTR_DISCARD,
	    ERR_UPD_OPTATTR },
	[ATTR_IPV6_EXT_COMMUNITIES] = { "IPV6_EXTENDED_COMMUNITIES",
	    ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, BGP_TREAT_AS_WITHDRAW,
	    ERR_UPD_OPTATTR },
	[ATTR_LARGE_COMMUNITIES] = { "LARGE_COMMUNITIES",
	    ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, BGP_TREAT_AS_WITHDRAW,
	    ERR_UPD_OPTATTR },
	[ATTR_OTC] = { "ONLY_TO_CUSTOMER",
	    ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, BGP_TREAT_AS_WITHDRAW,
	    ERR_UPD_OPTATTR },
};

static const struct attr_desc *
attr_desc(uint8_t type)
{
	if (type < 64 && attr_tab[type].name != NULL)
		return (&attr_tab[type]);
	return (NULL);
}

const char *
bgp_attr_name(uint8_t type)
{
	const struct attr_desc *d = attr_desc(type);

	return (d != NULL ? d->name : "UNKNOWN");
}

struct bgp_update *
bgp_update_new(void)
{
	struct bgp_update *u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return (NULL);
	if ((u->scratch = malloc(SCRATCH_TOTAL)) == NULL) {
		free(u);
		return (NULL);
	}
	u->scratch_len = SCRATCH_TOTAL;
	return (u);
}

void
bgp_update_free(struct bgp_update *u)
{
	if (u == NULL)
		return;
	free(u->scratch);
	free(u);
}

/*
 * AS paths.
 */

/*
 * Check an AS_PATH or AS4_PATH of asize-octet ASNs (RFC 7606 7.2): every
 * segment of a known type, non-empty, and inside the attribute.  With
 * no_confed, confederation segments are errors too (RFC 6793 6 for
 * AS4_PATH).  Returns the number of ASNs or -1.
 */
static long
aspath_check(const uint8_t *p, size_t len, unsigned asize, bool no_confed,
    const char **why)
{
	struct rd	r;
	uint8_t		type, cnt;
	long		n = 0;

	rd_init(&r, p, len);
	while (rd_left(&r) > 0) {
		if (rd_u8(&r, &type) == -1 || rd_u8(&r, &cnt) == -1) {
			*why = "truncated segment header";
			return (-1);
		}
		if (type < AS_SET || type > AS_CONFED_SET) {
			*why = "unknown segment type";
			return (-1);
		}
		if (no_confed && type >= AS_CONFED_SEQUENCE) {
			*why = "confederation segment";
			return (-1);
		}
		if (cnt == 0) {
			*why = "empty segment";
			return (-1);
		}
		if (rd_skip(&r, (size_t)cnt * asize) == -1) {
			*why = "segment overruns the attribute";
			return (-1);
		}
		n += cnt;
	}
	return (n);
}

/* Widen a checked 2-octet path into out; returns the new length. */
static size_t
aspath_widen(const uint8_t *p, size_t len, uint8_t *out)
{
	size_t	 i = 0, o = 0;
	unsigned cnt, k;

	while (i + 2 <= len) {
		out[o++] = p[i];
		cnt = p[i + 1];
		out[o++] = (uint8_t)cnt;
		i += 2;
		for (k = 0; k < cnt; k++, i += 2) {
			out[o++] = 0;
			out[o++] = 0;
			out[o++] = p[i];
			out[o++] = p[i + 1];
		}
	}
	return (o);
}

void
aspath_iter_init(struct aspath_iter *it, const uint8_t *p, size_t len)
{
	rd_init(&it->r, p, len);
	it->seg_type = 0;
	it->seg_left = 0;
}

int
aspath_next(struct aspath_iter *it, uint32_t *asn, uint8_t *seg_type)
{
	while (it->seg_left == 0) {
		if (rd_u8(&it->r, &it->seg_type) == -1 ||
		    rd_u8(&it->r, &it->seg_left) == -1)
			return (0);
	}
	if (rd_u32(&it->r, asn) == -1) {
		it->seg_left = 0;
		return (0);
	}
	it->seg_left--;
	*seg_type = it->seg_type;
	return (1);
}

unsigned
aspath_count(const uint8_t *p, size_t len)
{
	struct rd	r;
	uint8_t		type, cnt;
	unsigned	n = 0;

	rd_init(&r, p, len);
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0) {
		if (rd_skip(&r, (size_t)cnt * 4) == -1)
			break;
		if (type == AS_SEQUENCE)
			n += cnt;
		else if (type == AS_SET)
			n += 1;
	}
	return (n);
}

uint32_t
aspath_origin(const uint8_t *p, size_t len)
{
	struct rd	 r;
	uint8_t		 type, cnt;
	const uint8_t	*seg;
	uint32_t	 origin = 0;

	rd_init(&r, p, len);
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0) {
		if (rd_ptr(&r, (size_t)cnt * 4, &seg) == -1)
			break;
		if (type == AS_SEQUENCE && cnt > 0)
			origin = be32(seg + (cnt - 1) * 4);
		else if (type == AS_SET)
			origin = 0;
	}
	return (origin);
}

uint32_t
aspath_first(const uint8_t *p, size_t len)
{
	struct rd	 r;
	uint8_t		 type, cnt;
	const uint8_t	*seg;

	rd_init(&r, p, len);
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0) {
		if (rd_ptr(&r, (size_t)cnt * 4, &seg) == -1)
			break;
		if (type == AS_SEQUENCE && cnt > 0)
			return (be32(seg));
	}
	return (0);
}

static char *
fmt_u32(char *p, uint32_t v)
{
	char	tmp[10];
	int	n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return (p);
}

size_t
aspath_fmt(const uint8_t *path, size_t plen, char *buf, size_t len)
{
	struct rd	 r;
	uint8_t		 type, cnt, k;
	uint32_t	 asn;
	char		*p = buf, *end = buf + len;
	bool		 first = true;
	char		 open, close, sep;

	if (len == 0)
		return (0);
	rd_init(&r, path, plen);
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0) {
		switch (type) {
		case AS_SET:
			open = '{', close = '}', sep = ',';
			break;
		case AS_CONFED_SEQUENCE:
			open = '(', close = ')', sep = ' ';
			break;
		case AS_CONFED_SET:
			open = '[', close = ']', sep = ',';
			break;
		default:
			open = close = 0, sep = ' ';
			break;
		}
		/* 12 octets covers a separator, an ASN and a bracket. */
		if (end - p < 14)
			break;
		if (!first)
			*p++ = ' ';
		first = false;
		if (open)
			*p++ = open;
		for (k = 0; k < cnt; k++) {
			if (rd_u32(&r, &asn) == -1 || end - p < 14)
				goto out;
			if (k > 0)
				*p++ = sep;
			p = fmt_u32(p, asn);
		}
		if (close)
			*p++ = close;
	}
out:
	*p = '\0';
	return ((size_t)(p - buf));
}

/*
 * Append one segment to a canonical path under construction.  Adjacent
 * AS_SEQUENCEs are joined (while they fit a segment) so that equal paths
 * have equal bytes, whatever segmenting the sender chose.
 */
struct seg_out {
	uint8_t		*out;
	size_t		 o;
	size_t		 last_seq;	/* offset of the open AS_SEQUENCE */
};

static void
seg_put(struct seg_out *so, uint8_t type, const uint8_t *asns, unsigned cnt)
{
	uint8_t		*out = so->out;
	unsigned	 take;

	while (cnt > 0) {
		if (type == AS_SEQUENCE && so->last_seq != SIZE_MAX &&
		    out[so->last_seq + 1] < 255) {
			/* The open sequence ends exactly at so->o. */
			take = 255u - out[so->last_seq + 1];
			if (take > cnt)
				take = cnt;
			memcpy(out + so->o, asns, (size_t)take * 4);
			out[so->last_seq + 1] =
			    (uint8_t)(out[so->last_seq + 1] + take);
		} else {
			take = cnt > 255 ? 255 : cnt;
			out[so->o] = type;
			out[so->o + 1] = (uint8_t)take;
			so->last_seq = (type == AS_SEQUENCE) ? so->o : SIZE_MAX;
			so->o += 2;
			memcpy(out + so->o, asns, (size_t)take * 4);
		}
		so->o += (size_t)take * 4;
		asns += (size_t)take * 4;
		cnt -= take;
	}
}

/*
 * RFC 6793 4.2.3: rebuild the path from the leading ASes of AS_PATH and
 * the whole of AS4_PATH.  Both are canonical 4-octet paths here, and
 * AS4_PATH holds no confederation segments (they were removed on receipt).
 * A confederation segment of AS_PATH is kept when it leads the path or
 * follows a segment that was taken whole ("adjacent to a path segment that
 * is prepended"); the walk stops at the first segment taken only in part.
 */
static size_t
aspath_merge(const uint8_t *path, size_t plen, const uint8_t *as4,
    size_t as4len, uint8_t *out)
{
	struct rd	 r;
	uint8_t		 type, cnt;
	const uint8_t	*seg;
	unsigned	 keep, take;
	struct seg_out	 so = { out, 0, SIZE_MAX };

	keep = aspath_count(path, plen) - aspath_count(as4, as4len);
	rd_init(&r, path, plen);
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0 &&
	    rd_ptr(&r, (size_t)cnt * 4, &seg) == 0) {
		if (type == AS_CONFED_SEQUENCE || type == AS_CONFED_SET) {
			/* Not counted, not in AS4_PATH. */
			seg_put(&so, type, seg, cnt);
			continue;
		}
		if (keep == 0)
			break;
		if (type == AS_SET) {
			seg_put(&so, type, seg, cnt);
			keep--;
			continue;
		}
		take = cnt < keep ? cnt : keep;
		seg_put(&so, type, seg, take);
		keep -= take;
		if (take < cnt)
			break;
	}
	rd_init(&r, as4, as4len);
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0 &&
	    rd_ptr(&r, (size_t)cnt * 4, &seg) == 0)
		seg_put(&so, type, seg, cnt);
	return (so.o);
}

/*
 * Attribute decoders.  Each returns 0, or -1 with the reason in *why when
 * the attribute is malformed; the caller applies the descriptor's verdict.
 * A decoder that finds the length wrong sets *sub to Attribute Length Error
 * (RFC 4271 6.3); otherwise the descriptor's subcode is reported.
 */

static int
bad_len(const char **why, uint8_t *sub, const char *msg)
{
	*why = msg;
	*sub = ERR_UPD_ATTRLEN;
	return (-1);
}

static int
dec_origin(struct bgp_attrs *a, struct rd *v, const char **why, uint8_t *sub)
{
	uint8_t o;

	if (rd_left(v) != 1)
		return (bad_len(why, sub, "length is not 1"));
	rd_u8(v, &o);
	if (o > ORIGIN_INCOMPLETE) {
		*why = "undefined value";
		return (-1);
	}
	a->origin = o;
	return (0);
}

static int
dec_u32(struct rd *v, uint32_t *out, const char **why, uint8_t *sub)
{
	if (rd_left(v) != 4)
		return (bad_len(why, sub, "length is not 4"));
	return (rd_u32(v, out));
}

/* RFC 7606 7.8, 7.10, 7.14, 7.15, RFC 8092 6: a non-zero multiple. */
static int
dec_list(struct rd *v, unsigned unit, const uint8_t **p, uint16_t *len,
    const char **why, uint8_t *sub)
{
	size_t n = rd_left(v);

	if (n == 0)
		return (bad_len(why, sub, "empty"));
	if (n % unit != 0)
		return (bad_len(why, sub,
		    "length is not a multiple of the unit"));
	*p = rd_cur(v);
	*len = (uint16_t)n;
	return (0);
}

static int
dec_aggregator(struct bgp_attrs *a, struct rd *v, bool as4,
    const char **why, uint8_t *sub)
{
	uint16_t as2 = 0;
	uint32_t id = 0;	/* rd_u32 leaves it when short */

	/* RFC 6793, RFC 7606 7.7: 8 octets on 4-octet sessions, 6 else. */
	if (rd_left(v) == 8 && as4) {
		rd_u32(v, &a->aggr_as);
		a->aggr_as4_wire = true;
	} else if (rd_left(v) == 6 && !as4) {
		rd_u16(v, &as2);
		a->aggr_as = as2;
		a->aggr_as4_wire = false;
	} else
		return (bad_len(why, sub, "length does not match the AS size"));
	rd_u32(v, &id);
	addr_set_v4(&a->aggr_addr, id);
	return (0);
}

static int
dec_as4_aggregator(struct bgp_attrs *a, struct rd *v, const char **why,
    uint8_t *sub)
{
	uint32_t id;

	if (rd_left(v) != 8)
		return (bad_len(why, sub, "length is not 8"));
	rd_u32(v, &a->as4_aggr_as);
	rd_u32(v, &id);
	addr_set_v4(&a->as4_aggr_addr, id);
	return (0);
}

/*
 * RFC 7606 7.11: the next-hop lengths each family allows.  IPv4 NLRI may
 * have an IPv6 next hop (RFC 8950), VPN next hops start with a zero RD
 * (RFC 4364 4.3.2, RFC 4659 3.2.1.1), an IPv6 next hop may be followed by
 * a link-local one (RFC 2545 3).  Families bgplens does not decode are not
 * judged: any length is taken.
 */
static bool
mp_nh_len_ok(uint16_t afi, uint8_t safi, uint8_t len)
{
	switch (afisafi_index(afi, safi)) {
	case AS_IPV4_UNICAST:
	case AS_IPV4_MULTICAST:
	case AS_IPV4_LABELED:
		return (len == 4 || len == 16 || len == 32);
	case AS_IPV6_UNICAST:
	case AS_IPV6_MULTICAST:
	case AS_IPV6_LABELED:
		return (len == 16 || len == 32);
	case AS_IPV4_VPN:
		return (len == 12 || len == 24 || len == 48);
	case AS_IPV6_VPN:
		return (len == 24 || len == 48);
	}
	return (true);
}

/*
 * Next hop of MP_REACH_NLRI into addresses: its length says what it is
 * (RFC 4760 3, RFC 2545 3, RFC 4364 4.3.2, RFC 8950 3).  A length that
 * is no known layout leaves both addresses empty.
 */
static void
mp_nexthop(struct mp_reach *m)
{
	const uint8_t *p = m->nh;

	memset(&m->nexthop, 0, sizeof(m->nexthop));
	memset(&m->nexthop_ll, 0, sizeof(m->nexthop_ll));
	switch (m->nh_len) {
	case 4:
		addr_set_bytes(&m->nexthop, AFI_IPV4, p);
		break;
	case 12:		/* RD + IPv4 */
		addr_set_bytes(&m->nexthop, AFI_IPV4, p + 8);
		break;
	case 16:
		addr_set_bytes(&m->nexthop, AFI_IPV6, p);
		break;
	case 24:		/* RD + IPv6 */
		addr_set_bytes(&m->nexthop, AFI_IPV6, p + 8);
		break;
	case 32:
		addr_set_bytes(&m->nexthop, AFI_IPV6, p);
		addr_set_bytes(&m->nexthop_ll, AFI_IPV6, p + 16);
		break;
	case 48:		/* RD + IPv6, RD + link-local */
		addr_set_bytes(&m->nexthop, AFI_IPV6, p + 8);
		addr_set_bytes(&m->nexthop_ll, AFI_IPV6, p + 32);
		break;
	}
}

static int
dec_mp_reach(struct bgp_attrs *a, struct rd *v, const struct bgp_neg *neg,
    unsigned flags, const char **why, uint8_t *sub)
{
	struct mp_reach	*m = &a->mp_reach;
	uint8_t		 res;
	int		 idx;

	memset(m, 0, sizeof(*m));
	/*
	 * RFC 6396 4.3.4: in TABLE_DUMP_V2 RIB entries only the next-hop
	 * length and next hop are present.  Some writers still put the whole
	 * attribute there, so look at which form the length fits.
	 */
	if ((flags & BGP_DEC_MRT_RIB) && rd_left(v) >= 1 &&
	    (size_t)rd_cur(v)[0] + 1 == rd_left(v)) {
		rd_u8(v, &m->nh_len);
		rd_ptr(v, m->nh_len, &m->nh);
		mp_nexthop(m);
		return (0);
	}
	/* RFC 7606 5.3: shorter than 5 octets, or the next hop overruns. */
	if (rd_u16(v, &m->afi) == -1 || rd_u8(v, &m->safi) == -1 ||
	    rd_u8(v, &m->nh_len) == -1 || rd_ptr(v, m->nh_len, &m->nh) == -1 ||
	    rd_u8(v, &res) == -1)
		return (bad_len(why, sub, "truncated before the NLRI"));
	m->nlri = rd_cur(v);
	m->nlri_len = (uint16_t)rd_left(v);
	/*
	 * RFC 7606 7.11: a next-hop length the family does not allow means
	 * the NLRI cannot be located reliably.  An empty next hop with no
	 * NLRI after it carries nothing to locate and is let through (some
	 * speakers send it so).
	 */
	if (!mp_nh_len_ok(m->afi, m->safi, m->nh_len) &&
	    !(m->nh_len == 0 && m->nlri_len == 0)) {
		*why = "next-hop length inconsistent with the AFI/SAFI";
		return (-1);
	}
	mp_nexthop(m);
	idx = afisafi_index(m->afi, m->safi);
	if (idx >= 0 && nlri_count(m->nlri, m->nlri_len, m->afi, m->safi,
	    neg_addpath(neg, idx)) == -1) {
		*why = "malformed NLRI";
		return (-1);
	}
	return (0);
}

static int
dec_mp_unreach(struct bgp_attrs *a, struct rd *v, const struct bgp_neg *neg,
    const char **why, uint8_t *sub)
{
	struct mp_unreach	*m = &a->mp_unreach;
	int			 idx;

	memset(m, 0, sizeof(*m));
	if (rd_u16(v, &m->afi) == -1 || rd_u8(v, &m->safi) == -1)
		return (bad_len(why, sub, "shorter than 3 octets"));
	m->nlri = rd_cur(v);
	m->nlri_len = (uint16_t)rd_left(v);
	idx = afisafi_index(m->afi, m->safi);
	if (idx >= 0 && nlri_count(m->nlri, m->nlri_len, m->afi, m->safi,
	    neg_addpath(neg, idx)) == -1) {
		*why = "malformed NLRI";
		return (-1);
	}
	return (0);
}

struct dec_state {
	struct bgp_update	*u;
	const struct bgp_neg	*neg;
	unsigned		 flags;
	const uint8_t		*aspath_raw;	/* as received */
	uint16_t		 aspath_raw_len;
};

/* AS numbers are 4 octets: negotiated, or a TABLE_DUMP_V2 RIB entry. */
static bool
dec_as4(const struct dec_state *s)
{
	return (s->neg->as4 || (s->flags & BGP_DEC_MRT_RIB));
}

/*
 * AS4_PATH (RFC 6793 6): malformed when shorter than one AS, or when a
 * segment is empty, overruns or has an undefined type.  Confederation
 * segments are not malformations: they are removed and the rest kept
 * (reported as a discard).  Returns -1 malformed, 0 kept, 1 kept with
 * confederation segments removed.
 */
static int
dec_as4_path(struct dec_state *s, struct rd *v, const char **why,
    uint8_t *sub)
{
	struct bgp_attrs	*a = &s->u->a;
	uint8_t			*out = s->u->scratch + SCRATCH_WIDEN +
				    SCRATCH_MERGE;
	struct rd		 r;
	uint8_t			 type, cnt;
	const uint8_t		*seg;
	size_t			 o = 0;
	bool			 confed = false;

	if (rd_left(v) < 6)
		return (bad_len(why, sub, "shorter than one AS number"));
	if (aspath_check(rd_cur(v), rd_left(v), 4, false, why) == -1)
		return (-1);
	rd_init(&r, rd_cur(v), rd_left(v));
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0 &&
	    rd_ptr(&r, (size_t)cnt * 4, &seg) == 0) {
		if (type == AS_CONFED_SEQUENCE || type == AS_CONFED_SET) {
			confed = true;
			continue;
		}
		out[o++] = type;
		out[o++] = cnt;
		memcpy(out + o, seg, (size_t)cnt * 4);
		o += (size_t)cnt * 4;
	}
	if (!confed) {
		a->as4_path = rd_cur(v);
		a->as4_path_len = (uint16_t)rd_left(v);
		return (0);
	}
	if (o == 0) {
		*why = "only confederation segments";
		return (-1);
	}
	a->as4_path = out;
	a->as4_path_len = (uint16_t)o;
	return (1);
}

/* Decode one attribute's value into the fields. */
static int
attr_value(struct dec_state *s, uint8_t type, struct rd *v, const char **why,
    uint8_t *sub)
{
	struct bgp_attrs	*a = &s->u->a;
	bool			 as4 = dec_as4(s);
	uint32_t		 nh;

	switch (type) {
	case ATTR_ORIGIN:
		return (dec_origin(a, v, why, sub));
	case ATTR_AS_PATH:
		if (aspath_check(rd_cur(v), rd_left(v), as4 ? 4 : 2, false,
		    why) == -1)
			return (-1);
		s->aspath_raw = rd_cur(v);
		s->aspath_raw_len = (uint16_t)rd_left(v);
		return (0);
	case ATTR_NEXT_HOP:
		if (dec_u32(v, &nh, why, sub) == -1)
			return (-1);
		addr_set_v4(&a->nexthop, nh);
		return (0);
	case ATTR_MED:
		return (dec_u32(v, &a->med, why, sub));
	case ATTR_LOCAL_PREF:
		return (dec_u32(v, &a->local_pref, why, sub));
	case ATTR_ATOMIC_AGGREGATE:
		if (rd_left(v) != 0)
			return (bad_len(why, sub, "length is not 0"));
		return (0);
	case ATTR_AGGREGATOR:
		return (dec_aggregator(a, v, as4, why, sub));
	case ATTR_COMMUNITIES:
		return (dec_list(v, 4, &a->communities,
		    &a->communities_len, why, sub));
	case ATTR_ORIGINATOR_ID:
		return (dec_u32(v, &a->originator_id, why, sub));
	case ATTR_CLUSTER_LIST:
		return (dec_list(v, 4, &a->cluster_list,
		    &a->cluster_list_len, why, sub));
	case ATTR_MP_REACH_NLRI:
		return (dec_mp_reach(a, v, s->neg, s->flags, why, sub));
	case ATTR_MP_UNREACH_NLRI:
		return (dec_mp_unreach(a, v, s->neg, why, sub));
	case ATTR_EXT_COMMUNITIES:
		return (dec_list(v, 8, &a->ext_communities,
		    &a->ext_communities_len, why, sub));
	case ATTR_AS4_PATH:
		return (dec_as4_path(s, v, why, sub));
	case ATTR_AS4_AGGREGATOR:
		return (dec_as4_aggregator(a, v, why, sub));
	case ATTR_IPV6_EXT_COMMUNITIES:
		return (dec_list(v, 20, &a->ipv6_ext_communities,
		    &a->ipv6_ext_communities_len, why, sub));
	case ATTR_LARGE_COMMUNITIES:
		return (dec_list(v, 12, &a->large_communities,
		    &a->large_communities_len, why, sub));
	case ATTR_OTC:
		return (dec_u32(v, &a->otc, why, sub));
	}
	return (0);
}

static void
attrs_reset(struct bgp_attrs *a)
{
	/* raw[] is large and fully described by n_raw: leave it. */
	a->seen = 0;
	a->origin = 0;
	a->aspath = NULL;
	a->aspath_len = 0;
	memset(&a->nexthop, 0, sizeof(a->nexthop));
	a->med = a->local_pref = 0;
	a->aggr_as = 0;
	memset(&a->aggr_addr, 0, sizeof(a->aggr_addr));
	a->aggr_as4_wire = false;
	a->communities = a->cluster_list = a->ext_communities = NULL;
	a->ipv6_ext_communities = a->large_communities = NULL;
	a->communities_len = a->cluster_list_len = a->ext_communities_len = 0;
	a->ipv6_ext_communities_len = a->large_communities_len = 0;
	a->originator_id = a->otc = 0;
	a->as4_path = NULL;
	a->as4_path_len = 0;
	a->as4_aggr_as = 0;
	memset(&a->as4_aggr_addr, 0, sizeof(a->as4_aggr_addr));
	memset(&a->mp_reach, 0, sizeof(a->mp_reach));
	memset(&a->mp_unreach, 0, sizeof(a->mp_unreach));
	a->n_raw = 0;
}

/*
 * RFC 6793 4.2.3, after the walk: widen the path of a 2-octet session, and
 * fold AS4_AGGREGATOR and AS4_PATH into it.
 */
static void
attrs_finish_aspath(struct dec_state *s)
{
	struct bgp_update	*u = s->u;
	struct bgp_attrs	*a = &u->a;
	uint8_t			*widen = u->scratch;
	uint8_t			*merge = u->scratch + SCRATCH_WIDEN;
	bool			 use_as4 = true;

	if (!attrs_has(a, ATTR_AS_PATH)) {
		a->aspath = NULL;
		a->aspath_len = 0;
		return;
	}
	if (dec_as4(s)) {
		a->aspath = s->aspath_raw;
		a->aspath_len = s->aspath_raw_len;
		/* RFC 6793 4.1: AS4_* from a NEW speaker were discarded. */
		return;
	}
	a->aspath_len = (uint32_t)aspath_widen(s->aspath_raw,
	    s->aspath_raw_len, widen);
	a->aspath = widen;

	if (attrs_has(a, ATTR_AS4_AGGREGATOR) &&
	    attrs_has(a, ATTR_AGGREGATOR)) {
		if (a->aggr_as != AS_TRANS)
			use_as4 = false;	/* both AS4_* are ignored */
		else {
			a->aggr_as = a->as4_aggr_as;
			a->aggr_addr = a->as4_aggr_addr;
		}
	}
	if (!use_as4 || !attrs_has(a, ATTR_AS4_PATH))
		return;
	if (aspath_count(a->aspath, a->aspath_len) <
	    aspath_count(a->as4_path, a->as4_path_len))
		return;		/* AS4_PATH is ignored */
	a->aspath_len = (uint32_t)aspath_merge(a->aspath, a->aspath_len,
	    a->as4_path, a->as4_path_len, merge);
	a->aspath = merge;
}

static void
attr_keep(struct bgp_attrs *a, uint8_t flags, uint8_t type, uint16_t len,
    const uint8_t *data)
{
	if (a->n_raw < BGP_MAX_ATTRS) {
		a->raw[a->n_raw].flags = flags;
		a->raw[a->n_raw].type = type;
		a->raw[a->n_raw].len = len;
		a->raw[a->n_raw].data = data;
		a->n_raw++;
	}
}

/*
 * Walk the attribute block.  Returns -1 only when the list cannot be
 * framed any further, or a session reset was decided (the verdict is
 * already recorded).
 */
static int
attrs_walk(struct dec_state *s, const uint8_t *p, size_t len)
{
	struct bgp_update	*u = s->u;
	struct bgp_attrs	*a = &u->a;
	struct rd		 r, v;
	uint8_t			 flags, type, len8, sub;
	uint16_t		 alen;
	uint64_t		 seen_hi[4] = { 0, 0, 0, 0 };
	const struct attr_desc	*d;
	const char		*why;
	const uint8_t		*val;
	int			 rv;

	rd_init(&r, p, len);
	while (rd_left(&r) > 0) {
		if (rd_u8(&r, &flags) == -1 || rd_u8(&r, &type) == -1)
			goto framing;
		if (flags & ATTR_F_EXTLEN) {
			if (rd_u16(&r, &alen) == -1)
				goto framing;
		} else {
			if (rd_u8(&r, &len8) == -1)
				goto framing;
			alen = len8;
		}
		if (rd_sub(&r, alen, &v) == -1)
			goto framing;
		/* The decoders consume v: raw[] keeps the value's start. */
		val = rd_cur(&v);

		/* RFC 7606 3(g): duplicates. */
		if (seen_hi[type >> 6] & (1ull << (type & 63))) {
			if (type == ATTR_MP_REACH_NLRI ||
			    type == ATTR_MP_UNREACH_NLRI) {
				bgp_err_set(&u->err, BGP_SESSION_RESET,
				    ERR_UPDATE, ERR_UPD_ATTRLIST, type,
				    "%s appears more than once",
				    bgp_attr_name(type));
				return (-1);
			}
			bgp_err_set(&u->err, BGP_ATTR_DISCARD, ERR_UPDATE,
			    ERR_UPD_ATTRLIST, type,
			    "duplicate attribute %u discarded", type);
			continue;
		}
		seen_hi[type >> 6] |= 1ull << (type & 63);

		d = attr_desc(type);
		if (d == NULL) {
			if (!(flags & ATTR_F_OPTIONAL)) {
				/*
				 * RFC 4271 6.3: an unrecognized well-known
				 * attribute; RFC 7606 does not relax it.
				 */
				bgp_err_set(&u->err, BGP_SESSION_RESET,
				    ERR_UPDATE, ERR_UPD_UNKNWN_WK, type,
				    "unrecognized well-known attribute %u",
				    type);
				return (-1);
			}
			/* Unknown optional: kept opaque, flags and all. */
			attr_keep(a, flags, type, alen, val);
			continue;
		}

		/*
		 * RFC 7606 7.5, 7.9, 7.10: LOCAL_PREF, ORIGINATOR_ID and
		 * CLUSTER_LIST from an external peer are discarded, whatever
		 * their flags or length.
		 */
		if ((s->flags & BGP_DEC_EBGP) && (type == ATTR_LOCAL_PREF ||
		    type == ATTR_ORIGINATOR_ID || type == ATTR_CLUSTER_LIST)) {
			bgp_err_set(&u->err, BGP_ATTR_DISCARD, ERR_UPDATE,
			    ERR_UPD_ATTRLIST, type,
			    "%s from an external peer discarded", d->name);
			continue;
		}
		/*
		 * RFC 6793 4.1: AS4_PATH and AS4_AGGREGATOR from a NEW
		 * speaker are discarded.  TABLE_DUMP_V2 entries are not a
		 * session: what they carry is kept (and not merged).
		 */
		if ((type == ATTR_AS4_PATH || type == ATTR_AS4_AGGREGATOR) &&
		    s->neg->as4 && !(s->flags & BGP_DEC_MRT_RIB)) {
			bgp_err_set(&u->err, BGP_ATTR_DISCARD, ERR_UPDATE,
			    ERR_UPD_OPTATTR, type,
			    "%s on a 4-octet AS session discarded", d->name);
			continue;
		}

		/* RFC 7606 3(c): Optional/Transitive bits must match. */
		if ((flags & (ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE)) != d->flags) {
			enum bgp_verdict vd;

			/*
			 * RFC 7606 5.3: MP_(UN)REACH_NLRI with flags other
			 * than RFC 4760's are incorrect: session reset.
			 * Attributes whose malformations are discarded are
			 * discarded here too (RFC 7606 3(c) "unless the
			 * specification ... mandates different handling").
			 */
			if (type == ATTR_MP_REACH_NLRI ||
			    type == ATTR_MP_UNREACH_NLRI)
				vd = BGP_SESSION_RESET;
			else if (d->on_error == BGP_ATTR_DISCARD)
				vd = BGP_ATTR_DISCARD;
			else
				vd = BGP_TREAT_AS_WITHDRAW;
			bgp_err_set(&u->err, vd, ERR_UPDATE, ERR_UPD_ATTRFLAGS,
			    type, "%s: flags 0x%02x conflict with its type",
			    d->name, flags);
			if (vd == BGP_SESSION_RESET)
				return (-1);
			continue;
		}
		why = "malformed";
		sub = d->subcode;
		rv = attr_value(s, type, &v, &why, &sub);
		if (rv == -1) {
			bgp_err_set(&u->err, d->on_error, ERR_UPDATE,
			    sub, type, "%s: %s", d->name, why);
			if (d->on_error == BGP_SESSION_RESET)
				return (-1);
			continue;	/* discarded, or withdrawn anyway */
		}
		if (rv == 1)		/* AS4_PATH kept in part */
			bgp_err_set(&u->err, BGP_ATTR_DISCARD, ERR_UPDATE,
			    ERR_UPD_ASPATH, type, "%s: confederation "
			    "segments discarded", d->name);
		if (type < 64)
			a->seen |= 1ull << type;
		attr_keep(a, flags, type, alen, val);
	}
	return (0);
framing:
	/*
	 * RFC 7606 4: an attribute running past the end of the attribute
	 * field, or fewer octets left than an attribute header.  What was
	 * decoded so far stays; the Total Attribute Length still locates
	 * the NLRI, so the routes are withdrawn (the UPDATE decoder raises
	 * this to a session reset when no reachable NLRI can be located,
	 * RFC 7606 5.2).
	 */
	bgp_err_set(&u->err, BGP_TREAT_AS_WITHDRAW, ERR_UPDATE, ERR_UPD_ATTRLIST,
	    0, "attribute list malformed at offset %zu of %zu",
	    len - rd_left(&r), len);
	return (-1);
}

int
bgp_attrs_parse(struct bgp_update *u, const uint8_t *p, size_t len,
    const struct bgp_neg *neg, unsigned flags)
{
	struct dec_state	s;
	int			rv;

	memset(&s, 0, sizeof(s));
	s.u = u;
	s.neg = neg;
	s.flags = flags;
	attrs_reset(&u->a);
	rv = attrs_walk(&s, p, len);
	attrs_finish_aspath(&s);
	return (rv);
}

enum bgp_verdict
bgp_attrs_decode(struct bgp_update *u, const uint8_t *p, size_t len,
    const struct bgp_neg *neg, unsigned flags)
{
	bgp_err_clear(&u->err);
	u->withdrawn = u->nlri = NULL;
	u->withdrawn_len = u->nlri_len = 0;
	u->attr_len = (uint16_t)(len > 0xffff ? 0xffff : len);
	u->eor = false;
	u->eor_afi = 0;
	u->eor_safi = 0;
	u->addpath_v4 = false;
	bgp_attrs_parse(u, p, len, neg, flags);
	return (u->err.verdict);
}

/*
 * Encoding.
 */

static void
attr_put_hdr(struct wr *w, uint8_t flags, uint8_t type, size_t len)
{
	if (len > 255) {
		wr_u8(w, (uint8_t)(flags | ATTR_F_EXTLEN));
		wr_u8(w, type);
		wr_u16(w, (uint16_t)len);
	} else {
		wr_u8(w, (uint8_t)(flags & ~ATTR_F_EXTLEN));
		wr_u8(w, type);
		wr_u8(w, (uint8_t)len);
	}
}

static void
attr_put(struct wr *w, uint8_t flags, uint8_t type, const void *p, size_t len)
{
	if (len > 0xffff) {
		w->err = 1;
		return;
	}
	attr_put_hdr(w, flags, type, len);
	wr_bytes(w, p, len);
}

static void
attr_put_u32(struct wr *w, uint8_t flags, uint8_t type, uint32_t v)
{
	attr_put_hdr(w, flags, type, 4);
	wr_u32(w, v);
}

/*
 * RFC 6793 4.2.2: AS4_PATH is sent when the path holds an AS number that
 * does not map to 2 octets.  Confederation segments are left out of it, so
 * a wide AS seen only there cannot be carried (and no AS4_PATH is sent).
 */
static bool
aspath_needs_as4(const uint8_t *p, size_t len)
{
	struct aspath_iter	it;
	uint32_t		asn;
	uint8_t			st;

	aspath_iter_init(&it, p, len);
	while (aspath_next(&it, &asn, &st) == 1)
		if (asn > 0xffff && st != AS_CONFED_SEQUENCE &&
		    st != AS_CONFED_SET)
			return (true);
	return (false);
}

/*
 * AS_PATH for the wire: 4-octet as is, or 2-octet with AS_TRANS in place
 * of every wide ASN (RFC 6793 4.2.2).  Built into a temporary writer so
 * the attribute length is known before the header is written.
 */
static void
put_aspath(struct wr *w, const struct bgp_attrs *a, bool as4)
{
	struct wr	 tmp;
	struct rd	 r;
	uint8_t		 type, cnt, k;
	uint32_t	 asn;

	if (as4) {
		attr_put(w, ATTR_F_TRANSITIVE, ATTR_AS_PATH, a->aspath,
		    a->aspath_len);
		return;
	}
	wr_init(&tmp, a->aspath_len / 2 + 16, 65535);
	rd_init(&r, a->aspath, a->aspath_len);
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0) {
		wr_u8(&tmp, type);
		wr_u8(&tmp, cnt);
		for (k = 0; k < cnt && rd_u32(&r, &asn) == 0; k++)
			wr_u16(&tmp, asn > 0xffff ? AS_TRANS : (uint16_t)asn);
	}
	if (!wr_ok(&tmp))
		w->err = 1;
	else
		attr_put(w, ATTR_F_TRANSITIVE, ATTR_AS_PATH, wr_data(&tmp),
		    wr_len(&tmp));
	wr_free(&tmp);
}

/* AS4_PATH: the path without confederation segments (RFC 6793 4.2.2). */
static void
put_as4_path(struct wr *w, const struct bgp_attrs *a)
{
	struct wr	 tmp;
	struct rd	 r;
	uint8_t		 type, cnt;
	const uint8_t	*seg;

	wr_init(&tmp, a->aspath_len + 16, 65535);
	rd_init(&r, a->aspath, a->aspath_len);
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0 &&
	    rd_ptr(&r, (size_t)cnt * 4, &seg) == 0) {
		if (type == AS_CONFED_SEQUENCE || type == AS_CONFED_SET)
			continue;
		wr_u8(&tmp, type);
		wr_u8(&tmp, cnt);
		wr_bytes(&tmp, seg, (size_t)cnt * 4);
	}
	if (!wr_ok(&tmp))
		w->err = 1;
	else
		attr_put(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE, ATTR_AS4_PATH,
		    wr_data(&tmp), wr_len(&tmp));
	wr_free(&tmp);
}

static void
put_aggregator(struct wr *w, const struct bgp_attrs *a, bool as4)
{
	uint32_t id = be32(a->aggr_addr.b);

	if (as4) {
		attr_put_hdr(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE,
		    ATTR_AGGREGATOR, 8);
		wr_u32(w, a->aggr_as);
	} else {
		attr_put_hdr(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE,
		    ATTR_AGGREGATOR, 6);
		wr_u16(w, a->aggr_as > 0xffff ? AS_TRANS : (uint16_t)a->aggr_as);
	}
	wr_u32(w, id);
}

static void
put_mp_reach(struct wr *w, const struct mp_reach *m)
{
	size_t len = 5 + (size_t)m->nh_len + m->nlri_len;

	if (len > 0xffff) {
		w->err = 1;
		return;
	}
	attr_put_hdr(w, ATTR_F_OPTIONAL, ATTR_MP_REACH_NLRI, len);
	wr_u16(w, m->afi);
	wr_u8(w, m->safi);
	wr_u8(w, m->nh_len);
	wr_bytes(w, m->nh, m->nh_len);
	wr_u8(w, 0);
	wr_bytes(w, m->nlri, m->nlri_len);
}

static void
put_mp_unreach(struct wr *w, const struct mp_unreach *m)
{
	if (3 + (size_t)m->nlri_len > 0xffff) {
		w->err = 1;
		return;
	}
	attr_put_hdr(w, ATTR_F_OPTIONAL, ATTR_MP_UNREACH_NLRI,
	    3 + (size_t)m->nlri_len);
	wr_u16(w, m->afi);
	wr_u8(w, m->safi);
	wr_bytes(w, m->nlri, m->nlri_len);
}

/* Encode one known attribute from the fields. */
static void
put_known(struct wr *w, const struct bgp_attrs *a, uint8_t type, bool as4)
{
	const uint8_t OT = ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE;

	switch (type) {
	case ATTR_ORIGIN:
		attr_put(w, ATTR_F_TRANSITIVE, type, &a->origin, 1);
		break;
	case ATTR_AS_PATH:
		put_aspath(w, a, as4);
		break;
	case ATTR_NEXT_HOP:
		attr_put(w, ATTR_F_TRANSITIVE, type, a->nexthop.b, 4);
		break;
	case ATTR_MED:
		attr_put_u32(w, ATTR_F_OPTIONAL, type, a->med);
		break;
	case ATTR_LOCAL_PREF:
		attr_put_u32(w, ATTR_F_TRANSITIVE, type, a->local_pref);
		break;
	case ATTR_ATOMIC_AGGREGATE:
		attr_put(w, ATTR_F_TRANSITIVE, type, NULL, 0);
		break;
	case ATTR_AGGREGATOR:
		put_aggregator(w, a, as4);
		break;
	case ATTR_COMMUNITIES:
		attr_put(w, OT, type, a->communities, a->communities_len);
		break;
	case ATTR_ORIGINATOR_ID:
		attr_put_u32(w, ATTR_F_OPTIONAL, type, a->originator_id);
		break;
	case ATTR_CLUSTER_LIST:
		attr_put(w, ATTR_F_OPTIONAL, type, a->cluster_list,
		    a->cluster_list_len);
		break;
	case ATTR_MP_REACH_NLRI:
		put_mp_reach(w, &a->mp_reach);
		break;
	case ATTR_MP_UNREACH_NLRI:
		put_mp_unreach(w, &a->mp_unreach);
		break;
	case ATTR_EXT_COMMUNITIES:
		attr_put(w, OT, type, a->ext_communities,
		    a->ext_communities_len);
		break;
	case ATTR_IPV6_EXT_COMMUNITIES:
		attr_put(w, OT, type, a->ipv6_ext_communities,
		    a->ipv6_ext_communities_len);
		break;
	case ATTR_LARGE_COMMUNITIES:
		attr_put(w, OT, type, a->large_communities,
		    a->large_communities_len);
		break;
	case ATTR_OTC:
		attr_put_u32(w, OT, type, a->otc);
		break;
	}
}

int
bgp_attrs_encode(struct wr *w, const struct bgp_attrs *a, bool as4)
{
	unsigned	t;
	uint16_t	i;
	bool		need_as4_path, need_as4_aggr;

	need_as4_path = !as4 && attrs_has(a, ATTR_AS_PATH) &&
	    aspath_needs_as4(a->aspath, a->aspath_len);
	need_as4_aggr = !as4 && attrs_has(a, ATTR_AGGREGATOR) &&
	    a->aggr_as > 0xffff;

	/* RFC 7606 5.1: MP_REACH_NLRI / MP_UNREACH_NLRI go first. */
	if (attrs_has(a, ATTR_MP_REACH_NLRI))
		put_mp_reach(w, &a->mp_reach);
	if (attrs_has(a, ATTR_MP_UNREACH_NLRI))
		put_mp_unreach(w, &a->mp_unreach);
	for (t = 0; t < 256; t++) {
		if (t == ATTR_MP_REACH_NLRI || t == ATTR_MP_UNREACH_NLRI)
			continue;
		if (t == ATTR_AS4_PATH) {
			if (need_as4_path)
				put_as4_path(w, a);
			continue;
		}
		if (t == ATTR_AS4_AGGREGATOR) {
			if (need_as4_aggr) {
				attr_put_hdr(w, ATTR_F_OPTIONAL |
				    ATTR_F_TRANSITIVE, ATTR_AS4_AGGREGATOR, 8);
				wr_u32(w, a->aggr_as);
				wr_bytes(w, a->aggr_addr.b, 4);
			}
			continue;
		}
		if (attr_desc((uint8_t)t) != NULL) {
			if (attrs_has(a, t))
				put_known(w, a, (uint8_t)t, as4);
			continue;
		}
		for (i = 0; i < a->n_raw; i++)
			if (a->raw[i].type == t)
				attr_put(w, a->raw[i].flags, (uint8_t)t,
				    a->raw[i].data, a->raw[i].len);
	}
	return (wr_ok(w) ? 0 : -1);
}
