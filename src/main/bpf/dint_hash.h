/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/* fasthash64 of one 64-bit key, as the original used; io.dint.wire.Hash64 is its Java twin. */
#ifndef DINT_HASH_H
#define DINT_HASH_H

#include <linux/types.h>

#define DINT_HASH_SEED 0xdeadbeefcafef00dULL

static __always_inline __u64 dint_fasthash_mix(__u64 h)
{
	h ^= h >> 23;
	h *= 0x2127599bf4325c37ULL;
	h ^= h >> 47;
	return h;
}

static __always_inline __u64 dint_hash64(__u64 key)
{
	const __u64 m = 0x880355f21e6d1965ULL;
	__u64 h = DINT_HASH_SEED ^ (8 * m);

	h ^= dint_fasthash_mix(key);
	h *= m;
	return dint_fasthash_mix(h);
}

#endif /* DINT_HASH_H */
