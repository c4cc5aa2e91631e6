# In process: the demo's receipts turned into a workbook and reviewed cell by
# cell (issue 16). On a copy of contrib/demo/folder the model reads a receipt
# and writes expenses.xlsx with write_spreadsheet (the demo's rows: real
# dates, dollar amounts, a =SUM total row); the diff pane shows the new file's
# cells (Expenses!D10: 18.25, the total's formula alone) and s accepts it. A second
# session rewrites one amount; the pane shows just that cell changed and x
# rejects the file: the accepted workbook is back on disk, byte for byte.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/ui/lib_uiscript.sh"
command -v jq >/dev/null || skip "jq not installed"
G=$T/folder; cp -R "$DH_TESTS/../contrib/demo/folder" "$G"
# The demo's own write_spreadsheet call, and the same with the Heart Coffee
# amount (row 10) corrected.
sheet=$(jq -c '[.turns[].tool_calls[]? | select(.name == "write_spreadsheet")][0].input' \
  "$DH_TESTS/../contrib/demo/script.json")
[ -n "$sheet" ] && [ "$sheet" != null ] || fail "no write_spreadsheet call in the demo script"
fixed=$(jq -c '.sheets[0].rows[9][3] = 21.25' <<<"$sheet")
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Receipts into expenses.xlsx"}]}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "receipt IMG_2231.txt"}}]},
 {"tool_calls": [{"name": "write_spreadsheet", "input": $sheet}]},
 {"text": "Wrote expenses.xlsx with a total row.", "stop_reason": "end_turn"},
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Fix the coffee amount"}]}}]},
 {"tool_calls": [{"name": "write_spreadsheet", "input": $fixed}]},
 {"text": "Corrected the Heart Coffee amount.", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"

steps ":wait approval
a
:wait text Allow write_spreadsheet
y
:wait text task done
<Tab>
:wait text diff \\(1 file pending\\)
z
:wait text Expenses!D1: Amount
:wait idle
:save-screen $T/top.scr
]
G
:wait text Expenses!D14
:wait idle
:save-screen $T/new.scr elements
s
:wait text diff \\(0 files pending\\)
:save-screen $T/accepted.scr
:quit"
UI_ENV="NO_COLOR=" ui_run 110 60 --grant "$G" "put the receipts in a spreadsheet with a total"
[ "$(head -c 2 "$G/expenses.xlsx")" = PK ] || fail "no expenses.xlsx written"
# The new file, cell by cell: the header, a receipt's row (a real date, the
# amount in the column's currency format), the total row's formula shown
# alone (the file asks to be calculated when opened: the 0 stored beside the
# formula is not its value); all of it drawn as added lines.
assert_screen top 'A expenses\.xlsx +binary, new, [0-9]+ bytes' \
  'its cells compared; accept or reject the whole file' '^cells changed' \
  '^\+ Expenses!A1: Date$' '^\+ Expenses!A2: 2026-01-09$' '^\+ Expenses!D2: 15\.00$'
assert_screen new '^\+ Expenses!A10: 2026-03-03$' \
  '^\+ Expenses!B10: Heart Coffee Roasters$' '^\+ Expenses!D10: 18\.25$' \
  '^\+ Expenses!B14: Total$' '^\+ Expenses!D14: \[=SUM\(D2:D13\)\]$'
screen new | grep -q 'D14: 0' && fail "new: the total shows the 0 stored beside its formula"
row=$(screen new | grep -n '^+ Expenses!D14: ' | cut -d: -f1)
line=$(screen new | sed -n "${row}p")
[ "$(elements new | sed -n "${row}p")" = "$(printf "%${#line}s" '' | tr ' ' +)" ] ||
  fail "new: the total row is not drawn as an added line: '$(elements new | sed -n "${row}p")'"
# s accepted the file: nothing pending, the workbook left as written.
assert_screen accepted 'diff \(0 files pending\)'
[ "$(head -c 2 "$G/expenses.xlsx")" = PK ] || fail "accepting changed expenses.xlsx"
cp "$G/expenses.xlsx" "$T/accepted.xlsx"

# A second session corrects one amount: one cell changed, x rejects the file.
steps ":wait approval
a
:wait text Allow write_spreadsheet
y
:wait text task done
<Tab>
:wait text diff \\(1 file pending\\)
z
:wait text Expenses!D10
:wait idle
:save-screen $T/fixed.scr elements
x
:wait text Discard every change to expenses\\.xlsx\\? y/n
y
:wait text diff \\(0 files pending\\)
:save-screen $T/rejected.scr
:quit"
UI_ENV="NO_COLOR=" ui_run 110 40 --grant "$G" "fix the coffee amount"
size=$(stat -c %s "$T/accepted.xlsx")
assert_screen fixed "M expenses\\.xlsx +binary, $size -> [0-9]+ bytes" '^cells changed' \
  '^~ Expenses!D10: 18\.25 → 21\.25$'
[ "$(screen fixed | grep -c '^[-+~] Expenses!')" = 1 ] ||
  { screen fixed >&2; fail "fixed: not exactly one cell changed"; }
# The changed cell is drawn as a changed line is: the new value's changed
# part (21 of 21.25) in diff-add-hl (*), the rest in diff-add (+).
row=$(screen fixed | grep -n '^~ Expenses!D10' | cut -d: -f1)
pre='~ Expenses!D10: 18.25 → '
want=$(printf "%${#pre}s" '' | tr ' ' +)'**+++'
[ "$(elements fixed | sed -n "${row}p")" = "$want" ] ||
  fail "fixed: the changed cell drawn as '$(elements fixed | sed -n "${row}p")', expected '$want'"
assert_screen rejected 'diff \(0 files pending\)'
cmp -s "$G/expenses.xlsx" "$T/accepted.xlsx" || fail "x did not bring the accepted workbook back"
echo ok
