/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sha256.h: SHA-256 (FIPS 180-4), used to fingerprint evidence files so an
 * analyst can check that what the collector fetched is what the sensor wrote.
 * Incremental: init, update any number of times, final.
 */
#ifndef VIGIL_SHA256_H
#define VIGIL_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN 65	/* 64 hex digits and a NUL */

struct sha256 {
	uint32_t h[8];
	uint64_t len;		/* bytes hashed so far */
	uint8_t buf[64];
	size_t fill;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, uint8_t out[SHA256_DIGEST_LEN]);

/* Lower-case hex of a digest into hex[SHA256_HEX_LEN]. */
void sha256_hex(const uint8_t digest[SHA256_DIGEST_LEN], char hex[SHA256_HEX_LEN]);

#endif
