# web_fetch of a redirect that names no Location: the result was the
# untrusted-content line and nothing else, not an error, with no word of
# the status, so the model took an empty page for the page. It is now an
# error giving the status and saying there is nothing to follow.
. "$DH_TESTS/lib.sh"
G=$T/work; mkdir -p "$G"
start_web
P=$WEB_PORT
U=http://127.0.0.1:$P
printf 'allow egress 127.0.0.1:%s allow-private\n' "$P" > "$T/config"
export DH_CONFIG=$T/config
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [
   {"name": "web_fetch", "input": {"url": "$U/moved"}},
   {"name": "web_fetch", "input": {"url": "$U/redirect?to=/moved"}}
 ]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --mode auto --json "fetch" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res() {
  jq -rs --argjson n "$1" '[.[] | select(.type=="tool_result" and .name=="web_fetch")][$n]
    | "\(.is_error) \(.output)"' <<<"$out"
}
why="HTTP 301: a redirect without a Location header, so there is no page to follow it to"
assert_contains "$(res 0)" "true [untrusted web content from $U/moved"
assert_contains "$(res 0)" "$why"
assert_contains "$(res 1)" "(redirected from $U/redirect?to=/moved)"
assert_contains "$(res 1)" "$why"
echo ok
