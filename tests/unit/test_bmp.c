/*
 * test_bmp.c -- the BMP station's code without sockets: the parser
 * (bmp/bmp_parse.c), the stream reassembler (bmp/msgbuf.c) and the
 * per-router state (bmp/bmp_router.c) feeding a real RIB.
 *
 * Vectors are built here: with the encoders of bmp.h and bgp.h, and one
 * written out octet by octet so the encoders are not checked only against
 * themselves.  Every message type of RFC 7854, the per-peer flags (V, L,
 * A, O and the Loc-RIB peer type of RFC 9069), version 4 messages,
 * every truncation of every vector, garbage, and a stream cut at
 * arbitrary places.
 *
 * Environment: BMP_TEST_SEED (the random tests' seed, printed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bgp.h"
#include "bmp.h"
#include "conf.h"
#include "evloop.h"
#include "msgbuf.h"
#include "rib.h"

static unsigned seed;

/*
 * Builders.
 */

struct vec {
	uint8_t	b[8192];
	size_t	len;
};

static void
vec_take(struct vec *v, struct wr *w)
{
	assert_true(wr_ok(w));
	assert_true(wr_len(w) <= sizeof(v->b));
	memcpy(v->b, wr_data(w), wr_len(w));
	v->len = wr_len(w);
	wr_free(w);
}

static void
peer_hdr(struct bmp_peer_hdr *h, uint8_t type, uint8_t flags, const char *addr,
    uint32_t as)
{
	memset(h, 0, sizeof(*h));
	h->type = type;
	h->flags = flags;
	assert_int_equal(addr_parse(addr, &h->addr), 0);
	h->as = as;
	h->bgp_id = 0x0a000001;
	h->ts_sec = 1700000000;
	h->ts_usec = 123456;
}

/*
 * An UPDATE announcing one IPv4 prefix with ORIGIN, AS_PATH (asns, 2 or 4
 * octets each; none at all when n < 0) and NEXT_HOP, with a path
 * identifier when path_id != 0.
 */
static void
update_v4(struct wr *w, const char *pfx, const uint32_t *asns, int n,
    bool as4, uint32_t path_id)
{
	struct prefix	p;
	size_t		off, alen;
	int		i;

	assert_int_equal(prefix_parse(pfx, &p), 0);
	off = bgp_msg_begin(w, BGP_UPDATE);
	wr_u16(w, 0);
	alen = wr_reserve(w, 2);
	wr_u8(w, ATTR_F_TRANSITIVE);
	wr_u8(w, ATTR_ORIGIN);
	wr_u8(w, 1);
	wr_u8(w, ORIGIN_IGP);
	if (n >= 0) {
		wr_u8(w, ATTR_F_TRANSITIVE);
		wr_u8(w, ATTR_AS_PATH);
		wr_u8(w, (uint8_t)(2 + n * (as4 ? 4 : 2)));
		wr_u8(w, AS_SEQUENCE);
		wr_u8(w, (uint8_t)n);
	}
	for (i = 0; i < n; i++) {
		if (as4)
			wr_u32(w, asns[i]);
		else
			wr_u16(w, (uint16_t)asns[i]);
	}
	wr_u8(w, ATTR_F_TRANSITIVE);
	wr_u8(w, ATTR_NEXT_HOP);
	wr_u8(w, 4);
	wr_u32(w, 0xc0000201);
	wr_patch_u16(w, alen, (uint16_t)(wr_len(w) - alen - 2));
	if (path_id != 0)
		wr_u32(w, path_id);
	wr_u8(w, p.len);
	wr_bytes(w, p.b, (p.len + 7u) / 8);
	bgp_msg_end(w, off);
}

/* An UPDATE withdrawing one IPv4 prefix. */
static void
withdraw_v4(struct wr *w, const char *pfx, uint32_t path_id)
{
	struct prefix	p;
	size_t		off, wlen;

	assert_int_equal(prefix_parse(pfx, &p), 0);
	off = bgp_msg_begin(w, BGP_UPDATE);
	wlen = wr_reserve(w, 2);
	if (path_id != 0)
		wr_u32(w, path_id);
	wr_u8(w, p.len);
	wr_bytes(w, p.b, (p.len + 7u) / 8);
	wr_patch_u16(w, wlen, (uint16_t)(wr_len(w) - wlen - 2));
	wr_u16(w, 0);
	bgp_msg_end(w, off);
}

static void
rm_msg(struct vec *v, const struct bmp_peer_hdr *h, const char *pfx,
    const uint32_t *asns, int n, bool as4, uint32_t path_id, bool withdraw)
{
	struct wr	w;
	size_t		off;

	wr_init(&w, 256, sizeof(v->b));
	off = bmp_msg_begin(&w, BMP_ROUTE_MONITORING);
	bmp_peer_hdr_encode(&w, h);
	if (withdraw)
		withdraw_v4(&w, pfx, path_id);
	else
		update_v4(&w, pfx, asns, n, as4, path_id);
	bmp_msg_end(&w, off);
	vec_take(v, &w);
}

static void
open_fill(struct bgp_open *o, uint32_t as, uint32_t id, uint8_t addpath)
{
	memset(o, 0, sizeof(*o));
	o->version = 4;
	o->my_as = as > 0xffff ? AS_TRANS : (uint16_t)as;
	o->holdtime = 90;
	o->bgp_id = id;
	o->has_as4 = true;
	o->as4 = as;
	o->n_mp = 1;
	o->mp[0].afi = AFI_IPV4;
	o->mp[0].safi = SAFI_UNICAST;
	if (addpath) {
		o->n_addpath = 1;
		o->addpath[0].afi = AFI_IPV4;
		o->addpath[0].safi = SAFI_UNICAST;
		o->addpath[0].flags = addpath;
	}
}

/* Peer Up: sent is the router's OPEN, recv the peer's. */
static void
up_msg(struct vec *v, const struct bmp_peer_hdr *h, uint8_t sent_ap,
    uint8_t recv_ap, const char *vrf)
{
	struct bgp_open	o;
	struct wr	w;
	size_t		off;
	uint8_t		local[16] = { 0 };

	local[12] = 192;
	local[14] = 2;
	local[15] = 254;
	wr_init(&w, 256, sizeof(v->b));
	off = bmp_msg_begin(&w, BMP_PEER_UP);
	bmp_peer_hdr_encode(&w, h);
	wr_bytes(&w, local, 16);
	wr_u16(&w, 179);
	wr_u16(&w, 40000);
	open_fill(&o, 65000, 0xc00002fe, sent_ap);
	bgp_open_encode(&w, &o);
	open_fill(&o, h->as, h->bgp_id, recv_ap);
	bgp_open_encode(&w, &o);
	if (vrf != NULL)
		bmp_tlv_encode(&w, BMP_INFO_VRF, vrf, strlen(vrf));
	bmp_msg_end(&w, off);
	vec_take(v, &w);
}

static void
init_msg(struct vec *v)
{
	struct wr	w;
	size_t		off;

	wr_init(&w, 256, sizeof(v->b));
	off = bmp_msg_begin(&w, BMP_INITIATION);
	bmp_tlv_encode(&w, BMP_INFO_STRING, "hello", 5);
	bmp_tlv_encode(&w, BMP_INFO_SYSDESCR, "test router", 11);
	bmp_tlv_encode(&w, BMP_INFO_SYSNAME, "r1\x01", 3);
	bmp_msg_end(&w, off);
	vec_take(v, &w);
}

/*
 * A RIB to feed, and what it holds.
 */

struct fix {
	struct rib		*rib;
	struct bmp_router	*r;
	struct addr		 ra;
};

static int
setup(void **state)
{
	struct rib_config	 rc = { 100000, 0, 65000, 0 };
	struct fix		*f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_non_null(f->rib = rib_new(&rc));
	addr_parse("198.51.100.1", &f->ra);
	assert_non_null(f->r = bmp_router_new(f->rib, &f->ra, 40001));
	*state = f;
	return (0);
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	bmp_router_free(f->r);
	rib_free(f->rib);
	free(f);
	return (0);
}

static int
feed(struct fix *f, const struct vec *v)
{
	struct bmp_err	e;
	int		rv;

	rib_wrlock(f->rib);
	rv = bmp_router_input(f->r, v->b, v->len, 1000000, &e);
	rib_unlock(f->rib);
	return (rv);
}

struct found {
	int		n;
	struct route	rt[8];
};

static int
found_cb(void *arg, const struct prefix *p, const struct route *rt)
{
	struct found *x = arg;

	if (x->n < 8)
		x->rt[x->n] = *rt;
	x->n++;
	return (0);
}

static struct found
lookup(struct fix *f, const char *pfx)
{
	struct rib_query	q;
	struct rib_cursor	next;
	struct found		x;

	memset(&q, 0, sizeof(q));
	memset(&x, 0, sizeof(x));
	q.match = RIB_MATCH_EXACT;
	q.src = -1;
	assert_int_equal(prefix_parse(pfx, &q.pfx), 0);
	rib_rdlock(f->rib);
	rib_query(f->rib, &q, found_cb, &x, &next);
	rib_unlock(f->rib);
	return (x);
}

static const struct rib_source *
src_of(struct fix *f, const struct route *rt)
{
	return (rib_source_get(f->rib, rt->src));
}

static void
path_of(struct fix *f, const struct route *rt, char *buf, size_t len)
{
	struct rib_attrs a;

	assert_int_equal(rib_attr_get(f->rib, rt->attr, &a), 0);
	aspath_fmt(a.aspath, a.aspath_len, buf, len);
}

static struct bmp_peer_info
peer_info(struct fix *f, size_t i)
{
	struct bmp_router_info	ri;
	struct bmp_peer_info	p;

	assert_int_equal(bmp_router_info(f->r, &ri), 0);
	assert_true(i < ri.n_peers);
	p = ri.peers[i];
	free(ri.peers);
	return (p);
}

/*
 * The common header and the reassembler.
 */

static void
test_common_header(void **state)
{
	struct bmp_err	e;
	uint8_t		h[6] = { 3, 0, 0, 0, 6, BMP_INITIATION };
	struct bmp_msg	*m = malloc(sizeof(*m));

	assert_non_null(m);
	assert_int_equal(bmp_hdr_len(h, BMP_MAX_LEN, &e), 6);
	assert_int_equal(bmp_parse(h, 6, m, &e), 0);
	assert_int_equal(m->type, BMP_INITIATION);
	assert_int_equal(m->info.n, 0);
	h[0] = 4;
	assert_int_equal(bmp_hdr_len(h, BMP_MAX_LEN, &e), 6);
	/* Versions 1 and 2 cannot be framed. */
	h[0] = 1;
	assert_int_equal(bmp_hdr_len(h, BMP_MAX_LEN, &e), -1);
	assert_non_null(strstr(e.reason, "version 1"));
	h[0] = 2;
	assert_int_equal(bmp_hdr_len(h, BMP_MAX_LEN, &e), -1);
	h[0] = 3;
	h[4] = 5;
	assert_int_equal(bmp_hdr_len(h, BMP_MAX_LEN, &e), -1);
	assert_non_null(strstr(e.reason, "out of range"));
	/* 1 MiB + 1 is refused before anything is allocated for it. */
	h[1] = 0x00;
	h[2] = 0x10;
	h[3] = 0x00;
	h[4] = 0x01;
	assert_int_equal(bmp_hdr_len(h, BMP_MAX_LEN, &e), -1);
	h[4] = 0x00;
	assert_int_equal(bmp_hdr_len(h, BMP_MAX_LEN, &e), BMP_MAX_LEN);
	/* The length is more than what was given: refused. */
	h[1] = h[2] = h[3] = 0;
	h[4] = 7;
	assert_int_equal(bmp_parse(h, 6, m, &e), -1);
	free(m);
}

static long
test_len_fn(const uint8_t *hdr, size_t max, char *err, size_t errlen)
{
	struct bmp_err	e;
	long		l = bmp_hdr_len(hdr, max, &e);

	if (l == -1)
		snprintf(err, errlen, "%s", e.reason);
	return (l);
}

/* A stream of n varied messages, their offsets in off[]. */
static size_t
build_stream(uint8_t *s, size_t cap, size_t *off, int n)
{
	struct bmp_peer_hdr	h;
	struct vec		v;
	uint32_t		asns[3] = { 65001, 65002, 65003 };
	size_t			len = 0;
	int			i;
	char			pfx[32];

	for (i = 0; i < n; i++) {
		peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
		switch (i % 4) {
		case 0:
			init_msg(&v);
			break;
		case 1:
			up_msg(&v, &h, 0, 0, NULL);
			break;
		default:
			snprintf(pfx, sizeof(pfx), "10.%d.%d.0/24", i >> 8,
			    i & 0xff);
			rm_msg(&v, &h, pfx, asns, 1 + i % 3, true, 0, false);
		}
		assert_true(len + v.len <= cap);
		memcpy(s + len, v.b, v.len);
		off[i] = len;
		len += v.len;
	}
	return (len);
}

static void
test_stream_splits(void **state)
{
	static uint8_t	 s[400 * 1024];
	size_t		 off[2000], len, pos, chunk, mlen, room;
	struct msgbuf	 mb;
	const uint8_t	*msg;
	uint8_t		*p;
	int		 n = 2000, got, round, rv, big;

	len = build_stream(s, sizeof(s), off, n);
	srand(seed);
	for (round = 0; round < 40; round++) {
		assert_int_equal(msgbuf_init(&mb, BMP_HDR_LEN, BMP_MAX_LEN,
		    round % 2 ? 64 : 4096, test_len_fn), 0);
		pos = 0;
		got = 0;
		while (pos < len) {
			/* 1 octet, a few, or a big piece. */
			big = rand() % 3 == 0;
			chunk = round < 2 ? (size_t)1 + (size_t)round :
			    (size_t)(rand() % (big ? 9000 : 40)) + 1;
			if (chunk > len - pos)
				chunk = len - pos;
			if (round % 3 == 0) {
				p = msgbuf_space(&mb, chunk, &room);
				assert_non_null(p);
				if (chunk > room)
					chunk = room;
				memcpy(p, s + pos, chunk);
				msgbuf_commit(&mb, chunk);
			} else
				assert_int_equal(msgbuf_feed(&mb, s + pos,
				    chunk), 0);
			pos += chunk;
			while ((rv = msgbuf_next(&mb, &msg, &mlen)) == 1) {
				assert_true(got < n);
				assert_int_equal(msgbuf_offset(&mb) - mlen,
				    off[got]);
				assert_memory_equal(msg, s + off[got], mlen);
				got++;
			}
			assert_int_equal(rv, 0);
		}
		assert_int_equal(got, n);
		assert_int_equal(msgbuf_pending(&mb), 0);
		msgbuf_free(&mb);
	}
}

static void
test_stream_hostile_length(void **state)
{
	struct msgbuf	 mb;
	const uint8_t	*msg;
	size_t		 mlen, room;
	uint8_t		 h[6] = { 3, 0xff, 0xff, 0xff, 0xff, 0 };
	uint8_t		 part[3] = { 3, 0, 0 };

	assert_int_equal(msgbuf_init(&mb, BMP_HDR_LEN, BMP_MAX_LEN, 4096,
	    test_len_fn), 0);
	/* A partial header is no error yet. */
	assert_int_equal(msgbuf_feed(&mb, part, sizeof(part)), 0);
	assert_int_equal(msgbuf_next(&mb, &msg, &mlen), 0);
	msgbuf_free(&mb);
	assert_int_equal(msgbuf_init(&mb, BMP_HDR_LEN, BMP_MAX_LEN, 4096,
	    test_len_fn), 0);
	assert_int_equal(msgbuf_feed(&mb, h, sizeof(h)), 0);
	assert_int_equal(msgbuf_next(&mb, &msg, &mlen), -1);
	assert_non_null(strstr(msgbuf_error(&mb), "out of range"));
	/* Sticky, and nothing was grown for the 4 GiB it announced. */
	assert_int_equal(msgbuf_next(&mb, &msg, &mlen), -1);
	assert_null(msgbuf_space(&mb, 1024, &room));
	assert_true(mb.cap <= 4096);
	msgbuf_free(&mb);
	/* Version 1: refused at once. */
	h[0] = 1;
	assert_int_equal(msgbuf_init(&mb, BMP_HDR_LEN, BMP_MAX_LEN, 4096,
	    test_len_fn), 0);
	assert_int_equal(msgbuf_feed(&mb, h, sizeof(h)), 0);
	assert_int_equal(msgbuf_next(&mb, &msg, &mlen), -1);
	msgbuf_free(&mb);
}

/* A message of nearly the maximum grows the buffer, then it shrinks. */
static void
test_stream_big_message(void **state)
{
	struct msgbuf	 mb;
	const uint8_t	*msg;
	size_t		 mlen, room, pos = 0, n;
	uint8_t		*big, *p;
	size_t		 blen = BMP_MAX_LEN - 10;
	uint8_t		 small[6] = { 3, 0, 0, 0, 6, BMP_INITIATION };

	assert_non_null(big = calloc(1, blen));
	big[0] = 3;
	big[1] = (uint8_t)(blen >> 24);
	big[2] = (uint8_t)(blen >> 16);
	big[3] = (uint8_t)(blen >> 8);
	big[4] = (uint8_t)blen;
	big[5] = 200;		/* unknown type: framed, skipped later */
	assert_int_equal(msgbuf_init(&mb, BMP_HDR_LEN, BMP_MAX_LEN, 4096,
	    test_len_fn), 0);
	while (pos < blen) {
		p = msgbuf_space(&mb, 65536, &room);
		assert_non_null(p);
		n = room < blen - pos ? room : blen - pos;
		memcpy(p, big + pos, n);
		msgbuf_commit(&mb, n);
		pos += n;
		if (pos < blen)
			assert_int_equal(msgbuf_next(&mb, &msg, &mlen), 0);
	}
	assert_int_equal(msgbuf_next(&mb, &msg, &mlen), 1);
	assert_int_equal(mlen, blen);
	assert_true(mb.cap <= 2 * BMP_MAX_LEN);
	assert_int_equal(msgbuf_feed(&mb, small, 6), 0);
	assert_int_equal(msgbuf_next(&mb, &msg, &mlen), 1);
	assert_non_null(msgbuf_space(&mb, 1024, &room));
	assert_true(mb.cap <= 4096);
	msgbuf_free(&mb);
	free(big);
}

/*
 * Message types.
 */

static void
test_initiation(void **state)
{
	struct fix		*f = *state;
	struct bmp_router_info	 ri;
	struct vec		 v;

	init_msg(&v);
	assert_int_equal(feed(f, &v), 0);
	assert_int_equal(bmp_router_info(f->r, &ri), 0);
	assert_true(ri.initiated);
	assert_string_equal(ri.sysdescr, "test router");
	/* Control octets masked. */
	assert_string_equal(ri.sysname, "r1.");
	assert_string_equal(ri.info, "hello");
	assert_int_equal(ri.c.msgs[BMP_INITIATION], 1);
	free(ri.peers);
	/* A TLV running past the message. */
	v.b[6 + 3] = 200;
	assert_int_equal(feed(f, &v), -1);
}

/* Written out octet by octet: Initiation with sysName "R". */
static void
test_literal_vector(void **state)
{
	static const uint8_t init[] = {
		0x03, 0x00, 0x00, 0x00, 0x0b, 0x04,	/* v3, 11, type 4 */
		0x00, 0x02, 0x00, 0x01, 'R',		/* sysName "R" */
	};
	/* Peer Down, global IPv4 peer 192.0.2.9 AS 64500, reason 4. */
	static const uint8_t down[] = {
		0x03, 0x00, 0x00, 0x00, 0x31, 0x02,
		0x00, 0x00,  0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 9,
		0x00, 0x00, 0xfb, 0xf4,  10, 0, 0, 9,
		0x65, 0x53, 0xf1, 0x00,  0x00, 0x00, 0x00, 0x01,
		0x04,
	};
	struct bmp_msg	*m = malloc(sizeof(*m));
	struct bmp_err	 e;
	char		 ab[ADDR_STRLEN];

	assert_non_null(m);
	assert_int_equal(bmp_parse(init, sizeof(init), m, &e), 0);
	assert_int_equal(m->info.n, 1);
	assert_int_equal(m->info.t[0].type, BMP_INFO_SYSNAME);
	assert_int_equal(m->info.t[0].len, 1);
	assert_int_equal(bmp_parse(down, sizeof(down), m, &e), 0);
	assert_true(m->has_peer);
	assert_string_equal(addr_fmt(&m->peer.addr, ab, sizeof(ab)),
	    "192.0.2.9");
	assert_int_equal(m->peer.as, 64500);
	assert_int_equal(m->peer.bgp_id, 0x0a000009);
	assert_int_equal(m->peer.ts_sec, 0x6553f100);
	assert_int_equal(m->peer.ts_usec, 1);
	assert_int_equal(m->down.reason, BMP_DOWN_REMOTE_NODATA);
	assert_false(m->down.has_notify);
	free(m);
}

static void
test_termination(void **state)
{
	struct fix		*f = *state;
	struct bmp_router_info	 ri;
	struct wr		 w;
	struct vec		 v;
	size_t			 off;
	uint8_t			 reason[2] = { 0, BMP_TERM_REDUNDANT };

	wr_init(&w, 64, sizeof(v.b));
	off = bmp_msg_begin(&w, BMP_TERMINATION);
	bmp_tlv_encode(&w, BMP_TERM_STRING, "bye", 3);
	bmp_tlv_encode(&w, BMP_TERM_REASON, reason, 2);
	bmp_msg_end(&w, off);
	vec_take(&v, &w);
	assert_int_equal(feed(f, &v), 1);
	assert_int_equal(bmp_router_info(f->r, &ri), 0);
	assert_true(ri.terminated);
	assert_int_equal(ri.term_reason, BMP_TERM_REDUNDANT);
	assert_string_equal(ri.term_text, "bye");
	assert_string_equal(bmp_term_reason_name(ri.term_reason),
	    "redundant connection");
	free(ri.peers);
	/* A reason TLV of three octets is malformed. */
	wr_init(&w, 64, sizeof(v.b));
	off = bmp_msg_begin(&w, BMP_TERMINATION);
	bmp_tlv_encode(&w, BMP_TERM_REASON, "abc", 3);
	bmp_msg_end(&w, off);
	vec_take(&v, &w);
	assert_int_equal(feed(f, &v), -1);
}

static void
test_peer_header_flags(void **state)
{
	struct bmp_peer_hdr	 h, g;
	struct bmp_err		 e;
	struct wr		 w;
	struct rd		 r;
	char			 ab[ADDR_STRLEN];
	uint8_t			 buf[64];

	peer_hdr(&h, BMP_PEER_RD, BMP_PF_V | BMP_PF_L, "2001:db8::7", 65007);
	h.distinguisher = 0x0000fde800000064ull;
	wr_init_fixed(&w, buf, sizeof(buf));
	bmp_peer_hdr_encode(&w, &h);
	assert_int_equal(wr_len(&w), BMP_PEER_HDR_LEN);
	rd_init(&r, buf, wr_len(&w));
	assert_int_equal(bmp_peer_hdr_parse(&r, &g, &e), 0);
	assert_int_equal(g.type, BMP_PEER_RD);
	assert_int_equal(g.distinguisher, 0x0000fde800000064ull);
	assert_string_equal(addr_fmt(&g.addr, ab, sizeof(ab)), "2001:db8::7");
	assert_int_equal(g.as, 65007);
	assert_int_equal(g.ts_usec, 123456);
	assert_int_equal(bmp_peer_table(&g), RIB_TBL_ADJ_IN_POST);
	/* Without V the address is the last four octets. */
	memset(buf + 10, 0xee, 12);
	buf[1] = 0;
	rd_init(&r, buf, BMP_PEER_HDR_LEN);
	assert_int_equal(bmp_peer_hdr_parse(&r, &g, &e), 0);
	assert_int_equal(g.addr.afi, AFI_IPV4);
	/* The tables of the flags (RFC 7854, 8671) and of Loc-RIB (9069). */
	g.type = BMP_PEER_GLOBAL;
	g.flags = 0;
	assert_int_equal(bmp_peer_table(&g), RIB_TBL_ADJ_IN_PRE);
	g.flags = BMP_PF_L | BMP_PF_A;
	assert_int_equal(bmp_peer_table(&g), RIB_TBL_ADJ_IN_POST);
	g.flags = BMP_PF_O;
	assert_int_equal(bmp_peer_table(&g), RIB_TBL_ADJ_OUT_PRE);
	g.flags = BMP_PF_O | BMP_PF_L;
	assert_int_equal(bmp_peer_table(&g), RIB_TBL_ADJ_OUT_POST);
	g.type = BMP_PEER_LOC_RIB;
	g.flags = BMP_PF_F;
	assert_int_equal(bmp_peer_table(&g), RIB_TBL_LOC_RIB);
	/* One octet short. */
	rd_init(&r, buf, BMP_PEER_HDR_LEN - 1);
	assert_int_equal(bmp_peer_hdr_parse(&r, &g, &e), -1);
	assert_string_equal(bmp_peer_type_name(BMP_PEER_LOCAL),
	    "local-instance");
}

/* Route Monitoring, pre- and post-policy, into their own sources. */
static void
test_route_monitoring(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct found		 x;
	struct vec		 v;
	uint32_t		 asns[2] = { 65001, 4200000001u };
	char			 ab[ADDR_STRLEN], path[64];
	int			 i;

	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	up_msg(&v, &h, 0, 0, NULL);
	assert_int_equal(feed(f, &v), 0);
	rm_msg(&v, &h, "10.1.0.0/16", asns, 2, true, 0, false);
	assert_int_equal(feed(f, &v), 0);
	h.flags = BMP_PF_L;
	rm_msg(&v, &h, "10.1.0.0/16", asns, 1, true, 0, false);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.1.0.0/16");
	assert_int_equal(x.n, 2);
	for (i = 0; i < 2; i++) {
		const struct rib_source *s = src_of(f, &x.rt[i]);

		assert_string_equal(addr_fmt(&s->router, ab, sizeof(ab)),
		    "198.51.100.1");
		assert_string_equal(addr_fmt(&s->peer, ab, sizeof(ab)),
		    "192.0.2.1");
		assert_int_equal(s->peer_as, 65001);
		path_of(f, &x.rt[i], path, sizeof(path));
		if (s->table == RIB_TBL_ADJ_IN_PRE)
			assert_string_equal(path, "65001 4200000001");
		else {
			assert_int_equal(s->table, RIB_TBL_ADJ_IN_POST);
			assert_string_equal(path, "65001");
		}
	}
	/* A withdrawal in pre-policy leaves post-policy alone. */
	h.flags = 0;
	rm_msg(&v, &h, "10.1.0.0/16", NULL, 0, true, 0, true);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.1.0.0/16");
	assert_int_equal(x.n, 1);
	assert_int_equal(src_of(f, &x.rt[0])->table, RIB_TBL_ADJ_IN_POST);
	assert_int_equal(peer_info(f, 0).c.announced, 2);
	assert_int_equal(peer_info(f, 0).c.withdrawn, 1);
	/* An UPDATE whose lengths overrun: counted, not applied, no close. */
	rm_msg(&v, &h, "10.2.0.0/16", asns, 1, true, 0, false);
	v.b[6 + BMP_PEER_HDR_LEN + BGP_HDR_LEN + 3] = 0xff;
	assert_int_equal(feed(f, &v), 0);
	assert_int_equal(peer_info(f, 0).c.update_errors, 1);
	assert_int_equal(lookup(f, "10.2.0.0/16").n, 0);
	/* Not an UPDATE, or bytes after it: malformed. */
	rm_msg(&v, &h, "10.2.0.0/16", asns, 1, true, 0, false);
	v.b[6 + BMP_PEER_HDR_LEN + 18] = BGP_KEEPALIVE;
	assert_int_equal(feed(f, &v), -1);
	rm_msg(&v, &h, "10.2.0.0/16", asns, 1, true, 0, false);
	v.b[4]++;
	v.b[v.len++] = 0;
	assert_int_equal(feed(f, &v), -1);
}

/* The A flag: a 2-octet AS_PATH, whatever the OPENs said. */
static void
test_as2_flag(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct found		 x;
	struct vec		 v;
	uint32_t		 asns[3] = { 65001, 65002, 3 };
	char			 path[64];

	peer_hdr(&h, BMP_PEER_GLOBAL, BMP_PF_A, "192.0.2.1", 65001);
	up_msg(&v, &h, 0, 0, NULL);
	assert_int_equal(feed(f, &v), 0);
	rm_msg(&v, &h, "10.3.0.0/16", asns, 3, false, 0, false);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.3.0.0/16");
	assert_int_equal(x.n, 1);
	path_of(f, &x.rt[0], path, sizeof(path));
	assert_string_equal(path, "65001 65002 3");
	/* The same bytes read as 4-octet would not be this path. */
	h.flags = 0;
	rm_msg(&v, &h, "10.4.0.0/16", asns, 3, false, 0, false);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.4.0.0/16");
	if (x.n == 1) {
		path_of(f, &x.rt[0], path, sizeof(path));
		assert_string_not_equal(path, "65001 65002 3");
	}
}

/*
 * ADD-PATH follows the OPENs, and their direction: Adj-RIB-In has path
 * ids when the router (sent OPEN) receives and the peer (received OPEN)
 * sends; Adj-RIB-Out the other way round.
 */
static void
test_addpath_direction(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct found		 x;
	struct vec		 v;
	uint32_t		 asns[1] = { 65001 };

	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	up_msg(&v, &h, ADDPATH_RECV, ADDPATH_SEND, NULL);
	assert_int_equal(feed(f, &v), 0);
	assert_non_null(strstr(peer_info(f, 0).caps, "add-path-rx"));
	rm_msg(&v, &h, "10.5.0.0/16", asns, 1, true, 7, false);
	assert_int_equal(feed(f, &v), 0);
	rm_msg(&v, &h, "10.5.0.0/16", asns, 1, true, 8, false);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.5.0.0/16");
	assert_int_equal(x.n, 2);
	assert_int_equal(x.rt[0].path_id, 7);
	assert_int_equal(x.rt[1].path_id, 8);
	assert_true(src_of(f, &x.rt[0])->addpath);
	/* Adj-RIB-Out of this peer: no path ids (router does not send). */
	h.flags = BMP_PF_O;
	rm_msg(&v, &h, "10.6.0.0/16", asns, 1, true, 0, false);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.6.0.0/16");
	assert_int_equal(x.n, 1);
	assert_int_equal(src_of(f, &x.rt[0])->table, RIB_TBL_ADJ_OUT_PRE);
	assert_int_equal(x.rt[0].path_id, 0);

	/* Reversed: the router sends path ids, the peer does not. */
	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.2", 65002);
	up_msg(&v, &h, ADDPATH_SEND, ADDPATH_RECV, NULL);
	assert_int_equal(feed(f, &v), 0);
	rm_msg(&v, &h, "10.7.0.0/16", asns, 1, true, 0, false);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.7.0.0/16");
	assert_int_equal(x.n, 1);
	assert_false(src_of(f, &x.rt[0])->addpath);
	h.flags = BMP_PF_O | BMP_PF_L;
	rm_msg(&v, &h, "10.8.0.0/16", asns, 1, true, 9, false);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.8.0.0/16");
	assert_int_equal(x.n, 1);
	assert_int_equal(x.rt[0].path_id, 9);
	assert_int_equal(src_of(f, &x.rt[0])->table, RIB_TBL_ADJ_OUT_POST);
}

/* RFC 9069: Loc-RIB, its VRF name, ADD-PATH listed in any direction. */
static void
test_loc_rib(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct found		 x;
	struct vec		 v;
	uint32_t		 asns[1] = { 65009 };

	peer_hdr(&h, BMP_PEER_LOC_RIB, BMP_PF_F, "0.0.0.0", 65000);
	h.distinguisher = 42;
	up_msg(&v, &h, ADDPATH_SEND, ADDPATH_SEND, "blue");
	assert_int_equal(feed(f, &v), 0);
	assert_string_equal(peer_info(f, 0).vrf, "blue");
	rm_msg(&v, &h, "10.9.0.0/16", asns, 1, true, 3, false);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.9.0.0/16");
	assert_int_equal(x.n, 1);
	assert_int_equal(x.rt[0].path_id, 3);
	assert_int_equal(src_of(f, &x.rt[0])->table, RIB_TBL_LOC_RIB);
	assert_int_equal(src_of(f, &x.rt[0])->distinguisher, 42);
	assert_string_equal(src_of(f, &x.rt[0])->name, "blue");
}

/*
 * A Loc-RIB route without AS_PATH (GoBGP leaves it out of its own
 * routes) is kept with an empty path; from a peer it is treated as
 * withdrawn (RFC 7606 3(d)), as any well-known attribute missing.
 */
static void
test_loc_rib_no_aspath(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct found		 x;
	struct vec		 v;
	char			 path[16];

	peer_hdr(&h, BMP_PEER_LOC_RIB, 0, "0.0.0.0", 65000);
	rm_msg(&v, &h, "10.14.0.0/16", NULL, -1, true, 0, false);
	assert_int_equal(feed(f, &v), 0);
	x = lookup(f, "10.14.0.0/16");
	assert_int_equal(x.n, 1);
	path_of(f, &x.rt[0], path, sizeof(path));
	assert_string_equal(path, "");
	assert_int_equal(peer_info(f, 0).c.attr_discard, 1);
	assert_int_equal(peer_info(f, 0).c.no_peer_up, 1);
	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	rm_msg(&v, &h, "10.15.0.0/16", NULL, -1, true, 0, false);
	assert_int_equal(feed(f, &v), 0);
	assert_int_equal(lookup(f, "10.15.0.0/16").n, 0);
	assert_int_equal(peer_info(f, 1).c.treat_as_withdraw, 1);
}

static void
down_msg(struct vec *v, const struct bmp_peer_hdr *h, uint8_t reason,
    int variant)
{
	struct wr	w;
	size_t		off;
	uint8_t		msg[3] = { 2, 'h', 'i' };

	wr_init(&w, 256, sizeof(v->b));
	off = bmp_msg_begin(&w, BMP_PEER_DOWN);
	bmp_peer_hdr_encode(&w, h);
	wr_u8(&w, reason);
	switch (reason) {
	case BMP_DOWN_LOCAL_NOTIFY:
	case BMP_DOWN_REMOTE_NOTIFY:
		if (variant == 1)
			bgp_keepalive_encode(&w);	/* no NOTIFICATION */
		else
			bgp_notify_encode(&w, ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
			    msg, sizeof(msg));
		break;
	case BMP_DOWN_LOCAL_FSM:
		if (variant == 1)
			wr_u8(&w, 1);		/* one octet short */
		else
			wr_u16(&w, 18);
		break;
	case BMP_DOWN_LOCAL_TLV:
		/* Variant 1: the TLV says 9 octets, 3 follow. */
		wr_u16(&w, BMP_INFO_VRF);
		wr_u16(&w, variant == 1 ? 9 : 3);
		wr_bytes(&w, "red", 3);
		break;
	}
	bmp_msg_end(&w, off);
	vec_take(v, &w);
}

/* Every reason; each flushes what the peer had, in every table. */
static void
test_peer_down(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct bmp_peer_info	 p;
	struct vec		 v;
	uint32_t		 asns[1] = { 65001 };
	uint8_t			 reason;

	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	for (reason = 1; reason <= 7; reason++) {
		h.flags = 0;
		up_msg(&v, &h, 0, 0, NULL);
		assert_int_equal(feed(f, &v), 0);
		rm_msg(&v, &h, "10.10.0.0/16", asns, 1, true, 0, false);
		assert_int_equal(feed(f, &v), 0);
		h.flags = BMP_PF_L;
		rm_msg(&v, &h, "10.10.0.0/16", asns, 1, true, 0, false);
		assert_int_equal(feed(f, &v), 0);
		assert_int_equal(lookup(f, "10.10.0.0/16").n, 2);
		down_msg(&v, &h, reason, 0);
		assert_int_equal(feed(f, &v), 0);
		assert_int_equal(lookup(f, "10.10.0.0/16").n, 0);
		p = peer_info(f, 0);
		assert_false(p.up);
		assert_int_equal(p.down_reason, reason);
		if (reason == BMP_DOWN_LOCAL_NOTIFY ||
		    reason == BMP_DOWN_REMOTE_NOTIFY)
			assert_non_null(strstr(p.down_text,
			    "Administrative Shutdown"));
		if (reason == BMP_DOWN_LOCAL_FSM)
			assert_non_null(strstr(p.down_text, "18"));
	}
	assert_int_equal(p.c.peer_downs, 7);
	assert_int_equal(p.c.peer_ups, 7);
	/* Broken data after reasons 1, 2, 3 and 6. */
	down_msg(&v, &h, BMP_DOWN_LOCAL_NOTIFY, 1);
	assert_int_equal(feed(f, &v), -1);
	down_msg(&v, &h, BMP_DOWN_REMOTE_NOTIFY, 1);
	assert_int_equal(feed(f, &v), -1);
	down_msg(&v, &h, BMP_DOWN_LOCAL_FSM, 1);
	assert_int_equal(feed(f, &v), -1);
	down_msg(&v, &h, BMP_DOWN_LOCAL_TLV, 1);
	assert_int_equal(feed(f, &v), -1);
}

/* A second Peer Up without a Peer Down: the old session's routes go. */
static void
test_peer_up_again(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct vec		 v;
	uint32_t		 asns[1] = { 65001 };

	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	up_msg(&v, &h, 0, 0, NULL);
	assert_int_equal(feed(f, &v), 0);
	rm_msg(&v, &h, "10.11.0.0/16", asns, 1, true, 0, false);
	assert_int_equal(feed(f, &v), 0);
	assert_int_equal(lookup(f, "10.11.0.0/16").n, 1);
	up_msg(&v, &h, 0, 0, NULL);
	assert_int_equal(feed(f, &v), 0);
	assert_int_equal(lookup(f, "10.11.0.0/16").n, 0);
	/* Route Monitoring with no Peer Up at all: applied and counted. */
	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.3", 65003);
	rm_msg(&v, &h, "10.12.0.0/16", asns, 1, true, 0, false);
	assert_int_equal(feed(f, &v), 0);
	assert_int_equal(lookup(f, "10.12.0.0/16").n, 1);
	assert_int_equal(peer_info(f, 1).c.no_peer_up, 1);
	/* The session ends: every source of the router is flushed. */
	rib_wrlock(f->rib);
	assert_int_equal(bmp_router_down(f->r, 2000000), 1);
	rib_unlock(f->rib);
	assert_int_equal(lookup(f, "10.12.0.0/16").n, 0);
}

/* Broken OPENs in Peer Up: the peer is up, without ADD-PATH. */
static void
test_peer_up_bad_open(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct vec		 v;
	struct bmp_peer_info	 p;
	size_t			 open2;

	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	up_msg(&v, &h, 0, 0, NULL);
	/* The received OPEN's BGP version: 3. */
	open2 = 6 + BMP_PEER_HDR_LEN + 20;
	open2 += be16(v.b + open2 + 16);
	v.b[open2 + BGP_HDR_LEN] = 3;
	assert_int_equal(feed(f, &v), 0);
	p = peer_info(f, 0);
	assert_true(p.up);
	assert_non_null(strstr(p.last_error, "received OPEN"));
	/* Its marker broken: framing, malformed. */
	v.b[open2] = 0;
	assert_int_equal(feed(f, &v), -1);
	/* Not an OPEN. */
	up_msg(&v, &h, 0, 0, NULL);
	v.b[6 + BMP_PEER_HDR_LEN + 20 + 18] = BGP_UPDATE;
	assert_int_equal(feed(f, &v), -1);
}

static void
test_stats(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct bmp_peer_info	 p;
	struct bmp_msg		*m = malloc(sizeof(*m));
	struct bmp_err		 e;
	struct wr		 w;
	struct vec		 v;
	size_t			 off;
	uint8_t			 odd[3] = { 1, 2, 3 };
	int			 i;

	assert_non_null(m);
	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	wr_init(&w, 256, sizeof(v.b));
	off = bmp_msg_begin(&w, BMP_STATS_REPORT);
	bmp_peer_hdr_encode(&w, &h);
	wr_u32(&w, 5);
	wr_u16(&w, 0);			/* rejected: 32-bit counter */
	wr_u16(&w, 4);
	wr_u32(&w, 17);
	wr_u16(&w, 7);			/* Adj-RIBs-In: 64-bit gauge */
	wr_u16(&w, 8);
	wr_u64(&w, 5000000000ull);
	wr_u16(&w, 9);			/* per AFI/SAFI */
	wr_u16(&w, 11);
	wr_u16(&w, AFI_IPV6);
	wr_u8(&w, SAFI_UNICAST);
	wr_u64(&w, 123);
	wr_u16(&w, 65531);		/* unknown type, 32-bit */
	wr_u16(&w, 4);
	wr_u32(&w, 9);
	wr_u16(&w, 40);			/* unknown length: kept raw */
	wr_u16(&w, 3);
	wr_bytes(&w, odd, 3);
	bmp_msg_end(&w, off);
	vec_take(&v, &w);
	assert_int_equal(bmp_parse(v.b, v.len, m, &e), 0);
	assert_int_equal(m->stats.count, 5);
	assert_int_equal(m->stats.n, 5);
	assert_true(m->stats.s[2].has_afi);
	assert_int_equal(m->stats.s[2].afi, AFI_IPV6);
	assert_false(m->stats.s[4].decoded);
	assert_memory_equal(m->stats.s[4].raw, odd, 3);
	assert_int_equal(feed(f, &v), 0);
	p = peer_info(f, 0);
	assert_int_equal(p.n_stats, 4);
	for (i = 0; i < p.n_stats; i++) {
		if (p.stats[i].type == 0)
			assert_int_equal(p.stats[i].value, 17);
		if (p.stats[i].type == 7)
			assert_int_equal(p.stats[i].value, 5000000000ull);
		if (p.stats[i].type == 9) {
			assert_int_equal(p.stats[i].afi, AFI_IPV6);
			assert_int_equal(p.stats[i].value, 123);
		}
		if (p.stats[i].type == 65531)
			assert_int_equal(p.stats[i].value, 9);
	}
	assert_string_equal(bmp_stat_name(7), "routes in Adj-RIBs-In");
	assert_null(bmp_stat_name(65531));
	/* The count says six: the sixth overruns. */
	v.b[6 + BMP_PEER_HDR_LEN + 3] = 6;
	assert_int_equal(feed(f, &v), -1);
	/* The count says four: octets left over. */
	v.b[6 + BMP_PEER_HDR_LEN + 3] = 4;
	assert_int_equal(feed(f, &v), -1);
	free(m);
}

static void
test_mirroring(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct bmp_msg		*m = malloc(sizeof(*m));
	struct bmp_err		 e;
	struct wr		 w, b;
	struct vec		 v;
	size_t			 off;
	uint8_t			 bgp[64];
	uint8_t			 code[2] = { 0, BMP_MIRROR_LOST };

	assert_non_null(m);
	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	wr_init_fixed(&b, bgp, sizeof(bgp));
	bgp_keepalive_encode(&b);
	wr_init(&w, 256, sizeof(v.b));
	off = bmp_msg_begin(&w, BMP_ROUTE_MIRRORING);
	bmp_peer_hdr_encode(&w, &h);
	bmp_tlv_encode(&w, BMP_MIRROR_BGP, bgp, wr_len(&b));
	bmp_tlv_encode(&w, BMP_MIRROR_INFO, code, 2);
	bmp_msg_end(&w, off);
	vec_take(&v, &w);
	assert_int_equal(bmp_parse(v.b, v.len, m, &e), 0);
	assert_int_equal(m->mirror.n_bgp, 1);
	assert_int_equal(m->mirror.n_lost, 1);
	assert_int_equal(feed(f, &v), 0);
	assert_int_equal(peer_info(f, 0).c.msgs[BMP_ROUTE_MIRRORING], 1);
	/* The mirrored PDU's marker broken: an errored PDU, still counted. */
	v.b[6 + BMP_PEER_HDR_LEN + 4] = 0;
	assert_int_equal(bmp_parse(v.b, v.len, m, &e), 0);
	assert_int_equal(m->mirror.n_bgp, 1);
	assert_int_equal(m->mirror.n_unframed, 1);
	assert_int_equal(feed(f, &v), 0);
	/* The information TLV empty: malformed. */
	v.b[v.len - 3] = 0;
	v.b[v.len - 2] = 0;
	v.b[v.len - 1] = 0;
	v.b[4] -= 2;
	v.len -= 2;
	assert_int_equal(feed(f, &v), -1);
	free(m);
}

/* Version 4 (draft-ietf-grow-bmp-tlv) and unknown types: skipped. */
static void
test_skipped(void **state)
{
	struct fix		*f = *state;
	struct bmp_router_info	 ri;
	struct bmp_peer_hdr	 h;
	struct vec		 v;
	uint32_t		 asns[1] = { 65001 };

	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	rm_msg(&v, &h, "10.13.0.0/16", asns, 1, true, 0, false);
	v.b[0] = BMP_VERSION_TLV;
	v.b[20] ^= 0xff;		/* whatever v4 puts there */
	assert_int_equal(feed(f, &v), 0);
	assert_int_equal(lookup(f, "10.13.0.0/16").n, 0);
	v.b[0] = BMP_VERSION;
	v.b[5] = 77;
	assert_int_equal(feed(f, &v), 0);
	assert_int_equal(bmp_router_info(f->r, &ri), 0);
	assert_int_equal(ri.c.v4_skipped, 1);
	assert_int_equal(ri.c.msgs_unknown, 1);
	assert_int_equal(ri.n_peers, 0);
	free(ri.peers);
}

/* Every vector cut short at every length is refused, never read past. */
static void
test_truncations(void **state)
{
	struct bmp_peer_hdr	 h;
	struct bmp_msg		*m = malloc(sizeof(*m));
	struct bmp_err		 e;
	struct vec		 v[5];
	uint32_t		 asns[2] = { 1, 2 };
	uint8_t			*copy;
	size_t			 i, n;

	assert_non_null(m);
	peer_hdr(&h, BMP_PEER_GLOBAL, BMP_PF_V, "2001:db8::1", 65001);
	init_msg(&v[0]);
	up_msg(&v[1], &h, ADDPATH_RECV, ADDPATH_SEND, "x");
	rm_msg(&v[2], &h, "10.0.0.0/8", asns, 2, true, 0, false);
	down_msg(&v[3], &h, BMP_DOWN_REMOTE_NOTIFY, 0);
	down_msg(&v[4], &h, BMP_DOWN_LOCAL_TLV, 0);
	for (i = 0; i < 5; i++) {
		assert_int_equal(bmp_parse(v[i].b, v[i].len, m, &e), 0);
		for (n = 0; n < v[i].len; n++) {
			/* An exact-size copy so ASan sees any overread. */
			copy = malloc(n ? n : 1);
			assert_non_null(copy);
			memcpy(copy, v[i].b, n);
			assert_int_equal(bmp_parse(copy, n, m, &e), -1);
			/* The length field agreeing with the cut. */
			if (n >= BMP_HDR_LEN) {
				copy[1] = (uint8_t)(n >> 24);
				copy[2] = (uint8_t)(n >> 16);
				copy[3] = (uint8_t)(n >> 8);
				copy[4] = (uint8_t)n;
				(void)bmp_parse(copy, n, m, &e);
			}
			free(copy);
		}
	}
	free(m);
}

/* Random octets, and valid messages with random octets changed. */
static void
test_garbage(void **state)
{
	struct fix		*f = *state;
	struct bmp_peer_hdr	 h;
	struct bmp_err		 e;
	struct vec		 v;
	uint32_t		 asns[2] = { 1, 2 };
	uint8_t			*copy;
	size_t			 len;
	int			 i, k;

	srand(seed);
	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	for (i = 0; i < 20000; i++) {
		switch (i % 3) {
		case 0:
			up_msg(&v, &h, ADDPATH_RECV, ADDPATH_SEND, "v");
			break;
		case 1:
			rm_msg(&v, &h, "10.0.0.0/8", asns, 2, true,
			    (uint32_t)(i & 1), false);
			break;
		default:
			len = (size_t)(rand() % 200) + BMP_HDR_LEN;
			for (k = 0; k < (int)len; k++)
				v.b[k] = (uint8_t)rand();
			v.b[0] = BMP_VERSION;
			v.b[1] = v.b[2] = v.b[3] = 0;
			v.b[4] = (uint8_t)len;
			v.b[5] = (uint8_t)(rand() % 8);
			v.len = len;
		}
		for (k = v.len > BMP_HDR_LEN ? rand() % 4 : 0; k > 0; k--)
			v.b[BMP_HDR_LEN + (size_t)rand() % (v.len -
			    BMP_HDR_LEN)] = (uint8_t)rand();
		assert_non_null(copy = malloc(v.len));
		memcpy(copy, v.b, v.len);
		rib_wrlock(f->rib);
		(void)bmp_router_input(f->r, copy, v.len, 1000000, &e);
		rib_unlock(f->rib);
		free(copy);
	}
	rib_wrlock(f->rib);
	bmp_router_down(f->r, 3000000);
	assert_null(rib_check(f->rib));
	rib_unlock(f->rib);
}

/* A port nothing listens on, from the kernel. */
static uint16_t
free_port(void)
{
	struct sockaddr_in	sa;
	socklen_t		sl = sizeof(sa);
	int			fd;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	return (ntohs(sa.sin_port));
}

/* Turn the loop until the station shows n routers with m messages. */
static size_t
station_wait(struct evloop *l, struct bmp_station *st, size_t n, uint64_t m,
    struct bmp_router_info **ri)
{
	size_t	got = 0;
	int	i;

	for (i = 0; i < 200; i++) {
		evloop_run_once(l, 10);
		got = bmp_station_snapshot(st, ri);
		if (got == n && (n == 0 || (*ri)[0].c.messages >= m))
			return (got);
		bmp_router_info_free(*ri, got);
	}
	fail_msg("station: %zu routers, wanted %zu", got, n);
	return (0);
}

/*
 * The station in-process: a client connects, sends a stream in small
 * pieces, and the snapshot shows the router, its peer, its counters and
 * the last statistics; the client goes and so do the router's routes.
 */
static void
test_station(void **state)
{
	struct rib_config	 rc = { 1000, 0, 65000, 0 };
	struct conf		 cf;
	struct evloop		*l;
	struct rib		*rib;
	struct bmp_station	*st;
	struct bmp_router_info	*ri;
	struct bmp_peer_hdr	 h;
	struct sockaddr_in	 sa;
	struct vec		 v[4];
	struct wr		 w;
	uint32_t		 asns[1] = { 65001 };
	size_t			 i, k, off;
	int			 fd;

	conf_defaults(&cf);
	cf.n_bmp_listen = 1;
	addr_parse("127.0.0.1", &cf.bmp_listen[0]);
	cf.bmp_port = free_port();
	assert_non_null(l = evloop_new());
	assert_non_null(rib = rib_new(&rc));
	assert_non_null(st = bmp_station_new(&cf, l, rib));
	assert_int_equal(bmp_station_start(st), 0);

	peer_hdr(&h, BMP_PEER_GLOBAL, 0, "192.0.2.1", 65001);
	init_msg(&v[0]);
	up_msg(&v[1], &h, 0, 0, NULL);
	rm_msg(&v[2], &h, "10.30.0.0/16", asns, 1, true, 0, false);
	wr_init(&w, 256, sizeof(v[3].b));
	off = bmp_msg_begin(&w, BMP_STATS_REPORT);
	bmp_peer_hdr_encode(&w, &h);
	wr_u32(&w, 1);
	wr_u16(&w, 7);
	wr_u16(&w, 8);
	wr_u64(&w, 4242);
	bmp_msg_end(&w, off);
	vec_take(&v[3], &w);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons(cf.bmp_port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	for (i = 0; i < 4; i++)
		for (k = 0; k < v[i].len; k += 7) {
			size_t n = v[i].len - k < 7 ? v[i].len - k : 7;

			assert_int_equal(send(fd, v[i].b + k, n, 0), (ssize_t)n);
			evloop_run_once(l, 0);
		}
	assert_int_equal(station_wait(l, st, 1, 4, &ri), 1);
	assert_true(ri[0].connected);
	assert_false(ri[0].outbound);
	assert_string_equal(ri[0].sysname, "r1.");
	assert_int_equal(ri[0].c.msgs[BMP_ROUTE_MONITORING], 1);
	assert_int_equal(ri[0].n_peers, 1);
	assert_true(ri[0].peers[0].up);
	assert_int_equal(ri[0].peers[0].c.announced, 1);
	assert_int_equal(ri[0].peers[0].n_stats, 1);
	assert_int_equal(ri[0].peers[0].stats[0].value, 4242);
	bmp_router_info_free(ri, 1);
	rib_rdlock(rib);
	assert_int_equal(rib_source_count(rib), 1);
	rib_unlock(rib);

	close(fd);
	assert_int_equal(station_wait(l, st, 0, 0, &ri), 0);
	bmp_router_info_free(ri, 0);
	{
		struct rib_stats rs;

		rib_rdlock(rib);
		rib_stats(rib, &rs);
		rib_unlock(rib);
		assert_int_equal(rs.routes, 0);
	}
	bmp_station_shutdown(st);
	evloop_run_once(l, 0);
	bmp_station_free(st);
	rib_free(rib);
	evloop_free(l);
}

static void
test_names(void **state)
{
	assert_string_equal(bmp_type_name(BMP_ROUTE_MONITORING),
	    "Route Monitoring");
	assert_string_equal(bmp_type_name(BMP_ROUTE_MIRRORING),
	    "Route Mirroring");
	assert_string_equal(bmp_type_name(99), "unknown");
	assert_string_equal(bmp_down_reason_name(BMP_DOWN_DECONFIGURED),
	    "peer de-configured");
	assert_string_equal(bmp_down_reason_name(BMP_DOWN_LOCAL_TLV),
	    "local system closed");
	assert_string_equal(bmp_peer_type_name(BMP_PEER_LOC_RIB), "loc-rib");
}

/* A length function that trusts the header: 4-octet length, no check. */
static long
lax_len(const uint8_t *hdr, size_t max, char *err, size_t errlen)
{
	(void)max;
	(void)err;
	(void)errlen;
	return ((long)((uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 |
	    (uint32_t)hdr[2] << 8 | hdr[3]));
}

/*
 * A header declaring more than the maximum grows nothing, even when the
 * length function does not check it, and msgbuf_next() refuses it.
 */
static void
test_msgbuf_length_over_max(void **state)
{
	static const uint8_t	 hdr[6] = { 0x7f, 0xff, 0xff, 0xff, 0, 0 };
	struct msgbuf		 mb;
	const uint8_t		*msg;
	size_t			 len, room;

	(void)state;
	assert_int_equal(msgbuf_init(&mb, 6, 4096, 256, lax_len), 0);
	assert_int_equal(msgbuf_feed(&mb, hdr, sizeof(hdr)), 0);
	assert_int_equal(msgbuf_partial_want(&mb), 0);
	assert_non_null(msgbuf_space(&mb, 1 << 20, &room));
	assert_true(mb.cap <= 2 * 4096 + 256);
	assert_int_equal(msgbuf_next(&mb, &msg, &len), -1);
	assert_null(msgbuf_space(&mb, 1, &room));
	msgbuf_free(&mb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_common_header),
		cmocka_unit_test(test_stream_splits),
		cmocka_unit_test(test_stream_hostile_length),
		cmocka_unit_test(test_stream_big_message),
		cmocka_unit_test(test_literal_vector),
		cmocka_unit_test(test_peer_header_flags),
		cmocka_unit_test(test_truncations),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_station),
		cmocka_unit_test_setup_teardown(test_initiation, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_termination, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_route_monitoring, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_as2_flag, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_addpath_direction, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_loc_rib, setup, teardown),
		cmocka_unit_test_setup_teardown(test_loc_rib_no_aspath, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peer_down, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peer_up_again, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peer_up_bad_open, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mirroring, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test(test_msgbuf_length_over_max),
	};
	const char *s = getenv("BMP_TEST_SEED");

	seed = s != NULL ? (unsigned)strtoul(s, NULL, 10) :
	    (unsigned)time(NULL);
	printf("BMP_TEST_SEED=%u\n", seed);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
