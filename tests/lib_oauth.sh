# The OAuth tests' authorization server and protected MCP server, after
# lib.sh: oauth_start [CONFIG] starts tests/fake/oauth_server.py with CONFIG
# as its --config JSON (by default a protected resource asking for the scope
# mcp:tools), its log in $T/as.log, and sets BASE to its URL (the MCP
# endpoint is $BASE/mcp); lib.sh's cleanup stops it.
oauth_start() {
  local config='{"prm_scopes": ["mcp:tools"]}'
  printf '%s\n' "${1:-$config}" >"$T/as.json"
  python3 "$DH_TESTS/fake/oauth_server.py" --config "$T/as.json" --log "$T/as.log" \
    --port-file "$T/as.port" >"$T/as.out" 2>&1 &
  FAKE_PIDS="$FAKE_PIDS $!"
  for _ in $(seq 1 100); do [ -s "$T/as.port" ] && break; sleep 0.05; done
  [ -s "$T/as.port" ] || fail "oauth_server.py did not start: $(cat "$T/as.out")"
  BASE=http://127.0.0.1:$(cat "$T/as.port")
}

# oauth_connector NAME: the person's mcp.json holds one http connector NAME,
# the protected MCP server of oauth_start ($BASE/mcp).
oauth_connector() {
  mkdir -p "$XDG_CONFIG_HOME/deskhand"
  printf '{"mcpServers": {"%s": {"type": "http", "url": "%s/mcp"}}}\n' "$1" "$BASE" \
    >"$XDG_CONFIG_HOME/deskhand/mcp.json"
}
