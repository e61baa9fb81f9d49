/*
 * test_bgp_pcap.c -- decode real BGP sessions with the codec.
 *
 * tests/integration/bgp_pcaps.sh extracts the TCP payloads of the shared
 * BGP captures with tshark and writes a list file; BGP_PCAP_LIST names it.
 * Without it (a plain `make unit`) the test is skipped.
 *
 * List file, one line per (capture, TCP direction), in capture order:
 *
 *	<label> TAB <session key> TAB <hex payload file> TAB <expected counts>
 *
 * The payload file holds the direction's TCP payloads in frame order, as
 * hex.  Lines with the same session key continue one byte stream (a
 * session's OPEN and UPDATEs may be in two captures); an OPEN starts the
 * session over.  The expected counts are the capture's, as the data
 * manifest gives them ("OPEN 1, UPDATE 45, KEEPALIVE 1"), on the capture's
 * last line.
 *
 * For every message: framing must succeed; an OPEN decodes, re-encodes and
 * decodes to the same capabilities; an UPDATE must not need a session
 * reset, and decode -> encode -> decode must give the same attributes and
 * NLRI.  Only one direction is captured, so the collector's side is taken
 * to mirror the router's capabilities (4-octet AS, extended messages, and
 * ADD-PATH receive where the router offers send).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bgp.h"
#include "bgp_vectors.h"

#define MAX_SESS	64

struct sess {
	char		 key[256];
	uint8_t		*buf;		/* unframed bytes */
	size_t		 len;
	bool		 open_seen;
	struct bgp_neg	 neg;
};

struct counts {
	unsigned	 type[6];	/* by message type */
	unsigned	 verdict[4];	/* UPDATE verdicts */
	unsigned	 prefixes;
};

static struct sess	 sess[MAX_SESS];
static int		 n_sess;
static struct bgp_update *u1, *u2;
static struct counts	 total;

static struct sess *
sess_get(const char *key)
{
	int i;

	for (i = 0; i < n_sess; i++)
		if (strcmp(sess[i].key, key) == 0)
			return (&sess[i]);
	assert_true(n_sess < MAX_SESS);
	snprintf(sess[n_sess].key, sizeof(sess[n_sess].key), "%s", key);
	return (&sess[n_sess++]);
}

/* Append the hex of a payload file to the session's byte stream. */
static void
sess_feed(struct sess *s, const char *path)
{
	FILE	*f;
	int	 c, hi = -1, v;

	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot open %s", path);
	while ((c = fgetc(f)) != EOF) {
		if (c >= '0' && c <= '9')
			v = c - '0';
		else if (c >= 'a' && c <= 'f')
			v = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v = c - 'A' + 10;
		else
			continue;	/* separators, newlines */
		if (hi < 0) {
			hi = v;
			continue;
		}
		s->buf = realloc(s->buf, s->len + 1);
		assert_non_null(s->buf);
		s->buf[s->len++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	fclose(f);
	assert_int_equal(hi, -1);
}

/*
 * The collector's OPEN as a mirror of the router's: what we must assume
 * it announced for the router's UPDATEs to be decodable.
 */
static void
negotiate(struct sess *s, const struct bgp_open *remote)
{
	struct bgp_open	*local = calloc(1, sizeof(*local));
	int		 i;

	assert_non_null(local);
	local->has_as4 = remote->has_as4;
	local->ext_msg = remote->ext_msg;
	local->n_addpath = remote->n_addpath;
	for (i = 0; i < remote->n_addpath; i++) {
		local->addpath[i] = remote->addpath[i];
		local->addpath[i].flags = (remote->addpath[i].flags &
		    ADDPATH_SEND) ? ADDPATH_RECV : 0;
	}
	bgp_negotiate(local, remote, &s->neg);
	free(local);
}

static void
check_open(struct sess *s, struct rd *body, const char *label)
{
	struct bgp_open	*o = malloc(sizeof(*o)), *o2 = malloc(sizeof(*o2));
	struct bgp_err	 e;
	struct wr	 w;
	struct rd	 r, b2;
	struct bgp_hdr	 h;

	bgp_err_clear(&e);
	if (bgp_open_decode(body, o, &e) != 0)
		fail_msg("%s: OPEN: %s", label, e.reason);
	negotiate(s, o);
	s->open_seen = true;
	/* decode -> encode -> decode */
	wr_init(&w, 256, BGP_MAX_LEN);
	assert_int_equal(bgp_open_encode(&w, o), 0);
	rd_init(&r, wr_data(&w), wr_len(&w));
	assert_int_equal(bgp_hdr_parse(&r, BGP_MAX_LEN, &h, &b2, &e), 0);
	assert_int_equal(bgp_open_decode(&b2, o2, &e), 0);
	assert_int_equal(o2->my_as, o->my_as);
	assert_int_equal(o2->holdtime, o->holdtime);
	assert_int_equal(o2->bgp_id, o->bgp_id);
	assert_int_equal(o2->as4, o->as4);
	assert_int_equal(o2->n_mp, o->n_mp);
	assert_int_equal(o2->n_addpath, o->n_addpath);
	assert_int_equal(o2->n_caps, o->n_caps);
	assert_int_equal(o2->route_refresh, o->route_refresh);
	assert_int_equal(o2->has_gr, o->has_gr);
	assert_int_equal(o2->n_gr, o->n_gr);
	wr_free(&w);
	free(o);
	free(o2);
}

static void
check_update(struct sess *s, struct rd *body, const char *label,
    struct counts *c)
{
	enum bgp_verdict v;
	struct wr	 w;
	struct rd	 r, b2;
	struct bgp_hdr	 h;
	struct bgp_err	 e;
	int		 idx;

	v = bgp_update_decode(u1, rd_cur(body), rd_left(body), &s->neg, 0);
	c->verdict[v]++;
	if (v != BGP_OK)
		print_message("%s: UPDATE %s: %s\n", label,
		    bgp_verdict_name(v), u1->err.reason);
	if (v == BGP_SESSION_RESET)
		fail_msg("%s: session reset on real data: %s", label,
		    u1->err.reason);
	c->prefixes += (unsigned)nlri_count(u1->nlri, u1->nlri_len, AFI_IPV4,
	    SAFI_UNICAST, u1->addpath_v4);
	if (attrs_has(&u1->a, ATTR_MP_REACH_NLRI)) {
		idx = afisafi_index(u1->a.mp_reach.afi, u1->a.mp_reach.safi);
		if (idx >= 0)
			c->prefixes += (unsigned)nlri_count(u1->a.mp_reach.nlri,
			    u1->a.mp_reach.nlri_len, u1->a.mp_reach.afi,
			    u1->a.mp_reach.safi, neg_addpath(&s->neg, idx));
	}

	/* decode -> encode -> decode gives the same attributes */
	wr_init(&w, 256, BGP_EXT_MAX_LEN);
	if (bgp_update_encode(&w, u1, s->neg.as4) != 0)
		fail_msg("%s: UPDATE does not re-encode", label);
	bgp_err_clear(&e);
	rd_init(&r, wr_data(&w), wr_len(&w));
	assert_int_equal(bgp_hdr_parse(&r, s->neg.ext_msg ? BGP_EXT_MAX_LEN :
	    BGP_MAX_LEN, &h, &b2, &e), 0);
	v = bgp_update_decode(u2, rd_cur(&b2), rd_left(&b2), &s->neg, 0);
	if (v != u1->err.verdict && !(u1->err.verdict == BGP_ATTR_DISCARD &&
	    v == BGP_OK))
		fail_msg("%s: re-encoding decodes %s, not %s (%s)", label,
		    bgp_verdict_name(v), bgp_verdict_name(u1->err.verdict),
		    u2->err.reason);
	if (getenv("PCAP_DEBUG") != NULL &&
	    (u1->a.seen & ~0x60000ull) != (u2->a.seen & ~0x60000ull)) {
		print_message("seen %llx vs %llx\norig %s\n",
		    (unsigned long long)u1->a.seen,
		    (unsigned long long)u2->a.seen,
		    hexs(rd_cur(body), rd_left(body)));
		print_message("enc  %s\n", hexs(wr_data(&w), wr_len(&w)));
	}
	assert_attrs_same(&u1->a, &u2->a);
	assert_int_equal(u1->withdrawn_len, u2->withdrawn_len);
	assert_memory_equal(u1->withdrawn, u2->withdrawn, u1->withdrawn_len);
	assert_int_equal(u1->nlri_len, u2->nlri_len);
	assert_memory_equal(u1->nlri, u2->nlri, u1->nlri_len);
	assert_int_equal(u1->eor, u2->eor);
	wr_free(&w);
}

/* Frame and check every complete message in the session's buffer. */
static void
sess_drain(struct sess *s, const char *label, struct counts *c)
{
	struct rd		 r, body;
	struct bgp_hdr		 h;
	struct bgp_err		 e;
	struct bgp_notify	 n;
	struct bgp_rrefresh	 rr;
	size_t			 used;
	char			 buf[512];

	rd_init(&r, s->buf, s->len);
	while (rd_left(&r) >= BGP_HDR_LEN) {
		uint16_t len;

		rd_peek_u16(&r, 16, &len);
		if (rd_left(&r) < len)
			break;		/* the rest comes in a later capture */
		bgp_err_clear(&e);
		if (bgp_hdr_parse(&r, s->neg.ext_msg ? BGP_EXT_MAX_LEN :
		    BGP_MAX_LEN, &h, &body, &e) != 0)
			fail_msg("%s: framing: %s", label, e.reason);
		c->type[h.type]++;
		switch (h.type) {
		case BGP_OPEN:
			check_open(s, &body, label);
			break;
		case BGP_UPDATE:
			if (!s->open_seen)
				fail_msg("%s: UPDATE before OPEN", label);
			check_update(s, &body, label, c);
			break;
		case BGP_NOTIFICATION:
			assert_int_equal(bgp_notify_decode(&body, &n), 0);
			print_message("%s: %s\n", label,
			    bgp_notify_fmt(&n, buf, sizeof(buf)));
			break;
		case BGP_ROUTE_REFRESH:
			assert_int_equal(bgp_rrefresh_decode(&body, &rr), 0);
			break;
		}
	}
	used = s->len - rd_left(&r);
	memmove(s->buf, s->buf + used, s->len - used);
	s->len -= used;
}

/* "OPEN 1, UPDATE 45, KEEPALIVE 1" against what was counted. */
static void
expect_counts(const char *label, const char *want, const struct counts *c)
{
	static const char *const names[] = {
		"", "OPEN", "UPDATE", "NOTIFICATION", "KEEPALIVE",
		"ROUTE-REFRESH"
	};
	unsigned	 seen[6] = { 0 };
	char		 name[32];
	unsigned	 n, t;
	const char	*p = want;
	int		 used;

	while (sscanf(p, " %31[A-Z-] %u%n", name, &n, &used) == 2) {
		for (t = 1; t < 6; t++)
			if (strcmp(name, names[t]) == 0)
				break;
		if (t == 6)
			fail_msg("%s: unknown message name %s", label, name);
		seen[t] = n;
		p += used;
		while (*p == ',' || *p == ' ')
			p++;
	}
	for (t = 1; t < 6; t++)
		if (seen[t] != c->type[t])
			fail_msg("%s: %u %s, the manifest says %u", label,
			    c->type[t], names[t], seen[t]);
	print_message("%-64s OPEN %u UPDATE %u KEEPALIVE %u NOTIFICATION %u "
	    "ROUTE-REFRESH %u; verdicts ok %u discard %u withdraw %u; "
	    "prefixes %u\n", label, c->type[1], c->type[2], c->type[4],
	    c->type[3], c->type[5], c->verdict[0], c->verdict[1],
	    c->verdict[2], c->prefixes);
}

static void
test_pcaps(void **state)
{
	const char	*list = getenv("BGP_PCAP_LIST");
	FILE		*f;
	char		 line[4096], cur[512] = "";
	char		*label, *key, *path, *want;
	struct counts	 c;
	int		 i, n_labels = 0;

	if (list == NULL || *list == '\0') {
		print_message("BGP_PCAP_LIST not set: run "
		    "tests/integration/bgp_pcaps.sh\n");
		skip();
	}
	if ((f = fopen(list, "r")) == NULL)
		fail_msg("cannot open %s", list);
	memset(&c, 0, sizeof(c));
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		label = strtok(line, "\t");
		key = strtok(NULL, "\t");
		path = strtok(NULL, "\t");
		want = strtok(NULL, "\t");
		if (label == NULL || key == NULL || path == NULL)
			fail_msg("bad list line");
		if (strcmp(cur, label) != 0) {
			memset(&c, 0, sizeof(c));
			snprintf(cur, sizeof(cur), "%s", label);
			n_labels++;
		}
		{
			struct sess *s = sess_get(key);

			sess_feed(s, path);
			sess_drain(s, label, &c);
		}
		if (want != NULL) {
			expect_counts(label, want, &c);
			for (i = 0; i < 6; i++)
				total.type[i] += c.type[i];
			for (i = 0; i < 4; i++)
				total.verdict[i] += c.verdict[i];
			total.prefixes += c.prefixes;
		}
	}
	fclose(f);
	/*
	 * A capture may stop inside a message (301 does: tshark does not
	 * count that one either).  What is left must be the start of a
	 * message: the marker, and a length past the end of the capture.
	 */
	for (i = 0; i < n_sess; i++) {
		if (sess[i].len != 0) {
			static const uint8_t ones[16] = {
				0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff
			};

			if (sess[i].len < 18 ||
			    memcmp(sess[i].buf, ones, 16) != 0 ||
			    be16(sess[i].buf + 16) <= sess[i].len)
				fail_msg("%s: %zu octets left that are no "
				    "message start", sess[i].key, sess[i].len);
			print_message("%s: the capture ends %zu octets into "
			    "a %u-octet message\n", sess[i].key, sess[i].len,
			    be16(sess[i].buf + 16));
		}
		free(sess[i].buf);
	}
	assert_true(n_labels > 0);
	assert_true(total.type[BGP_UPDATE] > 0);
	print_message("total: %d captures, %u messages (%u UPDATE), %u "
	    "prefixes, session resets %u\n", n_labels, total.type[1] +
	    total.type[2] + total.type[3] + total.type[4] + total.type[5],
	    total.type[2], total.prefixes, total.verdict[BGP_SESSION_RESET]);
}

static int
setup(void **state)
{
	u1 = bgp_update_new();
	u2 = bgp_update_new();
	return (u1 == NULL || u2 == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	bgp_update_free(u1);
	bgp_update_free(u2);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcaps),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
