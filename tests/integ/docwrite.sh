# write_spreadsheet: a workbook written through the model's tool call opens
# in LibreOffice (soffice --headless, its own profile under the test dir)
# and converts back to CSV with the same values, dates as dates, currency
# and percent formats, and formulas evaluated; the .xlsx is checkpointed
# like any write; a bad cell is refused naming sheet, row and column and
# writes nothing.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_docs.sh"
G=$T/work; mkdir -p "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "write the workbook"}]}}]},
 {"tool_calls": [{"name": "write_spreadsheet", "input": {"path": "out/expenses.xlsx", "sheets": [
   {"name": "Expenses", "freeze": true, "autofilter": true,
    "columns": [{"format": "d mmm yyyy"}, {"width": 24}, {"format": "currency"}, {"format": "percent"}],
    "rows": [["Date", "Vendor", "Amount", "Share"],
             ["2026-03-14", "ACME, Inc.", 12.5, "=C2/C$5"],
             ["2026-02-28", "Figma \"Pro\"", 15, "=C3/C$5"],
             ["2026-01-31", "Amazon", 1222.5, "=C4/C$5"],
             [null, "Total", "=SUM(C2:C4)", "=SUM(D2:D4)"]]},
   {"name": "Flags", "rows": [[true, false, {"string": "2026-01-01"}, "2026-01-02T13:45:00", -0.5, "=D1+1"]]}]}}]},
 {"tool_calls": [{"name": "write_spreadsheet", "input": {"path": "bad.xlsx", "sheets": [
   {"name": "Q1", "rows": [["Date"], ["2026-02-30"]]}]}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write it" > "$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="write_spreadsheet") | .output' "$T/out")
assert_contains "$res" "created out/expenses.xlsx (2 sheets, 6 rows)"
assert_contains "$res" "write_spreadsheet: bad.xlsx: sheet 'Q1', row 2, column A (A2): '2026-02-30' is not a date in the calendar"
[ ! -e "$G/bad.xlsx" ] || fail "bad.xlsx was written"
# Checkpointed like write_file: the step's checkpoint holds the workbook.
log=$("$DESKHAND" log 2>&1)
assert_contains "$log" "out/expenses.xlsx"

# LibreOffice, in a profile of its own that recalculates formulas on load
# (its default trusts the cached results, which libxlsxwriter leaves at 0).
LO=$T/lo
soffice_profile "$LO/.config/libreoffice/4" \
  '<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>'
# CSV filter options: comma, double quote, UTF-8, from line 1, …, cells as
# shown; sheet -1: every sheet, each to FILE-SHEETNAME.csv, in one soffice run
# (each run takes seconds, most of it starting up).
HOME=$LO timeout 300 soffice --headless -env:UserInstallation=file://$LO/.config/libreoffice/4 \
  --convert-to "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1" \
  --outdir "$LO/conv" "$G/out/expenses.xlsx" >"$LO/log" 2>&1 || { cat "$LO/log"; fail "soffice failed"; }
ls "$LO/conv" >"$T/sheets"
assert_eq "$(cat "$T/sheets")" "$(printf 'expenses-Expenses.csv\nexpenses-Flags.csv')"
got=$(tr -d '\r' <"$LO/conv/expenses-Expenses.csv")
want='Date,Vendor,Amount,Share
14 Mar 2026,"ACME, Inc.",$12.50,1.00%
28 Feb 2026,"Figma ""Pro""",$15.00,1.20%
31 Jan 2026,Amazon,"$1,222.50",97.80%
,Total,"$1,250.00",100.00%'
assert_eq "$got" "$want"
# Sheet 2: booleans, text that looks like a date, a date-time (its default
# format) and arithmetic on it: a real date, not text (one day later, shown
# in the format LibreOffice gives a date-time result).
assert_eq "$(tr -d '\r' <"$LO/conv/expenses-Flags.csv")" "TRUE,FALSE,2026-01-01,2026-01-02 13:45:00,-0.5,01/03/26 01:45 PM"
echo ok
