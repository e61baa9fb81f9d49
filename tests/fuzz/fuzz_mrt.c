/*
 * fuzz_mrt.c -- the MRT input, reader and printers on arbitrary bytes.
 *
 * The input may be plain, gzip or bzip2 (the framer decides from the
 * magic bytes), so compressed streams are fuzzed too.  Each input goes
 * through the three printers (-m, --json, --stats) into /dev/null: only
 * memory errors, undefined behaviour and hangs count.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "mrt.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_OUT	(64u << 10)	/* decompressed bytes per input */

static void
on_error(void *arg, const char *file, uint64_t off, const char *msg)
{
	(void)arg;
	(void)file;
	(void)off;
	(void)msg;
}

static void
run(const struct mrt_printer *pr, enum mrt_mode mode, int fd,
    const uint8_t *data, size_t len)
{
	struct obuf		 o;
	struct mrt_handlers	 h = { 0 };
	struct mrt_reader	*r;
	struct mrt_in		*in;
	void			*p;

	if (obuf_init(&o, fd, 1 << 16) == -1)
		return;
	if ((p = pr->create(&o, mode)) == NULL) {
		obuf_free(&o);
		return;
	}
	pr->handlers(p, &h);
	h.on_error = on_error;
	if ((r = mrt_reader_new(&h, pr->reader_flags)) != NULL &&
	    (in = mrt_in_open_mem(data, len, "fuzz")) != NULL) {
		/*
		 * The reader's own bound (200 times the input, at least
		 * 1 GiB) keeps a daemon safe but is minutes of work here:
		 * what is under test is that a bound stops a bomb.
		 */
		mrt_in_set_max_bytes(in, FUZZ_MAX_OUT);
		mrt_reader_run(r, in);
		if (pr->file_done != NULL)
			pr->file_done(p, in, 0);
		mrt_in_close(in);
	}
	if (pr->finish != NULL)
		pr->finish(p);
	mrt_reader_free(r);
	pr->destroy(p);
	obuf_flush(&o);
	obuf_free(&o);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	static int fd = -1;

	if (fd == -1 && (fd = open("/dev/null", O_WRONLY)) == -1)
		return (0);
	run(&mrt_printer_bgpdump, MRT_MODE_M, fd, data, len);
	run(&mrt_printer_bgpdump, MRT_MODE_MM, fd, data, len);
	run(&mrt_printer_json, MRT_MODE_JSON, fd, data, len);
	run(&mrt_printer_stats, MRT_MODE_STATS, fd, data, len);
	return (0);
}
