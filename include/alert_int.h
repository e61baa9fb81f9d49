/*
 * alert_int.h -- the alert engine's private structures, shared by
 * alert.c (lifecycle, RIB listener) and alert_api.c (JSON, queries,
 * live feed) and by nothing else.
 */
#ifndef BGPLENS_ALERT_INT_H
#define BGPLENS_ALERT_INT_H

#include <pthread.h>

#include "alert.h"

#define ALERT_ID_LEN		16	/* hex digits */
#define ALERT_MAX_PATHS		16	/* distinct AS paths remembered */
#define ALERT_MAX_SEEN		256	/* sources remembered */
#define ALERT_NO_PATH		0xff

/* A route asserting an alert: (source, path id). */
struct contrib {
	uint16_t	 src;
	uint8_t		 path;		/* index into paths, or ALERT_NO_PATH */
	uint32_t	 path_id;
	uint32_t	 peer_as;
};

/* A source that asserted it at some point. */
struct aseen {
	struct addr	 peer;
	uint32_t	 peer_as;
	uint16_t	 src;		/* RIB_NO_SOURCE after a replay */
};

struct alert {
	char		 id[ALERT_ID_LEN + 1];
	uint64_t	 seq;		/* creation order, the list cursor */
	enum det_type	 type;
	enum det_severity severity;
	enum rpki_state	 rpki;
	enum alert_state state;
	struct prefix	 pfx;
	uint32_t	 offender;
	uint32_t	 origin;
	json_t		*rule;		/* the rule as it was matched */
	char		 group[MON_NAME_MAX];
	struct contrib	*c;
	size_t		 n_c, cap_c;
	char		*paths[ALERT_MAX_PATHS];
	size_t		 n_paths;
	struct aseen	*seen;
	size_t		 n_seen;
	unsigned	 vis_had, vis_now;	/* visibility loss */
	bool		 vis_active;
	uint64_t	 first_seen, last_seen;	/* microseconds */
	uint64_t	 opened, resolved;
	uint64_t	 clear_since;	/* nothing asserts it since, 0 = some */
	uint64_t	 last_notify;
	uint32_t	 rev;		/* events sent */
	bool		 dirty;		/* news since the last event */
	bool		 replayed;	/* from the journal, not seen since */
	struct alert	*hnext;		/* key hash chain (pending, open) */
	struct alert	*prev, *next;	/* every alert, by seq */
};

/* Visibility of one rule's exact prefix: who has it, who had it. */
struct vsrc {
	uint16_t	 src;
	uint16_t	 npaths;	/* routes now; 0 = had it, lost it */
	uint32_t	 peer_as;
	struct addr	 peer;
};

struct vis {
	struct vsrc	*s;
	size_t		 n, cap;
};

/* A live-feed subscriber: a ring of SSE frames. */
#define SUB_RING	256

struct alert_sub {
	char		*ring[SUB_RING];
	uint64_t	 head, tail;	/* frames tail..head-1 are waiting */
	uint64_t	 dropped;
	struct alert_sub *next;
};

struct alertd {
	/* alertd_set_on_event(): the live streams; under mu. */
	void		(*obs_fn)(void *, enum alert_event, json_t *);
	void		*obs_arg;
	pthread_mutex_t	 mu;
	pthread_cond_t	 sub_cv;
	struct rib	*rib;
	struct mon_conf	*conf;
	struct alertd_opts opts;
	char		 data_dir[512];
	char		 lg_url[256];	/* links: the monitor file's */
	char		 lg_default[256];	/* ... or this */
	struct aio	*io;
	struct alert	**ht;		/* by (type, prefix, offender) */
	size_t		 ht_cap, ht_n;
	struct alert	*head, *tail;	/* oldest first */
	size_t		 n_alerts, n_resolved;
	uint64_t	 next_seq;
	struct vis	*vis;		/* per rule */
	size_t		 n_vis;
	uint64_t	 now;		/* latest time seen, microseconds */
	uint64_t	 started;
	uint64_t	 last_tick;
	struct alert_sub *subs;
	bool		 stopping;
	/* counters */
	uint64_t	 events[3];	/* by enum alert_event */
	uint64_t	 findings;	/* detector findings asserted */
	uint64_t	 monitored_events;	/* of monitored prefixes */
};

/* alert.c */
void		 alert_free(struct alert *);

/* alert_api.c */
json_t		*alert_to_json(const struct alertd *, const struct alert *);
/* An alert of the journal, NULL when the line makes no sense. */
struct alert	*alert_from_json(json_t *);
void		 subs_publish(struct alertd *, enum alert_event, json_t *);
void		 subs_free(struct alertd *);

#endif /* BGPLENS_ALERT_INT_H */
