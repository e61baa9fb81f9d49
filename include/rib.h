/*
 * rib.h -- the routing information base of the collector.
 *
 * One radix tree per address family (rtree.h); a prefix node holds the
 * routes of every source that has one.  A route is stored in 12 bytes:
 * the id of its interned attribute set, the time it last changed, its
 * source and flags; its ADD-PATH path id, 4 more, only where some route
 * of the prefix has one.  Readers see it as struct route.  Attribute sets are hash-consed (intern.h), with AS paths
 * and community lists interned separately, so identical sets from many
 * peers are stored once.
 *
 * Every change is appended to the history: a bounded log of events, each
 * holding references to the attribute sets before and after, chained per
 * prefix so that "the events of P between T1 and T2" and "the routes of P
 * at time T" walk only P's own events.
 *
 * Concurrency: one writer (ingest), many readers (HTTP threads).  Callers
 * bracket writes with rib_wrlock()/rib_unlock() and reads with
 * rib_rdlock()/rib_unlock().  Writers hold the lock for a bounded batch
 * (see docs/architecture.md for the reasoning and the measurement).
 */
#ifndef BGPLENS_RIB_H
#define BGPLENS_RIB_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "prefix.h"

struct rib;

/* Tables a BMP source can describe (RFC 7854, 8671, 9069). */
enum rib_table {
	RIB_TBL_PEER = 0,		/* a BGP session of the collector, or MRT */
	RIB_TBL_ADJ_IN_PRE,
	RIB_TBL_ADJ_IN_POST,
	RIB_TBL_ADJ_OUT_PRE,
	RIB_TBL_ADJ_OUT_POST,
	RIB_TBL_LOC_RIB,
};

const char *rib_table_name(enum rib_table);

/* Where routes come from: a BGP peer, or one table of a BMP router. */
struct rib_source {
	struct addr	peer;		/* the neighbour's address */
	uint32_t	peer_as;
	uint32_t	peer_bgp_id;	/* host order */
	struct addr	router;		/* BMP router, afi 0 for BGP peers */
	uint64_t	distinguisher;	/* BMP peer distinguisher */
	enum rib_table	table;
	bool		ibgp;		/* same AS as the collector/router */
	/*
	 * The families (bit afisafi_index()) whose routes carry ADD-PATH
	 * path ids: a session may negotiate it for IPv4 and not for IPv6.
	 */
	uint16_t	addpath;
	char		name[64];	/* description */
};

#define RIB_MAX_SOURCES	65535
#define RIB_NO_SOURCE	0xffff

/* A route as readers get it (the RIB stores it more tightly). */
struct route {
	uint32_t	attr;		/* interned attribute set, never 0 */
	uint32_t	path_id;	/* ADD-PATH identifier, 0 without */
	uint32_t	since;		/* wall-clock seconds of last change */
	uint16_t	src;		/* source index */
	uint16_t	flags;		/* ROUTE_F_* */
};

#define ROUTE_F_STALE	0x0001		/* graceful restart: awaiting refresh */
#define ROUTE_F_BEST	0x0002		/* best path of its prefix */

/*
 * An attribute set as the RIB stores it, decoded for readers.  The
 * pointers are into interned storage: valid while the caller holds the
 * read lock (or a reference on the set).
 */
struct rib_attrs {
	uint8_t		 origin;
	uint8_t		 flags;		/* RA_F_* */
	uint16_t	 aspath_count;	/* RFC 4271 path length */
	uint32_t	 med;
	uint32_t	 local_pref;
	uint32_t	 origin_as;	/* 0 when the path ends in a set */
	uint32_t	 neighbor_as;
	struct addr	 nexthop;
	struct addr	 nexthop_ll;
	const uint8_t	*aspath;	/* canonical 4-octet form */
	size_t		 aspath_len;
	const uint8_t	*communities;	/* 4-octet values */
	size_t		 communities_len;
	const uint8_t	*large_communities;
	size_t		 large_communities_len;
	const uint8_t	*ext_communities;
	size_t		 ext_communities_len;
	/* Every other attribute, as wire TLVs (flags, type, 2-octet len). */
	const uint8_t	*other;
	size_t		 other_len;
};

#define RA_F_MED	0x01
#define RA_F_LOCAL_PREF	0x02
#define RA_F_ATOMIC	0x04
#define RA_F_AGGREGATOR	0x08
#define RA_F_ORIGIN	0x10
#define RA_F_ASPATH	0x20

/* History. */
enum rib_ev_type {
	RIB_EV_ANNOUNCE = 1,		/* new route */
	RIB_EV_REPLACE,			/* implicit withdraw: attributes changed */
	RIB_EV_WITHDRAW,
	RIB_EV_SOURCE_DOWN,		/* withdrawn because its source went */
};

const char *rib_ev_name(enum rib_ev_type);

struct rib_event {
	uint64_t	time_us;	/* wall clock, microseconds */
	struct prefix	pfx;
	uint32_t	path_id;
	uint32_t	attr_old;	/* 0 = none */
	uint32_t	attr_new;	/* 0 = none */
	uint16_t	src;
	uint8_t		type;
};

struct rib_config {
	uint64_t	history_max_events;	/* 0 = no history */
	uint64_t	history_max_age_s;	/* 0 = no age limit */
	uint32_t	local_as;		/* for eBGP/iBGP in best path */
	/*
	 * How long the writer holds the lock before rib_wryield() lets
	 * waiting readers in, and long walks (a source flushed) pause to;
	 * 0 = never (single-threaded users).
	 */
	uint32_t	write_hold_us;
};

struct rib_stats {
	uint64_t	routes;
	uint64_t	prefixes[2];		/* IPv4, IPv6 */
	uint64_t	sources;
	uint64_t	attr_sets;
	uint64_t	aspaths;
	uint64_t	community_lists;
	uint64_t	bytes_tree;
	uint64_t	bytes_routes;
	uint64_t	bytes_attrs;
	uint64_t	bytes_history;
	uint64_t	bytes_total;
	uint64_t	events;			/* in the history now */
	uint64_t	events_total;		/* ever recorded */
	uint64_t	events_dropped_age;
	uint64_t	events_dropped_mem;
	uint64_t	announces, withdraws, replaces;
};

struct rib	*rib_new(const struct rib_config *);
void		 rib_free(struct rib *);
void		 rib_wrlock(struct rib *);
void		 rib_rdlock(struct rib *);
void		 rib_unlock(struct rib *);
/*
 * The writer, between two changes: if it has held the lock for
 * write_hold_us or more, release it and take it again, so readers that
 * queued meanwhile run first.  Returns true if it did.  The RIB may have
 * been read, never changed, in between: pointers into it stay valid.
 */
bool		 rib_wryield(struct rib *);

/*
 * What the lock costs: read-lock waits and write-lock holds, in buckets
 * of a quarter octave of microseconds (bucket b holds values below
 * rib_lock_bucket_us(b)).
 */
#define RIB_LOCK_BUCKETS	96

struct rib_lock_stats {
	uint64_t	reads;			/* read locks taken */
	uint64_t	writes;			/* write locks taken */
	uint64_t	yields;			/* rib_wryield() released it */
	uint64_t	read_wait[RIB_LOCK_BUCKETS];
	uint64_t	write_hold[RIB_LOCK_BUCKETS];
	uint64_t	read_wait_max_us;
	uint64_t	write_hold_max_us;
};

void		 rib_lock_stats(struct rib *, struct rib_lock_stats *);
uint64_t	 rib_lock_bucket_us(unsigned b);
/* The q-quantile (0 < q <= 1) of a histogram, as its bucket's bound. */
uint64_t	 rib_lock_quantile_us(const uint64_t h[RIB_LOCK_BUCKETS],
		    double q);

/* Sources.  Returns the index, or RIB_NO_SOURCE when full. */
uint16_t	 rib_source_add(struct rib *, const struct rib_source *);
/* The same source (address, AS, router, distinguisher, table) or add it. */
uint16_t	 rib_source_find_or_add(struct rib *, const struct rib_source *);
const struct rib_source *rib_source_get(const struct rib *, uint16_t);
/*
 * The families in which a source sends ADD-PATH path ids (bits by
 * afisafi_index(), as struct bgp_neg's addpath): MRT snapshots need it.
 */
void		 rib_source_set_addpath(struct rib *, uint16_t, uint16_t);
uint16_t	 rib_source_count(const struct rib *);
uint64_t	 rib_source_routes(const struct rib *, uint16_t, uint8_t afi);

/*
 * Intern the attribute set of a decoded UPDATE (or MRT entry): returns a
 * referenced id, 0 on failure.  The next hop given overrides the one in
 * the attributes (MP_REACH vs NEXT_HOP is the caller's business).
 */
uint32_t	 rib_attr_intern(struct rib *, const struct bgp_attrs *,
		    const struct addr *nexthop, const struct addr *nexthop_ll);
void		 rib_attr_put(struct rib *, uint32_t);
/* Another reference on a live set (a cache keeping it, say). */
void		 rib_attr_ref_id(struct rib *, uint32_t);
int		 rib_attr_get(const struct rib *, uint32_t,
		    struct rib_attrs *);

/*
 * Changes.  rib_update() announces (attr != 0; the RIB takes its own
 * reference) or withdraws (attr == 0) the route of (prefix, src, path_id)
 * at time now_us.  Returns 1 if something changed, 0 if not (same route
 * again, or withdrawal of an absent route), -1 on allocation failure or
 * for a source index not handed out by rib_source_add().  Time runs
 * forward: a now_us before the latest change seen (by rib_update, flush
 * or sweep) is taken as that latest time, so the history stays in order.
 */
int		 rib_update(struct rib *, const struct prefix *, uint16_t src,
		    uint32_t path_id, uint32_t attr, uint64_t now_us);
/*
 * Room for n routes at the prefix, when the caller knows how many are
 * coming (a TABLE_DUMP_V2 record lists them all): the array is then
 * allocated once, at its final size.
 */
int		 rib_reserve(struct rib *, const struct prefix *, uint16_t n);
/* Withdraw every route of a source (session down); returns how many. */
uint64_t	 rib_source_flush(struct rib *, uint16_t src, uint64_t now_us);
/*
 * Graceful restart (RFC 4724): mark a source's routes of a family (0 =
 * both) stale; a re-announcement, changed or not, clears the mark ...
 */
uint64_t	 rib_source_mark_stale(struct rib *, uint16_t src, uint8_t afi);
/* ... and withdraw the ones still stale at End-of-RIB (afi 0 = both). */
uint64_t	 rib_source_sweep_stale(struct rib *, uint16_t src, uint8_t afi,
		    uint64_t now_us);
/* Drop history older than the configured age; called by the writer. */
void		 rib_history_expire(struct rib *, uint64_t now_us);

/* Queries (caller holds the read lock). */
enum rib_match {
	RIB_MATCH_ALL = 0,
	RIB_MATCH_EXACT,
	RIB_MATCH_LONGEST,		/* the prefix is an address or a prefix:
					   the longest covering prefix with
					   a route the filters take */
	RIB_MATCH_MORE,			/* the prefix and its more-specifics */
	RIB_MATCH_LESS,			/* the prefix and its less-specifics */
};

struct rib_cursor {
	bool		valid;
	struct prefix	pfx;
	uint16_t	src;
	uint32_t	path_id;
};

struct rib_query {
	enum rib_match	 match;
	struct prefix	 pfx;		/* for every match but ALL */
	uint8_t		 afi;		/* RIB_MATCH_ALL: 0 = both families */
	bool		 best_only;
	uint32_t	 origin_as;	/* 0 = any */
	int		 src;		/* -1 = any */
	bool		 has_community;
	uint32_t	 community;
	bool		 has_large;
	uint32_t	 large[3];
	const regex_t	*aspath_re;	/* against aspath_fmt() text */
	/*
	 * Characters of AS path text aspath_re may be run over before the
	 * walk stops and hands out a cursor, as the limit does (0 = no
	 * bound): what a page costs, whatever the expression and the paths.
	 */
	size_t		 text_budget;
	/*
	 * Routes the walk may look at before it stops and hands out a
	 * cursor (0 = no bound): a filter that matches little (a community,
	 * an origin) over a full table would otherwise hold the read lock,
	 * and so the writer, for the whole walk.
	 */
	size_t		 scan_budget;
	size_t		 limit;		/* 0 = no limit */
	struct rib_cursor after;	/* resume after this route */
};

/* Called per route; return non-zero to stop. */
typedef int (*rib_route_cb)(void *arg, const struct prefix *,
    const struct route *);

/*
 * Run a query.  Returns the number of routes given to cb.  When it stops
 * because of the limit, *next is the cursor to pass as q->after for the
 * next page (valid = false when the listing is complete).
 */
size_t		 rib_query(struct rib *, const struct rib_query *,
		    rib_route_cb, void *arg, struct rib_cursor *next);

/* History queries. */
typedef int (*rib_event_cb)(void *arg, const struct rib_event *);

/*
 * Events of the prefix (and its more-specifics when more is set) with
 * from_us <= time <= to_us, newest first per prefix.  Returns the count;
 * *truncated is set when the history no longer reaches back to from_us.
 */
size_t		 rib_history(struct rib *, const struct prefix *, bool more,
		    uint64_t from_us, uint64_t to_us, rib_event_cb, void *arg,
		    bool *truncated);
/*
 * The routes of exactly this prefix as they stood at time at_us (changes
 * stamped at_us included), in (source, path id) order.  Fills out (up to
 * max) and returns the count; *truncated is set when some change made
 * after at_us is no longer in the history, so the answer may be wrong.
 * Flags: ROUTE_F_BEST only, chosen among all the routes of the time.
 * `since' comes from the history; 0 when the change that set it has left.
 */
size_t		 rib_routes_at(struct rib *, const struct prefix *,
		    uint64_t at_us, struct route *out, size_t max,
		    bool *truncated);

void		 rib_stats(struct rib *, struct rib_stats *);

/*
 * A listener told of every change (announce, replace, withdraw, source
 * down) as it happens, on the writer's thread and under its write lock:
 * bgplensd hangs the fan-out of fanout.h here, which feeds detection and
 * the live streams.  The event's attribute ids are
 * valid during the call; the listener may read the RIB (rib_attr_get) but
 * not change it, and must be quick: ingest waits for it.
 */
void		 rib_set_listener(struct rib *, rib_event_cb, void *);
/* Check every invariant; NULL when sound, else what is wrong (tests). */
const char	*rib_check(struct rib *);

/*
 * An interned set turned back into the codec's struct bgp_attrs, so the
 * codec's encoder (MRT snapshots) and every printer work on RIB routes.
 * IPv4 next hops come back as NEXT_HOP, IPv6 ones as an MP_REACH_NLRI
 * without NLRI.  Pointers refer to interned storage and to x->nh.
 */
struct rib_export {
	struct bgp_attrs a;
	uint8_t		 nh[32];
};

int		 rib_attr_export(const struct rib *, uint32_t,
		    struct rib_export *x);

/*
 * Apply a decoded UPDATE from a source: withdrawals (IPv4 field and
 * MP_UNREACH_NLRI), then announcements (IPv4 NLRI and MP_REACH_NLRI) with
 * the interned attributes; with a treat-as-withdraw verdict (RFC 7606) the
 * announced prefixes are withdrawn instead.  Unicast only.  Counts what it
 * did in *st (added to, not reset).
 */
struct rib_apply_stats {
	uint64_t	announced;
	uint64_t	withdrawn;
	uint64_t	treat_as_withdraw;	/* prefixes withdrawn so */
	uint64_t	errors;
};

int		 rib_apply_update(struct rib *, uint16_t src,
		    const struct bgp_update *, const struct bgp_neg *,
		    uint64_t now_us, struct rib_apply_stats *);

/* "bgplens rib-load [--query PREFIX] [--dump] FILE..." */
int		 cmd_rib_load(int argc, char **argv);

/*
 * Best path (RFC 4271 9.1.2): negative when a is preferred over b.  Over
 * more than two routes this is no total order (MED compares only routes
 * of one neighbour AS); the RIB selects by elimination as the RFC says,
 * which agrees with this on any two routes.
 */
int		 rib_best_cmp(struct rib *, const struct route *a,
		    const struct route *b);

#endif /* BGPLENS_RIB_H */
