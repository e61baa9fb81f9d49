/*
 * msgbuf.c -- the stream reassembler of msgbuf.h.
 *
 * One buffer per stream: [start, end) holds what came in and was not
 * handed out yet.  It is compacted (moved to the front) when the room at
 * the end runs short, grown only when the message being assembled is
 * longer than the buffer (and never past the maximum, which the header
 * was checked against first), and shrunk back once a big message is
 * gone, so a thousand idle routers cost a thousand small buffers.
 */
#include <stdlib.h>
#include <string.h>

#include "msgbuf.h"

int
msgbuf_init(struct msgbuf *m, size_t hdr_len, size_t max_len, size_t initial,
    msgbuf_len_fn fn)
{
	memset(m, 0, sizeof(*m));
	m->hdr_len = hdr_len;
	m->max_len = max_len;
	m->len_fn = fn;
	m->min_cap = initial < hdr_len ? hdr_len : initial;
	if ((m->buf = malloc(m->min_cap)) == NULL)
		return (-1);
	m->cap = m->min_cap;
	return (0);
}

void
msgbuf_free(struct msgbuf *m)
{
	free(m->buf);
	m->buf = NULL;
	m->cap = m->start = m->end = 0;
}

static void
compact(struct msgbuf *m)
{
	if (m->start == 0)
		return;
	if (m->end > m->start)
		memmove(m->buf, m->buf + m->start, m->end - m->start);
	m->end -= m->start;
	m->start = 0;
}

/* Make the capacity at least cap (after compacting); -1 if out of memory. */
static int
reserve(struct msgbuf *m, size_t cap)
{
	uint8_t	*nb;
	size_t	 nc;

	compact(m);
	if (m->cap >= cap)
		return (0);
	nc = m->cap * 2;
	if (nc < cap)
		nc = cap;
	if ((nb = realloc(m->buf, nc)) == NULL)
		return (-1);
	m->buf = nb;
	m->cap = nc;
	return (0);
}

/* The declared length of the pending message; 0 if unknown or invalid. */
static size_t
pending_len(const struct msgbuf *m)
{
	char	err[8];
	long	l;

	if (m->end - m->start < m->hdr_len)
		return (0);
	l = m->len_fn(m->buf + m->start, m->max_len, err, sizeof(err));
	/*
	 * Past the maximum is a framing error for msgbuf_next() to report,
	 * never room to grow for, whatever the length function let by.
	 */
	if (l < (long)m->hdr_len || (size_t)l > m->max_len)
		return (0);
	return ((size_t)l);
}

size_t
msgbuf_partial_want(const struct msgbuf *m)
{
	return (pending_len(m));
}

int
msgbuf_feed(struct msgbuf *m, const void *p, size_t len)
{
	if (m->cap - m->end < len &&
	    reserve(m, m->end - m->start + len) == -1)
		return (-1);
	if (len > 0)
		memcpy(m->buf + m->end, p, len);
	m->end += len;
	return (0);
}

uint8_t *
msgbuf_space(struct msgbuf *m, size_t want, size_t *room)
{
	size_t	pending = m->end - m->start, need, target;
	uint8_t	*nb;

	*room = 0;
	if (m->failed)
		return (NULL);
	/* Give a big buffer back once its message is gone. */
	if (pending < m->min_cap / 2 && m->cap > 4 * m->min_cap) {
		compact(m);
		if ((nb = realloc(m->buf, m->min_cap)) != NULL) {
			m->buf = nb;
			m->cap = m->min_cap;
		}
	}
	need = pending_len(m);
	target = m->min_cap > need ? m->min_cap : need;
	if (pending + want < target)
		target = pending + want;
	if (target <= pending)
		target = pending + 1;
	if (m->cap - m->end < want || m->cap < target)
		if (reserve(m, target) == -1)
			return (NULL);
	*room = m->cap - m->end;
	return (m->buf + m->end);
}

void
msgbuf_commit(struct msgbuf *m, size_t n)
{
	if (n > m->cap - m->end)
		n = m->cap - m->end;
	m->end += n;
}

int
msgbuf_next(struct msgbuf *m, const uint8_t **msg, size_t *len)
{
	long	l;

	if (m->failed)
		return (-1);
	if (m->end - m->start < m->hdr_len)
		return (0);
	l = m->len_fn(m->buf + m->start, m->max_len, m->err, sizeof(m->err));
	if (l < 0 || (size_t)l < m->hdr_len || (size_t)l > m->max_len) {
		if (l >= 0)
			strcpy(m->err, "message length out of range");
		m->failed = 1;
		return (-1);
	}
	if (m->end - m->start < (size_t)l)
		return (0);
	*msg = m->buf + m->start;
	*len = (size_t)l;
	m->start += (size_t)l;
	m->offset += (uint64_t)l;
	return (1);
}
