/*
 * mrt_obuf.c -- the buffered writer the MRT printers build lines in.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrt.h"

int
obuf_init(struct obuf *o, int fd, size_t cap)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	if ((o->buf = malloc(cap)) == NULL)
		return (-1);
	o->cap = cap;
	return (0);
}

void
obuf_free(struct obuf *o)
{
	free(o->buf);
	o->buf = NULL;
	o->cap = o->len = 0;
}

int
obuf_flush(struct obuf *o)
{
	size_t	off = 0;
	ssize_t	n;

	while (off < o->len && o->err == 0) {
		n = write(o->fd, o->buf + off, o->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* Keep going without output (e.g. EPIPE). */
			o->err = errno;
			break;
		}
		off += (size_t)n;
	}
	o->len = 0;
	return (o->err == 0 ? 0 : -1);
}

char *
obuf_room(struct obuf *o, size_t n)
{
	char *nb;

	obuf_flush(o);
	if (n > o->cap) {
		/* One line longer than the buffer: grow for it. */
		if ((nb = realloc(o->buf, n)) == NULL)
			abort();
		o->buf = nb;
		o->cap = n;
	}
	return (o->buf + o->len);
}

void
obuf_write(struct obuf *o, const void *p, size_t n)
{
	char *d = obuf_reserve(o, n);

	memcpy(d, p, n);
	obuf_commit(o, d + n);
}
