/*
 * lg_geo.c -- enrichment from MaxMind databases (libmaxminddb): the name
 * of an AS (GeoLite2-ASN) and the country of an address (GeoIP2/GeoLite2
 * Country or City).
 *
 * An ASN database maps networks to (AS number, organisation); the API
 * wants the other direction, a name per AS.  So the search tree is walked
 * once at startup and every (number, name) found goes into a sorted
 * array: a name then costs a binary search, cheap enough to name every AS
 * of every answer.  The walk visits each tree node and each data record
 * once (bitmap, offset set), so it is linear in the file even when the
 * tree is a DAG, and it cannot loop on a corrupt one.
 *
 * The same walk checks the country database.  A database that does not
 * open, or whose walk meets an error, is dropped with a warning: the
 * daemon runs on without that enrichment, it never refuses to start.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <maxminddb.h>

#include "lg_int.h"
#include "log.h"

#define GEO_NAME_MAX	128		/* bytes kept of an organisation */
#define GEO_MAX_ASNS	(1u << 22)

struct asname {
	uint32_t	asn;
	uint32_t	off;		/* into pool */
};

struct geodb {
	MMDB_s		db;
	bool		ok;
	char		type[64];	/* database_type of the metadata */
	uint64_t	built;		/* build_epoch */
};

struct lg_geo {
	struct geodb	 asn;
	struct geodb	 cc;
	struct asname	*names;
	size_t		 n_names, cap_names;
	char		*pool;
	size_t		 pool_len, pool_cap;
	size_t		 countries;	/* records with a country code */
};

/*
 * The tree walk.
 */

struct offset_set {
	uint32_t	*v;		/* 0 = free: offsets are never 0 here */
	size_t		 cap, n;
};

struct walk {
	const MMDB_s	*db;
	uint8_t		*seen;		/* node bitmap */
	uint32_t	*stack;
	size_t		 sp;
	struct offset_set data;
	int		(*fn)(struct walk *, MMDB_entry_s *);
	struct lg_geo	*geo;
	char		 err[128];
};

static bool
offset_add(struct offset_set *s, uint32_t off)
{
	size_t		 i, mask;
	uint32_t	*nv, key = off + 1;	/* offset 0 is legal */

	if (s->n * 2 >= s->cap) {
		struct offset_set ns = { NULL, s->cap ? s->cap * 2 : 1024, 0 };

		if ((nv = calloc(ns.cap, sizeof(*nv))) == NULL)
			return (false);
		ns.v = nv;
		for (i = 0; i < s->cap; i++)
			if (s->v[i] != 0)
				offset_add(&ns, s->v[i] - 1);
		free(s->v);
		*s = ns;
	}
	mask = s->cap - 1;
	for (i = (key * 2654435761u) & mask; s->v[i] != 0; i = (i + 1) & mask)
		if (s->v[i] == key)
			return (false);
	s->v[i] = key;
	s->n++;
	return (true);
}

static void
walk_push(struct walk *w, uint64_t node)
{
	uint32_t n = (uint32_t)node;

	if (w->seen[n >> 3] & (1u << (n & 7)))
		return;
	w->seen[n >> 3] |= (uint8_t)(1u << (n & 7));
	w->stack[w->sp++] = n;
}

/* One side of a node; -1 on a corrupt record. */
static int
walk_record(struct walk *w, uint8_t type, uint64_t rec, MMDB_entry_s *e)
{
	switch (type) {
	case MMDB_RECORD_TYPE_SEARCH_NODE:
		if (rec >= w->db->metadata.node_count) {
			snprintf(w->err, sizeof(w->err), "node %llu out of "
			    "the tree", (unsigned long long)rec);
			return (-1);
		}
		walk_push(w, rec);
		return (0);
	case MMDB_RECORD_TYPE_EMPTY:
		return (0);
	case MMDB_RECORD_TYPE_DATA:
		if (!offset_add(&w->data, e->offset))
			return (0);	/* seen, or out of memory: skip */
		return (w->fn(w, e));
	default:
		snprintf(w->err, sizeof(w->err), "invalid record %llu",
		    (unsigned long long)rec);
		return (-1);
	}
}

static int
walk_tree(const MMDB_s *db, int (*fn)(struct walk *, MMDB_entry_s *),
    struct lg_geo *geo, char *err, size_t errlen)
{
	struct walk		w;
	MMDB_search_node_s	n;
	uint32_t		nodes = db->metadata.node_count;
	int			rc = -1, s;

	memset(&w, 0, sizeof(w));
	w.db = db;
	w.fn = fn;
	w.geo = geo;
	if (nodes == 0) {
		snprintf(err, errlen, "empty search tree");
		return (-1);
	}
	w.seen = calloc((size_t)nodes / 8 + 1, 1);
	w.stack = calloc(nodes, sizeof(*w.stack));
	if (w.seen == NULL || w.stack == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	walk_push(&w, 0);
	while (w.sp > 0) {
		s = MMDB_read_node(db, w.stack[--w.sp], &n);
		if (s != MMDB_SUCCESS) {
			snprintf(w.err, sizeof(w.err), "%s", MMDB_strerror(s));
			break;
		}
		if (walk_record(&w, n.left_record_type, n.left_record,
		    &n.left_record_entry) == -1 ||
		    walk_record(&w, n.right_record_type, n.right_record,
		    &n.right_record_entry) == -1)
			break;
	}
	if (w.err[0] == '\0')
		rc = 0;
	snprintf(err, errlen, "%s", w.err);
done:
	free(w.seen);
	free(w.stack);
	free(w.data.v);
	return (rc);
}

/*
 * Decode the whole record, not only the keys used: a record that breaks
 * anywhere marks the database corrupt, so no lookup meets it later.
 */
static int
record_sound(struct walk *w, MMDB_entry_s *e)
{
	MMDB_entry_data_list_s	*list = NULL;
	int			 s;

	s = MMDB_get_entry_data_list(e, &list);
	MMDB_free_entry_data_list(list);
	if (s != MMDB_SUCCESS) {
		snprintf(w->err, sizeof(w->err), "%s", MMDB_strerror(s));
		return (-1);
	}
	return (0);
}

/*
 * AS names.
 */

/* Bytes of s (at most len) that are whole, printable UTF-8 characters. */
static size_t
utf8_prefix(const unsigned char *s, size_t len)
{
	size_t	i = 0, n, k;

	while (i < len) {
		if (s[i] < 0x20 || s[i] == 0x7f)
			break;
		n = s[i] < 0x80 ? 1 : (s[i] & 0xe0) == 0xc0 ? 2 :
		    (s[i] & 0xf0) == 0xe0 ? 3 : (s[i] & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0 || i + n > len)
			break;
		for (k = 1; k < n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return (i);
		i += n;
	}
	return (i);
}

static int
names_add(struct lg_geo *g, uint32_t asn, const char *s, size_t len)
{
	void *p;

	if (len > GEO_NAME_MAX)
		len = GEO_NAME_MAX;
	len = utf8_prefix((const unsigned char *)s, len);
	if (len == 0 || g->n_names >= GEO_MAX_ASNS)
		return (0);
	if (g->n_names == g->cap_names) {
		g->cap_names = g->cap_names ? g->cap_names * 2 : 1024;
		if ((p = realloc(g->names, g->cap_names *
		    sizeof(*g->names))) == NULL)
			return (-1);
		g->names = p;
	}
	while (g->pool_len + len + 1 > g->pool_cap) {
		g->pool_cap = g->pool_cap ? g->pool_cap * 2 : 65536;
		if ((p = realloc(g->pool, g->pool_cap)) == NULL)
			return (-1);
		g->pool = p;
	}
	g->names[g->n_names].asn = asn;
	g->names[g->n_names].off = (uint32_t)g->pool_len;
	g->n_names++;
	memcpy(g->pool + g->pool_len, s, len);
	g->pool[g->pool_len + len] = '\0';
	g->pool_len += len + 1;
	return (0);
}

/* A data record of the ASN database: number and organisation, if both. */
static int
asn_record(struct walk *w, MMDB_entry_s *e)
{
	MMDB_entry_data_s	num, org;
	int			s;

	if (record_sound(w, e) == -1)
		return (-1);
	s = MMDB_get_value(e, &num, "autonomous_system_number", NULL);
	if (s == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return (0);
	if (s != MMDB_SUCCESS) {
		snprintf(w->err, sizeof(w->err), "%s", MMDB_strerror(s));
		return (-1);
	}
	s = MMDB_get_value(e, &org, "autonomous_system_organization", NULL);
	if (s == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
		return (0);
	if (s != MMDB_SUCCESS) {
		snprintf(w->err, sizeof(w->err), "%s", MMDB_strerror(s));
		return (-1);
	}
	if (!num.has_data || !org.has_data ||
	    org.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    (num.type != MMDB_DATA_TYPE_UINT32 &&
	    num.type != MMDB_DATA_TYPE_UINT16))
		return (0);
	if (names_add(w->geo, num.type == MMDB_DATA_TYPE_UINT32 ? num.uint32 :
	    num.uint16, org.utf8_string, org.data_size) == -1) {
		snprintf(w->err, sizeof(w->err), "out of memory");
		return (-1);
	}
	return (0);
}

static int
asname_cmp(const void *a, const void *b)
{
	const struct asname *x = a, *y = b;

	if (x->asn != y->asn)
		return (x->asn < y->asn ? -1 : 1);
	return (x->off < y->off ? -1 : x->off > y->off);
}

/* Sort by number; of several names for one AS keep the first seen. */
static void
names_finish(struct lg_geo *g)
{
	size_t i, n = 0;

	if (g->n_names == 0)
		return;
	qsort(g->names, g->n_names, sizeof(*g->names), asname_cmp);
	for (i = 0; i < g->n_names; i++)
		if (n == 0 || g->names[n - 1].asn != g->names[i].asn)
			g->names[n++] = g->names[i];
	g->n_names = n;
}

static bool	iso_code(MMDB_entry_s *, const char *, char[3]);

/* A data record of the country database: checked, and counted. */
static int
country_record(struct walk *w, MMDB_entry_s *e)
{
	char	cc[3];

	if (record_sound(w, e) == -1)
		return (-1);
	if (iso_code(e, "country", cc) || iso_code(e, "registered_country", cc))
		w->geo->countries++;
	return (0);
}

/*
 * Open a database and walk it; false (with a warning) when it is unusable.
 */
static bool
geodb_open(struct geodb *d, const char *key, const char *path,
    int (*fn)(struct walk *, MMDB_entry_s *), struct lg_geo *g,
    const size_t *found, const char *what)
{
	char	err[160];
	int	s;

	if (path == NULL || path[0] == '\0')
		return (false);
	if ((s = MMDB_open(path, MMDB_MODE_MMAP, &d->db)) != MMDB_SUCCESS) {
		log_warnx("%s %s: %s%s%s; enrichment from it is off", key,
		    path, MMDB_strerror(s), s == MMDB_IO_ERROR ? ": " : "",
		    s == MMDB_IO_ERROR ? strerror(errno) : "");
		return (false);
	}
	if (walk_tree(&d->db, fn, g, err, sizeof(err)) == -1) {
		log_warnx("%s %s: corrupt database (%s); enrichment from it is "
		    "off", key, path, err);
		MMDB_close(&d->db);
		return (false);
	}
	if (*found == 0) {
		log_warnx("%s %s: no %s in this %s database; enrichment from it "
		    "is off", key, path, what, d->db.metadata.database_type ?
		    d->db.metadata.database_type : "untyped");
		MMDB_close(&d->db);
		return (false);
	}
	snprintf(d->type, sizeof(d->type), "%s",
	    d->db.metadata.database_type ? d->db.metadata.database_type : "");
	d->built = d->db.metadata.build_epoch;
	d->ok = true;
	return (true);
}

struct lg_geo *
lg_geo_open(const char *asn_db, const char *country_db)
{
	struct lg_geo *g;

	if ((g = calloc(1, sizeof(*g))) == NULL)
		return (NULL);
	if (geodb_open(&g->asn, "geoip_asn", asn_db, asn_record, g,
	    &g->n_names, "AS names")) {
		names_finish(g);
		log_info("geoip_asn %s: %s, %zu AS names", asn_db, g->asn.type,
		    g->n_names);
	} else {
		free(g->names);
		free(g->pool);
		g->names = NULL;
		g->pool = NULL;
		g->n_names = 0;
	}
	if (geodb_open(&g->cc, "geoip_country", country_db, country_record, g,
	    &g->countries, "country codes"))
		log_info("geoip_country %s: %s", country_db, g->cc.type);
	return (g);
}

void
lg_geo_close(struct lg_geo *g)
{
	if (g == NULL)
		return;
	if (g->asn.ok)
		MMDB_close(&g->asn.db);
	if (g->cc.ok)
		MMDB_close(&g->cc.db);
	free(g->names);
	free(g->pool);
	free(g);
}

bool
lg_geo_has_names(const struct lg_geo *g)
{
	return (g != NULL && g->n_names > 0);
}

bool
lg_geo_has_country(const struct lg_geo *g)
{
	return (g != NULL && g->cc.ok);
}

const char *
lg_geo_as_name(const struct lg_geo *g, uint32_t asn)
{
	size_t lo = 0, hi, mid;

	if (g == NULL)
		return (NULL);
	hi = g->n_names;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (g->names[mid].asn < asn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < g->n_names && g->names[lo].asn == asn)
		return (g->pool + g->names[lo].off);
	return (NULL);
}

static bool
iso_code(MMDB_entry_s *e, const char *where, char cc[3])
{
	MMDB_entry_data_s d;

	if (MMDB_get_value(e, &d, where, "iso_code", NULL) != MMDB_SUCCESS ||
	    !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING ||
	    d.data_size != 2 || utf8_prefix((const unsigned char *)
	    d.utf8_string, 2) != 2)
		return (false);
	memcpy(cc, d.utf8_string, 2);
	cc[2] = '\0';
	return (true);
}

bool
lg_geo_country(const struct lg_geo *g, const struct addr *a, char cc[3])
{
	struct sockaddr_storage	ss;
	MMDB_lookup_result_s	res;
	int			err;

	if (g == NULL || !g->cc.ok || (a->afi != AFI_IPV4 &&
	    a->afi != AFI_IPV6))
		return (false);
	memset(&ss, 0, sizeof(ss));
	if (a->afi == AFI_IPV4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, a->b, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, a->b, 16);
	}
	res = MMDB_lookup_sockaddr(&g->cc.db, (struct sockaddr *)&ss, &err);
	if (err != MMDB_SUCCESS || !res.found_entry)
		return (false);
	/* Where it is, else where it is registered (anycast, satellites). */
	return (iso_code(&res.entry, "country", cc) ||
	    iso_code(&res.entry, "registered_country", cc));
}

static json_t *
geodb_status(const struct geodb *d)
{
	if (!d->ok)
		return (json_null());
	return (json_pack("{s:s, s:I}", "type", d->type, "built",
	    (json_int_t)d->built));
}

json_t *
lg_geo_status(const struct lg_geo *g)
{
	json_t *o;

	o = json_pack("{s:o, s:o, s:I}", "asn_database", geodb_status(&g->asn),
	    "country_database", geodb_status(&g->cc), "as_names",
	    (json_int_t)g->n_names);
	return (o);
}
