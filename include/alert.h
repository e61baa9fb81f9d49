/*
 * alert.h -- alerts: the lifecycle of findings, their journal on disk,
 * webhook delivery, and the queries the looking glass answers.
 *
 * The engine (alert.c) hangs on the RIB's listener.  Per route change it
 * asks the detectors (detect.h) what the old and the new route mean and
 * keeps, per alert, the routes that currently assert it: an alert is
 * opened when enough distinct sources and neighbour ASes assert it for
 * long enough, updated (at most once per update interval) when new
 * sources or paths join, and resolved when nothing asserts it any more.
 * It runs on the RIB's writer thread and does no I/O: every lifecycle
 * event is handed to the I/O thread (alert_io.c), which appends it to
 * the journal (alerts.jsonl in the data directory), renders it for each
 * webhook of the alert's group into that webhook's durable queue, and
 * fsyncs.  One sender thread per webhook (alert_hook.c) posts its queue
 * in order, retrying with exponential backoff, and moves a cursor on
 * disk past each delivered request: a receiver that is down for an hour
 * gets everything, in order, when it returns; a slow one delays only
 * itself.  Delivery is at least once (docs/detection.md says when a
 * request can come twice; its Idempotency-Key is then the same).
 *
 * Readers (HTTP threads) take the engine's own mutex, never the RIB's.
 */
#ifndef BGPLENS_ALERT_H
#define BGPLENS_ALERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>

#include <jansson.h>

#include "detect.h"
#include "rib.h"

struct alertd;

enum alert_state {
	ALERT_PENDING = 0,	/* asserted, thresholds not met yet */
	ALERT_OPEN,
	ALERT_RESOLVED,
};

enum alert_event {
	AEV_OPENED = 0,
	AEV_UPDATED,
	AEV_RESOLVED,
};

const char	*alert_state_name(enum alert_state);
int		 alert_state_parse(const char *);
const char	*alert_event_name(enum alert_event);

struct alertd_opts {
	const char	*data_dir;	/* journal and queues; NULL: memory only */
	bool		 deliver;	/* run the webhook senders */
	const char	*lg_url;	/* base of links when the monitor file
					   names none, "" = no links */
	unsigned	 retention_days;	/* resolved alerts in the journal */
	/* Every lifecycle event as it happens (bgplens detect). */
	void		(*on_event)(void *, enum alert_event, json_t *alert);
	void		*arg;
};

/*
 * Start the engine: replays the journal (open alerts come back open,
 * waiting for their routes; restart_grace resolves those nothing asserts
 * again), starts the I/O thread and the senders.
 */
struct alertd	*alertd_new(struct rib *, const struct alertd_opts *,
		    char *err, size_t errlen);
/*
 * Take a monitor configuration (it is the engine's from now on; NULL
 * disables detection) and rebuild the findings from the RIB as it is.
 * On the writer's thread, outside any RIB lock.
 */
void		 alertd_configure(struct alertd *, struct mon_conf *);
/* The RIB listener: rib_set_listener(rib, alertd_rib_event, alertd). */
int		 alertd_rib_event(void *, const struct rib_event *);
/*
 * Another observer of every lifecycle event, besides opts.on_event (the
 * live streams): called on the engine's thread under its lock, with the
 * alert's JSON valid for the call; it must be quick and must not call
 * back into the engine.  NULL removes it.
 */
void		 alertd_set_on_event(struct alertd *,
		    void (*)(void *, enum alert_event, json_t *), void *);
/* Hold-downs, coalesced updates, restart grace: call every 250 ms. */
void		 alertd_tick(struct alertd *, uint64_t now_us);
/* Stop the senders, drain the I/O thread, free. */
void		 alertd_free(struct alertd *);

/* Queries (any thread). */
struct alert_filter {
	int		 state;		/* -1 = open and resolved */
	int		 type;		/* -1 = any */
	bool		 has_prefix;
	struct prefix	 pfx;		/* alerts within it */
	size_t		 limit;
	uint64_t	 before;	/* cursor: sequence numbers below it */
};

/* {"alerts": [...], "count": n, "next_cursor": "..."}: newest first. */
json_t		*alertd_list(struct alertd *, const struct alert_filter *);
json_t		*alertd_get(struct alertd *, const char *id);
/* Counters, and each webhook's queue: for /api/v1/status and metrics. */
json_t		*alertd_status(struct alertd *);

/*
 * A live feed of lifecycle events (server-sent events).  Each subscriber
 * has its own bounded ring; one that falls behind loses the oldest
 * events and is told how many (a "dropped" event).
 */
struct alert_sub;

struct alert_sub *alertd_subscribe(struct alertd *);
void		 alertd_unsubscribe(struct alertd *, struct alert_sub *);
/*
 * The next SSE frame ("event: opened\ndata: {...}\n\n") for the
 * subscriber, waiting at most wait_ms; NULL when none came (send a
 * keep-alive comment) or the engine is stopping.  Free with free().
 */
char		*alertd_sub_next(struct alertd *, struct alert_sub *,
		    unsigned wait_ms, bool *stopping);

/*
 * alert_json.c: the JSON of an alert and the webhook payloads.
 */
/* The default webhook body: {"version", "event", "idempotency_key", "alert"}. */
char		*alert_payload(enum alert_event, json_t *alert,
		    const char *idem_key);
/* Placeholder values of a template (mon_placeholders) as strings. */
json_t		*alert_tmpl_vars(enum alert_event, json_t *alert,
		    const char *idem_key);
/*
 * Fill a template: {{name}} from vars; in a JSON body (json_escape),
 * values are escaped for a JSON string, {{payload}} excepted.
 */
char		*alert_tmpl_render(const char *tmpl, json_t *vars,
		    bool json_escape);

/*
 * alert_hook.c: webhook senders and their durable queues.
 */
struct hooks;

struct hooks	*hooks_new(const char *dir, bool deliver);
/* Match the webhooks of a configuration: start, update, stop senders. */
void		 hooks_configure(struct hooks *, const struct mon_conf *);
/* Queue an event for the webhooks of a group (not yet durable). */
void		 hooks_enqueue(struct hooks *, const char *group,
		    enum alert_event, json_t *alert);
/* Make what was queued durable, then wake the senders. */
void		 hooks_sync(struct hooks *);
json_t		*hooks_status(struct hooks *);
void		 hooks_free(struct hooks *);
/* HMAC-SHA256(key, body) as "sha256=" and 64 hex digits. */
void		 hooks_sign(const char *key, const void *body, size_t len,
		    char out[72]);

/*
 * alert_io.c: the thread between the engine and the disk.
 */
/* pthread_create with every signal blocked: the daemon's loop takes them. */
int		 thread_start(pthread_t *, void *(*)(void *), void *);
struct aio;

struct aio	*aio_start(const char *data_dir, bool deliver, char *err,
		    size_t errlen);
void		 aio_configure(struct aio *, const struct mon_conf *);
/* Hand over an event; the alert's reference is the thread's now. */
void		 aio_post(struct aio *, enum alert_event, json_t *alert);
json_t		*aio_status(struct aio *);
void		 aio_stop(struct aio *);
/*
 * The journal: each line {"event", "time", "alert"}.  Calls fn with each
 * alert's last line (in order of first appearance), then rewrites the
 * file with just those, dropping resolved alerts older than
 * retention_days.
 */
int		 aio_journal_replay(const char *data_dir, unsigned retention_days,
		    void (*fn)(void *, json_t *alert), void *arg, char *err,
		    size_t errlen);

/*
 * alert_daemon.c: the engine inside bgplensd (monitor_file of the main
 * configuration, relative to its directory).
 */
struct alert_daemon;
struct conf;
struct evloop;

struct rib_fanout;

/* Detection is one consumer of the RIB's events on the fan-out. */
struct alert_daemon *alert_daemon_start(const struct conf *, struct rib *,
		    struct rib_fanout *, struct evloop *);
struct alertd	*alert_daemon_engine(struct alert_daemon *);
/* SIGHUP: a monitor file that does not load leaves the running one. */
void		 alert_daemon_reload(struct alert_daemon *, const struct conf *);
/* Off the RIB listener: call before the sessions are closed. */
void		 alert_daemon_detach(struct alert_daemon *);
void		 alert_daemon_free(struct alert_daemon *);
/* bgplensd --check: does the monitor file load? */
int		 alert_daemon_check(const struct conf *, char *err,
		    size_t errlen);

#endif /* BGPLENS_ALERT_H */
