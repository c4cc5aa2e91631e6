# A new session whose first task failed before its agent was made (here its
# audit log cannot be opened: the key is readable by others) keeps that task
# in its meta.json, and the session says it failed. Resumed with a new
# message, the model is sent that message alone: the person was told the
# first task failed, as a follow-up's failed start is not sent again
# (followup_start_failed_not_resent). Before, meta.json's task came back as
# the person's first message, as if it had been pending.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [{"text": "Done.", "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
echo junk > "$T/key"; chmod 644 "$T/key"
printf 'set audit = on\nset audit_key = %s\n' "$T/key" > "$T/audit.conf"
rc=0
DH_CONFIG=$T/audit.conf "$DESKHAND" run --grant "$G" --approve-plan --mode auto \
  "the failed first task" >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "the failed run's exit status"
assert_contains "$(cat "$T/err")" "audit log:"
sid=$(ls "$XDG_STATE_HOME/deskhand/sessions")
assert_contains "$("$DESKHAND" sessions | grep "$sid")" "failed"
assert_eq "$(wc -l < "$FAKE_LOG")" 0 "requests before the resume"
"$DESKHAND" run --resume "$sid" --json "the next message" >"$T/out2" 2>"$T/err2" ||
  { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(wc -l < "$FAKE_LOG")" 1
msgs=$(head -1 "$FAKE_LOG" | jq -c '.body.messages')
echo "$msgs"
assert_contains "$msgs" "the next message"
assert_not_contains "$msgs" "the failed first task"
assert_eq "$(jq '[.[] | select(.role=="user")] | length' <<<"$msgs")" 1 "user messages"
echo ok
