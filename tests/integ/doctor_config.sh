#!/usr/bin/env bash
# `deskhand doctor` with a config file that does not load (an unknown setting,
# a line it cannot read) or an mcp.json that is not JSON: each is a failed
# check naming the file (and line) and the error, and doctor exits 1. It
# used to say only "telemetry: the config does not load" as a warning, or
# nothing for mcp.json, and exit 0.
. "$DH_TESTS/lib.sh"
C=$XDG_CONFIG_HOME/deskhand; mkdir -p "$C"

# An unknown setting: FILE:LINE and the error, a failure, exit 1.
printf 'set max_turns = 7\nset no_such_setting = 1\n' >"$C/config"
rc=0; out=$("$DESKHAND" doctor 2>&1) || rc=$?
assert_eq "$rc" 1 "doctor exit status with a bad config line"
line=$(grep '^FAIL config: ' <<<"$out") || fail "no FAIL config line in: $out"
assert_contains "$line" "$C/config:2: "
assert_contains "$line" "no_such_setting"
assert_contains "$out" "fix: correct or remove the line it names"
json=$("$DESKHAND" doctor --json) || true
assert_eq "$(jq -r '.ok' <<<"$json")" false "ok"
assert_eq "$(jq -r '.checks[] | select(.name=="config") | .status' <<<"$json")" fail
assert_contains "$(jq -r '.checks[] | select(.name=="config") | .detail' <<<"$json")" \
  "$C/config:2: "

# A line that is not a command at all.
printf 'this is not a line\n' >"$C/config"
rc=0; out=$("$DESKHAND" doctor 2>&1) || rc=$?
assert_eq "$rc" 1 "doctor exit status with a bad config line"
grep -q "^FAIL config: $C/config:1: " <<<"$out" || fail "no FAIL config line in: $out"

# mcp.json that is not JSON: the file named, a failure, exit 1.
echo 'set max_turns = 7' >"$C/config"
echo '{"mcpServers": {"fs": ' >"$C/mcp.json"
rc=0; out=$("$DESKHAND" doctor 2>&1) || rc=$?
assert_eq "$rc" 1 "doctor exit status with a malformed mcp.json"
line=$(grep '^FAIL connectors: ' <<<"$out") || fail "no FAIL connectors line in: $out"
assert_contains "$line" "$C/mcp.json"
grep -q '^ok   config: ' <<<"$out" || fail "the config check should pass: $out"
json=$("$DESKHAND" doctor --json) || true
assert_eq "$(jq -r '.checks[] | select(.name=="mcp-config") | .status' <<<"$json")" fail
# Good files again: the config check passes; no connector file check fails.
echo 'set max_turns = 7' >"$C/config"
echo '{"mcpServers": {}}' >"$C/mcp.json"
json=$("$DESKHAND" doctor --json) || true
assert_eq "$(jq -r '.checks[] | select(.name=="config") | .status' <<<"$json")" ok "config check"
assert_eq "$(jq -r '[.checks[] | select(.name=="mcp-config")] | length' <<<"$json")" 0 \
  "mcp-config checks of good files"

echo ok
