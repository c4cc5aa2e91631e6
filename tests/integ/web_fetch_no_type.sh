# web_fetch refuses what is not text also when the server names no
# Content-Type: the bytes of an image served bare went to the model as
# "text" (NUL bytes and all), though only HTML and text are read. A bare
# response that is text still passes.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "$U/bare.bin"}},
   {"name": "web_fetch", "input": {"url": "$U/bare.txt"}}
JSON
why="has no Content-Type and is not text (it holds NUL bytes); only HTML and text are read"
assert_eq "$(web_res 0)" "true web_fetch: $U/bare.bin $why"
assert_contains "$(web_res 1)" "false [untrusted web content from $U/bare.txt"
assert_contains "$(web_res 1)" "bare text without a type"
echo ok
