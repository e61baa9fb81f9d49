/*
 * fuzz_msgbuf.c -- the stream reassembler (bmp/msgbuf.c) against a
 * reference framing of the same bytes.
 *
 * The first two octets seed the chunking: each chunk is 1 to 4096 octets
 * and goes in by copy (msgbuf_feed) or by reading into the buffer
 * (msgbuf_space, msgbuf_commit, sometimes less than the room offered),
 * messages drained after each chunk.  Whatever the chunking, the messages,
 * their stream offsets, the framing error and the partial message left
 * at the end must be those of cutting the whole input at once, and the
 * buffer never grows past twice the largest message plus a chunk.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmp.h"
#include "msgbuf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Small enough that long messages are cheap to build. */
#define MAX_LEN		(1u << 14)
#define MAX_CHUNK	4096
#define MIN_CAP		256

static long
len_fn(const uint8_t *hdr, size_t max, char *err, size_t errlen)
{
	struct bmp_err	e;
	long		l = bmp_hdr_len(hdr, max, &e);

	if (l == -1)
		strncpy(err, e.reason, errlen - 1);
	return (l);
}

static uint32_t
next_rand(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 8);
}

/* The reference: where the k-th message of data starts, or why not. */
struct ref {
	const uint8_t	*data;
	size_t		 len, pos;
	int		 failed;
};

static int
ref_next(struct ref *r, size_t *off, size_t *len)
{
	struct bmp_err	e;
	long		l;

	if (r->failed || r->len - r->pos < BMP_HDR_LEN)
		return (r->failed ? -1 : 0);
	if ((l = bmp_hdr_len(r->data + r->pos, MAX_LEN, &e)) == -1) {
		r->failed = 1;
		return (-1);
	}
	if (r->len - r->pos < (size_t)l)
		return (0);
	*off = r->pos;
	*len = (size_t)l;
	r->pos += (size_t)l;
	return (1);
}

static void
drain(struct msgbuf *m, struct ref *r)
{
	const uint8_t	*msg;
	size_t		 len, roff, rlen;
	int		 rv;

	while ((rv = msgbuf_next(m, &msg, &len)) == 1) {
		if (ref_next(r, &roff, &rlen) != 1 || rlen != len ||
		    memcmp(msg, r->data + roff, len) != 0 ||
		    msgbuf_offset(m) != roff + len)
			abort();
	}
	if (rv == -1) {
		/* The reference fails at the same message. */
		if (ref_next(r, &roff, &rlen) != -1 || msgbuf_error(m)[0] == 0)
			abort();
	}
	if (m->cap > 2 * (MAX_LEN + MAX_CHUNK) + MIN_CAP)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msgbuf	 m;
	struct ref	 r;
	uint32_t	 seed;
	size_t		 pos = 0, chunk, room, roff, rlen, rest;
	uint8_t		*p;

	if (size < 2)
		return (0);
	seed = (uint32_t)data[0] << 8 | data[1];
	data += 2;
	size -= 2;
	memset(&r, 0, sizeof(r));
	r.data = data;
	r.len = size;
	if (msgbuf_init(&m, BMP_HDR_LEN, MAX_LEN, MIN_CAP, len_fn) == -1)
		abort();
	while (pos < size && !m.failed) {
		uint32_t x = next_rand(&seed);

		/* Mostly small chunks, sometimes big ones. */
		chunk = (x & 3) == 0 ? 1 + (x >> 4) % MAX_CHUNK :
		    1 + (x >> 4) % 64;
		if (chunk > size - pos)
			chunk = size - pos;
		if (x & 4) {
			if ((p = msgbuf_space(&m, chunk, &room)) == NULL)
				abort();	/* not failed, memory is there */
			if (room == 0)
				abort();
			if (chunk > room)
				chunk = room;
			if ((x & 8) && chunk > 1)
				chunk /= 2;	/* a short read */
			memcpy(p, data + pos, chunk);
			msgbuf_commit(&m, chunk);
		} else if (msgbuf_feed(&m, data + pos, chunk) == -1)
			abort();
		pos += chunk;
		drain(&m, &r);
	}
	if (m.failed) {
		/* Failure is sticky: no buffer, no message. */
		if (msgbuf_space(&m, 1, &room) != NULL || room != 0)
			abort();
	} else {
		/* What is left is the reference's partial message. */
		if (ref_next(&r, &roff, &rlen) != 0)
			abort();
		rest = size - r.pos;
		if (msgbuf_pending(&m) != rest)
			abort();
		if (rest >= BMP_HDR_LEN && msgbuf_partial_want(&m) !=
		    (size_t)bmp_hdr_len(data + r.pos, MAX_LEN,
		    &(struct bmp_err){ 0 }))
			abort();
	}
	msgbuf_free(&m);
	return (0);
}
