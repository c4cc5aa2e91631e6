# `inbox --dismiss` of a detached run waiting for an approval: the entry
# would stay (a waiting run is listed whatever its mark says), so the
# dismissal is refused saying how to answer it, exit 1, and the entry is
# still listed as waiting. Once the run is stopped, the dismissal works.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_e2e.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan",
   "input": {"steps": [{"title": "Write the answer file"}]}}]},
 {"text": "I need to write a file.", "tool_calls": [{"name": "write_file",
   "input": {"path": "answer.txt", "content": "yes\n"}}]},
 {"text": "Wrote the answer.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
sid=$("$DESKHAND" run --detach --grant "$G" --approve-plan --mode ask "write the answer" \
  </dev/null 2>"$T/run.err") || fail "run --detach: $(cat "$T/run.err")"
wait_state "$sid" waiting 30

rc=0; "$DESKHAND" inbox --dismiss "$sid" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "--dismiss of a waiting run: $(cat "$T/out" "$T/err")"
assert_not_contains "$(cat "$T/out")" "dismissed"
assert_contains "$(cat "$T/err")" "deskhand: inbox --dismiss $sid: $sid is waiting for an approval"
assert_contains "$(cat "$T/err")" "answer it (deskhand attach $sid)"
MARK=$XDG_STATE_HOME/deskhand/sessions/$sid/inbox-dismissed
[ ! -e "$MARK" ] || fail "a dismissal mark was written"
"$DESKHAND" inbox --json >"$T/inbox" || fail "inbox"
assert_eq "$(jq -r --arg s "$sid" '.[] | select(.id == $s) | .state' "$T/inbox")" waiting

# stopped, it is no longer waiting: dismissed, and off the inbox
"$DESKHAND" stop "$sid" >/dev/null 2>&1 || true
assert_eq "$("$DESKHAND" inbox --dismiss "$sid")" "dismissed $sid"
[ -e "$MARK" ] || fail "no dismissal mark at $MARK"
assert_eq "$("$DESKHAND" inbox --json | jq --arg s "$sid" '[.[] | select(.id == $s)] | length')" 0
