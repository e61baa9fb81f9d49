/*
 * mrt_json.c -- "bgplens mrt --json": one JSON object per line, one line
 * per route or event, with the field names of docs/mrt-json.md.  Those
 * names are a stable interface: add fields, never rename or retype one.
 *
 * Unlike -m, nothing is left out for bgpdump's sake: multicast and
 * RIB_GENERIC entries, labelled and VPN routes, OPEN, NOTIFICATION and
 * KEEPALIVE messages, peer index tables and the RFC 7606 verdict of every
 * UPDATE are all there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mrt.h"
#include "wire.h"

struct mj {
	struct obuf	*o;
	char		 path[8192];
};

static const char *const state_names[] = {
	"unknown", "idle", "connect", "active", "opensent", "openconfirm",
	"established", "clearing", "deleted",
};

/* ---- small builders ------------------------------------------------- */

static json_t *
j_addr(const struct addr *a)
{
	char buf[ADDR_STRLEN];

	return (json_string(addr_fmt(a, buf, sizeof(buf))));
}

static json_t *
j_v4(uint32_t host)
{
	struct addr a;

	addr_set_v4(&a, host);
	return (j_addr(&a));
}

static json_t *
j_prefix(const struct prefix *p)
{
	char buf[PREFIX_STRLEN];

	return (json_string(prefix_fmt(p, buf, sizeof(buf))));
}

static json_t *
j_hex(const uint8_t *p, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	char			*s;
	json_t			*j;
	size_t			 i;

	if ((s = malloc(n * 2 + 1)) == NULL)
		return (json_null());
	for (i = 0; i < n; i++) {
		s[2 * i] = hex[p[i] >> 4];
		s[2 * i + 1] = hex[p[i] & 15];
	}
	s[2 * n] = '\0';
	j = json_string(s);
	free(s);
	return (j);
}

static const char *
afi_name(uint16_t afi)
{
	switch (afi) {
	case AFI_IPV4:
		return ("ipv4");
	case AFI_IPV6:
		return ("ipv6");
	}
	return ("unknown");
}

static const char *
safi_name(uint8_t safi)
{
	switch (safi) {
	case SAFI_UNICAST:
		return ("unicast");
	case SAFI_MULTICAST:
		return ("multicast");
	case SAFI_MPLS_LABEL:
		return ("labeled");
	case SAFI_MPLS_VPN:
		return ("vpn");
	}
	return ("unknown");
}

/* Route distinguisher (RFC 4364 4.2) as "admin:assigned". */
static json_t *
j_rd(uint64_t rd)
{
	char		buf[64];
	uint16_t	type = (uint16_t)(rd >> 48);
	uint32_t	ip;

	switch (type) {
	case 0:
		snprintf(buf, sizeof(buf), "%u:%u",
		    (unsigned)((rd >> 32) & 0xffff), (unsigned)rd);
		break;
	case 1:
		ip = (uint32_t)(rd >> 16);
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u:%u", ip >> 24,
		    (ip >> 16) & 255, (ip >> 8) & 255, ip & 255,
		    (unsigned)(rd & 0xffff));
		break;
	case 2:
		snprintf(buf, sizeof(buf), "%u:%u",
		    (unsigned)((rd >> 16) & 0xffffffff),
		    (unsigned)(rd & 0xffff));
		break;
	default:
		snprintf(buf, sizeof(buf), "%016llx",
		    (unsigned long long)rd);
		break;
	}
	return (json_string(buf));
}

static void
put_common(json_t *o, const char *type, const struct mrt_ctx *c)
{
	const char	*tn = mrt_type_name(c->type);
	const char	*sn = mrt_subtype_name(c->type, c->subtype);
	char		 buf[80];

	json_object_set_new(o, "type", json_string(type));
	if (sn != NULL)
		snprintf(buf, sizeof(buf), "%s/%s", tn, sn);
	else
		snprintf(buf, sizeof(buf), "%s/%u", tn != NULL ? tn : "?",
		    c->subtype);
	json_object_set_new(o, "mrt", json_string(buf));
	json_object_set_new(o, "file", json_string(c->file));
	json_object_set_new(o, "offset", json_integer((json_int_t)c->offset));
	json_object_set_new(o, "time", json_integer(c->ts));
	if (c->et)
		json_object_set_new(o, "usec", json_integer(c->usec));
}

static void
emit(struct mj *m, json_t *o)
{
	char	*s;
	size_t	 n;

	if ((s = json_dumps(o, JSON_COMPACT)) != NULL) {
		n = strlen(s);
		obuf_write(m->o, s, n);
		obuf_write(m->o, "\n", 1);
		free(s);
	}
	json_decref(o);
}

/* ---- attributes ----------------------------------------------------- */

static json_t *
j_communities(const uint8_t *p, size_t len)
{
	json_t		*a = json_array();
	struct rd	 r;
	char		 buf[24];
	uint32_t	 v;

	rd_init(&r, p, len);
	while (rd_u32(&r, &v) == 0) {
		snprintf(buf, sizeof(buf), "%u:%u", v >> 16, v & 0xffff);
		json_array_append_new(a, json_string(buf));
	}
	return (a);
}

static json_t *
j_large(const uint8_t *p, size_t len)
{
	json_t		*a = json_array();
	struct rd	 r;
	char		 buf[40];
	uint32_t	 g = 0, l1 = 0, l2 = 0;

	rd_init(&r, p, len);
	while (rd_left(&r) >= 12) {
		rd_u32(&r, &g);
		rd_u32(&r, &l1);
		rd_u32(&r, &l2);
		snprintf(buf, sizeof(buf), "%u:%u:%u", g, l1, l2);
		json_array_append_new(a, json_string(buf));
	}
	return (a);
}

static json_t *
j_chunks(const uint8_t *p, size_t len, size_t size)
{
	json_t		*a = json_array();
	struct rd	 r;
	const uint8_t	*c;

	rd_init(&r, p, len);
	while (rd_ptr(&r, size, &c) == 0)
		json_array_append_new(a, j_hex(c, size));
	return (a);
}

static json_t *
j_cluster(const uint8_t *p, size_t len)
{
	json_t		*a = json_array();
	struct rd	 r;
	uint32_t	 v;

	rd_init(&r, p, len);
	while (rd_u32(&r, &v) == 0)
		json_array_append_new(a, j_v4(v));
	return (a);
}

/*
 * The attributes of a route.  nh: the next hop that applies to it (the
 * caller knows which family the route came from).
 */
static json_t *
j_attrs(struct mj *m, const struct bgp_update *u, const struct addr *nh,
    const struct addr *nh_ll)
{
	const struct bgp_attrs	*a = &u->a;
	json_t			*o = json_object(), *ag;
	uint16_t		 i;
	static const char *const origins[] = { "IGP", "EGP", "INCOMPLETE" };

	if (attrs_has(a, ATTR_ORIGIN) && a->origin <= 2)
		json_object_set_new(o, "origin",
		    json_string(origins[a->origin]));
	if (attrs_has(a, ATTR_AS_PATH)) {
		aspath_fmt(a->aspath, a->aspath_len, m->path,
		    sizeof(m->path));
		json_object_set_new(o, "as_path", json_string(m->path));
	}
	if (nh != NULL && nh->afi != 0)
		json_object_set_new(o, "next_hop", j_addr(nh));
	if (nh_ll != NULL && nh_ll->afi != 0)
		json_object_set_new(o, "next_hop_ll", j_addr(nh_ll));
	if (attrs_has(a, ATTR_MED))
		json_object_set_new(o, "med", json_integer(a->med));
	if (attrs_has(a, ATTR_LOCAL_PREF))
		json_object_set_new(o, "local_pref",
		    json_integer(a->local_pref));
	if (attrs_has(a, ATTR_ATOMIC_AGGREGATE))
		json_object_set_new(o, "atomic_aggregate", json_true());
	if (attrs_has(a, ATTR_AGGREGATOR)) {
		ag = json_object();
		json_object_set_new(ag, "as", json_integer(a->aggr_as));
		json_object_set_new(ag, "ip", j_addr(&a->aggr_addr));
		json_object_set_new(o, "aggregator", ag);
	}
	if (attrs_has(a, ATTR_COMMUNITIES))
		json_object_set_new(o, "communities",
		    j_communities(a->communities, a->communities_len));
	if (attrs_has(a, ATTR_LARGE_COMMUNITIES))
		json_object_set_new(o, "large_communities",
		    j_large(a->large_communities, a->large_communities_len));
	if (attrs_has(a, ATTR_EXT_COMMUNITIES))
		json_object_set_new(o, "ext_communities",
		    j_chunks(a->ext_communities, a->ext_communities_len, 8));
	if (attrs_has(a, ATTR_IPV6_EXT_COMMUNITIES))
		json_object_set_new(o, "ipv6_ext_communities",
		    j_chunks(a->ipv6_ext_communities,
		    a->ipv6_ext_communities_len, 20));
	if (attrs_has(a, ATTR_ORIGINATOR_ID))
		json_object_set_new(o, "originator_id",
		    j_v4(a->originator_id));
	if (attrs_has(a, ATTR_CLUSTER_LIST))
		json_object_set_new(o, "cluster_list",
		    j_cluster(a->cluster_list, a->cluster_list_len));
	if (attrs_has(a, ATTR_OTC))
		json_object_set_new(o, "otc", json_integer(a->otc));
	for (i = 0; i < a->n_raw; i++) {
		const struct bgp_attr_raw *r = &a->raw[i];
		json_t *un, *arr;

		if (r->type < 64 && attrs_has(a, r->type))
			continue;
		if ((arr = json_object_get(o, "unknown")) == NULL) {
			arr = json_array();
			json_object_set_new(o, "unknown", arr);
		}
		un = json_object();
		json_object_set_new(un, "type", json_integer(r->type));
		json_object_set_new(un, "flags", json_integer(r->flags));
		json_object_set_new(un, "len", json_integer(r->len));
		json_array_append_new(arr, un);
	}
	return (o);
}

static void
put_verdict(json_t *o, const struct bgp_update *u, enum bgp_verdict v)
{
	if (v == BGP_OK)
		return;
	json_object_set_new(o, "verdict", json_string(bgp_verdict_name(v)));
	json_object_set_new(o, "error", json_string(u->err.reason));
}

/* ---- callbacks ------------------------------------------------------ */

static void
mj_peer_index(void *arg, const struct mrt_ctx *c,
    const struct mrt_peer_index *pi)
{
	struct mj	*m = arg;
	json_t		*o = json_object(), *peers = json_array(), *p;
	uint16_t	 i;

	put_common(o, "peer_index", c);
	json_object_set_new(o, "collector_id", j_v4(pi->collector_id));
	json_object_set_new(o, "view", json_string(pi->view));
	for (i = 0; i < pi->n_peers; i++) {
		p = json_object();
		json_object_set_new(p, "index", json_integer(i));
		json_object_set_new(p, "ip", j_addr(&pi->peers[i].ip));
		json_object_set_new(p, "as", json_integer(pi->peers[i].asn));
		json_object_set_new(p, "bgp_id", j_v4(pi->peers[i].bgp_id));
		json_array_append_new(peers, p);
	}
	json_object_set_new(o, "peers", peers);
	emit(m, o);
}

static void
put_nlri(json_t *o, const struct nlri *n, uint16_t afi, uint8_t safi,
    bool addpath)
{
	json_object_set_new(o, "prefix", j_prefix(&n->pfx));
	json_object_set_new(o, "afi", json_string(afi_name(afi)));
	json_object_set_new(o, "safi", json_string(safi_name(safi)));
	if (addpath)
		json_object_set_new(o, "path_id", json_integer(n->path_id));
	if (safi == SAFI_MPLS_VPN)
		json_object_set_new(o, "rd", j_rd(n->rd));
	if ((safi == SAFI_MPLS_VPN || safi == SAFI_MPLS_LABEL) &&
	    n->n_labels > 0)
		json_object_set_new(o, "label", json_integer(n->label));
}

static void
mj_rib(void *arg, const struct mrt_ctx *c, const struct mrt_rib *e)
{
	struct mj		*m = arg;
	const struct mp_reach	*mr;
	const struct addr	*nh = NULL, *ll = NULL;
	json_t			*o = json_object();

	put_common(o, "rib", c);
	if (c->type == MRT_TABLE_DUMP_V2)
		json_object_set_new(o, "peer_index",
		    json_integer(e->peer_index));
	if (e->peer != NULL) {
		json_object_set_new(o, "peer_ip", j_addr(&e->peer->ip));
		json_object_set_new(o, "peer_as", json_integer(e->peer->asn));
	}
	put_nlri(o, &e->nlri, e->afi, e->safi, e->addpath);
	json_object_set_new(o, "seq", json_integer(e->seq));
	json_object_set_new(o, "originated", json_integer(e->originated));
	if (c->type == MRT_TABLE_DUMP) {
		json_object_set_new(o, "view", json_integer(e->view));
		json_object_set_new(o, "status", json_integer(e->status));
	}
	if (e->u != NULL) {
		mr = &e->u->a.mp_reach;
		if (attrs_has(&e->u->a, ATTR_MP_REACH_NLRI) &&
		    mr->nexthop.afi != 0) {
			nh = &mr->nexthop;
			ll = &mr->nexthop_ll;
		} else if (attrs_has(&e->u->a, ATTR_NEXT_HOP))
			nh = &e->u->a.nexthop;
		json_object_set_new(o, "attrs", j_attrs(m, e->u, nh, ll));
		put_verdict(o, e->u, e->verdict);
	}
	emit(m, o);
}

static json_t *
msg_head(const char *type, const struct mrt_ctx *c, const struct mrt_msg *g)
{
	json_t *o = json_object();

	put_common(o, type, c);
	json_object_set_new(o, "peer_ip", j_addr(&g->peer_ip));
	json_object_set_new(o, "peer_as", json_integer(g->peer_as));
	json_object_set_new(o, "local_ip", j_addr(&g->local_ip));
	json_object_set_new(o, "local_as", json_integer(g->local_as));
	if (g->local)
		json_object_set_new(o, "sent", json_true());
	return (o);
}

static void
routes(struct mj *m, const struct mrt_ctx *c, const struct mrt_msg *g,
    const uint8_t *p, size_t len, uint16_t afi, uint8_t safi, json_t *attrs)
{
	struct nlri_iter	 it;
	struct nlri		 n;
	json_t			*o;

	nlri_iter_init(&it, p, len, afi, safi, g->nlri_addpath);
	while (nlri_next(&it, &n) == 1) {
		o = msg_head(attrs != NULL ? "announce" : "withdraw", c, g);
		put_nlri(o, &n, afi, safi, g->nlri_addpath);
		if (attrs != NULL)
			json_object_set(o, "attrs", attrs);
		put_verdict(o, g->u, g->verdict);
		emit(m, o);
	}
}

static void
mj_update(struct mj *m, const struct mrt_ctx *c, const struct mrt_msg *g)
{
	const struct bgp_update	*u = g->u;
	const struct bgp_attrs	*a = &u->a;
	json_t			*at;

	routes(m, c, g, u->withdrawn, u->withdrawn_len, AFI_IPV4,
	    SAFI_UNICAST, NULL);
	if (attrs_has(a, ATTR_MP_UNREACH_NLRI))
		routes(m, c, g, a->mp_unreach.nlri, a->mp_unreach.nlri_len,
		    a->mp_unreach.afi, a->mp_unreach.safi, NULL);
	if (u->nlri_len > 0) {
		at = j_attrs(m, u, attrs_has(a, ATTR_NEXT_HOP) ? &a->nexthop :
		    NULL, NULL);
		routes(m, c, g, u->nlri, u->nlri_len, AFI_IPV4, SAFI_UNICAST,
		    at);
		json_decref(at);
	}
	if (attrs_has(a, ATTR_MP_REACH_NLRI) && a->mp_reach.nlri_len > 0) {
		at = j_attrs(m, u, &a->mp_reach.nexthop,
		    &a->mp_reach.nexthop_ll);
		routes(m, c, g, a->mp_reach.nlri, a->mp_reach.nlri_len,
		    a->mp_reach.afi, a->mp_reach.safi, at);
		json_decref(at);
	}
	if (u->eor) {
		json_t *o = msg_head("end_of_rib", c, g);

		json_object_set_new(o, "afi", json_string(afi_name(u->eor_afi)));
		json_object_set_new(o, "safi",
		    json_string(safi_name(u->eor_safi)));
		emit(m, o);
	}
}

static void
mj_open(json_t *o, const struct mrt_msg *g)
{
	struct bgp_open	 op;
	struct bgp_err	 e;
	struct rd	 r;
	json_t		*caps;
	uint8_t		 i;

	rd_init(&r, g->body, g->body_len);
	bgp_err_clear(&e);
	if (bgp_open_decode(&r, &op, &e) == -1) {
		json_object_set_new(o, "error", json_string(e.reason));
		return;
	}
	json_object_set_new(o, "version", json_integer(op.version));
	json_object_set_new(o, "as", json_integer(bgp_open_asn(&op)));
	json_object_set_new(o, "hold_time", json_integer(op.holdtime));
	json_object_set_new(o, "bgp_id", j_v4(op.bgp_id));
	caps = json_array();
	for (i = 0; i < op.n_caps; i++)
		json_array_append_new(caps, json_integer(op.caps[i].code));
	json_object_set_new(o, "capabilities", caps);
}

static void
mj_notify(json_t *o, const struct mrt_msg *g)
{
	struct bgp_notify	n;
	struct rd		r;
	char			buf[512];

	rd_init(&r, g->body, g->body_len);
	if (bgp_notify_decode(&r, &n) == -1)
		return;
	json_object_set_new(o, "code", json_integer(n.code));
	json_object_set_new(o, "subcode", json_integer(n.subcode));
	json_object_set_new(o, "reason",
	    json_string(bgp_notify_fmt(&n, buf, sizeof(buf))));
}

static void
mj_message(void *arg, const struct mrt_ctx *c, const struct mrt_msg *g)
{
	struct mj	*m = arg;
	json_t		*o;

	if (g->bgp_type == BGP_UPDATE && g->u != NULL &&
	    (g->verdict != BGP_SESSION_RESET || g->salvaged)) {
		mj_update(m, c, g);
		return;
	}
	switch (g->bgp_type) {
	case BGP_OPEN:
		o = msg_head("open", c, g);
		mj_open(o, g);
		break;
	case BGP_NOTIFICATION:
		o = msg_head("notification", c, g);
		mj_notify(o, g);
		break;
	case BGP_KEEPALIVE:
		o = msg_head("keepalive", c, g);
		break;
	case BGP_ROUTE_REFRESH:
		o = msg_head("route_refresh", c, g);
		break;
	default:
		o = msg_head("message", c, g);
		json_object_set_new(o, "bgp_type", json_integer(g->bgp_type));
		if (g->u != NULL)
			put_verdict(o, g->u, g->verdict);
		break;
	}
	emit(m, o);
}

static void
mj_state(void *arg, const struct mrt_ctx *c, const struct mrt_state *s)
{
	struct mj	*m = arg;
	json_t		*o = json_object();

	put_common(o, "state", c);
	json_object_set_new(o, "peer_ip", j_addr(&s->peer_ip));
	json_object_set_new(o, "peer_as", json_integer(s->peer_as));
	if (!s->legacy) {
		json_object_set_new(o, "local_ip", j_addr(&s->local_ip));
		json_object_set_new(o, "local_as", json_integer(s->local_as));
	}
	json_object_set_new(o, "old_state", json_integer(s->old_state));
	json_object_set_new(o, "new_state", json_integer(s->new_state));
	if (s->old_state < 9)
		json_object_set_new(o, "old_state_name",
		    json_string(state_names[s->old_state]));
	if (s->new_state < 9)
		json_object_set_new(o, "new_state_name",
		    json_string(state_names[s->new_state]));
	emit(m, o);
}

static void
mj_unsupported(void *arg, const struct mrt_ctx *c)
{
	struct mj	*m = arg;
	json_t		*o = json_object();

	put_common(o, "unsupported", c);
	emit(m, o);
}

static void *
mj_create(struct obuf *o, enum mrt_mode mode)
{
	struct mj *m;

	if ((m = calloc(1, sizeof(*m))) == NULL)
		return (NULL);
	m->o = o;
	return (m);
}

static void
mj_handlers(void *arg, struct mrt_handlers *h)
{
	h->on_peer_index = mj_peer_index;
	h->on_rib_entry = mj_rib;
	h->on_message = mj_message;
	h->on_state = mj_state;
	h->on_unsupported = mj_unsupported;
	h->arg = arg;
}

const struct mrt_printer mrt_printer_json = {
	.create = mj_create,
	.handlers = mj_handlers,
	.destroy = free,
};
