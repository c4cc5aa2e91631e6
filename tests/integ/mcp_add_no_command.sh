# `mcp add NAME` with neither a command nor --url is a usage error: exit 2
# and a message saying what it needs (it exited 1 with the mcp.json
# loader's complaint about a "command" key the person never wrote), and
# mcp.json is left alone.
. "$DH_TESTS/lib.sh"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
F=$XDG_CONFIG_HOME/deskhand/mcp.json

for args in "x" "x --env A=1" "x --header A:1" "x --"; do
	rc=0; out=$("$DESKHAND" mcp add $args 2>&1) || rc=$?
	assert_eq "$rc" 2 "mcp add $args: $out"
	assert_contains "$out" "deskhand: mcp add: x needs a COMMAND (after '--') or --url URL"
	assert_contains "$out" "usage: deskhand mcp add NAME"
done
[ ! -e "$F" ] || fail "mcp.json was written: $(cat "$F")"
# Either one is enough.
"$DESKHAND" mcp add x -- /bin/true >"$T/out" 2>&1 || { cat "$T/out"; fail "mcp add with a command"; }
"$DESKHAND" mcp add y --url http://127.0.0.1:9/mcp >"$T/out" 2>&1 ||
	{ cat "$T/out"; fail "mcp add with --url"; }
assert_eq "$(jq -r '.mcpServers | keys | join(" ")' "$F")" "x y" "the servers added"
echo ok
