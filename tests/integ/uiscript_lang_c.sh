# In process with LANG=C / LC_ALL=C: borders, marks and the spinner fall back
# to ASCII; the screen holds no byte above 0x7f.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}, {"title": "Report"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "a\n"}}]},
 {"text": "# Done\n\n- a.txt written\n", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
:save-screen $T/plan.scr
a
:wait text Allow write_file
y
:wait text task done
:save-screen $T/done.scr
:quit"
UI_ENV="LANG=C LC_ALL=C" ui_run 200 40 --grant "$G" "write"
for n in plan done; do
  LC_ALL=C grep -n '[^ -~]' "$T/$n.scr" && { cat "$T/$n.scr"; fail "$n: non-ASCII on the screen"; }
done
assert_screen plan 'Approve the plan\?' '1\. Write' ' \| '
assert_screen done 'task done' 'a\.txt written'
echo ok
