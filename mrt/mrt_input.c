/*
 * mrt_input.c -- MRT files in, records out.
 *
 * Two stages.  The source turns a file (plain, gzip or bzip2, recognised
 * by their magic bytes, never by the name) into a stream of decompressed
 * bytes, read in fixed chunks, so memory does not grow with the file.  A
 * truncated compressed stream yields every byte that can be decoded and
 * then an error, since real archives are often cut (see the *_firstMB.bz2
 * files of pyasn).
 *
 * The framer cuts that stream into records over one window buffer.  A
 * record is handed out in place when it fits in the window; the window
 * grows to the largest record seen (some RIB records exceed 64 KiB) and
 * is reused for every record.
 *
 * Corrupt input.  A header whose type is unknown or whose length is
 * absurd is not trusted: the framer reports it and scans forward, byte by
 * byte, for a position where three records chain (each header plausible
 * and starting where the previous one ended) or a record that ends
 * exactly at the end of the stream.  When the reader says a record did
 * not decode (mrt_in_mark_bad), its length is suspect too: if the header
 * after it is not plausible the scan starts right after the last good
 * record, which recovers the records a torn header would otherwise
 * swallow.
 */
#include <bzlib.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "mrt.h"
#include "wire.h"

#define IN_CHUNK	(256u << 10)	/* compressed bytes per read */
#define WIN_INITIAL	(512u << 10)	/* framing window, grows */
#define KEEP_LIMIT	(16u << 20)	/* bytes kept back for a rescan */
#define RESYNC_DEPTH	3		/* records that must chain */
#define TS_WINDOW	(7u * 86400)	/* plausible clock jump while scanning */
/*
 * Decompressed bytes allowed per compressed byte, past a floor: MRT
 * archives compress 5 to 20 times, while a 178-byte bzip2 stream expands
 * to 200 MB of zeros (and a few kilobytes to terabytes).  A stream past
 * the bound ends with an error, so what one input costs follows its size.
 */
#define BOMB_RATIO	200
#define BOMB_FLOOR	(1ULL << 30)

struct src {
	enum mrt_comp	 comp;
	int		 fd;
	bool		 own_fd;
	const uint8_t	*mem;		/* in-memory input */
	size_t		 mem_len;
	size_t		 mem_pos;
	uint8_t		*ibuf;		/* compressed (or plain) input */
	size_t		 ilen;		/* valid bytes in ibuf */
	size_t		 ipos;		/* next unread byte in ibuf */
	bool		 in_eof;
	bool		 eof;		/* no more output */
	uint64_t	 out_total;	/* decompressed so far */
	uint64_t	 out_max;	/* 0 = no bound (a pipe, plain input) */
	z_stream	 z;
	bool		 z_init;
	bool		 z_live;		/* inside a member */
	bz_stream	 bz;
	bool		 bz_live;
	struct pbz	*pbz;		/* bzip2 on several cores */
	char		 err[160];
};

struct mrt_in {
	char		*name;
	struct src	 s;
	uint8_t		*buf;
	size_t		 cap;
	size_t		 pos;		/* next header */
	size_t		 end;		/* valid bytes */
	uint64_t	 base;		/* stream offset of buf[0] */
	bool		 src_done;
	bool		 src_err_told;
	/* framing */
	bool		 have_cur;	/* a record was handed out */
	bool		 cur_bad;	/* ... and did not decode */
	uint64_t	 cur_end;
	uint32_t	 cur_ts;
	bool		 bad_streak;	/* records since good_end were bad */
	uint64_t	 good_end;	/* offset after the last good record */
	uint64_t	 scan_floor;	/* a rescan starts no lower than this */
	uint32_t	 good_ts;
	bool		 have_ts;
	uint64_t	 skipped;
	uint64_t	 err_off;
	char		 err[320];
};

/* ---- source --------------------------------------------------------- */

/* Raw bytes from the file or memory into ibuf; false at end of input. */
static bool
src_refill(struct src *s)
{
	ssize_t n;

	if (s->in_eof)
		return (false);
	if (s->mem != NULL) {
		/* Memory input is served in place, in one piece. */
		if (s->mem_pos >= s->mem_len) {
			s->in_eof = true;
			return (false);
		}
		s->ibuf = (uint8_t *)(uintptr_t)(s->mem + s->mem_pos);
		s->ilen = s->mem_len - s->mem_pos;
		s->ipos = 0;
		s->mem_pos = s->mem_len;
		return (true);
	}
	for (;;) {
		n = read(s->fd, s->ibuf, IN_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	if (n < 0) {
		snprintf(s->err, sizeof(s->err), "read error: %s",
		    strerror(errno));
		s->in_eof = true;
		return (false);
	}
	if (n == 0) {
		s->in_eof = true;
		return (false);
	}
	s->ilen = (size_t)n;
	s->ipos = 0;
	return (true);
}

static size_t
src_avail(const struct src *s)
{
	return (s->ilen - s->ipos);
}

/* At least n unread bytes in ibuf, if the input has them. */
static bool
src_peek(struct src *s, size_t n)
{
	ssize_t r;

	if (src_avail(s) == 0 && !src_refill(s))
		return (false);
	if (src_avail(s) >= n || s->mem != NULL)
		return (src_avail(s) >= n);
	/* A chunk boundary splits the bytes: move them up, read more. */
	memmove(s->ibuf, s->ibuf + s->ipos, src_avail(s));
	s->ilen = src_avail(s);
	s->ipos = 0;
	while (s->ilen < n && !s->in_eof) {
		r = read(s->fd, s->ibuf + s->ilen, IN_CHUNK - s->ilen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			s->in_eof = true;
			break;
		}
		s->ilen += (size_t)r;
	}
	return (src_avail(s) >= n);
}

/* Another gzip member or bzip2 stream follows (concatenated files). */
static bool
src_next_member(struct src *s, const uint8_t *magic, size_t mlen)
{
	/* Trailing bytes too short for a header are ignored. */
	if (!src_peek(s, mlen))
		return (false);
	return (memcmp(s->ibuf + s->ipos, magic, mlen) == 0);
}

static ssize_t
src_read_plain(struct src *s, uint8_t *dst, size_t len)
{
	size_t	n;
	ssize_t	r;

	/* Large reads of a plain file go straight to the window. */
	if (src_avail(s) == 0 && s->mem == NULL && len >= IN_CHUNK &&
	    !s->in_eof) {
		do {
			r = read(s->fd, dst, len);
		} while (r < 0 && errno == EINTR);
		if (r < 0) {
			snprintf(s->err, sizeof(s->err), "read error: %s",
			    strerror(errno));
			s->in_eof = true;
			return (0);
		}
		if (r == 0)
			s->in_eof = true;
		return (r);
	}
	if (src_avail(s) == 0 && !src_refill(s))
		return (0);
	n = src_avail(s);
	if (n > len)
		n = len;
	memcpy(dst, s->ibuf + s->ipos, n);
	s->ipos += n;
	return ((ssize_t)n);
}

/*
 * The decompressors may hold output back when the caller's buffer fills,
 * so the end of the input is only the end of the stream once a call with
 * no input produces nothing.
 */
static bool
src_more_input(struct src *s)
{
	return (src_avail(s) > 0 || src_refill(s));
}

static ssize_t
src_read_gzip(struct src *s, uint8_t *dst, size_t len)
{
	static const uint8_t	 gzmagic[2] = { 0x1f, 0x8b };
	size_t			 done = 0, before;
	bool			 more;
	int			 rv;

	while (done < len) {
		if (!s->z_live) {
			if (!src_next_member(s, gzmagic, sizeof(gzmagic))) {
				s->eof = true;
				break;
			}
			inflateReset(&s->z);
			s->z_live = true;
		}
		more = src_more_input(s);
		s->z.next_in = s->ibuf + s->ipos;
		s->z.avail_in = (uInt)src_avail(s);
		s->z.next_out = dst + done;
		before = len - done > UINT32_MAX ? UINT32_MAX : len - done;
		s->z.avail_out = (uInt)before;
		rv = inflate(&s->z, Z_NO_FLUSH);
		s->ipos = s->ilen - s->z.avail_in;
		done += before - s->z.avail_out;
		if (rv == Z_STREAM_END) {
			/* Keep the state for inflateReset(), not live. */
			s->z_live = false;
			continue;
		}
		if (rv != Z_OK && rv != Z_BUF_ERROR) {
			snprintf(s->err, sizeof(s->err), "gzip data error: %s",
			    s->z.msg != NULL ? s->z.msg : "corrupt stream");
			s->eof = true;
			break;
		}
		if (!more && s->z.avail_out == before) {
			snprintf(s->err, sizeof(s->err), "gzip stream "
			    "truncated (compressed data ends early)");
			s->eof = true;
			break;
		}
	}
	return ((ssize_t)done);
}

/* Compressed bytes for the parallel bzip2 decoder. */
static ssize_t
src_raw(void *arg, uint8_t *dst, size_t len)
{
	struct src	*s = arg;
	size_t		 n;

	if (src_avail(s) == 0 && !src_refill(s))
		return (0);
	n = src_avail(s);
	if (n > len)
		n = len;
	memcpy(dst, s->ibuf + s->ipos, n);
	s->ipos += n;
	return ((ssize_t)n);
}

static ssize_t
src_read_pbz(struct src *s, uint8_t *dst, size_t len)
{
	ssize_t n = pbz_read(s->pbz, dst, len);

	if (n <= 0) {
		if (pbz_error(s->pbz)[0] != '\0' && s->err[0] == '\0')
			snprintf(s->err, sizeof(s->err), "%s",
			    pbz_error(s->pbz));
		s->eof = true;
		return (0);
	}
	return (n);
}

static ssize_t
src_read_bzip2(struct src *s, uint8_t *dst, size_t len)
{
	static const uint8_t	 bzmagic[3] = { 'B', 'Z', 'h' };
	size_t			 done = 0, before;
	bool			 more;
	int			 rv;

	while (done < len) {
		if (!s->bz_live) {
			/* Another stream of a concatenated file (pbzip2). */
			if (!src_next_member(s, bzmagic, sizeof(bzmagic))) {
				s->eof = true;
				break;
			}
			memset(&s->bz, 0, sizeof(s->bz));
			if (BZ2_bzDecompressInit(&s->bz, 0, 0) != BZ_OK) {
				snprintf(s->err, sizeof(s->err),
				    "bzip2: cannot initialise");
				s->eof = true;
				break;
			}
			s->bz_live = true;
		}
		more = src_more_input(s);
		s->bz.next_in = (char *)(s->ibuf + s->ipos);
		s->bz.avail_in = (unsigned)src_avail(s);
		s->bz.next_out = (char *)(dst + done);
		before = len - done > UINT32_MAX ? UINT32_MAX : len - done;
		s->bz.avail_out = (unsigned)before;
		rv = BZ2_bzDecompress(&s->bz);
		s->ipos = s->ilen - s->bz.avail_in;
		done += before - s->bz.avail_out;
		if (rv == BZ_STREAM_END) {
			BZ2_bzDecompressEnd(&s->bz);
			s->bz_live = false;
			continue;
		}
		if (rv != BZ_OK) {
			snprintf(s->err, sizeof(s->err), "bzip2 data error "
			    "(code %d)", rv);
			s->eof = true;
			break;
		}
		if (!more && s->bz.avail_out == before) {
			snprintf(s->err, sizeof(s->err), "bzip2 stream "
			    "truncated (compressed data ends early)");
			s->eof = true;
			break;
		}
	}
	return ((ssize_t)done);
}

/* Decompressed bytes into dst; 0 at the end (s->err says if it was bad). */
static ssize_t
src_read(struct src *s, uint8_t *dst, size_t len)
{
	ssize_t n;

	if (s->eof || len == 0)
		return (0);
	switch (s->comp) {
	case MRT_COMP_GZIP:
		n = src_read_gzip(s, dst, len);
		break;
	case MRT_COMP_BZIP2:
		n = s->pbz != NULL ? src_read_pbz(s, dst, len) :
		    src_read_bzip2(s, dst, len);
		break;
	default:
		n = src_read_plain(s, dst, len);
		if (n == 0)
			s->eof = true;
		break;
	}
	if (n > 0 && s->comp != MRT_COMP_NONE && s->out_max != 0) {
		s->out_total += (uint64_t)n;
		if (s->out_total > s->out_max) {
			n -= (ssize_t)(s->out_total - s->out_max);
			s->out_total = s->out_max;
			snprintf(s->err, sizeof(s->err), "decompressed data "
			    "over %llu bytes, too many for the compressed "
			    "size: not read further", (unsigned long long)
			    s->out_max);
			s->eof = true;
		}
	}
	return (n);
}

/* The bound on decompressed bytes for compressed_len bytes of input. */
static uint64_t
bomb_limit(uint64_t compressed_len)
{
	if (compressed_len > BOMB_FLOOR / BOMB_RATIO)
		return (compressed_len > UINT64_MAX / BOMB_RATIO ? UINT64_MAX :
		    compressed_len * BOMB_RATIO);
	return (BOMB_FLOOR);
}

void
mrt_in_set_max_bytes(struct mrt_in *in, uint64_t max)
{
	in->s.out_max = max;
}

/*
 * Threads for bzip2: one per core, unless the machine is already
 * oversubscribed (a load average of twice the cores): parallel bzip2 is
 * memory-bound, and on a busy machine two decoders fighting over caches
 * cost more than they save.  BGPLENS_THREADS overrides (1 = decode on the
 * reading thread).
 */
static long
decoder_threads(void)
{
	const char	*e = getenv("BGPLENS_THREADS");
	double		 load;
	long		 n;

	if (e != NULL && (n = strtol(e, NULL, 10)) >= 1)
		return (n);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n > 1 && getloadavg(&load, 1) == 1 && load >= 2.0 * (double)n)
		return (1);
	return (n);
}

static int
src_start(struct src *s, char *err, size_t errlen)
{
	long ncpu;

	if (!src_refill(s)) {
		if (s->err[0] != '\0') {
			snprintf(err, errlen, "%s", s->err);
			return (-1);
		}
		s->comp = MRT_COMP_NONE;	/* empty file: no records */
		return (0);
	}
	/* The magic may straddle a short first read of a pipe. */
	while (src_avail(s) < 4 && s->mem == NULL && !s->in_eof) {
		ssize_t n = read(s->fd, s->ibuf + s->ilen, IN_CHUNK - s->ilen);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		s->ilen += (size_t)n;
	}
	if (src_avail(s) >= 2 && s->ibuf[0] == 0x1f && s->ibuf[1] == 0x8b) {
		s->comp = MRT_COMP_GZIP;
		if (inflateInit2(&s->z, 15 + 16) != Z_OK) {
			snprintf(err, errlen, "zlib: cannot initialise");
			return (-1);
		}
		s->z_init = s->z_live = true;
	} else if (src_avail(s) >= 4 && memcmp(s->ibuf, "BZh", 3) == 0 &&
	    s->ibuf[3] >= '1' && s->ibuf[3] <= '9') {
		s->comp = MRT_COMP_BZIP2;
		/*
		 * With more than one core, decode blocks in parallel (files
		 * only: memory input is for tests and fuzzing, which want
		 * the plain decoder and no threads).
		 */
		ncpu = s->mem == NULL ? decoder_threads() : 1;
		if (ncpu > 1 && (s->pbz = pbz_open(src_raw, s,
		    (unsigned)ncpu)) != NULL)
			return (0);
		if (BZ2_bzDecompressInit(&s->bz, 0, 0) != BZ_OK) {
			snprintf(err, errlen, "bzip2: cannot initialise");
			return (-1);
		}
		s->bz_live = true;
	} else
		s->comp = MRT_COMP_NONE;
	return (0);
}

static void
src_close(struct src *s)
{
	if (s->z_init)
		inflateEnd(&s->z);
	if (s->bz_live)
		BZ2_bzDecompressEnd(&s->bz);
	pbz_close(s->pbz);
	if (s->mem == NULL)
		free(s->ibuf);
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
}

/* ---- framing -------------------------------------------------------- */

static void
in_err(struct mrt_in *in, uint64_t off, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
in_err(struct mrt_in *in, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(in->err, sizeof(in->err), fmt, ap);
	va_end(ap);
	in->err_off = off;
}

/*
 * Make sure "need" bytes are available from buf[pos]; returns what is
 * available (less only at the end of the stream).  Bytes before pos are
 * dropped when room is needed, except, after a record that did not
 * decode, those from the last good record on, which a rescan may need.
 */
static size_t
in_fill(struct mrt_in *in, size_t need)
{
	size_t	 keep, want, ncap;
	uint8_t	*nb;
	ssize_t	 n;

	while (in->end - in->pos < need && !in->src_done) {
		if (in->cap - in->end < IN_CHUNK ||
		    in->cap - in->pos < need) {
			keep = in->pos;
			if (in->bad_streak && in->good_end >= in->base &&
			    in->base + in->pos - in->good_end <= KEEP_LIMIT)
				keep = (size_t)(in->good_end - in->base);
			if (keep > 0) {
				memmove(in->buf, in->buf + keep,
				    in->end - keep);
				in->base += keep;
				in->pos -= keep;
				in->end -= keep;
			}
			want = in->pos + need + IN_CHUNK;
			if (in->cap < want) {
				ncap = in->cap * 2 > want ? in->cap * 2 : want;
				if ((nb = realloc(in->buf, ncap)) == NULL)
					break;
				in->buf = nb;
				in->cap = ncap;
			}
		}
		n = src_read(&in->s, in->buf + in->end, in->cap - in->end);
		if (n <= 0) {
			in->src_done = true;
			break;
		}
		in->end += (size_t)n;
	}
	return (in->end - in->pos);
}

static bool
type_known(uint16_t type)
{
	switch (type) {
	case MRT_NULL: case MRT_START: case MRT_DIE: case MRT_I_AM_DEAD:
	case MRT_PEER_DOWN: case MRT_BGP: case MRT_RIP: case MRT_IDRP:
	case MRT_RIPNG: case MRT_BGP4PLUS: case MRT_BGP4PLUS_01:
	case MRT_OSPFV2: case MRT_TABLE_DUMP: case MRT_TABLE_DUMP_V2:
	case MRT_BGP4MP: case MRT_BGP4MP_ET: case MRT_ISIS: case MRT_ISIS_ET:
	case MRT_OSPFV3: case MRT_OSPFV3_ET:
		return (true);
	}
	return (false);
}

static bool
type_is_et(uint16_t type)
{
	return (type == MRT_BGP4MP_ET || type == MRT_ISIS_ET ||
	    type == MRT_OSPFV3_ET);
}

struct hdr {
	uint32_t	ts;
	uint16_t	type;
	uint16_t	subtype;
	uint32_t	len;		/* as on the wire, ET microseconds in */
	bool		et;
};

static void
hdr_parse(const uint8_t *p, struct hdr *h)
{
	struct rd r;

	rd_init(&r, p, MRT_HDR_LEN);
	rd_u32(&r, &h->ts);
	rd_u16(&r, &h->type);
	rd_u16(&r, &h->subtype);
	rd_u32(&r, &h->len);
	h->et = type_is_et(h->type);
}

/* The loose test every header must pass. */
static bool
hdr_sane(const struct hdr *h)
{
	if (!type_known(h->type) || h->len > MRT_MAX_REC_LEN)
		return (false);
	return (!h->et || h->len >= 4);
}

/* Subtypes defined for the types bgplens decodes. */
static bool
subtype_known(uint16_t type, uint16_t st)
{
	switch (type) {
	case MRT_BGP:
		return (st <= MRTBGP_KEEPALIVE);
	case MRT_TABLE_DUMP:
		return (st >= TD_AFI_IPV4 && st <= TD_AFI_IPV6_AS4);
	case MRT_TABLE_DUMP_V2:
		return (st >= TD2_PEER_INDEX_TABLE &&
		    st <= TD2_RIB_GENERIC_ADDPATH);
	case MRT_BGP4MP:
	case MRT_BGP4MP_ET:
		return (st <= BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH);
	}
	return (true);
}

/* A BGP4MP message record must show the BGP marker where it belongs. */
static bool
marker_ok(const struct hdr *h, const uint8_t *body, size_t avail)
{
	struct rd	r;
	unsigned	asn_len, ip_len, i;
	uint16_t	afi;
	const uint8_t	*m;

	switch (h->subtype) {
	case BGP4MP_MESSAGE: case BGP4MP_MESSAGE_LOCAL:
	case BGP4MP_MESSAGE_ADDPATH: case BGP4MP_MESSAGE_LOCAL_ADDPATH:
		asn_len = 2;
		break;
	case BGP4MP_MESSAGE_AS4: case BGP4MP_MESSAGE_AS4_LOCAL:
	case BGP4MP_MESSAGE_AS4_ADDPATH: case BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH:
		asn_len = 4;
		break;
	default:
		return (true);
	}
	rd_init(&r, body, avail);
	if (rd_skip(&r, asn_len * 2 + 2) == -1 || rd_u16(&r, &afi) == -1)
		return (false);
	if (afi == AFI_IPV4)
		ip_len = 4;
	else if (afi == AFI_IPV6)
		ip_len = 16;
	else
		return (false);
	if (rd_skip(&r, ip_len * 2) == -1 || rd_ptr(&r, 16, &m) == -1)
		return (false);
	for (i = 0; i < 16; i++)
		if (m[i] != 0xff)
			return (false);
	return (true);
}

/*
 * The strict test, used while scanning and after a record that did not
 * decode.  rel is the header's position relative to pos.
 */
static bool
hdr_strict(struct mrt_in *in, size_t rel, const struct hdr *h)
{
	size_t		avail, body, blen;
	uint32_t	d;

	if (!hdr_sane(h) || !subtype_known(h->type, h->subtype))
		return (false);
	if (in->have_ts) {
		d = h->ts > in->good_ts ? h->ts - in->good_ts :
		    in->good_ts - h->ts;
		if (d > TS_WINDOW)
			return (false);
	}
	if (h->type != MRT_BGP4MP && h->type != MRT_BGP4MP_ET)
		return (true);
	body = rel + (h->et ? MRT_ET_HDR_LEN : MRT_HDR_LEN);
	blen = h->len - (h->et ? 4 : 0);
	avail = in_fill(in, body + 64);
	if (avail < body)
		return (false);
	avail -= body;
	return (marker_ok(h, in->buf + in->pos + body,
	    avail < blen ? avail : blen));
}

/*
 * Does a chain of records start at pos?  Either RESYNC_DEPTH strict
 * headers each where the previous record ends, or records up to the
 * exact end of the stream.
 */
static bool
chain_at(struct mrt_in *in)
{
	struct hdr	h;
	size_t		off = 0, avail;
	int		depth;

	for (depth = 0; depth < RESYNC_DEPTH; depth++) {
		avail = in_fill(in, off + MRT_HDR_LEN);
		if (avail == off && depth > 0)
			return (true);	/* ends exactly at the end */
		if (avail < off + MRT_HDR_LEN)
			return (false);
		hdr_parse(in->buf + in->pos + off, &h);
		if (!hdr_strict(in, off, &h))
			return (false);
		off += MRT_HDR_LEN + h.len;
	}
	return (true);
}

/*
 * Scan from buf[from] for the next chain; leaves pos there (or at the
 * end).  Returns the bytes skipped since "start".
 */
static uint64_t
in_resync(struct mrt_in *in, size_t from, uint64_t start)
{
	in->pos = from;
	in->bad_streak = false;		/* nothing before pos is needed */
	for (;;) {
		if (in_fill(in, MRT_HDR_LEN) < MRT_HDR_LEN) {
			in->pos = in->end;
			break;
		}
		if (chain_at(in))
			break;
		in->pos++;
	}
	/*
	 * The chain found here may itself turn out bad; the next rescan
	 * must then look past it, or it would find the same chain again
	 * and hand out the same records for ever.
	 */
	in->scan_floor = in->base + in->pos + 1;
	in->skipped += in->base + in->pos - start;
	return (in->base + in->pos - start);
}

static enum mrt_in_status
in_src_error(struct mrt_in *in)
{
	if (in->s.err[0] != '\0' && !in->src_err_told) {
		in->src_err_told = true;
		in_err(in, in->base + in->end, "%s", in->s.err);
		return (MRT_IN_ERROR);
	}
	return (MRT_IN_EOF);
}

/* Settle the fate of the record handed out last. */
static void
in_settle(struct mrt_in *in)
{
	if (!in->have_cur)
		return;
	if (in->cur_bad)
		in->bad_streak = true;
	else {
		in->good_end = in->cur_end;
		in->good_ts = in->cur_ts;
		in->have_ts = true;
		in->bad_streak = false;
	}
	in->have_cur = in->cur_bad = false;
}

static enum mrt_in_status
in_bad_header(struct mrt_in *in, const struct hdr *h, uint64_t off)
{
	size_t		from = in->pos + 1;
	uint64_t	start = off, skipped;
	int		n;

	/*
	 * After records that did not decode, their lengths are the first
	 * suspects: rescan from the end of the last good record.
	 */
	if (in->bad_streak && in->good_end >= in->base &&
	    in->good_end < off) {
		from = (size_t)(in->good_end - in->base) + 1;
		start = in->good_end;
		if (in->scan_floor > in->good_end + 1 &&
		    in->scan_floor <= off)
			from = (size_t)(in->scan_floor - in->base);
	}
	skipped = in_resync(in, from, start);
	n = snprintf(in->err, sizeof(in->err), "corrupt record header "
	    "(type %u, subtype %u, length %u); ", h->type, h->subtype, h->len);
	if (start != off && n > 0 && (size_t)n < sizeof(in->err))
		n += snprintf(in->err + n, sizeof(in->err) - (size_t)n,
		    "rescanned from the end of the last good record (offset "
		    "%llu), ", (unsigned long long)start);
	if (n > 0 && (size_t)n < sizeof(in->err)) {
		if (in->pos >= in->end)
			snprintf(in->err + n, sizeof(in->err) - (size_t)n,
			    "no record after it, %llu bytes skipped",
			    (unsigned long long)skipped);
		else
			snprintf(in->err + n, sizeof(in->err) - (size_t)n,
			    "resynchronised at offset %llu, %llu bytes "
			    "skipped", (unsigned long long)(in->base + in->pos),
			    (unsigned long long)skipped);
	}
	in->err_off = off;
	return (MRT_IN_ERROR);
}

enum mrt_in_status
mrt_in_next(struct mrt_in *in, struct mrt_rec *rec)
{
	struct rd	r;
	struct hdr	h;
	size_t		avail, total;
	uint64_t	off;

	in_settle(in);
	avail = in_fill(in, MRT_HDR_LEN);
	off = in->base + in->pos;
	if (avail == 0)
		return (in_src_error(in));
	if (avail < MRT_HDR_LEN) {
		in->pos = in->end;
		in_err(in, off, "truncated record header (%zu of %u bytes)",
		    avail, MRT_HDR_LEN);
		return (MRT_IN_ERROR);
	}
	hdr_parse(in->buf + in->pos, &h);
	if (!hdr_sane(&h) || (in->bad_streak && !hdr_strict(in, 0, &h)))
		return (in_bad_header(in, &h, off));
	total = MRT_HDR_LEN + (size_t)h.len;
	avail = in_fill(in, total);
	off = in->base + in->pos;	/* the window may have moved */
	if (avail < total) {
		in->pos = in->end;
		in_err(in, off, "truncated record (type %u, subtype %u): "
		    "claims %u bytes, only %zu left", h.type, h.subtype,
		    h.len, avail - MRT_HDR_LEN);
		return (MRT_IN_ERROR);
	}
	rec->offset = off;
	rec->ts = h.ts;
	rec->type = h.type;
	rec->subtype = h.subtype;
	rec->usec = 0;
	rec->len = h.len;
	rd_init(&r, in->buf + in->pos + MRT_HDR_LEN, h.len);
	/* RFC 6396 3: the microseconds count in the length. */
	if (h.et) {
		rd_u32(&r, &rec->usec);
		rec->len -= 4;
	}
	rec->body = rd_cur(&r);
	in->pos += total;
	in->have_cur = true;
	in->cur_end = off + total;
	in->cur_ts = h.ts;
	return (MRT_IN_RECORD);
}

void
mrt_in_mark_bad(struct mrt_in *in)
{
	in->cur_bad = true;
}

/* ---- open/close ----------------------------------------------------- */

static struct mrt_in *
in_alloc(const char *name)
{
	struct mrt_in *in;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		return (NULL);
	if ((in->name = strdup(name)) == NULL ||
	    (in->buf = malloc(WIN_INITIAL)) == NULL) {
		free(in->name);
		free(in);
		return (NULL);
	}
	in->cap = WIN_INITIAL;
	in->s.fd = -1;
	return (in);
}

struct mrt_in *
mrt_in_open(const char *path, char *err, size_t errlen)
{
	struct mrt_in	*in;
	struct stat	 st;
	int		 fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		return (NULL);
	}
	if ((in = in_alloc(path)) == NULL ||
	    (in->s.ibuf = malloc(IN_CHUNK)) == NULL) {
		snprintf(err, errlen, "out of memory");
		if (in != NULL)
			mrt_in_close(in);
		if (fd != STDIN_FILENO)
			close(fd);
		return (NULL);
	}
	in->s.fd = fd;
	in->s.own_fd = fd != STDIN_FILENO;
	if (src_start(&in->s, err, errlen) == -1) {
		mrt_in_close(in);
		return (NULL);
	}
	/* A pipe's size is unknown: its reader bounds it (or not). */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		in->s.out_max = bomb_limit((uint64_t)st.st_size);
	return (in);
}

struct mrt_in *
mrt_in_open_mem(const void *buf, size_t len, const char *name)
{
	struct mrt_in	*in;
	char		 err[64];

	if ((in = in_alloc(name)) == NULL)
		return (NULL);
	/* Small inputs (tests, fuzzing) need no megabyte window. */
	if (len + MRT_ET_HDR_LEN < WIN_INITIAL) {
		uint8_t *nb = realloc(in->buf, IN_CHUNK);

		if (nb != NULL) {
			in->buf = nb;
			in->cap = IN_CHUNK;
		}
	}
	in->s.mem = buf;
	in->s.mem_len = len;
	if (src_start(&in->s, err, sizeof(err)) == -1) {
		mrt_in_close(in);
		return (NULL);
	}
	in->s.out_max = bomb_limit(len);
	return (in);
}

void
mrt_in_close(struct mrt_in *in)
{
	if (in == NULL)
		return;
	src_close(&in->s);
	free(in->buf);
	free(in->name);
	free(in);
}

const char *
mrt_in_error(const struct mrt_in *in, uint64_t *offset)
{
	if (offset != NULL)
		*offset = in->err_off;
	return (in->err);
}

enum mrt_comp
mrt_in_compression(const struct mrt_in *in)
{
	return (in->s.comp);
}

const char *
mrt_in_name(const struct mrt_in *in)
{
	return (in->name);
}

uint64_t
mrt_in_bytes(const struct mrt_in *in)
{
	return (in->base + in->end);
}

uint64_t
mrt_in_skipped(const struct mrt_in *in)
{
	return (in->skipped);
}
