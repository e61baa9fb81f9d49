/*
 * test_prefix.c -- addresses and prefixes: parse, format, mask, covers,
 * compare, for both families and the edge lengths.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "prefix.h"

static struct prefix
P(const char *s)
{
	struct prefix p;

	if (prefix_parse(s, &p) != 0)
		fail_msg("prefix_parse(\"%s\") failed", s);
	return (p);
}

/* Parse, then format: the canonical text. */
static void
roundtrip(const char *in, const char *want)
{
	struct prefix	p;
	char		buf[PREFIX_STRLEN];

	assert_int_equal(prefix_parse(in, &p), 0);
	assert_string_equal(prefix_fmt(&p, buf, sizeof(buf)), want);
}

static void
test_parse_fmt_v4(void **state)
{
	struct prefix p;

	roundtrip("10.0.0.0/8", "10.0.0.0/8");
	roundtrip("0.0.0.0/0", "0.0.0.0/0");
	roundtrip("255.255.255.255/32", "255.255.255.255/32");
	roundtrip("192.0.2.1", "192.0.2.1/32");	/* bare address: host */
	/* Host bits are masked (RFC 4271: trailing bits irrelevant). */
	roundtrip("11.13.0.0/13", "11.8.0.0/13");
	roundtrip("10.255.255.255/0", "0.0.0.0/0");
	roundtrip("192.168.1.77/25", "192.168.1.0/25");
	roundtrip("192.168.1.200/25", "192.168.1.128/25");
	roundtrip("1.2.3.4/31", "1.2.3.4/31");
	roundtrip("1.2.3.5/31", "1.2.3.4/31");
	p = P("203.0.113.0/24");
	assert_int_equal(p.afi, AFI_IPV4);
	assert_int_equal(p.len, 24);
	assert_int_equal(p.b[0], 203);
	assert_int_equal(p.b[2], 113);
	/* Bytes past the family are zero. */
	assert_int_equal(p.b[4], 0);
	assert_int_equal(p.b[15], 0);
}

static void
test_parse_fmt_v6(void **state)
{
	struct prefix p;

	roundtrip("2001:db8::/32", "2001:db8::/32");
	roundtrip("::/0", "::/0");
	roundtrip("2001:db8::1", "2001:db8::1/128");
	roundtrip("2001:db8:ffff:ffff::/33", "2001:db8:8000::/33");
	roundtrip("2001:db8::ff/127", "2001:db8::fe/127");
	roundtrip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128");
	roundtrip("fe80::1:2:3:4/64", "fe80::/64");
	roundtrip("::ffff:192.0.2.1/128", "::ffff:192.0.2.1/128");
	p = P("2001:db8::/48");
	assert_int_equal(p.afi, AFI_IPV6);
	assert_int_equal(p.len, 48);
	assert_int_equal(p.b[0], 0x20);
	assert_int_equal(p.b[3], 0xb8);
}

static void
test_parse_bad(void **state)
{
	static const char *const bad[] = {
		"", "/", "/24", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/-1",
		"10.0.0.0/+8", "10.0.0.0/8x", "10.0.0.0/ 8", "10.0.0/8",
		"10.0.0.256/32", "1.2.3.4.5", "10.0.0.0//8", "2001:db8::/129",
		"2001:db8:::/32", "2001:db8::g/64", "hello", "10.0.0.0/8/8",
		"10.0.0.0/99999999999999999999",
		" 10.0.0.0/8",
		"2001:0db8:0000:0000:0000:0000:0000:0000:0000/64",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
	};
	struct prefix	p;
	struct addr	a;
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (prefix_parse(bad[i], &p) != -1)
			fail_msg("prefix_parse accepted \"%s\"", bad[i]);
	assert_int_equal(addr_parse("1.2.3", &a), -1);
	assert_int_equal(addr_parse("::g", &a), -1);
	assert_int_equal(addr_parse("", &a), -1);
	/* Longer than any prefix text. */
	assert_int_equal(prefix_parse(
	    "1111:2222:3333:4444:5555:6666:7777:8888/128000000000", &p), -1);
}

static void
test_addr(void **state)
{
	struct addr	a, b;
	char		buf[ADDR_STRLEN];
	static const uint8_t v6[16] = {
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1
	};

	addr_set_v4(&a, 0xc0000201);
	assert_int_equal(a.afi, AFI_IPV4);
	assert_string_equal(addr_fmt(&a, buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(addr_parse("192.0.2.1", &b), 0);
	assert_int_equal(addr_cmp(&a, &b), 0);
	addr_set_v4(&a, 0);
	assert_true(addr_is_zero(&a));
	assert_string_equal(addr_fmt(&a, buf, sizeof(buf)), "0.0.0.0");
	addr_set_v4(&a, 0xffffffff);
	assert_string_equal(addr_fmt(&a, buf, sizeof(buf)), "255.255.255.255");
	addr_set_v4(&a, 0x0a00000a);
	assert_string_equal(addr_fmt(&a, buf, sizeof(buf)), "10.0.0.10");
	assert_false(addr_is_zero(&a));

	addr_set_bytes(&a, AFI_IPV6, v6);
	assert_string_equal(addr_fmt(&a, buf, sizeof(buf)), "2001:db8::1");
	assert_int_equal(addr_parse("2001:db8::1", &b), 0);
	assert_int_equal(addr_cmp(&a, &b), 0);
	/* The family orders first: any IPv4 before any IPv6. */
	addr_set_v4(&b, 0xffffffff);
	assert_true(addr_cmp(&b, &a) < 0);
	assert_true(addr_cmp(&a, &b) > 0);
	/* addr_set_bytes for IPv4 copies 4 octets and zeroes the rest. */
	memset(&b, 0xee, sizeof(b));
	addr_set_bytes(&b, AFI_IPV4, v6);
	assert_int_equal(b.b[3], 0xb8);
	assert_int_equal(b.b[4], 0);
	assert_int_equal(b.b[15], 0);
	/* A buffer too small gets an empty string, never an overflow. */
	memset(buf, 'x', sizeof(buf));
	assert_string_equal(addr_fmt(&a, buf, 8), "");
}

static void
test_fmt_small_buffer(void **state)
{
	struct prefix	p = P("10.0.0.0/8");
	char		buf[PREFIX_STRLEN];

	memset(buf, 'x', sizeof(buf));
	assert_string_equal(prefix_fmt(&p, buf, PREFIX_STRLEN - 1), "");
	assert_int_equal(buf[1], 'x');
	prefix_fmt(&p, buf, 0);
	assert_int_equal(buf[0], '\0');
}

static void
test_mask(void **state)
{
	struct prefix p;

	memset(&p, 0xff, sizeof(p));
	p.afi = AFI_IPV4;
	p.len = 0;
	prefix_mask(&p);
	assert_true(p.b[0] == 0 && p.b[15] == 0);
	memset(&p, 0xff, sizeof(p));
	p.afi = AFI_IPV4;
	p.len = 32;
	prefix_mask(&p);
	assert_int_equal(p.b[3], 0xff);
	assert_int_equal(p.b[4], 0);
	memset(&p, 0xff, sizeof(p));
	p.afi = AFI_IPV6;
	p.len = 128;
	prefix_mask(&p);
	assert_int_equal(p.b[15], 0xff);
	p.len = 65;
	prefix_mask(&p);
	assert_int_equal(p.b[7], 0xff);
	assert_int_equal(p.b[8], 0x80);
	assert_int_equal(p.b[9], 0);
	p.len = 1;
	prefix_mask(&p);
	assert_int_equal(p.b[0], 0x80);
	assert_int_equal(prefix_bit(&p, 0), 1);
	assert_int_equal(prefix_bit(&p, 1), 0);
}

static void
test_covers(void **state)
{
	struct prefix	def = P("0.0.0.0/0"), p8 = P("10.0.0.0/8");
	struct prefix	p9 = P("10.128.0.0/9"), h = P("10.1.2.3/32");
	struct prefix	o = P("11.0.0.0/8"), d6 = P("::/0");
	struct prefix	v6 = P("2001:db8::/32"), v6h = P("2001:db8::1/128");
	struct prefix	v6b = P("2001:db9::/32"), p13 = P("11.8.0.0/13");
	struct prefix	bad;

	assert_true(prefix_covers(&def, &p8));
	assert_true(prefix_covers(&def, &h));
	assert_true(prefix_covers(&def, &def));
	assert_true(prefix_covers(&p8, &p8));
	assert_true(prefix_covers(&p8, &p9));
	assert_true(prefix_covers(&p8, &h));
	assert_true(prefix_covers(&h, &h));
	assert_false(prefix_covers(&p9, &p8));	/* less specific */
	assert_false(prefix_covers(&p9, &h));	/* 10.1 is in the low half */
	assert_false(prefix_covers(&p8, &o));
	assert_false(prefix_covers(&h, &p8));
	assert_true(prefix_covers(&p13, &o) == false);
	/* Across families, never; ::/0 covers IPv6 only. */
	assert_false(prefix_covers(&def, &v6));
	assert_false(prefix_covers(&d6, &p8));
	assert_true(prefix_covers(&d6, &v6h));
	assert_true(prefix_covers(&v6, &v6h));
	assert_true(prefix_covers(&v6h, &v6h));
	assert_false(prefix_covers(&v6, &v6b));
	assert_false(prefix_covers(&v6h, &v6));
	/* A length past the family is no prefix (and no over-read). */
	bad = v6h;
	bad.len = 200;
	assert_false(prefix_covers(&v6, &bad));
	assert_false(prefix_covers(&bad, &bad));
}

static void
test_cmp(void **state)
{
	struct prefix	a = P("10.0.0.0/8"), b = P("10.0.0.0/16");
	struct prefix	c = P("10.1.0.0/16"), d = P("2001:db8::/32");
	struct prefix	e = P("0.0.0.0/0");

	assert_int_equal(prefix_cmp(&a, &a), 0);
	assert_true(prefix_cmp(&a, &b) < 0);	/* same bits: shorter first */
	assert_true(prefix_cmp(&b, &a) > 0);
	assert_true(prefix_cmp(&b, &c) < 0);
	assert_true(prefix_cmp(&c, &a) > 0);
	assert_true(prefix_cmp(&e, &a) < 0);
	assert_true(prefix_cmp(&a, &d) < 0);	/* IPv4 before IPv6 */
	assert_true(prefix_cmp(&d, &e) > 0);
	b = P("10.0.0.0/8");
	assert_int_equal(prefix_cmp(&a, &b), 0);
	assert_int_equal(memcmp(&a, &b, sizeof(a)), 0);	/* canonical */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_fmt_v4),
		cmocka_unit_test(test_parse_fmt_v6),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_fmt_small_buffer),
		cmocka_unit_test(test_mask),
		cmocka_unit_test(test_covers),
		cmocka_unit_test(test_cmp),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
