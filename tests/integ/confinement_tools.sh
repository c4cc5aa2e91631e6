# Host-side file tools cannot leave the grant: ../, an absolute path outside,
# a symlink inside pointing out, /proc/self/root. Each is a tool error the
# model sees and an audit event; the outside file is neither read nor changed.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
echo "top secret" > "$T/secret.txt"
ln -s "$T" "$G/escape"             # directory symlink out of the grant
ln -s "$T/secret.txt" "$G/leaf"    # leaf symlink out of the grant
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "probe"}]}}]},
 {"tool_calls": [
   {"name": "read_file", "input": {"path": "../secret.txt"}},
   {"name": "read_file", "input": {"path": "$T/secret.txt"}},
   {"name": "read_file", "input": {"path": "escape/secret.txt"}},
   {"name": "read_file", "input": {"path": "leaf"}},
   {"name": "read_file", "input": {"path": "/proc/self/root$T/secret.txt"}},
   {"name": "write_file", "input": {"path": "../secret.txt", "content": "owned"}},
   {"name": "write_file", "input": {"path": "$T/secret.txt", "content": "owned"}},
   {"name": "write_file", "input": {"path": "escape/secret.txt", "content": "owned"}},
   {"name": "write_file", "input": {"path": "leaf", "content": "owned"}},
   {"name": "write_file", "input": {"path": "/proc/self/root$T/secret.txt", "content": "owned"}},
   {"name": "write_file", "input": {"path": "escape/new.txt", "content": "owned"}}
 ]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "probe" 2>"$T/err") || { cat "$T/err"; fail "run failed"; }
n=$(jq -r 'select(.type=="tool_result" and (.name=="read_file" or .name=="write_file")) | .is_error' <<<"$out" | grep -c true)
assert_eq "$n" 11 "tool calls refused"
assert_not_contains "$(jq -r 'select(.type=="tool_result").output' <<<"$out")" "top secret"
assert_eq "$(cat "$T/secret.txt")" "top secret"
[ ! -e "$T/new.txt" ] || fail "a file was created outside the grant"
assert_eq "$(jq -r 'select(.type=="audit").id' <<<"$out" | wc -l)" 11
# the model saw the errors (they were sent back as is_error tool results)
errs=$(tail -1 "$FAKE_LOG" | jq '[.body.messages[-1].content[] | select(.is_error==true)] | length')
assert_eq "$errs" 11
echo ok
