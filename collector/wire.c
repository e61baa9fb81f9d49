/*
 * wire.c -- the growable, bounded writer of wire.h.  The reader is all
 * static inline in the header: it sits on every hot path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

void
wr_init(struct wr *w, size_t initial, size_t max)
{
	memset(w, 0, sizeof(*w));
	w->max = max;
	if (initial > max)
		initial = max;
	if (initial > 0) {
		w->buf = malloc(initial);
		if (w->buf == NULL)
			w->err = 1;
		else
			w->cap = initial;
	}
}

void
wr_init_fixed(struct wr *w, void *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	w->max = cap;
	w->fixed = 1;
}

void
wr_free(struct wr *w)
{
	if (!w->fixed)
		free(w->buf);
	w->buf = NULL;
	w->len = w->cap = 0;
}

void
wr_reset(struct wr *w)
{
	w->len = 0;
	w->err = 0;
}

/* Make room for n more bytes; sticky error on overflow or OOM. */
int
wr_need(struct wr *w, size_t n)
{
	size_t	 ncap;
	uint8_t	*nb;

	if (w->err)
		return (-1);
	if (n > w->max || w->len > w->max - n) {
		w->err = 1;
		return (-1);
	}
	if (w->len + n <= w->cap)
		return (0);
	if (w->fixed) {
		w->err = 1;
		return (-1);
	}
	ncap = w->cap ? w->cap : 256;
	while (ncap < w->len + n) {
		if (ncap > w->max / 2) {	/* doubling would pass max */
			ncap = w->max;
			break;
		}
		ncap *= 2;
	}
	if (ncap > w->max)
		ncap = w->max;
	nb = realloc(w->buf, ncap);
	if (nb == NULL) {
		w->err = 1;
		return (-1);
	}
	w->buf = nb;
	w->cap = ncap;
	return (0);
}

int
wr_zero(struct wr *w, size_t n)
{
	if (wr_need(w, n) == -1)
		return (-1);
	if (n > 0)
		memset(w->buf + w->len, 0, n);
	w->len += n;
	return (0);
}

size_t
wr_reserve(struct wr *w, size_t n)
{
	size_t off;

	if (wr_need(w, n) == -1)
		return (SIZE_MAX);
	off = w->len;
	memset(w->buf + off, 0, n);
	w->len += n;
	return (off);
}

static int
wr_patch_check(struct wr *w, size_t off, size_t n)
{
	if (w->err || off == SIZE_MAX || off > w->len || w->len - off < n) {
		w->err = 1;
		return (-1);
	}
	return (0);
}

int
wr_patch_u8(struct wr *w, size_t off, uint8_t v)
{
	if (wr_patch_check(w, off, 1) == -1)
		return (-1);
	w->buf[off] = v;
	return (0);
}

int
wr_patch_u16(struct wr *w, size_t off, uint16_t v)
{
	if (wr_patch_check(w, off, 2) == -1)
		return (-1);
	w->buf[off] = (uint8_t)(v >> 8);
	w->buf[off + 1] = (uint8_t)v;
	return (0);
}

int
wr_patch_u32(struct wr *w, size_t off, uint32_t v)
{
	if (wr_patch_check(w, off, 4) == -1)
		return (-1);
	w->buf[off] = (uint8_t)(v >> 24);
	w->buf[off + 1] = (uint8_t)(v >> 16);
	w->buf[off + 2] = (uint8_t)(v >> 8);
	w->buf[off + 3] = (uint8_t)v;
	return (0);
}
