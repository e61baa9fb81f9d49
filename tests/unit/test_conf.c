/*
 * test_conf.c -- the YAML configuration parsed from memory: defaults, the
 * archive section's keys and their ranges, what is refused and why (errors
 * name file, line and column), and that conf_print() writes back a
 * document that loads to the same configuration (bgplensd --check -v).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "conf.h"
#include "log.h"

static int
load(const char *text, struct conf *c, char *err, size_t errlen)
{
	return (conf_load_mem("t.yaml", text, strlen(text), c, err, errlen));
}

static char *
print(const struct conf *c)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&text, &len);

	assert_non_null(f);
	conf_print(f, c);
	fclose(f);
	return (text);
}

static void
test_empty_is_defaults(void **state)
{
	struct conf	c;
	char		err[256];

	(void)state;
	assert_int_equal(load("", &c, err, sizeof(err)), 0);
	assert_int_equal(c.local_as, 65000);
	assert_int_equal(c.n_listen, 2);
	conf_free(&c);
}

static void
test_unknown_key(void **state)
{
	struct conf	c;
	char		err[256];

	(void)state;
	assert_int_equal(load("local_as: 1\npasword: x\n", &c, err,
	    sizeof(err)), -1);
	assert_non_null(strstr(err, "t.yaml:2:1: unknown key \"pasword\""));
}

/*
 * Strings with quotes, backslashes and control characters used to be
 * printed between bare double quotes: the printed document did not load.
 */
static void
test_print_escapes_strings(void **state)
{
	static const char in[] =
	    "data_dir: \"/var/\\\"x\\\"\\\\y\"\n"
	    "monitor_file: \"tab\\there\\x01\"\n"
	    "peers:\n"
	    "  - address: 192.0.2.1\n"
	    "    remote_as: 1\n"
	    "    description: 'say \"hi\" \\ bye'\n";
	struct conf	c, again;
	char		err[256], *text;

	(void)state;
	assert_int_equal(load(in, &c, err, sizeof(err)), 0);
	assert_string_equal(c.data_dir, "/var/\"x\"\\y");
	assert_string_equal(c.monitor_file, "tab\there\x01");
	assert_string_equal(c.peers[0].description, "say \"hi\" \\ bye");
	text = print(&c);
	if (load(text, &again, err, sizeof(err)) != 0)
		fail_msg("printed configuration rejected: %s\n%s", err, text);
	assert_string_equal(again.data_dir, c.data_dir);
	assert_string_equal(again.monitor_file, c.monitor_file);
	assert_int_equal(again.n_peers, 1);
	assert_string_equal(again.peers[0].description,
	    c.peers[0].description);
	free(text);
	conf_free(&again);
	conf_free(&c);
}

/* No BGP listener at all: printed as an empty list, not an empty key. */
static void
test_print_empty_listen(void **state)
{
	struct conf	c, again;
	char		err[256], *text;

	(void)state;
	assert_int_equal(load("bgp_listen: []\nbmp_listen: []\n", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.n_listen, 0);
	text = print(&c);
	if (load(text, &again, err, sizeof(err)) != 0)
		fail_msg("printed configuration rejected: %s\n%s", err, text);
	assert_int_equal(again.n_listen, 0);
	assert_int_equal(again.n_bmp_listen, 0);
	free(text);
	conf_free(&again);
	conf_free(&c);
}


static void
t_archive_defaults(void **state)
{
	struct conf	c;
	char		err[256], dir[300];

	(void)state;
	assert_int_equal(load("local_as: 65001\ndata_dir: /var/db/bl\n", &c,
	    err, sizeof(err)), 0);
	assert_true(c.archive.enabled);
	assert_int_equal(c.archive.period, 900);
	assert_int_equal(c.archive.flush_ms, 1000);
	assert_int_equal(c.archive.comp, ARCHIVE_BZIP2);
	assert_int_equal(c.archive.rib_interval, 7200);
	assert_int_equal(c.archive.retention_days, 0);
	assert_int_equal(c.archive.max_buffer_mb, 256);
	assert_false(c.archive.warm_start);
	conf_archive_dir(&c, dir, sizeof(dir));
	assert_string_equal(dir, "/var/db/bl/archive");
	conf_free(&c);
}

static void
t_archive_keys(void **state)
{
	struct conf	c;
	char		err[256], dir[300];

	(void)state;
	assert_int_equal(load("archive:\n  enabled: false\n  dir: /srv/mrt\n"
	    "  period: 300\n  flush_ms: 250\n  compression: gz\n"
	    "  rib_interval: 0\n  retention_days: 30\n  max_buffer_mb: 64\n"
	    "  warm_start: true\n", &c, err, sizeof(err)), 0);
	assert_false(c.archive.enabled);
	assert_int_equal(c.archive.period, 300);
	assert_int_equal(c.archive.flush_ms, 250);
	assert_int_equal(c.archive.comp, ARCHIVE_GZIP);
	assert_int_equal(c.archive.rib_interval, 0);
	assert_int_equal(c.archive.retention_days, 30);
	assert_int_equal(c.archive.max_buffer_mb, 64);
	assert_true(c.archive.warm_start);
	conf_archive_dir(&c, dir, sizeof(dir));
	assert_string_equal(dir, "/srv/mrt");
	conf_free(&c);
	assert_int_equal(load("archive:\n  compression: none\n", &c, err,
	    sizeof(err)), 0);
	assert_int_equal(c.archive.comp, ARCHIVE_NONE);
	conf_free(&c);
}

static void
expect_error(const char *text, const char *want)
{
	struct conf	c;
	char		err[256];

	assert_int_equal(load(text, &c, err, sizeof(err)), -1);
	if (strstr(err, want) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
}

static void
t_archive_errors(void **state)
{
	(void)state;
	/* Line and column of the value at fault. */
	expect_error("local_as: 1\narchive:\n  period: 7\n",
	    "t.yaml:3:11: archive: period");
	expect_error("archive:\n  period: 7000\n", "divide a day");
	expect_error("archive:\n  compression: xz\n",
	    "t.yaml:2:16: archive: compression: bz2, gz or none");
	expect_error("archive:\n  rib_interval: 30\n", "rib_interval");
	expect_error("archive:\n  flush_ms: 5\n", "flush_ms");
	expect_error("archive:\n  max_buffer_mb: 0\n", "max_buffer_mb");
	expect_error("archive:\n  retention_days: -1\n", "retention_days");
	expect_error("archive:\n  warm_start: maybe\n", "not true or false");
	expect_error("archive:\n  perod: 900\n",
	    "t.yaml:2:3: archive: unknown key \"perod\"");
	expect_error("archive: yes\n", "archive: expected a mapping");
}

/* --check -v prints what a second load reads back the same. */
static void
t_archive_print_roundtrip(void **state)
{
	struct conf	c, d;
	char		err[256], *buf = NULL;
	size_t		len = 0;
	FILE		*f;

	(void)state;
	assert_int_equal(load("archive:\n  period: 60\n  compression: gz\n"
	    "  dir: /tmp/x\n  warm_start: yes\n", &c, err, sizeof(err)), 0);
	assert_non_null(f = open_memstream(&buf, &len));
	conf_print(f, &c);
	fclose(f);
	if (load(buf, &d, err, sizeof(err)) != 0)
		fail_msg("printed configuration does not load: %s", err);
	assert_memory_equal(&c.archive, &d.archive, sizeof(c.archive));
	conf_free(&c);
	conf_free(&d);
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_defaults),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_print_escapes_strings),
		cmocka_unit_test(test_print_empty_listen),
		cmocka_unit_test(t_archive_defaults),
		cmocka_unit_test(t_archive_keys),
		cmocka_unit_test(t_archive_errors),
		cmocka_unit_test(t_archive_print_roundtrip),
	};

	log_init("test", LOG_LVL_ERR, false);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
