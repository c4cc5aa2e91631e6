# ask mode: with no terminal, calls that change files are refused (and the
# model is told why); with --commands, JSON approve/deny on stdin decide.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a"}}]},
 {"text": "could not write", "stop_reason": "end_turn"},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "b"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "c"}}], "expect": {"last_user_contains": "zebra"}},
 {"text": "done", "stop_reason": "end_turn", "expect": {"last_user_contains": "not today"}}
]}
JSON
start_fake "$T/script.json"
rc=0
out=$("$DESKHAND" run --grant "$G" --approve-plan --json "write a" </dev/null 2>"$T/err") || rc=$?
assert_eq "$rc" 5 "run 1: blocked (nobody could approve), $(cat "$T/err")"
[ ! -e "$G/a.txt" ] || fail "a.txt written without approval"
assert_contains "$(jq -r 'select(.type=="tool_result" and .name=="write_file").output' <<<"$out")" "approval"
# JSON commands on stdin: approve the plan, approve b, deny c with a message
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --json --commands "write b and c" <"$fifo" >"$T/out2" 2>"$T/err2" &
pid=$!
exec 9>"$fifo"
wait_for() { for _ in $(seq 1 200); do grep -q "$1" "$T/out2" && return 0; sleep 0.05; done; cat "$T/out2" "$T/err2"; fail "timed out waiting for $1"; }
wait_for '"approval_needed".*propose_plan'
echo '{"type":"approve"}' >&9
wait_for '"approval_needed".*b.txt'
id=$(jq -r 'select(.type=="approval_needed" and .name=="write_file").id' "$T/out2" | head -1)
echo '{"type":"steer","text":"also mention zebra"}' >&9
echo "{\"type\":\"approve\",\"id\":\"$id\"}" >&9
wait_for '"approval_needed".*c.txt'
echo '{"type":"deny","message":"not today"}' >&9
exec 9>&-
wait $pid || { cat "$T/err2"; fail "run 2 failed"; }
assert_eq "$(cat "$G/b.txt")" b
[ ! -e "$G/c.txt" ] || fail "c.txt written despite deny"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out2")" done
assert_eq "$(jq -r 'select(.type=="user_message").text' "$T/out2")" "also mention zebra"
echo ok
