/*
 * stream_hub.c -- live streams: events in, bounded queues out (stream.h).
 *
 * Messages follow RIS Live's ris_message (docs/api.md): an envelope
 * {"type": "ris_message", "data": {...}} whose data.type is UPDATE or
 * RIS_PEER_STATE, so a tool written for RIS Live reads them with little
 * change; alerts come as {"type": "alert", "data": <webhook payload>} and
 * the reason a stream ends as {"type": "ris_error", "data": {...}}.  Each
 * is one SSE frame: "id: N\ndata: JSON\n\n".
 *
 * One UPDATE message per change of one prefix from one source, as the RIB
 * reports them: a RIS Live UPDATE may carry several prefixes, and ours
 * always carries one, which is a valid special case for its readers.
 */
#include <inttypes.h>
#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "log.h"
#include "rib.h"
#include "stream.h"
#include "wire.h"

/* A growing text buffer (rendering, stream_hub.c's only). */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	bool	 err;
};

/*
 * RIB changes wake a sleeping client once this much (or a quarter of its
 * queue) is queued for it, or
 * at the next stream_hub_flush(), whichever comes first: during a table's
 * ingest a reader woken for every message would cost the producer a
 * resume per change and the reader a suspend per change.
 */
#define WAKE_BYTES	8192

#define STREAM_HELLO	": bgplens live stream\nretry: 3000\n\n"

struct stream_client {
	struct stream_client	*next;
	struct stream_hub	*hub;
	struct stream_filter	 f;
	struct stream_waker	 w;
	bool			 listed;	/* in the hub's list */
	bool			 sleeping;	/* waker's sleep called */
	bool			 ending;	/* last frame queued */
	/* The queue: a ring of bytes, whole frames only. */
	char			*q;
	size_t			 cap, head, len;
	uint64_t		 last_us;	/* last frame queued */
};

struct stream_hub {
	pthread_mutex_t		 mu;
	struct rib		*rib;
	struct stream_config	 conf;
	char			 host[64];
	struct stream_client	*clients;
	/* Read without the lock by producers: is anyone listening? */
	atomic_uint		 n_kind[3];	/* UPDATE, PEER, ALERT */
	uint64_t		 seq;
	struct stream_stats	 st;
	bool			 down;
	unsigned		 open;		/* clients not yet closed */
	struct sbuf		 sb;		/* frame_rib()'s */
};

void
stream_filter_free(struct stream_filter *f)
{
	if (f->has_path)
		regfree(&f->path_re);
	f->has_path = false;
}

struct stream_hub *
stream_hub_new(struct rib *rib, const struct stream_config *c)
{
	struct stream_hub *h;

	if ((h = calloc(1, sizeof(*h))) == NULL)
		return (NULL);
	pthread_mutex_init(&h->mu, NULL);
	h->rib = rib;
	h->conf = *c;
	if (h->conf.queue_bytes < STREAM_MIN_QUEUE)
		h->conf.queue_bytes = STREAM_MIN_QUEUE;
	snprintf(h->host, sizeof(h->host), "%s", c->host != NULL &&
	    c->host[0] != '\0' ? c->host : "bgplens");
	h->conf.host = h->host;
	return (h);
}

const struct stream_config *
stream_hub_config(const struct stream_hub *h)
{
	return (&h->conf);
}

void
stream_hub_stats(struct stream_hub *h, struct stream_stats *st)
{
	pthread_mutex_lock(&h->mu);
	*st = h->st;
	pthread_mutex_unlock(&h->mu);
}

static void
kinds_count(struct stream_hub *h, unsigned kinds, int d)
{
	int i;

	for (i = 0; i < 3; i++)
		if (kinds & (1u << i))
			atomic_fetch_add(&h->n_kind[i], (unsigned)d);
}

/* Take a client off the list (hub lock held); it may still be read. */
static void
unlist(struct stream_hub *h, struct stream_client *c)
{
	struct stream_client **pp;

	if (!c->listed)
		return;
	for (pp = &h->clients; *pp != NULL; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->listed = false;
	kinds_count(h, c->f.kinds, -1);
	h->st.clients--;
}

static void
wake(struct stream_client *c)
{
	if (c->sleeping) {
		c->sleeping = false;
		c->w.wake(c->w.arg);
	}
}

static void
ring_put(struct stream_client *c, const char *p, size_t n)
{
	size_t tail = (c->head + c->len) % c->cap, k;

	k = n < c->cap - tail ? n : c->cap - tail;
	memcpy(c->q + tail, p, k);
	memcpy(c->q, p + k, n - k);
	c->len += n;
}

/* End a client with a last frame saying why (hub lock held). */
static void
end_client(struct stream_hub *h, struct stream_client *c, const char *why)
{
	char	 frame[512];
	json_t	*o;
	char	*js;
	int	 n;

	c->len = 0;
	c->head = 0;
	o = json_pack("{s:s, s:{s:s, s:s}}", "type", "ris_error", "data",
	    "message", why, "host", h->host);
	js = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	n = snprintf(frame, sizeof(frame), "id: %" PRIu64 "\ndata: %s\n\n",
	    ++h->seq, js != NULL ? js : "{\"type\":\"ris_error\"}");
	free(js);
	if (n > 0 && (size_t)n <= c->cap)
		ring_put(c, frame, (size_t)n);
	c->ending = true;
	unlist(h, c);
	wake(c);
}

/* Queue a frame, or drop the client whose queue cannot take it. */
static void
enqueue(struct stream_hub *h, struct stream_client *c, const char *frame,
    size_t n, uint64_t now_us, bool now)
{
	char why[160];

	if (c->cap - c->len < n) {
		h->st.dropped++;
		snprintf(why, sizeof(why), "dropped: the client fell behind "
		    "by more than its queue (%zu bytes, stream_queue_kib)",
		    c->cap);
		end_client(h, c, why);
		return;
	}
	ring_put(c, frame, n);
	c->last_us = now_us;
	h->st.frames++;
	h->st.bytes += n;
	if (now || c->len >= WAKE_BYTES || c->len >= c->cap / 4)
		wake(c);
}

void
stream_hub_flush(struct stream_hub *h)
{
	struct stream_client *c;

	if (atomic_load_explicit(&h->n_kind[0], memory_order_relaxed) == 0)
		return;
	pthread_mutex_lock(&h->mu);
	for (c = h->clients; c != NULL; c = c->next)
		if (c->len > 0)
			wake(c);
	pthread_mutex_unlock(&h->mu);
}

/*
 * Rendering.
 */
static const char *
origin_name(uint8_t o)
{
	switch (o) {
	case ORIGIN_IGP:
		return ("IGP");
	case ORIGIN_EGP:
		return ("EGP");
	default:
		return ("INCOMPLETE");
	}
}

/* The fields every message of a source has: peer, peer_asn, host ... */
static json_t *
msg_base(struct stream_hub *h, uint64_t time_us, const struct addr *peer,
    uint32_t peer_as, const struct addr *router, int src, const char *type)
{
	json_t	*d;
	char	 b[64], asn[16];

	snprintf(asn, sizeof(asn), "%" PRIu32, peer_as);
	d = json_pack("{s:f, s:s, s:s, s:s, s:s}",
	    "timestamp", (double)time_us / 1e6,
	    "peer", peer->afi != 0 ? addr_fmt(peer, b, sizeof(b)) : "",
	    "peer_asn", asn,
	    "host", h->host,
	    "type", type);
	if (d == NULL)
		return (NULL);
	if (router != NULL && router->afi != 0)
		json_object_set_new(d, "router", json_string(addr_fmt(router, b,
		    sizeof(b))));
	if (src >= 0 && src != RIB_NO_SOURCE)
		json_object_set_new(d, "source", json_integer(src));
	return (d);
}

static char *
frame_of(struct stream_hub *h, json_t *msg, size_t *len)
{
	char	*js, *fr;
	int	 n;

	if (msg == NULL)
		return (NULL);
	js = json_dumps(msg, JSON_COMPACT);
	json_decref(msg);
	if (js == NULL)
		return (NULL);
	n = asprintf(&fr, "id: %" PRIu64 "\ndata: %s\n\n", h->seq + 1, js);
	free(js);
	if (n < 0)
		return (NULL);
	h->seq++;
	*len = (size_t)n;
	return (fr);
}

/*
 * UPDATEs are most of what streams carry, one per route change during a
 * table's ingest, so they are printed straight into a buffer the hub
 * keeps rather than built as jansson objects: every string in them is an
 * address, a prefix, a number or one of our own names, none of which
 * needs escaping.
 */
static void __attribute__((format(printf, 2, 3)))
sb_printf(struct sbuf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;
	size_t	 ncap;
	char	*np;

	for (;;) {
		if (b->err)
			return;
		va_start(ap, fmt);
		n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->err = true;
			return;
		}
		if ((size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		ncap = b->cap * 2 > b->len + (size_t)n + 1 ? b->cap * 2 :
		    b->len + (size_t)n + 1;
		if ((np = realloc(b->p, ncap)) == NULL) {
			b->err = true;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

static void
sb_path(struct sbuf *b, const struct rib_attrs *a)
{
	struct aspath_iter	 it;
	uint32_t		 asn;
	uint8_t			 st;
	bool			 first = true, in_set = false;

	sb_printf(b, "[");
	aspath_iter_init(&it, a->aspath, a->aspath_len);
	while (aspath_next(&it, &asn, &st) == 1) {
		if (st == AS_SET && in_set)
			sb_printf(b, ",%" PRIu32, asn);
		else {
			if (in_set)
				sb_printf(b, "]");
			sb_printf(b, "%s%s%" PRIu32, first ? "" : ",",
			    st == AS_SET ? "[" : "", asn);
		}
		in_set = st == AS_SET;
		first = false;
	}
	sb_printf(b, "%s]", in_set ? "]" : "");
}

/* The JSON of one RIB change (RIS Live's ris_message), appended to b. */
static int
render_rib(struct stream_hub *h, const struct rib_event *ev, struct sbuf *b)
{
	const struct rib_source	*s = rib_source_get(h->rib, ev->src);
	struct rib_attrs	 a;
	char			 pb[64], nb[64];
	size_t			 i;

	if (s == NULL)
		return (-1);
	prefix_fmt(&ev->pfx, pb, sizeof(pb));
	sb_printf(b, "{\"type\":\"ris_message\",\"data\":{\"timestamp\":"
	    "%" PRIu64 ".%06" PRIu64 ",\"peer\":\"%s\",\"peer_asn\":\"%"
	    PRIu32 "\",\"host\":\"%s\",\"type\":\"UPDATE\",\"source\":%u",
	    ev->time_us / 1000000, ev->time_us % 1000000,
	    s->peer.afi != 0 ? addr_fmt(&s->peer, nb, sizeof(nb)) : "",
	    s->peer_as, h->host, (unsigned)ev->src);
	if (s->router.afi != 0)
		sb_printf(b, ",\"router\":\"%s\",\"table\":\"%s\"",
		    addr_fmt(&s->router, nb, sizeof(nb)),
		    rib_table_name(s->table));
	if (ev->path_id != 0)
		sb_printf(b, ",\"path_id\":%" PRIu32, ev->path_id);
	if (ev->attr_new == 0 || rib_attr_get(h->rib, ev->attr_new, &a) == -1) {
		sb_printf(b, ",\"withdrawals\":[\"%s\"]}}", pb);
		return (b->err ? -1 : 0);
	}
	sb_printf(b, ",\"path\":");
	sb_path(b, &a);
	sb_printf(b, ",\"community\":[");
	for (i = 0; i + 4 <= a.communities_len; i += 4)
		sb_printf(b, "%s[%u,%u]", i ? "," : "",
		    be16(a.communities + i), be16(a.communities + i + 2));
	sb_printf(b, "],\"origin\":\"%s\"", origin_name(a.origin));
	if (a.flags & RA_F_MED)
		sb_printf(b, ",\"med\":%" PRIu32, a.med);
	sb_printf(b, ",\"announcements\":[{\"next_hop\":\"%s\","
	    "\"prefixes\":[\"%s\"]}]}}", a.nexthop.afi != 0 ?
	    addr_fmt(&a.nexthop, nb, sizeof(nb)) : "", pb);
	return (b->err ? -1 : 0);
}

char *
stream_render_rib(struct stream_hub *h, const struct rib_event *ev)
{
	struct sbuf b = { NULL, 0, 0, false };

	if ((b.p = malloc(b.cap = 256)) == NULL)
		return (NULL);
	if (render_rib(h, ev, &b) == -1) {
		free(b.p);
		return (NULL);
	}
	return (b.p);
}

/* The SSE frame of a RIB change, in the hub's buffer. */
static const char *
frame_rib(struct stream_hub *h, const struct rib_event *ev, size_t *len)
{
	struct sbuf *b = &h->sb;

	b->len = 0;
	b->err = false;
	if (b->p == NULL && (b->p = malloc(b->cap = 1024)) == NULL)
		return (NULL);
	sb_printf(b, "id: %" PRIu64 "\ndata: ", h->seq + 1);
	if (render_rib(h, ev, b) == -1)
		return (NULL);
	sb_printf(b, "\n\n");
	if (b->err)
		return (NULL);
	h->seq++;
	*len = b->len;
	return (b->p);
}

/*
 * Filters.
 */
static bool
prefix_ok(const struct stream_filter *f, const struct prefix *p)
{
	if (!f->has_prefix)
		return (true);
	if (prefix_cmp(&f->pfx, p) == 0)
		return (true);
	if (f->more && prefix_covers(&f->pfx, p))
		return (true);
	if (f->less && prefix_covers(p, &f->pfx))
		return (true);
	return (false);
}

/* Per event: what the filters look at, computed once when first asked. */
struct evview {
	struct stream_hub	*h;
	const struct rib_event	*ev;
	int			 have;	/* 0 = not yet, 1 = yes, -1 = none */
	struct rib_attrs	 a;
	bool			 have_text;
	char			 text[4096];
};

static const struct rib_attrs *
view_attrs(struct evview *v)
{
	uint32_t id;

	if (v->have == 0) {
		/* A withdrawal is judged by the route it takes away. */
		id = v->ev->attr_new != 0 ? v->ev->attr_new : v->ev->attr_old;
		v->have = id != 0 && rib_attr_get(v->h->rib, id, &v->a) == 0 ?
		    1 : -1;
	}
	return (v->have == 1 ? &v->a : NULL);
}

static bool
rib_ok(const struct stream_filter *f, struct evview *v)
{
	const struct rib_attrs *a;

	if (!(f->kinds & STREAM_K_UPDATE))
		return (false);
	if (f->src >= 0 && f->src != v->ev->src)
		return (false);
	if (!prefix_ok(f, &v->ev->pfx))
		return (false);
	if (f->origin_as == 0 && !f->has_path)
		return (true);
	if ((a = view_attrs(v)) == NULL)
		return (false);
	if (f->origin_as != 0 && a->origin_as != f->origin_as)
		return (false);
	if (f->has_path) {
		if (!v->have_text) {
			aspath_fmt(a->aspath, a->aspath_len, v->text,
			    sizeof(v->text));
			v->have_text = true;
		}
		if (regexec(&f->path_re, v->text, 0, NULL, 0) != 0)
			return (false);
	}
	return (true);
}

/*
 * Producers.
 */
int
stream_hub_rib_event(void *arg, const struct rib_event *ev)
{
	struct stream_hub	*h = arg;
	struct stream_client	*c, *next;
	struct evview		 v;
	const char		*fr = NULL;
	size_t			 n = 0;

	if (atomic_load_explicit(&h->n_kind[0], memory_order_relaxed) == 0)
		return (0);
	memset(&v, 0, sizeof(v));
	v.h = h;
	v.ev = ev;
	pthread_mutex_lock(&h->mu);
	for (c = h->clients; c != NULL; c = next) {
		next = c->next;
		if (!rib_ok(&c->f, &v))
			continue;
		if (fr == NULL) {
			if ((fr = frame_rib(h, ev, &n)) == NULL)
				break;
			h->st.events++;
		}
		enqueue(h, c, fr, n, ev->time_us, false);
	}
	pthread_mutex_unlock(&h->mu);
	return (0);
}

void
stream_hub_peer_event(void *arg, const struct peer_event *pe)
{
	struct stream_hub	*h = arg;
	struct stream_client	*c, *next;
	json_t			*d;
	char			*fr = NULL;
	size_t			 n = 0;

	if (atomic_load_explicit(&h->n_kind[1], memory_order_relaxed) == 0)
		return;
	pthread_mutex_lock(&h->mu);
	for (c = h->clients; c != NULL; c = next) {
		next = c->next;
		if (!(c->f.kinds & STREAM_K_PEER) || (c->f.src >= 0 &&
		    c->f.src != pe->src))
			continue;
		if (fr == NULL) {
			d = msg_base(h, pe->time_us, &pe->peer, pe->peer_as,
			    &pe->router, pe->src, "RIS_PEER_STATE");
			if (d == NULL)
				break;
			json_object_set_new(d, "state", json_string(pe->up ?
			    "connected" : "down"));
			if (pe->reason != NULL && pe->reason[0] != '\0')
				json_object_set_new(d, "reason",
				    json_string(pe->reason));
			if ((fr = frame_of(h, json_pack("{s:s, s:o}", "type",
			    "ris_message", "data", d), &n)) == NULL)
				break;
			h->st.events++;
		}
		enqueue(h, c, fr, n, pe->time_us, true);
	}
	pthread_mutex_unlock(&h->mu);
	free(fr);
}

static bool
alert_ok(const struct stream_filter *f, json_t *alert)
{
	const char	*t, *ps;
	struct prefix	 p;

	if (!(f->kinds & STREAM_K_ALERT))
		return (false);
	if (f->alert_type[0] != '\0' && ((t = json_string_value(
	    json_object_get(alert, "type"))) == NULL ||
	    strcmp(t, f->alert_type) != 0))
		return (false);
	if (!f->has_prefix)
		return (true);
	if ((ps = json_string_value(json_object_get(alert, "prefix"))) ==
	    NULL || prefix_parse(ps, &p) == -1)
		return (false);
	return (prefix_ok(f, &p));
}

void
stream_hub_alert_event(void *arg, enum alert_event ev, json_t *alert)
{
	struct stream_hub	*h = arg;
	struct stream_client	*c, *next;
	char			*fr = NULL, *payload, key[64];
	size_t			 n = 0;
	json_t			*msg;
	uint64_t		 now = 0;
	json_t			*ls;

	if (atomic_load_explicit(&h->n_kind[2], memory_order_relaxed) == 0)
		return;
	if ((ls = json_object_get(alert, "last_seen")) != NULL &&
	    json_is_number(ls))
		now = (uint64_t)(json_number_value(ls) * 1e6);
	pthread_mutex_lock(&h->mu);
	for (c = h->clients; c != NULL; c = next) {
		next = c->next;
		if (!alert_ok(&c->f, alert))
			continue;
		if (fr == NULL) {
			/* The webhook's payload: one shape for both. */
			snprintf(key, sizeof(key), "%s:%lld",
			    json_string_value(json_object_get(alert, "id")),
			    (long long)json_integer_value(json_object_get(
			    alert, "revision")));
			if ((payload = alert_payload(ev, alert, key)) == NULL)
				break;
			msg = json_loads(payload, 0, NULL);
			free(payload);
			if (msg == NULL || (fr = frame_of(h, json_pack(
			    "{s:s, s:o}", "type", "alert", "data", msg),
			    &n)) == NULL)
				break;
			h->st.events++;
		}
		enqueue(h, c, fr, n, c->last_us > now ? c->last_us : now, true);
	}
	pthread_mutex_unlock(&h->mu);
	free(fr);
}

/*
 * A comment line is what SSE offers for this: readers ignore it, and it
 * keeps proxies (and our own connection timeout) from closing an idle
 * stream.  A client with a full queue is not sent one: it is dropped at
 * its next real frame.
 */
void
stream_hub_tick(struct stream_hub *h, uint64_t now_us)
{
	static const char	 ka[] = ": keepalive\n\n";
	struct stream_client	*c;
	uint64_t		 every = (uint64_t)h->conf.keepalive_s * 1000000;

	if (every == 0)
		return;
	pthread_mutex_lock(&h->mu);
	for (c = h->clients; c != NULL; c = c->next) {
		if (c->last_us == 0 || c->last_us > now_us)
			c->last_us = now_us;
		if (now_us - c->last_us < every ||
		    c->cap - c->len < sizeof(ka) - 1)
			continue;
		ring_put(c, ka, sizeof(ka) - 1);
		c->last_us = now_us;
		wake(c);
	}
	pthread_mutex_unlock(&h->mu);
}

void
stream_hub_shutdown(struct stream_hub *h)
{
	pthread_mutex_lock(&h->mu);
	h->down = true;
	while (h->clients != NULL)
		end_client(h, h->clients, "the collector is shutting down");
	pthread_mutex_unlock(&h->mu);
}

bool
stream_hub_drained(struct stream_hub *h)
{
	bool d;

	pthread_mutex_lock(&h->mu);
	d = h->open == 0;
	pthread_mutex_unlock(&h->mu);
	return (d);
}

void
stream_hub_free(struct stream_hub *h)
{
	if (h == NULL)
		return;
	stream_hub_shutdown(h);
	pthread_mutex_destroy(&h->mu);
	free(h->sb.p);
	free(h);
}

/*
 * Clients.
 */
struct stream_client *
stream_client_open(struct stream_hub *h, struct stream_filter *f,
    const struct stream_waker *w, bool *busy)
{
	struct stream_client *c;

	*busy = false;
	pthread_mutex_lock(&h->mu);
	if (h->down || h->st.clients >= h->conf.max_clients) {
		h->st.refused++;
		pthread_mutex_unlock(&h->mu);
		*busy = true;
		return (NULL);
	}
	pthread_mutex_unlock(&h->mu);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->cap = h->conf.queue_bytes;
	if ((c->q = malloc(c->cap)) == NULL) {
		free(c);
		return (NULL);
	}
	c->hub = h;
	c->f = *f;
	memset(f, 0, sizeof(*f));		/* the regex is ours now */
	c->w = *w;
	/*
	 * Something to send at once, so the answer's headers leave now
	 * rather than with the first event; "retry" is how long an
	 * EventSource waits before it reconnects.
	 */
	ring_put(c, STREAM_HELLO, sizeof(STREAM_HELLO) - 1);
	pthread_mutex_lock(&h->mu);
	if (h->down || h->st.clients >= h->conf.max_clients) {
		h->st.refused++;
		pthread_mutex_unlock(&h->mu);
		*f = c->f;
		free(c->q);
		free(c);
		*busy = true;
		return (NULL);
	}
	c->next = h->clients;
	h->clients = c;
	c->listed = true;
	kinds_count(h, c->f.kinds, 1);
	h->st.clients++;
	h->st.opened++;
	h->open++;
	pthread_mutex_unlock(&h->mu);
	return (c);
}

size_t
stream_client_read(struct stream_client *c, char *buf, size_t max,
    bool *ended)
{
	struct stream_hub	*h = c->hub;
	size_t			 n, k;

	*ended = false;
	pthread_mutex_lock(&h->mu);
	n = c->len < max ? c->len : max;
	if (n > 0) {
		k = n < c->cap - c->head ? n : c->cap - c->head;
		memcpy(buf, c->q + c->head, k);
		memcpy(buf + k, c->q, n - k);
		c->head = (c->head + n) % c->cap;
		c->len -= n;
	} else if (c->ending)
		*ended = true;
	else {
		c->sleeping = true;
		c->w.sleep(c->w.arg);
	}
	pthread_mutex_unlock(&h->mu);
	return (n);
}

void
stream_client_close(struct stream_client *c)
{
	struct stream_hub *h;

	if (c == NULL)
		return;
	h = c->hub;
	pthread_mutex_lock(&h->mu);
	unlist(h, c);
	h->open--;
	pthread_mutex_unlock(&h->mu);
	stream_filter_free(&c->f);
	free(c->q);
	free(c);
}
