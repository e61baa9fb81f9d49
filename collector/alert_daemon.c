/*
 * alert_daemon.c -- the alert engine inside bgplensd: started with the
 * RIB, hung on its listener, ticked by a timer of the event loop, fed a
 * new monitor file on SIGHUP, and unhooked before the sessions close at
 * shutdown (their withdrawals would otherwise resolve every alert; the
 * journal keeps them open across the restart instead).
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "conf.h"
#include "evloop.h"
#include "fanout.h"
#include "log.h"

#define TICK_MS		250

struct alert_daemon {
	struct alertd	*ad;
	struct rib	*rib;
	struct rib_fanout *fan;
	int		 fan_h;		/* our consumer on the fan-out */
	struct evloop	*loop;
	struct ev_timer	 tick;
	bool		 hooked;	/* on the RIB listener */
	char		 path[PATH_MAX];	/* of the monitor file, "" = none */
};

/*
 * On the RIB's listener only while there is something to detect: the
 * RIB builds an event per change only for a listener.  The slot is shared
 * with the live streams through the fan-out (fanout.h).
 */
static void
hook_rib(struct alert_daemon *d, bool on)
{
	if (on == d->hooked)
		return;
	rib_fanout_enable(d->fan, d->fan_h, on);
	d->hooked = on;
}

/* monitor_file, relative to the main configuration file's directory. */
static void
monitor_path(const struct conf *c, char *out, size_t len)
{
	char	dir[PATH_MAX];

	out[0] = '\0';
	if (c->monitor_file[0] == '\0')
		return;
	if (c->monitor_file[0] == '/' || c->file[0] == '\0' ||
	    c->file[0] == '(') {
		snprintf(out, len, "%s", c->monitor_file);
		return;
	}
	snprintf(dir, sizeof(dir), "%s", c->file);
	snprintf(out, len, "%s/%s", dirname(dir), c->monitor_file);
}

static struct mon_conf *
monitor_load(const char *path, char *err, size_t errlen)
{
	struct mon_conf *mc;

	if ((mc = calloc(1, sizeof(*mc))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return (NULL);
	}
	if (mon_load(path, mc, err, errlen) == -1) {
		free(mc);
		return (NULL);
	}
	return (mc);
}

static void
monitor_log(const struct mon_conf *mc)
{
	log_info("monitor %s: %zu prefixes, %zu webhooks, %zu AS links, "
	    "%zu VRPs", mc->file, mc->n_rules, mc->n_hooks,
	    asrel_count(mc->rel), vrp_count(mc->vrp));
}

int
alert_daemon_check(const struct conf *c, char *err, size_t errlen)
{
	struct mon_conf	*mc;
	char		 path[PATH_MAX];

	monitor_path(c, path, sizeof(path));
	if (path[0] == '\0')
		return (0);
	if ((mc = monitor_load(path, err, errlen)) == NULL)
		return (-1);
	monitor_log(mc);
	mon_free(mc);
	free(mc);
	return (0);
}

static void
tick_cb(struct ev_timer *t)
{
	struct alert_daemon *d = t->arg;

	alertd_tick(d->ad, ev_wall_us());
	ev_timer_start(d->loop, &d->tick, TICK_MS);
}

struct alert_daemon *
alert_daemon_start(const struct conf *c, struct rib *rib,
    struct rib_fanout *fan, struct evloop *loop)
{
	struct alert_daemon	*d;
	struct alertd_opts	 o;
	struct mon_conf		*mc = NULL;
	char			 err[600], lg[128];

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return (NULL);
	d->rib = rib;
	d->fan = fan;
	d->loop = loop;
	monitor_path(c, d->path, sizeof(d->path));
	if (d->path[0] != '\0' &&
	    (mc = monitor_load(d->path, err, sizeof(err))) == NULL)
		log_warnx("%s; detection is off until a reload succeeds", err);
	memset(&o, 0, sizeof(o));
	o.data_dir = c->data_dir;
	o.deliver = true;
	snprintf(lg, sizeof(lg), "http://%s", c->http_listen);
	o.lg_url = c->http_listen[0] != '\0' ? lg : "";
	o.retention_days = mc != NULL ? mc->th.retention_days : 30;
	if ((d->ad = alertd_new(rib, &o, err, sizeof(err))) == NULL) {
		log_warnx("alerts: %s; detection is off", err);
		if (mc != NULL) {
			mon_free(mc);
			free(mc);
		}
		free(d);
		return (NULL);
	}
	if ((d->fan_h = rib_fanout_add(fan, alertd_rib_event, d->ad)) ==
	    -1) {
		log_warnx("alerts: no room on the RIB fan-out; detection is "
		    "off");
		alertd_free(d->ad);
		if (mc != NULL) {
			mon_free(mc);
			free(mc);
		}
		free(d);
		return (NULL);
	}
	if (mc != NULL) {
		monitor_log(mc);
		alertd_configure(d->ad, mc);
		hook_rib(d, true);
	}
	ev_timer_init(&d->tick, tick_cb, d);
	ev_timer_start(loop, &d->tick, TICK_MS);
	return (d);
}

struct alertd *
alert_daemon_engine(struct alert_daemon *d)
{
	return (d != NULL ? d->ad : NULL);
}

void
alert_daemon_reload(struct alert_daemon *d, const struct conf *c)
{
	struct mon_conf	*mc = NULL;
	char		 err[600];

	if (d == NULL)
		return;
	monitor_path(c, d->path, sizeof(d->path));
	if (d->path[0] == '\0') {
		log_info("monitor: no monitor_file, detection off");
		hook_rib(d, false);
		alertd_configure(d->ad, NULL);
		return;
	}
	if ((mc = monitor_load(d->path, err, sizeof(err))) == NULL) {
		log_warnx("monitor reload failed, keeping the running rules: "
		    "%s", err);
		return;
	}
	monitor_log(mc);
	alertd_configure(d->ad, mc);
	hook_rib(d, true);
	log_info("monitor reloaded");
}

/* Before the sessions close: their withdrawals are not news. */
void
alert_daemon_detach(struct alert_daemon *d)
{
	if (d == NULL)
		return;
	hook_rib(d, false);
	ev_timer_stop(d->loop, &d->tick);
}

void
alert_daemon_free(struct alert_daemon *d)
{
	if (d == NULL)
		return;
	alert_daemon_detach(d);
	alertd_free(d->ad);
	free(d);
}
