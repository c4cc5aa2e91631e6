# web_fetch took the charset from wherever "charset=" appeared in the
# Content-Type: "text/plain; x-charset=koi8-r" decoded a UTF-8 page as KOI8-R
# ("café" came out "cafц╘"), and a quoted parameter's text could name it too.
# Only the parameter named charset counts now, its value a token or a quoted
# string.
. "$DH_TESTS/lib.sh"
. "$DH_TESTS/lib_web.sh"
web_setup
t() { jq -rn --arg v "$1" '$v|@uri'; }
web_fetch_calls <<JSON
   {"name": "web_fetch", "input": {"url": "$U/typed?type=$(t 'text/plain; format=flowed; x-charset=koi8-r')"}},
   {"name": "web_fetch", "input": {"url": "$U/typed?type=$(t 'text/html; title="a;charset=koi8-r"')&body=$(t '<p>café</p>')"}},
   {"name": "web_fetch", "input": {"url": "$U/typed?type=$(t 'text/plain; note="x\"; charset=koi8-r"; Charset = "windows-1252"')&body=caf%e9"}},
   {"name": "web_fetch", "input": {"url": "$U/typed?type=$(t 'text/plain;charset=windows-1252')&body=caf%e9"}}
JSON
for i in 0 1 2 3; do
  assert_contains "$(web_res $i)" "false [untrusted web content from"
  assert_eq "$(web_res $i | sed -n 3p)" "café" "page $i"
done
echo ok
