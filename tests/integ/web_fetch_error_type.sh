# A web_fetch whose server answered an error in a type that is not read
# (S3's 403 in XML, a 404 of bytes) said only what the type was:
#   web_fetch: URL is application/xml; only HTML and text are read
# as if the page were there in XML. The status now comes first; a page
# that is there keeps the old message.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "$U/typed?status=403&type=application/xml&body=%3CError%3EAccessDenied%3C/Error%3E"}},
   {"name": "web_fetch", "input": {"url": "$U/typed?status=404&type=&body=%00%01%02"}},
   {"name": "web_fetch", "input": {"url": "$U/typed?type=application/xml&body=%3Ca/%3E"}}
JSON
assert_eq "$(web_res 0)" "true web_fetch: $U/typed?status=403&type=application/xml&body=%3CError%3EAccessDenied%3C/Error%3E: HTTP 403, and the error page is application/xml; only HTML and text are read"
assert_eq "$(web_res 1)" "true web_fetch: $U/typed?status=404&type=&body=%00%01%02: HTTP 404, and the error page has no Content-Type and is not text (it holds NUL bytes); only HTML and text are read"
assert_eq "$(web_res 2)" "true web_fetch: $U/typed?type=application/xml&body=%3Ca/%3E is application/xml; only HTML and text are read"
echo ok
