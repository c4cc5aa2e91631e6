# The audit log records connectors: each MCP server a session starts (an
# mcp_start record), a folder's .mcp.json that started nothing
# (mcp_untrusted), and the person's trust of it from a client (mcp_trust, by
# person) before its server starts; the log still verifies.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"
FAKE_MCP=$DH_TESTS/fake/mcp_fake_server.py
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat > "$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"mine": {"command": "python3", "args": ["$FAKE_MCP", "--tools", "echo"], "sandbox": false}}}
JSON
cat > "$G/.mcp.json" <<JSON
{"mcpServers": {"folderly": {"command": "python3", "args": ["$FAKE_MCP", "--tools", "echo"], "sandbox": false}}}
JSON
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "go"}]}}]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
fifo=$T/cmd; mkfifo "$fifo"
"$DESKHAND" run --grant "$G" --json --commands "go" <"$fifo" >"$T/out" 2>"$T/err" &
pid=$!
exec 9>"$fifo"
wait_for() { for _ in $(seq 1 600); do grep -q "$1" "$T/out" && return 0; sleep 0.1; done; cat "$T/out" "$T/err"; fail "timed out waiting for $1"; }
wait_for '"approval_needed"'
path=$(jq -r 'select(.type=="mcp_untrusted").path' "$T/out")
[ -n "$path" ] || fail "no mcp_untrusted event"
jq -cn --arg p "$path" '{type: "mcp_trust", path: $p, id: "t1"}' >&9
wait_for '"re":"t1"'
echo '{"type":"deny"}' >&9
exec 9>&-
wait $pid || true
sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
A=$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl
seq_of() { jq -r "select($1) | .seq" "$A" | head -1; }
assert_contains "$(jq -r 'select(.type=="reply" and .re=="t1") | .ok' "$T/out")" true
assert_contains "$(jq -r 'select(.type=="mcp_start" and .name=="mine").status' "$A")" "starting [UNSANDBOXED]"
assert_eq "$(jq -r 'select(.type=="mcp_untrusted").path' "$A")" "$path"
t=$(jq -c 'select(.type=="mcp_trust")' "$A")
assert_eq "$(jq -r '[.path, .decision, .by] | @tsv' <<<"$t")" "$(printf '%s\ttrust\tperson' "$path")"
started=$(seq_of '.type=="mcp_start" and .name=="folderly"')
[ -n "$started" ] || fail "no mcp_start record of the trusted folder's server: $(cat "$A")"
[ "$(jq -r .seq <<<"$t")" -lt "$started" ] || fail "the server's start came before the trust record"
"$DESKHAND" audit verify "$sid" >/dev/null || fail "the log did not verify: $("$DESKHAND" audit verify "$sid")"
echo ok
