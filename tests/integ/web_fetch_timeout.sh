# web_fetch gives up after timeout_s seconds of fetching: a page that
# trickles a byte now and then (fast enough for the idle limit) held the
# call, and the whole session, for as long as the server kept it going.
# What arrived of it is the result, with a note saying it was cut; a server
# that never answers is an error naming the URL and the time.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [
   {"name": "web_fetch", "input": {"url": "$U/slow", "timeout_s": 2}},
   {"name": "web_fetch", "input": {"url": "$U/redirect?to=/stall", "timeout_s": 1}},
   {"name": "web_fetch", "input": {"url": "$U/plain.txt", "timeout_s": 1}}
 ]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
start=$(date +%s)
rc=0
out=$(timeout 60 "$DESKHAND" run --grant "$G" --mode auto --json "fetch" 2>"$T/err") || rc=$?
[ "$rc" = 0 ] || { cat "$T/err"; fail "run failed or hung (status $rc)"; }
took=$(( $(date +%s) - start ))
assert_contains "$(web_res 0)" "false [untrusted web content from $U/slow"
assert_contains "$(web_res 0)" "the first line of a slow page"
assert_contains "$(web_res 0)" \
  "[truncated: the page did not finish within 2 s (timeout_s): only its first "
assert_contains "$(web_res 1)" "true web_fetch: $U/stall: no answer within 1 s (timeout_s)"
assert_contains "$(web_res 2)" "false [untrusted web content from $U/plain.txt"
assert_contains "$(web_res 2)" "just plain text"
[ "$took" -lt 30 ] || fail "the fetches took $took s"
echo ok
