# `mcp add` with its arguments wrong is a usage error (exit 2) that says
# what is wrong: an option missing its value is named (getopt's message
# named the connector as if it were the program: "x: option '--url'
# requires an argument"), and mcp.json is left alone.
. "$DH_TESTS/lib.sh"
mkdir -p "$XDG_CONFIG_HOME/deskhand"
F=$XDG_CONFIG_HOME/deskhand/mcp.json

for opt in --url --header --env --path; do
	rc=0; out=$("$DESKHAND" mcp add x "$opt" 2>&1) || rc=$?
	assert_eq "$rc" 2 "mcp add x $opt: $out"
	assert_contains "$out" "deskhand: mcp add: option '$opt' needs a value"
	assert_not_contains "$out" "x: option"
done
rc=0; out=$("$DESKHAND" mcp add x --bogus 2>&1) || rc=$?
assert_eq "$rc" 2 "mcp add x --bogus: $out"
assert_contains "$out" "deskhand: mcp add: unknown option '--bogus'"
[ ! -e "$F" ] || fail "mcp.json was written: $(cat "$F")"
echo ok
