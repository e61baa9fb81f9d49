/*
 * lg_alerts.c -- /api/v1/alerts: the alerts of the detection engine
 * (collector/alert*.c, docs/detection.md).
 *
 *   /api/v1/alerts          newest first; filters state, type, prefix;
 *                           limit and cursor page through them
 *   /api/v1/alerts/status   the engine's counters and each webhook's
 *                           delivery queue
 *   /api/v1/alerts/{id}     one alert
 *
 * Answers come from the engine's own mutex (alertd_list and friends),
 * never from the RIB lock.  The rows of lg_api.c's endpoint table point
 * here; the parameters and fields below feed openapi.json.
 */
#include <stdio.h>
#include <string.h>

#include "alert.h"
#include "lg_int.h"

static struct alertd *
engine(struct lg *lg, struct req *r)
{
	if (lg->ctx.alerts == NULL) {
		r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		snprintf(r->err_msg, sizeof(r->err_msg), "alerting is not "
		    "running (no data directory?)");
	}
	return (lg->ctx.alerts);
}

int
lg_h_alerts(struct lg *lg, struct req *r)
{
	struct alertd		*e;
	struct alert_filter	 f;
	const char		*v;
	uint64_t		 u;

	if ((e = engine(lg, r)) == NULL)
		return (-1);
	memset(&f, 0, sizeof(f));
	f.state = ALERT_OPEN;
	f.type = -1;
	if ((v = lg_param(r, "state")) != NULL)
		f.state = strcmp(v, "all") == 0 ? -1 : alert_state_parse(v);
	if ((v = lg_param(r, "type")) != NULL)
		f.type = det_type_parse(v);
	if ((v = lg_param(r, "prefix")) != NULL) {
		f.has_prefix = prefix_parse(v, &f.pfx) == 0;
		if (strchr(v, '/') == NULL)
			return (lg_bad(r, "prefix", "a prefix (a.b.c.d/len)"));
	}
	if (lg_limit(r, "limit", 100, 1000, &f.limit) == -1)
		return (-1);
	if ((v = lg_param(r, "cursor")) != NULL) {
		if (!lg_parse_u64(v, UINT64_MAX, &u) || u == 0)
			return (lg_bad(r, "cursor", "not a cursor from this "
			    "API"));
		f.before = u;
	}
	r->body = alertd_list(e, &f);
	return (r->body != NULL ? 0 : -1);
}

static bool
id_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f')))
			return (false);
	return (i == 16);
}

int
lg_h_alert(struct lg *lg, struct req *r)
{
	struct alertd	*e;
	const char	*id = lg_param(r, "id");

	if ((e = engine(lg, r)) == NULL)
		return (-1);
	if (id == NULL || !id_ok(id))
		return (lg_bad(r, "id", "an alert id is 16 hexadecimal "
		    "digits"));
	if ((r->body = alertd_get(e, id)) == NULL) {
		r->status = MHD_HTTP_NOT_FOUND;
		snprintf(r->err_msg, sizeof(r->err_msg), "no alert %s (or it "
		    "is older than max_resolved)", id);
		return (-1);
	}
	return (0);
}

int
lg_h_alerts_status(struct lg *lg, struct req *r)
{
	struct alertd *e;

	if ((e = engine(lg, r)) == NULL)
		return (-1);
	r->body = alertd_status(e);
	return (r->body != NULL ? 0 : -1);
}

/*
 * The table's side: parameters and answers.
 */
const struct pdesc lg_p_alerts[] = {
	{ "state", P_ENUM, "open|resolved|pending|all", 0, 0, NULL, "open",
	    "open (default), resolved, pending (asserted, thresholds not "
	    "met yet) or all (open and resolved).", 0 },
	{ "type", P_ENUM, "exact_prefix_hijack|sub_prefix_hijack|"
	    "new_more_specific|path_anomaly|route_leak|rpki_invalid|"
	    "visibility_loss", 0, 0, NULL, "sub_prefix_hijack",
	    "Only alerts of this type (docs/detection.md).", 0 },
	{ "prefix", P_PREFIX, NULL, 0, 0, NULL, "203.0.113.0/24",
	    "Only alerts about this prefix or its more-specifics.", 0 },
	{ "limit", P_UINT, NULL, 1, 1000, NULL, "10",
	    "At most this many alerts (1 to 1000, default 100); when more "
	    "exist the answer has next_cursor.", 0 },
	{ "cursor", P_UINT, NULL, 1, UINT32_MAX, NULL, "42",
	    "Continue after the previous page: its next_cursor.", 0 },
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

const struct pdesc lg_p_alert[] = {
	{ "id", P_REGEX, NULL, 0, 0, NULL, "3f2a9c0d41be7e55",
	    "The alert's id: 16 hexadecimal digits.", PD_PATH | PD_REQUIRED },
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

const struct pdesc lg_p_alerts_status[] = {
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

#define FS(n, d)	{ n, F_STR, NULL, NULL, 0, 0, d }
#define FSN(n, d)	{ n, F_STR, NULL, NULL, 0, FL_NULL, d }
#define FI(n, d)	{ n, F_INT, NULL, NULL, 0, 0, d }
#define FN(n, d)	{ n, F_NUM, NULL, NULL, 0, FL_NULL, d }
#define FB(n, d)	{ n, F_BOOL, NULL, NULL, 0, 0, d }
#define FEND		{ NULL, 0, NULL, NULL, 0, 0, NULL }

static const struct field f_rule[] = {
	FS("prefix", "The monitored prefix."),
	FS("group", "Its group: which webhooks are told."),
	{ "origins", F_ARR, NULL, NULL, F_INT, 0, "Legal origin ASes." },
	{ "upstreams", F_ARR, NULL, NULL, F_INT, 0, "Legal first hops "
	    "(empty: any)." },
	FB("more_specifics", "More-specifics are expected."),
	{ "description", F_STR, NULL, NULL, 0, FL_OPT, "From the monitor "
	    "file." },
	FEND
};

static const struct field f_asource[] = {
	FS("peer", "The source's address."),
	FI("peer_as", "Its AS."),
	FB("active", "It asserts the alert now (for visibility loss: the "
	    "loss goes on)."),
	FEND
};

static const struct field f_links[] = {
	{ "alert", F_STR, NULL, NULL, 0, FL_OPT, "This alert in the API." },
	{ "routes", F_STR, NULL, NULL, 0, FL_OPT, "The prefix's routes." },
	{ "history", F_STR, NULL, NULL, 0, FL_OPT, "The prefix's changes." },
	FEND
};

const struct field lg_f_alert[] = {
	FS("id", "Stable id, 16 hexadecimal digits."),
	FS("type", "exact_prefix_hijack, sub_prefix_hijack, "
	    "new_more_specific, path_anomaly, route_leak, rpki_invalid or "
	    "visibility_loss."),
	FS("artemis", "The ARTEMIS classification (E|0|-|-, S|0|-|-, ...)."),
	FS("severity", "info, low, medium, high or critical."),
	FS("state", "pending, open or resolved."),
	FS("prefix", "The prefix announced (or lost)."),
	{ "rule", F_OBJ, f_rule, "Rule", 0, FL_NULL, "The monitored prefix "
	    "it falls under." },
	FS("group", "The rule's group."),
	FI("origin_as", "Origin AS of the offending paths."),
	FI("offender_as", "The hijacking origin, the unexpected first hop, "
	    "or the leaking AS; 0 for visibility loss."),
	FSN("rpki", "RFC 6811 state of the route, null without VRPs."),
	{ "as_paths", F_ARR, NULL, NULL, F_STR, 0, "Offending AS paths seen "
	    "(at most 16)." },
	{ "sources", F_ARR, f_asource, "AlertSource", 0, 0, "Sources that "
	    "saw it (at most 256)." },
	FI("sources_now", "Distinct sources asserting it now."),
	FI("peer_ases_now", "Distinct neighbour ASes asserting it now."),
	{ "visibility", F_OBJ, (const struct field[]){
		FI("had", "Sources that had the prefix."),
		FI("now", "Sources that have it now."),
		FEND }, "Visibility", 0, FL_OPT, "Visibility loss only." },
	FN("first_seen", "First asserted, unix seconds."),
	FN("last_seen", "Last asserted."),
	FN("opened_at", "When it was opened; null while pending."),
	FN("resolved_at", "When it was resolved; null until then."),
	FI("revision", "Lifecycle events sent so far."),
	FS("summary", "One line for humans."),
	{ "links", F_OBJ, f_links, "AlertLinks", 0, 0, "Looking-glass "
	    "links (none without looking_glass_url or http_listen)." },
	FEND
};

const struct field lg_f_alerts[] = {
	{ "alerts", F_ARR, lg_f_alert, "Alert", 0, 0, "Newest first." },
	FI("count", "Alerts in this answer."),
	{ "next_cursor", F_STR, NULL, NULL, 0, FL_OPT, "Pass as cursor for "
	    "the next page." },
	FEND
};

const struct field lg_f_alerts_status[] = {
	FB("enabled", "A monitor file is loaded."),
	FI("monitored_prefixes", "Rules of the monitor file."),
	FI("relationships", "AS links known from the relationship file."),
	FI("vrps", "VRPs loaded."),
	FI("pending", "Alerts asserted, not yet opened."),
	FI("open", "Open alerts."),
	FI("resolved", "Resolved alerts kept."),
	FI("route_changes_judged", "Changes of monitored prefixes seen."),
	FI("findings", "Findings the detectors made."),
	{ "events", F_OBJ, (const struct field[]){
		FI("opened", "Alerts opened."),
		FI("updated", "Updates sent."),
		FI("resolved", "Alerts resolved."),
		FEND }, "AlertEvents", 0, 0, "Lifecycle events since start." },
	{ "webhooks", F_ARR, (const struct field[]){
		FS("name", "The webhook."),
		FS("url", "Where it posts."),
		FI("pending", "Requests queued, not yet delivered."),
		FI("pending_bytes", "Their size on disk."),
		FI("delivered", "Requests answered 2xx since start."),
		FI("failed_attempts", "Attempts that failed (retried)."),
		FI("rejected", "Requests refused with a 4xx and skipped."),
		FI("last_status", "HTTP status of the last attempt, 0 = none."),
		FSN("last_error", "What went wrong last."),
		FN("last_delivery", "When the last delivery succeeded."),
		FN("retry_in", "Seconds until the next retry, null if none."),
		FEND }, "Webhook", 0, 0, "Each webhook's delivery queue." },
	FEND
};
