/*
 * bmp_gen.c -- "bgplens bmp --from-mrt RIB [--peers N] [--post] -o OUT":
 * the BMP stream a router monitoring the peers of a TABLE_DUMP_V2 RIB
 * would send.
 *
 * For benchmarks and tests: an Initiation, a Peer Up per peer of the
 * PEER_INDEX_TABLE (the router's OPEN and the peer's, both 4-octet AS,
 * IPv4 and IPv6 unicast), then each peer's routes as Route Monitoring
 * UPDATEs packed the way a router packs them (prefixes with identical
 * attributes share an UPDATE of at most 4096 octets), then End-of-RIB per
 * family.  With --post every UPDATE is sent again as post-policy.  No
 * Termination: a station that reads the stream keeps the routes for as
 * long as the sender keeps the session.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bmp.h"
#include "mrt.h"

#define GEN_ROUTER_AS	65000
#define GEN_ROUTER_ID	0xc00002fe	/* 192.0.2.254 */
#define OUT_FLUSH	(1u << 20)

struct gpeer {
	struct bmp_peer_hdr h;
	struct wr	 upd;		/* UPDATE under construction */
	uint8_t		 afi;
	uint8_t		 key[4096];	/* its raw attributes */
	size_t		 key_len;
	size_t		 mp_len_off;
	unsigned	 n_pending;
};

struct gen {
	int		 fd;
	struct wr	 out;
	struct gpeer	*peers;
	uint16_t	 n_peers;
	uint16_t	 max_peers;
	bool		 post;
	bool		 have_index;
	struct bgp_update *u;
	uint32_t	 ts;
	uint64_t	 routes, updates, messages;
	int		 err;
};

static void
out_flush(struct gen *g, bool force)
{
	size_t	off = 0;
	ssize_t	n;

	if (!force && wr_len(&g->out) < OUT_FLUSH)
		return;
	if (!wr_ok(&g->out))
		g->err = 1;
	while (!g->err && off < wr_len(&g->out)) {
		n = write(g->fd, wr_data(&g->out) + off, wr_len(&g->out) - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			g->err = 1;
			break;
		}
		off += (size_t)n;
	}
	wr_reset(&g->out);
}

/* Wrap one BGP message into Route Monitoring (twice with --post). */
static void
emit_rm(struct gen *g, struct gpeer *p, const uint8_t *msg, size_t len)
{
	struct bmp_peer_hdr	h = p->h;
	size_t			off;
	int			k;

	for (k = 0; k < (g->post ? 2 : 1); k++) {
		h.flags = (uint8_t)(p->h.flags | (k ? BMP_PF_L : 0));
		off = bmp_msg_begin(&g->out, BMP_ROUTE_MONITORING);
		bmp_peer_hdr_encode(&g->out, &h);
		wr_bytes(&g->out, msg, len);
		bmp_msg_end(&g->out, off);
		g->messages++;
	}
	out_flush(g, false);
}

static void
open_make(struct bgp_open *o, uint32_t as, uint32_t id)
{
	memset(o, 0, sizeof(*o));
	o->version = 4;
	o->my_as = as > 0xffff ? AS_TRANS : (uint16_t)as;
	o->holdtime = 90;
	o->bgp_id = id != 0 ? id : 1;
	o->has_as4 = true;
	o->as4 = as;
	o->route_refresh = true;
	o->n_mp = 2;
	o->mp[0].afi = AFI_IPV4;
	o->mp[0].safi = SAFI_UNICAST;
	o->mp[1].afi = AFI_IPV6;
	o->mp[1].safi = SAFI_UNICAST;
}

static void
emit_init(struct gen *g, const char *file)
{
	static const char	name[] = "bgplens-gen";
	char			descr[300];
	size_t			off;

	snprintf(descr, sizeof(descr), "bgplens bmp --from-mrt %s", file);
	off = bmp_msg_begin(&g->out, BMP_INITIATION);
	bmp_tlv_encode(&g->out, BMP_INFO_SYSDESCR, descr, strlen(descr));
	bmp_tlv_encode(&g->out, BMP_INFO_SYSNAME, name, sizeof(name) - 1);
	bmp_msg_end(&g->out, off);
	g->messages++;
}

static void
emit_peer_up(struct gen *g, struct gpeer *p)
{
	struct bgp_open	o;
	uint8_t		local[16];
	size_t		off;

	memset(local, 0, sizeof(local));
	if (p->h.addr.afi == AFI_IPV6) {
		local[0] = 0x20;
		local[1] = 0x01;
		local[2] = 0x0d;
		local[3] = 0xb8;
		local[15] = 0xfe;
	} else {
		local[12] = 192;
		local[14] = 2;
		local[15] = 254;
	}
	off = bmp_msg_begin(&g->out, BMP_PEER_UP);
	bmp_peer_hdr_encode(&g->out, &p->h);
	wr_bytes(&g->out, local, sizeof(local));
	wr_u16(&g->out, 179);
	wr_u16(&g->out, 50000);
	open_make(&o, GEN_ROUTER_AS, GEN_ROUTER_ID);
	bgp_open_encode(&g->out, &o);
	open_make(&o, p->h.as, p->h.bgp_id);
	bgp_open_encode(&g->out, &o);
	bmp_msg_end(&g->out, off);
	g->messages++;
}

static void
on_peer_index(void *arg, const struct mrt_ctx *c,
    const struct mrt_peer_index *pi)
{
	struct gen	*g = arg;
	uint16_t	 i, n = pi->n_peers;

	if (g->have_index)
		return;		/* one table per stream */
	g->have_index = true;
	if (g->max_peers > 0 && n > g->max_peers)
		n = g->max_peers;
	if (n == 0 || (g->peers = calloc(n, sizeof(*g->peers))) == NULL)
		return;
	g->n_peers = n;
	g->ts = c->ts;
	for (i = 0; i < n; i++) {
		struct gpeer *p = &g->peers[i];

		p->h.type = BMP_PEER_GLOBAL;
		p->h.flags = pi->peers[i].ip.afi == AFI_IPV6 ? BMP_PF_V : 0;
		p->h.addr = pi->peers[i].ip;
		p->h.as = pi->peers[i].asn;
		p->h.bgp_id = pi->peers[i].bgp_id;
		p->h.ts_sec = c->ts;
		wr_init(&p->upd, BGP_MAX_LEN, BGP_MAX_LEN);
		emit_peer_up(g, p);
	}
}

/* Close a peer's pending UPDATE: patch its lengths and send it. */
static void
upd_finish(struct gen *g, struct gpeer *p)
{
	size_t total, mplen;

	if (p->n_pending == 0)
		return;
	if (p->afi == AFI_IPV6) {
		mplen = wr_len(&p->upd) - p->mp_len_off - 2;
		wr_patch_u16(&p->upd, p->mp_len_off, (uint16_t)mplen);
		total = wr_len(&p->upd) - BGP_HDR_LEN - 4;
		wr_patch_u16(&p->upd, BGP_HDR_LEN + 2, (uint16_t)total);
	}
	bgp_msg_end(&p->upd, 0);
	emit_rm(g, p, wr_data(&p->upd), wr_len(&p->upd));
	wr_reset(&p->upd);
	p->n_pending = 0;
	g->updates++;
}

/*
 * Start an UPDATE for these attributes.  IPv4: the attributes, then the
 * NLRI field.  IPv6: the attributes, then MP_REACH_NLRI (extended
 * length) last, so that its NLRI can grow.
 */
static void
upd_start(struct gpeer *p, const struct bgp_attrs *a, uint8_t afi)
{
	static struct bgp_attrs	 copy;
	size_t			 alen_off, start;

	bgp_msg_begin(&p->upd, BGP_UPDATE);
	wr_u16(&p->upd, 0);
	alen_off = wr_reserve(&p->upd, 2);
	start = wr_len(&p->upd);
	memcpy(&copy, a, offsetof(struct bgp_attrs, raw));
	copy.n_raw = a->n_raw;
	memcpy(copy.raw, a->raw, a->n_raw * sizeof(a->raw[0]));
	copy.seen &= ~(1ull << ATTR_MP_REACH_NLRI);
	bgp_attrs_encode(&p->upd, &copy, true);
	if (afi == AFI_IPV6) {
		wr_u8(&p->upd, ATTR_F_OPTIONAL | ATTR_F_EXTLEN);
		wr_u8(&p->upd, ATTR_MP_REACH_NLRI);
		p->mp_len_off = wr_reserve(&p->upd, 2);
		wr_u16(&p->upd, AFI_IPV6);
		wr_u8(&p->upd, SAFI_UNICAST);
		wr_u8(&p->upd, a->mp_reach.nh_len);
		wr_bytes(&p->upd, a->mp_reach.nh, a->mp_reach.nh_len);
		wr_u8(&p->upd, 0);
	}
	wr_patch_u16(&p->upd, alen_off, (uint16_t)(wr_len(&p->upd) - start));
	p->afi = afi;
}

static void
on_rib(void *arg, const struct mrt_ctx *c, const struct mrt_rib *e)
{
	struct gen		*g = arg;
	struct gpeer		*p;
	struct nlri		 n;
	struct bgp_neg		 mrt = { true, false, 0 };
	bool			 same;

	if (e->peer_index >= g->n_peers || e->safi != SAFI_UNICAST ||
	    e->attrs_len > sizeof(p->key) || g->err)
		return;
	p = &g->peers[e->peer_index];
	same = p->n_pending > 0 && p->afi == e->afi &&
	    p->key_len == e->attrs_len &&
	    memcmp(p->key, e->attrs, e->attrs_len) == 0 &&
	    wr_len(&p->upd) + 21 <= BGP_MAX_LEN;
	if (!same) {
		upd_finish(g, p);
		if (bgp_attrs_decode(g->u, e->attrs, e->attrs_len, &mrt,
		    BGP_DEC_MRT_RIB) >= BGP_TREAT_AS_WITHDRAW)
			return;
		if (e->afi == AFI_IPV6 &&
		    !attrs_has(&g->u->a, ATTR_MP_REACH_NLRI))
			return;
		upd_start(p, &g->u->a, (uint8_t)e->afi);
		memcpy(p->key, e->attrs, e->attrs_len);
		p->key_len = e->attrs_len;
	}
	n = e->nlri;
	n.path_id = 0;
	nlri_encode(&p->upd, &n, SAFI_UNICAST, false);
	p->n_pending++;
	g->routes++;
}

/* End-of-RIB (RFC 4724 2): an empty UPDATE, and an empty MP_UNREACH. */
static void
emit_eor(struct gen *g, struct gpeer *p)
{
	struct wr	w;
	uint8_t		buf[64];
	size_t		off;

	wr_init_fixed(&w, buf, sizeof(buf));
	off = bgp_msg_begin(&w, BGP_UPDATE);
	wr_u16(&w, 0);
	wr_u16(&w, 0);
	bgp_msg_end(&w, off);
	emit_rm(g, p, wr_data(&w), wr_len(&w));
	wr_reset(&w);
	off = bgp_msg_begin(&w, BGP_UPDATE);
	wr_u16(&w, 0);
	wr_u16(&w, 6);
	wr_u8(&w, ATTR_F_OPTIONAL);
	wr_u8(&w, ATTR_MP_UNREACH_NLRI);
	wr_u8(&w, 3);
	wr_u16(&w, AFI_IPV6);
	wr_u8(&w, SAFI_UNICAST);
	bgp_msg_end(&w, off);
	emit_rm(g, p, wr_data(&w), wr_len(&w));
}

static void
gen_usage(void)
{
	fprintf(stderr, "usage: bgplens bmp --from-mrt RIB [--peers N] "
	    "[--post] -o OUT\n");
}

int
cmd_bmp_gen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from-mrt", required_argument, NULL, 'f' },
		{ "peers", required_argument, NULL, 'n' },
		{ "post", no_argument, NULL, 'P' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen		 g;
	struct mrt_handlers	 h;
	struct mrt_reader	*rd = NULL;
	struct mrt_in		*in = NULL;
	const char		*rib = NULL, *out = NULL;
	char			 err[256];
	uint16_t		 i;
	int			 ch, rc = 1;

	memset(&g, 0, sizeof(g));
	g.fd = -1;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "f:n:Po:", opts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			rib = optarg;
			break;
		case 'n':
			g.max_peers = (uint16_t)atoi(optarg);
			break;
		case 'P':
			g.post = true;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			gen_usage();
			return (2);
		}
	}
	if (rib == NULL || out == NULL || optind != argc) {
		gen_usage();
		return (2);
	}
	wr_init(&g.out, OUT_FLUSH + 65536, 64u << 20);
	if ((g.u = bgp_update_new()) == NULL)
		goto done;
	if ((in = mrt_in_open(rib, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bgplens bmp: %s: %s\n", rib, err);
		goto done;
	}
	if ((g.fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		fprintf(stderr, "bgplens bmp: %s: %s\n", out, strerror(errno));
		goto done;
	}
	emit_init(&g, rib);
	memset(&h, 0, sizeof(h));
	h.on_peer_index = on_peer_index;
	h.on_rib_entry = on_rib;
	h.arg = &g;
	if ((rd = mrt_reader_new(&h, MRT_RD_NO_ATTRS)) == NULL)
		goto done;
	mrt_reader_run(rd, in);
	for (i = 0; i < g.n_peers; i++) {
		upd_finish(&g, &g.peers[i]);
		emit_eor(&g, &g.peers[i]);
	}
	out_flush(&g, true);
	if (g.err) {
		fprintf(stderr, "bgplens bmp: %s: write failed\n", out);
		goto done;
	}
	fprintf(stderr, "bgplens bmp: %u peers, %llu routes in %llu UPDATEs, "
	    "%llu BMP messages\n", g.n_peers, (unsigned long long)g.routes,
	    (unsigned long long)g.updates, (unsigned long long)g.messages);
	rc = 0;
done:
	if (g.fd != -1 && close(g.fd) == -1)
		rc = 1;
	for (i = 0; i < g.n_peers; i++)
		wr_free(&g.peers[i].upd);
	free(g.peers);
	mrt_reader_free(rd);
	mrt_in_close(in);
	bgp_update_free(g.u);
	wr_free(&g.out);
	return (rc);
}
