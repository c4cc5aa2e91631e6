# A damaged OAuth token file (here cut short) of an http connector: deskhand
# ignored it without a word, the connector behaved as if never logged in,
# and `deskhand mcp logout` left the file in place. The connector's flow now
# names the file, what is wrong with it and the way out; logout removes it,
# and login then works.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_oauth.sh"
oauth_start
oauth_connector secure
# the token file of this issuer and resource: token-SHA256(ISSUER \n RESOURCE).json
d=$XDG_STATE_HOME/deskhand/oauth; mkdir -p "$d"; chmod 700 "$d"
f=$d/token-$(printf '%s\n%s' "$BASE" "$BASE/mcp" | sha256sum | cut -d' ' -f1).json
printf '{"issuer": "%s", "resource": "%s/mcp", "access_tok' "$BASE" "$BASE" >"$f"
chmod 600 "$f"
# another connector's good token stays through logout
echo '{"issuer": "http://127.0.0.1:9", "resource": "http://127.0.0.1:9/other",
       "access_token": "a2"}' >"$d/token-other.json"

rc=0; out=$(timeout 60 "$DESKHAND" mcp tools secure 2>&1) || rc=$?
assert_eq "$rc" 1 "$out"
assert_contains "$out" "the stored token of secure is damaged: $f: invalid JSON at byte"
assert_contains "$out" 'run `deskhand mcp logout secure`, then `deskhand mcp login secure`'

rc=0; out=$("$DESKHAND" mcp logout secure 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
assert_eq "$out" "Forgot the tokens of secure."
[ ! -e "$f" ] || fail "logout left the damaged token file"
[ -e "$d/token-other.json" ] || fail "logout removed another connector's token"

# a file without its access_token is damaged too
printf '{"issuer": "%s", "resource": "%s/mcp"}\n' "$BASE" "$BASE" >"$f"
rc=0; out=$(timeout 60 "$DESKHAND" mcp tools secure 2>&1) || rc=$?
assert_eq "$rc" 1 "$out"
assert_contains "$out" "the stored token of secure is damaged: $f: no access_token"
out=$("$DESKHAND" mcp logout secure); assert_eq "$out" "Forgot the tokens of secure."
[ ! -e "$f" ] || fail "logout left the token file without access_token"

# without it, the connector asks for an authorization as before
rc=0; out=$(timeout 60 "$DESKHAND" mcp tools secure 2>&1) || rc=$?
assert_eq "$rc" 1 "$out"
assert_contains "$out" 'secure: needs authorization: run `deskhand mcp login secure`'
assert_not_contains "$out" "damaged"
echo ok
