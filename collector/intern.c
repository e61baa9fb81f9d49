/*
 * intern.c -- hash-consed byte strings (see intern.h).
 *
 * Layout: objects live in one array indexed by id, each object a single
 * allocation holding its header and bytes (from size-class free lists,
 * fslab.h, when small: most AS paths and community lists are).  A freed object's memory goes
 * back at once; its array entry then holds the free-list link instead of
 * a pointer (tagged by the low bit, which a malloc()ed pointer never has),
 * so ids are reused without any allocation kept for them.  The hash index
 * is open addressing with linear probing over ids, storing 32 bits of the
 * hash beside each id so most probes never touch the object.  Deletion
 * uses backward-shift, so there are no tombstones and probe chains stay
 * short under churn.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "fslab.h"
#include "intern.h"

struct iobj {
	uint32_t	refcnt;
	uint32_t	len;
	uint32_t	hash;
	uint32_t	serial;		/* unique in the table while live */
	uint8_t		data[];
};

struct islot {
	uint32_t	id;		/* 0 = empty */
	uint32_t	hash;
};

struct intern {
	const char	*name;
	uint8_t		 key[16];
	uintptr_t	*objs;		/* by id: struct iobj *, or a free
					   id's link (next << 1 | 1); 0 unused */
	uint32_t	 n_objs;	/* ids handed out so far + 1 */
	uint32_t	 cap_objs;
	uint32_t	 free_head;	/* first free id, 0 = none */
	struct islot	*slots;
	uint32_t	 n_slots;	/* power of two */
	uint64_t	 live, bytes, refs, lookups, hits;
	uint32_t	 serial;	/* last serial handed out */
	struct fslab	 fs;		/* small objects */
};

#define OBJ_FREE(next)	(((uintptr_t)(next) << 1) | 1)
#define OBJ_IS_FREE(v)	(((v) & 1) != 0)
#define OBJ_NEXT(v)	((uint32_t)((v) >> 1))

#define ROTL(x, b)	(uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))
#define SIPROUND do {							\
	v0 += v1; v1 = ROTL(v1, 13); v1 ^= v0; v0 = ROTL(v0, 32);	\
	v2 += v3; v3 = ROTL(v3, 16); v3 ^= v2;				\
	v0 += v3; v3 = ROTL(v3, 21); v3 ^= v0;				\
	v2 += v1; v1 = ROTL(v1, 17); v1 ^= v2; v2 = ROTL(v2, 32);	\
} while (0)

static uint64_t
le64(const uint8_t *p)
{
	return ((uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
	    (uint64_t)p[3] << 24 | (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 |
	    (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56);
}

/* SipHash with one compression and three finalization rounds. */
uint64_t
siphash13(const uint8_t key[16], const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	uint64_t	 k0 = le64(key), k1 = le64(key + 8);
	uint64_t	 v0 = 0x736f6d6570736575ULL ^ k0;
	uint64_t	 v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t	 v2 = 0x6c7967656e657261ULL ^ k0;
	uint64_t	 v3 = 0x7465646279746573ULL ^ k1;
	uint64_t	 m, b = (uint64_t)len << 56;
	size_t		 i, tail = len & 7;

	for (i = 0; i + 8 <= len; i += 8) {
		m = le64(p + i);
		v3 ^= m;
		SIPROUND;
		v0 ^= m;
	}
	for (m = 0; tail > 0; tail--)
		m |= (uint64_t)p[i + tail - 1] << (8 * (tail - 1));
	b |= m;
	v3 ^= b;
	SIPROUND;
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND;
	SIPROUND;
	SIPROUND;
	return (v0 ^ v1 ^ v2 ^ v3);
}

struct intern *
intern_new(const char *name)
{
	struct intern *t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	t->name = name;
	if (getrandom(t->key, sizeof(t->key), 0) != (ssize_t)sizeof(t->key)) {
		/* No entropy yet (early boot): still correct, just unkeyed. */
		memset(t->key, 0x5a, sizeof(t->key));
	}
	t->n_slots = 1024;
	t->slots = calloc(t->n_slots, sizeof(*t->slots));
	t->cap_objs = 1024;
	t->objs = calloc(t->cap_objs, sizeof(*t->objs));
	t->n_objs = 1;
	if (t->slots == NULL || t->objs == NULL) {
		free(t->slots);
		free(t->objs);
		free(t);
		return (NULL);
	}
	return (t);
}

void
intern_free(struct intern *t)
{
	uint32_t i;

	if (t == NULL)
		return;
	if (t->live > 0)
		fprintf(stderr, "intern %s: freeing %llu referenced strings\n",
		    t->name, (unsigned long long)t->live);
	/* Small objects go with their blocks. */
	for (i = 1; i < t->n_objs; i++)
		if (!OBJ_IS_FREE(t->objs[i]) && sizeof(struct iobj) +
		    ((struct iobj *)t->objs[i])->len > FSLAB_MAX)
			free((struct iobj *)t->objs[i]);
	fslab_destroy(&t->fs);
	free(t->objs);
	free(t->slots);
	free(t);
}

/* An object of len bytes: small ones from the free lists. */
static struct iobj *
obj_alloc(struct intern *t, size_t len)
{
	size_t size = sizeof(struct iobj) + len;

	if (size <= FSLAB_MAX)
		return (fslab_alloc(&t->fs, size));
	return (malloc(size));
}

static void
obj_release(struct intern *t, struct iobj *o)
{
	size_t size = sizeof(*o) + o->len;

	if (size <= FSLAB_MAX)
		fslab_free(&t->fs, o, size);
	else
		free(o);
}

/* The live object of an id, or NULL. */
static struct iobj *
obj_get(const struct intern *t, uint32_t id)
{
	uintptr_t v;

	if (id == 0 || id >= t->n_objs)
		return (NULL);
	v = t->objs[id];
	if (v == 0 || OBJ_IS_FREE(v))
		return (NULL);
	return ((struct iobj *)v);
}

static int
intern_grow_slots(struct intern *t)
{
	struct islot	*ns, *old = t->slots;
	uint32_t	 n = t->n_slots * 2, i, j, mask = n - 1;

	if ((ns = calloc(n, sizeof(*ns))) == NULL)
		return (-1);
	for (i = 0; i < t->n_slots; i++) {
		if (old[i].id == 0)
			continue;
		for (j = old[i].hash & mask; ns[j].id != 0; j = (j + 1) & mask)
			;
		ns[j] = old[i];
	}
	free(old);
	t->slots = ns;
	t->n_slots = n;
	return (0);
}

static uint32_t
intern_new_id(struct intern *t)
{
	uintptr_t	*no;
	uint32_t	 id;

	if (t->free_head != 0) {
		id = t->free_head;
		t->free_head = OBJ_NEXT(t->objs[id]);
		t->objs[id] = 0;
		return (id);
	}
	if (t->n_objs == UINT32_MAX)
		return (0);
	if (t->n_objs == t->cap_objs) {
		no = realloc(t->objs, (size_t)t->cap_objs * 2 * sizeof(*no));
		if (no == NULL)
			return (0);
		memset(no + t->cap_objs, 0, (size_t)t->cap_objs * sizeof(*no));
		t->objs = no;
		t->cap_objs *= 2;
	}
	return (t->n_objs++);
}

uint32_t
intern_get(struct intern *t, const void *p, size_t len)
{
	uint32_t	 h, i, mask, id;
	struct iobj	*o;

	if (len > UINT32_MAX)
		return (0);
	t->lookups++;
	h = (uint32_t)siphash13(t->key, p, len);
	mask = t->n_slots - 1;
	for (i = h & mask; t->slots[i].id != 0; i = (i + 1) & mask) {
		if (t->slots[i].hash != h)
			continue;
		o = (struct iobj *)t->objs[t->slots[i].id];
		/* memcmp() wants valid pointers even for zero bytes. */
		if (o->len == len &&
		    (len == 0 || memcmp(o->data, p, len) == 0)) {
			o->refcnt++;
			t->refs++;
			t->hits++;
			return (t->slots[i].id);
		}
	}
	/* Keep the load factor under 1/2 so probes stay short. */
	if ((t->live + 1) * 2 > t->n_slots) {
		if (intern_grow_slots(t) == -1)
			return (0);
		mask = t->n_slots - 1;
		for (i = h & mask; t->slots[i].id != 0; i = (i + 1) & mask)
			;
	}
	if ((o = obj_alloc(t, len)) == NULL)
		return (0);
	o->len = (uint32_t)len;
	if ((id = intern_new_id(t)) == 0) {
		obj_release(t, o);
		return (0);
	}
	o->refcnt = 1;
	o->len = (uint32_t)len;
	o->hash = h;
	/* 0 means dead to intern_serial()'s callers: skip it on wrap. */
	if (++t->serial == 0)
		t->serial = 1;
	o->serial = t->serial;
	if (len > 0)
		memcpy(o->data, p, len);
	t->objs[id] = (uintptr_t)o;
	t->slots[i].id = id;
	t->slots[i].hash = h;
	t->live++;
	t->refs++;
	t->bytes += sizeof(*o) + len;
	return (id);
}

void
intern_ref(struct intern *t, uint32_t id)
{
	struct iobj *o;

	if ((o = obj_get(t, id)) == NULL) {
		if (id != 0)
			fprintf(stderr, "intern %s: ref of dead id %u\n",
			    t->name, id);
		return;
	}
	o->refcnt++;
	t->refs++;
}

/* Remove id from the index with backward-shift deletion. */
static void
intern_unindex(struct intern *t, uint32_t id, uint32_t h)
{
	uint32_t i, j, k, mask = t->n_slots - 1;

	for (i = h & mask; t->slots[i].id != id; i = (i + 1) & mask)
		if (t->slots[i].id == 0)
			return;
	for (j = (i + 1) & mask; t->slots[j].id != 0; j = (j + 1) & mask) {
		k = t->slots[j].hash & mask;
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->slots[i] = t->slots[j];
		i = j;
	}
	t->slots[i].id = 0;
	t->slots[i].hash = 0;
}

void
intern_put(struct intern *t, uint32_t id)
{
	struct iobj *o;

	if ((o = obj_get(t, id)) == NULL) {
		if (id != 0)
			fprintf(stderr, "intern %s: put of dead id %u\n",
			    t->name, id);
		return;
	}
	t->refs--;
	if (--o->refcnt > 0)
		return;
	intern_unindex(t, id, o->hash);
	t->live--;
	t->bytes -= sizeof(*o) + o->len;
	obj_release(t, o);
	t->objs[id] = OBJ_FREE(t->free_head);
	t->free_head = id;
}

const uint8_t *
intern_data(const struct intern *t, uint32_t id, size_t *len)
{
	const struct iobj *o;

	if ((o = obj_get(t, id)) == NULL) {
		*len = 0;
		return (NULL);
	}
	*len = o->len;
	return (o->data);
}

uint32_t
intern_serial(const struct intern *t, uint32_t id)
{
	const struct iobj *o;

	if ((o = obj_get(t, id)) == NULL)
		return (0);
	return (o->serial);
}

uint32_t
intern_refcnt(const struct intern *t, uint32_t id)
{
	const struct iobj *o;

	if ((o = obj_get(t, id)) == NULL)
		return (0);
	return (o->refcnt);
}

void
intern_stats(const struct intern *t, struct intern_stats *s)
{
	s->objects = t->live;
	s->bytes = t->bytes + (uint64_t)t->cap_objs * sizeof(t->objs[0]) +
	    (uint64_t)t->n_slots * sizeof(struct islot);
	s->refs = t->refs;
	s->slots = t->n_slots;
	s->lookups = t->lookups;
	s->hits = t->hits;
}

const char *
intern_name(const struct intern *t)
{
	return (t->name);
}

/*
 * Every invariant of the table, for tests: each indexed id is live, has
 * its hash beside it and lies on its probe chain (no empty slot between
 * its home and where it is: what backward-shift deletion must keep); each
 * live id is indexed once; the free list holds exactly the other ids; the
 * counters add up.
 */
const char *
intern_check(const struct intern *t)
{
	const struct iobj	*o;
	uint64_t		 live = 0, refs = 0, bytes = 0, nfree = 0;
	uint32_t		 i, j, id, mask = t->n_slots - 1, indexed = 0;

	if (t->n_slots == 0 || (t->n_slots & mask) != 0)
		return ("slot count not a power of two");
	for (i = 0; i < t->n_slots; i++) {
		if ((id = t->slots[i].id) == 0)
			continue;
		indexed++;
		if ((o = obj_get(t, id)) == NULL)
			return ("indexed id is not live");
		if (o->hash != t->slots[i].hash)
			return ("slot hash differs from the object's");
		for (j = o->hash & mask; j != i; j = (j + 1) & mask) {
			if (t->slots[j].id == 0)
				return ("empty slot inside a probe chain");
			if (t->slots[j].id == id)
				return ("id indexed twice");
		}
	}
	for (id = 1; id < t->n_objs; id++) {
		if (OBJ_IS_FREE(t->objs[id])) {
			nfree++;
			continue;
		}
		if ((o = obj_get(t, id)) == NULL)
			return ("id neither live nor free");
		if (o->refcnt == 0)
			return ("live object with no reference");
		if (siphash13(t->key, o->data, o->len) % (1ULL << 32) !=
		    o->hash)
			return ("object hash is stale");
		live++;
		refs += o->refcnt;
		bytes += sizeof(*o) + o->len;
	}
	if (live != t->live || indexed != live)
		return ("live count is off");
	if (refs != t->refs)
		return ("reference count sum is off");
	if (bytes != t->bytes)
		return ("byte count is off");
	for (id = t->free_head, j = 0; id != 0; id = OBJ_NEXT(t->objs[id])) {
		if (id >= t->n_objs || !OBJ_IS_FREE(t->objs[id]))
			return ("free list holds a live id");
		if (++j > nfree)
			return ("free list is longer than the free ids");
	}
	if (j != nfree)
		return ("free id missing from the free list");
	if (live * 2 > t->n_slots)
		return ("load factor above 1/2");
	return (NULL);
}
