/* acl: longest-prefix allow/deny matching; see acl.h. One allocation in acl_new. */
#include "core/acl.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define V4_MAPPED_PREFIX 96 /* ::ffff:0:0/96 */

/* A rule in canonical form: a 128-bit value and mask, IPv4 rules kept apart by family. */
struct acl_rule {
	uint64_t hi, lo;           /* network address, masked */
	uint64_t mask_hi, mask_lo; /* prefix mask */
	int prefix_len;            /* of the canonical family (IPv4: 0..32) */
	bool is_v4;
	enum acl_verdict verdict;
};

struct acl {
	size_t n;
	struct acl_rule rules[]; /* sorted: longest prefix first, deny before allow on ties */
};

static uint64_t load64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static uint64_t mask_bits(int bits)
{
	if (bits <= 0)
		return 0;
	if (bits >= 64)
		return UINT64_MAX;
	return UINT64_MAX << (64 - bits);
}

static bool is_v4_mapped(const uint8_t *a)
{
	static const uint8_t pfx[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

	return memcmp(a, pfx, sizeof(pfx)) == 0;
}

/* IPv4 address as the canonical 128-bit value: the 32 bits left-aligned in hi. */
static void v4_canon(const uint8_t *a4, uint64_t *hi, uint64_t *lo)
{
	*hi = (uint64_t)a4[0] << 56 | (uint64_t)a4[1] << 48 | (uint64_t)a4[2] << 40 |
	      (uint64_t)a4[3] << 32;
	*lo = 0;
}

static int make_rule(const struct acl_prefix *p, enum acl_verdict verdict, struct acl_rule *r)
{
	int len = p->prefix_len;

	if (p->family == AF_INET && len >= 0 && len <= 32) {
		r->is_v4 = true;
		v4_canon(p->addr, &r->hi, &r->lo);
	} else if (p->family == AF_INET6 && len >= 0 && len <= 128) {
		r->is_v4 = len >= V4_MAPPED_PREFIX && is_v4_mapped(p->addr);
		if (r->is_v4) {
			len -= V4_MAPPED_PREFIX;
			v4_canon(p->addr + 12, &r->hi, &r->lo);
		} else {
			r->hi = load64(p->addr);
			r->lo = load64(p->addr + 8);
		}
	} else {
		return -EINVAL;
	}
	r->prefix_len = len;
	r->mask_hi = mask_bits(len);
	r->mask_lo = mask_bits(len - 64);
	r->hi &= r->mask_hi;
	r->lo &= r->mask_lo;
	r->verdict = verdict;
	return 0;
}

static int cmp_rule(const void *pa, const void *pb)
{
	const struct acl_rule *a = pa, *b = pb;

	if (a->prefix_len != b->prefix_len)
		return a->prefix_len > b->prefix_len ? -1 : 1;
	if (a->verdict != b->verdict)
		return a->verdict == ACL_DENY ? -1 : 1;
	return 0;
}

static int add_rules(struct acl *acl, const struct acl_prefix *p, size_t n, enum acl_verdict v)
{
	for (size_t i = 0; i < n; i++) {
		int r = make_rule(&p[i], v, &acl->rules[acl->n]);

		if (r < 0)
			return r;
		acl->n++;
	}
	return 0;
}

int acl_new(const struct acl_prefix *allow, size_t n_allow, const struct acl_prefix *deny,
            size_t n_deny, struct acl **ret)
{
	struct acl *acl;
	size_t n = n_allow + n_deny;
	int r;

	*ret = NULL;
	if (n < n_allow || n > (SIZE_MAX - sizeof(*acl)) / sizeof(acl->rules[0]))
		return -ENOMEM;
	if ((n_allow > 0 && allow == NULL) || (n_deny > 0 && deny == NULL))
		return -EINVAL;
	acl = calloc(1, sizeof(*acl) + n * sizeof(acl->rules[0]));
	if (acl == NULL)
		return -ENOMEM;
	r = add_rules(acl, allow, n_allow, ACL_ALLOW);
	if (r == 0)
		r = add_rules(acl, deny, n_deny, ACL_DENY);
	if (r < 0) {
		free(acl);
		return r;
	}
	qsort(acl->rules, acl->n, sizeof(acl->rules[0]), cmp_rule);
	*ret = acl;
	return 0;
}

void acl_free(struct acl *acl)
{
	free(acl);
}

enum acl_verdict acl_check(const struct acl *acl, int family, const uint8_t *addr)
{
	uint64_t hi, lo;
	bool v4;

	if (acl == NULL || addr == NULL)
		return ACL_DENY;
	if (family == AF_INET) {
		v4 = true;
		v4_canon(addr, &hi, &lo);
	} else if (family == AF_INET6) {
		v4 = is_v4_mapped(addr);
		if (v4) {
			v4_canon(addr + 12, &hi, &lo);
		} else {
			hi = load64(addr);
			lo = load64(addr + 8);
		}
	} else {
		return ACL_DENY;
	}
	for (size_t i = 0; i < acl->n; i++) {
		const struct acl_rule *r = &acl->rules[i];

		if (r->is_v4 == v4 && (hi & r->mask_hi) == r->hi && (lo & r->mask_lo) == r->lo)
			return r->verdict;
	}
	return ACL_DENY;
}

size_t acl_rule_count(const struct acl *acl)
{
	return acl != NULL ? acl->n : 0;
}
