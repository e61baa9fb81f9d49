/*
 * rib_fanout.c -- one RIB listener slot, several consumers (fanout.h).
 */
#include <stdlib.h>

#include "fanout.h"

struct consumer {
	rib_event_cb	 fn;
	void		*arg;
	bool		 on;
};

struct rib_fanout {
	struct rib	*rib;
	struct consumer	 c[FANOUT_MAX];
	int		 n;
	int		 n_on;
};

struct rib_fanout *
rib_fanout_new(struct rib *rib)
{
	struct rib_fanout *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return (NULL);
	f->rib = rib;
	return (f);
}

void
rib_fanout_free(struct rib_fanout *f)
{
	if (f == NULL)
		return;
	if (f->n_on > 0)
		rib_set_listener(f->rib, NULL, NULL);
	free(f);
}

int
rib_fanout_add(struct rib_fanout *f, rib_event_cb fn, void *arg)
{
	if (f->n == FANOUT_MAX)
		return (-1);
	f->c[f->n].fn = fn;
	f->c[f->n].arg = arg;
	f->c[f->n].on = false;
	return (f->n++);
}

void
rib_fanout_enable(struct rib_fanout *f, int h, bool on)
{
	if (h < 0 || h >= f->n || f->c[h].on == on)
		return;
	f->c[h].on = on;
	f->n_on += on ? 1 : -1;
	/* The slot is held only while someone listens (see fanout.h). */
	if (on && f->n_on == 1)
		rib_set_listener(f->rib, rib_fanout_event, f);
	else if (!on && f->n_on == 0)
		rib_set_listener(f->rib, NULL, NULL);
}

bool
rib_fanout_enabled(const struct rib_fanout *f, int h)
{
	return (h >= 0 && h < f->n && f->c[h].on);
}

/*
 * Every enabled consumer sees every event, whatever another returns: one
 * consumer's trouble is not the others' business.
 */
int
rib_fanout_event(void *arg, const struct rib_event *ev)
{
	struct rib_fanout	*f = arg;
	int			 i;

	for (i = 0; i < f->n; i++)
		if (f->c[i].on)
			f->c[i].fn(f->c[i].arg, ev);
	return (0);
}
