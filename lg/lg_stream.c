/*
 * lg_stream.c -- GET /api/v1/stream and /api/v1/alerts/stream: the live
 * streams of stream.h as Server-Sent Events.
 *
 * A stream is a libmicrohttpd response of unknown length (chunked) whose
 * content comes from the client's queue in the hub.  When the queue is
 * empty the connection is suspended, so no thread waits or spins for it;
 * the hub resumes it when a frame arrives, a keep-alive is due or the
 * stream ends.  Both calls are made under the hub's lock, which orders a
 * suspend before the resume that answers it.
 *
 * The connection's send buffer is kept small: left to itself the kernel
 * grows it to megabytes, and a client that stopped reading would hide
 * that long behind it instead of meeting its queue's bound.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lg_int.h"
#include "stream.h"

#define SSE_SNDBUF	(64 * 1024)
#define SSE_BLOCK	8192

struct sse {
	struct MHD_Connection	*conn;
	struct stream_client	*c;
};

static void
sse_sleep(void *arg)
{
	struct sse *s = arg;

	MHD_suspend_connection(s->conn);
}

static void
sse_wake(void *arg)
{
	struct sse *s = arg;

	MHD_resume_connection(s->conn);
}

static ssize_t
sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse	*s = cls;
	size_t		 n;
	bool		 ended;

	(void)pos;
	if ((n = stream_client_read(s->c, buf, max, &ended)) > 0)
		return ((ssize_t)n);
	if (ended)
		return (MHD_CONTENT_READER_END_OF_STREAM);
	return (0);		/* suspended; the hub resumes us */
}

static void
sse_free(void *cls)
{
	struct sse *s = cls;

	stream_client_close(s->c);
	free(s);
}

static void
tune_socket(struct lg *lg, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo	*ci;
	const struct stream_config	*sc = stream_hub_config(
					    lg->ctx.streams);
	int				 sz = SSE_SNDBUF;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci != NULL)
		(void)setsockopt(ci->connect_fd, SOL_SOCKET, SO_SNDBUF, &sz,
		    sizeof(sz));
	/*
	 * A suspended stream never times out; one that cannot write (its
	 * reader stopped) does, after a few keep-alive periods.
	 */
	MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT,
	    sc->keepalive_s != 0 ? sc->keepalive_s * 3 + 10 : 0u);
}

/* Open the client in the hub and answer with its stream. */
static int
serve(struct lg *lg, struct req *r, struct stream_filter *f)
{
	struct MHD_Response	*resp;
	struct stream_waker	 w;
	struct sse		*s;
	bool			 busy;

	if (lg->ctx.streams == NULL) {
		stream_filter_free(f);
		r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		snprintf(r->err_msg, sizeof(r->err_msg), "live streams are "
		    "not running");
		return (-1);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		stream_filter_free(f);
		return (-1);
	}
	s->conn = r->conn;
	w.sleep = sse_sleep;
	w.wake = sse_wake;
	w.arg = s;
	if ((s->c = stream_client_open(lg->ctx.streams, f, &w, &busy)) ==
	    NULL) {
		stream_filter_free(f);
		free(s);
		if (!busy)
			return (-1);
		r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		r->retry_after = "5";
		snprintf(r->err_msg, sizeof(r->err_msg), "too many stream "
		    "clients (stream_max_clients %u)",
		    stream_hub_config(lg->ctx.streams)->max_clients);
		return (-1);
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, SSE_BLOCK,
	    sse_read, s, sse_free);
	if (resp == NULL) {
		sse_free(s);
		return (-1);
	}
	MHD_add_response_header(resp, "Content-Type", "text/event-stream");
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	MHD_add_response_header(resp, "X-Accel-Buffering", "no");
	lg_common_headers(lg, r->conn, resp);
	tune_socket(lg, r->conn);
	r->queued = true;
	r->mhd_rv = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	lg_count_status(lg, MHD_HTTP_OK);
	return (0);
}

static int
path_filter(struct req *r, struct stream_filter *f)
{
	const char *v = lg_param(r, "path");

	if (v == NULL)
		return (0);
	/* Validated already (P_REGEX: length, syntax); compiled once here. */
	if (regcomp(&f->path_re, v, REG_EXTENDED | REG_NOSUB) != 0)
		return (lg_bad(r, "path", "not a regular expression"));
	f->has_path = true;
	return (0);
}

int
lg_h_stream(struct lg *lg, struct req *r)
{
	struct stream_filter	 f;
	const char		*v;
	uint64_t		 u;

	memset(&f, 0, sizeof(f));
	f.src = -1;
	f.kinds = STREAM_K_UPDATE | STREAM_K_PEER;
	if ((v = lg_param(r, "type")) != NULL)
		f.kinds = strcmp(v, "UPDATE") == 0 ? STREAM_K_UPDATE :
		    STREAM_K_PEER;
	if ((v = lg_param(r, "prefix")) != NULL) {
		prefix_parse(v, &f.pfx);
		f.has_prefix = true;
	}
	if ((v = lg_param(r, "moreSpecific")) != NULL)
		f.more = strcmp(v, "true") == 0;
	if ((v = lg_param(r, "lessSpecific")) != NULL)
		f.less = strcmp(v, "true") == 0;
	if ((v = lg_param(r, "source")) != NULL &&
	    lg_parse_u64(v, 65534, &u))
		f.src = (int)u;
	if ((v = lg_param(r, "origin")) != NULL)
		lg_parse_asn(v, &f.origin_as);
	if (path_filter(r, &f) == -1)
		return (-1);
	return (serve(lg, r, &f));
}

int
lg_h_alerts_stream(struct lg *lg, struct req *r)
{
	struct stream_filter	 f;
	const char		*v;

	if (lg->ctx.alerts == NULL) {
		r->status = MHD_HTTP_SERVICE_UNAVAILABLE;
		snprintf(r->err_msg, sizeof(r->err_msg), "alerting is not "
		    "running (no data directory?)");
		return (-1);
	}
	memset(&f, 0, sizeof(f));
	f.src = -1;
	f.kinds = STREAM_K_ALERT;
	if ((v = lg_param(r, "type")) != NULL)
		snprintf(f.alert_type, sizeof(f.alert_type), "%s", v);
	if ((v = lg_param(r, "prefix")) != NULL) {
		prefix_parse(v, &f.pfx);
		f.has_prefix = true;
		f.more = true;		/* as /api/v1/alerts: within it */
	}
	return (serve(lg, r, &f));
}

/*
 * The table's rows (lg_api.c) take these.
 */
const struct pdesc lg_p_stream[] = {
	{ "prefix", P_PREFIX, NULL, 0, 0, NULL, "193.0.0.0/21",
	    "Only UPDATEs of this prefix (an address is a /32 or /128); with "
	    "moreSpecific or lessSpecific, of its more- or less-specifics "
	    "too.", 0 },
	{ "moreSpecific", P_BOOL, NULL, 0, 0, "prefix", "true",
	    "true: more-specifics of prefix match as well (as RIS Live's "
	    "moreSpecific).", 0 },
	{ "lessSpecific", P_BOOL, NULL, 0, 0, "prefix", "true",
	    "true: less-specifics of prefix match as well.", 0 },
	{ "source", P_UINT, NULL, 0, 65534, NULL, "0",
	    "Only messages about this source (the id in a route's source: a "
	    "BGP peer or a table of a BMP router).", 0 },
	{ "origin", P_ASN, NULL, 0, 0, NULL, "3333",
	    "Only UPDATEs whose AS path ends in this AS (a withdrawal: the "
	    "withdrawn route's).", 0 },
	{ "path", P_REGEX, NULL, 0, 0, NULL, "^3333 ",
	    "Only UPDATEs whose AS path, printed as in the routes' as_path, "
	    "matches this POSIX extended regular expression (at most 256 "
	    "characters; a withdrawal: the withdrawn route's path).", 0 },
	{ "type", P_ENUM, "UPDATE|RIS_PEER_STATE", 0, 0, NULL, "UPDATE",
	    "Only messages of this type; both by default.", 0 },
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

const struct pdesc lg_p_alerts_stream[] = {
	{ "type", P_ENUM, "exact_prefix_hijack|sub_prefix_hijack|"
	    "new_more_specific|path_anomaly|route_leak|rpki_invalid|"
	    "visibility_loss", 0, 0, NULL, "sub_prefix_hijack",
	    "Only alerts of this type (docs/detection.md).", 0 },
	{ "prefix", P_PREFIX, NULL, 0, 0, NULL, "203.0.113.0/24",
	    "Only alerts about this prefix or its more-specifics.", 0 },
	{ NULL, 0, NULL, 0, 0, NULL, NULL, NULL, 0 }
};

const struct field lg_f_stream[] = {
	{ "stream", F_SSE, NULL, NULL, 0, 0, "Server-Sent Events, one JSON "
	    "message per data line: {\"type\": \"ris_message\", \"data\": "
	    "{...}} with data.type UPDATE or RIS_PEER_STATE, and a last "
	    "{\"type\": \"ris_error\"} when the stream is ended (a client "
	    "too slow for its queue); comment lines are keep-alives.  "
	    "docs/api.md has every field." },
	{ NULL, 0, NULL, NULL, 0, 0, NULL }
};

const struct field lg_f_alerts_stream[] = {
	{ "stream", F_SSE, NULL, NULL, 0, 0, "Server-Sent Events, one JSON "
	    "message per data line: {\"type\": \"alert\", \"data\": {\"event\": "
	    "opened|updated|resolved, \"alert\": {...}, ...}} (the webhook "
	    "payload), and a last {\"type\": \"ris_error\"} when the stream "
	    "is ended; comment lines are keep-alives." },
	{ NULL, 0, NULL, NULL, 0, 0, NULL }
};
