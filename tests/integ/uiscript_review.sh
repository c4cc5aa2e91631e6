# In process: the review in the diff pane after a task (each call allowed): undo
# the last agent step (u), reject a file (x, answered y), accept one hunk of
# m.txt (s on its hunk header), then the other (s, the cursor still in the
# diff); u takes both accepts back (the accepted mark moves back), C-r redoes
# one.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"; seq 1 30 | sed 's/^/l/' > "$G/m.txt"
# One edit of m.txt changing l5 and l25: two hunks, far enough apart.
old=$(seq 5 25 | sed 's/^/l/' | awk '{ printf "%s\\n", $0 }')
new=$(seq 5 25 | sed 's/^/l/; s/^l5$/L5/; s/^l25$/L25/' | awk '{ printf "%s\\n", $0 }')
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Three edits"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}]},
 {"tool_calls": [{"name": "edit_file", "input": {"path": "m.txt", "old_string": "$old", "new_string": "$new"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "c.txt", "content": "C\n"}}]},
 {"text": "All three done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text Allow write_file a.txt
y
:wait text Allow edit_file
y
:wait text Allow write_file c.txt
y
:wait text task done
<Tab>
:wait text diff \(3 files pending\)
:save-screen $T/three.scr elements
u
:wait text diff \(2 files pending\)
:save-screen $T/undone.scr
x
:wait text Discard every change to a\.txt\? y/n
y
:wait text diff \(1 file pending\)
z
:wait text  \+L25$
:save-screen $T/rejected.scr
g
]
s
:wait text accepted hunk 1 of m\.txt
:wait text M m\.txt  \+1 -1
:save-screen $T/hunk.scr
s
:wait text diff \(0 files pending\)
:save-screen $T/accepted.scr
u
:wait text undid: accepted hunk 1 of m\.txt — C-r redoes it
:wait text M m\.txt  \+1 -1
:save-screen $T/unaccepted.scr
u
:wait text M m\.txt  \+2 -2
:save-screen $T/unaccepted2.scr
<C-r>
:wait text redid: accepted hunk 1 of m\.txt — u undoes it
:wait text M m\.txt  \+1 -1
:save-screen $T/reaccepted.scr
:quit"
ui_run 120 30 --grant "$G" "three edits"
assert_screen three 'A a\.txt' 'A c\.txt' 'M m\.txt'
[ ! -e "$G/c.txt" ] || fail "undo left c.txt (the last step)"
[ ! -e "$G/a.txt" ] || fail "x did not reject a.txt"
# Both hunks pending before, only the second after accepting the first.
assert_screen rejected 'diff \(1 file pending\)' 'M m\.txt  \+2 -2' '^@@ -2,7 \+2,7 @@' \
  ' -l5$' ' \+L5$' '^@@ -22,7 \+22,7 @@' ' -l25$' ' \+L25$'
assert_screen hunk 'accepted hunk 1 of m\.txt' 'diff \(1 file pending\)' 'M m\.txt  \+1 -1' \
  '^@@ -22,7 \+22,7 @@' ' -l25$' ' \+L25$'
for gone in '^@@ -2,7' ' -l5$' ' \+L5$'; do
  screen hunk | grep -qE -- "$gone" && { screen hunk >&2; fail "hunk: the accepted hunk ('$gone') is still shown"; }
done
[ "$(screen hunk | grep -c '^@@')" = 1 ] || fail "hunk: not exactly one hunk left"
# Accepting touches only the review, never the folder.
assert_eq "$(cat "$G/m.txt")" "$(seq 1 30 | sed 's/^/l/; s/^l5$/L5/; s/^l25$/L25/')"
[ ! -e "$G/a.txt" ] && [ ! -e "$G/c.txt" ] || fail "accept changed the folder"
assert_screen accepted 'diff \(0 files pending\)' 'accepted hunk 1 of m\.txt — u undoes it'
# u takes accepts back one at a time (the accepted mark moves back), C-r
# redoes them; the folder never changes
assert_screen unaccepted 'diff \(1 file pending\)' 'M m\.txt  \+1 -1'
assert_screen unaccepted2 'diff \(1 file pending\)' 'M m\.txt  \+2 -2'
assert_screen reaccepted 'diff \(1 file pending\)' 'M m\.txt  \+1 -1'
assert_eq "$(cat "$G/m.txt")" "$(seq 1 30 | sed 's/^/l/; s/^l5$/L5/; s/^l25$/L25/')"
echo ok
