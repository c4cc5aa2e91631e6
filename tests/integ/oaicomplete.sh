# A server that ignores "stream": true (older llama.cpp, some proxies) and
# answers HTTP 200 with one chat.completion JSON body (PROTOCOLS.md §2.2):
# the same session run against it and against the streaming fake gives the
# same turns, tool calls, results, usage and stop reasons, the same text and
# the same requests, and its recording replays; a 200 JSON body that is
# neither an event stream nor a chat.completion ends the run with a one-line
# error that names what came.
. "$DH_TESTS/lib.sh"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "edit both"}]}}],
  "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "cached_tokens": 400}},
 {"text": "Editing both files: ça va.",
  "tool_calls": [{"name": "edit_file", "input": {"path": "a.txt", "old_string": "one", "new_string": "two"}},
                 {"name": "edit_file", "input": {"path": "b.txt", "old_string": "uno", "new_string": "dos"}}]},
 {"text": "Done: both edited.", "usage": {"prompt_tokens": 1500, "completion_tokens": 7}}
]}
JSON

events() { # OUT: what must not differ: all but the text's pieces, ids, times and
  # a busy machine's connection retries
  jq -c 'select(.type!="text_delta" and .type!="checkpoint" and .type!="session_started"
                and .type!="retry") | del(.duration_ms)' "$1"
}
session() { # MODE [fake options]: the session against the fake, its output in $T/MODE.*
  local mode=$1; shift
  G=$T/work; rm -rf "$G"; mkdir -p "$G"; echo "one" > "$G/a.txt"; echo "uno" > "$G/b.txt"
  start_fake_openai "$T/script.json" --check-history "$@"
  "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json --record "$T/$mode.rec" \
    "edit a and b" >"$T/$mode.out" 2>"$T/$mode.err" ||
    fail "$mode run failed: $(cat "$T/$mode.err"; tail -1 "$T/$mode.out")"
  assert_eq "$(cat "$G/a.txt") $(cat "$G/b.txt")" "two dos" "$mode edits"
  events "$T/$mode.out" >"$T/$mode.events"
  jq -r 'select(.type=="text_delta").text' "$T/$mode.out" | tr -d '\n' >"$T/$mode.text"
  jq -c .body "$FAKE_LOG" | uniq >"$T/$mode.requests" # a retry sends the same body
  kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true; FAKE_PID=; rm -f "$FAKE_LOG"
}
session streamed
session whole --non-streamed
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/whole.out")" done
for f in events text requests; do
  cmp -s "$T/streamed.$f" "$T/whole.$f" ||
    { diff "$T/streamed.$f" "$T/whole.$f" | cut -c1-300 >&2; fail "the $f differ from the streamed session's"; }
done
# and they are the session's: both calls with their results, usage with
# cached tokens, each turn's stop reason
assert_eq "$(jq -r 'select(.type=="assistant_message").stop_reason' "$T/whole.out" | tr '\n' ' ')" \
  "tool_use tool_use end_turn "
assert_eq "$(jq -r 'select(.type=="tool_call").name' "$T/whole.out" | tr '\n' ' ')" \
  "propose_plan edit_file edit_file "
assert_eq "$(jq -r 'select(.type=="tool_result").is_error' "$T/whole.out" | sort -u)" false
u=$(jq -c 'select(.type=="usage")' "$T/whole.out" | head -1)
assert_eq "$(jq -r '[.input_tokens, .cache_read_tokens, .output_tokens]|join(" ")' <<<"$u")" "600 400 100"
assert_eq "$(cat "$T/whole.text")" "Editing both files: ça va.Done: both edited."
# the recording of the whole bodies replays as the session, with no server
G=$T/work; rm -rf "$G"; mkdir -p "$G"; echo "one" > "$G/a.txt"; echo "uno" > "$G/b.txt"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json --replay "$T/whole.rec" \
  "edit a and b" >"$T/replay.out" 2>"$T/replay.err" || fail "replay failed: $(cat "$T/replay.err")"
events "$T/replay.out" >"$T/replay.events"
cmp -s "$T/whole.events" "$T/replay.events" ||
  { diff "$T/whole.events" "$T/replay.events" | cut -c1-300 >&2; fail "the replay differs"; }

# 200 bodies that are no response: named, one line, not retried
cat > "$T/bad.json" <<'JSON'
{"turns": [
 {"fault": "status", "status": 200, "body": "{\"object\":\"list\",\"data\":[{\"id\":\"m\"}]}"},
 {"fault": "status", "status": 200, "body": "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}"},
 {"fault": "status", "status": 200, "body": "{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hi\"}}]}"}
]}
JSON
start_fake_openai "$T/bad.json"
G=$T/bad; mkdir -p "$G"
run_fails_once list 'neither an event stream nor a chat.completion (HTTP 200): {"object":"list","data":[{"id":"m"}]}'
run_fails_once no_choices 'neither an event stream nor a chat.completion (HTTP 200): {"id":"x","object":"chat.completion","choices":[]}'
run_fails_once no_finish "server sent a chat.completion without a finish_reason (HTTP 200)"
echo ok
