# A key given twice in one object of the person's mcp.json (the same server
# name twice, or "command" twice in one server) is refused, naming the file,
# the key and its line, where one of the two was taken silently before: by
# `mcp list`, `mcp add` (which would have dropped one) and a run. A folder's
# .mcp.json is refused the same way by `mcp trust`.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G" "$XDG_CONFIG_HOME/deskhand"
U=$XDG_CONFIG_HOME/deskhand/mcp.json
cat > "$U" <<'JSON'
{"mcpServers": {
  "notes": {"command": "/bin/cat"},
  "files": {"command": "/bin/true"},
  "notes": {"command": "/bin/false"}
}}
JSON
want="$U:4: key \"notes\" given twice in one object (first at line 2)"
rc=0; "$DESKHAND" mcp list > "$T/out" 2>&1 || rc=$?
assert_eq "$rc" 1 "mcp list exit status"
assert_contains "$(cat "$T/out")" "$want"
cp "$U" "$T/before"
rc=0; "$DESKHAND" mcp add other -- /bin/true > "$T/out" 2>&1 || rc=$?
assert_eq "$rc" 1 "mcp add exit status"
assert_contains "$(cat "$T/out")" "$want"
cmp -s "$U" "$T/before" || fail "mcp add changed a file it refused"

echo '{"turns": [{"text": "ok", "stop_reason": "end_turn"}]}' > "$T/script.json"
start_fake "$T/script.json"
rc=0; "$DESKHAND" run --grant "$G" "hi" > "$T/out" 2>&1 || rc=$?
assert_contains "$(cat "$T/out")" "$want"

# in one server's object
printf '{"mcpServers": {"notes": {"command": "/bin/cat",\n\n "command": "/bin/sh"}}}\n' > "$U"
rc=0; "$DESKHAND" mcp list > "$T/out" 2>&1 || rc=$?
assert_eq "$rc" 1 "mcp list exit status"
assert_contains "$(cat "$T/out")" \
  "$U:3: key \"command\" given twice in one object (first at line 1)"

# a folder's .mcp.json
rm "$U"
printf '{"mcpServers": {"a": {"command": "/bin/cat", "args": [], "args": ["-n"]}}}\n' \
  > "$G/.mcp.json"
rc=0; "$DESKHAND" mcp trust "$G" > "$T/out" 2>&1 || rc=$?
assert_eq "$rc" 1 "mcp trust exit status"
assert_contains "$(cat "$T/out")" \
  "$G/.mcp.json:1: key \"args\" given twice in one object (first at line 1)"
echo ok
