// SPDX-License-Identifier: GPL-2.0-only
/*
 * test_det_table.c: the detectors' bounded table: every key put in is found
 * with its value while there is room, a full window recycles its least
 * recently seen entry, deletion (by walk or det_table_del) makes a key
 * absent and its slot reusable, and walks see exactly the live entries.
 */
#include <stdlib.h>
#include <string.h>

#include "det_table.h"
#include "testlib.h"

static struct det_key key(uint32_t n)
{
	uint8_t a[16] = { 0 };

	memcpy(a + 12, &n, 4);
	return det_key(1, a, NULL, (uint16_t)n, 7);
}

struct walk {
	uint32_t seen, bad;
	uint32_t delete_mod;	/* delete keys whose number % this == 0 (0: none) */
};

static bool walk_fn(void *ctx, const struct det_key *k, void *v, uint64_t last_ns)
{
	struct walk *w = ctx;
	uint32_t n;

	(void)last_ns;
	memcpy(&n, k->b + 20, 4);
	if (*(uint32_t *)v != n)
		w->bad++;
	w->seen++;
	return w->delete_mod && n % w->delete_mod == 0;
}

int main(void)
{
	struct det_table *t = det_table_new(4096, sizeof(uint32_t));
	struct det_table *small = det_table_new(16, sizeof(uint32_t));
	struct walk w = { 0 };
	uint32_t i, missing = 0, wrong = 0, n = 2000;
	bool created;

	if (!t || !small)
		return 1;
	for (i = 0; i < n; i++) {
		struct det_key k = key(i);
		uint32_t *v = det_table_get(t, &k, 1000 + i, &created);

		if (!created)
			wrong++;
		*v = i;
	}
	for (i = 0; i < n; i++) {
		struct det_key k = key(i);
		uint32_t *v = det_table_find(t, &k);

		if (!v)
			missing++;
		else if (*v != i)
			wrong++;
	}
	testlib_case("2000 keys in 4096 slots: all found with their values", !missing && !wrong &&
		     det_table_used(t) == n && det_table_recycled(t) == 0, "missing %u wrong %u used %u recycled %llu",
		     missing, wrong, det_table_used(t), (unsigned long long)det_table_recycled(t));
	{
		struct det_key k = key(5);

		det_table_get(t, &k, 5000, &created);
		testlib_case("get of a present key creates nothing", !created && det_table_used(t) == n, "%s", "");
		k = key(999999);
		testlib_case("an absent key is not found", !det_table_find(t, &k), "%s", "");
	}
	w.delete_mod = 3;
	det_table_walk(t, walk_fn, &w);
	testlib_case("a walk sees every live entry once, with its value", w.seen == n && !w.bad, "seen %u bad %u", w.seen,
		     w.bad);
	missing = wrong = 0;
	for (i = 0; i < n; i++) {
		struct det_key k = key(i);
		bool there = det_table_find(t, &k) != NULL;

		if (there != (i % 3 != 0))
			wrong++;
	}
	testlib_case("keys deleted by the walk are gone, the rest stay", !wrong && det_table_used(t) == n - 667,
		     "wrong %u used %u", wrong, det_table_used(t));
	memset(&w, 0, sizeof(w));
	det_table_walk(t, walk_fn, &w);
	testlib_case("the next walk sees only what is left", w.seen == n - 667 && !w.bad, "seen %u", w.seen);
	{
		struct det_key k = key(1);
		void *v = det_table_find(t, &k);

		det_table_del(t, v);
		testlib_case("det_table_del: gone, counted", !det_table_find(t, &k) && det_table_used(t) == n - 668, "%s",
			     "");
		v = det_table_get(t, &k, 9000, &created);
		testlib_case("its key can come back", v && created && det_table_used(t) == n - 667, "%s", "");
	}
	/* 16 slots, one window: 100 keys leave the 16 most recently seen */
	for (i = 0; i < 100; i++) {
		struct det_key k = key(i);

		*(uint32_t *)det_table_get(small, &k, 1000 + i, &created) = i;
	}
	missing = 0;
	for (i = 84; i < 100; i++) {
		struct det_key k = key(i);

		if (!det_table_find(small, &k))
			missing++;
	}
	testlib_case("a full window recycles the least recently seen", !missing && det_table_used(small) == 16 &&
		     det_table_recycled(small) == 84, "missing %u used %u recycled %llu", missing,
		     det_table_used(small), (unsigned long long)det_table_recycled(small));
	{
		struct det_key k = key(84);

		det_table_get(small, &k, 5000, &created);	/* seen again: now the newest */
		k = key(500);
		det_table_get(small, &k, 5001, &created);
		k = key(84);
		testlib_case("seeing an entry again keeps it", det_table_find(small, &k) != NULL, "%s", "");
		k = key(85);
		testlib_case("... and the next oldest goes instead", det_table_find(small, &k) == NULL, "%s", "");
	}
	det_table_free(t);
	det_table_free(small);
	{
		/* 4000 keys that differ only in their last two bytes (the low octets of an address) in a roomy table */
		struct det_table *big = det_table_new(131072, sizeof(uint32_t));
		uint8_t a[16] = { 0 }, b[16] = { 0 };
		unsigned int lost = 0;

		for (i = 0; i < 4000; i++) {
			struct det_key k;

			b[14] = (uint8_t)(i >> 8);
			b[15] = (uint8_t)i;
			k = det_key(17, a, b, 50000, 6892);
			det_table_get(big, &k, i + 1, &created);
		}
		for (i = 0; i < 4000; i++) {
			struct det_key k;

			b[14] = (uint8_t)(i >> 8);
			b[15] = (uint8_t)i;
			k = det_key(17, a, b, 50000, 6892);
			lost += !det_table_find(big, &k);
		}
		testlib_case("keys differing in their last bytes spread: none pushed out of a roomy table",
			     lost == 0 && det_table_recycled(big) == 0, "lost %u recycled %llu", lost,
			     (unsigned long long)det_table_recycled(big));
		det_table_free(big);
	}
	testlib_case("capacity 0 is refused", det_table_new(0, 4) == NULL, "%s", "");
	return testlib_done();
}
