/*
 * intern.h -- hash-consed, refcounted byte strings.
 *
 * A table stores each distinct byte string once and names it by a 32-bit
 * id (0 is "none").  The RIB interns AS paths, community lists and whole
 * attribute sets this way, so a route is a few integers and comparing two
 * attribute sets is comparing two ids.  Ids rather than pointers halve the
 * size of every reference on a 64-bit machine.
 *
 * Peers choose the bytes we hash, so the hash is keyed (SipHash-1-3 with a
 * per-table random key): no peer can aim its paths at one bucket.
 *
 * Not thread-safe: the RIB's single writer owns its tables; readers look
 * up ids under the RIB's read lock (intern_data() never moves data that a
 * live id refers to).
 */
#ifndef BGPLENS_INTERN_H
#define BGPLENS_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct intern;

struct intern_stats {
	uint64_t	objects;	/* live strings */
	uint64_t	bytes;		/* payload + per-object overhead */
	uint64_t	refs;		/* sum of refcounts */
	uint64_t	slots;		/* hash table size */
	uint64_t	lookups;
	uint64_t	hits;
};

struct intern	*intern_new(const char *name);
/* Frees everything; warns on stderr if strings are still referenced. */
void		 intern_free(struct intern *);
/* Find or add; takes a reference.  Returns 0 on allocation failure. */
uint32_t	 intern_get(struct intern *, const void *, size_t);
void		 intern_ref(struct intern *, uint32_t id);
/* Drop a reference; the string is freed at zero.  Id 0 is ignored. */
void		 intern_put(struct intern *, uint32_t id);
const uint8_t	*intern_data(const struct intern *, uint32_t id, size_t *len);
uint32_t	 intern_refcnt(const struct intern *, uint32_t id);
/*
 * A number unique to this live string in its table (0 if dead): an id is
 * reused after its string dies, so a weak reference keeps (id, serial).
 */
uint32_t	 intern_serial(const struct intern *, uint32_t id);
void		 intern_stats(const struct intern *, struct intern_stats *);
const char	*intern_name(const struct intern *);
/* Check every invariant; NULL when sound, else what is wrong (tests). */
const char	*intern_check(const struct intern *);

/* SipHash-1-3 of a buffer under a 128-bit key (exposed for tests). */
uint64_t	 siphash13(const uint8_t key[16], const void *, size_t);

#endif /* BGPLENS_INTERN_H */
