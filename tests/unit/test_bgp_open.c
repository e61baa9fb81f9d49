/*
 * test_bgp_open.c -- OPEN messages: every capability bgplens knows, unknown
 * ones kept, RFC 9072 extended optional parameters, decode->encode->memcmp
 * round trips, the OPEN errors, and negotiation.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgp.h"
#include "bgp_vectors.h"

#define AS_BIG		4200000001u	/* 0xfa56ea01, no 2-octet form */

/*
 * The capability list every known capability in the order the encoder
 * writes them, then three unknown ones (extended next hop, Cisco's route
 * refresh, and an unassigned code) in wire order.
 */
static void
caps_full(struct tbuf *c)
{
	static const uint8_t fqdn[] = {
		4, 'r', 't', 'r', '1',
		11, 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.', 'n', 'e', 't'
	};

	tb_reset(c);
	/* MP: IPv4 unicast, IPv6 unicast, IPv4 VPN */
	tb_put(c, "\x01\x04\x00\x01\x00\x01", 6);
	tb_put(c, "\x01\x04\x00\x02\x00\x01", 6);
	tb_put(c, "\x01\x04\x00\x01\x00\x80", 6);
	tb_put(c, "\x02\x00", 2);			/* route refresh */
	tb_put(c, "\x46\x00", 2);			/* enhanced RR */
	tb_put(c, "\x06\x00", 2);			/* extended message */
	tb_put(c, "\x09\x01\x03", 3);			/* role: customer */
	/* graceful restart: R bit, 120 s; IPv4 unicast F bit, IPv6 none */
	tb_put(c, "\x40\x0a\x80\x78\x00\x01\x01\x80\x00\x02\x01\x00", 12);
	tb_put(c, "\x41\x04\xfa\x56\xea\x01", 6);	/* 4-octet AS */
	/* ADD-PATH: IPv4 unicast send+receive, IPv6 unicast receive */
	tb_put(c, "\x45\x08\x00\x01\x01\x03\x00\x02\x01\x01", 10);
	tb_u8(c, CAPA_FQDN);
	tb_u8(c, sizeof(fqdn));
	tb_put(c, fqdn, sizeof(fqdn));
	/* unknown to the decoder: kept as they are */
	tb_put(c, "\x05\x06\x00\x01\x00\x01\x00\x02", 8);
	tb_put(c, "\x80\x00", 2);
	tb_put(c, "\xf0\x03" "abc", 5);
}

/* An OPEN message with the capability list in one optional parameter. */
static void
open_msg(struct tbuf *m, uint8_t version, uint16_t as, uint16_t hold,
    uint32_t id, const struct tbuf *caps)
{
	struct tbuf b;

	tb_reset(&b);
	tb_u8(&b, version);
	tb_u16(&b, as);
	tb_u16(&b, hold);
	tb_u32(&b, id);
	if (caps == NULL || caps->n == 0)
		tb_u8(&b, 0);
	else {
		tb_u8(&b, (uint8_t)(caps->n + 2));
		tb_u8(&b, 2);
		tb_u8(&b, (uint8_t)caps->n);
		tb_put(&b, caps->b, caps->n);
	}
	tb_msg(m, BGP_OPEN, b.b, b.n);
}

/* Frame and decode an OPEN message; returns bgp_open_decode's result. */
static int
decode_msg(const struct tbuf *m, struct bgp_open *o, struct bgp_err *e)
{
	struct rd	r, body;
	struct bgp_hdr	h;

	bgp_err_clear(e);
	rd_init(&r, m->b, m->n);
	assert_int_equal(bgp_hdr_parse(&r, BGP_MAX_LEN, &h, &body, e), 0);
	assert_int_equal(h.type, BGP_OPEN);
	return (bgp_open_decode(&body, o, e));
}

/* Decode a bare OPEN body (no header). */
static int
decode_body(const uint8_t *p, size_t n, struct bgp_open *o, struct bgp_err *e)
{
	struct rd r;

	bgp_err_clear(e);
	rd_init(&r, p, n);
	return (bgp_open_decode(&r, o, e));
}

static void
encode_same(const struct bgp_open *o, const struct tbuf *m)
{
	struct wr w;

	wr_init(&w, 64, BGP_MAX_LEN);
	assert_int_equal(bgp_open_encode(&w, o), 0);
	assert_bytes(wr_data(&w), wr_len(&w), m->b, m->n);
	wr_free(&w);
}

static void
test_open_all_caps(void **state)
{
	struct tbuf	 caps, m;
	struct bgp_open	*o = malloc(sizeof(*o));
	struct bgp_err	 e;

	caps_full(&caps);
	open_msg(&m, 4, AS_TRANS, 180, 0xc0000201, &caps);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	assert_int_equal(e.verdict, BGP_OK);

	assert_int_equal(o->version, 4);
	assert_int_equal(o->my_as, AS_TRANS);
	assert_int_equal(o->holdtime, 180);
	assert_int_equal(o->bgp_id, 0xc0000201);
	assert_false(o->ext_opt_params);
	/* multiprotocol */
	assert_int_equal(o->n_mp, 3);
	assert_int_equal(o->mp[0].afi, AFI_IPV4);
	assert_int_equal(o->mp[0].safi, SAFI_UNICAST);
	assert_int_equal(o->mp[1].afi, AFI_IPV6);
	assert_int_equal(o->mp[2].safi, SAFI_MPLS_VPN);
	/* route refresh, enhanced, extended message */
	assert_true(o->route_refresh);
	assert_true(o->enhanced_rr);
	assert_true(o->ext_msg);
	/* role */
	assert_true(o->has_role);
	assert_int_equal(o->role, ROLE_CUSTOMER);
	/* graceful restart */
	assert_true(o->has_gr);
	assert_int_equal(o->gr_flags, 0x8);
	assert_int_equal(o->gr_time, 120);
	assert_int_equal(o->n_gr, 2);
	assert_int_equal(o->gr[0].afi, AFI_IPV4);
	assert_int_equal(o->gr[0].flags, 0x80);
	assert_int_equal(o->gr[1].afi, AFI_IPV6);
	assert_int_equal(o->gr[1].flags, 0);
	/* 4-octet AS */
	assert_true(o->has_as4);
	assert_int_equal(o->as4, AS_BIG);
	assert_int_equal(bgp_open_asn(o), AS_BIG);
	/* ADD-PATH */
	assert_int_equal(o->n_addpath, 2);
	assert_int_equal(o->addpath[0].afi, AFI_IPV4);
	assert_int_equal(o->addpath[0].flags, ADDPATH_RECV | ADDPATH_SEND);
	assert_int_equal(o->addpath[1].afi, AFI_IPV6);
	assert_int_equal(o->addpath[1].flags, ADDPATH_RECV);
	/* FQDN */
	assert_true(o->has_fqdn);
	assert_string_equal(o->fqdn_host, "rtr1");
	assert_string_equal(o->fqdn_domain, "example.net");
	/* every capability kept in wire order, the unknown ones too */
	assert_int_equal(o->n_caps, 14);
	assert_int_equal(o->caps[0].code, CAPA_MP);
	assert_int_equal(o->caps[11].code, CAPA_EXT_NEXTHOP);
	assert_int_equal(o->caps[11].len, 6);
	assert_memory_equal(o->caps[11].data, "\x00\x01\x00\x01\x00\x02", 6);
	assert_int_equal(o->caps[12].code, 128);
	assert_int_equal(o->caps[12].len, 0);
	assert_int_equal(o->caps[13].code, 0xf0);
	assert_memory_equal(o->caps[13].data, "abc", 3);
	assert_int_equal(o->n_unknown_params, 0);

	/* decode -> encode gives the same bytes */
	encode_same(o, &m);
	free(o);
}

/* One capability at a time: each decodes alone and round-trips. */
static void
test_open_each_cap(void **state)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
	} one[] = {
		{ "\x01\x04\x00\x02\x00\x02", 6 },	/* MP IPv6 multicast */
		{ "\x02\x00", 2 },
		{ "\x46\x00", 2 },
		{ "\x06\x00", 2 },
		{ "\x09\x01\x00", 3 },			/* role provider */
		{ "\x40\x02\x40\x00", 4 },		/* GR, N bit, no AF */
		{ "\x41\x04\x00\x00\xfd\xe9", 6 },
		{ "\x45\x04\x00\x02\x01\x02", 6 },	/* ADD-PATH send */
		{ "\x49\x02\x00\x00", 4 },		/* FQDN, both empty */
		{ "\x83\x01\x07", 3 },			/* unknown */
	};
	struct tbuf	 caps, m;
	struct bgp_open	*o = malloc(sizeof(*o));
	struct bgp_err	 e;
	size_t		 i;

	for (i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
		tb_reset(&caps);
		tb_put(&caps, one[i].bytes, one[i].len);
		open_msg(&m, 4, 65001, 90, 0x0a000001, &caps);
		assert_int_equal(decode_msg(&m, o, &e), 0);
		assert_int_equal(o->n_caps, 1);
		encode_same(o, &m);
	}
	/* The spot checks of what they decoded to. */
	tb_reset(&caps);
	tb_put(&caps, "\x40\x02\x40\x00", 4);
	open_msg(&m, 4, 65001, 90, 0x0a000001, &caps);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	assert_true(o->has_gr);
	assert_int_equal(o->gr_flags, 0x4);
	assert_int_equal(o->gr_time, 0);
	assert_int_equal(o->n_gr, 0);
	assert_false(o->has_as4);
	assert_int_equal(bgp_open_asn(o), 65001);
	/* No capabilities at all: optional parameters length 0. */
	open_msg(&m, 4, 65001, 0, 0x0a000001, NULL);
	assert_int_equal(m.n, 29);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	assert_int_equal(o->n_caps, 0);
	encode_same(o, &m);
	free(o);
}

/*
 * RFC 9072: Non-Ext OP Len 255, Non-Ext OP Type 255, a 2-octet length,
 * and parameters with 2-octet lengths.
 */
static void
test_open_ext_params(void **state)
{
	struct tbuf	 caps, b, m;
	struct bgp_open	*o = malloc(sizeof(*o));
	struct bgp_open	*o2 = malloc(sizeof(*o2));
	struct bgp_err	 e;
	struct wr	 w;
	int		 i;

	caps_full(&caps);
	tb_reset(&b);
	tb_u8(&b, 4);
	tb_u16(&b, AS_TRANS);
	tb_u16(&b, 180);
	tb_u32(&b, 0xc0000201);
	tb_u8(&b, 255);
	tb_u8(&b, 255);
	tb_u16(&b, (uint16_t)(caps.n + 3));
	tb_u8(&b, 2);
	tb_u16(&b, (uint16_t)caps.n);
	tb_put(&b, caps.b, caps.n);
	tb_msg(&m, BGP_OPEN, b.b, b.n);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	assert_true(o->ext_opt_params);
	assert_int_equal(o->n_caps, 14);
	assert_int_equal(o->as4, AS_BIG);
	assert_string_equal(o->fqdn_domain, "example.net");
	encode_same(o, &m);

	/*
	 * A capability list over 253 octets cannot go in one classic
	 * parameter: the encoder switches to RFC 9072 on its own, and the
	 * decoder reads it back.
	 */
	memset(o, 0, sizeof(*o));
	o->version = 4;
	o->my_as = 65001;
	o->holdtime = 90;
	o->bgp_id = 1;
	o->n_mp = BGP_MAX_AF;
	for (i = 0; i < BGP_MAX_AF; i++) {
		o->mp[i].afi = AFI_IPV4;
		o->mp[i].safi = (uint8_t)(i + 1);
	}
	o->has_fqdn = true;
	memset(o->fqdn_host, 'h', 200);
	o->fqdn_host[200] = '\0';
	wr_init(&w, 64, BGP_MAX_LEN);
	assert_int_equal(bgp_open_encode(&w, o), 0);
	assert_int_equal(wr_data(&w)[28], 255);
	assert_int_equal(wr_data(&w)[29], 255);
	tb_reset(&m);
	tb_put(&m, wr_data(&w), wr_len(&w));
	wr_free(&w);
	assert_int_equal(decode_msg(&m, o2, &e), 0);
	assert_true(o2->ext_opt_params);
	assert_int_equal(o2->n_mp, BGP_MAX_AF);
	assert_int_equal(o2->mp[15].safi, 16);
	assert_int_equal(strlen(o2->fqdn_host), 200);

	/* Extended length running past the message. */
	tb_reset(&b);
	tb_put(&b, "\x04\xfd\xe9\x00\x5a\x0a\x00\x00\x01", 9);
	tb_put(&b, "\xff\xff\x00\x09\x02\x00\x02\x02\x00", 9);
	assert_int_equal(decode_body(b.b, b.n, o, &e), -1);
	assert_int_equal(e.verdict, BGP_SESSION_RESET);
	assert_int_equal(e.code, ERR_OPEN);
	/* Truncated extended length itself. */
	assert_int_equal(decode_body(b.b, 11, o, &e), -1);
	assert_int_equal(e.subcode, ERR_OPEN_OPT);
	free(o);
	free(o2);
}

/*
 * Real speakers put each capability in its own optional parameter, and
 * may send a non-capability parameter: every capability is found, the
 * other parameter is counted, and a re-encoding decodes the same.
 */
static void
test_open_several_params(void **state)
{
	static const uint8_t body[] = {
		0x04, 0xfd, 0xe9, 0x00, 0xb4, 0xc0, 0x00, 0x02, 0x01,
		24,
		0x02, 0x06, 0x01, 0x04, 0x00, 0x01, 0x00, 0x01,
		0x02, 0x02, 0x02, 0x00,
		0x01, 0x02, 0xaa, 0xbb,		/* type 1: authentication */
		0x02, 0x06, 0x41, 0x04, 0x00, 0x00, 0xfd, 0xe9,
	};
	struct bgp_open	*o = malloc(sizeof(*o)), *o2 = malloc(sizeof(*o2));
	struct bgp_err	 e;
	struct wr	 w;
	struct rd	 r, b;
	struct bgp_hdr	 h;

	assert_int_equal(decode_body(body, sizeof(body), o, &e), 0);
	assert_int_equal(o->n_mp, 1);
	assert_true(o->route_refresh);
	assert_true(o->has_as4);
	assert_int_equal(o->as4, 65001);
	assert_int_equal(o->n_caps, 3);
	assert_int_equal(o->n_unknown_params, 1);

	wr_init(&w, 64, BGP_MAX_LEN);
	assert_int_equal(bgp_open_encode(&w, o), 0);
	rd_init(&r, wr_data(&w), wr_len(&w));
	assert_int_equal(bgp_hdr_parse(&r, BGP_MAX_LEN, &h, &b, &e), 0);
	assert_int_equal(bgp_open_decode(&b, o2, &e), 0);
	assert_int_equal(o2->n_mp, 1);
	assert_true(o2->route_refresh);
	assert_int_equal(o2->as4, 65001);
	assert_int_equal(o2->n_caps, 3);
	assert_int_equal(o2->n_unknown_params, 0);	/* not re-encoded */
	wr_free(&w);
	free(o);
	free(o2);
}

static void
test_open_bad_fields(void **state)
{
	struct tbuf	 caps, m;
	struct bgp_open	*o = malloc(sizeof(*o));
	struct bgp_err	 e;
	static const uint8_t v3garbage[] = {
		0x03, 0xfd, 0xe9, 0x00, 0xb4, 0xc0, 0x00, 0x02, 0x01,
		0x07, 0x02, 0x09, 0x01	/* parameters overrun as well */
	};

	/* Version. */
	open_msg(&m, 3, 65001, 180, 1, NULL);
	assert_int_equal(decode_msg(&m, o, &e), -1);
	assert_int_equal(e.verdict, BGP_SESSION_RESET);
	assert_int_equal(e.code, ERR_OPEN);
	assert_int_equal(e.subcode, ERR_OPEN_VERSION);
	/* The version is judged first, whatever follows. */
	assert_int_equal(decode_body(v3garbage, sizeof(v3garbage), o, &e), -1);
	assert_int_equal(e.subcode, ERR_OPEN_VERSION);
	open_msg(&m, 5, 65001, 180, 1, NULL);
	assert_int_equal(decode_msg(&m, o, &e), -1);
	assert_int_equal(e.subcode, ERR_OPEN_VERSION);

	/* Hold time: 1 and 2 refused, 0 and 3 taken (RFC 4271 4.2). */
	open_msg(&m, 4, 65001, 1, 1, NULL);
	assert_int_equal(decode_msg(&m, o, &e), -1);
	assert_int_equal(e.subcode, ERR_OPEN_HOLDTIME);
	open_msg(&m, 4, 65001, 2, 1, NULL);
	assert_int_equal(decode_msg(&m, o, &e), -1);
	assert_int_equal(e.subcode, ERR_OPEN_HOLDTIME);
	open_msg(&m, 4, 65001, 0, 1, NULL);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	open_msg(&m, 4, 65001, 3, 1, NULL);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	open_msg(&m, 4, 65001, 65535, 1, NULL);
	assert_int_equal(decode_msg(&m, o, &e), 0);

	/* BGP identifier 0.0.0.0. */
	open_msg(&m, 4, 65001, 180, 0, NULL);
	assert_int_equal(decode_msg(&m, o, &e), -1);
	assert_int_equal(e.code, ERR_OPEN);
	assert_int_equal(e.subcode, ERR_OPEN_BGPID);
	open_msg(&m, 4, 65001, 180, 0xffffffff, NULL);
	assert_int_equal(decode_msg(&m, o, &e), 0);

	/* Shorter than the fixed part. */
	assert_int_equal(decode_body(m.b + 19, 9, o, &e), -1);
	assert_int_equal(e.code, ERR_HEADER);
	assert_int_equal(e.subcode, ERR_HDR_LEN);

	/* Role mismatch: two Role capabilities that disagree (RFC 9234). */
	tb_reset(&caps);
	tb_put(&caps, "\x09\x01\x03\x09\x01\x04", 6);
	open_msg(&m, 4, 65001, 180, 1, &caps);
	assert_int_equal(decode_msg(&m, o, &e), -1);
	assert_int_equal(e.code, ERR_OPEN);
	assert_int_equal(e.subcode, ERR_OPEN_ROLE);
	/* Two that agree are one. */
	tb_reset(&caps);
	tb_put(&caps, "\x09\x01\x04\x09\x01\x04", 6);
	open_msg(&m, 4, 65001, 180, 1, &caps);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	assert_int_equal(o->role, ROLE_PEER);
	free(o);
}

/* Capabilities whose value does not fit their definition. */
static void
test_open_bad_caps(void **state)
{
	static const struct {
		const char	*bytes;
		size_t		 len;
	} bad[] = {
		{ "\x01\x03\x00\x01\x00", 5 },		/* MP: 3 octets */
		{ "\x01\x05\x00\x01\x00\x01\x00", 7 },	/* MP: 5 octets */
		{ "\x02\x01\x00", 3 },			/* RR with a value */
		{ "\x46\x01\x00", 3 },
		{ "\x06\x01\x00", 3 },
		{ "\x09\x00", 2 },			/* role: empty */
		{ "\x09\x02\x00\x00", 4 },
		{ "\x41\x02\xfd\xe9", 4 },		/* AS4: 2 octets */
		{ "\x40\x01\x00", 3 },			/* GR: 1 octet */
		{ "\x40\x05\x00\x78\x00\x01\x01", 7 },	/* GR: AF cut */
		{ "\x45\x00", 2 },			/* ADD-PATH empty */
		{ "\x45\x03\x00\x01\x01", 5 },
		{ "\x49\x03\x05\x61\x62", 5 },		/* FQDN: host cut */
		{ "\x49\x02\x00\x01", 4 },		/* FQDN: domain cut */
		{ "\x41\x09\x00", 3 },			/* overruns its param */
		{ "\x41", 1 },				/* no length */
	};
	struct tbuf	 caps, m;
	struct bgp_open	*o = malloc(sizeof(*o));
	struct bgp_err	 e;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tb_reset(&caps);
		tb_put(&caps, bad[i].bytes, bad[i].len);
		open_msg(&m, 4, 65001, 180, 1, &caps);
		if (decode_msg(&m, o, &e) != -1)
			fail_msg("capability %zu (%s) accepted", i,
			    hexs((const uint8_t *)bad[i].bytes, bad[i].len));
		assert_int_equal(e.verdict, BGP_SESSION_RESET);
		assert_int_equal(e.code, ERR_OPEN);
	}
	/* Optional parameters length past the message, and short of it. */
	tb_reset(&caps);
	tb_put(&caps, "\x02\x00", 2);
	open_msg(&m, 4, 65001, 180, 1, &caps);
	m.b[28]++;
	assert_int_equal(decode_body(m.b + 19, m.n - 19, o, &e), -1);
	assert_int_equal(e.code, ERR_OPEN);
	m.b[28] -= 2;
	assert_int_equal(decode_body(m.b + 19, m.n - 19, o, &e), -1);
	/* A parameter header cut short inside the parameters. */
	m.b[28] = 1;
	assert_int_equal(decode_body(m.b + 19, 11, o, &e), -1);
	free(o);
}

/*
 * RFC 7911 4: a Send/Receive value other than 1..3 makes the ADD-PATH
 * capability "not understood": ignored, yet kept and re-encoded as is.
 */
static void
test_open_addpath_bad_value(void **state)
{
	struct tbuf	 caps, m;
	struct bgp_open	*o = malloc(sizeof(*o));
	struct bgp_err	 e;

	tb_reset(&caps);
	tb_put(&caps, "\x45\x08\x00\x01\x01\x01\x00\x02\x01\x04", 10);
	open_msg(&m, 4, 65001, 180, 1, &caps);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	assert_int_equal(o->n_addpath, 0);
	assert_int_equal(o->n_caps, 1);
	encode_same(o, &m);
	caps.b[5] = 0;	/* value 0 */
	caps.b[9] = 1;
	open_msg(&m, 4, 65001, 180, 1, &caps);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	assert_int_equal(o->n_addpath, 0);
	free(o);
}

/* More than BGP_MAX_CAPS capabilities: fields decoded, list capped. */
static void
test_open_many_caps(void **state)
{
	struct tbuf	 caps, m;
	struct bgp_open	*o = malloc(sizeof(*o));
	struct bgp_err	 e;
	int		 i;

	tb_reset(&caps);
	for (i = 0; i < 80; i++)
		tb_put(&caps, "\x02\x00", 2);
	tb_put(&caps, "\x41\x04\x00\x01\x00\x00", 6);
	open_msg(&m, 4, AS_TRANS, 180, 1, &caps);
	assert_int_equal(decode_msg(&m, o, &e), 0);
	assert_int_equal(o->n_caps, BGP_MAX_CAPS);
	assert_true(o->has_as4);
	assert_int_equal(o->as4, 65536);
	free(o);
}

/* RFC 8654 4: an OPEN never exceeds 4096 octets, so encoding refuses. */
static void
test_open_encode_too_big(void **state)
{
	struct bgp_open	*o = calloc(1, sizeof(*o));
	static uint8_t	 blob[255];
	struct wr	 w;
	int		 i;

	o->version = 4;
	o->my_as = 65001;
	o->bgp_id = 1;
	o->n_caps = 20;
	for (i = 0; i < 20; i++) {
		o->caps[i].code = (uint8_t)(200 + i);
		o->caps[i].len = 255;
		o->caps[i].data = blob;
	}
	wr_init(&w, 64, BGP_EXT_MAX_LEN);
	assert_int_equal(bgp_open_encode(&w, o), -1);
	assert_false(wr_ok(&w));
	wr_free(&w);
	/* 14 of them fit. */
	o->n_caps = 14;
	wr_init(&w, 64, BGP_EXT_MAX_LEN);
	assert_int_equal(bgp_open_encode(&w, o), 0);
	assert_true(wr_len(&w) <= BGP_MAX_LEN);
	wr_free(&w);
	free(o);
}

static void
test_negotiate(void **state)
{
	struct bgp_open	*l = calloc(1, sizeof(*l)), *r = calloc(1, sizeof(*r));
	struct bgp_neg	 n;

	/* Nothing announced: 2-octet, no ADD-PATH, 4096. */
	bgp_negotiate(l, r, &n);
	assert_false(n.as4);
	assert_false(n.ext_msg);
	assert_int_equal(n.addpath, 0);
	/* 4-octet AS and extended messages need both sides. */
	l->has_as4 = true;
	l->ext_msg = true;
	bgp_negotiate(l, r, &n);
	assert_false(n.as4);
	assert_false(n.ext_msg);
	r->has_as4 = true;
	r->ext_msg = true;
	bgp_negotiate(l, r, &n);
	assert_true(n.as4);
	assert_true(n.ext_msg);

	/*
	 * ADD-PATH is per direction (RFC 7911 4): path ids come in on a
	 * family where we said "receive" and the peer said "send".
	 */
	l->n_addpath = 3;
	l->addpath[0] = (struct bgp_af){ AFI_IPV4, SAFI_UNICAST, ADDPATH_RECV };
	l->addpath[1] = (struct bgp_af){ AFI_IPV6, SAFI_UNICAST, ADDPATH_SEND };
	l->addpath[2] = (struct bgp_af){ AFI_IPV4, SAFI_MULTICAST,
	    ADDPATH_RECV | ADDPATH_SEND };
	r->n_addpath = 3;
	r->addpath[0] = (struct bgp_af){ AFI_IPV4, SAFI_UNICAST, ADDPATH_SEND };
	r->addpath[1] = (struct bgp_af){ AFI_IPV6, SAFI_UNICAST, ADDPATH_RECV };
	r->addpath[2] = (struct bgp_af){ AFI_IPV4, SAFI_MULTICAST,
	    ADDPATH_RECV };
	bgp_negotiate(l, r, &n);
	assert_true(neg_addpath(&n, AS_IPV4_UNICAST));
	assert_false(neg_addpath(&n, AS_IPV6_UNICAST));	/* other way */
	assert_false(neg_addpath(&n, AS_IPV4_MULTICAST));	/* no send */
	assert_false(neg_addpath(&n, -1));
	/* The other direction is the mirror image. */
	bgp_negotiate(r, l, &n);
	assert_false(neg_addpath(&n, AS_IPV4_UNICAST));
	assert_true(neg_addpath(&n, AS_IPV6_UNICAST));
	assert_true(neg_addpath(&n, AS_IPV4_MULTICAST));
	/* Both sides "both": each direction has path ids. */
	r->addpath[0].flags = ADDPATH_SEND | ADDPATH_RECV;
	l->addpath[0].flags = ADDPATH_SEND | ADDPATH_RECV;
	bgp_negotiate(l, r, &n);
	assert_true(neg_addpath(&n, AS_IPV4_UNICAST));
	bgp_negotiate(r, l, &n);
	assert_true(neg_addpath(&n, AS_IPV4_UNICAST));
	/* A family only one side lists has none. */
	r->n_addpath = 1;
	bgp_negotiate(r, l, &n);
	assert_int_equal(n.addpath, 1u << AS_IPV4_UNICAST);
	/* Families bgplens does not index are ignored. */
	l->addpath[0] = (struct bgp_af){ AFI_IPV4, 133, ADDPATH_RECV };
	r->addpath[0] = (struct bgp_af){ AFI_IPV4, 133, ADDPATH_SEND };
	l->n_addpath = r->n_addpath = 1;
	bgp_negotiate(l, r, &n);
	assert_int_equal(n.addpath, 0);
	free(l);
	free(r);
}

static void
test_role_pairs(void **state)
{
	struct bgp_open	*r = calloc(1, sizeof(*r));

	assert_false(bgp_role_ok(ROLE_PEER, r));	/* no Role sent */
	r->has_role = true;
	r->role = ROLE_CUSTOMER;
	assert_true(bgp_role_ok(ROLE_PROVIDER, r));
	assert_false(bgp_role_ok(ROLE_CUSTOMER, r));
	assert_false(bgp_role_ok(ROLE_PEER, r));
	r->role = ROLE_PROVIDER;
	assert_true(bgp_role_ok(ROLE_CUSTOMER, r));
	r->role = ROLE_RS_CLIENT;
	assert_true(bgp_role_ok(ROLE_RS, r));
	assert_false(bgp_role_ok(ROLE_RS_CLIENT, r));
	r->role = ROLE_RS;
	assert_true(bgp_role_ok(ROLE_RS_CLIENT, r));
	r->role = ROLE_PEER;
	assert_true(bgp_role_ok(ROLE_PEER, r));
	r->role = 9;
	assert_false(bgp_role_ok(ROLE_PEER, r));
	assert_false(bgp_role_ok(7, r));
	free(r);
}

static void
test_capa_names(void **state)
{
	assert_string_equal(bgp_capa_name(CAPA_MP), "multiprotocol");
	assert_string_equal(bgp_capa_name(CAPA_AS4), "4-octet-as");
	assert_string_equal(bgp_capa_name(CAPA_ADD_PATH), "add-path");
	assert_string_equal(bgp_capa_name(CAPA_ROLE), "bgp-role");
	assert_string_equal(bgp_capa_name(CAPA_FQDN), "fqdn");
	assert_string_equal(bgp_capa_name(CAPA_GRACEFUL_RESTART),
	    "graceful-restart");
	assert_string_equal(bgp_capa_name(CAPA_EXT_MESSAGE),
	    "extended-message");
	assert_string_equal(bgp_capa_name(0xf0), "unknown");
	assert_string_equal(afisafi_name(AFI_IPV6, SAFI_UNICAST),
	    "ipv6-unicast");
	assert_string_equal(afisafi_name(AFI_IPV4, SAFI_MPLS_VPN), "ipv4-vpn");
	assert_string_equal(afisafi_name(25, 70), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_all_caps),
		cmocka_unit_test(test_open_each_cap),
		cmocka_unit_test(test_open_ext_params),
		cmocka_unit_test(test_open_several_params),
		cmocka_unit_test(test_open_bad_fields),
		cmocka_unit_test(test_open_bad_caps),
		cmocka_unit_test(test_open_addpath_bad_value),
		cmocka_unit_test(test_open_many_caps),
		cmocka_unit_test(test_open_encode_too_big),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_role_pairs),
		cmocka_unit_test(test_capa_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
