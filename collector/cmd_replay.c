/*
 * cmd_replay.c -- "bgplens replay": speak BGP to a collector and send it the
 * routes one peer had in a TABLE_DUMP_V2 file, as that peer would.
 *
 * A benchmark and test driver: it feeds the same table to bgplensd and to
 * other collectors (BIRD, FRR, GoBGP) so their figures can be put side by
 * side.  It opens one session (4-octet AS, IPv4 and IPv6 unicast), sends
 * the routes packed as a router does (prefixes with identical attributes
 * share an UPDATE), then End-of-RIB for both families, then keeps the
 * session up with KEEPALIVEs until --linger seconds pass or it is
 * signalled.  Blocking I/O: one session per process.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bgp.h"
#include "mrt.h"
#include "mrtwr.h"

struct replay {
	int		 fd;
	struct bgp_neg	 neg;		/* what we may send */
	uint16_t	 peer_index;
	struct wr	 out;		/* pending bytes to send */
	struct wr	 upd;		/* UPDATE under construction */
	struct bgp_update *u;
	uint8_t		 afi;		/* family of the pending UPDATE */
	uint8_t		 key[4096];	/* raw attributes of the pending one */
	size_t		 key_len;
	size_t		 nlri_off;	/* where its NLRI (or MP NLRI) starts */
	size_t		 mp_len_off;	/* MP_REACH length field, IPv6 */
	unsigned	 n_pending;
	uint64_t	 routes, updates;
	int		 err;
};

static volatile sig_atomic_t replay_stop;

static void
on_signal(int sig)
{
	(void)sig;
	replay_stop = 1;
}

static int
send_all(int fd, const uint8_t *p, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = send(fd, p, len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

static void
out_flush(struct replay *r, bool force)
{
	if (!force && wr_len(&r->out) < (256u << 10))
		return;
	if (!wr_ok(&r->out) || send_all(r->fd, wr_data(&r->out),
	    wr_len(&r->out)) == -1)
		r->err = 1;
	wr_reset(&r->out);
}

/* Read one whole BGP message (blocking); -1 on EOF or error. */
static int
read_msg(int fd, uint8_t *buf, size_t cap, struct bgp_hdr *h, struct rd *body)
{
	struct bgp_err	e;
	struct rd	r;
	size_t		got = 0, want = BGP_HDR_LEN;
	ssize_t		n;

	while (got < want) {
		n = recv(fd, buf + got, want - got, 0);
		if (n <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			return (-1);
		}
		got += (size_t)n;
		if (got == BGP_HDR_LEN) {
			want = be16(buf + 16);
			if (want < BGP_HDR_LEN || want > cap)
				return (-1);
		}
	}
	rd_init(&r, buf, got);
	bgp_err_clear(&e);
	return (bgp_hdr_parse(&r, cap, h, body, &e));
}

/* Close the pending UPDATE: patch its lengths and queue it. */
static void
upd_finish(struct replay *r)
{
	size_t	 total;

	if (r->n_pending == 0)
		return;
	if (r->afi == AFI_IPV6) {
		size_t mplen = wr_len(&r->upd) - r->mp_len_off - 2;

		wr_patch_u16(&r->upd, r->mp_len_off, (uint16_t)mplen);
		/* total path attribute length: after the 2 withdrawn octets */
		total = wr_len(&r->upd) - BGP_HDR_LEN - 4;
		wr_patch_u16(&r->upd, BGP_HDR_LEN + 2, (uint16_t)total);
	}
	bgp_msg_end(&r->upd, 0);
	wr_bytes(&r->out, wr_data(&r->upd), wr_len(&r->upd));
	wr_reset(&r->upd);
	r->n_pending = 0;
	r->updates++;
	out_flush(r, false);
}

/*
 * Start an UPDATE for these attributes.  IPv4: attributes then the NLRI
 * field.  IPv6: the attributes, then an MP_REACH_NLRI (extended length)
 * whose NLRI grows as prefixes are added; it goes last so it can grow.
 */
static void
upd_start(struct replay *r, const struct bgp_attrs *a, uint8_t afi)
{
	size_t		 alen_off, start;
	struct bgp_attrs *c;
	static struct bgp_attrs copy;

	bgp_msg_begin(&r->upd, BGP_UPDATE);
	wr_u16(&r->upd, 0);			/* no withdrawn routes */
	alen_off = wr_reserve(&r->upd, 2);
	start = wr_len(&r->upd);
	c = &copy;
	memcpy(c, a, offsetof(struct bgp_attrs, raw));
	c->n_raw = a->n_raw;
	memcpy(c->raw, a->raw, a->n_raw * sizeof(a->raw[0]));
	c->seen &= ~(1ull << ATTR_MP_REACH_NLRI);
	bgp_attrs_encode(&r->upd, c, r->neg.as4);
	if (afi == AFI_IPV6) {
		wr_u8(&r->upd, ATTR_F_OPTIONAL | ATTR_F_EXTLEN);
		wr_u8(&r->upd, ATTR_MP_REACH_NLRI);
		r->mp_len_off = wr_reserve(&r->upd, 2);
		wr_u16(&r->upd, AFI_IPV6);
		wr_u8(&r->upd, SAFI_UNICAST);
		wr_u8(&r->upd, a->mp_reach.nh_len);
		wr_bytes(&r->upd, a->mp_reach.nh, a->mp_reach.nh_len);
		wr_u8(&r->upd, 0);
	}
	wr_patch_u16(&r->upd, alen_off, (uint16_t)(wr_len(&r->upd) - start));
	r->afi = afi;
}

static void
on_rib(void *arg, const struct mrt_ctx *c, const struct mrt_rib *e)
{
	struct replay	*r = arg;
	struct nlri	 n;
	bool		 same;

	if (e->peer_index != r->peer_index || e->safi != SAFI_UNICAST ||
	    e->attrs_len > sizeof(r->key) || r->err)
		return;
	same = r->n_pending > 0 && r->afi == e->afi &&
	    r->key_len == e->attrs_len &&
	    memcmp(r->key, e->attrs, e->attrs_len) == 0;
	/* Keep within 4096 octets: a prefix entry is at most 17 + 4. */
	if (same && wr_len(&r->upd) + 21 > BGP_MAX_LEN)
		same = false;
	if (!same) {
		struct bgp_neg	 mrt = { true, false, 0 };
		enum bgp_verdict v;

		upd_finish(r);
		v = bgp_attrs_decode(r->u, e->attrs, e->attrs_len, &mrt,
		    BGP_DEC_MRT_RIB);
		if (v >= BGP_TREAT_AS_WITHDRAW)
			return;
		if (e->afi == AFI_IPV6 &&
		    !attrs_has(&r->u->a, ATTR_MP_REACH_NLRI))
			return;
		upd_start(r, &r->u->a, (uint8_t)e->afi);
		memcpy(r->key, e->attrs, e->attrs_len);
		r->key_len = e->attrs_len;
	}
	n = e->nlri;
	n.path_id = 0;
	nlri_encode(&r->upd, &n, SAFI_UNICAST, false);
	r->n_pending++;
	r->routes++;
}

static int
tcp_connect(const char *local, const char *host, int port)
{
	struct sockaddr_storage	sa, la;
	socklen_t		sl;
	struct addr		a;
	int			fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	memset(&la, 0, sizeof(la));
	if (addr_parse(host, &a) == -1)
		return (-1);
	if (a.afi == AFI_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, a.b, 16);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, a.b, 4);
		sl = sizeof(*s4);
	}
	if ((fd = socket(sa.ss_family, SOCK_STREAM, 0)) == -1)
		return (-1);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (local != NULL) {
		struct addr l;

		if (addr_parse(local, &l) == -1 || l.afi != a.afi) {
			close(fd);
			errno = EINVAL;
			return (-1);
		}
		if (l.afi == AFI_IPV6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&la;

			s6->sin6_family = AF_INET6;
			memcpy(&s6->sin6_addr, l.b, 16);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&la;

			s4->sin_family = AF_INET;
			memcpy(&s4->sin_addr, l.b, 4);
		}
		if (bind(fd, (struct sockaddr *)&la, sl) == -1) {
			close(fd);
			return (-1);
		}
	}
	if (connect(fd, (struct sockaddr *)&sa, sl) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

/* OPEN both ways and the first KEEPALIVEs. */
static int
handshake(struct replay *r, uint32_t asn, uint32_t bgp_id, uint16_t hold)
{
	struct bgp_open	 me, them;
	struct bgp_hdr	 h;
	struct rd	 body;
	struct bgp_err	 e;
	uint8_t		 buf[BGP_MAX_LEN];
	int		 got_ka = 0;

	memset(&me, 0, sizeof(me));
	me.version = 4;
	me.my_as = asn > 0xffff ? AS_TRANS : (uint16_t)asn;
	me.holdtime = hold;
	me.bgp_id = bgp_id;
	me.has_as4 = true;
	me.as4 = asn;
	me.route_refresh = true;
	me.n_mp = 2;
	me.mp[0].afi = AFI_IPV4;
	me.mp[0].safi = SAFI_UNICAST;
	me.mp[1].afi = AFI_IPV6;
	me.mp[1].safi = SAFI_UNICAST;
	bgp_open_encode(&r->out, &me);
	out_flush(r, true);
	while (!r->err && got_ka == 0) {
		if (read_msg(r->fd, buf, sizeof(buf), &h, &body) == -1)
			return (-1);
		if (h.type == BGP_OPEN) {
			bgp_err_clear(&e);
			if (bgp_open_decode(&body, &them, &e) == -1) {
				fprintf(stderr, "bgplens replay: bad OPEN: %s\n",
				    e.reason);
				return (-1);
			}
			r->neg.as4 = them.has_as4;
			bgp_keepalive_encode(&r->out);
			out_flush(r, true);
		} else if (h.type == BGP_KEEPALIVE)
			got_ka = 1;
		else if (h.type == BGP_NOTIFICATION) {
			struct bgp_notify	n;
			char			txt[256];

			bgp_notify_decode(&body, &n);
			fprintf(stderr, "bgplens replay: NOTIFICATION %s\n",
			    bgp_notify_fmt(&n, txt, sizeof(txt)));
			return (-1);
		}
	}
	return (r->err ? -1 : 0);
}

static void
send_eor(struct replay *r)
{
	size_t off;

	off = bgp_msg_begin(&r->out, BGP_UPDATE);	/* IPv4: empty UPDATE */
	wr_u16(&r->out, 0);
	wr_u16(&r->out, 0);
	bgp_msg_end(&r->out, off);
	off = bgp_msg_begin(&r->out, BGP_UPDATE);	/* IPv6: empty MP_UNREACH */
	wr_u16(&r->out, 0);
	wr_u16(&r->out, 6);
	wr_u8(&r->out, ATTR_F_OPTIONAL);
	wr_u8(&r->out, ATTR_MP_UNREACH_NLRI);
	wr_u8(&r->out, 3);
	wr_u16(&r->out, AFI_IPV6);
	wr_u8(&r->out, SAFI_UNICAST);
	bgp_msg_end(&r->out, off);
	out_flush(r, true);
}

/* Keep the session: answer nothing, drain input, send KEEPALIVEs. */
static void
linger(struct replay *r, int seconds, uint16_t hold)
{
	struct pollfd	 p = { r->fd, POLLIN, 0 };
	uint8_t		 buf[65536];
	time_t		 end = time(NULL) + seconds, next_ka = 0;
	int		 ka = hold >= 3 ? hold / 3 : 1;

	while (!replay_stop && !r->err && (seconds < 0 || time(NULL) < end)) {
		if (time(NULL) >= next_ka) {
			bgp_keepalive_encode(&r->out);
			out_flush(r, true);
			next_ka = time(NULL) + ka;
		}
		if (poll(&p, 1, 1000) > 0 &&
		    recv(r->fd, buf, sizeof(buf), 0) <= 0)
			break;
	}
}

static void
usage(void)
{
	fprintf(stderr, "usage: bgplens replay --connect ADDR[:PORT] "
	    "[--port N] [--local ADDR] --as ASN [--peer-index N] "
	    "[--linger SECONDS] FILE\n");
}

int
cmd_replay(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "connect", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "local", required_argument, NULL, 'l' },
		{ "as", required_argument, NULL, 'a' },
		{ "peer-index", required_argument, NULL, 'i' },
		{ "linger", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 }
	};
	struct replay		 r;
	struct mrt_handlers	 h;
	struct mrt_reader	*rd = NULL;
	struct mrt_in		*in = NULL;
	struct addr		 la;
	const char		*host = NULL, *local = NULL;
	char			 err[256];
	uint32_t		 asn = 0, bgp_id = 0x0a000001;
	int			 port = 179, lingers = -1, ch, rc = 1;
	struct timespec		 t0, t1;

	memset(&r, 0, sizeof(r));
	r.fd = -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "c:p:l:a:i:L:", opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			host = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'l':
			local = optarg;
			break;
		case 'a':
			asn = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'i':
			r.peer_index = (uint16_t)atoi(optarg);
			break;
		case 'L':
			lingers = atoi(optarg);
			break;
		default:
			usage();
			return (2);
		}
	}
	if (host == NULL || asn == 0 || optind + 1 != argc) {
		usage();
		return (2);
	}
	if (local != NULL && addr_parse(local, &la) == 0 && la.afi == AFI_IPV4)
		bgp_id = be32(la.b);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	wr_init(&r.out, 1 << 20, 64u << 20);
	wr_init(&r.upd, BGP_MAX_LEN, BGP_MAX_LEN);
	if ((r.u = bgp_update_new()) == NULL)
		goto done;
	if ((in = mrt_in_open(argv[optind], err, sizeof(err))) == NULL) {
		fprintf(stderr, "bgplens replay: %s: %s\n", argv[optind], err);
		goto done;
	}
	if ((r.fd = tcp_connect(local, host, port)) == -1) {
		fprintf(stderr, "bgplens replay: connect %s port %d: %s\n",
		    host, port, strerror(errno));
		goto done;
	}
	if (handshake(&r, asn, bgp_id, 90) == -1) {
		fprintf(stderr, "bgplens replay: session did not come up\n");
		goto done;
	}
	memset(&h, 0, sizeof(h));
	h.on_rib_entry = on_rib;
	h.arg = &r;
	if ((rd = mrt_reader_new(&h, MRT_RD_NO_ATTRS)) == NULL)
		goto done;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	mrt_reader_run(rd, in);
	upd_finish(&r);
	send_eor(&r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "bgplens replay: sent %llu routes in %llu UPDATEs in "
	    "%.2f s\n", (unsigned long long)r.routes,
	    (unsigned long long)r.updates, (double)(t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (r.err) {
		fprintf(stderr, "bgplens replay: send failed\n");
		goto done;
	}
	linger(&r, lingers, 90);
	rc = 0;
done:
	if (r.fd != -1) {
		wr_reset(&r.out);
		bgp_notify_encode(&r.out, ERR_CEASE, ERR_CEASE_ADMIN_DOWN, NULL,
		    0);
		out_flush(&r, true);
		close(r.fd);
	}
	mrt_reader_free(rd);
	mrt_in_close(in);
	bgp_update_free(r.u);
	wr_free(&r.out);
	wr_free(&r.upd);
	return (rc);
}
