/*
 * lg_rate.c -- per-client rate limit: a token bucket per address.
 *
 * A client (an IPv4 address, or an IPv6 /64: one host usually holds a
 * whole /64, so per-address buckets would be free for the asking) may
 * make `burst' requests at once and `rate' a second after that.
 *
 * The buckets live in a fixed table, 4-way set associative, so memory
 * never grows with the number of clients.  When a set is full the bucket
 * that has refilled most is given up: a full bucket behaves exactly like
 * a new one, so evicting it changes nobody's answer.  Only a flood of
 * distinct clients into one set can push out a client still being
 * limited; the set index is a keyed hash (random key per process) so the
 * addresses that collide cannot be chosen from outside.
 */
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "lg_int.h"

#define RATE_SETS	1024		/* power of two */
#define RATE_WAYS	4

struct bucket {
	uint8_t		key[8];
	uint8_t		klen;		/* 0 = free */
	double		tokens;
	uint64_t	t_us;		/* when tokens was right */
};

struct rset {
	pthread_mutex_t	lock;
	struct bucket	b[RATE_WAYS];
};

struct lg_rate {
	double		rate;		/* tokens a second */
	double		burst;		/* bucket size */
	uint64_t	hkey[2];
	struct rset	sets[RATE_SETS];
};

struct lg_rate *
lg_rate_new(double per_second, double burst)
{
	struct lg_rate	*r;
	size_t		 i;

	if (per_second <= 0 || (r = calloc(1, sizeof(*r))) == NULL)
		return (NULL);
	r->rate = per_second;
	r->burst = burst >= 1 ? burst : (per_second * 2 >= 1 ?
	    per_second * 2 : 1);
	if (getrandom(r->hkey, sizeof(r->hkey), 0) != sizeof(r->hkey)) {
		r->hkey[0] = (uint64_t)(uintptr_t)r;
		r->hkey[1] = 0x9e3779b97f4a7c15ULL;
	}
	for (i = 0; i < RATE_SETS; i++)
		pthread_mutex_init(&r->sets[i].lock, NULL);
	return (r);
}

void
lg_rate_free(struct lg_rate *r)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < RATE_SETS; i++)
		pthread_mutex_destroy(&r->sets[i].lock);
	free(r);
}

/* The bucket key of a client: 4 bytes of IPv4, 8 of IPv6 (the /64). */
static size_t
client_key(const struct sockaddr *sa, uint8_t key[8])
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };
	const struct sockaddr_in6	*s6;

	if (sa == NULL)
		return (0);
	if (sa->sa_family == AF_INET) {
		memcpy(key, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return (4);
	}
	if (sa->sa_family != AF_INET6)
		return (0);
	s6 = (const struct sockaddr_in6 *)sa;
	if (memcmp(s6->sin6_addr.s6_addr, mapped, 12) == 0) {
		memcpy(key, s6->sin6_addr.s6_addr + 12, 4);
		return (4);
	}
	memcpy(key, s6->sin6_addr.s6_addr, 8);
	return (8);
}

static uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return (x ^ (x >> 31));
}

static size_t
set_of(const struct lg_rate *r, const uint8_t *key, size_t klen)
{
	uint64_t w = 0;

	memcpy(&w, key, klen);
	return ((size_t)(mix(mix(w ^ r->hkey[0]) + r->hkey[1] + klen) &
	    (RATE_SETS - 1)));
}

static double
refilled(const struct lg_rate *r, const struct bucket *b, uint64_t now_us)
{
	double t;

	if (now_us <= b->t_us)
		return (b->tokens);
	t = b->tokens + (double)(now_us - b->t_us) / 1e6 * r->rate;
	return (t < r->burst ? t : r->burst);
}

/* The client's bucket in its set, or the one to give it. */
static struct bucket *
find_bucket(struct lg_rate *r, struct rset *s, const uint8_t *key,
    size_t klen, uint64_t now_us)
{
	struct bucket	*victim = NULL;
	double		 best = -1, t;
	int		 i;

	for (i = 0; i < RATE_WAYS; i++) {
		struct bucket *b = &s->b[i];

		if (b->klen == klen && memcmp(b->key, key, klen) == 0)
			return (b);
		t = b->klen == 0 ? r->burst + 1 : refilled(r, b, now_us);
		if (t > best) {
			best = t;
			victim = b;
		}
	}
	memcpy(victim->key, key, klen);
	victim->klen = (uint8_t)klen;
	victim->tokens = r->burst;
	victim->t_us = now_us;
	return (victim);
}

unsigned
lg_rate_take(struct lg_rate *r, const struct sockaddr *sa, uint64_t now_us)
{
	struct rset	*s;
	struct bucket	*b;
	uint8_t		 key[8];
	size_t		 klen;
	double		 wait;
	unsigned	 secs = 0;

	if (r == NULL || (klen = client_key(sa, key)) == 0)
		return (0);
	s = &r->sets[set_of(r, key, klen)];
	pthread_mutex_lock(&s->lock);
	b = find_bucket(r, s, key, klen, now_us);
	b->tokens = refilled(r, b, now_us);
	if (now_us > b->t_us)
		b->t_us = now_us;
	if (b->tokens >= 1)
		b->tokens -= 1;
	else {
		/* Whole seconds until one token is back, at least one. */
		wait = (1 - b->tokens) / r->rate;
		secs = (unsigned)wait + ((double)(unsigned)wait < wait);
		if (secs == 0)
			secs = 1;
	}
	pthread_mutex_unlock(&s->lock);
	return (secs);
}
