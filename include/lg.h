/*
 * lg.h -- the looking glass: bgplensd's HTTP API (/api/v1, JSON through
 * jansson), Prometheus metrics and the static web UI, on libmicrohttpd.
 *
 * Requests run on libmicrohttpd's thread pool.  They read the RIB under
 * its read lock (never holding it across a network write: answers are
 * built first, then sent) and the peers through bgpd_peers_snapshot().
 * docs/api.md documents every endpoint; /api/v1/openapi.json describes
 * them, generated from the same table the requests are checked against.
 *
 * Enrichment (AS names, countries) comes from the MaxMind databases named
 * by conf->mmdb_asn and conf->mmdb_country; without them, or with a
 * database that does not load, answers simply carry no such fields.
 */
#ifndef BGPLENS_LG_H
#define BGPLENS_LG_H

#include <stdint.h>

#include "conf.h"
#include "rib.h"
#include "session.h"

struct alertd;
struct archived;
struct bmp_station;
struct stream_hub;

struct lg;

struct lg_ctx {
	const struct conf *conf;
	struct rib	*rib;
	struct bgpd	*bgpd;
	struct alertd	*alerts;	/* /api/v1/alerts; NULL = none */
	struct archived	*archive;	/* /api/v1/archives; NULL = none */
	struct stream_hub *streams;	/* /api/v1/stream; NULL = none */
	struct bmp_station *bmp;	/* routers in /api/v1/peers; NULL = none */
	const char	*web_root;	/* directory of the static UI */
	uint64_t	 started_us;
	/*
	 * Access policy (config keys http_rate_limit, http_rate_burst,
	 * http_token, http_cors_origin; docs/api.md).  Zero or NULL means
	 * "not configured": the BGPLENS_LG_RATE, BGPLENS_LG_BURST,
	 * BGPLENS_LG_TOKEN and BGPLENS_LG_CORS environment variables are
	 * then read, and without them there is no limit, no token and no
	 * CORS header.
	 */
	double		 rate_limit;	/* requests per second per client */
	double		 rate_burst;	/* bucket size; 0 = 2 s worth */
	const char	*token;		/* bearer token for /api and /metrics */
	const char	*cors_origin;	/* "*", or origins separated by commas */
};

/* Listen on conf->http_listen ("addr:port"); NULL with a log line if not. */
struct lg	*lg_start(const struct lg_ctx *);
void		 lg_stop(struct lg *);

#endif /* BGPLENS_LG_H */
