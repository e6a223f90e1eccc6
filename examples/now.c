/* examples/now.c: "now, give or take" from stratad, and a hybrid logical clock stamped
 * from it. Build against an installed libstrata:
 *     cc now.c $(pkg-config --cflags --libs strata) -o now
 * Usage: now [TIME_FILE]    (default /run/strata/time)
 * Exit status 0 when the interval is bounded, 1 when it is not. */
#include <inttypes.h>
#include <stdio.h>
#include <strata/strata.h>

int main(int argc, char **argv)
{
	strata_clock_t *clk = strata_clock_open(argc > 1 ? argv[1] : NULL);
	strata_interval_t iv;
	strata_hlc_t hlc;
	strata_hlc_ts_t a, b;

	if (!clk || strata_clock_now(clk, &iv) < 0) {
		fprintf(stderr, "now: cannot read the clock\n");
		return 2;
	}
	if (iv.synchronised)
		printf("now %" PRId64 " ns, give or take %" PRId64 " ns (stratum %d)\n",
		       iv.local_ns, iv.error_ns, iv.stratum);
	else
		printf("now %" PRId64 " ns, unbounded: %s\n", iv.local_ns, iv.reason);

	/* Two events on a hybrid logical clock fed by the same file. */
	strata_hlc_init(&hlc, 1000000000 /* refuse peers > 1 s ahead */, NULL, clk);
	if (strata_hlc_now(&hlc, &a) < 0 || strata_hlc_now(&hlc, &b) < 0) {
		fprintf(stderr, "now: hlc failed\n");
		return 2;
	}
	printf("hlc %" PRId64 ".%u then %" PRId64 ".%u: %s\n", a.wall, a.logical, b.wall, b.logical,
	       strata_order_name(strata_hlc_compare(&a, &b)));
	strata_clock_close(clk);
	return iv.synchronised ? 0 : 1;
}
