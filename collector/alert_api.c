/*
 * alert_api.c -- alerts as JSON: what the API lists, what the journal
 * keeps (and replays), what webhooks and the live feed carry.
 *
 * One form serves all of them (docs/detection.md, "The alert object"),
 * so a line of alerts.jsonl, a webhook body's "alert" and an answer of
 * /api/v1/alerts/{id} can be compared field by field.  Times are unix
 * seconds with microseconds, as in the rest of the API.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert_int.h"

static json_t *
jtime(uint64_t us)
{
	return (us ? json_real((double)us / 1e6) : json_null());
}

static uint64_t
jtime_us(json_t *j)
{
	double v = json_is_number(j) ? json_number_value(j) : 0;

	return (v > 0 ? (uint64_t)(v * 1e6 + 0.5) : 0);
}

static bool
src_active(const struct alert *a, const struct aseen *s)
{
	size_t i;

	if (a->type == DET_VISIBILITY_LOSS)
		return (a->vis_active);
	for (i = 0; i < a->n_c; i++)
		if (a->c[i].src == s->src)
			return (true);
	return (false);
}

static json_t *
sources_json(const struct alert *a, unsigned *now_srcs, unsigned *now_ases)
{
	json_t	*arr = json_array();
	char	 ab[ADDR_STRLEN];
	size_t	 i;
	bool	 act;

	for (i = 0; i < a->n_seen; i++) {
		act = src_active(a, &a->seen[i]);
		json_array_append_new(arr, json_pack("{s:s, s:I, s:b}",
		    "peer", addr_fmt(&a->seen[i].peer, ab, sizeof(ab)),
		    "peer_as", (json_int_t)a->seen[i].peer_as,
		    "active", act));
	}
	*now_srcs = *now_ases = 0;
	for (i = 0; i < a->n_c; i++) {
		size_t j;

		for (j = 0; j < i && a->c[j].src != a->c[i].src; j++)
			;
		*now_srcs += j == i;
		for (j = 0; j < i && a->c[j].peer_as != a->c[i].peer_as; j++)
			;
		*now_ases += j == i;
	}
	return (arr);
}

/* "AS64500, AS64501" from the rule's origins or upstreams. */
static void
asn_list(json_t *rule, const char *key, char *buf, size_t len)
{
	json_t	*arr = rule ? json_object_get(rule, key) : NULL, *v;
	size_t	 i, off = 0;

	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		if (off >= len)
			break;
		off += (size_t)snprintf(buf + off, len - off, "%sAS%lld",
		    i ? ", " : "", (long long)json_integer_value(v));
	}
}

static void
summary(const struct alert *a, char *buf, size_t len)
{
	char		 pb[PREFIX_STRLEN], origins[256], ups[256];
	const char	*rp;

	prefix_fmt(&a->pfx, pb, sizeof(pb));
	rp = a->rule ? json_string_value(json_object_get(a->rule, "prefix")) :
	    NULL;
	asn_list(a->rule, "origins", origins, sizeof(origins));
	asn_list(a->rule, "upstreams", ups, sizeof(ups));
	switch (a->type) {
	case DET_EXACT_HIJACK:
		snprintf(buf, len, "Exact-prefix hijack: %s originated by "
		    "AS%u, not by its legal origin (%s)", pb, a->offender,
		    origins);
		break;
	case DET_SUBPREFIX_HIJACK:
		snprintf(buf, len, "Sub-prefix hijack: %s originated by AS%u, "
		    "inside monitored %s (legal origin %s)", pb, a->offender,
		    rp ? rp : "?", origins);
		break;
	case DET_MORE_SPECIFIC:
		snprintf(buf, len, "New more-specific: %s from legal origin "
		    "AS%u inside monitored %s, which expects none", pb,
		    a->origin, rp ? rp : "?");
		break;
	case DET_PATH_ANOMALY:
		snprintf(buf, len, "Path anomaly: %s from AS%u through first "
		    "hop AS%u, not an allowed upstream (%s)", pb, a->origin,
		    a->offender, ups);
		break;
	case DET_ROUTE_LEAK:
		snprintf(buf, len, "Route leak: %s (origin AS%u) leaked by "
		    "AS%u against the AS relationships", pb, a->origin,
		    a->offender);
		break;
	case DET_RPKI_INVALID:
		snprintf(buf, len, "RPKI invalid: %s from AS%u", pb,
		    a->offender);
		break;
	case DET_VISIBILITY_LOSS:
		snprintf(buf, len, "Visibility loss: %s withdrawn from %u of "
		    "the %u sources that had it", pb, a->vis_had - a->vis_now,
		    a->vis_had);
		break;
	default:
		snprintf(buf, len, "%s", pb);
	}
}

static json_t *
links_json(const struct alertd *e, const struct alert *a)
{
	char	pb[PREFIX_STRLEN], buf[512];
	json_t	*o;

	if (e->lg_url[0] == '\0')
		return (json_object());
	prefix_fmt(&a->pfx, pb, sizeof(pb));
	o = json_object();
	snprintf(buf, sizeof(buf), "%s/api/v1/alerts/%s", e->lg_url, a->id);
	json_object_set_new(o, "alert", json_string(buf));
	snprintf(buf, sizeof(buf), "%s/api/v1/routes?prefix=%s&match=more",
	    e->lg_url, pb);
	json_object_set_new(o, "routes", json_string(buf));
	snprintf(buf, sizeof(buf), "%s/api/v1/history?prefix=%s", e->lg_url,
	    pb);
	json_object_set_new(o, "history", json_string(buf));
	return (o);
}

/* Is the alert's prefix the monitored prefix itself? */
static bool
is_exact(const struct alert *a)
{
	const char	*rp;
	struct prefix	 p;

	if (a->rule == NULL ||
	    (rp = json_string_value(json_object_get(a->rule, "prefix"))) ==
	    NULL || prefix_parse(rp, &p) == -1)
		return (true);
	return (prefix_cmp(&p, &a->pfx) == 0);
}

json_t *
alert_to_json(const struct alertd *e, const struct alert *a)
{
	json_t		*o, *paths;
	char		 pb[PREFIX_STRLEN], sum[512];
	unsigned	 ns, na;
	size_t		 i;
	bool		 exact;

	paths = json_array();
	for (i = 0; i < a->n_paths; i++)
		json_array_append_new(paths, json_string(a->paths[i]));
	summary(a, sum, sizeof(sum));
	exact = is_exact(a);
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:O, s:s, s:I, s:I}",
	    "id", a->id, "type", det_type_name(a->type),
	    "artemis", det_artemis(a->type, exact),
	    "severity", det_severity_name(a->severity),
	    "state", alert_state_name(a->state),
	    "prefix", prefix_fmt(&a->pfx, pb, sizeof(pb)),
	    "rule", a->rule ? a->rule : json_null(),
	    "group", a->group,
	    "origin_as", (json_int_t)a->origin,
	    "offender_as", (json_int_t)a->offender);
	if (o == NULL) {
		json_decref(paths);
		return (NULL);
	}
	json_object_set_new(o, "rpki", a->rpki == RPKI_NONE ? json_null() :
	    json_string(rpki_state_name(a->rpki)));
	json_object_set_new(o, "as_paths", paths);
	json_object_set_new(o, "sources", sources_json(a, &ns, &na));
	json_object_set_new(o, "sources_now", json_integer(ns));
	json_object_set_new(o, "peer_ases_now", json_integer(na));
	if (a->type == DET_VISIBILITY_LOSS)
		json_object_set_new(o, "visibility", json_pack("{s:i, s:i}",
		    "had", a->vis_had, "now", a->vis_now));
	json_object_set_new(o, "first_seen", jtime(a->first_seen));
	json_object_set_new(o, "last_seen", jtime(a->last_seen));
	json_object_set_new(o, "opened_at", jtime(a->opened));
	json_object_set_new(o, "resolved_at", jtime(a->resolved));
	json_object_set_new(o, "revision", json_integer(a->rev));
	json_object_set_new(o, "summary", json_string(sum));
	json_object_set_new(o, "links", links_json(e, a));
	return (o);
}

static void
from_sources(struct alert *a, json_t *arr)
{
	json_t		*s;
	struct aseen	*ns;
	struct addr	 peer;
	size_t		 i;

	json_array_foreach(arr, i, s) {
		if (a->n_seen >= ALERT_MAX_SEEN)
			break;
		if (!json_is_string(json_object_get(s, "peer")) ||
		    addr_parse(json_string_value(json_object_get(s, "peer")),
		    &peer) == -1)
			continue;
		if ((ns = realloc(a->seen, (a->n_seen + 1) * sizeof(*ns))) ==
		    NULL)
			return;
		a->seen = ns;
		ns[a->n_seen].peer = peer;
		ns[a->n_seen].peer_as = (uint32_t)json_integer_value(
		    json_object_get(s, "peer_as"));
		ns[a->n_seen].src = RIB_NO_SOURCE;
		a->n_seen++;
	}
}

struct alert *
alert_from_json(json_t *j)
{
	struct alert	*a;
	const char	*id, *type, *sev, *state, *pfx, *rpki;
	json_t		*v;
	size_t		 i;
	int		 t, sv, st;

	id = json_string_value(json_object_get(j, "id"));
	type = json_string_value(json_object_get(j, "type"));
	sev = json_string_value(json_object_get(j, "severity"));
	state = json_string_value(json_object_get(j, "state"));
	pfx = json_string_value(json_object_get(j, "prefix"));
	if (id == NULL || strlen(id) != ALERT_ID_LEN || type == NULL ||
	    sev == NULL || state == NULL || pfx == NULL ||
	    (t = det_type_parse(type)) == -1 ||
	    (sv = det_severity_parse(sev)) == -1 ||
	    (st = alert_state_parse(state)) == -1 || st == ALERT_PENDING ||
	    (a = calloc(1, sizeof(*a))) == NULL)
		return (NULL);
	if (prefix_parse(pfx, &a->pfx) == -1) {
		free(a);
		return (NULL);
	}
	memcpy(a->id, id, ALERT_ID_LEN + 1);
	a->type = (enum det_type)t;
	a->severity = (enum det_severity)sv;
	a->state = (enum alert_state)st;
	if ((rpki = json_string_value(json_object_get(j, "rpki"))) != NULL)
		a->rpki = strcmp(rpki, "valid") == 0 ? RPKI_VALID :
		    strcmp(rpki, "invalid") == 0 ? RPKI_INVALID :
		    RPKI_NOT_FOUND;
	if (json_is_object(v = json_object_get(j, "rule")))
		a->rule = json_incref(v);
	snprintf(a->group, sizeof(a->group), "%s",
	    json_string_value(json_object_get(j, "group")) ?
	    json_string_value(json_object_get(j, "group")) : "default");
	a->origin = (uint32_t)json_integer_value(json_object_get(j,
	    "origin_as"));
	a->offender = (uint32_t)json_integer_value(json_object_get(j,
	    "offender_as"));
	json_array_foreach(json_object_get(j, "as_paths"), i, v)
		if (json_is_string(v) && a->n_paths < ALERT_MAX_PATHS &&
		    (a->paths[a->n_paths] = strdup(json_string_value(v))) != NULL)
			a->n_paths++;
	from_sources(a, json_object_get(j, "sources"));
	if ((v = json_object_get(j, "visibility")) != NULL) {
		a->vis_had = (unsigned)json_integer_value(json_object_get(v,
		    "had"));
		a->vis_now = (unsigned)json_integer_value(json_object_get(v,
		    "now"));
		a->vis_active = a->state == ALERT_OPEN;
	}
	a->first_seen = jtime_us(json_object_get(j, "first_seen"));
	a->last_seen = jtime_us(json_object_get(j, "last_seen"));
	a->opened = jtime_us(json_object_get(j, "opened_at"));
	a->resolved = jtime_us(json_object_get(j, "resolved_at"));
	a->rev = (uint32_t)json_integer_value(json_object_get(j, "revision"));
	a->last_notify = a->last_seen;
	return (a);
}

/*
 * Queries.
 */
static bool
filter_takes(const struct alert_filter *f, const struct alert *a)
{
	if (f->state == -1 ? a->state == ALERT_PENDING :
	    (int)a->state != f->state)
		return (false);
	if (f->type != -1 && (int)a->type != f->type)
		return (false);
	if (f->has_prefix && !prefix_covers(&f->pfx, &a->pfx))
		return (false);
	return (f->before == 0 || a->seq < f->before);
}

json_t *
alertd_list(struct alertd *e, const struct alert_filter *f)
{
	struct alert	*a, *last = NULL;
	json_t		*arr, *o;
	size_t		 n = 0;
	char		 cur[32];
	bool		 more = false;

	if ((arr = json_array()) == NULL)
		return (NULL);
	pthread_mutex_lock(&e->mu);
	for (a = e->tail; a != NULL; a = a->prev) {
		if (!filter_takes(f, a))
			continue;
		if (n == f->limit) {
			more = true;
			break;
		}
		json_array_append_new(arr, alert_to_json(e, a));
		last = a;
		n++;
	}
	if (more && last != NULL)
		snprintf(cur, sizeof(cur), "%llu", (unsigned long long)last->seq);
	pthread_mutex_unlock(&e->mu);
	o = json_pack("{s:o, s:I}", "alerts", arr, "count", (json_int_t)n);
	if (o != NULL && more)
		json_object_set_new(o, "next_cursor", json_string(cur));
	return (o);
}

json_t *
alertd_get(struct alertd *e, const char *id)
{
	struct alert	*a;
	json_t		*o = NULL;

	pthread_mutex_lock(&e->mu);
	for (a = e->tail; a != NULL; a = a->prev)
		if (strcmp(a->id, id) == 0) {
			o = alert_to_json(e, a);
			break;
		}
	pthread_mutex_unlock(&e->mu);
	return (o);
}

json_t *
alertd_status(struct alertd *e)
{
	struct alert	*a;
	json_t		*o, *by;
	size_t		 n[3] = { 0, 0, 0 };

	pthread_mutex_lock(&e->mu);
	for (a = e->head; a != NULL; a = a->next)
		n[a->state]++;
	o = json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
	    "enabled", e->conf != NULL,
	    "monitored_prefixes", (json_int_t)(e->conf ? e->conf->n_rules : 0),
	    "relationships", (json_int_t)(e->conf ? asrel_count(e->conf->rel) :
	    0),
	    "vrps", (json_int_t)(e->conf ? vrp_count(e->conf->vrp) : 0),
	    "pending", (json_int_t)n[ALERT_PENDING],
	    "open", (json_int_t)n[ALERT_OPEN],
	    "resolved", (json_int_t)n[ALERT_RESOLVED],
	    "route_changes_judged", (json_int_t)e->monitored_events,
	    "findings", (json_int_t)e->findings);
	by = json_pack("{s:I, s:I, s:I}",
	    "opened", (json_int_t)e->events[AEV_OPENED],
	    "updated", (json_int_t)e->events[AEV_UPDATED],
	    "resolved", (json_int_t)e->events[AEV_RESOLVED]);
	pthread_mutex_unlock(&e->mu);
	if (o == NULL) {
		json_decref(by);
		return (NULL);
	}
	json_object_set_new(o, "events", by);
	json_object_set_new(o, "webhooks", e->io != NULL ? aio_status(e->io) :
	    json_array());
	return (o);
}

/*
 * The live feed.  Frames are rendered once per event, under the engine
 * lock, into each subscriber's ring.
 */
void
subs_publish(struct alertd *e, enum alert_event ev, json_t *alert)
{
	struct alert_sub	*s;
	char			*payload, *frame, key[64];
	size_t			 len;

	if (e->subs == NULL)
		return;
	snprintf(key, sizeof(key), "%s:%lld", json_string_value(
	    json_object_get(alert, "id")), (long long)json_integer_value(
	    json_object_get(alert, "revision")));
	if ((payload = alert_payload(ev, alert, key)) == NULL)
		return;
	len = strlen(payload) + strlen(key) + 64;
	for (s = e->subs; s != NULL; s = s->next) {
		if ((frame = malloc(len)) == NULL)
			break;
		snprintf(frame, len, "id: %s\nevent: %s\ndata: %s\n\n", key,
		    alert_event_name(ev), payload);
		if (s->head - s->tail == SUB_RING) {
			free(s->ring[s->tail % SUB_RING]);
			s->tail++;
			s->dropped++;
		}
		s->ring[s->head++ % SUB_RING] = frame;
	}
	free(payload);
	pthread_cond_broadcast(&e->sub_cv);
}

struct alert_sub *
alertd_subscribe(struct alertd *e)
{
	struct alert_sub *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (NULL);
	pthread_mutex_lock(&e->mu);
	s->next = e->subs;
	e->subs = s;
	pthread_mutex_unlock(&e->mu);
	return (s);
}

static void
sub_free(struct alert_sub *s)
{
	while (s->tail != s->head)
		free(s->ring[s->tail++ % SUB_RING]);
	free(s);
}

void
alertd_unsubscribe(struct alertd *e, struct alert_sub *s)
{
	struct alert_sub **pp;

	if (s == NULL)
		return;
	pthread_mutex_lock(&e->mu);
	for (pp = &e->subs; *pp != NULL; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	pthread_mutex_unlock(&e->mu);
	sub_free(s);
}

void
subs_free(struct alertd *e)
{
	struct alert_sub *s, *next;

	for (s = e->subs; s != NULL; s = next) {
		next = s->next;
		sub_free(s);
	}
	e->subs = NULL;
}

char *
alertd_sub_next(struct alertd *e, struct alert_sub *s, unsigned wait_ms,
    bool *stopping)
{
	struct timespec	 ts;
	char		*frame = NULL;
	uint64_t	 dropped;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += wait_ms / 1000;
	ts.tv_nsec += (long)(wait_ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&e->mu);
	while (!e->stopping && s->tail == s->head && s->dropped == 0)
		if (pthread_cond_timedwait(&e->sub_cv, &e->mu, &ts) != 0)
			break;
	*stopping = e->stopping;
	if ((dropped = s->dropped) != 0) {
		s->dropped = 0;
		if (asprintf(&frame, "event: dropped\ndata: {\"dropped\":"
		    "%llu}\n\n", (unsigned long long)dropped) == -1)
			frame = NULL;
	} else if (s->tail != s->head)
		frame = s->ring[s->tail++ % SUB_RING];
	pthread_mutex_unlock(&e->mu);
	return (frame);
}
