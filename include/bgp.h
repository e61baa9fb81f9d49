/*
 * bgp.h -- the BGP message codec: header framing, OPEN and capabilities,
 * UPDATE with path attributes and NLRI, NOTIFICATION, KEEPALIVE and
 * ROUTE-REFRESH, decode and encode.
 *
 * Decoding is zero-copy: a decoded UPDATE points into the caller's message
 * buffer, which must outlive it.  Nothing is allocated per message; the
 * one struct bgp_update a caller reuses holds the scratch space needed to
 * widen 2-octet AS paths and to merge AS4_PATH (RFC 6793).
 *
 * What the peer negotiated (4-octet AS, ADD-PATH per AFI/SAFI and
 * direction) is not guessed from the bytes: the caller passes it in a
 * struct bgp_neg.  Getting this wrong is the most common bug of BMP and MRT
 * readers, so the decoder refuses to have a default.
 *
 * Malformed input never aborts the decode silently.  Every problem found is
 * classified per RFC 7606 (see docs/rfc7606.md) as attribute-discard,
 * treat-as-withdraw or session-reset; the worst verdict and the reason for
 * it are returned in struct bgp_err, and the raw bytes stay available.
 */
#ifndef BGPLENS_BGP_H
#define BGPLENS_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"
#include "wire.h"

#define BGP_HDR_LEN		19
#define BGP_MAX_LEN		4096
#define BGP_EXT_MAX_LEN		65535	/* RFC 8654 */

/* Message types. */
#define BGP_OPEN		1
#define BGP_UPDATE		2
#define BGP_NOTIFICATION	3
#define BGP_KEEPALIVE		4
#define BGP_ROUTE_REFRESH	5

/* Path attribute type codes. */
#define ATTR_ORIGIN		1
#define ATTR_AS_PATH		2
#define ATTR_NEXT_HOP		3
#define ATTR_MED		4
#define ATTR_LOCAL_PREF		5
#define ATTR_ATOMIC_AGGREGATE	6
#define ATTR_AGGREGATOR		7
#define ATTR_COMMUNITIES	8
#define ATTR_ORIGINATOR_ID	9
#define ATTR_CLUSTER_LIST	10
#define ATTR_MP_REACH_NLRI	14
#define ATTR_MP_UNREACH_NLRI	15
#define ATTR_EXT_COMMUNITIES	16
#define ATTR_AS4_PATH		17
#define ATTR_AS4_AGGREGATOR	18
#define ATTR_IPV6_EXT_COMMUNITIES 25
#define ATTR_LARGE_COMMUNITIES	32
#define ATTR_OTC		35

/* Attribute flags. */
#define ATTR_F_OPTIONAL		0x80
#define ATTR_F_TRANSITIVE	0x40
#define ATTR_F_PARTIAL		0x20
#define ATTR_F_EXTLEN		0x10

/* ORIGIN values. */
#define ORIGIN_IGP		0
#define ORIGIN_EGP		1
#define ORIGIN_INCOMPLETE	2

/* AS_PATH segment types (RFC 4271, RFC 5065). */
#define AS_SET			1
#define AS_SEQUENCE		2
#define AS_CONFED_SEQUENCE	3
#define AS_CONFED_SET		4

#define AS_TRANS		23456

/* Capability codes. */
#define CAPA_MP			1
#define CAPA_ROUTE_REFRESH	2
#define CAPA_EXT_NEXTHOP	5
#define CAPA_EXT_MESSAGE	6
#define CAPA_ROLE		9
#define CAPA_GRACEFUL_RESTART	64
#define CAPA_AS4		65
#define CAPA_ADD_PATH		69
#define CAPA_ENHANCED_RR	70
#define CAPA_FQDN		73

/* NOTIFICATION error codes (RFC 4271 and later). */
#define ERR_HEADER		1
#define ERR_OPEN		2
#define ERR_UPDATE		3
#define ERR_HOLD		4
#define ERR_FSM			5
#define ERR_CEASE		6
#define ERR_RREFRESH		7

/* Header error subcodes. */
#define ERR_HDR_SYNC		1
#define ERR_HDR_LEN		2
#define ERR_HDR_TYPE		3
/* OPEN error subcodes. */
#define ERR_OPEN_VERSION	1
#define ERR_OPEN_AS		2
#define ERR_OPEN_BGPID		3
#define ERR_OPEN_OPT		4
#define ERR_OPEN_HOLDTIME	6
#define ERR_OPEN_CAPA		7
#define ERR_OPEN_ROLE		11
/* UPDATE error subcodes. */
#define ERR_UPD_ATTRLIST	1
#define ERR_UPD_UNKNWN_WK	2
#define ERR_UPD_MISSNG_WK	3
#define ERR_UPD_ATTRFLAGS	4
#define ERR_UPD_ATTRLEN		5
#define ERR_UPD_ORIGIN		6
#define ERR_UPD_NEXTHOP		8
#define ERR_UPD_OPTATTR		9
#define ERR_UPD_NETWORK		10
#define ERR_UPD_ASPATH		11
/* Cease subcodes (RFC 4486, 8203). */
#define ERR_CEASE_MAX_PREFIX	1
#define ERR_CEASE_ADMIN_DOWN	2
#define ERR_CEASE_PEER_UNCONF	3
#define ERR_CEASE_ADMIN_RESET	4
#define ERR_CEASE_CONN_REJECT	5
#define ERR_CEASE_CONF_CHANGE	6
#define ERR_CEASE_COLLISION	7
#define ERR_CEASE_RESOURCES	8
#define ERR_CEASE_HARD_RESET	9

/*
 * AFI/SAFI pairs bgplens tracks negotiation for, as a small dense index so
 * per-family state fits in bitmasks.
 */
enum afisafi {
	AS_IPV4_UNICAST = 0,
	AS_IPV4_MULTICAST,
	AS_IPV6_UNICAST,
	AS_IPV6_MULTICAST,
	AS_IPV4_LABELED,
	AS_IPV6_LABELED,
	AS_IPV4_VPN,
	AS_IPV6_VPN,
	AS_COUNT
};

/* -1 when the pair is not one bgplens decodes NLRI for. */
int		afisafi_index(uint16_t afi, uint8_t safi);
void		afisafi_from_index(int, uint16_t *afi, uint8_t *safi);
const char	*afisafi_name(uint16_t afi, uint8_t safi);

/*
 * What was negotiated for one direction of one session.  For decoding what
 * a peer sent us: as4 if both sides announced the 4-octet AS capability,
 * addpath_rx bit i set if path identifiers are present on AFI/SAFI index i.
 */
struct bgp_neg {
	bool		as4;
	bool		ext_msg;	/* RFC 8654: messages up to 65535 */
	uint16_t	addpath;	/* bitmask over enum afisafi */
};

static inline bool
neg_addpath(const struct bgp_neg *n, int idx)
{
	return (idx >= 0 && (n->addpath & (1u << idx)) != 0);
}

/* RFC 7606 verdicts, ordered by severity. */
enum bgp_verdict {
	BGP_OK = 0,
	BGP_ATTR_DISCARD,	/* the attribute is dropped, the route kept */
	BGP_TREAT_AS_WITHDRAW,	/* every route in the UPDATE is withdrawn */
	BGP_SESSION_RESET,	/* NLRI cannot be located: NOTIFICATION */
};

struct bgp_err {
	enum bgp_verdict verdict;	/* worst seen */
	uint8_t		code;		/* NOTIFICATION code/subcode for it */
	uint8_t		subcode;
	uint8_t		attr;		/* attribute type involved, 0 = none */
	uint16_t	n_discard;	/* attributes discarded */
	uint16_t	n_problems;	/* all problems found */
	char		reason[160];	/* first reason for the worst verdict */
};

const char	*bgp_verdict_name(enum bgp_verdict);
void		 bgp_err_clear(struct bgp_err *);
/* Record a problem; keeps the worst verdict and its first reason. */
void		 bgp_err_set(struct bgp_err *, enum bgp_verdict, uint8_t code,
		    uint8_t subcode, uint8_t attr, const char *fmt, ...)
		    __attribute__((format(printf, 6, 7)));

/*
 * Message framing.  bgp_hdr_parse() checks the marker, the length against
 * the type's minimum and the negotiated maximum, and returns the body.
 */
struct bgp_hdr {
	uint16_t	len;		/* whole message, header included */
	uint8_t		type;
};

int	bgp_hdr_parse(struct rd *, size_t max_len, struct bgp_hdr *,
	    struct rd *body, struct bgp_err *);
/* Start a message; returns the offset to give to bgp_msg_end(). */
size_t	bgp_msg_begin(struct wr *, uint8_t type);
int	bgp_msg_end(struct wr *, size_t off);
const char *bgp_msg_type_name(uint8_t type);

/*
 * OPEN.  Every capability is kept in caps[] in wire order, known or not;
 * the known ones are also decoded into fields.
 */
#define BGP_MAX_CAPS		64
#define BGP_MAX_AF		16

struct bgp_cap {
	uint8_t		code;
	uint8_t		len;
	const uint8_t	*data;
};

struct bgp_af {
	uint16_t	afi;
	uint8_t		safi;
	uint8_t		flags;		/* ADD-PATH mode / GR per-AF flags */
};

#define ADDPATH_RECV		1
#define ADDPATH_SEND		2

#define ROLE_PROVIDER		0
#define ROLE_RS			1
#define ROLE_RS_CLIENT		2
#define ROLE_CUSTOMER		3
#define ROLE_PEER		4

struct bgp_open {
	uint8_t		version;
	uint16_t	my_as;		/* the 2-octet field */
	uint16_t	holdtime;
	uint32_t	bgp_id;		/* host order */
	uint32_t	as4;		/* from CAPA_AS4; 0 if absent */
	bool		has_as4;
	bool		route_refresh;
	bool		enhanced_rr;
	bool		ext_msg;
	bool		has_gr;
	bool		has_role;
	bool		has_fqdn;
	bool		ext_opt_params;	/* RFC 9072 encoding was used */
	uint8_t		role;
	uint8_t		gr_flags;	/* restart state (R) and notification (N) */
	uint16_t	gr_time;
	uint8_t		n_mp, n_addpath, n_gr;
	struct bgp_af	mp[BGP_MAX_AF];
	struct bgp_af	addpath[BGP_MAX_AF];
	struct bgp_af	gr[BGP_MAX_AF];
	char		fqdn_host[256];
	char		fqdn_domain[256];
	uint8_t		n_caps;
	struct bgp_cap	caps[BGP_MAX_CAPS];
	uint8_t		n_unknown_params;	/* non-capability optional params */
};

static inline uint32_t
bgp_open_asn(const struct bgp_open *o)
{
	return (o->has_as4 ? o->as4 : o->my_as);
}

int	bgp_open_decode(struct rd *body, struct bgp_open *, struct bgp_err *);
/*
 * Encode from the fields.  Known capabilities are written from the fields
 * in a fixed order, then every unknown one from caps[].
 */
int	bgp_open_encode(struct wr *, const struct bgp_open *);
const char *bgp_capa_name(uint8_t code);
/*
 * What one side may decode from the other: rx is for messages "remote"
 * sends to "local".
 */
void	bgp_negotiate(const struct bgp_open *local,
	    const struct bgp_open *remote, struct bgp_neg *rx);
/* RFC 9234 4.2: does the remote's Role agree with ours? */
bool	bgp_role_ok(uint8_t local_role, const struct bgp_open *remote);

/*
 * NLRI.  One iterator serves IPv4 NLRI fields and MP_(UN)REACH for every
 * supported AFI/SAFI.  Labels and route distinguishers are decoded for the
 * labelled and VPN families.
 */
struct nlri {
	struct prefix	pfx;
	uint32_t	path_id;
	uint64_t	rd;		/* route distinguisher, VPN only */
	uint32_t	label;		/* first label, labelled/VPN only */
	uint8_t		n_labels;
};

struct nlri_iter {
	struct rd	r;
	uint16_t	afi;
	uint8_t		safi;
	bool		addpath;
};

void	nlri_iter_init(struct nlri_iter *, const uint8_t *, size_t,
	    uint16_t afi, uint8_t safi, bool addpath);
/* 1 = one decoded, 0 = end, -1 = malformed (iterator stops). */
int	nlri_next(struct nlri_iter *, struct nlri *);
/* Walk the whole field; count prefixes or -1 if malformed. */
int	nlri_count(const uint8_t *, size_t, uint16_t afi, uint8_t safi,
	    bool addpath);
int	nlri_encode(struct wr *, const struct nlri *, uint8_t safi,
	    bool addpath);

/*
 * Path attributes, decoded.  Pointers refer to the message buffer or to
 * the scratch space of the owning struct bgp_update.  The AS path is
 * always in canonical form: 4-octet wire encoding (segment type, count,
 * count x 4 octets), AS4_PATH already merged (RFC 6793 4.2.3).
 */
struct bgp_attr_raw {
	uint8_t		flags;
	uint8_t		type;
	uint16_t	len;
	const uint8_t	*data;
};

struct mp_reach {
	uint16_t	afi;
	uint8_t		safi;
	uint8_t		nh_len;
	const uint8_t	*nh;		/* raw next-hop field */
	struct addr	nexthop;	/* global (or IPv4) next hop */
	struct addr	nexthop_ll;	/* IPv6 link-local, afi 0 if none */
	const uint8_t	*nlri;
	uint16_t	nlri_len;
};

struct mp_unreach {
	uint16_t	afi;
	uint8_t		safi;
	const uint8_t	*nlri;
	uint16_t	nlri_len;
};

#define BGP_MAX_ATTRS		256

struct bgp_attrs {
	uint64_t	seen;		/* bit t set: known type t < 64 present */
	uint8_t		origin;
	const uint8_t	*aspath;	/* canonical 4-octet form */
	uint32_t	aspath_len;
	struct addr	nexthop;	/* NEXT_HOP (IPv4) */
	uint32_t	med;
	uint32_t	local_pref;
	uint32_t	aggr_as;	/* reconciled with AS4_AGGREGATOR */
	struct addr	aggr_addr;
	bool		aggr_as4_wire;	/* AGGREGATOR itself was 8 octets */
	const uint8_t	*communities;	/* 4-octet values */
	uint16_t	communities_len;
	uint32_t	originator_id;
	const uint8_t	*cluster_list;
	uint16_t	cluster_list_len;
	const uint8_t	*ext_communities;
	uint16_t	ext_communities_len;
	const uint8_t	*ipv6_ext_communities;
	uint16_t	ipv6_ext_communities_len;
	const uint8_t	*large_communities;
	uint16_t	large_communities_len;
	uint32_t	otc;
	/* AS4_PATH / AS4_AGGREGATOR as received, before the merge. */
	const uint8_t	*as4_path;
	uint16_t	as4_path_len;
	uint32_t	as4_aggr_as;
	struct addr	as4_aggr_addr;
	struct mp_reach	 mp_reach;
	struct mp_unreach mp_unreach;
	/* Every attribute kept, in wire order, discarded ones excluded. */
	uint16_t	n_raw;
	struct bgp_attr_raw raw[BGP_MAX_ATTRS];
};

static inline bool
attrs_has(const struct bgp_attrs *a, unsigned type)
{
	return (type < 64 && (a->seen & (1ull << type)) != 0);
}

/*
 * Decoding flags.  BGP_DEC_MRT_RIB: the attributes come from a
 * TABLE_DUMP_V2 RIB entry, whose MP_REACH_NLRI holds only the next hop
 * (RFC 6396 4.3.4) and whose AS_PATH is always 4-octet.
 */
#define BGP_DEC_MRT_RIB		0x01
#define BGP_DEC_EBGP		0x02	/* peer is external (LOCAL_PREF rules) */

/*
 * A decoded UPDATE.  Allocate with bgp_update_new(), reuse for every
 * message.  withdrawn and nlri are the IPv4 unicast fields.
 */
struct bgp_update {
	const uint8_t	*withdrawn;
	uint16_t	withdrawn_len;
	const uint8_t	*nlri;
	uint16_t	nlri_len;
	uint16_t	attr_len;
	bool		eor;		/* End-of-RIB marker (RFC 4724) */
	uint16_t	eor_afi;
	uint8_t		eor_safi;
	bool		addpath_v4;	/* IPv4 unicast fields carry path ids */
	struct bgp_attrs a;
	struct bgp_err	err;
	/* scratch for widening and merging AS paths */
	uint8_t		*scratch;
	size_t		scratch_len;
};

struct bgp_update *bgp_update_new(void);
void	bgp_update_free(struct bgp_update *);

/* Decode an UPDATE body (after the 19-octet header).  Returns the verdict. */
enum bgp_verdict bgp_update_decode(struct bgp_update *, const uint8_t *body,
	    size_t len, const struct bgp_neg *, unsigned flags);
/*
 * Decode a bare attribute block (MRT RIB entries, BMP).  bgp_attrs_parse()
 * is the same walk without clearing u->err first, for the UPDATE decoder;
 * it returns -1 when the list could not be framed to its end.
 */
int	bgp_attrs_parse(struct bgp_update *, const uint8_t *attrs, size_t len,
	    const struct bgp_neg *, unsigned flags);
const char *bgp_attr_name(uint8_t type);
enum bgp_verdict bgp_attrs_decode(struct bgp_update *, const uint8_t *attrs,
	    size_t len, const struct bgp_neg *, unsigned flags);

/*
 * Encode path attributes from the decoded fields: MP_REACH_NLRI and
 * MP_UNREACH_NLRI first (RFC 7606 5.1), then the others in type order.  With
 * as4 false, AS numbers above 65535 become AS_TRANS and AS4_PATH and
 * AS4_AGGREGATOR are added, as RFC 6793 4.2.2 requires.  Unknown attributes
 * are copied from raw[] with their flags.
 */
int	bgp_attrs_encode(struct wr *, const struct bgp_attrs *, bool as4);
/* A whole UPDATE message, header included. */
int	bgp_update_encode(struct wr *, const struct bgp_update *, bool as4);

/*
 * AS path helpers over the canonical form.  aspath_count() is the RFC 4271
 * path length: an AS_SET counts 1, confederation segments 0.
 */
struct aspath_iter {
	struct rd	r;
	uint8_t		seg_type;
	uint8_t		seg_left;
};

void	aspath_iter_init(struct aspath_iter *, const uint8_t *, size_t);
/* 1 = one AS (with its segment type), 0 = end. */
int	aspath_next(struct aspath_iter *, uint32_t *asn, uint8_t *seg_type);
unsigned aspath_count(const uint8_t *, size_t);
/* Origin AS: last AS of the last AS_SEQUENCE; 0 if none (or a set). */
uint32_t aspath_origin(const uint8_t *, size_t);
/* First AS of the path (the neighbour); 0 if none. */
uint32_t aspath_first(const uint8_t *, size_t);
/* "1 2 {3,4} (5 6) [7,8]", as BGP tools print paths.  Returns length. */
size_t	aspath_fmt(const uint8_t *, size_t, char *buf, size_t len);

/* NOTIFICATION. */
struct bgp_notify {
	uint8_t		code;
	uint8_t		subcode;
	uint16_t	data_len;
	const uint8_t	*data;
};

int	bgp_notify_decode(struct rd *body, struct bgp_notify *);
int	bgp_notify_encode(struct wr *, uint8_t code, uint8_t subcode,
	    const void *data, size_t len);
const char *bgp_err_name(uint8_t code);
const char *bgp_suberr_name(uint8_t code, uint8_t subcode);
/* "Cease/Administrative Shutdown: <RFC 8203 message>" into buf. */
char	*bgp_notify_fmt(const struct bgp_notify *, char *buf, size_t len);

/*
 * ROUTE-REFRESH (RFC 2918, 7313 subtypes).  bgp_rrefresh_decode() fails on
 * a BoRR/EoRR longer than 4 octets (RFC 7313 5: ROUTE-REFRESH Message
 * Error, Invalid Message Length); the ORF entries (RFC 5291) a normal
 * request may carry are left in orf.  bgp_rrefresh_encode() writes the
 * 4-octet request only.
 */
struct bgp_rrefresh {
	uint16_t	afi;
	uint8_t		subtype;	/* 0 normal, 1 BoRR, 2 EoRR */
	uint8_t		safi;
	const uint8_t	*orf;		/* decode only: ORF entries, or NULL */
	uint16_t	orf_len;
};

int	bgp_rrefresh_decode(struct rd *body, struct bgp_rrefresh *);
int	bgp_rrefresh_encode(struct wr *, const struct bgp_rrefresh *);
int	bgp_keepalive_encode(struct wr *);

#endif /* BGPLENS_BGP_H */
