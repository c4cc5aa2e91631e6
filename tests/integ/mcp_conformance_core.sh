#!/usr/bin/env bash
# The official MCP conformance suite (npm @modelcontextprotocol/conformance,
# pinned in tests/mcp) drives `deskhand mcp client` through every scored
# client scenario of 2025-11-25 and 2026-07-28 that is not an auth/ one
# (initialize, tools_call, elicitation defaults, sse-retry; request-metadata,
# input_required request state, standard/custom/invalid tool headers,
# $ref not dereferenced), each at its revision's wire version. Any failure
# fails the test; a suite that cannot be installed fails it too.
. "$(dirname "$0")/../lib.sh"
[ -x "$DESKHAND" ] || fail "$DESKHAND not built"
rc=0
out=$("$DH_TESTS/mcp/conformance.sh" "$DESKHAND" --no-auth 2>&1) || rc=$?
echo "$out"
[ $rc != 2 ] || fail "the conformance suite could not be installed or run"
assert_contains "$out" "client, 2025-11-25: 4/4 scored scenarios passed"
assert_contains "$out" "client, 2026-07-28: 7/7 scored scenarios passed"
assert_eq "$rc" 0 "conformance.sh exit status"
