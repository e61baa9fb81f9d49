/*
 * fanout.h -- the RIB's one listener slot shared by several consumers.
 *
 * The RIB tells a single listener of every change (rib_set_listener), and
 * builds that event only when someone listens.  Detection and the live
 * streams both want the events, each only some of the time: the fan-out
 * holds the slot on their behalf, calls every enabled consumer in the
 * order they were added, and takes the slot back from the RIB when none
 * is enabled, so a daemon with neither pays nothing per change.
 *
 * Everything here runs on the RIB writer's thread: consumers are added
 * and switched on and off there, and called there under the write lock.
 * A consumer that must be switched from another thread (a stream client
 * arriving on an HTTP thread) stays enabled and checks cheaply inside.
 */
#ifndef BGPLENS_FANOUT_H
#define BGPLENS_FANOUT_H

#include <stdbool.h>

#include "rib.h"

#define FANOUT_MAX	8

struct rib_fanout;

struct rib_fanout *rib_fanout_new(struct rib *);
/* Give the slot back to the RIB and free. */
void		 rib_fanout_free(struct rib_fanout *);
/* A consumer, disabled to begin with: its handle (>= 0), or -1 if full. */
int		 rib_fanout_add(struct rib_fanout *, rib_event_cb, void *);
void		 rib_fanout_enable(struct rib_fanout *, int handle, bool on);
bool		 rib_fanout_enabled(const struct rib_fanout *, int handle);
/* The listener itself (tests call it directly). */
int		 rib_fanout_event(void *, const struct rib_event *);

#endif /* BGPLENS_FANOUT_H */
