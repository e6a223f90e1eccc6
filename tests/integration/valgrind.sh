#!/bin/bash
# stratad under valgrind (memcheck): following chronyd -x, serving clients (two server
# threads), answering the control socket and ntpq-style queries, reloading, and stopping
# on SIGTERM, with zero memcheck errors and no definite leaks (--error-exitcode). The
# seccomp filter is off for this run only: valgrind's own system calls are not stratad's.
. "$(dirname "$0")/lib.sh"
need_built
not_under_valgrind "it runs memcheck itself"
need chronyd
need valgrind
if grep -qa __asan_init "$STRATAD"; then
	# memcheck cannot run an AddressSanitizer binary; the normal build's suite runs this.
	echo "SKIP: $STRATAD is an ASan build (memcheck runs in the normal build)"
	exit 77
fi

serving_setup # chronyd -x on P0, $T/a.conf serving on PS, control socket $SOCK
printf 'seccomp = false\nserver_threads = 2\nstatistics { directory = "%s" }\n' "$T" >>"$T/a.conf"
valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
	--show-leak-kinds=definite --track-fds=no "$STRATAD" -x -n -u root -c "$T/a.conf" \
	>"$T/v.log" 2>&1 &
PID=$!
STARTED_PIDS="$STARTED_PIDS $PID"
"$STRATACTL" waitsync --timeout 60 --interval 0.5 --socket "$SOCK" >/dev/null ||
	{ cat "$T/v.log" >&2; fail "not synchronised under valgrind"; }
case $(readlink "/proc/$PID/exe") in
*memcheck*) ;;
*) fail "stratad is not running under memcheck: $(readlink "/proc/$PID/exe")" ;;
esac
for cmd in status sources sourcestats serverstats clients; do
	"$STRATACTL" "$cmd" --json --socket "$SOCK" >/dev/null || fail "stratactl $cmd under valgrind"
done
"$STRATACTL" query --port "$PS" --count 4 127.0.0.1 >/dev/null || fail "no answers under valgrind"
"$STRATACTL" burst --socket "$SOCK" >/dev/null || fail "burst under valgrind"
"$STRATACTL" reload --socket "$SOCK" >/dev/null || fail "reload under valgrind"
"$STRATACTL" query --port "$PS" --count 2 127.0.0.1 >/dev/null || fail "no answers after the reload"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
[ "$rc" = 0 ] || { cat "$T/v.log" >&2; fail "stratad under valgrind exited $rc (99: memcheck errors)"; }
if grep -E '^==[0-9]+==' "$T/v.log"; then fail "valgrind reported something"; fi
pass "valgrind memcheck: synchronised, served, control commands, reload, clean exit, 0 errors"
