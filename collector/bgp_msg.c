/*
 * bgp_msg.c -- message framing, error verdicts, NOTIFICATION, KEEPALIVE,
 * ROUTE-REFRESH, and the name tables used in logs and the API.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bgp.h"

static const uint8_t bgp_marker[16] = {
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

static const struct {
	uint16_t	afi;
	uint8_t		safi;
	const char	*name;
} afisafi_tab[AS_COUNT] = {
	[AS_IPV4_UNICAST] = { AFI_IPV4, SAFI_UNICAST, "ipv4-unicast" },
	[AS_IPV4_MULTICAST] = { AFI_IPV4, SAFI_MULTICAST, "ipv4-multicast" },
	[AS_IPV6_UNICAST] = { AFI_IPV6, SAFI_UNICAST, "ipv6-unicast" },
	[AS_IPV6_MULTICAST] = { AFI_IPV6, SAFI_MULTICAST, "ipv6-multicast" },
	[AS_IPV4_LABELED] = { AFI_IPV4, SAFI_MPLS_LABEL, "ipv4-labeled" },
	[AS_IPV6_LABELED] = { AFI_IPV6, SAFI_MPLS_LABEL, "ipv6-labeled" },
	[AS_IPV4_VPN] = { AFI_IPV4, SAFI_MPLS_VPN, "ipv4-vpn" },
	[AS_IPV6_VPN] = { AFI_IPV6, SAFI_MPLS_VPN, "ipv6-vpn" },
};

int
afisafi_index(uint16_t afi, uint8_t safi)
{
	int i;

	for (i = 0; i < AS_COUNT; i++)
		if (afisafi_tab[i].afi == afi && afisafi_tab[i].safi == safi)
			return (i);
	return (-1);
}

void
afisafi_from_index(int i, uint16_t *afi, uint8_t *safi)
{
	if (i < 0 || i >= AS_COUNT) {
		*afi = 0;
		*safi = 0;
		return;
	}
	*afi = afisafi_tab[i].afi;
	*safi = afisafi_tab[i].safi;
}

const char *
afisafi_name(uint16_t afi, uint8_t safi)
{
	int i = afisafi_index(afi, safi);

	return (i < 0 ? "unknown" : afisafi_tab[i].name);
}

const char *
bgp_verdict_name(enum bgp_verdict v)
{
	switch (v) {
	case BGP_OK:
		return ("ok");
	case BGP_ATTR_DISCARD:
		return ("attribute-discard");
	case BGP_TREAT_AS_WITHDRAW:
		return ("treat-as-withdraw");
	case BGP_SESSION_RESET:
		return ("session-reset");
	}
	return ("unknown");
}

void
bgp_err_clear(struct bgp_err *e)
{
	e->verdict = BGP_OK;
	e->code = e->subcode = e->attr = 0;
	e->n_discard = e->n_problems = 0;
	e->reason[0] = '\0';
}

void
bgp_err_set(struct bgp_err *e, enum bgp_verdict v, uint8_t code,
    uint8_t subcode, uint8_t attr, const char *fmt, ...)
{
	va_list ap;

	if (e->n_problems < UINT16_MAX)
		e->n_problems++;
	if (v == BGP_ATTR_DISCARD && e->n_discard < UINT16_MAX)
		e->n_discard++;
	/* The first reason of the worst verdict explains the outcome. */
	if (v <= e->verdict && e->reason[0] != '\0')
		return;
	e->verdict = v;
	e->code = code;
	e->subcode = subcode;
	e->attr = attr;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
}

/* Minimum message length per type, RFC 4271 4.1 and RFC 2918. */
static uint16_t
bgp_min_len(uint8_t type)
{
	switch (type) {
	case BGP_OPEN:
		return (29);
	case BGP_UPDATE:
		return (23);
	case BGP_NOTIFICATION:
		return (21);
	case BGP_KEEPALIVE:
		return (19);
	case BGP_ROUTE_REFRESH:
		return (23);
	}
	return (0);
}

int
bgp_hdr_parse(struct rd *r, size_t max_len, struct bgp_hdr *h,
    struct rd *body, struct bgp_err *e)
{
	const uint8_t	*marker;
	uint16_t	 min;

	if (rd_ptr(r, sizeof(bgp_marker), &marker) == -1 ||
	    rd_u16(r, &h->len) == -1 || rd_u8(r, &h->type) == -1) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_HEADER, ERR_HDR_LEN, 0,
		    "message shorter than the 19-octet header");
		return (-1);
	}
	if (memcmp(marker, bgp_marker, sizeof(bgp_marker)) != 0) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_HEADER, ERR_HDR_SYNC, 0,
		    "marker is not all ones");
		return (-1);
	}
	/*
	 * RFC 4271 6.1: a length below the header or above the maximum is
	 * Bad Message Length whatever the type; then the type; then the
	 * type's own minimum.
	 */
	if (h->len < BGP_HDR_LEN || h->len > max_len) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_HEADER, ERR_HDR_LEN, 0,
		    "bad message length %u", h->len);
		return (-1);
	}
	min = bgp_min_len(h->type);
	if (min == 0) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_HEADER, ERR_HDR_TYPE, 0,
		    "unknown message type %u", h->type);
		return (-1);
	}
	/*
	 * RFC 8654: OPEN and KEEPALIVE stay within 4096 octets even when the
	 * extended message capability was negotiated.
	 */
	if ((h->type == BGP_OPEN || h->type == BGP_KEEPALIVE) &&
	    max_len > BGP_MAX_LEN)
		max_len = BGP_MAX_LEN;
	if (h->len < min || h->len > max_len ||
	    (h->type == BGP_KEEPALIVE && h->len != BGP_HDR_LEN)) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_HEADER, ERR_HDR_LEN, 0,
		    "bad length %u for %s", h->len,
		    bgp_msg_type_name(h->type));
		return (-1);
	}
	if (rd_sub(r, h->len - BGP_HDR_LEN, body) == -1) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_HEADER, ERR_HDR_LEN, 0,
		    "message truncated: length %u, %zu octets present",
		    h->len, rd_left(r) + BGP_HDR_LEN);
		return (-1);
	}
	return (0);
}

size_t
bgp_msg_begin(struct wr *w, uint8_t type)
{
	size_t off = wr_len(w);

	wr_bytes(w, bgp_marker, sizeof(bgp_marker));
	wr_u16(w, 0);
	wr_u8(w, type);
	return (wr_ok(w) ? off : SIZE_MAX);
}

int
bgp_msg_end(struct wr *w, size_t off)
{
	size_t len;

	if (!wr_ok(w) || off == SIZE_MAX)
		return (-1);
	len = wr_len(w) - off;
	if (len > BGP_EXT_MAX_LEN) {
		w->err = 1;
		return (-1);
	}
	return (wr_patch_u16(w, off + 16, (uint16_t)len));
}

const char *
bgp_msg_type_name(uint8_t type)
{
	switch (type) {
	case BGP_OPEN:
		return ("OPEN");
	case BGP_UPDATE:
		return ("UPDATE");
	case BGP_NOTIFICATION:
		return ("NOTIFICATION");
	case BGP_KEEPALIVE:
		return ("KEEPALIVE");
	case BGP_ROUTE_REFRESH:
		return ("ROUTE-REFRESH");
	}
	return ("unknown");
}

int
bgp_notify_decode(struct rd *body, struct bgp_notify *n)
{
	if (rd_u8(body, &n->code) == -1 || rd_u8(body, &n->subcode) == -1)
		return (-1);
	n->data_len = (uint16_t)rd_left(body);
	n->data = rd_cur(body);
	rd_skip(body, n->data_len);
	return (0);
}

int
bgp_notify_encode(struct wr *w, uint8_t code, uint8_t subcode,
    const void *data, size_t len)
{
	size_t off = bgp_msg_begin(w, BGP_NOTIFICATION);

	wr_u8(w, code);
	wr_u8(w, subcode);
	wr_bytes(w, data, len);
	return (bgp_msg_end(w, off));
}

static const char *const err_names[] = {
	[0] = "Unspecific",
	[ERR_HEADER] = "Message Header Error",
	[ERR_OPEN] = "OPEN Message Error",
	[ERR_UPDATE] = "UPDATE Message Error",
	[ERR_HOLD] = "Hold Timer Expired",
	[ERR_FSM] = "Finite State Machine Error",
	[ERR_CEASE] = "Cease",
	[ERR_RREFRESH] = "ROUTE-REFRESH Message Error",
};

static const char *const hdr_sub[] = {
	"Unspecific", "Connection Not Synchronized", "Bad Message Length",
	"Bad Message Type",
};

static const char *const open_sub[] = {
	"Unspecific", "Unsupported Version Number", "Bad Peer AS",
	"Bad BGP Identifier", "Unsupported Optional Parameter",
	"Authentication Failure (deprecated)", "Unacceptable Hold Time",
	"Unsupported Capability", "Deprecated (8)", "Deprecated (9)",
	"Deprecated (10)", "Role Mismatch",
};

static const char *const update_sub[] = {
	"Unspecific", "Malformed Attribute List",
	"Unrecognized Well-known Attribute", "Missing Well-known Attribute",
	"Attribute Flags Error", "Attribute Length Error",
	"Invalid ORIGIN Attribute", "AS Routing Loop (deprecated)",
	"Invalid NEXT_HOP Attribute", "Optional Attribute Error",
	"Invalid Network Field", "Malformed AS_PATH",
};

static const char *const fsm_sub[] = {
	"Unspecified", "Unexpected Message in OpenSent",
	"Unexpected Message in OpenConfirm",
	"Unexpected Message in Established",
};

static const char *const cease_sub[] = {
	"Unspecific", "Maximum Number of Prefixes Reached",
	"Administrative Shutdown", "Peer De-configured",
	"Administrative Reset", "Connection Rejected",
	"Other Configuration Change", "Connection Collision Resolution",
	"Out of Resources", "Hard Reset", "BFD Down",
};

static const char *const rr_sub[] = {
	"Reserved", "Invalid Message Length",
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

const char *
bgp_err_name(uint8_t code)
{
	if (code < NELEM(err_names) && err_names[code] != NULL)
		return (err_names[code]);
	return ("Unknown Error");
}

const char *
bgp_suberr_name(uint8_t code, uint8_t sub)
{
	const char *const	*tab = NULL;
	size_t			 n = 0;

	switch (code) {
	case ERR_HEADER:
		tab = hdr_sub;
		n = NELEM(hdr_sub);
		break;
	case ERR_OPEN:
		tab = open_sub;
		n = NELEM(open_sub);
		break;
	case ERR_UPDATE:
		tab = update_sub;
		n = NELEM(update_sub);
		break;
	case ERR_FSM:
		tab = fsm_sub;
		n = NELEM(fsm_sub);
		break;
	case ERR_CEASE:
		tab = cease_sub;
		n = NELEM(cease_sub);
		break;
	case ERR_RREFRESH:
		tab = rr_sub;
		n = NELEM(rr_sub);
		break;
	default:
		return (sub == 0 ? "Unspecific" : "Unknown Subcode");
	}
	if (sub < n)
		return (tab[sub]);
	return ("Unknown Subcode");
}

/*
 * Length of the UTF-8 sequence at p (at most n octets) when it is one a
 * log can show: 1 for printable ASCII, 2-4 for a well-formed multi-octet
 * character other than a C1 control.  0 for anything else (C0 and C1
 * controls, DEL, stray or truncated sequences, overlong forms,
 * surrogates), which the caller replaces.
 */
static unsigned
utf8_seq(const uint8_t *p, unsigned n)
{
	uint32_t	cp;
	unsigned	len, k;

	if (p[0] < 0x80)
		return ((p[0] < 0x20 || p[0] == 0x7f) ? 0 : 1);
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = p[0] & 0x1f;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = p[0] & 0x0f;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = p[0] & 0x07;
	} else
		return (0);
	if (len > n)
		return (0);
	for (k = 1; k < len; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return (0);
		cp = (cp << 6) | (p[k] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return (0);
	return (len);
}

char *
bgp_notify_fmt(const struct bgp_notify *n, char *buf, size_t len)
{
	size_t	 off;
	unsigned mlen, i;

	off = (size_t)snprintf(buf, len, "%s/%s", bgp_err_name(n->code),
	    bgp_suberr_name(n->code, n->subcode));
	if (off >= len)
		return (buf);
	/*
	 * RFC 8203/9003: Administrative Shutdown and Reset carry a UTF-8
	 * message prefixed by its length.  Print it with control bytes
	 * replaced so a peer cannot inject into our logs.
	 */
	if (n->code == ERR_CEASE && (n->subcode == ERR_CEASE_ADMIN_DOWN ||
	    n->subcode == ERR_CEASE_ADMIN_RESET) && n->data_len >= 1) {
		mlen = n->data[0];
		if (mlen > n->data_len - 1u) {
			snprintf(buf + off, len - off,
			    " (malformed shutdown communication)");
			return (buf);
		}
		if (mlen > 0 && off + 4 < len) {
			off += (size_t)snprintf(buf + off, len - off, ": \"");
			for (i = 0; i < mlen && off + 2 < len; ) {
				unsigned n_utf = utf8_seq(n->data + 1 + i,
				    mlen - i);

				if (n_utf > 1 && off + 1 + n_utf < len) {
					memcpy(buf + off, n->data + 1 + i,
					    n_utf);
					off += n_utf;
					i += n_utf;
					continue;
				}
				if (n_utf > 1)
					break;	/* no room for it whole */
				buf[off++] = (n_utf == 0 ||
				    n->data[1 + i] == '"') ? '?' :
				    (char)n->data[1 + i];
				i++;
			}
			if (off + 1 < len)
				buf[off++] = '"';
			buf[off] = '\0';
		}
	}
	return (buf);
}

int
bgp_rrefresh_decode(struct rd *body, struct bgp_rrefresh *r)
{
	r->orf = NULL;
	r->orf_len = 0;
	if (rd_u16(body, &r->afi) == -1 || rd_u8(body, &r->subtype) == -1 ||
	    rd_u8(body, &r->safi) == -1)
		return (-1);
	/*
	 * RFC 7313 5: a BoRR or EoRR longer than 4 octets is a
	 * ROUTE-REFRESH Message Error / Invalid Message Length.  After a
	 * normal request, RFC 5291 ORF entries may follow: kept.
	 */
	if (rd_left(body) > 0 && (r->subtype == 1 || r->subtype == 2))
		return (-1);
	r->orf_len = (uint16_t)rd_left(body);
	r->orf = rd_cur(body);
	rd_skip(body, r->orf_len);
	return (0);
}

int
bgp_rrefresh_encode(struct wr *w, const struct bgp_rrefresh *r)
{
	size_t off = bgp_msg_begin(w, BGP_ROUTE_REFRESH);

	wr_u16(w, r->afi);
	wr_u8(w, r->subtype);
	wr_u8(w, r->safi);
	return (bgp_msg_end(w, off));
}

int
bgp_keepalive_encode(struct wr *w)
{
	size_t off = bgp_msg_begin(w, BGP_KEEPALIVE);

	return (bgp_msg_end(w, off));
}
