/*
 * alert.c -- the alert engine: from the detectors' findings to alerts
 * with a lifecycle (see alert.h; docs/detection.md, "Alerts").
 *
 * An alert is keyed by (type, prefix, offending AS): the hijacker, the
 * first hop or the leaker.  It holds the routes that assert it now, as
 * (source, path id) pairs, so the same finding from many sources is one
 * alert, and it knows exactly when the last of them goes.  States:
 *
 *   pending   asserted, but by fewer distinct sources or neighbour ASes
 *             than the thresholds ask, or for less than hold_down;
 *             never announced, dropped without a trace if it goes
 *   open      "opened" sent; "updated" follows when new sources or
 *             paths join, at most once per update_interval
 *   resolved  nothing asserted it for clear_after: "resolved" sent;
 *             kept (max_resolved) for the API; a recurrence is a new
 *             alert with a new id
 *
 * Visibility loss has no asserting routes: its condition is computed
 * per monitored prefix from the sources that had it and have it now.
 *
 * Everything here runs on the RIB writer's thread (the listener, ticks,
 * reconfiguration) under the engine's mutex, which HTTP readers take
 * too; the RIB lock is never taken by readers of alerts.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/sha.h>

#include "alert_int.h"
#include "bgp.h"
#include "log.h"
#include "rtree.h"

static void	eval(struct alertd *, struct alert *, uint64_t now);

const char *
alert_state_name(enum alert_state s)
{
	switch (s) {
	case ALERT_PENDING:
		return ("pending");
	case ALERT_OPEN:
		return ("open");
	case ALERT_RESOLVED:
		return ("resolved");
	}
	return ("pending");
}

int
alert_state_parse(const char *s)
{
	if (strcmp(s, "pending") == 0)
		return (ALERT_PENDING);
	if (strcmp(s, "open") == 0)
		return (ALERT_OPEN);
	if (strcmp(s, "resolved") == 0)
		return (ALERT_RESOLVED);
	return (-1);
}

const char *
alert_event_name(enum alert_event e)
{
	switch (e) {
	case AEV_OPENED:
		return ("opened");
	case AEV_UPDATED:
		return ("updated");
	case AEV_RESOLVED:
		return ("resolved");
	}
	return ("opened");
}

/*
 * The key hash: (type, prefix, offender).
 */
static size_t
key_hash(enum det_type t, const struct prefix *p, uint32_t offender)
{
	uint64_t	h = 1469598103934665603ULL;
	unsigned	i, n = afi_bytes(p->afi);

	h = (h ^ (uint64_t)t) * 1099511628211ULL;
	h = (h ^ p->len) * 1099511628211ULL;
	for (i = 0; i < n; i++)
		h = (h ^ p->b[i]) * 1099511628211ULL;
	h = (h ^ offender) * 1099511628211ULL;
	return ((size_t)(h ^ (h >> 29)));
}

static bool
key_eq(const struct alert *a, enum det_type t, const struct prefix *p,
    uint32_t offender)
{
	return (a->type == t && a->offender == offender &&
	    prefix_cmp(&a->pfx, p) == 0);
}

static struct alert *
ht_find(struct alertd *e, enum det_type t, const struct prefix *p,
    uint32_t offender)
{
	struct alert *a;

	if (e->ht_cap == 0)
		return (NULL);
	for (a = e->ht[key_hash(t, p, offender) & (e->ht_cap - 1)]; a != NULL;
	    a = a->hnext)
		if (key_eq(a, t, p, offender))
			return (a);
	return (NULL);
}

static int
ht_grow(struct alertd *e)
{
	struct alert	**nt, *a, *next;
	size_t		  cap = e->ht_cap ? e->ht_cap * 2 : 1024, i, b;

	if ((nt = calloc(cap, sizeof(*nt))) == NULL)
		return (-1);
	for (i = 0; i < e->ht_cap; i++)
		for (a = e->ht[i]; a != NULL; a = next) {
			next = a->hnext;
			b = key_hash(a->type, &a->pfx, a->offender) & (cap - 1);
			a->hnext = nt[b];
			nt[b] = a;
		}
	free(e->ht);
	e->ht = nt;
	e->ht_cap = cap;
	return (0);
}

static int
ht_insert(struct alertd *e, struct alert *a)
{
	size_t b;

	if (e->ht_n + 1 > e->ht_cap && ht_grow(e) == -1)
		return (-1);
	b = key_hash(a->type, &a->pfx, a->offender) & (e->ht_cap - 1);
	a->hnext = e->ht[b];
	e->ht[b] = a;
	e->ht_n++;
	return (0);
}

static void
ht_remove(struct alertd *e, struct alert *a)
{
	struct alert **pp;

	if (e->ht_cap == 0)
		return;
	pp = &e->ht[key_hash(a->type, &a->pfx, a->offender) & (e->ht_cap - 1)];
	for (; *pp != NULL; pp = &(*pp)->hnext)
		if (*pp == a) {
			*pp = a->hnext;
			a->hnext = NULL;
			e->ht_n--;
			return;
		}
}

static void
list_append(struct alertd *e, struct alert *a)
{
	a->prev = e->tail;
	a->next = NULL;
	if (e->tail != NULL)
		e->tail->next = a;
	else
		e->head = a;
	e->tail = a;
	e->n_alerts++;
}

static void
list_remove(struct alertd *e, struct alert *a)
{
	if (a->prev != NULL)
		a->prev->next = a->next;
	else
		e->head = a->next;
	if (a->next != NULL)
		a->next->prev = a->prev;
	else
		e->tail = a->prev;
	e->n_alerts--;
}

void
alert_free(struct alert *a)
{
	size_t i;

	if (a == NULL)
		return;
	json_decref(a->rule);
	for (i = 0; i < a->n_paths; i++)
		free(a->paths[i]);
	free(a->c);
	free(a->seen);
	free(a);
}

/* The rule as alerts and payloads show it. */
static json_t *
rule_json(const struct mon_rule *r)
{
	json_t	*o, *orig, *up;
	char	 pb[PREFIX_STRLEN];
	size_t	 i;

	orig = json_array();
	up = json_array();
	for (i = 0; i < r->n_origins; i++)
		json_array_append_new(orig, json_integer(r->origins[i]));
	for (i = 0; i < r->n_upstreams; i++)
		json_array_append_new(up, json_integer(r->upstreams[i]));
	o = json_pack("{s:s, s:s, s:o, s:o, s:b}",
	    "prefix", prefix_fmt(&r->pfx, pb, sizeof(pb)),
	    "group", r->group, "origins", orig, "upstreams", up,
	    "more_specifics", r->more_specifics);
	if (o != NULL && r->description != NULL)
		json_object_set_new(o, "description",
		    json_string(r->description));
	return (o);
}

/* A stable id: a digest of the key, when it started, and its number. */
static void
alert_make_id(struct alert *a)
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	char		 buf[256], pb[PREFIX_STRLEN];
	int		 n, i;

	n = snprintf(buf, sizeof(buf), "%d|%s|%u|%llu|%llu", a->type,
	    prefix_fmt(&a->pfx, pb, sizeof(pb)), a->offender,
	    (unsigned long long)a->first_seen, (unsigned long long)a->seq);
	SHA256((const unsigned char *)buf, (size_t)n, md);
	for (i = 0; i < ALERT_ID_LEN / 2; i++)
		snprintf(a->id + 2 * i, 3, "%02x", md[i]);
}

static struct alert *
alert_create(struct alertd *e, const struct finding *f, uint64_t now)
{
	struct alert *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return (NULL);
	a->type = f->type;
	a->severity = f->severity;
	a->rpki = f->rpki;
	a->state = ALERT_PENDING;
	a->pfx = f->pfx;
	a->offender = f->offender;
	a->origin = f->origin;
	a->first_seen = a->last_seen = now;
	a->seq = ++e->next_seq;
	if (e->conf != NULL && f->rule < e->conf->n_rules) {
		a->rule = rule_json(&e->conf->rules[f->rule]);
		snprintf(a->group, sizeof(a->group), "%s",
		    e->conf->rules[f->rule].group);
	}
	alert_make_id(a);
	if (ht_insert(e, a) == -1) {
		alert_free(a);
		return (NULL);
	}
	list_append(e, a);
	return (a);
}

/* A pending alert that nothing asserts any more: it never was. */
static void
alert_drop(struct alertd *e, struct alert *a)
{
	ht_remove(e, a);
	list_remove(e, a);
	alert_free(a);
}

/* Forget the oldest resolved alerts beyond max_resolved. */
static void
trim_resolved(struct alertd *e)
{
	struct alert	*a, *next;
	size_t		 max = e->conf ? e->conf->th.max_resolved : 10000;

	for (a = e->head; a != NULL && e->n_resolved > max; a = next) {
		next = a->next;
		if (a->state != ALERT_RESOLVED)
			continue;
		list_remove(e, a);
		alert_free(a);
		e->n_resolved--;
	}
}

static void
notify(struct alertd *e, struct alert *a, enum alert_event ev, uint64_t now)
{
	json_t *j;

	a->rev++;
	a->last_notify = now;
	a->dirty = false;
	e->events[ev]++;
	if ((j = alert_to_json(e, a)) == NULL) {
		log_warnx("alert %s: out of memory, event %s lost", a->id,
		    alert_event_name(ev));
		return;
	}
	subs_publish(e, ev, j);
	if (e->opts.on_event != NULL)
		e->opts.on_event(e->opts.arg, ev, j);
	if (e->obs_fn != NULL)
		e->obs_fn(e->obs_arg, ev, j);
	if (e->io != NULL)
		aio_post(e->io, ev, j);
	else
		json_decref(j);
}

/*
 * Sources.
 */
static bool
seen_add(struct alert *a, uint16_t src, const struct addr *peer,
    uint32_t peer_as)
{
	struct aseen	*ns;
	size_t		 i;

	for (i = 0; i < a->n_seen; i++)
		if (a->seen[i].src == src || (a->seen[i].src == RIB_NO_SOURCE &&
		    addr_cmp(&a->seen[i].peer, peer) == 0 &&
		    a->seen[i].peer_as == peer_as)) {
			a->seen[i].src = src;
			return (false);
		}
	if (a->n_seen >= ALERT_MAX_SEEN)
		return (false);
	if ((ns = realloc(a->seen, (a->n_seen + 1) * sizeof(*ns))) == NULL)
		return (false);
	a->seen = ns;
	ns[a->n_seen].src = src;
	ns[a->n_seen].peer = *peer;
	ns[a->n_seen].peer_as = peer_as;
	a->n_seen++;
	return (true);
}

static uint8_t
path_add(struct alert *a, const char *path, bool *added)
{
	size_t i;

	*added = false;
	for (i = 0; i < a->n_paths; i++)
		if (strcmp(a->paths[i], path) == 0)
			return ((uint8_t)i);
	if (a->n_paths >= ALERT_MAX_PATHS ||
	    (a->paths[a->n_paths] = strdup(path)) == NULL)
		return (ALERT_NO_PATH);
	*added = true;
	return ((uint8_t)a->n_paths++);
}

static void
contrib_put(struct alert *a, uint16_t src, uint32_t path_id,
    uint32_t peer_as, uint8_t path)
{
	struct contrib	*nc;
	size_t		 i;

	for (i = 0; i < a->n_c; i++)
		if (a->c[i].src == src && a->c[i].path_id == path_id) {
			a->c[i].path = path;
			return;
		}
	if (a->n_c == a->cap_c) {
		size_t cap = a->cap_c ? a->cap_c * 2 : 4;

		if ((nc = realloc(a->c, cap * sizeof(*nc))) == NULL)
			return;
		a->c = nc;
		a->cap_c = cap;
	}
	a->c[a->n_c].src = src;
	a->c[a->n_c].path_id = path_id;
	a->c[a->n_c].peer_as = peer_as;
	a->c[a->n_c].path = path;
	a->n_c++;
}

static void
contrib_del(struct alert *a, uint16_t src, uint32_t path_id)
{
	size_t i;

	for (i = 0; i < a->n_c; i++)
		if (a->c[i].src == src && a->c[i].path_id == path_id) {
			a->c[i] = a->c[--a->n_c];
			return;
		}
}

/* Distinct sources and neighbour ASes among the asserting routes. */
static void
contrib_counts(const struct alert *a, unsigned *srcs, unsigned *ases)
{
	size_t i, j;

	*srcs = *ases = 0;
	for (i = 0; i < a->n_c; i++) {
		for (j = 0; j < i && a->c[j].src != a->c[i].src; j++)
			;
		if (j == i)
			(*srcs)++;
		for (j = 0; j < i && a->c[j].peer_as != a->c[i].peer_as; j++)
			;
		if (j == i)
			(*ases)++;
	}
}

/*
 * The lifecycle.
 */
static const struct mon_thresholds *
thresholds(const struct alertd *e)
{
	static struct mon_conf	defaults;
	static bool		init;

	if (e->conf != NULL)
		return (&e->conf->th);
	if (!init) {
		mon_defaults(&defaults);
		init = true;
	}
	return (&defaults.th);
}

static bool
alert_active(const struct alert *a)
{
	return (a->type == DET_VISIBILITY_LOSS ? a->vis_active : a->n_c > 0);
}

static bool
thresholds_met(const struct alertd *e, const struct alert *a)
{
	const struct mon_thresholds	*th = thresholds(e);
	unsigned			 srcs, ases;

	if (a->type == DET_VISIBILITY_LOSS)
		return (a->vis_active);
	contrib_counts(a, &srcs, &ases);
	return (srcs >= th->min_sources && ases >= th->min_peer_ases);
}

static void
eval_pending(struct alertd *e, struct alert *a, uint64_t now)
{
	const struct mon_thresholds	*th = thresholds(e);
	uint64_t			 hold;

	if (!alert_active(a)) {
		alert_drop(e, a);
		return;
	}
	if (!thresholds_met(e, a)) {
		a->clear_since = 0;	/* doubles as "met since" here */
		return;
	}
	if (a->clear_since == 0)
		a->clear_since = now;
	hold = (uint64_t)(a->type == DET_VISIBILITY_LOSS ?
	    th->vis_hold_down_ms : th->hold_down_ms) * 1000;
	if (now - a->clear_since < hold)
		return;
	a->state = ALERT_OPEN;
	a->opened = now;
	a->clear_since = 0;
	notify(e, a, AEV_OPENED, now);
}

static void
eval_open(struct alertd *e, struct alert *a, uint64_t now)
{
	const struct mon_thresholds	*th = thresholds(e);
	uint64_t			 wait;

	if (alert_active(a)) {
		a->clear_since = 0;
		if (a->dirty && now - a->last_notify >=
		    (uint64_t)th->update_interval_ms * 1000)
			notify(e, a, AEV_UPDATED, now);
		return;
	}
	if (a->clear_since == 0)
		a->clear_since = now;
	wait = (uint64_t)th->clear_after_ms * 1000;
	if (a->replayed && wait < (uint64_t)th->restart_grace_ms * 1000)
		wait = (uint64_t)th->restart_grace_ms * 1000;
	if (now - a->clear_since < wait)
		return;
	a->state = ALERT_RESOLVED;
	a->resolved = now;
	ht_remove(e, a);
	e->n_resolved++;
	notify(e, a, AEV_RESOLVED, now);
	trim_resolved(e);
}

static void
eval(struct alertd *e, struct alert *a, uint64_t now)
{
	if (a->state == ALERT_PENDING)
		eval_pending(e, a, now);
	else if (a->state == ALERT_OPEN)
		eval_open(e, a, now);
}

/*
 * From the RIB.
 */

/* One source's route, with what the detectors need. */
struct rsrc {
	uint16_t		 src;
	uint32_t		 path_id;
	const struct rib_source	*s;
};

static void
assert_finding(struct alertd *e, const struct finding *f,
    const struct rsrc *rs, const struct droute *r, uint64_t now)
{
	struct alert	*a;
	char		 path[2048];
	uint8_t		 pi;
	bool		 new_path, new_src;

	e->findings++;
	if ((a = ht_find(e, f->type, &f->pfx, f->offender)) == NULL &&
	    (a = alert_create(e, f, now)) == NULL) {
		log_warnx("alert engine: out of memory");
		return;
	}
	aspath_fmt(r->aspath, r->aspath_len, path, sizeof(path));
	pi = path_add(a, path, &new_path);
	contrib_put(a, rs->src, rs->path_id, rs->s->peer_as, pi);
	new_src = seen_add(a, rs->src, &rs->s->peer, rs->s->peer_as);
	if (f->severity > a->severity) {
		a->severity = f->severity;
		a->dirty = true;
	}
	if (new_path || new_src)
		a->dirty = true;
	a->last_seen = now;
	a->replayed = false;
	eval(e, a, now);
}

static void
retract_finding(struct alertd *e, const struct finding *f,
    const struct rsrc *rs, uint64_t now)
{
	struct alert *a;

	if ((a = ht_find(e, f->type, &f->pfx, f->offender)) == NULL)
		return;
	contrib_del(a, rs->src, rs->path_id);
	eval(e, a, now);
}

/* The sources that had the rule's prefix and lost it are the alert's. */
static void
vis_alert(struct alertd *e, size_t ri, struct vis *v, bool active,
    unsigned had, unsigned now_n, uint64_t now)
{
	const struct mon_rule	*r = &e->conf->rules[ri];
	struct finding		 f;
	struct alert		*a;
	size_t			 i;

	a = ht_find(e, DET_VISIBILITY_LOSS, &r->pfx, 0);
	if (a == NULL && !active)
		return;
	if (a == NULL) {
		memset(&f, 0, sizeof(f));
		f.type = DET_VISIBILITY_LOSS;
		f.severity = SEV_HIGH;
		f.rule = ri;
		f.pfx = r->pfx;
		f.origin = r->origins[0];
		if ((a = alert_create(e, &f, now)) == NULL)
			return;
	}
	if (active && (a->vis_had != had || a->vis_now != now_n))
		a->dirty = a->state == ALERT_OPEN;
	a->vis_active = active;
	a->vis_had = had;
	a->vis_now = now_n;
	if (active) {
		a->last_seen = now;
		a->replayed = false;
		a->n_seen = 0;		/* the sources without it now */
		for (i = 0; i < v->n; i++)
			if (v->s[i].npaths == 0)
				seen_add(a, v->s[i].src, &v->s[i].peer,
				    v->s[i].peer_as);
	}
	eval(e, a, now);
}

/* Count a route of the rule's exact prefix in or out; false if no room. */
static bool
vis_count(struct alertd *e, size_t ri, const struct rsrc *rs, int delta)
{
	struct vis	*v;
	struct vsrc	*ns;
	size_t		 i;

	if (ri >= e->n_vis)
		return (false);
	v = &e->vis[ri];
	for (i = 0; i < v->n && v->s[i].src != rs->src; i++)
		;
	if (i == v->n) {
		if (delta < 0)
			return (false);
		if (v->n == v->cap) {
			size_t cap = v->cap ? v->cap * 2 : 8;

			if ((ns = realloc(v->s, cap * sizeof(*ns))) == NULL)
				return (false);
			v->s = ns;
			v->cap = cap;
		}
		memset(&v->s[v->n], 0, sizeof(v->s[0]));
		v->s[v->n].src = rs->src;
		v->s[v->n].peer = rs->s->peer;
		v->s[v->n].peer_as = rs->s->peer_as;
		v->n++;
	}
	if (delta > 0)
		v->s[i].npaths++;
	else if (v->s[i].npaths > 0)
		v->s[i].npaths--;
	return (true);
}

static void
vis_route(struct alertd *e, size_t ri, const struct rsrc *rs, int delta,
    uint64_t now)
{
	struct vis	*v;
	unsigned	 now_n = 0;
	size_t		 i;

	if (!vis_count(e, ri, rs, delta))
		return;
	v = &e->vis[ri];
	for (i = 0; i < v->n; i++)
		now_n += v->s[i].npaths > 0;
	vis_alert(e, ri, v, detect_visibility(thresholds(e),
	    &e->conf->rules[ri], (unsigned)v->n, now_n), (unsigned)v->n, now_n,
	    now);
}

static bool
droute_fill(const struct alertd *e, uint32_t attr, const struct prefix *p,
    const struct rib_source *s, struct droute *r)
{
	struct rib_attrs a;

	if (attr == 0 || rib_attr_get(e->rib, attr, &a) == -1)
		return (false);
	memset(r, 0, sizeof(*r));
	r->pfx = *p;
	r->peer = s->peer;
	r->peer_as = s->peer_as;
	r->aspath = a.aspath;
	r->aspath_len = a.aspath_len;
	r->other = a.other;
	r->other_len = a.other_len;
	return (true);
}

int
alertd_rib_event(void *arg, const struct rib_event *ev)
{
	struct alertd		*e = arg;
	const struct mon_rule	*rule;
	struct det_change	 ch[2 * DET_MAX_FINDINGS];
	struct droute		 ro, rn;
	struct rsrc		 rs;
	bool			 has_o, has_n;
	size_t			 n, i;

	if (e->conf == NULL || (rule = mon_match(e->conf, &ev->pfx)) == NULL)
		return (0);
	rs.src = ev->src;
	rs.path_id = ev->path_id;
	if ((rs.s = rib_source_get(e->rib, ev->src)) == NULL ||
	    mon_excluded(e->conf, &rs.s->peer))
		return (0);
	has_o = droute_fill(e, ev->attr_old, &ev->pfx, rs.s, &ro);
	has_n = droute_fill(e, ev->attr_new, &ev->pfx, rs.s, &rn);
	n = detect_change(e->conf, has_o ? &ro : NULL, has_n ? &rn : NULL, ch);
	pthread_mutex_lock(&e->mu);
	e->monitored_events++;
	if (ev->time_us > e->now)
		e->now = ev->time_us;
	for (i = 0; i < n; i++) {
		if (ch[i].add)
			assert_finding(e, &ch[i].f, &rs, &rn, e->now);
		else
			retract_finding(e, &ch[i].f, &rs, e->now);
	}
	if (rule->pfx.len == ev->pfx.len && has_o != has_n)
		vis_route(e, (size_t)(rule - e->conf->rules), &rs,
		    has_n ? 1 : -1, e->now);
	pthread_mutex_unlock(&e->mu);
	return (0);
}

void
alertd_set_on_event(struct alertd *e, void (*fn)(void *, enum alert_event,
    json_t *), void *arg)
{
	pthread_mutex_lock(&e->mu);
	e->obs_fn = fn;
	e->obs_arg = arg;
	pthread_mutex_unlock(&e->mu);
}

void
alertd_tick(struct alertd *e, uint64_t now)
{
	struct alert *a, *next;

	pthread_mutex_lock(&e->mu);
	if (now > e->now)
		e->now = now;
	e->last_tick = e->now;
	for (a = e->head; a != NULL; a = next) {
		next = a->next;
		if (a->state != ALERT_RESOLVED)
			eval(e, a, e->now);
	}
	pthread_mutex_unlock(&e->mu);
}

/*
 * Reconfiguration: forget what asserts what, then walk the routes of
 * every monitored prefix as if they had just been announced.  Alerts
 * the new rules no longer support clear as after a withdrawal.
 */
struct rescan {
	struct alertd	*e;
	size_t		 rule;
	uint64_t	 routes;
};

static int
rescan_route(void *arg, const struct prefix *p, const struct route *rt)
{
	struct rescan		*rc = arg;
	struct alertd		*e = rc->e;
	const struct mon_rule	*rule = mon_match(e->conf, p);
	struct finding		 f[DET_MAX_FINDINGS];
	struct droute		 r;
	struct rsrc		 rs;
	size_t			 n, i;

	/* A more specific rule walks its own prefixes. */
	if (rule == NULL || (size_t)(rule - e->conf->rules) != rc->rule)
		return (0);
	rs.src = rt->src;
	rs.path_id = rt->path_id;
	if ((rs.s = rib_source_get(e->rib, rt->src)) == NULL ||
	    mon_excluded(e->conf, &rs.s->peer) ||
	    !droute_fill(e, rt->attr, p, rs.s, &r))
		return (0);
	rc->routes++;
	n = detect_route(e->conf, &r, f);
	for (i = 0; i < n; i++)
		assert_finding(e, &f[i], &rs, &r, e->now);
	if (rule->pfx.len == p->len)
		vis_count(e, rc->rule, &rs, 1);
	return (0);
}

/*
 * The new rules' visibility state: a prefix monitored before keeps the
 * sources that had it (their routes are counted again by the rescan).
 */
static void
vis_carry(struct alertd *e, const struct mon_conf *old, struct mon_conf *mc)
{
	struct vis	*nv = NULL, *ov = e->vis;
	struct rtnode	*node;
	size_t		 i, oi, n_ov = e->n_vis, j;

	if (mc != NULL && mc->n_rules > 0)
		nv = calloc(mc->n_rules, sizeof(*nv));
	for (i = 0; nv != NULL && old != NULL && i < mc->n_rules; i++) {
		node = rtree_lookup(old->trie[mc->rules[i].pfx.afi == AFI_IPV6],
		    &mc->rules[i].pfx);
		if (node == NULL || node->value == NULL)
			continue;
		oi = (uintptr_t)node->value - 1;
		if (oi >= n_ov)
			continue;
		nv[i] = ov[oi];
		memset(&ov[oi], 0, sizeof(ov[oi]));
		for (j = 0; j < nv[i].n; j++)
			nv[i].s[j].npaths = 0;
	}
	for (i = 0; i < n_ov; i++)
		free(ov[i].s);
	free(ov);
	e->vis = nv;
	e->n_vis = nv != NULL ? mc->n_rules : 0;
}

static void
vis_eval_all(struct alertd *e)
{
	struct vis	*v;
	unsigned	 now_n;
	size_t		 i, j;

	for (i = 0; i < e->n_vis; i++) {
		if ((v = &e->vis[i])->n == 0)
			continue;
		for (now_n = 0, j = 0; j < v->n; j++)
			now_n += v->s[j].npaths > 0;
		vis_alert(e, i, v, detect_visibility(thresholds(e),
		    &e->conf->rules[i], (unsigned)v->n, now_n),
		    (unsigned)v->n, now_n, e->now);
	}
}

static void
rescan(struct alertd *e)
{
	struct rescan		 rc;
	struct rib_query	 q;
	struct rib_cursor	 next;

	memset(&rc, 0, sizeof(rc));
	rc.e = e;
	for (rc.rule = 0; rc.rule < e->conf->n_rules; rc.rule++) {
		memset(&q, 0, sizeof(q));
		q.match = RIB_MATCH_MORE;
		q.pfx = e->conf->rules[rc.rule].pfx;
		q.src = -1;
		rib_query(e->rib, &q, rescan_route, &rc, &next);
	}
	vis_eval_all(e);
	log_info("alerts: %zu monitored prefixes, %llu of their routes in "
	    "the RIB", e->conf->n_rules, (unsigned long long)rc.routes);
}

void
alertd_configure(struct alertd *e, struct mon_conf *mc)
{
	struct mon_conf	*old;
	struct alert	*a, *next;

	pthread_mutex_lock(&e->mu);
	old = e->conf;
	e->conf = mc;
	for (a = e->head; a != NULL; a = a->next) {
		a->n_c = 0;
		if (a->type == DET_VISIBILITY_LOSS && !a->replayed)
			a->vis_active = false;
	}
	vis_carry(e, old, mc);
	if (mc != NULL && mc->lg_url[0] != '\0')
		snprintf(e->lg_url, sizeof(e->lg_url), "%s", mc->lg_url);
	else
		snprintf(e->lg_url, sizeof(e->lg_url), "%s", e->lg_default);
	pthread_mutex_unlock(&e->mu);
	if (e->io != NULL)
		aio_configure(e->io, mc);
	if (mc != NULL) {
		rib_rdlock(e->rib);
		pthread_mutex_lock(&e->mu);
		rescan(e);
		pthread_mutex_unlock(&e->mu);
		rib_unlock(e->rib);
	}
	pthread_mutex_lock(&e->mu);
	for (a = e->head; a != NULL; a = next) {
		next = a->next;
		if (a->state != ALERT_RESOLVED)
			eval(e, a, e->now);
	}
	pthread_mutex_unlock(&e->mu);
	if (old != NULL) {
		mon_free(old);
		free(old);
	}
}

/*
 * Start and stop.
 */
static void
replay_one(void *arg, json_t *j)
{
	struct alertd	*e = arg;
	struct alert	*a;

	if ((a = alert_from_json(j)) == NULL)
		return;
	a->seq = ++e->next_seq;
	if (a->state == ALERT_OPEN) {
		if (ht_find(e, a->type, &a->pfx, a->offender) != NULL ||
		    ht_insert(e, a) == -1) {
			alert_free(a);
			return;
		}
		a->replayed = true;
		a->clear_since = e->started;
	} else
		e->n_resolved++;
	list_append(e, a);
}

struct alertd *
alertd_new(struct rib *rib, const struct alertd_opts *o, char *err,
    size_t errlen)
{
	struct alertd *e;

	if ((e = calloc(1, sizeof(*e))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	pthread_mutex_init(&e->mu, NULL);
	pthread_cond_init(&e->sub_cv, NULL);
	e->rib = rib;
	e->opts = *o;
	snprintf(e->lg_default, sizeof(e->lg_default), "%s", o->lg_url ?
	    o->lg_url : "");
	snprintf(e->lg_url, sizeof(e->lg_url), "%s", e->lg_default);
	if (o->data_dir != NULL) {
		snprintf(e->data_dir, sizeof(e->data_dir), "%s", o->data_dir);
		e->opts.data_dir = e->data_dir;
	}
	e->opts.lg_url = NULL;
	if (o->data_dir != NULL) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		e->started = e->now = (uint64_t)ts.tv_sec * 1000000 +
		    (uint64_t)ts.tv_nsec / 1000;
		if (aio_journal_replay(o->data_dir, o->retention_days ?
		    o->retention_days : 30, replay_one, e, err, errlen) == -1 ||
		    (e->io = aio_start(o->data_dir, o->deliver, err,
		    errlen)) == NULL) {
			alertd_free(e);
			return (NULL);
		}
	}
	return (e);
}

void
alertd_free(struct alertd *e)
{
	struct alert *a, *next;

	if (e == NULL)
		return;
	pthread_mutex_lock(&e->mu);
	e->stopping = true;
	pthread_cond_broadcast(&e->sub_cv);
	pthread_mutex_unlock(&e->mu);
	if (e->io != NULL)
		aio_stop(e->io);
	for (a = e->head; a != NULL; a = next) {
		next = a->next;
		alert_free(a);
	}
	free(e->ht);
	vis_carry(e, NULL, NULL);
	subs_free(e);
	if (e->conf != NULL) {
		mon_free(e->conf);
		free(e->conf);
	}
	pthread_cond_destroy(&e->sub_cv);
	pthread_mutex_destroy(&e->mu);
	free(e);
}
