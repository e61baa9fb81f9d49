/*
 * bmp.h -- the BGP Monitoring Protocol: routers stream their BGP views to
 * bgplensd (RFC 7854; Adj-RIB-Out, RFC 8671; Loc-RIB, RFC 9069).
 *
 * Four layers, each usable alone:
 *
 *   parse    bmp_parse(): one whole BMP message, read through struct rd,
 *            into a struct bmp_msg that points into the caller's buffer.
 *            Structure only: the embedded BGP PDUs are framed, OPENs and
 *            NOTIFICATIONs decoded; an UPDATE is left for the layer that
 *            knows what its session negotiated.
 *
 *   stream   struct msgbuf (msgbuf.h): bytes in, whole messages out.
 *
 *   router   struct bmp_router: the state of one BMP session (one
 *            monitored router): its peers, what each negotiated, which
 *            RIB source each (peer, table) feeds, counters and the last
 *            statistics.  Messages in, RIB changes out.  No sockets.
 *
 *   station  struct bmp_station: bgplensd's listeners, connections and
 *            outbound connects on the daemon's event loop.
 *
 * and the command "bgplens bmp", which runs the router layer over files.
 *
 * What is malformed and what is not.  A message is malformed when its BMP
 * structure cannot be walked: the common header, the per-peer header,
 * fixed fields, TLV framing, the framing (marker, length, type) of the
 * BGP PDUs it carries.  The station closes that router's connection
 * (RFC 7854 leaves the station nothing else to do: the router resends
 * everything on the next session).  Problems inside a well-framed BGP
 * PDU (an OPEN whose capabilities do not decode, an UPDATE with RFC 7606
 * errors) are counted against the peer and never close anything.
 */
#ifndef BGPLENS_BMP_H
#define BGPLENS_BMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "prefix.h"
#include "rib.h"
#include "stream.h"
#include "wire.h"

#define BMP_HDR_LEN		6
#define BMP_PEER_HDR_LEN	42
#define BMP_VERSION		3
#define BMP_VERSION_TLV		4	/* draft-ietf-grow-bmp-tlv */
/*
 * The largest message accepted.  A Route Monitoring message holds one
 * UPDATE (at most 65535 octets with RFC 8654); Route Mirroring and the
 * TLV messages are not much bigger in practice.  Anything larger is a
 * corrupt length and is refused before any allocation.
 */
#define BMP_MAX_LEN		(1u << 20)
#define BMP_PORT		1790	/* what routers default to */

/* Message types (RFC 7854 10.1). */
#define BMP_ROUTE_MONITORING	0
#define BMP_STATS_REPORT	1
#define BMP_PEER_DOWN		2
#define BMP_PEER_UP		3
#define BMP_INITIATION		4
#define BMP_TERMINATION		5
#define BMP_ROUTE_MIRRORING	6
#define BMP_NTYPES		7

/* Peer types (RFC 7854 10.2, RFC 9069 8.2). */
#define BMP_PEER_GLOBAL		0
#define BMP_PEER_RD		1
#define BMP_PEER_LOCAL		2
#define BMP_PEER_LOC_RIB	3

/* Per-peer header flags, peer types 0-2 (RFC 7854 4.2, RFC 8671 4). */
#define BMP_PF_V		0x80	/* peer address is IPv6 */
#define BMP_PF_L		0x40	/* post-policy */
#define BMP_PF_A		0x20	/* legacy 2-octet AS_PATH */
#define BMP_PF_O		0x10	/* Adj-RIB-Out */
/* ... and for the Loc-RIB peer type (RFC 9069 4.2). */
#define BMP_PF_F		0x80	/* the Loc-RIB is filtered */

/* Information TLVs of Initiation and Peer Up (RFC 7854 4.4, 9069, 8671). */
#define BMP_INFO_STRING		0
#define BMP_INFO_SYSDESCR	1
#define BMP_INFO_SYSNAME	2
#define BMP_INFO_VRF		3	/* VRF/Table Name, RFC 9069 */
#define BMP_INFO_ADMIN_LABEL	4

/* Termination TLVs and reasons (RFC 7854 4.5). */
#define BMP_TERM_STRING		0
#define BMP_TERM_REASON		1
#define BMP_TERM_ADMIN		0
#define BMP_TERM_UNSPEC		1
#define BMP_TERM_RESOURCES	2
#define BMP_TERM_REDUNDANT	3
#define BMP_TERM_PERM_ADMIN	4

/* Peer Down reasons (RFC 7854 4.9, RFC 9069 5.4). */
#define BMP_DOWN_LOCAL_NOTIFY	1	/* a NOTIFICATION PDU follows */
#define BMP_DOWN_LOCAL_FSM	2	/* a 2-octet FSM event follows */
#define BMP_DOWN_REMOTE_NOTIFY	3	/* a NOTIFICATION PDU follows */
#define BMP_DOWN_REMOTE_NODATA	4
#define BMP_DOWN_DECONFIGURED	5
#define BMP_DOWN_LOCAL_TLV	6	/* Information TLVs follow */

/* Route Mirroring TLVs and information codes (RFC 7854 4.7). */
#define BMP_MIRROR_BGP		0
#define BMP_MIRROR_INFO		1
#define BMP_MIRROR_ERRORED	0
#define BMP_MIRROR_LOST		1

const char	*bmp_type_name(uint8_t type);
const char	*bmp_peer_type_name(uint8_t type);
const char	*bmp_down_reason_name(uint8_t reason);
const char	*bmp_term_reason_name(uint16_t reason);
/* "prefixes rejected by inbound policy", ...; NULL when unknown. */
const char	*bmp_stat_name(uint16_t type);

struct bmp_peer_hdr {
	uint8_t		type;
	uint8_t		flags;
	uint64_t	distinguisher;
	struct addr	addr;		/* Loc-RIB: 0.0.0.0 */
	uint32_t	as;
	uint32_t	bgp_id;		/* host order */
	uint32_t	ts_sec;
	uint32_t	ts_usec;
};

/* The RIB table a per-peer header describes (RFC 7854, 8671, 9069). */
enum rib_table	bmp_peer_table(const struct bmp_peer_hdr *);

struct bmp_tlv {
	uint16_t	type;
	uint16_t	len;
	const uint8_t	*val;
};

#define BMP_MAX_TLVS		32

/* A list of TLVs: the first BMP_MAX_TLVS kept, the rest only counted. */
struct bmp_tlvs {
	uint16_t	n;
	uint16_t	n_more;
	struct bmp_tlv	t[BMP_MAX_TLVS];
};

/* One embedded BGP PDU, header included, framing checked. */
struct bmp_bgp {
	const uint8_t	*msg;
	uint16_t	len;
	uint8_t		type;
	const uint8_t	*body;		/* after the header */
	uint16_t	body_len;
};

struct bmp_peer_up {
	struct addr	local;		/* the router's end */
	uint16_t	local_port;
	uint16_t	remote_port;
	struct bmp_bgp	sent_pdu;	/* the router's OPEN */
	struct bmp_bgp	recv_pdu;	/* the peer's OPEN */
	struct bgp_open	sent;
	struct bgp_open	recv;
	bool		sent_ok;	/* decoded, else sent_err */
	bool		recv_ok;
	struct bgp_err	sent_err;
	struct bgp_err	recv_err;
	struct bmp_tlvs	info;
};

struct bmp_peer_down {
	uint8_t		reason;
	bool		has_notify;	/* reasons 1 and 3 */
	struct bgp_notify notify;
	uint16_t	fsm_event;	/* reason 2 */
	struct bmp_tlvs	info;		/* reason 6 */
	const uint8_t	*data;		/* what follows the reason */
	size_t		data_len;
};

/*
 * One statistic.  Known types and the lengths RFC 7854 gives them are
 * decoded: 4 octets a 32-bit counter, 8 a 64-bit gauge, 11 an AFI/SAFI
 * and a 64-bit gauge.  Any other type is decoded the same way from its
 * length; any other length is kept raw (decoded false).
 */
struct bmp_stat {
	uint16_t	type;
	uint16_t	len;
	bool		decoded;
	bool		has_afi;
	uint16_t	afi;
	uint8_t		safi;
	uint64_t	value;
	const uint8_t	*raw;
};

#define BMP_MAX_STATS		64

struct bmp_stats {
	uint32_t	count;		/* as the message says */
	uint16_t	n;		/* decoded into s[] */
	uint16_t	n_more;		/* beyond BMP_MAX_STATS */
	struct bmp_stat	s[BMP_MAX_STATS];
};

struct bmp_mirror {
	struct bmp_tlvs	tlvs;
	uint16_t	n_bgp;		/* BGP Message TLVs */
	uint16_t	n_unframed;	/* ... whose PDU does not frame */
	uint16_t	n_errored;	/* information code 0 */
	uint16_t	n_lost;		/* information code 1 */
};

struct bmp_term {
	struct bmp_tlvs	tlvs;
	bool		has_reason;
	uint16_t	reason;
};

/*
 * A parsed message.  Pointers refer to the buffer given to bmp_parse().
 * Version 4 messages are framed but not parsed (skipped is set).
 */
struct bmp_msg {
	uint8_t		version;
	uint8_t		type;
	uint32_t	len;
	const uint8_t	*raw;
	bool		skipped;	/* version 4, or a type not known */
	bool		has_peer;
	struct bmp_peer_hdr peer;
	struct bmp_bgp	rm;		/* Route Monitoring's UPDATE */
	struct bmp_tlvs	info;		/* Initiation */
	struct bmp_term	term;
	struct bmp_peer_up up;
	struct bmp_peer_down down;
	struct bmp_stats stats;
	struct bmp_mirror mirror;
};

struct bmp_err {
	char		reason[192];
};

/*
 * Read the common header of a message whose first BMP_HDR_LEN octets
 * are at p: its total length, or -1 (reason in e) when the version is
 * not 3 or 4 or the length is below 6 or above max.
 */
long	bmp_hdr_len(const uint8_t *p, size_t max, struct bmp_err *e);
/*
 * Parse one whole message (len octets from buf, as framed).  0 when it is
 * well formed, -1 with the reason otherwise.
 */
int	bmp_parse(const uint8_t *buf, size_t len, struct bmp_msg *,
	    struct bmp_err *);
/* Per-peer header alone (what follows the common header). */
int	bmp_peer_hdr_parse(struct rd *, struct bmp_peer_hdr *,
	    struct bmp_err *);
int	bmp_tlvs_parse(struct rd *, struct bmp_tlvs *, struct bmp_err *,
	    const char *what);

/*
 * Encoding (tests, "bgplens bmp --from-mrt", benchmarks): a message is
 * bmp_msg_begin(), its body, bmp_msg_end() which patches the length.
 */
size_t	bmp_msg_begin(struct wr *, uint8_t type);
int	bmp_msg_end(struct wr *, size_t off);
void	bmp_peer_hdr_encode(struct wr *, const struct bmp_peer_hdr *);
void	bmp_tlv_encode(struct wr *, uint16_t type, const void *, size_t);

/*
 * The router layer.
 */

/* Counters of one monitored peer; RIB figures are prefixes. */
struct bmp_peer_counters {
	uint64_t	msgs[BMP_NTYPES];
	uint64_t	updates;
	uint64_t	announced;
	uint64_t	withdrawn;
	uint64_t	eor;
	uint64_t	treat_as_withdraw;	/* UPDATEs */
	uint64_t	attr_discard;		/* UPDATEs */
	uint64_t	update_errors;		/* UPDATEs not applied */
	uint64_t	no_peer_up;		/* RM before any Peer Up */
	uint64_t	peer_ups;
	uint64_t	peer_downs;
};

/* The last value of one statistic, as kept for the API. */
struct bmp_stat_value {
	uint16_t	type;
	uint16_t	afi;		/* 0 when the statistic has none */
	uint8_t		safi;
	uint64_t	value;
};

#define BMP_KEEP_STATS		32

/* A copy of one monitored peer's state. */
struct bmp_peer_info {
	uint8_t		type;
	uint8_t		flags_seen;	/* per-peer flags, OR-ed */
	uint64_t	distinguisher;
	struct addr	addr;
	uint32_t	as;
	uint32_t	bgp_id;
	bool		up;
	uint64_t	up_us;		/* wall clock, last Peer Up */
	uint64_t	down_us;	/* ... and Peer Down, 0 = never */
	uint64_t	last_ts_us;	/* router's time, last message */
	struct addr	local;
	uint16_t	local_port;
	uint16_t	remote_port;
	uint32_t	local_as;	/* the router's AS, from its OPEN */
	uint16_t	hold_time;
	char		caps[160];	/* negotiated, readable */
	char		vrf[64];	/* VRF/Table Name TLV */
	uint8_t		down_reason;
	char		down_text[200];
	char		last_error[200];
	/* The source of each table, RIB_NO_SOURCE for none. */
	uint16_t	src[RIB_TBL_LOC_RIB + 1];
	struct bmp_peer_counters c;
	uint64_t	stats_us;	/* when the last report came */
	uint16_t	n_stats;
	struct bmp_stat_value stats[BMP_KEEP_STATS];
};

/* Counters of one router (its BMP session). */
struct bmp_router_counters {
	uint64_t	msgs[BMP_NTYPES];
	uint64_t	msgs_unknown;	/* types 7-255 */
	uint64_t	v4_skipped;	/* version 4 messages */
	uint64_t	messages;
	uint64_t	bytes;
	uint64_t	malformed;
	uint64_t	updates;
	uint64_t	announced;
	uint64_t	withdrawn;
	uint64_t	treat_as_withdraw;	/* UPDATEs */
	uint64_t	attr_discard;		/* UPDATEs */
	uint64_t	update_errors;
	uint64_t	no_initiation;	/* messages before Initiation */
};

/* A copy of one router's state. */
struct bmp_router_info {
	struct addr	addr;
	uint16_t	port;
	bool		connected;
	bool		outbound;	/* the station dialled it */
	bool		initiated;
	bool		terminated;
	uint16_t	term_reason;
	uint64_t	connected_us;
	uint64_t	last_msg_us;
	char		sysname[128];
	char		sysdescr[256];
	char		info[256];	/* Initiation's first String */
	char		term_text[256];
	char		last_error[256];
	struct bmp_router_counters c;
	size_t		n_peers;
	struct bmp_peer_info *peers;
};

struct archive;
struct bmp_router;

/*
 * A router fed into rib (which may be NULL: decode and count only).  The
 * caller holds the RIB write lock around bmp_router_input() and
 * bmp_router_down().
 */
struct bmp_router *bmp_router_new(struct rib *, const struct addr *,
		    uint16_t port);
void		 bmp_router_free(struct bmp_router *);
/* Route Monitoring of Adj-RIB-In pre-policy also goes to this MRT log. */
void		 bmp_router_set_archive(struct bmp_router *,
		    struct archive *);
/*
 * One whole message (as framed), received at now_us (wall clock).
 * 0 = handled, 1 = handled and it was a Termination (the router closes
 * next), -1 = malformed, the reason in e (the caller closes the session).
 */
int		 bmp_router_input(struct bmp_router *, const uint8_t *,
		    size_t, uint64_t now_us, struct bmp_err *e);
/* The session ended: every source of the router is flushed. */
uint64_t	 bmp_router_down(struct bmp_router *, uint64_t now_us);
/*
 * Fill info; its peers array is allocated: free(info->peers).
 * bmp_router_info_free() frees an array of n (a snapshot), peers and all.
 */
int		 bmp_router_info(const struct bmp_router *,
		    struct bmp_router_info *);
void		 bmp_router_info_free(struct bmp_router_info *, size_t n);
void		 bmp_router_set_error(struct bmp_router *, const char *);
/* Told of Initiation, Peer Up, Peer Down and the session's end. */
void		 bmp_router_set_peer_hook(struct bmp_router *, peer_event_cb,
		    void *);
/* The message bmp_router_input() parsed last (valid until the next). */
const struct bmp_msg *bmp_router_last(const struct bmp_router *);
const struct bmp_router_counters *bmp_router_counters(
		    const struct bmp_router *);

/*
 * The station.
 */
struct conf;
struct evloop;
struct bmp_station;

struct bmp_station *bmp_station_new(const struct conf *, struct evloop *,
		    struct rib *);
/* Open the listeners and start the outbound connects; -1 if none opened. */
int		 bmp_station_start(struct bmp_station *);
/* A new configuration: the allow-list and connects (listeners: restart). */
int		 bmp_station_reconfigure(struct bmp_station *,
		    const struct conf *);
/*
 * The MRT update log hook: Route Monitoring of Adj-RIB-In pre-policy is
 * appended to it (NULL: none).  bgplensd calls this once it keeps an
 * update log.
 */
void		 bmp_station_set_archive(struct bmp_station *,
		    struct archive *);
/* Routers and their peers coming and going (the live streams). */
void		 bmp_station_set_peer_hook(struct bmp_station *,
		    peer_event_cb, void *);
/* Close every session (sources flushed) and listener. */
void		 bmp_station_shutdown(struct bmp_station *);
void		 bmp_station_free(struct bmp_station *);
/* A copy of every router's state; free with bmp_router_info_free(). */
size_t		 bmp_station_snapshot(struct bmp_station *,
		    struct bmp_router_info **out);

/* "bgplens bmp [--stats|--json] FILE...", --send (bmp_cmd.c) ... */
int		 cmd_bmp(int argc, char **argv);
/* ... and --from-mrt (bmp_gen.c). */
int		 cmd_bmp_gen(int argc, char **argv);

#endif /* BGPLENS_BMP_H */
