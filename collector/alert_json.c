/*
 * alert_json.c -- webhook bodies: the default JSON payload, and user
 * templates with {{placeholders}} (Slack, Teams, Mattermost, PagerDuty;
 * docs/detection.md has one of each).
 *
 * A template is filled when the event is queued, so the queue on disk
 * holds the exact bytes that will be sent and signed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alert.h"

char *
alert_payload(enum alert_event ev, json_t *alert, const char *key)
{
	json_t	*o;
	char	*txt;

	o = json_pack("{s:i, s:s, s:s, s:O}", "version", 1,
	    "event", alert_event_name(ev), "idempotency_key", key,
	    "alert", alert);
	if (o == NULL)
		return (NULL);
	txt = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return (txt);
}

/* A time of the alert as ISO 8601 UTC, "" when unset. */
static void
iso_time(json_t *v, char *buf, size_t len)
{
	struct tm	tm;
	time_t		t;

	buf[0] = '\0';
	if (!json_is_number(v) || json_number_value(v) <= 0)
		return;
	t = (time_t)json_number_value(v);
	if (gmtime_r(&t, &tm) != NULL)
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Join an array: numbers as "AS<n>", strings as they are. */
static void
join(json_t *arr, const char *sep, bool as, char *buf, size_t len)
{
	json_t	*v;
	size_t	 i, off = 0;
	int	 n;

	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		if (off >= len)
			break;
		if (json_is_integer(v))
			n = snprintf(buf + off, len - off, "%s%s%lld",
			    i ? sep : "", as ? "AS" : "",
			    (long long)json_integer_value(v));
		else
			n = snprintf(buf + off, len - off, "%s%s", i ? sep : "",
			    json_is_string(v) ? json_string_value(v) : "");
		off += n > 0 ? (size_t)n : 0;
	}
}

static void
sources_text(json_t *arr, char *buf, size_t len)
{
	json_t	*v;
	size_t	 i, off = 0;
	int	 n;

	buf[0] = '\0';
	json_array_foreach(arr, i, v) {
		if (off >= len)
			break;
		n = snprintf(buf + off, len - off, "%s%s (AS%lld)",
		    i ? ", " : "", json_string_value(json_object_get(v,
		    "peer")), (long long)json_integer_value(json_object_get(v,
		    "peer_as")));
		off += n > 0 ? (size_t)n : 0;
	}
}

static void
set_s(json_t *o, const char *k, const char *v)
{
	json_object_set_new(o, k, json_string(v ? v : ""));
}

static void
set_num(json_t *o, const char *k, json_t *v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)(json_is_integer(v) ?
	    json_integer_value(v) : 0));
	set_s(o, k, buf);
}

json_t *
alert_tmpl_vars(enum alert_event ev, json_t *a, const char *key)
{
	json_t	*o, *rule = json_object_get(a, "rule"), *links;
	char	 buf[4096], *payload;

	if ((o = json_object()) == NULL)
		return (NULL);
	set_s(o, "id", json_string_value(json_object_get(a, "id")));
	set_s(o, "event", alert_event_name(ev));
	/* PagerDuty's Events API v2 words for the same thing. */
	set_s(o, "event_action", ev == AEV_RESOLVED ? "resolve" : "trigger");
	set_s(o, "type", json_string_value(json_object_get(a, "type")));
	set_s(o, "artemis", json_string_value(json_object_get(a, "artemis")));
	set_s(o, "severity", json_string_value(json_object_get(a,
	    "severity")));
	set_s(o, "state", json_string_value(json_object_get(a, "state")));
	set_s(o, "prefix", json_string_value(json_object_get(a, "prefix")));
	set_s(o, "rule_prefix", json_string_value(json_object_get(rule,
	    "prefix")));
	set_s(o, "description", json_string_value(json_object_get(rule,
	    "description")));
	set_s(o, "group", json_string_value(json_object_get(a, "group")));
	set_num(o, "origin_as", json_object_get(a, "origin_as"));
	set_num(o, "offender_as", json_object_get(a, "offender_as"));
	join(json_object_get(rule, "origins"), ", ", true, buf, sizeof(buf));
	set_s(o, "expected_origins", buf);
	join(json_object_get(rule, "upstreams"), ", ", true, buf, sizeof(buf));
	set_s(o, "upstreams", buf);
	set_s(o, "as_path", json_string_value(json_array_get(
	    json_object_get(a, "as_paths"), 0)));
	join(json_object_get(a, "as_paths"), "; ", false, buf, sizeof(buf));
	set_s(o, "as_paths", buf);
	sources_text(json_object_get(a, "sources"), buf, sizeof(buf));
	set_s(o, "sources", buf);
	set_num(o, "sources_count", json_object_get(a, "sources_now"));
	set_num(o, "peer_ases_count", json_object_get(a, "peer_ases_now"));
	set_s(o, "rpki", json_string_value(json_object_get(a, "rpki")) ?
	    json_string_value(json_object_get(a, "rpki")) : "none");
	iso_time(json_object_get(a, "first_seen"), buf, sizeof(buf));
	set_s(o, "first_seen", buf);
	iso_time(json_object_get(a, "last_seen"), buf, sizeof(buf));
	set_s(o, "last_seen", buf);
	iso_time(json_object_get(a, "opened_at"), buf, sizeof(buf));
	set_s(o, "opened_at", buf);
	iso_time(json_object_get(a, "resolved_at"), buf, sizeof(buf));
	set_s(o, "resolved_at", buf);
	links = json_object_get(a, "links");
	set_s(o, "link", json_string_value(json_object_get(links, "alert")));
	set_s(o, "summary", json_string_value(json_object_get(a, "summary")));
	set_s(o, "idempotency_key", key);
	set_num(o, "revision", json_object_get(a, "revision"));
	payload = alert_payload(ev, a, key);
	set_s(o, "payload", payload);
	free(payload);
	return (o);
}

/* A growing string. */
struct sbuf {
	char	*p;
	size_t	 len, cap;
	bool	 oom;
};

static void
sb_add(struct sbuf *b, const char *s, size_t n)
{
	char *np;

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;

		if ((np = realloc(b->p, cap)) == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* A value inside a JSON string: quotes, backslashes, controls escaped. */
static void
sb_add_json(struct sbuf *b, const char *s)
{
	char	esc[8];

	for (; *s != '\0'; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			sb_add(b, esc, 2);
		} else if (c == '\n')
			sb_add(b, "\\n", 2);
		else if (c == '\t')
			sb_add(b, "\\t", 2);
		else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			sb_add(b, esc, 6);
		} else
			sb_add(b, s, 1);
	}
}

char *
alert_tmpl_render(const char *t, json_t *vars, bool json_escape)
{
	struct sbuf	 b = { NULL, 0, 0, false };
	const char	*p, *e, *name, *val;
	char		 key[64];
	size_t		 n;

	sb_add(&b, "", 0);
	while ((p = strstr(t, "{{")) != NULL &&
	    (e = strstr(p + 2, "}}")) != NULL) {
		sb_add(&b, t, (size_t)(p - t));
		for (name = p + 2; *name == ' '; name++)
			;
		for (n = (size_t)(e - name); n > 0 && name[n - 1] == ' '; n--)
			;
		snprintf(key, sizeof(key), "%.*s", (int)(n < 63 ? n : 63),
		    name);
		val = json_string_value(json_object_get(vars, key));
		if (val == NULL)
			val = "";
		if (json_escape && strcmp(key, "payload") != 0)
			sb_add_json(&b, val);
		else
			sb_add(&b, val, strlen(val));
		t = e + 2;
	}
	sb_add(&b, t, strlen(t));
	if (b.oom) {
		free(b.p);
		return (NULL);
	}
	return (b.p);
}
