# The inbox in the workbench: the status line counts the unattended runs
# that need the person ("inbox 1"); :inbox lists them (state, files pending,
# the schedule, the summary); Enter on a row opens that session (its
# transcript and pending review); accepting everything empties the entry. A
# notice from another engine (a detached run that ends while the workbench
# is open on another folder) is said on the message line and the count
# comes back.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_e2e.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; G2=$T/other; G3=$T/third; mkdir -p "$G" "$G2" "$G3"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"text": "Planning.", "tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write the digest"}]}}]},
 {"text": "Writing.", "tool_calls": [{"name": "write_file", "input": {"path": "digest.md", "content": "# Digest\n"}}]},
 {"text": "Weekly digest written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
sid=$("$DESKHAND" run --detach --origin schedule:weekly --grant "$G" --approve-plan --mode auto \
  "digest" </dev/null 2>"$T/run.err") || { cat "$T/run.err"; fail "run --detach failed"; }
timeout 30 "$DESKHAND" wait "$sid" >/dev/null 2>&1 || fail "the detached run did not end done"
for _ in $(seq 1 100); do [ -z "$(engine_pids)" ] && break; sleep 0.05; done

steps "<Esc>
:wait text inbox 1
:save-screen $T/count.scr
:type :inbox
<Enter>
:wait text Weekly digest written
:save-screen $T/list.scr
<Enter>
:wait text file pending
:save-screen $T/opened.scr
:quit"
ui_run 120 30 --grant "$G2"
assert_screen count "inbox 1"
assert_screen list "^  $sid +done +1 +[0-9]+m  \[weekly\] Weekly digest written\.$"
assert_screen opened "digest.md" "Weekly digest written"
"$DESKHAND" inbox --json > "$T/inbox"
assert_eq "$(jq -r '.[0].id' "$T/inbox")" "$sid"

# Accept in the workbench on that session: the entry goes.
(cd "$G" && "$DESKHAND" accept) >/dev/null 2>&1 || fail "accept failed"
assert_eq "$("$DESKHAND" inbox --json)" "[]"

# A notice: a detached run ends while a workbench is open on another folder.
cat > "$T/steps.sh" <<SH
#!/bin/sh
"$DESKHAND" run --detach --grant "$G3" --approve-plan --mode auto "digest again" </dev/null >"$T/sid2" 2>&1
SH
chmod +x "$T/steps.sh"
start_fake "$T/script.json"
steps "<Esc>
:wait ms 300
:wait idle
:save-screen $T/before.scr
:wait text session .* done: Weekly digest written
:save-screen $T/notice.scr
:wait text inbox 1
:save-screen $T/count2.scr
:quit"
( sleep 2; "$T/steps.sh" ) &
bg=$!
UI_TIMEOUT_MS=30000 ui_run 120 30 --grant "$G2"
wait $bg
sid2=$(cat "$T/sid2")
assert_screen notice "session $sid2 done: Weekly digest written. \(:inbox\)"
assert_screen count2 "inbox 1"
echo ok
