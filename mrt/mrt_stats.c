/*
 * mrt_stats.c -- "bgplens mrt --stats": what is in a file, counted, with
 * no route printed.
 *
 * The reader runs without BGP attribute decoding (MRT_RD_NO_ATTRS), so
 * this costs little more than decompression and framing.  Counts are kept
 * per file: records by type/subtype, RIB entries and BGP messages by
 * address family, and everything by peer.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrt.h"

#define PEER_HASH	1024	/* slots, a power of two */

struct tcount {
	uint32_t	key;		/* type << 16 | subtype */
	uint64_t	records;
	uint64_t	bytes;
};

struct pstat {
	struct addr	ip;
	uint32_t	asn;
	bool		used;
	uint64_t	rib;
	uint64_t	msgs[6];	/* by BGP message type, 0 = other */
	uint64_t	states;
};

struct ms {
	struct obuf	*o;
	struct tcount	*types;
	size_t		 n_types;
	size_t		 types_cap;
	size_t		 last_type;
	uint64_t	 records;
	uint64_t	 rib_af[2][3];	/* [afi - 1][safi: 0 other, 1, 2] */
	uint64_t	 msg_af[2];	/* by address family of the peering */
	uint64_t	 rib_other;
	uint64_t	 unsupported;
	uint64_t	 peer_indexes;
	struct pstat	*peers;		/* PEER_HASH slots */
	size_t		 n_peers;
	/* TD2 peer index -> slot, rebuilt on each PEER_INDEX_TABLE */
	uint32_t	*idx_slot;
	size_t		 idx_cap;
	size_t		 idx_n;
};

static struct tcount *
type_slot(struct ms *s, uint16_t type, uint16_t subtype)
{
	uint32_t	 key = (uint32_t)type << 16 | subtype;
	struct tcount	*t;
	size_t		 i;

	if (s->last_type < s->n_types && s->types[s->last_type].key == key)
		return (&s->types[s->last_type]);
	for (i = 0; i < s->n_types; i++)
		if (s->types[i].key == key) {
			s->last_type = i;
			return (&s->types[i]);
		}
	if (s->n_types == s->types_cap) {
		size_t ncap = s->types_cap ? s->types_cap * 2 : 16;

		if ((t = reallocarray(s->types, ncap, sizeof(*t))) == NULL)
			return (NULL);
		s->types = t;
		s->types_cap = ncap;
	}
	t = &s->types[s->n_types];
	memset(t, 0, sizeof(*t));
	t->key = key;
	s->last_type = s->n_types++;
	return (t);
}

static uint32_t
peer_hash(const struct addr *a, uint32_t asn)
{
	uint32_t	h = 2166136261u ^ asn;
	unsigned	i;

	for (i = 0; i < 16; i++)
		h = (h ^ a->b[i]) * 16777619u;
	return (h ^ a->afi);
}

/* The slot of a peer; NULL once the table is full. */
static struct pstat *
peer_slot(struct ms *s, const struct addr *ip, uint32_t asn)
{
	uint32_t	 i = peer_hash(ip, asn) & (PEER_HASH - 1), n;
	struct pstat	*p;

	for (n = 0; n < PEER_HASH; n++, i = (i + 1) & (PEER_HASH - 1)) {
		p = &s->peers[i];
		if (!p->used) {
			if (s->n_peers >= PEER_HASH - 1)
				return (NULL);
			p->used = true;
			p->ip = *ip;
			p->asn = asn;
			s->n_peers++;
			return (p);
		}
		if (p->asn == asn && addr_cmp(&p->ip, ip) == 0)
			return (p);
	}
	return (NULL);
}

static void
ms_record(void *arg, const struct mrt_ctx *c, uint32_t len)
{
	struct ms	*s = arg;
	struct tcount	*t;

	s->records++;
	if ((t = type_slot(s, c->type, c->subtype)) != NULL) {
		t->records++;
		t->bytes += len;
	}
}

static void
ms_peer_index(void *arg, const struct mrt_ctx *c,
    const struct mrt_peer_index *pi)
{
	struct ms	*s = arg;
	struct pstat	*p;
	uint32_t	*ns;
	uint16_t	 i;

	s->peer_indexes++;
	if (pi->n_peers > s->idx_cap) {
		if ((ns = reallocarray(s->idx_slot, pi->n_peers,
		    sizeof(*ns))) == NULL) {
			s->idx_n = 0;
			return;
		}
		s->idx_slot = ns;
		s->idx_cap = pi->n_peers;
	}
	for (i = 0; i < pi->n_peers; i++) {
		p = peer_slot(s, &pi->peers[i].ip, pi->peers[i].asn);
		s->idx_slot[i] = p == NULL ? UINT32_MAX :
		    (uint32_t)(p - s->peers);
	}
	s->idx_n = pi->n_peers;
}

static void
ms_rib(void *arg, const struct mrt_ctx *c, const struct mrt_rib *e)
{
	struct ms	*s = arg;
	struct pstat	*p = NULL;

	if (e->afi >= 1 && e->afi <= 2)
		s->rib_af[e->afi - 1][e->safi <= 2 ? e->safi : 0]++;
	else
		s->rib_other++;
	if (c->type == MRT_TABLE_DUMP_V2) {
		if (e->peer_index < s->idx_n &&
		    s->idx_slot[e->peer_index] != UINT32_MAX)
			p = &s->peers[s->idx_slot[e->peer_index]];
	} else if (e->peer != NULL)
		p = peer_slot(s, &e->peer->ip, e->peer->asn);
	if (p != NULL)
		p->rib++;
}

static void
ms_message(void *arg, const struct mrt_ctx *c, const struct mrt_msg *m)
{
	struct ms	*s = arg;
	struct pstat	*p;

	if (m->afi >= 1 && m->afi <= 2)
		s->msg_af[m->afi - 1]++;
	if ((p = peer_slot(s, &m->peer_ip, m->peer_as)) != NULL)
		p->msgs[m->bgp_type <= 5 ? m->bgp_type : 0]++;
}

static void
ms_state(void *arg, const struct mrt_ctx *c, const struct mrt_state *st)
{
	struct ms	*s = arg;
	struct pstat	*p;

	if ((p = peer_slot(s, &st->peer_ip, st->peer_as)) != NULL)
		p->states++;
}

static void
ms_unsupported(void *arg, const struct mrt_ctx *c)
{
	struct ms *s = arg;

	s->unsupported++;
}

static void
out(struct ms *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
out(struct ms *s, const char *fmt, ...)
{
	va_list	ap;
	char	line[512];
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n > 0)
		obuf_write(s->o, line, (size_t)n < sizeof(line) ? (size_t)n :
		    sizeof(line) - 1);
}

static int
tcount_cmp(const void *a, const void *b)
{
	const struct tcount *x = a, *y = b;

	return (x->key < y->key ? -1 : x->key > y->key);
}

static int
pstat_cmp(const void *a, const void *b)
{
	const struct pstat *x = a, *y = b;
	int c;

	if (x->used != y->used)
		return (x->used ? -1 : 1);
	if ((c = addr_cmp(&x->ip, &y->ip)) != 0)
		return (c);
	return (x->asn < y->asn ? -1 : x->asn > y->asn);
}

static const char *const comp_names[] = { "none", "gzip", "bzip2" };

static void
ms_file_done(void *arg, struct mrt_in *in, unsigned errors)
{
	static const char *const safis[3] = { "other", "unicast",
	    "multicast" };
	struct ms	*s = arg;
	struct tcount	*t;
	struct pstat	*p;
	const char	*tn, *sn;
	char		 a[ADDR_STRLEN], tb[8], sb[8];
	size_t		 i;
	int		 afi, safi;

	out(s, "file %s\n", mrt_in_name(in));
	out(s, "  compression %s\n", comp_names[mrt_in_compression(in)]);
	out(s, "  bytes %llu\n", (unsigned long long)mrt_in_bytes(in));
	out(s, "  records %llu\n", (unsigned long long)s->records);
	out(s, "  errors %u\n", errors);
	out(s, "  skipped_bytes %llu\n",
	    (unsigned long long)mrt_in_skipped(in));
	if (s->n_types > 0)
		qsort(s->types, s->n_types, sizeof(*s->types), tcount_cmp);
	s->last_type = 0;
	for (i = 0; i < s->n_types; i++) {
		t = &s->types[i];
		tn = mrt_type_name((uint16_t)(t->key >> 16));
		sn = mrt_subtype_name((uint16_t)(t->key >> 16),
		    (uint16_t)t->key);
		if (tn == NULL)
			snprintf(tb, sizeof(tb), "%u", t->key >> 16);
		if (sn == NULL)
			snprintf(sb, sizeof(sb), "%u", t->key & 0xffff);
		out(s, "  type %s/%s records %llu bytes %llu\n",
		    tn != NULL ? tn : tb, sn != NULL ? sn : sb,
		    (unsigned long long)t->records,
		    (unsigned long long)t->bytes);
	}
	for (afi = 0; afi < 2; afi++)
		for (safi = 0; safi < 3; safi++)
			if (s->rib_af[afi][safi] > 0)
				out(s, "  rib_entries %s-%s %llu\n",
				    afi == 0 ? "ipv4" : "ipv6", safis[safi],
				    (unsigned long long)s->rib_af[afi][safi]);
	if (s->rib_other > 0)
		out(s, "  rib_entries other %llu\n",
		    (unsigned long long)s->rib_other);
	for (afi = 0; afi < 2; afi++)
		if (s->msg_af[afi] > 0)
			out(s, "  messages over %s %llu\n",
			    afi == 0 ? "ipv4" : "ipv6",
			    (unsigned long long)s->msg_af[afi]);
	if (s->unsupported > 0)
		out(s, "  unsupported_records %llu\n",
		    (unsigned long long)s->unsupported);
	out(s, "  peers %zu\n", s->n_peers);
	qsort(s->peers, PEER_HASH, sizeof(*s->peers), pstat_cmp);
	for (i = 0; i < PEER_HASH && s->peers[i].used; i++) {
		p = &s->peers[i];
		addr_fmt(&p->ip, a, sizeof(a));
		out(s, "  peer %s AS%u rib %llu open %llu update %llu "
		    "notification %llu keepalive %llu route_refresh %llu "
		    "other %llu state %llu\n", a, p->asn,
		    (unsigned long long)p->rib,
		    (unsigned long long)p->msgs[BGP_OPEN],
		    (unsigned long long)p->msgs[BGP_UPDATE],
		    (unsigned long long)p->msgs[BGP_NOTIFICATION],
		    (unsigned long long)p->msgs[BGP_KEEPALIVE],
		    (unsigned long long)p->msgs[BGP_ROUTE_REFRESH],
		    (unsigned long long)p->msgs[0],
		    (unsigned long long)p->states);
	}
	/* Start the next file from zero. */
	memset(s->peers, 0, PEER_HASH * sizeof(*s->peers));
	s->n_peers = 0;
	s->n_types = 0;
	s->idx_n = 0;
	s->records = s->rib_other = s->unsupported = s->peer_indexes = 0;
	memset(s->rib_af, 0, sizeof(s->rib_af));
	memset(s->msg_af, 0, sizeof(s->msg_af));
}

static void *
ms_create(struct obuf *o, enum mrt_mode mode)
{
	struct ms *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (NULL);
	if ((s->peers = calloc(PEER_HASH, sizeof(*s->peers))) == NULL) {
		free(s);
		return (NULL);
	}
	s->o = o;
	return (s);
}

static void
ms_handlers(void *arg, struct mrt_handlers *h)
{
	h->on_record = ms_record;
	h->on_peer_index = ms_peer_index;
	h->on_rib_entry = ms_rib;
	h->on_message = ms_message;
	h->on_state = ms_state;
	h->on_unsupported = ms_unsupported;
	h->arg = arg;
}

static void
ms_destroy(void *arg)
{
	struct ms *s = arg;

	if (s == NULL)
		return;
	free(s->types);
	free(s->peers);
	free(s->idx_slot);
	free(s);
}

const struct mrt_printer mrt_printer_stats = {
	.create = ms_create,
	.handlers = ms_handlers,
	.reader_flags = MRT_RD_NO_ATTRS,
	.file_done = ms_file_done,
	.destroy = ms_destroy,
};
