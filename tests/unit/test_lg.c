/*
 * test_lg.c -- the looking glass's parameter checks, without a server:
 * the ?aspath= expression bounds (lg_regex.c) and lg_validate() on the
 * parameters of the endpoint table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../lg/lg_int.h"

static const struct pdesc *
param(const char *path, const char *name)
{
	size_t			 i;
	const struct pdesc	*d;

	for (i = 0; i < lg_n_endpoints; i++) {
		if (strcmp(lg_endpoints[i].path, path) != 0)
			continue;
		for (d = lg_endpoints[i].params; d->name != NULL; d++)
			if (strcmp(d->name, name) == 0)
				return (d);
	}
	fail_msg("no parameter %s of %s", name, path);
	return (NULL);
}

static void
accepts(const char *re)
{
	char	why[128];
	regex_t	r;

	if (lg_regex_compile(&r, re, why, sizeof(why)) != 0)
		fail_msg("\"%s\" refused: %s", re, why);
	regfree(&r);
}

static void
refuses(const char *re, const char *reason)
{
	char why[128];

	if (lg_regex_check(re, why, sizeof(why)))
		fail_msg("\"%s\" accepted", re);
	if (strstr(why, reason) == NULL)
		fail_msg("\"%s\": \"%s\", not \"%s\"", re, why, reason);
}

static void
test_regex_ordinary(void **state)
{
	(void)state;
	accepts("^3333 ");
	accepts(" 3333$");
	accepts("(^| )1239( |$)");
	accepts("^(1|2|3) 4");
	accepts("[{]64500,64501[}]");
	accepts("^[0-9]+ [0-9]+ 3333$");
	accepts("(1239 )+");
	accepts("^.{0,31}$");
	accepts("[[:digit:]]{1,10}");
	accepts("[]x]");
}

/*
 * What glibc cannot match or compile safely: back-references (exponential
 * matching), nested counts (regcomp allocating gigabytes, or overflowing
 * its stack), repeats of repeats (matching quadratic in the path text).
 */
static void
test_regex_hostile(void **state)
{
	char long_re[LG_RE_MAX_LEN + 2];

	(void)state;
	refuses("(.*)\\1", "backslash");
	refuses("((.{0,255}){0,255}){0,255}", "count");
	refuses(".{0,33}", "count");
	refuses("a{99999999999999999999}", "count");
	refuses("a{3,2}", "count");
	refuses("a{,2}", "count");
	refuses("(a+)*", "repeated group");
	refuses("(( .*)*)*x", "repeated group");
	refuses("(.*|.?){32}x", "repeated group");
	refuses("a**", "repeated group");
	refuses(".{0,31}.{0,31}.{0,31}.{0,31}.{0,31}", "too large");
	refuses("(1|2|3|4)(5|6|7|8){32}x", "too large");
	refuses("((((((((( 1)))))))))", "nested");
	refuses("(1", "unclosed");
	refuses("1)", "unopened");
	refuses("[12", "unclosed");
	refuses("[[:digit:]", "unclosed");
	refuses("1\x01", "ASCII");
	refuses("1\xc3\xa9", "ASCII");
	memset(long_re, '1', sizeof(long_re) - 1);
	long_re[sizeof(long_re) - 1] = '\0';
	refuses(long_re, "longer");
	long_re[LG_RE_MAX_LEN] = '\0';
	accepts(long_re);
}

/* A refused expression is a 400 naming the parameter and the bounds. */
static void
test_validate_aspath(void **state)
{
	const struct pdesc	*d = param("/api/v1/routes", "aspath");
	struct req		 r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(lg_validate(&r, d, "^3333 "), 0);
	assert_int_equal(r.status, 0);
	assert_int_equal(lg_validate(&r, d, "(.*)\\1"), -1);
	assert_int_equal(r.status, MHD_HTTP_BAD_REQUEST);
	assert_string_equal(r.err_param, "aspath");
	assert_non_null(strstr(r.err_msg, "backslash"));
	assert_non_null(strstr(r.err_msg, "at most 128"));
	memset(&r, 0, sizeof(r));
	assert_int_equal(lg_validate(&r, d, "(1|2"), -1);
	assert_int_equal(r.status, MHD_HTTP_BAD_REQUEST);
}

/* The other kinds, through the same table. */
static void
test_validate_kinds(void **state)
{
	const struct pdesc	*pfx = param("/api/v1/routes", "prefix");
	const struct pdesc	*comm = param("/api/v1/routes", "community");
	const struct pdesc	*cur = param("/api/v1/routes", "cursor");
	const struct pdesc	*lim = param("/api/v1/routes", "limit");
	struct req		 r;

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(lg_validate(&r, pfx, "10.0.0.0/8"), 0);
	assert_int_equal(lg_validate(&r, pfx, "10.0.0.0/33"), -1);
	assert_int_equal(lg_validate(&r, comm, "65535:65535"), 0);
	assert_int_equal(lg_validate(&r, comm, "65536:1"), -1);
	assert_int_equal(lg_validate(&r, comm, "1::2"), -1);
	assert_int_equal(lg_validate(&r, cur, "10.0.0.0/8,1,2"), 0);
	assert_int_equal(lg_validate(&r, cur, "10.0.0.0/8,65536,2"), -1);
	assert_int_equal(lg_validate(&r, lim, "10000"), 0);
	assert_int_equal(lg_validate(&r, lim, "10001"), -1);
	assert_int_equal(lg_validate(&r, lim, "0"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_regex_ordinary),
		cmocka_unit_test(test_regex_hostile),
		cmocka_unit_test(test_validate_aspath),
		cmocka_unit_test(test_validate_kinds),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
