# web_fetch reads a text page in the charset its Content-Type names (only
# an HTML page's was used: a text/plain page in windows-1252 or Shift_JIS
# came out as U+FFFD), says when the charset is one it does not know, and
# says "(redirected from …)" only after a redirect (a URL curl merely
# normalized, HTTP:// or a decimal address, was reported as one).
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "$U/latin.txt"}},
   {"name": "web_fetch", "input": {"url": "$U/sjis.txt"}},
   {"name": "web_fetch", "input": {"url": "$U/odd.txt"}},
   {"name": "web_fetch", "input": {"url": "HTTP://127.0.0.1:$P/plain.txt"}},
   {"name": "web_fetch", "input": {"url": "$U/redirect?to=/plain.txt"}}
JSON
res() { jq -rs --argjson n "$1" '[.[] | select(.type=="tool_result" and .name=="web_fetch")][$n].output' <<<"$out"; }
assert_contains "$(res 0)" "price € 5, café"
assert_contains "$(res 1)" "日本語のテキスト"
assert_contains "$(res 2)" "[charset 'x-no-such' is not known here: the text is read as UTF-8]"
assert_contains "$(res 2)" "plain café"
assert_not_contains "$(res 3)" "redirected from"
assert_contains "$(res 3)" "just plain text"
assert_contains "$(res 4)" "(redirected from $U/redirect?to=/plain.txt)"
echo ok
