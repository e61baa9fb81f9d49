/*
 * station.c -- bgplensd's BMP station: listeners, router sessions and
 * outbound connects on the daemon's event loop.
 *
 * A router session (RFC 7854 3.2: the router connects, or the station
 * dials a router configured to wait for it):
 *
 *	accepted (source address in bmp_allow) or dialled (bmp_connect)
 *	  --> reading: bytes into the session's msgbuf, whole messages to
 *	      its struct bmp_router (bmp_router.c has the per-router and
 *	      per-peer state machines)
 *	  --> closed on: TCP close or error, a framing error, a malformed
 *	      message, a Termination, a reload that drops its address from
 *	      the allow-list; the reason is logged and kept, every source
 *	      of the router is flushed; a dialled router is dialled again
 *	      after its retry time.
 *
 * Bounded work per callback, as the BGP sessions do: one recv of at most
 * READ_CHUNK octets, then every whole message in the buffer, under one
 * RIB write lock.  Level-triggered epoll brings the callback back while
 * the socket has more, and other routers and sessions get their turn in
 * between.  A message can be up to BMP_MAX_LEN, so a buffer grows to one
 * such message only while it is being assembled.
 *
 * A router is known by its address (that is the "router" of its RIB
 * sources); two sessions from one address are two routers that share
 * those sources.  Everything runs on the loop thread; the station's
 * mutex is taken by every callback and by bmp_station_snapshot(), which
 * the looking glass calls from its own threads.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bmp.h"
#include "conf.h"
#include "evloop.h"
#include "log.h"
#include "msgbuf.h"

#define READ_CHUNK	(256u * 1024)
#define MAX_SESSIONS	1024
#define RETRY_MIN_S	1

struct bmp_station;

struct bsess {
	struct bmp_station	*st;
	struct bsess		*next;
	struct btarget		*target;	/* dialled: whose */
	int			 fd;
	bool			 connecting;
	struct ev_io		 io;
	struct msgbuf		 mb;
	struct bmp_router	*r;
	struct addr		 addr;
	uint16_t		 port;
	uint64_t		 since;		/* wall clock, us */
};

struct btarget {
	struct bmp_station	*st;
	struct conf_bmp_connect	 c;
	struct ev_timer		 t;
	struct bsess		*s;
	char			 last_error[128];
};

struct blistener {
	struct bmp_station	*st;
	int			 fd;
	struct ev_io		 io;
};

struct bmp_station {
	struct evloop		*loop;
	struct rib		*rib;
	struct archive		*ar;
	struct addr		 listen[CONF_MAX_LISTEN];
	unsigned		 n_listen;
	uint16_t		 port;
	struct prefix		 allow[CONF_MAX_BMP_ALLOW];
	unsigned		 n_allow;
	struct blistener	 ls[CONF_MAX_LISTEN];
	unsigned		 n_ls;
	struct btarget		*targets;
	unsigned		 n_targets;
	struct bsess		*sessions;
	unsigned		 n_sessions;
	int			 rib_depth;
	pthread_mutex_t		 lock;
	bool			 stopping;
	uint64_t		 refused;
	peer_event_cb		 on_peer;
	void			*on_peer_arg;
};

void
bmp_station_set_peer_hook(struct bmp_station *st, peer_event_cb fn,
    void *arg)
{
	st->on_peer = fn;
	st->on_peer_arg = arg;
}

static void	sess_read_cb(struct ev_io *, unsigned);
static void	target_cb(struct ev_timer *);

/* The RIB write lock, re-entrant on the loop thread (as in session.c). */
static void
rib_enter(struct bmp_station *st)
{
	if (st->rib_depth++ == 0)
		rib_wrlock(st->rib);
}

static void
rib_leave(struct bmp_station *st)
{
	if (--st->rib_depth == 0)
		rib_unlock(st->rib);
}

static long
bmp_len_fn(const uint8_t *hdr, size_t max, char *err, size_t errlen)
{
	struct bmp_err	e;
	long		l;

	if ((l = bmp_hdr_len(hdr, max, &e)) == -1)
		snprintf(err, errlen, "%s", e.reason);
	return (l);
}

static socklen_t
sockaddr_make(const struct addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (a->afi == AFI_IPV6) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->b, 16);
		return (sizeof(*s6));
	}
	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, a->b, 4);
	return (sizeof(*s4));
}

/* The address and port, IPv4-mapped IPv6 folded back to IPv4. */
static void
sockaddr_addr(const struct sockaddr_storage *ss, struct addr *a,
    uint16_t *port)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	memset(a, 0, sizeof(*a));
	*port = 0;
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;
		const uint8_t *b = (const uint8_t *)&s6->sin6_addr;

		if (memcmp(b, mapped, 12) == 0)
			addr_set_bytes(a, AFI_IPV4, b + 12);
		else
			addr_set_bytes(a, AFI_IPV6, b);
		*port = ntohs(s6->sin6_port);
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		addr_set_bytes(a, AFI_IPV4, (const uint8_t *)&s4->sin_addr);
		*port = ntohs(s4->sin_port);
	}
}

static bool
allowed(const struct bmp_station *st, const struct addr *a)
{
	struct prefix	host;
	unsigned	i;

	host.afi = a->afi;
	host.len = (uint8_t)afi_bits(a->afi);
	memcpy(host.b, a->b, sizeof(host.b));
	for (i = 0; i < st->n_allow; i++)
		if (prefix_covers(&st->allow[i], &host))
			return (true);
	return (false);
}

static const char *
sess_name(const struct bsess *s)
{
	static char	buf[ADDR_STRLEN + 48];
	char		ab[ADDR_STRLEN];

	snprintf(buf, sizeof(buf), "BMP router %s port %u",
	    addr_fmt(&s->addr, ab, sizeof(ab)), s->port);
	return (buf);
}

/* TCP keepalive: BMP has none of its own, and a router may vanish. */
static void
sock_tune(int fd)
{
	int one = 1, idle = 60, intvl = 15, cnt = 4;

	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/*
 * Sessions.
 */

static void
sess_free_deferred(void *arg)
{
	struct bsess *s = arg;

	msgbuf_free(&s->mb);
	bmp_router_free(s->r);
	free(s);
}

static struct bsess *
sess_new(struct bmp_station *st, int fd, const struct addr *a, uint16_t port)
{
	struct bsess *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (NULL);
	if ((s->r = bmp_router_new(st->rib, a, port)) == NULL ||
	    msgbuf_init(&s->mb, BMP_HDR_LEN, BMP_MAX_LEN, 64 * 1024,
	    bmp_len_fn) == -1) {
		bmp_router_free(s->r);
		free(s);
		return (NULL);
	}
	bmp_router_set_peer_hook(s->r, st->on_peer, st->on_peer_arg);
	bmp_router_set_archive(s->r, st->ar);
	s->st = st;
	s->fd = fd;
	s->addr = *a;
	s->port = port;
	s->since = ev_wall_us();
	ev_io_init(&s->io, fd, sess_read_cb, s);
	s->next = st->sessions;
	st->sessions = s;
	st->n_sessions++;
	return (s);
}

static void
sess_close(struct bsess *s, const char *why, int level)
{
	struct bmp_station	*st = s->st;
	struct bsess		**pp;
	uint64_t		 n;

	if (s->fd == -1)
		return;
	ev_io_stop(st->loop, &s->io);
	close(s->fd);
	s->fd = -1;
	rib_enter(st);
	n = bmp_router_down(s->r, ev_wall_us());
	rib_leave(st);
	bmp_router_set_error(s->r, why);
	/* A router not there yet: said once, then again when it changes. */
	if (s->connecting)
		log_msg(s->target != NULL && strcmp(s->target->last_error,
		    why) == 0 ? LOG_LVL_DEBUG : LOG_LVL_INFO,
		    "%s: %s; dialling again every %u s", sess_name(s), why,
		    s->target != NULL ? s->target->c.retry : 0);
	else
		log_msg(level, "%s: session closed: %s; %llu routes withdrawn",
		    sess_name(s), why, (unsigned long long)n);
	for (pp = &st->sessions; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	st->n_sessions--;
	if (s->target != NULL) {
		snprintf(s->target->last_error, sizeof(s->target->last_error),
		    "%s", why);
		s->target->s = NULL;
		if (!st->stopping)
			ev_timer_start(st->loop, &s->target->t,
			    s->target->c.retry * 1000u);
	}
	ev_defer(st->loop, sess_free_deferred, s);
}

/* Every whole message in the buffer, under one RIB write lock. */
static void
sess_process(struct bsess *s)
{
	struct bmp_station	*st = s->st;
	const uint8_t		*msg;
	struct bmp_err		 e;
	size_t			 len;
	uint64_t		 now = ev_wall_us();
	char			 why[300];
	int			 rv, x;

	rib_enter(st);
	while ((rv = msgbuf_next(&s->mb, &msg, &len)) == 1) {
		x = bmp_router_input(s->r, msg, len, now, &e);
		if (x == -1) {
			snprintf(why, sizeof(why), "malformed %s message at "
			    "offset %llu: %s", bmp_type_name(msg[5]),
			    (unsigned long long)(msgbuf_offset(&s->mb) - len),
			    e.reason);
			sess_close(s, why, LOG_LVL_WARN);
			break;
		}
		if (x == 1) {
			struct bmp_router_info i;

			bmp_router_info(s->r, &i);
			snprintf(why, sizeof(why), "Termination: %s%s%s",
			    bmp_term_reason_name(i.term_reason),
			    i.term_text[0] ? ": " : "", i.term_text);
			free(i.peers);
			sess_close(s, why, LOG_LVL_INFO);
			break;
		}
		/* Bounded hold, as for BGP sessions (rib.h). */
		if (st->rib_depth == 1)
			rib_wryield(st->rib);
	}
	if (rv == -1 && s->fd != -1) {
		snprintf(why, sizeof(why), "framing error at offset %llu: %s",
		    (unsigned long long)msgbuf_offset(&s->mb),
		    msgbuf_error(&s->mb));
		bmp_router_set_error(s->r, why);
		sess_close(s, why, LOG_LVL_WARN);
	}
	rib_leave(st);
}

static void
sess_connected(struct bsess *s)
{
	int	err = 0;
	socklen_t el = sizeof(err);

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1 ||
	    err != 0) {
		char why[128];

		snprintf(why, sizeof(why), "connect: %s",
		    strerror(err ? err : errno));
		sess_close(s, why, LOG_LVL_INFO);
		return;
	}
	s->connecting = false;
	ev_io_set(s->st->loop, &s->io, EV_READ);
	log_info("%s: connected (dialled)", sess_name(s));
}

static void
sess_read_cb(struct ev_io *w, unsigned events)
{
	struct bsess		*s = w->arg;
	struct bmp_station	*st = s->st;
	uint8_t			*p;
	size_t			 room;
	ssize_t			 n;
	char			 why[160];

	pthread_mutex_lock(&st->lock);
	if (s->fd == -1)
		goto out;
	if (s->connecting) {
		if (events & (EV_WRITE | EV_READ))
			sess_connected(s);
		goto out;
	}
	if ((p = msgbuf_space(&s->mb, READ_CHUNK, &room)) == NULL) {
		sess_close(s, "out of memory for the read buffer",
		    LOG_LVL_WARN);
		goto out;
	}
	if (room > READ_CHUNK)
		room = READ_CHUNK;
	n = recv(s->fd, p, room, MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		goto out;
	if (n <= 0) {
		if (n == 0 && msgbuf_pending(&s->mb) > 0)
			snprintf(why, sizeof(why), "closed by the router "
			    "inside a message (%zu octets of it)",
			    msgbuf_pending(&s->mb));
		else
			snprintf(why, sizeof(why), "%s", n == 0 ?
			    "closed by the router" : strerror(errno));
		sess_close(s, why, LOG_LVL_INFO);
		goto out;
	}
	msgbuf_commit(&s->mb, (size_t)n);
	sess_process(s);
out:
	pthread_mutex_unlock(&st->lock);
}

/*
 * Listeners.
 */

static void
accept_cb(struct ev_io *w, unsigned events)
{
	struct blistener	*l = w->arg;
	struct bmp_station	*st = l->st;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	struct bsess		*s;
	struct addr		 a;
	uint16_t		 port;
	char			 ab[ADDR_STRLEN];
	int			 fd;

	fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	pthread_mutex_lock(&st->lock);
	sockaddr_addr(&ss, &a, &port);
	if (st->stopping || !allowed(st, &a) ||
	    st->n_sessions >= MAX_SESSIONS) {
		st->refused++;
		log_info("refused BMP connection from %s port %u: %s",
		    addr_fmt(&a, ab, sizeof(ab)), port, st->stopping ?
		    "shutting down" : st->n_sessions >= MAX_SESSIONS ?
		    "too many sessions" : "not in bmp_allow");
		close(fd);
		goto out;
	}
	sock_tune(fd);
	if ((s = sess_new(st, fd, &a, port)) == NULL) {
		log_warnx("BMP connection from %s: out of memory",
		    addr_fmt(&a, ab, sizeof(ab)));
		close(fd);
		goto out;
	}
	ev_io_start(st->loop, &s->io, EV_READ);
	log_info("%s: connected", sess_name(s));
out:
	pthread_mutex_unlock(&st->lock);
}

static int
listen_one(struct bmp_station *st, const struct addr *a)
{
	struct sockaddr_storage	 ss;
	struct blistener	*l;
	socklen_t		 sl;
	char			 ab[ADDR_STRLEN];
	int			 fd, one = 1;

	if (st->n_ls >= CONF_MAX_LISTEN)
		return (-1);
	sl = sockaddr_make(a, st->port, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    listen(fd, 64) == -1) {
		log_warn("BMP listener %s port %u", addr_fmt(a, ab,
		    sizeof(ab)), st->port);
		close(fd);
		return (-1);
	}
	l = &st->ls[st->n_ls++];
	l->st = st;
	l->fd = fd;
	ev_io_init(&l->io, fd, accept_cb, l);
	ev_io_start(st->loop, &l->io, EV_READ);
	log_info("listening for BMP on %s port %u", addr_fmt(a, ab,
	    sizeof(ab)), st->port);
	return (0);
}

/*
 * Outbound: routers that wait for the station to call.
 */

static void
target_cb(struct ev_timer *t)
{
	struct btarget		*tg = t->arg;
	struct bmp_station	*st = tg->st;
	struct sockaddr_storage	 ss;
	struct bsess		*s;
	socklen_t		 sl;
	int			 fd;

	pthread_mutex_lock(&st->lock);
	if (tg->s != NULL || st->stopping)
		goto out;
	sl = sockaddr_make(&tg->c.addr, tg->c.port, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1 || (connect(fd, (struct sockaddr *)&ss, sl) == -1 &&
	    errno != EINPROGRESS)) {
		snprintf(tg->last_error, sizeof(tg->last_error), "connect: %s",
		    strerror(errno));
		if (fd != -1)
			close(fd);
		ev_timer_start(st->loop, &tg->t, tg->c.retry * 1000u);
		goto out;
	}
	sock_tune(fd);
	if ((s = sess_new(st, fd, &tg->c.addr, tg->c.port)) == NULL) {
		close(fd);
		ev_timer_start(st->loop, &tg->t, tg->c.retry * 1000u);
		goto out;
	}
	s->target = tg;
	s->connecting = true;
	tg->s = s;
	ev_io_start(st->loop, &s->io, EV_READ | EV_WRITE);
out:
	pthread_mutex_unlock(&st->lock);
}

static void
targets_stop(struct bmp_station *st)
{
	unsigned i;

	for (i = 0; i < st->n_targets; i++) {
		ev_timer_stop(st->loop, &st->targets[i].t);
		if (st->targets[i].s != NULL) {
			st->targets[i].s->target = NULL;
			sess_close(st->targets[i].s, "no longer configured",
			    LOG_LVL_INFO);
		}
	}
	free(st->targets);
	st->targets = NULL;
	st->n_targets = 0;
}

static int
targets_set(struct bmp_station *st, const struct conf *cf)
{
	unsigned i;

	if (cf->n_bmp_connect == 0)
		return (0);
	if ((st->targets = calloc(cf->n_bmp_connect,
	    sizeof(*st->targets))) == NULL)
		return (-1);
	st->n_targets = cf->n_bmp_connect;
	for (i = 0; i < st->n_targets; i++) {
		struct btarget *tg = &st->targets[i];

		tg->st = st;
		tg->c = cf->bmp_connect[i];
		if (tg->c.retry < RETRY_MIN_S)
			tg->c.retry = RETRY_MIN_S;
		ev_timer_init(&tg->t, target_cb, tg);
	}
	return (0);
}

/*
 * The station.
 */

static void
conf_take(struct bmp_station *st, const struct conf *cf)
{
	memcpy(st->allow, cf->bmp_allow, sizeof(st->allow));
	st->n_allow = cf->n_bmp_allow;
}

struct bmp_station *
bmp_station_new(const struct conf *cf, struct evloop *loop, struct rib *rib)
{
	struct bmp_station *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return (NULL);
	st->loop = loop;
	st->rib = rib;
	memcpy(st->listen, cf->bmp_listen, sizeof(st->listen));
	st->n_listen = cf->n_bmp_listen;
	st->port = cf->bmp_port;
	conf_take(st, cf);
	if (targets_set(st, cf) == -1) {
		free(st);
		return (NULL);
	}
	pthread_mutex_init(&st->lock, NULL);
	return (st);
}

int
bmp_station_start(struct bmp_station *st)
{
	unsigned i, ok = 0;

	pthread_mutex_lock(&st->lock);
	for (i = 0; i < st->n_listen; i++)
		if (listen_one(st, &st->listen[i]) == 0)
			ok++;
	for (i = 0; i < st->n_targets; i++)
		ev_timer_start(st->loop, &st->targets[i].t, 0);
	pthread_mutex_unlock(&st->lock);
	return (ok > 0 || st->n_listen == 0 ? 0 : -1);
}

static bool
targets_differ(const struct bmp_station *st, const struct conf *cf)
{
	unsigned i;

	if (st->n_targets != cf->n_bmp_connect)
		return (true);
	for (i = 0; i < st->n_targets; i++)
		if (addr_cmp(&st->targets[i].c.addr,
		    &cf->bmp_connect[i].addr) != 0 ||
		    st->targets[i].c.port != cf->bmp_connect[i].port)
			return (true);
	return (false);
}

int
bmp_station_reconfigure(struct bmp_station *st, const struct conf *cf)
{
	struct bsess	*s, *next;
	unsigned	 i;
	int		 rv = 0;

	pthread_mutex_lock(&st->lock);
	if (cf->bmp_port != st->port || cf->n_bmp_listen != st->n_listen ||
	    memcmp(cf->bmp_listen, st->listen, sizeof(st->listen)) != 0)
		log_warnx("bmp_listen and bmp_port take effect at restart");
	conf_take(st, cf);
	/* Accepted sessions whose address is no longer allowed go. */
	for (s = st->sessions; s != NULL; s = next) {
		next = s->next;
		if (s->target == NULL && !allowed(st, &s->addr))
			sess_close(s, "no longer in bmp_allow",
			    LOG_LVL_INFO);
	}
	if (targets_differ(st, cf)) {
		targets_stop(st);
		if (targets_set(st, cf) == -1)
			rv = -1;
		for (i = 0; i < st->n_targets; i++)
			ev_timer_start(st->loop, &st->targets[i].t, 0);
	}
	pthread_mutex_unlock(&st->lock);
	return (rv);
}

void
bmp_station_set_archive(struct bmp_station *st, struct archive *ar)
{
	struct bsess *s;

	pthread_mutex_lock(&st->lock);
	st->ar = ar;
	for (s = st->sessions; s != NULL; s = s->next)
		bmp_router_set_archive(s->r, ar);
	pthread_mutex_unlock(&st->lock);
}

void
bmp_station_shutdown(struct bmp_station *st)
{
	unsigned i;

	if (st == NULL)
		return;
	pthread_mutex_lock(&st->lock);
	st->stopping = true;
	targets_stop(st);
	while (st->sessions != NULL)
		sess_close(st->sessions, "station shutting down",
		    LOG_LVL_INFO);
	for (i = 0; i < st->n_ls; i++) {
		ev_io_stop(st->loop, &st->ls[i].io);
		close(st->ls[i].fd);
	}
	st->n_ls = 0;
	pthread_mutex_unlock(&st->lock);
}

void
bmp_station_free(struct bmp_station *st)
{
	if (st == NULL)
		return;
	free(st->targets);
	pthread_mutex_destroy(&st->lock);
	free(st);
}

size_t
bmp_station_snapshot(struct bmp_station *st, struct bmp_router_info **out)
{
	struct bmp_router_info	*v;
	struct bsess		*s;
	size_t			 n = 0;

	pthread_mutex_lock(&st->lock);
	if ((v = calloc(st->n_sessions ? st->n_sessions : 1,
	    sizeof(*v))) == NULL) {
		pthread_mutex_unlock(&st->lock);
		*out = NULL;
		return (0);
	}
	for (s = st->sessions; s != NULL; s = s->next) {
		if (bmp_router_info(s->r, &v[n]) == -1)
			continue;
		v[n].outbound = s->target != NULL;
		v[n].connected = !s->connecting;
		v[n].connected_us = s->since;
		n++;
	}
	pthread_mutex_unlock(&st->lock);
	*out = v;
	return (n);
}
