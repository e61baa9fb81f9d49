/*
 * test_stream.c -- the live streams' hub (collector/stream_hub.c) and the
 * RIB fan-out (collector/rib_fanout.c) on a real RIB: message shape,
 * filters, the queue bound and the drop of a client that falls behind,
 * keep-alives, max_clients, session and alert events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bgp.h"
#include "fanout.h"
#include "rib.h"
#include "stream.h"
#include "mkpath.h"

#define SEC	1000000ULL

struct waker {
	int	sleeps, wakes;
};

static void
w_sleep(void *arg)
{
	((struct waker *)arg)->sleeps++;
}

static void
w_wake(void *arg)
{
	((struct waker *)arg)->wakes++;
}

struct env {
	struct rib		*rib;
	struct rib_fanout	*fan;
	struct stream_hub	*hub;
	uint16_t		 src[2];
};

static void
env_start(struct env *e, size_t queue, unsigned max_clients)
{
	struct rib_config	rc = { 0, 0, 0, 0 };
	struct stream_config	sc;
	struct rib_source	s;
	int			i, h;

	memset(e, 0, sizeof(*e));
	assert_non_null(e->rib = rib_new(&rc));
	for (i = 0; i < 2; i++) {
		memset(&s, 0, sizeof(s));
		addr_set_v4(&s.peer, 0xc0000205 + (uint32_t)i);
		s.peer_as = 65005 + (uint32_t)i;
		e->src[i] = rib_source_add(e->rib, &s);
	}
	memset(&sc, 0, sizeof(sc));
	sc.queue_bytes = queue;
	sc.max_clients = max_clients;
	sc.keepalive_s = 15;
	assert_non_null(e->hub = stream_hub_new(e->rib, &sc));
	assert_non_null(e->fan = rib_fanout_new(e->rib));
	assert_int_not_equal(h = rib_fanout_add(e->fan, stream_hub_rib_event,
	    e->hub), -1);
	rib_fanout_enable(e->fan, h, true);
}

static void
env_stop(struct env *e)
{
	rib_fanout_free(e->fan);
	stream_hub_free(e->hub);
	rib_free(e->rib);
}

/* Source i announces (path) or withdraws (NULL) pfx at second t. */
static void
route(struct env *e, int i, const char *pfx, const char *path, uint64_t t)
{
	struct bgp_attrs	 a;
	struct prefix		 p;
	uint8_t			 buf[256], comm[4] = { 0xfd, 0xed, 0, 100 };
	uint32_t		 attr = 0;

	assert_int_equal(prefix_parse(pfx, &p), 0);
	if (path != NULL) {
		memset(&a, 0, sizeof(a));
		a.seen = 1ull << ATTR_ORIGIN | 1ull << ATTR_AS_PATH |
		    1ull << ATTR_NEXT_HOP | 1ull << ATTR_COMMUNITIES;
		a.aspath = buf;
		a.aspath_len = (uint32_t)mkpath(buf, path);
		a.communities = comm;
		a.communities_len = 4;
		addr_parse("192.0.2.254", &a.nexthop);
		attr = rib_attr_intern(e->rib, &a, &a.nexthop, NULL);
		assert_int_not_equal(attr, 0);
	}
	rib_wrlock(e->rib);
	assert_true(rib_update(e->rib, &p, e->src[i], 0, attr, t * SEC) >= 0);
	rib_unlock(e->rib);
	if (attr != 0)
		rib_attr_put(e->rib, attr);
}

static struct stream_client *
client(struct env *e, struct stream_filter *f, struct waker *w)
{
	struct stream_waker	sw = { w_sleep, w_wake, w };
	struct stream_client	*c;
	bool			busy;

	c = stream_client_open(e->hub, f, &sw, &busy);
	assert_non_null(c);
	return (c);
}

static void
filter_init(struct stream_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->src = -1;
	f->kinds = STREAM_K_UPDATE | STREAM_K_PEER;
}

/* Everything queued for c, as a string (static). */
static const char *
drain(struct stream_client *c, bool *ended)
{
	static char	buf[1 << 16];
	size_t		n = 0, k;
	bool		e = false;

	while (n < sizeof(buf) - 1 &&
	    (k = stream_client_read(c, buf + n, 100, &e)) > 0)
		n += k;
	buf[n] = '\0';
	if (ended != NULL)
		*ended = e;
	return (buf);
}

/* The data lines of s, parsed; the caller frees the array. */
static json_t *
messages(const char *s)
{
	json_t		*arr = json_array(), *m;
	const char	*p = s, *nl;
	char		 line[8192];

	while ((p = strstr(p, "data: ")) != NULL) {
		p += 6;
		nl = strchr(p, '\n');
		assert_non_null(nl);
		assert_true((size_t)(nl - p) < sizeof(line));
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		assert_non_null(m = json_loads(line, 0, NULL));
		json_array_append_new(arr, m);
		p = nl;
	}
	return (arr);
}

static const char *
jstr(json_t *m, const char *path1, const char *path2)
{
	json_t *d = json_object_get(m, path1);

	return (json_string_value(path2 ? json_object_get(d, path2) : d));
}

static void
test_shape(void **state)
{
	struct env		 e;
	struct stream_filter	 f;
	struct stream_client	*c;
	struct waker		 w = { 0, 0 };
	json_t			*ms, *d, *ann;
	bool			 ended;

	(void)state;
	env_start(&e, 65536, 4);
	filter_init(&f);
	c = client(&e, &f, &w);
	/* Only the opening comment: no data. */
	assert_int_equal(json_array_size(ms = messages(drain(c, NULL))), 0);
	json_decref(ms);
	assert_int_equal(w.sleeps, 1);
	route(&e, 0, "10.1.1.0/24", "65005 64601", 100);
	/* Woken at the loop's next flush, not for every change. */
	assert_int_equal(w.wakes, 0);
	stream_hub_flush(e.hub);
	assert_int_equal(w.wakes, 1);
	route(&e, 0, "10.1.1.0/24", NULL, 101);
	ms = messages(drain(c, &ended));
	assert_false(ended);
	assert_int_equal(json_array_size(ms), 2);

	d = json_object_get(json_array_get(ms, 0), "data");
	assert_string_equal(jstr(json_array_get(ms, 0), "type", NULL),
	    "ris_message");
	assert_string_equal(jstr(d, "type", NULL), "UPDATE");
	assert_string_equal(jstr(d, "peer", NULL), "192.0.2.5");
	assert_string_equal(jstr(d, "peer_asn", NULL), "65005");
	assert_string_equal(jstr(d, "host", NULL), "bgplens");
	assert_string_equal(jstr(d, "origin", NULL), "IGP");
	assert_int_equal(json_real_value(json_object_get(d, "timestamp")),
	    100);
	assert_int_equal(json_array_size(json_object_get(d, "path")), 2);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(d,
	    "path"), 1)), 64601);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(
	    json_object_get(d, "community"), 0), 0)), 65005);
	assert_int_equal(json_integer_value(json_array_get(json_array_get(
	    json_object_get(d, "community"), 0), 1)), 100);
	ann = json_array_get(json_object_get(d, "announcements"), 0);
	assert_string_equal(jstr(ann, "next_hop", NULL), "192.0.2.254");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    ann, "prefixes"), 0)), "10.1.1.0/24");
	assert_null(json_object_get(d, "withdrawals"));

	d = json_object_get(json_array_get(ms, 1), "data");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    d, "withdrawals"), 0)), "10.1.1.0/24");
	assert_null(json_object_get(d, "announcements"));
	assert_null(json_object_get(d, "path"));
	json_decref(ms);
	stream_client_close(c);
	env_stop(&e);
}

/*
 * What each filter lets through, over the same changes (a filter with a
 * regular expression is given once: the hub frees it).
 */
static size_t
count_with(struct stream_filter *f, const char *needle)
{
	struct env		 e;
	struct stream_client	*c;
	struct waker		 w = { 0, 0 };
	struct peer_event	 pe;
	json_t			*ms;
	size_t			 n, i, hits = 0;
	char			*s;

	struct stream_filter	 g = *f;	/* the hub takes what it is given */

	env_start(&e, 65536, 4);
	c = client(&e, &g, &w);
	(void)drain(c, NULL);
	route(&e, 0, "10.0.0.0/8", "65005 64500", 1);
	route(&e, 0, "10.1.0.0/16", "65005 64501", 2);
	route(&e, 1, "10.1.2.0/24", "65006 64510 64502", 3);
	route(&e, 1, "192.0.2.0/24", "65006 64502", 4);
	route(&e, 1, "10.1.2.0/24", NULL, 5);
	memset(&pe, 0, sizeof(pe));
	pe.time_us = 6 * SEC;
	addr_set_v4(&pe.peer, 0xc0000206);
	pe.peer_as = 65006;
	pe.src = e.src[1];
	pe.up = false;
	pe.reason = "hold timer expired";
	stream_hub_peer_event(e.hub, &pe);
	ms = messages(drain(c, NULL));
	n = json_array_size(ms);
	for (i = 0; needle != NULL && i < n; i++) {
		s = json_dumps(json_array_get(ms, i), JSON_COMPACT);
		if (strstr(s, needle) != NULL)
			hits++;
		free(s);
	}
	json_decref(ms);
	stream_client_close(c);
	env_stop(&e);
	return (needle != NULL ? hits : n);
}

static void
test_filters(void **state)
{
	struct stream_filter f;

	(void)state;
	filter_init(&f);
	assert_int_equal(count_with(&f, NULL), 6);
	assert_int_equal(count_with(&f, "\"RIS_PEER_STATE\""), 1);
	filter_init(&f);
	assert_int_equal(count_with(&f, "hold timer expired"), 1);

	/* An exact prefix; then with its more-specifics; less-specifics. */
	filter_init(&f);
	f.kinds = STREAM_K_UPDATE;
	f.has_prefix = true;
	prefix_parse("10.1.0.0/16", &f.pfx);
	assert_int_equal(count_with(&f, NULL), 1);
	f.more = true;
	assert_int_equal(count_with(&f, NULL), 3);
	f.more = false;
	f.less = true;
	assert_int_equal(count_with(&f, NULL), 2);

	/* Origin: the withdrawal is judged by the route it removes. */
	filter_init(&f);
	f.kinds = STREAM_K_UPDATE;
	f.origin_as = 64502;
	assert_int_equal(count_with(&f, NULL), 3);
	assert_int_equal(count_with(&f, "withdrawals"), 1);

	/* Path regex, as the routes endpoint's aspath. */
	filter_init(&f);
	f.kinds = STREAM_K_UPDATE;
	assert_int_equal(regcomp(&f.path_re, "^65006 64510 ", REG_EXTENDED |
	    REG_NOSUB), 0);
	f.has_path = true;
	assert_int_equal(count_with(&f, NULL), 2);

	/* Source: both kinds; type: one of them. */
	filter_init(&f);
	f.src = 1;
	assert_int_equal(count_with(&f, NULL), 4);
	filter_init(&f);
	f.kinds = STREAM_K_PEER;
	assert_int_equal(count_with(&f, NULL), 1);
	filter_init(&f);
	f.kinds = STREAM_K_ALERT;
	assert_int_equal(count_with(&f, NULL), 0);
}

/*
 * A client that does not read: its queue fills, the next frame drops it
 * (queue emptied, a last ris_error), while another client gets
 * everything; the producer never waits.
 */
static void
test_drop(void **state)
{
	struct env		 e;
	struct stream_filter	 f;
	struct stream_client	*slow, *fast;
	struct stream_stats	 st;
	struct waker		 ws = { 0, 0 }, wf = { 0, 0 };
	json_t			*ms;
	const char		*s;
	char			 p[32];
	bool			 ended;
	int			 i, got = 0;

	(void)state;
	env_start(&e, STREAM_MIN_QUEUE, 4);
	filter_init(&f);
	slow = client(&e, &f, &ws);
	filter_init(&f);
	fast = client(&e, &f, &wf);
	for (i = 0; i < 200; i++) {
		snprintf(p, sizeof(p), "10.2.%d.0/24", i);
		route(&e, 0, p, "65005 64700", 10 + (uint64_t)i);
		ms = messages(drain(fast, NULL));
		got += (int)json_array_size(ms);
		json_decref(ms);
	}
	assert_int_equal(got, 200);
	stream_hub_stats(e.hub, &st);
	assert_int_equal(st.dropped, 1);
	assert_int_equal(st.clients, 1);
	/* The slow one: only the last frame, then the end. */
	s = drain(slow, &ended);
	assert_true(strlen(s) < STREAM_MIN_QUEUE);
	ms = messages(s);
	assert_int_equal(json_array_size(ms), 1);
	assert_string_equal(jstr(json_array_get(ms, 0), "type", NULL),
	    "ris_error");
	assert_non_null(strstr(jstr(json_array_get(ms, 0), "data", "message"),
	    "dropped"));
	json_decref(ms);
	assert_true(ended);
	/* Nothing more reaches it; the other goes on. */
	route(&e, 0, "10.3.0.0/24", "65005 64700", 300);
	assert_string_equal(drain(slow, &ended), "");
	assert_true(ended);
	ms = messages(drain(fast, NULL));
	assert_int_equal(json_array_size(ms), 1);
	json_decref(ms);
	stream_client_close(slow);
	stream_client_close(fast);
	env_stop(&e);
}

/* The queue never holds more than its size, whatever comes. */
static void
test_queue_bound(void **state)
{
	struct env		 e;
	struct stream_filter	 f;
	struct stream_client	*c;
	struct waker		 w = { 0, 0 };
	const char		*s;
	char			 p[32];
	int			 i;

	(void)state;
	env_start(&e, 8192, 4);
	filter_init(&f);
	c = client(&e, &f, &w);
	for (i = 0; i < 20; i++) {
		snprintf(p, sizeof(p), "10.4.%d.0/24", i);
		route(&e, 0, p, "65005 64700", 10 + (uint64_t)i);
	}
	/* Still queued: read half of it, then room for more. */
	s = drain(c, NULL);
	assert_true(strlen(s) <= 8192);
	assert_true(strlen(s) > 4096);
	for (i = 20; i < 40; i++) {
		snprintf(p, sizeof(p), "10.4.%d.0/24", i);
		route(&e, 0, p, "65005 64700", 10 + (uint64_t)i);
	}
	s = drain(c, NULL);
	assert_true(strlen(s) <= 8192);
	assert_non_null(strstr(s, "10.4.39.0/24"));
	stream_client_close(c);
	env_stop(&e);
}

static void
test_max_clients_keepalive(void **state)
{
	struct env		 e;
	struct stream_filter	 f;
	struct stream_client	*c[3];
	struct stream_waker	 sw;
	struct waker		 w = { 0, 0 };
	bool			 busy;
	const char		*s;

	(void)state;
	env_start(&e, 8192, 2);
	filter_init(&f);
	c[0] = client(&e, &f, &w);
	filter_init(&f);
	c[1] = client(&e, &f, &w);
	filter_init(&f);
	sw.sleep = w_sleep;
	sw.wake = w_wake;
	sw.arg = &w;
	assert_null(c[2] = stream_client_open(e.hub, &f, &sw, &busy));
	assert_true(busy);
	stream_client_close(c[1]);
	filter_init(&f);
	assert_non_null(c[1] = stream_client_open(e.hub, &f, &sw, &busy));

	(void)drain(c[0], NULL);
	stream_hub_tick(e.hub, 1000 * SEC);
	stream_hub_tick(e.hub, 1010 * SEC);	/* not yet: 15 s */
	assert_string_equal(drain(c[0], NULL), "");
	stream_hub_tick(e.hub, 1016 * SEC);
	s = drain(c[0], NULL);
	assert_string_equal(s, ": keepalive\n\n");
	stream_client_close(c[0]);
	stream_client_close(c[1]);
	env_stop(&e);
}

/* Alert events reach alert clients only, filtered by type and prefix. */
static void
test_alerts(void **state)
{
	struct env		 e;
	struct stream_filter	 f;
	struct stream_client	*all, *typed, *upd;
	struct waker		 w = { 0, 0 };
	json_t			*a, *ms, *d;

	(void)state;
	env_start(&e, 65536, 4);
	filter_init(&f);
	f.kinds = STREAM_K_ALERT;
	all = client(&e, &f, &w);
	filter_init(&f);
	f.kinds = STREAM_K_ALERT;
	snprintf(f.alert_type, sizeof(f.alert_type), "route_leak");
	f.has_prefix = true;
	f.more = true;
	prefix_parse("203.0.113.0/24", &f.pfx);
	typed = client(&e, &f, &w);
	filter_init(&f);
	upd = client(&e, &f, &w);
	(void)drain(typed, NULL);
	(void)drain(upd, NULL);
	a = json_pack("{s:s, s:s, s:s, s:i, s:f}", "id", "0123456789abcdef",
	    "type", "sub_prefix_hijack", "prefix", "203.0.113.128/25",
	    "revision", 1, "last_seen", 5.0);
	stream_hub_alert_event(e.hub, AEV_OPENED, a);
	json_decref(a);
	ms = messages(drain(all, NULL));
	assert_int_equal(json_array_size(ms), 1);
	assert_string_equal(jstr(json_array_get(ms, 0), "type", NULL),
	    "alert");
	d = json_object_get(json_array_get(ms, 0), "data");
	assert_string_equal(jstr(d, "event", NULL), "opened");
	assert_string_equal(jstr(d, "alert", "prefix"), "203.0.113.128/25");
	json_decref(ms);
	assert_string_equal(drain(typed, NULL), "");
	assert_string_equal(drain(upd, NULL), "");
	stream_client_close(all);
	stream_client_close(typed);
	stream_client_close(upd);
	env_stop(&e);
}

/* Fan-out: each enabled consumer sees every event; off means the slot
 * is given back. */
static int fan_a, fan_b;

static int
cons_a(void *arg, const struct rib_event *ev)
{
	(void)arg;
	(void)ev;
	fan_a++;
	return (1);	/* a consumer's answer does not stop the others */
}

static int
cons_b(void *arg, const struct rib_event *ev)
{
	(void)arg;
	(void)ev;
	fan_b++;
	return (0);
}

static void
test_fanout(void **state)
{
	struct rib_config	 rc = { 0, 0, 0, 0 };
	struct rib		*rib;
	struct rib_fanout	*fan;
	struct rib_source	 s;
	struct prefix		 p;
	struct bgp_attrs	 a;
	uint8_t			 buf[64];
	uint32_t		 attr;
	uint16_t		 src;
	int			 ha, hb;

	(void)state;
	assert_non_null(rib = rib_new(&rc));
	memset(&s, 0, sizeof(s));
	addr_set_v4(&s.peer, 0xc0000205);
	src = rib_source_add(rib, &s);
	memset(&a, 0, sizeof(a));
	a.seen = 1ull << ATTR_ORIGIN | 1ull << ATTR_AS_PATH |
	    1ull << ATTR_NEXT_HOP;
	a.aspath = buf;
	a.aspath_len = (uint32_t)mkpath(buf, "65005");
	addr_parse("192.0.2.254", &a.nexthop);
	assert_int_not_equal(attr = rib_attr_intern(rib, &a, &a.nexthop,
	    NULL), 0);
	assert_non_null(fan = rib_fanout_new(rib));
	ha = rib_fanout_add(fan, cons_a, NULL);
	hb = rib_fanout_add(fan, cons_b, NULL);
	assert_true(ha >= 0 && hb >= 0 && ha != hb);
	fan_a = fan_b = 0;
	prefix_parse("10.0.0.0/8", &p);
	rib_wrlock(rib);
	rib_update(rib, &p, src, 0, attr, 1 * SEC);	/* nobody on */
	rib_fanout_enable(fan, ha, true);
	rib_fanout_enable(fan, hb, true);
	rib_update(rib, &p, src, 0, 0, 2 * SEC);
	rib_fanout_enable(fan, ha, false);
	rib_update(rib, &p, src, 0, attr, 3 * SEC);
	rib_fanout_enable(fan, hb, false);
	rib_update(rib, &p, src, 0, 0, 4 * SEC);
	rib_unlock(rib);
	assert_int_equal(fan_a, 1);
	assert_int_equal(fan_b, 2);
	assert_false(rib_fanout_enabled(fan, ha));
	rib_attr_put(rib, attr);
	rib_fanout_free(fan);
	rib_free(rib);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_drop),
		cmocka_unit_test(test_queue_bound),
		cmocka_unit_test(test_max_clients_keepalive),
		cmocka_unit_test(test_alerts),
		cmocka_unit_test(test_fanout),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
