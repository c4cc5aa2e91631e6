#!/usr/bin/env bash
# The session's first command is the sandbox's trial (no separate run of /bin/true first):
# - deskhand-sandbox exits 125 when bwrap fails to set the sandbox up (it exits 1 itself),
#   and passes the command's own 1 and 125 through;
# - a session's commands start the helper once each;
# - a first command that exits 125 on its own gets its own result (the trial then run says
#   the sandbox works) and later commands run;
# - with a bwrap that cannot set up the sandbox, every call is refused with the
#   explanation and nothing runs.
. "$(dirname "$0")/../lib.sh"
[ -x "$SANDBOX" ] || fail "$SANDBOX not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"
W=$T/work; mkdir -p "$W"

# 1. The helper: bwrap's own setup failure is 125, the command's 1 and 125 are its own.
FB=$T/bin/bwrap; mkdir -p "$T/bin"
printf '#!/bin/sh\necho "bwrap: Creating new namespace failed: Operation not permitted" >&2\nexit 1\n' > "$FB"
chmod +x "$FB"
rc=0; "$SANDBOX" --bwrap "$FB" --rw "$W" -- sh -c 'echo ran > ran.txt' 2>"$T/err" || rc=$?
cat "$T/err"
assert_eq "$rc" 125 "bwrap setup failure"
assert_contains "$(cat "$T/err")" "bwrap: Creating new namespace failed"
assert_contains "$(cat "$T/err")" "deskhand-sandbox: bwrap could not set up the sandbox (exit 1)"
[ ! -e "$W/ran.txt" ] || fail "the command ran"
rc=0; "$SANDBOX" --rw "$W" -- sh -c 'exit 1' 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "the command's own exit 1"; assert_eq "$(cat "$T/err")" ""
rc=0; "$SANDBOX" --rw "$W" -- sh -c 'exit 125' 2>"$T/err" || rc=$?
assert_eq "$rc" 125 "the command's own exit 125"; assert_eq "$(cat "$T/err")" ""

# 2. A first command exiting 125 by itself: its result, then the next command runs.
G=$T/g; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "cmd"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo first > first.txt; echo FIRST; exit 125"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo second > second.txt; echo SECOND"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "cmd" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | "\(.is_error) \(.output)"' <<<"$out")
echo "$res"
assert_contains "$(head -2 <<<"$res")" "true FIRST"
assert_contains "$res" "exit status 125"
assert_contains "$res" "false SECOND"
assert_eq "$(cat "$G/first.txt")" first
assert_eq "$(cat "$G/second.txt")" second
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=

# 2b. No separate trial: a session whose commands succeed starts the helper once per command.
rm -f "$G"/*.txt
printf '#!/bin/sh\necho "$*" >> "%s"\nexec "%s" "$@"\n' "$T/calls" "$SANDBOX" > "$T/bin/sbx"
chmod +x "$T/bin/sbx"
sed 's/; exit 125//' "$T/script.json" > "$T/ok.json"
start_fake "$T/ok.json"
DH_SANDBOX=$T/bin/sbx "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "cmd" \
  > "$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
cat "$T/calls"
assert_eq "$(wc -l < "$T/calls")" 2 "one helper run per command"
grep -q -- '-- /bin/true$' "$T/calls" && fail "a separate trial ran"
assert_eq "$(cat "$G/second.txt")" second
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=

# 3. A bwrap that cannot set up the sandbox: both calls refused, nothing ran.
rm -f "$G"/*.txt
start_fake "$T/script.json"
out=$(DH_BWRAP=$FB "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "cmd" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | "\(.is_error) \(.output)"' <<<"$out")
echo "$res"
assert_eq "$(grep -c '^true run_command: refused, nothing was run' <<<"$res")" 2 "both calls refused"
assert_contains "$res" "bwrap cannot create namespaces here"
[ ! -e "$G/first.txt" ] && [ ! -e "$G/second.txt" ] || fail "a refused command ran"
echo ok
