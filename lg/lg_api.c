/*
 * lg_api.c -- the looking glass's endpoints: handlers, and the table that
 * lists them with their parameters and answers (docs/api.md explains
 * each; lg_openapi.c turns the table into openapi.json).
 *
 * Handlers build the whole answer under the RIB's read lock and release
 * it before anything is sent, so a slow client never holds up ingest.
 * Enrichment (AS names, countries) is looked up while building: both are
 * in-memory lookups (lg_geo.c), no I/O.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "evloop.h"
#include "bmp.h"
#include "lg_int.h"
#include "stream.h"

/*
 * A set of AS numbers met while building an answer, named at the end
 * ("as_names").  Bounded: past ASNSET_MAX the rest go unnamed.
 */
#define ASNSET_MAX	65536

struct asnset {
	uint32_t	*v;		/* 0 = free; AS 0 is never named */
	size_t		 cap, n;
};

struct asnset *
asnset_new(void)
{
	return (calloc(1, sizeof(struct asnset)));
}

void
asnset_free(struct asnset *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s);
}

static bool
asnset_grow(struct asnset *s)
{
	struct asnset	ns = { NULL, s->cap ? s->cap * 2 : 64, 0 };
	size_t		i;

	if ((ns.v = calloc(ns.cap, sizeof(*ns.v))) == NULL)
		return (false);
	for (i = 0; i < s->cap; i++)
		if (s->v[i] != 0)
			asnset_add(&ns, s->v[i]);
	free(s->v);
	*s = ns;
	return (true);
}

void
asnset_add(struct asnset *s, uint32_t asn)
{
	size_t i, mask;

	if (s == NULL || asn == 0)
		return;
	if (s->n * 2 >= s->cap && (s->n >= ASNSET_MAX || !asnset_grow(s)))
		return;
	mask = s->cap - 1;
	for (i = (asn * 2654435761u) & mask; s->v[i] != 0; i = (i + 1) & mask)
		if (s->v[i] == asn)
			return;
	s->v[i] = asn;
	s->n++;
}

static int
u32_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x < y ? -1 : x > y);
}

void
lg_as_names(struct lg *lg, json_t *o, struct asnset *s)
{
	json_t		*names;
	const char	*nm;
	char		 key[16];
	size_t		 i, n = 0;

	if (o == NULL || s == NULL || !lg_geo_has_names(lg->geo))
		return;
	if (s->n == 0) {
		json_object_set_new(o, "as_names", json_object());
		return;
	}
	/* Sorted, so the same answer always prints the same. */
	for (i = 0; i < s->cap; i++)
		if (s->v[i] != 0)
			s->v[n++] = s->v[i];
	qsort(s->v, n, sizeof(*s->v), u32_cmp);
	names = json_object();
	for (i = 0; i < n; i++) {
		if ((nm = lg_geo_as_name(lg->geo, s->v[i])) == NULL)
			continue;
		snprintf(key, sizeof(key), "%u", s->v[i]);
		json_object_set_new(names, key, json_string(nm));
	}
	memset(s->v, 0, s->cap * sizeof(*s->v));
	s->n = 0;
	json_object_set_new(o, "as_names", names);
}

/*
 * JSON of routes.  A jctx carries what one answer looks up repeatedly:
 * routes of a prefix come together and a page often has one source, so
 * the last country of each is kept.
 */
struct jctx {
	struct lg	*lg;
	struct asnset	*asns;		/* NULL: no AS names loaded */
	bool		 geo;		/* a country database is loaded */
	struct prefix	 last_pfx;
	char		 pfx_cc[3];
	int		 last_src;
	char		 src_cc[3];
};

static void
jctx_init(struct jctx *j, struct lg *lg)
{
	memset(j, 0, sizeof(*j));
	j->lg = lg;
	j->geo = lg_geo_has_country(lg->geo);
	j->last_src = -1;
	if (lg_geo_has_names(lg->geo))
		j->asns = asnset_new();
}

static void
jctx_finish(struct jctx *j, json_t *o)
{
	lg_as_names(j->lg, o, j->asns);
	asnset_free(j->asns);
	j->asns = NULL;
}

static const char *
origin_name(uint8_t o)
{
	return (o == ORIGIN_IGP ? "IGP" : o == ORIGIN_EGP ? "EGP" :
	    "INCOMPLETE");
}

static json_t *
json_communities(const uint8_t *p, size_t len, unsigned unit)
{
	json_t	*a = json_array();
	char	 buf[48];
	size_t	 off, k;

	for (off = 0; p != NULL && off + unit <= len; off += unit) {
		if (unit == 4)
			snprintf(buf, sizeof(buf), "%u:%u", be16(p + off),
			    be16(p + off + 2));
		else if (unit == 12)
			snprintf(buf, sizeof(buf), "%u:%u:%u", be32(p + off),
			    be32(p + off + 4), be32(p + off + 8));
		else
			for (k = 0; k < unit && k * 2 + 1 < sizeof(buf); k++)
				snprintf(buf + k * 2, 3, "%02x", p[off + k]);
		json_array_append_new(a, json_string(buf));
	}
	return (a);
}

static json_t *
json_aspath(const struct rib_attrs *a, struct asnset *asns)
{
	json_t			*arr = json_array();
	struct aspath_iter	 it;
	uint32_t		 asn;
	uint8_t			 st;

	aspath_iter_init(&it, a->aspath, a->aspath_len);
	while (aspath_next(&it, &asn, &st) == 1) {
		json_array_append_new(arr, json_integer(asn));
		asnset_add(asns, asn);
	}
	return (arr);
}

static void
set_country(json_t *o, const char *key, const char cc[3])
{
	if (cc[0] != '\0')
		json_object_set_new(o, key, json_string(cc));
}

static json_t *
json_source(struct jctx *j, uint16_t src)
{
	const struct rib_source	*s = rib_source_get(j->lg->ctx.rib, src);
	char			 ab[ADDR_STRLEN];
	json_t			*o;

	if (s == NULL)
		return (json_null());
	o = json_pack("{s:i, s:s, s:I, s:s}", "id", src,
	    "peer", addr_fmt(&s->peer, ab, sizeof(ab)),
	    "peer_as", (json_int_t)s->peer_as,
	    "table", rib_table_name(s->table));
	if (o == NULL)
		return (json_null());
	asnset_add(j->asns, s->peer_as);
	if (s->router.afi != 0)
		json_object_set_new(o, "router", json_string(addr_fmt(
		    &s->router, ab, sizeof(ab))));
	if (s->name[0] != '\0')
		json_object_set_new(o, "description", json_string(s->name));
	if (j->geo) {
		if (j->last_src != src) {
			j->last_src = src;
			if (!lg_geo_country(j->lg->geo, &s->peer, j->src_cc))
				j->src_cc[0] = '\0';
		}
		set_country(o, "country", j->src_cc);
	}
	return (o);
}

/* The country of a prefix: that of its first address. */
static void
prefix_country(struct jctx *j, const struct prefix *p, json_t *o)
{
	struct addr a;

	if (!j->geo)
		return;
	if (j->last_pfx.afi == 0 || prefix_cmp(p, &j->last_pfx) != 0) {
		j->last_pfx = *p;
		addr_set_bytes(&a, p->afi, p->b);
		if (!lg_geo_country(j->lg->geo, &a, j->pfx_cc))
			j->pfx_cc[0] = '\0';
	}
	set_country(o, "country", j->pfx_cc);
}

static json_t *
json_route(struct jctx *j, const struct prefix *p, const struct route *rt)
{
	struct rib		*rib = j->lg->ctx.rib;
	struct rib_attrs	 a;
	char			 pb[PREFIX_STRLEN], ab[ADDR_STRLEN];
	char			 path[4096];
	json_t			*o;

	if (rib_attr_get(rib, rt->attr, &a) == -1)
		return (NULL);
	aspath_fmt(a.aspath, a.aspath_len, path, sizeof(path));
	o = json_pack("{s:s, s:o, s:I, s:b, s:I, s:s, s:s, s:o, s:I}",
	    "prefix", prefix_fmt(p, pb, sizeof(pb)),
	    "source", json_source(j, rt->src),
	    "path_id", (json_int_t)rt->path_id,
	    "best", (rt->flags & ROUTE_F_BEST) != 0,
	    "since", (json_int_t)rt->since,
	    "origin", origin_name(a.origin),
	    "as_path", path,
	    "as_path_list", json_aspath(&a, j->asns),
	    "origin_as", (json_int_t)a.origin_as);
	if (o == NULL)
		return (NULL);
	if (rt->flags & ROUTE_F_STALE)
		json_object_set_new(o, "stale", json_true());
	if (a.nexthop.afi != 0)
		json_object_set_new(o, "next_hop", json_string(addr_fmt(
		    &a.nexthop, ab, sizeof(ab))));
	if (a.nexthop_ll.afi != 0)
		json_object_set_new(o, "next_hop_link_local", json_string(
		    addr_fmt(&a.nexthop_ll, ab, sizeof(ab))));
	if (a.flags & RA_F_MED)
		json_object_set_new(o, "med", json_integer(a.med));
	if (a.flags & RA_F_LOCAL_PREF)
		json_object_set_new(o, "local_pref",
		    json_integer(a.local_pref));
	if (a.flags & RA_F_ATOMIC)
		json_object_set_new(o, "atomic_aggregate", json_true());
	json_object_set_new(o, "communities",
	    json_communities(a.communities, a.communities_len, 4));
	json_object_set_new(o, "large_communities",
	    json_communities(a.large_communities, a.large_communities_len,
	    12));
	json_object_set_new(o, "ext_communities",
	    json_communities(a.ext_communities, a.ext_communities_len, 8));
	prefix_country(j, p, o);
	return (o);
}

/*
 * /api/v1/status
 */

static long
rss_bytes(void)
{
	FILE	*f = fopen("/proc/self/statm", "r");
	long	 pages = 0, rss = 0;

	if (f == NULL)
		return (0);
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return (rss * sysconf(_SC_PAGESIZE));
}

static json_t *
streams_status(struct lg *lg)
{
	struct stream_stats		 s;
	const struct stream_config	*c;

	memset(&s, 0, sizeof(s));
	if (lg->ctx.streams == NULL)
		return (json_pack("{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, "
		    "s:i}", "clients", 0, "max_clients", 0, "queue_bytes", 0,
		    "opened", 0, "refused", 0, "dropped", 0, "events", 0,
		    "frames", 0, "bytes", 0));
	stream_hub_stats(lg->ctx.streams, &s);
	c = stream_hub_config(lg->ctx.streams);
	return (json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "clients", (json_int_t)s.clients,
	    "max_clients", (json_int_t)c->max_clients,
	    "queue_bytes", (json_int_t)c->queue_bytes,
	    "opened", (json_int_t)s.opened,
	    "refused", (json_int_t)s.refused,
	    "dropped", (json_int_t)s.dropped,
	    "events", (json_int_t)s.events,
	    "frames", (json_int_t)s.frames,
	    "bytes", (json_int_t)s.bytes));
}

static int
h_status(struct lg *lg, struct req *r)
{
	struct rib_stats	 st;
	struct peer_info	*pi;
	size_t			 n, i, est = 0;

	rib_rdlock(lg->ctx.rib);
	rib_stats(lg->ctx.rib, &st);
	rib_unlock(lg->ctx.rib);
	n = bgpd_peers_snapshot(lg->ctx.bgpd, &pi);
	for (i = 0; i < n; i++)
		if (pi[i].state == PS_ESTABLISHED)
			est++;
	free(pi);
	r->body = json_pack("{s:s, s:I, s:I, s:{s:I, s:I, s:I}, s:I, s:I, "
	    "s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I}, s:o, "
	    "s:o}",
	    "version", LG_VERSION,
	    "started", (json_int_t)(lg->ctx.started_us / 1000000),
	    "uptime", (json_int_t)((ev_wall_us() - lg->ctx.started_us) /
	    1000000),
	    "routes", "total", (json_int_t)st.routes,
	    "prefixes_ipv4", (json_int_t)st.prefixes[0],
	    "prefixes_ipv6", (json_int_t)st.prefixes[1],
	    "sources", (json_int_t)st.sources,
	    "attribute_sets", (json_int_t)st.attr_sets,
	    "peers", "configured", (json_int_t)n,
	    "established", (json_int_t)est,
	    "memory", "rib_bytes", (json_int_t)st.bytes_total,
	    "rib_bytes_per_route", (json_int_t)(st.routes ?
	    st.bytes_total / st.routes : 0),
	    "history_bytes", (json_int_t)st.bytes_history,
	    "rss_bytes", (json_int_t)rss_bytes(),
	    "history", "events", (json_int_t)st.events,
	    "dropped_age", (json_int_t)st.events_dropped_age,
	    "dropped_memory", (json_int_t)st.events_dropped_mem,
	    "enrichment", lg_geo_status(lg->geo),
	    "archive", lg_archive_status(lg));
	if (r->body != NULL)
		json_object_set_new(r->body, "streams", streams_status(lg));
	return (r->body ? 0 : -1);
}

/*
 * /api/v1/peers
 */

static json_t *
json_peer(struct jctx *j, const struct peer_info *p)
{
	static const char *const tn[] = { "other", "open", "update",
	    "notification", "keepalive", "route_refresh" };
	struct rib	*rib = j->lg->ctx.rib;
	char		 ab[ADDR_STRLEN], cc[3];
	json_t		*o, *m;
	struct addr	 id;
	int		 t;

	addr_set_v4(&id, p->bgp_id);
	o = json_pack("{s:s, s:I, s:s, s:s, s:b, s:I, s:I, s:I}",
	    "address", addr_fmt(&p->addr, ab, sizeof(ab)),
	    "remote_as", (json_int_t)p->remote_as,
	    "description", p->description,
	    "state", peer_state_name(p->state),
	    "dynamic", p->dynamic,
	    "hold_time", (json_int_t)p->hold_time,
	    "state_since", (json_int_t)(p->state_since_us / 1000000),
	    "uptime", (json_int_t)(p->state == PS_ESTABLISHED ?
	    (ev_wall_us() - p->state_since_us) / 1000000 : 0));
	if (o == NULL)
		return (NULL);
	asnset_add(j->asns, p->remote_as);
	if (j->geo && lg_geo_country(j->lg->geo, &p->addr, cc))
		set_country(o, "country", cc);
	if (p->bgp_id != 0)
		json_object_set_new(o, "bgp_id", json_string(addr_fmt(&id, ab,
		    sizeof(ab))));
	if (p->src != RIB_NO_SOURCE) {
		rib_rdlock(rib);
		json_object_set_new(o, "source", json_integer(p->src));
		json_object_set_new(o, "prefixes", json_pack("{s:I, s:I}",
		    "ipv4", (json_int_t)rib_source_routes(rib, p->src,
		    AFI_IPV4), "ipv6", (json_int_t)rib_source_routes(rib,
		    p->src, AFI_IPV6)));
		rib_unlock(rib);
	}
	m = json_object();
	for (t = 0; t < 6; t++)
		json_object_set_new(m, tn[t], json_pack("{s:I, s:I}",
		    "in", (json_int_t)p->c.msgs_in[t],
		    "out", (json_int_t)p->c.msgs_out[t]));
	json_object_set_new(o, "messages", m);
	json_object_set_new(o, "counters", json_pack("{s:I, s:I, s:I, s:I, "
	    "s:I, s:I, s:I}", "bytes_in", (json_int_t)p->c.bytes_in,
	    "prefixes_announced", (json_int_t)p->c.announced,
	    "prefixes_withdrawn", (json_int_t)p->c.withdrawn,
	    "treat_as_withdraw", (json_int_t)p->c.treat_as_withdraw,
	    "attribute_discard", (json_int_t)p->c.attr_discard,
	    "flaps", (json_int_t)p->c.flaps,
	    "max_prefix_hits", (json_int_t)p->c.max_prefix_hits));
	json_object_set_new(o, "capabilities", json_string(p->caps));
	json_object_set_new(o, "last_error", json_string(p->last_error));
	json_object_set_new(o, "last_notification_received",
	    json_string(p->last_notify_in));
	json_object_set_new(o, "last_notification_sent",
	    json_string(p->last_notify_out));
	return (o);
}

/* A BMP-monitored peer: its state and each table it feeds the RIB. */
static json_t *
json_bmp_peer(struct jctx *j, const struct bmp_peer_info *p)
{
	struct rib	*rib = j->lg->ctx.rib;
	char		 ab[ADDR_STRLEN], idb[ADDR_STRLEN];
	json_t		*tables = json_array();
	struct addr	 id;
	int		 t;

	addr_set_v4(&id, p->bgp_id);
	addr_fmt(&id, idb, sizeof(idb));
	rib_rdlock(rib);
	for (t = 0; t <= RIB_TBL_LOC_RIB; t++) {
		if (p->src[t] == RIB_NO_SOURCE)
			continue;
		json_array_append_new(tables, json_pack("{s:s, s:i, s:{s:I, "
		    "s:I}}", "table", rib_table_name((enum rib_table)t),
		    "source", (int)p->src[t], "prefixes",
		    "ipv4", (json_int_t)rib_source_routes(rib, p->src[t],
		    AFI_IPV4), "ipv6", (json_int_t)rib_source_routes(rib,
		    p->src[t], AFI_IPV6)));
	}
	rib_unlock(rib);
	asnset_add(j->asns, p->as);
	return (json_pack("{s:s, s:I, s:s, s:s, s:I, s:s, s:I, s:I, s:s, s:o, "
	    "s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I}, s:s, s:s}",
	    "address", addr_fmt(&p->addr, ab, sizeof(ab)),
	    "remote_as", (json_int_t)p->as,
	    "bgp_id", idb,
	    "peer_type", bmp_peer_type_name(p->type),
	    "distinguisher", (json_int_t)p->distinguisher,
	    "state", p->up ? "up" : "down",
	    "up_since", (json_int_t)(p->up_us / 1000000),
	    "down_since", (json_int_t)(p->down_us / 1000000),
	    "down_reason", p->down_text,
	    "tables", tables,
	    "counters", "updates", (json_int_t)p->c.updates,
	    "prefixes_announced", (json_int_t)p->c.announced,
	    "prefixes_withdrawn", (json_int_t)p->c.withdrawn,
	    "treat_as_withdraw", (json_int_t)p->c.treat_as_withdraw,
	    "update_errors", (json_int_t)p->c.update_errors,
	    "peer_ups", (json_int_t)p->c.peer_ups,
	    "peer_downs", (json_int_t)p->c.peer_downs,
	    "capabilities", p->caps,
	    "last_error", p->last_error));
}

static json_t *
json_bmp_router(struct jctx *j, const struct bmp_router_info *ri)
{
	char	 ab[ADDR_STRLEN];
	json_t	*peers = json_array();
	size_t	 i;

	for (i = 0; i < ri->n_peers; i++)
		json_array_append_new(peers, json_bmp_peer(j, &ri->peers[i]));
	return (json_pack("{s:s, s:i, s:b, s:s, s:s, s:I, s:I, s:{s:I, s:I, s:I, "
	    "s:I, s:I}, s:s, s:o}",
	    "address", addr_fmt(&ri->addr, ab, sizeof(ab)),
	    "port", (int)ri->port,
	    "connected", ri->connected,
	    "sysname", ri->sysname,
	    "sysdescr", ri->sysdescr,
	    "connected_since", (json_int_t)(ri->connected_us / 1000000),
	    "last_message", (json_int_t)(ri->last_msg_us / 1000000),
	    "counters", "messages", (json_int_t)ri->c.messages,
	    "bytes", (json_int_t)ri->c.bytes,
	    "updates", (json_int_t)ri->c.updates,
	    "malformed", (json_int_t)ri->c.malformed,
	    "update_errors", (json_int_t)ri->c.update_errors,
	    "last_error", ri->last_error,
	    "peers", peers));
}

static int
h_peers(struct lg *lg, struct req *r)
{
	struct peer_info	*pi;
	struct bmp_router_info	*ri = NULL;
	struct jctx		 j;
	size_t			 n, i;
	json_t			*arr = json_array(), *routers = json_array();

	jctx_init(&j, lg);
	n = bgpd_peers_snapshot(lg->ctx.bgpd, &pi);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_peer(&j, &pi[i]));
	free(pi);
	n = lg->ctx.bmp != NULL ? bmp_station_snapshot(lg->ctx.bmp, &ri) : 0;
	for (i = 0; i < n; i++)
		json_array_append_new(routers, json_bmp_router(&j, &ri[i]));
	if (ri != NULL)
		bmp_router_info_free(ri, n);
	r->body = json_pack("{s:o, s:o}", "peers", arr, "bmp_routers",
	    routers);
	jctx_finish(&j, r->body);
	return (0);
}

/*
 * /api/v1/routes
 */

struct rcollect {
	struct jctx	 j;
	json_t		*arr;
};

static int
collect_route(void *arg, const struct prefix *p, const struct route *rt)
{
	struct rcollect	*c = arg;
	json_t		*o = json_route(&c->j, p, rt);

	if (o != NULL)
		json_array_append_new(c->arr, o);
	return (0);
}

static enum rib_match
match_of(const char *v)
{
	return (strcmp(v, "exact") == 0 ? RIB_MATCH_EXACT :
	    strcmp(v, "longest") == 0 ? RIB_MATCH_LONGEST :
	    strcmp(v, "more") == 0 ? RIB_MATCH_MORE : RIB_MATCH_LESS);
}

/* The query's filters from the (already validated) parameters. */
static int
routes_query(struct req *r, struct rib_query *q, regex_t *re, bool *have_re)
{
	const char	*v;
	uint32_t	 comm[3];
	uint64_t	 u;
	char		 why[128];

	memset(q, 0, sizeof(*q));
	q->src = -1;
	if ((v = lg_param(r, "prefix")) != NULL) {
		prefix_parse(v, &q->pfx);
		q->match = strchr(v, '/') == NULL ? RIB_MATCH_LONGEST :
		    RIB_MATCH_EXACT;
	}
	if ((v = lg_param(r, "match")) != NULL)
		q->match = match_of(v);
	if ((v = lg_param(r, "origin")) != NULL)
		lg_parse_asn(v, &q->origin_as);
	if ((v = lg_param(r, "source")) != NULL && lg_parse_u64(v, 65535, &u))
		q->src = (int)u;
	if ((v = lg_param(r, "community")) != NULL) {
		lg_parse_comm(v, 2, comm);
		q->has_community = true;
		q->community = (comm[0] << 16) | comm[1];
	}
	if ((v = lg_param(r, "large-community")) != NULL) {
		lg_parse_comm(v, 3, q->large);
		q->has_large = true;
	}
	if ((v = lg_param(r, "best")) != NULL)
		q->best_only = strcmp(v, "only") == 0;
	if ((v = lg_param(r, "afi")) != NULL)
		q->afi = strcmp(v, "ipv4") == 0 ? AFI_IPV4 : AFI_IPV6;
	if (lg_limit(r, "limit", LG_DEF_LIMIT, LG_MAX_LIMIT, &q->limit) == -1)
		return (-1);
	if ((v = lg_param(r, "cursor")) != NULL)
		lg_cursor_parse(v, &q->after);
	q->scan_budget = LG_SCAN_BUDGET;
	if ((v = lg_param(r, "aspath")) != NULL) {
		if (lg_regex_compile(re, v, why, sizeof(why)) == -1)
			return (lg_bad(r, "aspath", "%s: %s", why, LG_RE_DOC));
		*have_re = true;
		q->aspath_re = re;
		q->text_budget = LG_RE_TEXT_BUDGET;
	}
	return (0);
}

static int
h_routes(struct lg *lg, struct req *r)
{
	struct rib_query	 q;
	struct rib_cursor	 next;
	struct rcollect		 c;
	regex_t			 re;
	char			 cb[128];
	bool			 have_re = false;
	size_t			 n;

	if (routes_query(r, &q, &re, &have_re) == -1)
		return (-1);
	jctx_init(&c.j, lg);
	c.arr = json_array();
	rib_rdlock(lg->ctx.rib);
	n = rib_query(lg->ctx.rib, &q, collect_route, &c, &next);
	rib_unlock(lg->ctx.rib);
	if (have_re)
		regfree(&re);
	r->body = json_pack("{s:o, s:I}", "routes", c.arr, "count",
	    (json_int_t)n);
	if (r->body != NULL && next.valid) {
		lg_cursor_fmt(&next, cb, sizeof(cb));
		json_object_set_new(r->body, "next_cursor", json_string(cb));
	}
	jctx_finish(&c.j, r->body);
	return (0);
}

/*
 * /api/v1/history
 */

struct hcollect {
	struct jctx	 j;
	json_t		*arr;
	size_t		 n, limit;
	bool		 more;
};

static json_t *
json_attr_brief(struct jctx *j, uint32_t id)
{
	struct rib_attrs	 a;
	struct aspath_iter	 it;
	uint32_t		 asn;
	uint8_t			 st;
	char			 path[4096], ab[ADDR_STRLEN];

	if (id == 0 || rib_attr_get(j->lg->ctx.rib, id, &a) == -1)
		return (json_null());
	aspath_fmt(a.aspath, a.aspath_len, path, sizeof(path));
	aspath_iter_init(&it, a.aspath, a.aspath_len);
	while (j->asns != NULL && aspath_next(&it, &asn, &st) == 1)
		asnset_add(j->asns, asn);
	return (json_pack("{s:s, s:I, s:s, s:s, s:o}", "as_path", path,
	    "origin_as", (json_int_t)a.origin_as, "origin",
	    origin_name(a.origin), "next_hop", a.nexthop.afi ?
	    addr_fmt(&a.nexthop, ab, sizeof(ab)) : "",
	    "communities", json_communities(a.communities, a.communities_len,
	    4)));
}

static int
collect_event(void *arg, const struct rib_event *e)
{
	struct hcollect	*c = arg;
	char		 pb[PREFIX_STRLEN];

	if (c->n >= c->limit) {
		c->more = true;
		return (1);
	}
	json_array_append_new(c->arr, json_pack("{s:f, s:s, s:s, s:o, s:I, "
	    "s:o, s:o}", "time", (double)e->time_us / 1e6,
	    "type", rib_ev_name(e->type),
	    "prefix", prefix_fmt(&e->pfx, pb, sizeof(pb)),
	    "source", json_source(&c->j, e->src),
	    "path_id", (json_int_t)e->path_id,
	    "before", json_attr_brief(&c->j, e->attr_old),
	    "after", json_attr_brief(&c->j, e->attr_new)));
	c->n++;
	return (0);
}

/* The table of exactly this prefix at that instant. */
static int
history_at(struct lg *lg, struct req *r, struct hcollect *c,
    const struct prefix *p, uint64_t at)
{
	struct route	*rv;
	size_t		 n, i;
	bool		 trunc = false;
	char		 pb[PREFIX_STRLEN];
	json_t		*o;

	if ((rv = calloc(RIB_MAX_SOURCES, sizeof(*rv))) == NULL)
		return (-1);
	rib_rdlock(lg->ctx.rib);
	n = rib_routes_at(lg->ctx.rib, p, at, rv, RIB_MAX_SOURCES, &trunc);
	for (i = 0; i < n && i < c->limit; i++)
		if ((o = json_route(&c->j, p, &rv[i])) != NULL)
			json_array_append_new(c->arr, o);
	rib_unlock(lg->ctx.rib);
	free(rv);
	r->body = json_pack("{s:s, s:f, s:o, s:b, s:b}", "prefix",
	    prefix_fmt(p, pb, sizeof(pb)), "at", (double)at / 1e6,
	    "routes", c->arr, "truncated", trunc, "limited", n > c->limit);
	return (0);
}

static int
h_history(struct lg *lg, struct req *r)
{
	struct prefix	 p;
	struct hcollect	 c;
	const char	*v;
	uint64_t	 from = 0, to = UINT64_MAX, at;
	bool		 trunc = false, more = false;
	char		 pb[PREFIX_STRLEN];

	prefix_parse(lg_param(r, "prefix"), &p);
	if ((v = lg_param(r, "from")) != NULL)
		lg_parse_time_us(v, &from);
	if ((v = lg_param(r, "to")) != NULL)
		lg_parse_time_us(v, &to);
	if (from > to)
		return (lg_bad(r, "from", "after \"to\""));
	if ((v = lg_param(r, "more")) != NULL)
		more = strcmp(v, "true") == 0;
	memset(&c, 0, sizeof(c));
	if (lg_limit(r, "limit", LG_DEF_LIMIT * 10, LG_MAX_LIMIT,
	    &c.limit) == -1)
		return (-1);
	jctx_init(&c.j, lg);
	c.arr = json_array();
	if ((v = lg_param(r, "at")) != NULL) {
		lg_parse_time_us(v, &at);
		if (history_at(lg, r, &c, &p, at) == -1) {
			json_decref(c.arr);
			asnset_free(c.j.asns);
			return (-1);
		}
	} else {
		rib_rdlock(lg->ctx.rib);
		rib_history(lg->ctx.rib, &p, more, from, to, collect_event, &c,
		    &trunc);
		rib_unlock(lg->ctx.rib);
		r->body = json_pack("{s:s, s:o, s:I, s:b, s:b}", "prefix",
		    prefix_fmt(&p, pb, sizeof(pb)), "events", c.arr, "count",
		    (json_int_t)c.n, "truncated", trunc, "limited", c.more);
	}
	jctx_finish(&c.j, r->body);
	return (0);
}

/*
 * /metrics: Prometheus text exposition, carried as a json string so every
 * handler answers the same way.
 */

struct mbuf {
	char	*p;
	size_t	 off, cap;
};

static void
mprintf(struct mbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
mprintf(struct mbuf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (b->off >= b->cap)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->off, b->cap - b->off, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->off += (size_t)n;
}

static void
metrics_rib(struct mbuf *b, const struct rib_stats *st)
{
	mprintf(b, "# HELP bgplens_routes Routes in the RIB.\n"
	    "# TYPE bgplens_routes gauge\nbgplens_routes %" PRIu64 "\n",
	    st->routes);
	mprintf(b, "# TYPE bgplens_prefixes gauge\n"
	    "bgplens_prefixes{afi=\"ipv4\"} %" PRIu64 "\n"
	    "bgplens_prefixes{afi=\"ipv6\"} %" PRIu64 "\n",
	    st->prefixes[0], st->prefixes[1]);
	mprintf(b, "# TYPE bgplens_rib_bytes gauge\nbgplens_rib_bytes %"
	    PRIu64 "\n", st->bytes_total);
	mprintf(b, "# TYPE bgplens_rss_bytes gauge\nbgplens_rss_bytes %ld\n",
	    rss_bytes());
	mprintf(b, "# TYPE bgplens_history_events gauge\n"
	    "bgplens_history_events %" PRIu64 "\n", st->events);
	mprintf(b, "# TYPE bgplens_history_dropped_total counter\n"
	    "bgplens_history_dropped_total{reason=\"age\"} %" PRIu64 "\n"
	    "bgplens_history_dropped_total{reason=\"memory\"} %" PRIu64 "\n",
	    st->events_dropped_age, st->events_dropped_mem);
}

static void
metrics_peers(struct lg *lg, struct mbuf *b, const struct peer_info *pi,
    size_t n)
{
	uint64_t	by_state[6] = { 0 };
	char		ab[ADDR_STRLEN];
	size_t		i;
	int		s;

	for (i = 0; i < n; i++)
		by_state[pi[i].state]++;
	mprintf(b, "# TYPE bgplens_sessions gauge\n");
	for (s = 0; s < 6; s++)
		mprintf(b, "bgplens_sessions{state=\"%s\"} %" PRIu64 "\n",
		    peer_state_name((enum peer_state)s), by_state[s]);
	mprintf(b, "# TYPE bgplens_peer_messages_received_total counter\n");
	for (i = 0; i < n; i++) {
		addr_fmt(&pi[i].addr, ab, sizeof(ab));
		mprintf(b, "bgplens_peer_messages_received_total{peer=\"%s\","
		    "type=\"update\"} %" PRIu64 "\n", ab, pi[i].c.msgs_in[2]);
	}
	mprintf(b, "# TYPE bgplens_peer_routes gauge\n");
	rib_rdlock(lg->ctx.rib);
	for (i = 0; i < n; i++) {
		if (pi[i].src == RIB_NO_SOURCE)
			continue;
		addr_fmt(&pi[i].addr, ab, sizeof(ab));
		mprintf(b, "bgplens_peer_routes{peer=\"%s\",afi=\"ipv4\"} %"
		    PRIu64 "\nbgplens_peer_routes{peer=\"%s\",afi=\"ipv6\"} %"
		    PRIu64 "\n", ab, rib_source_routes(lg->ctx.rib, pi[i].src,
		    AFI_IPV4), ab, rib_source_routes(lg->ctx.rib, pi[i].src,
		    AFI_IPV6));
	}
	rib_unlock(lg->ctx.rib);
}

/* One histogram of lock times, in seconds, from a quarter-octave one. */
static void
metrics_lock_hist(struct mbuf *b, const char *name, const uint64_t *h,
    uint64_t max_us)
{
	uint64_t	acc = 0, sum = 0;
	unsigned	i;

	mprintf(b, "# TYPE %s_seconds histogram\n", name);
	for (i = 0; i < RIB_LOCK_BUCKETS; i++) {
		acc += h[i];
		/* Below 3 us the buckets are whole octaves: from 3 us on. */
		if (i >= 8)
			mprintf(b, "%s_seconds_bucket{le=\"%.6f\"} %" PRIu64
			    "\n", name, (double)rib_lock_bucket_us(i) / 1e6,
			    acc);
		sum += h[i] * rib_lock_bucket_us(i);
	}
	mprintf(b, "%s_seconds_bucket{le=\"+Inf\"} %" PRIu64 "\n"
	    "%s_seconds_count %" PRIu64 "\n%s_seconds_sum %.6f\n", name, acc,
	    name, acc, name, (double)sum / 1e6);
	mprintf(b, "# TYPE %s_p99_seconds gauge\n%s_p99_seconds %.6f\n"
	    "# TYPE %s_max_seconds gauge\n%s_max_seconds %.6f\n", name, name,
	    (double)rib_lock_quantile_us(h, 0.99) / 1e6, name, name,
	    (double)max_us / 1e6);
}

/*
 * What readers wait for the RIB and how long the writer holds it, since
 * the start: the concurrency design's own figures (docs/architecture.md).
 */
static void
metrics_lock(struct lg *lg, struct mbuf *b)
{
	struct rib_lock_stats *ls;

	if ((ls = malloc(sizeof(*ls))) == NULL)
		return;
	rib_lock_stats(lg->ctx.rib, ls);
	metrics_lock_hist(b, "bgplens_rib_read_wait", ls->read_wait,
	    ls->read_wait_max_us);
	metrics_lock_hist(b, "bgplens_rib_write_hold", ls->write_hold,
	    ls->write_hold_max_us);
	mprintf(b, "# TYPE bgplens_rib_write_yields_total counter\n"
	    "bgplens_rib_write_yields_total %" PRIu64 "\n", ls->yields);
	free(ls);
}

static void
metrics_http(struct lg *lg, struct mbuf *b)
{
	int s;

	mprintf(b, "# TYPE bgplens_http_requests_total counter\n");
	for (s = 1; s < 6; s++)
		mprintf(b, "bgplens_http_requests_total{code=\"%dxx\"} %"
		    PRIu64 "\n", s, (uint64_t)atomic_load_explicit(
		    &lg->requests[s], memory_order_relaxed));
	mprintf(b, "# TYPE bgplens_http_rate_limited_total counter\n"
	    "bgplens_http_rate_limited_total %" PRIu64 "\n",
	    (uint64_t)atomic_load_explicit(&lg->limited,
	    memory_order_relaxed));
	mprintf(b, "# TYPE bgplens_lg_asn_scans_total counter\n"
	    "bgplens_lg_asn_scans_total %" PRIu64 "\n",
	    (uint64_t)atomic_load_explicit(&lg->scans, memory_order_relaxed));
}

static void
metrics_streams(struct lg *lg, struct mbuf *b)
{
	struct stream_stats s;

	if (lg->ctx.streams == NULL)
		return;
	stream_hub_stats(lg->ctx.streams, &s);
	mprintf(b, "# TYPE bgplens_stream_clients gauge\n"
	    "bgplens_stream_clients %" PRIu64 "\n", s.clients);
	mprintf(b, "# TYPE bgplens_stream_refused_total counter\n"
	    "bgplens_stream_refused_total %" PRIu64 "\n", s.refused);
	mprintf(b, "# TYPE bgplens_stream_dropped_total counter\n"
	    "bgplens_stream_dropped_total %" PRIu64 "\n", s.dropped);
	mprintf(b, "# TYPE bgplens_stream_messages_total counter\n"
	    "bgplens_stream_messages_total %" PRIu64 "\n", s.frames);
	mprintf(b, "# TYPE bgplens_stream_bytes_total counter\n"
	    "bgplens_stream_bytes_total %" PRIu64 "\n", s.bytes);
}

static int
h_metrics(struct lg *lg, struct req *r)
{
	struct rib_stats	 st;
	struct peer_info	*pi;
	struct mbuf		 b;
	size_t			 n;

	rib_rdlock(lg->ctx.rib);
	rib_stats(lg->ctx.rib, &st);
	rib_unlock(lg->ctx.rib);
	n = bgpd_peers_snapshot(lg->ctx.bgpd, &pi);
	b.off = 0;
	b.cap = 65536 + n * 1024;	/* every line of a peer fits */
	if ((b.p = malloc(b.cap)) == NULL) {
		free(pi);
		return (-1);
	}
	metrics_rib(&b, &st);
	metrics_peers(lg, &b, pi, n);
	metrics_http(lg, &b);
	if (b.off < b.cap)
		b.off += lg_archive_metrics(lg, b.p + b.off, b.cap - b.off);
	metrics_lock(lg, &b);
	metrics_streams(lg, &b);
	free(pi);
	r->body = json_stringn(b.p, b.off < b.cap ? b.off : b.cap);
	free(b.p);
	return (r->body ? 0 : -1);
}

static int
h_openapi(struct lg *lg, struct req *r)
{
	r->raw = lg->openapi;
	r->raw_len = lg->openapi_len;
	return (0);
}

/*
 * The endpoint table: parameters and answers, as openapi.json shows them.
 */

#define LIMIT_DESC(what, def) \
	"At most this many " what " (1 to 10000, default " #def "); when " \
	"more exist the answer has next_cursor."

static const struct pdesc p_none[] = { { NULL, 0, NULL, 0, 0, NULL, NULL,
    NULL, 0 } };

static const struct pdesc p_routes[] = {
	{ "prefix", P_PREFIX, NULL, 0, 0, NULL, "193.0.0.0/21",
	    "A prefix (a.b.c.d/len, x:y::/len) or an address.  A prefix "
	    "matches exactly, an address by longest match, unless match "
	    "says otherwise.  Without it every route is listed.", 0 },
	{ "match", P_ENUM, "exact|longest|more|less", 0, 0, "prefix", "more",
	    "How prefix matches: exact; longest (the most specific covering "
	    "prefix with a route the other filters take); more (the prefix "
	    "and its more-specifics); less (the prefix and its "
	    "less-specifics).", 0 },
	{ "origin", P_ASN, NULL, 0, 0, NULL, "3333",
	    "Only routes whose AS path ends in this AS (64500 or AS64500).",
	    0 },
	{ "community", P_COMMUNITY, NULL, 0, 0, NULL, "3333:100",
	    "Only routes carrying this community (ASN:VALUE).", 0 },
	{ "large-community", P_LARGE, NULL, 0, 0, NULL, "3333:1:2",
	    "Only routes carrying this large community (A:B:C).", 0 },
	{ "aspath", P_REGEX, NULL, 0, 0, NULL, "^3333 ",
	    "Only routes whose AS path, printed as in as_path, matches this "
	    "expression: " LG_RE_DOC ".  A page matches it against at most a "
	    "million characters of AS path text, so it may hold fewer than "
	    "limit routes, with a next_cursor to continue.", 0 },
	{ "source", P_UINT, NULL, 0, 65534, NULL, "0",
	    "Only routes from this source (the id in a route's source).", 0 },
	{ "best", P_ENUM, "only|all", 0, 0, NULL, "only",
	    "only: best paths only; all (default): every route.", 0 },
	{ "afi", P_ENUM, "ipv4|ipv6", 0, 0, NULL, "ipv4",
	    "Without prefix: only this address family.", 0 },
	{ "limit", P_UINT, NULL, 1, LG_MAX_LIMIT, NULL, "10",
	    LIMIT_DESC("routes", 100), 0 },
	{ "cursor", P_CURSOR, NULL, 0, 0, NULL, "193.0.0.0/21,0,0",
	    "Continue after this point: the next_cursor of the previous "
	    "page.", 0 },
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

static const struct pdesc p_history[] = {
	{ "prefix", P_PREFIX, NULL, 0, 0, NULL, "193.0.0.0/21",
	    "The prefix whose changes are listed (exact; an address is a "
	    "host prefix).", PD_REQUIRED },
	{ "from", P_TIME, NULL, 0, 0, NULL, "1400000000",
	    "Only changes at or after this time (unix seconds, fractions "
	    "allowed).", 0 },
	{ "to", P_TIME, NULL, 0, 0, NULL, "4000000000",
	    "Only changes at or before this time.", 0 },
	{ "at", P_TIME, NULL, 0, 0, NULL, "1700000000",
	    "Instead of changes: the prefix's routes as they stood at this "
	    "time.", 0 },
	{ "more", P_BOOL, NULL, 0, 0, NULL, "true",
	    "true: the changes of the more-specifics too.", 0 },
	{ "limit", P_UINT, NULL, 1, LG_MAX_LIMIT, NULL, "10",
	    "At most this many events or routes (1 to 10000, default 1000); "
	    "limited is true when some were left out.", 0 },
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

static const struct pdesc p_asn[] = {
	{ "asn", P_ASN, NULL, 0, 0, NULL, "3333",
	    "The AS: 64500 or AS64500.", PD_PATH | PD_REQUIRED },
	{ "limit", P_UINT, NULL, 1, LG_MAX_LIMIT, NULL, "10",
	    "At most this many originated prefixes (1 to 10000, default "
	    "100); the walk stops after the last one, and next_cursor "
	    "continues it.", 0 },
	{ "scan", P_UINT, NULL, 1, 10000000, NULL, "100000",
	    "At most this many routes examined (1 to 10000000, default "
	    "2000000); next_cursor continues the walk.", 0 },
	{ "afi", P_ENUM, "ipv4|ipv6", 0, 0, NULL, "ipv4",
	    "Only this address family.", 0 },
	{ "cursor", P_CURSOR, NULL, 0, 0, NULL, "193.0.0.0/21,0,0",
	    "Continue the walk: the next_cursor of the previous answer.", 0 },
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

/* Answers.  FIELD(name, type, flags, description). */
#define S(n, d)		{ n, F_STR, NULL, NULL, 0, 0, d }
#define SO(n, d)	{ n, F_STR, NULL, NULL, 0, FL_OPT, d }
#define I(n, d)		{ n, F_INT, NULL, NULL, 0, 0, d }
#define IO(n, d)	{ n, F_INT, NULL, NULL, 0, FL_OPT, d }
#define B(n, d)		{ n, F_BOOL, NULL, NULL, 0, 0, d }
#define BO(n, d)	{ n, F_BOOL, NULL, NULL, 0, FL_OPT, d }
#define END		{ NULL, 0, NULL, NULL, 0, 0, NULL }
#define AS_NAMES	{ "as_names", F_MAP, NULL, NULL, 0, FL_OPT, \
	"The organisation of every AS in the answer that the ASN database " \
	"names, keyed by AS number; only with geoip_asn." }

static const struct field f_dbinfo[] = {
	S("type", "The database_type of its metadata (GeoLite2-ASN, ...)."),
	I("built", "Its build time, unix seconds."),
	END
};

static const struct field f_status[] = {
	S("version", "Version of the API."),
	I("started", "When the daemon started, unix seconds."),
	I("uptime", "Seconds since then."),
	{ "routes", F_OBJ, (const struct field[]){
		I("total", "Routes in the RIB, all sources."),
		I("prefixes_ipv4", "IPv4 prefixes (with routes or history)."),
		I("prefixes_ipv6", "IPv6 prefixes (with routes or history)."),
		END }, NULL, 0, 0, "The RIB's size." },
	I("sources", "Sources (peers, BMP tables) that ever sent routes."),
	I("attribute_sets", "Distinct attribute sets stored."),
	{ "peers", F_OBJ, (const struct field[]){
		I("configured", "Peers known (configured or dynamic)."),
		I("established", "Of them, in state Established."),
		END }, NULL, 0, 0, "BGP sessions." },
	{ "memory", F_OBJ, (const struct field[]){
		I("rib_bytes", "Bytes the RIB holds, history included."),
		I("rib_bytes_per_route", "rib_bytes over the routes."),
		I("history_bytes", "Bytes of the history (its chunks)."),
		I("rss_bytes", "Resident memory of the process."),
		END }, NULL, 0, 0, "Memory." },
	{ "history", F_OBJ, (const struct field[]){
		I("events", "Events kept now."),
		I("dropped_age", "Events dropped for being too old."),
		I("dropped_memory", "Events dropped for room."),
		END }, NULL, 0, 0, "The change history." },
	{ "enrichment", F_OBJ, (const struct field[]){
		{ "asn_database", F_OBJ, f_dbinfo, "Database", 0, FL_NULL,
		    "The ASN database (geoip_asn), null when none loaded." },
		{ "country_database", F_OBJ, f_dbinfo, "Database", 0, FL_NULL,
		    "The country database (geoip_country), null when none "
		    "loaded." },
		I("as_names", "AS numbers the ASN database names."),
		END }, NULL, 0, 0, "The MaxMind databases in use." },
	{ "archive", F_OBJ, lg_f_archive_status, "ArchiveStatus", 0, 0,
	    "The MRT archive: update log and RIB snapshots." },
	{ "streams", F_OBJ, (const struct field[]){
		I("clients", "Stream clients connected now."),
		I("max_clients", "stream_max_clients."),
		I("queue_bytes", "Each client's queue (stream_queue_kib)."),
		I("opened", "Streams opened since the start."),
		I("refused", "Streams refused (stream_max_clients reached)."),
		I("dropped", "Clients dropped because their queue was full."),
		I("events", "Events some client took."),
		I("frames", "Messages queued to clients, all told."),
		I("bytes", "Their size."),
		END }, NULL, 0, 0, "The live streams (/api/v1/stream)." },
	END
};

static const struct field f_inout[] = {
	I("in", "Received."),
	I("out", "Sent."),
	END
};

static const struct field f_peer[] = {
	S("address", "The neighbour's address."),
	I("remote_as", "Its AS."),
	S("description", "Its description from the configuration."),
	S("state", "FSM state: Idle, Connect, Active, OpenSent, "
	    "OpenConfirm or Established."),
	B("dynamic", "Accepted through a dynamic_peers range."),
	I("hold_time", "Negotiated hold time, seconds."),
	I("state_since", "When it entered the state, unix seconds."),
	I("uptime", "Seconds Established, 0 when not."),
	SO("country", "Country of the address (geoip_country)."),
	SO("bgp_id", "Its BGP identifier."),
	IO("source", "Its source id in the RIB (see routes' source)."),
	{ "prefixes", F_OBJ, (const struct field[]){
		I("ipv4", "IPv4 routes in the RIB."),
		I("ipv6", "IPv6 routes in the RIB."),
		END }, NULL, 0, FL_OPT, "Routes it has in the RIB." },
	{ "messages", F_OBJ, (const struct field[]){
		{ "other", F_OBJ, f_inout, "InOut", 0, 0, "Unknown types." },
		{ "open", F_OBJ, f_inout, "InOut", 0, 0, "OPEN." },
		{ "update", F_OBJ, f_inout, "InOut", 0, 0, "UPDATE." },
		{ "notification", F_OBJ, f_inout, "InOut", 0, 0,
		    "NOTIFICATION." },
		{ "keepalive", F_OBJ, f_inout, "InOut", 0, 0, "KEEPALIVE." },
		{ "route_refresh", F_OBJ, f_inout, "InOut", 0, 0,
		    "ROUTE-REFRESH." },
		END }, NULL, 0, 0, "Messages by type." },
	{ "counters", F_OBJ, (const struct field[]){
		I("bytes_in", "Bytes received."),
		I("prefixes_announced", "Prefixes announced to us."),
		I("prefixes_withdrawn", "Prefixes withdrawn."),
		I("treat_as_withdraw", "UPDATEs treated as withdraw "
		    "(RFC 7606)."),
		I("attribute_discard", "UPDATEs with an attribute "
		    "discarded (RFC 7606)."),
		I("flaps", "Times the session left Established."),
		I("max_prefix_hits", "Times max_prefix was exceeded."),
		END }, NULL, 0, 0, "Counters." },
	S("capabilities", "Negotiated capabilities, readable."),
	S("last_error", "Why the session last went down, or empty."),
	S("last_notification_received", "Last NOTIFICATION received."),
	S("last_notification_sent", "Last NOTIFICATION sent."),
	END
};

static const struct field f_bmp_peer[] = {
	S("address", "The monitored peer's address."),
	I("remote_as", "Its AS."),
	S("bgp_id", "Its BGP identifier."),
	S("peer_type", "global, rd (L3VPN), local or loc-rib (RFC 7854, "
	    "9069)."),
	I("distinguisher", "Its peer distinguisher."),
	S("state", "up (after Peer Up) or down."),
	I("up_since", "Last Peer Up, unix seconds (0 = never)."),
	I("down_since", "Last Peer Down, unix seconds (0 = never)."),
	S("down_reason", "Why it last went down, or empty."),
	{ "tables", F_ARR, (const struct field[]){
		S("table", "adj-rib-in-pre, adj-rib-in-post, adj-rib-out-pre, "
		    "adj-rib-out-post or loc-rib."),
		I("source", "Its source id in the RIB."),
		{ "prefixes", F_OBJ, (const struct field[]){
			I("ipv4", "IPv4 routes of it in the RIB."),
			I("ipv6", "IPv6 routes of it in the RIB."),
			END }, NULL, 0, 0, "Routes per family." },
		END }, "BmpTable", 0, 0, "The tables the router reports for "
	    "it, each a source of the RIB." },
	{ "counters", F_OBJ, (const struct field[]){
		I("updates", "Route Monitoring UPDATEs."),
		I("prefixes_announced", "Prefixes announced."),
		I("prefixes_withdrawn", "Prefixes withdrawn."),
		I("treat_as_withdraw", "UPDATEs treated as withdraw "
		    "(RFC 7606)."),
		I("update_errors", "UPDATEs not applied."),
		I("peer_ups", "Peer Up messages."),
		I("peer_downs", "Peer Down messages."),
		END }, NULL, 0, 0, "Counters." },
	S("capabilities", "Negotiated capabilities (from Peer Up), "
	    "readable."),
	S("last_error", "Last problem with its messages, or empty."),
	END
};

static const struct field f_bmp_router[] = {
	S("address", "The router's address."),
	I("port", "Its TCP port."),
	B("connected", "Its BMP session is up."),
	S("sysname", "sysName from its Initiation."),
	S("sysdescr", "sysDescr from its Initiation."),
	I("connected_since", "When the session came up, unix seconds."),
	I("last_message", "Its last message, unix seconds."),
	{ "counters", F_OBJ, (const struct field[]){
		I("messages", "BMP messages."),
		I("bytes", "Bytes received."),
		I("updates", "Route Monitoring UPDATEs."),
		I("malformed", "Malformed messages."),
		I("update_errors", "UPDATEs not applied."),
		END }, NULL, 0, 0, "Counters." },
	S("last_error", "Why the session last ended or failed, or empty."),
	{ "peers", F_ARR, f_bmp_peer, "BmpPeer", 0, 0, "The peers it "
	    "monitors." },
	END
};

static const struct field f_peers[] = {
	{ "peers", F_ARR, f_peer, "Peer", 0, 0, "Every peer." },
	{ "bmp_routers", F_ARR, f_bmp_router, "BmpRouter", 0, 0, "Every BMP "
	    "router connected (or dialled) and the peers it monitors." },
	AS_NAMES,
	END
};

static const struct field f_source[] = {
	I("id", "Source id (the source parameter of /routes)."),
	S("peer", "The neighbour's address."),
	I("peer_as", "The neighbour's AS."),
	S("table", "peer (a BGP session or MRT), or the BMP table: "
	    "adj-rib-in-pre, adj-rib-in-post, adj-rib-out-pre, "
	    "adj-rib-out-post, loc-rib."),
	SO("router", "The BMP router, for BMP sources."),
	SO("description", "Description of the source."),
	SO("country", "Country of the neighbour's address (geoip_country)."),
	END
};

static const struct field f_route[] = {
	S("prefix", "The prefix."),
	{ "source", F_OBJ, f_source, "Source", 0, FL_NULL,
	    "Where the route comes from." },
	I("path_id", "ADD-PATH path identifier, 0 without."),
	B("best", "The best path of its prefix."),
	I("since", "When it last changed, unix seconds."),
	S("origin", "ORIGIN: IGP, EGP or INCOMPLETE."),
	S("as_path", "AS_PATH as text: sets in {}, confederations in () "
	    "and []."),
	{ "as_path_list", F_ARR, NULL, NULL, F_INT, 0,
	    "The ASes of the path in order, sets flattened." },
	I("origin_as", "Last AS of the path; 0 when it ends in a set."),
	BO("stale", "Kept through a graceful restart, not yet refreshed."),
	SO("next_hop", "NEXT_HOP (or MP_REACH next hop)."),
	SO("next_hop_link_local", "IPv6 link-local next hop."),
	IO("med", "MULTI_EXIT_DISC."),
	IO("local_pref", "LOCAL_PREF."),
	BO("atomic_aggregate", "ATOMIC_AGGREGATE present."),
	{ "communities", F_ARR, NULL, NULL, F_STR, 0,
	    "COMMUNITIES as ASN:VALUE." },
	{ "large_communities", F_ARR, NULL, NULL, F_STR, 0,
	    "LARGE_COMMUNITY as A:B:C." },
	{ "ext_communities", F_ARR, NULL, NULL, F_STR, 0,
	    "Extended communities, 16 hex digits each." },
	SO("country", "Country of the prefix's first address "
	    "(geoip_country)."),
	END
};

static const struct field f_routes[] = {
	{ "routes", F_ARR, f_route, "Route", 0, 0,
	    "Routes in prefix order, then source, then path id." },
	I("count", "Routes in this page."),
	SO("next_cursor", "Pass as cursor for the next page; absent on "
	    "the last."),
	AS_NAMES,
	END
};

static const struct field f_brief[] = {
	S("as_path", "AS_PATH as text."),
	I("origin_as", "Last AS of the path."),
	S("origin", "ORIGIN."),
	S("next_hop", "Next hop, or empty."),
	{ "communities", F_ARR, NULL, NULL, F_STR, 0, "COMMUNITIES." },
	END
};

static const struct field f_event[] = {
	{ "time", F_NUM, NULL, NULL, 0, 0, "When, unix seconds with "
	    "microseconds." },
	S("type", "announce, replace (new attributes), withdraw, or "
	    "source-down (withdrawn because the session went down)."),
	S("prefix", "The prefix."),
	{ "source", F_OBJ, f_source, "Source", 0, FL_NULL, "The source." },
	I("path_id", "ADD-PATH path identifier."),
	{ "before", F_OBJ, f_brief, "Attributes", 0, FL_NULL,
	    "The route before, null for an announcement." },
	{ "after", F_OBJ, f_brief, "Attributes", 0, FL_NULL,
	    "The route after, null for a withdrawal." },
	END
};

static const struct field f_history[] = {
	S("prefix", "The prefix asked about."),
	{ "at", F_NUM, NULL, NULL, 0, FL_OPT, "With at: the time asked "
	    "about." },
	{ "routes", F_ARR, f_route, "Route", 0, FL_OPT, "With at: the "
	    "routes at that time (best chosen among them; since from the "
	    "history, 0 when no longer known)." },
	{ "events", F_ARR, f_event, "Event", 0, FL_OPT, "Without at: the "
	    "changes, newest first per prefix." },
	IO("count", "Without at: events in the answer."),
	B("truncated", "The history no longer reaches back far enough: "
	    "older changes are missing."),
	B("limited", "limit cut the answer short."),
	AS_NAMES,
	END
};

static const struct field f_asn[] = {
	I("asn", "The AS asked about."),
	SO("name", "Its organisation (geoip_asn)."),
	{ "prefixes", F_ARR, (const struct field[]){
		S("prefix", "A prefix with a route whose path ends in the AS."),
		I("routes", "Routes of it that do (one per source, path id)."),
		SO("country", "Country of its first address "
		    "(geoip_country)."),
		END }, "OriginatedPrefix", 0, 0,
	    "Prefixes the AS originates, in prefix order." },
	I("count", "Prefixes in this answer."),
	{ "neighbours", F_ARR, (const struct field[]){
		I("asn", "The neighbouring AS."),
		I("left", "Routes where it is just before the AS in the path "
		    "(nearer the collector: upstream)."),
		I("right", "Routes where it is just after (nearer the "
		    "origin: downstream)."),
		I("routes", "Routes where it is adjacent either way."),
		END }, "Neighbour", 0, 0,
	    "ASes adjacent to it in the AS paths walked, most routes first "
	    "(at most 10000)." },
	B("neighbours_truncated", "More than 10000 neighbours: the rest are "
	    "left out."),
	I("routes_scanned", "Routes examined by this walk."),
	B("complete", "The walk reached the end of the RIB."),
	SO("next_cursor", "Where the walk stopped: pass as cursor to go "
	    "on."),
	AS_NAMES,
	END
};

static const struct field f_metrics[] = {
	{ "metrics", F_TEXT, NULL, NULL, 0, 0, "Prometheus text format "
	    "0.0.4." },
	END
};

static const struct field f_openapi[] = {
	{ "openapi", F_ANY, NULL, NULL, 0, 0, "This document." },
	END
};

const struct endpoint lg_endpoints[] = {
	{ "/api/v1/status", h_status, p_none, f_status,
	    "Daemon status",
	    "Version, uptime, RIB size and memory, sessions, history, and "
	    "which enrichment databases are loaded.", 0 },
	{ "/api/v1/peers", h_peers, p_none, f_peers,
	    "BGP neighbours",
	    "Every configured or dynamic neighbour: session state, "
	    "negotiated options, message counters, routes in the RIB.", 0 },
	{ "/api/v1/routes", h_routes, p_routes, f_routes,
	    "Route lookup",
	    "Routes by prefix (exact, longest match, more- or "
	    "less-specifics) and filters (origin AS, communities, AS path "
	    "regular expression, source, best only), a page at a time.", 0 },
	{ "/api/v1/history", h_history, p_history, f_history,
	    "Prefix history",
	    "The changes of a prefix (and its more-specifics) over a time "
	    "range, or its routes as they stood at one time.", 0 },
	{ "/api/v1/asn/{asn}", lg_h_asn, p_asn, f_asn,
	    "AS overview",
	    "Prefixes an AS originates and its neighbours in AS paths, from "
	    "a walk of the RIB bounded by limit and scan and continued by "
	    "cursor.  One walk runs at a time: another gets 503.",
	    EP_UNAVAIL },
	{ "/api/v1/alerts", lg_h_alerts, lg_p_alerts, lg_f_alerts,
	    "Alerts",
	    "Hijack, leak, RPKI and visibility alerts (docs/detection.md), "
	    "newest first, filtered by state, type and prefix.", EP_UNAVAIL },
	{ "/api/v1/alerts/status", lg_h_alerts_status, lg_p_alerts_status,
	    lg_f_alerts_status, "Alerting status",
	    "Detection counters and each webhook's delivery queue.",
	    EP_UNAVAIL },
	{ "/api/v1/alerts/stream", lg_h_alerts_stream, lg_p_alerts_stream,
	    lg_f_alerts_stream, "Live alerts",
	    "Alert lifecycle events (opened, updated, resolved) as they "
	    "happen, as Server-Sent Events, filtered by type and prefix.  A "
	    "client too slow for its queue (stream_queue_kib) is ended; more "
	    "than stream_max_clients streams get 503.", EP_UNAVAIL },
	{ "/api/v1/alerts/{id}", lg_h_alert, lg_p_alert, lg_f_alert,
	    "One alert", "An alert by its id, open or resolved.",
	    EP_NOT_FOUND | EP_UNAVAIL },
	{ "/api/v1/archives", lg_h_archives, lg_p_archives, lg_f_archives,
	    "MRT archive files",
	    "The update files and RIB snapshots of the MRT archive "
	    "(docs/config.md, archive), newest period first.", EP_UNAVAIL },
	{ "/api/v1/archives/{name}", lg_h_archive, lg_p_archive,
	    lg_f_archive, "Download an archive file",
	    "One file the list names, as it is on disk (bgpdump, BGPStream "
	    "and the RIS tools read it).", EP_FILE | EP_NOT_FOUND |
	    EP_UNAVAIL },
	{ "/api/v1/stream", lg_h_stream, lg_p_stream, lg_f_stream,
	    "Live updates",
	    "RIB changes (announcements and withdrawals, per prefix and "
	    "source) and session events as they happen, as Server-Sent "
	    "Events in the shape of RIS Live's ris_message, filtered by "
	    "prefix (with more- or less-specifics), source, origin AS, AS "
	    "path and type.  A client too slow for its queue "
	    "(stream_queue_kib) is ended; more than stream_max_clients "
	    "streams get 503.", EP_UNAVAIL },
	{ "/api/v1/openapi.json", h_openapi, p_none, f_openapi,
	    "This description",
	    "The OpenAPI 3 description of the API, generated from the table "
	    "requests are checked against.", EP_PUBLIC | EP_RAW },
	{ "/metrics", h_metrics, p_none, f_metrics,
	    "Prometheus metrics",
	    "RIB, session and HTTP metrics in the Prometheus text format.",
	    EP_TEXT },
};

const size_t lg_n_endpoints = sizeof(lg_endpoints) / sizeof(lg_endpoints[0]);
