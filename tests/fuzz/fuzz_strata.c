/* libFuzzer target: every libstrata decoder on the same input. Each must reject cleanly or
 * accept a canonical encoding: decode -> encode gives the input back byte for byte, and the
 * decoded value survives the operations on it (compare and merge with itself, an event).
 * The interval tree clock's text parser gets the input as a string too. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "strata/strata.h"

#define SAME(enc, x, what)                                                                         \
	do {                                                                                       \
		uint8_t *b_ = malloc(size ? size : 1);                                             \
		FUZZ_CHECK(b_ &&enc(x, b_, size) == size && memcmp(b_, data, size) == 0, what);    \
		free(b_);                                                                          \
	} while (0)

static void clocks(const uint8_t *data, size_t size)
{
	strata_lamport_t l;
	strata_hlc_ts_t h;
	strata_vclock_t v;
	strata_itc_t i, j;

	if (strata_lamport_decode(&l, data, size) == 0)
		SAME(strata_lamport_encode, &l, "lamport encoding is canonical");
	if (strata_hlc_decode(&h, data, size) == 0)
		SAME(strata_hlc_encode, &h, "hlc encoding is canonical");
	if (strata_vclock_decode(&v, data, size) == 0) {
		SAME(strata_vclock_encode, &v, "vclock encoding is canonical");
		FUZZ_CHECK(strata_vclock_compare(&v, &v) == STRATA_EQUAL, "vclock equals itself");
		FUZZ_CHECK(strata_vclock_merge(&v, &v) == 0, "vclock merges with itself");
		SAME(strata_vclock_encode, &v, "vclock merge is idempotent");
		strata_vclock_free(&v);
	}
	if (strata_itc_decode(&i, data, size) == 0) {
		SAME(strata_itc_encode, &i, "itc encoding is canonical");
		FUZZ_CHECK(strata_itc_compare(&i, &i) == STRATA_EQUAL, "itc equals itself");
		if (strata_itc_fork(&i, &j) == 0) {
			(void)strata_itc_event(&j);
			FUZZ_CHECK(strata_itc_join(&i, &j) == 0, "a fork joins back");
		}
		strata_itc_free(&i);
	}
}

static void crdts(const uint8_t *data, size_t size)
{
	strata_gcounter_t g;
	strata_pncounter_t p;
	strata_lww_t w;
	strata_orset_t o;
	strata_opcounter_op_t op;
	uint64_t u;
	int64_t s;

	if (strata_gcounter_decode(&g, data, size) == 0) {
		SAME(strata_gcounter_encode, &g, "gcounter encoding is canonical");
		(void)strata_gcounter_value(&g, &u);
		strata_gcounter_free(&g);
	}
	if (strata_pncounter_decode(&p, data, size) == 0) {
		SAME(strata_pncounter_encode, &p, "pncounter encoding is canonical");
		(void)strata_pncounter_value(&p, &s);
		strata_pncounter_free(&p);
	}
	if (strata_lww_decode(&w, data, size) == 0) {
		SAME(strata_lww_encode, &w, "lww encoding is canonical");
		FUZZ_CHECK(strata_lww_merge(&w, &w) == 0, "lww merges with itself");
		strata_lww_free(&w);
	}
	if (strata_orset_decode(&o, data, size) == 0) {
		SAME(strata_orset_encode, &o, "orset encoding is canonical");
		FUZZ_CHECK(strata_orset_merge(&o, &o) == 0, "orset merges with itself");
		SAME(strata_orset_encode, &o, "orset merge is idempotent");
		strata_orset_free(&o);
	}
	if (strata_opcounter_op_decode(&op, data, size) == 0) {
		strata_opcounter_t c;
		SAME(strata_opcounter_op_encode, &op, "opcounter op encoding is canonical");
		strata_opcounter_init(&c, 0);
		FUZZ_CHECK(strata_opcounter_deliver(&c, &op) >= 0 || c.npending == 0,
		           "an operation is applied, held or refused");
		strata_opcounter_free(&c);
		strata_opcounter_op_free(&op);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	clocks(data, size);
	crdts(data, size);
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	strata_itc_t i;
	if (strata_itc_parse(&i, text) == 0)
		strata_itc_free(&i);
	free(text);
	return 0;
}
