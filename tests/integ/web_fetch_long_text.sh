# web_fetch of a page whose text is longer than the 100,000 bytes shown:
# the rest was dropped ("[text truncated: N more bytes not shown]") with no
# way to read it, whatever max_bytes said. The whole text is now stored in
# the session, named in the result (and its output_file), and
# read_tool_output reads any part of it, as with a command's long output.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "web_fetch", "input": {"url": "$U/big.html", "max_bytes": 600000}}]},
 {"tool_calls": [{"name": "read_tool_output",
                  "input": {"id": "blobs/000001", "offset": 300000, "limit": 200}}]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --mode auto --json "fetch" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
r=$(jq -r 'select(.type=="tool_result" and .name=="web_fetch") | "\(.is_error) \(.output)"' \
  <<<"$out")
file=$(jq -r 'select(.type=="tool_result" and .name=="web_fetch").output_file' <<<"$out")
sid=$(jq -r 'select(.type=="session_started").session' <<<"$out")
assert_eq "$file" "$XDG_STATE_HOME/deskhand/sessions/$sid/blobs/000001"
[ -f "$file" ] || fail "output_file '$file' does not exist"
size=$(stat -c %s "$file")
[ "$size" -gt 400000 ] || fail "the stored text has $size bytes"
assert_contains "$r" "false [untrusted web content from $U/big.html"
assert_contains "$r" "more bytes not shown. The whole text ($size bytes) is stored in the \
session as $file (read_tool_output with that id reads any part of it)]"
assert_contains "$r" "[truncated: only the first 600000 bytes of the page were read (max_bytes)]"
assert_eq "$(head -c 16 "$file")" "filler paragraph"
page=$(jq -r 'select(.type=="tool_result" and .name=="read_tool_output").output' <<<"$out")
assert_contains "$page" "[blobs/000001: bytes 300000 to 300200 of $size"
assert_contains "$page" "filler paragraph"
echo ok
