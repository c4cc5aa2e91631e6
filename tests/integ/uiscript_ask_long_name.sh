# A question about a file whose name is wider than the screen keeps its
# end, the name's extension and the keys that answer it ("? y/n"), on the
# line: the middle gives way to an ellipsis, at 80 columns and after a
# resize to 60. A question that says its keys first (a conflict's) is
# still cut at its end (uiscript_review_conflict).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
G=$T/work; mkdir -p "$G"
long=quarterly-report-$(printf 'x%.0s' $(seq 1 190))-final-v2.txt # 220 bytes
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "$long", "content": "A\\n"}}]},
 {"tool_calls": [{"name": "write_file", "input": {"path": "b.txt", "content": "B\\n"}}]},
 {"text": "Written.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto "write" > "$T/run.out" 2>&1 || { cat "$T/run.out"; fail "run failed"; }
steps ":wait text Written
<Esc>
<Tab>
:wait text diff \(2 files pending\)
j
x
:wait text ^Discard every change to
:save-screen $T/ask80.scr
:resize 60 20
:wait text ^Discard every chang.*y/n\$
:save-screen $T/ask60.scr
n
:wait text nothing done
:quit"
ui_run 80 24 --resume latest
# check NAME COLS: the screen's last row is the question, whole at its end
check() {
  local row
  row=$(screen "$1" | tail -1)
  grep -qE -- '^Discard every chang.*…x*-final-v2\.txt\? y/n$' <<<"$row" ||
    { screen "$1" >&2; fail "$1: the question does not end with the name's end and y/n: $row"; }
  [ "$(wc -L <<<"$row")" -le "$2" ] || fail "$1: the question is wider than $2 columns: $row"
}
check ask80 80
check ask60 60
[ -e "$G/$long" ] || fail "n removed the file"
echo ok
