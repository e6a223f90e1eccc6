#!/bin/bash
# libstrata against a running stratad -x on loopback: the time file it publishes, what
# `stratactl now` reads from it (bounded, around the local clock, consistent with the
# daemon's own error bound), the states a reader must report as unbounded (before sync,
# daemon stopped, file missing or not a time file), and the example programs built with
# `pkg-config --cflags --libs strata` against `make install DESTDIR=...`.
. "$(dirname "$0")/lib.sh"
need_built
need pkg-config
need cc

serving_setup
TF="$T/run/time"
mkdir -p "$T/run"
echo "time_file = \"$TF\"" >>"$T/a.conf"
now() { "$STRATACTL" now --file "$TF" "$@"; }

# Missing file: unbounded, the reason names it, exit 1.
now >"$T/none.out" && fail "now exits 0 without a time file"
grep -q "no stratad time file $TF" "$T/none.out" || { cat "$T/none.out"; fail "no reason for a missing file"; }
pass "no daemon: $(grep Synchronised "$T/none.out")"
# Not a time file.
printf 'garbage' >"$TF"
now >"$T/bad.out" && fail "now exits 0 on a garbage file"
grep -q "is not a stratad time file" "$T/bad.out" || { cat "$T/bad.out"; fail "garbage file not refused"; }
pass "garbage file refused: $(grep Synchronised "$T/bad.out")"

start_stratad "$T/d.log" -d -c "$T/a.conf"
expect_line 5 "$T/d.log" "publishing the error bound in $TF" "time file opened"
[ "$(stat -c %a "$TF")" = 644 ] || fail "time file mode $(stat -c %a "$TF"), not 644"
[ "$(stat -c %s "$TF")" = 128 ] || fail "time file size $(stat -c %s "$TF"), not 128"
pass "time file replaced the garbage: mode 644, 128 bytes"

wait_for 20 now || { cat "$T/d.log" >&2; now; fail "not bounded within 20 s"; }
# The daemon's status around the read, with no clock update in between (else again).
for _ in 1 2 3 4 5; do
	"$STRATACTL" status --socket "$SOCK" --json >"$T/before.json"
	now --json >"$T/now.json"
	"$STRATACTL" status --socket "$SOCK" --json >"$T/status.json"
	u() { /usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["updates"])' "$1"; }
	[ "$(u "$T/before.json")" = "$(u "$T/status.json")" ] && break
done
/usr/bin/python3 - "$T/now.json" "$T/status.json" <<'PY' || fail "interval inconsistent"
import json, sys, time
n = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
assert n["synchronised"] is True, n
assert n["earliest_ns"] <= n["local_ns"] <= n["latest_ns"], n
assert n["latest_ns"] - n["local_ns"] == n["local_ns"] - n["earliest_ns"], n
err = n["error"]
base = s["root_delay"] / 2 + s["root_dispersion"]
# At least the daemon's own bound; at most that plus its offset, 1 us and the growth since
# the update at the published rate: skew (100 ppm until known) + 1 ppm + |frequency| (-x).
skew = s["skew_ppm"] if s["skew_ppm"] is not None else 100
rate = (max(skew, 100) + 1 + abs(s["frequency_ppm"])) * 1e-6
age = time.time() - s["reference_time"] + 1
assert err >= base, (err, base)
assert err <= base + abs(s["offset"]) + 1e-6 + rate * age, (err, s)
assert err < 0.05, err
assert n["stratum"] == s["stratum"] == 2, (n, s)
print("PASS: bounded: error %.6f s (daemon's root delay/2 + dispersion %.6f s, offset %+.6f s), stratum %d"
      % (err, base, s["offset"], n["stratum"]))
PY
now | grep -q "Synchronised  : yes (stratum 2)" || fail "text output"
pass "stratactl now (text): $(now | grep 'Error bound')"

# The example programs, built with pkg-config against an installed copy.
prefix=$(sed -n 's/^prefix=//p' "$top_builddir/strata.pc")
libdir=$(pkg-config --variable=libdir "$top_builddir/strata.pc")
inst="$T/inst"
make -s -C "$top_builddir" install DESTDIR="$inst" >"$T/install.log" 2>&1 ||
	{ tail -20 "$T/install.log"; fail "make install DESTDIR failed"; }
export PKG_CONFIG_PATH="$inst$libdir/pkgconfig"
flags=$(pkg-config --define-variable=prefix="$inst$prefix" --cflags --libs strata) ||
	fail "pkg-config does not know strata"
# An ASan build's library needs the sanitizer runtime in the program too.
san=""
grep -qa __asan_init "$STRATAD" && san="-fsanitize=address,undefined"
for ex in now replicas; do
	cc -Wall -Wextra -Werror $san -o "$T/$ex" "$top_srcdir/examples/$ex.c" $flags ||
		fail "examples/$ex.c does not build with: $flags"
done
pass "examples build with pkg-config: $flags"
LD_LIBRARY_PATH="$inst$libdir" "$T/now" "$TF" >"$T/ex.out" || { cat "$T/ex.out"; fail "examples/now: not bounded"; }
grep -qE '^now [0-9]+ ns, give or take [0-9]+ ns \(stratum 2\)$' "$T/ex.out" || { cat "$T/ex.out"; fail "examples/now output"; }
grep -qE '^hlc [0-9]+\.0 then [0-9]+\.[0-9]+: before$' "$T/ex.out" || { cat "$T/ex.out"; fail "examples/now hlc output"; }
pass "examples/now: $(head -1 "$T/ex.out")"
LD_LIBRARY_PATH="$inst$libdir" "$T/replicas" >"$T/rep.out" || fail "examples/replicas failed"
grep -q '^alice: bread eggs milk$' "$T/rep.out" && grep -q '^visits: 5$' "$T/rep.out" ||
	{ cat "$T/rep.out"; fail "examples/replicas output"; }
pass "examples/replicas: $(tr '\n' ';' <"$T/rep.out")"
if [ -z "$san" ] && command -v valgrind >/dev/null; then
	for ex in "now $TF" replicas; do
		LD_LIBRARY_PATH="$inst$libdir" valgrind -q --error-exitcode=99 --leak-check=full \
			--errors-for-leak-kinds=all $T/$ex >"$T/vg.out" 2>&1 ||
			{ cat "$T/vg.out"; fail "examples/${ex%% *} under valgrind"; }
	done
	pass "both examples: zero memcheck errors, no leaks"
fi
# The installed library exports strata_* only.
bad=$(nm -D --defined-only "$inst$libdir/libstrata.so" | awk '{print $3}' | grep -v '^strata_' || true)
[ -z "$bad" ] || fail "libstrata.so exports more than strata_*: $bad"
pass "libstrata.so exports $(nm -D --defined-only "$inst$libdir/libstrata.so" | grep -c ' T strata_') strata_* functions only"

# Stopped: the entry says so at once.
kill "$STRATAD_PID"
wait_for 5 grep -q "stopped" "$T/d.log" || fail "stratad did not stop"
now >"$T/stopped.out" && fail "now exits 0 after the daemon stopped"
grep -q "stratad is not running" "$T/stopped.out" || { cat "$T/stopped.out"; fail "stopped daemon not reported"; }
pass "daemon stopped: $(grep Synchronised "$T/stopped.out")"

# A restart reuses the file (same inode: readers keep their mapping).
ino=$(stat -c %i "$TF")
start_stratad "$T/d2.log" -d -c "$T/a.conf"
wait_for 20 now || fail "not bounded again after a restart"
[ "$(stat -c %i "$TF")" = "$ino" ] || fail "the restarted daemon replaced the file"
pass "restart: same file (inode $ino), bounded again"

# -x without time_file named: the default path is left alone.
sed -i '/^time_file/d' "$T/a.conf"
kill "$STRATAD_PID"
wait_for 5 grep -q "stopped" "$T/d2.log" || fail "stratad did not stop"
start_stratad "$T/d3.log" -d -c "$T/a.conf"
expect_line 5 "$T/d3.log" "started:" "-x without time_file"
grep -q "publishing the error bound" "$T/d3.log" && fail "-x published at the default path"
pass "-x publishes only at a named time_file"
