/*
 * cmd_rib_load.c -- "bgplens rib-load": load MRT RIB dumps (then update
 * files, applied in order) into the RIB and report what it costs.
 *
 * This is the RIB's benchmark and its end-to-end check against bgpdump:
 * --dump prints every route back in bgpdump -m's TABLE_DUMP2 form, so the
 * set of (peer, prefix, attributes) can be compared line for line.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "archive.h"
#include "mrt.h"
#include "rib.h"
#include "rib_load.h"

static void
on_error(void *arg, const char *file, uint64_t off, const char *msg)
{
	(void)arg;
	fprintf(stderr, "bgplens rib-load: %s: offset %llu: %s\n", file,
	    (unsigned long long)off, msg);
}

static long
self_status_kb(const char *key)
{
	FILE	*f = fopen("/proc/self/status", "r");
	char	 line[256];
	long	 v = -1;
	size_t	 kl = strlen(key);

	if (f == NULL)
		return (-1);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return (v);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((double)ts.tv_sec + ts.tv_nsec / 1e9);
}

static int
print_route(void *arg, const struct prefix *p, const struct route *rt)
{
	struct rib		*rib = arg;
	const struct rib_source	*s = rib_source_get(rib, rt->src);
	struct rib_attrs	 a;
	char			 pbuf[PREFIX_STRLEN], abuf[ADDR_STRLEN];
	char			 nbuf[ADDR_STRLEN], path[4096];
	json_t			*o;
	char			*txt;

	if (rib_attr_get(rib, rt->attr, &a) == -1)
		return (0);
	aspath_fmt(a.aspath, a.aspath_len, path, sizeof(path));
	o = json_pack("{s:s, s:s, s:I, s:I, s:s, s:i, s:s, s:b}",
	    "prefix", prefix_fmt(p, pbuf, sizeof(pbuf)),
	    "peer", addr_fmt(&s->peer, abuf, sizeof(abuf)),
	    "peer_as", (json_int_t)s->peer_as,
	    "path_id", (json_int_t)rt->path_id,
	    "as_path", path,
	    "origin", a.origin,
	    "next_hop", a.nexthop.afi ? addr_fmt(&a.nexthop, nbuf,
	    sizeof(nbuf)) : "",
	    "best", (rt->flags & ROUTE_F_BEST) != 0);
	if (o == NULL)
		return (0);
	if (a.flags & RA_F_MED)
		json_object_set_new(o, "med", json_integer(a.med));
	if (a.flags & RA_F_LOCAL_PREF)
		json_object_set_new(o, "local_pref",
		    json_integer(a.local_pref));
	if ((txt = json_dumps(o, JSON_COMPACT)) != NULL) {
		puts(txt);
		free(txt);
	}
	json_decref(o);
	return (0);
}

static void
usage(void)
{
	fprintf(stderr, "usage: bgplens rib-load [--query PREFIX] "
	    "[--history EVENTS] [--keep-stale]\n"
	    "    [--write-rib OUT [--compress bz2|gz|none]] FILE...\n");
}

int
cmd_rib_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "query", required_argument, NULL, 'q' },
		{ "history", required_argument, NULL, 'H' },
		{ "write-rib", required_argument, NULL, 'w' },
		{ "compress", required_argument, NULL, 'z' },
		{ "keep-stale", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct rib_config	 conf = { 0, 0, 0, 0 };
	struct rib		*rib;
	struct rib_loader	*l;
	struct rib_load_stats	 ls;
	struct rib_stats	 st;
	struct rib_query	 q;
	struct rib_cursor	 next;
	const char		*query = NULL, *out = NULL;
	enum archive_comp	 comp = ARCHIVE_NONE;
	double			 tw;
	char			 err[256];
	double			 t0, secs;
	unsigned		 flags = 0;
	int			 ch, i, rc = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "q:H:w:z:sh", opts, NULL)) != -1) {
		switch (ch) {
		case 'w':
			out = optarg;
			break;
		case 'z':
			if (strcmp(optarg, "bz2") == 0)
				comp = ARCHIVE_BZIP2;
			else if (strcmp(optarg, "gz") == 0)
				comp = ARCHIVE_GZIP;
			else if (strcmp(optarg, "none") == 0)
				comp = ARCHIVE_NONE;
			else {
				usage();
				return (2);
			}
			break;
		case 'q':
			query = optarg;
			break;
		case 's':
			/*
			 * An update log ends with the collector's own stop:
			 * its sessions leaving Established are no withdrawals
			 * (as for bgplensd's warm start).
			 */
			flags |= RIB_LOAD_STALE;
			break;
		case 'H':
			conf.history_max_events = strtoull(optarg, NULL, 10);
			break;
		default:
			usage();
			return (ch == 'h' ? 0 : 2);
		}
	}
	if (optind >= argc) {
		usage();
		return (2);
	}
	if ((rib = rib_new(&conf)) == NULL ||
	    (l = rib_loader_new(rib, flags, on_error, NULL)) == NULL) {
		fprintf(stderr, "bgplens rib-load: out of memory\n");
		rib_free(rib);
		return (1);
	}
	t0 = now_s();
	rib_wrlock(rib);
	for (i = optind; i < argc; i++) {
		if (rib_loader_file(l, argv[i], err, sizeof(err)) == -1) {
			fprintf(stderr, "bgplens rib-load: %s: %s\n", argv[i],
			    err);
			rc = 1;
		}
	}
	rib_loader_stats(l, &ls);
	rib_loader_free(l);
	rib_unlock(rib);
	secs = now_s() - t0;

	rib_stats(rib, &st);
	printf("{\"routes\":%llu,\"prefixes_ipv4\":%llu,\"prefixes_ipv6\":%llu,"
	    "\"sources\":%llu,\"attr_sets\":%llu,\"as_paths\":%llu,"
	    "\"community_lists\":%llu,\"rib_bytes\":%llu,"
	    "\"rib_bytes_tree\":%llu,\"rib_bytes_routes\":%llu,"
	    "\"rib_bytes_attrs\":%llu,\"rib_bytes_history\":%llu,"
	    "\"bytes_per_route\":%.1f,\"rss_bytes\":%ld,\"peak_rss_bytes\":%ld,"
	    "\"seconds\":%.3f,\"routes_per_second\":%.0f,"
	    "\"rib_entries\":%llu,\"update_messages\":%llu,"
	    "\"errors\":%llu,\"treat_as_withdraw\":%llu}\n",
	    (unsigned long long)st.routes, (unsigned long long)st.prefixes[0],
	    (unsigned long long)st.prefixes[1], (unsigned long long)st.sources,
	    (unsigned long long)st.attr_sets, (unsigned long long)st.aspaths,
	    (unsigned long long)st.community_lists,
	    (unsigned long long)st.bytes_total,
	    (unsigned long long)st.bytes_tree,
	    (unsigned long long)st.bytes_routes,
	    (unsigned long long)st.bytes_attrs,
	    (unsigned long long)st.bytes_history,
	    st.routes ? (double)st.bytes_total / (double)st.routes : 0.0,
	    self_status_kb("VmRSS") * 1024, self_status_kb("VmHWM") * 1024,
	    secs, secs > 0 ? (double)(ls.rib_entries + ls.announces +
	    ls.withdrawals) / secs : 0.0,
	    (unsigned long long)ls.rib_entries,
	    (unsigned long long)ls.messages, (unsigned long long)ls.errors,
	    (unsigned long long)ls.treat_as_withdraw);

	if (query != NULL) {
		memset(&q, 0, sizeof(q));
		q.src = -1;
		if (prefix_parse(query, &q.pfx) == -1) {
			fprintf(stderr, "bgplens rib-load: bad prefix %s\n",
			    query);
			rc = 2;
		} else {
			q.match = strchr(query, '/') ? RIB_MATCH_EXACT :
			    RIB_MATCH_LONGEST;
			rib_rdlock(rib);
			rib_query(rib, &q, print_route, rib, &next);
			rib_unlock(rib);
		}
	}
	if (out != NULL) {
		rib_rdlock(rib);
		tw = now_s();
		if (rib_write_mrt(rib, out, comp, (uint32_t)time(NULL)) ==
		    -1) {
			fprintf(stderr, "bgplens rib-load: %s: write failed\n",
			    out);
			rc = 1;
		} else
			fprintf(stderr, "bgplens rib-load: wrote %s in %.2f s\n",
			    out, now_s() - tw);
		rib_unlock(rib);
	}
	rib_free(rib);
	return (rc);
}
