#!/usr/bin/env bash
# `deskhand doctor` on this machine (exit 0, bwrap and the trial ok), with bwrap gone (exit 1,
# a clear refusal and the fix), and run_command on a machine that cannot sandbox: refused
# with that explanation and nothing runs; with --dangerously-run-commands-unsandboxed the
# command runs, announced and marked.
. "$(dirname "$0")/../lib.sh"
[ -x "$DESKHAND" ] || fail "$DESKHAND not built"
bwrap --unshare-all --disable-userns --unshare-user --ro-bind / / true 2>"$T/probe" \
  || skip "bwrap cannot create namespaces here: $(head -1 "$T/probe")"

out=$("$DESKHAND" doctor --help); assert_contains "$out" "usage: deskhand doctor"
rc=0; "$DESKHAND" doctor --bogus >/dev/null 2>&1 || rc=$?; assert_eq "$rc" 2 "usage error"

# 1. This machine: everything needed is there.
rc=0; out=$("$DESKHAND" doctor 2>&1) || rc=$?
echo "$out"
assert_eq "$rc" 0 "doctor exit status"
grep -qE '^ok   bwrap [0-9]+\.[0-9]+\.[0-9]+ \(/' <<<"$out" || fail "no bwrap ok line"
grep -qE '^ok   sandbox trial: ' <<<"$out" || fail "no trial ok line"
for what in "user namespaces:" "seccomp:" "landlock:" "process limit:" "openat2" "inotify:" \
            "state directory"; do
  assert_contains "$out" "$what"
done
assert_contains "$out" "deskhand can run commands in the sandbox."
json=$("$DESKHAND" doctor --json)
assert_eq "$(jq -r '.can_sandbox' <<<"$json")" true
assert_eq "$(jq -r '.checks[] | select(.name=="trial") | .status' <<<"$json")" ok

# 2. No bubblewrap: not on PATH, and DH_BWRAP pointing nowhere.
nobw() { env PATH=/nonexistent:/usr/local/sbin DH_BWRAP=$T/no/bwrap "$@"; }
rc=0; out=$(nobw "$DESKHAND" doctor 2>&1) || rc=$?
echo "$out"
assert_eq "$rc" 1 "doctor without bwrap"
grep -q "^FAIL bwrap not found: $T/no/bwrap" <<<"$out" || fail "no bwrap FAIL line"
grep -q "^FAIL sandbox trial: commands cannot run sandboxed" <<<"$out" || fail "no trial FAIL"
assert_contains "$out" "fix: install bubblewrap: apt-get install bubblewrap"
assert_contains "$out" "deskhand cannot sandbox commands on this machine"
assert_eq "$(nobw "$DESKHAND" doctor --json | jq -r '.can_sandbox')" false

# 3. run_command on that machine: refused with the explanation, nothing runs.
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "cmd"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo ran > ran.txt; echo RAN"}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "echo again > again.txt"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$(nobw "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "cmd" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | "\(.is_error) \(.output)"' <<<"$out")
echo "$res"
assert_eq "$(grep -c '^true run_command: refused, nothing was run' <<<"$res")" 2 "both calls refused"
assert_contains "$res" "bubblewrap (bwrap) is not installed"
assert_contains "$res" "apt-get install bubblewrap"
assert_contains "$res" "deskhand doctor"
[ ! -e "$G/ran.txt" ] && [ ! -e "$G/again.txt" ] || fail "a refused command ran"
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=

# 4. The loudly named flag: the command runs without a sandbox, announced and marked.
start_fake "$T/script.json"
out=$(nobw "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json \
      --dangerously-run-commands-unsandboxed "cmd" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
err=$(cat "$T/err")
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command") | .output' <<<"$out")
echo "$res"; echo "$err"
assert_eq "$(cat "$G/ran.txt")" ran
assert_eq "$(cat "$G/again.txt")" again
assert_eq "$(grep -c '^\[UNSANDBOXED: this command ran WITHOUT any sandbox' <<<"$res")" 2 "marked"
assert_contains "$res" "RAN"
assert_eq "$(grep -c 'WARNING: running a command WITHOUT a sandbox' <<<"$err")" 2 "warned per command"
assert_contains "$err" "echo ran > ran.txt"
echo ok
