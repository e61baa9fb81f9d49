/*
 * fuzz_pbzip2.c -- the parallel bzip2 decoder of the MRT input against
 * libbz2's own one-shot decoder.
 *
 * Whatever the bytes, pbz must not crash, hang or leak; and when libbz2
 * decodes the input completely, pbz must produce exactly the same bytes
 * with no error.
 */
#include <bzlib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mrt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct src {
	const uint8_t	*p;
	size_t		 left;
};

static ssize_t
feed(void *arg, uint8_t *buf, size_t len)
{
	struct src	*s = arg;
	size_t		 n = s->left < len ? s->left : len;

	/* Small, odd reads: block magics straddle them. */
	if (n > 97)
		n = 97;
	memcpy(buf, s->p, n);
	s->p += n;
	s->left -= n;
	return ((ssize_t)n);
}

/*
 * libbz2's decode of the first stream: its length, and whether it ended
 * cleanly at the end of the input (-1: not a clean stream).
 */
static long
reference(const uint8_t *data, size_t len, uint8_t *out, size_t cap,
    bool *whole)
{
	bz_stream	bz;
	int		rv;
	long		n = -1;

	memset(&bz, 0, sizeof(bz));
	if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK)
		return (-1);
	bz.next_in = (char *)(uintptr_t)data;
	bz.avail_in = (unsigned)len;
	bz.next_out = (char *)out;
	bz.avail_out = (unsigned)cap;
	rv = BZ2_bzDecompress(&bz);
	if (rv == BZ_STREAM_END) {
		n = (long)(cap - bz.avail_out);
		*whole = bz.avail_in == 0;
	}
	BZ2_bzDecompressEnd(&bz);
	return (n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static uint8_t	 ref[1 << 20], out[1 << 20];
	struct src	 s = { data, len };
	struct pbz	*p;
	size_t		 outlen = 0;
	ssize_t		 n;
	long		 reflen;
	bool		 whole = false;

	reflen = reference(data, len, ref, sizeof(ref), &whole);
	if ((p = pbz_open(feed, &s, 2)) == NULL)
		return (0);
	while (outlen < sizeof(out) &&
	    (n = pbz_read(p, out + outlen, sizeof(out) - outlen)) > 0)
		outlen += (size_t)n;
	if (reflen >= 0 && outlen < sizeof(out)) {
		/* The first stream decodes the same. */
		if (outlen < (size_t)reflen ||
		    memcmp(out, ref, (size_t)reflen) != 0)
			abort();
		/* A single clean stream: nothing more, and no error. */
		if (whole && (outlen != (size_t)reflen ||
		    pbz_error(p)[0] != '\0'))
			abort();
	}
	pbz_close(p);
	return (0);
}
