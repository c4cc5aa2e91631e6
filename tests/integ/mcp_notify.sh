# Resource subscriptions in a scripted session, at both revisions, with a
# stdio connector (tests/fake/mcp_fake_server.py --subscribe): a resource the
# model reads is subscribed to (2025-11-25: resources/subscribe; 2026-07-28:
# the subscriptions/listen request reopened with the URI in
# resourceSubscriptions, the one before cancelled); when the server says it
# changed, every client gets a resource_updated event and the model's next
# request carries a notice naming the connector and the URI, once. A
# resource never read is never subscribed to.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
FAKE_MCP=$DH_TESTS/fake/mcp_fake_server.py
mkdir -p "$XDG_CONFIG_HOME/deskhand"

session() { # NAME NOTICE EXTRA-ARG…: one session; its events in $T/NAME.out
  local name=$1 notice=$2; shift 2
  local args=; [ $# -gt 0 ] && args=$(printf '"%s",' "$@")
  cat > "$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"fake": {"command": "python3", "args": ["$FAKE_MCP"${args:+, ${args%,}}], "timeout": 60,
  "env": {"FAKE_MCP_LOG": "$XDG_STATE_HOME/deskhand/mcp/fake/received.jsonl"}}}}
JSON
  cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "mcp__fake__read_resource", "input": {"uri": "fake://notes/1"}}]},
 {"expect": {"last_user_contains": "the note's text"},
  "tool_calls": [{"name": "mcp__fake__touch", "input": {}}]},
 {"expect": {"last_user_contains": "$notice"},
  "tool_calls": [{"name": "mcp__fake__read_resource", "input": {"uri": "fake://notes/1"}}]},
 {"expect": {"last_user_contains": "the note's new text"},
  "tool_calls": [{"name": "mcp__fake__echo", "input": {"text": "after"}}]},
 {"expect": {"last_user_contains": "after"}, "text": "done", "stop_reason": "end_turn"}
]}
JSON
  start_fake "$T/script.json"
  "$DESKHAND" run --grant "$G" --json "watch the note" >"$T/$name.out" 2>"$T/$name.err" || true
  kill "$FAKE_PID"; wait "$FAKE_PID" 2>/dev/null || true
  mv "$FAKE_LOG" "$T/$name.requests"
  mv "$XDG_STATE_HOME/deskhand/mcp/fake/received.jsonl" "$T/$name.mcp.log"
  assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/$name.out")" "done" \
    "$name: $(tail -5 "$T/$name.err"; jq -c 'select(.type=="error" or .type=="tool_result")' "$T/$name.out" | cut -c1-300)"
  [ "$notice" = touched ] && return
  # one event, naming the connector and the URI
  assert_eq "$(jq -c 'select(.type=="resource_updated")' "$T/$name.out")" \
    '{"type":"resource_updated","server":"fake","uri":"fake://notes/1"}' "$name: event"
  # the notice reached the model once: only the request after touch has it
  # (each request holds the history: the later ones repeat that message)
  first=$(grep -n 'says its resource fake://notes/1 changed' "$T/$name.requests" | head -1 | cut -d: -f1)
  assert_eq "$first" 3 "$name: the notice first in the request after touch"
  assert_eq "$(tail -1 "$T/$name.requests" | grep -o 'says its resource fake://notes/1 changed' | wc -l)" 1 \
    "$name: the notice once in the history"
}
NOTICE="connector fake says its resource fake://notes/1 changed"

# 2025-11-25: resources/subscribe after the first read, for that URI only
session s25 "$NOTICE" --subscribe
assert_eq "$(jq -c 'select(.method=="resources/subscribe").params' "$T/s25.mcp.log")" \
  '{"uri":"fake://notes/1"}' "2025: one subscribe, for the resource read"
assert_not_contains "$(cat "$T/s25.mcp.log")" "subscriptions/listen"

# 2026-07-28: a listen request for the lists at start; after the read, one
# with the URI, and the first one cancelled
session s26 "$NOTICE" --subscribe --discover
listens=$(jq -c 'select(.method=="subscriptions/listen")' "$T/s26.mcp.log")
assert_eq "$(echo "$listens" | wc -l)" 2 "2026: two listen requests: $listens"
first=$(echo "$listens" | head -1); second=$(echo "$listens" | tail -1)
assert_eq "$(echo "$first" | jq -c .params.notifications)" '{"toolsListChanged":true}'
assert_eq "$(echo "$second" | jq -c .params.notifications)" \
  '{"toolsListChanged":true,"resourceSubscriptions":["fake://notes/1"]}'
assert_eq "$(echo "$second" | jq -r '.params._meta["io.modelcontextprotocol/protocolVersion"]')" 2026-07-28
assert_eq "$(jq -r 'select(.method=="notifications/cancelled").params.requestId' "$T/s26.mcp.log")" \
  "$(echo "$first" | jq -r .id)" "2026: the first listen is cancelled"
assert_not_contains "$(cat "$T/s26.mcp.log")" "resources/subscribe"

# a server without subscriptions: nothing asked, no event, the session goes on
session plain touched
assert_not_contains "$(cat "$T/plain.mcp.log")" "resources/subscribe"
assert_not_contains "$(cat "$T/plain.out")" "resource_updated"
assert_not_contains "$(cat "$T/plain.requests")" "says its resource"
