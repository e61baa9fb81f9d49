/*
 * test_wire.c -- the bounded reader and the growable, capped writer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wire.h"

/*
 * Under ASan, a failed giant realloc must return NULL (the writer's error
 * path) rather than abort the program.
 */
const char	*__asan_default_options(void);

const char *
__asan_default_options(void)
{
	return ("allocator_may_return_null=1");
}

static const uint8_t buf8[] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a
};

static void
test_rd_getters(void **state)
{
	struct rd	r;
	uint8_t		v8;
	uint16_t	v16;
	uint32_t	v32;
	uint64_t	v64;

	rd_init(&r, buf8, sizeof(buf8));
	assert_int_equal(rd_left(&r), 10);
	assert_int_equal(rd_u8(&r, &v8), 0);
	assert_int_equal(v8, 0x01);
	assert_int_equal(rd_u16(&r, &v16), 0);
	assert_int_equal(v16, 0x0203);
	assert_int_equal(rd_u32(&r, &v32), 0);
	assert_int_equal(v32, 0x04050607);
	assert_int_equal(rd_left(&r), 3);
	assert_ptr_equal(rd_cur(&r), buf8 + 7);

	rd_init(&r, buf8, sizeof(buf8));
	assert_int_equal(rd_u64(&r, &v64), 0);
	assert_true(v64 == 0x0102030405060708ull);
	assert_int_equal(rd_left(&r), 2);
}

/* A getter that does not fit consumes nothing and leaves *v alone. */
static void
test_rd_bounds(void **state)
{
	struct rd	r;
	uint8_t		v8 = 0xee;
	uint16_t	v16 = 0xeeee;
	uint32_t	v32 = 0xeeeeeeee;
	uint64_t	v64 = 7;
	uint8_t		dst[4] = { 0 };
	const uint8_t	*p = NULL;

	rd_init(&r, buf8, 3);
	assert_int_equal(rd_u32(&r, &v32), -1);
	assert_int_equal(v32, 0xeeeeeeee);
	assert_int_equal(rd_left(&r), 3);
	assert_int_equal(rd_u64(&r, &v64), -1);
	assert_true(v64 == 7);
	assert_int_equal(rd_copy(&r, dst, 4), -1);
	assert_int_equal(dst[0], 0);
	assert_int_equal(rd_ptr(&r, 4, &p), -1);
	assert_null(p);
	assert_int_equal(rd_skip(&r, 4), -1);
	assert_int_equal(rd_left(&r), 3);

	/* Exactly what is there is fine, then everything fails. */
	assert_int_equal(rd_copy(&r, dst, 3), 0);
	assert_memory_equal(dst, buf8, 3);
	assert_int_equal(rd_left(&r), 0);
	assert_int_equal(rd_u8(&r, &v8), -1);
	assert_int_equal(v8, 0xee);
	assert_int_equal(rd_u16(&r, &v16), -1);
	assert_int_equal(v16, 0xeeee);
	/* Zero-length operations succeed on an empty reader. */
	assert_int_equal(rd_copy(&r, dst, 0), 0);
	assert_int_equal(rd_skip(&r, 0), 0);
	assert_int_equal(rd_ptr(&r, 0, &p), 0);

	/* A huge length never wraps. */
	rd_init(&r, buf8, sizeof(buf8));
	assert_int_equal(rd_skip(&r, SIZE_MAX), -1);
	assert_int_equal(rd_ptr(&r, SIZE_MAX, &p), -1);
	assert_int_equal(rd_left(&r), 10);
}

static void
test_rd_peek(void **state)
{
	struct rd	r;
	uint8_t		v8;
	uint16_t	v16;
	uint32_t	v32;

	rd_init(&r, buf8, 6);
	assert_int_equal(rd_peek_u8(&r, 5, &v8), 0);
	assert_int_equal(v8, 0x06);
	assert_int_equal(rd_peek_u8(&r, 6, &v8), -1);
	assert_int_equal(rd_peek_u16(&r, 4, &v16), 0);
	assert_int_equal(v16, 0x0506);
	assert_int_equal(rd_peek_u16(&r, 5, &v16), -1);
	assert_int_equal(rd_peek_u32(&r, 2, &v32), 0);
	assert_int_equal(v32, 0x03040506);
	assert_int_equal(rd_peek_u32(&r, 3, &v32), -1);
	/* Offsets that would wrap are refused. */
	assert_int_equal(rd_peek_u16(&r, SIZE_MAX, &v16), -1);
	assert_int_equal(rd_peek_u32(&r, SIZE_MAX - 1, &v32), -1);
	/* Peeking consumes nothing. */
	assert_int_equal(rd_left(&r), 6);
	assert_int_equal(be16(buf8 + 1), 0x0203);
	assert_int_equal(be32(buf8 + 6), 0x0708090a);
}

/* A child reader ends where its parent said, and the parent moves past. */
static void
test_rd_sub(void **state)
{
	struct rd	r, c, cc;
	uint8_t		v8;
	uint32_t	v32;

	rd_init(&r, buf8, sizeof(buf8));
	rd_skip(&r, 1);
	assert_int_equal(rd_sub(&r, 4, &c), 0);
	assert_int_equal(rd_left(&r), 5);
	assert_int_equal(rd_left(&c), 4);
	assert_ptr_equal(rd_cur(&c), buf8 + 1);
	/* The child cannot read into the parent's remaining bytes. */
	assert_int_equal(rd_sub(&c, 5, &cc), -1);
	assert_int_equal(rd_left(&c), 4);
	assert_int_equal(rd_sub(&c, 2, &cc), 0);
	assert_int_equal(rd_u32(&cc, &v32), -1);
	assert_int_equal(rd_u8(&cc, &v8), 0);
	assert_int_equal(v8, 0x02);
	assert_int_equal(rd_u32(&c, &v32), -1);
	assert_int_equal(rd_left(&c), 2);
	/* A sub-reader longer than the parent fails and consumes nothing. */
	assert_int_equal(rd_sub(&r, 6, &c), -1);
	assert_int_equal(rd_left(&r), 5);
	assert_int_equal(rd_sub(&r, 5, &c), 0);
	assert_int_equal(rd_left(&r), 0);
	assert_int_equal(rd_sub(&r, 0, &c), 0);
	assert_int_equal(rd_left(&c), 0);
}

static void
test_wr_basic(void **state)
{
	struct wr		w;
	static const uint8_t	want[] = {
		0xab, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef,
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		'x', 'y', 0, 0, 0
	};

	wr_init(&w, 4, 1024);
	assert_true(wr_ok(&w));
	assert_int_equal(wr_u8(&w, 0xab), 0);
	assert_int_equal(wr_u16(&w, 0x1234), 0);
	assert_int_equal(wr_u32(&w, 0xdeadbeef), 0);
	assert_int_equal(wr_u64(&w, 0x0102030405060708ull), 0);
	assert_int_equal(wr_bytes(&w, "xy", 2), 0);
	assert_int_equal(wr_zero(&w, 3), 0);
	assert_true(wr_ok(&w));
	assert_int_equal(wr_len(&w), sizeof(want));
	assert_memory_equal(wr_data(&w), want, sizeof(want));
	/* Zero-length writes are no-ops, even with a NULL pointer. */
	assert_int_equal(wr_bytes(&w, NULL, 0), 0);
	assert_int_equal(wr_len(&w), sizeof(want));
	wr_reset(&w);
	assert_int_equal(wr_len(&w), 0);
	assert_int_equal(wr_u8(&w, 1), 0);
	wr_free(&w);
	assert_null(w.buf);
}

/* Growth keeps the content, from nothing or from a small start. */
static void
test_wr_growth(void **state)
{
	struct wr	w;
	size_t		i;

	wr_init(&w, 0, 1 << 20);
	assert_null(w.buf);
	for (i = 0; i < 100000; i++)
		assert_int_equal(wr_u8(&w, (uint8_t)(i * 7)), 0);
	assert_int_equal(wr_len(&w), 100000);
	assert_true(w.cap >= 100000 && w.cap <= (1 << 20));
	for (i = 0; i < 100000; i++)
		assert_int_equal(wr_data(&w)[i], (uint8_t)(i * 7));
	wr_free(&w);

	/* An initial size above max is clamped. */
	wr_init(&w, 4096, 10);
	assert_int_equal(w.cap, 10);
	wr_free(&w);
}

/* max is a hard limit; the first error sticks and later calls do nothing. */
static void
test_wr_limit_sticky(void **state)
{
	struct wr	w;
	uint8_t		big[300];

	memset(big, 0x5a, sizeof(big));
	wr_init(&w, 8, 300);
	assert_int_equal(wr_bytes(&w, big, 298), 0);
	assert_int_equal(wr_u16(&w, 0xffff), 0);
	assert_int_equal(wr_len(&w), 300);
	assert_true(wr_ok(&w));
	/* One more octet is past max. */
	assert_int_equal(wr_u8(&w, 1), -1);
	assert_false(wr_ok(&w));
	assert_int_equal(wr_len(&w), 300);
	wr_free(&w);
	/* Sticky: even what would fit now fails. */
	wr_init(&w, 8, 300);
	assert_int_equal(wr_u32(&w, 1), 0);
	assert_int_equal(wr_bytes(&w, big, 297), -1);	/* 4 + 297 > 300 */
	assert_int_equal(wr_len(&w), 4);
	assert_int_equal(wr_u8(&w, 1), -1);
	assert_int_equal(wr_u16(&w, 1), -1);
	assert_int_equal(wr_u64(&w, 1), -1);
	assert_int_equal(wr_zero(&w, 1), -1);
	assert_int_equal(wr_reserve(&w, 1), SIZE_MAX);
	assert_int_equal(wr_patch_u8(&w, 0, 9), -1);
	assert_int_equal(wr_data(&w)[3], 1);		/* not patched */
	assert_int_equal(wr_len(&w), 4);
	/* wr_reset clears the error and the length. */
	wr_reset(&w);
	assert_true(wr_ok(&w));
	assert_int_equal(wr_u8(&w, 7), 0);
	wr_free(&w);

	/* A length that would wrap size_t is an error, not a wrap. */
	wr_init(&w, 8, SIZE_MAX);
	assert_int_equal(wr_u8(&w, 1), 0);
	assert_int_equal(wr_zero(&w, SIZE_MAX), -1);
	assert_false(wr_ok(&w));
	wr_free(&w);
	/* A request just below a huge max does not loop or wrap either. */
	wr_init(&w, 0, SIZE_MAX);
	assert_int_equal(wr_zero(&w, SIZE_MAX / 2 + 2), -1);
	assert_false(wr_ok(&w));
	wr_free(&w);
}

static void
test_wr_fixed(void **state)
{
	struct wr	w;
	uint8_t		mem[6];

	memset(mem, 0xcc, sizeof(mem));
	wr_init_fixed(&w, mem, 5);
	assert_int_equal(wr_u32(&w, 0x01020304), 0);
	assert_int_equal(wr_u16(&w, 0x0506), -1);	/* never grows */
	assert_false(wr_ok(&w));
	assert_int_equal(wr_len(&w), 4);
	assert_int_equal(mem[4], 0xcc);
	assert_int_equal(mem[5], 0xcc);
	wr_reset(&w);
	assert_int_equal(wr_u8(&w, 9), 0);
	assert_int_equal(wr_u32(&w, 0x0a0b0c0d), 0);
	assert_int_equal(wr_u8(&w, 1), -1);
	assert_int_equal(mem[0], 9);
	assert_int_equal(mem[4], 0x0d);
	assert_int_equal(mem[5], 0xcc);
	/* wr_free does not free caller memory (ASan would say so). */
	wr_free(&w);
	assert_ptr_equal(w.buf, NULL);
	assert_int_equal(mem[0], 9);
}

static void
test_wr_reserve_patch(void **state)
{
	struct wr		w;
	size_t			off, off2;
	static const uint8_t	want[] = {
		0x00, 0x07, 'a', 'b', 'c', 0xaa, 0x11, 0x22, 0x33, 0x44, 0x99
	};

	wr_init(&w, 2, 64);
	off = wr_reserve(&w, 2);
	assert_int_equal(off, 0);
	assert_int_equal(wr_data(&w)[0], 0);
	wr_bytes(&w, "abc", 3);
	off2 = wr_reserve(&w, 5);
	assert_int_equal(off2, 5);
	assert_int_equal(wr_patch_u16(&w, off, 7), 0);
	assert_int_equal(wr_patch_u8(&w, off2, 0xaa), 0);
	assert_int_equal(wr_patch_u32(&w, off2 + 1, 0x11223344), 0);
	wr_u8(&w, 0x99);
	assert_true(wr_ok(&w));
	assert_int_equal(wr_len(&w), sizeof(want));
	assert_memory_equal(wr_data(&w), want, sizeof(want));

	/* Patching past the written length is an error, and sticks. */
	assert_int_equal(wr_patch_u32(&w, wr_len(&w) - 3, 1), -1);
	assert_false(wr_ok(&w));
	assert_memory_equal(wr_data(&w), want, sizeof(want));
	wr_reset(&w);
	wr_zero(&w, 4);
	assert_int_equal(wr_patch_u16(&w, SIZE_MAX, 1), -1);
	wr_reset(&w);
	wr_zero(&w, 4);
	assert_int_equal(wr_patch_u16(&w, SIZE_MAX - 1, 1), -1);
	wr_reset(&w);
	wr_zero(&w, 4);
	assert_int_equal(wr_patch_u8(&w, 4, 1), -1);
	wr_reset(&w);
	wr_zero(&w, 4);
	assert_int_equal(wr_patch_u32(&w, 0, 0x01020304), 0);
	assert_int_equal(wr_data(&w)[3], 4);
	/* A failed reserve returns SIZE_MAX, which patching refuses. */
	wr_reset(&w);
	off = wr_reserve(&w, 65);
	assert_int_equal(off, SIZE_MAX);
	assert_int_equal(wr_patch_u16(&w, off, 1), -1);
	wr_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_getters),
		cmocka_unit_test(test_rd_bounds),
		cmocka_unit_test(test_rd_peek),
		cmocka_unit_test(test_rd_sub),
		cmocka_unit_test(test_wr_basic),
		cmocka_unit_test(test_wr_growth),
		cmocka_unit_test(test_wr_limit_sticky),
		cmocka_unit_test(test_wr_fixed),
		cmocka_unit_test(test_wr_reserve_patch),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
