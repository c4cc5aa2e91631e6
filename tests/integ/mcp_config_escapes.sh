# A folder's .mcp.json comes with the folder (a cloned repository): the
# names, keys and values its errors quote are printed printable. A server
# named "ev<ESC>]0;PWN<BEL>il", an unknown key that is an OSC 52 clipboard
# write or a "type" that erases the screen reached the terminal raw in the
# error of mcp list and mcp trust; a newline in one forged a line.
. "$DH_TESTS/lib.sh"
check() { # DIR JSON EXPECTED: mcp list and mcp trust in DIR refuse it printably
  mkdir -p "$1"; printf '%s' "$2" > "$1/.mcp.json"
  local v rc
  for v in list trust; do
    rc=0
    (cd "$1" && if [ $v = list ]; then "$DESKHAND" mcp list; else "$DESKHAND" mcp trust .; fi) \
      >"$T/out" 2>&1 || rc=$?
    [ "$rc" != 0 ] || fail "mcp $v accepted $1/.mcp.json: $(cat -v "$T/out")"
    if grep -q $'\033\|\a' "$T/out"; then cat -v "$T/out"; fail "mcp $v printed a control"; fi
    assert_contains "$(cat "$T/out")" "$3"
    ! grep -q '^forged' "$T/out" || fail "mcp $v printed a forged line: $(cat -v "$T/out")"
  done
}
check "$T/a" '{"mcpServers": {"ev\u001b]0;PWN\u0007il": {"command": "true"}}}' \
  'server name "ev^[]0;PWN^Gil" must be'
check "$T/b" '{"mcpServers": {"ok": {"command": "true", "x\u001b]52;c;Zm9v\u0007": 1}}}' \
  'unknown key (known: command, args, env, type, url, headers, sandbox, timeout, oauth): x^[]52;c;Zm9v^G'
check "$T/c" '{"mcpServers": {"ok": {"command": "true", "type": "x\u001b[2J\nforged"}}}' \
  'mcpServers.ok.type: must be "stdio" or "http", not: x^[[2J^Jforged'
check "$T/d" '{"x\u001b[2J": 1}' 'unknown key "x^[[2J" (known: mcpServers)'
echo ok
