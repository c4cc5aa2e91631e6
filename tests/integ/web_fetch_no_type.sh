# web_fetch refuses what is not text also when the server names no
# Content-Type: the bytes of an image served bare went to the model as
# "text" (NUL bytes and all), though only HTML and text are read. A bare
# response that is text still passes.
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
   {"name": "web_fetch", "input": {"url": "$U/bare.bin"}},
   {"name": "web_fetch", "input": {"url": "$U/bare.txt"}}
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
why="has no Content-Type and is not text (it holds NUL bytes); only HTML and text are read"
assert_eq "$(res 0)" "true web_fetch: $U/bare.bin $why"
assert_contains "$(res 1)" "false [untrusted web content from $U/bare.txt"
assert_contains "$(res 1)" "bare text without a type"
echo ok
