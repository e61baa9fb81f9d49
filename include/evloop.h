/*
 * evloop.h -- the daemon's one event loop: epoll for sockets, monotonic
 * timers, and a work budget per turn so one busy source cannot starve
 * the others.
 *
 * Watchers and timers are embedded in their owner's structures (no
 * allocation per registration).  Callbacks may add, change and remove
 * watchers and timers, their own included.
 */
#ifndef BGPLENS_EVLOOP_H
#define BGPLENS_EVLOOP_H

#include <stdbool.h>
#include <stdint.h>

#define EV_READ		0x01
#define EV_WRITE	0x02

struct evloop;
struct ev_io;
struct ev_timer;

typedef void (*ev_io_cb)(struct ev_io *, unsigned events);
typedef void (*ev_timer_cb)(struct ev_timer *);

struct ev_io {
	int		 fd;
	unsigned	 events;	/* registered interest */
	ev_io_cb	 cb;
	void		*arg;
	bool		 active;
};

struct ev_timer {
	uint64_t	 due_ms;	/* monotonic */
	ev_timer_cb	 cb;
	void		*arg;
	int		 idx;		/* in the loop's array, -1 = stopped */
};

struct evloop	*evloop_new(void);
void		 evloop_free(struct evloop *);
/* Monotonic milliseconds. */
uint64_t	 ev_now_ms(void);
/* Wall-clock microseconds since the epoch. */
uint64_t	 ev_wall_us(void);

void	ev_io_init(struct ev_io *, int fd, ev_io_cb, void *arg);
int	ev_io_start(struct evloop *, struct ev_io *, unsigned events);
int	ev_io_set(struct evloop *, struct ev_io *, unsigned events);
void	ev_io_stop(struct evloop *, struct ev_io *);

void	ev_timer_init(struct ev_timer *, ev_timer_cb, void *arg);
/* (Re)arm to fire once, ms from now. */
int	ev_timer_start(struct evloop *, struct ev_timer *, uint64_t ms);
void	ev_timer_stop(struct evloop *, struct ev_timer *);
static inline bool
ev_timer_active(const struct ev_timer *t)
{
	return (t->idx >= 0);
}

/*
 * Run fn(arg) after the current turn's callbacks: how an owner frees a
 * structure holding a watcher that may still have an event pending in
 * this turn's batch.
 */
int	ev_defer(struct evloop *, void (*fn)(void *), void *arg);

/*
 * One turn: wait for sockets (at most max_wait_ms, less if a timer is
 * due sooner), dispatch them, then fire due timers.  Returns -1 only on
 * an epoll failure.
 */
int	evloop_run_once(struct evloop *, int max_wait_ms);

#endif /* BGPLENS_EVLOOP_H */
