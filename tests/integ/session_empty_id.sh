# An empty session id ('') names no session: it is a usage error (exit 2)
# that says so, for every command that takes one. As a prefix of every id it
# resumed the only session (`run --resume ''` ran a turn on it) or, with two,
# said "session '' is ambiguous (2 match)".
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "one", "stop_reason": "end_turn"},
 {"text": "two", "stop_reason": "end_turn"},
 {"text": "three", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" "task one" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
# one session: '' must not resume it
rc=0; "$DESKHAND" run --resume '' "again" >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 2 "run --resume '': $(cat "$T/out")"
assert_contains "$(cat "$T/out")" "session '': an empty id names no session"
assert_eq "$(wc -l < "$FAKE_LOG")" 1 "requests to the model after run --resume ''"
"$DESKHAND" run --grant "$G" "task two" >/dev/null 2>"$T/err" || { cat "$T/err"; fail "second run failed"; }
# two sessions: no "ambiguous", for each command that takes an id
cd "$G"
check() { # CMD...: exit 2 naming the empty id
  local rc=0
  "$DESKHAND" "$@" </dev/null >"$T/out" 2>&1 || rc=$?
  assert_eq "$rc" 2 "$*: $(cat "$T/out")"
  assert_contains "$(cat "$T/out")" "session '': an empty id names no session"
  assert_not_contains "$(cat "$T/out")" "ambiguous"
}
check run --resume '' "again"
check wait ''
check stop ''
check attach ''
check --resume ''
check review --session ''
check accept --session '' .
check undo --session ''
check log --session ''
check log ''
check diff --session ''
check audit verify ''
check inbox --dismiss ''
assert_eq "$(wc -l < "$FAKE_LOG")" 2 "requests to the model"
echo ok
