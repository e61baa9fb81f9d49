/*
 * rib.c -- the RIB: routes per prefix, interned attribute sets, best path
 * and history (see rib.h for the model).
 *
 * Per prefix, the tree node's value is a struct rib_entry: an 8-byte
 * header and an array of 12-byte routes sorted by (source, path id), with
 * their path ids in a side array only when one is non-zero; grown in
 * place, shrunk when half empty.  The array is the only per-prefix
 * allocation.
 *
 * An attribute set is interned as a fixed header (struct attr_hdr: the
 * fields best-path selection and queries need, at fixed offsets) followed
 * by the next hops and every other attribute as TLVs.  AS paths and the
 * three community lists are interned on their own and referenced by id:
 * they are the large, highly shared parts.
 *
 * History is a log of 32-byte events in 64 KiB chunks, numbered by a
 * 64-bit sequence.  Each event links to the previous event of the same
 * prefix; the entry keeps the newest.  An event holds a reference on the
 * attribute sets before and after, so a withdrawn route's attributes stay
 * readable while its event is kept.  A prefix whose last route is
 * withdrawn keeps its node until its newest event leaves the history; the
 * eviction deletes it then.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

#include "fslab.h"
#include "intern.h"
#include "rib.h"
#include "rtree.h"

/*
 * A route as an entry stores it: 12 bytes.  Its ADD-PATH path id is kept
 * apart, in an array after the routes that only entries holding a
 * non-zero path id have (the node's RN_PIDS bit says so): most sources
 * send none, and would pay 4 bytes a route for nothing.
 */
struct rroute {
	uint32_t	attr;		/* interned attribute set */
	uint32_t	since;		/* wall-clock seconds of last change */
	uint16_t	src;
	uint16_t	flags;		/* ROUTE_F_* */
};

/*
 * A prefix's routes: an 8-byte header, cap routes sorted by (source, path
 * id), then, with RN_PIDS, cap path ids.  last_ev is the low 32 bits of
 * the newest event's sequence number (entry_last() finds the rest).
 */
struct rib_entry {
	uint32_t	last_ev;	/* 0 = none */
	uint16_t	n;
	uint16_t	cap;
	struct rroute	r[];
};

#define RN_PIDS		0x0001		/* rtnode user bit: path ids kept */

/*
 * Small route arrays (up to ESLAB_MAXCAP routes: 248 bytes at most, with
 * path ids) come from free lists by size (fslab.h): malloc would add 8 to
 * 16 bytes to each, more than half of a one-route array's 20.
 */
#define ESLAB_MAXCAP	15

static uint32_t *
entry_pids(const struct rtnode *node, struct rib_entry *e)
{
	return ((node->user & RN_PIDS) ? (uint32_t *)(void *)&e->r[e->cap] :
	    NULL);
}

static uint32_t
pid_at(const uint32_t *pid, int i)
{
	return (pid != NULL ? pid[i] : 0);
}

static size_t
entry_size(uint32_t cap, bool pids)
{
	return (sizeof(struct rib_entry) + (size_t)cap *
	    (sizeof(struct rroute) + (pids ? sizeof(uint32_t) : 0)));
}

/* Route i of an entry as readers see it. */
static void
route_get(const struct rib_entry *e, const uint32_t *pid, int i,
    struct route *out)
{
	out->attr = e->r[i].attr;
	out->path_id = pid_at(pid, i);
	out->since = e->r[i].since;
	out->src = e->r[i].src;
	out->flags = e->r[i].flags;
}

/* Fixed part of an interned attribute set. */
struct attr_hdr {
	uint32_t	aspath;		/* intern ids, 0 = absent */
	uint32_t	comms;
	uint32_t	lcomms;
	uint32_t	ecomms;
	uint32_t	med;
	uint32_t	local_pref;
	uint32_t	origin_as;
	uint32_t	neighbor_as;
	uint16_t	aspath_count;
	uint8_t		origin;
	uint8_t		flags;		/* RA_F_* */
	uint8_t		nh_afi;
	uint8_t		nhll_afi;
	uint8_t		pad[2];
};

/*
 * A history event: 32 bytes.  Its time is microseconds after its chunk's
 * base, and its link to the previous event of the prefix a distance back
 * in sequence numbers, so both fit 32 bits (see the history section).
 */
struct hev {
	struct rtnode	*node;
	uint32_t	 dt_us;		/* time - chunk base */
	uint32_t	 back;		/* seq - previous event's seq, 0 = none */
	uint32_t	 path_id;
	uint32_t	 attr_old;
	uint32_t	 attr_new;
	uint16_t	 src;
	uint8_t		 type;
	uint8_t		 afi;
};

_Static_assert(sizeof(struct hev) == 32, "history events are 32 bytes");

/*
 * Events live in chunks of HC_EVENTS (64 KiB, mapped whole); chunk c holds
 * the sequence numbers c * HC_EVENTS + 1 and on.  A chunk also ends when
 * its next event would be more than HC_SPAN_US after its base: the slots
 * left are never used (holes), and the sequence jumps to the next chunk.
 */
#define HC_SHIFT	11
#define HC_EVENTS	(1u << HC_SHIFT)
#define HC_BYTES	((size_t)HC_EVENTS * sizeof(struct hev))
#define HC_SPAN_US	UINT32_MAX
/* Keeps every live back link within 32 bits, holes included. */
#define HIST_MAX_EVENTS	((uint64_t)1 << 31)

struct hchunk {
	struct hev	*ev;		/* HC_EVENTS slots */
	uint64_t	 base_us;	/* time of its first event */
	uint32_t	 used;		/* slots filled, from the first */
};

/*
 * A direct-mapped cache in front of attribute interning.  Interning a set
 * costs up to five table lookups (AS path, three community lists, the set);
 * the cache answers a repeated set with one keyed hash of its decoded
 * content and one probe.  Entries are weak: (id, serial) is checked to
 * still name a live set, so the cache never keeps a set alive.
 */
#define ACACHE_SIZE	(1u << 16)

struct acache {
	uint64_t	h;
	uint32_t	id;
	uint32_t	serial;
};

struct src_state {
	struct rib_source desc;
	uint64_t	routes[2];
	bool		used;
};

/* Lock figures: updated by every thread, hence atomic. */
struct lock_figs {
	_Atomic uint64_t reads, writes, yields;
	_Atomic uint64_t read_wait[RIB_LOCK_BUCKETS];
	_Atomic uint64_t write_hold[RIB_LOCK_BUCKETS];
	_Atomic uint64_t read_wait_max, write_hold_max;
};

struct rib {
	struct fslab	 es;		/* small route arrays */
	pthread_rwlock_t lock;
	uint64_t	 wr_since_ns;	/* write-locked since, 0 = not */
	struct lock_figs lf;
	struct rib_config conf;
	struct rtree	*tree[2];
	struct intern	*attrs;
	struct intern	*aspaths;
	struct intern	*comms;		/* all three community kinds */
	struct src_state *srcs;
	uint16_t	 n_srcs;
	uint16_t	 cap_srcs;
	uint64_t	 routes;
	uint64_t	 bytes_entries;
	/* history: a ring of chunk descriptors, see the history section */
	struct hchunk	*hc;
	uint64_t	 hc_cap;	/* descriptors, a power of two */
	uint64_t	 hc_lo;		/* number of the oldest mapped chunk */
	uint64_t	 hc_n;		/* chunks mapped */
	uint64_t	 ev_head;	/* oldest live seq */
	uint64_t	 ev_tail;	/* next seq; seqs start at 1 */
	uint64_t	 ev_count;	/* live events */
	uint64_t	 ev_recorded;	/* ever */
	uint64_t	 dropped_age, dropped_mem;
	uint64_t	 announces, withdraws, replaces;
	struct rtnode	*pinned;	/* being recorded: never removed */
	uint64_t	 clock_us;	/* latest change time seen */
	uint64_t	 lost_us;	/* latest time of an event not kept */
	bool		 lost;		/* some event was not kept */
	struct acache	*acache;	/* decoded set -> id, see below */
	rib_event_cb	 listener;	/* told of every change */
	void		*listener_arg;
	struct rtnode	*last_node;	/* node of last_pfx (see rib_node) */
	struct prefix	 last_pfx;
	uint8_t		 akey[16];
};

static int	afi_slot(uint8_t afi) { return (afi == AFI_IPV6 ? 1 : 0); }

const char *
rib_table_name(enum rib_table t)
{
	switch (t) {
	case RIB_TBL_PEER:
		return ("peer");
	case RIB_TBL_ADJ_IN_PRE:
		return ("adj-rib-in-pre");
	case RIB_TBL_ADJ_IN_POST:
		return ("adj-rib-in-post");
	case RIB_TBL_ADJ_OUT_PRE:
		return ("adj-rib-out-pre");
	case RIB_TBL_ADJ_OUT_POST:
		return ("adj-rib-out-post");
	case RIB_TBL_LOC_RIB:
		return ("loc-rib");
	}
	return ("unknown");
}

const char *
rib_ev_name(enum rib_ev_type t)
{
	switch (t) {
	case RIB_EV_ANNOUNCE:
		return ("announce");
	case RIB_EV_REPLACE:
		return ("replace");
	case RIB_EV_WITHDRAW:
		return ("withdraw");
	case RIB_EV_SOURCE_DOWN:
		return ("source-down");
	}
	return ("unknown");
}

struct rib *
rib_new(const struct rib_config *conf)
{
	struct rib		*r;
	pthread_rwlockattr_t	 la;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (NULL);
	r->conf = *conf;
	if (r->conf.history_max_events > HIST_MAX_EVENTS)
		r->conf.history_max_events = HIST_MAX_EVENTS;
	r->tree[0] = rtree_create(AFI_IPV4);
	r->tree[1] = rtree_create(AFI_IPV6);
	r->attrs = intern_new("attribute-sets");
	r->aspaths = intern_new("as-paths");
	r->comms = intern_new("communities");
	r->ev_head = r->ev_tail = 1;
	r->acache = calloc(ACACHE_SIZE, sizeof(*r->acache));
	if (getrandom(r->akey, sizeof(r->akey), 0) != (ssize_t)sizeof(r->akey))
		memset(r->akey, 0xa5, sizeof(r->akey));
	if (r->acache == NULL || r->tree[0] == NULL || r->tree[1] == NULL || r->attrs == NULL ||
	    r->aspaths == NULL || r->comms == NULL) {
		rib_free(r);
		return (NULL);
	}
	/*
	 * Prefer the writer: with glibc's default a steady stream of HTTP
	 * readers could hold ingest off indefinitely.
	 */
	pthread_rwlockattr_init(&la);
	pthread_rwlockattr_setkind_np(&la,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&r->lock, &la);
	pthread_rwlockattr_destroy(&la);
	return (r);
}

/* An array for cap routes: from the free lists when small. */
static struct rib_entry *
entry_alloc(struct rib *r, uint32_t cap, bool pids)
{
	if (cap <= ESLAB_MAXCAP)
		return (fslab_alloc(&r->es, entry_size(cap, pids)));
	return (malloc(entry_size(cap, pids)));
}

static void
entry_release(struct rib *r, struct rib_entry *e, bool pids)
{
	if (e == NULL)
		return;
	if (e->cap <= ESLAB_MAXCAP)
		fslab_free(&r->es, e, entry_size(e->cap, pids));
	else
		free(e);
}

static void
entry_free_cb(void *value, void *arg)
{
	struct rib		*r = arg;
	struct rib_entry	*e = value;
	uint16_t		 i;

	for (i = 0; i < e->n; i++)
		rib_attr_put(r, e->r[i].attr);
	/* Small ones go with their blocks. */
	if (e->cap > ESLAB_MAXCAP)
		free(e);
}

static void	hist_free(struct rib *);

void
rib_free(struct rib *r)
{
	if (r == NULL)
		return;
	hist_free(r);
	if (r->tree[0] != NULL)
		rtree_destroy(r->tree[0], entry_free_cb, r);
	if (r->tree[1] != NULL)
		rtree_destroy(r->tree[1], entry_free_cb, r);
	fslab_destroy(&r->es);
	intern_free(r->attrs);
	intern_free(r->aspaths);
	intern_free(r->comms);
	free(r->srcs);
	free(r->acache);
	if (r->tree[0] != NULL && r->tree[1] != NULL)
		pthread_rwlock_destroy(&r->lock);
	free(r);
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
}

/*
 * Quarter-octave buckets of v = us + 1: b = 4 * floor(log2(v)) + the two
 * bits after the top one, so a bucket's bound is within 25% of any value
 * in it.  Below v = 4 there are no two bits after the top one: the octave
 * is one bucket (q = 0) and the other three stay empty.
 */
static unsigned
lock_bucket(uint64_t us)
{
	uint64_t	v = us + 1;
	unsigned	msb = 63u - (unsigned)__builtin_clzll(v), b;

	b = msb * 4 + (msb < 2 ? 0 : (unsigned)((v >> (msb - 2)) & 3));
	return (b < RIB_LOCK_BUCKETS ? b : RIB_LOCK_BUCKETS - 1);
}

uint64_t
rib_lock_bucket_us(unsigned b)
{
	unsigned msb = b / 4, q = b % 4;

	if (msb < 2)
		return (((uint64_t)1 << (msb + 1)) - 1);
	return ((((uint64_t)4 + q + 1) << (msb - 2)) - 1);
}

uint64_t
rib_lock_quantile_us(const uint64_t h[RIB_LOCK_BUCKETS], double q)
{
	uint64_t	total = 0, acc = 0;
	unsigned	b;

	for (b = 0; b < RIB_LOCK_BUCKETS; b++)
		total += h[b];
	if (total == 0)
		return (0);
	for (b = 0; b < RIB_LOCK_BUCKETS; b++) {
		acc += h[b];
		if ((double)acc >= q * (double)total)
			break;
	}
	return (rib_lock_bucket_us(b < RIB_LOCK_BUCKETS ? b :
	    RIB_LOCK_BUCKETS - 1));
}

static void
lock_note(_Atomic uint64_t *hist, _Atomic uint64_t *max, uint64_t ns)
{
	uint64_t us = ns / 1000, m;

	atomic_fetch_add_explicit(&hist[lock_bucket(us)], 1,
	    memory_order_relaxed);
	m = atomic_load_explicit(max, memory_order_relaxed);
	while (us > m && !atomic_compare_exchange_weak_explicit(max, &m, us,
	    memory_order_relaxed, memory_order_relaxed))
		;
}

void
rib_wrlock(struct rib *r)
{
	pthread_rwlock_wrlock(&r->lock);
	r->wr_since_ns = mono_ns();
	atomic_fetch_add_explicit(&r->lf.writes, 1, memory_order_relaxed);
}

void
rib_rdlock(struct rib *r)
{
	uint64_t t0 = mono_ns();

	pthread_rwlock_rdlock(&r->lock);
	atomic_fetch_add_explicit(&r->lf.reads, 1, memory_order_relaxed);
	lock_note(r->lf.read_wait, &r->lf.read_wait_max, mono_ns() - t0);
}

void
rib_unlock(struct rib *r)
{
	/*
	 * Set only while write-locked, and only the writer can unlock
	 * then: readers find it 0.
	 */
	if (r->wr_since_ns != 0) {
		lock_note(r->lf.write_hold, &r->lf.write_hold_max,
		    mono_ns() - r->wr_since_ns);
		r->wr_since_ns = 0;
	}
	pthread_rwlock_unlock(&r->lock);
}

/*
 * With the writer-preferring lock, readers that arrived while the writer
 * held it are queued; the unlock hands the lock to them (glibc switches
 * to a read phase when readers wait), and the writer's next wrlock waits
 * for them to finish.  So a reader waits at most about write_hold_us.
 */
bool
rib_wryield(struct rib *r)
{
	if (r->conf.write_hold_us == 0 || r->wr_since_ns == 0 ||
	    mono_ns() - r->wr_since_ns < r->conf.write_hold_us * 1000ull)
		return (false);
	rib_unlock(r);
	rib_wrlock(r);
	atomic_fetch_add_explicit(&r->lf.yields, 1, memory_order_relaxed);
	return (true);
}

void
rib_lock_stats(struct rib *r, struct rib_lock_stats *s)
{
	unsigned b;

	s->reads = atomic_load(&r->lf.reads);
	s->writes = atomic_load(&r->lf.writes);
	s->yields = atomic_load(&r->lf.yields);
	for (b = 0; b < RIB_LOCK_BUCKETS; b++) {
		s->read_wait[b] = atomic_load(&r->lf.read_wait[b]);
		s->write_hold[b] = atomic_load(&r->lf.write_hold[b]);
	}
	s->read_wait_max_us = atomic_load(&r->lf.read_wait_max);
	s->write_hold_max_us = atomic_load(&r->lf.write_hold_max);
}

/*
 * Sources.
 */

uint16_t
rib_source_add(struct rib *r, const struct rib_source *s)
{
	struct src_state *ns;

	if (r->n_srcs >= RIB_MAX_SOURCES - 1)
		return (RIB_NO_SOURCE);
	if (r->n_srcs == r->cap_srcs) {
		uint32_t nc = r->cap_srcs ? r->cap_srcs * 2u : 16u;

		if (nc > RIB_MAX_SOURCES)
			nc = RIB_MAX_SOURCES;
		ns = realloc(r->srcs, nc * sizeof(*ns));
		if (ns == NULL)
			return (RIB_NO_SOURCE);
		r->srcs = ns;
		r->cap_srcs = (uint16_t)nc;
	}
	memset(&r->srcs[r->n_srcs], 0, sizeof(r->srcs[0]));
	r->srcs[r->n_srcs].desc = *s;
	r->srcs[r->n_srcs].used = true;
	return (r->n_srcs++);
}

static bool
source_same(const struct rib_source *a, const struct rib_source *b)
{
	return (addr_cmp(&a->peer, &b->peer) == 0 && a->peer_as == b->peer_as &&
	    addr_cmp(&a->router, &b->router) == 0 &&
	    a->distinguisher == b->distinguisher && a->table == b->table);
}

uint16_t
rib_source_find_or_add(struct rib *r, const struct rib_source *s)
{
	uint16_t i;

	for (i = 0; i < r->n_srcs; i++)
		if (source_same(&r->srcs[i].desc, s))
			return (i);
	return (rib_source_add(r, s));
}

const struct rib_source *
rib_source_get(const struct rib *r, uint16_t i)
{
	return (i < r->n_srcs ? &r->srcs[i].desc : NULL);
}

void
rib_source_set_addpath(struct rib *r, uint16_t i, uint16_t families)
{
	if (i < r->n_srcs)
		r->srcs[i].desc.addpath = families;
}

uint16_t
rib_source_count(const struct rib *r)
{
	return (r->n_srcs);
}

uint64_t
rib_source_routes(const struct rib *r, uint16_t i, uint8_t afi)
{
	return (i < r->n_srcs ? r->srcs[i].routes[afi_slot(afi)] : 0);
}

/*
 * Attribute sets.
 */

/* Append one TLV (flags, type, 2-octet length, value). */
static void
tlv_put(struct wr *w, uint8_t flags, uint8_t type, const void *p, size_t len)
{
	wr_u8(w, flags);
	wr_u8(w, type);
	wr_u16(w, (uint16_t)len);
	wr_bytes(w, p, len);
}

static bool
attr_broken_out(uint8_t type)
{
	switch (type) {
	case ATTR_ORIGIN:
	case ATTR_AS_PATH:
	case ATTR_NEXT_HOP:
	case ATTR_MED:
	case ATTR_LOCAL_PREF:
	case ATTR_COMMUNITIES:
	case ATTR_LARGE_COMMUNITIES:
	case ATTR_EXT_COMMUNITIES:
	case ATTR_MP_REACH_NLRI:
	case ATTR_MP_UNREACH_NLRI:
	case ATTR_AS4_PATH:		/* merged into the path */
	case ATTR_AS4_AGGREGATOR:	/* merged into AGGREGATOR */
	case ATTR_AGGREGATOR:		/* written reconciled */
		return (true);
	}
	return (false);
}

/* The interned form: header, next hops, then the other attributes. */
static void
attr_serialize(struct wr *w, const struct attr_hdr *h,
    const struct bgp_attrs *a, const struct addr *nh, const struct addr *nhll)
{
	uint8_t		aggr[8];
	uint16_t	i, j, n = 0, tmp, idx[BGP_MAX_ATTRS];
	bool		aggr_done = !attrs_has(a, ATTR_AGGREGATOR);

	wr_bytes(w, h, sizeof(*h));
	if (h->nh_afi)
		wr_bytes(w, nh->b, afi_bytes(h->nh_afi));
	if (h->nhll_afi)
		wr_bytes(w, nhll->b, afi_bytes(h->nhll_afi));
	/*
	 * The other attributes in type order, whatever their order on the
	 * wire (RFC 4271 only asks senders to sort, receivers must not
	 * care): equal sets must serialize equal.  Types are unique here,
	 * the decoder having dropped duplicates.  Insertion sort: few.
	 */
	for (i = 0; i < a->n_raw && i < BGP_MAX_ATTRS; i++) {
		if (attr_broken_out(a->raw[i].type))
			continue;
		for (j = n; j > 0 && a->raw[idx[j - 1]].type > a->raw[i].type;
		    j--)
			idx[j] = idx[j - 1];
		idx[j] = i;
		n++;
	}
	for (j = 0; j <= n; j++) {
		if (!aggr_done && (j == n ||
		    a->raw[idx[j]].type > ATTR_AGGREGATOR)) {
			/* Always 4-octet: AS4_AGGREGATOR is folded in. */
			aggr[0] = (uint8_t)(a->aggr_as >> 24);
			aggr[1] = (uint8_t)(a->aggr_as >> 16);
			aggr[2] = (uint8_t)(a->aggr_as >> 8);
			aggr[3] = (uint8_t)a->aggr_as;
			memcpy(aggr + 4, a->aggr_addr.b, 4);
			tlv_put(w, ATTR_F_OPTIONAL | ATTR_F_TRANSITIVE,
			    ATTR_AGGREGATOR, aggr, 8);
			aggr_done = true;
		}
		if (j == n)
			break;
		tmp = idx[j];
		tlv_put(w, a->raw[tmp].flags & ~ATTR_F_EXTLEN, a->raw[tmp].type,
		    a->raw[tmp].data, a->raw[tmp].len);
	}
}

static uint32_t
intern_opt(struct intern *t, const uint8_t *p, size_t len, bool present)
{
	if (!present)
		return (0);
	return (intern_get(t, p, len));
}

/* Everything that makes a set distinct, flat, for the cache's hash. */
static void
acache_key(struct wr *w, const struct bgp_attrs *a, const struct addr *nh,
    const struct addr *nhll)
{
	uint16_t i;

	wr_u64(w, a->seen);
	wr_u8(w, a->origin);
	wr_u32(w, a->med);
	wr_u32(w, a->local_pref);
	wr_u32(w, a->aggr_as);
	wr_bytes(w, a->aggr_addr.b, 4);
	/* Which next hops are there, or (nh, none) = (none, nh). */
	wr_u8(w, (nh != NULL) | (nhll != NULL) << 1);
	wr_bytes(w, nh != NULL ? (const void *)nh : (const void *)"", nh ?
	    sizeof(*nh) : 0);
	wr_bytes(w, nhll != NULL ? (const void *)nhll : (const void *)"",
	    nhll ? sizeof(*nhll) : 0);
	wr_u32(w, a->aspath_len);
	wr_bytes(w, a->aspath, a->aspath_len);
	wr_u16(w, a->communities_len);
	wr_bytes(w, a->communities, a->communities_len);
	wr_u16(w, a->large_communities_len);
	wr_bytes(w, a->large_communities, a->large_communities_len);
	wr_u16(w, a->ext_communities_len);
	wr_bytes(w, a->ext_communities, a->ext_communities_len);
	for (i = 0; i < a->n_raw; i++) {
		if (attr_broken_out(a->raw[i].type))
			continue;
		wr_u8(w, a->raw[i].type);
		wr_u8(w, a->raw[i].flags & ~ATTR_F_EXTLEN);
		wr_u16(w, a->raw[i].len);
		wr_bytes(w, a->raw[i].data, a->raw[i].len);
	}
}

static uint32_t	rib_attr_intern_slow(struct rib *, const struct bgp_attrs *,
		    const struct addr *, const struct addr *);

uint32_t
rib_attr_intern(struct rib *r, const struct bgp_attrs *a,
    const struct addr *nh, const struct addr *nhll)
{
	uint8_t		 buf[4096];
	struct wr	 w;
	struct acache	*c = NULL;
	uint64_t	 h = 0;
	uint32_t	 id;

	wr_init_fixed(&w, buf, sizeof(buf));
	acache_key(&w, a, nh, nhll);
	if (wr_ok(&w)) {
		h = siphash13(r->akey, wr_data(&w), wr_len(&w));
		c = &r->acache[h & (ACACHE_SIZE - 1)];
		if (c->h == h && c->id != 0 &&
		    intern_serial(r->attrs, c->id) == c->serial) {
			intern_ref(r->attrs, c->id);
			return (c->id);
		}
	}
	id = rib_attr_intern_slow(r, a, nh, nhll);
	if (c != NULL && id != 0) {
		c->h = h;
		c->id = id;
		c->serial = intern_serial(r->attrs, id);
	}
	return (id);
}

static uint32_t
rib_attr_intern_slow(struct rib *r, const struct bgp_attrs *a,
    const struct addr *nh, const struct addr *nhll)
{
	uint8_t		 buf[2048];
	struct wr	 w;
	struct attr_hdr	 h;
	uint32_t	 id;

	memset(&h, 0, sizeof(h));
	h.origin = a->origin;
	if (attrs_has(a, ATTR_ORIGIN))
		h.flags |= RA_F_ORIGIN;
	if (attrs_has(a, ATTR_AS_PATH)) {
		h.flags |= RA_F_ASPATH;
		h.aspath = intern_get(r->aspaths, a->aspath, a->aspath_len);
		if (h.aspath == 0)
			return (0);
		h.aspath_count = (uint16_t)aspath_count(a->aspath,
		    a->aspath_len);
		h.origin_as = aspath_origin(a->aspath, a->aspath_len);
		h.neighbor_as = aspath_first(a->aspath, a->aspath_len);
	}
	if (attrs_has(a, ATTR_MED)) {
		h.flags |= RA_F_MED;
		h.med = a->med;
	}
	if (attrs_has(a, ATTR_LOCAL_PREF)) {
		h.flags |= RA_F_LOCAL_PREF;
		h.local_pref = a->local_pref;
	}
	if (attrs_has(a, ATTR_ATOMIC_AGGREGATE))
		h.flags |= RA_F_ATOMIC;
	if (attrs_has(a, ATTR_AGGREGATOR))
		h.flags |= RA_F_AGGREGATOR;
	/*
	 * One table for the three kinds.  Equal bytes of two kinds share a
	 * string, which is harmless: the header says which kind each id is.
	 */
	h.comms = intern_opt(r->comms, a->communities, a->communities_len,
	    attrs_has(a, ATTR_COMMUNITIES));
	h.lcomms = intern_opt(r->comms, a->large_communities,
	    a->large_communities_len, attrs_has(a, ATTR_LARGE_COMMUNITIES));
	h.ecomms = intern_opt(r->comms, a->ext_communities,
	    a->ext_communities_len, attrs_has(a, ATTR_EXT_COMMUNITIES));
	if ((attrs_has(a, ATTR_COMMUNITIES) && h.comms == 0) ||
	    (attrs_has(a, ATTR_LARGE_COMMUNITIES) && h.lcomms == 0) ||
	    (attrs_has(a, ATTR_EXT_COMMUNITIES) && h.ecomms == 0)) {
		/* Out of memory: fail rather than drop a list silently. */
		intern_put(r->aspaths, h.aspath);
		intern_put(r->comms, h.comms);
		intern_put(r->comms, h.lcomms);
		intern_put(r->comms, h.ecomms);
		return (0);
	}
	if (nh != NULL && nh->afi != 0)
		h.nh_afi = nh->afi;
	if (nhll != NULL && nhll->afi != 0)
		h.nhll_afi = nhll->afi;

	/* Nearly every set fits the stack buffer; the rest go to the heap. */
	wr_init_fixed(&w, buf, sizeof(buf));
	attr_serialize(&w, &h, a, nh, nhll);
	if (!wr_ok(&w)) {
		wr_init(&w, 4096, 1 << 20);
		attr_serialize(&w, &h, a, nh, nhll);
	}
	id = 0;
	if (wr_ok(&w))
		id = intern_get(r->attrs, wr_data(&w), wr_len(&w));
	wr_free(&w);
	/*
	 * A set seen before already holds references on its parts: give
	 * back the ones taken above.
	 */
	if (id == 0 || intern_refcnt(r->attrs, id) > 1) {
		intern_put(r->aspaths, h.aspath);
		intern_put(r->comms, h.comms);
		intern_put(r->comms, h.lcomms);
		intern_put(r->comms, h.ecomms);
	}
	return (id);
}

static const struct attr_hdr *
attr_hdr(const struct rib *r, uint32_t id)
{
	size_t len;
	const uint8_t *p = intern_data(r->attrs, id, &len);

	if (p == NULL || len < sizeof(struct attr_hdr))
		return (NULL);
	return ((const struct attr_hdr *)(const void *)p);
}

void
rib_attr_put(struct rib *r, uint32_t id)
{
	const struct attr_hdr	*h;
	struct attr_hdr		 copy;

	if (id == 0)
		return;
	if (intern_refcnt(r->attrs, id) == 1 && (h = attr_hdr(r, id)) != NULL) {
		copy = *h;
		intern_put(r->attrs, id);
		intern_put(r->aspaths, copy.aspath);
		intern_put(r->comms, copy.comms);
		intern_put(r->comms, copy.lcomms);
		intern_put(r->comms, copy.ecomms);
		return;
	}
	intern_put(r->attrs, id);
}

static void
rib_attr_ref(struct rib *r, uint32_t id)
{
	intern_ref(r->attrs, id);
}

void
rib_attr_ref_id(struct rib *r, uint32_t id)
{
	rib_attr_ref(r, id);
}

int
rib_attr_get(const struct rib *r, uint32_t id, struct rib_attrs *out)
{
	size_t			 len, off;
	const uint8_t		*p = intern_data(r->attrs, id, &len);
	struct attr_hdr		 h;

	memset(out, 0, sizeof(*out));
	if (p == NULL || len < sizeof(h))
		return (-1);
	memcpy(&h, p, sizeof(h));
	out->origin = h.origin;
	out->flags = h.flags;
	out->aspath_count = h.aspath_count;
	out->med = h.med;
	out->local_pref = h.local_pref;
	out->origin_as = h.origin_as;
	out->neighbor_as = h.neighbor_as;
	off = sizeof(h);
	if (h.nh_afi) {
		addr_set_bytes(&out->nexthop, h.nh_afi, p + off);
		off += afi_bytes(h.nh_afi);
	}
	if (h.nhll_afi) {
		addr_set_bytes(&out->nexthop_ll, h.nhll_afi, p + off);
		off += afi_bytes(h.nhll_afi);
	}
	out->other = p + off;
	out->other_len = len - off;
	out->aspath = intern_data(r->aspaths, h.aspath, &out->aspath_len);
	out->communities = intern_data(r->comms, h.comms,
	    &out->communities_len);
	out->large_communities = intern_data(r->comms, h.lcomms,
	    &out->large_communities_len);
	out->ext_communities = intern_data(r->comms, h.ecomms,
	    &out->ext_communities_len);
	return (0);
}

/*
 * The steps after MED (RFC 4271 9.1.2.2 d-g with the tie-breaks routers
 * commonly use): a total order, so any scan finds the same minimum.
 */
static int
best_tiebreak(struct rib *r, const struct route *a, const struct route *b)
{
	const struct rib_source	*sa = &r->srcs[a->src].desc;
	const struct rib_source	*sb = &r->srcs[b->src].desc;
	int			 c;

	/* 5. eBGP over iBGP. */
	if (sa->ibgp != sb->ibgp)
		return (sa->ibgp ? 1 : -1);
	/* 6. Oldest route: the most stable one (RFC 5004). */
	if (a->since != b->since)
		return (a->since < b->since ? -1 : 1);
	/* 7. Lowest router id. */
	if (sa->peer_bgp_id != sb->peer_bgp_id)
		return (sa->peer_bgp_id < sb->peer_bgp_id ? -1 : 1);
	/* 8. Lowest peer address. */
	if ((c = addr_cmp(&sa->peer, &sb->peer)) != 0)
		return (c < 0 ? -1 : 1);
	/* Deterministic to the end: source, then path id. */
	if (a->src != b->src)
		return (a->src < b->src ? -1 : 1);
	return (a->path_id < b->path_id ? -1 : a->path_id > b->path_id);
}

static uint32_t
hdr_lp(const struct attr_hdr *h)
{
	/* Absent LOCAL_PREF counts as the usual default, 100. */
	return ((h->flags & RA_F_LOCAL_PREF) ? h->local_pref : 100);
}

static uint32_t
hdr_med(const struct attr_hdr *h)
{
	/* RFC 4271 9.1.2.2 c: a missing MED is the lowest value. */
	return ((h->flags & RA_F_MED) ? h->med : 0);
}

/*
 * Best path (RFC 4271 9.1.2.2), pairwise.  Each step decides only when
 * the routes differ in it.  Over more than two routes this is not a total
 * order (MED compares only routes of the same neighbour AS): selection
 * uses routes_best(), which agrees with it on any two routes.
 */
int
rib_best_cmp(struct rib *r, const struct route *a, const struct route *b)
{
	const struct attr_hdr	*ha = attr_hdr(r, a->attr);
	const struct attr_hdr	*hb = attr_hdr(r, b->attr);

	if (ha == NULL || hb == NULL)
		return (ha == NULL) - (hb == NULL);
	/* 1. Highest LOCAL_PREF. */
	if (hdr_lp(ha) != hdr_lp(hb))
		return (hdr_lp(ha) > hdr_lp(hb) ? -1 : 1);
	/* 2. Shortest AS_PATH (a set counts 1, confederations 0). */
	if (ha->aspath_count != hb->aspath_count)
		return (ha->aspath_count < hb->aspath_count ? -1 : 1);
	/* 3. Lowest ORIGIN: IGP < EGP < INCOMPLETE. */
	if (ha->origin != hb->origin)
		return (ha->origin < hb->origin ? -1 : 1);
	/* 4. Lowest MED, only between routes from the same neighbour AS. */
	if (ha->neighbor_as == hb->neighbor_as && hdr_med(ha) != hdr_med(hb))
		return (hdr_med(ha) < hdr_med(hb) ? -1 : 1);
	return (best_tiebreak(r, a, b));
}

struct bcand {
	const struct attr_hdr	*h;
	uint32_t		 lp;
	uint32_t		 med;
	uint32_t		 i;
};

static int
bcand_cmp_nbr_med(const void *pa, const void *pb)
{
	const struct bcand *a = pa, *b = pb;

	if (a->h->neighbor_as != b->h->neighbor_as)
		return (a->h->neighbor_as < b->h->neighbor_as ? -1 : 1);
	if (a->med != b->med)
		return (a->med < b->med ? -1 : 1);
	return (a->i < b->i ? -1 : a->i > b->i);
}

/*
 * The best of n routes, RFC 4271 9.1.2.2 by elimination: each step keeps
 * the routes best in it.  MED removes every route that another route of
 * the same neighbour AS beats on MED, whichever other routes there are.
 * (A scan keeping the pairwise winner depends on the order of the routes:
 * A beats B on router id, B beats C on router id, C beats A on MED; the
 * RFC removes A, then B wins.)  Returns the index, -1 when n is 0.
 */
static long
routes_best(struct rib *r, const struct route *v, size_t n)
{
	struct bcand		 stack[32], *c;
	const struct attr_hdr	*h;
	size_t			 i, j, k = 0, m;
	uint32_t		 lim, drop;
	long			 best;

	if (n == 0)
		return (-1);
	if (n <= sizeof(stack) / sizeof(stack[0]))
		c = stack;
	else if ((c = calloc(n, sizeof(*c))) == NULL) {
		/* No memory: the pairwise scan is close enough. */
		for (best = 0, i = 1; i < n; i++)
			if (rib_best_cmp(r, &v[i], &v[best]) < 0)
				best = (long)i;
		return (best);
	}
	for (i = 0; i < n; i++) {
		if ((h = attr_hdr(r, v[i].attr)) == NULL)
			continue;
		c[k].h = h;
		c[k].lp = hdr_lp(h);
		c[k].med = hdr_med(h);
		c[k].i = (uint32_t)i;
		k++;
	}
	if (k == 0) {
		best = 0;
		goto done;
	}
	/* 1. Highest LOCAL_PREF. */
	for (lim = 0, i = 0; i < k; i++)
		if (c[i].lp > lim)
			lim = c[i].lp;
	for (m = 0, i = 0; i < k; i++)
		if (c[i].lp == lim)
			c[m++] = c[i];
	k = m;
	/* 2. Shortest AS path. */
	for (lim = UINT32_MAX, i = 0; i < k; i++)
		if (c[i].h->aspath_count < lim)
			lim = c[i].h->aspath_count;
	for (m = 0, i = 0; i < k; i++)
		if (c[i].h->aspath_count == lim)
			c[m++] = c[i];
	k = m;
	/* 3. Lowest ORIGIN. */
	for (lim = UINT32_MAX, i = 0; i < k; i++)
		if (c[i].h->origin < lim)
			lim = c[i].h->origin;
	for (m = 0, i = 0; i < k; i++)
		if (c[i].h->origin == lim)
			c[m++] = c[i];
	k = m;
	/* 4. Per neighbour AS, the lowest MED only. */
	if (k > 1 && k <= 32) {
		/* Few: pairwise, no sort. */
		for (drop = 0, i = 0; i < k; i++)
			for (j = 0; j < k; j++)
				if (c[j].med < c[i].med &&
				    c[j].h->neighbor_as == c[i].h->neighbor_as) {
					drop |= 1u << i;
					break;
				}
		for (m = 0, i = 0; i < k; i++)
			if (!(drop & (1u << i)))
				c[m++] = c[i];
		k = m;
	} else if (k > 1) {
		qsort(c, k, sizeof(*c), bcand_cmp_nbr_med);
		for (m = 0, i = 0; i < k; i = j) {
			for (j = i; j < k &&
			    c[j].h->neighbor_as == c[i].h->neighbor_as; j++)
				if (c[j].med == c[i].med)
					c[m++] = c[j];
		}
		k = m;
	}
	/* 5 and on: a total order. */
	best = c[0].i;
	for (i = 1; i < k; i++)
		if (best_tiebreak(r, &v[c[i].i], &v[best]) < 0)
			best = c[i].i;
done:
	if (c != stack)
		free(c);
	return (best);
}

/* The best of an entry's routes (routes_best() works on struct route). */
static long
entry_routes_best(struct rib *r, struct rtnode *node, struct rib_entry *e)
{
	struct route	 buf[32], *v = buf;
	const uint32_t	*pid = entry_pids(node, e);
	long		 best;
	int		 i;

	if (e->n == 0)
		return (-1);
	if (e->n > 32 && (v = calloc(e->n, sizeof(*v))) == NULL)
		return (0);	/* no memory: some route is better than none */
	for (i = 0; i < e->n; i++)
		route_get(e, pid, i, &v[i]);
	best = routes_best(r, v, e->n);
	if (v != buf)
		free(v);
	return (best);
}

static void
entry_best(struct rib *r, struct rtnode *node, struct rib_entry *e)
{
	uint16_t	i;
	long		best;

	for (i = 0; i < e->n; i++)
		e->r[i].flags &= (uint16_t)~ROUTE_F_BEST;
	if ((best = entry_routes_best(r, node, e)) >= 0)
		e->r[best].flags |= ROUTE_F_BEST;
}

/*
 * History.
 *
 * Events are numbered by a 64-bit sequence from 1 and stored in chunks
 * of HC_EVENTS, each mapped whole when its first event comes and
 * unmapped when the oldest live event has moved past it: a chunk costs
 * one mmap per 2048 events, never a copy of what is kept (a ring grown
 * by doubling copies it all and needs half as much again while it does).
 * The chunk descriptors form a small ring of their own, grown by
 * doubling; it is 24 bytes per 64 KiB of events.
 *
 * Events are evicted one at a time, oldest first (by age, or to make
 * room when max_events are kept); a chunk goes when its last one does.
 */

static struct hchunk *
hc_of(const struct rib *r, uint64_t seq)
{
	return (&r->hc[((seq - 1) >> HC_SHIFT) & (r->hc_cap - 1)]);
}

static uint32_t
hc_slot(uint64_t seq)
{
	return ((uint32_t)((seq - 1) & (HC_EVENTS - 1)));
}

/* First sequence number of the chunk after seq's. */
static uint64_t
hc_next(uint64_t seq)
{
	return ((((seq - 1) >> HC_SHIFT) + 1) * HC_EVENTS + 1);
}

static bool
ev_live(const struct rib *r, uint64_t seq)
{
	return (seq != 0 && seq >= r->ev_head && seq < r->ev_tail &&
	    hc_slot(seq) < hc_of(r, seq)->used);
}

static struct hev *
ev_at(const struct rib *r, uint64_t seq)
{
	return (&hc_of(r, seq)->ev[hc_slot(seq)]);
}

static uint64_t
ev_time(const struct rib *r, uint64_t seq)
{
	return (hc_of(r, seq)->base_us + ev_at(r, seq)->dt_us);
}

/* The previous event of the same prefix, 0 for none. */
static uint64_t
ev_prev(const struct rib *r, uint64_t seq)
{
	uint32_t back = ev_at(r, seq)->back;

	return (back != 0 ? seq - back : 0);
}

static void
hev_release(struct rib *r, struct hev *h)
{
	rib_attr_put(r, h->attr_old);
	rib_attr_put(r, h->attr_new);
}

/* Unmap the oldest chunk; its events are gone already. */
static void
hc_drop_oldest(struct rib *r)
{
	struct hchunk *c = &r->hc[r->hc_lo & (r->hc_cap - 1)];

	munmap(c->ev, HC_BYTES);
	memset(c, 0, sizeof(*c));
	r->hc_lo++;
	r->hc_n--;
}

/*
 * After the head moved: step over the holes at the end of its chunk and
 * unmap the chunks wholly behind it.
 */
static void
hc_settle(struct rib *r)
{
	uint64_t head_chunk;

	while (r->ev_head < r->ev_tail &&
	    hc_slot(r->ev_head) >= hc_of(r, r->ev_head)->used)
		r->ev_head = hc_next(r->ev_head);
	head_chunk = (r->ev_head - 1) >> HC_SHIFT;
	while (r->hc_n > 0 && r->hc_lo < head_chunk)
		hc_drop_oldest(r);
}

/* Map the chunk of the tail, which starts a chunk; -1 on failure. */
static int
hc_open(struct rib *r, uint64_t now_us)
{
	struct hchunk	*nhc, *c;
	uint64_t	 ncap, i, num = (r->ev_tail - 1) >> HC_SHIFT;
	void		*p;

	if (r->hc_n == r->hc_cap) {
		ncap = r->hc_cap ? r->hc_cap * 2 : 16;
		if ((nhc = calloc(ncap, sizeof(*nhc))) == NULL)
			return (-1);
		for (i = 0; i < r->hc_n; i++)
			nhc[(r->hc_lo + i) & (ncap - 1)] =
			    r->hc[(r->hc_lo + i) & (r->hc_cap - 1)];
		free(r->hc);
		r->hc = nhc;
		r->hc_cap = ncap;
	}
	p = mmap(NULL, HC_BYTES, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (-1);
	if (r->hc_n == 0)
		r->hc_lo = num;
	c = &r->hc[num & (r->hc_cap - 1)];
	c->ev = p;
	c->base_us = now_us;
	c->used = 0;
	r->hc_n++;
	return (0);
}

static void
hist_free(struct rib *r)
{
	uint64_t s;

	for (s = r->ev_head; s < r->ev_tail; s++)
		if (ev_live(r, s))
			hev_release(r, ev_at(r, s));
	while (r->hc_n > 0)
		hc_drop_oldest(r);
	free(r->hc);
	r->hc = NULL;
}

static struct rib_entry *
node_entry(struct rtnode *n)
{
	return (n->value);
}

/*
 * The sequence number of the entry's newest event if it is still kept,
 * else 0.  The entry has its low 32 bits: the newest of the numbers with
 * those bits below the tail is the one, if it is an event of this node
 * (events leave oldest first, so if the newest has gone, all have).
 */
static uint64_t
entry_last(const struct rib *r, const struct rtnode *node,
    const struct rib_entry *e)
{
	uint64_t seq;

	if (e->last_ev == 0)
		return (0);
	seq = r->ev_tail - (uint32_t)((uint32_t)r->ev_tail - e->last_ev);
	if (!ev_live(r, seq) || ev_at(r, seq)->node != node)
		return (0);
	return (seq);
}

static bool
entry_maybe_remove(struct rib *r, struct rtnode *node, uint8_t afi)
{
	struct rib_entry *e = node_entry(node);

	if (e->n > 0 || entry_last(r, node, e) != 0)
		return (false);
	r->bytes_entries -= entry_size(e->cap, node->user & RN_PIDS);
	entry_release(r, e, node->user & RN_PIDS);
	node->value = NULL;
	node->user = 0;
	r->last_node = NULL;
	rtree_remove(r->tree[afi_slot(afi)], node);
	return (true);
}

/* An event that the history will not have (evicted, or never kept). */
static void
ev_lost(struct rib *r, uint64_t time_us)
{
	if (!r->lost || time_us > r->lost_us)
		r->lost_us = time_us;
	r->lost = true;
}

/* Evict the oldest event; the head must be live. */
static void
ev_evict_one(struct rib *r)
{
	uint64_t		 seq = r->ev_head;
	struct hev		 h = *ev_at(r, seq);
	struct rib_entry	*e = node_entry(h.node);

	ev_lost(r, ev_time(r, seq));
	hev_release(r, &h);
	r->ev_head++;
	r->ev_count--;
	hc_settle(r);
	/* Its prefix's newest event gone: the prefix may go too. */
	if (e != NULL && e->last_ev == (uint32_t)seq && h.node != r->pinned)
		entry_maybe_remove(r, h.node, h.afi);
}

void
rib_set_listener(struct rib *r, rib_event_cb fn, void *arg)
{
	r->listener = fn;
	r->listener_arg = arg;
}

/*
 * A slot for an event at now_us at the tail: a new chunk when the tail
 * starts one, or when now_us is too far from the current chunk's base
 * for 32 bits (the rest of that chunk is left as holes).  NULL when no
 * chunk can be mapped.
 */
static struct hev *
ev_slot(struct rib *r, uint64_t now_us)
{
	struct hchunk	*c;
	uint64_t	 num = (r->ev_tail - 1) >> HC_SHIFT;

	if (r->hc_n > 0 && num < r->hc_lo + r->hc_n) {
		c = hc_of(r, r->ev_tail);
		/*
		 * A sequence number with its low 32 bits 0 is left out:
		 * entries keep those bits, and 0 there means none.  It is
		 * the last slot of a chunk.
		 */
		if (now_us - c->base_us <= HC_SPAN_US &&
		    (uint32_t)r->ev_tail != 0)
			return (&c->ev[hc_slot(r->ev_tail)]);
		r->ev_tail = hc_next(r->ev_tail);
		hc_settle(r);
	}
	if (hc_open(r, now_us) == -1)
		return (NULL);
	return (&hc_of(r, r->ev_tail)->ev[hc_slot(r->ev_tail)]);
}

static void
ev_record(struct rib *r, struct rtnode *node, uint8_t afi, uint8_t type,
    uint16_t src, uint32_t path_id, uint32_t old, uint32_t new,
    uint64_t now_us)
{
	struct rib_entry	*e = node_entry(node);
	struct hev		*h;
	uint64_t		 last;

	/* Every change passes here: tell the listener first. */
	if (r->listener != NULL) {
		struct rib_event ev;

		ev.time_us = now_us;
		rtnode_prefix(r->tree[afi_slot(afi)], node, &ev.pfx);
		ev.path_id = path_id;
		ev.attr_old = old;
		ev.attr_new = new;
		ev.src = src;
		ev.type = type;
		r->listener(r->listener_arg, &ev);
	}
	if (r->conf.history_max_events == 0) {
		ev_lost(r, now_us);
		return;
	}
	if (r->ev_count >= r->conf.history_max_events) {
		r->pinned = node;
		ev_evict_one(r);
		r->pinned = NULL;
		r->dropped_mem++;
	}
	if ((h = ev_slot(r, now_us)) == NULL) {
		/* Out of memory: the event is not kept. */
		ev_lost(r, now_us);
		return;
	}
	h->node = node;
	h->dt_us = (uint32_t)(now_us - hc_of(r, r->ev_tail)->base_us);
	last = entry_last(r, node, e);
	h->back = last != 0 ? (uint32_t)(r->ev_tail - last) : 0;
	h->path_id = path_id;
	h->attr_old = old;
	h->attr_new = new;
	h->src = src;
	h->type = type;
	h->afi = afi;
	rib_attr_ref(r, old);
	rib_attr_ref(r, new);
	hc_of(r, r->ev_tail)->used++;
	r->ev_count++;
	r->ev_recorded++;
	e->last_ev = (uint32_t)r->ev_tail++;
}

void
rib_history_expire(struct rib *r, uint64_t now_us)
{
	uint64_t limit;

	if (r->conf.history_max_age_s == 0)
		return;
	limit = r->conf.history_max_age_s * 1000000ULL;
	if (now_us < limit)
		return;
	while (r->ev_head < r->ev_tail &&
	    ev_time(r, r->ev_head) < now_us - limit) {
		ev_evict_one(r);
		r->dropped_age++;
	}
}

/*
 * Changes.
 */

/* Index of (src, path_id) in e, or where it would go (negative - 1). */
static int
entry_find(const struct rib_entry *e, const uint32_t *pid, uint16_t src,
    uint32_t path_id)
{
	int		lo = 0, hi = e->n - 1, mid;
	uint32_t	mp;

	while (lo <= hi) {
		mid = (lo + hi) / 2;
		mp = pid_at(pid, mid);
		if (e->r[mid].src < src || (e->r[mid].src == src &&
		    mp < path_id))
			lo = mid + 1;
		else if (e->r[mid].src == src && mp == path_id)
			return (mid);
		else
			hi = mid - 1;
	}
	return (-lo - 1);
}

/*
 * Give a node's entry room for cap routes, with path ids or without (the
 * routes held must fit, and have no path id when dropping them).  Returns
 * the entry, NULL when out of memory (the old one is untouched then).
 */
static struct rib_entry *
entry_resize(struct rib *r, struct rtnode *node, uint32_t cap, bool pids)
{
	struct rib_entry	*e = node_entry(node), *ne;
	bool			 had = (node->user & RN_PIDS) != 0;
	size_t			 osz = e != NULL ? entry_size(e->cap, had) : 0;

	/* A copy: the path ids' offset moves with cap anyway. */
	if ((ne = entry_alloc(r, cap, pids)) == NULL)
		return (NULL);
	ne->last_ev = e != NULL ? e->last_ev : 0;
	ne->n = e != NULL ? e->n : 0;
	if (ne->n > 0)
		memcpy(ne->r, e->r, ne->n * sizeof(e->r[0]));
	if (pids && had && ne->n > 0)
		memcpy(&ne->r[cap], &e->r[e->cap], ne->n * sizeof(uint32_t));
	else if (pids)
		memset(&ne->r[cap], 0, (size_t)cap * sizeof(uint32_t));
	entry_release(r, e, had);
	ne->cap = (uint16_t)cap;
	node->user = (uint16_t)((node->user & ~RN_PIDS) | (pids ? RN_PIDS : 0));
	r->bytes_entries += entry_size(cap, pids) - osz;
	node->value = ne;
	return (ne);
}

/*
 * Room for one more route (or want routes, if more), and for its path
 * id if it has one.  Grows by ~1.5x: most prefixes have a few routes.
 */
static struct rib_entry *
entry_reserve(struct rib *r, struct rtnode *node, uint16_t want, bool pid)
{
	struct rib_entry	*e = node_entry(node);
	bool			 pids = pid || (node->user & RN_PIDS);
	uint32_t		 ncap;

	if (e != NULL && e->n < e->cap && want <= e->cap &&
	    pids == ((node->user & RN_PIDS) != 0))
		return (e);
	ncap = e == NULL ? 1 : e->n < e->cap ? e->cap :
	    e->cap + (e->cap + 1u) / 2;
	if (e != NULL && e->n >= UINT16_MAX)
		return (NULL);
	if (ncap > UINT16_MAX)
		ncap = UINT16_MAX;	/* n is 16 bits */
	if (e != NULL && ncap <= e->n)
		ncap = e->n + 1u;	/* from an empty array */
	if (want > ncap)
		ncap = want;
	return (entry_resize(r, node, ncap, pids));
}

/*
 * After a withdrawal: an array at most half full shrinks to fit, and
 * loses its path ids if none is left (an empty one, kept for its history,
 * to nothing).  Growth is by 1.5x, so routes coming and going at one
 * size never make it resize every time.
 */
static void
entry_shrink(struct rib *r, struct rtnode *node)
{
	struct rib_entry	*e = node_entry(node);
	const uint32_t		*pid = entry_pids(node, e);
	bool			 pids = false;
	uint16_t		 i;

	if (e->n > e->cap / 2)
		return;
	for (i = 0; pid != NULL && i < e->n && !pids; i++)
		pids = pid[i] != 0;
	/* Out of memory: the larger array is still good. */
	entry_resize(r, node, e->n, pids);
}

static void
route_count(struct rib *r, uint16_t src, uint8_t afi, int delta)
{
	r->routes += (uint64_t)(int64_t)delta;
	if (src < r->n_srcs)
		r->srcs[src].routes[afi_slot(afi)] += (uint64_t)(int64_t)delta;
}

/*
 * The node of a prefix, created if need be.  The last one is remembered:
 * a TABLE_DUMP_V2 record, or an UPDATE's burst from several peers, hits
 * the same prefix many times in a row.  Nodes are stable until removed,
 * and every removal forgets it.
 */
static struct rtnode *
rib_node(struct rib *r, const struct prefix *p)
{
	struct rtnode *node;

	if (r->last_node != NULL && r->last_pfx.afi == p->afi &&
	    r->last_pfx.len == p->len &&
	    memcmp(r->last_pfx.b, p->b, afi_bytes(p->afi)) == 0)
		return (r->last_node);
	node = rtree_insert(r->tree[afi_slot(p->afi)], p, NULL);
	if (node != NULL) {
		r->last_node = node;
		r->last_pfx = *p;
	}
	return (node);
}

/*
 * Best path after route i changed or arrived: only a full recomputation
 * when the best itself got worse; otherwise one comparison.
 */
/* Steps 1-3 only (LOCAL_PREF, AS path length, ORIGIN): before MED. */
static int
best_cmp_pre_med(struct rib *r, uint32_t a, uint32_t b)
{
	const struct attr_hdr	*ha = attr_hdr(r, a);
	const struct attr_hdr	*hb = attr_hdr(r, b);

	if (ha == NULL || hb == NULL)
		return (0);	/* unknown: let a full selection decide */
	if (hdr_lp(ha) != hdr_lp(hb))
		return (hdr_lp(ha) > hdr_lp(hb) ? -1 : 1);
	if (ha->aspath_count != hb->aspath_count)
		return (ha->aspath_count < hb->aspath_count ? -1 : 1);
	if (ha->origin != hb->origin)
		return (ha->origin < hb->origin ? -1 : 1);
	return (0);
}

/*
 * Best path after one route of e changed: the set `old' left (0 for
 * none; was_best if it was the best) and route i arrived (-1 for none).
 * Most changes cannot move the best and cost a comparison; the others a
 * full selection.  Which is which: MED compares only routes of the same
 * neighbour AS, so selection is no total order and a route can matter
 * without winning (it may remove, on MED, the route that would win
 * otherwise; see routes_best()).  But a route worse than the best on the
 * steps before MED is out before MED and matters to nothing, and one
 * better on them beats every route.
 */
static void
entry_best_after(struct rib *r, struct rtnode *node, int i, uint32_t old,
    bool was_best)
{
	struct rib_entry	*e = node_entry(node);
	uint16_t		 k;
	int			 c;

	if (was_best)
		goto full;
	for (k = 0; k < e->n; k++)
		if (e->r[k].flags & ROUTE_F_BEST)
			break;
	if (k == e->n)
		goto full;
	if (old != 0 && best_cmp_pre_med(r, old, e->r[k].attr) <= 0)
		goto full;
	if (i < 0)
		return;
	if ((c = best_cmp_pre_med(r, e->r[i].attr, e->r[k].attr)) == 0)
		goto full;
	if (c < 0) {
		e->r[k].flags &= (uint16_t)~ROUTE_F_BEST;
		e->r[i].flags |= ROUTE_F_BEST;
	}
	return;
full:
	entry_best(r, node, e);
}

static int
rib_announce(struct rib *r, const struct prefix *p, uint16_t src,
    uint32_t path_id, uint32_t attr, uint64_t now_us)
{
	struct rtnode		*node;
	struct rib_entry	*e;
	uint32_t		*pid;
	int			 i;
	uint32_t		 old;
	bool			 was_best;

	if ((node = rib_node(r, p)) == NULL)
		return (-1);
	e = node_entry(node);
	i = e != NULL ? entry_find(e, entry_pids(node, e), src, path_id) : -1;
	if (i >= 0) {
		if (e->r[i].attr == attr) {
			e->r[i].flags &= (uint16_t)~ROUTE_F_STALE;
			return (0);
		}
		old = e->r[i].attr;
		rib_attr_ref(r, attr);
		e->r[i].attr = attr;
		e->r[i].since = (uint32_t)(now_us / 1000000);
		e->r[i].flags &= (uint16_t)~ROUTE_F_STALE;
		ev_record(r, node, p->afi, RIB_EV_REPLACE, src, path_id, old,
		    attr, now_us);
		r->replaces++;
		was_best = (e->r[i].flags & ROUTE_F_BEST) != 0;
		e->r[i].flags &= (uint16_t)~ROUTE_F_BEST;
		/* Before the put: selection may need the old set. */
		entry_best_after(r, node, i, old, was_best);
		rib_attr_put(r, old);
		return (1);
	}
	if ((e = entry_reserve(r, node, 0, path_id != 0)) == NULL) {
		if (node->value == NULL) {
			r->last_node = NULL;
			rtree_remove(r->tree[afi_slot(p->afi)], node);
		}
		return (-1);
	}
	i = -i - 1;
	memmove(&e->r[i + 1], &e->r[i], (size_t)(e->n - i) * sizeof(e->r[0]));
	if ((pid = entry_pids(node, e)) != NULL) {
		memmove(&pid[i + 1], &pid[i], (size_t)(e->n - i) *
		    sizeof(pid[0]));
		pid[i] = path_id;
	}
	e->n++;
	rib_attr_ref(r, attr);
	e->r[i].attr = attr;
	e->r[i].since = (uint32_t)(now_us / 1000000);
	e->r[i].src = src;
	e->r[i].flags = 0;
	route_count(r, src, p->afi, 1);
	ev_record(r, node, p->afi, RIB_EV_ANNOUNCE, src, path_id, 0, attr,
	    now_us);
	r->announces++;
	entry_best_after(r, node, i, 0, false);
	return (1);
}

/* Remove route i of a node's entry, recording why; true if the node went. */
static bool
entry_withdraw(struct rib *r, struct rtnode *node, uint8_t afi, int i,
    uint8_t type, uint64_t now_us)
{
	struct rib_entry	*e = node_entry(node);
	uint32_t		*pid = entry_pids(node, e);
	struct route		 gone;

	route_get(e, pid, i, &gone);
	memmove(&e->r[i], &e->r[i + 1],
	    (size_t)(e->n - i - 1) * sizeof(e->r[0]));
	if (pid != NULL)
		memmove(&pid[i], &pid[i + 1], (size_t)(e->n - i - 1) *
		    sizeof(pid[0]));
	e->n--;
	route_count(r, gone.src, afi, -1);
	ev_record(r, node, afi, type, gone.src, gone.path_id, gone.attr, 0,
	    now_us);
	r->withdraws++;
	/* Not only when the best went: see entry_best_after(). */
	entry_best_after(r, node, -1, gone.attr,
	    (gone.flags & ROUTE_F_BEST) != 0);
	rib_attr_put(r, gone.attr);
	if (entry_maybe_remove(r, node, afi))
		return (true);
	entry_shrink(r, node);
	return (false);
}

int
rib_reserve(struct rib *r, const struct prefix *p, uint16_t n)
{
	struct rtnode *node;

	if (p->afi != AFI_IPV4 && p->afi != AFI_IPV6)
		return (-1);
	if ((node = rib_node(r, p)) == NULL)
		return (-1);
	if (entry_reserve(r, node, n, false) == NULL) {
		if (node->value == NULL) {
			r->last_node = NULL;
			rtree_remove(r->tree[afi_slot(p->afi)], node);
		}
		return (-1);
	}
	return (0);
}

/*
 * History and `since' assume time runs forward: a change stamped before
 * the latest one (sources replayed out of order, a clock step) is taken
 * as happening at the latest time instead.
 */
static uint64_t
rib_clock(struct rib *r, uint64_t now_us)
{
	if (now_us < r->clock_us)
		return (r->clock_us);
	r->clock_us = now_us;
	return (now_us);
}

int
rib_update(struct rib *r, const struct prefix *p, uint16_t src,
    uint32_t path_id, uint32_t attr, uint64_t now_us)
{
	struct rtnode	*node;
	int		 i;

	if (p->afi != AFI_IPV4 && p->afi != AFI_IPV6)
		return (-1);
	/* Best path reads the source's description: it must exist. */
	if (src >= r->n_srcs)
		return (-1);
	now_us = rib_clock(r, now_us);
	if (attr != 0)
		return (rib_announce(r, p, src, path_id, attr, now_us));
	if ((node = rtree_lookup(r->tree[afi_slot(p->afi)], p)) == NULL ||
	    node->value == NULL)
		return (0);
	if ((i = entry_find(node_entry(node), entry_pids(node,
	    node_entry(node)), src, path_id)) < 0)
		return (0);
	entry_withdraw(r, node, p->afi, i, RIB_EV_WITHDRAW, now_us);
	return (1);
}

/*
 * Walk every prefix of one or both families, withdrawing the routes of src
 * that match (all, or the stale ones).  The iterator survives the node
 * deletions a withdrawal can cause.
 */
static uint64_t
source_withdraw(struct rib *r, uint16_t src, uint8_t afi, bool stale_only,
    uint8_t type, uint64_t now_us)
{
	struct rtree_iter	 it;
	struct rtnode		*node;
	struct rib_entry	*e;
	uint64_t		 n = 0, visited = 0;
	int			 f, i;

	for (f = 0; f < 2; f++) {
		if (afi != 0 && afi_slot(afi) != f)
			continue;
		if (r->srcs[src].routes[f] == 0)
			continue;
		rtree_iter_more(&it, r->tree[f], NULL, NULL);
		while ((node = rtree_iter_next(&it)) != NULL) {
			if ((e = node_entry(node)) == NULL)
				continue;
			for (i = e->n - 1; i >= 0; i--) {
				if (e->r[i].src != src)
					continue;
				if (stale_only &&
				    !(e->r[i].flags & ROUTE_F_STALE))
					continue;
				n++;
				if (entry_withdraw(r, node,
				    f ? AFI_IPV6 : AFI_IPV4, i, type, now_us))
					break;	/* the node is gone */
				e = node_entry(node);	/* may have shrunk */
			}
			/*
			 * A full table takes a while: let readers in.  The
			 * iterator survives whatever happens meanwhile, and
			 * readers change nothing.
			 */
			if ((++visited & 255) == 0)
				rib_wryield(r);
		}
	}
	return (n);
}

uint64_t
rib_source_flush(struct rib *r, uint16_t src, uint64_t now_us)
{
	if (src >= r->n_srcs)
		return (0);
	return (source_withdraw(r, src, 0, false, RIB_EV_SOURCE_DOWN,
	    rib_clock(r, now_us)));
}

uint64_t
rib_source_mark_stale(struct rib *r, uint16_t src, uint8_t afi)
{
	struct rtree_iter	 it;
	struct rtnode		*node;
	struct rib_entry	*e;
	uint64_t		 n = 0;
	uint16_t		 i;
	int			 f;

	if (src >= r->n_srcs)
		return (0);
	for (f = 0; f < 2; f++) {
		if (afi != 0 && afi_slot(afi) != f)
			continue;
		if (r->srcs[src].routes[f] == 0)
			continue;
		rtree_iter_more(&it, r->tree[f], NULL, NULL);
		while ((node = rtree_iter_next(&it)) != NULL) {
			if ((e = node_entry(node)) == NULL)
				continue;
			for (i = 0; i < e->n; i++)
				if (e->r[i].src == src) {
					e->r[i].flags |= ROUTE_F_STALE;
					n++;
				}
		}
	}
	return (n);
}

uint64_t
rib_source_sweep_stale(struct rib *r, uint16_t src, uint8_t afi,
    uint64_t now_us)
{
	if (src >= r->n_srcs)
		return (0);
	return (source_withdraw(r, src, afi, true, RIB_EV_WITHDRAW,
	    rib_clock(r, now_us)));
}

/*
 * Queries.
 */

static bool
list_has(const uint8_t *p, size_t len, const uint8_t *want, size_t unit)
{
	size_t off;

	for (off = 0; p != NULL && off + unit <= len; off += unit)
		if (memcmp(p + off, want, unit) == 0)
			return (true);
	return (false);
}

/* Does rt pass q's filters?  Adds what the regex ran over to *text. */
static bool
route_matches(struct rib *r, const struct rib_query *q,
    const struct route *rt, size_t *text)
{
	struct rib_attrs	a;
	uint8_t			want[12];
	char			sbuf[8192], *buf;
	size_t			need;
	int			i, rc;

	if (q->best_only && !(rt->flags & ROUTE_F_BEST))
		return (false);
	if (q->src >= 0 && rt->src != q->src)
		return (false);
	if (q->origin_as == 0 && !q->has_community && !q->has_large &&
	    q->aspath_re == NULL)
		return (true);
	if (rib_attr_get(r, rt->attr, &a) == -1)
		return (false);
	if (q->origin_as != 0 && a.origin_as != q->origin_as)
		return (false);
	if (q->has_community) {
		for (i = 0; i < 4; i++)
			want[i] = (uint8_t)(q->community >> (24 - 8 * i));
		if (!list_has(a.communities, a.communities_len, want, 4))
			return (false);
	}
	if (q->has_large) {
		for (i = 0; i < 12; i++)
			want[i] = (uint8_t)(q->large[i / 4] >>
			    (24 - 8 * (i % 4)));
		if (!list_has(a.large_communities, a.large_communities_len,
		    want, 12))
			return (false);
	}
	if (q->aspath_re != NULL) {
		/*
		 * Up to 11 characters per 4-octet AS, 3 per segment header,
		 * and the 14 aspath_fmt() wants free before each AS: a long
		 * path cut short would fail a regex anchored at its end.
		 */
		need = a.aspath_len * 3 + 16;
		buf = need <= sizeof(sbuf) ? sbuf : malloc(need);
		if (buf == NULL)
			return (false);
		*text += aspath_fmt(a.aspath, a.aspath_len, buf, need) + 1;
		rc = regexec(q->aspath_re, buf, 0, NULL, 0);
		if (buf != sbuf)
			free(buf);
		if (rc != 0)
			return (false);
	}
	return (true);
}

struct qrun {
	struct rib		*r;
	const struct rib_query	*q;
	rib_route_cb		 cb;
	void			*arg;
	size_t			 n;
	bool			 full;		/* limit reached */
	bool			 stop;
	struct rib_cursor	*next;
	size_t			 text;		/* against q->text_budget */
	size_t			 scanned;	/* against q->scan_budget */
};

/* Emit the matching routes of one node; false to stop the walk. */
static bool
query_node(struct qrun *qr, struct rtree *t, struct rtnode *node)
{
	const struct rib_query	*q = qr->q;
	struct rib_entry	*e = node_entry(node);
	const uint32_t		*pid;
	struct prefix		 p;
	uint16_t		 i;
	int			 c;

	if (e == NULL || e->n == 0)
		return (true);
	rtnode_prefix(t, node, &p);
	c = q->after.valid ? prefix_cmp(&p, &q->after.pfx) : 1;
	if (c < 0)
		return (true);
	pid = entry_pids(node, e);
	for (i = 0; i < e->n; i++) {
		struct route	 rr;
		struct route	*rt = &rr;

		route_get(e, pid, i, &rr);
		if (c == 0 && (rt->src < q->after.src ||
		    (rt->src == q->after.src &&
		    rt->path_id <= q->after.path_id)))
			continue;
		if ((q->text_budget != 0 && qr->text >= q->text_budget) ||
		    (q->scan_budget != 0 && qr->scanned >= q->scan_budget)) {
			/* Matching had its share: resume after the last seen. */
			qr->next->valid = qr->next->pfx.afi != 0;
			return (false);
		}
		qr->scanned++;
		if (!route_matches(qr->r, q, rt, &qr->text)) {
			if (!qr->full) {
				qr->next->pfx = p;
				qr->next->src = rt->src;
				qr->next->path_id = rt->path_id;
			}
			continue;
		}
		if (qr->full) {
			/* One more exists: the cursor is worth handing out. */
			qr->next->valid = true;
			return (false);
		}
		/* Counted even when it stops the walk: it was given. */
		qr->n++;
		if (qr->cb(qr->arg, &p, rt) != 0) {
			qr->stop = true;
			return (false);
		}
		qr->next->pfx = p;
		qr->next->src = rt->src;
		qr->next->path_id = rt->path_id;
		if (q->limit != 0 && qr->n >= q->limit)
			qr->full = true;
	}
	return (true);
}

/* Does the node hold a route the query's filters take (cursor aside)? */
static bool
node_matches(struct rib *r, const struct rib_query *q, struct rtnode *node)
{
	struct rib_entry	*e = node_entry(node);
	struct route		 rt;
	uint16_t		 i;
	size_t			 text = 0;	/* a few nodes: unbounded */

	for (i = 0; e != NULL && i < e->n; i++) {
		route_get(e, entry_pids(node, e), i, &rt);
		if (route_matches(r, q, &rt, &text))
			return (true);
	}
	return (false);
}

static bool
cursor_usable(const struct rib_cursor *c)
{
	return (c->valid && (c->pfx.afi == AFI_IPV4 || c->pfx.afi == AFI_IPV6) &&
	    c->pfx.len <= afi_bits(c->pfx.afi));
}

/*
 * The prefixes of tree f within `within' (all if NULL) in prefix order,
 * from the cursor on: the rest of the cursor's own prefix, then the tree
 * walk seeks past it, so a page costs what it returns, not what precedes.
 * False when the walk was stopped.
 */
static bool
query_walk(struct qrun *qr, int f, const struct prefix *within)
{
	const struct rib_query	*q = qr->q;
	struct rtree		*t = qr->r->tree[f];
	const struct prefix	*after = NULL;
	struct rtree_iter	 it;
	struct rtnode		*node;

	if (cursor_usable(&q->after) && afi_slot(q->after.pfx.afi) == f &&
	    (within == NULL || prefix_covers(within, &q->after.pfx))) {
		node = rtree_lookup(t, &q->after.pfx);
		if (node != NULL && !query_node(qr, t, node))
			return (false);
		after = &q->after.pfx;
	}
	rtree_iter_more(&it, t, within, after);
	while ((node = rtree_iter_next(&it)) != NULL)
		if (!query_node(qr, t, node))
			return (false);
	return (true);
}

size_t
rib_query(struct rib *r, const struct rib_query *q, rib_route_cb cb,
    void *arg, struct rib_cursor *next)
{
	struct qrun		 qr = { r, q, cb, arg, 0, false, false, next, 0, 0 };
	struct rtree_iter	 it;
	struct rtnode		*node, *found;
	struct rtree		*t;
	int			 f;

	memset(next, 0, sizeof(*next));
	if (q->match != RIB_MATCH_ALL && q->pfx.afi != AFI_IPV4 &&
	    q->pfx.afi != AFI_IPV6)
		return (0);
	switch (q->match) {
	case RIB_MATCH_ALL:
		for (f = 0; f < 2; f++) {
			if (q->afi != 0 && afi_slot(q->afi) != f)
				continue;
			/* A cursor in IPv6 is past every IPv4 prefix. */
			if (cursor_usable(&q->after) &&
			    afi_slot(q->after.pfx.afi) > f)
				continue;
			if (!query_walk(&qr, f, NULL))
				break;
		}
		break;
	case RIB_MATCH_EXACT:
		t = r->tree[afi_slot(q->pfx.afi)];
		if ((node = rtree_lookup(t, &q->pfx)) != NULL)
			query_node(&qr, t, node);
		break;
	case RIB_MATCH_LONGEST:
		/*
		 * The longest prefix covering the address (a host prefix)
		 * or prefix with a route the filters take.  Nodes kept only
		 * for their history, with no routes, do not count.
		 */
		t = r->tree[afi_slot(q->pfx.afi)];
		found = NULL;
		rtree_iter_less(&it, t, &q->pfx);
		while ((node = rtree_iter_next(&it)) != NULL)
			if (node_matches(r, q, node))
				found = node;
		if (found != NULL)
			query_node(&qr, t, found);
		break;
	case RIB_MATCH_MORE:
		query_walk(&qr, afi_slot(q->pfx.afi), &q->pfx);
		break;
	case RIB_MATCH_LESS:
		t = r->tree[afi_slot(q->pfx.afi)];
		rtree_iter_less(&it, t, &q->pfx);
		while ((node = rtree_iter_next(&it)) != NULL)
			if (!query_node(&qr, t, node))
				break;
		break;
	}
	if (qr.stop)
		next->valid = false;
	return (qr.n);
}

/*
 * History queries.
 */

static void
hev_export(const struct rib *r, uint64_t seq, struct rib_event *out)
{
	const struct hev *h = ev_at(r, seq);

	out->time_us = ev_time(r, seq);
	rtnode_prefix(r->tree[afi_slot(h->afi)], h->node, &out->pfx);
	out->path_id = h->path_id;
	out->attr_old = h->attr_old;
	out->attr_new = h->attr_new;
	out->src = h->src;
	out->type = h->type;
}

static bool
history_truncated(const struct rib *r, uint64_t from_us)
{
	/* Some event at or after from_us is not kept. */
	return (r->lost && r->lost_us >= from_us);
}

static size_t
history_node(struct rib *r, struct rtnode *node, uint64_t from_us,
    uint64_t to_us, rib_event_cb cb, void *arg, bool *stop)
{
	struct rib_entry	*e = node_entry(node);
	struct rib_event	 ev;
	uint64_t		 s;
	size_t			 n = 0;

	if (e == NULL)
		return (0);
	for (s = entry_last(r, node, e); ev_live(r, s); s = ev_prev(r, s)) {
		uint64_t t = ev_time(r, s);

		if (t < from_us)
			break;
		if (t > to_us)
			continue;
		hev_export(r, s, &ev);
		n++;
		if (cb(arg, &ev) != 0) {
			*stop = true;
			break;
		}
	}
	return (n);
}

size_t
rib_history(struct rib *r, const struct prefix *p, bool more,
    uint64_t from_us, uint64_t to_us, rib_event_cb cb, void *arg,
    bool *truncated)
{
	struct rtree		*t = r->tree[afi_slot(p->afi)];
	struct rtree_iter	 it;
	struct rtnode		*node;
	size_t			 n = 0;
	bool			 stop = false;

	*truncated = history_truncated(r, from_us);
	if (p->afi != AFI_IPV4 && p->afi != AFI_IPV6)
		return (0);
	if (!more) {
		if ((node = rtree_lookup(t, p)) != NULL)
			n = history_node(r, node, from_us, to_us, cb, arg,
			    &stop);
		return (n);
	}
	rtree_iter_more(&it, t, p, NULL);
	while (!stop && (node = rtree_iter_next(&it)) != NULL)
		n += history_node(r, node, from_us, to_us, cb, arg, &stop);
	return (n);
}

/* Set (src, path_id) to attr in a sorted route array; attr 0 removes. */
/* Private to rib_routes_at(): the route's `since' is still to be found. */
#define ROUTE_F_SINCE_TBD	0x8000

/*
 * Set (src, path_id) to attr in a sorted route array with room for one
 * more; attr 0 removes.  A route set or added is marked ROUTE_F_SINCE_TBD.
 */
static size_t
routes_set(struct route *v, size_t n, uint16_t src, uint32_t path_id,
    uint32_t attr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].src > src || (v[i].src == src &&
		    v[i].path_id >= path_id))
			break;
	if (i < n && v[i].src == src && v[i].path_id == path_id) {
		if (attr == 0) {
			memmove(&v[i], &v[i + 1], (n - i - 1) * sizeof(v[0]));
			return (n - 1);
		}
		v[i].attr = attr;
		v[i].flags |= ROUTE_F_SINCE_TBD;
		return (n);
	}
	if (attr == 0)
		return (n);
	memmove(&v[i + 1], &v[i], (n - i) * sizeof(v[0]));
	memset(&v[i], 0, sizeof(v[i]));
	v[i].src = src;
	v[i].path_id = path_id;
	v[i].attr = attr;
	v[i].flags = ROUTE_F_SINCE_TBD;
	return (n + 1);
}

static long
routes_find(const struct route *v, size_t n, uint16_t src, uint32_t path_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].src == src && v[i].path_id == path_id)
			return ((long)i);
	return (-1);
}

size_t
rib_routes_at(struct rib *r, const struct prefix *p, uint64_t at_us,
    struct route *out, size_t max, bool *truncated)
{
	struct rtnode		*node;
	struct rib_entry	*e;
	const struct hev	*h;
	struct route		*v, *nv;
	size_t			 n = 0, cap, tbd = 0, i;
	uint64_t		 s;
	long			 k;

	/* Some event after at_us is not kept: it cannot be undone. */
	*truncated = r->lost && r->lost_us > at_us;
	if (p->afi != AFI_IPV4 && p->afi != AFI_IPV6)
		return (0);
	node = rtree_lookup(r->tree[afi_slot(p->afi)], p);
	if (node == NULL || (e = node_entry(node)) == NULL)
		return (0);
	/* Worked out in full, then cut to max, so best is of the full set. */
	cap = (size_t)e->n + 16;
	if ((v = malloc(cap * sizeof(*v))) == NULL) {
		*truncated = true;
		return (0);
	}
	for (i = 0; i < e->n; i++) {
		route_get(e, entry_pids(node, e), (int)i, &v[n]);
		v[n].flags = 0;
		n++;
	}
	/* Undo, newest first, every change made after at_us. */
	for (s = entry_last(r, node, e); ev_live(r, s); s = ev_prev(r, s)) {
		h = ev_at(r, s);
		if (ev_time(r, s) <= at_us)
			break;
		if (n == cap) {
			if ((nv = reallocarray(v, cap * 2, sizeof(*v))) == NULL) {
				free(v);
				*truncated = true;
				return (0);
			}
			v = nv;
			cap *= 2;
		}
		n = routes_set(v, n, h->src, h->path_id, h->attr_old);
	}
	/*
	 * A route given back its older attributes changed last at the
	 * newest event of its (source, path id) at or before at_us, further
	 * down the chain.  If that event is no longer kept, `since' is 0.
	 */
	for (i = 0; i < n; i++)
		if (v[i].flags & ROUTE_F_SINCE_TBD) {
			v[i].since = 0;
			tbd++;
		}
	for (; tbd > 0 && ev_live(r, s); s = ev_prev(r, s)) {
		h = ev_at(r, s);
		k = routes_find(v, n, h->src, h->path_id);
		if (k >= 0 && (v[k].flags & ROUTE_F_SINCE_TBD)) {
			v[k].since = (uint32_t)(ev_time(r, s) / 1000000);
			v[k].flags &= (uint16_t)~ROUTE_F_SINCE_TBD;
			tbd--;
		}
	}
	for (i = 0; i < n; i++)
		v[i].flags = 0;
	if ((k = routes_best(r, v, n)) >= 0)
		v[k].flags |= ROUTE_F_BEST;
	if (n > max)
		n = max;
	if (n > 0)
		memcpy(out, v, n * sizeof(*v));
	free(v);
	return (n);
}

void
rib_stats(struct rib *r, struct rib_stats *s)
{
	struct rtree_stats	ts;
	struct intern_stats	is;
	int			f;

	memset(s, 0, sizeof(*s));
	s->routes = r->routes;
	s->sources = r->n_srcs;
	for (f = 0; f < 2; f++) {
		rtree_stats(r->tree[f], &ts);
		s->prefixes[f] = ts.prefixes;
		s->bytes_tree += ts.bytes;
	}
	s->bytes_routes = r->bytes_entries;
	intern_stats(r->attrs, &is);
	s->attr_sets = is.objects;
	s->bytes_attrs += is.bytes;
	intern_stats(r->aspaths, &is);
	s->aspaths = is.objects;
	s->bytes_attrs += is.bytes;
	intern_stats(r->comms, &is);
	s->community_lists = is.objects;
	s->bytes_attrs += is.bytes;
	s->bytes_history = r->hc_n * HC_BYTES + r->hc_cap * sizeof(r->hc[0]);
	s->bytes_total = s->bytes_tree + s->bytes_routes + s->bytes_attrs +
	    s->bytes_history + (uint64_t)r->cap_srcs * sizeof(r->srcs[0]);
	s->events = r->ev_count;
	s->events_total = r->ev_recorded;
	s->events_dropped_age = r->dropped_age;
	s->events_dropped_mem = r->dropped_mem;
	s->announces = r->announces;
	s->withdraws = r->withdraws;
	s->replaces = r->replaces;
}

/*
 * Every invariant of the RIB, for tests: the trees, the intern tables,
 * each entry (sorted, one best and the right one, live sets, known
 * sources, no empty entry without live history), the route counts, and
 * the history (ordered in time, chained per prefix, live sets).
 */
const char *
rib_check(struct rib *r)
{
	static char		 why[160];
	struct rtree_iter	 it;
	struct rtnode		*node;
	struct rib_entry	*e;
	const struct attr_hdr	*h;
	const struct hev	*ev;
	const uint32_t		*pid;
	const char		*w;
	uint64_t		 routes = 0, *per, s, prev_t = 0, live = 0;
	uint16_t		 i, nbest;
	long			 best;
	int			 f;

	for (f = 0; f < 2; f++)
		if ((w = rtree_check(r->tree[f])) != NULL)
			return (w);
	if ((w = intern_check(r->attrs)) != NULL ||
	    (w = intern_check(r->aspaths)) != NULL ||
	    (w = intern_check(r->comms)) != NULL)
		return (w);
	if ((per = calloc((size_t)r->n_srcs * 2 + 1, sizeof(*per))) == NULL)
		return ("out of memory");
	w = NULL;
	for (f = 0; f < 2 && w == NULL; f++) {
		rtree_iter_more(&it, r->tree[f], NULL, NULL);
		while (w == NULL && (node = rtree_iter_next(&it)) != NULL) {
			if ((e = node_entry(node)) == NULL) {
				w = "prefix node without an entry";
				break;
			}
			pid = entry_pids(node, e);
			if (e->n > e->cap)
				w = "entry holds more than its room";
			else if (e->n == 0 && entry_last(r, node, e) == 0)
				w = "empty entry with no live history";
			else if (e->cap > 1 && e->n <= e->cap / 4)
				w = "entry not shrunk";
			for (i = 0, nbest = 0; w == NULL && i < e->n; i++) {
				if (i > 0 && (e->r[i - 1].src > e->r[i].src ||
				    (e->r[i - 1].src == e->r[i].src &&
				    pid_at(pid, i - 1) >= pid_at(pid, i))))
					w = "routes out of order";
				else if (e->r[i].src >= r->n_srcs)
					w = "route of an unknown source";
				else if ((h = attr_hdr(r, e->r[i].attr)) ==
				    NULL)
					w = "route with a dead attribute set";
				else if (h->aspath != 0 &&
				    intern_refcnt(r->aspaths, h->aspath) == 0)
					w = "attribute set with a dead AS path";
				else if ((h->comms != 0 &&
				    intern_refcnt(r->comms, h->comms) == 0) ||
				    (h->lcomms != 0 &&
				    intern_refcnt(r->comms, h->lcomms) == 0) ||
				    (h->ecomms != 0 &&
				    intern_refcnt(r->comms, h->ecomms) == 0))
					w = "attribute set with a dead list";
				if (w != NULL)
					break;
				if (e->r[i].flags & ROUTE_F_BEST)
					nbest++;
				per[(size_t)e->r[i].src * 2 + (size_t)f]++;
				routes++;
			}
			if (w != NULL)
				break;
			if (e->n > 0 && nbest != 1)
				w = "not exactly one best route";
			else if (e->n > 0 &&
			    (best = entry_routes_best(r, node, e)) >= 0 &&
			    !(e->r[best].flags & ROUTE_F_BEST))
				w = "the best flag is on the wrong route";
		}
	}
	if (w == NULL && routes != r->routes)
		w = "route count is off";
	for (i = 0; w == NULL && i < r->n_srcs; i++)
		if (per[(size_t)i * 2] != r->srcs[i].routes[0] ||
		    per[(size_t)i * 2 + 1] != r->srcs[i].routes[1]) {
			snprintf(why, sizeof(why), "source %u: counted "
			    "%llu/%llu routes, holds %llu/%llu", i,
			    (unsigned long long)r->srcs[i].routes[0],
			    (unsigned long long)r->srcs[i].routes[1],
			    (unsigned long long)per[(size_t)i * 2],
			    (unsigned long long)per[(size_t)i * 2 + 1]);
			w = why;
		}
	free(per);
	for (s = r->ev_head; w == NULL && s < r->ev_tail; s++) {
		if (!ev_live(r, s))
			continue;	/* a hole, at the end of a chunk */
		ev = ev_at(r, s);
		live++;
		if (ev_time(r, s) < prev_t)
			w = "history out of time order";
		else if (ev_prev(r, s) >= s)
			w = "event chained to a later one";
		else if (ev_live(r, ev_prev(r, s)) &&
		    ev_at(r, ev_prev(r, s))->node != ev->node)
			w = "event chained to another prefix's";
		else if ((ev->attr_old != 0 &&
		    attr_hdr(r, ev->attr_old) == NULL) ||
		    (ev->attr_new != 0 && attr_hdr(r, ev->attr_new) == NULL))
			w = "event with a dead attribute set";
		else if ((e = node_entry(ev->node)) == NULL ||
		    entry_last(r, ev->node, e) < s)
			w = "event of a prefix that forgot it";
		prev_t = ev_time(r, s);
	}
	if (w == NULL && live != r->ev_count)
		w = "live event count is off";
	else if (w == NULL && r->hc_n != (r->ev_head == r->ev_tail &&
	    hc_slot(r->ev_tail) == 0 ? 0 : ((r->ev_tail - 2) >> HC_SHIFT) -
	    ((r->ev_head - 1) >> HC_SHIFT) + 1))
		w = "chunks mapped do not match the live events";
	return (w);
}
