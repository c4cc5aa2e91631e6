# web_fetch of a URL with a user name or password in it
# (http://user:secret@HOST/) sent the credentials to the server and wrote
# them into the result, where the command proxy refuses such URLs. It is
# refused now, first URL or redirect target, naming the host but not the
# password; and a redirect to another scheme says it was a redirect.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "http://bob:s3cret@127.0.0.1:$P/plain.txt"}},
   {"name": "web_fetch", "input": {"url": "http://:s3cret@127.0.0.1:$P/plain.txt"}},
   {"name": "web_fetch", "input": {"url": "$U/redirect?to=http://bob:s3cret@127.0.0.1:$P/plain.txt"}},
   {"name": "web_fetch", "input": {"url": "$U/redirect?to=ftp://127.0.0.1/x"}},
   {"name": "web_fetch", "input": {"url": "$U/plain.txt"}}
JSON
why="a URL with a user name or password (user:password@) is not fetched"
assert_eq "$(web_res 0)" "true web_fetch: 127.0.0.1: $why" "a URL with user and password"
assert_eq "$(web_res 1)" "true web_fetch: 127.0.0.1: $why" "a URL with a password alone"
assert_eq "$(web_res 2)" \
  "true web_fetch: the redirect from $U/redirect?to=http://bob:s3cret@127.0.0.1:$P/plain.txt to 127.0.0.1 was refused: $why" \
  "a redirect to a URL with credentials"
assert_eq "$(web_res 3)" \
  "true web_fetch: the redirect from $U/redirect?to=ftp://127.0.0.1/x to ftp://127.0.0.1/x was refused: only http and https URLs are fetched" \
  "a redirect to ftp"
assert_contains "$(web_res 4)" "false [untrusted web content from $U/plain.txt"
# the server was asked for the plain page once: by the URL without credentials
assert_eq "$(grep -c '^GET /plain.txt' "$WEB_LOG")" 1 "requests for /plain.txt"
echo ok
