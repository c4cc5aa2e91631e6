# `deskhand rules` lists the rules in the order the agent checks them (deny,
# then ask, then allow; file order within each) with the FILE:LINE of each,
# the person's and a granted folder's; the folder's allow is refused with a
# warning naming its line; a malformed line is exit 1 naming file:line.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.deskhand"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "${cfg%/*}"
printf 'allow write_file\nset mode = ask\nask read_file(private/*)\nallow mcp__drive__*\n' > "$cfg"
printf '# the folder\ndeny write_file(*.env)\nallow run_command\nask mcp__gmail__send_email\n' \
  > "$G/.deskhand/config"
"$DESKHAND" rules --help | grep -q '^usage: deskhand rules' || fail "no --help"
"$DESKHAND" rules --grant "$G" >"$T/out" 2>"$T/err" || fail "rules failed: $(cat "$T/err")"
assert_eq "$(grep -v '^#' "$T/out" | sed 's/  */ /g')" "deny write_file(*.env) $G/.deskhand/config:2
ask read_file(private/*) $cfg:3
ask mcp__gmail__send_email $G/.deskhand/config:4
allow write_file $cfg:1
allow mcp__drive__* $cfg:4"
assert_contains "$(cat "$T/err")" "deskhand rules: refused: $G/.deskhand/config:3: a folder's config may add ask and deny rules, never allow"
# The current directory is the default folder.
(cd "$G" && "$DESKHAND" rules --json 2>/dev/null) > "$T/json"
assert_eq "$(jq -r '.[0] | "\(.verdict) \(.tool) \(.pattern) \(.where)"' "$T/json")" \
  "deny write_file *.env $G/.deskhand/config:2"
assert_eq "$(jq length "$T/json")" 5
printf 'deny write_file(*.env\n' > "$G/.deskhand/config"
rc=0; "$DESKHAND" rules --grant "$G" >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/err")" "$G/.deskhand/config:1: the pattern of 'write_file(' has no closing ')'"
rc=0; "$DESKHAND" rules --bogus >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2
echo ok
