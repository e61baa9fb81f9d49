/*
 * stream.h -- the live streams: RIB changes, session events and alert
 * lifecycle events as messages to many clients (GET /api/v1/stream and
 * /api/v1/alerts/stream, lg/lg_stream.c; docs/api.md has the shapes).
 *
 * Producers run on the RIB writer's thread (the event loop): the RIB
 * fan-out hands every change to stream_hub_rib_event(), the BGP sessions
 * and the BMP station their state changes to stream_hub_peer_event(),
 * the alert engine its lifecycle to stream_hub_alert_event().  An event
 * is rendered once, as a Server-Sent Events frame, and copied into the
 * queue of every client whose filter takes it.
 *
 * Ingest never waits on a client.  Each client has a queue of a fixed
 * size (stream_queue_kib); a client whose queue cannot take the next
 * frame is dropped there and then: its queue is emptied, a last frame
 * says why, and it leaves the hub.  The only lock ingest takes is the
 * hub's, which a reader holds just long enough to copy bytes out.
 *
 * Readers (HTTP threads) never poll: a client with nothing to read asks
 * its connection to sleep (the waker's sleep, under the hub lock) and is
 * woken when a frame arrives, when a keep-alive is due, or when it ends.
 */
#ifndef BGPLENS_STREAM_H
#define BGPLENS_STREAM_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alert.h"
#include "prefix.h"

struct rib;
struct rib_event;

/*
 * A session came up or went down: a BGP peer of the collector (router
 * afi 0), a peer monitored by a BMP router, or a BMP router itself (peer
 * afi 0).
 */
struct peer_event {
	uint64_t	 time_us;
	struct addr	 peer;
	uint32_t	 peer_as;
	struct addr	 router;
	uint16_t	 src;		/* its RIB source, RIB_NO_SOURCE if none */
	bool		 up;
	const char	*reason;	/* why it went down; NULL = not known */
};

typedef void (*peer_event_cb)(void *, const struct peer_event *);

/* What a client gets (stream_filter.kinds). */
#define STREAM_K_UPDATE		0x01	/* type UPDATE */
#define STREAM_K_PEER		0x02	/* type RIS_PEER_STATE */
#define STREAM_K_ALERT		0x04	/* alert lifecycle */

struct stream_filter {
	unsigned	 kinds;		/* STREAM_K_* */
	/* UPDATE and alerts: the prefix, its more-specifics with more. */
	bool		 has_prefix;
	struct prefix	 pfx;
	bool		 more;
	bool		 less;		/* ... or its less-specifics */
	/* UPDATE (origin, path) and RIS_PEER_STATE (src). */
	int		 src;		/* -1 = any */
	uint32_t	 origin_as;	/* 0 = any */
	bool		 has_path;
	regex_t		 path_re;	/* against aspath_fmt() text */
	/* Alerts: of this type only, "" = any. */
	char		 alert_type[32];
};

/* Release what a filter holds (its regular expression). */
void		 stream_filter_free(struct stream_filter *);

struct stream_config {
	size_t		 queue_bytes;	/* per client */
	unsigned	 max_clients;
	unsigned	 keepalive_s;	/* 0 = none */
	const char	*host;		/* "host" of every message */
};

#define STREAM_MIN_QUEUE	4096

/* How a client's connection sleeps and wakes (lg_stream.c: MHD). */
struct stream_waker {
	void		(*sleep)(void *);
	void		(*wake)(void *);
	void		*arg;
};

struct stream_stats {
	uint64_t	 clients;	/* now */
	uint64_t	 opened;	/* ever */
	uint64_t	 refused;	/* over max_clients */
	uint64_t	 dropped;	/* queue full */
	uint64_t	 frames;	/* queued to clients, all told */
	uint64_t	 bytes;		/* ... and their size */
	uint64_t	 events;	/* rendered (taken by some client) */
};

struct stream_hub;
struct stream_client;

struct stream_hub *stream_hub_new(struct rib *, const struct stream_config *);
/* Every client ends (a last frame says the daemon stops); they wake. */
void		 stream_hub_shutdown(struct stream_hub *);
/* Every client closed (its connection sent its last frame, or went)? */
bool		 stream_hub_drained(struct stream_hub *);
/* After every client was closed. */
void		 stream_hub_free(struct stream_hub *);
const struct stream_config *stream_hub_config(const struct stream_hub *);
void		 stream_hub_stats(struct stream_hub *, struct stream_stats *);

/* Producers, on the writer's thread. */
int		 stream_hub_rib_event(void *hub, const struct rib_event *);
void		 stream_hub_peer_event(void *hub, const struct peer_event *);
/* The alert engine's observer (alertd_set_on_event). */
void		 stream_hub_alert_event(void *hub, enum alert_event, json_t *);
/*
 * Wake the clients with RIB changes queued: the loop calls this every
 * few tens of milliseconds (a client is also woken once it has a block
 * queued), so a change reaches a client within that delay.
 */
void		 stream_hub_flush(struct stream_hub *);
/* Keep-alive comments for clients idle stream_keepalive seconds. */
void		 stream_hub_tick(struct stream_hub *, uint64_t now_us);

/*
 * A client: the hub takes the filter (and frees it with the client).
 * NULL when max_clients are connected (*busy set) or out of memory.
 */
struct stream_client *stream_client_open(struct stream_hub *,
		    struct stream_filter *, const struct stream_waker *,
		    bool *busy);
/*
 * Copy up to max queued bytes into buf.  0 with *ended false: nothing
 * now, the waker's sleep was called and wake will follow.  0 with *ended
 * true: the stream is over (dropped, or shutdown) and fully read.
 */
size_t		 stream_client_read(struct stream_client *, char *buf,
		    size_t max, bool *ended);
/* The connection is gone: leave the hub, free. */
void		 stream_client_close(struct stream_client *);

/* The JSON of one RIB change (tests, and the hub itself); NULL = none. */
char		*stream_render_rib(struct stream_hub *, const struct rib_event *);

#endif /* BGPLENS_STREAM_H */
