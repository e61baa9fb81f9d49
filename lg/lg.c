/*
 * lg.c -- the looking glass HTTP server (see lg.h, docs/api.md).
 *
 * Every endpoint is a row of a table: path, handler and the parameters it
 * takes.  A request is checked against its row before anything else runs:
 * an unknown, repeated or malformed parameter gets a 400 whose JSON names
 * it, so no handler ever sees input it did not ask for.  Results are
 * bounded by limits (and continued by cursors), so no request can make
 * the daemon allocate without bound.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "lg.h"
#include "log.h"

#define LG_VERSION	"0.1.0"
#define LG_MAX_LIMIT	10000
#define LG_DEF_LIMIT	100
#define LG_MAX_PARAMS	16

struct lg {
	struct MHD_Daemon	*mhd;
	struct lg_ctx		 ctx;
	uint64_t		 requests[6];	/* by status class */
	pthread_mutex_t		 lock;
};

/* Parameter kinds, validated before the handler runs. */
enum ptype {
	P_PREFIX,	/* prefix or address */
	P_UINT,		/* decimal */
	P_TIME,		/* unix seconds, fractions allowed */
	P_ENUM,		/* one of a list */
	P_COMMUNITY,	/* a:b */
	P_LARGE,	/* a:b:c */
	P_REGEX,	/* POSIX extended */
	P_CURSOR,
	P_BOOL,
};

struct pdesc {
	const char	*name;
	enum ptype	 type;
	const char	*enums;		/* "a|b|c" for P_ENUM */
};

struct req;
typedef int (*handler_fn)(struct lg *, struct req *);

struct endpoint {
	const char		*path;
	handler_fn		 fn;
	const struct pdesc	*params;
};

struct req {
	struct MHD_Connection	*conn;
	const struct endpoint	*ep;
	const char		*vals[LG_MAX_PARAMS];
	int			 status;
	json_t			*body;
	char			 err_param[64];
	char			 err_msg[256];
};

static const char *
rparam(const struct req *r, const char *name)
{
	int i;

	for (i = 0; r->ep->params[i].name != NULL; i++)
		if (strcmp(r->ep->params[i].name, name) == 0)
			return (r->vals[i]);
	return (NULL);
}

static int
bad(struct req *r, const char *param, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
bad(struct req *r, const char *param, const char *fmt, ...)
{
	va_list ap;

	r->status = MHD_HTTP_BAD_REQUEST;
	snprintf(r->err_param, sizeof(r->err_param), "%s", param ? param : "");
	va_start(ap, fmt);
	vsnprintf(r->err_msg, sizeof(r->err_msg), fmt, ap);
	va_end(ap);
	return (-1);
}

/*
 * Parameter validation.
 */

static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char			*end;
	unsigned long long	 v;

	if (*s < '0' || *s > '9')
		return (false);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return (false);
	*out = v;
	return (true);
}

static bool
parse_time_us(const char *s, uint64_t *out)
{
	char	*end;
	double	 v;

	if (*s < '0' || *s > '9')
		return (false);
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || v < 0 || v > 4e9)
		return (false);
	*out = (uint64_t)(v * 1e6);
	return (true);
}

static bool
parse_comm(const char *s, int parts, uint32_t *out)
{
	char		 buf[64], *tok, *save = NULL, *end;
	int		 n = 0;
	unsigned long	 v;

	if (strlen(s) >= sizeof(buf))
		return (false);
	strcpy(buf, s);
	for (tok = strtok_r(buf, ":", &save); tok != NULL;
	    tok = strtok_r(NULL, ":", &save)) {
		if (n >= parts || *tok < '0' || *tok > '9')
			return (false);
		errno = 0;
		v = strtoul(tok, &end, 10);
		if (errno != 0 || *end != '\0' ||
		    v > (parts == 2 ? 65535UL : 4294967295UL))
			return (false);
		out[n++] = (uint32_t)v;
	}
	return (n == parts);
}

static bool
enum_ok(const char *list, const char *v)
{
	size_t		 n = strlen(v);
	const char	*p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, v, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return (true);
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	return (false);
}

static int
validate_one(struct req *r, const struct pdesc *d, const char *v)
{
	struct prefix	pf;
	uint64_t	u;
	uint32_t	c[3];
	regex_t		re;

	switch (d->type) {
	case P_PREFIX:
		if (prefix_parse(v, &pf) == -1)
			return (bad(r, d->name, "\"%s\" is not a prefix or an "
			    "address", v));
		return (0);
	case P_UINT:
		if (!parse_u64(v, UINT32_MAX, &u))
			return (bad(r, d->name, "\"%s\" is not a number", v));
		return (0);
	case P_TIME:
		if (!parse_time_us(v, &u))
			return (bad(r, d->name, "\"%s\" is not a time in unix "
			    "seconds", v));
		return (0);
	case P_ENUM:
		if (!enum_ok(d->enums, v))
			return (bad(r, d->name, "\"%s\" is not one of %s", v,
			    d->enums));
		return (0);
	case P_COMMUNITY:
		if (!parse_comm(v, 2, c))
			return (bad(r, d->name, "\"%s\" is not a community "
			    "(ASN:VALUE)", v));
		return (0);
	case P_LARGE:
		if (!parse_comm(v, 3, c))
			return (bad(r, d->name, "\"%s\" is not a large "
			    "community (A:B:C)", v));
		return (0);
	case P_REGEX:
		if (strlen(v) > 256 || regcomp(&re, v, REG_EXTENDED |
		    REG_NOSUB) != 0)
			return (bad(r, d->name, "not a valid regular "
			    "expression (POSIX extended, at most 256 "
			    "characters)"));
		regfree(&re);
		return (0);
	case P_CURSOR:
		if (strlen(v) > 80)
			return (bad(r, d->name, "not a cursor from this API"));
		return (0);
	case P_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return (bad(r, d->name, "\"%s\" is not true or false",
			    v));
		return (0);
	}
	return (0);
}

struct argwalk {
	struct req	*r;
	int		 failed;
};

static enum MHD_Result
arg_cb(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct argwalk	*w = cls;
	struct req	*r = w->r;
	int		 i;

	(void)kind;
	if (w->failed)
		return (MHD_NO);
	for (i = 0; r->ep->params[i].name != NULL; i++) {
		if (strcmp(r->ep->params[i].name, key) != 0)
			continue;
		if (r->vals[i] != NULL) {
			bad(r, key, "given more than once");
			w->failed = 1;
			return (MHD_NO);
		}
		if (value == NULL || *value == '\0') {
			bad(r, key, "empty value");
			w->failed = 1;
			return (MHD_NO);
		}
		if (validate_one(r, &r->ep->params[i], value) == -1) {
			w->failed = 1;
			return (MHD_NO);
		}
		r->vals[i] = value;
		return (MHD_YES);
	}
	bad(r, key, "unknown parameter for %s", r->ep->path);
	w->failed = 1;
	return (MHD_NO);
}

/*
 * JSON of routes.
 */

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
	size_t	 off;

	for (off = 0; p != NULL && off + unit <= len; off += unit) {
		if (unit == 4)
			snprintf(buf, sizeof(buf), "%u:%u", be16(p + off),
			    be16(p + off + 2));
		else if (unit == 12)
			snprintf(buf, sizeof(buf), "%u:%u:%u", be32(p + off),
			    be32(p + off + 4), be32(p + off + 8));
		else {
			size_t k;

			for (k = 0; k < unit && k * 2 + 1 < sizeof(buf); k++)
				snprintf(buf + k * 2, 3, "%02x", p[off + k]);
		}
		json_array_append_new(a, json_string(buf));
	}
	return (a);
}

static json_t *
json_aspath(const struct rib_attrs *a)
{
	json_t			*arr = json_array();
	struct aspath_iter	 it;
	uint32_t		 asn;
	uint8_t			 st;

	aspath_iter_init(&it, a->aspath, a->aspath_len);
	while (aspath_next(&it, &asn, &st) == 1)
		json_array_append_new(arr, json_integer(asn));
	return (arr);
}

static json_t *
json_source(const struct rib *rib, uint16_t src)
{
	const struct rib_source	*s = rib_source_get(rib, src);
	char			 ab[ADDR_STRLEN];
	json_t			*o;

	if (s == NULL)
		return (json_null());
	o = json_pack("{s:i, s:s, s:I, s:s}", "id", src,
	    "peer", addr_fmt(&s->peer, ab, sizeof(ab)),
	    "peer_as", (json_int_t)s->peer_as,
	    "table", rib_table_name(s->table));
	if (s->router.afi != 0)
		json_object_set_new(o, "router", json_string(addr_fmt(
		    &s->router, ab, sizeof(ab))));
	if (s->name[0] != '\0')
		json_object_set_new(o, "description", json_string(s->name));
	return (o);
}

static json_t *
json_route(const struct rib *rib, const struct prefix *p,
    const struct route *rt)
{
	struct rib_attrs	 a;
	char			 pb[PREFIX_STRLEN], ab[ADDR_STRLEN];
	char			 path[4096];
	json_t			*o;

	if (rib_attr_get(rib, rt->attr, &a) == -1)
		return (NULL);
	aspath_fmt(a.aspath, a.aspath_len, path, sizeof(path));
	o = json_pack("{s:s, s:o, s:I, s:b, s:I, s:s, s:s, s:o, s:I}",
	    "prefix", prefix_fmt(p, pb, sizeof(pb)),
	    "source", json_source(rib, rt->src),
	    "path_id", (json_int_t)rt->path_id,
	    "best", (rt->flags & ROUTE_F_BEST) != 0,
	    "since", (json_int_t)rt->since,
	    "origin", origin_name(a.origin),
	    "as_path", path,
	    "as_path_list", json_aspath(&a),
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
	return (o);
}

/*
 * Cursors: "prefix,source,path_id", opaque to clients.
 */

static void
cursor_fmt(const struct rib_cursor *c, char *buf, size_t len)
{
	char pb[PREFIX_STRLEN];

	snprintf(buf, len, "%s,%u,%u", prefix_fmt(&c->pfx, pb, sizeof(pb)),
	    c->src, c->path_id);
}

static int
cursor_parse(const char *s, struct rib_cursor *c)
{
	char		 buf[96], *a, *b;
	uint64_t	 src, pid;

	if (strlen(s) >= sizeof(buf))
		return (-1);
	strcpy(buf, s);
	if ((a = strchr(buf, ',')) == NULL)
		return (-1);
	*a++ = '\0';
	if ((b = strchr(a, ',')) == NULL)
		return (-1);
	*b++ = '\0';
	if (prefix_parse(buf, &c->pfx) == -1 || !parse_u64(a, 65535, &src) ||
	    !parse_u64(b, UINT32_MAX, &pid))
		return (-1);
	c->src = (uint16_t)src;
	c->path_id = (uint32_t)pid;
	c->valid = true;
	return (0);
}

/*
 * Handlers.
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
	    "s:{s:I, s:I}, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I}}",
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
	    "dropped_memory", (json_int_t)st.events_dropped_mem);
	return (r->body ? 0 : -1);
}

static json_t *
json_peer(struct lg *lg, const struct peer_info *p)
{
	char	 ab[ADDR_STRLEN];
	json_t	*o, *m;
	int	 t;
	static const char *const tn[] = { "other", "open", "update",
	    "notification", "keepalive", "route_refresh" };
	struct addr id;

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
	if (p->bgp_id != 0)
		json_object_set_new(o, "bgp_id", json_string(addr_fmt(&id, ab,
		    sizeof(ab))));
	if (p->src != RIB_NO_SOURCE) {
		rib_rdlock(lg->ctx.rib);
		json_object_set_new(o, "source", json_integer(p->src));
		json_object_set_new(o, "prefixes", json_pack("{s:I, s:I}",
		    "ipv4", (json_int_t)rib_source_routes(lg->ctx.rib, p->src,
		    AFI_IPV4), "ipv6", (json_int_t)rib_source_routes(
		    lg->ctx.rib, p->src, AFI_IPV6)));
		rib_unlock(lg->ctx.rib);
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

static int
h_peers(struct lg *lg, struct req *r)
{
	struct peer_info	*pi;
	size_t			 n, i;
	json_t			*arr = json_array();

	n = bgpd_peers_snapshot(lg->ctx.bgpd, &pi);
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_peer(lg, &pi[i]));
	free(pi);
	r->body = json_pack("{s:o}", "peers", arr);
	return (0);
}

struct rcollect {
	struct rib	*rib;
	json_t		*arr;
};

static int
collect_route(void *arg, const struct prefix *p, const struct route *rt)
{
	struct rcollect	*c = arg;
	json_t		*o = json_route(c->rib, p, rt);

	if (o != NULL)
		json_array_append_new(c->arr, o);
	return (0);
}

static int
h_routes(struct lg *lg, struct req *r)
{
	struct rib_query	 q;
	struct rib_cursor	 next;
	struct rcollect		 c;
	regex_t			 re;
	const char		*v;
	char			 cb[128];
	uint32_t		 comm[3];
	uint64_t		 u;
	bool			 have_re = false;
	size_t			 n;

	memset(&q, 0, sizeof(q));
	q.src = -1;
	q.limit = LG_DEF_LIMIT;
	if ((v = rparam(r, "prefix")) != NULL) {
		prefix_parse(v, &q.pfx);
		q.match = strchr(v, '/') == NULL ? RIB_MATCH_LONGEST :
		    RIB_MATCH_EXACT;
	}
	if ((v = rparam(r, "match")) != NULL) {
		if (rparam(r, "prefix") == NULL)
			return (bad(r, "match", "needs a prefix"));
		q.match = strcmp(v, "exact") == 0 ? RIB_MATCH_EXACT :
		    strcmp(v, "longest") == 0 ? RIB_MATCH_LONGEST :
		    strcmp(v, "more") == 0 ? RIB_MATCH_MORE : RIB_MATCH_LESS;
	}
	if ((v = rparam(r, "origin")) != NULL) {
		parse_u64(v, UINT32_MAX, &u);
		q.origin_as = (uint32_t)u;
	}
	if ((v = rparam(r, "source")) != NULL) {
		parse_u64(v, 65535, &u);
		q.src = (int)u;
	}
	if ((v = rparam(r, "community")) != NULL) {
		parse_comm(v, 2, comm);
		q.has_community = true;
		q.community = (comm[0] << 16) | comm[1];
	}
	if ((v = rparam(r, "large-community")) != NULL) {
		parse_comm(v, 3, q.large);
		q.has_large = true;
	}
	if ((v = rparam(r, "best")) != NULL)
		q.best_only = strcmp(v, "only") == 0;
	if ((v = rparam(r, "afi")) != NULL)
		q.afi = strcmp(v, "ipv4") == 0 ? AFI_IPV4 : AFI_IPV6;
	if ((v = rparam(r, "limit")) != NULL) {
		parse_u64(v, UINT32_MAX, &u);
		if (u == 0 || u > LG_MAX_LIMIT)
			return (bad(r, "limit", "from 1 to %d", LG_MAX_LIMIT));
		q.limit = (size_t)u;
	}
	if ((v = rparam(r, "cursor")) != NULL &&
	    cursor_parse(v, &q.after) == -1)
		return (bad(r, "cursor", "not a cursor from this API"));
	if ((v = rparam(r, "aspath")) != NULL) {
		if (regcomp(&re, v, REG_EXTENDED | REG_NOSUB) != 0)
			return (bad(r, "aspath", "not a regular expression"));
		have_re = true;
		q.aspath_re = &re;
	}
	c.rib = lg->ctx.rib;
	c.arr = json_array();
	rib_rdlock(lg->ctx.rib);
	n = rib_query(lg->ctx.rib, &q, collect_route, &c, &next);
	rib_unlock(lg->ctx.rib);
	if (have_re)
		regfree(&re);
	r->body = json_pack("{s:o, s:I}", "routes", c.arr, "count",
	    (json_int_t)n);
	if (next.valid) {
		cursor_fmt(&next, cb, sizeof(cb));
		json_object_set_new(r->body, "next_cursor", json_string(cb));
	}
	return (0);
}

struct hcollect {
	struct rib	*rib;
	json_t		*arr;
	size_t		 n, limit;
	bool		 more;
};

static json_t *
json_attr_brief(struct rib *rib, uint32_t id)
{
	struct rib_attrs	a;
	char			path[4096], ab[ADDR_STRLEN];

	if (id == 0 || rib_attr_get(rib, id, &a) == -1)
		return (json_null());
	aspath_fmt(a.aspath, a.aspath_len, path, sizeof(path));
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
	    "source", json_source(c->rib, e->src),
	    "path_id", (json_int_t)e->path_id,
	    "before", json_attr_brief(c->rib, e->attr_old),
	    "after", json_attr_brief(c->rib, e->attr_new)));
	c->n++;
	return (0);
}

static int
h_history(struct lg *lg, struct req *r)
{
	struct prefix	 p;
	struct hcollect	 c;
	const char	*v;
	uint64_t	 from = 0, to = UINT64_MAX, at, u;
	bool		 trunc = false, more = false;
	struct route	*rv;
	size_t		 n, i;
	char		 pb[PREFIX_STRLEN];

	if ((v = rparam(r, "prefix")) == NULL)
		return (bad(r, "prefix", "required"));
	prefix_parse(v, &p);
	if ((v = rparam(r, "from")) != NULL)
		parse_time_us(v, &from);
	if ((v = rparam(r, "to")) != NULL)
		parse_time_us(v, &to);
	if ((v = rparam(r, "more")) != NULL)
		more = strcmp(v, "true") == 0;
	c.rib = lg->ctx.rib;
	c.arr = json_array();
	c.n = 0;
	c.more = false;
	c.limit = LG_DEF_LIMIT * 10;
	if ((v = rparam(r, "limit")) != NULL) {
		parse_u64(v, UINT32_MAX, &u);
		if (u == 0 || u > LG_MAX_LIMIT)
			return (bad(r, "limit", "from 1 to %d", LG_MAX_LIMIT));
		c.limit = (size_t)u;
	}
	if ((v = rparam(r, "at")) != NULL) {
		/* The table of exactly this prefix at that instant. */
		parse_time_us(v, &at);
		if ((rv = calloc(RIB_MAX_SOURCES, sizeof(*rv))) == NULL)
			return (-1);
		rib_rdlock(lg->ctx.rib);
		n = rib_routes_at(lg->ctx.rib, &p, at, rv, RIB_MAX_SOURCES,
		    &trunc);
		for (i = 0; i < n; i++)
			json_array_append_new(c.arr, json_route(lg->ctx.rib,
			    &p, &rv[i]));
		rib_unlock(lg->ctx.rib);
		free(rv);
		r->body = json_pack("{s:s, s:f, s:o, s:b}", "prefix",
		    prefix_fmt(&p, pb, sizeof(pb)), "at", (double)at / 1e6,
		    "routes", c.arr, "truncated", trunc);
		return (0);
	}
	rib_rdlock(lg->ctx.rib);
	rib_history(lg->ctx.rib, &p, more, from, to, collect_event, &c,
	    &trunc);
	rib_unlock(lg->ctx.rib);
	r->body = json_pack("{s:s, s:o, s:I, s:b, s:b}", "prefix",
	    prefix_fmt(&p, pb, sizeof(pb)), "events", c.arr, "count",
	    (json_int_t)c.n, "truncated", trunc, "limited", c.more);
	return (0);
}

static const struct pdesc p_none[] = { { NULL, 0, NULL } };
static const struct pdesc p_routes[] = {
	{ "prefix", P_PREFIX, NULL },
	{ "match", P_ENUM, "exact|longest|more|less" },
	{ "origin", P_UINT, NULL },
	{ "community", P_COMMUNITY, NULL },
	{ "large-community", P_LARGE, NULL },
	{ "aspath", P_REGEX, NULL },
	{ "source", P_UINT, NULL },
	{ "best", P_ENUM, "only|all" },
	{ "afi", P_ENUM, "ipv4|ipv6" },
	{ "limit", P_UINT, NULL },
	{ "cursor", P_CURSOR, NULL },
	{ NULL, 0, NULL }
};
static const struct pdesc p_history[] = {
	{ "prefix", P_PREFIX, NULL },
	{ "from", P_TIME, NULL },
	{ "to", P_TIME, NULL },
	{ "at", P_TIME, NULL },
	{ "more", P_BOOL, NULL },
	{ "limit", P_UINT, NULL },
	{ NULL, 0, NULL }
};

static int	h_metrics(struct lg *, struct req *);

static const struct endpoint endpoints[] = {
	{ "/api/v1/status", h_status, p_none },
	{ "/api/v1/peers", h_peers, p_none },
	{ "/api/v1/routes", h_routes, p_routes },
	{ "/api/v1/history", h_history, p_history },
	{ "/metrics", h_metrics, p_none },
};

#define N_ENDPOINTS	(sizeof(endpoints) / sizeof(endpoints[0]))

/* Prometheus text exposition; built into a json string for uniformity. */
static int
h_metrics(struct lg *lg, struct req *r)
{
	struct rib_stats	 st;
	struct peer_info	*pi;
	size_t			 n, i, off = 0, cap = 65536;
	char			*buf, ab[ADDR_STRLEN];
	int			 s;
	uint64_t		 by_state[6] = { 0 };

	rib_rdlock(lg->ctx.rib);
	rib_stats(lg->ctx.rib, &st);
	rib_unlock(lg->ctx.rib);
	n = bgpd_peers_snapshot(lg->ctx.bgpd, &pi);
	if ((buf = malloc(cap + n * 1024)) == NULL) {
		free(pi);
		return (-1);
	}
	cap += n * 1024;
#define OUT(...) do { if (off < cap) off += (size_t)snprintf(buf + off, \
	cap - off, __VA_ARGS__); } while (0)
	OUT("# HELP bgplens_routes Routes in the RIB.\n"
	    "# TYPE bgplens_routes gauge\nbgplens_routes %" PRIu64 "\n",
	    st.routes);
	OUT("# TYPE bgplens_prefixes gauge\n"
	    "bgplens_prefixes{afi=\"ipv4\"} %" PRIu64 "\n"
	    "bgplens_prefixes{afi=\"ipv6\"} %" PRIu64 "\n",
	    st.prefixes[0], st.prefixes[1]);
	OUT("# TYPE bgplens_rib_bytes gauge\nbgplens_rib_bytes %" PRIu64 "\n",
	    st.bytes_total);
	OUT("# TYPE bgplens_rss_bytes gauge\nbgplens_rss_bytes %ld\n",
	    rss_bytes());
	OUT("# TYPE bgplens_history_events gauge\n"
	    "bgplens_history_events %" PRIu64 "\n", st.events);
	OUT("# TYPE bgplens_history_dropped_total counter\n"
	    "bgplens_history_dropped_total{reason=\"age\"} %" PRIu64 "\n"
	    "bgplens_history_dropped_total{reason=\"memory\"} %" PRIu64 "\n",
	    st.events_dropped_age, st.events_dropped_mem);
	for (i = 0; i < n; i++)
		by_state[pi[i].state]++;
	OUT("# TYPE bgplens_sessions gauge\n");
	for (s = 0; s < 6; s++)
		OUT("bgplens_sessions{state=\"%s\"} %" PRIu64 "\n",
		    peer_state_name((enum peer_state)s), by_state[s]);
	OUT("# TYPE bgplens_peer_messages_received_total counter\n");
	for (i = 0; i < n; i++) {
		addr_fmt(&pi[i].addr, ab, sizeof(ab));
		OUT("bgplens_peer_messages_received_total{peer=\"%s\","
		    "type=\"update\"} %" PRIu64 "\n", ab, pi[i].c.msgs_in[2]);
	}
	OUT("# TYPE bgplens_peer_routes gauge\n");
	for (i = 0; i < n; i++) {
		if (pi[i].src == RIB_NO_SOURCE)
			continue;
		addr_fmt(&pi[i].addr, ab, sizeof(ab));
		rib_rdlock(lg->ctx.rib);
		OUT("bgplens_peer_routes{peer=\"%s\",afi=\"ipv4\"} %" PRIu64
		    "\nbgplens_peer_routes{peer=\"%s\",afi=\"ipv6\"} %" PRIu64
		    "\n", ab, rib_source_routes(lg->ctx.rib, pi[i].src,
		    AFI_IPV4), ab, rib_source_routes(lg->ctx.rib, pi[i].src,
		    AFI_IPV6));
		rib_unlock(lg->ctx.rib);
	}
	pthread_mutex_lock(&lg->lock);
	OUT("# TYPE bgplens_http_requests_total counter\n");
	for (s = 1; s < 6; s++)
		OUT("bgplens_http_requests_total{code=\"%dxx\"} %" PRIu64 "\n",
		    s, lg->requests[s]);
	pthread_mutex_unlock(&lg->lock);
#undef OUT
	free(pi);
	r->body = json_stringn(buf, off < cap ? off : cap);
	free(buf);
	return (0);
}

/*
 * Static files of the web UI.
 */

static const char *
mime_of(const char *path)
{
	const char *dot = strrchr(path, '.');

	if (dot == NULL)
		return ("application/octet-stream");
	if (strcmp(dot, ".html") == 0)
		return ("text/html; charset=utf-8");
	if (strcmp(dot, ".js") == 0)
		return ("text/javascript; charset=utf-8");
	if (strcmp(dot, ".css") == 0)
		return ("text/css; charset=utf-8");
	if (strcmp(dot, ".json") == 0)
		return ("application/json");
	if (strcmp(dot, ".svg") == 0)
		return ("image/svg+xml");
	if (strcmp(dot, ".png") == 0)
		return ("image/png");
	return ("application/octet-stream");
}

static enum MHD_Result
send_static(struct lg *lg, struct MHD_Connection *conn, const char *url)
{
	struct MHD_Response	*resp;
	struct stat		 st;
	char			 path[PATH_MAX];
	const char		*p;
	enum MHD_Result		 rv;
	int			 fd;

	/* Only plain names under the web root: no "..", no hidden files. */
	if (strcmp(url, "/") == 0)
		url = "/index.html";
	for (p = url; *p != '\0'; p++)
		if (!(*p == '/' || *p == '.' || *p == '-' || *p == '_' ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9')))
			return (MHD_NO);
	if (strstr(url, "/.") != NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s%s", lg->ctx.web_root,
	    url) >= sizeof(path))
		return (MHD_NO);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (MHD_NO);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return (MHD_NO);
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return (MHD_NO);
	}
	MHD_add_response_header(resp, "Content-Type", mime_of(path));
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	rv = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return (rv);
}

static enum MHD_Result
send_json(struct lg *lg, struct MHD_Connection *conn, int status, json_t *o,
    bool text)
{
	struct MHD_Response	*resp;
	char			*txt;
	size_t			 len;
	enum MHD_Result		 rv;

	if (text && json_is_string(o)) {
		len = json_string_length(o);
		txt = malloc(len + 1);
		if (txt != NULL)
			memcpy(txt, json_string_value(o), len + 1);
	} else {
		txt = json_dumps(o, JSON_COMPACT);
		len = txt ? strlen(txt) : 0;
	}
	json_decref(o);
	if (txt == NULL)
		return (MHD_NO);
	resp = MHD_create_response_from_buffer(len, txt,
	    MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(txt);
		return (MHD_NO);
	}
	MHD_add_response_header(resp, "Content-Type", text ?
	    "text/plain; version=0.0.4" : "application/json");
	MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
	rv = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	pthread_mutex_lock(&lg->lock);
	lg->requests[status / 100 < 6 ? status / 100 : 5]++;
	pthread_mutex_unlock(&lg->lock);
	return (rv);
}

static enum MHD_Result
lg_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **con_cls)
{
	struct lg	*lg = cls;
	struct req	 r;
	struct argwalk	 w;
	size_t		 i;

	(void)version;
	(void)upload_data;
	if (*con_cls == NULL) {		/* first call: headers only */
		*con_cls = (void *)1;
		return (MHD_YES);
	}
	if (*upload_size != 0)
		return (MHD_NO);	/* no request bodies here */
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return (send_json(lg, conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    json_pack("{s:s}", "error", "only GET"), false));
	memset(&r, 0, sizeof(r));
	r.conn = conn;
	r.status = MHD_HTTP_OK;
	for (i = 0; i < N_ENDPOINTS; i++)
		if (strcmp(url, endpoints[i].path) == 0)
			r.ep = &endpoints[i];
	if (r.ep == NULL) {
		if (strncmp(url, "/api/", 5) != 0 &&
		    send_static(lg, conn, url) == MHD_YES)
			return (MHD_YES);
		return (send_json(lg, conn, MHD_HTTP_NOT_FOUND,
		    json_pack("{s:s, s:s}", "error", "no such endpoint",
		    "path", url), false));
	}
	w.r = &r;
	w.failed = 0;
	MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, arg_cb, &w);
	if (!w.failed && r.ep->fn(lg, &r) == -1 && r.status == MHD_HTTP_OK)
		r.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	if (r.status != MHD_HTTP_OK) {
		json_decref(r.body);
		r.body = json_pack("{s:s}", "error", r.err_msg[0] ?
		    r.err_msg : "internal error");
		if (r.err_param[0])
			json_object_set_new(r.body, "parameter",
			    json_string(r.err_param));
	}
	if (r.body == NULL)
		r.body = json_pack("{s:s}", "error", "out of memory");
	return (send_json(lg, conn, r.status, r.body, r.ep->fn == h_metrics &&
	    r.status == MHD_HTTP_OK));
}

struct lg *
lg_start(const struct lg_ctx *ctx)
{
	struct lg		*lg;
	struct sockaddr_storage	 ss;
	struct addr		 a;
	char			 host[64], *colon;
	unsigned long		 port;

	if ((lg = calloc(1, sizeof(*lg))) == NULL)
		return (NULL);
	lg->ctx = *ctx;
	pthread_mutex_init(&lg->lock, NULL);
	snprintf(host, sizeof(host), "%s", ctx->conf->http_listen);
	if ((colon = strrchr(host, ':')) == NULL) {
		log_warnx("http_listen \"%s\": expected ADDRESS:PORT", host);
		goto fail;
	}
	*colon = '\0';
	port = strtoul(colon + 1, NULL, 10);
	if (host[0] == '[') {		/* [::1]:8080 */
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (addr_parse(host, &a) == -1 || port == 0 || port > 65535) {
		log_warnx("http_listen \"%s\": bad address or port",
		    ctx->conf->http_listen);
		goto fail;
	}
	memset(&ss, 0, sizeof(ss));
	if (a.afi == AFI_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, a.b, 16);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, a.b, 4);
	}
	lg->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_ERROR_LOG | (a.afi == AFI_IPV6 ?
	    MHD_USE_IPv6 : 0), (uint16_t)port, NULL, NULL, lg_request, lg,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, 2u,
	    MHD_OPTION_CONNECTION_LIMIT, 512u,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 64u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)65536,
	    MHD_OPTION_END);
	if (lg->mhd == NULL) {
		log_warn("looking glass on %s", ctx->conf->http_listen);
		goto fail;
	}
	log_info("looking glass on http://%s/", ctx->conf->http_listen);
	return (lg);
fail:
	pthread_mutex_destroy(&lg->lock);
	free(lg);
	return (NULL);
}

void
lg_stop(struct lg *lg)
{
	if (lg == NULL)
		return;
	MHD_stop_daemon(lg->mhd);
	pthread_mutex_destroy(&lg->lock);
	free(lg);
}
