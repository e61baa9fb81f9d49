/*
 * mrt.h -- reading MRT files (RFC 6396, RFC 8050) and the "bgplens mrt"
 * command built on it.
 *
 * Three layers, each usable alone:
 *
 *   input   mrt_in_*: open a file (plain, gzip or bzip2, told apart by its
 *           magic bytes), stream it in constant memory and cut it into
 *           records.  Each record carries the byte offset of its header in
 *           the decompressed stream, so every problem can be reported as
 *           "file, offset".  After a corrupt header the input scans forward
 *           for the next place where several plausible records chain.
 *
 *   reader  mrt_reader_*: decode records into peers, RIB entries, BGP
 *           messages and state changes, and hand them to callbacks.  BGP
 *           messages and attribute blocks are decoded by the codec of
 *           bgp.h with what the MRT subtype says was negotiated; nothing
 *           is allocated per record.
 *
 *   command cmd_mrt(): "bgplens mrt [-m|-M|--json|--stats] FILE...".
 */
#ifndef BGPLENS_MRT_H
#define BGPLENS_MRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "bgp.h"
#include "prefix.h"

/* MRT types (RFC 6396 4, and the legacy ones of its appendix). */
#define MRT_NULL		0
#define MRT_START		1
#define MRT_DIE			2
#define MRT_I_AM_DEAD		3
#define MRT_PEER_DOWN		4
#define MRT_BGP			5	/* legacy, deprecated */
#define MRT_RIP			6
#define MRT_IDRP		7
#define MRT_RIPNG		8
#define MRT_BGP4PLUS		9
#define MRT_BGP4PLUS_01		10
#define MRT_OSPFV2		11
#define MRT_TABLE_DUMP		12
#define MRT_TABLE_DUMP_V2	13
#define MRT_BGP4MP		16
#define MRT_BGP4MP_ET		17
#define MRT_ISIS		32
#define MRT_ISIS_ET		33
#define MRT_OSPFV3		48
#define MRT_OSPFV3_ET		49

/* TABLE_DUMP subtypes are the AFI; 3 and 4 are bgpdump's 4-octet AS. */
#define TD_AFI_IPV4		1
#define TD_AFI_IPV6		2
#define TD_AFI_IPV4_AS4		3
#define TD_AFI_IPV6_AS4		4

/* TABLE_DUMP_V2 subtypes (RFC 6396 4.3, RFC 8050 4.1). */
#define TD2_PEER_INDEX_TABLE		1
#define TD2_RIB_IPV4_UNICAST		2
#define TD2_RIB_IPV4_MULTICAST		3
#define TD2_RIB_IPV6_UNICAST		4
#define TD2_RIB_IPV6_MULTICAST		5
#define TD2_RIB_GENERIC			6
#define TD2_GEO_PEER_TABLE		7
#define TD2_RIB_IPV4_UNICAST_ADDPATH	8
#define TD2_RIB_IPV4_MULTICAST_ADDPATH	9
#define TD2_RIB_IPV6_UNICAST_ADDPATH	10
#define TD2_RIB_IPV6_MULTICAST_ADDPATH	11
#define TD2_RIB_GENERIC_ADDPATH		12

/* BGP4MP and BGP4MP_ET subtypes (RFC 6396 4.4, RFC 8050 4.2). */
#define BGP4MP_STATE_CHANGE		0
#define BGP4MP_MESSAGE			1
#define BGP4MP_ENTRY			2	/* deprecated */
#define BGP4MP_SNAPSHOT			3	/* deprecated */
#define BGP4MP_MESSAGE_AS4		4
#define BGP4MP_STATE_CHANGE_AS4		5
#define BGP4MP_MESSAGE_LOCAL		6
#define BGP4MP_MESSAGE_AS4_LOCAL	7
#define BGP4MP_MESSAGE_ADDPATH		8
#define BGP4MP_MESSAGE_AS4_ADDPATH	9
#define BGP4MP_MESSAGE_LOCAL_ADDPATH	10
#define BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH 11

/* Legacy type 5 (BGP) subtypes. */
#define MRTBGP_NULL			0
#define MRTBGP_UPDATE			1
#define MRTBGP_PREF_UPDATE		2
#define MRTBGP_STATE_CHANGE		3
#define MRTBGP_SYNC			4
#define MRTBGP_OPEN			5
#define MRTBGP_NOTIFY			6
#define MRTBGP_KEEPALIVE		7

#define MRT_HDR_LEN		12
#define MRT_ET_HDR_LEN		16
/*
 * Largest record body accepted.  Real RIB records pass 64 KiB (a prefix
 * seen by many peers); anything near this bound is a corrupt length.
 */
#define MRT_MAX_REC_LEN		(64u << 20)

const char	*mrt_type_name(uint16_t type);
/* "RIB_IPV4_UNICAST", "MESSAGE_AS4", ... or NULL when unknown. */
const char	*mrt_subtype_name(uint16_t type, uint16_t subtype);

/*
 * Input.
 */
enum mrt_comp {
	MRT_COMP_NONE = 0,
	MRT_COMP_GZIP,
	MRT_COMP_BZIP2,
};

struct mrt_rec {
	uint64_t	 offset;	/* of the header, in the decompressed stream */
	uint32_t	 ts;		/* seconds since the epoch */
	uint32_t	 usec;		/* _ET types only, else 0 */
	uint16_t	 type;
	uint16_t	 subtype;
	uint32_t	 len;		/* body length (ET microseconds excluded) */
	const uint8_t	*body;		/* valid until the next mrt_in_next() */
};

enum mrt_in_status {
	MRT_IN_EOF = 0,
	MRT_IN_RECORD = 1,
	MRT_IN_ERROR = -1,	/* see mrt_in_error(); calling again goes on */
};

struct mrt_in;

/*
 * Open path ("-" is standard input).  On failure returns NULL and writes
 * the reason into err.
 */
struct mrt_in	*mrt_in_open(const char *path, char *err, size_t errlen);
/*
 * Over a buffer in memory (tests, fuzzing); the buffer must outlive it.
 * bzip2 is decoded on the calling thread here.
 */
struct mrt_in	*mrt_in_open_mem(const void *buf, size_t len, const char *name);
void		 mrt_in_close(struct mrt_in *);
/*
 * At most max bytes out of a compressed input, then an error and the end
 * (0: no bound).  Opening sets 200 times the compressed size, at least
 * 1 GiB, for regular files and memory; pipes have no bound.
 */
void		 mrt_in_set_max_bytes(struct mrt_in *, uint64_t max);
enum mrt_in_status mrt_in_next(struct mrt_in *, struct mrt_rec *);
/* The problem behind the last MRT_IN_ERROR, and where it was. */
const char	*mrt_in_error(const struct mrt_in *, uint64_t *offset);
/*
 * Tell the input the record just returned did not decode.  If the next
 * header does not look right either, the length of this one was probably
 * wrong (a torn write), and the resynchronisation scan starts right after
 * the last good record instead of after this one.
 */
void		 mrt_in_mark_bad(struct mrt_in *);
enum mrt_comp	 mrt_in_compression(const struct mrt_in *);
const char	*mrt_in_name(const struct mrt_in *);
uint64_t	 mrt_in_bytes(const struct mrt_in *);	/* decompressed so far */
uint64_t	 mrt_in_skipped(const struct mrt_in *);	/* lost to resync */

/*
 * Parallel bzip2 decoding for the input (mrt_pbzip2.c): compressed bytes
 * come from in_fn; decompressed ones go out in order, 0 at the end, and
 * pbz_error() then says whether the end was clean ("").
 */
struct pbz;

struct pbz	*pbz_open(ssize_t (*in_fn)(void *, uint8_t *, size_t),
		    void *in_arg, unsigned workers);
ssize_t		 pbz_read(struct pbz *, uint8_t *, size_t);
const char	*pbz_error(const struct pbz *);
void		 pbz_close(struct pbz *);

/*
 * Reader.
 */
struct mrt_peer {
	uint32_t	bgp_id;		/* host order */
	struct addr	ip;
	uint32_t	asn;
	uint8_t		type;		/* PEER_INDEX_TABLE peer type bits */
};

struct mrt_peer_index {
	uint32_t	 collector_id;	/* host order */
	char		 view[256];	/* truncated to fit, NUL-terminated */
	uint16_t	 n_peers;
	struct mrt_peer	*peers;
};

/* What every callback gets about the record it comes from. */
struct mrt_ctx {
	const char	*file;
	uint64_t	 offset;
	uint32_t	 ts;
	uint32_t	 usec;
	uint16_t	 type;
	uint16_t	 subtype;
	bool		 et;		/* record has microseconds */
};

/* One route of a RIB dump: TABLE_DUMP, or one entry of a TD2 record. */
struct mrt_rib {
	uint32_t		 seq;
	uint16_t		 afi;
	uint8_t			 safi;
	struct nlri		 nlri;		/* prefix (masked), path id, RD */
	bool			 addpath;	/* nlri.path_id is meaningful */
	uint16_t		 entry;		/* index in its record */
	uint16_t		 n_entries;
	uint16_t		 peer_index;	/* TD2 */
	const struct mrt_peer	*peer;
	uint32_t		 originated;
	uint16_t		 view;		/* TABLE_DUMP */
	uint8_t			 status;	/* TABLE_DUMP */
	const uint8_t		*attrs;		/* raw attribute block */
	uint16_t		 attrs_len;
	/* Decoded attributes; NULL when the reader runs without them. */
	const struct bgp_update	*u;
	enum bgp_verdict	 verdict;
};

/* One BGP message: BGP4MP(_ET) MESSAGE* or a legacy type 5 message. */
struct mrt_msg {
	struct addr		 peer_ip;
	struct addr		 local_ip;
	uint32_t		 peer_as;
	uint32_t		 local_as;
	uint16_t		 ifindex;
	uint16_t		 afi;		/* of the addresses */
	bool			 as4;
	bool			 addpath;	/* an *_ADDPATH subtype */
	bool			 nlri_addpath;	/* NLRI carry path ids */
	bool			 local;		/* sent by the collector */
	bool			 legacy;	/* type 5: no BGP header */
	uint8_t			 bgp_type;	/* BGP_UPDATE, ... */
	uint16_t		 bgp_len;	/* from the header (legacy: body) */
	const uint8_t		*body;		/* after the 19-octet header */
	size_t			 body_len;	/* may be short of bgp_len - 19 */
	struct bgp_neg		 neg;
	/* UPDATE decoded, NULL otherwise or without attributes. */
	const struct bgp_update	*u;
	enum bgp_verdict	 verdict;
	/*
	 * With a session-reset verdict: the attributes were decoded alone
	 * and the NLRI fields located, so the prefixes before the broken
	 * one can still be walked.
	 */
	bool			 salvaged;
};

struct mrt_state {
	struct addr	peer_ip;
	struct addr	local_ip;
	uint32_t	peer_as;
	uint32_t	local_as;
	uint16_t	afi;
	uint16_t	old_state;
	uint16_t	new_state;
	bool		as4;
	bool		legacy;
	bool		short_form;	/* 8-octet Zebra record: no addresses */
};

/*
 * The callbacks; any may be NULL.  on_record sees every framed record
 * before it is decoded; on_error gets the problems of the input and of
 * the decoding, with the offset of the record involved.
 */
struct mrt_handlers {
	void	(*on_record)(void *, const struct mrt_ctx *, uint32_t len);
	void	(*on_peer_index)(void *, const struct mrt_ctx *,
		    const struct mrt_peer_index *);
	void	(*on_rib_entry)(void *, const struct mrt_ctx *,
		    const struct mrt_rib *);
	void	(*on_message)(void *, const struct mrt_ctx *,
		    const struct mrt_msg *);
	void	(*on_state)(void *, const struct mrt_ctx *,
		    const struct mrt_state *);
	void	(*on_unsupported)(void *, const struct mrt_ctx *);
	void	(*on_error)(void *, const char *file, uint64_t offset,
		    const char *msg);
	void	*arg;
};

/* Reader flags. */
#define MRT_RD_NO_ATTRS		0x01	/* frame and count, do not decode BGP */

struct mrt_reader;

struct mrt_reader *mrt_reader_new(const struct mrt_handlers *, unsigned flags);
void		 mrt_reader_free(struct mrt_reader *);
/*
 * Read a whole input, calling back for everything in it.  Returns the
 * number of problems reported (0 = clean).  The peer index of a previous
 * input is forgotten.
 */
unsigned	 mrt_reader_run(struct mrt_reader *, struct mrt_in *);
/* Decode one framed record (the input layer is not needed). */
int		 mrt_reader_record(struct mrt_reader *, const char *file,
		    const struct mrt_rec *);

/*
 * Output.  struct obuf is a large write buffer over a file descriptor:
 * lines are built in place (obuf_reserve, then obuf_commit), and nothing
 * is written until the buffer is full, so printing costs one write(2)
 * per megabyte.
 */
struct obuf {
	int	 fd;
	char	*buf;
	size_t	 len;
	size_t	 cap;
	int	 err;		/* errno of the first failed write */
};

int	obuf_init(struct obuf *, int fd, size_t cap);
void	obuf_free(struct obuf *);
int	obuf_flush(struct obuf *);
/* Room for n more bytes (n <= cap), flushing if needed. */
char	*obuf_room(struct obuf *, size_t n);
void	obuf_write(struct obuf *, const void *, size_t);

static inline char *
obuf_reserve(struct obuf *o, size_t n)
{
	if (o->cap - o->len >= n)
		return (o->buf + o->len);
	return (obuf_room(o, n));
}

static inline void
obuf_commit(struct obuf *o, const char *end)
{
	o->len = (size_t)(end - o->buf);
}

/*
 * The printers behind "bgplens mrt", one per output mode.  Each fills in
 * the callbacks of a struct mrt_handlers (all but on_error) and writes to
 * an obuf.  file_done is called after each input, finish after the last.
 */
enum mrt_mode {
	MRT_MODE_M,		/* bgpdump -m */
	MRT_MODE_MM,		/* bgpdump -M */
	MRT_MODE_JSON,
	MRT_MODE_STATS,
};

struct mrt_printer {
	void	*(*create)(struct obuf *, enum mrt_mode);
	void	 (*handlers)(void *, struct mrt_handlers *);
	unsigned reader_flags;
	void	 (*file_done)(void *, struct mrt_in *, unsigned errors);
	void	 (*finish)(void *);
	void	 (*destroy)(void *);
};

extern const struct mrt_printer mrt_printer_bgpdump;
extern const struct mrt_printer mrt_printer_json;
extern const struct mrt_printer mrt_printer_stats;

/* bgpdump's address formats (its IPv6 form is not inet_ntop's). */
char		*bd_fmt_v4(char *, const uint8_t *);
char		*bd_fmt_v6(char *, const uint8_t *);
char		*bd_fmt_u32(char *, uint32_t);

/* The "bgplens mrt" command. */
int		 cmd_mrt(int argc, char **argv);

#endif /* BGPLENS_MRT_H */
