/*
 * conf.c -- the YAML configuration (see conf.h, docs/config.md).
 *
 * libyaml builds the document tree; this file walks it with a table per
 * mapping ({key, handler}), so an unknown key is an error that names the
 * key and where it is, never silently ignored: a typo in "pasword" must
 * not leave a session without its TCP-MD5 key.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "conf.h"
#include "log.h"
#include "wire.h"

struct cctx {
	yaml_document_t	*doc;
	const char	*file;
	char		*err;
	size_t		 errlen;
	int		 failed;
	const yaml_node_t *key;		/* of the pair being handled */
};

static void
cerr(struct cctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
cerr(struct cctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	if (c->failed++)
		return;		/* the first error is the one to fix */
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%zu:%zu: %s", c->file,
	    n ? n->start_mark.line + 1 : 0, n ? n->start_mark.column + 1 : 0,
	    msg);
}

static const char *
scalar(struct cctx *c, const yaml_node_t *n, const char *what)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE) {
		cerr(c, n, "%s: expected a value", what);
		return (NULL);
	}
	return ((const char *)n->data.scalar.value);
}

static int
get_uint(struct cctx *c, const yaml_node_t *n, const char *what,
    unsigned long long max, unsigned long long *out)
{
	const char		*s = scalar(c, n, what);
	char			*end;
	unsigned long long	 v;

	if (s == NULL)
		return (-1);
	errno = 0;
	if (*s < '0' || *s > '9') {
		cerr(c, n, "%s: \"%s\" is not a number", what, s);
		return (-1);
	}
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max) {
		cerr(c, n, "%s: \"%s\" is not a number from 0 to %llu", what, s,
		    max);
		return (-1);
	}
	*out = v;
	return (0);
}

static int
get_u32(struct cctx *c, const yaml_node_t *n, const char *what, uint32_t max,
    uint32_t *out)
{
	unsigned long long v;

	if (get_uint(c, n, what, max, &v) == -1)
		return (-1);
	*out = (uint32_t)v;
	return (0);
}

static int
get_bool(struct cctx *c, const yaml_node_t *n, const char *what, bool *out)
{
	const char *s = scalar(c, n, what);

	if (s == NULL)
		return (-1);
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0 ||
	    strcmp(s, "on") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0 ||
	    strcmp(s, "off") == 0)
		*out = false;
	else {
		cerr(c, n, "%s: \"%s\" is not true or false", what, s);
		return (-1);
	}
	return (0);
}

static int
get_str(struct cctx *c, const yaml_node_t *n, const char *what, char *out,
    size_t len)
{
	const char *s = scalar(c, n, what);

	if (s == NULL)
		return (-1);
	if (strlen(s) >= len) {
		cerr(c, n, "%s: longer than %zu characters", what, len - 1);
		return (-1);
	}
	strcpy(out, s);
	return (0);
}

static int
get_addr(struct cctx *c, const yaml_node_t *n, const char *what,
    struct addr *out)
{
	const char *s = scalar(c, n, what);

	if (s == NULL)
		return (-1);
	if (addr_parse(s, out) == -1) {
		cerr(c, n, "%s: \"%s\" is not an IPv4 or IPv6 address", what,
		    s);
		return (-1);
	}
	return (0);
}

/* Iterate a mapping: calls fn(key, value) for each pair. */
typedef int (*map_fn)(struct cctx *, const char *, yaml_node_t *, void *);

static int
walk_map(struct cctx *c, yaml_node_t *n, const char *what, map_fn fn,
    void *arg)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v;

	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		cerr(c, n, "%s: expected a mapping (key: value lines)", what);
		return (-1);
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if (k == NULL || k->type != YAML_SCALAR_NODE) {
			cerr(c, k, "%s: keys must be plain words", what);
			return (-1);
		}
		c->key = k;
		if (fn(c, (const char *)k->data.scalar.value, v, arg) == -1)
			return (-1);
	}
	return (0);
}

static enum maxpfx_action
action_parse(const char *s, bool *ok)
{
	*ok = true;
	if (strcmp(s, "warn") == 0)
		return (MAXPFX_WARN);
	if (strcmp(s, "shutdown") == 0)
		return (MAXPFX_SHUTDOWN);
	if (strcmp(s, "restart") == 0)
		return (MAXPFX_RESTART);
	*ok = false;
	return (MAXPFX_WARN);
}

const char *
maxpfx_action_name(enum maxpfx_action a)
{
	switch (a) {
	case MAXPFX_WARN:
		return ("warn");
	case MAXPFX_SHUTDOWN:
		return ("shutdown");
	case MAXPFX_RESTART:
		return ("restart");
	}
	return ("warn");
}

static int
peer_key(struct cctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct conf_peer	*p = arg;
	uint32_t		 u;
	const char		*s;
	bool			 ok;

	if (strcmp(k, "address") == 0)
		return (get_addr(c, v, k, &p->addr));
	if (strcmp(k, "remote_as") == 0)
		return (get_u32(c, v, k, UINT32_MAX, &p->remote_as));
	if (strcmp(k, "description") == 0)
		return (get_str(c, v, k, p->description,
		    sizeof(p->description)));
	if (strcmp(k, "password") == 0)
		return (get_str(c, v, k, p->password, sizeof(p->password)));
	if (strcmp(k, "hold_time") == 0) {
		if (get_u32(c, v, k, 65535, &u) == -1)
			return (-1);
		if (u == 1 || u == 2) {
			cerr(c, v, "hold_time: 0 or at least 3 (RFC 4271)");
			return (-1);
		}
		p->hold_time = (uint16_t)u;
		return (0);
	}
	if (strcmp(k, "max_prefix") == 0)
		return (get_u32(c, v, k, UINT32_MAX, &p->max_prefix));
	if (strcmp(k, "max_prefix_action") == 0) {
		if ((s = scalar(c, v, k)) == NULL)
			return (-1);
		p->max_prefix_action = action_parse(s, &ok);
		if (!ok) {
			cerr(c, v, "max_prefix_action: \"%s\" is not warn, "
			    "shutdown or restart", s);
			return (-1);
		}
		return (0);
	}
	if (strcmp(k, "max_prefix_restart") == 0)
		return (get_u32(c, v, k, 86400 * 7, &p->max_prefix_restart));
	if (strcmp(k, "add_path") == 0)
		return (get_bool(c, v, k, &p->add_path));
	if (strcmp(k, "passive") == 0)
		return (get_bool(c, v, k, &p->passive));
	if (strcmp(k, "port") == 0) {
		if (get_u32(c, v, k, 65535, &u) == -1)
			return (-1);
		p->port = (uint16_t)u;
		return (0);
	}
	if (strcmp(k, "connect_retry") == 0) {
		if (get_u32(c, v, k, 3600, &p->connect_retry) == -1)
			return (-1);
		if (p->connect_retry == 0) {	/* would retry in a loop */
			cerr(c, v, "connect_retry: from 1 to 3600 seconds");
			return (-1);
		}
		return (0);
	}
	if (strcmp(k, "ttl") == 0 || strcmp(k, "multihop") == 0) {
		if (get_u32(c, v, k, 255, &u) == -1)
			return (-1);
		p->ttl = (uint8_t)u;
		return (0);
	}
	if (strcmp(k, "local_address") == 0)
		return (get_addr(c, v, k, &p->local_addr));
	cerr(c, c->key, "peer: unknown key \"%s\"", k);
	return (-1);
}

static void
peer_defaults(struct conf_peer *p)
{
	memset(p, 0, sizeof(*p));
	p->hold_time = 90;
	p->passive = true;
	p->port = 179;
	p->connect_retry = 30;
	p->max_prefix_restart = 60;
	p->add_path = true;
}

static int
parse_peers(struct cctx *c, struct conf *cf, yaml_node_t *n)
{
	yaml_node_item_t	*it;
	yaml_node_t		*pn;
	struct conf_peer	*p;
	size_t			 i;

	if (n->type != YAML_SEQUENCE_NODE) {
		cerr(c, n, "peers: expected a list (lines starting with -)");
		return (-1);
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		pn = yaml_document_get_node(c->doc, *it);
		p = realloc(cf->peers, (cf->n_peers + 1) * sizeof(*p));
		if (p == NULL) {
			cerr(c, pn, "out of memory");
			return (-1);
		}
		cf->peers = p;
		p = &cf->peers[cf->n_peers];
		peer_defaults(p);
		if (walk_map(c, pn, "peer", peer_key, p) == -1)
			return (-1);
		if (p->addr.afi == 0 || p->remote_as == 0) {
			cerr(c, pn, "peer: address and remote_as are required");
			return (-1);
		}
		for (i = 0; i < cf->n_peers; i++)
			if (addr_cmp(&cf->peers[i].addr, &p->addr) == 0) {
				char ab[ADDR_STRLEN];

				cerr(c, pn, "peer %s is listed twice",
				    addr_fmt(&p->addr, ab, sizeof(ab)));
				return (-1);
			}
		cf->n_peers++;
	}
	return (0);
}

static int
dyn_key(struct cctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct conf_dynamic	*d = arg;
	yaml_node_item_t	*it;
	char			 buf[PREFIX_STRLEN];

	if (strcmp(k, "prefix") == 0 || strcmp(k, "range") == 0) {
		if (get_str(c, v, k, buf, sizeof(buf)) == -1)
			return (-1);
		if (prefix_parse(buf, &d->range) == -1) {
			cerr(c, v, "%s: \"%s\" is not a prefix", k, buf);
			return (-1);
		}
		return (0);
	}
	if (strcmp(k, "remote_as") == 0) {
		if (v->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)v->data.scalar.value, "any") == 0) {
			d->any_as = true;
			return (0);
		}
		if (v->type == YAML_SCALAR_NODE) {
			d->n_asns = 1;
			return (get_u32(c, v, k, UINT32_MAX, &d->asns[0]));
		}
		if (v->type != YAML_SEQUENCE_NODE) {
			cerr(c, v, "remote_as: a number or a list of numbers");
			return (-1);
		}
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			if (d->n_asns >= 32) {
				cerr(c, v, "remote_as: at most 32");
				return (-1);
			}
			if (get_u32(c, yaml_document_get_node(c->doc, *it), k,
			    UINT32_MAX, &d->asns[d->n_asns++]) == -1)
				return (-1);
		}
		return (0);
	}
	if (strcmp(k, "password") == 0)
		return (get_str(c, v, k, d->password, sizeof(d->password)));
	if (strcmp(k, "description") == 0)
		return (get_str(c, v, k, d->description,
		    sizeof(d->description)));
	if (strcmp(k, "add_path") == 0)
		return (get_bool(c, v, k, &d->add_path));
	if (strcmp(k, "hold_time") == 0) {
		uint32_t u;

		if (get_u32(c, v, k, 65535, &u) == -1)
			return (-1);
		if (u == 1 || u == 2) {
			cerr(c, v, "hold_time: 0 or at least 3 (RFC 4271)");
			return (-1);
		}
		d->hold_time = (uint16_t)u;
		return (0);
	}
	cerr(c, c->key, "dynamic_peers: unknown key \"%s\"", k);
	return (-1);
}

static int
parse_dynamic(struct cctx *c, struct conf *cf, yaml_node_t *n)
{
	yaml_node_item_t	*it;
	struct conf_dynamic	*d;

	if (n->type != YAML_SEQUENCE_NODE) {
		cerr(c, n, "dynamic_peers: expected a list");
		return (-1);
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *dn = yaml_document_get_node(c->doc, *it);

		d = realloc(cf->dynamic, (cf->n_dynamic + 1) * sizeof(*d));
		if (d == NULL) {
			cerr(c, dn, "out of memory");
			return (-1);
		}
		cf->dynamic = d;
		d = &cf->dynamic[cf->n_dynamic];
		memset(d, 0, sizeof(*d));
		d->hold_time = 90;
		d->add_path = true;
		if (walk_map(c, dn, "dynamic_peers", dyn_key, d) == -1)
			return (-1);
		if (d->range.afi == 0 || (d->n_asns == 0 && !d->any_as)) {
			cerr(c, dn, "dynamic_peers: prefix and remote_as are "
			    "required");
			return (-1);
		}
		cf->n_dynamic++;
	}
	return (0);
}

static int
parse_listen(struct cctx *c, struct conf *cf, yaml_node_t *n)
{
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE) {
		cf->n_listen = 1;
		return (get_addr(c, n, "bgp_listen", &cf->listen[0]));
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		cerr(c, n, "bgp_listen: an address or a list of addresses");
		return (-1);
	}
	cf->n_listen = 0;
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		if (cf->n_listen >= CONF_MAX_LISTEN) {
			cerr(c, n, "bgp_listen: at most %d addresses",
			    CONF_MAX_LISTEN);
			return (-1);
		}
		if (get_addr(c, yaml_document_get_node(c->doc, *it),
		    "bgp_listen", &cf->listen[cf->n_listen++]) == -1)
			return (-1);
	}
	return (0);
}

/*
 * The BMP station's keys (bmp/station.c): bmp_listen (addresses),
 * bmp_port, bmp_allow (prefixes routers may connect from) and
 * bmp_connect (routers the station dials: address, port, retry).
 */
static int
bmp_addrs(struct cctx *c, yaml_node_t *n, const char *what, struct addr *out,
    unsigned *count)
{
	yaml_node_item_t *it;

	*count = 0;
	if (n->type == YAML_SCALAR_NODE) {
		*count = 1;
		return (get_addr(c, n, what, &out[0]));
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		cerr(c, n, "%s: an address or a list of addresses", what);
		return (-1);
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		if (*count >= CONF_MAX_LISTEN) {
			cerr(c, n, "%s: at most %d addresses", what,
			    CONF_MAX_LISTEN);
			return (-1);
		}
		if (get_addr(c, yaml_document_get_node(c->doc, *it), what,
		    &out[(*count)++]) == -1)
			return (-1);
	}
	return (0);
}

static int
bmp_allow_item(struct cctx *c, yaml_node_t *n, struct conf *cf)
{
	char buf[PREFIX_STRLEN];

	if (cf->n_bmp_allow >= CONF_MAX_BMP_ALLOW) {
		cerr(c, n, "bmp_allow: at most %d prefixes",
		    CONF_MAX_BMP_ALLOW);
		return (-1);
	}
	if (get_str(c, n, "bmp_allow", buf, sizeof(buf)) == -1)
		return (-1);
	if (prefix_parse(buf, &cf->bmp_allow[cf->n_bmp_allow]) == -1) {
		cerr(c, n, "bmp_allow: \"%s\" is not a prefix", buf);
		return (-1);
	}
	cf->n_bmp_allow++;
	return (0);
}

static int
bmp_connect_key(struct cctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct conf_bmp_connect	*b = arg;
	uint32_t		 u;

	if (strcmp(k, "address") == 0)
		return (get_addr(c, v, k, &b->addr));
	if (strcmp(k, "port") == 0) {
		if (get_u32(c, v, k, 65535, &u) == -1)
			return (-1);
		b->port = (uint16_t)u;
		return (0);
	}
	if (strcmp(k, "retry") == 0)
		return (get_u32(c, v, k, 3600, &b->retry));
	cerr(c, c->key, "bmp_connect: unknown key \"%s\"", k);
	return (-1);
}

static int
bmp_key(struct cctx *c, const char *k, yaml_node_t *v, struct conf *cf)
{
	yaml_node_item_t	*it;
	struct conf_bmp_connect	*b;
	uint32_t		 u;

	if (strcmp(k, "bmp_listen") == 0)
		return (bmp_addrs(c, v, k, cf->bmp_listen, &cf->n_bmp_listen));
	if (strcmp(k, "bmp_port") == 0) {
		if (get_u32(c, v, k, 65535, &u) == -1)
			return (-1);
		cf->bmp_port = (uint16_t)u;
		return (0);
	}
	if (strcmp(k, "bmp_allow") == 0) {
		cf->n_bmp_allow = 0;
		if (v->type == YAML_SCALAR_NODE)
			return (bmp_allow_item(c, v, cf));
		if (v->type != YAML_SEQUENCE_NODE) {
			cerr(c, v, "bmp_allow: a prefix or a list of them");
			return (-1);
		}
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++)
			if (bmp_allow_item(c, yaml_document_get_node(c->doc,
			    *it), cf) == -1)
				return (-1);
		return (0);
	}
	if (strcmp(k, "bmp_connect") == 0) {
		if (v->type != YAML_SEQUENCE_NODE) {
			cerr(c, v, "bmp_connect: a list of {address, port}");
			return (-1);
		}
		for (it = v->data.sequence.items.start;
		    it < v->data.sequence.items.top; it++) {
			yaml_node_t *bn = yaml_document_get_node(c->doc, *it);

			if (cf->n_bmp_connect >= CONF_MAX_BMP_CONNECT) {
				cerr(c, bn, "bmp_connect: at most %d routers",
				    CONF_MAX_BMP_CONNECT);
				return (-1);
			}
			b = &cf->bmp_connect[cf->n_bmp_connect];
			memset(b, 0, sizeof(*b));
			b->port = 1790;
			b->retry = 10;
			if (walk_map(c, bn, "bmp_connect", bmp_connect_key,
			    b) == -1)
				return (-1);
			if (b->addr.afi == 0) {
				cerr(c, bn, "bmp_connect: address is required");
				return (-1);
			}
			cf->n_bmp_connect++;
		}
		return (0);
	}
	cerr(c, c->key, "unknown key \"%s\"", k);
	return (-1);
}

const char *
archive_comp_name(enum archive_comp k)
{
	return (k == ARCHIVE_GZIP ? "gz" : k == ARCHIVE_NONE ? "none" : "bz2");
}

void
conf_archive_dir(const struct conf *c, char *buf, size_t len)
{
	if (c->archive.dir[0] != '\0')
		snprintf(buf, len, "%s", c->archive.dir);
	else
		snprintf(buf, len, "%s/archive", c->data_dir);
}

/*
 * archive: the MRT update log and RIB snapshots.  Periods divide a day so
 * that files start on the same wall-clock boundaries every day, as
 * RouteViews' and RIS's do; a minute is the least, the names having no
 * seconds.
 */
static int
archive_key(struct cctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct conf_archive	*a = arg;
	char			 buf[16];

	if (strcmp(k, "enabled") == 0)
		return (get_bool(c, v, k, &a->enabled));
	if (strcmp(k, "dir") == 0)
		return (get_str(c, v, k, a->dir, sizeof(a->dir)));
	if (strcmp(k, "period") == 0) {
		if (get_u32(c, v, k, 86400, &a->period) == -1)
			return (-1);
		if (a->period < 60 || 86400 % a->period != 0) {
			cerr(c, v, "archive: period: seconds from 60 to 86400 "
			    "that divide a day (900, 3600 ...)");
			return (-1);
		}
		return (0);
	}
	if (strcmp(k, "flush_ms") == 0) {
		if (get_u32(c, v, k, 60000, &a->flush_ms) == -1)
			return (-1);
		if (a->flush_ms < 10) {
			cerr(c, v, "archive: flush_ms: from 10 to 60000");
			return (-1);
		}
		return (0);
	}
	if (strcmp(k, "compression") == 0) {
		if (get_str(c, v, k, buf, sizeof(buf)) == -1)
			return (-1);
		if (strcmp(buf, "bz2") == 0 || strcmp(buf, "bzip2") == 0)
			a->comp = ARCHIVE_BZIP2;
		else if (strcmp(buf, "gz") == 0 || strcmp(buf, "gzip") == 0)
			a->comp = ARCHIVE_GZIP;
		else if (strcmp(buf, "none") == 0)
			a->comp = ARCHIVE_NONE;
		else {
			cerr(c, v, "archive: compression: bz2, gz or none");
			return (-1);
		}
		return (0);
	}
	if (strcmp(k, "rib_interval") == 0) {
		if (get_u32(c, v, k, 86400, &a->rib_interval) == -1)
			return (-1);
		if (a->rib_interval != 0 && (a->rib_interval < 60 ||
		    86400 % a->rib_interval != 0)) {
			cerr(c, v, "archive: rib_interval: 0 (off), or seconds "
			    "from 60 to 86400 that divide a day");
			return (-1);
		}
		return (0);
	}
	if (strcmp(k, "retention_days") == 0)
		return (get_u32(c, v, k, 36500, &a->retention_days));
	if (strcmp(k, "max_buffer_mb") == 0) {
		if (get_u32(c, v, k, 65536, &a->max_buffer_mb) == -1)
			return (-1);
		if (a->max_buffer_mb == 0) {
			cerr(c, v, "archive: max_buffer_mb: from 1 to 65536");
			return (-1);
		}
		return (0);
	}
	if (strcmp(k, "warm_start") == 0)
		return (get_bool(c, v, k, &a->warm_start));
	cerr(c, c->key, "archive: unknown key \"%s\"", k);
	return (-1);
}

/* The looking glass's access policy (docs/api.md, "Access policy"). */
static int
http_key(struct cctx *c, const char *k, yaml_node_t *v, struct conf *cf)
{
	const char	*s;
	char		*end;
	double		 d, *out;

	if (strcmp(k, "http_token") == 0)
		return (get_str(c, v, k, cf->http_token,
		    sizeof(cf->http_token)));
	if (strcmp(k, "http_cors_origin") == 0)
		return (get_str(c, v, k, cf->http_cors_origin,
		    sizeof(cf->http_cors_origin)));
	if (strcmp(k, "http_rate_limit") == 0)
		out = &cf->http_rate_limit;
	else if (strcmp(k, "http_rate_burst") == 0)
		out = &cf->http_rate_burst;
	else {
		cerr(c, c->key, "unknown key \"%s\"", k);
		return (-1);
	}
	if ((s = scalar(c, v, k)) == NULL)
		return (-1);
	errno = 0;
	d = strtod(s, &end);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || d > 1e6) {
		cerr(c, v, "%s: \"%s\" is not a number from 0 to 1000000", k, s);
		return (-1);
	}
	*out = d;
	return (0);
}

/* The live streams (docs/api.md, /api/v1/stream). */
static int
stream_key(struct cctx *c, const char *k, yaml_node_t *v, struct conf *cf)
{
	uint32_t u;

	if (strcmp(k, "stream_queue_kib") == 0) {
		if (get_u32(c, v, k, 1048576, &u) == -1)
			return (-1);
		if (u < 4) {
			cerr(c, v, "stream_queue_kib: 4 to 1048576");
			return (-1);
		}
		cf->stream_queue_kib = u;
		return (0);
	}
	if (strcmp(k, "stream_max_clients") == 0)
		return (get_u32(c, v, k, 4096, &cf->stream_max_clients));
	if (strcmp(k, "stream_keepalive") == 0)
		return (get_u32(c, v, k, 3600, &cf->stream_keepalive));
	cerr(c, c->key, "unknown key \"%s\"", k);
	return (-1);
}

static int
top_key(struct cctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct conf	*cf = arg;
	struct addr	 a;
	uint32_t	 u;
	char		 buf[32];
	int		 lvl;

	if (strcmp(k, "local_as") == 0)
		return (get_u32(c, v, k, UINT32_MAX, &cf->local_as));
	if (strcmp(k, "router_id") == 0) {
		if (get_addr(c, v, k, &a) == -1)
			return (-1);
		if (a.afi != AFI_IPV4) {
			cerr(c, v, "router_id: an IPv4 address");
			return (-1);
		}
		cf->router_id = be32(a.b);
		return (0);
	}
	if (strcmp(k, "data_dir") == 0)
		return (get_str(c, v, k, cf->data_dir, sizeof(cf->data_dir)));
	if (strcmp(k, "bgp_listen") == 0)
		return (parse_listen(c, cf, v));
	if (strcmp(k, "bgp_port") == 0) {
		if (get_u32(c, v, k, 65535, &u) == -1)
			return (-1);
		cf->bgp_port = (uint16_t)u;
		return (0);
	}
	if (strcmp(k, "http_listen") == 0)
		return (get_str(c, v, k, cf->http_listen,
		    sizeof(cf->http_listen)));
	if (strncmp(k, "http_", 5) == 0)
		return (http_key(c, k, v, cf));
	if (strcmp(k, "log_level") == 0) {
		if (get_str(c, v, k, buf, sizeof(buf)) == -1)
			return (-1);
		if ((lvl = log_level_parse(buf)) == -1) {
			cerr(c, v, "log_level: error, warning, info or debug");
			return (-1);
		}
		cf->log_level = lvl;
		return (0);
	}
	if (strcmp(k, "history_max_events") == 0) {
		unsigned long long x;

		/* The RIB's limit: its history links are 32-bit. */
		if (get_uint(c, v, k, 1ULL << 31, &x) == -1)
			return (-1);
		cf->history_max_events = x;
		return (0);
	}
	if (strcmp(k, "history_max_age") == 0) {
		unsigned long long x;

		if (get_uint(c, v, k, 1ULL << 40, &x) == -1)
			return (-1);
		cf->history_max_age = x;
		return (0);
	}
	if (strcmp(k, "rib_write_hold_us") == 0) {
		unsigned long long x;

		if (get_uint(c, v, k, 1000000, &x) == -1)
			return (-1);
		cf->rib_write_hold_us = (uint32_t)x;
		return (0);
	}
	if (strcmp(k, "geoip_asn") == 0)
		return (get_str(c, v, k, cf->mmdb_asn, sizeof(cf->mmdb_asn)));
	if (strcmp(k, "geoip_country") == 0)
		return (get_str(c, v, k, cf->mmdb_country,
		    sizeof(cf->mmdb_country)));
	if (strcmp(k, "monitor_file") == 0)
		return (get_str(c, v, k, cf->monitor_file,
		    sizeof(cf->monitor_file)));
	if (strncmp(k, "bmp_", 4) == 0)
		return (bmp_key(c, k, v, cf));
	if (strcmp(k, "archive") == 0)
		return (walk_map(c, v, "archive", archive_key, &cf->archive));
	if (strncmp(k, "stream_", 7) == 0)
		return (stream_key(c, k, v, cf));
	if (strcmp(k, "peers") == 0)
		return (parse_peers(c, cf, v));
	if (strcmp(k, "dynamic_peers") == 0)
		return (parse_dynamic(c, cf, v));
	cerr(c, c->key, "unknown key \"%s\"", k);
	return (-1);
}

void
conf_defaults(struct conf *c)
{
	memset(c, 0, sizeof(*c));
	c->local_as = 65000;
	c->router_id = 0x7f000001;
	strcpy(c->data_dir, "bgplens-data");
	addr_parse("127.0.0.1", &c->listen[0]);
	addr_parse("::1", &c->listen[1]);
	c->n_listen = 2;
	c->bgp_port = 179;
	strcpy(c->http_listen, "127.0.0.1:8080");
	c->log_level = LOG_LVL_INFO;
	c->history_max_events = 10000000;
	c->history_max_age = 7 * 86400;
	c->rib_write_hold_us = 500;
	c->stream_queue_kib = 1024;
	c->stream_max_clients = 64;
	c->stream_keepalive = 15;
	/* BMP: routers on this machine only, on the port they default to. */
	addr_parse("127.0.0.1", &c->bmp_listen[0]);
	addr_parse("::1", &c->bmp_listen[1]);
	c->n_bmp_listen = 2;
	c->bmp_port = 1790;
	prefix_parse("127.0.0.0/8", &c->bmp_allow[0]);
	prefix_parse("::1/128", &c->bmp_allow[1]);
	c->n_bmp_allow = 2;
	c->archive.enabled = true;
	c->archive.period = 900;
	c->archive.flush_ms = 1000;
	c->archive.comp = ARCHIVE_BZIP2;
	c->archive.rib_interval = 7200;
	c->archive.max_buffer_mb = 256;
}

/*
 * Without a file: the defaults plus neighbours from anywhere on the
 * loopback network, whatever their AS, so that a first run can be fed by
 * a local speaker with no configuration at all.  Nothing outside the
 * machine can reach a loopback listener.
 */
int
conf_builtin(struct conf *c)
{
	conf_defaults(c);
	snprintf(c->file, sizeof(c->file), "(built-in defaults)");
	if ((c->dynamic = calloc(2, sizeof(*c->dynamic))) == NULL)
		return (-1);
	prefix_parse("127.0.0.0/8", &c->dynamic[0].range);
	prefix_parse("::1/128", &c->dynamic[1].range);
	c->dynamic[0].any_as = c->dynamic[1].any_as = true;
	c->dynamic[0].hold_time = c->dynamic[1].hold_time = 90;
	c->dynamic[0].add_path = c->dynamic[1].add_path = true;
	snprintf(c->dynamic[0].description, sizeof(c->dynamic[0].description),
	    "loopback neighbor");
	snprintf(c->dynamic[1].description, sizeof(c->dynamic[1].description),
	    "loopback neighbor");
	c->n_dynamic = 2;
	return (0);
}

int
conf_load_mem(const char *name, const void *buf, size_t len, struct conf *cf,
    char *err, size_t errlen)
{
	yaml_parser_t	 parser;
	yaml_document_t	 doc;
	yaml_node_t	*root;
	struct cctx	 c;
	int		 rv = 0;

	conf_defaults(cf);
	snprintf(cf->file, sizeof(cf->file), "%s", name);
	memset(&c, 0, sizeof(c));
	c.doc = &doc;
	c.file = name;
	c.err = err;
	c.errlen = errlen;
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "%s: cannot start the YAML parser", name);
		return (-1);
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s", name,
		    parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "YAML syntax error");
		yaml_parser_delete(&parser);
		return (-1);
	}
	root = yaml_document_get_root_node(&doc);
	if (root != NULL)	/* an empty file is the defaults */
		rv = walk_map(&c, root, "top level", top_key, cf);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rv == -1 || c.failed) {
		conf_free(cf);
		return (-1);
	}
	return (0);
}

int
conf_load(const char *path, struct conf *cf, char *err, size_t errlen)
{
	FILE	*f;
	char	*buf;
	long	 len;
	int	 rv;

	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (fseek(f, 0, SEEK_END) == -1 || (len = ftell(f)) < 0 ||
	    len > (1L << 24) || fseek(f, 0, SEEK_SET) == -1) {
		snprintf(err, errlen, "%s: unreadable or over 16 MiB", path);
		fclose(f);
		return (-1);
	}
	if ((buf = malloc((size_t)len + 1)) == NULL ||
	    fread(buf, 1, (size_t)len, f) != (size_t)len) {
		snprintf(err, errlen, "%s: read failed", path);
		free(buf);
		fclose(f);
		return (-1);
	}
	fclose(f);
	rv = conf_load_mem(path, buf, (size_t)len, cf, err, errlen);
	free(buf);
	return (rv);
}

void
conf_free(struct conf *c)
{
	free(c->peers);
	free(c->dynamic);
	c->peers = NULL;
	c->dynamic = NULL;
	c->n_peers = c->n_dynamic = 0;
}

const struct conf_peer *
conf_peer_find(const struct conf *c, const struct addr *a)
{
	size_t i;

	for (i = 0; i < c->n_peers; i++)
		if (addr_cmp(&c->peers[i].addr, a) == 0)
			return (&c->peers[i]);
	return (NULL);
}

/*
 * A string as a YAML double-quoted scalar: quotes, backslashes and control
 * characters escaped, so that what --check -v prints loads again whatever
 * the file had in it (a description may hold any of them).
 */
static void
print_str(FILE *f, const char *lead, const char *s)
{
	const unsigned char *p;

	fprintf(f, "%s\"", lead);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fprintf(f, "\"\n");
}

/* The BMP station's keys, in the form bmp_key() reads. */
static void
conf_print_bmp(FILE *f, const struct conf *c)
{
	char		ab[ADDR_STRLEN], pb[PREFIX_STRLEN];
	unsigned	j;

	fprintf(f, "bmp_listen:%s\n", c->n_bmp_listen == 0 ? " []" : "");
	for (j = 0; j < c->n_bmp_listen; j++)
		fprintf(f, "  - \"%s\"\n", addr_fmt(&c->bmp_listen[j], ab,
		    sizeof(ab)));
	fprintf(f, "bmp_port: %u\nbmp_allow:%s\n", c->bmp_port,
	    c->n_bmp_allow == 0 ? " []" : "");
	for (j = 0; j < c->n_bmp_allow; j++)
		fprintf(f, "  - \"%s\"\n", prefix_fmt(&c->bmp_allow[j], pb,
		    sizeof(pb)));
	if (c->n_bmp_connect > 0)
		fprintf(f, "bmp_connect:\n");
	for (j = 0; j < c->n_bmp_connect; j++)
		fprintf(f, "  - address: \"%s\"\n    port: %u\n    retry: %u\n",
		    addr_fmt(&c->bmp_connect[j].addr, ab, sizeof(ab)),
		    c->bmp_connect[j].port, c->bmp_connect[j].retry);
}

static void
conf_print_archive(FILE *f, const struct conf *c)
{
	const struct conf_archive *a = &c->archive;

	fprintf(f, "archive:\n  enabled: %s\n", a->enabled ? "true" : "false");
	if (a->dir[0])
		fprintf(f, "  dir: \"%s\"\n", a->dir);
	fprintf(f, "  period: %u\n  flush_ms: %u\n  compression: %s\n"
	    "  rib_interval: %u\n  retention_days: %u\n  max_buffer_mb: %u\n"
	    "  warm_start: %s\n", a->period, a->flush_ms,
	    archive_comp_name(a->comp), a->rib_interval, a->retention_days,
	    a->max_buffer_mb, a->warm_start ? "true" : "false");
}

void
conf_print(FILE *f, const struct conf *c)
{
	char		ab[ADDR_STRLEN], pb[PREFIX_STRLEN];
	struct addr	rid;
	size_t		i;
	unsigned	j;

	addr_set_v4(&rid, c->router_id);
	fprintf(f, "local_as: %u\nrouter_id: %s\n", c->local_as,
	    addr_fmt(&rid, ab, sizeof(ab)));
	print_str(f, "data_dir: ", c->data_dir);
	fprintf(f, "bgp_listen:%s\n", c->n_listen == 0 ? " []" : "");
	for (j = 0; j < c->n_listen; j++)
		fprintf(f, "  - \"%s\"\n", addr_fmt(&c->listen[j], ab,
		    sizeof(ab)));
	fprintf(f, "bgp_port: %u\n", c->bgp_port);
	print_str(f, "http_listen: ", c->http_listen);
	fprintf(f, "log_level: %s\n", c->log_level >= LOG_LVL_DEBUG ? "debug" :
	    c->log_level >= LOG_LVL_INFO ? "info" : c->log_level >=
	    LOG_LVL_WARN ? "warning" : "error");
	fprintf(f, "history_max_events: %llu\nhistory_max_age: %llu\n"
	    "rib_write_hold_us: %u\n",
	    (unsigned long long)c->history_max_events,
	    (unsigned long long)c->history_max_age, c->rib_write_hold_us);
	if (c->http_rate_limit > 0)
		fprintf(f, "http_rate_limit: %g\nhttp_rate_burst: %g\n",
		    c->http_rate_limit, c->http_rate_burst);
	if (c->http_token[0])
		fprintf(f, "http_token: (set)\n");
	if (c->http_cors_origin[0])
		fprintf(f, "http_cors_origin: \"%s\"\n", c->http_cors_origin);
	fprintf(f, "stream_queue_kib: %u\nstream_max_clients: %u\n"
	    "stream_keepalive: %u\n", c->stream_queue_kib,
	    c->stream_max_clients, c->stream_keepalive);
	if (c->mmdb_asn[0])
		print_str(f, "geoip_asn: ", c->mmdb_asn);
	if (c->mmdb_country[0])
		print_str(f, "geoip_country: ", c->mmdb_country);
	if (c->monitor_file[0])
		print_str(f, "monitor_file: ", c->monitor_file);
	conf_print_bmp(f, c);
	conf_print_archive(f, c);
	fprintf(f, "peers:%s\n", c->n_peers == 0 ? " []" : "");
	for (i = 0; i < c->n_peers; i++) {
		const struct conf_peer *p = &c->peers[i];

		fprintf(f, "  - address: \"%s\"\n    remote_as: %u\n",
		    addr_fmt(&p->addr, ab, sizeof(ab)), p->remote_as);
		if (p->description[0])
			print_str(f, "    description: ", p->description);
		if (p->password[0])
			fprintf(f, "    password: \"(set)\"\n");
		fprintf(f, "    hold_time: %u\n    passive: %s\n"
		    "    add_path: %s\n", p->hold_time,
		    p->passive ? "true" : "false",
		    p->add_path ? "true" : "false");
		if (p->max_prefix)
			fprintf(f, "    max_prefix: %u\n"
			    "    max_prefix_action: %s\n", p->max_prefix,
			    maxpfx_action_name(p->max_prefix_action));
		if (p->max_prefix && p->max_prefix_action == MAXPFX_RESTART)
			fprintf(f, "    max_prefix_restart: %u\n",
			    p->max_prefix_restart);
		if (!p->passive)
			fprintf(f, "    port: %u\n    connect_retry: %u\n",
			    p->port, p->connect_retry);
		if (p->ttl)
			fprintf(f, "    ttl: %u\n", p->ttl);
		if (p->local_addr.afi != 0)
			fprintf(f, "    local_address: \"%s\"\n",
			    addr_fmt(&p->local_addr, ab, sizeof(ab)));
	}
	if (c->n_dynamic > 0)
		fprintf(f, "dynamic_peers:\n");
	for (i = 0; i < c->n_dynamic; i++) {
		const struct conf_dynamic *d = &c->dynamic[i];

		fprintf(f, "  - prefix: \"%s\"\n",
		    prefix_fmt(&d->range, pb, sizeof(pb)));
		if (d->any_as)
			fprintf(f, "    remote_as: any\n");
		else {
			fprintf(f, "    remote_as: [");
			for (j = 0; j < d->n_asns; j++)
				fprintf(f, "%s%u", j ? ", " : "", d->asns[j]);
			fprintf(f, "]\n");
		}
		if (d->description[0])
			print_str(f, "    description: ", d->description);
		if (d->password[0])
			fprintf(f, "    password: \"(set)\"\n");
		fprintf(f, "    hold_time: %u\n    add_path: %s\n",
		    d->hold_time, d->add_path ? "true" : "false");
	}
}
