# make demo's recorded session still replays against the current engine (a
# change to the system prompt, tool schemas or tool output without
# re-recording with contrib/demo/record.sh fails here, not in front of a user).
. "$DH_TESTS/lib.sh"
out=$(bash "$DH_TESTS/../contrib/demo/run.sh" "$DH_BUILD" 2>&1) || { echo "$out" | tail -30; fail "demo run failed"; }
assert_contains "$out" "Plan:"
assert_contains "$out" "done · session"
assert_contains "$out" "expenses.csv"
assert_contains "$out" "diff --git"
assert_contains "$out" "make demo-tui"   # the workbench version is offered
demo=$(sed -n 's|^folder:  \(/tmp/deskhand-demo\.[A-Za-z0-9]*\)/folder .*|\1|p' <<<"$out")
[ -n "$demo" ] || fail "no demo folder in the output"
# make demo writes the workbook beside the CSV (write_spreadsheet).
[ "$(head -c 2 "$demo/folder/expenses.xlsx")" = PK ] || fail "no expenses.xlsx beside expenses.csv"
[ -s "$demo/folder/expenses.csv" ] || fail "no expenses.csv"
rm -rf "$demo"
echo ok
