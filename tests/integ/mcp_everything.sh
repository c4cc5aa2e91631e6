# @modelcontextprotocol/server-everything over Streamable HTTP, headless
# (`deskhand run --json --commands`): a scripted session calls its tools,
# reads a resource, sees a long call's progress as live output, answers its
# form elicitation with an "elicit" command (after a wrong answer the engine
# refuses, naming the field) and its url-mode one, and cancels a long call
# with an interrupt; each
# result reaches the model (the fake model's request log). Then a prompt runs
# as the task (run --prompt), without --commands a form is declined, never
# accepted, and a resource read is subscribed to (resources/subscribe): the
# server's resources/updated, on its GET stream, is a resource_updated event
# and a notice in the model's next request.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/mcp/lib_everything.sh"
G=$T/work; mkdir -p "$G"
everything_start
everything_config every
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "use everything"}]}}]},
 {"tool_calls": [{"name": "mcp__every__echo", "input": {"message": "hello everything"}}]},
 {"expect": {"last_user_contains": "Echo: hello everything"},
  "tool_calls": [{"name": "mcp__every__read_resource", "input": {"uri": "demo://resource/dynamic/text/7"}}]},
 {"expect": {"last_user_contains": "Resource 7: This is a plaintext resource"},
  "tool_calls": [{"name": "mcp__every__trigger-long-running-operation", "input": {"duration": 1, "steps": 3}}]},
 {"expect": {"last_user_contains": "Long running operation completed"},
  "tool_calls": [{"name": "mcp__every__trigger-elicitation-request", "input": {}}]},
 {"expect": {"last_user_contains": "- Name: Ada Lovelace"},
  "tool_calls": [{"name": "mcp__every__trigger-url-elicitation", "input": {"url": "https://example.org/login"}}]},
 {"expect": {"last_user_contains": "User completed the URL elicitation flow"},
  "tool_calls": [{"name": "mcp__every__trigger-long-running-operation", "input": {"duration": 60, "steps": 60}}]},
 {"text": "unreachable", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --approve-plan --json --commands "use everything" <"$fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 9>"$fifo"
wait_for() { # JQ-FILTER (over the events as one array) WHAT
  for _ in $(seq 1 400); do
    [ "$(jq -s "$1" "$T/out" 2>/dev/null)" = true ] && return 0
    kill -0 $pid 2>/dev/null || break
    sleep 0.05
  done
  tail -5 "$T/err"; jq -c . "$T/out" | cut -c1-300 | tail -15; fail "timed out waiting for $2"
}
# The form tool is not read-only: asked for first.
wait_for 'any(.[]; .type=="approval_needed" and .name=="mcp__every__trigger-elicitation-request")' "its approval"
echo '{"type":"approve"}' >&9
wait_for 'any(.[]; .type=="elicitation_needed")' "elicitation_needed"
el=$(jq -c 'select(.type=="elicitation_needed")' "$T/out")
assert_eq "$(jq -r '[.server, .mode, .message] | @tsv' <<<"$el")" \
  "$(printf 'every\tform\tPlease provide inputs for the following fields:')"
assert_eq "$(jq -r '.schema.required[0], .schema.properties.integer.default' <<<"$el")" "$(printf 'name\n42')"
id=$(jq -r .id <<<"$el")
# A wrong answer is refused, naming the field; nothing reaches the server.
echo "{\"type\":\"elicit\",\"id\":\"bad-1\",\"elicitation\":\"$id\",\"action\":\"accept\",\"content\":{\"integer\":500}}" >&9
wait_for 'any(.[]; .type=="error" and .re=="bad-1")' "the refusal"
assert_contains "$(jq -r 'select(.type=="error" and .re=="bad-1").message' "$T/out")" "elicit: integer: must be an integer 1–100"
echo "{\"type\":\"elicit\",\"elicitation\":\"$id\",\"action\":\"accept\",\"content\":{\"name\":\"Ada Lovelace\",\"check\":true,\"email\":\"ada@example.org\"}}" >&9
wait_for 'any(.[]; .type=="elicitation_decided")' "elicitation_decided"
assert_eq "$(jq -r 'select(.type=="elicitation_decided") | "\(.id) \(.server) \(.action)"' "$T/out")" "$id every accept"
# URL mode: the page to open, answered after the person went there.
wait_for 'any(.[]; .type=="approval_needed" and .name=="mcp__every__trigger-url-elicitation")' "its approval"
echo '{"type":"approve"}' >&9
wait_for '[.[] | select(.type=="elicitation_needed")] | length == 2' "the url elicitation"
el=$(jq -cs '[.[] | select(.type=="elicitation_needed")][1]' "$T/out")
assert_eq "$(jq -r '[.mode, .url, .schema] | @tsv' <<<"$el")" "$(printf 'url\thttps://example.org/login\t')"
echo "{\"type\":\"elicit\",\"id\":\"$(jq -r .id <<<"$el")\",\"action\":\"accept\"}" >&9
# The long call: its progress shows live; an interrupt cancels it at once.
wait_for '[.[] | select(.type=="tool_call" and .name=="mcp__every__trigger-long-running-operation")] | length == 2' "the long call"
wait_for '[.[] | select(.type=="tool_output")] | length >= 2' "its progress"
t0=$(date +%s%N)
echo '{"type":"interrupt"}' >&9
exec 9>&-
wait $pid || true
t1=$(date +%s%N)
[ $(( (t1 - t0) / 1000000 )) -lt 5000 ] || fail "the interrupt took $(( (t1 - t0) / 1000000 )) ms"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" interrupted "$(tail -3 "$T/err")"
res() { jq -rs --arg n "$1" '[.[] | select(.type=="tool_result" and .name==$n)][0] | "\(.is_error) \(.output)"' "$T/out"; }
assert_eq "$(res mcp__every__echo)" "false Echo: hello everything"
assert_contains "$(res mcp__every__read_resource)" "Resource 7: This is a plaintext resource"
r=$(res mcp__every__trigger-elicitation-request)
assert_contains "$r" "User provided the requested information"
assert_contains "$r" "- Favorite Integer: 42"   # the default the form offered (SEP-1034)
assert_contains "$(res mcp__every__trigger-url-elicitation)" "User completed the URL elicitation flow"
# progress: the first long call's steps as live output of that call
c1=$(jq -rs '[.[] | select(.type=="tool_call" and .name=="mcp__every__trigger-long-running-operation")][0].id' "$T/out")
assert_contains "$(jq -r --arg c "$c1" 'select(.type=="tool_output" and .id==$c).text' "$T/out")" "progress 3/3"
# what the model saw: every result above (the last turn's request carries them all)
req=$(grep -F "Ada Lovelace" "$FAKE_LOG" | tail -1)
[ -n "$req" ] || fail "the form's result never reached the model"
for s in "Echo: hello everything" "Resource 7: This is a plaintext resource" "Long running operation completed" "- Name: Ada Lovelace"; do
  assert_contains "$req" "$s"
done
! grep -q "unreachable" "$T/out" || fail "the cancelled call's turn went on"

# A prompt as the task: its messages are the first request's user text.
cat > "$T/script2.json" <<'JSON'
{"turns": [
 {"expect": {"last_user_contains": "What's weather in Paris, Texas?"}, "text": "sunny", "stop_reason": "end_turn"}
]}
JSON
kill "$FAKE_PID"; start_fake "$T/script2.json"
"$DESKHAND" run --grant "$G" --json --prompt every/args-prompt city=Paris state=Texas >"$T/out2" 2>"$T/err2" \
  || { cat "$T/err2"; fail "run --prompt failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out2")" done
"$DESKHAND" run --grant "$G" --json --prompt every/args-prompt state=Texas >"$T/out3" 2>"$T/err3" && fail "a missing argument was not refused"
assert_contains "$(cat "$T/err3")" "prompt every/args-prompt: the argument 'city' is required"

# Without --commands nobody can fill the form: declined, with a line saying so.
cat > "$T/script3.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "ask"}]}}]},
 {"tool_calls": [{"name": "mcp__every__trigger-elicitation-request", "input": {}}]},
 {"expect": {"last_user_contains": "declined"}, "text": "ok", "stop_reason": "end_turn"}
]}
JSON
kill "$FAKE_PID"; start_fake "$T/script3.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "ask me" >"$T/out4" 2>"$T/err4" || { cat "$T/err4"; jq -c . "$T/out4" | cut -c1-300; fail "run failed"; }
assert_contains "$(cat "$T/err4")" "connector every asked for input (form): declined"
assert_contains "$(jq -r 'select(.type=="tool_result").output' "$T/out4")" "User declined to provide the requested information"
assert_eq "$(jq -r 'select(.type=="elicitation_decided").action' "$T/out4")" decline

# Subscriptions: the resource read is subscribed to; toggle-subscriber-updates
# makes the server send resources/updated at once, then every 5 s: the 8 s
# call after it outlasts at least two of them, however loaded the machine.
cat > "$T/script5.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "watch it"}]}}]},
 {"tool_calls": [{"name": "mcp__every__read_resource", "input": {"uri": "demo://resource/dynamic/text/7"}}]},
 {"expect": {"last_user_contains": "Resource 7"},
  "tool_calls": [{"name": "mcp__every__toggle-subscriber-updates", "input": {}}]},
 {"tool_calls": [{"name": "mcp__every__trigger-long-running-operation", "input": {"duration": 8, "steps": 4}}]},
 {"expect": {"last_user_contains": "connector every says its resource demo://resource/dynamic/text/7 changed"},
  "text": "seen", "stop_reason": "end_turn"}
]}
JSON
kill "$FAKE_PID"; start_fake "$T/script5.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "watch it" >"$T/out5" 2>"$T/err5" || { cat "$T/err5"; jq -c . "$T/out5" | cut -c1-300; fail "run failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out5")" done
assert_eq "$(jq -c 'select(.type=="resource_updated")' "$T/out5" | sort -u)" \
  '{"type":"resource_updated","server":"every","uri":"demo://resource/dynamic/text/7"}'
echo ok
