/*
 * cmd_gen_table.c -- "bgplens gen-table": write a synthetic full table as
 * a TABLE_DUMP_V2 RIB file, for benchmarks and for a demo that needs no
 * outside data.
 *
 * The shape is calibrated on a real RouteViews RIB (2014, 270k routes):
 * prefix lengths /24 54.9%, /22 10.7%, /23 8.8%, /21 8.4%, /20 6.1%,
 * /19 4.7%, /16 2.0%, the rest spread over /8-/18; AS path lengths
 * (neighbour included) 2: 4%, 3: 27%, 4: 35%, 5: 19%, 6: 7%, 7+: 9%;
 * 49% of routes with communities, 17.5% with prepending; about 75k
 * origin ASes of which 40% 4-octet.  Every peer carries every prefix, with
 * its own first hops, so attribute sets differ per peer as in a real
 * multi-peer collector, and are shared across the prefixes of an origin.
 */
#include <errno.h>
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"
#include "mrtwr.h"
#include "rib.h"

struct gen {
	uint64_t	 rng;
	unsigned	 peers;
	uint32_t	*origins;	/* origin AS pool */
	unsigned	 n_origins;
	uint32_t	*transit;	/* transit AS pool */
	unsigned	 n_transit;
};

/* xorshift64*: fast, and the same table for the same seed everywhere. */
static uint64_t
rnd(struct gen *g)
{
	g->rng ^= g->rng >> 12;
	g->rng ^= g->rng << 25;
	g->rng ^= g->rng >> 27;
	return (g->rng * 0x2545F4914F6CDD1DULL);
}

static unsigned
rnd_below(struct gen *g, unsigned n)
{
	return ((unsigned)((rnd(g) >> 32) % n));
}

static unsigned
pick_len_v4(struct gen *g)
{
	unsigned r = rnd_below(g, 1000);

	if (r < 549)
		return (24);
	if ((r -= 549) < 107)
		return (22);
	if ((r -= 107) < 88)
		return (23);
	if ((r -= 88) < 84)
		return (21);
	if ((r -= 84) < 61)
		return (20);
	if ((r -= 61) < 47)
		return (19);
	if ((r -= 47) < 20)
		return (16);
	return (8 + rnd_below(g, 11));		/* /8 .. /18 */
}

static unsigned
pick_len_v6(struct gen *g)
{
	static const unsigned lens[] = { 48, 48, 48, 48, 48, 48, 48, 48, 48,
	    32, 32, 32, 44, 44, 40, 40, 36, 29, 46, 47 };

	return (lens[rnd_below(g, sizeof(lens) / sizeof(lens[0]))]);
}

static unsigned
pick_pathlen(struct gen *g)
{
	unsigned r = rnd_below(g, 100);

	if (r < 4)
		return (2);
	if (r < 31)
		return (3);
	if (r < 66)
		return (4);
	if (r < 85)
		return (5);
	if (r < 92)
		return (6);
	return (7 + rnd_below(g, 4));
}

/* Unique prefixes: an open-addressing set of 64-bit keys. */
struct pset {
	uint64_t	*k;
	size_t		 cap;
};

static int
pset_add(struct pset *s, uint64_t key)
{
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & (s->cap - 1);

	key |= 1;	/* 0 means empty */
	for (; s->k[i] != 0; i = (i + 1) & (s->cap - 1))
		if (s->k[i] == key)
			return (0);
	s->k[i] = key;
	return (1);
}

static void
gen_prefix(struct gen *g, struct pset *set, uint8_t afi, struct prefix *p)
{
	uint64_t key, hi;

	do {
		memset(p, 0, sizeof(*p));
		p->afi = afi;
		if (afi == AFI_IPV4) {
			uint32_t a;

			p->len = (uint8_t)pick_len_v4(g);
			/* Unicast space 1.0.0.0 - 223.255.255.255. */
			a = (uint32_t)(rnd(g) >> 32);
			a = (a % (223u << 24)) + (1u << 24);
			p->b[0] = (uint8_t)(a >> 24);
			p->b[1] = (uint8_t)(a >> 16);
			p->b[2] = (uint8_t)(a >> 8);
			p->b[3] = (uint8_t)a;
			/* No martians: 10/8, 127/8, 100.64/10, 169.254/16,
			 * 172.16/12, 192.168/16 (receivers drop them). */
			if (p->b[0] == 10 || p->b[0] == 127 ||
			    (p->b[0] == 100 && (p->b[1] & 0xc0) == 64) ||
			    (p->b[0] == 169 && p->b[1] == 254) ||
			    (p->b[0] == 172 && (p->b[1] & 0xf0) == 16) ||
			    (p->b[0] == 192 && p->b[1] == 168))
				p->b[0] = (uint8_t)(p->b[0] + 1);
		} else {
			p->len = (uint8_t)pick_len_v6(g);
			hi = rnd(g);
			/* 2000::/3 */
			p->b[0] = (uint8_t)(0x20 | ((hi >> 56) & 0x0f));
			p->b[1] = (uint8_t)(hi >> 48);
			p->b[2] = (uint8_t)(hi >> 40);
			p->b[3] = (uint8_t)(hi >> 32);
			p->b[4] = (uint8_t)(hi >> 24);
			p->b[5] = (uint8_t)(hi >> 16);
		}
		prefix_mask(p);
		memcpy(&key, p->b, 8);
		key = key ^ ((uint64_t)p->len << 56) ^ ((uint64_t)afi << 62);
	} while (!pset_add(set, key));
}

static void
put_as(uint8_t *p, uint32_t as)
{
	p[0] = (uint8_t)(as >> 24);
	p[1] = (uint8_t)(as >> 16);
	p[2] = (uint8_t)(as >> 8);
	p[3] = (uint8_t)as;
}

/*
 * The attributes of one (peer, prefix).  The path is built from the
 * origin's own tail (shared by every prefix of that origin) behind a
 * peer-specific first hop, so sets are shared the way real ones are.
 */
static void
gen_attrs(struct gen *g, unsigned peer, uint32_t peer_as, uint32_t origin_idx,
    uint8_t afi, struct bgp_attrs *a, uint8_t *pathbuf, uint8_t *commbuf,
    uint8_t *nhbuf)
{
	struct gen	 og;
	unsigned	 len, i, n = 0, prepend;
	uint32_t	 origin = g->origins[origin_idx];

	/* Per (origin, peer) randomness, independent of generation order. */
	og.rng = (origin_idx + 1) * 0x9E3779B97F4A7C15ULL ^ (peer + 1) *
	    0xC2B2AE3D27D4EB4FULL;
	og.n_transit = g->n_transit;
	len = pick_pathlen(&og);
	prepend = rnd_below(&og, 1000) < 175 ? 1 + rnd_below(&og, 3) : 0;
	pathbuf[0] = AS_SEQUENCE;
	put_as(pathbuf + 2 + 4 * n++, peer_as);
	for (i = 1; i + 1 < len; i++)
		put_as(pathbuf + 2 + 4 * n++,
		    g->transit[rnd_below(&og, g->n_transit)]);
	for (i = 0; i <= prepend; i++)
		put_as(pathbuf + 2 + 4 * n++, origin);
	pathbuf[1] = (uint8_t)n;

	memset(a, 0, offsetof(struct bgp_attrs, raw));
	a->n_raw = 0;
	a->seen = (1ull << ATTR_ORIGIN) | (1ull << ATTR_AS_PATH);
	a->origin = rnd_below(&og, 10) == 0 ? ORIGIN_INCOMPLETE : ORIGIN_IGP;
	a->aspath = pathbuf;
	a->aspath_len = 2 + 4 * n;
	if (rnd_below(&og, 100) < 49) {
		unsigned nc = 1 + rnd_below(&og, 4);

		for (i = 0; i < nc; i++) {
			put_as(commbuf + 4 * i, (peer_as << 16) |
			    (uint16_t)(rnd_below(&og, 400) + 100));
		}
		a->seen |= 1ull << ATTR_COMMUNITIES;
		a->communities = commbuf;
		a->communities_len = (uint16_t)(4 * nc);
	}
	if (rnd_below(&og, 4) == 0) {
		a->seen |= 1ull << ATTR_MED;
		a->med = rnd_below(&og, 200);
	}
	if (afi == AFI_IPV4) {
		a->seen |= 1ull << ATTR_NEXT_HOP;
		addr_set_v4(&a->nexthop, 0xc0000200u + peer + 1); /* 192.0.2.x */
	} else {
		a->seen |= 1ull << ATTR_MP_REACH_NLRI;
		memset(nhbuf, 0, 16);
		nhbuf[0] = 0x20;
		nhbuf[1] = 0x01;
		nhbuf[2] = 0x0d;
		nhbuf[3] = 0xb8;
		nhbuf[15] = (uint8_t)(peer + 1);	/* 2001:db8::x */
		a->mp_reach.afi = AFI_IPV6;
		a->mp_reach.safi = SAFI_UNICAST;
		a->mp_reach.nh = nhbuf;
		a->mp_reach.nh_len = 16;
		addr_set_bytes(&a->mp_reach.nexthop, AFI_IPV6, nhbuf);
	}
}

static int
pfx_cmp(const void *a, const void *b)
{
	return (prefix_cmp(a, b));
}

static int
flush(FILE *f, struct wr *w)
{
	if (!wr_ok(w) || fwrite(wr_data(w), 1, wr_len(w), f) != wr_len(w))
		return (-1);
	wr_reset(w);
	return (0);
}

int
cmd_gen_table(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "peers", required_argument, NULL, 'p' },
		{ "v4", required_argument, NULL, '4' },
		{ "v6", required_argument, NULL, '6' },
		{ "seed", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 }
	};
	struct gen		 g;
	struct pset		 set;
	struct mrtwr_peer	*peers;
	struct mrtwr_rib	 rr;
	struct wr		 w, aw;
	static struct bgp_attrs	 a;
	uint8_t			 pathbuf[2 + 4 * 16], commbuf[16], nhbuf[16];
	unsigned long		 n4 = 1000000, n6 = 200000, i;
	unsigned		 k, fam;
	const char		*out = NULL;
	FILE			*f;
	uint32_t		 ts = 1700000000, seq = 0, oi;
	int			 ch, rc = 0;

	memset(&g, 0, sizeof(g));
	g.peers = 10;
	g.rng = 42;
	optind = 1;
	while ((ch = getopt_long(argc, argv, "p:4:6:s:o:", opts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			g.peers = (unsigned)strtoul(optarg, NULL, 10);
			break;
		case '4':
			n4 = strtoul(optarg, NULL, 10);
			break;
		case '6':
			n6 = strtoul(optarg, NULL, 10);
			break;
		case 's':
			g.rng = strtoull(optarg, NULL, 10) | 1;
			break;
		case 'o':
			out = optarg;
			break;
		default:
			fprintf(stderr, "usage: bgplens gen-table [--peers N] "
			    "[--v4 N] [--v6 N] [--seed N] -o FILE\n");
			return (2);
		}
	}
	if (out == NULL || g.peers == 0 || g.peers > 1000 ||
	    n4 > 16000000 || n6 > 16000000) {
		fprintf(stderr, "bgplens gen-table: need -o FILE, 1-1000 "
		    "peers and at most 16M prefixes per family\n");
		return (2);
	}
	if ((f = fopen(out, "w")) == NULL) {
		fprintf(stderr, "bgplens gen-table: %s: %s\n", out,
		    strerror(errno));
		return (1);
	}
	g.n_origins = 75000;
	g.n_transit = 3000;
	g.origins = calloc(g.n_origins, sizeof(*g.origins));
	g.transit = calloc(g.n_transit, sizeof(*g.transit));
	for (set.cap = 1; set.cap < 2 * (n4 + n6) + 16; set.cap <<= 1)
		;
	set.k = calloc(set.cap, sizeof(*set.k));
	peers = calloc(g.peers, sizeof(*peers));
	if (g.origins == NULL || g.transit == NULL || set.k == NULL ||
	    peers == NULL) {
		fprintf(stderr, "bgplens gen-table: out of memory\n");
		fclose(f);
		return (1);
	}
	/* 40% of origins 4-octet (RFC 6996 private ranges avoided). */
	for (k = 0; k < g.n_origins; k++)
		g.origins[k] = rnd_below(&g, 10) < 4 ?
		    196608 + rnd_below(&g, 200000) : 1000 + rnd_below(&g, 63000);
	for (k = 0; k < g.n_transit; k++)
		g.transit[k] = 1000 + rnd_below(&g, 40000);
	for (k = 0; k < g.peers; k++) {
		peers[k].bgp_id = 0xc0000200u + k + 1;
		addr_set_v4(&peers[k].ip, 0xc0000200u + k + 1);
		peers[k].asn = 64600 + k;	/* documentation-ish ASNs */
	}
	wr_init(&w, 1 << 20, 64u << 20);
	wr_init(&aw, 4096, 65535);
	mrtwr_peer_index(&w, ts, 0xc0000201u, "bgplens-gen", peers,
	    (uint16_t)g.peers);
	for (fam = 0; fam < 2 && rc == 0; fam++) {
		uint8_t afi = fam ? AFI_IPV6 : AFI_IPV4;
		unsigned long n = fam ? n6 : n4;
		struct prefix *pv = calloc(n ? n : 1, sizeof(*pv));

		if (pv == NULL) {
			rc = 1;
			break;
		}
		/*
		 * Dumps are in prefix order, and an origin's prefixes tend to
		 * sit together: runs of about 13 prefixes per origin (1M
		 * prefixes over 75k origins).
		 */
		for (i = 0; i < n; i++)
			gen_prefix(&g, &set, afi, &pv[i]);
		qsort(pv, n, sizeof(*pv), pfx_cmp);
		oi = rnd_below(&g, g.n_origins);
		for (i = 0; i < n; i++) {
			if (rnd_below(&g, 13) == 0)
				oi = rnd_below(&g, g.n_origins);
			mrtwr_rib_begin(&w, &rr, ts, seq++, &pv[i], false);
			for (k = 0; k < g.peers; k++) {
				gen_attrs(&g, k, peers[k].asn, oi, afi, &a,
				    pathbuf, commbuf, nhbuf);
				wr_reset(&aw);
				mrtwr_rib_attrs(&aw, &a, afi);
				mrtwr_rib_entry(&w, &rr, (uint16_t)k, ts,
				    0, wr_data(&aw), wr_len(&aw));
			}
			mrtwr_rib_end(&w, &rr);
			if (wr_len(&w) > (48u << 20) && flush(f, &w) == -1)
				rc = 1;
		}
		free(pv);
	}
	if (rc == 0 && flush(f, &w) == -1)
		rc = 1;
	if (fclose(f) != 0)
		rc = 1;
	if (rc != 0)
		fprintf(stderr, "bgplens gen-table: %s: write failed\n", out);
	wr_free(&w);
	wr_free(&aw);
	free(g.origins);
	free(g.transit);
	free(set.k);
	free(peers);
	return (rc);
}
