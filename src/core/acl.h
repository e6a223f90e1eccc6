/* acl: allow and deny lists of IPv4 / IPv6 prefixes for the server, sans I/O.
 *
 * Semantics:
 *   - The most specific matching rule wins (longest prefix). On an exact tie (same prefix
 *     length matching, one allow and one deny) deny wins.
 *   - No rule matches -> ACL_DENY: serving is off until an allow rule exists.
 *   - IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are checked as the IPv4 address a.b.c.d,
 *     against the IPv4 rules. An IPv6 rule inside ::ffff:0:0/96 (prefix length >= 96) is
 *     turned into the equivalent IPv4 rule at build time. Shorter IPv6 rules (::/0, ::/80)
 *     match native IPv6 addresses only: "allow ::/0" does not open IPv4.
 *   - Address bits beyond the prefix length are ignored (10.1.2.3/8 is 10.0.0.0/8).
 *
 * Cost: acl_new sorts the rules once (longest prefix first, deny before allow at equal
 * length), so acl_check returns at the first match: O(rules) in the worst case, with a
 * couple of 64-bit mask-and-compare operations per rule. One allocation in acl_new, none
 * in acl_check; the struct is read-only after acl_new and can be shared.
 */
#ifndef STRATA_CORE_ACL_H
#define STRATA_CORE_ACL_H

#include <stddef.h>
#include <stdint.h>

/* One rule: the same layout as the config's prefixes (without the text). */
struct acl_prefix {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; IPv4 uses the first 4 bytes */
	int prefix_len;   /* 0..32 (AF_INET) or 0..128 (AF_INET6) */
};

enum acl_verdict {
	ACL_DENY = 0,
	ACL_ALLOW = 1,
};

struct acl;

/* Build an ACL from allow[0..n_allow) and deny[0..n_deny) (either may be NULL when its count
 * is 0; the arrays are copied). Returns 0 and *ret, -EINVAL for an unknown family or a
 * prefix length out of range, -ENOMEM. */
int acl_new(const struct acl_prefix *allow, size_t n_allow, const struct acl_prefix *deny,
            size_t n_deny, struct acl **ret);
void acl_free(struct acl *acl); /* NULL is a no-op */

/* Verdict for a client address: family AF_INET (addr = 4 bytes) or AF_INET6 (16 bytes),
 * network byte order. Unknown family, NULL acl or NULL addr -> ACL_DENY. */
enum acl_verdict acl_check(const struct acl *acl, int family, const uint8_t *addr);

/* Number of rules after building (for logs). */
size_t acl_rule_count(const struct acl *acl);

#endif
