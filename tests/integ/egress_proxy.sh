# The sandbox's egress proxy, through the real run_command path: an allowlisted
# upstream (loopback, so marked allow-private) is reached with plain HTTP and
# through CONNECT; a host not on the list, a CONNECT to a refused host, an IP
# literal, a name that resolves to loopback without allow-private, a POST,
# bypassing the proxy and DNS all fail. Each attempt is an `egress` event, and
# the upstream's request log shows that only the allowed requests reached it.
. "$DH_TESTS/lib.sh"
bwrap_or_skip
G=$T/work; mkdir -p "$G"
start_web
P=$WEB_PORT
cat > "$T/config" <<CONF
allow egress 127.0.0.1:$P allow-private
allow egress localhost:$P
CONF
export DH_CONFIG=$T/config
C='curl -sS -m 10'
cat > "$T/script.json" <<JSON
{"turns": [
 {"tool_calls": [{"name": "propose_plan", "input": {"steps": [{"title": "probe"}]}}]},
 {"tool_calls": [
   {"name": "run_command", "input": {"command": "$C http://127.0.0.1:$P/allowed-get; echo rc=\$?"}},
   {"name": "run_command", "input": {"command": "$C -p http://127.0.0.1:$P/allowed-tunnel; echo rc=\$?"}},
   {"name": "run_command", "input": {"command": "$C http://example.com/not-listed; echo rc=\$?"}},
   {"name": "run_command", "input": {"command": "$C https://evil.example/connect-refused; echo rc=\$?"}},
   {"name": "run_command", "input": {"command": "$C http://localhost:$P/name-to-loopback; echo rc=\$?"}},
   {"name": "run_command", "input": {"command": "$C http://127.0.0.1:1/other-port http://169.254.169.254/latest/meta-data/; echo rc=\$?"}},
   {"name": "run_command", "input": {"command": "$C -d secret=1 http://127.0.0.1:$P/post; echo rc=\$?"}},
   {"name": "run_command", "input": {"command": "$C --noproxy '*' http://127.0.0.1:$P/direct; echo rc=\$?; bash -c \"echo x >/dev/tcp/127.0.0.1/$P\" 2>&1; echo tcp=\$?"}},
   {"name": "run_command", "input": {"command": "getent hosts example.com || echo DNS-FAILED; python3 -c 'import socket; socket.getaddrinfo(\"example.com\", 80)' 2>/dev/null || echo PYDNS-FAILED"}},
   {"name": "run_command", "input": {"command": "$C http://127.0.0.1:$P/big.html | wc -c; $C -p http://127.0.0.1:$P/big.html | md5sum"}}
 ]},
 {"text": "ok", "stop_reason": "end_turn"}
]}
JSON
start_fake "$T/script.json"
out=$("$DESKHAND" run --grant "$G" --approve-plan --mode auto --json "probe" 2>"$T/err") \
  || { cat "$T/err"; fail "run failed"; }
res() { jq -rs --argjson n "$1" '[.[] | select(.type=="tool_result" and .name=="run_command")][$n].output' <<<"$out"; }
eg() { jq -c "select(.type==\"egress\")" <<<"$out"; }
has_egress() { jq -se "any(.[]; .type==\"egress\" and ($1))" <<<"$out" >/dev/null || fail "no egress event with $1"; }
echo "$(eg)"

# 1, 2: allowed, plain and CONNECT
assert_contains "$(res 0)" "echo /allowed-get"
assert_contains "$(res 1)" "echo /allowed-tunnel"
assert_eq "$(eg | jq -r "select(.allowed and .port==$P) | .address" | sort -u)" 127.0.0.1
assert_eq "$(eg | jq -r "select(.allowed) | .source" | sort -u)" run_command
# 3: not on the list: 403 with the reason, refused before any DNS lookup
assert_contains "$(res 2)" "egress to example.com:80 refused: not on the egress allowlist"
assert_eq "$(eg | jq -r 'select(.host=="example.com") | [.allowed, .port, .reason] | @tsv')" \
  "$(printf 'false\t80\tnot on the egress allowlist')"
# 4: CONNECT to a refused host
assert_contains "$(res 3)" "403"
assert_contains "$(res 3)" "rc=56"
assert_eq "$(eg | jq -r 'select(.host=="evil.example") | [.allowed, .port] | @tsv')" "$(printf 'false\t443')"
# 5: an allowlisted name that resolves to loopback, without allow-private
assert_contains "$(res 4)" "localhost resolves to loopback address 127.0.0.1"
has_egress '.host=="localhost" and .allowed==false and (.reason|test("loopback"))'
# 6: IP literals are matched literally (another port, the metadata address)
assert_contains "$(res 5)" "egress to 127.0.0.1:1 refused"
assert_contains "$(res 5)" "egress to 169.254.169.254:80 refused"
# 7: only GET/HEAD in absolute form
assert_contains "$(res 6)" "method POST is not served"
has_egress '.host=="127.0.0.1" and .allowed==false and (.reason|test("POST"))'
# 8: around the proxy: the sandbox's own loopback, where nothing listens
assert_contains "$(res 7)" "rc=7"
assert_contains "$(res 7)" "tcp=1"
# 9: no DNS inside
assert_contains "$(res 8)" "DNS-FAILED"
assert_contains "$(res 8)" "PYDNS-FAILED"

# 10: a 3 MB body through the bounded buffers, plain and tunnelled
assert_contains "$(res 9)" 3120026
assert_contains "$(res 9)" "$(python3 "$DH_TESTS/fake/web_server.py" --print-big | md5sum)"

# What reached the host server: exactly the allowed requests.
sleep 0.2
assert_eq "$(sort "$WEB_LOG")" "$(printf 'GET /allowed-get\nGET /allowed-tunnel\nGET /big.html\nGET /big.html')"
# A bad allowlist line is an error naming file:line; so is an unknown line.
printf 'allow egress example.com:99999\n' > "$T/bad1"
printf 'set mode = auto\nallow network example.com\n' > "$T/bad2"
rc=0; DH_CONFIG=$T/bad1 "$DESKHAND" run --grant "$G" "x" >/dev/null 2>"$T/e1" || rc=$?
assert_eq "$rc" 1
assert_contains "$(cat "$T/e1")" "$T/bad1:1: allow egress: 'example.com:99999': the port must be 1-65535 or '*'"
rc=0; DH_CONFIG=$T/bad2 "$DESKHAND" run --grant "$G" "x" >/dev/null 2>"$T/e2" || rc=$?
[ "$rc" -ne 0 ] || fail "an unknown allow line was accepted"
assert_contains "$(cat "$T/e2")" "$T/bad2:2: expected 'allow egress HOST[:PORT] [allow-private]'"
echo ok
