/*
 * test_detect.c -- the detectors (collector/detect.c) as the pure
 * functions they are, and the inputs they read: the monitor file
 * (detect_conf.c), AS relationships (detect_rel.c) and VRPs
 * (detect_vrp.c).  No RIB, no sockets.
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
#include "detect.h"

/*
 * Routes from text.  A path is "65001 65002 {1,2}": numbers are an
 * AS_SEQUENCE, braces an AS_SET.
 */
struct tr {
	struct droute	 r;
	uint8_t		 path[512];
	uint8_t		 other[64];
};

static size_t
mkpath(uint8_t *out, const char *s)
{
	size_t		 len = 0, cnt_at = 0;
	uint8_t		 cur = 0;
	char		*end;
	uint32_t	 v;

	while (*s != '\0') {
		if (*s == ' ' || *s == ',') {
			s++;
			continue;
		}
		if (*s == '{' || *s == '}') {
			cur = 0;	/* a new segment starts */
			if (*s == '{') {
				out[len] = AS_SET;
				out[len + 1] = 0;
				cnt_at = len + 1;
				len += 2;
				cur = AS_SET;
			}
			s++;
			continue;
		}
		v = (uint32_t)strtoul(s, &end, 10);
		s = end;
		if (cur == 0) {
			out[len] = AS_SEQUENCE;
			out[len + 1] = 0;
			cnt_at = len + 1;
			len += 2;
			cur = AS_SEQUENCE;
		}
		out[cnt_at]++;
		out[len++] = (uint8_t)(v >> 24);
		out[len++] = (uint8_t)(v >> 16);
		out[len++] = (uint8_t)(v >> 8);
		out[len++] = (uint8_t)v;
	}
	return (len);
}

static struct droute *
route(struct tr *t, const char *pfx, const char *peer, uint32_t peer_as,
    const char *path)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(prefix_parse(pfx, &t->r.pfx), 0);
	assert_int_equal(addr_parse(peer, &t->r.peer), 0);
	t->r.peer_as = peer_as;
	t->r.aspath_len = mkpath(t->path, path);
	t->r.aspath = t->path;
	return (&t->r);
}

/* Add an OTC attribute (as the RIB stores it: flags, type, 2-octet len). */
static void
with_otc(struct tr *t, uint32_t otc)
{
	uint8_t tlv[8] = { 0xc0, ATTR_OTC, 0, 4, (uint8_t)(otc >> 24),
	    (uint8_t)(otc >> 16), (uint8_t)(otc >> 8), (uint8_t)otc };

	memcpy(t->other, tlv, sizeof(tlv));
	t->r.other = t->other;
	t->r.other_len = sizeof(tlv);
}

static struct vrp *
vrp_str(const char *s, char err[256])
{
	return (vrp_load_mem("vrp", s, strlen(s), err, 256));
}

static struct asrel *
rel_str(const char *s, char err[256])
{
	return (asrel_load_mem("rel", s, strlen(s), err, 256));
}

static const char base_yaml[] =
    "thresholds:\n"
    "  min_sources: 2\n"
    "  hold_down: 1500ms\n"
    "  clear_after: 2m\n"
    "  update_interval: 30\n"
    "  visibility_percent: 60\n"
    "exclude_sources: [\"192.0.2.99\"]\n"
    "prefixes:\n"
    "  - prefix: 10.0.0.0/16\n"
    "    origins: [64500, AS64501]\n"
    "    upstreams: [64510]\n"
    "    description: \"the /16\"\n"
    "    group: noc\n"
    "  - prefix: [10.0.5.0/24, 10.0.6.0/24]\n"
    "    origins: 64505\n"
    "    more_specifics: true\n"
    "  - prefix: 2001:db8::/32\n"
    "    origins: [64500]\n"
    "    visibility_percent: 100\n"
    "groups:\n"
    "  noc:\n"
    "    webhooks:\n"
    "      - slack\n"
    "      - url: https://example.net/hook\n"
    "        secret: s\n"
    "webhooks:\n"
    "  slack:\n"
    "    url: http://127.0.0.1:9/x\n"
    "    body: '{\"text\": \"{{summary}} {{ link }}\"}'\n"
    "    headers: [\"X-Id: {{id}}\"]\n"
    "    events: [opened, resolved]\n"
    "    min_severity: high\n"
    "    retry_max: 1h\n";

static void
load(struct mon_conf *mc, const char *yaml)
{
	char err[512];

	if (mon_load_mem("mon.yaml", yaml, strlen(yaml), mc, err,
	    sizeof(err)) == -1)
		fail_msg("%s", err);
}

static void
test_conf_ok(void **state)
{
	struct mon_conf		 mc;
	struct prefix		 p;
	struct addr		 a;
	const struct mon_rule	*r;
	const struct mon_group	*g;
	const struct mon_webhook *h;

	(void)state;
	load(&mc, base_yaml);
	assert_int_equal(mc.n_rules, 4);
	assert_int_equal(mc.th.min_sources, 2);
	assert_int_equal(mc.th.hold_down_ms, 1500);
	assert_int_equal(mc.th.clear_after_ms, 120000);
	assert_int_equal(mc.th.update_interval_ms, 30000);
	assert_int_equal(mc.th.vis_percent, 60);
	assert_int_equal(mc.th.min_peer_ases, 1);	/* default */
	assert_int_equal(mc.rules[0].n_origins, 2);
	assert_int_equal(mc.rules[0].origins[1], 64501);
	assert_string_equal(mc.rules[0].group, "noc");
	assert_string_equal(mc.rules[0].description, "the /16");
	assert_string_equal(mc.rules[1].group, "default");
	assert_true(mc.rules[2].more_specifics);
	assert_int_equal(mc.rules[2].origins[0], 64505);
	assert_int_equal(mc.rules[3].vis_percent, 100);
	/* Longest match among the rules. */
	prefix_parse("10.0.5.128/25", &p);
	assert_non_null(r = mon_match(&mc, &p));
	assert_int_equal(r->pfx.len, 24);
	prefix_parse("10.0.7.0/24", &p);
	assert_int_equal(mon_match(&mc, &p)->pfx.len, 16);
	prefix_parse("10.1.0.0/24", &p);
	assert_null(mon_match(&mc, &p));
	prefix_parse("2001:db8:1::/48", &p);
	assert_non_null(mon_match(&mc, &p));
	prefix_parse("10.0.0.0/8", &p);
	assert_null(mon_match(&mc, &p));	/* less specific: not ours */
	prefix_parse("10.0.255.0/24", &p);	/* another /16 slot of the sieve */
	assert_non_null(mon_match(&mc, &p));
	prefix_parse("2001:db9::/32", &p);
	assert_null(mon_match(&mc, &p));
	prefix_parse("2001:db8::/31", &p);
	assert_null(mon_match(&mc, &p));
	/* Webhooks: one by name, one inline named after its group. */
	assert_int_equal(mc.n_hooks, 2);
	assert_non_null(g = mon_group_find(&mc, "noc"));
	assert_int_equal(g->n_hooks, 2);
	assert_string_equal(mc.hooks[g->hooks[0]].name, "slack");
	assert_string_equal(mc.hooks[g->hooks[1]].name, "noc-1");
	assert_string_equal(mc.hooks[g->hooks[1]].secret, "s");
	h = &mc.hooks[g->hooks[0]];
	assert_int_equal(h->events, HOOK_EV_OPENED | HOOK_EV_RESOLVED);
	assert_int_equal(h->min_severity, SEV_HIGH);
	assert_int_equal(h->retry_max_ms, 3600000);
	assert_int_equal(h->n_headers, 1);
	h = &mc.hooks[g->hooks[1]];
	assert_string_equal(h->content_type, "application/json");
	assert_int_equal(h->retry_min_ms, 1000);	/* defaults */
	assert_int_equal(h->timeout_ms, 10000);
	addr_parse("192.0.2.99", &a);
	assert_true(mon_excluded(&mc, &a));
	addr_parse("192.0.2.98", &a);
	assert_false(mon_excluded(&mc, &a));
	mon_free(&mc);
}

/* Every error names file:line:col and what is wrong. */
/* Rules shorter than the sieve's slots still cover what they cover. */
static void
test_sieve(void **state)
{
	struct mon_conf	mc;
	struct prefix	p;

	(void)state;
	load(&mc, "prefixes:\n  - prefix: 10.0.0.0/8\n    origins: [1]\n"
	    "  - prefix: 2001:db8::/20\n    origins: [1]\n"
	    "  - prefix: 0.0.0.0/0\n    origins: [2]\n");
	prefix_parse("10.200.1.0/24", &p);
	assert_int_equal(mon_match(&mc, &p)->pfx.len, 8);
	prefix_parse("11.0.0.0/24", &p);
	assert_int_equal(mon_match(&mc, &p)->pfx.len, 0);
	prefix_parse("2001:db8:fff::/48", &p);
	assert_int_equal(mon_match(&mc, &p)->pfx.len, 20);
	prefix_parse("2001:1db8::/32", &p);
	assert_null(mon_match(&mc, &p));
	mon_free(&mc);
}

static void
test_conf_errors(void **state)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ "prefixes:\n  - prefix: 10.0.0.0/8\n    origin: [1]\n"
		    "    pasword: x\n", "mon.yaml:4:14: prefixes: unknown key "
		    "\"pasword\"" },
		{ "prefixes:\n  - prefix: 10.0.0.0/33\n    origins: 1\n",
		    "mon.yaml:2:13: prefix: \"10.0.0.0/33\" is not a prefix" },
		{ "prefixes:\n  - prefix: 10.0.0.1\n    origins: 1\n",
		    "mon.yaml:2:13: prefix: \"10.0.0.1\" is not a prefix" },
		{ "prefixes:\n  - prefix: 10.0.0.0/8\n    origins: 1\n"
		    "  - prefix: 10.0.0.0/8\n    origins: 2\n",
		    "mon.yaml:4:13: prefix 10.0.0.0/8 is listed twice (first "
		    "on line 2)" },
		{ "prefixes:\n  - prefix: 10.0.0.0/8\n",
		    "mon.yaml:2:5: prefixes: prefix and origins are required" },
		{ "prefixes:\n  - prefix: 10.0.0.0/8\n    origins: [1, ASx]\n",
		    "mon.yaml:3:18: origins: \"ASx\" is not an AS number" },
		{ "prefixes:\n  - prefix: 10.0.0.0/8\n    origins: 1\n"
		    "    group: nope\n", "mon.yaml:4:12: group \"nope\" is not "
		    "defined under groups" },
		{ "groups:\n  g:\n    webhooks: [w]\n",
		    "mon.yaml:3:16: webhook \"w\" is not defined under "
		    "webhooks" },
		{ "webhooks:\n  w:\n    url: http://x/\n    body: \"{{nope}}\"\n",
		    "mon.yaml:4:11: body: unknown placeholder {{nope}}" },
		{ "webhooks:\n  w:\n    url: ftp://x/\n",
		    "mon.yaml:3:10: url: \"ftp://x/\" is not an http:// or "
		    "https:// URL" },
		{ "webhooks:\n  w:\n    secret: x\n",
		    "mon.yaml:3:5: webhooks: url is required" },
		{ "thresholds:\n  hold_down: soon\n",
		    "mon.yaml:2:14: hold_down: \"soon\" is not a duration" },
		{ "thresholds:\n  visibility_percent: 101\n",
		    "mon.yaml:2:23: visibility_percent: \"101\" is not a number "
		    "from 0 to 100" },
		{ "prefixes: [\n", "mon.yaml:2:1: " },
		{ "relationships: /nonexistent/as-rel.txt\n",
		    "mon.yaml:1:16: relationships: /nonexistent/as-rel.txt: No "
		    "such file" },
		{ "colour: blue\n", "mon.yaml:1:9: unknown key \"colour\"" },
	};
	struct mon_conf	mc;
	char		err[512];
	size_t		i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		if (mon_load_mem("mon.yaml", cases[i].yaml,
		    strlen(cases[i].yaml), &mc, err, sizeof(err)) == 0)
			fail_msg("case %zu loaded", i);
		if (strncmp(err, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err,
			    cases[i].want);
	}
}

static void
test_rel(void **state)
{
	static const char txt[] =
	    "# source: test\n"
	    "1|2|-1|bgp\n"		/* 1 provides transit to 2 */
	    "2|3|0\n"			/* peers */
	    "\n"
	    "5|4|-1\n"
	    "6|7|2\n";			/* siblings: not used */
	struct asrel	*r;
	char		 err[256];

	(void)state;
	assert_non_null(r = asrel_load_mem("rel", txt, strlen(txt), err,
	    sizeof(err)));
	assert_int_equal(asrel_count(r), 3);
	assert_int_equal(asrel_get(r, 2, 1), REL_UP);
	assert_int_equal(asrel_get(r, 1, 2), REL_DOWN);
	assert_int_equal(asrel_get(r, 2, 3), REL_PEER);
	assert_int_equal(asrel_get(r, 3, 2), REL_PEER);
	assert_int_equal(asrel_get(r, 4, 5), REL_UP);
	assert_int_equal(asrel_get(r, 5, 4), REL_DOWN);
	assert_int_equal(asrel_get(r, 6, 7), REL_UNKNOWN);
	assert_int_equal(asrel_get(r, 1, 3), REL_UNKNOWN);
	asrel_free(r);
	assert_null(rel_str("1|2|-1\n1|x|0\n", err));
	assert_string_equal(err, "rel:2:1: expected AS|AS|-1 or AS|AS|0");
}

static void
test_vrp(void **state)
{
	static const char rpki_client[] =
	    "{\"metadata\":{},\"roas\":["
	    "{\"asn\":64500,\"prefix\":\"10.0.0.0/16\",\"maxLength\":24,"
	    "\"ta\":\"x\"},"
	    "{\"asn\":\"AS64501\",\"prefix\":\"10.0.0.0/16\",\"maxLength\":16},"
	    "{\"asn\":0,\"prefix\":\"10.9.0.0/16\",\"maxLength\":32},"
	    "{\"asn\":64502,\"prefix\":\"2001:db8::/32\"}]}";
	struct vrp	*v;
	struct prefix	 p;
	char		 err[256];

	(void)state;
	assert_non_null(v = vrp_load_mem("vrp", rpki_client,
	    strlen(rpki_client), err, sizeof(err)));
	assert_int_equal(vrp_count(v), 4);
	prefix_parse("10.0.1.0/24", &p);
	assert_int_equal(vrp_validate(v, &p, 64500), RPKI_VALID);
	assert_int_equal(vrp_validate(v, &p, 64501), RPKI_INVALID);	/* len */
	assert_int_equal(vrp_validate(v, &p, 64999), RPKI_INVALID);	/* AS */
	prefix_parse("10.0.1.0/25", &p);
	assert_int_equal(vrp_validate(v, &p, 64500), RPKI_INVALID);
	prefix_parse("10.0.0.0/16", &p);
	assert_int_equal(vrp_validate(v, &p, 64501), RPKI_VALID);
	prefix_parse("10.1.0.0/16", &p);
	assert_int_equal(vrp_validate(v, &p, 64500), RPKI_NOT_FOUND);
	prefix_parse("10.9.1.0/24", &p);
	assert_int_equal(vrp_validate(v, &p, 64500), RPKI_INVALID); /* AS0 */
	prefix_parse("2001:db8::/32", &p);
	assert_int_equal(vrp_validate(v, &p, 64502), RPKI_VALID);
	prefix_parse("2001:db8::/48", &p);
	assert_int_equal(vrp_validate(v, &p, 64502), RPKI_INVALID);
	assert_int_equal(vrp_validate(NULL, &p, 64502), RPKI_NONE);
	vrp_free(v);
	assert_null(vrp_load_mem("vrp", "{\"roas\": [}", 11, err,
	    sizeof(err)));
	assert_true(strncmp(err, "vrp:1:11: ", 10) == 0);
	assert_null(vrp_str("{\"roas\":[{\"asn\":1,\"prefix\":"
	    "\"10.0.0.0/16\",\"maxLength\":8}]}", err));
	assert_string_equal(err, "vrp: roas[0]: a ROA whose maxLength is out "
	    "of range");
}

static void
test_first_hop_otc(void **state)
{
	uint8_t		p[256], tlv[32];
	size_t		n;
	uint32_t	otc = 0;

	(void)state;
	n = mkpath(p, "1 2 3");
	assert_int_equal(detect_first_hop(p, n), 2);
	n = mkpath(p, "1 2 2 3 3 3");
	assert_int_equal(detect_first_hop(p, n), 2);
	n = mkpath(p, "3 3");
	assert_int_equal(detect_first_hop(p, n), 0);
	n = mkpath(p, "1 2 {3,4}");
	assert_int_equal(detect_first_hop(p, n), 0);
	assert_int_equal(detect_first_hop(p, 0), 0);
	/* OTC after another attribute; a short one is not taken. */
	memcpy(tlv, "\xc0\x20\x00\x02\xab\xcd" "\xc0\x23\x00\x04\x00\x00\xfd\xe8",
	    14);
	assert_true(detect_otc(tlv, 14, &otc));
	assert_int_equal(otc, 65000);
	assert_false(detect_otc(tlv, 13, &otc));
	assert_false(detect_otc(tlv, 6, &otc));
}

/*
 * Relationships for the leak cases: 100 and 200 are tier 1 peers; 10 is
 * a customer of 100 and of 200; 20 of 200; 30 of 10; 40 of 20; 50 and 60
 * peer, 50 is a customer of 100.
 */
static const char rel_txt[] =
    "100|200|0\n100|10|-1\n200|10|-1\n200|20|-1\n10|30|-1\n20|40|-1\n"
    "50|60|0\n100|50|-1\n";

static void
test_leak_valley(void **state)
{
	static const struct {
		const char	*path;	/* collector side first */
		uint32_t	 leaker;	/* 0 = no leak */
	} cases[] = {
		{ "200 10 30", 0 },		/* up, up: fine */
		{ "20 200 100 10 30", 0 },	/* up up peer down down */
		{ "40 20 200 10 30", 0 },	/* up up down down */
		{ "100 10 30", 0 },
		{ "200 10 100 50", 10 },	/* type 1: 10 sends 100's route
						   up to 200 */
		{ "60 50 100 10 30", 50 },	/* type 3: a provider's route to
						   a peer */
		{ "100 50 60", 50 },		/* type 4: a peer's route to a
						   provider */
		{ "60 50 100 200 20", 50 },	/* peer at the top, down to 50,
						   which sends it to its peer */
		{ "7 8 9", 0 },			/* nothing known */
		{ "200 10 10 10 100 50", 10 },	/* prepends folded */
		{ "200 {10,11} 100 50", 0 },	/* a set: cannot judge */
	};
	struct asrel	*rel;
	uint8_t		 p[256];
	uint32_t	 leaker;
	size_t		 i, n;
	char		 err[128];
	bool		 got;

	(void)state;
	assert_non_null(rel = asrel_load_mem("rel", rel_txt, strlen(rel_txt),
	    err, sizeof(err)));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = mkpath(p, cases[i].path);
		leaker = 0;
		got = detect_leak(rel, p, n, false, 0, &leaker);
		if (got != (cases[i].leaker != 0) || leaker != cases[i].leaker)
			fail_msg("case %zu \"%s\": leak %d by %u, want %u", i,
			    cases[i].path, got, leaker, cases[i].leaker);
	}
	n = mkpath(p, "200 10 100 50");
	assert_false(detect_leak(NULL, p, n, false, 0, &leaker));
	asrel_free(rel);
}

static void
test_leak_otc(void **state)
{
	struct asrel	*rel;
	uint8_t		 p[256];
	uint32_t	 leaker = 0;
	size_t		 n;
	char		 err[128];

	(void)state;
	assert_non_null(rel = asrel_load_mem("rel", rel_txt, strlen(rel_txt),
	    err, sizeof(err)));
	/* 10 marked it going down to 30 (fine), 30 then sent it up to 7 and
	   8: links unknown, so nothing is proven. */
	n = mkpath(p, "8 7 30 10");
	assert_false(detect_leak(rel, p, n, true, 10, &leaker));
	/* OTC 100: 100 sent it to its customer 10, which sent it up to 200:
	   10 leaked, though no valley is visible before 100 (unknown 9). */
	n = mkpath(p, "200 10 100 9");
	assert_true(detect_leak(rel, p, n, true, 100, &leaker));
	assert_int_equal(leaker, 10);
	/* OTC 200 then a peer link 100 -> 50? no: 200 -> 100 is the peer
	   hop leaving the OTC AS, allowed; 100 -> 50 is down: fine. */
	n = mkpath(p, "50 100 200 20");
	assert_false(detect_leak(rel, p, n, true, 200, &leaker));
	/* ... but a peer link after it is a leak: 50 -> 60. */
	n = mkpath(p, "60 50 100 200 20");
	assert_true(detect_leak(rel, p, n, true, 200, &leaker));
	assert_int_equal(leaker, 50);
	/* The OTC AS sent it to its provider: a leak by that AS. */
	n = mkpath(p, "200 10 30");
	assert_true(detect_leak(rel, p, n, true, 10, &leaker));
	assert_int_equal(leaker, 10);
	/* An OTC AS not in the path proves nothing. */
	n = mkpath(p, "200 10 30");
	assert_false(detect_leak(rel, p, n, true, 999, &leaker));
	asrel_free(rel);
}

/* The rules every detector case below runs against. */
static const char det_yaml[] =
    "prefixes:\n"
    "  - prefix: 10.0.0.0/16\n"
    "    origins: [64500]\n"
    "    upstreams: [64510, 64511]\n"
    "  - prefix: 10.1.0.0/16\n"
    "    origins: [64501]\n"
    "    more_specifics: true\n"
    "  - prefix: 10.1.2.0/24\n"
    "    origins: [64502]\n"
    "exclude_sources: [\"192.0.2.99\"]\n";

static size_t
run(struct mon_conf *mc, struct droute *r, struct finding *f)
{
	return (detect_route(mc, r, f));
}

static void
test_detect_types(void **state)
{
	struct mon_conf	mc;
	struct finding	f[DET_MAX_FINDINGS];
	struct tr	t;
	char		err[256];

	(void)state;
	load(&mc, det_yaml);
	/* Legitimate: nothing. */
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/16", "192.0.2.1", 1,
	    "1 64510 64500"), f), 0);
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/16", "192.0.2.1", 64500,
	    "64500"), f), 0);	/* no first hop to judge */
	/* Unmonitored, excluded. */
	assert_int_equal(run(&mc, route(&t, "10.2.0.0/16", "192.0.2.1", 1,
	    "1 666"), f), 0);
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/16", "192.0.2.99", 1,
	    "1 666"), f), 0);
	/* Exact-prefix origin hijack. */
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/16", "192.0.2.1", 1,
	    "1 64510 666"), f), 1);
	assert_int_equal(f[0].type, DET_EXACT_HIJACK);
	assert_int_equal(f[0].severity, SEV_CRITICAL);
	assert_int_equal(f[0].offender, 666);
	assert_int_equal(f[0].rule, 0);
	/* Sub-prefix hijack, whatever the path. */
	assert_int_equal(run(&mc, route(&t, "10.0.128.0/17", "192.0.2.1", 1,
	    "1 777 666"), f), 1);
	assert_int_equal(f[0].type, DET_SUBPREFIX_HIJACK);
	assert_int_equal(f[0].offender, 666);
	/* A path ending in a set has no origin: illegal. */
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/16", "192.0.2.1", 1,
	    "1 64510 {64500,666}"), f), 1);
	assert_int_equal(f[0].type, DET_EXACT_HIJACK);
	assert_int_equal(f[0].offender, 0);
	/* New more-specific, legal origin and first hop: low. */
	assert_int_equal(run(&mc, route(&t, "10.0.1.0/24", "192.0.2.1", 1,
	    "1 64511 64500"), f), 1);
	assert_int_equal(f[0].type, DET_MORE_SPECIFIC);
	assert_int_equal(f[0].severity, SEV_LOW);
	/* ... expected under 10.1.0.0/16. */
	assert_int_equal(run(&mc, route(&t, "10.1.9.0/24", "192.0.2.1", 1,
	    "1 64501"), f), 0);
	/* The most specific rule decides: 10.1.2.0/24 has its own origin. */
	assert_int_equal(run(&mc, route(&t, "10.1.2.0/25", "192.0.2.1", 1,
	    "1 64501"), f), 1);
	assert_int_equal(f[0].type, DET_SUBPREFIX_HIJACK);
	assert_int_equal(f[0].rule, 2);
	/* Path anomaly: legal origin behind a first hop not allowed. */
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/16", "192.0.2.1", 1,
	    "1 64999 64500 64500"), f), 1);
	assert_int_equal(f[0].type, DET_PATH_ANOMALY);
	assert_int_equal(f[0].offender, 64999);
	assert_int_equal(f[0].origin, 64500);
	/* A more-specific with a bad first hop: both findings. */
	assert_int_equal(run(&mc, route(&t, "10.0.1.0/24", "192.0.2.1", 1,
	    "1 64999 64500"), f), 2);
	assert_int_equal(f[0].type, DET_MORE_SPECIFIC);
	assert_int_equal(f[1].type, DET_PATH_ANOMALY);
	/* RPKI: invalid with a legal origin; a valid hijack downgraded. */
	assert_non_null(mc.vrp = vrp_str("{\"roas\":[{\"asn\":666,"
	    "\"prefix\":\"10.0.0.0/16\",\"maxLength\":16}]}", err));
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/16", "192.0.2.1", 1,
	    "1 64510 64500"), f), 1);
	assert_int_equal(f[0].type, DET_RPKI_INVALID);
	assert_int_equal(f[0].severity, SEV_MEDIUM);
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/16", "192.0.2.1", 1,
	    "1 64510 666"), f), 1);
	assert_int_equal(f[0].type, DET_EXACT_HIJACK);
	assert_int_equal(f[0].rpki, RPKI_VALID);
	assert_int_equal(f[0].severity, SEV_MEDIUM);
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/17", "192.0.2.1", 1,
	    "1 64510 666"), f), 1);
	assert_int_equal(f[0].rpki, RPKI_INVALID);	/* too specific */
	assert_int_equal(f[0].severity, SEV_CRITICAL);
	/* Route leak, by relationships and by OTC. */
	assert_non_null(mc.rel = rel_str("64510|64500|-1\n"
	    "64510|64520|-1\n64530|64520|-1\n", err));
	assert_int_equal(run(&mc, route(&t, "10.0.0.0/16", "192.0.2.1", 1,
	    "1 64530 64520 64510 64500"), f), 2);
	assert_int_equal(f[0].type, DET_RPKI_INVALID);
	assert_int_equal(f[1].type, DET_ROUTE_LEAK);
	assert_int_equal(f[1].offender, 64520);
	assert_int_equal(f[1].severity, SEV_HIGH);
	route(&t, "10.0.0.0/16", "192.0.2.1", 1, "1 64520 64510 64500");
	assert_int_equal(run(&mc, &t.r, f), 1);		/* rpki only */
	with_otc(&t, 64510);	/* 64510 sent it down; 64520 then up to 1? */
	assert_int_equal(run(&mc, &t.r, f), 1);		/* 64520->1 unknown */
	vrp_free(mc.vrp);
	mc.vrp = NULL;
	mon_free(&mc);
}

static bool
has_change(const struct det_change *c, size_t n, bool add, enum det_type t,
    uint32_t offender)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i].add == add && c[i].f.type == t &&
		    c[i].f.offender == offender)
			return (true);
	return (false);
}

static void
test_detect_change(void **state)
{
	struct mon_conf		mc;
	struct det_change	c[2 * DET_MAX_FINDINGS];
	struct tr		o, n;
	size_t			k;

	(void)state;
	load(&mc, det_yaml);
	route(&o, "10.0.0.0/16", "192.0.2.1", 1, "1 64510 64500");
	route(&n, "10.0.0.0/16", "192.0.2.1", 1, "1 64510 666");
	/* Legitimate -> hijacked: the hijack starts. */
	k = detect_change(&mc, &o.r, &n.r, c);
	assert_int_equal(k, 1);
	assert_true(has_change(c, k, true, DET_EXACT_HIJACK, 666));
	/* Hijacked -> legitimate: it ends. */
	k = detect_change(&mc, &n.r, &o.r, c);
	assert_int_equal(k, 1);
	assert_true(has_change(c, k, false, DET_EXACT_HIJACK, 666));
	/* Same hijacker, another path: reasserted, never ended. */
	route(&o, "10.0.0.0/16", "192.0.2.1", 1, "1 2 666");
	k = detect_change(&mc, &o.r, &n.r, c);
	assert_int_equal(k, 1);
	assert_true(has_change(c, k, true, DET_EXACT_HIJACK, 666));
	/* Another hijacker: one ends, one starts. */
	route(&o, "10.0.0.0/16", "192.0.2.1", 1, "1 64510 777");
	k = detect_change(&mc, &o.r, &n.r, c);
	assert_int_equal(k, 2);
	assert_true(has_change(c, k, false, DET_EXACT_HIJACK, 777));
	assert_true(has_change(c, k, true, DET_EXACT_HIJACK, 666));
	/* Announcement and withdrawal. */
	k = detect_change(&mc, NULL, &n.r, c);
	assert_true(k == 1 && c[0].add);
	k = detect_change(&mc, &n.r, NULL, c);
	assert_true(k == 1 && !c[0].add);
	assert_int_equal(detect_change(&mc, NULL, NULL, c), 0);
	mon_free(&mc);
}

static void
test_visibility(void **state)
{
	struct mon_thresholds	th;
	struct mon_rule		r;
	struct mon_conf		mc;

	(void)state;
	mon_defaults(&mc);
	th = mc.th;		/* 50%, at least 3 sources */
	memset(&r, 0, sizeof(r));
	r.vis_percent = -1;
	assert_false(detect_visibility(&th, &r, 2, 0));	/* too few had it */
	assert_true(detect_visibility(&th, &r, 3, 0));
	assert_false(detect_visibility(&th, &r, 4, 3));
	assert_true(detect_visibility(&th, &r, 4, 2));	/* exactly 50% */
	assert_false(detect_visibility(&th, &r, 5, 3));	/* 40% */
	assert_false(detect_visibility(&th, &r, 4, 4));
	r.vis_percent = 100;
	assert_false(detect_visibility(&th, &r, 4, 1));
	assert_true(detect_visibility(&th, &r, 4, 0));
	th.vis_percent = 0;
	r.vis_percent = -1;
	assert_false(detect_visibility(&th, &r, 4, 0));	/* off */
}

static void
test_names(void **state)
{
	int t;

	(void)state;
	for (t = 1; t < DET_NTYPES; t++)
		assert_int_equal(det_type_parse(det_type_name(
		    (enum det_type)t)), t);
	assert_int_equal(det_type_parse("bogus"), -1);
	assert_string_equal(det_artemis(DET_SUBPREFIX_HIJACK, false),
	    "S|0|-|-");
	assert_string_equal(det_artemis(DET_PATH_ANOMALY, true), "E|1|-|-");
	assert_int_equal(det_severity_parse("critical"), SEV_CRITICAL);
	assert_int_equal(det_severity_parse("urgent"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_conf_ok),
		cmocka_unit_test(test_conf_errors),
		cmocka_unit_test(test_sieve),
		cmocka_unit_test(test_rel),
		cmocka_unit_test(test_vrp),
		cmocka_unit_test(test_first_hop_otc),
		cmocka_unit_test(test_leak_valley),
		cmocka_unit_test(test_leak_otc),
		cmocka_unit_test(test_detect_types),
		cmocka_unit_test(test_detect_change),
		cmocka_unit_test(test_visibility),
		cmocka_unit_test(test_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
