# read_file on a password-protected office document (tests/fixtures/docs/
# locked.py): an encrypted .docx or .xlsx (an OLE compound file, not a zip)
# and an encrypted .odt (a zip of ciphertext parts) are said to be encrypted,
# not "truncated or damaged" nor "malformed XML"; a Word 97-2003 file under a
# .docx name is named as one.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
python3 "$DH_TESTS/fixtures/docs/locked.py" "$G"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [
   {"name": "read_file", "input": {"path": "locked.docx"}},
   {"name": "read_file", "input": {"path": "locked.xlsx"}},
   {"name": "read_file", "input": {"path": "locked.odt"}},
   {"name": "read_file", "input": {"path": "old.docx"}}
 ]},
 {"text": "read", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --json "read them" >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "run failed"; }
r=$(jq -r 'select(.type=="tool_result" and .name=="read_file") | [(.is_error | tostring), .output] | join(" ")' "$T/out")
why="the document is encrypted (password-protected), so its text cannot be read; a copy saved without the password can be"
assert_eq "$(sed -n 1p <<<"$r")" "true locked.docx: $why"
assert_eq "$(sed -n 2p <<<"$r")" "true locked.xlsx: $why"
assert_eq "$(sed -n 3p <<<"$r")" "true locked.odt: $why"
assert_eq "$(sed -n 4p <<<"$r")" "true old.docx: an old binary Office file (Word, Excel or PowerPoint 97-2003), not a .docx; deskhand reads .docx, .xlsx, .pptx and OpenDocument files"
echo ok
