# `mcp trust` (and `untrust`) without PATH says what is missing and exits 2,
# then says what the current directory's .mcp.json is and the command that
# changes it (or that there is none there), before the usage; before, only
# the usage was printed.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cd "$G"
rc=0; "$DESKHAND" mcp trust > "$T/out" 2> "$T/err" || rc=$?
assert_eq "$rc" 2 "exit status without PATH"
err=$(cat "$T/err")
assert_contains "$err" \
  "deskhand: mcp trust: missing PATH (a folder's .mcp.json, or the folder holding it)"
assert_contains "$err" "the current directory has no .mcp.json"
assert_contains "$err" "usage: deskhand mcp trust PATH"
assert_eq "$(cat "$T/out")" "" "nothing on stdout"

echo '{"mcpServers": {"a": {"command": "/bin/cat"}}}' > .mcp.json
rc=0; "$DESKHAND" mcp trust 2> "$T/err" || rc=$?
assert_eq "$rc" 2 "exit status without PATH"
assert_contains "$(cat "$T/err")" \
  "deskhand: mcp trust: $G/.mcp.json is not trusted; to change that: deskhand mcp trust ."
"$DESKHAND" mcp trust . > /dev/null || fail "mcp trust . failed"
rc=0; "$DESKHAND" mcp untrust 2> "$T/err" || rc=$?
assert_eq "$rc" 2 "untrust exit status without PATH"
assert_contains "$(cat "$T/err")" \
  "deskhand: mcp untrust: $G/.mcp.json is trusted; to change that: deskhand mcp untrust ."
echo ' ' >> .mcp.json
rc=0; "$DESKHAND" mcp trust 2> "$T/err" || rc=$?
assert_contains "$(cat "$T/err")" \
  "$G/.mcp.json changed since it was trusted; to change that: deskhand mcp trust ."
echo ok
