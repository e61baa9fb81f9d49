/*
 * test_bgp_notify.c -- NOTIFICATION (names, RFC 8203/9003 shutdown
 * communication with hostile bytes), KEEPALIVE, ROUTE-REFRESH, and the
 * message header framing errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bgp.h"
#include "bgp_vectors.h"

static void
test_err_names(void **state)
{
	assert_string_equal(bgp_err_name(ERR_HEADER), "Message Header Error");
	assert_string_equal(bgp_err_name(ERR_OPEN), "OPEN Message Error");
	assert_string_equal(bgp_err_name(ERR_UPDATE), "UPDATE Message Error");
	assert_string_equal(bgp_err_name(ERR_HOLD), "Hold Timer Expired");
	assert_string_equal(bgp_err_name(ERR_FSM),
	    "Finite State Machine Error");
	assert_string_equal(bgp_err_name(ERR_CEASE), "Cease");
	assert_string_equal(bgp_err_name(ERR_RREFRESH),
	    "ROUTE-REFRESH Message Error");
	assert_string_equal(bgp_err_name(0), "Unspecific");
	assert_string_equal(bgp_err_name(8), "Unknown Error");
	assert_string_equal(bgp_err_name(255), "Unknown Error");

	assert_string_equal(bgp_suberr_name(ERR_HEADER, ERR_HDR_SYNC),
	    "Connection Not Synchronized");
	assert_string_equal(bgp_suberr_name(ERR_HEADER, ERR_HDR_LEN),
	    "Bad Message Length");
	assert_string_equal(bgp_suberr_name(ERR_HEADER, ERR_HDR_TYPE),
	    "Bad Message Type");
	assert_string_equal(bgp_suberr_name(ERR_HEADER, 4), "Unknown Subcode");
	assert_string_equal(bgp_suberr_name(ERR_OPEN, ERR_OPEN_VERSION),
	    "Unsupported Version Number");
	assert_string_equal(bgp_suberr_name(ERR_OPEN, ERR_OPEN_BGPID),
	    "Bad BGP Identifier");
	assert_string_equal(bgp_suberr_name(ERR_OPEN, ERR_OPEN_HOLDTIME),
	    "Unacceptable Hold Time");
	assert_string_equal(bgp_suberr_name(ERR_OPEN, ERR_OPEN_CAPA),
	    "Unsupported Capability");
	assert_string_equal(bgp_suberr_name(ERR_OPEN, ERR_OPEN_ROLE),
	    "Role Mismatch");
	assert_string_equal(bgp_suberr_name(ERR_OPEN, 12), "Unknown Subcode");
	assert_string_equal(bgp_suberr_name(ERR_UPDATE, ERR_UPD_ATTRLIST),
	    "Malformed Attribute List");
	assert_string_equal(bgp_suberr_name(ERR_UPDATE, ERR_UPD_UNKNWN_WK),
	    "Unrecognized Well-known Attribute");
	assert_string_equal(bgp_suberr_name(ERR_UPDATE, ERR_UPD_ATTRLEN),
	    "Attribute Length Error");
	assert_string_equal(bgp_suberr_name(ERR_UPDATE, ERR_UPD_NETWORK),
	    "Invalid Network Field");
	assert_string_equal(bgp_suberr_name(ERR_UPDATE, ERR_UPD_ASPATH),
	    "Malformed AS_PATH");
	assert_string_equal(bgp_suberr_name(ERR_UPDATE, 12),
	    "Unknown Subcode");
	assert_string_equal(bgp_suberr_name(ERR_FSM, 3),
	    "Unexpected Message in Established");
	assert_string_equal(bgp_suberr_name(ERR_CEASE, ERR_CEASE_ADMIN_DOWN),
	    "Administrative Shutdown");
	assert_string_equal(bgp_suberr_name(ERR_CEASE, ERR_CEASE_HARD_RESET),
	    "Hard Reset");
	assert_string_equal(bgp_suberr_name(ERR_CEASE, 10), "BFD Down");
	assert_string_equal(bgp_suberr_name(ERR_CEASE, 11), "Unknown Subcode");
	assert_string_equal(bgp_suberr_name(ERR_RREFRESH, 1),
	    "Invalid Message Length");
	/* Codes without subcodes. */
	assert_string_equal(bgp_suberr_name(ERR_HOLD, 0), "Unspecific");
	assert_string_equal(bgp_suberr_name(ERR_HOLD, 1), "Unknown Subcode");
	assert_string_equal(bgp_suberr_name(200, 0), "Unspecific");
}

/* Frame the one message in w; return its body. */
static struct rd
frame(const struct wr *w, uint8_t type, size_t max)
{
	struct rd	r, body;
	struct bgp_hdr	h;
	struct bgp_err	e;

	bgp_err_clear(&e);
	rd_init(&r, wr_data(w), wr_len(w));
	if (bgp_hdr_parse(&r, max, &h, &body, &e) != 0)
		fail_msg("framing: %s", e.reason);
	assert_int_equal(h.type, type);
	assert_int_equal(h.len, wr_len(w));
	assert_int_equal(rd_left(&r), 0);
	return (body);
}

static void
test_notify_roundtrip(void **state)
{
	struct wr		w, w2;
	struct rd		body;
	struct bgp_notify	n;
	static const uint8_t	want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x17, 0x03, 0x03, 0x05, 0x01, 0x07
	};

	wr_init(&w, 32, BGP_MAX_LEN);
	assert_int_equal(bgp_notify_encode(&w, ERR_UPDATE, ERR_UPD_ATTRLEN,
	    "\x01\x07", 2), 0);
	assert_bytes(wr_data(&w), wr_len(&w), want, sizeof(want));
	body = frame(&w, BGP_NOTIFICATION, BGP_MAX_LEN);
	assert_int_equal(bgp_notify_decode(&body, &n), 0);
	assert_int_equal(n.code, ERR_UPDATE);
	assert_int_equal(n.subcode, ERR_UPD_ATTRLEN);
	assert_int_equal(n.data_len, 2);
	assert_memory_equal(n.data, "\x01\x07", 2);
	wr_init(&w2, 32, BGP_MAX_LEN);
	assert_int_equal(bgp_notify_encode(&w2, n.code, n.subcode, n.data,
	    n.data_len), 0);
	assert_bytes(wr_data(&w2), wr_len(&w2), want, sizeof(want));
	wr_free(&w2);

	/* No data. */
	wr_reset(&w);
	assert_int_equal(bgp_notify_encode(&w, ERR_HOLD, 0, NULL, 0), 0);
	assert_int_equal(wr_len(&w), 21);
	body = frame(&w, BGP_NOTIFICATION, BGP_MAX_LEN);
	assert_int_equal(bgp_notify_decode(&body, &n), 0);
	assert_int_equal(n.data_len, 0);
	wr_free(&w);

	/* A body of one octet is not a NOTIFICATION. */
	rd_init(&body, "\x06", 1);
	assert_int_equal(bgp_notify_decode(&body, &n), -1);
}

static const char *
fmt_notify(uint8_t code, uint8_t sub, const void *data, size_t len,
    size_t buflen)
{
	static char		buf[600];
	struct bgp_notify	n;

	assert_true(buflen <= sizeof(buf) - 8);
	memset(buf, 'Z', sizeof(buf));
	n.code = code;
	n.subcode = sub;
	n.data = data;
	n.data_len = (uint16_t)len;
	bgp_notify_fmt(&n, buf, buflen);
	/* never a write past buflen */
	assert_int_equal(buf[buflen], 'Z');
	assert_true(strlen(buf) < buflen);
	return (buf);
}

/* RFC 8203 / 9003 shutdown communication, with a log-safe rendering. */
static void
test_notify_fmt(void **state)
{
	static const uint8_t	 plain[] = "\x0bmaintenance";
	static const uint8_t	 ctl[] = "\x0d\x1b[31mred\r\n\"x\x7f";
	/* café, U+0085 (C1 NEL), stray 0xff, overlong '/', a cut é */
	static const uint8_t	 utf[] = "\x0c" "caf\xc3\xa9" "\xc2\x85"
				    "\xff" "\xc0\xaf" "A" "\xc3";
	static const uint8_t	 cjk[] = "\x07\xe6\x97\xa5\xf0\x9f\x98\x80";
	static const uint8_t	 sur[] = "\x03\xed\xa0\x80";
	uint8_t			 longmsg[256];

	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
	    plain, 12, 256),
	    "Cease/Administrative Shutdown: \"maintenance\"");
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_RESET,
	    plain, 12, 256),
	    "Cease/Administrative Reset: \"maintenance\"");
	/* Control characters, DEL and quotes never reach the log. */
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
	    ctl, 14, 256),
	    "Cease/Administrative Shutdown: \"?[31mred???x?\"");
	/* Valid UTF-8 kept; C1 controls, invalid and cut sequences not. */
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
	    utf, 13, 256),
	    "Cease/Administrative Shutdown: \"caf\xc3\xa9?????A?\"");
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
	    cjk, 8, 256),
	    "Cease/Administrative Shutdown: \"\xe6\x97\xa5\xf0\x9f\x98\x80\"");
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
	    sur, 4, 256), "Cease/Administrative Shutdown: \"???\"");
	/* Empty message: just the names. */
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
	    "\x00", 1, 256), "Cease/Administrative Shutdown");
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
	    NULL, 0, 256), "Cease/Administrative Shutdown");
	/* A length byte past the data is malformed, and said so. */
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
	    "\x09" "abc", 4, 256),
	    "Cease/Administrative Shutdown (malformed shutdown communication)");
	/* Other codes do not print their data. */
	assert_string_equal(fmt_notify(ERR_UPDATE, ERR_UPD_ASPATH,
	    plain, 12, 256), "UPDATE Message Error/Malformed AS_PATH");
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_PEER_UNCONF,
	    plain, 12, 256), "Cease/Peer De-configured");
	assert_string_equal(fmt_notify(42, 7, NULL, 0, 256),
	    "Unknown Error/Unknown Subcode");

	/* Small buffers: cut, terminated, never overrun (RFC 9003: 255). */
	longmsg[0] = 255;
	memset(longmsg + 1, 'm', 255);
	assert_int_equal(strlen(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
	    longmsg, 256, 512)), 29 + 3 + 255 + 1);
	fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN, longmsg, 256, 40);
	fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN, longmsg, 256, 33);
	fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN, longmsg, 256, 10);
	fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN, cjk, 8, 37);
	assert_string_equal(fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN, cjk,
	    8, 37), "Cease/Administrative Shutdown: \"\xe6\x97\xa5\"");
	fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN, cjk, 8, 36);
	fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN, cjk, 8, 35);
	fmt_notify(ERR_CEASE, ERR_CEASE_ADMIN_DOWN, cjk, 8, 1);
}

static void
test_keepalive(void **state)
{
	struct wr		w;
	struct rd		body;
	static const uint8_t	want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x13, 0x04
	};

	wr_init(&w, 8, BGP_MAX_LEN);
	assert_int_equal(bgp_keepalive_encode(&w), 0);
	assert_bytes(wr_data(&w), wr_len(&w), want, sizeof(want));
	body = frame(&w, BGP_KEEPALIVE, BGP_MAX_LEN);
	assert_int_equal(rd_left(&body), 0);
	wr_free(&w);
	assert_string_equal(bgp_msg_type_name(BGP_KEEPALIVE), "KEEPALIVE");
	assert_string_equal(bgp_msg_type_name(BGP_ROUTE_REFRESH),
	    "ROUTE-REFRESH");
	assert_string_equal(bgp_msg_type_name(9), "unknown");
}

static void
test_route_refresh(void **state)
{
	struct wr		w, w2;
	struct rd		body;
	struct bgp_rrefresh	rr, back;
	struct tbuf		m;
	static const uint8_t	want[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0x00, 0x17, 0x05, 0x00, 0x02, 0x01, 0x01
	};
	uint8_t			sub;

	memset(&rr, 0, sizeof(rr));
	rr.afi = AFI_IPV6;
	rr.subtype = 1;		/* BoRR, RFC 7313 */
	rr.safi = SAFI_UNICAST;
	wr_init(&w, 8, BGP_MAX_LEN);
	assert_int_equal(bgp_rrefresh_encode(&w, &rr), 0);
	assert_bytes(wr_data(&w), wr_len(&w), want, sizeof(want));
	for (sub = 0; sub <= 2; sub++) {
		rr.subtype = sub;
		wr_reset(&w);
		assert_int_equal(bgp_rrefresh_encode(&w, &rr), 0);
		body = frame(&w, BGP_ROUTE_REFRESH, BGP_MAX_LEN);
		assert_int_equal(bgp_rrefresh_decode(&body, &back), 0);
		assert_int_equal(back.afi, AFI_IPV6);
		assert_int_equal(back.subtype, sub);
		assert_int_equal(back.safi, SAFI_UNICAST);
		assert_int_equal(back.orf_len, 0);
		wr_init(&w2, 8, BGP_MAX_LEN);
		assert_int_equal(bgp_rrefresh_encode(&w2, &back), 0);
		assert_bytes(wr_data(&w2), wr_len(&w2), wr_data(&w),
		    wr_len(&w));
		wr_free(&w2);
	}
	wr_free(&w);

	/* A normal request with ORF entries (RFC 5291): kept. */
	tb_msg(&m, BGP_ROUTE_REFRESH, "\x00\x01\x00\x01\x01\x80\x00\x05"
	    "\x00\x00\x00\x00\x00", 13);
	rd_init(&body, m.b + 19, m.n - 19);
	assert_int_equal(bgp_rrefresh_decode(&body, &back), 0);
	assert_int_equal(back.orf_len, 9);
	assert_memory_equal(back.orf, "\x01\x80\x00\x05", 4);
	/* RFC 7313 5: a BoRR or EoRR longer than 4 octets is an error. */
	rd_init(&body, "\x00\x01\x01\x01\x00", 5);
	assert_int_equal(bgp_rrefresh_decode(&body, &back), -1);
	rd_init(&body, "\x00\x01\x02\x01\x00", 5);
	assert_int_equal(bgp_rrefresh_decode(&body, &back), -1);
	rd_init(&body, "\x00\x01\x00", 3);
	assert_int_equal(bgp_rrefresh_decode(&body, &back), -1);
}

/* One raw header + body, parsed with max; returns the subcode or 0. */
static int
hdr(const uint8_t *p, size_t n, size_t max, struct bgp_hdr *h)
{
	struct rd	r, body;
	struct bgp_err	e;

	bgp_err_clear(&e);
	rd_init(&r, p, n);
	if (bgp_hdr_parse(&r, max, h, &body, &e) == 0) {
		assert_int_equal(e.verdict, BGP_OK);
		assert_int_equal(rd_left(&body), h->len - 19u);
		return (0);
	}
	assert_int_equal(e.verdict, BGP_SESSION_RESET);
	assert_int_equal(e.code, ERR_HEADER);
	return (e.subcode);
}

static void
test_header_framing(void **state)
{
	static struct tbuf	m;
	struct bgp_hdr		h;
	static const struct {
		uint8_t		type;
		uint16_t	len;
		size_t		max;
		int		sub;
	} cases[] = {
		{ BGP_OPEN, 29, 4096, 0 },
		{ BGP_OPEN, 28, 4096, ERR_HDR_LEN },
		{ BGP_OPEN, 4096, 65535, 0 },
		{ BGP_OPEN, 4097, 65535, ERR_HDR_LEN },	/* RFC 8654 */
		{ BGP_UPDATE, 23, 4096, 0 },
		{ BGP_UPDATE, 22, 4096, ERR_HDR_LEN },
		{ BGP_UPDATE, 4096, 4096, 0 },
		{ BGP_UPDATE, 4097, 4096, ERR_HDR_LEN },
		{ BGP_UPDATE, 4097, 65535, 0 },
		{ BGP_UPDATE, 65535, 65535, 0 },
		{ BGP_NOTIFICATION, 21, 4096, 0 },
		{ BGP_NOTIFICATION, 20, 4096, ERR_HDR_LEN },
		{ BGP_NOTIFICATION, 5000, 65535, 0 },
		{ BGP_KEEPALIVE, 19, 4096, 0 },
		{ BGP_KEEPALIVE, 20, 4096, ERR_HDR_LEN },
		{ BGP_KEEPALIVE, 23, 65535, ERR_HDR_LEN },
		{ BGP_ROUTE_REFRESH, 23, 4096, 0 },
		{ BGP_ROUTE_REFRESH, 22, 4096, ERR_HDR_LEN },
		{ BGP_ROUTE_REFRESH, 40, 4096, 0 },		/* ORFs */
		{ 0, 19, 4096, ERR_HDR_TYPE },
		{ 6, 19, 4096, ERR_HDR_TYPE },
		{ 255, 30, 4096, ERR_HDR_TYPE },
		/* length first: a bad length is that, whatever the type */
		{ 6, 18, 4096, ERR_HDR_LEN },
		{ 9, 4097, 4096, ERR_HDR_LEN },
		{ BGP_UPDATE, 0, 4096, ERR_HDR_LEN },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tb_reset(&m);
		memset(m.b, 0xff, 16);
		m.n = 16;
		tb_u16(&m, cases[i].len);
		tb_u8(&m, cases[i].type);
		memset(m.b + m.n, 0, sizeof(m.b) - m.n);
		m.n = cases[i].len < 19 ? 19 : cases[i].len;
		if (hdr(m.b, m.n, cases[i].max, &h) != cases[i].sub)
			fail_msg("case %zu: type %u length %u max %zu", i,
			    cases[i].type, cases[i].len, cases[i].max);
	}

	/* Bad marker, in any of its 16 octets. */
	for (i = 0; i < 16; i++) {
		tb_msg(&m, BGP_KEEPALIVE, NULL, 0);
		m.b[i] = 0xfe;
		assert_int_equal(hdr(m.b, m.n, 4096, &h), ERR_HDR_SYNC);
	}
	/* Truncated: the header itself, or the body it announces. */
	tb_msg(&m, BGP_UPDATE, "\x00\x00\x00\x00", 4);
	for (i = 0; i < m.n; i++)
		assert_int_equal(hdr(m.b, i, 4096, &h), ERR_HDR_LEN);
	assert_int_equal(hdr(m.b, m.n, 4096, &h), 0);

	/* Two messages back to back frame one after the other. */
	tb_msg(&m, BGP_KEEPALIVE, NULL, 0);
	memcpy(m.b + 19, m.b, 19);
	m.n = 38;
	{
		struct rd	r, body;
		struct bgp_err	e;

		bgp_err_clear(&e);
		rd_init(&r, m.b, m.n);
		assert_int_equal(bgp_hdr_parse(&r, 4096, &h, &body, &e), 0);
		assert_int_equal(rd_left(&r), 19);
		assert_int_equal(bgp_hdr_parse(&r, 4096, &h, &body, &e), 0);
		assert_int_equal(rd_left(&r), 0);
	}
}

static void
test_msg_begin_end(void **state)
{
	struct wr	w;
	size_t		off;

	wr_init(&w, 16, 70000);
	wr_u8(&w, 0xaa);		/* a message need not start at 0 */
	off = bgp_msg_begin(&w, BGP_UPDATE);
	assert_int_equal(off, 1);
	wr_zero(&w, 4);
	assert_int_equal(bgp_msg_end(&w, off), 0);
	assert_int_equal(wr_data(&w)[17], 0);
	assert_int_equal(wr_data(&w)[18], 23);
	assert_int_equal(wr_data(&w)[19], BGP_UPDATE);
	/* No message longer than 65535 octets. */
	wr_reset(&w);
	off = bgp_msg_begin(&w, BGP_UPDATE);
	wr_zero(&w, 65535 - 19 + 1);
	assert_int_equal(bgp_msg_end(&w, off), -1);
	assert_false(wr_ok(&w));
	assert_int_equal(bgp_msg_end(&w, SIZE_MAX), -1);
	wr_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_notify_roundtrip),
		cmocka_unit_test(test_notify_fmt),
		cmocka_unit_test(test_keepalive),
		cmocka_unit_test(test_route_refresh),
		cmocka_unit_test(test_header_framing),
		cmocka_unit_test(test_msg_begin_end),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
