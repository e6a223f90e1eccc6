# Shared helpers for the integration tests (sourced, not run).
# Every test gets its own temporary directory; everything it started is ended by PID on exit.
# Nothing here touches the system clock: chronyd always runs with -x, stratad with -x.
set -u

: "${top_builddir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
STRATAD="$top_builddir/src/stratad"
STRATACTL="$top_builddir/src/stratactl"
STRATA_CLOCKD="$top_builddir/src/strata-clockd"
T=$(mktemp -d "${TMPDIR:-/tmp}/strata-test.XXXXXX")
STARTED_PIDS=""
# STRATA_VALGRIND=DIR (scripts/valgrind-suite): every stratad and stratactl runs under
# memcheck, one log per process in DIR, checked after the suite; waits last SLOW times longer.
SLOW=1
if [ -n "${STRATA_VALGRIND:-}" ]; then
	SLOW=${STRATA_SLOW:-10}
	# Tests scale their bounds on measured offsets and delays by it (memcheck's slowness
	# is in every timestamp the daemon takes).
	export STRATA_TEST_SLOW=$SLOW
	# Outside $T (0700): tests run stratactl as other users too.
	vg="$STRATA_VALGRIND/bin/$(basename "$0" .sh)"
	mkdir -p "$vg"
	chmod 755 "$STRATA_VALGRIND/bin" "$vg"
	for prog in stratad stratactl strata-clockd; do
		printf '#!/bin/sh\nexec valgrind -q --log-file=%s/%s.%%p.log --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --track-fds=no %s "$@"\n' \
			"$STRATA_VALGRIND" "$(basename "$0" .sh)-$prog" "$top_builddir/src/$prog" >"$vg/$prog"
		chmod 755 "$vg/$prog"
	done
	STRATAD="$vg/stratad"
	STRATACTL="$vg/stratactl"
	STRATA_CLOCKD="$vg/strata-clockd"
fi
# not_under_valgrind WHY: this test cannot run under memcheck (skipped there, with the reason).
not_under_valgrind() {
	[ -z "${STRATA_VALGRIND:-}" ] && return 0
	echo "SKIP: not under valgrind: $*"
	exit 77
}

cleanup() {
	for pid in $STARTED_PIDS; do
		kill "$pid" 2>/dev/null
	done
	for pid in $STARTED_PIDS; do
		for _ in $(seq 1 $((10 * SLOW))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$pid" 2>/dev/null
	done
	[ -n "${KEEP_TMP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }
# The binaries under test must be built (make builds both).
need_built() {
	[ -x "$STRATAD" ] || fail "$STRATAD not built"
	[ -x "$STRATACTL" ] || fail "$STRATACTL not built"
}
need() { command -v "$1" >/dev/null 2>&1 || fail "$1 is required for this test (scripts/test installs it)"; }

# A port in 20000..59999 that nothing listens on (UDP), seeded by the PID so runs differ.
pick_port() {
	local p i
	for i in $(seq 1 50); do
		p=$(( 20000 + (RANDOM * 32768 + RANDOM + $$ + i) % 40000 ))
		udp_port_open "$p" || { echo "$p"; return 0; }
	done
	fail "no free UDP port found"
}

# True if some socket is bound to UDP port $1 (IPv4 or IPv6).
udp_port_open() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v h=":$hex" 'NR > 1 && substr($2, length($2) - 4) == h { found = 1 } END { exit !found }' \
		/proc/net/udp /proc/net/udp6 2>/dev/null
}

# True if UDP port $2 is taken for IPv4 address $1: bound to it or to 0.0.0.0 (or ::).
udp_addr_taken() {
	local a b c d want port
	IFS=. read -r a b c d <<<"$1"
	want=$(printf '%02X%02X%02X%02X:%04X' "$d" "$c" "$b" "$a" "$2")
	port=$(printf ':%04X' "$2")
	awk -v w="$want" -v p="$port" 'NR > 1 && ($2 == w || $2 == "00000000" p ||
		$2 == "00000000000000000000000000000000" p) { found = 1 } END { exit !found }' \
		/proc/net/udp /proc/net/udp6 2>/dev/null
}

# NTPsec's client tools, unpacked from Debian's packages by scripts/deps test (never
# installed: ntpsec conflicts with chrony).
NTPSEC=${NTPSEC_DIR:-/var/cache/strata-test/ntpsec}

# ntpsec TOOL ARGS...: run an NTPsec tool with Debian's python3, without CAP_SYS_TIME, for at
# most 30 s. ntpdig is refused -s and -S (they set the clock).
ntpsec() {
	local tool=$1 a
	shift
	[ -f "$NTPSEC/usr/bin/$tool" ] || fail "NTPsec's $tool not in $NTPSEC (scripts/deps test fetches it)"
	if [ "$tool" = ntpdig ]; then
		for a in "$@"; do
			case $a in -s | -S | --step | --slew) fail "ntpdig $a would set the clock" ;; esac
		done
	fi
	setpriv --bounding-set=-sys_time -- env PYTHONPATH="$NTPSEC/usr/lib/python3/dist-packages" \
		LD_LIBRARY_PATH="$NTPSEC/usr/lib/x86_64-linux-gnu/ntp" \
		timeout 30 /usr/bin/python3 "$NTPSEC/usr/bin/$tool" "$@"
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds or the time is up.
wait_for() {
	local limit=$(( $1 * 10 * SLOW )) i=0
	shift
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge "$limit" ] && return 1
		sleep 0.1
	done
	return 0
}

# expect_line SECONDS FILE ERE WHAT: wait until FILE has a line matching ERE, then pass with
# WHAT and that line (without its log timestamp and level); on timeout show FILE and fail.
expect_line() {
	local secs=$1 file=$2 re=$3 what=$4
	wait_for "$secs" grep -qE "$re" "$file" ||
		{ cat "$file" >&2; fail "$what: no line matching '$re' within $secs s"; }
	pass "$what: $(grep -m1 -E "$re" "$file" |
		sed -E 's/^[0-9-]+ [0-9:.]+ (err|warning|notice|info|debug): //')"
}

# start_chronyd PORT [STRATUM] [ADDR]: a real chronyd as upstream on ADDR:PORT (default
# 127.0.0.1), never controlling the clock (-x), serving its local clock at STRATUM
# (default 1). Sets CHRONYD_PID.
start_chronyd() {
	local port=$1 stratum=${2:-1} addr=${3:-127.0.0.1} dir="$T/chronyd-$1"
	need chronyd
	mkdir -p "$dir"
	cat >"$dir/chrony.conf" <<CONF
local stratum $stratum
port $port
bindaddress $addr
allow 127.0.0.0/8
cmdport 0
pidfile $dir/chronyd.pid
CONF
	chronyd -x -d -u root -f "$dir/chrony.conf" >"$dir/log" 2>&1 &
	CHRONYD_PID=$!
	STARTED_PIDS="$STARTED_PIDS $CHRONYD_PID"
	wait_for 10 udp_port_open "$port" || { cat "$dir/log" >&2; fail "chronyd did not start on port $port"; }
}

# serving_setup: one chronyd -x upstream (port P0) and $T/a.conf for a stratad that follows
# it, serves 127.0.0.1:$PS to 127.0.0.1 and has its control socket at $SOCK. Sets P0, PS,
# SOCK.
serving_setup() {
	P0=$(pick_port)
	start_chronyd "$P0" 1
	PS=$(pick_port)
	SOCK="$T/ctl.sock"
	cat >"$T/a.conf" <<CONF
server "127.0.0.1" { port = $P0  iburst = true  minpoll = 1  maxpoll = 1 }
listen = { "127.0.0.1:$PS" }
allow = { "127.0.0.1" }
driftfile = ""
include_dir = ""
control_socket = "$SOCK"
CONF
}

# start_clockd LOG SOCKET ARGS...: the clock helper with the null clock (-x), listening on
# SOCKET, without CAP_SYS_TIME in its bounding set. Sets CLOCKD_PID.
start_clockd() {
	local log=$1 sock=$2
	shift 2
	setpriv --bounding-set=-sys_time -- "$STRATA_CLOCKD" -x -s "$sock" "$@" >"$log" 2>&1 &
	CLOCKD_PID=$!
	STARTED_PIDS="$STARTED_PIDS $CLOCKD_PID"
	wait_for 10 test -S "$sock" || { cat "$log" >&2; fail "strata-clockd did not listen on $sock"; }
}

# start_stratad_helper LOG SOCKET ARGS...: stratad in the foreground correcting the clock
# through the helper on SOCKET (-k, not -x), without CAP_SYS_TIME in its bounding set: even
# a mistake could not reach the clock. Sets STRATAD_PID.
start_stratad_helper() {
	local log=$1 sock=$2
	shift 2
	setpriv --bounding-set=-sys_time -- "$STRATAD" -k "$sock" -n -u root "$@" >"$log" 2>&1 &
	STRATAD_PID=$!
	STARTED_PIDS="$STARTED_PIDS $STRATAD_PID"
}

# start_stratad LOG ARGS...: stratad in the foreground with the null clock (-x -n).
# Sets STRATAD_PID.
start_stratad() {
	local log=$1
	shift
	"$STRATAD" -x -n -u root "$@" >"$log" 2>&1 &
	STRATAD_PID=$!
	STARTED_PIDS="$STARTED_PIDS $STRATAD_PID"
}
