# A refused Content-Type is quoted by its media type alone, cut at 80
# bytes. The whole header value was quoted: a server sending kilobytes of
# parameters put them all into the model's context and the user's screen.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
long=$(printf 'x%.0s' $(seq 1 3000))
wide=$(printf 'y%.0s' $(seq 1 300))
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "$U/typed?type=application/pdf;%20name=$long&body=%25PDF"}},
   {"name": "web_fetch", "input": {"url": "$U/typed?type=application/$wide&body=z"}}
JSON
r0=$(web_res 0) r1=$(web_res 1)
assert_contains "$r0" ": $U/typed?type=application/pdf;%20name="
assert_contains "$r0" " is application/pdf; only HTML and text are read"
# the URL holds the parameter once; the message must not quote it again
assert_eq "1" "$(grep -o "$long" <<<"$r0" | wc -l)"
assert_contains "$r1" " is application/$(printf 'y%.0s' $(seq 1 68))...; only HTML and text are read"
echo ok
