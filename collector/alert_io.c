/*
 * alert_io.c -- the thread between the alert engine and the disk.
 *
 * The engine runs on the RIB writer's thread and must not wait for a
 * disk, so it only hands events over (aio_post: a mutex and a list).
 * This thread takes them in batches: each event becomes a line of the
 * journal and a request in the queue of every webhook of its group;
 * then one fdatasync per file touched (group commit) makes the batch
 * durable, and only then are the senders woken.  Under a burst, a batch
 * is whatever arrived while the previous one was being synced, so the
 * cost of an fsync is shared, and the latency of a lone event is one
 * write and one fsync.
 *
 * The journal, alerts.jsonl in the data directory, is append-only: one
 * line {"event", "time", "alert"} per lifecycle event.  At start it is
 * replayed (the last line of each alert wins) and rewritten with one
 * line per alert, dropping resolved alerts past their retention, by
 * writing a new file and renaming it over the old.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "log.h"

#define JOURNAL		"alerts.jsonl"

struct note {
	enum alert_event ev;
	json_t		*alert;
	struct note	*next;
};

struct aio {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	struct note	*head, *tail;
	size_t		 queued;
	bool		 stop;
	bool		 started;
	pthread_t	 th;
	int		 jfd;
	char		 jpath[PATH_MAX];
	struct hooks	*hooks;
	uint64_t	 written, errors, batches;
};

int
thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t	all, old;
	int		rv;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rv = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return (rv);
}

static uint64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

static char *
journal_line(const char *event, uint64_t at_us, json_t *alert)
{
	json_t	*o;
	char	*txt;

	o = json_pack("{s:s, s:f, s:O}", "event", event,
	    "time", (double)at_us / 1e6, "alert", alert);
	if (o == NULL)
		return (NULL);
	txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return (txt);
}

static void
note_write(struct aio *io, struct note *n)
{
	const char	*group;
	char		*line;

	if ((line = journal_line(alert_event_name(n->ev), wall_us(),
	    n->alert)) == NULL || write_all(io->jfd, line, strlen(line)) == -1 ||
	    write_all(io->jfd, "\n", 1) == -1) {
		if (io->errors++ == 0)
			log_warn("alerts: journal %s", io->jpath);
	} else
		io->written++;
	free(line);
	group = json_string_value(json_object_get(n->alert, "group"));
	hooks_enqueue(io->hooks, group ? group : "default", n->ev, n->alert);
}

static void *
aio_main(void *arg)
{
	struct aio	*io = arg;
	struct note	*batch, *n, *next;
	bool		 stop;

	for (;;) {
		pthread_mutex_lock(&io->mu);
		while (io->head == NULL && !io->stop)
			pthread_cond_wait(&io->cv, &io->mu);
		batch = io->head;
		io->head = io->tail = NULL;
		io->queued = 0;
		stop = io->stop;
		pthread_mutex_unlock(&io->mu);
		for (n = batch; n != NULL; n = next) {
			next = n->next;
			note_write(io, n);
			json_decref(n->alert);
			free(n);
		}
		if (batch != NULL) {
			if (fdatasync(io->jfd) == -1 && io->errors++ == 0)
				log_warn("alerts: fsync %s", io->jpath);
			hooks_sync(io->hooks);
			io->batches++;
		}
		if (stop && batch == NULL)
			break;
	}
	return (NULL);
}

struct aio *
aio_start(const char *dir, bool deliver, char *err, size_t errlen)
{
	struct aio	*io;
	char		 hdir[PATH_MAX];

	if ((io = calloc(1, sizeof(*io))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	pthread_mutex_init(&io->mu, NULL);
	pthread_cond_init(&io->cv, NULL);
	snprintf(io->jpath, sizeof(io->jpath), "%s/%s", dir, JOURNAL);
	snprintf(hdir, sizeof(hdir), "%s/webhooks", dir);
	if ((io->jfd = open(io->jpath, O_WRONLY | O_CREAT | O_APPEND |
	    O_CLOEXEC, 0644)) == -1) {
		snprintf(err, errlen, "%s: %s", io->jpath, strerror(errno));
		goto fail;
	}
	if (mkdir(hdir, 0755) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "%s: %s", hdir, strerror(errno));
		goto fail;
	}
	if ((io->hooks = hooks_new(hdir, deliver)) == NULL) {
		snprintf(err, errlen, "webhooks: out of memory");
		goto fail;
	}
	if (thread_start(&io->th, aio_main, io) != 0) {
		snprintf(err, errlen, "alerts: cannot start a thread");
		goto fail;
	}
	io->started = true;
	return (io);
fail:
	aio_stop(io);
	return (NULL);
}

void
aio_configure(struct aio *io, const struct mon_conf *mc)
{
	hooks_configure(io->hooks, mc);
}

void
aio_post(struct aio *io, enum alert_event ev, json_t *alert)
{
	struct note *n;

	if ((n = calloc(1, sizeof(*n))) == NULL) {
		log_warnx("alerts: out of memory, an event is lost");
		json_decref(alert);
		return;
	}
	n->ev = ev;
	n->alert = alert;
	pthread_mutex_lock(&io->mu);
	if (io->tail != NULL)
		io->tail->next = n;
	else
		io->head = n;
	io->tail = n;
	io->queued++;
	pthread_cond_signal(&io->cv);
	pthread_mutex_unlock(&io->mu);
}

json_t *
aio_status(struct aio *io)
{
	return (hooks_status(io->hooks));
}

void
aio_stop(struct aio *io)
{
	if (io == NULL)
		return;
	if (io->started) {
		pthread_mutex_lock(&io->mu);
		io->stop = true;
		pthread_cond_signal(&io->cv);
		pthread_mutex_unlock(&io->mu);
		pthread_join(io->th, NULL);
	}
	hooks_free(io->hooks);
	if (io->jfd > 0)
		close(io->jfd);
	pthread_cond_destroy(&io->cv);
	pthread_mutex_destroy(&io->mu);
	free(io);
}

/*
 * Replay.
 */
struct jentry {
	char	*event;
	double	 time;
	json_t	*alert;
};

static bool
expired(json_t *alert, uint64_t now_us, unsigned days)
{
	const char	*st = json_string_value(json_object_get(alert, "state"));
	double		 r = json_number_value(json_object_get(alert,
			    "resolved_at"));

	return (st != NULL && strcmp(st, "resolved") == 0 && r > 0 &&
	    (double)now_us / 1e6 - r > (double)days * 86400);
}

/* Write the survivors to a new file and rename it over the journal. */
static int
journal_rewrite(const char *path, struct jentry *v, size_t n, char *err,
    size_t errlen)
{
	char	 tmp[PATH_MAX + 8], *line;
	int	 fd;
	size_t	 i;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return (-1);
	}
	for (i = 0; i < n; i++) {
		if (v[i].alert == NULL)
			continue;
		line = journal_line(v[i].event, (uint64_t)(v[i].time * 1e6),
		    v[i].alert);
		if (line == NULL || write_all(fd, line, strlen(line)) == -1 ||
		    write_all(fd, "\n", 1) == -1) {
			free(line);
			snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
			close(fd);
			unlink(tmp);
			return (-1);
		}
		free(line);
	}
	if (fsync(fd) == -1 || close(fd) == -1 || rename(tmp, path) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return (-1);
	}
	return (0);
}

/* Read every line; the last one of an alert replaces the earlier. */
static int
journal_read(FILE *f, const char *path, struct jentry **out, size_t *nout)
{
	struct jentry	*v = NULL, *nv;
	json_t		*idx = json_object(), *o, *a, *slot;
	char		*line = NULL;
	const char	*id;
	size_t		 cap = 0, n = 0, lsz = 0, lineno = 0, bad = 0, i;

	while (getline(&line, &lsz, f) != -1) {
		lineno++;
		if ((o = json_loads(line, 0, NULL)) == NULL ||
		    !json_is_object(a = json_object_get(o, "alert")) ||
		    (id = json_string_value(json_object_get(a, "id"))) == NULL) {
			if (bad++ == 0)
				log_warnx("alerts: %s:%zu: not a journal line "
				    "(a write cut short?), skipped", path, lineno);
			json_decref(o);
			continue;
		}
		slot = json_object_get(idx, id);
		i = slot ? (size_t)json_integer_value(slot) : n;
		if (i == n) {
			if (n == cap && (nv = realloc(v, (cap = cap * 2 + 64) *
			    sizeof(*v))) != NULL)
				v = nv;
			if (n == cap)
				break;
			json_object_set_new(idx, id, json_integer((json_int_t)n));
			memset(&v[n++], 0, sizeof(*v));
		} else {
			free(v[i].event);
			json_decref(v[i].alert);
		}
		v[i].event = strdup(json_string_value(json_object_get(o,
		    "event")) ? json_string_value(json_object_get(o,
		    "event")) : "opened");
		v[i].time = json_number_value(json_object_get(o, "time"));
		v[i].alert = json_incref(a);
		json_decref(o);
	}
	free(line);
	json_decref(idx);
	*out = v;
	*nout = n;
	return (0);
}

int
aio_journal_replay(const char *dir, unsigned days,
    void (*fn)(void *, json_t *), void *arg, char *err, size_t errlen)
{
	struct jentry	*v = NULL;
	char		 path[PATH_MAX];
	FILE		*f;
	size_t		 n = 0, i, kept = 0;
	uint64_t	 now = wall_us();
	int		 rv;

	snprintf(path, sizeof(path), "%s/%s", dir, JOURNAL);
	if ((f = fopen(path, "r")) == NULL) {
		if (errno == ENOENT)
			return (0);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	journal_read(f, path, &v, &n);
	fclose(f);
	for (i = 0; i < n; i++) {
		if (expired(v[i].alert, now, days)) {
			json_decref(v[i].alert);
			v[i].alert = NULL;
			continue;
		}
		fn(arg, v[i].alert);
		kept++;
	}
	rv = journal_rewrite(path, v, n, err, errlen);
	for (i = 0; i < n; i++) {
		free(v[i].event);
		json_decref(v[i].alert);
	}
	free(v);
	if (rv == 0 && kept > 0)
		log_info("alerts: %zu replayed from %s", kept, path);
	return (rv);
}
