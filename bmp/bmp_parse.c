/*
 * bmp_parse.c -- BMP messages (RFC 7854, 8671, 9069) into struct bmp_msg,
 * and the few encoders tests and benchmarks build messages with.
 *
 * Every read goes through struct rd: the common header's length bounds
 * the message, each length field inside bounds what it covers (rd_sub),
 * and an embedded BGP PDU is framed by the codec's own bgp_hdr_parse().
 * A message is either fully walked or refused with a reason; nothing
 * here allocates, and nothing is read past the length given.
 *
 *	common header	version(1) length(4) type(1)
 *	per-peer header	type(1) flags(1) distinguisher(8) address(16)
 *			AS(4) BGP ID(4) seconds(4) microseconds(4)
 *
 * Types 0-3 and 6 carry the per-peer header; 4 and 5 do not.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bmp.h"

static void
bmp_seterr(struct bmp_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
bmp_seterr(struct bmp_err *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

const char *
bmp_type_name(uint8_t type)
{
	static const char *const names[BMP_NTYPES] = {
		"Route Monitoring", "Statistics Report",
		"Peer Down Notification", "Peer Up Notification",
		"Initiation", "Termination", "Route Mirroring",
	};

	return (type < BMP_NTYPES ? names[type] : "unknown");
}

const char *
bmp_peer_type_name(uint8_t type)
{
	switch (type) {
	case BMP_PEER_GLOBAL:
		return ("global");
	case BMP_PEER_RD:
		return ("rd-instance");
	case BMP_PEER_LOCAL:
		return ("local-instance");
	case BMP_PEER_LOC_RIB:
		return ("loc-rib");
	}
	return ("unknown");
}

const char *
bmp_down_reason_name(uint8_t reason)
{
	switch (reason) {
	case BMP_DOWN_LOCAL_NOTIFY:
		return ("local system closed, NOTIFICATION sent");
	case BMP_DOWN_LOCAL_FSM:
		return ("local system closed, FSM event");
	case BMP_DOWN_REMOTE_NOTIFY:
		return ("remote system closed, NOTIFICATION received");
	case BMP_DOWN_REMOTE_NODATA:
		return ("remote system closed, no data");
	case BMP_DOWN_DECONFIGURED:
		return ("peer de-configured");
	case BMP_DOWN_LOCAL_TLV:
		return ("local system closed");
	}
	return ("unknown reason");
}

const char *
bmp_term_reason_name(uint16_t reason)
{
	switch (reason) {
	case BMP_TERM_ADMIN:
		return ("administratively closed");
	case BMP_TERM_UNSPEC:
		return ("unspecified");
	case BMP_TERM_RESOURCES:
		return ("out of resources");
	case BMP_TERM_REDUNDANT:
		return ("redundant connection");
	case BMP_TERM_PERM_ADMIN:
		return ("permanently administratively closed");
	}
	return ("unknown reason");
}

/*
 * Statistics types (IANA "BMP Statistics Types"): 0-13 RFC 7854, 14-17
 * RFC 8671, 18 on from the Adj-RIB-In and Loc-RIB counters that followed.
 */
static const char *const stat_names[] = {
	"prefixes rejected by inbound policy",
	"duplicate prefix advertisements",
	"duplicate withdraws",
	"updates invalidated due to CLUSTER_LIST loop",
	"updates invalidated due to AS_PATH loop",
	"updates invalidated due to ORIGINATOR_ID",
	"updates invalidated due to AS_CONFED loop",
	"routes in Adj-RIBs-In",
	"routes in Loc-RIB",
	"routes in per-AFI/SAFI Adj-RIB-In",
	"routes in per-AFI/SAFI Loc-RIB",
	"updates subjected to treat-as-withdraw",
	"prefixes subjected to treat-as-withdraw",
	"duplicate update messages received",
	"routes in pre-policy Adj-RIB-Out",
	"routes in post-policy Adj-RIB-Out",
	"routes in per-AFI/SAFI pre-policy Adj-RIB-Out",
	"routes in per-AFI/SAFI post-policy Adj-RIB-Out",
	"routes in pre-policy Adj-RIB-In",
	"routes in per-AFI/SAFI pre-policy Adj-RIB-In",
	"routes in post-policy Adj-RIB-In",
	"routes in per-AFI/SAFI post-policy Adj-RIB-In",
};

const char *
bmp_stat_name(uint16_t type)
{
	if (type < sizeof(stat_names) / sizeof(stat_names[0]))
		return (stat_names[type]);
	return (NULL);
}

enum rib_table
bmp_peer_table(const struct bmp_peer_hdr *h)
{
	if (h->type == BMP_PEER_LOC_RIB)
		return (RIB_TBL_LOC_RIB);
	if (h->flags & BMP_PF_O)
		return (h->flags & BMP_PF_L ? RIB_TBL_ADJ_OUT_POST :
		    RIB_TBL_ADJ_OUT_PRE);
	return (h->flags & BMP_PF_L ? RIB_TBL_ADJ_IN_POST : RIB_TBL_ADJ_IN_PRE);
}

long
bmp_hdr_len(const uint8_t *p, size_t max, struct bmp_err *e)
{
	uint32_t len = be32(p + 1);

	/*
	 * Versions 1 and 2 (the drafts before RFC 7854) have no length
	 * field: a stream of them cannot be framed, only refused.
	 */
	if (p[0] != BMP_VERSION && p[0] != BMP_VERSION_TLV) {
		bmp_seterr(e, "unsupported BMP version %u", p[0]);
		return (-1);
	}
	if (len < BMP_HDR_LEN || len > max) {
		bmp_seterr(e, "message length %u out of range (6..%zu)", len,
		    max);
		return (-1);
	}
	return ((long)len);
}

int
bmp_peer_hdr_parse(struct rd *r, struct bmp_peer_hdr *h, struct bmp_err *e)
{
	const uint8_t	*a;
	uint32_t	 dhi, dlo;

	memset(h, 0, sizeof(*h));
	if (rd_u8(r, &h->type) == -1 || rd_u8(r, &h->flags) == -1 ||
	    rd_u32(r, &dhi) == -1 || rd_u32(r, &dlo) == -1 ||
	    rd_ptr(r, 16, &a) == -1 || rd_u32(r, &h->as) == -1 ||
	    rd_u32(r, &h->bgp_id) == -1 || rd_u32(r, &h->ts_sec) == -1 ||
	    rd_u32(r, &h->ts_usec) == -1) {
		bmp_seterr(e, "per-peer header truncated");
		return (-1);
	}
	h->distinguisher = ((uint64_t)dhi << 32) | dlo;
	/*
	 * RFC 7854 4.2: the V flag says IPv6; an IPv4 address sits in the
	 * last four octets.  The Loc-RIB peer type has no V flag (its bit is
	 * F) and a zero address.
	 */
	if (h->type != BMP_PEER_LOC_RIB && (h->flags & BMP_PF_V))
		addr_set_bytes(&h->addr, AFI_IPV6, a);
	else
		addr_set_bytes(&h->addr, AFI_IPV4, a + 12);
	return (0);
}

int
bmp_tlvs_parse(struct rd *r, struct bmp_tlvs *t, struct bmp_err *e,
    const char *what)
{
	struct bmp_tlv	x;
	struct rd	v;

	t->n = t->n_more = 0;
	while (rd_left(r) > 0) {
		if (rd_u16(r, &x.type) == -1 || rd_u16(r, &x.len) == -1 ||
		    rd_sub(r, x.len, &v) == -1) {
			bmp_seterr(e, "%s: TLV %u overruns the message (%zu "
			    "octets left)", what, t->n + t->n_more,
			    rd_left(r));
			return (-1);
		}
		x.val = rd_cur(&v);
		if (t->n < BMP_MAX_TLVS)
			t->t[t->n++] = x;
		else if (t->n_more < UINT16_MAX)
			t->n_more++;
	}
	return (0);
}

/*
 * One embedded BGP PDU: marker, length and type checked by the codec.
 * Route Monitoring may carry up to 65535 octets (RFC 8654); the codec
 * itself holds OPEN and KEEPALIVE to 4096.
 */
static int
bgp_pdu(struct rd *r, struct bmp_bgp *b, const char *what, struct bmp_err *e)
{
	struct bgp_hdr	h;
	struct bgp_err	be;
	struct rd	body;
	const uint8_t	*start = rd_cur(r);

	bgp_err_clear(&be);
	if (bgp_hdr_parse(r, BGP_EXT_MAX_LEN, &h, &body, &be) == -1) {
		bmp_seterr(e, "%s: BGP PDU: %s", what, be.reason);
		return (-1);
	}
	b->msg = start;
	b->len = h.len;
	b->type = h.type;
	b->body = rd_cur(&body);
	b->body_len = (uint16_t)rd_left(&body);
	return (0);
}

static int
parse_rm(struct rd *r, struct bmp_msg *m, struct bmp_err *e)
{
	if (bgp_pdu(r, &m->rm, "Route Monitoring", e) == -1)
		return (-1);
	if (m->rm.type != BGP_UPDATE) {
		bmp_seterr(e, "Route Monitoring carries a BGP %s, not an "
		    "UPDATE", bgp_msg_type_name(m->rm.type));
		return (-1);
	}
	/* RFC 7854 4.6: exactly one PDU; anything after it is not ours. */
	if (rd_left(r) != 0) {
		bmp_seterr(e, "Route Monitoring: %zu octets after the UPDATE",
		    rd_left(r));
		return (-1);
	}
	return (0);
}

static void
stat_decode(struct bmp_stat *s, struct rd *v)
{
	uint32_t	u32;

	s->decoded = true;
	switch (s->len) {
	case 4:
		rd_u32(v, &u32);
		s->value = u32;
		break;
	case 8:
		rd_u64(v, &s->value);
		break;
	case 11:
		s->has_afi = true;
		rd_u16(v, &s->afi);
		rd_u8(v, &s->safi);
		rd_u64(v, &s->value);
		break;
	default:
		s->decoded = false;
	}
}

static int
parse_stats(struct rd *r, struct bmp_msg *m, struct bmp_err *e)
{
	struct bmp_stats	*st = &m->stats;
	struct bmp_stat		 s;
	struct rd		 v;
	uint32_t		 i;

	st->n = st->n_more = 0;
	if (rd_u32(r, &st->count) == -1) {
		bmp_seterr(e, "Statistics Report: no count");
		return (-1);
	}
	for (i = 0; i < st->count; i++) {
		memset(&s, 0, sizeof(s));
		if (rd_u16(r, &s.type) == -1 || rd_u16(r, &s.len) == -1 ||
		    rd_sub(r, s.len, &v) == -1) {
			bmp_seterr(e, "Statistics Report: statistic %u of %u "
			    "overruns the message", i + 1, st->count);
			return (-1);
		}
		s.raw = rd_cur(&v);
		stat_decode(&s, &v);
		if (st->n < BMP_MAX_STATS)
			st->s[st->n++] = s;
		else if (st->n_more < UINT16_MAX)
			st->n_more++;
	}
	if (rd_left(r) != 0) {
		bmp_seterr(e, "Statistics Report: %zu octets after %u "
		    "statistics", rd_left(r), st->count);
		return (-1);
	}
	return (0);
}

static int
parse_down(struct rd *r, struct bmp_msg *m, struct bmp_err *e)
{
	struct bmp_peer_down	*d = &m->down;
	struct bmp_bgp		 b;
	struct rd		 body;

	if (rd_u8(r, &d->reason) == -1) {
		bmp_seterr(e, "Peer Down: no reason");
		return (-1);
	}
	d->data = rd_cur(r);
	d->data_len = rd_left(r);
	switch (d->reason) {
	case BMP_DOWN_LOCAL_NOTIFY:
	case BMP_DOWN_REMOTE_NOTIFY:
		if (bgp_pdu(r, &b, "Peer Down", e) == -1)
			return (-1);
		if (b.type != BGP_NOTIFICATION) {
			bmp_seterr(e, "Peer Down: reason %u with a BGP %s, "
			    "not a NOTIFICATION", d->reason,
			    bgp_msg_type_name(b.type));
			return (-1);
		}
		rd_init(&body, b.body, b.body_len);
		if (bgp_notify_decode(&body, &d->notify) == -1) {
			bmp_seterr(e, "Peer Down: NOTIFICATION truncated");
			return (-1);
		}
		d->has_notify = true;
		break;
	case BMP_DOWN_LOCAL_FSM:
		if (rd_u16(r, &d->fsm_event) == -1) {
			bmp_seterr(e, "Peer Down: reason 2 without its FSM "
			    "event code");
			return (-1);
		}
		break;
	case BMP_DOWN_LOCAL_TLV:
		return (bmp_tlvs_parse(r, &d->info, e, "Peer Down"));
	default:
		/* 4, 5 carry nothing; unknown reasons keep their data raw. */
		break;
	}
	return (0);
}

static int
parse_open(struct rd *r, struct bmp_bgp *b, struct bgp_open *o, bool *ok,
    struct bgp_err *be, const char *what, struct bmp_err *e)
{
	struct rd body;

	if (bgp_pdu(r, b, what, e) == -1)
		return (-1);
	if (b->type != BGP_OPEN) {
		bmp_seterr(e, "%s is a BGP %s, not an OPEN", what,
		    bgp_msg_type_name(b->type));
		return (-1);
	}
	/* A capability problem is the peer's, not a framing one. */
	bgp_err_clear(be);
	rd_init(&body, b->body, b->body_len);
	*ok = bgp_open_decode(&body, o, be) == 0;
	return (0);
}

static int
parse_up(struct rd *r, struct bmp_msg *m, struct bmp_err *e)
{
	struct bmp_peer_up	*u = &m->up;
	const uint8_t		*a;

	if (rd_ptr(r, 16, &a) == -1 || rd_u16(r, &u->local_port) == -1 ||
	    rd_u16(r, &u->remote_port) == -1) {
		bmp_seterr(e, "Peer Up: truncated before the OPENs");
		return (-1);
	}
	/* The local address has the family of the peer's (RFC 7854 4.10). */
	if (m->peer.type != BMP_PEER_LOC_RIB && (m->peer.flags & BMP_PF_V))
		addr_set_bytes(&u->local, AFI_IPV6, a);
	else
		addr_set_bytes(&u->local, AFI_IPV4, a + 12);
	if (parse_open(r, &u->sent_pdu, &u->sent, &u->sent_ok, &u->sent_err,
	    "Peer Up: sent OPEN", e) == -1 ||
	    parse_open(r, &u->recv_pdu, &u->recv, &u->recv_ok, &u->recv_err,
	    "Peer Up: received OPEN", e) == -1)
		return (-1);
	return (bmp_tlvs_parse(r, &u->info, e, "Peer Up"));
}

static int
parse_mirror(struct rd *r, struct bmp_msg *m, struct bmp_err *e)
{
	struct bmp_mirror	*mi = &m->mirror;
	struct bmp_bgp		 b;
	struct rd		 v;
	uint16_t		 i, code;

	if (bmp_tlvs_parse(r, &mi->tlvs, e, "Route Mirroring") == -1)
		return (-1);
	mi->n_bgp = mi->n_unframed = mi->n_errored = mi->n_lost = 0;
	for (i = 0; i < mi->tlvs.n; i++) {
		const struct bmp_tlv *t = &mi->tlvs.t[i];

		rd_init(&v, t->val, t->len);
		if (t->type == BMP_MIRROR_BGP) {
			/*
			 * RFC 7854 4.7: mirroring is how a router shows a PDU
			 * it found in error, so even its framing may be
			 * broken: counted, not held against the message.
			 */
			if (bgp_pdu(&v, &b, "Route Mirroring", NULL) == -1)
				mi->n_unframed++;
			mi->n_bgp++;
		} else if (t->type == BMP_MIRROR_INFO) {
			if (rd_u16(&v, &code) == -1) {
				bmp_seterr(e, "Route Mirroring: empty "
				    "information TLV");
				return (-1);
			}
			if (code == BMP_MIRROR_ERRORED)
				mi->n_errored++;
			else if (code == BMP_MIRROR_LOST)
				mi->n_lost++;
		}
	}
	return (0);
}

static int
parse_term(struct rd *r, struct bmp_msg *m, struct bmp_err *e)
{
	struct bmp_term	*t = &m->term;
	uint16_t	 i;

	if (bmp_tlvs_parse(r, &t->tlvs, e, "Termination") == -1)
		return (-1);
	t->has_reason = false;
	for (i = 0; i < t->tlvs.n; i++)
		if (t->tlvs.t[i].type == BMP_TERM_REASON) {
			if (t->tlvs.t[i].len != 2) {
				bmp_seterr(e, "Termination: reason TLV of %u "
				    "octets", t->tlvs.t[i].len);
				return (-1);
			}
			t->has_reason = true;
			t->reason = be16(t->tlvs.t[i].val);
		}
	return (0);
}

static bool
type_has_peer(uint8_t type)
{
	return (type != BMP_INITIATION && type != BMP_TERMINATION);
}

int
bmp_parse(const uint8_t *buf, size_t len, struct bmp_msg *m,
    struct bmp_err *e)
{
	struct rd	r, body;

	m->raw = buf;
	m->skipped = m->has_peer = false;
	rd_init(&r, buf, len);
	if (rd_u8(&r, &m->version) == -1 || rd_u32(&r, &m->len) == -1 ||
	    rd_u8(&r, &m->type) == -1) {
		bmp_seterr(e, "shorter than the common header");
		return (-1);
	}
	if (m->version != BMP_VERSION && m->version != BMP_VERSION_TLV) {
		bmp_seterr(e, "unsupported BMP version %u", m->version);
		return (-1);
	}
	if (m->len < BMP_HDR_LEN || rd_sub(&r, m->len - BMP_HDR_LEN,
	    &body) == -1) {
		bmp_seterr(e, "length %u, %zu octets present", m->len, len);
		return (-1);
	}
	/* Another draft's body, or a type this code does not know. */
	if (m->version == BMP_VERSION_TLV || m->type >= BMP_NTYPES) {
		m->skipped = true;
		return (0);
	}
	if (type_has_peer(m->type)) {
		if (bmp_peer_hdr_parse(&body, &m->peer, e) == -1)
			return (-1);
		m->has_peer = true;
	}
	switch (m->type) {
	case BMP_ROUTE_MONITORING:
		return (parse_rm(&body, m, e));
	case BMP_STATS_REPORT:
		return (parse_stats(&body, m, e));
	case BMP_PEER_DOWN:
		memset(&m->down, 0, sizeof(m->down));
		return (parse_down(&body, m, e));
	case BMP_PEER_UP:
		return (parse_up(&body, m, e));
	case BMP_INITIATION:
		return (bmp_tlvs_parse(&body, &m->info, e, "Initiation"));
	case BMP_TERMINATION:
		return (parse_term(&body, m, e));
	case BMP_ROUTE_MIRRORING:
		return (parse_mirror(&body, m, e));
	}
	return (0);
}

/*
 * Encoders.
 */

size_t
bmp_msg_begin(struct wr *w, uint8_t type)
{
	size_t off = wr_len(w);

	wr_u8(w, BMP_VERSION);
	wr_u32(w, 0);
	wr_u8(w, type);
	return (off);
}

int
bmp_msg_end(struct wr *w, size_t off)
{
	return (wr_patch_u32(w, off + 1, (uint32_t)(wr_len(w) - off)));
}

void
bmp_peer_hdr_encode(struct wr *w, const struct bmp_peer_hdr *h)
{
	wr_u8(w, h->type);
	wr_u8(w, h->flags);
	wr_u64(w, h->distinguisher);
	if (h->addr.afi == AFI_IPV6)
		wr_bytes(w, h->addr.b, 16);
	else {
		wr_zero(w, 12);
		wr_bytes(w, h->addr.b, 4);
	}
	wr_u32(w, h->as);
	wr_u32(w, h->bgp_id);
	wr_u32(w, h->ts_sec);
	wr_u32(w, h->ts_usec);
}

void
bmp_tlv_encode(struct wr *w, uint16_t type, const void *p, size_t len)
{
	wr_u16(w, type);
	wr_u16(w, (uint16_t)len);
	wr_bytes(w, p, len);
}
