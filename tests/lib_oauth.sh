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

# oauth_model NAME: the fake model server (started again if one runs, from
# $T/script.json) calls connector NAME's tool whoami, then expects its
# result, "you are authorized", in the next request.
oauth_model() {
  if [ -n "$FAKE_PID" ]; then kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true; fi
  cat >"$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "mcp__$1__whoami", "input": {}}]},
 {"expect": {"last_user_contains": "you are authorized"}, "text": "done", "stop_reason": "end_turn"}
]}
JSON
  start_fake "$T/script.json"
}

# oauth_needed FILE FIELD: FIELD of the first authorization_needed event in
# FILE (a `deskhand run --json` output being written), once there (20 s at
# most); nothing if none came.
oauth_needed() {
  local v= _
  for _ in $(seq 1 400); do
    v=$(jq -r "select(.type==\"authorization_needed\").$2" "$1" 2>/dev/null | head -1)
    [ -n "$v" ] && break
    sleep 0.05
  done
  printf '%s' "$v"
}

# oauth_browse URL: where the authorization server sends the browser from
# URL (it redirects at once), not followed: the address the person pastes.
oauth_browse() { curl -s -o /dev/null -w '%{redirect_url}' "$1"; }

# oauth_login_begin NAME [FOLDER]: `deskhand mcp login NAME [FOLDER]` in the
# background ($LOGIN_PID), in the current directory, its output in
# $T/login.out and $T/login.err, its stdin a pipe the test writes what the
# person pastes to on fd 3; waits for the authorization URL it prints,
# $LOGIN_URL. oauth_login_end waits for it.
oauth_login_begin() {
  local _
  rm -f "$T/in"; mkfifo "$T/in"
  "$DESKHAND" mcp login "$@" <"$T/in" >"$T/login.out" 2>"$T/login.err" &
  LOGIN_PID=$!
  exec 3>"$T/in"
  LOGIN_URL=
  for _ in $(seq 1 200); do
    LOGIN_URL=$(grep -o "$BASE/authorize?[^ ]*" "$T/login.out" | head -1) && [ -n "$LOGIN_URL" ] && break
    sleep 0.05
  done
  [ -n "$LOGIN_URL" ] || fail "login printed no URL: $(cat "$T/login.out" "$T/login.err")"
}

# oauth_login_end: the login of oauth_login_begin, its stdin closed (all
# pasted), ends with exit status 0.
oauth_login_end() {
  local rc=0
  exec 3>&-
  wait "$LOGIN_PID" || rc=$?
  LOGIN_PID=
  assert_eq "$rc" 0 "login: $(cat "$T/login.out" "$T/login.err")"
}

# oauth_no_token: no token file is left under $XDG_STATE_HOME/deskhand/oauth.
oauth_no_token() {
  ! ls "$XDG_STATE_HOME"/deskhand/oauth/token-*.json >/dev/null 2>&1 || fail "token file left"
}
