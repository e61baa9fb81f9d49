/*
 * bgp_update.c -- UPDATE messages: framing of the three fields, End-of-RIB
 * markers, the message-level RFC 7606 rules, and encoding.
 *
 *	withdrawn routes length (2) | withdrawn routes
 *	total path attribute length (2) | path attributes
 *	NLRI (the rest)
 */
#include <stdio.h>
#include <string.h>

#include "bgp.h"

static void
update_clear(struct bgp_update *u)
{
	bgp_err_clear(&u->err);
	u->withdrawn = u->nlri = NULL;
	u->withdrawn_len = u->nlri_len = u->attr_len = 0;
	u->eor = false;
	u->eor_afi = 0;
	u->eor_safi = 0;
	u->addpath_v4 = false;
}

/*
 * RFC 4724 2: an UPDATE with nothing in it is the IPv4 unicast End-of-RIB;
 * one whose only attribute is an empty MP_UNREACH_NLRI ends that family.
 */
static void
update_eor(struct bgp_update *u)
{
	const struct bgp_attrs *a = &u->a;

	if (u->withdrawn_len != 0 || u->nlri_len != 0)
		return;
	if (u->attr_len == 0) {
		u->eor = true;
		u->eor_afi = AFI_IPV4;
		u->eor_safi = SAFI_UNICAST;
	} else if (a->n_raw == 1 && attrs_has(a, ATTR_MP_UNREACH_NLRI) &&
	    a->mp_unreach.nlri_len == 0) {
		u->eor = true;
		u->eor_afi = a->mp_unreach.afi;
		u->eor_safi = a->mp_unreach.safi;
	}
}

/* RFC 7606 3(d), 5.2: mandatory attributes where routes are announced. */
static void
update_mandatory(struct bgp_update *u)
{
	const struct bgp_attrs	*a = &u->a;
	bool			 reach;

	reach = u->nlri_len > 0 || (attrs_has(a, ATTR_MP_REACH_NLRI) &&
	    a->mp_reach.nlri_len > 0);
	if (!reach)
		return;
	if (u->attr_len == 0) {
		bgp_err_set(&u->err, BGP_TREAT_AS_WITHDRAW, ERR_UPDATE,
		    ERR_UPD_MISSNG_WK, 0, "NLRI without path attributes");
		return;
	}
	if (!attrs_has(a, ATTR_ORIGIN))
		bgp_err_set(&u->err, BGP_TREAT_AS_WITHDRAW, ERR_UPDATE,
		    ERR_UPD_MISSNG_WK, ATTR_ORIGIN, "ORIGIN missing");
	if (!attrs_has(a, ATTR_AS_PATH))
		bgp_err_set(&u->err, BGP_TREAT_AS_WITHDRAW, ERR_UPDATE,
		    ERR_UPD_MISSNG_WK, ATTR_AS_PATH, "AS_PATH missing");
	/* RFC 4760 makes NEXT_HOP mandatory only for the IPv4 NLRI field. */
	if (u->nlri_len > 0 && !attrs_has(a, ATTR_NEXT_HOP))
		bgp_err_set(&u->err, BGP_TREAT_AS_WITHDRAW, ERR_UPDATE,
		    ERR_UPD_MISSNG_WK, ATTR_NEXT_HOP, "NEXT_HOP missing");
}

/*
 * Does the attribute block hold anything but MP_UNREACH_NLRI?  A block
 * that cannot be framed to its end counts as yes: what follows the break
 * is unknown.
 */
static bool
attrs_other_than_unreach(const uint8_t *p, size_t len)
{
	struct rd	r;
	uint8_t		flags, type, len8;
	uint16_t	alen;

	rd_init(&r, p, len);
	while (rd_left(&r) > 0) {
		if (rd_u8(&r, &flags) == -1 || rd_u8(&r, &type) == -1)
			return (true);
		if (flags & ATTR_F_EXTLEN) {
			if (rd_u16(&r, &alen) == -1)
				return (true);
		} else {
			if (rd_u8(&r, &len8) == -1)
				return (true);
			alen = len8;
		}
		if (rd_skip(&r, alen) == -1 || type != ATTR_MP_UNREACH_NLRI)
			return (true);
	}
	return (false);
}

/*
 * RFC 7606 5.2: an UPDATE with path attributes other than MP_UNREACH_NLRI
 * but no reachable NLRI gives no confidence that the NLRI were parsed
 * right, so any error handled by more than attribute discard resets the
 * session.
 */
static void
update_no_reach(struct bgp_update *u, const uint8_t *attrs)
{
	const struct bgp_attrs	*a = &u->a;
	char			 why[sizeof(u->err.reason)];
	bool			 reach;

	if (u->err.verdict != BGP_TREAT_AS_WITHDRAW)
		return;
	reach = u->nlri_len > 0 || (attrs_has(a, ATTR_MP_REACH_NLRI) &&
	    a->mp_reach.nlri_len > 0);
	if (reach || !attrs_other_than_unreach(attrs, u->attr_len))
		return;
	/* Keep the code, subcode and attribute of the error that led here. */
	memcpy(why, u->err.reason, sizeof(why));
	u->err.verdict = BGP_SESSION_RESET;
	snprintf(u->err.reason, sizeof(u->err.reason),
	    "no reachable NLRI (RFC 7606 5.2): %.*s",
	    (int)(sizeof(why) - 40), why);
}

/*
 * The attributes of an UPDATE given up on before its attribute walk: none.
 * Every field is reset, so nothing points into the previous message.
 */
static void
update_no_attrs(struct bgp_update *u, const struct bgp_neg *neg)
{
	struct bgp_err keep = u->err;

	bgp_attrs_parse(u, NULL, 0, neg, 0);
	u->err = keep;
}

enum bgp_verdict
bgp_update_decode(struct bgp_update *u, const uint8_t *body, size_t len,
    const struct bgp_neg *neg, unsigned flags)
{
	struct rd	r, wd, at;
	uint16_t	wlen, alen;

	update_clear(u);
	u->addpath_v4 = neg_addpath(neg, AS_IPV4_UNICAST);
	rd_init(&r, body, len);
	/*
	 * RFC 7606 4: lengths that overrun the message leave no way to find
	 * the NLRI: this is one of the few session-reset cases.
	 */
	if (rd_u16(&r, &wlen) == -1 || rd_sub(&r, wlen, &wd) == -1 ||
	    rd_u16(&r, &alen) == -1 || rd_sub(&r, alen, &at) == -1) {
		bgp_err_set(&u->err, BGP_SESSION_RESET, ERR_UPDATE,
		    ERR_UPD_ATTRLIST, 0,
		    "withdrawn or attribute length overruns the message");
		update_no_attrs(u, neg);
		return (u->err.verdict);
	}
	u->withdrawn = rd_cur(&wd);
	u->withdrawn_len = wlen;
	u->attr_len = alen;
	u->nlri = rd_cur(&r);
	u->nlri_len = (uint16_t)rd_left(&r);

	/* RFC 7606 5.3: malformed IPv4 NLRI fields cannot be withdrawn. */
	if (nlri_count(u->withdrawn, u->withdrawn_len, AFI_IPV4, SAFI_UNICAST,
	    u->addpath_v4) == -1) {
		bgp_err_set(&u->err, BGP_SESSION_RESET, ERR_UPDATE,
		    ERR_UPD_NETWORK, 0, "malformed withdrawn routes field");
		update_no_attrs(u, neg);
		return (u->err.verdict);
	}
	if (nlri_count(u->nlri, u->nlri_len, AFI_IPV4, SAFI_UNICAST,
	    u->addpath_v4) == -1) {
		bgp_err_set(&u->err, BGP_SESSION_RESET, ERR_UPDATE,
		    ERR_UPD_NETWORK, 0, "malformed NLRI field");
		update_no_attrs(u, neg);
		return (u->err.verdict);
	}
	bgp_attrs_parse(u, rd_cur(&at), alen, neg, flags);
	if (u->err.verdict == BGP_SESSION_RESET)
		return (u->err.verdict);
	update_eor(u);
	update_mandatory(u);
	update_no_reach(u, rd_cur(&at));
	return (u->err.verdict);
}

int
bgp_update_encode(struct wr *w, const struct bgp_update *u, bool as4)
{
	size_t off, alen_off, start;

	off = bgp_msg_begin(w, BGP_UPDATE);
	wr_u16(w, u->withdrawn_len);
	wr_bytes(w, u->withdrawn, u->withdrawn_len);
	alen_off = wr_reserve(w, 2);
	start = wr_len(w);
	/*
	 * The IPv4 unicast End-of-RIB has no attributes; every other one is
	 * an empty MP_UNREACH_NLRI, which must be written.
	 */
	if (!(u->eor && u->eor_afi == AFI_IPV4 &&
	    u->eor_safi == SAFI_UNICAST))
		bgp_attrs_encode(w, &u->a, as4);
	if (wr_ok(w) && wr_len(w) - start > 0xffff)
		w->err = 1;
	wr_patch_u16(w, alen_off, (uint16_t)(wr_len(w) - start));
	wr_bytes(w, u->nlri, u->nlri_len);
	return (bgp_msg_end(w, off));
}
