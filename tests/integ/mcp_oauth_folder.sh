# OAuth for an http connector of a granted folder's trusted .mcp.json: the
# session that needs its authorization says to run `deskhand mcp login NAME
# FOLDER`, and that command (and logout) finds the connector there, as the
# session does. login and logout knew only your mcp.json: "has no connector".
# A folder's file that is not trusted is refused, naming it.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"

. "$DH_TESTS/lib_oauth.sh"
trap '[ -n "${RUN_PID:-}" ] && kill "$RUN_PID" 2>/dev/null; cleanup' EXIT
oauth_start
cat >"$G/.mcp.json" <<JSON
{"mcpServers": {"teamdocs": {"type": "http", "url": "$BASE/mcp"}}}
JSON

# not trusted: refused, naming the file and the command that trusts it
rc=0; "$DESKHAND" mcp login teamdocs "$G" </dev/null >/dev/null 2>"$T/e" || rc=$?
assert_eq "$rc" 1
assert_file_contains "$T/e" "$G/.mcp.json is not trusted"
assert_file_contains "$T/e" "deskhand mcp trust $G/.mcp.json"
"$DESKHAND" mcp trust "$G" >/dev/null

# a session tells the person the login command with the folder
cat >"$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "mcp__teamdocs__whoami", "input": {}}]},
 {"expect": {"last_user_contains": "you are authorized"}, "text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "who am I" >"$T/out" 2>"$T/err" &
RUN_PID=$!
msg=
for _ in $(seq 1 400); do
  msg=$(jq -r 'select(.type=="authorization_needed").message' "$T/out" 2>/dev/null | head -1)
  [ -n "$msg" ] && break
  sleep 0.05
done
[ -n "$msg" ] || fail "no authorization_needed event: $(tail -5 "$T/out" "$T/err")"
assert_contains "$msg" "run \`deskhand mcp login teamdocs $G\`"
# SIGTERM ends the run at once, though its request waits for the connector
# (60 s here, DH_MCP_WAIT_MS): the interrupt waited for that bound.
t0=$(date +%s)
kill "$RUN_PID" 2>/dev/null; rc=0; wait "$RUN_PID" 2>/dev/null || rc=$?; RUN_PID=
s=$(( $(date +%s) - t0 ))
[ "$s" -lt 15 ] || fail "the run took $s s to end after SIGTERM"
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" interrupted
kill_engines

# that command, from anywhere: the URL, the browser, the pasted redirect
mkfifo "$T/in"
(cd / && exec "$DESKHAND" mcp login teamdocs "$G" <"$T/in" >"$T/login.out" 2>"$T/login.err") &
LOGIN_PID=$!
exec 3>"$T/in"
url=
for _ in $(seq 1 200); do
  url=$(grep -o "$BASE/authorize?[^ ]*" "$T/login.out" | head -1) && [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || fail "login printed no URL: $(cat "$T/login.out" "$T/login.err")"
curl -s -o /dev/null -w '%{redirect_url}\n' "$url" >&3
rc=0; wait "$LOGIN_PID" || rc=$?
exec 3>&-
assert_eq "$rc" 0 "login: $(cat "$T/login.out" "$T/login.err")"
assert_file_contains "$T/login.out" "Authorized: deskhand holds a token for teamdocs"

# the session uses the token
kill "$FAKE_PID" 2>/dev/null; wait "$FAKE_PID" 2>/dev/null || true
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "who am I" >"$T/out2" 2>"$T/err2" || true
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="mcp__teamdocs__whoami").output' \
  "$T/out2")" "you are authorized" "$(tail -5 "$T/err2")"

# logout from the folder itself (FOLDER defaults to the current directory)
out=$(cd "$G" && "$DESKHAND" mcp logout teamdocs); assert_contains "$out" "Forgot"
! ls "$XDG_STATE_HOME"/deskhand/oauth/token-*.json >/dev/null 2>&1 || fail "token file left"
echo ok
