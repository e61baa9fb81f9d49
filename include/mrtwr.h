/*
 * mrtwr.h -- building MRT records (RFC 6396, RFC 8050) into a struct wr.
 *
 * Each function appends one complete record, header included, using the
 * reserve-and-patch writer of wire.h for the length.  The archive writer
 * (rotation, compression, durability) and the table generator of bench/
 * build on these; file handling is theirs.
 */
#ifndef BGPLENS_MRTWR_H
#define BGPLENS_MRTWR_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp.h"
#include "prefix.h"
#include "wire.h"

struct mrtwr_peer {
	uint32_t	bgp_id;		/* host order */
	struct addr	ip;
	uint32_t	asn;
};

/* TABLE_DUMP_V2 PEER_INDEX_TABLE; every peer written with 4-octet AS. */
int	mrtwr_peer_index(struct wr *, uint32_t ts, uint32_t collector_id,
	    const char *view, const struct mrtwr_peer *, uint16_t n);

/*
 * Start a TD2 RIB record for one prefix (RIB_IPV4/IPV6_UNICAST, or the
 * _ADDPATH subtype when addpath), add its entries, then end it.  The
 * attributes given to an entry are a wire attribute block as the RIB
 * subtype wants it (AS_PATH 4-octet, MP_REACH_NLRI abbreviated to the
 * next hop, RFC 6396 4.3.4): see mrtwr_rib_attrs().
 */
struct mrtwr_rib {
	size_t		rec_off;	/* record start */
	size_t		count_off;	/* entry count field */
	uint16_t	count;
	bool		addpath;
};

int	mrtwr_rib_begin(struct wr *, struct mrtwr_rib *, uint32_t ts,
	    uint32_t seq, const struct prefix *, bool addpath);
int	mrtwr_rib_entry(struct wr *, struct mrtwr_rib *, uint16_t peer_index,
	    uint32_t originated, uint32_t path_id, const uint8_t *attrs,
	    size_t attrs_len);
int	mrtwr_rib_end(struct wr *, struct mrtwr_rib *);

/*
 * The attribute block of a TD2 RIB entry from decoded attributes: the
 * codec's encoding with 4-octet AS, MP_REACH_NLRI replaced by its
 * abbreviated form for IPv6 prefixes.
 */
int	mrtwr_rib_attrs(struct wr *, const struct bgp_attrs *, uint8_t afi);

/*
 * BGP4MP_ET MESSAGE_AS4 (or MESSAGE_AS4_ADDPATH): one BGP message, header
 * included, as received from peer by local.
 */
int	mrtwr_bgp4mp_msg(struct wr *, uint32_t ts, uint32_t usec,
	    bool addpath, uint32_t peer_as, uint32_t local_as,
	    const struct addr *peer_ip, const struct addr *local_ip,
	    const uint8_t *msg, size_t len);
/* BGP4MP_ET STATE_CHANGE_AS4. */
int	mrtwr_bgp4mp_state(struct wr *, uint32_t ts, uint32_t usec,
	    uint32_t peer_as, uint32_t local_as, const struct addr *peer_ip,
	    const struct addr *local_ip, uint16_t old_state,
	    uint16_t new_state);

/* "bgplens gen-table": a synthetic full table as a TD2 RIB file. */
int	cmd_gen_table(int argc, char **argv);
/* "bgplens replay": send one peer's routes of a TD2 file over BGP. */
int	cmd_replay(int argc, char **argv);

#endif /* BGPLENS_MRTWR_H */
