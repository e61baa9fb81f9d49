/*
 * conf.h -- bgplensd's configuration: a YAML file (docs/config.md lists
 * every key and its default), parsed with libyaml into a struct conf.
 *
 * Loading never touches the running daemon: it fills a fresh struct, and
 * the caller decides what to change (SIGHUP compares peers by address and
 * leaves untouched sessions alone).  Every error names the file, line and
 * column of the offending node.
 */
#ifndef BGPLENS_CONF_H
#define BGPLENS_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "archive.h"
#include "prefix.h"

enum maxpfx_action {
	MAXPFX_WARN = 0,
	MAXPFX_SHUTDOWN,
	MAXPFX_RESTART,
};

struct conf_peer {
	struct addr	addr;
	uint32_t	remote_as;
	char		description[64];
	char		password[81];	/* TCP-MD5 key, RFC 2385: up to 80 */
	uint16_t	hold_time;
	uint32_t	max_prefix;	/* 0 = no limit */
	enum maxpfx_action max_prefix_action;
	uint32_t	max_prefix_restart;	/* seconds, for RESTART */
	bool		add_path;	/* offer ADD-PATH receive */
	bool		passive;
	uint16_t	port;		/* remote port when connecting */
	uint32_t	connect_retry;	/* seconds */
	uint8_t		ttl;		/* 0 = system default; >1 multihop */
	struct addr	local_addr;	/* afi 0 = any */
};

/* A range of neighbours accepted without being listed one by one. */
struct conf_dynamic {
	struct prefix	range;
	uint32_t	asns[32];
	unsigned	n_asns;
	bool		any_as;		/* remote_as: any */
	char		password[81];
	uint16_t	hold_time;
	bool		add_path;
	char		description[64];
};

#define CONF_MAX_LISTEN	8
#define CONF_MAX_BMP_ALLOW	32
#define CONF_MAX_BMP_CONNECT	16

/* A router that waits for the BMP station to connect (bmp_connect). */
struct conf_bmp_connect {
	struct addr	addr;
	uint16_t	port;
	uint32_t	retry;		/* seconds between attempts */
};

/* The MRT archive (archive: in the file; docs/config.md). */
struct conf_archive {
	bool		enabled;
	char		dir[256];	/* "" = DATA_DIR/archive */
	uint32_t	period;		/* seconds, divides a day */
	uint32_t	flush_ms;
	enum archive_comp comp;
	uint32_t	rib_interval;	/* seconds, 0 = no snapshots */
	uint32_t	retention_days;	/* 0 = keep everything */
	uint32_t	max_buffer_mb;
	bool		warm_start;
};

struct conf {
	char		 file[256];
	uint32_t	 local_as;
	uint32_t	 router_id;	/* host order */
	char		 data_dir[256];
	struct addr	 listen[CONF_MAX_LISTEN];
	unsigned	 n_listen;
	uint16_t	 bgp_port;
	char		 http_listen[64];	/* "addr:port", "" = off */
	int		 log_level;
	uint64_t	 history_max_events;
	uint64_t	 history_max_age;	/* seconds */
	uint32_t	 rib_write_hold_us;	/* ingest lets readers in */
	/* Looking-glass access policy; 0 or "": the environment's (lg.h). */
	double		 http_rate_limit;	/* requests/s per client */
	double		 http_rate_burst;
	char		 http_token[128];
	char		 http_cors_origin[256];
	/* Live streams (stream.h). */
	uint32_t	 stream_queue_kib;	/* per client */
	uint32_t	 stream_max_clients;
	uint32_t	 stream_keepalive;	/* seconds, 0 = none */
	char		 mmdb_asn[256];
	char		 mmdb_country[256];
	char		 monitor_file[512];	/* detection, docs/detection.md */
	struct conf_peer *peers;
	size_t		 n_peers;
	struct conf_dynamic *dynamic;
	size_t		 n_dynamic;
	/* BMP station (bmp/station.c): listeners, allowed routers, dials. */
	struct addr	 bmp_listen[CONF_MAX_LISTEN];
	unsigned	 n_bmp_listen;
	uint16_t	 bmp_port;
	struct prefix	 bmp_allow[CONF_MAX_BMP_ALLOW];
	unsigned	 n_bmp_allow;
	struct conf_bmp_connect bmp_connect[CONF_MAX_BMP_CONNECT];
	unsigned	 n_bmp_connect;
	struct conf_archive archive;
};

/* Safe defaults: loopback listeners, data under ./bgplens-data. */
void	conf_defaults(struct conf *);
/* The configuration of a run without a file (see conf.c). */
int	conf_builtin(struct conf *);
/* Parse path into c (which conf_defaults() is applied to first). */
int	conf_load(const char *path, struct conf *c, char *err, size_t errlen);
/* Parse a YAML document from memory (tests, fuzzing). */
int	conf_load_mem(const char *name, const void *buf, size_t len,
	    struct conf *c, char *err, size_t errlen);
void	conf_free(struct conf *);
/* Print back, normalised (bgplensd --check -v). */
void	conf_print(FILE *, const struct conf *);
const char *maxpfx_action_name(enum maxpfx_action);
const char *archive_comp_name(enum archive_comp);
/* The archive's directory: archive.dir, else DATA_DIR/archive. */
void	conf_archive_dir(const struct conf *, char *buf, size_t len);
/* The configured peer of an address, or NULL. */
const struct conf_peer *conf_peer_find(const struct conf *,
	    const struct addr *);

#endif /* BGPLENS_CONF_H */
