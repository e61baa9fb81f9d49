/*
 * detect.h -- hijack and leak detection: the monitor configuration and
 * the detectors (docs/detection.md defines each one).
 *
 * The monitor configuration is its own YAML file (named by the main
 * configuration's monitor_file key, reloaded on SIGHUP): the monitored
 * prefixes with their legal origins and upstreams, groups that route
 * alerts to webhooks, excluded sources, thresholds, and two optional
 * global inputs, an AS-relationship file (CAIDA serial-2) and a VRP file
 * (rpki-client or Routinator JSON).  Rules and ROAs are kept in radix
 * trees, one per family (rtree.h), never expanded per prefix.
 *
 * The detectors are pure functions: a route (or an old and a new route)
 * and the configuration in, findings out.  They keep no state and touch
 * no RIB, so the unit tests call them directly; alert.h turns their
 * findings into alerts with a lifecycle.
 */
#ifndef BGPLENS_DETECT_H
#define BGPLENS_DETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

struct rtree;

/* What is detected (docs/detection.md: one section each). */
enum det_type {
	DET_NONE = 0,
	DET_EXACT_HIJACK,	/* E|0|-|-: exact prefix, illegal origin */
	DET_SUBPREFIX_HIJACK,	/* S|0|-|-: more-specific, illegal origin */
	DET_MORE_SPECIFIC,	/* S|-|-|-: more-specific, legal origin */
	DET_PATH_ANOMALY,	/* E|1|-|- / S|1|-|-: first hop not allowed */
	DET_ROUTE_LEAK,		/* -|-|-|L: valley-free or OTC violation */
	DET_RPKI_INVALID,	/* RFC 6811 invalid, origin legal */
	DET_VISIBILITY_LOSS,	/* withdrawn from N% of its sources */
	DET_NTYPES
};

enum det_severity {
	SEV_INFO = 0,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL,
};

/* RFC 6811 validation state; RPKI_NONE when no VRP file is loaded. */
enum rpki_state {
	RPKI_NONE = 0,
	RPKI_NOT_FOUND,
	RPKI_VALID,
	RPKI_INVALID,
};

const char	*det_type_name(enum det_type);	/* "sub_prefix_hijack" */
int		 det_type_parse(const char *);	/* -1 if unknown */
/* The ARTEMIS classification, "S|0|-|-"; exact tells E from S. */
const char	*det_artemis(enum det_type, bool exact);
const char	*det_severity_name(enum det_severity);
int		 det_severity_parse(const char *);
const char	*rpki_state_name(enum rpki_state);

/*
 * AS relationships (detect_rel.c): CAIDA serial-2 lines "a|b|-1" (a is
 * the provider of b) and "a|b|0" (peers); '#' starts a comment.
 */
struct asrel;

enum rel {
	REL_UNKNOWN = 0,
	REL_UP,			/* from a customer to its provider */
	REL_DOWN,		/* from a provider to its customer */
	REL_PEER,
};

struct asrel	*asrel_load(const char *path, char *err, size_t errlen);
struct asrel	*asrel_load_mem(const char *name, const char *buf, size_t len,
		    char *err, size_t errlen);
void		 asrel_free(struct asrel *);
size_t		 asrel_count(const struct asrel *);
/* The link a route crosses going from AS `from' to AS `to'. */
enum rel	 asrel_get(const struct asrel *, uint32_t from, uint32_t to);

/*
 * Validated ROA payloads (detect_vrp.c): {"roas":[{"asn":..,"prefix":..,
 * "maxLength":..}]}, rpki-client's json or Routinator's json/jsonext;
 * "asn" a number or "AS64500".
 */
struct vrp;

struct vrp	*vrp_load(const char *path, char *err, size_t errlen);
struct vrp	*vrp_load_mem(const char *name, const char *buf, size_t len,
		    char *err, size_t errlen);
void		 vrp_free(struct vrp *);
size_t		 vrp_count(const struct vrp *);
/* RFC 6811 2: route origin validation of (prefix, origin AS). */
enum rpki_state	 vrp_validate(const struct vrp *, const struct prefix *,
		    uint32_t origin);

/*
 * The monitor configuration (detect_conf.c).
 */
#define MON_NAME_MAX	64

struct mon_rule {
	struct prefix	 pfx;
	uint32_t	*origins;	/* legal origin ASes, at least one */
	size_t		 n_origins;
	uint32_t	*upstreams;	/* legal first hops; none = any */
	size_t		 n_upstreams;
	bool		 more_specifics;	/* expected: no alert for them */
	char		*description;
	char		 group[MON_NAME_MAX];
	int		 vis_percent;	/* -1 = thresholds.vis_percent */
	unsigned	 line;		/* in the file, for messages */
};

/* Events a webhook is sent. */
#define HOOK_EV_OPENED		0x01
#define HOOK_EV_UPDATED		0x02
#define HOOK_EV_RESOLVED	0x04

struct mon_webhook {
	char		 name[MON_NAME_MAX];	/* names its queue on disk */
	char		*url;
	char		*secret;		/* HMAC-SHA256 key, NULL = none */
	char		*body;			/* template, NULL = default JSON */
	char		**headers;		/* "Name: value" templates */
	size_t		 n_headers;
	char		 content_type[128];
	char		*ca_file;
	bool		 insecure;		/* no TLS verification (tests) */
	unsigned	 events;		/* HOOK_EV_* */
	enum det_severity min_severity;
	unsigned	 timeout_ms;
	unsigned	 connect_timeout_ms;
	unsigned	 retry_min_ms;
	unsigned	 retry_max_ms;
};

struct mon_group {
	char		 name[MON_NAME_MAX];
	size_t		*hooks;			/* indices into webhooks */
	size_t		 n_hooks;
};

/* Thresholds: when a finding becomes an alert, and when it clears. */
struct mon_thresholds {
	unsigned	 min_sources;		/* distinct sources seeing it */
	unsigned	 min_peer_ases;		/* distinct neighbour ASes */
	unsigned	 hold_down_ms;		/* sustained this long first */
	unsigned	 clear_after_ms;	/* all-clear this long first */
	unsigned	 update_interval_ms;	/* "updated" at most this often */
	unsigned	 vis_percent;		/* visibility loss: >= this % */
	unsigned	 vis_min_sources;	/* ... of at least this many */
	unsigned	 vis_hold_down_ms;
	unsigned	 restart_grace_ms;	/* replayed alerts nothing sees */
	unsigned	 max_resolved;		/* resolved alerts kept */
	unsigned	 retention_days;	/* in the journal */
};

struct mon_conf {
	char		 file[512];
	struct mon_rule	*rules;
	size_t		 n_rules;
	struct rtree	*trie[2];	/* value: rule index + 1 */
	/*
	 * A first sieve before the trie: bit i of v4map is set when some
	 * rule covers or lies inside the /16 i; v6map is the same over a
	 * hash of the first 32 bits, unless a rule is shorter than /32
	 * (v6_all).  Most routes of a full table stop at one bit.
	 */
	uint8_t		*v4map;
	uint8_t		*v6map;
	bool		 v6_all;
	struct mon_group *groups;
	size_t		 n_groups;
	struct mon_webhook *hooks;
	size_t		 n_hooks;
	struct addr	*exclude;	/* sources whose routes are ignored */
	size_t		 n_exclude;
	struct mon_thresholds th;
	char		 rel_file[512];
	char		 vrp_file[512];
	struct asrel	*rel;		/* NULL without a relationship file */
	struct vrp	*vrp;		/* NULL without a VRP file */
	char		 lg_url[256];	/* base of links, "" = none */
};

void	mon_defaults(struct mon_conf *);
/*
 * Parse a monitor file, and the relationship and VRP files it names
 * (relative paths are relative to the monitor file's directory).
 * Errors are "file:line:col: what".
 */
int	mon_load(const char *path, struct mon_conf *, char *err, size_t errlen);
int	mon_load_mem(const char *name, const void *buf, size_t len,
	    struct mon_conf *, char *err, size_t errlen);
void	mon_free(struct mon_conf *);
/* The most specific rule covering the prefix, or NULL. */
const struct mon_rule *mon_match(const struct mon_conf *,
	    const struct prefix *);
bool	mon_excluded(const struct mon_conf *, const struct addr *source);
const struct mon_group *mon_group_find(const struct mon_conf *,
	    const char *);
/* Placeholders a template may use; NULL-terminated. */
extern const char *const mon_placeholders[];

/*
 * The detectors.
 */

/* A route as the detectors see it. */
struct droute {
	struct prefix	 pfx;
	struct addr	 peer;		/* the source */
	uint32_t	 peer_as;
	const uint8_t	*aspath;	/* canonical 4-octet form */
	size_t		 aspath_len;
	const uint8_t	*other;		/* other attributes as TLVs (OTC) */
	size_t		 other_len;
};

/* One reason for alarm, about one route. */
struct finding {
	enum det_type	 type;
	enum det_severity severity;
	enum rpki_state	 rpki;
	uint32_t	 offender;	/* origin, first hop or leaker AS */
	uint32_t	 origin;	/* origin AS of the path */
	size_t		 rule;		/* index into mon_conf.rules */
	struct prefix	 pfx;		/* the route's prefix */
};

#define DET_MAX_FINDINGS	4

/*
 * Every finding about one route, at most DET_MAX_FINDINGS.  Returns how
 * many; 0 for routes of unmonitored prefixes and excluded sources.
 */
size_t	detect_route(const struct mon_conf *, const struct droute *,
	    struct finding *out);

/*
 * What a route change does to the findings: old or new may be NULL
 * (announcement, withdrawal).  A finding of old that new does not have
 * ends (add = false); every finding of new is (re)asserted (add = true),
 * carrying the new path.  Returns the number of changes, at most
 * 2 * DET_MAX_FINDINGS.
 */
struct det_change {
	bool		 add;
	struct finding	 f;
};

size_t	detect_change(const struct mon_conf *, const struct droute *old,
	    const struct droute *new, struct det_change *out);

/* The AS the origin got the route from (prepends skipped); 0 if none. */
uint32_t detect_first_hop(const uint8_t *aspath, size_t len);
/* The OTC attribute (RFC 9234) among TLVs; false if absent. */
bool	detect_otc(const uint8_t *other, size_t len, uint32_t *otc);
/*
 * Route leak: a valley in the path (RFC 7908 type 1 to 4 as seen in an
 * AS path) per the relationships, or a hop after the AS of the OTC
 * attribute that is not provider to customer.  True with the leaking AS
 * in *leaker.
 */
bool	detect_leak(const struct asrel *, const uint8_t *aspath, size_t len,
	    bool has_otc, uint32_t otc, uint32_t *leaker);
/*
 * Visibility loss: had sources had the prefix, now of them still do.
 * True when had >= the minimum and (had - now) >= the percentage of had.
 */
bool	detect_visibility(const struct mon_thresholds *,
	    const struct mon_rule *, unsigned had, unsigned now);

/* "bgplens detect --monitor FILE MRT...": offline detection. */
int	cmd_detect(int argc, char **argv);

#endif /* BGPLENS_DETECT_H */
