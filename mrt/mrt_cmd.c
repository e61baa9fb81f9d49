/*
 * mrt_cmd.c -- "bgplens mrt [-m|-M|--json|--stats] FILE...".
 *
 * Reads each file in turn with one reader and one printer.  Problems go
 * to stderr as "bgplens mrt: FILE: offset N: what", and reading goes on:
 * a damaged record costs that record, not the file.  The exit status is
 * 1 when some file could not be read at all (cannot be opened, or no
 * record could be framed in it), 2 on a usage error, 0 otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mrt.h"

#define OUT_BUF		(256u << 10)

struct cmd {
	const struct mrt_printer *pr;
	void			*pr_arg;
	struct mrt_handlers	 ph;		/* the printer's */
	struct obuf		 o;
	uint64_t		 records;	/* in the current file */
	unsigned		 errors;
	bool			 quiet;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: bgplens mrt [-m | -M | --json | --stats] [-q] FILE...\n"
	    "  -m       one line per route or event, as bgpdump -m "
	    "(default)\n"
	    "  -M       one line per route or event, as bgpdump -M\n"
	    "  --json   one JSON object per line (docs/mrt-json.md)\n"
	    "  --stats  counts by record type, address family and peer\n"
	    "  -q       do not report damaged records on stderr\n"
	    "FILE may be plain, gzip or bzip2 (by content); \"-\" is "
	    "standard input.\n"
	    "bzip2 is decoded on every core (BGPLENS_THREADS=n to choose, "
	    "1 for none).\n");
}

static void
cmd_error(void *arg, const char *file, uint64_t off, const char *msg)
{
	struct cmd *c = arg;

	c->errors++;
	if (c->quiet)
		return;
	/* Keep stdout and stderr in order for someone reading both. */
	obuf_flush(&c->o);
	fprintf(stderr, "bgplens mrt: %s: offset %llu: %s\n", file,
	    (unsigned long long)off, msg);
}

static void
cmd_record(void *arg, const struct mrt_ctx *ctx, uint32_t len)
{
	struct cmd *c = arg;

	c->records++;
	if (c->ph.on_record != NULL)
		c->ph.on_record(c->pr_arg, ctx, len);
}

/*
 * The printer's callbacks, called with its own argument: the reader has
 * one argument for all, and the command keeps on_record and on_error.
 */
static void
fwd_peer_index(void *arg, const struct mrt_ctx *ctx,
    const struct mrt_peer_index *pi)
{
	struct cmd *c = arg;

	if (c->ph.on_peer_index != NULL)
		c->ph.on_peer_index(c->pr_arg, ctx, pi);
}

static void
fwd_rib(void *arg, const struct mrt_ctx *ctx, const struct mrt_rib *e)
{
	struct cmd *c = arg;

	if (c->ph.on_rib_entry != NULL)
		c->ph.on_rib_entry(c->pr_arg, ctx, e);
}

static void
fwd_message(void *arg, const struct mrt_ctx *ctx, const struct mrt_msg *m)
{
	struct cmd *c = arg;

	if (c->ph.on_message != NULL)
		c->ph.on_message(c->pr_arg, ctx, m);
}

static void
fwd_state(void *arg, const struct mrt_ctx *ctx, const struct mrt_state *s)
{
	struct cmd *c = arg;

	if (c->ph.on_state != NULL)
		c->ph.on_state(c->pr_arg, ctx, s);
}

static void
fwd_unsupported(void *arg, const struct mrt_ctx *ctx)
{
	struct cmd *c = arg;

	if (c->ph.on_unsupported != NULL)
		c->ph.on_unsupported(c->pr_arg, ctx);
}

static int
read_file(struct cmd *c, struct mrt_reader *r, const char *path)
{
	struct mrt_in	*in;
	char		 err[256];
	unsigned	 errs;

	if ((in = mrt_in_open(path, err, sizeof(err))) == NULL) {
		obuf_flush(&c->o);
		fprintf(stderr, "bgplens mrt: %s: %s\n", path, err);
		return (-1);
	}
	c->records = 0;
	errs = mrt_reader_run(r, in);
	if (c->pr->file_done != NULL)
		c->pr->file_done(c->pr_arg, in, errs);
	mrt_in_close(in);
	if (c->records == 0 && errs > 0) {
		obuf_flush(&c->o);
		fprintf(stderr, "bgplens mrt: %s: no MRT record could be "
		    "read\n", path);
		return (-1);
	}
	return (0);
}

int
cmd_mrt(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cmd		 c;
	struct mrt_handlers	 h;
	struct mrt_reader	*r;
	enum mrt_mode		 mode = MRT_MODE_M;
	int			 ch, i, rv = 0;

	memset(&c, 0, sizeof(c));
	optind = 1;
	while ((ch = getopt_long(argc, argv, "mMqh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'm':
			mode = MRT_MODE_M;
			break;
		case 'M':
			mode = MRT_MODE_MM;
			break;
		case 'j':
			mode = MRT_MODE_JSON;
			break;
		case 's':
			mode = MRT_MODE_STATS;
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'h':
			usage(stdout);
			return (0);
		default:
			usage(stderr);
			return (2);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0) {
		usage(stderr);
		return (2);
	}
	switch (mode) {
	case MRT_MODE_JSON:
		c.pr = &mrt_printer_json;
		break;
	case MRT_MODE_STATS:
		c.pr = &mrt_printer_stats;
		break;
	default:
		c.pr = &mrt_printer_bgpdump;
		break;
	}
	if (obuf_init(&c.o, STDOUT_FILENO, OUT_BUF) == -1 ||
	    (c.pr_arg = c.pr->create(&c.o, mode)) == NULL) {
		fprintf(stderr, "bgplens mrt: out of memory\n");
		return (1);
	}
	memset(&c.ph, 0, sizeof(c.ph));
	c.pr->handlers(c.pr_arg, &c.ph);
	memset(&h, 0, sizeof(h));
	h.on_record = cmd_record;
	h.on_peer_index = fwd_peer_index;
	h.on_rib_entry = fwd_rib;
	h.on_message = fwd_message;
	h.on_state = fwd_state;
	h.on_unsupported = fwd_unsupported;
	h.on_error = cmd_error;
	h.arg = &c;
	if ((r = mrt_reader_new(&h, c.pr->reader_flags)) == NULL) {
		fprintf(stderr, "bgplens mrt: out of memory\n");
		return (1);
	}
	for (i = 0; i < argc; i++)
		if (read_file(&c, r, argv[i]) == -1)
			rv = 1;
	if (c.pr->finish != NULL)
		c.pr->finish(c.pr_arg);
	obuf_flush(&c.o);
	mrt_reader_free(r);
	c.pr->destroy(c.pr_arg);
	obuf_free(&c.o);
	return (rv);
}
