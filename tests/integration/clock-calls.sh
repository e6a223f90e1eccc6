#!/bin/bash
# No file but the system clock driver may call a clock-setting function: tests and the
# null driver must never be able to move this machine's clock.
. "$(dirname "$0")/lib.sh"
cd "$top_srcdir" || fail "no source tree"
pattern='\b(clock_adjtime|adjtimex|ntp_adjtime|clock_settime|settimeofday|adjtime|stime)[[:space:]]*\('
hits=$(grep -rnE "$pattern" --include='*.c' --include='*.h' --include='*.sh' src tests bench examples 2>/dev/null |
	grep -v '^src/clock/clock_system\.c:' | grep -v '^tests/integration/clock-calls\.sh:')
if [ -n "$hits" ]; then
	echo "$hits" >&2
	fail "clock-setting calls outside src/clock/clock_system.c"
fi
[ -f src/clock/clock_system.c ] || fail "src/clock/clock_system.c is missing"
# The check must be able to see a call: make sure the pattern matches the system driver.
grep -qE "$pattern" src/clock/clock_system.c || fail "pattern matches nothing in the system driver"
pass "only src/clock/clock_system.c calls clock-setting functions"
