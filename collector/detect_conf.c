/*
 * detect_conf.c -- the monitor file (docs/detection.md, "Configuration").
 *
 * Parsed like the main configuration (conf.c): libyaml builds the
 * document, a handler per mapping takes its keys, and an unknown key is
 * an error naming file:line:col, so a typo never leaves a prefix
 * unmonitored in silence.  Everything lands in a fresh struct mon_conf;
 * the caller swaps it in only when the whole file (and the relationship
 * and VRP files it names) loaded.
 */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "detect.h"
#include "rtree.h"

const char *const mon_placeholders[] = {
	"id", "event", "type", "artemis", "severity", "state", "prefix",
	"rule_prefix", "description", "group", "origin_as", "offender_as",
	"expected_origins", "upstreams", "as_path", "as_paths", "sources",
	"sources_count", "peer_ases_count", "rpki", "first_seen", "last_seen",
	"opened_at", "resolved_at", "link", "summary", "payload",
	"idempotency_key", "revision", "event_action", NULL
};

/* A group's webhook given by name, resolved once every key is read. */
struct hookref {
	char		 name[MON_NAME_MAX];
	size_t		 group;		/* SIZE_MAX: a rule's group */
	size_t		 slot;		/* in the group's hooks */
	yaml_node_t	*node;
};

struct mctx {
	yaml_document_t	*doc;
	const char	*file;
	char		*err;
	size_t		 errlen;
	int		 failed;
	struct mon_conf	*mc;
	struct hookref	*refs;
	size_t		 n_refs;
	yaml_node_t	*rel_node, *vrp_node;
};

static void
merr(struct mctx *c, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
merr(struct mctx *c, const yaml_node_t *n, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;

	if (c->failed++)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s:%zu:%zu: %s", c->file,
	    n ? n->start_mark.line + 1 : 0, n ? n->start_mark.column + 1 : 0,
	    msg);
}

static const char *
scalar(struct mctx *c, const yaml_node_t *n, const char *what)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE) {
		merr(c, n, "%s: expected a value", what);
		return (NULL);
	}
	return ((const char *)n->data.scalar.value);
}

static int
get_uint(struct mctx *c, const yaml_node_t *n, const char *what,
    unsigned long max, unsigned *out)
{
	const char	*s = scalar(c, n, what);
	char		*end;
	unsigned long	 v;

	if (s == NULL)
		return (-1);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || errno != 0 || *end != '\0' || v > max) {
		merr(c, n, "%s: \"%s\" is not a number from 0 to %lu", what, s,
		    max);
		return (-1);
	}
	*out = (unsigned)v;
	return (0);
}

/* "90", "90s", "1500ms", "5m", "2h", "0.5s" -> milliseconds. */
static int
get_duration(struct mctx *c, const yaml_node_t *n, const char *what,
    unsigned *out_ms)
{
	const char	*s = scalar(c, n, what);
	char		*end;
	double		 v, mul = 1000;

	if (s == NULL)
		return (-1);
	errno = 0;
	v = strtod(s, &end);
	if (*s < '0' || *s > '9' || errno != 0)
		goto bad;
	if (strcmp(end, "ms") == 0)
		mul = 1;
	else if (strcmp(end, "m") == 0)
		mul = 60000;
	else if (strcmp(end, "h") == 0)
		mul = 3600000;
	else if (*end != '\0' && strcmp(end, "s") != 0)
		goto bad;
	if (v * mul > 7 * 86400000.0)
		goto bad;
	*out_ms = (unsigned)(v * mul + 0.5);
	return (0);
bad:
	merr(c, n, "%s: \"%s\" is not a duration (90, 90s, 1500ms, 5m, 2h; "
	    "at most a week)", what, s);
	return (-1);
}

static int
get_bool(struct mctx *c, const yaml_node_t *n, const char *what, bool *out)
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
		merr(c, n, "%s: \"%s\" is not true or false", what, s);
		return (-1);
	}
	return (0);
}

static int
get_str(struct mctx *c, const yaml_node_t *n, const char *what, char *out,
    size_t len)
{
	const char *s = scalar(c, n, what);

	if (s == NULL)
		return (-1);
	if (strlen(s) >= len) {
		merr(c, n, "%s: longer than %zu characters", what, len - 1);
		return (-1);
	}
	strcpy(out, s);
	return (0);
}

static int
get_dup(struct mctx *c, const yaml_node_t *n, const char *what, char **out)
{
	const char *s = scalar(c, n, what);

	if (s == NULL)
		return (-1);
	free(*out);
	if ((*out = strdup(s)) == NULL) {
		merr(c, n, "out of memory");
		return (-1);
	}
	return (0);
}

/* Names end up in file names: letters, digits, '-', '_', '.'. */
static int
get_name(struct mctx *c, const yaml_node_t *n, const char *what, char *out)
{
	const char *p;

	if (get_str(c, n, what, out, MON_NAME_MAX) == -1)
		return (-1);
	for (p = out; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    (*p == '.' && p != out)))
			break;
	if (*p != '\0' || out[0] == '\0') {
		merr(c, n, "%s: \"%s\": use letters, digits, '-', '_' and '.'",
		    what, out);
		return (-1);
	}
	return (0);
}

static int
parse_asn(const char *s, uint32_t *out)
{
	char			*end;
	unsigned long long	 v;

	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (*s < '0' || *s > '9')
		return (-1);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v == 0 || v > UINT32_MAX)
		return (-1);
	*out = (uint32_t)v;
	return (0);
}

/* One AS or a list of them: 64500, AS64500, [64500, 64501]. */
static int
get_asns(struct mctx *c, yaml_node_t *n, const char *what, uint32_t **out,
    size_t *nout)
{
	yaml_node_item_t	*it;
	yaml_node_t		*in;
	uint32_t		*l;
	const char		*s;
	size_t			 cnt = 1, i = 0;

	if (n->type == YAML_SEQUENCE_NODE)
		cnt = (size_t)(n->data.sequence.items.top -
		    n->data.sequence.items.start);
	else if (n->type != YAML_SCALAR_NODE) {
		merr(c, n, "%s: an AS number or a list of them", what);
		return (-1);
	}
	if ((l = calloc(cnt ? cnt : 1, sizeof(*l))) == NULL) {
		merr(c, n, "out of memory");
		return (-1);
	}
	for (it = n->type == YAML_SEQUENCE_NODE ?
	    n->data.sequence.items.start : NULL; i < cnt; i++) {
		in = it != NULL ? yaml_document_get_node(c->doc, *it++) : n;
		if ((s = scalar(c, in, what)) == NULL ||
		    parse_asn(s, &l[i]) == -1) {
			if (s != NULL)
				merr(c, in, "%s: \"%s\" is not an AS number "
				    "(1 to 4294967295, AS prefix allowed)",
				    what, s);
			free(l);
			return (-1);
		}
	}
	free(*out);
	*out = l;
	*nout = cnt;
	return (0);
}

typedef int (*map_fn)(struct mctx *, const char *, yaml_node_t *, void *);

static int
walk_map(struct mctx *c, yaml_node_t *n, const char *what, map_fn fn,
    void *arg)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *v;

	if (n == NULL || n->type != YAML_MAPPING_NODE) {
		merr(c, n, "%s: expected a mapping (key: value lines)", what);
		return (-1);
	}
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yaml_document_get_node(c->doc, p->key);
		v = yaml_document_get_node(c->doc, p->value);
		if (k == NULL || k->type != YAML_SCALAR_NODE) {
			merr(c, k, "%s: keys must be plain words", what);
			return (-1);
		}
		if (fn(c, (const char *)k->data.scalar.value, v, arg) == -1)
			return (-1);
	}
	return (0);
}

static int
walk_seq(struct mctx *c, yaml_node_t *n, const char *what,
    int (*fn)(struct mctx *, yaml_node_t *, void *), void *arg)
{
	yaml_node_item_t *it;

	if (n == NULL || n->type != YAML_SEQUENCE_NODE) {
		merr(c, n, "%s: expected a list (lines starting with -)", what);
		return (-1);
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++)
		if (fn(c, yaml_document_get_node(c->doc, *it), arg) == -1)
			return (-1);
	return (0);
}

/*
 * Thresholds.
 */
static int
th_key(struct mctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct mon_thresholds *t = arg;

	if (strcmp(k, "min_sources") == 0)
		return (get_uint(c, v, k, 65535, &t->min_sources));
	if (strcmp(k, "min_peer_ases") == 0)
		return (get_uint(c, v, k, 65535, &t->min_peer_ases));
	if (strcmp(k, "hold_down") == 0)
		return (get_duration(c, v, k, &t->hold_down_ms));
	if (strcmp(k, "clear_after") == 0)
		return (get_duration(c, v, k, &t->clear_after_ms));
	if (strcmp(k, "update_interval") == 0)
		return (get_duration(c, v, k, &t->update_interval_ms));
	if (strcmp(k, "visibility_percent") == 0)
		return (get_uint(c, v, k, 100, &t->vis_percent));
	if (strcmp(k, "visibility_min_sources") == 0)
		return (get_uint(c, v, k, 65535, &t->vis_min_sources));
	if (strcmp(k, "visibility_hold_down") == 0)
		return (get_duration(c, v, k, &t->vis_hold_down_ms));
	if (strcmp(k, "restart_grace") == 0)
		return (get_duration(c, v, k, &t->restart_grace_ms));
	if (strcmp(k, "max_resolved") == 0)
		return (get_uint(c, v, k, 10000000, &t->max_resolved));
	if (strcmp(k, "retention_days") == 0)
		return (get_uint(c, v, k, 36500, &t->retention_days));
	merr(c, v, "thresholds: unknown key \"%s\"", k);
	return (-1);
}

/*
 * Prefixes.
 */
struct rule_ctx {
	struct mon_rule	 r;
	yaml_node_t	*pfx_node;
	yaml_node_t	*group_node;
};

static int
rule_key(struct mctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct rule_ctx	*rc = arg;
	struct mon_rule	*r = &rc->r;
	unsigned	 u;

	if (strcmp(k, "prefix") == 0 || strcmp(k, "prefixes") == 0) {
		rc->pfx_node = v;
		return (0);
	}
	if (strcmp(k, "origins") == 0 || strcmp(k, "origin") == 0)
		return (get_asns(c, v, k, &r->origins, &r->n_origins));
	if (strcmp(k, "upstreams") == 0 || strcmp(k, "neighbors") == 0)
		return (get_asns(c, v, k, &r->upstreams, &r->n_upstreams));
	if (strcmp(k, "more_specifics") == 0)
		return (get_bool(c, v, k, &r->more_specifics));
	if (strcmp(k, "description") == 0)
		return (get_dup(c, v, k, &r->description));
	if (strcmp(k, "group") == 0) {
		rc->group_node = v;
		return (get_name(c, v, k, r->group));
	}
	if (strcmp(k, "visibility_percent") == 0) {
		if (get_uint(c, v, k, 100, &u) == -1)
			return (-1);
		r->vis_percent = (int)u;
		return (0);
	}
	merr(c, v, "prefixes: unknown key \"%s\"", k);
	return (-1);
}

static void
rule_free(struct mon_rule *r)
{
	free(r->origins);
	free(r->upstreams);
	free(r->description);
}

static int
rule_copy(struct mon_rule *dst, const struct mon_rule *src)
{
	*dst = *src;
	dst->origins = dst->upstreams = NULL;
	dst->description = NULL;
	if ((dst->origins = malloc(src->n_origins * sizeof(uint32_t))) == NULL ||
	    (src->n_upstreams > 0 && (dst->upstreams =
	    malloc(src->n_upstreams * sizeof(uint32_t))) == NULL) ||
	    (src->description != NULL && (dst->description =
	    strdup(src->description)) == NULL)) {
		rule_free(dst);
		return (-1);
	}
	memcpy(dst->origins, src->origins, src->n_origins * sizeof(uint32_t));
	if (src->n_upstreams > 0)
		memcpy(dst->upstreams, src->upstreams,
		    src->n_upstreams * sizeof(uint32_t));
	return (0);
}

/* Add one prefix of an item, the settings copied from the item. */
static int
rule_add(struct mctx *c, struct rule_ctx *rc, yaml_node_t *pn)
{
	struct mon_conf	*mc = c->mc;
	struct mon_rule	*nr;
	struct rtnode	*node;
	struct prefix	 p;
	const char	*s;
	bool		 created;
	char		 pb[PREFIX_STRLEN];

	if ((s = scalar(c, pn, "prefix")) == NULL)
		return (-1);
	if (strchr(s, '/') == NULL || prefix_parse(s, &p) == -1) {
		merr(c, pn, "prefix: \"%s\" is not a prefix (a.b.c.d/len or "
		    "x:y::/len)", s);
		return (-1);
	}
	if ((nr = realloc(mc->rules, (mc->n_rules + 1) * sizeof(*nr))) ==
	    NULL) {
		merr(c, pn, "out of memory");
		return (-1);
	}
	mc->rules = nr;
	node = rtree_insert(mc->trie[p.afi == AFI_IPV6], &p, &created);
	if (node == NULL) {
		merr(c, pn, "out of memory");
		return (-1);
	}
	if (!created && node->value != NULL) {
		merr(c, pn, "prefix %s is listed twice (first on line %u)",
		    prefix_fmt(&p, pb, sizeof(pb)),
		    mc->rules[(uintptr_t)node->value - 1].line);
		return (-1);
	}
	if (rule_copy(&mc->rules[mc->n_rules], &rc->r) == -1) {
		merr(c, pn, "out of memory");
		return (-1);
	}
	mc->rules[mc->n_rules].pfx = p;
	mc->rules[mc->n_rules].line = (unsigned)pn->start_mark.line + 1;
	node->value = (void *)(uintptr_t)(mc->n_rules + 1);
	mc->n_rules++;
	return (0);
}

static int
rule_item(struct mctx *c, yaml_node_t *n, void *arg)
{
	struct rule_ctx		 rc;
	yaml_node_item_t	*it;
	int			 rv = -1;

	(void)arg;
	memset(&rc, 0, sizeof(rc));
	rc.r.vis_percent = -1;
	strcpy(rc.r.group, "default");
	if (walk_map(c, n, "prefixes", rule_key, &rc) == -1)
		goto done;
	if (rc.pfx_node == NULL || rc.r.n_origins == 0) {
		merr(c, n, "prefixes: prefix and origins are required");
		goto done;
	}
	if (rc.group_node != NULL && mon_group_find(c->mc, rc.r.group) ==
	    NULL && strcmp(rc.r.group, "default") != 0) {
		/* Groups may come later in the file: checked at the end. */
		struct hookref *hr = realloc(c->refs, (c->n_refs + 1) *
		    sizeof(*hr));

		if (hr == NULL) {
			merr(c, n, "out of memory");
			goto done;
		}
		c->refs = hr;
		hr = &c->refs[c->n_refs++];
		snprintf(hr->name, sizeof(hr->name), "%s", rc.r.group);
		hr->group = SIZE_MAX;		/* a group reference */
		hr->node = rc.group_node;
	}
	if (rc.pfx_node->type == YAML_SEQUENCE_NODE) {
		for (it = rc.pfx_node->data.sequence.items.start;
		    it < rc.pfx_node->data.sequence.items.top; it++)
			if (rule_add(c, &rc, yaml_document_get_node(c->doc,
			    *it)) == -1)
				goto done;
	} else if (rule_add(c, &rc, rc.pfx_node) == -1)
		goto done;
	rv = 0;
done:
	rule_free(&rc.r);
	return (rv);
}

/*
 * Webhooks.
 */
static int
tmpl_check(struct mctx *c, yaml_node_t *n, const char *what, const char *t)
{
	const char	*p = t, *e;
	size_t		 i, len;

	while ((p = strstr(p, "{{")) != NULL) {
		if ((e = strstr(p + 2, "}}")) == NULL) {
			merr(c, n, "%s: \"{{\" without \"}}\"", what);
			return (-1);
		}
		p += 2;
		while (*p == ' ')
			p++;
		for (len = (size_t)(e - p); len > 0 && p[len - 1] == ' '; len--)
			;
		for (i = 0; mon_placeholders[i] != NULL; i++)
			if (strlen(mon_placeholders[i]) == len &&
			    strncmp(mon_placeholders[i], p, len) == 0)
				break;
		if (mon_placeholders[i] == NULL) {
			merr(c, n, "%s: unknown placeholder {{%.*s}} (see "
			    "docs/detection.md)", what, (int)len, p);
			return (-1);
		}
		p = e + 2;
	}
	return (0);
}

static int
hook_events(struct mctx *c, yaml_node_t *n, struct mon_webhook *h)
{
	yaml_node_item_t	*it;
	const char		*s;

	if (n->type != YAML_SEQUENCE_NODE) {
		merr(c, n, "events: a list of opened, updated, resolved");
		return (-1);
	}
	h->events = 0;
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		yaml_node_t *in = yaml_document_get_node(c->doc, *it);

		if ((s = scalar(c, in, "events")) == NULL)
			return (-1);
		if (strcmp(s, "opened") == 0)
			h->events |= HOOK_EV_OPENED;
		else if (strcmp(s, "updated") == 0)
			h->events |= HOOK_EV_UPDATED;
		else if (strcmp(s, "resolved") == 0)
			h->events |= HOOK_EV_RESOLVED;
		else {
			merr(c, in, "events: \"%s\" is not opened, updated "
			    "or resolved", s);
			return (-1);
		}
	}
	return (0);
}

static int
hook_headers(struct mctx *c, yaml_node_t *n, struct mon_webhook *h)
{
	yaml_node_item_t	*it;
	yaml_node_t		*in;
	const char		*s, *colon;
	char			**nh;

	if (n->type != YAML_SEQUENCE_NODE) {
		merr(c, n, "headers: a list of \"Name: value\" lines");
		return (-1);
	}
	for (it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++) {
		in = yaml_document_get_node(c->doc, *it);
		if ((s = scalar(c, in, "headers")) == NULL)
			return (-1);
		if ((colon = strchr(s, ':')) == NULL || colon == s ||
		    strpbrk(s, "\r\n") != NULL) {
			merr(c, in, "headers: \"%s\" is not \"Name: value\"",
			    s);
			return (-1);
		}
		if (tmpl_check(c, in, "headers", s) == -1)
			return (-1);
		nh = realloc(h->headers, (h->n_headers + 1) * sizeof(*nh));
		if (nh == NULL || (nh[h->n_headers] = strdup(s)) == NULL) {
			if (nh != NULL)
				h->headers = nh;
			merr(c, in, "out of memory");
			return (-1);
		}
		h->headers = nh;
		h->n_headers++;
	}
	return (0);
}

static int
hook_key(struct mctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct mon_webhook	*h = arg;
	const char		*s;
	int			 sev;

	if (strcmp(k, "name") == 0)
		return (get_name(c, v, k, h->name));
	if (strcmp(k, "url") == 0) {
		if (get_dup(c, v, k, &h->url) == -1)
			return (-1);
		if (strncmp(h->url, "http://", 7) != 0 &&
		    strncmp(h->url, "https://", 8) != 0) {
			merr(c, v, "url: \"%s\" is not an http:// or https:// "
			    "URL", h->url);
			return (-1);
		}
		return (0);
	}
	if (strcmp(k, "secret") == 0)
		return (get_dup(c, v, k, &h->secret));
	if (strcmp(k, "body") == 0)
		return (get_dup(c, v, k, &h->body) == -1 ? -1 :
		    tmpl_check(c, v, k, h->body));
	if (strcmp(k, "headers") == 0)
		return (hook_headers(c, v, h));
	if (strcmp(k, "content_type") == 0)
		return (get_str(c, v, k, h->content_type,
		    sizeof(h->content_type)));
	if (strcmp(k, "ca_file") == 0)
		return (get_dup(c, v, k, &h->ca_file));
	if (strcmp(k, "insecure") == 0)
		return (get_bool(c, v, k, &h->insecure));
	if (strcmp(k, "events") == 0)
		return (hook_events(c, v, h));
	if (strcmp(k, "min_severity") == 0) {
		if ((s = scalar(c, v, k)) == NULL)
			return (-1);
		if ((sev = det_severity_parse(s)) == -1) {
			merr(c, v, "min_severity: \"%s\" is not info, low, "
			    "medium, high or critical", s);
			return (-1);
		}
		h->min_severity = (enum det_severity)sev;
		return (0);
	}
	if (strcmp(k, "timeout") == 0)
		return (get_duration(c, v, k, &h->timeout_ms));
	if (strcmp(k, "connect_timeout") == 0)
		return (get_duration(c, v, k, &h->connect_timeout_ms));
	if (strcmp(k, "retry_min") == 0)
		return (get_duration(c, v, k, &h->retry_min_ms));
	if (strcmp(k, "retry_max") == 0)
		return (get_duration(c, v, k, &h->retry_max_ms));
	merr(c, v, "webhooks: unknown key \"%s\"", k);
	return (-1);
}

static void
hook_defaults(struct mon_webhook *h)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->content_type, sizeof(h->content_type),
	    "application/json");
	h->events = HOOK_EV_OPENED | HOOK_EV_UPDATED | HOOK_EV_RESOLVED;
	h->min_severity = SEV_INFO;
	h->timeout_ms = 10000;
	h->connect_timeout_ms = 5000;
	h->retry_min_ms = 1000;
	h->retry_max_ms = 300000;
}

static void
hook_free(struct mon_webhook *h)
{
	size_t i;

	free(h->url);
	free(h->secret);
	free(h->body);
	free(h->ca_file);
	for (i = 0; i < h->n_headers; i++)
		free(h->headers[i]);
	free(h->headers);
}

static ssize_t
hook_find(const struct mon_conf *mc, const char *name)
{
	size_t i;

	for (i = 0; i < mc->n_hooks; i++)
		if (strcmp(mc->hooks[i].name, name) == 0)
			return ((ssize_t)i);
	return (-1);
}

/* Parse one webhook mapping; name is the default name. */
static int
hook_parse(struct mctx *c, yaml_node_t *n, const char *name, size_t *idx)
{
	struct mon_conf		*mc = c->mc;
	struct mon_webhook	*nh, h;

	hook_defaults(&h);
	snprintf(h.name, sizeof(h.name), "%s", name);
	if (walk_map(c, n, "webhooks", hook_key, &h) == -1)
		goto fail;
	if (h.url == NULL) {
		merr(c, n, "webhooks: url is required");
		goto fail;
	}
	if (h.retry_min_ms == 0)
		h.retry_min_ms = 100;
	if (h.retry_max_ms < h.retry_min_ms)
		h.retry_max_ms = h.retry_min_ms;
	if (hook_find(mc, h.name) != -1) {
		merr(c, n, "webhook \"%s\" is defined twice", h.name);
		goto fail;
	}
	if ((nh = realloc(mc->hooks, (mc->n_hooks + 1) * sizeof(*nh))) ==
	    NULL) {
		merr(c, n, "out of memory");
		goto fail;
	}
	mc->hooks = nh;
	*idx = mc->n_hooks;
	mc->hooks[mc->n_hooks++] = h;
	return (0);
fail:
	hook_free(&h);
	return (-1);
}

static int
hooks_key(struct mctx *c, const char *k, yaml_node_t *v, void *arg)
{
	char	name[MON_NAME_MAX];
	size_t	idx;

	(void)arg;
	if (strlen(k) >= sizeof(name)) {
		merr(c, v, "webhook name \"%s\" is too long", k);
		return (-1);
	}
	snprintf(name, sizeof(name), "%s", k);
	return (hook_parse(c, v, name, &idx));
}

/*
 * Groups: name -> { webhooks: [name or inline mapping, ...] }.
 */
struct group_ctx {
	size_t		 gi;
	unsigned	 n_inline;
};

static int
group_hook_item(struct mctx *c, yaml_node_t *n, void *arg)
{
	struct group_ctx	*gc = arg;
	struct mon_group	*g = &c->mc->groups[gc->gi];
	struct hookref		*hr;
	char			 name[MON_NAME_MAX];
	size_t			 idx, *nh;

	if (n->type == YAML_MAPPING_NODE) {
		snprintf(name, sizeof(name), "%.40s-%u", g->name,
		    ++gc->n_inline);
		if (hook_parse(c, n, name, &idx) == -1)
			return (-1);
		if ((nh = realloc(g->hooks, (g->n_hooks + 1) *
		    sizeof(*nh))) == NULL) {
			merr(c, n, "out of memory");
			return (-1);
		}
		g->hooks = nh;
		g->hooks[g->n_hooks++] = idx;
		return (0);
	}
	if (get_name(c, n, "webhooks", name) == -1)
		return (-1);
	/* Keep its place; the webhook may be defined further down. */
	if ((nh = realloc(g->hooks, (g->n_hooks + 1) * sizeof(*nh))) == NULL ||
	    (hr = realloc(c->refs, (c->n_refs + 1) * sizeof(*hr))) == NULL) {
		if (nh != NULL)
			g->hooks = nh;
		merr(c, n, "out of memory");
		return (-1);
	}
	g->hooks = nh;
	c->refs = hr;
	hr = &c->refs[c->n_refs++];
	snprintf(hr->name, sizeof(hr->name), "%s", name);
	hr->group = gc->gi;
	hr->slot = g->n_hooks++;
	hr->node = n;
	return (0);
}

static int
group_key(struct mctx *c, const char *k, yaml_node_t *v, void *arg)
{
	if (strcmp(k, "webhooks") == 0)
		return (walk_seq(c, v, "webhooks", group_hook_item, arg));
	merr(c, v, "groups: unknown key \"%s\"", k);
	return (-1);
}

static int
groups_key(struct mctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct mon_conf		*mc = c->mc;
	struct mon_group	*ng;
	struct group_ctx	 gc;

	(void)arg;
	if (mon_group_find(mc, k) != NULL) {
		merr(c, v, "group \"%s\" is defined twice", k);
		return (-1);
	}
	if ((ng = realloc(mc->groups, (mc->n_groups + 1) * sizeof(*ng))) ==
	    NULL) {
		merr(c, v, "out of memory");
		return (-1);
	}
	mc->groups = ng;
	memset(&ng[mc->n_groups], 0, sizeof(*ng));
	if (strlen(k) >= MON_NAME_MAX) {
		merr(c, v, "group name \"%s\" is too long", k);
		return (-1);
	}
	snprintf(ng[mc->n_groups].name, MON_NAME_MAX, "%s", k);
	gc.gi = mc->n_groups++;
	gc.n_inline = 0;
	if (v->type == YAML_SCALAR_NODE && v->data.scalar.length == 0)
		return (0);	/* "noc:" alone: a group with no webhook */
	return (walk_map(c, v, "groups", group_key, &gc));
}

static int
exclude_item(struct mctx *c, yaml_node_t *n, void *arg)
{
	struct mon_conf	*mc = c->mc;
	struct addr	*na, a;
	const char	*s;

	(void)arg;
	if ((s = scalar(c, n, "exclude_sources")) == NULL)
		return (-1);
	if (addr_parse(s, &a) == -1) {
		merr(c, n, "exclude_sources: \"%s\" is not an address", s);
		return (-1);
	}
	if ((na = realloc(mc->exclude, (mc->n_exclude + 1) * sizeof(*na))) ==
	    NULL) {
		merr(c, n, "out of memory");
		return (-1);
	}
	mc->exclude = na;
	mc->exclude[mc->n_exclude++] = a;
	return (0);
}

static int
top_key(struct mctx *c, const char *k, yaml_node_t *v, void *arg)
{
	struct mon_conf *mc = c->mc;

	(void)arg;
	if (strcmp(k, "thresholds") == 0)
		return (walk_map(c, v, k, th_key, &mc->th));
	if (strcmp(k, "prefixes") == 0)
		return (walk_seq(c, v, k, rule_item, NULL));
	if (strcmp(k, "groups") == 0)
		return (walk_map(c, v, k, groups_key, NULL));
	if (strcmp(k, "webhooks") == 0)
		return (walk_map(c, v, k, hooks_key, NULL));
	if (strcmp(k, "exclude_sources") == 0)
		return (walk_seq(c, v, k, exclude_item, NULL));
	if (strcmp(k, "relationships") == 0) {
		c->rel_node = v;
		return (get_str(c, v, k, mc->rel_file, sizeof(mc->rel_file)));
	}
	if (strcmp(k, "vrp") == 0) {
		c->vrp_node = v;
		return (get_str(c, v, k, mc->vrp_file, sizeof(mc->vrp_file)));
	}
	if (strcmp(k, "looking_glass_url") == 0)
		return (get_str(c, v, k, mc->lg_url, sizeof(mc->lg_url)));
	merr(c, v, "unknown key \"%s\"", k);
	return (-1);
}

/* Group and webhook names used before their definition. */
static int
resolve_refs(struct mctx *c)
{
	struct mon_conf		*mc = c->mc;
	struct hookref		*hr;
	ssize_t			 hi;
	size_t			 i;

	for (i = 0; i < c->n_refs; i++) {
		hr = &c->refs[i];
		if (hr->group == SIZE_MAX) {
			if (mon_group_find(mc, hr->name) == NULL) {
				merr(c, hr->node, "group \"%s\" is not "
				    "defined under groups", hr->name);
				return (-1);
			}
			continue;
		}
		if ((hi = hook_find(mc, hr->name)) == -1) {
			merr(c, hr->node, "webhook \"%s\" is not defined under "
			    "webhooks", hr->name);
			return (-1);
		}
		mc->groups[hr->group].hooks[hr->slot] = (size_t)hi;
	}
	return (0);
}

/* A path relative to the directory of the monitor file. */
static void
rel_path(const char *base, char *path, size_t len)
{
	char	tmp[PATH_MAX], dir[PATH_MAX];
	int	n;

	if (path[0] == '/' || path[0] == '\0')
		return;
	snprintf(dir, sizeof(dir), "%s", base);
	n = snprintf(tmp, sizeof(tmp), "%s/%s", dirname(dir), path);
	if (n > 0 && (size_t)n < len)
		memcpy(path, tmp, (size_t)n + 1);
}

#define V4MAP_BITS	65536
#define V6MAP_BITS	65536

static unsigned
v6_slot(const struct prefix *p)
{
	uint32_t h = (uint32_t)p->b[0] << 24 | (uint32_t)p->b[1] << 16 |
	    (uint32_t)p->b[2] << 8 | p->b[3];

	h *= 0x9e3779b1u;
	return (h >> 16);
}

static unsigned
v4_slot(const struct prefix *p)
{
	return ((unsigned)p->b[0] << 8 | p->b[1]);
}

/* The sieve of mon_match (see detect.h). */
static int
build_maps(struct mon_conf *mc)
{
	const struct prefix	*p;
	unsigned		 first, n, i;
	size_t			 r;

	if ((mc->v4map = calloc(V4MAP_BITS / 8, 1)) == NULL ||
	    (mc->v6map = calloc(V6MAP_BITS / 8, 1)) == NULL)
		return (-1);
	for (r = 0; r < mc->n_rules; r++) {
		p = &mc->rules[r].pfx;
		if (p->afi == AFI_IPV6) {
			if (p->len < 32)
				mc->v6_all = true;
			else
				mc->v6map[v6_slot(p) >> 3] |= 1 << (v6_slot(p) & 7);
			continue;
		}
		first = v4_slot(p);
		n = p->len >= 16 ? 1 : 1u << (16 - p->len);
		for (i = first; i < first + n; i++)
			mc->v4map[i >> 3] |= (uint8_t)(1 << (i & 7));
	}
	return (0);
}

static int
load_inputs(struct mctx *c)
{
	struct mon_conf	*mc = c->mc;
	char		 e[400], path[PATH_MAX], *p;
	size_t		 i;

	for (i = 0; i < mc->n_hooks; i++) {
		if (mc->hooks[i].ca_file == NULL ||
		    mc->hooks[i].ca_file[0] == '/')
			continue;
		snprintf(path, sizeof(path), "%s", mc->hooks[i].ca_file);
		rel_path(c->file, path, sizeof(path));
		if ((p = strdup(path)) == NULL)
			return (-1);
		free(mc->hooks[i].ca_file);
		mc->hooks[i].ca_file = p;
	}

	if (mc->rel_file[0] != '\0') {
		rel_path(c->file, mc->rel_file, sizeof(mc->rel_file));
		if ((mc->rel = asrel_load(mc->rel_file, e, sizeof(e))) ==
		    NULL) {
			merr(c, c->rel_node, "relationships: %s", e);
			return (-1);
		}
	}
	if (mc->vrp_file[0] != '\0') {
		rel_path(c->file, mc->vrp_file, sizeof(mc->vrp_file));
		if ((mc->vrp = vrp_load(mc->vrp_file, e, sizeof(e))) == NULL) {
			merr(c, c->vrp_node, "vrp: %s", e);
			return (-1);
		}
	}
	return (0);
}

void
mon_defaults(struct mon_conf *mc)
{
	memset(mc, 0, sizeof(*mc));
	mc->th.min_sources = 1;
	mc->th.min_peer_ases = 1;
	mc->th.hold_down_ms = 0;
	mc->th.clear_after_ms = 60000;
	mc->th.update_interval_ms = 60000;
	mc->th.vis_percent = 50;
	mc->th.vis_min_sources = 3;
	mc->th.vis_hold_down_ms = 60000;
	mc->th.restart_grace_ms = 600000;
	mc->th.max_resolved = 10000;
	mc->th.retention_days = 30;
}

static int
mon_parse(struct mctx *c, const void *buf, size_t len)
{
	yaml_parser_t	 parser;
	yaml_document_t	 doc;
	yaml_node_t	*root;
	int		 rv = 0;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(c->err, c->errlen, "%s: cannot start the YAML parser",
		    c->file);
		return (-1);
	}
	yaml_parser_set_input_string(&parser, buf, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(c->err, c->errlen, "%s:%zu:%zu: %s", c->file,
		    parser.problem_mark.line + 1,
		    parser.problem_mark.column + 1,
		    parser.problem ? parser.problem : "YAML syntax error");
		yaml_parser_delete(&parser);
		return (-1);
	}
	c->doc = &doc;
	if ((root = yaml_document_get_root_node(&doc)) != NULL)
		rv = walk_map(c, root, "top level", top_key, NULL);
	if (rv == 0 && !c->failed)
		rv = resolve_refs(c);
	if (rv == 0 && !c->failed)
		rv = load_inputs(c);
	if (rv == 0 && !c->failed && build_maps(c->mc) == -1) {
		snprintf(c->err, c->errlen, "%s: out of memory", c->file);
		rv = -1;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return (rv == -1 || c->failed ? -1 : 0);
}

int
mon_load_mem(const char *name, const void *buf, size_t len,
    struct mon_conf *mc, char *err, size_t errlen)
{
	struct mctx	c;
	int		rv;

	mon_defaults(mc);
	snprintf(mc->file, sizeof(mc->file), "%s", name);
	if ((mc->trie[0] = rtree_create(AFI_IPV4)) == NULL ||
	    (mc->trie[1] = rtree_create(AFI_IPV6)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", name);
		mon_free(mc);
		return (-1);
	}
	memset(&c, 0, sizeof(c));
	c.file = name;
	c.err = err;
	c.errlen = errlen;
	c.mc = mc;
	rv = mon_parse(&c, buf, len);
	free(c.refs);
	if (rv == -1)
		mon_free(mc);
	return (rv);
}

int
mon_load(const char *path, struct mon_conf *mc, char *err, size_t errlen)
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
	    len > (1L << 28) || fseek(f, 0, SEEK_SET) == -1) {
		snprintf(err, errlen, "%s: unreadable or over 256 MiB", path);
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
	rv = mon_load_mem(path, buf, (size_t)len, mc, err, errlen);
	free(buf);
	return (rv);
}

void
mon_free(struct mon_conf *mc)
{
	size_t i;

	for (i = 0; i < mc->n_rules; i++)
		rule_free(&mc->rules[i]);
	free(mc->rules);
	for (i = 0; i < mc->n_hooks; i++)
		hook_free(&mc->hooks[i]);
	free(mc->hooks);
	for (i = 0; i < mc->n_groups; i++)
		free(mc->groups[i].hooks);
	free(mc->groups);
	free(mc->exclude);
	if (mc->trie[0] != NULL)
		rtree_destroy(mc->trie[0], NULL, NULL);
	if (mc->trie[1] != NULL)
		rtree_destroy(mc->trie[1], NULL, NULL);
	asrel_free(mc->rel);
	vrp_free(mc->vrp);
	free(mc->v4map);
	free(mc->v6map);
	memset(mc, 0, sizeof(*mc));
}

const struct mon_rule *
mon_match(const struct mon_conf *mc, const struct prefix *p)
{
	struct rtnode	*n;

	unsigned	 i;

	if (mc == NULL || mc->n_rules == 0 ||
	    (p->afi != AFI_IPV4 && p->afi != AFI_IPV6))
		return (NULL);
	/*
	 * A rule covering p covers the /16 (or /32) p starts in, so it set
	 * that bit; so did a rule inside it.  p shorter than /32 in IPv6
	 * could cover rules in other slots: the trie decides.
	 */
	if (p->afi == AFI_IPV4 && mc->v4map != NULL) {
		i = v4_slot(p);
		if (!(mc->v4map[i >> 3] & (1 << (i & 7))))
			return (NULL);
	} else if (p->afi == AFI_IPV6 && mc->v6map != NULL && !mc->v6_all &&
	    p->len >= 32) {
		i = v6_slot(p);
		if (!(mc->v6map[i >> 3] & (1 << (i & 7))))
			return (NULL);
	}
	n = rtree_match_prefix(mc->trie[p->afi == AFI_IPV6], p);
	if (n == NULL || n->value == NULL)
		return (NULL);
	return (&mc->rules[(uintptr_t)n->value - 1]);
}

bool
mon_excluded(const struct mon_conf *mc, const struct addr *a)
{
	size_t i;

	for (i = 0; i < mc->n_exclude; i++)
		if (addr_cmp(&mc->exclude[i], a) == 0)
			return (true);
	return (false);
}

const struct mon_group *
mon_group_find(const struct mon_conf *mc, const char *name)
{
	size_t i;

	for (i = 0; i < mc->n_groups; i++)
		if (strcmp(mc->groups[i].name, name) == 0)
			return (&mc->groups[i]);
	return (NULL);
}
