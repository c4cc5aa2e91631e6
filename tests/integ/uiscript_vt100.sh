# In process on TERM=vt100 at 80x24 (no colours): a whole task, from typing
# it to accepting the change and quitting with q.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write hello"}, {"title": "Report"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "hello.txt", "content": "hello\n"}}]},
 {"text": "Wrote hello.txt.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":type write hello
<Enter>
:wait approval
:save-screen $T/plan.scr
a
:wait text Allow write_file hello.txt
:save-screen $T/allow.scr
y
:wait text task done
:save-screen $T/done.scr elements
<Tab>
:wait text diff \(1 file pending\)
s
:wait text diff \(0 files pending\)
:save-screen $T/accepted.scr
q
:wait ms 50
:quit"
UI_TERM=vt100 ui_run 80 24 --grant "$G"
for n in plan allow done accepted; do
  [ "$(screen $n | wc -l)" -eq 24 ] || fail "$n: not 24 rows"
  [ "$(screen $n | wc -L)" -le 80 ] || fail "$n: wider than 80"
done
assert_screen plan 'Approve the plan\?' 'Write hello'
assert_screen allow 'Allow write_file hello\.txt'
assert_screen done 'Wrote hello\.txt\.' 'task done'
styles done | grep -v 'fg=-1 bg=-1' && fail "colours on a vt100"
assert_screen accepted 'diff \(0 files pending\)'
assert_eq "$(cat "$G/hello.txt")" hello
echo ok
