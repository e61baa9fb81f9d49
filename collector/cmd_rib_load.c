/*
 * cmd_rib_load.c -- "bgplens rib-load": load MRT RIB dumps (then update
 * files, applied in order) into the RIB and report what it costs.
 *
 * This is the RIB's benchmark and its end-to-end check against bgpdump:
 * --dump prints every route back in bgpdump -m's TABLE_DUMP2 form, so the
 * set of (peer, prefix, attributes) can be compared line for line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "archive.h"
#include "mrt.h"
#include "rib.h"

/*
 * Per source, the raw attribute bytes of its last route and the set they
 * interned to.  In a RIB dump, neighbouring prefixes of one origin carry
 * byte-identical attributes from a given peer: a memcmp then replaces the
 * decode and the interning.  The cache holds a reference on the set.
 */
#define RAWC_MAX	1024

struct rawc {
	uint32_t	attr;
	uint16_t	len;
	uint8_t		afi;
	uint8_t		bytes[RAWC_MAX];
};

struct load {
	struct rib	*rib;
	struct bgp_update *u;		/* decoder state for cache misses */
	struct rawc	*rawc;		/* by source */
	uint16_t	 n_rawc;
	uint16_t	*pidx;		/* TD2 peer index -> source */
	uint16_t	 n_pidx;
	uint64_t	 rib_entries, messages, announces, withdrawals;
	uint64_t	 treat_as_withdraw, errors;
	const char	*file;
};

static uint64_t
ctx_us(const struct mrt_ctx *c)
{
	return ((uint64_t)c->ts * 1000000u + c->usec);
}

static uint16_t
load_source(struct load *l, const struct addr *ip, uint32_t asn,
    uint32_t bgp_id)
{
	struct rib_source s;

	memset(&s, 0, sizeof(s));
	s.peer = *ip;
	s.peer_as = asn;
	s.peer_bgp_id = bgp_id;
	s.table = RIB_TBL_PEER;
	return (rib_source_find_or_add(l->rib, &s));
}

static void
on_peer_index(void *arg, const struct mrt_ctx *c,
    const struct mrt_peer_index *pi)
{
	struct load	*l = arg;
	uint16_t	 i;

	free(l->pidx);
	l->n_pidx = 0;
	if ((l->pidx = calloc(pi->n_peers ? pi->n_peers : 1,
	    sizeof(*l->pidx))) == NULL)
		return;
	for (i = 0; i < pi->n_peers; i++)
		l->pidx[i] = load_source(l, &pi->peers[i].ip,
		    pi->peers[i].asn, pi->peers[i].bgp_id);
	l->n_pidx = pi->n_peers;
}

/* The next hop of a route: MP_REACH's for MP families, else NEXT_HOP. */
static void
route_nexthop(const struct bgp_attrs *a, uint16_t afi, const struct addr **nh,
    const struct addr **ll)
{
	*nh = NULL;
	*ll = NULL;
	if (attrs_has(a, ATTR_MP_REACH_NLRI) && (afi == AFI_IPV6 ||
	    !attrs_has(a, ATTR_NEXT_HOP))) {
		*nh = &a->mp_reach.nexthop;
		*ll = &a->mp_reach.nexthop_ll;
	} else if (attrs_has(a, ATTR_NEXT_HOP))
		*nh = &a->nexthop;
}

static struct rawc *
rawc_get(struct load *l, uint16_t src)
{
	struct rawc	*n;
	uint32_t	 cap;

	if (src >= l->n_rawc) {
		cap = (uint32_t)src + 16;
		if (cap > RIB_MAX_SOURCES)
			cap = RIB_MAX_SOURCES;
		if ((n = realloc(l->rawc, cap * sizeof(*n))) == NULL)
			return (NULL);
		memset(n + l->n_rawc, 0, (cap - l->n_rawc) * sizeof(*n));
		l->rawc = n;
		l->n_rawc = (uint16_t)cap;
	}
	return (&l->rawc[src]);
}

/*
 * The interned set of a RIB entry's attribute block, from the cache or
 * decoded.  Returns a referenced id, or 0 when the entry is to be dropped.
 */
static uint32_t
entry_attr(struct load *l, const struct mrt_ctx *c, const struct mrt_rib *e,
    uint16_t src)
{
	struct rawc		*rc = rawc_get(l, src);
	struct bgp_neg		 neg;
	const struct addr	*nh, *ll;
	enum bgp_verdict	 v;
	uint32_t		 attr;

	if (rc != NULL && rc->attr != 0 && rc->len == e->attrs_len &&
	    rc->afi == e->afi && memcmp(rc->bytes, e->attrs, rc->len) == 0) {
		rib_attr_ref_id(l->rib, rc->attr);
		return (rc->attr);
	}
	memset(&neg, 0, sizeof(neg));
	neg.as4 = c->type == MRT_TABLE_DUMP_V2 ||
	    c->subtype == TD_AFI_IPV4_AS4 || c->subtype == TD_AFI_IPV6_AS4;
	v = bgp_attrs_decode(l->u, e->attrs, e->attrs_len, &neg,
	    c->type == MRT_TABLE_DUMP_V2 ? BGP_DEC_MRT_RIB : 0);
	if (v >= BGP_TREAT_AS_WITHDRAW) {
		l->treat_as_withdraw++;
		return (0);
	}
	route_nexthop(&l->u->a, e->afi, &nh, &ll);
	if ((attr = rib_attr_intern(l->rib, &l->u->a, nh, ll)) == 0) {
		l->errors++;
		return (0);
	}
	if (rc != NULL && e->attrs_len <= RAWC_MAX) {
		rib_attr_put(l->rib, rc->attr);
		rib_attr_ref_id(l->rib, attr);
		rc->attr = attr;
		rc->len = e->attrs_len;
		rc->afi = (uint8_t)e->afi;
		memcpy(rc->bytes, e->attrs, e->attrs_len);
	}
	return (attr);
}

static void
on_rib_entry(void *arg, const struct mrt_ctx *c, const struct mrt_rib *e)
{
	struct load		*l = arg;
	uint16_t		 src;
	uint32_t		 attr;

	/* The RIB holds unicast routes: other SAFIs would mix with them. */
	if (e->peer == NULL || e->safi != SAFI_UNICAST)
		return;
	if (c->type == MRT_TABLE_DUMP_V2 && e->peer_index < l->n_pidx)
		src = l->pidx[e->peer_index];
	else
		src = load_source(l, &e->peer->ip, e->peer->asn,
		    e->peer->bgp_id);
	if (src == RIB_NO_SOURCE)
		return;
	if (e->addpath)
		rib_source_set_addpath(l->rib, src, true);
	if (e->entry == 0 && e->n_entries > 1 && c->type == MRT_TABLE_DUMP_V2)
		rib_reserve(l->rib, &e->nlri.pfx, e->n_entries);
	if ((attr = entry_attr(l, c, e, src)) == 0)
		return;
	if (rib_update(l->rib, &e->nlri.pfx, src, e->addpath ?
	    e->nlri.path_id : 0, attr, ctx_us(c)) == -1)
		l->errors++;
	rib_attr_put(l->rib, attr);
	l->rib_entries++;
}

static void
on_message(void *arg, const struct mrt_ctx *c, const struct mrt_msg *m)
{
	struct load		*l = arg;
	struct rib_apply_stats	 st = { 0, 0, 0, 0 };
	uint16_t		 src;

	if (m->local || m->bgp_type != BGP_UPDATE)
		return;
	if (bgp_update_decode(l->u, m->body, m->body_len, &m->neg, 0) ==
	    BGP_SESSION_RESET)
		return;
	l->messages++;
	if ((src = load_source(l, &m->peer_ip, m->peer_as, 0)) == RIB_NO_SOURCE)
		return;
	rib_apply_update(l->rib, src, l->u, &m->neg, ctx_us(c), &st);
	l->announces += st.announced;
	l->withdrawals += st.withdrawn + st.treat_as_withdraw;
	l->treat_as_withdraw += st.treat_as_withdraw;
	l->errors += st.errors;
}

/* A session leaving Established takes its routes with it. */
static void
on_state(void *arg, const struct mrt_ctx *c, const struct mrt_state *s)
{
	struct load	*l = arg;
	uint16_t	 src;

	if (s->old_state != 6 || s->new_state == 6 || s->short_form)
		return;
	src = load_source(l, &s->peer_ip, s->peer_as, 0);
	if (src != RIB_NO_SOURCE)
		rib_source_flush(l->rib, src, ctx_us(c));
}

static void
on_error(void *arg, const char *file, uint64_t off, const char *msg)
{
	struct load *l = arg;

	l->errors++;
	fprintf(stderr, "bgplens rib-load: %s: offset %llu: %s\n", file,
	    (unsigned long long)off, msg);
}

static long
self_status_kb(const char *key)
{
	FILE	*f = fopen("/proc/self/status", "r");
	char	 line[256];
	long	 v = -1;
	size_t	 kl = strlen(key);

	if (f == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return (v);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static int
print_route(void *arg, const struct prefix *p, const struct route *rt)
{
	struct rib		*rib = arg;
	const struct rib_source	*s = rib_source_get(rib, rt->src);
	struct rib_attrs	 a;
	char			 pbuf[PREFIX_STRLEN], abuf[ADDR_STRLEN];
	char			 nbuf[ADDR_STRLEN], path[4096];
	json_t			*o;
	char			*txt;

	if (rib_attr_get(rib, rt->attr, &a) == -1)
		return (0);
	aspath_fmt(a.aspath, a.aspath_len, path, sizeof(path));
	o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:i, s:s, s:b}",
	    "prefix", prefix_fmt(p, pbuf, sizeof(pbuf)),
	    "peer", addr_fmt(&s->peer, abuf, sizeof(abuf)),
	    "peer_as", (json_int_t)s->peer_as,
	    "path_id", (json_int_t)rt->path_id,
	    "as_path", path,
	    "origin", a.origin,
	    "next_hop", a.nexthop.afi ? addr_fmt(&a.nexthop, nbuf,
	    sizeof(nbuf)) : "",
	    "best", (rt->flags & ROUTE_F_BEST) != 0);
	if (o == NULL)
		return (0);
	if (a.flags & RA_F_MED)
		json_object_set_new(o, "med", json_integer(a.med));
	if (a.flags & RA_F_LOCAL_PREF)
		json_object_set_new(o, "local_pref",
		    json_integer(a.local_pref));
	if ((txt = json_dumps(o, JSON_COMPACT)) != NULL) {
		puts(txt);
		free(txt);
	}
	json_decref(o);
	return (0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bgplens rib-load [--query PREFIX] "
	    "[--history EVENTS] [--write-rib OUT [--compress bz2|gz|none]] FILE...\n");
}

int
cmd_rib_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "query", required_argument, NULL, 'q' },
		{ "history", required_argument, NULL, 'H' },
		{ "write-rib", required_argument, NULL, 'w' },
		{ "compress", required_argument, NULL, 'z' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rib_config	 conf = { 0, 0, 0, 0 };
	struct load		 l;
	struct mrt_handlers	 h;
	struct mrt_reader	*rd;
	struct mrt_in		*in;
	struct rib_stats	 st;
	struct rib_query	 q;
	struct rib_cursor	 next;
	const char		*query = NULL, *out = NULL;
	enum archive_comp	 comp = ARCHIVE_NONE;
	double			 tw;
	char			 err[256];
	double			 t0, secs;
	int			 ch, i, rc = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "q:H:w:z:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			out = optarg;
			break;
		case 'z':
			if (strcmp(optarg, "bz2") == 0)
				comp = ARCHIVE_BZIP2;
			else if (strcmp(optarg, "gz") == 0)
				comp = ARCHIVE_GZIP;
			else if (strcmp(optarg, "none") == 0)
				comp = ARCHIVE_NONE;
			else {
				usage();
				return (2);
			}
			break;
		case 'q':
			query = optarg;
			break;
		case 'H':
			conf.history_max_events = strtoull(optarg, NULL, 10);
			break;
		default:
			usage();
			return (ch == 'h' ? 0 : 2);
		}
	}
	if (optind >= argc) {
		usage();
		return (2);
	}
	memset(&l, 0, sizeof(l));
	if ((l.rib = rib_new(&conf)) == NULL) {
		fprintf(stderr, "bgplens rib-load: out of memory\n");
		return (1);
	}
	memset(&h, 0, sizeof(h));
	h.on_peer_index = on_peer_index;
	h.on_rib_entry = on_rib_entry;
	h.on_message = on_message;
	h.on_state = on_state;
	h.on_error = on_error;
	h.arg = &l;
	/* Attributes are decoded here, on raw-cache misses only. */
	if ((l.u = bgp_update_new()) == NULL ||
	    (rd = mrt_reader_new(&h, MRT_RD_NO_ATTRS)) == NULL) {
		bgp_update_free(l.u);
		rib_free(l.rib);
		return (1);
	}
	t0 = now_s();
	rib_wrlock(l.rib);
	for (i = optind; i < argc; i++) {
		if ((in = mrt_in_open(argv[i], err, sizeof(err))) == NULL) {
			fprintf(stderr, "bgplens rib-load: %s: %s\n", argv[i],
			    err);
			rc = 1;
			continue;
		}
		l.file = argv[i];
		mrt_reader_run(rd, in);
		mrt_in_close(in);
	}
	rib_unlock(l.rib);
	secs = now_s() - t0;
	mrt_reader_free(rd);

	rib_stats(l.rib, &st);
	printf("{\"routes\":%llu,\"prefixes_ipv4\":%llu,\"prefixes_ipv6\":%llu,"
	    "\"sources\":%llu,\"attr_sets\":%llu,\"as_paths\":%llu,"
	    "\"community_lists\":%llu,\"rib_bytes\":%llu,"
	    "\"rib_bytes_tree\":%llu,\"rib_bytes_routes\":%llu,"
	    "\"rib_bytes_attrs\":%llu,\"rib_bytes_history\":%llu,"
	    "\"bytes_per_route\":%.1f,\"rss_bytes\":%ld,\"peak_rss_bytes\":%ld,"
	    "\"seconds\":%.3f,\"routes_per_second\":%.0f,"
	    "\"rib_entries\":%llu,\"update_messages\":%llu,"
	    "\"errors\":%llu,\"treat_as_withdraw\":%llu}\n",
	    (unsigned long long)st.routes, (unsigned long long)st.prefixes[0],
	    (unsigned long long)st.prefixes[1], (unsigned long long)st.sources,
	    (unsigned long long)st.attr_sets, (unsigned long long)st.aspaths,
	    (unsigned long long)st.community_lists,
	    (unsigned long long)st.bytes_total,
	    (unsigned long long)st.bytes_tree,
	    (unsigned long long)st.bytes_routes,
	    (unsigned long long)st.bytes_attrs,
	    (unsigned long long)st.bytes_history,
	    st.routes ? (double)st.bytes_total / (double)st.routes : 0.0,
	    self_status_kb("VmRSS") * 1024, self_status_kb("VmHWM") * 1024,
	    secs, secs > 0 ? (double)(l.rib_entries + l.announces +
	    l.withdrawals) / secs : 0.0,
	    (unsigned long long)l.rib_entries,
	    (unsigned long long)l.messages, (unsigned long long)l.errors,
	    (unsigned long long)l.treat_as_withdraw);

	if (query != NULL) {
		memset(&q, 0, sizeof(q));
		q.src = -1;
		if (prefix_parse(query, &q.pfx) == -1) {
			fprintf(stderr, "bgplens rib-load: bad prefix %s\n",
			    query);
			rc = 2;
		} else {
			q.match = strchr(query, '/') ? RIB_MATCH_EXACT :
			    RIB_MATCH_LONGEST;
			rib_rdlock(l.rib);
			rib_query(l.rib, &q, print_route, l.rib, &next);
			rib_unlock(l.rib);
		}
	}
	if (out != NULL) {
		rib_rdlock(l.rib);
		tw = now_s();
		if (rib_write_mrt(l.rib, out, comp, (uint32_t)time(NULL)) ==
		    -1) {
			fprintf(stderr, "bgplens rib-load: %s: write failed\n",
			    out);
			rc = 1;
		} else
			fprintf(stderr, "bgplens rib-load: wrote %s in %.2f s\n",
			    out, now_s() - tw);
		rib_unlock(l.rib);
	}
	for (i = 0; i < l.n_rawc; i++)
		rib_attr_put(l.rib, l.rawc[i].attr);
	free(l.rawc);
	free(l.pidx);
	bgp_update_free(l.u);
	rib_free(l.rib);
	return (rc);
}
