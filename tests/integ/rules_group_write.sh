# A rule on the group `write` holds for every built-in tool that changes
# files: a folder's `deny write(secret/*)` refuses moving a file into or
# out of secret/, editing, writing, deleting, making a directory and writing
# a spreadsheet there, each refusal naming the rule as written, and nothing
# under secret/ changes; reads and other paths are not touched by it. The
# managed policy's `deny write(ABSOLUTE/*)` holds the same way, and
# `deskhand rules` lists the tools a group stands for.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G/secret" "$G/locked" "$G/.deskhand"
echo keep > "$G/secret/a.txt"; echo out > "$G/x.txt"; echo lock > "$G/locked/l.txt"
printf 'deny write(secret/*)\n' > "$G/.deskhand/config"
policy=
if [ "$(id -u)" = 0 ] && [ ! -e /etc/deskhand/policy ]; then
  P=$T/etc/policy; mkdir -p "$T/etc"
  printf 'deny write(%s/locked/*)\n' "$G" > "$P"; chmod 644 "$P"
  export DH_POLICY_FILE=$P; policy=1
fi
held() {
  (cd "$G" && find secret locked -printf '%p %s\n' | sort; cat secret/a.txt locked/l.txt 2>&1 || true)
}
before=$(held)
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "go"}]}}]},
 {"tool_calls": [{"name": "move_file", "input": {"source": "x.txt", "destination": "secret/x.txt"}}]},
 {"tool_calls": [{"name": "move_file", "input": {"source": "secret/a.txt", "destination": "a.txt"}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "secret/a.txt", "old_string": "keep", "new_string": "gone"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "secret/new.txt", "content": "N\n"}}]},
 {"tool_calls": [{"name": "delete_file", "input": {"path": "secret/a.txt"}}]},
 {"tool_calls": [{"name": "make_directory", "input": {"path": "secret/d"}}]},
 {"tool_calls": [{"name": "write_spreadsheet", "input": {"path": "secret/s.csv", "sheets": [{"rows": [[1]]}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "locked/l.txt", "content": "over\n"}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "secret/a.txt"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "open.txt", "content": "O\n"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
run_task "$T/script.json" "$T/out"
assert_eq "$(held | tr '\n' ' ')" "$(tr '\n' ' ' <<<"$before")" "what secret/ and locked/ hold"
[ -e "$G/x.txt" ] || fail "x.txt was moved into secret/"
[ "$(cat "$G/open.txt")" = O ] || fail "a write outside secret/ did not happen"
res() { jq -r "select(.type==\"tool_result\" and .name==\"$1\") | .output" "$T/out"; }
why="denied by rule 'deny write(secret/*)' ($G/.deskhand/config:1); nothing was run."
assert_eq "$(res move_file)" "move_file $why
move_file $why"
assert_eq "$(res edit_file)" "edit_file $why"
assert_eq "$(res delete_file)" "delete_file $why"
assert_eq "$(res make_directory)" "make_directory $why"
assert_eq "$(res write_spreadsheet)" "write_spreadsheet $why"
assert_contains "$(res write_file)" "write_file $why"
assert_contains "$(res read_file)" "keep"
if [ -n "$policy" ]; then
  assert_contains "$(res write_file)" "write_file denied by rule 'deny write(locked/*)' ($P:1)"
fi
"$DESKHAND" rules --grant "$G" >"$T/rules" 2>"$T/rules.err" || fail "$(cat "$T/rules.err")"
tools="write_file edit_file move_file delete_file make_directory write_spreadsheet write_document"
assert_contains "$(cat "$T/rules")" "#   write: ${tools// /, }"
"$DESKHAND" rules --grant "$G" --json >"$T/rules.json"
assert_eq "$(jq -r '.[] | select(.tool=="write" and .pattern=="secret/*") | .tools | join(" ")' \
  "$T/rules.json")" "$tools"
echo ok
