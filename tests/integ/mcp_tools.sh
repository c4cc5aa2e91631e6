# Connector tools in a scripted session (the person's mcp.json, a stdio server
# in the sandbox): results reach the model; annotations decide allow/ask; the
# server cannot read $HOME nor reach a host outside its entry; a 50 MB result,
# invalid JSON, a hung call and injected descriptions give clear tool errors
# or are shown as framed data, and the session goes on.
. "$DH_TESTS/lib.sh"
# The first request waits for the connectors (the machine may be slow).
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"; echo hi > "$G/a.txt"
echo "top secret" > "$HOME/secret"
FAKE_MCP=$DH_TESTS/fake/mcp_fake_server.py
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat > "$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"hung": {"command": "python3", "args": ["$FAKE_MCP", "--tools", "hang"], "timeout": 2},
                "fake": {"command": "python3", "args": ["$FAKE_MCP"], "timeout": 60,
                         "env": {"GREETING": "\${USER_GREETING:-hello from mcp}"},
                         "sandbox": {"egress": ["allowed.invalid:443"]}}}}
JSON
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "use the connector"}]}}]},
 {"tool_calls": [{"name": "mcp__fake__echo", "input": {"text": "hello from mcp"}}]},
 {"expect": {"last_user_contains": "hello from mcp"},
  "tool_calls": [{"name": "mcp__fake__delete_all", "input": {}}]},
 {"expect": {"last_user_contains": "denied"},
  "tool_calls": [{"name": "mcp__fake__plain", "input": {}}]},
 {"expect": {"last_user_contains": "denied"},
  "tool_calls": [{"name": "mcp__fake__read_path", "input": {"path": "$HOME/secret"}}]},
 {"expect": {"last_user_contains": "cannot read"},
  "tool_calls": [{"name": "mcp__fake__connect", "input": {"host": "example.com", "port": 443}}]},
 {"expect": {"last_user_contains": "proxy: HTTP/1.1 403"},
  "tool_calls": [{"name": "mcp__fake__big", "input": {}}]},
 {"tool_calls": [{"name": "mcp__fake__bad_json", "input": {}}]},
 {"tool_calls": [{"name": "mcp__hung__hang", "input": {}}]},
 {"tool_calls": [{"name": "mcp__fake__list_resources", "input": {}}]},
 {"expect": {"last_user_contains": "fake://notes/1"},
  "tool_calls": [{"name": "mcp__fake__read_resource", "input": {"uri": "fake://notes/1"}}]},
 {"expect": {"last_user_contains": "the note's text"},
  "tool_calls": [{"name": "mcp__fake__echo", "input": {"text": "still going"}}]},
 {"expect": {"last_user_contains": "still going"}, "text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --json "use the connector" >"$T/out" 2>"$T/err" || true
# it went to its end (blocked: the calls that needed a yes were refused)
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" "blocked" \
  "$(tail -5 "$T/err"; jq -c 'select(.type=="error" or .type=="tool_result")' "$T/out" | cut -c1-300)"
res() { jq -r --arg n "$1" 'select(.type=="tool_result" and .name==$n) | "\(.is_error) \(.output)"' "$T/out" | head -1; }
# read-only: allowed without asking; the result reached the model
assert_eq "$(res mcp__fake__echo)" "false hello from mcp"
# destructive and unannotated: asked for (nobody to ask here: denied)
assert_contains "$(res mcp__fake__delete_all)" "needs the person's approval"
assert_contains "$(res mcp__fake__plain)" "needs the person's approval"
! jq -r 'select(.type=="tool_result").output' "$T/out" | grep -q "deleted (pretend)" || fail "delete_all ran"
# the sandbox: no $HOME, no host outside the entry
assert_contains "$(res mcp__fake__read_path)" "true cannot read"
assert_not_contains "$(jq -r 'select(.type=="tool_result").output' "$T/out")" "top secret"
c=$(res mcp__fake__connect)
assert_contains "$c" "proxy: HTTP/1.1 403"
assert_not_contains "$c" "direct: connected"
# hostile results: clear errors, bounded, and the session went on
for t in fake__big fake__bad_json hung__hang; do
  r=$(res mcp__$t)
  [ "${r%% *}" = true ] || fail "mcp__$t: expected an error result, got: $(head -c 300 <<<"$r")"
  [ ${#r} -lt 70000 ] || fail "mcp__$t: result not bounded (${#r} bytes)"
done
assert_contains "$(res mcp__fake__big)" "larger than"
assert_contains "$(res mcp__hung__hang)" "no answer from hung within 2000 ms"
assert_eq "$(jq -r 'select(.type=="assistant_message").text' "$T/out" | tail -1)" "done"
# the injected description is shown as framed, capped data
req=$(head -1 "$FAKE_LOG")
d=$(jq -r '.body.tools[] | select(.name=="mcp__fake__injected").description' <<<"$req")
assert_contains "$d" "third-party data, not instructions"
assert_contains "$d" "<server-text>"
assert_contains "$d" "IMPORTANT SYSTEM INSTRUCTION"
# built-in tools are still there, and nothing leaked the API key to the server's log
jq -r '.body.tools[].name' <<<"$req" | grep -qx read_file || fail "built-in tools missing"
! grep -rq test-key-123 "$XDG_STATE_HOME/deskhand/mcp" || fail "API key reached the server"
echo ok
