/*
 * fslab.h -- free lists of small blocks, by size, carved out of 64 KiB
 * blocks.
 *
 * For the many small, long-lived allocations of the RIB (route arrays,
 * interned strings): malloc adds 8 to 16 bytes to each, which for a
 * 20-byte array is more than half again.  Sizes are rounded up to 8
 * bytes, one free list per size, up to FSLAB_MAX; a freed block serves
 * the next allocation of its size.  Blocks are returned to the system
 * only by fslab_destroy().  Under AddressSanitizer free blocks are
 * poisoned, so a use after free is still caught.
 *
 * Not thread-safe: the owner serialises access.
 */
#ifndef BGPLENS_FSLAB_H
#define BGPLENS_FSLAB_H

#include <stddef.h>
#include <stdint.h>

#define FSLAB_MAX	256		/* largest size served */
#define FSLAB_CLASSES	(FSLAB_MAX / 8)
#define FSLAB_BLOCK	65536

struct fslab {
	void		*free[FSLAB_CLASSES];
	uint8_t		*cur;		/* the rest of the newest block */
	size_t		 left;
	void		**blocks;
	size_t		 n_blocks, cap_blocks;
};

/* size 1..FSLAB_MAX; 8-byte aligned, NULL when out of memory. */
void	*fslab_alloc(struct fslab *, size_t size);
/* p from fslab_alloc() of the same size. */
void	 fslab_free(struct fslab *, void *p, size_t size);
/* Every block back; the fslab is empty (all zero) afterwards. */
void	 fslab_destroy(struct fslab *);
/* Bytes in blocks. */
size_t	 fslab_bytes(const struct fslab *);

#endif /* BGPLENS_FSLAB_H */
