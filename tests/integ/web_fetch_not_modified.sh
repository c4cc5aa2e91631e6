# web_fetch of a URL the server answers 304 Not Modified, with a Location
# header. A 304 is no redirect (RFC 9110 §15.4.5): it was followed to the
# Location, so the model was given another page as the one it asked for,
# and one without a Location was described as "a redirect without a
# Location header". It is now an error saying the server sent no page.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "$U/notmodified"}}
JSON
assert_contains "$(web_res 0)" "true [untrusted web content from $U/notmodified"
assert_contains "$(web_res 0)" "HTTP 304 Not Modified: the server sent no page"
assert_not_contains "$(web_res 0)" "redirected"
assert_not_contains "$(web_res 0)" "redirect without"
n=$(grep -c 'plain.txt' "$WEB_LOG" 2>/dev/null || true)
assert_eq "0" "${n:-0}"
echo ok
