# OAuth for an http connector end to end: `deskhand mcp login` prints the
# authorization URL and takes the redirect URL pasted on stdin (as over SSH);
# the token lands in $XDG_STATE_HOME/deskhand/oauth/ with mode 0600; a
# scripted session then calls the connector's tool with it. The token never
# appears in the session's files (transcript, events), its output, or the
# model requests; logout forgets it.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
G=$T/work; mkdir -p "$G"

. "$DH_TESTS/lib_oauth.sh"
trap '[ -n "${LOGIN_PID:-}" ] && kill "$LOGIN_PID" 2>/dev/null; cleanup' EXIT
oauth_start
oauth_connector secure

# the oauth object: an unknown key is named
cp "$XDG_CONFIG_HOME/deskhand/mcp.json" "$T/good.json"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"secure": {"type": "http", "url": "$BASE/mcp", "oauth": {"clientID": "x"}}}}
JSON
rc=0; "$DESKHAND" mcp logout secure >/dev/null 2>"$T/e" || rc=$?
assert_eq "$rc" 1
assert_file_contains "$T/e" "mcpServers.secure.oauth: unknown key (known: clientId, clientSecret, scope, clientMetadataUrl, redirectUri): clientID"
cp "$T/good.json" "$XDG_CONFIG_HOME/deskhand/mcp.json"

out=$("$DESKHAND" mcp login --help); assert_contains "$out" "usage: deskhand mcp login SERVER"
rc=0; "$DESKHAND" mcp login nosuch >/dev/null 2>"$T/e" || rc=$?
assert_eq "$rc" 1; assert_file_contains "$T/e" "no connector 'nosuch'"

# login: read the URL it prints, play the browser (the authorization server
# redirects at once), paste where the browser ended.
oauth_login_begin secure
assert_contains "$LOGIN_URL" "code_challenge_method=S256"
assert_contains "$LOGIN_URL" "resource=http%3A%2F%2F127.0.0.1"
assert_file_contains "$T/login.out" "paste the URL"
loc=$(oauth_browse "$LOGIN_URL")
assert_contains "$loc" "code="
echo "not a redirect" >&3 # a wrong line is refused, login goes on
echo "$loc" >&3
oauth_login_end
assert_file_contains "$T/login.out" "Authorized"
assert_file_contains "$T/login.err" "state"

# the token: stored 0600 under oauth/
f=$(ls "$XDG_STATE_HOME"/deskhand/oauth/token-*.json)
[ -n "$f" ] || fail "no token file"
assert_eq "$(stat -c %a "$f")" 600
assert_eq "$(stat -c %a "$XDG_STATE_HOME/deskhand/oauth")" 700
tok=$(jq -r .access_token "$f")
case $tok in access-*) ;; *) fail "unexpected token file content" ;; esac
! grep -q "$tok" "$T/login.out" "$T/login.err" || fail "login printed the token"

# a session uses it: the read-only tool runs, its result reaches the model
oauth_model secure
"$DESKHAND" run --grant "$G" --json "who am I at the connector" >"$T/out" 2>"$T/err" || true
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out")" done \
  "$(tail -5 "$T/err"; jq -c 'select(.type=="error" or .type=="tool_result")' "$T/out" | cut -c1-300)"
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="mcp__secure__whoami").output' "$T/out")" \
  "you are authorized"
grep -q "\"auth\": \"Bearer $tok\"" "$T/as.log" || fail "the session did not send the token"

# nowhere but the token file
leaks=$(grep -rl --exclude-dir=oauth -- "$tok" "$XDG_STATE_HOME" "$XDG_CONFIG_HOME" "$G" \
          "$T/out" "$T/err" "$FAKE_LOG" 2>/dev/null || true)
[ -z "$leaks" ] || fail "the token reached: $leaks"

# logout forgets it
out=$("$DESKHAND" mcp logout secure); assert_contains "$out" "Forgot"
oauth_no_token
# a session needing a new authorization says so with the URL, and the
# redirect to its loopback listener (a browser on this machine) lets the
# waiting call go on
oauth_model secure
"$DESKHAND" run --grant "$G" --json "who am I at the connector" >"$T/out2" 2>"$T/err2" &
RUN_PID=$!
url2=$(oauth_needed "$T/out2" url)
[ -n "$url2" ] || { kill "$RUN_PID"; fail "no authorization URL shown: $(cat "$T/out2" "$T/err2" | tail -5)"; }
assert_contains "$(jq -r 'select(.type=="authorization_needed").message' "$T/out2")" "deskhand mcp login secure"
curl -sSL "$url2" >"$T/browser.out" 2>"$T/browser.err" || { kill "$RUN_PID"; fail "the browser could not follow the redirect: $(cat "$T/browser.err") $(jq -c "select(.type==\"error\")" "$T/out2")"; }
assert_file_contains "$T/browser.out" "authorization received"
rc=0; wait "$RUN_PID" || rc=$?
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out2")" done \
  "$(tail -5 "$T/err2"; jq -c 'select(.type=="error" or .type=="tool_result")' "$T/out2" | cut -c1-300)"
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="mcp__secure__whoami").output' "$T/out2")" \
  "you are authorized"
tok2=$(jq -r .access_token "$XDG_STATE_HOME"/deskhand/oauth/token-*.json)
[ -n "$tok2" ] && [ "$tok2" != "$tok" ] || fail "no new token"
leaks=$(grep -rl --exclude-dir=oauth -- "$tok2" "$XDG_STATE_HOME" "$G" "$T/out2" "$T/err2" \
          "$FAKE_LOG" 2>/dev/null || true)
[ -z "$leaks" ] || fail "the new token reached: $leaks"

# Over SSH the browser is on another machine: its redirect never reaches our
# loopback listener. The person pastes where the browser ended instead: the
# `authorize` command (`:authorize SERVER URL` in the workbench); the call
# waiting goes on. A URL of another flow is refused and the flow goes on.
"$DESKHAND" mcp logout secure >/dev/null
oauth_model secure
mkfifo "$T/cmds"
"$DESKHAND" run --grant "$G" --json --commands "who am I at the connector" <"$T/cmds" \
  >"$T/out3" 2>"$T/err3" &
RUN_PID=$!
exec 4>"$T/cmds"
url3=$(oauth_needed "$T/out3" url)
[ -n "$url3" ] || { kill "$RUN_PID"; fail "no authorization_needed event: $(tail -5 "$T/out3" "$T/err3")"; }
assert_eq "$(jq -r 'select(.type=="authorization_needed").server' "$T/out3")" secure
assert_contains "$(jq -r 'select(.type=="authorization_needed").message' "$T/out3")" "authorize"
loc3=$(oauth_browse "$url3")   # the browser, elsewhere: not followed
assert_contains "$loc3" "code="
printf '{"type":"authorize","server":"secure","url":"%s","id":"a1"}\n' \
  "${loc3/state=/state=x}" >&4
printf '{"type":"authorize","server":"nosuch","url":"%s","id":"a2"}\n' "$loc3" >&4
for _ in $(seq 1 200); do
  [ "$(jq -r 'select(.type=="reply" and .re=="a2") | .ok' "$T/out3" 2>/dev/null)" = false ] && break
  sleep 0.05
done
printf '{"type":"authorize","server":"secure","url":"%s","id":"a3"}\n' "$loc3" >&4
rc=0; wait "$RUN_PID" || rc=$?
exec 4>&-
assert_eq "$(jq -r 'select(.type=="reply" and .re=="a1") | .ok' "$T/out3")" false
assert_contains "$(jq -r 'select(.type=="reply" and .re=="a1") | .message' "$T/out3")" "state"
assert_contains "$(jq -r 'select(.type=="reply" and .re=="a2") | .message' "$T/out3")" "no connector 'nosuch'"
assert_eq "$(jq -r 'select(.type=="reply" and .re=="a3") | .ok' "$T/out3")" true
assert_eq "$(jq -r 'select(.type=="session_finished").status' "$T/out3")" done \
  "$(tail -5 "$T/err3"; jq -c 'select(.type=="error" or .type=="tool_result" or .type=="reply")' "$T/out3" | cut -c1-300)"
assert_eq "$(jq -r 'select(.type=="tool_result" and .name=="mcp__secure__whoami").output' "$T/out3")" \
  "you are authorized"
echo ok
