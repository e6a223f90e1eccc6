#!/bin/sh
# bench-sim.sh [STRATA-SIM]: run every simulator scenario for seeds 1-5 and print, per
# scenario, the medians over the seeds. Offsets in microseconds; t_conv in seconds
# ("never" when the median run never stays below 1 ms). Needs only sh and awk.
#   SEEDS="1 2 3" SCENARIOS="lan-poll6 loss30" tests/sim/bench-sim.sh build/tests/sim/strata-sim
set -eu

sim=${1:-${STRATA_SIM:-./tests/sim/strata-sim}}
seeds=${SEEDS:-1 2 3 4 5}
if [ ! -x "$sim" ]; then
	echo "bench-sim.sh: $sim: not an executable (give the strata-sim path)" >&2
	exit 2
fi
scenarios=${SCENARIOS:-$("$sim" --list | awk '{ print $1 }')}

printf '%-28s %8s %10s %10s %10s %10s %8s %6s\n' scenario t_conv_s rms_us max_us p99_us \
	rms_fppm packets steps
for sc in $scenarios; do
	for seed in $seeds; do
		"$sim" --scenario "$sc" --seed "$seed" || echo "run_failed 1"
	done | awk -v sc="$sc" '
	function median(key,    n, i, j, v, tmp) {
		n = cnt[key]
		if (n == 0)
			return "nan"
		for (i = 1; i <= n; i++)
			v[i] = val[key, i]
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && v[j - 1] > v[j]; j--) {
				tmp = v[j]; v[j] = v[j - 1]; v[j - 1] = tmp
			}
		return (n % 2) ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	function add(key, x) { val[key, ++cnt[key]] = x }
	$1 == "t_conv_1ms_s" { add($1, ($2 < 0) ? 1e99 : $2) }   # never = +infinity
	$1 == "rms_offset_s" || $1 == "max_abs_offset_s" || $1 == "p99_abs_offset_s" {
		add($1, $2 * 1e6)
	}
	$1 == "rms_freq_ppm" || $1 == "packets_sent" || $1 == "steps" { add($1, $2) }
	$1 == "run_failed" { failed++ }
	END {
		tc = median("t_conv_1ms_s")
		tcs = (tc == "nan") ? "nan" : (tc >= 1e99) ? "never" : sprintf("%d", tc)
		printf "%-28s %8s %10.1f %10.1f %10.1f %10.4f %8d %6d%s\n", sc, tcs,
			median("rms_offset_s"), median("max_abs_offset_s"),
			median("p99_abs_offset_s"), median("rms_freq_ppm"),
			median("packets_sent"), median("steps"),
			failed ? sprintf("  (%d runs failed)", failed) : ""
	}'
done
