# read_file on a .pdf poppler cannot read: one that is encrypted (a password
# to open it, as LibreOffice exports it) or no PDF at all (a zip under a .pdf
# name) is an error saying so, and never goes to the model as a PDF document
# block: the API refuses such a block, and with it every later request of the
# conversation. A damaged PDF still goes (tests/unit/test_tools.c).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_docs.sh"
G=$T/work; mkdir -p "$G" "$T/src"
printf 'Quarterly secrets\n' > "$T/src/locked.txt"
soffice_convert 'pdf:writer_pdf_Export:{"EncryptFile":{"type":"boolean","value":"true"},"DocumentOpenPassword":{"type":"string","value":"s3cret"}}' "$G" "$T/src/locked.txt"
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").writestr("word/document.xml", "<document/>")' "$G/notes.pdf"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [
   {"name": "read_file", "input": {"path": "locked.pdf"}},
   {"name": "read_file", "input": {"path": "notes.pdf"}}
 ]},
 {"text": "read", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "read them" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
results=$(sed -n '2p' "$FAKE_LOG" | jq -c '.body.messages[-1].content[]')
assert_not_contains "$results" '"type":"document"'
assert_not_contains "$results" 'application/pdf'
r=$(jq -r 'select(.tool_use_id) | [(.is_error // false | tostring), (.content | tostring)] | join(" ")' <<<"$results")
assert_eq "$(sed -n 1p <<<"$r")" "true locked.pdf: the document is encrypted (password-protected), so its text cannot be read; a copy saved without the password can be"
assert_eq "$(sed -n 2p <<<"$r")" "true notes.pdf: not a PDF: it has no %PDF- header (another kind of file named .pdf?)"
echo ok
