/*
 * prefix.c -- formatting, parsing and comparison of addresses and prefixes.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"

void
addr_set_v4(struct addr *a, uint32_t v)
{
	memset(a, 0, sizeof(*a));
	a->afi = AFI_IPV4;
	a->b[0] = (uint8_t)(v >> 24);
	a->b[1] = (uint8_t)(v >> 16);
	a->b[2] = (uint8_t)(v >> 8);
	a->b[3] = (uint8_t)v;
}

void
addr_set_bytes(struct addr *a, uint8_t afi, const uint8_t *p)
{
	memset(a, 0, sizeof(*a));
	a->afi = afi;
	memcpy(a->b, p, afi_bytes(afi));
}

int
addr_cmp(const struct addr *a, const struct addr *b)
{
	if (a->afi != b->afi)
		return (a->afi < b->afi ? -1 : 1);
	return (memcmp(a->b, b->b, sizeof(a->b)));
}

bool
addr_is_zero(const struct addr *a)
{
	static const uint8_t zero[16];

	return (memcmp(a->b, zero, sizeof(zero)) == 0);
}

/*
 * Hand-rolled IPv4 formatting: the MRT printer formats millions of
 * addresses, and inet_ntop's generality costs more than the whole line.
 */
static char *
fmt_v4(const uint8_t *b, char *buf)
{
	char	*p = buf;
	int	 i;

	for (i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (v >= 100) {
			*p++ = (char)('0' + v / 100);
			*p++ = (char)('0' + (v / 10) % 10);
		} else if (v >= 10)
			*p++ = (char)('0' + v / 10);
		*p++ = (char)('0' + v % 10);
		if (i < 3)
			*p++ = '.';
	}
	*p = '\0';
	return (p);
}

char *
addr_fmt(const struct addr *a, char *buf, size_t len)
{
	if (len < ADDR_STRLEN) {
		if (len > 0)
			buf[0] = '\0';
		return (buf);
	}
	if (a->afi == AFI_IPV6) {
		if (inet_ntop(AF_INET6, a->b, buf, (socklen_t)len) == NULL)
			buf[0] = '\0';
	} else
		fmt_v4(a->b, buf);
	return (buf);
}

int
addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':') != NULL) {
		if (inet_pton(AF_INET6, s, a->b) != 1)
			return (-1);
		a->afi = AFI_IPV6;
	} else {
		if (inet_pton(AF_INET, s, a->b) != 1)
			return (-1);
		a->afi = AFI_IPV4;
	}
	return (0);
}

void
prefix_mask(struct prefix *p)
{
	unsigned i, bits = p->len;

	for (i = 0; i < 16; i++) {
		if (bits >= 8)
			bits -= 8;
		else if (bits > 0) {
			p->b[i] &= (uint8_t)(0xff << (8 - bits));
			bits = 0;
		} else
			p->b[i] = 0;
	}
}

int
prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int c;

	if (a->afi != b->afi)
		return (a->afi < b->afi ? -1 : 1);
	if ((c = memcmp(a->b, b->b, sizeof(a->b))) != 0)
		return (c);
	if (a->len != b->len)
		return (a->len < b->len ? -1 : 1);
	return (0);
}

bool
prefix_covers(const struct prefix *p, const struct prefix *q)
{
	unsigned full, rest;

	if (p->afi != q->afi || p->len > q->len ||
	    q->len > afi_bits(q->afi))
		return (false);
	full = p->len / 8;
	rest = p->len % 8;
	if (memcmp(p->b, q->b, full) != 0)
		return (false);
	if (rest == 0)
		return (true);
	return (((p->b[full] ^ q->b[full]) & (0xff << (8 - rest)) & 0xff) == 0);
}

char *
prefix_fmt(const struct prefix *p, char *buf, size_t len)
{
	struct addr	 a;
	char		*e;

	if (len < PREFIX_STRLEN) {
		if (len > 0)
			buf[0] = '\0';
		return (buf);
	}
	if (p->afi == AFI_IPV4)
		e = fmt_v4(p->b, buf);
	else {
		a.afi = p->afi;
		memcpy(a.b, p->b, sizeof(a.b));
		addr_fmt(&a, buf, len);
		e = buf + strlen(buf);
	}
	*e++ = '/';
	if (p->len >= 100)
		*e++ = (char)('0' + p->len / 100);
	if (p->len >= 10)
		*e++ = (char)('0' + (p->len / 10) % 10);
	*e++ = (char)('0' + p->len % 10);
	*e = '\0';
	return (buf);
}

int
prefix_parse(const char *s, struct prefix *p)
{
	char		 tmp[PREFIX_STRLEN];
	char		*slash, *end;
	struct addr	 a;
	long		 l;

	if (strlen(s) >= sizeof(tmp))
		return (-1);
	strcpy(tmp, s);
	slash = strchr(tmp, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (addr_parse(tmp, &a) == -1)
		return (-1);
	memset(p, 0, sizeof(*p));
	p->afi = a.afi;
	memcpy(p->b, a.b, sizeof(p->b));
	if (slash == NULL) {
		p->len = (uint8_t)afi_bits(a.afi);
		return (0);
	}
	if (*slash < '0' || *slash > '9')
		return (-1);
	l = strtol(slash, &end, 10);
	if (*end != '\0' || l < 0 || l > (long)afi_bits(a.afi))
		return (-1);
	p->len = (uint8_t)l;
	prefix_mask(p);
	return (0);
}
