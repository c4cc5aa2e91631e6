# In process with NO_COLOR=1 on a 256-colour terminal: no colour anywhere,
# and the element layer still tells diff-add from diff-del (by attributes).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"; seq 1 30 | sed 's/^/l/' >"$G/m.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "m.txt", "old_string": "l5\n", "new_string": "L5\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text Allow edit_file
y
:wait text task done
<Tab>
:wait text diff \(1 file pending\)
:wait idle
:save-screen $T/s.scr elements
:quit"
UI_ENV="NO_COLOR=1" ui_run 100 30 --grant "$G" "edit"
assert_screen s '^ *-l5$' '^ *\+L5$'
styles s | grep -v 'fg=-1 bg=-1' && fail "colours with NO_COLOR=1"
add=$(styles s | awk '$2 == "diff-add" { print $5 }'); del=$(styles s | awk '$2 == "diff-del" { print $5 }')
[ "$add" != "$del" ] || fail "diff-add and diff-del have the same attributes ($add)"
row_letters() {
  local row; row=$(screen s | grep -n -- "$1" | tail -1 | cut -d: -f1)
  elements s | sed -n "${row}p" | tr -d ' .' | cut -c1
}
a=$(row_letters '^ *+L5$'); d=$(row_letters '^ *-l5$')
[ -n "$a" ] && [ -n "$d" ] && [ "$a" != "$d" ] || { cat "$T/s.scr"; fail "element layer: + row '$a', - row '$d'"; }
echo ok
