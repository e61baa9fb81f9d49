/*
 * lg_int.h -- the looking glass's private interfaces, shared by the files
 * of lg/ and by nothing else.
 *
 * lg.c		the server: dispatch, validation, token, CORS, rate limit
 * lg_api.c	the handlers and the endpoint table (with its documentation)
 * lg_asn.c	/api/v1/asn/{asn}: a bounded walk of the RIB
 * lg_alerts.c	/api/v1/alerts: the detection engine's alerts
 * lg_archives.c	/api/v1/archives: the MRT archive, listed and served
 * lg_geo.c	MaxMind databases: AS names and countries
 * lg_rate.c	per-client token buckets
 * lg_openapi.c	openapi.json, generated from the endpoint table
 * lg_regex.c	the ?aspath= expression: what is accepted before regcomp()
 * lg_stream.c	/api/v1/stream, /api/v1/alerts/stream: Server-Sent Events
 */
#ifndef BGPLENS_LG_INT_H
#define BGPLENS_LG_INT_H

#include <microhttpd.h>
#include <regex.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lg.h"

#define LG_VERSION	"0.2.0"
#define LG_MAX_LIMIT	10000		/* routes, events or prefixes a page */
#define LG_DEF_LIMIT	100
#define LG_MAX_PARAMS	16

struct lg_geo;
struct lg_rate;

struct lg {
	struct MHD_Daemon	*mhd;
	struct lg_ctx		 ctx;
	struct lg_geo		*geo;		/* never NULL; may know nothing */
	struct lg_rate		*rate;		/* NULL: no rate limit */
	char			*token;		/* NULL: no authentication */
	size_t			 token_len;
	char			*cors;		/* NULL: no CORS headers */
	char			*openapi;	/* the document, built once */
	size_t			 openapi_len;
	/* Counters read by /metrics while every thread bumps them. */
	atomic_uint_fast64_t	 requests[6];	/* by status class */
	atomic_uint_fast64_t	 limited;	/* 429s */
	atomic_uint_fast64_t	 scans;		/* asn walks */
	atomic_int		 scanning;	/* asn walks running now */
};

/* Parameter kinds, validated before the handler runs. */
enum ptype {
	P_PREFIX,	/* prefix or address */
	P_UINT,		/* decimal, up to 2^32 - 1 */
	P_ASN,		/* decimal, or "AS" and decimal */
	P_TIME,		/* unix seconds, fractions allowed */
	P_ENUM,		/* one of a list */
	P_COMMUNITY,	/* a:b */
	P_LARGE,	/* a:b:c */
	P_REGEX,	/* POSIX extended */
	P_CURSOR,
	P_BOOL,
	P_FILENAME,	/* letters, digits, . _ -; not starting with . */
};

/* A parameter: how it is checked and how openapi.json describes it. */
struct pdesc {
	const char	*name;
	enum ptype	 type;
	const char	*enums;		/* "a|b|c" for P_ENUM */
	uint32_t	 min, max;	/* P_UINT bounds; 0, 0 = any */
	const char	*needs;		/* only with this other parameter */
	const char	*example;
	const char	*desc;
	unsigned	 flags;		/* PD_* */
};

#define PD_PATH		0x01		/* a path segment: /api/v1/asn/{asn} */
#define PD_REQUIRED	0x02

/* Response fields, for openapi.json (lg_openapi.c). */
enum ftype {
	F_STR, F_INT, F_NUM, F_BOOL,
	F_OBJ,		/* sub lists its fields */
	F_ARR,		/* of objects (sub), or of atype when sub is NULL */
	F_MAP,		/* object of strings keyed by anything */
	F_TEXT,		/* the whole answer is text (Prometheus) */
	F_ANY,		/* a JSON document we do not describe (openapi.json) */
	F_FILE,		/* a file, served as it is (archive downloads) */
	F_SSE,		/* a text/event-stream (lg_stream.c) */
};

struct field {
	const char		*name;
	enum ftype		 type;
	const struct field	*sub;	/* F_OBJ, F_ARR of objects */
	const char		*ref;	/* shared schema name for sub */
	enum ftype		 atype;	/* F_ARR of scalars */
	unsigned		 flags;	/* FL_* */
	const char		*desc;
};

#define FL_OPT		0x01		/* not always present */
#define FL_NULL		0x02		/* may be null */

struct req;
typedef int (*handler_fn)(struct lg *, struct req *);

struct endpoint {
	const char		*path;	/* may end in a {param} segment */
	handler_fn		 fn;
	const struct pdesc	*params;
	const struct field	*resp;
	const char		*summary;
	const char		*desc;
	unsigned		 flags;	/* EP_* */
};

#define EP_TEXT		0x01		/* text/plain answer (metrics) */
#define EP_PUBLIC	0x02		/* no token needed */
#define EP_RAW		0x04		/* the handler fills raw, not body */
#define EP_NOT_FOUND	0x08		/* may answer 404 (unknown object) */
#define EP_UNAVAIL	0x10		/* may answer 503 (busy, or not running) */
#define EP_FILE		0x20		/* the handler opens file_fd */

struct req {
	struct MHD_Connection	*conn;
	const struct endpoint	*ep;
	const char		*vals[LG_MAX_PARAMS];
	const char		*path_val;	/* the {param} segment */
	int			 status;
	json_t			*body;
	const char		*raw;		/* EP_RAW: static text */
	size_t			 raw_len;
	const char		*retry_after;
	int			 file_fd;	/* EP_FILE: sent, then closed */
	uint64_t		 file_size;
	const char		*file_type;	/* its Content-Type */
	char			 file_name[64];
	char			 err_param[64];
	char			 err_msg[256];
	bool			 queued;	/* the handler answered itself */
	enum MHD_Result		 mhd_rv;	/* ... with this */
};

extern const struct endpoint	lg_endpoints[];
extern const size_t		lg_n_endpoints;

/* lg.c */
const char	*lg_param(const struct req *, const char *);
int		 lg_bad(struct req *, const char *param, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
bool		 lg_parse_u64(const char *, uint64_t max, uint64_t *);
bool		 lg_parse_asn(const char *, uint32_t *);
bool		 lg_parse_time_us(const char *, uint64_t *);
bool		 lg_parse_comm(const char *, int parts, uint32_t *);
int		 lg_cursor_parse(const char *, struct rib_cursor *);
void		 lg_cursor_fmt(const struct rib_cursor *, char *, size_t);
int		 lg_limit(struct req *, const char *name, size_t def,
		    size_t max, size_t *out);
/* Check one parameter's value against its description (0, or -1 and 400). */
int		 lg_validate(struct req *, const struct pdesc *, const char *);

/* lg_api.c: JSON of RIB objects, shared with lg_asn.c. */
struct asnset;
struct asnset	*asnset_new(void);
void		 asnset_add(struct asnset *, uint32_t);
void		 asnset_free(struct asnset *);
/* Attach "as_names" for the ASNs collected (when names are known). */
void		 lg_as_names(struct lg *, json_t *, struct asnset *);

/* lg_asn.c */
int		 lg_h_asn(struct lg *, struct req *);

/* lg_alerts.c: /api/v1/alerts (rows in lg_api.c's table) */
int		 lg_h_alerts(struct lg *, struct req *);
int		 lg_h_alert(struct lg *, struct req *);
int		 lg_h_alerts_status(struct lg *, struct req *);
extern const struct pdesc lg_p_alerts[], lg_p_alert[], lg_p_alerts_status[];
extern const struct field lg_f_alerts[], lg_f_alert[], lg_f_alerts_status[];

/* lg_archives.c: /api/v1/archives (rows in lg_api.c's table) */
int		 lg_h_archives(struct lg *, struct req *);
int		 lg_h_archive(struct lg *, struct req *);
extern const struct pdesc lg_p_archives[], lg_p_archive[];
extern const struct field lg_f_archives[], lg_f_archive[], lg_f_archive_status[];
/* The "archive" object of /api/v1/status, and its /metrics lines. */
json_t		*lg_archive_status(struct lg *);
/* Prometheus lines into buf (at most cap bytes); returns their length. */
size_t		 lg_archive_metrics(struct lg *, char *buf, size_t cap);
/*
 * lg_regex.c: the bounds of an ?aspath= expression (docs/api.md; the
 * reasons are in lg_regex.c).  Keep LG_RE_DOC in step: openapi.json and
 * the 400 answer quote it.
 */
#define LG_RE_MAX_LEN	128	/* characters */
#define LG_RE_MAX_COUNT	32	/* m and n of {m,n} */
#define LG_RE_MAX_DEPTH	8	/* nested parentheses */
#define LG_RE_MAX_SIZE	128	/* positions with counts expanded */
/*
 * Characters of AS path text one page of /routes may match the expression
 * against (rib_query's text_budget): with the bounds above glibc matches
 * at worst about 3 us a character (measured: 0.55 s over a 200000-character
 * path), so a page costs 3 s at the very worst and tens of milliseconds
 * for ordinary expressions; the rest of the walk is the next page's
 * (next_cursor).  A full table of a million routes is some 40 pages.
 */
#define LG_RE_TEXT_BUDGET	1000000
/*
 * Routes one page of /routes may look at, whatever its filters: a filter
 * that matches little over a ten-peer table would walk twelve million
 * routes under the read lock, and the writer would wait that long.  About
 * 30 ms of walking here; the rest is the next page's (next_cursor).
 */
#define LG_SCAN_BUDGET		500000
#define LG_RE_DOC	"POSIX extended, at most 128 printable ASCII " \
	"characters, no backslash (write a literal bracket as [{]), no " \
	"repeated group that repeats inside ((a+)*), counts {m,n} up to 32, " \
	"parentheses nested up to 8 deep, at most 128 characters and " \
	"positions once counts are expanded"
/* False, with the reason in why, when s is outside those bounds. */
bool		 lg_regex_check(const char *s, char *why, size_t whylen);
/* lg_regex_check(), then regcomp(REG_EXTENDED | REG_NOSUB). */
int		 lg_regex_compile(regex_t *, const char *s, char *why,
		    size_t whylen);
/* lg_stream.c (rows in lg_api.c's table) */
int		 lg_h_stream(struct lg *, struct req *);
int		 lg_h_alerts_stream(struct lg *, struct req *);
extern const struct pdesc lg_p_stream[], lg_p_alerts_stream[];
extern const struct field lg_f_stream[], lg_f_alerts_stream[];
/* lg.c, for answers a handler queues itself */
void		 lg_common_headers(struct lg *, struct MHD_Connection *,
		    struct MHD_Response *);
void		 lg_count_status(struct lg *, int status);

/* lg_openapi.c */
json_t		*lg_openapi_build(void);

/* lg_geo.c */
struct lg_geo	*lg_geo_open(const char *asn_db, const char *country_db);
void		 lg_geo_close(struct lg_geo *);
/* The AS's organisation, NULL when unknown (or no database). */
const char	*lg_geo_as_name(const struct lg_geo *, uint32_t);
/* ISO 3166 code of the address's country into cc; false when unknown. */
bool		 lg_geo_country(const struct lg_geo *, const struct addr *,
		    char cc[3]);
bool		 lg_geo_has_names(const struct lg_geo *);
bool		 lg_geo_has_country(const struct lg_geo *);
json_t		*lg_geo_status(const struct lg_geo *);

/* lg_rate.c: a token bucket per client; rate 0 is no struct at all. */
struct lg_rate	*lg_rate_new(double per_second, double burst);
void		 lg_rate_free(struct lg_rate *);
/*
 * Take a token for the client at now_us: 0 when allowed, else the whole
 * seconds to wait (for Retry-After).
 */
unsigned	 lg_rate_take(struct lg_rate *, const struct sockaddr *,
		    uint64_t now_us);

#endif /* BGPLENS_LG_INT_H */
