/*
 * session.c -- listeners, peers and BGP sessions of bgplensd.
 *
 * The state machine of RFC 4271 8.2.2, cut to what a passive collector
 * does:
 *
 *	Idle --(configured)--> Active: waiting for the peer to connect
 *	                   \-> Connect: connecting out (active peers)
 *	accept/connect --> OpenSent: our OPEN sent, hold timer 240 s
 *	OPEN received, acceptable --> OpenConfirm: KEEPALIVE sent
 *	KEEPALIVE received --> Established: UPDATEs go to the RIB
 *	error, NOTIFICATION, hold timer, TCP close --> Active (or Idle)
 *
 * A peer owns up to two connections (one it made, one we made) while a
 * collision is resolved (6.8): when an OPEN arrives and the other
 * connection has got as far, the one opened by the speaker with the lower
 * BGP Identifier is closed.  A new connection from a peer whose session
 * is Established replaces it only if the peer negotiated graceful restart
 * (RFC 4724 4.2: it restarted); otherwise the newcomer is refused.
 *
 * Reading is level-triggered and bounded: one callback reads at most one
 * buffer's worth and applies it under one RIB write lock, so a peer
 * sending a full table cannot keep the others (or the looking glass)
 * waiting for long.  Every callback entry point holds the daemon's peer
 * lock, which is what peers_snapshot() takes from other threads.
 *
 * The collector never sends an UPDATE: the only messages it writes are
 * OPEN, KEEPALIVE and NOTIFICATION.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "archive.h"
#include "log.h"
#include "session.h"

#define RBUF_SIZE	(2 * BGP_EXT_MAX_LEN + 64)
#define WBUF_MAX	(256 * 1024)
#define OPEN_HOLD_S	240		/* RFC 4271 8.2.2: "large" */
/*
 * RFC 4724 4.2: how long stale routes may wait for End-of-RIB once the
 * session is back (the "stale path" bound the RFC allows; 360 s is what
 * the common implementations use).
 */
#define GR_STALE_S	360

#define GR_AFI_V4	0x01
#define GR_AFI_V6	0x02

static uint8_t
gr_afi_bit(uint16_t afi)
{
	return (afi == AFI_IPV4 ? GR_AFI_V4 : afi == AFI_IPV6 ? GR_AFI_V6 : 0);
}

struct peer;

struct conn {
	struct peer	*p;
	int		 fd;
	struct ev_io	 io;
	struct ev_timer	 hold_t;
	struct ev_timer	 ka_t;
	enum peer_state	 state;
	bool		 outbound;
	bool		 dead;
	uint8_t		*rbuf;
	size_t		 rlen;
	struct wr	 w;
	struct bgp_open	 remote;
	bool		 have_open;
	bool		 have_local;
	struct addr	 local;		/* our end, from getsockname() */
	uint16_t	 hold;		/* negotiated, seconds */
};

struct peer {
	struct peer	*next;
	struct bgpd	*d;
	struct conf_peer conf;
	bool		 dynamic;
	bool		 held_down;	/* max-prefix shutdown: Idle until reload */
	bool		 removed;
	enum peer_state	 state;
	struct conn	*c_in;
	struct conn	*c_out;
	struct ev_timer	 connect_t;
	struct ev_timer	 restart_t;
	struct ev_timer	 gr_t;
	uint16_t	 src;
	bool		 has_src;
	struct bgp_open	 local_open;
	struct bgp_neg	 neg;
	bool		 gr_ok;		/* peer negotiated graceful restart */
	uint16_t	 gr_time;
	uint8_t		 gr_afis;	/* GR_AFI_*: in its GR capability */
	uint8_t		 stale_afis;	/* GR_AFI_*: kept, awaiting EoR */
	bool		 maxpfx_over;
	uint32_t	 bgp_id;
	uint16_t	 hold;
	uint64_t	 state_since_us;
	uint64_t	 established_us;
	struct addr	 local;		/* our end of the last connection */
	struct peer_counters c;
	char		 last_error[256];
	char		 last_notify_in[200];
	char		 last_notify_out[200];
	char		 caps[256];
};

struct listener {
	struct bgpd	*d;
	int		 fd;
	int		 family;
	struct ev_io	 io;
};

struct bgpd {
	struct conf	 conf;
	struct evloop	*loop;
	struct rib	*rib;
	struct listener	 ls[CONF_MAX_LISTEN];
	int		 n_ls;
	struct peer	*peers;
	struct bgp_update *u;
	pthread_mutex_t	 lock;
	int		 rib_depth;	/* see rib_enter() */
	bool		 stopping;
	struct archive	*ar;		/* the MRT update log, or NULL */
	peer_event_cb	 on_peer;	/* bgpd_set_peer_hook() */
	void		*on_peer_arg;
};

/*
 * The RIB write lock, taken once per read batch (conn_process) and by the
 * paths that can also run inside a batch (a session closing withdraws its
 * routes).  Only the loop thread writes, so a depth counter is enough to
 * make it re-entrant.
 */
static void
rib_enter(struct bgpd *d)
{
	if (d->rib_depth++ == 0)
		rib_wrlock(d->rib);
}

static void
rib_leave(struct bgpd *d)
{
	if (--d->rib_depth == 0)
		rib_unlock(d->rib);
}

static void	conn_close(struct conn *, const char *why, bool graceful);
static void	conn_read_cb(struct ev_io *, unsigned);
static void	peer_start(struct peer *);
static void	peer_set_state(struct peer *, enum peer_state);

const char *
peer_state_name(enum peer_state s)
{
	static const char *const names[] = { "Idle", "Connect", "Active",
	    "OpenSent", "OpenConfirm", "Established" };

	return ((unsigned)s < 6 ? names[s] : "unknown");
}

static const char *
peer_name(const struct peer *p)
{
	static char	buf[ADDR_STRLEN + 32];
	char		ab[ADDR_STRLEN];

	snprintf(buf, sizeof(buf), "neighbor %s AS%u",
	    addr_fmt(&p->conf.addr, ab, sizeof(ab)), p->conf.remote_as);
	return (buf);
}

/*
 * Sockets.
 */

static socklen_t
sockaddr_make(const struct addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->afi == AFI_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		memcpy(&s6->sin6_addr, a->b, 16);
		return (sizeof(*s6));
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	memcpy(&s4->sin_addr, a->b, 4);
	return (sizeof(*s4));
}

/* The peer's address, IPv4-mapped IPv6 folded back to IPv4. */
static void
sockaddr_addr(const struct sockaddr_storage *ss, struct addr *a)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const void *)ss;

		if (memcmp(&s6->sin6_addr, mapped, 12) == 0)
			addr_set_bytes(a, AFI_IPV4,
			    (const uint8_t *)&s6->sin6_addr + 12);
		else
			addr_set_bytes(a, AFI_IPV6,
			    (const uint8_t *)&s6->sin6_addr);
	} else if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const void *)ss;

		addr_set_bytes(a, AFI_IPV4, (const uint8_t *)&s4->sin_addr);
	}
}

/*
 * The MRT update log (archive.h).  Records name our end of the session
 * too, as RouteViews' do: the address the peer's packets arrived at.
 */
static const struct addr *
conn_local(struct conn *c)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof(ss);

	if (!c->have_local && c->fd != -1 &&
	    getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0) {
		sockaddr_addr(&ss, &c->local);
		if (c->local.afi == c->p->conf.addr.afi) {
			c->have_local = true;
			c->p->local = c->local;
		}
	}
	return (&c->p->local);
}

/* The peer's AS as far as it is known: its OPEN's, else the configured. */
static uint32_t
conn_peer_as(const struct conn *c)
{
	return (c->have_open ? bgp_open_asn(&c->remote) : c->p->conf.remote_as);
}

/*
 * RFC 8050: an UPDATE carries path identifiers when ADD-PATH receive was
 * negotiated for its family, which is IPv4 unicast when it has plain
 * NLRI or withdrawn routes, else the family of its MP_(UN)REACH_NLRI.
 */
static bool
msg_addpath(const struct peer *p, uint8_t type, const uint8_t *body,
    size_t len)
{
	struct rd	r, attrs;
	uint16_t	wlen, alen, afi, l16;
	uint8_t		flags, atype, safi, l8;

	if (type != BGP_UPDATE || p->neg.addpath == 0)
		return (false);
	rd_init(&r, body, len);
	if (rd_u16(&r, &wlen) == -1 || rd_skip(&r, wlen) == -1 ||
	    rd_u16(&r, &alen) == -1 || rd_sub(&r, alen, &attrs) == -1)
		return (false);
	if (wlen > 0 || rd_left(&r) > 0)
		return (neg_addpath(&p->neg, afisafi_index(AFI_IPV4,
		    SAFI_UNICAST)));
	while (rd_u8(&attrs, &flags) == 0 && rd_u8(&attrs, &atype) == 0) {
		if (flags & ATTR_F_EXTLEN) {
			if (rd_u16(&attrs, &l16) == -1)
				return (false);
		} else {
			if (rd_u8(&attrs, &l8) == -1)
				return (false);
			l16 = l8;
		}
		if ((atype == ATTR_MP_REACH_NLRI || atype == ATTR_MP_UNREACH_NLRI) &&
		    l16 >= 3 && rd_u16(&attrs, &afi) == 0 &&
		    rd_u8(&attrs, &safi) == 0)
			return (neg_addpath(&p->neg, afisafi_index(afi, safi)));
		if (rd_skip(&attrs, l16) == -1)
			return (false);
	}
	return (false);
}

static void
archive_msg(struct conn *c, const uint8_t *msg, size_t len)
{
	struct peer	*p = c->p;
	struct bgpd	*d = p->d;

	archive_message(d->ar, ev_wall_us(), msg_addpath(p, msg[18],
	    msg + BGP_HDR_LEN, len - BGP_HDR_LEN), conn_peer_as(c),
	    d->conf.local_as, &p->conf.addr, conn_local(c), msg, len);
}

/*
 * RFC 4271 8.2.2 numbers the states from Idle = 1, as STATE_CHANGE
 * records do (RFC 6396 4.4.1).
 */
static void
archive_peer_state(struct peer *p, enum peer_state from, enum peer_state to)
{
	struct bgpd	*d = p->d;
	struct conn	*c = p->c_in != NULL && (p->c_out == NULL ||
			    p->c_in->state >= p->c_out->state) ? p->c_in :
			    p->c_out;

	if (c != NULL)
		conn_local(c);
	if (p->local.afi != p->conf.addr.afi) {
		memset(&p->local, 0, sizeof(p->local));
		p->local.afi = p->conf.addr.afi;
	}
	archive_state(d->ar, ev_wall_us(), c != NULL ? conn_peer_as(c) :
	    p->conf.remote_as, d->conf.local_as, &p->conf.addr, &p->local,
	    (uint16_t)(from + 1), (uint16_t)(to + 1));
}

void
bgpd_set_archive(struct bgpd *d, struct archive *ar)
{
	pthread_mutex_lock(&d->lock);
	d->ar = ar;
	pthread_mutex_unlock(&d->lock);
}

/*
 * RFC 2385 keys: on a listening socket, one per peer address (accepted
 * sockets inherit them); a dynamic range keys a whole prefix.  An empty
 * password removes the key.
 */
static int
md5_set(int fd, int family, const struct addr *a, uint8_t plen,
    const char *password)
{
	struct tcp_md5sig	md;
	struct sockaddr_storage	ss;
	size_t			klen = strlen(password);
	int			opt = TCP_MD5SIG;

	if (klen > TCP_MD5SIG_MAXKEYLEN)
		return (-1);
	if ((family == AF_INET6) != (a->afi == AFI_IPV6))
		return (0);	/* each family has its own listeners */
	memset(&md, 0, sizeof(md));
	sockaddr_make(a, 0, &ss);
	memcpy(&md.tcpm_addr, &ss, sizeof(ss));
	md.tcpm_keylen = (uint16_t)klen;
	memcpy(md.tcpm_key, password, klen);
	if (plen != afi_bits(a->afi)) {
		opt = TCP_MD5SIG_EXT;
		md.tcpm_flags = TCP_MD5SIG_FLAG_PREFIX;
		md.tcpm_prefixlen = plen;
	}
	if (setsockopt(fd, IPPROTO_TCP, opt, &md, sizeof(md)) == -1) {
		/* Removing a key that was never set is not an error. */
		if (klen == 0 && errno == ENOENT)
			return (0);
		return (-1);
	}
	return (0);
}

static void
listeners_md5(struct bgpd *d, const struct addr *a, uint8_t plen,
    const char *password)
{
	char	ab[ADDR_STRLEN];
	int	i;

	for (i = 0; i < d->n_ls; i++)
		if (md5_set(d->ls[i].fd, d->ls[i].family, a, plen,
		    password) == -1)
			log_warn("TCP-MD5 key for %s on listener",
			    addr_fmt(a, ab, sizeof(ab)));
}

/*
 * Connections.
 */

static void
conn_free_deferred(void *arg)
{
	struct conn *c = arg;

	free(c->rbuf);
	wr_free(&c->w);
	free(c);
}

static void
conn_flush(struct conn *c)
{
	struct bgpd	*d = c->p->d;
	ssize_t		 n;
	size_t		 off = 0;

	while (off < wr_len(&c->w)) {
		n = send(c->fd, wr_data(&c->w) + off, wr_len(&c->w) - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			c->dead = true;
			return;
		}
		off += (size_t)n;
	}
	if (off > 0) {
		memmove(c->w.buf, c->w.buf + off, wr_len(&c->w) - off);
		c->w.len -= off;
	}
	ev_io_set(d->loop, &c->io, EV_READ | (wr_len(&c->w) ? EV_WRITE : 0));
}

static void
conn_count_out(struct conn *c, uint8_t type)
{
	c->p->c.msgs_out[type < 6 ? type : 0]++;
}

static void
conn_send_keepalive(struct conn *c)
{
	bgp_keepalive_encode(&c->w);
	conn_count_out(c, BGP_KEEPALIVE);
	conn_flush(c);
}

/* Send a NOTIFICATION and close: the end of every error path. */
static void
conn_notify(struct conn *c, uint8_t code, uint8_t sub, const void *data,
    size_t len, const char *why)
{
	struct bgp_notify	n;
	struct peer		*p = c->p;

	n.code = code;
	n.subcode = sub;
	n.data = data;
	n.data_len = (uint16_t)len;
	bgp_notify_fmt(&n, p->last_notify_out, sizeof(p->last_notify_out));
	if (c->state != PS_CONNECT) {
		bgp_notify_encode(&c->w, code, sub, data, len);
		conn_count_out(c, BGP_NOTIFICATION);
		conn_flush(c);
	}
	log_warnx("%s: sent NOTIFICATION %s: %s", peer_name(p),
	    p->last_notify_out, why);
	snprintf(p->last_error, sizeof(p->last_error), "%s", why);
	conn_close(c, why, false);
}

static void
hold_cb(struct ev_timer *t)
{
	struct conn	*c = t->arg;
	struct bgpd	*d = c->p->d;

	pthread_mutex_lock(&d->lock);
	conn_notify(c, ERR_HOLD, 0, NULL, 0, "hold timer expired");
	pthread_mutex_unlock(&d->lock);
}

static void
ka_cb(struct ev_timer *t)
{
	struct conn	*c = t->arg;
	struct bgpd	*d = c->p->d;

	pthread_mutex_lock(&d->lock);
	if (!c->dead) {
		conn_send_keepalive(c);
		if (c->hold > 0)
			ev_timer_start(d->loop, &c->ka_t, c->hold * 1000u / 3);
	}
	pthread_mutex_unlock(&d->lock);
}

static struct conn *
conn_new(struct peer *p, int fd, bool outbound)
{
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	if ((c->rbuf = malloc(RBUF_SIZE)) == NULL) {
		free(c);
		return (NULL);
	}
	c->p = p;
	c->fd = fd;
	c->outbound = outbound;
	wr_init(&c->w, 4096, WBUF_MAX);
	ev_io_init(&c->io, fd, conn_read_cb, c);
	ev_timer_init(&c->hold_t, hold_cb, c);
	ev_timer_init(&c->ka_t, ka_cb, c);
	return (c);
}

/* Our OPEN: what a collector offers (see the file comment). */
static void
local_open(struct peer *p, struct bgp_open *o)
{
	const struct conf	*cf = &p->d->conf;
	int			 i;

	memset(o, 0, sizeof(*o));
	o->version = 4;
	o->my_as = cf->local_as > 0xffff ? AS_TRANS : (uint16_t)cf->local_as;
	o->holdtime = p->conf.hold_time;
	o->bgp_id = cf->router_id;
	o->has_as4 = true;
	o->as4 = cf->local_as;
	o->route_refresh = true;
	o->enhanced_rr = true;
	o->ext_msg = true;
	o->n_mp = 2;
	o->mp[0].afi = AFI_IPV4;
	o->mp[0].safi = SAFI_UNICAST;
	o->mp[1].afi = AFI_IPV6;
	o->mp[1].safi = SAFI_UNICAST;
	/* RFC 4724 3: a receiving speaker says so with no AFI/SAFI listed. */
	o->has_gr = true;
	o->gr_time = 120;
	if (p->conf.add_path) {
		for (i = 0; i < 2; i++) {
			o->addpath[i].afi = o->mp[i].afi;
			o->addpath[i].safi = o->mp[i].safi;
			o->addpath[i].flags = ADDPATH_RECV;
		}
		o->n_addpath = 2;
	}
}

static void
conn_send_open(struct conn *c)
{
	struct peer	*p = c->p;
	struct bgpd	*d = p->d;

	local_open(p, &p->local_open);
	bgp_open_encode(&c->w, &p->local_open);
	conn_count_out(c, BGP_OPEN);
	c->state = PS_OPENSENT;
	ev_timer_start(d->loop, &c->hold_t, OPEN_HOLD_S * 1000u);
	conn_flush(c);
}

/* The highest state among the peer's connections is the peer's. */
static void
peer_update_state(struct peer *p)
{
	enum peer_state s = PS_IDLE;

	if (p->c_in != NULL && p->c_in->state > s)
		s = p->c_in->state;
	if (p->c_out != NULL && p->c_out->state > s)
		s = p->c_out->state;
	if (s == PS_IDLE && !p->held_down && !p->removed)
		s = p->conf.passive ? PS_ACTIVE : (ev_timer_active(
		    &p->connect_t) ? PS_ACTIVE : PS_CONNECT);
	peer_set_state(p, s);
}

static void
peer_set_state(struct peer *p, enum peer_state s)
{
	if (p->state == s)
		return;
	if (s == PS_ESTABLISHED || p->state == PS_ESTABLISHED)
		log_info("%s: %s -> %s", peer_name(p),
		    peer_state_name(p->state), peer_state_name(s));
	else
		log_debug("%s: %s -> %s", peer_name(p),
		    peer_state_name(p->state), peer_state_name(s));
	if (p->d->ar != NULL)
		archive_peer_state(p, p->state, s);
	if ((s == PS_ESTABLISHED || p->state == PS_ESTABLISHED) &&
	    p->d->on_peer != NULL) {
		struct peer_event pe;

		memset(&pe, 0, sizeof(pe));
		pe.time_us = ev_wall_us();
		pe.peer = p->conf.addr;
		pe.peer_as = p->conf.remote_as;
		pe.src = p->has_src ? p->src : RIB_NO_SOURCE;
		pe.up = s == PS_ESTABLISHED;
		pe.reason = pe.up ? NULL : p->last_error;
		p->d->on_peer(p->d->on_peer_arg, &pe);
	}
	p->state = s;
	p->state_since_us = ev_wall_us();
}

void
bgpd_set_peer_hook(struct bgpd *d, peer_event_cb fn, void *arg)
{
	d->on_peer = fn;
	d->on_peer_arg = arg;
}

/* Withdraw the stale routes of the families in mask; returns how many. */
static uint64_t
peer_sweep_stale(struct peer *p, uint8_t mask)
{
	struct bgpd	*d = p->d;
	uint64_t	 n = 0;

	mask &= p->stale_afis;
	if (mask == 0 || !p->has_src)
		return (0);
	rib_enter(d);
	if (mask & GR_AFI_V4)
		n += rib_source_sweep_stale(d->rib, p->src, AFI_IPV4,
		    ev_wall_us());
	if (mask & GR_AFI_V6)
		n += rib_source_sweep_stale(d->rib, p->src, AFI_IPV6,
		    ev_wall_us());
	rib_leave(d);
	p->stale_afis &= (uint8_t)~mask;
	if (p->stale_afis == 0)
		ev_timer_stop(d->loop, &p->gr_t);
	return (n);
}

/*
 * The restart time ran out before the session came back, or the stale
 * path bound ran out before End-of-RIB: what is still stale goes.
 */
static void
gr_expire_cb(struct ev_timer *t)
{
	struct peer	*p = t->arg;
	struct bgpd	*d = p->d;
	uint64_t	 n;

	pthread_mutex_lock(&d->lock);
	n = peer_sweep_stale(p, GR_AFI_V4 | GR_AFI_V6);
	log_info("%s: graceful restart: %s, %llu stale routes withdrawn",
	    peer_name(p), p->state == PS_ESTABLISHED ? "no End-of-RIB in time" :
	    "restart time over", (unsigned long long)n);
	pthread_mutex_unlock(&d->lock);
}

/*
 * Leave Established.  RFC 4724 4.2: when the session ends without a
 * NOTIFICATION and the peer's Graceful Restart capability listed address
 * families, the routes of those families are kept, marked stale, for the
 * restart time it announced; the others are withdrawn at once (a
 * capability listing no family only says the peer is restart-aware).
 */
static void
peer_session_down(struct peer *p, bool graceful)
{
	struct bgpd	*d = p->d;
	uint64_t	 n = 0, kept = 0, now = ev_wall_us();
	uint8_t		 keep;

	p->c.flaps++;
	if (!p->has_src)
		return;
	keep = graceful && p->gr_ok && p->gr_time > 0 ? p->gr_afis : 0;
	rib_enter(d);
	if (keep == 0) {
		n = rib_source_flush(d->rib, p->src, now);
		p->stale_afis = 0;
		ev_timer_stop(d->loop, &p->gr_t);
	} else {
		/*
		 * Routes already stale from an earlier restart stay stale:
		 * marking again is harmless.  A family not kept is marked
		 * and swept, which withdraws it alone.
		 */
		if (keep & GR_AFI_V4)
			kept += rib_source_mark_stale(d->rib, p->src,
			    AFI_IPV4);
		if (keep & GR_AFI_V6)
			kept += rib_source_mark_stale(d->rib, p->src,
			    AFI_IPV6);
		if (!(keep & GR_AFI_V4)) {
			rib_source_mark_stale(d->rib, p->src, AFI_IPV4);
			n += rib_source_sweep_stale(d->rib, p->src, AFI_IPV4,
			    now);
		}
		if (!(keep & GR_AFI_V6)) {
			rib_source_mark_stale(d->rib, p->src, AFI_IPV6);
			n += rib_source_sweep_stale(d->rib, p->src, AFI_IPV6,
			    now);
		}
		p->stale_afis = keep;
		ev_timer_start(d->loop, &p->gr_t, p->gr_time * 1000u);
		log_info("%s: graceful restart, %llu routes kept stale for "
		    "%u s", peer_name(p), (unsigned long long)kept,
		    p->gr_time);
	}
	rib_leave(d);
	if (n > 0)
		log_info("%s: %llu routes withdrawn", peer_name(p),
		    (unsigned long long)n);
}

static void
conn_close(struct conn *c, const char *why, bool graceful)
{
	struct peer	*p = c->p;
	struct bgpd	*d = p->d;
	bool		 was_est = c->state == PS_ESTABLISHED;

	if (c->fd == -1)
		return;
	ev_io_stop(d->loop, &c->io);
	ev_timer_stop(d->loop, &c->hold_t);
	ev_timer_stop(d->loop, &c->ka_t);
	close(c->fd);
	c->fd = -1;
	c->state = PS_IDLE;
	if (p->c_in == c)
		p->c_in = NULL;
	if (p->c_out == c)
		p->c_out = NULL;
	ev_defer(d->loop, conn_free_deferred, c);
	if (was_est) {
		log_info("%s: session closed: %s", peer_name(p), why);
		peer_session_down(p, graceful);
	} else
		log_debug("%s: connection closed: %s", peer_name(p), why);
	/* Active peers try again after their retry time. */
	if (!p->conf.passive && !p->held_down && !p->removed &&
	    !d->stopping && p->c_out == NULL)
		ev_timer_start(d->loop, &p->connect_t,
		    p->conf.connect_retry * 1000u);
	peer_update_state(p);
}

/*
 * Messages.
 */

static bool
peer_as_ok(const struct peer *p, uint32_t as)
{
	const struct conf	*cf = &p->d->conf;
	size_t			 i;
	unsigned		 k;

	if (!p->dynamic)
		return (as == p->conf.remote_as);
	for (i = 0; i < cf->n_dynamic; i++) {
		const struct conf_dynamic *dy = &cf->dynamic[i];
		struct prefix host;

		host.afi = p->conf.addr.afi;
		host.len = (uint8_t)afi_bits(host.afi);
		memcpy(host.b, p->conf.addr.b, sizeof(host.b));
		if (!prefix_covers(&dy->range, &host))
			continue;
		if (dy->any_as)
			return (true);
		for (k = 0; k < dy->n_asns; k++)
			if (dy->asns[k] == as)
				return (true);
	}
	return (false);
}

/* Describe what was negotiated and what did not match, for logs and API. */
static void
describe_caps(struct peer *p, const struct bgp_open *r)
{
	size_t	off = 0;
	int	i;

	off += (size_t)snprintf(p->caps + off, sizeof(p->caps) - off, "%s",
	    p->neg.as4 ? "4-octet-as" : "2-octet-as");
	for (i = 0; i < r->n_mp && off < sizeof(p->caps); i++)
		off += (size_t)snprintf(p->caps + off, sizeof(p->caps) - off,
		    " %s", afisafi_name(r->mp[i].afi, r->mp[i].safi));
	if (p->neg.addpath && off < sizeof(p->caps))
		off += (size_t)snprintf(p->caps + off, sizeof(p->caps) - off,
		    " add-path-rx");
	if (p->neg.ext_msg && off < sizeof(p->caps))
		off += (size_t)snprintf(p->caps + off, sizeof(p->caps) - off,
		    " extended-message");
	if (r->has_gr && off < sizeof(p->caps))
		off += (size_t)snprintf(p->caps + off, sizeof(p->caps) - off,
		    " graceful-restart(%us)", r->gr_time);
	if (r->route_refresh && off < sizeof(p->caps))
		snprintf(p->caps + off, sizeof(p->caps) - off,
		    " route-refresh");
	if (!r->has_as4)
		log_info("%s: no 4-octet AS capability: AS paths arrive "
		    "2-octet, AS4_PATH merged (RFC 6793)", peer_name(p));
	if (r->n_mp == 0)
		log_info("%s: no multiprotocol capability: IPv4 unicast only",
		    peer_name(p));
	/* Worth a line only if the peer would send and we did not take it. */
	for (i = 0; i < r->n_addpath && p->neg.addpath == 0; i++)
		if (r->addpath[i].flags & ADDPATH_SEND) {
			log_info("%s: peer offers to send ADD-PATH (%s), not "
			    "negotiated: add_path is off for it", peer_name(p),
			    afisafi_name(r->addpath[i].afi,
			    r->addpath[i].safi));
			break;
		}
}

/* RFC 4271 6.8: which of two connections survives. */
static struct conn *
collision_loser(struct conn *c, struct conn *o)
{
	struct peer *p = c->p;

	if (o->state == PS_ESTABLISHED)
		return (c);
	/* The connection the lower BGP Identifier opened is closed. */
	if (p->d->conf.router_id < c->remote.bgp_id)
		return (c->outbound ? c : o);
	return (c->outbound ? o : c);
}

static int
handle_open(struct conn *c, struct rd *body)
{
	struct peer	*p = c->p;
	struct bgpd	*d = p->d;
	struct conn	*o = c == p->c_in ? p->c_out : p->c_in;
	struct bgp_err	 e;
	uint32_t	 as;
	uint8_t		 asbuf[4];

	if (c->state != PS_OPENSENT) {
		conn_notify(c, ERR_FSM, c->state == PS_OPENCONFIRM ? 2 : 3,
		    NULL, 0, "OPEN out of sequence");
		return (-1);
	}
	bgp_err_clear(&e);
	if (bgp_open_decode(body, &c->remote, &e) == -1) {
		conn_notify(c, e.code, e.subcode, NULL, 0, e.reason);
		return (-1);
	}
	c->have_open = true;
	as = bgp_open_asn(&c->remote);
	if (p->dynamic && peer_as_ok(p, as))
		p->conf.remote_as = as;
	if (!peer_as_ok(p, as)) {
		char why[96];

		asbuf[0] = (uint8_t)(as >> 8);
		asbuf[1] = (uint8_t)as;
		snprintf(why, sizeof(why), "peer AS %u, expected %u", as,
		    p->conf.remote_as);
		conn_notify(c, ERR_OPEN, ERR_OPEN_AS, asbuf, 2, why);
		return (-1);
	}
	/* RFC 6286 2.1: an iBGP peer may not share our identifier. */
	if (as == d->conf.local_as && c->remote.bgp_id == d->conf.router_id) {
		conn_notify(c, ERR_OPEN, ERR_OPEN_BGPID, NULL, 0,
		    "BGP identifier equals ours");
		return (-1);
	}
	if (o != NULL && (o->have_open || o->state == PS_ESTABLISHED)) {
		struct conn *loser = collision_loser(c, o);

		conn_notify(loser, ERR_CEASE, ERR_CEASE_COLLISION, NULL, 0,
		    "connection collision resolution");
		if (loser == c)
			return (-1);
	}
	c->hold = c->remote.holdtime < p->conf.hold_time ?
	    c->remote.holdtime : p->conf.hold_time;
	bgp_negotiate(&p->local_open, &c->remote, &p->neg);
	describe_caps(p, &c->remote);
	p->bgp_id = c->remote.bgp_id;
	c->state = PS_OPENCONFIRM;
	conn_send_keepalive(c);
	if (c->hold > 0) {
		ev_timer_start(d->loop, &c->hold_t, c->hold * 1000u);
		ev_timer_start(d->loop, &c->ka_t, c->hold * 1000u / 3);
	} else
		ev_timer_stop(d->loop, &c->hold_t);
	peer_update_state(p);
	return (0);
}

/* The GR_AFI_* bits of the families a Graceful Restart capability lists. */
static uint8_t
gr_afis_of(const struct bgp_open *o)
{
	uint8_t	m = 0;
	int	i;

	if (!o->has_gr)
		return (0);
	for (i = 0; i < o->n_gr; i++)
		if (o->gr[i].safi == SAFI_UNICAST)
			m |= gr_afi_bit(o->gr[i].afi);
	return (m);
}

static void
peer_established(struct peer *p, struct conn *c)
{
	struct bgpd		*d = p->d;
	struct rib_source	 s;
	uint16_t		 old_src = p->has_src ? p->src : RIB_NO_SOURCE;
	uint8_t			 gone, warm = 0;

	c->state = PS_ESTABLISHED;
	p->hold = c->hold;
	p->established_us = ev_wall_us();
	memset(&s, 0, sizeof(s));
	s.peer = p->conf.addr;
	s.peer_as = bgp_open_asn(&c->remote);
	s.peer_bgp_id = c->remote.bgp_id;
	s.table = RIB_TBL_PEER;
	s.ibgp = s.peer_as == d->conf.local_as;
	snprintf(s.name, sizeof(s.name), "%s", p->conf.description);
	/*
	 * A source is the peer's address and AS: a dynamic neighbour that
	 * comes back with another AS is another source, and what the old
	 * one kept stale will not be refreshed by this session.
	 */
	if (p->stale_afis != 0 && old_src != RIB_NO_SOURCE) {
		rib_enter(d);
		if (rib_source_find_or_add(d->rib, &s) != old_src)
			peer_sweep_stale(p, p->stale_afis);
		rib_leave(d);
	}
	rib_enter(d);
	p->src = rib_source_find_or_add(d->rib, &s);
	p->has_src = p->src != RIB_NO_SOURCE;
	if (p->has_src)
		rib_source_set_addpath(d->rib, p->src, p->neg.addpath);
	/*
	 * The first session of this process finding routes already there:
	 * a warm start loaded them, stale.  They wait for this session's
	 * End-of-RIB (or GR_STALE_S), as after a graceful restart, whatever
	 * the peer's capabilities: it is the collector that restarted.
	 */
	if (old_src == RIB_NO_SOURCE && p->has_src && p->stale_afis == 0) {
		if (rib_source_routes(d->rib, p->src, AFI_IPV4) > 0)
			warm |= GR_AFI_V4;
		if (rib_source_routes(d->rib, p->src, AFI_IPV6) > 0)
			warm |= GR_AFI_V6;
		p->stale_afis = warm;
	}
	rib_leave(d);
	p->gr_ok = c->remote.has_gr;
	p->gr_time = c->remote.gr_time;
	p->gr_afis = gr_afis_of(&c->remote);
	/*
	 * RFC 4724 4.2: stale routes of a family the new capability does not
	 * list go at once; the others wait for that family's End-of-RIB,
	 * bounded by GR_STALE_S.  (The Forwarding State bit is not asked
	 * for: a collector forwards nothing, and what it shows is labelled
	 * stale until refreshed.)
	 */
	if (p->stale_afis != 0) {
		gone = (uint8_t)(p->stale_afis & ~p->gr_afis & ~warm);
		if (gone != 0)
			log_info("%s: graceful restart: %llu stale routes "
			    "withdrawn (family no longer in the capability)",
			    peer_name(p), (unsigned long long)
			    peer_sweep_stale(p, gone));
		if (p->stale_afis != 0)
			ev_timer_start(d->loop, &p->gr_t, GR_STALE_S * 1000u);
	} else
		ev_timer_stop(d->loop, &p->gr_t);
	p->maxpfx_over = false;
	peer_update_state(p);
	log_info("%s: established (%s), hold time %u s", peer_name(p),
	    p->caps, c->hold);
}

static void
restart_cb(struct ev_timer *t)
{
	struct peer	*p = t->arg;
	struct bgpd	*d = p->d;

	pthread_mutex_lock(&d->lock);
	log_info("%s: max-prefix restart time over", peer_name(p));
	p->held_down = false;
	peer_start(p);
	pthread_mutex_unlock(&d->lock);
}

static void
check_max_prefix(struct peer *p, struct conn *c)
{
	struct bgpd	*d = p->d;
	uint64_t	 n;
	uint8_t		 data[7];
	char		 why[128];

	if (p->conf.max_prefix == 0 || !p->has_src)
		return;
	n = rib_source_routes(d->rib, p->src, AFI_IPV4) +
	    rib_source_routes(d->rib, p->src, AFI_IPV6);
	if (n <= p->conf.max_prefix) {
		p->maxpfx_over = false;
		return;
	}
	if (!p->maxpfx_over) {
		p->maxpfx_over = true;
		p->c.max_prefix_hits++;
		log_warnx("%s: %llu prefixes, over the maximum of %u (%s)",
		    peer_name(p), (unsigned long long)n, p->conf.max_prefix,
		    maxpfx_action_name(p->conf.max_prefix_action));
	}
	if (p->conf.max_prefix_action == MAXPFX_WARN)
		return;
	/*
	 * RFC 4486 4: AFI, SAFI and the limit ride along.  The limit is on
	 * both families together; name the one holding most of the routes.
	 */
	data[0] = 0;
	data[1] = rib_source_routes(d->rib, p->src, AFI_IPV6) >
	    rib_source_routes(d->rib, p->src, AFI_IPV4) ? AFI_IPV6 : AFI_IPV4;
	data[2] = SAFI_UNICAST;
	data[3] = (uint8_t)(p->conf.max_prefix >> 24);
	data[4] = (uint8_t)(p->conf.max_prefix >> 16);
	data[5] = (uint8_t)(p->conf.max_prefix >> 8);
	data[6] = (uint8_t)p->conf.max_prefix;
	snprintf(why, sizeof(why), "maximum number of prefixes (%u) reached",
	    p->conf.max_prefix);
	p->held_down = true;
	ev_timer_stop(d->loop, &p->connect_t);
	conn_notify(c, ERR_CEASE, ERR_CEASE_MAX_PREFIX, data, sizeof(data),
	    why);
	if (p->conf.max_prefix_action == MAXPFX_RESTART)
		ev_timer_start(d->loop, &p->restart_t,
		    p->conf.max_prefix_restart * 1000u);
}

static int
handle_update(struct conn *c, const uint8_t *body, size_t len)
{
	struct peer		*p = c->p;
	struct bgpd		*d = p->d;
	struct bgp_update	*u = d->u;
	struct rib_apply_stats	 st = { 0, 0, 0, 0 };
	enum bgp_verdict	 v;
	unsigned		 flags;

	if (c->state != PS_ESTABLISHED) {
		conn_notify(c, ERR_FSM, c->state == PS_OPENCONFIRM ? 2 : 1,
		    NULL, 0, "UPDATE before Established");
		return (-1);
	}
	flags = bgp_open_asn(&c->remote) != d->conf.local_as ? BGP_DEC_EBGP : 0;
	v = bgp_update_decode(u, body, len, &p->neg, flags);
	if (v == BGP_SESSION_RESET) {
		/* RFC 7606: only where the NLRI cannot be located. */
		conn_notify(c, u->err.code, u->err.subcode, NULL, 0,
		    u->err.reason);
		return (-1);
	}
	if (v == BGP_TREAT_AS_WITHDRAW) {
		p->c.treat_as_withdraw++;
		snprintf(p->last_error, sizeof(p->last_error),
		    "treat-as-withdraw: %s", u->err.reason);
		log_warnx("%s: UPDATE treated as withdraw (RFC 7606): %s",
		    peer_name(p), u->err.reason);
	} else if (v == BGP_ATTR_DISCARD) {
		p->c.attr_discard++;
		snprintf(p->last_error, sizeof(p->last_error),
		    "attribute discarded: %s", u->err.reason);
		log_debug("%s: attribute discarded (RFC 7606): %s",
		    peer_name(p), u->err.reason);
	}
	if (p->has_src)
		rib_apply_update(d->rib, p->src, u, &p->neg, ev_wall_us(), &st);
	p->c.announced += st.announced;
	p->c.withdrawn += st.withdrawn + st.treat_as_withdraw;
	if (u->eor && u->eor_safi == SAFI_UNICAST &&
	    (p->stale_afis & gr_afi_bit(u->eor_afi))) {
		uint64_t n = peer_sweep_stale(p, gr_afi_bit(u->eor_afi));

		log_info("%s: End-of-RIB %s, %llu stale routes withdrawn",
		    peer_name(p), afisafi_name(u->eor_afi, u->eor_safi),
		    (unsigned long long)n);
	}
	check_max_prefix(p, c);
	return (c->fd == -1 ? -1 : 0);
}

static int
handle_msg(struct conn *c, const struct bgp_hdr *h, struct rd *body)
{
	struct peer		*p = c->p;
	struct bgpd		*d = p->d;
	struct bgp_notify	 n;
	struct bgp_rrefresh	 rr;

	p->c.msgs_in[h->type < 6 ? h->type : 0]++;
	/* Any message restarts the hold timer (RFC 4271 6.5). */
	if (c->hold > 0 && c->state >= PS_OPENCONFIRM)
		ev_timer_start(d->loop, &c->hold_t, c->hold * 1000u);
	switch (h->type) {
	case BGP_OPEN:
		return (handle_open(c, body));
	case BGP_UPDATE:
		return (handle_update(c, rd_cur(body), rd_left(body)));
	case BGP_KEEPALIVE:
		if (c->state == PS_OPENCONFIRM)
			peer_established(p, c);
		else if (c->state != PS_ESTABLISHED) {
			conn_notify(c, ERR_FSM, 1, NULL, 0,
			    "KEEPALIVE in OpenSent");
			return (-1);
		}
		return (0);
	case BGP_NOTIFICATION:
		bgp_notify_decode(body, &n);
		bgp_notify_fmt(&n, p->last_notify_in,
		    sizeof(p->last_notify_in));
		snprintf(p->last_error, sizeof(p->last_error),
		    "received NOTIFICATION %s", p->last_notify_in);
		log_warnx("%s: received NOTIFICATION %s", peer_name(p),
		    p->last_notify_in);
		conn_close(c, "NOTIFICATION received", false);
		return (-1);
	case BGP_ROUTE_REFRESH:
		/* We have nothing to send; a malformed one is ignored too. */
		bgp_rrefresh_decode(body, &rr);
		return (0);
	}
	return (0);
}

/* Frame and handle every complete message in the buffer. */
static void
conn_process(struct conn *c)
{
	struct peer	*p = c->p;
	struct bgpd	*d = p->d;
	struct bgp_hdr	 h;
	struct bgp_err	 e;
	struct rd	 r, body;
	size_t		 max, used = 0;
	uint16_t	 len;
	bool		 locked = false;

	while (c->fd != -1 && c->rlen - used >= BGP_HDR_LEN) {
		/*
		 * RFC 8654: extended messages once Established.  Decided per
		 * message: the KEEPALIVE that makes the session Established
		 * and a large UPDATE often arrive in the same read.
		 */
		max = p->neg.ext_msg && c->state == PS_ESTABLISHED ?
		    BGP_EXT_MAX_LEN : BGP_MAX_LEN;
		len = be16(c->rbuf + used + 16);
		if (len >= BGP_HDR_LEN && len <= max && c->rlen - used < len)
			break;		/* wait for the rest */
		rd_init(&r, c->rbuf + used, c->rlen - used);
		bgp_err_clear(&e);
		if (bgp_hdr_parse(&r, max, &h, &body, &e) == -1) {
			uint8_t bad[2] = { (uint8_t)(len >> 8), (uint8_t)len };

			conn_notify(c, e.code, e.subcode, e.subcode ==
			    ERR_HDR_LEN ? bad : NULL, e.subcode == ERR_HDR_LEN ?
			    2 : 0, e.reason);
			break;
		}
		/* Logged before it acts: its state changes come after it. */
		if (d->ar != NULL)
			archive_msg(c, c->rbuf + used, h.len);
		used += h.len;
		/* One RIB write lock for the batch (see the file comment). */
		if (h.type == BGP_UPDATE && !locked) {
			rib_enter(d);
			locked = true;
		}
		if (handle_msg(c, &h, &body) == -1)
			break;
		/* Bounded hold: readers wait at most about write_hold_us. */
		if (locked && d->rib_depth == 1)
			rib_wryield(d->rib);
	}
	if (locked)
		rib_leave(d);
	if (c->fd != -1 && used > 0) {
		memmove(c->rbuf, c->rbuf + used, c->rlen - used);
		c->rlen -= used;
	}
}

static void
conn_read_cb(struct ev_io *w, unsigned events)
{
	struct conn	*c = w->arg;
	struct peer	*p = c->p;
	struct bgpd	*d = p->d;
	ssize_t		 n;
	int		 err;
	socklen_t	 el = sizeof(err);

	pthread_mutex_lock(&d->lock);
	if (c->state == PS_CONNECT && (events & EV_WRITE)) {
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el) == -1 ||
		    err != 0) {
			snprintf(p->last_error, sizeof(p->last_error),
			    "connect: %s", strerror(err ? err : errno));
			conn_close(c, p->last_error, false);
			goto out;
		}
		conn_send_open(c);
		peer_update_state(p);
		goto out;
	}
	if ((events & EV_WRITE) && wr_len(&c->w) > 0)
		conn_flush(c);
	if (c->dead) {
		conn_close(c, "write failed", true);
		goto out;
	}
	if (!(events & EV_READ))
		goto out;
	n = recv(c->fd, c->rbuf + c->rlen, RBUF_SIZE - c->rlen, MSG_DONTWAIT);
	if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR)) {
		snprintf(p->last_error, sizeof(p->last_error), "%s",
		    n == 0 ? "connection closed by peer" : strerror(errno));
		conn_close(c, p->last_error, true);
		goto out;
	}
	if (n > 0) {
		c->rlen += (size_t)n;
		p->c.bytes_in += (uint64_t)n;
		conn_process(c);
	}
out:
	pthread_mutex_unlock(&d->lock);
}

/*
 * Peers.
 */

static void
connect_cb(struct ev_timer *t)
{
	struct peer		*p = t->arg;
	struct bgpd		*d = p->d;
	struct sockaddr_storage	 ss, ls;
	socklen_t		 sl;
	struct conn		*c;
	int			 fd, one = 1, ttl;

	pthread_mutex_lock(&d->lock);
	if (p->c_out != NULL || p->held_down || d->stopping ||
	    (p->c_in != NULL && p->c_in->state == PS_ESTABLISHED))
		goto out;
	sl = sockaddr_make(&p->conf.addr, p->conf.port, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1) {
		log_warn("%s: socket", peer_name(p));
		goto retry;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (p->conf.password[0] && md5_set(fd, ss.ss_family, &p->conf.addr,
	    (uint8_t)afi_bits(p->conf.addr.afi), p->conf.password) == -1)
		log_warn("%s: TCP-MD5 key", peer_name(p));
	if (p->conf.ttl > 0) {
		ttl = p->conf.ttl;
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
			    sizeof(ttl));
		else
			setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	}
	if (p->conf.local_addr.afi != 0) {
		socklen_t ll = sockaddr_make(&p->conf.local_addr, 0, &ls);

		if (bind(fd, (struct sockaddr *)&ls, ll) == -1)
			log_warn("%s: bind local address", peer_name(p));
	}
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1 &&
	    errno != EINPROGRESS) {
		snprintf(p->last_error, sizeof(p->last_error), "connect: %s",
		    strerror(errno));
		close(fd);
		goto retry;
	}
	if ((c = conn_new(p, fd, true)) == NULL) {
		close(fd);
		goto retry;
	}
	c->state = PS_CONNECT;
	p->c_out = c;
	ev_io_start(d->loop, &c->io, EV_READ | EV_WRITE);
	ev_timer_start(d->loop, &c->hold_t, OPEN_HOLD_S * 1000u);
	peer_update_state(p);
	goto out;
retry:
	ev_timer_start(d->loop, &p->connect_t, p->conf.connect_retry * 1000u);
out:
	pthread_mutex_unlock(&d->lock);
}

static struct peer *
peer_new(struct bgpd *d, const struct conf_peer *cp, bool dynamic)
{
	struct peer *p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return (NULL);
	p->d = d;
	p->conf = *cp;
	p->dynamic = dynamic;
	p->src = RIB_NO_SOURCE;
	p->state_since_us = ev_wall_us();
	ev_timer_init(&p->connect_t, connect_cb, p);
	ev_timer_init(&p->restart_t, restart_cb, p);
	ev_timer_init(&p->gr_t, gr_expire_cb, p);
	p->next = d->peers;
	d->peers = p;
	return (p);
}

static void
peer_start(struct peer *p)
{
	if (!p->conf.passive && !p->held_down)
		ev_timer_start(p->d->loop, &p->connect_t, 0);
	peer_update_state(p);
}

static void
peer_free_deferred(void *arg)
{
	free(arg);
}

/* Remove a peer: close with a Cease, withdraw its routes, free it. */
static void
peer_remove(struct peer *p, uint8_t subcode, const char *why)
{
	struct bgpd	 *d = p->d;
	struct peer	**pp;

	p->removed = true;
	if (p->c_in != NULL)
		conn_notify(p->c_in, ERR_CEASE, subcode, NULL, 0, why);
	if (p->c_out != NULL)
		conn_notify(p->c_out, ERR_CEASE, subcode, NULL, 0, why);
	ev_timer_stop(d->loop, &p->connect_t);
	ev_timer_stop(d->loop, &p->restart_t);
	ev_timer_stop(d->loop, &p->gr_t);
	if (p->has_src) {
		rib_enter(d);
		rib_source_flush(d->rib, p->src, ev_wall_us());
		rib_leave(d);
	}
	for (pp = &d->peers; *pp != NULL; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	ev_defer(d->loop, peer_free_deferred, p);
}

static struct peer *
peer_find(struct bgpd *d, const struct addr *a)
{
	struct peer *p;

	for (p = d->peers; p != NULL; p = p->next)
		if (addr_cmp(&p->conf.addr, a) == 0)
			return (p);
	return (NULL);
}

/* The dynamic range of a configuration that covers an address, or NULL. */
static const struct conf_dynamic *
dynamic_find(const struct conf *cf, const struct addr *a)
{
	struct prefix	host;
	size_t		i;

	host.afi = a->afi;
	host.len = (uint8_t)afi_bits(a->afi);
	memcpy(host.b, a->b, sizeof(host.b));
	for (i = 0; i < cf->n_dynamic; i++)
		if (prefix_covers(&cf->dynamic[i].range, &host))
			return (&cf->dynamic[i]);
	return (NULL);
}

/* A neighbour inside a dynamic range: a peer made on first contact. */
static struct peer *
peer_dynamic(struct bgpd *d, const struct addr *a)
{
	const struct conf_dynamic	*dy;
	struct conf_peer		 cp;

	if ((dy = dynamic_find(&d->conf, a)) == NULL)
		return (NULL);
	memset(&cp, 0, sizeof(cp));
	cp.addr = *a;
	cp.remote_as = dy->asns[0];
	cp.hold_time = dy->hold_time;
	cp.add_path = dy->add_path;
	cp.passive = true;
	cp.port = 179;
	cp.connect_retry = 30;
	snprintf(cp.description, sizeof(cp.description), "%s",
	    dy->description);
	return (peer_new(d, &cp, true));
}

static void
accept_cb(struct ev_io *w, unsigned events)
{
	struct listener		*l = w->arg;
	struct bgpd		*d = l->d;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	struct addr		 a;
	struct peer		*p;
	struct conn		*c;
	char			 ab[ADDR_STRLEN];
	int			 fd, one = 1, ttl;

	fd = accept4(l->fd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1)
		return;
	pthread_mutex_lock(&d->lock);
	sockaddr_addr(&ss, &a);
	if ((p = peer_find(d, &a)) == NULL)
		p = peer_dynamic(d, &a);
	if (p == NULL || p->held_down || d->stopping) {
		log_info("refused connection from %s: %s",
		    addr_fmt(&a, ab, sizeof(ab)), p == NULL ?
		    "not a configured neighbor" : "neighbor is held down");
		close(fd);
		goto out;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (p->conf.ttl > 0) {
		ttl = p->conf.ttl;
		if (ss.ss_family == AF_INET6)
			setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl,
			    sizeof(ttl));
		else
			setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl));
	}
	if (p->c_in != NULL) {
		struct conn *old = p->c_in;

		if (old->state == PS_ESTABLISHED && !p->gr_ok) {
			/* RFC 4271 6.8: the newcomer loses. */
			log_info("%s: new connection refused, session is "
			    "established", peer_name(p));
			close(fd);
			goto out;
		}
		/* It restarted (RFC 4724 4.2) or the old one is stuck. */
		conn_close(old, "superseded by a new connection", true);
	}
	if ((c = conn_new(p, fd, false)) == NULL) {
		close(fd);
		goto out;
	}
	p->c_in = c;
	ev_io_start(d->loop, &c->io, EV_READ);
	conn_send_open(c);
	peer_update_state(p);
out:
	pthread_mutex_unlock(&d->lock);
}

/*
 * The daemon.
 */

static void
conf_copy(struct conf *dst, const struct conf *src)
{
	*dst = *src;
	dst->peers = NULL;
	dst->dynamic = NULL;
	if (src->n_peers > 0 && (dst->peers = calloc(src->n_peers,
	    sizeof(*dst->peers))) != NULL)
		memcpy(dst->peers, src->peers, src->n_peers *
		    sizeof(*dst->peers));
	else
		dst->n_peers = 0;
	if (src->n_dynamic > 0 && (dst->dynamic = calloc(src->n_dynamic,
	    sizeof(*dst->dynamic))) != NULL)
		memcpy(dst->dynamic, src->dynamic, src->n_dynamic *
		    sizeof(*dst->dynamic));
	else
		dst->n_dynamic = 0;
}

struct bgpd *
bgpd_new(const struct conf *cf, struct evloop *loop, struct rib *rib)
{
	struct bgpd	*d;
	size_t		 i;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return (NULL);
	if ((d->u = bgp_update_new()) == NULL) {
		free(d);
		return (NULL);
	}
	conf_copy(&d->conf, cf);
	d->loop = loop;
	d->rib = rib;
	pthread_mutex_init(&d->lock, NULL);
	for (i = 0; i < d->conf.n_peers; i++)
		peer_new(d, &d->conf.peers[i], false);
	return (d);
}

static int
listen_one(struct bgpd *d, const struct addr *a)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	struct listener		*l;
	char			 ab[ADDR_STRLEN];
	int			 fd, one = 1;

	if (d->n_ls >= CONF_MAX_LISTEN)
		return (-1);
	sl = sockaddr_make(a, d->conf.bgp_port, &ss);
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return (-1);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    listen(fd, 64) == -1) {
		log_warn("BGP listener %s port %u",
		    addr_fmt(a, ab, sizeof(ab)), d->conf.bgp_port);
		close(fd);
		return (-1);
	}
	l = &d->ls[d->n_ls++];
	l->d = d;
	l->fd = fd;
	l->family = ss.ss_family;
	ev_io_init(&l->io, fd, accept_cb, l);
	ev_io_start(d->loop, &l->io, EV_READ);
	log_info("listening for BGP on %s port %u",
	    addr_fmt(a, ab, sizeof(ab)), d->conf.bgp_port);
	return (0);
}

static void
keys_install(struct bgpd *d)
{
	struct peer	*p;
	size_t		 i;

	for (p = d->peers; p != NULL; p = p->next)
		if (p->conf.password[0] && !p->dynamic)
			listeners_md5(d, &p->conf.addr,
			    (uint8_t)afi_bits(p->conf.addr.afi),
			    p->conf.password);
	for (i = 0; i < d->conf.n_dynamic; i++) {
		const struct conf_dynamic	*dy = &d->conf.dynamic[i];
		struct addr			 a;

		if (dy->password[0] == '\0')
			continue;
		addr_set_bytes(&a, dy->range.afi, dy->range.b);
		listeners_md5(d, &a, dy->range.len, dy->password);
	}
}

int
bgpd_listen(struct bgpd *d)
{
	struct peer	*p;
	unsigned	 i;
	int		 ok = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->conf.n_listen; i++)
		if (listen_one(d, &d->conf.listen[i]) == 0)
			ok++;
	keys_install(d);
	for (p = d->peers; p != NULL; p = p->next)
		peer_start(p);
	pthread_mutex_unlock(&d->lock);
	return (ok > 0 || d->conf.n_listen == 0 ? 0 : -1);
}

/* Settings whose change needs a new session. */
static bool
peer_conf_material(const struct conf_peer *a, const struct conf_peer *b)
{
	return (a->remote_as != b->remote_as || a->hold_time != b->hold_time ||
	    strcmp(a->password, b->password) != 0 ||
	    a->add_path != b->add_path || a->passive != b->passive ||
	    a->port != b->port || a->ttl != b->ttl ||
	    addr_cmp(&a->local_addr, &b->local_addr) != 0);
}

/*
 * Keys of the running configuration that the new one no longer has: a
 * peer removed or left without a password, a dynamic range removed or
 * left without one.  keys_install() only ever adds or replaces keys, so
 * without this a speaker whose password was taken out of the file could
 * never connect again (the kernel would still drop its unsigned SYNs).
 */
static void
keys_remove_stale(struct bgpd *d, const struct conf *ncf)
{
	const struct conf	*ocf = &d->conf;
	const struct conf_peer	*np;
	struct addr		 a;
	size_t			 i, j;
	bool			 keep;

	for (i = 0; i < ocf->n_peers; i++) {
		if (ocf->peers[i].password[0] == '\0')
			continue;
		np = conf_peer_find(ncf, &ocf->peers[i].addr);
		if (np == NULL || np->password[0] == '\0')
			listeners_md5(d, &ocf->peers[i].addr, (uint8_t)
			    afi_bits(ocf->peers[i].addr.afi), "");
	}
	for (i = 0; i < ocf->n_dynamic; i++) {
		const struct conf_dynamic *od = &ocf->dynamic[i];

		if (od->password[0] == '\0')
			continue;
		keep = false;
		for (j = 0; j < ncf->n_dynamic && !keep; j++)
			keep = ncf->dynamic[j].password[0] != '\0' &&
			    prefix_cmp(&ncf->dynamic[j].range, &od->range) == 0;
		if (!keep) {
			addr_set_bytes(&a, od->range.afi, od->range.b);
			listeners_md5(d, &a, od->range.len, "");
		}
	}
}

/* Settings of a dynamic range whose change needs new sessions. */
static bool
dynamic_conf_material(const struct conf_dynamic *a,
    const struct conf_dynamic *b)
{
	return (a == NULL || b == NULL || a->hold_time != b->hold_time ||
	    a->add_path != b->add_path || a->any_as != b->any_as ||
	    a->n_asns != b->n_asns || memcmp(a->asns, b->asns,
	    a->n_asns * sizeof(a->asns[0])) != 0 ||
	    strcmp(a->password, b->password) != 0);
}

int
bgpd_reconfigure(struct bgpd *d, const struct conf *ncf)
{
	struct peer	*p, *next;
	size_t		 i;
	unsigned	 added = 0, removed = 0, changed = 0;

	pthread_mutex_lock(&d->lock);
	if (ncf->local_as != d->conf.local_as ||
	    ncf->router_id != d->conf.router_id)
		log_warnx("local_as or router_id changed: established sessions "
		    "keep the old values until they restart");
	if (ncf->bgp_port != d->conf.bgp_port ||
	    ncf->n_listen != d->conf.n_listen ||
	    memcmp(ncf->listen, d->conf.listen, sizeof(ncf->listen)) != 0)
		log_warnx("bgp_listen and bgp_port take effect at restart");
	keys_remove_stale(d, ncf);
	/* Removed peers, or changed ones that need a new session. */
	for (p = d->peers; p != NULL; p = next) {
		const struct conf_peer *cp = conf_peer_find(ncf, &p->conf.addr);

		next = p->next;
		if (p->dynamic) {
			/*
			 * A dynamic neighbour goes when it is now listed on
			 * its own, or its range went or changed; it comes
			 * back on its next connection, under the new rules.
			 */
			if (cp != NULL || dynamic_conf_material(dynamic_find(
			    &d->conf, &p->conf.addr), dynamic_find(ncf,
			    &p->conf.addr))) {
				peer_remove(p, cp != NULL ?
				    ERR_CEASE_CONF_CHANGE :
				    ERR_CEASE_PEER_UNCONF,
				    "dynamic range changed");
				removed++;
			}
			continue;
		}
		if (cp == NULL) {
			peer_remove(p, ERR_CEASE_PEER_UNCONF,
			    "peer de-configured");
			removed++;
		} else if (peer_conf_material(&p->conf, cp)) {
			p->conf = *cp;
			p->held_down = false;
			if (p->c_in != NULL)
				conn_notify(p->c_in, ERR_CEASE,
				    ERR_CEASE_CONF_CHANGE, NULL, 0,
				    "configuration changed");
			if (p->c_out != NULL)
				conn_notify(p->c_out, ERR_CEASE,
				    ERR_CEASE_CONF_CHANGE, NULL, 0,
				    "configuration changed");
			peer_start(p);
			changed++;
		} else {
			/* Description, max-prefix, retry: no reset needed. */
			p->conf = *cp;
			if (p->held_down && p->state == PS_IDLE) {
				p->held_down = false;
				peer_start(p);
			}
		}
	}
	conf_free(&d->conf);
	conf_copy(&d->conf, ncf);
	for (i = 0; i < d->conf.n_peers; i++) {
		if (peer_find(d, &d->conf.peers[i].addr) != NULL)
			continue;
		if ((p = peer_new(d, &d->conf.peers[i], false)) != NULL) {
			peer_start(p);
			added++;
		}
	}
	keys_install(d);
	pthread_mutex_unlock(&d->lock);
	log_info("configuration reloaded: %u peers added, %u removed, "
	    "%u reset for changed settings", added, removed, changed);
	return (0);
}

void
bgpd_shutdown(struct bgpd *d)
{
	struct peer	*p;
	int		 i;

	pthread_mutex_lock(&d->lock);
	d->stopping = true;
	for (p = d->peers; p != NULL; p = p->next) {
		if (p->c_in != NULL)
			conn_notify(p->c_in, ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
			    NULL, 0, "collector shutting down");
		if (p->c_out != NULL)
			conn_notify(p->c_out, ERR_CEASE, ERR_CEASE_ADMIN_DOWN,
			    NULL, 0, "collector shutting down");
		ev_timer_stop(d->loop, &p->connect_t);
		ev_timer_stop(d->loop, &p->restart_t);
		ev_timer_stop(d->loop, &p->gr_t);
	}
	for (i = 0; i < d->n_ls; i++) {
		ev_io_stop(d->loop, &d->ls[i].io);
		close(d->ls[i].fd);
	}
	d->n_ls = 0;
	pthread_mutex_unlock(&d->lock);
}

void
bgpd_free(struct bgpd *d)
{
	struct peer *p, *next;

	if (d == NULL)
		return;
	for (p = d->peers; p != NULL; p = next) {
		next = p->next;
		free(p);
	}
	bgp_update_free(d->u);
	conf_free(&d->conf);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

size_t
bgpd_peers_snapshot(struct bgpd *d, struct peer_info **out)
{
	struct peer	*p;
	struct peer_info *v;
	size_t		 n = 0, i = 0;

	pthread_mutex_lock(&d->lock);
	for (p = d->peers; p != NULL; p = p->next)
		n++;
	*out = v = calloc(n ? n : 1, sizeof(*v));
	if (v == NULL) {
		pthread_mutex_unlock(&d->lock);
		return (0);
	}
	for (p = d->peers; p != NULL; p = p->next, i++) {
		v[i].addr = p->conf.addr;
		v[i].remote_as = p->conf.remote_as;
		v[i].bgp_id = p->bgp_id;
		memcpy(v[i].description, p->conf.description,
		    sizeof(v[i].description));
		v[i].state = p->state;
		v[i].dynamic = p->dynamic;
		v[i].passive = p->conf.passive;
		v[i].hold_time = p->hold;
		v[i].state_since_us = p->state_since_us;
		v[i].established_us = p->established_us;
		v[i].src = p->has_src ? p->src : RIB_NO_SOURCE;
		v[i].c = p->c;
		memcpy(v[i].last_error, p->last_error, sizeof(p->last_error));
		memcpy(v[i].last_notify_in, p->last_notify_in,
		    sizeof(p->last_notify_in));
		memcpy(v[i].last_notify_out, p->last_notify_out,
		    sizeof(p->last_notify_out));
		memcpy(v[i].caps, p->caps, sizeof(p->caps));
	}
	pthread_mutex_unlock(&d->lock);
	return (n);
}

uint64_t
bgpd_established(struct bgpd *d)
{
	struct peer	*p;
	uint64_t	 n = 0;

	pthread_mutex_lock(&d->lock);
	for (p = d->peers; p != NULL; p = p->next)
		if (p->state == PS_ESTABLISHED)
			n++;
	pthread_mutex_unlock(&d->lock);
	return (n);
}
