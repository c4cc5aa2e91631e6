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
oauth_model teamdocs
"$DESKHAND" run --grant "$G" --json "who am I" >"$T/out" 2>"$T/err" &
RUN_PID=$!
msg=$(oauth_needed "$T/out" message)
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
cd /
oauth_login_begin teamdocs "$G"
cd "$OLDPWD"
loc=$(oauth_browse "$LOGIN_URL")
echo "$loc" >&3
oauth_login_end
assert_file_contains "$T/login.out" "Authorized: deskhand holds a token for teamdocs"

# the session uses the token
oauth_model teamdocs
"$DESKHAND" run --grant "$G" --json "who am I" >"$T/out2" 2>"$T/err2" || true
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="mcp__teamdocs__whoami").output' \
  "$T/out2")" "you are authorized" "$(tail -5 "$T/err2")"

# logout from the folder itself (FOLDER defaults to the current directory)
out=$(cd "$G" && "$DESKHAND" mcp logout teamdocs); assert_contains "$out" "Forgot"
oauth_no_token
echo ok
