/*
 * fuzz_monitor.c -- the detection inputs on arbitrary bytes: the monitor
 * file (YAML), AS relationships (CAIDA serial-2) and VRPs (JSON), then
 * the detectors over a few fixed routes against whatever rules parsed.
 *
 * The first byte picks the parser.  A monitor file naming relationship
 * or VRP files is skipped: those are read from disk, which is no input.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "detect.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Paths "1 2 3", "64500", and "1 {2,3}" in canonical form. */
static const uint8_t path_a[] = { 2, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3 };
static const uint8_t path_b[] = { 2, 1, 0, 0, 0xfb, 0xf4 };
static const uint8_t path_c[] = { 2, 1, 0, 0, 0, 1, 1, 2, 0, 0, 0, 2, 0, 0,
    0, 3 };
static const uint8_t otc[] = { 0xc0, 35, 0, 4, 0, 0, 0, 2 };

static void
judge(const struct mon_conf *mc)
{
	static const char *const pfx[] = { "10.0.0.0/8", "10.1.2.0/24",
	    "192.0.2.0/24", "2001:db8::/32", "2001:db8:1::/48", "0.0.0.0/0" };
	const uint8_t *const paths[] = { path_a, path_b, path_c };
	const size_t plen[] = { sizeof(path_a), sizeof(path_b),
	    sizeof(path_c) };
	struct det_change	 c[2 * DET_MAX_FINDINGS];
	struct droute		 o, n;
	size_t			 i, j;

	memset(&o, 0, sizeof(o));
	addr_parse("192.0.2.1", &o.peer);
	o.peer_as = 1;
	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++)
		for (j = 0; j < 3; j++) {
			prefix_parse(pfx[i], &o.pfx);
			o.aspath = paths[j];
			o.aspath_len = plen[j];
			o.other = j == 0 ? otc : NULL;
			o.other_len = j == 0 ? sizeof(otc) : 0;
			n = o;
			n.aspath = paths[(j + 1) % 3];
			n.aspath_len = plen[(j + 1) % 3];
			detect_change(mc, &o, &n, c);
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct mon_conf	 mc;
	struct asrel	*r;
	struct vrp	*v;
	struct prefix	 p;
	char		 err[512];

	if (len < 1)
		return (0);
	switch (data[0] % 3) {
	case 0:
		if (memmem(data, len, "relationships", 13) != NULL ||
		    memmem(data, len, "vrp", 3) != NULL)
			return (0);
		if (mon_load_mem("fuzz", data + 1, len - 1, &mc, err,
		    sizeof(err)) == 0) {
			judge(&mc);
			mon_free(&mc);
		}
		break;
	case 1:
		if ((r = asrel_load_mem("fuzz", (const char *)data + 1, len - 1,
		    err, sizeof(err))) != NULL) {
			asrel_get(r, 1, 2);
			asrel_get(r, 2, 1);
			asrel_free(r);
		}
		break;
	case 2:
		if ((v = vrp_load_mem("fuzz", (const char *)data + 1, len - 1,
		    err, sizeof(err))) != NULL) {
			prefix_parse("10.0.0.0/24", &p);
			vrp_validate(v, &p, 1);
			vrp_free(v);
		}
		break;
	}
	return (0);
}
