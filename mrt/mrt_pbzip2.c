/*
 * mrt_pbzip2.c -- bzip2 decompression on every core, in constant memory.
 *
 * bzip2 is the slowest part of reading a .bz2 RIB: libbz2 decodes about
 * 40 MB/s, so one core spends more time decompressing than the rest of
 * bgplens spends decoding and printing.  But a bzip2 stream is a sequence
 * of independent blocks, each starting with the 48-bit magic 0x314159265359
 * at any bit position and carrying its own CRC.  So:
 *
 *   - the reading thread scans the compressed bytes for block magics;
 *   - each block is re-packed, shifted to a byte boundary, as a complete
 *     one-block stream: "BZh" level, the block, the end-of-stream magic
 *     0x177245385090 and a combined CRC (for one block, the block CRC);
 *   - worker threads decode those streams with libbz2, which checks both
 *     CRCs as usual;
 *   - the output is handed out in block order.
 *
 * A few blocks are in flight at a time, so memory stays bounded whatever
 * the file size.  Concatenated streams (pbzip2 output) are followed.  A
 * truncated file decodes up to its last complete block, then reports.
 * The block magic can in theory occur inside compressed data (odds about
 * 2^-48 per bit); such a block fails its CRC and is reported as corrupt.
 */
#include <bzlib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrt.h"

#define BLOCK_MAGIC	0x314159265359ull
#define EOS_MAGIC	0x177245385090ull
#define MAGIC_MASK	0xffffffffffffull
#define MAX_WORKERS	8
#define CHUNK		(256u << 10)

enum job_state { JOB_FREE, JOB_QUEUED, JOB_RUNNING, JOB_DONE };

struct job {
	enum job_state	 state;
	uint64_t	 seq;
	uint8_t		*in;		/* the one-block stream */
	size_t		 in_len;
	size_t		 in_cap;
	uint8_t		*out;
	size_t		 out_len;
	size_t		 out_cap;
	int		 err;		/* libbz2 code, 0 = fine */
	uint64_t	 coff;		/* compressed offset of the block */
};

struct pbz {
	ssize_t		(*in_fn)(void *, uint8_t *, size_t);
	void		*in_arg;
	/* compressed window: bits from cbit (absolute bit offset base) */
	uint8_t		*cbuf;
	size_t		 clen;
	size_t		 ccap;
	uint64_t	 cbase;		/* stream byte offset of cbuf[0] */
	bool		 in_eof;
	/* scanner */
	uint64_t	 cur;		/* bit offset of the next magic */
	bool		 in_stream;	/* between "BZh" and end of stream */
	char		 level;
	bool		 scan_done;
	bool		 truncated;
	/* jobs */
	struct job	*jobs;
	unsigned	 n_jobs;
	uint64_t	 next_seq;	/* to queue */
	uint64_t	 out_seq;	/* to hand out */
	struct job	*cur_job;
	size_t		 cur_pos;
	/* threads */
	pthread_t	 th[MAX_WORKERS];
	unsigned	 n_th;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv_work;
	pthread_cond_t	 cv_done;
	bool		 quit;
	bool		 failed;
	char		 err[160];
};

/* ---- workers -------------------------------------------------------- */

static void
job_decode(struct job *j)
{
	bz_stream	 bz;
	uint8_t		*nb;
	int		 rv;

	memset(&bz, 0, sizeof(bz));
	j->out_len = 0;
	j->err = 0;
	if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK) {
		j->err = BZ_MEM_ERROR;
		return;
	}
	bz.next_in = (char *)j->in;
	bz.avail_in = (unsigned)j->in_len;
	for (;;) {
		if (j->out_len == j->out_cap) {
			/*
			 * A block is 900k at most before its run-length
			 * decoding: one megabyte is nearly always enough.
			 */
			size_t ncap = j->out_cap ? j->out_cap * 2 : (1u << 20);

			if ((nb = realloc(j->out, ncap)) == NULL) {
				j->err = BZ_MEM_ERROR;
				break;
			}
			j->out = nb;
			j->out_cap = ncap;
		}
		bz.next_out = (char *)(j->out + j->out_len);
		bz.avail_out = (unsigned)(j->out_cap - j->out_len);
		rv = BZ2_bzDecompress(&bz);
		j->out_len = j->out_cap - bz.avail_out;
		if (rv == BZ_STREAM_END)
			break;
		if (rv != BZ_OK) {
			j->err = rv;
			break;
		}
		if (bz.avail_in == 0 && bz.avail_out > 0) {
			j->err = BZ_UNEXPECTED_EOF;
			break;
		}
	}
	BZ2_bzDecompressEnd(&bz);
}

static void *
worker(void *arg)
{
	struct pbz	*p = arg;
	struct job	*j;
	unsigned	 i;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		j = NULL;
		/* Oldest queued job first: the reader waits for it. */
		for (i = 0; i < p->n_jobs; i++)
			if (p->jobs[i].state == JOB_QUEUED &&
			    (j == NULL || p->jobs[i].seq < j->seq))
				j = &p->jobs[i];
		if (j == NULL) {
			if (p->quit)
				break;
			pthread_cond_wait(&p->cv_work, &p->mu);
			continue;
		}
		j->state = JOB_RUNNING;
		pthread_mutex_unlock(&p->mu);
		job_decode(j);
		pthread_mutex_lock(&p->mu);
		j->state = JOB_DONE;
		pthread_cond_broadcast(&p->cv_done);
	}
	pthread_mutex_unlock(&p->mu);
	return (NULL);
}

/* ---- compressed window and bits ------------------------------------ */

/* Have the compressed bytes up to stream byte "upto" (or EOF). */
static bool
c_have(struct pbz *p, uint64_t upto)
{
	ssize_t	 n;
	uint8_t	*nb;
	size_t	 drop;

	while (p->cbase + p->clen < upto) {
		if (p->in_eof)
			return (false);
		if (p->ccap - p->clen < CHUNK) {
			/* Drop what the scanner has passed. */
			drop = (size_t)(p->cur / 8 - p->cbase);
			if (drop > 0) {
				memmove(p->cbuf, p->cbuf + drop,
				    p->clen - drop);
				p->clen -= drop;
				p->cbase += drop;
			}
			if (p->ccap - p->clen < CHUNK) {
				if ((nb = realloc(p->cbuf, p->ccap * 2)) ==
				    NULL)
					return (false);
				p->cbuf = nb;
				p->ccap *= 2;
			}
		}
		n = p->in_fn(p->in_arg, p->cbuf + p->clen, p->ccap - p->clen);
		if (n <= 0) {
			p->in_eof = true;
			return (false);
		}
		p->clen += (size_t)n;
	}
	return (true);
}

/* n <= 57 bits from absolute bit offset "bit" (must be in the window). */
static uint64_t
c_bits(const struct pbz *p, uint64_t bit, unsigned n)
{
	uint64_t	v = 0;
	size_t		i = (size_t)(bit / 8 - p->cbase);
	unsigned	sh = (unsigned)(bit % 8), k;

	for (k = 0; k < 8 && i + k < p->clen; k++)
		v = (v << 8) | p->cbuf[i + k];
	if (k == 0)
		return (0);
	if (k < 8)
		v <<= 8 * (8 - k);
	return ((v << sh) >> (64 - n));
}

/*
 * The next block or end-of-stream magic at or after bit "from": its bit
 * offset, or UINT64_MAX at the end of the input.
 */
static uint64_t
find_magic(struct pbz *p, uint64_t from)
{
	uint64_t	reg = 0, bit = from, byte;
	unsigned	k, n = 0;
	uint8_t		v;

	for (;;) {
		byte = bit / 8;
		if (!c_have(p, byte + 1))
			return (UINT64_MAX);
		v = p->cbuf[byte - p->cbase];
		for (k = (unsigned)(bit % 8); k < 8; k++, bit++) {
			reg = (reg << 1) | ((v >> (7 - k)) & 1);
			if (++n >= 48 && ((reg & MAGIC_MASK) == BLOCK_MAGIC ||
			    (reg & MAGIC_MASK) == EOS_MAGIC))
				return (bit + 1 - 48);
		}
	}
}

/* Append n bits of v to a job's input at bit position *pos. */
static void
put_bits(uint8_t *buf, uint64_t *pos, uint64_t v, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++, (*pos)++) {
		if ((v >> (n - 1 - i)) & 1)
			buf[*pos / 8] |= (uint8_t)(0x80 >> (*pos % 8));
	}
}

/* Re-pack bits [from, to) as a one-block stream into j. */
static bool
job_fill(struct pbz *p, struct job *j, uint64_t from, uint64_t to)
{
	uint64_t	 nbits = to - from, pos, crc;
	size_t		 need = (size_t)(nbits / 8) + 32, i, src;
	unsigned	 sh = (unsigned)(from % 8);
	uint8_t		*nb;

	if (need > j->in_cap) {
		if ((nb = realloc(j->in, need)) == NULL)
			return (false);
		j->in = nb;
		j->in_cap = need;
	}
	memset(j->in, 0, need);
	memcpy(j->in, "BZh", 3);
	j->in[3] = (uint8_t)p->level;
	/* Whole bytes, shifted into alignment. */
	src = (size_t)(from / 8 - p->cbase);
	for (i = 0; i < nbits / 8; i++) {
		uint8_t a = p->cbuf[src + i];
		uint8_t b = src + i + 1 < p->clen ? p->cbuf[src + i + 1] : 0;

		j->in[4 + i] = sh == 0 ? a : (uint8_t)((a << sh) |
		    (b >> (8 - sh)));
	}
	pos = 32 + (nbits / 8) * 8;
	if (nbits % 8)
		put_bits(j->in, &pos, c_bits(p, from + (nbits / 8) * 8,
		    (unsigned)(nbits % 8)), (unsigned)(nbits % 8));
	crc = c_bits(p, from + 48, 32);
	put_bits(j->in, &pos, EOS_MAGIC, 48);
	put_bits(j->in, &pos, crc, 32);
	j->in_len = (size_t)((pos + 7) / 8);
	j->coff = from / 8;
	return (true);
}

/*
 * Cut the next block.  Returns 1 with [*from, *to) set, 0 at the end of
 * the input (after the last stream, or truncated).
 */
static int
next_block(struct pbz *p, uint64_t *from, uint64_t *to)
{
	uint64_t	m, end;
	uint8_t		hdr[4];
	unsigned	i;

	for (;;) {
		if (!p->in_stream) {
			/* Stream header at a byte boundary. */
			if (!c_have(p, p->cur / 8 + 4))
				return (0);
			for (i = 0; i < 4; i++)
				hdr[i] = p->cbuf[p->cur / 8 - p->cbase + i];
			if (memcmp(hdr, "BZh", 3) != 0 || hdr[3] < '1' ||
			    hdr[3] > '9')
				return (0);	/* trailing bytes: ignored */
			p->level = (char)hdr[3];
			p->cur += 32;
			p->in_stream = true;
		}
		if (!c_have(p, (p->cur + 48 + 32 + 7) / 8)) {
			p->truncated = true;
			return (0);
		}
		m = c_bits(p, p->cur, 48);
		if (m == EOS_MAGIC) {
			/* Combined CRC, then padding to a byte. */
			p->cur = (p->cur + 48 + 32 + 7) / 8 * 8;
			p->in_stream = false;
			continue;
		}
		if (m != BLOCK_MAGIC) {
			snprintf(p->err, sizeof(p->err), "bzip2 data error "
			    "(no block at compressed offset %llu)",
			    (unsigned long long)(p->cur / 8));
			p->failed = true;
			return (0);
		}
		end = find_magic(p, p->cur + 48 + 32);
		if (end == UINT64_MAX) {
			p->truncated = true;
			return (0);
		}
		*from = p->cur;
		*to = end;
		p->cur = end;
		return (1);
	}
}

/* Queue blocks while there are free job slots. */
static void
schedule(struct pbz *p)
{
	struct job	*j;
	uint64_t	 from, to;
	unsigned	 i;

	while (!p->scan_done) {
		/*
		 * Workers write the state of the jobs they run under the
		 * mutex; a free slot is only ever ours, but reading the
		 * others' states needs the mutex too.
		 */
		j = NULL;
		pthread_mutex_lock(&p->mu);
		for (i = 0; i < p->n_jobs; i++)
			if (p->jobs[i].state == JOB_FREE) {
				j = &p->jobs[i];
				break;
			}
		pthread_mutex_unlock(&p->mu);
		if (j == NULL)
			return;
		if (next_block(p, &from, &to) != 1 ||
		    !job_fill(p, j, from, to)) {
			p->scan_done = true;
			return;
		}
		pthread_mutex_lock(&p->mu);
		j->seq = p->next_seq++;
		j->state = JOB_QUEUED;
		pthread_cond_signal(&p->cv_work);
		pthread_mutex_unlock(&p->mu);
	}
}

ssize_t
pbz_read(struct pbz *p, uint8_t *dst, size_t len)
{
	struct job	*j;
	size_t		 n;
	unsigned	 i;

	for (;;) {
		if ((j = p->cur_job) != NULL) {
			if (p->cur_pos < j->out_len) {
				n = j->out_len - p->cur_pos;
				if (n > len)
					n = len;
				memcpy(dst, j->out + p->cur_pos, n);
				p->cur_pos += n;
				return ((ssize_t)n);
			}
			pthread_mutex_lock(&p->mu);
			j->state = JOB_FREE;
			pthread_mutex_unlock(&p->mu);
			p->cur_job = NULL;
			p->out_seq++;
		}
		if (p->failed)
			return (0);
		schedule(p);
		if (p->out_seq == p->next_seq) {
			/* Nothing left in flight. */
			if (p->truncated && p->err[0] == '\0')
				snprintf(p->err, sizeof(p->err), "bzip2 "
				    "stream truncated (compressed data ends "
				    "early)");
			return (0);
		}
		pthread_mutex_lock(&p->mu);
		for (;;) {
			j = NULL;
			for (i = 0; i < p->n_jobs; i++)
				if (p->jobs[i].seq == p->out_seq &&
				    p->jobs[i].state != JOB_FREE)
					j = &p->jobs[i];
			if (j != NULL && j->state == JOB_DONE)
				break;
			pthread_cond_wait(&p->cv_done, &p->mu);
		}
		pthread_mutex_unlock(&p->mu);
		if (j->err != 0) {
			snprintf(p->err, sizeof(p->err), "bzip2 data error "
			    "(code %d) in the block at compressed offset %llu",
			    j->err, (unsigned long long)j->coff);
			p->failed = true;
			return (0);
		}
		p->cur_job = j;
		p->cur_pos = 0;
	}
}

const char *
pbz_error(const struct pbz *p)
{
	return (p->err);
}

struct pbz *
pbz_open(ssize_t (*in_fn)(void *, uint8_t *, size_t), void *in_arg,
    unsigned workers)
{
	struct pbz	*p;
	unsigned	 i;

	if (workers < 1)
		workers = 1;
	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	p->in_fn = in_fn;
	p->in_arg = in_arg;
	/* One job ahead per worker, and the one being handed out. */
	p->n_jobs = workers * 2;
	p->ccap = 4 * CHUNK;
	if ((p->cbuf = malloc(p->ccap)) == NULL ||
	    (p->jobs = calloc(p->n_jobs, sizeof(*p->jobs))) == NULL) {
		free(p->cbuf);
		free(p);
		return (NULL);
	}
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv_work, NULL);
	pthread_cond_init(&p->cv_done, NULL);
	for (i = 0; i < workers; i++) {
		if (pthread_create(&p->th[i], NULL, worker, p) != 0)
			break;
		p->n_th++;
	}
	if (p->n_th == 0) {
		pbz_close(p);
		return (NULL);
	}
	return (p);
}

void
pbz_close(struct pbz *p)
{
	unsigned i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mu);
	p->quit = true;
	/* Queued work is abandoned. */
	for (i = 0; i < p->n_jobs; i++)
		if (p->jobs[i].state == JOB_QUEUED)
			p->jobs[i].state = JOB_FREE;
	pthread_cond_broadcast(&p->cv_work);
	pthread_mutex_unlock(&p->mu);
	for (i = 0; i < p->n_th; i++)
		pthread_join(p->th[i], NULL);
	for (i = 0; i < p->n_jobs; i++) {
		free(p->jobs[i].in);
		free(p->jobs[i].out);
	}
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv_work);
	pthread_cond_destroy(&p->cv_done);
	free(p->jobs);
	free(p->cbuf);
	free(p);
}
