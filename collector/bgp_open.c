/*
 * bgp_open.c -- OPEN messages and capabilities (RFC 5492), decode, encode
 * and negotiation.
 *
 * Every capability is kept in wire order in o->caps[], so an unknown one
 * survives a decode/encode round trip and the API can show exactly what a
 * peer offered.  The known ones are decoded into fields as well.
 */
#include <stdio.h>
#include <string.h>

#include "bgp.h"

#define OPT_PARAM_CAPA		2
#define OPT_PARAM_EXT		255	/* RFC 9072 */

const char *
bgp_capa_name(uint8_t code)
{
	switch (code) {
	case CAPA_MP:
		return ("multiprotocol");
	case CAPA_ROUTE_REFRESH:
		return ("route-refresh");
	case CAPA_EXT_NEXTHOP:
		return ("extended-nexthop");
	case CAPA_EXT_MESSAGE:
		return ("extended-message");
	case CAPA_ROLE:
		return ("bgp-role");
	case CAPA_GRACEFUL_RESTART:
		return ("graceful-restart");
	case CAPA_AS4:
		return ("4-octet-as");
	case CAPA_ADD_PATH:
		return ("add-path");
	case CAPA_ENHANCED_RR:
		return ("enhanced-route-refresh");
	case CAPA_FQDN:
		return ("fqdn");
	case 128:
		return ("route-refresh-cisco");
	}
	return ("unknown");
}

static int
capa_af_list(struct rd *c, struct bgp_af *out, uint8_t *n, bool with_res)
{
	struct bgp_af	af;
	uint8_t		res;

	while (rd_left(c) > 0) {
		if (rd_u16(c, &af.afi) == -1)
			return (-1);
		if (with_res && rd_u8(c, &res) == -1)
			return (-1);
		if (rd_u8(c, &af.safi) == -1)
			return (-1);
		if (!with_res && rd_u8(c, &af.flags) == -1)
			return (-1);
		if (with_res)
			af.flags = 0;
		if (*n < BGP_MAX_AF)
			out[(*n)++] = af;
	}
	return (0);
}

static int
capa_fqdn(struct rd *c, struct bgp_open *o)
{
	uint8_t hl, dl;

	if (rd_u8(c, &hl) == -1 || rd_copy(c, o->fqdn_host, hl) == -1)
		return (-1);
	o->fqdn_host[hl] = '\0';
	if (rd_u8(c, &dl) == -1 || rd_copy(c, o->fqdn_domain, dl) == -1)
		return (-1);
	o->fqdn_domain[dl] = '\0';
	o->has_fqdn = true;
	return (0);
}

/* RFC 7911 4: every Send/Receive value is 1, 2 or 3. */
static bool
addpath_valid(const uint8_t *p, size_t len)
{
	size_t k;

	for (k = 3; k < len; k += 4)
		if (p[k] < ADDPATH_RECV || p[k] > (ADDPATH_RECV | ADDPATH_SEND))
			return (false);
	return (true);
}

/*
 * Decode one capability's value into the fields: 0 done, 1 ignored (kept
 * as an unknown one), -1 malformed, -2 conflicting Role.
 */
static int
capa_decode(struct bgp_open *o, uint8_t code, struct rd *c)
{
	uint16_t	v16;
	uint8_t		v8;

	switch (code) {
	case CAPA_MP:
		if (rd_left(c) != 4)
			return (-1);
		return (capa_af_list(c, o->mp, &o->n_mp, true) == -1 ? -1 : 0);
	case CAPA_ROUTE_REFRESH:
		o->route_refresh = true;
		return (rd_left(c) == 0 ? 0 : -1);
	case CAPA_ENHANCED_RR:
		o->enhanced_rr = true;
		return (rd_left(c) == 0 ? 0 : -1);
	case CAPA_EXT_MESSAGE:
		o->ext_msg = true;
		return (rd_left(c) == 0 ? 0 : -1);
	case CAPA_ROLE:
		if (rd_left(c) != 1)
			return (-1);
		rd_u8(c, &v8);
		/*
		 * RFC 9234 4.2: several Role capabilities must agree;
		 * capa_list_decode() reports Role Mismatch when they do not.
		 */
		if (o->has_role && o->role != v8)
			return (-2);
		o->has_role = true;
		o->role = v8;
		return (0);
	case CAPA_AS4:
		if (rd_left(c) != 4)
			return (-1);
		o->has_as4 = true;
		return (rd_u32(c, &o->as4));
	case CAPA_GRACEFUL_RESTART:
		if (rd_u16(c, &v16) == -1 || rd_left(c) % 4 != 0)
			return (-1);
		o->has_gr = true;
		o->gr_flags = (uint8_t)(v16 >> 12);
		o->gr_time = v16 & 0x0fff;
		return (capa_af_list(c, o->gr, &o->n_gr, false));
	case CAPA_ADD_PATH:
		if (rd_left(c) % 4 != 0 || rd_left(c) == 0)
			return (-1);
		/*
		 * RFC 7911 4: a Send/Receive value other than 1, 2 or 3 makes
		 * the capability "not understood": it is ignored (and kept in
		 * caps[] like any capability bgplens does not know).
		 */
		if (!addpath_valid(rd_cur(c), rd_left(c)))
			return (1);
		return (capa_af_list(c, o->addpath, &o->n_addpath, false));
	case CAPA_FQDN:
		return (capa_fqdn(c, o));
	}
	return (0);
}

static int
capa_list_decode(struct bgp_open *o, struct rd *p, struct bgp_err *e)
{
	uint8_t		code, len;
	struct rd	c;
	int		rv;

	while (rd_left(p) > 0) {
		if (rd_u8(p, &code) == -1 || rd_u8(p, &len) == -1 ||
		    rd_sub(p, len, &c) == -1) {
			bgp_err_set(e, BGP_SESSION_RESET, ERR_OPEN, 0, 0,
			    "capability overruns its optional parameter");
			return (-1);
		}
		if (o->n_caps < BGP_MAX_CAPS) {
			o->caps[o->n_caps].code = code;
			o->caps[o->n_caps].len = len;
			o->caps[o->n_caps].data = rd_cur(&c);
			o->n_caps++;
		}
		rv = capa_decode(o, code, &c);
		if (rv == -2) {
			bgp_err_set(e, BGP_SESSION_RESET, ERR_OPEN,
			    ERR_OPEN_ROLE, 0,
			    "BGP Role capabilities with different values");
			return (-1);
		}
		if (rv == -1) {
			bgp_err_set(e, BGP_SESSION_RESET, ERR_OPEN, 0, 0,
			    "malformed %s capability (code %u, length %u)",
			    bgp_capa_name(code), code, len);
			return (-1);
		}
	}
	return (0);
}

int
bgp_open_decode(struct rd *body, struct bgp_open *o, struct bgp_err *e)
{
	uint8_t		plen8, ptype, plen8b;
	uint16_t	plen, len;
	struct rd	params, p;
	bool		ext;

	memset(o, 0, sizeof(*o));
	if (rd_u8(body, &o->version) == -1 || rd_u16(body, &o->my_as) == -1 ||
	    rd_u16(body, &o->holdtime) == -1 || rd_u32(body, &o->bgp_id) == -1 ||
	    rd_u8(body, &plen8) == -1) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_HEADER, ERR_HDR_LEN, 0,
		    "OPEN shorter than its fixed part");
		return (-1);
	}
	/*
	 * RFC 4271 6.2: the version is judged before anything else, since
	 * another version's OPEN need not parse as this one.
	 */
	if (o->version != 4) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_OPEN, ERR_OPEN_VERSION, 0,
		    "unsupported BGP version %u", o->version);
		return (-1);
	}
	plen = plen8;
	ext = false;
	/* RFC 9072: a length of 255 then type 255 means 2-octet lengths. */
	if (plen8 == 255 && rd_peek_u8(body, 0, &ptype) == 0 &&
	    ptype == OPT_PARAM_EXT) {
		rd_skip(body, 1);
		if (rd_u16(body, &plen) == -1) {
			bgp_err_set(e, BGP_SESSION_RESET, ERR_OPEN, ERR_OPEN_OPT,
			    0, "truncated extended optional parameters length");
			return (-1);
		}
		ext = true;
		o->ext_opt_params = true;
	}
	if (rd_sub(body, plen, &params) == -1 || rd_left(body) != 0) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_OPEN, 0, 0,
		    "optional parameters length %u does not match the message",
		    plen);
		return (-1);
	}
	while (rd_left(&params) > 0) {
		if (rd_u8(&params, &ptype) == -1)
			goto bad;
		if (ext) {
			if (rd_u16(&params, &len) == -1)
				goto bad;
		} else {
			if (rd_u8(&params, &plen8b) == -1)
				goto bad;
			len = plen8b;
		}
		if (rd_sub(&params, len, &p) == -1)
			goto bad;
		if (ptype != OPT_PARAM_CAPA) {
			/* RFC 5492: deprecated or unknown parameters. */
			o->n_unknown_params++;
			continue;
		}
		if (capa_list_decode(o, &p, e) == -1)
			return (-1);
	}
	/* RFC 4271 6.2: hold time 1 or 2 is unacceptable. */
	if (o->holdtime == 1 || o->holdtime == 2) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_OPEN, ERR_OPEN_HOLDTIME,
		    0, "unacceptable hold time %u", o->holdtime);
		return (-1);
	}
	if (o->bgp_id == 0) {
		bgp_err_set(e, BGP_SESSION_RESET, ERR_OPEN, ERR_OPEN_BGPID, 0,
		    "BGP identifier 0.0.0.0");
		return (-1);
	}
	return (0);
bad:
	bgp_err_set(e, BGP_SESSION_RESET, ERR_OPEN, 0, 0,
	    "optional parameter overruns the parameters field");
	return (-1);
}

static bool
capa_known(uint8_t code)
{
	switch (code) {
	case CAPA_MP:
	case CAPA_ROUTE_REFRESH:
	case CAPA_ENHANCED_RR:
	case CAPA_EXT_MESSAGE:
	case CAPA_ROLE:
	case CAPA_GRACEFUL_RESTART:
	case CAPA_AS4:
	case CAPA_ADD_PATH:
	case CAPA_FQDN:
		return (true);
	}
	return (false);
}

/* Write the capability list (without the optional-parameter framing). */
static void
capa_list_encode(struct wr *w, const struct bgp_open *o)
{
	size_t	off;
	int	i;

	for (i = 0; i < o->n_mp; i++) {
		wr_u8(w, CAPA_MP);
		wr_u8(w, 4);
		wr_u16(w, o->mp[i].afi);
		wr_u8(w, 0);
		wr_u8(w, o->mp[i].safi);
	}
	if (o->route_refresh) {
		wr_u8(w, CAPA_ROUTE_REFRESH);
		wr_u8(w, 0);
	}
	if (o->enhanced_rr) {
		wr_u8(w, CAPA_ENHANCED_RR);
		wr_u8(w, 0);
	}
	if (o->ext_msg) {
		wr_u8(w, CAPA_EXT_MESSAGE);
		wr_u8(w, 0);
	}
	if (o->has_role) {
		wr_u8(w, CAPA_ROLE);
		wr_u8(w, 1);
		wr_u8(w, o->role);
	}
	if (o->has_gr) {
		wr_u8(w, CAPA_GRACEFUL_RESTART);
		wr_u8(w, (uint8_t)(2 + 4 * o->n_gr));
		wr_u16(w, (uint16_t)((o->gr_flags << 12) | (o->gr_time & 0xfff)));
		for (i = 0; i < o->n_gr; i++) {
			wr_u16(w, o->gr[i].afi);
			wr_u8(w, o->gr[i].safi);
			wr_u8(w, o->gr[i].flags);
		}
	}
	if (o->has_as4) {
		wr_u8(w, CAPA_AS4);
		wr_u8(w, 4);
		wr_u32(w, o->as4);
	}
	if (o->n_addpath > 0) {
		wr_u8(w, CAPA_ADD_PATH);
		wr_u8(w, (uint8_t)(4 * o->n_addpath));
		for (i = 0; i < o->n_addpath; i++) {
			wr_u16(w, o->addpath[i].afi);
			wr_u8(w, o->addpath[i].safi);
			wr_u8(w, o->addpath[i].flags);
		}
	}
	if (o->has_fqdn) {
		size_t hl = strnlen(o->fqdn_host, 255);
		size_t dl = strnlen(o->fqdn_domain, 255);

		wr_u8(w, CAPA_FQDN);
		off = wr_reserve(w, 1);
		wr_u8(w, (uint8_t)hl);
		wr_bytes(w, o->fqdn_host, hl);
		wr_u8(w, (uint8_t)dl);
		wr_bytes(w, o->fqdn_domain, dl);
		if (off != SIZE_MAX && wr_len(w) - off - 1 <= 255)
			wr_patch_u8(w, off, (uint8_t)(wr_len(w) - off - 1));
		else
			w->err = 1;
	}
	for (i = 0; i < o->n_caps; i++) {
		/* An ADD-PATH capability that was ignored goes out as is. */
		if (capa_known(o->caps[i].code) &&
		    !(o->caps[i].code == CAPA_ADD_PATH &&
		    !addpath_valid(o->caps[i].data, o->caps[i].len)))
			continue;
		wr_u8(w, o->caps[i].code);
		wr_u8(w, o->caps[i].len);
		wr_bytes(w, o->caps[i].data, o->caps[i].len);
	}
}

int
bgp_open_encode(struct wr *w, const struct bgp_open *o)
{
	uint8_t		 cbuf[4096];
	struct wr	 caps;
	size_t		 off, clen;

	wr_init_fixed(&caps, cbuf, sizeof(cbuf));
	capa_list_encode(&caps, o);
	if (!wr_ok(&caps)) {
		w->err = 1;
		return (-1);
	}
	clen = wr_len(&caps);

	off = bgp_msg_begin(w, BGP_OPEN);
	wr_u8(w, 4);
	wr_u16(w, o->my_as);
	wr_u16(w, o->holdtime);
	wr_u32(w, o->bgp_id);
	if (clen == 0)
		wr_u8(w, 0);
	else if (clen + 2 <= 255 && !o->ext_opt_params) {
		wr_u8(w, (uint8_t)(clen + 2));
		wr_u8(w, OPT_PARAM_CAPA);
		wr_u8(w, (uint8_t)clen);
		wr_bytes(w, cbuf, clen);
	} else {
		/* RFC 9072 extended optional parameters. */
		wr_u8(w, 255);
		wr_u8(w, OPT_PARAM_EXT);
		wr_u16(w, (uint16_t)(clen + 3));
		wr_u8(w, OPT_PARAM_CAPA);
		wr_u16(w, (uint16_t)clen);
		wr_bytes(w, cbuf, clen);
	}
	/* RFC 8654 4: an OPEN never exceeds 4096 octets. */
	if (off != SIZE_MAX && wr_ok(w) && wr_len(w) - off > BGP_MAX_LEN) {
		w->err = 1;
		return (-1);
	}
	return (bgp_msg_end(w, off));
}

/*
 * RFC 9234 4.2: the Role pairs that agree.  False when the remote did not
 * send a Role (a strict-mode speaker then refuses the session).
 */
bool
bgp_role_ok(uint8_t local_role, const struct bgp_open *remote)
{
	if (!remote->has_role)
		return (false);
	switch (local_role) {
	case ROLE_PROVIDER:
		return (remote->role == ROLE_CUSTOMER);
	case ROLE_CUSTOMER:
		return (remote->role == ROLE_PROVIDER);
	case ROLE_RS:
		return (remote->role == ROLE_RS_CLIENT);
	case ROLE_RS_CLIENT:
		return (remote->role == ROLE_RS);
	case ROLE_PEER:
		return (remote->role == ROLE_PEER);
	}
	return (false);
}

static bool
af_has(const struct bgp_af *list, int n, uint16_t afi, uint8_t safi,
    uint8_t flag)
{
	int i;

	for (i = 0; i < n; i++)
		if (list[i].afi == afi && list[i].safi == safi &&
		    (list[i].flags & flag) != 0)
			return (true);
	return (false);
}

void
bgp_negotiate(const struct bgp_open *local, const struct bgp_open *remote,
    struct bgp_neg *rx)
{
	int	 i;
	uint16_t afi;
	uint8_t	 safi;

	memset(rx, 0, sizeof(*rx));
	rx->as4 = local->has_as4 && remote->has_as4;
	rx->ext_msg = local->ext_msg && remote->ext_msg;
	/* RFC 7911 4: we receive path ids where we said receive and they send. */
	for (i = 0; i < AS_COUNT; i++) {
		afisafi_from_index(i, &afi, &safi);
		if (af_has(local->addpath, local->n_addpath, afi, safi,
		    ADDPATH_RECV) &&
		    af_has(remote->addpath, remote->n_addpath, afi, safi,
		    ADDPATH_SEND))
			rx->addpath |= (uint16_t)(1u << i);
	}
}
