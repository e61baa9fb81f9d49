/*
 * test_mrt.c -- the MRT input (framing, compression, resynchronisation),
 * the reader, and the bgpdump-compatible printer, on records built here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <bzlib.h>
#include <cmocka.h>

#include "mrt.h"

/* ---- building records ----------------------------------------------- */

struct buf {
	uint8_t	b[8192];
	size_t	n;
};

static void
put8(struct buf *b, uint8_t v)
{
	b->b[b->n++] = v;
}

static void
put16(struct buf *b, uint16_t v)
{
	put8(b, (uint8_t)(v >> 8));
	put8(b, (uint8_t)v);
}

static void
put32(struct buf *b, uint32_t v)
{
	put16(b, (uint16_t)(v >> 16));
	put16(b, (uint16_t)v);
}

static void
putn(struct buf *b, const void *p, size_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

/* An MRT header and body. */
static void
record(struct buf *b, uint32_t ts, uint16_t type, uint16_t st,
    const struct buf *body)
{
	put32(b, ts);
	put16(b, type);
	put16(b, st);
	put32(b, (uint32_t)body->n);
	putn(b, body->b, body->n);
}

/* BGP4MP STATE_CHANGE (2-octet AS, IPv4): peer 10.0.0.1 AS 65001. */
static void
state_change(struct buf *b, uint32_t ts, uint16_t from, uint16_t to)
{
	struct buf body = { .n = 0 };

	put16(&body, 65001);
	put16(&body, 65000);
	put16(&body, 0);
	put16(&body, AFI_IPV4);
	put32(&body, 0x0a000001);
	put32(&body, 0x0a000002);
	put16(&body, from);
	put16(&body, to);
	record(b, ts, MRT_BGP4MP, BGP4MP_STATE_CHANGE, &body);
}

/*
 * BGP4MP_ET MESSAGE_AS4 with an UPDATE announcing 192.0.2.0/24 and
 * withdrawing 198.51.100.0/24 (the withdrawn prefix has a host bit set).
 */
static void
update_et(struct buf *b, uint32_t ts, uint32_t usec)
{
	static const uint8_t marker[16] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
	};
	struct buf body = { .n = 0 }, attrs = { .n = 0 };

	/* ORIGIN IGP, AS_PATH 65001 4200000000, NEXT_HOP, MED, COMMUNITY */
	put8(&attrs, 0x40); put8(&attrs, 1); put8(&attrs, 1); put8(&attrs, 0);
	put8(&attrs, 0x40); put8(&attrs, 2); put8(&attrs, 10);
	put8(&attrs, 2); put8(&attrs, 2); put32(&attrs, 65001);
	put32(&attrs, 4200000000u);
	put8(&attrs, 0x40); put8(&attrs, 3); put8(&attrs, 4);
	put32(&attrs, 0x0a000001);
	put8(&attrs, 0x80); put8(&attrs, 4); put8(&attrs, 4); put32(&attrs, 5);
	put8(&attrs, 0xc0); put8(&attrs, 8); put8(&attrs, 8);
	put32(&attrs, (65001u << 16) | 100); put32(&attrs, 0xffffff01);

	put32(&body, usec);
	put32(&body, 65001);
	put32(&body, 65000);
	put16(&body, 0);
	put16(&body, AFI_IPV4);
	put32(&body, 0x0a000001);
	put32(&body, 0x0a000002);
	putn(&body, marker, 16);
	put16(&body, (uint16_t)(19 + 2 + 4 + 2 + attrs.n + 4));
	put8(&body, BGP_UPDATE);
	put16(&body, 4);
	put8(&body, 23); put8(&body, 198); put8(&body, 51); put8(&body, 101);
	put16(&body, (uint16_t)attrs.n);
	putn(&body, attrs.b, attrs.n);
	put8(&body, 24); put8(&body, 192); put8(&body, 0); put8(&body, 2);
	record(b, ts, MRT_BGP4MP_ET, BGP4MP_MESSAGE_AS4, &body);
}

/* ---- the printer into a string --------------------------------------- */

/* Run the -m printer over buf; returns malloc'd output. */
static char *
print_m(const void *data, size_t len, enum mrt_mode mode, int *errors)
{
	struct obuf		 o;
	struct mrt_handlers	 h = { 0 };
	struct mrt_reader	*r;
	struct mrt_in		*in;
	void			*p;
	FILE			*f = tmpfile();
	char			*out;
	long			 n;

	assert_non_null(f);
	assert_int_equal(obuf_init(&o, fileno(f), 4096), 0);
	p = mrt_printer_bgpdump.create(&o, mode);
	mrt_printer_bgpdump.handlers(p, &h);
	/* The printer's argument is its own: count errors elsewhere. */
	h.on_error = NULL;
	r = mrt_reader_new(&h, 0);
	in = mrt_in_open_mem(data, len, "test");
	assert_non_null(in);
	*errors = (int)mrt_reader_run(r, in);
	mrt_in_close(in);
	mrt_reader_free(r);
	mrt_printer_bgpdump.destroy(p);
	obuf_flush(&o);
	obuf_free(&o);
	n = ftell(f);
	out = calloc(1, (size_t)n + 1);
	rewind(f);
	assert_int_equal(fread(out, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return (out);
}

/* ---- tests ---------------------------------------------------------- */

static void
test_fmt_v6(void **state)
{
	static const struct {
		uint8_t		 b[16];
		const char	*s;
	} cases[] = {
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1,
		    0, 1 }, "2001:db8::1:1:1:1:1" },
		{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4 },
		    "::ffff:1.2.3.4" },
		{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4 },
		    "::1.2.3.4" },
		{ { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, "::1" },
		{ { 0 }, "::" },
		{ { 0xfe, 0x80 }, "fe80::" },
		{ { 0x20, 0x01, 0x07, 0xf8, 0, 0x30, 0, 0, 0, 2, 0, 1, 0, 0,
		    0x84, 0x47 }, "2001:7f8:30::2:1:0:8447" },
		{ { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0,
		    1 }, "2001:db8::1:0:0:1" },
	};
	char	buf[64], *e;
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = bd_fmt_v6(buf, cases[i].b);
		*e = '\0';
		assert_string_equal(buf, cases[i].s);
	}
}

static void
test_framing_truncated(void **state)
{
	struct buf		b = { .n = 0 };
	struct mrt_in		*in;
	struct mrt_rec		rec;
	uint64_t		off;

	state_change(&b, 1000, 1, 2);
	state_change(&b, 1001, 2, 3);
	state_change(&b, 1002, 3, 4);
	b.n -= 5;	/* the last record is cut */
	in = mrt_in_open_mem(b.b, b.n, "t");
	assert_non_null(in);
	assert_int_equal(mrt_in_compression(in), MRT_COMP_NONE);
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_RECORD);
	assert_int_equal(rec.offset, 0);
	assert_int_equal(rec.ts, 1000);
	assert_int_equal(rec.len, 20);
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_RECORD);
	assert_int_equal(rec.offset, 32);
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_ERROR);
	assert_non_null(strstr(mrt_in_error(in, &off), "claims 20 bytes"));
	assert_int_equal(off, 64);
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_EOF);
	mrt_in_close(in);
}

static void
test_et_header(void **state)
{
	struct buf	b = { .n = 0 };
	struct mrt_in	*in;
	struct mrt_rec	rec;

	update_et(&b, 1445565695, 584878);
	in = mrt_in_open_mem(b.b, b.n, "t");
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_RECORD);
	assert_int_equal(rec.type, MRT_BGP4MP_ET);
	assert_int_equal(rec.usec, 584878);
	assert_int_equal(rec.len, b.n - 16);
	mrt_in_close(in);
}

static void
test_resync_garbage(void **state)
{
	struct buf	b = { .n = 0 };
	struct mrt_in	*in;
	struct mrt_rec	rec;
	uint64_t	off;
	int		i;

	state_change(&b, 1000, 1, 2);
	/* 5 bytes of junk: type 0xeeee is no MRT type. */
	for (i = 0; i < 5; i++)
		put8(&b, 0xee);
	for (i = 0; i < 4; i++)
		state_change(&b, 1001, 2, 3);
	in = mrt_in_open_mem(b.b, b.n, "t");
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_RECORD);
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_ERROR);
	assert_non_null(strstr(mrt_in_error(in, &off),
	    "resynchronised at offset 37, 5 bytes skipped"));
	assert_int_equal(off, 32);
	for (i = 0; i < 4; i++) {
		assert_int_equal(mrt_in_next(in, &rec), MRT_IN_RECORD);
		assert_int_equal(rec.ts, 1001);
	}
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_EOF);
	assert_int_equal(mrt_in_skipped(in), 5);
	mrt_in_close(in);
}

/*
 * A torn write: the first 10 bytes of a header, then whole records.  The
 * torn header swallows what follows as its body; once the reader says
 * that record is bad and the next header is wrong, the input rescans from
 * the end of the last good record and finds the records again.
 */
static void
test_resync_torn(void **state)
{
	/* 0x00c8....: the two octets a torn header takes as length 200. */
	const uint32_t	 t0 = 0x00c80000;
	struct buf	 b = { .n = 0 }, t = { .n = 0 };
	struct mrt_in	*in;
	struct mrt_rec	 rec;
	enum mrt_in_status st;
	int		 i, n = 0;

	state_change(&b, t0, 1, 2);
	state_change(&t, t0, 9, 9);
	putn(&b, t.b, 10);	/* the length's high octets are 0 */
	for (i = 0; i < 20; i++)
		state_change(&b, t0 + 1, 2, 3);
	for (i = 0; i < 12; i++)
		put8(&b, 0xee);
	for (i = 0; i < 3; i++)
		state_change(&b, t0 + 2, 3, 4);
	in = mrt_in_open_mem(b.b, b.n, "t");
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_RECORD);
	/* The torn record swallows 200 bytes, and does not decode. */
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_RECORD);
	assert_int_equal(rec.offset, 32);
	assert_int_equal(rec.len, 200);
	mrt_in_mark_bad(in);
	while ((st = mrt_in_next(in, &rec)) != MRT_IN_EOF)
		if (st == MRT_IN_RECORD && (rec.ts == t0 + 1 ||
		    rec.ts == t0 + 2))
			n++;
	/* 20 + 3 records found again: only the torn bytes are lost. */
	assert_int_equal(n, 23);
	assert_int_equal(mrt_in_skipped(in), 10 + 12);
	mrt_in_close(in);
}

static void
test_gzip_truncated(void **state)
{
	struct buf	 b = { .n = 0 };
	uint8_t		 z[8192];
	z_stream	 zs;
	struct mrt_in	*in;
	struct mrt_rec	 rec;
	int		 i, n = 0, errs = 0;

	for (i = 0; i < 50; i++)
		state_change(&b, 1000 + (uint32_t)i, 1, 2);
	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = b.b;
	zs.avail_in = (uInt)b.n;
	zs.next_out = z;
	zs.avail_out = sizeof(z);
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	deflateEnd(&zs);
	/* Cut the trailer and some data. */
	in = mrt_in_open_mem(z, zs.total_out - 12, "t.gz");
	assert_int_equal(mrt_in_compression(in), MRT_COMP_GZIP);
	for (;;) {
		enum mrt_in_status st = mrt_in_next(in, &rec);

		if (st == MRT_IN_EOF)
			break;
		if (st == MRT_IN_RECORD)
			n++;
		else
			errs++;
	}
	assert_true(n > 0 && n < 50);
	assert_true(errs >= 1);
	mrt_in_close(in);

	/* The whole stream reads clean. */
	in = mrt_in_open_mem(z, zs.total_out, "t.gz");
	n = 0;
	while (mrt_in_next(in, &rec) == MRT_IN_RECORD)
		n++;
	assert_int_equal(n, 50);
	assert_int_equal(mrt_in_next(in, &rec), MRT_IN_EOF);
	mrt_in_close(in);
}

/*
 * A decompression bomb: a few hundred bytes of bzip2 (or a few kilobytes
 * of gzip) that expand to megabytes of zeros, read with a bound below
 * that.  The input stops at the bound with an error that says why, then
 * ends; the same stream with room enough reads to its end.
 */
static void
bomb(bool bz, size_t plain_len, uint64_t bound, bool want_cut)
{
	uint8_t		*plain = calloc(1, plain_len), z[1 << 16];
	unsigned	 zlen = sizeof(z);
	z_stream	 zs;
	struct mrt_in	*in;
	struct mrt_rec	 rec;
	enum mrt_in_status st;
	bool		 told = false;

	assert_non_null(plain);
	if (bz)
		assert_int_equal(BZ2_bzBuffToBuffCompress((char *)z, &zlen,
		    (char *)plain, (unsigned)plain_len, 9, 0, 0), BZ_OK);
	else {
		memset(&zs, 0, sizeof(zs));
		assert_int_equal(deflateInit2(&zs, 9, Z_DEFLATED, 15 + 16, 8,
		    Z_DEFAULT_STRATEGY), Z_OK);
		zs.next_in = plain;
		zs.avail_in = (uInt)plain_len;
		zs.next_out = z;
		zs.avail_out = sizeof(z);
		assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
		zlen = (unsigned)zs.total_out;
		deflateEnd(&zs);
	}
	in = mrt_in_open_mem(z, zlen, "bomb");
	assert_non_null(in);
	mrt_in_set_max_bytes(in, bound);
	while ((st = mrt_in_next(in, &rec)) != MRT_IN_EOF)
		if (st == MRT_IN_ERROR && strstr(mrt_in_error(in, NULL),
		    "decompressed data over") != NULL)
			told = true;
	assert_true(bound == 0 || mrt_in_bytes(in) <= bound);
	assert_int_equal(told, want_cut);
	assert_int_equal(mrt_in_bytes(in), want_cut ? bound : plain_len);
	mrt_in_close(in);
	free(plain);
}

static void
test_decompression_bomb(void **state)
{
	bomb(true, 8u << 20, 1u << 20, true);
	bomb(false, 8u << 20, 1u << 20, true);
	bomb(true, 8u << 20, 16u << 20, false);
	bomb(false, 1u << 20, 0, false);	/* 0: no bound */
}

static void
test_print_update(void **state)
{
	struct buf	 b = { .n = 0 };
	char		*out;
	int		 errs;

	update_et(&b, 1445565695, 584878);
	state_change(&b, 1445565696, 6, 1);
	out = print_m(b.b, b.n, MRT_MODE_M, &errs);
	assert_string_equal(out,
	    "BGP4MP_ET|1445565695.584878|W|10.0.0.1|65001|198.51.100.0/23\n"
	    "BGP4MP_ET|1445565695.584878|A|10.0.0.1|65001|192.0.2.0/24|"
	    "65001 4200000000|IGP|10.0.0.1|0|5|65001:100 no-export|NAG||\n"
	    "BGP4MP|1445565696|STATE|10.0.0.1|65001|6|1\n");
	free(out);
	out = print_m(b.b, b.n, MRT_MODE_MM, &errs);
	assert_string_equal(out,
	    "BGP4MP_ET|10/23/15 02:01:35.584878|W|10.0.0.1|65001|"
	    "198.51.100.0/23\n"
	    "BGP4MP_ET|10/23/15 02:01:35.584878|A|10.0.0.1|65001|"
	    "192.0.2.0/24|65001 4200000000|IGP\n"
	    "BGP4MP|10/23/15 02:01:36|STATE|10.0.0.1|65001|6|1\n");
	free(out);
}

/* TABLE_DUMP_V2: a peer index, then one IPv4 RIB record. */
static void
test_td2(void **state)
{
	struct buf	 b = { .n = 0 }, pi = { .n = 0 }, rib = { .n = 0 };
	char		*out;
	int		 errs;

	put32(&pi, 0xc0000201);
	put16(&pi, 0);
	put16(&pi, 2);
	put8(&pi, 2);			/* IPv4, AS4 */
	put32(&pi, 0x01010101);
	put32(&pi, 0xc6336401);
	put32(&pi, 4200000000u);
	put8(&pi, 3);			/* IPv6, AS4 */
	put32(&pi, 0x02020202);
	put32(&pi, 0x20010db8); put32(&pi, 0); put32(&pi, 0); put32(&pi, 1);
	put32(&pi, 65002);
	record(&b, 1400000000, MRT_TABLE_DUMP_V2, TD2_PEER_INDEX_TABLE, &pi);

	put32(&rib, 7);
	put8(&rib, 23);
	put8(&rib, 10); put8(&rib, 1); put8(&rib, 3);	/* host bit set */
	put16(&rib, 1);
	put16(&rib, 1);			/* peer index 1 */
	put32(&rib, 1399999999);
	put16(&rib, 11);
	put8(&rib, 0x40); put8(&rib, 1); put8(&rib, 1); put8(&rib, 2);
	put8(&rib, 0x40); put8(&rib, 2); put8(&rib, 4);
	put8(&rib, 1); put8(&rib, 0); /* an empty AS_SET: malformed */
	put8(&rib, 0); put8(&rib, 0);
	record(&b, 1400000000, MRT_TABLE_DUMP_V2, TD2_RIB_IPV4_UNICAST, &rib);
	out = print_m(b.b, b.n, MRT_MODE_M, &errs);
	assert_non_null(strstr(out, "TABLE_DUMP2|1400000000|B|2001:db8::1|"
	    "65002|10.1.2.0/23|"));
	assert_non_null(strstr(out, "|INCOMPLETE|255.255.255.255|0|0||NAG||"));
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_v6),
		cmocka_unit_test(test_framing_truncated),
		cmocka_unit_test(test_et_header),
		cmocka_unit_test(test_resync_garbage),
		cmocka_unit_test(test_resync_torn),
		cmocka_unit_test(test_gzip_truncated),
		cmocka_unit_test(test_decompression_bomb),
		cmocka_unit_test(test_print_update),
		cmocka_unit_test(test_td2),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
