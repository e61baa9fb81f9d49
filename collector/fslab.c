/*
 * fslab.c -- free lists of small blocks by size (see fslab.h).
 */
#include <stdlib.h>
#include <string.h>

#include "fslab.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

static unsigned
size_class(size_t size)
{
	return ((unsigned)((size + 7) / 8 - 1));
}

void *
fslab_alloc(struct fslab *fs, size_t size)
{
	unsigned	 c = size_class(size);
	size_t		 sz = ((size_t)c + 1) * 8;
	void		*p, **nb;

	if (size == 0 || size > FSLAB_MAX)
		return (NULL);
	if ((p = fs->free[c]) != NULL) {
		UNPOISON(p, sz);
		fs->free[c] = *(void **)p;
		return (p);
	}
	if (fs->left < sz) {
		if (fs->n_blocks == fs->cap_blocks) {
			size_t nc = fs->cap_blocks ? fs->cap_blocks * 2 : 64;

			if ((nb = realloc(fs->blocks, nc * sizeof(*nb))) ==
			    NULL)
				return (NULL);
			fs->blocks = nb;
			fs->cap_blocks = nc;
		}
		if ((p = malloc(FSLAB_BLOCK)) == NULL)
			return (NULL);
		POISON(p, FSLAB_BLOCK);
		fs->blocks[fs->n_blocks++] = p;
		fs->cur = p;
		fs->left = FSLAB_BLOCK;
	}
	p = fs->cur;
	fs->cur += sz;
	fs->left -= sz;
	UNPOISON(p, sz);
	return (p);
}

void
fslab_free(struct fslab *fs, void *p, size_t size)
{
	unsigned c = size_class(size);

	if (p == NULL)
		return;
	*(void **)p = fs->free[c];
	fs->free[c] = p;
	/* The link stays readable; the rest is off limits under ASan. */
	POISON((uint8_t *)p + sizeof(void *), ((size_t)c + 1) * 8 -
	    sizeof(void *));
}

void
fslab_destroy(struct fslab *fs)
{
	size_t i;

	for (i = 0; i < fs->n_blocks; i++) {
		UNPOISON(fs->blocks[i], FSLAB_BLOCK);
		free(fs->blocks[i]);
	}
	free(fs->blocks);
	memset(fs, 0, sizeof(*fs));
}

size_t
fslab_bytes(const struct fslab *fs)
{
	return (fs->n_blocks * (size_t)FSLAB_BLOCK);
}
