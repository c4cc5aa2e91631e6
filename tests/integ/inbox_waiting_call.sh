# A run in the inbox because it waits for an approval says what it waits
# on, not the task it was given: "waits for an approval: TOOL ARG" (the
# path, or the first line of the command), in the table and in --json's
# summary. Once answered, the summary is the agent's last message again.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write and list"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "notes/answer.txt", "content": "yes\n"}}]},
 {"text": "Wrote the answer.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
sid=$("$DESKHAND" run --detach --origin schedule:digest --grant "$G" --approve-plan --mode ask \
  "Write the weekly digest" </dev/null 2>"$T/run.err") || fail "run --detach: $(cat "$T/run.err")"
wait_state "$sid" waiting
"$DESKHAND" inbox --json >"$T/inbox" || fail "inbox failed"
assert_eq "$(jq -r --arg id "$sid" '.[] | select(.id == $id) | "\(.state)|\(.summary)|\(.task)"' "$T/inbox")" \
  "waiting|waits for an approval: write_file notes/answer.txt|Write the weekly digest"
assert_contains "$("$DESKHAND" inbox)" "[digest] waits for an approval: write_file notes/answer.txt"
"$DESKHAND" stop "$sid" >/dev/null 2>&1 || fail "stop"
rc=0; timeout 30 "$DESKHAND" wait "$sid" >/dev/null 2>&1 || rc=$?
"$DESKHAND" inbox --json >"$T/inbox" || fail "inbox failed"
assert_not_contains "$(jq -r --arg id "$sid" '.[] | select(.id == $id) | .summary' "$T/inbox")" \
  "waits for an approval"
echo ok
