# A library loaded when first used (src/core/dl.h) that cannot be loaded
# fails only what needs it, with an error naming the library and its
# Debian package: here libzip and libxlsxwriter (then libcurl, then libgit2)
# are empty files found first through LD_LIBRARY_PATH. Reading a .docx and writing an .xlsx
# say so; a plain file and a CSV still work, and the session goes on.
. "$DH_TESTS/lib.sh"
G=$T/work; L=$T/broken; mkdir -p "$G" "$L"
: >"$L/libzip.so.4"; : >"$L/libxlsxwriter.so.4"
printf 'PK\003\004 not really a document\n' >"$G/report.docx"
echo "plain words" >"$G/notes.txt"
cat > "$T/script.json" <<'JSON'
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "try them"}]}}]},
 {"tool_calls": [{"name": "read_file", "input": {"path": "report.docx"}},
                 {"name": "read_file", "input": {"path": "notes.txt"}},
                 {"name": "write_spreadsheet", "input": {"path": "t.xlsx", "sheets": [{"name": "S", "rows": [["a", 1]]}]}},
                 {"name": "write_spreadsheet", "input": {"path": "t.csv", "sheets": [{"name": "S", "rows": [["a", 1]]}]}}]},
 {"text": "done", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
LD_LIBRARY_PATH=$L "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "try" >"$T/out" 2>"$T/err" ||
  { cat "$T/err"; fail "run failed"; }
reads=$(sed -n '3p' "$FAKE_LOG")
result() { jq -r --argjson i "$1" '.body.messages[-1].content[$i] | [(.is_error // false | tostring), (.content | if type == "array" then map(select(.type == "text") | .text) | join("") else . end)] | join(" ")' <<<"$reads"; }
r=$(result 0)
assert_contains "$r" "true "
assert_contains "$r" "report.docx: reading a zip container needs libzip: libzip.so.4 (Debian package libzip4) could not be loaded: $L/libzip.so.4: file too short"
r=$(result 1)
assert_contains "$r" "false "
assert_contains "$r" "plain words"
r=$(result 2)
assert_contains "$r" "true write_spreadsheet: t.xlsx: writing an .xlsx workbook needs libxlsxwriter: libxlsxwriter.so.4 (Debian package libxlsxwriter4) could not be loaded: $L/libxlsxwriter.so.4: file too short"
[ ! -e "$G/t.xlsx" ] || fail "t.xlsx was written"
r=$(result 3)
assert_contains "$r" "false created t.csv"
assert_eq "$(tr -d '\r' <"$G/t.csv")" "a,1"  # RFC 4180 lines end in CRLF

# libcurl itself (loaded on a thread once the engine's own threads run,
# net/http.c): the first request cannot start, and the run fails naming it;
# nothing is sent. Without --json the reason is on stderr.
: >"$L/libcurl.so.4"
n=$(wc -l <"$FAKE_LOG")
LD_LIBRARY_PATH=$L "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "again" >"$T/out2" 2>"$T/err2" &&
  fail "run succeeded without libcurl"
why="libcurl.so.4 (Debian package libcurl4) could not be loaded: $L/libcurl.so.4: file too short"
fin=$(jq -r 'select(.type == "session_finished") | .status + " " + .message' "$T/out2")
assert_contains "$fin" "failed model request failed: cannot start the request: $why"
LD_LIBRARY_PATH=$L "$DESKHAND" run --grant "$G" --approve-plan --mode auto "again" >"$T/out2b" 2>"$T/err2b" &&
  fail "run succeeded without libcurl"
assert_contains "$(cat "$T/err2b")" "$why"
assert_eq "$(wc -l <"$FAKE_LOG")" "$n"

# libgit2 (loaded by the snapshot worker, snap/snap_git.c): without it no
# checkpoint can be taken, so a run fails at its baseline and names it (the
# first request may have gone out beside the load; that no tool runs then
# is baseline_foreign_repo's); --version says so in place of libgit2's
# version.
rm -f "$L/libcurl.so.4"; : >"$L/libgit2.so.1.5"
before=$(ls -A "$G")
LD_LIBRARY_PATH=$L "$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "again" >"$T/out3" 2>"$T/err3" &&
  fail "run succeeded without libgit2"
why="libgit2.so.1.5 (Debian package libgit2-1.5) could not be loaded: $L/libgit2.so.1.5: file too short"
fin=$(jq -r 'select(.type == "session_finished") | .status + " " + .message' "$T/out3")
assert_contains "$fin" "failed checkpoint of $G failed: $why"
assert_eq "$(ls -A "$G")" "$before"
LD_LIBRARY_PATH=$L "$DESKHAND" run --grant "$G" --approve-plan --mode auto "again" >"$T/out4" 2>"$T/err4" &&
  fail "run succeeded without libgit2"
assert_contains "$(cat "$T/err4")" "$why"
LD_LIBRARY_PATH=$L "$DESKHAND" --version >"$T/version" 2>&1 || fail "--version failed"
assert_contains "$(cat "$T/version")" "libgit2.so.1.5 (Debian package libgit2-1.5) could not be loaded"
