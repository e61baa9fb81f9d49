/*
 * archive_daemon.c -- bgplensd's MRT archive: the update log's hooks, RIB
 * snapshots in a child process, retention, and the listing the looking
 * glass serves (see archived.h).
 *
 * A snapshot is a fork(): the child sees the RIB as of that instant, copy
 * on write, and writes it while the parent goes on with ingest (what
 * Redis does for BGSAVE).  The parent polls the child with WNOHANG on a
 * short timer rather than handling SIGCHLD, so the loop never blocks and
 * no other code's children are reaped by mistake.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "archived.h"
#include "bmp.h"
#include "conf.h"
#include "evloop.h"
#include "log.h"
#include "rib.h"
#include "rib_load.h"
#include "session.h"

#define REAP_MS		200
#define RETENTION_MS	(3600u * 1000u)

struct archived {
	struct archive_conf ac;
	struct evloop	*loop;
	struct rib	*rib;
	struct bgpd	*bgpd;
	struct bmp_station *bmp;
	struct archive	*ar;
	uint32_t	 rib_interval;
	struct ev_timer	 snap_t;
	struct ev_timer	 reap_t;
	struct ev_timer	 ret_t;
	pid_t		 child;		/* the snapshot being written, or 0 */
	uint64_t	 child_ms;	/* when it was forked, monotonic */
	uint64_t	 child_at;	/* wall-clock seconds it stands for */
	char		 child_path[300];
	pthread_mutex_t	 mu;		/* st, for other threads */
	struct archived_stats st;
};

static uint64_t
wall_s(void)
{
	return (ev_wall_us() / 1000000u);
}

/*
 * Names.
 */

int
archive_name_parse(const char *name, enum archive_kind *kind, uint64_t *start)
{
	struct tm	 tm;
	const char	*p;
	int		 y, mo, d, h, mi, n = 0;
	unsigned	 seq;

	if (strncmp(name, "updates.", 8) == 0) {
		*kind = ARCHIVE_KIND_UPDATES;
		p = name + 8;
	} else if (strncmp(name, "rib.", 4) == 0) {
		*kind = ARCHIVE_KIND_RIB;
		p = name + 4;
	} else
		return (-1);
	if (sscanf(p, "%4d%2d%2d.%2d%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 ||
	    n != 13 || p[8] != '.' || y < 1970 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || h < 0 || mi < 0)
		return (-1);
	p += n;
	/* A second file of one period: .N (a restart, a recovery). */
	if (p[0] == '.' && p[1] >= '0' && p[1] <= '9') {
		n = 0;
		if (sscanf(p, ".%u%n", &seq, &n) != 1 || n > 5)
			return (-1);
		p += n;
	}
	if (strcmp(p, "") != 0 && strcmp(p, ".bz2") != 0 &&
	    strcmp(p, ".gz") != 0)
		return (-1);
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	*start = (uint64_t)timegm(&tm);
	return (0);
}

static bool
month_dir_name(const char *s)
{
	int y, m, n = 0;

	return (sscanf(s, "%4d.%2d%n", &y, &m, &n) == 2 && n == 7 &&
	    s[7] == '\0' && m >= 1 && m <= 12);
}

static int
file_cmp(const void *a, const void *b)
{
	const struct archive_file *x = a, *y = b;
	int c;

	if (x->start != y->start)
		return (x->start > y->start ? -1 : 1);
	/* One instant: the RIB first, then names (.1 after the plain one). */
	if (x->kind != y->kind)
		return (x->kind == ARCHIVE_KIND_RIB ? -1 : 1);
	if ((c = (int)strlen(y->name) - (int)strlen(x->name)) != 0)
		return (c);
	return (-strcmp(x->name, y->name));
}

static int
list_month(const char *dir, const char *month, struct archive_file **v,
    size_t *n, size_t *cap)
{
	char			 path[1024];
	DIR			*d;
	struct dirent		*fe;
	struct stat		 st;
	struct archive_file	*f, *nv;

	snprintf(path, sizeof(path), "%s/%s", dir, month);
	if ((d = opendir(path)) == NULL)
		return (0);
	while ((fe = readdir(d)) != NULL) {
		enum archive_kind	k;
		uint64_t		t;

		if (strlen(fe->d_name) >= sizeof(f->name) ||
		    archive_name_parse(fe->d_name, &k, &t) == -1)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s/%s", dir, month,
		    fe->d_name) >= (int)sizeof(path) ||
		    stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 64;
			if ((nv = realloc(*v, *cap * sizeof(**v))) == NULL) {
				closedir(d);
				return (-1);
			}
			*v = nv;
		}
		f = &(*v)[(*n)++];
		memset(f, 0, sizeof(*f));
		f->kind = k;
		f->start = t;
		/* Lengths checked above (name) and by month_dir_name(). */
		memcpy(f->name, fe->d_name, strlen(fe->d_name) + 1);
		memcpy(f->month, month, 8);
		f->size = (uint64_t)st.st_size;
		f->mtime = (uint64_t)st.st_mtime;
	}
	closedir(d);
	return (0);
}

int
archive_list(const char *dir, struct archive_file **out, size_t *np)
{
	DIR		*top;
	struct dirent	*de;
	size_t		 n = 0, cap = 0;

	*out = NULL;
	*np = 0;
	if ((top = opendir(dir)) == NULL)
		return (-1);
	while ((de = readdir(top)) != NULL) {
		if (!month_dir_name(de->d_name))
			continue;
		if (list_month(dir, de->d_name, out, &n, &cap) == -1) {
			closedir(top);
			free(*out);
			*out = NULL;
			return (-1);
		}
	}
	closedir(top);
	if (n > 0)
		qsort(*out, n, sizeof(**out), file_cmp);
	*np = n;
	return (0);
}

/*
 * RIB snapshots.
 */

static void
snap_arm(struct archived *ad)
{
	uint64_t now_us = ev_wall_us(), iv = ad->rib_interval * 1000000ull;
	uint64_t next = (now_us / iv + 1) * iv;

	/* A few ms late rather than early: the name is the minute's. */
	ev_timer_start(ad->loop, &ad->snap_t, (next - now_us) / 1000 + 5);
}

int
archived_snapshot_now(struct archived *ad)
{
	char	path[300];
	pid_t	pid;

	if (ad == NULL || ad->ar == NULL)
		return (-1);
	if (ad->child != 0) {
		log_warnx("RIB snapshot: %s is still being written; this one "
		    "is skipped", ad->child_path);
		return (-1);
	}
	ad->child_at = wall_s();
	/*
	 * Ingest runs on this thread, so no write is half done here; the
	 * read lock keeps other threads' writers (if any) out of the
	 * instant the child copies.
	 */
	rib_rdlock(ad->rib);
	pid = archive_rib_snapshot(ad->rib, &ad->ac, ad->child_at, path,
	    sizeof(path));
	rib_unlock(ad->rib);
	if (pid == -1) {
		log_warn("RIB snapshot: fork");
		pthread_mutex_lock(&ad->mu);
		ad->st.snapshot_failures++;
		pthread_mutex_unlock(&ad->mu);
		return (-1);
	}
	ad->child = pid;
	ad->child_ms = ev_now_ms();
	snprintf(ad->child_path, sizeof(ad->child_path), "%s", path);
	pthread_mutex_lock(&ad->mu);
	ad->st.snapshot_running = true;
	pthread_mutex_unlock(&ad->mu);
	log_info("RIB snapshot: writing %s (process %ld)", path, (long)pid);
	ev_timer_start(ad->loop, &ad->reap_t, REAP_MS);
	return (0);
}

static void
snap_done(struct archived *ad, int status)
{
	struct stat	st;
	uint64_t	ms = ev_now_ms() - ad->child_ms;
	bool		ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
			    stat(ad->child_path, &st) == 0;

	pthread_mutex_lock(&ad->mu);
	ad->st.snapshot_running = false;
	if (ok) {
		ad->st.snapshots++;
		snprintf(ad->st.last_snapshot, sizeof(ad->st.last_snapshot),
		    "%s", ad->child_path);
		ad->st.last_snapshot_at = ad->child_at;
		ad->st.last_snapshot_ms = ms;
		ad->st.last_snapshot_bytes = (uint64_t)st.st_size;
	} else
		ad->st.snapshot_failures++;
	pthread_mutex_unlock(&ad->mu);
	if (ok)
		log_info("RIB snapshot: %s, %.1f MB in %.2f s", ad->child_path,
		    (double)st.st_size / 1e6, (double)ms / 1000.0);
	else if (WIFSIGNALED(status))
		log_warnx("RIB snapshot: %s failed: child killed by signal %d",
		    ad->child_path, WTERMSIG(status));
	else
		log_warnx("RIB snapshot: %s failed (directory unwritable or "
		    "disk full?) after %.2f s", ad->child_path,
		    (double)ms / 1000.0);
	ad->child = 0;
}

static void
reap_cb(struct ev_timer *t)
{
	struct archived	*ad = t->arg;
	int		 status;
	pid_t		 r;

	if (ad->child == 0)
		return;
	r = waitpid(ad->child, &status, WNOHANG);
	if (r == 0 || (r == -1 && errno == EINTR)) {
		ev_timer_start(ad->loop, &ad->reap_t, REAP_MS);
		return;
	}
	if (r == -1) {
		log_warn("RIB snapshot: waitpid");
		status = 1 << 8;
	}
	snap_done(ad, status);
}

static void
snap_cb(struct ev_timer *t)
{
	struct archived *ad = t->arg;

	archived_snapshot_now(ad);
	snap_arm(ad);
}

/*
 * Retention: by the time in the name, which is what an operator reads;
 * names that do not parse are never touched.
 */
static void
retention_run(struct archived *ad)
{
	struct archive_file	*v;
	size_t			 n, i;
	uint64_t		 cut, gone = 0;
	char			 path[1024];

	if (ad->ac.retention_days == 0)
		return;
	cut = wall_s() - (uint64_t)ad->ac.retention_days * 86400u;
	if (archive_list(ad->ac.dir, &v, &n) == -1)
		return;
	for (i = 0; i < n; i++) {
		if (v[i].start >= cut)
			continue;
		snprintf(path, sizeof(path), "%s/%s/%s", ad->ac.dir,
		    v[i].month, v[i].name);
		if (unlink(path) == 0) {
			gone++;
			/* The month's directory goes with its last file. */
			snprintf(path, sizeof(path), "%s/%s", ad->ac.dir,
			    v[i].month);
			rmdir(path);
		} else
			log_warn("archive retention: %s", path);
	}
	free(v);
	if (gone == 0)
		return;
	pthread_mutex_lock(&ad->mu);
	ad->st.retention_deleted += gone;
	pthread_mutex_unlock(&ad->mu);
	log_info("archive retention: %llu files older than %u days deleted",
	    (unsigned long long)gone, ad->ac.retention_days);
}

static void
ret_cb(struct ev_timer *t)
{
	struct archived *ad = t->arg;

	retention_run(ad);
	ev_timer_start(ad->loop, &ad->ret_t, RETENTION_MS);
}

/*
 * Warm start.
 */

static void
warm_error(void *arg, const char *file, uint64_t off, const char *msg)
{
	(void)arg;
	log_warnx("warm start: %s: offset %llu: %s", file,
	    (unsigned long long)off, msg);
}

static int
warm_load(struct rib_loader *l, const char *dir, const struct archive_file *f)
{
	char path[1024], err[256];

	snprintf(path, sizeof(path), "%s/%s/%s", dir, f->month, f->name);
	if (rib_loader_file(l, path, err, sizeof(err)) == -1) {
		log_warnx("warm start: %s: %s", path, err);
		return (0);
	}
	return (1);
}

int
archive_warm_start(const char *dir, uint32_t period, struct rib *rib)
{
	struct archive_file	*v;
	struct rib_loader	*l;
	struct rib_load_stats	 ls;
	struct rib_stats	 rs;
	size_t			 n, i, snap;
	uint64_t		 t0 = ev_now_ms(), since = 0;
	uint16_t		 s, ns;
	int			 files = 0;

	if (archive_list(dir, &v, &n) == -1 || n == 0) {
		log_info("warm start: no archive in %s; starting empty", dir);
		free(v);
		return (-1);
	}
	/* Newest first: the first snapshot is the latest. */
	for (snap = 0; snap < n && v[snap].kind != ARCHIVE_KIND_RIB; snap++)
		;
	if (snap < n)
		since = v[snap].start;
	if ((l = rib_loader_new(rib, RIB_LOAD_STALE, warm_error, NULL)) ==
	    NULL) {
		free(v);
		return (-1);
	}
	rib_wrlock(rib);
	if (snap < n) {
		files += warm_load(l, dir, &v[snap]);
		/*
		 * The instant the snapshot holds (its name has the minute).
		 * Records of that very second may be in it or not: applied
		 * again they change nothing.
		 */
		rib_loader_stats(l, &ls);
		if (ls.dump_ts != 0)
			since = ls.dump_ts;
		rib_loader_since(l, (uint32_t)since);
	}
	/* Oldest first: the update files whose period reaches the instant. */
	for (i = n; i-- > 0;)
		if (v[i].kind == ARCHIVE_KIND_UPDATES &&
		    v[i].start + period > since)
			files += warm_load(l, dir, &v[i]);
	rib_loader_stats(l, &ls);
	rib_loader_free(l);
	ns = rib_source_count(rib);
	for (s = 0; s < ns; s++)
		rib_source_mark_stale(rib, s, 0);
	rib_stats(rib, &rs);
	rib_unlock(rib);
	log_info("warm start: %s and %d update files: %llu routes, %llu "
	    "history events (%llu RIB entries, %llu UPDATEs, %llu session "
	    "changes, %llu errors) in %.2f s", snap < n ? v[snap].name :
	    "no snapshot", files - (snap < n ? 1 : 0),
	    (unsigned long long)rs.routes, (unsigned long long)rs.events,
	    (unsigned long long)ls.rib_entries,
	    (unsigned long long)ls.messages, (unsigned long long)ls.states,
	    (unsigned long long)ls.errors,
	    (double)(ev_now_ms() - t0) / 1000.0);
	free(v);
	return (files);
}

/*
 * A snapshot's part file left by a crash (or a kill) is of no use: the
 * next snapshot writes a whole new one.
 */
static void
parts_remove(const char *dir)
{
	DIR		*top, *d;
	struct dirent	*de, *fe;
	char		 path[1024];
	size_t		 l;

	if ((top = opendir(dir)) == NULL)
		return;
	while ((de = readdir(top)) != NULL) {
		if (!month_dir_name(de->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if ((d = opendir(path)) == NULL)
			continue;
		while ((fe = readdir(d)) != NULL) {
			l = strlen(fe->d_name);
			if (strncmp(fe->d_name, "rib.", 4) != 0 || l < 6 ||
			    strcmp(fe->d_name + l - 5, ".part") != 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s/%s", dir,
			    de->d_name, fe->d_name);
			if (unlink(path) == 0)
				log_info("RIB snapshot: removed %s, left "
				    "unfinished", path);
		}
		closedir(d);
	}
	closedir(top);
}

/*
 * Life.
 */

struct archived *
archived_start(const struct conf *cf, struct evloop *loop, struct rib *rib,
    struct bgpd *bgpd, struct bmp_station *bmp)
{
	struct archived *ad;

	if ((ad = calloc(1, sizeof(*ad))) == NULL)
		return (NULL);
	pthread_mutex_init(&ad->mu, NULL);
	ad->loop = loop;
	ad->rib = rib;
	ad->bgpd = bgpd;
	ad->bmp = bmp;
	conf_archive_dir(cf, ad->ac.dir, sizeof(ad->ac.dir));
	ad->ac.period_s = cf->archive.period;
	ad->ac.flush_ms = cf->archive.flush_ms;
	ad->ac.comp = cf->archive.comp;
	ad->ac.max_buffer = (size_t)cf->archive.max_buffer_mb << 20;
	ad->ac.retention_days = cf->archive.retention_days;
	ad->rib_interval = cf->archive.rib_interval;
	ev_timer_init(&ad->snap_t, snap_cb, ad);
	ev_timer_init(&ad->reap_t, reap_cb, ad);
	ev_timer_init(&ad->ret_t, ret_cb, ad);
	if (!cf->archive.enabled) {
		log_info("MRT archive: off");
		if (cf->archive.warm_start)
			archive_warm_start(ad->ac.dir, ad->ac.period_s, rib);
		return (ad);
	}
	/* Opening recovers a crash's leftovers: the warm start sees them. */
	if ((ad->ar = archive_open(&ad->ac)) == NULL)
		log_warnx("MRT archive: cannot start; running without one");
	if (cf->archive.warm_start)
		archive_warm_start(ad->ac.dir, ad->ac.period_s, rib);
	if (ad->ar == NULL)
		return (ad);
	parts_remove(ad->ac.dir);
	ad->st.enabled = true;
	bgpd_set_archive(bgpd, ad->ar);
	bmp_station_set_archive(bmp, ad->ar);
	if (ad->rib_interval > 0)
		snap_arm(ad);
	retention_run(ad);
	ev_timer_start(loop, &ad->ret_t, RETENTION_MS);
	log_info("MRT archive: %s, %u s files, %s, RIB every %u s%s", ad->ac.dir,
	    ad->ac.period_s, archive_comp_name(ad->ac.comp), ad->rib_interval,
	    ad->ac.retention_days ? ", with retention" : "");
	return (ad);
}

void
archived_stop(struct archived *ad)
{
	int status = 1 << 8;

	if (ad == NULL)
		return;
	ev_timer_stop(ad->loop, &ad->snap_t);
	ev_timer_stop(ad->loop, &ad->reap_t);
	ev_timer_stop(ad->loop, &ad->ret_t);
	if (ad->child != 0) {
		char part[320];

		/* A stop should not wait minutes for a big table's snapshot. */
		log_info("RIB snapshot: %s abandoned at shutdown",
		    ad->child_path);
		kill(ad->child, SIGTERM);
		while (waitpid(ad->child, &status, 0) == -1 && errno == EINTR)
			;
		snprintf(part, sizeof(part), "%s.part", ad->child_path);
		unlink(part);
		snap_done(ad, status);
	}
	if (ad->ar != NULL) {
		bgpd_set_archive(ad->bgpd, NULL);
		bmp_station_set_archive(ad->bmp, NULL);
		archive_close(ad->ar);
		ad->ar = NULL;
	}
	pthread_mutex_destroy(&ad->mu);
	free(ad);
}

void
archived_stats(struct archived *ad, struct archived_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (ad == NULL)
		return;
	pthread_mutex_lock(&ad->mu);
	*st = ad->st;
	pthread_mutex_unlock(&ad->mu);
	if (ad->ar != NULL)
		archive_stats(ad->ar, &st->a);
}

const char *
archived_dir(const struct archived *ad)
{
	return (ad != NULL && ad->ar != NULL ? ad->ac.dir : NULL);
}
