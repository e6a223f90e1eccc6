/* resolve: asynchronous name resolution for source names, on evdns.
 *
 * A request turns a configured name and port into up to max distinct UDP addresses (IPv4
 * and IPv6). Numeric addresses never touch DNS; the evdns base (and its socket) is created
 * from /etc/resolv.conf only when the first non-numeric name is looked up. A failed lookup
 * is logged as a warning and retried after 60 s, doubling up to 1 h. The callback runs from
 * the event loop, never from inside resolve_start(), once per request on success.
 * Ownership: resolve_new() / resolve_free() for the resolver (NULL is a no-op); a request
 * lives until resolve_cancel() (NULL is a no-op), which must come before resolve_free() and
 * must not be called from inside that request's own callback.
 */
#ifndef STRATA_DAEMON_RESOLVE_H
#define STRATA_DAEMON_RESOLVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/udp.h"

struct event_base;
struct log;
struct resolve;
struct resolve_req;

/* addrs[0..n) are distinct, 1 <= n <= max; valid only during the call. */
typedef void (*resolve_cb)(void *arg, const struct udp_addr *addrs, size_t n);

/* base and lg are not owned and must outlive the resolver. 0 or -ENOMEM. */
/* resolv_conf: the resolver configuration read at the first non-numeric lookup (copied;
 * NULL: /etc/resolv.conf). */
int resolve_new(struct event_base *base, struct log *lg, const char *resolv_conf,
                struct resolve **ret);
void resolve_free(struct resolve *r);

/* Look name up (max >= 1 addresses wanted). Returns 0 and sets *ret, or -ENOMEM. */
int resolve_start(struct resolve *r, const char *name, uint16_t port, size_t max, resolve_cb cb,
                  void *arg, struct resolve_req **ret);
/* Look the name up once more after delay seconds (a pool refilling or replacing members);
 * the callback runs again on success. No-op while a lookup or retry is pending. */
void resolve_again(struct resolve_req *req, double delay);
void resolve_cancel(struct resolve_req *req);

/* True when the evdns base exists (a non-numeric name was looked up). */
bool resolve_dns_active(const struct resolve *r);

#endif
