/*
 * archived.h -- bgplensd's side of the MRT archive (archive.h is the
 * writer): it opens the update log and hands it to the BGP sessions and
 * the BMP station, takes RIB snapshots on wall-clock multiples of
 * archive.rib_interval in a fork()ed child (SIGUSR1 asks for one now),
 * reaps that child without blocking the loop, deletes files past
 * archive.retention_days, and lists the archive for the looking glass.
 *
 * Runs on the event loop's thread; archived_stats() and archived_list()
 * may be called from any thread.
 */
#ifndef BGPLENS_ARCHIVED_H
#define BGPLENS_ARCHIVED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "archive.h"

struct conf;
struct evloop;
struct rib;
struct bgpd;
struct bmp_station;
struct archived;

struct archived	*archived_start(const struct conf *, struct evloop *,
		    struct rib *, struct bgpd *, struct bmp_station *);
/* Detach from the sessions, end the current file, wait for a snapshot. */
void		 archived_stop(struct archived *);
/* A RIB snapshot now (SIGUSR1); refused while one is running. */
int		 archived_snapshot_now(struct archived *);

struct archived_stats {
	bool		enabled;
	struct archive_stats a;
	uint64_t	snapshots;		/* written */
	uint64_t	snapshot_failures;
	bool		snapshot_running;
	char		last_snapshot[300];	/* path, "" = none yet */
	uint64_t	last_snapshot_at;	/* wall-clock seconds */
	uint64_t	last_snapshot_ms;	/* fork to exit */
	uint64_t	last_snapshot_bytes;
	uint64_t	retention_deleted;
};
void		 archived_stats(struct archived *, struct archived_stats *);

/* One archive file, as the names say (archive_name_parse()). */
enum archive_kind {
	ARCHIVE_KIND_UPDATES = 0,
	ARCHIVE_KIND_RIB,
};

struct archive_file {
	enum archive_kind kind;
	char		name[64];	/* updates.20260101.0015.bz2 */
	char		month[8];	/* 2026.01: its directory */
	uint64_t	start;		/* period start, wall-clock seconds */
	uint64_t	size;
	uint64_t	mtime;
};

/*
 * Parse a final archive name: (updates|rib).YYYYMMDD.HHMM[.N][.bz2|.gz].
 * Temporary and part files, and anything else, do not parse.
 */
int	archive_name_parse(const char *name, enum archive_kind *,
	    uint64_t *start);
/*
 * Every archive file under dir (in its YYYY.MM directories), newest
 * period first.  The caller frees *out.  -1 if dir cannot be read.
 */
int	archive_list(const char *dir, struct archive_file **out, size_t *n);
/* The directory the daemon archives to (for the looking glass). */
const char *archived_dir(const struct archived *);

/*
 * Warm start: load the latest RIB snapshot under dir, then the update
 * records from its instant on (files of period seconds), into rib: routes
 * and history.  What is loaded is marked stale: each session's first
 * End-of-RIB after the start withdraws what its peer does not announce
 * again.  Logs what it loaded and how long it took; returns the number of
 * files loaded, -1 when there was nothing to load.
 */
int	archive_warm_start(const char *dir, uint32_t period, struct rib *);

#endif /* BGPLENS_ARCHIVED_H */
