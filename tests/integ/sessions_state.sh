# `deskhand sessions` and the workbench's :sessions show what a session is
# doing now, as `deskhand ls` does: a detached task at an approval is
# "waiting" (it said "running"), and a session whose engine was killed is
# "interrupted" (it said "running" for ever). --json keeps the record's
# "status" beside the "state".
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_front.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write a"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json" --cursor-per-key
id=$("$DESKHAND" run --detach --grant "$G" --mode ask --approve-plan "write a") \
  || fail "run --detach failed"
wait_state "$id" waiting
"$DESKHAND" sessions > "$T/list" 2>"$T/err" || { cat "$T/err"; fail "sessions failed"; }
assert_contains "$(grep "^$id " "$T/list")" "$id  waiting "
"$DESKHAND" sessions --json > "$T/list.json"
assert_eq "$(jq -r --arg id "$id" '.[]|select(.id==$id)|"\(.status) \(.state)"' "$T/list.json")" \
  "running waiting" "status and state of the waiting session"

# The workbench's list says the same.
steps ":type :sessions
<Enter>
:wait text write a
:save-screen $T/sessions.scr
q
:quit"
ui_run 120 30 --grant "$T"
assert_screen sessions "$id +[0-9-]+ [0-9:]+ +waiting "

# Its engine killed: interrupted, not running.
kill -9 "$(cat "$XDG_RUNTIME_DIR/deskhand/$id.pid")"
for _ in $(seq 1 100); do kill -0 "$(cat "$XDG_RUNTIME_DIR/deskhand/$id.pid")" 2>/dev/null || break; sleep 0.05; done
"$DESKHAND" sessions > "$T/list" 2>"$T/err" || { cat "$T/err"; fail "sessions failed"; }
assert_contains "$(grep "^$id " "$T/list")" "$id  interrupted "
"$DESKHAND" sessions --json > "$T/list.json"
assert_eq "$(jq -r --arg id "$id" '.[]|select(.id==$id)|.state' "$T/list.json")" \
  interrupted "state of the killed session"

# A foreground run at work (its model hangs): running, and not in the inbox.
cat > "$T/hang.json" <<'JSON'
{"turns": [{"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "h"}]}}]},
           {"fault": "hang"}]}
JSON
# The first fake server logged its requests in the same file: count this
# run's own.
before=$(wc -l < "$FAKE_LOG")
start_fake "$T/hang.json"
"$DESKHAND" run --grant "$G" --mode auto --approve-plan "hang here" > "$T/fg.out" 2>&1 &
fg=$!
wait_requests $((before + 2)) 5 || fail "the foreground run did not reach its second request"
"$DESKHAND" sessions > "$T/list" 2>"$T/err" || { cat "$T/err"; fail "sessions failed"; }
assert_contains "$(grep 'hang here' "$T/list")" "  running "
"$DESKHAND" inbox --json > "$T/inbox.json" 2>"$T/err" || { cat "$T/err"; fail "inbox failed"; }
assert_eq "$(jq -r '.[]|select(.task=="hang here")|.state' "$T/inbox.json")" "" \
  "the foreground run's inbox entry"
kill "$fg"; wait "$fg" 2>/dev/null || true
echo ok
