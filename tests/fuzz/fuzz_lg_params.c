/*
 * fuzz_lg_params.c -- the looking glass's query parameter checks
 * (lg_validate() over the endpoint table: prefixes, numbers, ASNs, times,
 * communities, cursors, enums) and the ?aspath= expression bounds.
 *
 * First byte: below 0x80 it picks one parameter of one endpoint (modulo
 * their number) and the rest is its value; from 0x80 on the rest is an
 * AS path expression.  An expression that passes the bounds is compiled
 * and run over AS path texts of 20 to 11000 characters, so an expression
 * the bounds let through but glibc matches slowly is a libFuzzer timeout.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lg/lg_int.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char	*subjects[3];

static void
make_subjects(void)
{
	static const size_t	 len[3] = { 20, 600, 11000 };
	size_t			 i, off;
	unsigned		 as;

	for (i = 0; i < 3; i++) {
		subjects[i] = malloc(len[i] + 16);
		if (subjects[i] == NULL)
			abort();
		/* ASNs of every width, an AS_SET and a confederation. */
		off = (size_t)snprintf(subjects[i], len[i], "(65001 65002) ");
		for (as = 3333; off + 12 < len[i]; as = as * 7 + 13)
			off += (size_t)snprintf(subjects[i] + off, len[i] - off,
			    "%u ", as % 4200000000u);
		snprintf(subjects[i] + off, len[i] - off, "{1,2}");
	}
}

static void
regex(const char *s)
{
	char	why[128];
	regex_t	re;
	int	i;

	if (lg_regex_compile(&re, s, why, sizeof(why)) == -1)
		return;
	for (i = 0; i < 3; i++)
		(void)regexec(&re, subjects[i], 0, NULL, 0);
	regfree(&re);
}

static void
one_param(unsigned pick, const char *v)
{
	const struct pdesc	*d = NULL;
	struct rib_cursor	 c, c2;
	struct req		 r;
	char			 buf[128];
	unsigned		 n = 0, total = 0;
	size_t			 i;

	for (i = 0; i < lg_n_endpoints; i++)
		for (d = lg_endpoints[i].params; d->name != NULL; d++)
			total++;
	pick %= total;
	for (i = 0; i < lg_n_endpoints; i++)
		for (d = lg_endpoints[i].params; d->name != NULL; d++)
			if (n++ == pick)
				goto found;
	return;
found:
	memset(&r, 0, sizeof(r));
	r.ep = &lg_endpoints[i];
	if (lg_validate(&r, d, v) == -1) {
		if (r.status != MHD_HTTP_BAD_REQUEST || r.err_msg[0] == '\0')
			abort();	/* a refusal always says why */
		return;
	}
	if (d->type == P_REGEX)
		regex(v);
	/* A cursor this API hands out reads back as itself. */
	if (d->type == P_CURSOR) {
		if (lg_cursor_parse(v, &c) == -1)
			abort();
		lg_cursor_fmt(&c, buf, sizeof(buf));
		if (lg_cursor_parse(buf, &c2) == -1 ||
		    prefix_cmp(&c.pfx, &c2.pfx) != 0 || c.src != c2.src ||
		    c.path_id != c2.path_id)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char *v;

	if (len < 1 || len > 4096)
		return (0);
	if (subjects[0] == NULL)
		make_subjects();
	/* A query string value is a C string: up to the first NUL. */
	if ((v = malloc(len)) == NULL)
		return (0);
	memcpy(v, data + 1, len - 1);
	v[len - 1] = '\0';
	if (data[0] & 0x80)
		regex(v);
	else
		one_param(data[0], v);
	free(v);
	return (0);
}
