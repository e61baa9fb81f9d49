/*
 * test_archive.c -- the MRT update log: files cut on period boundaries by
 * record time, readable back record for record (bzip2, gzip, plain), and
 * a crash's temporary file recovered under a new final name without
 * overwriting the one already there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive.h"
#include "archived.h"
#include "bgp.h"
#include "log.h"
#include "mrt.h"

static char tmpdir[256];

static int
setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bgplens-archive-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	log_init("test", LOG_LVL_ERR, false);
	return (0);
}

static int
teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	assert_int_equal(system(cmd), 0);
	return (0);
}

/* A KEEPALIVE, the smallest BGP message. */
static void
keepalive(uint8_t *m)
{
	memset(m, 0xff, 16);
	m[16] = 0;
	m[17] = 19;
	m[18] = BGP_KEEPALIVE;
}

/* Count the records of a file and check they are BGP4MP_ET messages. */
static int
count_records(const char *path, uint32_t *first_ts, uint32_t *last_ts)
{
	struct mrt_in	*in;
	struct mrt_rec	 rec;
	char		 err[256];
	int		 n = 0;

	in = mrt_in_open(path, err, sizeof(err));
	if (in == NULL)
		return (-1);
	while (mrt_in_next(in, &rec) == MRT_IN_RECORD) {
		if (rec.type != MRT_BGP4MP_ET)
			return (-1);
		if (n == 0)
			*first_ts = rec.ts;
		*last_ts = rec.ts;
		n++;
	}
	mrt_in_close(in);
	return (n);
}

static void
write_some(struct archive *a, uint64_t start_s, int n, int step_s)
{
	struct addr	peer, local;
	uint8_t		msg[19];
	int		i;

	addr_parse("192.0.2.1", &peer);
	addr_parse("192.0.2.254", &local);
	keepalive(msg);
	for (i = 0; i < n; i++)
		archive_message(a, (start_s + (uint64_t)i * step_s) * 1000000 +
		    123456, false, 64500, 65000, &peer, &local, msg,
		    sizeof(msg));
}

static void
rotation(enum archive_comp comp)
{
	struct archive_conf	 c;
	struct archive		*a;
	struct archive_stats	 st;
	char			 p1[512], p2[512];
	uint32_t		 f, l;
	/* 2026-01-01 00:00:00 UTC, a period boundary for 900 s. */
	uint64_t		 t0 = 1767225600;

	memset(&c, 0, sizeof(c));
	snprintf(c.dir, sizeof(c.dir), "%s/c%d", tmpdir, (int)comp);
	c.period_s = 900;
	c.flush_ms = 50;
	c.comp = comp;
	a = archive_open(&c);
	assert_non_null(a);
	/* 30 records a minute apart: 15 in the first period, 15 after. */
	write_some(a, t0, 30, 60);
	archive_close(a);

	archive_path(&c, "updates", t0, 0, p1, sizeof(p1));
	archive_path(&c, "updates", t0 + 900, 0, p2, sizeof(p2));
	assert_int_equal(count_records(p1, &f, &l), 15);
	assert_int_equal(f, t0);
	assert_int_equal(l, t0 + 14 * 60);
	assert_int_equal(count_records(p2, &f, &l), 15);
	assert_int_equal(f, t0 + 900);
	(void)st;
}

static void
t_rotation_bz2(void **state)
{
	(void)state;
	rotation(ARCHIVE_BZIP2);
}

static void
t_rotation_gz(void **state)
{
	(void)state;
	rotation(ARCHIVE_GZIP);
}

static void
t_rotation_plain(void **state)
{
	(void)state;
	rotation(ARCHIVE_NONE);
}

static void
t_names(void **state)
{
	struct archive_conf	c;
	char			p[512];

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.dir, sizeof(c.dir), "/data");
	c.comp = ARCHIVE_BZIP2;
	archive_path(&c, "updates", 1767225600 + 3600 + 15 * 60, 0, p,
	    sizeof(p));
	assert_string_equal(p, "/data/2026.01/updates.20260101.0115.bz2");
	c.comp = ARCHIVE_GZIP;
	archive_path(&c, "rib", 1767225600, 2, p, sizeof(p));
	assert_string_equal(p, "/data/2026.01/rib.20260101.0000.2.gz");
}

/*
 * A crash: the raw file of an open period stays behind, holding every
 * record flushed before it.  The next start compresses it into a proper
 * file under a new final name, beside (never over) the existing one.
 */
static void
t_recovery(void **state)
{
	struct archive_conf	 c;
	struct archive		*a;
	struct archive_stats	 st;
	char			 fin[512], raw[700], p1[512], cmd[1500];
	uint32_t		 f, l;
	uint64_t		 t0 = 1767225600;
	const char		*slash;

	(void)state;
	memset(&c, 0, sizeof(c));
	snprintf(c.dir, sizeof(c.dir), "%s/rec", tmpdir);
	c.period_s = 900;
	c.flush_ms = 20;
	c.comp = ARCHIVE_BZIP2;
	a = archive_open(&c);
	assert_non_null(a);
	write_some(a, t0, 10, 1);
	archive_sync(a);
	archive_path(&c, "updates", t0, 0, fin, sizeof(fin));
	slash = strrchr(fin, '/');
	/* What a crash of another process would leave: its raw file. */
	snprintf(raw, sizeof(raw), "%.*s/.%s.999999.raw", (int)(slash - fin),
	    fin, slash + 1);
	snprintf(cmd, sizeof(cmd), "cp %.*s/.%s.%ld.0.raw %s", (int)(slash - fin),
	    fin, slash + 1, (long)getpid(), raw);
	assert_int_equal(system(cmd), 0);
	/* ... and a torn last record: half a header. */
	snprintf(cmd, sizeof(cmd), "printf 'abcdef' >> %s", raw);
	assert_int_equal(system(cmd), 0);
	archive_close(a);
	assert_int_equal(count_records(fin, &f, &l), 10);

	a = archive_open(&c);
	assert_non_null(a);
	archive_stats(a, &st);
	assert_int_equal(st.recovered, 1);
	archive_close(a);
	/* The first file is untouched, the recovered one sits beside it. */
	assert_int_equal(count_records(fin, &f, &l), 10);
	archive_path(&c, "updates", t0, 1, p1, sizeof(p1));
	assert_int_equal(count_records(p1, &f, &l), 10);
	assert_int_equal(access(raw, F_OK), -1);
}

/* An unwritable directory: records dropped and counted, nothing else. */
static void
t_unwritable(void **state)
{
	struct archive_conf	 c;
	struct archive		*a;
	struct archive_stats	 st;

	(void)state;
	memset(&c, 0, sizeof(c));
	/* Not even root makes a directory under a character device. */
	snprintf(c.dir, sizeof(c.dir), "/dev/null/bgplens");
	c.period_s = 900;
	c.flush_ms = 20;
	a = archive_open(&c);
	assert_non_null(a);
	write_some(a, 1767225600, 5, 1);
	archive_sync(a);
	archive_stats(a, &st);
	assert_true(st.dropped >= 5);
	archive_close(a);
}

/* What retention may delete and the looking glass may serve. */
static void
t_name_parse(void **state)
{
	enum archive_kind	k;
	uint64_t		t;

	(void)state;
	assert_int_equal(archive_name_parse("updates.20260101.0015.bz2", &k,
	    &t), 0);
	assert_int_equal(k, ARCHIVE_KIND_UPDATES);
	assert_int_equal(t, 1767226500);
	assert_int_equal(archive_name_parse("rib.20260101.0000.gz", &k, &t),
	    0);
	assert_int_equal(k, ARCHIVE_KIND_RIB);
	assert_int_equal(t, 1767225600);
	assert_int_equal(archive_name_parse("rib.20260101.0000", &k, &t), 0);
	assert_int_equal(archive_name_parse("updates.20260101.0015.2.bz2",
	    &k, &t), 0);
	assert_int_equal(t, 1767226500);
	/* Temporary, part and foreign files never parse. */
	assert_int_equal(archive_name_parse(".updates.20260101.0015.bz2.9.0.raw",
	    &k, &t), -1);
	assert_int_equal(archive_name_parse("rib.20260101.0000.bz2.part", &k,
	    &t), -1);
	assert_int_equal(archive_name_parse("updates.20260101.0015.bz2.x", &k,
	    &t), -1);
	assert_int_equal(archive_name_parse("updates.2026011.0015.bz2", &k,
	    &t), -1);
	assert_int_equal(archive_name_parse("updates.20261301.0015.bz2", &k,
	    &t), -1);
	assert_int_equal(archive_name_parse("notes.txt", &k, &t), -1);
	assert_int_equal(archive_name_parse("rib.20260101.0000.xz", &k, &t),
	    -1);
}

static void
touch(const char *rel)
{
	char	path[600];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/list/%s", tmpdir, rel);
	assert_non_null(f = fopen(path, "w"));
	fputs("x", f);
	fclose(f);
}

/* Newest first; at one instant the snapshot first; nothing else listed. */
static void
t_list(void **state)
{
	struct archive_file	*v;
	size_t			 n;
	char			 dir[400], sub[500];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/list", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/2026.01", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/2025.12", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof(sub), "%s/other", dir);
	assert_int_equal(mkdir(sub, 0755), 0);
	touch("2026.01/updates.20260101.0000.bz2");
	touch("2026.01/updates.20260101.0000.1.bz2");
	touch("2026.01/rib.20260101.0000.bz2");
	touch("2026.01/updates.20260101.0015.bz2");
	touch("2026.01/.updates.20260101.0030.bz2.1.0.raw");
	touch("2026.01/rib.20260101.0000.bz2.part");
	touch("2025.12/updates.20251231.2345.bz2");
	touch("other/updates.20260101.0045.bz2");
	assert_int_equal(archive_list(dir, &v, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(v[0].name, "updates.20260101.0015.bz2");
	assert_string_equal(v[1].name, "rib.20260101.0000.bz2");
	assert_string_equal(v[2].name, "updates.20260101.0000.1.bz2");
	assert_string_equal(v[3].name, "updates.20260101.0000.bz2");
	assert_string_equal(v[4].name, "updates.20251231.2345.bz2");
	assert_string_equal(v[4].month, "2025.12");
	assert_int_equal(v[4].size, 1);
	free(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_names),
		cmocka_unit_test(t_rotation_bz2),
		cmocka_unit_test(t_rotation_gz),
		cmocka_unit_test(t_rotation_plain),
		cmocka_unit_test(t_recovery),
		cmocka_unit_test(t_unwritable),
		cmocka_unit_test(t_name_parse),
		cmocka_unit_test(t_list),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
