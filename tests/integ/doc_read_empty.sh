# read_file on a 0-byte office document or PDF: it is said to be empty, not
# a zip container missing a part (nor an empty PDF sent to the model).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
: > "$G/report.docx"; : > "$G/sheet.xlsx"; : > "$G/notes.odt"; : > "$G/scan.pdf"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [
   {"name": "read_file", "input": {"path": "report.docx"}},
   {"name": "read_file", "input": {"path": "sheet.xlsx"}},
   {"name": "read_file", "input": {"path": "notes.odt"}},
   {"name": "read_file", "input": {"path": "scan.pdf"}}
 ]},
 {"text": "read", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "read them" > "$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
outs=$(jq -r 'select(.type=="tool_result" and .name=="read_file") | .output | gsub("\n"; " ")' "$T/out")
assert_eq "$(sed -n 1p <<<"$outs")" "report.docx: the file is empty (0 bytes), not a document"
assert_eq "$(sed -n 2p <<<"$outs")" "sheet.xlsx: the file is empty (0 bytes), not a document"
assert_eq "$(sed -n 3p <<<"$outs")" "notes.odt: the file is empty (0 bytes), not a document"
assert_eq "$(sed -n 4p <<<"$outs")" "scan.pdf: the file is empty (0 bytes), not a document"
echo ok
