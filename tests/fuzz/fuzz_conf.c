/*
 * fuzz_conf.c -- bgplensd's YAML configuration (collector/conf.c) on
 * arbitrary bytes, parsed from memory: anchors, aliases, deep nesting,
 * wrong node kinds under every key, numbers out of range, overlong
 * strings.  A document that loads is printed back and loaded again: what
 * conf_print() writes must be a configuration conf_load_mem() accepts,
 * with the same peers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Keep every input cheap: configurations are small files. */
#define MAX_INPUT	(64 * 1024)

static void
reload(const struct conf *c)
{
	struct conf	 again;
	char		 err[512], *text = NULL;
	size_t		 len = 0;
	FILE		*f;

	if ((f = open_memstream(&text, &len)) == NULL)
		return;
	conf_print(f, c);
	fclose(f);
	if (conf_load_mem("printed", text, len, &again, err,
	    sizeof(err)) == -1) {
		/* Passwords print as "(set)", which is still a password. */
		fprintf(stderr, "printed configuration rejected: %s\n%s\n",
		    err, text);
		abort();
	}
	if (again.n_peers != c->n_peers || again.n_dynamic != c->n_dynamic)
		abort();
	conf_free(&again);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct conf	c;
	char		err[512];

	if (len > MAX_INPUT)
		return (0);
	if (conf_load_mem("fuzz", data, len, &c, err, sizeof(err)) == 0) {
		reload(&c);
		conf_free(&c);
	}
	return (0);
}
