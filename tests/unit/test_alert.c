/*
 * test_alert.c -- the alert engine (collector/alert*.c) on a real RIB:
 * lifecycle (open, update, resolve), thresholds and hold-downs,
 * visibility loss, reconfiguration, the journal and its replay, webhook
 * queues and templates, HMAC, and the list API.  Webhook senders are
 * not started here (the integration test posts to a real receiver).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alert.h"
#include "bgp.h"
#include "detect.h"
#include "rib.h"
#include "mkpath.h"

#define SEC	1000000ULL

struct ev {
	enum alert_event ev;
	char		 type[32];
	char		 prefix[64];
	char		 id[20];
	int		 rev;
	int		 sources_now;
};

struct env {
	struct rib	*rib;
	struct alertd	*ad;
	uint16_t	 src[8];
	struct ev	 log[64];
	size_t		 n;
	char		 dir[64];
};

static void
on_event(void *arg, enum alert_event ev, json_t *a)
{
	struct env	*e = arg;
	struct ev	*l;

	if (e->n >= 64) {
		e->n++;		/* counted, not kept */
		return;
	}
	l = &e->log[e->n++];
	l->ev = ev;
	snprintf(l->type, sizeof(l->type), "%s",
	    json_string_value(json_object_get(a, "type")));
	snprintf(l->prefix, sizeof(l->prefix), "%s",
	    json_string_value(json_object_get(a, "prefix")));
	snprintf(l->id, sizeof(l->id), "%s",
	    json_string_value(json_object_get(a, "id")));
	l->rev = (int)json_integer_value(json_object_get(a, "revision"));
	l->sources_now = (int)json_integer_value(json_object_get(a,
	    "sources_now"));
}

static struct mon_conf *
monitor(const char *yaml)
{
	struct mon_conf	*mc = calloc(1, sizeof(*mc));
	char		 err[512];

	assert_non_null(mc);
	if (mon_load_mem("mon.yaml", yaml, strlen(yaml), mc, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
	return (mc);
}

static void
env_start(struct env *e, const char *yaml, const char *dir)
{
	struct rib_config	rc = { 0, 0, 0, 0 };
	struct alertd_opts	o;
	struct rib_source	s;
	char			err[256];
	int			i;

	memset(e, 0, sizeof(*e));
	assert_non_null(e->rib = rib_new(&rc));
	for (i = 0; i < 8; i++) {
		memset(&s, 0, sizeof(s));
		addr_set_v4(&s.peer, 0xc0000201 + (uint32_t)i);
		s.peer_as = 65001 + (uint32_t)(i % 4);	/* 4 neighbour ASes */
		e->src[i] = rib_source_add(e->rib, &s);
	}
	memset(&o, 0, sizeof(o));
	o.on_event = on_event;
	o.arg = e;
	o.lg_url = "http://lg.example";
	o.data_dir = dir;
	o.deliver = false;
	if ((e->ad = alertd_new(e->rib, &o, err, sizeof(err))) == NULL)
		fail_msg("%s", err);
	alertd_configure(e->ad, monitor(yaml));
	rib_set_listener(e->rib, alertd_rib_event, e->ad);
}

static void
env_stop(struct env *e)
{
	rib_set_listener(e->rib, NULL, NULL);
	alertd_free(e->ad);
	rib_free(e->rib);
}

/* src i announces (path) or withdraws (NULL) prefix at second t. */
static void
route(struct env *e, int i, const char *pfx, const char *path, uint64_t t)
{
	struct bgp_attrs	*a;
	struct prefix		 p;
	uint8_t			 buf[256];
	uint32_t		 attr = 0;

	assert_int_equal(prefix_parse(pfx, &p), 0);
	if (path != NULL) {
		assert_non_null(a = calloc(1, sizeof(*a)));
		a->seen = 1ull << ATTR_ORIGIN | 1ull << ATTR_AS_PATH |
		    1ull << ATTR_NEXT_HOP;
		a->aspath = buf;
		a->aspath_len = (uint32_t)mkpath(buf, path);
		addr_parse("192.0.2.254", &a->nexthop);
		attr = rib_attr_intern(e->rib, a, &a->nexthop, NULL);
		assert_int_not_equal(attr, 0);
		free(a);
	}
	rib_wrlock(e->rib);
	assert_true(rib_update(e->rib, &p, e->src[i], 0, attr, t * SEC) >= 0);
	rib_unlock(e->rib);
	if (attr != 0)
		rib_attr_put(e->rib, attr);
}

static void
tick(struct env *e, uint64_t t)
{
	alertd_tick(e->ad, t * SEC);
}

static size_t
count(struct env *e, const char *state, const char *type)
{
	struct alert_filter	 f;
	json_t			*o;
	size_t			 n;

	memset(&f, 0, sizeof(f));
	f.state = state ? alert_state_parse(state) : -1;
	f.type = type ? det_type_parse(type) : -1;
	f.limit = 1000;
	assert_non_null(o = alertd_list(e->ad, &f));
	n = (size_t)json_integer_value(json_object_get(o, "count"));
	json_decref(o);
	return (n);
}

#define RULES \
    "prefixes:\n" \
    "  - prefix: 10.0.0.0/16\n" \
    "    origins: [64500]\n" \
    "    upstreams: [64510]\n" \
    "  - prefix: 10.9.0.0/16\n" \
    "    origins: [64509]\n"

static void
test_lifecycle(void **state)
{
	struct env e;

	(void)state;
	env_start(&e, "thresholds:\n  clear_after: 0\n  update_interval: 10\n"
	    RULES, NULL);
	route(&e, 0, "10.0.0.0/16", "65001 64510 64500", 100);
	route(&e, 1, "10.0.0.0/16", "65002 64510 64500", 100);
	assert_int_equal(e.n, 0);
	/* A's route becomes a hijack: opened at once. */
	route(&e, 0, "10.0.0.0/16", "65001 666", 101);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.log[0].ev, AEV_OPENED);
	assert_string_equal(e.log[0].type, "exact_prefix_hijack");
	assert_int_equal(e.log[0].rev, 1);
	/* B joins: news, but coalesced to the update interval. */
	route(&e, 1, "10.0.0.0/16", "65002 666", 102);
	route(&e, 1, "10.0.0.0/16", "65002 666", 103);	/* no change */
	tick(&e, 105);
	assert_int_equal(e.n, 1);
	tick(&e, 111);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.log[1].ev, AEV_UPDATED);
	assert_int_equal(e.log[1].sources_now, 2);
	assert_string_equal(e.log[1].id, e.log[0].id);
	tick(&e, 130);
	assert_int_equal(e.n, 2);			/* nothing new */
	/* One withdraws: still open; the last goes: resolved. */
	route(&e, 0, "10.0.0.0/16", NULL, 131);
	assert_int_equal(count(&e, "open", NULL), 1);
	route(&e, 1, "10.0.0.0/16", "65002 64510 64500", 132);
	assert_int_equal(e.n, 3);
	assert_int_equal(e.log[2].ev, AEV_RESOLVED);
	assert_int_equal(e.log[2].rev, 3);
	assert_int_equal(count(&e, "open", NULL), 0);
	assert_int_equal(count(&e, "resolved", NULL), 1);
	/* It comes back: a new alert, a new id. */
	route(&e, 2, "10.0.0.0/16", "65003 666", 140);
	assert_int_equal(e.n, 4);
	assert_int_equal(e.log[3].ev, AEV_OPENED);
	assert_string_not_equal(e.log[3].id, e.log[0].id);
	env_stop(&e);
}

static void
test_thresholds(void **state)
{
	struct env e;

	(void)state;
	env_start(&e, "thresholds:\n  clear_after: 0\n  min_sources: 2\n"
	    "  min_peer_ases: 2\n  hold_down: 5\n" RULES, NULL);
	route(&e, 0, "10.0.128.0/17", "65001 666", 100);
	assert_int_equal(count(&e, "pending", NULL), 1);
	/* A second source of the same AS (4 apart) is not a second AS. */
	route(&e, 4, "10.0.128.0/17", "65001 666", 101);
	tick(&e, 110);
	assert_int_equal(e.n, 0);
	route(&e, 1, "10.0.128.0/17", "65002 666", 111);	/* met from 111 */
	tick(&e, 113);
	assert_int_equal(e.n, 0);
	tick(&e, 116);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.log[0].type, "sub_prefix_hijack");
	/* A flash hijack gone before its hold-down leaves nothing. */
	route(&e, 0, "10.9.0.0/16", "65001 777", 120);
	route(&e, 1, "10.9.0.0/16", "65002 777", 120);
	tick(&e, 122);
	route(&e, 0, "10.9.0.0/16", NULL, 123);
	tick(&e, 130);
	assert_int_equal(e.n, 1);
	assert_int_equal(count(&e, "pending", NULL), 1);	/* 1 source left */
	route(&e, 1, "10.9.0.0/16", NULL, 131);
	assert_int_equal(count(&e, "pending", NULL), 0);
	assert_int_equal(count(&e, NULL, NULL), 1);
	env_stop(&e);
}

static void
test_clear_after(void **state)
{
	struct env e;

	(void)state;
	env_start(&e, "thresholds:\n  clear_after: 30\n" RULES, NULL);
	route(&e, 0, "10.0.0.0/16", "65001 64999 64500", 100);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.log[0].type, "path_anomaly");
	route(&e, 0, "10.0.0.0/16", NULL, 110);
	tick(&e, 130);
	assert_int_equal(count(&e, "open", NULL), 1);
	route(&e, 0, "10.0.0.0/16", "65001 64999 64500", 135);	/* flaps */
	route(&e, 0, "10.0.0.0/16", NULL, 136);
	tick(&e, 160);
	assert_int_equal(e.n, 1);
	tick(&e, 167);
	assert_int_equal(e.n, 2);
	assert_int_equal(e.log[1].ev, AEV_RESOLVED);
	assert_string_equal(e.log[1].id, e.log[0].id);
	env_stop(&e);
}

static void
test_visibility(void **state)
{
	struct env	e;
	json_t		*a;
	int		i;

	(void)state;
	env_start(&e, "thresholds:\n  clear_after: 0\n"
	    "  visibility_hold_down: 10\n" RULES, NULL);
	for (i = 0; i < 4; i++)
		route(&e, i, "10.9.0.0/16", "65001 64509", 100);
	route(&e, 0, "10.9.0.0/16", NULL, 101);
	tick(&e, 120);
	assert_int_equal(e.n, 0);			/* 25% */
	route(&e, 1, "10.9.0.0/16", NULL, 121);	/* 50% */
	tick(&e, 125);
	assert_int_equal(e.n, 0);			/* holding down */
	tick(&e, 132);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.log[0].type, "visibility_loss");
	assert_non_null(a = alertd_get(e.ad, e.log[0].id));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a,
	    "visibility"), "had")), 4);
	assert_int_equal(json_array_size(json_object_get(a, "sources")), 2);
	json_decref(a);
	route(&e, 0, "10.9.0.0/16", "65001 64509", 140);	/* back: 25% */
	assert_int_equal(e.n, 2);
	assert_int_equal(e.log[1].ev, AEV_RESOLVED);
	env_stop(&e);
}

static void
test_reconfigure(void **state)
{
	struct env e;

	(void)state;
	env_start(&e, "thresholds:\n  clear_after: 0\n" RULES, NULL);
	route(&e, 0, "10.0.0.0/16", "65001 64510 666", 100);
	assert_int_equal(e.n, 1);
	/* 666 becomes legal: the alert resolves on reload. */
	alertd_configure(e.ad, monitor("thresholds:\n  clear_after: 0\n"
	    "prefixes:\n  - prefix: 10.0.0.0/16\n    origins: [64500, 666]\n"));
	assert_int_equal(e.n, 2);
	assert_int_equal(e.log[1].ev, AEV_RESOLVED);
	/* Back to the old rules: the route is a hijack again, a new one. */
	alertd_configure(e.ad, monitor("thresholds:\n  clear_after: 0\n"
	    RULES));
	assert_int_equal(e.n, 3);
	assert_int_equal(e.log[2].ev, AEV_OPENED);
	assert_string_not_equal(e.log[2].id, e.log[0].id);
	/* A reload that changes nothing sends nothing. */
	alertd_configure(e.ad, monitor("thresholds:\n  clear_after: 0\n"
	    RULES));
	assert_int_equal(e.n, 3);
	/* Detection off: nothing is judged any more. */
	alertd_configure(e.ad, NULL);
	route(&e, 1, "10.9.0.0/16", "65002 777", 110);
	assert_int_equal(count(&e, "open", NULL), 1);
	env_stop(&e);
}

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*buf;
	long	 n;

	if (f == NULL)
		return (NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return (buf);
}

#define HOOKS \
    "groups:\n  default:\n    webhooks: [chat]\n" \
    "webhooks:\n  chat:\n    url: http://127.0.0.1:9/\n" \
    "    body: '{\"text\": \"{{summary}} <{{link}}>\", \"raw\": {{payload}}}'\n" \
    "    headers: [\"X-Alert: {{type}}/{{severity}}\"]\n" \
    "    events: [opened, resolved]\n"

static void
test_persistence(void **state)
{
	struct env	 e;
	char		 path[128], *txt, *line, id[20];
	char		 tmpl[] = "/tmp/test_alert.XXXXXX";
	json_t		*rec, *body, *a;
	int		 lines = 0;

	(void)state;
	assert_non_null(mkdtemp(tmpl));
	env_start(&e, "thresholds:\n  clear_after: 0\n  update_interval: 0\n"
	    "  restart_grace: 1h\n" RULES HOOKS, tmpl);
	route(&e, 0, "10.0.0.0/16", "65001 64510 666", 100);
	route(&e, 1, "10.0.0.0/16", "65002 64510 666", 101);	/* update */
	route(&e, 2, "10.9.0.0/16", "65003 777", 102);
	assert_int_equal(e.n, 3);
	snprintf(id, sizeof(id), "%s", e.log[0].id);
	env_stop(&e);		/* drains the I/O thread */

	/* The journal: one line per event. */
	snprintf(path, sizeof(path), "%s/alerts.jsonl", tmpl);
	assert_non_null(txt = slurp(path));
	for (line = strtok(txt, "\n"); line != NULL; line = strtok(NULL, "\n"))
		lines++;
	assert_int_equal(lines, 3);
	free(txt);
	/* The webhook queue: the update is not wanted; templates filled. */
	snprintf(path, sizeof(path), "%s/webhooks/chat.queue", tmpl);
	assert_non_null(txt = slurp(path));
	line = strtok(txt, "\n");
	assert_non_null(rec = json_loads(line, 0, NULL));
	assert_int_equal(json_integer_value(json_object_get(rec, "seq")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    rec, "headers"), 0)), "X-Alert: exact_prefix_hijack/critical");
	assert_non_null(body = json_loads(json_string_value(json_object_get(
	    rec, "body")), 0, NULL));
	assert_true(strstr(json_string_value(json_object_get(body, "text")),
	    "Exact-prefix hijack: 10.0.0.0/16 originated by AS666") != NULL);
	assert_true(strstr(json_string_value(json_object_get(body, "text")),
	    "<http://lg.example/api/v1/alerts/") != NULL);
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    body, "raw"), "event")), "opened");
	json_decref(body);
	json_decref(rec);
	assert_non_null(line = strtok(NULL, "\n"));	/* the second alert */
	assert_null(strtok(NULL, "\n"));
	free(txt);

	/* A restart: the open alerts come back, and their routes attach. */
	env_start(&e, "thresholds:\n  clear_after: 0\n  restart_grace: 1h\n"
	    RULES HOOKS, tmpl);
	assert_int_equal(count(&e, "open", NULL), 2);
	assert_non_null(a = alertd_get(e.ad, id));
	assert_int_equal(json_integer_value(json_object_get(a, "revision")),
	    2);
	assert_int_equal(json_array_size(json_object_get(a, "sources")), 2);
	json_decref(a);
	route(&e, 0, "10.0.0.0/16", "65001 64510 666", 200);
	assert_int_equal(e.n, 0);			/* not opened again */
	route(&e, 0, "10.0.0.0/16", NULL, 201);	/* and resolved */
	assert_int_equal(e.n, 1);
	assert_int_equal(e.log[0].ev, AEV_RESOLVED);
	assert_string_equal(e.log[0].id, id);
	assert_int_equal(e.log[0].rev, 3);
	env_stop(&e);

	/* Once more: the journal was compacted to one line per alert. */
	snprintf(path, sizeof(path), "%s/alerts.jsonl", tmpl);
	env_start(&e, RULES, tmpl);
	assert_int_equal(count(&e, "open", NULL), 1);
	assert_int_equal(count(&e, "resolved", NULL), 1);
	env_stop(&e);
	assert_non_null(txt = slurp(path));
	lines = 0;
	for (line = strtok(txt, "\n"); line != NULL; line = strtok(NULL, "\n"))
		lines++;
	assert_int_equal(lines, 2);
	free(txt);
	/* Leave nothing behind. */
	snprintf(path, sizeof(path), "rm -rf %s", tmpl);
	assert_int_equal(system(path), 0);
}

static void
test_template(void **state)
{
	json_t	*vars;
	char	*out;

	(void)state;
	vars = json_pack("{s:s, s:s, s:s}", "summary", "a \"quoted\"\nline\\",
	    "payload", "{\"x\":1}", "id", "abc");
	out = alert_tmpl_render("{\"t\":\"{{ summary }}\",\"p\":{{payload}},"
	    "\"i\":\"{{id}}{{nope}}\"}", vars, true);
	assert_string_equal(out, "{\"t\":\"a \\\"quoted\\\"\\nline\\\\\","
	    "\"p\":{\"x\":1},\"i\":\"abc\"}");
	free(out);
	out = alert_tmpl_render("{{summary}} {{ unterminated", vars, false);
	assert_string_equal(out, "a \"quoted\"\nline\\ {{ unterminated");
	free(out);
	json_decref(vars);
}

/* RFC 4231 test case 2. */
static void
test_hmac(void **state)
{
	char sig[72];

	(void)state;
	hooks_sign("Jefe", "what do ya want for nothing?", 28, sig);
	assert_string_equal(sig, "sha256=5bdcc146bf60754e6a042426089575c75a00"
	    "3f089d2739839dec58b964ec3843");
}

static void
test_list(void **state)
{
	struct env		 e;
	struct alert_filter	 f;
	json_t			*o;
	const char		*cur;
	char			 pfx[32];
	int			 i;

	(void)state;
	env_start(&e, "thresholds:\n  clear_after: 0\n" RULES, NULL);
	for (i = 0; i < 5; i++) {
		snprintf(pfx, sizeof(pfx), "10.0.%d.0/24", i);
		route(&e, 0, pfx, "65001 666", 100 + (uint64_t)i);
	}
	route(&e, 0, "10.9.0.0/16", "65001 777", 110);
	assert_int_equal(count(&e, NULL, NULL), 6);
	assert_int_equal(count(&e, NULL, "sub_prefix_hijack"), 5);
	assert_int_equal(count(&e, NULL, "exact_prefix_hijack"), 1);
	memset(&f, 0, sizeof(f));
	f.state = -1;
	f.type = -1;
	f.limit = 4;
	f.has_prefix = true;
	prefix_parse("10.0.0.0/16", &f.pfx);
	assert_non_null(o = alertd_list(e.ad, &f));
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 4);
	/* Newest first. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "alerts"), 0), "prefix")), "10.0.4.0/24");
	assert_non_null(cur = json_string_value(json_object_get(o,
	    "next_cursor")));
	f.before = strtoull(cur, NULL, 10);
	json_decref(o);
	assert_non_null(o = alertd_list(e.ad, &f));
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(o, "alerts"), 0), "prefix")), "10.0.0.0/24");
	assert_null(json_object_get(o, "next_cursor"));
	json_decref(o);
	assert_null(alertd_get(e.ad, "0000000000000000"));
	assert_non_null(o = alertd_status(e.ad));
	assert_int_equal(json_integer_value(json_object_get(o, "open")), 6);
	json_decref(o);
	env_stop(&e);
}

static void
test_feed(void **state)
{
	struct env		 e;
	struct alert_sub	*s;
	char			*f;
	bool			 stop;
	int			 i;

	(void)state;
	env_start(&e, "thresholds:\n  clear_after: 0\n" RULES, NULL);
	assert_non_null(s = alertd_subscribe(e.ad));
	assert_null(alertd_sub_next(e.ad, s, 10, &stop));	/* nothing */
	assert_false(stop);
	route(&e, 0, "10.0.0.0/16", "65001 666", 100);
	assert_non_null(f = alertd_sub_next(e.ad, s, 0, &stop));
	assert_true(strncmp(f, "id: ", 4) == 0);
	assert_non_null(strstr(f, "\nevent: opened\ndata: {\"version\":1,"));
	assert_non_null(strstr(f, "\n\n"));
	free(f);
	/* A reader that falls behind is told how much it lost. */
	for (i = 0; i < 300; i++)
		route(&e, 1, "10.9.0.0/16", i % 2 ? "65002 64509" : "65002 777",
		    101 + (uint64_t)i);
	assert_non_null(f = alertd_sub_next(e.ad, s, 0, &stop));
	assert_string_equal(f, "event: dropped\ndata: {\"dropped\":44}\n\n");
	free(f);
	for (i = 0; i < 256; i++) {
		assert_non_null(f = alertd_sub_next(e.ad, s, 0, &stop));
		free(f);
	}
	assert_null(alertd_sub_next(e.ad, s, 0, &stop));
	alertd_unsubscribe(e.ad, s);
	env_stop(&e);
}

static void
write_file(const char *path, const char *txt)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(txt, f);
	fclose(f);
}

static json_t *
hook_state(const char *dir)
{
	struct hooks	*hs;
	struct mon_conf	*mc;
	json_t		*st, *w;

	mc = monitor("webhooks:\n  w:\n    url: http://127.0.0.1:9/\n"
	    "groups:\n  default:\n    webhooks: [w]\n");
	assert_non_null(hs = hooks_new(dir, false));
	hooks_configure(hs, mc);
	st = hooks_status(hs);
	w = json_incref(json_array_get(st, 0));
	json_decref(st);
	hooks_free(hs);
	mon_free(mc);
	free(mc);
	return (w);
}

/* A queue after a crash: a torn last line, a cursor ahead of a truncation. */
static void
test_queue_recover(void **state)
{
	static const char l1[] = "{\"seq\":5,\"key\":\"a:1\",\"body\":\"x\"}\n";
	static const char l2[] = "{\"seq\":6,\"key\":\"a:2\",\"body\":\"y\"}\n";
	char		 dir[] = "/tmp/test_hook.XXXXXX", path[128], cur[64];
	char		 all[256];
	json_t		*w;
	FILE		*f;
	long		 size;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/w.queue", dir);
	snprintf(all, sizeof(all), "%s%s{\"seq\":7,\"ke", l1, l2);
	write_file(path, all);
	snprintf(path, sizeof(path), "%s/w.cursor", dir);
	snprintf(cur, sizeof(cur), "%zu 6\n", strlen(l1));
	write_file(path, cur);
	w = hook_state(dir);
	assert_int_equal(json_integer_value(json_object_get(w, "pending")), 1);
	assert_int_equal(json_integer_value(json_object_get(w,
	    "pending_bytes")), strlen(l2));
	json_decref(w);
	snprintf(path, sizeof(path), "%s/w.queue", dir);
	assert_non_null(f = fopen(path, "r"));
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fclose(f);
	assert_int_equal(size, strlen(l1) + strlen(l2));	/* torn line cut */
	/* A cursor past the end: compaction truncated, the cursor was not
	   written yet.  Everything in the queue is new. */
	snprintf(path, sizeof(path), "%s/w.cursor", dir);
	write_file(path, "999999 3\n");
	w = hook_state(dir);
	assert_int_equal(json_integer_value(json_object_get(w, "pending")), 2);
	json_decref(w);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static void
count_cb(void *arg, json_t *a)
{
	(void)a;
	(*(int *)arg)++;
}

/* A journal whose last write was cut short still replays the rest. */
static void
test_journal_torn(void **state)
{
	char	 dir[] = "/tmp/test_journal.XXXXXX", path[128], err[256];
	char	*txt;
	int	 n = 0;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/alerts.jsonl", dir);
	write_file(path, "{\"event\":\"opened\",\"time\":1,\"alert\":{\"id\":"
	    "\"0123456789abcdef\",\"type\":\"route_leak\",\"severity\":"
	    "\"high\",\"state\":\"open\",\"prefix\":\"10.0.0.0/8\"}}\n"
	    "{\"event\":\"resolved\",\"time\":2,\"alert\":{\"id\":\"01");
	assert_int_equal(aio_journal_replay(dir, 30, count_cb, &n, err,
	    sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_non_null(txt = slurp(path));
	assert_null(strstr(txt, "resolved"));		/* rewritten without it */
	free(txt);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lifecycle),
		cmocka_unit_test(test_thresholds),
		cmocka_unit_test(test_clear_after),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_persistence),
		cmocka_unit_test(test_template),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_feed),
		cmocka_unit_test(test_queue_recover),
		cmocka_unit_test(test_journal_torn),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
