/*
 * session.h -- bgplensd's BGP side: listeners, peers and their sessions.
 *
 * A collector's sessions (RFC 4271 section 8, as a passive receiver): the
 * collector accepts only configured neighbours (or ones inside a dynamic
 * range), negotiates capabilities, keeps the hold timer, stores what it
 * receives, and never sends an UPDATE.  Each peer may have up to two
 * connections while a collision is resolved (RFC 4271 6.8); one survives.
 *
 * Everything here runs on the event loop's thread.  Other threads (the
 * looking glass) read peers through peers_snapshot(), which copies under
 * the daemon's peer lock.
 */
#ifndef BGPLENS_SESSION_H
#define BGPLENS_SESSION_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "bgp.h"
#include "conf.h"
#include "evloop.h"
#include "rib.h"
#include "stream.h"

enum peer_state {
	PS_IDLE = 0,
	PS_CONNECT,
	PS_ACTIVE,
	PS_OPENSENT,
	PS_OPENCONFIRM,
	PS_ESTABLISHED,
};

const char *peer_state_name(enum peer_state);

struct peer_counters {
	uint64_t	msgs_in[6];	/* by message type, 0 = other */
	uint64_t	msgs_out[6];
	uint64_t	bytes_in;
	uint64_t	announced;	/* prefixes */
	uint64_t	withdrawn;
	uint64_t	treat_as_withdraw;	/* UPDATEs */
	uint64_t	attr_discard;		/* UPDATEs */
	uint64_t	flaps;		/* times Established was left */
	uint64_t	max_prefix_hits;
};

/* What the looking glass shows of a peer; a copy. */
struct peer_info {
	struct addr	addr;
	uint32_t	remote_as;
	uint32_t	bgp_id;
	char		description[64];
	enum peer_state	state;
	bool		dynamic;
	bool		passive;
	uint16_t	hold_time;	/* negotiated */
	uint64_t	state_since_us;	/* wall clock */
	uint64_t	established_us;	/* 0 = never */
	uint64_t	prefixes[2];	/* in the RIB: IPv4, IPv6 */
	uint16_t	src;
	struct peer_counters c;
	char		last_error[256];
	char		last_notify_in[200];
	char		last_notify_out[200];
	char		caps[256];	/* negotiated, readable */
};

struct bgpd;

/*
 * The daemon's BGP state.  Created with bgpd_new() from a configuration,
 * driven by the loop; bgpd_reconfigure() applies a new configuration
 * (SIGHUP) touching only the peers that changed.
 */
struct bgpd	*bgpd_new(const struct conf *, struct evloop *, struct rib *);
/* Open the listeners; -1 if none could be opened. */
int		 bgpd_listen(struct bgpd *);
int		 bgpd_reconfigure(struct bgpd *, const struct conf *);
/* Cease to every peer (Administrative Shutdown), close everything. */
void		 bgpd_shutdown(struct bgpd *);
void		 bgpd_free(struct bgpd *);

/*
 * Log every message received and every state change to the MRT update
 * log (NULL: stop).  The archive must outlive the bgpd, or be unset first.
 */
struct archive;
void		 bgpd_set_archive(struct bgpd *, struct archive *);

/* A copy of every peer's state; the caller frees *out. */
size_t		 bgpd_peers_snapshot(struct bgpd *, struct peer_info **out);
uint64_t	 bgpd_established(struct bgpd *);
/*
 * Told when a session reaches Established or leaves it (the live
 * streams' RIS_PEER_STATE), on the loop's thread.
 */
void		 bgpd_set_peer_hook(struct bgpd *, peer_event_cb, void *);

#endif /* BGPLENS_SESSION_H */
