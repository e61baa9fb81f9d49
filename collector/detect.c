/*
 * detect.c -- the detectors: pure functions from routes and the monitor
 * configuration to findings (docs/detection.md).
 *
 * Nothing here keeps state or takes a lock.  A route is looked up once in
 * the rule trie (the most specific monitored prefix covering it); routes
 * no rule covers, and routes of excluded sources, give nothing, which is
 * the common case and costs one trie descent.
 *
 * Per route, in this order:
 *
 *   origin not legal       exact_prefix_hijack (rule prefix itself) or
 *                          sub_prefix_hijack (a more-specific), critical;
 *                          medium when the route is RPKI valid (a ROA
 *                          authorises the origin: the monitor file is
 *                          more likely stale than the route false).
 *   origin legal:
 *     more-specific, not expected       new_more_specific, low
 *     first hop not an allowed upstream path_anomaly, high
 *     RPKI invalid                      rpki_invalid, medium
 *     a valley in the path, or a hop    route_leak, high
 *     after the OTC AS that is not
 *     provider to customer
 *
 * An illegal origin gives the hijack alone: the path checks judge the
 * path of a legitimate origin, and on a forged one they are noise.
 */
#include <string.h>

#include "bgp.h"
#include "detect.h"
#include "wire.h"

static const char *const type_names[DET_NTYPES] = {
	[DET_NONE] = "none",
	[DET_EXACT_HIJACK] = "exact_prefix_hijack",
	[DET_SUBPREFIX_HIJACK] = "sub_prefix_hijack",
	[DET_MORE_SPECIFIC] = "new_more_specific",
	[DET_PATH_ANOMALY] = "path_anomaly",
	[DET_ROUTE_LEAK] = "route_leak",
	[DET_RPKI_INVALID] = "rpki_invalid",
	[DET_VISIBILITY_LOSS] = "visibility_loss",
};

static const char *const sev_names[] = {
	"info", "low", "medium", "high", "critical"
};

const char *
det_type_name(enum det_type t)
{
	return ((unsigned)t < DET_NTYPES ? type_names[t] : "none");
}

int
det_type_parse(const char *s)
{
	int i;

	for (i = 1; i < DET_NTYPES; i++)
		if (strcmp(s, type_names[i]) == 0)
			return (i);
	return (-1);
}

/*
 * ARTEMIS's four dimensions: prefix (E exact, S sub-prefix), path (0
 * origin, 1 first hop, - legal), data plane (- not judged), policy (L
 * leak).
 */
const char *
det_artemis(enum det_type t, bool exact)
{
	switch (t) {
	case DET_EXACT_HIJACK:
		return ("E|0|-|-");
	case DET_SUBPREFIX_HIJACK:
		return ("S|0|-|-");
	case DET_MORE_SPECIFIC:
		return ("S|-|-|-");
	case DET_PATH_ANOMALY:
		return (exact ? "E|1|-|-" : "S|1|-|-");
	case DET_ROUTE_LEAK:
		return (exact ? "E|-|-|L" : "S|-|-|L");
	default:
		return ("-|-|-|-");
	}
}

const char *
det_severity_name(enum det_severity s)
{
	return ((unsigned)s <= SEV_CRITICAL ? sev_names[s] : "info");
}

int
det_severity_parse(const char *s)
{
	int i;

	for (i = 0; i <= SEV_CRITICAL; i++)
		if (strcmp(s, sev_names[i]) == 0)
			return (i);
	return (-1);
}

const char *
rpki_state_name(enum rpki_state s)
{
	switch (s) {
	case RPKI_NOT_FOUND:
		return ("not_found");
	case RPKI_VALID:
		return ("valid");
	case RPKI_INVALID:
		return ("invalid");
	default:
		return ("none");
	}
}

/*
 * The path as a list of distinct hops, nearest first: prepends folded,
 * confederation segments skipped (they never leave the confederation).
 * Returns the count, or -1 when an AS_SET makes the order unknowable or
 * the path is longer than max.
 */
static int
path_hops(const uint8_t *aspath, size_t len, uint32_t *out, int max)
{
	struct aspath_iter	it;
	uint32_t		asn;
	uint8_t			seg;
	int			n = 0;

	aspath_iter_init(&it, aspath, len);
	while (aspath_next(&it, &asn, &seg) == 1) {
		if (seg == AS_CONFED_SEQUENCE || seg == AS_CONFED_SET)
			continue;
		if (seg != AS_SEQUENCE)
			return (-1);
		if (n > 0 && out[n - 1] == asn)
			continue;
		if (n == max)
			return (-1);
		out[n++] = asn;
	}
	return (n);
}

#define MAX_HOPS	64

uint32_t
detect_first_hop(const uint8_t *aspath, size_t len)
{
	uint32_t	hops[MAX_HOPS];
	int		n = path_hops(aspath, len, hops, MAX_HOPS);

	return (n >= 2 ? hops[n - 2] : 0);
}

bool
detect_otc(const uint8_t *p, size_t len, uint32_t *otc)
{
	size_t	off = 0, alen;

	/* TLVs as the RIB stores them: flags, type, 2-octet length. */
	while (off + 4 <= len) {
		alen = (size_t)p[off + 2] << 8 | p[off + 3];
		if (off + 4 + alen > len)
			return (false);
		if (p[off + 1] == ATTR_OTC && alen == 4) {
			*otc = be32(p + off + 4);
			return (true);
		}
		off += 4 + alen;
	}
	return (false);
}

/*
 * Valley-free (Gao): read from the origin towards us, a path climbs
 * customer-to-provider links, crosses at most one peer link, then only
 * descends provider-to-customer links.  The AS that sends a route up or
 * sideways after it came down or sideways is the leaker (RFC 7908 types
 * 1 to 4).  Links the file does not know are skipped: they can neither
 * prove nor break the shape.
 */
static bool
leak_valley(const struct asrel *rel, const uint32_t *h, int n,
    uint32_t *leaker)
{
	enum rel	r;
	bool		top = false;	/* past the peak: down or peered */
	int		i;

	for (i = n - 1; i >= 1; i--) {
		r = asrel_get(rel, h[i], h[i - 1]);
		if (r == REL_UNKNOWN)
			continue;
		if ((r == REL_UP || r == REL_PEER) && top) {
			*leaker = h[i];
			return (true);
		}
		if (r == REL_PEER || r == REL_DOWN)
			top = true;
	}
	return (false);
}

/*
 * OTC (RFC 9234): the AS in the attribute sent the route to a customer,
 * peer or route-server client (or received it from a provider, peer or
 * route server), so from it on every hop must go down to a customer.
 * The hop leaving the OTC AS itself may also be a peer link.
 */
static bool
leak_otc(const struct asrel *rel, const uint32_t *h, int n, uint32_t otc,
    uint32_t *leaker)
{
	enum rel	r;
	int		i, k;

	for (k = n - 1; k >= 0 && h[k] != otc; k--)
		;
	if (k < 0)
		return (false);	/* the marking AS is not in the path */
	for (i = k; i >= 1; i--) {
		r = asrel_get(rel, h[i], h[i - 1]);
		if (r == REL_UP || (r == REL_PEER && i != k)) {
			*leaker = h[i];
			return (true);
		}
	}
	return (false);
}

bool
detect_leak(const struct asrel *rel, const uint8_t *aspath, size_t len,
    bool has_otc, uint32_t otc, uint32_t *leaker)
{
	uint32_t	hops[MAX_HOPS];
	int		n;

	if (rel == NULL)
		return (false);
	if ((n = path_hops(aspath, len, hops, MAX_HOPS)) < 2)
		return (false);
	if (has_otc && leak_otc(rel, hops, n, otc, leaker))
		return (true);
	return (leak_valley(rel, hops, n, leaker));
}

bool
detect_visibility(const struct mon_thresholds *th, const struct mon_rule *r,
    unsigned had, unsigned now)
{
	unsigned pct = r != NULL && r->vis_percent >= 0 ?
	    (unsigned)r->vis_percent : th->vis_percent;

	if (pct == 0 || had == 0 || had < th->vis_min_sources || now >= had)
		return (false);
	return ((uint64_t)(had - now) * 100 >= (uint64_t)pct * had);
}

static bool
asn_in(uint32_t asn, const uint32_t *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == asn)
			return (true);
	return (false);
}

static void
add(struct finding *out, size_t *n, const struct droute *r, size_t rule,
    enum det_type t, enum det_severity sev, enum rpki_state rpki,
    uint32_t offender, uint32_t origin)
{
	struct finding *f;

	if (*n >= DET_MAX_FINDINGS)
		return;
	f = &out[(*n)++];
	memset(f, 0, sizeof(*f));
	f->type = t;
	f->severity = sev;
	f->rpki = rpki;
	f->offender = offender;
	f->origin = origin;
	f->rule = rule;
	f->pfx = r->pfx;
}

size_t
detect_route(const struct mon_conf *c, const struct droute *r,
    struct finding *out)
{
	const struct mon_rule	*rule;
	enum rpki_state		 rpki;
	enum det_severity	 sev;
	uint32_t		 origin, up, otc = 0, leaker;
	size_t			 n = 0, ri;
	bool			 exact, has_otc;

	if ((rule = mon_match(c, &r->pfx)) == NULL ||
	    mon_excluded(c, &r->peer))
		return (0);
	ri = (size_t)(rule - c->rules);
	exact = rule->pfx.len == r->pfx.len;
	origin = aspath_origin(r->aspath, r->aspath_len);
	rpki = vrp_validate(c->vrp, &r->pfx, origin);
	if (origin == 0 || !asn_in(origin, rule->origins, rule->n_origins)) {
		sev = rpki == RPKI_VALID ? SEV_MEDIUM : SEV_CRITICAL;
		add(out, &n, r, ri, exact ? DET_EXACT_HIJACK :
		    DET_SUBPREFIX_HIJACK, sev, rpki, origin, origin);
		return (n);
	}
	if (!exact && !rule->more_specifics)
		add(out, &n, r, ri, DET_MORE_SPECIFIC, SEV_LOW, rpki, origin,
		    origin);
	up = detect_first_hop(r->aspath, r->aspath_len);
	if (rule->n_upstreams > 0 && up != 0 &&
	    !asn_in(up, rule->upstreams, rule->n_upstreams))
		add(out, &n, r, ri, DET_PATH_ANOMALY, SEV_HIGH, rpki, up,
		    origin);
	if (rpki == RPKI_INVALID)
		add(out, &n, r, ri, DET_RPKI_INVALID, SEV_MEDIUM, rpki, origin,
		    origin);
	has_otc = detect_otc(r->other, r->other_len, &otc);
	if (detect_leak(c->rel, r->aspath, r->aspath_len, has_otc, otc,
	    &leaker))
		add(out, &n, r, ri, DET_ROUTE_LEAK, SEV_HIGH, rpki, leaker,
		    origin);
	return (n);
}

static bool
same_finding(const struct finding *a, const struct finding *b)
{
	return (a->type == b->type && a->offender == b->offender &&
	    a->rule == b->rule && prefix_cmp(&a->pfx, &b->pfx) == 0);
}

size_t
detect_change(const struct mon_conf *c, const struct droute *old,
    const struct droute *new, struct det_change *out)
{
	struct finding	fo[DET_MAX_FINDINGS], fn[DET_MAX_FINDINGS];
	size_t		no = 0, nn = 0, i, j, n = 0;

	if (old != NULL)
		no = detect_route(c, old, fo);
	if (new != NULL)
		nn = detect_route(c, new, fn);
	for (i = 0; i < no; i++) {
		for (j = 0; j < nn && !same_finding(&fo[i], &fn[j]); j++)
			;
		if (j < nn)
			continue;
		out[n].add = false;
		out[n++].f = fo[i];
	}
	for (j = 0; j < nn; j++) {
		out[n].add = true;
		out[n++].f = fn[j];
	}
	return (n);
}
