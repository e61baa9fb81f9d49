/*
 * rtree.h -- path-compressed binary radix tree (PATRICIA) keyed by prefix.
 *
 * One tree per address family: it holds the prefixes of the RIB and a
 * payload slot per prefix where the RIB keeps its route set.  See the
 * comment at the top of collector/rtree.c for the node invariants.
 *
 * Node addresses are stable: a prefix node stays where it is until that
 * prefix is deleted, whatever else is inserted or deleted, so the RIB may
 * hold on to a struct rtnode * for as long as the prefix exists.
 *
 * A tree is not thread-safe; the owner serialises access.
 */
#ifndef BGPLENS_RTREE_H
#define BGPLENS_RTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

/*
 * A node.  The owner may read and write `value' and `user' of the nodes
 * the tree hands out (never of others); everything else belongs to the
 * tree.  The key is kept in host-order 32-bit words, one for an IPv4 tree
 * and four for IPv6, so the allocation is 32 bytes for IPv4 and 48 for
 * IPv6 on LP64; use rtnode_prefix() rather than reading it.
 */
struct rtnode {
	struct rtnode	*child[2];
	void		*value;		/* the owner's payload, NULL when new */
	uint8_t		 len;		/* prefix length in bits */
	uint8_t		 flags;		/* RTN_* (tree private) */
	uint16_t	 user;		/* owner's bits, 0 when new */
	uint32_t	 key[];		/* masked to len */
};

#define RTN_PREFIX	0x01		/* holds an inserted prefix (else glue) */

struct rtree;

struct rtree_stats {
	size_t		prefixes;	/* prefixes inserted */
	size_t		nodes;		/* nodes in use: prefixes + glue + root */
	size_t		node_size;	/* bytes per node slot */
	size_t		slabs;		/* slabs mapped */
	size_t		bytes;		/* bytes mapped for nodes (slabs) */
};

/* afi is AFI_IPV4 or AFI_IPV6; NULL with errno set on failure. */
struct rtree	*rtree_create(uint8_t afi);
/* Calls fn(value, arg) for every prefix whose value is not NULL first. */
void		 rtree_destroy(struct rtree *, void (*fn)(void *, void *),
		    void *arg);
uint8_t		 rtree_afi(const struct rtree *);

/*
 * The node of the prefix, created (value NULL) if it was not there.
 * *created (if not NULL) tells which.  NULL with errno set when the
 * prefix is of the other family (EAFNOSUPPORT), has a bad length (EINVAL),
 * or memory runs out (ENOMEM).  Bits past the length are ignored.
 */
struct rtnode	*rtree_insert(struct rtree *, const struct prefix *,
		    bool *created);
/* Exact match, or NULL. */
struct rtnode	*rtree_lookup(const struct rtree *, const struct prefix *);
/* Longest prefix covering the address, or NULL. */
struct rtnode	*rtree_match(const struct rtree *, const struct addr *);
/* Longest prefix covering p, p itself included, or NULL. */
struct rtnode	*rtree_match_prefix(const struct rtree *,
		    const struct prefix *);
/*
 * Remove the prefix; 0 and its old value in *value (if not NULL), or -1
 * if it was not there.  Glue nodes that no longer branch go with it.
 */
int		 rtree_delete(struct rtree *, const struct prefix *,
		    void **value);
/* Remove a node obtained from this tree; the node is gone afterwards. */
void		 rtree_remove(struct rtree *, struct rtnode *);
/* The prefix a node stands for. */
void		 rtnode_prefix(const struct rtree *, const struct rtnode *,
		    struct prefix *);
void		 rtree_stats(const struct rtree *, struct rtree_stats *);
/* Check every invariant; NULL when sound, else what is wrong (tests). */
const char	*rtree_check(const struct rtree *);

/*
 * Iterators.  Prefixes come out in prefix order (that of prefix_cmp: by
 * address, then shorter first), so a prefix always precedes its
 * more-specifics.  An iterator survives changes to the tree between
 * calls, the current node's deletion included: it notices and picks up
 * after the last prefix it returned.  It is a plain struct with no
 * resources; drop it whenever.
 *
 * rtree_iter_more: the prefixes covered by `within' (itself included; all
 *	prefixes if NULL), starting after `after' (from the first if NULL).
 *	`after' need not be in the tree, which is what makes it a stable
 *	pagination cursor: pass the last prefix of the previous page.
 * rtree_iter_less: the prefixes covering p, p itself included, from the
 *	shortest down.
 */
#define RTREE_STACK	132	/* > 129 nodes on a path, plus two */

struct rtree_iter {
	const struct rtree *t;
	uint64_t	 gen;		/* tree generation the stack is for */
	uint32_t	 within[4];
	uint32_t	 last[4];
	uint8_t		 within_len;
	uint8_t		 last_len;
	uint8_t		 kind;
	bool		 has_within;
	bool		 has_last;
	int		 sp;
	struct rtnode	*stack[RTREE_STACK];
};

void		 rtree_iter_more(struct rtree_iter *, const struct rtree *,
		    const struct prefix *within, const struct prefix *after);
void		 rtree_iter_less(struct rtree_iter *, const struct rtree *,
		    const struct prefix *);
/* The next prefix node, or NULL at the end. */
struct rtnode	*rtree_iter_next(struct rtree_iter *);

#endif /* BGPLENS_RTREE_H */
