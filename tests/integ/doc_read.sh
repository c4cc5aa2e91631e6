# read_file shows office documents and PDFs made by LibreOffice as text:
# sheets as tables with formulas beside their values, Word/ODF text as
# Markdown (headings, lists, tables), slides one by one, PDF pages; and
# search_files finds a word inside each of them.
# Several minutes on a loaded 2-core machine (LibreOffice, or a checkpoint of
# thousands of files under ASan): a longer limit than the default.
# test: timeout 900
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_docs.sh"
G=$T/work; F=$DH_TESTS/fixtures/docs
mkdir -p "$G"
soffice_start xlsx "$G" "$F/receipts.csv"
soffice_start ods "$G" "$F/receipts.csv"
soffice_start docx "$G" "$F/report.fodt"
soffice_start odt "$G" "$F/report.fodt"
soffice_start pdf "$G" "$F/report.fodt"
soffice_start pptx "$G" "$F/deck.fodp"
soffice_start odp "$G" "$F/deck.fodp"
soffice_wait
calls=""
for f in receipts.xlsx receipts.ods report.docx report.odt report.pdf deck.pptx deck.odp; do
  calls="$calls{\"name\": \"read_file\", \"input\": {\"path\": \"$f\"}},"
done
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [${calls%,}]},
 {"tool_calls": [{"name": "search_files", "input": {"pattern": "marmalade|zeppelins|Sandwich"}}]},
 {"text": "read", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "read the documents" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
# The request after the first turn carries its results, one per document.
reads=$(sed -n '2p' "$FAKE_LOG")
result() { jq -r --argjson i "$1" '.body.messages[-1].content[$i].content | if type == "array" then map(select(.type == "text") | .text) | join("") else . end' <<<"$reads"; }
xlsx=$(result 0); ods=$(result 1); docx=$(result 2); odt=$(result 3); pdf=$(result 4); pptx=$(result 5); odp=$(result 6)
for t in "$xlsx" "$ods"; do
  assert_contains "$t" "## Sheet: receipts (4 rows × 3 columns)"
  assert_contains "$t" "| 1 | Item | Amount | Date |"
  assert_contains "$t" "| 3 | Sandwich | 8.25 | 2026-01-06 |"
  assert_contains "$t" "| 4 | Total | 11.75 [=SUM(B2:B3)] | |"
done
for t in "$docx" "$odt"; do
  assert_contains "$t" "# Quarterly Report"
  assert_contains "$t" "## Highlights"
  assert_contains "$t" "- First highlight"
  assert_contains "$t" "| Region | Sales |"
  assert_contains "$t" "| North | 120 |"
  assert_contains "$t" "Revenue grew in the marmalade segment."
done
assert_contains "$pdf" "## Page 1"
assert_contains "$pdf" "Revenue grew in the marmalade segment."
# a PDF is also the document block, for models that read PDFs
assert_eq "$(jq -r '.body.messages[-1].content[4].content[0].type' <<<"$reads")" document
for t in "$pptx" "$odp"; do
  assert_contains "$t" "## Slide 1"
  assert_contains "$t" "Welcome slide"
  assert_contains "$t" "## Slide 2"
  assert_contains "$t" "Budget for zeppelins"
done
# search_files: a hit in each document, numbered as read_file numbers it
found=$(jq -r '.body.messages[-1].content[0].content' <<<"$(sed -n '3p' "$FAKE_LOG")")
for f in receipts.xlsx receipts.ods report.docx report.odt report.pdf deck.pptx deck.odp; do
  assert_contains "$found" "$f:"
done
line=$(grep -m1 '^receipts.xlsx:' <<<"$found" | cut -d: -f2)
assert_contains "$xlsx" "$(printf '%6d\t' "$line")| 3 | Sandwich"
echo ok
