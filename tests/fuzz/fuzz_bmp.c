/*
 * fuzz_bmp.c -- libFuzzer target for the BMP station's input path: the
 * stream reassembler, the message parser and the per-router state feeding
 * a RIB, as bgplensd runs them on bytes from a router.
 *
 * The first octet picks how the rest is cut into reads (1 to 256 octets,
 * or all at once) and whether reads are copied in (msgbuf_feed) or read
 * in place (msgbuf_space/commit).  Every whole message goes to a struct
 * bmp_router over a real RIB; the session then ends and must leave the
 * RIB sound with no route of the router in it.  The input is also parsed
 * as one message.  The RIB is made anew every few thousand inputs so
 * sources do not pile up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bmp.h"
#include "msgbuf.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct rib	*rib;
static unsigned		 runs;
static struct bmp_msg	*one;

static long
len_fn(const uint8_t *hdr, size_t max, char *err, size_t errlen)
{
	struct bmp_err	e;
	long		l = bmp_hdr_len(hdr, max, &e);

	if (l == -1)
		strncpy(err, e.reason, errlen - 1);
	return (l);
}

static void
rib_fresh(void)
{
	struct rib_config rc = { 20000, 0, 65000, 0 };

	if (rib != NULL)
		rib_free(rib);
	if ((rib = rib_new(&rc)) == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msgbuf		 mb;
	struct bmp_router	*r;
	struct bmp_router_info	 ri;
	struct bmp_err		 e;
	struct rib_stats	 st;
	struct addr		 a;
	const uint8_t		*msg;
	uint8_t			*p;
	size_t			 pos = 0, chunk, len, room;
	uint8_t			 opt;
	int			 rv;

	if (rib == NULL || ++runs % 4096 == 0)
		rib_fresh();
	if (one == NULL && (one = malloc(sizeof(*one))) == NULL)
		abort();
	if (size < 1)
		return (0);
	opt = data[0];
	data++;
	size--;
	(void)bmp_parse(data, size, one, &e);

	addr_parse("192.0.2.250", &a);
	if ((r = bmp_router_new(rib, &a, 1790)) == NULL)
		abort();
	if (msgbuf_init(&mb, BMP_HDR_LEN, BMP_MAX_LEN, 512, len_fn) == -1)
		abort();
	rib_wrlock(rib);
	while (pos < size) {
		chunk = (opt & 0x80) ? size - pos : (size_t)(opt & 0x7f) + 1;
		if (chunk > size - pos)
			chunk = size - pos;
		if (opt & 0x40) {
			if ((p = msgbuf_space(&mb, chunk, &room)) == NULL)
				break;		/* framing error */
			if (room == 0)
				abort();
			if (chunk > room)
				chunk = room;
			memcpy(p, data + pos, chunk);
			msgbuf_commit(&mb, chunk);
		} else if (msgbuf_feed(&mb, data + pos, chunk) == -1)
			abort();
		pos += chunk;
		while ((rv = msgbuf_next(&mb, &msg, &len)) == 1) {
			if (len < BMP_HDR_LEN || len > BMP_MAX_LEN)
				abort();
			e.reason[0] = '\0';
			if (bmp_router_input(r, msg, len, 1000000, &e) == -1 &&
			    e.reason[0] == '\0')
				abort();	/* an error always says why */
		}
		if (rv == -1)
			break;
	}
	if (bmp_router_info(r, &ri) == 0)
		free(ri.peers);
	bmp_router_down(r, 2000000);
	if (rib_check(rib) != NULL)
		abort();
	rib_unlock(rib);
	/* Nothing of the router may be left: it was the only writer. */
	rib_rdlock(rib);
	rib_stats(rib, &st);
	rib_unlock(rib);
	if (st.routes != 0)
		abort();
	bmp_router_free(r);
	msgbuf_free(&mb);
	return (0);
}
