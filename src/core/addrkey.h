/* addrkey: client addresses as 128-bit table keys, and a keyed hash for picking a set.
 * Shared by the rate limit table and the client log (both sans I/O, per thread).
 *
 * An IPv4 address becomes the IPv4-mapped IPv6 address ::ffff:a.b.c.d, so that a client
 * is the same key over either family.
 */
#ifndef STRATA_CORE_ADDRKEY_H
#define STRATA_CORE_ADDRKEY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

static const uint8_t addrkey_v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* addr: 4 bytes for AF_INET, else 16; out: 16 bytes. */
static inline void addrkey_bytes(int family, const uint8_t *addr, uint8_t out[16])
{
	if (family == AF_INET) {
		memcpy(out, addrkey_v4mapped, 12);
		memcpy(out + 12, addr, 4);
	} else {
		memcpy(out, addr, 16);
	}
}

static inline bool addrkey_is_v4(const uint8_t a[16])
{
	return memcmp(a, addrkey_v4mapped, 12) == 0;
}

/* splitmix64's finaliser: a good 64-bit mixer. */
static inline uint64_t addrkey_mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

/* Hash of key k under the secret (k0, k1). */
static inline uint64_t addrkey_hash(const uint64_t k[2], uint64_t k0, uint64_t k1)
{
	return addrkey_mix((k[0] ^ k0) + addrkey_mix(k[1] ^ k1));
}

#endif
