# A request head whose lines end in a bare LF (no CR) never completed in the
# egress proxy's eyes: the client waited 30 s for "408 Request Timeout". It
# is now refused at once, 400, saying why (RFC 9112 §2.2 lets a server
# refuse a bare LF; the proxy keeps to CRLF, as it does for header lines).
. "$DH_TESTS/lib.sh"
bwrap_or_skip
G=$T/work; mkdir -p "$G"
P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
printf 'allow egress 127.0.0.1:%s allow-private\n' "$P" > "$T/config"
export DH_CONFIG=$T/config
cat > "$G/lf.py" <<PY
import socket, time
t = time.time()
s = socket.create_connection(("127.0.0.1", 3128))
s.settimeout(40)
s.sendall(b"GET http://127.0.0.1:$P/x HTTP/1.1\nHost: 127.0.0.1:$P\n\n")
a = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    a += d
print(a.decode().split("\r\n")[0])
print(a.decode().split("\r\n\r\n", 1)[-1].strip())
print("seconds %d" % (time.time() - t))
PY
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "probe"}]}}]},
 {"tool_calls": [{"name": "run_command", "input": {"command": "python3 lf.py"}}]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "probe" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
assert_contains "$res" "HTTP/1.1 400 Bad Request"
assert_contains "$res" "a line of the request head ends in LF without CR"
s=$(sed -n 's/^seconds \([0-9]*\)$/\1/p' <<<"$res")
[ -n "$s" ] && [ "$s" -lt 5 ] || fail "the answer took ${s:-?} s: $res"
echo ok
