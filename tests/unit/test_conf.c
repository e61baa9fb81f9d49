/*
 * test_conf.c -- the YAML configuration parsed from memory: what loads,
 * what is refused and why, and that conf_print() writes back a document
 * that loads to the same configuration (bgplensd --check -v).
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_is_defaults),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_print_escapes_strings),
		cmocka_unit_test(test_print_empty_listen),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
