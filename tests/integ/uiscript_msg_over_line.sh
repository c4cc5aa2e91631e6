# A message raised while a line is typed (the task's end, while a steer is
# typed) shows at once on the row above the line, the text typed so far
# kept; once the line closes the input line says it until the next key and
# the status line comes back. A failure's message is in the error element.
# With LANG=C too (nothing but ASCII on the screen).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
row() { screen "$1" | sed -n "$2p"; }     # row N (1-based) of a screen
erow() { elements "$1" | sed -n "$2p"; }  # its elements
cat > "$T/script.json" <<'JSON'
{"turns": [{"fault": "slow", "text": "Slowly.", "delay_ms": 300, "stop_reason": "end_turn"}]}
JSON
start_fake "$T/script.json"
steps ":wait text Slowly
i
:type a long steer that is still being typed
:wait text ^task done\. i: type a follow-up task
:save-screen $T/typing.scr elements
<Esc>
:save-screen $T/closed.scr
j
:save-screen $T/key.scr
:quit"
ui_run 100 30 --grant "$G" "go slowly"
assert_eq "$(row typing 29)" "task done. i: type a follow-up task, q: quit"
assert_eq "$(row typing 30)" "> a long steer that is still being typed"
assert_eq "$(row closed 30)" "task done. i: type a follow-up task, q: quit"
assert_contains "$(row closed 29)" " │ ask │ "
[[ "$(erow typing 29)" != *s* ]] || fail "the message is drawn as the status line"
assert_not_contains "$(row key 30)" "task done"

# A task that fails while a steer is typed: its message in the error element.
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"fault": "slow", "text": "Reading.", "delay_ms": 300,
  "tool_calls": [{"name": "read_file", "input": {"path": "nothing.txt"}}]},
 {"fault": "status", "status": 400}
]}
JSON
start_fake "$T/script.json"
steps ":wait text Reading
i
:type more
:wait text ^task failed
:save-screen $T/failed.scr elements
:quit"
UI_ENV="LANG=C LC_ALL=C" ui_run 80 24 --grant "$G" --mode auto "read it"
LC_ALL=C grep -n '[^ -~]' "$T/failed.scr" &&
  { cat "$T/failed.scr"; fail "non-ASCII on the screen"; }
assert_contains "$(row failed 23)" "task failed. i: type a follow-up task"
assert_eq "$(row failed 24)" "> more"
# the row is one element, and it draws as the error element does (elements
# that share attributes share a letter)
l=$(erow failed 23 | cut -c1)
[[ "$(erow failed 23)" =~ ^($l)+$ ]] || fail "the message's row mixes elements: $(erow failed 23)"
attrs() { styles failed | awk -v k="$1" -v v="$2" '$k == v { print $3, $4, $5; exit }'; }
[ "$(attrs 1 "$l")" = "$(attrs 2 error)" ] ||
  fail "the failure's message is not drawn as an error ($l)"
echo ok
