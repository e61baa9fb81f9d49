/*
 * archive.h -- the MRT update log of bgplensd, written the way RouteViews
 * and RIS write theirs: DATA/YYYY.MM/updates.YYYYMMDD.HHMM.bz2 (or .gz),
 * one file per period (15 minutes by default) on wall-clock boundaries,
 * every BGP message received and every session state change as
 * BGP4MP_ET records (MESSAGE_AS4, MESSAGE_AS4_ADDPATH, STATE_CHANGE_AS4).
 *
 * Ingest only appends records to a bounded memory buffer; a writer
 * thread writes them and a compressor thread compresses finished periods,
 * so neither disk nor compression runs on the ingest path.  Durability:
 *  - a period's records go to a hidden raw file (".updates....PID.raw")
 *    fsync'd every flush interval, so a crash loses at most that interval;
 *  - at the end of the period the raw file is compressed into a part
 *    file, fsync'd, renamed to its final name and the directory fsync'd:
 *    a final name only ever holds a complete, valid file;
 *  - on start, raw files left by a crash are compressed the same way
 *    (complete records only; with a .N suffix when the name is taken),
 *    never overwriting anything;
 *  - when the disk is full or the directory unwritable, records are
 *    counted as dropped, a line is logged, sessions stay up, and writing
 *    resumes with the next period once space returns.
 */
#ifndef BGPLENS_ARCHIVE_H
#define BGPLENS_ARCHIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "prefix.h"

enum archive_comp {
	ARCHIVE_BZIP2 = 0,
	ARCHIVE_GZIP,
	ARCHIVE_NONE,
};

struct archive_conf {
	char		 dir[256];
	unsigned	 period_s;	/* rotation, default 900 */
	unsigned	 flush_ms;	/* default 1000 */
	enum archive_comp comp;
	size_t		 max_buffer;	/* bytes waiting; beyond: dropped */
	unsigned	 retention_days;	/* 0 = keep forever */
};

struct archive_stats {
	uint64_t	records;	/* accepted */
	uint64_t	bytes;		/* uncompressed, written */
	uint64_t	dropped;	/* records lost (buffer full, disk) */
	uint64_t	files;		/* completed */
	uint64_t	write_errors;
	uint64_t	recovered;	/* files recovered at start */
	char		current[300];	/* file being written */
	char		last_error[256];
};

struct archive;

struct archive	*archive_open(const struct archive_conf *);
/* End the current file properly (rename to final name) and stop. */
void		 archive_close(struct archive *);

/* One BGP message as received (header included), at time us. */
void	archive_message(struct archive *, uint64_t us, bool addpath,
	    uint32_t peer_as, uint32_t local_as, const struct addr *peer,
	    const struct addr *local, const uint8_t *msg, size_t len);
/* A session state change (RFC 4271 FSM states 1-6). */
void	archive_state(struct archive *, uint64_t us, uint32_t peer_as,
	    uint32_t local_as, const struct addr *peer,
	    const struct addr *local, uint16_t old_state, uint16_t new_state);
void	archive_stats(struct archive *, struct archive_stats *);
/* Write now what is buffered (tests, shutdown). */
void	archive_sync(struct archive *);

/*
 * RIB snapshots (TABLE_DUMP_V2): a PEER_INDEX_TABLE of every source, then
 * one RIB record per prefix and family; routes with ADD-PATH path ids go
 * into the RFC 8050 _ADDPATH records.  rib_write_mrt() writes one file
 * (part file, fsync, rename): the caller holds the RIB read lock, or is a
 * fork()ed child, which sees the RIB as of the fork whatever the parent
 * does next.  archive_rib_snapshot() is that: it forks, the child writes
 * DATA/YYYY.MM/rib.YYYYMMDD.HHMM.bz2 and exits; it returns the child's
 * pid (the caller reaps it) or -1.  Call it between ingest batches.
 */
struct rib;

int	rib_write_mrt(struct rib *, const char *path, enum archive_comp,
	    uint32_t ts);
pid_t	archive_rib_snapshot(struct rib *, const struct archive_conf *,
	    uint64_t now_s, char *path, size_t len);

/* Final file name of the period starting at t (for tests and the API). */
void	archive_path(const struct archive_conf *, const char *kind,
	    uint64_t t, unsigned seq, char *buf, size_t len);

#endif /* BGPLENS_ARCHIVE_H */
