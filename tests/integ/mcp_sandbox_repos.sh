# A sandboxed connector's server cannot change what git runs in a repository
# of its paths: not one folder down (the helper always finds those), and not
# deeper (before, only run_command had those named, by the watcher, which a
# connector's server starts before): the helper walks the paths for them
# itself, once per server (--find-repos). The rest of its paths stay
# writable to it.
. "$DH_TESTS/lib.sh"
export DH_MCP_WAIT_MS=60000
FAKE_MCP=$DH_TESTS/fake/mcp_fake_server.py
W=$T/work
for r in a org/team/c; do
  mkdir -p "$W/$r/.git/hooks" "$W/$r/.git/objects"
  printf '[core]\n\tbare = false\n' > "$W/$r/.git/config"
done
writes=()
for r in a org/team/c; do
  writes+=("$W/$r/.git/hooks/post-checkout" "$W/$r/.git/config" "$W/$r/.git/objects/new" "$W/$r/made")
done
args=$(printf '%s\n' "$FAKE_MCP" --tools echo $(printf -- '--try-write\n%s\n' "${writes[@]}") | jq -R . | jq -sc .)
mkdir -p "$XDG_CONFIG_HOME/deskhand"
cat > "$XDG_CONFIG_HOME/deskhand/mcp.json" <<JSON
{"mcpServers": {"w": {"command": "python3", "args": $args, "sandbox": {"paths": ["$W"]}}}}
JSON
"$DESKHAND" mcp tools w >"$T/tools" 2>"$T/err" || { cat "$T/tools" "$T/err"; fail "mcp tools w"; }
assert_contains "$(cat "$T/tools")" "w: ready"
for r in a org/team/c; do
  [ ! -e "$W/$r/.git/hooks/post-checkout" ] || fail "the server planted $r/.git/hooks/post-checkout"
  assert_eq "$(cat "$W/$r/.git/config")" "$(printf '[core]\n\tbare = false')" "$r/.git/config"
  # its objects and work tree are the server's to write, as a command's are
  assert_eq "$(cat "$W/$r/.git/objects/new")" "touch /tmp/pwned" "$r/.git/objects/new"
  assert_eq "$(cat "$W/$r/made")" "touch /tmp/pwned" "$r/made"
done
echo ok
