# A conflict met in the body of a file's diff, in the default 80x24 layout
# (the diff pane a few rows high, not maximized): the question that asks f,
# o or Esc names the file. Before, it said only "conflict (see the diff
# pane)", and the pane's line naming the file was pushed out of the pane by
# the hunk under the cursor: only the versions' directory and "f forces it"
# showed.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
for i in $(seq 1 40); do echo "line $i"; done > "$G/k.txt"
new=$(sed 's/^line 30$/LINE 30/' "$G/k.txt")
jq -n --arg k "$new" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "k.txt", "content": ($k + "\n")}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit k" >"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
sed -i 's/^line 31$/line 31 mine/' "$G/k.txt"   # the person's edit, next to the agent's
mkdir -p "$T/tmp"
steps ":wait text task done
<Tab>
:wait text diff \\(1 file pending\\)
:wait idle
]
:wait idle
x
:wait text f force, o open the versions
:wait idle
:save-screen $T/conflict.scr
<Esc>
:quit"
UI_ENV="TMPDIR=$T/tmp" ui_run 80 24 --resume latest
assert_contains "$(screen conflict | tail -1)" \
  "f force, o open the versions, Esc leave it · conflict: k.txt changed"
assert_eq "$(sed -n 30p "$G/k.txt")$(sed -n 31p "$G/k.txt")" "LINE 30line 31 mine" "k.txt untouched"
echo ok
