# In process: x on a file row names the file's grant only when the name alone
# is ambiguous, i.e. when another grant's review rows show the same path (a
# file's path, or a rename's old one). Two grants of the same name, notes:
# /…/one/notes has a.txt (new) and d.txt renamed from c.txt; /…/two/notes
# has a.txt, b.txt and c.txt (all new). a.txt, d.txt (whose old path c.txt
# is a row of the other grant) and c.txt are asked about with their grant:
# "Discard every change to a.txt in /…/one/notes? y/n"; b.txt, in one grant
# only, as with one grant: "Discard every change to b.txt? y/n". n keeps
# every file.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G1=$T/one/notes G2=$T/two/notes; mkdir -p "$G1" "$G2"
echo "to be renamed" > "$G1/c.txt"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Two a.txt"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "one\\n"}},
                 {"name": "move_file", "input": {"source": "c.txt", "destination": "d.txt"}},
                 {"name": "write_file", "input": {"path": "$G2/a.txt", "content": "two\\n"}},
                 {"name": "write_file", "input": {"path": "$G2/b.txt", "content": "bee\\n"}},
                 {"name": "write_file", "input": {"path": "$G2/c.txt", "content": "sea\\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G1" --grant "$G2" --approve-plan --mode auto "two" > "$T/run.out" 2>&1 ||
  { cat "$T/run.out"; fail "run failed"; }
[ -f "$G1/d.txt" ] && [ -f "$G2/c.txt" ] || fail "session did not run: $(tail -5 "$T/run.out")"
# The rows in list order (each grant's files by path), and the question x
# asks on each.
files=(a.txt d.txt a.txt b.txt c.txt)
asked=("a\\.txt in $G1" "d\\.txt in $G1" "a\\.txt in $G2" "b\\.txt" "c\\.txt in $G2")
s="<Esc>
<Tab>
:wait text diff \\(5 files pending\\)
:wait idle"
for i in 0 1 2 3 4; do
  [ "$i" = 0 ] || s="$s
j
:wait idle"
  s="$s
x
:wait text Discard every change to
:save-screen $T/ask$i.scr
n"
done
steps "$s
:wait idle
:save-screen $T/kept.scr
:quit"
ui_run 140 30 --resume latest
for i in 0 1 2 3 4; do
  assert_screen "ask$i" "Discard every change to ${asked[$i]}\\? y/n"
done
# b.txt is in one grant only: the short question, no grant named.
! screen ask3 | grep -qF "b.txt in " || fail "the question on b.txt names a grant"
assert_screen kept 'diff \(5 files pending\)'
assert_eq "$(cat "$G1/a.txt" "$G1/d.txt" "$G2/a.txt" "$G2/b.txt" "$G2/c.txt" | tr '\n' ' ')" \
  "one to be renamed two bee sea "
[ ! -e "$G1/c.txt" ] || fail "the rename was taken back"
echo ok
