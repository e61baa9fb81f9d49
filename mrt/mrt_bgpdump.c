/*
 * mrt_bgpdump.c -- "bgplens mrt -m" and "-M": the line formats of
 * bgpdump, byte for byte.
 *
 * bgpdump -m is what a great many scripts parse, so the point here is
 * fidelity, quirks included, as long as they do not misreport the data:
 *
 *   - absent ORIGIN prints INCOMPLETE, absent NEXT_HOP 255.255.255.255,
 *     absent MED and LOCAL_PREF 0;
 *   - IPv6 addresses use bgpdump's own formatter, which compresses a
 *     single zero group ("2001:db8::1:0:0:1" style differences from
 *     inet_ntop) and prints IPv4-compatible addresses in dotted form;
 *   - MED and LOCAL_PREF of MP_REACH IPv4 routes print signed;
 *   - legacy type 5 announcements have no separator between the MED and
 *     the communities;
 *   - AS paths longer than about 7900 characters end in "...".
 *
 * Where bgpdump prints wrong data (the peer address instead of the
 * prefix in legacy withdrawals, unmasked prefixes) this prints the data;
 * docs/bgpdump-compat.md lists those cases with the RFC that decides.
 *
 * Speed: every line is assembled in the output buffer with hand-rolled
 * number and address formatting.  What is common to all the prefixes of
 * an UPDATE (the head of the line, the attribute fields) is formatted
 * once per message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mrt.h"
#include "wire.h"

#define BD_ASPATH_MAX	8000	/* bgpdump's MAX_ASPATH_LEN */
#define BD_COMM_MAX	8192	/* bgpdump's BUFSIZ */
#define BD_HEAD_MAX	160
#define BD_TAIL_MAX	(BD_COMM_MAX + 128)

struct bd {
	struct obuf	*o;
	bool		 mm;		/* -M: human time, short lines */
	/* time string cache */
	bool		 t_valid;
	uint32_t	 t_ts;
	uint32_t	 t_usec;
	bool		 t_et;
	char		 t_str[48];
	size_t		 t_len;
	/* per-message strings */
	char		 head[BD_HEAD_MAX];
	size_t		 head_len;
	char		 mid[BD_ASPATH_MAX + 64];	/* |aspath|origin */
	size_t		 mid_len;
	char		 tail[BD_TAIL_MAX];	/* lpref|med|comm|AG|aggr|\n */
	size_t		 tail_len;
	char		 comm[BD_COMM_MAX + 16];
	size_t		 comm_len;
};

/* ---- numbers and addresses ----------------------------------------- */

char *
bd_fmt_u32(char *p, uint32_t v)
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

/* printf("%d") of a value bgpdump keeps unsigned but prints signed. */
static char *
fmt_i32(char *p, uint32_t v)
{
	if (v > 0x7fffffffu) {
		*p++ = '-';
		return (bd_fmt_u32(p, (uint32_t)(0u - v)));
	}
	return (bd_fmt_u32(p, v));
}

char *
bd_fmt_v4(char *p, const uint8_t *b)
{
	int i;

	for (i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (v >= 100) {
			*p++ = (char)('0' + v / 100);
			*p++ = (char)('0' + (v / 10) % 10);
		} else if (v >= 10)
			*p++ = (char)('0' + v / 10);
		*p++ = (char)('0' + v % 10);
		if (i < 3)
			*p++ = '.';
	}
	return (p);
}

/*
 * bgpdump's fmt_ipv6(): v4-mapped and v4-compatible (IN6_IS_ADDR_V4COMPAT:
 * the last word above 1) addresses in dotted form, otherwise groups in
 * lowercase hex with the leftmost longest run of zero groups, even a run
 * of one, written "::".
 */
char *
bd_fmt_v6(char *p, const uint8_t *b)
{
	static const char	hex[] = "0123456789abcdef";
	unsigned		g[8], i, best = 8, bestlen = 0, run;
	uint32_t		last;
	bool			zero96;

	zero96 = true;
	for (i = 0; i < 10; i++)
		if (b[i] != 0)
			zero96 = false;
	last = be32(b + 12);
	if (zero96 && ((b[10] == 0xff && b[11] == 0xff) ||
	    (b[10] == 0 && b[11] == 0 && last > 1))) {
		*p++ = ':';
		*p++ = ':';
		if (b[10] == 0xff) {
			memcpy(p, "ffff:", 5);
			p += 5;
		}
		return (bd_fmt_v4(p, b + 12));
	}
	for (i = 0; i < 8; i++)
		g[i] = (unsigned)((b[2 * i] << 8) | b[2 * i + 1]);
	for (i = 0; i < 8; i++) {
		if (g[i] != 0)
			continue;
		for (run = 0; i + run < 8 && g[i + run] == 0; run++)
			;
		if (run > bestlen) {
			best = i;
			bestlen = run;
		}
		i += run - 1;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			if (i == 0)
				*p++ = ':';
			*p++ = ':';
			i += bestlen - 1;
			continue;
		}
		if (g[i] >= 0x1000)
			*p++ = hex[g[i] >> 12];
		if (g[i] >= 0x100)
			*p++ = hex[(g[i] >> 8) & 15];
		if (g[i] >= 0x10)
			*p++ = hex[(g[i] >> 4) & 15];
		*p++ = hex[g[i] & 15];
		if (i != 7)
			*p++ = ':';
	}
	return (p);
}

static char *
fmt_addr(char *p, const struct addr *a)
{
	if (a->afi == AFI_IPV6)
		return (bd_fmt_v6(p, a->b));
	return (bd_fmt_v4(p, a->b));
}

static char *
fmt_prefix(char *p, const struct prefix *pf)
{
	p = pf->afi == AFI_IPV6 ? bd_fmt_v6(p, pf->b) : bd_fmt_v4(p, pf->b);
	*p++ = '/';
	return (bd_fmt_u32(p, pf->len));
}

static char *
put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return (p + n);
}

#define PUTS(p, lit)	put((p), (lit), sizeof(lit) - 1)

/* ---- time ----------------------------------------------------------- */

/* "%02d" into p. */
static char *
two(char *p, int v)
{
	*p++ = (char)('0' + (v / 10) % 10);
	*p++ = (char)('0' + v % 10);
	return (p);
}

/* -m: seconds; -M: "MM/DD/YY HH:MM:SS"; _ET adds ".%06u" microseconds. */
static void
bd_time(struct bd *b, uint32_t ts, uint32_t usec, bool et)
{
	struct tm	tm;
	time_t		t = (time_t)ts;
	char		*p = b->t_str, *q;
	char		 tmp[12];

	if (b->t_valid && b->t_ts == ts && b->t_usec == usec && b->t_et == et)
		return;
	if (b->mm) {
		gmtime_r(&t, &tm);
		p = two(p, tm.tm_mon + 1);
		*p++ = '/';
		p = two(p, tm.tm_mday);
		*p++ = '/';
		p = two(p, tm.tm_year % 100);
		*p++ = ' ';
		p = two(p, tm.tm_hour);
		*p++ = ':';
		p = two(p, tm.tm_min);
		*p++ = ':';
		p = two(p, tm.tm_sec);
	} else
		p = bd_fmt_u32(p, ts);
	if (et) {
		*p++ = '.';
		q = bd_fmt_u32(tmp, usec);
		for (size_t n = (size_t)(q - tmp); n < 6; n++)
			*p++ = '0';
		p = put(p, tmp, (size_t)(q - tmp));
	}
	b->t_len = (size_t)(p - b->t_str);
	b->t_ts = ts;
	b->t_usec = usec;
	b->t_et = et;
	b->t_valid = true;
}

/* ---- attributes ----------------------------------------------------- */

static char
seg_open(uint8_t type)
{
	switch (type) {
	case AS_SET:		return ('{');
	case AS_CONFED_SET:	return ('[');
	case AS_CONFED_SEQUENCE: return ('(');
	}
	return (' ');
}

static char
seg_close(uint8_t type)
{
	switch (type) {
	case AS_SET:		return ('}');
	case AS_CONFED_SET:	return (']');
	case AS_CONFED_SEQUENCE: return (')');
	}
	return (' ');
}

/*
 * The AS path as bgpdump's process_attr_aspath_string() writes it, from
 * the canonical 4-octet form: a separator between segments, brackets
 * around non-sequence segments, "," inside sets, and "..." once the
 * string passes 7900 characters.
 */
static char *
fmt_aspath(char *p, const uint8_t *path, size_t len)
{
	struct rd	r;
	uint8_t		type, cnt, prev = AS_SEQUENCE, k;
	uint32_t	asn = 0;
	char		*start = p;
	bool		space = false, any = false;

	rd_init(&r, path, len);
	while (rd_u8(&r, &type) == 0 && rd_u8(&r, &cnt) == 0) {
		if (type < AS_SET || type > AS_CONFED_SET ||
		    rd_left(&r) < (size_t)cnt * 4)
			return (PUTS(start, "! Error !"));
		any = true;
		if (prev != AS_SEQUENCE)
			*p++ = seg_close(prev);
		if (space)
			*p++ = ' ';
		if (type != AS_SEQUENCE)
			*p++ = seg_open(type);
		space = false;
		for (k = 0; k < cnt; k++) {
			if (space)
				*p++ = (type == AS_SET ||
				    type == AS_CONFED_SET) ? ',' : ' ';
			else
				space = true;
			rd_u32(&r, &asn);
			p = bd_fmt_u32(p, asn);
			if (p - start > BD_ASPATH_MAX - 100)
				return (PUTS(p, "..."));
		}
		prev = type;
	}
	if (any && prev != AS_SEQUENCE)
		*p++ = seg_close(prev);
	return (p);
}

/*
 * Communities as bgpdump builds them: " a:b" per value into a BUFSIZ
 * buffer (well-known ones by name), printed without the first space.
 */
static void
fmt_communities(struct bd *b, const uint8_t *c, size_t len)
{
	struct rd	 r;
	char		 tmp[32], *q;
	const char	*name;
	size_t		 n, l = 0;
	uint32_t	 v;

	rd_init(&r, c, len);
	while (rd_u32(&r, &v) == 0) {
		switch (v) {
		case 0xffffff01:
			name = " no-export";
			break;
		case 0xffffff02:
			name = " no-advertise";
			break;
		case 0xffffff03:
			name = " local-AS";
			break;
		default:
			name = NULL;
			break;
		}
		if (name != NULL) {
			/* strlcat() of bgpdump: all or nothing. */
			n = strlen(name);
			if (l + n < BD_COMM_MAX) {
				memcpy(b->comm + l, name, n);
				l += n;
			}
			continue;
		}
		q = tmp;
		*q++ = ' ';
		q = bd_fmt_u32(q, v >> 16);
		*q++ = ':';
		q = bd_fmt_u32(q, v & 0xffff);
		/* snprintf(): truncated to what fits. */
		n = (size_t)(q - tmp);
		if (n > BD_COMM_MAX - 1 - l)
			n = BD_COMM_MAX - 1 - l;
		memcpy(b->comm + l, tmp, n);
		l += n;
	}
	b->comm_len = l;
}

static const char *
origin_name(const struct bgp_attrs *a, size_t *len)
{
	if (attrs_has(a, ATTR_ORIGIN) && a->origin == ORIGIN_IGP) {
		*len = 3;
		return ("IGP");
	}
	if (attrs_has(a, ATTR_ORIGIN) && a->origin == ORIGIN_EGP) {
		*len = 3;
		return ("EGP");
	}
	*len = 10;
	return ("INCOMPLETE");
}

/* "|aspath|origin" */
static void
make_mid(struct bd *b, const struct bgp_attrs *a)
{
	const char	*o;
	size_t		 olen;
	char		*p = b->mid;

	*p++ = '|';
	if (attrs_has(a, ATTR_AS_PATH) && a->aspath != NULL)
		p = fmt_aspath(p, a->aspath, a->aspath_len);
	*p++ = '|';
	o = origin_name(a, &olen);
	p = put(p, o, olen);
	b->mid_len = (size_t)(p - b->mid);
}

/*
 * "lpref|med|comm|AG|aggr|\n".  signed: MP IPv4 lines print the two
 * numbers with %d.  legacy: type 5 lines have no "|" before comm.
 */
static void
make_tail(struct bd *b, const struct bgp_attrs *a, bool is_signed,
    bool legacy)
{
	char		*p = b->tail;
	uint32_t	 lp, med;

	lp = attrs_has(a, ATTR_LOCAL_PREF) ? a->local_pref : 0;
	med = attrs_has(a, ATTR_MED) ? a->med : 0;
	p = is_signed ? fmt_i32(p, lp) : bd_fmt_u32(p, lp);
	*p++ = '|';
	p = is_signed ? fmt_i32(p, med) : bd_fmt_u32(p, med);
	if (!legacy)
		*p++ = '|';
	if (attrs_has(a, ATTR_COMMUNITIES)) {
		/* bgpdump prints its string without the leading space. */
		fmt_communities(b, a->communities, a->communities_len);
		if (b->comm_len > 0)
			p = put(p, b->comm + 1, b->comm_len - 1);
	}
	*p++ = '|';
	if (attrs_has(a, ATTR_ATOMIC_AGGREGATE))
		p = PUTS(p, "AG|");
	else
		p = PUTS(p, "NAG|");
	if (attrs_has(a, ATTR_AGGREGATOR) && !(a->aggr_addr.b[0] == 0xff &&
	    a->aggr_addr.b[1] == 0xff && a->aggr_addr.b[2] == 0xff &&
	    a->aggr_addr.b[3] == 0xff)) {
		p = bd_fmt_u32(p, a->aggr_as);
		*p++ = ' ';
		p = bd_fmt_v4(p, a->aggr_addr.b);
	}
	*p++ = '|';
	*p++ = '\n';
	b->tail_len = (size_t)(p - b->tail);
}

/* bgpdump reads 16 octets for an IPv6 next hop whatever the length. */
static char *
fmt_nh16(char *p, const uint8_t *nh, size_t len)
{
	uint8_t b[16];

	memset(b, 0, sizeof(b));
	if (nh != NULL)
		memcpy(b, nh, len < 16 ? len : 16);
	return (bd_fmt_v6(p, b));
}

/*
 * The next hop of a RIB entry: the IPv6 one of MP_REACH_NLRI (abbreviated
 * form of RFC 6396 4.3.4, or a full attribute for IPv6 unicast), else the
 * NEXT_HOP attribute, else bgpdump's INADDR_NONE.
 */
static char *
rib_nexthop(char *p, const struct bgp_attrs *a)
{
	const struct mp_reach *mr = &a->mp_reach;

	/* afi 0: the abbreviated form, which bgpdump takes for IPv6. */
	if (attrs_has(a, ATTR_MP_REACH_NLRI) && mr->nh != NULL &&
	    (mr->afi == 0 || (mr->afi == AFI_IPV6 &&
	    mr->safi == SAFI_UNICAST)))
		return (fmt_nh16(p, mr->nh, mr->nh_len));
	if (attrs_has(a, ATTR_NEXT_HOP))
		return (bd_fmt_v4(p, a->nexthop.b));
	return (PUTS(p, "255.255.255.255"));
}

/* ---- lines ---------------------------------------------------------- */

/* "NAME|time|TYPE|peer|as|" into b->head. */
static void
make_head(struct bd *b, const char *name, char type, const char *peer,
    size_t peer_len, uint32_t asn)
{
	char *p = b->head;

	p = put(p, name, strlen(name));
	*p++ = '|';
	p = put(p, b->t_str, b->t_len);
	*p++ = '|';
	*p++ = type;
	*p++ = '|';
	p = put(p, peer, peer_len);
	*p++ = '|';
	p = bd_fmt_u32(p, asn);
	*p++ = '|';
	b->head_len = (size_t)(p - b->head);
}

/* One B or A line: head, prefix, [path id], then the attributes. */
static void
route_line(struct bd *b, const struct prefix *pf, bool addpath,
    uint32_t path_id, const char *nh, size_t nh_len)
{
	char *p;

	p = obuf_reserve(b->o, b->head_len + 80 + b->mid_len + nh_len +
	    b->tail_len + 2);
	p = put(p, b->head, b->head_len);
	p = fmt_prefix(p, pf);
	if (addpath) {
		*p++ = '|';
		p = bd_fmt_u32(p, path_id);
	}
	p = put(p, b->mid, b->mid_len);
	if (b->mm)
		*p++ = '\n';
	else {
		*p++ = '|';
		p = put(p, nh, nh_len);
		*p++ = '|';
		p = put(p, b->tail, b->tail_len);
	}
	obuf_commit(b->o, p);
}

static void
withdraw_line(struct bd *b, const struct prefix *pf, bool addpath,
    uint32_t path_id)
{
	char *p;

	p = obuf_reserve(b->o, b->head_len + 80);
	p = put(p, b->head, b->head_len);
	p = fmt_prefix(p, pf);
	if (addpath) {
		*p++ = '|';
		p = bd_fmt_u32(p, path_id);
	}
	*p++ = '\n';
	obuf_commit(b->o, p);
}

/* ---- RIB entries ---------------------------------------------------- */

static void
bd_rib(void *arg, const struct mrt_ctx *c, const struct mrt_rib *e)
{
	struct bd	*b = arg;
	char		 peer[64], nh[64], *q;
	const char	*name;
	struct prefix	 pf;

	if (e->u == NULL || e->peer == NULL)
		return;
	if (c->type == MRT_TABLE_DUMP) {
		name = "TABLE_DUMP";
		pf = e->nlri.pfx;
		/* bgpdump tells the families apart by subtype 2 only. */
		if (c->subtype == TD_AFI_IPV6) {
			q = bd_fmt_v6(peer, e->peer->ip.b);
		} else {
			q = bd_fmt_v4(peer, e->peer->ip.b);
			pf.afi = AFI_IPV4;
		}
	} else {
		/* bgpdump prints the unicast RIBs only. */
		if (e->safi != SAFI_UNICAST || c->subtype == TD2_RIB_GENERIC ||
		    c->subtype == TD2_RIB_GENERIC_ADDPATH)
			return;
		name = e->addpath ? "TABLE_DUMP2_AP" : "TABLE_DUMP2";
		pf = e->nlri.pfx;
		q = fmt_addr(peer, &e->peer->ip);
	}
	bd_time(b, c->ts, 0, false);
	make_head(b, name, 'B', peer, (size_t)(q - peer), e->peer->asn);
	make_mid(b, &e->u->a);
	q = nh;
	if (!b->mm) {
		q = rib_nexthop(nh, &e->u->a);
		make_tail(b, &e->u->a, false, false);
	}
	route_line(b, &pf, e->addpath, e->nlri.path_id, nh, (size_t)(q - nh));
}

/* ---- BGP messages --------------------------------------------------- */

static const char *
bgp4mp_name(const struct mrt_ctx *c, const struct mrt_msg *m)
{
	static const char *const names[8] = {
		"BGP4MP", "BGP4MP_AP", "BGP4MP_LOCAL", "BGP4MP_LOCAL_AP",
		"BGP4MP_ET", "BGP4MP_ET_AP", "BGP4MP_ET_LOCAL",
		"BGP4MP_ET_LOCAL_AP",
	};

	if (m->legacy)
		return ("BGP");
	return (names[(c->et ? 4 : 0) | (m->local ? 2 : 0) |
	    (m->addpath ? 1 : 0)]);
}

/* bgpdump's SAFIs: unicast, multicast and the obsolete "both" (3). */
static bool
bd_family(uint16_t afi, uint8_t safi)
{
	return ((afi == AFI_IPV4 || afi == AFI_IPV6) && safi >= 1 && safi <= 3);
}

/*
 * has_id: the NLRI carry path identifiers; show_id: the line has the
 * path id column (the subtype says ADD-PATH).
 */
static void
withdraw_all(struct bd *b, const uint8_t *p, size_t len, uint16_t afi,
    uint8_t safi, bool has_id, bool show_id)
{
	struct nlri_iter	it;
	struct nlri		n;

	nlri_iter_init(&it, p, len, afi, safi, has_id);
	while (nlri_next(&it, &n) == 1)
		withdraw_line(b, &n.pfx, show_id, n.path_id);
}

static void
announce_all(struct bd *b, const uint8_t *p, size_t len, uint16_t afi,
    uint8_t safi, bool has_id, bool show_id, const char *nh, size_t nh_len)
{
	struct nlri_iter	it;
	struct nlri		n;

	nlri_iter_init(&it, p, len, afi, safi, has_id);
	while (nlri_next(&it, &n) == 1)
		route_line(b, &n.pfx, show_id, n.path_id, nh, nh_len);
}

/* The W lines of an UPDATE: IPv4 field first, then MP_UNREACH_NLRI. */
static void
bd_withdrawals(struct bd *b, const struct mrt_msg *m, const char *name,
    const char *peer, size_t peer_len)
{
	const struct bgp_update	*u = m->u;
	const struct mp_unreach	*mu = &u->a.mp_unreach;
	char			 peer6[64], *q6;
	uint8_t			 v6[16];
	bool			 mp;

	mp = attrs_has(&u->a, ATTR_MP_UNREACH_NLRI) &&
	    bd_family(mu->afi, mu->safi) && mu->nlri_len > 0;
	if (u->withdrawn_len == 0 && !mp)
		return;
	make_head(b, name, 'W', peer, peer_len, m->peer_as);
	withdraw_all(b, u->withdrawn, u->withdrawn_len, AFI_IPV4,
	    SAFI_UNICAST, m->nlri_addpath, m->addpath);
	if (!mp)
		return;
	if (mu->afi == AFI_IPV6 && m->afi == AFI_IPV4 && m->local) {
		/*
		 * bgpdump formats the IPv4 peer of a sent IPv6 withdrawal
		 * as an IPv6 address.
		 */
		memset(v6, 0, sizeof(v6));
		memcpy(v6, m->peer_ip.b, 4);
		q6 = bd_fmt_v6(peer6, v6);
		make_head(b, name, 'W', peer6, (size_t)(q6 - peer6),
		    m->peer_as);
	}
	withdraw_all(b, mu->nlri, mu->nlri_len, mu->afi, mu->safi,
	    m->nlri_addpath, m->addpath);
}

/* The next hop bgpdump shows for MP_REACH_NLRI routes. */
static char *
mp_nexthop(char *p, const struct mp_reach *mr)
{
	uint8_t v4[4];

	if (mr->afi == AFI_IPV6)
		return (fmt_nh16(p, mr->nh, mr->nh_len));
	memset(v4, 0, sizeof(v4));
	if (mr->nh != NULL)
		memcpy(v4, mr->nh, mr->nh_len < 4 ? mr->nh_len : 4);
	return (bd_fmt_v4(p, v4));
}

/* The A lines of an UPDATE: IPv4 field first, then MP_REACH_NLRI. */
static void
bd_announcements(struct bd *b, const struct mrt_msg *m, const char *name,
    const char *peer, size_t peer_len)
{
	const struct bgp_update	*u = m->u;
	const struct bgp_attrs	*a = &u->a;
	const struct mp_reach	*mr = &a->mp_reach;
	char			 nh[64], *q;
	bool			 mp;

	mp = attrs_has(a, ATTR_MP_REACH_NLRI) && bd_family(mr->afi, mr->safi) &&
	    mr->nlri_len > 0;
	if (u->nlri_len == 0 && !mp)
		return;
	make_head(b, name, 'A', peer, peer_len, m->peer_as);
	make_mid(b, a);
	if (u->nlri_len > 0) {
		q = nh;
		if (!b->mm) {
			if (attrs_has(a, ATTR_NEXT_HOP))
				q = bd_fmt_v4(nh, a->nexthop.b);
			else
				q = PUTS(nh, "255.255.255.255");
			make_tail(b, a, false, m->legacy);
		}
		announce_all(b, u->nlri, u->nlri_len, AFI_IPV4, SAFI_UNICAST,
		    m->nlri_addpath, m->addpath, nh, (size_t)(q - nh));
	}
	if (mp) {
		q = nh;
		if (!b->mm) {
			q = mp_nexthop(nh, mr);
			make_tail(b, a, mr->afi == AFI_IPV4, false);
		}
		announce_all(b, mr->nlri, mr->nlri_len, mr->afi, mr->safi,
		    m->nlri_addpath, m->addpath, nh, (size_t)(q - nh));
	}
}

static void
bd_update(struct bd *b, const struct mrt_ctx *c, const struct mrt_msg *m)
{
	const char	*name = bgp4mp_name(c, m);
	char		 peer[64], *q;

	q = fmt_addr(peer, &m->peer_ip);
	if (m->legacy)
		bd_time(b, c->ts, 0, false);
	else
		bd_time(b, c->ts, c->usec, c->et);
	bd_withdrawals(b, m, name, peer, (size_t)(q - peer));
	bd_announcements(b, m, name, peer, (size_t)(q - peer));
}

static void
bd_message(void *arg, const struct mrt_ctx *c, const struct mrt_msg *m)
{
	struct bd *b = arg;

	/* Only UPDATEs make lines; bgpdump decodes nothing it cannot. */
	if (m->bgp_type != BGP_UPDATE || m->u == NULL ||
	    (m->verdict == BGP_SESSION_RESET && !m->salvaged))
		return;
	bd_update(b, c, m);
}

static void
bd_state(void *arg, const struct mrt_ctx *c, const struct mrt_state *s)
{
	struct bd	*b = arg;
	char		*p;

	if (s->legacy)
		bd_time(b, c->ts, 0, false);
	else
		bd_time(b, c->ts, c->usec, c->et);
	p = obuf_reserve(b->o, 200);
	if (s->legacy)
		p = PUTS(p, "BGP|");
	else if (c->et)
		p = PUTS(p, "BGP4MP_ET|");
	else
		p = PUTS(p, "BGP4MP|");
	p = put(p, b->t_str, b->t_len);
	p = PUTS(p, "|STATE|");
	p = fmt_addr(p, &s->peer_ip);
	*p++ = '|';
	p = bd_fmt_u32(p, s->peer_as);
	*p++ = '|';
	p = bd_fmt_u32(p, s->old_state);
	*p++ = '|';
	p = bd_fmt_u32(p, s->new_state);
	*p++ = '\n';
	obuf_commit(b->o, p);
}

/* ---- the printer ---------------------------------------------------- */

static void *
bd_create(struct obuf *o, enum mrt_mode mode)
{
	struct bd *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		return (NULL);
	b->o = o;
	b->mm = mode == MRT_MODE_MM;
	return (b);
}

static void
bd_handlers(void *arg, struct mrt_handlers *h)
{
	h->on_rib_entry = bd_rib;
	h->on_message = bd_message;
	h->on_state = bd_state;
	h->arg = arg;
}

const struct mrt_printer mrt_printer_bgpdump = {
	.create = bd_create,
	.handlers = bd_handlers,
	.destroy = free,
};
