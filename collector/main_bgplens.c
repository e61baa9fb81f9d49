/*
 * main_bgplens.c -- the bgplens command line: "bgplens SUBCOMMAND ...".
 *
 * A table of subcommands, each a function taking the arguments after
 * its name (argv[0] is the subcommand).  Adding one is adding a row.
 */
#include <stdio.h>
#include <string.h>

#include "bmp.h"
#include "detect.h"
#include "mrt.h"
#include "mrtwr.h"
#include "rib.h"

struct subcmd {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*help;
};

static const struct subcmd subcmds[] = {
	{ "mrt", cmd_mrt, "read MRT files (bgpdump -m/-M, JSON, stats)" },
	{ "rib-load", cmd_rib_load, "load MRT RIB dumps and updates into the RIB" },
	{ "gen-table", cmd_gen_table, "write a synthetic MRT table" },
	{ "replay", cmd_replay, "send one peer's routes of an MRT RIB over BGP" },
	{ "detect", cmd_detect, "hijack and leak detection over MRT files" },
	{ "bmp", cmd_bmp, "read BMP streams (counts, errors), send them to a station" },
};

#define N_SUBCMDS	(sizeof(subcmds) / sizeof(subcmds[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: bgplens COMMAND [ARGS...]\ncommands:\n");
	for (i = 0; i < N_SUBCMDS; i++)
		fprintf(f, "  %-10s %s\n", subcmds[i].name, subcmds[i].help);
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return (2);
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return (0);
	}
	for (i = 0; i < N_SUBCMDS; i++)
		if (strcmp(argv[1], subcmds[i].name) == 0)
			return (subcmds[i].fn(argc - 1, argv + 1));
	fprintf(stderr, "bgplens: unknown command \"%s\"\n", argv[1]);
	usage(stderr);
	return (2);
}
