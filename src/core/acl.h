/* acl: who may be served, sans I/O. A list of allow and deny rules on IPv4 and IPv6
 * prefixes; the most specific rule matching a client (the longest prefix) decides, a deny
 * winning over an allow of the same length; no matching rule means deny (nothing is served
 * until an allow rule exists, as in chrony). An IPv4-mapped IPv6 address (::ffff:a.b.c.d)
 * is judged as the IPv4 address. Plain data, no allocation: at most ACL_MAX_RULES rules.
 */
#ifndef STRATA_CORE_ACL_H
#define STRATA_CORE_ACL_H

#include <stdbool.h>
#include <stdint.h>

#define ACL_MAX_RULES 256

struct acl_rule {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; IPv4 in the first 4 bytes */
	int len;          /* prefix length, 0..32 or 0..128 */
	bool allow;
};

struct acl {
	int n;
	struct acl_rule rules[ACL_MAX_RULES];
};

void acl_init(struct acl *a);
/* 0, -EINVAL (bad family or length), -ENOSPC (full). */
int acl_add(struct acl *a, int family, const uint8_t *addr, int len, bool allow);
/* addr: 4 bytes for AF_INET, 16 for AF_INET6. */
bool acl_allows(const struct acl *a, int family, const uint8_t *addr);

#endif
