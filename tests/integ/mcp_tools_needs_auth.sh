# `deskhand mcp tools NAME` for an http connector that needs the person's
# authorization (no token yet) says so at once, with the login command, and
# exits 1. It waited its 30 s and printed "NAME: starting", nothing more.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_oauth.sh"
oauth_start
oauth_connector secure
t0=$(date +%s)
rc=0; out=$(timeout 60 "$DESKHAND" mcp tools secure 2>&1) || rc=$?
s=$(( $(date +%s) - t0 ))
assert_eq "$rc" 1 "$out"
assert_contains "$out" 'secure: needs authorization: run `deskhand mcp login secure`'
[ "$s" -lt 20 ] || fail "took $s s: $out"

# a folder's connector: the command names the folder
G=$T/work; mkdir -p "$G"
echo "{\"mcpServers\": {\"team\": {\"type\": \"http\", \"url\": \"$BASE/mcp\"}}}" >"$G/.mcp.json"
"$DESKHAND" mcp trust "$G" >/dev/null
rc=0; out=$(timeout 60 "$DESKHAND" mcp tools team "$G" 2>&1) || rc=$?
assert_eq "$rc" 1 "$out"
assert_contains "$out" "team: needs authorization: run \`deskhand mcp login team $G\`"
echo ok
