# In process: :sessions lists past sessions with task, date, state and the
# pending review count; :open shows one (its transcript, pending diff and
# token totals); :ungrant removes a grant; :grants lists them.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; G2=$T/other; mkdir -p "$G" "$G2"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write a"}]}}], "usage": {"input_tokens": 1200, "output_tokens": 40}},
 {"tool_calls": [{"name": "write_file", "input": {"path": "a.txt", "content": "A\n"}}], "usage": {"input_tokens": 1300, "output_tokens": 50}},
 {"text": "First session finished.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
steps ":wait approval
a
:wait text Allow write_file
y
:wait text task done
:quit"
ui_run 120 30 --grant "$G" "first task: write a"
first=$(ls "$XDG_STATE_HOME"/deskhand/sessions/ | head -1)
[ -n "$first" ] || fail "no first session"

# A second workbench on a new session, two grants, no task.
steps "<Esc>
:type :grants
<Enter>
:wait text $G2
:save-screen $T/grants.scr
q
:type :ungrant $G2
<Enter>
:wait text no longer granted
:save-screen $T/ungranted.scr
:type :grants
<Enter>
:wait text ^ *$G
:save-screen $T/grants2.scr
q
:type :sessions
<Enter>
:wait text first task: write a
:save-screen $T/sessions.scr
q
:type :open nosuch
<Enter>
:wait text open: 
:save-screen $T/nosuch.scr
:type :sessions
<Enter>
:wait text first task: write a
j
<Enter>
:wait text First session finished
:wait text file pending)
:save-screen $T/opened.scr
:quit"
ui_run 120 30 --grant "$G" --grant "$G2"
assert_screen grants "$G\$" "$G2\$"
assert_screen ungranted '1 grant'
screen grants2 | grep -q "$G2" && fail ":grants still lists $G2 after :ungrant"
# header, the first session with its date, state and 1 pending file
assert_screen sessions 'SESSION +DATE +STATE +PENDING +TASK' \
  "$first +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2} +done +1 +first task: write a"
# the current session is marked and has nothing pending
# (no task yet: it is not a session on disk until one starts)
screen sessions | grep -qE '^ *\* +\(new\) +- +new +0' || { screen sessions >&2; fail "current session not marked with 0 pending"; }
[ "$(ls "$XDG_STATE_HOME"/deskhand/sessions/)" = "$first" ] || fail "a workbench without a task kept a session"
assert_screen nosuch "open: .*nosuch"
# Enter on its row (j from the newest) shows the first session: transcript, pending diff, its id and tokens
assert_screen opened 'first task: write a' 'First session finished' 'diff \(1 file pending\)' \
  'A a\.txt' "$first" 'tok [1-9][0-9.]*k?/[1-9]'
echo ok
