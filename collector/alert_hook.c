/*
 * alert_hook.c -- webhook delivery: a durable queue and a sender thread
 * per webhook.
 *
 * On disk, in the data directory's webhooks/ folder, each webhook NAME
 * has two files:
 *
 *   NAME.queue   append-only, one JSON line per request: its sequence
 *                number, idempotency key, event, headers and the body
 *                exactly as it will be sent (templates are filled when
 *                the event is queued);
 *   NAME.cursor  "OFFSET SEQ": where the next request to send starts.
 *                Rewritten in place after every delivery, never
 *                before; fdatasync'd when the queue runs dry, and at
 *                least every 100 ms while it does not.
 *
 * The I/O thread appends and syncs (alert_io.c); a sender only reads up
 * to what is synced, so it never sends a request a crash could take
 * back.  The sender posts the request at the cursor, retrying with
 * exponential backoff (retry_min doubling up to retry_max, a Retry-After
 * of 429 and 503 answers honoured within retry_max) until the receiver
 * answers 2xx, then moves the cursor.  Requests therefore arrive in
 * queue order, and a request is repeated only when the process died
 * between its delivery and the cursor's write, or the machine within
 * 100 ms of it: at least once, with the same Idempotency-Key.  A 4xx other than 408, 425 and 429 says the
 * receiver will never take that request: it is logged, counted
 * ("rejected") and skipped, or it would block the queue forever.
 *
 * When the cursor catches up with a queue grown past 1 MiB, the queue
 * is truncated and the cursor set to 0, under the webhook's mutex, which
 * the I/O thread also takes to append.  After a crash, a cursor beyond
 * the end of its queue means the truncation happened and the cursor
 * write did not: start from 0.  A torn last line is cut off at start.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "alert.h"
#include "log.h"

#define COMPACT_BYTES	(1u << 20)
#define USER_AGENT	"bgplens-webhook/1"

struct hook {
	char		 name[MON_NAME_MAX];
	struct hooks	*hs;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 th;
	struct mon_webhook cfg;		/* a copy, under mu */
	bool		 running, stop, keep;
	int		 qfd, cfd;
	uint64_t	 q_end;		/* bytes appended */
	uint64_t	 synced;	/* bytes durable: sendable */
	uint64_t	 next_seq;	/* of the next request appended */
	uint64_t	 cur_off, cur_seq;	/* the next to send */
	bool		 dirty;
	/* counters, under mu */
	uint64_t	 delivered, failures, rejected;
	long		 last_status;
	char		 last_error[256];
	uint64_t	 last_ok_us;
	uint64_t	 retry_at_us;	/* 0 = not waiting to retry */
	bool		 cursor_dirty;	/* written, not synced */
	uint64_t	 cursor_synced_us;
	struct hook	*next;
};

struct hgroup {
	char		 name[MON_NAME_MAX];
	char		(*hooks)[MON_NAME_MAX];
	size_t		 n;
};

struct hooks {
	pthread_mutex_t	 mu;		/* the lists; taken before a hook's */
	char		 dir[PATH_MAX];
	bool		 deliver;
	struct hook	*list;
	struct hgroup	*groups;
	size_t		 n_groups;
};

static uint64_t
wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

void
hooks_sign(const char *key, const void *body, size_t len, char out[72])
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen = 0;
	unsigned int	i;

	HMAC(EVP_sha256(), key, (int)strlen(key), body, len, md, &mdlen);
	memcpy(out, "sha256=", 7);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", md[i]);
}

/*
 * Configuration copies: a sender works on its own copy, replaced under
 * its mutex when the monitor file is reloaded.
 */
static char *
xdup(const char *s)
{
	return (s != NULL ? strdup(s) : NULL);
}

static void
cfg_free(struct mon_webhook *c)
{
	size_t i;

	free(c->url);
	free(c->secret);
	free(c->body);
	free(c->ca_file);
	for (i = 0; i < c->n_headers; i++)
		free(c->headers[i]);
	free(c->headers);
	memset(c, 0, sizeof(*c));
}

static int
cfg_copy(struct mon_webhook *d, const struct mon_webhook *s)
{
	size_t i;

	*d = *s;
	d->url = xdup(s->url);
	d->secret = xdup(s->secret);
	d->body = xdup(s->body);
	d->ca_file = xdup(s->ca_file);
	d->headers = s->n_headers ? calloc(s->n_headers, sizeof(char *)) :
	    NULL;
	for (i = 0; d->headers != NULL && i < s->n_headers; i++)
		d->headers[i] = xdup(s->headers[i]);
	if (d->url == NULL || (s->n_headers && d->headers == NULL)) {
		d->n_headers = d->headers ? s->n_headers : 0;
		cfg_free(d);
		return (-1);
	}
	return (0);
}

/*
 * The queue files.
 */
static int
pwrite_all(int fd, const void *p, size_t len, off_t off)
{
	ssize_t n;

	while (len > 0) {
		if ((n = pwrite(fd, p, len, off)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p = (const char *)p + n;
		len -= (size_t)n;
		off += n;
	}
	return (0);
}

/*
 * The cursor is written after every delivery, so a process that dies
 * resends nothing; it is synced when the queue runs dry, and at least
 * every CURSOR_SYNC_US under a stream of requests, so a machine that
 * loses power resends at most that much (with the same keys).
 */
#define CURSOR_SYNC_US	100000

static void
cursor_sync(struct hook *h)
{
	if (!h->cursor_dirty)
		return;
	if (fdatasync(h->cfd) == -1)
		log_warn("webhook %s: cursor sync", h->name);
	h->cursor_dirty = false;
	h->cursor_synced_us = wall_us();
}

static void
cursor_write(struct hook *h, bool sync)
{
	char	buf[48];
	int	n;

	n = snprintf(buf, sizeof(buf), "%20llu %20llu\n",
	    (unsigned long long)h->cur_off, (unsigned long long)h->cur_seq);
	if (pwrite_all(h->cfd, buf, (size_t)n, 0) == -1)
		log_warn("webhook %s: cursor", h->name);
	h->cursor_dirty = true;
	if (sync || wall_us() - h->cursor_synced_us >= CURSOR_SYNC_US)
		cursor_sync(h);
}

/* The line at off (up to end), its length with the newline; NULL if none. */
static char *
line_at(int fd, uint64_t off, uint64_t end, size_t *len)
{
	char	*buf = NULL, *nb, *nl;
	size_t	 cap = 0, have = 0;
	ssize_t	 n;

	while (off + have < end) {
		if (have + 4096 > cap) {
			if ((nb = realloc(buf, cap = cap * 2 + 8192)) == NULL)
				break;
			buf = nb;
		}
		n = pread(fd, buf + have, cap - have - 1 < end - off - have ?
		    cap - have - 1 : (size_t)(end - off - have),
		    (off_t)(off + have));
		if (n <= 0)
			break;
		buf[have + (size_t)n] = '\0';
		if ((nl = memchr(buf + have, '\n', (size_t)n)) != NULL) {
			*nl = '\0';
			*len = (size_t)(nl - buf) + 1;
			return (buf);
		}
		have += (size_t)n;
	}
	free(buf);
	return (NULL);
}

/*
 * Start: cut a torn last line, find the next sequence number, check the
 * cursor.  The whole queue is read once; compaction keeps it short
 * unless a receiver is away.
 */
static void
queue_recover(struct hook *h)
{
	uint64_t	 size, off = 0, good = 0, first_seq = 0, last_seq = 0;
	char		*line, buf[64];
	size_t		 len;
	json_t		*o;
	ssize_t		 n;
	unsigned long long co = 0, cs = 0;

	size = (uint64_t)lseek(h->qfd, 0, SEEK_END);
	while (off < size && (line = line_at(h->qfd, off, size, &len)) !=
	    NULL) {
		if ((o = json_loads(line, 0, NULL)) != NULL) {
			last_seq = (uint64_t)json_integer_value(
			    json_object_get(o, "seq"));
			if (first_seq == 0)
				first_seq = last_seq;
			json_decref(o);
		}
		free(line);
		off += len;
		good = off;
	}
	if (good < size) {
		log_warnx("webhook %s: %llu bytes of a torn request cut off the "
		    "queue", h->name, (unsigned long long)(size - good));
		if (ftruncate(h->qfd, (off_t)good) == -1)
			log_warn("webhook %s: truncate", h->name);
	}
	h->q_end = h->synced = good;
	if ((n = pread(h->cfd, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%llu %llu", &co, &cs) != 2)
			co = cs = 0;
	}
	h->cur_off = co;
	h->cur_seq = cs;
	if (h->cur_off > good) {
		/* Truncated by compaction before the cursor was written. */
		h->cur_off = 0;
		h->cur_seq = first_seq;
	}
	if (h->cur_off == 0 && h->cur_seq == 0)
		h->cur_seq = first_seq ? first_seq : 1;
	h->next_seq = last_seq ? last_seq + 1 : (h->cur_seq ? h->cur_seq : 1);
}

static int
queue_open(struct hook *h, const char *dir)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s.queue", dir, h->name);
	if ((h->qfd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644)) == -1) {
		log_warn("webhook %s: %s", h->name, path);
		return (-1);
	}
	snprintf(path, sizeof(path), "%s/%s.cursor", dir, h->name);
	if ((h->cfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1) {
		log_warn("webhook %s: %s", h->name, path);
		close(h->qfd);
		return (-1);
	}
	queue_recover(h);
	return (0);
}

/* Idle, caught up, and the queue is big: start it again from empty. */
static void
queue_compact(struct hook *h)
{
	if (h->cur_off != h->q_end || h->q_end < COMPACT_BYTES)
		return;
	if (ftruncate(h->qfd, 0) == -1) {
		log_warn("webhook %s: truncate", h->name);
		return;
	}
	h->q_end = h->synced = h->cur_off = 0;
	cursor_write(h, true);
}

/*
 * Sending.
 */
struct req {
	uint64_t	 seq;
	char		*key, *event, *alert_id, *ct, *body;
	json_t		*headers;
	json_t		*doc;
};

static int
req_parse(const char *line, struct req *r)
{
	memset(r, 0, sizeof(*r));
	if ((r->doc = json_loads(line, 0, NULL)) == NULL)
		return (-1);
	r->seq = (uint64_t)json_integer_value(json_object_get(r->doc, "seq"));
	r->key = (char *)json_string_value(json_object_get(r->doc, "key"));
	r->event = (char *)json_string_value(json_object_get(r->doc, "event"));
	r->alert_id = (char *)json_string_value(json_object_get(r->doc,
	    "alert"));
	r->ct = (char *)json_string_value(json_object_get(r->doc, "ct"));
	r->body = (char *)json_string_value(json_object_get(r->doc, "body"));
	r->headers = json_object_get(r->doc, "headers");
	if (r->key == NULL || r->body == NULL) {
		json_decref(r->doc);
		return (-1);
	}
	return (0);
}

static size_t
discard_cb(char *p, size_t sz, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return (sz * n);
}

static int
progress_cb(void *arg, curl_off_t a, curl_off_t b, curl_off_t c,
    curl_off_t d)
{
	struct hook *h = arg;

	(void)a;
	(void)b;
	(void)c;
	(void)d;
	return (__atomic_load_n(&h->stop, __ATOMIC_RELAXED) ? 1 : 0);
}

static struct curl_slist *
req_headers(struct hook *h, const struct req *r, const char *secret)
{
	struct curl_slist	*l = NULL;
	char			 buf[512], sig[72];
	json_t			*v;
	size_t			 i;

	snprintf(buf, sizeof(buf), "Content-Type: %s", r->ct ? r->ct :
	    "application/json");
	l = curl_slist_append(l, buf);
	l = curl_slist_append(l, "Expect:");
	snprintf(buf, sizeof(buf), "Idempotency-Key: %s", r->key);
	l = curl_slist_append(l, buf);
	snprintf(buf, sizeof(buf), "X-Bgplens-Event: %s", r->event ? r->event :
	    "");
	l = curl_slist_append(l, buf);
	snprintf(buf, sizeof(buf), "X-Bgplens-Alert: %s", r->alert_id ?
	    r->alert_id : "");
	l = curl_slist_append(l, buf);
	snprintf(buf, sizeof(buf), "X-Bgplens-Delivery: %s/%llu", h->name,
	    (unsigned long long)r->seq);
	l = curl_slist_append(l, buf);
	if (secret != NULL && secret[0] != '\0') {
		hooks_sign(secret, r->body, strlen(r->body), sig);
		snprintf(buf, sizeof(buf), "X-Bgplens-Signature: %s", sig);
		l = curl_slist_append(l, buf);
	}
	json_array_foreach(r->headers, i, v)
		if (json_is_string(v))
			l = curl_slist_append(l, json_string_value(v));
	return (l);
}

/* The settings of one attempt, copied out from under the mutex. */
struct attempt {
	char		*url, *secret, *ca_file;
	bool		 insecure;
	long		 timeout_ms, connect_ms;
};

static void
attempt_get(struct hook *h, struct attempt *at)
{
	pthread_mutex_lock(&h->mu);
	at->url = xdup(h->cfg.url);
	at->secret = xdup(h->cfg.secret);
	at->ca_file = xdup(h->cfg.ca_file);
	at->insecure = h->cfg.insecure;
	at->timeout_ms = h->cfg.timeout_ms;
	at->connect_ms = h->cfg.connect_timeout_ms;
	pthread_mutex_unlock(&h->mu);
}

static void
attempt_free(struct attempt *at)
{
	free(at->url);
	free(at->secret);
	free(at->ca_file);
}

/*
 * One POST.  Returns the HTTP status, or 0 when none came (the error in
 * err), and the Retry-After seconds the answer asked for.
 */
static long
post(struct hook *h, CURL *c, const struct req *r, char *err, size_t errlen,
    long *retry_after)
{
	struct attempt		 at;
	struct curl_slist	*hl;
	char			 ebuf[CURL_ERROR_SIZE];
	CURLcode		 rc;
	curl_off_t		 ra = 0;
	long			 status = 0;

	attempt_get(h, &at);
	hl = req_headers(h, r, at.secret);
	ebuf[0] = '\0';
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, at.url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, at.timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, at.connect_ms);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	if (at.ca_file != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, at.ca_file);
	if (at.insecure) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &ra);
		snprintf(err, errlen, "HTTP %ld", status);
	} else
		snprintf(err, errlen, "%s", ebuf[0] ? ebuf :
		    curl_easy_strerror(rc));
	*retry_after = (long)ra;
	curl_slist_free_all(hl);
	attempt_free(&at);
	return (status);
}

static bool
permanent(long status)
{
	return (status >= 400 && status < 500 && status != 408 &&
	    status != 425 && status != 429);
}

/* Wait ms unless told to stop; false when stopping. */
static bool
hook_sleep(struct hook *h, uint64_t ms)
{
	struct timespec	ts;
	uint64_t	ns;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (uint64_t)ts.tv_nsec + (ms % 1000) * 1000000;
	ts.tv_sec += (time_t)(ms / 1000 + ns / 1000000000);
	ts.tv_nsec = (long)(ns % 1000000000);
	pthread_mutex_lock(&h->mu);
	h->retry_at_us = wall_us() + ms * 1000;
	while (!h->stop)
		if (pthread_cond_timedwait(&h->cv, &h->mu, &ts) != 0)
			break;
	h->retry_at_us = 0;
	pthread_mutex_unlock(&h->mu);
	return (!__atomic_load_n(&h->stop, __ATOMIC_RELAXED));
}

static uint64_t
backoff_ms(struct hook *h, unsigned attempt, long retry_after)
{
	uint64_t	lo, hi, d;

	pthread_mutex_lock(&h->mu);
	lo = h->cfg.retry_min_ms;
	hi = h->cfg.retry_max_ms;
	pthread_mutex_unlock(&h->mu);
	d = attempt >= 32 ? hi : lo << attempt;
	if (d > hi)
		d = hi;
	if (retry_after > 0 && (uint64_t)retry_after * 1000 > d)
		d = (uint64_t)retry_after * 1000 < hi ?
		    (uint64_t)retry_after * 1000 : hi;
	/* +-12.5% so that many senders do not retry in step */
	return (d - d / 8 + (uint64_t)random() % (d / 4 + 1));
}

/* Send until delivered or rejected (0), or until told to stop (-1). */
static int
deliver(struct hook *h, CURL *c, const struct req *r)
{
	char		 err[256];
	unsigned	 attempt = 0;
	long		 status, ra;

	for (;;) {
		status = post(h, c, r, err, sizeof(err), &ra);
		pthread_mutex_lock(&h->mu);
		h->last_status = status;
		if (status >= 200 && status < 300) {
			h->delivered++;
			h->last_ok_us = wall_us();
			pthread_mutex_unlock(&h->mu);
			return (0);
		}
		snprintf(h->last_error, sizeof(h->last_error), "%s", err);
		if (permanent(status)) {
			h->rejected++;
			pthread_mutex_unlock(&h->mu);
			log_warnx("webhook %s: request %llu (%s) rejected with "
			    "HTTP %ld, skipped", h->name,
			    (unsigned long long)r->seq, r->key, status);
			return (0);
		}
		h->failures++;
		pthread_mutex_unlock(&h->mu);
		if (attempt == 0 || attempt % 10 == 0)
			log_warnx("webhook %s: %s; retrying", h->name, err);
		if (__atomic_load_n(&h->stop, __ATOMIC_RELAXED) ||
		    !hook_sleep(h, backoff_ms(h, attempt++, ra)))
			return (-1);
	}
}

/* The next request to send, waiting for one; NULL when stopping. */
static char *
next_request(struct hook *h, size_t *len)
{
	char *line = NULL;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		if (h->stop)
			break;
		if (h->cur_off < h->synced) {
			line = line_at(h->qfd, h->cur_off, h->synced, len);
			if (line != NULL)
				break;
			log_warnx("webhook %s: unreadable queue at %llu, "
			    "skipping to its end", h->name,
			    (unsigned long long)h->cur_off);
			h->cur_off = h->synced;
			cursor_write(h, true);
			continue;
		}
		queue_compact(h);
		cursor_sync(h);		/* idle: make the cursor durable */
		pthread_cond_wait(&h->cv, &h->mu);
	}
	pthread_mutex_unlock(&h->mu);
	return (line);
}

static void *
hook_main(void *arg)
{
	struct hook	*h = arg;
	struct req	 r;
	CURL		*c;
	char		*line;
	size_t		 len;
	uint64_t	 seq;
	int		 rv;

	if ((c = curl_easy_init()) == NULL) {
		log_warnx("webhook %s: libcurl would not start", h->name);
		return (NULL);
	}
	while ((line = next_request(h, &len)) != NULL) {
		rv = 0;
		seq = h->cur_seq;
		if (req_parse(line, &r) == -1)
			log_warnx("webhook %s: a malformed request in the "
			    "queue, skipped", h->name);
		else {
			seq = r.seq;
			rv = deliver(h, c, &r);
			json_decref(r.doc);
		}
		free(line);
		if (rv == -1)
			break;
		pthread_mutex_lock(&h->mu);
		h->cur_off += len;
		h->cur_seq = seq + 1;
		cursor_write(h, false);
		pthread_mutex_unlock(&h->mu);
	}
	curl_easy_cleanup(c);
	return (NULL);
}

/*
 * The set of webhooks.
 */
static struct hook *
hook_find(struct hooks *hs, const char *name)
{
	struct hook *h;

	for (h = hs->list; h != NULL; h = h->next)
		if (strcmp(h->name, name) == 0)
			return (h);
	return (NULL);
}

static void
hook_destroy(struct hook *h)
{
	if (h->running) {
		pthread_mutex_lock(&h->mu);
		__atomic_store_n(&h->stop, true, __ATOMIC_RELAXED);
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
		pthread_join(h->th, NULL);
	}
	if (h->cfd > 0)
		cursor_sync(h);
	if (h->qfd > 0)
		close(h->qfd);
	if (h->cfd > 0)
		close(h->cfd);
	cfg_free(&h->cfg);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	free(h);
}

static struct hook *
hook_create(struct hooks *hs, const struct mon_webhook *w)
{
	struct hook *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return (NULL);
	snprintf(h->name, sizeof(h->name), "%s", w->name);
	h->hs = hs;
	h->qfd = h->cfd = -1;
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (cfg_copy(&h->cfg, w) == -1 || queue_open(h, hs->dir) == -1) {
		hook_destroy(h);
		return (NULL);
	}
	if (hs->deliver) {
		if (thread_start(&h->th, hook_main, h) != 0) {
			log_warnx("webhook %s: cannot start its thread",
			    h->name);
			hook_destroy(h);
			return (NULL);
		}
		h->running = true;
	}
	if (h->next_seq > h->cur_seq)
		log_info("webhook %s: %llu requests waiting from before",
		    h->name, (unsigned long long)(h->next_seq - h->cur_seq));
	return (h);
}

static void
groups_free(struct hooks *hs)
{
	size_t i;

	for (i = 0; i < hs->n_groups; i++)
		free(hs->groups[i].hooks);
	free(hs->groups);
	hs->groups = NULL;
	hs->n_groups = 0;
}

static void
groups_set(struct hooks *hs, const struct mon_conf *mc)
{
	struct hgroup	*g;
	size_t		 i, j;

	groups_free(hs);
	if (mc == NULL || mc->n_groups == 0 ||
	    (hs->groups = calloc(mc->n_groups, sizeof(*g))) == NULL)
		return;
	for (i = 0; i < mc->n_groups; i++) {
		g = &hs->groups[i];
		snprintf(g->name, sizeof(g->name), "%s", mc->groups[i].name);
		g->hooks = calloc(mc->groups[i].n_hooks + 1, sizeof(*g->hooks));
		for (j = 0; g->hooks != NULL && j < mc->groups[i].n_hooks; j++)
			snprintf(g->hooks[g->n++], MON_NAME_MAX, "%s",
			    mc->hooks[mc->groups[i].hooks[j]].name);
	}
	hs->n_groups = mc->n_groups;
}

void
hooks_configure(struct hooks *hs, const struct mon_conf *mc)
{
	struct hook	*h, **pp;
	size_t		 i;

	pthread_mutex_lock(&hs->mu);
	for (h = hs->list; h != NULL; h = h->next)
		h->keep = false;
	for (i = 0; mc != NULL && i < mc->n_hooks; i++) {
		if ((h = hook_find(hs, mc->hooks[i].name)) != NULL) {
			struct mon_webhook nc;

			if (cfg_copy(&nc, &mc->hooks[i]) == 0) {
				pthread_mutex_lock(&h->mu);
				cfg_free(&h->cfg);
				h->cfg = nc;
				pthread_mutex_unlock(&h->mu);
			}
			h->keep = true;
			continue;
		}
		if ((h = hook_create(hs, &mc->hooks[i])) == NULL)
			continue;
		h->keep = true;
		h->next = hs->list;
		hs->list = h;
	}
	for (pp = &hs->list; *pp != NULL;) {
		h = *pp;
		if (h->keep) {
			pp = &h->next;
			continue;
		}
		*pp = h->next;
		log_info("webhook %s: no longer configured; its queue stays "
		    "on disk", h->name);
		hook_destroy(h);
	}
	groups_set(hs, mc);
	pthread_mutex_unlock(&hs->mu);
}

static unsigned
ev_bit(enum alert_event ev)
{
	switch (ev) {
	case AEV_OPENED:
		return (HOOK_EV_OPENED);
	case AEV_UPDATED:
		return (HOOK_EV_UPDATED);
	case AEV_RESOLVED:
		return (HOOK_EV_RESOLVED);
	}
	return (0);
}

/* The queue line of one request; NULL when the webhook does not want it. */
static char *
render(struct hook *h, enum alert_event ev, json_t *alert, const char *key)
{
	json_t		*vars = NULL, *hdrs, *rec;
	const char	*sev = json_string_value(json_object_get(alert,
			    "severity"));
	char		*body, *line, *hv;
	size_t		 i;
	bool		 js;

	if (!(h->cfg.events & ev_bit(ev)) || sev == NULL ||
	    det_severity_parse(sev) < (int)h->cfg.min_severity)
		return (NULL);
	js = strstr(h->cfg.content_type, "json") != NULL;
	if (h->cfg.body != NULL || h->cfg.n_headers > 0)
		vars = alert_tmpl_vars(ev, alert, key);
	body = h->cfg.body != NULL ? alert_tmpl_render(h->cfg.body, vars, js) :
	    alert_payload(ev, alert, key);
	hdrs = json_array();
	for (i = 0; i < h->cfg.n_headers; i++) {
		if ((hv = alert_tmpl_render(h->cfg.headers[i], vars, false)) ==
		    NULL)
			continue;
		hv[strcspn(hv, "\r\n")] = '\0';
		json_array_append_new(hdrs, json_string(hv));
		free(hv);
	}
	rec = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:s}",
	    "seq", (json_int_t)h->next_seq, "key", key,
	    "event", alert_event_name(ev),
	    "alert", json_string_value(json_object_get(alert, "id")),
	    "ct", h->cfg.content_type, "headers", hdrs,
	    "body", body ? body : "");
	line = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(rec);
	json_decref(vars);
	free(body);
	return (line);
}

static void
hook_append(struct hook *h, enum alert_event ev, json_t *alert,
    const char *key)
{
	char	*line;
	size_t	 len;
	ssize_t	 n;

	pthread_mutex_lock(&h->mu);
	if ((line = render(h, ev, alert, key)) != NULL) {
		len = strlen(line);
		line[len] = '\n';	/* replaces the NUL: len + 1 bytes */
		n = write(h->qfd, line, len + 1);
		if (n == (ssize_t)(len + 1)) {
			h->q_end += len + 1;
			h->next_seq++;
			h->dirty = true;
		} else {
			log_warn("webhook %s: queue write", h->name);
			if (n > 0 && ftruncate(h->qfd, (off_t)h->q_end) == -1)
				log_warn("webhook %s: truncate", h->name);
		}
		free(line);
	}
	pthread_mutex_unlock(&h->mu);
}

void
hooks_enqueue(struct hooks *hs, const char *group, enum alert_event ev,
    json_t *alert)
{
	struct hook	*h;
	char		 key[64];
	size_t		 i, j;

	snprintf(key, sizeof(key), "%s:%lld",
	    json_string_value(json_object_get(alert, "id")),
	    (long long)json_integer_value(json_object_get(alert, "revision")));
	pthread_mutex_lock(&hs->mu);
	for (i = 0; i < hs->n_groups; i++) {
		if (strcmp(hs->groups[i].name, group) != 0)
			continue;
		for (j = 0; j < hs->groups[i].n; j++)
			if ((h = hook_find(hs, hs->groups[i].hooks[j])) != NULL)
				hook_append(h, ev, alert, key);
	}
	pthread_mutex_unlock(&hs->mu);
}

void
hooks_sync(struct hooks *hs)
{
	struct hook *h;

	pthread_mutex_lock(&hs->mu);
	for (h = hs->list; h != NULL; h = h->next) {
		if (!h->dirty)
			continue;
		if (fdatasync(h->qfd) == -1)
			log_warn("webhook %s: fsync", h->name);
		pthread_mutex_lock(&h->mu);
		h->synced = h->q_end;
		h->dirty = false;
		pthread_cond_broadcast(&h->cv);
		pthread_mutex_unlock(&h->mu);
	}
	pthread_mutex_unlock(&hs->mu);
}

json_t *
hooks_status(struct hooks *hs)
{
	struct hook	*h;
	json_t		*arr = json_array(), *o;
	uint64_t	 now = wall_us();

	pthread_mutex_lock(&hs->mu);
	for (h = hs->list; h != NULL; h = h->next) {
		pthread_mutex_lock(&h->mu);
		o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I}",
		    "name", h->name, "url", h->cfg.url ? h->cfg.url : "",
		    "pending", (json_int_t)(h->next_seq > h->cur_seq ?
		    h->next_seq - h->cur_seq : 0),
		    "pending_bytes", (json_int_t)(h->q_end - h->cur_off),
		    "delivered", (json_int_t)h->delivered,
		    "failed_attempts", (json_int_t)h->failures,
		    "rejected", (json_int_t)h->rejected,
		    "last_status", (json_int_t)h->last_status);
		if (o != NULL) {
			json_object_set_new(o, "last_error", h->last_error[0] ?
			    json_string(h->last_error) : json_null());
			json_object_set_new(o, "last_delivery", h->last_ok_us ?
			    json_real((double)h->last_ok_us / 1e6) :
			    json_null());
			json_object_set_new(o, "retry_in", h->retry_at_us > now ?
			    json_real((double)(h->retry_at_us - now) / 1e6) :
			    json_null());
			json_array_append_new(arr, o);
		}
		pthread_mutex_unlock(&h->mu);
	}
	pthread_mutex_unlock(&hs->mu);
	return (arr);
}

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct hooks *
hooks_new(const char *dir, bool deliver)
{
	static pthread_once_t	 once = PTHREAD_ONCE_INIT;
	struct hooks		*hs;

	pthread_once(&once, curl_init_once);
	if ((hs = calloc(1, sizeof(*hs))) == NULL)
		return (NULL);
	pthread_mutex_init(&hs->mu, NULL);
	snprintf(hs->dir, sizeof(hs->dir), "%s", dir);
	hs->deliver = deliver;
	return (hs);
}

void
hooks_free(struct hooks *hs)
{
	struct hook *h, *next;

	if (hs == NULL)
		return;
	pthread_mutex_lock(&hs->mu);
	for (h = hs->list; h != NULL; h = next) {
		next = h->next;
		hook_destroy(h);
	}
	hs->list = NULL;
	groups_free(hs);
	pthread_mutex_unlock(&hs->mu);
	pthread_mutex_destroy(&hs->mu);
	free(hs);
}
