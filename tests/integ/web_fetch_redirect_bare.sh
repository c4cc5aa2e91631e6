# web_fetch of a redirect that names no Location: the result was the
# untrusted-content line and nothing else, not an error, with no word of
# the status, so the model took an empty page for the page. It is now an
# error giving the status and saying there is nothing to follow.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "$U/moved"}},
   {"name": "web_fetch", "input": {"url": "$U/redirect?to=/moved"}}
JSON
why="HTTP 301: a redirect without a Location header, so there is no page to follow it to"
assert_contains "$(web_res 0)" "true [untrusted web content from $U/moved"
assert_contains "$(web_res 0)" "$why"
assert_contains "$(web_res 1)" "(redirected from $U/redirect?to=/moved)"
assert_contains "$(web_res 1)" "$why"
echo ok
