# A plan or a task too big for the session's meta.json cannot make the session
# unreadable: propose_plan with a 1.2 MB title, or 101 steps, is refused (the
# model sees why and proposes again); a long task (100 kB here, as long as
# one argument can be; the workbench takes longer pastes) is kept whole in the
# transcript and cut to 4 KiB in meta.json; afterwards `sessions`, `log` and
# `undo` work on the session.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
python3 - "$T/script.json" <<'PY'
import json, sys
big = "x" * 1200000
many = [{"title": "step %d" % i} for i in range(101)]
turns = [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": big}]}}]},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": many}}]},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a.txt"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "one\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"},
]
json.dump({"turns": turns}, open(sys.argv[1], "w"))
PY
start_fake "$T/script.json"
task="write a.txt $(head -c 100000 /dev/zero | tr '\0' y)"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "$task" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
res=$(jq -r 'select(.type=="tool_result" and .name=="propose_plan") | .output' <<<"$out")
assert_contains "$res" "propose_plan: step 1's title is 1200000 bytes; at most 1000"
assert_contains "$res" "propose_plan: a plan has at most 100 steps, not 101"
assert_eq "$(cat "$G/a.txt")" one
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
meta=$XDG_STATE_HOME/deskhand/sessions/$sid/meta.json
[ "$(wc -c <"$meta")" -lt 100000 ] || fail "meta.json is $(wc -c <"$meta") bytes"
assert_eq "$(jq -r '.plan[0].title' "$meta")" "Write a.txt"
t=$(jq -r .task "$meta")
assert_contains "$t" "write a.txt yyy"
[ ${#t} -le 4200 ] || fail "meta.json's task is ${#t} characters"
sessions=$("$DESKHAND" sessions 2>&1) || fail "sessions: $sessions"
assert_contains "$sessions" "$sid"
assert_not_contains "$sessions" unreadable
(cd "$G" && "$DESKHAND" log >/dev/null) || fail "log failed"
(cd "$G" && "$DESKHAND" undo) || fail "undo failed"
[ ! -e "$G/a.txt" ] || fail "undo left a.txt"
echo ok
