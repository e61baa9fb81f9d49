/*
 * bgp_nlri.c -- one NLRI iterator for every family bgplens decodes.
 *
 * Layout of one entry (RFC 4271 4.3, RFC 7911 3, RFC 8277 2, RFC 4364 4.3.4):
 *
 *	[path id, 4 octets, only with ADD-PATH]
 *	length in bits (1 octet; counts labels and RD for those families)
 *	[labels, 3 octets each, up to the bottom-of-stack bit]
 *	[route distinguisher, 8 octets, VPN only]
 *	prefix, ceil(bits / 8) octets
 *
 * Trailing bits past the prefix length are masked: RFC 4271 says they are
 * irrelevant, and a canonical prefix is what the RIB compares.
 */
#include <string.h>

#include "bgp.h"

void
nlri_iter_init(struct nlri_iter *it, const uint8_t *p, size_t len,
    uint16_t afi, uint8_t safi, bool addpath)
{
	rd_init(&it->r, p, len);
	it->afi = afi;
	it->safi = safi;
	it->addpath = addpath;
}

static bool
safi_labeled(uint8_t safi)
{
	return (safi == SAFI_MPLS_LABEL || safi == SAFI_MPLS_VPN);
}

/* Read labels up to the bottom of stack; returns bits consumed or -1. */
static int
nlri_labels(struct rd *r, unsigned bits, struct nlri *n)
{
	unsigned	 used = 0;
	const uint8_t	*l;
	uint32_t	 v;

	n->n_labels = 0;
	for (;;) {
		if (bits - used < 24 || rd_ptr(r, 3, &l) == -1)
			return (-1);
		used += 24;
		v = ((uint32_t)l[0] << 16) | ((uint32_t)l[1] << 8) | l[2];
		if (n->n_labels == 0)
			n->label = v >> 4;
		n->n_labels++;
		/*
		 * Bottom of stack, or a withdrawal's compatibility value
		 * (0x800000 or 0, RFC 8277 2.4) that has no BoS bit.
		 */
		if ((v & 1) || v == 0x800000 || v == 0)
			break;
		if (n->n_labels >= 8)
			return (-1);
	}
	return ((int)used);
}

int
nlri_next(struct nlri_iter *it, struct nlri *n)
{
	uint8_t		 bits8;
	unsigned	 bits, max, nbytes;
	int		 used;
	const uint8_t	*p;

	if (rd_left(&it->r) == 0)
		return (0);
	memset(n, 0, sizeof(*n));
	if (it->addpath && rd_u32(&it->r, &n->path_id) == -1)
		goto bad;
	if (rd_u8(&it->r, &bits8) == -1)
		goto bad;
	bits = bits8;
	if (safi_labeled(it->safi)) {
		if ((used = nlri_labels(&it->r, bits, n)) == -1)
			goto bad;
		bits -= (unsigned)used;
		if (it->safi == SAFI_MPLS_VPN) {
			if (bits < 64 || rd_u64(&it->r, &n->rd) == -1)
				goto bad;
			bits -= 64;
		}
	}
	max = (it->afi == AFI_IPV6) ? 128 : 32;
	if ((it->afi != AFI_IPV4 && it->afi != AFI_IPV6) || bits > max)
		goto bad;
	nbytes = (bits + 7) / 8;
	if (rd_ptr(&it->r, nbytes, &p) == -1)
		goto bad;
	n->pfx.afi = (uint8_t)it->afi;
	n->pfx.len = (uint8_t)bits;
	memcpy(n->pfx.b, p, nbytes);
	if (bits % 8)
		n->pfx.b[nbytes - 1] &= (uint8_t)(0xff << (8 - bits % 8));
	return (1);
bad:
	/* Stop here: what follows cannot be located. */
	it->r.left = 0;
	return (-1);
}

int
nlri_count(const uint8_t *p, size_t len, uint16_t afi, uint8_t safi,
    bool addpath)
{
	struct nlri_iter it;
	struct nlri	 n;
	int		 c = 0, rv;

	nlri_iter_init(&it, p, len, afi, safi, addpath);
	while ((rv = nlri_next(&it, &n)) == 1)
		c++;
	return (rv == -1 ? -1 : c);
}

int
nlri_encode(struct wr *w, const struct nlri *n, uint8_t safi, bool addpath)
{
	unsigned bits = n->pfx.len;
	uint32_t label;

	/* The prefix bytes come from pfx.b: never past its 16 octets. */
	if ((n->pfx.afi != AFI_IPV4 && n->pfx.afi != AFI_IPV6) ||
	    n->pfx.len > afi_bits(n->pfx.afi)) {
		w->err = 1;
		return (-1);
	}
	if (addpath)
		wr_u32(w, n->path_id);
	if (safi_labeled(safi)) {
		bits += 24;
		if (safi == SAFI_MPLS_VPN)
			bits += 64;
	}
	if (bits > 255) {
		w->err = 1;
		return (-1);
	}
	wr_u8(w, (uint8_t)bits);
	if (safi_labeled(safi)) {
		label = (n->label << 4) | 1;	/* one label, bottom of stack */
		wr_u8(w, (uint8_t)(label >> 16));
		wr_u8(w, (uint8_t)(label >> 8));
		wr_u8(w, (uint8_t)label);
		if (safi == SAFI_MPLS_VPN)
			wr_u64(w, n->rd);
	}
	wr_bytes(w, n->pfx.b, (n->pfx.len + 7u) / 8);
	return (wr_ok(w) ? 0 : -1);
}
