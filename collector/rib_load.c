/*
 * rib_load.c -- MRT files into the RIB (rib_load.h): RIB dumps through a
 * raw-attribute cache, update files message by message, state changes as
 * the sessions' ends.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrt.h"
#include "rib.h"
#include "rib_load.h"

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

struct rib_loader {
	struct rib	*rib;
	struct mrt_reader *rd;
	struct bgp_update *u;		/* decoder state for cache misses */
	struct rawc	*rawc;		/* by source */
	uint16_t	 n_rawc;
	uint16_t	*pidx;		/* TD2 peer index -> source */
	uint16_t	 n_pidx;
	unsigned	 flags;		/* RIB_LOAD_* */
	uint32_t	 since;
	rib_load_err_fn	 err_fn;
	void		*err_arg;
	rib_load_rec_fn	 rec_fn;
	void		*rec_arg;
	struct rib_load_stats st;
};

static uint64_t
ctx_us(const struct mrt_ctx *c)
{
	return ((uint64_t)c->ts * 1000000u + c->usec);
}

static uint16_t
load_source(struct rib_loader *l, const struct addr *ip, uint32_t asn,
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
	struct rib_loader	*l = arg;
	uint16_t	 i;

	l->st.dump_ts = c->ts;
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
rawc_get(struct rib_loader *l, uint16_t src)
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
entry_attr(struct rib_loader *l, const struct mrt_ctx *c, const struct mrt_rib *e,
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
		l->st.treat_as_withdraw++;
		return (0);
	}
	route_nexthop(&l->u->a, e->afi, &nh, &ll);
	if ((attr = rib_attr_intern(l->rib, &l->u->a, nh, ll)) == 0) {
		l->st.errors++;
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
	struct rib_loader	*l = arg;
	uint16_t		 src;
	uint32_t		 attr;
	int			 fi;

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
	if (e->addpath && (fi = afisafi_index(e->afi, SAFI_UNICAST)) >= 0)
		rib_source_set_addpath(l->rib, src,
		    rib_source_get(l->rib, src)->addpath | (uint16_t)(1u << fi));
	if (e->entry == 0 && e->n_entries > 1 && c->type == MRT_TABLE_DUMP_V2)
		rib_reserve(l->rib, &e->nlri.pfx, e->n_entries);
	if ((attr = entry_attr(l, c, e, src)) == 0)
		return;
	if (rib_update(l->rib, &e->nlri.pfx, src, e->addpath ?
	    e->nlri.path_id : 0, attr, ctx_us(c)) == -1)
		l->st.errors++;
	rib_attr_put(l->rib, attr);
	l->st.rib_entries++;
	if (l->rec_fn != NULL)
		l->rec_fn(l->rec_arg, ctx_us(c));
}

static void
on_message(void *arg, const struct mrt_ctx *c, const struct mrt_msg *m)
{
	struct rib_loader	*l = arg;
	struct rib_apply_stats	 st = { 0, 0, 0, 0 };
	uint16_t		 src;

	if (m->local || m->bgp_type != BGP_UPDATE)
		return;
	if (c->ts < l->since) {
		l->st.skipped++;
		return;
	}
	if (bgp_update_decode(l->u, m->body, m->body_len, &m->neg, 0) ==
	    BGP_SESSION_RESET)
		return;
	l->st.messages++;
	if ((src = load_source(l, &m->peer_ip, m->peer_as, 0)) == RIB_NO_SOURCE)
		return;
	rib_apply_update(l->rib, src, l->u, &m->neg, ctx_us(c), &st);
	l->st.announces += st.announced;
	l->st.withdrawals += st.withdrawn + st.treat_as_withdraw;
	l->st.treat_as_withdraw += st.treat_as_withdraw;
	l->st.errors += st.errors;
	if (l->rec_fn != NULL)
		l->rec_fn(l->rec_arg, ctx_us(c));
}

/*
 * A session leaving Established takes its routes with it (or, with
 * RIB_LOAD_STALE, leaves them stale until it comes back).
 */
static void
on_state(void *arg, const struct mrt_ctx *c, const struct mrt_state *s)
{
	struct rib_loader	*l = arg;
	uint16_t		 src;
	bool			 down, up;

	if (s->short_form)
		return;
	down = s->old_state == 6 && s->new_state != 6;
	up = s->old_state != 6 && s->new_state == 6;
	if (!down && !up)
		return;
	if (c->ts < l->since) {
		l->st.skipped++;
		return;
	}
	if ((src = load_source(l, &s->peer_ip, s->peer_as, 0)) ==
	    RIB_NO_SOURCE)
		return;
	l->st.states++;
	if (!(l->flags & RIB_LOAD_STALE)) {
		if (down)
			rib_source_flush(l->rib, src, ctx_us(c));
	} else if (down) {
		rib_source_mark_stale(l->rib, src, 0);
	} else
		rib_source_sweep_stale(l->rib, src, 0, ctx_us(c));
}

static void
on_error(void *arg, const char *file, uint64_t off, const char *msg)
{
	struct rib_loader *l = arg;

	l->st.errors++;
	if (l->err_fn != NULL)
		l->err_fn(l->err_arg, file, off, msg);
}

struct rib_loader *
rib_loader_new(struct rib *rib, unsigned flags, rib_load_err_fn fn,
    void *arg)
{
	struct rib_loader	*l;
	struct mrt_handlers	 h;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return (NULL);
	l->rib = rib;
	l->flags = flags;
	l->err_fn = fn;
	l->err_arg = arg;
	memset(&h, 0, sizeof(h));
	h.on_peer_index = on_peer_index;
	h.on_rib_entry = on_rib_entry;
	h.on_message = on_message;
	h.on_state = on_state;
	h.on_error = on_error;
	h.arg = l;
	/* Attributes are decoded here, on raw-cache misses only. */
	if ((l->u = bgp_update_new()) == NULL ||
	    (l->rd = mrt_reader_new(&h, MRT_RD_NO_ATTRS)) == NULL) {
		bgp_update_free(l->u);
		free(l);
		return (NULL);
	}
	return (l);
}

void
rib_loader_on_record(struct rib_loader *l, rib_load_rec_fn fn, void *arg)
{
	l->rec_fn = fn;
	l->rec_arg = arg;
}

void
rib_loader_since(struct rib_loader *l, uint32_t ts)
{
	l->since = ts;
}

int
rib_loader_file(struct rib_loader *l, const char *path, char *err,
    size_t errlen)
{
	struct mrt_in *in;

	if ((in = mrt_in_open(path, err, errlen)) == NULL)
		return (-1);
	mrt_reader_run(l->rd, in);
	mrt_in_close(in);
	return (0);
}

void
rib_loader_stats(const struct rib_loader *l, struct rib_load_stats *st)
{
	*st = l->st;
}

void
rib_loader_free(struct rib_loader *l)
{
	uint16_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n_rawc; i++)
		rib_attr_put(l->rib, l->rawc[i].attr);
	mrt_reader_free(l->rd);
	free(l->rawc);
	free(l->pidx);
	bgp_update_free(l->u);
	free(l);
}
