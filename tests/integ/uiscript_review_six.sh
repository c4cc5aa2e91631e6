# In process: one selection in the diff pane (issue 11, Done-when 2). A
# session leaves 6 files pending, one of each kind (binary, created, deleted,
# renamed, modified, mode-only). Visited with } and then with j, each file's
# row is the highlighted one, the diff shown is that file's (with what a
# diff cannot show: sizes, old path, mode), and x acts on that file: asked
# about it by name (answered n) on the } pass, rejected (y) and brought back
# with u on the j pass, as the engine's answers say. Then X (answered y)
# rejects all 6, u brings every one back and C-r rejects them again; the
# folder is checked after each.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G/notes"
for i in $(seq 1 30); do echo "line $i"; done > "$G/notes/a.txt"
printf 'to be renamed\nsame text\nmore text\n' > "$G/old.txt"
printf 'doomed\n' > "$G/del.txt"
printf '#!/bin/sh\necho hi\n' > "$G/run.sh"
printf '\000\001\002binary\377' > "$G/bin.dat"
cp -a "$G" "$T/orig"
new_a=$(for i in $(seq 1 30); do case $i in 2) echo "LINE 2";; 28) echo "LINE 28";; *) echo "line $i";; esac; done)
jq -n --arg a "$new_a" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "id": "toolu_w", "input": {"path": "notes/a.txt", "content": ($a + "\n")}}]},
 {"tool_calls": [{"name": "run_command", "id": "toolu_r", "input": {"command": "mv old.txt new.txt && rm del.txt && chmod +x run.sh && printf X >> bin.dat && printf fresh\\\\n > created.txt"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "Edit things" >"$T/run.out" 2>&1 || { rc=$?; cat "$T/run.out"; fail "run exited $rc"; }
[ "$(cat "$G/created.txt")" = fresh ] || fail "session did not run: $(tail -5 "$T/run.out")"
cp -a "$G" "$T/agent"

# The files in list order, what their diff shows, and the review's rows.
files=(bin.dat created.txt del.txt new.txt notes/a.txt run.sh)
kinds=(modified created deleted renamed modified "mode changed")
bodies=('binary, 10 -> 11 bytes' '^ *1 \+fresh$' '^ *1 +-doomed$' 'renamed from old\.txt' '^ *2 +-line 2$' 'mode 100644 -> 100755')
re() { sed 's/[.]/\\./g' <<<"$1"; }
s=":wait text diff \\(6 files pending\\)
<Tab>
z
g
:wait idle"
for i in 0 1 2 3 4 5; do
  f=$(re "${files[$i]}")
  [ "$i" = 0 ] || s="$s
}"
  s="$s
:wait text ^── $f \\(
:wait idle
:save-screen $T/next$i.scr elements
x
:wait text Discard every change to $f\\? y/n
:save-screen $T/ask$i.scr
n
:wait text nothing done"
done
# G and g go to the last and first FILE while the list has focus: x then
# asks about that file.
s="$s
G
:wait text ^── run\\.sh \\(
x
:wait text Discard every change to run\\.sh\\? y/n
:save-screen $T/askG.scr
n
g
:wait text ^── bin\\.dat"
for i in 0 1 2 3 4 5; do
  f=$(re "${files[$i]}")
  [ "$i" = 0 ] || s="$s
j"
  s="$s
:wait text ^── $f \\(
:wait idle
:save-screen $T/down$i.scr elements
x
:wait text Discard every change to $f\\? y/n
y
:wait text rejected $f — u undoes it
:wait text diff \\(5 files pending\\)
:save-screen $T/rej$i.scr
u
:wait text undid: rejected $f — C-r redoes it
:wait text diff \\(6 files pending\\)
:wait text ^── $f \\(
:wait idle
:save-screen $T/back$i.scr elements"
done
s="$s
X
:wait text Reject all 6 pending files\\? y/n
:save-screen $T/askall.scr
y
:wait text rejected every pending change — u undoes it
:wait text diff \\(0 files pending\\)
:save-screen $T/all.scr
u
:wait text diff \\(6 files pending\\)
:save-screen $T/allback.scr
<C-r>
:wait text redid: .* — u undoes it
:wait text diff \\(0 files pending\\)
:save-screen $T/redone.scr
:quit"
steps "$s"
UI_ENV="NO_COLOR=" ui_run 120 40 --resume latest

# the row of the highlighted (cursor) line of screen NAME, and its text
cursor_rows() { elements "$1" | grep -n 'c' | cut -d: -f1; }
for i in 0 1 2 3 4 5; do
  f=${files[$i]}
  for scr in next$i down$i back$i; do
    s=$(screen "$scr")
    # one file row is marked ▶ and it is the highlighted row
    marked=$(grep -n '^▶ ' <<<"$s" | cut -d: -f1)
    [ "$(wc -l <<<"$marked")" = 1 ] || { echo "$s" >&2; fail "$scr: not one ▶ row"; }
    grep -qE "^▶ . $(re "$f")( <- [^ ]+)?  " <<<"$s" || { echo "$s" >&2; fail "$scr: ▶ is not on $f"; }
    [ "$(cursor_rows "$scr")" = "$marked" ] || { cat "$T/$scr.scr" >&2; fail "$scr: the highlighted row is not $f's (${marked})"; }
    # the diff shown is that file's, with what tells its kind
    assert_screen "$scr" "^── $(re "$f") \\(${kinds[$i]}\\)" "${bodies[$i]}"
    assert_screen "$scr" 'diff \(6 files pending\) \[files\]'
  done
  assert_screen ask$i "Discard every change to $(re "$f")\\? y/n"
  assert_screen rej$i "rejected $(re "$f") — u undoes it"
  screen rej$i | grep -q " $(re "$f")  " && fail "rej$i: $f still listed"
done
assert_screen askG 'Discard every change to run\.sh\? y/n' '^▶ T run\.sh'
# checkpoint labels say what the call did, not its id
labels=$("$DESKHAND" log --json | jq -r '.[].label')
assert_contains "$labels" "turn 2: write_file notes/a.txt"
assert_contains "$labels" "turn 3: run_command mv old.txt new.txt && rm del.txt && chmod +x run.sh && print..."
assert_not_contains "$labels" "toolu_"
assert_screen askall 'Reject all 6 pending files\? y/n'
# C-r rejected everything again: the folder is as before the session
diff -r "$T/orig" "$G" || fail "after X, u, C-r the folder is not back to its state before the session"
[ "$(stat -c %a "$G/run.sh")" = "$(stat -c %a "$T/orig/run.sh")" ] || fail "run.sh kept its new mode"
echo ok
