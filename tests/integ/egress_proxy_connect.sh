# The egress proxy allowed a request but could not connect to the upstream
# (nothing listens there): its 502 said only "cannot connect to the
# upstream", while the egress event said allowed, so nothing told which
# host, address or error. The answer now names HOST:PORT, the address tried
# and the reason, for a plain GET and for a CONNECT.
# A request head whose lines end in a bare LF (no CR) never completed in the
# proxy's eyes: the client waited 30 s for "408 Request Timeout". It is now
# refused at once, 400, saying why (RFC 9112 §2.2 lets a server refuse a bare
# LF; the proxy keeps to CRLF, as it does for header lines).
. "$DH_TESTS/lib.sh"
bwrap_or_skip
G=$T/work; mkdir -p "$G"
# A loopback port where nothing listens: bound, then closed.
P=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
printf 'allow egress 127.0.0.1:%s allow-private\n' "$P" > "$T/config"
export DH_CONFIG=$T/config
# The CONNECT's answer, which curl does not print.
cat > "$G/tunnel.py" <<PY
import socket
s = socket.create_connection(("127.0.0.1", 3128))
s.sendall(b"CONNECT 127.0.0.1:$P HTTP/1.1\r\nHost: 127.0.0.1:$P\r\n\r\n")
print(s.recv(4096).decode())
PY
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
 {"tool_calls": [
   {"name": "run_command",
    "input": {"command": "curl -sS -m 10 http://127.0.0.1:$P/x; echo; python3 tunnel.py; python3 lf.py"}}
 ]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "probe" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res=$(jq -r 'select(.type=="tool_result" and .name=="run_command").output' <<<"$out")
assert_contains "$res" "502 Bad Gateway"
assert_contains "$res" "deskhand: cannot connect to 127.0.0.1:$P at 127.0.0.1: Connection refused"
assert_eq "$(grep -c "cannot connect to 127.0.0.1:$P at 127.0.0.1: Connection refused" <<<"$res")" 2
assert_contains "$res" "HTTP/1.1 400 Bad Request"
assert_contains "$res" "a line of the request head ends in LF without CR"
s=$(sed -n 's/^seconds \([0-9]*\)$/\1/p' <<<"$res")
[ -n "$s" ] && [ "$s" -lt 5 ] || fail "the bare-LF head's answer took ${s:-?} s: $res"
echo ok
