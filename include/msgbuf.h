/*
 * msgbuf.h -- a stream reassembler: bytes in, whole messages out.
 *
 * Parameterized by the size of a message header and a function that reads
 * the total length from it, so BMP (6-octet common header) and BGP
 * (19-octet header) streams are cut by the same code.  A length is
 * checked against the maximum as soon as its header is in, before any
 * memory is grown for the message: a hostile length costs nothing.
 *
 * Bytes go in either by copy (msgbuf_feed) or, to spare the copy, by
 * reading straight into the buffer (msgbuf_space, then msgbuf_commit).
 * msgbuf_next() hands out each complete message in place; the pointer
 * stays valid until the next call that adds bytes.
 */
#ifndef BGPLENS_MSGBUF_H
#define BGPLENS_MSGBUF_H

#include <stddef.h>
#include <stdint.h>

/*
 * Total length of the message whose header is at hdr (hdr_len octets), or
 * -1 with a reason written to err (at most errlen octets).
 */
typedef long (*msgbuf_len_fn)(const uint8_t *hdr, size_t max, char *err,
    size_t errlen);

struct msgbuf {
	uint8_t		*buf;
	size_t		 cap;
	size_t		 start;		/* first unread octet */
	size_t		 end;		/* past the last octet in */
	size_t		 hdr_len;
	size_t		 max_len;
	size_t		 min_cap;
	msgbuf_len_fn	 len_fn;
	uint64_t	 offset;	/* stream offset of buf[start] */
	int		 failed;	/* a framing error: sticky */
	char		 err[192];
};

int		 msgbuf_init(struct msgbuf *, size_t hdr_len, size_t max_len,
		    size_t initial, msgbuf_len_fn);
void		 msgbuf_free(struct msgbuf *);
/* Copy len octets in; -1 on allocation failure. */
int		 msgbuf_feed(struct msgbuf *, const void *, size_t);
/*
 * Room to read into, at least want octets when the message being
 * assembled needs them (else what is free); NULL on allocation failure
 * or after a framing error.
 */
uint8_t		*msgbuf_space(struct msgbuf *, size_t want,
		    size_t *room);
void		 msgbuf_commit(struct msgbuf *, size_t);
/*
 * 1: a whole message in *msg, *len; 0: more bytes needed; -1: framing
 * error (msgbuf_error()), and every later call says so again.
 */
int		 msgbuf_next(struct msgbuf *, const uint8_t **msg,
		    size_t *len);
/* Octets in but not handed out (a partial message). */
static inline size_t
msgbuf_pending(const struct msgbuf *m)
{
	return (m->end - m->start);
}
/* Stream offset of the next message (of the one just handed out: -len). */
static inline uint64_t
msgbuf_offset(const struct msgbuf *m)
{
	return (m->offset);
}
static inline const char *
msgbuf_error(const struct msgbuf *m)
{
	return (m->err);
}
/*
 * With a partial message pending: its declared length (0 if its header
 * is not in yet).
 */
size_t		 msgbuf_partial_want(const struct msgbuf *);

#endif /* BGPLENS_MSGBUF_H */
