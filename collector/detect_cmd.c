/*
 * detect_cmd.c -- "bgplens detect": the detectors over MRT files.
 *
 *	bgplens detect --monitor FILE [--quiet] MRT...
 *
 * RIB dumps and update files are applied in order to a RIB, exactly as
 * "bgplens rib-load" does, with the alert engine on its listener.  Time
 * is the files' own: hold-downs, clear_after and update intervals run on
 * the timestamps of the records, so a replay gives the alerts a live
 * collector would have given, in the same order.  Every lifecycle event
 * is a JSON line on stdout ({"event", "alert"}, the webhook payload);
 * the last line on stderr sums them up.  Nothing is written to disk and
 * no webhook is called.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "detect.h"
#include "mrt.h"
#include "rib.h"

struct dload {
	struct rib	*rib;
	struct alertd	*ad;
	uint16_t	*pidx;
	uint16_t	 n_pidx;
	uint64_t	 last_tick;
	uint64_t	 routes, updates, errors;
	uint64_t	 opened[DET_NTYPES];
	uint64_t	 events[3];
	bool		 quiet;
};

static uint64_t
ctx_us(const struct mrt_ctx *c)
{
	return ((uint64_t)c->ts * 1000000u + c->usec);
}

/* Timers run on the files' clock, once a second of it. */
static void
dl_tick(struct dload *l, const struct mrt_ctx *c)
{
	uint64_t now = ctx_us(c);

	if (now < l->last_tick + 1000000)
		return;
	l->last_tick = now;
	alertd_tick(l->ad, now);	/* the engine's lock, not the RIB's */
}

static uint16_t
dl_source(struct dload *l, const struct addr *ip, uint32_t asn,
    uint32_t bgp_id)
{
	struct rib_source s;

	memset(&s, 0, sizeof(s));
	s.peer = *ip;
	s.peer_as = asn;
	s.peer_bgp_id = bgp_id;
	s.table = RIB_TBL_PEER;
	return (rib_source_find_or_add(l->rib, &s));
}

static void
dl_peer_index(void *arg, const struct mrt_ctx *c,
    const struct mrt_peer_index *pi)
{
	struct dload	*l = arg;
	uint16_t	 i;

	(void)c;
	free(l->pidx);
	l->n_pidx = 0;
	if ((l->pidx = calloc(pi->n_peers ? pi->n_peers : 1,
	    sizeof(*l->pidx))) == NULL)
		return;
	for (i = 0; i < pi->n_peers; i++)
		l->pidx[i] = dl_source(l, &pi->peers[i].ip, pi->peers[i].asn,
		    pi->peers[i].bgp_id);
	l->n_pidx = pi->n_peers;
}

static void
dl_rib_entry(void *arg, const struct mrt_ctx *c, const struct mrt_rib *e)
{
	struct dload		*l = arg;
	const struct bgp_attrs	*a;
	const struct addr	*nh = NULL, *ll = NULL;
	uint16_t		 src;
	uint32_t		 attr;

	if (e->peer == NULL || e->safi != SAFI_UNICAST || e->u == NULL ||
	    e->verdict >= BGP_TREAT_AS_WITHDRAW)
		return;
	if (c->type == MRT_TABLE_DUMP_V2 && e->peer_index < l->n_pidx)
		src = l->pidx[e->peer_index];
	else
		src = dl_source(l, &e->peer->ip, e->peer->asn,
		    e->peer->bgp_id);
	if (src == RIB_NO_SOURCE)
		return;
	a = &e->u->a;
	if (attrs_has(a, ATTR_MP_REACH_NLRI) && (e->afi == AFI_IPV6 ||
	    !attrs_has(a, ATTR_NEXT_HOP))) {
		nh = &a->mp_reach.nexthop;
		ll = &a->mp_reach.nexthop_ll;
	} else if (attrs_has(a, ATTR_NEXT_HOP))
		nh = &a->nexthop;
	if ((attr = rib_attr_intern(l->rib, a, nh, ll)) == 0) {
		l->errors++;
		return;
	}
	if (rib_update(l->rib, &e->nlri.pfx, src, e->addpath ?
	    e->nlri.path_id : 0, attr, ctx_us(c)) == -1)
		l->errors++;
	rib_attr_put(l->rib, attr);
	l->routes++;
	dl_tick(l, c);
}

static void
dl_message(void *arg, const struct mrt_ctx *c, const struct mrt_msg *m)
{
	struct dload		*l = arg;
	struct rib_apply_stats	 st = { 0, 0, 0, 0 };
	uint16_t		 src;

	if (m->local || m->bgp_type != BGP_UPDATE || m->u == NULL ||
	    m->verdict == BGP_SESSION_RESET)
		return;
	if ((src = dl_source(l, &m->peer_ip, m->peer_as, 0)) == RIB_NO_SOURCE)
		return;
	rib_apply_update(l->rib, src, m->u, &m->neg, ctx_us(c), &st);
	l->updates++;
	l->errors += st.errors;
	dl_tick(l, c);
}

static void
dl_state(void *arg, const struct mrt_ctx *c, const struct mrt_state *s)
{
	struct dload	*l = arg;
	uint16_t	 src;

	if (s->old_state != 6 || s->new_state == 6 || s->short_form)
		return;
	if ((src = dl_source(l, &s->peer_ip, s->peer_as, 0)) != RIB_NO_SOURCE)
		rib_source_flush(l->rib, src, ctx_us(c));
}

static void
dl_error(void *arg, const char *file, uint64_t off, const char *msg)
{
	struct dload *l = arg;

	l->errors++;
	fprintf(stderr, "bgplens detect: %s: offset %llu: %s\n", file,
	    (unsigned long long)off, msg);
}

static void
dl_event(void *arg, enum alert_event ev, json_t *alert)
{
	struct dload	*l = arg;
	const char	*type;
	char		*line, key[64];
	int		 t;

	l->events[ev]++;
	type = json_string_value(json_object_get(alert, "type"));
	if (ev == AEV_OPENED && type != NULL && (t = det_type_parse(type)) > 0)
		l->opened[t]++;
	if (l->quiet)
		return;
	snprintf(key, sizeof(key), "%s:%lld",
	    json_string_value(json_object_get(alert, "id")),
	    (long long)json_integer_value(json_object_get(alert, "revision")));
	if ((line = alert_payload(ev, alert, key)) != NULL) {
		puts(line);
		free(line);
	}
}

static void
dl_summary(const struct dload *l)
{
	json_t	*o, *by;
	char	*txt;
	int	 t;

	by = json_object();
	for (t = 1; t < DET_NTYPES; t++)
		json_object_set_new(by, det_type_name((enum det_type)t),
		    json_integer((json_int_t)l->opened[t]));
	o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o}",
	    "rib_entries", (json_int_t)l->routes,
	    "updates", (json_int_t)l->updates,
	    "errors", (json_int_t)l->errors,
	    "opened", (json_int_t)l->events[AEV_OPENED],
	    "updated", (json_int_t)l->events[AEV_UPDATED],
	    "resolved", (json_int_t)l->events[AEV_RESOLVED],
	    "opened_by_type", by);
	if (o != NULL && (txt = json_dumps(o, JSON_COMPACT |
	    JSON_PRESERVE_ORDER)) != NULL) {
		fprintf(stderr, "%s\n", txt);
		free(txt);
	}
	json_decref(o);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bgplens detect --monitor FILE [--quiet] "
	    "MRT...\n");
}

static int
dl_run(struct dload *l, int argc, char **argv)
{
	struct mrt_handlers	 h;
	struct mrt_reader	*rd;
	struct mrt_in		*in;
	char			 err[512];
	int			 i, rc = 0;

	memset(&h, 0, sizeof(h));
	h.on_peer_index = dl_peer_index;
	h.on_rib_entry = dl_rib_entry;
	h.on_message = dl_message;
	h.on_state = dl_state;
	h.on_error = dl_error;
	h.arg = l;
	if ((rd = mrt_reader_new(&h, 0)) == NULL)
		return (1);
	rib_wrlock(l->rib);
	for (i = 0; i < argc; i++) {
		if ((in = mrt_in_open(argv[i], err, sizeof(err))) == NULL) {
			fprintf(stderr, "bgplens detect: %s: %s\n", argv[i],
			    err);
			rc = 1;
			continue;
		}
		mrt_reader_run(rd, in);
		mrt_in_close(in);
	}
	rib_unlock(l->rib);
	mrt_reader_free(rd);
	/* What the last second of the files made due. */
	alertd_tick(l->ad, l->last_tick + 1000000);
	return (rc);
}

int
cmd_detect(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "monitor", required_argument, NULL, 'm' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rib_config	 rc = { 0, 0, 0, 0 };
	struct alertd_opts	 ao;
	struct mon_conf		*mc;
	struct dload		 l;
	const char		*monitor = NULL;
	char			 err[512];
	int			 ch, rv;

	memset(&l, 0, sizeof(l));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "m:qh", opts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			monitor = optarg;
			break;
		case 'q':
			l.quiet = true;
			break;
		default:
			usage();
			return (ch == 'h' ? 0 : 2);
		}
	}
	if (monitor == NULL || optind >= argc) {
		usage();
		return (2);
	}
	if ((mc = calloc(1, sizeof(*mc))) == NULL ||
	    mon_load(monitor, mc, err, sizeof(err)) == -1) {
		fprintf(stderr, "bgplens detect: %s\n", mc ? err :
		    "out of memory");
		free(mc);
		return (1);
	}
	memset(&ao, 0, sizeof(ao));
	ao.on_event = dl_event;
	ao.arg = &l;
	ao.lg_url = "";
	if ((l.rib = rib_new(&rc)) == NULL ||
	    (l.ad = alertd_new(l.rib, &ao, err, sizeof(err))) == NULL) {
		fprintf(stderr, "bgplens detect: %s\n", l.rib ? err :
		    "out of memory");
		mon_free(mc);
		free(mc);
		rib_free(l.rib);
		return (1);
	}
	alertd_configure(l.ad, mc);
	rib_set_listener(l.rib, alertd_rib_event, l.ad);
	rv = dl_run(&l, argc - optind, argv + optind);
	fflush(stdout);
	dl_summary(&l);
	rib_set_listener(l.rib, NULL, NULL);
	alertd_free(l.ad);
	rib_free(l.rib);
	free(l.pidx);
	return (rv);
}
