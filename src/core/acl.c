/* acl: longest-prefix allow/deny. See acl.h. */
#include "core/acl.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>

void acl_init(struct acl *a)
{
	a->n = 0;
}

int acl_add(struct acl *a, int family, const uint8_t *addr, int len, bool allow)
{
	int max = family == AF_INET ? 32 : family == AF_INET6 ? 128 : -1;
	if (max < 0 || len < 0 || len > max)
		return -EINVAL;
	if (a->n >= ACL_MAX_RULES)
		return -ENOSPC;
	struct acl_rule *r = &a->rules[a->n++];
	memset(r, 0, sizeof(*r));
	r->family = family;
	memcpy(r->addr, addr, (size_t)max / 8);
	r->len = len;
	r->allow = allow;
	return 0;
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, int len)
{
	int bytes = len / 8, bits = len % 8;
	if (memcmp(a, b, (size_t)bytes) != 0)
		return false;
	if (bits == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - bits));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

bool acl_allows(const struct acl *a, int family, const uint8_t *addr)
{
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	if (family == AF_INET6 && memcmp(addr, mapped, sizeof(mapped)) == 0) {
		family = AF_INET;
		addr += 12;
	}
	int best = -1;
	bool allow = false;
	for (int i = 0; i < a->n; i++) {
		const struct acl_rule *r = &a->rules[i];
		if (r->family != family || r->len < best || !prefix_match(r->addr, addr, r->len))
			continue;
		if (r->len > best)
			allow = r->allow;
		else
			allow = allow && r->allow; /* same length: deny wins */
		best = r->len;
	}
	return best >= 0 && allow;
}
