/*
 * main_bgplensd.c -- the collector daemon.
 *
 *	bgplensd [-c FILE] [--check] [-v] [-d] [--web DIR]
 *
 * Runs in the foreground and logs to stderr (a supervisor such as systemd
 * keeps it; see scripts/bgplensd.service).  Without -c it runs on built-in
 * safe defaults: BGP and HTTP on loopback only, neighbours accepted from
 * the loopback network.  SIGHUP reloads the configuration; SIGTERM and
 * SIGINT send every peer a Cease and exit; SIGUSR1 takes a RIB snapshot.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alert.h"
#include "archived.h"
#include "bmp.h"
#include "conf.h"
#include "evloop.h"
#include "fanout.h"
#include "lg.h"
#include "log.h"
#include "rib.h"
#include "session.h"
#include "stream.h"

struct daemon {
	struct evloop	*loop;
	struct rib	*rib;
	struct bgpd	*bgpd;
	struct bmp_station *bmp;
	struct alert_daemon *alerts;
	struct archived	*archive;
	struct rib_fanout *fan;		/* the RIB listener: detection, streams */
	struct stream_hub *streams;
	struct lg	*lg;
	struct conf	 conf;
	const char	*conf_path;
	struct ev_io	 sig_io;
	struct ev_timer	 hk_t;
	struct ev_timer	 stream_t;
	unsigned	 stream_ticks;
	int		 sigfd;
	bool		 quit;
	bool		 debug;		/* -d: debug logs whatever the file says */
};

static void
reload(struct daemon *dm)
{
	struct conf	nc;
	char		err[512];

	if (dm->conf_path == NULL) {
		log_info("SIGHUP: no configuration file to reload");
		return;
	}
	if (conf_load(dm->conf_path, &nc, err, sizeof(err)) == -1) {
		log_warnx("reload failed, keeping the running configuration: "
		    "%s", err);
		return;
	}
	bgpd_reconfigure(dm->bgpd, &nc);
	bmp_station_reconfigure(dm->bmp, &nc);
	log_setlevel(dm->debug ? LOG_LVL_DEBUG : nc.log_level);
	conf_free(&dm->conf);
	dm->conf = nc;
	alert_daemon_reload(dm->alerts, &dm->conf);
}

static void
signal_cb(struct ev_io *w, unsigned events)
{
	struct daemon			*dm = w->arg;
	struct signalfd_siginfo		 si;

	while (read(dm->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			log_info("SIGHUP: reloading %s", dm->conf_path ?
			    dm->conf_path : "(nothing)");
			reload(dm);
			break;
		case SIGUSR1:
			log_info("SIGUSR1: RIB snapshot");
			archived_snapshot_now(dm->archive);
			break;
		case SIGTERM:
		case SIGINT:
			log_info("%s: shutting down", strsignal((int)si.ssi_signo));
			dm->quit = true;
			break;
		}
	}
}

/* Housekeeping every 10 s: history retention by age. */
static void
housekeeping_cb(struct ev_timer *t)
{
	struct daemon *dm = t->arg;

	rib_wrlock(dm->rib);
	rib_history_expire(dm->rib, ev_wall_us());
	rib_unlock(dm->rib);
	ev_timer_start(dm->loop, &dm->hk_t, 10000);
}

/*
 * Every STREAM_FLUSH_MS: streams get what was queued for them; every
 * second, keep-alives for the idle ones.
 */
#define STREAM_FLUSH_MS	25

static void
stream_tick_cb(struct ev_timer *t)
{
	struct daemon *dm = t->arg;

	stream_hub_flush(dm->streams);
	if (++dm->stream_ticks % (1000 / STREAM_FLUSH_MS) == 0)
		stream_hub_tick(dm->streams, ev_wall_us());
	ev_timer_start(dm->loop, &dm->stream_t, STREAM_FLUSH_MS);
}

/*
 * The live streams hang on the RIB fan-out (always: a change costs them
 * one atomic load while nobody watches), on the sessions and on the BMP
 * station; the alert engine's events reach them once it runs.
 */
static void
streams_start(struct daemon *dm)
{
	struct stream_config	sc;
	int			h;

	memset(&sc, 0, sizeof(sc));
	sc.queue_bytes = (size_t)dm->conf.stream_queue_kib * 1024;
	sc.max_clients = dm->conf.stream_max_clients;
	sc.keepalive_s = dm->conf.stream_keepalive;
	if ((dm->fan = rib_fanout_new(dm->rib)) == NULL ||
	    (dm->streams = stream_hub_new(dm->rib, &sc)) == NULL ||
	    (h = rib_fanout_add(dm->fan, stream_hub_rib_event,
	    dm->streams)) == -1)
		fatal("startup");
	rib_fanout_enable(dm->fan, h, true);
	bgpd_set_peer_hook(dm->bgpd, stream_hub_peer_event, dm->streams);
	bmp_station_set_peer_hook(dm->bmp, stream_hub_peer_event,
	    dm->streams);
	ev_timer_init(&dm->stream_t, stream_tick_cb, dm);
	ev_timer_start(dm->loop, &dm->stream_t, STREAM_FLUSH_MS);
}

/*
 * At shutdown, give the streams a moment to send their last frame (why
 * they end) before the looking glass closes every connection: at most
 * STREAM_DRAIN_MS, a client that does not read is not waited for.
 */
#define STREAM_DRAIN_MS	1000

static void
streams_drain(struct daemon *dm)
{
	struct timespec	ts = { 0, 10 * 1000000 };
	int		i;

	for (i = 0; i < STREAM_DRAIN_MS / 10 &&
	    !stream_hub_drained(dm->streams); i++)
		nanosleep(&ts, NULL);
}

static int
mkdir_p(const char *path)
{
	char	buf[256], *p;

	if (strlen(path) >= sizeof(buf))
		return (-1);
	strcpy(buf, path);
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return (-1);
		*p = '/';
	}
	if (mkdir(buf, 0755) == -1 && errno != EEXIST)
		return (-1);
	return (0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bgplensd [-c FILE] [--check] [-v] [-d] "
	    "[--web DIR]\n");
}

/* The web UI next to the binary (bin/../web), else ./web. */
static const char *
default_web_root(const char *argv0)
{
	static char	buf[512];
	const char	*slash = strrchr(argv0, '/');
	struct stat	st;

	if (slash != NULL && (size_t)(slash - argv0) < sizeof(buf) - 16) {
		snprintf(buf, sizeof(buf), "%.*s/../web", (int)(slash - argv0),
		    argv0);
		if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
			return (buf);
	}
	return ("web");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "debug", no_argument, NULL, 'd' },
		{ "web", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct daemon		 dm;
	struct rib_config	 rc;
	struct lg_ctx		 lc;
	sigset_t		 mask;
	char			 err[512];
	bool			 check = false, verbose = false, debug = false;
	const char		*web = NULL;
	int			 ch;

	memset(&dm, 0, sizeof(dm));
	while ((ch = getopt_long(argc, argv, "c:nvdw:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			dm.conf_path = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'd':
			debug = true;
			break;
		case 'w':
			web = optarg;
			break;
		case 'h':
			usage();
			return (0);
		default:
			usage();
			return (2);
		}
	}
	log_init("bgplensd", LOG_LVL_INFO, false);
	if (dm.conf_path != NULL) {
		if (conf_load(dm.conf_path, &dm.conf, err, sizeof(err)) == -1) {
			fprintf(stderr, "bgplensd: %s\n", err);
			return (1);
		}
	} else if (conf_builtin(&dm.conf) == -1) {
		fprintf(stderr, "bgplensd: out of memory\n");
		return (1);
	}
	if (check && alert_daemon_check(&dm.conf, err, sizeof(err)) == -1) {
		fprintf(stderr, "bgplensd: %s\n", err);
		conf_free(&dm.conf);
		return (1);
	}
	if (check) {
		if (verbose)
			conf_print(stdout, &dm.conf);
		printf("configuration OK: %s\n", dm.conf.file);
		conf_free(&dm.conf);
		return (0);
	}
	dm.debug = debug;
	log_setlevel(debug ? LOG_LVL_DEBUG : dm.conf.log_level);
	if (mkdir_p(dm.conf.data_dir) == -1)
		log_warn("data directory %s", dm.conf.data_dir);

	/*
	 * Blocked before any thread starts, so that every thread inherits
	 * the mask and the signals wait for the signalfd read below.
	 */
	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	memset(&rc, 0, sizeof(rc));
	rc.history_max_events = dm.conf.history_max_events;
	rc.history_max_age_s = dm.conf.history_max_age;
	rc.local_as = dm.conf.local_as;
	/* Ingest lets readers in this often (docs/architecture.md). */
	rc.write_hold_us = dm.conf.rib_write_hold_us;
	if ((dm.loop = evloop_new()) == NULL || (dm.rib = rib_new(&rc)) == NULL ||
	    (dm.bgpd = bgpd_new(&dm.conf, dm.loop, dm.rib)) == NULL ||
	    (dm.bmp = bmp_station_new(&dm.conf, dm.loop, dm.rib)) == NULL)
		fatal("startup");
	/*
	 * Before anything listens: the archive sees every session from its
	 * first state change (and a warm start fills the RIB before alert
	 * detection would take what it loads for news).
	 */
	dm.archive = archived_start(&dm.conf, dm.loop, dm.rib, dm.bgpd, dm.bmp);
	streams_start(&dm);
	dm.alerts = alert_daemon_start(&dm.conf, dm.rib, dm.fan, dm.loop);
	if (dm.alerts != NULL)
		alertd_set_on_event(alert_daemon_engine(dm.alerts),
		    stream_hub_alert_event, dm.streams);

	/* Signals arrive as reads on a descriptor, inside the loop. */
	if ((dm.sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	ev_io_init(&dm.sig_io, dm.sigfd, signal_cb, &dm);
	ev_io_start(dm.loop, &dm.sig_io, EV_READ);

	if (bgpd_listen(dm.bgpd) == -1)
		log_warnx("no BGP listener could be opened (port %u needs "
		    "root, or another daemon holds it); active peers still "
		    "connect out", dm.conf.bgp_port);
	if (bmp_station_start(dm.bmp) == -1)
		log_warnx("no BMP listener could be opened (port %u held by "
		    "another daemon?); bmp_connect routers are still dialled",
		    dm.conf.bmp_port);
	memset(&lc, 0, sizeof(lc));
	lc.conf = &dm.conf;
	lc.rib = dm.rib;
	lc.alerts = alert_daemon_engine(dm.alerts);
	lc.bgpd = dm.bgpd;
	lc.archive = dm.archive;
	lc.streams = dm.streams;
	lc.bmp = dm.bmp;
	lc.web_root = web != NULL ? web : default_web_root(argv[0]);
	lc.started_us = ev_wall_us();
	lc.rate_limit = dm.conf.http_rate_limit;
	lc.rate_burst = dm.conf.http_rate_burst;
	lc.token = dm.conf.http_token;
	lc.cors_origin = dm.conf.http_cors_origin;
	if (dm.conf.http_listen[0] != '\0')
		dm.lg = lg_start(&lc);
	ev_timer_init(&dm.hk_t, housekeeping_cb, &dm);
	ev_timer_start(dm.loop, &dm.hk_t, 10000);
	log_info("bgplensd running: AS%u, %zu peers configured, %zu dynamic "
	    "ranges, data in %s", dm.conf.local_as, dm.conf.n_peers,
	    dm.conf.n_dynamic, dm.conf.data_dir);

	while (!dm.quit)
		if (evloop_run_once(dm.loop, 1000) == -1)
			fatal("event loop");

	alert_daemon_detach(dm.alerts);
	/* Streams end before the sessions: their closing is not news. */
	ev_timer_stop(dm.loop, &dm.stream_t);
	stream_hub_shutdown(dm.streams);
	bgpd_set_peer_hook(dm.bgpd, NULL, NULL);
	bmp_station_set_peer_hook(dm.bmp, NULL, NULL);
	bgpd_shutdown(dm.bgpd);
	bmp_station_shutdown(dm.bmp);
	evloop_run_once(dm.loop, 0);	/* run the deferred frees */
	streams_drain(&dm);
	lg_stop(dm.lg);
	archived_stop(dm.archive);
	if (dm.alerts != NULL)
		alertd_set_on_event(alert_daemon_engine(dm.alerts), NULL,
		    NULL);
	alert_daemon_free(dm.alerts);
	stream_hub_free(dm.streams);
	rib_fanout_free(dm.fan);
	bgpd_free(dm.bgpd);
	bmp_station_free(dm.bmp);
	rib_free(dm.rib);
	ev_io_stop(dm.loop, &dm.sig_io);
	close(dm.sigfd);
	evloop_free(dm.loop);
	conf_free(&dm.conf);
	log_info("stopped");
	return (0);
}
