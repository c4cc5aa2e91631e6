# In process: what the diff pane shows of a line (issue 11, defect 10): old
# and new line numbers in the unified view; a line longer than the pane
# wraps, each continuation row keeping its numbers' place and its +/- mark,
# in the unified view and side by side (nothing cut); w hides a change of
# trailing whitespace (a CR, a missing newline at the end) and says so; a
# new binary file shows its size, not -1.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
long_old="start $(printf 'old%.0s ' $(seq 1 30))OLD-END"
long_new="start $(printf 'new%.0s ' $(seq 1 30))NEW-END"
printf 'keep\n%s\ntail\n' "$long_old" > "$G/long.txt"
printf 'a\nb\nc' > "$G/ws.txt"
jq -n --arg l "keep
$long_new
tail
" '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Edit"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "long.txt", "content": $l}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "ws.txt", "content": "a \nb\r\nc\n"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "edit" >"$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
printf '\000\001\002bin' > "$G/new.bin"   # a new binary file (recorded on resume)
steps ":wait text task done
<Tab>
z
:wait text diff \\(3 files pending\\)
:wait idle
:wait text ^── long\\.txt
:wait idle
:save-screen $T/unified.scr
v
:wait text \\[side-by-side\\]
:wait idle
:save-screen $T/split.scr
v
}
:wait text ^── new\\.bin
:save-screen $T/bin.scr
G
:wait text ^── ws\\.txt
:wait idle
:save-screen $T/ws.scr
w
:wait text \\[whitespace ignored\\]
:wait idle
:save-screen $T/ws_hidden.scr
:quit"
UI_ENV="NO_COLOR=" ui_run 80 30 --resume latest
# unified: numbers, then the mark; the long line wraps with its mark on
# every row and loses nothing
assert_screen unified '^1 1  keep$' '^2   -start old' '^  2 \+start new' '^3 3  tail$'
rows=$(screen unified | grep -cE '^ +-') ; [ "$rows" -ge 1 ] || { screen unified >&2; fail "unified: no continuation row kept its -"; }
rows=$(screen unified | grep -cE '^ +\+') ; [ "$rows" -ge 1 ] || { screen unified >&2; fail "unified: no continuation row kept its +"; }
old_text=$(screen unified | grep -E '^(2   | {4})-' | sed -E 's/^.{4}-//' | tr -d ' \n')
new_text=$(screen unified | grep -E '^(  2 | {4})\+' | sed -E 's/^.{4}\+//' | tr -d ' \n')
# (rows break after a space, which the screen dump does not keep)
assert_eq "$old_text" "$(tr -d ' ' <<<"$long_old")"
assert_eq "$new_text" "$(tr -d ' ' <<<"$long_new")"
# side by side: both ends of the long line are on screen, rows keep marks
s=$(screen split)
assert_contains "$s" "OLD-END"
assert_contains "$s" "NEW-END"
[ "$(grep -cE '^ +-.*│ +\+' <<<"$s")" -ge 1 ] || { echo "$s" >&2; fail "split: no continuation row with both marks"; }
# a new binary file: its size, no -1
assert_screen bin '^▶ A new\.bin  binary, new, 6 bytes' 'binary, new, 6 bytes \(no text diff\)'
screen bin | grep -qE -- 'binary.*-1 ' && fail "bin: a size of -1 shown"
# and the CLI says the same
assert_contains "$("$DESKHAND" review)" "A  new.bin  binary, new, 6 bytes"
# w: the trailing space, the CR and the added final newline are all hidden
assert_screen ws ' -a$' ' \+a *$' ' \+b\^M$' ' -c$' 'No newline at end of file'
assert_screen ws_hidden 'only whitespace changes \(hidden: w shows them\)'
screen ws_hidden | grep -qE '^ *[0-9]* +[0-9]* [-+]' && { screen ws_hidden >&2; fail "ws: a changed line is still shown"; }
echo ok
