/*
 * prefix.h -- addresses and prefixes of both families.
 *
 * An address is 16 bytes whatever its family; an IPv4 address uses the
 * first four and leaves the rest zero, so comparison and hashing need not
 * look at the family twice.  A prefix is always stored masked (bits past
 * its length zero): RFC 4271 4.3 says trailing bits are irrelevant, and a
 * canonical form is what lets the RIB and the history compare prefixes
 * with memcmp.
 */
#ifndef BGPLENS_PREFIX_H
#define BGPLENS_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Address family identifiers as on the wire (IANA AFI). */
#define AFI_IPV4	1
#define AFI_IPV6	2

/* Subsequent AFI. */
#define SAFI_UNICAST	1
#define SAFI_MULTICAST	2
#define SAFI_MPLS_LABEL	4
#define SAFI_MPLS_VPN	128

#define ADDR_STRLEN	46	/* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN	(ADDR_STRLEN + 4)

struct addr {
	uint8_t		afi;		/* AFI_IPV4 or AFI_IPV6, 0 = none */
	uint8_t		b[16];
};

struct prefix {
	uint8_t		afi;
	uint8_t		len;		/* bits */
	uint8_t		b[16];
};

static inline unsigned
afi_bits(uint8_t afi)
{
	return (afi == AFI_IPV6 ? 128 : 32);
}

static inline unsigned
afi_bytes(uint8_t afi)
{
	return (afi == AFI_IPV6 ? 16 : 4);
}

void	addr_set_v4(struct addr *, uint32_t host_order);
void	addr_set_bytes(struct addr *, uint8_t afi, const uint8_t *);
int	addr_cmp(const struct addr *, const struct addr *);
bool	addr_is_zero(const struct addr *);
/* Format into buf (at least ADDR_STRLEN); returns buf. */
char	*addr_fmt(const struct addr *, char *buf, size_t len);
/* Parse "a.b.c.d" or an IPv6 literal; 0 on success, -1 otherwise. */
int	addr_parse(const char *, struct addr *);

/* Zero the bits past len. */
void	prefix_mask(struct prefix *);
int	prefix_cmp(const struct prefix *, const struct prefix *);
/* True when p covers q (q is p or a more-specific of it). */
bool	prefix_covers(const struct prefix *p, const struct prefix *q);
char	*prefix_fmt(const struct prefix *, char *buf, size_t len);
/* Parse "addr/len" (or a bare address as a host prefix). */
int	prefix_parse(const char *, struct prefix *);
/* Bit i (0 = most significant) of the prefix's address. */
static inline unsigned
prefix_bit(const struct prefix *p, unsigned i)
{
	return ((p->b[i >> 3] >> (7 - (i & 7))) & 1);
}

#endif /* BGPLENS_PREFIX_H */
