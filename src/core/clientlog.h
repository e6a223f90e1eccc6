/* clientlog: who the server answers, for `stratactl clients`, sans I/O.
 *
 * One entry per client address (IPv4 kept as IPv4-mapped IPv6), in a fixed table allocated
 * once: 4-way set associative, indexed by a keyed hash (the key comes from the caller, so
 * that nobody can aim collisions at one set); a new client takes the entry of its set seen
 * least recently. O(1) work and no allocation per request. A busy public server keeps its
 * most active clients; an evicted one seen again starts counting afresh.
 *
 * Times are monotonic nanoseconds from the caller. Ownership: clientlog_new() allocates,
 * clientlog_free() releases (NULL is a no-op). Not thread-safe: one table per thread, or a
 * lock held by the caller.
 */
#ifndef STRATA_CORE_CLIENTLOG_H
#define STRATA_CORE_CLIENTLOG_H

#include <stddef.h>
#include <stdint.h>

#define CLIENTLOG_DEFAULT_SIZE 4096
#define CLIENTLOG_MIN_SIZE 64
#define CLIENTLOG_MAX_SIZE (1 << 20)
#define CLIENTLOG_WAYS 4

/* What happened to one request. */
enum clientlog_what {
	CLIENTLOG_ANSWERED = 0, /* the time was sent */
	CLIENTLOG_DROPPED,      /* denied or rate limited, nothing sent */
	CLIENTLOG_KOD,          /* a kiss-o'-death was sent (RATE or DENY) */
};

struct clientlog_entry {
	uint8_t addr[16];  /* IPv4-mapped for IPv4 clients */
	uint64_t requests; /* every request counted, whatever became of it */
	uint64_t dropped;
	uint64_t kod;
	int64_t first_ns; /* first request seen (since the entry was taken) */
	int64_t last_ns;  /* latest request */
};

struct clientlog;

/* entries is rounded up to a power of two, MIN..MAX_SIZE; NULL if out of range or memory. */
struct clientlog *clientlog_new(size_t entries, uint64_t key);
void clientlog_free(struct clientlog *c);

/* Count one request from addr (4 bytes for AF_INET, else 16) at now_ns. */
void clientlog_note(struct clientlog *c, int family, const uint8_t *addr, int64_t now_ns,
                    enum clientlog_what what);

/* Copy out up to max clients, most requests first. Returns how many. */
size_t clientlog_top(const struct clientlog *c, struct clientlog_entry *out, size_t max);

/* Add the clients of `from` into out[0..*n) (capacity max): counts of the same address
 * are summed, times widened; new addresses appended while room is left. */
void clientlog_merge(struct clientlog_entry *out, size_t *n, size_t max,
                     const struct clientlog_entry *from, size_t n_from);

/* Sort out[0..n) by requests, most first. */
void clientlog_sort(struct clientlog_entry *out, size_t n);

#endif
