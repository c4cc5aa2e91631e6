# A rule every session refuses (a pattern on a tool that takes neither a
# command nor a path) is refused by `deskhand rules` and `deskhand config`
# too, exit 1 naming FILE:LINE and the problem, as `deskhand run` does: in
# the person's config and in a granted folder's. A tool the registry does
# not know (an MCP tool) may carry a pattern. A run refused so leaves no
# session behind.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/.deskhand"
cfg=$XDG_CONFIG_HOME/deskhand/config; mkdir -p "${cfg%/*}"
why="rule pattern 'x': web_fetch takes neither a command nor a path"
printf 'set mode = ask\nallow web_fetch(x)\n' >"$cfg"
# (a key and an endpoint nothing answers: the run stops before a request)
for cmd in "rules --grant $G" config "run --grant $G hello"; do
  rc=0; ANTHROPIC_API_KEY=test ANTHROPIC_BASE_URL=http://127.0.0.1:9 "$DESKHAND" $cmd </dev/null >"$T/out" 2>"$T/err" || rc=$?
  assert_eq "$rc" 1 "$cmd"
  assert_contains "$(cat "$T/err")" "$cfg:2: $why"
done
assert_eq "$(cat "$T/out")" "" "rules listed nothing"
# A run refused leaves no session (it was listed as "interrupted", 0 turns).
assert_eq "$("$DESKHAND" sessions --json)" "[]" "a session was left"
rc=0; ANTHROPIC_API_KEY=test ANTHROPIC_BASE_URL=http://127.0.0.1:9 "$DESKHAND" run --detach --grant "$G" hello \
	</dev/null >"$T/out" 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "run --detach"
assert_contains "$(cat "$T/err")" "$cfg:2: $why"
# A folder's deny rule: its file and line.
printf 'allow read_file(*.md)\nallow mcp__drive__search(q)\n' >"$cfg"
printf '# the folder\ndeny web_fetch(x)\n' >"$G/.deskhand/config"
rc=0; "$DESKHAND" rules --grant "$G" >/dev/null 2>"$T/err" || rc=$?
assert_eq "$rc" 1 "the folder's rule"
assert_contains "$(cat "$T/err")" "$G/.deskhand/config:2: $why"
# Patterns where they belong pass.
: >"$G/.deskhand/config"
"$DESKHAND" rules --grant "$G" >"$T/out" 2>"$T/err" || fail "rules refused: $(cat "$T/err")"
assert_contains "$(cat "$T/out")" "allow mcp__drive__search(q)"
"$DESKHAND" config >/dev/null 2>"$T/err" || fail "config refused: $(cat "$T/err")"
echo ok
