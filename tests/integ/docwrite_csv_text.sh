# write_spreadsheet's .csv: a text cell that a spreadsheet program would read
# as a formula ({"string": "=…"}, or text starting with +, - or @) is written
# with a leading apostrophe, so that opening the file never runs it; other
# text, numbers and a formula string's refusal are unchanged.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write the table"}]}}]},
 {"tool_calls": [
   {"name": "write_spreadsheet", "input": {"path": "t.csv", "sheets": [{"rows": [
     ["name", "note"],
     [{"string": "=HYPERLINK(\"http://x.example/\",\"y\")"}, {"string": "=1+1"}],
     ["+1+1", "-2+3"],
     ["@SUM(A1)", "="],
     ["plain", -3],
     ["a=b", {"string": "2026-03-14"}]
   ]}]}},
   {"name": "write_spreadsheet", "input": {"path": "f.csv", "sheets": [{"rows": [["=1+1"]]}]}}
 ]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write it" > "$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
want=$(printf '%s\n' 'name,note' "\"'=HYPERLINK(\"\"http://x.example/\"\",\"\"y\"\")\",'=1+1" \
  "'+1+1,'-2+3" "'@SUM(A1),'=" 'plain,-3' 'a=b,2026-03-14')
assert_eq "$(tr -d '\r' < "$G/t.csv")" "$want"
outs=$(jq -r 'select(.type=="tool_result" and .name=="write_spreadsheet") | .output' "$T/out")
assert_contains "$outs" "a .csv file cannot hold formulas"
[ ! -e "$G/f.csv" ] || fail "a formula was written into f.csv"
echo ok
