# Review verbs without --session act on the session whose grant holds the
# current directory (as git acts on the repository you stand in), else on the
# latest session, and name the session they used on stderr (never on --json's
# stdout). Options may follow operands (`accept x --json`); `log --session ID`
# works as the other verbs' --session does, and `log ID` (the older form) too.
. "$DH_TESTS/lib.sh"
A=$HOME/alpha; B=$T/beta   # A below $HOME: named as ~/alpha
mkdir -p "$A/sub" "$B" "$T/elsewhere"
printf 'a\n' > "$A/a.txt"; printf 'b\n' > "$B/b.txt"
script() { # FILE CONTENT
  jq -n --arg f "$1" --arg c "$2" '{"turns": [
   {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
   {"tool_calls": [{"name": "write_file", "id": "toolu_w", "input": {"path": $f, "content": $c}}]},
   {"text": "Done.", "stop_reason": "end_turn"}]}' > "$T/script.json"
}
run_on() { # GRANT
  "$DESKHAND" run --grant "$1" --approve-plan --mode auto --json "Write" >"$T/run.out" 2>"$T/err" \
    || { rc=$?; cat "$T/err"; fail "run on $1 exited $rc"; }
}
script new-a.txt "from A"; start_fake "$T/script.json"; run_on "$A"
kill "$FAKE_PID"; FAKE_PID=
script new-b.txt "from B"; start_fake "$T/script.json"; run_on "$B"
[ -e "$A/new-a.txt" ] && [ -e "$B/new-b.txt" ] || fail "the sessions did not run"
older=$("$DESKHAND" sessions --json | jq -r '.[] | select(.grants[0] | endswith("/alpha")) | .id')
newer=$("$DESKHAND" sessions --json | jq -r '.[] | select(.grants[0] | endswith("/beta")) | .id')
[ -n "$older" ] && [ -n "$newer" ] && [ "$older" != "$newer" ] || fail "sessions: $older $newer"

# In a folder below the older session's grant, undo acts on the older session.
cd "$A/sub"
"$DESKHAND" undo >"$T/out" 2>"$T/err" || fail "undo in A: $(cat "$T/err")"
[ ! -e "$A/new-a.txt" ] || fail "undo in A did not undo A's step"
[ -e "$B/new-b.txt" ] || fail "undo in A undid B's step"
assert_contains "$(cat "$T/err")" "deskhand: session $older (grant ~/alpha)"
"$DESKHAND" redo >/dev/null 2>&1 || fail "redo in A"
[ -e "$A/new-a.txt" ] || fail "redo in A"

# --json: stdout is the JSON alone; the session line goes to stderr.
"$DESKHAND" review --json >"$T/j" 2>"$T/err" || fail "review --json"
jq -e . "$T/j" >/dev/null || fail "review --json stdout is not JSON: $(head -c 300 "$T/j")"
assert_eq "$(jq -r .session "$T/j")" "$older"
assert_contains "$(cat "$T/err")" "deskhand: session $older"

# A flag after a path is a flag (options anywhere before --).
# (a relative path is relative to the current directory, sub/)
"$DESKHAND" accept ../new-a.txt --json >"$T/j" 2>"$T/err" || fail "accept PATH --json: $(cat "$T/err")"
assert_eq "$(jq -r '.status' "$T/j")" ok
assert_eq "$("$DESKHAND" review --json 2>/dev/null | jq -r '[.grants[].files[]] | length')" 0

# In B: B's session; outside every grant: the latest, saying so.
cd "$B"
assert_eq "$("$DESKHAND" review --json 2>/dev/null | jq -r .session)" "$newer"
cd "$T/elsewhere"
"$DESKHAND" review --json >"$T/j" 2>"$T/err" || fail "review outside"
assert_eq "$(jq -r .session "$T/j")" "$newer"
assert_contains "$(cat "$T/err")" "(the latest: no session's grant holds"
# --session wins over the directory, and prints no guess.
cd "$A"
"$DESKHAND" review --json --session "$newer" >"$T/j" 2>"$T/err" || fail "review --session"
assert_eq "$(jq -r .session "$T/j")" "$newer"
assert_not_contains "$(cat "$T/err")" "deskhand: session"

# log --session ID, log ID (older form), and log with no session (the cwd's)
assert_contains "$("$DESKHAND" log --session "$newer" 2>/dev/null)" "session $newer"
assert_contains "$("$DESKHAND" log "$newer" 2>/dev/null)" "session $newer"
assert_contains "$("$DESKHAND" log 2>/dev/null)" "session $older"
"$DESKHAND" log --json --session "$newer" 2>/dev/null | jq -e . >/dev/null || fail "log --json --session"
echo ok
