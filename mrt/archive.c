/*
 * archive.c -- the MRT update log (see archive.h for the guarantees).
 *
 * Two buffers: ingest appends finished records to the front one under a
 * mutex (a memcpy; never a syscall); the writer thread swaps it with the
 * back one every flush interval and feeds the records to the compressor.
 * Each record goes to the file of the period its own timestamp falls in,
 * so files cut exactly at period boundaries whatever the thread timing.
 *
 * Durability without a decodable-so-far compressed stream: a bzip2 stream
 * cut anywhere short of its end loses its last block whole (the encoder
 * holds the block's final bits), so the writer appends plain records to a
 * hidden raw file and fsyncs it every flush interval; when the period
 * ends, a compressor thread turns it into the final file (part file,
 * fsync, rename, fsync the directory) and only then removes the raw one.
 * After a crash the raw files still hold every flushed record, and the
 * next start compresses them.
 */
#include <bzlib.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include "archive.h"
#include "log.h"
#include "mrt.h"
#include "mrtwr.h"
#include "rib.h"

#define OUTBUF		(256 * 1024)

struct comp {
	enum archive_comp kind;
	int		 fd;
	bz_stream	 bz;
	z_stream	 z;
	uint8_t		*out;
	int		 err;		/* errno of the first failure */
};

struct job {
	struct job	*next;
	uint64_t	 period;
	char		 raw[1024];
};

struct archive {
	struct archive_conf conf;
	pthread_t	 thr;
	pthread_t	 cthr;		/* the compressor */
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_cond_t	 done_cv;
	pthread_cond_t	 job_cv;
	struct wr	 front;
	bool		 stop;
	bool		 cstop;
	uint64_t	 sync_req, sync_done;
	struct job	*jobs;		/* raw files waiting for compression */
	unsigned	 n_jobs_running;
	struct archive_stats st;
	/* writer thread only */
	struct wr	 back;
	int		 fd;		/* the open raw file, -1 = none */
	unsigned	 raw_seq;	/* raw files opened, for unique names */
	bool		 failing;	/* logged an error, not yet recovered */
	uint64_t	 period;
	char		 raw[1024];
};

static const char *
comp_ext(enum archive_comp k)
{
	return (k == ARCHIVE_BZIP2 ? ".bz2" : k == ARCHIVE_GZIP ? ".gz" : "");
}

void
archive_path(const struct archive_conf *c, const char *kind, uint64_t t,
    unsigned seq, char *buf, size_t len)
{
	time_t		tt = (time_t)t;
	struct tm	tm;
	char		sfx[16] = "";

	gmtime_r(&tt, &tm);
	if (seq > 0)
		snprintf(sfx, sizeof(sfx), ".%u", seq);
	snprintf(buf, len, "%s/%04d.%02d/%s.%04d%02d%02d.%02d%02d%s%s", c->dir,
	    tm.tm_year + 1900, tm.tm_mon + 1, kind, tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, sfx,
	    comp_ext(c->comp));
}

/*
 * The compressor: write everything out, or remember the first error.
 */

static void
fd_write(struct comp *c, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0 && c->err == 0) {
		w = write(c->fd, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			c->err = errno;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static int
comp_init(struct comp *c, enum archive_comp kind, int fd)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->fd = fd;
	if ((c->out = malloc(OUTBUF)) == NULL)
		return (-1);
	if (kind == ARCHIVE_BZIP2 &&
	    BZ2_bzCompressInit(&c->bz, 9, 0, 0) != BZ_OK)
		return (-1);
	/* windowBits 15 + 16: a gzip wrapper, as RIS writes its files. */
	if (kind == ARCHIVE_GZIP && deflateInit2(&c->z, 6, Z_DEFLATED, 31, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return (-1);
	return (0);
}

/* finish: end the stream. */
static void
comp_feed(struct comp *c, const uint8_t *p, size_t n, bool finish)
{
	int rv;

	if (c->kind == ARCHIVE_NONE) {
		fd_write(c, p, n);
		return;
	}
	if (c->kind == ARCHIVE_BZIP2) {
		c->bz.next_in = (char *)(uintptr_t)p;
		c->bz.avail_in = (unsigned)n;
		do {
			c->bz.next_out = (char *)c->out;
			c->bz.avail_out = OUTBUF;
			rv = BZ2_bzCompress(&c->bz, finish ? BZ_FINISH : BZ_RUN);
			fd_write(c, c->out, OUTBUF - c->bz.avail_out);
		} while (c->err == 0 && (c->bz.avail_in > 0 ||
		    (finish && rv == BZ_FINISH_OK)));
		return;
	}
	c->z.next_in = (Bytef *)(uintptr_t)p;
	c->z.avail_in = (uInt)n;
	do {
		c->z.next_out = c->out;
		c->z.avail_out = OUTBUF;
		rv = deflate(&c->z, finish ? Z_FINISH : Z_NO_FLUSH);
		fd_write(c, c->out, OUTBUF - c->z.avail_out);
	} while (c->err == 0 && (c->z.avail_in > 0 || c->z.avail_out == 0 ||
	    (finish && rv != Z_STREAM_END)));
}

static void
comp_end(struct comp *c)
{
	if (c->kind == ARCHIVE_BZIP2)
		BZ2_bzCompressEnd(&c->bz);
	else if (c->kind == ARCHIVE_GZIP)
		deflateEnd(&c->z);
	free(c->out);
	c->out = NULL;
}

/*
 * Files.
 */

static int
mkdirs_for(const char *path)
{
	char	buf[1024], *p;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return (-1);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return (-1);
		*p = '/';
	}
	return (0);
}

static void
fsync_dir_of(const char *path)
{
	char	 buf[1024], *slash;
	int	 fd;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf) ||
	    (slash = strrchr(buf, '/')) == NULL)
		return;
	*slash = '\0';
	if ((fd = open(buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		fsync(fd);
		close(fd);
	}
}

/* A final name nobody has: base name, then .1, .2 ... */
static int
free_final(const struct archive_conf *c, uint64_t period, char *buf,
    size_t len)
{
	struct stat	st;
	unsigned	seq;

	for (seq = 0; seq < 1000; seq++) {
		archive_path(c, "updates", period, seq, buf, len);
		if (stat(buf, &st) == -1 && errno == ENOENT)
			return (0);
	}
	return (-1);
}

/*
 * An error is counted every time but logged once until writing works
 * again: a full disk would otherwise log a line per flush.
 */
static void
set_error(struct archive *a, const char *what, int err)
{
	bool first;

	pthread_mutex_lock(&a->mu);
	a->st.write_errors++;
	snprintf(a->st.last_error, sizeof(a->st.last_error), "%s: %s", what,
	    strerror(err));
	first = !a->failing;
	a->failing = true;
	pthread_mutex_unlock(&a->mu);
	if (first)
		log_warnx("MRT archive: %s: %s; records are dropped until it "
		    "can write again", what, strerror(err));
}

static void
set_ok(struct archive *a)
{
	bool was;

	pthread_mutex_lock(&a->mu);
	was = a->failing;
	a->failing = false;
	pthread_mutex_unlock(&a->mu);
	if (was)
		log_info("MRT archive: writing again");
}

/*
 * The raw file of a period: hidden beside the final names, unique to this
 * process (a restart within the period writes its own) and to this
 * opening (after a write error the old one may still be being compressed
 * while the next flush opens another).
 */
static void
raw_name(const struct archive_conf *c, uint64_t period, unsigned seq,
    char *buf, size_t len)
{
	char		 fin[1024];
	const char	*slash;

	archive_path(c, "updates", period, 0, fin, sizeof(fin));
	slash = strrchr(fin, '/');
	snprintf(buf, len, "%.*s/.%s.%ld.%u.raw", (int)(slash - fin), fin,
	    slash + 1, (long)getpid(), seq);
}

/*
 * Compress a raw file's complete records into a final file: part file,
 * fsync, rename, fsync the directory, then remove the raw one.  Used at
 * rotation (by the compressor thread) and for a crash's leftovers.
 */
static int
compress_raw(struct archive *a, const char *raw, uint64_t period)
{
	struct mrt_in	*in;
	struct mrt_rec	 rec;
	struct comp	 c;
	struct wr	 w;
	char		 fin[1024], part[1100], err[256];
	int		 fd, st;
	uint64_t	 n = 0;

	if ((in = mrt_in_open(raw, err, sizeof(err))) == NULL) {
		/* Empty (nothing was flushed): nothing to keep. */
		unlink(raw);
		return (0);
	}
	pthread_mutex_lock(&a->mu);	/* two jobs must not pick one name */
	if (free_final(&a->conf, period, fin, sizeof(fin)) == -1 ||
	    snprintf(part, sizeof(part), "%s.part", raw) >= (int)sizeof(part) ||
	    (fd = open(part, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0644)) == -1) {
		pthread_mutex_unlock(&a->mu);
		mrt_in_close(in);
		set_error(a, raw, errno ? errno : ENAMETOOLONG);
		return (-1);
	}
	/* Reserve the name now; the rename below fills it atomically. */
	close(open(fin, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
	pthread_mutex_unlock(&a->mu);
	if (comp_init(&c, a->conf.comp, fd) == -1) {
		close(fd);
		unlink(part);
		unlink(fin);
		mrt_in_close(in);
		return (-1);
	}
	wr_init(&w, 65536, MRT_MAX_REC_LEN + 64);
	while ((st = mrt_in_next(in, &rec)) != MRT_IN_EOF) {
		if (st != MRT_IN_RECORD)
			break;		/* a torn tail: the crash's last write */
		wr_reset(&w);
		wr_u32(&w, rec.ts);
		wr_u16(&w, rec.type);
		wr_u16(&w, rec.subtype);
		if (rec.type == MRT_BGP4MP_ET) {
			wr_u32(&w, rec.len + 4);
			wr_u32(&w, rec.usec);
		} else
			wr_u32(&w, rec.len);
		wr_bytes(&w, rec.body, rec.len);
		comp_feed(&c, wr_data(&w), wr_len(&w), false);
		n++;
	}
	comp_feed(&c, NULL, 0, true);
	if (c.err == 0 && fsync(fd) == -1)
		c.err = errno;
	close(fd);
	mrt_in_close(in);
	wr_free(&w);
	comp_end(&c);
	if (c.err != 0 || rename(part, fin) == -1) {
		set_error(a, fin, c.err ? c.err : errno);
		unlink(part);
		unlink(fin);
		return (-1);	/* the raw file stays for the next start */
	}
	fsync_dir_of(fin);
	unlink(raw);
	pthread_mutex_lock(&a->mu);
	a->st.files++;
	pthread_mutex_unlock(&a->mu);
	log_debug("MRT archive: %s: %llu records", fin,
	    (unsigned long long)n);
	return (0);
}

/*
 * A raw file that could not be compressed (disk full) is tried again a
 * few seconds later, at the back of the queue; called with a->mu held.
 */
static void
retry_later(struct archive *a, struct job *j)
{
	struct job	**jp;
	struct timespec	  ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 5;
	while (!a->cstop && pthread_cond_timedwait(&a->job_cv, &a->mu,
	    &ts) == 0 && a->jobs == NULL)
		;
	for (jp = &a->jobs; *jp != NULL; jp = &(*jp)->next)
		;
	j->next = NULL;
	*jp = j;
}

static void *
compressor_main(void *arg)
{
	struct archive	*a = arg;
	struct job	*j;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		while (a->jobs == NULL && !a->cstop)
			pthread_cond_wait(&a->job_cv, &a->mu);
		if (a->jobs == NULL && a->cstop)
			break;
		j = a->jobs;
		a->jobs = j->next;
		a->n_jobs_running++;
		pthread_mutex_unlock(&a->mu);
		if (compress_raw(a, j->raw, j->period) == 0) {
			set_ok(a);
			free(j);
			j = NULL;
		}
		pthread_mutex_lock(&a->mu);
		a->n_jobs_running--;
		pthread_cond_broadcast(&a->done_cv);
		if (j != NULL && !a->cstop)
			retry_later(a, j);
		else
			free(j);	/* a stop: the next start recovers it */
	}
	pthread_mutex_unlock(&a->mu);
	return (NULL);
}

static void
raw_close(struct archive *a)
{
	struct job *j, **jp;

	if (a->fd == -1)
		return;
	if (fsync(a->fd) == -1)
		set_error(a, a->raw, errno);
	close(a->fd);
	a->fd = -1;
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return;		/* recovered at the next start */
	j->period = a->period;
	memcpy(j->raw, a->raw, sizeof(j->raw));
	pthread_mutex_lock(&a->mu);
	for (jp = &a->jobs; *jp != NULL; jp = &(*jp)->next)
		;
	*jp = j;
	a->st.current[0] = '\0';
	pthread_cond_signal(&a->job_cv);
	pthread_mutex_unlock(&a->mu);
}

static int
raw_open(struct archive *a, uint64_t period)
{
	raw_name(&a->conf, period, a->raw_seq++, a->raw, sizeof(a->raw));
	if (mkdirs_for(a->raw) == -1 || (a->fd = open(a->raw, O_WRONLY |
	    O_CREAT | O_APPEND | O_CLOEXEC, 0644)) == -1) {
		a->fd = -1;
		set_error(a, a->raw, errno);
		return (-1);
	}
	a->period = period;
	pthread_mutex_lock(&a->mu);
	archive_path(&a->conf, "updates", period, 0, a->st.current,
	    sizeof(a->st.current));
	pthread_mutex_unlock(&a->mu);
	return (0);
}

static void
records_dropped(struct archive *a, uint64_t n)
{
	pthread_mutex_lock(&a->mu);
	a->st.dropped += n;
	pthread_mutex_unlock(&a->mu);
}

/* Append a run of records of one period to its raw file. */
static void
raw_write(struct archive *a, const uint8_t *p, size_t len, uint64_t nrec)
{
	ssize_t	w;
	off_t	start = lseek(a->fd, 0, SEEK_END);

	while (len > 0) {
		w = write(a->fd, p, len);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1) {
			/*
			 * Disk full or worse: this file ends here, without
			 * the part of a run that made it (a torn record in
			 * the middle of a file would end its reading).
			 */
			set_error(a, a->raw, errno);
			if (start != -1 && ftruncate(a->fd, start) == -1)
				log_debug("MRT archive: truncate %s", a->raw);
			records_dropped(a, nrec);
			raw_close(a);
			return;
		}
		p += w;
		len -= (size_t)w;
	}
}

/* Write the records of the back buffer, each into its period's file. */
static void
write_back(struct archive *a)
{
	struct rd	 r, body;
	uint32_t	 ts = 0, len = 0;
	uint64_t	 period, nrec = 0, refused = UINT64_MAX;
	const uint8_t	*run = NULL, *rec;
	size_t		 runlen = 0;

	rd_init(&r, wr_data(&a->back), wr_len(&a->back));
	while (rd_left(&r) >= MRT_HDR_LEN) {
		rec = rd_cur(&r);
		rd_u32(&r, &ts);
		rd_skip(&r, 4);
		rd_u32(&r, &len);
		if (rd_sub(&r, len, &body) == -1)
			break;		/* cannot happen: we built them */
		period = ts - ts % a->conf.period_s;
		if (a->fd != -1 && period != a->period) {
			if (runlen > 0)
				raw_write(a, run, runlen, nrec);
			runlen = 0;
			nrec = 0;
			raw_close(a);
		}
		/* One attempt per period and flush: the error is the same. */
		if (a->fd == -1 && (period == refused ||
		    raw_open(a, period) == -1)) {
			refused = period;
			records_dropped(a, 1);
			continue;
		}
		if (runlen == 0)
			run = rec;
		runlen += MRT_HDR_LEN + (size_t)len;
		nrec++;
	}
	if (runlen > 0 && a->fd != -1)
		raw_write(a, run, runlen, nrec);
	/* The flush interval's durability point. */
	if (a->fd != -1 && fsync(a->fd) == -1)
		set_error(a, a->raw, errno);
	else if (a->fd != -1 && wr_len(&a->back) > 0)
		set_ok(a);
	pthread_mutex_lock(&a->mu);
	a->st.bytes += wr_len(&a->back);
	pthread_mutex_unlock(&a->mu);
	wr_reset(&a->back);
}

static void *
writer_main(void *arg)
{
	struct archive	*a = arg;
	struct timespec	 ts;
	struct wr	 tmp;
	uint64_t	 req;
	bool		 stop;

	pthread_mutex_lock(&a->mu);
	for (;;) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)(a->conf.flush_ms % 1000) * 1000000;
		ts.tv_sec += a->conf.flush_ms / 1000 + ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		if (!a->stop && a->sync_req == a->sync_done)
			pthread_cond_timedwait(&a->cv, &a->mu, &ts);
		tmp = a->front;
		a->front = a->back;
		a->back = tmp;
		req = a->sync_req;
		stop = a->stop;
		pthread_mutex_unlock(&a->mu);

		write_back(a);
		if (stop)
			raw_close(a);

		pthread_mutex_lock(&a->mu);
		a->sync_done = req;
		pthread_cond_broadcast(&a->done_cv);
		if (stop)
			break;
	}
	pthread_mutex_unlock(&a->mu);
	return (NULL);
}

/*
 * At start: a crash's raw files (any process's) become final files; a
 * half-written part file is dropped, its raw file still being there.
 */
static void
recover_dir(struct archive *a, const char *mdir)
{
	DIR		*d;
	struct dirent	*fe;
	char		 path[1300];
	struct tm	 tm;
	uint64_t	 period;
	int		 y, mo, da, h, mi;

	if ((d = opendir(mdir)) == NULL)
		return;
	while ((fe = readdir(d)) != NULL) {
		size_t l = strlen(fe->d_name);

		if (strncmp(fe->d_name, ".updates.", 9) != 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", mdir, fe->d_name) >=
		    (int)sizeof(path))
			continue;
		if (l > 5 && strcmp(fe->d_name + l - 5, ".part") == 0) {
			unlink(path);
			continue;
		}
		if (l < 4 || strcmp(fe->d_name + l - 4, ".raw") != 0 ||
		    sscanf(fe->d_name, ".updates.%4d%2d%2d.%2d%2d", &y, &mo,
		    &da, &h, &mi) != 5)
			continue;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = da;
		tm.tm_hour = h;
		tm.tm_min = mi;
		period = (uint64_t)timegm(&tm);
		if (compress_raw(a, path, period) == 0) {
			pthread_mutex_lock(&a->mu);
			a->st.recovered++;
			pthread_mutex_unlock(&a->mu);
			log_info("MRT archive: recovered %s", path);
		}
	}
	closedir(d);
}

static void
recover(struct archive *a)
{
	DIR		*top;
	struct dirent	*de;
	char		 mdir[1024];

	if ((top = opendir(a->conf.dir)) == NULL)
		return;
	while ((de = readdir(top)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (snprintf(mdir, sizeof(mdir), "%s/%s", a->conf.dir,
		    de->d_name) >= (int)sizeof(mdir))
			continue;
		recover_dir(a, mdir);
	}
	closedir(top);
}

struct archive *
archive_open(const struct archive_conf *conf)
{
	struct archive *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return (NULL);
	a->conf = *conf;
	if (a->conf.period_s == 0)
		a->conf.period_s = 900;
	if (a->conf.flush_ms == 0)
		a->conf.flush_ms = 1000;
	if (a->conf.max_buffer == 0)
		a->conf.max_buffer = 256u << 20;
	a->fd = -1;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->cv, NULL);
	pthread_cond_init(&a->done_cv, NULL);
	pthread_cond_init(&a->job_cv, NULL);
	wr_init(&a->front, 1 << 20, a->conf.max_buffer);
	wr_init(&a->back, 1 << 20, a->conf.max_buffer);
	if (mkdir(a->conf.dir, 0755) == -1 && errno != EEXIST)
		log_warn("MRT archive directory %s", a->conf.dir);
	recover(a);
	if (pthread_create(&a->cthr, NULL, compressor_main, a) != 0) {
		wr_free(&a->front);
		wr_free(&a->back);
		free(a);
		return (NULL);
	}
	if (pthread_create(&a->thr, NULL, writer_main, a) != 0) {
		pthread_mutex_lock(&a->mu);
		a->cstop = true;
		pthread_cond_signal(&a->job_cv);
		pthread_mutex_unlock(&a->mu);
		pthread_join(a->cthr, NULL);
		wr_free(&a->front);
		wr_free(&a->back);
		free(a);
		return (NULL);
	}
	return (a);
}

void
archive_close(struct archive *a)
{
	if (a == NULL)
		return;
	pthread_mutex_lock(&a->mu);
	a->stop = true;
	pthread_cond_signal(&a->cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thr, NULL);
	/* The compressor finishes the queue, the last file included. */
	pthread_mutex_lock(&a->mu);
	a->cstop = true;
	pthread_cond_signal(&a->job_cv);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->cthr, NULL);
	wr_free(&a->front);
	wr_free(&a->back);
	pthread_mutex_destroy(&a->mu);
	pthread_cond_destroy(&a->cv);
	pthread_cond_destroy(&a->done_cv);
	pthread_cond_destroy(&a->job_cv);
	free(a);
}

void
archive_sync(struct archive *a)
{
	uint64_t want;

	pthread_mutex_lock(&a->mu);
	want = ++a->sync_req;
	pthread_cond_signal(&a->cv);
	while (a->sync_done < want && !a->stop)
		pthread_cond_wait(&a->done_cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
}

/* Append under the lock; a full buffer drops the record (counted). */
static void
append(struct archive *a, void (*build)(struct wr *, const void *),
    const void *arg)
{
	size_t before;

	pthread_mutex_lock(&a->mu);
	before = wr_len(&a->front);
	build(&a->front, arg);
	if (!wr_ok(&a->front)) {
		a->front.len = before;
		a->front.err = 0;
		a->st.dropped++;
	} else
		a->st.records++;
	pthread_mutex_unlock(&a->mu);
}

struct msg_args {
	uint64_t		 us;
	bool			 addpath;
	uint32_t		 peer_as, local_as;
	const struct addr	*peer, *local;
	const uint8_t		*msg;
	size_t			 len;
	uint16_t		 old_state, new_state;
};

static void
build_msg(struct wr *w, const void *arg)
{
	const struct msg_args *m = arg;

	mrtwr_bgp4mp_msg(w, (uint32_t)(m->us / 1000000),
	    (uint32_t)(m->us % 1000000), m->addpath, m->peer_as, m->local_as,
	    m->peer, m->local, m->msg, m->len);
}

static void
build_state(struct wr *w, const void *arg)
{
	const struct msg_args *m = arg;

	mrtwr_bgp4mp_state(w, (uint32_t)(m->us / 1000000),
	    (uint32_t)(m->us % 1000000), m->peer_as, m->local_as, m->peer,
	    m->local, m->old_state, m->new_state);
}

void
archive_message(struct archive *a, uint64_t us, bool addpath,
    uint32_t peer_as, uint32_t local_as, const struct addr *peer,
    const struct addr *local, const uint8_t *msg, size_t len)
{
	struct msg_args m = { us, addpath, peer_as, local_as, peer, local,
	    msg, len, 0, 0 };

	if (a != NULL)
		append(a, build_msg, &m);
}

void
archive_state(struct archive *a, uint64_t us, uint32_t peer_as,
    uint32_t local_as, const struct addr *peer, const struct addr *local,
    uint16_t old_state, uint16_t new_state)
{
	struct msg_args m = { us, false, peer_as, local_as, peer, local,
	    NULL, 0, old_state, new_state };

	if (a != NULL)
		append(a, build_state, &m);
}

void
archive_stats(struct archive *a, struct archive_stats *st)
{
	pthread_mutex_lock(&a->mu);
	*st = a->st;
	pthread_mutex_unlock(&a->mu);
}

/*
 * RIB snapshots.
 */

struct snap {
	struct rib		*rib;
	struct comp		 c;
	struct wr		 w;		/* records, fed to c in chunks */
	struct wr		 aw;		/* one entry's attributes */
	struct rib_export	 x;
	struct mrtwr_rib	 rr;
	struct prefix		 cur;
	bool			 open;
	bool			 ap;		/* the open record is _ADDPATH */
	uint32_t		 seq;
	uint32_t		 ts;
	int			 err;
};

static void
snap_flush(struct snap *s, bool force)
{
	if (!force && wr_len(&s->w) < (4u << 20))
		return;
	if (!wr_ok(&s->w))
		s->err = ENOMEM;
	comp_feed(&s->c, wr_data(&s->w), wr_len(&s->w), false);
	wr_reset(&s->w);
}

static void
snap_entry(struct snap *s, const struct prefix *p, const struct route *rt)
{
	if (rib_attr_export(s->rib, rt->attr, &s->x) == -1) {
		s->err = EINVAL;
		return;
	}
	wr_reset(&s->aw);
	mrtwr_rib_attrs(&s->aw, &s->x.a, p->afi);
	mrtwr_rib_entry(&s->w, &s->rr, rt->src, rt->since, rt->path_id,
	    wr_data(&s->aw), wr_len(&s->aw));
}

/*
 * Called per route in prefix order.  A prefix's routes from sources
 * without ADD-PATH make one plain record; those from ADD-PATH sources one
 * _ADDPATH record after it (a route is never listed twice).
 */
static bool
route_ap(struct snap *s, const struct prefix *p, const struct route *rt)
{
	const struct rib_source *src = rib_source_get(s->rib, rt->src);
	int			 fi = afisafi_index(p->afi, SAFI_UNICAST);

	return (rt->path_id != 0 || (src != NULL && fi >= 0 &&
	    (src->addpath & (1u << fi)) != 0));
}

static int
snap_route(void *arg, const struct prefix *p, const struct route *rt)
{
	struct snap	*s = arg;
	bool		 ap = route_ap(s, p, rt);

	if (!s->open || prefix_cmp(p, &s->cur) != 0 || ap != s->ap) {
		if (s->open)
			mrtwr_rib_end(&s->w, &s->rr);
		snap_flush(s, false);
		mrtwr_rib_begin(&s->w, &s->rr, s->ts, s->seq++, p, ap);
		s->cur = *p;
		s->ap = ap;
		s->open = true;
	}
	snap_entry(s, p, rt);
	return (s->err != 0 || s->c.err != 0);
}

static int
snap_plain(void *arg, const struct prefix *p, const struct route *rt)
{
	return (!route_ap(arg, p, rt) ? snap_route(arg, p, rt) : 0);
}

static int
snap_addpath(void *arg, const struct prefix *p, const struct route *rt)
{
	return (route_ap(arg, p, rt) ? snap_route(arg, p, rt) : 0);
}

int
rib_write_mrt(struct rib *rib, const char *path, enum archive_comp comp,
    uint32_t ts)
{
	struct snap		*s;
	struct mrtwr_peer	*peers;
	const struct rib_source	*src;
	struct rib_query	 q;
	struct rib_cursor	 next;
	char			 part[1100];
	uint16_t		 i, n = rib_source_count(rib);
	int			 fd, rv = -1, f;

	if (snprintf(part, sizeof(part), "%s.part", path) >= (int)sizeof(part))
		return (-1);
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (-1);
	if ((peers = calloc(n ? n : 1, sizeof(*peers))) == NULL) {
		free(s);
		return (-1);
	}
	if (mkdirs_for(path) == -1 || (fd = open(part, O_WRONLY | O_CREAT |
	    O_TRUNC | O_CLOEXEC, 0644)) == -1) {
		free(peers);
		free(s);
		return (-1);
	}
	s->rib = rib;
	s->ts = ts;
	comp_init(&s->c, comp, fd);
	wr_init(&s->w, 1 << 20, 64u << 20);
	wr_init(&s->aw, 4096, 65535);
	for (i = 0; i < n; i++) {
		src = rib_source_get(rib, i);
		peers[i].bgp_id = src->peer_bgp_id;
		peers[i].ip = src->peer;
		peers[i].asn = src->peer_as;
	}
	mrtwr_peer_index(&s->w, ts, 0, "bgplens", peers, n);
	/* IPv4 then IPv6, as RIB files are ordered. */
	for (f = 0; f < 2; f++) {
		memset(&q, 0, sizeof(q));
		q.match = RIB_MATCH_ALL;
		q.afi = f ? AFI_IPV6 : AFI_IPV4;
		q.src = -1;
		rib_query(rib, &q, snap_plain, s, &next);
		if (s->open)
			mrtwr_rib_end(&s->w, &s->rr);
		s->open = false;
		rib_query(rib, &q, snap_addpath, s, &next);
		if (s->open)
			mrtwr_rib_end(&s->w, &s->rr);
		s->open = false;
	}
	snap_flush(s, true);
	comp_feed(&s->c, NULL, 0, true);
	if (s->c.err == 0 && s->err == 0 && fsync(fd) == 0 && close(fd) == 0 &&
	    rename(part, path) == 0) {
		fsync_dir_of(path);
		rv = 0;
	} else {
		close(fd);
		unlink(part);
	}
	comp_end(&s->c);
	wr_free(&s->w);
	wr_free(&s->aw);
	free(peers);
	free(s);
	return (rv);
}

pid_t
archive_rib_snapshot(struct rib *rib, const struct archive_conf *c,
    uint64_t now_s, char *path, size_t len)
{
	struct stat	st;
	unsigned	seq;
	pid_t		pid;

	for (seq = 0; seq < 1000; seq++) {
		archive_path(c, "rib", now_s - now_s % 60, seq, path, len);
		if (stat(path, &st) == -1 && errno == ENOENT)
			break;
	}
	/*
	 * The child owns a copy-on-write image of the RIB as of now: the
	 * parent returns to ingest at once, and pages it changes afterwards
	 * are copied by the kernel, not by us.
	 */
	if ((pid = fork()) == -1)
		return (-1);
	if (pid == 0) {
		sigset_t all;

		/*
		 * The daemon blocks its signals for its signalfd; the child
		 * takes them the default way (a stop may end it).  Ingest
		 * goes first when they compete for a CPU.
		 */
		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		setpriority(PRIO_PROCESS, 0, 10);
		_exit(rib_write_mrt(rib, path, c->comp, (uint32_t)now_s) == 0 ?
		    0 : 1);
	}
	return (pid);
}
