# The managed policy's `allow mcp NAME` and `allow mcp-command COMMAND` lines
# name the only connectors that start: one allowed by name and one by its
# command start and offer their tools; one the policy does not name never
# runs (no marker, no tools offered), and why, naming the policy's line, is
# in the audit log. With `allow_unsandboxed = off` in the policy a connector
# with "sandbox": false does not start either.
. "$DH_TESTS/lib.sh"
[ "$(id -u)" = 0 ] || skip "a managed policy must be root's: run as root"
[ -e /etc/deskhand/policy ] && skip "this machine has its own /etc/deskhand/policy"
# The first request waits for the connectors (the machine may be slow).
export DH_MCP_WAIT_MS=60000
FAKE_MCP=$DH_TESTS/fake/mcp_fake_server.py
G=$T/work; mkdir -p "$G" "$T/opt/mcp"
printf '#!/bin/sh\nexec python3 %s "$@"\n' "$FAKE_MCP" >"$T/opt/mcp/fake-mcp"
chmod 755 "$T/opt/mcp/fake-mcp"
P=$T/etc/policy; mkdir -p "$T/etc"
cat >"$P" <<POL
allow mcp good
allow mcp-command $T/opt/mcp/*
POL
chmod 644 "$P"
export DH_POLICY_FILE=$P
# Unsandboxed, so that a start leaves its marker on the real file system.
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {
  "good": {"command": "python3", "args": ["$FAKE_MCP", "--marker", "$T/m-good", "--tools", "echo"], "sandbox": false},
  "bycmd": {"command": "$T/opt/mcp/fake-mcp", "args": ["--marker", "$T/m-bycmd", "--tools", "echo"], "sandbox": false},
  "other": {"command": "python3", "args": ["$FAKE_MCP", "--marker", "$T/m-other", "--tools", "echo"], "sandbox": false}}}
JSON
END='{"text": "ok", "stop_reason": "end_turn"}'
echo "{\"turns\": [$END, $END]}" >"$T/script.json"
start_fake "$T/script.json"
run_once() { # the events in $T/out, the audit log's mcp_start records in $T/starts,
             # the tools of the run's first request in $T/tools
  local n; n=$(wc -l <"$FAKE_LOG" 2>/dev/null || echo 0)
  "$DESKHAND" run --grant "$G" --json "look" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
  sed -n "$((n + 1))p" "$FAKE_LOG" | jq -r '.body.tools[].name' >"$T/tools"
  local sid; sid=$(jq -r 'select(.type=="session_started").session' "$T/out")
  jq -r 'select(.type=="mcp_start") | "\(.name): \(.status)"' \
    "$XDG_STATE_HOME/deskhand/sessions/$sid/audit.jsonl" >"$T/starts"
}

run_once
[ -e "$T/m-good" ] || fail "the connector the policy allows by name did not start: $(cat "$T/starts")"
[ -e "$T/m-bycmd" ] || fail "the connector the policy allows by command did not start: $(cat "$T/starts")"
[ ! -e "$T/m-other" ] || fail "a connector the policy does not allow ran"
assert_contains "$(cat "$T/tools")" "mcp__good__echo"
assert_contains "$(cat "$T/tools")" "mcp__bycmd__echo"
assert_not_contains "$(cat "$T/tools")" "mcp__other__"
assert_contains "$(cat "$T/starts")" "other: not started: not allowed by the managed policy ($P:1): only the connectors its 'allow mcp' and 'allow mcp-command' lines name may start"

# allow_unsandboxed = off: not even an allowed connector runs unsandboxed.
printf 'set allow_unsandboxed = off\nallow mcp good\n' >"$P"
rm -f "$T/m-good"
run_once
[ ! -e "$T/m-good" ] || fail "an unsandboxed connector ran under allow_unsandboxed = off"
assert_not_contains "$(cat "$T/tools")" "mcp__good__"
assert_contains "$(cat "$T/starts")" "good: not started: it would run without the sandbox (\"sandbox\": false) and allow_unsandboxed is off ($P:1)"
echo ok
