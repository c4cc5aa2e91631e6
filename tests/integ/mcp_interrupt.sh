# Interrupting (Esc in the workbench, SIGINT here) while a connector's call is
# in flight cancels that call (the server gets notifications/cancelled), the
# call gets an "interrupted" result at once, and the session is resumable
# with the connector working again.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"
FAKE_MCP=$DH_TESTS/fake/mcp_fake_server.py
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat > "$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"slow": {"command": "python3", "args": ["$FAKE_MCP", "--tools", "hang,echo"], "timeout": 120,
                         "env": {"FAKE_MCP_LOG": "$XDG_STATE_HOME/deskhand/mcp/slow/received.jsonl"}}}}
JSON
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "mcp__slow__hang", "input": {}}]},
 {"expect": {"last_user_contains": "interrupted"},
  "tool_calls": [{"name": "mcp__slow__echo", "input": {"text": "back again"}}]},
 {"expect": {"last_user_contains": "back again"}, "text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "wait for it" > "$T/out" 2>"$T/err" &
pid=$!
R=$XDG_STATE_HOME/deskhand/mcp/slow/received.jsonl
for _ in $(seq 1 600); do grep -q '"name": *"hang"' "$R" 2>/dev/null && break; sleep 0.05; done
grep -q '"name": *"hang"' "$R" 2>/dev/null || { cat "$T/err"; fail "the call never reached the server"; }
t0=$(date +%s%N)
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "stopped ${ms} ms after SIGINT"
[ "$rc" = 130 ] || { cat "$T/err"; fail "exit status $rc, expected 130"; }
[ "$ms" -lt 20000 ] || fail "the interrupt waited for the call (${ms} ms)"
assert_contains "$(jq -r 'select(.type=="tool_result" and .name=="mcp__slow__hang").output' "$T/out")" "interrupted"
for _ in $(seq 1 100); do grep -q 'notifications/cancelled' "$R" && break; sleep 0.05; done
grep -q 'notifications/cancelled' "$R" || fail "the server was not told the call was cancelled: $(cat "$R")"
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
out2=$("$DESKHAND" run --resume "$sid" --json "continue" 2>"$T/err2") || { cat "$T/err2"; fail "resume failed"; }
assert_eq "$(jq -r 'select(.type=="session_finished").status' <<<"$out2")" done
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="mcp__slow__echo").output' <<<"$out2")" "back again"
echo ok
