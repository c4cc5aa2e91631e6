# Helpers for the tests that drive @modelcontextprotocol/server-everything
# (pinned in tests/mcp/package.json). Source after tests/lib.sh.
#   everything_install: the pinned packages in tests/mcp/node_modules, installed
#     once with `npm ci` (under a lock) and reused; a failed install fails the
#     test, it never passes silently.
#   everything_start: starts it in its Streamable HTTP mode on a free loopback
#     port; sets EVERY_PORT, EVERY_URL (its /mcp endpoint) and EVERY_LOG; the
#     server is stopped when the test exits.
#   everything_config NAME: the person's mcp.json with one HTTP connector NAME.
EVERY_DIR=$DH_TESTS/mcp
EVERY_JS=$EVERY_DIR/node_modules/@modelcontextprotocol/server-everything/dist/index.js
EVERY_PID=

everything_install() {
  command -v node >/dev/null && command -v npm >/dev/null || fail "node and npm are needed (apt: nodejs npm)"
  [ -f "$EVERY_JS" ] && return 0
  (
    flock 9
    [ -f "$EVERY_JS" ] || npm ci --prefix "$EVERY_DIR" --no-audit --no-fund --ignore-scripts >"$T/npm.log" 2>&1
  ) 9>"$EVERY_DIR/.install.lock" || { tail -20 "$T/npm.log" >&2; fail "npm ci in $EVERY_DIR failed"; }
  [ -f "$EVERY_JS" ] || fail "npm ci did not install server-everything ($EVERY_JS)"
}

everything_stop() {
  if [ -n "$EVERY_PID" ]; then
    kill "$EVERY_PID" 2>/dev/null || true
    wait "$EVERY_PID" 2>/dev/null || true
  fi
  EVERY_PID=
}

everything_start() {
  everything_install
  EVERY_LOG=$T/everything.log
  EVERY_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  PORT=$EVERY_PORT node "$EVERY_JS" streamableHttp >"$EVERY_LOG" 2>&1 &
  EVERY_PID=$!
  trap 'everything_stop; cleanup' EXIT
  for _ in $(seq 1 200); do grep -q "listening on port" "$EVERY_LOG" && break; sleep 0.05; done
  grep -q "listening on port" "$EVERY_LOG" || { cat "$EVERY_LOG" >&2; fail "server-everything did not start"; }
  EVERY_URL=http://127.0.0.1:$EVERY_PORT/mcp
}

everything_config() {
  # The first request waits for the connector (node starts slowly on a busy machine).
  export DH_MCP_WAIT_MS=60000
  mkdir -p "$XDG_CONFIG_HOME/deskhand"
  printf '{"mcpServers": {"%s": {"type": "http", "url": "%s"}}}\n' "$1" "$EVERY_URL" \
    >"$XDG_CONFIG_HOME/deskhand/mcp.json"
}
