/*
 * rib_load.h -- MRT into the RIB: RIB dumps (TABLE_DUMP, TABLE_DUMP_V2,
 * ADD-PATH subtypes included) and update files (BGP4MP messages and state
 * changes), applied in order, history included.  Used by "bgplens
 * rib-load" and by bgplensd's warm start (archive_warm_start()).
 */
#ifndef BGPLENS_RIB_LOAD_H
#define BGPLENS_RIB_LOAD_H

#include <stdint.h>

struct rib;
struct rib_loader;

struct rib_load_stats {
	uint64_t	rib_entries;
	uint64_t	messages;	/* UPDATEs applied */
	uint64_t	announces;
	uint64_t	withdrawals;
	uint64_t	treat_as_withdraw;
	uint64_t	states;		/* state changes applied */
	uint64_t	skipped;	/* records before the start time */
	uint64_t	errors;
	uint32_t	dump_ts;	/* of the last RIB dump's peer index */
};

/*
 * RIB_LOAD_STALE: a session leaving Established marks its routes stale
 * rather than withdrawing them, and its coming back withdraws those not
 * announced again by then.  For a warm start: the end of a log is the
 * collector's own stop, not the peers withdrawing anything.
 */
#define RIB_LOAD_STALE	0x01

typedef void (*rib_load_err_fn)(void *arg, const char *file, uint64_t off,
    const char *msg);

/* The caller holds the RIB's write lock from here to rib_loader_free(). */
struct rib_loader *rib_loader_new(struct rib *, unsigned flags,
		    rib_load_err_fn, void *arg);
/*
 * Called after each RIB entry and UPDATE applied, with the record's time
 * in microseconds: "bgplens detect" runs the alert engine's timers on the
 * files' own clock this way.
 */
typedef void (*rib_load_rec_fn)(void *arg, uint64_t us);
void		 rib_loader_on_record(struct rib_loader *, rib_load_rec_fn,
		    void *arg);
/* Update and state records before ts (unix seconds) are skipped. */
void		 rib_loader_since(struct rib_loader *, uint32_t ts);
/* Load one file; -1 (with err) when it cannot be opened. */
int		 rib_loader_file(struct rib_loader *, const char *path,
		    char *err, size_t errlen);
void		 rib_loader_stats(const struct rib_loader *,
		    struct rib_load_stats *);
void		 rib_loader_free(struct rib_loader *);

#endif /* BGPLENS_RIB_LOAD_H */
