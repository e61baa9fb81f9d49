/*
 * evloop.c -- epoll and timers (see evloop.h).
 *
 * Timers are kept in an unsorted array and the next deadline found by a
 * scan: a collector has a few timers per peer (hold, keepalive, connect
 * retry), so even hundreds of peers make a short array, and insertion and
 * removal stay O(1) (swap with the last).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "evloop.h"

#define EV_BATCH	64

struct ev_deferred {
	void		(*fn)(void *);
	void		 *arg;
};

struct evloop {
	int		  epfd;
	struct ev_deferred *defer;
	int		  n_defer;
	int		  cap_defer;
	struct ev_timer	**timers;
	int		  n_timers;
	int		  cap_timers;
};

uint64_t
ev_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000);
}

uint64_t
ev_wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000);
}

struct evloop *
evloop_new(void)
{
	struct evloop *l;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return (NULL);
	if ((l->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		free(l);
		return (NULL);
	}
	return (l);
}

void
evloop_free(struct evloop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	free(l->timers);
	free(l->defer);
	free(l);
}

void
ev_io_init(struct ev_io *w, int fd, ev_io_cb cb, void *arg)
{
	memset(w, 0, sizeof(*w));
	w->fd = fd;
	w->cb = cb;
	w->arg = arg;
}

static uint32_t
ep_events(unsigned ev)
{
	return (((ev & EV_READ) ? EPOLLIN : 0) | ((ev & EV_WRITE) ?
	    EPOLLOUT : 0) | EPOLLRDHUP);
}

int
ev_io_start(struct evloop *l, struct ev_io *w, unsigned events)
{
	struct epoll_event e;

	memset(&e, 0, sizeof(e));
	e.events = ep_events(events);
	e.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, w->fd, &e) == -1)
		return (-1);
	w->events = events;
	w->active = true;
	return (0);
}

int
ev_io_set(struct evloop *l, struct ev_io *w, unsigned events)
{
	struct epoll_event e;

	if (!w->active)
		return (ev_io_start(l, w, events));
	if (w->events == events)
		return (0);
	memset(&e, 0, sizeof(e));
	e.events = ep_events(events);
	e.data.ptr = w;
	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, w->fd, &e) == -1)
		return (-1);
	w->events = events;
	return (0);
}

void
ev_io_stop(struct evloop *l, struct ev_io *w)
{
	if (!w->active)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->active = false;
}

void
ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *arg)
{
	t->due_ms = 0;
	t->cb = cb;
	t->arg = arg;
	t->idx = -1;
}

int
ev_timer_start(struct evloop *l, struct ev_timer *t, uint64_t ms)
{
	struct ev_timer **n;

	t->due_ms = ev_now_ms() + ms;
	if (t->idx >= 0)
		return (0);
	if (l->n_timers == l->cap_timers) {
		int cap = l->cap_timers ? l->cap_timers * 2 : 64;

		if ((n = realloc(l->timers, (size_t)cap * sizeof(*n))) == NULL)
			return (-1);
		l->timers = n;
		l->cap_timers = cap;
	}
	t->idx = l->n_timers;
	l->timers[l->n_timers++] = t;
	return (0);
}

void
ev_timer_stop(struct evloop *l, struct ev_timer *t)
{
	int i = t->idx;

	if (i < 0)
		return;
	l->timers[i] = l->timers[--l->n_timers];
	l->timers[i]->idx = i;
	t->idx = -1;
}

int
ev_defer(struct evloop *l, void (*fn)(void *), void *arg)
{
	struct ev_deferred *n;

	if (l->n_defer == l->cap_defer) {
		int cap = l->cap_defer ? l->cap_defer * 2 : 16;

		if ((n = realloc(l->defer, (size_t)cap * sizeof(*n))) == NULL)
			return (-1);
		l->defer = n;
		l->cap_defer = cap;
	}
	l->defer[l->n_defer].fn = fn;
	l->defer[l->n_defer].arg = arg;
	l->n_defer++;
	return (0);
}

static void
run_deferred(struct evloop *l)
{
	int i;

	/* A deferred function may defer more: those run in this pass too. */
	for (i = 0; i < l->n_defer; i++)
		l->defer[i].fn(l->defer[i].arg);
	l->n_defer = 0;
}

static int
next_timeout(struct evloop *l, int max_wait_ms)
{
	uint64_t	now = ev_now_ms();
	int		i, wait = max_wait_ms;

	for (i = 0; i < l->n_timers; i++) {
		uint64_t due = l->timers[i]->due_ms;

		if (due <= now)
			return (0);
		if (wait < 0 || due - now < (uint64_t)wait)
			wait = (int)(due - now);
	}
	return (wait);
}

static void
fire_timers(struct evloop *l)
{
	uint64_t	 now = ev_now_ms();
	struct ev_timer	*t;
	int		 i, fired = 0;

	/*
	 * A callback may start or stop timers, so restart the scan after
	 * each one; the bound keeps a timer that re-arms itself at 0 ms
	 * from spinning here forever.
	 */
	for (i = 0; i < l->n_timers && fired < 1024; ) {
		t = l->timers[i];
		if (t->due_ms > now) {
			i++;
			continue;
		}
		ev_timer_stop(l, t);
		t->cb(t);
		fired++;
		i = 0;
	}
}

int
evloop_run_once(struct evloop *l, int max_wait_ms)
{
	struct epoll_event	 ev[EV_BATCH];
	struct ev_io		*w;
	int			 n, i;
	unsigned		 what;

	n = epoll_wait(l->epfd, ev, EV_BATCH, next_timeout(l, max_wait_ms));
	if (n == -1 && errno != EINTR)
		return (-1);
	for (i = 0; i < n; i++) {
		w = ev[i].data.ptr;
		what = 0;
		if (ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP))
			what |= EV_READ;
		if (ev[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			what |= EV_WRITE;
		if (w->active)
			w->cb(w, what);
	}
	run_deferred(l);
	fire_timers(l);
	run_deferred(l);
	return (0);
}
