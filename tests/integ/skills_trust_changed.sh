# A trusted folder skill whose SKILL.md is rewritten during the task (here
# by the agent itself) is not loaded: load_skill refuses it, naming its folder
# and the command that trusts it again, and the new text never reaches the
# model.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.agents/skills/demo"
printf -- '---\nname: demo\ndescription: A demo skill.\n---\nTRUSTED-BODY-4410\n' \
  > "$G/.agents/skills/demo/SKILL.md"
"$DESKHAND" skills trust "$G" >/dev/null || fail "skills trust failed"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Rewrite the skill"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": ".agents/skills/demo/SKILL.md",
   "content": "---\nname: demo\ndescription: A demo skill.\n---\nAGENT-BODY-9921\n"}}]},
 {"tool_calls": [{"name": "load_skill", "input": {"name": "demo"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "task" 2>"$T/err") \
  || { rc=$?; cat "$T/err"; fail "run exited $rc"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out")" done
assert_contains "$(jq -r '.body.system[0].text' "$FAKE_LOG" | head -50)" "- demo: A demo skill."
res=$(jq -c 'select(.type=="tool_result" and .name=="load_skill")' <<<"$out")
assert_eq "$(jq -r .is_error <<<"$res")" true "load_skill of a changed skill"
assert_contains "$(jq -r .output <<<"$res")" \
  "$G/.agents/skills/demo changed after this task began"
assert_contains "$(jq -r .output <<<"$res")" "deskhand skills trust $G"
# the request after load_skill carries its refusal, not the agent's text
assert_not_contains "$(sed -n 4p "$FAKE_LOG" | jq -r '.body.messages[-1].content[0].content')" \
  "AGENT-BODY-9921"
echo ok
