/*
 * fuzz_bgp_msg.c -- libFuzzer target for message framing, NOTIFICATION
 * (with the shutdown-communication formatter) and ROUTE-REFRESH.  The
 * first octet picks the maximum length (4096 or 65535); the rest is a
 * byte stream framed message after message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rd		r, body;
	struct bgp_hdr		h;
	struct bgp_err		e;
	struct bgp_notify	n;
	struct bgp_rrefresh	rr;
	struct wr		w;
	char			buf[512], small[40];
	size_t			max;
	size_t			i;

	if (size < 1)
		return (0);
	max = (data[0] & 1) ? BGP_EXT_MAX_LEN : BGP_MAX_LEN;
	rd_init(&r, data + 1, size - 1);
	for (;;) {
		bgp_err_clear(&e);
		if (bgp_hdr_parse(&r, max, &h, &body, &e) != 0) {
			if (e.verdict != BGP_SESSION_RESET ||
			    e.code != ERR_HEADER)
				abort();
			break;
		}
		if (h.len < BGP_HDR_LEN || h.len > max ||
		    rd_left(&body) != h.len - BGP_HDR_LEN)
			abort();
		bgp_msg_type_name(h.type);
		wr_init(&w, 64, BGP_EXT_MAX_LEN);
		switch (h.type) {
		case BGP_NOTIFICATION:
			if (bgp_notify_decode(&body, &n) != 0)
				abort();
			bgp_notify_fmt(&n, buf, sizeof(buf));
			bgp_notify_fmt(&n, small, sizeof(small));
			for (i = 0; buf[i] != '\0'; i++)
				if ((unsigned char)buf[i] < 0x20 ||
				    buf[i] == 0x7f)
					abort();	/* log injection */
			if (bgp_notify_encode(&w, n.code, n.subcode, n.data,
			    n.data_len) != 0 || wr_len(&w) != h.len)
				abort();
			break;
		case BGP_ROUTE_REFRESH:
			if (bgp_rrefresh_decode(&body, &rr) == 0) {
				if (bgp_rrefresh_encode(&w, &rr) != 0 ||
				    wr_len(&w) + rr.orf_len != h.len)
					abort();
			}
			break;
		case BGP_KEEPALIVE:
			if (h.len != BGP_HDR_LEN)
				abort();
			bgp_keepalive_encode(&w);
			break;
		}
		wr_free(&w);
	}
	return (0);
}
