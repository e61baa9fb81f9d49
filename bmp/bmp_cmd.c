/*
 * bmp_cmd.c -- "bgplens bmp": read raw BMP byte streams, or send them.
 *
 *	bgplens bmp [--stats | --json] [--strict] FILE...
 *	bgplens bmp --send ADDR [--port N] [--local ADDR] [--linger S] FILE...
 *	bgplens bmp --from-mrt RIB [--peers N] -o OUT	(bmp_gen.c)
 *
 * Reading runs each file through the station's own code: the stream
 * reassembler cuts it into messages and a struct bmp_router without a
 * RIB parses and decodes them, with the negotiated state each Peer Up
 * sets.  Without options it prints one line per message; --stats prints
 * counts per message type, version and peer, --json the same as JSON.
 * Every problem is reported with the byte offset of its message.  A
 * malformed message is counted and reading goes on with the next (the
 * framing still holds); a framing error ends that file.  A stream that
 * stops inside a message (a capture cut short) is reported as such and is
 * an error only with --strict.  Exit status 1 if any file had an error.
 *
 * Sending writes the files, as they are, over one TCP connection to a
 * BMP station, then keeps the connection open for --linger seconds (or
 * until a signal): closing it would make the station withdraw what the
 * stream announced.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "bmp.h"
#include "msgbuf.h"

#define READ_SIZE	(1u << 20)
#define MAX_ERRS	100

enum out_mode { OUT_LINES, OUT_STATS, OUT_JSON };

struct ferr {
	uint64_t	off;
	char		reason[240];
};

struct rfile {
	const char	*name;
	uint64_t	 bytes;
	uint64_t	 messages;
	uint64_t	 by_type[256];
	uint64_t	 by_version[256];
	uint64_t	 malformed;
	bool		 framing_failed;
	bool		 truncated;
	uint64_t	 trunc_off;
	size_t		 trunc_have, trunc_want;
	size_t		 n_errs;
	uint64_t	 errs_total;
	struct ferr	 errs[MAX_ERRS];
	struct bmp_router_info info;
};

static volatile sig_atomic_t bmp_stop;

static void
on_signal(int sig)
{
	(void)sig;
	bmp_stop = 1;
}

static long
len_fn(const uint8_t *hdr, size_t max, char *err, size_t errlen)
{
	struct bmp_err	e;
	long		l;

	if ((l = bmp_hdr_len(hdr, max, &e)) == -1)
		snprintf(err, errlen, "%s", e.reason);
	return (l);
}

static void
add_err(struct rfile *f, uint64_t off, const char *what, const char *why)
{
	f->errs_total++;
	if (f->n_errs == MAX_ERRS)
		return;
	f->errs[f->n_errs].off = off;
	snprintf(f->errs[f->n_errs].reason, sizeof(f->errs[0].reason),
	    "%s%s", what, why);
	f->n_errs++;
}

/*
 * One line per message.
 */

static void
print_peer(const struct bmp_msg *m)
{
	char ab[ADDR_STRLEN];

	printf(" %s %s AS%u", bmp_peer_type_name(m->peer.type),
	    addr_fmt(&m->peer.addr, ab, sizeof(ab)), m->peer.as);
	if (m->peer.distinguisher != 0)
		printf(" rd %llu:%llu",
		    (unsigned long long)(m->peer.distinguisher >> 32),
		    (unsigned long long)(m->peer.distinguisher & 0xffffffff));
	if (m->type != BMP_ROUTE_MONITORING)
		return;
	printf(" %s", rib_table_name(bmp_peer_table(&m->peer)));
	if (m->peer.flags & BMP_PF_A && m->peer.type != BMP_PEER_LOC_RIB)
		printf(" 2-octet-as");
}

static void
print_tlv_text(const char *label, const struct bmp_tlvs *t, uint16_t type)
{
	uint16_t i, k;

	for (i = 0; i < t->n; i++) {
		if (t->t[i].type != type)
			continue;
		printf(" %s=\"", label);
		for (k = 0; k < t->t[i].len && k < 120; k++) {
			uint8_t c = t->t[i].val[k];

			putchar(c >= 0x20 && c < 0x7f && c != '"' ? c : '.');
		}
		putchar('"');
	}
}

static void
print_line(uint64_t off, const struct bmp_msg *m,
    const struct bmp_router_counters *before,
    const struct bmp_router_counters *after)
{
	char	nb[200], ab[ADDR_STRLEN];

	printf("%llu v%u %s", (unsigned long long)off, m->version,
	    bmp_type_name(m->type));
	if (m->skipped) {
		printf(" (skipped: %s)\n", m->version == BMP_VERSION_TLV ?
		    "version 4, draft-ietf-grow-bmp-tlv" : "unknown type");
		return;
	}
	if (m->has_peer)
		print_peer(m);
	switch (m->type) {
	case BMP_ROUTE_MONITORING:
		printf(" +%llu -%llu", (unsigned long long)(after->announced -
		    before->announced), (unsigned long long)(after->withdrawn -
		    before->withdrawn));
		if (after->update_errors != before->update_errors)
			printf(" (UPDATE not applied)");
		else if (after->treat_as_withdraw != before->treat_as_withdraw)
			printf(" (treat-as-withdraw)");
		else if (after->attr_discard != before->attr_discard)
			printf(" (attribute discarded)");
		break;
	case BMP_PEER_UP:
		printf(" local %s:%u remote port %u, OPENs %s/%s",
		    addr_fmt(&m->up.local, ab, sizeof(ab)), m->up.local_port,
		    m->up.remote_port, m->up.sent_ok ? "ok" : "bad",
		    m->up.recv_ok ? "ok" : "bad");
		print_tlv_text("vrf", &m->up.info, BMP_INFO_VRF);
		break;
	case BMP_PEER_DOWN:
		printf(" reason %u (%s)", m->down.reason,
		    bmp_down_reason_name(m->down.reason));
		if (m->down.has_notify)
			printf(": %s", bgp_notify_fmt(&m->down.notify, nb,
			    sizeof(nb)));
		if (m->down.reason == BMP_DOWN_LOCAL_FSM)
			printf(": FSM event %u", m->down.fsm_event);
		break;
	case BMP_STATS_REPORT:
		printf(" %u statistics", m->stats.count);
		break;
	case BMP_INITIATION:
		print_tlv_text("sysName", &m->info, BMP_INFO_SYSNAME);
		print_tlv_text("sysDescr", &m->info, BMP_INFO_SYSDESCR);
		break;
	case BMP_TERMINATION:
		if (m->term.has_reason)
			printf(" reason %u (%s)", m->term.reason,
			    bmp_term_reason_name(m->term.reason));
		print_tlv_text("string", &m->term.tlvs, BMP_TERM_STRING);
		break;
	case BMP_ROUTE_MIRRORING:
		printf(" %u BGP messages, %u lost", m->mirror.n_bgp,
		    m->mirror.n_lost);
		break;
	}
	putchar('\n');
}

/*
 * Reading.
 */

static void
one_message(struct rfile *f, struct bmp_router *r, const uint8_t *msg,
    size_t len, uint64_t off, enum out_mode mode)
{
	struct bmp_router_counters	before;
	struct bmp_err			e;
	int				rv;

	f->messages++;
	f->by_version[msg[0]]++;
	f->by_type[msg[5]]++;
	if (mode == OUT_LINES)
		before = *bmp_router_counters(r);
	rv = bmp_router_input(r, msg, len, 0, &e);
	if (rv == -1) {
		f->malformed++;
		add_err(f, off, "malformed: ", e.reason);
		if (mode == OUT_LINES)
			printf("%llu v%u %s: MALFORMED: %s\n",
			    (unsigned long long)off, msg[0],
			    bmp_type_name(msg[5]), e.reason);
		return;
	}
	if (mode == OUT_LINES)
		print_line(off, bmp_router_last(r), &before,
		    bmp_router_counters(r));
}

static int
read_file(struct rfile *f, enum out_mode mode)
{
	struct msgbuf		 mb;
	struct bmp_router	*r;
	const uint8_t		*msg;
	uint8_t			*buf;
	size_t			 len;
	ssize_t			 n;
	int			 fd, rv = 0;

	if ((fd = strcmp(f->name, "-") == 0 ? 0 : open(f->name,
	    O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "bgplens bmp: %s: %s\n", f->name,
		    strerror(errno));
		return (-1);
	}
	buf = malloc(READ_SIZE);
	r = bmp_router_new(NULL, NULL, 0);
	if (buf == NULL || r == NULL || msgbuf_init(&mb, BMP_HDR_LEN,
	    BMP_MAX_LEN, READ_SIZE, len_fn) == -1) {
		fprintf(stderr, "bgplens bmp: out of memory\n");
		free(buf);
		bmp_router_free(r);
		if (fd != 0)
			close(fd);
		return (-1);
	}
	while (rv == 0 && (n = read(fd, buf, READ_SIZE)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "bgplens bmp: %s: %s\n", f->name,
			    strerror(errno));
			rv = -1;
			break;
		}
		f->bytes += (uint64_t)n;
		if (msgbuf_feed(&mb, buf, (size_t)n) == -1) {
			rv = -1;
			break;
		}
		while ((rv = msgbuf_next(&mb, &msg, &len)) == 1)
			one_message(f, r, msg, len, msgbuf_offset(&mb) - len,
			    mode);
		if (rv == -1) {
			f->framing_failed = true;
			add_err(f, msgbuf_offset(&mb), "framing: ",
			    msgbuf_error(&mb));
			if (mode == OUT_LINES)
				printf("%llu FRAMING ERROR: %s\n",
				    (unsigned long long)msgbuf_offset(&mb),
				    msgbuf_error(&mb));
		}
	}
	if (!f->framing_failed && msgbuf_pending(&mb) > 0) {
		f->truncated = true;
		f->trunc_off = msgbuf_offset(&mb);
		f->trunc_have = msgbuf_pending(&mb);
		f->trunc_want = msgbuf_partial_want(&mb);
		if (mode == OUT_LINES)
			printf("%llu TRUNCATED: the stream ends %zu octets "
			    "into a message of %zu\n",
			    (unsigned long long)f->trunc_off, f->trunc_have,
			    f->trunc_want);
	}
	bmp_router_info(r, &f->info);
	bmp_router_free(r);
	msgbuf_free(&mb);
	free(buf);
	if (fd != 0)
		close(fd);
	return (rv == -1 && !f->framing_failed ? -1 : 0);
}

/*
 * --stats and --json.
 */

static const char *
type_key(unsigned t)
{
	static const char *const keys[BMP_NTYPES] = { "route_monitoring",
	    "statistics_report", "peer_down", "peer_up", "initiation",
	    "termination", "route_mirroring" };

	return (t < BMP_NTYPES ? keys[t] : NULL);
}

static void
stats_peer(const struct bmp_peer_info *p)
{
	char	ab[ADDR_STRLEN];
	int	t;

	printf("    %-14s %-28s AS%-10u", bmp_peer_type_name(p->type),
	    addr_fmt(&p->addr, ab, sizeof(ab)), p->as);
	if (p->distinguisher)
		printf(" rd %llu:%llu",
		    (unsigned long long)(p->distinguisher >> 32),
		    (unsigned long long)(p->distinguisher & 0xffffffff));
	for (t = 0; t < BMP_NTYPES; t++)
		if (p->c.msgs[t])
			printf(" %s=%llu", type_key((unsigned)t),
			    (unsigned long long)p->c.msgs[t]);
	printf(" prefixes +%llu -%llu", (unsigned long long)p->c.announced,
	    (unsigned long long)p->c.withdrawn);
	if (p->c.treat_as_withdraw)
		printf(" treat_as_withdraw=%llu",
		    (unsigned long long)p->c.treat_as_withdraw);
	if (p->c.attr_discard)
		printf(" attr_discard=%llu",
		    (unsigned long long)p->c.attr_discard);
	if (p->c.update_errors)
		printf(" update_errors=%llu",
		    (unsigned long long)p->c.update_errors);
	printf("%s\n", p->up ? " up" : "");
}

static void
stats_print(const struct rfile *f)
{
	const struct bmp_router_info	*i = &f->info;
	unsigned			 t;
	size_t				 k;

	printf("%s: %llu messages, %llu octets\n", f->name,
	    (unsigned long long)f->messages, (unsigned long long)f->bytes);
	printf("  by type:");
	for (t = 0; t < 256; t++)
		if (f->by_type[t])
			printf(" %s=%llu", type_key(t) ? type_key(t) :
			    "unknown", (unsigned long long)f->by_type[t]);
	printf("\n  by version:");
	for (t = 0; t < 256; t++)
		if (f->by_version[t])
			printf(" v%u=%llu%s", t,
			    (unsigned long long)f->by_version[t],
			    t == BMP_VERSION_TLV ? " (skipped)" : "");
	printf("\n");
	if (i->sysname[0] || i->sysdescr[0])
		printf("  router: sysName \"%s\", sysDescr \"%s\"\n",
		    i->sysname, i->sysdescr);
	printf("  prefixes: +%llu -%llu in %llu UPDATEs (%llu "
	    "treat-as-withdraw, %llu attribute-discard, %llu not applied)\n",
	    (unsigned long long)i->c.announced,
	    (unsigned long long)i->c.withdrawn,
	    (unsigned long long)i->c.updates,
	    (unsigned long long)i->c.treat_as_withdraw,
	    (unsigned long long)i->c.attr_discard,
	    (unsigned long long)i->c.update_errors);
	printf("  peers: %zu\n", i->n_peers);
	for (k = 0; k < i->n_peers; k++)
		stats_peer(&i->peers[k]);
	for (k = 0; k < f->n_errs; k++)
		printf("  error at offset %llu: %s\n",
		    (unsigned long long)f->errs[k].off, f->errs[k].reason);
	if (f->errs_total > f->n_errs)
		printf("  ... %llu more errors\n",
		    (unsigned long long)(f->errs_total - f->n_errs));
	if (f->truncated)
		printf("  truncated: the stream ends %zu octets into a message "
		    "of %zu at offset %llu\n", f->trunc_have, f->trunc_want,
		    (unsigned long long)f->trunc_off);
}

static json_t *
json_counts(const uint64_t *v, unsigned n, bool types)
{
	json_t		*o = json_object();
	char		 k[16];
	unsigned	 t;

	for (t = 0; t < n; t++) {
		if (v[t] == 0)
			continue;
		if (types && type_key(t) != NULL)
			json_object_set_new(o, type_key(t),
			    json_integer((json_int_t)v[t]));
		else {
			snprintf(k, sizeof(k), "%u", t);
			json_object_set_new(o, k,
			    json_integer((json_int_t)v[t]));
		}
	}
	return (o);
}

static json_t *
json_peer(const struct bmp_peer_info *p)
{
	char	ab[ADDR_STRLEN], rd[48];
	json_t	*o;

	snprintf(rd, sizeof(rd), "%llu:%llu",
	    (unsigned long long)(p->distinguisher >> 32),
	    (unsigned long long)(p->distinguisher & 0xffffffff));
	o = json_pack("{s:s, s:s, s:I, s:s, s:i, s:b, s:o, s:I, s:I, s:I}",
	    "peer_type", bmp_peer_type_name(p->type),
	    "address", addr_fmt(&p->addr, ab, sizeof(ab)),
	    "as", (json_int_t)p->as,
	    "distinguisher", rd,
	    "flags_seen", p->flags_seen,
	    "up", p->up,
	    "messages", json_counts(p->c.msgs, BMP_NTYPES, true),
	    "announced", (json_int_t)p->c.announced,
	    "withdrawn", (json_int_t)p->c.withdrawn,
	    "update_errors", (json_int_t)p->c.update_errors);
	if (o != NULL) {
		json_object_set_new(o, "treat_as_withdraw",
		    json_integer((json_int_t)p->c.treat_as_withdraw));
		json_object_set_new(o, "attr_discard",
		    json_integer((json_int_t)p->c.attr_discard));
	}
	if (o != NULL && p->caps[0])
		json_object_set_new(o, "capabilities", json_string(p->caps));
	if (o != NULL && p->last_error[0])
		json_object_set_new(o, "last_error",
		    json_string(p->last_error));
	if (o != NULL && p->vrf[0])
		json_object_set_new(o, "vrf", json_string(p->vrf));
	return (o);
}

static json_t *
json_file(const struct rfile *f)
{
	json_t	*o, *peers, *errs;
	size_t	 k;

	peers = json_array();
	for (k = 0; k < f->info.n_peers; k++)
		json_array_append_new(peers, json_peer(&f->info.peers[k]));
	errs = json_array();
	for (k = 0; k < f->n_errs; k++)
		json_array_append_new(errs, json_pack("{s:I, s:s}", "offset",
		    (json_int_t)f->errs[k].off, "reason", f->errs[k].reason));
	o = json_pack("{s:s, s:I, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:o, "
	    "s:I, s:o}",
	    "file", f->name,
	    "bytes", (json_int_t)f->bytes,
	    "messages", (json_int_t)f->messages,
	    "by_type", json_counts(f->by_type, 256, true),
	    "by_version", json_counts(f->by_version, 256, false),
	    "v4_skipped", (json_int_t)f->info.c.v4_skipped,
	    "announced", (json_int_t)f->info.c.announced,
	    "withdrawn", (json_int_t)f->info.c.withdrawn,
	    "update_errors", (json_int_t)f->info.c.update_errors,
	    "peers", peers,
	    "errors_total", (json_int_t)f->errs_total,
	    "errors", errs);
	if (o == NULL)
		return (json_null());
	if (f->info.sysname[0])
		json_object_set_new(o, "sysname", json_string(f->info.sysname));
	if (f->info.sysdescr[0])
		json_object_set_new(o, "sysdescr",
		    json_string(f->info.sysdescr));
	if (f->truncated)
		json_object_set_new(o, "truncated", json_pack("{s:I, s:I, "
		    "s:I}", "offset", (json_int_t)f->trunc_off, "have",
		    (json_int_t)f->trunc_have, "want",
		    (json_int_t)f->trunc_want));
	return (o);
}

static int
cmd_read(int argc, char **argv, enum out_mode mode, bool strict)
{
	struct rfile	*f;
	json_t		*files = json_array();
	size_t		 k;
	int		 i, rc = 0;

	if ((f = malloc(sizeof(*f))) == NULL)
		return (1);
	for (i = 0; i < argc; i++) {
		memset(f, 0, sizeof(*f));
		f->name = argv[i];
		if (read_file(f, mode) == -1) {
			rc = 1;
			continue;
		}
		if (f->errs_total > 0 || (strict && f->truncated))
			rc = 1;
		if (mode == OUT_STATS)
			stats_print(f);
		else if (mode == OUT_JSON)
			json_array_append_new(files, json_file(f));
		else
			for (k = 0; k < f->n_errs; k++)
				fprintf(stderr, "bgplens bmp: %s: offset %llu: "
				    "%s\n", f->name,
				    (unsigned long long)f->errs[k].off,
				    f->errs[k].reason);
		free(f->info.peers);
	}
	if (mode == OUT_JSON) {
		json_t *doc = json_pack("{s:o}", "files", files);

		json_dumpf(doc, stdout, JSON_INDENT(1));
		putchar('\n');
		json_decref(doc);
	} else
		json_decref(files);
	free(f);
	fflush(stdout);
	return (rc);
}

/*
 * --send.
 */

static int
connect_to(const char *host, int port, const char *local)
{
	struct sockaddr_storage	 ss;
	struct addr		 a, l;
	socklen_t		 sl;
	int			 fd, one = 1;

	if (addr_parse(host, &a) == -1) {
		errno = EINVAL;
		return (-1);
	}
	memset(&ss, 0, sizeof(ss));
	if (a.afi == AFI_IPV6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a.b, 16);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a.b, 4);
		sl = sizeof(*s4);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return (-1);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (local != NULL) {
		if (addr_parse(local, &l) == -1 || l.afi != a.afi) {
			close(fd);
			errno = EINVAL;
			return (-1);
		}
		if (l.afi == AFI_IPV6)
			memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, l.b,
			    16);
		else
			memcpy(&((struct sockaddr_in *)&ss)->sin_addr, l.b, 4);
		if (bind(fd, (struct sockaddr *)&ss, sl) == -1) {
			close(fd);
			return (-1);
		}
		if (a.afi == AFI_IPV6)
			memcpy(&((struct sockaddr_in6 *)&ss)->sin6_addr, a.b,
			    16);
		else
			memcpy(&((struct sockaddr_in *)&ss)->sin_addr, a.b, 4);
	}
	if (a.afi == AFI_IPV6)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
	else
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1) {
		close(fd);
		return (-1);
	}
	return (fd);
}

static int
send_file(int fd, const char *name, uint8_t *buf, uint64_t *total)
{
	ssize_t	n, w;
	size_t	off;
	int	in;

	if ((in = open(name, O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "bgplens bmp: %s: %s\n", name,
		    strerror(errno));
		return (-1);
	}
	while (!bmp_stop && (n = read(in, buf, READ_SIZE)) > 0) {
		for (off = 0; off < (size_t)n; off += (size_t)w) {
			w = send(fd, buf + off, (size_t)n - off, MSG_NOSIGNAL);
			if (w == -1 && errno == EINTR)
				w = 0;
			else if (w == -1) {
				fprintf(stderr, "bgplens bmp: send: %s\n",
				    strerror(errno));
				close(in);
				return (-1);
			}
		}
		*total += (uint64_t)n;
	}
	close(in);
	return (0);
}

/* Keep the session until the time is up, a signal, or the station closes. */
static void
linger(int fd, int seconds)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	time_t		end = time(NULL) + seconds;
	char		b[512];

	while (!bmp_stop && (seconds < 0 || time(NULL) < end)) {
		if (poll(&pfd, 1, 200) == 1 && recv(fd, b, sizeof(b),
		    MSG_DONTWAIT) <= 0)
			break;
	}
}

static int
cmd_send(const char *host, int port, const char *local, int secs, int argc,
    char **argv)
{
	struct timespec	 t0, t1;
	uint8_t		*buf;
	uint64_t	 total = 0;
	int		 fd, i, rc = 0;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if ((buf = malloc(READ_SIZE)) == NULL)
		return (1);
	if ((fd = connect_to(host, port, local)) == -1) {
		fprintf(stderr, "bgplens bmp: connect %s port %d: %s\n", host,
		    port, strerror(errno));
		free(buf);
		return (1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < argc && rc == 0; i++)
		if (send_file(fd, argv[i], buf, &total) == -1)
			rc = 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	fprintf(stderr, "bgplens bmp: sent %llu octets in %.2f s\n",
	    (unsigned long long)total, (double)(t1.tv_sec - t0.tv_sec) +
	    (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (rc == 0 && secs != 0)
		linger(fd, secs);
	close(fd);
	free(buf);
	return (rc);
}

static void
usage(void)
{
	fprintf(stderr,
	    "usage: bgplens bmp [--stats | --json] [--strict] FILE...\n"
	    "       bgplens bmp --send ADDR [--port N] [--local ADDR] "
	    "[--linger SECONDS] FILE...\n"
	    "       bgplens bmp --from-mrt RIB [--peers N] -o OUT\n");
}

int
cmd_bmp(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "stats", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 'S' },
		{ "send", required_argument, NULL, 'c' },
		{ "port", required_argument, NULL, 'p' },
		{ "local", required_argument, NULL, 'l' },
		{ "linger", required_argument, NULL, 'L' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	enum out_mode	 mode = OUT_LINES;
	const char	*host = NULL, *local = NULL;
	bool		 strict = false;
	int		 ch, port = BMP_PORT, secs = 0, i;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--from-mrt") == 0)
			return (cmd_bmp_gen(argc, argv));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "sjSc:p:l:L:h", opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 's':
			mode = OUT_STATS;
			break;
		case 'j':
			mode = OUT_JSON;
			break;
		case 'S':
			strict = true;
			break;
		case 'c':
			host = optarg;
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'l':
			local = optarg;
			break;
		case 'L':
			secs = atoi(optarg);
			break;
		case 'h':
			usage();
			return (0);
		default:
			usage();
			return (2);
		}
	}
	if (optind >= argc || port <= 0 || port > 65535) {
		usage();
		return (2);
	}
	if (host != NULL)
		return (cmd_send(host, port, local, secs, argc - optind,
		    argv + optind));
	return (cmd_read(argc - optind, argv + optind, mode, strict));
}
