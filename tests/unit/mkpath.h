/*
 * mkpath.h -- for unit tests that build routes by hand: the wire form of
 * an AS_PATH attribute value holding one AS_SEQUENCE of 4-octet ASes,
 * from text such as "65001 65002 3333".
 */
#ifndef BGPLENS_TEST_MKPATH_H
#define BGPLENS_TEST_MKPATH_H

#include <stdint.h>
#include <stdlib.h>

#include "bgp.h"

/* out must hold 2 + 4 x 255 bytes; returns the length written. */
static inline size_t
mkpath(uint8_t *out, const char *s)
{
	size_t		len = 2;
	char		*end;
	uint32_t	v;

	out[0] = AS_SEQUENCE;
	out[1] = 0;
	while (*s != '\0' && out[1] < 255) {
		v = (uint32_t)strtoul(s, &end, 10);
		if (end == s)
			break;
		s = end;
		out[1]++;
		out[len++] = (uint8_t)(v >> 24);
		out[len++] = (uint8_t)(v >> 16);
		out[len++] = (uint8_t)(v >> 8);
		out[len++] = (uint8_t)v;
	}
	return (len);
}

#endif /* BGPLENS_TEST_MKPATH_H */
