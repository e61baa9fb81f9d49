/*
 * detect_cmd.c -- "bgplens detect": the detectors over MRT files.
 *
 *	bgplens detect --monitor FILE [--quiet] MRT...
 *
 * RIB dumps and update files are applied in order to a RIB by the loader
 * of "bgplens rib-load" (rib_load.h), with the alert engine on its
 * listener.  Time
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
#include "rib_load.h"

struct dload {
	struct rib	*rib;
	struct alertd	*ad;
	uint64_t	 last_tick;
	uint64_t	 opened[DET_NTYPES];
	uint64_t	 events[3];
	struct rib_load_stats st;
	bool		 quiet;
};

/* Timers run on the files' clock, once a second of it. */
static void
dl_tick(void *arg, uint64_t now)
{
	struct dload *l = arg;

	if (now < l->last_tick + 1000000)
		return;
	l->last_tick = now;
	alertd_tick(l->ad, now);	/* the engine's lock, not the RIB's */
}

static void
dl_error(void *arg, const char *file, uint64_t off, const char *msg)
{
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
	    "rib_entries", (json_int_t)l->st.rib_entries,
	    "updates", (json_int_t)l->st.messages,
	    "errors", (json_int_t)l->st.errors,
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

/* The files in order into the RIB, as "bgplens rib-load" loads them. */
static int
dl_run(struct dload *l, int argc, char **argv)
{
	struct rib_loader	*ld;
	char			 err[512];
	int			 i, rc = 0;

	if ((ld = rib_loader_new(l->rib, 0, dl_error, l)) == NULL)
		return (1);
	rib_loader_on_record(ld, dl_tick, l);
	rib_wrlock(l->rib);
	for (i = 0; i < argc; i++) {
		if (rib_loader_file(ld, argv[i], err, sizeof(err)) == -1) {
			fprintf(stderr, "bgplens detect: %s: %s\n", argv[i],
			    err);
			rc = 1;
		}
	}
	rib_loader_stats(ld, &l->st);
	rib_loader_free(ld);
	rib_unlock(l->rib);
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
	return (rv);
}
