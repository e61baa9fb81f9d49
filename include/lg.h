/*
 * lg.h -- the looking glass: bgplensd's HTTP API (/api/v1, JSON through
 * jansson), Prometheus metrics and the static web UI, on libmicrohttpd.
 *
 * Requests run on libmicrohttpd's thread pool.  They read the RIB under
 * its read lock (never holding it across a network write: answers are
 * built first, then sent) and the peers through bgpd_peers_snapshot().
 * docs/api.md documents every endpoint; openapi.json describes them.
 */
#ifndef BGPLENS_LG_H
#define BGPLENS_LG_H

#include <stdint.h>

#include "conf.h"
#include "rib.h"
#include "session.h"

struct lg;

struct lg_ctx {
	const struct conf *conf;
	struct rib	*rib;
	struct bgpd	*bgpd;
	const char	*web_root;	/* directory of the static UI */
	uint64_t	 started_us;
};

/* Listen on conf->http_listen ("addr:port"); NULL with a log line if not. */
struct lg	*lg_start(const struct lg_ctx *);
void		 lg_stop(struct lg *);

#endif /* BGPLENS_LG_H */
