/*
 * test_intern.c -- the hash-consed string tables (collector/intern.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fslab.h"
#include "intern.h"

#define CHECK(t) do {							\
	const char *why_ = intern_check(t);				\
	if (why_ != NULL)						\
		fail_msg("intern_check: %s", why_);			\
} while (0)

static uint64_t rng_state;

static uint64_t
rng(void)
{
	/* splitmix64 */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31));
}

static uint32_t
rnd(uint32_t n)
{
	return ((uint32_t)(rng() % n));
}

static void
test_get_put_ref(void **state)
{
	struct intern		*t = intern_new("test");
	struct intern_stats	 st;
	const uint8_t		*p;
	size_t			 len;
	uint32_t		 a, b, a2;

	assert_non_null(t);
	assert_string_equal(intern_name(t), "test");
	a = intern_get(t, "hello", 5);
	assert_int_not_equal(a, 0);
	assert_int_equal(intern_refcnt(t, a), 1);
	p = intern_data(t, a, &len);
	assert_non_null(p);
	assert_int_equal(len, 5);
	assert_memory_equal(p, "hello", 5);

	/* The same bytes from another buffer: the same id, one more ref. */
	char other[6] = "hello";
	a2 = intern_get(t, other, 5);
	assert_int_equal(a2, a);
	assert_int_equal(intern_refcnt(t, a), 2);
	/* Different bytes, and a prefix of the same bytes, are different. */
	b = intern_get(t, "hell", 4);
	assert_int_not_equal(b, 0);
	assert_int_not_equal(b, a);
	assert_int_equal(intern_refcnt(t, b), 1);

	intern_ref(t, a);
	assert_int_equal(intern_refcnt(t, a), 3);
	intern_stats(t, &st);
	assert_int_equal(st.objects, 2);
	assert_int_equal(st.refs, 4);
	assert_int_equal(st.lookups, 3);
	assert_int_equal(st.hits, 1);
	CHECK(t);

	intern_put(t, a);
	intern_put(t, a);
	assert_int_equal(intern_refcnt(t, a), 1);
	assert_non_null(intern_data(t, a, &len));
	intern_put(t, a);
	/* Dead now: no data, no refcount, no serial. */
	assert_int_equal(intern_refcnt(t, a), 0);
	assert_null(intern_data(t, a, &len));
	assert_int_equal(len, 0);
	assert_int_equal(intern_serial(t, a), 0);
	intern_stats(t, &st);
	assert_int_equal(st.objects, 1);
	assert_int_equal(st.refs, 1);
	CHECK(t);

	/* Id 0 and dead or unknown ids are ignored (with a warning). */
	intern_put(t, 0);
	intern_ref(t, 0);
	intern_put(t, a);
	intern_ref(t, a);
	intern_put(t, 123456);
	assert_int_equal(intern_refcnt(t, a), 0);
	assert_int_equal(intern_refcnt(t, 0), 0);
	assert_null(intern_data(t, 0, &len));
	assert_null(intern_data(t, 999999, &len));
	intern_stats(t, &st);
	assert_int_equal(st.objects, 1);
	assert_int_equal(st.refs, 1);
	CHECK(t);

	intern_put(t, b);
	intern_stats(t, &st);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.refs, 0);
	CHECK(t);
	intern_free(t);
}

static void
test_zero_length(void **state)
{
	struct intern	*t = intern_new("zero");
	uint32_t	 e1, e2, e3, nul;
	size_t		 len = 99;

	/* An empty string, whatever the pointer, is one string. */
	e1 = intern_get(t, NULL, 0);
	e2 = intern_get(t, "abc", 0);
	e3 = intern_get(t, "", 0);
	assert_int_not_equal(e1, 0);
	assert_int_equal(e2, e1);
	assert_int_equal(e3, e1);
	assert_int_equal(intern_refcnt(t, e1), 3);
	assert_non_null(intern_data(t, e1, &len));
	assert_int_equal(len, 0);
	/* ... and not the one-byte string of a NUL. */
	nul = intern_get(t, "", 1);
	assert_int_not_equal(nul, e1);
	CHECK(t);
	intern_put(t, e1);
	intern_put(t, e1);
	intern_put(t, e1);
	intern_put(t, nul);
	assert_int_equal(intern_refcnt(t, e1), 0);
	CHECK(t);
	intern_free(t);
}

static void
test_id_reuse(void **state)
{
	struct intern		*t = intern_new("reuse");
	struct intern_stats	 st;
	uint32_t		 ids[8], s_old, d, e, f, i;
	char			 buf[16];

	for (i = 0; i < 8; i++) {
		snprintf(buf, sizeof(buf), "s%u", i);
		ids[i] = intern_get(t, buf, strlen(buf));
		assert_int_not_equal(ids[i], 0);
		for (uint32_t k = 0; k < i; k++)
			assert_int_not_equal(ids[k], ids[i]);
	}
	s_old = intern_serial(t, ids[3]);
	assert_int_not_equal(s_old, 0);
	intern_put(t, ids[3]);
	intern_put(t, ids[5]);
	CHECK(t);
	/* Freed ids come back, most recently freed first, before new ids. */
	d = intern_get(t, "new-d", 5);
	e = intern_get(t, "new-e", 5);
	assert_int_equal(d, ids[5]);
	assert_int_equal(e, ids[3]);
	/* A reused id is a new string: its serial differs. */
	assert_int_not_equal(intern_serial(t, e), s_old);
	assert_int_not_equal(intern_serial(t, e), 0);
	/* The old bytes are not found under the reused id. */
	f = intern_get(t, "s3", 2);
	assert_int_not_equal(f, e);
	assert_int_equal(intern_refcnt(t, f), 1);
	for (i = 0; i < 8; i++)
		if (i != 3 && i != 5)
			assert_int_not_equal(f, ids[i]);
	intern_stats(t, &st);
	assert_int_equal(st.objects, 9);
	CHECK(t);
	intern_put(t, d);
	intern_put(t, e);
	intern_put(t, f);
	for (i = 0; i < 8; i++)
		if (i != 3 && i != 5)
			intern_put(t, ids[i]);
	intern_stats(t, &st);
	assert_int_equal(st.objects, 0);
	assert_int_equal(st.refs, 0);
	CHECK(t);
	intern_free(t);
}

static void
test_stats_bytes(void **state)
{
	struct intern		*t = intern_new("bytes");
	struct intern_stats	 s0, s1, s2;
	static uint8_t		 big[100000];
	uint32_t		 a, b;
	const uint8_t		*p;
	size_t			 len, i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(i * 7 + 3);
	intern_stats(t, &s0);
	a = intern_get(t, big, sizeof(big));
	intern_stats(t, &s1);
	/* Payload plus some overhead, but not much. */
	assert_true(s1.bytes >= s0.bytes + sizeof(big));
	assert_true(s1.bytes <= s0.bytes + sizeof(big) + 64);
	b = intern_get(t, big, sizeof(big) - 1);
	assert_int_not_equal(a, b);
	p = intern_data(t, a, &len);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(p, big, sizeof(big));
	intern_put(t, b);
	intern_stats(t, &s2);
	assert_int_equal(s2.bytes, s1.bytes);
	intern_put(t, a);
	intern_stats(t, &s2);
	assert_int_equal(s2.bytes, s0.bytes);
	assert_int_equal(s2.objects, 0);
	CHECK(t);
	intern_free(t);
}

/*
 * Churn against a model: a pool of candidate strings, some prefixes of
 * others, each with the references the model holds.  Random gets, refs and
 * puts; every so often the whole table is checked against the model: every
 * live string is found under its id with its count, and a dead one, looked
 * up again, comes back as a new string with one reference.
 */
#define POOL	6000

struct cand {
	uint8_t		b[40];
	uint8_t		len;
	uint32_t	id;
	uint32_t	refs;
};

static void
churn_verify(struct intern *t, struct cand *c, size_t n)
{
	struct intern_stats	 st;
	const uint8_t		*p;
	uint64_t		 live = 0, refs = 0;
	size_t			 i, len;
	uint32_t		 id;

	CHECK(t);
	for (i = 0; i < n; i++) {
		if (c[i].refs == 0)
			continue;
		live++;
		refs += c[i].refs;
		if (intern_refcnt(t, c[i].id) != c[i].refs)
			fail_msg("cand %zu: refcnt %u, model %u", i,
			    intern_refcnt(t, c[i].id), c[i].refs);
		p = intern_data(t, c[i].id, &len);
		assert_non_null(p);
		assert_int_equal(len, c[i].len);
		assert_memory_equal(p, c[i].b, len);
		/* Found again by content. */
		id = intern_get(t, c[i].b, c[i].len);
		if (id != c[i].id)
			fail_msg("cand %zu: found as %u, is %u", i, id,
			    c[i].id);
		intern_put(t, id);
	}
	intern_stats(t, &st);
	assert_int_equal(st.objects, live);
	assert_int_equal(st.refs, refs);
	/* Dead strings are not found: they come back new. */
	for (i = 0; i < n; i += 7) {
		if (c[i].refs != 0)
			continue;
		id = intern_get(t, c[i].b, c[i].len);
		assert_int_not_equal(id, 0);
		assert_int_equal(intern_refcnt(t, id), 1);
		intern_stats(t, &st);
		assert_int_equal(st.objects, live + 1);
		intern_put(t, id);
	}
	CHECK(t);
}

static void
test_churn(void **state)
{
	struct intern	*t = intern_new("churn");
	struct cand	*c = calloc(POOL, sizeof(*c));
	size_t		 i, k, op, nops = 600000;
	uint32_t	 id;

	assert_non_null(c);
	rng_state = 0x1234567;
	for (i = 0; i < POOL; i++) {
		if (i > 0 && rnd(4) == 0) {
			/* A prefix or an extension of another candidate. */
			k = rnd((uint32_t)i);
			c[i] = c[k];
			if (c[i].len > 0 && rnd(2) == 0)
				c[i].len = (uint8_t)rnd(c[i].len);
			else if (c[i].len < sizeof(c[i].b))
				c[i].b[c[i].len++] = (uint8_t)rng();
		} else {
			c[i].len = (uint8_t)rnd(sizeof(c[i].b) + 1);
			for (k = 0; k < c[i].len; k++)
				c[i].b[k] = (uint8_t)rnd(4);	/* few symbols */
		}
		c[i].refs = 0;
		c[i].id = 0;
	}
	/* Duplicates in the pool would share ids: drop them. */
	for (i = 0; i < POOL; i++)
		for (k = 0; k < i; k++)
			if (c[k].len == c[i].len && c[k].len != 0xff &&
			    memcmp(c[k].b, c[i].b, c[i].len) == 0) {
				c[i].len = 0xff;	/* unused */
				break;
			}
	for (op = 0; op < nops; op++) {
		/*
		 * Phases: fill up to most of the pool, then drain to a few,
		 * so the index grows, runs near its load limit and sees long
		 * runs of deletions.
		 */
		bool filling = (op / 100000) % 2 == 0;

		i = rnd(POOL);
		if (c[i].len == 0xff)
			continue;
		switch (rnd(10)) {
		case 0: case 1: case 2: case 3:
			if (!filling && rnd(3) != 0)
				break;
			id = intern_get(t, c[i].b, c[i].len);
			assert_int_not_equal(id, 0);
			if (c[i].refs > 0)
				assert_int_equal(id, c[i].id);
			c[i].id = id;
			c[i].refs++;
			break;
		case 4:
			if (c[i].refs > 0) {
				intern_ref(t, c[i].id);
				c[i].refs++;
			}
			break;
		default:
			if (c[i].refs > 0) {
				intern_put(t, c[i].id);
				c[i].refs--;
			}
			break;
		}
		if (op % 50000 == 0)
			churn_verify(t, c, POOL);
	}
	churn_verify(t, c, POOL);
	for (i = 0; i < POOL; i++)
		while (c[i].refs > 0) {
			intern_put(t, c[i].id);
			c[i].refs--;
		}
	churn_verify(t, c, POOL);
	free(c);
	intern_free(t);
}

/*
 * Many strings at once, then deleted in random order, checking the index
 * after each of a sample of deletions: long probe chains shifted back.
 */
static void
test_mass_delete(void **state)
{
	struct intern	*t = intern_new("mass");
	enum { N = 20000 };
	uint32_t	*ids = calloc(N, sizeof(*ids));
	uint32_t	*order = calloc(N, sizeof(*order));
	size_t		 i, j, len;
	uint32_t	 tmp;
	char		 buf[32];

	assert_non_null(ids);
	assert_non_null(order);
	rng_state = 42;
	for (i = 0; i < N; i++) {
		snprintf(buf, sizeof(buf), "%zx", i * 2654435761u);
		ids[i] = intern_get(t, buf, strlen(buf));
		order[i] = (uint32_t)i;
	}
	CHECK(t);
	for (i = N - 1; i > 0; i--) {
		j = rnd((uint32_t)i + 1);
		tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	for (i = 0; i < N; i++) {
		intern_put(t, ids[order[i]]);
		if (i % 1000 == 0 || i > N - 50) {
			CHECK(t);
			/* The survivors are still there. */
			for (j = i + 1; j < N; j += 97) {
				snprintf(buf, sizeof(buf), "%zx",
				    (size_t)order[j] * 2654435761u);
				assert_int_equal(intern_get(t, buf,
				    strlen(buf)), ids[order[j]]);
				intern_put(t, ids[order[j]]);
			}
		}
	}
	assert_null(intern_data(t, ids[0], &len));
	CHECK(t);
	free(ids);
	free(order);
	intern_free(t);
}

/*
 * SipHash-1-3: outputs of the reference implementation
 * (github.com/veorq/SipHash, cROUNDS=1, dROUNDS=3) for the messages
 * 00 01 02 ... of length 0 to 63, under the all-zero key and under the key
 * 01 00 .. 00 (as published with OCaml's runtime test of its SipHash-1-3).
 */
static const uint64_t sip13_k0[64] = {
	0xd1fba762150c532cULL, 0x68a914128e01e473ULL, 0x010bac45c41e3669ULL,
	0x4d4c9a4a8ef6e0adULL, 0x7cc43f98813e4dbdULL, 0x5abe2169dff36275ULL,
	0xe3c25f87624f1cdbULL, 0x2f098ab0c751325aULL, 0xead411e67ebe2eeaULL,
	0x75927f9d95124362ULL, 0xaf9f77a65ab51a1dULL, 0xfe64ce8b6617fcffULL,
	0xa6baf4fb0f9fe1c2ULL, 0xa0cf3211850f8e0dULL, 0x7f86049379fbfe67ULL,
	0xf30eb725bb91c9eaULL, 0x8972188433a5c5b7ULL, 0x4883c49a2c009c1dULL,
	0xadc2c0b63044067dULL, 0x091f4a3329f87d19ULL, 0x639e355ae68c0100ULL,
	0xb17bef2cb5213239ULL, 0xf8aeb1066236ccfeULL, 0x37332b1389daa4ffULL,
	0x31185a47af932f3aULL, 0xebf352e82ae23e2fULL, 0xed36ff242fe478b2ULL,
	0x2454d97d299299dfULL, 0x8cd57fe8130d0ac7ULL, 0xbe98eb2faf0a0e85ULL,
	0xd427c34ee09470c6ULL, 0x169739443111d49bULL, 0x31ef8061c910629bULL,
	0x7fb71d24dfa4c9f6ULL, 0x92771f49e836d389ULL, 0x3c393cf6f0853bc3ULL,
	0xac77921fcc642bd3ULL, 0x422a9751192ff266ULL, 0xc680ae8a8c584ddfULL,
	0x6c76b6d34bb6d26bULL, 0x95bc321ab41d8206ULL, 0x908a3a97a6d37669ULL,
	0xfcaf3c64874dd0b4ULL, 0xf689479b32b84a44ULL, 0xd857641079efd1fdULL,
	0x8b581578722633f7ULL, 0x83cb09d35ea7bcd4ULL, 0x8485f7f5ae725a0dULL,
	0xfe1f2445ba50237fULL, 0x23cece041d7866b0ULL, 0x416687480b336c09ULL,
	0xf15960da7e7f3892ULL, 0xded6177b9826835aULL, 0xf80dae51668be6beULL,
	0x17ecc6ee6647df18ULL, 0x5220d642b4a52110ULL, 0xa4f0cf4ba4adc016ULL,
	0xe5125bb26d1f2976ULL, 0x851b0e75f580d256ULL, 0x12605250a37e39acULL,
	0xd95a713568daebf1ULL, 0xcdcf4a42ec0dd605ULL, 0xa5c708712b617164ULL,
	0x385d3e39e5f37359ULL,
};

static const uint64_t sip13_k1[64] = {
	0xc44a0ebf4e962581ULL, 0xc7f8837cdc05230bULL, 0xbfeff0bc8a414c08ULL,
	0xd8c82d87fa4286e4ULL, 0x5d51da6e88a607e0ULL, 0x904197b89cffef85ULL,
	0x5495a918e3423106ULL, 0x9ce896d47e204af6ULL, 0x51738227823e2309ULL,
	0xa9d59ba0fefc9497ULL, 0xc56750690b3345efULL, 0xdccd724817e07d34ULL,
	0x292cdaf7e383c05aULL, 0xf1274d8b4ae1246eULL, 0x768cb93004a0efa8ULL,
	0x535280d545ebc696ULL, 0xde2f7768ba893d84ULL, 0xa5f1ec80df8761a5ULL,
	0x1427ef7862a19171ULL, 0x655a0dc22d8b90a6ULL, 0xd0c112e9e4038c40ULL,
	0x24d633ab5ba1b7e9ULL, 0x99b06c142bcf8b5fULL, 0x18feebfcbb0326b3ULL,
	0xf5e408152c880545ULL, 0x6015f851bac89dc1ULL, 0xac33279dc38a017eULL,
	0x9bc7412bb2eb7394ULL, 0x5ffa8eddba0091e6ULL, 0xdffde98f2c745b79ULL,
	0x78db18c79a12f099ULL, 0x446a5b127a38bf2eULL, 0xded378bdce3e8ed5ULL,
	0xfcca56c93ac0918cULL, 0x5b39d7994e4f784cULL, 0x1a0a1f9156633641ULL,
	0x5d8abd3827b86fcbULL, 0xf13609be742294abULL, 0x577add0b75d2c331ULL,
	0xbfde1b9768516babULL, 0x5f4ed25d19cdcd56ULL, 0x0f1b601b270258d7ULL,
	0xb026423c6c066fbcULL, 0xc1876b1f6b36efb7ULL, 0x570442373a1298bdULL,
	0x1d320e1f7e5bbe92ULL, 0x527dc0ab084853dfULL, 0x6ef49aecf842b256ULL,
	0x196e65e9df13f340ULL, 0x3163970e2c2a3cecULL, 0xc5e84ae1e8e70d1cULL,
	0x12c3d0a742f81cb5ULL, 0xec779699cfb6dc88ULL, 0x1390ce0e757826d4ULL,
	0xcffe7f1d95d46cdbULL, 0x81739547885752ffULL, 0x399b320e8f24805fULL,
	0xc01aee30b0649549ULL, 0xfd6325afbed1d417ULL, 0xbdc54acabc306afdULL,
	0x019a4b0f98334c46ULL, 0xba1a669aaa372afdULL, 0x828e134835b63734ULL,
	0xa35bf11b84b78be0ULL,
};

static void
test_siphash_vectors(void **state)
{
	uint8_t		key[16], msg[64];
	size_t		i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)i;
	memset(key, 0, sizeof(key));
	for (i = 0; i < 64; i++)
		if (siphash13(key, msg, i) != sip13_k0[i])
			fail_msg("zero key, length %zu: %016llx, want %016llx",
			    i, (unsigned long long)siphash13(key, msg, i),
			    (unsigned long long)sip13_k0[i]);
	key[0] = 1;
	for (i = 0; i < 64; i++)
		if (siphash13(key, msg, i) != sip13_k1[i])
			fail_msg("key 01, length %zu: %016llx, want %016llx",
			    i, (unsigned long long)siphash13(key, msg, i),
			    (unsigned long long)sip13_k1[i]);
	/* Zero length with no buffer at all. */
	memset(key, 0, sizeof(key));
	assert_true(siphash13(key, NULL, 0) == sip13_k0[0]);
}

static void
test_siphash_key_sensitivity(void **state)
{
	uint8_t		key[16], msg[37];
	uint64_t	h0, h;
	size_t		i, bit;

	for (i = 0; i < sizeof(key); i++)
		key[i] = (uint8_t)(0xa0 + i);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 13);
	h0 = siphash13(key, msg, sizeof(msg));
	assert_true(siphash13(key, msg, sizeof(msg)) == h0);	/* stable */
	for (bit = 0; bit < 128; bit++) {
		key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		h = siphash13(key, msg, sizeof(msg));
		key[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		/* About half the output bits flip: never none, rarely few. */
		assert_true(h != h0);
		assert_true(__builtin_popcountll(h ^ h0) >= 8);
	}
	for (bit = 0; bit < sizeof(msg) * 8; bit++) {
		msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		h = siphash13(key, msg, sizeof(msg));
		msg[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		assert_true(__builtin_popcountll(h ^ h0) >= 8);
	}
	/* Length is hashed: trailing zero bytes matter. */
	memset(msg, 0, sizeof(msg));
	assert_true(siphash13(key, msg, 3) != siphash13(key, msg, 4));
	assert_true(siphash13(key, msg, 0) != siphash13(key, msg, 8));
}

/*
 * fslab, the free lists under interned strings and route arrays: blocks
 * are 8-byte aligned and disjoint, a freed one serves the next of its
 * size (and only of its size), and allocation goes on past a block.
 */
static void
test_fslab(void **state)
{
	struct fslab	 fs;
	uint8_t		*p[3000], *q, *r;
	size_t		 i, j;

	memset(&fs, 0, sizeof(fs));
	assert_null(fslab_alloc(&fs, 0));
	assert_null(fslab_alloc(&fs, FSLAB_MAX + 1));
	/* 3000 x 40 bytes: two blocks. */
	for (i = 0; i < 3000; i++) {
		p[i] = fslab_alloc(&fs, 37);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % 8, 0);
		memset(p[i], (int)(i & 0xff), 37);
	}
	assert_int_equal(fslab_bytes(&fs), 2 * FSLAB_BLOCK);
	for (i = 0; i < 3000; i++)
		for (j = 0; j < 37; j++)
			assert_int_equal(p[i][j], i & 0xff);
	/* Disjoint: sorted, each at least 40 past the one before. */
	for (i = 1; i < 3000; i++)
		for (j = i; j > 0 && p[j - 1] > p[j]; j--) {
			q = p[j];
			p[j] = p[j - 1];
			p[j - 1] = q;
		}
	for (i = 1; i < 3000; i++)
		assert_true(p[i] - p[i - 1] >= 40);
	/* A freed block comes back for its size (33..40), not another. */
	q = p[1234];
	fslab_free(&fs, q, 37);
	r = fslab_alloc(&fs, 8);
	assert_true(r != q);
	assert_ptr_equal(fslab_alloc(&fs, 40), q);
	fslab_free(&fs, q, 40);
	assert_ptr_equal(fslab_alloc(&fs, 33), q);
	/* The largest size. */
	r = fslab_alloc(&fs, FSLAB_MAX);
	assert_non_null(r);
	memset(r, 1, FSLAB_MAX);
	fslab_destroy(&fs);
	assert_int_equal(fslab_bytes(&fs), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_put_ref),
		cmocka_unit_test(test_zero_length),
		cmocka_unit_test(test_id_reuse),
		cmocka_unit_test(test_stats_bytes),
		cmocka_unit_test(test_churn),
		cmocka_unit_test(test_mass_delete),
		cmocka_unit_test(test_siphash_vectors),
		cmocka_unit_test(test_siphash_key_sensitivity),
		cmocka_unit_test(test_fslab),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
