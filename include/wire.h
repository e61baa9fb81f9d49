/*
 * wire.h -- the one bounds-checked reader and writer over byte buffers.
 *
 * Every parser in bgplens (BGP messages, path attributes, BMP, MRT) reads
 * through a struct rd and never does pointer arithmetic of its own.  A
 * getter either consumes exactly what it returns or, when the buffer is too
 * short, consumes nothing and returns -1.  rd_sub() carves a child reader
 * that cannot run past its parent, so a length field read from the wire
 * bounds everything below it.
 *
 * struct wr is the matching writer: a growable buffer with a hard upper
 * bound.  Writers never fail half way silently: the first error sticks in
 * w->err and every later call is a no-op, so an encoder can run a straight
 * line of wr_*() calls and test wr_ok() once at the end.  wr_reserve()
 * and wr_patch_u16()/wr_patch_u32() fill in length fields last.
 */
#ifndef BGPLENS_WIRE_H
#define BGPLENS_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t	*p;
	size_t		 left;
};

static inline void
rd_init(struct rd *r, const void *buf, size_t len)
{
	r->p = buf;
	r->left = len;
}

static inline size_t
rd_left(const struct rd *r)
{
	return (r->left);
}

static inline const uint8_t *
rd_cur(const struct rd *r)
{
	return (r->p);
}

static inline int
rd_u8(struct rd *r, uint8_t *v)
{
	if (r->left < 1)
		return (-1);
	*v = r->p[0];
	r->p++;
	r->left--;
	return (0);
}

static inline int
rd_u16(struct rd *r, uint16_t *v)
{
	if (r->left < 2)
		return (-1);
	*v = (uint16_t)((r->p[0] << 8) | r->p[1]);
	r->p += 2;
	r->left -= 2;
	return (0);
}

static inline int
rd_u32(struct rd *r, uint32_t *v)
{
	if (r->left < 4)
		return (-1);
	*v = ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) |
	    ((uint32_t)r->p[2] << 8) | r->p[3];
	r->p += 4;
	r->left -= 4;
	return (0);
}

static inline int
rd_u64(struct rd *r, uint64_t *v)
{
	uint32_t hi, lo;

	if (r->left < 8)
		return (-1);
	rd_u32(r, &hi);
	rd_u32(r, &lo);
	*v = ((uint64_t)hi << 32) | lo;
	return (0);
}

/* Copy n bytes out. */
static inline int
rd_copy(struct rd *r, void *dst, size_t n)
{
	if (r->left < n)
		return (-1);
	if (n > 0)
		memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return (0);
}

/* Point at n bytes in place and consume them. */
static inline int
rd_ptr(struct rd *r, size_t n, const uint8_t **out)
{
	if (r->left < n)
		return (-1);
	*out = r->p;
	r->p += n;
	r->left -= n;
	return (0);
}

/* Carve a child reader over the next n bytes and consume them. */
static inline int
rd_sub(struct rd *r, size_t n, struct rd *child)
{
	if (r->left < n)
		return (-1);
	child->p = r->p;
	child->left = n;
	r->p += n;
	r->left -= n;
	return (0);
}

static inline int
rd_skip(struct rd *r, size_t n)
{
	if (r->left < n)
		return (-1);
	r->p += n;
	r->left -= n;
	return (0);
}

/* Read without consuming. */
static inline int
rd_peek_u8(const struct rd *r, size_t off, uint8_t *v)
{
	if (r->left <= off)
		return (-1);
	*v = r->p[off];
	return (0);
}

static inline int
rd_peek_u16(const struct rd *r, size_t off, uint16_t *v)
{
	if (r->left < off + 2 || off + 2 < off)
		return (-1);
	*v = (uint16_t)((r->p[off] << 8) | r->p[off + 1]);
	return (0);
}

static inline int
rd_peek_u32(const struct rd *r, size_t off, uint32_t *v)
{
	if (r->left < off + 4 || off + 4 < off)
		return (-1);
	*v = ((uint32_t)r->p[off] << 24) | ((uint32_t)r->p[off + 1] << 16) |
	    ((uint32_t)r->p[off + 2] << 8) | r->p[off + 3];
	return (0);
}

/* Big-endian loads from a pointer already known to be in bounds. */
static inline uint16_t
be16(const uint8_t *p)
{
	return ((uint16_t)((p[0] << 8) | p[1]));
}

static inline uint32_t
be32(const uint8_t *p)
{
	return (((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
	    ((uint32_t)p[2] << 8) | p[3]);
}

/*
 * Writer.  Either over caller memory (wr_init_fixed, never grows) or
 * heap memory (wr_init, grows up to max).  wr_free() releases heap memory.
 */
struct wr {
	uint8_t		*buf;
	size_t		 len;
	size_t		 cap;
	size_t		 max;
	int		 err;
	int		 fixed;
};

void	wr_init(struct wr *, size_t initial, size_t max);
void	wr_init_fixed(struct wr *, void *buf, size_t cap);
void	wr_free(struct wr *);
void	wr_reset(struct wr *);
/* Make room for n more bytes (slow path of the appenders below). */
int	wr_need(struct wr *, size_t n);
int	wr_zero(struct wr *, size_t);
/* Reserve n bytes, return their offset (or SIZE_MAX on error). */
size_t	wr_reserve(struct wr *, size_t n);
int	wr_patch_u8(struct wr *, size_t off, uint8_t);
int	wr_patch_u16(struct wr *, size_t off, uint16_t);
int	wr_patch_u32(struct wr *, size_t off, uint32_t);

/*
 * The appenders are inline: encoders call them per field, millions of
 * times a second.  The fast path is one comparison; wr_need() does the
 * rest (growth, the bound, the sticky error).
 */
static inline int
wr_room(struct wr *w, size_t n)
{
	if (w->err == 0 && w->cap - w->len >= n)
		return (0);
	return (wr_need(w, n));
}

static inline int
wr_u8(struct wr *w, uint8_t v)
{
	if (wr_room(w, 1) == -1)
		return (-1);
	w->buf[w->len++] = v;
	return (0);
}

static inline int
wr_u16(struct wr *w, uint16_t v)
{
	if (wr_room(w, 2) == -1)
		return (-1);
	w->buf[w->len] = (uint8_t)(v >> 8);
	w->buf[w->len + 1] = (uint8_t)v;
	w->len += 2;
	return (0);
}

static inline int
wr_u32(struct wr *w, uint32_t v)
{
	if (wr_room(w, 4) == -1)
		return (-1);
	w->buf[w->len] = (uint8_t)(v >> 24);
	w->buf[w->len + 1] = (uint8_t)(v >> 16);
	w->buf[w->len + 2] = (uint8_t)(v >> 8);
	w->buf[w->len + 3] = (uint8_t)v;
	w->len += 4;
	return (0);
}

static inline int
wr_u64(struct wr *w, uint64_t v)
{
	if (wr_u32(w, (uint32_t)(v >> 32)) == -1)
		return (-1);
	return (wr_u32(w, (uint32_t)v));
}

static inline int
wr_bytes(struct wr *w, const void *p, size_t n)
{
	if (wr_room(w, n) == -1)
		return (-1);
	if (n > 0)
		memcpy(w->buf + w->len, p, n);
	w->len += n;
	return (0);
}

static inline int
wr_ok(const struct wr *w)
{
	return (w->err == 0);
}

static inline size_t
wr_len(const struct wr *w)
{
	return (w->len);
}

static inline const uint8_t *
wr_data(const struct wr *w)
{
	return (w->buf);
}

#endif /* BGPLENS_WIRE_H */
