/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * gen_rng.h: the small deterministic PRNG behind vigil-gen (xoshiro256**,
 * seeded through splitmix64). Same seed, same frames, on every machine: the
 * generator reads no other source of randomness.
 */
#ifndef VIGIL_GEN_RNG_H
#define VIGIL_GEN_RNG_H

#include <math.h>
#include <stdint.h>

struct gen_rng {
	uint64_t s[4];
};

static inline uint64_t gen_rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline void gen_rng_seed(struct gen_rng *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = gen_rng_splitmix(&seed);
}

static inline uint64_t gen_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t gen_rng_next(struct gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = gen_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = gen_rng_rotl(s[3], 45);
	return out;
}

/* uniform in [0, n); n == 0 gives 0 */
static inline uint32_t gen_rng_below(struct gen_rng *r, uint32_t n)
{
	return (uint32_t)(((gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* uniform in [lo, hi] */
static inline uint32_t gen_rng_range(struct gen_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + gen_rng_below(r, hi - lo + 1);
}

/* uniform in [0, 1) with 53 bits */
static inline double gen_rng_double(struct gen_rng *r)
{
	return (double)(gen_rng_next(r) >> 11) * 0x1.0p-53;
}

/* exponential with the given mean (Poisson inter-arrival times) */
static inline double gen_rng_exp(struct gen_rng *r, double mean)
{
	return -mean * log1p(-gen_rng_double(r));
}

#endif
