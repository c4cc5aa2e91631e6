# `deskhand sessions` with no session says so on stdout and how to start one
# (as `deskhand inbox` says "inbox empty"), exit 0; --json stays [].
. "$DH_TESTS/lib.sh"
rc=0; "$DESKHAND" sessions >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 0 "sessions: $(cat "$T/err")"
assert_eq "$(cat "$T/out")" 'no sessions (start one: deskhand --grant DIR, or deskhand run --grant DIR "TASK")'
assert_eq "$(cat "$T/err")" ""
rc=0; "$DESKHAND" sessions --json >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 0
assert_eq "$(jq -c . "$T/out")" "[]"
echo ok
