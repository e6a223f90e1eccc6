/* examples/replicas.c: two replicas of a shopping list (an OR-Set) and a visit counter
 * (a PN-Counter) that change apart and merge through their encodings, as if sent over a
 * network; an interval tree clock shows the two histories were concurrent.
 *     cc replicas.c $(pkg-config --cflags --libs strata) -o replicas */
#include <stdio.h>
#include <stdlib.h>
#include <strata/strata.h>

/* "Send" an OR-Set: encode it, decode a copy, merge the copy into dst. */
static int ship(const strata_orset_t *src, strata_orset_t *dst)
{
	size_t n = strata_orset_encode(src, NULL, 0);
	uint8_t *wire = malloc(n);
	strata_orset_t copy;
	int r = -1;
	if (wire && strata_orset_encode(src, wire, n) == n &&
	    strata_orset_decode(&copy, wire, n) == 0) {
		r = strata_orset_merge(dst, &copy);
		strata_orset_free(&copy);
	}
	free(wire);
	return r;
}

static void show(const char *who, const strata_orset_t *s)
{
	printf("%s:", who);
	for (size_t i = 0; i < s->n; i++)
		printf(" %.*s", (int)s->el[i].len, (const char *)s->el[i].data);
	printf("\n");
}

int main(void)
{
	strata_orset_t alice, bob;
	strata_pncounter_t va, vb;
	strata_itc_t ia, ib;
	int64_t visits;

	strata_orset_init(&alice);
	strata_orset_init(&bob);
	strata_pncounter_init(&va);
	strata_pncounter_init(&vb);
	if (strata_itc_seed(&ia) < 0 || strata_itc_fork(&ia, &ib) < 0)
		return 1;
	strata_orset_add(&alice, 1, "milk", 4);
	strata_orset_add(&alice, 1, "bread", 5);
	ship(&alice, &bob);
	/* Apart: Alice buys the milk, Bob wants milk again and eggs. */
	strata_orset_remove(&alice, "milk", 4);
	strata_itc_event(&ia);
	strata_orset_add(&bob, 2, "milk", 4);
	strata_orset_add(&bob, 2, "eggs", 4);
	strata_itc_event(&ib);
	strata_pncounter_add(&va, 1, 3);
	strata_pncounter_add(&vb, 2, 2);
	printf("histories: %s\n", strata_order_name(strata_itc_compare(&ia, &ib)));
	ship(&alice, &bob);
	ship(&bob, &alice);
	strata_pncounter_merge(&va, &vb);
	strata_pncounter_value(&va, &visits);
	show("alice", &alice);
	show("bob  ", &bob);
	printf("visits: %lld\n", (long long)visits);
	strata_itc_join(&ia, &ib);
	strata_orset_free(&alice);
	strata_orset_free(&bob);
	strata_pncounter_free(&va);
	strata_pncounter_free(&vb);
	strata_itc_free(&ia);
	return 0;
}
