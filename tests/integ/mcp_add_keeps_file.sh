# `mcp add` and `mcp remove` replace the person's file as an
# editor does: a 0600 mcp.json holding a token stayed 0600 no more (it became
# a 0644 file anyone could read), and a symlinked one (dotfiles kept
# elsewhere) became a plain file, the dotfile left stale. A new mcp.json is
# 0600: its headers and env may hold tokens.
. "$DH_TESTS/lib.sh"
D=$T/dotfiles; mkdir -p "$D" "$XDG_CONFIG_HOME/deskhand"
echo '{"mcpServers": {"a": {"command": "/bin/cat", "env": {"TOKEN": "sk-live"}}}}' > "$D/mcp.json"
chmod 600 "$D/mcp.json"
ln -s "$D/mcp.json" "$XDG_CONFIG_HOME/deskhand/mcp.json"
"$DESKHAND" mcp add b -- /bin/true > "$T/out" 2>&1 || { cat "$T/out"; fail "mcp add failed"; }
[ -L "$XDG_CONFIG_HOME/deskhand/mcp.json" ] || fail "mcp.json is no longer a symlink"
assert_eq "$(stat -c %a "$D/mcp.json")" 600 "the mode of the file mcp.json points to"
assert_eq "$(jq -r '.mcpServers | keys | join(" ")' "$D/mcp.json")" "a b" "the servers in the dotfile"
"$DESKHAND" mcp remove a > "$T/out" 2>&1 || { cat "$T/out"; fail "mcp remove failed"; }
assert_eq "$(stat -c %a "$D/mcp.json")" 600 "the mode after remove"
assert_eq "$(jq -r '.mcpServers | keys | join(" ")' "$D/mcp.json")" "b" "the servers after remove"
# A new one is 0600.
rm "$XDG_CONFIG_HOME/deskhand/mcp.json"
"$DESKHAND" mcp add c -- /bin/true > "$T/out" 2>&1 || { cat "$T/out"; fail "mcp add of a new file failed"; }
assert_eq "$(stat -c %a "$XDG_CONFIG_HOME/deskhand/mcp.json")" 600 "the mode of a new mcp.json"
echo ok
