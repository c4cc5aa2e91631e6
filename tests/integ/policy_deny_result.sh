# A call the managed policy's deny rule refuses: the tool result the model
# (and `deskhand run`'s output) gets names the rule and the policy's
# file:line, and does not call it the person's rule; the audit log says
# the managed policy decided.
. "$DH_TESTS/lib.sh"
[ "$(id -u)" = 0 ] || skip "a managed policy must be root's: run as root"
[ -e /etc/deskhand/policy ] && skip "this machine has its own /etc/deskhand/policy"
P=$T/etc/policy; mkdir -p "$T/etc"
printf '# the administrator'"'"'s\ndeny write_file(*.env)\n' >"$P"
chmod 644 "$P"
export DH_POLICY_FILE=$P
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "app/.env", "content": "K=1\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
run_task "$T/script.json" "$T/out"
[ ! -e "$G/app/.env" ] || fail "the denied write happened"
r=$(jq -r 'select(.type=="tool_result" and .name=="write_file") | .output' "$T/out")
assert_eq "$r" "write_file denied by rule 'deny write_file(*.env)' ($P:2); nothing was run."
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
assert_eq "$(jq -r 'select(.type=="decision") | .by' \
  "$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl")" "managed policy"
