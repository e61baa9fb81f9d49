/*
 * bmp_router.c -- the state of one BMP session: what one monitored router
 * told the station, and what it changed in the RIB.
 *
 * Per router (one TCP session; the station owns the socket):
 *
 *	connected --Initiation--> initiated --Termination--> terminated
 *	    |                         |                          |
 *	    +-------------------------+-- malformed, TCP close --+--> closed
 *
 *	Messages before the Initiation (RFC 7854 4.3 says it comes first)
 *	are handled anyway and counted.  Closed, however it happens, means
 *	every RIB source of the router is flushed: the router resends its
 *	whole view on the next session, so nothing it said may outlive this
 *	one.
 *
 * Per monitored peer, keyed by (peer type, distinguisher, address):
 *
 *	unknown --Peer Up--> up --Peer Down--> down --Peer Up--> up ...
 *
 *	Peer Up records both OPENs.  The sent OPEN is the router's, the
 *	received one the peer's (RFC 7854 4.10), so what the peer sends the
 *	router (Adj-RIB-In) decodes with bgp_negotiate(sent, received) and
 *	what the router sends the peer (Adj-RIB-Out, RFC 8671) with
 *	bgp_negotiate(received, sent).  For the Loc-RIB peer both OPENs are
 *	the same fabricated one, and ADD-PATH listed for a family in any
 *	direction means path identifiers are present (RFC 9069 5.1).  The
 *	per-peer header's A flag, not the OPENs, says whether AS_PATH is
 *	2-octet (RFC 7854 4.2).
 *	Peer Down flushes every source of the peer.  A Peer Up while the
 *	peer is up means its session restarted unseen: flushed the same.
 *	Route Monitoring for a peer never announced up (a capture that
 *	starts late) is applied with what the header alone says (no
 *	ADD-PATH) and counted as such.
 *
 * Each (router, peer, distinguisher, table) is one RIB source; the table
 * comes from the peer type and the L and O flags (bmp_peer_table()).
 * Sources are made on first use, so a router that sends only
 * post-policy has no pre-policy source.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive.h"
#include "bmp.h"

#define N_TABLES	(RIB_TBL_LOC_RIB + 1)

struct bpeer {
	struct bpeer		*hnext;		/* hash chain */
	struct bgp_neg		 neg_in;	/* peer -> router */
	struct bgp_neg		 neg_out;	/* router -> peer */
	struct bgp_neg		 neg_loc;	/* Loc-RIB */
	struct bmp_peer_info	 i;
};

struct bmp_router {
	struct rib		*rib;
	struct archive		*ar;
	struct bgp_update	*u;
	struct bmp_msg		*m;
	struct bmp_router_info	 i;		/* peers unused here */
	struct bpeer		**peers;	/* in arrival order */
	size_t			 n_peers, cap_peers;
	struct bpeer		**hash;
	size_t			 n_hash;	/* power of two */
	struct bpeer		*last;		/* last one found */
	peer_event_cb		 on_peer;	/* bmp_router_set_peer_hook() */
	void			*on_peer_arg;
};

void
bmp_router_set_peer_hook(struct bmp_router *r, peer_event_cb fn, void *arg)
{
	r->on_peer = fn;
	r->on_peer_arg = arg;
}

/* A monitored peer (NULL: the router itself) came up or went down. */
static void
tell_peer(struct bmp_router *r, const struct bpeer *p, bool up,
    const char *reason, uint64_t now)
{
	struct peer_event	pe;
	int			t;

	if (r->on_peer == NULL)
		return;
	memset(&pe, 0, sizeof(pe));
	pe.time_us = now;
	pe.router = r->i.addr;
	pe.src = RIB_NO_SOURCE;
	pe.up = up;
	pe.reason = reason;
	if (p != NULL) {
		pe.peer = p->i.addr;
		pe.peer_as = p->i.as;
		for (t = 0; t <= RIB_TBL_LOC_RIB && pe.src == RIB_NO_SOURCE;
		    t++)
			pe.src = p->i.src[t];
	}
	r->on_peer(r->on_peer_arg, &pe);
}

/* Printable copy of a TLV string (a router must not write our logs). */
static void
str_copy(char *dst, size_t dlen, const uint8_t *p, size_t len)
{
	size_t i, o = 0;

	for (i = 0; i < len && o + 1 < dlen; i++)
		dst[o++] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	dst[o] = '\0';
}

struct bmp_router *
bmp_router_new(struct rib *rib, const struct addr *a, uint16_t port)
{
	struct bmp_router *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (NULL);
	r->rib = rib;
	r->n_hash = 64;
	if ((r->u = bgp_update_new()) == NULL ||
	    (r->m = malloc(sizeof(*r->m))) == NULL ||
	    (r->hash = calloc(r->n_hash, sizeof(*r->hash))) == NULL) {
		bmp_router_free(r);
		return (NULL);
	}
	if (a != NULL)
		r->i.addr = *a;
	r->i.port = port;
	r->i.connected = true;
	return (r);
}

void
bmp_router_free(struct bmp_router *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < r->n_peers; i++)
		free(r->peers[i]);
	free(r->peers);
	free(r->hash);
	free(r->m);
	bgp_update_free(r->u);
	free(r);
}

void
bmp_router_set_archive(struct bmp_router *r, struct archive *ar)
{
	r->ar = ar;
}

const struct bmp_msg *
bmp_router_last(const struct bmp_router *r)
{
	return (r->m);
}

const struct bmp_router_counters *
bmp_router_counters(const struct bmp_router *r)
{
	return (&r->i.c);
}

void
bmp_router_set_error(struct bmp_router *r, const char *why)
{
	snprintf(r->i.last_error, sizeof(r->i.last_error), "%s", why);
}

/*
 * Peers.
 */

static uint32_t
peer_hash(uint8_t type, uint64_t dist, const struct addr *a)
{
	uint32_t	h = 2166136261u;
	size_t		i;

	h = (h ^ type) * 16777619u;
	for (i = 0; i < 8; i++)
		h = (h ^ (uint8_t)(dist >> (i * 8))) * 16777619u;
	h = (h ^ a->afi) * 16777619u;
	for (i = 0; i < 16; i++)
		h = (h ^ a->b[i]) * 16777619u;
	return (h);
}

static bool
peer_is(const struct bpeer *p, const struct bmp_peer_hdr *h)
{
	return (p->i.type == h->type &&
	    p->i.distinguisher == h->distinguisher &&
	    addr_cmp(&p->i.addr, &h->addr) == 0);
}

static int
hash_grow(struct bmp_router *r)
{
	struct bpeer	**nh, *p;
	size_t		  nn = r->n_hash * 2, i;
	uint32_t	  k;

	if ((nh = calloc(nn, sizeof(*nh))) == NULL)
		return (-1);
	for (i = 0; i < r->n_peers; i++) {
		p = r->peers[i];
		k = peer_hash(p->i.type, p->i.distinguisher, &p->i.addr) &
		    (uint32_t)(nn - 1);
		p->hnext = nh[k];
		nh[k] = p;
	}
	free(r->hash);
	r->hash = nh;
	r->n_hash = nn;
	return (0);
}

static struct bpeer *
peer_new(struct bmp_router *r, const struct bmp_peer_hdr *h, uint32_t k)
{
	struct bpeer	 *p, **np;
	int		  t;

	if (r->n_peers == r->cap_peers) {
		size_t nc = r->cap_peers ? r->cap_peers * 2 : 16;

		if ((np = realloc(r->peers, nc * sizeof(*np))) == NULL)
			return (NULL);
		r->peers = np;
		r->cap_peers = nc;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	p->i.type = h->type;
	p->i.distinguisher = h->distinguisher;
	p->i.addr = h->addr;
	p->i.as = h->as;
	p->i.bgp_id = h->bgp_id;
	for (t = 0; t < N_TABLES; t++)
		p->i.src[t] = RIB_NO_SOURCE;
	/* Until a Peer Up says more: 4-octet AS, no ADD-PATH. */
	p->neg_in.as4 = p->neg_out.as4 = p->neg_loc.as4 = true;
	p->hnext = r->hash[k];
	r->hash[k] = p;
	r->peers[r->n_peers++] = p;
	if (r->n_peers > 2 * r->n_hash)
		hash_grow(r);	/* failing, chains only get longer */
	return (p);
}

static struct bpeer *
peer_get(struct bmp_router *r, const struct bmp_peer_hdr *h)
{
	struct bpeer	*p;
	uint32_t	 k;

	if (r->last != NULL && peer_is(r->last, h))
		return (r->last);
	k = peer_hash(h->type, h->distinguisher, &h->addr) &
	    (uint32_t)(r->n_hash - 1);
	for (p = r->hash[k]; p != NULL; p = p->hnext)
		if (peer_is(p, h))
			break;
	if (p == NULL && (p = peer_new(r, h, k)) == NULL)
		return (NULL);
	p->i.flags_seen |= h->flags;
	p->i.last_ts_us = (uint64_t)h->ts_sec * 1000000u + h->ts_usec;
	r->last = p;
	return (p);
}

/* The source of (router, peer, distinguisher, table), made on first use. */
static uint16_t
peer_source(struct bmp_router *r, struct bpeer *p, const struct bmp_peer_hdr *h,
    enum rib_table t, const struct bgp_neg *neg)
{
	struct rib_source	s;
	char			ab[ADDR_STRLEN];

	if (r->rib == NULL)
		return (RIB_NO_SOURCE);
	if (p->i.src[t] != RIB_NO_SOURCE)
		return (p->i.src[t]);
	memset(&s, 0, sizeof(s));
	s.peer = p->i.addr;
	s.peer_as = h->as;
	s.peer_bgp_id = h->bgp_id;
	s.router = r->i.addr;
	s.distinguisher = p->i.distinguisher;
	s.table = t;
	s.ibgp = p->i.local_as != 0 && h->as == p->i.local_as;
	s.addpath = neg->addpath;
	if (p->i.vrf[0] != '\0')
		snprintf(s.name, sizeof(s.name), "%.63s", p->i.vrf);
	else if (r->i.sysname[0] != '\0')
		snprintf(s.name, sizeof(s.name), "bmp %.59s", r->i.sysname);
	else
		snprintf(s.name, sizeof(s.name), "bmp %s",
		    addr_fmt(&r->i.addr, ab, sizeof(ab)));
	p->i.src[t] = rib_source_find_or_add(r->rib, &s);
	if (p->i.src[t] != RIB_NO_SOURCE)
		rib_source_set_addpath(r->rib, p->i.src[t], s.addpath);
	return (p->i.src[t]);
}

/* Withdraw everything a peer fed; the sources are made again on use. */
static uint64_t
peer_flush(struct bmp_router *r, struct bpeer *p, uint64_t now)
{
	uint64_t	n = 0;
	int		t;

	for (t = 0; t < N_TABLES; t++) {
		if (p->i.src[t] == RIB_NO_SOURCE)
			continue;
		if (r->rib != NULL)
			n += rib_source_flush(r->rib, p->i.src[t], now);
		p->i.src[t] = RIB_NO_SOURCE;
	}
	return (n);
}

uint64_t
bmp_router_down(struct bmp_router *r, uint64_t now)
{
	uint64_t	n = 0;
	size_t		i;

	for (i = 0; i < r->n_peers; i++) {
		n += peer_flush(r, r->peers[i], now);
		if (r->peers[i]->i.up)
			tell_peer(r, r->peers[i], false, "BMP session closed",
			    now);
		r->peers[i]->i.up = false;
	}
	if (r->i.connected)
		tell_peer(r, NULL, false, "BMP session closed", now);
	r->i.connected = false;
	return (n);
}

/*
 * Messages.
 */

/* RFC 9069 5.1: for Loc-RIB, ADD-PATH listed at all means path ids. */
static void
neg_loc_rib(const struct bgp_open *o, struct bgp_neg *n)
{
	int	i, idx;

	memset(n, 0, sizeof(*n));
	n->as4 = true;
	n->ext_msg = o->ext_msg;
	for (i = 0; i < o->n_addpath; i++) {
		idx = afisafi_index(o->addpath[i].afi, o->addpath[i].safi);
		if (idx >= 0 && o->addpath[i].flags != 0)
			n->addpath |= (uint16_t)(1u << idx);
	}
}

/* What to decode a Route Monitoring message of this header with. */
static struct bgp_neg
neg_for(const struct bpeer *p, const struct bmp_peer_hdr *h, enum rib_table t)
{
	struct bgp_neg n;

	if (t == RIB_TBL_LOC_RIB)
		return (p->neg_loc);
	n = t == RIB_TBL_ADJ_OUT_PRE || t == RIB_TBL_ADJ_OUT_POST ?
	    p->neg_out : p->neg_in;
	n.as4 = (h->flags & BMP_PF_A) == 0;
	return (n);
}

static void
count_prefixes(const struct bgp_update *u, const struct bgp_neg *neg,
    struct rib_apply_stats *st)
{
	const struct bgp_attrs	*a = &u->a;
	int			 c;

	if ((c = nlri_count(u->withdrawn, u->withdrawn_len, AFI_IPV4,
	    SAFI_UNICAST, u->addpath_v4)) > 0)
		st->withdrawn += (uint64_t)c;
	if ((c = nlri_count(u->nlri, u->nlri_len, AFI_IPV4, SAFI_UNICAST,
	    u->addpath_v4)) > 0)
		st->announced += (uint64_t)c;
	if (attrs_has(a, ATTR_MP_UNREACH_NLRI) && (c = nlri_count(
	    a->mp_unreach.nlri, a->mp_unreach.nlri_len, a->mp_unreach.afi,
	    a->mp_unreach.safi, neg_addpath(neg, afisafi_index(
	    a->mp_unreach.afi, a->mp_unreach.safi)))) > 0)
		st->withdrawn += (uint64_t)c;
	if (attrs_has(a, ATTR_MP_REACH_NLRI) && (c = nlri_count(
	    a->mp_reach.nlri, a->mp_reach.nlri_len, a->mp_reach.afi,
	    a->mp_reach.safi, neg_addpath(neg, afisafi_index(
	    a->mp_reach.afi, a->mp_reach.safi)))) > 0)
		st->announced += (uint64_t)c;
}

/*
 * The MRT update log gets what a BGP session with the peer would have
 * received: Adj-RIB-In pre-policy, in 4-octet form (BGP4MP_MESSAGE_AS4
 * readers decode the path as 4-octet; a 2-octet one would be misread).
 */
static void
rm_archive(struct bmp_router *r, const struct bpeer *p,
    const struct bmp_msg *m, enum rib_table t, const struct bgp_neg *neg,
    uint64_t now)
{
	if (r->ar == NULL || t != RIB_TBL_ADJ_IN_PRE ||
	    (m->peer.flags & BMP_PF_A))
		return;
	archive_message(r->ar, now, neg->addpath != 0, m->peer.as,
	    p->i.local_as, &m->peer.addr, &p->i.local, m->rm.msg, m->rm.len);
}

/*
 * A locally originated route has an empty AS_PATH, and some routers
 * (GoBGP 3.10) leave the attribute out of their Loc-RIB monitoring
 * altogether.  When that is the UPDATE's only problem the route is kept,
 * with an empty path, and the discard counted: a monitor that dropped the
 * router's own routes from its view of the Loc-RIB would misreport it.
 */
static enum bgp_verdict
loc_rib_lenient(struct bgp_update *u)
{
	struct bgp_err *e = &u->err;

	if (e->n_problems != 1 || e->attr != ATTR_AS_PATH ||
	    e->subcode != ERR_UPD_MISSNG_WK)
		return (e->verdict);
	e->verdict = BGP_ATTR_DISCARD;
	snprintf(e->reason, sizeof(e->reason), "AS_PATH missing in Loc-RIB: "
	    "taken as empty (locally originated)");
	return (e->verdict);
}

static void
rm_input(struct bmp_router *r, struct bpeer *p, const struct bmp_msg *m,
    uint64_t now)
{
	struct rib_apply_stats	 st = { 0, 0, 0, 0 };
	enum rib_table		 t = bmp_peer_table(&m->peer);
	struct bgp_neg		 neg = neg_for(p, &m->peer, t);
	enum bgp_verdict	 v;
	unsigned		 flags = 0;
	uint16_t		 src;

	/* RFC 7606 LOCAL_PREF rules hold for what an eBGP peer sent. */
	if (t == RIB_TBL_ADJ_IN_PRE && p->i.local_as != 0 &&
	    m->peer.as != p->i.local_as)
		flags |= BGP_DEC_EBGP;
	if (!p->i.up)
		p->i.c.no_peer_up++;
	p->i.c.updates++;
	r->i.c.updates++;
	v = bgp_update_decode(r->u, m->rm.body, m->rm.body_len, &neg, flags);
	if (t == RIB_TBL_LOC_RIB && v == BGP_TREAT_AS_WITHDRAW)
		v = loc_rib_lenient(r->u);
	if (v == BGP_SESSION_RESET) {
		p->i.c.update_errors++;
		r->i.c.update_errors++;
		snprintf(p->i.last_error, sizeof(p->i.last_error),
		    "UPDATE not applied: %s", r->u->err.reason);
		return;
	}
	if (v == BGP_TREAT_AS_WITHDRAW) {
		p->i.c.treat_as_withdraw++;
		r->i.c.treat_as_withdraw++;
	} else if (v == BGP_ATTR_DISCARD) {
		p->i.c.attr_discard++;
		r->i.c.attr_discard++;
	}
	if (v != BGP_OK)
		snprintf(p->i.last_error, sizeof(p->i.last_error), "%s: %s",
		    bgp_verdict_name(v), r->u->err.reason);
	if (r->u->eor)
		p->i.c.eor++;
	if (m->peer.type > BMP_PEER_LOC_RIB)
		count_prefixes(r->u, &neg, &st);	/* no table for it */
	else if ((src = peer_source(r, p, &m->peer, t, &neg)) !=
	    RIB_NO_SOURCE)
		rib_apply_update(r->rib, src, r->u, &neg, now, &st);
	else
		count_prefixes(r->u, &neg, &st);
	p->i.c.announced += st.announced;
	p->i.c.withdrawn += st.withdrawn + st.treat_as_withdraw;
	r->i.c.announced += st.announced;
	r->i.c.withdrawn += st.withdrawn + st.treat_as_withdraw;
	rm_archive(r, p, m, t, &neg, now);
}

/* "4-octet-as ipv4-unicast ipv6-unicast add-path-rx ..." */
static void
describe_caps(struct bpeer *p, const struct bgp_open *recv)
{
	size_t	 off, len = sizeof(p->i.caps);
	int	 i;

	off = (size_t)snprintf(p->i.caps, len, "%s", p->neg_in.as4 ?
	    "4-octet-as" : "2-octet-as");
	for (i = 0; i < recv->n_mp && off < len; i++)
		off += (size_t)snprintf(p->i.caps + off, len - off, " %s",
		    afisafi_name(recv->mp[i].afi, recv->mp[i].safi));
	if (p->neg_in.addpath && off < len)
		off += (size_t)snprintf(p->i.caps + off, len - off,
		    " add-path-rx");
	if (p->neg_out.addpath && off < len)
		off += (size_t)snprintf(p->i.caps + off, len - off,
		    " add-path-tx");
	if (p->neg_in.ext_msg && off < len)
		snprintf(p->i.caps + off, len - off, " extended-message");
}

static void
up_info(struct bpeer *p, const struct bmp_tlvs *t)
{
	uint16_t i;

	p->i.vrf[0] = '\0';
	for (i = 0; i < t->n; i++)
		if (t->t[i].type == BMP_INFO_VRF)
			str_copy(p->i.vrf, sizeof(p->i.vrf), t->t[i].val,
			    t->t[i].len);
}

static void
up_input(struct bmp_router *r, struct bpeer *p, const struct bmp_msg *m,
    uint64_t now)
{
	const struct bmp_peer_up *u = &m->up;

	if (p->i.up) {
		/* Its session restarted without our seeing it go down. */
		peer_flush(r, p, now);
	}
	p->i.c.peer_ups++;
	p->i.up = true;
	p->i.up_us = now;
	p->i.as = m->peer.as;
	p->i.bgp_id = m->peer.bgp_id;
	p->i.local = u->local;
	p->i.local_port = u->local_port;
	p->i.remote_port = u->remote_port;
	memset(&p->neg_in, 0, sizeof(p->neg_in));
	p->neg_in.as4 = true;
	p->neg_out = p->neg_loc = p->neg_in;
	p->i.local_as = 0;
	p->i.caps[0] = '\0';
	if (u->sent_ok && u->recv_ok) {
		bgp_negotiate(&u->sent, &u->recv, &p->neg_in);
		bgp_negotiate(&u->recv, &u->sent, &p->neg_out);
		neg_loc_rib(&u->sent, &p->neg_loc);
		p->i.local_as = bgp_open_asn(&u->sent);
		p->i.hold_time = u->sent.holdtime < u->recv.holdtime ?
		    u->sent.holdtime : u->recv.holdtime;
		describe_caps(p, &u->recv);
	} else {
		snprintf(p->i.last_error, sizeof(p->i.last_error),
		    "Peer Up: %s OPEN does not decode (%.120s): no "
		    "ADD-PATH assumed", u->sent_ok ? "received" : "sent",
		    u->sent_ok ? u->recv_err.reason : u->sent_err.reason);
		if (u->sent_ok)
			p->i.local_as = bgp_open_asn(&u->sent);
	}
	up_info(p, &u->info);
	tell_peer(r, p, true, NULL, now);
}

static void
down_input(struct bmp_router *r, struct bpeer *p, const struct bmp_msg *m,
    uint64_t now)
{
	const struct bmp_peer_down	*d = &m->down;
	char				 nb[200];

	p->i.c.peer_downs++;
	peer_flush(r, p, now);
	p->i.up = false;
	p->i.down_us = now;
	p->i.down_reason = d->reason;
	if (d->has_notify)
		snprintf(p->i.down_text, sizeof(p->i.down_text), "%s: %s",
		    bmp_down_reason_name(d->reason),
		    bgp_notify_fmt(&d->notify, nb, sizeof(nb)));
	else if (d->reason == BMP_DOWN_LOCAL_FSM)
		snprintf(p->i.down_text, sizeof(p->i.down_text),
		    "%s %u", bmp_down_reason_name(d->reason), d->fsm_event);
	else
		snprintf(p->i.down_text, sizeof(p->i.down_text), "%s (%u)",
		    bmp_down_reason_name(d->reason), d->reason);
	tell_peer(r, p, false, p->i.down_text, now);
}

/* Keep the last value of each (type, AFI, SAFI). */
static void
stats_input(struct bpeer *p, const struct bmp_msg *m, uint64_t now)
{
	const struct bmp_stats	*st = &m->stats;
	struct bmp_stat_value	*v;
	uint16_t		 i, j;

	p->i.stats_us = now;
	for (i = 0; i < st->n; i++) {
		const struct bmp_stat *s = &st->s[i];

		if (!s->decoded)
			continue;
		for (j = 0; j < p->i.n_stats; j++) {
			v = &p->i.stats[j];
			if (v->type == s->type && v->afi == s->afi &&
			    v->safi == s->safi)
				break;
		}
		if (j == p->i.n_stats) {
			if (j == BMP_KEEP_STATS)
				continue;
			p->i.n_stats++;
		}
		v = &p->i.stats[j];
		v->type = s->type;
		v->afi = s->has_afi ? s->afi : 0;
		v->safi = s->has_afi ? s->safi : 0;
		v->value = s->value;
	}
}

static void
init_input(struct bmp_router *r, const struct bmp_msg *m)
{
	const struct bmp_tlvs	*t = &m->info;
	uint16_t		 i;

	r->i.initiated = true;
	for (i = 0; i < t->n; i++) {
		const struct bmp_tlv *x = &t->t[i];

		if (x->type == BMP_INFO_SYSNAME)
			str_copy(r->i.sysname, sizeof(r->i.sysname), x->val,
			    x->len);
		else if (x->type == BMP_INFO_SYSDESCR)
			str_copy(r->i.sysdescr, sizeof(r->i.sysdescr), x->val,
			    x->len);
		else if (x->type == BMP_INFO_STRING && r->i.info[0] == '\0')
			str_copy(r->i.info, sizeof(r->i.info), x->val, x->len);
	}
}

static void
term_input(struct bmp_router *r, const struct bmp_msg *m)
{
	const struct bmp_term	*t = &m->term;
	uint16_t		 i;

	r->i.terminated = true;
	r->i.term_reason = t->has_reason ? t->reason : BMP_TERM_UNSPEC;
	for (i = 0; i < t->tlvs.n; i++)
		if (t->tlvs.t[i].type == BMP_TERM_STRING)
			str_copy(r->i.term_text, sizeof(r->i.term_text),
			    t->tlvs.t[i].val, t->tlvs.t[i].len);
}

/* The messages with a per-peer header. */
static int
peer_input(struct bmp_router *r, const struct bmp_msg *m, uint64_t now)
{
	struct bpeer *p;

	if ((p = peer_get(r, &m->peer)) == NULL)
		return (-1);
	p->i.c.msgs[m->type]++;
	switch (m->type) {
	case BMP_ROUTE_MONITORING:
		rm_input(r, p, m, now);
		break;
	case BMP_PEER_UP:
		up_input(r, p, m, now);
		break;
	case BMP_PEER_DOWN:
		down_input(r, p, m, now);
		break;
	case BMP_STATS_REPORT:
		stats_input(p, m, now);
		break;
	case BMP_ROUTE_MIRRORING:
		break;		/* verbatim copies: counted only */
	}
	return (0);
}

int
bmp_router_input(struct bmp_router *r, const uint8_t *buf, size_t len,
    uint64_t now, struct bmp_err *e)
{
	struct bmp_msg	*m = r->m;

	r->i.c.messages++;
	r->i.c.bytes += len;
	r->i.last_msg_us = now;
	if (bmp_parse(buf, len, m, e) == -1) {
		r->i.c.malformed++;
		bmp_router_set_error(r, e->reason);
		return (-1);
	}
	if (m->version == BMP_VERSION_TLV) {
		r->i.c.v4_skipped++;
		return (0);
	}
	if (m->type >= BMP_NTYPES) {
		r->i.c.msgs_unknown++;
		return (0);
	}
	r->i.c.msgs[m->type]++;
	if (!r->i.initiated && m->type != BMP_INITIATION)
		r->i.c.no_initiation++;
	if (m->has_peer) {
		if (peer_input(r, m, now) == -1) {
			snprintf(e->reason, sizeof(e->reason),
			    "out of memory");
			return (-1);
		}
		return (0);
	}
	if (m->type == BMP_INITIATION) {
		init_input(r, m);
		tell_peer(r, NULL, true, NULL, now);
	}
	else if (m->type == BMP_TERMINATION) {
		term_input(r, m);
		return (1);
	}
	return (0);
}

int
bmp_router_info(const struct bmp_router *r, struct bmp_router_info *out)
{
	size_t i;

	*out = r->i;
	out->n_peers = 0;
	out->peers = NULL;
	if (r->n_peers == 0)
		return (0);
	if ((out->peers = calloc(r->n_peers, sizeof(*out->peers))) == NULL)
		return (-1);
	for (i = 0; i < r->n_peers; i++)
		out->peers[i] = r->peers[i]->i;
	out->n_peers = r->n_peers;
	return (0);
}

void
bmp_router_info_free(struct bmp_router_info *v, size_t n)
{
	size_t i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i].peers);
	free(v);
}
