# In process (DH_SCRIPT, no tty): start a task, approve the plan, allow one
# write and deny another, accept the pending hunk in the diff pane, and save
# a screen through the ":save-screen" command line.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write two files"}, {"title": "Report"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "yes.txt", "content": "y\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "no.txt", "content": "n\n"}}]},
 {"text": "# Summary\n\nOne **written**, one *refused*.\n\n- yes.txt kept\n", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":save-screen $T/start.scr
:type write files
<Enter>
:wait approval
:wait text Write two files
:save-screen $T/plan.scr elements
a
:wait text Allow write_file yes.txt
:save-screen $T/allow.scr
y
:wait text Allow write_file no.txt
n
:wait text task done
:save-screen $T/done.scr elements
<Tab>
:wait text diff \(1 file pending\)
s
:wait text diff \(0 files pending\)
:type :save-screen $T/cmd.scr
<Enter>
:quit"
ui_run 120 30 --grant "$G"
assert_screen start '^ plan' 'transcript' '^ diff \(0 files pending\)|diff'
assert_screen plan 'Approve the plan\?' '1\. Write two files' '2\. Report'
# the plan approval prompt is drawn in the prompt element somewhere
elements plan | grep -q '>' || elements plan | grep -q 'u' || fail "no prompt/user letters"
assert_screen allow 'Allow write_file yes.txt\?' '\+y'
assert_screen done 'Summary' 'One written, one refused\.' '• yes\.txt kept' 'call denied' 'task done' 'A yes\.txt'
# the heading is drawn in the heading element
row=$(screen done | grep -n '^ *Summary$' | head -1 | cut -d: -f1)
[ -n "$row" ] || fail "no Summary row"
elements done | sed -n "${row}p" | grep -q 'h' || fail "Summary is not a heading: $(elements done | sed -n "${row}p")"
assert_eq "$(cat "$G/yes.txt")" y
[ ! -e "$G/no.txt" ] || fail "no.txt was written after 'n'"
[ -f "$T/cmd.scr" ] || fail ":save-screen typed on the command line wrote nothing"
assert_screen cmd 'diff \(0 files pending\)'
echo ok
