# In process: rejecting a file whose name has a tab in it, the message that
# says what was done names it as the list does (a^Ib.txt), not with the tab
# drawn as spaces (a    b.txt, another name that could be there too).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Make it"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf 'tab\\n' > \"$(printf 'a\\tb.txt')\""}}]},
 {"text": "Made.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "make" > "$T/run.out" 2>&1 ||
  { cat "$T/run.out"; fail "run failed"; }
[ -e "$G/$(printf 'a\tb.txt')" ] || { ls "$G"; fail "the command did not make the file"; }
steps ":wait text A a\^Ib\.txt
:wait idle
<Tab>
x
:wait text Discard every change to a\^Ib\.txt\? y/n
y
:wait text diff \(0 files pending\)
:wait idle
:save-screen $T/rejected.scr
:quit"
ui_run 80 24 --resume latest
[ ! -e "$G/$(printf 'a\tb.txt')" ] || fail "x did not reject the file"
assert_screen rejected '^rejected a\^Ib\.txt — u undoes it$'
echo ok
