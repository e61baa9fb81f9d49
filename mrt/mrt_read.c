/*
 * mrt_read.c -- decode MRT records (RFC 6396, RFC 8050) into callbacks.
 *
 * Every field is read through struct rd; a record whose structure does
 * not fit its length is reported with its offset and skipped, and the
 * input is told so (its length may be what is wrong).  BGP content goes
 * to the codec: UPDATE bodies through bgp_update_decode() with the
 * struct bgp_neg the subtype implies (*_AS4: 4-octet AS numbers,
 * *_ADDPATH: path identifiers), RIB attribute blocks through
 * bgp_attrs_decode().  One struct bgp_update is reused for everything.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrt.h"
#include "wire.h"

enum rd_status {
	ST_OK = 0,
	ST_CORRUPT,		/* structure broken: the framing is suspect */
	ST_REPORTED,		/* content problem, already reported */
};

struct mrt_reader {
	struct mrt_handlers	 h;
	unsigned		 flags;
	struct bgp_update	*u;
	struct mrt_peer_index	 pi;
	bool			 have_pi;
	size_t			 peers_cap;
	unsigned		 n_errors;
	const char		*file;
	char			 msg[400];
};

/* ---- names ---------------------------------------------------------- */

const char *
mrt_type_name(uint16_t type)
{
	switch (type) {
	case MRT_NULL:		return ("NULL");
	case MRT_START:		return ("START");
	case MRT_DIE:		return ("DIE");
	case MRT_I_AM_DEAD:	return ("I_AM_DEAD");
	case MRT_PEER_DOWN:	return ("PEER_DOWN");
	case MRT_BGP:		return ("BGP");
	case MRT_RIP:		return ("RIP");
	case MRT_IDRP:		return ("IDRP");
	case MRT_RIPNG:		return ("RIPNG");
	case MRT_BGP4PLUS:	return ("BGP4PLUS");
	case MRT_BGP4PLUS_01:	return ("BGP4PLUS_01");
	case MRT_OSPFV2:	return ("OSPFv2");
	case MRT_TABLE_DUMP:	return ("TABLE_DUMP");
	case MRT_TABLE_DUMP_V2:	return ("TABLE_DUMP_V2");
	case MRT_BGP4MP:	return ("BGP4MP");
	case MRT_BGP4MP_ET:	return ("BGP4MP_ET");
	case MRT_ISIS:		return ("ISIS");
	case MRT_ISIS_ET:	return ("ISIS_ET");
	case MRT_OSPFV3:	return ("OSPFv3");
	case MRT_OSPFV3_ET:	return ("OSPFv3_ET");
	}
	return (NULL);
}

static const char *const td2_names[] = {
	[TD2_PEER_INDEX_TABLE] = "PEER_INDEX_TABLE",
	[TD2_RIB_IPV4_UNICAST] = "RIB_IPV4_UNICAST",
	[TD2_RIB_IPV4_MULTICAST] = "RIB_IPV4_MULTICAST",
	[TD2_RIB_IPV6_UNICAST] = "RIB_IPV6_UNICAST",
	[TD2_RIB_IPV6_MULTICAST] = "RIB_IPV6_MULTICAST",
	[TD2_RIB_GENERIC] = "RIB_GENERIC",
	[TD2_GEO_PEER_TABLE] = "GEO_PEER_TABLE",
	[TD2_RIB_IPV4_UNICAST_ADDPATH] = "RIB_IPV4_UNICAST_ADDPATH",
	[TD2_RIB_IPV4_MULTICAST_ADDPATH] = "RIB_IPV4_MULTICAST_ADDPATH",
	[TD2_RIB_IPV6_UNICAST_ADDPATH] = "RIB_IPV6_UNICAST_ADDPATH",
	[TD2_RIB_IPV6_MULTICAST_ADDPATH] = "RIB_IPV6_MULTICAST_ADDPATH",
	[TD2_RIB_GENERIC_ADDPATH] = "RIB_GENERIC_ADDPATH",
};

static const char *const bgp4mp_names[] = {
	[BGP4MP_STATE_CHANGE] = "STATE_CHANGE",
	[BGP4MP_MESSAGE] = "MESSAGE",
	[BGP4MP_ENTRY] = "ENTRY",
	[BGP4MP_SNAPSHOT] = "SNAPSHOT",
	[BGP4MP_MESSAGE_AS4] = "MESSAGE_AS4",
	[BGP4MP_STATE_CHANGE_AS4] = "STATE_CHANGE_AS4",
	[BGP4MP_MESSAGE_LOCAL] = "MESSAGE_LOCAL",
	[BGP4MP_MESSAGE_AS4_LOCAL] = "MESSAGE_AS4_LOCAL",
	[BGP4MP_MESSAGE_ADDPATH] = "MESSAGE_ADDPATH",
	[BGP4MP_MESSAGE_AS4_ADDPATH] = "MESSAGE_AS4_ADDPATH",
	[BGP4MP_MESSAGE_LOCAL_ADDPATH] = "MESSAGE_LOCAL_ADDPATH",
	[BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH] = "MESSAGE_AS4_LOCAL_ADDPATH",
};

static const char *const bgp_names[] = {
	[MRTBGP_NULL] = "NULL",
	[MRTBGP_UPDATE] = "UPDATE",
	[MRTBGP_PREF_UPDATE] = "PREF_UPDATE",
	[MRTBGP_STATE_CHANGE] = "STATE_CHANGE",
	[MRTBGP_SYNC] = "SYNC",
	[MRTBGP_OPEN] = "OPEN",
	[MRTBGP_NOTIFY] = "NOTIFY",
	[MRTBGP_KEEPALIVE] = "KEEPALIVE",
};

#define NAME_AT(tab, i) \
	((size_t)(i) < sizeof(tab) / sizeof((tab)[0]) ? (tab)[i] : NULL)

const char *
mrt_subtype_name(uint16_t type, uint16_t subtype)
{
	switch (type) {
	case MRT_TABLE_DUMP:
		switch (subtype) {
		case TD_AFI_IPV4:	return ("AFI_IPv4");
		case TD_AFI_IPV6:	return ("AFI_IPv6");
		case TD_AFI_IPV4_AS4:	return ("AFI_IPv4_AS4");
		case TD_AFI_IPV6_AS4:	return ("AFI_IPv6_AS4");
		}
		return (NULL);
	case MRT_TABLE_DUMP_V2:
		return (NAME_AT(td2_names, subtype));
	case MRT_BGP4MP:
	case MRT_BGP4MP_ET:
		return (NAME_AT(bgp4mp_names, subtype));
	case MRT_BGP:
		return (NAME_AT(bgp_names, subtype));
	}
	return (NULL);
}

/* ---- helpers -------------------------------------------------------- */

static void
rerr(struct mrt_reader *r, const struct mrt_ctx *c, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
rerr(struct mrt_reader *r, const struct mrt_ctx *c, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	n = snprintf(r->msg, sizeof(r->msg), "%s/", mrt_type_name(c->type));
	if (mrt_subtype_name(c->type, c->subtype) != NULL)
		n += snprintf(r->msg + n, sizeof(r->msg) - (size_t)n, "%s: ",
		    mrt_subtype_name(c->type, c->subtype));
	else
		n += snprintf(r->msg + n, sizeof(r->msg) - (size_t)n,
		    "%u: ", c->subtype);
	va_start(ap, fmt);
	vsnprintf(r->msg + n, sizeof(r->msg) - (size_t)n, fmt, ap);
	va_end(ap);
	r->n_errors++;
	if (r->h.on_error != NULL)
		r->h.on_error(r->h.arg, c->file, c->offset, r->msg);
}

static int
rd_addr(struct rd *rr, uint16_t afi, struct addr *a)
{
	const uint8_t *p;

	if (afi != AFI_IPV4 && afi != AFI_IPV6)
		return (-1);
	if (rd_ptr(rr, afi_bytes((uint8_t)afi), &p) == -1)
		return (-1);
	addr_set_bytes(a, (uint8_t)afi, p);
	return (0);
}

static int
rd_asn(struct rd *rr, bool as4, uint32_t *asn)
{
	uint16_t v;

	if (as4)
		return (rd_u32(rr, asn));
	if (rd_u16(rr, &v) == -1)
		return (-1);
	*asn = v;
	return (0);
}

/* A prefix of "bits" bits, stored masked (RFC 4271 4.3). */
static int
rd_prefix(struct rd *rr, uint16_t afi, uint8_t bits, struct prefix *p)
{
	const uint8_t	*b;
	unsigned	 n = (bits + 7u) / 8;

	memset(p, 0, sizeof(*p));
	if (bits > afi_bits((uint8_t)afi) || rd_ptr(rr, n, &b) == -1)
		return (-1);
	p->afi = (uint8_t)afi;
	p->len = bits;
	memcpy(p->b, b, n);
	prefix_mask(p);
	return (0);
}

static bool
want_attrs(const struct mrt_reader *r)
{
	return ((r->flags & MRT_RD_NO_ATTRS) == 0);
}

/* ---- TABLE_DUMP ----------------------------------------------------- */

static enum rd_status
td1(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b)
{
	struct mrt_rib	 e;
	struct mrt_peer	 peer;
	struct bgp_neg	 neg;
	const uint8_t	*pb;
	uint16_t	 afi, view, seq, alen;
	uint8_t		 bits;
	bool		 as4;

	afi = (c->subtype == TD_AFI_IPV6 || c->subtype == TD_AFI_IPV6_AS4) ?
	    AFI_IPV6 : AFI_IPV4;
	as4 = c->subtype == TD_AFI_IPV4_AS4 || c->subtype == TD_AFI_IPV6_AS4;
	memset(&e, 0, sizeof(e));
	memset(&peer, 0, sizeof(peer));
	e.nlri.pfx.afi = (uint8_t)afi;
	/* RFC 6396 4.2: a whole address, then the prefix length. */
	if (rd_u16(b, &view) == -1 || rd_u16(b, &seq) == -1 ||
	    rd_ptr(b, afi_bytes((uint8_t)afi), &pb) == -1 ||
	    rd_u8(b, &bits) == -1)
		goto bad;
	if (bits > afi_bits((uint8_t)afi)) {
		rerr(r, c, "prefix length %u", bits);
		return (ST_CORRUPT);
	}
	e.nlri.pfx.len = bits;
	memcpy(e.nlri.pfx.b, pb, afi_bytes((uint8_t)afi));
	prefix_mask(&e.nlri.pfx);
	if (rd_u8(b, &e.status) == -1 || rd_u32(b, &e.originated) == -1 ||
	    rd_addr(b, afi, &peer.ip) == -1 || rd_asn(b, as4, &peer.asn) == -1 ||
	    rd_u16(b, &alen) == -1 || rd_ptr(b, alen, &e.attrs) == -1)
		goto bad;
	e.view = view;
	e.seq = seq;
	e.afi = afi;
	e.safi = SAFI_UNICAST;
	e.n_entries = 1;
	e.peer = &peer;
	e.attrs_len = alen;
	if (want_attrs(r)) {
		memset(&neg, 0, sizeof(neg));
		neg.as4 = as4;
		e.verdict = bgp_attrs_decode(r->u, e.attrs, alen, &neg, 0);
		e.u = r->u;
	}
	if (r->h.on_rib_entry != NULL)
		r->h.on_rib_entry(r->h.arg, c, &e);
	return (ST_OK);
bad:
	rerr(r, c, "record shorter than its fields (%u bytes)",
	    (unsigned)(b->left));
	return (ST_CORRUPT);
}

/* ---- TABLE_DUMP_V2 -------------------------------------------------- */

static enum rd_status
td2_peer_index(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b)
{
	struct mrt_peer_index	*pi = &r->pi;
	struct mrt_peer		*np;
	const uint8_t		*view;
	uint16_t		 vlen, n, i;
	size_t			 cp;

	r->have_pi = false;
	if (rd_u32(b, &pi->collector_id) == -1 || rd_u16(b, &vlen) == -1 ||
	    rd_ptr(b, vlen, &view) == -1 || rd_u16(b, &n) == -1)
		goto bad;
	cp = vlen < sizeof(pi->view) ? vlen : sizeof(pi->view) - 1;
	memcpy(pi->view, view, cp);
	pi->view[cp] = '\0';
	if (n > r->peers_cap) {
		if ((np = reallocarray(pi->peers, n, sizeof(*np))) == NULL) {
			rerr(r, c, "out of memory for %u peers", n);
			return (ST_REPORTED);
		}
		pi->peers = np;
		r->peers_cap = n;
	}
	for (i = 0; i < n; i++) {
		struct mrt_peer *p = &pi->peers[i];

		if (rd_u8(b, &p->type) == -1 || rd_u32(b, &p->bgp_id) == -1 ||
		    rd_addr(b, (p->type & 1) ? AFI_IPV6 : AFI_IPV4,
		    &p->ip) == -1 || rd_asn(b, (p->type & 2) != 0,
		    &p->asn) == -1) {
			pi->n_peers = i;
			goto bad;
		}
	}
	pi->n_peers = n;
	r->have_pi = true;
	if (r->h.on_peer_index != NULL)
		r->h.on_peer_index(r->h.arg, c, pi);
	return (ST_OK);
bad:
	rerr(r, c, "peer index table shorter than its fields");
	return (ST_CORRUPT);
}

/* The entries of a RIB record, after its prefix: shared by all kinds. */
static enum rd_status
td2_entries(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b,
    struct mrt_rib *e)
{
	struct bgp_neg	neg;
	uint16_t	n = 0, i = 0, pidx, alen;
	bool		reported = false;

	if (rd_u16(b, &n) == -1)
		goto bad;
	if (!r->have_pi) {
		rerr(r, c, "missing peer index table");
		return (ST_REPORTED);
	}
	memset(&neg, 0, sizeof(neg));
	neg.as4 = true;
	e->n_entries = n;
	for (i = 0; i < n; i++) {
		e->entry = i;
		if (rd_u16(b, &pidx) == -1 || rd_u32(b, &e->originated) == -1 ||
		    (e->addpath && rd_u32(b, &e->nlri.path_id) == -1) ||
		    rd_u16(b, &alen) == -1 || rd_ptr(b, alen, &e->attrs) == -1)
			goto bad;
		e->attrs_len = alen;
		if (pidx >= r->pi.n_peers) {
			rerr(r, c, "entry %u: peer index %u, table has %u",
			    i, pidx, r->pi.n_peers);
			reported = true;
			continue;
		}
		e->peer_index = pidx;
		e->peer = &r->pi.peers[pidx];
		if (want_attrs(r)) {
			e->verdict = bgp_attrs_decode(r->u, e->attrs, alen,
			    &neg, BGP_DEC_MRT_RIB);
			e->u = r->u;
		}
		if (r->h.on_rib_entry != NULL)
			r->h.on_rib_entry(r->h.arg, c, e);
	}
	if (rd_left(b) > 0) {
		rerr(r, c, "%zu bytes after the last entry", rd_left(b));
		reported = true;
	}
	return (reported ? ST_REPORTED : ST_OK);
bad:
	rerr(r, c, "entry %u of %u shorter than its fields", i, n);
	return (ST_CORRUPT);
}

static enum rd_status
td2_rib(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b)
{
	struct mrt_rib	e;
	uint8_t		bits;

	memset(&e, 0, sizeof(e));
	switch (c->subtype) {
	case TD2_RIB_IPV4_UNICAST_ADDPATH:
	case TD2_RIB_IPV4_MULTICAST_ADDPATH:
	case TD2_RIB_IPV6_UNICAST_ADDPATH:
	case TD2_RIB_IPV6_MULTICAST_ADDPATH:
		e.addpath = true;
		break;
	}
	switch (c->subtype) {
	case TD2_RIB_IPV4_UNICAST:
	case TD2_RIB_IPV4_UNICAST_ADDPATH:
		e.afi = AFI_IPV4;
		e.safi = SAFI_UNICAST;
		break;
	case TD2_RIB_IPV4_MULTICAST:
	case TD2_RIB_IPV4_MULTICAST_ADDPATH:
		e.afi = AFI_IPV4;
		e.safi = SAFI_MULTICAST;
		break;
	case TD2_RIB_IPV6_UNICAST:
	case TD2_RIB_IPV6_UNICAST_ADDPATH:
		e.afi = AFI_IPV6;
		e.safi = SAFI_UNICAST;
		break;
	default:
		e.afi = AFI_IPV6;
		e.safi = SAFI_MULTICAST;
		break;
	}
	if (rd_u32(b, &e.seq) == -1 || rd_u8(b, &bits) == -1)
		goto bad;
	if (rd_prefix(b, e.afi, bits, &e.nlri.pfx) == -1) {
		if (bits > afi_bits((uint8_t)e.afi))
			rerr(r, c, "prefix length %u", bits);
		else
			goto bad;
		return (ST_CORRUPT);
	}
	return (td2_entries(r, c, b, &e));
bad:
	rerr(r, c, "record shorter than its fields");
	return (ST_CORRUPT);
}

static enum rd_status
td2_generic(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b)
{
	struct mrt_rib		e;
	struct nlri_iter	it;
	uint8_t			safi;

	memset(&e, 0, sizeof(e));
	e.addpath = c->subtype == TD2_RIB_GENERIC_ADDPATH;
	if (rd_u32(b, &e.seq) == -1 || rd_u16(b, &e.afi) == -1 ||
	    rd_u8(b, &safi) == -1) {
		rerr(r, c, "record shorter than its fields");
		return (ST_CORRUPT);
	}
	e.safi = safi;
	if (afisafi_index(e.afi, safi) < 0) {
		/* The NLRI cannot be framed without knowing the family. */
		if (r->h.on_unsupported != NULL)
			r->h.on_unsupported(r->h.arg, c);
		rerr(r, c, "AFI %u SAFI %u not decoded", e.afi, safi);
		return (ST_REPORTED);
	}
	nlri_iter_init(&it, rd_cur(b), rd_left(b), e.afi, safi, false);
	if (nlri_next(&it, &e.nlri) != 1) {
		rerr(r, c, "malformed NLRI");
		return (ST_CORRUPT);
	}
	rd_skip(b, rd_left(b) - rd_left(&it.r));
	return (td2_entries(r, c, b, &e));
}

static enum rd_status
td2(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b)
{
	switch (c->subtype) {
	case TD2_PEER_INDEX_TABLE:
		return (td2_peer_index(r, c, b));
	case TD2_RIB_IPV4_UNICAST:
	case TD2_RIB_IPV4_MULTICAST:
	case TD2_RIB_IPV6_UNICAST:
	case TD2_RIB_IPV6_MULTICAST:
	case TD2_RIB_IPV4_UNICAST_ADDPATH:
	case TD2_RIB_IPV4_MULTICAST_ADDPATH:
	case TD2_RIB_IPV6_UNICAST_ADDPATH:
	case TD2_RIB_IPV6_MULTICAST_ADDPATH:
		return (td2_rib(r, c, b));
	case TD2_RIB_GENERIC:
	case TD2_RIB_GENERIC_ADDPATH:
		return (td2_generic(r, c, b));
	}
	if (r->h.on_unsupported != NULL)
		r->h.on_unsupported(r->h.arg, c);
	return (ST_OK);
}

/* ---- BGP4MP ---------------------------------------------------------- */

static enum rd_status
bgp4mp_state(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b)
{
	struct mrt_state	s;
	uint16_t		ifindex;

	memset(&s, 0, sizeof(s));
	s.as4 = c->subtype == BGP4MP_STATE_CHANGE_AS4;
	if (rd_asn(b, s.as4, &s.peer_as) == -1 ||
	    rd_asn(b, s.as4, &s.local_as) == -1)
		goto bad;
	if (rd_left(b) == 4) {
		/*
		 * Old Zebra wrote state changes without interface, family
		 * or addresses: keep the states, report no peer address.
		 */
		s.short_form = true;
		s.afi = AFI_IPV4;
		addr_set_v4(&s.peer_ip, 0);
		addr_set_v4(&s.local_ip, 0);
	} else if (rd_u16(b, &ifindex) == -1 || rd_u16(b, &s.afi) == -1 ||
	    rd_addr(b, s.afi, &s.peer_ip) == -1 ||
	    rd_addr(b, s.afi, &s.local_ip) == -1)
		goto bad;
	if (rd_u16(b, &s.old_state) == -1 || rd_u16(b, &s.new_state) == -1)
		goto bad;
	if (r->h.on_state != NULL)
		r->h.on_state(r->h.arg, c, &s);
	return (ST_OK);
bad:
	rerr(r, c, "record shorter than its fields");
	return (ST_CORRUPT);
}

/* The NLRI could not be walked: the kind of failure ADD-PATH explains. */
static bool
nlri_failed(const struct bgp_err *e)
{
	return (e->subcode == ERR_UPD_NETWORK ||
	    e->attr == ATTR_MP_REACH_NLRI || e->attr == ATTR_MP_UNREACH_NLRI);
}

/*
 * After a session-reset verdict, keep what can still be shown: when the
 * withdrawn and attribute lengths frame, decode the attributes alone and
 * point at the NLRI fields; walking them stops at the broken prefix.
 * bgpdump shows the routes before it, and so does this.
 */
static bool
salvage(struct bgp_update *u, const struct mrt_msg *m)
{
	struct rd	r, wd, at;
	uint16_t	wlen, alen;

	rd_init(&r, m->body, m->body_len);
	if (rd_u16(&r, &wlen) == -1 || rd_sub(&r, wlen, &wd) == -1 ||
	    rd_u16(&r, &alen) == -1 || rd_sub(&r, alen, &at) == -1)
		return (false);
	bgp_attrs_decode(u, rd_cur(&at), alen, &m->neg, 0);
	u->withdrawn = rd_cur(&wd);
	u->withdrawn_len = wlen;
	u->attr_len = alen;
	u->nlri = rd_cur(&r);
	u->nlri_len = (uint16_t)rd_left(&r);
	return (true);
}

/* The withdrawn and attribute lengths of an UPDATE fit in its body. */
static bool
update_frames(const struct mrt_msg *m)
{
	struct rd	r;
	uint16_t	n;

	rd_init(&r, m->body, m->body_len);
	return (rd_u16(&r, &n) == 0 && rd_skip(&r, n) == 0 &&
	    rd_u16(&r, &n) == 0 && rd_skip(&r, n) == 0);
}

/* Decode the message if it is an UPDATE and hand it over. */
static enum rd_status
deliver_msg(struct mrt_reader *r, const struct mrt_ctx *c, struct mrt_msg *m)
{
	enum rd_status	st = ST_OK;
	struct bgp_neg	ap;

	m->nlri_addpath = m->addpath;
	if (m->bgp_type == BGP_UPDATE && !want_attrs(r) && !update_frames(m)) {
		/* Checked even when not decoding: it is about framing. */
		rerr(r, c, "UPDATE: withdrawn or attribute length overruns "
		    "the message");
		st = ST_CORRUPT;
	}
	if (m->bgp_type == BGP_UPDATE && want_attrs(r)) {
		m->verdict = bgp_update_decode(r->u, m->body, m->body_len,
		    &m->neg, 0);
		m->u = r->u;
		if (m->verdict == BGP_SESSION_RESET && !m->addpath &&
		    nlri_failed(&r->u->err)) {
			/*
			 * Some writers (BIRD among them) put RFC 7911 path
			 * identifiers in records whose subtype does not say
			 * so.  If the NLRI decode cleanly with them, that is
			 * what they are.
			 */
			ap = m->neg;
			ap.addpath = (uint16_t)((1u << AS_COUNT) - 1);
			if (bgp_update_decode(r->u, m->body, m->body_len, &ap,
			    0) != BGP_SESSION_RESET) {
				m->verdict = r->u->err.verdict;
				m->nlri_addpath = true;
				rerr(r, c, "UPDATE carries ADD-PATH path "
				    "identifiers (RFC 7911) its subtype does "
				    "not announce; decoded with them");
				st = ST_REPORTED;
			} else
				bgp_update_decode(r->u, m->body, m->body_len,
				    &m->neg, 0);
		}
		if (m->verdict == BGP_SESSION_RESET) {
			rerr(r, c, "UPDATE: %s", r->u->err.reason);
			m->salvaged = salvage(r->u, m);
			/*
			 * Lengths that do not frame inside the record: the
			 * record itself is suspect (a torn write).
			 */
			st = m->salvaged ? ST_REPORTED : ST_CORRUPT;
		}
	}
	if (r->h.on_message != NULL)
		r->h.on_message(r->h.arg, c, m);
	return (st);
}

static enum rd_status
bgp4mp_msg(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b)
{
	struct mrt_msg	 m;
	const uint8_t	*marker;
	uint16_t	 st = c->subtype;
	unsigned	 i;

	memset(&m, 0, sizeof(m));
	m.as4 = st == BGP4MP_MESSAGE_AS4 || st == BGP4MP_MESSAGE_AS4_LOCAL ||
	    st == BGP4MP_MESSAGE_AS4_ADDPATH ||
	    st == BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
	m.local = st == BGP4MP_MESSAGE_LOCAL ||
	    st == BGP4MP_MESSAGE_AS4_LOCAL ||
	    st == BGP4MP_MESSAGE_LOCAL_ADDPATH ||
	    st == BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH;
	m.addpath = st >= BGP4MP_MESSAGE_ADDPATH;
	m.neg.as4 = m.as4;
	m.neg.ext_msg = true;
	/* RFC 8050 4.2: every NLRI of an *_ADDPATH message has a path id. */
	m.neg.addpath = m.addpath ? (uint16_t)((1u << AS_COUNT) - 1) : 0;
	if (rd_asn(b, m.as4, &m.peer_as) == -1 ||
	    rd_asn(b, m.as4, &m.local_as) == -1 ||
	    rd_u16(b, &m.ifindex) == -1 || rd_u16(b, &m.afi) == -1)
		goto bad;
	if (m.afi == 0xffff && m.ifindex == 0xffff) {
		/*
		 * Old Zebra wrote OPENs without interface, family or
		 * addresses: what was read as both is the first four
		 * octets of the marker.
		 */
		m.afi = AFI_IPV4;
		m.ifindex = 0;
		addr_set_v4(&m.peer_ip, 0);
		addr_set_v4(&m.local_ip, 0);
		if (rd_ptr(b, 12, &marker) == -1)
			goto bad;
		for (i = 0; i < 12; i++)
			if (marker[i] != 0xff)
				goto badmarker;
	} else {
		if (m.afi != AFI_IPV4 && m.afi != AFI_IPV6) {
			rerr(r, c, "address family %u", m.afi);
			return (ST_CORRUPT);
		}
		if (rd_addr(b, m.afi, &m.peer_ip) == -1 ||
		    rd_addr(b, m.afi, &m.local_ip) == -1 ||
		    rd_ptr(b, 16, &marker) == -1)
			goto bad;
		for (i = 0; i < 16; i++)
			if (marker[i] != 0xff)
				goto badmarker;
	}
	if (rd_u16(b, &m.bgp_len) == -1 || rd_u8(b, &m.bgp_type) == -1)
		goto bad;
	if (m.bgp_len < BGP_HDR_LEN) {
		rerr(r, c, "BGP length %u", m.bgp_len);
		return (ST_CORRUPT);
	}
	m.body = rd_cur(b);
	m.body_len = rd_left(b);
	if (m.body_len > (size_t)m.bgp_len - BGP_HDR_LEN)
		m.body_len = (size_t)m.bgp_len - BGP_HDR_LEN;
	else if (m.body_len < (size_t)m.bgp_len - BGP_HDR_LEN) {
		rerr(r, c, "BGP message cut: %zu of %u bytes", m.body_len +
		    BGP_HDR_LEN, m.bgp_len);
		return (ST_CORRUPT);
	}
	return (deliver_msg(r, c, &m));
badmarker:
	rerr(r, c, "bad BGP marker");
	return (ST_CORRUPT);
bad:
	rerr(r, c, "record shorter than its fields");
	return (ST_CORRUPT);
}

static enum rd_status
bgp4mp(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b)
{
	switch (c->subtype) {
	case BGP4MP_STATE_CHANGE:
	case BGP4MP_STATE_CHANGE_AS4:
		return (bgp4mp_state(r, c, b));
	case BGP4MP_MESSAGE:
	case BGP4MP_MESSAGE_AS4:
	case BGP4MP_MESSAGE_LOCAL:
	case BGP4MP_MESSAGE_AS4_LOCAL:
	case BGP4MP_MESSAGE_ADDPATH:
	case BGP4MP_MESSAGE_AS4_ADDPATH:
	case BGP4MP_MESSAGE_LOCAL_ADDPATH:
	case BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH:
		return (bgp4mp_msg(r, c, b));
	}
	if (r->h.on_unsupported != NULL)
		r->h.on_unsupported(r->h.arg, c);
	return (ST_OK);
}

/* ---- legacy type 5 (BGP) ------------------------------------------- */

static enum rd_status
legacy(struct mrt_reader *r, const struct mrt_ctx *c, struct rd *b)
{
	struct mrt_msg		m;
	struct mrt_state	s;

	memset(&m, 0, sizeof(m));
	switch (c->subtype) {
	case MRTBGP_UPDATE:
		m.bgp_type = BGP_UPDATE;
		break;
	case MRTBGP_OPEN:
		m.bgp_type = BGP_OPEN;
		break;
	case MRTBGP_NOTIFY:
		m.bgp_type = BGP_NOTIFICATION;
		break;
	case MRTBGP_KEEPALIVE:
		m.bgp_type = BGP_KEEPALIVE;
		break;
	case MRTBGP_STATE_CHANGE:
		memset(&s, 0, sizeof(s));
		s.legacy = true;
		s.afi = AFI_IPV4;
		if (rd_asn(b, false, &s.peer_as) == -1 ||
		    rd_addr(b, AFI_IPV4, &s.peer_ip) == -1 ||
		    rd_u16(b, &s.old_state) == -1 ||
		    rd_u16(b, &s.new_state) == -1)
			goto bad;
		addr_set_v4(&s.local_ip, 0);
		if (r->h.on_state != NULL)
			r->h.on_state(r->h.arg, c, &s);
		return (ST_OK);
	default:
		if (r->h.on_unsupported != NULL)
			r->h.on_unsupported(r->h.arg, c);
		return (ST_OK);
	}
	/* Peer (source) first, then the collector (destination). */
	m.legacy = true;
	m.afi = AFI_IPV4;
	if (rd_asn(b, false, &m.peer_as) == -1 ||
	    rd_addr(b, AFI_IPV4, &m.peer_ip) == -1 ||
	    rd_asn(b, false, &m.local_as) == -1 ||
	    rd_addr(b, AFI_IPV4, &m.local_ip) == -1)
		goto bad;
	m.body = rd_cur(b);
	m.body_len = rd_left(b);
	m.bgp_len = (uint16_t)(m.body_len + BGP_HDR_LEN > 65535 ? 65535 :
	    m.body_len + BGP_HDR_LEN);
	return (deliver_msg(r, c, &m));
bad:
	rerr(r, c, "record shorter than its fields");
	return (ST_CORRUPT);
}

/* ---- driver --------------------------------------------------------- */

struct mrt_reader *
mrt_reader_new(const struct mrt_handlers *h, unsigned flags)
{
	struct mrt_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return (NULL);
	r->h = *h;
	r->flags = flags;
	if ((r->u = bgp_update_new()) == NULL) {
		free(r);
		return (NULL);
	}
	return (r);
}

void
mrt_reader_free(struct mrt_reader *r)
{
	if (r == NULL)
		return;
	bgp_update_free(r->u);
	free(r->pi.peers);
	free(r);
}

static enum rd_status
record(struct mrt_reader *r, const char *file, const struct mrt_rec *rec)
{
	struct mrt_ctx	c;
	struct rd	b;

	c.file = file;
	c.offset = rec->offset;
	c.ts = rec->ts;
	c.usec = rec->usec;
	c.type = rec->type;
	c.subtype = rec->subtype;
	c.et = rec->type == MRT_BGP4MP_ET;
	if (r->h.on_record != NULL)
		r->h.on_record(r->h.arg, &c, rec->len);
	rd_init(&b, rec->body, rec->len);
	switch (rec->type) {
	case MRT_TABLE_DUMP:
		if (rec->subtype < TD_AFI_IPV4 ||
		    rec->subtype > TD_AFI_IPV6_AS4)
			break;
		return (td1(r, &c, &b));
	case MRT_TABLE_DUMP_V2:
		return (td2(r, &c, &b));
	case MRT_BGP4MP:
	case MRT_BGP4MP_ET:
		return (bgp4mp(r, &c, &b));
	case MRT_BGP:
		return (legacy(r, &c, &b));
	}
	if (r->h.on_unsupported != NULL)
		r->h.on_unsupported(r->h.arg, &c);
	return (ST_OK);
}

int
mrt_reader_record(struct mrt_reader *r, const char *file,
    const struct mrt_rec *rec)
{
	return (record(r, file, rec) == ST_OK ? 0 : -1);
}

unsigned
mrt_reader_run(struct mrt_reader *r, struct mrt_in *in)
{
	struct mrt_rec		rec;
	enum mrt_in_status	st;
	const char		*file = mrt_in_name(in);
	const char		*msg;
	uint64_t		off;
	unsigned		before = r->n_errors;

	r->have_pi = false;
	r->pi.n_peers = 0;
	r->file = file;
	while ((st = mrt_in_next(in, &rec)) != MRT_IN_EOF) {
		if (st == MRT_IN_ERROR) {
			msg = mrt_in_error(in, &off);
			r->n_errors++;
			if (r->h.on_error != NULL)
				r->h.on_error(r->h.arg, file, off, msg);
			continue;
		}
		if (record(r, file, &rec) == ST_CORRUPT)
			mrt_in_mark_bad(in);
	}
	return (r->n_errors - before);
}
