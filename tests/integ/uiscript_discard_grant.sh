# In process: with two grants that both hold an a.txt (and have the same
# name, notes), x on a file row asks about that file with its grant named:
# "Discard every change to a.txt in /…/one/notes? y/n", so the question says
# which of the two would go; n keeps both.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G1=$T/one/notes G2=$T/two/notes; mkdir -p "$G1" "$G2"
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Two a.txt"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "one\\n"}},
                 {"name": "write_file", "input": {"path": "$G2/a.txt", "content": "two\\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G1" --grant "$G2" --approve-plan --mode auto "two" > "$T/run.out" 2>&1 ||
  { cat "$T/run.out"; fail "run failed"; }
steps "<Esc>
<Tab>
:wait text diff \(2 files pending\)
:wait idle
x
:wait text Discard every change to
:save-screen $T/first.scr
n
j
:wait idle
x
:wait text Discard every change to
:save-screen $T/second.scr
n
:wait idle
:save-screen $T/kept.scr
:quit"
ui_run 140 30 --resume latest
assert_screen first "Discard every change to a\.txt in $G1\? y/n"
assert_screen second "Discard every change to a\.txt in $G2\? y/n"
assert_screen kept 'diff \(2 files pending\)'
assert_eq "$(cat "$G1/a.txt" "$G2/a.txt" | tr '\n' ' ')" "one two "
echo ok
