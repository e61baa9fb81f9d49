/*
 * fuzz_bgp_open.c -- libFuzzer target for OPEN: decode, encode, decode
 * again (which must succeed and agree), and negotiate both ways.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct bgp_open o, o2;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd	r, body;
	struct bgp_err	e;
	struct bgp_hdr	h;
	struct bgp_neg	n;
	struct wr	w;
	char		buf[64];
	int		i;

	bgp_err_clear(&e);
	rd_init(&r, data, size);
	if (bgp_open_decode(&r, &o, &e) != 0) {
		if (e.verdict != BGP_SESSION_RESET)
			abort();
		return (0);
	}
	for (i = 0; i < o.n_caps; i++)
		snprintf(buf, sizeof(buf), "%s", bgp_capa_name(o.caps[i].code));
	wr_init(&w, 256, BGP_MAX_LEN);
	if (bgp_open_encode(&w, &o) == 0) {
		bgp_err_clear(&e);
		rd_init(&r, wr_data(&w), wr_len(&w));
		if (bgp_hdr_parse(&r, BGP_MAX_LEN, &h, &body, &e) != 0)
			abort();
		if (bgp_open_decode(&body, &o2, &e) != 0)
			abort();
		if (o2.my_as != o.my_as || o2.holdtime != o.holdtime ||
		    o2.bgp_id != o.bgp_id || o2.has_as4 != o.has_as4 ||
		    o2.as4 != o.as4 || o2.n_mp != o.n_mp ||
		    o2.n_addpath != o.n_addpath || o2.has_role != o.has_role ||
		    o2.role != o.role || o2.route_refresh != o.route_refresh ||
		    o2.ext_msg != o.ext_msg || o2.has_gr != o.has_gr ||
		    o2.gr_time != o.gr_time || o2.has_fqdn != o.has_fqdn ||
		    strcmp(o2.fqdn_host, o.fqdn_host) != 0 ||
		    strcmp(o2.fqdn_domain, o.fqdn_domain) != 0 ||
		    memcmp(o2.mp, o.mp, sizeof(o.mp[0]) * o.n_mp) != 0 ||
		    memcmp(o2.addpath, o.addpath,
		    sizeof(o.addpath[0]) * o.n_addpath) != 0)
			abort();
		bgp_negotiate(&o, &o2, &n);
		bgp_negotiate(&o2, &o, &n);
	}
	wr_free(&w);
	bgp_negotiate(&o, &o, &n);
	bgp_role_ok(ROLE_PEER, &o);
	return (0);
}
