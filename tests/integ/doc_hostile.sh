# Hostile documents (tests/fixtures/docs/hostile.py): a zip bomb, a sheet of
# 1,000,000 rows, XML nested 100,000 deep, a PDF of 5,000 pages and a
# truncated zip give read_file a clear error or a capped result, and
# search_files goes past them; the whole session stays within generous time
# and memory bounds (the limits are docs/documents.md's).
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
python3 "$DH_TESTS/fixtures/docs/hostile.py" "$G"
calls=""   # each read near the end of what is shown
for f in bomb.xlsx:1 rows.xlsx:9990 deep.docx:1 pages.pdf:3990 cut.xlsx:1; do
  calls="$calls{\"name\": \"read_file\", \"input\": {\"path\": \"${f%:*}\", \"offset\": ${f#*:}, \"limit\": 20}},"
done
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [${calls%,}]},
 {"tool_calls": [{"name": "search_files", "input": {"pattern": "Hostile page 4999|^nothing$"}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
/usr/bin/time -f '%e %M' -o "$T/time" "$DESKHAND" run --grant "$G" --json "read them" >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
read -r secs kb <"$T/time"
reads=$(sed -n '2p' "$FAKE_LOG")
result() { jq -r --argjson i "$1" '.body.messages[-1].content[$i] | [(.is_error // false | tostring), (.content | if type == "array" then map(select(.type == "text") | .text) | join("") else . end)] | join(" ")' <<<"$reads"; }
r=$(result 0)
assert_contains "$r" "true bomb.xlsx: xl/workbook.xml is 104857600 bytes uncompressed, over the limit"
r=$(result 1)
assert_contains "$r" "false rows.xlsx: xlsx document shown as text"
assert_contains "$r" "| 9998 | 9998 |"
assert_contains "$r" "[… Big is capped: only the first 10000 rows"
assert_not_contains "$r" "| 10001 |"
r=$(result 2)
assert_contains "$r" "true deep.docx: word/document.xml: XML nested deeper than 256 elements; refused"
r=$(result 3)
assert_contains "$r" "[… pages.pdf has 5000 pages; only the first 1000 are shown]"
r=$(result 4)
assert_contains "$r" "true cut.xlsx: not a readable zip container"
assert_contains "$r" "truncated"
found=$(jq -r '.body.messages[-1].content[0].content' <<<"$(sed -n '3p' "$FAKE_LOG")")
assert_contains "$found" "[3 documents not searched: their text could not be read"
assert_contains "$found" "no matches"   # page 4999 is past the pages read
# bounded: generous for a loaded machine and the sanitizers
awk -v s="$secs" 'BEGIN { exit !(s < 180) }' || fail "the session took $secs s"
[ "$kb" -lt 1500000 ] || fail "peak RSS $kb KB"
echo "ok ($secs s, peak RSS $kb KB)"
