/*
 * rtree.c -- path-compressed binary radix tree (PATRICIA) of prefixes.
 *
 * Keys.  A node's key is its prefix in host-order 32-bit words (one for
 * IPv4, four for IPv6) with every bit past `len' zero.  Bit i counts from
 * the most significant bit of word 0.  Keeping keys masked means two
 * prefixes are equal when their lengths and words are, and the bits two
 * keys share can be found with one xor and clz per word.
 *
 * Node invariants.
 *
 *  1. The root is a /0 node that always exists, prefix or not; it is
 *     never freed before the tree is, so insert and delete never have to
 *     replace it and every search starts from a node that covers its key.
 *  2. A child is strictly longer than its parent and agrees with it on
 *     the parent's `len' bits (the parent covers it); it hangs from
 *     child[b] where b is its bit number parent->len.  The bits between
 *     parent->len and child->len are not tested on the way down: that is
 *     the path compression, and why searches that skip them must compare
 *     keys at the end (exact lookup) or at each prefix node (longest
 *     match).
 *  3. A node is a prefix node (RTN_PREFIX: it was inserted) or glue.
 *     Apart from the root, glue has exactly two children: it exists only
 *     where two prefixes part.  Hence nodes <= 2 * prefixes + 1, and
 *     deleting every prefix inserted since some moment gives the node
 *     count back.
 *  4. Prefix nodes never move.  Delete unlinks and frees the deleted node
 *     only when it has fewer than two children (otherwise it stays as
 *     glue) and then frees its parent if that parent is glue left with a
 *     single child; nothing else is touched, so the node pointers the
 *     owner holds stay valid.
 *
 * There are no parent pointers: delete remembers the two links above the
 * node on its way down, and walks keep their own stack.  That is 8 bytes
 * a node, a fifth of an IPv4 node.
 *
 * Because of 2, a pre-order walk that takes child[0] before child[1]
 * visits prefixes in prefix_cmp() order: a covering prefix first, and
 * prefixes that part at bit i ordered by that bit.  The walks:
 *
 *  - all / more-specifics of W: find the topmost node covered by W (the
 *    first node of length >= W's on W's path, if W covers it; W itself
 *    when present) and walk its subtree with an explicit stack.  A path
 *    has at most 129 nodes, so the stack is bounded (RTREE_STACK).
 *  - after P (the cursor): rebuild the stack a walk would have had just
 *    past P, by descending towards P from the subtree root.  At each
 *    node n:
 *	a. n and P part at a bit before either ends: n's whole subtree is
 *	   after P if n has a 1 there (push n), before it if a 0; stop.
 *	b. P covers n and is shorter: n's subtree is all more-specifics of
 *	   P, so after it: push n; stop.
 *	c. n is P's node: everything below comes after P: push child[1]
 *	   and child[0]; stop.
 *	d. n covers P and is shorter: n itself comes before P.  If P goes
 *	   on to child[0], child[1]'s subtree comes after P: push it.  A
 *	   child[0] subtree when P goes right is before P: skip it.
 *	   Descend towards P.
 *     Pushes lower on the path sort before earlier ones, as a stack
 *     wants.  P need not be in the tree.
 *  - less-specifics of P: the prefix nodes on P's path that cover P,
 *    gathered top-down; the first node that does not cover P ends it
 *    since nothing below it can.
 *
 * Iterators and change: the tree counts changes in `gen'.  An iterator
 * whose generation is stale throws its stack away and seeks again after
 * the last prefix it returned (case analysis above), so it never touches
 * a freed node and neither skips nor repeats a prefix that stayed put.
 * Lookups and iterators never write to the tree, so any number of them
 * may run at once under the owner's read lock.
 *
 * Memory.  Nodes come from 64 KiB slabs mapped at 64 KiB alignment, so a
 * node finds its slab by masking its address and needs no back pointer.
 * Each slab keeps its own free list and the tree a list of slabs with
 * room; a slab whose last node goes is unmapped, except that one empty
 * slab is kept back so a delete/insert pair at the boundary does not
 * map and unmap every time.  Node slots are 32 bytes for IPv4 (two child
 * pointers, the payload, len, flags, 16 owner bits and one key word) and
 * 48 for IPv6.  Slabs are mmap()ed rather than malloc()ed because
 * malloc's large aligned allocations waste the alignment slack; under
 * ASan they are registered with LeakSanitizer (the payloads live in
 * them) and free nodes are poisoned so a stale node pointer is caught.
 */
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "prefix.h"
#include "rtree.h"

#if defined(__SANITIZE_ADDRESS__)
#define RT_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RT_ASAN	1
#endif
#endif

#ifdef RT_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/lsan_interface.h>
#define RT_POISON(p, n)		__asan_poison_memory_region((p), (n))
#define RT_UNPOISON(p, n)	__asan_unpoison_memory_region((p), (n))
#define RT_LSAN_ADD(p, n)	__lsan_register_root_region((p), (n))
#define RT_LSAN_DEL(p, n)	__lsan_unregister_root_region((p), (n))
#else
#define RT_POISON(p, n)		((void)(p), (void)(n))
#define RT_UNPOISON(p, n)	((void)(p), (void)(n))
#define RT_LSAN_ADD(p, n)	((void)(p), (void)(n))
#define RT_LSAN_DEL(p, n)	((void)(p), (void)(n))
#endif

#define RT_SLAB_SIZE	(64 * 1024)
#define RT_MAXWORDS	4

#define RTI_NONE	0		/* iterator over nothing */
#define RTI_MORE	1
#define RTI_LESS	2

struct rt_slab {
	struct rt_slab	*next, *prev;		/* all slabs */
	struct rt_slab	*pnext, *pprev;		/* slabs with room */
	struct rtnode	*free;			/* freed nodes, via child[0] */
	uint32_t	 used;
	uint32_t	 fresh;			/* first never-used slot */
};

struct rtree {
	struct rtnode	*root;
	uint64_t	 gen;			/* bumped on every change */
	size_t		 nprefixes;
	size_t		 nnodes;
	size_t		 nslabs;
	struct rt_slab	*slabs;
	struct rt_slab	*partial;
	struct rt_slab	*spare;			/* empty slab kept back */
	uint32_t	 node_size;
	uint32_t	 slab_cap;		/* nodes per slab */
	uint8_t		 afi;
	uint8_t		 nw;			/* key words */
	uint8_t		 maxlen;
};

#define SLAB_HDR	((sizeof(struct rt_slab) + 7) & ~(size_t)7)
#define MIN(a, b)	((a) < (b) ? (a) : (b))

/*
 * Keys.
 */

static inline unsigned
kbit(const uint32_t *k, unsigned i)
{
	return ((k[i >> 5] >> (31 - (i & 31))) & 1);
}

/* How many leading bits a and b share, at most max. */
static inline unsigned
kcommon(const uint32_t *a, const uint32_t *b, unsigned max)
{
	unsigned	i, c;
	uint32_t	x;

	for (i = 0; i * 32 < max; i++) {
		x = a[i] ^ b[i];
		if (x != 0) {
			c = i * 32 + (unsigned)__builtin_clz(x);
			return (c < max ? c : max);
		}
	}
	return (max);
}

static inline bool
kcovers(const struct rtnode *n, const uint32_t *k)
{
	return (kcommon(n->key, k, n->len) == n->len);
}

static inline bool
keq(const uint32_t *a, const uint32_t *b, unsigned nw)
{
	unsigned i;

	for (i = 0; i < nw; i++)
		if (a[i] != b[i])
			return (false);
	return (true);
}

static void
kmask(uint32_t *k, unsigned nw, unsigned len)
{
	unsigned i;

	for (i = 0; i < nw; i++) {
		if (len >= 32 * (i + 1))
			continue;
		if (len > 32 * i)
			k[i] &= ~(uint32_t)0 << (32 - (len - 32 * i));
		else
			k[i] = 0;
	}
}

static void
kload(const struct rtree *t, const uint8_t *b, unsigned len, uint32_t *k)
{
	unsigned i;

	for (i = 0; i < t->nw; i++, b += 4)
		k[i] = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
		    (uint32_t)b[2] << 8 | b[3];
	kmask(k, t->nw, len);
}

/* The key of a prefix of this tree's family; -1 (errno set) otherwise. */
static int
key_of(const struct rtree *t, const struct prefix *p, uint32_t *k)
{
	if (p->afi != t->afi) {
		errno = EAFNOSUPPORT;
		return (-1);
	}
	if (p->len > t->maxlen) {
		errno = EINVAL;
		return (-1);
	}
	kload(t, p->b, p->len, k);
	return (0);
}

/*
 * Slabs.
 */

/* A slab-sized mapping aligned to its size, or NULL. */
static void *
slab_map(void)
{
	char		*raw;
	uintptr_t	 a;
	size_t		 lead;

	/*
	 * Try the plain size first: mappings grow downwards from the last
	 * one, so once one slab is aligned the next usually is too, and
	 * adjacent slabs merge into one kernel mapping.
	 */
	raw = mmap(NULL, RT_SLAB_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return (NULL);
	if (((uintptr_t)raw & (RT_SLAB_SIZE - 1)) == 0)
		return (raw);
	munmap(raw, RT_SLAB_SIZE);

	raw = mmap(NULL, 2 * RT_SLAB_SIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return (NULL);
	a = ((uintptr_t)raw + RT_SLAB_SIZE - 1) & ~(uintptr_t)(RT_SLAB_SIZE - 1);
	lead = a - (uintptr_t)raw;
	if (lead > 0)
		munmap(raw, lead);
	munmap((char *)a + RT_SLAB_SIZE, RT_SLAB_SIZE - lead);
	return ((void *)a);
}

static inline struct rt_slab *
slab_of(const struct rtnode *n)
{
	return ((struct rt_slab *)((uintptr_t)n &
	    ~(uintptr_t)(RT_SLAB_SIZE - 1)));
}

static void
partial_push(struct rtree *t, struct rt_slab *s)
{
	s->pprev = NULL;
	s->pnext = t->partial;
	if (t->partial != NULL)
		t->partial->pprev = s;
	t->partial = s;
}

static void
partial_unlink(struct rtree *t, struct rt_slab *s)
{
	if (s->pprev != NULL)
		s->pprev->pnext = s->pnext;
	else
		t->partial = s->pnext;
	if (s->pnext != NULL)
		s->pnext->pprev = s->pprev;
	s->pnext = s->pprev = NULL;
}

static struct rt_slab *
slab_new(struct rtree *t)
{
	struct rt_slab *s;

	if ((s = slab_map()) == NULL) {
		errno = ENOMEM;
		return (NULL);
	}
	memset(s, 0, sizeof(*s));
	RT_LSAN_ADD(s, RT_SLAB_SIZE);
	RT_POISON((char *)s + SLAB_HDR, RT_SLAB_SIZE - SLAB_HDR);
	s->next = t->slabs;
	if (t->slabs != NULL)
		t->slabs->prev = s;
	t->slabs = s;
	partial_push(t, s);
	t->nslabs++;
	return (s);
}

/* Unmap an empty slab, which is on no partial list. */
static void
slab_release(struct rtree *t, struct rt_slab *s)
{
	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		t->slabs = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	t->nslabs--;
	RT_UNPOISON(s, RT_SLAB_SIZE);
	RT_LSAN_DEL(s, RT_SLAB_SIZE);
	munmap(s, RT_SLAB_SIZE);
}

static struct rtnode *
node_alloc(struct rtree *t)
{
	struct rt_slab	*s;
	struct rtnode	*n;

	if ((s = t->partial) == NULL) {
		if ((s = t->spare) != NULL) {
			t->spare = NULL;
			partial_push(t, s);
		} else if ((s = slab_new(t)) == NULL)
			return (NULL);
	}
	if (s->free != NULL) {
		n = s->free;
		RT_UNPOISON(n, t->node_size);
		s->free = n->child[0];
	} else {
		n = (struct rtnode *)((char *)s + SLAB_HDR +
		    (size_t)s->fresh * t->node_size);
		s->fresh++;
		RT_UNPOISON(n, t->node_size);
	}
	if (++s->used == t->slab_cap)
		partial_unlink(t, s);
	memset(n, 0, t->node_size);
	t->nnodes++;
	return (n);
}

static void
node_free(struct rtree *t, struct rtnode *n)
{
	struct rt_slab *s = slab_of(n);

	if (s->used == t->slab_cap)
		partial_push(t, s);
	n->child[0] = s->free;
	s->free = n;
	RT_POISON(n, t->node_size);
	s->used--;
	t->nnodes--;
	if (s->used == 0) {
		/*
		 * The empty slab kept back stays off the partial list so
		 * that allocation fills partly used slabs first.
		 */
		partial_unlink(t, s);
		if (t->spare == NULL)
			t->spare = s;
		else
			slab_release(t, s);
	}
}

/* A node for the first len bits of k, glue until made a prefix. */
static struct rtnode *
node_new(struct rtree *t, const uint32_t *k, unsigned len)
{
	struct rtnode *n;

	if ((n = node_alloc(t)) == NULL)
		return (NULL);
	memcpy(n->key, k, t->nw * sizeof(uint32_t));
	kmask(n->key, t->nw, len);
	n->len = (uint8_t)len;
	return (n);
}

/*
 * Create and destroy.
 */

struct rtree *
rtree_create(uint8_t afi)
{
	struct rtree	*t;
	size_t		 sz;

	if (afi != AFI_IPV4 && afi != AFI_IPV6) {
		errno = EAFNOSUPPORT;
		return (NULL);
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return (NULL);
	t->afi = afi;
	t->maxlen = (uint8_t)afi_bits(afi);
	t->nw = (uint8_t)(afi_bytes(afi) / 4);
	sz = offsetof(struct rtnode, key) + t->nw * sizeof(uint32_t);
	sz = (sz + _Alignof(struct rtnode) - 1) &
	    ~(size_t)(_Alignof(struct rtnode) - 1);
	t->node_size = (uint32_t)sz;
	t->slab_cap = (uint32_t)((RT_SLAB_SIZE - SLAB_HDR) / sz);
	if ((t->root = node_alloc(t)) == NULL) {
		free(t);
		return (NULL);
	}
	return (t);
}

void
rtree_destroy(struct rtree *t, void (*fn)(void *, void *), void *arg)
{
	struct rtree_iter	 it;
	struct rtnode		*n;
	struct rt_slab		*s, *next;

	if (t == NULL)
		return;
	if (fn != NULL) {
		rtree_iter_more(&it, t, NULL, NULL);
		while ((n = rtree_iter_next(&it)) != NULL)
			if (n->value != NULL)
				fn(n->value, arg);
	}
	for (s = t->slabs; s != NULL; s = next) {
		next = s->next;
		RT_UNPOISON(s, RT_SLAB_SIZE);
		RT_LSAN_DEL(s, RT_SLAB_SIZE);
		munmap(s, RT_SLAB_SIZE);
	}
	free(t);
}

uint8_t
rtree_afi(const struct rtree *t)
{
	return (t->afi);
}

/*
 * Insert.
 */

static struct rtnode *
make_prefix(struct rtree *t, struct rtnode *n, bool *created)
{
	if ((n->flags & RTN_PREFIX) == 0) {
		n->flags |= RTN_PREFIX;
		n->value = NULL;
		n->user = 0;
		t->nprefixes++;
		t->gen++;
		if (created != NULL)
			*created = true;
	}
	return (n);
}

/*
 * Put k/len where *link points to c, which k does not cover: k either
 * covers c (cp == len) and goes above it, or parts from it at bit cp and
 * a glue node of length cp takes both.
 */
static struct rtnode *
split(struct rtree *t, struct rtnode **link, struct rtnode *c,
    const uint32_t *k, unsigned len, unsigned cp, bool *created)
{
	struct rtnode *n, *g;

	if ((n = node_new(t, k, len)) == NULL)
		return (NULL);
	if (cp == len) {
		n->child[kbit(c->key, len)] = c;
		*link = n;
	} else {
		if ((g = node_new(t, k, cp)) == NULL) {
			node_free(t, n);
			return (NULL);
		}
		g->child[kbit(k, cp)] = n;
		g->child[kbit(c->key, cp)] = c;
		*link = g;
	}
	return (make_prefix(t, n, created));
}

struct rtnode *
rtree_insert(struct rtree *t, const struct prefix *p, bool *created)
{
	uint32_t	 k[RT_MAXWORDS];
	struct rtnode	*n, *c, **link;
	unsigned	 len, cp;

	if (created != NULL)
		*created = false;
	if (key_of(t, p, k) == -1)
		return (NULL);
	len = p->len;
	/* n always covers k: the root does, and we only step to such. */
	n = t->root;
	for (;;) {
		if (n->len == len)
			return (make_prefix(t, n, created));
		link = &n->child[kbit(k, n->len)];
		if ((c = *link) == NULL) {
			if ((c = node_new(t, k, len)) == NULL)
				return (NULL);
			*link = c;
			return (make_prefix(t, c, created));
		}
		cp = kcommon(c->key, k, MIN(c->len, len));
		if (cp != c->len)
			return (split(t, link, c, k, len, cp, created));
		n = c;
	}
}

/*
 * Lookups.
 */

static struct rtnode *
lookup(const struct rtree *t, const uint32_t *k, unsigned len)
{
	struct rtnode *n = t->root;

	/* Steer by bits only; the skipped bits are checked once, at the end. */
	while (n->len < len) {
		if ((n = n->child[kbit(k, n->len)]) == NULL)
			return (NULL);
	}
	if (n->len != len || (n->flags & RTN_PREFIX) == 0 ||
	    !keq(n->key, k, t->nw))
		return (NULL);
	return (n);
}

struct rtnode *
rtree_lookup(const struct rtree *t, const struct prefix *p)
{
	uint32_t k[RT_MAXWORDS];

	if (key_of(t, p, k) == -1)
		return (NULL);
	return (lookup(t, k, p->len));
}

static struct rtnode *
match(const struct rtree *t, const uint32_t *k, unsigned len)
{
	struct rtnode *n = t->root, *best = NULL;

	/*
	 * Glue is not checked: if it does not cover k, neither does any
	 * prefix below it, and the first of those we meet stops us.
	 */
	for (;;) {
		if (n->flags & RTN_PREFIX) {
			if (!kcovers(n, k))
				break;
			best = n;
		}
		if (n->len >= len)
			break;
		n = n->child[kbit(k, n->len)];
		if (n == NULL || n->len > len)
			break;
	}
	return (best);
}

struct rtnode *
rtree_match(const struct rtree *t, const struct addr *a)
{
	uint32_t k[RT_MAXWORDS];

	if (a->afi != t->afi)
		return (NULL);
	kload(t, a->b, t->maxlen, k);
	return (match(t, k, t->maxlen));
}

struct rtnode *
rtree_match_prefix(const struct rtree *t, const struct prefix *p)
{
	uint32_t k[RT_MAXWORDS];

	if (key_of(t, p, k) == -1)
		return (NULL);
	return (match(t, k, p->len));
}

/*
 * Delete.
 */

struct rt_path {
	struct rtnode	 *n;		/* the node found */
	struct rtnode	**link;		/* where it hangs */
	struct rtnode	 *par;		/* its parent, NULL for the root */
	struct rtnode	**plink;	/* where the parent hangs */
};

/* Find the node of k/len with the links delete needs; false if absent. */
static bool
find_path(struct rtree *t, const uint32_t *k, unsigned len,
    struct rt_path *pa)
{
	struct rtnode	**link;

	pa->n = t->root;
	pa->link = &t->root;
	pa->par = NULL;
	pa->plink = NULL;
	while (pa->n->len < len) {
		link = &pa->n->child[kbit(k, pa->n->len)];
		if (*link == NULL)
			return (false);
		pa->plink = pa->link;
		pa->par = pa->n;
		pa->link = link;
		pa->n = *link;
	}
	return (pa->n->len == len && (pa->n->flags & RTN_PREFIX) &&
	    keq(pa->n->key, k, t->nw));
}

static void
unlink_prefix(struct rtree *t, struct rt_path *pa)
{
	struct rtnode *n = pa->n, *par = pa->par;

	n->flags &= ~RTN_PREFIX;
	n->value = NULL;
	n->user = 0;
	t->nprefixes--;
	t->gen++;
	if (n == t->root || (n->child[0] != NULL && n->child[1] != NULL))
		return;		/* stays, as glue */
	*pa->link = n->child[0] != NULL ? n->child[0] : n->child[1];
	if (*pa->link != NULL) {
		node_free(t, n);	/* the parent still has two children */
		return;
	}
	node_free(t, n);
	/* A glue parent left with one child no longer parts anything. */
	if (par == t->root || (par->flags & RTN_PREFIX))
		return;
	*pa->plink = par->child[0] != NULL ? par->child[0] : par->child[1];
	node_free(t, par);
}

int
rtree_delete(struct rtree *t, const struct prefix *p, void **value)
{
	uint32_t	k[RT_MAXWORDS];
	struct rt_path	pa;

	if (key_of(t, p, k) == -1 || !find_path(t, k, p->len, &pa))
		return (-1);
	if (value != NULL)
		*value = pa.n->value;
	unlink_prefix(t, &pa);
	return (0);
}

void
rtree_remove(struct rtree *t, struct rtnode *n)
{
	struct rt_path pa;

	/*
	 * A node that is not found is not one of ours, or stale: memory
	 * is corrupt and going on would make it worse.
	 */
	if (!find_path(t, n->key, n->len, &pa) || pa.n != n)
		abort();
	unlink_prefix(t, &pa);
}

/*
 * Information.
 */

void
rtnode_prefix(const struct rtree *t, const struct rtnode *n,
    struct prefix *p)
{
	unsigned i;

	memset(p, 0, sizeof(*p));
	p->afi = t->afi;
	p->len = n->len;
	for (i = 0; i < t->nw; i++) {
		p->b[4 * i] = (uint8_t)(n->key[i] >> 24);
		p->b[4 * i + 1] = (uint8_t)(n->key[i] >> 16);
		p->b[4 * i + 2] = (uint8_t)(n->key[i] >> 8);
		p->b[4 * i + 3] = (uint8_t)n->key[i];
	}
}

void
rtree_stats(const struct rtree *t, struct rtree_stats *st)
{
	st->prefixes = t->nprefixes;
	st->nodes = t->nnodes;
	st->node_size = t->node_size;
	st->slabs = t->nslabs;
	st->bytes = t->nslabs * (size_t)RT_SLAB_SIZE;
}

struct rt_count {
	size_t	nodes;
	size_t	prefixes;
};

static const char *
check_node(const struct rtree *t, const struct rtnode *n, unsigned depth,
    struct rt_count *cnt)
{
	uint32_t	 k[RT_MAXWORDS];
	const char	*err;
	unsigned	 b;

	if (depth > t->maxlen)
		return ("path longer than the key");
	if (n->len > t->maxlen)
		return ("node longer than the key");
	if (n->flags & ~RTN_PREFIX)
		return ("unknown flags");
	memcpy(k, n->key, t->nw * sizeof(uint32_t));
	kmask(k, t->nw, n->len);
	if (!keq(k, n->key, t->nw))
		return ("key not masked");
	if (n != t->root && (n->flags & RTN_PREFIX) == 0 &&
	    (n->child[0] == NULL || n->child[1] == NULL))
		return ("glue with fewer than two children");
	if ((n->flags & RTN_PREFIX) == 0 && (n->value != NULL || n->user != 0))
		return ("glue with owner data");
	cnt->nodes++;
	if (n->flags & RTN_PREFIX)
		cnt->prefixes++;
	for (b = 0; b < 2; b++) {
		const struct rtnode *c = n->child[b];

		if (c == NULL)
			continue;
		if (c->len <= n->len)
			return ("child not longer than parent");
		if (!kcovers(n, c->key))
			return ("child not covered by parent");
		if (kbit(c->key, n->len) != b)
			return ("child on the wrong side");
		if ((err = check_node(t, c, depth + 1, cnt)) != NULL)
			return (err);
	}
	return (NULL);
}

static const char *
check_slabs(const struct rtree *t)
{
	const struct rt_slab	*s;
	size_t			 n = 0, used = 0, partial = 0;

	for (s = t->slabs; s != NULL; s = s->next) {
		if (slab_of((const void *)s) != s)
			return ("misaligned slab");
		if (s->used > s->fresh || s->fresh > t->slab_cap)
			return ("slab counts out of range");
		if (s->used == 0 && s != t->spare)
			return ("empty slab kept");
		if (s->used > 0 && s->used < t->slab_cap)
			partial++;
		n++;
		used += s->used;
	}
	if (n != t->nslabs)
		return ("slab count wrong");
	if (used != t->nnodes)
		return ("slab usage does not add up to the node count");
	for (s = t->partial; s != NULL; s = s->pnext) {
		if (s->used == 0 || s->used >= t->slab_cap)
			return ("empty or full slab on the partial list");
		partial--;
	}
	if (partial != 0)
		return ("slab with room missing from the partial list");
	return (NULL);
}

const char *
rtree_check(const struct rtree *t)
{
	struct rt_count	 cnt = { 0, 0 };
	const char	*err;

	if (t->root == NULL || t->root->len != 0)
		return ("no /0 root");
	if ((err = check_node(t, t->root, 0, &cnt)) != NULL)
		return (err);
	if (cnt.nodes != t->nnodes)
		return ("node count wrong");
	if (cnt.prefixes != t->nprefixes)
		return ("prefix count wrong");
	if (t->nnodes > 2 * t->nprefixes + 1)
		return ("more nodes than 2 * prefixes + 1");
	return (check_slabs(t));
}

/*
 * Iterators.
 */

static inline void
iter_push(struct rtree_iter *it, struct rtnode *n)
{
	if (n == NULL)
		return;
	if (it->sp >= RTREE_STACK)
		abort();	/* cannot happen: see RTREE_STACK */
	it->stack[it->sp++] = n;
}

/* The topmost node covered by the iterator's `within' prefix. */
static struct rtnode *
subtree_root(const struct rtree_iter *it)
{
	struct rtnode	*n = it->t->root;
	unsigned	 wlen = it->within_len;

	if (!it->has_within)
		return (n);
	while (n != NULL && n->len < wlen)
		n = n->child[kbit(it->within, n->len)];
	if (n == NULL || kcommon(n->key, it->within, wlen) != wlen)
		return (NULL);
	return (n);
}

/* Set up the stack of a pre-order walk just past it->last (see top). */
static void
seek_more(struct rtree_iter *it)
{
	struct rtnode	*n;
	const uint32_t	*pk = it->last;
	unsigned	 plen = it->last_len, m, cp;

	it->sp = 0;
	if ((n = subtree_root(it)) == NULL)
		return;
	if (!it->has_last) {
		iter_push(it, n);
		return;
	}
	while (n != NULL) {
		m = MIN(n->len, plen);
		if ((cp = kcommon(n->key, pk, m)) < m) {	/* case a */
			if (kbit(n->key, cp))
				iter_push(it, n);
			return;
		}
		if (n->len > plen) {				/* case b */
			iter_push(it, n);
			return;
		}
		if (n->len == plen) {				/* case c */
			iter_push(it, n->child[1]);
			iter_push(it, n->child[0]);
			return;
		}
		if (kbit(pk, n->len) == 0) {			/* case d */
			iter_push(it, n->child[1]);
			n = n->child[0];
		} else
			n = n->child[1];
	}
}

/* Stack the prefixes covering `within', shortest on top, past `last'. */
static void
seek_less(struct rtree_iter *it)
{
	struct rtnode	*n = it->t->root, *tmp;
	unsigned	 plen = it->within_len;
	int		 i, j;

	it->sp = 0;
	while (n != NULL && n->len <= plen && kcovers(n, it->within)) {
		if ((n->flags & RTN_PREFIX) &&
		    (!it->has_last || n->len > it->last_len))
			iter_push(it, n);
		if (n->len == plen)
			break;
		n = n->child[kbit(it->within, n->len)];
	}
	for (i = 0, j = it->sp - 1; i < j; i++, j--) {
		tmp = it->stack[i];
		it->stack[i] = it->stack[j];
		it->stack[j] = tmp;
	}
}

static void
iter_seek(struct rtree_iter *it)
{
	it->gen = it->t->gen;
	if (it->kind == RTI_MORE)
		seek_more(it);
	else if (it->kind == RTI_LESS)
		seek_less(it);
	else
		it->sp = 0;
}

static void
iter_start(struct rtree_iter *it, const struct rtree *t, uint8_t kind,
    const struct prefix *within, const struct prefix *after)
{
	memset(it, 0, offsetof(struct rtree_iter, stack));
	it->t = t;
	it->kind = kind;
	if (within != NULL) {
		if (key_of(t, within, it->within) == -1)
			it->kind = RTI_NONE;
		it->within_len = within->len;
		it->has_within = true;
	}
	if (after != NULL) {
		if (key_of(t, after, it->last) == -1)
			it->kind = RTI_NONE;
		it->last_len = after->len;
		it->has_last = true;
	}
	iter_seek(it);
}

void
rtree_iter_more(struct rtree_iter *it, const struct rtree *t,
    const struct prefix *within, const struct prefix *after)
{
	iter_start(it, t, RTI_MORE, within, after);
}

void
rtree_iter_less(struct rtree_iter *it, const struct rtree *t,
    const struct prefix *p)
{
	iter_start(it, t, RTI_LESS, p, NULL);
}

struct rtnode *
rtree_iter_next(struct rtree_iter *it)
{
	struct rtnode *n;

	if (it->gen != it->t->gen)
		iter_seek(it);
	while (it->sp > 0) {
		n = it->stack[--it->sp];
		if (it->kind == RTI_MORE) {
			iter_push(it, n->child[1]);
			iter_push(it, n->child[0]);
		}
		if (n->flags & RTN_PREFIX) {
			memcpy(it->last, n->key, it->t->nw * sizeof(uint32_t));
			it->last_len = n->len;
			it->has_last = true;
			return (n);
		}
	}
	return (NULL);
}
