/* mode6_priv: the variable lists behind mode6.c (mode6_vars.c). Internal to core. */
#ifndef STRATA_CORE_MODE6_PRIV_H
#define STRATA_CORE_MODE6_PRIV_H

#include "core/mode6.h"

#define MODE6_MAX_ITEMS 40

struct mode6_item {
	const char *name;
	char value[96]; /* already in its wire form (quoted for strings) */
};

struct mode6_items {
	int n;
	struct mode6_item it[MODE6_MAX_ITEMS];
};

/* The status words (RFC 9327 section 12.3 of our reference note). */
uint16_t mode6_system_status(const struct mode6_view *v);
uint16_t mode6_peer_status(const struct mode6_view *v, int i);

void mode6_system_vars(const struct mode6_view *v, struct mode6_items *out);
void mode6_peer_vars(const struct mode6_view *v, int i, struct mode6_items *out);

#endif
