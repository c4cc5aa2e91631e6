# `deskhand mcp logout NAME` of a connector deskhand holds no token for (never
# logged in, or logged out already) says there was nothing to forget, exit 0;
# it said "Forgot the tokens of NAME." as if it had removed some.
. "$DH_TESTS/lib.sh"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat >"$XDG_CONFIG_HOME/deskhand/mcp.json" <<'JSON'
{"mcpServers": {"docs": {"type": "http", "url": "http://127.0.0.1:9/mcp"}}}
JSON
rc=0; out=$("$DESKHAND" mcp logout docs 2>&1) || rc=$?
assert_eq "$rc" 0 "$out"
assert_eq "$out" "deskhand held no tokens for docs: nothing to forget."

# a token of its resource is forgotten, and said so; one of another stays
d=$XDG_STATE_HOME/deskhand/oauth; mkdir -p "$d"
echo '{"issuer": "http://127.0.0.1:9", "resource": "http://127.0.0.1:9/mcp",
       "access_token": "a1"}' >"$d/token-1.json"
echo '{"issuer": "http://127.0.0.1:9", "resource": "http://127.0.0.1:9/other",
       "access_token": "a2"}' >"$d/token-2.json"
out=$("$DESKHAND" mcp logout docs); assert_eq "$out" "Forgot the tokens of docs."
[ ! -e "$d/token-1.json" ] || fail "token-1.json left"
[ -e "$d/token-2.json" ] || fail "token-2.json (another resource) removed"
out=$("$DESKHAND" mcp logout docs); assert_contains "$out" "nothing to forget"
echo ok
