#!/bin/bash
# stratad -x against three real chronyd -x upstreams (stratum 1, 2 and 3) and one lying
# server 1 s ahead, on loopback: it must report, in its log and in sd_notify STATUS=, that
# it follows the stratum 1 chronyd at stratum 2 with a sub-millisecond offset, and mark the
# liar a falseticker. Then a lone server 2000 s ahead: insane time is refused and reported,
# and the daemon keeps running; the drift file at start; the poll and select event backends.
# Nothing here touches the clock (-x everywhere).
. "$(dirname "$0")/lib.sh"
need_built
need python3
here="$top_srcdir/tests/integration"

has() { grep -qE "$2" "$1"; }

# run_until NAME ERE [VAR=VALUE...]: stratad -x with $T/NAME.conf (and that environment)
# until its log $T/NAME.log matches ERE, then SIGTERM.
run_until() {
	local name=$1 re=$2 log="$T/$1.log" pid
	shift 2
	env "$@" "$STRATAD" -x -n -u root -c "$T/$name.conf" >"$log" 2>&1 &
	pid=$!
	STARTED_PIDS="$STARTED_PIDS $pid"
	expect_line 10 "$log" "$re" "$name"
	kill -TERM "$pid"
}

# one_source NAME PORT [OPTION...]: $T/NAME.conf polling 127.0.0.1:PORT with iburst, plus
# the given option lines (and no drift file unless they name one).
one_source() {
	local name=$1 port=$2
	shift 2
	{
		echo "server \"127.0.0.1\" { port = $port  iburst = true }"
		echo 'include_dir = ""'
		[ $# -gt 0 ] && printf '%s\n' "$@"
		case "$*" in *driftfile*) ;; *) echo 'driftfile = ""' ;; esac
	} >"$T/$name.conf"
}

# start_fake PORT OFFSET [ADDR]: the lying server. Sets FAKE_PID.
start_fake() {
	python3 "$here/fake-ntp.py" "$1" "$2" 1 "${3:-127.0.0.1}" >"$T/fake-$1.log" 2>&1 &
	FAKE_PID=$!
	STARTED_PIDS="$STARTED_PIDS $FAKE_PID"
	wait_for 10 udp_port_open "$1" || { cat "$T/fake-$1.log" >&2; fail "fake server did not start"; }
}

# start_listener NAME: a NOTIFY_SOCKET stand-in; sets SOCK and NOTES (its output file).
start_listener() {
	SOCK="$T/$1.sock"
	NOTES="$T/$1.notify"
	python3 "$here/notify-listen.py" "$SOCK" "$NOTES" &
	STARTED_PIDS="$STARTED_PIDS $!"
	wait_for 10 has "$NOTES" LISTENING || fail "notify listener did not start"
}

# run_stratad NAME: stratad -x with $T/NAME.conf, notifying $SOCK; sets LOG and PID.
run_stratad() {
	LOG="$T/$1.log"
	NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=1000000 "$STRATAD" -x -n -u root -c "$T/$1.conf" >"$LOG" 2>&1 &
	PID=$!
	STARTED_PIDS="$STARTED_PIDS $PID"
}

# Server names must differ: each upstream gets its own loopback address.
P1=$(pick_port); start_chronyd "$P1" 1 127.0.0.1
P2=$(pick_port); start_chronyd "$P2" 2 127.0.0.2
P3=$(pick_port); start_chronyd "$P3" 3 127.0.0.3
PF=$(pick_port); start_fake "$PF" 1.0 127.0.0.4
{
	echo "server \"127.0.0.1\" { port = $P1  iburst = true }"
	echo "server \"127.0.0.2\" { port = $P2  iburst = true }"
	echo "server \"127.0.0.3\" { port = $P3  iburst = true }"
	echo "server \"127.0.0.4\" { port = $PF  iburst = true }"
	echo 'driftfile = ""'
	echo 'include_dir = ""'
	echo "timesync_file = \"$T/timesync/synchronized\""
} >"$T/four.conf"
"$STRATAD" --check-config -c "$T/four.conf" >/dev/null 2>"$T/check.err" ||
	{ cat "$T/check.err" >&2; fail "test configuration rejected"; }
start_listener four
run_stratad four

sync_re="synchronised to 127\.0\.0\.1:$P1, stratum 2, offset [-+]0\.000[0-9]+ s"
expect_line 30 "$LOG" "$sync_re" "log (the stratum 1 chronyd)"
status_re="^STATUS=Synchronised to 127\.0\.0\.1:$P1, stratum 2, offset [-+]0\.000[0-9]+ s$"
expect_line 10 "$NOTES" "$status_re" "notify"
has "$NOTES" "^READY=1$" || fail "no READY=1"
ft_re="notice: 127\.0\.0\.4:$PF is a falseticker: offset \+(0\.99|1\.00)[0-9]* s disagrees with the majority$"
expect_line 10 "$LOG" "$ft_re" "liar"
if grep -E "synchronised to 127\.0\.0\.4:$PF|stepping" "$LOG"; then
	fail "followed the liar or stepped"
fi
pass "never followed the liar, never stepped"

# WatchdogSec= (WATCHDOG_USEC=1 s): WATCHDOG=1 every 0.5 s from the event loop. With -x the
# clock is not synchronised by us, so systemd's time-sync flag file is not created.
expect_line 5 "$LOG" "systemd watchdog: WATCHDOG=1 every 0\.5 s" "watchdog"
wait_for 10 sh -c "[ \$(grep -c '^WATCHDOG=1$' '$NOTES') -ge 4 ]" || fail "fewer than 4 WATCHDOG=1 pings"
[ ! -e "$T/timesync/synchronized" ] || fail "-x created the time-sync flag file"
pass "$(grep -c '^WATCHDOG=1$' "$NOTES") watchdog pings; no time-sync flag file with -x"

# A reload tells systemd RELOADING=1 (with MONOTONIC_USEC), then READY=1 again.
kill -HUP "$PID"
expect_line 10 "$NOTES" "^RELOADING=1$" "notify (reload)"
expect_line 10 "$NOTES" "^MONOTONIC_USEC=[0-9]+$" "notify (reload time)"
wait_for 10 sh -c "[ \$(grep -c '^READY=1$' '$NOTES') -ge 2 ]" || fail "no READY=1 after the reload"
[ "$(grep -n -m1 '^RELOADING=1$' "$NOTES" | cut -d: -f1)" -lt "$(grep -n '^READY=1$' "$NOTES" | tail -1 | cut -d: -f1)" ] ||
	fail "READY=1 did not follow RELOADING=1"
pass "reload: RELOADING=1, then READY=1"

# A lone server 2000 s ahead: refused, reported, still running.
PI=$(pick_port); start_fake "$PI" 2000
one_source insane "$PI"
start_listener insane
run_stratad insane
insane_re="err: insane time: offset \+(1999\.9|2000\.0)[0-9]* s from 127\.0\.0\.1:$PI is beyond the panic threshold 1000 s"
expect_line 30 "$LOG" "$insane_re" "log (insane time)"
st_re="^STATUS=Not synchronised: insane offset \+(1999\.9|2000\.0)[0-9]* s refused; 1 sources?, 1 reachable$"
expect_line 10 "$NOTES" "$st_re" "notify (the reason)"
sleep 1
kill -0 "$PID" 2>/dev/null || { cat "$LOG" >&2; fail "stratad exited on insane time"; }
! has "$LOG" "notice: synchronised to" || fail "claimed synchronisation"
pass "still running, unsynchronised"

# Drift file at start: a good one is read, a corrupt one is ignored with a warning, a
# missing one is reported; under -x none of them is ever written.
for n in drift-good drift-corrupt drift-missing; do one_source "$n" "$PI" "driftfile = \"$T/drift\""; done
printf '%s\n' '-12.345 0.250' >"$T/drift"
run_until drift-good "info: frequency -12\.345 ppm \(error 0\.250 ppm\) from the drift file $T/drift"
cmp -s "$T/drift" <(printf '%s\n' '-12.345 0.250') || fail "the drift file changed under -x"
printf 'garbage\n' >"$T/drift"
run_until drift-corrupt "warning: drift file ignored: "
[ "$(cat "$T/drift")" = garbage ] || fail "the corrupt drift file was rewritten under -x"
rm -f "$T/drift"
run_until drift-missing "info: no drift file $T/drift yet"
[ ! -e "$T/drift" ] || fail "a drift file was created under -x"

# Simulatable (architecture note 3.2): libevent's poll and select backends work, as the
# LD_PRELOAD clock and network simulators need.
synced_re="synchronised to 127\.0\.0\.1:$P1, stratum 2"
one_source backend-poll "$P1"
run_until backend-poll "$synced_re" EVENT_NOEPOLL=1
has "$T/backend-poll.log" "event backend poll" || fail "the poll backend was not used"
one_source backend-select "$P1"
run_until backend-select "$synced_re" EVENT_NOEPOLL=1 EVENT_NOPOLL=1
has "$T/backend-select.log" "event backend select" || fail "the select backend was not used"

# leapseclist at start: the IERS list tzdata shipped (expired on 28 June 2026), a damaged
# copy, a missing file, and a synthetic list valid until 28 June 2027.
vec="$top_srcdir/tests/vectors"
# The 1994 leap moved by one day: still well formed, but the hash no longer matches.
sed 's/^2982009600/2982096000/' "$vec/leap-seconds.list" >"$T/damaged.list"
one_source leap-iers "$P1" "leapseclist = \"$vec/leap-seconds.list\""
one_source leap-damaged "$P1" "leapseclist = \"$T/damaged.list\""
one_source leap-missing "$P1" "leapseclist = \"$T/none.list\""
one_source leap-valid "$P1" "leapseclist = \"$vec/leap-test-delete.list\""
run_until leap-iers "warning: leap seconds list .* expired on 2026-06-28"
run_until leap-damaged "warning: leap seconds list .* not used: hash mismatch"
run_until leap-missing "warning: leap seconds list .* not used: No such file"
if [ "$(date -u +%s)" -lt 1814140800 ]; then # 2027-06-28
	run_until leap-valid "info: leap seconds list .*: 2 entries, TAI-UTC 37 s, valid until 2027-06-28"
else
	run_until leap-valid "expired on 2027-06-28"
fi
