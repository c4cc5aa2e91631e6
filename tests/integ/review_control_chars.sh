# `deskhand review`, and `deskhand diff` on a terminal, show each hunk's
# lines as text: an ESC sequence the agent wrote into a file (one that sets
# the terminal's title, moves the cursor or erases a line to hide another
# change) or a C1 control in a document's text is printed visibly escaped,
# never sent to the terminal. Into a pipe, diff stays a byte-exact patch.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"; echo "plain line" > "$G/notes.txt"
python3 - "$G/memo.docx" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    z.writestr('[Content_Types].xml', '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
    z.writestr('word/document.xml', ('<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w='
        '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r>'
        '<w:t>memo \u009b2Khidden</w:t></w:r></w:p></w:body></w:document>').encode())
PY
jq -n '{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "Write"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "printf \"x\\033]0;TITLE\\007 \\033[2Kerased\\n\" >> notes.txt && cp memo.docx memo2.docx"}}]},
 {"text": "Done.", "stop_reason": "end_turn"}
]}' > "$T/script.json"
start_fake "$T/script.json"
"$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "write" >"$T/run.out" 2>"$T/err" ||
  { rc=$?; cat "$T/err"; fail "run exited $rc"; }
grep -q $'\033' "$G/notes.txt" || fail "the session did not write the ESC sequence"
cd "$G"
"$DESKHAND" review >"$T/review.out" 2>"$T/review.err" || fail "review exited $?"
out=$(cat "$T/review.out")
assert_contains "$out" "+x^[]0;TITLE^G ^[[2Kerased"
assert_contains "$out" "+memo <U+009B>2Khidden"
! grep -q $'\033\|\a\|\xc2\x9b' "$T/review.out" || fail "review printed a control: $(cat -v "$T/review.out")"
# diff on a terminal (a pty made by script(1); NO_COLOR is set: no SGR codes)
command -v script >/dev/null || skip "no script(1) for a terminal"
script -qec "$DESKHAND diff" /dev/null >"$T/diff.tty" 2>&1 || fail "diff on a terminal exited $?"
tty=$(cat "$T/diff.tty")
assert_contains "$tty" "+x^[]0;TITLE^G ^[[2Kerased"
assert_contains "$tty" "+memo <U+009B>2Khidden"
! grep -q $'\033\|\a\|\xc2\x9b' "$T/diff.tty" || fail "diff printed a control: $(cat -v "$T/diff.tty")"
# into a pipe it is the patch as it is
"$DESKHAND" diff >"$T/diff.out" 2>/dev/null || fail "diff exited $?"
grep -q $'+x\033]0;TITLE\a \033\[2Kerased' "$T/diff.out" || fail "the piped diff changed the bytes"
echo ok
