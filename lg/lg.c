/*
 * lg.c -- the looking glass HTTP server (see lg.h, docs/api.md).
 *
 * Every endpoint is a row of a table (lg_api.c): path, handler, the
 * parameters it takes and what it answers.  A request is checked against
 * its row before anything else runs: an unknown, repeated or malformed
 * parameter gets a 400 whose JSON names it, so no handler ever sees input
 * it did not ask for.  The same rows generate openapi.json, so what is
 * documented is what is enforced.
 *
 * Before the row, the request meets the access policy, cheapest refusal
 * first: method (GET and HEAD only), rate limit (a token bucket per
 * client), then the bearer token.  Results are bounded by limits and
 * continued by cursors, so no request makes the daemon allocate without
 * bound.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lg_int.h"
#include "log.h"

const char *
lg_param(const struct req *r, const char *name)
{
	int i;

	for (i = 0; r->ep->params[i].name != NULL; i++)
		if (strcmp(r->ep->params[i].name, name) == 0)
			return (r->vals[i]);
	return (NULL);
}

int
lg_bad(struct req *r, const char *param, const char *fmt, ...)
{
	va_list ap;

	r->status = MHD_HTTP_BAD_REQUEST;
	snprintf(r->err_param, sizeof(r->err_param), "%s", param ? param : "");
	va_start(ap, fmt);
	vsnprintf(r->err_msg, sizeof(r->err_msg), fmt, ap);
	va_end(ap);
	return (-1);
}

/*
 * Parameter parsing.  Strict: digits only where a number is expected (no
 * sign, no space, no hex), so "10abc" or " 10" is a 400, not 10.
 */

bool
lg_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char			*end;
	unsigned long long	 v;

	if (*s < '0' || *s > '9')
		return (false);
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return (false);
	*out = v;
	return (true);
}

/* "64500" or "AS64500" (either case); 0 is reserved (RFC 7607). */
bool
lg_parse_asn(const char *s, uint32_t *out)
{
	uint64_t v;

	if ((s[0] == 'A' || s[0] == 'a') && (s[1] == 'S' || s[1] == 's'))
		s += 2;
	if (!lg_parse_u64(s, UINT32_MAX, &v) || v == 0)
		return (false);
	*out = (uint32_t)v;
	return (true);
}

bool
lg_parse_time_us(const char *s, uint64_t *out)
{
	char	*end;
	double	 v;
	const char *p;

	/* Digits and at most one dot: no exponents, no "inf", no hex. */
	for (p = s; *p != '\0'; p++)
		if ((*p < '0' || *p > '9') && *p != '.')
			return (false);
	if (*s < '0' || *s > '9' || strchr(s, '.') != strrchr(s, '.'))
		return (false);
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || v < 0 || v > 4e9)
		return (false);
	*out = (uint64_t)(v * 1e6);
	return (true);
}

bool
lg_parse_comm(const char *s, int parts, uint32_t *out)
{
	char		 buf[64], *tok, *end;
	const char	*p;
	int		 n = 0;
	unsigned long	 v;

	/* Exactly parts numbers, single colons: "1::2" and "1:2:" are bad. */
	if (strlen(s) >= sizeof(buf))
		return (false);
	for (p = s; *p != '\0'; p++)
		if (*p == ':' && (p == s || p[1] == ':' || p[1] == '\0'))
			return (false);
	strcpy(buf, s);
	for (tok = buf; tok != NULL; tok = end) {
		if (n >= parts || *tok < '0' || *tok > '9')
			return (false);
		errno = 0;
		v = strtoul(tok, &end, 10);
		if (errno != 0 || (*end != '\0' && *end != ':') ||
		    v > (parts == 2 ? 65535UL : 4294967295UL))
			return (false);
		out[n++] = (uint32_t)v;
		end = *end == ':' ? end + 1 : NULL;
	}
	return (n == parts);
}

/* Cursors: "prefix,source,path_id", opaque to clients. */
void
lg_cursor_fmt(const struct rib_cursor *c, char *buf, size_t len)
{
	char pb[PREFIX_STRLEN];

	snprintf(buf, len, "%s,%u,%u", prefix_fmt(&c->pfx, pb, sizeof(pb)),
	    c->src, c->path_id);
}

int
lg_cursor_parse(const char *s, struct rib_cursor *c)
{
	char		 buf[96], *a, *b;
	uint64_t	 src, pid;

	memset(c, 0, sizeof(*c));
	if (strlen(s) >= sizeof(buf))
		return (-1);
	strcpy(buf, s);
	if ((a = strchr(buf, ',')) == NULL)
		return (-1);
	*a++ = '\0';
	if ((b = strchr(a, ',')) == NULL)
		return (-1);
	*b++ = '\0';
	if (strchr(buf, '/') == NULL || prefix_parse(buf, &c->pfx) == -1 ||
	    !lg_parse_u64(a, 65535, &src) || !lg_parse_u64(b, UINT32_MAX, &pid))
		return (-1);
	c->src = (uint16_t)src;
	c->path_id = (uint32_t)pid;
	c->valid = true;
	return (0);
}

/* A limit parameter (already range-checked), or the default. */
int
lg_limit(struct req *r, const char *name, size_t def, size_t max,
    size_t *out)
{
	const char	*v = lg_param(r, name);
	uint64_t	 u;

	*out = def;
	if (v == NULL)
		return (0);
	if (!lg_parse_u64(v, max, &u) || u == 0)
		return (lg_bad(r, name, "from 1 to %zu", max));
	*out = (size_t)u;
	return (0);
}

static bool
enum_ok(const char *list, const char *v)
{
	size_t		 n = strlen(v);
	const char	*p = list;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, v, n) == 0 && (p[n] == '|' || p[n] == '\0'))
			return (true);
		p = strchr(p, '|');
		if (p != NULL)
			p++;
	}
	return (false);
}

static int
validate_uint(struct req *r, const struct pdesc *d, const char *v)
{
	uint64_t u;

	if (!lg_parse_u64(v, UINT32_MAX, &u))
		return (lg_bad(r, d->name, "\"%s\" is not a number", v));
	if ((d->min != 0 || d->max != 0) && (u < d->min || u > d->max))
		return (lg_bad(r, d->name, "%" PRIu64 " is not from %u to %u",
		    u, d->min, d->max));
	return (0);
}

/* No slash, no leading dot: a name, never a path. */
static bool
filename_ok(const char *v)
{
	size_t i;

	if (v[0] == '.' || v[0] == '\0')
		return (false);
	for (i = 0; v[i] != '\0'; i++)
		if (i >= 63 || !((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= 'A' && v[i] <= 'Z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '.' ||
		    v[i] == '_' || v[i] == '-'))
			return (false);
	return (true);
}

int
lg_validate(struct req *r, const struct pdesc *d, const char *v)
{
	struct prefix		pf;
	struct rib_cursor	cur;
	uint64_t		u;
	uint32_t		c[3];
	regex_t			re;
	char			why[128];

	switch (d->type) {
	case P_PREFIX:
		if (prefix_parse(v, &pf) == -1)
			return (lg_bad(r, d->name, "\"%s\" is not a prefix or "
			    "an address", v));
		return (0);
	case P_UINT:
		return (validate_uint(r, d, v));
	case P_ASN:
		if (!lg_parse_asn(v, c))
			return (lg_bad(r, d->name, "\"%s\" is not an AS number "
			    "(1 to 4294967295, optionally after \"AS\")", v));
		return (0);
	case P_TIME:
		if (!lg_parse_time_us(v, &u))
			return (lg_bad(r, d->name, "\"%s\" is not a time in unix "
			    "seconds", v));
		return (0);
	case P_ENUM:
		if (!enum_ok(d->enums, v))
			return (lg_bad(r, d->name, "\"%s\" is not one of %s", v,
			    d->enums));
		return (0);
	case P_COMMUNITY:
		if (!lg_parse_comm(v, 2, c))
			return (lg_bad(r, d->name, "\"%s\" is not a community "
			    "(ASN:VALUE, each 0 to 65535)", v));
		return (0);
	case P_LARGE:
		if (!lg_parse_comm(v, 3, c))
			return (lg_bad(r, d->name, "\"%s\" is not a large "
			    "community (A:B:C)", v));
		return (0);
	case P_REGEX:
		if (lg_regex_compile(&re, v, why, sizeof(why)) == -1)
			return (lg_bad(r, d->name, "%s: %s", why, LG_RE_DOC));
		regfree(&re);
		return (0);
	case P_CURSOR:
		if (lg_cursor_parse(v, &cur) == -1)
			return (lg_bad(r, d->name, "not a cursor from this "
			    "API"));
		return (0);
	case P_BOOL:
		if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
			return (lg_bad(r, d->name, "\"%s\" is not true or "
			    "false", v));
		return (0);
	case P_FILENAME:
		if (!filename_ok(v))
			return (lg_bad(r, d->name, "not a file name (letters, "
			    "digits, '.', '_' and '-', at most 63, not "
			    "starting with '.')"));
		return (0);
	}
	return (0);
}

struct argwalk {
	struct req	*r;
	int		 failed;
};

static enum MHD_Result
arg_cb(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct argwalk		*w = cls;
	struct req		*r = w->r;
	const struct pdesc	*d;
	int			 i;

	(void)kind;
	if (w->failed)
		return (MHD_NO);
	w->failed = 1;		/* until the parameter is taken */
	for (i = 0; r->ep->params[i].name != NULL; i++) {
		d = &r->ep->params[i];
		if (strcmp(d->name, key) != 0 || (d->flags & PD_PATH))
			continue;
		if (r->vals[i] != NULL) {
			lg_bad(r, key, "given more than once");
			return (MHD_NO);
		}
		if (value == NULL || *value == '\0') {
			lg_bad(r, key, "empty value");
			return (MHD_NO);
		}
		if (lg_validate(r, d, value) == -1)
			return (MHD_NO);
		r->vals[i] = value;
		w->failed = 0;
		return (MHD_YES);
	}
	lg_bad(r, key, "unknown parameter for %s", r->ep->path);
	return (MHD_NO);
}

/* Every parameter in place: path segment, query, required ones, pairs. */
static int
check_params(struct req *r)
{
	const struct pdesc	*d;
	struct argwalk		 w = { r, 0 };
	int			 i;

	for (i = 0; r->ep->params[i].name != NULL; i++) {
		d = &r->ep->params[i];
		if (!(d->flags & PD_PATH))
			continue;
		if (lg_validate(r, d, r->path_val) == -1)
			return (-1);
		r->vals[i] = r->path_val;
	}
	MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, arg_cb, &w);
	if (w.failed)
		return (-1);
	for (i = 0; r->ep->params[i].name != NULL; i++) {
		d = &r->ep->params[i];
		if ((d->flags & PD_REQUIRED) && r->vals[i] == NULL)
			return (lg_bad(r, d->name, "required"));
		if (d->needs != NULL && r->vals[i] != NULL &&
		    lg_param(r, d->needs) == NULL)
			return (lg_bad(r, d->name, "needs %s", d->needs));
	}
	return (0);
}

/*
 * Routing: an exact path, or a template whose last segment is {param}.
 */
static bool
ep_match(const struct endpoint *ep, const char *url, const char **seg)
{
	const char	*brace = strchr(ep->path, '{');
	size_t		 n;

	*seg = NULL;
	if (brace == NULL)
		return (strcmp(url, ep->path) == 0);
	n = (size_t)(brace - ep->path);
	if (strncmp(url, ep->path, n) != 0 || url[n] == '\0' ||
	    strchr(url + n, '/') != NULL)
		return (false);
	*seg = url + n;
	return (true);
}

static const struct endpoint *
ep_find(const char *url, const char **seg)
{
	size_t i;

	for (i = 0; i < lg_n_endpoints; i++)
		if (ep_match(&lg_endpoints[i], url, seg))
			return (&lg_endpoints[i]);
	return (NULL);
}

/*
 * Static files of the web UI.
 */

static const char *
mime_of(const char *path)
{
	static const struct { const char *ext, *type; } m[] = {
		{ ".html", "text/html; charset=utf-8" },
		{ ".js", "text/javascript; charset=utf-8" },
		{ ".css", "text/css; charset=utf-8" },
		{ ".json", "application/json" },
		{ ".svg", "image/svg+xml" },
		{ ".png", "image/png" },
		{ ".ico", "image/x-icon" },
	};
	const char	*dot = strrchr(path, '.');
	size_t		 i;

	for (i = 0; dot != NULL && i < sizeof(m) / sizeof(m[0]); i++)
		if (strcmp(dot, m[i].ext) == 0)
			return (m[i].type);
	return ("application/octet-stream");
}

static enum MHD_Result
send_static(struct lg *lg, struct MHD_Connection *conn, const char *url)
{
	struct MHD_Response	*resp;
	struct stat		 st;
	char			 path[PATH_MAX];
	const char		*p;
	enum MHD_Result		 rv;
	int			 fd;

	/* Only plain names under the web root: no "..", no hidden files. */
	if (strcmp(url, "/") == 0)
		url = "/index.html";
	for (p = url; *p != '\0'; p++)
		if (!(*p == '/' || *p == '.' || *p == '-' || *p == '_' ||
		    (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9')))
			return (MHD_NO);
	if (lg->ctx.web_root == NULL || strstr(url, "/.") != NULL ||
	    (size_t)snprintf(path, sizeof(path), "%s%s", lg->ctx.web_root,
	    url) >= sizeof(path))
		return (MHD_NO);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (MHD_NO);
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return (MHD_NO);
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (resp == NULL) {
		close(fd);
		return (MHD_NO);
	}
	MHD_add_response_header(resp, "Content-Type", mime_of(path));
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	lg_common_headers(lg, conn, resp);
	rv = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	atomic_fetch_add_explicit(&lg->requests[2], 1, memory_order_relaxed);
	return (rv);
}

/*
 * CORS: "*" lets any page read the API; a list of origins echoes the
 * request's Origin when it is one of them (and says Vary: Origin so a
 * cache does not hand one origin's answer to another).
 */
static const char *
cors_allow(struct lg *lg, struct MHD_Connection *conn)
{
	const char	*origin, *p;
	size_t		 n;

	if (lg->cors == NULL)
		return (NULL);
	if (strcmp(lg->cors, "*") == 0)
		return ("*");
	origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
	if (origin == NULL || (n = strlen(origin)) == 0)
		return (NULL);
	for (p = lg->cors; p != NULL; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		while (*p == ' ')
			p++;
		if (strncmp(p, origin, n) == 0 && (p[n] == ',' ||
		    p[n] == ' ' || p[n] == '\0'))
			return (origin);
	}
	return (NULL);
}

void
lg_common_headers(struct lg *lg, struct MHD_Connection *conn,
    struct MHD_Response *resp)
{
	const char *allow = cors_allow(lg, conn);

	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (allow != NULL) {
		MHD_add_response_header(resp, "Access-Control-Allow-Origin",
		    allow);
		MHD_add_response_header(resp, "Access-Control-Expose-Headers",
		    "Retry-After");
	}
	if (lg->cors != NULL && strcmp(lg->cors, "*") != 0)
		MHD_add_response_header(resp, "Vary", "Origin");
}

static enum MHD_Result
send_buf(struct lg *lg, struct MHD_Connection *conn, int status, char *txt,
    size_t len, enum MHD_ResponseMemoryMode mode, const char *ctype,
    const char *retry_after)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 rv;

	resp = MHD_create_response_from_buffer(len, txt, mode);
	if (resp == NULL) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(txt);
		return (MHD_NO);
	}
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-cache");
	if (retry_after != NULL)
		MHD_add_response_header(resp, "Retry-After", retry_after);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, "Allow", "GET, HEAD");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, "WWW-Authenticate",
		    "Bearer realm=\"bgplens\"");
	lg_common_headers(lg, conn, resp);
	rv = MHD_queue_response(conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	lg_count_status(lg, status);
	return (rv);
}

void
lg_count_status(struct lg *lg, int status)
{
	atomic_fetch_add_explicit(&lg->requests[status / 100 < 6 ?
	    status / 100 : 5], 1, memory_order_relaxed);
}

static enum MHD_Result
send_json(struct lg *lg, struct MHD_Connection *conn, int status, json_t *o,
    bool text, const char *retry_after)
{
	char	*txt;
	size_t	 len;

	if (text && json_is_string(o)) {
		len = json_string_length(o);
		if ((txt = malloc(len + 1)) != NULL)
			memcpy(txt, json_string_value(o), len + 1);
	} else {
		txt = json_dumps(o, JSON_COMPACT);
		len = txt ? strlen(txt) : 0;
	}
	json_decref(o);
	if (txt == NULL)
		return (MHD_NO);
	return (send_buf(lg, conn, status, txt, len, MHD_RESPMEM_MUST_FREE,
	    text ? "text/plain; version=0.0.4; charset=utf-8" :
	    "application/json", retry_after));
}

static enum MHD_Result
send_error(struct lg *lg, struct MHD_Connection *conn, int status,
    const char *msg, const char *param, const char *retry_after)
{
	json_t *o = json_pack("{s:s}", "error", msg);

	if (o != NULL && param != NULL && param[0] != '\0')
		json_object_set_new(o, "parameter", json_string(param));
	if (o != NULL && retry_after != NULL)
		json_object_set_new(o, "retry_after", json_integer(
		    strtol(retry_after, NULL, 10)));
	if (o == NULL)
		return (MHD_NO);
	return (send_json(lg, conn, status, o, false, retry_after));
}

/*
 * A file, read by libmicrohttpd from the descriptor as it sends (the
 * response owns and closes it); the length is the file's at open, and a
 * final archive name is never rewritten.
 */
static enum MHD_Result
send_file(struct lg *lg, struct MHD_Connection *conn, struct req *r)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 rv;
	char			 disp[128];

	resp = MHD_create_response_from_fd64(r->file_size, r->file_fd);
	if (resp == NULL) {
		close(r->file_fd);
		return (MHD_NO);
	}
	MHD_add_response_header(resp, "Content-Type", r->file_type);
	snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
	    r->file_name);
	MHD_add_response_header(resp, "Content-Disposition", disp);
	lg_common_headers(lg, conn, resp);
	rv = MHD_queue_response(conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	atomic_fetch_add_explicit(&lg->requests[2], 1, memory_order_relaxed);
	return (rv);
}

/* A CORS preflight: only meaningful when CORS is configured. */
static enum MHD_Result
send_preflight(struct lg *lg, struct MHD_Connection *conn)
{
	struct MHD_Response	*resp;
	enum MHD_Result		 rv;

	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp == NULL)
		return (MHD_NO);
	lg_common_headers(lg, conn, resp);
	MHD_add_response_header(resp, "Access-Control-Allow-Methods",
	    "GET, HEAD");
	MHD_add_response_header(resp, "Access-Control-Allow-Headers",
	    "Authorization");
	MHD_add_response_header(resp, "Access-Control-Max-Age", "600");
	rv = MHD_queue_response(conn, MHD_HTTP_NO_CONTENT, resp);
	MHD_destroy_response(resp);
	atomic_fetch_add_explicit(&lg->requests[2], 1, memory_order_relaxed);
	return (rv);
}

static uint64_t
mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

/* 0 when the client may go on, else the seconds it should wait. */
static unsigned
rate_check(struct lg *lg, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	if (lg->rate == NULL)
		return (0);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci == NULL)
		return (0);
	return (lg_rate_take(lg->rate, ci->client_addr, mono_us()));
}

/* Compare in time independent of where the strings differ. */
static bool
token_ok(struct lg *lg, struct MHD_Connection *conn)
{
	const char		*h;
	size_t			 n, i;
	unsigned char		 d;

	if (lg->token == NULL)
		return (true);
	h = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return (false);
	h += 7;
	while (*h == ' ')
		h++;
	n = strlen(h);
	d = n != lg->token_len;
	for (i = 0; i < lg->token_len; i++)
		d |= (unsigned char)(lg->token[i] ^ (i < n ? h[i] : 0));
	return (d == 0);
}

static enum MHD_Result
run_endpoint(struct lg *lg, struct MHD_Connection *conn,
    const struct endpoint *ep, const char *seg)
{
	struct req r;

	memset(&r, 0, sizeof(r));
	r.file_fd = -1;
	r.conn = conn;
	r.ep = ep;
	r.path_val = seg;
	r.status = MHD_HTTP_OK;
	if (check_params(&r) == 0 && ep->fn(lg, &r) == -1 &&
	    r.status == MHD_HTTP_OK)
		r.status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	if (r.queued)
		return (r.mhd_rv);
	if (r.status != MHD_HTTP_OK) {
		json_decref(r.body);
		return (send_error(lg, conn, r.status, r.err_msg[0] ?
		    r.err_msg : "internal error", r.err_param, r.retry_after));
	}
	if (ep->flags & EP_FILE)
		return (send_file(lg, conn, &r));
	if (ep->flags & EP_RAW)
		return (send_buf(lg, conn, MHD_HTTP_OK, (char *)(uintptr_t)
		    r.raw, r.raw_len, MHD_RESPMEM_PERSISTENT,
		    "application/json", NULL));
	if (r.body == NULL)
		return (send_error(lg, conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "out of memory", NULL, NULL));
	return (send_json(lg, conn, r.status, r.body, (ep->flags & EP_TEXT) !=
	    0, NULL));
}

static bool
has_body(struct MHD_Connection *conn)
{
	const char *cl;

	if (MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
		return (true);
	cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	return (cl != NULL && strcmp(cl, "0") != 0);
}

/*
 * The collector comes first: a flood of queries must not slow the BGP
 * sessions down (hold timers, TCP windows, alert latency).  So the HTTP
 * threads run LG_NICE steps nicer than the rest of the daemon; on a busy
 * machine they get the CPU the event loop leaves.  bench/30_lg_wrk.sh
 * measures the effect on two cores: a full table loads 30% slower under
 * a lookup flood with the threads at the daemon's priority, 8% slower
 * with them here (medians of 9), and lookups on a table not being
 * written are as fast either way.
 * Each libmicrohttpd thread sets its own on its first request (Linux:
 * setpriority() on a thread id is that thread's).
 */
#define LG_NICE	10

static _Thread_local bool	thread_niced;

static void
thread_nice(void)
{
	id_t	tid;
	int	prio;

	if (thread_niced)
		return;
	thread_niced = true;
	tid = (id_t)gettid();
	errno = 0;
	prio = getpriority(PRIO_PROCESS, tid);
	if (errno == 0 && prio + LG_NICE <= 19)
		setpriority(PRIO_PROCESS, tid, prio + LG_NICE);
}

static enum MHD_Result
lg_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **con_cls)
{
	struct lg		*lg = cls;
	const struct endpoint	*ep;
	const char		*seg;
	char			 ra[16];
	unsigned		 wait;

	(void)version;
	(void)upload_data;
	thread_nice();
	/*
	 * The first call brings the headers.  A method we refuse, or a body
	 * we would not read, is answered at once: libmicrohttpd then closes
	 * the connection instead of reading the body.  Anything else is
	 * answered on the second call, when the request is complete, which
	 * is what lets libmicrohttpd keep the connection alive.
	 */
	if (*con_cls == NULL) {
		*con_cls = (void *)1;
		if (strcmp(method, "OPTIONS") == 0 && lg->cors != NULL)
			return (MHD_YES);
		if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
			return (send_error(lg, conn,
			    MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD",
			    NULL, NULL));
		if (has_body(conn))
			return (send_error(lg, conn, MHD_HTTP_BAD_REQUEST,
			    "GET and HEAD take no request body", NULL, NULL));
		return (MHD_YES);
	}
	if (*upload_size != 0) {	/* cannot happen without a body */
		*upload_size = 0;
		return (MHD_YES);
	}
	if (strcmp(method, "OPTIONS") == 0)
		return (send_preflight(lg, conn));
	if ((wait = rate_check(lg, conn)) != 0) {
		atomic_fetch_add_explicit(&lg->limited, 1,
		    memory_order_relaxed);
		snprintf(ra, sizeof(ra), "%u", wait);
		return (send_error(lg, conn, MHD_HTTP_TOO_MANY_REQUESTS,
		    "rate limited: too many requests from this address", NULL,
		    ra));
	}
	if ((ep = ep_find(url, &seg)) == NULL) {
		if (strncmp(url, "/api/", 5) != 0 &&
		    strcmp(url, "/metrics") != 0 &&
		    send_static(lg, conn, url) == MHD_YES)
			return (MHD_YES);
		return (send_error(lg, conn, MHD_HTTP_NOT_FOUND,
		    "no such endpoint", NULL, NULL));
	}
	if (!(ep->flags & EP_PUBLIC) && !token_ok(lg, conn))
		return (send_error(lg, conn, MHD_HTTP_UNAUTHORIZED,
		    "a bearer token is required (Authorization: Bearer ...)",
		    NULL, NULL));
	return (run_endpoint(lg, conn, ep, seg));
}

/*
 * Setup.
 */

/* A configured value, else the environment's, else NULL. */
static const char *
setting(const char *conf, const char *env)
{
	const char *v;

	if (conf != NULL && conf[0] != '\0')
		return (conf);
	v = getenv(env);
	return (v != NULL && v[0] != '\0' ? v : NULL);
}

static double
setting_num(double conf, const char *env)
{
	const char	*v;
	char		*end;
	double		 d;

	if (conf != 0)
		return (conf);
	if ((v = getenv(env)) == NULL || *v == '\0')
		return (0);
	d = strtod(v, &end);
	if (*end != '\0' || d < 0) {
		log_warnx("%s=\"%s\": not a number, ignored", env, v);
		return (0);
	}
	return (d);
}

static int
policy_init(struct lg *lg, const struct lg_ctx *ctx)
{
	const char	*tok, *cors;
	double		 rate, burst;

	rate = setting_num(ctx->rate_limit, "BGPLENS_LG_RATE");
	burst = setting_num(ctx->rate_burst, "BGPLENS_LG_BURST");
	if (rate > 0 && (lg->rate = lg_rate_new(rate, burst)) == NULL)
		return (-1);
	if ((tok = setting(ctx->token, "BGPLENS_LG_TOKEN")) != NULL) {
		if ((lg->token = strdup(tok)) == NULL)
			return (-1);
		lg->token_len = strlen(tok);
	}
	if ((cors = setting(ctx->cors_origin, "BGPLENS_LG_CORS")) != NULL &&
	    (lg->cors = strdup(cors)) == NULL)
		return (-1);
	if (rate > 0)
		log_info("looking glass: at most %.6g requests/s per client, "
		    "bursts of %.6g", rate, burst >= 1 ? burst :
		    (rate * 2 >= 1 ? rate * 2 : 1));
	if (lg->token != NULL)
		log_info("looking glass: bearer token required");
	return (0);
}

/* openapi.json is the same for the process's life: serialise it once. */
static int
openapi_init(struct lg *lg)
{
	json_t *doc = lg_openapi_build();

	if (doc == NULL)
		return (-1);
	lg->openapi = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(doc);
	if (lg->openapi == NULL)
		return (-1);
	lg->openapi_len = strlen(lg->openapi);
	return (0);
}

static int
listen_addr(const char *spec, struct sockaddr_storage *ss, bool *v6)
{
	struct addr	 a;
	char		 host[64], *colon, *end;
	unsigned long	 port;

	snprintf(host, sizeof(host), "%s", spec);
	if ((colon = strrchr(host, ':')) == NULL) {
		log_warnx("http_listen \"%s\": expected ADDRESS:PORT", spec);
		return (-1);
	}
	*colon = '\0';
	port = strtoul(colon + 1, &end, 10);
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {	/* [::1]:80 */
		memmove(host, host + 1, strlen(host));
		host[strlen(host) - 1] = '\0';
	}
	if (addr_parse(host, &a) == -1 || *end != '\0' || port == 0 ||
	    port > 65535) {
		log_warnx("http_listen \"%s\": bad address or port", spec);
		return (-1);
	}
	memset(ss, 0, sizeof(*ss));
	*v6 = a.afi == AFI_IPV6;
	if (*v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		memcpy(&s6->sin6_addr, a.b, 16);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		memcpy(&s4->sin_addr, a.b, 4);
	}
	return (0);
}

static void
lg_free(struct lg *lg)
{
	lg_geo_close(lg->geo);
	lg_rate_free(lg->rate);
	free(lg->token);
	free(lg->cors);
	free(lg->openapi);
	free(lg);
}

struct lg *
lg_start(const struct lg_ctx *ctx)
{
	struct lg		*lg;
	struct sockaddr_storage	 ss;
	long			 ncpu;
	bool			 v6;

	if ((lg = calloc(1, sizeof(*lg))) == NULL)
		return (NULL);
	lg->ctx = *ctx;
	if (listen_addr(ctx->conf->http_listen, &ss, &v6) == -1)
		goto fail;
	if (policy_init(lg, ctx) == -1 || openapi_init(lg) == -1 ||
	    (lg->geo = lg_geo_open(ctx->conf->mmdb_asn,
	    ctx->conf->mmdb_country)) == NULL) {
		log_warnx("looking glass: out of memory");
		goto fail;
	}
	/*
	 * One thread per core: handlers are CPU-bound (the RIB is in
	 * memory), so more threads would only queue on the cores.
	 */
	if ((ncpu = sysconf(_SC_NPROCESSORS_ONLN)) < 2)
		ncpu = 2;
	if (ncpu > 16)
		ncpu = 16;
	/*
	 * TURBO: try the read or write before asking epoll, which is what
	 * succeeds on a busy keep-alive connection.  16 KiB per connection
	 * holds any request this API takes (URLs are short, bodies refused)
	 * and is what libmicrohttpd clears between requests: 64 KiB made
	 * that clearing a visible share of a lookup's cost.
	 */
	lg->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL | MHD_USE_TURBO | MHD_USE_ERROR_LOG |
	    MHD_ALLOW_SUSPEND_RESUME |
	    (v6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, lg_request, lg,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)ncpu,
	    MHD_OPTION_CONNECTION_LIMIT, 512u,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 128u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16384,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
	    MHD_OPTION_END);
	if (lg->mhd == NULL) {
		log_warn("looking glass on %s", ctx->conf->http_listen);
		goto fail;
	}
	log_info("looking glass on http://%s/", ctx->conf->http_listen);
	return (lg);
fail:
	lg_free(lg);
	return (NULL);
}

void
lg_stop(struct lg *lg)
{
	if (lg == NULL)
		return;
	MHD_stop_daemon(lg->mhd);
	lg_free(lg);
}
